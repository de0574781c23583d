//! The walk's look-ahead: directories are listed by helper threads ahead
//! of the walker, which takes the listings strictly in walk order. The
//! protocol knows keys, jobs and bytes, not files: `walk.rs` plugs the
//! listing of a directory into it, and `tests/loom_walk.rs` runs this
//! same code under loom.
//!
//! ```text
//! walker: in_order ──take(key)──► done listing? use it
//!    │                             pending?     list it itself
//!    │                             running?     meanwhile, the next pending
//!    │                                          one goes to a sleeping helper
//!    │                                          (or, none sleeping, the walker
//!    │                                          lists it); then wait for it
//!    └─ steps of each listing, depth first: a leaf is visited, a
//!       `Descend(key)` takes that key's listing next
//! helper × N: the pending job with the smallest key ──list──► done,
//!             and the listed directory's subdirectories become pending
//! ```
//!
//! Keys order jobs as the walk meets them (a directory's key is its
//! parent's key plus its index, compared lexicographically: depth-first
//! pre-order), so helpers always list the directories the walker needs
//! soonest. A listing depends only on its directory's ancestors, whose
//! listings made the job, so jobs share nothing mutable.
//!
//! Bounded: helpers take a job only while fewer than `Limits::listings`
//! listings are running or done and not taken, weighing less than
//! `Limits::bytes` together; a helper lists one directory at a time.
//!
//! Why it cannot deadlock: the walker waits only for a job a helper is
//! running, and running a job waits for nothing. A job the walker needs
//! that no helper has taken is run by the walker itself, so the limits,
//! which hold helpers back, never hold the walker back. Helpers wait for
//! a job or for room, both of which the walker's progress makes.
//!
//! `close` (the walk ended or was stopped) makes every helper return.

use std::collections::BTreeMap;

#[cfg(loom)]
use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::pool::Weigh;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Listings running or done and not yet taken by the walker.
    pub listings: usize,
    /// Bytes of listings done and not yet taken.
    pub bytes: usize,
}

/// One step of a listing, in walk order.
pub enum Step<E, K> {
    /// Something the walker hands on (a file, a message).
    Leaf(E),
    /// A subdirectory, whose listing (made by a job with this key) comes
    /// next.
    Descend(K),
}

/// Runs one job: its listing and the jobs of the subdirectories it found
/// (keyed as its `Descend` steps name them).
pub type Run<'a, K, J, L> = dyn FnMut(J) -> (L, Vec<(K, J)>) + 'a;

struct State<K, J, L> {
    pending: BTreeMap<K, J>,
    done: BTreeMap<K, L>,
    /// Jobs running on helpers plus listings done and not taken.
    held: usize,
    held_bytes: usize,
    /// The key the walker waits for.
    wanted: Option<K>,
    closed: bool,
    /// A helper panicked: its job will never be done.
    failed: bool,
    idle_helpers: usize,
}

pub struct Ahead<K, J, L> {
    limits: Limits,
    state: Mutex<State<K, J, L>>,
    helper_cv: Condvar,
    walker_cv: Condvar,
}

