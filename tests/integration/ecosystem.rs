//! Man page, completions, config file, diagnostics, version.

use std::process::Command;

use crate::util::{nvim_quickfix, tool_available, Fixture};

const GENERATED: [(&str, &str); 6] = [
    ("man", "man/trawl.1"),
    ("complete-bash", "completions/trawl.bash"),
    ("complete-zsh", "completions/_trawl"),
    ("complete-fish", "completions/trawl.fish"),
    ("complete-powershell", "completions/_trawl.ps1"),
    ("complete-elvish", "completions/trawl.elv"),
];

fn repo_file(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn committed_man_page_and_completions_are_fresh() {
    let f = Fixture::new();
    for (kind, path) in GENERATED {
        let out = f.cmd(&["--generate", kind]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(repo_file(path)).unwrap();
        assert!(
            committed == out.stdout,
            "{path} is stale: run `cargo run -- --generate {kind} > {path}`"
        );
    }
}

#[test]
fn man_page_renders_without_warnings() {
    if !tool_available("groff") {
        return;
    }
    let out = Command::new("groff")
        .args(["-ww", "-man", "-Tutf8"])
        .arg(repo_file("man/trawl.1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--json"), "{text}");
}

fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source /usr/share/bash-completion/bash_completion; source {}; \
         COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE=\"{}\"; COMP_POINT=${{#COMP_LINE}}; \
         _trawl trawl \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        repo_file("completions/trawl.bash").display(),
        words.join(" "),
        words.len() - 1,
        words.join(" "),
    );
    let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn bash_completion_offers_flags_and_type_names() {
    if !std::path::Path::new("/usr/share/bash-completion/bash_completion").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have bash-completion"
        );
        return;
    }
    assert_eq!(bash_complete(&["trawl", "--js"]), ["--json"]);
    assert_eq!(bash_complete(&["trawl", "-t", "ru"]), ["ruby", "rust"]);
}

#[test]
fn fish_completion_offers_flags_and_type_names() {
    if !tool_available("fish") {
        return;
    }
    let script = format!(
        "source {}; complete -C 'trawl --js'; complete -C 'trawl -t rus'",
        repo_file("completions/trawl.fish").display()
    );
    let out = Command::new("fish").arg("-c").arg(script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("--json\t"), "{text}");
    assert_eq!(lines[1], "rust");
}

#[test]
fn config_file_supplies_defaults_and_command_line_wins() {
    let f = Fixture::new();
    f.create("a.txt", "Foo\nfoo\n");
    f.create("config", "# defaults\n--ignore-case\n\n  -n  \n");
    let run = |args: &[&str]| {
        let out = f
            .cmd(args)
            .env("TRAWL_CONFIG_PATH", f.path().join("config"))
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
        )
    };
    assert_eq!(run(&["foo", "a.txt"]), ("1:Foo\n2:foo\n".into(), Some(0)));
    assert_eq!(
        run(&["-s", "-N", "foo", "a.txt"]),
        ("foo\n".into(), Some(0))
    );
    assert_eq!(
        run(&["--no-config", "foo", "a.txt"]),
        ("foo\n".into(), Some(0))
    );
}

