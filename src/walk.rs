//! Stage 1: the walk. Turns the paths on the command line into a
//! deterministic sequence of haystacks: directories are walked depth
//! first, entries sorted by file name, and `rules` prune what must not be
//! searched (a pruned directory is never descended into).
//!
//! Listing a directory (reading and sorting it, loading its ignore files,
//! applying the rules to its entries, following links) is a job
//! (`Lister::list`) that the listing threads run ahead of the walker, in
//! walk order, on every core; the walker thread sequences (`ahead`): it
//! takes each listing in its turn and hands on its files and messages,
//! so the order is the same at every thread count, and lists a directory
//! itself where no listing thread has (one fewer runs than the workers:
//! `listers`; all of `WALK_OPEN_DIRS` once listings wait on the disk:
//! `Boost`). With -j1 the walker lists every directory itself. Walk messages (unreadable directories,
//! loops, bad ignore files) are steps of the listings, so they keep their
//! place, and with -q they are held in order.

pub mod ahead;

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::messages::{self, file_error};
use crate::rules::{strip_dot_slash, IgnoreStack, Rules, Seen, Stored, Verdict};
use ahead::{Ahead, Step};

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

/// What `--sort`/`--sortr` order files by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Path,
    Modified,
    Accessed,
    Created,
}

/// Directory handles the walk may keep open: the walker's and one per
/// listing thread (a listing holds one directory open while it reads it).
pub const WALK_OPEN_DIRS: usize = 8;

/// Listing threads for a search with `threads` workers: none at -j1;
/// else one fewer than the workers, the walker listing too, within
/// `WALK_OPEN_DIRS` with the walker's. One per worker kept three threads
/// listing on two cores where the search is cheap: at -j2 (linux tree,
/// medians of 15, two batches) one lister took `-g '*.rs' -l fn` from
/// 54.4/48.8 ms to 48.0/43.7 ms (0.88x/0.90x), `-t rust -l unsafe`
/// 0.88x/0.83x, with the index `-g '*.rs' -l fn` 0.91x/0.86x; searches
/// of every file moved within 2%; `--files`, whose printer is a third
/// busy thread, went 1.07x/1.16x (still 0.70-0.74x of rg).
pub fn listers(threads: usize) -> usize {
    match threads {
        0 | 1 => 0,
        _ => (threads - 1).min(WALK_OPEN_DIRS - 1),
    }
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
    /// Threads listing directories besides the walker (none: the walker
    /// lists every directory itself, one thread in all).
    pub listers: usize,
    /// Where directory listings may come from instead of a readdir (the
    /// index), or where a build records them.
    pub listings: Option<Arc<dyn Listings>>,
}

/// Answers a directory's readdir (`read_sorted`) from elsewhere, an
/// index that vouches for it, with exactly what the read would return.
pub trait Listings: Send + Sync + std::fmt::Debug {
    /// `dir`'s entries as `read` returns them (sorted by name; None if the
    /// directory cannot be opened), either from the store or by calling
    /// `read`, whose `bool` says the read met no error.
    fn list(
        &self,
        dir: &Path,
        read: &mut dyn FnMut() -> (Option<Entries>, bool),
    ) -> Option<Entries>;

    /// Whether a walked file, which the rules let through, need not be
    /// read at all: the store vouches that it cannot match. `dir` is the
    /// directory being listed, for lookups of `name` relative to it.
    fn skips(&self, _dir: &mut DirHandle, _path: &Path, _name: &std::ffi::OsStr) -> bool {
        false
    }

    /// Whether `record_verdicts` wants every listing's verdicts.
    fn wants_verdicts(&self) -> bool {
        false
    }

    /// The ignore files' verdict (`Verdict::code`) of each entry of the
    /// listing of `dir`, in its order, for the stack `fingerprint`.
    fn record_verdicts(&self, _dir: &Path, _fingerprint: u64, _codes: Vec<u8>) {}

    /// A listing's stored verdicts held for its stack and were used
    /// (`appended`: for the stack before lines were added to an ignore
    /// file, `IgnoreStack::appended_since`).
    fn verdicts_used(&self, _appended: bool) {}
}

/// The directory a listing job lists, opened (`O_PATH`, no read access
/// needed) the first time an entry is looked up through it: a `fstatat`
/// of a name in it skips resolving the whole path again, which was most
/// of the cost of a `stat` per file (perf, an indexed search of the linux
/// tree: path lookup 20% of 27%). A listing thread holds one at a time.
pub struct DirHandle<'a> {
    path: &'a Path,
    fd: Option<Option<std::os::fd::OwnedFd>>,
}

