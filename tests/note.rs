//! Signed notes, cosignatures, checkpoints and proof files (spec/transparency.md §3–§5) against
//! known-answer vectors from independent implementations, and every parse and verification rule.
//!
//! Sources of the vectors (all reproduced byte for byte; Ed25519 signing is deterministic):
//! - Go: golang.org/x/mod, `sumdb/note/note_test.go` (TestNewVerifier, TestSign, TestOpen).
//! - transparency-dev/formats: `log/note_test.go` (key pairs, sum.golang.org checkpoint and three
//!   extra signatures on it), `note/note_cosigv1_test.go` (vkeys, cosignature timestamps),
//!   `proof/tlog_proof_test.go` (proof serialization and rejected proofs).
//! - sigsum/sigsum-go: `pkg/checkpoint/checkpoint_test.go` (a checkpoint signed with the seed
//!   17,0,…,0, a `cosignature/v1` by the same key at time 1234, and a live sum.golang.org
//!   checkpoint).
//! - C2SP/C2SP: the examples in `signed-note.md`, `tlog-checkpoint.md`, `tlog-cosignature.md` and
//!   `tlog-proof.md`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use colophon::format::hash::Digest;
use colophon::log::checkpoint::cosign;
use colophon::log::checkpoint::{Checkpoint, CheckpointError, TlogProof};
use colophon::log::note::{
    self, Note, NoteError, SIG_COSIGNATURE_V1, SIG_ED25519, Signature, Verified, Verifier, VerifierKind,
    cosignature_message, key_id, sign, verify,
};
use ed25519_dalek::SigningKey;

// ---------------------------------------------------------------------------------------------
// golang.org/x/mod sumdb/note/note_test.go

const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n";
const PETER_SIG: &str =
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str =
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// Decodes a Go signer key, `PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>` (test-only: the
/// crate keeps secret keys in its own files, spec/ledger.md §5.4).
fn go_skey(skey: &str) -> (String, u32, SigningKey) {
    let parts: Vec<&str> = skey.splitn(5, '+').collect();
    assert_eq!(&parts[..2], ["PRIVATE", "KEY"]);
    let raw = B64.decode(parts[4]).unwrap();
    assert_eq!(raw[0], SIG_ED25519);
    let seed: [u8; 32] = raw[1..].try_into().unwrap();
    (parts[2].to_owned(), u32::from_str_radix(parts[3], 16).unwrap(), SigningKey::from_bytes(&seed))
}

/// An input and a test of the error it must give.
type Case<E> = (String, fn(&E) -> bool);

fn vkey(s: &str) -> Verifier {
    Verifier::parse_vkey(s).unwrap()
}

fn peter_note() -> String {
    format!("{PETER_TEXT}\n{PETER_SIG}")
}

#[test]
fn go_sign_reproduces_the_peter_neumann_note() {
    let (name, id, key) = go_skey(PETER_SKEY);
    let v = Verifier::new(&name, VerifierKind::Ed25519, key.verifying_key()).unwrap();
    assert_eq!(v.key_id, id);
    assert_eq!(v.to_vkey(), PETER_VKEY);
    assert_eq!(vkey(PETER_VKEY), v);

    let sig = sign(PETER_TEXT, &name, &key).unwrap();
    assert_eq!(sig.key_id, 0xc74f20a3);
    let note = Note { text: PETER_TEXT.into(), sigs: vec![sig] };
    assert_eq!(String::from_utf8(note.to_bytes()).unwrap(), peter_note());
    assert_eq!(Note::parse(peter_note().as_bytes()).unwrap(), note);
}

#[test]
fn go_open_verifies_known_and_ignores_unknown_keys() {
    let msg = format!("{PETER_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(note.text, PETER_TEXT);
    assert_eq!(note.sigs.len(), 2);
    assert_eq!((note.sigs[1].name.as_str(), note.sigs[1].key_id), ("EnochRoot", 0xaf0cfe78));
    assert_eq!(note.to_bytes(), msg.as_bytes());

    // One known key: Enoch's signature is ignored.
    let peter =
        Verified { name: "PeterNeumann".into(), key_id: 0xc74f20a3, kind: VerifierKind::Ed25519, timestamp: None };
    assert_eq!(verify(&note, &[vkey(PETER_VKEY)]).unwrap(), vec![peter.clone()]);
    // Both known: both verify, in note order.
    let got = verify(&note, &[vkey(ENOCH_VKEY), vkey(PETER_VKEY)]).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], peter);
    assert_eq!(got[1].name, "EnochRoot");
    // No known key: rejected.
    assert!(matches!(verify(&note, &[]), Err(NoteError::NoVerifiedSignature)));
}

