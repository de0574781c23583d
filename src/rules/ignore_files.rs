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
}

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
            base: Arc::new(stack),
            levels: Vec::new(),
            any_git: false,
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
        let mut hash = DefaultHasher::new();
        (self.fingerprint, level.fingerprint).hash(&mut hash);
        levels.push(Arc::new(level));
        IgnoreStack {
            base: Arc::clone(&self.base),
            levels,
            any_git,
            fingerprint: hash.finish(),
        }
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
        let mut level = Level::default();
        let mut hash = DefaultHasher::new();
        same_dir(dir).hash(&mut hash);
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
            level.dot = load_many(dir, &names(&[(".ignore", seen.ignore)]), opts, &mut hash);
            level.custom = load_many(
                dir,
                &names(&[
                    (".rgignore", seen.rgignore),
                    (".trawlignore", seen.trawlignore),
                ]),
                opts,
                &mut hash,
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
                &mut hash,
            );
            if level.has_git && opts.exclude {
                if let Some(git_dir) = git_common_dir(dir) {
                    let exclude = [git_dir.join("info/exclude")];
                    level.exclude = Lazy::load(dir, exclude, opts, &mut hash);
                }
            }
        }
        level.has_git.hash(&mut hash);
        level.fingerprint = hash.finish();
        level
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
    hash: &mut DefaultHasher,
) -> Option<Lazy> {
    Lazy::load(dir, names.iter().map(|name| dir.join(name)), opts, hash)
}

/// A level's ignore files, read and parsed (a bad line is reported as
/// they are read, in the walk's order), and compiled when first matched
/// against: a search that takes every verdict from an index matches none
/// (compiling them was 5% of `-g '*.rs' -l fn`'s CPU with the index,
/// linux tree). A compile error, which only a huge file can cause, is
/// reported where the compile happens.
struct Lazy {
    builder: GitignoreBuilder,
    messages: bool,
    built: std::sync::OnceLock<Option<Gitignore>>,
}

impl Lazy {
    /// `load` of a directory's files, not compiled yet.
    fn load(
        root: &Path,
        paths: impl IntoIterator<Item = PathBuf>,
        opts: &IgnoreOptions,
        hash: &mut DefaultHasher,
    ) -> Option<Lazy> {
        let mut paths = paths.into_iter().peekable();
        // Most directories have none of the files: no builder then.
        paths.peek()?;
        let mut builder = GitignoreBuilder::new(root);
        let _ = builder.case_insensitive(opts.case_insensitive);
        let mut any = false;
        for path in paths {
            any |= add_file(&mut builder, &path, opts.messages, false, hash);
        }
        any.then(|| Lazy {
            builder,
            messages: opts.messages,
            built: std::sync::OnceLock::new(),
        })
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
        any |= add_file(&mut builder, &path, messages, explicit, hash);
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
    hash: &mut DefaultHasher,
) -> bool {
    let read = std::fs::read(path);
    path.as_os_str().as_bytes().hash(hash);
    read.as_ref().ok().hash(hash);
    let text = match read {
        Ok(text) => text,
        Err(error) if explicit => {
            if messages {
                crate::messages::warning(format_args!("{}: {error}", path.display()));
            }
            return false;
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return false,
        Err(error) => {
            crate::messages::debug(format_args!(
                "ignoring ignore file {}: {error}",
                path.display()
            ));
            return false;
        }
    };
    let text = String::from_utf8_lossy(&text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
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
    true
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
