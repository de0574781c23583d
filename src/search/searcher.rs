//! The line-oriented searcher.
//!
//! Input is read into a reusable window. Each round searches the complete
//! lines in the window with a single regex pass: for a match, the line
//! around it is found with memrchr/memchr, reported, and the search resumes
//! after that line. Lines are never scanned one by one unless inverted.
//! Between rounds the window keeps only what context may still need
//! (the last `-B` lines), so memory is bounded by the longest line.
//!
//! Two other paths share the context and line-numbering state:
//! - PCRE2 and --null-data (`Matcher::line_by_line`): lines are handed to
//!   the matcher one at a time, as ripgrep does for them.
//! - -U with a pattern that can match a line end (`Matcher::multiline`):
//!   the whole input is read, and `search_multiline` follows ripgrep's
//!   multiline searcher: matches widened to blocks of lines, touching
//!   blocks merged, each block one `matched` call.
//!
//! Input that may keep the search waiting (stdin, a FIFO, a `--pre`
//! pipe: `search_live`) is polled before each read: if the read would
//! block, the sink first hands on what it has found so far (`Sink::flush`),
//! so `tail -f log | trawl ERROR` shows each line as it comes.

use std::io::{self, Read};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use memchr::{memchr, memrchr};

use super::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};

/// Initial window size, ripgrep's too, which makes binary detection (done
/// per window) agree with ripgrep's. Windows grow only for longer lines.
const WINDOW: usize = 64 * 1024;
/// How much of a memory-mapped file is checked for NUL bytes up front; the
/// rest is checked only in matching lines (as ripgrep does with mmap).
const MMAP_BINARY_PEEK: usize = 64 * 1024;
/// How much of a memory-mapped file is searched between checks of the
/// quit flag.
const MMAP_QUIT_CHECK: usize = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryMode {
    /// File found in a walk: stop at the first NUL byte.
    Quit,
    /// File named explicitly (or --binary): keep searching and replace the
    /// first matching line by a "binary file matches" notice.
    Convert,
    /// -a/--text: no detection.
    Text,
}

/// How input bytes are turned into text (-E/--encoding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// Decode input that starts with a UTF-8/UTF-16 byte order mark;
    /// search anything else as bytes.
    #[default]
    Auto,
    /// Search every input as raw bytes, marks included.
    Raw,
    /// Decode every input from this encoding (a byte order mark still
    /// wins, as in ripgrep).
    Fixed(&'static encoding_rs::Encoding),
}

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub invert: bool,
    pub before: usize,
    pub after: usize,
    pub passthru: bool,
    pub max_count: Option<u64>,
    pub line_numbers: bool,
    /// --stop-on-nonmatch: stop at the first non-matching line after a
    /// match (for sorted input). Ignored with -v, as ripgrep does.
    pub stop_on_nonmatch: bool,
    pub encoding: TextEncoding,
    /// The line terminator: `\n`, or NUL with --null-data. (--crlf lines
    /// end with `\n` too; the `\r` is the matcher's and printers' concern.)
    pub terminator: u8,
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            invert: false,
            before: 0,
            after: 0,
            passthru: false,
            max_count: None,
            line_numbers: false,
            stop_on_nonmatch: false,
            encoding: TextEncoding::default(),
            terminator: b'\n',
        }
    }
}

pub struct Searcher<'c> {
    /// What the latest search found (binary data, bytes searched).
    pub last: SearchSummary,
    opts: &'c SearchOptions,
    window: Vec<u8>,
    quit: &'c AtomicBool,
    /// Bytes read, added as they are read (for the progress line).
    read: Option<&'c AtomicU64>,
    /// The descriptor that `search_live` polls before each read.
    live: Option<RawFd>,
}

