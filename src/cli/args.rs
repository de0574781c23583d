//! The command line, defined once. Doc comments are the help text; `--help`,
//! the man page and the completions are all generated from this struct.
//!
//! Flags mirror ripgrep's names and meanings. Where ripgrep lets the last of
//! several conflicting flags win (`-i`/`-s`/`-S`, `-n`/`-N`, output modes),
//! `overrides_with` gives the same "last one wins" rule.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

use crate::rules::TypeChange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Never,
    Auto,
    Always,
    Ansi,
}

/// The forms of the command line, as ripgrep lists them (`-h`, `--help`);
/// also the man page's SYNOPSIS, one form per line (`generate`).
pub const USAGE: &str = "trawl [OPTIONS] PATTERN [PATH ...]
       trawl [OPTIONS] -e PATTERN ... [PATH ...]
       trawl [OPTIONS] -f PATTERNFILE ... [PATH ...]
       trawl [OPTIONS] --files [PATH ...]
       trawl [OPTIONS] --type-list
       command | trawl [OPTIONS] PATTERN
       trawl [OPTIONS] --help
       trawl [OPTIONS] --version";

#[derive(Debug, Parser)]
#[command(
    name = "trawl",
    version,
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        "\n\nfeatures: +ordered-output +mmap +json +completions +pcre2 +search-zip"
    ),
    about = "Recursively search files for a regex, in parallel, with deterministic ordered output.",
    override_usage = USAGE,
    args_override_self = true
)]
pub struct Args {
    /// A regular expression, then the files or directories to search.
    ///
    /// When -e or -f is given, every positional argument is a path.
    #[arg(value_name = "PATTERN [PATH]", allow_hyphen_values = false)]
    pub positional: Vec<OsString>,

    /// A pattern to search for.
    ///
    /// Can be given several times, together with -f/--file: a line
    /// matching at least one of the patterns is a match.
    /// Also the way to search for a pattern starting with a dash:
    /// `trawl -e -foo` (as does `trawl -- -foo`). When -e or -f is given,
    /// every positional argument is a path.
    #[arg(short = 'e', long = "regexp", value_name = "PATTERN", action = ArgAction::Append, allow_hyphen_values = true)]
    pub regexp: Vec<String>,

    /// Search for patterns from the given file.
    ///
    /// Read patterns from FILE, one per line ('-' for stdin).
    #[arg(short = 'f', long = "file", value_name = "PATTERNFILE", action = ArgAction::Append)]
    pub file: Vec<PathBuf>,

    /// Treat all patterns as literals.
    ///
    /// Treat patterns as literal strings, not regular expressions.
    #[arg(short = 'F', long, overrides_with = "no_fixed_strings")]
    pub fixed_strings: bool,
    #[arg(long, hide = true)]
    pub no_fixed_strings: bool,

    /// Case insensitive search.
    ///
    /// Search all patterns case insensitively, with Unicode's simple case
    /// folding. A pattern can still ask for case sensitivity with an inline
    /// flag: (?-i)abc matches only abc even with this flag.
    ///
    /// This overrides -s/--case-sensitive and -S/--smart-case.
    #[arg(short = 'i', long, overrides_with_all = ["case_sensitive", "smart_case"])]
    pub ignore_case: bool,

    /// Search case sensitively (default).
    ///
    /// Search all patterns case sensitively; this is the default. A pattern
    /// can still ask for case insensitivity with an inline flag: (?i)abc
    /// matches ABC even with this flag.
    ///
    /// This overrides -i/--ignore-case and -S/--smart-case.
    #[arg(short = 's', long, overrides_with_all = ["ignore_case", "smart_case"])]
    pub case_sensitive: bool,

    /// Smart case search.
    ///
    /// Search case insensitively if the pattern is all lowercase, and case
    /// sensitively otherwise. A pattern is all lowercase when it has at
    /// least one literal character (a\w has one, \w alone has none) and
    /// none of its literals is uppercase in Unicode (foo\pL is all
    /// lowercase, Foo\pL is not).
    ///
    /// This overrides -s/--case-sensitive and -i/--ignore-case.
    #[arg(short = 'S', long, overrides_with_all = ["ignore_case", "case_sensitive"])]
    pub smart_case: bool,

    /// Show matches surrounded by word boundaries.
    ///
    /// Only show matches with a word boundary on each side: the character
    /// before the match (if any) and the one after it (if any) are not word
    /// characters. Unlike surrounding the pattern with \b, the match itself
    /// need not start or end with a word character.
    ///
    /// This overrides -x/--line-regexp.
    #[arg(short = 'w', long, overrides_with = "line_regexp")]
    pub word_regexp: bool,

    /// Show matches surrounded by line boundaries.
    ///
    /// Only show matches that span whole lines.
    #[arg(short = 'x', long, overrides_with = "word_regexp")]
    pub line_regexp: bool,

    /// Invert matching.
    #[arg(short = 'v', long, overrides_with = "no_invert_match")]
    pub invert_match: bool,
    #[arg(long, hide = true)]
    pub no_invert_match: bool,

    /// Use CRLF line terminators (nice for Windows).
    ///
    /// Treat CRLF as a line terminator: '$' matches before "\r\n", and
    /// printed lines, paths and counts end with "\r\n".
    #[arg(long, overrides_with_all = ["no_crlf", "null_data"])]
    pub crlf: bool,

    /// Enable searching across multiple lines.
    ///
    /// The pattern may match "\n"; each file is read whole when the
    /// pattern can match one.
    #[arg(short = 'U', long, overrides_with = "no_multiline")]
    pub multiline: bool,
    #[arg(long, hide = true)]
    pub no_multiline: bool,

    /// Make '.' match line terminators.
    ///
    /// Only with -U: '.' also matches "\n".
    #[arg(long, overrides_with = "no_multiline_dotall")]
    pub multiline_dotall: bool,
    #[arg(long, hide = true)]
    pub no_multiline_dotall: bool,

