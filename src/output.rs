//! Stage 4b: the printer thread, the only code that touches stdout.
//!
//! It receives each job's reply channel in walk order and copies that job's
//! chunks up to the empty chunk that ends them, then hands the channel back
//! for reuse and moves to the next job. Workers have
//! already formatted everything; this thread only writes bytes, adding the
//! separator between files that only it can know is needed.

use std::cell::RefCell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};

use crate::cli::config::{Config, StatsFormat};
use crate::messages::err;
use crate::pool::{recv_lazily, Reply};
use crate::printer::json;
use crate::progress::Progress;
use crate::stats;

pub struct OutputOptions {
    /// Written between the outputs of two files (a blank line under
    /// headings, `--` between context groups of different files).
    pub file_separator: Option<Vec<u8>>,
    /// Flush after every file (interactive terminal).
    pub line_buffered: bool,
    pub stdout_is_tty: bool,
}

/// Runs until the walker closes `order`. On a write error it sets `quit`
/// and keeps draining (dropping) replies, so that no worker or the walker
/// ever blocks on a channel nobody reads.
pub(crate) fn print(
    order: Receiver<Reply>,
    spare: Sender<Reply>,
    config: &Config,
    quit: &AtomicBool,
) {
    let opts = &config.output;
    // Separators between files, which ripgrep counts as bytes printed.
    let mut separator_bytes: u64 = 0;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut failed = false;
    let mut wrote_any = false;
    // Shared by the idle callback (redraw) and the writer (hide).
    let progress = RefCell::new(
        config
            .progress
            .map(|immediately| Progress::new(&config.stats_totals, config.started, immediately)),
    );
    let mut tick = || {
        if let Some(progress) = progress.borrow_mut().as_mut() {
            progress.tick();
        }
    };
    while let Some(reply) = recv_lazily(&order, &mut tick, &|| false) {
        if failed {
            continue;
        }
        let mut first_chunk = true;
        while let Some(chunk) = recv_lazily(&reply.rx, &mut tick, &|| !order.is_empty()) {
            if chunk.is_empty() {
                let _ = spare.try_send(reply);
                break;
            }
            let mut result = Ok(());
            if first_chunk && wrote_any {
                if let Some(separator) = &opts.file_separator {
                    result = out.write_all(separator);
                    separator_bytes += separator.len() as u64;
                }
            }
            first_chunk = false;
            wrote_any = true;
            result = result.and_then(|()| match &*progress.borrow() {
                // Results share the terminal with the progress line: hide
                // it, write and flush, then let it come back.
                Some(progress) if opts.stdout_is_tty => {
                    progress.suspend(|| out.write_all(&chunk).and_then(|()| out.flush()))
                }
                _ => out.write_all(&chunk),
            });
            if let Err(error) = result {
                report_write_error(&error);
                failed = true;
                quit.store(true, Ordering::Relaxed);
                break;
            }
        }
        if opts.line_buffered && !failed {
            if let Err(error) = out.flush() {
                report_write_error(&error);
                failed = true;
                quit.store(true, Ordering::Relaxed);
            }
        }
    }
    if let Some(progress) = progress.borrow_mut().as_mut() {
        progress.finish();
    }
    if !failed {
        let wall = config.started.elapsed();
        let totals = config.stats_totals.totals();
        let tail = match config.stats {
            Some(StatsFormat::Human) => stats::human_block(&totals, separator_bytes, wall),
            Some(StatsFormat::Json) => json::summary_message(&totals, wall),
            None => String::new(),
        };
        if let Err(error) = out.write_all(tail.as_bytes()).and_then(|()| out.flush()) {
            report_write_error(&error);
        }
    }
    // A failed BufWriter would retry writing its buffer on drop; discard it.
    if failed {
        let _ = out.into_parts();
    }
}

/// A closed pipe (`trawl x | head -1`) is the reader's choice, not an error.
fn report_write_error(error: &io::Error) {
    if error.kind() != io::ErrorKind::BrokenPipe {
        err!("error writing output: {error}");
    }
}
