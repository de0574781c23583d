//! The pool's protocol under loom: every interleaving (up to loom's
//! preemption bound) of a feeder, two workers and the printer, with a
//! budget so small that workers must wait for it, and cancellation at
//! every point. loom fails a model on a deadlock (every thread blocked),
//! on a thread left running, and on any assertion below.
//!
//! Run by `.ci/run`:
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom_pool`
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering};

use loom::sync::Arc;
use loom::thread;

use trawl::pool::{Delivery, Limits, Pool, Weigh};

/// Each job sends two one-byte chunks naming the job.
const CHUNKS_PER_JOB: usize = 2;

/// A chunk of a job's output: one byte in memory, or, put elsewhere by a
/// worker the budget turned away (`send_or_overflow`, trawl's spill
/// file), nothing.
#[derive(Debug)]
struct Chunk {
    job: u8,
    weight: usize,
}

impl Chunk {
    fn of(job: u8) -> Chunk {
        Chunk { job, weight: 1 }
    }
}

impl Weigh for Chunk {
    fn weight(&self) -> usize {
        self.weight
    }
}

/// Chunks given back by `send_or_overflow`, over all executions (outside
/// loom's model: it only counts that the path was taken).
static OVERFLOWS: AtomicUsize = AtomicUsize::new(0);

/// How workers send.
#[derive(Clone, Copy)]
enum Sending {
    /// `send`: wait for the budget.
    Wait,
    /// `send_or_overflow`, and a chunk given back is sent weightless.
    Overflow,
}

fn limits() -> Limits {
    Limits {
        queued_jobs: 1,
        in_order: 2,
        // Less than one job's output: workers behind the head must wait.
        budget: 1,
        head: 1,
    }
}

/// Runs `jobs` jobs on `workers` workers; the printer stops (cancels)
/// after `stop_after` chunks, if given. Returns what the printer got.
fn model_run(
    jobs: u8,
    workers: usize,
    stop_after: Option<usize>,
    worker_cancels: Option<u8>,
    sending: Sending,
) -> Vec<(u64, u8)> {
    let pool: Arc<Pool<u8, Chunk>> = Arc::new(Pool::new(limits()));
    let feeder = {
        let pool = pool.clone();
        thread::spawn(move || {
            for job in 0..jobs {
                if !pool.submit(job) {
                    break;
                }
            }
            pool.finish_feeding();
        })
    };
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let pool = pool.clone();
            thread::spawn(move || {
                pool.work(&mut |job, reply| {
                    for _ in 0..CHUNKS_PER_JOB {
                        let sent = match sending {
                            Sending::Wait => reply.send(Chunk::of(job)),
                            Sending::Overflow => match reply.send_or_overflow(Chunk::of(job)) {
                                Ok(sent) => sent,
                                Err(chunk) => {
                                    OVERFLOWS.fetch_add(1, Ordering::Relaxed);
                                    reply.send(Chunk { weight: 0, ..chunk })
                                }
                            },
                        };
                        if !sent {
                            return;
                        }
                    }
                    if worker_cancels == Some(job) {
                        reply.cancel_pool();
                    }
                })
            })
        })
        .collect();
    let mut got = Vec::new();
    pool.print(&mut |delivery| {
        if let Delivery::Chunk { job, chunk } = delivery {
            got.push((job, chunk.job));
            if stop_after == Some(got.len()) {
                return false;
            }
        }
        true
    });
    feeder.join().unwrap();
    for handle in handles {
        handle.join().unwrap();
    }
    got
}

/// Output is whole jobs in submission order; with cancellation, a prefix
/// of that.
fn assert_ordered_prefix(got: &[(u64, u8)], jobs: u8) {
    let expected: Vec<(u64, u8)> = (0..jobs)
        .flat_map(|job| std::iter::repeat_n((job as u64, job), CHUNKS_PER_JOB))
        .collect();
    assert!(got.len() <= expected.len(), "{got:?}");
    assert_eq!(got, &expected[..got.len()], "output out of order");
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(1);
    builder.check(f);
}

#[test]
fn output_is_complete_and_in_order() {
    model(|| {
        let got = model_run(3, 2, None, None, Sending::Wait);
        assert_ordered_prefix(&got, 3);
        assert_eq!(got.len(), 3 * CHUNKS_PER_JOB);
    });
}

#[test]
fn overflowing_past_the_budget_keeps_the_order() {
    model(|| {
        let got = model_run(3, 2, None, None, Sending::Overflow);
        assert_ordered_prefix(&got, 3);
        assert_eq!(got.len(), 3 * CHUNKS_PER_JOB);
    });
    // Some interleaving had the printer stalled on the head with the
    // budget full, and a worker kept its chunk elsewhere.
    assert!(OVERFLOWS.load(Ordering::Relaxed) > 0);
}

#[test]
fn printer_cancelling_at_any_point_ends_every_thread() {
    for stop_after in 1..=3 {
        model(move || {
            let got = model_run(3, 2, Some(stop_after), None, Sending::Wait);
            assert_ordered_prefix(&got, 3);
            assert_eq!(got.len(), stop_after);
        });
    }
}

#[test]
fn worker_cancelling_ends_every_thread() {
    model(|| {
        let got = model_run(3, 2, None, Some(1), Sending::Wait);
        assert_ordered_prefix(&got, 3);
    });
}

#[test]
fn walker_messages_keep_their_place() {
    model(|| {
        let pool: Arc<Pool<u8, Chunk>> = Arc::new(Pool::new(limits()));
        let feeder = {
            let pool = pool.clone();
            thread::spawn(move || {
                pool.submit(0);
                pool.submit_output(Chunk::of(9));
                pool.submit(1);
                pool.finish_feeding();
            })
        };
        let worker = {
            let pool = pool.clone();
            thread::spawn(move || {
                pool.work(&mut |job, reply| {
                    reply.send(Chunk::of(job));
                })
            })
        };
        let mut got = Vec::new();
        pool.print(&mut |delivery| {
            if let Delivery::Chunk { chunk, .. } = delivery {
                got.push(chunk.job);
            }
            true
        });
        feeder.join().unwrap();
        worker.join().unwrap();
        assert_eq!(got, [0, 9, 1]);
    });
}