#[test]
fn go_key_pairs_derive_their_published_vkeys() {
    // golang.org/x/mod sumdb/note and transparency-dev/formats log/note_test.go key pairs.
    for (skey, vk) in [
        (PETER_SKEY, PETER_VKEY),
        (
            "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
            "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs",
        ),
        (
            "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
            "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH",
        ),
        (
            "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
            "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj",
        ),
        (
            "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
            "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots",
        ),
    ] {
        let (name, id, key) = go_skey(skey);
        let v = Verifier::new(&name, VerifierKind::Ed25519, key.verifying_key()).unwrap();
        assert_eq!(v.key_id, id, "{name}");
        assert_eq!(key_id(&name, SIG_ED25519, key.verifying_key().as_bytes()), id);
        assert_eq!(v.to_vkey(), vk);
        assert_eq!(vkey(vk), v);
    }
}

#[test]
fn go_vkey_manglings_are_rejected() {
    // TestNewVerifier: every proper substring and every single-byte increment of the key fails.
    let b = PETER_VKEY.as_bytes().to_vec();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let s = String::from_utf8(b[i..j].to_vec()).unwrap();
                assert!(Verifier::parse_vkey(&s).is_err(), "{s:?}");
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.clone();
        m[i] += 1;
        let s = String::from_utf8(m).unwrap();
        assert!(Verifier::parse_vkey(&s).is_err(), "{s:?}");
    }
    // Wrong key length and unknown algorithm, each with the key id adjusted to match. (Go rejects
    // the first for its length; its base64 also has non-zero padding bits, 'Y' before "==", which
    // the canonical decoder refuses first.)
    assert!(matches!(
        Verifier::parse_vkey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
        Err(NoteError::BadVkey { reason: "the key is not canonical standard base64" })
    ));
    let raw: Vec<u8> = [&[SIG_ED25519][..], &[7u8; 33][..]].concat();
    let id = key_id("PeterNeumann", SIG_ED25519, &raw[1..]);
    assert!(matches!(
        Verifier::parse_vkey(&format!("PeterNeumann+{id:08x}+{}", B64.encode(&raw))),
        Err(NoteError::BadPublicKey(_))
    ));
    assert!(matches!(
        Verifier::parse_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnsupportedKeyType { sig_type: 0x65 })
    ));
}

