//! Stage 2: the worker pool and the ordered hand-off to the printer thread.
//!
//! ```text
//! walker ──Job{haystack, reply_tx}──[bounded FIFO]──► worker × N
//!    └──reply_rx, in walk order──[bounded]──► printer thread
//! ```
//!
//! For every haystack the walker takes a bounded reply channel, pushes it
//! onto the ordered queue and only then sends the job. The printer drains
//! the channels strictly in order, each up to the empty chunk that ends a
//! job's output, so output is per file and in walk order whatever the
//! thread count. Drained channels go back to the walker for reuse: making
//! and dropping one per file (two allocations, one aligned, and a mutex on
//! disconnect) was 4% of the user time on the linux corpus.
//!
//! Why this cannot deadlock: workers take jobs in FIFO order, so the oldest
//! unfinished job is either held by a worker or first in the job queue, and
//! in the latter case no worker holds a newer job (all are free to take it).
//! Its receiver was queued before it, so the printer is reading exactly that
//! job's channel. The oldest job thus always progresses; every other stall
//! is back-pressure that the oldest job's completion releases.
//!
//! Waiting: the printer and the walker wait on channels by polling with
//! short, growing sleeps (`recv_lazily`, `send_lazily`) instead of parking.
//! Parking woke the printer once per file: 70,000 context switches and 2x
//! the wall time of ripgrep on the linux corpus. Sleeping lets work pile up
//! and be handled in batches, for at most a millisecond of added latency.
//! The printer parks only when nothing is queued behind what it waits for
//! (the end of a search), where a sleep would only add latency.
//!
//! Cancellation: `quit` is checked by the walker before each job, by workers
//! before each job and each window, and set by the printer on a write
//! error. Workers drain (drop) remaining jobs and the printer drains
//! remaining receivers, so every thread runs to the end of its channel and
//! is joined by the scope.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};

use crate::cli::config::Config;
use crate::messages::{self, err};
use crate::output;
use crate::printer::json::JsonSink;
use crate::printer::standard::StandardSink;
use crate::printer::summary::SummarySink;
use crate::printer::{ChunkWriter, Outcome, OutputMode};
use crate::search::source::search_file;
use crate::search::{BinaryMode, Searcher};
use crate::sink::Sink;
use crate::walk::{self, Haystack, Source};

/// Chunks a job may have in flight before its worker waits for the printer.
const REPLY_CAPACITY: usize = 4;
/// Jobs queued per worker. Queued jobs hold no open file, only a path.
const JOBS_PER_WORKER: usize = 256;
/// How far (in files) the walker may run ahead of the printer. Finished
/// files waiting their turn are held in memory, so this bounds memory.
const ORDER_CAPACITY: usize = 1024;
/// Drained reply channels kept for reuse.
const SPARE_REPLIES: usize = 64;
/// Path buffers handed back by workers for reuse: enough for every job
/// that can be queued or in progress.
const SPARE_PATHS: usize = 1024;

struct Job {
    haystack: Haystack,
    out: ChunkWriter,
}

/// One job's reply channel. Both ends live here, so it never disconnects
/// while in use: a job's output ends with an empty chunk instead, and the
/// channel can serve another job afterwards.
pub(crate) struct Reply {
    tx: Sender<Vec<u8>>,
    pub(crate) rx: Receiver<Vec<u8>>,
}

impl Reply {
    fn new() -> Reply {
        let (tx, rx) = bounded(REPLY_CAPACITY);
        Reply { tx, rx }
    }
}

/// What a run found, for the exit status.
pub struct RunResult {
    pub matched: bool,
    /// Number of haystacks handed to the workers.
    pub searched: u64,
}

/// Runs the whole search.
pub fn run(config: &Config) -> RunResult {
    let mut searched = 0u64;
    let quit = AtomicBool::new(false);
    let matched = AtomicBool::new(false);
    let threads = config.threads.max(1);
    let (job_tx, job_rx) = bounded::<Job>(threads * JOBS_PER_WORKER);
    let (order_tx, order_rx) = bounded::<Reply>(ORDER_CAPACITY);
    let (spare_tx, spare_rx) = bounded::<Reply>(SPARE_REPLIES);
    let (spare_paths_tx, spare_paths_rx) = bounded::<PathBuf>(SPARE_PATHS);
    std::thread::scope(|scope| {
        let quit = &quit;
        let matched = &matched;
        scope.spawn(move || output::print(order_rx, spare_tx, config, quit));
        for _ in 0..threads {
            let jobs = job_rx.clone();
            let spare_paths = spare_paths_tx.clone();
            scope.spawn(move || worker(config, jobs, spare_paths, quit, matched));
        }
        drop(job_rx);
        let searched = &mut searched;
        scope.spawn(move || {
            walk::walk(
                &config.paths,
                &config.rules,
                &config.walk,
                &mut |haystack| {
                    if quit.load(Ordering::Relaxed) {
                        return false;
                    }
                    *searched += 1;
                    let haystack = with_spare_path(haystack, &spare_paths_rx);
                    let reply = spare_rx.try_recv().unwrap_or_else(|_| Reply::new());
                    let out = ChunkWriter::new(reply.tx.clone());
                    send_lazily(&order_tx, reply, quit)
                        && send_lazily(&job_tx, Job { haystack, out }, quit)
                },
            );
        });
    });
    RunResult {
        matched: matched.load(Ordering::Relaxed),
        searched,
    }
}

