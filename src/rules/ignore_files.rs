//! Ignore files per directory, stacked along the walk.
//!
//! Each directory contributes a `Level` with up to four matchers (custom:
//! `.rgignore` then `.trawlignore`; `.ignore`; `.gitignore`; and at a
//! repository root `.git/info/exclude`). Levels for the directories above a
//! search root ("parents") are matched against the absolute path. Within a
//! category the deepest level with an opinion wins, as in git; `.gitignore`
//! rules stop at the nearest repository root going up.
//!
//! A directory's stack depends only on its ancestors, so stacks are
//! immutable and shared (`Arc` levels): the parallel walk lists sibling
//! directories on different threads, each with its parent's stack.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

#[derive(Debug, Clone)]
pub struct IgnoreOptions {
    /// .gitignore, .git/info/exclude and the global excludes file.
    pub vcs: bool,
    /// .ignore, .rgignore, .trawlignore.
    pub dot: bool,
    pub parents: bool,
    pub global: bool,
    pub exclude: bool,
    pub require_git: bool,
    pub messages: bool,
    /// Match ignore-file globs case-insensitively.
    pub case_insensitive: bool,
}

impl IgnoreOptions {
    fn any(&self) -> bool {
        self.vcs || self.dot
    }
}

/// Which ignore-related names a directory listing contained.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    git: bool,
    gitignore: bool,
    ignore: bool,
    rgignore: bool,
    trawlignore: bool,
    /// False: unknown, try every name (`all`).
    complete: bool,
}

impl Seen {
    fn all() -> Seen {
        Seen {
            git: true,
            gitignore: true,
            ignore: true,
            rgignore: true,
            trawlignore: true,
            complete: false,
        }
    }

    /// Records one entry name of the directory.
    pub fn note(&mut self, name: &std::ffi::OsStr) {
        self.complete = true;
        match name.as_encoded_bytes() {
            b".git" => self.git = true,
            b".gitignore" => self.gitignore = true,
            b".ignore" => self.ignore = true,
            b".rgignore" => self.rgignore = true,
            b".trawlignore" => self.trawlignore = true,
            _ => {}
        }
    }
}

#[derive(Default)]
struct Level {
    custom: Option<Lazy>,
    dot: Option<Lazy>,
    git: Option<Lazy>,
    exclude: Option<Lazy>,
    has_git: bool,
    /// A hash of all the level's matchers depend on: its directory, the
    /// paths and contents of the ignore files read, whether it is a
    /// repository root (`IgnoreStack::fingerprint`).
    fingerprint: u64,
    /// The directory, as its matchers are rooted, and as hashed.
    dir: PathBuf,
    key: Vec<u8>,
    case_insensitive: bool,
    /// The ignore files read, in the order hashed.
    parts: Vec<Part>,
}

/// An ignore file of a level.
struct Part {
    path: PathBuf,
    /// Its contents, None if it could not be read, and their `chained`
    /// hash.
    content: Option<Vec<u8>>,
    hash: Option<u64>,
    /// The matcher it is in (`CUSTOM`, `DOT`, `GIT` or `EXCLUDE`).
    slot: usize,
    /// The last file of its matcher: its last lines are the matcher's.
    last: bool,
}

/// The level as it was with one file's contents cut after a line.
struct Variant {
    fingerprint: u64,
    part: usize,
    /// The length of the file then.
    len: usize,
}

/// The matchers of a level, in precedence order: `.rgignore` and
/// `.trawlignore`, `.ignore`, `.gitignore`, `.git/info/exclude`.
const CUSTOM: usize = 0;
const DOT: usize = 1;
const GIT: usize = 2;
const EXCLUDE: usize = 3;

/// The ignore levels of the directories from the filesystem root down to
/// the directory whose entries are being walked. Cloning it is cheap
/// (one `Arc` per level).
#[derive(Clone)]
pub struct IgnoreStack {
    base: Arc<Base>,
    /// One level per directory from the walk root down.
    levels: Vec<Arc<Level>>,
    /// Some level in `levels` is a repository root.
    any_git: bool,
    /// The base's and every level's fingerprints, hashed in order.
    fingerprint: u64,
    /// The same without the last level's.
    parent_fingerprint: u64,
    /// The stack as it was before lines were added at the end of one of
    /// its ignore files, if an index's stored verdicts say so
    /// (`appended_since`).
    as_built: Option<Arc<Change>>,
}

