//! Regex engines and line terminators: PCRE2 (-P, --engine), --crlf,
//! --null-data, and the command-line shapes of editors and coding agents
//! (VS Code's `--crlf --engine auto --json`, agents' `-U --multiline-dotall`).
//! Every expected output was produced by ripgrep 15.2 (`rg --sort path`, the
//! order trawl always prints in) and reviewed.

use crate::util::Fixture;

/// Source files with CRLF and LF line ends, a text file and a hidden file.
fn tree() -> Fixture {
    let f = Fixture::new();
    f.create(
        "src/win.rs",
        "fn main() {\r\n    let foo = bar(1);\r\n    // TODO: fix foo\r\n    println!(\"foo bar\");\r\n}\r\n",
    );
    f.create(
        "src/unix.rs",
        "fn helper() {\n    let bar = foo(2);\n    return foobar;\n}\n\nfn other() { foo() }\n",
    );
    f.create(
        "docs/notes.txt",
        "Hello World\nhello world\nthe the cat\nabc abc\nfoo\nbar\nfoo\nbaz\n",
    );
    f.create(".hidden/h.txt", "secret foo\n");
    f
}

#[test]
fn pcre2_version_and_version_name_the_jit() {
    let f = Fixture::new();
    let run = f.run(&["--pcre2-version"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("PCRE2 10.") && run.stdout.contains(" is available (JIT is"),
        "{}",
        run.stdout
    );
    let version = f.run(&["--version"]);
    assert!(version.stdout.contains("+pcre2"), "{}", version.stdout);
    assert!(version.stdout.ends_with(&run.stdout), "{}", version.stdout);
}

#[test]
fn default_engine_suggests_pcre2() {
    // rg 15.2 ends the error with the same hint; -P --no-pcre2 and
    // --engine pcre2 --engine default are the default engine (last wins).
    for args in [
        &[r"(\w+) \1"][..],
        &["-P", "--no-pcre2", r"(\w+) \1"],
        &["--engine", "pcre2", "--engine", "default", r"(\w+) \1"],
    ] {
        let run = tree().run(args);
        assert_eq!(run.code, 2);
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr.contains("backreferences are not supported")
                && run.stderr.ends_with(
                    "Consider enabling PCRE2 with the --pcre2 flag, which can handle backreferences\nand look-around.\n"
                ),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn engine_auto_reports_both_errors() {
    let run = tree().run(&["--engine", "auto", "("]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(
            "trawl: regex could not be compiled with either the default regex engine or with PCRE2.\n\ndefault regex engine error:\n"
        ) && run.stderr.ends_with(
            "PCRE2 regex engine error:\nPCRE2: error compiling pattern at offset 5: missing closing parenthesis\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn pcre2_error_names_the_offset() {
    let run = tree().run(&["-P", "a)"]);
    assert_eq!(
        run.stderr,
        "trawl: PCRE2: error compiling pattern at offset 5: unmatched closing parenthesis\n"
    );
    assert_eq!(run.code, 2);
}

#[test]
fn pcre2_look_behind() {
    // rg 15.2: rg --sort path -P -n (?<=let\s)\w+
    tree().run_ordered(&["-P", "-n", "(?<=let\\s)\\w+"]).expect(
        "src/unix.rs:2:    let bar = foo(2);\nsrc/win.rs:2:    let foo = bar(1);\r\n",
        0,
    );
}

#[test]
fn pcre2_backreference() {
    // rg 15.2: rg --sort path -P (\w+) \1
    tree()
        .run_ordered(&["-P", "(\\w+) \\1"])
        .expect("docs/notes.txt:the the cat\ndocs/notes.txt:abc abc\n", 0);
}

#[test]
fn pcre2_ignore_case_word() {
    // rg 15.2: rg --sort path -P -i -w FOO
    tree().run_ordered(&["-P", "-i", "-w", "FOO"]).expect(
        "docs/notes.txt:foo\ndocs/notes.txt:foo\nsrc/unix.rs:    let bar = foo(2);\nsrc/unix.rs:fn other() { foo() }\nsrc/win.rs:    let foo = bar(1);\r\nsrc/win.rs:    // TODO: fix foo\r\nsrc/win.rs:    println!(\"foo bar\");\r\n",
        0,
    );
}

#[test]
fn pcre2_line_regexp() {
    // rg 15.2: rg --sort path -P -x foo
    tree()
        .run_ordered(&["-P", "-x", "foo"])
        .expect("docs/notes.txt:foo\ndocs/notes.txt:foo\n", 0);
}

#[test]
fn pcre2_fixed_strings_only_matching() {
    // rg 15.2: rg --sort path -P -F -o foo(
    tree()
        .run_ordered(&["-P", "-F", "-o", "foo("])
        .expect("src/unix.rs:foo(\nsrc/unix.rs:foo(\n", 0);
}

#[test]
fn pcre2_invert_count() {
    // rg 15.2: rg --sort path -P -v -c o
    tree()
        .run_ordered(&["-P", "-v", "-c", "o"])
        .expect("docs/notes.txt:4\nsrc/unix.rs:3\nsrc/win.rs:2\n", 0);
}

#[test]
fn pcre2_replace_with_group() {
    // rg 15.2: rg --sort path -P -o -r <$1> (fo)o\w*
    tree().run_ordered(&["-P", "-o", "-r", "<$1>", "(fo)o\\w*"]).expect(
        "docs/notes.txt:<fo>\ndocs/notes.txt:<fo>\nsrc/unix.rs:<fo>\nsrc/unix.rs:<fo>\nsrc/unix.rs:<fo>\nsrc/win.rs:<fo>\nsrc/win.rs:<fo>\nsrc/win.rs:<fo>\n",
        0,
    );
}

#[test]
fn pcre2_count_matches() {
    // rg 15.2: rg --sort path -P --count-matches fo
    tree()
        .run_ordered(&["-P", "--count-matches", "fo"])
        .expect("docs/notes.txt:2\nsrc/unix.rs:3\nsrc/win.rs:3\n", 0);
}

#[test]
fn pcre2_colors_and_column() {
    // rg 15.2: rg --sort path -P --color always --column -n bar(?=\()
    tree().run_ordered(&["-P", "--color", "always", "--column", "-n", "bar(?=\\()"]).expect(
        "\x1b[0m\x1b[35msrc/win.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m15\x1b[0m:    let foo = \x1b[0m\x1b[1m\x1b[31mbar\x1b[0m(1);\r\n",
        0,
    );
}

#[test]
fn pcre2_context() {
    // rg 15.2: rg --sort path -P -C1 -n T\w+(?=:)
    tree().run_ordered(&["-P", "-C1", "-n", "T\\w+(?=:)"]).expect(
        "src/win.rs-2-    let foo = bar(1);\r\nsrc/win.rs:3:    // TODO: fix foo\r\nsrc/win.rs-4-    println!(\"foo bar\");\r\n",
        0,
    );
}

#[test]
fn pcre2_smart_case() {
    // rg 15.2: rg --sort path -P -S hello
    tree().run_ordered(&["-P", "-S", "hello"]).expect(
        "docs/notes.txt:Hello World\ndocs/notes.txt:hello world\n",
        0,
    );
}

#[test]
fn pcre2_smart_case_upper() {
    // rg 15.2: rg --sort path -P -S Hello
    tree()
        .run_ordered(&["-P", "-S", "Hello"])
        .expect("docs/notes.txt:Hello World\n", 0);
}

#[test]
fn pcre2_json_replace() {
    // rg 15.2: rg --sort path -P --json -r [$1] (\w+) \1 docs
    tree().run_ordered(&["-P", "--json", "-r", "[$1]", "(\\w+) \\1", "docs"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"docs/notes.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"docs/notes.txt"},"lines":{"text":"the the cat\n"},"line_number":3,"absolute_offset":24,"submatches":[{"match":{"text":"the the"},"replacement":{"text":"[the]"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"docs/notes.txt"},"lines":{"text":"abc abc\n"},"line_number":4,"absolute_offset":36,"submatches":[{"match":{"text":"abc abc"},"replacement":{"text":"[abc]"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":499,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":499,"bytes_searched":60,"elapsed":{},"matched_lines":2,"matches":2,"searches":1,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn engine_auto_keeps_default_engine() {
    // rg 15.2: rg --sort path --engine auto -c foo
    tree()
        .run_ordered(&["--engine", "auto", "-c", "foo"])
        .expect("docs/notes.txt:2\nsrc/unix.rs:3\nsrc/win.rs:3\n", 0);
}

#[test]
fn engine_auto_falls_back_for_backreference() {
    // rg 15.2: rg --sort path --engine auto -n (\w+) \1
    tree()
        .run_ordered(&["--engine", "auto", "-n", "(\\w+) \\1"])
        .expect(
            "docs/notes.txt:3:the the cat\ndocs/notes.txt:4:abc abc\n",
            0,
        );
}

#[test]
fn auto_hybrid_regex_alias() {
    // rg 15.2: rg --sort path --auto-hybrid-regex -n (?<!\w)foo\(
    tree()
        .run_ordered(&["--auto-hybrid-regex", "-n", "(?<!\\w)foo\\("])
        .expect(
            "src/unix.rs:2:    let bar = foo(2);\nsrc/unix.rs:6:fn other() { foo() }\n",
            0,
        );
}

#[test]
fn engine_pcre2_then_auto() {
    // rg 15.2: rg --sort path --engine pcre2 --engine auto -n let (?=foo)
    tree()
        .run_ordered(&["--engine", "pcre2", "--engine", "auto", "-n", "let (?=foo)"])
        .expect("src/win.rs:2:    let foo = bar(1);\r\n", 0);
}

#[test]
fn vscode_look_behind_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case --crlf --engine auto --regexp (?<=let\s)\w+ --no-config --json -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "--crlf", "--engine", "auto", "--regexp", "(?<=let\\s)\\w+", "--no-config", "--json", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    let bar = foo(2);\n"},"line_number":2,"absolute_offset":14,"submatches":[{"match":{"text":"bar"},"start":8,"end":11}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":255,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[{"match":{"text":"foo"},"start":8,"end":11}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":255,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":510,"bytes_searched":237,"elapsed":{},"matched_lines":2,"matches":2,"searches":4,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_pcre2_backreference_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive --crlf --pcre2 --regexp (\w+) \1 --no-config --json -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "--crlf", "--pcre2", "--regexp", "(\\w+) \\1", "--no-config", "--json", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./docs/notes.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"the the cat\n"},"line_number":3,"absolute_offset":24,"submatches":[{"match":{"text":"the the"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"abc abc\n"},"line_number":4,"absolute_offset":36,"submatches":[{"match":{"text":"abc abc"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":443,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":443,"bytes_searched":237,"elapsed":{},"matched_lines":2,"matches":2,"searches":4,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_literal_crlf_context_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case -g *.rs --crlf --engine auto --fixed-strings --no-config --json --before-context 1 --after-context 1 -- TODO .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "-g", "*.rs", "--crlf", "--engine", "auto", "--fixed-strings", "--no-config", "--json", "--before-context", "1", "--after-context", "1", "--", "TODO", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"TODO"},"start":7,"end":11}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    println!(\"foo bar\");\r\n"},"line_number":4,"absolute_offset":58,"submatches":[]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":574,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":574,"bytes_searched":166,"elapsed":{},"matched_lines":1,"matches":1,"searches":2,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_word_regex_dollar_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive --crlf --engine auto --regexp \bfoo\)?;?$ --no-config --json -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "--crlf", "--engine", "auto", "--regexp", "\\bfoo\\)?;?$", "--no-config", "--json", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./.hidden/h.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./.hidden/h.txt"},"lines":{"text":"secret foo\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo"},"start":7,"end":10}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./.hidden/h.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":11,"bytes_printed":247,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./docs/notes.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"foo\n"},"line_number":5,"absolute_offset":44,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"foo\n"},"line_number":7,"absolute_offset":52,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":423,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"foo"},"start":17,"end":20}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":255,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":925,"bytes_searched":237,"elapsed":{},"matched_lines":4,"matches":4,"searches":4,"searches_with_match":3}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

/// Records ended by NUL (one holding a newline), and a text file.
fn nul_tree() -> Fixture {
    let f = Fixture::new();
    f.create("n.dat", "foo one\0two\0foo three\nx\0last foo");
    f.create("l.txt", "foo x\nbar\n");
    f
}

#[test]
fn crlf_only_matching_ends_with_crlf() {
    // rg 15.2: rg --sort path --crlf -o foo
    tree().run_ordered(&["--crlf", "-o", "foo"]).expect(
        "docs/notes.txt:foo\r\ndocs/notes.txt:foo\r\nsrc/unix.rs:foo\r\nsrc/unix.rs:foo\r\nsrc/unix.rs:foo\r\nsrc/win.rs:foo\r\nsrc/win.rs:foo\r\nsrc/win.rs:foo\r\n",
        0,
    );
}

#[test]
fn crlf_counts_and_paths_end_with_crlf() {
    // rg 15.2: rg --sort path --crlf -c foo
    tree()
        .run_ordered(&["--crlf", "-c", "foo"])
        .expect("docs/notes.txt:2\r\nsrc/unix.rs:3\r\nsrc/win.rs:3\r\n", 0);
}

#[test]
fn crlf_files_with_matches() {
    // rg 15.2: rg --sort path --crlf -l foo
    tree()
        .run_ordered(&["--crlf", "-l", "foo"])
        .expect("docs/notes.txt\r\nsrc/unix.rs\r\nsrc/win.rs\r\n", 0);
}

#[test]
fn crlf_files_without_match() {
    // rg 15.2: rg --sort path --crlf --files-without-match TODO
    tree()
        .run_ordered(&["--crlf", "--files-without-match", "TODO"])
        .expect("docs/notes.txt\r\nsrc/unix.rs\r\n", 0);
}

#[test]
fn crlf_headings_and_context_separators() {
    // rg 15.2: rg --sort path --crlf --heading -n -C1 foo
    tree().run_ordered(&["--crlf", "--heading", "-n", "-C1", "foo"]).expect(
        "docs/notes.txt\r\n4-abc abc\n5:foo\n6-bar\n7:foo\n8-baz\n\r\nsrc/unix.rs\r\n1-fn helper() {\n2:    let bar = foo(2);\n3:    return foobar;\n4-}\n5-\n6:fn other() { foo() }\n\r\nsrc/win.rs\r\n1-fn main() {\r\n2:    let foo = bar(1);\r\n3:    // TODO: fix foo\r\n4:    println!(\"foo bar\");\r\n5-}\r\n",
        0,
    );
}

#[test]
fn crlf_context_between_files() {
    // rg 15.2: rg --sort path --crlf -A1 let
    tree().run_ordered(&["--crlf", "-A1", "let"]).expect(
        "src/unix.rs:    let bar = foo(2);\nsrc/unix.rs-    return foobar;\n--\r\nsrc/win.rs:    let foo = bar(1);\r\nsrc/win.rs-    // TODO: fix foo\r\n",
        0,
    );
}

#[test]
fn crlf_dollar_before_cr() {
    // rg 15.2: rg --sort path --crlf -n \);$
    tree().run_ordered(&["--crlf", "-n", "\\);$"]).expect(
        "src/unix.rs:2:    let bar = foo(2);\nsrc/win.rs:2:    let foo = bar(1);\r\nsrc/win.rs:4:    println!(\"foo bar\");\r\n",
        0,
    );
}

#[test]
fn without_crlf_dollar_misses_cr_lines() {
    // rg 15.2: rg --sort path -n \);$
    tree()
        .run_ordered(&["-n", "\\);$"])
        .expect("src/unix.rs:2:    let bar = foo(2);\n", 0);
}

#[test]
fn crlf_replace_and_vimgrep() {
    // rg 15.2: rg --sort path --crlf --vimgrep -r X foo src
    tree().run_ordered(&["--crlf", "--vimgrep", "-r", "X", "foo", "src"]).expect(
        "src/unix.rs:2:15:    let bar = X(2);\nsrc/unix.rs:3:12:    return Xbar;\nsrc/unix.rs:6:14:fn other() { X() }\nsrc/win.rs:2:9:    let X = bar(1);\r\nsrc/win.rs:3:18:    // TODO: fix X\r\nsrc/win.rs:4:15:    println!(\"X bar\");\r\n",
        0,
    );
}

#[test]
fn crlf_pcre2_dollar() {
    // rg 15.2: rg --sort path --crlf -P -n (?<=fix )foo$
    tree()
        .run_ordered(&["--crlf", "-P", "-n", "(?<=fix )foo$"])
        .expect("src/win.rs:3:    // TODO: fix foo\r\n", 0);
}

#[test]
fn null_data_lines_end_at_nul() {
    // rg 15.2: rg --sort path --null-data -n foo n.dat
    nul_tree()
        .run_ordered(&["--null-data", "-n", "foo", "n.dat"])
        .expect("1:foo one\x003:foo three\nx\x004:last foo\x00", 0);
}

#[test]
fn null_data_counts_and_only_matching() {
    // rg 15.2: rg --sort path --null-data -c -o foo n.dat
    nul_tree()
        .run_ordered(&["--null-data", "-c", "-o", "foo", "n.dat"])
        .expect("3\0", 0);
}

#[test]
fn null_data_context() {
    // rg 15.2: rg --sort path --null-data -A1 one n.dat
    nul_tree()
        .run_ordered(&["--null-data", "-A1", "one", "n.dat"])
        .expect("foo one\0two\0", 0);
}

#[test]
fn null_data_anchors_hold_at_records() {
    // rg 15.2: rg --sort path --null-data -n ^x|^two$|three$ n.dat
    nul_tree()
        .run_ordered(&["--null-data", "-n", "^x|^two$|three$", "n.dat"])
        .expect("2:two\x003:foo three\nx\x00", 0);
}

#[test]
fn null_data_newline_is_an_ordinary_byte() {
    // rg 15.2: rg --sort path --null-data three\sx n.dat
    nul_tree()
        .run_ordered(&["--null-data", "three\\sx", "n.dat"])
        .expect("foo three\nx\0", 0);
}

#[test]
fn null_data_pcre2() {
    // rg 15.2: rg --sort path --null-data -P -o (?<=\n)x|o[^a] n.dat
    nul_tree()
        .run_ordered(&["--null-data", "-P", "-o", "(?<=\\n)x|o[^a]", "n.dat"])
        .expect("oo\0on\0oo\0x\0oo\0", 0);
}

#[test]
fn null_data_json() {
    // rg 15.2: rg --sort path --null-data --json three n.dat
    nul_tree().run_ordered(&["--null-data", "--json", "three", "n.dat"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"n.dat"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"n.dat"},"lines":{"text":"foo three\nx\u0000"},"line_number":3,"absolute_offset":12,"submatches":[{"match":{"text":"three"},"start":4,"end":9}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"n.dat"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":32,"bytes_printed":235,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":235,"bytes_searched":32,"elapsed":{},"matched_lines":1,"matches":1,"searches":1,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn null_data_files_with_matches() {
    // rg 15.2: rg --sort path --null-data -l foo
    nul_tree()
        .run_ordered(&["--null-data", "-l", "foo"])
        .expect("l.txt\0n.dat\0", 0);
}

/// Lines whose matches span and adjoin each other.
fn blocks() -> Fixture {
    let f = Fixture::new();
    f.create("m.txt", "start foo\nbar end\nfoo\nbar\nx foo\nzzz\nfoo\n");
    f.create("mix.txt", "foo\nbar\r\nfoo\r\nbar\n");
    f
}

#[test]
fn agent_multiline_dotall() {
    // rg 15.2: rg --sort path -U --multiline-dotall -n fn.*?\}
    tree().run_ordered(&["-U", "--multiline-dotall", "-n", "fn.*?\\}"]).expect(
        "src/unix.rs:1:fn helper() {\nsrc/unix.rs:2:    let bar = foo(2);\nsrc/unix.rs:3:    return foobar;\nsrc/unix.rs:4:}\nsrc/unix.rs:6:fn other() { foo() }\nsrc/win.rs:1:fn main() {\r\nsrc/win.rs:2:    let foo = bar(1);\r\nsrc/win.rs:3:    // TODO: fix foo\r\nsrc/win.rs:4:    println!(\"foo bar\");\r\nsrc/win.rs:5:}\r\n",
        0,
    );
}

#[test]
fn agent_multiline_dotall_json() {
    // rg 15.2: rg --sort path --json -U --multiline-dotall fn \w+\(\) \{.*?foo
    tree().run_ordered(&["--json", "-U", "--multiline-dotall", "fn \\w+\\(\\) \\{.*?foo"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"src/unix.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"src/unix.rs"},"lines":{"text":"fn helper() {\n    let bar = foo(2);\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"fn helper() {\n    let bar = foo"},"start":0,"end":31}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"src/unix.rs"},"lines":{"text":"fn other() { foo() }\n"},"line_number":6,"absolute_offset":58,"submatches":[{"match":{"text":"fn other() { foo"},"start":0,"end":16}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":501,"matched_lines":3,"matches":2}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"src/win.rs"},"lines":{"text":"fn main() {\r\n    let foo = bar(1);\r\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"fn main() {\r\n    let foo"},"start":0,"end":24}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":288,"matched_lines":2,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":789,"bytes_searched":226,"elapsed":{},"matched_lines":5,"matches":3,"searches":3,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn agent_json_multiline() {
    // rg 15.2: rg --sort path --json -U let.*\n.*TODO
    tree().run_ordered(&["--json", "-U", "let.*\\n.*TODO"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n    // TODO: fix foo\r\n"},"line_number":2,"absolute_offset":13,"submatches":[{"match":{"text":"let foo = bar(1);\r\n    // TODO"},"start":4,"end":34}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":304,"matched_lines":2,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":304,"bytes_searched":226,"elapsed":{},"matched_lines":2,"matches":1,"searches":3,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_crlf_pattern() {
    // rg 15.2: rg --sort path -U -n bar\(1\);\r\n
    tree()
        .run_ordered(&["-U", "-n", "bar\\(1\\);\\r\\n"])
        .expect("src/win.rs:2:    let foo = bar(1);\r\n", 0);
}

#[test]
fn multiline_colors() {
    // rg 15.2: rg --sort path -U --color always -n \{\r?\n\s+let
    tree().run_ordered(&["-U", "--color", "always", "-n", "\\{\\r?\\n\\s+let"]).expect(
        "\x1b[0m\x1b[35msrc/unix.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:fn helper() \x1b[0m\x1b[1m\x1b[31m{\x1b[0m\n\x1b[0m\x1b[35msrc/unix.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m\x1b[1m\x1b[31m    let\x1b[0m bar = foo(2);\n\x1b[0m\x1b[35msrc/win.rs\x1b[0m:\x1b[0m\x1b[32m1\x1b[0m:fn main() \x1b[0m\x1b[1m\x1b[31m{\r\x1b[0m\n\x1b[0m\x1b[35msrc/win.rs\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m\x1b[1m\x1b[31m    let\x1b[0m foo = bar(1);\r\n",
        0,
    );
}

#[test]
fn vscode_multiline_literal_crlf_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case --crlf --engine auto --regexp foo\(\d\);\r?\n --no-config --json --multiline -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "--crlf", "--engine", "auto", "--regexp", "foo\\(\\d\\);\\r?\\n", "--no-config", "--json", "--multiline", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    let bar = foo(2);\n"},"line_number":2,"absolute_offset":14,"submatches":[{"match":{"text":"foo(2);\n"},"start":14,"end":22}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":262,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":262,"bytes_searched":237,"elapsed":{},"matched_lines":1,"matches":1,"searches":4,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_multiline_look_behind_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive --crlf --engine auto --regexp (?<=\{\r?\n)\s+let --no-config --json --multiline -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "--crlf", "--engine", "auto", "--regexp", "(?<=\\{\\r?\\n)\\s+let", "--no-config", "--json", "--multiline", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    let bar = foo(2);\n"},"line_number":2,"absolute_offset":14,"submatches":[{"match":{"text":"    let"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":258,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[{"match":{"text":"    let"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":258,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":516,"bytes_searched":237,"elapsed":{},"matched_lines":2,"matches":2,"searches":4,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_multiline_context_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case --crlf --engine auto --regexp fix\s+foo\s+println --no-config --json --multiline --before-context 1 --after-context 1 -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "--crlf", "--engine", "auto", "--regexp", "fix\\s+foo\\s+println", "--no-config", "--json", "--multiline", "--before-context", "1", "--after-context", "1", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n    println!(\"foo bar\");\r\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"fix foo\r\n    println"},"start":13,"end":33}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"}\r\n"},"line_number":5,"absolute_offset":84,"submatches":[]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":598,"matched_lines":2,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":598,"bytes_searched":237,"elapsed":{},"matched_lines":2,"matches":1,"searches":4,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_multiline_word_include_glob_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive -g *.txt --crlf --engine auto --regexp \bthe\s+the\b --no-config --json --multiline -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "-g", "*.txt", "--crlf", "--engine", "auto", "--regexp", "\\bthe\\s+the\\b", "--no-config", "--json", "--multiline", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./docs/notes.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"the the cat\n"},"line_number":3,"absolute_offset":24,"submatches":[{"match":{"text":"the the"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":254,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":254,"bytes_searched":71,"elapsed":{},"matched_lines":1,"matches":1,"searches":2,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_count_is_per_match() {
    // rg 15.2: rg --sort path -U -c -i hello\s+world|foo\n
    tree()
        .run_ordered(&["-U", "-c", "-i", "hello\\s+world|foo\\n"])
        .expect("docs/notes.txt:4\n", 0);
}

#[test]
fn multiline_pcre2_backreference_context() {
    // rg 15.2: rg --sort path -U -C1 -n -P (\w+) \1\n\w+ \1
    tree()
        .run_ordered(&["-U", "-C1", "-n", "-P", "(\\w+) \\1\\n\\w+ \\1"])
        .expect("", 1);
}

#[test]
fn multiline_files_with_matches() {
    // rg 15.2: rg --sort path -U -l \}\r?\n\r?\nfn
    tree()
        .run_ordered(&["-U", "-l", "\\}\\r?\\n\\r?\\nfn"])
        .expect("src/unix.rs\n", 0);
}

#[test]
fn multiline_block_of_adjacent_matches() {
    // rg 15.2: rg --sort path -U -n foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "foo\\nbar", "m.txt"])
        .expect("1:start foo\n2:bar end\n3:foo\n4:bar\n", 0);
}

#[test]
fn multiline_column_is_the_blocks_first_match() {
    // rg 15.2: rg --sort path -U -n --column foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "--column", "foo\\nbar", "m.txt"])
        .expect("1:7:start foo\n2:7:bar end\n3:7:foo\n4:7:bar\n", 0);
}

#[test]
fn multiline_only_matching_splits_at_lines() {
    // rg 15.2: rg --sort path -U -n -o (?s)end.*?x m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-o", "(?s)end.*?x", "m.txt"])
        .expect("2:end\n3:foo\n4:bar\n5:x\n", 0);
}

#[test]
fn multiline_vimgrep_one_line_per_match() {
    // rg 15.2: rg --sort path -U --vimgrep foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "--vimgrep", "foo\\nbar", "m.txt"])
        .expect("m.txt:1:7:start foo\nm.txt:3:1:foo\n", 0);
}

#[test]
fn multiline_replace_across_lines() {
    // rg 15.2: rg --sort path -U -n -r X foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-r", "X", "foo\\nbar", "m.txt"])
        .expect("1:start X end\n2:X\n", 0);
}

#[test]
fn multiline_after_context() {
    // rg 15.2: rg --sort path -U -n -A1 foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-A1", "foo\\nbar", "m.txt"])
        .expect("1:start foo\n2:bar end\n3:foo\n4:bar\n5-x foo\n", 0);
}

#[test]
fn multiline_invert() {
    // rg 15.2: rg --sort path -U -n -v foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-v", "foo\\nbar", "m.txt"])
        .expect("5:x foo\n6:zzz\n7:foo\n", 0);
}

#[test]
fn multiline_max_count_counts_matches() {
    // rg 15.2: rg --sort path -U -n -m1 foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-m1", "foo\\nbar", "m.txt"])
        .expect("1:start foo\n2:bar end\n", 0);
}

#[test]
fn multiline_json_replace() {
    // rg 15.2: rg --sort path -U --json -r Y (?s)end.*?x m.txt
    blocks().run_ordered(&["-U", "--json", "-r", "Y", "(?s)end.*?x", "m.txt"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"m.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"bar end\nfoo\nbar\nx foo\n"},"line_number":2,"absolute_offset":10,"submatches":[{"match":{"text":"end\nfoo\nbar\nx"},"replacement":{"text":"Y"},"start":4,"end":17}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"m.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":40,"bytes_printed":282,"matched_lines":4,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":282,"bytes_searched":40,"elapsed":{},"matched_lines":4,"matches":1,"searches":1,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_byte_offsets() {
    // rg 15.2: rg --sort path -U -b -n -o o\nb m.txt
    blocks()
        .run_ordered(&["-U", "-b", "-n", "-o", "o\\nb", "m.txt"])
        .expect("1:8:o\n2:8:b\n3:20:o\n4:20:b\n", 0);
}

#[test]
fn multiline_passthru() {
    // rg 15.2: rg --sort path -U --passthru -n x foo\nz m.txt
    blocks()
        .run_ordered(&["-U", "--passthru", "-n", "x foo\\nz", "m.txt"])
        .expect(
            "1-start foo\n2-bar end\n3-foo\n4-bar\n5:x foo\n6:zzz\n7-foo\n",
            0,
        );
}

#[test]
fn multiline_anchor_makes_blocks() {
    // rg 15.2: rg --sort path -U --json ^foo m.txt
    blocks().run_ordered(&["-U", "--json", "^foo", "m.txt"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"m.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"foo\n"},"line_number":3,"absolute_offset":18,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"foo\n"},"line_number":7,"absolute_offset":36,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"m.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":40,"bytes_printed":390,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":390,"bytes_searched":40,"elapsed":{},"matched_lines":2,"matches":2,"searches":1,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_without_newline_stays_line_oriented() {
    // rg 15.2: rg --sort path -U --json foo m.txt
    blocks().run_ordered(&["-U", "--json", "foo", "m.txt"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"m.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"start foo\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo"},"start":6,"end":9}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"foo\n"},"line_number":3,"absolute_offset":18,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"x foo\n"},"line_number":5,"absolute_offset":26,"submatches":[{"match":{"text":"foo"},"start":2,"end":5}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"m.txt"},"lines":{"text":"foo\n"},"line_number":7,"absolute_offset":36,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"m.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":40,"bytes_printed":737,"matched_lines":4,"matches":4}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":737,"bytes_searched":40,"elapsed":{},"matched_lines":4,"matches":4,"searches":1,"searches_with_match":1}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_reads_stdin_whole() {
    // rg 15.2: rg -U -n 'bar\nx' - < m.txt
    let f = blocks();
    let stdin = std::fs::File::open(f.path().join("m.txt")).unwrap();
    let run = crate::util::Run::from(
        f.cmd(&["-U", "-n", r"bar\nx", "-"])
            .stdin(stdin)
            .output()
            .unwrap(),
    );
    run.expect("4:bar\n5:x foo\n", 0);
}
#[test]
fn multiline_max_columns_omits_block_lines() {
    // rg 15.2: rg --sort path -U -n -M8 foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-n", "-M8", "foo\\nbar", "m.txt"])
        .expect(
            "1:[Omitted long matching line]\n2:bar end\n3:foo\n4:bar\n",
            0,
        );
}

#[test]
fn multiline_max_columns_counts_block_matches() {
    // rg 15.2: rg --sort path -U -M5 --column foo\nbar m.txt
    blocks().run_ordered(&["-U", "-M5", "--column", "foo\\nbar", "m.txt"]).expect(
        "1:7:[Omitted long line with 2 matches]\n2:7:[Omitted long line with 2 matches]\n3:7:foo\n4:7:bar\n",
        0,
    );
}

#[test]
fn multiline_max_columns_preview_colors() {
    // rg 15.2: rg --sort path -U -M5 --max-columns-preview --color always foo\nbar m.txt
    blocks().run_ordered(&["-U", "-M5", "--max-columns-preview", "--color", "always", "foo\\nbar", "m.txt"]).expect(
        "start [... 1 more match]\n\x1b[0m\x1b[1m\x1b[31mbar\x1b[0m e [... 0 more matches]\n\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\n\x1b[0m\x1b[1m\x1b[31mbar\x1b[0m\n",
        0,
    );
}

#[test]
fn multiline_trim() {
    // rg 15.2: rg --sort path -U --trim -n end\n\s*foo m.txt
    blocks()
        .run_ordered(&["-U", "--trim", "-n", "end\\n\\s*foo", "m.txt"])
        .expect("2:bar end\n3:foo\n", 0);
}
#[test]
fn vscode_full_command_shape_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case --glob-case-insensitive --ignore-file-case-insensitive -g **/*.RS -g !**/node_modules --max-filesize 1M --no-ignore-parent --follow --encoding utf8 --threads 2 --crlf --engine auto --regexp let\s+(\w+) --no-config --no-ignore-global --json --before-context 1 --after-context 1 -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "--glob-case-insensitive", "--ignore-file-case-insensitive", "-g", "**/*.RS", "-g", "!**/node_modules", "--max-filesize", "1M", "--no-ignore-parent", "--follow", "--encoding", "utf8", "--threads", "2", "--crlf", "--engine", "auto", "--regexp", "let\\s+(\\w+)", "--no-config", "--no-ignore-global", "--json", "--before-context", "1", "--after-context", "1", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"fn helper() {\n"},"line_number":1,"absolute_offset":0,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    let bar = foo(2);\n"},"line_number":2,"absolute_offset":14,"submatches":[{"match":{"text":"let bar"},"start":4,"end":11}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    return foobar;\n"},"line_number":3,"absolute_offset":36,"submatches":[]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":559,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"fn main() {\r\n"},"line_number":1,"absolute_offset":0,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[{"match":{"text":"let foo"},"start":4,"end":11}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n"},"line_number":3,"absolute_offset":36,"submatches":[]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":561,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":1120,"bytes_searched":166,"elapsed":{},"matched_lines":2,"matches":2,"searches":2,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_negative_look_behind_before_context_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive --crlf --engine auto --regexp (?<!let )foo --no-config --json --before-context 2 --after-context 0 -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "--crlf", "--engine", "auto", "--regexp", "(?<!let )foo", "--no-config", "--json", "--before-context", "2", "--after-context", "0", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./.hidden/h.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./.hidden/h.txt"},"lines":{"text":"secret foo\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo"},"start":7,"end":10}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./.hidden/h.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":11,"bytes_printed":247,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./docs/notes.txt"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"the the cat\n"},"line_number":3,"absolute_offset":24,"submatches":[]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"abc abc\n"},"line_number":4,"absolute_offset":36,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"foo\n"},"line_number":5,"absolute_offset":44,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"bar\n"},"line_number":6,"absolute_offset":48,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"foo\n"},"line_number":7,"absolute_offset":52,"submatches":[{"match":{"text":"foo"},"start":0,"end":3}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":858,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"fn helper() {\n"},"line_number":1,"absolute_offset":0,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    let bar = foo(2);\n"},"line_number":2,"absolute_offset":14,"submatches":[{"match":{"text":"foo"},"start":14,"end":17}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"    return foobar;\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"foo"},"start":11,"end":14}]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"}\n"},"line_number":4,"absolute_offset":55,"submatches":[]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"\n"},"line_number":5,"absolute_offset":57,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"fn other() { foo() }\n"},"line_number":6,"absolute_offset":58,"submatches":[{"match":{"text":"foo"},"start":13,"end":16}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":1066,"matched_lines":3,"matches":3}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"fn main() {\r\n"},"line_number":1,"absolute_offset":0,"submatches":[]}}"#, "\n",
        r#"{"type":"context","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    let foo = bar(1);\r\n"},"line_number":2,"absolute_offset":13,"submatches":[]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"foo"},"start":17,"end":20}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    println!(\"foo bar\");\r\n"},"line_number":4,"absolute_offset":58,"submatches":[{"match":{"text":"foo"},"start":14,"end":17}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":762,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":2933,"bytes_searched":237,"elapsed":{},"matched_lines":8,"matches":8,"searches":4,"searches_with_match":4}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_pcre2_multiline_backreference_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --ignore-case --crlf --pcre2 --regexp \b(\w)\w*\s+\1 --no-config --json --multiline -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--ignore-case", "--crlf", "--pcre2", "--regexp", "\\b(\\w)\\w*\\s+\\1", "--no-config", "--json", "--multiline", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./docs/notes.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./docs/notes.txt"},"lines":{"text":"the the cat\nabc abc\n"},"line_number":3,"absolute_offset":24,"submatches":[{"match":{"text":"the t"},"start":0,"end":5},{"match":{"text":"abc a"},"start":12,"end":17}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./docs/notes.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":60,"bytes_printed":308,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"    // TODO: fix foo\r\n"},"line_number":3,"absolute_offset":36,"submatches":[{"match":{"text":"fix f"},"start":13,"end":18}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":257,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":565,"bytes_searched":237,"elapsed":{},"matched_lines":3,"matches":3,"searches":4,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn vscode_plain_regex_no_ignore_json() {
    // rg 15.2: rg --sort path --hidden --no-require-git --case-sensitive -g !docs --no-ignore --crlf --engine auto --regexp fn \w+\(\) --no-config --json -- .
    tree().run_ordered(&["--hidden", "--no-require-git", "--case-sensitive", "-g", "!docs", "--no-ignore", "--crlf", "--engine", "auto", "--regexp", "fn \\w+\\(\\)", "--no-config", "--json", "--", "."]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"./src/unix.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"fn helper() {\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"fn helper()"},"start":0,"end":11}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/unix.rs"},"lines":{"text":"fn other() { foo() }\n"},"line_number":6,"absolute_offset":58,"submatches":[{"match":{"text":"fn other()"},"start":0,"end":10}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/unix.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":79,"bytes_printed":457,"matched_lines":2,"matches":2}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"./src/win.rs"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"./src/win.rs"},"lines":{"text":"fn main() {\r\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"fn main()"},"start":0,"end":9}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"./src/win.rs"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":87,"bytes_printed":249,"matched_lines":1,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":706,"bytes_searched":177,"elapsed":{},"matched_lines":3,"matches":3,"searches":3,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

/// Binary files found in a walk: a NUL in the first 64 KiB, and one past it.
fn binary_tree() -> Fixture {
    let f = Fixture::new();
    f.create("small.bin", "foo\nbar\n\0zz\n");
    let mut late = b"foo\nbar\n".to_vec();
    late.extend(b"x\n".repeat(40_000));
    late.extend(b"foo\nbar\n\0\nfoo\nbar\n");
    f.create("late.bin", late);
    f.create("t.txt", "foo\nbar\n");
    f
}

#[test]
fn multiline_walk_skips_binary_and_stops_at_a_nul_block() {
    // rg 15.2: rg --sort path -U foo\nbar
    binary_tree().run_ordered(&["-U", "foo\\nbar"]).expect(
        "late.bin:foo\nlate.bin:bar\nlate.bin:foo\nlate.bin:bar\nlate.bin:foo\nlate.bin:bar\nt.txt:foo\nt.txt:bar\n",
        0,
    );
}

#[test]
fn multiline_walk_binary_json() {
    // rg 15.2: rg --sort path -U --json foo\nbar
    binary_tree().run_ordered(&["-U", "--json", "foo\\nbar"]).expect(
        concat!(
        r#"{"type":"begin","data":{"path":{"text":"late.bin"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"late.bin"},"lines":{"text":"foo\nbar\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo\nbar"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"late.bin"},"lines":{"text":"foo\nbar\n"},"line_number":40003,"absolute_offset":80008,"submatches":[{"match":{"text":"foo\nbar"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"late.bin"},"lines":{"text":"foo\nbar\n"},"line_number":40006,"absolute_offset":80018,"submatches":[{"match":{"text":"foo\nbar"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"late.bin"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":80026,"bytes_printed":615,"matched_lines":6,"matches":3}}}"#, "\n",
        r#"{"type":"begin","data":{"path":{"text":"t.txt"}}}"#, "\n",
        r#"{"type":"match","data":{"path":{"text":"t.txt"},"lines":{"text":"foo\nbar\n"},"line_number":1,"absolute_offset":0,"submatches":[{"match":{"text":"foo\nbar"},"start":0,"end":7}]}}"#, "\n",
        r#"{"type":"end","data":{"path":{"text":"t.txt"},"binary_offset":null,"stats":{"elapsed":{},"searches":1,"searches_with_match":1,"bytes_searched":8,"bytes_printed":229,"matched_lines":2,"matches":1}}}"#, "\n",
        r#"{"data":{"elapsed_total":{},"stats":{"bytes_printed":844,"bytes_searched":80034,"elapsed":{},"matched_lines":8,"matches":4,"searches":3,"searches_with_match":2}},"type":"summary"}"#, "\n",
    ),
        0,
    );
}

#[test]
fn multiline_walk_binary_context_stops_at_nul() {
    // rg 15.2: rg --sort path -U -n -A2 (?s)x\nx\nfoo .
    binary_tree().run_ordered(&["-U", "-n", "-A2", "(?s)x\\nx\\nfoo", "."]).expect(
        "./late.bin:40001:x\n./late.bin:40002:x\n./late.bin:40003:foo\n./late.bin-40004-bar\n./late.bin: WARNING: stopped searching binary file after match (found \"\\0\" byte around offset 80016)\n",
        0,
    );
}

#[test]
fn literal_nul_is_impossible_with_binary_detection() {
    // rg 15.2 says so (default engine); -a, and PCRE2, search for it.
    let f = binary_tree();
    let run = f.run(&[r"a\x00b", "t.txt"]);
    assert_eq!(
        run.stderr,
        "trawl: pattern contains \"\\0\" but it is impossible to match\n\n\
         Consider enabling text mode with the --text flag (or -a for short). Otherwise,\n\
         binary detection is enabled and matching a NUL byte is impossible.\n"
    );
    assert_eq!(run.code, 2);
    f.run(&["-a", r"a\x00b", "t.txt"]).expect("", 1);
    f.run(&["-P", r"a\x00b", "t.txt"]).expect("", 1);
    f.run(&["--engine", "auto", r"a\x00b", "t.txt"])
        .expect("", 1);
}
#[test]
fn crlf_multiline_mixed_line_ends_colored() {
    // rg 15.2: rg --sort path --crlf -U --color always -n foo\r?\nbar mix.txt
    blocks().run_ordered(&["--crlf", "-U", "--color", "always", "-n", "foo\\r?\\nbar", "mix.txt"]).expect(
        "\x1b[0m\x1b[32m1\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\r\n\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m\x1b[1m\x1b[31mbar\x1b[0m\r\n\x1b[0m\x1b[32m3\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m\r\n\x1b[0m\x1b[32m4\x1b[0m:\x1b[0m\x1b[1m\x1b[31mbar\x1b[0m\r\n",
        0,
    );
}

#[test]
fn crlf_multiline_mixed_line_ends_column() {
    // rg 15.2: rg --sort path --crlf -U --column foo\r?\nbar mix.txt
    blocks()
        .run_ordered(&["--crlf", "-U", "--column", "foo\\r?\\nbar", "mix.txt"])
        .expect("1:1:foo\r\n2:1:bar\r\n3:1:foo\r\n4:1:bar\r\n", 0);
}

#[test]
fn crlf_multiline_mixed_line_ends_only_matching() {
    // rg 15.2: rg --sort path --crlf -U -o foo\r?\nbar mix.txt
    blocks()
        .run_ordered(&["--crlf", "-U", "-o", "foo\\r?\\nbar", "mix.txt"])
        .expect("foo\r\nbar\r\nfoo\r\nbar\r\n", 0);
}

#[test]
fn pcre2_match_limit_is_an_error_for_that_file() {
    // rg 15.2: `rg -P -c '(a+)+$' bt.txt ok.txt` reports the file PCRE2
    // gave up on and goes on (exit 2), also with -U.
    let f = Fixture::new();
    f.create("bt.txt", format!("{}b\n", "a".repeat(30)));
    f.create("ok.txt", "aaa\n");
    for multiline in [&[][..], &["-U"]] {
        let run = f.run(&[multiline, &["-P", "-c", "(a+)+$", "bt.txt", "ok.txt"]].concat());
        assert_eq!(
            run.stderr,
            "trawl: bt.txt: PCRE2: error matching: match limit exceeded\n"
        );
        run.expect("ok.txt:1\n", 2);
    }
}
#[test]
fn multiline_invert_max_count_counts_matches_found() {
    // rg 15.2: rg --sort path -U -v -m2 -n foo\nbar m.txt
    blocks()
        .run_ordered(&["-U", "-v", "-m2", "-n", "foo\\nbar", "m.txt"])
        .expect("5:x foo\n6:zzz\n7:foo\n", 0);
}

#[test]
fn multiline_invert_max_count_one() {
    // rg 15.2: rg --sort path -U -v -m1 -n zzz\nfoo m.txt
    blocks()
        .run_ordered(&["-U", "-v", "-m1", "-n", "zzz\\nfoo", "m.txt"])
        .expect("1:start foo\n2:bar end\n3:foo\n4:bar\n5:x foo\n", 0);
}

/// PCRE2 with --crlf sees a line as ripgrep's line searcher hands it over:
/// without its `\r\n`, but a line ending in a bare `\n` keeps it, so `\s`
/// may match there (VS Code's `--crlf --engine auto` meets this when a
/// look-around falls back to PCRE2). Expected outputs are rg 15.2's.
#[test]
fn pcre2_with_crlf_sees_a_bare_newline() {
    let f = Fixture::new();
    f.create("n2.txt", "ab\ncd\n");
    f.create("mix.txt", "ab\r\ncd\r\nef\nb \r\n");
    let run = |args: &[&str], expected: &str, code: i32| f.run_ordered(args).expect(expected, code);
    run(
        &["--crlf", "--engine", "auto", "-n", r"(?<=a)b\s", "n2.txt"],
        "1:ab\n",
        0,
    );
    run(&["-P", "-n", r"b\s", "n2.txt"], "", 1);
    run(&["--crlf", "-P", "-n", r"b\s", "mix.txt"], "4:b \r\n", 0);
    // The line matches, but its text (without `\n`) holds no match: it
    // prints whole and counts one.
    run(&["--crlf", "-P", "-o", r"b\s", "n2.txt"], "ab\n", 0);
    run(
        &["--crlf", "-P", "--count-matches", r"b\s", "n2.txt"],
        "1\r\n",
        0,
    );
}
