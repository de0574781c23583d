//! The index file: a header with a checksum, then sections, each with its
//! own CRC-32 in the header but POSTINGS (0 there): each posting list has
//! its own CRC-32 in the dictionary, checked when the list is read (a
//! search reads only the lists its query names, so a whole-file checksum
//! would cost a read of the whole index per search). FILES, PATHS, DICT
//! and the listings' sections also have a CRC-32 per `BLOCK` bytes
//! (CHECKS): a search checks a block the first time it reads from it
//! (`Section::checked`). It reads few blocks where it skips most files
//! (a `-t rust -l unsafe` search of the linux corpus read 19 MB to check
//! FILES, PATHS and DICT whole, 2.8 ms of its 22 ms) or searches a
//! subdirectory, and the listing threads check the listings' blocks as
//! they use them, not one thread before the walk.
//!
//! ```text
//! header: magic "TRAWLIX\0", version u32, section count u32,
//!         per section (offset u64, length u64, crc32 u32, 0 u32), crc32 of all before
//! META:     build start (ns since the epoch) i64, racy window (ns) i64,
//!           files u32, trigrams u32, credentials length u32 (0: unknown),
//!           the credentials the build read files with (`super::credentials`),
//!           root path bytes
//! FILES:    per file, sorted by path: path offset u32, path length u32, dev u64,
//!           ino u64, size u64, mtime ns i64, ctime ns i64, mode u32, flags u32
//! PATHS:    the paths, relative to the root, '/'-separated bytes
//! POSTINGS: per trigram, a follow mask per file holding it (u8: the
//!           `plan::follow_bit`s of the bytes after the trigram in that file),
//!           then those files' numbers as LEB128 deltas
//! DICT:     per trigram, ascending: trigram u32, files u32, offset u64, length u32, crc32 u32
//! CHECKS:   per BLOCK of FILES, then of PATHS, DIRS, ENTRIES, NAMES and
//!           DICT (each section's last one shorter): its crc32 u32
//! DIRS:     per directory walked, sorted by path: path offset u32, path length u32
//!           (in NAMES), dev u64, ino u64, size u64, mtime ns i64, ctime ns i64,
//!           mode u32, first entry u32, entries u32, the fingerprint of
//!           the ignore stack its entries' verdicts hold for u64 (0: none)
//! ENTRIES:  per directory, its entries as its readdir gave them, sorted by name:
//!           inode u64, name offset u32 (in NAMES), name length u16, kind u8,
//!           the ignore files' verdict u8 (`rules::Verdict::code`; 0: none)
//! NAMES:    directory paths (relative to the root) and entry names
//! ```
//! All integers little-endian. A file's number is its rank in path order,
//! so the same tree gives the same bytes for any thread count. Sections
//! are written in the order META FILES PATHS DIRS ENTRIES NAMES POSTINGS
//! DICT CHECKS (the header gives their places).

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use memmap2::Mmap;

use super::plan;
use crate::walk::EntryType;

pub const MAGIC: &[u8; 8] = b"TRAWLIX\0";
pub const VERSION: u32 = 9;
const SECTIONS: usize = 9;
const META: usize = 0;
const FILES: usize = 1;
const PATHS: usize = 2;
const POSTINGS: usize = 3;
const DICT: usize = 4;
const DIRS: usize = 5;
const ENTRIES: usize = 6;
const NAMES: usize = 7;
const CHECKS: usize = 8;
/// The sections CHECKS has a CRC-32 per block of, in its order.
const BLOCKED: [usize; 6] = [FILES, PATHS, DIRS, ENTRIES, NAMES, DICT];
/// A block of a BLOCKED section, checked when first read: 16 KiB, a few
/// pages, so that the lookups of a few files or listings check little
/// more than their records.
const BLOCK: usize = 16 << 10;
pub const HEADER_LEN: usize = 8 + 4 + 4 + SECTIONS * 24 + 4;
pub const FILE_REC: usize = 56;
pub const DICT_REC: usize = 24;
pub const DIR_REC: usize = 68;
pub const ENTRY_REC: usize = 16;

/// The file starts with a byte order mark: a search with `--encoding
/// auto` decodes it, so its trigrams are not those of what is searched.
pub const FLAG_BOM: u32 = 1;
/// It changed while it was read: never vouched for.
pub const FLAG_UNSTABLE: u32 = 2;
/// It holds more distinct trigrams than an index keeps for one file
/// (`build::MAX_FILE_TRIGRAMS`: a large binary or compressed file, which
/// nearly any query's trigrams could match): none are stored, and it is
/// always searched.
pub const FLAG_DENSE: u32 = 4;

/// What identifies a file's contents without reading them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime: i64,
    pub ctime: i64,
    pub mode: u32,
}

impl Meta {
    pub fn of(meta: &std::fs::Metadata) -> Meta {
        use std::os::unix::fs::MetadataExt;
        Meta {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            ctime: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
            mode: meta.mode(),
        }
    }

