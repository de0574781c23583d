//! Builds the one regex a search runs: all patterns OR-ed together, with
//! -F/-w/-x/-i/-S applied, compiled with one of two engines behind the same
//! `Matcher` (so the searcher and printers do not know which):
//!
//! - the default engine, regex-automata's meta engine (linear time, no
//!   look-around or backreferences);
//! - PCRE2 (`-P`, or `--engine auto` when the default engine rejects the
//!   pattern, as ripgrep decides), in `pcre.rs`.
//!
//! With the default engine, line orientation is enforced here, not in the
//! searcher: the pattern's HIR is rewritten so that no class can match the
//! line terminator and a literal terminator is an error. A match therefore
//! never spans two lines, which is what lets the searcher run one regex pass
//! over a whole buffer. PCRE2 patterns cannot be rewritten that way, so the
//! searcher hands them one line at a time (`line_by_line`), as ripgrep does.

use std::ops::Range;

use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Input, Match};
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{self, Hir, HirKind, Look};

use super::pcre::{Pcre2Options, Pcre2Regex};

/// Which regex engine runs the patterns (`--engine`, `-P`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineChoice {
    #[default]
    Default,
    Pcre2,
    /// The default engine, or PCRE2 if the default engine cannot compile
    /// the pattern (look-around, backreferences, ...).
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    Sensitive,
    Insensitive,
    Smart,
}

#[derive(Debug, Clone)]
pub struct MatcherOptions {
    pub fixed_strings: bool,
    pub case: CaseMode,
    pub word: bool,
    pub line: bool,
    pub crlf: bool,
    /// NUL is the line terminator: it is removed from classes instead of
    /// `\n`, and each line is matched on its own (as ripgrep does).
    pub null_data: bool,
    /// -U: matches may span lines.
    pub multiline: bool,
    /// Binary detection is on (no -a): a literal NUL is an error, as in
    /// ripgrep (default engine only).
    pub ban_nul: bool,
    /// --multiline-dotall: under -U, `.` matches `\n` too.
    pub dotall: bool,
    /// Unicode classes and case folding (off with --no-unicode).
    pub unicode: bool,
    pub engine: EngineChoice,
    /// Limit on the compiled program's size (--regex-size-limit).
    pub size_limit: usize,
    /// Limit on the lazy DFA's cache (--dfa-size-limit).
    pub dfa_size_limit: usize,
}

/// ripgrep's defaults for --regex-size-limit and --dfa-size-limit.
pub const DEFAULT_SIZE_LIMIT: usize = 100 << 20;
pub const DEFAULT_DFA_SIZE_LIMIT: usize = 1000 << 20;

impl Default for MatcherOptions {
    /// A case-sensitive Unicode regex with ripgrep's default size limits.
    fn default() -> MatcherOptions {
        MatcherOptions {
            fixed_strings: false,
            case: CaseMode::Sensitive,
            word: false,
            line: false,
            crlf: false,
            null_data: false,
            multiline: false,
            ban_nul: false,
            dotall: false,
            unicode: true,
            engine: EngineChoice::Default,
            size_limit: DEFAULT_SIZE_LIMIT,
            dfa_size_limit: DEFAULT_DFA_SIZE_LIMIT,
        }
    }
}

/// A compiled pattern set. Cheap to clone: both engines share their
/// compiled form and each clone keeps its own scratch space.
#[derive(Clone, Debug)]
pub struct Matcher {
    engine: Engine,
    /// How candidates are found, for --debug.
    strategy: String,
    /// --crlf: a line's `\r\n` is removed before PCRE2 searches it, and
    /// before matches are listed for the printers.
    crlf: bool,
    /// Each line is matched on its own, as a haystack of its own: always
    /// with PCRE2, and with --null-data (so that `^` and `$` hold at a
    /// NUL-terminated record's ends, as in ripgrep).
    alone: bool,
    /// -U with a pattern that can match a line terminator (always, with
    /// PCRE2): the searcher runs it over the whole input, and matches are
    /// looked for from a line's start past its end.
    multiline: bool,
    /// The default engine's whole pattern, for the index's query planner.
    hir: Option<std::sync::Arc<Hir>>,
}

// One matcher per worker: boxing the larger variant would buy nothing and
// add a pointer chase on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Engine {
    Default(DefaultRegex),
    Pcre2(Pcre2Regex),
}

/// The default engine's compiled form.
#[derive(Clone, Debug)]
struct DefaultRegex {
    regex: Regex,
    /// A literal every match contains but does not start with (`_RESUME`
    /// in `\w+_RESUME`): candidate lines are found with memmem, and the
    /// regex runs on those lines only. This is ripgrep's inner-literal
    /// trick; the meta engine's own prefilters only cover prefixes.
    inner_literal: Option<memchr::memmem::Finder<'static>>,
}

