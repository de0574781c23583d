//! Stage 2: the ordered pool. One feeder (the walker) submits jobs, N
//! workers run them, one printer receives their output in submission
//! order. The pool knows jobs, order, bytes and cancellation, not files
//! or printers: `run.rs` plugs trawl's search and output into it, and
//! `tests/loom_pool.rs` runs this same protocol under loom, over every
//! interleaving of a small configuration.
//!
//! ```text
//! feeder ──submit(job)──► job queue (FIFO, bounded) ──► worker × N
//!    └──a slot per job, in submission order (bounded)     │ reply.send(chunk)
//!         slot k: chunks + done ◄─────────────────────────┘
//!                 └──► printer: drains slot k completely, then slot k+1
//! ```
//!
//! A job's slot is its result channel: the printer takes chunks only from
//! the head slot (the oldest job not yet printed) and moves on when that
//! job is done and its slot empty, so output is per job, in order, never
//! interleaved, whatever the thread count.
//!
//! Memory is bounded in bytes. Chunks waiting behind the head slot may
//! weigh `Limits::budget` bytes in all; a worker whose chunk does not fit
//! waits (or, with `send_or_overflow`, gets it back if the printer is
//! stalled on a slow head job, to keep it elsewhere). The
//! head job is never held back by the budget, only by `Limits::head`
//! bytes not yet taken by the printer, which is always taking them.
//!
//! Why this cannot deadlock: workers take jobs in FIFO order, so the
//! head job is either queued first, with no worker holding a newer job
//! (all are free to take it), or held by a worker. That worker waits only
//! for head room, which the printer, always draining the head slot, frees.
//! So the head job always finishes; its slot is then drained and removed,
//! the next job becomes head, and every other wait (the feeder for queue
//! or slot room, a worker for budget) is released by that progress.
//!
//! Nobody polls. Each party blocks on its own condition variable and is
//! woken only when what it waits for may have happened, and batched where
//! possible: a worker that finishes the head job with no output removes
//! its slot itself (most files print nothing, and waking the printer once
//! per file was 70,000 context switches on the linux tree); the feeder,
//! once blocked on a full queue, is woken only when the queue is half
//! empty. The printer is told it is about to wait (`Delivery::Idle`), so
//! it can flush what it buffered: a reader of a pipe sees every result as
//! soon as everything before it is done.
//!
//! Cancellation (`cancel`, or the printer's consumer returning false) wakes
//! everyone: `submit` and `send` return false, workers drop the jobs left,
//! the printer returns, and every thread ends.

mod sync;

use std::collections::VecDeque;

use sync::{Condvar, Mutex, MutexGuard};

/// How much a chunk of output counts against the budget, in bytes.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for Vec<u8> {
    fn weight(&self) -> usize {
        self.len()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Jobs queued for the workers, not yet taken.
    pub queued_jobs: usize,
    /// Jobs submitted and not yet printed (queued, running or done).
    pub in_order: usize,
    /// Bytes of output waiting behind the head job, all jobs together.
    pub budget: usize,
    /// Bytes of the head job's output not yet taken by the printer.
    pub head: usize,
}

/// What the printer is handed, in order.
pub enum Delivery<T> {
    /// The next chunk of job number `job` (numbered from 0 in submission
    /// order).
    Chunk { job: u64, chunk: T },
    /// Nothing is ready: the printer is about to wait.
    Idle,
}

struct Slot<T> {
    chunks: VecDeque<T>,
    bytes: usize,
    done: bool,
}

impl<T> Slot<T> {
    fn new() -> Slot<T> {
        Slot {
            chunks: VecDeque::new(),
            bytes: 0,
            done: false,
        }
    }
}

struct State<J, T> {
    jobs: VecDeque<(u64, J)>,
    /// `slots[i]` belongs to job `head + i`.
    slots: VecDeque<Slot<T>>,
    head: u64,
    next: u64,
    /// Bytes in all slots, the head's included.
    bytes: usize,
    feeding: bool,
    cancelled: bool,
    printer_waiting: bool,
    feeder_waiting: bool,
    idle_workers: usize,
    room_waiters: usize,
}

impl<J, T> State<J, T> {
    fn waiting_bytes(&self) -> usize {
        self.bytes - self.slots.front().map_or(0, |slot| slot.bytes)
    }

