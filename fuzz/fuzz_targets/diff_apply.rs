//! Diff scripts (spec/ledger.md §8): a base text, a NUL byte, then a part read both as a JSON script
//! and as a text.
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::diff_apply`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::diff_apply(data);
});