    /// Search for NUL terminated lines.
    ///
    /// Use NUL as the line terminator instead of "\n" (implies --text).
    #[arg(long, overrides_with_all = ["crlf", "no_null_data"])]
    pub null_data: bool,
    #[arg(long, hide = true)]
    pub no_null_data: bool,

    /// Specify the text encoding of files to search.
    ///
    /// Text encoding of the input: auto (decode files that start with a
    /// UTF-8/UTF-16 byte order mark), none (raw bytes), or a label such as
    /// latin1, utf-16le, shift_jis.
    #[arg(
        short = 'E',
        long,
        value_name = "ENCODING",
        overrides_with = "no_encoding",
        value_parser = encoding_label
    )]
    pub encoding: Option<String>,
    #[arg(long, hide = true)]
    pub no_encoding: bool,

    /// Disable Unicode mode.
    ///
    /// Disable Unicode in patterns: \w, \d, \s, \b and case folding are
    /// ASCII only, and '.' matches any byte but a line terminator.
    /// (--no-pcre2-unicode is ripgrep's deprecated alias.)
    #[arg(long, overrides_with = "unicode", alias = "no-pcre2-unicode")]
    pub no_unicode: bool,
    #[arg(long, hide = true, alias = "pcre2-unicode")]
    pub unicode: bool,

    /// Enable PCRE2 matching.
    ///
    /// PCRE2 handles look-around and backreferences; same as --engine
    /// pcre2.
    #[arg(short = 'P', long, overrides_with_all = ["no_pcre2", "engine", "auto_hybrid_regex", "no_auto_hybrid_regex"])]
    pub pcre2: bool,
    /// Use the default regex engine (same as --engine default).
    #[arg(long, hide = true, overrides_with_all = ["pcre2", "engine", "auto_hybrid_regex", "no_auto_hybrid_regex"])]
    pub no_pcre2: bool,

    /// Specify which regex engine to use.
    ///
    /// default, pcre2, or auto: the default engine unless it cannot
    /// compile the pattern (look-around, backreferences), then PCRE2.
    #[arg(long, value_name = "ENGINE", overrides_with_all = ["pcre2", "no_pcre2", "auto_hybrid_regex", "no_auto_hybrid_regex"])]
    pub engine: Option<EngineArg>,

    /// Deprecated: same as --engine auto.
    #[arg(long, hide = true, overrides_with_all = ["pcre2", "no_pcre2", "engine", "no_auto_hybrid_regex"])]
    pub auto_hybrid_regex: bool,
    /// Deprecated: same as --engine default.
    #[arg(long, hide = true, overrides_with_all = ["pcre2", "no_pcre2", "engine", "auto_hybrid_regex"])]
    pub no_auto_hybrid_regex: bool,

    /// Print the version of PCRE2 that trawl uses.
    ///
    /// Also says whether PCRE2's JIT is available, then exits.
    #[arg(long)]
    pub pcre2_version: bool,
    #[arg(long, hide = true)]
    pub no_crlf: bool,

    /// Show line numbers.
    ///
    /// Lines are numbered from 1. On by default on a terminal.
    #[arg(short = 'n', long, overrides_with = "no_line_number")]
    pub line_number: bool,

    /// Suppress line numbers.
    #[arg(short = 'N', long, overrides_with = "line_number")]
    pub no_line_number: bool,

    /// Print the file path with each matching line.
    ///
    /// Print the file path with each match (default when several files may be searched).
    #[arg(short = 'H', long, overrides_with = "no_filename")]
    pub with_filename: bool,

    /// Never print the path with each matching line.
    #[arg(short = 'I', long, overrides_with = "with_filename")]
    pub no_filename: bool,

    /// Show count of matching lines for each file.
    ///
    /// Print the number of matching lines per file.
    #[arg(short = 'c', long, overrides_with_all = ["count_matches", "files_with_matches", "files_without_match", "json", "files", "type_list", "generate"])]
    pub count: bool,

    /// Show count of every match for each file.
    ///
    /// Print the number of individual matches per file.
    #[arg(long, overrides_with_all = ["count", "files_with_matches", "files_without_match", "json", "files", "type_list", "generate"])]
    pub count_matches: bool,

    /// Print the paths with at least one match.
    ///
    /// Print only the paths of files with at least one match.
    #[arg(short = 'l', long, overrides_with_all = ["count", "count_matches", "files_without_match", "json", "files", "type_list", "generate"])]
    pub files_with_matches: bool,

    /// Print the paths that contain zero matches.
    ///
    /// Print only the paths of files without a match.
    #[arg(long, overrides_with_all = ["count", "count_matches", "files_with_matches", "json", "files", "type_list", "generate"])]
    pub files_without_match: bool,

    /// Print only matched parts of a line.
    ///
    /// Print only the matched parts of a line, each on its own line.
    #[arg(short = 'o', long)]
    pub only_matching: bool,

    /// Do not print anything to stdout.
    ///
    /// Print nothing; exit 0 on the first match.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Limit the number of matching lines.
    ///
    /// Stop searching a file after NUM matching lines.
    #[arg(short = 'm', long, value_name = "NUM")]
    pub max_count: Option<u64>,

    /// Limit the number of matching lines in total.
    ///
    /// Stop after NUM matching lines in total, counted across all files
    /// in walk order: the same NUM results on every run and for any -j
    /// (-m counts per file). As with -m, the last result's after-context
    /// is still printed. With --json, a final `truncated` message before
    /// the summary says where the search stopped.
    #[arg(long, value_name = "NUM")]
    pub max_results: Option<u64>,

    /// Set the approximate number of threads to use.
    ///
    /// Number of worker threads (0: available parallelism, at most 12).
    #[arg(short = 'j', long, value_name = "NUM")]
    pub threads: Option<usize>,

    /// When to use color.
    ///
    /// WHEN is one of never, auto, always, ansi.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// Print matches grouped by each file.
    ///
    /// Print the file path above its matches (default on a terminal).
    #[arg(long, overrides_with = "no_heading")]
    pub heading: bool,

    /// Print the file path on each matching line.
    #[arg(long, overrides_with = "heading")]
    pub no_heading: bool,

    /// Print a NUL byte after file paths.
    ///
    /// Follow each printed path with a NUL byte instead of ':' or a newline.
    #[arg(short = '0', long)]
    pub null: bool,

    /// Show column numbers.
    ///
    /// Show the 1-based byte column of the first match (implies -n).
    #[arg(long, overrides_with = "no_column")]
    pub column: bool,
    #[arg(long, hide = true)]
    pub no_column: bool,

    /// Print the byte offset for each matching line.
    ///
    /// Show the 0-based byte offset of each line (or match with -o).
    #[arg(short = 'b', long, overrides_with = "no_byte_offset")]
    pub byte_offset: bool,
    #[arg(long, hide = true)]
    pub no_byte_offset: bool,

    /// Show NUM lines after each match.
    ///
    /// Context lines get `-` instead of `:` after the line number;
    /// separated groups get a `--` line between them (--context-separator).
    ///
    /// This overrides --passthru and partially overrides -C/--context.
    #[arg(short = 'A', long, value_name = "NUM")]
    pub after_context: Option<usize>,

    /// Show NUM lines before each match.
    ///
    /// Context lines get `-` instead of `:` after the line number;
    /// separated groups get a `--` line between them (--context-separator).
    ///
    /// This overrides --passthru and partially overrides -C/--context.
    #[arg(short = 'B', long, value_name = "NUM")]
    pub before_context: Option<usize>,

    /// Show NUM lines before and after each match.
    ///
    /// The same as -B NUM -A NUM.
    ///
    /// This overrides --passthru. -A/--after-context and -B/--before-context
    /// both take precedence over it, in whatever order they are given:
    /// -A2 -C1 is -A2 -B1.
    #[arg(short = 'C', long, value_name = "NUM")]
    pub context: Option<usize>,

    /// Search hidden files and directories.
    #[arg(short = '.', long, overrides_with = "no_hidden")]
    pub hidden: bool,
    #[arg(long, hide = true)]
    pub no_hidden: bool,

    /// Search binary files as if they were text.
    #[arg(short = 'a', long, overrides_with = "no_text")]
    pub text: bool,
    #[arg(long, hide = true)]
    pub no_text: bool,

    /// Search with memory maps when possible.
    ///
    /// Memory-map every file searched, those found in a walk too, as
    /// ripgrep does with --mmap. By default only files named on the command
    /// line are mapped, when at most 10 paths are given and all are files.
    /// On a map, binary detection looks only at the first 64 KiB and at the
    /// lines printed. A file truncated by another program while it is
    /// mapped can kill trawl (SIGBUS).
    #[arg(long, overrides_with = "no_mmap")]
    pub mmap: bool,

    /// Never use memory maps.
    #[arg(long, overrides_with = "mmap")]
    pub no_mmap: bool,

    /// Search in compressed files.
    ///
    /// Search compressed files (gzip, bzip2, xz, lzma, lz4, brotli, zstd,
    /// .Z), recognised by their names (.gz, .tgz, .bz2, .tbz2, .xz, .txz,
    /// .lzma, .lz4, .br, .zst, .zstd, .Z).
    #[arg(short = 'z', long, overrides_with_all = ["no_search_zip", "pre"])]
    pub search_zip: bool,
    #[arg(long, hide = true, overrides_with = "search_zip")]
    pub no_search_zip: bool,

    /// Search output of COMMAND for each PATH.
    ///
    /// For each file, search what 'COMMAND PATH' writes instead (the file
    /// is also on its stdin). Not for stdin. The last of --pre and -z wins;
    /// an empty COMMAND turns --pre off.
    #[arg(
        long,
        value_name = "COMMAND",
        overrides_with_all = ["no_pre", "search_zip"],
        value_parser = clap::builder::OsStringValueParser::new()
    )]
    pub pre: Option<OsString>,
    #[arg(long, hide = true, overrides_with = "pre")]
    pub no_pre: bool,

    /// Include or exclude files from a preprocessor.
    ///
    /// Run --pre only on files matching GLOB (repeatable; '!GLOB' excludes).
    #[arg(long, value_name = "GLOB", action = ArgAction::Append, allow_hyphen_values = true)]
    pub pre_glob: Vec<String>,

    /// Don't use ignore files.
    ///
    /// Don't respect ignore files (.gitignore, .ignore, .rgignore, .trawlignore, ...).
    #[arg(long, overrides_with = "ignore")]
    pub no_ignore: bool,
    #[arg(long, hide = true)]
    pub ignore: bool,

    /// Don't use ignore files from source control.
    ///
    /// Don't respect version-control ignore files (.gitignore, .git/info/exclude, global).
    #[arg(long, overrides_with = "ignore_vcs")]
    pub no_ignore_vcs: bool,
    #[arg(long, hide = true)]
    pub ignore_vcs: bool,

    /// Don't use .ignore or .rgignore files.
    ///
    /// Don't respect .ignore, .rgignore and .trawlignore files.
    #[arg(long, overrides_with = "ignore_dot")]
    pub no_ignore_dot: bool,
    #[arg(long, hide = true)]
    pub ignore_dot: bool,

    /// Don't use ignore files in parent directories.
    ///
    /// Don't respect ignore files in parent directories of the search paths.
    #[arg(long, overrides_with = "ignore_parent")]
    pub no_ignore_parent: bool,
    #[arg(long, hide = true)]
    pub ignore_parent: bool,

    /// Don't use global ignore files.
    ///
    /// Don't respect the global git ignore file (core.excludesFile).
    #[arg(long, overrides_with = "ignore_global")]
    pub no_ignore_global: bool,
    #[arg(long, hide = true)]
    pub ignore_global: bool,

    /// Don't use local exclusion files.
    #[arg(long, overrides_with = "ignore_exclude")]
    pub no_ignore_exclude: bool,
    #[arg(long, hide = true)]
    pub ignore_exclude: bool,

    /// Don't use --ignore-file arguments.
    #[arg(long, overrides_with = "ignore_files")]
    pub no_ignore_files: bool,
    #[arg(long, hide = true)]
    pub ignore_files: bool,

    /// Use .gitignore outside of git repositories.
    #[arg(long, overrides_with = "require_git")]
    pub no_require_git: bool,
    #[arg(long, hide = true)]
    pub require_git: bool,

    /// Suppress gitignore parse error messages.
    #[arg(long, overrides_with = "ignore_messages")]
    pub no_ignore_messages: bool,

    /// Process ignore files case insensitively.
    ///
    /// Match the globs of ignore files (.gitignore, .ignore, ...)
    /// case-insensitively.
    #[arg(long, overrides_with = "no_ignore_file_case_insensitive")]
    pub ignore_file_case_insensitive: bool,
    #[arg(long, hide = true)]
    pub no_ignore_file_case_insensitive: bool,
    #[arg(long, hide = true)]
    pub ignore_messages: bool,

    /// Specify additional ignore files.
    ///
    /// An extra file of gitignore rules, lowest precedence (repeatable).
    #[arg(long, value_name = "PATH", action = ArgAction::Append)]
    pub ignore_file: Vec<PathBuf>,

    /// Reduce the level of "smart" filtering.
    ///
    /// Reduce filtering: -u = --no-ignore, -uu = also --hidden, -uuu = also --binary.
    #[arg(short = 'u', long = "unrestricted", action = ArgAction::Count)]
    pub unrestricted: u8,

    /// Include or exclude file paths.
    ///
    /// Include or exclude ('!GLOB') files and directories; overrides ignore rules.
    #[arg(short = 'g', long = "glob", value_name = "GLOB", action = ArgAction::Append, allow_hyphen_values = true)]
    pub glob: Vec<String>,

    /// Include/exclude paths case insensitively.
    #[arg(long, value_name = "GLOB", action = ArgAction::Append, allow_hyphen_values = true)]
    pub iglob: Vec<String>,

    /// Process all glob patterns case insensitively.
    #[arg(long, overrides_with = "no_glob_case_insensitive")]
    pub glob_case_insensitive: bool,
    #[arg(long, hide = true)]
    pub no_glob_case_insensitive: bool,

    /// Only search files matching TYPE.
    ///
    /// Only search files of this type (repeatable; see --type-list).
    #[arg(short = 't', long = "type", value_name = "TYPE", action = ArgAction::Append, value_parser = TypeName, hide_possible_values = true)]
    pub type_: Vec<String>,

    /// Do not search files matching TYPE.
    ///
    /// Don't search files of this type (repeatable).
    #[arg(short = 'T', long = "type-not", value_name = "TYPE", action = ArgAction::Append, value_parser = TypeName, hide_possible_values = true)]
    pub type_not: Vec<String>,

    /// Add a new glob for a file type.
    ///
    /// Add a file type: 'name:glob' or 'name:include:other,types'.
    #[arg(long, value_name = "TYPESPEC", action = ArgAction::Append)]
    pub type_add: Vec<String>,

    /// Clear globs for a file type.
    #[arg(long, value_name = "TYPE", action = ArgAction::Append)]
    pub type_clear: Vec<String>,

    /// Show all supported file types.
    #[arg(long, overrides_with_all = ["count", "count_matches", "files_with_matches", "files_without_match", "json", "files", "generate"])]
    pub type_list: bool,

    /// -t, -T, --type-add and --type-clear in command-line order, which
    /// ripgrep applies one by one (a later -t wins over an earlier -T for
    /// the files both match; a clear removes only what was added before).
    #[arg(skip)]
    pub type_changes: Vec<TypeChange>,

    /// Descend at most NUM directories.
    ///
    /// NUM counts from each path given: 0 searches only the files given,
    /// 1 also the files in a directory given, and so on.
    #[arg(short = 'd', long, alias = "maxdepth", value_name = "NUM")]
    pub max_depth: Option<usize>,

    /// Ignore files larger than NUM in size.
    ///
    /// Skip files larger than NUM bytes (suffixes K, M, G).
    #[arg(long, value_name = "NUM+SUFFIX?")]
    pub max_filesize: Option<String>,

    /// Follow symbolic links.
    #[arg(short = 'L', long, overrides_with = "no_follow")]
    pub follow: bool,
    #[arg(long, hide = true)]
    pub no_follow: bool,

    /// Skip directories on other file systems.
    ///
    /// Don't cross file system boundaries below each path.
    #[arg(long, overrides_with = "no_one_file_system")]
    pub one_file_system: bool,
    #[arg(long, hide = true)]
    pub no_one_file_system: bool,

    /// Print each file that would be searched.
    #[arg(long, overrides_with_all = ["count", "count_matches", "files_with_matches", "files_without_match", "json", "type_list", "generate"])]
    pub files: bool,

    /// Build or refresh the index of each PATH (default: .).
    ///
    /// Index each directory tree (default: the current directory) in
    /// $XDG_CACHE_HOME/trawl (else ~/.cache/trawl), or refresh its index,
    /// reading again only the files and directories whose metadata
    /// changed (a refresh that reads few files writes them to a small
    /// delta beside the index instead of writing the whole index again).
    /// Later searches in the tree use it automatically; their output is
    /// always the same as without it (see --no-index).
    #[arg(long)]
    pub build_index: bool,

    /// Don't use an index.
    ///
    /// Read every directory and search every file even where an index
    /// built by --build-index says the directory is unchanged or the file
    /// cannot match. The output never differs; only the time does.
    #[arg(long)]
    pub no_index: bool,

    /// Search binary files.
    ///
    /// Binary files found in a walk are otherwise skipped; with this flag
    /// they are searched, each up to its first match.
    #[arg(long, overrides_with = "no_binary")]
    pub binary: bool,
    #[arg(long, hide = true)]
    pub no_binary: bool,

    /// Show search results in a JSON Lines format.
    ///
    /// Print results as JSON Lines (ripgrep's --json schema).
    #[arg(long, overrides_with_all = ["count", "count_matches", "files_with_matches", "files_without_match", "files", "type_list", "generate", "no_json"])]
    pub json: bool,
    /// `--no-json` only undoes a `--json` (as in ripgrep: after `-c` it
    /// changes nothing).
    #[arg(long, hide = true)]
    pub no_json: bool,

    /// Print results in a vim compatible format.
    ///
    /// Print each match as path:line:column:text (for editors' quickfix lists).
    #[arg(long)]
    pub vimgrep: bool,

    /// Replace matches with the given text.
    ///
    /// Print TEXT in place of each match ($0, $1, ${name}, $$ expand).
    #[arg(short = 'r', long, value_name = "TEXT", allow_hyphen_values = true)]
    pub replace: Option<String>,

    /// Omit lines longer than this limit.
    ///
    /// Omit lines longer than NUM bytes.
    #[arg(short = 'M', long, value_name = "NUM")]
    pub max_columns: Option<usize>,

    /// Show preview for lines exceeding the limit.
    ///
    /// With -M, print the first NUM characters (grapheme clusters) of a long
    /// line instead of omitting it.
    #[arg(long, overrides_with = "no_max_columns_preview")]
    pub max_columns_preview: bool,
    #[arg(long, hide = true)]
    pub no_max_columns_preview: bool,

    /// Trim prefix whitespace from matches.
    ///
    /// Remove leading ASCII whitespace from printed lines.
    #[arg(long, overrides_with = "no_trim")]
    pub trim: bool,
    #[arg(long, hide = true)]
    pub no_trim: bool,

    /// Include zero matches in summary output.
    ///
    /// With -c/--count-matches, also print files with zero matches.
    #[arg(long, overrides_with = "no_include_zero")]
    pub include_zero: bool,
    #[arg(long, hide = true)]
    pub no_include_zero: bool,

    /// Print statistics about the search.
    ///
    /// After the search, print to stdout how many matches and matched lines
    /// there were, how many files contained matches and how many were
    /// searched, the bytes printed and searched, and the time taken. With
    /// --json the statistics are part of the JSON output.
    #[arg(long, overrides_with = "no_stats")]
    pub stats: bool,
    #[arg(long, hide = true)]
    pub no_stats: bool,

    /// Set the path separator for printing paths.
    ///
    /// Separator used in printed paths instead of '/' (a single byte).
    #[arg(long, value_name = "SEP")]
    pub path_separator: Option<String>,

    /// Configure color settings and styles.
    ///
    /// Color settings: '{path,line,column,match,highlight}:{fg,bg,style}:VALUE' or
    /// 'TYPE:none' (highlight: the rest of a matching line).
    #[arg(long, value_name = "COLOR_SPEC", action = ArgAction::Append)]
    pub colors: Vec<String>,

    /// Set the format of hyperlinks.
    ///
    /// Terminal hyperlinks on paths (with colors on): an alias (default,
    /// none, cursor, file, grep+, kitty, macvim, textmate, vscode,
    /// vscode-insiders, vscodium) or a template such as
    /// 'vscode://file{path}:{line}:{column}' ({path} {line} {column} {host}
    /// {wslprefix}).
    #[arg(long, value_name = "FORMAT")]
    pub hyperlink_format: Option<String>,

    /// Run a program to get this system's hostname.
    ///
    /// A program printing the hostname for {host} in hyperlinks (default:
    /// the system's hostname).
    #[arg(
        long,
        value_name = "COMMAND",
        value_parser = clap::builder::OsStringValueParser::new()
    )]
    pub hostname_bin: Option<OsString>,

    /// Sort results in ascending order.
    ///
    /// Sort results ascending: path, modified, accessed, created, none.
    #[arg(long, value_name = "SORTBY", overrides_with = "sortr")]
    pub sort: Option<SortKey>,

    /// Sort results in descending order.
    ///
    /// Sort results descending: path, modified, accessed, created, none.
    #[arg(long, value_name = "SORTBY", overrides_with = "sort")]
    pub sortr: Option<SortKey>,

    /// ripgrep's deprecated spelling of `--sort path`, accepted so that
    /// old scripts keep working (trawl's output is always in path order).
    #[arg(long, hide = true, overrides_with_all = ["no_sort_files", "sort", "sortr"])]
    pub sort_files: bool,
    #[arg(long, hide = true)]
    pub no_sort_files: bool,

    /// Stop searching after a non-match.
    ///
    /// Stop reading a file at the first non-matching line after a match
    /// (for sorted input).
    #[arg(long)]
    pub stop_on_nonmatch: bool,

    /// Print both matching and non-matching lines.
    #[arg(long, alias = "passthrough")]
    pub passthru: bool,

    /// Set the separator for contextual chunks.
    ///
    /// Line printed between non-adjacent context groups (default "--").
    #[arg(
        long,
        value_name = "SEP",
        allow_hyphen_values = true,
        overrides_with = "no_context_separator"
    )]
    pub context_separator: Option<String>,

    /// Print nothing between non-adjacent context groups.
    #[arg(long, overrides_with = "context_separator")]
    pub no_context_separator: bool,

    /// Set the field context separator.
    ///
    /// Separator after path, line and column on context lines (default "-").
    #[arg(long, value_name = "SEP", allow_hyphen_values = true)]
    pub field_context_separator: Option<String>,

    /// Set the field match separator.
    ///
    /// Separator after path, line and column on matching lines (default ":").
    #[arg(long, value_name = "SEP", allow_hyphen_values = true)]
    pub field_match_separator: Option<String>,

    /// Alias for colors, headings and line numbers.
    ///
    /// Alias for --color always --heading --line-number.
    #[arg(short = 'p', long)]
    pub pretty: bool,

    /// Force line buffering.
    ///
    /// Flush output after every line, even when stdout is not a terminal
    /// (on a terminal that is the default). Useful in pipelines:
    /// `tail -f app.log | trawl --line-buffered foo | grep bar`.
    #[arg(long, overrides_with_all = ["block_buffered", "no_line_buffered", "no_block_buffered"])]
    pub line_buffered: bool,

    /// Force block buffering.
    ///
    /// Buffer output even on a terminal.
    #[arg(long, overrides_with_all = ["line_buffered", "no_line_buffered", "no_block_buffered"])]
    pub block_buffered: bool,
    /// `--no-line-buffered` and `--no-block-buffered` both go back to the
    /// default (line buffered on a terminal only), whichever flag came
    /// before, as in ripgrep.
    #[arg(long, hide = true, overrides_with = "no_block_buffered")]
    pub no_line_buffered: bool,
    #[arg(long, hide = true)]
    pub no_block_buffered: bool,

    /// Generate man pages and completion scripts.
    ///
    /// Print a man page or a shell completion script, then exit.
    #[arg(long, value_name = "KIND", overrides_with_all = ["count", "count_matches", "files_with_matches", "files_without_match", "json", "files", "type_list"])]
    pub generate: Option<GenerateKind>,

    /// Never read configuration files.
    ///
    /// Don't read the config file named by TRAWL_CONFIG_PATH or
    /// RIPGREP_CONFIG_PATH.
    #[arg(long)]
    pub no_config: bool,

    /// Show debug messages.
    ///
    /// Explain on stderr why paths are skipped and how the pattern is searched.
    #[arg(long)]
    pub debug: bool,

    /// Show trace messages.
    ///
    /// Like --debug, and also report every path considered.
    #[arg(long)]
    pub trace: bool,

    /// Show a progress line on stderr.
    ///
    /// For long searches on a terminal: auto (after a second), always or
    /// never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub progress: ProgressChoice,

    /// Suppress some error messages.
    ///
    /// Suppress errors about files that cannot be opened or read.
    #[arg(long, overrides_with = "messages")]
    pub no_messages: bool,
    #[arg(long, hide = true)]
    pub messages: bool,

    /// The size limit of the compiled regex.
    ///
    /// Size limit of the compiled regex (suffixes K, M, G; default 100M).
    #[arg(long, value_name = "NUM+SUFFIX?")]
    pub regex_size_limit: Option<String>,

    /// The upper size limit of the regex DFA.
    ///
    /// Size limit of the regex's lazy DFA cache (suffixes K, M, G; default 1000M).
    #[arg(long, value_name = "NUM+SUFFIX?")]
    pub dfa_size_limit: Option<String>,
}