    /// The printer has something to do: a chunk, a finished job, or the end.
    fn printer_ready(&self) -> bool {
        match self.slots.front() {
            Some(slot) => !slot.chunks.is_empty() || slot.done,
            None => !self.feeding,
        }
    }
}

pub struct Pool<J, T> {
    limits: Limits,
    state: Mutex<State<J, T>>,
    feeder_cv: Condvar,
    worker_cv: Condvar,
    printer_cv: Condvar,
    room_cv: Condvar,
}

impl<J, T: Weigh> Pool<J, T> {
    pub fn new(limits: Limits) -> Pool<J, T> {
        let limits = Limits {
            queued_jobs: limits.queued_jobs.max(1),
            in_order: limits.in_order.max(1),
            ..limits
        };
        Pool {
            limits,
            state: Mutex::new(State {
                jobs: VecDeque::new(),
                slots: VecDeque::new(),
                head: 0,
                next: 0,
                bytes: 0,
                feeding: true,
                cancelled: false,
                printer_waiting: false,
                feeder_waiting: false,
                idle_workers: 0,
                room_waiters: 0,
            }),
            feeder_cv: Condvar::new(),
            worker_cv: Condvar::new(),
            printer_cv: Condvar::new(),
            room_cv: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<J, T>> {
        // A panic elsewhere poisons the lock; the state is still coherent
        // (every update is complete before anything can panic).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(
        &self,
        cv: &Condvar,
        guard: MutexGuard<'g, State<J, T>>,
    ) -> MutexGuard<'g, State<J, T>> {
        cv.wait(guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stops everything: pending and future output is dropped.
    pub fn cancel(&self) {
        let mut state = self.lock();
        state.cancelled = true;
        drop(state);
        self.feeder_cv.notify_all();
        self.worker_cv.notify_all();
        self.printer_cv.notify_all();
        self.room_cv.notify_all();
    }

    /// Waits for room in the queue and the order, then reserves the next
    /// slot. False once cancelled.
    fn reserve<'g>(
        &'g self,
        mut state: MutexGuard<'g, State<J, T>>,
    ) -> Option<MutexGuard<'g, State<J, T>>> {
        loop {
            if state.cancelled {
                return None;
            }
            if state.jobs.len() < self.limits.queued_jobs
                && state.slots.len() < self.limits.in_order
            {
                return Some(state);
            }
            state.feeder_waiting = true;
            state = self.wait(&self.feeder_cv, state);
            state.feeder_waiting = false;
        }
    }

    /// Feeder: queues a job. Blocks while the queue or the order is full;
    /// false once cancelled.
    pub fn submit(&self, job: J) -> bool {
        let Some(mut state) = self.reserve(self.lock()) else {
            return false;
        };
        let seq = state.next;
        state.next += 1;
        state.slots.push_back(Slot::new());
        state.jobs.push_back((seq, job));
        if state.idle_workers > 0 {
            self.worker_cv.notify_one();
        }
        true
    }

    /// Feeder: output that needs no worker (the walker's own messages),
    /// printed in its place in the order. False once cancelled.
    pub fn submit_output(&self, chunk: T) -> bool {
        let Some(mut state) = self.reserve(self.lock()) else {
            return false;
        };
        state.next += 1;
        state.bytes += chunk.weight();
        let mut slot = Slot::new();
        slot.bytes = chunk.weight();
        slot.chunks.push_back(chunk);
        slot.done = true;
        state.slots.push_back(slot);
        if state.printer_waiting && state.printer_ready() {
            self.printer_cv.notify_one();
        }
        true
    }

    /// Feeder: no more jobs. Workers end once the queue is empty, the
    /// printer once every slot is drained.
    pub fn finish_feeding(&self) {
        let mut state = self.lock();
        state.feeding = false;
        if state.printer_waiting && state.printer_ready() {
            self.printer_cv.notify_one();
        }
        drop(state);
        self.worker_cv.notify_all();
    }

    /// Worker: runs jobs until the feeder is done and the queue empty, or
    /// the pool is cancelled. Each job's slot is finished when `run`
    /// returns (its `Reply` is dropped), whatever it sent.
    pub fn work(&self, run: &mut dyn FnMut(J, &mut Reply<'_, J, T>)) {
        loop {
            let mut state = self.lock();
            let (seq, job) = loop {
                if state.cancelled {
                    return;
                }
                if let Some(job) = state.jobs.pop_front() {
                    break job;
                }
                if !state.feeding {
                    return;
                }
                state.idle_workers += 1;
                state = self.wait(&self.worker_cv, state);
                state.idle_workers -= 1;
            };
            self.wake_feeder(&state);
            drop(state);
            let mut reply = Reply { pool: self, seq };
            run(job, &mut reply);
        }
    }

    /// The feeder waits for half the queue and half the order to be free,
    /// so that it is woken once per many jobs, not once per job.
    fn wake_feeder(&self, state: &State<J, T>) {
        if state.feeder_waiting
            && state.jobs.len() <= self.limits.queued_jobs / 2
            && state.slots.len() <= self.limits.in_order / 2
        {
            self.feeder_cv.notify_one();
        }
    }

    /// Removes finished, drained slots at the head and wakes whoever the
    /// move concerns.
    fn settle_head(&self, state: &mut State<J, T>) {
        let mut moved = false;
        while state
            .slots
            .front()
            .is_some_and(|slot| slot.done && slot.chunks.is_empty())
        {
            state.slots.pop_front();
            state.head += 1;
            moved = true;
        }
        if moved {
            if state.room_waiters > 0 {
                // The new head's worker may be waiting, and the bytes of
                // the new head no longer count against the budget.
                self.room_cv.notify_all();
            }
            self.wake_feeder(state);
        }
        if state.printer_waiting && state.printer_ready() {
            self.printer_cv.notify_one();
        }
    }

    /// Printer: hands every chunk to `consume`, job after job in
    /// submission order, and `Delivery::Idle` before each wait. Returns
    /// when all jobs are printed, or at once when cancelled; `consume`
    /// returning false cancels the pool.
    pub fn print(&self, consume: &mut dyn FnMut(Delivery<T>) -> bool) {
        let mut state = self.lock();
        let mut told_idle = false;
        loop {
            if state.cancelled {
                return;
            }
            let job = state.head;
            if let Some(slot) = state.slots.front_mut() {
                if let Some(chunk) = slot.chunks.pop_front() {
                    let weight = chunk.weight();
                    slot.bytes -= weight;
                    state.bytes -= weight;
                    let wake_room = state.room_waiters > 0;
                    drop(state);
                    if wake_room {
                        self.room_cv.notify_all();
                    }
                    told_idle = false;
                    if !consume(Delivery::Chunk { job, chunk }) {
                        self.cancel();
                        return;
                    }
                    state = self.lock();
                    continue;
                }
                if slot.done {
                    self.settle_head(&mut state);
                    continue;
                }
            } else if !state.feeding {
                return;
            }
            if !told_idle {
                drop(state);
                told_idle = true;
                if !consume(Delivery::Idle) {
                    self.cancel();
                    return;
                }
                state = self.lock();
                continue;
            }
            state.printer_waiting = true;
            if state.room_waiters > 0 {
                // The head is slow: workers held by the budget may put
                // their output elsewhere (`send_or_overflow`).
                self.room_cv.notify_all();
            }
            state = self.wait(&self.printer_cv, state);
            state.printer_waiting = false;
        }
    }
}

/// A running job's handle on its slot. Dropping it finishes the job.
pub struct Reply<'p, J, T: Weigh> {
    pool: &'p Pool<J, T>,
    seq: u64,
}

impl<J, T: Weigh> Reply<'_, J, T> {
    /// Stops the whole pool (`-q` found its match).
    pub fn cancel_pool(&self) {
        self.pool.cancel();
    }

