//! What a walk must not search: pure predicates over paths, built once.
//!
//! Precedence follows ripgrep: `-g` globs win over everything; then ignore
//! files, deepest directory first, in the order `.trawlignore`, `.rgignore`,
//! `.ignore`, `.gitignore`, `.git/info/exclude`, global excludes,
//! `--ignore-file`; then `-t/-T` types; then hidden-ness, which a whitelist
//! (`!rule`, a glob or a type) overrides. A rejected directory is pruned.
//! Apart from all these, a walk never yields trawl's own output file
//! (`OwnOutput`).

pub mod ignore_files;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use ignore::gitignore::Gitignore;
use ignore::overrides::{Override, OverrideBuilder};
use ignore::types::{Types, TypesBuilder};

use ignore::Match;

pub use ignore_files::{IgnoreOptions, IgnoreStack, Seen};

/// One file-type flag (-t, -T, --type-add, --type-clear), applied in
/// command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    Select(String),
    Negate(String),
    Add(String),
    Clear(String),
}

/// Why a path is not searched (reported by `--debug`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Glob,
    Ignored(PathBuf),
    Type,
    Hidden,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Skip::Glob => write!(f, "excluded by a --glob"),
            Skip::Ignored(rule) => write!(f, "ignored by {}", rule.display()),
            Skip::Type => write!(f, "excluded by --type/--type-not"),
            Skip::Hidden => write!(f, "hidden (use --hidden)"),
        }
    }
}

/// What the ignore files say of a path (`IgnoreStack::matched` without
/// the deciding rule), stored by an index as one byte per directory entry
/// with the `is_dir` it was asked for: bits 0-1 the verdict (0: none
/// stored), bit 2 `is_dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    None,
    Ignore,
    Whitelist,
}

/// A verdict an index stored for a path, made for its stack as it is
/// (`Exact`) or as it was before lines were added at the end of one of
/// its ignore files (`BeforeAppend`: `IgnoreStack::appended_since`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Exact(Verdict),
    BeforeAppend(Verdict),
}

impl Verdict {
    fn to_match(self) -> Match<PathBuf> {
        match self {
            Verdict::None => Match::None,
            Verdict::Ignore => Match::Ignore(PathBuf::new()),
            Verdict::Whitelist => Match::Whitelist(PathBuf::new()),
        }
    }

    pub fn code(self, is_dir: bool) -> u8 {
        let v = match self {
            Verdict::None => 1,
            Verdict::Ignore => 2,
            Verdict::Whitelist => 3,
        };
        v | u8::from(is_dir) << 2
    }

    /// The verdict a `code` stores for a path asked with `is_dir`, if any.
    pub fn decode(code: u8, is_dir: bool) -> Option<Verdict> {
        if (code >> 2) & 1 != u8::from(is_dir) {
            return None;
        }
        match code & 3 {
            1 => Some(Verdict::None),
            2 => Some(Verdict::Ignore),
            3 => Some(Verdict::Whitelist),
            _ => None,
        }
    }
}

pub struct Rules {
    pub hidden: bool,
    pub own_output: OwnOutput,
    pub ignore: IgnoreOptions,
    /// The -g globs and the types (`Matchers`).
    matchers: PerThread,
    /// `--ignore-file` matchers, lowest precedence.
    explicit: Vec<Gitignore>,
    global: Option<Gitignore>,
    /// The fingerprint of what `explicit` and `global` were built from
    /// (the current directory, their rules are relative to, and each
    /// file's path and contents); None where neither has a rule.
    outer_fingerprint: Option<u64>,
}

pub struct RuleSpec<'a> {
    pub hidden: bool,
    pub ignore: IgnoreOptions,
    pub globs: &'a [String],
    pub iglobs: &'a [String],
    pub glob_case_insensitive: bool,
    pub type_changes: &'a [TypeChange],
    pub ignore_files: &'a [PathBuf],
}

