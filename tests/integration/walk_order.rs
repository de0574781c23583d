//! The parallel walk's order: directories are listed on every core, and
//! the output (stdout and stderr together, as one stream) must be the
//! same bytes at -j1 (the walker lists every directory itself), -j2, -j8
//! and -j64, on trees large enough that listings run far ahead of the
//! walker: 10,000 directories, deep chains, ignore files at many levels,
//! loops, unreadable and vanishing directories.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::process::{Command, Stdio};

use crate::util::Fixture;

const THREADS: [&str; 4] = ["-j1", "-j2", "-j8", "-j64"];

/// stdout and stderr of one run, interleaved as written, and the exit code.
#[derive(Debug, PartialEq, Eq)]
struct Combined {
    output: String,
    code: i32,
}

/// Runs trawl with stdout and stderr into one file, so the place of each
/// message among the results is part of what is compared. As an
/// unprivileged user when the tests run as root and `unprivileged` (root
/// reads directories whatever their mode).
fn combined(f: &Fixture, args: &[&str], env: &[(&str, &str)], unprivileged: bool) -> Combined {
    let out = tempfile::NamedTempFile::new().unwrap();
    // SAFETY: geteuid has no preconditions.
    let drop_root = unprivileged && unsafe { libc::geteuid() } == 0;
    let mut cmd = if drop_root {
        let bin = f.path().join(".trawl-test-bin");
        if !bin.exists() {
            std::fs::copy(env!("CARGO_BIN_EXE_trawl"), &bin).unwrap();
            std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin)
            .current_dir(f.path());
        cmd
    } else {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trawl"));
        cmd.current_dir(f.path());
        cmd
    };
    cmd.args(args)
        .env_remove("TRAWL_CONFIG_PATH")
        .env_remove("NO_COLOR")
        .env("HOME", "/nonexistent/trawl-test-home")
        .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
        .env_remove("GIT_CONFIG_GLOBAL")
        .stdin(Stdio::null())
        // One open file for both, so that they share its offset.
        .stdout(out.as_file().try_clone().unwrap())
        .stderr(out.as_file().try_clone().unwrap());
    for (key, value) in env {
        cmd.env(key, value);
    }
    for attempt in 0.. {
        let status = cmd.status().unwrap();
        let output = std::fs::read_to_string(out.path()).unwrap();
        // Another test thread that forked while the copy was being
        // written holds it open until it execs (see run_unprivileged).
        if drop_root && attempt < 20 && output.contains("Text file busy") {
            std::thread::sleep(std::time::Duration::from_millis(50));
            out.as_file().set_len(0).unwrap();
            std::io::Seek::rewind(&mut out.as_file()).unwrap();
            continue;
        }
        return Combined {
            output,
            code: status.code().unwrap_or(-1),
        };
    }
    unreachable!()
}

