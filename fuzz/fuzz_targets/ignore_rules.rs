//! Ignore files: arbitrary bytes as a .gitignore, loaded line by line the
//! way trawl loads them, then matched against paths made from the same
//! bytes. Nothing may panic.
#![no_main]

use std::path::Path;

use ignore::gitignore::GitignoreBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut builder = GitignoreBuilder::new("/root/dir");
    for line in text.lines() {
        let _ = builder.add_line(None, line);
    }
    let Ok(gitignore) = builder.build() else {
        return;
    };
    for (i, line) in text.lines().enumerate().take(8) {
        let candidate = line.trim_start_matches('!').trim_start_matches('/');
        if candidate.is_empty() {
            continue;
        }
        let _ = gitignore.matched(Path::new(candidate), i % 2 == 0);
        let _ = gitignore.matched(Path::new("/root/dir").join(candidate), i % 2 == 1);
        let _ =
            gitignore.matched_path_or_any_parents(Path::new("/root/dir").join(candidate), false);
    }
});
