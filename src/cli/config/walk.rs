//! The walk's options (what to descend into, in which order), its rules
//! (ignore files, globs, types and hidden files) and the thread count.

use super::{flag_error, parse_size, plural, Targets};
use crate::cli::args::{self, Args};
use crate::rules::{IgnoreOptions, RuleSpec, Rules};
use crate::run::RESERVED_HANDLES;
use crate::walk::{SortKey, WalkOptions, WALK_OPEN_DIRS};

/// Everything but `listers`, which the thread count decides.
pub(super) fn walk_options(args: &Args) -> Result<WalkOptions, String> {
    Ok(WalkOptions {
        max_depth: args.max_depth,
        max_filesize: args
            .max_filesize
            .as_deref()
            .map(parse_size)
            .transpose()
            .map_err(flag_error("max-filesize"))?,
        follow_links: args.follow,
        one_file_system: args.one_file_system,
        sort: sort(args),
        deferred_errors: args.quiet.then(Default::default),
        listers: 0,
        listings: None,
    })
}

/// `--sort`/`--sortr` (the last given wins) and the deprecated
/// `--sort-files`; `none` is the walk's own order.
fn sort(args: &Args) -> Option<(SortKey, bool)> {
    let key = |key| match key {
        args::SortKey::None => None,
        args::SortKey::Path => Some(SortKey::Path),
        args::SortKey::Modified => Some(SortKey::Modified),
        args::SortKey::Accessed => Some(SortKey::Accessed),
        args::SortKey::Created => Some(SortKey::Created),
    };
    match (args.sort.and_then(key), args.sortr.and_then(key)) {
        (Some(key), _) => Some((key, false)),
        (_, Some(key)) => Some((key, true)),
        _ if args.sort_files => Some((SortKey::Path, false)),
        _ => None,
    }
}

pub(super) fn rules(args: &Args) -> Result<Rules, String> {
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

/// Worker threads: `-j`, or the available parallelism (at most 12), no
/// more than the files named when there is nothing to walk (a worker more
/// is a thread started for nothing: 0.3 ms of a one-file search), and
/// within the open file limit.
pub(super) fn threads(args: &Args, targets: &Targets) -> usize {
    let threads = match args.threads {
        Some(n) if n > 0 => n,
        _ => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(12),
    };
    let threads = if targets.walks {
        threads
    } else {
        threads.min(targets.count)
    };
    let threads = fit_threads_to_file_limit(threads);
    crate::messages::debug(format_args!(
        "searching with {threads} worker {}",
        plural(threads, "thread", "threads")
    ));
    threads
}

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

#[cfg(test)]
mod tests {
    use super::super::tests::{args, FILE, TREE};
    use super::*;

    #[test]
    fn walk_options_follow_the_flags() {
        let argv = [
            "-d2",
            "--max-filesize",
            "1K",
            "-L",
            "--one-file-system",
            "-q",
            "x",
        ];
        let opts = walk_options(&args(&argv)).unwrap();
        assert_eq!((opts.max_depth, opts.max_filesize), (Some(2), Some(1024)));
        assert!(opts.follow_links && opts.one_file_system && opts.deferred_errors.is_some());
        let opts = walk_options(&args(&["x"])).unwrap();
        assert!(opts.max_filesize.is_none() && opts.deferred_errors.is_none());
        let error = walk_options(&args(&["--max-filesize", "1T", "x"])).unwrap_err();
        assert!(error.starts_with("error parsing flag --max-filesize: invalid size"));
    }

    #[test]
    fn sort_keys_last_one_wins() {
        let sort = |argv: &[&str]| walk_options(&args(argv)).unwrap().sort;
        assert_eq!(sort(&["x"]), None);
        assert_eq!(sort(&["--sort", "path", "x"]), Some((SortKey::Path, false)));
        assert_eq!(
            sort(&["--sort", "path", "--sortr", "modified", "x"]),
            Some((SortKey::Modified, true))
        );
        assert_eq!(sort(&["--sortr", "path", "--sort", "none", "x"]), None);
        assert_eq!(sort(&["--sort-files", "x"]), Some((SortKey::Path, false)));
    }

    #[test]
    fn threads_fit_what_there_is_to_search() {
        assert_eq!(threads(&args(&["-j3", "x"]), &TREE), 3);
        assert_eq!(threads(&args(&["-j3", "x"]), &FILE), 1);
        assert!(threads(&args(&["x"]), &TREE) >= 1);
        assert_eq!(
            threads(&args(&["-j100000", "x"]), &TREE),
            fit_threads_to_file_limit(MAX_THREADS)
        );
    }
}
