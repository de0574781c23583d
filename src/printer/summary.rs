//! Printers that report per-file facts instead of lines: `-c`,
//! `--count-matches`, `-l`, `--files-without-match`, `-q`, and `-q` with
//! `--json` or `--stats` (statistics only).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{record_line, write_number, write_path, ChunkWriter, OutputMode, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};
use crate::stats::FileStats;

pub struct SummarySink<'a> {
    out: ChunkWriter<'a>,
    /// The path as printed (separator and escaping applied once).
    path: Cow<'a, [u8]>,
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    quit: &'a AtomicBool,
    count: u64,
    /// Whether this file had a match (for the statistics).
    matched: bool,
    /// Whether this file counts for the exit status (`Outcome::success`).
    success: bool,
    stats: FileStats,
}

impl<'a> SummarySink<'a> {
    pub fn new(
        out: ChunkWriter<'a>,
        path: &'a [u8],
        opts: &'a PrintOptions,
        matcher: &'a Matcher,
        invert: bool,
        quit: &'a AtomicBool,
    ) -> SummarySink<'a> {
        SummarySink {
            out,
            path: opts.path(path),
            opts,
            matcher,
            invert,
            quit,
            count: 0,
            matched: false,
            success: false,
            stats: FileStats::default(),
        }
    }

    fn write_path_line(&mut self) {
        write_path(&mut self.out.buf, &self.path, self.opts, self.opts.eol());
    }
}

impl super::Outcome for SummarySink<'_> {
    fn outcome(&self) -> (bool, FileStats) {
        (self.matched, self.stats)
    }

    fn success(&self) -> bool {
        self.success
    }
}

impl Sink for SummarySink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        let mode = self.opts.mode;
        // Matches are counted where they are reported: --count-matches,
        // and the statistics (--stats, and `-q --json`). With -U, -c
        // counts matches too (a match may span lines).
        let stats = self.opts.count_matches;
        let per_match = stats
            || matches!(mode, OutputMode::CountMatches | OutputMode::StatsOnly)
            || (mode == OutputMode::Count && line.multiline);
        let before = self.stats.matches;
        record_line(&mut self.stats, self.matcher, line, self.invert, per_match);
        if stats && self.invert {
            // ripgrep's summary printer counts at least one match per
            // reported line, an inverted one included.
            self.stats.matches += 1;
        }
        self.count += match mode {
            OutputMode::CountMatches if !self.invert => self.stats.matches - before,
            OutputMode::Count if line.multiline && !self.invert => self.stats.matches - before,
            _ => 1,
        };
        match mode {
            OutputMode::Quiet => {
                self.quit.store(true, Ordering::Relaxed);
                false
            }
            // The first match decides, but --stats counts them all, as
            // in ripgrep.
            OutputMode::FilesWithMatches
            | OutputMode::FilesWithoutMatch
            | OutputMode::QuietWithoutMatch => stats,
            _ => true,
        }
    }

    fn context(&mut self, _line: &SinkLine) -> bool {
        true
    }

    fn context_break(&mut self) -> bool {
        true
    }

    fn binary_matched(&mut self, _binary_offset: u64) -> bool {
        true
    }

    fn finish(&mut self, summary: &SearchSummary) {
        match self.opts.mode {
            OutputMode::Count | OutputMode::CountMatches => {
                self.matched = self.count > 0;
                // A binary file skipped at its first NUL was not searched,
                // so it has no count to report, not even zero (as in rg).
                let searched = !summary.binary_quit || self.count > 0;
                if self.count > 0 || (self.opts.include_zero && searched) {
                    if self.opts.with_filename {
                        let opts = self.opts;
                        write_path(&mut self.out.buf, &self.path, opts, &opts.match_separator);
                    }
                    write_number(&mut self.out.buf, self.count, None);
                    self.out.buf.extend_from_slice(self.opts.eol());
                }
            }
            OutputMode::FilesWithMatches => {
                self.matched = self.count > 0;
                if self.matched {
                    self.write_path_line();
                }
            }
            OutputMode::FilesWithoutMatch | OutputMode::QuietWithoutMatch => {
                self.matched = self.count > 0;
                // As in ripgrep, a binary file skipped at its first NUL is
                // not printed, but its matches are dropped: it counts as a
                // file without a match for the exit status.
                let without = self.count == 0 || summary.binary_quit;
                self.success = without;
                if self.opts.mode == OutputMode::QuietWithoutMatch {
                    if without {
                        self.quit.store(true, Ordering::Relaxed);
                    }
                } else if self.count == 0 && !summary.binary_quit {
                    self.write_path_line();
                }
            }
            OutputMode::Quiet | OutputMode::StatsOnly => self.matched = self.count > 0,
            OutputMode::Standard | OutputMode::Json => {}
        }
        if !matches!(
            self.opts.mode,
            OutputMode::FilesWithoutMatch | OutputMode::QuietWithoutMatch
        ) {
            self.success = self.matched;
        }
        self.stats.bytes_searched = summary.bytes_searched;
        if self.opts.mode == OutputMode::CountMatches {
            self.stats.matches = self.count;
        }
        self.stats.bytes_printed = self.out.written();
        self.out.flush();
    }
}
