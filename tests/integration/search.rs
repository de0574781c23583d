//! Matching semantics: patterns, case, words, lines, inversion, limits.

use crate::util::Fixture;

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.create("a.txt", "alpha foo bar\nbeta\nfoo foo gamma\nFOO upper\n");
    f
}

#[test]
fn literal_search_prints_path_and_line() {
    fixture()
        .run_ordered(&["foo"])
        .expect("a.txt:alpha foo bar\na.txt:foo foo gamma\n", 0);
}

#[test]
fn no_match_exits_1() {
    fixture().run_ordered(&["nomatch"]).expect("", 1);
}

#[test]
fn ignore_case_and_case_sensitive_last_wins() {
    let f = fixture();
    let all = "a.txt:alpha foo bar\na.txt:foo foo gamma\na.txt:FOO upper\n";
    f.run(&["-i", "foo"]).expect(all, 0);
    f.run(&["--ignore-case", "-s", "foo"])
        .expect("a.txt:alpha foo bar\na.txt:foo foo gamma\n", 0);
    f.run(&["-s", "-i", "foo"]).expect(all, 0);
}

#[test]
fn smart_case() {
    let f = fixture();
    f.run(&["-S", "foo"]).expect(
        "a.txt:alpha foo bar\na.txt:foo foo gamma\na.txt:FOO upper\n",
        0,
    );
    f.run(&["-S", "FOO"]).expect("a.txt:FOO upper\n", 0);
    // A pattern with no literal stays case-sensitive.
    f.run(&["-S", r"\bF\w+"]).expect("a.txt:FOO upper\n", 0);
}

#[test]
fn word_and_line_regexp() {
    let f = Fixture::new();
    f.create("w.txt", "foobar\nfoo bar\n(-2)\nbar\n");
    f.run(&["-w", "foo", "w.txt"]).expect("foo bar\n", 0);
    f.run(&["-w", "-e", "-2", "w.txt"]).expect("(-2)\n", 0);
    f.run(&["-x", "bar", "w.txt"]).expect("bar\n", 0);
    f.run(&["-x", "foo", "w.txt"]).expect("", 1);
    // The last of -w/-x wins.
    f.run(&["-x", "-w", "foo", "w.txt"]).expect("foo bar\n", 0);
}

#[test]
fn invert_match() {
    fixture()
        .run_ordered(&["-v", "foo"])
        .expect("a.txt:beta\na.txt:FOO upper\n", 0);
}

#[test]
fn multiple_patterns_and_pattern_file() {
    let f = fixture();
    f.create("pats", "beta\nupper\n");
    f.run(&["-e", "beta", "-e", "gamma", "a.txt"])
        .expect("beta\nfoo foo gamma\n", 0);
    f.run(&["-f", "pats", "a.txt"])
        .expect("beta\nFOO upper\n", 0);
    // An empty pattern file matches nothing; inverted, everything.
    f.create("empty", "");
    f.run(&["-f", "empty", "a.txt"]).expect("", 1);
    f.run(&["-v", "-f", "empty", "a.txt"])
        .expect("alpha foo bar\nbeta\nfoo foo gamma\nFOO upper\n", 0);
}

#[test]
fn fixed_strings() {
    let f = Fixture::new();
    f.create("r.txt", "a(b\na.b\naxb\n");
    f.run(&["-F", "a.b", "r.txt"]).expect("a.b\n", 0);
    f.run(&["-F", "a(b", "r.txt"]).expect("a(b\n", 0);
    f.run(&["a.b", "r.txt"]).expect("a(b\na.b\naxb\n", 0);
}

#[test]
fn classes_and_anchors_are_line_oriented() {
    let f = Fixture::new();
    f.create("l.txt", "a\nb\nab\n");
    // \s and [^x] must not match the newline between "a" and "b".
    f.run(&[r"a\sb", "l.txt"]).expect("", 1);
    f.run(&["a[^x]b", "l.txt"]).expect("", 1);
    f.run(&["^b", "l.txt"]).expect("b\n", 0);
    f.run(&["a$", "l.txt"]).expect("a\n", 0);
    f.run(&["^ab$", "l.txt"]).expect("ab\n", 0);
}

