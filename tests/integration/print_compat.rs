//! Printing details checked against ripgrep 15.2 (issue 13, item E):
//! expected outputs were taken from rg itself.

use crate::util::Fixture;

#[test]
fn max_count_reports_matches_inside_trailing_context() {
    let f = Fixture::new();
    f.create("n.txt", "a1\nx\nx\na2\nx\nx\nx\na3\nx\na4\n");
    // a2 is in a1's after-context: a match, though -m1 was reached; it
    // does not extend the context.
    f.run_ordered(&["-m1", "-A3", "-n", "a", "n.txt"])
        .expect("1:a1\n2-x\n3-x\n4:a2\n", 0);
    f.run_ordered(&["-m2", "-A3", "-n", "a", "n.txt"])
        .expect("1:a1\n2-x\n3-x\n4:a2\n5-x\n6-x\n7-x\n", 0);
    f.run_ordered(&["-m1", "-A3", "-c", "a", "n.txt"])
        .expect("2\n", 0);
    f.run_ordered(&["-m1", "-A3", "-v", "-n", "x", "n.txt"])
        .expect("1:a1\n2-x\n3-x\n4:a2\n", 0);
    f.create("m.txt", "a1\na2\nx\na3\n");
    let run = f.run_ordered(&["-m1", "-A3", "--json", "a", "m.txt"]);
    let kinds: Vec<&str> = run
        .stdout
        .lines()
        .map(|line| {
            let kind = &line[line.find("\"type\":\"").unwrap() + 8..];
            &kind[..kind.find('"').unwrap()]
        })
        .collect();
    assert_eq!(
        kinds,
        ["begin", "match", "match", "context", "match", "end", "summary"],
        "{}",
        run.stdout
    );
}

#[test]
fn stop_on_nonmatch_prints_no_context_past_the_nonmatching_line() {
    let f = Fixture::new();
    f.create("s.txt", "a1\nx\na2\nx\n");
    f.run_ordered(&["--stop-on-nonmatch", "-A2", "-n", "a", "s.txt"])
        .expect("1:a1\n2-x\n", 0);
}

#[test]
fn no_line_number_wins_over_json_column_and_vimgrep() {
    let f = Fixture::new();
    f.create("n.txt", "a1\nx\n");
    let run = f.run_ordered(&["--json", "-N", "-A1", "a1", "n.txt"]);
    let numbers: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|line| line.split("\"line_number\":").nth(1))
        .map(|rest| &rest[..rest.find(',').unwrap()])
        .collect();
    assert_eq!(numbers, ["null", "null"], "{}", run.stdout);
    // A later -n wins again.
    let run = f.run_ordered(&["--json", "-N", "-n", "a1", "n.txt"]);
    assert!(run.stdout.contains("\"line_number\":1,"), "{}", run.stdout);
    f.run_ordered(&["--column", "-N", "1", "n.txt"])
        .expect("2:a1\n", 0);
    f.run_ordered(&["--vimgrep", "-N", "1", "n.txt"])
        .expect("n.txt:2:a1\n", 0);
}

/// A file with a match before a NUL byte beyond the first 64 KiB window.
fn late_nul_file() -> Vec<u8> {
    let mut data = b"foo\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 200_000));
    data.extend(b"\n\0tail foo\n");
    data
}

#[test]
fn binary_notices_keep_their_path_prefix_under_heading_and_null() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("bin.dat", b"foo\nbar\0baz\n");
    f.create("late.bin", late_nul_file());
    let matches = "bin.dat: binary file matches (found \"\\0\" byte around offset 7)\n";
    f.run_ordered(&["--heading", "foo", "bin.dat", "a.txt"])
        .expect(&format!("{matches}\na.txt\nfoo\n"), 0);
    f.run_ordered(&["--null", "foo", "bin.dat", "a.txt"])
        .expect(&format!("{matches}a.txt\0foo\n"), 0);
    f.run_ordered(&["--null", "--heading", "foo", "bin.dat", "a.txt"])
        .expect(&format!("{matches}\na.txt\0foo\n"), 0);
    let warning = "./late.bin: WARNING: stopped searching binary file after match \
                   (found \"\\0\" byte around offset 200005)\n";
    f.run_ordered(&["--heading", "foo", "."])
        .expect(&format!("./a.txt\nfoo\n\n./late.bin\nfoo\n{warning}"), 0);
    f.run_ordered(&["--null", "foo", "."])
        .expect(&format!("./a.txt\0foo\n./late.bin\0foo\n{warning}"), 0);
    f.run_ordered(&["--heading", "--color=always", "foo", "bin.dat"])
        .expect(
            "binary file matches (found \"\\0\" byte around offset 7)\n",
            0,
        );
    f.run_ordered(&["-H", "--heading", "--color=always", "foo", "bin.dat"])
        .expect(
            "\x1b[0m\x1b[35mbin.dat\x1b[0m: binary file matches (found \"\\0\" byte around offset 7)\n",
            0,
        );
}

