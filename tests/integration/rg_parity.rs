//! The last differences from ripgrep 15.2 found in daily use and in
//! ripgrep's own test suite (issue 17), each checked against `rg`.

use crate::util::{Fixture, Run};

const PATH: &str = "\x1b[0m\x1b[35mf.txt\x1b[0m";
const LINE: &str = "\x1b[0m\x1b[32m1\x1b[0m";
const MATCH: &str = "\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m";

#[test]
fn pretty_sets_three_settings_each_overridable_by_a_later_flag() {
    let f = Fixture::new();
    f.create("f.txt", "a needle\n");
    let run = |args: &[&str]| f.run(&[args, &["needle"]].concat());
    run(&["-p"]).expect(&format!("{PATH}\n{LINE}:a {MATCH}\n"), 0);
    run(&["-p", "--color=never"]).expect("f.txt\n1:a needle\n", 0);
    run(&["-p", "--no-heading"]).expect(&format!("{PATH}:{LINE}:a {MATCH}\n"), 0);
    run(&["-p", "-N"]).expect(&format!("{PATH}\na {MATCH}\n"), 0);
    run(&["-p", "--color=never", "--no-heading", "-N"]).expect("f.txt:a needle\n", 0);
    // -p after a flag overrides it.
    run(&["--color=never", "--no-heading", "-N", "-p"])
        .expect(&format!("{PATH}\n{LINE}:a {MATCH}\n"), 0);
    // From the config file, the command line's flags come later.
    f.create("config", "--pretty\n");
    let with_config = |args: &[&str]| {
        Run::from(
            f.cmd(&[args, &["needle"]].concat())
                .env("TRAWL_CONFIG_PATH", f.path().join("config"))
                .output()
                .unwrap(),
        )
    };
    with_config(&["--color=never", "--no-heading"]).expect("f.txt:1:a needle\n", 0);
    with_config(&["--color=never"]).expect("f.txt\n1:a needle\n", 0);
}

#[test]
fn ripgreps_config_file_is_read_when_trawls_is_not_named() {
    let f = Fixture::new();
    f.create("a.txt", "Needle here\n");
    f.create("rg-config", "# rg's\n--smart-case\n");
    f.create("trawl-config", "--line-number\n");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = f.cmd(&[args, &["needle", "a.txt"]].concat());
        for (var, value) in env {
            cmd.env(var, value);
        }
        Run::from(cmd.output().unwrap())
    };
    let rg = ("RIPGREP_CONFIG_PATH", "rg-config");
    run(&[], &[rg]).expect("Needle here\n", 0);
    run(&["--no-config"], &[rg]).expect("", 1);
    // TRAWL_CONFIG_PATH wins; set but empty, it means no file at all.
    let trawl = ("TRAWL_CONFIG_PATH", "trawl-config");
    run(&["-i"], &[rg, trawl]).expect("1:Needle here\n", 0);
    run(&[], &[rg, ("TRAWL_CONFIG_PATH", "")]).expect("", 1);
    // --debug names the file and the variable; a missing file is named
    // with its variable.
    let debug = run(&["--debug"], &[rg]);
    assert!(
        debug.stderr.contains(
            "trawl: DEBUG: reading config file rg-config named by RIPGREP_CONFIG_PATH\n\
             trawl: DEBUG: rg-config: arguments loaded from config file: [\"--smart-case\"]\n"
        ),
        "{}",
        debug.stderr
    );
    let missing = run(&[], &[("RIPGREP_CONFIG_PATH", "nonexistent")]);
    missing.expect("", 1);
    assert_eq!(
        missing.stderr,
        "trawl: failed to read the file specified in RIPGREP_CONFIG_PATH: nonexistent: \
         No such file or directory (os error 2)\n"
    );
}

