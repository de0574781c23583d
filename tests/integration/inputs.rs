//! Inputs other than plain files (issue 13): -z/--search-zip and --pre.
//! Expected outputs were taken from ripgrep 15.2.

use crate::util::{tool_available, Fixture};

/// "hello foo\nbar\n" in every format -z knows, as the command-line tools
/// wrote it (hex), so that the tests need none of them.
const COMPRESSED: &[(&str, &str)] = &[
    ("a.gz", "1f8b0808fcd6066b0003706c61696e2e74787400cb48cdc9c95748cbcfe74a4a2ce202005625e6550e000000"),
    ("a.bz2", "425a6839314159265359ef03d7cc000003d18000104000334490002000221a1a32100304c1b46b9e86fc5dc914e14243bc0f5f30"),
    ("a.xz", "fd377a585a000004e6d6b4460200210116000000742fe5a301000d68656c6c6f20666f6f0a6261720a000000de119f150092c4910001260e081be0041fb6f37d010000000004595a"),
    ("a.lzma", "5d00008000ffffffffffffffff00341949ee8de912e5b41490c3b9fdbcf7c75ffff4e10000"),
    ("a.lz4", "04224d186440a70e00008068656c6c6f20666f6f0a6261720a00000000899a5dec"),
    ("a.zst", "28b52ffd240e71000068656c6c6f20666f6f0a6261720ae5842730"),
    ("a.br", "8b068068656c6c6f20666f6f0a6261720a03"),
];

/// The same as `.Z` (LZW, 9-bit codes), decoded by `uncompress`.
const COMPRESS_Z: &str = "1f9d9068cab061f3068499376f148809234701";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn compressed_fixture() -> Fixture {
    let f = Fixture::new();
    for (name, bytes) in COMPRESSED {
        f.create(name, hex(bytes));
    }
    f.create("plain.txt", "hello foo\nbar\n");
    f
}

#[test]
fn search_zip_decompresses_every_format() {
    let f = compressed_fixture();
    // Aliases ripgrep also recognises.
    f.create("b.tgz", hex(COMPRESSED[0].1));
    f.create("b.zstd", hex(COMPRESSED[5].1));
    f.create("b.txz", hex(COMPRESSED[2].1));
    f.create("b.tbz2", hex(COMPRESSED[1].1));
    f.run_ordered(&["-z", "foo"]).expect(
        "a.br:hello foo\na.bz2:hello foo\na.gz:hello foo\na.lz4:hello foo\na.lzma:hello foo\n\
         a.xz:hello foo\na.zst:hello foo\nb.tbz2:hello foo\nb.tgz:hello foo\nb.txz:hello foo\n\
         b.zstd:hello foo\nplain.txt:hello foo\n",
        0,
    );
    f.run_ordered(&["-z", "-c", "-n", "bar", "a.gz", "a.zst"])
        .expect("a.gz:1\na.zst:1\n", 0);
    // Without -z the compressed bytes are searched (binary in a walk, or
    // not matching).
    f.run_ordered(&["^hello"])
        .expect("plain.txt:hello foo\n", 0);
    f.run_ordered(&["-z", "--no-search-zip", "^hello"])
        .expect("plain.txt:hello foo\n", 0);
    f.run_ordered(&["-z", "^hello"]).expect(
        "a.br:hello foo\na.bz2:hello foo\na.gz:hello foo\na.lz4:hello foo\na.lzma:hello foo\n\
         a.xz:hello foo\na.zst:hello foo\nb.tbz2:hello foo\nb.tgz:hello foo\nb.txz:hello foo\n\
         b.zstd:hello foo\nplain.txt:hello foo\n",
        0,
    );
}

#[test]
fn search_zip_reads_every_member_stream_and_frame() {
    let f = Fixture::new();
    for (name, bytes) in COMPRESSED {
        if *name != "a.lzma" && *name != "a.br" {
            f.create(&format!("two{}", &name[1..]), hex(&bytes.repeat(2)));
        }
    }
    f.run_ordered(&["-z", "-c", "foo"])
        .expect("two.bz2:2\ntwo.gz:2\ntwo.lz4:2\ntwo.xz:2\ntwo.zst:2\n", 0);
}

#[test]
fn search_zip_counts_decompressed_bytes_and_detects_binary_data() {
    let f = compressed_fixture();
    let run = f.run_ordered(&["-z", "--json", "bar", "a.bz2"]);
    assert!(
        run.stdout.contains("\"bytes_searched\":14,"),
        "{}",
        run.stdout
    );
    // "ab\0cd foo\n", gzipped: binary once decompressed.
    let binary = hex("1f8b08000000000000034b4c62484e5148cbcfe702009e20b6180a000000");
    f.create("bin.gz", &binary);
    f.create("walk/bin.gz", &binary);
    f.run_ordered(&["-z", "foo", "bin.gz"]).expect(
        "binary file matches (found \"\\0\" byte around offset 2)\n",
        0,
    );
    f.run_ordered(&["-z", "foo", "walk"]).expect("", 1);
}

