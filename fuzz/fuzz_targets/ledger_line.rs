//! Arbitrary bytes as one ledger line (`entry::parse_line`) and as a whole ledger (`audit::audit`).
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::ledger_line`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::ledger_line(data);
});
