//! The pool's protocol under loom: every interleaving (up to loom's
//! preemption bound) of a feeder, two workers and the printer, with a
//! budget so small that workers must wait for it, and cancellation at
//! every point. loom fails a model on a deadlock (every thread blocked),
//! on a thread left running, and on any assertion below.
//!
//! Run by `.ci/run`:
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom_pool`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use trawl::pool::{Delivery, Limits, Pool};

/// Each job sends two one-byte chunks naming the job.
const CHUNKS_PER_JOB: usize = 2;

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
) -> Vec<(u64, u8)> {
    let pool: Arc<Pool<u8, Vec<u8>>> = Arc::new(Pool::new(limits()));
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
                        if !reply.send(vec![job]) {
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
            got.push((job, chunk[0]));
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
        .flat_map(|job| std::iter::repeat((job as u64, job)).take(CHUNKS_PER_JOB))
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
        let got = model_run(3, 2, None, None);
        assert_ordered_prefix(&got, 3);
        assert_eq!(got.len(), 3 * CHUNKS_PER_JOB);
    });
}

#[test]
fn printer_cancelling_at_any_point_ends_every_thread() {
    for stop_after in 1..=3 {
        model(move || {
            let got = model_run(3, 2, Some(stop_after), None);
            assert_ordered_prefix(&got, 3);
            assert_eq!(got.len(), stop_after);
        });
    }
}

#[test]
fn worker_cancelling_ends_every_thread() {
    model(|| {
        let got = model_run(3, 2, None, Some(1));
        assert_ordered_prefix(&got, 3);
    });
}

#[test]
fn walker_messages_keep_their_place() {
    model(|| {
        let pool: Arc<Pool<u8, Vec<u8>>> = Arc::new(Pool::new(limits()));
        let feeder = {
            let pool = pool.clone();
            thread::spawn(move || {
                pool.submit(0);
                pool.submit_output(vec![9]);
                pool.submit(1);
                pool.finish_feeding();
            })
        };
        let worker = {
            let pool = pool.clone();
            thread::spawn(move || {
                pool.work(&mut |job, reply| {
                    reply.send(vec![job]);
                })
            })
        };
        let mut got = Vec::new();
        pool.print(&mut |delivery| {
            if let Delivery::Chunk { chunk, .. } = delivery {
                got.push(chunk[0]);
            }
            true
        });
        feeder.join().unwrap();
        worker.join().unwrap();
        assert_eq!(got, [0, 9, 1]);
    });
}
