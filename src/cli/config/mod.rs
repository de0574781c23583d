//! Args → Config (`run::Config`, defined with the stage that drives the
//! others): everything validated and built once on the main thread (the
//! regex, rules, thread count, output format), then shared by reference
//! with every thread. A bad pattern fails here, before any
//! thread starts.
//!
//! Each stage's options are built in the module named after it, from the
//! parsed `Args` and the facts the flags depend on (`Targets`,
//! `Terminal`); `from_args` only composes them.

mod matcher;
mod output;
mod print;
mod read;
mod search;
mod walk;

use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use super::args::Args;
use crate::run::Config;
use crate::search::Matcher;
use crate::stats::Stats;
use crate::walk::SearchPath;

impl Config {
    /// The stages' options in the order that decides which of several
    /// errors is reported.
    pub fn from_args(args: Args) -> Result<Config, String> {
        let (patterns, paths) = patterns_and_paths(&args)?;
        let matcher = Matcher::new(&patterns, &matcher::matcher_options(&args)?)?;
        crate::messages::debug(format_args!("pattern search: {}", matcher.strategy()));
        let rules = walk::rules(&args)?;
        let mut walk_options = walk::walk_options(&args)?;
        let paths = search_paths(&args, paths)?;
        let targets = Targets::of(&paths);
        let terminal = Terminal::detect();
        let print = print::print_options(&args, &targets, &terminal)?;
        let search = search::search_options(&args, &print)?;
        let output = output::output_options(&args, &print, &search, &terminal);
        let threads = walk::threads(&args, &targets);
        walk_options.listers = crate::walk::listers(threads);
        let read_policy = read::read_policy(&args, &paths)?;
        Ok(Config {
            matcher,
            paths,
            rules,
            walk: walk_options,
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
            stats: output::stats_format(&args),
            stats_totals: Stats::default(),
            progress: output::progress(&args, &terminal),
            started: Instant::now(),
            build_index: args.build_index,
            index: None,
        })
    }
}

/// What the paths to search are, as far as the options depend on it.
#[derive(Debug, Clone, Copy)]
struct Targets {
    /// How many paths (stdin is one).
    count: usize,
    /// A directory to walk, rather than only files named (or stdin).
    walks: bool,
    only_stdin: bool,
}

impl Targets {
    fn of(paths: &[SearchPath]) -> Targets {
        Targets {
            count: paths.len(),
            walks: paths.iter().any(|p| match p {
                SearchPath::Given(path) => path.is_dir(),
                SearchPath::ImplicitCwd => true,
                SearchPath::Stdin => false,
            }),
            only_stdin: paths.iter().all(|p| matches!(p, SearchPath::Stdin)),
        }
    }
}

/// Where trawl's output goes, as far as the options depend on it.
#[derive(Debug, Clone, Copy)]
struct Terminal {
    stdout: bool,
    stderr: bool,
    /// `--color auto` would color on a terminal: not with NO_COLOR, nor
    /// TERM unset or dumb.
    wants_color: bool,
}

impl Terminal {
    fn detect() -> Terminal {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Terminal {
            stdout: io::stdout().is_terminal(),
            stderr: io::stderr().is_terminal(),
            wants_color: !no_color && std::env::var_os("TERM").is_some_and(|term| term != "dumb"),
        }
    }
}

