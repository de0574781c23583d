//! `--build-index`: walks each tree as a search would, reads the files
//! whose metadata changed since the last build (all, the first time),
//! and writes the index to a temporary file renamed over the old one, so
//! readers never see half an index and an interrupted build leaves the
//! previous one. A lock file keeps two builders of one root apart.
//!
//! The walk's listings are recorded as it reads them (`Recorder`), each
//! with the directory's `stat` from before the read; a refresh takes an
//! unchanged directory's listing from the old index, as a search does.
//!
//! A refresh first decides from each file's `stat` which files must be
//! read again. Workers read files and extract trigram sets; the
//! collector takes their results in file-number order (path order, so
//! the same tree gives the same bytes for any -j) through a window of
//! `WINDOW` files, which bounds memory to the posting lists plus that
//! window.
//!
//! A refresh that reads few files (`delta_limit`: with those its old
//! delta carries and the listings it would hold, at most 1/32 of the
//! index's files or 1024) leaves the index
//! as it is and writes a delta beside it (`super::Stored`): the files
//! read again or carried, and the listings not as the index stores them.
//! Writing the whole index again was most of a refresh of the linux
//! corpus (159 MB: 0.63 s after 10 edits against 0.19-0.24 s with a
//! delta). Any other refresh writes a whole index, splicing the old
//! posting lists byte for byte (`Renumber`) with the files read and
//! carried: its index is the one a fresh build would write, and the
//! delta is removed.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use super::format::{
    encode_delta, file_numbers, split_list, DirListing, Entry, Index, Kind, Meta, Verdicts, Writer,
    FLAG_BOM, FLAG_DENSE, FLAG_UNSTABLE,
};
use super::plan;
use super::{
    cache_dir, check_owner, credentials, delta_file, fs_magic, index_file, is_delta_of, open_delta,
    racy, racy_window_ns, readable, stored_listing, trusted_fs, Stored,
};
use crate::messages::{self, err};
use crate::walk::{self, Entries, Listings, SearchPath, Source};

/// The most distinct trigrams kept for one file (1/16 of them all). The
/// largest source file of the linux tree has 7,669 (24 MB of register
/// definitions); a 32 MB random file has 14 million, and six of them
/// took a build to 1.6 GB of memory, to no use (their trigrams match
/// nearly any query's). Reading one stops there (`FLAG_DENSE`).
const MAX_FILE_TRIGRAMS: usize = 1 << 20;

/// Files read ahead of the collector, and the bytes of their trigram
/// sets (the file it waits for is read whatever they hold). 64 files
/// kept the readers waiting behind a big file: -13% build time with
/// 1024 (linux corpus, medians of 5: 3.79 -> 3.30 s; peak RSS 348 ->
/// 368 MB).
const WINDOW: usize = 1024;
const WINDOW_BYTES: usize = 64 << 20;

/// What a build reads of the command line (filled in by `run::Config`).
pub struct Options<'a> {
    pub paths: &'a [SearchPath],
    pub rules: &'a crate::rules::Rules,
    pub walk: &'a mut walk::WalkOptions,
    pub threads: usize,
}

/// Builds or refreshes the index of each path; the exit code.
pub fn run(config: &mut Options) -> i32 {
    let dir = match prepare_dir() {
        Ok(dir) => dir,
        Err(message) => {
            err!("{message}");
            return 2;
        }
    };
    for path in config.paths {
        let given = match path {
            SearchPath::Given(p) => p.clone(),
            SearchPath::ImplicitCwd => PathBuf::from("."),
            SearchPath::Stdin => {
                err!("--build-index: stdin cannot be indexed");
                continue;
            }
        };
        if let Err(message) = build_root(config, &dir, &given) {
            err!("{message}");
        }
    }
    if messages::errored() {
        2
    } else {
        0
    }
}

/// The cache directory, created 0700, and ours.
fn prepare_dir() -> Result<PathBuf, String> {
    let dir = cache_dir().ok_or("--build-index: neither XDG_CACHE_HOME nor HOME is set")?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| format!("cannot create the index directory {}: {e}", dir.display()))?;
    let meta = std::fs::metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    check_owner(&dir, &meta).map_err(|e| format!("refusing to write an index: {e}"))?;
    Ok(dir)
}

/// The prefix of the temporary files a build of `target` writes before
/// renaming one over it.
fn temp_prefix(target: &Path) -> String {
    let stem = target.file_stem().unwrap_or_default().to_string_lossy();
    format!(".tmp-{stem}-")
}