impl<'c> Searcher<'c> {
    pub fn new(opts: &'c SearchOptions, quit: &'c AtomicBool) -> Searcher<'c> {
        Searcher {
            last: SearchSummary::default(),
            opts,
            window: Vec::new(),
            quit,
            read: None,
            live: None,
        }
    }

    /// A searcher with a tiny initial window, so that tests and fuzzing
    /// exercise window shifts and growth on small inputs.
    #[doc(hidden)]
    pub fn with_window(opts: &'c SearchOptions, quit: &'c AtomicBool, size: usize) -> Searcher<'c> {
        Searcher {
            last: SearchSummary::default(),
            opts,
            window: vec![0; size],
            quit,
            read: None,
            live: None,
        }
    }

    /// Adds the bytes it reads to `read` as it reads them.
    pub fn counting_into(self, read: &'c AtomicU64) -> Searcher<'c> {
        Searcher {
            read: Some(read),
            ..self
        }
    }

    fn count_read(&self, n: usize) {
        if let Some(read) = self.read {
            read.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// `search_reader` for input that may keep it waiting (stdin, a FIFO,
    /// a pipe): whenever reading `fd` would block, what the sink has so
    /// far is flushed first, so that it reaches the reader at once.
    pub fn search_live(
        &mut self,
        matcher: &Matcher,
        reader: &mut dyn Read,
        fd: RawFd,
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.live = Some(fd);
        let result = self.search_reader(matcher, reader, binary, sink);
        self.live = None;
        result
    }

    /// Whether an input starting with `head` is decoded before it is
    /// searched (a memory map then goes through `search_reader`).
    pub fn decodes(&self, head: &[u8]) -> bool {
        match self.opts.encoding {
            TextEncoding::Auto => starts_with_bom(head),
            TextEncoding::Raw => false,
            TextEncoding::Fixed(_) => true,
        }
    }

    /// Searches a whole in-memory input (a memory map). The only error is a
    /// PCRE2 search that gave up (match limit, JIT stack).
    pub fn search_slice(
        &mut self,
        matcher: &Matcher,
        data: &[u8],
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.count_read(data.len());
        if matcher.multiline() {
            return self.search_multiline(matcher, data, binary, sink);
        }
        let mut state = State::new(self.opts, binary);
        state.count_for(sink);
        let mut len = data.len();
        // As ripgrep on a map: only the first 64 KiB are looked at for a
        // NUL byte, then the lines handed to the sink.
        let peek = &data[..data.len().min(MMAP_BINARY_PEEK)];
        match binary {
            // A file found in a walk (mapped with --mmap): a NUL at the start
            // skips it whole; one in a line to print ends the search there.
            BinaryMode::Quit => match memchr(0, peek) {
                Some(i) => {
                    state.binary_offset = Some(i as u64);
                    state.binary_quit = true;
                    len = 0;
                }
                None => state.check_lines_for_nul = true,
            },
            BinaryMode::Convert => {
                state.check_lines_for_nul = true;
                state.binary_offset = memchr(0, peek).map(|i| i as u64);
            }
            BinaryMode::Text => {}
        }
        // In slices of a few MiB of whole lines, so that cancellation
        // (-q elsewhere, a closed pipe) stops a large map promptly.
        let mut at = 0;
        let searched = loop {
            if at >= len {
                break len as u64;
            }
            if self.quit.load(Ordering::Relaxed) {
                break at as u64;
            }
            let mut slice_end = (at + MMAP_QUIT_CHECK).min(len);
            if slice_end < len {
                slice_end = memchr(self.opts.terminator, &data[slice_end..len])
                    .map_or(len, |i| slice_end + i + 1);
            }
            if !state.process(matcher, &data[..len], at, slice_end, sink) {
                break state.searched_to;
            }
            at = slice_end;
        };
        let summary = state.summary(searched_on_map(&state, searched));
        self.finish(summary, sink, state.into_result())
    }

    /// Searches a stream incrementally, window by window.
    pub fn search_reader(
        &mut self,
        matcher: &Matcher,
        reader: &mut dyn Read,
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.search_reader_sized(matcher, reader, &mut || None, binary, sink)
    }

    /// Like `search_reader`; `total_size` is asked for the input's size
    /// when a line outgrows the window, so that the window grows to what
    /// the line can need instead of doubling past it (a 300 MB line would
    /// otherwise take a 512 MB window).
    ///
    /// Input that starts with a byte order mark (UTF-8, UTF-16LE, UTF-16BE)
    /// is decoded to UTF-8 without the mark before it is searched, as
    /// ripgrep does; offsets and columns are then those of the decoded text.
    pub fn search_reader_sized(
        &mut self,
        matcher: &Matcher,
        reader: &mut dyn Read,
        total_size: &mut dyn FnMut() -> Option<u64>,
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let (encoding, head) = match self.opts.encoding {
            TextEncoding::Raw => {
                return self
                    .search_stream(matcher, reader, total_size, binary, sink, false)
                    .map(|_| ());
            }
            TextEncoding::Fixed(encoding) => (Some(encoding), Vec::new()),
            // Searched as bytes unless the first read shows a mark.
            TextEncoding::Auto => {
                match self.search_stream(matcher, reader, total_size, binary, sink, true)? {
                    None => return Ok(()),
                    Some(head) => (None, head),
                }
            }
        };
        // ripgrep's settings: a mark wins over -E and is removed, and UTF-8
        // passes through as it is (invalid bytes included).
        let mut decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(encoding)
            .bom_override(true)
            .strip_bom(true)
            .utf8_passthru(true)
            .build(io::Cursor::new(head).chain(reader));
        self.search_stream(matcher, &mut decoded, &mut || None, binary, sink, false)
            .map(|_| ())
    }

    /// The search loop. With `sniff`, a first read that starts with a byte
    /// order mark ends it at once, returning what was read so that the
    /// caller can decode it and the rest of the input.
    fn search_stream(
        &mut self,
        matcher: &Matcher,
        reader: &mut dyn Read,
        total_size: &mut dyn FnMut() -> Option<u64>,
        binary: BinaryMode,
        sink: &mut dyn Sink,
        sniff: bool,
    ) -> io::Result<Option<Vec<u8>>> {
        if matcher.multiline() {
            // -U reads the whole input, as ripgrep does (see README).
            let mut data = std::mem::take(&mut self.window);
            data.clear();
            if let Err(err) = reader.read_to_end(&mut data) {
                self.window = data;
                return self
                    .finish(SearchSummary::default(), sink, Err(err))
                    .map(|()| None);
            }
            self.count_read(data.len());
            if sniff && starts_with_bom(&data) {
                return Ok(Some(data));
            }
            let result = self.search_multiline(matcher, &data, binary, sink);
            self.window = data;
            return result.map(|()| None);
        }
        let mut state = State::new(self.opts, binary);
        state.count_for(sink);
        if self.window.is_empty() {
            self.window.resize(WINDOW, 0);
        }
        let buf = &mut self.window;
        let mut len = 0;
        let mut pos = 0;
        let mut total: u64 = 0;
        let result = loop {
            if self.quit.load(Ordering::Relaxed) {
                break Ok(());
            }
            if len == buf.len() {
                let read_so_far = state.base + len as u64;
                let doubled = buf.len() * 2;
                let new_len = match total_size() {
                    Some(total) if total > read_so_far => {
                        let rest = usize::try_from(total - read_so_far).unwrap_or(usize::MAX);
                        // One spare byte, so that reading EOF never needs
                        // yet another doubling.
                        doubled.min(len.saturating_add(rest).saturating_add(1))
                    }
                    _ => doubled,
                };
                buf.resize(new_len, 0);
            }
            if self.live.is_some_and(would_block) {
                sink.flush();
            }
            let n = match reader.read(&mut buf[len..]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => break Err(err),
            };
            if let Some(read) = self.read {
                read.fetch_add(n as u64, Ordering::Relaxed);
            }
            if sniff && len == 0 && state.base == 0 && starts_with_bom(&buf[..n]) {
                return Ok(Some(buf[..n].to_vec()));
            }
            let mut eof = n == 0;
            if n > 0 {
                let fresh = &mut buf[len..len + n];
                let base = state.base + len as u64;
                match binary {
                    BinaryMode::Quit => match memchr(0, fresh) {
                        // Like ripgrep, nothing read in the same window as
                        // the NUL is searched: a small binary file with a
                        // match before its first NUL prints nothing.
                        Some(i) => {
                            state.binary_offset = Some(base + i as u64);
                            state.binary_quit = true;
                            len = pos;
                            eof = true;
                        }
                        None => len += n,
                    },
                    BinaryMode::Convert => {
                        if let Some(i) = memchr(0, fresh) {
                            state.binary_offset.get_or_insert(base + i as u64);
                            // Like ripgrep: NULs become line ends, so a binary
                            // file without newlines cannot make one huge line.
                            fresh
                                .iter_mut()
                                .filter(|b| **b == 0)
                                .for_each(|b| *b = b'\n');
                        }
                        len += n;
                    }
                    BinaryMode::Text => len += n,
                }
            }
            let region_end = if eof {
                len
            } else {
                match memrchr(self.opts.terminator, &buf[pos..len]) {
                    Some(i) => pos + i + 1,
                    None => continue,
                }
            };
            let go_on = state.process(matcher, &buf[..len], pos, region_end, sink);
            if !go_on {
                // Stopped early (-m, -l, -q): what was searched ends with
                // the last matching line, as ripgrep counts it.
                total = state.searched_to;
                break Ok(());
            }
            if eof {
                total = state.base + len as u64;
                break Ok(());
            }
            pos = region_end;
            let keep = state.keep_from(&buf[..len], region_end);
            buf.copy_within(keep..len, 0);
            len -= keep;
            pos -= keep;
        };
        if total == 0 {
            total = state.base + len as u64;
        }
        let summary = state.summary(total);
        let result = result.and(state.into_result());
        self.finish(summary, sink, result).map(|()| None)
    }

    /// Ends a search. A search that failed (a read error, a truncated
    /// compressed file, a failed --pre command, a PCRE2 error) is not
    /// finished: no count, path or summary stands for a file that was not
    /// read whole, as in ripgrep; lines printed before the error stay.
    fn finish(
        &mut self,
        summary: SearchSummary,
        sink: &mut dyn Sink,
        result: io::Result<()>,
    ) -> io::Result<()> {
        self.last = summary;
        if result.is_ok() {
            sink.finish(&self.last);
        }
        result
    }
}

impl Searcher<'_> {
    /// -U over a whole input: ripgrep's multiline searcher. Each match is
    /// looked for in the rest of the input taken as a haystack of its own;
    /// the lines it touches become a block, and blocks that touch or
    /// adjoin are merged, so no line is reported twice. Each block goes to
    /// the sink as one `matched` call. -m counts matches, not lines.
    fn search_multiline(
        &mut self,
        matcher: &Matcher,
        data: &[u8],
        binary: BinaryMode,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let term = self.opts.terminator;
        // -m counts matches found (ripgrep's match limit), not lines: with
        // -v, every line between the first N matches and past them counts.
        let max_count = self.opts.max_count;
        let unlimited = SearchOptions {
            max_count: None,
            ..self.opts.clone()
        };
        let mut state = State::new(&unlimited, binary);
        state.multiline = true;
        let mut len = data.len();
        match binary {
            BinaryMode::Quit => {
                // As ripgrep: a NUL in the first 64 KiB means nothing is
                // searched; past that, only a block holding one stops the
                // search (see `emit_block`).
                if let Some(i) = memchr(0, &data[..len.min(WINDOW)]) {
                    state.binary_offset = Some(i as u64);
                    state.binary_quit = true;
                    len = 0;
                }
            }
            BinaryMode::Convert => {
                state.check_lines_for_nul = true;
                let peek = &data[..data.len().min(WINDOW)];
                state.binary_offset = memchr(0, peek).map(|i| i as u64);
            }
            BinaryMode::Text => {}
        }
        let data = &data[..len];
        let mut pos = 0;
        let mut go_on = true;
        if self.opts.invert {
            let mut finds = 0u64;
            while go_on && pos < len && !self.quit.load(Ordering::Relaxed) {
                let limited = max_count.is_some_and(|max| finds >= max);
                let found = match matcher.find_from(data, pos).map(|m| m.filter(|_| !limited)) {
                    Ok(found) => found,
                    Err(err) => {
                        state.error = Some(err);
                        break;
                    }
                };
                finds += u64::from(found.is_some());
                let (stop, next) = match found {
                    Some(m) => {
                        let (line_start, line_end) = locate(data, term, m);
                        (line_start.max(pos), line_end)
                    }
                    None => (len, len),
                };
                let mut at = pos;
                while go_on && at < stop && !state.max_reached {
                    let line_end = line_end_from(data, at, stop, term);
                    go_on = state.emit_match(matcher, data, at, line_end, sink);
                    at = line_end;
                }
                pos = next.max(pos + 1);
            }
        } else {
            let mut found = 0u64;
            let mut pending: Option<(usize, usize)> = None;
            while pos < len && !self.quit.load(Ordering::Relaxed) {
                if max_count.is_some_and(|max| found >= max) {
                    // As in ripgrep: lines of the trailing context that
                    // match on their own are matches (`flush_after`).
                    state.max_reached = true;
                    break;
                }
                let m = match matcher.find_from(data, pos) {
                    Ok(Some(m)) => m,
                    Ok(None) => break,
                    Err(err) => {
                        state.error = Some(err);
                        go_on = false;
                        break;
                    }
                };
                found += 1;
                pos = m.1 + usize::from(m.0 == m.1 && m.1 < len);
                let block = locate(data, term, m);
                pending = match pending {
                    Some((start, end)) if end >= block.0 => Some((start, block.1)),
                    Some(done) => {
                        go_on = emit_block(&mut state, matcher, data, done, sink);
                        if !go_on {
                            break;
                        }
                        Some(block)
                    }
                    None => Some(block),
                };
            }
            match pending {
                // ripgrep still prints the context around an empty last
                // block (a match just past the last line), not the block.
                Some((start, end)) if go_on && start == end => {
                    go_on = state.context_before(matcher, data, start, false, sink);
                }
                Some(block) if go_on => go_on = emit_block(&mut state, matcher, data, block, sink),
                _ => {}
            }
        }
        if go_on {
            state.flush_after(matcher, data, len, sink);
        }
        // ripgrep's count: up to the NUL that stopped the search, none of a
        // file skipped at once.
        let searched = match state.binary_offset {
            Some(_) if state.binary_quit && len == 0 => 0,
            Some(offset) if state.binary_quit => offset,
            // -m reached and a trailing-context line reported as a match
            // (`flush_after`): ripgrep counts up to the end of that line.
            _ if state.trailing_match => state.searched_to,
            _ => searched_on_map(&state, data.len() as u64),
        };
        let summary = state.summary(searched);
        self.finish(summary, sink, state.into_result())
    }
}

/// Bytes searched in a file named explicitly (a map, or read whole for
/// -U) where a NUL byte was found: as in ripgrep, up to that NUL, unless
/// the search stopped before it.
fn searched_on_map(state: &State, searched: u64) -> u64 {
    match (state.binary, state.binary_offset) {
        (BinaryMode::Convert, Some(offset)) => searched.min(offset),
        // A walked file stopped at a NUL in a line to print: up to the NUL.
        (BinaryMode::Quit, Some(offset)) if state.check_lines_for_nul => offset,
        _ => searched,
    }
}

/// Hands a block of lines to the sink; an empty block (a match just past
/// the last line) ends the search, as in ripgrep.
fn emit_block(
    state: &mut State,
    matcher: &Matcher,
    data: &[u8],
    (start, end): (usize, usize),
    sink: &mut dyn Sink,
) -> bool {
    if state.binary == BinaryMode::Quit {
        if let Some(i) = memchr(0, &data[start..end]) {
            // A binary file found in a walk: stop before this block, after
            // the context that comes before it, as in ripgrep (its break
            // only with before-context lines).
            if !state.context_before(matcher, data, start, false, sink) {
                return false;
            }
            state.binary_offset = Some((start + i) as u64);
            state.binary_quit = true;
            return false;
        }
    }
    start < end && state.emit_match(matcher, data, start, end, sink)
}

/// The lines around the match `start..end`: from the start of the line
/// holding its start to the end of the line holding its end (grep-searcher's
/// `lines::locate`).
fn locate(data: &[u8], term: u8, (start, end): (usize, usize)) -> (usize, usize) {
    let line_start = memrchr(term, &data[..start]).map_or(0, |i| i + 1);
    let line_end = if end > line_start && data[end - 1] == term {
        end
    } else {
        memchr(term, &data[end..]).map_or(data.len(), |i| end + i + 1)
    };
    (line_start, line_end)
}

/// Whether `head` starts with a UTF-8, UTF-16LE or UTF-16BE byte order mark.
/// Whether reading `fd` would block now (nothing to read, no end of
/// input or error to report).
fn would_block(fd: RawFd) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: polls one descriptor we were given, without waiting.
    unsafe { libc::poll(&mut poll, 1, 0) == 0 }
}

