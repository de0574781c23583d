use std::alloc::{GlobalAlloc, Layout, System};

fn main() {
    // A panic has been reported by the hook (`messages::report_panics`)
    // and every thread has ended: exit 2 like any error.
    let code = std::panic::catch_unwind(trawl::run).unwrap_or(2);
    std::process::exit(code);
}

/// Small blocks from mimalloc, blocks of `LARGE` and more from glibc.
///
/// The walk allocates names and listings on one thread and frees them on
/// another, where glibc's arenas take a lock and mimalloc does not. On
/// the linux corpus with its index (2 cores, medians of 15, session 19):
/// `--files` 24.9 -> 18.4 ms, `-g '*.rs' -l fn` 0.61x -> 0.44x of rg,
/// `-t rust -l unsafe` 0.39x -> 0.31x, full searches unchanged. The
/// index build's posting lists grow through every size; in mimalloc's
/// per-size pages they left holes, its peak RSS 505 -> 615 MiB with
/// mimalloc alone, 519-536 MiB with blocks from 64 KiB up left to glibc,
/// and 503-507 MiB (as before) from 1 KiB up.
struct Allocator;

const LARGE: usize = 1 << 10;

#[global_allocator]
static GLOBAL: Allocator = Allocator;

// SAFETY: every block is freed and resized by the allocator that made
// it, chosen by its size, which the caller passes unchanged (GlobalAlloc's
// contract); a block that crosses LARGE is moved between the two.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE {
            System.alloc(layout)
        } else {
            mimalloc::MiMalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE {
            System.alloc_zeroed(layout)
        } else {
            mimalloc::MiMalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE {
            System.dealloc(ptr, layout)
        } else {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (layout.size() >= LARGE, new_size >= LARGE) {
            (true, true) => System.realloc(ptr, layout, new_size),
            (false, false) => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
            _ => {
                // SAFETY: the caller guarantees `new_size` with this
                // alignment forms a valid layout.
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LARGE;

    /// A block that grows past `LARGE` and shrinks back moves between
    /// the two allocators with its contents.
    #[test]
    fn blocks_keep_their_bytes_across_the_allocators() {
        let mut bytes: Vec<u8> = (0..LARGE / 2).map(|i| i as u8).collect();
        bytes.extend((LARGE / 2..LARGE * 3).map(|i| i as u8));
        bytes.truncate(LARGE / 4);
        bytes.shrink_to_fit();
        assert_eq!(bytes.capacity(), LARGE / 4);
        assert!(bytes.iter().enumerate().all(|(i, b)| *b == i as u8));
        let zeroed = vec![0u64; LARGE];
        assert!(zeroed.iter().all(|x| *x == 0));
    }
}
