//! What each fuzz target checks, written once. The targets in `fuzz_targets/` call these functions
//! on libFuzzer's inputs; `tests/fuzz_regressions.rs` calls them on the committed seeds and on every
//! input a campaign found, so the same invariants run in `cargo test` on the stable toolchain.
//!
//! Both include this file as a module (`#[path = …] mod invariants;`) rather than the library
//! exporting it: these are assertions, and the library never panics on input (src/lib.rs), so they
//! stay out of every build of it, with no feature to enable and no test that a missing feature
//! would silently skip. The file uses only colophon's public API and `serde_json`, `base64` and
//! `hex`, which both crates depend on.
//!
//! Besides the assertions, every function returns whether the input got past the parsers (the
//! seed replays count that, so a corpus that no longer parses is noticed).

#![allow(dead_code)]

use colophon::format::diff::Script;
use colophon::format::entry::{Body, parse_line};
use colophon::format::hash::{Digest, entry_hash};
use colophon::format::keys::{NamedKey, SecretKey, SecretKeyFile};
use colophon::format::normalize::Profile;
use colophon::log::audit::Report;
use colophon::log::checkpoint::{Checkpoint, MAX_PROOF_HASHES, TlogProof};
use colophon::log::note::{Note, Verifier};
use colophon::log::trust::Keyring;
use serde_json::Value;
use std::path::Path;

/// `ledger_line`: arbitrary bytes as one ledger line (`entry::parse_line`) and as a whole ledger
/// (`audit::audit`). A line that parses serializes back to itself, and the bytes its signature
/// covers are the entry's own signed bytes. Returns whether the input parsed as one line.
pub fn ledger_line(data: &[u8]) -> bool {
    let parsed = parse_line(data);
    if let Ok(p) = &parsed {
        // A line is accepted only in canonical form, so the entry it parses to writes it back
        // byte for byte, and the signature's message is the entry without `sig`.
        assert_eq!(p.entry.to_line().as_deref(), Ok(data), "parsed line does not round-trip");
        assert_eq!(p.entry.signed_bytes().as_deref(), Ok(p.signed_bytes.as_slice()), "signed bytes differ");
        assert_eq!(p.len, data.len() as u64);
    }
    let report = colophon::log::audit::audit(data, None);
    // Every complete line is counted; a ledger with a problem is never clean.
    assert!(report.valid_entries <= report.lines);
    if report.is_clean() {
        assert!(report.torn.is_none());
    }
    parsed.is_ok()
}

/// `bundle`: arbitrary bytes as a reader's bundle (`bundle::open`). An opened bundle holds its
/// release and every line it verified. Returns whether the bundle opened.
pub fn bundle(data: &[u8]) -> bool {
    let Ok(opened) = colophon::verify::bundle::open(data) else { return false };
    assert!(opened.index.release(&opened.release).is_some());
    assert!(!opened.lines.is_empty());
    true
}

/// The demo log's and a witness's verifier keys, so parsed notes also go through `note::verify`.
const VKEYS: [&str; 2] = [
    "demo.example/ponte+548a6045+AWPQjV+XfH1ekIm9gQMMGbtNGBvnsR0X6nJpMTdNZhkS",
    "witness.example/w1+362083a4+BEWfjd23xzylJJHdTcJZTX+N5PMBkCwAtvVCPmzoFr4f",
];