impl Matcher {
    pub fn new(patterns: &[String], opts: &MatcherOptions) -> Result<Matcher, String> {
        let pcre2 = || {
            let caseless = match opts.case {
                CaseMode::Sensitive => Some(false),
                CaseMode::Insensitive => Some(true),
                CaseMode::Smart => None,
            };
            let regex = Pcre2Regex::new(&Pcre2Options {
                patterns,
                fixed_strings: opts.fixed_strings,
                caseless,
                word: opts.word,
                line: opts.line,
                unicode: opts.unicode,
                crlf: opts.crlf,
                dotall: opts.multiline && opts.dotall,
            })?;
            Ok(Matcher {
                engine: Engine::Pcre2(regex),
                strategy: format!(
                    "PCRE2, {} ({})",
                    if opts.multiline {
                        "multiline: over the whole input"
                    } else {
                        "one line at a time"
                    },
                    super::pcre::version_line()
                ),
                crlf: opts.crlf,
                alone: !opts.multiline,
                multiline: opts.multiline,
                hir: None,
            })
        };
        match opts.engine {
            EngineChoice::Pcre2 => pcre2(),
            EngineChoice::Default => Matcher::new_default(patterns, opts).map_err(suggest_pcre2),
            EngineChoice::Auto => match Matcher::new_default(patterns, opts) {
                Ok(matcher) => Ok(matcher),
                Err(default_err) => {
                    crate::messages::debug(format_args!(
                        "error building the default regex in auto mode:\n{default_err}"
                    ));
                    pcre2().map_err(|pcre_err: String| {
                        let divider = "~".repeat(79);
                        format!(
                            "regex could not be compiled with either the default \
                             regex engine or with PCRE2.\n\n\
                             default regex engine error:\n{divider}\n{default_err}\n\
                             {divider}\n\nPCRE2 regex engine error:\n{pcre_err}"
                        )
                    })
                }
            },
        }
    }

    fn new_default(patterns: &[String], opts: &MatcherOptions) -> Result<Matcher, String> {
        let sources: Vec<String> = patterns
            .iter()
            .map(|pattern| match opts.fixed_strings {
                true => regex_syntax::escape(pattern),
                false => pattern.clone(),
            })
            .collect();
        // Smart case looks at all the patterns together, as ripgrep does:
        // one uppercase letter in any of them makes every one sensitive.
        let insensitive = match opts.case {
            CaseMode::Sensitive => false,
            CaseMode::Insensitive => true,
            CaseMode::Smart => is_smart_insensitive(&sources),
        };
        let mut alternatives = Vec::with_capacity(patterns.len());
        for source in &sources {
            let hir = regex_syntax::ParserBuilder::new()
                .utf8(false)
                .unicode(opts.unicode)
                .multi_line(true)
                .crlf(opts.crlf)
                .case_insensitive(insensitive)
                .dot_matches_new_line(opts.multiline && opts.dotall)
                .build()
                .parse(source)
                .map_err(|err| err.to_string())?;
            let hir = if opts.ban_nul { ban_nul(hir)? } else { hir };
            if opts.multiline {
                // -U: matches may span lines, so nothing is removed.
                alternatives.push(hir);
                continue;
            }
            let hir = strip_line_terminator(hir, if opts.null_data { 0 } else { b'\n' })?;
            let hir = if opts.crlf {
                strip_line_terminator(hir, b'\r')?
            } else {
                hir
            };
            alternatives.push(hir);
        }
        let mut hir = if alternatives.is_empty() {
            Hir::fail()
        } else {
            Hir::alternation(alternatives)
        };
        if opts.line {
            let (start, end) = if opts.crlf {
                (Look::StartCRLF, Look::EndCRLF)
            } else {
                (Look::StartLF, Look::EndLF)
            };
            hir = Hir::concat(vec![Hir::look(start), hir, Hir::look(end)]);
        } else if opts.word {
            let (start, end) = if opts.unicode {
                (Look::WordStartHalfUnicode, Look::WordEndHalfUnicode)
            } else {
                (Look::WordStartHalfAscii, Look::WordEndHalfAscii)
            };
            hir = Hir::concat(vec![Hir::look(start), hir, Hir::look(end)]);
        }
        // Like ripgrep, -U searches a whole buffer only if a match can hold
        // a line terminator; otherwise the line searcher does as well.
        let multiline = opts.multiline && can_match_newline(&hir);
        let inner = inner_literal(&hir).filter(|_| !multiline);
        let strategy = if multiline {
            "multiline: the regex runs over the whole input".to_string()
        } else {
            describe_strategy(&hir, inner.as_deref())
        };
        let inner_literal = inner.map(|lit| memchr::memmem::Finder::new(&lit).into_owned());
        // The meta engine's defaults keep full DFAs to a few dozen states;
        // these limits (ripgrep's) let small patterns without literals such
        // as `[A-Za-z]{30}` use one, as rg does. On the linux corpus that
        // measured the same as the lazy DFA (benches/README.md).
        let config = Regex::config()
            .utf8_empty(false)
            .nfa_size_limit(Some(opts.size_limit))
            .onepass_size_limit(Some(10 << 20))
            .dfa_size_limit(Some(1 << 20))
            .dfa_state_limit(Some(1_000))
            .hybrid_cache_capacity(opts.dfa_size_limit);
        let regex = Regex::builder()
            .configure(config)
            .syntax(syntax::Config::new().utf8(false))
            .build_from_hir(&hir)
            .map_err(|err| match err.size_limit() {
                Some(limit) => format!(
                    "the compiled regex exceeds the size limit of {limit} bytes \
                     (raise it with --regex-size-limit)"
                ),
                None => format!("regex could not be compiled: {err}"),
            })?;
        Ok(Matcher {
            engine: Engine::Default(DefaultRegex {
                regex,
                inner_literal,
            }),
            strategy,
            crlf: opts.crlf,
            alone: opts.null_data && !multiline,
            multiline,
            hir: Some(std::sync::Arc::new(hir)),
        })
    }

