//! The searcher's options: what counts as a line and a match, and which
//! lines around matches to report.

use crate::cli::args::Args;
use crate::printer::{OutputMode, PrintOptions};
use crate::search::{SearchOptions, TextEncoding};

/// `print` says whether line numbers are wanted.
pub(super) fn search_options(args: &Args, print: &PrintOptions) -> Result<SearchOptions, String> {
    // --passthru prints every line: no groups, so no `--` between files.
    let (after, before) = if args.passthru {
        (0, 0)
    } else {
        (
            args.after_context.or(args.context).unwrap_or(0),
            args.before_context.or(args.context).unwrap_or(0),
        )
    };
    Ok(SearchOptions {
        invert: args.invert_match,
        before,
        after,
        passthru: args.passthru,
        // No file can give more than the global limit.
        max_count: match (args.max_count, args.max_results) {
            (Some(m), Some(n)) => Some(m.min(n)),
            (m, n) => m.or(n),
        },
        line_numbers: print.line_number
            && matches!(print.mode, OutputMode::Standard | OutputMode::Json),
        stop_on_nonmatch: args.stop_on_nonmatch,
        encoding: text_encoding(args.encoding.as_deref())?,
        terminator: if args.null_data { 0 } else { b'\n' },
    })
}

/// `-E LABEL`: `auto` (the default: decode only input with a byte order
/// mark), `none` (raw bytes), or any WHATWG encoding label, as in ripgrep.
fn text_encoding(label: Option<&str>) -> Result<TextEncoding, String> {
    match label {
        None | Some("auto") => Ok(TextEncoding::Auto),
        Some("none") => Ok(TextEncoding::Raw),
        Some(label) => encoding_rs::Encoding::for_label(label.as_bytes())
            .map(TextEncoding::Fixed)
            .ok_or_else(|| format!("unknown encoding: {label}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{args, PIPE, TREE};
    use super::*;

    fn search(argv: &[&str]) -> SearchOptions {
        let args = args(argv);
        let print = super::super::print::print_options(&args, &TREE, &PIPE).unwrap();
        search_options(&args, &print).unwrap()
    }

    #[test]
    fn context_flags_combine_as_in_ripgrep() {
        let opts = search(&["-A2", "-C1", "x"]);
        assert_eq!((opts.before, opts.after), (1, 2));
        let opts = search(&["-C3", "--passthru", "x"]);
        assert!(opts.passthru && (opts.before, opts.after) == (0, 0));
        let opts = search(&["--passthru", "-B2", "x"]);
        assert!(!opts.passthru && (opts.before, opts.after) == (2, 0));
    }

    #[test]
    fn limits_and_line_terminators() {
        assert_eq!(
            search(&["-m5", "--max-results", "3", "x"]).max_count,
            Some(3)
        );
        assert_eq!(search(&["--max-results", "3", "x"]).max_count, Some(3));
        assert_eq!(search(&["x"]).max_count, None);
        assert_eq!(search(&["--null-data", "x"]).terminator, 0);
        assert_eq!(search(&["x"]).terminator, b'\n');
        assert!(search(&["-n", "x"]).line_numbers);
        // Counts print no lines, so they need no line numbers.
        assert!(!search(&["-n", "-c", "x"]).line_numbers);
    }

    #[test]
    fn encodings_by_label() {
        assert_eq!(text_encoding(None), Ok(TextEncoding::Auto));
        assert_eq!(text_encoding(Some("none")), Ok(TextEncoding::Raw));
        assert_eq!(
            text_encoding(Some("latin1")),
            Ok(TextEncoding::Fixed(encoding_rs::WINDOWS_1252))
        );
        assert!(text_encoding(Some("klingon")).is_err());
    }
}