    /// Waits until every earlier job has been printed. False if the pool
    /// was cancelled meanwhile.
    pub fn wait_for_head(&mut self) -> bool {
        let mut state = self.pool.lock();
        loop {
            if state.cancelled {
                return false;
            }
            if state.head == self.seq {
                return true;
            }
            state.room_waiters += 1;
            state = self.pool.wait(&self.pool.room_cv, state);
            state.room_waiters -= 1;
        }
    }

    /// Appends a chunk to the job's output, waiting while it does not fit
    /// (the budget, or head room for the head job). False once cancelled.
    pub fn send(&mut self, chunk: T) -> bool {
        let mut chunk = chunk;
        loop {
            match self.send_or_wait(chunk, true) {
                Ok(sent) => return sent,
                Err(back) => chunk = back,
            }
        }
    }

    /// Like `send`, but when the chunk does not fit behind the head while
    /// the printer is stalled on the head job (waiting for output that
    /// job has not produced), gives it back so the caller can keep it
    /// elsewhere. While the printer is busy writing, waits like `send`:
    /// the printer is the bottleneck then, and putting the chunk
    /// elsewhere would only add copies. `Ok(false)` once cancelled.
    pub fn send_or_overflow(&mut self, chunk: T) -> Result<bool, T> {
        self.send_or_wait(chunk, false)
    }