impl Rules {
    pub fn new(spec: RuleSpec) -> Result<Rules, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
        let globs = |root: &Path| -> Result<OverrideBuilder, String> {
            let mut builder = OverrideBuilder::new(root);
            builder
                .case_insensitive(spec.glob_case_insensitive)
                .map_err(|e| e.to_string())?;
            for glob in spec.globs {
                builder.add(glob).map_err(|e| e.to_string())?;
            }
            builder.case_insensitive(true).map_err(|e| e.to_string())?;
            for glob in spec.iglobs {
                builder.add(glob).map_err(|e| e.to_string())?;
            }
            Ok(builder)
        };
        let matchers = PerThread::new(
            globs(Path::new("."))?,
            globs(&cwd)?,
            spec.type_changes.to_vec(),
        )?;

        let mut outer = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(cwd.as_os_str().as_bytes(), &mut outer);
        let explicit: Vec<Gitignore> = spec
            .ignore_files
            .iter()
            .filter_map(|path| {
                // Each file's role in the hash: an --ignore-file applies
                // everywhere, the global file only in a repository.
                std::hash::Hash::hash("--ignore-file", &mut outer);
                ignore_files::load(&cwd, [path.clone()], &spec.ignore, true, &mut outer)
            })
            .collect();
        // The file `GitignoreBuilder::build_global` reads (core.excludesFile,
        // else git's default), read here as every ignore file is, so that
        // its contents are in the fingerprint of the verdicts an index
        // stores: as there, a missing or unreadable file has no rules.
        let global = (spec.ignore.vcs && spec.ignore.global)
            .then(ignore::gitignore::gitconfig_excludes_path)
            .flatten()
            .filter(|path| path.is_file())
            .and_then(|path| {
                std::hash::Hash::hash("global", &mut outer);
                ignore_files::load(&cwd, [path], &spec.ignore, false, &mut outer)
            })
            .filter(|gitignore| !gitignore.is_empty());
        std::hash::Hash::hash(&(explicit.len(), global.is_some()), &mut outer);
        let outer_fingerprint =
            (!explicit.is_empty() || global.is_some()).then(|| std::hash::Hasher::finish(&outer));
        Ok(Rules {
            hidden: spec.hidden,
            own_output: OwnOutput::stdout(),
            ignore: spec.ignore,
            matchers,
            explicit,
            global,
            outer_fingerprint,
        })
    }

    /// The fingerprint of everything the ignore files' verdicts depend on
    /// in `stack`'s directory but the path (see `IgnoreStack::fingerprint`),
    /// the global excludes file and --ignore-file files included.
    pub fn ignore_fingerprint(&self, stack: &IgnoreStack) -> u64 {
        self.fingerprint_of(stack.fingerprint())
    }

    /// `ignore_fingerprint` of a stack whose own is `stack`
    /// (`IgnoreStack::fingerprint`, or one it had: `appended_since`).
    pub fn fingerprint_of(&self, stack: u64) -> u64 {
        let stack = stack.max(1);
        match self.outer_fingerprint {
            None => stack,
            Some(outer) => {
                let mut hash = std::hash::DefaultHasher::new();
                std::hash::Hash::hash(&(stack, outer), &mut hash);
                std::hash::Hasher::finish(&hash).max(1)
            }
        }
    }

    /// What the ignore files say of `path` (for an index to store).
    pub fn verdict(&self, stack: &IgnoreStack, path: &Path, is_dir: bool) -> Verdict {
        let path = strip_dot_slash(path);
        match stack.matched(path, is_dir, &self.explicit, self.global.as_ref()) {
            Match::None => Verdict::None,
            Match::Ignore(_) => Verdict::Ignore,
            Match::Whitelist(_) => Verdict::Whitelist,
        }
    }

    /// Decides whether a walked entry is searched (files) or descended
    /// into (directories). `stored`: the ignore files' verdict for this
    /// path, as an index recorded it for the same fingerprint (never under
    /// --debug, whose message names the deciding rule).
    pub fn check(
        &self,
        stack: &IgnoreStack,
        path: &Path,
        name: &OsStr,
        is_dir: bool,
        stored: Option<Stored>,
    ) -> Result<(), Skip> {
        self.matchers
            .with(|m| self.check_with(m, stack, path, name, is_dir, stored))
    }

    fn check_with(
        &self,
        m: &Matchers,
        stack: &IgnoreStack,
        path: &Path,
        name: &OsStr,
        is_dir: bool,
        stored: Option<Stored>,
    ) -> Result<(), Skip> {
        let path = strip_dot_slash(path);
        match m.globs(path).matched(path, is_dir) {
            Match::Ignore(_) => return Err(Skip::Glob),
            Match::Whitelist(_) => return Ok(()),
            Match::None => {}
        }
        // A path the types reject is skipped whatever the ignore files
        // say, and the type test is the cheaper: ask it first unless
        // --debug must name the ignore rule that comes first in
        // ripgrep's order (-t rust -l unsafe, linux tree: see
        // benches/README.md, "Types before ignore files").
        if !crate::messages::debug_enabled() && m.types.matched(path, is_dir).is_ignore() {
            return Err(Skip::Type);
        }
        let mut whitelisted = false;
        let matched = match stored {
            Some(Stored::Exact(verdict)) => verdict.to_match(),
            Some(Stored::BeforeAppend(verdict)) => stack.updated(path, is_dir, verdict.to_match()),
            None => stack.matched(path, is_dir, &self.explicit, self.global.as_ref()),
        };
        match matched {
            Match::Ignore(from) => return Err(Skip::Ignored(from)),
            Match::Whitelist(_) => whitelisted = true,
            Match::None => {}
        }
        match m.types.matched(path, is_dir) {
            Match::Ignore(_) => return Err(Skip::Type),
            Match::Whitelist(_) => whitelisted = true,
            Match::None => {}
        }
        if !whitelisted && !self.hidden && name.as_bytes().first() == Some(&b'.') {
            return Err(Skip::Hidden);
        }
        Ok(())
    }
}

