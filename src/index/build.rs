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
//! Workers read files and extract trigram sets; the collector takes
//! their results in file-number order (path order, so the same tree
//! gives the same bytes for any -j) through a window of `WINDOW` files,
//! which bounds memory to the posting lists plus that window.

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
    encode_delta, file_numbers, DirListing, Entry, Index, Kind, Meta, Writer, FLAG_BOM,
    FLAG_UNSTABLE,
};
use super::{
    cache_dir, check_owner, fs_magic, index_file, racy, racy_window_ns, readable, stored_listing,
    trusted_fs,
};
use crate::messages::{self, err};
use crate::walk::{self, Entries, Listings, SearchPath, Source};

/// Files read ahead of the collector.
const WINDOW: usize = 64;

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
        Ok(index) => Some(Arc::new(index)),
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
    let n_dirs = dirs.len();
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    let result = collect(config, &files, old.as_deref(), racy_ns);
    let result = match result {
        Ok(built) => write(
            dir,
            &target,
            root_bytes,
            (build_start, racy_ns),
            built,
            (&dirs, reused),
            old.as_deref(),
        ),
        Err(e) => Err(e),
    };
    let (entries, read, trigrams, bytes) = match result {
        Ok(done) => done,
        Err(BuildError::OldCorrupt(e)) => {
            messages::warning(format_args!(
                "rebuilding the index of {} from scratch: {e}",
                root.display()
            ));
            let built = collect(config, &files, None, racy_ns).map_err(|e| e.message(&target))?;
            write(
                dir,
                &target,
                root_bytes,
                (build_start, racy_ns),
                built,
                (&dirs, 0),
                None,
            )
            .map_err(|e| e.message(&target))?
        }
        Err(e) => return Err(e.message(&target)),
    };
    drop(lock);
    // A closed stdout is no reason to fail (nor to panic, as println! does).
    use std::io::Write;
    let _ = writeln!(
        io::stdout(),
        "indexed {}: {entries} files ({read} read, {} unchanged), {n_dirs} directories \
         ({reused} unchanged), {trigrams} trigrams, {}, {:.2}s",
        root.display(),
        entries - read,
        match bytes {
            0 => "index unchanged".to_string(),
            n => format!("{n} bytes"),
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
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
    old: Option<Arc<Index>>,
    racy_ns: i64,
    /// Device → whether its file system is trusted (`trusted_fs`).
    trust: Mutex<HashMap<u64, bool>>,
    dirs: Mutex<Vec<DirListing>>,
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
        let bytes = dir.as_os_str().as_bytes();
        let (Some(rest), Ok(before)) =
            (bytes.strip_prefix(&self.given[..]), std::fs::metadata(dir))
        else {
            return read().0;
        };
        let key = super::trim_slashes(rest).to_vec();
        let meta = Meta::of(&before);
        if let Some(old) = &self.old {
            if let Some(id) = old.dir_lookup(&key) {
                if old.dir_meta(id) == meta && !racy(old, &meta, self.racy_ns) && readable(dir) {
                    self.reused.fetch_add(1, Ordering::Relaxed);
                    self.push(old.dir_listing(id));
                    return Some(stored_listing(old, id));
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
                    });
                }
            }
        }
        found
    }
}

impl Recorder {
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
    Read(Entry, Vec<u32>),
    /// Gone, not a regular file, or unreadable: left out (always searched).
    Skip,
}

/// The files' entries and new posting lists.
struct Built {
    entries: Vec<(Vec<u8>, Entry)>,
    /// Old file number → new one (u32::MAX: gone or read again).
    remap: Vec<u32>,
    /// Trigram → 1 + its list's place in `lists`.
    slots: Vec<u32>,
    lists: Vec<List>,
    read: usize,
}

struct List {
    last: u32,
    count: u32,
    bytes: Vec<u8>,
}