#[test]
fn literal_newline_in_pattern_is_an_error() {
    let f = fixture();
    let run = f.run(&["-e", "a\nb"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(r#"the literal "\n" is not allowed"#),
        "{}",
        run.stderr
    );
}

#[test]
fn max_count_per_file() {
    let f = fixture();
    f.create("b.txt", "foo 1\nfoo 2\n");
    f.run_ordered(&["-m1", "foo"])
        .expect("a.txt:alpha foo bar\nb.txt:foo 1\n", 0);
    f.run(&["-m", "0", "foo"]).expect("", 1);
}

#[test]
fn crlf_dollar() {
    let f = Fixture::new();
    f.create("c.txt", "x\r\ny\n");
    f.run(&["x$", "c.txt"]).expect("", 1);
    f.run(&["--crlf", "x$", "c.txt"]).expect("x\r\n", 0);
}

#[test]
fn unicode_by_default_and_raw_bytes() {
    let f = Fixture::new();
    f.create("u.txt", "Шерлок Holmes\n");
    f.create("latin1.txt", b"caf\xe9 foo\n");
    f.run(&[r"\w+лок", "u.txt"]).expect("Шерлок Holmes\n", 0);
    let out = f.cmd(&["foo", "latin1.txt"]).output().unwrap();
    assert_eq!(out.stdout, b"caf\xe9 foo\n");
}

#[test]
fn empty_matches_do_not_invent_a_last_line() {
    let f = Fixture::new();
    f.create("e.txt", "one\ntwo\n");
    f.run(&["-n", "^", "e.txt"]).expect("1:one\n2:two\n", 0);
    f.create("n.txt", "one\ntwo");
    f.run(&["-n", "$", "n.txt"]).expect("1:one\n2:two\n", 0);
}

#[test]
fn no_unicode_makes_classes_and_case_folding_ascii() {
    let f = Fixture::new();
    f.create("u.txt", "café naïve\nÉTÉ\n");
    // Outputs as rg 15.2 gives them.
    f.run(&["-o", r"\w+", "u.txt"])
        .expect("café\nnaïve\nÉTÉ\n", 0);
    f.run(&["--no-unicode", "-o", r"\w+", "u.txt"])
        .expect("caf\nna\nve\nT\n", 0);
    f.run(&["-i", "été", "u.txt"]).expect("ÉTÉ\n", 0);
    f.run(&["--no-unicode", "-i", "été", "u.txt"]).expect("", 1);
    f.run(&["-w", "na", "u.txt"]).expect("", 1);
    f.run(&["--no-unicode", "-w", "na", "u.txt"])
        .expect("café naïve\n", 0);
    // The last of --no-unicode / --unicode wins.
    f.run(&["--no-unicode", "--unicode", "-w", "na", "u.txt"])
        .expect("", 1);
}

#[test]
fn stop_on_nonmatch_ends_a_file_at_the_first_gap() {
    let f = Fixture::new();
    f.create("s.txt", "a foo\nb foo\nc\nd foo\ne\n");
    // A run of matches longer than one read window, then a gap.
    let mut long: String = (0..20_000).map(|i| format!("l{i} foo\n")).collect();
    long.push_str("gap\nafter foo\n");
    f.create("long.txt", long);
    // Outputs as rg 15.2 gives them.
    f.run(&["--stop-on-nonmatch", "foo", "s.txt"])
        .expect("a foo\nb foo\n", 0);
    f.run(&["--stop-on-nonmatch", "-A1", "foo", "s.txt"])
        .expect("a foo\nb foo\nc\n", 0);
    f.run(&["--stop-on-nonmatch", "-v", "foo", "s.txt"])
        .expect("c\ne\n", 0);
    f.run(&["--stop-on-nonmatch", "-c", "foo", "long.txt"])
        .expect("20000\n", 0);
    f.run(&["--stop-on-nonmatch", "-c", "--no-mmap", "foo", "long.txt"])
        .expect("20000\n", 0);
    let run = f.run(&["--stop-on-nonmatch", "--json", "foo", "s.txt"]);
    assert!(
        run.stdout.contains("\"bytes_searched\":14,"),
        "{}",
        run.stdout
    );
}

#[test]
fn byte_order_marks_are_decoded_like_ripgrep() {
    let f = Fixture::new();
    // UTF-16LE and UTF-16BE with their BOMs, and UTF-8 with a BOM. Without
    // decoding the UTF-16 files would be binary (NUL bytes) and skipped.
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("hi foo\nbar\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("hi foo\n".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    f.create("le.txt", utf16le);
    f.create("be.txt", utf16be);
    f.create("bom8.txt", b"\xEF\xBB\xBFfoo bom\n");
    // Columns and offsets are those of the decoded text (rg 15.2's output).
    f.run_ordered(&["-n", "--column", "foo"]).expect(
        "be.txt:1:4:hi foo\nbom8.txt:1:1:foo bom\nle.txt:1:4:hi foo\n",
        0,
    );
    f.run(&["-b", "bar", "le.txt"]).expect("7:bar\n", 0);
    f.run(&["--no-mmap", "-c", "foo", "le.txt"])
        .expect("1\n", 0);
    // Named files of 16 MiB or more are mapped; a BOM there is decoded too.
    let big_text = format!("{}foo end\n", "x\n".repeat(4_300_000));
    let big: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(big_text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert!(big.len() > 16 << 20);
    f.create("big16.txt", big);
    f.run(&["-n", "foo", "big16.txt"])
        .expect("4300001:foo end\n", 0);
}

#[test]
fn encoding_flag_decodes_or_disables_decoding() {
    let f = Fixture::new();
    f.create("l1.txt", b"caf\xe9 foo\n");
    let utf16le_without_bom: Vec<u8> = "hi foo\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    f.create("u16.txt", utf16le_without_bom);
    f.create("bom8.txt", b"\xEF\xBB\xBFfoo bom\n");
    // Outputs as rg 15.2 gives them.
    f.run(&["-E", "latin1", "-o", "caf.", "l1.txt"])
        .expect("café\n", 0);
    f.run(&["-E", "utf-16le", "foo", "u16.txt"])
        .expect("hi foo\n", 0);
    // Without the flag that file is binary (NUL bytes) and has no "foo".
    f.run(&["foo", "u16.txt"]).expect("", 1);
    // none: raw bytes, the byte order mark included in columns.
    f.run(&["-E", "none", "--column", "foo", "bom8.txt"])
        .expect("1:4:\u{feff}foo bom\n", 0);
    f.run(&[
        "-E",
        "latin1",
        "--no-encoding",
        "--column",
        "foo",
        "bom8.txt",
    ])
    .expect("1:1:foo bom\n", 0);
    // A byte order mark wins over -E and is removed; after a UTF-8 mark,
    // invalid UTF-8 passes through unchanged (not as U+FFFD).
    f.run(&["-E", "latin1", "--column", "foo", "bom8.txt"])
        .expect("1:1:foo bom\n", 0);
    f.create("bad8.txt", b"\xEF\xBB\xBFfoo \xFF bad\n");
    f.run(&["-c", r"(?-u:\xFF)", "bad8.txt"]).expect("1\n", 0);
    let run = f.run(&["-E", "bogus", "foo", "l1.txt"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown encoding: bogus"),
        "{}",
        run.stderr
    );
}

/// Candidate lines are found with a required inner literal, taking in
/// what a neighbouring `x+` always puts against it ("sthes", not "the"),
/// and every line the pattern matches is still found.
#[test]
fn inner_literal_takes_in_neighbouring_repetitions() {
    let f = Fixture::new();
    f.create(
        "a.txt",
        "was thesis\nawwsss thess www\nthe rest\nxsthesy\nabababthe end\n",
    );
    let strategy = |run: &crate::util::Run, literal: &str| {
        let line = format!("pattern search: inner literal \"{literal}\" (memmem)");
        assert!(run.stderr.contains(&line), "{}", run.stderr);
    };
    let run = f.run(&["--debug", "-n", r"w+s+\s+thes+\s+w+", "a.txt"]);
    run.expect("2:awwsss thess www\n", 0);
    strategy(&run, "thes");
    let run = f.run(&["--debug", "-n", r"s+thes+", "a.txt"]);
    run.expect("4:xsthesy\n", 0);
    strategy(&run, "sthes");
    let run = f.run(&["--debug", "-n", r"\w(ab)+the\s", "a.txt"]);
    run.expect("5:abababthe end\n", 0);
    strategy(&run, "abthe");
}

/// -c, -v -c, -l -v, -q -v and --files-without-match count matching lines
/// in bulk (`Sink::counts_only`) rather than visiting each; every count is
/// ripgrep 15.2's, over 99,999 short lines (a fifth empty, the last without
/// its terminator), with --crlf, --null-data, -m, context flags, -P, -U.
#[test]
fn counts_over_dense_lines_are_ripgreps() {
    let f = Fixture::new();
    let dense = |eol: &str| {
        (1..100_000)
            .map(|i: u32| {
                if i.is_multiple_of(5) {
                    String::new()
                } else {
                    i.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(eol)
    };
    f.create("dense.txt", dense("\n"));
    f.create("crlf.txt", dense("\r\n"));
    f.create("nul.txt", dense("\0"));
    f.create("x.txt", "x\nx\nx\n");
    let cases: &[(&[&str], &str, i32)] = &[
        (&["-c", "1", "dense.txt"], "34073\n", 0),
        (&["-v", "-c", "1", "dense.txt"], "65926\n", 0),
        (&["-c", "^$", "dense.txt"], "19999\n", 0),
        (&["-v", "-c", "^$", "dense.txt"], "80000\n", 0),
        (&["-c", "^", "dense.txt"], "99999\n", 0),
        (&["-c", "", "dense.txt"], "99999\n", 0),
        (&["-v", "-c", "x", "dense.txt"], "99999\n", 0),
        (&["-c", "-P", "-v", r"\d", "dense.txt"], "19999\n", 0),
        (&["-m", "1000", "-v", "-c", "1", "dense.txt"], "1000\n", 0),
        (&["-m", "70000", "-v", "-c", "1", "dense.txt"], "65926\n", 0),
        (&["-m", "99999", "-v", "-c", "x", "dense.txt"], "99999\n", 0),
        (&["-m", "99998", "-v", "-c", "x", "dense.txt"], "99998\n", 0),
        (&["-m", "5", "-c", "^$", "dense.txt"], "5\n", 0),
        (&["-m", "0", "-c", "1", "dense.txt"], "", 1),
        (&["--crlf", "-c", "^$", "crlf.txt"], "19999\r\n", 0),
        (&["--crlf", "-v", "-c", "5$", "crlf.txt"], "99999\r\n", 0),
        (&["-c", "^$", "crlf.txt"], "", 1),
        (&["--null-data", "-c", "1", "nul.txt"], "34073\0", 0),
        (&["--null-data", "-v", "-c", "1", "nul.txt"], "65926\0", 0),
        (&["-c", "-A1", "^$", "dense.txt"], "19999\n", 0),
        (&["-c", "-B2", "-v", "1", "dense.txt"], "65926\n", 0),
        (&["-c", "-U", "-v", "1$", "dense.txt"], "89999\n", 0),
        (&["--count-matches", "-v", "1", "dense.txt"], "65926\n", 0),
        (
            &["-c", "-v", "1", "dense.txt", "x.txt"],
            "dense.txt:65926\nx.txt:3\n",
            0,
        ),
        (&["-l", "-v", "1", "dense.txt"], "dense.txt\n", 0),
        (&["-q", "-v", "1", "dense.txt"], "", 0),
        (
            &["--files-without-match", "1", "dense.txt", "x.txt"],
            "x.txt\n",
            0,
        ),
    ];
    for &(args, stdout, code) in cases {
        let run = f.run_ordered(args);
        assert_eq!(run.stdout, stdout, "{args:?}: {}", run.stderr);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    }
}
