//! Spill files: output that would wait behind a slow head job past the
//! budget goes to a worker's unlinked temporary file instead of memory,
//! so workers never stop while an earlier file is slow (a pipe, a network
//! file, a huge file). Only while the printer is stalled on the head
//! (`send_or_overflow`): when the printer is busy writing, a worker at the
//! budget waits, as spilling would add copies to the bottleneck. Measured
//! on the slow-first tree (benches/adversarial, 2 cores, 2026-11-25,
//! `| cat`, -j2, median of 11): spilling whenever the budget was full,
//! 0.79 s; waiting always, 0.59 s; spilling only behind a stalled printer
//! (and copying out with sendfile), 0.58 s; rg 0.46 s.
//!
//! Spilling is bounded too, all workers together (`Caps`): at most
//! `MAX_BYTES` spilled and not yet printed (a laptop's `/tmp` may be RAM),
//! and at most `FILES_PER_WORKER` open files per worker, fewer if the
//! open file limit leaves less room. Past a cap, or if the disk refuses
//! (full, say), the chunk waits for the budget like any other; the next
//! one tries the disk again.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};

use super::Piece;
use crate::pool::Reply;
use crate::walk::Haystack;

/// Spilled bytes not yet printed, all workers together.
const MAX_BYTES: u64 = 1 << 30;
/// A worker starts a new spill file past this size, so that printed
/// spill data does not hold disk space: a file is removed when its last
/// piece is printed. (Punching holes instead is unsafe once sendfile has
/// put the file's pages in a pipe: a partly punched page is zeroed.)
const SEGMENT: u64 = 64 << 20;
/// Open spill files per worker: the one it writes and a few still being
/// printed.
pub const FILES_PER_WORKER: u64 = 4;
/// Largest buffer kept for reuse: the spares add to the memory bound.
pub const SPARE_CAPACITY: usize = 2 << 20;
/// A new output buffer's capacity: a chunk is sent once it holds
/// `printer::CHUNK` bytes, so lines of up to half a chunk that cross that
/// mark still fit, and a chunk holds at least two thirds of what it weighs.
const CHUNK_CAPACITY: usize = crate::printer::CHUNK * 3 / 2;

/// The caps and what is in use, shared by the workers and the pieces.
pub struct Caps {
    max_bytes: u64,
    max_files: u64,
    segment: u64,
    bytes: AtomicU64,
    files: AtomicU64,
}

impl Caps {
    /// Caps for `workers` workers, of which `spare_handles` open files are
    /// free for spilling (what the open file limit leaves).
    pub fn new(workers: usize, spare_handles: u64) -> Arc<Caps> {
        let (max_bytes, segment) =
            crate::test_hooks::spill_limits().unwrap_or((MAX_BYTES, SEGMENT));
        Arc::new(Caps {
            max_bytes,
            max_files: (workers as u64 * FILES_PER_WORKER).min(spare_handles),
            segment: segment.max(1),
            bytes: AtomicU64::new(0),
            files: AtomicU64::new(0),
        })
    }

    /// Takes `n` of `used` if that stays within `max`.
    fn take(used: &AtomicU64, n: u64, max: u64) -> bool {
        used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
            (now + n <= max).then_some(now + n)
        })
        .is_ok()
    }
}

/// An open spill file; its handle counts against the cap until the last
/// piece in it is printed.
struct Segment {
    file: File,
    caps: Arc<Caps>,
}

