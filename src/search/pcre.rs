//! The PCRE2 engine (`-P`, and `--engine auto` for patterns the default
//! engine rejects): look-around and backreferences, JIT-compiled where the
//! platform has a JIT. libpcre2 is built from source by `pcre2-sys` when
//! the system has none, so a fresh machine needs nothing installed.
//!
//! The pattern is built as ripgrep builds it (grep-pcre2): every pattern
//! wrapped in `(?:...)` and OR-ed, `-w` as `(?<!\w)(?:P)(?!\w)`, `-x` as
//! `(?m:^)(?:P)(?m:$)`, and Unicode (`utf` + `ucp`, invalid UTF-8 allowed)
//! unless --no-unicode. Like ripgrep, a line is searched on its own, its
//! terminator removed, so look-around never sees a neighbouring line.
//!
//! Iteration follows grep-matcher's rule for empty matches: after an empty
//! match the next search starts one byte further, and an empty match right
//! where the previous match ended is skipped.

use pcre2::bytes::{CaptureLocations, Regex, RegexBuilder};

/// A compiled PCRE2 pattern set.
#[derive(Clone, Debug)]
pub struct Pcre2Regex {
    regex: Regex,
}

/// What the PCRE2 build needs from the matcher options.
pub struct Pcre2Options<'a> {
    pub patterns: &'a [String],
    pub fixed_strings: bool,
    /// `Some(true)` for -i, `Some(false)` for -s, `None` for smart case.
    pub caseless: Option<bool>,
    pub word: bool,
    pub line: bool,
    pub unicode: bool,
    pub crlf: bool,
    /// `.` matches `\n` (--multiline-dotall under -U).
    pub dotall: bool,
}

impl Pcre2Regex {
    pub fn new(opts: &Pcre2Options) -> Result<Pcre2Regex, String> {
        let mut pattern = if opts.patterns.is_empty() {
            // ripgrep's spelling of a pattern that never matches.
            r"[^\S\s]".to_string()
        } else {
            opts.patterns
                .iter()
                .map(|p| {
                    if opts.fixed_strings {
                        format!("(?:{})", pcre2::escape(p))
                    } else {
                        format!("(?:{p})")
                    }
                })
                .collect::<Vec<_>>()
                .join("|")
        };
        let caseless = opts
            .caseless
            .unwrap_or_else(|| !has_uppercase_literal(&pattern));
        if opts.line {
            pattern = format!(r"(?m:^)(?:{pattern})(?m:$)");
        } else if opts.word {
            pattern = format!(r"(?<!\w)(?:{pattern})(?!\w)");
        }
        let mut builder = RegexBuilder::new();
        builder
            .caseless(caseless)
            .multi_line(true)
            .dotall(opts.dotall)
            .crlf(opts.crlf)
            // ripgrep's settings: the JIT crashes on 32-bit targets, and a
            // 10 MiB JIT stack is plenty ("1MB should be big enough").
            .jit_if_available(cfg!(target_pointer_width = "64"))
            .max_jit_stack_size(Some(10 << 20));
        if opts.unicode {
            // `ucp` also sets PCRE2_MATCH_INVALID_UTF: invalid UTF-8 in a
            // file simply cannot match, as with the default engine.
            builder.utf(true).ucp(true);
        }
        let regex = builder.build(&pattern).map_err(|err| err.to_string())?;
        Ok(Pcre2Regex { regex })
    }

    /// Whether `subject` holds a match; an error is a match that PCRE2
    /// gave up on (match limit, JIT stack), reported as ripgrep words it.
    pub fn is_match(&self, subject: &[u8]) -> Result<bool, String> {
        self.regex.is_match(subject).map_err(|err| err.to_string())
    }

