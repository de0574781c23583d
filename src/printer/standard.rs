//! The grep-like printer: `path:line:column:text`, or headings on a
//! terminal, context lines with `-` separators, `-o`, `--vimgrep`, `-r`,
//! `-M`, `--trim` and match colors.

use std::borrow::Cow;
use std::ops::Range;

use bstr::ByteSlice;

use super::color::{Colors, Style};
use super::hyperlink::Hyperlinks;
use super::{record_line, write_number, write_styled, ChunkWriter, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};
use crate::stats::FileStats;

pub struct StandardSink<'a> {
    out: ChunkWriter<'a>,
    path: Option<Cow<'a, [u8]>>,
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    wrote_heading: bool,
    matched: bool,
    stats: FileStats,
    /// Reused list of match ranges within the current line.
    matches: Vec<Range<usize>>,
    /// Color escape bytes written, which ripgrep's "bytes printed" leaves
    /// out.
    escapes: u64,
    /// The "binary file matches" notice was written.
    binary_notice: bool,
    /// The file's `{path}` in hyperlinks, when links are written.
    link_path: Option<Vec<u8>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Match,
    Context,
}

/// Which matches of a line get the match color.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Highlight {
    None,
    All,
    /// Only the n-th (`--vimgrep` prints a line once per match and, like
    /// ripgrep, colors only the match that copy stands for).
    Only(usize),
}

impl Highlight {
    /// Whether the n-th match of the line is one this copy of it stands
    /// for: to color, and to count in a `-M` preview.
    fn covers(self, n: usize) -> bool {
        match self {
            Highlight::None | Highlight::All => true,
            Highlight::Only(only) => only == n,
        }
    }

    fn all_if(on: bool) -> Highlight {
        if on {
            Highlight::All
        } else {
            Highlight::None
        }
    }
}

/// Writes `text[window]`, coloring the `spans` that `highlight` selects
/// (clipped to the window) when colors are on, and the text around them
/// in `line_style` (`--colors highlight:...`) if given. Returns the number
/// of escape bytes written.
fn write_spans(
    out: &mut Vec<u8>,
    text: &[u8],
    window: Range<usize>,
    spans: &[Range<usize>],
    colors: Option<&Colors>,
    highlight: Highlight,
    line_style: Option<&Style>,
) -> usize {
    let Some(colors) = colors.filter(|c| highlight != Highlight::None && c.colors_matches()) else {
        out.extend_from_slice(&text[window]);
        return 0;
    };
    let mut escapes = 0;
    // ripgrep's byte pattern: the line switches to the highlight style
    // once, each match is reset + match style + text + reset, after which
    // the highlight attributes are set again; one reset ends the line.
    if let Some(style) = line_style {
        escapes += style.write_start(out, true);
    }
    let mut at = window.start;
    let mut n = 0;
    while n < spans.len() {
        if !highlight.covers(n) {
            n += 1;
            continue;
        }
        // Adjacent matches are colored as one span, as in ripgrep.
        let (first, mut last_end) = (spans[n].start, spans[n].end);
        n += 1;
        while highlight == Highlight::All && n < spans.len() && spans[n].start == last_end {
            last_end = spans[n].end;
            n += 1;
        }
        let (span_start, span_end) = (first.max(at), last_end.min(window.end));
        if span_start >= span_end {
            continue;
        }
        out.extend_from_slice(&text[at..span_start]);
        escapes += colors.matched.write(out, &text[span_start..span_end]);
        if let Some(style) = line_style {
            escapes += style.write_start(out, false);
        }
        at = span_end;
    }
    out.extend_from_slice(&text[at..window.end]);
    if line_style.is_some() {
        escapes += Style::write_reset(out);
    }
    escapes
}

