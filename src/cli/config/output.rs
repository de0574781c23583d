//! The output stage's options: buffering and what goes between files,
//! and what is drawn on stderr (progress) and printed at the end (stats).

use super::Terminal;
use crate::cli::args::{Args, ProgressChoice};
use crate::output::{OutputOptions, StatsFormat};
use crate::printer::{OutputMode, PrintOptions};
use crate::search::SearchOptions;

pub(super) fn output_options(
    args: &Args,
    print: &PrintOptions,
    search: &SearchOptions,
    terminal: &Terminal,
) -> OutputOptions {
    let has_context = search.before > 0 || search.after > 0;
    // Lines ripgrep makes up end with "\r\n" under --crlf (as its
    // single-threaded printer does; its parallel one writes "\n" between
    // files).
    let eol = print.eol();
    let file_separator = match (print.mode, print.heading, has_context) {
        (OutputMode::Standard, true, _) => Some(eol.to_vec()),
        (OutputMode::Standard, false, true) => print.context_break.clone().map(|mut sep| {
            sep.extend_from_slice(eol);
            sep
        }),
        _ => None,
    };
    OutputOptions {
        file_separator,
        line_buffered: (terminal.stdout || args.line_buffered) && !args.block_buffered,
        block_buffered: args.block_buffered,
        stdout_is_tty: terminal.stdout,
    }
}

/// What to print after the results. `--json -q` still ends with the
/// summary message, as in ripgrep.
pub(super) fn stats_format(args: &Args) -> Option<StatsFormat> {
    if args.json {
        Some(StatsFormat::Json)
    } else if args.stats && !args.no_stats {
        Some(StatsFormat::Human)
    } else {
        None
    }
}

/// The progress line on stderr: Some(true) at once, Some(false) after a
/// second, None never. `always` draws even when stderr is not a terminal.
pub(super) fn progress(args: &Args, terminal: &Terminal) -> Option<bool> {
    match args.progress {
        _ if args.json || args.quiet || args.files => None,
        ProgressChoice::Never => None,
        // Where stdout is not the terminal, a program reading it (fzf,
        // less) may be drawing there.
        ProgressChoice::Auto if !terminal.stdout || !terminal.stderr => None,
        ProgressChoice::Auto => Some(false),
        ProgressChoice::Always => Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{args, PIPE, TERMINAL, TREE};
    use super::*;

    fn output(argv: &[&str], terminal: &Terminal) -> OutputOptions {
        let args = args(argv);
        let print = super::super::print::print_options(&args, &TREE, terminal).unwrap();
        let search = super::super::search::search_options(&args, &print).unwrap();
        output_options(&args, &print, &search, terminal)
    }

    #[test]
    fn files_are_separated_by_headings_or_context_breaks() {
        assert_eq!(
            output(&["x"], &TERMINAL).file_separator.as_deref(),
            Some(&b"\n"[..])
        );
        assert_eq!(
            output(&["--crlf", "x"], &TERMINAL)
                .file_separator
                .as_deref(),
            Some(&b"\r\n"[..])
        );
        assert_eq!(output(&["x"], &PIPE).file_separator, None);
        assert_eq!(
            output(&["-C1", "x"], &PIPE).file_separator.as_deref(),
            Some(&b"--\n"[..])
        );
        assert_eq!(
            output(&["-C1", "--no-context-separator", "x"], &PIPE).file_separator,
            None
        );
        assert_eq!(output(&["-c", "x"], &TERMINAL).file_separator, None);
    }

    #[test]
    fn buffering_follows_the_terminal_unless_told() {
        let opts = output(&["x"], &TERMINAL);
        assert!(opts.line_buffered && !opts.block_buffered && opts.stdout_is_tty);
        assert!(!output(&["x"], &PIPE).line_buffered);
        assert!(output(&["--line-buffered", "x"], &PIPE).line_buffered);
        let opts = output(&["--block-buffered", "x"], &TERMINAL);
        assert!(!opts.line_buffered && opts.block_buffered);
    }

    #[test]
    fn stats_and_progress() {
        assert_eq!(
            stats_format(&args(&["--json", "-q", "x"])),
            Some(StatsFormat::Json)
        );
        assert_eq!(
            stats_format(&args(&["--stats", "x"])),
            Some(StatsFormat::Human)
        );
        assert_eq!(stats_format(&args(&["--stats", "--no-stats", "x"])), None);
        assert_eq!(progress(&args(&["x"]), &TERMINAL), Some(false));
        assert_eq!(progress(&args(&["x"]), &PIPE), None);
        assert_eq!(
            progress(&args(&["--progress", "always", "x"]), &PIPE),
            Some(true)
        );
        assert_eq!(
            progress(&args(&["--progress", "always", "-q", "x"]), &PIPE),
            None
        );
        let stderr_piped = Terminal {
            stderr: false,
            ..TERMINAL
        };
        assert_eq!(progress(&args(&["x"]), &stderr_piped), None);
    }
}