impl DirHandle<'_> {
    fn new(path: &Path) -> DirHandle<'_> {
        DirHandle { path, fd: None }
    }

    /// The directory's descriptor, None if it cannot be opened (the
    /// caller then uses the whole path).
    pub fn fd(&mut self) -> Option<std::os::fd::BorrowedFd<'_>> {
        use std::os::fd::AsFd;
        let path = self.path;
        self.fd
            .get_or_insert_with(|| open_dir_path(path))
            .as_ref()
            .map(|fd| fd.as_fd())
    }
}

/// The directory at `path` opened `O_PATH` (for `fstatat` of its names:
/// no read access needed), or None if it cannot be.
pub fn open_dir_path(path: &Path) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: a NUL-terminated path; the descriptor returned is owned by
    // the caller and closed when dropped.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    // SAFETY: a descriptor just opened, owned by nobody else.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
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
    if key == SortKey::Path && !descending {
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

/// How far the listing threads may run ahead of the walker: listings
/// running or waiting, and their bytes (a listing holds its filtered
/// entries' paths, about 100 bytes each: the linux tree's directories
/// average 1.5 KB). On 100,000 files in 100 directories (-j4) peak RSS
/// was 10.6-11.0 MB with 64 KiB of look-ahead and 12.2 MB with 1 MiB, a
/// small price within the 64 MiB bound: with 64 KiB the helpers stalled
/// behind big directories (linux tree, -j2, quiet, medians of 9: `--files`
/// 118 -> 110 ms, `-g '*.rs' -l fn` 101 -> 90 ms, `--files -g '*.h'` 92 ->
/// 79 ms with 1 MiB and 256 listings).
const LOOK_AHEAD: ahead::Limits = ahead::Limits {
    listings: 256,
    bytes: 1 << 20,
};

fn walk_by_name(
    paths: &[SearchPath],
    rules: &Rules,
    opts: &WalkOptions,
    emit: &mut dyn FnMut(Haystack) -> bool,
) {
    let ahead = Ahead::new(LOOK_AHEAD);
    let lister = Lister { rules, opts };
    let boost = Boost::new(opts.listers);
    std::thread::scope(|scope| {
        // Helpers end when the walk ends, stopped, finished or panicking.
        struct Close<'a>(&'a Ahead<Key, DirJob, Listing>);
        impl Drop for Close<'_> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let _close = Close(&ahead);
        for i in 0..opts.listers {
            // Too few threads: the walker lists what no helper does.
            if !spawn_lister(scope, i, &ahead, &lister, &boost) {
                break;
            }
        }
        walk_paths(paths, opts, &ahead, &lister, emit);
    });
}

/// Starts listing thread `number`; false if the system has no thread to
/// give.
fn spawn_lister<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    number: usize,
    ahead: &'scope Ahead<Key, DirJob, Listing>,
    lister: &'scope Lister,
    boost: &'scope Boost,
) -> bool {
    std::thread::Builder::new()
        .name(format!("trawl-lister-{number}"))
        .spawn_scoped(scope, move || {
            ahead.help(&mut |job| {
                let started = std::time::Instant::now();
                let listed = lister.list(job);
                if let Some(more) = boost.after_job(started).filter(|_| !ahead.is_closed()) {
                    messages::debug(format_args!(
                        "the walk waits on the disk: {} more listing threads",
                        more.len()
                    ));
                    for number in more {
                        if !spawn_lister(scope, number, ahead, lister, boost) {
                            break;
                        }
                    }
                }
                listed
            })
        })
        .is_ok()
}

/// Listing threads added when listings wait on the disk (a cold page
/// cache), up to `WALK_OPEN_DIRS` in all: then a thread spends its time
/// blocked in a `stat` or a `readdir`, and more of them keep more reads
/// in flight. An indexed `-n PM_RESUME` on the linux corpus with the page
/// cache dropped: 0.55-0.57 s at -j2 (one listing thread), 0.39 s with
/// seven (rg: 5.7 s); with a warm cache the added threads would only
/// contend for the two cores (+9% measured), so they start only once
/// `SLOW_JOBS` jobs have read from the disk.
struct Boost {
    /// The numbers of the threads still to add (none once added).
    more: Mutex<std::ops::Range<usize>>,
    slow_jobs: std::sync::atomic::AtomicUsize,
}