/// Removes the temporary files of builds of `target` that were killed
/// before their rename (SIGTERM, SIGKILL, a crash: up to an index's size
/// each). The lock is held, so no other build of it is writing one.
fn remove_stale_temps(dir: &Path, target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().as_bytes().starts_with(prefix.as_bytes()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

fn build_root(config: &mut Options, dir: &Path, given: &Path) -> Result<(), String> {
    let started = Instant::now();
    let root = given
        .canonicalize()
        .map_err(|e| format!("{}: {e}", given.display()))?;
    if !root.is_dir() {
        return Err(format!(
            "{}: not a directory (--build-index indexes directory trees)",
            given.display()
        ));
    }
    let target = index_file(dir, &root);
    let root_bytes = root.as_os_str().as_bytes();
    let lock = lock(&target.with_extension("lock"))?;
    remove_stale_temps(dir, &target);
    let old = match Index::open(&target, root_bytes) {
        Ok(base) => {
            // A delta not used: its files are read again.
            let path = delta_file(dir, &root, base.header_crc);
            let delta = open_delta(&base, &root, &path, |path| {
                Index::open(path, root_bytes).map_err(|e| e.to_string())
            });
            Some(Arc::new(Stored { base, delta }))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            messages::warning(format_args!(
                "rebuilding the index of {} from scratch: {e}",
                root.display()
            ));
            None
        }
    };
    let build_start = now_ns();
    let racy_ns = racy_window_ns();
    let mut files: Vec<(Vec<u8>, PathBuf)> = Vec::new();
    let given_bytes = given.as_os_str().as_bytes();
    let recorder = Arc::new(Recorder {
        given: given_bytes.to_vec(),
        old: old.clone(),
        racy_ns,
        trust: Mutex::new(HashMap::new()),
        dirs: Mutex::new(Vec::new()),
        verdicts: Mutex::new(HashMap::new()),
        reused: AtomicUsize::new(0),
    });
    config.walk.listings = Some(recorder.clone());
    walk::walk(
        &[SearchPath::Given(given.to_path_buf())],
        config.rules,
        config.walk,
        &mut |haystack| {
            if let Source::Path(path) = haystack.source {
                if let Some(rest) = path.as_os_str().as_bytes().strip_prefix(given_bytes) {
                    let key = super::trim_slashes(rest).to_vec();
                    if !key.is_empty() {
                        files.push((key, path));
                    }
                }
            }
            true
        },
    );
    config.walk.listings = None;
    let reused = recorder.reused.load(Ordering::Relaxed);
    let mut dirs = std::mem::take(&mut *recorder.dirs.lock().unwrap_or_else(|e| e.into_inner()));
    dirs.sort_by(|a, b| a.path.cmp(&b.path));
    dirs.dedup_by(|a, b| a.path == b.path);
    let mut verdicts =
        std::mem::take(&mut *recorder.verdicts.lock().unwrap_or_else(|e| e.into_inner()));
    for dir in &mut dirs {
        dir.verdicts = verdicts.remove(&dir.path);
    }
    let n_dirs = dirs.len();
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    // An old entry read with other credentials is kept only if readable
    // now (faccessat), so the credentials stored stay true of every entry.
    let creds = credentials();
    let check_kept = old
        .as_deref()
        .is_some_and(|o| o.base.creds.is_none() || o.base.creds.as_deref() != creds);
    let times = (build_start, racy_ns, creds);
    let changed = old
        .as_deref()
        .map_or_else(Vec::new, |old| changed_listings(&dirs, &old.base, racy_ns));
    let collected = collect(
        config,
        &files,
        old.as_deref(),
        (racy_ns, check_kept),
        changed.len(),
    );
    // A whole index at `target`, of `reused` listings of `old`.
    let write_whole = |built, reused, old| {
        write(
            dir,
            &target,
            &target,
            root_bytes,
            times,
            built,
            (&dirs, reused),
            old,
        )
    };
    let written = collected.and_then(|built| match old.as_deref() {
        Some(old) if built.delta => write_delta(dir, &target, &root, times, built, &changed, old),
        old => write_whole(built, reused, old),
    });
    let written = match written {
        Ok(done) => done,
        Err(BuildError::OldCorrupt(e)) => {
            messages::warning(format_args!(
                "rebuilding the index of {} from scratch: {e}",
                root.display()
            ));
            let built = collect(config, &files, None, (racy_ns, false), 0)
                .map_err(|e| e.message(&target))?;
            write_whole(built, 0, None).map_err(|e| e.message(&target))?
        }
        Err(e) => return Err(e.message(&target)),
    };
    if written.delta.is_none() && written.bytes > 0 {
        // The deltas of the index replaced are of no use.
        remove_deltas(dir, &root, None);
    }
    drop(lock);
    let Written {
        files: entries,
        read,
        trigrams,
        bytes,
        delta,
    } = written;
    let size = match (bytes, delta) {
        (0, _) => "index unchanged".to_string(),
        (n, None) => format!("{n} bytes"),
        (n, Some((files, dirs))) => {
            format!("a delta of {files} files and {dirs} listings beside it, {n} bytes")
        }
    };
    // A closed stdout is no reason to fail (nor to panic, as println! does).
    use std::io::Write;
    let _ = writeln!(
        io::stdout(),
        "indexed {}: {entries} files ({read} read, {} unchanged), {n_dirs} directories \
         ({reused} unchanged), {trigrams} trigrams, {size}, {:.2}s",
        root.display(),
        entries - read,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What a build wrote.
struct Written {
    /// Files indexed.
    files: usize,
    /// Of them, read by this build.
    read: usize,
    trigrams: usize,
    /// Bytes written (0: the index was unchanged).
    bytes: u64,
    /// For a delta, the files and listings it holds.
    delta: Option<(usize, usize)>,
}

/// Removes the deltas of the index of `root`, but `keep`.
fn remove_deltas(dir: &Path, root: &Path, keep: Option<&Path>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if is_delta_of(entry.file_name().as_bytes(), root) && Some(path.as_path()) != keep {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The listings a delta holds: those the index does not store as they
/// are now (stat, entries, verdicts), or stores as racy (read again, a
/// delta vouches for them by its own, later build start).
fn changed_listings(dirs: &[DirListing], base: &Index, racy_ns: i64) -> Vec<DirListing> {
    dirs.iter()
        .filter(|d| {
            !base
                .dir_lookup(&d.path)
                .is_some_and(|id| base.same_listing(id, d) && !racy(base, &d.meta, racy_ns))
        })
        .cloned()
        .collect()
}

/// Writes the delta of a refresh beside the old index (`Stored`): the
/// files read again or carried from the old delta, and the listings
/// `changed_listings` keeps.
fn write_delta(
    dir: &Path,
    target: &Path,
    root: &Path,
    times: (i64, i64, Option<&[u8]>),
    built: Built,
    changed: &[DirListing],
    old: &Stored,
) -> Result<Written, BuildError> {
    let base = &old.base;
    let (files, kept, read) = (built.entries.len(), built.kept, built.read);
    let unchanged = read == 0
        && match &old.delta {
            None => files == 0 && changed.is_empty(),
            Some(delta) => {
                built.carried == delta.len()
                    && files == delta.len()
                    && changed.len() == delta.dir_count()
                    && changed.iter().enumerate().all(|(id, listing)| {
                        delta.same_listing(id, listing) && !racy(delta, &listing.meta, times.1)
                    })
            }
        };
    let trigrams = base.trigram_count();
    if unchanged {
        if old.delta.is_none() {
            // A delta left unread (corrupt, other credentials) goes.
            remove_deltas(dir, root, None);
        }
        return Ok(Written {
            files: files + kept,
            read,
            trigrams,
            bytes: 0,
            delta: Some((files, changed.len())),
        });
    }
    let path = delta_file(dir, root, base.header_crc);
    let written = write(
        dir,
        &path,
        target,
        root.as_os_str().as_bytes(),
        times,
        built,
        (changed, 0),
        None,
    )?;
    remove_deltas(dir, root, Some(&path));
    Ok(Written {
        files: files + kept,
        trigrams,
        delta: Some((files, changed.len())),
        ..written
    })
}

enum BuildError {
    /// The previous index failed a check while it was merged.
    OldCorrupt(io::Error),
    Write(io::Error),
}

impl BuildError {
    fn message(&self, target: &Path) -> String {
        match self {
            BuildError::OldCorrupt(e) | BuildError::Write(e) => {
                format!("cannot write the index {}: {e}", target.display())
            }
        }
    }
}

/// An exclusive lock on `path`, held until dropped (closed).
fn lock(path: &Path) -> Result<File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write the index lock {}: {e}", path.display()))?;
    loop {
        // SAFETY: flock on an open descriptor.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(file);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(format!("cannot lock {}: {e}", path.display()));
        }
    }
}

/// Records the listings the build's walk reads (`walk::Listings`): a
/// directory's entries, with its `stat` from before the read, where the
/// read met no error, the `stat` after it is the same, the file system
/// is trusted and every entry is a file, directory or symlink. An
/// unchanged directory's listing comes from the old index instead.
struct Recorder {
    /// The walked root's path, which every walked path starts with.
    given: Vec<u8>,
    old: Option<Arc<Stored>>,
    racy_ns: i64,
    /// Device → whether its file system is trusted (`trusted_fs`).
    trust: Mutex<HashMap<u64, bool>>,
    dirs: Mutex<Vec<DirListing>>,
    /// Per directory (by key), its entries' ignore verdicts and their
    /// fingerprint, as the walk recorded them.
    verdicts: Mutex<HashMap<Vec<u8>, Verdicts>>,
    /// Listings taken from the old index.
    reused: AtomicUsize,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("index::build::Recorder")
    }
}

impl Listings for Recorder {
    fn list(
        &self,
        dir: &Path,
        read: &mut dyn FnMut() -> (Option<Entries>, bool),
    ) -> Option<Entries> {
        use std::os::unix::fs::MetadataExt;
        let (Some(key), Ok(before)) = (self.key(dir), std::fs::metadata(dir)) else {
            return read().0;
        };
        let meta = Meta::of(&before);
        if let Some(old) = &self.old {
            if let Some((old, id)) = old.dir(&key) {
                let reusable = old.dir_meta(id) == Some(meta)
                    && !racy(old, &meta, self.racy_ns)
                    && readable(dir);
                // Opened with its order checked: every listing is good.
                let kept = reusable.then(|| Some((stored_listing(old, id)?, old.dir_listing(id)?)));
                if let Some((listing, kept)) = kept.flatten() {
                    self.reused.fetch_add(1, Ordering::Relaxed);
                    self.push(kept);
                    return Some(listing);
                }
            }
        }
        let (found, clean) = read();
        let trusted = || {
            let mut trust = self.trust.lock().unwrap_or_else(|e| e.into_inner());
            *trust
                .entry(before.dev())
                .or_insert_with(|| fs_magic(dir).is_some_and(trusted_fs))
        };
        let unchanged = || std::fs::metadata(dir).is_ok_and(|after| Meta::of(&after) == meta);
        if let (Some(found), true) = (&found, clean) {
            let entries: Option<Vec<_>> = found
                .iter()
                .map(|(name, file_type, ino)| {
                    let kind = Kind::of(file_type)?;
                    (name.len() <= usize::from(u16::MAX)).then(|| (name.to_vec(), kind, ino))
                })
                .collect();
            if let Some(entries) = entries {
                if trusted() && unchanged() {
                    self.push(DirListing {
                        path: key,
                        meta,
                        entries,
                        verdicts: None,
                    });
                }
            }
        }
        found
    }

    fn wants_verdicts(&self) -> bool {
        true
    }

    fn record_verdicts(&self, dir: &Path, fingerprint: u64, codes: Vec<u8>) {
        if let Some(key) = self.key(dir) {
            self.verdicts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, (fingerprint, codes));
        }
    }
}

impl Recorder {
    /// `dir`'s key in the index: its path below the walked root.
    fn key(&self, dir: &Path) -> Option<Vec<u8>> {
        let rest = dir.as_os_str().as_bytes().strip_prefix(&self.given[..])?;
        Some(super::trim_slashes(rest).to_vec())
    }

    fn push(&self, listing: DirListing) {
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(listing);
    }
}

/// What a worker made of one file.
enum Done {
    /// Unchanged since the previous index: its old number.
    Reuse(u32, Entry),
    /// Unchanged since the previous refresh's delta: its number there.
    Carry(u32, Entry),
    Read(Entry, Vec<u32>),
    /// Gone, not a regular file, or unreadable: left out (always searched).
    Skip,
}

impl Done {
    /// The bytes its trigram set holds.
    fn weight(&self) -> usize {
        match self {
            Done::Read(_, trigrams) => trigrams.capacity() * 4,
            _ => 0,
        }
    }
}

/// The files' entries and new posting lists.
struct Built {
    entries: Vec<(Vec<u8>, Entry)>,
    /// Old file number → new one (u32::MAX: gone or read again).
    remap: Vec<u32>,
    lists: Lists,
    /// Postings not yet in `lists`, in file order: trigram << 40 | follow
    /// mask << 32 | file number (`Postings`).
    pending: Postings,
    /// Files read (new or changed).
    read: usize,
    /// Whether this is a delta (`Stored`): `entries` holds only the files
    /// read and carried, not the `kept` files the old index holds.
    delta: bool,
    kept: usize,
    /// Files carried from the old delta (in `entries`).
    carried: usize,
}

/// The posting lists being made (none, and no table, until `new`).
#[derive(Default)]
struct Lists {
    /// Trigram → 1 + its list's place in `lists`.
    slots: Vec<u32>,
    lists: Vec<List>,
    /// The trigrams of `lists`, in the order their lists were made
    /// (sorted when written).
    trigrams: Vec<u32>,
}

/// A posting list being made: its files' numbers (LEB128 deltas) and
/// follow masks.
#[derive(Default)]
struct List {
    last: u32,
    count: u32,
    bytes: Vec<u8>,
    masks: Vec<u8>,
}

/// Files a refresh's first pass takes at a time.
const CHUNK: usize = 256;

/// The most files and listings a refresh writes as a delta beside the
/// old index, rather than a whole new index: a delta costs every search
/// a lookup per file in it too (0: never a delta).
fn delta_limit(indexed: usize) -> usize {
    crate::test_hooks::delta_files().unwrap_or((indexed / 32).max(1024))
}

/// Reads what must be read; `changed_listings`: how many listings a
/// delta would hold.
fn collect(
    config: &Options,
    files: &[(Vec<u8>, PathBuf)],
    old: Option<&Stored>,
    (racy_ns, check_kept): (i64, bool),
    changed_listings: usize,
) -> Result<Built, BuildError> {
    let mut built = Built {
        entries: Vec::new(),
        remap: vec![u32::MAX; old.map_or(0, |o| o.base.len())],
        lists: Lists::default(),
        pending: Postings::default(),
        read: 0,
        delta: false,
        kept: 0,
        carried: 0,
    };
    let threads = config.threads.max(1);
    let trust = Mutex::new(HashMap::new());
    // A refresh first decides from each file's `stat` alone, in chunks
    // (a message per file cost more than the `stat`), which files are
    // read again; only those go through the window below.
    let reused: Option<Vec<Option<Done>>> = old.map(|old| {
        let next = AtomicUsize::new(0);
        let chunks = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (next, chunks, trust) = (&next, &chunks, &trust);
                scope.spawn(move || loop {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= files.len() {
                        return;
                    }
                    let mut walk = Stepping::default();
                    let verdicts: Vec<_> = files[start..(start + CHUNK).min(files.len())]
                        .iter()
                        .map(|(key, path)| {
                            let ctx = Context {
                                racy_ns,
                                check_kept,
                                trust,
                            };
                            unchanged(key, path, old, &ctx, &mut walk)
                        })
                        .collect();
                    let mut chunks = chunks.lock().unwrap_or_else(|e| e.into_inner());
                    chunks.push((start, verdicts));
                });
            }
        });
        let mut chunks = chunks.into_inner().unwrap_or_else(|e| e.into_inner());
        chunks.sort_unstable_by_key(|c| c.0);
        chunks.into_iter().flat_map(|c| c.1).collect()
    });
    let to_read: Vec<usize> = match &reused {
        Some(verdicts) => (0..files.len())
            .filter(|&i| verdicts[i].is_none())
            .collect(),
        None => (0..files.len()).collect(),
    };
    let carried = reused.as_ref().map_or(0, |verdicts| {
        verdicts
            .iter()
            .filter(|v| matches!(v, Some(Done::Carry(..))))
            .count()
    });
    // A delta where the old index's credentials are this build's (else
    // its entries are checked and rewritten) and few files differ.
    if let Some(old) = old {
        let limit = delta_limit(old.base.len());
        built.delta =
            !check_kept && limit > 0 && to_read.len() + carried + changed_listings <= limit;
    }
    if !built.delta {
        built.entries.reserve(files.len());
    }
    let mut carry_sets = match old.and_then(|o| o.delta.as_ref()) {
        Some(delta) if carried > 0 => delta.file_sets().map_err(BuildError::OldCorrupt)?,
        _ => Vec::new(),
    };
    let window_bytes = crate::test_hooks::window_bytes().unwrap_or(WINDOW_BYTES);
    let next = AtomicUsize::new(0);
    let window = Window {
        state: Mutex::new(WindowState::default()),
        turn: Condvar::new(),
        bytes: window_bytes,
    };
    let (tx, rx) = crossbeam_channel::bounded::<(usize, Done)>(WINDOW);
    std::thread::scope(|scope| {
        // A local of this scope, so that a panic of the collector drops
        // it and the appender ends (else the scope would wait forever).
        let (handoff, appender) = Handoff::start(scope, built.pending.batch);
        // Whatever ends the collector, no reader waits for it.
        let _closed = CloseOnDrop(&window, false);
        for _ in 0..threads.min(to_read.len()) {
            let tx = tx.clone();
            let (next, window, trust, to_read) = (&next, &window, &trust, &to_read);
            scope.spawn(move || {
                // A reader that panics lets the others end, and so the
                // collector (its panic is raised where the scope ends).
                let _closed = CloseOnDrop(window, true);
                // Per trigram: SEEN and its follow mask. 16 MiB, zeroed
                // pages mapped as touched (a reader of the linux corpus
                // touches ~9 MiB: -j8 builds it in 555 MiB, -j2 in 503).
                let mut seen: Box<Table> = vec![0u8; 1 << 24]
                    .into_boxed_slice()
                    .try_into()
                    .expect("2^24 bytes");
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= to_read.len() || !window.wait_turn(j) {
                        return;
                    }
                    let ctx = Context {
                        racy_ns,
                        check_kept,
                        trust,
                    };
                    let result = process(&files[to_read[j]].1, &ctx, &mut seen, &mut buf);
                    window.lock().bytes += result.weight();
                    if tx.send((j, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        // A progress line on a terminal, for long builds.
        let progress = std::io::stderr().is_terminal() && to_read.len() > 10_000;
        let mut shown = Instant::now();
        let mut reused = reused.map(Vec::into_iter);
        for (key, _) in files {
            if let Some(done) = reused.as_mut().and_then(|r| r.next().flatten()) {
                add(&mut built, key, done, &mut carry_sets, &handoff);
                continue;
            }
            let result = loop {
                if let Some(result) = pending.remove(&expected) {
                    break result;
                }
                // The workers send every file of `to_read`.
                let Ok((j, result)) = rx.recv() else {
                    break Done::Skip;
                };
                pending.insert(j, result);
            };
            let weight = result.weight();
            add(&mut built, key, result, &mut carry_sets, &handoff);
            expected += 1;
            {
                let mut state = window.lock();
                state.collected = expected;
                state.bytes -= weight;
            }
            window.turn.notify_all();
            if progress && shown.elapsed().as_millis() >= 200 {
                shown = Instant::now();
                eprint!("\rtrawl: indexing: {expected} of {} files", to_read.len());
            }
        }
        if progress {
            eprint!("\r\x1b[K");
        }
        handoff.finish(std::mem::take(&mut built.pending.items));
        built.lists = appender
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    });
    built.pending = Postings::default();
    Ok(built)
}

/// How far the readers of a build may run ahead of its collector.
struct Window {
    state: Mutex<WindowState>,
    turn: Condvar,
    /// `WINDOW_BYTES`, but in tests.
    bytes: usize,
}

#[derive(Default)]
struct WindowState {
    /// Files the collector added.
    collected: usize,
    /// Bytes of trigram sets read and not collected.
    bytes: usize,
    /// The collector ended, or a reader panicked: nobody waits.
    closed: bool,
}

impl Window {
    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until file `j` may be read: it is the one the collector
    /// waits for, or within `WINDOW` files and `bytes` of it. False if
    /// the build ended meanwhile.
    fn wait_turn(&self, j: usize) -> bool {
        let mut state = self.lock();
        while !state.closed
            && j > state.collected
            && (j >= state.collected + WINDOW || state.bytes >= self.bytes)
        {
            state = self.turn.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        !state.closed
    }
}

/// Closes the window when dropped (only while panicking, for a reader).
struct CloseOnDrop<'a>(&'a Window, bool);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        if !self.1 || std::thread::panicking() {
            self.0.lock().closed = true;
            self.0.turn.notify_all();
        }
    }
}

/// Adds a file to the new index; `carry_sets` holds the old delta's
/// trigram sets, taken by the files carried.
fn add(
    built: &mut Built,
    key: &[u8],
    result: Done,
    carry_sets: &mut [Vec<u32>],
    handoff: &Handoff,
) {
    let id = built.entries.len() as u32;
    match result {
        Done::Skip => {}
        Done::Reuse(..) if built.delta => built.kept += 1,
        Done::Reuse(old, entry) => {
            built.remap[old as usize] = id;
            built.entries.push((key.to_vec(), entry));
        }
        Done::Carry(old, entry) => {
            built.carried += 1;
            let set = carry_sets
                .get_mut(old as usize)
                .map(std::mem::take)
                .unwrap_or_default();
            push_with_trigrams(built, key, entry, set, handoff);
        }
        Done::Read(entry, trigrams) => {
            built.read += 1;
            push_with_trigrams(built, key, entry, trigrams, handoff);
        }
    }
}

/// Adds a file with its trigram set (`trigram << 8 | follow mask`) to the
/// new index's lists (through `handoff`'s thread).
fn push_with_trigrams(
    built: &mut Built,
    key: &[u8],
    entry: Entry,
    trigrams: Vec<u32>,
    handoff: &Handoff,
) {
    let id = built.entries.len() as u32;
    built.entries.push((key.to_vec(), entry));
    let pending = &mut built.pending;
    pending.items.extend(
        trigrams
            .iter()
            .map(|&tm| u64::from(tm) << 32 | u64::from(id)),
    );
    if pending.items.len() >= pending.batch {
        let full = std::mem::take(&mut pending.items);
        pending.items = handoff.pass(full);
    }
}

/// Postings gathered in file order and added to their lists a batch at
/// a time, sorted by trigram: adding each as its file came touched three
/// places at random in 100 MB of lists per posting (the slot, the list,
/// its end), half of a build's time on one thread (linux corpus, perf:
/// `push_with_trigrams` 54% of the collecting thread); sorted, each list
/// is touched once per batch (see benches/README.md, "Session 17").
///
/// On the linux corpus the collecting thread was the build's bottleneck
/// (3.2 s busy of 4.4 s); another thread sorts and adds each batch while
/// it gathers the next (`Handoff`).
struct Postings {
    items: Vec<u64>,
    /// Postings per batch (`BATCH`, but in tests).
    batch: usize,
}

impl Default for Postings {
    fn default() -> Postings {
        Postings {
            items: Vec::new(),
            batch: Postings::BATCH,
        }
    }
}

/// The way to the appending thread: where full batches go, and where
/// their emptied buffers come back. Dropped, it ends that thread.
struct Handoff {
    to: crossbeam_channel::Sender<Vec<u64>>,
    back: crossbeam_channel::Receiver<Vec<u64>>,
}

impl Handoff {
    /// Starts the thread that sorts each batch of postings (`batch` of
    /// them) and adds it to the lists it returns once `finish`ed, with
    /// two buffers: the one it works on and the one the collector fills.
    fn start<'s>(
        scope: &'s std::thread::Scope<'s, '_>,
        batch: usize,
    ) -> (Handoff, std::thread::ScopedJoinHandle<'s, Lists>) {
        let (to, batches) = crossbeam_channel::bounded::<Vec<u64>>(1);
        let (recycle, back) = crossbeam_channel::bounded::<Vec<u64>>(2);
        let _ = recycle.send(Vec::with_capacity(batch.min(Postings::BATCH)));
        let appender = scope.spawn(move || {
            let (mut lists, mut scratch) = (Lists::new(), Vec::new());
            for mut items in batches {
                lists.append(&mut items, &mut scratch);
                // The collector stopped waiting only if it is done.
                let _ = recycle.send(items);
            }
            lists
        });
        (Handoff { to, back }, appender)
    }

    /// Hands a full batch over for the appender's buffer back (it is done
    /// with it): both threads stay busy.
    fn pass(&self, full: Vec<u64>) -> Vec<u64> {
        let next = self.back.recv().unwrap_or_default();
        // The appender is gone only if it panicked: the scope raises that.
        let _ = self.to.send(full);
        next
    }

    /// Hands the last postings over; the appender then ends.
    fn finish(self, last: Vec<u64>) {
        let _ = self.to.send(last);
    }
}

impl Postings {
    /// Postings per batch: 16 MiB, and as much for the sort.
    const BATCH: usize = 1 << 21;
}

/// Makes room for `extra` more bytes in `v`, growing it by a quarter
/// and 16 bytes at least: `Vec`'s doubling left 117 MB of the lists' 382
/// MB unused (linux corpus: peak RSS 547 -> 501 MiB, build +0.3 s).
fn grow(v: &mut Vec<u8>, extra: usize) {
    if v.capacity() - v.len() < extra {
        v.reserve_exact(extra.max(v.capacity() / 4).max(16));
    }
}

/// Sorts `items` by trigram (bits 40-63), file numbers ascending within
/// a trigram: a stable radix sort, two passes of 12 bits, of items
/// already in file order.
fn sort_postings(items: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    let n = items.len();
    scratch.clear();
    scratch.resize(n, 0);
    for shift in [40, 52] {
        let mut counts = vec![0usize; 1 << 12];
        for &item in items.iter() {
            counts[(item >> shift) as usize & 0xfff] += 1;
        }
        let mut sum = 0;
        for count in counts.iter_mut() {
            let c = *count;
            *count = sum;
            sum += c;
        }
        for &item in items.iter() {
            let bucket = &mut counts[(item >> shift) as usize & 0xfff];
            scratch[*bucket] = item;
            *bucket += 1;
        }
        std::mem::swap(items, scratch);
    }
}

impl Lists {
    fn new() -> Lists {
        Lists {
            slots: vec![0; 1 << 24],
            ..Lists::default()
        }
    }

    /// Adds `items` (postings in file order) to their lists, and empties it.
    fn append(&mut self, items: &mut Vec<u64>, scratch: &mut Vec<u64>) {
        sort_postings(items, scratch);
        let mut i = 0;
        while i < items.len() {
            let t = (items[i] >> 40) as u32;
            let slot = &mut self.slots[t as usize];
            if *slot == 0 {
                self.lists.push(List::default());
                self.trigrams.push(t);
                *slot = self.lists.len() as u32;
            }
            let list = &mut self.lists[*slot as usize - 1];
            let run = items[i..]
                .iter()
                .take_while(|&&item| (item >> 40) as u32 == t)
                .count();
            // Room for this batch's postings (their numbers take a byte
            // each, mostly).
            grow(&mut list.bytes, run);
            grow(&mut list.masks, run);
            for &item in &items[i..i + run] {
                let id = item as u32;
                let delta = if list.count == 0 { id } else { id - list.last };
                encode_delta(&mut list.bytes, delta);
                list.masks.push((item >> 32) as u8);
                list.last = id;
                list.count += 1;
            }
            i += run;
        }
        items.clear();
    }
}

/// What every worker shares.
struct Context<'a> {
    racy_ns: i64,
    /// The old index was built with other credentials: an old entry is
    /// kept only if readable now.
    check_kept: bool,
    /// Device → whether its file system is trusted (`trusted_fs`).
    trust: &'a Mutex<HashMap<u64, bool>>,
}

