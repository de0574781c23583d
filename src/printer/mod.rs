//! Stage 4a: `Sink` implementations that render one file's results into
//! bytes, inside the worker. Output leaves in chunks through the job's reply
//! channel, so a file with huge output never sits whole in memory.
//!
//! - `standard`: grep-like lines, headings, context, colors, `-o`,
//!   `--vimgrep`, `-r`, `-M`, `--trim`.
//! - `json`: ripgrep's `--json` messages.
//! - `summary`: `-c`, `--count-matches`, `-l`, `--files-without-match`, `-q`.

pub mod color;
pub mod hyperlink;
pub mod json;
pub mod standard;
pub mod summary;

use std::borrow::Cow;

pub use color::Colors;

use crate::search::Matcher;
use crate::sink::SinkLine;
use crate::stats::FileStats;

/// Output is handed to the printer thread once a file's buffer holds this
/// much; small files go out in one piece when they finish.
pub const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Standard,
    Json,
    Count,
    CountMatches,
    FilesWithMatches,
    FilesWithoutMatch,
    Quiet,
    /// `-q --files-without-match`: print nothing, succeed (and stop) at
    /// the first file without a match.
    QuietWithoutMatch,
    /// `-q` with `--json` or `--stats`: every file is searched in full and
    /// only the statistics are printed, as ripgrep does.
    StatsOnly,
}

#[derive(Debug, Clone)]
pub struct PrintOptions {
    pub mode: OutputMode,
    pub with_filename: bool,
    pub heading: bool,
    pub line_number: bool,
    pub column: bool,
    pub byte_offset: bool,
    pub only_matching: bool,
    pub vimgrep: bool,
    pub null: bool,
    pub colors: Option<Colors>,
    /// Field separator on matching lines (`:`).
    pub match_separator: Vec<u8>,
    /// Field separator on context lines (`-`).
    pub context_separator: Vec<u8>,
    /// Line between non-adjacent context groups (`--`), if any.
    pub context_break: Option<Vec<u8>>,
    pub replace: Option<Vec<u8>>,
    pub max_columns: Option<usize>,
    pub max_columns_preview: bool,
    pub trim: bool,
    pub include_zero: bool,
    /// --files-without-match: the exit status is 0 when some file had no
    /// match (with -q --stats too, where nothing else says so).
    pub files_without_match: bool,
    pub path_separator: Option<u8>,
    /// Count individual matches per line (for --stats and --json).
    pub count_matches: bool,
    /// Escape control characters in printed paths (stdout is a terminal).
    pub escape_control: bool,
    /// --hyperlink-format, when links are written (colors on).
    pub hyperlinks: Option<hyperlink::Hyperlinks>,
    /// --crlf: lines the printers make up (paths, counts, separators,
    /// notices) end with "\r\n", as ripgrep's do.
    pub crlf: bool,
    /// --null-data: they end with NUL (which wins over --crlf).
    pub null_data: bool,
}

impl PrintOptions {
    /// What a hyperlink to `raw_path` points at. Made, as ripgrep makes
    /// it, from the path with `--path-separator` applied: a separator other
    /// than `/` leaves no file to find, and no link.
    pub fn link_target(&self, raw_path: &[u8]) -> Option<Vec<u8>> {
        match self.path_separator.filter(|&sep| sep != b'/') {
            Some(sep) if raw_path.contains(&b'/') => {
                let separated: Vec<u8> = raw_path
                    .iter()
                    .map(|&b| if b == b'/' { sep } else { b })
                    .collect();
                hyperlink::link_path(&separated)
            }
            _ => hyperlink::link_path(raw_path),
        }
    }

    /// The end of a line the printer writes itself.
    pub fn eol(&self) -> &'static [u8] {
        if self.null_data {
            b"\0"
        } else if self.crlf {
            b"\r\n"
        } else {
            b"\n"
        }
    }
}