/// A job that took this long asks whether its thread read from the disk.
const SLOW_JOB: std::time::Duration = std::time::Duration::from_micros(500);
const SLOW_JOBS: usize = 4;
/// What a thread must have read since it last asked, in `ru_inblock`'s
/// 512-byte units: 32 KiB. A job preempted on a busy machine can take
/// 500 us on a warm cache, and its thread may have read a page or two
/// (a cold ignore file, its own code) since it last asked; a cold
/// listing reads inode tables 128 KiB at a time, directories a block
/// each, many since the last ask.
const SLOW_JOB_BLOCKS: libc::c_long = 64;

impl Boost {
    fn new(listers: usize) -> Boost {
        let all = match listers {
            // -j1 stays one thread.
            0 => 0,
            _ => WALK_OPEN_DIRS - 1,
        };
        Boost {
            more: Mutex::new(listers..all.max(listers)),
            slow_jobs: Default::default(),
        }
    }

    /// After a job that began at `started`: the threads to add now, if
    /// this is the job that makes the walk one that waits on the disk.
    fn after_job(&self, started: std::time::Instant) -> Option<std::ops::Range<usize>> {
        use std::sync::atomic::Ordering::Relaxed;
        let waited =
            crate::test_hooks::disk_wait() || (started.elapsed() >= SLOW_JOB && read_from_disk());
        if !waited || self.slow_jobs.fetch_add(1, Relaxed) + 1 != SLOW_JOBS {
            return None;
        }
        let mut more = self.more.lock().unwrap_or_else(|e| e.into_inner());
        Some(std::mem::replace(&mut *more, 0..0)).filter(|more| !more.is_empty())
    }
}

/// Whether this thread has read `SLOW_JOB_BLOCKS` from a disk since it
/// last asked. Reads the kernel does not count per thread (NFS, FUSE,
/// 9p and other file systems without a block device) are not seen: the
/// walk keeps its listing threads there.
fn read_from_disk() -> bool {
    thread_local! {
        static BLOCKS: std::cell::Cell<libc::c_long> = const { std::cell::Cell::new(0) };
    }
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: filled by the successful call.
    let blocks = unsafe { usage.assume_init() }.ru_inblock;
    let before = BLOCKS.replace(blocks);
    blocks - before >= SLOW_JOB_BLOCKS
}

