//! Differences from rg 15.2 found in a review sweep after the merges of the
//! engine, inputs and cli branches (`rg --sort path` vs trawl, piped).

use crate::util::Fixture;

#[test]
fn multiline_max_count_trailing_context_matches_are_matches() {
    // rg 15.2: rg --sort path -n -U -m1 -A3 'o$' ff
    let f = Fixture::new();
    f.create("ff", "foo\nfoo\nx\nfoo\n");
    f.run_ordered(&["-n", "-U", "-m1", "-A3", "o$", "ff"])
        .expect("1:foo\n2:foo\n3-x\n4:foo\n", 0);
    // rg 15.2: rg --sort path -c -U -m1 -A3 'o$' ff
    f.run_ordered(&["-c", "-U", "-m1", "-A3", "o$", "ff"])
        .expect("3\n", 0);
    // Each context line is tested on its own: `o\nb` spanning lines 3-4
    // leaves them context; rg 15.2: rg -n -U -m1 -A3 'o\nb|z$' g
    f.create("g", "foo\nbar\nfoo\nbaz\n");
    f.run_ordered(&["-n", "-U", "-m1", "-A3", "o\\nb|z$", "g"])
        .expect("1:foo\n2:bar\n3-foo\n4:baz\n", 0);
}

#[test]
fn color_crlf_ends_colored_lines_with_crlf() {
    // rg 15.2: rg --sort path --color always --crlf -C1 foo a.txt
    // A colored match line ends with "\r\n" even after a bare "\n"; a
    // context line (nothing colored) keeps its own terminator.
    let f = Fixture::new();
    f.create("a.txt", "x foo\nctx\n");
    f.run_ordered(&["--color", "always", "--crlf", "-C1", "foo", "a.txt"])
        .expect("x \x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\r\nctx\n", 0);
    // Without colored matches (`match:none`), the line is printed as is.
    f.run_ordered(&[
        "--color",
        "always",
        "--colors",
        "match:none",
        "--crlf",
        "foo",
        "a.txt",
    ])
    .expect("x foo\n", 0);
}

/// A file named explicitly (memory-mapped) with its first NUL past the
/// first 64 KiB, on line 40003, after a match on line 40002.
fn late_nul() -> Fixture {
    let f = Fixture::new();
    let mut text = b"foo\n".to_vec();
    text.extend(b"f\n".repeat(40000));
    text.extend(b"foo\na\0b foo\nzzz\nfoo\n");
    f.create("c1", text);
    f
}