fn starts_with_bom(head: &[u8]) -> bool {
    [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]
        .iter()
        .any(|bom| head.starts_with(bom))
}

/// Per-input search state. Offsets that must survive a window shift are
/// absolute (`u64`); `base` is the absolute offset of the window's start.
struct State<'o> {
    opts: &'o SearchOptions,
    binary: BinaryMode,
    base: u64,
    /// Line numbering: `line_number` is the number of the line containing
    /// window position `counted_to`.
    counted_to: usize,
    line_number: u64,
    /// Absolute end of the last line handed to the sink.
    last_end: Option<u64>,
    after_left: usize,
    matched_lines: u64,
    /// No more matches wanted: -m reached, or --stop-on-nonmatch met its
    /// non-matching line. After-context may still follow.
    max_reached: bool,
    /// A line of the trailing context after -m was reported as a match.
    trailing_match: bool,
    /// --stop-on-nonmatch ended the search (rather than -m).
    stopped_at_nonmatch: bool,
    /// Absolute end of the last matching line (bytes searched when a
    /// search stops early).
    searched_to: u64,
    binary_offset: Option<u64>,
    binary_quit: bool,
    check_lines_for_nul: bool,
    /// -U: lines are handed over as blocks searched past their ends.
    multiline: bool,
    /// A PCRE2 search that gave up (match limit, JIT stack): the search
    /// of this input ends, and the error is reported for it, as in rg.
    error: Option<String>,
    /// The sink only counts matching lines and no context is asked for
    /// (`Sink::counts_only`): matching lines are counted, not visited,
    /// and runs of non-matching ones under -v counted with `count_lines`.
    counting: bool,
    /// Lines counted but not yet handed to the sink (`matched_count`).
    pending_count: u64,
}

