//! Bounded resources, faults mid-search and hostile input.
//!
//! Tests named `heavy_*` (300 MB lines, 100,000-file trees, 200-run
//! stress loops, peak memory) run on the release build only: on a debug
//! build `cargo test` lists them as ignored. `.ci/run` runs them in a
//! step of their own: `cargo test --release --test integration heavy_`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Fixture;

/// Peak RSS (KiB) and exit code of a command, as `/usr/bin/time` reports
/// them. Not wait4 on our own child: Linux adds the peak of the process
/// that vfork()s a child (this test harness, which may hold 100 MB of
/// another test's output) to the child's peak at exec, so a small trawl
/// read as 134 MiB in CI. `time` is a small process that forks its child.
fn run_measuring(cmd: Command) -> (i64, i32) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let status = timed
        .status()
        .expect("/usr/bin/time is needed (.ci/run installs it)");
    let report = std::fs::read_to_string(report.path()).unwrap();
    // `time` prints "Command exited with non-zero status N" first then.
    let rss = report.lines().last().unwrap().trim().parse().unwrap();
    (rss, status.code().unwrap())
}

/// 5,000 files spread over a 40-level-deep chain of directories.
fn deep_tree() -> Fixture {
    let f = Fixture::new();
    let mut dir = String::new();
    for level in 0..40 {
        dir.push_str(&format!("d{level}/"));
        for i in 0..125 {
            let body = if i % 10 == 0 {
                "a needle here\n"
            } else {
                "hay\n"
            };
            f.create(&format!("{dir}f{i:03}.txt"), body);
        }
    }
    f
}

