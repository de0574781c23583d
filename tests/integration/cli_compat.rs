//! The command line behaves as ripgrep 15.2's: every negation, last flag
//! wins, one-line errors, exit codes. Expected outputs were taken from rg
//! 15.2.0 on the same trees.

use crate::util::{Fixture, Run};

fn tree() -> Fixture {
    let f = Fixture::new();
    f.create("a.txt", "foo one\n  bar foo\nbaz\n");
    f.create("b.txt", "nothing\n");
    f.create(".hidden", "hid foo\n");
    f.create("sub/bin.dat", b"bin\0foo\n");
    f
}

/// Stderr and exit code of a run that must print nothing on stdout.
#[track_caller]
fn fails(run: &Run, stderr: &str) {
    assert_eq!(run.stdout, "", "stderr: {}", run.stderr);
    assert_eq!(run.stderr, stderr);
    assert_eq!(run.code, 2);
}

#[test]
fn negations_undo_their_flag() {
    let f = tree();
    let plain = "a.txt:foo one\na.txt:  bar foo\n";
    for (flag, negation) in [
        ("-b", "--no-byte-offset"),
        ("-v", "--no-invert-match"),
        ("--json", "--no-json"),
        ("--column", "--no-column"),
        ("--trim", "--no-trim"),
        ("--stats", "--no-stats"),
        ("--crlf", "--no-crlf"),
        ("-F", "--no-fixed-strings"),
        ("--hidden", "--no-hidden"),
        ("-a", "--no-text"),
        ("-L", "--no-follow"),
        ("--binary", "--no-binary"),
        ("--line-buffered", "--no-line-buffered"),
        ("--block-buffered", "--no-block-buffered"),
        ("--no-unicode", "--pcre2-unicode"),
        ("--no-pcre2-unicode", "--unicode"),
        ("--one-file-system", "--no-one-file-system"),
        ("--glob-case-insensitive", "--no-glob-case-insensitive"),
        ("--max-columns-preview", "--no-max-columns-preview"),
        ("--sort-files", "--no-sort-files"),
    ] {
        let run = f.run_ordered(&[flag, negation, "foo", "a.txt", "b.txt"]);
        assert_eq!(run.stdout, plain, "{flag} {negation}");
        assert_eq!(run.code, 0, "{flag} {negation}");
    }
    f.run(&[
        "-c",
        "--include-zero",
        "--no-include-zero",
        "foo",
        "a.txt",
        "b.txt",
    ])
    .expect("a.txt:2\n", 0);
    // --no-json undoes --json only: after -c it changes nothing.
    f.run(&["--json", "-c", "--no-json", "foo", "a.txt"])
        .expect("2\n", 0);
    f.run(&["-c", "--json", "--no-json", "foo", "a.txt"])
        .expect("foo one\n  bar foo\n", 0);
    // The flag after its negation wins.
    f.run(&["--no-byte-offset", "-b", "baz", "a.txt"])
        .expect("18:baz\n", 0);
    f.run(&["--no-invert-match", "-v", "foo", "a.txt"])
        .expect("baz\n", 0);
}

#[test]
fn unrestricted_and_no_ignore_follow_flag_order() {
    let f = tree();
    f.create(".ignore", "b.txt\n");
    f.create("b.txt", "foo\n");
    let files = |args: &[&str]| f.run_ordered(&[&["--files", "--sort", "path"], args].concat());
    files(&["-uu", "--no-hidden"]).expect("a.txt\nb.txt\nsub/bin.dat\n", 0);
    files(&["--no-hidden", "-uu"]).expect(".hidden\n.ignore\na.txt\nb.txt\nsub/bin.dat\n", 0);
    files(&["-u", "--ignore"]).expect("a.txt\nsub/bin.dat\n", 0);
    // --ignore sets every --no-ignore-* switch back, as in ripgrep.
    files(&["--no-ignore-dot", "--ignore"]).expect("a.txt\nsub/bin.dat\n", 0);
    files(&["--ignore", "--no-ignore-dot"]).expect("a.txt\nb.txt\nsub/bin.dat\n", 0);
    // -uuu = --binary, which a later --no-binary undoes.
    let run = f.run_ordered(&["-uuu", "--no-binary", "--sort", "path", "foo"]);
    run.expect(
        ".hidden:hid foo\na.txt:foo one\na.txt:  bar foo\nb.txt:foo\n",
        0,
    );
    fails(
        &f.run(&["-uuuu", "foo"]),
        "trawl: error parsing flag -u: flag can only be repeated up to 3 times\n",
    );
}

