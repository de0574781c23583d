//! Integration tests: the real binary on fixture trees, exact output.

mod util;

mod binary;
mod ecosystem;
mod engines;
mod errors;
mod filtering;
mod formats;
mod output;
mod pipeline;
mod robustness;
mod search;
