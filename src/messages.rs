//! Warnings and errors on stderr. Every error goes through `error`, which
//! records that one happened so the exit status can say so (2).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static ERRORED: AtomicBool = AtomicBool::new(false);
static NO_FILE_MESSAGES: AtomicBool = AtomicBool::new(false);
static DEBUG: AtomicBool = AtomicBool::new(false);
static TRACE: AtomicBool = AtomicBool::new(false);

/// Set once from the command line, before any thread starts.
pub fn configure(no_file_messages: bool, debug: bool, trace: bool) {
    NO_FILE_MESSAGES.store(no_file_messages, Ordering::Relaxed);
    DEBUG.store(debug, Ordering::Relaxed);
    TRACE.store(trace, Ordering::Relaxed);
}

/// An error about one file or directory: counted like any error, but not
/// printed under `--no-messages`.
pub fn file_error(message: fmt::Arguments) {
    ERRORED.store(true, Ordering::Relaxed);
    if !NO_FILE_MESSAGES.load(Ordering::Relaxed) {
        eprintln!("trawl: {message}");
    }
}

pub fn debug_enabled() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

pub fn trace_enabled() -> bool {
    TRACE.load(Ordering::Relaxed)
}

/// `--debug` output: why something happened.
pub fn debug(message: fmt::Arguments) {
    if debug_enabled() {
        eprintln!("trawl: DEBUG: {message}");
    }
}

/// `--trace` output: every step.
pub fn trace(message: fmt::Arguments) {
    if trace_enabled() {
        eprintln!("trawl: TRACE: {message}");
    }
}

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
