//! The grep-like printer: `path:line:column:text`, or headings on a
//! terminal, context lines with `-` separators, `-o`, and match colors.

use super::{write_path, ChunkWriter, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};

pub struct StandardSink<'a> {
    pub out: ChunkWriter,
    path: Option<&'a [u8]>,
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    wrote_heading: bool,
    pub matched: bool,
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
            path: opts.with_filename.then_some(path),
            opts,
            matcher,
            invert,
            wrote_heading: false,
            matched: false,
        }
    }

    fn write_heading(&mut self) {
        if let (true, false, Some(path)) = (self.opts.heading, self.wrote_heading, self.path) {
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
        if let (false, Some(path)) = (opts.heading, self.path) {
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
            write_number(out, offset, None);
            out.extend_from_slice(sep);
        }
    }

    fn write_line_text(&mut self, line: &SinkLine, highlight: bool) {
        let text = line.bytes();
        let body_end = line.end - usize::from(text.last() == Some(&b'\n'));
        match (&self.opts.colors, highlight) {
            (Some(colors), true) => {
                let mut at = line.start;
                let out = &mut self.out.buf;
                self.matcher
                    .for_each_match(line.buf, line.start, body_end, |m| {
                        if !m.is_empty() {
                            out.extend_from_slice(&line.buf[at..m.start()]);
                            colors.matched.write(out, &line.buf[m.start()..m.end()]);
                            at = m.end();
                        }
                        true
                    });
                out.extend_from_slice(&line.buf[at..body_end]);
            }
            _ => self
                .out
                .buf
                .extend_from_slice(&line.buf[line.start..body_end]),
        }
        self.out.buf.push(b'\n');
    }

    fn first_match_column(&self, line: &SinkLine) -> usize {
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
}

fn write_number(out: &mut Vec<u8>, n: u64, style: Option<&super::color::Style>) {
    let mut digits = itoa_buf(n);
    let text = digits.as_bytes_mut();
    match style {
        Some(style) => style.write(out, text),
        None => out.extend_from_slice(text),
    }
}

struct NumBuf {
    bytes: [u8; 20],
    start: usize,
}

impl NumBuf {
    fn as_bytes_mut(&mut self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// Formats a number without allocating: this runs once per printed line.
fn itoa_buf(mut n: u64) -> NumBuf {
    let mut bytes = [0u8; 20];
    let mut start = bytes.len();
    loop {
        start -= 1;
        bytes[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    NumBuf { bytes, start }
}

impl Sink for StandardSink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        self.matched = true;
        self.write_heading();
        let opts = self.opts;
        let sep = &opts.match_separator[..];
        if self.opts.only_matching && !self.invert {
            let mut matches = Vec::new();
            self.matcher
                .for_each_match(line.buf, line.start, line.end, |m| {
                    if !m.is_empty() {
                        matches.push(m.range());
                    }
                    true
                });
            for range in matches {
                let column = range.start - line.start + 1;
                let offset = line.abs_offset + (range.start - line.start) as u64;
                self.write_prefix(line.line_number, Some(column), offset, sep);
                let text = &line.buf[range];
                match &self.opts.colors {
                    Some(colors) => colors.matched.write(&mut self.out.buf, text),
                    None => self.out.buf.extend_from_slice(text),
                }
                self.out.buf.push(b'\n');
            }
        } else {
            let column = self.opts.column.then(|| self.first_match_column(line));
            self.write_prefix(line.line_number, column, line.abs_offset, sep);
            self.write_line_text(line, !self.invert);
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
        self.write_line_text(line, self.invert);
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
        self.write_heading();
        if let (false, Some(path)) = (self.opts.heading, self.path) {
            write_path(&mut self.out.buf, path, self.opts, b": ");
        }
        let notice =
            format!("binary file matches (found \"\\0\" byte around offset {binary_offset})\n");
        self.out.buf.extend_from_slice(notice.as_bytes());
        false
    }

    fn finish(&mut self, summary: &SearchSummary) {
        if let (true, true, Some(offset)) =
            (self.matched, summary.binary_quit, summary.binary_offset)
        {
            if let (false, Some(path)) = (self.opts.heading, self.path) {
                write_path(&mut self.out.buf, path, self.opts, b": ");
            }
            let warning = format!(
                "WARNING: stopped searching binary file after match (found \"\\0\" byte around offset {offset})\n"
            );
            self.out.buf.extend_from_slice(warning.as_bytes());
        }
        self.out.flush();
    }
}
