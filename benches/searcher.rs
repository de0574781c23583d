//! Criterion micro-benchmarks: the buffer searcher (default engine, PCRE2
//! line by line, and -U over the whole buffer), line counting and the
//! standard printer, on generated in-memory text (no I/O, no threads).
//! Run with `cargo bench`; whole-program comparisons with ripgrep live in
//! `benches/compare`.

use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trawl::printer::standard::StandardSink;
use trawl::printer::{ChunkWriter, PrintOptions};
use trawl::search::{
    BinaryMode, CaseMode, EngineChoice, Matcher, MatcherOptions, SearchOptions, Searcher,
};
use trawl::sink::{SearchSummary, Sink, SinkLine};

/// About 4 MiB of source-like text with a match every ~200 lines.
fn haystack() -> Vec<u8> {
    let mut text = Vec::new();
    let words = [
        "static", "int", "return", "struct", "device", "pm_ops", "error", "value",
    ];
    let mut n: u64 = 7;
    while text.len() < 4 << 20 {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let line_words = 3 + (n >> 60) as usize;
        for i in 0..line_words {
            text.extend_from_slice(words[((n >> (i * 3)) & 7) as usize].as_bytes());
            text.push(b' ');
        }
        if n.is_multiple_of(200) {
            text.extend_from_slice(b"PM_RESUME");
        }
        text.push(b'\n');
    }
    text
}

fn matcher(pattern: &str, case: CaseMode) -> Matcher {
    let opts = MatcherOptions {
        case,
        ..MatcherOptions::default()
    };
    Matcher::new(&[pattern.to_string()], &opts).unwrap()
}

/// PCRE2 (`-P`), or -U with either engine.
fn engine_matcher(pattern: &str, engine: EngineChoice, multiline: bool) -> Matcher {
    let opts = MatcherOptions {
        engine,
        multiline,
        ..MatcherOptions::default()
    };
    Matcher::new(&[pattern.to_string()], &opts).unwrap()
}

fn options(line_numbers: bool) -> SearchOptions {
    SearchOptions {
        line_numbers,
        ..SearchOptions::default()
    }
}

struct CountSink(u64);

impl Sink for CountSink {
    fn matched(&mut self, _: &SinkLine) -> bool {
        self.0 += 1;
        true
    }
    fn context(&mut self, _: &SinkLine) -> bool {
        true
    }
    fn context_break(&mut self) -> bool {
        true
    }
    fn binary_matched(&mut self, _: &SinkLine, _: u64) -> bool {
        true
    }
    fn finish(&mut self, _: &SearchSummary) {}
}

/// Times one search of `text` into a sink that only counts lines.
fn count_matching_lines(
    b: &mut criterion::Bencher,
    m: &Matcher,
    opts: &SearchOptions,
    text: &[u8],
    quit: &AtomicBool,
) {
    let mut searcher = Searcher::new(opts, quit);
    b.iter(|| {
        let mut sink = CountSink(0);
        searcher
            .search_reader(m, &mut &text[..], BinaryMode::Quit, &mut sink)
            .unwrap();
        sink.0
    })
}

fn searcher(c: &mut Criterion) {
    let text = haystack();
    let quit = AtomicBool::new(false);
    let mut group = c.benchmark_group("searcher");
    group.throughput(Throughput::Bytes(text.len() as u64));
    for (name, pattern, case) in [
        ("literal", "PM_RESUME", CaseMode::Sensitive),
        ("literal-i", "PM_RESUME", CaseMode::Insensitive),
        ("word-class", r"\w+_RESUME", CaseMode::Sensitive),
        ("no-match", "zzzzqqqq", CaseMode::Sensitive),
        ("every-line", "e", CaseMode::Sensitive),
    ] {
        let m = matcher(pattern, case);
        for line_numbers in [false, true] {
            let opts = options(line_numbers);
            let id = format!("{name}{}", if line_numbers { "/lines" } else { "" });
            group.bench_function(id, |b| count_matching_lines(b, &m, &opts, &text, &quit));
        }
    }
    for (name, pattern, engine, multiline) in [
        ("pcre2-literal", "PM_RESUME", EngineChoice::Pcre2, false),
        (
            "pcre2-look-behind",
            r"(?<=\w )PM_RESUME",
            EngineChoice::Pcre2,
            false,
        ),
        ("multiline", r"PM_RESUME\n\w+", EngineChoice::Default, true),
        (
            "multiline-pcre2",
            r"PM_RESUME\n\w+",
            EngineChoice::Pcre2,
            true,
        ),
    ] {
        let m = engine_matcher(pattern, engine, multiline);
        let opts = options(true);
        group.bench_function(format!("{name}/lines"), |b| {
            count_matching_lines(b, &m, &opts, &text, &quit)
        });
    }
    group.finish();
}

fn printer(c: &mut Criterion) {
    let text = haystack();
    let quit = AtomicBool::new(false);
    let m = matcher("e", CaseMode::Sensitive);
    let opts = options(true);
    let print = PrintOptions {
        with_filename: true,
        line_number: true,
        ..PrintOptions::default()
    };
    let mut group = c.benchmark_group("printer");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("standard-every-line", |b| {
        let mut searcher = Searcher::new(&opts, &quit);
        b.iter(|| {
            let mut printed = 0;
            let mut send = |chunk: Vec<u8>, _more: bool| {
                printed += chunk.len();
                Some(Vec::new())
            };
            let mut sink = StandardSink::new(
                ChunkWriter::new(&mut send),
                b"dir/file.c",
                &print,
                &m,
                false,
            );
            searcher
                .search_reader(&m, &mut &text[..], BinaryMode::Quit, &mut sink)
                .unwrap();
            drop(sink);
            printed
        })
    });
    group.finish();
}

criterion_group!(benches, searcher, printer);
criterion_main!(benches);
