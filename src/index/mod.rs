//! Stage 1½, beside `walk` and `search`: an exact, never-stale trigram
//! index of a directory tree (`--build-index`), used by every later search
//! under that tree unless `--no-index`.
//!
//! **Why the output cannot change.** The index never decides what is
//! walked: the walk runs exactly as without it, and the index is asked
//! only about a file the walk's rules let through (by the listing job,
//! `walk::Listings::skips`), and can only answer "no need to read it".
//! It answers so only when all of these hold:
//! 1. the search's output for a file without a match is empty whatever
//!    the file holds (not `-v`, `--passthru`, `--files-without-match`,
//!    `--include-zero`, `--stats`, `--json`: those count or print every
//!    file), and the bytes searched are the file's raw bytes (no `-z`,
//!    `--pre`, `--encoding LABEL`, and the file had no byte order mark);
//! 2. the file's `stat` now equals its entry (device, inode, size, mode,
//!    mtime and ctime in ns): a write changes ctime, which no one can set
//!    back, and a replacement changes the inode;
//! 3. the entry is not "racy" (git's rule): its mtime and ctime are older
//!    than the build's start by more than the racy window
//!    (`racy_window_ns`, stored in the index): the larger of 2 s (FAT's
//!    timestamp granularity, the coarsest in use) and the kernel's
//!    writeback delay (`vm.dirty_expire_centisecs` +
//!    `vm.dirty_writeback_centisecs`, 35 s by default) plus 1 s. A write
//!    through `mmap` to a page already dirty changes neither mtime nor
//!    ctime until writeback cleans the page, so only a file whose last
//!    timestamp change is older than that delay has no such write pending;
//! 4. the file was on a local disk file system when indexed (ext2/3/4,
//!    xfs, btrfs, f2fs, zfs, bcachefs, jfs, reiserfs: `trusted_fs`):
//!    others are never vouched for (FLAG_UNSTABLE): tmpfs and ramfs never
//!    update timestamps for such mmap writes, and network or FUSE file
//!    systems may change a file without changing what this host's `stat`
//!    says;
//! 5. the file is readable now, or the search must report the error.
//!    The index stores the credentials the build read the files with
//!    (`credentials`: effective and file-system ids, supplementary
//!    groups, effective capabilities, user namespace and ID maps, the
//!    security modules' labels of the process); a refresh with other
//!    credentials keeps an old entry only if `faccessat` finds it
//!    readable. If this process's credentials are the stored ones, no
//!    check is made: the file's `stat` is unchanged and older than the
//!    build (points 2 and 3), so are its mode, owner, ACLs and security
//!    labels (each change sets ctime), and its directory was searchable
//!    for that `stat`: the kernel's permission check has the inputs it
//!    had when the build read the file, and lets it be read. Otherwise
//!    (the user left a group, sudo, credentials that cannot be read),
//!    `faccessat(R_OK, AT_EACCESS)` checks each file. Not seen without
//!    that check: a change of the rules themselves, which changes no
//!    file's metadata: a security module's policy reloaded (SELinux,
//!    AppArmor), or the tree remounted with another ID mapping: a search
//!    may then skip a file it is no longer let read, and a refresh with
//!    the same credentials keeps its entry on the same argument;
//! 6. the planner's query (`plan`), a necessary condition for a match of
//!    the compiled regex (the default engine's HIR, every pattern, with
//!    case folding, -w, -x, -F and line-terminator handling applied) is
//!    false for the file's trigram set and follow masks (a trigram's
//!    mask holds the bucket of every byte that follows it in the file,
//!    as the build read it; the planner asks for a bucket only where
//!    every match holds that byte right after the trigram, `plan`'s
//!    header); a file with more distinct
//!    trigrams than a build keeps for one (FLAG_DENSE: a large binary)
//!    has no stored set and is always searched.
//!
//! **Directory listings.** The walk asks the index for a directory's
//! listing in place of its readdir (`walk::Listings`), and everything
//! after (ignore files, rules, links) runs as without the index. The
//! index answers with the listing the build read only when:
//! 1. the directory's `stat` now equals the one taken before that read
//!    (device, inode, size, mode, mtime and ctime in ns): adding,
//!    removing or renaming an entry changes the directory's mtime and
//!    ctime, and an entry's type or inode changes only by replacing it;
//! 2. that `stat` is not racy (the rule for files, point 3 below): an
//!    entry added within the timestamp granularity of the read could
//!    leave both times as they were;
//! 3. the directory was on a trusted file system (point 4: the build
//!    stores no other) and is readable now (point 5, by the same
//!    argument or `faccessat`: a readdir would fail, and the walk report
//!    the error).
//!
//! **Ignore verdicts.** With a stored listing come the build's verdicts of
//! the ignore files for each entry (ignored, whitelisted or neither, for
//! the entry's `is_dir`), and the fingerprint of what they were computed
//! from (`rules::IgnoreStack::fingerprint`: the ignore options, the walk
//! root, and for every level down to the directory its path, whether it
//! is a repository root, and the path and *contents* of each ignore file
//! read). The walk uses them in place of matching the entry against the
//! ignore files only when the search's own stack, built from the files
//! it reads now, has the same fingerprint: the verdict is a function of
//! those inputs and the entry's path. Globs, types and hidden-ness are
//! applied by the search as always. The global excludes file and
//! `--ignore-file` files are in the fingerprint too (with the current
//! directory, their rules' root: `rules::Rules::ignore_fingerprint`).
//! `--debug` asks the files again for every path they ignore, to name
//! the rule. One change is allowed for: lines added at the end of one
//! ignore file (the last of its matcher). A stack whose fingerprint, with
//! that file cut back to a line end, is the stored one had exactly those
//! inputs then (the rest of each file hashed as it is), so each stored
//! verdict is what all its matchers said with the file as it was; the
//! added lines, the file's last, override its earlier lines and what
//! comes after it in precedence, and nothing that comes before it: they
//! are asked, and where they match, the matchers before theirs
//! (`rules::IgnoreStack::updated`). Any other change gives another
//! fingerprint, and the files are asked.
//!
//! An index that is corrupt, of another version or root, or not owned by
//! the user (or writable by others) is reported once and ignored; its
//! owner is checked on the descriptor then read, so it cannot be swapped
//! between the check and the read. The file table, the paths, the
//! trigram dictionary and the listings are checked a block at a time,
//! when the search first reads a block (`format::Section::checked`): a
//! bad block is reported then, and from then on the index vouches for
//! no file and no listing (what it vouched for came from good blocks,
//! so the output stays exact).

