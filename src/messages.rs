//! Warnings and errors on stderr. Every error goes through `error`, which
//! records that one happened so the exit status can say so (2).
//!
//! Messages about a file are printed in that file's place in the output
//! order: while a worker searches a file (or the walker walks), messages
//! are captured on that thread (`capture`, `take_captured`) and travel
//! with the file's output to the printer thread, which writes them to
//! stderr between the outputs of the files before and after. Anywhere
//! else they go straight to stderr.

use std::cell::RefCell;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static CAPTURED: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    /// What this thread is doing, for the panic message.
    static ACTIVITY: RefCell<(Activity, Vec<u8>)> = const { RefCell::new((Activity::Other, Vec::new())) };
}

/// What a thread is doing, named in the message if it panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Other,
    /// Searching the file named.
    Searching,
    /// Walking; the path is the latest found.
    Walking,
    Printing,
}

/// Records what this thread is doing now (a copy of `path`, into a buffer
/// kept for the thread: no allocation per file).
pub fn set_activity(activity: Activity, path: &[u8]) {
    ACTIVITY.with(|current| {
        let mut current = current.borrow_mut();
        current.0 = activity;
        current.1.clear();
        current.1.extend_from_slice(path);
    });
}

/// Makes a panic print one line, `trawl: PATH: panicked while searching:
/// MESSAGE (at FILE:LINE:COL)`, instead of Rust's report: the first panic
/// only (when every worker panics, the others add nothing), and it counts
/// as an error. The pool cancels everything on a panic and the program
/// exits 2 (`main`).
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        static REPORTED: AtomicBool = AtomicBool::new(false);
        ERRORED.store(true, Ordering::Relaxed);
        if REPORTED.swap(true, Ordering::Relaxed) {
            return;
        }
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|at| format!(" (at {}:{}:{})", at.file(), at.line(), at.column()))
            .unwrap_or_default();
        let context = ACTIVITY
            .try_with(|current| {
                let current = current.borrow();
                let path = String::from_utf8_lossy(&current.1);
                match current.0 {
                    Activity::Searching => format!("{path}: panicked while searching"),
                    Activity::Walking if path.is_empty() => "panicked while walking".into(),
                    Activity::Walking => format!("panicked while walking, at {path}"),
                    Activity::Printing => "panicked while printing".into(),
                    Activity::Other => "panicked".into(),
                }
            })
            .unwrap_or_else(|_| "panicked".into());
        let mut stderr = std::io::stderr().lock();
        crate::progress::erase_for_message(&mut stderr);
        let _ = writeln!(stderr, "trawl: {context}: {message}{location}");
    }));
}

/// From now on, messages of this thread are kept for `take_captured`.
pub fn capture() {
    CAPTURED.with(|captured| {
        captured.borrow_mut().get_or_insert_with(Vec::new);
    });
}

/// The messages captured on this thread since the last call (capture
/// goes on).
pub fn take_captured() -> Vec<u8> {
    CAPTURED.with(|captured| {
        captured
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    })
}

/// Runs `f` with this thread's messages kept apart, and returns them
/// with its result: the walk's listing jobs carry their messages to the
/// walker, which passes them on (`pass_on`) in their place in the order.
pub fn collect<R>(f: impl FnOnce() -> R) -> (R, Vec<u8>) {
    let outer = CAPTURED.with(|captured| captured.borrow_mut().replace(Vec::new()));
    let result = f();
    let inner = CAPTURED.with(|captured| captured.replace(outer));
    (result, inner.unwrap_or_default())
}

/// Messages `collect`ed elsewhere, emitted here as if by this thread.
pub fn pass_on(messages: &[u8]) {
    let kept = CAPTURED.with(|captured| match captured.borrow_mut().as_mut() {
        Some(buf) => {
            buf.extend_from_slice(messages);
            true
        }
        None => false,
    });
    if !kept {
        let _ = std::io::stderr().write_all(messages);
    }
}

/// Writes `trawl: MESSAGE` to stderr, or to this thread's capture.
fn emit(message: fmt::Arguments) {
    let kept = CAPTURED.with(|captured| match captured.borrow_mut().as_mut() {
        Some(buf) => {
            let _ = writeln!(buf, "trawl: {message}");
            true
        }
        None => false,
    });
    if !kept {
        eprintln!("trawl: {message}");
    }
}

static ERRORED: AtomicBool = AtomicBool::new(false);
static NO_FILE_MESSAGES: AtomicBool = AtomicBool::new(false);
static DEBUG: AtomicBool = AtomicBool::new(false);
static TRACE: AtomicBool = AtomicBool::new(false);

/// Set once from the command line and the config file's arguments, before
/// any thread starts. Until then, `debug_if` says whether to print.
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
        emit(message);
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
    debug_if(debug_enabled(), message);
}

/// `--debug` output while the command line is read, before `configure`:
/// the caller says whether the flags read so far ask for it.
pub fn debug_if(enabled: bool, message: fmt::Arguments) {
    if enabled {
        emit(format_args!("DEBUG: {message}"));
    }
}

/// `--trace` output: every step.
pub fn trace(message: fmt::Arguments) {
    if trace_enabled() {
        emit(format_args!("TRACE: {message}"));
    }
}

/// Prints `trawl: MESSAGE` and marks the run as failed.
pub fn error(message: fmt::Arguments) {
    ERRORED.store(true, Ordering::Relaxed);
    emit(message);
}

/// Prints `trawl: MESSAGE` without affecting the exit status.
pub fn warning(message: fmt::Arguments) {
    emit(message);
}

pub fn errored() -> bool {
    ERRORED.load(Ordering::Relaxed)
}

macro_rules! err {
    ($($arg:tt)*) => { $crate::messages::error(format_args!($($arg)*)) };
}

pub(crate) use err;