impl<'o> State<'o> {
    fn new(opts: &'o SearchOptions, binary: BinaryMode) -> State<'o> {
        State {
            opts,
            binary,
            base: 0,
            counted_to: 0,
            line_number: 1,
            // --passthru: every line is context, as if a match came first.
            last_end: opts.passthru.then_some(0),
            after_left: if opts.passthru { usize::MAX } else { 0 },
            matched_lines: 0,
            max_reached: opts.max_count == Some(0),
            trailing_match: false,
            stopped_at_nonmatch: false,
            searched_to: 0,
            binary_offset: None,
            binary_quit: false,
            check_lines_for_nul: false,
            multiline: false,
            error: None,
            counting: false,
            pending_count: 0,
        }
    }

    /// Lets matching lines be counted in bulk when `sink` only counts
    /// them and nothing around them is printed.
    fn count_for(&mut self, sink: &dyn Sink) {
        self.counting = sink.counts_only()
            && self.opts.before == 0
            && self.opts.after == 0
            && !self.opts.passthru;
    }

    /// The error that ended the search, if one did, as an I/O error so that
    /// it is reported like a read error: `trawl: PATH: PCRE2: ...`.
    fn into_result(self) -> io::Result<()> {
        match self.error {
            Some(message) => Err(io::Error::other(message)),
            None => Ok(()),
        }
    }

    fn summary(&self, bytes_searched: u64) -> SearchSummary {
        SearchSummary {
            bytes_searched,
            binary_offset: self.binary_offset,
            binary_quit: self.binary_quit,
        }
    }

    /// Searches the complete lines in `buf[start..end]`. Returns false when
    /// the search of this input is over.
    fn process(
        &mut self,
        matcher: &Matcher,
        buf: &[u8],
        start: usize,
        end: usize,
        sink: &mut dyn Sink,
    ) -> bool {
        let go_on = self.process_lines(matcher, buf, start, end, sink);
        if self.pending_count > 0 {
            sink.matched_count(std::mem::take(&mut self.pending_count));
        }
        go_on
    }

    fn process_lines(
        &mut self,
        matcher: &Matcher,
        buf: &[u8],
        start: usize,
        end: usize,
        sink: &mut dyn Sink,
    ) -> bool {
        let mut at = start;
        while at < end && !self.max_reached {
            let next =
                next_match_line(matcher, buf, at, end, self.opts.terminator, &mut self.error);
            if self.error.is_some() {
                return false;
            }
            if !self.opts.invert {
                let gap_to = next.map_or(end, |(line_start, _)| line_start);
                if self.opts.stop_on_nonmatch && self.stops_at_nonmatch(buf, start, gap_to) {
                    break;
                }
                let Some((line_start, line_end)) = next else {
                    break;
                };
                if self.counting {
                    self.count_run(buf, line_start, line_end, 1);
                } else if !self.emit_match(matcher, buf, line_start, line_end, sink) {
                    return false;
                }
                at = line_end;
            } else {
                let stop = next.map_or(end, |(line_start, _)| line_start);
                if self.counting && at < stop {
                    at = self.count_inverted_run(buf, at, stop);
                }
                while at < stop && !self.max_reached {
                    let line_end = line_end_from(buf, at, stop, self.opts.terminator);
                    if !self.emit_match(matcher, buf, at, line_end, sink) {
                        return false;
                    }
                    at = line_end;
                }
                if self.max_reached {
                    // ripgrep has searched through the matching line that
                    // ends the run of non-matching ones (or what it had
                    // read, if none does): its bytes-searched count.
                    let searched = next.map_or(end, |(_, line_end)| line_end);
                    self.searched_to = self.base + searched as u64;
                }
                match next {
                    Some((_, line_end)) => at = line_end,
                    None => break,
                }
            }
        }
        if !self.flush_after(matcher, buf, end, sink) {
            return false;
        }
        !(self.max_reached && self.after_left == 0)
    }

    /// --stop-on-nonmatch: whether a non-matching line follows the last
    /// match before window position `gap_to` (the next match, or the end of
    /// what can be searched now). If so the search ends after that line,
    /// like -m does (after-context is still printed).
    fn stops_at_nonmatch(&mut self, buf: &[u8], start: usize, gap_to: usize) -> bool {
        if self.matched_lines == 0 {
            return false;
        }
        let last_end = usize::try_from(self.searched_to.saturating_sub(self.base))
            .map_or(start, |end| end.max(start));
        if last_end >= gap_to {
            return false;
        }
        self.searched_to =
            self.base + line_end_from(buf, last_end, gap_to, self.opts.terminator) as u64;
        self.max_reached = true;
        self.stopped_at_nonmatch = true;
        // ripgrep reads no further than the non-matching line: it is the
        // only after-context left.
        self.after_left = self.after_left.min(1);
        true
    }

    fn emit_match(
        &mut self,
        matcher: &Matcher,
        buf: &[u8],
        start: usize,
        end: usize,
        sink: &mut dyn Sink,
    ) -> bool {
        // On a memory map a NUL byte is looked for in matching lines only;
        // as in ripgrep, the context before such a line is still printed
        // (in a walk, the search then ends at the line: see `emit`).
        let nul_here = match (self.check_lines_for_nul, self.binary_offset) {
            (true, None) => memchr(0, &buf[start..end]).map(|i| self.base + (start + i) as u64),
            _ => None,
        };

        // A walked file's search ends at this line (in `emit`): as in
        // ripgrep, no context break is printed for it, only before-context.
        let quits_here = self.binary == BinaryMode::Quit && nul_here.is_some();
        if !self.context_before(matcher, buf, start, !quits_here, sink) {
            return false;
        }
        if self.binary_offset.is_none() {
            self.binary_offset = nul_here;
        }
        if self.binary == BinaryMode::Convert {
            if let Some(offset) = self.binary_offset {
                if !sink.binary_matched(&self.sink_line(buf, start, end), offset) {
                    // ripgrep has moved past the line: bytes searched are
                    // counted up to the NUL (see `searched_on_map`).
                    self.searched_to = self.base + end as u64;
                    return false;
                }
            }
        }
        if !self.emit(buf, start, end, true, sink) {
            return false;
        }
        self.after_left = if self.opts.passthru {
            usize::MAX
        } else {
            self.opts.after
        };
        self.count_match(end);
        if self
            .opts
            .max_count
            .is_some_and(|max| self.matched_lines >= max)
        {
            self.max_reached = true;
        }
        true
    }

    /// Counts the `lines` matching lines `buf[start..end]` as `emit_match`
    /// would report them to a sink that only counts (see `counting`).
    #[inline]
    fn count_run(&mut self, buf: &[u8], start: usize, end: usize, lines: u64) {
        self.note_nul(buf, start, end);
        self.pending_count += lines;
        self.matched_lines += lines;
        self.searched_to = self.base + end as u64;
        self.last_end = Some(self.searched_to);
        if self
            .opts
            .max_count
            .is_some_and(|max| self.matched_lines >= max)
        {
            self.max_reached = true;
        }
    }

    /// -v: counts the lines of `buf[start..stop]` (no line in it matches)
    /// with `count_lines` instead of visiting each, up to -m. Returns
    /// where counting stopped: `stop`, or the end of the line that
    /// reached -m.
    fn count_inverted_run(&mut self, buf: &[u8], start: usize, stop: usize) -> usize {
        let term = self.opts.terminator;
        let run = &buf[start..stop];
        let lines = count_lines(run, term) + u64::from(run.last() != Some(&term));
        let left = self
            .opts
            .max_count
            .map_or(u64::MAX, |max| max.saturating_sub(self.matched_lines));
        if lines <= left {
            self.count_run(buf, start, stop, lines);
            return stop;
        }
        // More lines than -m leaves: the `left`-th terminator ends the
        // last one counted (`lines > left` means there are that many).
        let end = memchr::memchr_iter(term, run)
            .nth(left as usize - 1)
            .map_or(stop, |i| start + i + 1);
        self.count_run(buf, start, end, left);
        end
    }

    fn count_match(&mut self, end: usize) {
        self.matched_lines += 1;
        self.searched_to = self.base + end as u64;
    }

    /// What comes before a match at `start`: pending after-context, a
    /// context break, before-context. Without a match (`matched` false: an
    /// empty last -U block), the break comes only with before-context
    /// lines, as in ripgrep.
    fn context_before(
        &mut self,
        matcher: &Matcher,
        buf: &[u8],
        start: usize,
        matched: bool,
        sink: &mut dyn Sink,
    ) -> bool {
        if !self.flush_after(matcher, buf, start, sink) {
            return false;
        }
        let floor = self.floor();
        let context_start = back_lines(buf, floor, start, self.opts.before, self.opts.terminator);
        if let Some(last_end) = self.last_end {
            let has_context = self.opts.before > 0 || self.opts.after > 0;
            let gap = self.base + (context_start as u64) > last_end;
            if has_context && gap && (matched || context_start < start) && !sink.context_break() {
                return false;
            }
        }
        let mut at = context_start;
        while at < start {
            let line_end = line_end_from(buf, at, start, self.opts.terminator);
            if !self.emit(buf, at, line_end, false, sink) {
                return false;
            }
            at = line_end;
        }
        true
    }

    /// Emits pending after-context lines that lie before `limit`. Once -m
    /// is reached, a matching line among them is still reported as a
    /// match, as ripgrep does (it does not extend the context); with -U
    /// too, each line tested on its own.
    fn flush_after(
        &mut self,
        matcher: &Matcher,
        buf: &[u8],
        limit: usize,
        sink: &mut dyn Sink,
    ) -> bool {
        if self.after_left == 0 {
            return true;
        }
        let mut at = self.floor();
        while self.after_left > 0 && at < limit {
            let line_end = line_end_from(buf, at, limit, self.opts.terminator);
            // Tested without its terminator, where `^$` would match.
            let content_end =
                line_end - usize::from(buf[..line_end].ends_with(&[self.opts.terminator]));
            // (With --passthru, ripgrep prints the rest as context.)
            let is_match = self.max_reached
                && !self.stopped_at_nonmatch
                && !self.opts.passthru
                && matcher.is_match_at(buf, at, content_end) != self.opts.invert;
            self.note_nul(buf, at, line_end);
            if let (true, BinaryMode::Convert, Some(offset)) =
                (is_match, self.binary, self.binary_offset)
            {
                if !sink.binary_matched(&self.sink_line(buf, at, line_end), offset) {
                    self.searched_to = self.base + line_end as u64;
                    return false;
                }
            }
            if !self.emit(buf, at, line_end, is_match, sink) {
                return false;
            }
            if is_match {
                self.count_match(line_end);
                self.trailing_match = true;
            }
            self.after_left -= 1;
            at = line_end;
        }
        true
    }

    fn emit(
        &mut self,
        buf: &[u8],
        start: usize,
        end: usize,
        is_match: bool,
        sink: &mut dyn Sink,
    ) -> bool {
        if (self.multiline || self.check_lines_for_nul) && self.binary == BinaryMode::Quit {
            // -U or a map in a walk: a context line holding a NUL ends the
            // search, as a block holding one does (`emit_block`).
            if let Some(i) = memchr(0, &buf[start..end]) {
                self.binary_offset = Some(self.base + (start + i) as u64);
                self.binary_quit = true;
                return false;
            }
        }
        // On a memory map, ripgrep looks for a NUL byte in every line it
        // hands to the printer, context lines included.
        if !is_match {
            self.note_nul(buf, start, end);
        }
        let line_number = if self.opts.line_numbers {
            self.line_number += count_lines(&buf[self.counted_to..start], self.opts.terminator);
            self.counted_to = start;
            Some(self.line_number)
        } else {
            None
        };
        if let (false, BinaryMode::Convert, Some(offset)) =
            (is_match, self.binary, self.binary_offset)
        {
            if !sink.binary_context(offset) {
                return false;
            }
        }
        self.last_end = Some(self.base + end as u64);
        let line = SinkLine {
            buf,
            start,
            end,
            abs_offset: self.base + start as u64,
            line_number,
            terminator: self.opts.terminator,
            multiline: self.multiline,
        };
        if is_match {
            sink.matched(&line)
        } else {
            sink.context(&line)
        }
    }

    /// `buf[start..end]` as the sink sees it, without a line number.
    fn sink_line<'b>(&self, buf: &'b [u8], start: usize, end: usize) -> SinkLine<'b> {
        SinkLine {
            buf,
            start,
            end,
            abs_offset: self.base + start as u64,
            line_number: None,
            terminator: self.opts.terminator,
            multiline: self.multiline,
        }
    }

    /// On a memory map (only its first 64 KiB looked at for NUL bytes),
    /// notes a NUL in a line about to be printed.
    fn note_nul(&mut self, buf: &[u8], start: usize, end: usize) {
        if let (true, None) = (self.check_lines_for_nul, self.binary_offset) {
            self.binary_offset =
                memchr(0, &buf[start..end]).map(|i| self.base + (start + i) as u64);
        }
    }

    /// The first window position not yet handed to the sink.
    fn floor(&self) -> usize {
        match self.last_end {
            Some(end) if end > self.base => (end - self.base) as usize,
            _ => 0,
        }
    }

    /// Before shifting the window past `region_end`, returns how much of it
    /// can be dropped (everything but possible before-context) and rebases.
    fn keep_from(&mut self, buf: &[u8], region_end: usize) -> usize {
        let keep = back_lines(
            buf,
            self.floor().min(region_end),
            region_end,
            self.opts.before,
            self.opts.terminator,
        );
        if self.opts.line_numbers {
            self.line_number += count_lines(&buf[self.counted_to..keep], self.opts.terminator);
            self.counted_to = 0;
        }
        self.base += keep as u64;
        keep
    }
}

