//! Error paths: messages name the path or pattern; exit codes say so.

use crate::util::Fixture;

#[test]
fn invalid_regex_is_one_clear_error() {
    let f = Fixture::new();
    f.create("a.txt", "a(\n");
    let run = f.run(&["a("]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "trawl: regex parse error:\n    a(\n     ^\nerror: unclosed group\n"
    );
}

#[test]
fn missing_path_is_reported_and_search_goes_on() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    let run = f.run_ordered(&["foo", "nonexist", "a.txt"]);
    assert_eq!(run.stdout, "a.txt:foo\n");
    assert_eq!(
        run.stderr,
        "trawl: nonexist: No such file or directory (os error 2)\n"
    );
    // Errors win over matches...
    assert_eq!(run.code, 2);
    // ...except with -q, where a match gives 0.
    assert_eq!(f.run(&["-q", "foo", "nonexist", "a.txt"]).code, 0);
    assert_eq!(f.run(&["-q", "zzz", "nonexist", "a.txt"]).code, 2);
}

#[test]
fn unreadable_file_and_directory_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("secret.txt", "foo\n");
    f.create("locked/b.txt", "foo\n");
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(f.path().join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode("secret.txt", 0o000);
    mode("locked", 0o000);
    // Root can read anything; the check is meaningless then.
    let root_reads = std::fs::read(f.path().join("secret.txt")).is_ok();
    let run = f.run_ordered(&["foo"]);
    mode("locked", 0o755);
    mode("secret.txt", 0o644);
    if root_reads {
        return;
    }
    assert_eq!(run.stdout, "a.txt:foo\n");
    assert!(
        run.stderr.contains("trawl: secret.txt: Permission denied"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("locked: Permission denied"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 2);
}

#[test]
fn no_pattern_is_an_error() {
    let f = Fixture::new();
    let run = f.run(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no pattern given"), "{}", run.stderr);
}

#[test]
fn unknown_flag_is_an_error() {
    let run = Fixture::new().run(&["--no-such-flag", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
}

#[test]
fn writing_to_a_full_device_is_one_error() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n".repeat(100_000));
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = f.cmd(&["foo"]).stdout(full).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("trawl: error writing output: No space left"),
        "{stderr}"
    );
}
