//! Ledgers whose every line is validly signed and chained, with fuzzer-chosen content: reaches the
//! state, trust and text checks of `audit::audit` and `bundle::open`, which an arbitrary byte
//! change (caught by the signature) never gets to. A signed ledger is still untrusted input: a key
//! holder can sign anything, and auditing or opening it must not panic.
//!
//! Each input line that is a JSON object gets `prev` set to the hash of the line before it (removed
//! on the first line) and `sig` replaced by a signature of the RFC 8032 test key its `signer`
//! names (the owner's key for an unknown signer), or of the other fixed keys of tests/vectors.rs; other lines pass through unchanged. The result
//! is audited against a keyring of the three RFC 8032 keys, and opened as a bundle for each release.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use colophon::entry::{Body, parse_line};
use colophon::hash::{Digest, entry_hash};
use colophon::keys::SecretKey;
use colophon::trust::Keyring;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::path::Path;

/// RFC 8032 §7.1 tests 1-3: the owner, translator and editor of spec/vectors.
const SEEDS: [&str; 3] = [
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
];

/// The vector keys: RFC 8032 tests 1-3, then the fixed-seed keys tests/vectors.rs signs some
/// cases with (seeds of one repeated byte).
fn keys() -> Vec<SecretKey> {
    let rfc = SEEDS.iter().map(|s| hex::decode(s).expect("hex seed").try_into().expect("32-byte seed"));
    rfc.chain([3u8, 5, 6, 7, 8].map(|b| [b; 32])).map(|seed: [u8; 32]| SecretKey::from_seed(&seed, "k")).collect()
}

fn resign(line: &[u8], prev: Option<Digest>, keys: &[SecretKey]) -> Vec<u8> {
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(line) else { return line.to_vec() };
    obj.remove("sig");
    match prev {
        Some(p) => obj.insert("prev".into(), Value::from(p.to_hex())),
        None => obj.remove("prev"),
    };
    let signer = obj.get("signer").and_then(Value::as_str).unwrap_or_default();
    let key = keys.iter().find(|k| k.id().to_hex() == signer).unwrap_or(&keys[0]);
    let Ok(body) = colophon::jcs::to_vec(&Value::Object(obj.clone())) else { return line.to_vec() };
    let sig = colophon::signing::sign_entry(&key.signing, &body);
    obj.insert("sig".into(), Value::from(B64.encode(sig)));
    colophon::jcs::to_vec(&Value::Object(obj)).unwrap_or_else(|_| line.to_vec())
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    let mut ledger = Vec::with_capacity(data.len() + 256);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut prev = None;
    let mut pieces = data.split(|&b| b == b'\n').peekable();
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_none() {
            // The bytes after the last newline: a torn tail, kept as it is.
            ledger.extend_from_slice(piece);
            break;
        }
        let line = resign(piece, prev, &keys);
        prev = Some(entry_hash(&line));
        ledger.extend_from_slice(&line);
        ledger.push(b'\n');
        lines.push(line);
    }
    let ring_text: String = keys[..3].iter().map(|k| format!("{}\n", k.named().to_line())).collect();
    let ring = Keyring::parse(Path::new("k"), &ring_text).expect("vector keyring");
    let report = colophon::audit::audit(ledger.as_slice(), Some(&ring));
    assert!(report.valid_entries <= report.lines);

    // Every release in the ledger, as a bundle of all the lines before and including it.
    let origin = lines.first().and_then(|l| parse_line(l).ok()).and_then(|p| match p.entry.body {
        Body::Genesis(g) => Some(g.origin),
        _ => None,
    });
    let Some(origin) = origin else { return };
    for (i, line) in lines.iter().enumerate() {
        let Ok(p) = parse_line(line) else { continue };
        if !matches!(p.entry.body, Body::Release(_)) {
            continue;
        }
        let entries: Vec<Value> =
            lines[..=i].iter().map(|l| Value::from(String::from_utf8_lossy(l).into_owned())).collect();
        let bundle = serde_json::json!({
            "format": colophon::bundle::BUNDLE_FORMAT,
            "origin": origin,
            "release": p.hash.to_hex(),
            "entries": entries,
        });
        let bytes = serde_json::to_vec(&bundle).expect("bundle JSON");
        if let Ok(opened) = colophon::bundle::open(&bytes) {
            assert!(opened.index.release(&opened.release).is_some());
        }
    }
});
