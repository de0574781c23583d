//! The query planner: from a pattern's HIR, a boolean query over byte
//! trigrams that every file holding a match satisfies (Russ Cox, "Regular
//! Expression Matching with a Trigram Index", 2012). It is a necessary
//! condition only: a file that satisfies it is searched, one that does not
//! cannot hold a match.
//!
//! Each node gets an `Info`: either the exact set of strings it can match
//! (small sets only), or the sets of strings its matches start and end
//! with plus a query its matches imply. Anything unknown degrades to "any
//! string" (`Info::any`), whose query is `All`: the planner can lose
//! precision, never a match.
//!
//! A trigram followed by a known byte in every match (all but the last
//! trigram of a literal) asks for that byte's bucket in the file's
//! follow mask of the trigram (`follow_bit`): four bytes in a row, not
//! just three, at the cost of one byte per posting. `PM_RESUME` then
//! needs `PM_R`, `M_RE`, ... where trigrams alone took every file with
//! `PM_RES` and `_RESUME` apart (linux corpus: 252 candidates for 13
//! matching files; see benches/README.md, "Session 18").

use std::collections::BTreeSet;

use regex_syntax::hir::{Class, Hir, HirKind};

/// A trigram: three bytes, big-endian in the low 24 bits.
pub type Trigram = u32;

/// The follow mask that asks nothing: the trigram anywhere, also at the
/// end of a file.
pub const ANY: u8 = 0x7f;

/// The bit of the follow mask that records `next` after a trigram: seven
/// buckets by the low three bits (6 and 7 share one), so that ASCII
/// letters of either case, which differ by 0x20, fall in the same one
/// (a case-folded query loses nothing to it).
pub fn follow_bit(next: u8) -> u8 {
    1 << (next & 7).min(6)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Every file may match.
    All,
    /// No file can match.
    None,
    /// A file holds the trigram, followed (somewhere) by a byte whose
    /// `follow_bit` is in the mask, or anywhere if the mask is `ANY`.
    Tri(Trigram, u8),
    And(Vec<Query>),
    Or(Vec<Query>),
}

impl Query {
    pub fn and(self, other: Query) -> Query {
        match (self, other) {
            (Query::All, q) | (q, Query::All) => q,
            (Query::None, _) | (_, Query::None) => Query::None,
            (Query::And(mut a), Query::And(b)) => {
                a.extend(b);
                Query::And(a)
            }
            (Query::And(mut a), q) | (q, Query::And(mut a)) => {
                a.push(q);
                Query::And(a)
            }
            (a, b) if a == b => a,
            (a, b) => Query::And(vec![a, b]),
        }
    }

    pub fn or(self, other: Query) -> Query {
        match (self, other) {
            (Query::All, _) | (_, Query::All) => Query::All,
            (Query::None, q) | (q, Query::None) => q,
            (Query::Or(mut a), Query::Or(b)) => {
                a.extend(b);
                Query::Or(a)
            }
            (Query::Or(mut a), q) | (q, Query::Or(mut a)) => {
                a.push(q);
                Query::Or(a)
            }
            (a, b) if a == b => a,
            (a, b) => Query::Or(vec![a, b]),
        }
    }

    /// The distinct trigrams it looks up.
    pub fn trigrams(&self, out: &mut BTreeSet<Trigram>) {
        match self {
            Query::Tri(t, _) => {
                out.insert(*t);
            }
            Query::And(qs) | Query::Or(qs) => qs.iter().for_each(|q| q.trigrams(out)),
            Query::All | Query::None => {}
        }
    }
}

/// As --debug shows it: trigrams as escaped strings, `&` and `|`.
impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |f: &mut std::fmt::Formatter<'_>, qs: &[Query], op: &str| {
            write!(f, "(")?;
            for (i, q) in qs.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{q}")?;
            }
            write!(f, ")")
        };
        match self {
            Query::All => write!(f, "all"),
            Query::None => write!(f, "none"),
            Query::Tri(t, follow) => {
                let bytes = [(t >> 16) as u8, (t >> 8) as u8, *t as u8];
                write!(f, "\"{}\"", bytes.escape_ascii())?;
                match *follow {
                    ANY => Ok(()),
                    mask => write!(f, "+{mask:02x}"),
                }
            }
            Query::And(qs) => list(f, qs, "&"),
            Query::Or(qs) => list(f, qs, "|"),
        }
    }
}

/// Larger exact sets, or classes, are given up (made inexact or "any").
const MAX_SET: usize = 64;
/// Classes with more members than this match "any one character".
const MAX_CLASS: usize = 8;