    /// The compiled pattern (default engine only): every match the
    /// searcher reports is a match of it.
    pub fn hir(&self) -> Option<&Hir> {
        self.hir.as_deref()
    }

    /// Whether the searcher must hand lines to `is_match_at` one at a time
    /// (PCRE2) instead of using `find_any_end` over a whole buffer.
    #[inline]
    pub fn line_by_line(&self) -> bool {
        self.alone
    }

    /// For `line_by_line` matchers: whether the line `haystack[start..
    /// line_end]` (its terminator included, if it has one) matches, asked
    /// as ripgrep's line searcher asks PCRE2: without the terminator, which
    /// with --crlf is `\r\n`, so a line ending in a bare `\n` keeps it and
    /// a pattern may match it (rg 15.2: `--crlf -P 'b\s'` matches `ab\n`).
    pub fn try_is_match_line(
        &self,
        haystack: &[u8],
        start: usize,
        line_end: usize,
        terminator: u8,
    ) -> Result<bool, String> {
        let line = &haystack[start..line_end];
        let content_end = line_end - usize::from(line.last() == Some(&terminator));
        match &self.engine {
            Engine::Pcre2(re) if self.crlf && terminator == b'\n' => {
                let end = line_end - if line.ends_with(b"\r\n") { 2 } else { 0 };
                re.is_match(&haystack[start..end])
            }
            _ => self.try_is_match_at(haystack, start, content_end),
        }
    }

    /// Whether the searcher runs this matcher over whole inputs (-U).
    #[inline]
    pub fn multiline(&self) -> bool {
        self.multiline
    }

    /// The first match in `haystack[pos..]`, searched as a haystack of its
    /// own (as ripgrep's multiline searcher does), in absolute offsets.
    /// PCRE2 may fail on a match (match limit, JIT stack): the error.
    pub fn find_from(&self, haystack: &[u8], pos: usize) -> Result<Option<(usize, usize)>, String> {
        let rest = &haystack[pos..];
        let found = match &self.engine {
            Engine::Default(re) => re
                .regex
                .find(Input::new(rest))
                .map(|m| (m.start(), m.end())),
            Engine::Pcre2(re) => re.find(rest)?,
        };
        Ok(found.map(|(s, e)| (pos + s, pos + e)))
    }

    /// -U: the matches that start in `haystack[start..end]` (a block of
    /// lines), found with the whole input as context, as ripgrep's printer
    /// finds them: a match may run past `end`.
    fn for_each_multiline_match(
        &self,
        haystack: &[u8],
        start: usize,
        end: usize,
        mut f: impl FnMut(usize, usize) -> bool,
    ) {
        match &self.engine {
            Engine::Default(re) => {
                for m in re.regex.find_iter(Input::new(haystack).range(start..)) {
                    if m.start() >= end || !f(m.start(), m.end()) {
                        break;
                    }
                }
            }
            Engine::Pcre2(re) => {
                re.for_each_match(haystack, start, |s, e| s < end && f(s, e));
            }
        }
    }