impl Context<'_> {
    /// Whether the file system of `path` (on device `dev`) is trusted;
    /// `memo` keeps the last device's answer, so that a thread takes the
    /// shared map's lock only when the device changes.
    fn trusted(&self, dev: u64, path: &Path, memo: &mut Option<(u64, bool)>) -> bool {
        if let Some((d, trusted)) = *memo {
            if d == dev {
                return trusted;
            }
        }
        let mut trust = self.trust.lock().unwrap_or_else(|e| e.into_inner());
        let trusted = *trust
            .entry(dev)
            .or_insert_with(|| fs_magic(path).is_some_and(trusted_fs));
        *memo = Some((dev, trusted));
        trusted
    }
}

/// A refresh's verdict from the file's `stat`: Reuse if its old entry
/// stands, Skip if it is gone or not a regular file, None if it must
/// be read (`process`).
fn unchanged(
    key: &[u8],
    path: &Path,
    old: &Stored,
    ctx: &Context,
    walk: &mut Stepping,
) -> Option<Done> {
    let Some(meta) = walk.parent.stat(path) else {
        return Some(Done::Skip);
    };
    if meta.mode & libc::S_IFMT != libc::S_IFREG {
        return Some(Done::Skip);
    }
    if !ctx.trusted(meta.dev, path, &mut walk.trusted) {
        return None;
    }
    let (index, id) = old.file(key, &mut walk.last_found)?;
    // A refresh opens the old index checked whole: always there.
    let entry = index.entry(id)?;
    let unchanged = entry.flags & FLAG_UNSTABLE == 0
        && !racy(index, &entry.meta, ctx.racy_ns)
        && entry.meta == meta
        && (!ctx.check_kept || readable(path));
    match std::ptr::eq(index, &old.base) {
        _ if !unchanged => None,
        true => Some(Done::Reuse(id as u32, entry)),
        false => Some(Done::Carry(id as u32, entry)),
    }
}

