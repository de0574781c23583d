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
    out: ChunkWriter,
    /// The path as printed (separator and escaping applied once).
    path: Cow<'a, [u8]>,
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    quit: &'a AtomicBool,
    count: u64,
    /// Whether this file counts as a "match" for the exit status.
    matched: bool,
    stats: FileStats,
}

impl<'a> SummarySink<'a> {
    pub fn new(
        out: ChunkWriter,
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
            stats: FileStats::default(),
        }
    }

    fn write_path_line(&mut self) {
        write_path(
            &mut self.out.buf,
            &self.path,
            self.opts,
            &self.opts.line_term,
        );
    }
}

impl super::Outcome for SummarySink<'_> {
    fn outcome(&self) -> (bool, FileStats) {
        (self.matched, self.stats)
    }
}

impl Sink for SummarySink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        let mode = self.opts.mode;
        // Matches are counted where they are reported: --count-matches,
        // and the statistics of `-q --json` / `-q --stats`.
        // With -U, -c counts matches too (a match may span lines).
        let per_match = matches!(mode, OutputMode::CountMatches | OutputMode::StatsOnly)
            || (mode == OutputMode::Count && line.multiline);
        let before = self.stats.matches;
        record_line(&mut self.stats, self.matcher, line, self.invert, per_match);
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
            OutputMode::FilesWithMatches | OutputMode::FilesWithoutMatch => false,
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
                    self.out.buf.extend_from_slice(&self.opts.line_term);
                }
            }
            OutputMode::FilesWithMatches => {
                self.matched = self.count > 0;
                if self.matched {
                    self.write_path_line();
                }
            }
            OutputMode::FilesWithoutMatch => {
                // ripgrep exits 0 here whenever a file was searched: either
                // it matched or it was printed.
                self.matched = true;
                // A binary file skipped at its first NUL was not searched.
                if self.count == 0 && !summary.binary_quit {
                    self.write_path_line();
                }
            }
            OutputMode::Quiet | OutputMode::StatsOnly => self.matched = self.count > 0,
            OutputMode::Standard | OutputMode::Json => {}
        }
        self.stats.bytes_searched = summary.bytes_searched;
        if self.opts.mode == OutputMode::CountMatches {
            self.stats.matches = self.count;
        }
        self.stats.bytes_printed = self.out.written();
        self.out.flush();
    }
}
