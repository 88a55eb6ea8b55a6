//! Arbitrary bytes as a signed note, a checkpoint text, a tlog-proof file, a verifier key and a
//! consistency proof.
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::note_checkpoint`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::note_checkpoint(data);
});
