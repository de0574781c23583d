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