/// The line containing the next match in `buf[at..end]`, `at` being a line
/// start.
#[inline]
fn next_match_line(
    matcher: &Matcher,
    buf: &[u8],
    at: usize,
    end: usize,
    term: u8,
    error: &mut Option<String>,
) -> Option<(usize, usize)> {
    if matcher.line_by_line() {
        // PCRE2: each line on its own, without its terminator (ripgrep's
        // "slow" line searcher, which PCRE2 always takes there too; see
        // `try_is_match_line` for --crlf).
        let mut pos = at;
        while pos < end {
            let line_end = line_end_from(buf, pos, end, term);
            match matcher.try_is_match_line(buf, pos, line_end, term) {
                Ok(true) => return Some((pos, line_end)),
                Ok(false) => {}
                Err(err) => {
                    *error = Some(err);
                    return None;
                }
            }
            pos = line_end;
        }
        return None;
    }
    if let Some(literal) = matcher.inner_literal() {
        let mut pos = at;
        while pos < end {
            let hit = pos + literal.find(&buf[pos..end])?;
            let line_start = memrchr(term, &buf[pos..hit]).map_or(pos, |i| pos + i + 1);
            let line_end = line_end_from(buf, hit, end, term);
            if matcher.is_match_at(buf, line_start, line_end) {
                return Some((line_start, line_end));
            }
            pos = line_end;
        }
        return None;
    }
    // A match never contains a line terminator, so the line around the
    // match's end is the matching line.
    let match_end = matcher.find_any_end(buf, at, end)?;
    let line_start = memrchr(term, &buf[at..match_end]).map_or(at, |i| at + i + 1);
    if line_start == end {
        // An empty match just past the last complete line is no line at all.
        return None;
    }
    Some((line_start, line_end_from(buf, match_end, end, term)))
}

