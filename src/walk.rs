//! Stage 1: the walker thread. Turns the paths on the command line into a
//! deterministic sequence of haystacks: directories are walked with walkdir,
//! entries sorted by file name, and `rules` prune what must not be searched
//! (a pruned directory is never descended into).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use walkdir::WalkDir;

use crate::cli::args::SortKey;
use crate::messages::{self, file_error};
use std::os::unix::ffi::OsStrExt;

use crate::rules::{strip_dot_slash, IgnoreStack, Rules, Seen};

#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

/// One thing to search, in walk order.
#[derive(Debug)]
pub struct Haystack {
    pub source: Source,
    /// Named on the command line (searched whatever the rules say, and
    /// binary files are searched rather than skipped).
    pub explicit: bool,
    /// Print the path without its leading `./` (implicit current directory).
    pub strip_dot: bool,
}

impl Haystack {
    /// The path as printed; raw bytes, so non-UTF-8 names survive.
    pub fn display(&self) -> &[u8] {
        match &self.source {
            Source::Stdin => b"<stdin>",
            Source::Path(path) => shown_path(path, self.strip_dot),
        }
    }
}

/// A walked path's bytes as printed: without `./` for the implicit cwd.
fn shown_path(path: &Path, strip_dot: bool) -> &[u8] {
    let path = if strip_dot {
        strip_dot_slash(path)
    } else {
        path
    };
    path.as_os_str().as_bytes()
}

#[derive(Debug, Clone)]
pub enum SearchPath {
    Stdin,
    /// A path from the command line.
    Given(PathBuf),
    /// The current directory, searched because no path was given; printed
    /// paths drop the leading `./`, as ripgrep's do.
    ImplicitCwd,
}

#[derive(Debug, Default)]
pub struct WalkOptions {
    pub max_depth: Option<usize>,
    pub max_filesize: Option<u64>,
    pub follow_links: bool,
    pub one_file_system: bool,
    /// Sort key and whether descending; None: by name, ascending.
    pub sort: Option<(SortKey, bool)>,
    /// With -q: errors met inside a walk (an unreadable directory, a
    /// broken link) are held here instead of printed. ripgrep's -q stops
    /// at the first match and never reaches most of them, whereas trawl's
    /// walker runs ahead of the search; they are printed only if nothing
    /// matched (see `report_deferred_errors`). Errors about the paths
    /// named on the command line (marked `true`) are printed in any case,
    /// as ripgrep does, even those the walk did not reach.
    pub deferred_errors: Option<Mutex<Vec<(String, bool)>>>,
}

impl WalkOptions {
    /// Prints the errors held back under -q (none if `matched`: the run
    /// stops at the first match, as ripgrep's does, and never reports them).
    pub fn report_deferred_errors(&self, matched: bool) {
        let Some(errors) = &self.deferred_errors else {
            return;
        };
        let errors = std::mem::take(&mut *errors.lock().unwrap_or_else(|e| e.into_inner()));
        for (error, always) in errors {
            if always || !matched {
                file_error(format_args!("{error}"));
            }
        }
    }
}

/// Walks every path in order, calling `emit` for each haystack. Stops as
/// soon as `emit` returns false (output no longer wanted).
///
/// Directories are walked with entries in name order, which is also
/// `--sort path`. The other orders are global, as in ripgrep: `--sortr
/// path` and the time keys (modified, accessed, created) order all the
/// files of all the paths together, so the whole list is collected first
/// and sorted, then emitted (the search itself stays parallel).
pub fn walk(
    paths: &[SearchPath],
    rules: &Rules,
    opts: &WalkOptions,
    emit: &mut dyn FnMut(Haystack) -> bool,
) {
    let Some((key, descending)) = opts.sort else {
        return walk_by_name(paths, rules, opts, emit);
    };
    if key == SortKey::None || (key == SortKey::Path && !descending) {
        return walk_by_name(paths, rules, opts, emit);
    }
    let mut all = Vec::new();
    walk_by_name(paths, rules, opts, &mut |haystack| {
        all.push(haystack);
        true
    });
    for haystack in sorted(all, key, descending) {
        if !emit(haystack) {
            return;
        }
    }
}