pub mod build;
pub mod format;
pub mod plan;

use std::borrow::Cow;
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::messages;
use crate::printer::OutputMode;
use crate::search::TextEncoding;
use crate::walk::{DirHandle, Entries, Listings, SearchPath};
use format::{Index, Meta, FLAG_BOM, FLAG_DENSE, FLAG_UNSTABLE};
use plan::Query;

/// Timestamp granularity assumed for the racy-clean rule: FAT's two
/// seconds, the coarsest of the file systems in use.
pub const MIN_RACY_NS: i64 = 2_000_000_000;

/// The racy window: the larger of `MIN_RACY_NS` and the writeback delay
/// (dirty expiry + flusher period, from /proc/sys/vm) plus a second; an
/// unreadable sysctl counts as the kernel's defaults (30 s + 5 s).
pub fn racy_window_ns() -> i64 {
    if let Some(ms) = crate::test_hooks::racy_ms() {
        return ms.saturating_mul(1_000_000);
    }
    let centisecs = |name: &str, default: i64| {
        std::fs::read_to_string(format!("/proc/sys/vm/{name}"))
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|&v| v >= 0)
            .unwrap_or(default)
    };
    let delay = centisecs("dirty_expire_centisecs", 3000)
        .saturating_add(centisecs("dirty_writeback_centisecs", 500));
    writeback_window_ns(delay)
}

fn writeback_window_ns(delay_centisecs: i64) -> i64 {
    delay_centisecs
        .saturating_mul(10_000_000)
        .saturating_add(1_000_000_000)
        .max(MIN_RACY_NS)
}

/// Whether a file system's `statfs` magic is a local disk file system,
/// whose timestamps the racy rule can rely on.
pub fn trusted_fs(magic: u32) -> bool {
    matches!(
        magic,
        0xEF53 // ext2, ext3, ext4
            | 0x5846_5342 // xfs
            | 0x9123_683E // btrfs
            | 0xF2F5_2010 // f2fs
            | 0x2FC1_2FC1 // zfs
            | 0xCA45_1A4E // bcachefs
            | 0x3153_464A // jfs
            | 0x5265_4973 // reiserfs
    )
}

/// The `statfs` magic of the file system holding `path`.
pub fn fs_magic(path: &Path) -> Option<u32> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: a NUL-terminated path and a buffer of the right type.
    if unsafe { libc::statfs(c.as_ptr(), st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statfs succeeded, so it filled the buffer.
    Some(unsafe { st.assume_init() }.f_type as u32)
}

/// Whether `meta` (an entry's or a directory's, as stored) changed too
/// close to the index's build for its `stat` to vouch for what was read.
fn racy(index: &Index, meta: &Meta, racy_now_ns: i64) -> bool {
    let window = index.racy_ns.max(racy_now_ns);
    meta.mtime.max(meta.ctime) >= index.build_start.saturating_sub(window)
}

/// Directory `id`'s stored entries, as `read_sorted` returns them; None
/// if its record is bad (`Index::check_dir`).
fn stored_listing(index: &Index, id: usize) -> Option<Entries> {
    let mut entries = Entries::new();
    if !index.checked_entries(id, |name, kind, ino| {
        entries.push(name, kind.entry_type(), ino)
    }) {
        return None;
    }
    if let Some((fingerprint, codes)) = index.dir_verdicts(id) {
        entries.set_verdicts(fingerprint, codes);
    }
    Some(entries)
}

/// The credentials this process reads files with, as canonical bytes:
/// the effective and file-system uid and gid, the sorted supplementary
/// groups, the effective capability set, the user namespace and its ID
/// maps, and the security modules' labels of the process. Two processes
/// with the same bytes get the same answer from the kernel's permission
/// check for a file whose mode, owner, ACLs and labels are the same.
/// None where any of it cannot be read (no /proc).
pub fn credentials() -> Option<&'static [u8]> {
    static CREDS: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    CREDS.get_or_init(read_credentials).as_deref()
}

