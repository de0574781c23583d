//! The index (--build-index): with it, every command line prints the same
//! bytes and exits with the same code as with --no-index, whatever
//! changed in the tree since the build; a bad index is reported once and
//! ignored.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::util::{scrub_elapsed, Fixture, Run};

/// A fixture with the searched tree in `tree/` and XDG_CACHE_HOME in
/// `cache/`.
struct Tree {
    f: Fixture,
    /// TRAWL_TEST_RACY_MS: None for the window trawl derives itself.
    racy_ms: Option<&'static str>,
}

impl Tree {
    /// The racy window is set to 2 s, that of `settle`.
    fn new() -> Tree {
        Tree::with(Fixture::new())
    }

    fn with(f: Fixture) -> Tree {
        f.mkdir("tree");
        Tree {
            f,
            racy_ms: Some("2000"),
        }
    }

    fn root(&self) -> PathBuf {
        self.f.path().join("tree")
    }

    fn cache(&self) -> PathBuf {
        self.f.path().join("cache")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.f.cmd(args);
        cmd.current_dir(self.root())
            .env("XDG_CACHE_HOME", self.cache());
        match self.racy_ms {
            Some(ms) => cmd.env("TRAWL_TEST_RACY_MS", ms),
            None => cmd.env_remove("TRAWL_TEST_RACY_MS"),
        };
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    fn build(&self) -> Run {
        let run = self.run(&["--build-index"]);
        assert_eq!(run.code, 0, "--build-index failed: {}", run.stderr);
        run
    }

    /// A refresh that writes a delta beside the index.
    #[track_caller]
    fn build_delta(&self) -> Run {
        let run = self.build();
        assert!(run.stdout.contains(", a delta of "), "{}", run.stdout);
        run
    }

    /// A refresh that writes a whole index, not a delta.
    fn build_whole(&self, args: &[&str]) -> Run {
        let out = self
            .cmd(&[&["--build-index"], args].concat())
            .env("TRAWL_TEST_DELTA_FILES", "0")
            .output()
            .unwrap();
        let run = Run::from(out);
        assert_eq!(run.code, 0, "--build-index failed: {}", run.stderr);
        run
    }

    /// The deltas beside the index.
    fn deltas(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.cache().join("trawl"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "delta"))
            .collect()
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Writes `files` (path, contents), waits until they are older than
    /// the racy window, and indexes the tree.
    fn index(&self, files: &[(&str, &str)]) {
        for (rel, content) in files {
            self.write(rel, content);
        }
        self.settle();
        self.build();
    }

    /// The one index file in the cache.
    fn index_file(&self) -> PathBuf {
        let dir = self.cache().join("trawl");
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found.pop().unwrap()
    }

    /// Output and exit code with the index are those without it.
    #[track_caller]
    fn same(&self, args: &[&str]) -> Run {
        let with = self.run(args);
        let without = self.run(&[&["--no-index"], args].concat());
        // Timings are the only run-dependent output (--json, --stats).
        let scrub = |s: &str| {
            scrub_elapsed(s)
                .lines()
                .filter(|l| {
                    !l.ends_with(" seconds spent searching") && !l.ends_with(" seconds total")
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            scrub(&with.stdout),
            scrub(&without.stdout),
            "stdout differs for {args:?}\n--- stderr with the index ---\n{}",
            with.stderr
        );
        assert_eq!(with.code, without.code, "exit code differs for {args:?}");
        // --debug's own lines say what the index did.
        let messages = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !l.contains("DEBUG: "))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            messages(&with.stderr),
            messages(&without.stderr),
            "stderr differs for {args:?}"
        );
        with
    }

    /// A build that finds the index bad and builds it again from scratch.
    fn rebuild(&self) {
        let run = self.build();
        assert!(
            run.stderr.contains("rebuilding the index"),
            "{}",
            run.stderr
        );
    }

    /// The run of `args` with the index, whose stdout and exit code are
    /// those of `--no-index` (its stderr may say more: a bad index).
    fn same_output(&self, args: &[&str]) -> Run {
        let with = self.run(args);
        let without = self.run(&[&["--no-index"], args].concat());
        assert_eq!(with.stdout, without.stdout, "stdout differs for {args:?}");
        assert_eq!(with.code, without.code, "exit code differs for {args:?}");
        with
    }

    /// Waits until every file in the tree is older than the racy window
    /// (2 s), so that the index may vouch for them.
    fn settle(&self) {
        let newest = newest_time(&self.root());
        while SystemTime::now() < newest + Duration::from_millis(2100) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Runs `change`, then sets `path`'s mtime back to what it was: only its
/// ctime says it changed.
fn keeping_mtime(path: &Path, change: impl FnOnce()) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    change();
    let file = std::fs::File::open(path).unwrap();
    file.set_modified(modified).unwrap();
    assert_eq!(file.metadata().unwrap().modified().unwrap(), modified);
}

fn newest_time(dir: &Path) -> SystemTime {
    use std::os::unix::fs::MetadataExt;
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        let ctime =
            SystemTime::UNIX_EPOCH + Duration::new(meta.ctime() as u64, meta.ctime_nsec() as u32);
        newest = newest.max(ctime).max(meta.modified().unwrap());
        if meta.is_dir() {
            newest = newest.max(newest_time(&entry.path()));
        }
    }
    newest
}

/// xorshift64*: a seeded, dependency-free random source.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "foo",
    "Foo",
    "FOO",
    "bar",
    "baz",
    "qux",
    "PM_RESUME",
    "pm_resume",
    "x_RESUME",
    "ERR_SYS",
    "PME_TURN_OFF",
    "LINK_REQ_RST",
    "Straße",
    "ſtar",
    "\u{212A}elvin",
    "kelvin",
    "a.b",
    "axb",
    "static",
    "fn",
    "unsafe",
    "é",
];

fn random_text(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(8) {
        let n = 1 + rng.below(5);
        let words: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
        let sep = if rng.below(4) == 0 { "_" } else { " " };
        text.push_str(&words.join(sep));
        text.push_str(if rng.below(6) == 0 { "\r\n" } else { "\n" });
    }
    text
}

