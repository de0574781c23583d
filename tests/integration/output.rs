//! Output format flags: exact bytes, compared with what rg 15 prints.

use crate::util::Fixture;

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.create("a.txt", "alpha foo bar\nbeta\nfoo foo gamma\n");
    f.create("sub/b.txt", "nothing\nfoo here\n");
    f
}

#[test]
fn paths_as_given_or_walked() {
    let f = fixture();
    f.run_ordered(&["foo"]).expect(
        "a.txt:alpha foo bar\na.txt:foo foo gamma\nsub/b.txt:foo here\n",
        0,
    );
    f.run_ordered(&["foo", "."]).expect(
        "./a.txt:alpha foo bar\n./a.txt:foo foo gamma\n./sub/b.txt:foo here\n",
        0,
    );
    f.run_ordered(&["foo", "sub"])
        .expect("sub/b.txt:foo here\n", 0);
    // One explicit file: no path unless -H.
    f.run(&["foo", "a.txt"])
        .expect("alpha foo bar\nfoo foo gamma\n", 0);
    f.run(&["-H", "foo", "a.txt"])
        .expect("a.txt:alpha foo bar\na.txt:foo foo gamma\n", 0);
    f.run(&["-I", "foo"])
        .expect("alpha foo bar\nfoo foo gamma\nfoo here\n", 0);
}

#[test]
fn line_numbers_column_and_byte_offset() {
    let f = fixture();
    f.run_ordered(&["-n", "foo"]).expect(
        "a.txt:1:alpha foo bar\na.txt:3:foo foo gamma\nsub/b.txt:2:foo here\n",
        0,
    );
    f.run(&["-n", "-N", "foo", "a.txt"])
        .expect("alpha foo bar\nfoo foo gamma\n", 0);
    f.run(&["--column", "foo", "a.txt"])
        .expect("1:7:alpha foo bar\n3:1:foo foo gamma\n", 0);
    f.run(&["-b", "foo", "a.txt"])
        .expect("0:alpha foo bar\n19:foo foo gamma\n", 0);
}

#[test]
fn only_matching() {
    let f = fixture();
    f.run(&["-o", "foo", "a.txt"]).expect("foo\nfoo\nfoo\n", 0);
    f.run(&["-o", "--column", "foo", "a.txt"])
        .expect("1:7:foo\n3:1:foo\n3:5:foo\n", 0);
    f.run(&["-o", "-b", "foo", "a.txt"])
        .expect("6:foo\n19:foo\n23:foo\n", 0);
}

#[test]
fn counts_and_file_lists() {
    let f = fixture();
    f.run_ordered(&["-c", "foo"])
        .expect("a.txt:2\nsub/b.txt:1\n", 0);
    f.run_ordered(&["--count-matches", "foo"])
        .expect("a.txt:3\nsub/b.txt:1\n", 0);
    f.run_ordered(&["-co", "foo"])
        .expect("a.txt:3\nsub/b.txt:1\n", 0);
    f.run(&["-c", "foo", "a.txt"]).expect("2\n", 0);
    f.run(&["-c", "zzz"]).expect("", 1);
    f.run_ordered(&["-l", "foo"])
        .expect("a.txt\nsub/b.txt\n", 0);
    f.run_ordered(&["--files-without-match", "alpha"])
        .expect("sub/b.txt\n", 0);
    // The last output mode wins.
    f.run(&["-l", "-c", "foo"])
        .expect("a.txt:2\nsub/b.txt:1\n", 0);
    f.run(&["-c", "-l", "foo"]).expect("a.txt\nsub/b.txt\n", 0);
}

#[test]
fn null_after_paths() {
    let f = fixture();
    f.run(&["-l", "-0", "foo"]).expect("a.txt\0sub/b.txt\0", 0);
    f.run(&["-0", "here"]).expect("sub/b.txt\0foo here\n", 0);
    f.run(&["-c", "-0", "here"]).expect("sub/b.txt\x001\n", 0);
}

#[test]
fn quiet_prints_nothing() {
    let f = fixture();
    f.run(&["-q", "foo"]).expect("", 0);
    f.run(&["-q", "zzz"]).expect("", 1);
}

#[test]
fn context_lines_and_separators() {
    let f = Fixture::new();
    f.create("c.txt", "1\n2 m\n3\n4\n5\n6\n7 m\n8\n");
    f.create("d.txt", "x m\n");
    f.run_ordered(&["-n", "-C1", "m"]).expect(
        "c.txt-1-1\nc.txt:2:2 m\nc.txt-3-3\n--\nc.txt-6-6\nc.txt:7:7 m\nc.txt-8-8\n--\nd.txt:1:x m\n",
        0,
    );
    // Overlapping contexts are merged.
    f.run(&["-n", "-A3", "m", "c.txt"])
        .expect("2:2 m\n3-3\n4-4\n5-5\n--\n7:7 m\n8-8\n", 0);
    f.run(&["-n", "-A4", "m", "c.txt"])
        .expect("2:2 m\n3-3\n4-4\n5-5\n6-6\n7:7 m\n8-8\n", 0);
    f.run(&["-B1", "m", "c.txt"])
        .expect("1\n2 m\n--\n6\n7 m\n", 0);
    // -A overrides the after part of -C.
    f.run(&["-A0", "-C1", "m", "c.txt"])
        .expect("1\n2 m\n--\n6\n7 m\n", 0);
    f.run(&["-v", "-n", "-B1", "[1-6]", "c.txt"])
        .expect("6-6\n7:7 m\n8:8\n", 0);
    f.run(&["-m1", "-A1", "m", "c.txt"]).expect("2 m\n3\n", 0);
}

#[test]
fn heading_and_colors() {
    let f = fixture();
    f.run_ordered(&["--heading", "-n", "foo"]).expect(
        "a.txt\n1:alpha foo bar\n3:foo foo gamma\n\nsub/b.txt\n2:foo here\n",
        0,
    );
    f.run(&["--heading", "--no-heading", "foo", "sub"])
        .expect("sub/b.txt:foo here\n", 0);
    f.run(&["--color", "always", "-n", "here", "sub"]).expect(
        "\x1b[0m\x1b[35msub/b.txt\x1b[0m:\x1b[0m\x1b[32m2\x1b[0m:\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m here\n"
            .replace("\x1b[0m\x1b[1m\x1b[31mfoo\x1b[0m here", "foo \x1b[0m\x1b[1m\x1b[31mhere\x1b[0m")
            .as_str(),
        0,
    );
    // Colors are never used on a pipe unless asked.
    f.run(&["--color", "auto", "here"])
        .expect("sub/b.txt:foo here\n", 0);
}

#[test]
fn stdin_is_searched_when_piped() {
    let f = fixture();
    let mut child = f
        .cmd(&["-n", "b"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a\nb\nc\nb\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2:b\n4:b\n");
    let out = f
        .cmd(&["-H", "alpha", "-"])
        .stdin(std::fs::File::open(f.path().join("a.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "<stdin>:alpha foo bar\n"
    );
}

#[test]
fn hidden_files_are_skipped_unless_hidden() {
    let f = fixture();
    f.create(".hidden.txt", "foo hidden\n");
    f.create(".dir/c.txt", "foo in hidden dir\n");
    f.run(&["-l", "foo"]).expect("a.txt\nsub/b.txt\n", 0);
    f.run_ordered(&["-l", "--hidden", "foo"])
        .expect(".dir/c.txt\n.hidden.txt\na.txt\nsub/b.txt\n", 0);
    // Named explicitly, a hidden file is searched.
    f.run(&["foo", ".hidden.txt"]).expect("foo hidden\n", 0);
}
