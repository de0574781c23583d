//! Faults inside trawl: a panic anywhere ends the run with one message
//! and exit 2, never a hang; every reason to stop stops the searches
//! already running. Panics are injected with the test hook
//! `TRAWL_TEST_PANIC` (src/test_hooks.rs, only in test builds).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use trawl::pool::{Delivery, Limits, Pool, Weigh};

use crate::util::Fixture;

/// Long enough for a loaded machine; a hang never ends.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `cmd` to its end, or kills it and fails past the deadline.
fn output_or_hang(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(DEADLINE) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            // SAFETY: kill on the pid of our own child, still running.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("trawl hung");
        }
    }
}

/// 40 files with a match each.
fn forty_files() -> Fixture {
    let f = Fixture::new();
    for i in 0..40 {
        f.create(&format!("a{i:02}.txt"), format!("needle {i}\n"));
    }
    f
}

/// Runs trawl with a panic injected at `point`; returns stdout and the
/// one line of stderr, after checking the exit status (2).
fn panicking(f: &Fixture, point: &str, args: &[&str]) -> (String, String) {
    let mut cmd = f.cmd(args);
    cmd.env("TRAWL_TEST_PANIC", point);
    let out = output_or_hang(cmd);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{point} {args:?}: {stderr}");
    // The progress line is erased before the message (and at the end):
    // the message is a line of its own.
    let stderr = match args.contains(&"--progress") {
        true => stderr
            .split("\r\x1b[2K")
            .filter(|part| part.starts_with("trawl:"))
            .collect(),
        false => stderr,
    };
    assert_eq!(stderr.lines().count(), 1, "{point} {args:?}: {stderr}");
    assert!(stderr.contains("(at src/test_hooks.rs:"), "{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// stdout holds whole results of the files before `before`, in order.
fn assert_prefix_before(stdout: &str, before: usize) {
    let expected: String = (0..before)
        .map(|i| format!("a{i:02}.txt:needle {i}\n"))
        .collect();
    assert!(expected.starts_with(stdout), "{stdout}");
}

#[test]
fn a_worker_panic_ends_the_run_naming_the_file() {
    let f = forty_files();
    for threads in ["-j1", "-j4"] {
        let (stdout, stderr) = panicking(&f, "worker:a10.txt", &[threads, "needle"]);
        assert!(
            stderr.starts_with("trawl: a10.txt: panicked while searching: test panic (Worker)"),
            "{stderr}"
        );
        assert_prefix_before(&stdout, 10);
    }
}

#[test]
fn every_worker_panicking_ends_the_run_with_one_message() {
    let f = forty_files();
    for threads in ["-j1", "-j4"] {
        let (stdout, stderr) = panicking(&f, "worker", &[threads, "needle"]);
        assert_eq!(stdout, "");
        let (path, rest) = stderr
            .strip_prefix("trawl: ")
            .and_then(|s| s.split_once(": "))
            .unwrap();
        assert!(path.starts_with('a') && path.ends_with(".txt"), "{stderr}");
        assert!(
            rest.starts_with("panicked while searching: test panic (Worker)"),
            "{stderr}"
        );
    }
}

#[test]
fn a_printer_panic_ends_the_run() {
    let f = forty_files();
    for args in [
        &["-j1", "needle"][..],
        &["-j4", "needle"],
        &["-j4", "--progress", "always", "needle"],
    ] {
        let (stdout, stderr) = panicking(&f, "printer", args);
        assert_eq!(stdout, "");
        assert!(
            stderr.contains("trawl: panicked while printing: test panic (Printer)"),
            "{stderr}"
        );
    }
}

#[test]
fn a_walker_panic_ends_the_run() {
    let f = forty_files();
    for threads in ["-j1", "-j4"] {
        let (stdout, stderr) = panicking(&f, "walker:a20.txt", &[threads, "needle"]);
        assert!(
            stderr.starts_with("trawl: panicked while walking, at a20.txt: test panic (Walker)"),
            "{stderr}"
        );
        assert_prefix_before(&stdout, 20);
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Writes lines to `writer` until the reader goes away (SIGPIPE is
/// ignored in the test harness: the write fails with EPIPE).
fn feed_until_closed(mut writer: File) {
    while writer.write_all(b"hay\n").is_ok() {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reaching the limit stops the searches still running (they read the
/// pool's cancellation flag), as -q does: it used to stop only the walker,
/// and a search in progress ran to its end. Two FIFOs: `b` is being
/// searched, fed a line at a time and never closed by the test, when `a`
/// gives the match that ends the run.
#[test]
fn every_reason_to_stop_stops_a_search_in_progress() {
    for stop in [&["--max-results", "1"][..], &["-q"]] {
        let f = Fixture::new();
        let (a, b) = (f.path().join("a"), f.path().join("b"));
        mkfifo(&a);
        mkfifo(&b);
        let mut cmd = f.cmd(&[&["-j2"], stop, &["needle", "a", "b"]].concat());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        // Returns once a worker has opened `b`: its search is under way.
        let feeder = {
            let writer = File::options().write(true).open(&b).unwrap();
            std::thread::spawn(move || feed_until_closed(writer))
        };
        File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .write_all(b"needle\n")
            .unwrap();
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        let out = rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            // SAFETY: kill on the pid of our own child, still running.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("{stop:?} did not stop the search of b");
        });
        let out = out.unwrap();
        feeder.join().unwrap();
        let expected = if stop == ["-q"] { "" } else { "a:needle\n" };
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{stop:?}");
        assert_eq!(out.status.code(), Some(0), "{stop:?} {out:?}");
    }
}

// The pool alone (`trawl::pool`): a panic in any of its parties cancels
// it, every thread ends, and the panic comes back to the caller.

struct Chunk;

impl Weigh for Chunk {
    fn weight(&self) -> usize {
        1
    }
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// The job numbered so panics (on whichever worker runs it).
    Job(u32),
    /// Every job panics.
    EveryJob,
    Printer,
    Feeder,
}

/// Runs 100 jobs on `workers` workers with `fault`; returns whether the
/// run panicked, or fails if it does not end.
fn pool_run(workers: usize, fault: Fault) -> bool {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let pool = Pool::<u32, Chunk>::new(Limits {
            queued_jobs: 4,
            in_order: 8,
            budget: 4,
            head: 2,
        });
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.run(
                workers,
                |pool| {
                    for job in 0..100 {
                        if matches!(fault, Fault::Feeder) && job == 3 {
                            panic!("feeder");
                        }
                        if !pool.submit(job) {
                            break;
                        }
                    }
                },
                || {
                    |job: u32, reply: &mut trawl::pool::Reply<'_, u32, Chunk>| {
                        if matches!(fault, Fault::EveryJob)
                            || matches!(fault, Fault::Job(n) if n == job)
                        {
                            panic!("job {job}");
                        }
                        reply.send(Chunk);
                        reply.send(Chunk);
                    }
                },
                |delivery| {
                    if matches!(fault, Fault::Printer) {
                        if let Delivery::Chunk { .. } = delivery {
                            panic!("printer");
                        }
                    }
                    true
                },
            )
        }));
        let _ = tx.send(ran.is_err());
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("the pool hung with {workers} workers, {fault:?}"))
}

#[test]
fn a_panic_anywhere_in_the_pool_ends_every_thread() {
    for workers in [1, 4] {
        for fault in [
            Fault::Job(5),
            Fault::EveryJob,
            Fault::Printer,
            Fault::Feeder,
        ] {
            assert!(pool_run(workers, fault), "{workers} workers, {fault:?}");
        }
    }
}

#[test]
fn a_pool_without_faults_runs_every_job() {
    let pool = Pool::<u32, Chunk>::new(Limits {
        queued_jobs: 2,
        in_order: 2,
        budget: 1,
        head: 1,
    });
    let mut got = 0;
    let started = pool.run(
        3,
        |pool| {
            for job in 0..50 {
                pool.submit(job);
            }
        },
        || {
            |_job, reply: &mut trawl::pool::Reply<'_, u32, Chunk>| {
                reply.send(Chunk);
            }
        },
        |delivery| {
            got += matches!(delivery, Delivery::Chunk { .. }) as usize;
            true
        },
    );
    assert_eq!((started, got), (Ok(3), 50));
}
