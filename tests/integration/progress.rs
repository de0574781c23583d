//! The --progress line (issue 13, item 18): drawn with `always` even when
//! stderr is not a terminal, its clock counting from the start of the
//! search, and erased by Ctrl-C.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{tool_available, Fixture};

/// About 150 x 40ms of searching (test delay hook): long enough to watch.
fn slow_fixture() -> Fixture {
    let f = Fixture::new();
    for i in 0..150 {
        let body = if i % 50 == 0 { "needle\n" } else { "hay\n" };
        f.create(&format!("f{i:03}.txt"), body);
    }
    f
}

#[test]
fn progress_always_draws_on_a_stderr_that_is_not_a_terminal() {
    let f = slow_fixture();
    let out = f
        .cmd(&["-j1", "--progress", "always", "needle"])
        .env("TRAWL_TEST_WORKER_DELAY_US", "2000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("files searched"), "{stderr:?}");
    // The results are untouched (stdout is not the terminal).
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "f000.txt:needle\nf050.txt:needle\nf100.txt:needle\n"
    );
    let out = f.cmd(&["--progress", "auto", "needle"]).output().unwrap();
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);
}

/// A tmux server of its own (a real terminal), killed on drop.
struct Tmux(String);

impl Tmux {
    fn new(tag: &str) -> Tmux {
        Tmux(format!("trawl-progress-{}-{tag}", std::process::id()))
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.0)
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// Polls the screen until `done` says so (or a minute passes).
    fn wait(&self, mut done: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if done(&screen) || Instant::now() > deadline {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// Runs trawl in the session's shell, which survives Ctrl-C (its trap) to
/// print EXITED.
fn start(tmux: &Tmux, dir: &Path, args: &str) {
    start_fed(tmux, dir, "", args);
}

/// `start`, with trawl's stdin from `input` (a shell pipeline ending in
/// `|`), if not empty.
fn start_fed(tmux: &Tmux, dir: &Path, input: &str, args: &str) {
    let script = format!(
        "trap true INT; cd '{}' && {input} env HOME=/nonexistent TERM=xterm TRAWL_TEST_WORKER_DELAY_US=40000 {} {args}; \
         echo EXITED; sleep 30",
        dir.display(),
        env!("CARGO_BIN_EXE_trawl")
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-x",
        "160",
        "-y",
        "40",
        "-s",
        "t",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
}

#[test]
fn progress_clock_counts_from_the_start_of_the_search() {
    if !tool_available("tmux") {
        return;
    }
    let f = slow_fixture();
    let tmux = Tmux::new("clock");
    start(&tmux, f.path(), "-j1 --progress auto needle");
    // Under `auto` the line appears after a second: its clock says so.
    let screen = tmux.wait(|s| s.contains("files searched") || s.contains("EXITED"));
    assert!(screen.contains("files searched"), "{screen}");
    assert!(!screen.contains("[00:00:00]"), "{screen}");
}

#[test]
fn ctrl_c_erases_the_progress_line() {
    if !tool_available("tmux") {
        return;
    }
    let f = slow_fixture();
    let tmux = Tmux::new("interrupt");
    start(&tmux, f.path(), "-j1 --progress always needle > out");
    let screen = tmux.wait(|s| s.contains("files searched") || s.contains("EXITED"));
    assert!(screen.contains("files searched"), "{screen}");
    tmux.run(&["send-keys", "-t", "t", "C-c"]);
    let screen = tmux.wait(|s| s.contains("EXITED"));
    assert!(screen.contains("EXITED"), "{screen}");
    assert!(!screen.contains("files searched"), "{screen}");
}

#[test]
fn progress_auto_stays_off_when_stdout_is_not_the_terminal() {
    if !tool_available("tmux") {
        return;
    }
    // `trawl ... | fzf` or `| less`: the reader draws on the terminal.
    let f = slow_fixture();
    let tmux = Tmux::new("piped");
    start(&tmux, f.path(), "-j1 needle | cat");
    let mut seen = false;
    let screen = tmux.wait(|s| {
        seen |= s.contains("files searched");
        s.contains("EXITED")
    });
    assert!(!seen, "{screen}");
    assert!(
        screen.contains("f000.txt:needle\nf050.txt:needle\nf100.txt:needle\nEXITED"),
        "{screen}"
    );
    // `always` still draws it.
    let tmux = Tmux::new("piped-always");
    start(&tmux, f.path(), "-j1 --progress always needle | cat");
    let screen = tmux.wait(|s| s.contains("files searched") || s.contains("EXITED"));
    assert!(screen.contains("files searched"), "{screen}");
}

#[test]
fn progress_shows_bytes_read_and_the_file_while_stdin_waits() {
    if !tool_available("tmux") {
        return;
    }
    let f = Fixture::new();
    let tmux = Tmux::new("stdin");
    start_fed(
        &tmux,
        f.path(),
        "{ printf 'hay\\nhay\\n'; sleep 100; } |",
        "--progress always needle",
    );
    let screen = tmux.wait(|s| s.contains("8 B read: <stdin>") || s.contains("EXITED"));
    assert!(
        screen.contains("0 files searched, 0 with matches, 8 B read: <stdin>"),
        "{screen}"
    );
    tmux.run(&["send-keys", "-t", "t", "C-c"]);
    let screen = tmux.wait(|s| s.contains("EXITED"));
    assert!(!screen.contains("files searched"), "{screen}");
}

#[test]
fn results_from_a_slow_stdin_reach_the_terminal_at_once() {
    if !tool_available("tmux") {
        return;
    }
    let f = Fixture::new();
    let tmux = Tmux::new("stdin-results");
    // The input stays open far longer than the wait: the line must show
    // while trawl waits for more.
    start_fed(
        &tmux,
        f.path(),
        "{ echo 'ERROR one'; echo nothing; sleep 100; } |",
        "ERROR",
    );
    let screen = tmux.wait(|s| s.contains("ERROR one") || s.contains("EXITED"));
    assert!(screen.contains("ERROR one"), "{screen}");
    assert!(!screen.contains("EXITED"), "{screen}");
    tmux.run(&["send-keys", "-t", "t", "C-c"]);
}