impl Args {
    /// Parses a full argument list (argv[0] first). Beyond clap's "last
    /// one wins" between a flag and its negation, this applies ripgrep's
    /// order rules for flags that set several others (`apply_order`): `-u`
    /// (= `--no-ignore`, then `--hidden`, then `--binary`),
    /// `--no-ignore`/`--ignore` (all five `--no-ignore-*` switches), `-p`
    /// and `--passthru` are overridden by any later flag setting one of
    /// their settings, and override any earlier one.
    pub fn parse_from<I, T>(argv: I) -> Result<Args, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use clap::FromArgMatches;
        // A flag's value is the next argument whatever it looks like, as in
        // ripgrep: `-m -1` is a bad number, not an unknown flag `-1`.
        let cmd = super::help::command().mut_args(|arg| {
            if arg.get_long().is_some() && arg.get_action().takes_values() {
                arg.allow_hyphen_values(true)
            } else {
                arg
            }
        });
        // `--version` also says whether PCRE2 and its JIT are there, which
        // is only known at run time.
        let long_version = format!(
            "{}\n\n{}",
            cmd.get_long_version().unwrap_or_default(),
            crate::search::pcre::version_line()
        );
        let matches = cmd.long_version(long_version).try_get_matches_from(argv)?;
        let mut args = Args::from_arg_matches(&matches)?;
        if args.unrestricted > 3 {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                "error parsing flag -u: flag can only be repeated up to 3 times",
            ));
        }
        args.apply_order(&matches);
        Ok(args)
    }

    /// Replays, in command-line order, the flags clap's pairwise
    /// `overrides_with` cannot order (see `Ordered`): each sets the
    /// settings it sets in ripgrep, so the last flag to set one wins.
    fn apply_order(&mut self, matches: &clap::ArgMatches) {
        self.type_changes = self.ordered_type_changes(matches);
        // What clap kept for the flags with a value: the last one given.
        let (color, after, before, context) = (
            self.color,
            self.after_context,
            self.before_context,
            self.context,
        );
        let mut unrestricted = 0;
        for flag in Ordered::on_command_line(matches, self.unrestricted) {
            match flag {
                Ordered::Unrestricted => {
                    unrestricted += 1;
                    match unrestricted {
                        1 => self.set_no_ignore(true),
                        2 => self.hidden = true,
                        _ => self.set_binary_mode(false, true),
                    }
                }
                Ordered::NoIgnore => self.set_no_ignore(true),
                Ordered::Ignore => self.set_no_ignore(false),
                Ordered::NoIgnoreDot => self.no_ignore_dot = true,
                Ordered::IgnoreDot => self.no_ignore_dot = false,
                Ordered::NoIgnoreExclude => self.no_ignore_exclude = true,
                Ordered::IgnoreExclude => self.no_ignore_exclude = false,
                Ordered::NoIgnoreGlobal => self.no_ignore_global = true,
                Ordered::IgnoreGlobal => self.no_ignore_global = false,
                Ordered::NoIgnoreParent => self.no_ignore_parent = true,
                Ordered::IgnoreParent => self.no_ignore_parent = false,
                Ordered::NoIgnoreVcs => self.no_ignore_vcs = true,
                Ordered::IgnoreVcs => self.no_ignore_vcs = false,
                Ordered::Hidden => self.hidden = true,
                Ordered::NoHidden => self.hidden = false,
                // -a, --binary, --no-text and --no-binary set one mode in
                // ripgrep: `-a --binary` is --binary.
                Ordered::Text => self.set_binary_mode(true, false),
                Ordered::Binary => self.set_binary_mode(false, true),
                Ordered::NoText | Ordered::NoBinary => self.set_binary_mode(false, false),
                // -p sets three settings, each of which a later flag may set
                // again (`-p --no-heading`, `-p --color=never`, `-p -N`).
                Ordered::Pretty => {
                    self.color = ColorChoice::Always;
                    (self.heading, self.no_heading) = (true, false);
                    (self.line_number, self.no_line_number) = (true, false);
                }
                Ordered::Color => self.color = color,
                Ordered::Heading => (self.heading, self.no_heading) = (true, false),
                Ordered::NoHeading => (self.heading, self.no_heading) = (false, true),
                Ordered::LineNumber => (self.line_number, self.no_line_number) = (true, false),
                Ordered::NoLineNumber => {
                    (self.line_number, self.no_line_number) = (false, true);
                }
                // --passthru is a context mode in ripgrep: a later -A/-B/-C
                // ends it, and a later --passthru ends any context.
                Ordered::Passthru => {
                    self.passthru = true;
                    (self.after_context, self.before_context, self.context) = (None, None, None);
                }
                Ordered::AfterContext => (self.passthru, self.after_context) = (false, after),
                Ordered::BeforeContext => (self.passthru, self.before_context) = (false, before),
                Ordered::Context => (self.passthru, self.context) = (false, context),
            }
        }
        // Replayed into the settings they set.
        self.no_ignore = false;
        self.pretty = false;
    }

    /// `--no-ignore` and `--ignore`: all five `--no-ignore-*` switches.
    fn set_no_ignore(&mut self, on: bool) {
        self.no_ignore_dot = on;
        self.no_ignore_exclude = on;
        self.no_ignore_global = on;
        self.no_ignore_parent = on;
        self.no_ignore_vcs = on;
    }

    fn set_binary_mode(&mut self, text: bool, binary: bool) {
        (self.text, self.binary) = (text, binary);
    }
}

