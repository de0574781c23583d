//! The printer's options: what is printed for each match and file, and
//! how (output mode, paths, line numbers, headings, colors, separators).

use super::output::stats_format;
use super::{flag_error, Targets, Terminal};
use crate::cli::args::{Args, ColorChoice};
use crate::printer::hyperlink::Hyperlinks;
use crate::printer::{Colors, OutputMode, PrintOptions};

pub(super) fn print_options(
    args: &Args,
    targets: &Targets,
    terminal: &Terminal,
) -> Result<PrintOptions, String> {
    let mode = output_mode(args);
    let json = mode == OutputMode::Json;
    // -H and -I (the last given wins) override --vimgrep's filenames,
    // as in ripgrep.
    let with_filename = if args.with_filename {
        true
    } else if args.no_filename {
        false
    } else {
        args.vimgrep || targets.count > 1 || targets.walks
    };
    let column = (args.column || args.vimgrep) && !args.no_column;
    // -N, when not overridden by a later -n, wins over what implies line
    // numbers (--column, --vimgrep, --json), as in ripgrep: `--json
    // -N` gives `"line_number":null`, `--column -N` prints `COL:text`.
    let line_number = if args.no_line_number {
        false
    } else if args.line_number || column || args.vimgrep || json {
        true
    } else {
        terminal.stdout && !targets.only_stdin
    };
    // Without filenames (-I), headings still separate the files with a
    // blank line, as in ripgrep; only the path lines are left out.
    let heading = if args.vimgrep || json {
        false
    } else if args.heading {
        true
    } else if args.no_heading {
        false
    } else {
        terminal.stdout
    };
    let colors = match args.color {
        ColorChoice::Always | ColorChoice::Ansi => !json,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal.stdout && terminal.wants_color && !json,
    };
    let mut palette = Colors::default();
    for spec in &args.colors {
        palette.apply(spec).map_err(flag_error("colors"))?;
    }
    let hyperlinks = Hyperlinks::new(
        args.hyperlink_format.as_deref().unwrap_or(""),
        args.hostname_bin.as_deref(),
        colors,
    )?;
    let context_break = if args.no_context_separator {
        None
    } else {
        Some(unescape(args.context_separator.as_deref().unwrap_or("--")))
    };
    Ok(PrintOptions {
        mode,
        with_filename,
        heading,
        line_number,
        column,
        byte_offset: args.byte_offset,
        only_matching: args.only_matching,
        vimgrep: args.vimgrep,
        null: args.null,
        colors: colors.then_some(palette),
        match_separator: unescape(args.field_match_separator.as_deref().unwrap_or(":")),
        context_separator: unescape(args.field_context_separator.as_deref().unwrap_or("-")),
        context_break,
        replace: args.replace.as_ref().map(|r| r.as_bytes().to_vec()),
        max_columns: args.max_columns.filter(|&n| n > 0),
        max_columns_preview: args.max_columns_preview,
        trim: args.trim,
        include_zero: args.include_zero,
        files_without_match: args.files_without_match,
        path_separator: path_separator(args.path_separator.as_deref())?,
        count_matches: stats_format(args).is_some(),
        escape_control: terminal.stdout,
        crlf: args.crlf,
        hyperlinks,
        null_data: args.null_data,
    })
}

/// One mode, the last flag given winning (`Args::parse_from`); -q and
/// the statistics decide over it.
fn output_mode(args: &Args) -> OutputMode {
    let human_stats = args.stats && !args.no_stats;
    if args.quiet && (args.json || human_stats) {
        OutputMode::StatsOnly
    } else if args.quiet && args.files_without_match {
        OutputMode::QuietWithoutMatch
    } else if args.quiet {
        OutputMode::Quiet
    } else if args.json {
        OutputMode::Json
    } else if args.count_matches || (args.count && args.only_matching) {
        OutputMode::CountMatches
    } else if args.count {
        OutputMode::Count
    } else if args.files_with_matches {
        OutputMode::FilesWithMatches
    } else if args.files_without_match {
        OutputMode::FilesWithoutMatch
    } else {
        OutputMode::Standard
    }
}