/// A random tree with the special cases a search treats differently.
fn random_tree(t: &Tree, rng: &mut Rng) -> Vec<String> {
    t.f.git_init("tree");
    let mut files = Vec::new();
    for d in 0..4 {
        for n in 0..6 {
            let rel = match rng.below(3) {
                0 => format!("d{d}/f{n}.txt"),
                1 => format!("d{d}/sub/f{n}.rs"),
                _ => format!("d{d}/f{n}.log"),
            };
            t.write(&rel, random_text(rng));
            files.push(rel);
        }
    }
    t.write("top.txt", "foo PM_RESUME\nbar\n");
    t.write(".hidden", "foo hidden\n");
    t.write(".gitignore", "*.log\nignored/\n");
    t.write("ignored/x.txt", "foo PM_RESUME ignored\n");
    t.write("bin.dat", b"foo PM_RESUME\0binary\nfoo again\n");
    t.write("bom.txt", b"\xEF\xBB\xBFfoo PM_RESUME bom\n");
    t.write("utf16.txt", {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "PM_RESUME foo\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    });
    t.write("latin1.txt", b"foo Stra\xDFe caf\xE9\n");
    t.write("empty.txt", "");
    t.write("big.txt", "foo ".repeat(500));
    std::os::unix::fs::symlink("top.txt", t.root().join("link.txt")).unwrap();
    // Changed only by an entry added behind an mtime set back.
    t.write("quiet/q.txt", "nothing\n");
    files
}

/// Command lines for the differential test: patterns of every kind the
/// planner handles, and the modes where a file without a match prints.
fn command_lines() -> Vec<Vec<&'static str>> {
    let lines: &[&[&str]] = &[
        &["PM_RESUME"],
        &["-n", "foo"],
        &["-i", "pm_resume"],
        &["-S", "pm_resume"],
        &["-S", "Foo"],
        &["-F", "a.b"],
        &["a.b"],
        &["-w", "foo"],
        &["-x", "foo"],
        &["-e", "ERR_SYS", "-e", "LINK_REQ_RST"],
        &[r"\w+_RESUME"],
        &["ERR_SYS|PME_TURN_OFF|LINK_REQ_RST"],
        &["-i", "kelvin"],
        &["-i", "STAR"],
        &["-i", "straße"],
        &["é"],
        &["--no-unicode", "-i", "foo"],
        &["-U", r"foo\nbar"],
        &["-U", r"foo\r\n"],
        &["--crlf", "foo$"],
        &["--null-data", "foo"],
        &["-c", "foo"],
        &["--count-matches", "PM_RESUME"],
        &["-l", "PM_RESUME"],
        &["-o", "-b", "PM_RESUME"],
        &["-C1", "-n", "bar baz"],
        &["--json", "PM_RESUME"],
        &["--stats", "PM_RESUME"],
        &["-v", "foo"],
        &["--files-without-match", "PM_RESUME"],
        &["-c", "--include-zero", "PM_RESUME"],
        &["-q", "PM_RESUME"],
        &["-q", "nomatchanywhere"],
        &["nomatchanywhere"],
        &["-m1", "foo"],
        &["--max-results", "3", "foo"],
        &["--binary", "PM_RESUME"],
        &["-a", "binary"],
        &["-uu", "PM_RESUME"],
        &["-L", "PM_RESUME"],
        &["-E", "none", "PM_RESUME"],
        &["-E", "latin1", "Straße"],
        &["-P", "PM_RES(?=UME)"],
        &["--engine", "auto", "foo(?!x)"],
        &["--sort", "path", "foo"],
        &["--sortr", "modified", "PM_RESUME"],
        &["-g", "*.txt", "foo"],
        &["-t", "rust", "-l", "unsafe"],
        &["--max-filesize", "100", "foo"],
        &["--passthru", "PM_RESUME"],
        &["-f", "/dev/null"],
        &["-e", "", "PM_RESUME"],
        &["--files"],
        &["-r", "X", "PM_RESUME"],
        &["PM_RESUME", "d0", "d1/", "./d2/../d3"],
        &["foo", "top.txt", "link.txt", "bom.txt"],
        &["-j1", "PM_RESUME"],
        &["-z", "PM_RESUME"],
    ];
    lines.iter().map(|l| l.to_vec()).collect()
}

fn differential(t: &Tree) {
    for args in command_lines() {
        t.same(&args);
    }
}

/// Counts from the --debug report: (files skipped, files searched as
/// their trigrams may match).
fn skipped_may_match(run: &Run) -> (u64, u64) {
    let n = report_numbers(run, "files skipped (unchanged");
    (n[0], n[1])
}

/// The numbers of the --debug line that holds `marker`, in order.
fn report_numbers(run: &Run, marker: &str) -> Vec<u64> {
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no '{marker}' report in: {}", run.stderr));
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// Counts from the --debug report of directory listings: (taken from
/// the index, read as changed, as racy, as not in the index).
fn listings(run: &Run) -> (u64, u64, u64, u64) {
    let n = report_numbers(run, "directory listings from the index");
    (n[0], n[1], n[2], n[3])
}

fn mutate(t: &Tree, rng: &mut Rng, files: &[String]) {
    let root = t.root();
    let mut pick = || files[rng.below(files.len())].clone();
    // Same-size edit in place, its mtime set back: only ctime tells.
    let path = root.join(pick());
    if let Ok(mut new) = std::fs::read(&path) {
        let text = b"PM_RESUME";
        if new.len() >= text.len() {
            new[..text.len()].copy_from_slice(text);
        }
        keeping_mtime(&path, || std::fs::write(&path, &new).unwrap());
    }
    // Append, truncate.
    let path = root.join(pick());
    if path.exists() {
        let mut old = std::fs::read(&path).unwrap();
        old.extend_from_slice(b"appended foo PM_RESUME\n");
        std::fs::write(&path, old).unwrap();
    }
    let path = root.join(pick());
    if let Ok(old) = std::fs::read(&path) {
        std::fs::write(&path, &old[..old.len() / 2]).unwrap();
    }
    // Replaced by a rename.
    let path = root.join(pick());
    if path.exists() {
        let tmp = root.join("tmp.new");
        std::fs::write(&tmp, "renamed over: PM_RESUME foo\n").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    // New files and directories; deleted and renamed ones.
    t.write("new.txt", "new PM_RESUME foo\n");
    t.write("newdir/deep/n.rs", "unsafe fn PM_RESUME\n");
    let path = root.join(pick());
    let _ = std::fs::remove_file(path);
    let path = root.join(pick());
    if path.exists() {
        std::fs::rename(&path, root.join("moved.txt")).unwrap();
    }
    let _ = std::fs::rename(root.join("d2"), root.join("d2moved"));
    let _ = std::fs::remove_dir_all(root.join("d3"));
    // Links and permissions.
    std::os::unix::fs::symlink("new.txt", root.join("link2.txt")).unwrap();
    let _ = std::fs::remove_file(root.join("link.txt"));
    std::os::unix::fs::symlink("bom.txt", root.join("link.txt")).unwrap();
    let path = root.join(pick());
    if path.exists() {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    }
    // Directory listings: a rename within a directory, a file replaced by
    // a directory of its name and a directory by a file, a new empty
    // directory, and an entry added to a directory whose mtime is then
    // set back (only its ctime tells).
    let path = root.join(pick());
    if path.exists() {
        std::fs::rename(&path, path.with_extension("renamed")).unwrap();
    }
    let path = root.join(pick());
    if path.is_file() {
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside.txt"), "PM_RESUME foo inside\n").unwrap();
    }
    if root.join("d0/sub").is_dir() {
        std::fs::remove_dir_all(root.join("d0/sub")).unwrap();
        std::fs::write(root.join("d0/sub"), "was a directory: foo PM_RESUME\n").unwrap();
    }
    std::fs::create_dir(root.join("emptydir")).unwrap();
    sneak(
        &root.join("quiet"),
        "sneaked.txt",
        "foo PM_RESUME sneaked\n",
    );
    // Ignore rules: *.log files come back, d1 goes.
    t.write(".gitignore", "ignored/\nd1/\n");
    // The binary file gets a match after its NUL.
    t.write("bin.dat", b"bar\0binary PM_RESUME\n");
}

/// Adds a file to `dir` and sets the directory's mtime back: only its
/// ctime says it changed.
fn sneak(dir: &Path, name: &str, content: &str) {
    keeping_mtime(dir, || std::fs::write(dir.join(name), content).unwrap());
}

#[test]
fn index_output_is_that_of_no_index_after_random_mutations() {
    for seed in [1u64, 7, 42] {
        let t = Tree::new();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let files = random_tree(&t, &mut rng);
        t.settle();
        let built = t.build();
        assert!(built.stdout.starts_with("indexed "), "{}", built.stdout);
        // The index is used, and skips files, in the unchanged tree.
        let run = t.same(&["--debug", "-n", "PM_RESUME"]);
        let (skipped, may_match) = skipped_may_match(&run);
        assert!(skipped > 10 && may_match > 0, "{}", run.stderr);
        let (listed, changed, racy, unknown) = listings(&run);
        assert!(listed > 5, "{}", run.stderr);
        assert_eq!((changed, racy, unknown), (0, 0, 0), "{}", run.stderr);
        differential(&t);
        mutate(&t, &mut rng, &files);
        differential(&t);
        // Refreshed into a delta: only what changed is read again, and
        // still exact.
        let refreshed = t.build_delta();
        assert!(
            refreshed.stdout.contains(" unchanged)"),
            "{}",
            refreshed.stdout
        );
        differential(&t);
        // Changes to files the delta holds and to others, searched with
        // it, then refreshed into the next delta.
        mutate_again(&t, &mut rng, &files);
        differential(&t);
        t.build_delta();
        differential(&t);
    }
}

/// Changes after a refresh that wrote a delta: to files the delta holds
/// (`mutate`'s new and edited ones) and to others.
fn mutate_again(t: &Tree, rng: &mut Rng, files: &[String]) {
    let root = t.root();
    // Same size, its mtime set back, right after the refresh.
    let path = root.join("new.txt");
    let mut text = std::fs::read(&path).unwrap();
    text[..3].copy_from_slice(b"NEW");
    keeping_mtime(&path, || std::fs::write(&path, &text).unwrap());
    t.write("newdir/deep/n.rs", "no longer\n");
    t.write("newdir/deep/m.rs", "unsafe fn PM_RESUME again\n");
    let _ = std::fs::remove_file(root.join("moved.txt"));
    for _ in 0..3 {
        let path = root.join(&files[rng.below(files.len())]);
        if path.is_file() {
            let mut old = std::fs::read(&path).unwrap();
            old.extend_from_slice(b"again foo PM_RESUME\n");
            std::fs::write(&path, old).unwrap();
        }
    }
    // Lines added at the end of the .gitignore (the stored verdicts stand,
    // those lines asked): d1 comes back, *.rs files go but one.
    t.write(".gitignore", "ignored/\nd1/\n!d1/\n*.rs\n!m.rs\n");
}

#[test]
fn a_build_removes_what_a_killed_build_of_its_root_left() {
    let t = Tree::new();
    t.index(&[("a.txt", "PM_RESUME\n")]);
    let index = t.index_file();
    let stem = index.file_stem().unwrap().to_str().unwrap();
    let dir = index.parent().unwrap();
    // What a build killed before its rename leaves, and another root's.
    let stale = dir.join(format!(".tmp-{stem}-killed"));
    let other = dir.join(".tmp-0123456789abcdef-running");
    std::fs::write(&stale, "partial").unwrap();
    std::fs::write(&other, "partial").unwrap();
    t.write("b.txt", "PM_RESUME too\n");
    t.build();
    assert!(!stale.exists(), "the killed build's file is still there");
    assert!(other.exists(), "another root's build file was removed");
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-") && !n.contains("0123456789abcdef"))
        .collect();
    assert_eq!(names, Vec::<String>::new());
}

#[test]
fn a_same_size_edit_right_after_the_build_is_found() {
    let t = Tree::new();
    t.write("a.txt", "hello world\n");
    t.write("b.txt", "other text\n");
    t.build();
    // Same size, same second as the build, mtime set back.
    let path = t.root().join("a.txt");
    keeping_mtime(&path, || std::fs::write(&path, "hello PM_RX\n").unwrap());
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(run.stdout, "a.txt:hello PM_RX\n");
    assert!(
        run.stderr
            .contains("2 modified too close to the build (racy)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_same_size_edit_with_its_mtime_set_back_is_found_by_its_ctime() {
    let t = Tree::new();
    t.index(&[("a.txt", "hello world\n"), ("b.txt", "other text\n")]);
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(skipped_may_match(&run), (2, 0));
    let path = t.root().join("a.txt");
    keeping_mtime(&path, || std::fs::write(&path, "hello PM_RX\n").unwrap());
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(run.stdout, "a.txt:hello PM_RX\n");
    assert!(run.stderr.contains("1 changed"), "{}", run.stderr);
}

/// The index sections' (offset, length), from the header, in the order
/// META FILES PATHS POSTINGS DICT DIRS ENTRIES NAMES CHECKS.
fn sections(bytes: &[u8]) -> Vec<(usize, usize)> {
    (0..9)
        .map(|n| {
            let at = 16 + n * 24;
            let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
            (word(at) as usize, word(at + 8) as usize)
        })
        .collect()
}

/// An indexed random tree, its index file, the index's bytes and their
/// sections (`sections`).
fn indexed_random_tree(seed: u64) -> (Tree, PathBuf, Vec<u8>, Vec<(usize, usize)>) {
    let t = Tree::new();
    random_tree(&t, &mut Rng(seed));
    t.settle();
    t.build();
    let file = t.index_file();
    let good = std::fs::read(&file).unwrap();
    let secs = sections(&good);
    (t, file, good, secs)
}

#[test]
fn a_bad_index_is_reported_once_and_ignored() {
    let (t, file, good, secs) = indexed_random_tree(99);
    let mut bad: Vec<(String, Vec<u8>, &str)> = vec![
        ("empty".into(), Vec::new(), "truncated"),
        ("truncated header".into(), good[..40].to_vec(), "truncated"),
        (
            "truncated".into(),
            good[..good.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "not an index".into(),
            b"hello world".repeat(20),
            "not a trawl index",
        ),
    ];
    let mut version = good.clone();
    version[8] = 99;
    bad.push(("foreign version".into(), version, "version 99"));
    let names = [
        "META", "FILES", "PATHS", "", "DICT", "DIRS", "ENTRIES", "NAMES", "CHECKS",
    ];
    for (n, what) in names.iter().enumerate() {
        if what.is_empty() {
            continue;
        }
        let (off, len) = secs[n];
        let mut flipped = good.clone();
        flipped[off + len / 2] ^= 0x20;
        bad.push((
            format!("flipped byte in {what}"),
            flipped,
            "checksum mismatch",
        ));
    }
    let mut header = good.clone();
    header[20] ^= 1;
    bad.push((
        "flipped byte in the header".into(),
        header,
        "header checksum mismatch",
    ));
    for (what, bytes, reason) in bad {
        std::fs::write(&file, &bytes).unwrap();
        for args in [
            &["-n", "PM_RESUME"][..],
            &["-c", "foo"],
            &["nomatchanywhere"],
            &["--files"],
        ] {
            let with = t.run(args);
            let without = t.run(&[&["--no-index"], args].concat());
            assert_eq!(with.stdout, without.stdout, "{what}: {args:?}");
            assert_eq!(with.code, without.code, "{what}: {args:?}");
            let reports: Vec<&str> = with
                .stderr
                .lines()
                .filter(|l| l.contains("ignoring the index"))
                .collect();
            // A search that skips no file reads only the listings.
            let unread = ["FILES", "PATHS", "DICT"].iter().any(|s| what.ends_with(s));
            if unread && args == ["--files"] {
                assert_eq!(reports.len(), 0, "{what}: {}", with.stderr);
                continue;
            }
            assert_eq!(reports.len(), 1, "{what}: {}", with.stderr);
            assert!(reports[0].contains(reason), "{what}: {}", reports[0]);
            // It says how to replace it.
            assert!(
                reports[0].contains(" (`trawl --build-index /")
                    && reports[0].ends_with("` rebuilds it)"),
                "{what}: {}",
                reports[0]
            );
        }
    }
    // Flipped bytes in the posting lists: a list the query reads is
    // checked; whatever is hit, the output is the same.
    let (off, len) = secs[3];
    for k in 0..16 {
        let mut flipped = good.clone();
        flipped[off + k * len / 16] ^= 0x01;
        std::fs::write(&file, &flipped).unwrap();
        for args in [&["-n", "PM_RESUME"][..], &["-c", "foo"]] {
            let with = t.same_output(args);
            assert!(with.stderr.lines().count() <= 1, "{}", with.stderr);
        }
    }
    // A new build replaces a bad index.
    std::fs::write(&file, b"garbage").unwrap();
    t.rebuild();
    let run = t.run(&["--debug", "PM_RESUME"]);
    assert!(!run.stderr.contains("ignoring the index"), "{}", run.stderr);
}

/// `bytes` with section `n`'s checksum, its block checksums (CHECKS,
/// which covers all sections but META and POSTINGS, in 16 KiB blocks) and the
/// header's made right again: an index as a bug in trawl could write it.
fn with_good_checksums(mut bytes: Vec<u8>, n: usize) -> Vec<u8> {
    let secs = sections(&bytes);
    let mut checks = Vec::new();
    for blocked in [1, 2, 5, 6, 7, 4] {
        let (off, len) = secs[blocked];
        for block in bytes[off..off + len].chunks(16 << 10) {
            checks.extend_from_slice(&crc32fast::hash(block).to_le_bytes());
        }
    }
    let (off, len) = secs[8];
    assert_eq!(checks.len(), len);
    bytes[off..off + len].copy_from_slice(&checks);
    for n in [n, 8] {
        let (off, len) = secs[n];
        let crc = crc32fast::hash(&bytes[off..off + len]);
        let at = 16 + n * 24 + 16;
        bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    }
    let header_len = 16 + 9 * 24;
    let crc = crc32fast::hash(&bytes[..header_len]);
    bytes[header_len..header_len + 4].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// FILES, PATHS and DICT are checked a 16 KiB block at a time, when a
/// search first reads from a block: a bad block that a search reads is
/// reported once and the index vouches for no more files; a search that
/// reads only good blocks uses the index and says nothing.
#[test]
fn a_bad_block_is_found_when_a_search_reads_it() {
    let t = Tree::new();
    // 26 directories of 80 files: FILES holds 2080 records of 56 bytes,
    // eight blocks.
    for d in b'a'..=b'z' {
        let d = d as char;
        for n in 0..80 {
            let text = match n % 20 {
                3 => format!("PM_RESUME {d}{n}\n"),
                _ => format!("nothing {d}{n}\n"),
            };
            t.write(&format!("{d}/f{n:02}.txt"), &text);
        }
    }
    t.settle();
    t.build();
    let file = t.index_file();
    let good = std::fs::read(&file).unwrap();
    let secs = sections(&good);
    let (off, len) = secs[1];
    assert!(len > 7 * (16 << 10), "{len}");
    // A byte in the block of z/'s records.
    let mut bad = good.clone();
    bad[off + len - 100] ^= 0x10;
    std::fs::write(&file, &bad).unwrap();
    for args in [&["-n", "PM_RESUME"][..], &["-c", "PM_RESUME", "a", "b"]] {
        let with = t.run(&[&["--debug"], args].concat());
        let without = t.run(&[&["--no-index"], args].concat());
        assert_eq!((&with.stdout, with.code), (&without.stdout, without.code));
        let reports = with.stderr.matches("ignoring the index").count();
        let whole = args.len() == 2;
        assert_eq!(reports, usize::from(whole), "{args:?}: {}", with.stderr);
        if whole {
            assert!(
                with.stderr
                    .contains("): section checksum mismatch (`trawl --build-index "),
                "{}",
                with.stderr
            );
        } else {
            // a/ and b/ come first: only good blocks were read, and the
            // index skipped the files that cannot match.
            assert!(
                with.stderr.contains("index: 152 files skipped"),
                "{}",
                with.stderr
            );
        }
    }
    // A refresh checks every block, and builds the index again.
    t.rebuild();
    let run = t.run(&["-n", "PM_RESUME"]);
    assert_eq!(run.stderr, "");
    // The listings are checked a block at a time too: a bad block of
    // ENTRIES holding z/'s entries is met by a search of the whole tree
    // (even one that skips no file, `--files`), not by one of a/ and b/.
    let good = std::fs::read(&file).unwrap();
    let (off, len) = sections(&good)[6];
    assert!(len > 2 * (16 << 10), "{len}");
    let mut bad = good.clone();
    bad[off + len - 20] ^= 0x01;
    std::fs::write(&file, &bad).unwrap();
    for args in [
        &["--files"][..],
        &["--files", "a", "b"],
        &["-c", "PM_RESUME"],
    ] {
        let with = t.same_output(args);
        let reports = with.stderr.matches("ignoring the index").count();
        assert_eq!(
            reports,
            usize::from(args.len() != 3),
            "{args:?}: {}",
            with.stderr
        );
    }
    let run = t.run(&["--debug", "--files", "a", "b"]);
    assert!(
        run.stderr
            .contains("index: 2 directory listings from the index"),
        "{}",
        run.stderr
    );
    std::fs::write(&file, &good).unwrap();
    // A bad block checksum: a search finds CHECKS bad when it opens the
    // index; a refresh, which reads no block checksum to search, checks
    // them against the sections too, and builds the index again.
    let good = std::fs::read(&file).unwrap();
    let (off, len) = sections(&good)[8];
    let mut bad = good.clone();
    bad[off + len - 1] ^= 0x01;
    std::fs::write(&file, &bad).unwrap();
    let run = t.run(&["-n", "PM_RESUME"]);
    assert!(run.stderr.contains("checksum mismatch"), "{}", run.stderr);
    t.rebuild();
    let run = t.run(&["-n", "PM_RESUME"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn an_index_bad_under_good_checksums_costs_only_what_is_bad() {
    let (t, file, good, secs) = indexed_random_tree(7);
    let same_as_without = |what: &str| {
        for args in [&["-n", "PM_RESUME"][..], &["--files"], &["-c", "foo"]] {
            let with = t.run(args);
            let without = t.run(&[&["--no-index"], args].concat());
            assert_eq!(with.stdout, without.stdout, "{what}: {args:?}");
            assert_eq!(with.code, without.code, "{what}: {args:?}");
            assert!(
                !with.stderr.contains("ignoring the index"),
                "{}",
                with.stderr
            );
        }
    };
    // Two files out of order: a search misses them in the index (a
    // bisection cannot find them), so reads them; nothing is said.
    let mut swapped = good.clone();
    let (files, _) = secs[1];
    let (a, b) = (files, files + 56);
    let first = swapped[a..a + 56].to_vec();
    swapped.copy_within(b..b + 56, a);
    swapped[b..b + 56].copy_from_slice(&first);
    std::fs::write(&file, with_good_checksums(swapped, 1)).unwrap();
    same_as_without("files out of order");
    let run = t.run(&["-n", "PM_RESUME"]);
    assert_eq!(run.stderr, "");
    // A listing with an entry of no known kind: that directory is read
    // from the disk, with one warning naming it; the rest of the index
    // is used.
    let mut kind = good.clone();
    kind[secs[6].0 + 14] = 9;
    std::fs::write(&file, with_good_checksums(kind, 6)).unwrap();
    same_as_without("a bad listing");
    let run = t.run(&["--debug", "--files"]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("bad listing"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("a bad listing of ./"),
        "{}",
        warnings[0]
    );
    // Counted with the listings the index does not hold.
    assert!(
        run.stderr
            .contains(", 1 not in the index, 0 unreadable now"),
        "{}",
        run.stderr
    );
    // A refresh checks the whole index, and builds it again.
    t.rebuild();
    same_as_without("rebuilt");
}

#[test]
fn an_index_of_another_root_is_ignored() {
    let t = Tree::new();
    t.write("a.txt", "foo\n");
    let other = t.f.mkdir("other");
    std::fs::write(other.join("b.txt"), "foo PM_RESUME\n").unwrap();
    t.settle();
    t.build();
    let tree_index = t.index_file();
    let run = Run::from(t.cmd(&["--build-index", "../other"]).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let other_index = std::fs::read_dir(t.cache().join("trawl"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx") && *p != tree_index)
        .unwrap();
    std::fs::copy(&other_index, &tree_index).unwrap();
    let run = t.run(&["foo"]);
    assert_eq!(run.stdout, "a.txt:foo\n");
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr.matches("ignoring the index").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("built for another root"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_index_and_its_directory_are_private_and_checked() {
    let t = Tree::new();
    t.index(&[("a.txt", "foo PM_RESUME\n"), ("b.txt", "bar\n")]);
    let dir = t.cache().join("trawl");
    let file = t.index_file();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&file), 0o600);
    let expect = "a.txt:foo PM_RESUME\n";
    // Writable by others: ignored, with a warning.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = t.run(&["PM_RESUME"]);
    assert_eq!((run.stdout.as_str(), run.code), (expect, 0));
    assert!(
        run.stderr.contains("writable by group or others"),
        "{}",
        run.stderr
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = t.run(&["PM_RESUME"]);
    assert_eq!((run.stdout.as_str(), run.code), (expect, 0));
    assert!(
        run.stderr.contains("writable by group or others"),
        "{}",
        run.stderr
    );
    // A rebuild would refuse such a directory: no hint to run one.
    assert!(!run.stderr.contains("rebuilds it"), "{}", run.stderr);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root can give it away: then it is not the user's.
        std::os::unix::fs::chown(&file, Some(1), None).unwrap();
        let run = t.run(&["PM_RESUME"]);
        assert_eq!((run.stdout.as_str(), run.code), (expect, 0));
        assert!(run.stderr.contains("not owned by you"), "{}", run.stderr);
    }
}

#[test]
fn build_index_on_an_unwritable_cache_fails_with_exit_2() {
    let t = Tree::new();
    t.write("a.txt", "foo\n");
    let blocker = t.f.path().join("blocker");
    std::fs::write(&blocker, "a file, not a directory").unwrap();
    let run = Run::from(
        t.cmd(&["--build-index"])
            .env("XDG_CACHE_HOME", &blocker)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("trawl: cannot create the index directory ")
            && run.stderr.contains("blocker/trawl"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn build_index_of_a_missing_tree_is_an_error() {
    let t = Tree::new();
    let run = t.run(&["--build-index", "gone"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("trawl: gone: "), "{}", run.stderr);
}

/// The index's sections but META, which holds the build's time.
fn index_content(t: &Tree) -> Vec<Vec<u8>> {
    index_content_of(&std::fs::read(t.index_file()).unwrap())
}

fn index_content_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    sections(bytes)[1..]
        .iter()
        .map(|&(off, len)| bytes[off..off + len].to_vec())
        .collect()
}

#[test]
fn the_same_tree_gives_the_same_index_for_any_thread_count() {
    let t = Tree::new();
    let mut rng = Rng(5);
    random_tree(&t, &mut rng);
    t.settle();
    let content = index_content;
    assert_eq!(t.run(&["--build-index", "-j1"]).code, 0);
    let one = content(&t);
    std::fs::remove_file(t.index_file()).unwrap();
    assert_eq!(t.run(&["--build-index", "-j4"]).code, 0);
    assert_eq!(one, content(&t));
    // Read ahead by no more than one file at a time: the same.
    std::fs::remove_file(t.index_file()).unwrap();
    let built = t
        .cmd(&["--build-index", "-j4"])
        .env("TRAWL_TEST_WINDOW_BYTES", "1")
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0));
    assert_eq!(one, content(&t));
    // A refresh that reads nothing again gives the same index too.
    let run = t.run(&["--build-index", "-j3"]);
    assert!(run.stdout.contains("(0 read,"), "{}", run.stdout);
    assert_eq!(one, content(&t));
}

#[test]
fn a_refresh_gives_the_bytes_of_a_fresh_build() {
    for seed in [3u64, 8, 13] {
        let t = Tree::new();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let files = random_tree(&t, &mut rng);
        // More files, so that lists hold long runs the refresh copies.
        for n in 0..300 {
            t.write(&format!("many/m{n:03}.txt"), random_text(&mut rng));
        }
        t.settle();
        t.build();
        // Edits, additions and removals: file numbers move.
        mutate(&t, &mut rng, &files);
        for n in (0..300).step_by(37) {
            t.write(&format!("many/m{n:03}.txt"), random_text(&mut rng));
        }
        std::fs::remove_file(t.root().join("many/m100.txt")).unwrap();
        t.write("many/m100a.txt", "added PM_RESUME\n");
        // A refresh that writes a delta, and then, after more edits, one
        // that merges that delta's files and the new ones into a whole
        // index (the carried files' trigrams come from the delta).
        t.build_delta();
        assert_eq!(t.deltas().len(), 1);
        for n in (5..300).step_by(41) {
            t.write(&format!("many/m{n:03}.txt"), random_text(&mut rng));
        }
        std::fs::remove_file(t.root().join("many/m101.txt")).unwrap();
        let refreshed = t.build_whole(&["-j2"]);
        // Merged with the old index (no rebuild from scratch).
        assert_eq!(refreshed.stderr, "");
        assert!(!refreshed.stdout.contains("delta"), "{}", refreshed.stdout);
        assert_eq!(t.deltas(), Vec::<PathBuf>::new());
        assert!(
            !refreshed.stdout.contains(", 0 unchanged)"),
            "{}",
            refreshed.stdout
        );
        let spliced = index_content(&t);
        std::fs::remove_file(t.index_file()).unwrap();
        t.build();
        assert!(
            spliced == index_content(&t),
            "seed {seed}: the refreshed index differs from a fresh build"
        );
    }
}

#[test]
fn a_small_refresh_writes_a_delta_beside_the_index_and_searches_stay_exact() {
    let t = Tree::new();
    let mut rng = Rng(21);
    let files = random_tree(&t, &mut rng);
    t.settle();
    t.build();
    let base = std::fs::read(t.index_file()).unwrap();
    // Changes refreshed into a delta: the index itself is not written.
    for rel in files.iter().take(3) {
        t.write(rel, format!("{}PM_RESUME one\n", random_text(&mut rng)));
    }
    t.write("d0/added.txt", "added PM_RESUME\n");
    t.settle();
    t.build_delta();
    assert!(std::fs::read(t.index_file()).unwrap() == base);
    let deltas = t.deltas();
    assert_eq!(deltas.len(), 1);
    let mode = std::fs::metadata(&deltas[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let run = t.same(&["--debug", "-n", "PM_RESUME"]);
    assert!(run.stderr.contains(".delta holds "), "{}", run.stderr);
    let (skipped, may_match) = skipped_may_match(&run);
    assert!(skipped > 5 && may_match > 3, "{}", run.stderr);
    assert_eq!(listings(&run).1, 0, "{}", run.stderr);
    differential(&t);
    // More changes: the delta's unchanged files are carried into the
    // next one, with those read again.
    for rel in files.iter().skip(3).take(3) {
        t.write(rel, format!("{}PM_RESUME two\n", random_text(&mut rng)));
    }
    t.write(&files[0], "changed again PM_RESUME\n");
    t.write("d0/added2.txt", "added PM_RESUME\n");
    let _ = std::fs::remove_file(t.root().join("d0/added.txt"));
    t.settle();
    t.build_delta();
    assert_eq!(t.deltas(), deltas);
    let run = t.same(&["--debug", "-n", "PM_RESUME"]);
    assert_eq!(report_numbers(&run, "files skipped (unchanged")[3], 0);
    differential(&t);
    // Nothing changed: the delta stands as it is.
    let before = std::fs::read(&deltas[0]).unwrap();
    let run = t.build();
    assert!(run.stdout.contains("index unchanged"), "{}", run.stdout);
    assert!(std::fs::read(&deltas[0]).unwrap() == before);
    // A bad delta is reported once and ignored: the search reads its
    // files, and a refresh reads them again.
    let mut bad = before.clone();
    bad[20] ^= 1;
    std::fs::write(&deltas[0], &bad).unwrap();
    for args in [&["-n", "PM_RESUME"][..], &["-c", "foo"], &["--files"]] {
        let with = t.same_output(args);
        assert_eq!(with.stderr.lines().count(), 1, "{}", with.stderr);
        assert!(
            with.stderr.contains("ignoring the delta") && with.stderr.contains(".delta"),
            "{}",
            with.stderr
        );
    }
    let run = t.build_delta();
    assert!(run.stderr.contains("ignoring the delta"), "{}", run.stderr);
    differential(&t);
    // A bad block of the delta's file table, met by a search when it
    // looks a file up: reported as the delta's.
    let delta_file = t.deltas()[0].clone();
    let delta = std::fs::read(&delta_file).unwrap();
    let (off, len) = sections(&delta)[1];
    let mut bad = delta.clone();
    bad[off + len / 2] ^= 0x10;
    std::fs::write(&delta_file, &bad).unwrap();
    let with = t.run(&["-n", "PM_RESUME"]);
    let without = t.run(&["--no-index", "-n", "PM_RESUME"]);
    assert_eq!((&with.stdout, with.code), (&without.stdout, without.code));
    assert_eq!(with.stderr.lines().count(), 1, "{}", with.stderr);
    assert!(
        with.stderr.contains("ignoring the delta of the index of ")
            && with.stderr.contains(".delta): section checksum mismatch"),
        "{}",
        with.stderr
    );
    // The same for its listings (DIRS, NAMES): d0/added2.txt is only in
    // the delta's listing of d0, which the index's must not stand for.
    for section in [5, 7] {
        let (off, len) = sections(&delta)[section];
        let mut bad = delta.clone();
        bad[off + len / 2] ^= 0x10;
        std::fs::write(&delta_file, &bad).unwrap();
        for args in [&["--files"][..], &["-n", "PM_RESUME"]] {
            let with = t.same_output(args);
            assert!(with.stdout.contains("d0/added2.txt"), "{}", with.stdout);
            assert_eq!(with.stderr.lines().count(), 1, "{}", with.stderr);
            assert!(
                with.stderr.contains("ignoring the delta of the index of ")
                    && with.stderr.contains(".delta): section checksum mismatch"),
                "{section}: {}",
                with.stderr
            );
        }
    }
    std::fs::write(&delta_file, &delta).unwrap();
    // A refresh that writes a whole index removes the delta.
    t.write(&files[1], "whole PM_RESUME\n");
    t.settle();
    let run = t.build_whole(&[]);
    assert!(!run.stdout.contains("delta"), "{}", run.stdout);
    assert_eq!(t.deltas(), Vec::<PathBuf>::new());
    differential(&t);
}

#[test]
fn searches_during_refreshes_read_a_whole_index_and_delta() {
    let t = Tree::new();
    let mut rng = Rng(77);
    let files = random_tree(&t, &mut rng);
    t.settle();
    t.build();
    let args = ["-n", "PM_RESUME"];
    let expected = t.run(&[&["--no-index"][..], &args].concat());
    let done = std::sync::atomic::AtomicBool::new(false);
    let searches = std::thread::scope(|scope| {
        scope.spawn(|| {
            // Files replaced by copies of themselves (output unchanged):
            // each refresh reads them again and writes a new delta, and
            // every third writes a whole index and removes the delta.
            for round in 0..9 {
                for rel in files.iter().skip(round).step_by(5) {
                    let path = t.root().join(rel);
                    if let Ok(text) = std::fs::read(&path) {
                        // Beside the tree: a search would list it.
                        let tmp = t.f.path().join("copy.tmp");
                        std::fs::write(&tmp, text).unwrap();
                        std::fs::rename(&tmp, &path).unwrap();
                    }
                }
                let delta_files = if round % 3 == 2 { "0" } else { "1000" };
                let out = t
                    .cmd(&["--build-index"])
                    .env("TRAWL_TEST_DELTA_FILES", delta_files)
                    .output()
                    .unwrap();
                assert_eq!(Run::from(out).code, 0);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut searches = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let run = t.run(&args);
            assert_eq!((&run.stdout, run.code), (&expected.stdout, expected.code));
            assert_eq!(run.stderr, "");
            searches += 1;
        }
        searches
    });
    assert!(searches > 3, "{searches} searches");
}

#[test]
fn a_delta_vouches_for_listings_the_index_holds_as_racy() {
    let t = Tree::new();
    t.write("old/a.txt", "x\n");
    t.settle();
    // Built at once: "new" and the root are too recent to vouch for.
    t.write("new/b.txt", "PM_RESUME\n");
    t.build();
    t.settle();
    let run = t.same(&["--debug", "-n", "PM_RESUME"]);
    assert!(listings(&run).2 > 0, "{}", run.stderr);
    t.build_delta();
    let run = t.same(&["--debug", "-n", "PM_RESUME"]);
    assert_eq!(listings(&run), (3, 0, 0, 0), "{}", run.stderr);
    // A corrupt delta is reported by the next refresh and replaced.
    let delta = t.deltas().pop().unwrap();
    std::fs::write(&delta, b"garbage").unwrap();
    t.settle();
    let run = t.build();
    assert!(run.stderr.contains("ignoring the delta"), "{}", run.stderr);
    t.settle();
    let run = t.build();
    assert_eq!(run.stderr, "");
    let run = t.same(&["-n", "PM_RESUME"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_search_inside_an_indexed_tree_uses_its_index() {
    let t = Tree::new();
    t.index(&[
        ("sub/a.txt", "foo PM_RESUME\n"),
        ("sub/b.txt", "bar\n"),
        ("c.txt", "bar\n"),
    ]);
    let run = Run::from(
        t.cmd(&["--debug", "PM_RESUME"])
            .current_dir(t.root().join("sub"))
            .output()
            .unwrap(),
    );
    assert_eq!(run.stdout, "a.txt:foo PM_RESUME\n");
    assert_eq!(skipped_may_match(&run), (1, 1));
    let run = t.run(&["--debug", "PM_RESUME", "sub/b.txt", "c.txt"]);
    assert_eq!(run.code, 1);
    assert_eq!(skipped_may_match(&run), (2, 0));
}

/// Directories for `every_change_to_a_directory_is_seen`, one per
/// mutation, settled and indexed: 13 directories with the root.
fn listing_tree() -> Tree {
    let t = Tree::new();
    let dirs = [
        "add",
        "remove",
        "rename",
        "across",
        "to",
        "rmdir/sub",
        "mvdir/sub",
        "replace",
        "link",
        "quiet",
    ];
    let paths: Vec<[String; 2]> = dirs
        .iter()
        .map(|d| [format!("{d}/a.txt"), format!("{d}/b.txt")])
        .collect();
    let files: Vec<(&str, &str)> = paths
        .iter()
        .flat_map(|[a, b]| [(a.as_str(), "foo PM_RESUME\n"), (b.as_str(), "bar\n")])
        .collect();
    t.index(&files);
    t
}

/// Command lines whose output depends on every listing.
const LISTING_LINES: &[&[&str]] = &[
    &["--files"],
    &["-n", "PM_RESUME"],
    &["-l", "foo"],
    &["-L", "--files"],
    &["-c", "bar"],
    &["-v", "-c", "zzz"],
];

#[test]
fn unchanged_directories_are_listed_from_the_index() {
    let t = listing_tree();
    for args in LISTING_LINES {
        t.same(args);
    }
    let run = t.same(&["--debug", "--files"]);
    assert_eq!(listings(&run), (13, 0, 0, 0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("every file searched (directory listings still used): --files"),
        "{}",
        run.stderr
    );
    // A path inside the tree, and one named twice.
    let run = t.same(&["--debug", "-n", "PM_RESUME", "add", "./mvdir/"]);
    assert_eq!(listings(&run), (3, 0, 0, 0), "{}", run.stderr);
    // A refresh of the unchanged tree reads no directory either.
    let run = t.build();
    assert!(
        run.stdout.contains(" 13 directories (13 unchanged),")
            && run.stdout.contains("index unchanged"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_change_to_a_directory_is_seen() {
    let t = listing_tree();
    let root = t.root();
    let write = |rel: &str| std::fs::write(root.join(rel), "foo PM_RESUME new\n").unwrap();
    type Mutation<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let mutations: Vec<Mutation> = vec![
        ("a file added", Box::new(|| write("add/new.txt"))),
        (
            "a file removed",
            Box::new(|| std::fs::remove_file(root.join("remove/a.txt")).unwrap()),
        ),
        (
            "a file renamed within its directory",
            Box::new(|| {
                std::fs::rename(root.join("rename/a.txt"), root.join("rename/c.txt")).unwrap()
            }),
        ),
        (
            "a file moved to another directory",
            Box::new(|| std::fs::rename(root.join("across/a.txt"), root.join("to/c.txt")).unwrap()),
        ),
        (
            "a directory added",
            Box::new(|| {
                std::fs::create_dir(root.join("newdir")).unwrap();
                write("newdir/x.txt");
            }),
        ),
        (
            "a directory removed",
            Box::new(|| std::fs::remove_dir_all(root.join("rmdir/sub")).unwrap()),
        ),
        (
            "a directory renamed",
            Box::new(|| std::fs::rename(root.join("mvdir/sub"), root.join("mvdir/sub2")).unwrap()),
        ),
        (
            "a file replaced by a directory of its name",
            Box::new(|| {
                std::fs::remove_file(root.join("replace/a.txt")).unwrap();
                std::fs::create_dir(root.join("replace/a.txt")).unwrap();
                write("replace/a.txt/in.txt");
            }),
        ),
        (
            "a symlink added",
            Box::new(|| std::os::unix::fs::symlink("../add", root.join("link/l")).unwrap()),
        ),
        (
            "a file added behind an mtime set back",
            Box::new(|| sneak(&root.join("quiet"), "sneaked.txt", "foo PM_RESUME\n")),
        ),
    ];
    let mut changed = 0;
    for (what, mutation) in mutations {
        mutation();
        eprintln!("after: {what}");
        for args in LISTING_LINES {
            t.same(args);
        }
        // The changed directory was read, not taken from the index.
        let run = t.same(&["--debug", "--files"]);
        let now = listings(&run).1;
        assert!(now > changed, "{what}: {}", run.stderr);
        changed = now;
    }
}

#[test]
fn a_directory_changed_within_the_racy_window_is_read() {
    let t = listing_tree();
    // Changed just before the refresh: its stat cannot vouch for its
    // listing (a second change within the timestamp granularity could
    // leave the stat as it is).
    t.write("add/new.txt", "foo PM_RESUME new\n");
    t.build();
    let run = t.same(&["--debug", "--files"]);
    assert_eq!(listings(&run), (12, 0, 1, 0), "{}", run.stderr);
    t.write("add/new2.txt", "foo PM_RESUME new\n");
    for args in LISTING_LINES {
        t.same(args);
    }
    // The window is the index's: with a longer one now, every listing
    // is racy (the tests' 2 s is shorter than any real one).
    let mut t = t;
    t.racy_ms = Some("3600000");
    let run = t.same(&["--debug", "--files"]);
    assert_eq!(listings(&run), (0, 0, 13, 0), "{}", run.stderr);
}

#[test]
fn a_refresh_after_edits_in_place_is_exact() {
    let t = Tree::new();
    let mut rng = Rng(11);
    let files = random_tree(&t, &mut rng);
    t.settle();
    t.build();
    // Same paths, new contents: the refresh keeps every file number and
    // copies the lists that name no edited file.
    for rel in files.iter().take(6) {
        let text = format!(
            "{}PM_RESUME kelvin {}\n",
            random_text(&mut rng),
            rng.below(100)
        );
        let tmp = t.root().join("edit.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, t.root().join(rel)).unwrap();
    }
    t.settle();
    let run = t.build();
    // (*.log files are ignored, so not indexed.)
    assert!(
        !run.stdout.contains("(0 read,") && !run.stdout.contains(" 0 unchanged"),
        "{}",
        run.stdout
    );
    let run = t.same(&["--debug", "PM_RESUME"]);
    assert!(skipped_may_match(&run).0 > 0, "{}", run.stderr);
    differential(&t);
}

/// Reads the file's first page through a shared mapping, writing `bytes`
/// at `at`: the first write to a clean page updates mtime and ctime, a
/// write to a page already dirty does not (until writeback).
fn mmap_write(path: &Path, at: usize, bytes: &[u8]) -> MappedFile {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let len = file.metadata().unwrap().len() as usize;
    // SAFETY: a shared mapping of an open file of `len` bytes.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    assert_ne!(ptr, libc::MAP_FAILED);
    let map = MappedFile { ptr, len };
    map.write(at, bytes);
    map
}

struct MappedFile {
    ptr: *mut libc::c_void,
    len: usize,
}

impl MappedFile {
    fn write(&self, at: usize, bytes: &[u8]) {
        assert!(at + bytes.len() <= self.len);
        // SAFETY: in bounds of the live mapping.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                (self.ptr as *mut u8).add(at),
                bytes.len(),
            )
        };
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // SAFETY: the mapping made in mmap_write.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

#[test]
fn a_write_through_mmap_to_a_dirty_page_is_found() {
    // The real window (writeback delay + 1 s, ~36 s), not the tests' 2 s.
    let mut t = Tree::new();
    t.racy_ms = None;
    t.write("a.txt", "hello world, nothing to see here\n");
    let path = t.root().join("a.txt");
    // Dirties the page: mtime and ctime change now, and not again below.
    let map = mmap_write(&path, 0, b"H");
    t.settle();
    t.build();
    map.write(6, b"PM_RX");
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(run.stdout, "a.txt:Hello PM_RX, nothing to see here\n");
    drop(map);
}

#[test]
fn files_on_an_untrusted_file_system_are_always_searched() {
    // tmpfs never updates timestamps for a write through mmap.
    let shm = Path::new("/dev/shm");
    let tmpfs = std::ffi::CString::new("/dev/shm").unwrap();
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: a NUL-terminated path and a buffer of the right type.
    if unsafe { libc::statfs(tmpfs.as_ptr(), st.as_mut_ptr()) } != 0
        // SAFETY: statfs succeeded.
        || unsafe { st.assume_init() }.f_type as u32 != 0x0102_1994
    {
        eprintln!("skipped: /dev/shm is not a tmpfs");
        return;
    }
    let t = Tree::with(Fixture::new_in(shm));
    t.index(&[("a.txt", "hello world\n"), ("b.txt", "nothing\n")]);
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("index: 0 files skipped")
            && run.stderr.contains(
                "2 with a byte order mark, too many trigrams to index, changed while indexed or \
                 on a file system not trusted"
            ),
        "{}",
        run.stderr
    );
}

/// A tree of user 1000's with `secret.txt` and `secretdir/` readable
/// through group 4242 only, settled; None (the test skipped) unless run
/// as root with setpriv, which the tests need to change group membership.
fn group_tree() -> Option<Tree> {
    use std::os::unix::fs::chown;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to change group membership");
        return None;
    }
    let t = Tree::new();
    t.write("a.txt", "hello PM_RX\n");
    t.write("secret.txt", "nothing to see\n");
    // The tree is the user's; secret.txt is readable through group 4242 only.
    for path in [t.f.path().to_path_buf(), t.root(), t.root().join("a.txt")] {
        chown(&path, Some(1000), Some(1000)).unwrap();
    }
    let secret = t.root().join("secret.txt");
    chown(&secret, Some(0), Some(4242)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
    // So is secretdir's listing (its file is anyone's).
    t.write("secretdir/s.txt", "PM_RX in a secret directory\n");
    let secretdir = t.root().join("secretdir");
    chown(&secretdir, Some(0), Some(4242)).unwrap();
    std::fs::set_permissions(&secretdir, std::fs::Permissions::from_mode(0o750)).unwrap();
    t.settle();
    Some(t)
}

/// `t.run(args)` as user 1000 with setpriv's `groups` option.
fn as_user(t: &Tree, groups: &str, args: &[&str]) -> Run {
    let inner = t.cmd(args);
    let mut cmd = Command::new("/usr/bin/setpriv");
    cmd.args(["--reuid=1000", "--regid=1000", groups])
        .arg(inner.get_program())
        .args(inner.get_args())
        .current_dir(inner.get_current_dir().unwrap())
        .stdin(std::process::Stdio::null());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    Run::from(cmd.output().unwrap())
}

#[test]
fn a_file_unreadable_after_leaving_its_group_is_reported() {
    let Some(t) = group_tree() else {
        return;
    };
    let built = as_user(&t, "--groups=4242", &["--build-index"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    // Left the group: secret.txt's metadata is unchanged, but unreadable.
    let with = as_user(&t, "--clear-groups", &["PM_RX"]);
    let without = as_user(&t, "--clear-groups", &["--no-index", "PM_RX"]);
    assert_eq!(with.stdout, "a.txt:hello PM_RX\n");
    assert!(
        with.stderr.contains("secret.txt: Permission denied")
            && with.stderr.contains("secretdir: Permission denied"),
        "{}",
        with.stderr
    );
    let debug = as_user(&t, "--clear-groups", &["--debug", "PM_RX"]);
    let line = debug
        .stderr
        .lines()
        .find(|l| l.contains("directory listings"));
    assert!(
        line.is_some_and(|l| l.ends_with(" 1 unreadable now")),
        "{}",
        debug.stderr
    );
    // The credentials differ from the build's: each file and listing
    // the index would vouch for was checked: secret.txt, the root and
    // secretdir (a.txt's trigrams may match: it is searched anyway).
    assert!(
        debug.stderr.contains("was built with other credentials"),
        "{}",
        debug.stderr
    );
    assert_eq!(
        report_numbers(&debug, "access checks"),
        [3],
        "{}",
        debug.stderr
    );
    assert_eq!(
        (with.stdout, with.stderr, with.code),
        (without.stdout, without.stderr, without.code)
    );
    assert_eq!(with.code, 2);
}

#[test]
fn a_refresh_with_other_credentials_keeps_only_what_they_can_read() {
    let Some(t) = group_tree() else {
        return;
    };
    let built = as_user(&t, "--groups=4242", &["--build-index"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    // Left the group, then refreshed: nothing changed, but secret.txt
    // (read by the build in the group) is unreadable to the refresh.
    // (secretdir's listing is an error, as in a search.)
    let refreshed = as_user(&t, "--clear-groups", &["--build-index"]);
    assert!(
        refreshed.stdout.contains(": 1 files (0 read, 1 unchanged)"),
        "{}\n{}",
        refreshed.stdout,
        refreshed.stderr
    );
    // The search has the refresh's credentials: no access check, and
    // the index does not vouch for secret.txt.
    let debug = as_user(&t, "--clear-groups", &["--debug", "PM_RX"]);
    assert_eq!(
        report_numbers(&debug, "access checks"),
        [0],
        "{}",
        debug.stderr
    );
    let with = as_user(&t, "--clear-groups", &["PM_RX"]);
    let without = as_user(&t, "--clear-groups", &["--no-index", "PM_RX"]);
    assert!(
        with.stderr.contains("secret.txt: Permission denied")
            && with.stderr.contains("secretdir: Permission denied"),
        "{}",
        with.stderr
    );
    assert_eq!(
        (with.stdout, with.stderr, with.code),
        (without.stdout, without.stderr, without.code)
    );
    // Back in the group, a refresh reads secret.txt again and vouches
    // for it: the search checks nothing and skips it.
    let refreshed = as_user(&t, "--groups=4242", &["--build-index"]);
    assert!(
        refreshed.stdout.contains(": 3 files (2 read, 1 unchanged)"),
        "{}\n{}",
        refreshed.stdout,
        refreshed.stderr
    );
    let debug = as_user(&t, "--groups=4242", &["--debug", "PM_RX"]);
    assert_eq!(
        report_numbers(&debug, "access checks"),
        [0],
        "{}",
        debug.stderr
    );
    assert_eq!(skipped_may_match(&debug), (1, 2), "{}", debug.stderr);
}

#[test]
fn other_credentials_than_the_build_s_check_each_file() {
    let t = Tree::new();
    t.index(&[
        ("a.txt", "hello PM_RX\n"),
        ("b.txt", "nothing\n"),
        ("sub/c.txt", "nothing either\n"),
    ]);
    // The build's credentials: nothing to check.
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(report_numbers(&run, "access checks"), [0], "{}", run.stderr);
    assert_eq!(skipped_may_match(&run), (2, 1), "{}", run.stderr);
    assert!(!run.stderr.contains("other credentials"), "{}", run.stderr);
    // Others (TRAWL_TEST_CREDS adds to the search's): b.txt, sub/c.txt
    // and the two listings are checked, and still skipped and used.
    let run = Run::from(
        t.cmd(&["--debug", "PM_RX"])
            .env("TRAWL_TEST_CREDS", "other")
            .output()
            .unwrap(),
    );
    assert_eq!(run.stdout, "a.txt:hello PM_RX\n");
    assert!(
        run.stderr
            .contains("was built with other credentials: readability checked per file"),
        "{}",
        run.stderr
    );
    assert_eq!(report_numbers(&run, "access checks"), [4], "{}", run.stderr);
    assert_eq!(skipped_may_match(&run), (2, 1), "{}", run.stderr);
    assert_eq!(listings(&run), (2, 0, 0, 0), "{}", run.stderr);
    // An index built with others: the same.
    let built = Run::from(
        t.cmd(&["--build-index"])
            .env("TRAWL_TEST_CREDS", "other")
            .output()
            .unwrap(),
    );
    assert_eq!(built.code, 0, "{}", built.stderr);
    let run = t.same(&["--debug", "PM_RX"]);
    assert_eq!(report_numbers(&run, "access checks"), [4], "{}", run.stderr);
    assert_eq!(skipped_may_match(&run), (2, 1), "{}", run.stderr);
}

/// A tree whose index holds several MiB of posting lists (more than one
/// batch of a refresh's splice and more than the writer's buffer).
fn large_tree(t: &Tree, rng: &mut Rng) {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 \n";
    for n in 0..60 {
        let text: Vec<u8> = (0..50_000).map(|_| *rng.pick(CHARS)).collect();
        t.write(&format!("big/f{n:02}.txt"), text);
    }
    t.write("big/needle.txt", "PM_RESUME here\n");
}

#[test]
fn a_refresh_that_cannot_write_keeps_the_old_index_and_a_large_one_is_a_fresh_build() {
    let t = Tree::new();
    let mut rng = Rng(0x5EED_1234_5678_9ABD);
    large_tree(&t, &mut rng);
    t.settle();
    t.build();
    let old = std::fs::read(t.index_file()).unwrap();
    assert!(old.len() > 2 << 20, "index of {} bytes", old.len());
    // Edits, an addition and a removal: file numbers move.
    for n in [3, 30, 59] {
        t.write(
            &format!("big/f{n:02}.txt"),
            format!("edited {n} PM_RESUME\n"),
        );
    }
    t.write("big/f10a.txt", "added\n");
    std::fs::remove_file(t.root().join("big/f20.txt")).unwrap();
    // --build-index under a file size limit of `kb` KiB (EFBIG, with
    // SIGXFSZ ignored, as a full disk would fail a write).
    let limited = |kb: usize, delta_files: &str| -> Run {
        let trawl = t.cmd(&[]);
        let mut limited = Command::new("bash");
        limited
            .args([
                "-c",
                "trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"",
                "bash",
            ])
            .arg(kb.to_string())
            .arg(trawl.get_program())
            .arg("--build-index")
            .current_dir(t.root());
        for (key, value) in trawl.get_envs() {
            match value {
                Some(value) => limited.env(key, value),
                None => limited.env_remove(key),
            };
        }
        limited.env("TRAWL_TEST_DELTA_FILES", delta_files);
        Run::from(limited.output().unwrap())
    };
    // A delta (new random text: tens of thousands of trigrams) that
    // cannot be written: an error, exit 2, no delta, the index used.
    t.write(
        "big/f05.txt",
        (0..50_000)
            .map(|_| *rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789 \n") as char)
            .collect::<String>(),
    );
    let run = limited(64, "1000");
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(std::fs::read(t.index_file()).unwrap() == old);
    assert_eq!(t.deltas(), Vec::<PathBuf>::new());
    t.same(&["-n", "PM_RESUME"]);
    t.same(&["-c", "abc"]);
    // The file size limit stops the new index's write halfway through
    // its posting lists: an error, exit 2, and the old index untouched
    // and used.
    let run = limited(old.len() / 2 / 1024, "0");
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(".idx"), "{}", run.stderr);
    assert!(std::fs::read(t.index_file()).unwrap() == old);
    t.same(&["-n", "PM_RESUME"]);
    t.same(&["-c", "abc"]);
    // Without the limit, the refresh (several batches) writes the bytes
    // of a fresh build.
    let refreshed = t.build_whole(&["-j2"]);
    assert!(
        !refreshed.stdout.contains(", 0 unchanged)"),
        "{}",
        refreshed.stdout
    );
    let spliced = std::fs::read(t.index_file()).unwrap();
    std::fs::remove_file(t.index_file()).unwrap();
    t.build();
    let fresh = std::fs::read(t.index_file()).unwrap();
    assert!(
        index_content_of(&spliced) == index_content_of(&fresh),
        "the refreshed index differs from a fresh build"
    );
    t.same(&["-n", "PM_RESUME"]);
}

#[test]
fn an_ignore_file_and_the_same_file_as_global_excludes_give_their_own_verdicts() {
    // Not a repository: the global excludes file does not apply here,
    // an --ignore-file does.
    let t = Tree::new();
    let config = t.f.mkdir("xdg");
    std::fs::create_dir_all(config.join("git")).unwrap();
    let rules = config.join("git/ignore");
    std::fs::write(&rules, "*.log\n").unwrap();
    t.write("a.log", "x\n");
    t.write("b.txt", "x\n");
    t.settle();
    let run = |args: &[&str], xdg: &Path| {
        Run::from(t.cmd(args).env("XDG_CONFIG_HOME", xdg).output().unwrap())
    };
    let no_config = t.f.path().join("no-config");
    let ignore_file = ["--build-index", "--ignore-file", rules.to_str().unwrap()];
    assert_eq!(run(&ignore_file, &no_config).code, 0);
    assert_eq!(
        run(
            &["--files", "--ignore-file", rules.to_str().unwrap()],
            &no_config
        )
        .stdout,
        "b.txt\n"
    );
    let with = run(&["--files"], &config);
    let without = run(&["--files", "--no-index"], &config);
    assert_eq!(without.stdout, "a.log\nb.txt\n");
    assert_eq!(with.stdout, without.stdout);
}

/// The --debug count of listings whose ignore verdicts came from the index.
fn verdict_listings(run: &Run) -> u64 {
    report_numbers(run, "listings checked against the ignore files")[0]
}

#[test]
fn stored_ignore_verdicts_are_used_only_for_the_same_ignore_files_and_options() {
    let t = Tree::new();
    t.f.git_init("tree");
    t.index(&[
        (".gitignore", "*.log\n!keep.log\n"),
        ("a.log", "x\n"),
        ("keep.log", "x\n"),
        ("a.txt", "x\n"),
        (".hidden.txt", "x\n"),
        ("sub/.ignore", "*.tmp\n"),
        ("sub/b.tmp", "x\n"),
        ("sub/b.txt", "x\n"),
        ("sub/deep/c.log", "x\n"),
        ("sub/deep/c.tmp", "x\n"),
        ("sub/deep/c.txt", "x\n"),
    ]);
    // Every command line below gives what --no-index gives, --debug's
    // reasons for skipping included.
    let same = |args: &[&str]| -> Run {
        let run = t.same(&[&["--debug"], args].concat());
        let without = t.run(&[&["--debug", "--no-index"], args].concat());
        let skips = |r: &Run| -> Vec<String> {
            let mut lines: Vec<String> = r
                .stderr
                .lines()
                .filter(|l| l.contains("skipping"))
                .map(str::to_string)
                .collect();
            lines.sort();
            lines
        };
        assert_eq!(skips(&run), skips(&without), "{args:?}");
        run
    };
    // Unchanged: the walk's three listings (., sub, sub/deep) take the
    // build's verdicts; the .git directory is ignored before its listing.
    let run = same(&["--files"]);
    assert_eq!(run.stdout, "a.txt\nkeep.log\nsub/b.txt\nsub/deep/c.txt\n");
    assert_eq!(verdict_listings(&run), 3, "{}", run.stderr);
    same(&["-n", "x"]);
    // Other options, other verdicts: none is used.
    for args in [
        &["--files", "--no-ignore-vcs"][..],
        &["--files", "--no-ignore-dot"],
        &["--files", "--no-ignore"],
        &["--files", "--ignore-file", ".gitignore"],
    ] {
        assert_eq!(verdict_listings(&same(args)), 0, "{args:?}");
    }
    // An --ignore-file's contents, and a global excludes file's, are in
    // the fingerprint: an index built with them uses its verdicts only
    // while they hold the same rules.
    let extra = t.f.path().join("extra-ignore");
    std::fs::write(&extra, "*.txt\n!a.txt\n").unwrap();
    let config = t.f.mkdir("xdg");
    std::fs::create_dir_all(config.join("git")).unwrap();
    let global = config.join("git/ignore");
    std::fs::write(&global, "a.txt\n").unwrap();
    let with_outer = |args: &[&str]| -> (Run, Run) {
        let run = |args: &[&str]| {
            let out = t
                .cmd(&[&["--debug", "--ignore-file", extra.to_str().unwrap()], args].concat())
                .env("XDG_CONFIG_HOME", &config)
                .output()
                .unwrap();
            Run::from(out)
        };
        (run(args), run(&[&["--no-index"], args].concat()))
    };
    let build = with_outer(&["--build-index"]).0;
    assert_eq!(build.code, 0, "{}", build.stderr);
    let (run, without) = with_outer(&["--files"]);
    assert_eq!(run.stdout, "keep.log\n");
    assert_eq!((&run.stdout, run.code), (&without.stdout, without.code));
    assert_eq!(verdict_listings(&run), 3, "{}", run.stderr);
    for (file, rules) in [(&global, "b.txt\n"), (&extra, "*.log\n")] {
        std::fs::write(file, rules).unwrap();
        let (run, without) = with_outer(&["--files"]);
        assert_eq!((&run.stdout, run.code), (&without.stdout, without.code));
        assert_eq!(verdict_listings(&run), 0, "{}", run.stderr);
    }
    assert_eq!(
        with_outer(&["--files"]).0.stdout,
        "a.txt\nkeep.log\nsub/deep/c.txt\n"
    );
    // Without them, the verdicts of a build without them.
    t.build();
    assert_eq!(verdict_listings(&same(&["--files"])), 3);
    // Globs, types and hidden-ness are the search's own: verdicts stand.
    for args in [
        &["--files", "-g", "*.log"][..],
        &["--files", "-g", "!*.txt"],
        &["--files", "-t", "txt"],
        &["--files", "--hidden"],
    ] {
        assert_eq!(verdict_listings(&same(args)), 3, "{args:?}");
    }
    // A search of a subdirectory stacks the ignore files otherwise.
    same(&["--files", "sub"]);
    same(&["--files", "./sub/deep"]);
    // sub/.ignore changed in place, same size, mtime set back (the
    // directory's listing still comes from the index): only the root's
    // verdicts stand.
    let ignore = t.root().join("sub/.ignore");
    keeping_mtime(&ignore, || std::fs::write(&ignore, "*.txt\n").unwrap());
    let run = same(&["--files"]);
    assert_eq!(run.stdout, "a.txt\nkeep.log\nsub/b.tmp\nsub/deep/c.tmp\n");
    assert_eq!(verdict_listings(&run), 1, "{}", run.stderr);
    // The root's .gitignore, likewise: no verdict stands.
    let gitignore = t.root().join(".gitignore");
    keeping_mtime(&gitignore, || {
        std::fs::write(&gitignore, "*.txt\n!keep.txt\n").unwrap()
    });
    let run = same(&["--files"]);
    assert_eq!(verdict_listings(&run), 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "a.log\nkeep.log\nsub/b.tmp\nsub/deep/c.log\nsub/deep/c.tmp\n"
    );
}

/// The --debug count of listings whose stored verdicts were made before
/// lines were added at the end of an ignore file.
fn appended_listings(run: &Run) -> u64 {
    report_numbers(run, "listings checked against the ignore files")[1]
}

#[test]
fn lines_added_at_the_end_of_an_ignore_file_keep_the_stored_verdicts() {
    let t = Tree::new();
    t.f.git_init("tree");
    t.f.git_init("tree/nested");
    t.write(".git/info/exclude", "excluded.txt\n");
    t.index(&[
        (".gitignore", "*.log\n!keep.log\n"),
        (".ignore", "*.tmp\n"),
        (".rgignore", "r1.txt\n"),
        (".trawlignore", "t1.txt\n"),
        ("a.log", "x\n"),
        ("keep.log", "x\n"),
        ("a.txt", "x\n"),
        ("b.dat", "x\n"),
        ("excluded.txt", "x\n"),
        ("r1.txt", "x\n"),
        ("r2.txt", "x\n"),
        ("t1.txt", "x\n"),
        ("t2.txt", "x\n"),
        ("x.tmp", "x\n"),
        ("y.tmp", "x\n"),
        ("sub/.gitignore", "*.bak\n"),
        ("sub/a.bak", "x\n"),
        ("sub/a.txt", "x\n"),
        ("sub/c.log", "x\n"),
        ("sub/keep.log", "x\n"),
        ("sub/deep/d.txt", "x\n"),
        ("sub/deep/d.log", "x\n"),
        ("sub/deep/d.bak", "x\n"),
        ("empty/.gitignore", ""),
        ("empty/e.txt", "x\n"),
        ("empty/e.dat", "x\n"),
        ("empty/below/e.dat", "x\n"),
        ("noeol/.gitignore", "*.x"),
        ("noeol/n.x", "x\n"),
        ("noeol/n.y", "x\n"),
        ("nested/n.txt", "x\n"),
        ("nested/n.log", "x\n"),
        ("nested/inner/i.log", "x\n"),
    ]);
    let check = |what: &str, used: bool| {
        for args in [
            &["--files"][..],
            &["--files", "--hidden"],
            &["-c", "x"],
            &["--files", "-g", "*.log"],
            &["--files", "--no-ignore-dot"],
            &["--files", "nested"],
            &["--files", "sub"],
        ] {
            t.same(args);
        }
        let run = t.run(&["--debug", "--files"]);
        assert_eq!(appended_listings(&run) > 0, used, "{what}: {}", run.stderr);
    };
    check("as built", false);
    // (file, lines added, whether the verdicts made before them stand)
    let cases = [
        (".gitignore", "*.txt\n", true),
        (".gitignore", "!a.log\n", true),
        (".gitignore", "sub/\n", true),
        (".gitignore", "!sub/c.log\n/b.dat\n", true),
        // sub/.gitignore comes first for what is below it.
        (".gitignore", "!*.bak\n", true),
        ("sub/.gitignore", "!*.log\n", true),
        // The nested repository's files are beyond the root's .gitignore.
        (".gitignore", "n.log\ninner/\n", true),
        (".ignore", "!x.tmp\n*.dat\n", true),
        (".trawlignore", "t2.txt\n", true),
        // Not the last file of its matcher: .trawlignore's lines follow.
        (".rgignore", "r2.txt\n!t1.txt\n", false),
        (".git/info/exclude", "a.txt\n", true),
        ("empty/.gitignore", "*.dat\n", true),
        // Its last line had no newline: it changed.
        ("noeol/.gitignore", "\n*.y\n", false),
    ];
    for (n, (file, added, used)) in cases.into_iter().enumerate() {
        let path = t.root().join(file);
        let before = std::fs::read(&path).unwrap();
        let after = [&before[..], added.as_bytes()].concat();
        // In place (its directory's listing stays the index's), or
        // renamed over it (the listing is read again).
        match n % 2 {
            0 => std::fs::write(&path, &after).unwrap(),
            _ => {
                let tmp = t.f.path().join("tmp-ignore");
                std::fs::write(&tmp, &after).unwrap();
                std::fs::rename(&tmp, &path).unwrap();
            }
        }
        check(&format!("{file} += {added:?}"), used);
        std::fs::write(&path, &before).unwrap();
    }
    // Lines added to two files: below both (sub and sub/deep), no
    // verdict stands; elsewhere those made before the root's lines do.
    let root_ignore = t.root().join(".gitignore");
    let sub_ignore = t.root().join("sub/.gitignore");
    t.settle();
    t.build();
    std::fs::write(&root_ignore, "*.log\n!keep.log\n*.dat\n").unwrap();
    let one = appended_listings(&t.same(&["--debug", "--files"]));
    std::fs::write(&sub_ignore, "*.bak\n!c.log\n").unwrap();
    let run = t.same(&["--debug", "--files"]);
    assert_eq!(appended_listings(&run), one - 2, "{}", run.stderr);
    assert!(run.stdout.contains("sub/c.log\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("b.dat"), "{}", run.stdout);
    std::fs::write(&sub_ignore, "*.bak\n").unwrap();
    std::fs::write(&root_ignore, "*.txt\n!keep.log\n").unwrap();
    check("a line changed", false);

    // A root with a .rgignore and no .trawlignore: the .rgignore's lines
    // are its matcher's last.
    let t = Tree::new();
    t.index(&[
        (".rgignore", "a.txt\n"),
        ("a.txt", "x\n"),
        ("b.txt", "x\n"),
        ("sub/c.txt", "x\n"),
        ("sub/b.txt", "x\n"),
    ]);
    let path = t.root().join(".rgignore");
    std::fs::write(&path, "a.txt\nb.txt\n").unwrap();
    let run = t.same(&["--debug", "--files"]);
    assert_eq!(run.stdout, "sub/c.txt\n");
    assert_eq!(appended_listings(&run), 2, "{}", run.stderr);
}

#[test]
fn a_file_with_too_many_trigrams_is_always_searched() {
    // 1.5 MB of random bytes: more distinct trigrams (about 1.4 million)
    // than an index keeps for one file. The match is near the end, past
    // where the build stops reading it.
    let t = Tree::new();
    let mut rng = Rng(11);
    let mut noise: Vec<u8> = (0..1_500_000).map(|_| rng.next() as u8).collect();
    noise.extend_from_slice(b"\nPM_RESUME at the end\n");
    t.write("noise.bin", &noise);
    t.write("a.txt", "nothing here\n");
    t.settle();
    let built = t.build();
    assert!(built.stdout.contains("2 files (2 read"), "{}", built.stdout);
    // Only a.txt's trigrams are stored.
    let size = std::fs::metadata(t.index_file()).unwrap().len();
    assert!(size < 10_000, "index of {size} bytes");
    let run = t.same(&["--debug", "-a", "-c", "PM_RESUME"]);
    assert_eq!(run.stdout, "noise.bin:1\n");
    assert!(
        run.stderr.contains("index: 1 files skipped")
            && run
                .stderr
                .contains("1 with a byte order mark, too many trigrams to index"),
        "{}",
        run.stderr
    );
    // Unchanged, a refresh does not read it again.
    let run = t.build();
    assert!(
        run.stdout.contains("(0 read, 2 unchanged)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_trigram_is_asked_for_with_the_byte_after_it() {
    // apart.txt holds every trigram of PM_RESUME but "PM_" is never
    // followed by an R: the index leaves it unread. The others hold the
    // match at the start, at the end with no newline (in lower case),
    // and across the build's 256 KiB reads.
    let t = Tree::new();
    t.write("apart.txt", "PM_X, M_R and _RESUME\n");
    t.write("start.txt", "PM_RESUME\n");
    t.write("end.txt", "x pm_resume");
    let mut straddle = "a".repeat(256 * 1024 - 5);
    straddle.push_str("PM_RESUME\n");
    t.write("straddle.txt", &straddle);
    t.settle();
    t.build();
    // Files skipped and searched by `-c PM_RESUME`, then by `-i`.
    let check = |counts: [(usize, usize); 2]| {
        let queries = [&["-c", "PM_RESUME"][..], &["-i", "-c", "pm_resume"]];
        for (args, (skipped, searched)) in queries.iter().zip(counts) {
            let run = t.same(&[&["--debug"], *args].concat());
            let counts = format!(
                "index: {skipped} files skipped (unchanged, and no trigram match); \
                 searched: {searched} whose trigrams may match"
            );
            assert!(run.stderr.contains(&counts), "{args:?}: {}", run.stderr);
        }
        t.same(&["-i", "-c", "pm_resume"]).stdout
    };
    assert_eq!(
        check([(2, 2), (1, 3)]),
        "end.txt:1\nstart.txt:1\nstraddle.txt:1\n"
    );
    // A file read by a refresh (a delta), one carried into the next
    // delta, and both spliced into a whole index keep their masks.
    t.write("new.txt", "PM_RESUM VOLUME\n");
    t.write("start.txt", "PM_RESUME\nPM_RESUME\n");
    t.settle();
    t.build_delta();
    assert_eq!(
        check([(3, 2), (1, 4)]),
        "end.txt:1\nstart.txt:2\nstraddle.txt:1\n"
    );
    t.write("end.txt", "x pm_resume\nPM_RESUME");
    t.settle();
    t.build_delta();
    assert_eq!(
        check([(2, 3), (1, 4)]),
        "end.txt:2\nstart.txt:2\nstraddle.txt:1\n"
    );
    t.write("apart.txt", "PM_X, M_R and _RESUME, PM_resume\n");
    t.settle();
    t.build_whole(&[]);
    assert_eq!(
        check([(2, 3), (0, 5)]),
        "apart.txt:1\nend.txt:2\nstart.txt:2\nstraddle.txt:1\n"
    );
}