/// The flags whose order `Args::apply_order` replays: those that set
/// several settings (`-u`, `--no-ignore`, `-p`, `--passthru`) and those
/// setting one of the same settings. Other "last one wins" rules, the
/// output mode among them (-c, --count-matches, -l, --files-without-match,
/// --json, --files, --type-list, --generate), are clap's `overrides_with`.
macro_rules! ordered_flags {
    ($($flag:ident = $id:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Ordered {
            $($flag,)*
        }

        impl Ordered {
            const ALL: &[Ordered] = &[$(Ordered::$flag,)*];

            /// The clap id of the flag: its field in `Args` (checked by a
            /// test).
            fn id(self) -> &'static str {
                match self {
                    $(Ordered::$flag => $id,)*
                }
            }
        }
    };
}

ordered_flags! {
    Unrestricted = "unrestricted",
    NoIgnore = "no_ignore",
    Ignore = "ignore",
    NoIgnoreDot = "no_ignore_dot",
    IgnoreDot = "ignore_dot",
    NoIgnoreExclude = "no_ignore_exclude",
    IgnoreExclude = "ignore_exclude",
    NoIgnoreGlobal = "no_ignore_global",
    IgnoreGlobal = "ignore_global",
    NoIgnoreParent = "no_ignore_parent",
    IgnoreParent = "ignore_parent",
    NoIgnoreVcs = "no_ignore_vcs",
    IgnoreVcs = "ignore_vcs",
    Hidden = "hidden",
    NoHidden = "no_hidden",
    Text = "text",
    NoText = "no_text",
    Binary = "binary",
    NoBinary = "no_binary",
    Pretty = "pretty",
    Color = "color",
    Heading = "heading",
    NoHeading = "no_heading",
    LineNumber = "line_number",
    NoLineNumber = "no_line_number",
    Passthru = "passthru",
    AfterContext = "after_context",
    BeforeContext = "before_context",
    Context = "context",
}