impl Default for PrintOptions {
    /// grep-style lines, no path, no numbers, no colors, ripgrep's separators.
    fn default() -> PrintOptions {
        PrintOptions {
            mode: OutputMode::Standard,
            with_filename: false,
            heading: false,
            line_number: false,
            column: false,
            byte_offset: false,
            only_matching: false,
            vimgrep: false,
            null: false,
            colors: None,
            match_separator: b":".to_vec(),
            context_separator: b"-".to_vec(),
            context_break: Some(b"--".to_vec()),
            replace: None,
            max_columns: None,
            max_columns_preview: false,
            trim: false,
            include_zero: false,
            files_without_match: false,
            path_separator: None,
            count_matches: false,
            crlf: false,
            escape_control: false,
            hyperlinks: None,
            null_data: false,
        }
    }
}

impl PrintOptions {
    /// The path as printed: `--path-separator` applied and, on a terminal,
    /// control characters escaped so that a file name cannot drive the
    /// terminal (a name holding ESC sequences could recolor or retitle it).
    pub fn path<'p>(&self, path: &'p [u8]) -> Cow<'p, [u8]> {
        let separator = self
            .path_separator
            .filter(|&sep| sep != b'/' && path.contains(&b'/'));
        let escape = self.escape_control && path.iter().any(|&b| b < 0x20 || b == 0x7f);
        if separator.is_none() && !escape {
            return Cow::Borrowed(path);
        }
        let mut out = Vec::with_capacity(path.len() + 8);
        for &b in path {
            match b {
                b'/' if separator.is_some() => out.push(separator.unwrap_or(b'/')),
                b'\t' if escape => out.extend_from_slice(b"\\t"),
                b'\n' if escape => out.extend_from_slice(b"\\n"),
                b'\r' if escape => out.extend_from_slice(b"\\r"),
                0..=0x1f | 0x7f if escape => {
                    out.extend_from_slice(format!("\\x{b:02x}").as_bytes())
                }
                _ => out.push(b),
            }
        }
        Cow::Owned(out)
    }
}

/// What a printer reports about its file once the search is done: whether
/// it counts as a match for the exit status, and its statistics.
pub trait Outcome {
    /// Whether the file had a match (for the statistics), and its stats.
    fn outcome(&self) -> (bool, FileStats);

    /// Whether the file makes the run succeed (exit code 0): a match,
    /// except with --files-without-match, where it is a file without one
    /// (ripgrep's `has_match`).
    fn success(&self) -> bool {
        self.outcome().0
    }
}

/// A file's output buffer, handed on in chunks through `send` (the
/// job's reply in the pool). The rest is sent on drop, so a file's
/// output is complete when its printer is dropped.
pub struct ChunkWriter<'o> {
    pub buf: Vec<u8>,
    send: &'o mut Send<'o>,
    flushed: u64,
    closed: bool,
}

/// Hands a chunk on; with `more` (another chunk may follow), gives back a
/// buffer for it (a recycled one, or an empty Vec). `None` once output is
/// no longer wanted (the search was cancelled). The writer's last call is
/// without `more`, and hands over its buffer even if empty, so that the
/// buffer can be reused.
pub type Send<'o> = dyn FnMut(Vec<u8>, bool) -> Option<Vec<u8>> + 'o;

impl<'o> ChunkWriter<'o> {
    pub fn new(send: &'o mut Send<'o>) -> ChunkWriter<'o> {
        ChunkWriter::with_buffer(send, Vec::new())
    }

    /// Starts in `buf` (a recycled buffer; it is cleared).
    pub fn with_buffer(send: &'o mut Send<'o>, mut buf: Vec<u8>) -> ChunkWriter<'o> {
        buf.clear();
        ChunkWriter {
            buf,
            send,
            flushed: 0,
            closed: false,
        }
    }

    /// Bytes written so far, sent or not.
    pub fn written(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    /// Sends the buffer if it is large enough. Returns false once output
    /// is no longer wanted.
    pub fn maybe_flush(&mut self) -> bool {
        if self.buf.len() >= CHUNK {
            self.flush();
        }
        !self.closed
    }

    pub fn flush(&mut self) {
        self.send(true);
    }

    fn send(&mut self, more: bool) {
        let wanted = !self.buf.is_empty() || (!more && self.buf.capacity() > 0);
        if wanted && !self.closed {
            let chunk = std::mem::take(&mut self.buf);
            self.flushed += chunk.len() as u64;
            match (self.send)(chunk, more) {
                Some(next) => self.buf = next,
                None => self.closed = true,
            }
        }
    }
}