/// ripgrep's global sort: a stable sort, so files with equal times stay
/// in walk (name) order; a file whose time cannot be read sorts after
/// the others (before them with --sortr).
fn sorted(all: Vec<Haystack>, key: SortKey, descending: bool) -> Vec<Haystack> {
    use std::cmp::Ordering;
    let path = |haystack: &Haystack| match &haystack.source {
        Source::Path(path) => path.clone(),
        Source::Stdin => PathBuf::from("-"),
    };
    if key == SortKey::Path {
        let mut all = all;
        all.sort_by_cached_key(|haystack| std::cmp::Reverse(path(haystack)));
        return all;
    }
    let mut timed: Vec<(Haystack, Option<std::time::SystemTime>)> = all
        .into_iter()
        .map(|haystack| {
            let time = match &haystack.source {
                Source::Path(path) => std::fs::metadata(path).ok().and_then(|meta| match key {
                    SortKey::Modified => meta.modified().ok(),
                    SortKey::Accessed => meta.accessed().ok(),
                    _ => meta.created().ok(),
                }),
                Source::Stdin => None,
            };
            (haystack, time)
        })
        .collect();
    timed.sort_by(|(_, a), (_, b)| {
        let order = match (a, b) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    timed.into_iter().map(|(haystack, _)| haystack).collect()
}

fn walk_by_name(
    paths: &[SearchPath],
    rules: &Rules,
    opts: &WalkOptions,
    emit: &mut dyn FnMut(Haystack) -> bool,
) {
    for (n, path) in paths.iter().enumerate() {
        let go_on = match path {
            SearchPath::Stdin => emit(Haystack {
                source: Source::Stdin,
                explicit: true,
                strip_dot: false,
            }),
            SearchPath::Given(path) => walk_path(path, false, rules, opts, emit),
            SearchPath::ImplicitCwd => walk_path(Path::new("./"), true, rules, opts, emit),
        };
        if !go_on {
            if opts.deferred_errors.is_some() {
                // -q stopped the walk: the paths not reached are still
                // checked, so that a missing one is reported.
                for path in &paths[n + 1..] {
                    if let SearchPath::Given(path) = path {
                        if let Err(error) = std::fs::metadata(path) {
                            report_root_error(path, &error, opts);
                        }
                    }
                }
            }
            return;
        }
    }
}

/// An error about a path named on the command line: with -q, reported
/// whether or not something matched.
fn report_root_error(root: &Path, error: &std::io::Error, opts: &WalkOptions) {
    report_walk_message(format!("{}: {error}", root.display()), true, opts);
}

fn walk_path(
    root: &Path,
    strip_dot: bool,
    rules: &Rules,
    opts: &WalkOptions,
    emit: &mut dyn FnMut(Haystack) -> bool,
) -> bool {
    match std::fs::metadata(root) {
        // Named explicitly: searched whatever it is (file, FIFO, device).
        Ok(meta) if !meta.is_dir() => {
            return emit(Haystack {
                source: Source::Path(root.to_path_buf()),
                explicit: true,
                strip_dot: false,
            });
        }
        Ok(_) => {}
        Err(error) => {
            report_root_error(root, &error, opts);
            return true;
        }
    }
    let mut walker = WalkDir::new(root)
        .max_open(crate::cli::config::WALK_OPEN_DIRS)
        .follow_links(opts.follow_links)
        .same_file_system(opts.one_file_system)
        .sort_by(by_name);
    if let Some(depth) = opts.max_depth {
        walker = walker.max_depth(depth);
    }
    let above_root = match opts.follow_links {
        true => ancestors_above(root),
        false => Vec::new(),
    };
    let mut stack = IgnoreStack::new(root, &rules.ignore);
    // With entries in ascending name order, a directory's ignore files are
    // among its first entries, so which exist can be learnt from the walk
    // instead of by trying to open every name in every directory (20,000
    // failed opens on the linux corpus).
    let mut pending: Option<PendingDir> = None;
    let mut entries = walker.into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                report_walk_error(&error, opts);
                continue;
            }
        };
        let depth = entry.depth();
        if depth == 0 {
            continue;
        }
        if let Some(ancestor) = links_above_root(&entry, &above_root) {
            // Before any rule, as ripgrep checks (a -g that excludes the
            // link does not hide the loop).
            report_walk_message(loop_message(entry.path(), ancestor), false, opts);
            entries.skip_current_dir();
            continue;
        }
        if let Some(dir) = pending.as_mut() {
            let is_child = depth == dir.depth + 1;
            if is_child {
                dir.seen.note(entry.file_name());
                // Files before the last possible ignore file name can wait
                // (a directory cannot: it must be pruned or entered now).
                if !entry.file_type().is_dir() && entry.file_name().as_bytes() <= LAST_IGNORE_NAME {
                    dir.buffered.push(entry);
                    continue;
                }
            }
            let complete = !is_child || entry.file_name().as_bytes() > LAST_IGNORE_NAME;
            if let Some(dir) = pending.take() {
                if !resolve(dir, complete, &mut stack, rules, opts, strip_dot, emit) {
                    return false;
                }
            }
        }
        match visit(entry, &mut stack, rules, opts, strip_dot, emit) {
            Visit::Next => {}
            Visit::Prune => entries.skip_current_dir(),
            Visit::Enter(path) => {
                pending = Some(PendingDir {
                    path,
                    depth,
                    seen: Seen::default(),
                    buffered: Vec::new(),
                })
            }
            Visit::Stop => return false,
        }
    }
    match pending {
        Some(dir) => resolve(dir, true, &mut stack, rules, opts, strip_dot, emit),
        None => true,
    }
}