    /// The haystack the default engine searches for `haystack[start..end]`:
    /// the whole buffer (so that look-around sees the neighbouring bytes),
    /// or, when lines are matched alone, just that slice. Returns the
    /// haystack, the range in it and what to add to offsets found in it.
    #[inline]
    fn view<'h>(
        &self,
        haystack: &'h [u8],
        start: usize,
        end: usize,
    ) -> (&'h [u8], Range<usize>, usize) {
        if self.alone {
            (&haystack[start..end], 0..end - start, start)
        } else {
            (haystack, start..end, 0)
        }
    }

    /// The end of a line's text as PCRE2 (and the printers) see it: like
    /// ripgrep, `--crlf` removes a `\r` before the `\n` too.
    #[inline]
    fn pcre_end(&self, haystack: &[u8], start: usize, end: usize) -> usize {
        end - usize::from(self.crlf && end > start && haystack[end - 1] == b'\r')
    }

    /// The end of some match in `haystack[start..end]`, found as early as
    /// possible: enough to locate a matching line, and cheaper than
    /// a leftmost-first `find`, which must also scan back for the start.
    #[inline]
    pub fn find_any_end(&self, haystack: &[u8], start: usize, end: usize) -> Option<usize> {
        match &self.engine {
            Engine::Default(re) => {
                let (hay, range, shift) = self.view(haystack, start, end);
                let input = Input::new(hay).range(range).earliest(true);
                re.regex
                    .search_half(&input)
                    .map(|half| shift + half.offset())
            }
            Engine::Pcre2(re) => {
                let end = self.pcre_end(haystack, start, end);
                let mut found = None;
                re.for_each_match(&haystack[start..end], 0, |_, e| {
                    found = Some(start + e);
                    false
                });
                found
            }
        }
    }

    /// How this matcher finds candidate lines (reported by --debug).
    pub fn strategy(&self) -> &str {
        &self.strategy
    }

    /// The inner literal, if the pattern has one worth searching for.
    #[inline]
    pub fn inner_literal(&self) -> Option<&memchr::memmem::Finder<'static>> {
        match &self.engine {
            Engine::Default(re) => re.inner_literal.as_ref(),
            Engine::Pcre2(_) => None,
        }
    }

    /// Calls `f` with every non-overlapping match in `haystack[start..end]`
    /// (a line's text: with --crlf, like ripgrep's printer, without the
    /// `\r` of its `\r\n`).
    pub fn for_each_match(
        &self,
        haystack: &[u8],
        start: usize,
        end: usize,
        mut f: impl FnMut(Match) -> bool,
    ) {
        if self.multiline {
            self.for_each_multiline_match(haystack, start, end, |s, e| f(Match::must(0, s..e)));
            return;
        }
        match &self.engine {
            Engine::Default(re) => {
                let end = self.pcre_end(haystack, start, end);
                let (hay, range, shift) = self.view(haystack, start, end);
                for m in re.regex.find_iter(Input::new(hay).range(range)) {
                    if !f(Match::must(0, shift + m.start()..shift + m.end())) {
                        break;
                    }
                }
            }
            Engine::Pcre2(re) => {
                let end = self.pcre_end(haystack, start, end);
                re.for_each_match(&haystack[start..end], 0, |s, e| {
                    f(Match::must(0, start + s..start + e))
                });
            }
        }
    }

    pub fn is_match_at(&self, haystack: &[u8], start: usize, end: usize) -> bool {
        self.try_is_match_at(haystack, start, end).unwrap_or(false)
    }

    /// `is_match_at`, with the error of a PCRE2 search that gave up.
    pub fn try_is_match_at(
        &self,
        haystack: &[u8],
        start: usize,
        end: usize,
    ) -> Result<bool, String> {
        match &self.engine {
            Engine::Default(re) => {
                // `search_half` rather than `is_match`: when the meta
                // engine's reverse-inner search gives up on a line (several
                // inner literals), `is_match` falls back to the PikeVM and
                // `search_half` to the lazy DFA (10% of `\w+\s+the\s+\w+`).
                let (hay, range, _) = self.view(haystack, start, end);
                let input = Input::new(hay).range(range).earliest(true);
                Ok(re.regex.search_half(&input).is_some())
            }
            Engine::Pcre2(re) => re.is_match(&haystack[start..self.pcre_end(haystack, start, end)]),
        }
    }

    /// Appends `haystack[start..end]` to `dst` with every match replaced by
    /// `replacement`, whose `$0`, `$1`, `${name}` and `$$` are expanded.
    /// Matches starting at or past `limit` (the line's end, terminator
    /// included) are left alone, as in ripgrep (SinkLine::for_each_match).
    /// `spans` receives where in `dst` each replacement went (for colors
    /// and `--vimgrep` columns).
    pub fn replace_into(
        &self,
        haystack: &[u8],
        (start, end, limit): (usize, usize, usize),
        replacement: &[u8],
        dst: &mut Vec<u8>,
        spans: &mut Vec<Range<usize>>,
    ) {
        let mut at = start;
        if self.multiline {
            let mut found = Vec::new();
            self.for_each_multiline_match(haystack, start, end, |s, e| {
                s < limit && {
                    found.push((s, e));
                    true
                }
            });
            for (s, e) in found {
                dst.extend_from_slice(&haystack[at.min(s)..s]);
                let from = dst.len();
                dst.extend(self.replacement_for(haystack, start..end, (s, e), replacement));
                spans.push(from..dst.len());
                at = e;
            }
            dst.extend_from_slice(&haystack[at.min(end)..end]);
            return;
        }
        match &self.engine {
            Engine::Default(re) => {
                let (hay, range, shift) = self.view(haystack, start, end);
                for caps in re.regex.captures_iter(Input::new(hay).range(range)) {
                    let Some(m) = caps.get_match() else { continue };
                    if shift + m.start() >= limit {
                        break;
                    }
                    dst.extend_from_slice(&haystack[at..shift + m.start()]);
                    let from = dst.len();
                    interpolate_caps(&caps, hay, replacement, dst);
                    spans.push(from..dst.len());
                    at = shift + m.end();
                }
            }
            Engine::Pcre2(re) => {
                let subject = &haystack[start..self.pcre_end(haystack, start, end)];
                re.for_each_captures(subject, 0, |locs| {
                    let Some((s, e)) = locs.get(0) else {
                        return true;
                    };
                    if start + s >= limit {
                        return false;
                    }
                    dst.extend_from_slice(&haystack[at..start + s]);
                    let from = dst.len();
                    interpolate_pcre2(re, subject, locs, replacement, dst);
                    spans.push(from..dst.len());
                    at = start + e;
                    true
                });
            }
        }
        dst.extend_from_slice(&haystack[at..end]);
    }

    /// The expansion of `replacement` for the match at `start..end`, found
    /// in the line `line`.
    pub fn replacement_for(
        &self,
        haystack: &[u8],
        line: Range<usize>,
        (start, end): (usize, usize),
        replacement: &[u8],
    ) -> Vec<u8> {
        let mut dst = Vec::new();
        if let (true, Engine::Pcre2(re)) = (self.multiline, &self.engine) {
            if let Some(locs) = re.captures_at(haystack, start) {
                interpolate_pcre2(re, haystack, &locs, replacement, &mut dst);
            }
            return dst;
        }
        match &self.engine {
            Engine::Default(re) => {
                let (hay, _, shift) = self.view(haystack, line.start, line.end);
                let mut caps = re.regex.create_captures();
                re.regex.search_captures(
                    &Input::new(hay)
                        .range(start - shift..end - shift)
                        .anchored(regex_automata::Anchored::Yes),
                    &mut caps,
                );
                interpolate_caps(&caps, hay, replacement, &mut dst);
            }
            Engine::Pcre2(re) => {
                let subject = &haystack[line.start..self.pcre_end(haystack, line.start, line.end)];
                if let Some(locs) = re.captures_at(subject, start - line.start) {
                    interpolate_pcre2(re, subject, &locs, replacement, &mut dst);
                }
            }
        }
        dst
    }
}

