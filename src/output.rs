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

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::cli::config::{Config, StatsFormat};
use crate::messages::err;
use crate::pool::Delivery;
use crate::printer::json;
use crate::progress::Progress;
use crate::run::Piece;
use crate::walk::Haystack;

/// Searches a file again with at most this many matching lines: its
/// output and how many it reported.
pub type Rerun<'c> = dyn Fn(&Haystack, u64) -> (Vec<u8>, u64) + 'c;
use crate::stats;

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

const BUFFER: usize = 256 * 1024;

pub struct Printer<'c> {
    config: &'c Config,
    quit: &'c AtomicBool,
    out: io::BufWriter<io::StdoutLock<'static>>,
    /// Bytes written to stdout, for --stats.
    printed: u64,
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
}

impl<'c> Printer<'c> {
    pub fn new(
        config: &'c Config,
        quit: &'c AtomicBool,
        progress: Option<&'c Mutex<Progress<'c>>>,
        rerun: &'c Rerun<'c>,
        results: &'c AtomicU64,
    ) -> Printer<'c> {
        Printer {
            config,
            quit,
            out: io::BufWriter::with_capacity(BUFFER, io::stdout().lock()),
            printed: 0,
            wrote_any: false,
            last_job: None,
            failed: false,
            progress,
            rerun,
            results,
            stopped_in: None,
        }
    }

    /// Matching lines printed, with --max-results.
    pub fn results(&self) -> u64 {
        self.results.load(Ordering::Acquire)
    }

    /// Takes one delivery from the pool. False stops the search (a write
    /// failed: a closed pipe, a full disk).
    pub fn deliver(&mut self, delivery: Delivery<Piece>) -> bool {
        let result = match delivery {
            Delivery::Chunk {
                job,
                chunk: Piece::Out(bytes),
            } => self.write_out(job, &bytes),
            Delivery::Chunk {
                chunk: Piece::Err(bytes),
                ..
            } => self.write_err(&bytes),
            Delivery::Chunk {
                job,
                chunk:
                    Piece::Counted {
                        results,
                        output,
                        haystack,
                    },
            } => return self.write_counted(job, results, &output, &haystack),
            Delivery::Idle if !self.config.output.block_buffered => self.out.flush(),
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
        results: u64,
        output: &[u8],
        haystack: &Haystack,
    ) -> bool {
        let max = self.config.max_results.unwrap_or(u64::MAX);
        let left = max.saturating_sub(self.results());
        let result = if results <= left {
            self.results.fetch_add(results, Ordering::AcqRel);
            self.write_out(job, output)
        } else {
            let (output, results) = (self.rerun)(haystack, left);
            self.results.fetch_add(results, Ordering::AcqRel);
            self.write_out(job, &output)
        };
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

    fn write_out(&mut self, job: u64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let opts = &self.config.output;
        if self.last_job != Some(job) {
            if self.wrote_any {
                if let Some(separator) = &opts.file_separator {
                    self.out.write_all(separator)?;
                }
            }
            self.last_job = Some(job);
        }
        self.wrote_any = true;
        self.printed += bytes.len() as u64;
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
        let config = self.config;
        let wall = config.started.elapsed();
        let totals = config.stats_totals.totals();
        let mut tail = String::new();
        if let (Some(path), Some(max), Some(StatsFormat::Json)) =
            (&self.stopped_in, config.max_results, config.stats)
        {
            tail = json::truncated_message(max, path);
        }
        tail += &match config.stats {
            Some(StatsFormat::Human) => stats::human_block(&totals, self.printed, wall),
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
