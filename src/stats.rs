//! Search statistics: per file (kept by the sinks) and for the whole run
//! (summed by the workers, printed by the printer thread for `--stats` and
//! the `--json` summary).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Default, Clone, Copy)]
pub struct FileStats {
    pub elapsed: Duration,
    pub bytes_searched: u64,
    pub bytes_printed: u64,
    pub matched_lines: u64,
    pub matches: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    elapsed_nanos: AtomicU64,
    searches: AtomicU64,
    searches_with_match: AtomicU64,
    bytes_searched: AtomicU64,
    bytes_printed: AtomicU64,
    matched_lines: AtomicU64,
    matches: AtomicU64,
}

/// A snapshot of `Stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub elapsed: Duration,
    pub searches: u64,
    pub searches_with_match: u64,
    pub bytes_searched: u64,
    pub bytes_printed: u64,
    pub matched_lines: u64,
    pub matches: u64,
}

impl Stats {
    /// Adds one file's statistics. As in ripgrep, a file "contained
    /// matches" when it had a matching line, whatever its exit-status
    /// meaning (--files-without-match) or whether it was printed (a binary
    /// file under -c).
    pub fn add(&self, file: &FileStats) {
        let matched = file.matched_lines > 0;
        let add = |counter: &AtomicU64, n: u64| counter.fetch_add(n, Ordering::Relaxed);
        add(&self.elapsed_nanos, file.elapsed.as_nanos() as u64);
        add(&self.searches, 1);
        add(&self.searches_with_match, u64::from(matched));
        add(&self.bytes_searched, file.bytes_searched);
        add(&self.bytes_printed, file.bytes_printed);
        add(&self.matched_lines, file.matched_lines);
        add(&self.matches, file.matches);
    }

    pub fn totals(&self) -> Totals {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Totals {
            elapsed: Duration::from_nanos(get(&self.elapsed_nanos)),
            searches: get(&self.searches),
            searches_with_match: get(&self.searches_with_match),
            bytes_searched: get(&self.bytes_searched),
            bytes_printed: get(&self.bytes_printed),
            matched_lines: get(&self.matched_lines),
            matches: get(&self.matches),
        }
    }
}

/// ripgrep's human-readable stats block (`--stats`).
/// "bytes printed" is what the files' printers wrote plus the
/// `separator_bytes` written between files, as in ripgrep: color escapes
/// and summaries (`-c`, `-l`) are not counted.
pub fn human_block(totals: &Totals, separator_bytes: u64, wall: Duration) -> String {
    format!(
        "\n{} matches\n{} matched lines\n{} files contained matches\n{} files searched\n\
         {} bytes printed\n{} bytes searched\n{:.6} seconds spent searching\n{:.6} seconds total\n",
        totals.matches,
        totals.matched_lines,
        totals.searches_with_match,
        totals.searches,
        totals.bytes_printed + separator_bytes,
        totals.bytes_searched,
        totals.elapsed.as_secs_f64(),
        wall.as_secs_f64(),
    )
}
