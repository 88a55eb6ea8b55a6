//! Arbitrary bytes as a signed note, a checkpoint text, a tlog-proof file, a verifier key and a
//! consistency proof. Parsers must never panic; what they accept must serialize back to the input
//! (notes, checkpoints and proofs are documented to), and a parsed vkey must round-trip.
#![no_main]

use colophon::checkpoint::{Checkpoint, TlogProof};
use colophon::hash::Digest;
use colophon::note::{Note, Verifier};
use libfuzzer_sys::fuzz_target;

/// The demo log's and a witness's verifier keys, so parsed notes also go through `verify`.
const VKEYS: [&str; 2] = [
    "demo.example/ponte+548a6045+AWPQjV+XfH1ekIm9gQMMGbtNGBvnsR0X6nJpMTdNZhkS",
    "witness.example/w1+362083a4+BEWfjd23xzylJJHdTcJZTX+N5PMBkCwAtvVCPmzoFr4f",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(note.to_bytes(), data, "note does not round-trip");
        let verifiers: Vec<Verifier> = VKEYS.iter().filter_map(|v| Verifier::parse_vkey(v).ok()).collect();
        assert_eq!(verifiers.len(), VKEYS.len());
        let _ = colophon::note::verify(&note, &verifiers);
        if let Ok(cp) = Checkpoint::parse(&note.text) {
            assert_eq!(cp.to_text(), note.text);
        }
    }
    if let Ok(proof) = TlogProof::parse(data) {
        assert_eq!(proof.to_bytes(), data, "proof does not round-trip");
        assert!(proof.hashes.len() <= colophon::checkpoint::MAX_PROOF_HASHES);
        let (_, cp) = proof.parse_checkpoint().expect("a parsed proof has a parseable checkpoint");
        assert!(proof.index < cp.size);
        // The Merkle check takes the proof's numbers as they are (a log owner signs what it likes).
        let line = proof.extra.as_deref().unwrap_or_default();
        let _ = colophon::transparency::check_inclusion(&proof, line, &cp);
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cp) = Checkpoint::parse(text) {
        assert_eq!(cp.to_text(), text, "checkpoint does not round-trip");
        assert_eq!(Checkpoint::parse(&cp.to_text()).ok(), Some(cp));
    }
    if let Ok(v) = Verifier::parse_vkey(text) {
        // Hex digits of either case are accepted; the written form is lowercase, all else exact.
        let (name, rest) = text.split_once('+').expect("a parsed vkey has two '+'");
        let (id, key) = rest.split_once('+').expect("a parsed vkey has two '+'");
        assert_eq!(v.to_vkey(), format!("{name}+{}+{key}", id.to_ascii_lowercase()));
        assert_eq!(Verifier::parse_vkey(&v.to_vkey()).ok(), Some(v));
    }
    if let Ok((old, new, hashes)) = colophon::transparency::parse_consistency_proof(text) {
        assert!(hashes.len() <= 129);
        // Check it between two checkpoints of those sizes, with roots taken from the proof.
        let root = |i: usize| hashes.get(i).copied().unwrap_or(Digest::of(b""));
        let cp = |size, root| Checkpoint { origin: "o".into(), size, root, extensions: vec![] };
        let (a, b) = (cp(old, root(0)), cp(new, root(1)));
        let _ = colophon::transparency::check_consistent(&a, &b, Some(&hashes));
        let _ = colophon::merkle::verify_consistency(old, new, &a.root, &b.root, &hashes);
        let leaf = root(2);
        let _ = colophon::merkle::verify_inclusion(&leaf, old, new, &hashes, &b.root);
    }
});
