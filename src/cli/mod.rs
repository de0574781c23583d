//! The command line: `args` (what clap parses), `config_file` (default
//! arguments from TRAWL_CONFIG_PATH or RIPGREP_CONFIG_PATH), `config` (what the search runs with)
//! and `generate` (man page and completions).

pub mod args;
pub mod config;
pub mod config_file;
pub mod errors;
pub mod generate;
pub mod help;
