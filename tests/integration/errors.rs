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
    // A missing path named on the command line is reported even when -q
    // stops at a match before it, or (timing) before its message was
    // printed, as ripgrep does. Repeated: it used to depend on timing.
    let message = "trawl: nonexist: No such file or directory (os error 2)\n";
    for _ in 0..5 {
        for args in [
            ["-q", "foo", "nonexist", "a.txt"],
            ["-q", "foo", "a.txt", "nonexist"],
        ] {
            let run = f.run(&args);
            assert_eq!((run.stderr.as_str(), run.code), (message, 0), "{args:?}");
        }
    }
}

/// Runs trawl as an unprivileged user when the tests run as root (CI
/// does), since root reads any file whatever its mode.
pub(crate) fn run_unprivileged(f: &Fixture, args: &[&str]) -> crate::util::Run {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return f.run(args);
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // A copy of the binary next to the fixture: the build directory may sit
    // where the unprivileged user cannot reach it.
    let binary = tempfile::Builder::new()
        .prefix("trawl-bin")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(binary.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let trawl = binary.path().join("trawl");
    std::fs::copy(env!("CARGO_BIN_EXE_trawl"), &trawl).unwrap();
    // A test thread that forks while another writes its copy holds the
    // copy open for writing until it execs: exec fails with ETXTBSY
    // ("Text file busy") for that moment, so try again.
    for attempt in 0.. {
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&trawl)
            .args(args)
            .current_dir(f.path())
            .env("HOME", "/nonexistent/trawl-test-home")
            .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
            .env_remove("TRAWL_CONFIG_PATH")
            .env_remove("RIPGREP_CONFIG_PATH")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("setpriv (util-linux) is needed to drop root in this test");
        let run = crate::util::Run::from(out);
        if attempt < 20 && run.stderr.contains("Text file busy") {
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        return run;
    }
    unreachable!()
}

#[test]
fn unreadable_file_and_directory_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("secret.txt", "foo\n");
    f.create("locked/b.txt", "foo\n");
    f.create("sub/.ignore", "*.txt\n");
    f.create("sub/c.txt", "foo\n");
    for dir in ["", "sub"] {
        let path = f.path().join(dir);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(f.path().join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode("a.txt", 0o644);
    mode("sub/c.txt", 0o644);
    mode("secret.txt", 0o000);
    mode("locked", 0o000);
    mode("sub/.ignore", 0o000);
    let run = run_unprivileged(&f, &["-j1", "foo"]);
    mode("locked", 0o755);
    // The unreadable .ignore is skipped silently, as ripgrep skips it, and
    // its rules don't apply.
    assert_eq!(run.stdout, "a.txt:foo\nsub/c.txt:foo\n");
    let has = |needle: &str| {
        assert!(
            run.stderr.contains(needle),
            "no {needle:?} in {}",
            run.stderr
        )
    };
    has("trawl: secret.txt: Permission denied");
    has("locked: Permission denied");
    assert!(!run.stderr.contains(".ignore"), "{}", run.stderr);
    assert_eq!(run.code, 2);
}

#[test]
fn no_pattern_is_an_error() {
    let f = Fixture::new();
    let run = f.run(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("requires at least one pattern"),
        "{}",
        run.stderr
    );
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