/// What `unchanged` keeps from one file to the next of a chunk (whose
/// paths ascend, so neighbours share a directory and a device).
#[derive(Default)]
struct Stepping {
    /// The last device seen and whether it is trusted.
    trusted: Option<(u64, bool)>,
    /// The last file numbers found in the old delta and index.
    last_found: [usize; 2],
    parent: Parent,
}

/// The directory of the files a refresh stats in turn, opened once
/// (`O_PATH`) for all of them: a `fstatat` of each name instead of a
/// `stat` resolving its whole path (path lookup was 9% of a refresh).
#[derive(Default)]
struct Parent {
    dir: Option<(PathBuf, Option<std::os::fd::OwnedFd>)>,
}

impl Parent {
    /// `path`'s metadata (links followed, as `std::fs::metadata`).
    fn stat(&mut self, path: &Path) -> Option<Meta> {
        use std::os::fd::AsFd;
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::metadata(path).ok().map(|m| Meta::of(&m));
        };
        if self.dir.as_ref().is_none_or(|(p, _)| p != parent) {
            self.dir = Some((parent.to_path_buf(), walk::open_dir_path(parent)));
        }
        match self.dir.as_ref().and_then(|(_, fd)| fd.as_ref()) {
            Some(fd) => super::stat_at(fd.as_fd(), name),
            None => std::fs::metadata(path).ok().map(|m| Meta::of(&m)),
        }
    }
}