    /// The same from a `stat` buffer (`fstatat`).
    pub fn of_stat(st: &rustix::fs::Stat) -> Meta {
        Meta {
            dev: st.st_dev,
            ino: st.st_ino,
            size: st.st_size as u64,
            mtime: st.st_mtime * 1_000_000_000 + st.st_mtime_nsec as i64,
            ctime: st.st_ctime * 1_000_000_000 + st.st_ctime_nsec as i64,
            mode: st.st_mode,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub meta: Meta,
    pub flags: u32,
}

/// A directory entry's type as its readdir gave it (d_type, or lstat's
/// where the file system gives none). A directory holding entries of
/// other types (FIFOs, sockets, devices) is not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File = 1,
    Dir = 2,
    Symlink = 3,
}

impl Kind {
    pub fn of(file_type: EntryType) -> Option<Kind> {
        match file_type {
            EntryType::File => Some(Kind::File),
            EntryType::Dir => Some(Kind::Dir),
            EntryType::Symlink => Some(Kind::Symlink),
            EntryType::Other => None,
        }
    }

    pub fn entry_type(self) -> EntryType {
        match self {
            Kind::File => EntryType::File,
            Kind::Dir => EntryType::Dir,
            Kind::Symlink => EntryType::Symlink,
        }
    }

    fn from_byte(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::File),
            2 => Some(Kind::Dir),
            3 => Some(Kind::Symlink),
            _ => None,
        }
    }
}

/// A listing's ignore-file verdicts: the fingerprint of the ignore stack
/// they hold for (`rules::Rules::ignore_fingerprint`) and one
/// `rules::Verdict::code` per entry.
pub type Verdicts = (u64, Vec<u8>);

/// One directory as the build's walk read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirListing {
    /// Relative to the root ("" for the root).
    pub path: Vec<u8>,
    /// Its `stat` before it was read.
    pub meta: Meta,
    /// (name, kind, inode), sorted by name.
    pub entries: Vec<(Vec<u8>, Kind, u64)>,
    /// The ignore files' verdict of each entry (`rules::Verdict::code`)
    /// and the fingerprint of the ignore stack they hold for, if known.
    pub verdicts: Option<Verdicts>,
}

/// The number of the path equal to `path` among `count` paths sorted
/// bytewise, `path_at(n)` being the `n`th (None: out of bounds, and the
/// search gives up). Paths out of order make it miss, never find another
/// path: a search then reads what it missed.
fn bisect<'a>(
    count: usize,
    path_at: impl Fn(usize) -> Option<&'a [u8]>,
    path: &[u8],
) -> Option<usize> {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match path_at(mid)?.cmp(path) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// A section of the mapped index file.
#[derive(Default)]
struct Section {
    map: Option<Arc<Mmap>>,
    range: std::ops::Range<usize>,
    /// Where its blocks are checked as they are first read; None where
    /// the whole section was checked when opened.
    blocks: Option<Blocks>,
}

/// A section's block checksums, and which blocks were found good.
struct Blocks {
    crcs: Vec<u32>,
    good: Box<[AtomicU64]>,
    /// The index's: set when a block is found bad.
    damaged: Arc<AtomicBool>,
}

impl Section {
    /// The bytes at `range`, their blocks checked first (each once); None
    /// if out of bounds or a block is bad (which marks the index damaged).
    fn checked(&self, range: std::ops::Range<usize>) -> Option<&[u8]> {
        let all: &[u8] = self;
        let bytes = all.get(range.clone())?;
        if let (Some(blocks), false) = (&self.blocks, range.is_empty()) {
            for block in range.start / BLOCK..=(range.end - 1) / BLOCK {
                if !blocks.check(block, all) {
                    return None;
                }
            }
        }
        Some(bytes)
    }
}

impl Blocks {
    fn check(&self, block: usize, section: &[u8]) -> bool {
        // Relaxed: the bit publishes no data (the map never changes).
        let (word, bit) = (&self.good[block / 64], 1u64 << (block % 64));
        if word.load(Ordering::Relaxed) & bit != 0 {
            return true;
        }
        let bytes = &section[block * BLOCK..section.len().min((block + 1) * BLOCK)];
        if crc32fast::hash(bytes) != self.crcs[block] {
            self.damaged.store(true, Ordering::Relaxed);
            return false;
        }
        word.fetch_or(bit, Ordering::Relaxed);
        true
    }
}

impl std::ops::Deref for Section {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.map
            .as_ref()
            .map_or(&[], |map| &map[self.range.clone()])
    }
}