#[test]
fn summaries_print_nothing_for_a_walked_binary_file_with_a_late_nul() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("late.bin", late_nul_file());
    f.run_ordered(&["-c", "foo"]).expect("a.txt:1\n", 0);
    f.run_ordered(&["--count-matches", "foo"])
        .expect("a.txt:1\n", 0);
    f.run_ordered(&["-c", "--include-zero", "foo"])
        .expect("a.txt:1\n", 0);
    // Named, it is searched to its end.
    f.run_ordered(&["-c", "foo", "late.bin", "."])
        .expect("late.bin:2\n./a.txt:1\n", 0);
    // -l stops at the first match, before the NUL byte...
    f.run_ordered(&["-l", "foo"]).expect("a.txt\nlate.bin\n", 0);
    // ... --files-without-match reads on, and the file counts as binary:
    // not printed, but "without match" for the exit status.
    f.run_ordered(&["--files-without-match", "foo"])
        .expect("", 0);
    let only_binary = Fixture::new();
    only_binary.create("late.bin", late_nul_file());
    only_binary.run_ordered(&["-c", "foo"]).expect("", 1);
    only_binary
        .run_ordered(&["--files-without-match", "foo"])
        .expect("", 0);
}

/// The --stats block without its timings.
fn stats_of(f: &Fixture, args: &[&str]) -> (String, i32) {
    let run = f.run(&[&["--stats"], args].concat());
    let text = run
        .stdout
        .lines()
        .filter(|line| !line.contains("seconds"))
        .collect::<Vec<_>>()
        .join("\n");
    (text, run.code)
}

#[test]
fn stats_count_matches_in_every_mode_and_never_color_escapes() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("bin.dat", b"foo\nbar\0baz\n");
    f.create("late.bin", late_nul_file());
    let block = |matches: u32, files: u32, printed: u32| {
        format!(
            "{matches} matches\n{matches} matched lines\n{files} files contained matches\n\
             3 files searched\n{printed} bytes printed\n8 bytes searched"
        )
    };
    // Summaries count matches (the whole file is searched, so -l sees the
    // NUL after the match) and no bytes printed.
    let summaries = block(2, 2, 0);
    assert_eq!(
        stats_of(&f, &["-c", "foo"]),
        (format!("a.txt:1\n\n{summaries}"), 0)
    );
    assert_eq!(
        stats_of(&f, &["--count-matches", "foo"]),
        (format!("a.txt:1\n\n{summaries}"), 0)
    );
    assert_eq!(
        stats_of(&f, &["-l", "foo"]),
        (format!("a.txt\n\n{summaries}"), 0)
    );
    assert_eq!(
        stats_of(&f, &["--files-without-match", "foo"]),
        (format!("\n{summaries}"), 0)
    );
    assert_eq!(
        stats_of(&f, &["--files-without-match", "zzz"]),
        (format!("a.txt\n\n{}", block(0, 0, 0)), 0)
    );
    assert_eq!(stats_of(&f, &["-q", "foo"]), (format!("\n{summaries}"), 0));
    // Colors are not counted in bytes printed.
    let warning = "WARNING: stopped searching binary file after match \
                   (found \"\\0\" byte around offset 200005)";
    assert_eq!(
        stats_of(&f, &["--color=always", "foo"]),
        (
            format!(
                "\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\n\
                 \x1b[0m\x1b[35mlate.bin\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\n\
                 \x1b[0m\x1b[35mlate.bin\x1b[0m: {warning}\n\n{}",
                block(2, 2, 123)
            ),
            0
        )
    );
}