type Set = BTreeSet<Vec<u8>>;

#[derive(Clone, Debug)]
struct Info {
    /// Every match is one of these strings (then the fields below are
    /// unused).
    exact: Option<Set>,
    /// Every match starts with one of these.
    prefix: Set,
    /// Every match ends with one of these.
    suffix: Set,
    /// Every file holding a match satisfies this.
    query: Query,
}

impl Info {
    fn exact(set: Set) -> Info {
        Info {
            exact: Some(set),
            prefix: Set::new(),
            suffix: Set::new(),
            query: Query::All,
        }
    }

    fn empty_string() -> Info {
        Info::exact(Set::from([Vec::new()]))
    }

    /// Any string at all.
    fn any() -> Info {
        Info {
            exact: None,
            prefix: Set::from([Vec::new()]),
            suffix: Set::from([Vec::new()]),
            query: Query::All,
        }
    }

    /// The same facts without an exact set: its strings' trigrams go to
    /// the query, their first and last two bytes to prefix and suffix.
    fn inexact(self) -> Info {
        let Some(set) = self.exact else {
            return self;
        };
        let query = set_query(&set);
        Info {
            exact: None,
            prefix: truncate(&set, |s| &s[..s.len().min(2)]),
            suffix: truncate(&set, |s| &s[s.len().saturating_sub(2)..]),
            query,
        }
    }
}

/// OR over the strings of AND of each string's trigrams.
fn set_query(set: &Set) -> Query {
    let mut query = Query::None;
    for s in set {
        query = query.or(string_query(s));
        if query == Query::All {
            break;
        }
    }
    query
}

fn string_query(s: &[u8]) -> Query {
    let mut query = Query::All;
    for (i, w) in s.windows(3).enumerate() {
        let follow = s.get(i + 3).map_or(ANY, |&next| follow_bit(next));
        query = query.and(Query::Tri(trigram(w), follow));
    }
    query
}

pub fn trigram(w: &[u8]) -> Trigram {
    (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2])
}

fn truncate(set: &Set, cut: impl Fn(&[u8]) -> &[u8]) -> Set {
    let out: Set = set.iter().map(|s| cut(s).to_vec()).collect();
    if out.len() > MAX_SET {
        Set::from([Vec::new()])
    } else {
        out
    }
}

fn cross(a: &Set, b: &Set) -> Option<Set> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| {
                b.iter().map(move |y| {
                    let mut s = x.clone();
                    s.extend_from_slice(y);
                    s
                })
            })
            .collect(),
    )
}

fn concat(a: Info, b: Info) -> Info {
    if let (Some(x), Some(y)) = (&a.exact, &b.exact) {
        if let Some(set) = cross(x, y) {
            return Info::exact(set);
        }
    }
    let (a_exact, b_exact) = (a.exact.clone(), b.exact.clone());
    let (a, b) = (a.inexact(), b.inexact());
    // Strings that span the boundary: some suffix of a's match followed by
    // some prefix of b's.
    let boundary = match cross(&a.suffix, &b.prefix) {
        Some(set) => set_query(&set),
        None => Query::All,
    };
    // A match starts with a's match: with b's prefix after it when a's
    // strings are known.
    let prefix = a_exact
        .and_then(|x| cross(&x, &b.prefix))
        .map(|set| truncate(&set, |s| &s[..s.len().min(2)]))
        .unwrap_or(a.prefix);
    let suffix = b_exact
        .and_then(|y| cross(&a.suffix, &y))
        .map(|set| truncate(&set, |s| &s[s.len().saturating_sub(2)..]))
        .unwrap_or(b.suffix);
    Info {
        exact: None,
        prefix,
        suffix,
        query: a.query.and(b.query).and(boundary),
    }
}

fn alternate(infos: Vec<Info>) -> Info {
    if infos.iter().all(|i| i.exact.is_some()) {
        let set: Set = infos
            .iter()
            .flat_map(|i| i.exact.as_ref().into_iter().flatten().cloned())
            .collect();
        if set.len() <= MAX_SET {
            return Info::exact(set);
        }
    }
    let mut out = Info {
        exact: None,
        prefix: Set::new(),
        suffix: Set::new(),
        query: Query::None,
    };
    for info in infos {
        let info = info.inexact();
        out.prefix.extend(info.prefix);
        out.suffix.extend(info.suffix);
        out.query = out.query.or(info.query);
    }
    if out.prefix.len() > MAX_SET {
        out.prefix = Set::from([Vec::new()]);
    }
    if out.suffix.len() > MAX_SET {
        out.suffix = Set::from([Vec::new()]);
    }
    out
}