/// An index mapped and checked (each section's CRC-32 when opened, each
/// posting list's when read). Mapped, not read: copying the sections a
/// search needs (20 MB on the linux corpus) cost 15 ms per search, most
/// of a `-g '*.rs' -l fn` run (benches/README.md, "The index's load").
pub struct Index {
    pub root: Vec<u8>,
    pub build_start: i64,
    /// The racy window the build used (`super::racy_window_ns`).
    pub racy_ns: i64,
    /// The credentials every vouched-for file and listing was read with
    /// (`super::credentials`); None if the build could not read its own.
    pub creds: Option<Vec<u8>>,
    /// The header's CRC-32, which covers every section's: it names the
    /// delta a refresh writes beside this index (`super::delta_file`).
    pub header_crc: u32,
    files: Section,
    paths: Section,
    dict: Section,
    postings: Section,
    dirs: Section,
    entries: Section,
    names: Section,
    /// A block of a BLOCKED section was found bad after the index was
    /// opened (`Section::checked`).
    damaged: Arc<AtomicBool>,
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// A block of a BLOCKED section read out of bounds or found bad.
fn bad_block() -> io::Error {
    corrupt("section checksum mismatch")
}

impl Index {
    /// Opens and checks an index. Errors say what is wrong (corrupt,
    /// truncated, another version, another root).
    pub fn open(path: &Path, expect_root: &[u8]) -> io::Result<Index> {
        Index::from_file(File::open(path)?, expect_root)
    }

    /// `open` of a file already opened (and checked by its descriptor),
    /// every section checked whole, its paths and listings in full
    /// (`check_order`), for a refresh, which relies on their order.
    pub fn from_file(file: File, expect_root: &[u8]) -> io::Result<Index> {
        let index = Index::opened(file, expect_root, true, false)?;
        index.check_order()?;
        Ok(index)
    }

    /// `from_file` for a search: META's and CHECKS' checksums are checked,
    /// and the blocks of the other sections (all but POSTINGS, whose lists
    /// have their own) as they are first read (`damaged` tells if one was
    /// bad); the order of paths and listings is not checked (a search
    /// finds a path by bisection, which misses a path out of order and so
    /// reads it), and a listing's records are when it is used
    /// (`check_dir`): checking all of them first cost a `-g '*.rs' -l fn`
    /// search 5% of its time (linux corpus), on one thread before the
    /// walk. Without `with_files`, only the directory listings are read
    /// (FILES, PATHS and DICT, 90% of what a search reads of the linux
    /// corpus's index, are left out: the index then has no file), for a
    /// search that can skip no file.
    pub fn from_file_with(file: File, expect_root: &[u8], with_files: bool) -> io::Result<Index> {
        Index::opened(file, expect_root, with_files, true)
    }