#[test]
fn max_columns_counts_the_line_terminator() {
    let f = Fixture::new();
    f.create("l30.txt", format!("{}5\n", "0".repeat(28)));
    f.create("l31.txt", format!("{}5\n", "0".repeat(29)));
    f.create("crlf.txt", format!("{}5\r\n", "0".repeat(28)));
    f.run_ordered(&["-M", "30", "5", "l30.txt"])
        .expect(&format!("{}5\n", "0".repeat(28)), 0);
    f.run_ordered(&["-M", "30", "5", "l31.txt"])
        .expect("[Omitted long matching line]\n", 0);
    f.run_ordered(&["-M", "30", "5", "crlf.txt"])
        .expect("[Omitted long matching line]\n", 0);
    // The text fits, its terminator does not: all of it, and the notice.
    f.run_ordered(&["-M", "30", "--max-columns-preview", "5", "l31.txt"])
        .expect(
            &format!("{}5 [... omitted end of long line]\n", "0".repeat(29)),
            0,
        );
    f.run_ordered(&["-M", "10", "--max-columns-preview", "5", "l31.txt"])
        .expect(
            &format!("{} [... omitted end of long line]\n", "0".repeat(10)),
            0,
        );
}

#[test]
fn adjacent_matches_are_colored_as_one() {
    let f = Fixture::new();
    f.create("ab.txt", "abab ab\n");
    let red = |text: &str| format!("\x1b[0m\x1b[1m\x1b[31m{text}\x1b[0m");
    f.run_ordered(&["--color=always", "ab", "ab.txt"])
        .expect(&format!("{} {}\n", red("abab"), red("ab")), 0);
    f.run_ordered(&["--color=always", "-r", "X", "ab", "ab.txt"])
        .expect(&format!("{} {}\n", red("XX"), red("X")), 0);
    // --vimgrep colors only the match each copy of the line stands for.
    let run = f.run_ordered(&["--color=always", "--vimgrep", "-I", "ab", "ab.txt"]);
    assert!(
        run.stdout.contains(&format!(":ab{}{}", red("ab"), " ab\n")),
        "{}",
        run.stdout
    );
}

#[test]
fn named_files_follow_rgs_memory_map_binary_detection() {
    let f = Fixture::new();
    let mut late = b"foo 1\n".to_vec();
    late.extend(std::iter::repeat_n(b'x', 100_000));
    late.extend(b"\n\0 junk\nfoo 2\n");
    f.create("late.dat", &late);
    let mut inline = b"foo 1\n".to_vec();
    inline.extend(std::iter::repeat_n(b'x', 100_000));
    inline.extend(b"\nfoo\0 2\nfoo 3\n");
    f.create("inline.dat", &inline);
    f.create("bc.dat", b"a\0\nctx\nfoo\n");
    let x = "x".repeat(100_000);
    // Mapped (at most 10 paths, all files): a NUL beyond the first 64 KiB
    // is seen only in a matching line.
    f.run(&["foo", "late.dat"]).expect("foo 1\nfoo 2\n", 0);
    f.run(&["-v", "-c", "zzz", "late.dat"]).expect("4\n", 0);
    let notice = "binary file matches (found \"\\0\" byte around offset 100010)\n";
    f.run(&["foo", "inline.dat"])
        .expect(&format!("foo 1\n{notice}"), 0);
    // The context before the binary matching line is printed first.
    f.run(&["-A1", "foo", "inline.dat"])
        .expect(&format!("foo 1\n{x}\n{notice}"), 0);
    // Read (--no-mmap, or more than 10 paths): NULs are seen as they are
    // read, and stop the file at its next match or context line.
    let late_notice = "binary file matches (found \"\\0\" byte around offset 100007)\n";
    f.run(&["--no-mmap", "foo", "late.dat"])
        .expect(&format!("foo 1\n{late_notice}"), 0);
    f.run(&["--no-mmap", "-A1", "foo", "late.dat"])
        .expect(&format!("foo 1\n{late_notice}"), 0);
    f.run(&["--no-mmap", "-v", "-c", "zzz", "late.dat"])
        .expect("5\n", 0);
    // A context line of a binary file stops it: nothing matched yet, so
    // nothing at all is printed (both ways).
    f.run(&["-B1", "foo", "bc.dat"]).expect("", 1);
    f.run(&["--no-mmap", "-B1", "foo", "bc.dat"]).expect("", 1);
    f.run(&["-c", "-B1", "foo", "bc.dat"]).expect("1\n", 0);
}

