//! Args → Config: everything validated and built once on the main thread
//! (the regex, rules, thread count, output format), then shared by
//! reference with every thread. A bad pattern fails here, before any
//! thread starts.

use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use super::args::{Args, ColorChoice, EngineArg, ProgressChoice, SortKey};
use crate::output::OutputOptions;
use crate::printer::hyperlink::Hyperlinks;
use crate::printer::{Colors, OutputMode, PrintOptions};
use crate::rules::{IgnoreOptions, RuleSpec, Rules};
use crate::search::matcher::{DEFAULT_DFA_SIZE_LIMIT, DEFAULT_SIZE_LIMIT};
use crate::search::source::{Preprocessor, ReadPolicy, MMAP_MAX_PATHS};
use crate::search::{CaseMode, EngineChoice, Matcher, MatcherOptions, SearchOptions, TextEncoding};
use crate::stats::Stats;
use crate::walk::{SearchPath, WalkOptions};

pub struct Config {
    pub matcher: Matcher,
    pub paths: Vec<SearchPath>,
    pub rules: Rules,
    pub walk: WalkOptions,
    pub threads: usize,
    pub search: SearchOptions,
    pub print: PrintOptions,
    pub output: OutputOptions,
    pub read_policy: ReadPolicy,
    pub text: bool,
    /// --binary: search binary files found in a walk too.
    pub binary: bool,
    pub quiet: bool,
    /// --max-results: matching lines in total, in walk order.
    pub max_results: Option<u64>,
    /// --files: list what would be searched.
    pub files: bool,
    /// False when no line can match: no pattern at all (`-f /dev/null`)
    /// without -v, or `-m 0`. ripgrep then searches nothing and exits 1.
    pub matches_possible: bool,
    /// What to print after the results (--stats, --json summary).
    pub stats: Option<StatsFormat>,
    pub stats_totals: Stats,
    pub started: Instant,
    /// Progress line on stderr: Some(true) at once, Some(false) after a
    /// second, None never.
    pub progress: Option<bool>,
    /// --build-index: index the paths instead of searching them.
    pub build_index: bool,
    /// The index this search uses (set after the Config is built).
    pub index: Option<std::sync::Arc<crate::index::Use>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    Human,
    Json,
}

