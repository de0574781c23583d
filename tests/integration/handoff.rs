//! The ordered hand-off: streaming to a pipe, memory bounded in bytes,
//! messages in order, cancellation, the global result limit.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::util::Fixture;

pub(crate) fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Starts trawl with its stdout read line by line on a thread, so that a
/// test can wait for a line with a timeout.
fn spawn_reading_lines(f: &Fixture, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = f.cmd(args).stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// `a.txt` with a match, then `slow`, a FIFO that blocks whoever opens it
/// until `release`.
fn match_then_blocking_fifo() -> (Fixture, PathBuf) {
    let f = Fixture::new();
    f.create("a.txt", "needle a\n");
    let fifo = f.path().join("slow");
    make_fifo(&fifo);
    (f, fifo)
}

/// Lets a process blocked on opening the FIFO go on (it reads EOF).
pub(crate) fn release(fifo: &Path) {
    drop(File::options().write(true).open(fifo).unwrap());
}

/// Whether every thread of `pid` sleeps (blocked on a lock, a pipe, a
/// FIFO): nothing left to do until something outside changes.
fn all_threads_sleeping(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.filter_map(Result::ok).all(|task| {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // The state follows the command name, which is in parentheses.
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('S'))
    })
}

/// Waits (up to a minute) until trawl has settled: every thread asleep,
/// and `sample` the same twice in a row, 50 ms apart. Returns the sample.
pub(crate) fn wait_until_settled<T: PartialEq>(pid: u32, sample: impl Fn() -> T) -> T {
    let mut last = None;
    for _ in 0..1200 {
        if all_threads_sleeping(pid) {
            let now = sample();
            if last.as_ref() == Some(&now) {
                return now;
            }
            last = Some(now);
        } else {
            last = None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("trawl never settled");
}

fn debug_searched(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("trawl: DEBUG: searched "))
        .unwrap_or_else(|| panic!("no search count in {stderr}"))
        .to_string()
}

#[test]
fn results_reach_a_pipe_while_a_later_file_is_still_searched() {
    let (f, fifo) = match_then_blocking_fifo();
    for args in [&["-l"][..], &["-n"], &["-c"], &["--json"]] {
        let (mut child, lines) =
            spawn_reading_lines(&f, &[args, &["needle", "a.txt", "slow"]].concat());
        // `slow` never ends until released: a.txt's result must not wait
        // for it (it used to sit in a 256 KiB buffer until the end).
        let first = lines.recv_timeout(Duration::from_secs(20));
        release(&fifo);
        let first = first.unwrap_or_else(|_| panic!("no output before the end for {args:?}"));
        assert!(
            first.contains("a.txt") || first.contains("needle"),
            "{first}"
        );
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
}

#[test]
fn block_buffered_output_waits_for_the_end() {
    let (f, fifo) = match_then_blocking_fifo();
    let (mut child, lines) =
        spawn_reading_lines(&f, &["--block-buffered", "needle", "a.txt", "slow"]);
    // a.txt searched, its result waiting in the buffer, trawl blocked on
    // opening the FIFO.
    wait_until_settled(child.id(), || ());
    let early = lines.try_recv();
    release(&fifo);
    assert!(early.is_err(), "--block-buffered flushed early: {early:?}");
    assert_eq!(lines.recv().unwrap(), "a.txt:needle a");
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// Output waiting behind a file that does not finish is bounded by the
/// budget, not by the number of files: 64 files printing 1 MiB each wait
/// behind a FIFO, the part past the budget in spill files, and trawl's
/// resident memory stays far below their sum.
#[test]
fn output_waiting_its_turn_is_bounded_in_bytes() {
    let f = Fixture::new();
    let fifo = f.path().join("a-slow");
    make_fifo(&fifo);
    let line = format!("{}\n", "needle ".repeat(1 << 17));
    for i in 0..64 {
        f.create(&format!("b{i:02}.txt"), &line);
    }
    let spill_dir = f.mkdir("spill");
    let mut child = f
        .cmd(&["-j4", "needle", "a-slow", "."])
        .env("TMPDIR", &spill_dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // The workers search everything behind the FIFO; past the budget,
    // output goes to an unlinked spill file in TMPDIR (the workers go on
    // searching instead of waiting).
    let spill_files = wait_until_settled(child.id(), || spilled(child.id(), &spill_dir));
    let spill_files = spill_files.0;
    assert!(spill_files > 0, "no spill file open while the head blocks");
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap();
    release(&fifo);
    // Counted as it streams: 64 MiB held here would count in the peak
    // RSS of every binary this test process starts meanwhile (Linux adds
    // the parent's peak to a vfork()ed child's at exec), which the memory
    // test in robustness.rs measures.
    let mut start = [0u8; 16];
    stdout.read_exact(&mut start).unwrap();
    let rest = std::io::copy(&mut stdout, &mut std::io::sink()).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(16 + rest as usize, 64 * (line.len() + "./b00.txt:".len()));
    assert_eq!(&start, b"./b00.txt:needle");
    // 64 MiB of output was ready; the budget is 32 MiB.
    assert!(rss_kib < 56 * 1024, "resident {rss_kib} KiB while blocked");
}

/// Files behind a FIFO, each printing one 1 MiB line of its own, so
/// output in the wrong place or a wrong byte shows. Returns the fixture,
/// the FIFO, the expected output and a TMPDIR for spill files outside
/// the searched tree.
fn big_lines_behind_a_fifo(files: usize) -> (Fixture, PathBuf, String, tempfile::TempDir) {
    let f = Fixture::new();
    let fifo = f.path().join("a-slow");
    make_fifo(&fifo);
    let mut expected = String::new();
    for i in 0..files {
        let line = format!("{}\n", format!("needle{i:03}{:7}", "").repeat(1 << 16));
        f.create(&format!("b{i:03}.txt"), &line);
        expected += &format!("./b{i:03}.txt:{line}");
    }
    (f, fifo, expected, tempfile::tempdir().unwrap())
}

/// Spill files trawl has open in `dir`.
fn open_spill_files(pid: u32, dir: &Path) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter(|target| target.starts_with(dir))
                .count()
        })
        .unwrap_or(0)
}

/// Spill files trawl has open in `dir`, and the bytes in them.
pub(crate) fn spilled(pid: u32, dir: &Path) -> (usize, u64) {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return (0, 0);
    };
    fds.filter_map(|fd| {
        let path = fd.ok()?.path();
        let target = std::fs::read_link(&path).ok()?;
        // The fd's own metadata: the file is unlinked.
        target
            .starts_with(dir)
            .then(|| std::fs::metadata(&path).map_or(0, |m| m.len()))
    })
    .fold((0, 0), |(files, bytes), len| (files + 1, bytes + len))
}

