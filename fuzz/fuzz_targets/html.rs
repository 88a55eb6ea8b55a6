//! The text of a web page (spec/verify.md §2.7.2) from arbitrary bytes: never a panic, hang or
//! unbounded allocation, and the invariants of `invariants::html` (`fuzz/invariants.rs`, which
//! tests/fuzz_regressions.rs also runs on the seeds in `cargo test`).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invariants::html(data);
});