#[test]
fn flag_errors_are_one_line_as_in_ripgrep() {
    let f = tree();
    fails(&f.run(&["--foo"]), "trawl: unrecognized flag --foo\n");
    fails(&f.run(&["-y", "foo"]), "trawl: unrecognized flag -y\n");
    fails(
        &f.run(&["--colour=never", "foo"]),
        "trawl: unrecognized flag --colour\n\nsimilar flags that are available: --color\n",
    );
    fails(
        &f.run(&["--context-sep", "foo"]),
        "trawl: unrecognized flag --context-sep\n\nsimilar flags that are available: \
         --context, --context-separator, --no-context-separator, --field-context-separator\n",
    );
    fails(
        &f.run(&["--passthrough-x", "foo"]),
        "trawl: unrecognized flag --passthrough-x\n\nsimilar flags that are available: \
         --passthru, --passthrough\n",
    );
    fails(
        &f.run(&["--json=x", "foo"]),
        "trawl: invalid CLI arguments: unexpected argument for option '--json': \"x\"\n",
    );
    fails(
        &f.run(&["-nA", "x", "foo"]),
        "trawl: error parsing flag -A: value is not a valid number: invalid digit found in string\n",
    );
    fails(
        &f.run(&["--maxdepth=x", "foo"]),
        "trawl: error parsing flag --maxdepth: value is not a valid number: \
         invalid digit found in string\n",
    );
    // A flag's value is the next argument, even one starting with '-'.
    fails(
        &f.run(&["-m", "-1", "foo"]),
        "trawl: error parsing flag -m: value is not a valid number: invalid digit found in string\n",
    );
    fails(
        &f.run(&["--sort=bad", "foo"]),
        "trawl: error parsing flag --sort: choice 'bad' is unrecognized\n",
    );
    fails(
        &f.run(&["foo", "-A"]),
        "trawl: missing value for flag -A: missing argument for option '-A'\n",
    );
    fails(
        &f.run(&[]),
        "trawl: trawl requires at least one pattern to execute a search\n",
    );
}

#[test]
fn missing_config_file_is_a_warning() {
    let f = tree();
    let run = |args: &[&str], config: &str| {
        Run::from(
            f.cmd(args)
                .env("TRAWL_CONFIG_PATH", f.path().join(config))
                .output()
                .unwrap(),
        )
    };
    let missing = run(&["foo", "a.txt"], "nonexistent");
    missing.expect("foo one\n  bar foo\n", 0);
    let path = f.path().join("nonexistent");
    assert_eq!(
        missing.stderr,
        format!(
            "trawl: failed to read the file specified in TRAWL_CONFIG_PATH: {}: \
             No such file or directory (os error 2)\n",
            path.display()
        )
    );
    let quiet = run(&["--no-messages", "foo", "a.txt"], "nonexistent");
    assert_eq!(quiet.stderr, "");
    // A directory opens but cannot be read: rg names no path then.
    let dir = run(&["foo", "a.txt"], "sub");
    dir.expect("foo one\n  bar foo\n", 0);
    assert_eq!(
        dir.stderr,
        "trawl: failed to read the file specified in TRAWL_CONFIG_PATH: \
         Is a directory (os error 21)\n"
    );
    f.create("config", "# defaults\n--hidden\n");
    let debug = run(&["--debug", "foo", "a.txt"], "config");
    let loaded = format!(
        "trawl: DEBUG: {}: arguments loaded from config file: [\"--hidden\"]\n",
        f.path().join("config").display()
    );
    assert!(debug.stderr.contains(&loaded), "{}", debug.stderr);
    let unset = f.run(&["--debug", "foo", "a.txt"]);
    assert!(
        unset.stderr.contains(
            "trawl: DEBUG: neither TRAWL_CONFIG_PATH nor RIPGREP_CONFIG_PATH environment \
             variable is set, therefore not reading any config file\n"
        ),
        "{}",
        unset.stderr
    );
}