/// Spill files are bounded: at most so many bytes spilled and not yet
/// printed (past it workers wait), at most 4 open files per worker. The
/// test makes the caps small (`TRAWL_TEST_SPILL=MAX_BYTES,SEGMENT`);
/// 100 files of 1 MiB wait behind a FIFO, 68 MiB past the budget.
#[test]
fn spilled_bytes_and_spill_files_stay_under_their_caps() {
    let (f, fifo, expected, spill_dir) = big_lines_behind_a_fifo(100);
    // 1 MiB segments: a file per chunk, 68 without a cap on files.
    // A cap of 6 MiB: 68 MiB without one.
    for (caps, most_files, most_bytes) in [
        ("1073741824,1048576", 8, 9 << 20),
        ("6291456,67108864", 8, 6 << 20),
    ] {
        let mut child = f
            .cmd(&["-j2", "needle", "a-slow", "."])
            .env("TMPDIR", spill_dir.path())
            .env("TRAWL_TEST_SPILL", caps)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (files, bytes) =
            wait_until_settled(child.id(), || spilled(child.id(), spill_dir.path()));
        release(&fifo);
        let printed =
            std::io::copy(&mut child.stdout.take().unwrap(), &mut std::io::sink()).unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(0));
        assert!(
            files > 0 && files <= most_files,
            "{files} spill files, caps {caps}"
        );
        assert!(
            bytes > 0 && bytes <= most_bytes,
            "{bytes} bytes spilled, caps {caps}"
        );
        assert_eq!(printed as usize, expected.len());
    }
}