/// `note_checkpoint`: arbitrary bytes as a signed note, a checkpoint text, a tlog-proof file, a
/// verifier key and a consistency proof. What the parsers accept serializes back to the input
/// (notes, checkpoints and proofs are documented to), and a parsed vkey round-trips. Returns
/// whether anything parsed.
pub fn note_checkpoint(data: &[u8]) -> bool {
    let mut parsed = false;
    if let Ok(note) = Note::parse(data) {
        parsed = true;
        assert_eq!(note.to_bytes(), data, "note does not round-trip");
        let verifiers: Vec<Verifier> = VKEYS.iter().filter_map(|v| Verifier::parse_vkey(v).ok()).collect();
        assert_eq!(verifiers.len(), VKEYS.len());
        let _ = colophon::log::note::verify(&note, &verifiers);
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
        // The Merkle check takes the proof's numbers as they are (a log owner signs what it likes).
        let line = proof.extra.as_deref().unwrap_or_default();
        let _ = colophon::log::transparency::check_inclusion(&proof, line, &cp);
    }
    let Ok(text) = std::str::from_utf8(data) else { return parsed };
    if let Ok(cp) = Checkpoint::parse(text) {
        parsed = true;
        assert_eq!(cp.to_text(), text, "checkpoint does not round-trip");
        assert_eq!(Checkpoint::parse(&cp.to_text()).ok(), Some(cp));
    }
    if let Ok(v) = Verifier::parse_vkey(text) {
        parsed = true;
        // Hex digits of either case are accepted; the written form is lowercase, all else exact.
        let (name, rest) = text.split_once('+').expect("a parsed vkey has two '+'");
        let (id, key) = rest.split_once('+').expect("a parsed vkey has two '+'");
        assert_eq!(v.to_vkey(), format!("{name}+{}+{key}", id.to_ascii_lowercase()));
        assert_eq!(Verifier::parse_vkey(&v.to_vkey()).ok(), Some(v));
    }
    if let Ok((old, new, hashes)) = colophon::log::transparency::parse_consistency_proof(text) {
        parsed = true;
        assert!(hashes.len() <= 129);
        // Check it between two checkpoints of those sizes, with roots taken from the proof.
        let root = |i: usize| hashes.get(i).copied().unwrap_or(Digest::of(b""));
        let cp = |size, root| Checkpoint { origin: "o".into(), size, root, extensions: vec![] };
        let (a, b) = (cp(old, root(0)), cp(new, root(1)));
        let _ = colophon::log::transparency::check_consistent(&a, &b, Some(&hashes));
        let _ = colophon::log::merkle::verify_consistency(old, new, &a.root, &b.root, &hashes);
        let leaf = root(2);
        let _ = colophon::log::merkle::verify_inclusion(&leaf, old, new, &hashes, &b.root);
    }
    parsed
}