/// Orders entries of one directory by name. Their paths share the parent
/// prefix, so comparing whole paths as bytes orders them by name without
/// `file_name()`, whose component parsing took 11% of the walk (profile of
/// `--files` on the linux corpus).
fn by_name(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    a.path()
        .as_os_str()
        .as_bytes()
        .cmp(b.path().as_os_str().as_bytes())
}

/// The greatest name of a file that ignore rules come from (bytewise).
const LAST_IGNORE_NAME: &[u8] = b".trawlignore";

/// A directory entered but whose ignore files are not loaded yet: the
/// names seen so far and the file entries held back until they are.
struct PendingDir {
    path: PathBuf,
    depth: usize,
    seen: Seen,
    buffered: Vec<walkdir::DirEntry>,
}

/// Loads a pending directory's ignore level (only the files seen, when
/// `complete`; else every name is tried) and handles the held-back files.
fn resolve(
    dir: PendingDir,
    complete: bool,
    stack: &mut IgnoreStack,
    rules: &Rules,
    opts: &WalkOptions,
    strip_dot: bool,
    emit: &mut dyn FnMut(Haystack) -> bool,
) -> bool {
    // The level is pushed even when no entry below is left to check: the
    // stack must hold exactly one level per directory depth.
    stack.truncate(dir.depth);
    stack.push(&dir.path, complete.then_some(&dir.seen), &rules.ignore);
    for entry in dir.buffered {
        if let Visit::Stop = visit(entry, stack, rules, opts, strip_dot, emit) {
            return false;
        }
    }
    true
}

enum Visit {
    Next,
    /// A directory to skip.
    Prune,
    /// A directory to descend into.
    Enter(PathBuf),
    Stop,
}