/// Waits (up to 20 s) until trawl has `at_least` spill files open.
fn wait_for_spill_files(pid: u32, dir: &Path, at_least: usize) -> usize {
    for _ in 0..400 {
        let open = open_spill_files(pid, dir);
        if open >= at_least {
            return open;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    open_spill_files(pid, dir)
}

/// Output that waited in spill files is copied out exactly, whether
/// stdout is a pipe or a file (the kernel copies: sendfile) or a file
/// opened for appending (which sendfile refuses: trawl copies itself).
#[test]
fn spilled_output_arrives_whole_and_in_order_on_every_kind_of_stdout() {
    let (f, fifo, expected, spill_dir) = big_lines_behind_a_fifo(48);
    let out_dir = tempfile::tempdir().unwrap();
    for destination in ["pipe", "file", "appended file"] {
        let out_path = out_dir.path().join(destination);
        let stdout = match destination {
            "pipe" => Stdio::piped(),
            "file" => File::create(&out_path).unwrap().into(),
            _ => {
                std::fs::write(&out_path, "before\n").unwrap();
                File::options().append(true).open(&out_path).unwrap().into()
            }
        };
        let mut child = f
            .cmd(&["-j2", "needle", "a-slow", "."])
            .env("TMPDIR", spill_dir.path())
            .stdout(stdout)
            .spawn()
            .unwrap();
        let spilled = wait_for_spill_files(child.id(), spill_dir.path(), 1);
        release(&fifo);
        let mut got = String::new();
        if let Some(mut pipe) = child.stdout.take() {
            pipe.read_to_string(&mut got).unwrap();
        }
        assert_eq!(child.wait().unwrap().code(), Some(0));
        assert!(spilled > 0, "nothing spilled with stdout a {destination}");
        match destination {
            "pipe" => {}
            "file" => got = std::fs::read_to_string(&out_path).unwrap(),
            _ => {
                got = std::fs::read_to_string(&out_path).unwrap();
                got = got.strip_prefix("before\n").unwrap().to_string();
            }
        }
        // Compared in pieces: a 48 MiB assert_eq! message helps no one.
        assert_eq!(got.len(), expected.len(), "length, stdout a {destination}");
        let first_difference = got.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        assert_eq!(first_difference, None, "stdout a {destination}");
    }
}

/// When the reader is the bottleneck (nothing is slow, but the pipe is
/// not read), workers at the budget wait instead of spilling: spilling
/// would only add copies while the printer is busy writing.
#[test]
fn a_slow_reader_makes_workers_wait_not_spill() {
    let (f, _fifo, expected, spill_dir) = big_lines_behind_a_fifo(64);
    std::fs::remove_file(f.path().join("a-slow")).unwrap();
    let mut child = f
        .cmd(&["-j2", "needle", "."])
        .env("TMPDIR", spill_dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The pipe fills, the printer blocks writing, the budget fills.
    let spilled = wait_until_settled(child.id(), || {
        open_spill_files(child.id(), spill_dir.path())
    });
    let printed = std::io::copy(&mut child.stdout.take().unwrap(), &mut std::io::sink()).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(spilled, 0, "spilled while the printer was busy writing");
    assert_eq!(printed as usize, expected.len());
}

/// A worker starts a new spill file every 64 MiB, so that a spill file
/// is closed (and its disk space freed) once what it holds is printed:
/// 100 MiB behind a FIFO, 32 MiB of it in memory, the rest in two files.
#[test]
fn spill_files_are_rotated() {
    let (f, fifo, expected, spill_dir) = big_lines_behind_a_fifo(100);
    let mut child = f
        .cmd(&["-j2", "needle", "a-slow", "."])
        .env("TMPDIR", spill_dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let spilled = wait_for_spill_files(child.id(), spill_dir.path(), 2);
    release(&fifo);
    let printed = std::io::copy(&mut child.stdout.take().unwrap(), &mut std::io::sink()).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(spilled, 2);
    assert_eq!(printed as usize, expected.len());
}

/// Output to a pipe: trawl raises the pipe's capacity to 1 MiB (a flood
/// of output then costs a sixteenth of the context switches), and never
/// lowers one already larger.
#[test]
fn a_pipe_on_stdout_is_widened() {
    use std::os::fd::AsRawFd;
    let f = Fixture::new();
    f.create("a.txt", "needle\n");
    let capacity = |fd: &dyn AsRawFd| {
        // SAFETY: F_GETPIPE_SZ on a pipe this test holds.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETPIPE_SZ) }
    };
    let mut child = f.cmd(&["needle"]).stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(capacity(&stdout), 1 << 20);

    let (reader, writer) = std::io::pipe().unwrap();
    // SAFETY: as above; 2 MiB is above the unprivileged maximum, so this
    // may be refused, and then the test checks the default is raised.
    unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 2 << 20) };
    let before = capacity(&reader);
    let status = f.cmd(&["needle"]).stdout(writer).status().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(capacity(&reader), before.max(1 << 20));
}

/// stdout and stderr written to one file: every message about a file
/// sits between the output of the files before and after it.
#[test]
fn messages_come_in_their_files_place() {
    let f = Fixture::new();
    for i in 0..30 {
        f.create(&format!("f{i:02}.txt"), format!("x {i}\n"));
    }
    std::os::unix::fs::symlink("nowhere", f.path().join("f10.lnk")).unwrap();
    std::os::unix::fs::symlink("nowhere", f.path().join("f20.lnk")).unwrap();
    let mut expected = String::new();
    for i in 0..30 {
        // f10.lnk sorts before f10.txt.
        if i == 10 || i == 20 {
            expected += &format!("trawl: ./f{i}.lnk: No such file or directory (os error 2)\n");
        }
        expected += &format!("f{i:02}.txt:x {i}\n");
    }
    for threads in ["1", "4", "8"] {
        let combined = f.path().join("../combined.out");
        let file = File::create(&combined).unwrap();
        let status = f
            .cmd(&["-L", "-j", threads, "x"])
            .env("TRAWL_TEST_WORKER_DELAY_US", "3000")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2));
        assert_eq!(
            std::fs::read_to_string(&combined).unwrap(),
            expected,
            "-j{threads}"
        );
    }
    // Paths named on the command line: the error between the two outputs.
    let combined = f.path().join("../combined2.out");
    let file = File::create(&combined).unwrap();
    f.cmd(&["x", "f01.txt", "missing.txt", "f02.txt"])
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&combined).unwrap(),
        "f01.txt:x 1\ntrawl: missing.txt: No such file or directory (os error 2)\nf02.txt:x 2\n"
    );
}

