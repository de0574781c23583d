//! Hooks for the integration tests, read from the environment once and
//! compiled only with the `test-hooks` feature, which `cargo test` turns
//! on for the binary it tests (the crate's dev-dependency on itself); a
//! build for use (`cargo build`, `cargo install`) has none of them.
//!
//! - `TRAWL_TEST_WORKER_DELAY_US=N`: each file waits a random 0..N µs
//!   before it is opened and again after it is searched, so tests can
//!   shake the pool's ordering and race it.
//! - `TRAWL_TEST_PANIC=STAGE[:NAME]`: `worker` panics searching a file
//!   whose path ends with NAME (every file without one), `walker` when it
//!   submits such a file, `printer` at its first chunk of output.
//! - `TRAWL_TEST_SPILL=MAX_BYTES,SEGMENT_BYTES`: smaller spill caps
//!   (`run::spill`), so that tests reach them.
//! - `TRAWL_TEST_RACY_MS=N`: the index's racy window (`index::racy_window_ns`)
//!   is N ms instead of the one derived from the writeback sysctls (~36 s),
//!   so that tests need not wait that long.
//! - `TRAWL_TEST_VANISH=NAME`: a directory named NAME is removed just
//!   before it is listed, as if removed while the walk was under way,
//!   after its parent was listed, so that race happens the same way at
//!   every thread count.
//! - `TRAWL_TEST_LIST_US=N`: listing a directory first sleeps N µs, as
//!   if its blocks came from a slow disk, so that `benches/walk-scaling`
//!   can show how the parallel walk scales with threads on any machine.
//! - `TRAWL_TEST_CREDS=TEXT`: TEXT is added to the credentials this
//!   process reads files with (`index::credentials`), so that an index
//!   built with it set (or searched with it set) has credentials other
//!   than the search's, which root cannot otherwise arrange in a test.
//! - `TRAWL_TEST_WINDOW_BYTES=N`: a build reads files ahead of the one
//!   it adds next only while their trigram sets hold fewer than N bytes
//!   (`index::build`'s `WINDOW_BYTES`, 64 MiB), so that tests reach it.

/// Where a test may make trawl panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Walker,
    Worker,
    Printer,
}

#[cfg(feature = "test-hooks")]
mod hooks {
    use std::sync::OnceLock;
    use std::time::Duration;

    use super::Stage;

    fn var(name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    pub fn delay(path: &[u8]) {
        use std::hash::BuildHasher;
        static MAX_MICROS: OnceLock<u64> = OnceLock::new();
        let max = *MAX_MICROS.get_or_init(|| {
            var("TRAWL_TEST_WORKER_DELAY_US")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        });
        if max > 0 {
            let random = std::collections::hash_map::RandomState::new().hash_one(path);
            std::thread::sleep(Duration::from_micros(random % max));
        }
    }

    pub fn panic_point(stage: Stage, path: &[u8]) {
        static PANIC: OnceLock<Option<(Stage, String)>> = OnceLock::new();
        let point = PANIC.get_or_init(|| {
            let value = var("TRAWL_TEST_PANIC")?;
            let (stage, name) = value.split_once(':').unwrap_or((&value, ""));
            let stage = match stage {
                "walker" => Stage::Walker,
                "worker" => Stage::Worker,
                "printer" => Stage::Printer,
                _ => return None,
            };
            Some((stage, name.to_string()))
        });
        if let Some((at, name)) = point {
            if *at == stage && path.ends_with(name.as_bytes()) {
                panic!("test panic ({stage:?})");
            }
        }
    }

    pub fn spill_limits() -> Option<(u64, u64)> {
        let value = var("TRAWL_TEST_SPILL")?;
        let (max, segment) = value.split_once(',')?;
        Some((max.parse().ok()?, segment.parse().ok()?))
    }

    pub fn racy_ms() -> Option<i64> {
        var("TRAWL_TEST_RACY_MS")?.parse().ok()
    }

    /// The most files a refresh writes as a delta (0: always a whole
    /// index).
    pub fn delta_files() -> Option<usize> {
        var("TRAWL_TEST_DELTA_FILES")?.parse().ok()
    }

    pub fn creds() -> Option<String> {
        var("TRAWL_TEST_CREDS")
    }

    pub fn window_bytes() -> Option<usize> {
        var("TRAWL_TEST_WINDOW_BYTES")?.parse().ok()
    }

    pub fn list_delay() {
        static MICROS: OnceLock<u64> = OnceLock::new();
        let micros = *MICROS.get_or_init(|| {
            var("TRAWL_TEST_LIST_US")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        });
        if micros > 0 {
            std::thread::sleep(Duration::from_micros(micros));
        }
    }

    /// Every listing job counts as one that waited on the disk.
    pub fn disk_wait() -> bool {
        static SET: OnceLock<bool> = OnceLock::new();
        *SET.get_or_init(|| var("TRAWL_TEST_DISK_WAIT").is_some())
    }

    pub fn vanish(dir: &std::path::Path) {
        static NAME: OnceLock<Option<std::ffi::OsString>> = OnceLock::new();
        let name = NAME.get_or_init(|| std::env::var_os("TRAWL_TEST_VANISH"));
        if let Some(name) = name {
            if dir.file_name() == Some(name.as_os_str()) {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

#[cfg(feature = "test-hooks")]
pub use hooks::{
    creds, delay, delta_files, disk_wait, list_delay, panic_point, racy_ms, spill_limits, vanish,
    window_bytes,
};

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn delay(_path: &[u8]) {}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn panic_point(_stage: Stage, _path: &[u8]) {}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn spill_limits() -> Option<(u64, u64)> {
    None
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn racy_ms() -> Option<i64> {
    None
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn delta_files() -> Option<usize> {
    None
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn creds() -> Option<String> {
    None
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn vanish(_dir: &std::path::Path) {}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn list_delay() {}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn disk_wait() -> bool {
    false
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn window_bytes() -> Option<usize> {
    None
}
