//! A deliberately naive reference searcher for tests and fuzzing: split
//! the input into lines, test each line alone, then mark context. The real
//! searcher (one regex pass per window, context across window shifts) must
//! agree with it event for event.

use std::sync::atomic::AtomicBool;

use super::{BinaryMode, CaseMode, Matcher, MatcherOptions, SearchOptions, Searcher};
use crate::sink::{SearchSummary, Sink, SinkLine};

/// (kind, line number, offset, line bytes); kind is ':' for a reported
/// line, '-' for context and 'b' for a context break.
pub type Event = (char, u64, u64, Vec<u8>);

#[derive(Default)]
struct Collect {
    events: Vec<Event>,
}

impl Sink for Collect {
    fn matched(&mut self, line: &SinkLine) -> bool {
        let n = line.line_number.unwrap_or(0);
        self.events
            .push((':', n, line.abs_offset, line.bytes().to_vec()));
        true
    }
    fn context(&mut self, line: &SinkLine) -> bool {
        let n = line.line_number.unwrap_or(0);
        self.events
            .push(('-', n, line.abs_offset, line.bytes().to_vec()));
        true
    }
    fn context_break(&mut self) -> bool {
        self.events.push(('b', 0, 0, Vec::new()));
        true
    }
    fn binary_matched(&mut self, _: &SinkLine, _: u64) -> bool {
        false
    }
    fn finish(&mut self, _: &SearchSummary) {}
}

/// What grep semantics say the events are. `is_match` tests one line
/// (without its terminator).
pub fn expected(text: &[u8], opts: &SearchOptions, is_match: impl Fn(&[u8]) -> bool) -> Vec<Event> {
    let term = opts.terminator;
    let mut lines = Vec::new();
    let mut offset = 0u64;
    for line in text.split_inclusive(|&b| b == term) {
        let body = line.strip_suffix(&[term]).unwrap_or(line);
        lines.push((offset, line.to_vec(), is_match(body) != opts.invert));
        offset += line.len() as u64;
    }
    units_to_events(lines, opts)
}

/// What ripgrep's multiline searcher reports for `-U` (no --stop-on-nonmatch,
/// no passthru), computed naively: every match found by searching the rest
/// of the text as a haystack of its own, widened to whole lines, touching
/// blocks merged; each block is one unit, every other line another.
/// `find` returns the first match in a haystack.
pub fn expected_multiline(
    text: &[u8],
    opts: &SearchOptions,
    find: impl Fn(&[u8]) -> Option<(usize, usize)>,
) -> Vec<Event> {
    let term = opts.terminator;
    let line_start = |at: usize| {
        text[..at]
            .iter()
            .rposition(|&b| b == term)
            .map_or(0, |i| i + 1)
    };
    let line_end = |at: usize| {
        text[at..]
            .iter()
            .position(|&b| b == term)
            .map_or(text.len(), |i| at + i + 1)
    };
    // Touched ranges, in order (not merged yet), and matches counted.
    let mut touched: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    let mut found = 0u64;
    while pos < text.len() {
        // -m counts matches found, also with -v (ripgrep's match limit).
        if opts.max_count.is_some_and(|max| found >= max) {
            break;
        }
        let Some((s, e)) = find(&text[pos..]) else {
            break;
        };
        let (s, e) = (pos + s, pos + e);
        found += 1;
        let start = line_start(s);
        let end = if e > start && text[e - 1] == term {
            e
        } else {
            line_end(e)
        };
        touched.push((start, end));
        pos = if opts.invert {
            end.max(pos + 1)
        } else {
            e + usize::from(s == e && e < text.len())
        };
    }
    // Units: (start, end, selected).
    let mut units: Vec<(usize, usize, bool)> = Vec::new();
    if opts.invert {
        // Lines no match found touches are selected.
        let mut at = 0;
        for (start, end) in touched.into_iter().chain([(text.len(), text.len())]) {
            for (from, selected) in [(start, true), (end, false)] {
                while at < from {
                    let end_of_line = line_end(at);
                    units.push((at, end_of_line, selected));
                    at = end_of_line;
                }
            }
        }
    } else {
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        for (start, end) in touched {
            match blocks.last_mut() {
                Some(last) if last.1 >= start => last.1 = last.1.max(end),
                _ => blocks.push((start, end)),
            }
        }
        // An empty block (a match just past the last line) ends the
        // search; as the last block it still brings its context.
        let mut empty_last = None;
        if let Some(i) = blocks.iter().position(|b| b.0 == b.1) {
            if i + 1 == blocks.len() {
                empty_last = Some(blocks[i].0);
            }
            blocks.truncate(i);
        }
        let mut at = 0;
        for (start, end) in blocks {
            while at < start {
                let end_of_line = line_end(at);
                units.push((at, end_of_line, false));
                at = end_of_line;
            }
            units.push((start, end, true));
            at = end;
        }
        while at < text.len() {
            let end_of_line = line_end(at);
            units.push((at, end_of_line, false));
            at = end_of_line;
        }
        if let Some(at) = empty_last {
            units.push((at, at, true));
        }
    }
    let lines = units
        .into_iter()
        .map(|(start, end, pick)| (start as u64, text[start..end].to_vec(), pick))
        .collect();
    let mut no_max = opts.clone();
    no_max.max_count = None;
    let mut events = units_to_events(lines, &no_max);
    // Once -m is reached, the lines of the trailing after-context that
    // match on their own (tested without their terminator) are matches,
    // as in ripgrep.
    if !opts.invert && opts.max_count.is_some_and(|max| found >= max) {
        if let Some(last) = events.iter().rposition(|e| e.0 == ':') {
            for event in &mut events[last + 1..] {
                let content = event.3.strip_suffix(&[term]).unwrap_or(&event.3);
                if event.0 == '-' && find(content).is_some() {
                    event.0 = ':';
                }
            }
        }
    }
    // The empty last block itself is not reported, nor a break that only
    // preceded it.
    if events.last().is_some_and(|e| e.0 == ':' && e.3.is_empty()) {
        events.pop();
        if events.last().is_some_and(|e| e.0 == 'b') {
            events.pop();
        }
    }
    events
}