/// One ignore file of a stack that has had lines added at its end since
/// an index stored verdicts for the stack as it was.
struct Change {
    /// The stack's fingerprint as it was (as `IgnoreStack::fingerprint`).
    fingerprint: u64,
    /// Its level (in `levels`) and matcher (`CUSTOM`...`EXCLUDE`).
    level: usize,
    slot: usize,
    /// A level below its is a repository root: a `.gitignore` or
    /// exclude file changed above it is not asked for this stack.
    below_repository: bool,
    /// The lines added, alone.
    appended: Arc<Lazy>,
}

/// What a walk's stacks share: the levels above the walk root.
struct Base {
    parents: Vec<Level>,
    /// Absolute path of the walk root, for matching against `parents`.
    absolute_root: Option<PathBuf>,
    walk_root: PathBuf,
    any_git_in_parents: bool,
    parents_have_rules: bool,
    require_git: bool,
    /// The options, the roots and the parents' levels, hashed.
    fingerprint: u64,
}

impl IgnoreStack {
    /// A stack for a walk starting at `root`, holding the rules of the
    /// root's ancestors (unless --no-ignore-parent) and of the root itself.
    pub fn new(root: &Path, opts: &IgnoreOptions) -> IgnoreStack {
        let mut stack = Base {
            parents: Vec::new(),
            absolute_root: None,
            walk_root: super::strip_dot_slash(root).to_path_buf(),
            any_git_in_parents: false,
            parents_have_rules: false,
            require_git: opts.require_git,
            fingerprint: 0,
        };
        if opts.any() && opts.parents {
            if let Ok(absolute) = root.canonicalize() {
                let mut ancestors: Vec<&Path> = absolute.ancestors().skip(1).collect();
                ancestors.reverse();
                for dir in ancestors {
                    let level = Level::load(dir, None, opts);
                    stack.any_git_in_parents |= level.has_git;
                    stack.parents_have_rules |= level.has_rules();
                    stack.parents.push(level);
                }
                stack.absolute_root = Some(absolute);
            }
        } else if opts.vcs && opts.require_git {
            // --no-ignore-parent: the ancestors' rules are not read, but a
            // repository above the root still makes the .gitignore files
            // inside it apply, as in ripgrep.
            if let Ok(absolute) = root.canonicalize() {
                stack.any_git_in_parents = absolute
                    .ancestors()
                    .skip(1)
                    .any(|dir| dir.join(".git").exists());
            }
        }
        let mut hash = DefaultHasher::new();
        (opts.vcs, opts.dot, opts.parents, opts.global, opts.exclude).hash(&mut hash);
        (opts.require_git, opts.case_insensitive).hash(&mut hash);
        same_dir(&stack.walk_root).hash(&mut hash);
        stack
            .absolute_root
            .as_ref()
            .map(|p| p.as_os_str().as_bytes())
            .hash(&mut hash);
        (stack.any_git_in_parents, stack.parents_have_rules).hash(&mut hash);
        for level in &stack.parents {
            level.fingerprint.hash(&mut hash);
        }
        stack.fingerprint = hash.finish();
        let empty = IgnoreStack {
            fingerprint: stack.fingerprint,
            parent_fingerprint: stack.fingerprint,
            base: Arc::new(stack),
            levels: Vec::new(),
            any_git: false,
            as_built: None,
        };
        empty.child(root, None, opts)
    }

