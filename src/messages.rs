//! Warnings and errors on stderr. Every error goes through `error`, which
//! records that one happened so the exit status can say so (2).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static ERRORED: AtomicBool = AtomicBool::new(false);

/// Prints `trawl: MESSAGE` and marks the run as failed.
pub fn error(message: fmt::Arguments) {
    ERRORED.store(true, Ordering::Relaxed);
    eprintln!("trawl: {message}");
}

/// Prints `trawl: MESSAGE` without affecting the exit status.
pub fn warning(message: fmt::Arguments) {
    eprintln!("trawl: {message}");
}

pub fn errored() -> bool {
    ERRORED.load(Ordering::Relaxed)
}

macro_rules! err {
    ($($arg:tt)*) => { $crate::messages::error(format_args!($($arg)*)) };
}

pub(crate) use err;
