//! One search, wired: the walker feeds haystacks into the ordered pool,
//! each worker searches its haystack into a printer (`Sink`) whose bytes
//! go to the job's slot, and the printer thread (`output`) writes them in
//! walk order. Messages about a file travel with its output (`Piece::Err`).
//!
//! ```text
//! walk ──Haystack──► pool ──► worker: search → Sink → ChunkWriter → Piece
//!                              └──(in order)──► output::Printer → stdout / stderr
//! ```

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::cli::config::Config;
use crate::messages::{self, err};
use crate::output::Printer;
use crate::pool::{self, Limits, Reply, Weigh};
use crate::printer::json::JsonSink;
use crate::printer::standard::StandardSink;
use crate::printer::summary::SummarySink;
use crate::printer::{ChunkWriter, Outcome, OutputMode};
use crate::progress::{self, Progress};
use crate::search::matcher::Matcher;
use crate::search::source::search_file;
use crate::search::{BinaryMode, Searcher};
use crate::sink::Sink;
use crate::stats::FileStats;
use crate::walk::{self, Haystack, Source};

/// Jobs queued per worker. Queued jobs hold no open file, only a path.
const JOBS_PER_WORKER: usize = 256;
/// How far (in files) the walker may run ahead of the printer. A slot
/// without output costs a few dozen bytes; output is bounded by BUDGET.
const IN_ORDER: usize = 4096;
/// Finished output waiting for its turn, all files together. Past it,
/// workers wait for the files before theirs to be printed.
pub const BUDGET: usize = 32 << 20;
/// Output of the file being printed not yet taken by the printer thread.
const HEAD_ROOM: usize = 1 << 20;
/// A worker starts a new spill file past this size, so that printed
/// spill data does not hold disk space: a file is removed when its last
/// piece is printed. (Punching holes instead is unsafe once sendfile has
/// put the file's pages in a pipe: a partly punched page is zeroed.)
const SPILL_SEGMENT: u64 = 64 << 20;
/// Path buffers handed back by workers for reuse.
const SPARE_PATHS: usize = 1024;
/// A new output buffer's capacity: a chunk is sent once it holds
/// `printer::CHUNK` bytes, so lines of up to half a chunk that cross that
/// mark still fit, and a chunk holds at least two thirds of what it weighs.
const CHUNK_CAPACITY: usize = crate::printer::CHUNK * 3 / 2;

/// What a job sends to the printer thread.
pub enum Piece {
    /// Bytes for stdout.
    Out(Vec<u8>),
    /// Messages for stderr (already formatted, one per line).
    Err(Vec<u8>),
    /// Bytes for stdout that did not fit in the budget, written to the
    /// worker's spill file (unlinked, in the temporary directory).
    Spilled {
        file: Arc<File>,
        offset: u64,
        len: u64,
    },
    /// With --max-results: a file's whole output and how many matching
    /// lines it holds. The printer prints it if the limit allows, or has
    /// the file searched again with the exact number left (`Rerun`).
    Counted {
        output: Vec<u8>,
        haystack: Haystack,
        /// Its statistics, recorded only if it is printed (so that they
        /// do not depend on timing).
        stats: FileStats,
    },
}

impl Weigh for Piece {
    fn weight(&self) -> usize {
        match self {
            // Capacity, not length: what a waiting chunk holds in memory.
            Piece::Out(bytes) | Piece::Err(bytes) => bytes.capacity(),
            Piece::Counted { output, .. } => output.capacity(),
            // On disk: it costs no memory while it waits.
            Piece::Spilled { .. } => 0,
        }
    }
}

/// What a run found, for the exit status.
pub struct RunResult {
    pub matched: bool,
    /// Number of haystacks handed to the workers.
    pub searched: u64,
}