impl Ordered {
    /// Each occurrence on the command line (not from a default) that clap
    /// kept, in order. `-uu` is one index for `unrestricted` occurrences.
    fn on_command_line(matches: &clap::ArgMatches, unrestricted: u8) -> Vec<Ordered> {
        let mut events: Vec<(usize, Ordered)> = Vec::new();
        for &flag in Ordered::ALL {
            if matches.value_source(flag.id()) != Some(clap::parser::ValueSource::CommandLine) {
                continue;
            }
            let at = matches.indices_of(flag.id()).into_iter().flatten();
            events.extend(at.map(|i| (i, flag)));
        }
        let u: Vec<usize> = events
            .iter()
            .filter(|(_, flag)| *flag == Ordered::Unrestricted)
            .map(|(i, _)| *i)
            .collect();
        if let Some(&last) = u.last() {
            let missing = usize::from(unrestricted).saturating_sub(u.len());
            events.extend(std::iter::repeat_n((last, Ordered::Unrestricted), missing));
        }
        // Stable: the occurrences of `-uu` stay together.
        events.sort_by_key(|(i, _)| *i);
        events.into_iter().map(|(_, flag)| flag).collect()
    }
}

/// `-E`: checked while parsing, so that the error names the flag as it
/// was typed (`error parsing flag -E: ...`, as in ripgrep).
fn encoding_label(label: &str) -> Result<String, String> {
    match label {
        "auto" | "none" => Ok(label.to_string()),
        _ if encoding_rs::Encoding::for_label(label.as_bytes()).is_some() => Ok(label.to_string()),
        _ => Err(format!("grep config error: unknown encoding: {label}")),
    }
}