#[test]
fn low_open_file_limit_gives_same_output() {
    let f = deep_tree();
    let free = f.run(&["-j16", "needle"]);
    assert_eq!(free.code, 0);
    assert_eq!(free.stdout.lines().count(), 520);
    // bash sets the limit, then becomes trawl.
    let run = |limit: u32| {
        let script = format!("ulimit -n {limit}; exec \"$0\" -j16 needle");
        Command::new("bash")
            .args(["-c", &script, env!("CARGO_BIN_EXE_trawl")])
            .current_dir(f.path())
            .env("HOME", "/nonexistent/trawl-test-home")
            .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
            .env_remove("TRAWL_CONFIG_PATH")
            .env_remove("RIPGREP_CONFIG_PATH")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(32);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout), free.stdout);
    assert_eq!(out.status.code(), Some(0));
    // Too low for 16 workers: fewer threads, said once, same output.
    let out = run(20);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("using 4 threads instead of 16"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), free.stdout);
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_memory_does_not_grow_with_the_number_of_files() {
    let make = |files: usize| {
        let f = Fixture::new();
        for i in 0..files {
            f.create(
                &format!("d{}/f{i}.txt", i / 1000),
                "some text with a needle\n",
            );
        }
        f
    };
    let small = make(1_000);
    let large = make(100_000);
    // The least of three runs: other tests load the machine, and load
    // only ever adds (allocator arenas of threads that ran longer).
    let measure = |f: &Fixture| {
        (0..3)
            .map(|_| {
                let (rss, code) = run_measuring(f.cmd(&["-j4", "needle"]));
                assert_eq!(code, 0);
                rss
            })
            .min()
            .unwrap()
    };
    let (small_rss, large_rss) = (measure(&small), measure(&large));
    assert!(
        large_rss as f64 <= small_rss as f64 * 1.5,
        "peak RSS {large_rss} KiB on 100k files vs {small_rss} KiB on 1k files"
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_huge_line_without_newline_is_searched_in_about_its_size() {
    let f = Fixture::new();
    let size = 300usize << 20;
    {
        let mut file = std::fs::File::create(f.path().join("huge")).unwrap();
        let block = vec![b'x'; 1 << 20];
        for _ in 0..size >> 20 {
            file.write_all(&block).unwrap();
        }
        file.write_all(b"needle").unwrap();
    }
    // Walked (read into a window, never mapped): memory ~ the file's size.
    let (rss, code) = run_measuring(f.cmd(&["-c", "needle"]));
    assert_eq!(code, 0);
    let rss_bytes = rss as usize * 1024;
    assert!(
        rss_bytes < size + size / 4,
        "peak RSS {rss} KiB for a {size}-byte line"
    );
}

/// --max-results keeps a file's output only up to the head room; a file
/// with more is searched again in its turn and streamed: its after-context
/// (64 MiB here) no longer waits whole in memory, twice (1.4 GB peak on a
/// 300 MB file before).
#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_max_results_output_is_bounded_in_bytes() {
    let f = Fixture::new();
    {
        let mut file = std::fs::File::create(f.path().join("big")).unwrap();
        file.write_all(b"needle\n").unwrap();
        let block = "hay line\n".repeat(1 << 16);
        for _ in 0..(64 << 20) / block.len() {
            file.write_all(block.as_bytes()).unwrap();
        }
    }
    let args = ["--max-results", "1", "-A", "100000000", "needle"];
    let (rss, code) = run_measuring(f.cmd(&args));
    assert_eq!(code, 0);
    assert!(rss < 48 * 1024, "peak RSS {rss} KiB");
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_printing_a_100mb_line_is_linear() {
    let f = Fixture::new();
    let mut line = vec![b'y'; 100 << 20];
    line.extend_from_slice(b" needle\n");
    f.create("long", &line);
    let start = Instant::now();
    let out = f
        .cmd(&["--color", "always", "needle", "long"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout.len(),
        line.len() + "\x1b[0m\x1b[1m\x1b[31m\x1b[0m".len()
    );
    // A quadratic printer would take hours; linear takes well under this.
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_quiet_returns_at_once_on_a_large_tree() {
    let f = Fixture::new();
    f.create("a/first.txt", "needle\n");
    for i in 0..20_000 {
        f.create(&format!("b/{}/f{i}.txt", i / 500), "hay\n");
    }
    let start = Instant::now();
    f.run(&["-q", "needle"]).expect("", 0);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn file_deleted_between_walk_and_open_is_reported() {
    let f = Fixture::new();
    for c in 'a'..='z' {
        f.create(&format!("d/{c}.txt"), "needle\n");
    }
    // A FIFO named first holds the only worker until this test opens it
    // for writing: meanwhile the walker lists d/ and ends.
    let fifo = f.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let child = f
        .cmd(&["-j1", "needle", "fifo", "d"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Returns once the worker has opened the FIFO.
    let writer = std::fs::File::options().write(true).open(&fifo).unwrap();
    let walker_running = || {
        std::fs::read_dir(format!("/proc/{}/task", child.id()))
            .unwrap()
            .filter_map(Result::ok)
            .any(|task| {
                std::fs::read_to_string(task.path().join("comm")).unwrap_or_default()
                    == "trawl-walker\n"
            })
    };
    while walker_running() {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_file(f.path().join("d/z.txt")).unwrap();
    drop(writer);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "trawl: d/z.txt: No such file or directory (os error 2)\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 25);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_files_truncated_and_rewritten_during_search_never_crash() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let f = Fixture::new();
    let content = "needle line\n".repeat(20_000);
    for i in 0..8 {
        f.create(&format!("f{i}.txt"), &content);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let dir = f.path().to_path_buf();
    let churn = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let path = dir.join(format!("f{}.txt", n % 8));
                let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                file.set_len((n * 7919 % 240_000) as u64).unwrap();
                if n.is_multiple_of(3) {
                    std::fs::write(&path, &content).unwrap();
                }
                n += 1;
            }
        })
    };
    for _ in 0..200 {
        let out = f.cmd(&["-c", "needle"]).output().unwrap();
        // Any count is fine; a signal (SIGBUS) or a panic is not.
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
    stop.store(true, Ordering::Relaxed);
    churn.join().unwrap();
}

#[test]
fn pathological_regex_hits_the_size_limit() {
    let f = Fixture::new();
    f.create("a.txt", "aaa\n");
    // (a{999}){999} compiles within ripgrep's default limits (rg accepts
    // it too); with a Unicode class the program outgrows them.
    let run = f.run(&[r"(\w{999}){999}", "a.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("size limit"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let run = f.run(&["--regex-size-limit", "1K", "a{100}", "a.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--regex-size-limit"), "{}", run.stderr);
    f.run(&[
        "--regex-size-limit",
        "10M",
        "--dfa-size-limit",
        "10M",
        "a{3}",
        "a.txt",
    ])
    .expect("aaa\n", 0);
}

#[test]
fn odd_file_names_are_raw_when_piped() {
    use std::os::unix::ffi::OsStrExt;
    let f = Fixture::new();
    let names: [&[u8]; 3] = [b"new\nline", b"esc\x1b[31mred", b"latin\xe9"];
    for name in names {
        std::fs::write(f.path().join(std::ffi::OsStr::from_bytes(name)), "needle\n").unwrap();
    }
    let out = f.cmd(&["-l", "needle"]).output().unwrap();
    let mut expected: Vec<&[u8]> = names.to_vec();
    expected.sort();
    let expected: Vec<u8> = expected.iter().flat_map(|n| [*n, b"\n"].concat()).collect();
    assert_eq!(out.stdout, expected);
}

#[test]
fn odd_inputs() {
    let f = Fixture::new();
    f.create("empty", "");
    f.create("nuls", vec![0u8; 10_000]);
    f.create("text", "needle\n");
    f.run_ordered(&["needle"]).expect("text:needle\n", 0);
    f.run(&["needle", "empty"]).expect("", 1);
    f.run(&["needle", "nuls"]).expect("", 1);
    f.run(&["-c", "", "empty"]).expect("", 1);
    // /proc files report size 0 but have content.
    let out = f.cmd(&["^Name:", "/proc/self/status"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Name:\ttrawl\n");
}

#[test]
#[cfg_attr(debug_assertions, ignore = "heavy: on the release build only")]
fn heavy_stress_ordering_under_random_delays_and_threads() {
    let f = Fixture::new();
    for i in 0..2_000 {
        let body: String = (0..(i % 13))
            .map(|n| format!("line {n} needle {i}\n"))
            .collect();
        f.create(&format!("d{}/e{}/f{i:04}.txt", i % 7, i % 3), body);
    }
    let expected = f.run(&["-j1", "-n", "needle"]);
    assert_eq!(expected.code, 0);
    let mut seed = 0x9e3779b97f4a7c15u64;
    for round in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let threads = (1 + seed % 16).to_string();
        let out = f
            .cmd(&["-j", &threads, "-n", "needle"])
            .env("TRAWL_TEST_WORKER_DELAY_US", "200")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stdout == expected.stdout.as_bytes(),
            "round {round} with -j{threads}: output differs"
        );
    }
}
