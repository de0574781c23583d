//! The grep-like printer: `path:line:column:text`, or headings on a
//! terminal, context lines with `-` separators, `-o`, `--vimgrep`, `-r`,
//! `-M`, `--trim` and match colors.

use std::borrow::Cow;
use std::ops::Range;

use super::{record_line, write_number, write_path, ChunkWriter, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};
use crate::stats::FileStats;

pub struct StandardSink<'a> {
    out: ChunkWriter,
    path: Option<Cow<'a, [u8]>>,
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    wrote_heading: bool,
    matched: bool,
    stats: FileStats,
    /// Reused list of match ranges within the current line.
    matches: Vec<Range<usize>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Match,
    Context,
}

impl<'a> StandardSink<'a> {
    pub fn new(
        out: ChunkWriter,
        path: &'a [u8],
        opts: &'a PrintOptions,
        matcher: &'a Matcher,
        invert: bool,
    ) -> StandardSink<'a> {
        StandardSink {
            out,
            path: opts.with_filename.then(|| opts.path(path)),
            opts,
            matcher,
            invert,
            wrote_heading: false,
            matched: false,
            stats: FileStats::default(),
            matches: Vec::new(),
        }
    }

    fn write_heading(&mut self) {
        if let (true, false, Some(path)) = (self.opts.heading, self.wrote_heading, &self.path) {
            self.wrote_heading = true;
            let terminator: &[u8] = if self.opts.null { b"" } else { b"\n" };
            write_path(&mut self.out.buf, path, self.opts, terminator);
        }
    }

    /// Path (unless under a heading), line number, column and byte offset.
    fn write_prefix(
        &mut self,
        line_number: Option<u64>,
        column: Option<usize>,
        offset: u64,
        sep: &[u8],
    ) {
        let opts = self.opts;
        let out = &mut self.out.buf;
        if let (false, Some(path)) = (opts.heading, &self.path) {
            write_path(out, path, opts, sep);
        }
        let colors = opts.colors.as_ref();
        if let (true, Some(number)) = (opts.line_number, line_number) {
            write_number(out, number, colors.map(|c| &c.line));
            out.extend_from_slice(sep);
        }
        if let (true, Some(column)) = (opts.column, column) {
            write_number(out, column as u64, colors.map(|c| &c.column));
            out.extend_from_slice(sep);
        }
        if opts.byte_offset {
            write_number(out, offset, colors.map(|c| &c.column));
            out.extend_from_slice(sep);
        }
    }

    /// Collects the non-empty matches of the line into `self.matches`.
    fn find_matches(&mut self, line: &SinkLine) {
        self.matches.clear();
        let matches = &mut self.matches;
        self.matcher
            .for_each_match(line.buf, line.start, line.end, |m| {
                if !m.is_empty() {
                    matches.push(m.range());
                }
                true
            });
    }

    /// The line's text (without terminator), after -r, --trim, -M and
    /// colors, followed by a newline.
    fn write_line_text(&mut self, line: &SinkLine, kind: LineKind, highlight: bool) {
        let opts = self.opts;
        let text = line.bytes();
        let mut start = line.start;
        let end = line.end - usize::from(text.last() == Some(&b'\n'));
        if opts.trim {
            while start < end && line.buf[start].is_ascii_whitespace() {
                start += 1;
            }
        }
        let replace = opts
            .replace
            .as_deref()
            .filter(|_| kind == LineKind::Match && !self.invert);
        let rendered: Cow<[u8]> = match replace {
            Some(replacement) => {
                let mut dst = Vec::with_capacity(end - start);
                self.matcher
                    .replace_into(line.buf, start, end, replacement, &mut dst);
                Cow::Owned(dst)
            }
            None => Cow::Borrowed(&line.buf[start..end]),
        };
        let out_len = rendered.len();
        if let Some(max) = opts.max_columns.filter(|&max| out_len > max) {
            if !opts.max_columns_preview {
                let what = if kind == LineKind::Match {
                    "matching"
                } else {
                    "context"
                };
                self.out
                    .buf
                    .extend_from_slice(format!("[Omitted long {what} line]\n").as_bytes());
                return;
            }
            self.write_highlighted(line, start, start + max, highlight && replace.is_none());
            self.out
                .buf
                .extend_from_slice(b" [... omitted end of long line]\n");
            return;
        }
        match replace {
            Some(_) => self.out.buf.extend_from_slice(&rendered),
            None => self.write_highlighted(line, start, end, highlight),
        }
        self.out.buf.push(b'\n');
    }

    /// Writes `line.buf[start..end]`, coloring matches when colors are on.
    fn write_highlighted(&mut self, line: &SinkLine, start: usize, end: usize, highlight: bool) {
        let Some(colors) = self.opts.colors.as_ref().filter(|_| highlight) else {
            self.out.buf.extend_from_slice(&line.buf[start..end]);
            return;
        };
        self.find_matches(line);
        let out = &mut self.out.buf;
        let mut at = start;
        for m in &self.matches {
            let (m_start, m_end) = (m.start.max(at), m.end.min(end));
            if m_start >= m_end {
                continue;
            }
            out.extend_from_slice(&line.buf[at..m_start]);
            colors.matched.write(out, &line.buf[m_start..m_end]);
            at = m_end;
        }
        out.extend_from_slice(&line.buf[at..end]);
    }

    fn write_only_matching(&mut self, line: &SinkLine) {
        let opts = self.opts;
        let sep = &opts.match_separator[..];
        self.find_matches(line);
        let matches = std::mem::take(&mut self.matches);
        for range in &matches {
            let column = range.start - line.start + 1;
            let offset = line.abs_offset + (range.start - line.start) as u64;
            self.write_prefix(line.line_number, Some(column), offset, sep);
            let mut text = Cow::Borrowed(&line.buf[range.clone()]);
            if let Some(replacement) = &opts.replace {
                let mut dst = Vec::new();
                self.matcher
                    .replace_into(line.buf, range.start, range.end, replacement, &mut dst);
                text = Cow::Owned(dst);
            }
            match &opts.colors {
                Some(colors) => colors.matched.write(&mut self.out.buf, &text),
                None => self.out.buf.extend_from_slice(&text),
            }
            self.out.buf.push(b'\n');
        }
        self.matches = matches;
    }

    /// `--vimgrep`: the whole line once per match, with that match's column.
    fn write_vimgrep(&mut self, line: &SinkLine) {
        let sep = &self.opts.match_separator[..];
        self.find_matches(line);
        let columns: Vec<usize> = if self.invert || self.matches.is_empty() {
            vec![1]
        } else {
            self.matches
                .iter()
                .map(|m| m.start - line.start + 1)
                .collect()
        };
        // The line is rendered (replaced, trimmed, colored) once and copied
        // for each further match, instead of re-running the matcher per copy.
        let mut rendered: Option<Range<usize>> = None;
        for column in columns {
            self.write_prefix(line.line_number, Some(column), line.abs_offset, sep);
            match rendered.clone() {
                Some(text) => self.out.buf.extend_from_within(text),
                None => {
                    let from = self.out.buf.len();
                    self.write_line_text(line, LineKind::Match, !self.invert);
                    rendered = Some(from..self.out.buf.len());
                }
            }
        }
    }

    fn first_match_column(&mut self, line: &SinkLine) -> usize {
        if self.invert {
            return 1;
        }
        let mut column = 1;
        self.matcher
            .for_each_match(line.buf, line.start, line.end, |m| {
                column = m.start() - line.start + 1;
                false
            });
        column
    }

    fn write_notice(&mut self, notice: &str) {
        if let (false, Some(path)) = (self.opts.heading, &self.path) {
            write_path(&mut self.out.buf, path, self.opts, b": ");
        }
        self.out.buf.extend_from_slice(notice.as_bytes());
    }
}