impl Config {
    pub fn from_args(args: Args) -> Result<Config, String> {
        let (patterns, positional_paths) = patterns_and_paths(&args)?;
        let case = if args.ignore_case {
            CaseMode::Insensitive
        } else if args.smart_case {
            CaseMode::Smart
        } else {
            CaseMode::Sensitive
        };
        let matcher_opts = MatcherOptions {
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
            engine: engine_choice(&args),
            size_limit: size_arg(args.regex_size_limit.as_deref(), DEFAULT_SIZE_LIMIT)
                .map_err(flag_error("regex-size-limit"))?,
            dfa_size_limit: size_arg(args.dfa_size_limit.as_deref(), DEFAULT_DFA_SIZE_LIMIT)
                .map_err(flag_error("dfa-size-limit"))?,
        };
        let matcher = Matcher::new(&patterns, &matcher_opts)?;
        crate::messages::debug(format_args!("pattern search: {}", matcher.strategy()));
        let rules = build_rules(&args)?;
        let walk = WalkOptions {
            max_depth: args.max_depth,
            max_filesize: args
                .max_filesize
                .as_deref()
                .map(parse_size)
                .transpose()
                .map_err(flag_error("max-filesize"))?,
            follow_links: args.follow,
            one_file_system: args.one_file_system,
            sort: None,
            deferred_errors: args.quiet.then(Default::default),
            listers: 0,
            listings: None,
        };

        let stdout_tty = io::stdout().is_terminal();
        // As in ripgrep: patterns read from stdin (`-f -`) leave nothing to
        // search there, and --files never reads stdin.
        let stdin_consumed = args.file.iter().any(|f| f == Path::new("-"));
        if stdin_consumed
            && positional_paths
                .iter()
                .any(|p| matches!(p, SearchPath::Stdin))
        {
            return Err(
                "error: attempted to read patterns from stdin while also searching stdin".into(),
            );
        }
        let paths = if !positional_paths.is_empty() {
            positional_paths
        } else if !stdin_consumed && !args.files && stdin_is_readable() {
            crate::messages::debug(format_args!("heuristic chose to search stdin"));
            vec![SearchPath::Stdin]
        } else {
            crate::messages::debug(format_args!("heuristic chose to search ./"));
            vec![SearchPath::ImplicitCwd]
        };
        let only_stdin = paths.iter().all(|p| matches!(p, SearchPath::Stdin));
        // A directory to walk, rather than only files named (or stdin).
        let walks = paths.iter().any(|p| match p {
            SearchPath::Given(path) => path.is_dir(),
            SearchPath::ImplicitCwd => true,
            SearchPath::Stdin => false,
        });
        // -H and -I (the last given wins) override --vimgrep's filenames,
        // as in ripgrep.
        let with_filename = if args.with_filename {
            true
        } else if args.no_filename {
            false
        } else {
            args.vimgrep || paths.len() > 1 || walks
        };

        let human_stats = args.stats && !args.no_stats;
        let mode = if args.quiet && (args.json || human_stats) {
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
        };
        let json = mode == OutputMode::Json;

        let column = (args.column || args.vimgrep) && !args.no_column;
        // -N, when not overridden by a later -n, wins over what implies line
        // numbers (--column, --vimgrep, --json), as in ripgrep: `--json
        // -N` gives `"line_number":null`, `--column -N` prints `COL:text`.
        let line_number = if args.no_line_number {
            false
        } else if args.line_number || column || args.vimgrep || json {
            true
        } else {
            stdout_tty && !only_stdin
        };
        let heading = if args.vimgrep || json {
            false
        } else if args.heading {
            true
        } else if args.no_heading {
            false
        } else {
            stdout_tty
        };
        // Without filenames (-I), headings still separate the files with a
        // blank line, as in ripgrep; only the path lines are left out.
        let colors = match args.color {
            ColorChoice::Always | ColorChoice::Ansi => !json,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && terminal_wants_color() && !json,
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
        let colors = colors.then_some(palette);

        let after = args.after_context.or(args.context).unwrap_or(0);
        let before = args.before_context.or(args.context).unwrap_or(0);
        let (after, before) = if args.passthru {
            (0, 0)
        } else {
            (after, before)
        };
        let context_break = if args.no_context_separator {
            None
        } else {
            Some(unescape(args.context_separator.as_deref().unwrap_or("--")))
        };
        // --passthru prints every line: no groups, so no `--` between files.
        let has_context = before > 0 || after > 0;
        // `--json -q` still ends with the summary message, as in ripgrep.
        let stats = if args.json {
            Some(StatsFormat::Json)
        } else if human_stats {
            Some(StatsFormat::Human)
        } else {
            None
        };

        let search = SearchOptions {
            invert: args.invert_match,
            before,
            after,
            passthru: args.passthru,
            // No file can give more than the global limit.
            max_count: match (args.max_count, args.max_results) {
                (Some(m), Some(n)) => Some(m.min(n)),
                (m, n) => m.or(n),
            },
            line_numbers: line_number && matches!(mode, OutputMode::Standard | OutputMode::Json),
            stop_on_nonmatch: args.stop_on_nonmatch,
            encoding: text_encoding(args.encoding.as_deref())?,
            terminator: if args.null_data { 0 } else { b'\n' },
        };
        let path_separator = match args.path_separator.as_deref() {
            None => None,
            Some(sep) => match unescape(sep).as_slice() {
                // Empty: the default, as in ripgrep.
                [] => None,
                [byte] => Some(*byte),
                bytes => {
                    return Err(flag_error("path-separator")(format!(
                        "A path separator must be exactly one byte, but the given separator \
                         is {} bytes: {sep}\nIn some shells on Windows '/' is automatically \
                         expanded. Use '//' instead.",
                        bytes.len()
                    )))
                }
            },
        };
        let print = PrintOptions {
            mode,
            with_filename,
            heading,
            line_number,
            column,
            byte_offset: args.byte_offset,
            only_matching: args.only_matching,
            vimgrep: args.vimgrep,
            null: args.null,
            colors,
            match_separator: unescape(args.field_match_separator.as_deref().unwrap_or(":")),
            context_separator: unescape(args.field_context_separator.as_deref().unwrap_or("-")),
            context_break: context_break.clone(),
            replace: args.replace.as_ref().map(|r| r.as_bytes().to_vec()),
            max_columns: args.max_columns.filter(|&n| n > 0),
            max_columns_preview: args.max_columns_preview,
            trim: args.trim,
            include_zero: args.include_zero,
            files_without_match: args.files_without_match,
            path_separator,
            count_matches: stats.is_some(),
            escape_control: stdout_tty,
            crlf: args.crlf,
            hyperlinks,
            null_data: args.null_data,
        };
        // Lines ripgrep makes up end with "\r\n" under --crlf (as its
        // single-threaded printer does; its parallel one writes "\n" between
        // files).
        let eol = print.eol();
        let file_separator = match (mode, heading, has_context) {
            (OutputMode::Standard, true, _) => Some(eol.to_vec()),
            (OutputMode::Standard, false, true) => context_break.map(|mut sep| {
                sep.extend_from_slice(eol);
                sep
            }),
            _ => None,
        };
        let output = OutputOptions {
            file_separator,
            line_buffered: (stdout_tty || args.line_buffered) && !args.block_buffered,
            block_buffered: args.block_buffered,
            stdout_is_tty: stdout_tty,
        };
        // `always` draws even when stderr is not a terminal.
        let progress = match args.progress {
            _ if json || args.quiet || args.files => None,
            ProgressChoice::Never => None,
            // Where stdout is not the terminal, a program reading it (fzf,
            // less) may be drawing there.
            ProgressChoice::Auto if !stdout_tty || !io::stderr().is_terminal() => None,
            ProgressChoice::Auto => Some(false),
            ProgressChoice::Always => Some(true),
        };

        let threads = match args.threads {
            Some(n) if n > 0 => n,
            _ => std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(12),
        };
        // Files named on the command line are all there is to search: a
        // worker more than there are files is a thread started for nothing
        // (0.3 ms of a one-file search).
        let threads = if walks {
            threads
        } else {
            threads.min(paths.len())
        };
        let threads = fit_threads_to_file_limit(threads);
        crate::messages::debug(format_args!(
            "searching with {threads} worker {}",
            plural(threads, "thread", "threads")
        ));
        let sort = match (args.sort, args.sortr) {
            (Some(key), _) if key != SortKey::None => Some((key, false)),
            (_, Some(key)) if key != SortKey::None => Some((key, true)),
            _ if args.sort_files => Some((SortKey::Path, false)),
            _ => None,
        };
        // Listing threads: none at -j1; else one per thread, the walker's
        // directory and theirs (one each) within WALK_OPEN_DIRS.
        let listers = match threads {
            1 => 0,
            _ => threads.min(WALK_OPEN_DIRS - 1),
        };
        let walk = WalkOptions {
            sort,
            listers,
            ..walk
        };
        let read_policy = ReadPolicy {
            // ripgrep's choice, which decides what binary detection sees
            // (see search::source).
            mmap: !args.no_mmap
                && (args.mmap
                    || paths.len() <= MMAP_MAX_PATHS
                        && paths.iter().all(|p| match p {
                            SearchPath::Given(path) => path.is_file(),
                            _ => false,
                        })),
            mmap_walked: args.mmap,
            search_zip: args.search_zip,
            preprocessor: preprocessor(&args)?,
        };
        Ok(Config {
            matcher,
            paths,
            rules,
            walk,
            threads,
            search,
            print,
            output,
            read_policy,
            // --null-data implies --text, as in ripgrep.
            text: args.text || args.null_data,
            binary: args.binary,
            quiet: args.quiet,
            max_results: args.max_results,
            files: args.files,
            matches_possible: (!patterns.is_empty() || args.invert_match)
                && args.max_count != Some(0),
            stats,
            stats_totals: Stats::default(),
            progress,
            started: Instant::now(),
            build_index: args.build_index,
            index: None,
        })
    }
}

/// `--pre COMMAND` (an empty COMMAND turns it off, as in ripgrep) and
/// its `--pre-glob`s, matched like `-g` globs.
fn preprocessor(args: &Args) -> Result<Option<Preprocessor>, String> {
    let Some(command) = args.pre.clone().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let command = std::path::PathBuf::from(command);
    let cwd = std::env::current_dir().map_err(|error| format!("current directory: {error}"))?;
    let mut globs = ignore::overrides::OverrideBuilder::new(cwd);
    for glob in &args.pre_glob {
        globs
            .add(glob)
            .map_err(|error| format!("--pre-glob {glob:?}: {error}"))?;
    }
    let globs = globs
        .build()
        .map_err(|error| format!("--pre-glob: {error}"))?;
    Ok(Some(Preprocessor { command, globs }))
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

/// Patterns come from -e and -f; without either, the first positional
/// argument is the pattern and the rest are paths.
fn patterns_and_paths(args: &Args) -> Result<(Vec<String>, Vec<SearchPath>), String> {
    let mut patterns = args.regexp.clone();
    for file in &args.file {
        patterns.extend(read_pattern_file(file)?);
    }
    let mut positional = args.positional.iter();
    if args.regexp.is_empty() && args.file.is_empty() && !args.files && !args.build_index {
        let Some(pattern) = positional.next() else {
            return Err("trawl requires at least one pattern to execute a search".into());
        };
        let pattern = pattern
            .to_str()
            .ok_or_else(|| format!("pattern is not valid UTF-8: {:?}", pattern))?;
        patterns.push(pattern.to_string());
    }
    let paths = positional
        .map(|p| {
            if p == "-" {
                SearchPath::Stdin
            } else {
                SearchPath::Given(p.into())
            }
        })
        .collect();
    Ok((patterns, paths))
}

fn read_pattern_file(path: &Path) -> Result<Vec<String>, String> {
    let mut text = String::new();
    let result = if path == Path::new("-") {
        io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    result.map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(text.lines().map(str::to_string).collect())
}

/// ripgrep's rule: search stdin when it is a file, FIFO or socket, never
/// when it is a terminal or a character device such as /dev/null.
fn stdin_is_readable() -> bool {
    use std::os::unix::fs::FileTypeExt;
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    let Ok(meta) = std::fs::metadata("/dev/stdin") else {
        return false;
    };
    let kind = meta.file_type();
    kind.is_file() || kind.is_fifo() || kind.is_socket()
}

/// `--color auto` on a terminal: not with NO_COLOR, nor TERM unset or dumb.
fn terminal_wants_color() -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    match std::env::var_os("TERM") {
        None => false,
        Some(term) => term != "dumb",
    }
}

fn build_rules(args: &Args) -> Result<Rules, String> {
    let ignore = IgnoreOptions {
        vcs: !args.no_ignore_vcs,
        dot: !args.no_ignore_dot,
        parents: !args.no_ignore_parent,
        global: !args.no_ignore_global,
        exclude: !args.no_ignore_exclude,
        require_git: !args.no_require_git,
        // As in ripgrep, --no-messages hides ignore file errors too.
        messages: !args.no_ignore_messages && !args.no_messages,
        case_insensitive: args.ignore_file_case_insensitive,
    };
    let no_ignore_files: &[std::path::PathBuf] = &[];
    Rules::new(RuleSpec {
        hidden: args.hidden,
        ignore,
        globs: &args.glob,
        iglobs: &args.iglob,
        glob_case_insensitive: args.glob_case_insensitive,
        type_changes: &args.type_changes,
        ignore_files: if args.no_ignore_files {
            no_ignore_files
        } else {
            &args.ignore_file
        },
    })
}

/// `NUM[K|M|G]`, as ripgrep's size flags take, with its messages.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, multiplier) = match text.as_bytes().last() {
        Some(b'K') => (&text[..text.len() - 1], 1u64 << 10),
        Some(b'M') => (&text[..text.len() - 1], 1 << 20),
        Some(b'G') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "invalid size: invalid format for size '{text}', which should be a non-empty \
             sequence of digits followed by an optional 'K', 'M' or 'G' suffix"
        ));
    }
    let number: u64 = digits
        .parse()
        .map_err(|e| format!("invalid size: invalid integer found in size '{text}': {e}"))?;
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("invalid size: size too big in '{text}'"))
}