/// `--files`: the walk alone, printing each path that would be searched.
pub fn list_files(config: &Config) -> RunResult {
    use std::io::Write;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut searched = 0u64;
    let mut failed = None;
    let mut line = Vec::new();
    walk::walk(
        &config.paths,
        &config.rules,
        &config.walk,
        &mut |haystack| {
            searched += 1;
            line.clear();
            crate::printer::write_listed_path(&mut line, haystack.display(), &config.print);
            let result = out.write_all(&line);
            match result {
                Ok(()) => true,
                Err(error) => {
                    failed = Some(error);
                    false
                }
            }
        },
    );
    if let Some(error) = failed.or_else(|| out.flush().err()) {
        if error.kind() != io::ErrorKind::BrokenPipe {
            err!("error writing output: {error}");
        }
        let _ = out.into_parts();
    }
    RunResult {
        matched: searched > 0,
        searched,
    }
}

fn worker(
    config: &Config,
    jobs: Receiver<Job>,
    spare_paths: Sender<PathBuf>,
    quit: &AtomicBool,
    matched: &AtomicBool,
) {
    let mut searcher = Searcher::new(&config.search, quit);
    for Job { haystack, out } in jobs.iter() {
        // A job dropped unsearched still ends its output (ChunkWriter::drop).
        if !quit.load(Ordering::Relaxed) && search_one(config, &mut searcher, &haystack, out, quit)
        {
            matched.store(true, Ordering::Relaxed);
        }
        if let Source::Path(path) = haystack.source {
            let _ = spare_paths.try_send(path);
        }
    }
}

/// Moves a walked path into a buffer a worker handed back, so that the
/// buffer walkdir allocated is freed on the walker thread. Freed on a
/// worker, glibc returns it to the walker's arena under that arena's lock,
/// and the walker's allocations and the workers' frees contended: slow
/// runs on the linux corpus spent 2x the time in malloc and free.
fn with_spare_path(haystack: Haystack, spare: &Receiver<PathBuf>) -> Haystack {
    let Source::Path(path) = haystack.source else {
        return haystack;
    };
    let path = match spare.try_recv() {
        Ok(buffer) => {
            let mut buffer = buffer.into_os_string();
            buffer.clear();
            buffer.push(path.as_os_str());
            PathBuf::from(buffer)
        }
        Err(_) => path,
    };
    Haystack {
        source: Source::Path(path),
        ..haystack
    }
}

/// Searches one haystack into its reply channel. Returns true on a match.
fn search_one(
    config: &Config,
    searcher: &mut Searcher,
    haystack: &Haystack,
    out: ChunkWriter,
    quit: &AtomicBool,
) -> bool {
    let (print, matcher, invert) = (&config.print, &config.matcher, config.search.invert);
    let path = haystack.display();
    #[cfg(debug_assertions)]
    test_delay(path);
    match print.mode {
        OutputMode::Standard => {
            let sink = StandardSink::new(out, path, print, matcher, invert);
            search_into(config, searcher, haystack, sink)
        }
        OutputMode::Json => {
            let sink = JsonSink::new(out, path, print, matcher, invert);
            search_into(config, searcher, haystack, sink)
        }
        _ => {
            let sink = SummarySink::new(out, path, print, matcher, invert, quit);
            search_into(config, searcher, haystack, sink)
        }
    }
}

