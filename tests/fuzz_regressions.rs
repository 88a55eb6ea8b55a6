//! Inputs from fuzzing (`fuzz/`), replayed in `cargo test` on the stable toolchain.
//!
//! Every crash a fuzz target finds is added here as inline bytes, with the fixed behaviour
//! asserted. The committed seed corpora (`fuzz/seeds/<target>/`) are replayed through the same
//! checks the fuzz targets make, so the targets' invariants are tested on every run, not only
//! when someone fuzzes.

mod common;

use colophon::checkpoint::{Checkpoint, MAX_PROOF_HASHES, TlogProof};
use colophon::diff::Script;
use colophon::entry::{Body, parse_line};
use colophon::hash::Digest;
use colophon::keys::{NamedKey, SecretKey, SecretKeyFile};
use colophon::normalize::Profile;
use colophon::note::{Note, Verifier};
use colophon::trust::Keyring;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("directory entry").path();
            let bytes = std::fs::read(&path).expect("seed file");
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

/// `fuzz_targets/ledger_line.rs`. Returns whether the input parsed as one line.
fn ledger_line(data: &[u8]) -> bool {
    let parsed = colophon::entry::parse_line(data);
    if let Ok(p) = &parsed {
        assert_eq!(p.entry.to_line().as_deref(), Ok(data), "parsed line does not round-trip");
        assert_eq!(p.entry.signed_bytes().as_deref(), Ok(p.signed_bytes.as_slice()), "signed bytes differ");
        assert_eq!(p.len, data.len() as u64);
    }
    let report = colophon::audit::audit(data, None);
    assert!(report.valid_entries <= report.lines);
    if report.is_clean() {
        assert!(report.torn.is_none());
    }
    parsed.is_ok()
}

/// `fuzz_targets/bundle.rs`. Returns whether the bundle opened.
fn bundle(data: &[u8]) -> bool {
    let Ok(opened) = colophon::bundle::open(data) else { return false };
    assert!(opened.index.release(&opened.release).is_some());
    assert!(!opened.lines.is_empty());
    true
}

/// `fuzz_targets/note_checkpoint.rs`. Returns whether anything parsed.
fn note_checkpoint(data: &[u8]) -> bool {
    let mut parsed = false;
    if let Ok(note) = Note::parse(data) {
        parsed = true;
        assert_eq!(note.to_bytes(), data, "note does not round-trip");
        if let Ok(cp) = Checkpoint::parse(&note.text) {
            assert_eq!(cp.to_text(), note.text);
        }
    }
    if let Ok(proof) = TlogProof::parse(data) {
        parsed = true;
        assert_eq!(proof.to_bytes(), data, "proof does not round-trip");
        assert!(proof.hashes.len() <= MAX_PROOF_HASHES);
        let (_, cp) = proof.parse_checkpoint().expect("a parsed proof has a parseable checkpoint");
        assert!(proof.index < cp.size);
        let line = proof.extra.as_deref().unwrap_or_default();
        let _ = colophon::transparency::check_inclusion(&proof, line, &cp);
    }
    let Ok(text) = std::str::from_utf8(data) else { return parsed };
    if let Ok(cp) = Checkpoint::parse(text) {
        parsed = true;
        assert_eq!(cp.to_text(), text, "checkpoint does not round-trip");
    }
    if let Ok(v) = Verifier::parse_vkey(text) {
        parsed = true;
        assert_eq!(Verifier::parse_vkey(&v.to_vkey()).ok(), Some(v));
    }
    if let Ok((_, _, hashes)) = colophon::transparency::parse_consistency_proof(text) {
        parsed = true;
        assert!(hashes.len() <= 129);
    }
    parsed
}

/// `fuzz_targets/keyring.rs`. Returns whether anything parsed.
fn keyring(data: &[u8]) -> bool {
    let mut parsed = false;
    let path = Path::new("f");
    if let Ok(file) = SecretKeyFile::parse(path, data) {
        parsed = true;
        if !file.is_encrypted()
            && let Ok(key) = file.unlock(None)
        {
            assert_eq!(key.public(), file.public());
        }
    }
    let Ok(text) = std::str::from_utf8(data) else { return parsed };
    if let Ok(ring) = Keyring::parse(path, text) {
        parsed = true;
        assert!(ring.quorum <= ring.witnesses.len());
        for k in &ring.keys {
            assert_eq!(NamedKey::parse_line(&k.to_line()).as_ref(), Ok(k));
        }
    }
    if let Ok(k) = NamedKey::parse_line(text) {
        parsed = true;
        // Blanks at the end of a key line are removed before it is parsed (spec/ledger.md §5.3).
        assert_eq!(k.to_line(), text.trim_end(), "key line does not round-trip");
    }
    parsed
}

