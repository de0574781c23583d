//! Stage 4b: the printer thread, the only code that touches stdout.
//!
//! The pool hands it every job's pieces in walk order. Workers have already
//! formatted everything; this thread only writes bytes, adding the
//! separator between files that only it can know is needed, and writes
//! each file's messages to stderr in the file's place.
//!
//! Buffering: output goes through a block buffer, flushed whenever the
//! pool says the printer is about to wait for a result that is not ready
//! (`Delivery::Idle`), so a reader of a pipe sees each result as soon as
//! everything before it is done, while a flood of results still leaves in
//! large writes. `--line-buffered` (and a terminal) flushes every chunk;
//! `--block-buffered` flushes only when the buffer is full or at the end.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crossbeam_channel::Sender;

use crate::messages::err;
use crate::pool::Delivery;
use crate::printer::json;
use crate::progress::Progress;
use crate::walk::Haystack;

/// Searches a file again with at most this many matching lines: its
/// output and how many it reported.
pub type Rerun<'c> = dyn Fn(&Haystack, u64) -> (Vec<u8>, FileStats) + 'c;
use crate::stats::{self, FileStats, Stats};

/// What a job sends to the printer thread.
pub enum Piece<S> {
    /// Bytes for stdout.
    Out(Vec<u8>),
    /// Messages for stderr (already formatted, one per line).
    Err(Vec<u8>),
    /// Bytes for stdout that did not fit in the budget, written to a
    /// spill file (`run::spill`).
    Spilled(S),
    /// With --max-results: a file's whole output (at most `run::HEAD_ROOM`
    /// bytes) and how many matching lines it holds. The printer prints it
    /// if the limit allows, or has the file searched again with the exact
    /// number left.
    Counted {
        output: Vec<u8>,
        haystack: Haystack,
        /// Its statistics, recorded only if it is printed (so that they
        /// do not depend on timing).
        stats: FileStats,
    },
    /// With --max-results: the end of a file whose output was streamed in
    /// its turn with the exact number left (too large to hold, or stdin),
    /// with its statistics.
    Tally { stats: FileStats, path: Vec<u8> },
}

/// Output waiting in a file: the printer copies it out in its turn, and
/// drops it once printed (which frees its space).
pub trait Stored {
    /// The file, and the offset and length of the bytes in it.
    fn stored(&self) -> (&File, u64, u64);
}

pub struct OutputOptions {
    /// Written between the outputs of two files (a blank line under
    /// headings, `--` between context groups of different files).
    pub file_separator: Option<Vec<u8>>,
    /// Flush after every chunk (interactive terminal, --line-buffered).
    pub line_buffered: bool,
    /// Never flush early (--block-buffered).
    pub block_buffered: bool,
    pub stdout_is_tty: bool,
}

/// What the printer reads of the run besides its options: the
/// --max-results limit and the statistics printed at the end.
#[derive(Clone, Copy)]
pub struct Settings<'c> {
    pub output: &'c OutputOptions,
    /// --max-results: matching lines in total, in walk order.
    pub max_results: Option<u64>,
    pub stats: Option<StatsFormat>,
    /// The totals; the printer adds those of the files it prints with
    /// --max-results.
    pub stats_totals: &'c Stats,
    pub started: Instant,
}

/// What to print after the results (--stats, the --json summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    Human,
    Json,
}

/// The block buffer. A write error (the reader closed the pipe) shows at
/// the next write, so under a flood of results a smaller buffer stops a
/// `| head -1` sooner; 64 KiB (a pipe's size) wrote the big file's 4 M
/// `-n the` lines as fast as 256 KiB did (0.85-0.89 s both).
const BUFFER: usize = 64 * 1024;