#[test]
fn colors_highlight_and_match_none() {
    let f = Fixture::new();
    f.create("h.txt", "one foo two foo three\nctx\n");
    let color = |args: &[&str]| f.run_ordered(&[&["--color=always"], args].concat());
    let (hl, red, reset) = ("\x1b[43m", "\x1b[0m\x1b[1m\x1b[31m", "\x1b[0m");
    color(&["--colors", "highlight:bg:yellow", "-A1", "foo", "h.txt"]).expect(
        &format!("{reset}{hl}one {red}foo{reset}{hl} two {red}foo{reset}{hl} three{reset}\nctx\n"),
        0,
    );
    color(&["--colors", "highlight:bg:yellow", "-o", "foo", "h.txt"]).expect(
        &format!("{reset}{hl}{red}foo{reset}{hl}{reset}\n").repeat(2),
        0,
    );
    color(&[
        "--colors",
        "highlight:bg:yellow",
        "-M10",
        "--max-columns-preview",
        "foo",
        "h.txt",
    ])
    .expect(
        &format!("{reset}{hl}one {red}foo{reset}{hl} tw{reset} [... 1 more match]\n"),
        0,
    );
    // highlight:none is the default: no escapes around matches.
    color(&[
        "--colors",
        "highlight:bg:yellow",
        "--colors",
        "highlight:none",
        "foo",
        "h.txt",
    ])
    .expect(
        &format!("one {red}foo{reset} two {red}foo{reset} three\n"),
        0,
    );
    // match:none colors nothing in the line, not even the highlight, and
    // writes no empty escape pairs; other types keep theirs.
    color(&[
        "--colors",
        "match:none",
        "--colors",
        "highlight:fg:blue",
        "foo",
        "h.txt",
    ])
    .expect("one foo two foo three\n", 0);
    color(&[
        "--colors",
        "match:none",
        "--colors",
        "path:none",
        "-H",
        "foo",
        "h.txt",
    ])
    .expect("\x1b[0mh.txt\x1b[0m:one foo two foo three\n", 0);
    color(&["--colors", "match:none", "-o", "foo", "h.txt"]).expect("foo\nfoo\n", 0);
    color(&["--colors", "match:none", "-M5", "foo", "h.txt"])
        .expect("[Omitted long matching line]\n", 0);
    color(&[
        "--colors",
        "match:none",
        "--colors",
        "match:fg:green",
        "two",
        "h.txt",
    ])
    .expect("one foo \x1b[0m\x1b[32mtwo\x1b[0m foo three\n", 0);
}

/// `\x1b]8;;URI\x1b\\`: an OSC 8 hyperlink opening; `close()` ends it.
fn open(uri: &str) -> String {
    format!("\x1b]8;;{uri}\x1b\\")
}

fn close() -> &'static str {
    "\x1b]8;;\x1b\\"
}