/// Reads a file that is new or changed (any file, without an old index).
fn process(path: &Path, ctx: &Context, seen: &mut Table, buf: &mut [u8]) -> Done {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Done::Skip;
    };
    if !meta.is_file() {
        return Done::Skip;
    }
    if !ctx.trusted(meta.dev(), path, &mut None) {
        // Never vouched for: its trigrams would not be used.
        let entry = Entry {
            meta: Meta::of(&meta),
            flags: FLAG_UNSTABLE,
        };
        return Done::Read(entry, Vec::new());
    }
    match read_trigrams(path, seen, buf) {
        Ok(done) => done,
        Err(_) => Done::Skip,
    }
}

/// A trigram met in the file being read (`read_trigrams`' table, beside
/// its follow mask).
const SEEN: u8 = 0x80;

/// Per trigram, SEEN and its follow mask: a fixed size, so that an index
/// of 24 bits needs no bounds check.
type Table = [u8; 1 << 24];

/// What `scan` read of a file.
struct Scanned {
    /// Its first three bytes (fewer if it is shorter).
    first: Vec<u8>,
    total: u64,
    /// It holds more than `MAX_FILE_TRIGRAMS`: the scan stopped there.
    dense: bool,
}

/// Reads `file` to its end, adding each trigram it holds to `trigrams`
/// the first time and marking it SEEN in `seen`, with the follow bits of
/// the bytes after it (the caller clears the table).
fn scan(
    file: &mut impl Read,
    seen: &mut Table,
    buf: &mut [u8],
    trigrams: &mut Vec<u32>,
) -> io::Result<Scanned> {
    let mut first = Vec::new();
    let mut total = 0u64;
    // The last bytes read, the newest lowest.
    let mut last = 0u32;
    loop {
        let n = match file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if first.len() < 3 {
            let take = (3 - first.len()).min(n);
            first.extend_from_slice(&buf[..take]);
        }
        let mut bytes = &buf[..n];
        // The file's first bytes start no trigram yet, or follow none.
        while total < 3 {
            let Some((&b, rest)) = bytes.split_first() else {
                break;
            };
            if total == 2 {
                let t = (last << 8 | u32::from(b)) & 0xff_ffff;
                seen[t as usize] = SEEN;
                trigrams.push(t);
            }
            last = last << 8 | u32::from(b);
            total += 1;
            bytes = rest;
        }
        for &b in bytes {
            // The trigram before `b` is followed by it (the same entry
            // as the last step's: in cache), then `b` ends one.
            seen[(last & 0xff_ffff) as usize] |= plan::follow_bit(b);
            last = last << 8 | u32::from(b);
            let t = last & 0xff_ffff;
            if seen[t as usize] == 0 {
                seen[t as usize] = SEEN;
                trigrams.push(t);
            }
        }
        total += bytes.len() as u64;
        if trigrams.len() > MAX_FILE_TRIGRAMS {
            return Ok(Scanned {
                first,
                total,
                dense: true,
            });
        }
    }
    Ok(Scanned {
        first,
        total,
        dense: false,
    })
}