    fn send_or_wait(&mut self, chunk: T, wait: bool) -> Result<bool, T> {
        let weight = chunk.weight();
        let pool = self.pool;
        let mut state = pool.lock();
        loop {
            if state.cancelled {
                return Ok(false);
            }
            let index = (self.seq - state.head) as usize;
            let fits = if index == 0 {
                let slot = &state.slots[0];
                slot.bytes == 0 || slot.bytes + weight <= pool.limits.head
            } else {
                state.waiting_bytes() + weight <= pool.limits.budget
            };
            if fits {
                state.bytes += weight;
                let slot = &mut state.slots[index];
                slot.bytes += weight;
                slot.chunks.push_back(chunk);
                // The model check's invariant: the budget holds, and the
                // head exceeds its room only by a single chunk.
                #[cfg(loom)]
                assert!(
                    state.waiting_bytes() <= pool.limits.budget
                        && (state.slots[0].bytes <= pool.limits.head
                            || state.slots[0].chunks.len() == 1)
                );
                if index == 0 && state.printer_waiting {
                    pool.printer_cv.notify_one();
                }
                return Ok(true);
            }
            if !wait && index != 0 && state.printer_waiting {
                return Err(chunk);
            }
            state.room_waiters += 1;
            state = pool.wait(&pool.room_cv, state);
            state.room_waiters -= 1;
        }
    }
}

impl<J, T: Weigh> Drop for Reply<'_, J, T> {
    fn drop(&mut self) {
        let pool = self.pool;
        let mut state = pool.lock();
        if state.cancelled {
            return;
        }
        let index = (self.seq - state.head) as usize;
        state.slots[index].done = true;
        if index == 0 {
            pool.settle_head(&mut state);
        }
    }
}

/// Runs a pool on scoped threads: `feed` on a thread of its own (it calls
/// `submit`), `workers` threads each running the job runner that `worker`
/// makes for it (its own searcher and buffers), and `consume` on the
/// calling thread. Returns how many workers could be started (fewer than
/// asked if the system refused threads; at least one, or none if even
/// that failed, in which case nothing ran).
pub fn run<J, T, F, W, R, C>(
    limits: Limits,
    workers: usize,
    feed: F,
    worker: W,
    mut consume: C,
) -> usize
where
    J: Send,
    T: Weigh + Send,
    F: FnOnce(&Pool<J, T>) + Send,
    W: Fn() -> R + Sync,
    R: FnMut(J, &mut Reply<'_, J, T>),
    C: FnMut(Delivery<T>) -> bool,
{
    let pool = Pool::new(limits);
    let pool = &pool;
    let worker = &worker;
    std::thread::scope(|scope| {
        let mut started = 0;
        for i in 0..workers.max(1) {
            let spawned = std::thread::Builder::new()
                .name(format!("trawl-worker-{i}"))
                .spawn_scoped(scope, move || pool.work(&mut worker()));
            match spawned {
                Ok(_) => started += 1,
                Err(_) => break,
            }
        }
        if started == 0 {
            return 0;
        }
        let feeder = std::thread::Builder::new()
            .name("trawl-walker".into())
            .spawn_scoped(scope, move || {
                // Feeding ends even if `feed` panics, so nobody waits forever.
                struct Finish<'a, J, T: Weigh>(&'a Pool<J, T>);
                impl<J, T: Weigh> Drop for Finish<'_, J, T> {
                    fn drop(&mut self) {
                        self.0.finish_feeding();
                    }
                }
                let _finish = Finish(pool);
                feed(pool);
            });
        if feeder.is_err() {
            pool.cancel();
            return 0;
        }
        pool.print(&mut consume);
        started
    })
}
