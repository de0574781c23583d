//! The parallel walk's look-ahead (`trawl::walk::ahead`) under loom: the
//! walker's sequencing and the helpers' listing jobs, over every
//! interleaving (up to loom's preemption bound) of a walker and two
//! helpers on a small tree, with room for one listing ahead, and with
//! the walk stopped at every leaf. loom fails a model on a deadlock
//! (every thread blocked), on a thread left running, and on any
//! assertion below or in the protocol.
//!
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom_walk`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use trawl::pool::Weigh;
use trawl::walk::ahead::{Ahead, Limits, Step};

type Key = Vec<u8>;

/// The tree: node n's entries, a leaf (a letter) or a subdirectory.
enum Entry {
    Leaf(char),
    Dir(u8),
}

fn entries(node: u8) -> Vec<Entry> {
    use Entry::*;
    match node {
        0 => vec![Leaf('a'), Dir(1), Dir(2), Leaf('b')],
        1 => vec![Dir(3), Leaf('c')],
        2 => vec![Leaf('d')],
        _ => vec![Leaf('e')],
    }
}

/// Depth first, entries in order.
const WALK_ORDER: [char; 5] = ['a', 'e', 'c', 'd', 'b'];

struct Listing(Vec<Step<char, Key>>);

impl Weigh for Listing {
    fn weight(&self) -> usize {
        self.0.len()
    }
}

impl IntoIterator for Listing {
    type Item = Step<char, Key>;
    type IntoIter = std::vec::IntoIter<Step<char, Key>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A job: a node and its key.
type Job = (u8, Key);

/// Lists a node: its steps, and the jobs of its subdirectories.
fn list((node, key): Job) -> (Listing, Vec<(Key, Job)>) {
    let mut steps = Vec::new();
    let mut jobs = Vec::new();
    for (index, entry) in entries(node).into_iter().enumerate() {
        match entry {
            Entry::Leaf(leaf) => steps.push(Step::Leaf(leaf)),
            Entry::Dir(child) => {
                let mut child_key = key.clone();
                child_key.push(index as u8);
                jobs.push((child_key.clone(), (child, child_key.clone())));
                steps.push(Step::Descend(child_key));
            }
        }
    }
    (Listing(steps), jobs)
}

/// Walks the tree with `helpers` helpers; the walker stops after
/// `stop_after` leaves, if given. Returns the leaves visited.
fn walk(helpers: usize, limits: Limits, stop_after: Option<usize>) -> Vec<char> {
    let ahead: Arc<Ahead<Key, Job, Listing>> = Arc::new(Ahead::new(limits));
    let handles: Vec<_> = (0..helpers)
        .map(|_| {
            let ahead = ahead.clone();
            thread::spawn(move || ahead.help(&mut list))
        })
        .collect();
    let mut got = Vec::new();
    let finished = ahead.in_order((vec![0], (0, vec![0])), &mut list, &mut |leaf| {
        got.push(leaf);
        stop_after != Some(got.len())
    });
    assert_eq!(finished, stop_after.is_none());
    ahead.close();
    for handle in handles {
        handle.join().unwrap();
    }
    got
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(f);
}

const ONE_AHEAD: Limits = Limits {
    listings: 1,
    bytes: usize::MAX,
};

#[test]
fn leaves_come_in_walk_order() {
    model(|| assert_eq!(walk(2, ONE_AHEAD, None), WALK_ORDER));
}

#[test]
fn leaves_come_in_walk_order_with_one_helper_and_a_byte_limit() {
    let limits = Limits {
        listings: 4,
        bytes: 1,
    };
    model(move || assert_eq!(walk(1, limits, None), WALK_ORDER));
}

#[test]
fn the_walker_alone_walks_in_order() {
    model(|| assert_eq!(walk(0, ONE_AHEAD, None), WALK_ORDER));
}

#[test]
fn stopping_at_any_leaf_ends_every_thread() {
    for stop_after in 1..=WALK_ORDER.len() - 1 {
        model(move || {
            assert_eq!(
                walk(2, ONE_AHEAD, Some(stop_after)),
                WALK_ORDER[..stop_after]
            );
        });
    }
}