impl super::Outcome for StandardSink<'_> {
    fn outcome(&self) -> (bool, FileStats) {
        (self.matched, self.stats)
    }
}

impl Sink for StandardSink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        self.matched = true;
        record_line(
            &mut self.stats,
            self.matcher,
            line,
            self.invert,
            self.opts.count_matches,
        );
        self.write_heading();
        if self.opts.vimgrep {
            self.write_vimgrep(line);
        } else if self.opts.only_matching && !self.invert {
            self.write_only_matching(line);
        } else {
            let opts = self.opts;
            let column = opts.column.then(|| self.first_match_column(line));
            self.write_prefix(
                line.line_number,
                column,
                line.abs_offset,
                &opts.match_separator,
            );
            self.write_line_text(line, LineKind::Match, !self.invert);
        }
        self.out.maybe_flush()
    }

    fn context(&mut self, line: &SinkLine) -> bool {
        self.write_heading();
        let opts = self.opts;
        self.write_prefix(
            line.line_number,
            None,
            line.abs_offset,
            &opts.context_separator,
        );
        self.write_line_text(line, LineKind::Context, self.invert);
        self.out.maybe_flush()
    }

    fn context_break(&mut self) -> bool {
        if let Some(separator) = &self.opts.context_break {
            self.out.buf.extend_from_slice(separator);
            self.out.buf.push(b'\n');
        }
        self.out.maybe_flush()
    }

    fn binary_matched(&mut self, binary_offset: u64) -> bool {
        self.matched = true;
        self.stats.matched_lines += 1;
        self.write_heading();
        self.write_notice(&format!(
            "binary file matches (found \"\\0\" byte around offset {binary_offset})\n"
        ));
        false
    }

    fn finish(&mut self, summary: &SearchSummary) {
        self.stats.bytes_searched = summary.bytes_searched;
        if let (true, true, Some(offset)) =
            (self.matched, summary.binary_quit, summary.binary_offset)
        {
            self.write_notice(&format!(
                "WARNING: stopped searching binary file after match \
                 (found \"\\0\" byte around offset {offset})\n"
            ));
        }
        self.stats.bytes_printed = self.out.written();
        self.out.flush();
    }
}
