//! Stage 3: one input (file, memory map or stdin) into `Sink` calls.
//!
//! `matcher` compiles the patterns with the default engine or PCRE2
//! (`pcre`), behind one type; `searcher` runs them over a buffer, one
//! regex pass per window, locating the lines around each match with memchr
//! (or line by line for PCRE2, or over the whole input for -U); `source`
//! opens inputs and picks between read() and a memory map, or hands the
//! file to `decompress` (-z) or to a program (`process`: --pre).

pub mod decompress;
pub mod matcher;
#[doc(hidden)]
pub mod oracle;
pub mod pcre;
pub mod process;
pub mod searcher;
pub mod source;

pub use matcher::{CaseMode, EngineChoice, Matcher, MatcherOptions};
pub use searcher::{BinaryMode, SearchOptions, Searcher, TextEncoding};