#[test]
fn hyperlinks_wrap_paths_and_line_fields_when_colors_are_on() {
    let f = Fixture::new();
    f.create("a.txt", "hello foo\n");
    f.create("c.txt", "a\nb\nc foo\nd\n");
    f.create("d i/e%.txt", "foo\n");
    let root = f.path().canonicalize().unwrap();
    let root = root.to_str().unwrap();
    let (path, green, red, reset) = (
        "\x1b[0m\x1b[35m",
        "\x1b[0m\x1b[32m",
        "\x1b[0m\x1b[1m\x1b[31m",
        "\x1b[0m",
    );
    let link =
        |args: &[&str]| f.run_ordered(&[&["--color=always", "--hyperlink-format"], args].concat());
    // The link covers path, line and column, not the last separator; its
    // column is the first match's even when not shown.
    link(&["vscode", "-n", "foo", "c.txt", "a.txt"]).expect(
        &format!(
            "{}{path}c.txt{reset}:{green}3{reset}{}:c {red}foo{reset}\n\
             {}{path}a.txt{reset}:{green}1{reset}{}:hello {red}foo{reset}\n",
            open(&format!("vscode://file{root}/c.txt:3:3")),
            close(),
            open(&format!("vscode://file{root}/a.txt:1:7")),
            close(),
        ),
        0,
    );
    // Without -n the line is 1; context lines have column 1.
    link(&["grep+", "-H", "-A1", "foo", "c.txt"]).expect(
        &format!(
            "{}{path}c.txt{reset}{}:c {red}foo{reset}\n{}{path}c.txt{reset}{}-d\n",
            open(&format!("grep+://{root}/c.txt:1")),
            close(),
            open(&format!("grep+://{root}/c.txt:1")),
            close(),
        ),
        0,
    );
    // Headings: the heading is linked; lines too if the format has {line}.
    link(&["kitty", "--heading", "-n", "foo", "c.txt", "a.txt"]).expect(
        &format!(
            "{}{path}c.txt{reset}{}\n{}{green}3{reset}{}:c {red}foo{reset}\n\n\
             {}{path}a.txt{reset}{}\n{}{green}1{reset}{}:hello {red}foo{reset}\n",
            open(&format!("file://{}{root}/c.txt#1", hostname())),
            close(),
            open(&format!("file://{}{root}/c.txt#3", hostname())),
            close(),
            open(&format!("file://{}{root}/a.txt#1", hostname())),
            close(),
            open(&format!("file://{}{root}/a.txt#1", hostname())),
            close(),
        ),
        0,
    );
    // Summaries, and paths percent-encoded.
    link(&["x://{path}", "-c", "foo", "d i"]).expect(
        &format!(
            "{}{path}d i/e%.txt{reset}{}:1\n",
            open(&format!("x://{}/d%20i/e%25.txt", root.replace(' ', "%20"))),
            close()
        ),
        0,
    );
    // --hostname-bin names {host}; colors off: no links.
    use std::os::unix::fs::PermissionsExt;
    let hostname_bin = f.path().join("hn");
    std::fs::write(&hostname_bin, "#!/bin/sh\necho '  myhost  '\n").unwrap();
    std::fs::set_permissions(&hostname_bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    link(&["file", "--hostname-bin", "./hn", "-l", "foo", "a.txt"]).expect(
        &format!(
            "{}{path}a.txt{reset}{}\n",
            open(&format!("file://myhost{root}/a.txt")),
            close()
        ),
        0,
    );
    f.run_ordered(&["--hyperlink-format", "vscode", "-H", "foo", "a.txt"])
        .expect("a.txt:hello foo\n", 0);
}

/// The system's hostname, which {host} is without --hostname-bin.
fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    name.trim().to_string()
}

#[test]
fn hyperlink_formats_are_checked_as_ripgrep_checks_them() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    let prefix = "trawl: error parsing flag --hyperlink-format: invalid hyperlink format: ";
    for (format, why) in [
        (
            "foo",
            "at least a {path} variable is required in a hyperlink format, or otherwise use a \
             valid alias: default, none, cursor, file, grep+, kitty, macvim, textmate, vscode, \
             vscode-insiders, vscodium",
        ),
        (
            "x://{nope}",
            "invalid hyperlink format variable: 'nope', choose from: path, line, column, host, \
             wslprefix",
        ),
        (
            "{path}",
            "the hyperlink format must start with a valid URL scheme, i.e., [0-9A-Za-z+-.]+:",
        ),
        (
            "x://{line}",
            "the {path} variable is required in a hyperlink format",
        ),
        (
            "x://{path}{column}",
            "the hyperlink format contains a {column} variable, but no {line} variable is present",
        ),
        (
            "x://{path",
            "unclosed variable: found '{' without a corresponding '}' following it",
        ),
    ] {
        // Checked even with colors off.
        let run = f.run(&["--hyperlink-format", format, "foo", "a.txt"]);
        run.expect("", 2);
        assert_eq!(run.stderr, format!("{prefix}{why}\n"), "{format}");
    }
    f.run(&[
        "--color=always",
        "--hyperlink-format",
        "none",
        "-H",
        "foo",
        "a.txt",
    ])
    .expect(
        "\x1b[0m\x1b[35ma.txt\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\n",
        0,
    );
}

#[test]
fn passthru_with_max_count_prints_the_rest_as_context() {
    let f = Fixture::new();
    f.create("pm.txt", "a1\nx\na2\nx\na3\n");
    f.run_ordered(&["--passthru", "-m1", "-n", "a", "pm.txt"])
        .expect("1:a1\n2-x\n3-a2\n4-x\n5-a3\n", 0);
}