/// Runs the whole search.
pub fn search(config: &Config) -> RunResult {
    tune_malloc();
    let quit = AtomicBool::new(false);
    let matched = AtomicBool::new(false);
    let mut searched = 0u64;
    let threads = config.threads.max(1);
    let limits = Limits {
        queued_jobs: threads * JOBS_PER_WORKER,
        in_order: IN_ORDER,
        budget: BUDGET,
        head: HEAD_ROOM,
    };
    let (spare_paths_tx, spare_paths_rx) = bounded::<PathBuf>(SPARE_PATHS);
    let (spare_buffers_tx, spare_buffers_rx) = bounded::<Vec<u8>>(threads + 2);
    let live = progress::Live::default();
    let live = config.progress.is_some().then_some(&live);
    let progress = config.progress.zip(live).map(|(immediately, live)| {
        Mutex::new(Progress::new(
            &config.stats_totals,
            live,
            config.started,
            immediately,
        ))
    });
    let results_printed = AtomicU64::new(0);
    let rerun = |haystack: &Haystack, max: u64| search_again(config, haystack, max, &quit);
    let mut printer = Printer::new(config, &quit, progress.as_ref(), &rerun, &results_printed)
        .recycling(spare_buffers_tx.clone());
    let (quit, matched, searched_ref) = (&quit, &matched, &mut searched);
    let results_printed = &results_printed;
    let searched_files = AtomicU64::new(0);
    let searched_files = &searched_files;
    let feed = move |pool: &pool::Pool<Haystack, Piece>| {
        messages::capture();
        walk::walk(
            &config.paths,
            &config.rules,
            &config.walk,
            &mut |haystack| {
                if !submit_messages(pool) || quit.load(Ordering::Relaxed) {
                    return false;
                }
                *searched_ref += 1;
                pool.submit(with_spare_path(haystack, &spare_paths_rx))
            },
        );
        submit_messages(pool);
    };
    let work = || {
        let mut searcher = Searcher::new(&config.search, quit);
        if let Some(live) = live {
            searcher = searcher.counting_into(&live.read);
        }
        // A worker's own matcher: each clone has its own scratch space,
        // and the engines' shared pools serve only their first thread
        // without a lock (with -P at -j2 on linux, 1.75 s against rg's
        // 1.34 s with one matcher for all workers).
        let matcher = config.matcher.clone();
        let mut spill = Spill::default();
        let spare_buffers = (spare_buffers_tx.clone(), spare_buffers_rx.clone());
        let spare_paths = spare_paths_tx.clone();
        move |haystack: Haystack, reply: &mut Reply<'_, Haystack, Piece>| {
            if quit.load(Ordering::Relaxed) {
                return;
            }
            messages::capture();
            searched_files.fetch_add(1, Ordering::Relaxed);
            if let Some(live) = live {
                live.start(haystack.display());
            }
            if config.max_results.is_some() {
                let printed = results_printed;
                let searcher = (&matcher, &mut searcher);
                return search_counted(config, searcher, haystack, reply, quit, printed);
            }
            let mut send =
                |chunk: Vec<u8>, more: bool| spill.send(reply, chunk, more, &spare_buffers);
            let out = ChunkWriter::with_buffer(&mut send, chunk_buffer(&spare_buffers.1));
            let searcher = (&matcher, &mut searcher);
            let (found, _) = search_one(config, searcher, &haystack, out, quit, true);
            if found {
                matched.store(true, Ordering::Relaxed);
            }
            send_messages(reply);
            if let Source::Path(path) = haystack.source {
                let _ = spare_paths.try_send(path);
            }
        }
    };
    let ticker = Ticker::default();
    let started = std::thread::scope(|scope| {
        if let Some(progress) = &progress {
            scope.spawn(|| ticker.run(progress));
        }
        let started = pool::run(limits, threads, feed, work, |delivery| {
            !quit.load(Ordering::Relaxed) && printer.deliver(delivery)
        });
        ticker.stop();
        started
    });
    if started == 0 {
        err!("could not start any worker thread");
    } else if started < threads {
        messages::warning(format_args!(
            "could only start {started} of {threads} worker threads"
        ));
    }
    // What -q and --max-results saved is visible here (and tested).
    messages::debug(format_args!(
        "searched {} of {searched} files walked",
        searched_files.load(Ordering::Relaxed)
    ));
    let matched = match config.max_results {
        Some(_) => printer.results() > 0,
        None => matched.load(Ordering::Relaxed),
    };
    printer.finish();
    RunResult { matched, searched }
}

