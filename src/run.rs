//! One search, wired: the walker feeds haystacks into the ordered pool,
//! each worker searches its haystack into a printer (`Sink`) whose bytes
//! go to the job's slot, and the printer thread (`output`) writes them in
//! walk order. Messages about a file travel with its output (`Piece::Err`).
//!
//! ```text
//! walk ──Haystack──► pool ──► worker: search → Sink → ChunkWriter → Piece
//!                              └──(in order)──► output::Printer → stdout / stderr
//! ```

mod spill;

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::messages::{self, err, Activity};
use crate::output::{self, OutputOptions, Printer, StatsFormat};
use crate::pool::{Delivery, Limits, NotStarted, Pool, Reply, Weigh};
use crate::printer::json::JsonSink;
use crate::printer::standard::StandardSink;
use crate::printer::summary::SummarySink;
use crate::printer::{ChunkWriter, Outcome, OutputMode, PrintOptions};
use crate::progress::{self, Progress};
use crate::rules::Rules;
use crate::search::matcher::Matcher;
use crate::search::source::{search_file, ReadPolicy};
use crate::search::{BinaryMode, SearchOptions, Searcher};
use crate::sink::Sink;
use crate::stats::{FileStats, Stats};
use crate::test_hooks::{self, Stage};
use crate::walk::{self, Haystack, SearchPath, Source, WalkOptions};

use spill::{Caps, Spares, Spill};
pub use spill::{Spilled, SPARE_CAPACITY};

/// Jobs queued per worker. Queued jobs hold no open file, only a path.
const JOBS_PER_WORKER: usize = 256;
/// How far (in files) the walker may run ahead of the printer. A slot
/// without output costs a few dozen bytes; output is bounded by BUDGET.
const IN_ORDER: usize = 4096;
/// Finished output waiting for its turn, all files together. Past it,
/// workers wait for the files before theirs to be printed.
pub const BUDGET: usize = 32 << 20;
/// Output of the file being printed not yet taken by the printer thread.
/// Also the most of a file's output a worker holds with --max-results
/// before it waits for the file's turn instead.
const HEAD_ROOM: usize = 1 << 20;
/// Path buffers handed back by workers for reuse.
const SPARE_PATHS: usize = 1024;
/// Handles needed besides workers and walker: stdin, stdout, stderr, an
/// ignore file being read, and slack for the runtime.
pub const RESERVED_HANDLES: usize = 8;
/// Open files besides the workers' (one each): the walker's directories
/// (`walk::WALK_OPEN_DIRS`) and `RESERVED_HANDLES`. What the open file
/// limit leaves past these is free for spill files.
const OTHER_HANDLES: u64 = (crate::walk::WALK_OPEN_DIRS + RESERVED_HANDLES) as u64;

/// Every stage's options for one run, built once on the main thread
/// (`cli::config`, from the command line) and shared by reference with
/// every thread.
pub struct Config {
    pub matcher: Matcher,
    pub paths: Vec<SearchPath>,
    pub rules: Rules,
    pub walk: WalkOptions,
    pub threads: usize,
    pub search: SearchOptions,
    pub print: PrintOptions,
    pub output: OutputOptions,
    pub read_policy: ReadPolicy,
    pub text: bool,
    /// --binary: search binary files found in a walk too.
    pub binary: bool,
    pub quiet: bool,
    /// --max-results: matching lines in total, in walk order.
    pub max_results: Option<u64>,
    /// --files: list what would be searched.
    pub files: bool,
    /// False when no line can match: no pattern at all (`-f /dev/null`)
    /// without -v, or `-m 0`. ripgrep then searches nothing and exits 1.
    pub matches_possible: bool,
    /// What to print after the results (--stats, --json summary).
    pub stats: Option<StatsFormat>,
    pub stats_totals: Stats,
    pub started: Instant,
    /// Progress line on stderr: Some(true) at once, Some(false) after a
    /// second, None never.
    pub progress: Option<bool>,
    /// --build-index: index the paths instead of searching them.
    pub build_index: bool,
    /// The index this search uses (set after the Config is built).
    pub index: Option<std::sync::Arc<crate::index::Use>>,
}

impl Config {
    /// What an index reads of the search it would serve.
    pub fn index_search(&self) -> crate::index::Search<'_> {
        crate::index::Search {
            paths: &self.paths,
            matcher: &self.matcher,
            search: &self.search,
            print: &self.print,
            read_policy: &self.read_policy,
            files: self.files,
            stats: self.stats.is_some(),
        }
    }

    /// What --build-index reads.
    pub fn index_build(&mut self) -> crate::index::build::Options<'_> {
        crate::index::build::Options {
            paths: &self.paths,
            rules: &self.rules,
            walk: &mut self.walk,
            threads: self.threads,
        }
    }

    /// What the printer thread reads.
    fn printer_settings(&self) -> output::Settings<'_> {
        output::Settings {
            output: &self.output,
            max_results: self.max_results,
            stats: self.stats,
            stats_totals: &self.stats_totals,
            started: self.started,
        }
    }
}