impl Args {
    fn ordered_type_changes(&self, matches: &clap::ArgMatches) -> Vec<TypeChange> {
        let mut changes: Vec<(usize, TypeChange)> = Vec::new();
        let mut take = |id: &str, values: &[String], change: fn(String) -> TypeChange| {
            let indices = matches.indices_of(id).into_iter().flatten();
            changes.extend(indices.zip(values).map(|(i, v)| (i, change(v.clone()))));
        };
        take("type_", &self.type_, TypeChange::Select);
        take("type_not", &self.type_not, TypeChange::Negate);
        take("type_add", &self.type_add, TypeChange::Add);
        take("type_clear", &self.type_clear, TypeChange::Clear);
        changes.sort_by_key(|(i, _)| *i);
        changes.into_iter().map(|(_, change)| change).collect()
    }
}

/// Accepts any type name (--type-add can define new ones) but offers the
/// built-in names to shell completions.
#[derive(Debug, Clone, Copy)]
pub struct TypeName;

impl clap::builder::TypedValueParser for TypeName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let mut builder = ignore::types::TypesBuilder::new();
        builder.add_defaults();
        let names: Vec<String> = builder
            .definitions()
            .iter()
            .map(|d| d.name().to_string())
            .collect();
        Some(Box::new(
            names.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateKind {
    Man,
    CompleteBash,
    CompleteZsh,
    CompleteFish,
    CompletePowershell,
    CompleteElvish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Default,
    Pcre2,
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    None,
    Path,
    Modified,
    Accessed,
    Created,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_valid() {
        Args::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("trawl").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn flags_parse_like_ripgrep() {
        assert_eq!(parse(&["-j5", "x"]).threads, Some(5));
        assert_eq!(parse(&["-j", "5", "x"]).threads, Some(5));
        assert_eq!(parse(&["-j1", "-j3", "x"]).threads, Some(3));
        let args = parse(&["-n", "-N", "x"]);
        assert!(args.no_line_number && !args.line_number);
        let args = parse(&["--heading", "--no-heading", "x"]);
        assert!(args.no_heading && !args.heading);
        let args = parse(&["-i", "-s", "x"]);
        assert!(args.case_sensitive && !args.ignore_case);
        assert_eq!(parse(&["-uuu", "x"]).unrestricted, 3);
        assert_eq!(parse(&["-e", "-dash"]).regexp, vec!["-dash".to_string()]);
        assert_eq!(parse(&["-tcustom", "x"]).type_, vec!["custom".to_string()]);
    }

    /// With `apply_order`, as the program parses.
    fn parse_in_order(args: &[&str]) -> Args {
        Args::parse_from(std::iter::once("trawl").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn ordered_flags_are_args() {
        let cmd = Args::command();
        let mut ids: Vec<&str> = Ordered::ALL.iter().map(|f| f.id()).collect();
        for id in &ids {
            assert!(cmd.get_arguments().any(|a| a.get_id() == *id), "{id}");
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Ordered::ALL.len());
    }

    #[test]
    fn flags_setting_several_settings_replay_in_order() {
        let args = parse_in_order(&["-u", "--ignore-dot", "x"]);
        assert!(!args.no_ignore_dot && args.no_ignore_vcs && args.no_ignore_parent);
        let args = parse_in_order(&["--ignore-vcs", "--no-ignore", "x"]);
        assert!(args.no_ignore_vcs && !args.no_ignore);
        let args = parse_in_order(&["--no-ignore-vcs", "--ignore", "x"]);
        assert!(!args.no_ignore_vcs);
        let args = parse_in_order(&["-uu", "--no-hidden", "x"]);
        assert!(!args.hidden && args.no_ignore_global);
        assert!(parse_in_order(&["--no-hidden", "-u", "-u", "x"]).hidden);
        let args = parse_in_order(&["-a", "--binary", "x"]);
        assert!(args.binary && !args.text);
        let args = parse_in_order(&["-uuu", "-a", "x"]);
        assert!(!args.binary && args.text);
        let args = parse_in_order(&["-a", "-uuu", "x"]);
        assert!(args.binary && !args.text);
        let args = parse_in_order(&["--binary", "--no-text", "x"]);
        assert!(!args.binary && !args.text);

        let args = parse_in_order(&["-p", "--no-heading", "x"]);
        assert!(args.color == ColorChoice::Always && args.no_heading && !args.heading);
        assert!(args.line_number && !args.pretty);
        let args = parse_in_order(&["--color", "never", "-N", "-p", "x"]);
        assert!(args.color == ColorChoice::Always && args.line_number && !args.no_line_number);
        let args = parse_in_order(&["-p", "--color", "never", "x"]);
        assert!(args.color == ColorChoice::Never && args.heading);

        let args = parse_in_order(&["-A2", "--passthru", "-B1", "x"]);
        assert!(!args.passthru && args.after_context.is_none());
        assert_eq!(args.before_context, Some(1));
        let args = parse_in_order(&["-C3", "--passthru", "x"]);
        assert!(args.passthru && args.context.is_none());
    }

    #[test]
    fn output_modes_last_one_wins() {
        let args = parse_in_order(&["-c", "--json", "--no-json", "x"]);
        assert!(!args.count && !args.json);
        let args = parse_in_order(&["--json", "-c", "--no-json", "x"]);
        assert!(args.count && !args.json);
        let args = parse_in_order(&["--files", "-l", "x"]);
        assert!(args.files_with_matches && !args.files);
        let args = parse_in_order(&["-l", "--files"]);
        assert!(!args.files_with_matches && args.files);
        let args = parse_in_order(&["--type-list", "--generate", "man", "--json"]);
        assert!(args.json && !args.type_list && args.generate.is_none());
        let args = parse_in_order(&["--json", "--type-list"]);
        assert!(!args.json && args.type_list);
    }

    #[test]
    fn engine_flags_last_one_wins() {
        let args = parse(&["-P", "--engine", "auto", "x"]);
        assert!(!args.pcre2 && args.engine == Some(EngineArg::Auto));
        let args = parse(&["--engine", "auto", "-P", "x"]);
        assert!(args.pcre2 && args.engine.is_none());
        let args = parse(&["-P", "--no-pcre2", "x"]);
        assert!(!args.pcre2 && args.no_pcre2);
        let args = parse(&["-P", "--auto-hybrid-regex", "x"]);
        assert!(!args.pcre2 && args.auto_hybrid_regex);
        assert!(parse(&["--no-pcre2-unicode", "x"]).no_unicode);
    }
}