/// 2,000 files with a match in every one: -q stops after the first, and
/// the debug count says how many were searched at all.
#[test]
fn quiet_stops_searching_at_the_first_match() {
    let f = Fixture::new();
    for i in 0..2000 {
        f.create(&format!("d{}/f{i:04}.txt", i / 100), "needle\n");
    }
    let run = f.run(&["-q", "--debug", "-j2", "needle"]);
    assert_eq!((run.stdout.as_str(), run.code), ("", 0));
    let searched: u64 = debug_searched(&run.stderr)
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(searched < 100, "-q searched {searched} files");
    // Without -q every file is searched.
    let run = f.run(&["-c", "--debug", "needle"]);
    assert_eq!(debug_searched(&run.stderr), "2000 of 2000 files walked");
}

#[test]
fn max_results_counts_matching_lines_in_walk_order() {
    let f = Fixture::new();
    f.create("a.txt", "x1\nx2\n");
    f.create("b.txt", "none\n");
    f.create("c.txt", "x3\nno\nx4\nx5\n");
    f.create("d/e.txt", "x6\n");
    let run = f.run_ordered(&["--max-results", "4", "x"]);
    run.expect("a.txt:x1\na.txt:x2\nc.txt:x3\nc.txt:x4\n", 0);
    let run = f.run_ordered(&["--max-results", "2", "-n", "-A1", "x", "c.txt", "d"]);
    // As with -m, the last result's after-context is printed, and a
    // matching line in it is shown as a match (rg's -m does the same).
    run.expect("c.txt:1:x3\nc.txt-2-no\nc.txt:3:x4\nc.txt:4:x5\n", 0);
    let run = f.run_ordered(&["--max-results", "3", "-c", "x"]);
    run.expect("a.txt:2\nc.txt:1\n", 0);
    let run = f.run_ordered(&["--max-results", "100", "x"]);
    run.expect(
        "a.txt:x1\na.txt:x2\nc.txt:x3\nc.txt:x4\nc.txt:x5\nd/e.txt:x6\n",
        0,
    );
    // Nothing at all: exit 1, as with -m 0.
    f.run_ordered(&["--max-results", "0", "x"]).expect("", 1);
    // -m still applies per file.
    let run = f.run_ordered(&["--max-results", "3", "-m1", "x"]);
    run.expect("a.txt:x1\nc.txt:x3\nd/e.txt:x6\n", 0);
}