    /// The stack of a directory below this one's: its ignore files apply
    /// to what is below it. With `seen`, only the files its listing held
    /// are read; without, every ignore file name is tried.
    pub fn child(&self, dir: &Path, seen: Option<&Seen>, opts: &IgnoreOptions) -> IgnoreStack {
        let level = match opts.any() {
            true => Level::load(dir, seen, opts),
            false => Level::default(),
        };
        let mut levels = Vec::with_capacity(self.levels.len() + 1);
        levels.extend(self.levels.iter().cloned());
        let any_git = self.any_git || level.has_git;
        let as_built = self.as_built.as_ref().map(|change| {
            Arc::new(Change {
                fingerprint: chain_level(change.fingerprint, level.fingerprint),
                level: change.level,
                slot: change.slot,
                below_repository: change.below_repository || level.has_git,
                appended: Arc::clone(&change.appended),
            })
        });
        let fingerprint = chain_level(self.fingerprint, level.fingerprint);
        levels.push(Arc::new(level));
        IgnoreStack {
            base: Arc::clone(&self.base),
            levels,
            any_git,
            fingerprint,
            parent_fingerprint: self.fingerprint,
            as_built,
        }
    }

    /// Whether the verdicts an index stored under a fingerprint (`is_stored`
    /// tells it from this stack's as `fingerprint` gives them) were made
    /// for this stack as it was before lines were added at the end of one
    /// of its ignore files: an ancestor's, found when the ancestor was
    /// listed, or this directory's own. Then `updated` tells the verdicts
    /// now from those. Only one file may have changed, and only so: any
    /// other change gives another fingerprint.
    pub fn appended_since(&mut self, is_stored: impl Fn(u64) -> bool) -> bool {
        if let Some(change) = &self.as_built {
            return is_stored(change.fingerprint);
        }
        let Some(level) = self.levels.last() else {
            return false;
        };
        for variant in level.variants() {
            let fingerprint = chain_level(self.parent_fingerprint, variant.fingerprint);
            // The file whole must compile, as the lines added alone then
            // do (a file too big to compile has no rules, whatever its
            // last lines say).
            if is_stored(fingerprint) && level.compiles(level.parts[variant.part].slot) {
                let part = &level.parts[variant.part];
                self.as_built = Some(Arc::new(Change {
                    fingerprint,
                    level: self.levels.len() - 1,
                    slot: part.slot,
                    below_repository: false,
                    appended: Arc::new(level.appended(&variant)),
                }));
                return true;
            }
        }
        false
    }

    /// What `matched` says of `path` now, from what it said (`old`) of
    /// the stack as it was (`appended_since`). The added lines come last
    /// in their file: where they say nothing, or their matcher is not
    /// asked (a `.gitignore` beyond the repository), `old` stands; where
    /// they match and `old` is no verdict, theirs is; where both have one,
    /// `old` stands if a matcher that comes before the changed one has an
    /// opinion (it made `old`), else theirs.
    pub fn updated(&self, path: &Path, is_dir: bool, old: Match<PathBuf>) -> Match<PathBuf> {
        let Some(change) = &self.as_built else {
            return old;
        };
        let base = &*self.base;
        let any_git = !base.require_git || base.any_git_in_parents || self.any_git;
        if change.slot >= GIT && (!any_git || change.below_repository) {
            return old;
        }
        let added = match change.appended.get() {
            Some(gitignore) => from_gitignore(gitignore, path, is_dir),
            None => Match::None,
        };
        if added.is_none() || old.is_none() {
            return added.or(old);
        }
        match self.before_has_opinion(change, path, is_dir, any_git) {
            true => old,
            false => added,
        }
    }

    /// Whether a matcher that comes before `change`'s in `matched`'s order
    /// has an opinion of `path`: any of an earlier kind, or of its kind in
    /// a directory below its.
    fn before_has_opinion(
        &self,
        change: &Change,
        path: &Path,
        is_dir: bool,
        any_git: bool,
    ) -> bool {
        let mut saw_git = false;
        for (depth, level) in self.levels.iter().enumerate().rev() {
            let matchers = [&level.custom, &level.dot, &level.git, &level.exclude];
            for (slot, matcher) in matchers.into_iter().enumerate() {
                let before = slot < change.slot || (slot == change.slot && depth > change.level);
                if !before || (slot >= GIT && (!any_git || saw_git)) {
                    continue;
                }
                if let Some(gitignore) = matcher.as_ref().and_then(Lazy::get) {
                    if !from_gitignore(gitignore, path, is_dir).is_none() {
                        return true;
                    }
                }
            }
            saw_git |= level.has_git;
        }
        // The levels above the root come after every level below it.
        let base = &*self.base;
        if let (Some(absolute_root), true) = (&base.absolute_root, base.parents_have_rules) {
            let relative = path.strip_prefix(&base.walk_root).unwrap_or(path);
            let absolute = absolute_root.join(relative);
            for level in base.parents.iter().rev() {
                let matchers = [&level.custom, &level.dot, &level.git, &level.exclude];
                for (slot, matcher) in matchers.into_iter().enumerate() {
                    if slot >= change.slot || (slot >= GIT && (!any_git || saw_git)) {
                        continue;
                    }
                    if let Some(gitignore) = matcher.as_ref().and_then(Lazy::get) {
                        if !from_gitignore(gitignore, &absolute, is_dir).is_none() {
                            return true;
                        }
                    }
                }
                saw_git |= level.has_git;
            }
        }
        false
    }