#[test]
fn stats_bytes_printed_count_the_separators_between_files() {
    let f = Fixture::new();
    f.create("a.txt", "hello foo\n");
    f.create("b.md", "other foo\n");
    let printed = |args: &[&str]| {
        let (text, _) = stats_of(&f, args);
        text.lines()
            .find(|line| line.ends_with("bytes printed"))
            .unwrap()
            .to_string()
    };
    // "a.txt\nhello foo\n" + "\n" + "b.md\nother foo\n".
    assert_eq!(
        printed(&["--heading", "foo", "a.txt", "b.md"]),
        "32 bytes printed"
    );
    // "b.md:other foo\n" + "--\n" + "a.txt:hello foo\n".
    assert_eq!(
        printed(&["-A1", "foo", "b.md", "a.txt"]),
        "34 bytes printed"
    );
}

#[test]
fn files_are_listed_in_the_path_color_and_linked() {
    let f = Fixture::new();
    f.create("a.txt", "x\n");
    let root = f.path().canonicalize().unwrap();
    let root = root.to_str().unwrap();
    f.run_ordered(&["--files", "--color=always", "--null"])
        .expect("\x1b[0m\x1b[35ma.txt\x1b[0m\0", 0);
    f.run_ordered(&["--files", "--color=always", "--hyperlink-format", "vscode"])
        .expect(
            &format!(
                "{}\x1b[0m\x1b[35ma.txt\x1b[0m{}\n",
                open(&format!("vscode://file{root}/a.txt:1:1")),
                close()
            ),
            0,
        );
    f.run_ordered(&["--files"]).expect("a.txt\n", 0);
}

#[test]
fn stats_of_inverted_summaries_count_each_line_as_a_match() {
    let f = Fixture::new();
    f.create("a.txt", "a\nb\nfoo\n");
    let matches = |args: &[&str]| {
        let (text, _) = stats_of(&f, args);
        text.lines()
            .find(|line| line.ends_with(" matches"))
            .unwrap()
            .to_string()
    };
    assert_eq!(matches(&["-v", "-c", "foo", "a.txt"]), "2 matches");
    assert_eq!(matches(&["-v", "-q", "foo", "a.txt"]), "2 matches");
    // The standard printer counts none.
    assert_eq!(matches(&["-v", "foo", "a.txt"]), "0 matches");
}

/// Empty matches at a line's end, as ripgrep's printer lists matches: none
/// starts at the very end of a last line without newline, and with
/// --crlf none falls between `\r` and `\n`. A matching line in which no
/// match is listed prints whole, without a column, and counts as one
/// match. Expected outputs are rg 15.2's.
#[test]
fn empty_matches_at_line_ends_follow_ripgrep() {
    let f = Fixture::new();
    f.create("nonl.txt", "ab");
    f.create("nl.txt", "ab\n");
    f.create("crlf.txt", "ab\r\ncd\r\n");
    let run = |args: &[&str], expected: &str| f.run_ordered(args).expect(expected, 0);
    run(&["--count-matches", "", "nonl.txt"], "2\n");
    run(&["--count-matches", "", "nl.txt"], "3\n");
    run(&["-o", "", "nonl.txt"], "\n\n");
    run(&["-r", "X", "", "nonl.txt"], "XaXb\n");
    run(&["-r", "X", "", "nl.txt"], "XaXbX\n");
    run(&["-r", "X", "-P", "", "nonl.txt"], "XaXb\n");
    run(&["--column", "b*", "nonl.txt"], "1:1:ab\n");
    // `$` after the last byte: the line matches, but no match is listed.
    run(&["--count-matches", "$", "nonl.txt"], "1\n");
    run(&["--vimgrep", "$", "nonl.txt"], "nonl.txt:1:ab\n");
    run(&["--vimgrep", "$", "nl.txt"], "nl.txt:1:3:ab\n");
    run(&["--crlf", "-o", "$", "nonl.txt"], "ab\r\n");
    run(&["--crlf", "--count-matches", "", "crlf.txt"], "6\r\n");
    run(
        &["--crlf", "--vimgrep", "d*", "crlf.txt"],
        "crlf.txt:1:1:ab\r\ncrlf.txt:1:2:ab\r\ncrlf.txt:1:3:ab\r\n\
         crlf.txt:2:1:cd\r\ncrlf.txt:2:2:cd\r\n",
    );
}

