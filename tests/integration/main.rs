//! Integration tests: the real binary on fixture trees, exact output.

mod util;

mod binary;
mod cli_compat;
mod daily_use;
mod ecosystem;
mod engines;
mod errors;
mod faults;
mod filtering;
mod formats;
mod handoff;
mod index;
mod inputs;
mod merge_review;
mod output;
mod pipeline;
mod print_compat;
mod progress;
mod rg_parity;
mod robustness;
mod search;
