//! The progress line on stderr for long searches (`--progress`), drawn by
//! the printer thread with indicatif: files searched, files with matches,
//! bytes read so far (also inside a big file or stdin), the file a worker
//! opened last, elapsed time since the search started. Shown by default
//! only when stdout and stderr are both terminals: a program reading
//! trawl's output (fzf, less) may be drawing on the terminal. The printer
//! hides it while it writes results to the same terminal, so output is
//! never garbled; an interrupt (Ctrl-C) or termination erases it before
//! trawl dies.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::stats::Stats;

/// `--progress auto` waits this long before showing anything: quick
/// searches never flash a progress line.
const AUTO_DELAY: Duration = Duration::from_secs(1);

/// What the workers are doing now, updated as they go.
#[derive(Default)]
pub struct Live {
    /// Bytes read by the searchers (`Searcher::counting_into`).
    pub read: AtomicU64,
    /// The file a worker started last.
    current: Mutex<Vec<u8>>,
}

impl Live {
    pub fn start(&self, path: &[u8]) {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.clear();
        current.extend_from_slice(path);
    }
}

pub struct Progress<'a> {
    stats: &'a Stats,
    live: &'a Live,
    started: Instant,
    delay: Duration,
    bar: Option<ProgressBar>,
    /// Signals whose handler erases the line (see `erase_on_interrupt`).
    handled: Vec<libc::c_int>,
}

impl<'a> Progress<'a> {
    pub fn new(
        stats: &'a Stats,
        live: &'a Live,
        started: Instant,
        immediately: bool,
    ) -> Progress<'a> {
        Progress {
            stats,
            live,
            started,
            delay: if immediately {
                Duration::ZERO
            } else {
                AUTO_DELAY
            },
            bar: None,
            handled: Vec::new(),
        }
    }

    /// Refreshes the line (indicatif limits the redraw rate).
    pub fn tick(&mut self) {
        if self.bar.is_none() {
            let elapsed = self.started.elapsed();
            if elapsed < self.delay {
                return;
            }
            // Drawn through `Stderr`, not indicatif's own stderr target,
            // which draws nothing on a stderr that is not a terminal
            // (`--progress always` draws anyway) and fills the whole width.
            let target = ProgressDrawTarget::term_like_with_hz(Box::new(Stderr), 20);
            // The clock counts from the start of the search, not from the
            // first drawing (a second later under `auto`).
            let bar = ProgressBar::with_draw_target(None, target).with_elapsed(elapsed);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            self.handled = erase_on_interrupt();
            self.bar = Some(bar);
            SHOWN.store(true, Ordering::Relaxed);
        }
        let totals = self.stats.totals();
        if let Some(bar) = &self.bar {
            let current = self.live.current.lock().unwrap_or_else(|e| e.into_inner());
            bar.set_message(format!(
                "{} files searched, {} with matches, {} read: {}",
                totals.searches,
                totals.searches_with_match,
                HumanBytes(self.live.read.load(Ordering::Relaxed)),
                String::from_utf8_lossy(&current),
            ));
            bar.tick();
        }
    }

    /// Runs `write` with the line hidden, then lets it be redrawn.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            SHOWN.store(false, Ordering::Relaxed);
        }
        for signal in self.handled.drain(..) {
            // SAFETY: restores the default action.
            unsafe { libc::signal(signal, libc::SIG_DFL) };
        }
    }
}

/// The line at the start of the current one, erased.
const ERASE_LINE: &[u8] = b"\r\x1b[2K";

/// Whether a progress line is on stderr now.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Erases the progress line, if one is shown, so that a message written
/// outside the printer (a panic's) starts a line of its own.
pub fn erase_for_message(out: &mut impl Write) {
    if SHOWN.load(Ordering::Relaxed) {
        let _ = out.write_all(ERASE_LINE);
    }
}

/// Makes SIGINT and SIGTERM erase the progress line, then end trawl as
/// the signal would have (default action, re-raised), so that the exit
/// status still says which signal it was. Returns the signals handled.
fn erase_on_interrupt() -> Vec<libc::c_int> {
    extern "C" fn erase_and_die(signal: libc::c_int) {
        // SAFETY: write, signal and raise are async-signal-safe; the bytes
        // are a static.
        unsafe {
            libc::write(2, ERASE_LINE.as_ptr().cast(), ERASE_LINE.len());
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    let handler = erase_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
    let mut handled = Vec::new();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // A signal ignored by the parent (nohup, `&` in some shells) stays
        // ignored: asked first, so that it is never handled meanwhile.
        // SAFETY: sigaction with a null new action only reads the current
        // one into `current`; the handler installed only calls
        // async-signal-safe functions.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) != 0
                || current.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            libc::signal(signal, handler);
            handled.push(signal);
        }
    }
    handled
}

/// stderr as indicatif's terminal: the line is kept two columns short of
/// the terminal's width (80 columns when stderr is not a terminal). A line
/// filling the width leaves the cursor waiting to wrap, and the `^C` the
/// terminal echoes would then land on the next line, out of reach of the
/// interrupt handler's erasing.
#[derive(Debug)]
struct Stderr;

impl Stderr {
    fn write(&self, bytes: &[u8]) -> io::Result<()> {
        io::stderr().lock().write_all(bytes)
    }

    /// Moves the cursor `n` cells; nothing for 0 (a terminal reads
    /// `ESC[0A` as one line up).
    fn move_cursor(&self, n: usize, direction: char) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(format!("\x1b[{n}{direction}").as_bytes())
    }
}

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ only writes the winsize we pass.
        let ok = io::stderr().is_terminal()
            && unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut size) } == 0
            && size.ws_col > 2;
        // Two columns short: room for the `^C` echo.
        if ok {
            size.ws_col - 2
        } else {
            80
        }
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.move_cursor(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.move_cursor(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.move_cursor(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.move_cursor(n, 'D')
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write(format!("{s}\n").as_bytes())
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.write(s.as_bytes())
    }

    fn clear_line(&self) -> io::Result<()> {
        self.write(ERASE_LINE)
    }

    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}