#[test]
fn bad_config_line_is_reported_with_file_and_line() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    f.create("config", "-n\n--no-such-flag\n");
    let out = f
        .cmd(&["foo", "a.txt"])
        .env("TRAWL_CONFIG_PATH", f.path().join("config"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config:2:"), "{stderr}");
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
}

#[test]
fn debug_explains_skipped_paths() {
    let f = Fixture::new();
    f.create(".ignore", "*.log\n");
    f.create("a.log", "x\n");
    f.create(".hidden", "x\n");
    f.create("bin", b"x\0\n");
    f.create("big", "x\n".repeat(100));
    f.create("a.txt", "x\n");
    let run = f.run(&["--debug", "--max-filesize", "100", "x"]);
    assert_eq!(run.stdout, "a.txt:x\n");
    let has = |needle: &str| {
        assert!(
            run.stderr.contains(needle),
            "no {needle:?} in\n{}",
            run.stderr
        )
    };
    has("skipping ./.hidden: hidden");
    has("skipping ./a.log: ignored by ./.ignore: *.log");
    has("skipping ./big: larger than --max-filesize 100");
    has("ignoring bin: found binary data at offset 1");
    let trace = f.run(&["--trace", "x"]);
    assert!(
        trace.stderr.contains("considering ./a.txt"),
        "{}",
        trace.stderr
    );
}

#[test]
fn version_names_features() {
    let run = Fixture::new().run(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run
        .stdout
        .starts_with(&format!("trawl {}\n", env!("CARGO_PKG_VERSION"))));
    assert!(run.stdout.contains("features:"), "{}", run.stdout);
}

#[test]
fn no_messages_hides_file_errors_but_keeps_exit_code() {
    let f = Fixture::new();
    f.create("a.txt", "foo\n");
    let run = f.run(&["--no-messages", "foo", "missing", "a.txt"]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "a.txt:foo\n");
    assert_eq!(run.code, 2);
}

/// A tmux server of our own, killed when dropped (even if a test fails).
struct Tmux(String);

impl Tmux {
    fn new() -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Tmux(format!("trawl-test-{}-{n}", std::process::id()))
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.0)
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// Runs trawl inside a detached tmux session (a real terminal) and returns
/// the screen while it runs (once `wait_for` shows up, if given) and after
/// it ends; with `escapes`, screens keep their color sequences.
fn tmux_screens(
    f: &Fixture,
    command: &str,
    wait_for: Option<&str>,
    escapes: bool,
) -> (String, String) {
    use std::time::{Duration, Instant};
    let tmux = Tmux::new();
    let script = format!(
        "cd '{}' && env HOME=/nonexistent TERM=xterm TRAWL_TEST_WORKER_DELAY_US=40000 {command}; \
         touch done; sleep 30",
        f.path().display()
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
    let capture = || {
        let args: &[&str] = if escapes {
            &["capture-pane", "-p", "-e", "-t", "t"]
        } else {
            &["capture-pane", "-p", "-t", "t"]
        };
        String::from_utf8_lossy(&tmux.run(args).stdout).into_owned()
    };
    let done = || f.path().join("done").exists();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut during = capture();
    while let Some(marker) = wait_for {
        if during.contains(marker) || done() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        during = capture();
    }
    while !done() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let after = capture();
    let _ = std::fs::remove_file(f.path().join("done"));
    (during, after)
}

#[test]
fn progress_line_on_a_terminal_never_garbles_results() {
    if !tool_available("tmux") {
        return;
    }
    let f = Fixture::new();
    // About 150 x 20ms = 3s of searching (test delay hook), so the screen
    // is captured mid-search.
    for i in 0..150 {
        let body = if i % 50 == 0 { "needle\n" } else { "hay\n" };
        f.create(&format!("f{i:03}.txt"), body);
    }
    let trawl = env!("CARGO_BIN_EXE_trawl");
    // Results and progress on the same terminal.
    let command = format!("{trawl} -j1 --progress always --no-heading -N needle");
    let (during, after) = tmux_screens(&f, &command, Some("files searched"), false);
    assert!(during.contains("files searched"), "{during}");
    let lines: Vec<&str> = after.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines,
        ["f000.txt:needle", "f050.txt:needle", "f100.txt:needle"],
        "{after}"
    );
    // Never shown with --progress never.
    let command = format!("{trawl} -j1 --progress never needle > out");
    let (during, _) = tmux_screens(&f, &command, Some("files searched"), false);
    assert!(!during.contains("files searched"), "{during}");
}

#[test]
fn color_auto_on_a_terminal_honours_no_color_and_dumb_terminals() {
    if !tool_available("tmux") {
        return;
    }
    let f = Fixture::new();
    f.create("a.txt", "a needle here\n");
    let trawl = env!("CARGO_BIN_EXE_trawl");
    let screen = |env: &str| {
        let command = format!("env {env} {trawl} --color auto needle");
        tmux_screens(&f, &command, None, true).1
    };
    // tmux re-renders what it shows: check for the red of a match.
    let colored = screen("TERM=xterm");
    assert!(
        colored.contains("\x1b["),
        "no colors on a terminal: {colored:?}"
    );
    for env in ["NO_COLOR=1 TERM=xterm", "TERM=dumb"] {
        let plain = screen(env);
        assert!(!plain.contains("\x1b["), "colors with {env}: {plain:?}");
        assert!(plain.contains("a needle here"), "{plain:?}");
    }
}

/// A directory holding only `trawl` (a copy), to put on PATH for snippets
/// that call it by name.
fn trawl_on_path() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("trawl-path")
        .tempdir()
        .unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_trawl"), dir.path().join("trawl")).unwrap();
    dir
}

