//! Ledgers whose every line is validly signed and chained, with fuzzer-chosen content: reaches the
//! state, trust and text checks that a mutated (badly signed) line never gets to.
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::ledger_signed`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::ledger_signed(data);
});