/// With -v the context lines are the ones that match, and ripgrep prints
/// their matches as it does a matching line's: replaced with -r, alone
/// with -o, with columns under --column and --vimgrep (a copy per match).
/// Expected outputs are rg 15.2's.
#[test]
fn inverted_context_lines_show_their_matches() {
    let f = Fixture::new();
    f.create("u.txt", "a1\nfoo x foo\ny\n");
    let run = |args: &[&str], expected: &str| {
        let args = [&["-n"][..], args, &["-v", "-C1", "foo", "u.txt"]].concat();
        f.run_ordered(&args).expect(expected, 0);
    };
    run(&["-r", "X"], "1:a1\n2-X x X\n3:y\n");
    run(&["--column"], "1:a1\n2-1-foo x foo\n3:y\n");
    run(&["-o"], "1:a1\n2-foo\n2-foo\n3:y\n");
    run(&["-o", "--column"], "1:a1\n2-1-foo\n2-7-foo\n3:y\n");
    run(
        &["--vimgrep"],
        "u.txt:1:a1\nu.txt-2-1-foo x foo\nu.txt-2-7-foo x foo\nu.txt:3:y\n",
    );
    run(
        &["--color", "always"],
        "\x1b[0m\x1b[32m1\x1b[0m:a1\n\x1b[0m\x1b[32m2\x1b[0m-\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m x \
         \x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\n\x1b[0m\x1b[32m3\x1b[0m:y\n",
    );
}

/// --path-separator as ripgrep applies it: not to --json paths, empty
/// means the default, and a hyperlink is made from the separated path
/// (so with `\` there is no file to link, and no link). Expected outputs
/// are rg 15.2's.
#[test]
fn path_separator_spares_json_and_makes_links_from_the_separated_path() {
    let f = Fixture::new();
    f.create("sub/a.py", "foo x\n");
    let run = f.run_ordered(&["--path-separator", "\\", "--json", "foo", "sub/a.py"]);
    assert!(
        run.stdout
            .starts_with("{\"type\":\"begin\",\"data\":{\"path\":{\"text\":\"sub/a.py\"}}}\n"),
        "{}",
        run.stdout
    );
    f.run_ordered(&["--path-separator", "", "-c", "foo", "sub/a.py"])
        .expect("1\n", 0);
    f.run_ordered(&["--path-separator", "", "-c", "foo", "sub"])
        .expect("sub/a.py:1\n", 0);
    let linked = ["--hyperlink-format", "default", "--color", "always", "-l"];
    f.run_ordered(&[&linked[..], &["--path-separator", "\\", "foo", "sub"]].concat())
        .expect("\x1b[0m\x1b[35msub\\a.py\x1b[0m\n", 0);
    let run = f.run_ordered(&[&linked[..], &["--path-separator", "/", "foo", "sub"]].concat());
    assert!(run.stdout.starts_with("\x1b]8;;file://"), "{}", run.stdout);
}

/// --vimgrep with -b: each copy of the line gives its match's offset, as
/// with -o (rg 15.2's output).
#[test]
fn vimgrep_byte_offsets_are_the_matches() {
    let f = Fixture::new();
    f.create("v1.txt", "a foo foo\nb\n");
    f.run_ordered(&["-b", "--vimgrep", "foo", "v1.txt"])
        .expect("v1.txt:1:3:2:a foo foo\nv1.txt:1:7:6:a foo foo\n", 0);
}

/// -U with -o: -o wins over --vimgrep (each line of a match, with the
/// match's column), and --trim trims each line before printing the part
/// of the match left in it. Expected outputs are rg 15.2's.
#[test]
fn multiline_only_matching_with_vimgrep_and_trim() {
    let f = Fixture::new();
    f.create("v3.txt", "xa\nbyz\nq\n");
    f.create("t.txt", "a  \n  b\n");
    f.create("tabs.txt", "tab\tfoo\n  \t lead foo  \n");
    let run = |args: &[&str], expected: &str| f.run_ordered(args).expect(expected, 0);
    run(
        &["--vimgrep", "-U", "-o", "a\\nby", "v3.txt"],
        "v3.txt:1:2:a\nv3.txt:2:2:by\n",
    );
    run(
        &["--vimgrep", "-U", "-o", "-b", "a\\nby", "v3.txt"],
        "v3.txt:1:2:1:a\nv3.txt:2:2:1:by\n",
    );
    run(
        &["--vimgrep", "-U", "-o", "-r", "X", "a\\nby", "v3.txt"],
        "v3.txt:1:2:X\n",
    );
    run(&["--trim", "-U", "-o", "a\\s+b", "t.txt"], "a  \nb\n");
    run(&["--trim", "-U", "-o", "foo\\n\\s+", "tabs.txt"], "foo\n");
}

