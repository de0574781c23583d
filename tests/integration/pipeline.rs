//! The ordered pipeline: determinism, large outputs, early exit.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::Fixture;

/// 500 files in nested directories with varying sizes and match counts.
fn tree() -> Fixture {
    let f = Fixture::new();
    for i in 0..500 {
        let lines: String = (0..(i % 37) * 20)
            .map(|n| {
                if n % 7 == 0 {
                    format!("needle {i} {n}\n")
                } else {
                    format!("hay {n}\n")
                }
            })
            .collect();
        f.create(&format!("d{}/e{}/f{i:03}.txt", i % 5, i % 3), lines);
    }
    f
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let f = tree();
    let base = f.run_ordered(&["-n", "needle"]);
    assert_eq!(base.code, 0);
    for threads in ["2", "5", "16"] {
        assert_eq!(f.run(&["-j", threads, "-n", "needle"]), base);
    }
    // Walk order: sorted by name within each directory.
    let paths: Vec<&str> = base
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    f.run_ordered(&["-c", "needle"]);
    f.run_ordered(&["-C2", "needle"]);
}

#[test]
fn workers_never_outnumber_the_files_named() {
    let f = Fixture::new();
    f.create("a.txt", "x\n");
    f.create("b.txt", "x\n");
    f.create("d/c.txt", "x\n");
    let threads = |args: &[&str]| {
        let run = f.run(args);
        run.stderr
            .lines()
            .find_map(|line| line.strip_prefix("trawl: DEBUG: searching with "))
            .unwrap_or_else(|| panic!("no thread count in {}", run.stderr))
            .to_string()
    };
    assert_eq!(
        threads(&["--debug", "-j8", "x", "a.txt"]),
        "1 worker thread"
    );
    assert_eq!(
        threads(&["--debug", "-j8", "x", "a.txt", "b.txt"]),
        "2 worker threads"
    );
    assert_eq!(
        threads(&["--debug", "-j8", "x", "a.txt", "d"]),
        "8 worker threads"
    );
    assert_eq!(threads(&["--debug", "-j3", "x"]), "3 worker threads");
}

#[test]
fn large_output_of_one_file_arrives_whole_and_in_order() {
    let f = Fixture::new();
    let text: String = (0..200_000).map(|n| format!("line {n}\n")).collect();
    f.create("big.txt", &text);
    f.create("small.txt", "line x\n");
    let run = f.run_ordered(&["-n", "line", "."]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 200_001);
    assert_eq!(lines[199_999], "./big.txt:200000:line 199999");
    assert_eq!(lines[200_000], "./small.txt:1:line x");
}

#[test]
fn long_lines_longer_than_the_window() {
    let f = Fixture::new();
    let long = "x".repeat(300_000);
    f.create("long.txt", format!("a\n{long}needle{long}\nb needle\n"));
    let run = f.run_ordered(&["-n", "-o", "needle", "long.txt"]);
    run.expect("2:needle\n3:needle\n", 0);
    let run = f.run_ordered(&["-c", "x", "long.txt"]);
    run.expect("1\n", 0);
}

#[test]
fn broken_pipe_exits_quietly_and_quickly() {
    let f = Fixture::new();
    let text: String = (0..50_000).map(|n| format!("match {n}\n")).collect();
    for i in 0..20 {
        f.create(&format!("f{i}.txt"), &text);
    }
    let start = Instant::now();
    let mut child = f
        .cmd(&["match"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn quiet_stops_at_first_match() {
    let f = tree();
    f.run(&["-q", "needle"]).expect("", 0);
}
