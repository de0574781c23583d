//! The command as shown to people: `-h` (one line per flag, grouped as
//! ripgrep groups them), `--help` and the man page (each flag's full text,
//! with the negation that undoes it). The flags themselves are defined in
//! `args`; this only arranges them.

use clap::{Arg, ArgAction, Command, CommandFactory};

use super::args::Args;

const INPUT: &str = "Input options";
const SEARCH: &str = "Search options";
const FILTER: &str = "Filter options";
const OUTPUT: &str = "Output options";
const MODES: &str = "Output modes";
const LOGGING: &str = "Logging options";
const OTHER: &str = "Other behaviors";
/// ripgrep's order of the headings.
const HEADINGS: [&str; 7] = [INPUT, SEARCH, FILTER, OUTPUT, MODES, LOGGING, OTHER];

/// ripgrep's category of each flag (by argument id). Flags of features
/// other work adds (PCRE2, multiline, preprocessors, hyperlinks) are
/// listed already; a flag missing here lands under "Other behaviors" and
/// `every_flag_has_a_heading` fails.
fn heading(id: &str) -> Option<&'static str> {
    Some(match id {
        "regexp" | "file" | "pre" | "pre_glob" | "search_zip" => INPUT,
        "case_sensitive" | "crlf" | "dfa_size_limit" | "encoding" | "engine" | "fixed_strings"
        | "ignore_case" | "invert_match" | "line_regexp" | "max_count" | "max_results" | "mmap"
        | "no_mmap" | "multiline" | "multiline_dotall" | "no_unicode" | "null_data" | "pcre2"
        | "regex_size_limit" | "smart_case" | "stop_on_nonmatch" | "text" | "threads"
        | "word_regexp" | "auto_hybrid_regex" => SEARCH,
        "binary"
        | "follow"
        | "glob"
        | "glob_case_insensitive"
        | "hidden"
        | "iglob"
        | "ignore_file"
        | "ignore_file_case_insensitive"
        | "max_depth"
        | "max_filesize"
        | "no_ignore"
        | "no_ignore_dot"
        | "no_ignore_exclude"
        | "no_ignore_files"
        | "no_ignore_global"
        | "no_ignore_parent"
        | "no_ignore_vcs"
        | "no_require_git"
        | "one_file_system"
        | "type_"
        | "type_not"
        | "type_add"
        | "type_clear"
        | "unrestricted" => FILTER,
        "after_context"
        | "before_context"
        | "block_buffered"
        | "byte_offset"
        | "color"
        | "colors"
        | "column"
        | "context"
        | "context_separator"
        | "no_context_separator"
        | "field_context_separator"
        | "field_match_separator"
        | "heading"
        | "no_heading"
        | "help"
        | "hostname_bin"
        | "hyperlink_format"
        | "include_zero"
        | "line_buffered"
        | "line_number"
        | "no_line_number"
        | "max_columns"
        | "max_columns_preview"
        | "null"
        | "only_matching"
        | "path_separator"
        | "passthru"
        | "pretty"
        | "progress"
        | "quiet"
        | "replace"
        | "sort"
        | "sortr"
        | "trim"
        | "vimgrep"
        | "with_filename"
        | "no_filename"
        | "sort_files" => OUTPUT,
        "count" | "count_matches" | "files_with_matches" | "files_without_match" | "json" => MODES,
        "debug" | "no_ignore_messages" | "no_messages" | "stats" | "trace" => LOGGING,
        "files" | "build_index" | "no_index" | "generate" | "no_config" | "pcre2_version"
        | "type_list" | "version" => OTHER,
        _ => return None,
    })
}

const POSITIONAL_SHORT: &str = "Positional arguments:
  PATTERN  A regular expression used for searching.
  PATH...  A file or directory to search.";

const POSITIONAL_LONG: &str = "Positional arguments:
  PATTERN
          A regular expression used for searching. To search for a pattern
          starting with a dash, use -e/--regexp (trawl -e -foo) or put -- before
          it (trawl -- -foo).

          When -e/--regexp or -f/--file is given, every positional argument is a
          PATH.

  PATH...
          A file or directory to search. Directories are searched recursively.
          Paths named on the command line are searched even when a glob or an
          ignore file would skip them. Without a PATH, trawl searches the
          current directory, or stdin when it is a pipe or a file.";