/// Expands `replacement` for one match of the default engine.
fn interpolate_caps(
    caps: &regex_automata::util::captures::Captures,
    hay: &[u8],
    replacement: &[u8],
    dst: &mut Vec<u8>,
) {
    interpolate(
        replacement,
        |index, dst| {
            if let Some(span) = caps.get_group(index) {
                dst.extend_from_slice(&hay[span.range()]);
            }
        },
        |name| caps.group_info().to_index(caps.pattern()?, name),
        dst,
    );
}

/// Expands `replacement` for one PCRE2 match.
fn interpolate_pcre2(
    re: &Pcre2Regex,
    subject: &[u8],
    locs: &pcre2::bytes::CaptureLocations,
    replacement: &[u8],
    dst: &mut Vec<u8>,
) {
    interpolate(
        replacement,
        |index, dst| {
            if let Some((s, e)) = locs.get(index) {
                dst.extend_from_slice(&subject[s..e]);
            }
        },
        |name| re.group_index(name),
        dst,
    );
}

/// Expands `$N`, `$name`, `${N}`, `${name}` and `$$` as ripgrep does
/// (grep-matcher's rules, not regex-automata's, which takes anything in
/// braces as a name): a reference is made of `[0-9A-Za-z_]` only, so
/// `${a b}`, `${}` or a lone `$` stay as written. A reference to no group
/// expands to nothing.
fn interpolate(
    mut replacement: &[u8],
    mut append: impl FnMut(usize, &mut Vec<u8>),
    mut name_to_index: impl FnMut(&str) -> Option<usize>,
    dst: &mut Vec<u8>,
) {
    while let Some(at) = memchr::memchr(b'$', replacement) {
        dst.extend_from_slice(&replacement[..at]);
        replacement = &replacement[at..];
        if replacement.get(1) == Some(&b'$') {
            dst.push(b'$');
            replacement = &replacement[2..];
            continue;
        }
        let Some((name, end)) = find_cap_ref(replacement) else {
            dst.push(b'$');
            replacement = &replacement[1..];
            continue;
        };
        replacement = &replacement[end..];
        // As grep-matcher: a number too big for u32 is looked up as a name.
        match name.parse::<u32>() {
            Ok(index) => append(index as usize, dst),
            Err(_) => {
                if let Some(index) = name_to_index(name) {
                    append(index, dst);
                }
            }
        }
    }
    dst.extend_from_slice(replacement);
}

