//! Integration tests: the real binary on fixture trees, exact output.

mod util;

mod binary;
mod ecosystem;
mod errors;
mod filtering;
mod formats;
mod inputs;
mod output;
mod pipeline;
mod print_compat;
mod progress;
mod robustness;
mod search;