/// Short help is one sentence ending with a period, as ripgrep's; clap's
/// derive drops the period of a one-line doc comment.
fn with_period(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// The command with its help arranged: headings, ripgrep's order within
/// each (by name, a `--no-x` flag after its `--x`), `-h` short and
/// `--help` long, and each flag's long help saying which flag undoes it.
pub fn command() -> Command {
    let cmd = Args::command()
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Show help output (-h short, --help long).")
                .long_help(
                    "Show help output. -h shows one line per flag, --help the full \
                     description of each.",
                ),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Print trawl's version."),
        )
        // clap would show the one positional list as `[PATTERN [PATH]]...`;
        // it is described by hand, as ripgrep describes it, instead.
        .mut_arg("positional", |a| a.hide(true))
        .before_help(POSITIONAL_SHORT)
        .before_long_help(POSITIONAL_LONG)
        .help_template(
            "{name} {version}\n\n{about-with-newline}\n\
             Use -h for short descriptions and --help for more details.\n\n\
             {usage-heading} {usage}\n\n{before-help}{all-args}{after-help}",
        );
    let longs: Vec<(String, bool)> = cmd
        .get_arguments()
        .filter_map(|a| Some((a.get_long()?.to_string(), a.is_hide_set())))
        .collect();
    let visible = |name: &str| longs.iter().any(|(l, hidden)| l == name && !hidden);
    let hidden = |name: &str| longs.iter().any(|(l, hidden)| l == name && *hidden);
    // Display order: by long name, `--no-x` right after a visible `--x`.
    let mut order: Vec<String> = longs
        .iter()
        .map(|(long, _)| match long.strip_prefix("no-") {
            Some(base) if visible(base) => format!("{base}~"),
            _ if long == "no-filename" => "with-filename~".to_string(),
            _ => long.clone(),
        })
        .collect();
    order.sort();
    let rank = |long: &str| {
        // -e and -f come first, as in ripgrep.
        match long {
            "regexp" => return 0,
            "file" => return 1,
            _ => {}
        }
        let key = match long.strip_prefix("no-") {
            Some(base) if visible(base) => format!("{base}~"),
            _ if long == "no-filename" => "with-filename~".to_string(),
            _ => long.to_string(),
        };
        2 + order
            .iter()
            .position(|k| *k == key)
            .unwrap_or(usize::MAX - 2)
    };
    // clap shows the headings in the order in which arguments first use
    // them, hidden ones included: hidden arguments (never shown) introduce
    // the headings in ripgrep's order before the visible ones need them.
    let mut introduced = 0;
    cmd.mut_args(|arg| {
        let id = arg.get_id().as_str().to_string();
        let Some(long) = arg.get_long().map(str::to_string) else {
            return arg;
        };
        if arg.is_hide_set() {
            let heading = HEADINGS.get(introduced).copied().unwrap_or(OTHER);
            introduced = (introduced + 1).min(HEADINGS.len());
            return arg.help_heading(heading);
        }
        let heading = heading(&id).unwrap_or(OTHER);
        let index = HEADINGS.iter().position(|h| *h == heading).unwrap_or(0);
        introduced = introduced.max(index + 1);
        // Possible values and defaults go into the long help only, so that
        // each flag of -h fits on one line.
        let mut notes = Vec::new();
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        let takes_values = arg.get_action().takes_values();
        if takes_values && !values.is_empty() && !arg.is_hide_possible_values_set() {
            notes.push(format!("Possible values: {}.", values.join(", ")));
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if takes_values && !defaults.is_empty() && !arg.is_hide_default_value_set() {
            notes.push(format!("Default: {}.", defaults.join(", ")));
        }
        let mut arg = arg.help_heading(heading).display_order(rank(&long));
        if let Some(help) = arg.get_help().map(|h| with_period(&h.to_string())) {
            arg = arg.help(help);
        }
        if !notes.is_empty() {
            arg = arg.hide_possible_values(true).hide_default_value(true);
            let text = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            arg = arg.long_help(format!("{text}\n\n{}", notes.join(" ")));
        }
        // The hidden negation that undoes this flag, if any.
        let exists = |name: &str| visible(name) || hidden(name);
        let negation = if let Some(base) = long.strip_prefix("no-") {
            exists(base).then(|| base.to_string())
        } else {
            exists(&format!("no-{long}")).then(|| format!("no-{long}"))
        };
        if let (Some(negation), false) = (negation, arg.is_hide_set()) {
            let text = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            arg = arg.long_help(format!(
                "{text}\n\nThis flag can be disabled with --{negation}."
            ));
        }
        arg
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_valid() {
        command().debug_assert();
    }

    #[test]
    fn every_flag_has_a_heading() {
        let missing: Vec<String> = command()
            .get_arguments()
            .filter(|a| a.get_long().is_some() && !a.is_hide_set())
            .map(|a| a.get_id().to_string())
            .filter(|id| heading(id).is_none())
            .collect();
        assert!(missing.is_empty(), "no heading for {missing:?}");
    }
}