/// What a job sends to the printer thread, spilled output in `spill`'s
/// files.
pub type Piece = output::Piece<Spilled>;

impl output::Stored for Spilled {
    fn stored(&self) -> (&std::fs::File, u64, u64) {
        (self.file(), self.offset, self.len)
    }
}

impl Weigh for Piece {
    fn weight(&self) -> usize {
        match self {
            // Capacity, not length: what a waiting chunk holds in memory.
            Piece::Out(bytes) | Piece::Err(bytes) => bytes.capacity(),
            Piece::Counted { output, .. } => output.capacity(),
            // On disk (bounded by the spill caps), or nothing.
            Piece::Spilled(_) | Piece::Tally { .. } => 0,
        }
    }
}

/// What a run found, for the exit status.
pub struct RunResult {
    pub matched: bool,
    /// Number of haystacks handed to the workers.
    pub searched: u64,
}

/// What the walker, the workers and the printer of one search share.
struct Shared<'a> {
    config: &'a Config,
    /// The pool's: -q's first match, --max-results, a closed pipe, a
    /// failed write or a panic set it; every searcher reads it.
    cancelled: &'a AtomicBool,
    matched: AtomicBool,
    /// Files handed to a searcher (for --debug).
    searched_files: AtomicU64,
    /// Matching lines printed so far, with --max-results.
    results_printed: AtomicU64,
    spare_paths: (Sender<PathBuf>, Receiver<PathBuf>),
    spares: Spares,
    caps: Arc<Caps>,
    /// What the progress line shows of searches under way.
    live: Option<&'a progress::Live>,
}

/// Runs the whole search.
pub fn search(config: &Config) -> RunResult {
    tune_malloc();
    let threads = config.threads.max(1);
    let pool = Pool::<Haystack, Piece>::new(Limits {
        queued_jobs: threads * JOBS_PER_WORKER,
        in_order: IN_ORDER,
        budget: BUDGET,
        head: HEAD_ROOM,
    });
    let (tx, rx) = bounded(threads + 2);
    let live = progress::Live::default();
    let live = config.progress.is_some().then_some(&live);
    let shared = Shared {
        config,
        cancelled: pool.cancel_flag(),
        matched: AtomicBool::new(false),
        searched_files: AtomicU64::new(0),
        results_printed: AtomicU64::new(0),
        spare_paths: bounded(SPARE_PATHS),
        spares: Spares { tx, rx },
        caps: Caps::new(threads, spare_handles(threads)),
        live,
    };
    let shared = &shared;
    let progress = config.progress.zip(live).map(|(immediately, live)| {
        Mutex::new(Progress::new(
            &config.stats_totals,
            live,
            config.started,
            immediately,
        ))
    });
    let rerun =
        |haystack: &Haystack, max: u64| search_again(config, haystack, max, shared.cancelled);
    let mut printer = Printer::new(
        config.printer_settings(),
        shared.cancelled,
        progress.as_ref(),
        &rerun,
        &shared.results_printed,
    )
    .recycling(shared.spares.tx.clone(), SPARE_CAPACITY);
    let mut searched = 0u64;
    let walked = &mut searched;
    let feed = move |pool: &Pool<Haystack, Piece>| {
        messages::capture();
        walk::walk(
            &config.paths,
            &config.rules,
            &config.walk,
            &mut |haystack| {
                messages::set_activity(Activity::Walking, haystack.display());
                test_hooks::panic_point(Stage::Walker, haystack.display());
                if !submit_messages(pool) || shared.cancelled.load(Ordering::Relaxed) {
                    return false;
                }
                *walked += 1;
                if let (Some(index), Source::Path(path), true) =
                    (&config.index, &haystack.source, haystack.explicit)
                {
                    // Unchanged since indexed, and cannot match: its
                    // output would be empty (see src/index/mod.rs). The
                    // walked files were asked in their listing jobs.
                    if index.skips(path) {
                        return true;
                    }
                }
                pool.submit(with_spare_path(haystack, &shared.spare_paths.1))
            },
        );
        *walked += config
            .index
            .as_ref()
            .map_or(0, |index| index.skipped_in_walk());
        submit_messages(pool);
    };
    let consume = |delivery: Delivery<Piece>| {
        if let Delivery::Chunk { .. } = delivery {
            test_hooks::panic_point(Stage::Printer, b"");
        }
        !shared.cancelled.load(Ordering::Relaxed) && printer.deliver(delivery)
    };
    let ticker = Ticker::default();
    messages::set_activity(Activity::Printing, b"");
    let ran = std::thread::scope(|scope| {
        if let Some(progress) = &progress {
            scope.spawn(|| ticker.run(progress));
        }
        let work = || {
            let mut worker = Worker::new(shared);
            move |haystack, reply: &mut Reply<'_, Haystack, Piece>| worker.run_job(haystack, reply)
        };
        // The ticker stops even if a thread of the pool panicked.
        let ran = panic::catch_unwind(AssertUnwindSafe(|| pool.run(threads, feed, work, consume)));
        ticker.stop();
        ran
    });
    messages::set_activity(Activity::Other, b"");
    let started = ran.unwrap_or_else(|payload| {
        if let Some(progress) = &progress {
            progress.lock().unwrap_or_else(|e| e.into_inner()).finish();
        }
        panic::resume_unwind(payload)
    });
    match started {
        Err(NotStarted::Workers) => err!("could not start any worker thread"),
        Err(NotStarted::Feeder) => err!("could not start the walker thread"),
        Ok(started) if started < threads => messages::warning(format_args!(
            "could only start {started} of {threads} worker threads"
        )),
        Ok(_) => {}
    }
    // What -q and --max-results saved is visible here (and tested).
    messages::debug(format_args!(
        "searched {} of {searched} files walked",
        shared.searched_files.load(Ordering::Relaxed)
    ));
    let matched = match config.max_results {
        Some(_) => printer.results() > 0,
        None => shared.matched.load(Ordering::Relaxed),
    };
    printer.finish();
    RunResult { matched, searched }
}