fn read_credentials() -> Option<Vec<u8>> {
    use std::fmt::Write;
    // The calling thread's: credentials are per thread in the kernel.
    let proc = if Path::new("/proc/thread-self/status").exists() {
        "/proc/thread-self"
    } else {
        "/proc/self"
    };
    let status = std::fs::read_to_string(format!("{proc}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(|v| v.split_whitespace().collect::<Vec<_>>())
    };
    let mut out = String::new();
    for ids in ["Uid", "Gid"] {
        // real, effective, saved, file system: access checks use the last.
        let v = field(ids).filter(|v| v.len() == 4)?;
        writeln!(out, "{ids} {} {}", v[1], v[3]).ok()?;
    }
    let mut groups = field("Groups")?
        .iter()
        .map(|g| g.parse::<u32>().ok())
        .collect::<Option<Vec<_>>>()?;
    groups.sort_unstable();
    groups.dedup();
    writeln!(out, "Groups {groups:?}").ok()?;
    let cap = field("CapEff").filter(|v| v.len() == 1)?;
    let cap = u64::from_str_radix(cap[0], 16).ok()?;
    writeln!(out, "CapEff {cap:016x}").ok()?;
    let ns = std::fs::read_link(format!("{proc}/ns/user")).ok()?;
    writeln!(out, "userns {}", ns.display()).ok()?;
    for map in ["uid_map", "gid_map"] {
        let text = std::fs::read_to_string(format!("{proc}/{map}")).ok()?;
        let words: Vec<_> = text.split_whitespace().collect();
        writeln!(out, "{map} {}", words.join(" ")).ok()?;
    }
    // The process's label under each security module that has one
    // (attr/current: the first; attr/<module>/current: each, where the
    // kernel has them); EINVAL: no module gives one.
    let mut labels = vec![format!("{proc}/attr/current")];
    if let Ok(dirs) = std::fs::read_dir(format!("{proc}/attr")) {
        let mut more: Vec<_> = dirs
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| format!("{}/current", e.path().display()))
            .collect();
        more.sort();
        labels.extend(more);
    }
    for label in labels {
        let text = match std::fs::read(&label) {
            Ok(bytes) => String::from_utf8_lossy(&bytes)
                .trim_end_matches(['\0', '\n'])
                .to_string(),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => "-".to_string(),
            Err(_) => return None,
        };
        let name = label.strip_prefix(proc).unwrap_or(&label);
        writeln!(out, "{name} {text:?}").ok()?;
    }
    if let Some(text) = crate::test_hooks::creds() {
        writeln!(out, "test {text:?}").ok()?;
    }
    Some(out.into_bytes())
}

/// Whether this process may read `path` now (with its effective ids).
fn readable(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path; faccessat only reads it.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::R_OK, libc::AT_EACCESS) == 0 }
}

/// `name`'s metadata in the directory `dir` (links followed, as
/// `std::fs::metadata` follows them); None if it cannot be read. rustix
/// NUL-terminates the name on the stack: a `CString` per file was a
/// malloc and a free on every lookup of an indexed search.
fn stat_at(dir: std::os::fd::BorrowedFd, name: &std::ffi::OsStr) -> Option<Meta> {
    let st = rustix::fs::statat(dir, name, rustix::fs::AtFlags::empty()).ok()?;
    Some(Meta::of_stat(&st))
}

/// `readable` for `name` in the directory `dir` (only where the
/// credentials differ from the build's).
fn readable_at(dir: std::os::fd::BorrowedFd, name: &std::ffi::OsStr) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(c) = std::ffi::CString::new(name.as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated name; faccessat only reads it.
    unsafe { libc::faccessat(dir.as_raw_fd(), c.as_ptr(), libc::R_OK, libc::AT_EACCESS) == 0 }
}

/// `$XDG_CACHE_HOME/trawl`, else `~/.cache/trawl`.
pub fn cache_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(base.join("trawl"))
}

/// One index per canonical root: its name is a hash of the root path
/// (which the index also holds, and which is checked on use).
pub fn index_file(dir: &Path, root: &Path) -> PathBuf {
    dir.join(format!("{:016x}.idx", root_hash(root)))
}

/// The delta a refresh wrote beside the index whose header CRC is
/// `base_crc` (`Stored`): named after it, so that a delta is only ever
/// read with the index it was written for.
pub fn delta_file(dir: &Path, root: &Path, base_crc: u32) -> PathBuf {
    dir.join(format!("{:016x}.{base_crc:08x}.delta", root_hash(root)))
}

/// Whether `name` is that of a delta of the index of `root`.
pub fn is_delta_of(name: &[u8], root: &Path) -> bool {
    name.starts_with(format!("{:016x}.", root_hash(root)).as_bytes()) && name.ends_with(b".delta")
}

fn root_hash(root: &Path) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in root.as_os_str().as_bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// An index and the delta its last refresh may have written beside it:
/// an index of the files read again since the index was written and of
/// the listings that changed (or whose verdicts did), in the same format
/// (`build`). A refresh that reads few files writes only the delta, not
/// the whole index again. A path the delta holds is looked up there
/// only: its entry is the newer. The delta vouches for its entries by
/// the same rules as the index (its own build start, racy window and
/// credentials), so it is exact with any index of the root; it is read
/// with the one it is named after.
pub struct Stored {
    pub base: Index,
    pub delta: Option<Index>,
}