    fn opened(file: File, expect_root: &[u8], with_files: bool, lazy: bool) -> io::Result<Index> {
        let mut header = [0u8; HEADER_LEN];
        let mut got = 0;
        while got < HEADER_LEN {
            match file.read_at(&mut header[got..], got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // What a file is, before whether it is whole.
        if got >= MAGIC.len() && &header[..8] != MAGIC {
            return Err(corrupt("not a trawl index"));
        }
        if got < HEADER_LEN {
            return Err(corrupt("truncated (no header)"));
        }
        let version = u32_at(&header, 8);
        if version != VERSION {
            return Err(corrupt(&format!(
                "version {version}, this trawl reads version {VERSION}"
            )));
        }
        if crc32fast::hash(&header[..HEADER_LEN - 4]) != u32_at(&header, HEADER_LEN - 4) {
            return Err(corrupt("header checksum mismatch"));
        }
        if u32_at(&header, 12) as usize != SECTIONS {
            return Err(corrupt("unexpected section count"));
        }
        let section = |n: usize| {
            let at = 16 + n * 24;
            (
                u64_at(&header, at),
                u64_at(&header, at + 8),
                u32_at(&header, at + 16),
            )
        };
        // SAFETY: an index file is never written in place: builds and
        // refreshes write a new file and rename it over the old one. Only
        // its owner (checked by the caller) could truncate it under the
        // map, which would end the search with SIGBUS, as rg's mapped
        // reads of searched files would.
        let map = Arc::new(unsafe { Mmap::map(&file)? });
        // Every section within the map: slicing it cannot fail.
        let len = map.len() as u64;
        for n in 0..SECTIONS {
            let (off, slen, _) = section(n);
            if off.checked_add(slen).is_none_or(|end| end > len) {
                return Err(corrupt("truncated"));
            }
        }
        let section_of = |n: usize| {
            let (off, slen, _) = section(n);
            Section {
                map: Some(Arc::clone(&map)),
                range: off as usize..(off + slen) as usize,
                blocks: None,
            }
        };
        let read = |n: usize| -> io::Result<Section> {
            let bytes = section_of(n);
            if crc32fast::hash(&bytes) != section(n).2 {
                return Err(corrupt("section checksum mismatch"));
            }
            Ok(bytes)
        };
        let meta = read(META)?;
        if meta.len() < 28 {
            return Err(corrupt("truncated metadata"));
        }
        let build_start = u64_at(&meta, 0) as i64;
        let racy_ns = u64_at(&meta, 8) as i64;
        let n_files = u32_at(&meta, 16) as usize;
        let n_trigrams = u32_at(&meta, 20) as usize;
        let creds_len = u32_at(&meta, 24) as usize;
        let Some(creds) = meta.get(28..28 + creds_len) else {
            return Err(corrupt("truncated metadata"));
        };
        let creds = (creds_len > 0).then(|| creds.to_vec());
        let root = meta[28 + creds_len..].to_vec();
        if root != expect_root {
            return Err(corrupt(&format!(
                "built for another root ({})",
                String::from_utf8_lossy(&root)
            )));
        }
        let damaged = Arc::new(AtomicBool::new(false));
        // Each section's blocks and their checksums; a search checks a
        // block when it first reads it, a refresh (not `lazy`) every block
        // now (it relies on the whole index, CHECKS included: a refresh
        // that kept a bad CHECKS would leave every search warning).
        let checks = read(CHECKS)?;
        let mut crcs = checks.chunks_exact(4).map(|c| u32_at(c, 0));
        let blocked = BLOCKED.map(|n| {
            let mut blocked = section_of(n);
            let count = blocked.len().div_ceil(BLOCK);
            blocked.blocks = Some(Blocks {
                crcs: crcs.by_ref().take(count).collect(),
                good: (0..count.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
                damaged: Arc::clone(&damaged),
            });
            blocked
        });
        let counts = blocked
            .iter()
            .map(|s| s.len().div_ceil(BLOCK))
            .sum::<usize>();
        if checks.len() != counts * 4 {
            return Err(corrupt("section sizes disagree"));
        }
        let mut blocked = match with_files {
            true => blocked,
            // The index then has no file.
            false => {
                let [_, _, dirs, entries, names, _] = blocked;
                let none = Section::default;
                [none(), none(), dirs, entries, names, none()]
            }
        };
        if !lazy {
            for section in &mut blocked {
                if section.checked(0..section.len()).is_none() {
                    return Err(bad_block());
                }
                section.blocks = None;
            }
        }
        let [files, paths, dirs, entries, names, dict] = blocked;
        if with_files && (files.len() != n_files * FILE_REC || dict.len() != n_trigrams * DICT_REC)
            || dirs.len() % DIR_REC != 0
            || entries.len() % ENTRY_REC != 0
        {
            return Err(corrupt("section sizes disagree"));
        }
        let index = Index {
            root,
            build_start,
            racy_ns,
            creds,
            header_crc: u32_at(&header, HEADER_LEN - 4),
            files,
            paths,
            dict,
            postings: section_of(POSTINGS),
            dirs,
            entries,
            names,
            damaged,
        };
        Ok(index)
    }

    /// File paths in bounds and strictly ascending; directory paths the
    /// same, every listing as `check_dir` checks it.
    fn check_order(&self) -> io::Result<()> {
        let mut last: Option<&[u8]> = None;
        for id in 0..self.len() {
            let Some(path) = self.path_of(id) else {
                return Err(corrupt("path out of bounds"));
            };
            if last.is_some_and(|l| l >= path) {
                return Err(corrupt("paths out of order"));
            }
            last = Some(path);
        }
        let mut last: Option<&[u8]> = None;
        for id in 0..self.dir_count() {
            let Some(path) = self.dir_path_of(id) else {
                return Err(corrupt("directory path out of bounds"));
            };
            if last.is_some_and(|l| l >= path) {
                return Err(corrupt("directories out of order"));
            }
            last = Some(path);
            if !self.check_dir(id) {
                return Err(corrupt("bad directory entries"));
            }
        }
        Ok(())
    }

    /// Whether directory `id`'s entries are in bounds, of known kinds,
    /// with names in bounds, without '/', and strictly ascending: what
    /// `dir_listing` and `dir_verdicts` rely on.
    pub fn check_dir(&self, id: usize) -> bool {
        self.checked_entries(id, |_, _, _| {})
    }

    /// Calls `each` with every entry of directory `id` (name, kind,
    /// inode) as long as its record checks out (`check_dir`); false if
    /// one does not (the entries before it were given). One pass where a
    /// check and then a copy took two (a search copies each listing it
    /// uses).
    pub fn checked_entries(&self, id: usize, mut each: impl FnMut(&[u8], Kind, u64)) -> bool {
        let n_entries = self.entries.len() / ENTRY_REC;
        let Some(rec) = self.dir_rec(id) else {
            return false;
        };
        let (first, count) = (u32_at(rec, 52) as usize, u32_at(rec, 56) as usize);
        if first.checked_add(count).is_none_or(|end| end > n_entries) {
            return false;
        }
        let mut prev: Option<&[u8]> = None;
        for e in first..first + count {
            let Some(rec) = self.entry_rec(e) else {
                return false;
            };
            let (no, nl) = (
                u32_at(rec, 8) as usize,
                usize::from(rec[12]) | usize::from(rec[13]) << 8,
            );
            let Some(name) = self.names.checked(no..no + nl) else {
                return false;
            };
            if name.is_empty() || name.contains(&b'/') || prev.is_some_and(|p| p >= name) {
                return false;
            }
            let Some(kind) = Kind::from_byte(rec[14]) else {
                return false;
            };
            each(name, kind, u64_at(rec, 0));
            prev = Some(name);
        }
        true
    }

    pub fn dir_count(&self) -> usize {
        self.dirs.len() / DIR_REC
    }

    /// Directory `id`'s record, None if out of bounds or damaged.
    fn dir_rec(&self, id: usize) -> Option<&[u8]> {
        self.dirs.checked(id * DIR_REC..(id + 1) * DIR_REC)
    }

    /// Entry `e`'s record, None if out of bounds or damaged.
    fn entry_rec(&self, e: usize) -> Option<&[u8]> {
        self.entries.checked(e * ENTRY_REC..(e + 1) * ENTRY_REC)
    }

    /// Directory `id`'s path, None if out of bounds or damaged.
    fn dir_path_of(&self, id: usize) -> Option<&[u8]> {
        let rec = self.dirs.checked(id * DIR_REC..id * DIR_REC + 8)?;
        let (po, pl) = (u32_at(rec, 0) as usize, u32_at(rec, 4) as usize);
        self.names.checked(po..po.checked_add(pl)?)
    }

    /// The number of the directory at `path` (relative to the root).
    pub fn dir_lookup(&self, path: &[u8]) -> Option<usize> {
        bisect(self.dir_count(), |n| self.dir_path_of(n), path)
    }

    /// The directory's `stat` when it was read; None if out of bounds or
    /// damaged.
    pub fn dir_meta(&self, id: usize) -> Option<Meta> {
        let r = self.dir_rec(id)?;
        Some(Meta {
            dev: u64_at(r, 8),
            ino: u64_at(r, 16),
            size: u64_at(r, 24),
            mtime: u64_at(r, 32) as i64,
            ctime: u64_at(r, 40) as i64,
            mode: u32_at(r, 48),
        })
    }

    /// A stored directory in full (for a refresh, which opens an index
    /// checked whole and in order, and keeps the listing; its verdicts
    /// are those the refresh's own walk records). None if it is bad.
    pub fn dir_listing(&self, id: usize) -> Option<DirListing> {
        let mut entries = Vec::new();
        let good = self.checked_entries(id, |name, kind, ino| {
            entries.push((name.to_vec(), kind, ino))
        });
        good.then_some(())?;
        Some(DirListing {
            path: self.dir_path_of(id)?.to_vec(),
            meta: self.dir_meta(id)?,
            entries,
            verdicts: None,
        })
    }

    /// The fingerprint directory `id`'s verdicts were stored for, if any
    /// (none if its record is out of bounds or damaged).
    pub fn dir_fingerprint(&self, id: usize) -> Option<u64> {
        let r = self.dir_rec(id)?;
        Some(u64_at(r, 60)).filter(|&f| f != 0)
    }

    /// The ignore files' verdicts stored for directory `id`'s entries
    /// (one `rules::Verdict::code` each, in order) and their fingerprint;
    /// None if the build recorded none, or a record is out of bounds or
    /// damaged.
    pub fn dir_verdicts(&self, id: usize) -> Option<Verdicts> {
        let r = self.dir_rec(id)?;
        let fingerprint = u64_at(r, 60);
        if fingerprint == 0 {
            return None;
        }
        let (first, count) = (u32_at(r, 52) as usize, u32_at(r, 56) as usize);
        let codes = (first..first.checked_add(count)?)
            .map(|e| Some(self.entry_rec(e)?[15]))
            .collect::<Option<Vec<u8>>>()?;
        Some((fingerprint, codes))
    }

    /// Whether directory `id` is stored as `listing` holds it: the same
    /// path, `stat`, entries and verdicts.
    pub fn same_listing(&self, id: usize, listing: &DirListing) -> bool {
        self.dir_listing(id).is_some_and(|stored| {
            stored.entries == listing.entries
                && stored.meta == listing.meta
                && stored.path == listing.path
        }) && self.dir_verdicts(id) == listing.verdicts
    }

    /// Every file's trigram set, ascending, by file number, each
    /// trigram with its follow mask (`trigram << 8 | mask`, as a build
    /// reads them), for a refresh that carries a delta's files into the
    /// next one.
    pub fn file_sets(&self) -> io::Result<Vec<Vec<u32>>> {
        let mut sets = vec![Vec::new(); self.len()];
        for n in 0..self.trigram_count() {
            let t = self.trigram_at(n)?;
            if t >= 1 << 24 {
                return Err(corrupt("trigram out of range"));
            }
            let (ids, masks) = self.postings_at(n)?;
            for (id, mask) in ids.into_iter().zip(masks) {
                sets[id as usize].push(t << 8 | u32::from(mask & plan::ANY));
            }
        }
        Ok(sets)
    }

    pub fn len(&self) -> usize {
        self.files.len() / FILE_REC
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a block of a BLOCKED section was found bad since the
    /// index was opened: what was read of it before is good.
    pub fn damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }

    /// File `id`'s path, None if out of bounds or damaged.
    fn path_of(&self, id: usize) -> Option<&[u8]> {
        let rec = self.files.checked(id * FILE_REC..id * FILE_REC + 8)?;
        let (po, pl) = (u32_at(rec, 0) as usize, u32_at(rec, 4) as usize);
        self.paths.checked(po..po.checked_add(pl)?)
    }

    /// File `id`'s record, None if out of bounds or damaged.
    pub fn entry(&self, id: usize) -> Option<Entry> {
        let r = self.files.checked(id * FILE_REC..(id + 1) * FILE_REC)?;
        Some(Entry {
            meta: Meta {
                dev: u64_at(r, 8),
                ino: u64_at(r, 16),
                size: u64_at(r, 24),
                mtime: u64_at(r, 32) as i64,
                ctime: u64_at(r, 40) as i64,
                mode: u32_at(r, 48),
            },
            flags: u32_at(r, 52),
        })
    }

    /// The file number of `path` (relative to the root).
    pub fn lookup(&self, path: &[u8]) -> Option<usize> {
        bisect(self.len(), |n| self.path_of(n), path)
    }

    /// `lookup`, starting from file number `hint`, for a caller that asks
    /// in ascending order (a listing's files): a gallop forward from the
    /// hint, then a bisection, costs about twice the log of the distance
    /// instead of the log of the whole index (17 comparisons per file on
    /// the linux corpus, 5% of an indexed search's CPU).
    pub fn lookup_from(&self, path: &[u8], hint: usize) -> Option<usize> {
        let n = self.len();
        // A listing's files are numbered one after another: most lookups
        // are of the file after the last one found.
        if hint + 1 < n && self.path_of(hint + 1)? == path {
            return Some(hint + 1);
        }
        if hint >= n || self.path_of(hint)? > path {
            return self.lookup(path);
        }
        // path(lo) <= path; path(lo + step), if any, is the next probe.
        let (mut lo, mut step) = (hint, 1);
        while lo + step < n && self.path_of(lo + step)? <= path {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(n);
        bisect(hi - lo, |k| self.path_of(lo + k), path).map(|k| lo + k)
    }

    pub fn trigram_count(&self) -> usize {
        self.dict.len() / DICT_REC
    }

    /// The dictionary's `n`th trigram.
    pub fn trigram_at(&self, n: usize) -> io::Result<u32> {
        let rec = self.dict.checked(n * DICT_REC..n * DICT_REC + 4);
        rec.map(|rec| u32_at(rec, 0)).ok_or_else(bad_block)
    }

    fn find(&self, trigram: u32) -> io::Result<Option<usize>> {
        let (mut lo, mut hi) = (0, self.trigram_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.trigram_at(mid)?.cmp(&trigram) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Some(mid)),
            }
        }
        Ok(None)
    }

    /// The files holding `trigram`, ascending (empty if none does), and
    /// each one's follow mask.
    pub fn postings(&self, trigram: u32) -> io::Result<(Vec<u32>, &[u8])> {
        match self.find(trigram)? {
            Some(n) => self.postings_at(n),
            None => Ok((Vec::new(), &[])),
        }
    }

    /// The posting list of the dictionary's `n`th trigram, checked: its
    /// files and their follow masks.
    pub fn postings_at(&self, n: usize) -> io::Result<(Vec<u32>, &[u8])> {
        let (_, count, off, len, crc) = self.dict_record(n)?;
        let (masks, numbers) = split_list(self.list_bytes(off, len, crc)?, count)?;
        let ids = decode(numbers, self.len()).ok_or_else(|| corrupt("bad posting list"))?;
        if ids.len() != count as usize {
            return Err(corrupt("bad posting list"));
        }
        Ok((ids, masks))
    }

    /// The dictionary's `n`th record: trigram, files, offset in the
    /// posting section, length, CRC-32.
    fn dict_record(&self, n: usize) -> io::Result<(u32, u32, u64, u64, u32)> {
        let rec = self.dict.checked(n * DICT_REC..(n + 1) * DICT_REC);
        let rec = rec.ok_or_else(bad_block)?;
        Ok((
            u32_at(rec, 0),
            u32_at(rec, 4),
            u64_at(rec, 8),
            u64::from(u32_at(rec, 16)),
            u32_at(rec, 20),
        ))
    }

    /// A posting list's bytes, `len` at `off` in the posting section,
    /// checked against its CRC-32.
    fn list_bytes(&self, off: u64, len: u64, crc: u32) -> io::Result<&[u8]> {
        let bytes = off
            .checked_add(len)
            .filter(|&end| end <= self.postings.len() as u64)
            .map(|end| &self.postings[off as usize..end as usize])
            .ok_or_else(|| corrupt("posting list out of bounds"))?;
        if crc32fast::hash(bytes) != crc {
            return Err(corrupt("posting list checksum mismatch"));
        }
        Ok(bytes)
    }

    /// The `n`th posting list's bytes (CRC checked), its file count and
    /// CRC-32 (for a refresh, which copies lists it need not decode).
    pub fn list(&self, n: usize) -> io::Result<(&[u8], u32, u32)> {
        let (_, count, off, len, crc) = self.dict_record(n)?;
        Ok((self.list_bytes(off, len, crc)?, count, crc))
    }
}

/// A posting list's follow masks and its LEB128 file numbers.
pub fn split_list(list: &[u8], count: u32) -> io::Result<(&[u8], &[u8])> {
    match list.len() >= count as usize {
        true => Ok(list.split_at(count as usize)),
        false => Err(corrupt("bad posting list")),
    }
}

/// LEB128 deltas back into ascending file numbers below `n`.
fn decode(buf: &[u8], n: usize) -> Option<Vec<u32>> {
    file_numbers(buf)
        .map(|id| id.filter(|&id| id < n as u64).map(|id| id as u32))
        .collect()
}

/// The file numbers a posting list (LEB128 deltas) holds, in order; an
/// item is None where the list is malformed (a number too long, not
/// ascending, or cut short), and the list ends there. The one decoder
/// for reading, refreshing and merging lists.
pub fn file_numbers(buf: &[u8]) -> impl Iterator<Item = Option<u64>> + '_ {
    let (mut pos, mut prev) = (0, None::<u64>);
    std::iter::from_fn(move || {
        if pos == buf.len() {
            return None;
        }
        let (mut value, mut shift) = (0u64, 0u32);
        while pos < buf.len() && shift <= 35 {
            let b = buf[pos];
            pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                let id = match prev {
                    None => value,
                    Some(p) if value > 0 => p + value,
                    Some(_) => break,
                };
                prev = Some(id);
                return Some(Some(id));
            }
        }
        pos = buf.len();
        Some(None)
    })
}

pub fn encode_delta(out: &mut Vec<u8>, delta: u32) {
    let mut v = delta;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes an index: `begin`, then `add_lists` in ascending trigram
/// order, then `finish`.
pub struct Writer {
    out: io::BufWriter<File>,
    pos: u64,
    sections: [(u64, u64, u32); SECTIONS],
    dict: Vec<u8>,
    postings_start: u64,
    /// Per section, the checksums of its blocks, if it is one of BLOCKED.
    checks: [Vec<u8>; SECTIONS],
}

impl Writer {
    pub fn begin(
        out: File,
        root: &[u8],
        build_start: i64,
        racy_ns: i64,
        creds: Option<&[u8]>,
        files: &[(Vec<u8>, Entry)],
        dirs: &[DirListing],
    ) -> io::Result<Writer> {
        let mut out = io::BufWriter::with_capacity(1 << 20, out);
        out.write_all(&[0u8; HEADER_LEN])?;
        let mut w = Writer {
            out,
            pos: HEADER_LEN as u64,
            sections: [(0, 0, 0); SECTIONS],
            dict: Vec::new(),
            postings_start: 0,
            checks: Default::default(),
        };
        let mut meta = Vec::new();
        meta.extend_from_slice(&build_start.to_le_bytes());
        meta.extend_from_slice(&racy_ns.to_le_bytes());
        meta.extend_from_slice(&(files.len() as u32).to_le_bytes());
        meta.extend_from_slice(&0u32.to_le_bytes()); // trigrams: patched in finish
        let creds = creds.unwrap_or_default();
        meta.extend_from_slice(&(creds.len() as u32).to_le_bytes());
        meta.extend_from_slice(creds);
        meta.extend_from_slice(root);
        w.section(META, &meta)?;
        let mut recs = Vec::with_capacity(files.len() * FILE_REC);
        let mut paths = Vec::new();
        for (path, e) in files {
            recs.extend_from_slice(&(paths.len() as u32).to_le_bytes());
            recs.extend_from_slice(&(path.len() as u32).to_le_bytes());
            paths.extend_from_slice(path);
            let m = &e.meta;
            for v in [m.dev, m.ino, m.size, m.mtime as u64, m.ctime as u64] {
                recs.extend_from_slice(&v.to_le_bytes());
            }
            recs.extend_from_slice(&m.mode.to_le_bytes());
            recs.extend_from_slice(&e.flags.to_le_bytes());
        }
        // Offsets are u32: a tree whose paths or names pass 4 GiB (or
        // 2^32 entries) gets no index rather than wrapped ones.
        let too_big = |len: usize| match u32::try_from(len) {
            Ok(_) => Ok(()),
            Err(_) => Err(io::Error::other(
                "too many paths for an index (4 GiB of names)",
            )),
        };
        too_big(files.len())?;
        too_big(paths.len())?;
        w.section(FILES, &recs)?;
        w.section(PATHS, &paths)?;
        let (mut recs, mut entries, mut names) = (Vec::new(), Vec::new(), Vec::new());
        let mut n_entries = 0u32;
        for dir in dirs {
            recs.extend_from_slice(&(names.len() as u32).to_le_bytes());
            recs.extend_from_slice(&(dir.path.len() as u32).to_le_bytes());
            names.extend_from_slice(&dir.path);
            let m = &dir.meta;
            for v in [m.dev, m.ino, m.size, m.mtime as u64, m.ctime as u64] {
                recs.extend_from_slice(&v.to_le_bytes());
            }
            recs.extend_from_slice(&m.mode.to_le_bytes());
            recs.extend_from_slice(&n_entries.to_le_bytes());
            recs.extend_from_slice(&(dir.entries.len() as u32).to_le_bytes());
            let codes = dir
                .verdicts
                .as_ref()
                .filter(|(_, codes)| codes.len() == dir.entries.len());
            recs.extend_from_slice(&codes.map_or(0, |(fp, _)| *fp).to_le_bytes());
            for (n, (name, kind, ino)) in dir.entries.iter().enumerate() {
                entries.extend_from_slice(&ino.to_le_bytes());
                entries.extend_from_slice(&(names.len() as u32).to_le_bytes());
                // Names are at most NAME_MAX (255) bytes: the build stores
                // no directory with a longer one.
                entries.extend_from_slice(&(name.len() as u16).to_le_bytes());
                let code = codes.map_or(0, |(_, codes)| codes[n]);
                entries.extend_from_slice(&[*kind as u8, code]);
                names.extend_from_slice(name);
            }
            n_entries = n_entries
                .checked_add(dir.entries.len() as u32)
                .ok_or_else(|| io::Error::other("too many directory entries for an index"))?;
        }
        too_big(names.len())?;
        w.section(DIRS, &recs)?;
        w.section(ENTRIES, &entries)?;
        w.section(NAMES, &names)?;
        w.postings_start = w.pos;
        Ok(w)
    }

    fn section(&mut self, n: usize, bytes: &[u8]) -> io::Result<()> {
        if BLOCKED.contains(&n) {
            for block in bytes.chunks(BLOCK) {
                self.checks[n].extend_from_slice(&crc32fast::hash(block).to_le_bytes());
            }
        }
        self.out.write_all(bytes)?;
        self.sections[n] = (self.pos, bytes.len() as u64, crc32fast::hash(bytes));
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Posting lists (follow masks, then LEB128 deltas), one after
    /// another in `bytes`: per list its trigram, file count, CRC-32 and
    /// length. Written at once: copied into the buffer one by one, the
    /// lists cost the write's thread a pass over 287 MB (linux corpus),
    /// the end of a build, when nothing else runs.
    pub fn add_lists(&mut self, bytes: &[u8], lists: &[(u32, u32, u32, usize)]) -> io::Result<()> {
        let mut at = self.pos - self.postings_start;
        for &(trigram, count, crc, len) in lists {
            self.dict.extend_from_slice(&trigram.to_le_bytes());
            self.dict.extend_from_slice(&count.to_le_bytes());
            self.dict.extend_from_slice(&at.to_le_bytes());
            self.dict.extend_from_slice(&(len as u32).to_le_bytes());
            self.dict.extend_from_slice(&crc.to_le_bytes());
            at += len as u64;
        }
        if at != self.pos - self.postings_start + bytes.len() as u64 {
            return Err(io::Error::other(
                "posting lists of another length than their bytes",
            ));
        }
        self.out.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<File> {
        self.sections[POSTINGS] = (self.postings_start, self.pos - self.postings_start, 0);
        let dict = std::mem::take(&mut self.dict);
        self.section(DICT, &dict)?;
        let checks = BLOCKED
            .map(|n| std::mem::take(&mut self.checks[n]))
            .concat();
        self.section(CHECKS, &checks)?;
        // The trigram count in META, and META's checksum with it.
        let (meta_off, meta_len, _) = self.sections[META];
        let mut meta = vec![0u8; meta_len as usize];
        self.out.flush()?;
        let file = self.out.get_ref();
        file.read_exact_at(&mut meta, meta_off)?;
        meta[20..24].copy_from_slice(&((dict.len() / DICT_REC) as u32).to_le_bytes());
        file.write_all_at(&meta, meta_off)?;
        self.sections[META].2 = crc32fast::hash(&meta);
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&(SECTIONS as u32).to_le_bytes());
        for (off, len, crc) in self.sections {
            header.extend_from_slice(&off.to_le_bytes());
            header.extend_from_slice(&len.to_le_bytes());
            header.extend_from_slice(&crc.to_le_bytes());
            header.extend_from_slice(&0u32.to_le_bytes());
        }
        let crc = crc32fast::hash(&header);
        header.extend_from_slice(&crc.to_le_bytes());
        file.write_all_at(&header, 0)?;
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An index of `paths` (sorted, distinct) with no lists or listings.
    fn index_of(paths: &[Vec<u8>]) -> Index {
        let file = tempfile::tempfile().unwrap();
        let entry = Entry {
            meta: Meta::default(),
            flags: 0,
        };
        let files: Vec<_> = paths.iter().map(|p| (p.clone(), entry)).collect();
        let writer = Writer::begin(file, b"/r", 0, 0, None, &files, &[]).unwrap();
        Index::from_file(writer.finish().unwrap(), b"/r").unwrap()
    }

    proptest! {
        /// From any hint, `lookup_from` finds what `lookup` finds.
        #[test]
        fn lookup_from_any_hint_is_lookup(
            paths in proptest::collection::btree_set("[ab/]{1,6}", 0..60),
            probes in proptest::collection::vec("[ab/]{1,6}", 1..20),
            hint in 0usize..80,
        ) {
            let paths: Vec<Vec<u8>> = paths.into_iter().map(String::into_bytes).collect();
            let index = index_of(&paths);
            for probe in paths.iter().chain(probes.iter().map(|p| p.as_bytes().to_vec()).collect::<Vec<_>>().iter()) {
                prop_assert_eq!(index.lookup_from(probe, hint), index.lookup(probe));
            }
        }
    }
}