/// `file`'s trigrams, each with its follow mask (`trigram << 8 | mask`),
/// and what else `scan` saw; `seen` is left clean whatever ended the
/// scan (an I/O error too): a trigram left marked would never be added
/// to the set of a file the reader reads next.
fn trigram_set(
    file: &mut impl Read,
    seen: &mut Table,
    buf: &mut [u8],
) -> io::Result<(Vec<u32>, Scanned)> {
    let mut trigrams = Vec::new();
    let scanned = scan(file, seen, buf, &mut trigrams);
    for t in &mut trigrams {
        let mask = std::mem::take(&mut seen[*t as usize]) & plan::ANY;
        *t = *t << 8 | u32::from(mask);
    }
    Ok((trigrams, scanned?))
}

/// The file's trigram set, each with its follow mask (`trigram << 8 |
/// mask`), with its metadata from before the read (and FLAG_UNSTABLE if
/// it changed during it).
fn read_trigrams(path: &Path, seen: &mut Table, buf: &mut [u8]) -> io::Result<Done> {
    let mut file = File::open(path)?;
    let before = Meta::of(&file.metadata()?);
    let (
        mut trigrams,
        Scanned {
            first,
            total,
            dense,
        },
    ) = trigram_set(&mut file, seen, buf)?;
    let after = Meta::of(&file.metadata()?);
    let mut flags = 0;
    if first.starts_with(&[0xEF, 0xBB, 0xBF])
        || first.starts_with(&[0xFF, 0xFE])
        || first.starts_with(&[0xFE, 0xFF])
    {
        flags |= FLAG_BOM;
    }
    if before != after || (!dense && total != before.size) {
        flags |= FLAG_UNSTABLE;
    }
    if dense {
        flags |= FLAG_DENSE;
        trigrams = Vec::new();
    }
    Ok(Done::Read(
        Entry {
            meta: before,
            flags,
        },
        trigrams,
    ))
}

/// Writes the index (merging the old one's lists for the files kept)
/// to a temporary file (named after the index `temp_of`), renamed over
/// `target`.
#[allow(clippy::too_many_arguments)]
fn write(
    dir: &Path,
    target: &Path,
    temp_of: &Path,
    root: &[u8],
    (build_start, racy_ns, creds): (i64, i64, Option<&[u8]>),
    built: Built,
    (dirs, dirs_reused): (&[DirListing], usize),
    old: Option<&Stored>,
) -> Result<Written, BuildError> {
    let w = |e: io::Error| BuildError::Write(e);
    // Without its delta, the old index's entries are not the files'.
    let same_as = old.filter(|o| o.delta.is_none()).map(|o| &o.base);
    let old = old.map(|o| &o.base);
    if let Some(old) = same_as {
        // Every listing came from the old index (so was not racy there),
        // and there are as many: the same directories.
        let same_dirs = dirs_reused == dirs.len() && dirs.len() == old.dir_count();
        let same = same_dirs
            && old.creds.as_deref() == creds
            && built.read == 0
            && built.carried == 0
            && built.entries.len() == old.len()
            && built
                .remap
                .iter()
                .enumerate()
                .all(|(i, &id)| i as u32 == id);
        if same {
            // Nothing changed: the old index stands (it has no racy
            // entry, or that file would have been read again).
            return Ok(Written {
                files: old.len(),
                read: 0,
                trigrams: old.trigram_count(),
                bytes: 0,
                delta: None,
            });
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(temp_of))
        .tempfile_in(dir)
        .map_err(w)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(w)?;
    let file = tmp.as_file().try_clone().map_err(w)?;
    let mut writer = Writer::begin(
        file,
        root,
        build_start,
        racy_ns,
        creds,
        &built.entries,
        dirs,
    )
    .map_err(w)?;
    let Built {
        entries,
        remap,
        lists:
            Lists {
                slots,
                lists,
                trigrams: fresh_trigrams,
            },
        read,
        ..
    } = built;
    let renumber = Renumber::new(&remap, entries.len());
    // One thread splices the lists while this one writes them: each takes
    // about half a refresh on the linux corpus (perf: the splice 28% of
    // its CPU, the write 30%), so they overlap. Batches bound the memory.
    let (tx, rx) = crossbeam_channel::bounded::<Result<Batch, BuildError>>(4);
    let trigrams = std::thread::scope(|scope| {
        let renumber = &renumber;
        scope.spawn(move || {
            let sent = splice_lists(old, renumber, lists, &slots, fresh_trigrams, &mut |batch| {
                tx.send(Ok(batch)).is_ok()
            });
            if let Err(e) = sent {
                let _ = tx.send(Err(e));
            }
        });
        let mut trigrams = 0usize;
        // Leaving early drops the receiver, which stops the splicer.
        for batch in rx {
            let batch = batch?;
            writer.add_lists(&batch.bytes, &batch.lists).map_err(w)?;
            trigrams += batch.lists.len();
        }
        Ok::<_, BuildError>(trigrams)
    })?;
    // Not synced: after a power loss the renamed file may be incomplete,
    // which its checksums detect (it is then ignored and rebuilt).
    let file = writer.finish().map_err(w)?;
    let bytes = file.metadata().map_err(w)?.len();
    tmp.persist(target).map_err(|e| w(e.error))?;
    Ok(Written {
        files: entries.len(),
        read,
        trigrams,
        bytes,
        delta: None,
    })
}

fn bad_list() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "bad posting list")
}

/// Posting lists ready to write, in trigram order: their bytes one after
/// another, and per list its trigram, file count, CRC-32 and length.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lists: Vec<(u32, u32, u32, usize)>,
}

/// What a batch holds before it is handed on.
const BATCH_BYTES: usize = 1 << 20;

/// The new index's posting lists, in trigram order, handed to `send` in
/// batches (it returns false to stop): each old list renumbered with the
/// fresh files merged in, and the lists only fresh files hold.
fn splice_lists(
    old: Option<&Index>,
    renumber: &Renumber,
    mut lists: Vec<List>,
    slots: &[u32],
    mut fresh_trigrams: Vec<u32>,
    send: &mut dyn FnMut(Batch) -> bool,
) -> Result<(), BuildError> {
    fresh_trigrams.sort_unstable();
    let old_count = old.map_or(0, |o| o.trigram_count());
    let (mut old_n, mut new_n) = (0, 0);
    let mut batch = Batch::default();
    let (mut fresh_ids, mut numbers) = (Vec::new(), Vec::new());
    loop {
        if batch.bytes.len() >= BATCH_BYTES && !send(std::mem::take(&mut batch)) {
            return Ok(());
        }
        let old_t = match (old, old_n < old_count) {
            (Some(old), true) => Some(old.trigram_at(old_n).map_err(BuildError::OldCorrupt)?),
            _ => None,
        };
        let new_t = fresh_trigrams.get(new_n).copied();
        let t = match (old_t, new_t) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        let fresh = (new_t == Some(t)).then(|| {
            new_n += 1;
            std::mem::take(&mut lists[slots[t as usize] as usize - 1])
        });
        let Some(old_index) = old.filter(|_| old_t == Some(t)) else {
            // Only files read by this build hold it.
            if let Some(list) = fresh {
                let start = batch.bytes.len();
                batch.bytes.extend_from_slice(&list.masks);
                batch.bytes.extend_from_slice(&list.bytes);
                let written = &batch.bytes[start..];
                batch
                    .lists
                    .push((t, list.count, crc32fast::hash(written), written.len()));
            }
            continue;
        };
        let (bytes, count, crc) = old_index.list(old_n).map_err(BuildError::OldCorrupt)?;
        let (old_masks, old_numbers) = split_list(bytes, count).map_err(BuildError::OldCorrupt)?;
        old_n += 1;
        fresh_ids.clear();
        let fresh_masks: &[u8] = match &fresh {
            Some(list) => {
                fresh_ids.extend(file_numbers(&list.bytes).flatten().map(|id| id as u32));
                &list.masks
            }
            None => &[],
        };
        numbers.clear();
        let (kept, _) = renumber
            .splice(old_numbers, &fresh_ids, &mut numbers)
            .filter(|&(_, listed)| listed == count)
            .ok_or_else(|| BuildError::OldCorrupt(bad_list()))?;
        if kept == 0 {
            continue;
        }
        let start = batch.bytes.len();
        if fresh_ids.is_empty() && kept == count {
            // The same files in the same order: the same masks.
            batch.bytes.extend_from_slice(old_masks);
        } else {
            renumber
                .splice_masks(
                    old_numbers,
                    old_masks,
                    (&fresh_ids, fresh_masks),
                    &mut batch.bytes,
                )
                .filter(|_| batch.bytes.len() - start == kept as usize)
                .ok_or_else(|| BuildError::OldCorrupt(bad_list()))?;
        }
        batch.bytes.extend_from_slice(&numbers);
        let spliced = &batch.bytes[start..];
        // A list no file of which changed keeps its bytes and CRC.
        let crc = match spliced == bytes {
            true => crc,
            false => crc32fast::hash(spliced),
        };
        batch.lists.push((t, kept, crc, spliced.len()));
    }
    if !batch.lists.is_empty() {
        send(batch);
    }
    Ok(())
}