/// Applies the rules to one entry and emits it if it is to be searched.
fn visit(
    entry: walkdir::DirEntry,
    stack: &mut IgnoreStack,
    rules: &Rules,
    opts: &WalkOptions,
    strip_dot: bool,
    emit: &mut dyn FnMut(Haystack) -> bool,
) -> Visit {
    let depth = entry.depth();
    let file_type = entry.file_type();
    let is_dir = file_type.is_dir();
    stack.truncate(depth);
    messages::trace(format_args!("considering {}", entry.path().display()));
    if let Err(reason) = rules.check(stack, entry.path(), entry.file_name(), is_dir) {
        messages::debug(format_args!(
            "skipping {}: {reason}",
            entry.path().display()
        ));
        return if is_dir { Visit::Prune } else { Visit::Next };
    }
    if is_dir {
        return Visit::Enter(entry.into_path());
    }
    // Only regular files are searched in a walk: a FIFO or device could
    // block forever, and symlinks are only followed with -L.
    if !file_type.is_file() {
        messages::debug(format_args!(
            "skipping {}: not a regular file",
            entry.path().display()
        ));
        return Visit::Next;
    }
    if rules
        .own_output
        .is(entry.path(), walkdir::DirEntryExt::ino(&entry))
    {
        messages::debug(format_args!(
            "skipping {}: trawl's output",
            entry.path().display()
        ));
        return Visit::Next;
    }
    if let Some(max) = opts.max_filesize {
        if entry.metadata().is_ok_and(|meta| meta.len() > max) {
            messages::debug(format_args!(
                "skipping {}: larger than --max-filesize {max}",
                entry.path().display()
            ));
            return Visit::Next;
        }
    }
    let haystack = Haystack {
        source: Source::Path(entry.into_path()),
        explicit: false,
        strip_dot,
    };
    if emit(haystack) {
        Visit::Next
    } else {
        Visit::Stop
    }
}

/// The directories above a walk's root, with their device and inode:
/// with -L a link to one of them is a loop (the target holds the root),
/// which walkdir, knowing only the directories it entered, would follow
/// once before seeing the root again.
fn ancestors_above(root: &Path) -> Vec<(u64, u64, PathBuf)> {
    use std::os::unix::fs::MetadataExt;
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    root.ancestors()
        .skip(1)
        .filter_map(|dir| {
            let meta = std::fs::metadata(dir).ok()?;
            Some((meta.dev(), meta.ino(), dir.to_path_buf()))
        })
        .collect()
}

/// The directory above the root that `entry`, a followed link, leads to.
fn links_above_root<'a>(
    entry: &walkdir::DirEntry,
    above_root: &'a [(u64, u64, PathBuf)],
) -> Option<&'a Path> {
    use std::os::unix::fs::MetadataExt;
    if above_root.is_empty() || !entry.path_is_symlink() || !entry.file_type().is_dir() {
        return None;
    }
    let meta = entry.metadata().ok()?;
    above_root
        .iter()
        .find(|(dev, ino, _)| (*dev, *ino) == (meta.dev(), meta.ino()))
        .map(|(_, _, dir)| dir.as_path())
}

fn loop_message(path: &Path, ancestor: &Path) -> String {
    format!(
        "File system loop found: {} points to an ancestor {}",
        path.display(),
        ancestor.display()
    )
}

/// Paths in these messages keep their `./` (`./locked: Permission
/// denied`), as ripgrep prints them, even where results drop it.
fn report_walk_error(error: &walkdir::Error, opts: &WalkOptions) {
    let message = if let Some(ancestor) = error.loop_ancestor() {
        loop_message(error.path().unwrap_or(Path::new("")), ancestor)
    } else {
        match (error.path(), error.io_error()) {
            (Some(path), Some(io_error)) => format!("{}: {io_error}", path.display()),
            _ => error.to_string(),
        }
    };
    report_walk_message(message, false, opts);
}

/// Prints a message about the walk, or with -q holds it (see
/// `WalkOptions::deferred_errors`; `always`: printed even after a match).
fn report_walk_message(message: String, always: bool, opts: &WalkOptions) {
    match &opts.deferred_errors {
        Some(held) => held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((message, always)),
        None => file_error(format_args!("{message}")),
    }
}
