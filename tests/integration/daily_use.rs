//! Traps of daily use (issue 17): a search that writes into the tree it
//! searches, and input that arrives slowly.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::util::Fixture;

fn needles() -> Fixture {
    let f = Fixture::new();
    f.create("aa.txt", "needle\n").create("zz.txt", "needle\n");
    f
}

/// Runs trawl in the fixture with stdout going to `out`, and returns what
/// the file holds afterwards.
fn run_into(f: &Fixture, args: &[&str], out: File) -> String {
    let status = f.cmd(args).stdout(Stdio::from(out)).status().unwrap();
    assert!(status.code().is_some_and(|code| code < 2), "{status:?}");
    std::fs::read_to_string(f.path().join("out.txt")).unwrap()
}

#[test]
fn a_search_never_reads_its_own_output_file() {
    let f = needles();
    let create = || File::create(f.path().join("out.txt")).unwrap();
    let append = || {
        OpenOptions::new()
            .append(true)
            .open(f.path().join("out.txt"))
            .unwrap()
    };
    // `trawl needle > out.txt`, then `>> out.txt` twice: the output file
    // holds a needle by then, and is still not searched.
    let first = "aa.txt:needle\nzz.txt:needle\n";
    assert_eq!(run_into(&f, &["needle"], create()), first);
    assert_eq!(run_into(&f, &["needle"], append()), first.repeat(2));
    assert_eq!(run_into(&f, &["-j1", "needle"], append()), first.repeat(3));
    assert_eq!(
        run_into(&f, &["-c", "needle", "."], append()),
        first.repeat(3) + "./aa.txt:1\n./zz.txt:1\n"
    );
    // --files too (ripgrep 15.2 lists it there), and every other mode.
    assert_eq!(run_into(&f, &["--files"], create()), "aa.txt\nzz.txt\n");
    assert_eq!(
        run_into(&f, &["-l", "needle"], append()),
        "aa.txt\nzz.txt\naa.txt\nzz.txt\n"
    );
    // Named on the command line, it is searched, as ripgrep does.
    assert_eq!(run_into(&f, &["needle", "out.txt"], create()), "");
    std::fs::write(f.path().join("out.txt"), "old needle\n").unwrap();
    assert_eq!(
        run_into(&f, &["needle", "out.txt", "aa.txt"], append()),
        "old needle\nout.txt:old needle\naa.txt:needle\n"
    );
}

#[test]
fn output_to_another_file_of_the_same_name_is_searched() {
    // Only the very file stdout writes to is skipped: a file elsewhere,
    // and the same tree when stdout is a pipe, are searched as usual.
    let f = needles();
    f.create("out.txt", "needle\n");
    let elsewhere = tempfile::NamedTempFile::new().unwrap();
    let status = f
        .cmd(&["needle"])
        .stdout(Stdio::from(elsewhere.reopen().unwrap()))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(elsewhere.path()).unwrap(),
        "aa.txt:needle\nout.txt:needle\nzz.txt:needle\n"
    );
    f.run(&["needle"])
        .expect("aa.txt:needle\nout.txt:needle\nzz.txt:needle\n", 0);
}

/// How long a result already found may take to reach the reader while
/// the input waits: generous, as it is a failure only when it never comes.
const DEADLINE: Duration = Duration::from_secs(10);

/// Starts `cmd` with stdout piped and read line by line on a thread.
fn lines_of(mut cmd: Command) -> (Child, mpsc::Receiver<String>) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Writes "ERROR one" (and a line without a match) to `input`, waits for
/// trawl to print it, then writes "ERROR two" and closes the input.
fn check_streaming(
    child: &mut Child,
    lines: &mpsc::Receiver<String>,
    mut input: impl Write,
    first: &str,
    second: &str,
) {
    input.write_all(b"ERROR one\nnothing\n").unwrap();
    input.flush().unwrap();
    let line = lines.recv_timeout(DEADLINE);
    // Not reaching the reader until the input ends is the failure.
    let _ = input.write_all(b"ERROR two\n");
    drop(input);
    assert_eq!(
        line.as_deref(),
        Ok(first),
        "first line while the input waits"
    );
    let rest: Vec<String> = lines.iter().collect();
    assert_eq!(rest, [second]);
    assert!(child.wait().unwrap().success());
}

#[test]
fn results_from_a_slow_stdin_reach_the_reader_at_once() {
    let f = Fixture::new();
    for args in [
        &["ERROR"][..],
        &["--line-buffered", "ERROR"],
        &["-n", "ERROR", "-"],
    ] {
        let mut cmd = f.cmd(args);
        cmd.stdin(Stdio::piped());
        let (mut child, lines) = lines_of(cmd);
        let input = child.stdin.take().unwrap();
        let first = if args[0] == "-n" {
            "1:ERROR one"
        } else {
            "ERROR one"
        };
        let second = if args[0] == "-n" {
            "3:ERROR two"
        } else {
            "ERROR two"
        };
        check_streaming(&mut child, &lines, input, first, second);
    }
}

fn mkfifo(f: &Fixture, name: &str) {
    let status = Command::new("mkfifo")
        .arg(f.path().join(name))
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn results_from_a_fifo_or_a_preprocessor_reach_the_reader_at_once() {
    let f = Fixture::new();
    mkfifo(&f, "log.fifo");
    let fifo = f.path().join("log.fifo");
    let (mut child, lines) = lines_of(f.cmd(&["ERROR", "log.fifo"]));
    let input = OpenOptions::new().write(true).open(&fifo).unwrap();
    check_streaming(&mut child, &lines, input, "ERROR one", "ERROR two");

    // --pre: the preprocessor's output comes through a pipe.
    f.create("a.log", "");
    f.create(
        "pre.sh",
        format!("#!/bin/sh\nexec cat '{}'\n", fifo.display()),
    );
    use std::os::unix::fs::PermissionsExt;
    let script = f.path().join("pre.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (mut child, lines) = lines_of(f.cmd(&["--pre", "./pre.sh", "ERROR", "a.log"]));
    let input = OpenOptions::new().write(true).open(&fifo).unwrap();
    check_streaming(&mut child, &lines, input, "ERROR one", "ERROR two");
}
