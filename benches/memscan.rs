//! The floor for a literal search of one big file: map it and count the
//! needle's occurrences with memchr's memmem, nothing else. `benches/compare`
//! times it beside trawl on the `big` corpus.
//!
//! usage: cargo run --release --example memscan -- NEEDLE FILE

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [needle, path] = args.as_slice() else {
        eprintln!("usage: memscan NEEDLE FILE");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("memscan: {path}: {error}");
            return ExitCode::from(2);
        }
    };
    // SAFETY: the benchmark corpus is not modified while it is scanned.
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => map,
        Err(error) => {
            eprintln!("memscan: {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let count = memchr::memmem::find_iter(&map, needle.as_bytes()).count();
    println!("{count}");
    ExitCode::SUCCESS
}
