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
    fn binary_matched(&mut self, _: u64) -> bool {
        false
    }
    fn finish(&mut self, _: &SearchSummary) {}
}

/// What grep semantics say the events are. `is_match` tests one line
/// (without its terminator).
pub fn expected(text: &[u8], opts: &SearchOptions, is_match: impl Fn(&[u8]) -> bool) -> Vec<Event> {
    let mut lines = Vec::new();
    let mut offset = 0u64;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        lines.push((offset, line.to_vec(), is_match(body) != opts.invert));
        offset += line.len() as u64;
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
            events.push((*kind, i as u64 + 1, lines[i].0, lines[i].1.clone()));
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
    let matcher = Matcher::new(
        &[pattern.to_string()],
        &MatcherOptions {
            case,
            ..MatcherOptions::default()
        },
    )
    .ok()?;
    let quit = AtomicBool::new(false);
    let mut searcher = Searcher::with_window(opts, &quit, window);
    let mut streamed = Collect::default();
    searcher
        .search_reader(&matcher, &mut &text[..], BinaryMode::Text, &mut streamed)
        .ok()?;
    let mut sliced = Collect::default();
    searcher.search_slice(&matcher, text, BinaryMode::Text, &mut sliced);
    assert_eq!(streamed.events, sliced.events, "reader and slice disagree");
    Some(streamed.events)
}