/// Runs the search into one printer, reports errors and records stats.
/// The printer is dropped only on return, and its ChunkWriter's drop ends
/// the file's output: the printer thread writes the totals once every
/// file's output has ended, so this file's stats must be in by then.
fn search_into<S: Sink + Outcome>(
    config: &Config,
    searcher: &mut Searcher,
    haystack: &Haystack,
    mut sink: S,
) -> bool {
    let binary = if config.text {
        BinaryMode::Text
    } else if haystack.explicit || config.binary {
        BinaryMode::Convert
    } else {
        BinaryMode::Quit
    };
    // Timed only when the totals are wanted: a clock read per file otherwise.
    let started = (config.stats.is_some() || config.progress.is_some()).then(Instant::now);
    let result = search_source(config, searcher, haystack, binary, &mut sink);
    let (matched, mut stats) = sink.outcome();
    let path = haystack.display();
    #[cfg(debug_assertions)]
    test_delay(path);
    if let Err(error) = result {
        messages::file_error(format_args!("{}: {error}", String::from_utf8_lossy(path)));
    }
    let last = &searcher.last;
    if let (Some(offset), true, false) = (last.binary_offset, last.binary_quit, matched) {
        messages::debug(format_args!(
            "ignoring {}: found binary data at offset {offset}",
            String::from_utf8_lossy(path)
        ));
    }
    if let Some(started) = started {
        if stats.elapsed.is_zero() {
            stats.elapsed = started.elapsed();
        }
        config.stats_totals.add(&stats);
    }
    matched
}

fn search_source(
    config: &Config,
    searcher: &mut Searcher,
    haystack: &Haystack,
    binary: BinaryMode,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    match &haystack.source {
        Source::Stdin => {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            searcher.search_reader(&config.matcher, &mut lock, binary, sink)
        }
        // The path as shown (no `./` for the implicit cwd): --pre gets it
        // as its argument, as in ripgrep.
        Source::Path(_) => search_file(
            searcher,
            &config.matcher,
            Path::new(OsStr::from_bytes(haystack.display())),
            haystack.explicit,
            &config.read_policy,
            binary,
            sink,
        ),
    }
}

/// Sleeps in growing steps, from 400µs up to 1ms. A queue of 512 jobs
/// holds about 4ms of work on the linux corpus, so the walker never starves
/// the workers, and a millisecond is no visible output latency. Starting at
/// 50µs instead woke the printer and walker 3x as often: 7,000 context
/// switches per linux search instead of 2,500, and ~10% more wall time on
/// 2 cores.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Backoff {
        Backoff(Duration::from_micros(400))
    }

    fn wait(&mut self) {
        std::thread::sleep(self.0);
        self.0 = (self.0 * 2).min(Duration::from_micros(1000));
    }
}

/// Receives the next item, or None once all senders are gone. `idle`
/// runs before each wait (the printer redraws its progress line there).
///
/// While `work_behind()` says more is queued behind this item, it waits by
/// polling with short sleeps, which lets finished files pile up and be
/// printed in batches. When nothing is queued behind, there is nothing to
/// batch: it parks until the sender wakes it, so the last files of a
/// search (or the only one) are printed at once, not after a sleep (a
/// one-file search spent 0.4-0.8 ms of its 3 ms asleep here).
pub(crate) fn recv_lazily<T>(
    rx: &Receiver<T>,
    idle: &mut dyn FnMut(),
    work_behind: &dyn Fn() -> bool,
) -> Option<T> {
    let mut backoff = Backoff::new();
    loop {
        match rx.try_recv() {
            Ok(item) => return Some(item),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {
                idle();
                if work_behind() {
                    backoff.wait();
                    continue;
                }
                // Bounded, so that `idle` still runs while waiting.
                match rx.recv_timeout(Duration::from_millis(1)) {
                    Ok(item) => return Some(item),
                    Err(RecvTimeoutError::Disconnected) => return None,
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        }
    }
}

/// Sends `item`, waiting while the channel is full. False if the receiver
/// is gone or the search was cancelled meanwhile.
fn send_lazily<T>(tx: &Sender<T>, mut item: T, quit: &AtomicBool) -> bool {
    let mut backoff = Backoff::new();
    loop {
        match tx.try_send(item) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if quit.load(Ordering::Relaxed) {
                    return false;
                }
                item = back;
                backoff.wait();
            }
        }
    }
}

/// Test hook, compiled into debug builds only: with
/// `TRAWL_TEST_WORKER_DELAY_US=N`, each file waits a random 0..N µs before
/// it is opened and again after it is searched, so tests can shake the
/// pool's ordering and race it.
#[cfg(debug_assertions)]
fn test_delay(path: &[u8]) {
    use std::hash::BuildHasher;
    use std::sync::OnceLock;
    static MAX_MICROS: OnceLock<u64> = OnceLock::new();
    let max = *MAX_MICROS.get_or_init(|| {
        std::env::var("TRAWL_TEST_WORKER_DELAY_US")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    });
    if max > 0 {
        let random = std::collections::hash_map::RandomState::new().hash_one(path);
        std::thread::sleep(Duration::from_micros(random % max));
    }
}