/// A worker's spill file: output that would wait behind a slow head job
/// past the budget goes here instead of memory, so workers never stop
/// while an earlier file is slow (a pipe, a network file, a huge file).
/// Only while the printer is stalled on the head (`send_or_overflow`):
/// when the printer is busy writing, a worker at the budget waits, as
/// spilling would add copies to the bottleneck. Measured on the
/// slow-first tree (benches/adversarial, 2 cores, 2026-11-25, `| cat`,
/// -j2, median of 11): spilling whenever the budget was full, 0.79 s;
/// waiting always, 0.59 s; spilling only behind a stalled printer (and
/// copying out with sendfile), 0.58 s; rg 0.46 s.
#[derive(Default)]
struct Spill {
    file: Option<Arc<File>>,
    end: u64,
    /// Creating or writing the file failed: wait for the budget instead.
    broken: bool,
}

impl Spill {
    /// Sends a chunk, to memory or to the spill file, and with `more`
    /// gives back a buffer for the next chunk: a recycled one, or a
    /// spilled chunk's own (which, after the last chunk, goes back to the
    /// spares). Freeing and allocating a 1 MB buffer per file cost a page
    /// fault per 4 KiB. `None` once the search is cancelled.
    fn send(
        &mut self,
        reply: &mut Reply<'_, Haystack, Piece>,
        chunk: Vec<u8>,
        more: bool,
        (spare_tx, spare_rx): &(Sender<Vec<u8>>, Receiver<Vec<u8>>),
    ) -> Option<Vec<u8>> {
        if chunk.is_empty() {
            // The writer's unused buffer.
            let _ = spare_tx.try_send(chunk);
            return Some(Vec::new());
        }
        // A chunk in a much larger buffer (a recycled one, a long line's)
        // would hold all of it while it waits, which the budget counts: it
        // goes in a buffer of its own size, and the large one is reused.
        let mut kept = None;
        let chunk = if chunk.capacity() > 2 * chunk.len() {
            let exact = chunk.clone();
            kept = Some(chunk);
            exact
        } else {
            chunk
        };
        let shrunk = kept.is_some();
        let next = || match (more, kept) {
            (true, Some(mut buffer)) => {
                buffer.clear();
                buffer
            }
            (true, None) => chunk_buffer(spare_rx),
            (false, Some(buffer)) => {
                let _ = spare_tx.try_send(buffer);
                Vec::new()
            }
            (false, None) => Vec::new(),
        };
        let mut chunk = match reply.send_or_overflow(Piece::Out(chunk)) {
            Ok(sent) => return sent.then(next),
            Err(Piece::Out(chunk)) => chunk,
            Err(_) => unreachable!("send_or_overflow gives back what it was given"),
        };
        match self.write(&chunk) {
            Some(piece) => reply.send(piece).then(|| {
                if shrunk {
                    return next();
                }
                chunk.clear();
                if more {
                    return chunk;
                }
                let _ = spare_tx.try_send(chunk);
                Vec::new()
            }),
            None => reply.send(Piece::Out(chunk)).then(next),
        }
    }

    fn write(&mut self, chunk: &[u8]) -> Option<Piece> {
        use std::os::unix::fs::FileExt;
        if self.broken {
            return None;
        }
        if self.end >= SPILL_SEGMENT {
            // Pieces still waiting keep the old file open; its space is
            // freed when the last of them is printed.
            self.file = None;
            self.end = 0;
        }
        if self.file.is_none() {
            self.file = tempfile::tempfile().ok().map(Arc::new);
        }
        let Some(file) = &self.file else {
            self.broken = true;
            return None;
        };
        if file.write_all_at(chunk, self.end).is_err() {
            self.broken = true;
            return None;
        }
        let offset = self.end;
        self.end += chunk.len() as u64;
        Some(Piece::Spilled {
            file: Arc::clone(file),
            offset,
            len: chunk.len() as u64,
        })
    }
}