fn walk_paths(
    paths: &[SearchPath],
    opts: &WalkOptions,
    ahead: &Ahead<Key, DirJob, Listing>,
    lister: &Lister,
    emit: &mut dyn FnMut(Haystack) -> bool,
) {
    for (n, path) in paths.iter().enumerate() {
        let go_on = match path {
            SearchPath::Stdin => emit(Haystack {
                source: Source::Stdin,
                explicit: true,
                strip_dot: false,
            }),
            SearchPath::Given(path) => walk_path(path, false, n, ahead, lister, emit),
            SearchPath::ImplicitCwd => walk_path(Path::new("./"), true, n, ahead, lister, emit),
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

/// Walks the `n`th path of the command line, in order.
fn walk_path(
    root: &Path,
    strip_dot: bool,
    n: usize,
    ahead: &Ahead<Key, DirJob, Listing>,
    lister: &Lister,
    emit: &mut dyn FnMut(Haystack) -> bool,
) -> bool {
    use std::os::unix::fs::MetadataExt;
    let opts = lister.opts;
    let device = match std::fs::metadata(root) {
        // Named explicitly: searched whatever it is (file, FIFO, device).
        Ok(meta) if !meta.is_dir() => {
            return emit(Haystack {
                source: Source::Path(root.to_path_buf()),
                explicit: true,
                strip_dot: false,
            });
        }
        Ok(meta) => meta.dev(),
        Err(error) => {
            report_root_error(root, &error, opts);
            return true;
        }
    };
    let stack = IgnoreStack::new(root, &lister.rules.ignore);
    if opts.max_depth == Some(0) {
        return true;
    }
    let above_root = match opts.follow_links {
        true => ancestors_above(root),
        false => Vec::new(),
    };
    let job = DirJob {
        key: vec![n as u32],
        path: root.to_path_buf(),
        depth: 0,
        stack,
        loaded: true,
        ancestors: None,
        root: Arc::new(RootInfo { above_root, device }),
    };
    let root = (job.key.clone(), job);
    ahead.in_order(
        root,
        &mut |job| lister.list(job),
        &mut |walked| match walked {
            Walked::File(path) => emit(Haystack {
                source: Source::Path(path),
                explicit: false,
                strip_dot,
            }),
            Walked::Error(message) => {
                report_walk_message(message, false, opts);
                true
            }
            Walked::Note(text) => {
                messages::pass_on(&text);
                true
            }
        },
    )
}

/// A directory's place in the walk: its parent's key and its index among
/// the parent's entries. Keys compare in depth-first pre-order.
type Key = Vec<u32>;

/// A directory to list, with all its listing depends on.
pub struct DirJob {
    key: Key,
    path: PathBuf,
    /// The walk root is at depth 0.
    depth: usize,
    /// The ignore levels of its ancestors (and its own, if `loaded`: the
    /// root's are read before the walk starts).
    stack: IgnoreStack,
    loaded: bool,
    /// With -L: its parent and the parent's ancestors, for loop checks.
    ancestors: Option<Arc<Ancestor>>,
    root: Arc<RootInfo>,
}

/// What a walk's jobs share about its root.
struct RootInfo {
    /// With -L: the directories above the root (`ancestors_above`).
    above_root: Vec<(u64, u64, PathBuf)>,
    /// The root's device, for --one-file-system.
    device: u64,
}

/// A directory from the root down to the one listed, identified as
/// walkdir identifies loops (device and inode of the target).
struct Ancestor {
    dev: u64,
    ino: u64,
    path: PathBuf,
    parent: Option<Arc<Ancestor>>,
}

/// What a listing hands the walker, in order.
pub enum Walked {
    /// A file to search.
    File(PathBuf),
    /// An error about the walk (printed, or held with -q).
    Error(String),
    /// Messages (warnings, --debug, --trace) made while listing.
    Note(Vec<u8>),
}

/// One directory's entries, filtered, as steps of the walk.
#[derive(Default)]
pub struct Listing {
    steps: Vec<Step<Walked, Key>>,
    bytes: usize,
}

impl Listing {
    fn push(&mut self, step: Step<Walked, Key>) {
        // What it holds on the heap, with the allocator's overhead.
        const MALLOC: usize = 16;
        self.bytes += std::mem::size_of_val(&step)
            + MALLOC
            + match &step {
                Step::Leaf(Walked::File(path)) => path.capacity(),
                Step::Leaf(Walked::Error(text)) => text.capacity(),
                Step::Leaf(Walked::Note(text)) => text.capacity(),
                Step::Descend(key) => key.capacity() * 4,
            };
        self.steps.push(step);
    }

    fn error(&mut self, message: String) {
        self.push(Step::Leaf(Walked::Error(message)));
    }

    fn note(&mut self, text: Vec<u8>) {
        if !text.is_empty() {
            self.push(Step::Leaf(Walked::Note(text)));
        }
    }
}

impl crate::pool::Weigh for Listing {
    fn weight(&self) -> usize {
        self.bytes
    }
}

impl IntoIterator for Listing {
    type Item = Step<Walked, Key>;
    type IntoIter = std::vec::IntoIter<Step<Walked, Key>>;

    fn into_iter(self) -> Self::IntoIter {
        self.steps.into_iter()
    }
}

/// A directory's entries as read, sorted by name. The names share one
/// buffer: a listing allocates a few times whatever its size, and an
/// entry the rules reject costs no allocation at all (a path per entry,
/// allocated on a listing thread and freed on another, made malloc's
/// arena locks the walk's main point of contention).
#[derive(Debug, Default)]
pub struct Entries {
    names: Vec<u8>,
    entries: Vec<Entry>,
    /// From an index: the ignore files' verdict per entry (`Verdict::code`)
    /// and the fingerprint they hold for (`Rules::ignore_fingerprint`).
    verdicts: Option<(u64, Vec<u8>)>,
    /// From an index, for a listing read from the directory: the
    /// fingerprint its stored verdicts were for (`IgnoreStack::appended_since`).
    stored_fingerprint: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
    file_type: EntryType,
    /// The entry's inode number.
    ino: u64,
}

thread_local! {
    /// The buffers of this thread's last listing, for its next one.
    static SPARE: std::cell::Cell<Entries> = std::cell::Cell::new(Entries::default());
}

impl Entries {
    /// An empty listing, with the buffers of the last one this thread
    /// recycled: growing fresh buffers for every directory cost more than
    /// the path per entry the shared buffer saved (linux tree, `--files`,
    /// quiet, medians of 15: 126 -> 140 ms).
    pub fn new() -> Entries {
        let mut spare = SPARE.take();
        spare.names.clear();
        spare.entries.clear();
        spare.verdicts = None;
        spare.stored_fingerprint = None;
        spare
    }

    /// The ignore files' verdicts of the entries, one code each, valid
    /// for the stack whose fingerprint is `fingerprint`.
    pub fn set_verdicts(&mut self, fingerprint: u64, codes: Vec<u8>) {
        self.verdicts = Some((fingerprint, codes));
    }

    /// The fingerprint an index stored verdicts for, for a listing read
    /// afresh: its entries get none, but a change to an ignore file can be
    /// known by it (`IgnoreStack::appended_since`) for those below.
    pub fn set_stored_fingerprint(&mut self, fingerprint: u64) {
        self.stored_fingerprint = Some(fingerprint);
    }

    /// Gives the buffers back to this thread for its next listing, unless
    /// a huge directory made them big: memory stays that of the listings
    /// under way.
    fn recycle(self) {
        const KEEP: usize = 1 << 20;
        let size = self.names.capacity() + self.entries.capacity() * size_of::<Entry>();
        if size <= KEEP {
            SPARE.set(self);
        }
    }

    /// Adds an entry; `sort` orders them.
    pub fn push(&mut self, name: &[u8], file_type: EntryType, ino: u64) {
        let start = self.names.len();
        self.names.extend_from_slice(name);
        self.entries.push(Entry {
            start,
            end: self.names.len(),
            file_type,
            ino,
        });
    }

    fn sort(&mut self) {
        let names = &self.names;
        self.entries
            .sort_unstable_by(|a, b| names[a.start..a.end].cmp(&names[b.start..b.end]));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Name, type and inode number of each entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], EntryType, u64)> + '_ {
        self.entries
            .iter()
            .map(|e| (&self.names[e.start..e.end], e.file_type, e.ino))
    }
}

/// What a directory entry is: its readdir type (a `stat` where the file
/// system gives none), or with -L a followed link's target's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device: never searched by a walk.
    Other,
}

