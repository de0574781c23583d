//! The progress line on stderr for long searches (`--progress`), drawn by
//! the printer thread with indicatif: files searched, files with matches,
//! bytes searched, elapsed time. The printer hides it while it writes
//! results to the same terminal, so output is never garbled.

use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::stats::Stats;

/// `--progress auto` waits this long before showing anything: quick
/// searches never flash a progress line.
const AUTO_DELAY: Duration = Duration::from_secs(1);

pub struct Progress<'a> {
    stats: &'a Stats,
    started: Instant,
    delay: Duration,
    bar: Option<ProgressBar>,
}

impl<'a> Progress<'a> {
    pub fn new(stats: &'a Stats, started: Instant, immediately: bool) -> Progress<'a> {
        Progress {
            stats,
            started,
            delay: if immediately {
                Duration::ZERO
            } else {
                AUTO_DELAY
            },
            bar: None,
        }
    }

    /// Refreshes the line (indicatif limits the redraw rate).
    pub fn tick(&mut self) {
        if self.bar.is_none() {
            if self.started.elapsed() < self.delay {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            self.bar = Some(bar);
        }
        let totals = self.stats.totals();
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} files searched, {} with matches, {} searched",
                totals.searches,
                totals.searches_with_match,
                HumanBytes(totals.bytes_searched)
            ));
            bar.tick();
        }
    }

    /// Runs `write` with the line hidden, then lets it be redrawn.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