/// The -g globs and the file types, compiled.
struct Matchers {
    /// The globs rooted at ".", for relative paths. ripgrep roots them at
    /// the current directory, and a matcher strips its root from a path
    /// only where the path starts with it: never a relative path (the
    /// root is absolute), so these match alike, without comparing their
    /// root with "." by `Path` components for every path.
    relative: Override,
    /// The globs rooted at the current directory, for absolute paths.
    absolute: Override,
    types: Types,
}

impl Matchers {
    fn build(
        relative: &OverrideBuilder,
        absolute: &OverrideBuilder,
        type_changes: &[TypeChange],
    ) -> Result<Matchers, String> {
        let error = |e: ignore::Error| e.to_string();
        Ok(Matchers {
            relative: relative.build().map_err(error)?,
            absolute: absolute.build().map_err(error)?,
            types: type_builder(type_changes)?.build().map_err(error)?,
        })
    }

    fn globs(&self, path: &Path) -> &Override {
        match path.as_os_str().as_bytes().first() {
            Some(b'/') => &self.absolute,
            _ => &self.relative,
        }
    }
}

/// `Matchers` compiled once per thread that matches paths with them:
/// each keeps scratch space in a pool that serves the thread that used it
/// first without a lock and every other thread through one, and the walk
/// matches on every listing thread (`-g '*.rs' -l fn`, linux tree, with
/// the index: the pool's slow path and the root comparison were 11% of
/// the CPU; see benches/README.md, "Session 17").
struct PerThread {
    /// Tells this set's matchers from another `Rules`' on a thread.
    id: u64,
    relative: OverrideBuilder,
    absolute: OverrideBuilder,
    type_changes: Vec<TypeChange>,
    /// Built where the rules are made (which reports their errors), used
    /// by the threads whose own build fails, which it cannot.
    first: std::sync::Arc<Matchers>,
    /// No glob and no type: nothing to match, one set serves all.
    empty: bool,
}

impl PerThread {
    fn new(
        relative: OverrideBuilder,
        absolute: OverrideBuilder,
        type_changes: Vec<TypeChange>,
    ) -> Result<PerThread, String> {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let first = Matchers::build(&relative, &absolute, &type_changes)?;
        let empty =
            first.relative.is_empty() && first.absolute.is_empty() && first.types.is_empty();
        Ok(PerThread {
            empty,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            relative,
            absolute,
            type_changes,
            first: std::sync::Arc::new(first),
        })
    }