/// stdout without the timing lines of --stats.
fn untimed(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|line| !line.contains(" seconds"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn mapped_binary_match_counts_its_matches_and_bytes_up_to_the_nul() {
    // rg 15.2: rg --stats foo c1 (timing lines left out)
    let run = late_nul().run(&["--stats", "foo", "c1"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        untimed(&run.stdout),
        "foo\nfoo\nbinary file matches (found \"\\0\" byte around offset 80009)\n\n\
         3 matches\n3 matched lines\n1 files contained matches\n1 files searched\n\
         66 bytes printed\n80009 bytes searched\n"
    );
    // rg 15.2: rg -c --stats foo c1: a summary reads on, counting to the NUL.
    let run = late_nul().run(&["-c", "--stats", "foo", "c1"]);
    assert_eq!(
        untimed(&run.stdout),
        "4\n\n4 matches\n4 matched lines\n1 files contained matches\n1 files searched\n\
         0 bytes printed\n80009 bytes searched\n"
    );
}

#[test]
fn mapped_binary_nul_in_context_line_stops_the_file() {
    // rg 15.2: rg -n --passthru foo c1 (last lines): the NUL in a context
    // line is seen too, and ends the file with the notice.
    let run = late_nul().run(&["-n", "--passthru", "foo", "c1"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.ends_with(
            "40001-f\n40002:foo\nbinary file matches (found \"\\0\" byte around offset 80009)\n"
        ),
        "{}",
        run.stdout
    );
    // rg 15.2: rg -n -B1 foo b1: a before-context line holding the NUL.
    let f = Fixture::new();
    let mut text = b"foo\n".to_vec();
    text.extend(b"filler\n".repeat(10000));
    text.extend(b"a\0b\nfoo\nzzz\n");
    f.create("b1", text);
    f.run(&["-n", "-B1", "foo", "b1"]).expect(
        "1:foo\n--\nbinary file matches (found \"\\0\" byte around offset 70005)\n",
        0,
    );
    // rg 15.2: rg --stats -B1 foo b1: stopped at a context line, bytes
    // searched end with the last match; rg --json -B1 foo b1 reads on, to
    // the NUL.
    let run = f.run(&["--stats", "-B1", "foo", "b1"]);
    assert!(
        untimed(&run.stdout).ends_with("\n4 bytes searched\n"),
        "{}",
        run.stdout
    );
    let run = f.run(&["--json", "-B1", "foo", "b1"]);
    assert!(
        run.stdout.contains(r#""binary_offset":70005,"#),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(r#""bytes_searched":70005,"#),
        "{}",
        run.stdout
    );
}

#[test]
fn files_with_matches_and_quiet_read_the_whole_file_with_invert() {
    // rg 15.2 reads the whole file with -v before -l or -q decide, so a
    // NUL byte past the first 64 KiB, after the first non-matching line,
    // makes a file found in a walk binary: no match.
    let f = Fixture::new();
    let mut text = b"foo\nxx\n".to_vec();
    text.extend(b"foo\n".repeat(20000));
    text.extend(b"\0\n");
    f.create("d/late.bin", text);
    // rg 15.2: rg --sort path -q -v foo d (exit 1, nothing printed)
    f.run(&["-q", "-v", "foo", "d"]).expect("", 1);
    // rg 15.2: rg --sort path -l -v foo d
    f.create("d/text.txt", "foo\nbar\n");
    f.run_ordered(&["-l", "-v", "foo", "d"])
        .expect("d/text.txt\n", 0);
    f.run(&["-q", "-v", "foo", "d"]).expect("", 0);
    // Without -v, the first match decides before the NUL is seen.
    f.run_ordered(&["-l", "foo", "d"])
        .expect("d/late.bin\nd/text.txt\n", 0);
}

#[test]
fn multiline_walk_binary_block_prints_its_context_first() {
    // A file found in a walk, its NUL past 64 KiB in a -U match block: as
    // in rg, the context before the block is printed, then the file ends
    // with the warning.
    let f = Fixture::new();
    let mut text = b"foo\n".to_vec();
    text.extend(b"a\n".repeat(40000));
    text.extend(b"foo\nb\nc\nd\0 foo\n");
    f.create("d/blk.bin", text);
    // rg 15.2: rg --sort path -n -U -B1 -A1 'foo$' d
    f.run_ordered(&["-n", "-U", "-B1", "-A1", "foo$", "d"]).expect(
        "d/blk.bin:1:foo\nd/blk.bin-2-a\n--\nd/blk.bin-40001-a\nd/blk.bin:40002:foo\n\
         d/blk.bin-40003-b\nd/blk.bin-40004-c\n\
         d/blk.bin: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 80013)\n",
        0,
    );
}

#[test]
fn max_columns_preview_counts_grapheme_clusters() {
    // rg 15.2: rg -M5 --max-columns-preview foo comb.txt: the preview is
    // the first 5 grapheme clusters (e + U+0301 is one; an invalid byte
    // is one), not 5 bytes.
    let f = Fixture::new();
    f.create(
        "comb.txt",
        b"e\xcc\x81e\xcc\x81e\xcc\x81abcdefgh foo\n\xff\xfe\xfdabcdefghijk foo\n",
    );
    let run = f.run_ordered(&["-M5", "--max-columns-preview", "foo", "comb.txt"]);
    assert_eq!(run.code, 0);
    let expected = "e\u{301}e\u{301}e\u{301}ab [... omitted end of long line]\n\
                    \u{fffd}\u{fffd}\u{fffd}ab [... omitted end of long line]\n";
    assert_eq!(run.stdout, expected);
    // rg 15.2: rg -M20 --max-columns-preview foo uni.txt (23 bytes, 15
    // characters: all shown)
    f.create("uni.txt", "Ünïcödé foo ÄÖÜ\n");
    f.run_ordered(&["-M20", "--max-columns-preview", "foo", "uni.txt"])
        .expect("Ünïcödé foo ÄÖÜ [... omitted end of long line]\n", 0);
}

#[test]
fn multiline_max_count_bytes_searched_end_at_a_trailing_match() {
    // rg 15.2: rg --json -U -m1 -A2 'o$' ff: the trailing-context match on
    // line 2 ends the count (8 bytes); with none, the whole file (14).
    let f = Fixture::new();
    f.create("ff", "foo\nfoo\nx\nfoo\n");
    let run = f.run(&["--json", "-U", "-m1", "-A2", "o$", "ff"]);
    assert!(
        run.stdout.contains(r#""bytes_searched":8,"#),
        "{}",
        run.stdout
    );
    // rg 15.2: rg --json -U -m1 -A1 'x$' ff
    let run = f.run(&["--json", "-U", "-m1", "-A1", "x$", "ff"]);
    assert!(
        run.stdout.contains(r#""bytes_searched":14,"#),
        "{}",
        run.stdout
    );
}

#[test]
fn stats_shortened_lines_say_how_many_matches() {
    // With --stats, ripgrep knows each matching line's matches, so -M and
    // --max-columns-preview count them, as with colors.
    let f = Fixture::new();
    f.create("s.txt", "a foo b foo\nctx\nfoo\n");
    // rg 15.2: rg --stats -M5 -C1 foo s.txt (first lines)
    let run = f.run(&["--stats", "-M5", "-C1", "foo", "s.txt"]);
    assert!(
        run.stdout
            .starts_with("[Omitted long line with 2 matches]\nctx\nfoo\n\n"),
        "{}",
        run.stdout
    );
    // rg 15.2: rg --stats -M5 --max-columns-preview foo s.txt
    let run = f.run(&["--stats", "-M5", "--max-columns-preview", "foo", "s.txt"]);
    assert!(
        run.stdout.starts_with("a foo [... 1 more match]\nfoo\n\n"),
        "{}",
        run.stdout
    );
    // rg 15.2: rg -M3 -C1 --vimgrep foo s.txt: a plain context line has none.
    f.run_ordered(&["-M3", "-C1", "--vimgrep", "foo", "s.txt"])
        .expect(
            "s.txt:1:3:[Omitted long line with 2 matches]\ns.txt:1:9:[Omitted long line with 2 matches]\ns.txt-2-[Omitted long context line]\n\
             s.txt:3:1:[Omitted long line with 1 matches]\n",
            0,
        );
}