/// Messages are configured once, from the config file's arguments and the
/// command line's; only reading the config file goes by the command
/// line's alone (as in ripgrep, which has not read the file yet).
#[test]
fn config_file_debug_and_no_messages_apply_once_it_is_read() {
    let f = Fixture::new();
    f.create("a.txt", "needle\n");
    f.create("debug", "--debug\n");
    f.create("quiet", "--no-messages\n");
    let run = |config: &str, args: &[&str]| {
        Run::from(
            f.cmd(&[args, &["needle", "missing.txt", "a.txt"]].concat())
                .env("TRAWL_CONFIG_PATH", config)
                .output()
                .unwrap(),
        )
    };
    let debug = run("debug", &[]);
    debug.expect("a.txt:needle\n", 2);
    assert!(
        debug.stderr.contains("trawl: DEBUG: pattern search: "),
        "{}",
        debug.stderr
    );
    assert!(!debug.stderr.contains("config file"), "{}", debug.stderr);
    let debug = run("debug", &["--debug"]);
    assert!(
        debug
            .stderr
            .contains("trawl: DEBUG: reading config file debug named by TRAWL_CONFIG_PATH\n"),
        "{}",
        debug.stderr
    );
    let quiet = run("quiet", &[]);
    quiet.expect("a.txt:needle\n", 2);
    assert_eq!(quiet.stderr, "");
    let loud = run("debug", &["--no-config"]);
    loud.expect("a.txt:needle\n", 2);
    assert!(
        loud.stderr.starts_with("trawl: missing.txt: "),
        "{}",
        loud.stderr
    );
}

#[test]
fn no_messages_silences_no_files_were_searched() {
    let f = Fixture::new();
    f.git_init("");
    f.create("ignored-dir/a.txt", "needle\n");
    f.create(".ignore", "ignored-dir/**\n");
    let loud = f.run(&["needle"]);
    loud.expect("", 2);
    assert!(
        loud.stderr.starts_with("trawl: No files were searched"),
        "{}",
        loud.stderr
    );
    let quiet = f.run(&["--no-messages", "needle"]);
    quiet.expect("", 2);
    assert_eq!(quiet.stderr, "");
}

/// ripgrep's suite (r1380-like): -U with --trim, -M and a preview, for -o
/// and --vimgrep: the line is trimmed, then cut.
#[test]
fn multiline_only_matching_and_vimgrep_trim_then_cut_long_lines() {
    let f = Fixture::new();
    f.create("haystack", "     0123456789abcdefghijklmnopqrstuvwxyz\n");
    let run = |args: &[&str]| {
        let base = ["-U", "--trim", "--max-columns-preview", "-M8"];
        f.run(&[&base[..], args, &[".*a\\n?bc.*", "haystack"]].concat())
    };
    run(&["-o"]).expect("01234567 [... 0 more matches]\n", 0);
    run(&["--vimgrep"]).expect("haystack:1:1:01234567 [... 0 more matches]\n", 0);
    run(&["-o", "--no-max-columns-preview"]).expect("[Omitted long matching line]\n", 0);
    run(&["--vimgrep", "--no-max-columns-preview"])
        .expect("haystack:1:1:[Omitted long line with 1 matches]\n", 0);
}

/// More of ripgrep's -M/--trim output, each taken from rg 15.2.
#[test]
fn long_line_previews_are_ripgreps_to_the_byte() {
    let f = Fixture::new();
    f.create(
        "h2",
        "  xx foo1 foo2 foo3 foo4 foo5\n   barbarbarbar baz\nq foo6\n",
    );
    f.create("h3", "ééééééééééééé foo\n");
    // A line of a --vimgrep match cut by -M does not end it: the next line
    // of the match follows.
    f.run(&[
        "-U",
        "-M5",
        "--max-columns-preview",
        "--vimgrep",
        "foo5\\n\\s*bar",
        "h2",
    ])
    .expect(
        "h2:1:26:  xx  [... 1 more match]\nh2:2:1:   ba [... 0 more matches]\n",
        0,
    );
    // -o --trim trims each match.
    f.run(&["-o", "--trim", " +foo\\d", "h2"])
        .expect("foo1\nfoo2\nfoo3\nfoo4\nfoo5\nfoo6\n", 0);
    // A preview of a match is cut after whole characters.
    f.run(&["-o", "-M5", "--max-columns-preview", "é+", "h3"])
        .expect("ééééé [... 0 more matches]\n", 0);
    // Without colors, ripgrep counts the matches past the cut from the
    // start of the untrimmed line (or match): the counts it prints.
    f.run(&[
        "--trim",
        "-M6",
        "--max-columns-preview",
        "--column",
        "o\\d",
        "h2",
    ])
    .expect(
        "1:8:xx foo [... 5 more matches]\n3:5:q foo6 [... 0 more matches]\n",
        0,
    );
    f.run(&[
        "-o",
        "-M5",
        "--max-columns-preview",
        "foo\\d( foo\\d)*",
        "h2",
    ])
    .expect("foo1  [... 1 more match]\nfoo6\n", 0);
}

