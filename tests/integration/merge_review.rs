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