/// Counts line terminators. Summing per 64-byte chunk into a u8 lets LLVM
/// vectorize the loop fully; it beat `memchr_iter(..).count()` on every
/// criterion case (2x on dense lines, where memchr restarts at each hit).
#[inline]
fn count_lines(bytes: &[u8], term: u8) -> u64 {
    let mut chunks = bytes.chunks_exact(64);
    let mut total = 0u64;
    for chunk in &mut chunks {
        total += u64::from(chunk.iter().map(|&b| u8::from(b == term)).sum::<u8>());
    }
    total + chunks.remainder().iter().filter(|&&b| b == term).count() as u64
}

#[inline]
fn line_end_from(buf: &[u8], at: usize, end: usize, term: u8) -> usize {
    memchr(term, &buf[at..end]).map_or(end, |i| at + i + 1)
}

/// The start of the line `count` lines before the line starting at `start`,
/// never going below `floor`.
fn back_lines(buf: &[u8], floor: usize, start: usize, count: usize, term: u8) -> usize {
    let mut pos = start;
    for _ in 0..count {
        if pos <= floor {
            break;
        }
        pos = memrchr(term, &buf[floor..pos - 1]).map_or(floor, |i| floor + i + 1);
    }
    pos.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::oracle;
    use crate::search::{EngineChoice, MatcherOptions};
    use proptest::prelude::*;

    /// Counts matches and cancels the search at the first one, as `-q`
    /// elsewhere or a closed pipe would.
    struct CancelAtFirst<'q> {
        quit: &'q AtomicBool,
        matches: u64,
    }

    impl Sink for CancelAtFirst<'_> {
        fn matched(&mut self, _line: &SinkLine) -> bool {
            self.quit.store(true, Ordering::Relaxed);
            self.matches += 1;
            true
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
        fn finish(&mut self, _summary: &SearchSummary) {}
    }

    #[test]
    fn a_memory_mapped_search_stops_soon_after_cancellation() {
        let opts = SearchOptions::default();
        let quit = AtomicBool::new(false);
        let mut searcher = Searcher::new(&opts, &quit);
        let matcher = Matcher::new(&["x".to_string()], &MatcherOptions::default()).unwrap();
        // 32 MiB with a match on every line.
        let data = "x\n".repeat(16 << 20);
        let mut sink = CancelAtFirst {
            quit: &quit,
            matches: 0,
        };
        searcher
            .search_slice(&matcher, data.as_bytes(), BinaryMode::Text, &mut sink)
            .unwrap();
        // The slice in progress ends (4 MiB: 2 Mi lines), no more.
        assert!(sink.matches >= 1);
        assert!(
            sink.matches <= (MMAP_QUIT_CHECK / 2) as u64 + 1,
            "{}",
            sink.matches
        );
        assert_eq!(searcher.last.bytes_searched, MMAP_QUIT_CHECK as u64 + 2);
    }

    /// Patterns that can match a line end, so that -U searches whole
    /// inputs (with both engines).
    fn multiline_pattern() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a\nb".to_string()),
            Just("b\n".to_string()),
            Just(r"a\s+b".to_string()),
            Just("(?s)a.*?b".to_string()),
            Just("^a".to_string()),
            Just("b$".to_string()),
            Just("\n\n".to_string()),
            Just("a*\n".to_string()),
            Just("b\n^a".to_string()),
            Just("[^a]+".to_string()),
            Just("^$".to_string()),
            Just(r"\s".to_string()),
        ]
    }

    fn pattern() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ab]{1,3}",
            Just("a b".to_string()),
            Just("^a".to_string()),
            Just("b$".to_string()),
            Just(r"a\sb".to_string()),
            Just("[^a]b".to_string()),
            Just("a*".to_string()),
            Just(r"\bab\b".to_string()),
            Just("^$".to_string()),
            // Inner-literal path: a required literal after a leading class.
            Just("[ab]+ ab".to_string()),
            Just(r"\w ba\b".to_string()),
        ]
    }

    /// Counts matching lines, in bulk (`counts_only`) or one `matched`
    /// call at a time, and keeps what the search reported at its end.
    struct Counter {
        bulk: bool,
        lines: u64,
        summary: Option<(u64, Option<u64>, bool)>,
    }

    impl Sink for Counter {
        fn matched(&mut self, _line: &SinkLine) -> bool {
            self.lines += 1;
            true
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
        fn finish(&mut self, summary: &SearchSummary) {
            self.summary = Some((
                summary.bytes_searched,
                summary.binary_offset,
                summary.binary_quit,
            ));
        }
        fn counts_only(&self) -> bool {
            self.bulk
        }
        fn matched_count(&mut self, lines: u64) {
            assert!(self.bulk && lines > 0);
            self.lines += lines;
        }
    }

    /// Past the first 64 KiB of a memory map, a NUL byte is noticed in
    /// counted lines as in visited ones (it limits the bytes searched).
    #[test]
    fn bulk_counting_notices_a_nul_past_the_peek_of_a_map() {
        let quit = AtomicBool::new(false);
        let matcher = Matcher::new(&["a".to_string()], &MatcherOptions::default()).unwrap();
        for invert in [false, true] {
            // The NUL is in a selected line (matching, or not with -v).
            let mut text = "a\nb\n".repeat(MMAP_BINARY_PEEK);
            text.push_str(if invert {
                "b\0b\nb\na\n"
            } else {
                "a\0b\nb\na\n"
            });
            let opts = SearchOptions {
                invert,
                ..SearchOptions::default()
            };
            let mut results = Vec::new();
            for bulk in [false, true] {
                let mut searcher = Searcher::new(&opts, &quit);
                let mut sink = Counter {
                    bulk,
                    lines: 0,
                    summary: None,
                };
                searcher
                    .search_slice(&matcher, text.as_bytes(), BinaryMode::Convert, &mut sink)
                    .unwrap();
                results.push((sink.lines, sink.summary));
            }
            let nul = 4 * MMAP_BINARY_PEEK as u64 + 1;
            let lines = MMAP_BINARY_PEEK as u64 + 2;
            assert_eq!(
                results[1],
                (lines, Some((nul, Some(nul), false))),
                "-v: {invert}"
            );
            assert_eq!(results[0], results[1], "-v: {invert}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Counting in bulk (`Sink::counts_only`: -c, -v -c) reports the
        /// same count, bytes searched and binary offset as visiting every
        /// line, streamed and memory-mapped, in every binary mode.
        #[test]
        fn bulk_counting_agrees_with_line_by_line_counting(
            text in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\r'), Just(b'\n'), Just(b'\n'), Just(0u8)], 0..200),
            pattern in pattern(),
            invert in any::<bool>(),
            after in 0usize..2,
            max_count in proptest::option::of(0u64..6),
            window in 1usize..40,
            stop_on_nonmatch in any::<bool>(),
            pcre2 in any::<bool>(),
            null_data in any::<bool>(),
            crlf in any::<bool>(),
            binary in prop_oneof![Just(BinaryMode::Text), Just(BinaryMode::Convert), Just(BinaryMode::Quit)],
        ) {
            let terminator = if null_data { 0 } else { b'\n' };
            let opts = SearchOptions { invert, after, max_count, stop_on_nonmatch, terminator, ..SearchOptions::default() };
            let matcher_opts = MatcherOptions {
                engine: if pcre2 { EngineChoice::Pcre2 } else { EngineChoice::Default },
                null_data,
                crlf,
                ..MatcherOptions::default()
            };
            let matcher = Matcher::new(&[pattern], &matcher_opts).unwrap();
            let quit = AtomicBool::new(false);
            let mut results = Vec::new();
            for bulk in [false, true] {
                let mut searcher = Searcher::with_window(&opts, &quit, window);
                let mut streamed = Counter { bulk, lines: 0, summary: None };
                searcher.search_reader(&matcher, &mut &text[..], binary, &mut streamed).unwrap();
                let mut mapped = Counter { bulk, lines: 0, summary: None };
                searcher.search_slice(&matcher, &text, binary, &mut mapped).unwrap();
                results.push([(streamed.lines, streamed.summary), (mapped.lines, mapped.summary)]);
            }
            prop_assert_eq!(&results[0], &results[1]);
        }

        #[test]
        fn searcher_agrees_with_line_by_line_oracle(
            text in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b' '), Just(b'\n')], 0..200),
            pattern in pattern(),
            invert in any::<bool>(),
            before in 0usize..3,
            after in 0usize..3,
            max_count in proptest::option::of(0u64..4),
            window in 1usize..40,
            stop_on_nonmatch in any::<bool>(),
            pcre2 in any::<bool>(),
            null_data in any::<bool>(),
        ) {
            // --null-data: the same text with NUL as the terminator.
            let terminator = if null_data { 0 } else { b'\n' };
            let text: Vec<u8> = text.iter().map(|&b| if b == b'\n' { terminator } else { b }).collect();
            let opts = SearchOptions { invert, before, after, max_count, line_numbers: true, stop_on_nonmatch, terminator, ..SearchOptions::default() };
            let matcher_opts = MatcherOptions {
                engine: if pcre2 { EngineChoice::Pcre2 } else { EngineChoice::Default },
                null_data,
                ..MatcherOptions::default()
            };
            let regex = regex::bytes::Regex::new(&format!("(?m){pattern}")).unwrap();
            let expected = oracle::expected(&text, &opts, |line| regex.is_match(line));
            let actual = oracle::actual_with(&pattern, &matcher_opts, &text, &opts, window).unwrap();
            prop_assert_eq!(actual, expected);
        }

        #[test]
        fn multiline_searcher_agrees_with_block_oracle(
            text in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b' '), Just(b'\n')], 0..120),
            pattern in multiline_pattern(),
            invert in any::<bool>(),
            before in 0usize..3,
            after in 0usize..3,
            max_count in proptest::option::of(0u64..4),
            pcre2 in any::<bool>(),
        ) {
            let opts = SearchOptions { invert, before, after, max_count, line_numbers: true, ..SearchOptions::default() };
            let matcher_opts = MatcherOptions {
                engine: if pcre2 { EngineChoice::Pcre2 } else { EngineChoice::Default },
                multiline: true,
                ..MatcherOptions::default()
            };
            // Each engine's own idea of a match (PCRE2's `^` never matches
            // after a final newline, for one); the oracle is the search loop.
            let regex = regex::bytes::Regex::new(&format!("(?m){pattern}")).unwrap();
            let pcre = pcre2::bytes::RegexBuilder::new().multi_line(true).utf(true).ucp(true).build(&pattern).unwrap();
            let expected = oracle::expected_multiline(&text, &opts, |hay| {
                if pcre2 {
                    pcre.find(hay).unwrap().map(|m| (m.start(), m.end()))
                } else {
                    regex.find(hay).map(|m| (m.start(), m.end()))
                }
            });
            let actual = oracle::actual_with(&pattern, &matcher_opts, &text, &opts, 8).unwrap();
            prop_assert_eq!(actual, expected);
        }
    }
}