#[test]
fn search_zip_reports_corrupt_files_and_searches_on() {
    let f = compressed_fixture();
    f.create("bad.gz", "this is not gzip data at all\n");
    f.create("empty.zst", "");
    // One thread: errors come from the workers, in any order otherwise.
    let run = f.run(&["-j1", "-z", "foo", "bad.gz", "a.xz", "empty.zst"]);
    run.expect("a.xz:hello foo\n", 2);
    assert_eq!(
        run.stderr,
        "trawl: bad.gz: gzip decompression failed: invalid gzip header\n\
         trawl: empty.zst: zstd decompression failed: unexpected end of file\n"
    );
}

#[test]
fn search_zip_runs_uncompress_for_dot_z_files() {
    if !tool_available("uncompress") {
        return;
    }
    let f = Fixture::new();
    f.create("a.Z", hex(COMPRESS_Z));
    f.create("bad.Z", "not compressed\n");
    let run = f.run_ordered(&["-z", "foo"]);
    run.expect("a.Z:hello foo\n", 2);
    // The program's own message, framed as ripgrep frames it.
    let rule = "-".repeat(79);
    assert!(
        run.stderr.starts_with(&format!("trawl: bad.Z: \n{rule}\n")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(&format!("\n{rule}\n")),
        "{}",
        run.stderr
    );
}

/// An executable shell script in the fixture.
fn script(f: &Fixture, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    f.create(name, format!("#!/bin/sh\n{body}"));
    let path = f.path().join(name);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn pre_fixture() -> Fixture {
    let f = Fixture::new();
    f.create("a.txt", "hello foo\n");
    f.create("b.md", "other foo\n");
    // Shows its argument, then upper-cases the file from its stdin.
    script(&f, "bin/up", "echo \"arg=$1\"\ntr a-z A-Z\n");
    script(
        &f,
        "bin/fail",
        "echo 'partial FOO'\necho \"boom on $1\" >&2\nexit 3\n",
    );
    script(&f, "bin/quiet", "exit 1\n");
    f.create(".ignore", "bin/\n");
    f
}

#[test]
fn pre_searches_the_commands_output_for_each_file() {
    let f = pre_fixture();
    f.run_ordered(&["--pre", "./bin/up", "FOO", "a.txt"])
        .expect("HELLO FOO\n", 0);
    // The path is the argument as printed (no ./ for the current dir).
    f.run_ordered(&["--pre", "./bin/up", "-i", "arg"])
        .expect("a.txt:arg=a.txt\nb.md:arg=b.md\n", 0);
    f.run_ordered(&["--pre", "./bin/up", "-i", "arg", "."])
        .expect("./a.txt:arg=./a.txt\n./b.md:arg=./b.md\n", 0);
    // --pre-glob picks the files; '!' excludes.
    f.run_ordered(&["--pre", "./bin/up", "--pre-glob", "*.md", "-i", "foo"])
        .expect("a.txt:hello foo\nb.md:OTHER FOO\n", 0);
    f.run_ordered(&["--pre", "./bin/up", "--pre-glob", "!*.md", "-i", "foo"])
        .expect("a.txt:HELLO FOO\nb.md:other foo\n", 0);
    // Turned off: --no-pre, an empty command, or a later -z.
    for off in [&["--no-pre"][..], &["--pre="], &["-z"]] {
        f.run_ordered(&[&["--pre", "./bin/up"], off, &["FOO", "a.txt"]].concat())
            .expect("", 1);
    }
    // A later --pre wins over -z.
    f.run_ordered(&["-z", "--pre", "./bin/up", "FOO", "a.txt"])
        .expect("HELLO FOO\n", 0);
}

#[test]
fn pre_is_not_run_on_stdin() {
    let f = pre_fixture();
    let out = f
        .cmd(&["--pre", "./bin/up", "FOO"])
        .stdin(std::fs::File::open(f.path().join("a.txt")).unwrap())
        .output()
        .unwrap();
    assert_eq!((out.stdout.len(), out.status.code()), (0, Some(1)));
}

#[test]
fn pre_failures_are_reported_per_file_as_ripgrep_does() {
    let f = pre_fixture();
    let rule = "-".repeat(79);
    let run = f.run_ordered(&["--pre", "./bin/fail", "FOO", "a.txt"]);
    run.expect("partial FOO\n", 2);
    assert_eq!(
        run.stderr,
        format!(
            "trawl: a.txt: preprocessor command failed: '\"./bin/fail\" \"a.txt\"': \n\
             {rule}\nboom on a.txt\n{rule}\n"
        )
    );
    let run = f.run(&["-j1", "--pre", "./bin/quiet", "FOO", "a.txt", "b.md"]);
    run.expect("", 2);
    assert_eq!(
        run.stderr,
        "trawl: a.txt: preprocessor command failed: '\"./bin/quiet\" \"a.txt\"': <stderr is empty>\n\
         trawl: b.md: preprocessor command failed: '\"./bin/quiet\" \"b.md\"': <stderr is empty>\n"
    );
    let run = f.run_ordered(&["--pre", "./bin/none", "FOO", "a.txt"]);
    run.expect("", 2);
    assert_eq!(
        run.stderr,
        "trawl: a.txt: preprocessor command could not start: '\"./bin/none\" \"a.txt\"': \
         No such file or directory (os error 2)\n"
    );
    // Stopping early (-l) closes the pipe: not a failure.
    script(&f, "bin/many", "yes foo | head -c 10000000\n");
    f.run_ordered(&["--pre", "./bin/many", "-l", "foo", "a.txt"])
        .expect("a.txt\n", 0);
}

#[test]
fn search_zip_prints_no_count_for_a_truncated_file() {
    let f = Fixture::new();
    // 3000 lines "Maintained line", gzip -9, without its last 6 bytes
    // (the end of the length trailer): every line decodes, then the
    // input ends too soon.
    let whole = hex(
        "1f8b08007413106b0203edc7b10900200c00c1de295c2843085a08c1cafd317b78c53f5c\
         8c7d6eb566cf7a0b66666666666666666666666666666666666666666666666666666666\
         666666666666666666666666666666666666666666666666666666666666666666666666\
         66666666666666666666666666666666666666666666666666666666feda0f68dc67c080\
         bb0000",
    );
    f.create("whole.gz", &whole);
    f.create("t.gz", &whole[..whole.len() - 6]);
    f.run(&["-z", "-c", "Maintained", "whole.gz"])
        .expect("3000\n", 0);
    // As rg -z -c: no count for the file, only the decoder's failure.
    let message = "trawl: t.gz: gzip decompression failed: unexpected end of file\n";
    for args in [
        &["-c"][..],
        &["--count-matches"],
        &["-c", "--include-zero", "nomatch"],
        &["--files-without-match", "nomatch"],
    ] {
        let mut args = args.to_vec();
        if args.len() == 1 {
            args.push("Maintained");
        }
        let run = f.run_ordered(&[&["-z"], &args[..], &["t.gz"]].concat());
        run.expect("", 2);
        assert_eq!(run.stderr, message, "{args:?}");
    }
    // Beside a good file, and in --stats: the truncated one counts for
    // nothing.
    let run = f.run(&["-z", "-c", "--stats", "Maintained", "t.gz", "whole.gz"]);
    assert!(
        run.stdout.starts_with("whole.gz:3000\n\n3000 matches\n3000 matched lines\n1 files contained matches\n1 files searched\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 2);
    // --json: the file's matches, but no `end` message.
    let json = f.run(&["-z", "--json", "-m1", "Maintained", "t.gz"]);
    assert!(
        json.stdout.contains("\"type\":\"end\""),
        "-m1 stops before the damage"
    );
    let json = f.run(&["-z", "--json", "Maintained", "t.gz"]);
    assert!(!json.stdout.contains("\"type\":\"end\""), "{}", json.stdout);
    assert_eq!(json.stdout.matches("\"type\":\"match\"").count(), 3000);
    // Every decoder's truncation is worded alike (lz4_flex takes a frame
    // cut at a block boundary for a whole one; brotli says "Invalid Data").
    for (name, bytes) in COMPRESSED {
        if name.ends_with(".lz4") || name.ends_with(".br") {
            continue;
        }
        let bytes = hex(bytes);
        let cut = format!("cut-{name}");
        f.create(&cut, &bytes[..bytes.len() - 6]);
        let run = f.run(&["-z", "-c", "foo", &cut]);
        run.expect("", 2);
        let format = name.rsplit('.').next().unwrap();
        let format = match format {
            "gz" => "gzip",
            "zst" => "zstd",
            "bz2" => "bzip2",
            other => other,
        };
        assert_eq!(
            run.stderr,
            format!("trawl: {cut}: {format} decompression failed: unexpected end of file\n")
        );
    }
}
