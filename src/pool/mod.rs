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
//! or slot room, or for budget for its own output; a worker for budget,
//! or for its job to become the head, `wait_for_head`) is released by
//! that progress. None of those waiters holds the head job: the feeder
//! holds no job, and a worker waiting for budget or for the head holds a
//! later one. A chunk larger than the whole budget waits until its job
//! is the head, where any single chunk fits. Cancellation and panics end
//! every wait (all check the flag under the lock, and `cancel` wakes all).
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
//! The feeder's own output (`submit_output`, the walker's messages) takes
//! a slot like a job and waits for room like a worker, so the budget holds
//! for it too; a message larger than the budget waits until it is the
//! head, as a worker's chunk would.
//!
//! Cancellation is one flag, owned by the pool (`cancel_flag`): every
//! reason to stop sets it (`cancel`; the printer's consumer returning
//! false; a job that sets the flag itself, such as `-q`'s first match,
//! after which its worker cancels the pool when the job returns; a panic)
//! and every long-running job reads it (trawl's searchers do). `cancel`
//! wakes everyone: `submit` and `send` return false, workers drop the
//! jobs left, the printer returns, and every thread ends.
//!
//! A panic anywhere (a job, the printer's consumer, the feeder) cancels
//! the pool as it unwinds, so no thread waits forever for the one that
//! died; `Pool::run` then joins every thread and resumes the first panic
//! on the calling thread.
//!
//! The flag is a std atomic even under loom: every decision of the
//! protocol reads it under the pool's lock, and `cancel` takes the lock
//! after setting it, so a thread that saw it clear is already waiting
//! when the notification comes; loom orders those through the lock. Jobs
//! only need to see it eventually.

mod sync;

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

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
    cancelled: AtomicBool,
}

/// Why `Pool::run` ran nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// The system refused every worker thread.
    Workers,
    /// The feeder's thread could not be started.
    Feeder,
}

/// Cancels the pool if dropped while its thread unwinds from a panic.
struct CancelOnPanic<'a, J, T: Weigh>(&'a Pool<J, T>);

impl<J, T: Weigh> Drop for CancelOnPanic<'_, J, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.cancel();
        }
    }
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
                printer_waiting: false,
                feeder_waiting: false,
                idle_workers: 0,
                room_waiters: 0,
            }),
            feeder_cv: Condvar::new(),
            worker_cv: Condvar::new(),
            printer_cv: Condvar::new(),
            room_cv: Condvar::new(),
            cancelled: AtomicBool::new(false),
        }
    }

    /// The pool's cancellation flag, for jobs to read while they run (a
    /// searcher stops when it is set). A job may also set it itself: its
    /// worker then cancels the pool when the job returns. Anyone else
    /// calls `cancel`, which also wakes every waiting thread.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancelled
    }

    /// Bytes of output waiting behind the head job (at most
    /// `Limits::budget`; the model check asserts it).
    pub fn waiting_bytes(&self) -> usize {
        self.lock().waiting_bytes()
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
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
        self.cancelled.store(true, Ordering::SeqCst);
        // Through the lock: a thread that read the flag clear under it is
        // waiting by now, and gets the notification.
        drop(self.lock());
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
            if self.is_cancelled() {
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
    /// printed in its place in the order. It takes a slot and waits for
    /// room like a worker's chunk. False once cancelled.
    pub fn submit_output(&self, chunk: T) -> bool {
        let Some(mut state) = self.reserve(self.lock()) else {
            return false;
        };
        let seq = state.next;
        state.next += 1;
        state.slots.push_back(Slot::new());
        drop(state);
        // Dropped when sent: the slot is done.
        Reply { pool: self, seq }.send(chunk)
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
        let _cancel_on_panic = CancelOnPanic(self);
        loop {
            let mut state = self.lock();
            let (seq, job) = loop {
                if self.is_cancelled() {
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
            drop(reply);
            if self.is_cancelled() {
                // The job may have set the flag itself (`cancel_flag`):
                // wake the others.
                self.cancel();
                return;
            }
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
        let _cancel_on_panic = CancelOnPanic(self);
        let mut state = self.lock();
        let mut told_idle = false;
        loop {
            if self.is_cancelled() {
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
    /// Waits until every earlier job has been printed. False if the pool
    /// was cancelled meanwhile.
    pub fn wait_for_head(&mut self) -> bool {
        let pool = self.pool;
        let mut state = pool.lock();
        loop {
            if pool.is_cancelled() {
                return false;
            }
            if state.head == self.seq {
                return true;
            }
            state.room_waiters += 1;
            state = pool.wait(&pool.room_cv, state);
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
            if pool.is_cancelled() {
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
        if std::thread::panicking() {
            // The job died: its output is not whole, and a worker may be
            // gone. Stop everything rather than print a part.
            pool.cancel();
            return;
        }
        let mut state = pool.lock();
        if pool.is_cancelled() {
            return;
        }
        let index = (self.seq - state.head) as usize;
        state.slots[index].done = true;
        if index == 0 {
            pool.settle_head(&mut state);
        }
    }
}

impl<J: Send, T: Weigh + Send> Pool<J, T> {
    /// Runs the pool on scoped threads: `feed` on a thread of its own (it
    /// calls `submit`), `workers` threads each running the job runner that
    /// `worker` makes for it (its own searcher and buffers), and `consume`
    /// on the calling thread. Returns how many workers could be started
    /// (fewer than asked if the system refused threads; at least one).
    ///
    /// A panic on any of these threads cancels the pool; once every
    /// thread has ended, the first panic is resumed here.
    pub fn run<F, W, R, C>(
        &self,
        workers: usize,
        feed: F,
        worker: W,
        mut consume: C,
    ) -> Result<usize, NotStarted>
    where
        F: FnOnce(&Pool<J, T>) + Send,
        W: Fn() -> R + Sync,
        R: FnMut(J, &mut Reply<'_, J, T>),
        C: FnMut(Delivery<T>) -> bool,
    {
        let pool = self;
        let worker = &worker;
        let first_panic = std::sync::Mutex::new(None);
        let first_panic = &first_panic;
        // Runs `f`; a panic cancels the pool and is kept for later.
        let guarded = move |f: &mut dyn FnMut()| {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
                pool.cancel();
                keep_first(first_panic, payload);
            }
        };
        let started = std::thread::scope(|scope| {
            let mut started = 0;
            for i in 0..workers.max(1) {
                let spawned = std::thread::Builder::new()
                    .name(format!("trawl-worker-{i}"))
                    .spawn_scoped(scope, move || guarded(&mut || pool.work(&mut worker())));
                match spawned {
                    Ok(_) => started += 1,
                    Err(_) => break,
                }
            }
            if started == 0 {
                return Err(NotStarted::Workers);
            }
            let mut feed = Some(feed);
            let feeder = std::thread::Builder::new()
                .name("trawl-walker".into())
                .spawn_scoped(scope, move || {
                    guarded(&mut || {
                        if let Some(feed) = feed.take() {
                            feed(pool);
                        }
                    });
                    pool.finish_feeding();
                });
            if feeder.is_err() {
                pool.cancel();
                return Err(NotStarted::Feeder);
            }
            guarded(&mut || pool.print(&mut consume));
            Ok(started)
        });
        let payload = first_panic.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(payload) = payload {
            panic::resume_unwind(payload);
        }
        started
    }
}

fn keep_first(first: &std::sync::Mutex<Option<Box<dyn Any + Send>>>, payload: Box<dyn Any + Send>) {
    first
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert(payload);
}
