//! Printers that report per-file facts instead of lines: `-c`,
//! `--count-matches`, `-l`, `--files-without-match`, `-q`, and `-q` with
//! `--json` or `--stats` (statistics only).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use super::hyperlink::Hyperlinks;
use super::{record_line, write_number, write_styled, ChunkWriter, OutputMode, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};
use crate::stats::FileStats;

pub struct SummarySink<'a> {
    out: ChunkWriter<'a>,
    /// The path as printed (separator and escaping applied once).
    path: Cow<'a, [u8]>,
    /// The path as walked, for hyperlinks.
    raw_path: &'a [u8],
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
            raw_path: path,
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
        self.write_linked_path(self.opts.eol());
    }

    /// The path and its separator, the path in a hyperlink when links are
    /// written (escapes are not counted: summaries count no bytes).
    fn write_linked_path(&mut self, sep: &[u8]) {
        let out = &mut self.out.buf;
        let link = self.opts.hyperlinks.as_ref().and_then(|links| {
            self.opts
                .link_target(self.raw_path)
                .map(|link_path| (links, link_path))
        });
        if let Some((links, link_path)) = &link {
            let _ = links.open(out, link_path, None, None);
        }
        let _ = write_styled(out, &self.path, self.opts.colors.as_ref().map(|c| &c.path));
        if link.is_some() {
            let _ = Hyperlinks::close(out);
        }
        if self.opts.null {
            out.push(0);
        } else {
            out.extend_from_slice(sep);
        }
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

impl SummarySink<'_> {
    /// Whether a matching line counts its matches, not just itself:
    /// --count-matches, and the statistics (--stats, `-q --json`). With
    /// -U, -c counts matches too (a match may span lines).
    fn per_match(&self, multiline: bool) -> bool {
        let mode = self.opts.mode;
        self.opts.count_matches
            || matches!(mode, OutputMode::CountMatches | OutputMode::StatsOnly)
            || (mode == OutputMode::Count && multiline)
    }
}

impl Sink for SummarySink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        let mode = self.opts.mode;
        let per_match = self.per_match(line.multiline);
        let before = self.stats.matches;
        record_line(&mut self.stats, self.matcher, line, self.invert, per_match);
        // ripgrep's summaries count an inverted line as one match (the
        // standard and JSON printers count none), and a matching line in
        // which no match is listed (`$` after the last byte of a file
        // without final newline, see SinkLine::for_each_match) as one.
        if per_match && (self.invert || self.stats.matches == before) {
            self.stats.matches += 1;
        }
        self.count += match mode {
            OutputMode::CountMatches if !self.invert => self.stats.matches - before,
            OutputMode::Count if line.multiline && !self.invert => self.stats.matches - before,
            _ => 1,
        };
        match mode {
            // ripgrep reads the whole file with -v before -q or -l decide
            // (a NUL byte met on the way then counts it as binary).
            OutputMode::Quiet | OutputMode::FilesWithMatches if self.invert => true,
            OutputMode::Quiet => {
                self.quit.store(true, Ordering::Relaxed);
                false
            }
            // The first match decides, unless statistics want the whole
            // file (ripgrep then searches on, and may meet a NUL byte).
            // --files-without-match reads every file to its end in ripgrep
            // (a NUL byte after a match then counts the file as binary).
            OutputMode::FilesWithMatches | OutputMode::QuietWithoutMatch => self.opts.count_matches,
            _ => true,
        }
    }

    fn context(&mut self, _line: &SinkLine) -> bool {
        true
    }

    fn context_break(&mut self) -> bool {
        true
    }

    fn binary_matched(&mut self, _line: &SinkLine, _binary_offset: u64) -> bool {
        true
    }

    /// The modes in which `matched` counts a line and returns true (see
    /// there): -c, --files-without-match, -l/-q with -v.
    fn counts_only(&self) -> bool {
        !self.per_match(false)
            && match self.opts.mode {
                OutputMode::Count | OutputMode::FilesWithoutMatch => true,
                OutputMode::Quiet | OutputMode::FilesWithMatches => self.invert,
                _ => false,
            }
    }

    fn matched_count(&mut self, lines: u64) {
        self.stats.matched_lines += lines;
        self.count += lines;
    }

    fn finish(&mut self, summary: &SearchSummary) {
        self.stats.bytes_searched = summary.bytes_searched;
        if self.opts.mode == OutputMode::CountMatches {
            self.stats.matches = self.count;
        }
        // As in ripgrep, a binary file whose search stopped at a NUL byte
        // (found in a walk) counts as having no match, whatever came before
        // the NUL: nothing is printed for it, not even a zero count. Its
        // matches still count in the statistics.
        if summary.binary_quit {
            self.count = 0;
        }
        let has_match = self.count > 0;
        self.matched = has_match;
        // The exit status: with --files-without-match, 0 when some file
        // had no match.
        let without = match self.opts.mode {
            OutputMode::FilesWithoutMatch | OutputMode::QuietWithoutMatch => true,
            OutputMode::StatsOnly => self.opts.files_without_match,
            _ => false,
        };
        self.success = if without { !has_match } else { has_match };
        match self.opts.mode {
            OutputMode::QuietWithoutMatch if !has_match => self.quit.store(true, Ordering::Relaxed),
            _ if summary.binary_quit => {}
            OutputMode::Quiet if has_match => self.quit.store(true, Ordering::Relaxed),
            OutputMode::Count | OutputMode::CountMatches if has_match || self.opts.include_zero => {
                if self.opts.with_filename {
                    // Always `:`, as in ripgrep (--field-match-separator
                    // is for the lines of the standard printer).
                    self.write_linked_path(b":");
                }
                let _ = write_number(&mut self.out.buf, self.count, None);
                self.out.buf.extend_from_slice(self.opts.eol());
            }
            OutputMode::FilesWithMatches if has_match => self.write_path_line(),
            OutputMode::FilesWithoutMatch if !has_match => self.write_path_line(),
            _ => {}
        }
        // ripgrep's statistics count no bytes printed by summaries.
        self.stats.bytes_printed = 0;
        self.out.flush();
    }
}