impl EntryType {
    pub fn of(file_type: std::fs::FileType) -> EntryType {
        if file_type.is_file() {
            EntryType::File
        } else if file_type.is_dir() {
            EntryType::Dir
        } else if file_type.is_symlink() {
            EntryType::Symlink
        } else {
            EntryType::Other
        }
    }

    /// None for `DT_UNKNOWN`.
    fn of_dirent(file_type: rustix::fs::FileType) -> Option<EntryType> {
        use rustix::fs::FileType as T;
        Some(match file_type {
            T::RegularFile => EntryType::File,
            T::Directory => EntryType::Dir,
            T::Symlink => EntryType::Symlink,
            T::Unknown => return None,
            _ => EntryType::Other,
        })
    }

    pub fn is_file(self) -> bool {
        self == EntryType::File
    }

    pub fn is_dir(self) -> bool {
        self == EntryType::Dir
    }

    pub fn is_symlink(self) -> bool {
        self == EntryType::Symlink
    }
}

/// An entry past walkdir's checks: links followed (with -L), loops and
/// other file systems found.
struct Checked {
    /// The target's type for a followed link.
    file_type: EntryType,
    /// A followed link's target's metadata.
    target: Option<std::fs::Metadata>,
    /// The inode number of the entry (of the target, if followed).
    ino: u64,
    /// False for a directory on another file system (--one-file-system).
    descend: bool,
}

/// Lists directories: the work of the walk, done on any thread.
struct Lister<'a> {
    rules: &'a Rules,
    opts: &'a WalkOptions,
}