/// A buffer for a file's output: a recycled one, or a new one.
fn chunk_buffer(spare: &Receiver<Vec<u8>>) -> Vec<u8> {
    let mut buffer = spare.try_recv().unwrap_or_default();
    buffer.clear();
    buffer.reserve(CHUNK_CAPACITY);
    buffer
}

fn send_messages(reply: &mut Reply<'_, Haystack, Piece>) {
    let captured = messages::take_captured();
    if !captured.is_empty() {
        reply.send(Piece::Err(captured));
    }
}

/// --max-results: the file's output is kept whole and sent with its count,
/// so the printer can tell whether the limit cuts it. Stdin cannot be read
/// twice, so it waits for its turn and is searched once with the exact
/// number left.
fn search_counted(
    config: &Config,
    searcher: (&Matcher, &mut Searcher),
    haystack: Haystack,
    reply: &mut Reply<'_, Haystack, Piece>,
    quit: &AtomicBool,
    results_printed: &AtomicU64,
) {
    let (output, stats) = if matches!(haystack.source, Source::Stdin) {
        if !reply.wait_for_head() {
            return;
        }
        let printed = results_printed.load(Ordering::Acquire);
        let left = config.max_results.unwrap_or(0).saturating_sub(printed);
        search_again(config, &haystack, left, quit)
    } else {
        search_whole(config, searcher, &haystack, quit)
    };
    reply.send(Piece::Counted {
        output,
        haystack,
        stats,
    });
    send_messages(reply);
}

/// Searches a file again with at most `max` matching lines (the printer's
/// rerun of the file where --max-results falls). Statistics are left to
/// the printer.
pub fn search_again(
    config: &Config,
    haystack: &Haystack,
    max: u64,
    quit: &AtomicBool,
) -> (Vec<u8>, FileStats) {
    let mut opts = config.search.clone();
    opts.max_count = Some(opts.max_count.map_or(max, |m| m.min(max)));
    let mut searcher = Searcher::new(&opts, quit);
    search_whole(config, (&config.matcher, &mut searcher), haystack, quit)
}

/// A file's whole output in one buffer, with its statistics (not added to
/// the totals: with --max-results the printer does that).
fn search_whole(
    config: &Config,
    searcher: (&Matcher, &mut Searcher),
    haystack: &Haystack,
    quit: &AtomicBool,
) -> (Vec<u8>, FileStats) {
    let mut output = Vec::new();
    let mut keep = |mut chunk: Vec<u8>, _more: bool| {
        output.extend_from_slice(&chunk);
        chunk.clear();
        Some(chunk)
    };
    let out = ChunkWriter::new(&mut keep);
    let (_, stats) = search_one(config, searcher, haystack, out, quit, false);
    (output, stats)
}