/// A file whose output is larger than the head room (1 MiB) is not held:
/// it is searched again in its turn with the exact number left, and
/// streamed. The results are the same.
#[test]
fn max_results_streams_a_file_with_much_output() {
    let f = Fixture::new();
    f.create("a.txt", "x a1\nx a2\n");
    let big: String = (0..200_000).map(|i| format!("x {i:06}\n")).collect();
    f.create("b.txt", &big);
    f.create("c.txt", "x c1\n");
    let all: Vec<String> = ["a.txt:x a1\n".to_string(), "a.txt:x a2\n".to_string()]
        .into_iter()
        .chain((0..200_000).map(|i| format!("b.txt:x {i:06}\n")))
        .chain(["c.txt:x c1\n".to_string()])
        .collect();
    for max in [150_000, 200_002, 300_000] {
        let run = f.run_ordered(&["--max-results", &max.to_string(), "x"]);
        let expected: String = all.iter().take(max).map(String::as_str).collect();
        assert_eq!(run.code, 0);
        assert!(
            run.stdout == expected,
            "--max-results {max}: output differs"
        );
    }
    let run = f.run_ordered(&["--max-results", "150000", "--json", "x"]);
    let tail: Vec<&str> = run.stdout.lines().rev().take(2).collect();
    assert_eq!(
        tail[1],
        r#"{"type":"truncated","data":{"max_results":150000,"path":{"text":"b.txt"}}}"#
    );
}

#[test]
fn max_results_with_json_says_where_it_stopped() {
    let f = Fixture::new();
    f.create("a.txt", "x1\n");
    f.create("b.txt", "x2\nx3\n");
    f.create("c.txt", "x4\n");
    let run = f.run_ordered(&["--max-results", "2", "--json", "x"]);
    let types: Vec<String> = run
        .stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let kind = v["type"].as_str().unwrap().to_string();
            match v["data"]["path"]["text"].as_str() {
                Some(path) => format!("{kind} {path}"),
                None => kind,
            }
        })
        .collect();
    assert_eq!(
        types,
        [
            "begin a.txt",
            "match a.txt",
            "end a.txt",
            "begin b.txt",
            "match b.txt",
            "end b.txt",
            "truncated b.txt",
            "summary"
        ]
    );
    assert!(run
        .stdout
        .contains(r#"{"type":"truncated","data":{"max_results":2,"path":{"text":"b.txt"}}}"#));
}

#[test]
fn max_results_stops_the_search() {
    // The walker may run IN_ORDER (4096) files ahead of the printer, and
    // a loaded machine can starve the printer that long, so only a tree
    // well past that bound shows, whatever the timing, that the walk and
    // the searches stop once the limit is printed.
    let f = Fixture::new();
    for i in 0..6000 {
        f.create(&format!("d{:02}/f{i:04}.txt", i / 100), "needle\nneedle\n");
    }
    let run = f.run(&["--max-results", "3", "--debug", "-j2", "needle"]);
    run.expect(
        "d00/f0000.txt:needle\nd00/f0000.txt:needle\nd00/f0001.txt:needle\n",
        0,
    );
    let searched: u64 = debug_searched(&run.stderr)
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        searched <= 4200,
        "--max-results 3 searched {searched} files"
    );
}

#[test]
fn max_results_on_stdin() {
    let f = Fixture::new();
    let mut child = f
        .cmd(&["--max-results", "2", "x"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"x1\ny\nx2\nx3\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "x1\nx2\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_absurd_thread_count_is_capped_with_one_message() {
    let f = Fixture::new();
    f.create("a.txt", "x\n");
    f.create("d/b.txt", "x\n");
    let run = f.run(&["-j", "100000", "x"]);
    run.expect("a.txt:x\nd/b.txt:x\n", 0);
    assert_eq!(
        run.stderr,
        "trawl: using 256 threads instead of 100000, the most trawl runs\n"
    );
}
