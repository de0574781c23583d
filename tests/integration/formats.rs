//! Output for editors and scripts: --json, --vimgrep, -r, -M, --trim,
//! --stats, separators, --passthru, --sort, colors. Expected outputs were
//! checked against ripgrep 15.2 on the same fixtures.

use crate::util::{nvim_quickfix, scrub_elapsed, tool_available, Fixture};

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.create("a.txt", "alpha foo bar\nbeta\nfoo foo gamma\n");
    f.create("latin1.txt", b"caf\xe9 foo\n");
    f.create("sub/b.txt", "nothing\nfoo here\n");
    f
}

#[test]
fn json_matches_ripgrep_schema_exactly() {
    let f = fixture();
    let run = f.run_ordered(&["--json", "-C1", "foo", "a.txt", "latin1.txt"]);
    assert_eq!(run.code, 0);
    let expected = r#"{"type":"begin","data":{"path":{"text":"a.txt"}}}
{"type":"match","data":{"path":{"text":"a.txt"},"lines":{"text":"alpha foo bar\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo"},"start":6,"end":9}]}}
{"type":"context","data":{"path":{"text":"a.txt"},"lines":{"text":"beta\n"},"line_number":2,"absolute_offset":14,"submatches":[]}}
{"type":"match","data":{"path":{"text":"a.txt"},"lines":{"text":"foo foo gamma\n"},"line_number":3,"absolute_offset":19,"submatches":[{"match":{"text":"foo"},"start":0,"end":3},{"match":{"text":"foo"},"start":4,"end":7}]}}
{"type":"end","data":{"path":{"text":"a.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":33,"bytes_printed":583,"matched_lines":2,"matches":3}}}
{"type":"begin","data":{"path":{"text":"latin1.txt"}}}
{"type":"match","data":{"path":{"text":"latin1.txt"},"lines":{"bytes":"Y2Fm6SBmb28K"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo"},"start":5,"end":8}]}}
{"type":"end","data":{"path":{"text":"latin1.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":9,"bytes_printed":237,"matched_lines":1,"matches":1}}}
{"data":{"elapsed_total":{},"stats":{"bytes_printed":820,"bytes_searched":42,"elapsed":{},"matched_lines":3,"matches":4,"searches":2,"searches_with_match":2}},"type":"summary"}
"#;
    assert_eq!(scrub_elapsed(&run.stdout), expected);
}

#[test]
fn json_with_replace_invert_and_no_match() {
    let f = fixture();
    let run = f.run(&["--json", "-r", "BAR", "alpha", "a.txt"]);
    assert!(run.stdout.contains(
        r#""submatches":[{"match":{"text":"alpha"},"replacement":{"text":"BAR"},"start":0,"end":5}]"#
    ), "{}", run.stdout);
    let run = f.run(&["--json", "-v", "foo", "a.txt"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[1],
        r#"{"type":"match","data":{"path":{"text":"a.txt"},"lines":{"text":"beta\n"},"line_number":2,"absolute_offset":14,"submatches":[]}}"#
    );
    assert!(
        lines[2].contains(r#""matched_lines":1,"matches":0"#),
        "{}",
        lines[2]
    );
    // Stopping early (-m): bytes searched end with the last matching line.
    let run = f.run(&["--json", "-m1", "-A1", "foo", "a.txt"]);
    assert!(
        run.stdout.contains(r#""bytes_searched":14,"#),
        "{}",
        run.stdout
    );
    // With -v, through the matching line that ends the run of
    // non-matching ones (rg 15.2: 16 bytes for "bar\nfoo\nbar\nbar\n"
    // with -m2, 8 with -m1 -A1).
    f.create("v.txt", "bar\nfoo\nbar\nbar\n");
    for (args, searched) in [(&["-m2"], 16), (&["-m1"], 8), (&["-A1"], 8)] {
        let run = f.run(&[&["--json", "-v", "-m1"][..], args, &["foo", "v.txt"]].concat());
        let expected = format!(r#""bytes_searched":{searched},"#);
        assert!(run.stdout.contains(&expected), "{args:?}: {}", run.stdout);
    }
    // -q: nothing but the summary, as rg prints it, with the whole file
    // searched and counted (rg 15.2's numbers).
    let run = f.run(&["--json", "-q", "foo", "a.txt"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.ends_with(
            "\"matched_lines\":2,\"matches\":3,\"searches\":1,\"searches_with_match\":1}},\
             \"type\":\"summary\"}\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\"bytes_printed\":0,\"bytes_searched\":33,"),
        "{}",
        run.stdout
    );
    // No match: only the summary, exit 1.
    let run = f.run(&["--json", "zzz", "a.txt"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stdout.ends_with("\"type\":\"summary\"}\n"));
}

#[test]
fn every_json_line_parses_and_submatches_slice_the_match() {
    use base64::Engine;
    let f = fixture();
    f.create("c.txt", "x ünïcode foo\tbar \"quoted\" foo\\\n");
    let run = f.run_ordered(&["--json", "-i", "-e", "fo+", "-e", "bar", "-C2"]);
    let decode = |data: &serde_json::Value| -> Vec<u8> {
        match (data.get("text"), data.get("bytes")) {
            (Some(text), None) => text.as_str().unwrap().as_bytes().to_vec(),
            (None, Some(bytes)) => base64::engine::general_purpose::STANDARD
                .decode(bytes.as_str().unwrap())
                .unwrap(),
            _ => panic!("bad data object {data}"),
        }
    };
    let mut kinds = Vec::new();
    for line in run.stdout.lines() {
        let message: serde_json::Value = serde_json::from_str(line).unwrap();
        let kind = message["type"].as_str().unwrap().to_string();
        let data = &message["data"];
        if kind == "match" || kind == "context" {
            let lines = decode(&data["lines"]);
            assert!(data["line_number"].as_u64().unwrap() >= 1);
            assert!(data["absolute_offset"].is_u64());
            for sub in data["submatches"].as_array().unwrap() {
                let (start, end) = (
                    sub["start"].as_u64().unwrap() as usize,
                    sub["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(lines[start..end], decode(&sub["match"])[..], "{line}");
            }
            if kind == "match" {
                assert!(!data["submatches"].as_array().unwrap().is_empty());
            }
        }
        if kind == "end" {
            for key in [
                "searches",
                "searches_with_match",
                "bytes_searched",
                "bytes_printed",
                "matched_lines",
                "matches",
            ] {
                assert!(data["stats"][key].is_u64(), "{key} in {line}");
            }
        }
        kinds.push(kind);
    }
    assert_eq!(kinds.last().map(String::as_str), Some("summary"));
    // Messages of one file are contiguous: begin ... end, never interleaved.
    let mut open = false;
    for kind in &kinds {
        match kind.as_str() {
            "begin" => {
                assert!(!open);
                open = true;
            }
            "end" => {
                assert!(open);
                open = false;
            }
            "summary" => assert!(!open),
            _ => assert!(open),
        }
    }
}

#[test]
fn vimgrep_one_line_per_match() {
    fixture().run_ordered(&["--vimgrep", "foo"]).expect(
        "a.txt:1:7:alpha foo bar\na.txt:3:1:foo foo gamma\na.txt:3:5:foo foo gamma\n\
         latin1.txt:1:6:caf\u{fffd} foo\nsub/b.txt:2:1:foo here\n",
        0,
    );
}

#[test]
fn vimgrep_repeats_the_rendered_line_for_each_match() {
    let f = Fixture::new();
    f.create("t.txt", "  foo x foo\n");
    // Columns count from the untrimmed line; the text is trimmed each time
    // (same as rg 15).
    f.run(&["--vimgrep", "--trim", "foo", "t.txt"])
        .expect("t.txt:1:3:foo x foo\nt.txt:1:9:foo x foo\n", 0);
}

/// The match color as rg 15 writes it, around `text`.
fn red(text: &str) -> String {
    format!("\x1b[0m\x1b[1m\x1b[31m{text}\x1b[0m")
}

/// A vimgrep prefix with rg 15's default colors.
fn colored_prefix(path: &str, line: u32, column: u32) -> String {
    format!("\x1b[0m\x1b[35m{path}\x1b[0m:\x1b[0m\x1b[32m{line}\x1b[0m:\x1b[0m{column}\x1b[0m:")
}

#[test]
fn vimgrep_colors_only_the_match_each_copy_stands_for() {
    let f = Fixture::new();
    f.create("a.txt", "foo bar foo\nxx foo\n");
    // Outputs copied from rg 15.2.
    let expected = format!(
        "{}{} bar foo\n{}foo bar {}\n{}xx {}\n",
        colored_prefix("a.txt", 1, 1),
        red("foo"),
        colored_prefix("a.txt", 1, 9),
        red("foo"),
        colored_prefix("a.txt", 2, 4),
        red("foo"),
    );
    f.run(&["--vimgrep", "--color", "always", "foo", "a.txt"])
        .expect(&expected, 0);
    // With -r the replacement is colored, and the column is where it
    // starts in the replaced line.
    let expected = format!(
        "{}{} bar ZZ\n{}ZZ bar {}\n{}xx {}\n",
        colored_prefix("a.txt", 1, 1),
        red("ZZ"),
        colored_prefix("a.txt", 1, 8),
        red("ZZ"),
        colored_prefix("a.txt", 2, 4),
        red("ZZ"),
    );
    f.run(&["--vimgrep", "--color", "always", "-r", "ZZ", "foo", "a.txt"])
        .expect(&expected, 0);
    f.run(&["--vimgrep", "-r", "ZZZZZ", "foo", "a.txt"]).expect(
        "a.txt:1:1:ZZZZZ bar ZZZZZ\na.txt:1:11:ZZZZZ bar ZZZZZ\na.txt:2:4:xx ZZZZZ\n",
        0,
    );
    f.run(&["--color", "always", "-r", "ZZ", "foo", "a.txt"])
        .expect(
            &format!("{} bar {}\nxx {}\n", red("ZZ"), red("ZZ"), red("ZZ")),
            0,
        );
}

#[test]
fn inverted_matches_have_no_column() {
    let f = Fixture::new();
    f.create("a.txt", "foo bar foo\nxx foo\n");
    f.run(&["--vimgrep", "-v", "bar", "a.txt"])
        .expect("a.txt:2:xx foo\n", 0);
    f.run(&["--column", "-v", "bar", "a.txt"])
        .expect("2:xx foo\n", 0);
}

#[test]
fn only_matching_with_vimgrep_replace_and_max_columns() {
    let f = Fixture::new();
    f.create("a.txt", "foo bar foo\nxx foo\n");
    // -o wins over --vimgrep.
    f.run(&["--vimgrep", "-o", "foo", "a.txt"])
        .expect("a.txt:1:1:foo\na.txt:1:9:foo\na.txt:2:4:foo\n", 0);
    // Column and byte offset of a replacement are in the replaced line.
    f.run(&["-o", "-r", "X", "--column", "-b", "foo", "a.txt"])
        .expect("1:1:0:X\n1:7:6:X\n2:4:15:X\n", 0);
    f.run(&["-o", "-M2", "foo", "a.txt"]).expect(
        "[Omitted long matching line]\n[Omitted long matching line]\n[Omitted long matching line]\n",
        0,
    );
    f.run(&[
        "-o",
        "-M2",
        "--max-columns-preview",
        "-r",
        "QQQQ",
        "foo",
        "a.txt",
    ])
    // rg 15.2 counts "xx QQQQ"'s replacement (at 3) as past the cut (2) of
    // the replacement itself.
    .expect(
        "QQ [... 0 more matches]\nQQ [... 0 more matches]\nQQ [... 1 more match]\n",
        0,
    );
}

#[test]
fn vimgrep_output_loads_into_neovim_quickfix() {
    if !tool_available("nvim") {
        return;
    }
    let f = fixture();
    let out = f.cmd(&["--vimgrep", "foo"]).output().unwrap();
    std::fs::write(f.path().join("vimgrep.out"), &out.stdout).unwrap();
    assert_eq!(
        nvim_quickfix(f.path(), None, &["cexpr readfile('vimgrep.out')"]),
        "a.txt|1|7|alpha foo bar|1\na.txt|3|1|foo foo gamma|1\na.txt|3|5|foo foo gamma|1\n\
         latin1.txt|1|6|caf\u{fffd} foo|1\nsub/b.txt|2|1|foo here|1\n"
    );
}

#[test]
fn replace_with_capture_references() {
    let f = fixture();
    f.run(&["-r", "X$0", "foo", "a.txt"])
        .expect("alpha Xfoo bar\nXfoo Xfoo gamma\n", 0);
    f.run(&["-r", "[$1]", "(o+)", "a.txt"])
        .expect("alpha f[oo] bar\nf[oo] f[oo] gamma\n", 0);
    f.run(&["-o", "-r", "${x}!", "(?P<x>fo)o", "a.txt"])
        .expect("fo!\nfo!\nfo!\n", 0);
    f.run(&["-r", "$$", "beta", "a.txt"]).expect("$\n", 0);
    // Files are never changed.
    assert_eq!(
        std::fs::read_to_string(f.path().join("a.txt")).unwrap(),
        "alpha foo bar\nbeta\nfoo foo gamma\n"
    );
}

#[test]
fn max_columns_and_preview() {
    let f = fixture();
    f.run(&["-M5", "foo", "a.txt"]).expect(
        "[Omitted long matching line]\n[Omitted long matching line]\n",
        0,
    );
    f.run(&["-M5", "--max-columns-preview", "foo", "a.txt"])
        .expect(
            "alpha [... omitted end of long line]\nfoo f [... omitted end of long line]\n",
            0,
        );
    // The terminator counts: "beta\n" is 5 bytes, as in rg.
    f.run(&["-M5", "-C1", "beta", "a.txt"]).expect(
        "[Omitted long context line]\nbeta\n[Omitted long context line]\n",
        0,
    );
    // Where the matches are known (colors, -r, --vimgrep), an omitted line
    // says how many it has and a preview how many start beyond it (rg 15).
    f.run(&["-M5", "-r", "Q", "foo", "a.txt"]).expect(
        "[Omitted long line with 1 matches]\n[Omitted long line with 2 matches]\n",
        0,
    );
    f.run(&["-M5", "--vimgrep", "-v", "foo", "a.txt"])
        .expect("a.txt:2:beta\n", 0);
    f.run(&["-M5", "--max-columns-preview", "-r", "Q", "foo", "a.txt"])
        .expect("alpha [... 1 more match]\nQ Q g [... 0 more matches]\n", 0);
    f.run(&["-M5", "--max-columns-preview", "--vimgrep", "foo", "a.txt"])
        .expect(
            "a.txt:1:7:alpha [... 1 more match]\na.txt:3:1:foo f [... 0 more matches]\n\
             a.txt:3:5:foo f [... 0 more matches]\n",
            0,
        );
    f.run(&[
        "-M5",
        "--max-columns-preview",
        "--color",
        "always",
        "foo",
        "a.txt",
    ])
    .expect(
        &format!(
            "alpha [... 1 more match]\n{} {} [... 0 more matches]\n",
            red("foo"),
            red("f")
        ),
        0,
    );
}

#[test]
fn trim_and_include_zero() {
    let f = Fixture::new();
    f.create("t.txt", "  \tindented x\nx\n");
    f.create("u.txt", "none\n");
    // Skipped at its NUL, so not searched: no zero count for it (rg 15).
    f.create("v.bin", "none\0\n");
    f.run(&["--trim", "-n", "x", "t.txt"])
        .expect("1:indented x\n2:x\n", 0);
    f.run_ordered(&["-c", "--include-zero", "x"])
        .expect("t.txt:2\nu.txt:0\n", 0);
}

#[test]
fn column_byte_offset_null_and_path_separator() {
    let f = fixture();
    f.run(&["--path-separator", "\\", "here"])
        .expect("sub\\b.txt:foo here\n", 0);
    f.run(&["-0", "--column", "here"])
        .expect("sub/b.txt\x002:5:foo here\n", 0);
}

#[test]
fn stats_block() {
    let f = fixture();
    let run = f.run(&["--stats", "foo", "a.txt", "sub/b.txt"]);
    let (results, stats) = run.stdout.split_once("\n\n").unwrap();
    assert_eq!(
        results,
        "a.txt:alpha foo bar\na.txt:foo foo gamma\nsub/b.txt:foo here"
    );
    let lines: Vec<&str> = stats.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "4 matches",
            "3 matched lines",
            "2 files contained matches",
            "2 files searched",
            "59 bytes printed",
            "50 bytes searched"
        ]
    );
    assert!(lines[6].ends_with(" seconds spent searching"));
    assert!(lines[7].ends_with(" seconds total"));
    // With -q every file is still searched in full and counted (rg 15.2).
    let run = f.run(&["--stats", "-q", "foo", "a.txt", "sub/b.txt"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "",
            "4 matches",
            "3 matched lines",
            "2 files contained matches",
            "2 files searched",
            "0 bytes printed",
            "50 bytes searched"
        ]
    );
}

#[test]
fn separators_and_passthru() {
    let f = fixture();
    f.run(&[
        "--context-separator",
        "XX",
        "-A1",
        "foo",
        "a.txt",
        "sub/b.txt",
    ])
    .expect(
        "a.txt:alpha foo bar\na.txt-beta\na.txt:foo foo gamma\nXX\nsub/b.txt:foo here\n",
        0,
    );
    f.run(&["--no-context-separator", "-A1", "foo", "a.txt", "sub/b.txt"])
        .expect(
            "a.txt:alpha foo bar\na.txt-beta\na.txt:foo foo gamma\nsub/b.txt:foo here\n",
            0,
        );
    f.run(&[
        "--field-match-separator=@",
        "--field-context-separator=+",
        "-n",
        "-B1",
        "gamma",
        "a.txt",
    ])
    .expect("2+beta\n3@foo foo gamma\n", 0);
    f.run(&["--passthru", "-n", "beta", "a.txt"])
        .expect("1-alpha foo bar\n2:beta\n3-foo foo gamma\n", 0);
    // No `--` between files either (rg 15.2).
    f.run(&["--passthru", "here", "a.txt", "sub/b.txt"]).expect(
        "a.txt-alpha foo bar\na.txt-beta\na.txt-foo foo gamma\nsub/b.txt-nothing\nsub/b.txt:foo here\n",
        0,
    );
}

#[test]
fn sort_orders_stay_parallel_and_deterministic() {
    let f = Fixture::new();
    f.create("b.txt", "x\n");
    f.create("a/c.txt", "x\n");
    f.create("d.txt", "x\n");
    let set_mtime = |name: &str, secs: i64| {
        let file = std::fs::File::options()
            .write(true)
            .open(f.path().join(name))
            .unwrap();
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64);
        file.set_modified(time).unwrap();
    };
    set_mtime("b.txt", 1_000_000);
    set_mtime("d.txt", 2_000_000);
    f.run_ordered(&["-l", "--sort", "path", "x"])
        .expect("a/c.txt\nb.txt\nd.txt\n", 0);
    f.run_ordered(&["-l", "--sortr", "path", "x"])
        .expect("d.txt\nb.txt\na/c.txt\n", 0);
    // rg's deprecated --sort-files is --sort path; the last flag wins.
    f.run_ordered(&["-l", "--sortr", "path", "--sort-files", "x"])
        .expect("a/c.txt\nb.txt\nd.txt\n", 0);
    f.run_ordered(&["-l", "--sort-files", "--sortr", "path", "x"])
        .expect("d.txt\nb.txt\na/c.txt\n", 0);
    f.run_ordered(&["-l", "--sort", "modified", "x", "b.txt", "d.txt"])
        .expect("b.txt\nd.txt\n", 0);
    let run = f.run_ordered(&["-l", "--sortr", "modified", "-g", "*.txt", "-g", "!a", "x"]);
    run.expect("d.txt\nb.txt\n", 0);
}

#[test]
fn color_specs() {
    let f = fixture();
    f.run(&[
        "--color",
        "always",
        "--colors",
        "match:fg:blue",
        "--colors",
        "line:none",
        "-n",
        "beta",
        "a.txt",
    ])
    .expect("\x1b[0m2\x1b[0m:\x1b[0m\x1b[1m\x1b[34mbeta\x1b[0m\n", 0);
    f.run(&["-p", "beta", "a.txt"]).expect(
        "2:\x1b[0m\x1b[1m\x1b[31mbeta\x1b[0m\n"
            .replace("2:", "\x1b[0m\x1b[32m2\x1b[0m:")
            .as_str(),
        0,
    );
    let run = f.run(&["--colors", "nope:fg:red", "x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unrecognized output type 'nope'"),
        "{}",
        run.stderr
    );
    // NO_COLOR and TERM=dumb only matter for --color auto on a terminal;
    // piped output has no colors either way.
    let out = f
        .cmd(&["beta", "a.txt"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"beta\n");
}

#[test]
fn json_summary_counts_every_file_under_any_scheduling() {
    // Regression: a worker added its file's stats after closing the reply
    // channel, so the printer could write the summary without them.
    let f = Fixture::new();
    for i in 0..20 {
        f.create(&format!("f{i:02}.txt"), "foo\nbar foo\n");
    }
    let expected = scrub_elapsed(&f.run(&["-j1", "--json", "foo"]).stdout);
    assert!(
        expected.contains(r#""searches":20,"searches_with_match":20"#),
        "{expected}"
    );
    for _ in 0..20 {
        let run = f
            .cmd(&["-j8", "--json", "foo"])
            .env("TRAWL_TEST_WORKER_DELAY_US", "3000")
            .output()
            .unwrap();
        assert_eq!(
            scrub_elapsed(&String::from_utf8_lossy(&run.stdout)),
            expected
        );
    }
}

#[test]
fn empty_matches_count_and_print_like_ripgrep() {
    let f = Fixture::new();
    f.create("e.txt", "xoo\nab\n");
    // Outputs copied from rg 15.2: an empty match is a match (counted,
    // listed, printed as an empty -o line) but never past the line's end.
    f.run(&["--count-matches", "o*", "e.txt"]).expect("5\n", 0);
    f.run(&["--vimgrep", "o*", "e.txt"]).expect(
        "e.txt:1:1:xoo\ne.txt:1:2:xoo\ne.txt:2:1:ab\ne.txt:2:2:ab\ne.txt:2:3:ab\n",
        0,
    );
    f.run(&["-o", "--color", "always", "o*", "e.txt"])
        .expect(&format!("\n{}\n\n\n\n", red("oo")), 0);
    let run = f.run(&["--json", "o*", "e.txt"]);
    assert!(
        run.stdout.contains(
            r#""submatches":[{"match":{"text":""},"start":0,"end":0},{"match":{"text":"oo"},"start":1,"end":3}]"#
        ),
        "{}",
        run.stdout
    );
}
