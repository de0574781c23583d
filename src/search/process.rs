//! Searching what a program writes: the `--pre` preprocessor, and `.Z`
//! files under `-z` (decompressed by `uncompress`).
//!
//! The child's stdout is read as a stream; its stderr is collected by a
//! thread, so that a child writing much to stderr can never block on a
//! full pipe while trawl waits on its stdout. A child that fails (exit
//! status not 0) makes the read that meets its end fail with what it wrote
//! on stderr, framed as ripgrep frames it.

use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

pub struct CommandReader {
    child: Child,
    stdout: Option<ChildStdout>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    eof: bool,
}

impl CommandReader {
    /// Starts `command` with its stdout and stderr piped.
    pub fn spawn(command: &mut Command) -> io::Result<CommandReader> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                bytes
            })
        });
        Ok(CommandReader {
            child,
            stdout,
            stderr,
            eof: false,
        })
    }

    /// The child's stdout, while it is open.
    pub fn fd(&self) -> Option<RawFd> {
        self.stdout.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// Closes stdout and waits for the child. A failure is an error, unless
    /// the output was not read to its end and stderr is empty: closing the
    /// pipe early (-l, -q, -m) typically kills the child with SIGPIPE, which
    /// is no failure (ripgrep's rule too).
    pub fn close(&mut self) -> io::Result<()> {
        let Some(stdout) = self.stdout.take() else {
            return Ok(());
        };
        drop(stdout);
        let status = self.child.wait()?;
        let stderr = self
            .stderr
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default();
        if status.success() || (!self.eof && stderr.is_empty()) {
            return Ok(());
        }
        Err(io::Error::other(framed_stderr(&stderr)))
    }
}

/// ripgrep's rendering of a failed command's stderr: between two lines of
/// 79 dashes, or `<stderr is empty>`.
fn framed_stderr(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return "<stderr is empty>".to_string();
    }
    let rule = "-".repeat(79);
    format!("\n{rule}\n{text}\n{rule}")
}

impl Read for CommandReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(stdout) = self.stdout.as_mut() else {
            return Ok(0);
        };
        let n = stdout.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
            self.close()?;
        }
        Ok(n)
    }
}

impl Drop for CommandReader {
    fn drop(&mut self) {
        // Reaps the child; a failure was already reported by `close`.
        let _ = self.close();
    }
}