/// The delta at `path` of the index `base` of `root`, opened by `open`:
/// None if there is none, or (reported once) if it cannot be used; a
/// delta read with other credentials than its index is not used.
pub fn open_delta(
    base: &Index,
    root: &Path,
    path: &Path,
    open: impl FnOnce(&Path) -> Result<Index, String>,
) -> Option<Index> {
    // Looked for first: a delta that a refresh beside this search writes
    // after the open failed is no error (the index alone is exact).
    if !path.exists() {
        return None;
    }
    match open(path) {
        Ok(delta) if delta.creds == base.creds => Some(delta),
        Ok(_) => {
            messages::debug(format_args!(
                "index: {} not used: read with other credentials than the index",
                path.display()
            ));
            None
        }
        Err(_) if !path.exists() => None,
        Err(why) => {
            messages::warning(format_args!(
                "ignoring the delta of the index of {} ({}): {why}",
                root.display(),
                path.display()
            ));
            None
        }
    }
}

impl Stored {
    /// Whether a block of the index or its delta was found bad
    /// (`Index::damaged`).
    pub fn damaged(&self) -> bool {
        self.base.damaged() || self.delta.as_ref().is_some_and(Index::damaged)
    }

    /// The part that holds file `key` and its number there. `hints` are
    /// the last numbers found in the delta and the index (`lookup_from`).
    pub fn file(&self, key: &[u8], hints: &mut [usize; 2]) -> Option<(&Index, usize)> {
        if let Some(delta) = &self.delta {
            if let Some(id) = delta.lookup_from(key, hints[0]) {
                hints[0] = id;
                return Some((delta, id));
            }
        }
        let id = self.base.lookup_from(key, hints[1])?;
        hints[1] = id;
        Some((&self.base, id))
    }

    /// The part that holds directory `key`'s listing and its number there.
    pub fn dir(&self, key: &[u8]) -> Option<(&Index, usize)> {
        if let Some(delta) = &self.delta {
            if let Some(id) = delta.dir_lookup(key) {
                return Some((delta, id));
            }
        }
        Some((&self.base, self.base.dir_lookup(key)?))
    }
}

/// Refuses what another user could have written: an index could hide a
/// match from an audit.
pub fn check_owner(path: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!("{}: not owned by you", path.display()));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{}: writable by group or others (mode {:o})",
            path.display(),
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

/// What an index needs to know of the search it would serve (filled in
/// by `run::Config`).
pub struct Search<'a> {
    pub paths: &'a [SearchPath],
    pub matcher: &'a crate::search::Matcher,
    pub search: &'a crate::search::SearchOptions,
    pub print: &'a crate::printer::PrintOptions,
    pub read_policy: &'a crate::search::source::ReadPolicy,
    /// --files
    pub files: bool,
    /// --stats or --json: statistics of every file searched.
    pub stats: bool,
}

/// Why a search cannot use an index at all (`None`: it can).
fn unusable(config: &Search) -> Option<&'static str> {
    let (s, p, r) = (&config.search, &config.print, &config.read_policy);
    if config.files {
        Some("--files reads no file")
    } else if s.invert {
        Some("-v prints files without a match")
    } else if s.passthru {
        Some("--passthru prints every line")
    } else if matches!(
        p.mode,
        OutputMode::FilesWithoutMatch | OutputMode::QuietWithoutMatch
    ) {
        Some("--files-without-match prints files without a match")
    } else if p.include_zero {
        Some("--include-zero prints files without a match")
    } else if config.stats {
        Some("--stats and --json count every file searched")
    } else if r.search_zip {
        Some("-z searches decompressed bytes")
    } else if r.preprocessor.is_some() {
        Some("--pre searches what a program prints")
    } else if matches!(s.encoding, TextEncoding::Fixed(_)) {
        Some("--encoding searches decoded bytes")
    } else {
        None
    }
}

/// An index loaded for a search, with the files its query leaves.
struct Loaded {
    stored: Stored,
    /// Per part ([delta, index]), a bit per file: it may match (its
    /// trigrams satisfy the query). None where the search cannot skip
    /// files (every file is searched).
    candidates: Option<[Vec<u64>; 2]>,
    /// This process has the credentials the build read the files with
    /// (see the module header, point 5): no access check is needed.
    same_creds: bool,
    /// The indexed root, the index file and its delta's, for messages.
    paths: (PathBuf, PathBuf, PathBuf),
    /// A bad block of it or its delta was reported.
    damage_reported: AtomicBool,
}

/// A path of the command line and where its files are in an index.
struct Root {
    /// The path as walked: every walked path under it starts with it.
    walked: Vec<u8>,
    /// Its path relative to the index's root ("" for the root itself).
    key: Vec<u8>,
    loaded: Arc<Loaded>,
}

#[derive(Default)]
struct Counts {
    may_match: AtomicU64,
    skipped: AtomicU64,
    /// Of `skipped`, those the walk's listing jobs left out.
    skipped_in_walk: AtomicU64,
    not_indexed: AtomicU64,
    changed: AtomicU64,
    racy: AtomicU64,
    raw: AtomicU64,
    unreadable: AtomicU64,
    dirs_listed: AtomicU64,
    dirs_unknown: AtomicU64,
    dirs_changed: AtomicU64,
    dirs_racy: AtomicU64,
    dirs_unreadable: AtomicU64,
    /// faccessat calls made (credentials other than the build's).
    access_checks: AtomicU64,
    /// Listings whose ignore verdicts came from the index.
    dirs_verdicts: AtomicU64,
    /// Of those, the verdicts made before lines were added at the end
    /// of an ignore file (`IgnoreStack::appended_since`).
    dirs_verdicts_appended: AtomicU64,
}