/// `--path-separator`: one byte, or empty for the default.
fn path_separator(sep: Option<&str>) -> Result<Option<u8>, String> {
    let Some(sep) = sep else {
        return Ok(None);
    };
    match unescape(sep).as_slice() {
        // Empty: the default, as in ripgrep.
        [] => Ok(None),
        [byte] => Ok(Some(*byte)),
        bytes => Err(flag_error("path-separator")(format!(
            "A path separator must be exactly one byte, but the given separator \
             is {} bytes: {sep}\nIn some shells on Windows '/' is automatically \
             expanded. Use '//' instead.",
            bytes.len()
        ))),
    }
}

/// Expands the escapes ripgrep allows in separators: `\t`, `\n`, `\r`,
/// `\\`, `\0` and `\xHH`.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let escaped = match bytes[i + 1] {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'0' => Some(0),
            b'\\' => Some(b'\\'),
            b'x' => text
                .get(i + 2..i + 4)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .inspect(|_| i += 2),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 2;
            }
            None => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{args, FILE, PIPE, TERMINAL, TREE};
    use super::*;

    fn print(argv: &[&str], targets: &Targets, terminal: &Terminal) -> PrintOptions {
        print_options(&args(argv), targets, terminal).unwrap()
    }

    #[test]
    fn output_mode_is_the_last_flag_unless_quiet() {
        let mode = |argv: &[&str]| output_mode(&args(argv));
        assert_eq!(mode(&["x"]), OutputMode::Standard);
        assert_eq!(mode(&["-c", "-l", "x"]), OutputMode::FilesWithMatches);
        assert_eq!(mode(&["-c", "-o", "x"]), OutputMode::CountMatches);
        assert_eq!(mode(&["--json", "-q", "x"]), OutputMode::StatsOnly);
        assert_eq!(mode(&["--stats", "-q", "x"]), OutputMode::StatsOnly);
        assert_eq!(
            mode(&["--files-without-match", "-q", "x"]),
            OutputMode::QuietWithoutMatch
        );
        assert_eq!(mode(&["-l", "--json", "x"]), OutputMode::Json);
    }

    #[test]
    fn a_terminal_gets_headings_and_line_numbers() {
        let opts = print(&["x"], &TREE, &TERMINAL);
        assert!(opts.heading && opts.line_number && opts.with_filename && opts.escape_control);
        assert!(opts.colors.is_some());
        let opts = print(&["x"], &TREE, &PIPE);
        assert!(!opts.heading && !opts.line_number && opts.with_filename && !opts.escape_control);
        assert!(opts.colors.is_none());
        // One file named: no path; stdin alone: no line numbers either.
        let opts = print(&["x"], &FILE, &TERMINAL);
        assert!(!opts.with_filename && opts.line_number);
        let stdin = Targets {
            count: 1,
            walks: false,
            only_stdin: true,
        };
        assert!(!print(&["x"], &stdin, &TERMINAL).line_number);
    }

    #[test]
    fn flags_win_over_what_implies_them() {
        let opts = print(&["--vimgrep", "-I", "x"], &FILE, &TERMINAL);
        assert!(!opts.with_filename && !opts.heading && opts.column && opts.line_number);
        let opts = print(&["--column", "-N", "x"], &TREE, &PIPE);
        assert!(opts.column && !opts.line_number);
        let opts = print(&["--json", "--color", "always", "x"], &TREE, &TERMINAL);
        assert!(opts.line_number && !opts.heading && opts.colors.is_none());
        assert!(opts.count_matches);
        let opts = print(&["-p", "x"], &TREE, &PIPE);
        assert!(opts.heading && opts.line_number && opts.colors.is_some());
    }

    #[test]
    fn separators_are_unescaped() {
        let argv = [
            "--field-match-separator",
            "\\x1f",
            "--context-separator",
            "\\t--",
            "--path-separator",
            "\\\\",
            "x",
        ];
        let opts = print(&argv, &TREE, &PIPE);
        assert_eq!(opts.match_separator, b"\x1f");
        assert_eq!(opts.context_break.as_deref(), Some(&b"\t--"[..]));
        assert_eq!(opts.path_separator, Some(b'\\'));
        assert_eq!(opts.context_separator, b"-");
        assert!(print(&["--no-context-separator", "x"], &TREE, &PIPE)
            .context_break
            .is_none());
        assert_eq!(unescape("a\\qb\\x4"), b"a\\qb\\x4");
        let error = print_options(&args(&["--path-separator", "ab", "x"]), &TREE, &PIPE);
        assert!(error
            .unwrap_err()
            .starts_with("error parsing flag --path-separator: "));
    }
}