#[test]
fn readme_vim_grepprg_snippet_fills_the_quickfix_list() {
    if !tool_available("nvim") {
        return;
    }
    let f = Fixture::new();
    f.create("a.txt", "alpha\nneedle here\n");
    let bin = trawl_on_path();
    // The two lines of README.md's Vim snippet, then :grep.
    let grep = |pattern: &str| {
        let search = format!("silent grep {pattern}");
        let commands = [
            r"set grepprg=trawl\ --vimgrep\ --smart-case",
            "set grepformat=%f:%l:%c:%m",
            &search,
        ];
        nvim_quickfix(f.path(), Some(bin.path()), &commands)
    };
    // --smart-case: NEEDLE has uppercase, so it is case-sensitive: nothing.
    assert_eq!(grep("NEEDLE"), "");
    assert_eq!(grep("needle"), "a.txt|2|1|needle here|1\n");
}

#[test]
fn readme_fzf_snippet_opens_the_selected_match() {
    if !tool_available("tmux") || !tool_available("fzf") {
        return;
    }
    let f = Fixture::new();
    f.create("a.txt", "alpha\nneedle here\n");
    f.create("b.txt", "zzz\n");
    // The "editor" records what it is asked to open; it lives outside the
    // searched tree.
    let bin = trawl_on_path();
    let editor = bin.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\necho \"$@\" > editor-args\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let tmux = Tmux::new();
    // README.md's fzf snippet, as written.
    let snippet =
        "trawl --column --line-number --no-heading --color=always --smart-case -- '' |\n  \
                   fzf --ansi --delimiter : --bind 'enter:become($EDITOR {1} +{2})'";
    let script = format!(
        "cd '{}' && export PATH='{}':\"$PATH\" EDITOR='{}' HOME=/nonexistent; {snippet}; sleep 30",
        f.path().display(),
        bin.path().display(),
        editor.display()
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "30",
        "-s",
        "t",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
    let wait_for = |check: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !check() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    let screen = || {
        String::from_utf8_lossy(&tmux.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    };
    wait_for(&|| screen().contains("3/3"));
    tmux.run(&["send-keys", "-t", "t", "needle"]);
    wait_for(&|| screen().contains("1/3"));
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    let args = f.path().join("editor-args");
    wait_for(&|| args.exists());
    assert_eq!(
        std::fs::read_to_string(args).unwrap(),
        "a.txt +2\n",
        "{}",
        screen()
    );
}

#[test]
fn readme_telescope_and_consult_command_lines_produce_parseable_output() {
    let f = Fixture::new();
    f.create("src/a.rs", "fn main() {}\nlet x = Needle;\n");
    // Telescope's vimgrep_arguments from README.md: path:line:column:text.
    let run = f.run(&[
        "--color=never",
        "--no-heading",
        "--with-filename",
        "--line-number",
        "--column",
        "--smart-case",
        "needle",
    ]);
    run.expect("src/a.rs:2:9:let x = Needle;\n", 0);
    // consult-ripgrep's command from README.md: path NUL line:text.
    let run = f.run(&[
        "--null",
        "--line-buffered",
        "--color=never",
        "--max-columns=1000",
        "--path-separator",
        "/",
        "--smart-case",
        "--no-heading",
        "--with-filename",
        "--line-number",
        "needle",
    ]);
    run.expect("src/a.rs\x002:let x = Needle;\n", 0);
}