impl Lister<'_> {
    /// Lists one directory: reads and sorts its entries, loads its ignore
    /// files, applies the rules, globs, types and size limit to each
    /// entry, and follows links (-L) with loop checks. Returns the steps
    /// of the walk through it (files, messages, subdirectories in name
    /// order) and the jobs listing its subdirectories. It depends only on
    /// the job, so an index may answer it instead (for a directory it
    /// knows unchanged), as long as the steps are the same.
    fn list(&self, job: DirJob) -> (Listing, Vec<(Key, DirJob)>) {
        let mut out = Listing::default();
        let mut jobs = Vec::new();
        let this = match self.opts.follow_links {
            true => ancestor(&job),
            false => None,
        };
        crate::test_hooks::vanish(&job.path);
        crate::test_hooks::list_delay();
        let Some(mut entries) = self.read(&job.path, &mut out) else {
            return (out, jobs);
        };
        // The directory's ignore files are known from its listing. As the
        // walk always did, their messages come after the entries' errors
        // and loops up to the first entry that is a directory or named
        // after every ignore file; files before it wait for the level.
        let (mut stack, mut level_notes) = match job.loaded {
            true => (job.stack.clone(), None),
            false => {
                let mut seen = Seen::default();
                for (name, _, _) in entries.iter() {
                    seen.note(std::ffi::OsStr::from_bytes(name));
                }
                let ignore = &self.rules.ignore;
                let (stack, notes) =
                    messages::collect(|| job.stack.child(&job.path, Some(&seen), ignore));
                (stack, Some(notes))
            }
        };
        // Each entry's path, built in place: only the entries let through
        // are copied out.
        let mut path = job.path.as_os_str().as_bytes().to_vec();
        if !path.is_empty() && !path.ends_with(b"/") {
            path.push(b'/');
        }
        let base = path.len();
        let fingerprint = self.rules.ignore_fingerprint(&stack);
        let stored = self.verdicts(&job, &mut entries, &mut stack, fingerprint, &mut path);
        let mut dir = Dir {
            job: &job,
            stack: &stack,
            ancestors: this,
            out: &mut out,
            jobs: &mut jobs,
            handle: DirHandle::new(&job.path),
            stored,
        };
        let mut waiting = Vec::new();
        for (index, (name, file_type, ino)) in entries.iter().enumerate() {
            path.truncate(base);
            path.extend_from_slice(name);
            let path = Path::new(std::ffi::OsStr::from_bytes(&path));
            let Some(entry) = self.check(path, file_type, ino, &mut dir) else {
                continue;
            };
            if level_notes.is_some() && !entry.file_type.is_dir() && name <= LAST_IGNORE_NAME {
                waiting.push((index, path.to_path_buf(), entry));
                continue;
            }
            if let Some(notes) = level_notes.take() {
                dir.out.note(notes);
                for (index, path, entry) in waiting.drain(..) {
                    self.visit(index, &path, entry, &mut dir);
                }
            }
            self.visit(index, path, entry, &mut dir);
        }
        if let Some(notes) = level_notes.take() {
            dir.out.note(notes);
            for (index, path, entry) in waiting.drain(..) {
                self.visit(index, &path, entry, &mut dir);
            }
        }
        entries.recycle();
        (out, jobs)
    }

    /// The ignore files' verdicts of `entries` stored with an index's
    /// listing, if they hold for `stack`, or for it as it was before
    /// lines were added to one of its ignore files (then true, and
    /// `stack` knows that change for the directories below). For an
    /// index being built, every entry's verdict is computed and recorded.
    fn verdicts(
        &self,
        job: &DirJob,
        entries: &mut Entries,
        stack: &mut IgnoreStack,
        fingerprint: u64,
        path: &mut Vec<u8>,
    ) -> Option<(Vec<u8>, bool)> {
        let listings = self.opts.listings.as_ref()?;
        if listings.wants_verdicts() {
            let base = path.len();
            let codes = entries
                .iter()
                .map(|(name, file_type, _)| {
                    path.truncate(base);
                    path.extend_from_slice(name);
                    let path = Path::new(std::ffi::OsStr::from_bytes(path));
                    let is_dir = file_type.is_dir();
                    self.rules.verdict(stack, path, is_dir).code(is_dir)
                })
                .collect();
            path.truncate(base);
            listings.record_verdicts(&job.path, fingerprint, codes);
        }
        let is_stored = |stored: u64| move |raw: u64| self.rules.fingerprint_of(raw) == stored;
        let Some((stored, codes)) = entries.verdicts.take() else {
            if let Some(stored) = entries.stored_fingerprint.filter(|&f| f != fingerprint) {
                // Known for the listings below.
                stack.appended_since(is_stored(stored));
            }
            return None;
        };
        if codes.len() != entries.len() {
            return None;
        }
        let appended = match stored == fingerprint {
            true => false,
            false if stack.appended_since(is_stored(stored)) => true,
            false => return None,
        };
        listings.verdicts_used(appended);
        Some((codes, appended))
    }

    /// `read_sorted`, or what `opts.listings` answers in its place.
    fn read(&self, dir: &Path, out: &mut Listing) -> Option<Entries> {
        let Some(listings) = &self.opts.listings else {
            return read_sorted(dir, out);
        };
        listings.list(dir, &mut || {
            let errors = out.steps.len();
            let found = read_sorted(dir, out);
            (found, out.steps.len() == errors)
        })
    }

    /// walkdir's checks, in its order: a link is followed (a broken one
    /// is an error), a followed directory that is an ancestor is a loop,
    /// a directory's device is compared with the root's; then trawl's
    /// own check for links to the directories above the root, before any
    /// rule (as the ignore crate 0.4.35 checks: a -g that excludes the
    /// link does not hide the loop; rg 15.2.0 follows the link once, see
    /// the README). That last check is skipped at --max-depth, where the
    /// link is never listed (rg: `-L --max-depth 1` beside a link to `/`
    /// is no error), while walkdir's stays (rg reports `self -> .` there).
    fn check(
        &self,
        path: &Path,
        mut file_type: EntryType,
        mut ino: u64,
        dir: &mut Dir,
    ) -> Option<Checked> {
        use std::os::unix::fs::MetadataExt;
        let at_limit = self
            .opts
            .max_depth
            .is_some_and(|max| dir.job.depth + 1 >= max);
        let link = file_type.is_symlink();
        let mut target = None;
        if self.opts.follow_links && link {
            let meta = match std::fs::metadata(path) {
                Ok(meta) => meta,
                Err(error) => {
                    dir.out.error(format!("{}: {error}", path.display()));
                    return None;
                }
            };
            file_type = EntryType::of(meta.file_type());
            if file_type.is_dir() {
                // walkdir opens the directory to identify it.
                let opened = std::fs::File::open(path).and_then(|file| file.metadata());
                let id = match opened {
                    Ok(meta) => (meta.dev(), meta.ino()),
                    Err(error) => {
                        dir.out.error(error.to_string());
                        return None;
                    }
                };
                let mut ancestor = dir.ancestors.as_deref();
                while let Some(up) = ancestor {
                    if (up.dev, up.ino) == id {
                        dir.out.error(loop_message(path, &up.path));
                        return None;
                    }
                    ancestor = up.parent.as_deref();
                }
            }
            ino = meta.ino();
            target = Some(meta);
        }
        let mut descend = true;
        if self.opts.one_file_system && file_type.is_dir() {
            match std::fs::metadata(path) {
                Ok(meta) => descend = meta.dev() == dir.job.root.device,
                Err(error) => {
                    dir.out.error(format!("{}: {error}", path.display()));
                    return None;
                }
            }
        }
        if let (Some(meta), true, false) = (&target, file_type.is_dir(), at_limit) {
            let id = (meta.dev(), meta.ino());
            let above = &dir.job.root.above_root;
            if let Some((_, _, up)) = above.iter().find(|(dev, ino, _)| (*dev, *ino) == id) {
                dir.out.error(loop_message(path, up));
                return None;
            }
        }
        Some(Checked {
            file_type,
            target,
            ino,
            descend,
        })
    }

    /// Applies the rules to one entry: a file to search, a directory to
    /// list next, or nothing. With --debug, the messages saying why come
    /// before the entry's step, as the walk printed them.
    fn visit(&self, index: usize, path: &Path, entry: Checked, dir: &mut Dir) {
        if !messages::debug_enabled() {
            if let Some(step) = self.decide(index, path, entry, dir) {
                dir.out.push(step);
            }
            return;
        }
        let (step, notes) = messages::collect(|| self.decide(index, path, entry, dir));
        dir.out.note(notes);
        if let Some(step) = step {
            dir.out.push(step);
        }
    }

    fn decide(
        &self,
        index: usize,
        path: &Path,
        entry: Checked,
        dir: &mut Dir,
    ) -> Option<Step<Walked, Key>> {
        let is_dir = entry.file_type.is_dir();
        let name = file_name(path);
        messages::trace(format_args!("considering {}", path.display()));
        let stored = dir.stored.as_ref().and_then(|(codes, appended)| {
            let verdict = Verdict::decode(codes[index], is_dir)
                // --debug names the rule that ignores a path: ask the files.
                .filter(|v| *v != Verdict::Ignore || !messages::debug_enabled())?;
            Some(match appended {
                false => Stored::Exact(verdict),
                true => Stored::BeforeAppend(verdict),
            })
        });
        if let Err(reason) = self.rules.check(dir.stack, path, name, is_dir, stored) {
            messages::debug(format_args!("skipping {}: {reason}", path.display()));
            return None;
        }
        if is_dir {
            let depth = dir.job.depth + 1;
            // walkdir lists a directory only below --max-depth.
            if !entry.descend || self.opts.max_depth.is_some_and(|max| depth >= max) {
                return None;
            }
            let mut key = Vec::with_capacity(dir.job.key.len() + 1);
            key.extend_from_slice(&dir.job.key);
            key.push(index as u32);
            let job = DirJob {
                key: key.clone(),
                path: path.to_path_buf(),
                depth,
                stack: dir.stack.clone(),
                loaded: false,
                ancestors: dir.ancestors.clone(),
                root: Arc::clone(&dir.job.root),
            };
            dir.jobs.push((key.clone(), job));
            return Some(Step::Descend(key));
        }
        // Only regular files are searched in a walk: a FIFO or device could
        // block forever, and symlinks are only followed with -L.
        if !entry.file_type.is_file() {
            messages::debug(format_args!(
                "skipping {}: not a regular file",
                path.display()
            ));
            return None;
        }
        if self.rules.own_output.is(path, entry.ino) {
            messages::debug(format_args!("skipping {}: trawl's output", path.display()));
            return None;
        }
        if let Some(max) = self.opts.max_filesize {
            let len = match &entry.target {
                Some(meta) => Some(meta.len()),
                None => std::fs::symlink_metadata(path).ok().map(|meta| meta.len()),
            };
            if len.is_some_and(|len| len > max) {
                messages::debug(format_args!(
                    "skipping {}: larger than --max-filesize {max}",
                    path.display()
                ));
                return None;
            }
        }
        // Asked here, on the listing threads, rather than by the walker:
        // the stat and access checks of every file are most of an indexed
        // search, and here they run on every core.
        if let Some(listings) = &self.opts.listings {
            if listings.skips(&mut dir.handle, path, name) {
                return None;
            }
        }
        Some(Step::Leaf(Walked::File(path.to_path_buf())))
    }
}

