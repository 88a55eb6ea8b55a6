//! Arbitrary bytes as a reader's bundle (`bundle::open`): never a panic, hang or unbounded
//! allocation, whatever the JSON, entries, checkpoint and proofs hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(opened) = colophon::bundle::open(data) {
        // An opened bundle holds its release and every line it verified.
        assert!(opened.index.release(&opened.release).is_some());
        assert!(!opened.lines.is_empty());
    }
});
