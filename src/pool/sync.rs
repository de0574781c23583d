//! The pool's synchronisation primitives: std's, or loom's when the model
//! check (`tests/loom_pool.rs`, built with `--cfg loom`) explores every
//! interleaving of the same code.

#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
