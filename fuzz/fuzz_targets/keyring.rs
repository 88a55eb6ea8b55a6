//! Arbitrary text as a keyring, a key line and a secret key file. Never a panic; a parsed key line
//! writes back a line that parses to the same key.
#![no_main]

use colophon::keys::{NamedKey, SecretKeyFile};
use colophon::trust::Keyring;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("f");
    if let Ok(file) = SecretKeyFile::parse(path, data) {
        let _ = file.name();
        // Unlocking an encrypted file runs scrypt at the file's cost (up to 1 GiB): not here.
        if !file.is_encrypted() {
            if let Ok(key) = file.unlock(None) {
                assert_eq!(key.public(), file.public());
            }
        }
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(ring) = Keyring::parse(path, text) {
        assert!(ring.quorum <= ring.witnesses.len());
        for k in &ring.keys {
            assert_eq!(NamedKey::parse_line(&k.to_line()).as_ref(), Ok(k));
        }
    }
    if let Ok(k) = NamedKey::parse_line(text) {
        // Blanks at the end of a key line are removed before it is parsed (spec/ledger.md §5.3).
        assert_eq!(k.to_line(), text.trim_end(), "key line does not round-trip");
    }
});