fn class(class: &Class) -> Info {
    let mut set = Set::new();
    match class {
        Class::Unicode(c) => {
            let mut n = 0usize;
            for r in c.ranges() {
                n += (r.end() as usize) - (r.start() as usize) + 1;
                if n > MAX_CLASS {
                    return Info::any();
                }
                for ch in r.start()..=r.end() {
                    let mut buf = [0u8; 4];
                    set.insert(ch.encode_utf8(&mut buf).as_bytes().to_vec());
                }
            }
        }
        Class::Bytes(c) => {
            let mut n = 0usize;
            for r in c.ranges() {
                n += usize::from(r.end()) - usize::from(r.start()) + 1;
                if n > MAX_CLASS {
                    return Info::any();
                }
                for b in r.start()..=r.end() {
                    set.insert(vec![b]);
                }
            }
        }
    }
    if set.is_empty() {
        // A class that matches nothing: no match at all.
        return Info {
            exact: Some(Set::new()),
            ..Info::any()
        };
    }
    Info::exact(set)
}

fn info(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::empty_string(),
        HirKind::Literal(lit) => Info::exact(Set::from([lit.0.to_vec()])),
        HirKind::Class(c) => class(c),
        HirKind::Capture(cap) => info(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.max == Some(0) {
                return Info::empty_string();
            }
            if rep.min == 0 {
                if rep.max == Some(1) {
                    // x?: x or nothing.
                    return alternate(vec![info(&rep.sub), Info::empty_string()]);
                }
                return Info::any();
            }
            let sub = info(&rep.sub);
            if rep.max == Some(1) {
                return sub;
            }
            // x{n,}: starts with an x match and ends with one.
            sub.inexact()
        }
        HirKind::Concat(subs) => {
            let mut acc = Info::empty_string();
            for sub in subs {
                acc = concat(acc, info(sub));
            }
            acc
        }
        HirKind::Alternation(subs) => alternate(subs.iter().map(info).collect()),
    }
}

/// The query every file holding a match of `hir` satisfies.
pub fn plan(hir: &Hir) -> Query {
    let info = info(hir).inexact();
    let mut query = info.query;
    query = query.and(set_query(&info.prefix));
    query = query.and(set_query(&info.suffix));
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pattern: &str, insensitive: bool) -> Query {
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .case_insensitive(insensitive)
            .build()
            .parse(pattern)
            .unwrap();
        plan(&hir)
    }

    /// A trigram and the byte after it, if any.
    fn tri(s: &str) -> Query {
        let s = s.as_bytes();
        let follow = s.get(3).map_or(ANY, |&next| follow_bit(next));
        Query::Tri(trigram(&s[..3]), follow)
    }

    #[test]
    fn literals_and_their_trigrams() {
        assert_eq!(q("abcd", false), tri("abcd").and(tri("bcd")));
        assert_eq!(q("abcd", false).to_string(), r#"("abc"+10 & "bcd")"#);
        assert_eq!(q("ab", false), Query::All);
        assert_eq!(q("", false), Query::All);
        assert_eq!(q("a.*b", false), Query::All);
    }

    #[test]
    fn inner_literal_of_a_repetition() {
        assert_eq!(q(r"\w+_RES", false), tri("_RES").and(tri("RES")));
    }

    #[test]
    fn alternation_is_an_or() {
        assert_eq!(q("abc|xyz", false), tri("abc").or(tri("xyz")));
        assert_eq!(
            q("abcd|xyz", false),
            tri("abcd").and(tri("bcd")).or(tri("xyz"))
        );
        assert_eq!(q("abc|x", false), Query::All);
    }

    #[test]
    fn case_folding_includes_unicode_folds() {
        let query = q("sk", true);
        assert_eq!(query, Query::All); // two bytes only
        let mut t = BTreeSet::new();
        q("ska", true).trigrams(&mut t);
        // 'k' folds to KELVIN SIGN (3 bytes): its trigrams are looked up.
        assert!(t.contains(&trigram("\u{212A}".as_bytes())));
        assert!(t.contains(&trigram(b"SKA")));
    }

    #[test]
    fn case_variants_share_a_follow_bit() {
        for b in b'a'..=b'z' {
            assert_eq!(follow_bit(b), follow_bit(b.to_ascii_uppercase()));
        }
        assert_eq!(follow_bit(b'g'), follow_bit(b'_'));
        assert_ne!(follow_bit(b'a'), follow_bit(b'b'));
    }
}