/// ripgrep's r1446: a worktree made by hand, its relative gitdir naming a
/// path from the current directory.
#[test]
fn worktree_with_a_gitdir_relative_to_the_current_directory() {
    let f = Fixture::new();
    f.create("repo/.git/info/exclude", "ignored");
    f.create("repo/.git/worktrees/repotree/commondir", "../..");
    f.create("repotree/.git", "gitdir: repo/.git/worktrees/repotree");
    f.create("repotree/ignored", "");
    f.create("repotree/not-ignored", "");
    let run = f.run(&["--sort", "path", "--files", "repotree"]);
    run.expect("repotree/not-ignored\n", 0);
    assert_eq!(run.stderr, "");
    // From inside, that path names nothing: as in rg, no exclude applies.
    let inside = f
        .cmd(&["--files"])
        .current_dir(f.path().join("repotree"))
        .output();
    Run::from(inside.unwrap()).expect("ignored\nnot-ignored\n", 0);
}

/// ripgrep's suite (binary.rs, after_match1_explicit_mmap-like): with an
/// explicit --mmap, a walked file is mapped, so only its first 64 KiB and
/// the lines printed are looked at for a NUL byte.
#[test]
fn explicit_mmap_maps_walked_files_and_detects_binary_data_as_rg() {
    let f = Fixture::new();
    let mut hay: Vec<u8> = b"needle first\n".to_vec();
    for i in 0..3000 {
        hay.extend_from_slice(format!("line {i} filler text here\n").as_bytes());
    }
    hay[77041] = 0;
    hay.extend_from_slice(b"needle last\n");
    f.create("dir/big.txt", &hay);
    let mut in_match = b"needle a\n".to_vec();
    in_match.extend(b"x\n".repeat(40000));
    in_match.extend_from_slice(b"ctx\nneedle \0 b\nneedle c\n");
    f.create("dir2/in-match.txt", &in_match);
    f.create("dir3/early.txt", "needle a\n\0b\nneedle c\n");
    // Read: the NUL ends the search of a walked file.
    f.run(&["needle", "dir"]).expect(
        "dir/big.txt:needle first\n\
         dir/big.txt: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 77041)\n",
        0,
    );
    // Mapped: the NUL is never looked at.
    f.run(&["--mmap", "needle", "dir"])
        .expect("dir/big.txt:needle first\ndir/big.txt:needle last\n", 0);
    f.run(&["--mmap", "--no-mmap", "-c", "needle", "dir"])
        .expect("", 1);
    // A NUL in a line to print ends the search there (the before-context
    // is still printed, no break for the line itself).
    f.run(&["--mmap", "-B1", "needle", "dir2"]).expect(
        "dir2/in-match.txt:needle a\n--\ndir2/in-match.txt-ctx\n\
         dir2/in-match.txt: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 80020)\n",
        0,
    );
    f.run(&["--mmap", "-A1", "needle", "dir2"]).expect(
        "dir2/in-match.txt:needle a\ndir2/in-match.txt-x\n\
         dir2/in-match.txt: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 80020)\n",
        0,
    );
    // A NUL in the first 64 KiB skips the file.
    f.run(&["--mmap", "needle", "dir3"]).expect("", 1);
}