/// Events for units of text (lines, or -U blocks) of which some are
/// selected, with context and -m applied; line numbers count terminators.
fn units_to_events(lines: Vec<(u64, Vec<u8>, bool)>, opts: &SearchOptions) -> Vec<Event> {
    let term = opts.terminator;
    let mut numbers = Vec::with_capacity(lines.len());
    let mut number = 1u64;
    for line in &lines {
        numbers.push(number);
        number += line.1.iter().filter(|&&b| b == term).count() as u64;
    }
    let mut selected = Vec::new();
    // --stop-on-nonmatch (ignored with -v): nothing is selected after the
    // first non-matching line that follows a match, and nothing at all is
    // printed after it (it is the last possible after-context line).
    let stops = opts.stop_on_nonmatch && !opts.invert;
    let mut printable = lines.len();
    let max_reached = |n: usize| opts.max_count.is_some_and(|max| n as u64 >= max);
    for (i, line) in lines.iter().enumerate() {
        if max_reached(selected.len()) {
            break;
        }
        if stops && !line.2 && !selected.is_empty() {
            printable = i + 1;
            break;
        }
        if line.2 {
            selected.push(i);
        }
    }
    let mut kinds = vec![None; lines.len()];
    for &i in &selected {
        let first = i.saturating_sub(opts.before);
        let last = (i + opts.after).min(printable - 1);
        for kind in &mut kinds[first..=last] {
            kind.get_or_insert('-');
        }
    }
    for &i in &selected {
        kinds[i] = Some(':');
    }
    // Once -m is reached, matching lines in the last after-context are
    // still reported as matches.
    if let (true, Some(&last)) = (max_reached(selected.len()), selected.last()) {
        for i in last + 1..=(last + opts.after).min(lines.len() - 1) {
            if lines[i].2 {
                kinds[i] = Some(':');
            }
        }
    }
    let has_context = opts.before > 0 || opts.after > 0;
    let mut events = Vec::new();
    let mut last: Option<usize> = None;
    for (i, kind) in kinds.iter().enumerate() {
        if let Some(kind) = kind {
            if let (true, Some(prev)) = (has_context, last) {
                if i > prev + 1 {
                    events.push(('b', 0, 0, Vec::new()));
                }
            }
            events.push((*kind, numbers[i], lines[i].0, lines[i].1.clone()));
            last = Some(i);
        }
    }
    events
}

/// Runs the real searcher (streaming with a `window`-byte initial window,
/// and over the whole slice) and returns its events; panics if the two
/// modes disagree.
pub fn actual(
    pattern: &str,
    case: CaseMode,
    text: &[u8],
    opts: &SearchOptions,
    window: usize,
) -> Option<Vec<Event>> {
    let matcher_opts = MatcherOptions {
        case,
        ..MatcherOptions::default()
    };
    actual_with(pattern, &matcher_opts, text, opts, window)
}

/// `actual` with any matcher options (engine, -U, --null-data, ...).
pub fn actual_with(
    pattern: &str,
    matcher_opts: &MatcherOptions,
    text: &[u8],
    opts: &SearchOptions,
    window: usize,
) -> Option<Vec<Event>> {
    let matcher = Matcher::new(&[pattern.to_string()], matcher_opts).ok()?;
    let quit = AtomicBool::new(false);
    let mut searcher = Searcher::with_window(opts, &quit, window);
    let mut streamed = Collect::default();
    searcher
        .search_reader(&matcher, &mut &text[..], BinaryMode::Text, &mut streamed)
        .ok()?;
    let mut sliced = Collect::default();
    searcher
        .search_slice(&matcher, text, BinaryMode::Text, &mut sliced)
        .ok()?;
    assert_eq!(streamed.events, sliced.events, "reader and slice disagree");
    Some(streamed.events)
}