    /// A hash of everything `matched` depends on but the path and `is_dir`
    /// (options, roots, every level's ignore files by path and contents),
    /// for an index that stores `matched`'s verdicts: the same fingerprint,
    /// the same verdicts. Never 0 (an index's "none").
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint.max(1)
    }

    pub fn matched(
        &self,
        path: &Path,
        is_dir: bool,
        explicit: &[Gitignore],
        global: Option<&Gitignore>,
    ) -> Match<PathBuf> {
        let base = &*self.base;
        let any_git = !base.require_git || base.any_git_in_parents || self.any_git;
        let mut found = [Match::None, Match::None, Match::None, Match::None];
        let mut saw_git = false;
        let mut visit = |level: &Level, path: &Path, saw_git: &mut bool| {
            let matchers = [&level.custom, &level.dot, &level.git, &level.exclude];
            for (slot, (result, matcher)) in found.iter_mut().zip(matchers).enumerate() {
                let is_git = slot >= 2;
                if !result.is_none() || (is_git && (!any_git || *saw_git)) {
                    continue;
                }
                if let Some(gitignore) = matcher.as_ref().and_then(Lazy::get) {
                    *result = from_gitignore(gitignore, path, is_dir);
                }
            }
            *saw_git |= level.has_git;
        };
        for level in self.levels.iter().rev() {
            visit(level, path, &mut saw_git);
        }
        // Usually no directory above the root has ignore files: skip the
        // per-entry path join then (it showed up in profiles).
        if let (Some(absolute_root), true) = (&base.absolute_root, base.parents_have_rules) {
            let relative = path.strip_prefix(&base.walk_root).unwrap_or(path);
            let absolute = absolute_root.join(relative);
            for level in base.parents.iter().rev() {
                visit(level, &absolute, &mut saw_git);
            }
        }
        let [custom, dot, git, exclude] = found;
        let global = match (any_git, global) {
            (true, Some(global)) => from_gitignore(global, path, is_dir),
            _ => Match::None,
        };
        let explicit = explicit
            .iter()
            .rev()
            .map(|gitignore| from_gitignore(gitignore, path, is_dir))
            .find(|m| !m.is_none())
            .unwrap_or(Match::None);
        custom.or(dot).or(git).or(exclude).or(global).or(explicit)
    }
}

fn from_gitignore(gitignore: &Gitignore, path: &Path, is_dir: bool) -> Match<PathBuf> {
    match gitignore.matched(path, is_dir) {
        Match::None => Match::None,
        Match::Ignore(glob) => Match::Ignore(origin(glob)),
        Match::Whitelist(glob) => Match::Whitelist(origin(glob)),
    }
}

/// `dir` as fingerprints hash it: "", ".", "./" and "./x/" name the same
/// directories as "" and "x" do, and match alike (`GitignoreBuilder`
/// drops a leading "./" from its root; `Gitignore` strips nothing for a
/// root of "."), so a build of "." serves a search of the implicit "./".
fn same_dir(dir: &Path) -> &[u8] {
    let bytes = dir.as_os_str().as_bytes();
    let mut bytes = bytes.strip_prefix(b"./").unwrap_or(bytes);
    while let Some(rest) = bytes.strip_suffix(b"/") {
        bytes = rest;
    }
    match bytes {
        b"." => b"",
        _ => bytes,
    }
}