/// A deliberate difference (README): rg 15.2 turns `)(` into `(?:)()`.
#[test]
fn unbalanced_pattern_is_a_parse_error_not_an_empty_match() {
    let f = Fixture::new();
    f.create("a.txt", "x\n");
    let run = f.run(&["-e", ")(", "a.txt"]);
    run.expect("", 2);
    assert!(run.stderr.contains("regex parse error"), "{}", run.stderr);
}

/// `-r` expands only references made of `[0-9A-Za-z_]` (grep-matcher's
/// rules); anything else after `$` stays as written, as in rg 15.2.
#[test]
fn replacement_keeps_invalid_group_references_as_text() {
    let f = Fixture::new();
    f.create("f.txt", "foo bar\n");
    let cases = [
        ("${a b}", "${a b} bar\n"),
        ("${a-b}", "${a-b} bar\n"),
        ("${-}", "${-} bar\n"),
        ("${}", "${} bar\n"),
        ("${a.b}", "${a.b} bar\n"),
        ("${0 }", "${0 } bar\n"),
        ("${ 0}", "${ 0} bar\n"),
        ("${1", "${1 bar\n"),
        ("${é}", "${é} bar\n"),
        ("$é", "$é bar\n"),
        ("$-", "$- bar\n"),
        ("x$", "x$ bar\n"),
        ("$", "$ bar\n"),
        ("$$", "$ bar\n"),
        ("$$1", "$1 bar\n"),
        ("${1}x", "fox bar\n"),
        ("$1a", " bar\n"),
        ("$name", " bar\n"),
        ("${w}${2}$$", "foo$ bar\n"),
        ("$0.5", "foo.5 bar\n"),
    ];
    for engine in [&[][..], &["-P"], &["-U"]] {
        for (replacement, out) in cases {
            let args = [engine, &["-r", replacement, "(?P<w>fo)(o)", "f.txt"]].concat();
            let run = f.run(&args);
            assert_eq!((run.stdout.as_str(), run.code), (out, 0), "{args:?}");
        }
    }
}

/// With -L, a link to `/` (or to a directory above the root) at
/// --max-depth is never listed, so it is no loop: rg 15.2 prints its
/// results and exits 0. A link to a walked ancestor is still reported at
/// the limit, as rg does.
#[test]
fn follow_with_max_depth_ignores_links_above_the_root_at_the_limit() {
    use std::os::unix::fs::symlink;
    let f = Fixture::new();
    f.create("a.txt", "needle\n");
    f.create("sub/b.txt", "needle\n");
    symlink("/", f.path().join("root")).unwrap();
    let up = f.run_ordered(&["-L", "--max-depth", "0", "needle"]);
    assert_eq!((up.stdout.as_str(), up.code), ("", 2));
    let one = f.run_ordered(&["-L", "--max-depth", "1", "needle"]);
    one.expect("a.txt:needle\n", 0);
    assert_eq!(one.stderr, "");

    // The links at depth 2 only.
    let f = Fixture::new();
    f.create("a.txt", "needle\n");
    f.create("sub/b.txt", "needle\n");
    symlink("/", f.path().join("sub/root")).unwrap();
    symlink("../..", f.path().join("sub/up")).unwrap();
    let one = f.run_ordered(&["-L", "--max-depth", "1", "needle"]);
    one.expect("a.txt:needle\n", 0);
    let two = f.run_ordered(&["-L", "--max-depth", "2", "--sort", "path", "needle"]);
    two.expect("a.txt:needle\nsub/b.txt:needle\n", 0);
    assert_eq!(two.stderr, "");

    // A link to the root itself is a loop even at the limit.
    symlink(".", f.path().join("self")).unwrap();
    let one = f.run_ordered(&["-L", "--max-depth", "1", "needle"]);
    one.expect("a.txt:needle\n", 2);
    assert_eq!(
        one.stderr,
        "trawl: File system loop found: ./self points to an ancestor ./\n"
    );
}