impl<'a> StandardSink<'a> {
    pub fn new(
        out: ChunkWriter<'a>,
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
            escapes: 0,
            binary_notice: false,
            link_path: opts
                .hyperlinks
                .as_ref()
                .filter(|_| opts.with_filename)
                .and_then(|_| opts.link_target(path)),
        }
    }

    fn write_heading(&mut self) {
        if let (true, false, Some(path)) = (self.opts.heading, self.wrote_heading, &self.path) {
            self.wrote_heading = true;
            let terminator: &[u8] = if self.opts.null {
                b"\0"
            } else {
                self.opts.eol()
            };
            let out = &mut self.out.buf;
            let link = self.opts.hyperlinks.as_ref().zip(self.link_path.as_deref());
            let mut escapes = 0;
            if let Some((links, link_path)) = link {
                escapes += links.open(out, link_path, None, None);
            }
            escapes += write_styled(out, path, self.opts.colors.as_ref().map(|c| &c.path));
            if link.is_some() {
                escapes += Hyperlinks::close(out);
            }
            out.extend_from_slice(terminator);
            self.escapes += escapes as u64;
        }
    }

    /// Path (unless under a heading), line number, column (shown with
    /// --column; `column` is also the hyperlink's) and byte offset. A
    /// hyperlink covers the fields, not the separator after the last one.
    fn write_prefix(
        &mut self,
        line_number: Option<u64>,
        column: Option<usize>,
        offset: u64,
        sep: &[u8],
    ) {
        let opts = self.opts;
        let out = &mut self.out.buf;
        let mut escapes = 0;
        // Under a heading, lines are linked only if the link names a line.
        let link = opts
            .hyperlinks
            .as_ref()
            .zip(self.link_path.as_deref())
            .filter(|(links, _)| links.line_dependent() || !opts.heading);
        if let Some((links, link_path)) = link {
            let column = column.map(|c| c as u64);
            escapes += links.open(out, link_path, line_number, column);
        }
        // The separator owed by the last field written.
        let mut owed: Option<&[u8]> = None;
        if let (false, Some(path)) = (opts.heading, &self.path) {
            escapes += write_styled(out, path, opts.colors.as_ref().map(|c| &c.path));
            owed = Some(if opts.null { b"\0" } else { sep });
        }
        let colors = opts.colors.as_ref();
        let mut field = |out: &mut Vec<u8>, n: u64, style| {
            out.extend_from_slice(owed.replace(sep).unwrap_or_default());
            write_number(out, n, style)
        };
        if let (true, Some(number)) = (opts.line_number, line_number) {
            escapes += field(out, number, colors.map(|c| &c.line));
        }
        if let (true, Some(column)) = (opts.column, column) {
            escapes += field(out, column as u64, colors.map(|c| &c.column));
        }
        if opts.byte_offset {
            escapes += field(out, offset, colors.map(|c| &c.column));
        }
        if link.is_some() {
            escapes += Hyperlinks::close(out);
        }
        out.extend_from_slice(owed.unwrap_or_default());
        self.escapes += escapes as u64;
    }

    /// Collects the non-empty matches of the line into `self.matches`.
    fn find_matches(&mut self, line: &SinkLine) {
        self.matches.clear();
        let matches = &mut self.matches;
        line.for_each_match(self.matcher, |m| {
            matches.push(m.range());
            true
        });
    }

    /// The line's text (without terminator), after -r, --trim, -M and
    /// colors, followed by a newline.
    fn write_line_text(&mut self, line: &SinkLine, kind: LineKind, highlight: Highlight) {
        let opts = self.opts;
        let mut end = line.content_end();
        // With --crlf a "\r\n" is the terminator: not part of the text that
        // -M previews or measures (it still counts in the length), and
        // printed as it was.
        if opts.crlf && end > line.start && end < line.end && line.buf[end - 1] == b'\r' {
            end -= 1;
        }
        let mut start = line.start;
        if opts.trim {
            while start < end && line.buf[start].is_ascii_whitespace() {
                start += 1;
            }
        }
        let replace = opts.replace.as_deref().filter(|_| self.holds_matches(kind));
        // With `match:none`, nothing in a line is colored (as in rg).
        let colors = opts
            .colors
            .as_ref()
            .filter(|c| highlight != Highlight::None && c.colors_matches());
        // `--colors highlight:...`: the rest of a matching line (not of a
        // context line, nor of an inverted match).
        let line_style = colors
            .and_then(|c| c.highlight())
            .filter(|_| self.holds_matches(kind));
        // ripgrep measures a line with its terminator: `-M 30` omits a
        // line of 30 bytes and a newline.
        let terminator = line.end - end;
        let too_long = |len: usize| {
            opts.max_columns
                .is_some_and(|max| len.saturating_add(terminator) > max)
        };
        // Like ripgrep, where the matches are known (colors, -r, --vimgrep,
        // --column or --stats) a shortened line says how many there are: in a
        // matching line, or in a context line with -v.
        let counted = (kind == LineKind::Match) != self.invert
            && (colors.is_some()
                || opts.replace.is_some()
                || opts.vimgrep
                || opts.column
                || opts.count_matches);
        // What is printed and where its matches are: the replaced line and
        // its replacements, or the line itself and its matches (looked up
        // only when they are colored or counted).
        let mut replaced = Vec::new();
        let mut spans = Vec::new();
        let (text, window): (&[u8], Range<usize>) = match replace {
            Some(replacement) => {
                replaced.reserve(end - line.start);
                self.matcher.replace_into(
                    line.buf,
                    (line.start, end, line.end),
                    replacement,
                    &mut replaced,
                    &mut spans,
                );
                // ripgrep trims the replaced line, not the original.
                let cut = match opts.trim {
                    true => replaced
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count(),
                    false => 0,
                };
                (&replaced, cut..replaced.len())
            }
            None => {
                if colors.is_some() || (counted && too_long(end - start)) {
                    self.find_matches(line);
                    spans = std::mem::take(&mut self.matches);
                }
                (line.buf, start..end)
            }
        };
        let out = &mut self.out.buf;
        match opts.max_columns.filter(|_| too_long(window.len())) {
            None => {
                self.escapes +=
                    write_spans(out, text, window, &spans, colors, highlight, line_style) as u64;
                // As in ripgrep, a line printed with colored matches ends
                // with the configured terminator (`\r\n` with --crlf, even
                // after a bare `\n`); other lines keep their own.
                match &line.buf[end..line.end] {
                    _ if colors.is_some() && !spans.is_empty() => out.extend_from_slice(opts.eol()),
                    [] => out.extend_from_slice(opts.eol()),
                    terminator => out.extend_from_slice(terminator),
                }
            }
            Some(_) if !opts.max_columns_preview => {
                let notice = omitted_notice(kind, counted.then_some(spans.len()));
                out.extend_from_slice(notice.as_bytes());
                out.extend_from_slice(opts.eol());
            }
            Some(max) => {
                // The first `max` grapheme clusters, as in ripgrep. The
                // text may fit when only its terminator does not: then it
                // is all printed, with the notice.
                let cut = preview_end(text, window.clone(), max);
                self.escapes += write_spans(
                    out,
                    text,
                    window.start..cut,
                    &spans,
                    colors,
                    highlight,
                    line_style,
                ) as u64;
                let hidden = match colors {
                    Some(_) => spans
                        .iter()
                        .enumerate()
                        .filter(|(n, span)| highlight.covers(*n) && span.start >= cut)
                        .count(),
                    // ripgrep, when it prints no colors, counts every match
                    // of the line from the line's start against a cut (and
                    // an end) measured from the trimmed text's start: a
                    // difference only with --trim, kept for the same output.
                    None => {
                        let base = if replace.is_some() { 0 } else { line.start };
                        let (cut, end) = (cut - window.start, window.len() + terminator);
                        spans
                            .iter()
                            .filter(|span| (cut..end).contains(&(span.start - base)))
                            .count()
                    }
                };
                out.extend_from_slice(preview_suffix(counted.then_some(hidden)).as_bytes());
                out.extend_from_slice(opts.eol());
            }
        }
        if replace.is_none() && !spans.is_empty() {
            // Hand the buffer back for reuse.
            self.matches = spans;
        }
    }

    /// The whole line (without terminator) with -r applied, and where each
    /// replacement went in it.
    fn replaced_line(&self, line: &SinkLine, replacement: &[u8]) -> (Vec<u8>, Vec<Range<usize>>) {
        let (mut text, mut spans) = (Vec::new(), Vec::new());
        self.matcher.replace_into(
            line.buf,
            (line.start, line.match_end(), line.end),
            replacement,
            &mut text,
            &mut spans,
        );
        (text, spans)
    }

    /// -U: a block of lines holding matches that may span them, printed
    /// line by line as ripgrep's multiline printer does. Columns are those
    /// of the block's first match counted from the block's start (with -o,
    /// of each match), and `-r` replaces across lines before the block is
    /// split into lines.
    fn write_block(&mut self, line: &SinkLine) {
        let opts = self.opts;
        let sep = opts.match_separator.clone();
        let term = line.terminator;
        let (text, spans): (Cow<[u8]>, Vec<Range<usize>>) = match opts.replace.as_deref() {
            Some(replacement) => {
                let (text, spans) = self.replaced_line(line, replacement);
                (Cow::Owned(text), spans)
            }
            None => {
                self.find_matches(line);
                let spans = self
                    .matches
                    .iter()
                    .map(|m| m.start - line.start..m.end - line.start)
                    .collect();
                (Cow::Borrowed(line.bytes()), spans)
            }
        };
        let colors = opts.colors.as_ref();
        // ripgrep looks matches up (and then ends every line with the
        // output's terminator) only when it needs them.
        let slow = colors.is_some() || opts.column || opts.replace.is_some() || opts.count_matches;
        let lines = text.split_inclusive(|&b| b == term).scan(0, |at, l| {
            let start = *at;
            *at += l.len();
            Some(start..*at)
        });
        let content = |r: &Range<usize>| {
            let end = r.end - usize::from(r.end > r.start && text[r.end - 1] == term);
            // ripgrep's trim_line_terminator also removes the `\r` of CRLF.
            let crlf = opts.crlf && end > r.start && text[end - 1] == b'\r';
            r.start..end - usize::from(crlf)
        };
        let number = |n: usize| line.line_number.map(|first| first + n as u64);
        let trimmed = |l: &Range<usize>| {
            let mut body = content(l);
            if opts.trim {
                // ripgrep trims the line, then prints the part of a match
                // that is left in it.
                while body.start < body.end && text[body.start].is_ascii_whitespace() {
                    body.start += 1;
                }
            }
            body
        };
        // -o wins over --vimgrep, as for single lines.
        if opts.vimgrep && !opts.only_matching {
            let lines: Vec<Range<usize>> = lines.collect();
            for m in &spans {
                // One line per match, the first it overlaps; as in
                // ripgrep, a line cut by -M does not count, so the next
                // lines of the match follow until one is printed whole.
                for (n, l) in lines.iter().enumerate() {
                    // ripgrep's test: the lines the match overlaps (none
                    // for an empty match at a line's start).
                    if l.start >= m.end {
                        break;
                    } else if l.end <= m.start {
                        continue;
                    }
                    let body = trimmed(l);
                    self.write_prefix(
                        number(n),
                        Some(m.start.saturating_sub(l.start) + 1),
                        line.abs_offset + l.start as u64,
                        &sep,
                    );
                    // -M measures the trimmed line, as in ripgrep.
                    let (shown, suffix) = match opts.max_columns {
                        Some(max) if body.len() > max && !opts.max_columns_preview => {
                            let notice = omitted_notice(LineKind::Match, Some(spans.len()));
                            (body.start..body.start, notice)
                        }
                        Some(max) if body.len() > max => {
                            let cut = preview_end(&text, body.clone(), max);
                            let more = usize::from(m.start >= cut && m.start < body.end);
                            (body.start..cut, preview_suffix(Some(more)))
                        }
                        _ => (body.clone(), String::new()),
                    };
                    let cut = !suffix.is_empty();
                    let out = &mut self.out.buf;
                    self.escapes += write_spans(
                        out,
                        &text,
                        shown,
                        std::slice::from_ref(m),
                        colors,
                        Highlight::All,
                        None,
                    ) as u64;
                    out.extend_from_slice(suffix.as_bytes());
                    out.extend_from_slice(opts.eol());
                    if !cut {
                        break;
                    }
                }
            }
            return;
        }
        if opts.only_matching {
            for (n, l) in lines.enumerate() {
                let body = trimmed(&l);
                for m in &spans {
                    let (from, to) = (m.start.max(body.start), m.end.min(body.end));
                    if from >= to {
                        continue;
                    }
                    self.write_prefix(
                        number(n),
                        Some(m.start + 1),
                        line.abs_offset + m.start as u64,
                        &sep,
                    );
                    // -M applies to the part of the match in the trimmed
                    // line; a preview counts the matches starting past it.
                    let (to, suffix) = match opts.max_columns {
                        Some(max) if to - from > max && !opts.max_columns_preview => {
                            let out = &mut self.out.buf;
                            out.extend_from_slice(b"[Omitted long matching line]");
                            out.extend_from_slice(opts.eol());
                            continue;
                        }
                        Some(max) if to - from > max => {
                            let cut = preview_end(&text, from..to, max);
                            let more = spans.iter().filter(|s| s.start >= cut && s.start < to);
                            (cut, preview_suffix(Some(more.count())))
                        }
                        _ => (to, String::new()),
                    };
                    let out = &mut self.out.buf;
                    match colors {
                        Some(colors) => {
                            self.escapes += colors.matched.write(out, &text[from..to]) as u64
                        }
                        None => out.extend_from_slice(&text[from..to]),
                    }
                    out.extend_from_slice(suffix.as_bytes());
                    out.extend_from_slice(opts.eol());
                }
            }
            return;
        }
        let column = spans.first().map_or(1, |m| m.start + 1);
        for (n, mut l) in lines.enumerate() {
            self.write_prefix(
                number(n),
                Some(column),
                line.abs_offset + l.start as u64,
                &sep,
            );
            if opts.trim {
                while l.start < l.end
                    && text[l.start] != term
                    && text[l.start].is_ascii_whitespace()
                {
                    l.start += 1;
                }
            }
            let body = content(&l);
            let out = &mut self.out.buf;
            // ripgrep measures a block's line with its terminator.
            match opts.max_columns.filter(|&max| l.len() > max) {
                Some(_) if !opts.max_columns_preview => {
                    let notice = omitted_notice(LineKind::Match, slow.then_some(spans.len()));
                    out.extend_from_slice(notice.as_bytes());
                    out.extend_from_slice(opts.eol());
                }
                Some(max) => {
                    let cut = preview_end(&text, l.clone(), max).min(body.end);
                    self.escapes += write_spans(
                        out,
                        &text,
                        body.start..cut,
                        &spans,
                        colors,
                        Highlight::All,
                        None,
                    ) as u64;
                    let more = spans
                        .iter()
                        .filter(|m| m.start >= cut && m.start < body.end)
                        .count();
                    out.extend_from_slice(preview_suffix(slow.then_some(more)).as_bytes());
                    out.extend_from_slice(opts.eol());
                }
                None if slow => {
                    self.escapes +=
                        write_spans(out, &text, body, &spans, colors, Highlight::All, None) as u64;
                    out.extend_from_slice(opts.eol());
                }
                None => {
                    out.extend_from_slice(&text[l.clone()]);
                    if l.is_empty() || text[l.end - 1] != term {
                        out.extend_from_slice(opts.eol());
                    }
                }
            }
        }
    }

    fn write_only_matching(&mut self, line: &SinkLine, kind: LineKind) {
        let opts = self.opts;
        let sep = self.separator(kind);
        self.find_matches(line);
        if self.matches.is_empty() {
            // As in ripgrep: a matching line in which no match is listed
            // (see SinkLine::for_each_match) is printed whole.
            self.write_prefix(line.line_number, None, line.abs_offset, sep);
            self.write_line_text(line, kind, Highlight::None);
            return;
        }
        let matches = std::mem::take(&mut self.matches);
        // With -r each replacement is printed, and (as in ripgrep) its
        // column and byte offset are where it starts in the replaced line.
        let replaced = opts
            .replace
            .as_deref()
            .map(|replacement| self.replaced_line(line, replacement));
        for (n, range) in matches.iter().enumerate() {
            let (at, text): (usize, &[u8]) = match &replaced {
                Some((text, spans)) => match spans.get(n) {
                    Some(span) => (span.start, &text[span.clone()]),
                    None => continue,
                },
                None => (range.start - line.start, &line.buf[range.clone()]),
            };
            let offset = line.abs_offset + at as u64;
            self.write_prefix(line.line_number, Some(at + 1), offset, sep);
            let colors = opts.colors.as_ref().filter(|c| c.colors_matches());
            // --trim applies to each match. -M applies to the printed match
            // as to a line: ripgrep measures it trimmed, but untrimmed when
            // it prints colors.
            let untrimmed = text.len();
            let text = match opts.trim {
                true => &text[text.iter().take_while(|b| b.is_ascii_whitespace()).count()..],
                false => text,
            };
            let measured = if colors.is_some() {
                untrimmed
            } else {
                text.len()
            };
            let (shown, suffix): (&[u8], String) = match opts.max_columns {
                Some(max) if measured > max && !opts.max_columns_preview => {
                    self.out
                        .buf
                        .extend_from_slice(b"[Omitted long matching line]");
                    self.out.buf.extend_from_slice(opts.eol());
                    continue;
                }
                Some(max) if measured > max => {
                    let cut = preview_end(text, 0..text.len(), max);
                    // No other match starts in the match; but ripgrep,
                    // when it prints no colors, counts the line's matches
                    // (offsets in the line) past the cut (an offset in the
                    // match): kept for the same output.
                    let more = match (colors, &replaced) {
                        (Some(_), _) => 0,
                        (None, Some((_, spans))) => spans
                            .iter()
                            .filter(|s| s.start >= cut && s.start < text.len())
                            .count(),
                        (None, None) => matches
                            .iter()
                            .map(|m| m.start - line.start)
                            .filter(|&start| start >= cut && start < text.len())
                            .count(),
                    };
                    (&text[..cut], preview_suffix(Some(more)))
                }
                _ => (text, String::new()),
            };
            let whole = 0..shown.len();
            self.escapes += write_spans(
                &mut self.out.buf,
                shown,
                whole.clone(),
                std::slice::from_ref(&whole),
                colors,
                Highlight::All,
                colors.and_then(|c| c.highlight()),
            ) as u64;
            self.out.buf.extend_from_slice(suffix.as_bytes());
            self.out.buf.extend_from_slice(opts.eol());
        }
        self.matches = matches;
    }

    /// Whether the matches in a line of this kind are shown (colored,
    /// replaced, columned, printed alone with -o): those of matching
    /// lines, and with -v those of context lines, which are then the
    /// lines that match (as in ripgrep).
    fn holds_matches(&self, kind: LineKind) -> bool {
        (kind == LineKind::Match) != self.invert
    }

    fn separator(&self, kind: LineKind) -> &'a [u8] {
        match kind {
            LineKind::Match => &self.opts.match_separator,
            LineKind::Context => &self.opts.context_separator,
        }
    }

    /// One reported line, matching or context: with -o its matches, with
    /// --vimgrep a copy per match, else the line with its prefix.
    fn write_reported_line(&mut self, line: &SinkLine, kind: LineKind) {
        let opts = self.opts;
        // -o wins over --vimgrep, as in ripgrep: one match per line.
        if opts.only_matching && self.holds_matches(kind) {
            self.write_only_matching(line, kind);
        } else if opts.vimgrep {
            self.write_vimgrep(line, kind);
        } else {
            // Links name the column even when it is not shown; a line
            // without shown matches has no column.
            let wanted = opts.column || self.link_path.is_some();
            let column = (wanted && self.holds_matches(kind))
                .then(|| self.first_match_column(line))
                .flatten();
            let sep = self.separator(kind);
            self.write_prefix(line.line_number, column, line.abs_offset, sep);
            let highlight = Highlight::all_if(self.holds_matches(kind));
            self.write_line_text(line, kind, highlight);
        }
    }

    /// `--vimgrep`: the whole line once per match, with that match's column.
    /// As in ripgrep, with -r the column is where the replacement starts in
    /// the replaced line, and with colors each copy colors only its match.
    fn write_vimgrep(&mut self, line: &SinkLine, kind: LineKind) {
        let sep = self.separator(kind);
        self.find_matches(line);
        let columns: Vec<Option<usize>> = match self.opts.replace.as_deref() {
            // An inverted match has no column (ripgrep prints none).
            _ if !self.holds_matches(kind) => vec![None],
            // No match listed in the line: the line once, without column.
            _ if self.matches.is_empty() => vec![None],
            Some(replacement) => {
                let (_, spans) = self.replaced_line(line, replacement);
                spans.iter().map(|span| Some(span.start + 1)).collect()
            }
            None => self
                .matches
                .iter()
                .map(|m| Some(m.start - line.start + 1))
                .collect(),
        };
        let colors = self.opts.colors.is_some() && self.holds_matches(kind);
        // Without colors every copy is the same: render the line once and
        // copy it, instead of re-running the matcher per copy.
        let mut rendered: Option<Range<usize>> = None;
        for (n, column) in columns.into_iter().enumerate() {
            // -b: the match's offset, as for -o (ripgrep's too).
            let offset = line.abs_offset + column.map_or(0, |c| c as u64 - 1);
            self.write_prefix(line.line_number, column, offset, sep);
            match rendered.clone() {
                Some(text) => self.out.buf.extend_from_within(text),
                None => {
                    let from = self.out.buf.len();
                    let highlight = if colors {
                        Highlight::Only(n)
                    } else {
                        Highlight::None
                    };
                    self.write_line_text(line, kind, highlight);
                    if !colors {
                        rendered = Some(from..self.out.buf.len());
                    }
                }
            }
        }
    }

    /// A reported matching line, into the file's outcome and statistics.
    fn record_match(&mut self, line: &SinkLine) {
        self.matched = true;
        let (matcher, invert, count) = (self.matcher, self.invert, self.opts.count_matches);
        record_line(&mut self.stats, matcher, line, invert, count);
    }

    /// None when no match is listed in the line (ripgrep then prints no
    /// column, see SinkLine::for_each_match).
    fn first_match_column(&mut self, line: &SinkLine) -> Option<usize> {
        let mut column = None;
        line.for_each_match(self.matcher, |m| {
            column = Some(m.start() - line.start + 1);
            false
        });
        column
    }

    fn write_binary_notice(&mut self, binary_offset: u64) {
        self.binary_notice = true;
        self.write_notice(&format!(
            "binary file matches (found \"\\0\" byte around offset {binary_offset})\n"
        ));
    }

    /// A binary-file notice: `path: ` first whenever paths are shown, under
    /// headings and with `--null` too (as in ripgrep: the notice stands
    /// alone, not under a heading).
    fn write_notice(&mut self, notice: &str) {
        if let Some(path) = &self.path {
            let out = &mut self.out.buf;
            let link = self.opts.hyperlinks.as_ref().zip(self.link_path.as_deref());
            let mut escapes = 0;
            if let Some((links, link_path)) = link {
                escapes += links.open(out, link_path, None, None);
            }
            let style = self.opts.colors.as_ref().map(|c| &c.path);
            escapes += write_styled(out, path, style);
            if link.is_some() {
                escapes += Hyperlinks::close(out);
            }
            self.escapes += escapes as u64;
            self.out.buf.extend_from_slice(b": ");
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
        self.record_match(line);
        self.write_heading();
        if line.multiline && !self.invert {
            self.write_block(line);
        } else {
            self.write_reported_line(line, LineKind::Match);
        }
        self.out.maybe_flush()
    }

    fn context(&mut self, line: &SinkLine) -> bool {
        self.write_heading();
        self.write_reported_line(line, LineKind::Context);
        self.out.maybe_flush()
    }

    fn context_break(&mut self) -> bool {
        if let Some(separator) = &self.opts.context_break {
            self.out.buf.extend_from_slice(separator);
            self.out.buf.extend_from_slice(self.opts.eol());
        }
        self.out.maybe_flush()
    }

    fn binary_matched(&mut self, line: &SinkLine, binary_offset: u64) -> bool {
        self.record_match(line);
        self.write_binary_notice(binary_offset);
        false
    }

    fn binary_context(&mut self, _binary_offset: u64) -> bool {
        false
    }

    fn finish(&mut self, summary: &SearchSummary) {
        self.stats.bytes_searched = summary.bytes_searched;
        // A file named explicitly whose NUL came after its matches (or
        // stopped it at a context line): the notice comes last, as in rg.
        if let (true, false, false, Some(offset)) = (
            self.matched,
            summary.binary_quit,
            self.binary_notice,
            summary.binary_offset,
        ) {
            self.write_binary_notice(offset);
        }
        if let (true, true, Some(offset)) =
            (self.matched, summary.binary_quit, summary.binary_offset)
        {
            self.write_notice(&format!(
                "WARNING: stopped searching binary file after match \
                 (found \"\\0\" byte around offset {offset})\n"
            ));
        }
        self.stats.bytes_printed = self.out.written() - self.escapes;
        self.out.flush();
    }

    fn flush(&mut self) {
        self.out.flush();
    }
}

/// `-M` without a preview: what stands for an omitted line, in ripgrep's
/// words; with the number of matches where they are known (colors, -r,
/// --vimgrep, --stats).
fn omitted_notice(kind: LineKind, matches: Option<usize>) -> String {
    match (matches, kind) {
        (Some(n), _) => format!("[Omitted long line with {n} matches]"),
        (None, LineKind::Match) => "[Omitted long matching line]".to_string(),
        (None, LineKind::Context) => "[Omitted long context line]".to_string(),
    }
}

/// `--max-columns-preview`: where the preview of `text[range]` ends, after
/// its first `max` grapheme clusters (as in ripgrep).
fn preview_end(text: &[u8], range: Range<usize>, max: usize) -> usize {
    let start = range.start;
    start
        + text[range]
            .grapheme_indices()
            .take(max)
            .last()
            .map_or(0, |(_, end, _)| end)
}

/// `--max-columns-preview`: what follows a cut line; how many matches
/// start past the cut, where they are known.
fn preview_suffix(hidden: Option<usize>) -> String {
    match hidden {
        None => " [... omitted end of long line]".to_string(),
        Some(1) => " [... 1 more match]".to_string(),
        Some(n) => format!(" [... {n} more matches]"),
    }
}