#[test]
fn go_malformed_notes_are_rejected() {
    let t = PETER_TEXT;
    let cases: Vec<Case<NoteError>> = vec![
        (t.into(), |e| matches!(e, NoteError::MissingBlankLine)),
        (format!("{t}\n"), |e| matches!(e, NoteError::NoSignatures)),
        (format!("{t}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]), |e| matches!(e, NoteError::UnterminatedSignatureLine)),
        (format!("\x01{t}\n{PETER_SIG}"), |e| matches!(e, NoteError::ControlCharacter { line: 1, byte: 1 })),
        (
            format!(
                "{t}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
            ),
            |e| matches!(e, NoteError::UnterminatedSignatureLine),
        ),
        (format!("{t}\n{PETER_SIG}Unexpected line.\n"), |e| matches!(e, NoteError::BadSignatureLine { line: 5, .. })),
    ];
    for (msg, want) in cases {
        let err = Note::parse(msg.as_bytes()).unwrap_err();
        assert!(want(&err), "{msg:?}: {err}");
    }
    let mut bad = b"\xff".to_vec();
    bad.extend_from_slice(peter_note().as_bytes());
    assert!(matches!(Note::parse(&bad), Err(NoteError::NotUtf8 { offset: 0 })));
}

#[test]
fn go_too_many_signatures() {
    let msg = format!("{PETER_TEXT}\n{}", PETER_SIG.repeat(101));
    assert!(matches!(Note::parse(msg.as_bytes()), Err(NoteError::TooManySignatures { max: 100 })));
    // 100 lines parse; the Go implementation then keeps one of the repeated signatures, colophon
    // rejects the note because two signatures by one key are ambiguous.
    let msg = format!("{PETER_TEXT}\n{}", PETER_SIG.repeat(100));
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(note.sigs.len(), 100);
    assert!(matches!(
        verify(&note, &[vkey(PETER_VKEY)]),
        Err(NoteError::DuplicateSignature { key_id: 0xc74f20a3, .. })
    ));
    // Repeated signatures by an unknown key are ignored like any unknown signature.
    let msg = format!("{PETER_TEXT}\n{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}");
    assert_eq!(verify(&Note::parse(msg.as_bytes()).unwrap(), &[vkey(PETER_VKEY)]).unwrap().len(), 1);
}

#[test]
fn go_invalid_signature_rejects_the_note() {
    // Four more base64 characters: still well-formed, but a 67-byte Ed25519 "signature".
    let sig = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    let note = Note::parse(format!("{PETER_TEXT}\n{sig}").as_bytes()).unwrap();
    let err = verify(&note, &[vkey(PETER_VKEY)]).unwrap_err();
    assert_eq!(err.to_string(), "invalid signature by known key PeterNeumann+c74f20a3");
    // A valid known signature does not save a note that also carries a forged one.
    let mut bytes = note.sigs[0].bytes.clone();
    bytes.truncate(64);
    bytes[10] ^= 1;
    let forged = Signature { bytes, ..note.sigs[0].clone() };
    let mut two = Note::parse(format!("{PETER_TEXT}\n{ENOCH_SIG}").as_bytes()).unwrap();
    two.sigs.push(forged);
    assert!(matches!(verify(&two, &[vkey(ENOCH_VKEY), vkey(PETER_VKEY)]), Err(NoteError::InvalidSignature { .. })));
    assert_eq!(verify(&two, &[vkey(ENOCH_VKEY)]).unwrap().len(), 1);
}

#[test]
fn signature_changes_and_text_changes_fail() {
    let mut note = Note::parse(peter_note().as_bytes()).unwrap();
    note.text = note.text.replace("problem,", "problem;");
    assert!(matches!(verify(&note, &[vkey(PETER_VKEY)]), Err(NoteError::InvalidSignature { .. })));
}

// ---------------------------------------------------------------------------------------------
// Parse rules (signed-note "Format")

#[test]
fn signature_lines_are_checked() {
    let t = PETER_TEXT;
    let b64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
    let parse = |line: &str| Note::parse(format!("{t}\n{line}\n").as_bytes());
    // Names: a space ends the name, so "Bad Name" leaves "Name <b64>" as the signature.
    assert!(matches!(parse(&format!("— Bad Name {b64}")), Err(NoteError::BadSignatureBase64 { line: 4 })));
    assert!(matches!(parse(&format!("— Peter+Neumann {b64}")), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(parse(&format!("— Peter\u{a0}Neumann {b64}")), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(parse(&format!("— Peter\u{2003}Neumann {b64}")), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(parse(&format!("—  {b64}")), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(parse(&format!("- PeterNeumann {b64}")), Err(NoteError::BadSignatureLine { .. })));
    assert!(matches!(parse(&format!("—PeterNeumann {b64}")), Err(NoteError::BadSignatureLine { .. })));
    assert!(matches!(parse("— PeterNeumann"), Err(NoteError::BadSignatureLine { .. })));
    // Base64: not base64, missing padding, non-zero padding bits ('M' = 001100, 'N' = 001101),
    // URL-safe alphabet, trailing space, too short.
    let bad_b64 =
        ["x08go!ZJ", b64.trim_end_matches('='), &b64.replace("AM=", "AN="), &b64.replace('/', "_"), &format!("{b64} ")];
    for b in bad_b64 {
        assert!(matches!(parse(&format!("— PeterNeumann {b}")), Err(NoteError::BadSignatureBase64 { .. })), "{b}");
    }
    assert!(matches!(parse("— PeterNeumann AAAAAA=="), Err(NoteError::BadSignatureLine { .. })));
    assert!(matches!(parse("— PeterNeumann "), Err(NoteError::BadSignatureLine { .. })));
    assert!(parse("— PeterNeumann AAAAAAE=").is_ok());
}

#[test]
fn size_limit() {
    let text = "a".repeat(note::MAX_NOTE_SIZE) + "\n";
    let msg = format!("{text}\n{PETER_SIG}");
    assert!(matches!(Note::parse(msg.as_bytes()), Err(NoteError::TooLarge { .. })));
    let (_, _, key) = go_skey(PETER_SKEY);
    assert!(matches!(sign(&text, "k", &key), Err(NoteError::TooLarge { .. })));
}

#[test]
fn sign_checks_text_and_name() {
    let (_, _, key) = go_skey(PETER_SKEY);
    assert!(matches!(sign("abc", "k", &key), Err(NoteError::TextNotTerminated)));
    assert!(matches!(sign("a\tb\n", "k", &key), Err(NoteError::ControlCharacter { .. })));
    assert!(matches!(sign("abc\n", "a+b", &key), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(sign("abc\n", "a b", &key), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(sign("abc\n", "", &key), Err(NoteError::BadKeyName { .. })));
    assert!(matches!(
        Verifier::new("a b", VerifierKind::Ed25519, key.verifying_key()),
        Err(NoteError::BadKeyName { .. })
    ));
}

#[test]
fn c2sp_signed_note_example_parses() {
    // C2SP signed-note.md: the text contains an empty line; the last one separates.
    let msg = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n\
               — quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(
        note.text,
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(note.sigs[0].name, "quasimodo.example/salvatore");
    assert_eq!(note.sigs[0].bytes.len(), 64);
    assert_eq!(note.to_bytes(), msg.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Checkpoints signed by real logs

const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

#[test]
fn sum_golang_org_checkpoints_verify() {
    // transparency-dev/formats log/note_test.go, and sigsum-go checkpoint_test.go (fetched from
    // https://sum.golang.org/latest on 2024-09-23).
    let a = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\
             — sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";
    let b = "go.sum database tree\n30055305\nmXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=\n\n\
             — sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2AFjBY+2TyGKevucFcAAlWFJJYle3EJlDCrQ+y3A8=\n";
    let log = vkey(SUMDB_VKEY);
    assert_eq!(log.key_id, 0x033de0ae);
    for (msg, size) in [(a, 6476701), (b, 30055305)] {
        let note = Note::parse(msg.as_bytes()).unwrap();
        let got = verify(&note, std::slice::from_ref(&log)).unwrap();
        assert_eq!(got[0].name, "sum.golang.org");
        let cp = Checkpoint::parse(&note.text).unwrap();
        assert_eq!((cp.origin.as_str(), cp.size), ("go.sum database tree", size));
        assert!(cp.extensions.is_empty());
        assert_eq!(cp.to_text(), note.text);
    }
}

#[test]
fn formats_extra_signatures_on_the_sumdb_checkpoint_verify() {
    // transparency-dev/formats log/note_test.go BenchmarkParse: three more keys signed the same
    // checkpoint; with all four keys known, all four verify.
    let sigs = [
        (
            "monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT",
            "— monkeys 202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=\n",
        ),
        (
            "bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M",
            "— bananas z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=\n",
        ),
        (
            "witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN",
            "— witness 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n",
        ),
    ];
    let mut msg = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\
                   — sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"
        .to_owned();
    let mut verifiers = vec![vkey(SUMDB_VKEY)];
    for (vk, line) in sigs {
        msg.push_str(line);
        verifiers.push(vkey(vk));
    }
    // "random1"/"random2" in the benchmark reuse the witness signature under unknown names.
    msg.push_str(&sigs[2].1.replace("witness", "random1"));
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(verify(&note, &verifiers).unwrap().len(), 4);
    // The witness's signature under another name is a different (unknown) key; under the
    // witness's name with a wrong key it would be a forgery.
    verifiers.truncate(1);
    assert_eq!(verify(&note, &verifiers).unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// sigsum-go: seed 17,0,…,0; a checkpoint signature and a cosignature/v1 at time 1234

fn sigsum_key() -> SigningKey {
    let mut seed = [0u8; 32];
    seed[0] = 17;
    SigningKey::from_bytes(&seed)
}

#[test]
fn sigsum_checkpoint_signature_is_reproduced() {
    let key = sigsum_key();
    let origin = format!("sigsum.org/v1/tree/{}", Digest::of(key.verifying_key().as_bytes()).to_hex());
    let want = "sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69\n10\n\
                HA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\
                — sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69 gJ2ho0n8F8olcerUF1FFdv235A/5as/coWrpLrtE7ovMeP5whgwouYExowG/lTznxu6OUGjjt5yJQ6bXtTcf718MqAQ=\n";
    let mut root = [0u8; 32];
    root[..3].copy_from_slice(&[28, 14, 71]);
    let cp = Checkpoint { origin: origin.clone(), size: 10, root: Digest(root), extensions: vec![] };
    let note = Note { text: cp.to_text(), sigs: vec![sign(&cp.to_text(), &origin, &key).unwrap()] };
    assert_eq!(String::from_utf8(note.to_bytes()).unwrap(), want);
    let v = Verifier::new(&origin, VerifierKind::Ed25519, key.verifying_key()).unwrap();
    assert_eq!(verify(&Note::parse(want.as_bytes()).unwrap(), &[v]).unwrap().len(), 1);
}

const SIGSUM_CHECKPOINT: &str = "example.org/log\n10\nHA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
const SIGSUM_COSIG: &str = "— example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==\n";

fn sigsum_witness() -> Verifier {
    Verifier::new("example.org/witness", VerifierKind::CosignatureV1, sigsum_key().verifying_key()).unwrap()
}

#[test]
fn sigsum_cosignature_is_reproduced() {
    let sig = cosign(SIGSUM_CHECKPOINT, "example.org/witness", &sigsum_key(), 1234).unwrap();
    assert_eq!(sig.to_line(), SIGSUM_COSIG);
    assert_eq!(sig.key_id, 0xcacf2e50);
    assert_eq!(sig.cosignature_timestamp(), Some(1234));
    assert_eq!(sig.bytes.len(), 72);
    // The vkey of a witness carries type 0x04.
    let vk = sigsum_witness().to_vkey();
    let b64 = vk.splitn(3, '+').nth(2).unwrap();
    assert!(vk.starts_with("example.org/witness+cacf2e50+"), "{vk}");
    assert_eq!(B64.decode(b64).unwrap()[0], SIG_COSIGNATURE_V1);
    assert_eq!(vkey(&vk), sigsum_witness());
}

#[test]
fn sigsum_cosignature_lines() {
    // sigsum-go TestCheckpointVerifyCosignatureByKey: the first line has another key id, the
    // third another key name: both are unknown keys and are ignored.
    let lines = "— example.org/witness yX8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==\n\
                 — example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==\n\
                 — example.org/witness-2 ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==\n";
    let note = Note::parse(format!("{SIGSUM_CHECKPOINT}\n{lines}").as_bytes()).unwrap();
    let got = verify(&note, &[sigsum_witness()]).unwrap();
    assert_eq!(
        got,
        vec![Verified {
            name: "example.org/witness".into(),
            key_id: 0xcacf2e50,
            kind: VerifierKind::CosignatureV1,
            timestamp: Some(1234)
        }]
    );
    // The fourth line of that test has the witness's name and key id but 74 bytes: sigsum skips
    // it as an unwanted size; here it is a second signature by a known key, so the note is
    // rejected.
    let fourth = "— example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+CgXX\n";
    let note = Note::parse(format!("{SIGSUM_CHECKPOINT}\n{lines}{fourth}").as_bytes()).unwrap();
    assert!(matches!(verify(&note, &[sigsum_witness()]), Err(NoteError::DuplicateSignature { .. })));
}

#[test]
fn cosignature_with_changed_timestamp_or_checkpoint_is_rejected() {
    let good = Note::parse(format!("{SIGSUM_CHECKPOINT}\n{SIGSUM_COSIG}").as_bytes()).unwrap();
    for bit in [0, 7, 56, 63] {
        let mut note = good.clone();
        let ts = u64::from_be_bytes(note.sigs[0].bytes[..8].try_into().unwrap()) ^ (1 << bit);
        note.sigs[0].bytes[..8].copy_from_slice(&ts.to_be_bytes());
        // A timestamp of 2^63 or more is rejected before the signature is checked.
        assert!(matches!(verify(&note, &[sigsum_witness()]), Err(NoteError::InvalidSignature { .. })), "bit {bit}");
    }
    let mut note = good.clone();
    note.text = note.text.replace("\n10\n", "\n11\n");
    assert!(matches!(verify(&note, &[sigsum_witness()]), Err(NoteError::InvalidSignature { .. })));
    // A cosignature is not a plain signature: an Ed25519 verifier for the same key and name has
    // another key id, so the line is unknown to it.
    let plain = Verifier::new("example.org/witness", VerifierKind::Ed25519, sigsum_key().verifying_key()).unwrap();
    assert!(matches!(verify(&good, &[plain]), Err(NoteError::NoVerifiedSignature)));
}

#[test]
fn cosignature_covers_extension_lines() {
    // transparency-dev/formats TestSigCoversExtensionLines, with a fixed key.
    let text = "test\n123\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\nExtendo\n";
    let key = sigsum_key();
    let w = Verifier::new("test", VerifierKind::CosignatureV1, key.verifying_key()).unwrap();
    let note = Note { text: text.into(), sigs: vec![cosign(text, "test", &key, 1).unwrap()] };
    assert_eq!(verify(&note, std::slice::from_ref(&w)).unwrap().len(), 1);
    let changed = Note { text: text.replace("Extendo", "Extendo@"), ..note };
    assert!(matches!(verify(&changed, &[w]), Err(NoteError::InvalidSignature { .. })));
}

// ---------------------------------------------------------------------------------------------
// C2SP tlog-cosignature and transparency-dev/formats cosignature vectors

#[test]
fn c2sp_cosignature_example() {
    // tlog-cosignature.md: the example cosignature line and the signed message it explains.
    let msg = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
               — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
               — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    let note = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(note.sigs[1].key_id, 0x8d66cf3f);
    assert_eq!(note.sigs[1].cosignature_timestamp(), Some(1679315147));
    assert_eq!(note.sigs[0].cosignature_timestamp(), None);
    let cp = Checkpoint::parse(&note.text).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), ("example.com/behind-the-sofa", 20852163));
    assert_eq!(
        cosignature_message(&note.text, 1679315147),
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n\
          CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
}

#[test]
fn formats_cosignature_timestamps() {
    // transparency-dev/formats note_cosigv1_test.go TestCosignatureTimestamp.
    let one = |b64: &str| Note::parse(format!("a\n\n— w {b64}\n").as_bytes()).unwrap().sigs.remove(0);
    let cosig =
        one("ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==");
    assert_eq!(cosig.cosignature_timestamp(), Some(1727964367));
    let plain = one("eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=");
    assert_eq!(plain.cosignature_timestamp(), None);
}

#[test]
fn formats_vkeys() {
    // transparency-dev/formats note_cosigv1_test.go TestCoSigV1NewVerifier.
    let remora = vkey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    assert_eq!(remora.kind, VerifierKind::CosignatureV1);
    assert_eq!(remora.to_vkey(), "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    assert_eq!(vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").kind, VerifierKind::Ed25519);
    assert_eq!(key_id("remora.n621.de", SIG_COSIGNATURE_V1, remora.key.as_bytes()), 0xda77ade7);
    assert!(matches!(Verifier::parse_vkey("bananas.sigstore.dev+12344556"), Err(NoteError::BadVkey { .. })));
    assert!(matches!(
        Verifier::parse_vkey("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!"),
        Err(NoteError::BadVkey { .. })
    ));
    assert!(matches!(
        Verifier::parse_vkey("rekor.sigstore.dev+12345678+AwEB"),
        Err(NoteError::UnsupportedKeyType { sig_type: 3 })
    ));
    assert!(matches!(
        Verifier::parse_vkey("remora.n621.de+NOT_A_NUMBER+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"),
        Err(NoteError::BadVkey { .. })
    ));
    assert!(matches!(
        Verifier::parse_vkey("remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"),
        Err(NoteError::KeyIdMismatch { stated: 0, derived: 0xda77ade7, .. })
    ));
    // Uppercase hex is accepted (as by Go); the vkey is written back in lowercase.
    assert_eq!(vkey("remora.n621.de+DA77ADE7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"), remora);
    // The same key as a plain Ed25519 verifier has another key id.
    assert!(matches!(
        Verifier::parse_vkey("remora.n621.de+da77ade7+AevN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"),
        Err(NoteError::KeyIdMismatch { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Checkpoint text (tlog-checkpoint "Note text")

const ROOT: &str = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

#[test]
fn checkpoint_round_trip_and_extensions() {
    let text = format!("example.com/behind-the-sofa\n20852163\n{ROOT}\nfirst ext\nsecond ext\n");
    let cp = Checkpoint::parse(&text).unwrap();
    assert_eq!(cp.extensions, ["first ext", "second ext"]);
    assert_eq!(cp.root.0.to_vec(), B64.decode(ROOT).unwrap());
    assert_eq!(cp.to_text(), text);
    // The origin is opaque: spaces are allowed there (transparency-dev/formats "Moon Log").
    assert!(Checkpoint::parse(&format!("Moon Log\n0\n{}\n", B64.encode(Digest::of(b"").0))).is_ok());
    assert_eq!(Checkpoint::parse(&format!("o\n18446744073709551615\n{ROOT}\n")).unwrap().size, u64::MAX);
}

#[test]
fn checkpoint_parse_rules() {
    let empty_root = B64.encode(Digest::of(b"").0);
    let cases: Vec<Case<CheckpointError>> = vec![
        (format!("o\n1\n{ROOT}"), |e| matches!(e, CheckpointError::NotTerminated)),
        ("o\n1\n".into(), |e| matches!(e, CheckpointError::TooFewLines { found: 2 })),
        ("o\n".into(), |e| matches!(e, CheckpointError::TooFewLines { found: 1 })),
        (format!("\n1\n{ROOT}\n"), |e| matches!(e, CheckpointError::EmptyLine { line: 1 })),
        (format!("o\n1\n{ROOT}\n\n"), |e| matches!(e, CheckpointError::EmptyLine { line: 4 })),
        (format!("o\n1\n{ROOT}\next\n\nmore\n"), |e| matches!(e, CheckpointError::EmptyLine { line: 5 })),
        (format!("o\t\n1\n{ROOT}\n"), |e| matches!(e, CheckpointError::ControlCharacter { line: 1 })),
        (format!("o\n012\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { reason: "has a leading zero", .. })),
        (format!("o\n00\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { .. })),
        (format!("o\n+12\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { .. })),
        (format!("o\n-34\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { .. })),
        (format!("o\nbananas\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { .. })),
        (format!("o\n 12\n{ROOT}\n"), |e| matches!(e, CheckpointError::BadSize { .. })),
        (format!("o\n18446744073709551616\n{ROOT}\n"), |e| {
            matches!(e, CheckpointError::BadSize { reason: "does not fit in 64 bits", .. })
        }),
        ("o\n1\nYmFuYW5hcw==\n".into(), |e| matches!(e, CheckpointError::BadRootHash { .. })),
        ("o\n1\nThisIsn'tBase64\n".into(), |e| matches!(e, CheckpointError::BadRootHash { .. })),
        (format!("o\n1\n{}\n", ROOT.trim_end_matches('=')), |e| matches!(e, CheckpointError::BadRootHash { .. })),
        // 'I' = 001000 and 'J' = 001001: the last two bits of a one-'=' group must be zero.
        (format!("o\n1\n{}\n", ROOT.replace("2I=", "2J=")), |e| matches!(e, CheckpointError::BadRootHash { .. })),
        (format!("o\n1\n{}\n", B64.encode([7u8; 33])), |e| matches!(e, CheckpointError::BadRootHash { .. })),
        (format!("o\n0\n{ROOT}\n"), |e| matches!(e, CheckpointError::EmptyTreeRoot)),
    ];
    for (text, want) in cases {
        let err = Checkpoint::parse(&text).unwrap_err();
        assert!(want(&err), "{text:?}: {err}");
    }
    assert_eq!(Checkpoint::parse(&format!("o\n0\n{empty_root}\n")).unwrap().size, 0);
}

// ---------------------------------------------------------------------------------------------
// Proof files (c2sp.org/tlog-proof@v1)

fn sumdb_note() -> &'static str {
    "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\
     — sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"
}

#[test]
fn formats_proof_serialization() {
    // transparency-dev/formats proof/tlog_proof_test.go TestMarshal (to_bytes does not check the
    // checkpoint, so the placeholders there serialize the same).
    let h1 = Digest::of(b"hash1");
    let h2 = Digest::of(b"hash2");
    let (b1, b2) = (B64.encode(h1.0), B64.encode(h2.0));
    let cases = [
        (
            TlogProof { extra: None, index: 5, hashes: vec![h1, h2], checkpoint: b"test checkpoint\n".to_vec() },
            format!("c2sp.org/tlog-proof@v1\nindex 5\n{b1}\n{b2}\n\ntest checkpoint\n"),
        ),
        (
            TlogProof {
                extra: Some(b"extra information".to_vec()),
                index: 10,
                hashes: vec![h1],
                checkpoint: b"checkpoint data\n".to_vec(),
            },
            format!(
                "c2sp.org/tlog-proof@v1\nextra {}\nindex 10\n{b1}\n\ncheckpoint data\n",
                B64.encode("extra information")
            ),
        ),
        (
            TlogProof { extra: None, index: 0, hashes: vec![], checkpoint: b"checkpoint\n".to_vec() },
            "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n".to_owned(),
        ),
    ];
    for (proof, want) in cases {
        assert_eq!(String::from_utf8(proof.to_bytes()).unwrap(), want);
    }
}

#[test]
fn c2sp_proof_example_header_round_trips() {
    // tlog-proof.md's example header, verbatim; its checkpoint is elided there ("[...]"), so a real
    // signed checkpoint stands in.
    let header = "c2sp.org/tlog-proof@v1\n\
                  extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n\
                  index 73894\n\
                  gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n\
                  B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n\
                  EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n\
                  RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n\
                  AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\n";
    let bytes = format!("{header}{}", sumdb_note());
    let proof = TlogProof::parse(bytes.as_bytes()).unwrap();
    assert_eq!(proof.index, 73894);
    assert_eq!(proof.hashes.len(), 5);
    assert!(proof.extra.as_ref().unwrap().starts_with(b"age-v1.2.1-darwin-arm64.tar.gz"));
    assert_eq!(proof.checkpoint, sumdb_note().as_bytes());
    assert_eq!(proof.to_bytes(), bytes.as_bytes());
    let (note, cp) = proof.parse_checkpoint().unwrap();
    assert_eq!(cp.size, 6476701);
    assert_eq!(verify(&note, &[vkey(SUMDB_VKEY)]).unwrap().len(), 1);
}

#[test]
fn proof_parse_rules() {
    let h = B64.encode(Digest::of(b"a").0);
    let cp = sumdb_note();
    let ok = format!("c2sp.org/tlog-proof@v1\nindex 0\n{h}\n\n{cp}");
    assert!(TlogProof::parse(ok.as_bytes()).is_ok());
    let no_hashes = format!("c2sp.org/tlog-proof@v1\nindex 6476700\n\n{cp}");
    assert_eq!(TlogProof::parse(no_hashes.as_bytes()).unwrap().hashes, []);
    let many = format!("{h}\n").repeat(65);
    let cases: Vec<Case<CheckpointError>> = vec![
        // transparency-dev/formats TestUnmarshalErrors
        (format!("wrong-header\nindex 0\n\n{cp}"), |e| matches!(e, CheckpointError::ProofHeader)),
        (format!("c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadExtra { .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\n\n\n{cp}"), |e| matches!(e, CheckpointError::MissingIndex)),
        (format!("c2sp.org/tlog-proof@v1\nindex notanumber\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadIndex { .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex -5\n\n{cp}"), |e| matches!(e, CheckpointError::BadIndex { .. })),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadProofHash { line: 3, .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n{}\n\n{cp}", B64.encode([0u8; 64])), |e| {
            matches!(e, CheckpointError::BadProofHash { .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 0\n{}\n", "a".repeat(65 * 1024)), |e| {
            matches!(e, CheckpointError::BadProofHash { .. })
        }),
        // More rules
        (format!("c2sp.org/tlog-proof@v1 \nindex 0\n\n{cp}"), |e| matches!(e, CheckpointError::ProofHeader)),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\nextra AA==\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadProofHash { line: 3, .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\n{h}\n\n{cp}"), |e| matches!(e, CheckpointError::MissingIndex)),
        (format!("c2sp.org/tlog-proof@v1\nindex 01\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadIndex { reason: "has a leading zero", .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex  1\n\n{cp}"), |e| matches!(e, CheckpointError::BadIndex { .. })),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}x\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadProofHash { line: 3, .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\n{}\n\n{cp}", &h[..43]), |e| {
            matches!(e, CheckpointError::BadProofHash { line: 4, .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\r\n\n{cp}"), |e| {
            matches!(e, CheckpointError::BadProofHash { line: 3, .. })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{many}\n{cp}"), |e| {
            matches!(e, CheckpointError::TooManyHashes { max: 64 })
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\n"), |e| matches!(e, CheckpointError::MissingCheckpoint)),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\n\n"), |e| matches!(e, CheckpointError::MissingCheckpoint)),
        ("c2sp.org/tlog-proof@v1\nindex 1\n\ncheckpoint\n".into(), |e| matches!(e, CheckpointError::Note(_))),
        (format!("c2sp.org/tlog-proof@v1\nindex 1\n\n{PETER_TEXT}\n{PETER_SIG}"), |e| {
            matches!(e, CheckpointError::ProofCheckpoint(_))
        }),
        (format!("c2sp.org/tlog-proof@v1\nindex 6476701\n\n{cp}"), |e| {
            matches!(e, CheckpointError::IndexOutOfRange { index: 6476701, size: 6476701 })
        }),
    ];
    for (bytes, want) in cases {
        let err = TlogProof::parse(bytes.as_bytes()).unwrap_err();
        assert!(want(&err), "{:?}: {err}", bytes.get(..80));
    }
}

#[test]
fn colophon_checkpoint_rules() {
    let cp = |origin: &str, size: u64, ext: &[&str]| {
        let root = if size == 0 { Digest::of(b"") } else { Digest::of(b"r") };
        Checkpoint { origin: origin.into(), size, root, extensions: ext.iter().map(|e| e.to_string()).collect() }
    };
    assert!(cp("example.org/t", 1, &[]).check_colophon("example.org/t").is_ok());
    assert!(matches!(
        cp("example.org/u", 1, &[]).check_colophon("example.org/t"),
        Err(CheckpointError::OriginMismatch { .. })
    ));
    assert!(matches!(cp("example.org/t", 0, &[]).check_colophon("example.org/t"), Err(CheckpointError::EmptyLedger)));
    assert!(matches!(
        cp("example.org/t", 5, &["x"]).check_colophon("example.org/t"),
        Err(CheckpointError::ExtensionLines { count: 1 })
    ));
}