/// The reference at the start of `replacement` (which starts with `$`):
/// its name or number and the length of the text it takes.
fn find_cap_ref(replacement: &[u8]) -> Option<(&str, usize)> {
    let brace = replacement.get(1) == Some(&b'{');
    let start = if brace { 2 } else { 1 };
    let len = replacement[start.min(replacement.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if len == 0 {
        return None;
    }
    let mut end = start + len;
    // ASCII only, so always UTF-8.
    let name = std::str::from_utf8(&replacement[start..end]).ok()?;
    if brace {
        if replacement.get(end) != Some(&b'}') {
            return None;
        }
        end += 1;
    }
    Some((name, end))
}

/// Whether a match of `hir` can hold (or, for ripgrep, "match") a line
/// terminator: grep-regex's `non_matching_bytes` lacking `\n`. Line anchors
/// count, so -U with `^foo` or -x is a multiline search, as in ripgrep.
fn can_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty => false,
        HirKind::Look(look) => matches!(
            look,
            Look::Start | Look::End | Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF
        ),
        HirKind::Literal(hir::Literal(bytes)) => bytes.contains(&b'\n'),
        HirKind::Class(hir::Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(hir::Class::Bytes(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Repetition(rep) => can_match_newline(&rep.sub),
        HirKind::Capture(cap) => can_match_newline(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(can_match_newline),
    }
}

/// ripgrep's hint when the default engine rejects what PCRE2 can do.
fn suggest_pcre2(message: String) -> String {
    if message.contains("backreferences") || message.contains("look-around") {
        format!(
            "{message}\n\nConsider enabling PCRE2 with the --pcre2 flag, which can handle \
             backreferences\nand look-around."
        )
    } else {
        message
    }
}

/// The longest literal that is a required, non-leading piece of the
/// pattern's top-level concatenation, extended by the `x` a neighbouring
/// `x+` always puts against it: `w+s+thes+w+` gives "sthes", not "the"
/// (on the big corpus 122,000 candidate lines instead of millions: 0.54 s
/// to 0.2 s). Leading look-arounds (from -w or -x) don't count: after them
/// a literal is a prefix, which the meta engine's prefilter already finds.
fn inner_literal(hir: &Hir) -> Option<Vec<u8>> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let first = parts
        .iter()
        .position(|p| !matches!(p.kind(), HirKind::Look(_)))?;
    (first + 1..parts.len())
        .filter_map(|i| {
            let HirKind::Literal(hir::Literal(bytes)) = parts[i].kind() else {
                return None;
            };
            // An `x+` before (even the leading part: `s+the` needs "sthe")
            // ends with a whole `x`, one after starts with one.
            let mut literal = Vec::new();
            literal.extend_from_slice(repeated_literal(&parts[i - 1]).unwrap_or_default());
            literal.extend_from_slice(bytes);
            let after = parts.get(i + 1).and_then(repeated_literal);
            literal.extend_from_slice(after.unwrap_or_default());
            (literal.len() >= 3).then_some(literal)
        })
        .max_by_key(|bytes| bytes.len())
}

/// The literal `x` of `x+` (or `x{n,}` with n ≥ 1), through captures.
fn repeated_literal(hir: &Hir) -> Option<&[u8]> {
    match hir.kind() {
        HirKind::Capture(capture) => repeated_literal(&capture.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => literal_of(&rep.sub),
        _ => None,
    }
}

fn literal_of(hir: &Hir) -> Option<&[u8]> {
    match hir.kind() {
        HirKind::Capture(capture) => literal_of(&capture.sub),
        HirKind::Literal(hir::Literal(bytes)) => Some(bytes),
        _ => None,
    }
}

/// A one-line account of the literal prefilter, for --debug.
fn describe_strategy(hir: &Hir, inner: Option<&[u8]>) -> String {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    if let Some(literal) = inner {
        return format!(
            "inner literal {:?} (memmem), regex on candidate lines only",
            String::from_utf8_lossy(literal)
        );
    }
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    match prefixes.literals() {
        Some(literals)
            if !literals.is_empty() && literals.iter().all(|l| !l.as_bytes().is_empty()) =>
        {
            let shown: Vec<String> = literals
                .iter()
                .take(8)
                .map(|l| format!("{:?}", String::from_utf8_lossy(l.as_bytes())))
                .collect();
            let more = if literals.len() > 8 { ", ..." } else { "" };
            format!(
                "prefix literals [{}{more}] ({} in all; the regex engine's prefilter)",
                shown.join(", "),
                literals.len()
            )
        }
        _ => "no literal prefilter: the regex scans every byte".to_string(),
    }
}

/// Removes `byte` from every class of `expr` and rejects a literal `byte`, so
/// that no match can cross a line boundary (as grep and ripgrep guarantee).
fn strip_line_terminator(expr: Hir, byte: u8) -> Result<Hir, String> {
    strip_byte(expr, byte, &|byte| {
        format!(
            "the literal {:?} is not allowed in a regex\n\n\
             Consider enabling multiline mode with the --multiline flag (or -U for short).\n\
             When multiline mode is enabled, new line characters can be matched.",
            char::from(byte).to_string()
        )
    })
}

/// With binary detection on, a pattern that must match a NUL (a literal
/// one, or a class of NUL alone) is an error, as in ripgrep (grep-regex's
/// `ban`). Classes keep their NUL: a memory-mapped file still holds its
/// NULs, and there `.` matches one, as in ripgrep; read files have theirs
/// turned into line ends (or stop at the first), so no NUL reaches the
/// regex.
fn ban_nul(expr: Hir) -> Result<Hir, String> {
    if must_match_nul(&expr) {
        return Err("pattern contains \"\\0\" but it is impossible to match\n\n\
             Consider enabling text mode with the --text flag (or -a for short). Otherwise,\n\
             binary detection is enabled and matching a NUL byte is impossible."
            .to_string());
    }
    Ok(expr)
}

fn must_match_nul(expr: &Hir) -> bool {
    match expr.kind() {
        HirKind::Literal(hir::Literal(bytes)) => bytes.contains(&0),
        HirKind::Class(hir::Class::Unicode(class)) => {
            let ranges = class.ranges();
            ranges.len() == 1 && ranges[0].start() == '\0' && ranges[0].end() == '\0'
        }
        HirKind::Class(hir::Class::Bytes(class)) => {
            let ranges = class.ranges();
            ranges.len() == 1 && ranges[0].start() == 0 && ranges[0].end() == 0
        }
        HirKind::Repetition(rep) => must_match_nul(&rep.sub),
        HirKind::Capture(capture) => must_match_nul(&capture.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(must_match_nul),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// Removes `byte` from every class of `expr`; a literal `byte` (or a class
/// left empty) is an error, worded by `message`.
fn strip_byte(expr: Hir, byte: u8, message: &dyn Fn(u8) -> String) -> Result<Hir, String> {
    let not_allowed = || Err(message(byte));
    Ok(match expr.into_kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(hir::Literal(lit)) => {
            if lit.contains(&byte) {
                return not_allowed();
            }
            Hir::literal(lit)
        }
        HirKind::Class(hir::Class::Unicode(mut class)) => {
            if !class.ranges().is_empty() {
                let ch = char::from(byte);
                class.difference(&hir::ClassUnicode::new([hir::ClassUnicodeRange::new(
                    ch, ch,
                )]));
                if class.ranges().is_empty() {
                    return not_allowed();
                }
            }
            Hir::class(hir::Class::Unicode(class))
        }
        HirKind::Class(hir::Class::Bytes(mut class)) => {
            if !class.ranges().is_empty() {
                class.difference(&hir::ClassBytes::new([hir::ClassBytesRange::new(
                    byte, byte,
                )]));
                if class.ranges().is_empty() {
                    return not_allowed();
                }
            }
            Hir::class(hir::Class::Bytes(class))
        }
        HirKind::Look(look) => Hir::look(look),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(strip_byte(*rep.sub, byte, message)?);
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(strip_byte(*cap.sub, byte, message)?);
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(
            subs.into_iter()
                .map(|sub| strip_byte(sub, byte, message))
                .collect::<Result<_, _>>()?,
        ),
        HirKind::Alternation(subs) => Hir::alternation(
            subs.into_iter()
                .map(|sub| strip_byte(sub, byte, message))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Smart case: insensitive iff the patterns have at least one literal
/// character and none of their literal characters is uppercase.
fn is_smart_insensitive(patterns: &[impl AsRef<str>]) -> bool {
    let mut any_literal = false;
    let mut any_upper = false;
    for pattern in patterns {
        let Ok(ast) = ast::parse::Parser::new().parse(pattern.as_ref()) else {
            return false;
        };
        visit_literals(&ast, &mut |c| {
            any_literal = true;
            any_upper |= c.is_uppercase();
        });
    }
    any_literal && !any_upper
}

fn visit_literals(ast: &Ast, f: &mut impl FnMut(char)) {
    match ast {
        Ast::Literal(lit) => f(lit.c),
        Ast::ClassBracketed(class) => visit_class_set(&class.kind, f),
        Ast::Repetition(rep) => visit_literals(&rep.ast, f),
        Ast::Group(group) => visit_literals(&group.ast, f),
        Ast::Alternation(alt) => alt.asts.iter().for_each(|a| visit_literals(a, f)),
        Ast::Concat(concat) => concat.asts.iter().for_each(|a| visit_literals(a, f)),
        _ => {}
    }
}

fn visit_class_set(set: &ast::ClassSet, f: &mut impl FnMut(char)) {
    match set {
        ast::ClassSet::Item(item) => visit_class_item(item, f),
        ast::ClassSet::BinaryOp(op) => {
            visit_class_set(&op.lhs, f);
            visit_class_set(&op.rhs, f);
        }
    }
}

fn visit_class_item(item: &ast::ClassSetItem, f: &mut impl FnMut(char)) {
    match item {
        ast::ClassSetItem::Literal(lit) => f(lit.c),
        ast::ClassSetItem::Range(range) => {
            f(range.start.c);
            f(range.end.c);
        }
        ast::ClassSetItem::Bracketed(class) => visit_class_set(&class.kind, f),
        ast::ClassSetItem::Union(union) => union.items.iter().for_each(|i| visit_class_item(i, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MatcherOptions {
        MatcherOptions::default()
    }

    #[test]
    fn classes_never_match_newline() {
        let m = Matcher::new(&[r"a\sb".into()], &opts()).unwrap();
        assert!(!m.is_match_at(b"a\nb", 0, 3));
        assert!(m.is_match_at(b"a b", 0, 3));
        let m = Matcher::new(&["a[^x]b".into()], &opts()).unwrap();
        assert!(!m.is_match_at(b"a\nb", 0, 3));
    }

    #[test]
    fn literal_newline_is_an_error() {
        let err = Matcher::new(&["a\nb".into()], &opts()).unwrap_err();
        assert!(err.contains("not allowed"), "{err}");
    }

    #[test]
    fn inner_literals_take_in_the_neighbouring_repetitions() {
        let inner = |pattern: &str| {
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            inner_literal(&hir).map(|l| String::from_utf8(l).unwrap())
        };
        assert_eq!(inner(r"w+s+thes+w+").as_deref(), Some("sthes"));
        assert_eq!(inner(r"\w+_RESUME").as_deref(), Some("_RESUME"));
        assert_eq!(inner(r"(ab)+the\s").as_deref(), Some("abthe"));
        // `s*` may be empty, `s?` too: nothing is added.
        assert_eq!(inner(r"\w+s*the(s?)x").as_deref(), Some("the"));
        // A leading literal is a prefix, for the regex engine.
        assert_eq!(inner(r"the\w+"), None);
        assert_eq!(inner(r"\w+th"), None);
    }

    #[test]
    fn smart_case() {
        assert!(is_smart_insensitive(&["foo"]));
        assert!(is_smart_insensitive(&[r"foo\pL"]));
        assert!(!is_smart_insensitive(&[r"Foo\pL"]));
        assert!(!is_smart_insensitive(&[r"\w+"]));
        assert!(!is_smart_insensitive(&["[A-Z]"]));
        assert!(!is_smart_insensitive(&["abc", "XYZ"]));
        assert!(is_smart_insensitive(&["abc", r"\w+"]));
    }
}