/// Open files free for spilling: what the open file limit leaves past the
/// workers' files and the others (`cli::config` fits the workers within it).
fn spare_handles(threads: usize) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX) as u64;
    soft.saturating_sub(threads as u64 + OTHER_HANDLES)
}

/// A worker: its own matcher and searcher, its spill file, and the
/// searching of one job at a time (`run_job`).
struct Worker<'a> {
    shared: &'a Shared<'a>,
    /// Each worker's own: each clone has its own scratch space, and the
    /// engines' shared pools serve only their first thread without a lock
    /// (with -P at -j2 on linux, 1.75 s against rg's 1.34 s with one
    /// matcher for all workers).
    matcher: Matcher,
    searcher: Searcher<'a>,
    spill: Spill,
}

impl<'a> Worker<'a> {
    fn new(shared: &'a Shared<'a>) -> Worker<'a> {
        let config = shared.config;
        Worker {
            shared,
            matcher: config.matcher.clone(),
            searcher: counting(shared, Searcher::new(&config.search, shared.cancelled)),
            spill: Spill::new(Arc::clone(&shared.caps)),
        }
    }

    /// Searches one haystack into its slot, messages last.
    fn run_job(&mut self, haystack: Haystack, reply: &mut Reply<'_, Haystack, Piece>) {
        let shared = self.shared;
        if shared.cancelled.load(Ordering::Relaxed) {
            return;
        }
        messages::capture();
        messages::set_activity(Activity::Searching, haystack.display());
        test_hooks::panic_point(Stage::Worker, haystack.display());
        shared.searched_files.fetch_add(1, Ordering::Relaxed);
        if let Some(live) = shared.live {
            live.start(haystack.display());
        }
        if shared.config.max_results.is_some() {
            self.search_counted(haystack, reply);
            send_messages(reply);
            return;
        }
        let Worker {
            matcher,
            searcher,
            spill,
            ..
        } = self;
        let (found, _) = stream(shared, matcher, searcher, spill, &haystack, reply);
        if found {
            shared.matched.store(true, Ordering::Relaxed);
        }
        send_messages(reply);
        if let Source::Path(path) = haystack.source {
            let _ = shared.spare_paths.0.try_send(path);
        }
    }

    /// --max-results: the file's output is kept whole, up to `HEAD_ROOM`
    /// bytes, and sent with its count, so the printer can tell whether
    /// the limit cuts it. A file with more output (or stdin, which cannot
    /// be read twice) waits for its turn and is searched again with the
    /// exact number left, its output streamed like any other.
    fn search_counted(&mut self, haystack: Haystack, reply: &mut Reply<'_, Haystack, Piece>) {
        let shared = self.shared;
        let config = shared.config;
        if !matches!(haystack.source, Source::Stdin) {
            let mut output = Vec::new();
            let mut too_much = false;
            let mut keep = |mut chunk: Vec<u8>, _more: bool| {
                if output.len() + chunk.len() > HEAD_ROOM {
                    too_much = true;
                    return None;
                }
                output.extend_from_slice(&chunk);
                chunk.clear();
                Some(chunk)
            };
            let out = ChunkWriter::new(&mut keep);
            let searcher = &mut self.searcher;
            let (_, stats) = search_one(
                config,
                &self.matcher,
                searcher,
                &haystack,
                out,
                shared.cancelled,
                false,
            );
            if !too_much {
                reply.send(Piece::Counted {
                    output,
                    haystack,
                    stats,
                });
                return;
            }
            // The search again says what this one said.
            drop(messages::take_captured());
        }
        if !reply.wait_for_head() {
            return;
        }
        let printed = shared.results_printed.load(Ordering::Acquire);
        let left = config.max_results.unwrap_or(0).saturating_sub(printed);
        if left == 0 {
            return;
        }
        let opts = limited(config, left);
        let mut searcher = counting(shared, Searcher::new(&opts, shared.cancelled));
        let (_, stats) = stream(
            shared,
            &self.matcher,
            &mut searcher,
            &mut self.spill,
            &haystack,
            reply,
        );
        reply.send(Piece::Tally {
            stats,
            path: haystack.display().to_vec(),
        });
    }
}

