//! trawl: a concurrent grep-like search with deterministic, ordered output.
//!
//! ```text
//! argv → Args → Config → run
//!  walker ──Job{haystack, reply_tx}──[bounded]──► worker × N ──► searcher ─Sink─► printer (per-file buffer)
//!    │                                                               │ reply_tx.send(chunk)
//!    └──reply_rx, in walk order──[bounded]──► output thread: for rx in order { write every chunk }
//!  quit flag (-q, broken pipe, write error) → walker stops, workers drain, all joined
//! ```
//!
//! Reading the modules in pipeline order explains the program:
//! `cli` (flags, config file, Config, man page and completions) → `walk` +
//! `rules` (what to search) → `pool` (workers and ordering) → `search` (one
//! input into Sink calls) → `sink` → `printer` (rendering) → `output`
//! (stdout, with `progress` on stderr and `stats` at the end) → `messages`
//! (stderr, exit status).

pub mod cli;
pub mod messages;
pub mod output;
pub mod pool;
pub mod printer;
pub mod progress;
pub mod rules;
pub mod search;
pub mod sink;
pub mod stats;
pub mod walk;

use clap::{CommandFactory, FromArgMatches};

use cli::args::Args;
use cli::config::Config;
use messages::err;

/// Parses the command line, runs the search and returns the exit code:
/// 0 if something matched, 1 if nothing did, 2 on any error (a match with
/// `-q` still gives 0, as in ripgrep).
pub fn run() -> i32 {
    let argv = match cli::config_file::args_with_config(std::env::args_os().collect()) {
        Ok(argv) => argv,
        Err(message) => {
            err!("{message}");
            return 2;
        }
    };
    // `--version` also says whether PCRE2 and its JIT are there, which is
    // only known at run time.
    let command = Args::command();
    let long_version = format!(
        "{}\n\n{}",
        command.get_long_version().unwrap_or_default(),
        search::pcre::version_line()
    );
    let parsed = command
        .long_version(long_version)
        .try_get_matches_from(argv)
        .and_then(|matches| Args::from_arg_matches(&matches));
    let args = match parsed {
        Ok(args) => args,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return code;
        }
    };
    if args.pcre2_version {
        let line = format!("{}\n", search::pcre::version_line());
        return write_stdout(line.as_bytes());
    }
    if let Some(kind) = args.generate {
        return write_stdout(&cli::generate::generate(kind));
    }
    if args.type_list {
        return match rules::type_list(&args.type_add, &args.type_clear) {
            Ok(list) => write_stdout(list.as_bytes()),
            Err(message) => {
                err!("{message}");
                2
            }
        };
    }
    messages::configure(args.no_messages, args.debug || args.trace, args.trace);
    let config = match Config::from_args(args) {
        Ok(config) => config,
        Err(message) => {
            err!("{message}");
            return 2;
        }
    };
    let result = if config.files {
        pool::list_files(&config)
    } else {
        pool::run(&config)
    };
    let implicit = config
        .paths
        .iter()
        .any(|p| matches!(p, walk::SearchPath::ImplicitCwd));
    if result.searched == 0 && implicit {
        err!(
            "No files were searched, which means trawl probably applied a filter you didn't expect.\n\
             Running with --debug will show why files are being skipped."
        );
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
