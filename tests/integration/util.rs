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
            .env_remove("NO_COLOR")
            // The user's own global gitignore must not leak into tests.
            .env("HOME", "/nonexistent/trawl-test-home")
            .env("XDG_CONFIG_HOME", "/nonexistent/trawl-test-xdg")
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