/// The indexes a search uses, and what they vouched for.
pub struct Use {
    roots: Vec<Root>,
    /// The racy window now; an index's own, if larger, applies too.
    racy_ns: i64,
    bom_matters: bool,
    /// Whether files may be skipped (else only listings are used).
    skips_files: bool,
    counts: Counts,
}

impl std::fmt::Debug for Use {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("index::Use")
    }
}

impl Use {
    /// The indexes for the search's paths, or None (with the reason under
    /// --debug) when none applies.
    pub fn setup(config: &Search, no_index: bool) -> Option<Use> {
        let debug = |why: &str| messages::debug(format_args!("index: not used: {why}"));
        if no_index {
            debug("--no-index");
            return None;
        }
        let dir = cache_dir()?;
        let mut found: Vec<(Vec<u8>, Vec<u8>, PathBuf, PathBuf)> = Vec::new();
        for path in config.paths {
            let given = match path {
                SearchPath::Given(p) => p.as_path(),
                SearchPath::ImplicitCwd => Path::new("./"),
                SearchPath::Stdin => continue,
            };
            let Ok(canonical) = given.canonicalize() else {
                continue;
            };
            for root in canonical.ancestors() {
                let file = index_file(&dir, root);
                if std::fs::symlink_metadata(&file).is_ok() {
                    let rel = canonical.strip_prefix(root).unwrap_or(Path::new(""));
                    let walked = given.as_os_str().as_bytes().to_vec();
                    found.push((
                        walked,
                        rel.as_os_str().as_bytes().to_vec(),
                        file,
                        root.into(),
                    ));
                    break;
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        // Directory listings are used whatever the search; files are
        // skipped only where the query can say one cannot match.
        let query = file_query(config).map_err(|why| {
            messages::debug(format_args!(
                "index: every file searched (directory listings still used): {why}"
            ))
        });
        let query = query.ok();
        let mut loaded: HashMap<PathBuf, Option<Arc<Loaded>>> = HashMap::new();
        let mut roots = Vec::new();
        for (walked, key, file, root) in found {
            let entry = loaded.entry(file.clone()).or_insert_with(|| {
                match load(&dir, &file, &root, query.as_ref()) {
                    Ok(l) => Some(Arc::new(l)),
                    Err(Unusable { why, rebuild }) => {
                        // A rebuild replaces a bad or foreign index (not
                        // a cache directory that is not the user's).
                        let hint = match rebuild {
                            true => {
                                format!(" (`trawl --build-index {}` rebuilds it)", root.display())
                            }
                            false => String::new(),
                        };
                        messages::warning(format_args!(
                            "ignoring the index of {} ({}): {why}{hint}",
                            root.display(),
                            file.display()
                        ));
                        None
                    }
                }
            });
            if let Some(l) = entry {
                roots.push(Root {
                    walked,
                    key,
                    loaded: Arc::clone(l),
                });
            }
        }
        if roots.is_empty() {
            return None;
        }
        Some(Use {
            roots,
            racy_ns: racy_window_ns(),
            bom_matters: matches!(config.search.encoding, TextEncoding::Auto),
            skips_files: query.is_some(),
            counts: Counts::default(),
        })
    }

    /// The root a walked path is under, and the path's key in its index
    /// (borrowed when the root's own key is empty, as for a search of the
    /// indexed root: no allocation per file).
    fn locate<'p>(&self, path: &'p Path) -> Option<(&Root, Cow<'p, [u8]>)> {
        let bytes = path.as_os_str().as_bytes();
        self.roots.iter().find_map(|root| {
            let rest = bytes.strip_prefix(root.walked.as_slice())?;
            let rest = if rest.is_empty() || root.walked.ends_with(b"/") {
                rest
            } else {
                rest.strip_prefix(b"/")?
            };
            let rest = trim_slashes(rest);
            if root.key.is_empty() {
                return Some((root, Cow::Borrowed(rest)));
            }
            let mut key = root.key.clone();
            if !key.is_empty() && !rest.is_empty() {
                key.push(b'/');
            }
            key.extend_from_slice(rest);
            Some((root, Cow::Owned(key)))
        })
    }

    /// Files the walk left out because the index vouched for them: they
    /// count as walked (a search that skipped every file searched some).
    pub fn skipped_in_walk(&self) -> u64 {
        self.counts.skipped_in_walk.load(Ordering::Relaxed)
    }

    /// Whether the search may leave `path` (a file named on the command
    /// line) unread: it cannot match.
    pub fn skips(&self, path: &Path) -> bool {
        self.file_skips(path, |_| None)
    }

    /// Whether the search may leave `path` unread; `at` gives its stat
    /// through its directory's descriptor, if it can, and its
    /// readability if asked to check it (else true).
    fn file_skips(&self, path: &Path, at: impl FnOnce(bool) -> Option<(Meta, bool)>) -> bool {
        if !self.skips_files {
            return false;
        }
        let count = |c: &AtomicU64| {
            c.fetch_add(1, Ordering::Relaxed);
            false
        };
        let Some((root, key)) = self.locate(path) else {
            return count(&self.counts.not_indexed);
        };
        let Some(candidates) = &root.loaded.candidates else {
            return count(&self.counts.not_indexed);
        };
        thread_local! {
            /// The last file numbers found on this thread (delta, index):
            /// a listing asks for its files in path order.
            static LAST_FOUND: std::cell::Cell<[usize; 2]> = const { std::cell::Cell::new([0; 2]) };
        }
        if root.loaded.stored.damaged() {
            // Known bad: no lookup hashes the bad block again.
            self.report_damage(root);
            return count(&self.counts.not_indexed);
        }
        let mut hints = LAST_FOUND.get();
        let found = root.loaded.stored.file(&key, &mut hints);
        LAST_FOUND.set(hints);
        let entry = found.and_then(|(index, id)| Some((index, id, index.entry(id)?)));
        // A bad block met now or before: the index vouches for no more
        // files (what it did vouch for was read from good blocks).
        if root.loaded.stored.damaged() {
            self.report_damage(root);
            return count(&self.counts.not_indexed);
        }
        let Some((index, id, entry)) = entry else {
            return count(&self.counts.not_indexed);
        };
        let candidates = &candidates[usize::from(std::ptr::eq(index, &root.loaded.stored.base))];
        if entry.flags & (FLAG_UNSTABLE | FLAG_DENSE) != 0
            || (entry.flags & FLAG_BOM != 0 && self.bom_matters)
        {
            return count(&self.counts.raw);
        }
        if racy(index, &entry.meta, self.racy_ns) {
            return count(&self.counts.racy);
        }
        if candidates[id / 64] & (1 << (id % 64)) != 0 {
            // Searched whatever its metadata says: no stat needed.
            return count(&self.counts.may_match);
        }
        let check = !root.loaded.same_creds;
        let (meta, readable) = match at(check) {
            Some(found) => found,
            None => match std::fs::metadata(path) {
                Ok(meta) => (Meta::of(&meta), !check || readable(path)),
                Err(_) => return count(&self.counts.changed),
            },
        };
        if check {
            self.counts.access_checks.fetch_add(1, Ordering::Relaxed);
        }
        if meta != entry.meta {
            return count(&self.counts.changed);
        }
        if !readable {
            return count(&self.counts.unreadable);
        }
        self.counts.skipped.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Says once per index that it or its delta was found damaged during
    /// the search, as a bad index or delta found when opened is reported.
    fn report_damage(&self, root: &Root) {
        let loaded = &root.loaded;
        if loaded.damage_reported.swap(true, Ordering::Relaxed) {
            return;
        }
        let (root, file, delta) = &loaded.paths;
        let (what, file) = match loaded.stored.base.damaged() {
            true => ("index", file),
            false => ("delta of the index", delta),
        };
        messages::warning(format_args!(
            "ignoring the {what} of {} ({}): section checksum mismatch \
             (`trawl --build-index {}` rebuilds it)",
            root.display(),
            file.display(),
            root.display()
        ));
    }

    /// The --debug report: what the index vouched for, and why the rest
    /// was searched.
    pub fn report(&self) {
        let c = &self.counts;
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        messages::debug(format_args!(
            "index: {} directory listings from the index; read: {} changed, {} modified \
             too close to the build (racy), {} not in the index, {} unreadable now",
            n(&c.dirs_listed),
            n(&c.dirs_changed),
            n(&c.dirs_racy),
            n(&c.dirs_unknown),
            n(&c.dirs_unreadable)
        ));
        messages::debug(format_args!(
            "index: {} access checks (faccessat), made where the credentials differ from \
             the build's",
            n(&c.access_checks)
        ));
        messages::debug(format_args!(
            "index: {} listings checked against the ignore files by the verdicts the \
             index stored (same ignore files and options as the build's, or {} of them \
             with lines added at the end of one ignore file since: those lines asked)",
            n(&c.dirs_verdicts),
            n(&c.dirs_verdicts_appended)
        ));
        if !self.skips_files {
            return;
        }
        messages::debug(format_args!(
            "index: {} files skipped (unchanged, and no trigram match); searched: {} \
             whose trigrams may match, {} not in the index, {} changed, {} modified too \
             close to the build (racy), {} with a byte order mark, too many trigrams to \
             index, changed while indexed or on a file system not trusted, {} unreadable now",
            n(&c.skipped),
            n(&c.may_match),
            n(&c.not_indexed),
            n(&c.changed),
            n(&c.racy),
            n(&c.raw),
            n(&c.unreadable)
        ));
    }
}

impl Listings for Use {
    fn verdicts_used(&self, appended: bool) {
        self.counts.dirs_verdicts.fetch_add(1, Ordering::Relaxed);
        if appended {
            self.counts
                .dirs_verdicts_appended
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    fn skips(&self, dir: &mut DirHandle, path: &Path, name: &std::ffi::OsStr) -> bool {
        let skips = self.file_skips(path, |check| {
            let fd = dir.fd()?;
            let meta = stat_at(fd, name)?;
            Some((meta, !check || readable_at(fd, name)))
        });
        if skips {
            self.counts.skipped_in_walk.fetch_add(1, Ordering::Relaxed);
        }
        skips
    }

    /// The stored listing of `dir` where the index vouches for it (see
    /// the module header), else `read`'s.
    fn list(
        &self,
        dir: &Path,
        read: &mut dyn FnMut() -> (Option<Entries>, bool),
    ) -> Option<Entries> {
        match self.stored(dir) {
            Ok(found) => {
                self.counts.dirs_listed.fetch_add(1, Ordering::Relaxed);
                Some(found)
            }
            Err(why) => {
                why.fetch_add(1, Ordering::Relaxed);
                let mut found = read().0;
                if let (Some(entries), Some(stored)) = (&mut found, self.stored_fingerprint(dir)) {
                    entries.set_stored_fingerprint(stored);
                }
                found
            }
        }
    }
}

impl Use {
    /// The fingerprint the index stored `dir`'s verdicts for, whatever
    /// its listing is now.
    fn stored_fingerprint(&self, dir: &Path) -> Option<u64> {
        let (root, key) = self.locate(dir)?;
        let (index, id) = root.loaded.stored.dir(&key)?;
        let fingerprint = index.dir_fingerprint(id);
        // None where a bad block may have hidden the delta's.
        fingerprint.filter(|_| !root.loaded.stored.damaged())
    }

    /// `dir`'s listing from the index, or the count of why it must be read.
    fn stored(&self, dir: &Path) -> Result<Entries, &AtomicU64> {
        let c = &self.counts;
        let (root, key) = self.locate(dir).ok_or(&c.dirs_unknown)?;
        if root.loaded.stored.damaged() {
            self.report_damage(root);
            return Err(&c.dirs_unknown);
        }
        let found = root.loaded.stored.dir(&key);
        let found = found.and_then(|(index, id)| Some((index, id, index.dir_meta(id)?)));
        // A bad block met now: the delta's listing may be the one lost,
        // and the index's stale (see `file_skips`).
        if root.loaded.stored.damaged() {
            self.report_damage(root);
            return Err(&c.dirs_unknown);
        }
        let (index, id, stored) = found.ok_or(&c.dirs_unknown)?;
        if racy(index, &stored, self.racy_ns) {
            return Err(&c.dirs_racy);
        }
        // By path: opening the `O_PATH` handle the listing's files are
        // looked up with, to `fstat` it, cost more than this `stat` in the
        // many listings none of whose files is looked up (`-g '*.rs' -l
        // fn` with the index: the opens were 15% of its CPU).
        let meta = std::fs::metadata(dir).map_err(|_| &c.dirs_changed)?;
        if Meta::of(&meta) != stored {
            return Err(&c.dirs_changed);
        }
        if !root.loaded.same_creds {
            c.access_checks.fetch_add(1, Ordering::Relaxed);
            if !readable(dir) {
                return Err(&c.dirs_unreadable);
            }
        }
        stored_listing(index, id).ok_or_else(|| {
            if root.loaded.stored.damaged() {
                self.report_damage(root);
                return &c.dirs_unknown;
            }
            // Only a bug can write a bad listing under a good checksum.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                messages::warning(format_args!(
                    "index: a bad listing of {}; read from the disk instead",
                    dir.display()
                ))
            });
            &c.dirs_unknown
        })
    }
}

/// The query that tells which files cannot match, or why the search
/// must read every file.
fn file_query(config: &Search) -> Result<Query, &'static str> {
    if let Some(why) = unusable(config) {
        return Err(why);
    }
    let hir = config.matcher.hir().ok_or("the pattern is for PCRE2")?;
    let query = plan::plan(hir);
    messages::debug(format_args!("index: trigram query {query}"));
    if query == Query::All {
        return Err("the pattern has no trigram every match must hold");
    }
    Ok(query)
}

