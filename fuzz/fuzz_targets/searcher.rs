//! The buffer searcher against the naive line-by-line oracle, on random
//! haystacks and patterns over a small alphabet, with -v/-i/-w/-x,
//! context and -m variants and random window sizes; with either engine
//! (PCRE2 searches line by line), and -U (the multiline searcher against
//! the block oracle; the patterns then may hold `\n`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::search::oracle;
use trawl::search::{CaseMode, EngineChoice, MatcherOptions, SearchOptions};

const ALPHABET: &[u8] = b"aAb \n";
const PATTERN_ATOMS: &[&str] = &[
    "a", "b", "A", " ", "^", "$", "a*", "[ab]", "[^a]", r"\s", r"\b", "(a|b)", ".", "b+", r"\n",
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (flags, rest) = data.split_at(4);
    let split = rest.len().min(usize::from(flags[3] % 8));
    let (pattern_bytes, text_bytes) = rest.split_at(split);
    let mut pattern: String = pattern_bytes
        .iter()
        .map(|b| PATTERN_ATOMS[usize::from(*b) % PATTERN_ATOMS.len()])
        .collect();
    if flags[0] & 4 != 0 {
        pattern = format!(r"\b(?:{pattern})\b");
    } else if flags[0] & 8 != 0 {
        pattern = format!("^(?:{pattern})$");
    }
    let text: Vec<u8> = text_bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()])
        .collect();
    let opts = SearchOptions {
        invert: flags[0] & 1 != 0,
        before: usize::from(flags[1] % 3),
        after: usize::from((flags[1] / 3) % 3),
        passthru: false,
        max_count: (flags[0] & 16 != 0).then_some(u64::from(flags[2] % 4)),
        line_numbers: true,
        stop_on_nonmatch: flags[0] & 32 != 0,
        ..SearchOptions::default()
    };
    let insensitive = flags[0] & 2 != 0;
    let case = if insensitive {
        CaseMode::Insensitive
    } else {
        CaseMode::Sensitive
    };
    let Ok(regex) = regex::bytes::RegexBuilder::new(&pattern)
        .multi_line(true)
        .case_insensitive(insensitive)
        .build()
    else {
        return;
    };
    let window = 1 + usize::from(flags[2] / 4);
    let multiline = flags[3] & 64 != 0;
    let pcre2 = flags[3] & 128 != 0 && !multiline;
    let matcher_opts = MatcherOptions {
        case,
        engine: if pcre2 {
            EngineChoice::Pcre2
        } else {
            EngineChoice::Default
        },
        multiline,
        ..MatcherOptions::default()
    };
    // -U whose pattern cannot match a line end is line-oriented, as in rg.
    let whole_input = multiline
        && trawl::search::Matcher::new(&[pattern.clone()], &matcher_opts)
            .is_ok_and(|m| m.multiline());
    if whole_input {
        // -U: -m counts matches found (also with -v); no --stop-on-nonmatch.
        let opts = SearchOptions {
            stop_on_nonmatch: false,
            ..opts
        };
        let Some(actual) = oracle::actual_with(&pattern, &matcher_opts, &text, &opts, window)
        else {
            return;
        };
        let expected = oracle::expected_multiline(&text, &opts, |hay| {
            regex.find(hay).map(|m| (m.start(), m.end()))
        });
        assert_eq!(
            actual,
            expected,
            "-U pattern {pattern:?} text {:?}",
            String::from_utf8_lossy(&text)
        );
        return;
    }
    if pattern.contains(r"\n") {
        return;
    }
    let Some(actual) = oracle::actual_with(&pattern, &matcher_opts, &text, &opts, window) else {
        return;
    };
    let expected = oracle::expected(&text, &opts, |line| regex.is_match(line));
    assert_eq!(
        actual,
        expected,
        "pattern {pattern:?} pcre2 {pcre2} text {:?}",
        String::from_utf8_lossy(&text)
    );
});