impl Drop for ChunkWriter<'_> {
    fn drop(&mut self) {
        self.send(false);
    }
}

/// A path listed by `--files`, as ripgrep writes it: in the path color and
/// a hyperlink when those are on, then a newline (NUL with `-0`).
pub fn write_listed_path(out: &mut Vec<u8>, raw_path: &[u8], opts: &PrintOptions) {
    let link = opts
        .hyperlinks
        .as_ref()
        .and_then(|links| opts.link_target(raw_path).map(|path| (links, path)));
    if let Some((links, link_path)) = &link {
        let _ = links.open(out, link_path, None, None);
    }
    let _ = write_styled(
        out,
        &opts.path(raw_path),
        opts.colors.as_ref().map(|c| &c.path),
    );
    if link.is_some() {
        let _ = hyperlink::Hyperlinks::close(out);
    }
    out.push(if opts.null { b'\0' } else { b'\n' });
}

/// Writes `text` in `style`, if any. Returns the number of escape bytes.
pub fn write_styled(out: &mut Vec<u8>, text: &[u8], style: Option<&color::Style>) -> usize {
    match style {
        Some(style) => style.write(out, text),
        None => {
            out.extend_from_slice(text);
            0
        }
    }
}

/// Writes a decimal number without allocating (once per printed line).
/// Returns the number of color escape bytes written.
pub fn write_number(out: &mut Vec<u8>, n: u64, style: Option<&color::Style>) -> usize {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    write_styled(out, &digits[start..], style)
}

/// Counts a reported line into the file's statistics.
pub fn record_line(
    stats: &mut FileStats,
    matcher: &Matcher,
    line: &SinkLine,
    invert: bool,
    count_matches: bool,
) {
    // A -U block counts every line it holds, as in ripgrep.
    stats.matched_lines += if line.multiline {
        line.bytes()
            .iter()
            .filter(|&&b| b == line.terminator)
            .count()
            .max(1) as u64
            + u64::from(!line.has_terminator() && line.bytes().contains(&line.terminator))
    } else {
        1
    };
    if count_matches && !invert {
        line.for_each_match(matcher, |_| {
            stats.matches += 1;
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(escape_control: bool, path_separator: Option<u8>) -> PrintOptions {
        PrintOptions {
            escape_control,
            path_separator,
            ..PrintOptions::default()
        }
    }

    #[test]
    fn control_characters_in_paths_are_escaped_on_a_terminal() {
        let tty = options(true, None);
        assert_eq!(&*tty.path(b"dir/plain.txt"), b"dir/plain.txt");
        assert_eq!(&*tty.path(b"esc\x1b[31mred"), b"esc\\x1b[31mred");
        assert_eq!(&*tty.path(b"new\nline\ttab\x7f"), b"new\\nline\\ttab\\x7f");
        // Piped: raw bytes, like ripgrep.
        let piped = options(false, None);
        assert_eq!(&*piped.path(b"esc\x1b[31mred"), b"esc\x1b[31mred");
    }

    #[test]
    fn path_separator_replaces_slashes() {
        assert_eq!(&*options(false, Some(b'\\')).path(b"a/b/c"), b"a\\b\\c");
        assert_eq!(&*options(true, Some(b'\\')).path(b"a/\x1b"), b"a\\\\x1b");
    }
}