    fn build(&self) -> Result<Matchers, String> {
        Matchers::build(&self.relative, &self.absolute, &self.type_changes)
    }

    /// Calls `f` with this thread's matchers.
    fn with<R>(&self, f: impl FnOnce(&Matchers) -> R) -> R {
        if self.empty {
            // Nothing to match: no scratch space is taken.
            return f(&self.first);
        }
        thread_local! {
            static MINE: std::cell::RefCell<Option<(u64, std::sync::Arc<Matchers>)>> =
                const { std::cell::RefCell::new(None) };
        }
        MINE.with(|mine| {
            let current = matches!(&*mine.borrow(), Some((id, _)) if *id == self.id);
            if !current {
                let matchers = self
                    .build()
                    .map(std::sync::Arc::new)
                    .unwrap_or_else(|_| std::sync::Arc::clone(&self.first));
                *mine.borrow_mut() = Some((self.id, matchers));
            }
            match &*mine.borrow() {
                Some((_, matchers)) => f(matchers),
                None => f(&self.first),
            }
        })
    }
}

/// The regular file that stdout writes to, if it does: `trawl x > out.txt`
/// (or `>>`) inside the searched tree would otherwise search its own
/// output as it grows, and never end. Walked files that are this file
/// (same device and inode) are skipped in every mode, as ripgrep skips
/// them when it searches; a path named on the command line is searched.
#[derive(Debug, Default, Clone, Copy)]
pub struct OwnOutput(Option<(u64, u64)>);

impl OwnOutput {
    pub fn stdout() -> OwnOutput {
        use std::os::unix::fs::MetadataExt;
        let stdout = std::io::stdout();
        let meta = std::os::fd::AsFd::as_fd(&stdout)
            .try_clone_to_owned()
            .ok()
            .map(std::fs::File::from)
            .and_then(|file| file.metadata().ok());
        OwnOutput(
            meta.filter(|meta| meta.is_file())
                .map(|meta| (meta.dev(), meta.ino())),
        )
    }

    /// Whether the walked file at `path`, whose directory entry gives
    /// inode `ino`, is the output file: only a file with the same inode
    /// number is looked at further.
    pub fn is(&self, path: &Path, ino: u64) -> bool {
        use std::os::unix::fs::MetadataExt;
        match self.0 {
            Some((dev, own_ino)) if own_ino == ino => std::fs::symlink_metadata(path)
                .is_ok_and(|meta| (meta.dev(), meta.ino()) == (dev, own_ino)),
            _ => false,
        }
    }
}

/// The default types changed by the type flags, in command-line order as
/// ripgrep applies them: the last selection (-t or -T) matching a file
/// decides, and --type-clear removes what was added before it.
fn type_builder(changes: &[TypeChange]) -> Result<TypesBuilder, String> {
    let mut builder = TypesBuilder::new();
    builder.add_defaults();
    for change in changes {
        match change {
            TypeChange::Select(name) => {
                builder.select(name);
            }
            TypeChange::Negate(name) => {
                builder.negate(name);
            }
            TypeChange::Add(def) => builder.add_def(def).map_err(|e| e.to_string())?,
            TypeChange::Clear(name) => {
                builder.clear(name);
            }
        }
    }
    Ok(builder)
}

/// `path` without a leading `./`. Byte-wise: `Path::strip_prefix` parses
/// components, which cost 4% of a walk when done per entry.
pub fn strip_dot_slash(path: &Path) -> &Path {
    let bytes = path.as_os_str().as_bytes();
    Path::new(OsStr::from_bytes(
        bytes.strip_prefix(b"./").unwrap_or(bytes),
    ))
}

/// `--type-list`: `name: glob, glob` lines, sorted by name.
pub fn type_list(changes: &[TypeChange]) -> Result<String, String> {
    let builder = type_builder(changes)?;
    let mut out = String::new();
    for def in builder.definitions() {
        if def.globs().is_empty() {
            continue;
        }
        out.push_str(def.name());
        out.push_str(": ");
        out.push_str(&def.globs().join(", "));
        out.push('\n');
    }
    Ok(out)
}
