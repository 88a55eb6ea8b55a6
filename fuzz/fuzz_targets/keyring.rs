//! Arbitrary bytes as a secret key file, a keyring and a key line.
//! Never a panic, hang or unbounded allocation, and the invariants of `invariants::keyring`
//! (`fuzz/invariants.rs`, which tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::keyring(data);
});