pub struct Printer<'c> {
    settings: Settings<'c>,
    quit: &'c AtomicBool,
    out: io::BufWriter<io::StdoutLock<'static>>,
    /// Separators between files, which ripgrep counts as bytes printed
    /// (the files' own bytes are counted by their printers, without color
    /// escapes).
    separator_bytes: u64,
    wrote_any: bool,
    /// The job whose output was written last (a separator goes between jobs).
    last_job: Option<u64>,
    failed: bool,
    progress: Option<&'c Mutex<Progress<'c>>>,
    rerun: &'c Rerun<'c>,
    /// Matching lines printed so far (--max-results), shared with stdin's
    /// worker, which waits for its turn and reads it.
    results: &'c AtomicU64,
    /// Where --max-results stopped the search.
    stopped_in: Option<Vec<u8>>,
    /// Written chunks go back to the workers for reuse, if no larger
    /// than the capacity given.
    spare_buffers: Option<(Sender<Vec<u8>>, usize)>,
}

impl<'c> Printer<'c> {
    pub fn new(
        settings: Settings<'c>,
        quit: &'c AtomicBool,
        progress: Option<&'c Mutex<Progress<'c>>>,
        rerun: &'c Rerun<'c>,
        results: &'c AtomicU64,
    ) -> Printer<'c> {
        let stdout = io::stdout().lock();
        widen_pipe(&stdout);
        Printer {
            settings,
            quit,
            out: io::BufWriter::with_capacity(BUFFER, stdout),
            separator_bytes: 0,
            wrote_any: false,
            last_job: None,
            failed: false,
            progress,
            rerun,
            results,
            stopped_in: None,
            spare_buffers: None,
        }
    }

    /// Hands written chunks back through `spare`: allocating a chunk for
    /// each 1 MB line and freeing it after the write cost 136,000 page
    /// faults and 0.7 s of system time on the slow-first tree's 550 MB
    /// (rg: 1,800 faults, 0.15 s).
    pub fn recycling(self, spare: Sender<Vec<u8>>, largest: usize) -> Printer<'c> {
        Printer {
            spare_buffers: Some((spare, largest)),
            ..self
        }
    }

    /// Matching lines printed, with --max-results.
    pub fn results(&self) -> u64 {
        self.results.load(Ordering::Acquire)
    }

    /// Takes one delivery from the pool. False stops the search (a write
    /// failed: a closed pipe, a full disk).
    pub fn deliver<S: Stored>(&mut self, delivery: Delivery<Piece<S>>) -> bool {
        let result = match delivery {
            Delivery::Chunk {
                job,
                chunk: Piece::Out(bytes),
            } => {
                let result = self.write_out(job, &bytes);
                self.recycle(bytes);
                result
            }
            Delivery::Chunk {
                chunk: Piece::Err(bytes),
                ..
            } => self.write_err(&bytes),
            Delivery::Chunk {
                job,
                chunk: Piece::Spilled(spilled),
            } => {
                let (file, offset, len) = spilled.stored();
                self.write_spilled(job, file, offset, len)
            }
            Delivery::Chunk {
                chunk: Piece::Tally { stats, path },
                ..
            } => return self.tally(&stats, &path),
            Delivery::Chunk {
                job,
                chunk:
                    Piece::Counted {
                        output,
                        haystack,
                        stats,
                    },
            } => return self.write_counted(job, (output, stats), &haystack),
            Delivery::Idle if !self.settings.output.block_buffered => self.out.flush(),
            Delivery::Idle => Ok(()),
        };
        match result {
            Ok(()) => true,
            Err(error) => {
                self.fail(&error);
                false
            }
        }
    }

    /// --max-results: prints a file's output whole if the limit allows,
    /// else searches it again for exactly the number left, and stops the
    /// search once the limit is reached.
    fn write_counted(
        &mut self,
        job: u64,
        searched: (Vec<u8>, FileStats),
        haystack: &Haystack,
    ) -> bool {
        let max = self.settings.max_results.unwrap_or(u64::MAX);
        let left = max.saturating_sub(self.results());
        let (output, stats) = match searched {
            (_, stats) if stats.matched_lines > left => {
                // Messages of the rerun go straight to stderr: after
                // what stdout has so far.
                if let Err(error) = self.out.flush() {
                    self.fail(&error);
                    return false;
                }
                (self.rerun)(haystack, left)
            }
            searched => searched,
        };
        self.results
            .fetch_add(stats.matched_lines, Ordering::AcqRel);
        if self.settings.stats.is_some() {
            self.settings.stats_totals.add(&stats);
        }
        let result = self.write_out(job, &output);
        if let Err(error) = result {
            self.fail(&error);
            return false;
        }
        if self.results() >= max {
            self.stopped_in = Some(haystack.display().to_vec());
            return false;
        }
        true
    }

    /// --max-results: a file streamed with the exact number left has been
    /// printed; stops the search if that was the last.
    fn tally(&mut self, stats: &FileStats, path: &[u8]) -> bool {
        let printed = self
            .results
            .fetch_add(stats.matched_lines, Ordering::AcqRel);
        if self.settings.stats.is_some() {
            self.settings.stats_totals.add(stats);
        }
        let max = self.settings.max_results.unwrap_or(u64::MAX);
        if printed + stats.matched_lines >= max {
            self.stopped_in = Some(path.to_vec());
            return false;
        }
        true
    }

    fn recycle(&self, mut buffer: Vec<u8>) {
        if let Some((spare, largest)) = &self.spare_buffers {
            // Kept small, as the spares add to the memory bound; a chunk
            // in a buffer of its own size is too small to reuse.
            if (crate::printer::CHUNK..=*largest).contains(&buffer.capacity()) {
                buffer.clear();
                let _ = spare.try_send(buffer);
            }
        }
    }

    /// Before a job's first bytes: the separator between files.
    fn begin(&mut self, job: u64) -> io::Result<()> {
        if self.last_job != Some(job) {
            if self.wrote_any {
                if let Some(separator) = &self.settings.output.file_separator {
                    self.out.write_all(separator)?;
                    self.separator_bytes += separator.len() as u64;
                }
            }
            self.last_job = Some(job);
        }
        self.wrote_any = true;
        Ok(())
    }

    /// Output that waited on disk, copied by the kernel (sendfile: into
    /// a pipe it moves page references, no copy), else read and written.
    /// The worker writes each spill file once and never changes what it
    /// wrote, so pages still in the pipe stay valid; the file's space is
    /// freed when its last piece is printed (see `run::spill`).
    fn write_spilled(&mut self, job: u64, file: &File, offset: u64, len: u64) -> io::Result<()> {
        self.begin(job)?;
        let out = &mut self.out;
        let tty = self.progress.is_some() && self.settings.output.stdout_is_tty;
        let flush = tty || self.settings.output.line_buffered;
        let mut copy = || {
            out.flush()?;
            let done = send_file(file, offset, len, out.get_ref())?;
            if done < len {
                let mut reader = file;
                reader.seek(SeekFrom::Start(offset + done))?;
                let copied = io::copy(&mut reader.take(len - done), out)?;
                if copied != len - done {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "spill file shrank",
                    ));
                }
            }
            match flush {
                true => out.flush(),
                false => Ok(()),
            }
        };
        match self.progress {
            // The progress line is hidden, as for other output.
            Some(progress) if tty => progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .suspend(copy),
            _ => copy(),
        }
    }

    fn write_out(&mut self, job: u64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.begin(job)?;
        let opts = &self.settings.output;
        let out = &mut self.out;
        match self.progress {
            // Results share the terminal with the progress line: hide it,
            // write and flush, then let it come back.
            Some(progress) if opts.stdout_is_tty => {
                let progress = progress.lock().unwrap_or_else(|e| e.into_inner());
                progress.suspend(|| out.write_all(bytes).and_then(|()| out.flush()))
            }
            _ if opts.line_buffered => out.write_all(bytes).and_then(|()| out.flush()),
            _ => out.write_all(bytes),
        }
    }

    /// A file's messages: stdout first, so the two streams read together
    /// tell the story in order.
    fn write_err(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.flush()?;
        let write = || {
            let _ = io::stderr().lock().write_all(bytes);
        };
        match self.progress {
            Some(progress) => progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .suspend(write),
            None => write(),
        }
        Ok(())
    }

    fn fail(&mut self, error: &io::Error) {
        if !self.failed {
            // A closed pipe (`trawl x | head -1`) is the reader's choice.
            if error.kind() != io::ErrorKind::BrokenPipe {
                err!("error writing output: {error}");
            }
            self.failed = true;
            // The pool's flag: searchers stop at once, and the pool wakes
            // every thread when `deliver` returns false.
            self.quit.store(true, Ordering::Relaxed);
        }
    }

    /// Writes the statistics (--stats, the --json summary) and flushes.
    pub fn finish(mut self) {
        if let Some(progress) = self.progress {
            progress.lock().unwrap_or_else(|e| e.into_inner()).finish();
        }
        if self.failed {
            // A failed BufWriter would retry writing its buffer on drop.
            let _ = self.out.into_parts();
            return;
        }
        let settings = self.settings;
        let wall = settings.started.elapsed();
        let totals = settings.stats_totals.totals();
        let mut tail = String::new();
        if let (Some(path), Some(max), Some(StatsFormat::Json)) =
            (&self.stopped_in, settings.max_results, settings.stats)
        {
            tail = json::truncated_message(max, path);
        }
        tail += &match settings.stats {
            Some(StatsFormat::Human) => stats::human_block(&totals, self.separator_bytes, wall),
            Some(StatsFormat::Json) => json::summary_message(&totals, wall),
            None => String::new(),
        };
        if let Err(error) = self
            .out
            .write_all(tail.as_bytes())
            .and_then(|()| self.out.flush())
        {
            self.fail(&error);
            let _ = self.out.into_parts();
        }
    }
}

