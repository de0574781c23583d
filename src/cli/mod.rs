//! The command line: `args` (what clap parses) and `config` (what the
//! search runs with).

pub mod args;
pub mod config;