/// Runs trawl with `input` on a piped stdin (which rg and trawl search
/// when no path is given, unless patterns come from it).
fn run_with_stdin(f: &Fixture, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = f
        .cmd(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Run::from(child.wait_with_output().unwrap())
}

#[test]
fn files_without_match_succeeds_when_it_prints_a_file() {
    let f = tree();
    f.run_ordered(&["--files-without-match", "foo", "a.txt", "b.txt"])
        .expect("b.txt\n", 0);
    f.run_ordered(&["--files-without-match", "foo", "a.txt"])
        .expect("", 1);
    f.run(&["-q", "--files-without-match", "foo", "a.txt", "b.txt"])
        .expect("", 0);
    f.run(&["-q", "--files-without-match", "foo", "a.txt"])
        .expect("", 1);
    // With -q, a file without a match wins over an error, as a match does.
    let run = f.run(&["-q", "--files-without-match", "foo", "b.txt", "nonexist"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["-q", "--files-without-match", "foo", "a.txt", "nonexist"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn patterns_from_stdin_search_the_current_directory() {
    let f = tree();
    let run = run_with_stdin(&f, &["-f", "-", "-c", "--sort", "path"], "foo\n");
    run.expect("a.txt:2\n", 0);
    // Without -f -, a piped stdin is what is searched.
    run_with_stdin(&f, &["-c", "foo"], "foo\nfoo\n").expect("2\n", 0);
    // --files never reads stdin.
    run_with_stdin(&f, &["--files", "--sort", "path"], "x\n")
        .expect("a.txt\nb.txt\nsub/bin.dat\n", 0);
    let run = run_with_stdin(&f, &["-f", "-", "-"], "foo\n");
    fails(
        &run,
        "trawl: error: attempted to read patterns from stdin while also searching stdin\n",
    );
}

#[test]
fn files_listing_nothing_exits_1_silently() {
    let f = tree();
    let run = f.run(&["--files", "-g", "nomatch"]);
    run.expect("", 1);
    assert_eq!(run.stderr, "");
    // A search that searched nothing still says so.
    let run = f.run(&["foo", "-g", "nomatch"]);
    run.expect("", 2);
    assert!(run.stderr.starts_with("trawl: No files were searched"));
}

#[test]
fn passthru_and_context_flags_override_each_other() {
    let f = tree();
    let run = |args: &[&str]| f.run_ordered(&[&["-n"], args, &["a.txt"]].concat());
    run(&["--passthru", "-B", "0", "foo"]).expect("1:foo one\n2:  bar foo\n", 0);
    run(&["--passthru", "-C", "1", "baz"]).expect("2-  bar foo\n3:baz\n", 0);
    run(&["-C", "1", "--passthru", "baz"]).expect("1-foo one\n2-  bar foo\n3:baz\n", 0);
    // Only the context flags after --passthru count.
    run(&["-A1", "--passthru", "-B0", "baz"]).expect("3:baz\n", 0);
    run(&["-B1", "--passthru", "-A0", "baz"]).expect("3:baz\n", 0);
}

#[test]
fn no_possible_match_searches_nothing_and_exits_1() {
    let f = tree();
    for args in [
        &["-m", "0", "foo", "a.txt"][..],
        &["-m", "0", "--json", "foo", "a.txt"],
        &["-m", "0", "--stats", "foo", "a.txt"],
        &["-m", "0", "-c", "--include-zero", "foo", "a.txt"],
        &["-m", "0", "--files-without-match", "foo", "a.txt", "b.txt"],
        &["-m0", "-v", "foo", "a.txt"],
        // Not even a missing path is reported.
        &["-m", "0", "foo", "a.txt", "nonexist"],
        &["-f", "/dev/null", "a.txt"],
        &["-f", "/dev/null", "--json", "a.txt"],
        &["-f", "/dev/null", "nonexist"],
    ] {
        let run = f.run(args);
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str(), run.code),
            ("", "", 1),
            "{args:?}"
        );
    }
    // With -v, no pattern matches every line.
    f.run(&["-v", "-f", "/dev/null", "a.txt"])
        .expect("foo one\n  bar foo\nbaz\n", 0);
}

#[test]
fn file_types_are_ripgrep_15_2s() {
    let f = Fixture::new();
    for name in [
        "build.ninja",
        "pnpm-lock.yaml",
        "lib.scm",
        "x.el",
        "policy.rego",
        "m.toit",
        "p.c3",
        "s.ps1",
    ] {
        f.create(name, "x\n");
    }
    let types = |args: &[&str]| f.run_ordered(&[&["--files", "--sort", "path"], args].concat());
    types(&["-tninja"]).expect("build.ninja\n", 0);
    types(&["-tlock"]).expect("pnpm-lock.yaml\n", 0);
    types(&["-tlisp"]).expect("x.el\n", 0);
    types(&["-tscheme"]).expect("lib.scm\n", 0);
    types(&["-trego", "-ttoit", "-tc3", "-tpowershell"])
        .expect("m.toit\np.c3\npolicy.rego\ns.ps1\n", 0);
    let list = f.run(&["--type-list"]).stdout;
    assert!(
        list.contains("\nlisp: *.el, *.jl, *.lisp, *.lsp\n"),
        "{list}"
    );
    assert!(
        list.contains(
            "\nlock: *.lock, .terraform.lock.hcl, gradle.lockfile, package-lock.json, \
             pnpm-lock.yaml, pylock*.toml\n"
        ),
        "{list}"
    );
    assert_eq!(
        list.lines().count(),
        231,
        "as many types as rg 15.2.0 lists"
    );
}

#[test]
fn one_thread_is_singular() {
    let f = tree();
    // bash lowers the open file limit, then becomes trawl.
    let script = "ulimit -n 17; exec \"$0\" -j4 foo";
    let out = std::process::Command::new("bash")
        .args(["-c", script, env!("CARGO_BIN_EXE_trawl")])
        .current_dir(f.path())
        .env("HOME", "/nonexistent/trawl-test-home")
        .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
        .env_remove("TRAWL_CONFIG_PATH")
        .env_remove("RIPGREP_CONFIG_PATH")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "trawl: using 1 thread instead of 4: the open file limit (ulimit -n) is 17\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "a.txt:foo one\na.txt:  bar foo\n"
    );
}

#[test]
fn quiet_stops_at_a_match_before_reporting_unreadable_directories() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("locked/x.txt", "foo\n");
    f.create("sub/.ignore", "*.txt\n");
    f.create("sub/s.txt", "foo\n");
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(f.path().join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    for (path, m) in [
        ("", 0o755),
        ("sub", 0o755),
        ("a.txt", 0o644),
        ("sub/s.txt", 0o644),
    ] {
        mode(path, m);
    }
    mode("locked", 0o000);
    mode("sub/.ignore", 0o000);
    let run = |args: &[&str]| crate::errors::run_unprivileged(&f, args);
    let quiet = run(&["-q", "foo"]);
    let found = run(&["-q", "zzz"]);
    let search = run(&["foo"]);
    let silent = run(&["--no-messages", "foo"]);
    mode("locked", 0o755);
    mode("sub/.ignore", 0o644);
    quiet.expect("", 0);
    assert_eq!(quiet.stderr, "");
    // Nothing matched: the walk's errors are reported after all (with the
    // "./" ripgrep prints), and the unreadable .ignore stays silent.
    found.expect("", 2);
    assert_eq!(
        found.stderr,
        "trawl: ./locked: Permission denied (os error 13)\n"
    );
    search.expect("a.txt:foo\nsub/s.txt:foo\n", 2);
    assert_eq!(
        search.stderr,
        "trawl: ./locked: Permission denied (os error 13)\n"
    );
    silent.expect("a.txt:foo\nsub/s.txt:foo\n", 2);
    assert_eq!(silent.stderr, "");
}

#[test]
fn ignore_file_messages_follow_ripgrep() {
    let f = tree();
    f.create(".ignore", "a{\n");
    let parse_error = "trawl: ./.ignore: line 1: error parsing glob 'a{': unclosed alternate \
                       group; missing '}' (maybe escape '{' with '[{]'?)\n";
    let run = f.run(&["foo"]);
    run.expect("a.txt:foo one\na.txt:  bar foo\n", 0);
    assert_eq!(run.stderr, parse_error);
    // --no-messages hides them too, as in ripgrep.
    assert_eq!(f.run(&["--no-messages", "foo"]).stderr, "");
    assert_eq!(f.run(&["--no-ignore-messages", "foo"]).stderr, "");
    // A missing --ignore-file is reported (it was silently skipped).
    let run = f.run(&[
        "--no-ignore-dot",
        "--ignore-file",
        "nonexist",
        "foo",
        "a.txt",
    ]);
    run.expect("foo one\n  bar foo\n", 0);
    assert_eq!(
        run.stderr,
        "trawl: nonexist: No such file or directory (os error 2)\n"
    );
}

#[test]
fn git_worktree_uses_its_repositorys_info_exclude() {
    let f = Fixture::new();
    f.git_init("main");
    f.create("main/a.txt", "foo\n");
    let git = |dir: &str, args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .current_dir(f.path().join(dir))
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    };
    git("main", &["add", "a.txt"]);
    git("main", &["commit", "-q", "-m", "init"]);
    git("main", &["worktree", "add", "-q", "../wt"]);
    f.create("main/.git/info/exclude", "*.log\n");
    f.create("wt/x.log", "foo\n");
    f.create("wt/.gitignore", "*.tmp\n");
    f.create("wt/z.tmp", "foo\n");
    // No "./.git/info/exclude: Not a directory", and main's exclude applies.
    let run = |args: &[&str], dir: &str| {
        Run::from(
            f.cmd(args)
                .current_dir(f.path().join(dir))
                .output()
                .unwrap(),
        )
    };
    let inside = run(&["foo"], "wt");
    inside.expect("a.txt:foo\n", 0);
    assert_eq!(inside.stderr, "");
    run(&["foo", "wt"], "").expect("wt/a.txt:foo\n", 0);
    run(&["--no-ignore-exclude", "foo"], "wt").expect("a.txt:foo\nx.log:foo\n", 0);

    // A submodule's .git file names a gitdir without `commondir`: no
    // exclude file applies there (as in rg), and nothing is reported.
    f.create("main/sub/.git", "gitdir: ../.git/modules/sub\n");
    f.create("main/.git/modules/sub/info/exclude", "*.txt\n");
    f.create("main/sub/y.txt", "foo\n");
    let sub = run(&["foo"], "main/sub");
    sub.expect("y.txt:foo\n", 0);
    assert_eq!(sub.stderr, "");
}

#[test]
fn time_sorts_order_all_files_together() {
    let f = Fixture::new();
    for (name, secs) in [
        ("a/old.txt", 1_000_000u64),
        ("a/new.txt", 3_000_000),
        ("b/mid.txt", 2_000_000),
        ("top.txt", 1_500_000),
    ] {
        f.create(name, "x\n");
        let file = std::fs::File::options()
            .write(true)
            .open(f.path().join(name))
            .unwrap();
        file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    }
    // Not per directory (a/old.txt a/new.txt b/mid.txt top.txt): globally.
    f.run_ordered(&["-l", "--sort", "modified", "x"])
        .expect("a/old.txt\ntop.txt\nb/mid.txt\na/new.txt\n", 0);
    f.run_ordered(&["-l", "--sortr", "modified", "x"])
        .expect("a/new.txt\nb/mid.txt\ntop.txt\na/old.txt\n", 0);
    // Across the paths given, too.
    f.run_ordered(&["-l", "--sort", "modified", "x", "b", "a"])
        .expect("a/old.txt\nb/mid.txt\na/new.txt\n", 0);
    f.run_ordered(&["-l", "--sortr", "path", "x", "a", "b"])
        .expect("b/mid.txt\na/old.txt\na/new.txt\n", 0);
    // --sort path stays the walk order of each path in turn.
    f.run_ordered(&["-l", "--sort", "path", "x", "b", "a"])
        .expect("b/mid.txt\na/new.txt\na/old.txt\n", 0);
}

#[test]
fn short_help_is_one_line_per_flag_grouped_as_ripgrep() {
    let f = Fixture::new();
    let short = f.run(&["-h"]);
    assert_eq!(short.code, 0);
    let headings: Vec<&str> = short
        .stdout
        .lines()
        .filter(|l| l.ends_with(':') && !l.starts_with(' '))
        .collect();
    assert_eq!(
        headings,
        [
            "Positional arguments:",
            "Input options:",
            "Search options:",
            "Filter options:",
            "Output options:",
            "Output modes:",
            "Logging options:",
            "Other behaviors:",
        ]
    );
    // One line per flag: no help text wrapped onto a line of its own.
    let flags = short
        .stdout
        .split("\nPositional arguments:")
        .nth(1)
        .unwrap();
    for line in flags.lines() {
        assert!(
            !line.starts_with("      ") || line.trim_start().starts_with('-'),
            "{line:?}"
        );
    }
    assert!(short.stdout.contains("\n  -e, --regexp <PATTERN>"));
    // rg 15.2's -h is 135 lines with the same flags.
    assert!(short.stdout.lines().count() < 150);
    // --help is complete: the details, and the negation of each flag.
    let long = f.run(&["--help"]).stdout;
    assert!(long.lines().count() > 2 * short.stdout.lines().count());
    assert!(long.contains("This flag can be disabled with --no-json."));
    assert!(long.contains("This flag can be disabled with --ignore."));
    assert!(long.contains("Possible values: never, auto, always, ansi."));
}

#[test]
fn man_page_has_ripgreps_sections() {
    let man = Fixture::new().run(&["--generate", "man"]).stdout;
    for section in [
        ".SH \"INPUT OPTIONS\"",
        ".SH \"AUTOMATIC FILTERING\"",
        ".SH \"CONFIGURATION FILE\"",
        ".SH ENVIRONMENT",
        ".SH \"EXIT STATUS\"",
        "This flag can be disabled with \\-\\-no\\-byte\\-offset.",
    ] {
        assert!(man.contains(section), "no {section:?} in the man page");
    }
}

#[test]
fn the_last_mode_flag_wins_files_and_type_list_included() {
    let f = tree();
    let run = |args: &[&str]| f.run_ordered(&[&["--sort", "path"], args].concat());
    run(&["--files", "-c", "foo"]).expect("a.txt:2\n", 0);
    run(&["-c", "--files"]).expect("a.txt\nb.txt\nsub/bin.dat\n", 0);
    run(&["--files", "-l", "foo"]).expect("a.txt\n", 0);
    let types = f.run(&["--files", "--type-list"]);
    assert!(types.stdout.starts_with("ada: *.adb, *.ads\n"));
    run(&["--type-list", "--files"]).expect("a.txt\nb.txt\nsub/bin.dat\n", 0);
    // --no-json after --json goes back to a search, which needs a pattern.
    let run_ = f.run(&["--files", "--json", "--no-json"]);
    fails(
        &run_,
        "trawl: trawl requires at least one pattern to execute a search\n",
    );
    // -q applies to --files: nothing printed, 0 if a file would be listed.
    run(&["-q", "--files"]).expect("", 0);
    run(&["--files", "-q", "-g", "nomatch"]).expect("", 1);
}

#[test]
fn bad_flag_values_are_reported_as_ripgrep_words_them() {
    let f = tree();
    fails(
        &f.run(&["-E", "bogus", "foo"]),
        "trawl: error parsing flag -E: grep config error: unknown encoding: bogus\n",
    );
    fails(
        &f.run(&["foo", "--max-filesize", "1k"]),
        "trawl: error parsing flag --max-filesize: invalid size: invalid format for size '1k', \
         which should be a non-empty sequence of digits followed by an optional 'K', 'M' or \
         'G' suffix\n",
    );
    fails(
        &f.run(&["foo", "--regex-size-limit", "99999999999G"]),
        "trawl: error parsing flag --regex-size-limit: invalid size: size too big in \
         '99999999999G'\n",
    );
    fails(
        &f.run(&["foo", "--path-separator", "ab"]),
        "trawl: error parsing flag --path-separator: A path separator must be exactly one \
         byte, but the given separator is 2 bytes: ab\nIn some shells on Windows '/' is \
         automatically expanded. Use '//' instead.\n",
    );
    fails(
        &f.run(&["foo", "--colors", "path:fg"]),
        "trawl: error parsing flag --colors: invalid color spec format: 'path:fg'. Valid \
         format is '(path|line|column|match|highlight):(fg|bg|style):(value)'.\n",
    );
    fails(
        &f.run(&["foo", "--colors", "path:style:nope"]),
        "trawl: error parsing flag --colors: unrecognized style attribute 'nope'. Choose \
         from: nobold, bold, nointense, intense, nounderline, underline, noitalic, italic.\n",
    );
}

#[test]
fn max_columns_counts_the_line_terminator() {
    let f = Fixture::new();
    f.create("m.txt", "foo\nfoox\n");
    f.create("t.txt", "  foo\n");
    f.create("e.txt", "foo");
    let run = |args: &[&str]| f.run_ordered(args);
    run(&["-M3", "foo", "m.txt"]).expect(
        "[Omitted long matching line]\n[Omitted long matching line]\n",
        0,
    );
    run(&["-M4", "foo", "m.txt"]).expect("foo\n[Omitted long matching line]\n", 0);
    run(&["-M3", "--max-columns-preview", "foo", "m.txt"]).expect(
        "foo [... omitted end of long line]\nfoo [... omitted end of long line]\n",
        0,
    );
    run(&["-M3", "-r", "ab", "foo", "m.txt"]).expect("ab\n[Omitted long line with 1 matches]\n", 0);
    run(&["-M4", "--trim", "foo", "t.txt"]).expect("foo\n", 0);
    // A last line without a terminator is one byte shorter.
    run(&["-M3", "foo", "e.txt"]).expect("foo\n", 0);
    // -o measures the match alone.
    run(&["-M3", "-o", "foo", "m.txt"]).expect("foo\nfoo\n", 0);
}

#[test]
fn stats_count_every_match_in_summary_modes() {
    let f = Fixture::new();
    f.create("s1.txt", "foo\nfoo foo\nbar\n");
    f.create("s2.txt", "bar\n");
    // The counts of the stats block (bytes and times vary or differ).
    let counts = |args: &[&str]| -> Vec<String> {
        let run = f.run(&[&["--stats"], args, &["s1.txt", "s2.txt"]].concat());
        run.stdout
            .lines()
            .filter(|l| l.ends_with("matches") || l.ends_with("lines") || l.contains("files"))
            .map(str::to_string)
            .collect()
    };
    let expected = |m: u32, l: u32, w: u32| {
        vec![
            format!("{m} matches"),
            format!("{l} matched lines"),
            format!("{w} files contained matches"),
            "2 files searched".to_string(),
        ]
    };
    assert_eq!(counts(&["-l", "foo"]), expected(3, 2, 1));
    assert_eq!(counts(&["--files-without-match", "foo"]), expected(3, 2, 1));
    assert_eq!(counts(&["-c", "foo"]), expected(3, 2, 1));
    assert_eq!(counts(&["-c", "-v", "foo"]), expected(2, 2, 2));
}

#[test]
fn crlf_ends_the_lines_trawl_makes_up_with_crlf() {
    let f = Fixture::new();
    f.create("cr.txt", "a\r\nfoo\r\nb\r\nc\r\nd\r\nfoo\r\n");
    f.create("cr2.txt", "a\r\nfoo\r\nb\r\nc\r\nd\r\nfoo\r\n");
    f.create("lf.txt", "x\nfoo\n");
    f.create("end.txt", "foo\r\nfoo");
    let run = |args: &[&str]| f.run_ordered(&[&["--crlf"], args].concat());
    run(&["-c", "foo", "cr.txt", "lf.txt"]).expect("cr.txt:2\r\nlf.txt:1\r\n", 0);
    run(&["-l", "foo", "cr.txt", "lf.txt"]).expect("cr.txt\r\nlf.txt\r\n", 0);
    run(&["-o", "foo", "cr.txt"]).expect("foo\r\nfoo\r\n", 0);
    run(&["--heading", "-C1", "foo", "cr.txt", "cr2.txt"]).expect(
        "cr.txt\r\na\r\nfoo\r\nb\r\n--\r\nd\r\nfoo\r\n\r\n\
         cr2.txt\r\na\r\nfoo\r\nb\r\n--\r\nd\r\nfoo\r\n",
        0,
    );
    run(&["-M4", "--max-columns-preview", "foo", "cr.txt"]).expect(
        "foo [... omitted end of long line]\r\nfoo [... omitted end of long line]\r\n",
        0,
    );
    run(&["-M4", "foo", "cr.txt"]).expect(
        "[Omitted long matching line]\r\n[Omitted long matching line]\r\n",
        0,
    );
    // Lines keep their own terminator; a last line without one gets "\r\n".
    run(&["foo", "lf.txt"]).expect("foo\n", 0);
    run(&["foo", "end.txt"]).expect("foo\r\nfoo\r\n", 0);
}

/// ripgrep's forms of the command line, shown by -h, --help and the man page.
const USAGE: &str = "Usage: trawl [OPTIONS] PATTERN [PATH ...]
       trawl [OPTIONS] -e PATTERN ... [PATH ...]
       trawl [OPTIONS] -f PATTERNFILE ... [PATH ...]
       trawl [OPTIONS] --files [PATH ...]
       trawl [OPTIONS] --type-list
       command | trawl [OPTIONS] PATTERN
       trawl [OPTIONS] --help
       trawl [OPTIONS] --version

Positional arguments:
  PATTERN";

#[test]
fn help_shows_ripgreps_usage_forms_and_positional_arguments() {
    let f = Fixture::new();
    for flag in ["-h", "--help"] {
        let help = f.run(&[flag]).stdout;
        assert!(help.contains(USAGE), "{flag}:\n{help}");
        assert!(!help.contains("[PATTERN [PATH]]"), "{flag}");
    }
    let short = f.run(&["-h"]).stdout;
    assert!(short.contains(
        "\n  PATTERN  A regular expression used for searching.\n  PATH...  A file or directory to search.\n\n"
    ));
}

#[test]
fn man_page_synopsis_lists_the_forms_not_every_flag() {
    let man = Fixture::new().run(&["--generate", "man"]).stdout;
    let synopsis = man.split(".SH SYNOPSIS\n").nth(1).unwrap();
    let synopsis = &synopsis[..synopsis.find("\n.SH").unwrap()];
    let lines: Vec<&str> = synopsis.lines().filter(|l| !l.starts_with('.')).collect();
    assert_eq!(lines.len(), 8, "{synopsis}");
    assert_eq!(
        lines[0],
        "\\fBtrawl\\fR [\\fIOPTIONS\\fR] \\fIPATTERN\\fR [\\fIPATH\\fR ...]"
    );
    assert!(!synopsis.contains("max\\-count"));
    assert!(man.contains(".SH \"POSITIONAL ARGUMENTS\""));
}

#[test]
fn every_short_help_line_is_a_sentence_ending_with_a_period() {
    let short = Fixture::new().run(&["-h"]).stdout;
    // Everything after the usage forms: the arguments and the flags.
    let usage = &short[short.find("Usage:").unwrap()..];
    let flags = &usage[usage.find("\n\n").unwrap()..];
    let described: Vec<&str> = flags
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim().is_empty())
        .collect();
    assert!(described.len() > 100);
    let bad: Vec<&&str> = described.iter().filter(|l| !l.ends_with('.')).collect();
    assert!(bad.is_empty(), "no final period: {bad:#?}");
}