/// `keyring`: arbitrary bytes as a secret key file, a keyring and a key line. A parsed key line
/// writes back a line that parses to the same key. Returns whether anything parsed.
pub fn keyring(data: &[u8]) -> bool {
    let mut parsed = false;
    let path = Path::new("f");
    if let Ok(file) = SecretKeyFile::parse(path, data) {
        parsed = true;
        let _ = file.name();
        // Unlocking an encrypted file runs scrypt at the file's cost (up to 1 GiB): not here.
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

/// `diff_apply` (spec/ledger.md §8): the input is a base text, a NUL byte, then a second part read
/// both as a JSON script and as a text (both lossily as UTF-8).
/// - `Script::from_json` + `apply` on the base never panic, and an accepted script round-trips
///   through its JSON form;
/// - `Script::compute` between the base and the second text, both ways, always yields a script
///   that applies back to the target exactly.
///
/// Returns whether the second part was a script that applied to the base.
pub fn diff_apply(data: &[u8]) -> bool {
    let (base, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let base = String::from_utf8_lossy(base);
    let other = String::from_utf8_lossy(rest);
    let mut applied = false;
    if let Ok(v) = serde_json::from_slice::<Value>(rest) {
        if let Ok(script) = Script::from_json(&v) {
            assert_eq!(Script::from_json(&script.to_json()).as_ref(), Ok(&script));
            let _ = script.stats();
            if let Ok(out) = script.apply(&base) {
                applied = true;
                // Whatever an accepted script produced, compute finds a script back to it.
                let back = Script::compute(&base, &out);
                assert_eq!(back.apply(&base).as_deref(), Ok(out.as_str()));
            }
        }
        let _ = colophon::format::diff::stats_of_json(&v);
    }
    for (a, b) in [(&base, &other), (&other, &base)] {
        let s = Script::compute(a, b);
        assert_eq!(s.apply(a).as_deref(), Ok(b.as_ref()), "compute({a:?}, {b:?}) = {s:?} does not apply");
        assert_eq!(Script::from_json(&s.to_json()).as_ref(), Ok(&s));
    }
    applied
}

/// `normalize` (spec/ledger.md §9): every profile on arbitrary UTF-8 is idempotent, and `words/v1`
/// and `words/v2` are unaffected by a prior `text/v1` pass.
pub fn normalize(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text = Profile::TextV1.apply(s);
    assert_eq!(Profile::TextV1.apply(&text), text, "text/v1 is not idempotent on {s:?}");
    for p in [Profile::WordsV1, Profile::WordsV2] {
        let words = p.apply(s);
        assert_eq!(p.apply(&words), words, "{} is not idempotent on {s:?}", p.id());
        assert_eq!(p.apply(&text), words, "{}(text/v1(x)) != {}(x) on {s:?}", p.id(), p.id());
    }
}

/// `html` (spec/verify.md §2.7.2): a page's text is lines, none empty or only spaces, each ending
/// in LF; a page is refused exactly when its elements nest too deep, and never hangs the parser
/// (the depth check runs first). Returns whether the page was extracted.
pub fn html(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else { return false };
    let deep = colophon::format::html::too_deep(s);
    match colophon::format::html::extract_text(s) {
        Ok(text) => {
            assert!(!deep, "a page nested too deep was extracted: {s:?}");
            assert!(text.is_empty() || text.ends_with('\n'), "the text does not end in LF: {text:?}");
            for line in text.split_terminator('\n') {
                assert!(!line.trim_matches(' ').is_empty(), "an empty line in {text:?} from {s:?}");
            }
            true
        }
        Err(_) => {
            assert!(deep, "a page was refused but is not nested too deep: {s:?}");
            false
        }
    }
}

/// RFC 8032 §7.1 tests 1-3: the owner, translator and editor of spec/vectors.
const SEEDS: [&str; 3] = [
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
];

/// The vector keys: RFC 8032 tests 1-3, then the fixed-seed keys tests/vectors.rs signs some
/// cases with (seeds of one repeated byte).
pub fn vector_keys() -> Vec<SecretKey> {
    let rfc = SEEDS.map(|s| -> [u8; 32] { hex::decode(s).expect("hex seed").try_into().expect("32-byte seed") });
    rfc.into_iter().chain([3u8, 5, 6, 7, 8].map(|b| [b; 32])).map(|seed| SecretKey::from_seed(&seed, "k")).collect()
}

/// `line` with `prev` set (removed on the first line) and `sig` replaced by a signature of the
/// vector key its `signer` names (the owner's key for an unknown signer); a line that is not a JSON
/// object, or that cannot be written canonically, passes through unchanged.
fn resign(line: &[u8], prev: Option<Digest>, keys: &[SecretKey]) -> Vec<u8> {
    use base64::Engine as _;
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(line) else { return line.to_vec() };
    obj.remove("sig");
    match prev {
        Some(p) => obj.insert("prev".into(), Value::from(p.to_hex())),
        None => obj.remove("prev"),
    };
    let signer = obj.get("signer").and_then(Value::as_str).unwrap_or_default();
    let key = keys.iter().find(|k| k.id().to_hex() == signer).unwrap_or(&keys[0]);
    let Ok(body) = colophon::format::jcs::to_vec(&Value::Object(obj.clone())) else { return line.to_vec() };
    // spec/ledger.md §4.2: the signature covers the committed form (§3.4).
    let body = colophon::format::hash::committed_form(&body).into_owned();
    let sig = colophon::format::signing::sign_entry(&key.signing, &body);
    obj.insert("sig".into(), Value::from(base64::engine::general_purpose::STANDARD.encode(sig)));
    colophon::format::jcs::to_vec(&Value::Object(obj)).unwrap_or_else(|_| line.to_vec())
}

/// `ledger_signed`: ledgers whose every line is validly signed and chained, with fuzzer-chosen
/// content. Reaches the state, trust and text checks of `audit::audit` and `bundle::open`, which an
/// arbitrary byte change (caught by the signature) never gets to. A signed ledger is still
/// untrusted input: a key holder can sign anything, and auditing or opening it must not panic.
///
/// Each input line that is a JSON object is re-chained and re-signed (`resign`); other lines pass
/// through unchanged, and the bytes after the last LF stay a torn tail. The result is audited
/// against a keyring of the three RFC 8032 keys, and opened as a bundle for each release. Returns
/// the audit's report and whether the re-signed ledger equals the input.
pub fn ledger_signed(data: &[u8]) -> (Report, bool) {
    let keys = vector_keys();
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
    let report = colophon::log::audit::audit(ledger.as_slice(), Some(&ring));
    assert!(report.valid_entries <= report.lines);

    // Every release in the ledger, as a bundle of all the lines before and including it.
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
                "format": colophon::verify::bundle::BUNDLE_FORMAT,
                "origin": origin,
                "release": p.hash.to_hex(),
                "entries": entries,
            });
            let bytes = serde_json::to_vec(&bundle).expect("bundle JSON");
            if let Ok(opened) = colophon::verify::bundle::open(&bytes) {
                assert!(opened.index.release(&opened.release).is_some());
            }
        }
    }
    let same = ledger == data;
    (report, same)
}