/// The paths given, or, without any, stdin when it can be read (and
/// patterns were not read from it) or else the current directory.
fn search_paths(args: &Args, given: Vec<SearchPath>) -> Result<Vec<SearchPath>, String> {
    // As in ripgrep: patterns read from stdin (`-f -`) leave nothing to
    // search there, and --files never reads stdin.
    let stdin_consumed = args.file.iter().any(|f| f == Path::new("-"));
    if stdin_consumed && given.iter().any(|p| matches!(p, SearchPath::Stdin)) {
        return Err(
            "error: attempted to read patterns from stdin while also searching stdin".into(),
        );
    }
    Ok(if !given.is_empty() {
        given
    } else if !stdin_consumed && !args.files && stdin_is_readable() {
        crate::messages::debug(format_args!("heuristic chose to search stdin"));
        vec![SearchPath::Stdin]
    } else {
        crate::messages::debug(format_args!("heuristic chose to search ./"));
        vec![SearchPath::ImplicitCwd]
    })
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

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed as the program parses its command line.
    pub fn args(argv: &[&str]) -> Args {
        Args::parse_from(std::iter::once("trawl").chain(argv.iter().copied())).unwrap()
    }

    /// A directory to walk; one file named.
    pub const TREE: Targets = Targets {
        count: 1,
        walks: true,
        only_stdin: false,
    };
    pub const FILE: Targets = Targets {
        count: 1,
        walks: false,
        only_stdin: false,
    };
    pub const TERMINAL: Terminal = Terminal {
        stdout: true,
        stderr: true,
        wants_color: true,
    };
    pub const PIPE: Terminal = Terminal {
        stdout: false,
        stderr: false,
        wants_color: true,
    };

    #[test]
    fn the_first_positional_is_the_pattern_without_e_or_f() {
        let (patterns, paths) = patterns_and_paths(&args(&["x", "a", "-"])).unwrap();
        assert_eq!(patterns, ["x"]);
        assert!(
            matches!(&paths[..], [SearchPath::Given(a), SearchPath::Stdin] if a == Path::new("a"))
        );
        let (patterns, paths) = patterns_and_paths(&args(&["-e", "x", "-e", "y", "a"])).unwrap();
        assert_eq!(
            (patterns, paths.len()),
            (vec!["x".to_string(), "y".to_string()], 1)
        );
        let (patterns, paths) = patterns_and_paths(&args(&["--files", "a"])).unwrap();
        assert!(patterns.is_empty() && paths.len() == 1);
        assert!(patterns_and_paths(&args(&[])).is_err());
    }

    #[test]
    fn stdin_cannot_give_both_patterns_and_text() {
        let given = vec![SearchPath::Stdin];
        let error = search_paths(&args(&["-f", "-", "-"]), given).unwrap_err();
        assert!(error.contains("read patterns from stdin while also searching stdin"));
        let given = vec![SearchPath::Given("a".into())];
        assert_eq!(search_paths(&args(&["x", "a"]), given).unwrap().len(), 1);
        // --files never reads stdin.
        let paths = search_paths(&args(&["--files"]), Vec::new()).unwrap();
        assert!(matches!(&paths[..], [SearchPath::ImplicitCwd]));
    }

    /// Unit tests run in the crate's directory.
    #[test]
    fn targets_say_whether_there_is_a_walk() {
        let file = SearchPath::Given("Cargo.toml".into());
        let targets = Targets::of(std::slice::from_ref(&file));
        assert!(!targets.walks && !targets.only_stdin && targets.count == 1);
        let targets = Targets::of(&[file, SearchPath::Given("src".into())]);
        assert!(targets.walks && targets.count == 2);
        assert!(Targets::of(&[SearchPath::ImplicitCwd]).walks);
        let targets = Targets::of(&[SearchPath::Stdin]);
        assert!(!targets.walks && targets.only_stdin);
    }

    #[test]
    fn from_args_composes_the_stages() {
        let config = Config::from_args(args(&["-j3", "-c", "--sort", "path", "x", "src"])).unwrap();
        assert_eq!((config.threads, config.walk.listers), (3, 2));
        assert_eq!(config.walk.sort, Some((crate::walk::SortKey::Path, false)));
        assert_eq!(config.print.mode, crate::printer::OutputMode::Count);
        assert!(config.matches_possible && config.stats.is_none());
        let config = Config::from_args(args(&["-j4", "-m0", "x", "Cargo.toml"])).unwrap();
        assert_eq!((config.threads, config.walk.listers), (1, 0));
        assert!(!config.matches_possible && config.read_policy.mmap);
        assert!(Config::from_args(args(&["a("])).is_err());
    }

    #[test]
    fn sizes_take_k_m_g() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("K").is_err() && parse_size("1.5M").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