/// The run at -j1, after checking that -j2, -j8 and -j64 give the same
/// bytes and exit code.
#[track_caller]
fn same_at_every_thread_count(f: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Combined {
    same_at_every_thread_count_as(f, args, env, false)
}

#[track_caller]
fn same_at_every_thread_count_as(
    f: &Fixture,
    args: &[&str],
    env: &[(&str, &str)],
    unprivileged: bool,
) -> Combined {
    let runs: Vec<Combined> = THREADS
        .iter()
        .map(|threads| combined(f, &[&[*threads], args].concat(), env, unprivileged))
        .collect();
    for (threads, run) in THREADS.iter().zip(&runs).skip(1) {
        if *run != runs[0] {
            let first = run
                .output
                .lines()
                .zip(runs[0].output.lines())
                .position(|(a, b)| a != b);
            panic!(
                "{threads} differs from -j1 for {args:?} (exit {} vs {}), first at line {first:?}",
                run.code, runs[0].code
            );
        }
    }
    runs.into_iter().next().unwrap()
}

/// Whether `lines` (paths) come in walk order: depth first, names
/// sorted within a directory, which is the order of their components.
fn in_walk_order(lines: &[&str]) -> bool {
    lines.windows(2).all(|pair| {
        let a = pair[0].split('/').map(str::as_bytes);
        let b = pair[1].split('/').map(str::as_bytes);
        a.lt(b)
    })
}

/// 10,100 directories: 101 wide ones of 100 subdirectories (some
/// matches, ignore files at two levels, bad ignore lines), and a chain
/// 150 deep with ignore files along it.
fn big_tree() -> Fixture {
    let f = Fixture::new();
    f.git_init("");
    for i in 0..101 {
        for j in 0..100 {
            let text = if (i + j) % 7 == 0 {
                "needle\n"
            } else {
                "hay\n"
            };
            f.create(&format!("w{i:03}/s{j:02}/a.txt"), text);
            if j % 10 == 0 {
                f.create(&format!("w{i:03}/s{j:02}/b.rs"), "fn needle() {}\n");
            }
        }
        if i % 3 == 0 {
            f.create(&format!("w{i:03}/.gitignore"), "s1*/\n!s15/\n*.rs\n");
        }
        if i % 4 == 0 {
            f.create(&format!("w{i:03}/.ignore"), "a{\ns2*\n");
        }
        if i % 5 == 0 {
            f.create(&format!("w{i:03}/s03/.rgignore"), "*.txt\n!a.txt\nb.rs\n");
        }
    }
    let mut path = String::from("deep");
    for k in 0..150 {
        path.push_str(&format!("/d{k}"));
        let text = if k % 3 == 0 { "needle deep\n" } else { "x\n" };
        f.create(&format!("{path}/x.txt"), text);
        if k % 10 == 0 {
            f.create(&format!("{path}/.ignore"), "y.txt\n[\n");
            f.create(&format!("{path}/y.txt"), "needle ignored\n");
        }
    }
    f
}

#[test]
fn ten_thousand_directories_in_the_same_order_at_every_thread_count() {
    let f = big_tree();
    let search = same_at_every_thread_count(&f, &["needle"], &[]);
    assert_eq!(search.code, 0);
    let results: Vec<&str> = search
        .output
        .lines()
        .filter(|line| !line.starts_with("trawl:"))
        .collect();
    let paths: Vec<&str> = results
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert!(in_walk_order(&paths), "results out of walk order");
    assert_eq!(results.len(), 2066);
    // A bad ignore line is reported where its directory is walked: after
    // the results before it, before those below it.
    assert!(search.output.contains(
        "deep/d0/x.txt:needle deep\n\
         trawl: ./w000/.ignore: line 1: error parsing glob 'a{': unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)\n\
         w000/s00/a.txt:needle\n"
    ));
    assert_eq!(search.output.matches("/.ignore: line 1").count(), 26);

    let files = same_at_every_thread_count(&f, &["--files"], &[]);
    let listed: Vec<&str> = files
        .output
        .lines()
        .filter(|line| !line.starts_with("trawl:"))
        .collect();
    assert!(in_walk_order(&listed), "--files out of walk order");
    for args in [
        &["-l", "needle"][..],
        &["-c", "-g", "!w05*", "needle"],
        &["-t", "rust", "needle"],
        &["--max-depth", "3", "needle"],
        &["--no-ignore-dot", "needle"],
    ] {
        same_at_every_thread_count(&f, args, &[]);
    }
}

/// Where listings wait on the disk, more listing threads start (up to
/// seven in all) and the order stays the same. The hook makes every
/// listing count as one that read from the disk.
#[test]
fn listing_threads_added_for_a_cold_cache_keep_the_order() {
    let f = Fixture::new();
    for i in 0..30 {
        for j in 0..10 {
            let text = if (i * j) % 4 == 1 {
                "needle\n"
            } else {
                "hay\n"
            };
            f.create(&format!("d{i:02}/e{j}/a.txt"), text);
        }
        if i % 4 == 0 {
            f.create(&format!("d{i:02}/.ignore"), "e3/\na{\n");
        }
    }
    let cold = [("TRAWL_TEST_DISK_WAIT", "1")];
    let warm = same_at_every_thread_count(&f, &["needle"], &[]);
    assert_eq!(same_at_every_thread_count(&f, &["needle"], &cold), warm);
    assert_eq!(warm.code, 0);
    assert_eq!(warm.output.matches("/.ignore: line 2").count(), 8);
    assert!(warm
        .output
        .contains("d01/e1/a.txt:needle\nd01/e5/a.txt:needle\n"));

    for (threads, added) in [("-j2", 6), ("-j4", 4), ("-j8", 0), ("-j1", 0)] {
        let run = combined(&f, &[threads, "--debug", "needle"], &cold, false);
        let line =
            format!("trawl: DEBUG: the walk waits on the disk: {added} more listing threads\n");
        let expected = usize::from(added > 0);
        assert_eq!(run.output.matches(&line).count(), expected, "{threads}");
        assert_eq!(
            run.output.matches("waits on the disk").count(),
            expected,
            "{threads}"
        );
        let warm = combined(&f, &[threads, "--debug", "needle"], &[], false);
        assert!(!warm.output.contains("waits on the disk"), "{threads}");
    }
}

#[test]
fn debug_messages_keep_their_place_at_every_thread_count() {
    let f = Fixture::new();
    for i in 0..40 {
        f.create(&format!("d{i:02}/.hidden"), "needle\n");
        f.create(&format!("d{i:02}/a.txt"), "needle\n");
        f.create(&format!("d{i:02}/b.log"), "needle\n");
        f.create(&format!("d{i:02}/e/c.txt"), "needle\n");
        f.create(&format!("d{i:02}/.ignore"), "*.log\n");
    }
    // The thread count and the closing count are the only lines that
    // may differ.
    let strip = |run: Combined| -> String {
        run.output
            .lines()
            .filter(|line| {
                !line.contains("worker thread")
                    && !line.contains("files walked")
                    && !line.contains("waits on the disk")
            })
            .map(|line| format!("{line}\n"))
            .collect()
    };
    let one = strip(combined(&f, &["-j1", "--debug", "needle"], &[], false));
    for threads in &THREADS[1..] {
        let other = strip(combined(&f, &[threads, "--debug", "needle"], &[], false));
        assert_eq!(one, other, "{threads}");
    }
    assert!(one.contains(
        "trawl: DEBUG: skipping ./d07/.hidden: hidden (use --hidden)\n\
         trawl: DEBUG: skipping ./d07/.ignore: hidden (use --hidden)\n\
         d07/a.txt:needle\n\
         trawl: DEBUG: skipping ./d07/b.log: ignored by ./d07/.ignore: *.log\n\
         d07/e/c.txt:needle\n"
    ));
}

#[test]
fn loops_with_follow_in_the_same_order_at_every_thread_count() {
    let f = Fixture::new();
    let mut path = String::from("chain");
    for k in 0..40 {
        path.push_str(&format!("/d{k}"));
        f.create(&format!("{path}/x.txt"), "needle\n");
        let dir = f.path().join(&path);
        if k % 3 == 0 {
            symlink("..", dir.join("back")).unwrap();
            symlink("nowhere", dir.join(".dead")).unwrap();
        }
        if k % 5 == 0 {
            symlink(".", dir.join("-self")).unwrap();
            symlink("x.txt", dir.join("y.txt")).unwrap();
        }
    }
    // A bad ignore file with a loop and a broken link named before it.
    f.create("m/.gitignore", "a{\n*.log\n");
    symlink(".", f.path().join("m/-loop")).unwrap();
    symlink("gone", f.path().join("m/.a")).unwrap();
    f.create("m/z.txt", "needle m\n");
    f.create("m/y.log", "needle log\n");
    // Out of the tree, to a directory above the root.
    symlink("../..", f.path().join("m/up")).unwrap();
    let run = same_at_every_thread_count(&f, &["-L", "needle"], &[]);
    assert_eq!(run.code, 2);
    let tail = &run.output[run
        .output
        .find("trawl: File system loop found: ./m/-loop")
        .unwrap()..];
    let root = f.path().canonicalize().unwrap();
    let above = root.parent().unwrap();
    assert_eq!(
        tail,
        format!(
            "trawl: File system loop found: ./m/-loop points to an ancestor ./m\n\
             trawl: ./m/.a: No such file or directory (os error 2)\n\
             trawl: File system loop found: ./m/up points to an ancestor {}\n\
             trawl: ./m/.gitignore: line 1: error parsing glob 'a{{': unclosed alternate group; missing '}}' (maybe escape '{{' with '[{{]'?)\n\
             m/y.log:needle log\n\
             m/z.txt:needle m\n",
            above.display()
        )
    );
    assert!(run.output.starts_with(
        "trawl: File system loop found: ./chain/d0/-self points to an ancestor ./chain/d0\n\
         trawl: ./chain/d0/.dead: No such file or directory (os error 2)\n\
         trawl: File system loop found: ./chain/d0/back points to an ancestor ./chain\n"
    ));
    for args in [
        &["-L", "--files"][..],
        &["-L", "--max-depth", "4", "needle"],
        &["-L", "-q", "zzz"],
        &["-L", "-g", "!back", "needle"],
    ] {
        same_at_every_thread_count(&f, args, &[]);
    }
}

#[test]
fn unreadable_directories_in_the_same_order_at_every_thread_count() {
    let f = Fixture::new();
    std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut locked = Vec::new();
    for i in 0..30 {
        f.create(&format!("d{i:02}/a.txt"), "needle\n");
        f.create(&format!("d{i:02}/sub/b.txt"), "needle\n");
        if i % 4 == 1 {
            locked.push(f.mkdir(&format!("d{i:02}/sub")));
        }
        if i % 7 == 2 {
            f.create(&format!("d{i:02}/locked/c.txt"), "needle\n");
            locked.push(f.mkdir(&format!("d{i:02}/locked")));
        }
    }
    for entry in walk_dirs(f.path()) {
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for dir in &locked {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let search = same_at_every_thread_count_as(&f, &["needle"], &[], true);
    let quiet = same_at_every_thread_count_as(&f, &["-q", "zzz"], &[], true);
    let listed = same_at_every_thread_count_as(&f, &["--files", "--sort", "path"], &[], true);
    for dir in &locked {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(search.code, 2);
    assert!(search.output.contains(
        "d00/sub/b.txt:needle\n\
         d01/a.txt:needle\n\
         trawl: ./d01/sub: Permission denied (os error 13)\n\
         d02/a.txt:needle\n\
         trawl: ./d02/locked: Permission denied (os error 13)\n\
         d02/sub/b.txt:needle\n"
    ));
    // -q, nothing found: the held errors, in walk order.
    assert_eq!(quiet.code, 2);
    let expected: String = locked
        .iter()
        .map(|dir| dir.strip_prefix(f.path()).unwrap().display().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .iter()
        .map(|dir| format!("trawl: ./{dir}: Permission denied (os error 13)\n"))
        .collect();
    assert_eq!(quiet.output, expected);
    assert_eq!(listed.code, 2);
}

/// Every directory below `dir` (and `dir`).
fn walk_dirs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut dirs = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        for entry in std::fs::read_dir(&dirs[i]).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            }
        }
        i += 1;
    }
    dirs
}

#[test]
fn a_directory_removed_mid_walk_is_reported_in_its_place() {
    // TRAWL_TEST_VANISH removes the directory after its parent is listed
    // and before it is, the same way at every thread count.
    let fixture = || {
        let f = Fixture::new();
        for i in 0..20 {
            f.create(&format!("d{i:02}/a.txt"), "needle\n");
            f.create(&format!("d{i:02}/gone/b.txt"), "needle\n");
            f.create(&format!("d{i:02}/z.txt"), "needle\n");
        }
        f
    };
    let vanish = [("TRAWL_TEST_VANISH", "gone")];
    let runs: Vec<Combined> = THREADS
        .iter()
        .map(|threads| combined(&fixture(), &[threads, "needle"], &vanish, false))
        .collect();
    let expected: String = (0..20)
        .map(|i| {
            format!(
                "d{i:02}/a.txt:needle\n\
                 trawl: ./d{i:02}/gone: No such file or directory (os error 2)\n\
                 d{i:02}/z.txt:needle\n"
            )
        })
        .collect();
    for (threads, run) in THREADS.iter().zip(&runs) {
        assert_eq!(run.output, expected, "{threads}");
        assert_eq!(run.code, 2, "{threads}");
    }
    for threads in THREADS {
        let run = combined(
            &fixture(),
            &[threads, "--files", "d05", "d06"],
            &vanish,
            false,
        );
        assert_eq!(
            run.output,
            // Messages go straight to stderr; the paths, buffered, after.
            "trawl: d05/gone: No such file or directory (os error 2)\n\
             trawl: d06/gone: No such file or directory (os error 2)\n\
             d05/a.txt\nd05/z.txt\nd06/a.txt\nd06/z.txt\n",
            "{threads}"
        );
        assert_eq!(run.code, 2, "{threads}");
    }
}