/// ripgrep's "error parsing flag --NAME: " before a flag value's error.
fn flag_error(flag: &str) -> impl Fn(String) -> String + '_ {
    move |error| format!("error parsing flag --{flag}: {error}")
}

/// Directory handles the walk may keep open: the walker's and one per
/// listing thread (a listing holds one directory open while it reads it).
pub const WALK_OPEN_DIRS: usize = 8;
/// Handles needed besides workers and walker: stdin, stdout, stderr, an
/// ignore file being read, and slack for the runtime.
const RESERVED_HANDLES: usize = 8;

/// Each worker searches one open file at a time (its spill files take
/// only what the limit leaves, see `run::spill`). If `ulimit -n` cannot cover
/// the requested workers plus the walker's directories, run fewer workers
/// (and say so once) instead of failing with "Too many open files".
/// Workers beyond this only cost memory (a stack and a search window
/// each) and contention, whatever the machine: `-j 100000` used to abort
/// when the system refused the threads.
const MAX_THREADS: usize = 256;

fn fit_threads_to_file_limit(threads: usize) -> usize {
    if threads > MAX_THREADS {
        crate::messages::warning(format_args!(
            "using {MAX_THREADS} threads instead of {threads}, the most trawl runs"
        ));
        return fit_threads_to_file_limit(MAX_THREADS);
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return threads;
    }
    let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
    let budget = soft
        .saturating_sub(WALK_OPEN_DIRS + RESERVED_HANDLES)
        .max(1);
    if threads > budget {
        crate::messages::warning(format_args!(
            "using {budget} {} instead of {threads}: the open file limit (ulimit -n) is {soft}",
            plural(budget, "thread", "threads")
        ));
        return budget;
    }
    threads
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn size_arg(text: Option<&str>, default: usize) -> Result<usize, String> {
    match text {
        None => Ok(default),
        Some(text) => usize::try_from(parse_size(text)?)
            .map_err(|_| format!("invalid size: size too big in '{text}'")),
    }
}
