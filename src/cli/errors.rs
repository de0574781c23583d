//! Command-line errors in ripgrep's one-line style (`unrecognized flag
//! --foo`, `error parsing flag -A: value is not a valid number: ...`),
//! instead of clap's usage dump. Scripts and editors that parse rg's
//! messages read trawl's the same way.

use std::collections::BTreeSet;
use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The message (without the `trawl: ` prefix) for a parse error of the
/// arguments `argv` (argv[0] first).
pub fn message(error: &clap::Error, argv: &[OsString]) -> String {
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.as_str()),
        _ => None,
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    match (error.kind(), arg) {
        (ErrorKind::UnknownArgument, Some(arg)) => unrecognized(arg),
        (ErrorKind::InvalidValue, Some(arg)) if value == Some("") => {
            let flag = as_typed(arg, None, argv);
            format!("missing value for flag {flag}: missing argument for option '{flag}'")
        }
        (ErrorKind::InvalidValue, Some(arg)) => {
            let value = value.unwrap_or_default();
            let flag = as_typed(arg, Some(value), argv);
            format!("error parsing flag {flag}: choice '{value}' is unrecognized")
        }
        (ErrorKind::ValueValidation, Some(arg)) => {
            let value = value.unwrap_or_default();
            let flag = as_typed(arg, Some(value), argv);
            let source = std::error::Error::source(error);
            let why = source.map(|s| s.to_string()).unwrap_or_default();
            if source.is_some_and(|s| s.is::<std::num::ParseIntError>()) {
                format!("error parsing flag {flag}: value is not a valid number: {why}")
            } else {
                format!("error parsing flag {flag}: {why}")
            }
        }
        (ErrorKind::TooManyValues, Some(arg)) => {
            let value = value.unwrap_or_default();
            let flag = as_typed(arg, None, argv);
            format!("invalid CLI arguments: unexpected argument for option '{flag}': {value:?}")
        }
        _ => first_line(error),
    }
}

/// clap's own message, first line, without its `error: ` prefix.
fn first_line(error: &clap::Error) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// `unrecognized flag --foo`, and for a long flag the flags whose names
/// are similar, found as ripgrep finds them (see `similar_names`).
fn unrecognized(arg: &str) -> String {
    let name = arg.split_once('=').map_or(arg, |(name, _)| name);
    let mut message = format!("unrecognized flag {name}");
    if let Some(long) = name.strip_prefix("--") {
        let similar = similar_names(long);
        if !similar.is_empty() {
            let list: Vec<String> = similar.iter().map(|n| format!("--{n}")).collect();
            message.push_str("\n\nsimilar flags that are available: ");
            message.push_str(&list.join(", "));
        }
    }
    message
}

/// Long names (with aliases and negations) whose sets of 3-grams have a
/// Jaccard index of at least 0.4 with the unrecognized name's: ripgrep's
/// measure and threshold. Listed in flag order, a negation after the flag
/// it negates, as ripgrep lists them.
fn similar_names(unrecognized: &str) -> Vec<String> {
    let given = ngrams(unrecognized);
    flag_names()
        .into_iter()
        .filter(|name| jaccard(&given, &ngrams(name)) >= 0.4)
        .collect()
}