/// Filenames and separators as ripgrep 15.2 sets them: -I wins over
/// --vimgrep's filenames; headings without filenames still put a blank
/// line between files (instead of the context separator); counts always
/// use `:`, whatever --field-match-separator says.
#[test]
fn filenames_headings_and_count_separators_follow_ripgrep() {
    let f = Fixture::new();
    f.create("a.txt", "foo1\nfoo2\n");
    f.create("b.txt", "a\nfoo\n");
    let run = |args: &[&str], expected: &str| f.run_ordered(args).expect(expected, 0);
    run(
        &["--vimgrep", "--no-filename", "foo", "a.txt"],
        "1:1:foo1\n2:1:foo2\n",
    );
    run(
        &["--vimgrep", "-I", "-H", "foo", "a.txt"],
        "a.txt:1:1:foo1\na.txt:2:1:foo2\n",
    );
    run(
        &["--heading", "--no-filename", "foo", "a.txt", "b.txt"],
        "foo1\nfoo2\n\nfoo\n",
    );
    run(
        &[
            "--heading",
            "-I",
            "-n",
            "-C1",
            "--context-separator",
            "XX",
            "foo",
            "a.txt",
            "b.txt",
        ],
        "1:foo1\n2:foo2\n\n1-a\n2:foo\n",
    );
    run(
        &["--field-match-separator", "|", "-H", "-c", "foo", "a.txt"],
        "a.txt:2\n",
    );
    run(
        &["--field-match-separator", "|", "-H", "-n", "foo", "a.txt"],
        "a.txt|1|foo1\na.txt|2|foo2\n",
    );
}

/// Smart case looks at every pattern together: one uppercase letter in
/// any -e makes them all case-sensitive (rg 15.2).
#[test]
fn smart_case_judges_all_patterns_together() {
    let f = Fixture::new();
    f.create("c.txt", "abc\nABC\n");
    f.run_ordered(&["-S", "-e", "abc", "-e", "XYZ", "c.txt"])
        .expect("abc\n", 0);
    f.run_ordered(&["-S", "-F", "-e", "abc", "-e", "XYZ", "c.txt"])
        .expect("abc\n", 0);
    f.run_ordered(&["-S", "-e", "abc", "-e", "xyz", "c.txt"])
        .expect("abc\nABC\n", 0);
}

/// --trim with -r trims the replaced line, not the original one (rg 15.2).
#[test]
fn trim_applies_after_replacement() {
    let f = Fixture::new();
    f.create("trim.txt", "  abc foo\nfoo   bar\n\tfoo\n");
    f.run_ordered(&["--trim", "-r", "", "foo", "trim.txt"])
        .expect("abc \nbar\n\n", 0);
    f.run_ordered(&["--trim", "-r", "X", "-n", "foo", "trim.txt"])
        .expect("1:abc X\n2:X   bar\n3:X\n", 0);
}

/// -M with --column: the matches are looked up for the column, so the
/// omitted line says how many it holds, as ripgrep 15.2 prints it.
#[test]
fn omitted_long_lines_count_their_matches_under_column() {
    let f = Fixture::new();
    f.create("long.txt", format!("{}o o\nshort foo\n", "x".repeat(40)));
    f.run_ordered(&["-M", "20", "--column", "o", "long.txt"])
        .expect(
            "1:41:[Omitted long line with 2 matches]\n2:3:short foo\n",
            0,
        );
    f.run_ordered(&["-M", "20", "o", "long.txt"])
        .expect("[Omitted long matching line]\nshort foo\n", 0);
}

/// --files-without-match -q --stats: only the statistics are printed, and
/// the exit status still says whether some file had no match (rg 15.2).
#[test]
fn files_without_match_quiet_stats_exit_status() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    let code = |pattern: &str| {
        f.run(&["--files-without-match", "--stats", "-q", pattern, "a.txt"])
            .code
    };
    assert_eq!(code("foo"), 1);
    assert_eq!(code("zzz"), 0);
}