/// How a refresh turns the old posting lists into the new ones without
/// decoding them: a list is LEB128 deltas of file numbers, and where a
/// run of its files keeps its numbers' differences (no file between
/// them dropped, added or read again), the run's bytes are copied.
struct Renumber<'a> {
    /// Old file number → new one (u32::MAX: dropped or read again).
    remap: &'a [u32],
    /// Ascending old file numbers where that may stop holding: each
    /// dropped file, each kept file whose number moves by another amount
    /// than the kept file before it, and each kept file that follows a
    /// file new to the numbering; then the old file count, above which a
    /// number is malformed. A list's number at or above the next mark is
    /// looked at by itself; the numbers below it are copied as bytes.
    marks: Vec<u32>,
}

impl Renumber<'_> {
    fn new(remap: &[u32], new_len: usize) -> Renumber<'_> {
        let mut kept = vec![false; new_len];
        for &id in remap.iter().filter(|&&id| id != u32::MAX) {
            kept[id as usize] = true;
        }
        let mut added = (0..new_len as u32)
            .filter(|&id| !kept[id as usize])
            .peekable();
        let mut marks = Vec::new();
        let mut shift = 0i64;
        for (old, &new) in remap.iter().enumerate() {
            if new == u32::MAX {
                marks.push(old as u32);
                continue;
            }
            let mut mark = i64::from(new) - old as i64 != shift;
            shift = i64::from(new) - old as i64;
            while added.next_if(|&id| id < new).is_some() {
                mark = true;
            }
            if mark {
                marks.push(old as u32);
            }
        }
        marks.push(remap.len() as u32);
        Renumber { remap, marks }
    }

    /// The old list `old` renumbered, with `fresh` (new numbers of files
    /// read by this build, ascending) merged in, appended to `out`: the
    /// new list's file count and the old one's, or None if `old` is
    /// malformed (a number too long, zero delta, or out of range).
    /// Equal, byte for byte, to encoding the new numbers afresh.
    fn splice(&self, old: &[u8], fresh: &[u32], out: &mut Vec<u8>) -> Option<(u32, u32)> {
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const ONES: u64 = 0x0101_0101_0101_0101;
        const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
        let (remap, marks) = (self.remap, &self.marks[..]);
        let (mut pos, mut copy_from, mut listed) = (0usize, 0usize, 0u32);
        // The last old number met, and the next mark above it.
        let (mut prev, mut mark) = (None::<u64>, 0usize);
        let mut new = Out {
            bytes: out,
            last: None,
            count: 0,
        };
        let mut fresh = fresh.iter().copied().peekable();
        // Whether the last number written is the last old one met,
        // renumbered, so that the bytes that follow may be copied.
        let mut in_step = false;
        while pos < old.len() {
            if in_step && mark + 1 == marks.len() && fresh.peek().is_none() {
                // Past the last mark, with nothing left to merge: the rest
                // keeps its bytes, and only its numbers are counted (one
                // byte without the high bit ends each). Its range is not
                // checked here: a search's decoding checks it.
                let rest = &old[pos..];
                if rest.last().is_some_and(|&b| b & 0x80 != 0) {
                    return None;
                }
                let n = rest.iter().filter(|&&b| b & 0x80 == 0).count() as u32;
                listed += n;
                new.count += n;
                pos = old.len();
                break;
            }
            if let (true, Some(mut p)) = (in_step, prev) {
                let limit = u64::from(marks[mark]);
                // Eight one-byte deltas (no high bit, no zero) at a time.
                while let Some(word) = old.get(pos..pos + 8) {
                    let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                    let zero = word.wrapping_sub(ONES) & !word & HIGH;
                    if word & HIGH != 0 || zero != 0 {
                        break;
                    }
                    let pairs = (word & LOW_BYTES) + ((word >> 8) & LOW_BYTES);
                    let sum = pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48;
                    if p + sum >= limit {
                        break;
                    }
                    p += sum;
                    pos += 8;
                    listed += 8;
                    new.count += 8;
                }
                prev = Some(p);
                if pos == old.len() {
                    break;
                }
            }
            let (delta, len) = leb128(&old[pos..])?;
            let id = match prev {
                None => delta,
                Some(_) if delta == 0 => return None,
                Some(p) => p + delta,
            };
            listed += 1;
            if in_step && id < u64::from(marks[mark]) {
                prev = Some(id);
                pos += len;
                new.count += 1;
                continue;
            }
            let renumbered = *remap.get(id as usize)?;
            if copy_from < pos {
                new.bytes.extend_from_slice(&old[copy_from..pos]);
                new.last = prev.map(|p| remap[p as usize]);
            }
            while marks[mark] as u64 <= id {
                mark += 1;
            }
            in_step = renumbered != u32::MAX;
            if in_step {
                while let Some(f) = fresh.next_if(|&f| f < renumbered) {
                    new.push(f);
                }
                new.push(renumbered);
            }
            prev = Some(id);
            pos += len;
            copy_from = pos;
        }
        if copy_from < pos {
            new.bytes.extend_from_slice(&old[copy_from..pos]);
            new.last = prev.map(|p| remap[p as usize]);
        }
        for f in fresh {
            new.push(f);
        }
        Some((new.count, listed))
    }

    /// The follow masks of the list `splice` makes of `old_numbers` and
    /// `fresh` (its numbers and masks), in its order, appended to `out`;
    /// None if the old list is malformed.
    fn splice_masks(
        &self,
        old_numbers: &[u8],
        old_masks: &[u8],
        (fresh_ids, fresh_masks): (&[u32], &[u8]),
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let mut fresh = fresh_ids.iter().zip(fresh_masks).peekable();
        for (id, &mask) in file_numbers(old_numbers).zip(old_masks) {
            let new = *self.remap.get(id? as usize)?;
            if new == u32::MAX {
                continue;
            }
            while let Some((_, &m)) = fresh.next_if(|(&f, _)| f < new) {
                out.push(m);
            }
            out.push(mask);
        }
        out.extend(fresh.map(|(_, &m)| m));
        Some(())
    }
}

/// A list being written: its bytes, last number and count.
struct Out<'a> {
    bytes: &'a mut Vec<u8>,
    last: Option<u32>,
    count: u32,
}

impl Out<'_> {
    fn push(&mut self, id: u32) {
        encode_delta(self.bytes, self.last.map_or(id, |last| id - last));
        self.last = Some(id);
        self.count += 1;
    }
}