fn trim_slashes(mut s: &[u8]) -> &[u8] {
    while let Some(rest) = s.strip_prefix(b"/") {
        s = rest;
    }
    s
}

/// Why an index is not used, and whether rebuilding it would help.
struct Unusable {
    why: String,
    rebuild: bool,
}

impl From<String> for Unusable {
    fn from(why: String) -> Unusable {
        Unusable { why, rebuild: true }
    }
}

/// Whether building the index again can cure `error`, met opening it:
/// not where the system lacks memory or descriptors (a `ulimit -v` too
/// small to map the index: the message then names no rebuild).
fn rebuild_helps(error: &std::io::Error) -> bool {
    let short = [libc::ENOMEM, libc::EMFILE, libc::ENFILE, libc::EAGAIN];
    !error.raw_os_error().is_some_and(|e| short.contains(&e))
}

/// Opens, checks and queries one index and its delta.
fn load(dir: &Path, file: &Path, root: &Path, query: Option<&Query>) -> Result<Loaded, Unusable> {
    let dir_meta = std::fs::metadata(dir).map_err(|e| e.to_string())?;
    check_owner(dir, &dir_meta).map_err(|why| Unusable {
        why,
        rebuild: false,
    })?;
    let root_bytes = root.as_os_str().as_bytes();
    let open = |file: &Path| -> Result<Index, Unusable> {
        let failed = |e: std::io::Error| Unusable {
            rebuild: rebuild_helps(&e),
            why: e.to_string(),
        };
        // One open: the owner checked is that of the file read.
        let opened = std::fs::File::open(file).map_err(failed)?;
        let meta = opened.metadata().map_err(failed)?;
        check_owner(file, &meta)?;
        Index::from_file_with(opened, root_bytes, query.is_some()).map_err(failed)
    };
    let base = open(file)?;
    let delta_path = delta_file(dir, root, base.header_crc);
    let delta = open_delta(&base, root, &delta_path, |file| {
        open(file).map_err(|u| u.why)
    });
    if let Some(delta) = &delta {
        messages::debug(format_args!(
            "index: {} holds {} files and {} listings a refresh read again",
            delta_path.display(),
            delta.len(),
            delta.dir_count()
        ));
    }
    let mut stored = Stored { base, delta };
    let candidates = query
        .map(|query| -> Result<[Vec<u64>; 2], String> {
            let base = evaluate(&stored.base, query).map_err(|e| format!("{e}"))?;
            // A bad list in the delta costs the delta, not the index.
            let delta = match stored.delta.as_ref().map(|delta| evaluate(delta, query)) {
                Some(Ok(bits)) => bits,
                Some(Err(e)) => {
                    messages::warning(format_args!(
                        "ignoring the delta of the index of {} ({}): {e}",
                        root.display(),
                        delta_path.display()
                    ));
                    stored.delta = None;
                    Vec::new()
                }
                None => Vec::new(),
            };
            Ok([delta, base])
        })
        .transpose()?;
    let base = &stored.base;
    let same_creds = base.creds.is_some() && base.creds.as_deref() == credentials();
    if !same_creds {
        messages::debug(format_args!(
            "index: {} was built with other credentials: readability checked per file",
            root.display()
        ));
    }
    Ok(Loaded {
        stored,
        candidates,
        same_creds,
        paths: (root.to_path_buf(), file.to_path_buf(), delta_path),
        damage_reported: AtomicBool::new(false),
    })
}

