//! The matcher's options: the regex flags and engine.

use super::{flag_error, parse_size};
use crate::cli::args::{Args, EngineArg};
use crate::search::matcher::{DEFAULT_DFA_SIZE_LIMIT, DEFAULT_SIZE_LIMIT};
use crate::search::{CaseMode, EngineChoice, MatcherOptions};

pub(super) fn matcher_options(args: &Args) -> Result<MatcherOptions, String> {
    let case = if args.ignore_case {
        CaseMode::Insensitive
    } else if args.smart_case {
        CaseMode::Smart
    } else {
        CaseMode::Sensitive
    };
    Ok(MatcherOptions {
        fixed_strings: args.fixed_strings,
        case,
        word: args.word_regexp,
        line: args.line_regexp,
        crlf: args.crlf,
        null_data: args.null_data,
        multiline: args.multiline,
        dotall: args.multiline_dotall,
        ban_nul: !args.text && !args.null_data,
        unicode: !args.no_unicode,
        engine: engine_choice(args),
        size_limit: size_arg(args.regex_size_limit.as_deref(), DEFAULT_SIZE_LIMIT)
            .map_err(flag_error("regex-size-limit"))?,
        dfa_size_limit: size_arg(args.dfa_size_limit.as_deref(), DEFAULT_DFA_SIZE_LIMIT)
            .map_err(flag_error("dfa-size-limit"))?,
    })
}

/// `-P`, `--no-pcre2`, `--engine` and `--auto-hybrid-regex` override each
/// other (last one wins), so at most one of them is still set here.
fn engine_choice(args: &Args) -> EngineChoice {
    match args.engine {
        _ if args.pcre2 => EngineChoice::Pcre2,
        _ if args.auto_hybrid_regex => EngineChoice::Auto,
        Some(EngineArg::Pcre2) => EngineChoice::Pcre2,
        Some(EngineArg::Auto) => EngineChoice::Auto,
        Some(EngineArg::Default) | None => EngineChoice::Default,
    }
}

fn size_arg(text: Option<&str>, default: usize) -> Result<usize, String> {
    match text {
        None => Ok(default),
        Some(text) => usize::try_from(parse_size(text)?)
            .map_err(|_| format!("invalid size: size too big in '{text}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::args;
    use super::*;

    #[test]
    fn case_flags_last_one_wins() {
        assert_eq!(
            matcher_options(&args(&["-i", "x"])).unwrap().case,
            CaseMode::Insensitive
        );
        assert_eq!(
            matcher_options(&args(&["-i", "-S", "x"])).unwrap().case,
            CaseMode::Smart
        );
        assert_eq!(
            matcher_options(&args(&["-S", "-s", "x"])).unwrap().case,
            CaseMode::Sensitive
        );
    }

    #[test]
    fn matcher_options_follow_the_flags() {
        let opts = matcher_options(&args(&["-F", "-w", "-U", "--multiline-dotall", "x"])).unwrap();
        assert!(opts.fixed_strings && opts.word && !opts.line && opts.multiline && opts.dotall);
        assert!(opts.ban_nul && opts.unicode && opts.engine == EngineChoice::Default);
        assert_eq!(opts.size_limit, DEFAULT_SIZE_LIMIT);
        let opts = matcher_options(&args(&["--null-data", "--no-unicode", "-P", "x"])).unwrap();
        assert!(opts.null_data && !opts.ban_nul && !opts.unicode);
        assert_eq!(opts.engine, EngineChoice::Pcre2);
        let opts = matcher_options(&args(&["-a", "--engine", "auto", "x"])).unwrap();
        assert!(!opts.ban_nul && opts.engine == EngineChoice::Auto);
        let opts = matcher_options(&args(&["--regex-size-limit", "2K", "x"])).unwrap();
        assert_eq!(opts.size_limit, 2048);
    }

    #[test]
    fn a_bad_size_names_its_flag() {
        let error = matcher_options(&args(&["--dfa-size-limit", "1X", "x"])).unwrap_err();
        assert!(
            error.starts_with("error parsing flag --dfa-size-limit: invalid size"),
            "{error}"
        );
    }
}