    /// The first match in `subject`, or PCRE2's error.
    pub fn find(&self, subject: &[u8]) -> Result<Option<(usize, usize)>, String> {
        match self.regex.find(subject) {
            Ok(found) => Ok(found.map(|m| (m.start(), m.end()))),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Calls `f` with each match `(start, end)` in `subject` from `at`.
    pub fn for_each_match(
        &self,
        subject: &[u8],
        at: usize,
        mut f: impl FnMut(usize, usize) -> bool,
    ) {
        let mut step = Step::new(at);
        while let Some(pos) = step.next(subject) {
            let Some(m) = self.regex.find_at(subject, pos).ok().flatten() else {
                return;
            };
            if step.accept(m.start(), m.end()) && !f(m.start(), m.end()) {
                return;
            }
        }
    }

    /// Calls `f` with the capture locations of each match from `at`.
    pub fn for_each_captures(
        &self,
        subject: &[u8],
        at: usize,
        mut f: impl FnMut(&CaptureLocations) -> bool,
    ) {
        let mut locs = self.regex.capture_locations();
        let mut step = Step::new(at);
        while let Some(pos) = step.next(subject) {
            let found = self.regex.captures_read_at(&mut locs, subject, pos);
            let Some(m) = found.ok().flatten() else {
                return;
            };
            if step.accept(m.start(), m.end()) && !f(&locs) {
                return;
            }
        }
    }

    /// The capture locations of the match starting exactly at `start`.
    pub fn captures_at(&self, subject: &[u8], start: usize) -> Option<CaptureLocations> {
        let mut locs = self.regex.capture_locations();
        let m = self
            .regex
            .captures_read_at(&mut locs, subject, start)
            .ok()
            .flatten()?;
        (m.start() == start).then_some(locs)
    }

    /// The index of the group named `name`.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.regex
            .capture_names()
            .iter()
            .position(|n| n.as_deref() == Some(name))
    }
}

/// grep-matcher's `find_iter_at` loop: where the next search starts, and
/// which matches are reported.
struct Step {
    next: usize,
    last_match_end: Option<usize>,
}

impl Step {
    fn new(at: usize) -> Step {
        Step {
            next: at,
            last_match_end: None,
        }
    }

    fn next(&self, subject: &[u8]) -> Option<usize> {
        (self.next <= subject.len()).then_some(self.next)
    }

    /// Moves past a match; false if it is to be skipped (an empty match
    /// where the previous one ended).
    fn accept(&mut self, start: usize, end: usize) -> bool {
        if start == end {
            self.next = end + 1;
            if Some(end) == self.last_match_end {
                return false;
            }
        } else {
            self.next = end;
        }
        self.last_match_end = Some(end);
        true
    }
}

/// PCRE2's version and whether its JIT can be used, as `--pcre2-version`
/// and `--version` report it (ripgrep's wording).
pub fn version_line() -> String {
    let (major, minor) = pcre2::version();
    let jit = if cfg!(target_pointer_width = "64") && pcre2::is_jit_available() {
        "JIT is available"
    } else {
        "JIT is unavailable"
    };
    format!("PCRE2 {major}.{minor} is available ({jit})")
}

/// grep-pcre2's smart-case test: any uppercase character not escaped.
fn has_uppercase_literal(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c.is_uppercase() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pattern: &str, word: bool) -> Pcre2Regex {
        Pcre2Regex::new(&Pcre2Options {
            patterns: &[pattern.to_string()],
            fixed_strings: false,
            caseless: Some(false),
            word,
            line: false,
            unicode: true,
            crlf: false,
            dotall: false,
        })
        .unwrap()
    }

    fn matches(re: &Pcre2Regex, subject: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        re.for_each_match(subject, 0, |s, e| {
            all.push((s, e));
            true
        });
        all
    }

    #[test]
    fn look_around_and_backreferences() {
        assert_eq!(build(r"(?<=a)b", false).is_match(b"ab"), Ok(true));
        assert_eq!(build(r"(?<=a)b", false).is_match(b"cb"), Ok(false));
        assert_eq!(build(r"(\w)\1", false).is_match(b"xyyz"), Ok(true));
    }

    #[test]
    fn word_wraps_like_ripgrep() {
        // (?<!\w) rather than \b: `-w -2` matches in `abc -2 foo`.
        assert_eq!(build("-2", true).is_match(b"abc -2 foo"), Ok(true));
        assert_eq!(build("-2", true).is_match(b"abc-2"), Ok(false));
    }

    #[test]
    fn empty_matches_follow_grep_matcher() {
        assert_eq!(
            matches(&build("a*", false), b"baab"),
            vec![(0, 0), (1, 3), (4, 4)]
        );
    }

    #[test]
    fn invalid_utf8_is_searched() {
        assert_eq!(build("foo", false).is_match(b"caf\xe9 foo"), Ok(true));
    }

    #[test]
    fn match_errors_are_reported() {
        let subject = [b"a".repeat(30), b"b".to_vec()].concat();
        assert_eq!(
            build("(a+)+$", false).is_match(&subject),
            Err("PCRE2: error matching: match limit exceeded".to_string())
        );
    }
}
