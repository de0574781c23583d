//! Opening inputs and choosing how to read them.
//!
//! Files found in a walk are read with read() into the worker's reusable
//! window: a file truncated by another process mid-search then just ends
//! early, whereas a memory map would raise SIGBUS. Memory maps are used
//! for files named on the command line, when at most 10 paths are given
//! and all are files, and for every file with an explicit `--mmap`:
//! ripgrep's policy, which trawl follows because it changes results. On a
//! map, binary detection looks only at the first 64 KiB and at the lines
//! printed (NUL bytes elsewhere go unseen and are not turned into line
//! ends), so `trawl PAT file` prints what `rg PAT file` prints;
//! `--no-mmap` gives ripgrep's `--no-mmap` results.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use memmap2::Mmap;

use super::decompress::{self, Format};
use super::process::CommandReader;
use super::{BinaryMode, Matcher, Searcher};
use crate::sink::Sink;

/// Most paths named for which explicit files are memory-mapped (ripgrep's
/// limit). On the 1 GiB benchmark file a map took 53 ms against 136 ms
/// with read() (the copy is the difference).
pub const MMAP_MAX_PATHS: usize = 10;

#[derive(Default)]
pub struct ReadPolicy {
    /// Map explicit files: at most `MMAP_MAX_PATHS` paths were given, all
    /// files (or `--mmap`), and not `--no-mmap`.
    pub mmap: bool,
    /// An explicit `--mmap`: files found in a walk are mapped too, as in
    /// ripgrep (the user accepts the SIGBUS risk of a file truncated
    /// meanwhile).
    pub mmap_walked: bool,
    /// -z: decompress files whose names say they are compressed.
    pub search_zip: bool,
    /// --pre: search what this program writes for each file instead.
    pub preprocessor: Option<Preprocessor>,
}

/// `--pre COMMAND` and its `--pre-glob`s.
pub struct Preprocessor {
    pub command: PathBuf,
    /// Which files it is for (gitignore-style globs, `!` to exclude);
    /// every file when empty.
    pub globs: ignore::overrides::Override,
}

impl Preprocessor {
    fn applies_to(&self, path: &Path) -> bool {
        self.globs.is_empty() || !self.globs.matched(path, false).is_ignore()
    }

    /// Runs `COMMAND PATH` with the file on its stdin too (ripgrep's
    /// contract) and searches its stdout. Errors name the command as
    /// ripgrep does.
    fn search(
        &self,
        searcher: &mut Searcher,
        matcher: &Matcher,
        path: &Path,
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let mut command = Command::new(&self.command);
        command.arg(path).stdin(Stdio::from(File::open(path)?));
        let mut reader = CommandReader::spawn(&mut command).map_err(|error| {
            io::Error::other(format!(
                "preprocessor command could not start: '{command:?}': {error}"
            ))
        })?;
        let result = match reader.fd() {
            Some(fd) => searcher.search_live(matcher, &mut reader, fd, binary, sink),
            None => searcher.search_reader(matcher, &mut reader, binary, sink),
        };
        let closed = reader.close();
        result.and(closed).map_err(|error| {
            io::Error::other(format!(
                "preprocessor command failed: '{command:?}': {error}"
            ))
        })
    }
}

pub fn search_file(
    searcher: &mut Searcher,
    matcher: &Matcher,
    path: &Path,
    explicit: bool,
    policy: &ReadPolicy,
    binary: BinaryMode,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    if let Some(pre) = policy.preprocessor.as_ref() {
        if pre.applies_to(path) {
            return pre.search(searcher, matcher, path, binary, sink);
        }
    }
    if policy.search_zip {
        if let Some(format) = Format::of(path) {
            let mut reader = decompress::open(format, path)?;
            return searcher.search_reader(matcher, &mut reader as &mut dyn Read, binary, sink);
        }
    }
    let file = File::open(path)?;
    // Only a path named on the command line can be a FIFO or a device: a
    // walk yields regular files alone (mapped only with --mmap).
    if explicit || policy.mmap_walked {
        let meta = file.metadata()?;
        if !meta.is_file() {
            let fd = file.as_raw_fd();
            return searcher.search_live(matcher, &mut &file, fd, binary, sink);
        }
        if policy.mmap {
            if let Some(map) = map_file(&file) {
                if searcher.decodes(&map) {
                    // Decoded as it is read (see Searcher::search_reader_sized).
                    return searcher.search_reader(matcher, &mut &map[..], binary, sink);
                }
                return searcher.search_slice(matcher, &map, binary, sink);
            }
        }
    }
    let file = &file;
    let mut reader = file;
    let mut total_size = || file.metadata().ok().map(|meta| meta.len());
    searcher.search_reader_sized(matcher, &mut reader, &mut total_size, binary, sink)
}

/// The one place trawl maps memory.
///
/// # Safety
/// A map is only sound while no other process truncates or rewrites the
/// file; if one does, reading the lost pages raises SIGBUS. That risk is
/// accepted only for files the user named explicitly (in a walk, only
/// with an explicit `--mmap`), exactly as ripgrep does, and `--no-mmap`
/// turns it off.
fn map_file(file: &File) -> Option<Mmap> {
    // SAFETY: see the function documentation above.
    unsafe { Mmap::map(file) }.ok()
}
