//! Fixture trees in temp dirs and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub struct Fixture {
    dir: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::Builder::new()
                .prefix("trawl-test")
                .tempdir()
                .unwrap(),
        }
    }

    /// A fixture under `base` (for a given file system).
    pub fn new_in(base: &Path) -> Fixture {
        Fixture {
            dir: tempfile::Builder::new()
                .prefix("trawl-test")
                .tempdir_in(base)
                .unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Creates a file (and its parent directories) with the given content.
    pub fn create(&self, rel: &str, content: impl AsRef<[u8]>) -> &Fixture {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Makes `rel` (or the fixture root, for "") a git repository.
    pub fn git_init(&self, rel: &str) -> &Fixture {
        let dir = self.mkdir(rel);
        let status = Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir)
            .status()
            .expect("git is needed by the tests (.ci/run installs it)");
        assert!(status.success());
        self
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// A command for the trawl binary, run in the fixture with a scrubbed
    /// environment and stdin closed (so the cwd is searched, not stdin).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trawl"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .env_remove("TRAWL_CONFIG_PATH")
            .env_remove("RIPGREP_CONFIG_PATH")
            .env_remove("NO_COLOR")
            // The user's own global gitignore must not leak into tests.
            .env("HOME", "/nonexistent/trawl-test-home")
            .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
            // No index of the user's is used (tests of the index set it).
            .env_remove("XDG_CACHE_HOME")
            .env_remove("GIT_CONFIG_GLOBAL")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    /// Runs with -j1 and -j8 and demands byte-identical results: output
    /// must not depend on the thread count.
    pub fn run_ordered(&self, args: &[&str]) -> Run {
        let one = self.run(&[&["-j1"], args].concat()).scrubbed();
        let eight = self.run(&[&["-j8"], args].concat()).scrubbed();
        assert_eq!(one, eight, "-j1 and -j8 differ for {args:?}");
        let no_mmap = self.run(&[&["-j3", "--no-mmap"], args].concat()).scrubbed();
        assert_eq!(one, no_mmap, "--no-mmap differs for {args:?}");
        one
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }
}

impl Run {
    /// Timings (--json, --stats) are the only run-dependent output.
    fn scrubbed(mut self) -> Run {
        if self.stdout.contains("\"elapsed") {
            self.stdout = scrub_elapsed(&self.stdout);
        }
        self
    }

    /// Asserts stdout and the exit code, showing stderr on failure.
    #[track_caller]
    pub fn expect(&self, stdout: &str, code: i32) {
        assert_eq!(
            self.stdout, stdout,
            "\n--- expected stdout ---\n{stdout}--- actual stdout ---\n{}--- stderr ---\n{}",
            self.stdout, self.stderr
        );
        assert_eq!(self.code, code, "exit code; stderr: {}", self.stderr);
    }
}

/// Lines sorted, for checks where only the set matters.
#[allow(dead_code)]
pub fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    lines
}

/// Replaces timing objects, the only run-dependent part of --json output.
pub fn scrub_elapsed(json: &str) -> String {
    let mut out = String::new();
    let mut rest = json;
    while let Some(i) = rest.find("\"elapsed") {
        let open = i + rest[i..].find('{').unwrap();
        let close = open + rest[open..].find('}').unwrap();
        out.push_str(&rest[..open]);
        out.push_str("{}");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs a tool the CI installs; outside CI a missing tool skips the test.
pub fn tool_available(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI must have {name}"
    );
    if !found {
        eprintln!("{name} not installed: skipping (.ci/run installs it)");
    }
    found
}

/// Runs headless Neovim in `dir` with `commands` (and `bin_dir` first on
/// PATH), then returns its quickfix list, one `file|line|col|text|valid`
/// line per entry.
pub fn nvim_quickfix(dir: &Path, bin_dir: Option<&Path>, commands: &[&str]) -> String {
    let mut nvim = Command::new("nvim");
    nvim.current_dir(dir).stdin(Stdio::null());
    if let Some(bin_dir) = bin_dir {
        let path = std::env::var("PATH").unwrap_or_default();
        nvim.env("PATH", format!("{}:{path}", bin_dir.display()));
    }
    nvim.args(["--headless", "-u", "NONE", "-i", "NONE", "-n"]);
    for command in commands {
        nvim.args(["-c", command]);
    }
    let dump = "call writefile(map(getqflist(), {_, v -> bufname(v.bufnr) . '|' . v.lnum \
                . '|' . v.col . '|' . v.text . '|' . v.valid}), 'qf.out')";
    let out = nvim.args(["-c", dump, "-c", "qa!"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    // Lossy: quickfix text keeps non-UTF-8 lines' raw bytes.
    String::from_utf8_lossy(&std::fs::read(dir.join("qf.out")).unwrap()).into_owned()
}