/// The query's files, as a bit set.
fn evaluate(index: &Index, query: &Query) -> std::io::Result<Vec<u64>> {
    /// A trigram's files, and the follow masks they hold it with.
    type Cache<'i> = HashMap<u32, (Vec<u32>, &'i [u8])>;
    let words = index.len().div_ceil(64);
    let mut cache = Cache::new();
    fn eval<'i>(
        index: &'i Index,
        q: &Query,
        words: usize,
        cache: &mut Cache<'i>,
    ) -> std::io::Result<Vec<u64>> {
        Ok(match q {
            Query::All => {
                let mut all = vec![u64::MAX; words];
                let extra = words * 64 - index.len();
                if extra > 0 {
                    if let Some(last) = all.last_mut() {
                        *last >>= extra;
                    }
                }
                all
            }
            Query::None => vec![0; words],
            Query::Tri(t, follow) => {
                if !cache.contains_key(t) {
                    cache.insert(*t, index.postings(*t)?);
                }
                let (ids, masks) = &cache[t];
                let mut bits = vec![0u64; words];
                for (&id, &mask) in ids.iter().zip(masks.iter()) {
                    if *follow == plan::ANY || mask & follow != 0 {
                        bits[id as usize / 64] |= 1 << (id % 64);
                    }
                }
                bits
            }
            Query::And(qs) => {
                let mut acc = eval(index, &qs[0], words, cache)?;
                for q in &qs[1..] {
                    if acc.iter().all(|&w| w == 0) {
                        break;
                    }
                    let other = eval(index, q, words, cache)?;
                    acc.iter_mut().zip(other).for_each(|(a, b)| *a &= b);
                }
                acc
            }
            Query::Or(qs) => {
                let mut acc = vec![0u64; words];
                for q in qs {
                    let other = eval(index, q, words, cache)?;
                    acc.iter_mut().zip(other).for_each(|(a, b)| *a |= b);
                }
                acc
            }
        })
    }
    eval(index, query, words, &mut cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebuild_is_named_for_a_bad_index_not_for_a_lack_of_memory() {
        let os = std::io::Error::from_raw_os_error;
        assert!(!rebuild_helps(&os(libc::ENOMEM)));
        assert!(!rebuild_helps(&os(libc::EMFILE)));
        assert!(rebuild_helps(&os(libc::EACCES)));
        let corrupt = std::io::Error::new(std::io::ErrorKind::InvalidData, "truncated");
        assert!(rebuild_helps(&corrupt));
    }

    #[test]
    fn the_racy_window_covers_writeback() {
        // The kernel's defaults: 30 s expiry + 5 s flusher period + 1 s.
        assert_eq!(writeback_window_ns(3500), 36_000_000_000);
        // Never below the timestamp granularity.
        assert_eq!(writeback_window_ns(0), MIN_RACY_NS);
        assert_eq!(writeback_window_ns(i64::MAX), i64::MAX);
    }

    #[test]
    fn only_local_disk_file_systems_are_trusted() {
        assert!(trusted_fs(0xEF53));
        assert!(trusted_fs(0x5846_5342));
        for untrusted in [
            0x0102_1994, // tmpfs
            0x8584_58f6, // ramfs
            0x6969,      // nfs
            0x517B,      // smb
            0xFF53_4D42, // cifs
            0xFE53_4D42, // smb2
            0x6573_5546, // fuse
            0x0102_1997, // 9p
            0x00C3_6400, // ceph
            0x794C_7630, // overlayfs
        ] {
            assert!(!trusted_fs(untrusted), "{untrusted:#x}");
        }
    }
}