#[test]
fn long_help_does_not_repeat_its_first_sentence() {
    let long = Fixture::new().run(&["--help"]).stdout;
    // Once, with or without the period: `-e` used to say it again as
    // "A pattern to search for (repeatable; ...)".
    assert_eq!(long.matches("A pattern to search for").count(), 1);
    // Each flag's summary is followed by new text, not by itself again.
    // Paragraphs end at lines blank but for spaces, as clap writes them
    // inside a flag's entry.
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in long.lines().map(str::trim) {
        match line.is_empty() {
            true => paragraphs.push(Vec::new()),
            false => paragraphs.last_mut().unwrap().push(line),
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    let mut checked = 0;
    for pair in paragraphs.windows(2) {
        let summary = pair[0].last().unwrap();
        let first = summary.trim_end_matches('.');
        if summary.ends_with('.') && first.len() > 10 {
            checked += 1;
            assert!(
                !pair[1][0].starts_with(first),
                "repeated: {summary:?} then {:?}",
                pair[1]
            );
        }
    }
    assert!(checked > 100, "{checked} summaries followed by a paragraph");
}

#[test]
fn long_help_describes_the_common_search_flags() {
    let long = Fixture::new().run(&["--help"]).stdout;
    for (flag, text) in [
        ("-s, --case-sensitive", "(?i)abc"),
        ("-i, --ignore-case", "(?-i)abc"),
        ("-S, --smart-case", "all lowercase"),
        ("-w, --word-regexp", "word boundary"),
        (
            "-A, --after-context <NUM>",
            "partially overrides -C/--context",
        ),
        (
            "-B, --before-context <NUM>",
            "partially overrides -C/--context",
        ),
        ("-C, --context <NUM>", "-A2 -C1 is -A2 -B1"),
        ("--stats", "files contained matches"),
    ] {
        let at = long
            .find(&format!("  {flag}\n"))
            .unwrap_or_else(|| panic!("{flag}"));
        let entry = &long[at..];
        let entry = &entry[..entry[2..].find("\n  -").map_or(entry.len(), |e| e + 2)];
        assert!(entry.contains(text), "{flag}: {entry}");
    }
}

#[test]
fn line_buffered_is_described_as_flushing_every_line() {
    let f = Fixture::new();
    let long = f.run(&["--help"]).stdout;
    let man = f.run(&["--generate", "man"]).stdout;
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    assert!(long.contains("Flush output after every line"));
    assert!(man.contains("Flush output after every line"));
    assert!(readme.contains("`--line-buffered`\n  flushes every line"));
    for text in [&long, &man, &readme] {
        assert!(!text.contains("after every file"));
    }
}