/// Copies `len` bytes of `file` from `offset` to `out` with sendfile(2),
/// returning how many it copied: fewer (none) where the kernel cannot,
/// for the caller to copy the rest itself.
fn send_file(file: &File, offset: u64, len: u64, out: &impl AsRawFd) -> io::Result<u64> {
    let Ok(mut at) = libc::off_t::try_from(offset) else {
        return Ok(0);
    };
    let mut done = 0;
    while done < len {
        let want = usize::try_from(len - done)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        // SAFETY: both descriptors are open for the call; `at` is ours.
        let sent = unsafe { libc::sendfile(out.as_raw_fd(), file.as_raw_fd(), &mut at, want) };
        match sent {
            0 => break,
            n if n > 0 => done += n as u64,
            _ => {
                let error = io::Error::last_os_error();
                match error.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    // Not a descriptor sendfile can write to (O_APPEND,
                    // some special files): the caller copies.
                    Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) if done == 0 => break,
                    _ => return Err(error),
                }
            }
        }
    }
    Ok(done)
}

/// A pipe's capacity, raised for output to a pipe. With Linux's default
/// 64 KiB, a flood of output costs a context switch each way per 64 KiB:
/// on the slow-first tree (550 MB, `| cat`, 2 cores) 18,000 switches and
/// 0.61 s at -j2, 0.38 s with 1 MiB (rg: 0.45 s). The reader sees no
/// difference; the kernel allocates the space only as it fills.
const PIPE_CAPACITY: libc::c_int = 1 << 20;

/// Raises the capacity of `out` if it is a pipe (never lowers it; best
/// effort: an unprivileged user may be refused past its pipe quota).
fn widen_pipe(out: &impl AsRawFd) {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on a descriptor we hold; F_GETPIPE_SZ fails (-1) on
    // anything but a pipe, and then nothing is changed.
    unsafe {
        let fd = out.as_raw_fd();
        let capacity = libc::fcntl(fd, libc::F_GETPIPE_SZ);
        if capacity > 0 && capacity < PIPE_CAPACITY {
            libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_CAPACITY);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = out;
}
