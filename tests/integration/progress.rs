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

/// What a terminal shows, line by line, for the bytes written to it: `\r`
/// goes back to the start of the line, `ESC[2K` blanks it, other escape
/// sequences (colors, cursor) are dropped, other bytes overwrite or
/// extend the line. Enough for the progress line and trawl's output.
#[derive(Default)]
struct Screen {
    line: Vec<u8>,
    col: usize,
    escape: Option<Vec<u8>>,
    /// Lines holding a result (`needle`).
    results: usize,
    /// Lines holding both a result and progress text, the first few.
    mixed: Vec<String>,
    mixed_count: usize,
    /// Whether progress text was ever on the screen.
    progress_seen: bool,
}

impl Screen {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if let Some(escape) = &mut self.escape {
                escape.push(byte);
                // ESC [ parameters, then a final byte in @..~.
                if escape.len() >= 2 && (0x40..=0x7e).contains(&byte) {
                    let escape = self.escape.take().unwrap();
                    if escape.ends_with(b"K") {
                        self.note_progress();
                        self.line.iter_mut().for_each(|b| *b = b' ');
                    }
                }
                continue;
            }
            match byte {
                0x1b => self.escape = Some(Vec::new()),
                b'\r' => self.col = 0,
                b'\n' => self.end_line(),
                _ => {
                    if self.col < self.line.len() {
                        self.line[self.col] = byte;
                    } else {
                        self.line.push(byte);
                    }
                    self.col += 1;
                }
            }
        }
    }

    fn note_progress(&mut self) {
        self.progress_seen |= contains(&self.line, b"files searched");
    }

    fn end_line(&mut self) {
        self.note_progress();
        if contains(&self.line, b"needle") {
            self.results += 1;
            if contains(&self.line, b"files searched") {
                self.mixed_count += 1;
                if self.mixed.len() < 3 {
                    let shown = &self.line[..self.line.len().min(200)];
                    self.mixed.push(String::from_utf8_lossy(shown).into_owned());
                }
            }
        }
        self.line.clear();
        self.col = 0;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Spilled output (issue 17, item 3) hides the progress line like any
/// other output: 40 files of 1 MiB of results wait behind a FIFO, the
/// part past the 32 MiB budget in spill files; once the FIFO ends, all of
/// it is printed on a terminal (a pty of `script`, whose bytes are read
/// here whole, as tmux keeps only the last screens) with `--progress
/// always`, and no line on the screen holds a result and progress text.
#[test]
fn spilled_output_hides_the_progress_line_too() {
    use crate::handoff::{make_fifo, release, spilled, wait_until_settled};
    use std::io::Read;
    use std::process::Stdio;

    if !tool_available("script") {
        return;
    }
    let f = Fixture::new();
    let fifo = f.path().join("a-slow");
    make_fifo(&fifo);
    let lines_per_file = 8192;
    for i in 0..40 {
        let line = format!("needle {i:02} {}\n", "x".repeat(110));
        f.create(&format!("b{i:02}.txt"), line.repeat(lines_per_file));
    }
    let spill_dir = tempfile::tempdir().unwrap();
    let pid_dir = tempfile::tempdir().unwrap();
    let pid_file = pid_dir.path().join("pid");
    let inner = format!(
        "echo $$ > '{}' && exec '{}' -j2 --progress always needle a-slow .",
        pid_file.display(),
        env!("CARGO_BIN_EXE_trawl")
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &inner, "/dev/null"])
        .current_dir(f.path())
        .env("SHELL", "/bin/sh")
        .env("HOME", "/nonexistent/trawl-test-home")
        .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
        .env("TERM", "xterm")
        .env("TMPDIR", spill_dir.path())
        .env_remove("TRAWL_CONFIG_PATH")
        .env_remove("RIPGREP_CONFIG_PATH")
        .env_remove("XDG_CACHE_HOME")
        // Held open: script passes its stdin to the terminal.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Read from the start: a full pipe would stop the progress line.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut screen = Screen::default();
        let mut buffer = vec![0; 1 << 16];
        loop {
            match stdout.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => screen.feed(&buffer[..n]),
            }
        }
        screen
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let pid: u32 = loop {
        let text = std::fs::read_to_string(&pid_file).unwrap_or_default();
        if let Ok(pid) = text.trim().parse() {
            break pid;
        }
        assert!(Instant::now() < deadline, "trawl did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    let (files, bytes) = wait_until_settled(pid, || spilled(pid, spill_dir.path()));
    release(&fifo);
    let screen = reader.join().unwrap();
    let status = child.wait().unwrap();
    assert!(files > 0 && bytes > 0, "nothing spilled");
    assert_eq!(status.code(), Some(0));
    assert!(screen.progress_seen, "no progress line drawn");
    assert_eq!(
        screen.mixed_count, 0,
        "results drawn on the progress line: {:?}",
        screen.mixed
    );
    // None erased by a redrawing of the line either.
    assert_eq!(screen.results, 40 * lines_per_file);
}