/// "FILE:LINE: rule" for --debug: which rule decided.
fn origin(glob: &ignore::gitignore::Glob) -> PathBuf {
    let from = glob
        .from()
        .map_or_else(|| "?".into(), |p| p.display().to_string());
    PathBuf::from(format!("{from}: {}", glob.original()))
}

impl Level {
    fn has_rules(&self) -> bool {
        self.custom.is_some() || self.dot.is_some() || self.git.is_some() || self.exclude.is_some()
    }

    fn load(dir: &Path, seen: Option<&Seen>, opts: &IgnoreOptions) -> Level {
        let mut level = Level {
            dir: dir.to_path_buf(),
            key: same_dir(dir).to_vec(),
            case_insensitive: opts.case_insensitive,
            ..Level::default()
        };
        let parts = &mut level.parts;
        let all = Seen::all();
        let seen = seen.unwrap_or(&all);
        let names = |candidates: &[(&'static str, bool)]| -> Vec<&'static str> {
            candidates
                .iter()
                .filter(|(_, present)| *present)
                .map(|(name, _)| *name)
                .collect()
        };
        if opts.dot {
            level.dot = load_many(dir, &names(&[(".ignore", seen.ignore)]), opts, DOT, parts);
            level.custom = load_many(
                dir,
                &names(&[
                    (".rgignore", seen.rgignore),
                    (".trawlignore", seen.trawlignore),
                ]),
                opts,
                CUSTOM,
                parts,
            );
        }
        if opts.vcs {
            level.has_git = if seen.complete {
                seen.git
            } else {
                dir.join(".git").exists()
            };
            level.git = load_many(
                dir,
                &names(&[(".gitignore", seen.gitignore)]),
                opts,
                GIT,
                parts,
            );
            if level.has_git && opts.exclude {
                if let Some(git_dir) = git_common_dir(dir) {
                    let exclude = [git_dir.join("info/exclude")];
                    level.exclude = Lazy::load(dir, exclude, opts, EXCLUDE, parts);
                }
            }
        }
        level.fingerprint = level.fingerprint_with(None);
        level
    }

    /// The level's fingerprint: its directory, each file's path and
    /// contents (`chained`), whether it is a repository root; with
    /// `replace: (part, value)`, that part's contents hashed as `value`.
    fn fingerprint_with(&self, replace: Option<(usize, u64)>) -> u64 {
        let mut hash = DefaultHasher::new();
        self.key.hash(&mut hash);
        for (n, part) in self.parts.iter().enumerate() {
            part.path.as_os_str().as_bytes().hash(&mut hash);
            let content = match replace {
                Some((at, value)) if at == n => Some(value),
                _ => part.hash,
            };
            content.hash(&mut hash);
        }
        self.has_git.hash(&mut hash);
        hash.finish()
    }

    /// The fingerprints the level had when the last file of a matcher
    /// was shorter by whole lines (the file empty included). Asked once,
    /// by the level's own directory's listing (`appended_since`).
    fn variants(&self) -> Vec<Variant> {
        let mut variants = Vec::new();
        for (n, part) in self.parts.iter().enumerate() {
            let Some(content) = part.content.as_deref().filter(|_| part.last) else {
                continue;
            };
            chained(content, |len, value| {
                if len < content.len() {
                    variants.push(Variant {
                        fingerprint: self.fingerprint_with(Some((n, value))),
                        part: n,
                        len,
                    });
                }
            });
        }
        variants
    }

    /// Whether the matcher `slot` compiles.
    fn compiles(&self, slot: usize) -> bool {
        let matchers = [&self.custom, &self.dot, &self.git, &self.exclude];
        matchers[slot].as_ref().and_then(Lazy::get).is_some()
    }

    /// The lines `variant` does not have, as a matcher of their own.
    fn appended(&self, variant: &Variant) -> Lazy {
        let part = &self.parts[variant.part];
        let mut builder = GitignoreBuilder::new(&self.dir);
        let _ = builder.case_insensitive(self.case_insensitive);
        let content = part.content.as_deref().unwrap_or_default();
        // Reported when the whole file was read.
        let from_start = variant.len == 0;
        add_text(
            &mut builder,
            &part.path,
            &content[variant.len..],
            false,
            from_start,
        );
        Lazy {
            builder,
            messages: false,
            built: std::sync::OnceLock::new(),
        }
    }
}

/// The git directory holding `info/exclude` for the repository at `dir`:
/// `dir/.git`, or, where `.git` is a file (`gitdir: PATH`, as in a `git
/// worktree add` checkout), the repository's common directory named by
/// the `commondir` file in PATH. As in ripgrep's `ignore` crate, a gitdir
/// without `commondir` (a submodule's) gives no exclude file. A relative
/// gitdir is resolved against `dir`, as git does; where that names no
/// gitdir with `commondir`, against the current directory, as ripgrep
/// does (its test suite builds such a worktree by hand).
fn git_common_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    if !meta.is_file() {
        return Some(dot_git);
    }
    let first_line = |path: &Path| -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(text.lines().next()?.to_string())
    };
    let line = first_line(&dot_git)?;
    let git_dir = Path::new(line.strip_prefix("gitdir: ")?);
    [dir.join(git_dir), git_dir.to_path_buf()]
        .into_iter()
        .find_map(|git_dir| Some(git_dir.join(first_line(&git_dir.join("commondir"))?)))
}