impl<K, J, L, E> Ahead<K, J, L>
where
    K: Ord + Clone,
    L: Weigh + IntoIterator<Item = Step<E, K>>,
{
    pub fn new(limits: Limits) -> Ahead<K, J, L> {
        Ahead {
            limits: Limits {
                listings: limits.listings.max(1),
                ..limits
            },
            state: Mutex::new(State {
                pending: BTreeMap::new(),
                done: BTreeMap::new(),
                held: 0,
                held_bytes: 0,
                wanted: None,
                closed: false,
                failed: false,
                idle_helpers: 0,
            }),
            helper_cv: Condvar::new(),
            walker_cv: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<K, J, L>> {
        // A panic elsewhere poisons the lock; every update is complete
        // before anything can panic.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(
        &self,
        cv: &Condvar,
        guard: MutexGuard<'g, State<K, J, L>>,
    ) -> MutexGuard<'g, State<K, J, L>> {
        cv.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Walker: walks the tree below `root` depth first, visiting each
    /// leaf in order. False as soon as `visit` returns false (or a helper
    /// panicked: the panic is raised again where its thread is joined).
    pub fn in_order(
        &self,
        root: (K, J),
        run: &mut Run<'_, K, J, L>,
        visit: &mut dyn FnMut(E) -> bool,
    ) -> bool {
        let key = root.0.clone();
        self.add(vec![root]);
        let Some(listing) = self.take(&key, run) else {
            return false;
        };
        let mut frames = vec![listing.into_iter()];
        while let Some(top) = frames.last_mut() {
            match top.next() {
                None => {
                    frames.pop();
                }
                Some(Step::Leaf(leaf)) => {
                    if !visit(leaf) {
                        return false;
                    }
                }
                Some(Step::Descend(key)) => {
                    let Some(listing) = self.take(&key, run) else {
                        return false;
                    };
                    frames.push(listing.into_iter());
                }
            }
        }
        true
    }

    /// Makes jobs pending, waking idle helpers.
    fn add(&self, jobs: Vec<(K, J)>) {
        if jobs.is_empty() {
            return;
        }
        let mut state = self.lock();
        let wake = match self.room_to_wake(&state) {
            true => state.idle_helpers.min(jobs.len()),
            false => 0,
        };
        state.pending.extend(jobs);
        drop(state);
        for _ in 0..wake {
            self.helper_cv.notify_one();
        }
    }

    /// Room for a helper to take a job.
    fn room(&self, state: &State<K, J, L>) -> bool {
        state.held < self.limits.listings && state.held_bytes < self.limits.bytes
    }

    /// Room enough to wake a sleeping helper: half the look-ahead free.
    /// Waking one whenever a single listing is taken made a helper sleep
    /// and wake once per directory (3,300 context switches in a `--files`
    /// walk of the linux tree at -j2, where -j1 made 42); refilling from
    /// half makes them sleep once per half of the look-ahead.
    fn room_to_wake(&self, state: &State<K, J, L>) -> bool {
        state.held <= self.limits.listings / 2 && state.held_bytes <= self.limits.bytes / 2
    }

    /// Walker: the listing of `key`, done by a helper or, if none has
    /// taken its job, by the walker now. None if a helper panicked.
    fn take(&self, key: &K, run: &mut Run<'_, K, J, L>) -> Option<L> {
        let mut state = self.lock();
        loop {
            if let Some(listing) = state.done.remove(key) {
                state.held -= 1;
                state.held_bytes -= listing.weight();
                let wake = match state.idle_helpers > 0 && self.room_to_wake(&state) {
                    true => state.idle_helpers.min(state.pending.len()),
                    false => 0,
                };
                drop(state);
                for _ in 0..wake {
                    self.helper_cv.notify_one();
                }
                return Some(listing);
            }
            if let Some(job) = state.pending.remove(key) {
                drop(state);
                let (listing, jobs) = run(job);
                self.add(jobs);
                return Some(listing);
            }
            if state.failed {
                return None;
            }
            // A helper is listing it. Meanwhile the next pending jobs go
            // to sleeping helpers, or, if none sleeps, the walker lists
            // one itself (within the same limits). Listing one itself
            // while helpers sleep kept the walker from its turn: at -j8,
            // with each listing delayed 200 µs (benches/walk-scaling),
            // the walk ran at 2.0x of -j1 instead of 3.8x at -j4.
            if self.room(&state) && !state.pending.is_empty() {
                if state.idle_helpers > 0 {
                    let wake = state.idle_helpers.min(state.pending.len());
                    for _ in 0..wake {
                        self.helper_cv.notify_one();
                    }
                } else if let Some((next, job)) = state.pending.pop_first() {
                    state = self.run_job(state, next, job, run);
                    continue;
                }
            }
            state.wanted = Some(key.clone());
            state = self.wait(&self.walker_cv, state);
            state.wanted = None;
        }
    }

    /// Runs a job taken from `pending`, held (within the limits) while it
    /// runs and until the walker takes its listing; wakes the walker if it
    /// waits for this one. Unlocks while the job runs.
    fn run_job<'g>(
        &'g self,
        mut state: MutexGuard<'g, State<K, J, L>>,
        key: K,
        job: J,
        run: &mut Run<'_, K, J, L>,
    ) -> MutexGuard<'g, State<K, J, L>> {
        state.held += 1;
        drop(state);
        let (listing, jobs) = run(job);
        self.add(jobs);
        let mut state = self.lock();
        state.held_bytes += listing.weight();
        let wanted = state.wanted.as_ref() == Some(&key);
        state.done.insert(key, listing);
        if wanted {
            self.walker_cv.notify_one();
        }
        state
    }

    /// Helper: runs pending jobs, smallest key first, while there is room,
    /// until `close`.
    pub fn help(&self, run: &mut Run<'_, K, J, L>) {
        // A panicking job ends the walk instead of leaving the walker
        // waiting for it.
        struct Failed<'a, K, J, L>(&'a Ahead<K, J, L>);
        impl<K, J, L> Drop for Failed<'_, K, J, L> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    let ahead = self.0;
                    let mut state = ahead.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.failed = true;
                    state.closed = true;
                    drop(state);
                    ahead.walker_cv.notify_all();
                    ahead.helper_cv.notify_all();
                }
            }
        }
        let _failed = Failed(self);
        let mut state = self.lock();
        loop {
            if state.closed {
                return;
            }
            let job = match self.room(&state) {
                true => state.pending.pop_first(),
                false => None,
            };
            let Some((key, job)) = job else {
                state.idle_helpers += 1;
                state = self.wait(&self.helper_cv, state);
                state.idle_helpers -= 1;
                continue;
            };
            state = self.run_job(state, key, job, run);
            // The model check's invariant: helpers never hold more than
            // the limit (bytes may pass it by the last listing only).
            #[cfg(loom)]
            assert!(state.held <= self.limits.listings);
        }
    }

    /// Every helper returns (now, or when its job is done); jobs and
    /// listings left are dropped with the `Ahead`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.helper_cv.notify_all();
    }

    /// Whether the walk ended: a helper started now would return at once.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }
}