/// The listing of one directory under way.
struct Dir<'a> {
    job: &'a DirJob,
    /// The ignore levels down to this directory's own.
    stack: &'a IgnoreStack,
    /// With -L: this directory and its ancestors.
    ancestors: Option<Arc<Ancestor>>,
    out: &'a mut Listing,
    jobs: &'a mut Vec<(Key, DirJob)>,
    /// The directory, for lookups of its entries by name.
    handle: DirHandle<'a>,
    /// The ignore files' verdict per entry, from an index (`Verdict::code`),
    /// and whether they were made before lines were added to an ignore
    /// file (`Lister::verdicts`).
    stored: Option<(Vec<u8>, bool)>,
}

/// The listed directory as an ancestor of its entries (with -L).
fn ancestor(job: &DirJob) -> Option<Arc<Ancestor>> {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(&job.path) {
        Ok(meta) => Some(Arc::new(Ancestor {
            dev: meta.dev(),
            ino: meta.ino(),
            path: job.path.clone(),
            parent: job.ancestors.clone(),
        })),
        Err(_) => job.ancestors.clone(),
    }
}

/// A directory's entries sorted by name (errors reading it go to `out`,
/// before the entries, as walkdir sorted them). None if it cannot be
/// opened. The handle is closed before the entries are looked at.
///
/// Read with `getdents` into a buffer each thread keeps: std's `ReadDir`
/// allocates a 32 KiB buffer per directory and a name per entry, and on
/// the listing threads those allocations contended for malloc's arena
/// locks (`-g '*.rs' -l fn`, linux tree, -j2: 1,712 context switches and
/// 239 ms CPU with std; see benches/README.md for the figures after).
fn read_sorted(dir: &Path, out: &mut Listing) -> Option<Entries> {
    use rustix::fs::{openat, statat, AtFlags, Mode, OFlags, RawDir, CWD};
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> =
            std::cell::RefCell::new(Vec::with_capacity(32 * 1024));
    }
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match openat(CWD, dir, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(errno) => {
            out.error(format!(
                "{}: {}",
                dir.display(),
                std::io::Error::from(errno)
            ));
            return None;
        }
    };
    let mut found = Entries::new();
    BUFFER.with_borrow_mut(|buffer| {
        let mut entries = RawDir::new(&fd, buffer.spare_capacity_mut());
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(errno) => {
                    // As std's `ReadDir`: an error ends the listing.
                    out.error(std::io::Error::from(errno).to_string());
                    break;
                }
            };
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let file_type = match EntryType::of_dirent(entry.file_type()) {
                Some(file_type) => file_type,
                None => match statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(stat) => {
                        EntryType::of_dirent(rustix::fs::FileType::from_raw_mode(stat.st_mode))
                            .unwrap_or(EntryType::Other)
                    }
                    Err(errno) => {
                        let path = dir.join(std::ffi::OsStr::from_bytes(name));
                        let error = std::io::Error::from(errno);
                        out.error(format!("{}: {error}", path.display()));
                        continue;
                    }
                },
            };
            found.push(name, file_type, entry.ino());
        }
    });
    drop(fd);
    found.sort();
    Some(found)
}

/// The last component of a walked path (which never ends in `/`).
fn file_name(path: &Path) -> &std::ffi::OsStr {
    let bytes = path.as_os_str().as_bytes();
    let start = memchr::memrchr(b'/', bytes).map_or(0, |slash| slash + 1);
    std::ffi::OsStr::from_bytes(&bytes[start..])
}

/// The greatest name of a file that ignore rules come from (bytewise).
const LAST_IGNORE_NAME: &[u8] = b".trawlignore";

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

fn loop_message(path: &Path, ancestor: &Path) -> String {
    format!(
        "File system loop found: {} points to an ancestor {}",
        path.display(),
        ancestor.display()
    )
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