/// Every long name and alias, ordered as ripgrep orders its flags: by the
/// name of the flag, its negation next, then its aliases; `--regexp` and
/// `--file` first, deprecated names last.
fn flag_names() -> Vec<String> {
    let cmd = super::help::command();
    let visible = |name: &str| {
        cmd.get_arguments()
            .any(|a| a.get_long() == Some(name) && !a.is_hide_set())
    };
    let exists = |name: &str| cmd.get_arguments().any(|a| a.get_long() == Some(name));
    // (rank, flag, kind: 0 the flag, 1 its negation, 2 an alias)
    let key = |name: &str, kind: u8| {
        let (flag, kind) = match name.strip_prefix("no-") {
            Some(base) if exists(base) && (visible(base) || !visible(name)) => {
                (base.to_string(), kind.max(1))
            }
            _ if name == "no-filename" => ("with-filename".to_string(), kind.max(1)),
            _ if !visible(name) && visible(&format!("no-{name}")) => {
                (format!("no-{name}"), kind.max(1))
            }
            _ => (name.to_string(), kind),
        };
        let rank = match flag.as_str() {
            "regexp" => 0,
            "file" => 1,
            _ if DEPRECATED.contains(&name) => 3,
            _ => 2,
        };
        (rank, flag, kind)
    };
    let mut names: Vec<((u8, String, u8), String)> = Vec::new();
    for arg in cmd.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        names.push((key(long, 0), long.to_string()));
        for alias in arg.get_all_aliases().into_iter().flatten() {
            let (rank, flag, _) = key(long, 2);
            let rank = if DEPRECATED.contains(&alias) { 3 } else { rank };
            names.push(((rank, flag, 2), alias.to_string()));
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.into_iter().map(|(_, name)| name).collect()
}

/// Names ripgrep keeps only for old scripts, listed after all others.
const DEPRECATED: &[&str] = &[
    "auto-hybrid-regex",
    "no-auto-hybrid-regex",
    "no-pcre2-unicode",
    "pcre2-unicode",
    "sort-files",
    "no-sort-files",
];

fn ngrams(name: &str) -> BTreeSet<Vec<u8>> {
    let bytes = name.as_bytes();
    match bytes.len() {
        0 => BTreeSet::from([b"!!!".to_vec()]),
        1 => BTreeSet::from([vec![bytes[0], b'!', b'!']]),
        2 => BTreeSet::from([vec![bytes[0], bytes[1], b'!']]),
        _ => bytes.windows(3).map(<[u8]>::to_vec).collect(),
    }
}

fn jaccard(a: &BTreeSet<Vec<u8>>, b: &BTreeSet<Vec<u8>>) -> f64 {
    let common = a.intersection(b).count();
    common as f64 / (a.len() + b.len() - common) as f64
}

/// The flag as the user wrote it (`-A`, `--context`, `--maxdepth`), found
/// in argv from clap's description of it (`--after-context <NUM>`). With
/// `value`, the occurrence carrying that value is preferred.
fn as_typed(described: &str, value: Option<&str>, argv: &[OsString]) -> String {
    let long = described.split(' ').next().unwrap_or(described);
    let cmd = super::help::command();
    let Some(arg) = cmd
        .get_arguments()
        .find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long))
    else {
        return long.to_string();
    };
    let mut longs: Vec<&str> = arg.get_long().into_iter().collect();
    longs.extend(arg.get_all_aliases().into_iter().flatten());
    let short = arg.get_short();
    let mut found = Vec::new();
    let tokens: Vec<&str> = argv
        .iter()
        .skip(1)
        .map(|t| t.to_str().unwrap_or(""))
        .take_while(|t| *t != "--")
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).copied();
        if let Some(rest) = token.strip_prefix("--") {
            let (name, attached) = match rest.split_once('=') {
                Some((name, v)) => (name, Some(v)),
                None => (rest, None),
            };
            if longs.contains(&name) {
                found.push((format!("--{name}"), attached.or(next)));
            }
        } else if let (Some(cluster), Some(short)) = (token.strip_prefix('-'), short) {
            if let Some(at) = cluster.find(short) {
                let rest = &cluster[at + short.len_utf8()..];
                let attached = rest.strip_prefix('=').unwrap_or(rest);
                let v = if attached.is_empty() {
                    next
                } else {
                    Some(attached)
                };
                found.push((format!("-{short}"), v));
            }
        }
    }
    let preferred = value.and_then(|value| found.iter().find(|(_, v)| *v == Some(value)));
    preferred
        .or(found.first())
        .map_or_else(|| long.to_string(), |(flag, _)| flag.clone())
}