/// The ignore files `names` of `dir`, whose rules are relative to it.
fn load_many(
    dir: &Path,
    names: &[&str],
    opts: &IgnoreOptions,
    slot: usize,
    parts: &mut Vec<Part>,
) -> Option<Lazy> {
    Lazy::load(
        dir,
        names.iter().map(|name| dir.join(name)),
        opts,
        slot,
        parts,
    )
}

/// The stack's fingerprint with one more level's.
fn chain_level(stack: u64, level: u64) -> u64 {
    let mut hash = DefaultHasher::new();
    (stack, level).hash(&mut hash);
    hash.finish()
}

/// An ignore file's contents as a level's fingerprint hashes them: a hash
/// chained over its lines (each with its `\n`), so that one pass gives the
/// hash of each prefix that ends a line (`each(len, hash)`, the empty one
/// first), and an index's verdicts stored before lines were added at the
/// end of a file are known for what they were (`Level::variants`).
fn chained(content: &[u8], mut each: impl FnMut(usize, u64)) -> u64 {
    let mut value = 0u64;
    each(0, value);
    let mut start = 0;
    while start < content.len() {
        let end = memchr::memchr(b'\n', &content[start..]).map_or(content.len(), |i| start + i + 1);
        value = chain_level(value, {
            let mut hash = DefaultHasher::new();
            content[start..end].hash(&mut hash);
            hash.finish()
        });
        if content[end - 1] == b'\n' {
            each(end, value);
        }
        start = end;
    }
    value
}

/// A level's ignore files, read and parsed (a bad line is reported as
/// they are read, in the walk's order), and compiled when first matched
/// against: a search that takes every verdict from an index matches none
/// (compiling them was 5% of `-g '*.rs' -l fn`'s CPU with the index,
/// linux tree). Only a huge file can fail to compile (a regex size
/// limit): files over `EAGER_BYTES` are compiled as they are read, so
/// that the error is reported there, in the walk's order, as always.
/// Ignore files larger than this are compiled when read (`Lazy`): the
/// linux tree's largest `.gitignore` is 1.8 KB, and the globs of a file
/// this size compile far within the regex size limits.
const EAGER_BYTES: usize = 64 << 10;

struct Lazy {
    builder: GitignoreBuilder,
    messages: bool,
    built: std::sync::OnceLock<Option<Gitignore>>,
}