/// One LEB128 number (at most 5 bytes, as `file_numbers` reads them) and
/// its length; None if cut short or longer.
fn leb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (k, &b) in bytes.iter().take(6).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            return Some((value, k + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(ids: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut last = None;
        for &id in ids {
            encode_delta(&mut out, last.map_or(id, |l| id - l));
            last = Some(id);
        }
        out
    }

    fn table() -> Box<Table> {
        vec![0u8; 1 << 24].into_boxed_slice().try_into().unwrap()
    }

    #[test]
    fn trigram_sets_carry_follow_masks_across_reads_and_errors() {
        /// Gives `chunks` one read each, then fails if `fail`.
        struct Chunks(Vec<&'static [u8]>, bool);
        impl Read for Chunks {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return match self.1 {
                        true => Err(io::Error::other("EIO")),
                        false => Ok(0),
                    };
                }
                let chunk = self.0.remove(0);
                buf[..chunk.len()].copy_from_slice(chunk);
                Ok(chunk.len())
            }
        }
        let mut seen = table();
        let mut buf = vec![0u8; 64];
        let bit = |b: u8| u32::from(plan::follow_bit(b));
        let tri = |s: &[u8]| plan::trigram(s) << 8;
        // One byte at a time, and a trigram at the very end (no follow).
        let (set, scanned) = trigram_set(
            &mut Chunks(vec![b"a", b"b", b"c", b"da"], false),
            &mut seen,
            &mut buf,
        )
        .unwrap();
        assert_eq!(
            set,
            [
                tri(b"abc") | bit(b'd'),
                tri(b"bcd") | bit(b'a'),
                tri(b"cda")
            ]
        );
        assert_eq!((scanned.first, scanned.total), (b"abc".to_vec(), 5));
        // An error after some trigrams leaves the table clean: the next
        // file's set holds them all.
        let failed = trigram_set(&mut Chunks(vec![b"xyzw"], true), &mut seen, &mut buf);
        assert!(failed.is_err());
        let (set, _) = trigram_set(&mut Chunks(vec![b"xyzw"], false), &mut seen, &mut buf).unwrap();
        assert_eq!(set, [tri(b"xyz") | bit(b'w'), tri(b"yzw")]);
        assert!(seen.iter().all(|&b| b == 0));
    }

    fn built(batch: usize) -> Built {
        Built {
            entries: Vec::new(),
            remap: Vec::new(),
            lists: Lists::default(),
            pending: Postings {
                batch,
                ..Postings::default()
            },
            read: 0,
            delta: false,
            kept: 0,
            carried: 0,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Posting lists are the same whatever the batches they were
        /// gathered in: each file's number once per trigram, ascending,
        /// with that file's follow mask.
        #[test]
        fn batches_give_the_lists_of_one_batch(
            files in prop::collection::vec(
                prop::collection::btree_set(prop_oneof![0u32..64, 0u32..1 << 24], 0..40),
                0..60,
            ),
            batch in 1usize..50,
        ) {
            let entry = Entry { meta: Default::default(), flags: 0 };
            // Some mask that differs between files and trigrams.
            let mask = |id: usize, t: u32| ((t as usize * 7 + id) & 0x7f) as u8;
            // Through the appending thread, as a build adds them.
            let built_in = |batch: usize| {
                let mut b = built(batch);
                std::thread::scope(|scope| {
                    let (handoff, appender) = Handoff::start(scope, batch);
                    for (id, set) in files.iter().enumerate() {
                        // Sets come in the order a file's bytes gave them.
                        let mut set: Vec<u32> =
                            set.iter().map(|&t| t << 8 | u32::from(mask(id, t))).collect();
                        set.reverse();
                        push_with_trigrams(&mut b, b"f", entry, set, &handoff);
                    }
                    handoff.finish(std::mem::take(&mut b.pending.items));
                    b.lists = appender.join().unwrap();
                });
                b
            };
            let (small, whole) = (built_in(batch), built_in(usize::MAX));
            let lists = |b: &Built| {
                let mut out: Vec<(u32, u32, Vec<u8>, Vec<u8>)> = b
                    .lists
                    .trigrams
                    .iter()
                    .map(|&t| {
                        let list = &b.lists.lists[b.lists.slots[t as usize] as usize - 1];
                        (t, list.count, list.bytes.clone(), list.masks.clone())
                    })
                    .collect();
                out.sort();
                out
            };
            let mut expected: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
            for (id, set) in files.iter().enumerate() {
                for &t in set {
                    expected.entry(t).or_default().push(id as u32);
                }
            }
            let expected: Vec<(u32, u32, Vec<u8>, Vec<u8>)> = expected
                .into_iter()
                .map(|(t, ids)| {
                    let masks = ids.iter().map(|&id| mask(id as usize, t)).collect();
                    (t, ids.len() as u32, encode(&ids), masks)
                })
                .collect();
            prop_assert_eq!(lists(&small), expected.clone());
            prop_assert_eq!(lists(&whole), expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// A spliced list is the new numbers encoded afresh, byte for byte.
        #[test]
        fn splice_equals_a_fresh_encoding(
            // Per old file: kept?, files added before it; per list member.
            plan in prop::collection::vec((0u8..8, 0u32..3, any::<bool>(), any::<u8>()), 0..400),
            tail in 0u32..3,
            gaps in any::<bool>(),
        ) {
            // Old files 0..n; each kept one gets the next new number after
            // `added` new files; dropped ones vanish (maybe re-read as new).
            let mut remap = Vec::new();
            let mut next = 0u32;
            let mut added = Vec::new();
            for &(kept, before, _, _) in &plan {
                // Mostly kept, and mostly in place: long runs to copy.
                let (kept, before) = (kept != 0, if kept == 1 { before } else { 0 });
                for _ in 0..before {
                    added.push(next);
                    next += 1;
                }
                if kept {
                    remap.push(next);
                    next += 1;
                } else {
                    remap.push(u32::MAX);
                }
            }
            for _ in 0..tail {
                added.push(next);
                next += 1;
            }
            // The list: members of old files (dense, or sparse with gaps).
            let old: Vec<u32> = plan
                .iter()
                .enumerate()
                .filter(|(_, p)| p.2 || (!gaps && p.3 % 7 != 0))
                .map(|(i, _)| i as u32)
                .collect();
            let fresh: Vec<u32> = added.iter().copied().filter(|a| a % 2 == 0 || gaps).collect();
            let mut want: Vec<u32> = old
                .iter()
                .map(|&i| remap[i as usize])
                .filter(|&n| n != u32::MAX)
                .chain(fresh.iter().copied())
                .collect();
            want.sort_unstable();
            let re = Renumber::new(&remap, next as usize);
            let mut out = Vec::new();
            let got = re.splice(&encode(&old), &fresh, &mut out);
            prop_assert_eq!(got, Some((want.len() as u32, old.len() as u32)));
            prop_assert_eq!(out, encode(&want));
            // Each file's follow mask goes with it: an old file's (by its
            // old number) to its new place, a fresh one's to its place.
            let old_mask = |i: u32| (i * 3 % 128) as u8;
            let fresh_mask = |n: u32| (n * 5 % 128) as u8 | 1;
            let old_masks: Vec<u8> = old.iter().map(|&i| old_mask(i)).collect();
            let fresh_masks: Vec<u8> = fresh.iter().map(|&n| fresh_mask(n)).collect();
            let mut masks = Vec::new();
            re.splice_masks(&encode(&old), &old_masks, (&fresh, &fresh_masks), &mut masks);
            let mut want_masks: Vec<(u32, u8)> = old
                .iter()
                .filter(|&&i| remap[i as usize] != u32::MAX)
                .map(|&i| (remap[i as usize], old_mask(i)))
                .chain(fresh.iter().map(|&n| (n, fresh_mask(n))))
                .collect();
            want_masks.sort_unstable();
            prop_assert_eq!(masks, want_masks.into_iter().map(|(_, m)| m).collect::<Vec<_>>());
        }
    }
}
