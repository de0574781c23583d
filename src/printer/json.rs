//! `--json`: JSON Lines in ripgrep's schema (begin, match, context, end per
//! file; the summary is written by the printer thread at the end).
//!
//! Messages are written by hand rather than through `json!` so that keys
//! keep ripgrep's order; strings go through serde_json for escaping.

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine;

use super::{record_line, ChunkWriter, PrintOptions};
use crate::search::Matcher;
use crate::sink::{SearchSummary, Sink, SinkLine};
use crate::stats::{FileStats, Totals};

pub struct JsonSink<'a> {
    out: ChunkWriter<'a>,
    /// The path as printed, computed once: every message repeats it.
    path: &'a [u8],
    opts: &'a PrintOptions,
    matcher: &'a Matcher,
    invert: bool,
    begun: bool,
    started: Instant,
    matched: bool,
    stats: FileStats,
}

impl<'a> JsonSink<'a> {
    pub fn new(
        out: ChunkWriter<'a>,
        path: &'a [u8],
        opts: &'a PrintOptions,
        matcher: &'a Matcher,
        invert: bool,
    ) -> JsonSink<'a> {
        JsonSink {
            out,
            // As in ripgrep: the path as it is, without --path-separator
            // (JSON escapes what a terminal would need escaped).
            path,
            opts,
            matcher,
            invert,
            begun: false,
            started: Instant::now(),
            matched: false,
            stats: FileStats::default(),
        }
    }

    fn begin(&mut self) {
        if !self.begun {
            self.begun = true;
            let out = &mut self.out.buf;
            out.extend_from_slice(b"{\"type\":\"begin\",\"data\":{\"path\":");
            write_data(out, self.path);
            out.extend_from_slice(b"}}\n");
        }
    }

    fn write_line(&mut self, kind: &str, line: &SinkLine, with_submatches: bool) {
        self.begin();
        let out = &mut self.out.buf;
        let _ = write!(out, "{{\"type\":\"{kind}\",\"data\":{{\"path\":");
        write_data(out, self.path);
        out.extend_from_slice(b",\"lines\":");
        write_data(out, line.bytes());
        out.extend_from_slice(b",\"line_number\":");
        match line.line_number {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.extend_from_slice(b"null"),
        }
        let _ = write!(
            out,
            ",\"absolute_offset\":{},\"submatches\":[",
            line.abs_offset
        );
        if with_submatches {
            let mut first = true;
            let replace = self.opts.replace.as_deref();
            let matcher = self.matcher;
            line.for_each_match(matcher, |m| {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(b"{\"match\":");
                write_data(out, &line.buf[m.range()]);
                if let Some(replacement) = replace {
                    out.extend_from_slice(b",\"replacement\":");
                    let expanded = matcher.replacement_for(
                        line.buf,
                        line.start..line.match_end(),
                        (m.start(), m.end()),
                        replacement,
                    );
                    write_data(out, &expanded);
                }
                let _ = write!(
                    out,
                    ",\"start\":{},\"end\":{}}}",
                    m.start() - line.start,
                    m.end() - line.start
                );
                true
            });
        }
        out.extend_from_slice(b"]}}\n");
    }
}

impl super::Outcome for JsonSink<'_> {
    fn outcome(&self) -> (bool, FileStats) {
        (self.matched, self.stats)
    }
}

impl Sink for JsonSink<'_> {
    fn matched(&mut self, line: &SinkLine) -> bool {
        self.matched = true;
        record_line(&mut self.stats, self.matcher, line, self.invert, true);
        self.write_line("match", line, !self.invert);
        self.out.maybe_flush()
    }

    fn context(&mut self, line: &SinkLine) -> bool {
        // Under -v, context lines are the ones that match: show why.
        self.write_line("context", line, self.invert);
        self.out.maybe_flush()
    }

    fn context_break(&mut self) -> bool {
        true
    }

    fn binary_matched(&mut self, _line: &SinkLine, _binary_offset: u64) -> bool {
        // ripgrep still emits the match message in JSON mode.
        true
    }

    fn finish(&mut self, summary: &SearchSummary) {
        self.stats.elapsed = self.started.elapsed();
        self.stats.bytes_searched = summary.bytes_searched;
        self.stats.bytes_printed = self.out.written();
        if self.begun {
            let out = &mut self.out.buf;
            out.extend_from_slice(b"{\"type\":\"end\",\"data\":{\"path\":");
            write_data(out, self.path);
            out.extend_from_slice(b",\"binary_offset\":");
            match summary.binary_offset {
                Some(offset) => {
                    let _ = write!(out, "{offset}");
                }
                None => out.extend_from_slice(b"null"),
            }
            let stats = &self.stats;
            let _ = writeln!(
                out,
                ",\"stats\":{{\"elapsed\":{},\"searches\":1,\"searches_with_match\":{},\
                 \"bytes_searched\":{},\"bytes_printed\":{},\"matched_lines\":{},\"matches\":{}}}}}}}",
                duration(stats.elapsed),
                u64::from(self.matched),
                stats.bytes_searched,
                stats.bytes_printed,
                stats.matched_lines,
                stats.matches,
            );
        }
        self.out.flush();
    }

    fn flush(&mut self) {
        self.out.flush();
    }
}

/// `{"text": "..."}` for UTF-8, else `{"bytes": "<base64>"}`.
fn write_data(out: &mut Vec<u8>, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            out.extend_from_slice(b"{\"text\":");
            let _ = serde_json::to_writer(&mut *out, text);
        }
        Err(_) => {
            out.extend_from_slice(b"{\"bytes\":\"");
            out.extend_from_slice(
                base64::engine::general_purpose::STANDARD
                    .encode(bytes)
                    .as_bytes(),
            );
            out.push(b'"');
        }
    }
    out.push(b'}');
}

fn duration(d: Duration) -> String {
    format!(
        "{{\"secs\":{},\"nanos\":{},\"human\":\"{:.6}s\"}}",
        d.as_secs(),
        d.subsec_nanos(),
        d.as_secs_f64()
    )
}

/// The final `summary` message. Built with `json!`, whose sorted keys are
/// exactly what ripgrep prints.
pub fn summary_message(totals: &Totals, wall: Duration) -> String {
    let duration = |d: Duration| {
        serde_json::json!({
            "secs": d.as_secs(),
            "nanos": d.subsec_nanos(),
            "human": format!("{:.6}s", d.as_secs_f64()),
        })
    };
    let message = serde_json::json!({
        "type": "summary",
        "data": {
            "elapsed_total": duration(wall),
            "stats": {
                "elapsed": duration(totals.elapsed),
                "searches": totals.searches,
                "searches_with_match": totals.searches_with_match,
                "bytes_searched": totals.bytes_searched,
                "bytes_printed": totals.bytes_printed,
                "matched_lines": totals.matched_lines,
                "matches": totals.matches,
            }
        }
    });
    format!("{message}\n")
}

/// `--max-results` was reached: the search stopped after `max_results`
/// matching lines, the last of them in `path`. trawl's own message type
/// (rg has no global limit); it comes just before the summary.
pub fn truncated_message(max_results: u64, path: &[u8]) -> String {
    let mut out =
        format!("{{\"type\":\"truncated\",\"data\":{{\"max_results\":{max_results},\"path\":")
            .into_bytes();
    write_data(&mut out, path);
    out.extend_from_slice(b"}}\n");
    String::from_utf8(out).unwrap_or_default()
}
