//! Binary files: quit in a walk, "binary file matches" when explicit, -a.

use crate::util::Fixture;

#[test]
fn binary_file_in_walk_is_skipped_when_nul_is_in_first_window() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("bin.dat", b"foo\nbar\0baz\n");
    f.run_ordered(&["foo"]).expect("a.txt:foo\n", 0);
    f.run_ordered(&["-c", "foo"]).expect("a.txt:1\n", 0);
    f.run_ordered(&["--files-without-match", "zzz"])
        .expect("a.txt\n", 0);
}

#[test]
fn binary_file_with_match_before_late_nul_warns() {
    let f = Fixture::new();
    let mut data = b"foo\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 200_000));
    data.extend(b"\n\0tail foo\n");
    f.create("late.bin", &data);
    f.run_ordered(&["-n", "foo", "."]).expect(
        "./late.bin:1:foo\n./late.bin: WARNING: stopped searching binary file after match \
         (found \"\\0\" byte around offset 200005)\n",
        0,
    );
}

#[test]
fn explicit_binary_file_reports_binary_match() {
    let f = Fixture::new();
    f.create("bin.dat", b"foo\nbar\0baz\n");
    f.run_ordered(&["foo", "bin.dat"]).expect(
        "binary file matches (found \"\\0\" byte around offset 7)\n",
        0,
    );
    f.run_ordered(&["-H", "foo", "bin.dat"]).expect(
        "bin.dat: binary file matches (found \"\\0\" byte around offset 7)\n",
        0,
    );
    // As in rg: a named file is memory-mapped, and NUL bytes are not line
    // ends there; read, they are ("bar", "baz").
    f.run(&["-c", "ba", "bin.dat"]).expect("1\n", 0);
    f.run(&["--no-mmap", "-c", "ba", "bin.dat"])
        .expect("2\n", 0);
    f.run(&["zzz", "bin.dat"]).expect("", 1);
}

#[test]
fn text_flag_disables_binary_detection() {
    let f = Fixture::new();
    f.create("bin.dat", b"foo\0x\n");
    let out = f.cmd(&["-a", "foo"]).output().unwrap();
    assert_eq!(out.stdout, b"bin.dat:foo\0x\n");
}

#[test]
fn stdin_binary_is_searched_like_an_explicit_file() {
    let f = Fixture::new();
    let out = f
        .cmd(&["foo", "-"])
        .stdin(std::fs::File::open(f.create("in", b"x\0foo\n").path().join("in")).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "binary file matches (found \"\\0\" byte around offset 1)\n"
    );
}

/// A NUL in a memory-mapped file (a file named on the command line) is
/// a byte like any other for the regex: `.` matches it, as in ripgrep
/// 15.2. Read in chunks (--no-mmap), NULs become line ends first. A
/// pattern that must match a NUL is an error either way.
#[test]
fn dot_matches_a_nul_in_a_mapped_file() {
    let f = Fixture::new();
    f.create("o.bin", b"ab\x00cd\n");
    f.run(&["-c", "b.c", "o.bin"]).expect("1\n", 0);
    f.run(&["-c", "b[\\x00-\\x7f]c", "o.bin"]).expect("1\n", 0);
    f.run(&["--no-mmap", "-c", "b.c", "o.bin"]).expect("", 1);
    let run = f.run(&["-c", "[\\x00]", "o.bin"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("impossible to match"), "{}", run.stderr);
}

/// -a, --binary, --no-binary and --no-text set one mode, the last given
/// winning, as in ripgrep 15.2: `-a --binary` searches a binary file as
/// --binary does, `--binary -a` as text.
#[test]
fn text_and_binary_flags_last_one_wins() {
    let f = Fixture::new();
    f.create("nul.bin", b"foo line\nfiller\n\x00bar\nfiller\n");
    f.run(&["-a", "--binary", "filler"]).expect(
        "nul.bin: binary file matches (found \"\\0\" byte around offset 16)\n",
        0,
    );
    f.run(&["--binary", "-a", "filler"])
        .expect("nul.bin:filler\nnul.bin:filler\n", 0);
    f.run(&["-a", "--no-binary", "-c", "filler"]).expect("", 1);
    f.run(&["--no-binary", "-a", "-c", "filler"])
        .expect("nul.bin:2\n", 0);
}