impl Drop for Segment {
    fn drop(&mut self) {
        self.caps.files.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A piece of output waiting in a spill file; its bytes count against the
/// cap until it is printed (dropped).
pub struct Spilled {
    segment: Arc<Segment>,
    pub offset: u64,
    pub len: u64,
}

impl Spilled {
    pub fn file(&self) -> &File {
        &self.segment.file
    }
}

impl Drop for Spilled {
    fn drop(&mut self) {
        self.segment
            .caps
            .bytes
            .fetch_sub(self.len, Ordering::AcqRel);
    }
}

/// Buffers handed back for reuse, between workers and the printer.
#[derive(Clone)]
pub struct Spares {
    pub tx: Sender<Vec<u8>>,
    pub rx: Receiver<Vec<u8>>,
}

impl Spares {
    /// A buffer for a file's output: a recycled one, or a new one.
    pub fn take(&self) -> Vec<u8> {
        let mut buffer = self.rx.try_recv().unwrap_or_default();
        buffer.clear();
        buffer.reserve(CHUNK_CAPACITY);
        buffer
    }

    /// Keeps `buffer` for reuse unless it is large (after a long line).
    pub fn give_back(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() <= SPARE_CAPACITY {
            buffer.clear();
            let _ = self.tx.try_send(buffer);
        }
    }
}

/// A worker's spilling.
pub struct Spill {
    caps: Arc<Caps>,
    dir: PathBuf,
    current: Option<Arc<Segment>>,
    end: u64,
}

impl Spill {
    pub fn new(caps: Arc<Caps>) -> Spill {
        Spill::in_dir(caps, std::env::temp_dir())
    }

    fn in_dir(caps: Arc<Caps>, dir: PathBuf) -> Spill {
        Spill {
            caps,
            dir,
            current: None,
            end: 0,
        }
    }

    /// Sends a chunk, to memory or to a spill file, and with `more` gives
    /// back a buffer for the next chunk: a recycled one, or a spilled
    /// chunk's own (which, after the last chunk, goes back to the
    /// spares). Freeing and allocating a 1 MB buffer per file cost a page
    /// fault per 4 KiB. `None` once the search is cancelled.
    pub fn send(
        &mut self,
        reply: &mut Reply<'_, Haystack, Piece>,
        chunk: Vec<u8>,
        more: bool,
        spares: &Spares,
    ) -> Option<Vec<u8>> {
        if chunk.is_empty() {
            // The writer's unused buffer.
            spares.give_back(chunk);
            return Some(Vec::new());
        }
        // A chunk in a much larger buffer (a recycled one, a long line's)
        // would hold all of it while it waits, which the budget counts: it
        // goes in a buffer of its own size, and the large one is reused.
        let mut kept = None;
        let chunk = if chunk.capacity() > 2 * chunk.len() {
            let exact = chunk.clone();
            kept = Some(chunk);
            exact
        } else {
            chunk
        };
        let shrunk = kept.is_some();
        let next = || match (more, kept) {
            (true, Some(mut buffer)) if buffer.capacity() <= SPARE_CAPACITY => {
                buffer.clear();
                buffer
            }
            (true, _) => spares.take(),
            (false, Some(buffer)) => {
                spares.give_back(buffer);
                Vec::new()
            }
            (false, None) => Vec::new(),
        };
        let mut chunk = match reply.send_or_overflow(Piece::Out(chunk)) {
            Ok(sent) => return sent.then(next),
            Err(Piece::Out(chunk)) => chunk,
            Err(_) => unreachable!("send_or_overflow gives back what it was given"),
        };
        match self.write(&chunk) {
            Some(spilled) => reply.send(Piece::Spilled(spilled)).then(|| {
                if shrunk {
                    return next();
                }
                if more && chunk.capacity() <= SPARE_CAPACITY {
                    chunk.clear();
                    return chunk;
                }
                spares.give_back(chunk);
                next()
            }),
            None => reply.send(Piece::Out(chunk)).then(next),
        }
    }

    /// Writes `chunk` to the spill file, or `None` past a cap or if the
    /// disk refuses (the caller then waits for the budget).
    fn write(&mut self, chunk: &[u8]) -> Option<Spilled> {
        let caps = Arc::clone(&self.caps);
        let len = chunk.len() as u64;
        if !Caps::take(&caps.bytes, len, caps.max_bytes) {
            return None;
        }
        let spilled = self.write_counted(chunk);
        if spilled.is_none() {
            caps.bytes.fetch_sub(len, Ordering::AcqRel);
        }
        spilled
    }

    fn write_counted(&mut self, chunk: &[u8]) -> Option<Spilled> {
        if self.end >= self.caps.segment {
            // Pieces still waiting keep the old file open; its space is
            // freed when the last of them is printed.
            self.current = None;
            self.end = 0;
        }
        if self.current.is_none() {
            if !Caps::take(&self.caps.files, 1, self.caps.max_files) {
                return None;
            }
            match tempfile::tempfile_in(&self.dir) {
                Ok(file) => {
                    self.current = Some(Arc::new(Segment {
                        file,
                        caps: Arc::clone(&self.caps),
                    }));
                    self.end = 0;
                }
                Err(_) => {
                    self.caps.files.fetch_sub(1, Ordering::AcqRel);
                    return None;
                }
            }
        }
        let segment = self.current.as_ref()?;
        if segment.file.write_all_at(chunk, self.end).is_err() {
            // Full, say: a later chunk tries a new file.
            self.current = None;
            return None;
        }
        let offset = self.end;
        self.end += chunk.len() as u64;
        Some(Spilled {
            segment: Arc::clone(segment),
            offset,
            len: chunk.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(max_bytes: u64, max_files: u64, segment: u64) -> Arc<Caps> {
        Arc::new(Caps {
            max_bytes,
            max_files,
            segment,
            bytes: AtomicU64::new(0),
            files: AtomicU64::new(0),
        })
    }

    #[test]
    fn spilled_bytes_and_files_stay_under_their_caps() {
        let dir = tempfile::tempdir().unwrap();
        let caps = caps(10, 2, 4);
        let mut spill = Spill::in_dir(Arc::clone(&caps), dir.path().to_path_buf());
        let a = spill.write(b"aaaa").unwrap();
        let b = spill.write(b"bbbb").unwrap(); // a second file
        assert!(spill.write(b"cc").is_none(), "a third file");
        assert_eq!(caps.files.load(Ordering::Relaxed), 2);
        drop(a); // its file closes: a new one may open
        let c = spill.write(b"cc").unwrap();
        assert!(spill.write(b"dddddd").is_none(), "past 10 bytes");
        assert_eq!(caps.bytes.load(Ordering::Relaxed), 6);
        drop((b, c, spill));
        assert_eq!(caps.bytes.load(Ordering::Relaxed), 0);
        assert_eq!(caps.files.load(Ordering::Relaxed), 0);
    }

    /// A disk that refuses once (here: a directory not there yet) does not
    /// end spilling for the rest of the run.
    #[test]
    fn a_failure_to_spill_is_not_for_ever() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("later");
        let caps = caps(100, 2, 64);
        let mut spill = Spill::in_dir(Arc::clone(&caps), dir.clone());
        assert!(spill.write(b"x").is_none());
        assert_eq!(caps.bytes.load(Ordering::Relaxed), 0);
        assert_eq!(caps.files.load(Ordering::Relaxed), 0);
        std::fs::create_dir(&dir).unwrap();
        let spilled = spill.write(b"x").unwrap();
        assert_eq!((spilled.offset, spilled.len), (0, 1));
    }

    #[test]
    fn large_buffers_are_not_kept_for_reuse() {
        let (tx, rx) = crossbeam_channel::bounded(4);
        let spares = Spares { tx, rx };
        spares.give_back(Vec::with_capacity(SPARE_CAPACITY + 1));
        assert!(spares.rx.is_empty());
        spares.give_back(Vec::with_capacity(1024));
        assert_eq!(spares.rx.len(), 1);
    }
}
