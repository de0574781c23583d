//! trawl: a concurrent grep-like search with deterministic, ordered output.
//!
//! ```text
//! argv → Args → Config → run::search
//!  walker ──submit(haystack)──► pool: job queue [bounded] ──► worker × N ──► searcher ─Sink─► printer (per-file chunks)
//!    │                                │                                                 │ reply.send(chunk)
//!    └─(its own messages, in order)   └─ a slot per job, in walk order [bounded, bytes budgeted; spill file past it]
//!                                          └──► output thread: slot k drained before slot k+1 → stdout / stderr
//!  cancel: one flag in the pool (-q, --max-results, broken pipe, write error, panic) → walker, searchers, all stop; all joined
//! ```
//!
//! Reading the modules in pipeline order explains the program:
//! `cli` (flags, config file, man page and completions; it builds
//! `run::Config`) → `walk` + `rules` (what to search) → `run` (the Config,
//! and one search wired: walker, workers and printer around the `pool`,
//! the ordered hand-off protocol) → `search`
//! (one input into Sink calls) → `sink` → `printer` (rendering) → `output`
//! (stdout and in-order stderr, with `progress` and `stats` at the end) →
//! `messages` (stderr, exit status). Each stage's options live with it
//! and imports point one way, cli → run → the stages (tests/layout.rs).

pub mod cli;
pub mod index;
pub mod messages;
pub mod output;
pub mod pool;
pub mod printer;
pub mod progress;
pub mod rules;
pub mod run;
pub mod search;
pub mod sink;
pub mod stats;
pub mod test_hooks;
pub mod walk;

use cli::args::Args;
use messages::err;
use run::Config;

/// Parses the command line, runs the search and returns the exit code:
/// 0 if something matched, 1 if nothing did, 2 on any error (a match with
/// `-q` still gives 0, as in ripgrep).
pub fn run() -> i32 {
    messages::report_panics();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = match command_line(&argv) {
        Ok(args) => args,
        Err(code) => return code,
    };
    messages::configure(args.no_messages, args.debug || args.trace, args.trace);
    if args.pcre2_version {
        let line = format!("{}\n", search::pcre::version_line());
        return write_stdout(line.as_bytes());
    }
    if let Some(kind) = args.generate {
        return write_stdout(&cli::generate::generate(kind));
    }
    if args.type_list {
        return match rules::type_list(&args.type_changes) {
            Ok(list) => write_stdout(list.as_bytes()),
            Err(message) => {
                err!("{message}");
                2
            }
        };
    }
    let no_index = args.no_index;
    let mut config = match Config::from_args(args) {
        Ok(config) => config,
        Err(message) => {
            err!("{message}");
            return 2;
        }
    };
    if config.build_index {
        return index::build::run(&mut config.index_build());
    }
    if !config.files && !config.matches_possible {
        // Not even the --json summary or --stats, as in ripgrep.
        return 1;
    }
    config.index = index::Use::setup(&config.index_search(), no_index).map(std::sync::Arc::new);
    if let Some(index) = &config.index {
        // The walk takes unchanged directories' listings from it.
        config.walk.listings = Some(index.clone());
    }
    let result = if config.files && config.quiet {
        quiet_files(&config)
    } else if config.files {
        run::list_files(&config)
    } else {
        run::search(&config)
    };
    if let Some(index) = &config.index {
        index.report();
    }
    config.walk.report_deferred_errors(result.matched);
    let implicit = config
        .paths
        .iter()
        .any(|p| matches!(p, walk::SearchPath::ImplicitCwd));
    // A search that searched nothing is suspicious; a --files that lists
    // nothing just exits 1, as in ripgrep.
    // --no-messages silences it, the exit status still says 2 (ripgrep).
    if result.searched == 0 && implicit && !config.files {
        messages::file_error(format_args!(
            "No files were searched, which means trawl probably applied a filter you didn't expect.\n\
             Running with --debug will show why files are being skipped."
        ));
    }
    let matched = result.matched;
    if messages::errored() && !(config.quiet && matched) {
        2
    } else if matched {
        0
    } else {
        1
    }
}

/// `--files -q`: succeed at the first file that would be listed, print
/// nothing (ripgrep's quit-after-match applies to --files too).
fn quiet_files(config: &Config) -> run::RunResult {
    let mut searched = 0;
    walk::walk(&config.paths, &config.rules, &config.walk, &mut |_| {
        searched += 1;
        false
    });
    run::RunResult {
        matched: searched > 0,
        searched,
    }
}

/// The command line with the config file's arguments before it. The
/// command line alone is parsed first: its errors, --help and --version
/// come before the config file is read, and its --no-messages and --debug
/// apply to reading it (as in ripgrep).
fn command_line(argv: &[std::ffi::OsString]) -> Result<Args, i32> {
    let args = parse(argv)?;
    let debug = args.debug || args.trace;
    if args.no_config {
        messages::debug_if(
            debug,
            format_args!("not reading config files because --no-config is present"),
        );
        return Ok(args);
    }
    let config = cli::config_file::config_args(&args).map_err(|message| {
        err!("{message}");
        2
    })?;
    if config.is_empty() {
        messages::debug_if(
            debug,
            format_args!("no extra arguments found from configuration file"),
        );
        return Ok(args);
    }
    let mut all = argv[..1].to_vec();
    all.extend(config);
    all.extend(argv.iter().skip(1).cloned());
    parse(&all)
}

/// Parses `argv`, or prints the error (or --help, --version) and says with
/// which code to exit.
fn parse(argv: &[std::ffi::OsString]) -> Result<Args, i32> {
    match Args::parse_from(argv) {
        Ok(args) => Ok(args),
        Err(error) if error.use_stderr() => {
            err!("{}", cli::errors::message(&error, argv));
            Err(2)
        }
        Err(help) => {
            let _ = help.print();
            Err(0)
        }
    }
}

fn write_stdout(bytes: &[u8]) -> i32 {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            err!("error writing output: {error}");
            2
        }
    }
}
