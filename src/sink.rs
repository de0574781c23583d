//! The contract between searching and printing.
//!
//! The searcher pushes lines into a `Sink` in file order; every printer
//! (standard, count/files summaries, ...) implements it. Returning `false`
//! from any call asks the searcher to stop this file: that is how `-l`,
//! `-q`, a closed pipe and cancellation end a search early.

use regex_automata::Match;

use crate::search::matcher::Matcher;

/// One line handed to a sink (with -U, possibly a block of lines). `buf`
/// is the searcher's whole window so that a printer re-running the matcher
/// on the line sees the same surroundings (anchors, word boundaries) the
/// searcher saw.
pub struct SinkLine<'b> {
    pub buf: &'b [u8],
    pub start: usize,
    /// End of the line, including its terminator when it has one.
    pub end: usize,
    /// Offset of the line's first byte from the start of the input.
    pub abs_offset: u64,
    pub line_number: Option<u64>,
    /// The line terminator (`\n`, or NUL with --null-data).
    pub terminator: u8,
    /// -U: this may be a block of several lines (a match spanning them, or
    /// matches on adjacent lines), and matches are looked for past the
    /// line's terminator, as ripgrep's printer does in multiline mode.
    pub multiline: bool,
}

impl SinkLine<'_> {
    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// End of the line's text: before its terminator, if it has one.
    pub fn content_end(&self) -> usize {
        self.end - usize::from(self.has_terminator())
    }

    /// Where matches in this line may end: its text, or with -U the whole
    /// block, terminator included.
    pub fn match_end(&self) -> usize {
        if self.multiline {
            self.end
        } else {
            self.content_end()
        }
    }

    /// Calls `f` with every match in the line, as ripgrep's printer lists
    /// them: none starting at the line's very end, so a last line without
    /// terminator has no empty match after its last byte (`ab` holds two
    /// matches of `''`, `ab\n` three).
    pub fn for_each_match(&self, matcher: &Matcher, mut f: impl FnMut(Match) -> bool) {
        let end = self.end;
        matcher.for_each_match(self.buf, self.start, self.match_end(), |m| {
            m.start() < end && f(m)
        });
    }

    /// Whether the line ends with its terminator (the last line may not).
    pub fn has_terminator(&self) -> bool {
        self.end > self.start && self.buf[self.end - 1] == self.terminator
    }
}

/// What the searcher learnt about a file, handed over when it is done.
#[derive(Debug, Default, Clone, Copy)]
pub struct SearchSummary {
    pub bytes_searched: u64,
    /// Offset of the first NUL byte seen, if the file looked binary.
    pub binary_offset: Option<u64>,
    /// True when searching stopped at that NUL (binary file met in a walk).
    pub binary_quit: bool,
}

pub trait Sink {
    fn matched(&mut self, line: &SinkLine) -> bool;
    fn context(&mut self, line: &SinkLine) -> bool;
    fn context_break(&mut self) -> bool;
    /// A match in a file known to be binary, before `matched` is called for
    /// it. Returning false ends the file (the standard printer prints a
    /// notice instead of the line, whose matches still count in the
    /// statistics, as in ripgrep); summaries return true and count on.
    fn binary_matched(&mut self, line: &SinkLine, binary_offset: u64) -> bool;
    /// A context line in a file already known to be binary (named
    /// explicitly, NUL seen). Returning false ends the file, as ripgrep's
    /// standard printer does (it prints no context once it knows).
    fn binary_context(&mut self, _binary_offset: u64) -> bool {
        true
    }
    /// The input was searched to its end (or stopped by a sink). Not
    /// called when reading it failed, as in ripgrep: no count, path or
    /// summary then stands for a file read only in part.
    fn finish(&mut self, summary: &SearchSummary);
    /// The input is about to keep the search waiting: hand on what is
    /// buffered so far (see `Searcher::search_live`).
    fn flush(&mut self) {}
    /// Whether this sink only counts matching lines: `matched` looks at
    /// nothing but the fact of a (single-line) match and, like
    /// `binary_matched`, always returns true. The searcher may then report
    /// them in bulk to `matched_count`, without handing over each line
    /// (`-c` and `-v -c` over many short lines), when no context is asked.
    fn counts_only(&self) -> bool {
        false
    }
    /// `lines` matching lines, as that many `matched` calls would report
    /// them. Only called when `counts_only` is true.
    fn matched_count(&mut self, _lines: u64) {}
}