/// A searcher that counts what it reads for the progress line, if shown.
fn counting<'a>(shared: &Shared<'a>, searcher: Searcher<'a>) -> Searcher<'a> {
    match shared.live {
        Some(live) => searcher.counting_into(&live.read),
        None => searcher,
    }
}

/// Searches `haystack` into its slot, chunk by chunk, spilling past the
/// budget. Statistics are added to the totals unless --max-results (the
/// printer adds those of what it prints).
fn stream(
    shared: &Shared,
    matcher: &Matcher,
    searcher: &mut Searcher,
    spill: &mut Spill,
    haystack: &Haystack,
    reply: &mut Reply<'_, Haystack, Piece>,
) -> (bool, FileStats) {
    let config = shared.config;
    let spares = &shared.spares;
    let mut send = |chunk: Vec<u8>, more: bool| spill.send(reply, chunk, more, spares);
    let out = ChunkWriter::with_buffer(&mut send, spares.take());
    let record_stats = config.max_results.is_none();
    search_one(
        config,
        matcher,
        searcher,
        haystack,
        out,
        shared.cancelled,
        record_stats,
    )
}

/// The search options with at most `max` matching lines per file.
fn limited(config: &Config, max: u64) -> crate::search::SearchOptions {
    let mut opts = config.search.clone();
    opts.max_count = Some(opts.max_count.map_or(max, |m| m.min(max)));
    opts
}

fn send_messages(reply: &mut Reply<'_, Haystack, Piece>) {
    let captured = messages::take_captured();
    if !captured.is_empty() {
        reply.send(Piece::Err(captured));
    }
}

/// Searches a file again with at most `max` matching lines (the printer's
/// rerun of the file where --max-results falls; its output is at most
/// what the first search kept, `HEAD_ROOM`). Statistics are left to the
/// printer.
pub fn search_again(
    config: &Config,
    haystack: &Haystack,
    max: u64,
    cancelled: &AtomicBool,
) -> (Vec<u8>, FileStats) {
    let opts = limited(config, max);
    let mut searcher = Searcher::new(&opts, cancelled);
    let mut output = Vec::new();
    let mut keep = |mut chunk: Vec<u8>, _more: bool| {
        output.extend_from_slice(&chunk);
        chunk.clear();
        Some(chunk)
    };
    let out = ChunkWriter::new(&mut keep);
    let (_, stats) = search_one(
        config,
        &config.matcher,
        &mut searcher,
        haystack,
        out,
        cancelled,
        false,
    );
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
fn submit_messages(pool: &Pool<Haystack, Piece>) -> bool {
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

/// Searches one haystack with `searcher` (a worker's, or one made for a
/// search again), its output going to `out` in chunks. Returns whether it
/// counts as a success for the exit status, and its statistics (added to
/// the totals here if `record_stats`).
fn search_one<'a>(
    config: &'a Config,
    matcher: &'a Matcher,
    searcher: &mut Searcher,
    haystack: &'a Haystack,
    out: ChunkWriter<'a>,
    cancelled: &'a AtomicBool,
    record_stats: bool,
) -> (bool, FileStats) {
    let (print, invert) = (&config.print, config.search.invert);
    let path = haystack.display();
    test_hooks::delay(path);
    let searcher = (matcher, searcher);
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
            let sink = SummarySink::new(out, path, print, matcher, invert, cancelled);
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
    test_hooks::delay(path);
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
