//! Arbitrary bytes as one ledger line (`entry::parse_line`) and as a whole ledger (`audit::audit`).
//! Neither may panic, hang or allocate without bound; a line that parses must serialize back to
//! itself, and the bytes its signature covers must be the entry's own signed bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = colophon::entry::parse_line(data) {
        // A line is accepted only in canonical form, so the entry it parses to writes it back
        // byte for byte, and the signature's message is the entry without `sig`.
        assert_eq!(p.entry.to_line().as_deref(), Ok(data), "parsed line does not round-trip");
        assert_eq!(p.entry.signed_bytes().as_deref(), Ok(p.signed_bytes.as_slice()), "signed bytes differ");
        assert_eq!(p.len, data.len() as u64);
    }
    let report = colophon::audit::audit(data, None);
    // Every complete line is counted; a ledger with a problem is never clean.
    assert!(report.valid_entries <= report.lines);
    if report.is_clean() {
        assert!(report.torn.is_none());
    }
});
