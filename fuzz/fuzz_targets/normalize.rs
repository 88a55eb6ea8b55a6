//! Every normalization profile (spec/ledger.md §9) on arbitrary UTF-8.
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::normalize`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::normalize(data);
});