fn collect(
    config: &Options,
    files: &[(Vec<u8>, PathBuf)],
    old: Option<&Index>,
    racy_ns: i64,
) -> Result<Built, BuildError> {
    let mut built = Built {
        entries: Vec::with_capacity(files.len()),
        remap: vec![u32::MAX; old.map_or(0, |o| o.len())],
        slots: vec![0; 1 << 24],
        lists: Vec::new(),
        read: 0,
    };
    let next = AtomicUsize::new(0);
    let done = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = crossbeam_channel::bounded::<(usize, Done)>(WINDOW);
    let threads = config.threads.max(1);
    let trust = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, done, trust) = (&next, &done, &trust);
            scope.spawn(move || {
                let mut seen = vec![0u64; 1 << 18];
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() {
                        return;
                    }
                    {
                        let mut d = done.0.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *d + WINDOW {
                            d = done.1.wait(d).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    let (key, path) = &files[i];
                    let ctx = Context {
                        old,
                        racy_ns,
                        trust,
                    };
                    let result = process(key, path, &ctx, &mut seen, &mut buf);
                    if tx.send((i, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        // A progress line on a terminal, for long builds.
        let progress = std::io::stderr().is_terminal() && files.len() > 10_000;
        let mut shown = Instant::now();
        for (i, result) in rx.iter() {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&expected) {
                add(&mut built, &files[expected].0, result);
                expected += 1;
                *done.0.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                done.1.notify_all();
                if progress && shown.elapsed().as_millis() >= 200 {
                    shown = Instant::now();
                    eprint!("\rtrawl: indexing: {expected} of {} files", files.len());
                }
            }
        }
        if progress {
            eprint!("\r\x1b[K");
        }
    });
    Ok(built)
}

fn add(built: &mut Built, key: &[u8], result: Done) {
    let id = built.entries.len() as u32;
    match result {
        Done::Skip => {}
        Done::Reuse(old, entry) => {
            built.remap[old as usize] = id;
            built.entries.push((key.to_vec(), entry));
        }
        Done::Read(entry, trigrams) => {
            built.read += 1;
            built.entries.push((key.to_vec(), entry));
            for t in trigrams {
                let slot = &mut built.slots[t as usize];
                if *slot == 0 {
                    built.lists.push(List {
                        last: 0,
                        count: 0,
                        bytes: Vec::new(),
                    });
                    *slot = built.lists.len() as u32;
                }
                let list = &mut built.lists[*slot as usize - 1];
                let delta = if list.count == 0 { id } else { id - list.last };
                encode_delta(&mut list.bytes, delta);
                list.last = id;
                list.count += 1;
            }
        }
    }
}

/// What every worker shares.
struct Context<'a> {
    old: Option<&'a Index>,
    racy_ns: i64,
    /// Device → whether its file system is trusted (`trusted_fs`).
    trust: &'a Mutex<HashMap<u64, bool>>,
}

fn process(key: &[u8], path: &Path, ctx: &Context, seen: &mut [u64], buf: &mut [u8]) -> Done {
    let Ok(meta) = std::fs::metadata(path) else {
        return Done::Skip;
    };
    if !meta.is_file() {
        return Done::Skip;
    }
    let trusted = {
        use std::os::unix::fs::MetadataExt;
        let mut trust = ctx.trust.lock().unwrap_or_else(|e| e.into_inner());
        *trust
            .entry(meta.dev())
            .or_insert_with(|| fs_magic(path).is_some_and(trusted_fs))
    };
    if !trusted {
        // Never vouched for: its trigrams would not be used.
        let entry = Entry {
            meta: Meta::of(&meta),
            flags: FLAG_UNSTABLE,
        };
        return Done::Read(entry, Vec::new());
    }
    if let Some((old, id)) = ctx.old.and_then(|o| Some((o, o.lookup(key)?))) {
        let entry = old.entry(id);
        let window = old.racy_ns.max(ctx.racy_ns);
        let racy = entry.meta.mtime.max(entry.meta.ctime) >= old.build_start.saturating_sub(window);
        if entry.flags & FLAG_UNSTABLE == 0 && !racy && entry.meta == Meta::of(&meta) {
            return Done::Reuse(id as u32, entry);
        }
    }
    match read_trigrams(path, seen, buf) {
        Ok(done) => done,
        Err(_) => Done::Skip,
    }
}

/// The file's trigram set, with its metadata from before the read (and
/// FLAG_UNSTABLE if it changed during it).
fn read_trigrams(path: &Path, seen: &mut [u64], buf: &mut [u8]) -> io::Result<Done> {
    let mut file = File::open(path)?;
    let before = Meta::of(&file.metadata()?);
    let mut trigrams = Vec::new();
    let mut carry: [u8; 2] = [0; 2];
    let mut carried = 0usize;
    let mut first = Vec::new();
    let mut total = 0u64;
    loop {
        let n = match file.read(&mut buf[2..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        if first.len() < 3 {
            let take = (3 - first.len()).min(n);
            first.extend_from_slice(&buf[2..2 + take]);
        }
        let start = 2 - carried;
        buf[start..2].copy_from_slice(&carry[2 - carried..]);
        let window = &buf[start..2 + n];
        let mut t = 0u32;
        for (k, &b) in window.iter().enumerate() {
            t = ((t << 8) | u32::from(b)) & 0xff_ffff;
            if k >= 2 {
                let (word, bit) = (t as usize / 64, t % 64);
                if seen[word] & (1 << bit) == 0 {
                    seen[word] |= 1 << bit;
                    trigrams.push(t);
                }
            }
        }
        let len = window.len();
        carried = len.min(2);
        carry[2 - carried..].copy_from_slice(&window[len - carried..]);
    }
    for &t in &trigrams {
        seen[t as usize / 64] &= !(1 << (t % 64));
    }
    let after = Meta::of(&file.metadata()?);
    let mut flags = 0;
    if first.starts_with(&[0xEF, 0xBB, 0xBF])
        || first.starts_with(&[0xFF, 0xFE])
        || first.starts_with(&[0xFE, 0xFF])
    {
        flags |= FLAG_BOM;
    }
    if before != after || total != before.size {
        flags |= FLAG_UNSTABLE;
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
/// to a temporary file, renamed over the old index.
fn write(
    dir: &Path,
    target: &Path,
    root: &[u8],
    (build_start, racy_ns): (i64, i64),
    built: Built,
    (dirs, dirs_reused): (&[DirListing], usize),
    old: Option<&Index>,
) -> Result<(usize, usize, usize, u64), BuildError> {
    let w = |e: io::Error| BuildError::Write(e);
    if let Some(old) = old {
        // Every listing came from the old index (so was not racy there),
        // and there are as many: the same directories.
        let same_dirs = dirs_reused == dirs.len() && dirs.len() == old.dir_count();
        let same = same_dirs
            && built.read == 0
            && built.entries.len() == old.len()
            && built
                .remap
                .iter()
                .enumerate()
                .all(|(i, &id)| i as u32 == id);
        if same {
            // Nothing changed: the old index stands (it has no racy
            // entry, or that file would have been read again).
            return Ok((old.len(), 0, old.trigram_count(), 0));
        }
    }
    let old_section = old
        .map(|o| o.postings_section())
        .transpose()
        .map_err(BuildError::OldCorrupt)?;
    let tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(target))
        .tempfile_in(dir)
        .map_err(w)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(w)?;
    let file = tmp.as_file().try_clone().map_err(w)?;
    let mut writer =
        Writer::begin(file, root, build_start, racy_ns, &built.entries, dirs).map_err(w)?;
    let Built {
        entries,
        remap,
        slots,
        mut lists,
        read,
    } = built;
    // The old numbers are the new ones (no file added or removed): lists
    // without a file read again are copied, not decoded and encoded.
    let identity = old.is_some_and(|o| o.len() == entries.len())
        && remap
            .iter()
            .enumerate()
            .all(|(i, &id)| id == i as u32 || id == u32::MAX);
    let mut old_n = 0usize;
    let old_count = old.map_or(0, |o| o.trigram_count());
    let mut trigrams = 0usize;
    let mut merged = Vec::new();
    let mut new_t = 0usize;
    loop {
        while new_t < slots.len() && slots[new_t] == 0 {
            new_t += 1;
        }
        let old_t = (old_n < old_count).then(|| old.map_or(0, |o| o.trigram_at(old_n)));
        let new = (new_t < slots.len()).then_some(new_t as u32);
        let t = match (old_t, new) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        let mut kept = Vec::new();
        if let (true, Some(o), Some(section), true) = (
            identity,
            old,
            old_section.as_deref(),
            old_t == Some(t) && new != Some(t),
        ) {
            // Numbers unchanged: the list is copied as it is, unless it
            // names a file read again (whose old trigrams are gone).
            let (bytes, count) = o
                .raw_postings(old_n, section)
                .map_err(BuildError::OldCorrupt)?;
            if !names_any(bytes, &remap) {
                writer.add_postings(t, count, bytes).map_err(w)?;
                trigrams += 1;
                old_n += 1;
                continue;
            }
        }
        if old_t == Some(t) {
            let ids = old
                .map(|o| o.postings_in(old_n, old_section.as_deref()))
                .transpose()
                .map_err(BuildError::OldCorrupt)?
                .unwrap_or_default();
            kept = ids
                .into_iter()
                .map(|id| remap[id as usize])
                .filter(|&id| id != u32::MAX)
                .collect();
            old_n += 1;
        }
        let fresh = if new == Some(t) {
            let list = std::mem::replace(
                &mut lists[slots[new_t] as usize - 1],
                List {
                    last: 0,
                    count: 0,
                    bytes: Vec::new(),
                },
            );
            new_t += 1;
            Some(list)
        } else {
            None
        };
        let (count, bytes) = match (kept.is_empty(), fresh) {
            (true, Some(list)) => (list.count, list.bytes),
            (_, fresh) => {
                if let Some(list) = fresh {
                    kept = merge(&kept, &decode_all(&list.bytes));
                }
                merged.clear();
                let mut prev = None;
                for &id in &kept {
                    encode_delta(&mut merged, prev.map_or(id, |p| id - p));
                    prev = Some(id);
                }
                (kept.len() as u32, merged.clone())
            }
        };
        if count > 0 {
            writer.add_postings(t, count, &bytes).map_err(w)?;
            trigrams += 1;
        }
    }
    // Not synced: after a power loss the renamed file may be incomplete,
    // which its checksums detect (it is then ignored and rebuilt).
    let file = writer.finish().map_err(w)?;
    let bytes = file.metadata().map_err(w)?.len();
    tmp.persist(target).map_err(|e| w(e.error))?;
    Ok((entries.len(), read, trigrams, bytes))
}

/// Two ascending lists as one (they have no number in common).
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Whether the posting list names a file `remap` drops (or is malformed).
fn names_any(bytes: &[u8], remap: &[u32]) -> bool {
    file_numbers(bytes)
        .any(|id| id.is_none_or(|id| remap.get(id as usize).is_none_or(|&r| r == u32::MAX)))
}

/// A list this build encoded itself, so always well formed.
fn decode_all(bytes: &[u8]) -> Vec<u32> {
    file_numbers(bytes).flatten().map(|id| id as u32).collect()
}