impl Lazy {
    /// `load` of a directory's files, not compiled yet; each file read is
    /// added to `parts` as the matcher `slot`'s.
    fn load(
        root: &Path,
        paths: impl IntoIterator<Item = PathBuf>,
        opts: &IgnoreOptions,
        slot: usize,
        parts: &mut Vec<Part>,
    ) -> Option<Lazy> {
        let mut paths = paths.into_iter().peekable();
        // Most directories have none of the files: no builder then.
        paths.peek()?;
        let mut builder = GitignoreBuilder::new(root);
        let _ = builder.case_insensitive(opts.case_insensitive);
        let mut any = false;
        for path in paths {
            let content = add_file(&mut builder, &path, opts.messages, false);
            any |= content.is_some();
            parts.push(Part {
                path,
                hash: content.as_deref().map(|c| chained(c, |_, _| {})),
                content,
                slot,
                last: false,
            });
        }
        // The matcher's last lines are those of its last file read (one
        // not read adds none, and its absence is in the fingerprint).
        if let Some(last) = parts
            .iter_mut()
            .rev()
            .take_while(|p| p.slot == slot)
            .find(|p| p.content.is_some())
        {
            last.last = true;
        }
        let size: usize = parts
            .iter()
            .rev()
            .take_while(|p| p.slot == slot)
            .map(|p| p.content.as_ref().map_or(0, Vec::len))
            .sum();
        let lazy = any.then(|| Lazy {
            builder,
            messages: opts.messages,
            built: std::sync::OnceLock::new(),
        })?;
        if size > EAGER_BYTES {
            lazy.get();
        }
        Some(lazy)
    }

    fn get(&self) -> Option<&Gitignore> {
        self.built
            .get_or_init(|| build(&self.builder, self.messages))
            .as_ref()
    }
}

/// Loads gitignore-format files whose rules are relative to `root`, later
/// files taking precedence. None if none of them exists.
/// `explicit`: the files were named with --ignore-file, and failing to
/// read them (even a missing one) is reported. Each file's path and
/// contents (or its absence) go into `hash`.
pub fn load(
    root: &Path,
    paths: impl IntoIterator<Item = PathBuf>,
    opts: &IgnoreOptions,
    explicit: bool,
    hash: &mut DefaultHasher,
) -> Option<Gitignore> {
    let messages = opts.messages;
    let mut builder = GitignoreBuilder::new(root);
    let _ = builder.case_insensitive(opts.case_insensitive);
    let mut any = false;
    for path in paths {
        let content = add_file(&mut builder, &path, messages, explicit);
        path.as_os_str().as_bytes().hash(hash);
        content.hash(hash);
        any |= content.is_some();
    }
    if !any {
        return None;
    }
    build(&builder, messages)
}

/// Adds a file's rules line by line, so that a bad line is reported with
/// its number and the other lines still apply. False if there is no file.
///
/// As in ripgrep (whose `ignore` crate drops I/O errors on ignore files it
/// finds), an ignore file found in a walk that cannot be read is skipped
/// silently (`--debug` says so); one named with --ignore-file is reported.
fn add_file(
    builder: &mut GitignoreBuilder,
    path: &Path,
    messages: bool,
    explicit: bool,
) -> Option<Vec<u8>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if explicit => {
            if messages {
                crate::messages::warning(format_args!("{}: {error}", path.display()));
            }
            return None;
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            crate::messages::debug(format_args!(
                "ignoring ignore file {}: {error}",
                path.display()
            ));
            return None;
        }
    };
    add_text(builder, path, &text, messages, true);
    Some(text)
}

/// Adds the lines of `text`, a file's contents from its start or from the
/// start of a line (a byte order mark is dropped only from the file's).
fn add_text(
    builder: &mut GitignoreBuilder,
    path: &Path,
    text: &[u8],
    messages: bool,
    from_start: bool,
) {
    let text = String::from_utf8_lossy(text);
    let text = match from_start {
        true => text.strip_prefix('\u{feff}').unwrap_or(&text),
        false => &text,
    };
    for (number, line) in text.lines().enumerate() {
        if let Err(error) = builder.add_line(Some(path.to_path_buf()), line) {
            if messages {
                crate::messages::warning(format_args!(
                    "{}: line {}: {error}",
                    path.display(),
                    number + 1
                ));
            }
        }
    }
}

fn build(builder: &GitignoreBuilder, messages: bool) -> Option<Gitignore> {
    match builder.build() {
        Ok(gitignore) => Some(gitignore),
        Err(error) => {
            if messages {
                crate::messages::warning(format_args!("{error}"));
            }
            None
        }
    }
}