/// Redraws the progress line ten times a second (a clock for the display,
/// not a poll for work: nothing waits on it).
#[derive(Default)]
struct Ticker {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Ticker {
    fn run(&self, progress: &Mutex<Progress>) {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        while !*stopped {
            progress.lock().unwrap_or_else(|e| e.into_inner()).tick();
            stopped = self
                .wake
                .wait_timeout(stopped, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }
}

/// Output chunks are allocated by workers and freed by the printer. glibc
/// raises its mmap threshold after such frees, and from then on chunks of
/// a long line (1 MB each on the slow-first tree) come from the arenas,
/// which keep the freed memory: 72 MiB resident for 32 MiB of budget.
/// A fixed threshold maps every large chunk and unmaps it when printed:
/// 44 MiB on the same tree. 64 KiB maps every chunk buffer (96 KiB).
/// Chunks smaller than that still come from the arenas, and each arena
/// keeps its own high-water mark: with one arena per worker,
/// `-j12 -n e > file` on the linux corpus peaked at 81-90 MiB; with two arenas and
/// the 64 KiB threshold, at 58-59 MiB, no slower (benches/README.md).
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Queues the walker's messages so far, in their place in the order.
fn submit_messages(pool: &pool::Pool<Haystack, Piece>) -> bool {
    let captured = messages::take_captured();
    captured.is_empty() || pool.submit_output(Piece::Err(captured))
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

/// Searches one haystack, its output going to `out` in chunks. Returns
/// whether it counts as a success for the exit status, and its statistics
/// (added to the totals here if `record_stats`).
/// The searcher is a worker's (or the printer's, for a rerun) with the
/// matcher it uses.
fn search_one<'a>(
    config: &'a Config,
    searcher: (&'a Matcher, &mut Searcher),
    haystack: &'a Haystack,
    out: ChunkWriter<'a>,
    quit: &'a AtomicBool,
    record_stats: bool,
) -> (bool, FileStats) {
    let (print, matcher, invert) = (&config.print, searcher.0, config.search.invert);
    let path = haystack.display();
    test_delay(path);
    match print.mode {
        OutputMode::Standard => {
            let sink = StandardSink::new(out, path, print, matcher, invert);
            search_into(config, searcher, haystack, sink, record_stats)
        }
        OutputMode::Json => {
            let sink = JsonSink::new(out, path, print, matcher, invert);
            search_into(config, searcher, haystack, sink, record_stats)
        }
        _ => {
            let sink = SummarySink::new(out, path, print, matcher, invert, quit);
            search_into(config, searcher, haystack, sink, record_stats)
        }
    }
}

/// Runs the search into one printer, reports errors and records stats.
fn search_into<S: Sink + Outcome>(
    config: &Config,
    (matcher, searcher): (&Matcher, &mut Searcher),
    haystack: &Haystack,
    mut sink: S,
    record_stats: bool,
) -> (bool, FileStats) {
    let binary = if config.text {
        BinaryMode::Text
    } else if haystack.explicit || config.binary {
        BinaryMode::Convert
    } else {
        BinaryMode::Quit
    };
    // Timed only when the totals are wanted: a clock read per file otherwise.
    let started = (config.stats.is_some() || config.progress.is_some()).then(Instant::now);
    let result = search_source(config, (matcher, searcher), haystack, binary, &mut sink);
    let (matched, mut stats) = sink.outcome();
    // For the exit status: with --files-without-match, a file without one.
    let success = sink.success();
    drop(sink);
    let path = haystack.display();
    test_delay(path);
    let failed = result.is_err();
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
        // A file that failed part way counts for nothing, as in ripgrep.
        if record_stats && !failed {
            config.stats_totals.add(&stats);
        }
    }
    (success, stats)
}

fn search_source(
    config: &Config,
    (matcher, searcher): (&Matcher, &mut Searcher),
    haystack: &Haystack,
    binary: BinaryMode,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    match &haystack.source {
        Source::Stdin => {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            searcher.search_live(matcher, &mut lock, 0, binary, sink)
        }
        // The path as shown (no `./` for the implicit cwd): --pre gets it
        // as its argument, as in ripgrep.
        Source::Path(_) => search_file(
            searcher,
            matcher,
            Path::new(OsStr::from_bytes(haystack.display())),
            haystack.explicit,
            &config.read_policy,
            binary,
            sink,
        ),
    }
}

/// Test hook: with `TRAWL_TEST_WORKER_DELAY_US=N`, each file waits a
/// random 0..N µs before it is opened and again after it is searched, so
/// tests can shake the pool's ordering and race it. Present in release
/// builds too (one cached environment lookup), so the tests that use it
/// pass under `cargo test --release`.
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