/// `fuzz_targets/diff_apply.rs`: base NUL script. Returns whether the script applied.
fn diff_apply(data: &[u8]) -> bool {
    let (base, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let base = String::from_utf8_lossy(base);
    let other = String::from_utf8_lossy(rest);
    let mut applied = false;
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(rest)
        && let Ok(script) = Script::from_json(&v)
    {
        assert_eq!(Script::from_json(&script.to_json()).as_ref(), Ok(&script));
        if let Ok(out) = script.apply(&base) {
            applied = true;
            let back = Script::compute(&base, &out);
            assert_eq!(back.apply(&base).as_deref(), Ok(out.as_str()));
        }
    }
    for (a, b) in [(&base, &other), (&other, &base)] {
        let s = Script::compute(a, b);
        assert_eq!(s.apply(a).as_deref(), Ok(b.as_ref()), "compute({a:?}, {b:?}) = {s:?} does not apply");
    }
    applied
}

/// The vector keys: RFC 8032 §7.1 tests 1-3 (owner, translator, editor of spec/vectors), then the
/// fixed-seed keys tests/vectors.rs signs some cases with (seeds of one repeated byte).
fn vector_keys() -> Vec<SecretKey> {
    let rfc = common::keys::RFC8032_SEEDS.map(|s| common::keys::fixed_key(s, "k"));
    rfc.into_iter().chain([3u8, 5, 6, 7, 8].map(|b| SecretKey::from_seed(&[b; 32], "k"))).collect()
}

/// `fuzz_targets/ledger_signed.rs`: re-chains and re-signs every JSON line, audits with the RFC 8032
/// keys as trust roots, and opens a bundle for each release. Returns the audit report and whether
/// the re-signed ledger equals the input.
fn ledger_signed(data: &[u8]) -> (colophon::audit::Report, bool) {
    use base64::Engine as _;
    let keys = vector_keys();
    let resign = |line: &[u8], prev: Option<Digest>| -> Vec<u8> {
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
        obj.insert("sig".into(), Value::from(base64::engine::general_purpose::STANDARD.encode(sig)));
        colophon::jcs::to_vec(&Value::Object(obj)).unwrap_or_else(|_| line.to_vec())
    };
    let mut ledger = Vec::new();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut prev = None;
    let mut pieces = data.split(|&b| b == b'\n').peekable();
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_none() {
            ledger.extend_from_slice(piece);
            break;
        }
        let line = resign(piece, prev);
        prev = Some(colophon::hash::entry_hash(&line));
        ledger.extend_from_slice(&line);
        ledger.push(b'\n');
        lines.push(line);
    }
    let ring_text: String = keys[..3].iter().map(|k| format!("{}\n", k.named().to_line())).collect();
    let ring = Keyring::parse(Path::new("k"), &ring_text).expect("vector keyring");
    let report = colophon::audit::audit(ledger.as_slice(), Some(&ring));
    assert!(report.valid_entries <= report.lines);
    let origin = lines.first().and_then(|l| parse_line(l).ok()).and_then(|p| match p.entry.body {
        Body::Genesis(g) => Some(g.origin),
        _ => None,
    });
    if let Some(origin) = origin {
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
            let opened = colophon::bundle::open(&serde_json::to_vec(&bundle).expect("bundle JSON"));
            if let Ok(opened) = opened {
                assert!(opened.index.release(&opened.release).is_some());
            }
        }
    }
    let same = ledger == data;
    (report, same)
}

/// `fuzz_targets/normalize.rs`.
fn normalize(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text = Profile::TextV1.apply(s);
    assert_eq!(Profile::TextV1.apply(&text), text);
    for p in [Profile::WordsV1, Profile::WordsV2] {
        let words = p.apply(s);
        assert_eq!(p.apply(&words), words, "{}", p.id());
        assert_eq!(p.apply(&text), words, "{}", p.id());
    }
}

#[test]
fn seeds_ledger_line() {
    let seeds = seeds("ledger_line");
    let parsed = seeds.iter().filter(|(_, d)| ledger_line(d)).count();
    assert!(parsed >= 8, "only {parsed} seed lines parse");
}

#[test]
fn seeds_bundle() {
    for (path, data) in seeds("bundle") {
        assert!(bundle(&data), "{} does not open", path.display());
    }
}

#[test]
fn seeds_note_checkpoint() {
    for (path, data) in seeds("note_checkpoint") {
        assert!(note_checkpoint(&data), "{} does not parse as anything", path.display());
    }
}

#[test]
fn seeds_keyring() {
    let seeds = seeds("keyring");
    let parsed = seeds.iter().filter(|(_, d)| keyring(d)).count();
    assert!(parsed >= 6, "only {parsed} keyring seeds parse");
}

#[test]
fn seeds_diff_apply() {
    let seeds = seeds("diff_apply");
    let applied = seeds.iter().filter(|(_, d)| diff_apply(d)).count();
    assert!(applied >= 10, "only {applied} diff seeds apply");
}

#[test]
fn seeds_normalize() {
    for (_, data) in seeds("normalize") {
        normalize(&data);
    }
}

#[test]
fn seeds_ledger_signed() {
    let mut unchanged = 0;
    for (path, data) in seeds("ledger_signed") {
        let (report, same) = ledger_signed(&data);
        let valid = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("valid-"));
        // Re-signing a ledger signed by the vector keys changes nothing (Ed25519 is deterministic),
        // so the verdict is the vector's own. (A few invalid vectors use other keys or bad chains.)
        if same {
            unchanged += 1;
            assert_eq!(report.is_clean(), valid, "{}: {:?}", path.display(), report.problems.first());
        } else {
            assert!(!valid, "{} changed when re-signed", path.display());
        }
    }
    assert!(unchanged >= 28, "only {unchanged} vector ledgers re-sign unchanged");
}
