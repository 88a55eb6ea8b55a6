//! Property tests for the parsers of untrusted input: ledger lines, signed notes, checkpoints,
//! tlog-proof files, keyrings and diff scripts. The fuzz targets in `fuzz/` explore the same entry
//! points for much longer; these run in `cargo test`.
//!
//! The normalization properties against the step-by-step reference live in `src/normalize.rs`;
//! here, through the public API, `words/v2` (spec/ledger.md §9.5) is checked to keep every numeric
//! form it must not fold, to fold full-width digits to the same digits, and to be idempotent and
//! unaffected by a prior `text/v1`. The compute/apply round trip of diff scripts is in `src/diff.rs`.

use colophon::format::diff::{Op, Script, lines};
use colophon::format::entry::parse_line;
use colophon::format::hash::Digest;
use colophon::format::keys::NamedKey;
use colophon::format::normalize::Profile;
use colophon::log::checkpoint::{Checkpoint, MAX_PROOF_HASHES, TlogProof};
use colophon::log::note::{Note, Signature};
use colophon::log::trust::Keyring;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

const HISTORY: &str = include_str!("../spec/vectors/ledger/valid-history.txt");

/// The key lines of the RFC 8032 test keys that sign the ledger vectors (spec/vectors/README.md).
const KEY_LINES: [&str; 3] = [
    "ed25519 bcd1d56b5845f21e54ce5b764fc1d552 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= Olga Owner",
    "ed25519 f1cde99f5266a116e0235e170f3fcd1a PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw= Tina Translator",
    "ed25519 6ddd9d1e905243cee17328b54a8a7f1e /FHNjmIYoaONpH7QAjDwWAgW7RO6MwOsXeuRFUiQgCU= Edo Editor",
];

/// A witness vkey (cosignature/v1) for keyring fragments.
const WITNESS_VKEY: &str = "witness.example/w1+362083a4+BEWfjd23xzylJJHdTcJZTX+N5PMBkCwAtvVCPmzoFr4f";

/// The ledger of `valid-history.txt`: the bytes after the header block.
fn history() -> &'static str {
    HISTORY.split_once("\n\n").map(|(_, body)| body).expect("vector has headers and a body")
}

fn history_lines() -> Vec<&'static str> {
    history().lines().collect()
}

fn vector_keys() -> Vec<NamedKey> {
    KEY_LINES.iter().map(|l| NamedKey::parse_line(l).expect("vector key line")).collect()
}

/// Whether a single line is accepted on its own: it parses, and its signature verifies under the
/// vector key it names. (Chain, state and text checks need the whole ledger: see `audit`.)
fn line_accepted(line: &[u8], keys: &[NamedKey]) -> bool {
    let Ok(p) = parse_line(line) else { return false };
    let Some(k) = keys.iter().find(|k| k.key.id() == p.entry.signer) else { return false };
    colophon::format::signing::verify_entry(&k.key.0, &p.signed_bytes, &p.entry.sig)
}

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR the byte at (index mod len) with a non-zero mask.
    Flip(usize, u8),
    /// Insert a byte before (index mod (len + 1)).
    Insert(usize, u8),
    /// Delete the byte at (index mod len).
    Delete(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn mutate(mut v: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        match *m {
            Mutation::Flip(i, mask) if !v.is_empty() => {
                let n = v.len();
                v[i % n] ^= mask;
            }
            Mutation::Insert(i, b) => {
                let at = i % (v.len() + 1);
                v.insert(at, b);
            }
            Mutation::Delete(i) if !v.is_empty() => {
                let n = v.len();
                v.remove(i % n);
            }
            _ => {}
        }
    }
    v
}

/// Envelope members (spec/ledger.md §6.1), the members of every body type, and an unknown one.
fn member() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "v",
        "seq",
        "prev",
        "type",
        "critical",
        "signer",
        "time",
        "body",
        "sig",
        "origin",
        "name",
        "key",
        "roles",
        "work",
        "lang",
        "of",
        "diff",
        "sha256",
        "size",
        "norm",
        "media_type",
        "note",
        "tag",
        "urls",
        "original",
        "translation",
        "release",
        "reason",
        "role",
        "parent",
        "x",
    ])
}

/// Values for those members: the right shapes and the wrong ones.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!(null)),
        Just(json!(false)),
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(9007199254740991u64)),
        Just(json!("")),
        Just(json!("genesis")),
        Just(json!("key")),
        Just(json!("revoke")),
        Just(json!("version")),
        Just(json!("release")),
        Just(json!("cosign")),
        Just(json!("x-ext")),
        Just(json!("it")),
        Just(json!("en-GB")),
        Just(json!("translator")),
        Just(json!("original")),
        Just(json!("translation")),
        Just(json!("text/plain; charset=utf-8")),
        Just(json!("bcd1d56b5845f21e54ce5b764fc1d552")),
        Just(json!("9fa532c64ae3772453af410aa04c1cf635bdd433cdca0603bdb474fdd875d5af")),
        Just(json!("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")),
        Just(json!("2026-01-15T10:00:00Z")),
        Just(json!("2026-02-30T10:00:00Z")),
        Just(json!("A".repeat(86) + "==")),
        Just(json!([["+", "a\n"]])),
        Just(json!({"text/v1": "9fa532c64ae3772453af410aa04c1cf635bdd433cdca0603bdb474fdd875d5af"})),
        any::<u64>().prop_map(Value::from),
        "[a-z0-9./:@-]{0,12}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(member(), inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// Text for a note or checkpoint line: no control character below U+0020 (DEL and C1 allowed).
fn note_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9./ +=\u{7f}\u{85}\u{a0}\u{2014}é€😀-]{0,40}",
        any::<String>().prop_map(|s| s.chars().filter(|&c| c >= ' ').take(40).collect()),
    ]
}

fn non_empty_note_line() -> impl Strategy<Value = String> {
    note_line().prop_map(|s| if s.is_empty() { "x".to_string() } else { s })
}

/// A key name signed-note allows: non-empty, no Unicode space, no '+', no control character.
fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9./_:-]{1,30}",
        any::<String>().prop_map(|s| {
            let n: String = s.chars().filter(|&c| c >= ' ' && c != '+' && !c.is_whitespace()).take(30).collect();
            if n.is_empty() { "k".to_string() } else { n }
        }),
    ]
}

fn signature() -> impl Strategy<Value = Signature> {
    (key_name(), any::<u32>(), prop::collection::vec(any::<u8>(), 1..80)).prop_map(|(name, key_id, bytes)| Signature {
        name,
        key_id,
        bytes,
    })
}

fn note() -> impl Strategy<Value = Note> {
    (prop::collection::vec(note_line(), 1..6), prop::collection::vec(signature(), 1..5)).prop_map(|(lines, sigs)| {
        let mut text = String::new();
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        Note { text, sigs }
    })
}

fn checkpoint() -> impl Strategy<Value = Checkpoint> {
    (
        non_empty_note_line(),
        prop_oneof![Just(0u64), 1u64..1000, any::<u64>()],
        any::<[u8; 32]>(),
        prop::collection::vec(non_empty_note_line(), 0..3),
    )
        .prop_map(|(origin, size, root, extensions)| {
            // RFC 6962: the only root of the empty tree is SHA-256("").
            let root = if size == 0 { Digest::of(b"") } else { Digest(root) };
            Checkpoint { origin, size, root, extensions }
        })
}

fn tlog_proof() -> impl Strategy<Value = TlogProof> {
    (
        checkpoint().prop_filter("a proof needs a leaf", |c| c.size > 0),
        any::<u64>(),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..64)),
        prop::collection::vec(any::<[u8; 32]>(), 0..=MAX_PROOF_HASHES),
        prop::collection::vec(signature(), 1..3),
    )
        .prop_map(|(cp, index, extra, hashes, sigs)| TlogProof {
            extra,
            index: index % cp.size,
            hashes: hashes.into_iter().map(Digest).collect(),
            checkpoint: Note { text: cp.to_text(), sigs }.to_bytes(),
        })
}

/// Text built from fragments of the note, checkpoint and proof formats, to get past the first checks.
fn structured_text(fragments: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(fragments), 0..24).prop_map(|v| v.concat())
}

const NOTE_FRAGMENTS: &[&str] = &[
    "\n",
    "\n\n",
    "\u{2014} ",
    " ",
    "+",
    "c2sp.org/tlog-proof@v1\n",
    "extra ",
    "index ",
    "0",
    "7",
    "18446744073709551616",
    "demo.example/ponte\n",
    "8\n",
    "p9kSAzo4qR+7P7KPTsjyhV4oyWX1PPar5VVJNDEWbqY=\n",
    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    "VIpgRYt4B5DSlxFhrRQ9+OlpW+o6dqujDmLRLs1HKX53qBuyaVkRkXhZCb9z3CYMhELQoOeNA5rg7QL83Vy62QyOxgU=",
    "AAAAAAA=",
    "=",
    "\t",
    "\u{85}",
    "é",
    "colophon/consistency-proof@v1\n",
    "old ",
    "new ",
];

/// One keyring line: a valid key, witness, quorum or comment line, possibly mutated, or junk.
fn keyring_line() -> impl Strategy<Value = String> {
    let valid = prop_oneof![
        prop::sample::select(KEY_LINES.to_vec()).prop_map(str::to_string),
        Just(format!("witness {WITNESS_VKEY}")),
        (0usize..4).prop_map(|n| format!("quorum {n}")),
        Just("# comment".to_string()),
        Just(String::new()),
        Just("  \t".to_string()),
    ];
    prop_oneof![
        4 => valid.clone(),
        4 => (valid, prop::collection::vec(mutation(), 1..3))
            .prop_map(|(l, m)| String::from_utf8_lossy(&mutate(l.into_bytes(), &m)).into_owned()),
        1 => any::<String>(),
    ]
}

fn keyring_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(keyring_line(), 0..8), prop::bool::ANY)
        .prop_map(|(lines, crlf)| lines.iter().map(|l| format!("{l}{}", if crlf { "\r\n" } else { "\n" })).collect())
}

/// A JSON value shaped like a diff script: mostly well-formed operations on short lines, with
/// every kind of defect the format rejects mixed in.
fn script_json() -> impl Strategy<Value = Value> {
    let count = prop_oneof![
        12 => (1u64..4).prop_map(Value::from),
        1 => Just(json!(0)),
        1 => Just(json!(u64::MAX)),
        1 => Just(json!(-1)),
        1 => Just(json!(1.0)),
        1 => Just(json!("1")),
        1 => Just(Value::Null),
    ];
    let line = prop_oneof![
        12 => "[ab]{1,2}\n".prop_map(Value::from),
        2 => "[ab\r\n]{0,4}".prop_map(Value::from),
        1 => Just(json!(1)),
        1 => any::<String>().prop_map(Value::from),
    ];
    let op = prop_oneof![
        6 => count.clone().prop_map(|n| json!(["=", n])),
        6 => count.clone().prop_map(|n| json!(["-", n])),
        6 => prop::collection::vec(line, 0..4).prop_map(|ls| {
            Value::Array(std::iter::once(json!("+")).chain(ls).collect())
        }),
        1 => (count.clone(), count).prop_map(|(a, b)| json!(["=", a, b])),
        1 => Just(json!([])),
        1 => Just(json!(["*", 1])),
        1 => Just(json!("=")),
        1 => Just(json!({"=": 1})),
    ];
    prop_oneof![
        16 => prop::collection::vec(op, 0..6).prop_map(|ops| {
            // Mostly alternate the kinds, as a canonical script does; sometimes keep a repeat.
            let mut out: Vec<Value> = Vec::new();
            for (i, op) in ops.into_iter().enumerate() {
                let same = out.last().and_then(|p| p.get(0)).is_some_and(|k| Some(k) == op.get(0));
                if !same || i % 5 == 4 {
                    out.push(op);
                }
            }
            Value::Array(out)
        }),
        1 => Just(json!({})),
        1 => Just(json!("script")),
    ]
}

/// A base text and a script fitted to its line count (so that most apply), as JSON, sometimes
/// with one member of one operation replaced by a defect.
fn base_and_fitted_script() -> impl Strategy<Value = (String, Value)> {
    (
        prop::collection::vec("[ab]{1,2}\n", 0..8),
        prop::bool::ANY,
        prop::collection::vec((0u8..3, 1u64..4, prop::collection::vec("[ab]{0,2}\n?", 1..3)), 0..8),
        prop::option::of((any::<prop::sample::Index>(), 0usize..3, json_value())),
    )
        .prop_map(|(base_lines, unterminated, picks, defect)| {
            let mut base = base_lines.concat();
            if unterminated && base.ends_with('\n') {
                base.pop();
            }
            let mut left = base_lines.len() as u64;
            let mut ops: Vec<Op> = Vec::new();
            let push = |ops: &mut Vec<Op>, op: Op| match (ops.last_mut(), op) {
                (Some(Op::Keep(a)), Op::Keep(b)) | (Some(Op::Delete(a)), Op::Delete(b)) => *a += b,
                (Some(Op::Insert(a)), Op::Insert(b)) => a.extend(b),
                (_, op) => ops.push(op),
            };
            for (kind, n, ins) in picks {
                let n = n.min(left);
                match kind {
                    0 if n > 0 => push(&mut ops, Op::Keep(n)),
                    1 if n > 0 => push(&mut ops, Op::Delete(n)),
                    2 => push(&mut ops, Op::Insert(ins)),
                    _ => {}
                }
                if kind < 2 {
                    left -= n;
                }
            }
            if left > 0 {
                push(&mut ops, Op::Keep(left));
            }
            let mut json = Script { ops }.to_json();
            if let (Some((which, member, v)), Value::Array(items)) = (defect, &mut json)
                && !items.is_empty()
            {
                let at = which.index(items.len());
                if let Some(Value::Array(parts)) = items.get_mut(at) {
                    let m = member.min(parts.len().saturating_sub(1));
                    parts[m] = v;
                }
            }
            (base, json)
        })
}

fn base_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "([ab]{1,2}\n){0,6}",
        2 => "([ab]{1,2}\n){0,5}[ab]{1,2}",
        1 => "[ab\r\n]{0,16}",
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn parse_line_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_line(&bytes);
    }

    /// Valid entries with envelope or body members removed or replaced, written canonically: the
    /// schema checks of every entry type see well-formed JSON with one thing wrong (or nothing).
    #[test]
    fn parse_line_never_panics_on_edited_entries(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<bool>(), member(), prop::option::of(json_value())), 1..4),
    ) {
        let lines = history_lines();
        let line = lines[which.index(lines.len())];
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(line) else {
            return Err(TestCaseError::fail("vector line is not a JSON object"));
        };
        for (in_body, key, value) in edits {
            let target = if in_body {
                match obj.get_mut("body") {
                    Some(Value::Object(body)) => body,
                    _ => &mut obj,
                }
            } else {
                &mut obj
            };
            match value {
                None => {
                    target.remove(key);
                }
                Some(v) => {
                    target.insert(key.to_string(), v);
                }
            }
        }
        if let Ok(line) = colophon::format::jcs::to_vec(&Value::Object(obj))
            && let Ok(p) = parse_line(&line)
        {
            // Accepted lines are canonical, so the entry writes them back byte for byte.
            prop_assert_eq!(p.entry.to_line(), Ok(line.clone()));
            prop_assert_eq!(p.entry.signed_bytes(), Ok(p.signed_bytes.clone()));
        }
    }

    /// Any change to a signed, valid line is caught: the line no longer parses, or its signature
    /// no longer verifies; in the ledger, the audit reports a problem.
    #[test]
    fn mutated_valid_line_is_rejected(
        which in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let lines = history_lines();
        let keys = vector_keys();
        let at = which.index(lines.len());
        let original = lines[at].as_bytes();
        prop_assert!(line_accepted(original, &keys));
        let mutated = mutate(original.to_vec(), &muts);
        prop_assume!(mutated != original);
        // A mutation that inserts a newline splits the line: check each piece.
        let pieces: Vec<&[u8]> = mutated.split(|&b| b == b'\n').collect();
        prop_assert!(
            pieces.iter().all(|p| !line_accepted(p, &keys)),
            "mutated line accepted: {:?}",
            String::from_utf8_lossy(&mutated)
        );
        let mut ledger = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            ledger.extend_from_slice(if i == at { &mutated } else { l.as_bytes() });
            ledger.push(b'\n');
        }
        let report = colophon::log::audit::audit(ledger.as_slice(), None);
        prop_assert!(!report.is_clean(), "audit accepted a ledger with line {} mutated", at + 1);
    }

    #[test]
    fn note_round_trips(n in note()) {
        let bytes = n.to_bytes();
        prop_assert_eq!(Note::parse(&bytes).ok(), Some(n));
    }

    #[test]
    fn checkpoint_round_trips(c in checkpoint()) {
        let text = c.to_text();
        prop_assert_eq!(Checkpoint::parse(&text).ok(), Some(c));
    }

    #[test]
    fn tlog_proof_round_trips(p in tlog_proof()) {
        let bytes = p.to_bytes();
        prop_assert_eq!(TlogProof::parse(&bytes).ok(), Some(p));
    }

    #[test]
    fn note_parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_note_parsers(&bytes)?;
    }

    #[test]
    fn note_parsers_never_panic_on_structured_text(s in structured_text(NOTE_FRAGMENTS)) {
        check_note_parsers(s.as_bytes())?;
    }

    #[test]
    fn mutated_notes_and_proofs_never_panic(
        p in tlog_proof(),
        part in 0usize..2,
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let bytes = if part == 0 { p.to_bytes() } else { p.checkpoint.clone() };
        check_note_parsers(&mutate(bytes, &muts))?;
    }

    #[test]
    fn keyring_parse_never_panics(s in prop_oneof![1 => any::<String>(), 4 => keyring_text()]) {
        if let Ok(ring) = Keyring::parse(Path::new("f"), &s) {
            prop_assert!(ring.quorum <= ring.witnesses.len());
            for k in &ring.keys {
                prop_assert_eq!(NamedKey::parse_line(&k.to_line()), Ok(k.clone()));
            }
        }
        for line in s.lines() {
            if let Ok(k) = NamedKey::parse_line(line) {
                // Blanks at the end of a key line are removed before it is parsed (§5.3).
                prop_assert_eq!(k.to_line(), line.trim_end());
            }
        }
    }

    #[test]
    fn keyring_of_valid_lines_parses(
        picks in prop::collection::vec(0usize..6, 0..8),
    ) {
        let mut text = String::new();
        let mut witnesses = 0;
        for p in &picks {
            match p {
                0..=2 => text.push_str(KEY_LINES[*p]),
                3 => {
                    text.push_str("witness ");
                    text.push_str(WITNESS_VKEY);
                    witnesses += 1;
                }
                4 => text.push_str("# a comment"),
                _ => {}
            }
            text.push('\n');
        }
        text.push_str(&format!("quorum {witnesses}\n"));
        let ring = Keyring::parse(Path::new("f"), &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ring.witnesses.len(), witnesses);
        prop_assert_eq!(ring.quorum, witnesses);
        let distinct = (0..3).filter(|i| picks.contains(i)).count();
        prop_assert_eq!(ring.keys.len(), distinct);
    }

    /// Arbitrary script JSON never panics (see `check_script` for what is checked when it parses).
    #[test]
    fn diff_scripts_never_panic(script in script_json(), base in base_text()) {
        check_script(&script, &base)?;
    }

    #[test]
    fn fitted_diff_scripts_never_panic((base, script) in base_and_fitted_script()) {
        check_script(&script, &base)?;
    }

    #[test]
    fn diff_scripts_never_panic_on_any_json(script in any::<String>(), base in base_text()) {
        if let Ok(v) = serde_json::from_str::<Value>(&script)
            && let Ok(s) = Script::from_json(&v)
        {
            let _ = s.apply(&base);
        }
    }
}

/// A script as JSON on `base`: never a panic; an accepted script's JSON round-trips, and when it
/// applies its counts account for every base line and every output line (spec/ledger.md §8.3).
fn check_script(script: &Value, base: &str) -> Result<(), TestCaseError> {
    let Ok(s) = Script::from_json(script) else { return Ok(()) };
    prop_assert_eq!(Script::from_json(&s.to_json()), Ok(s.clone()));
    let Ok(out) = s.apply(base) else { return Ok(()) };
    let (mut kept, mut deleted, mut added) = (0u64, 0u64, 0u64);
    for op in &s.ops {
        match op {
            Op::Keep(n) => kept += n,
            Op::Delete(n) => deleted += n,
            Op::Insert(l) => added += l.len() as u64,
        }
    }
    prop_assert_eq!(kept + deleted, lines(base).count() as u64);
    prop_assert_eq!(kept + added, lines(&out).count() as u64);
    Ok(())
}

/// Every note-format parser on `bytes`: none may panic, and what parses must write back the input.
fn check_note_parsers(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(n) = Note::parse(bytes) {
        prop_assert_eq!(n.to_bytes(), bytes);
    }
    if let Ok(p) = TlogProof::parse(bytes) {
        prop_assert_eq!(p.to_bytes(), bytes);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(c) = Checkpoint::parse(text) {
            prop_assert_eq!(c.to_text(), text);
        }
        if let Ok(v) = colophon::log::note::Verifier::parse_vkey(text) {
            prop_assert_eq!(colophon::log::note::Verifier::parse_vkey(&v.to_vkey()).ok(), Some(v));
        }
        let _ = colophon::log::transparency::parse_consistency_proof(text);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// words/v2 (spec/ledger.md §9.5) through the public API

/// Code points `words/v2` must leave as they are (its table of classes not folded): superscripts and
/// subscripts (with their minus signs), vulgar fractions, the fraction slash, circled and dingbat
/// digits, Roman numerals, mathematical digits and letters, primes, modifier letters.
const KEPT_NUMERIC: &[char] = &[
    '\u{B2}',
    '\u{B3}',
    '\u{B9}',
    '\u{2070}',
    '\u{2074}',
    '\u{2075}',
    '\u{2076}',
    '\u{2079}',
    '\u{207A}',
    '\u{207B}',
    '\u{207C}',
    '\u{207D}',
    '\u{207E}',
    '\u{207F}',
    '\u{2080}',
    '\u{2082}',
    '\u{2089}',
    '\u{208B}',
    '\u{BC}',
    '\u{BD}',
    '\u{BE}',
    '\u{2150}',
    '\u{2153}',
    '\u{215F}',
    '\u{2189}',
    '\u{2044}',
    '\u{2460}',
    '\u{2469}',
    '\u{2474}',
    '\u{2488}',
    '\u{24EA}',
    '\u{2776}',
    '\u{3251}',
    '\u{2160}',
    '\u{216B}',
    '\u{217F}',
    '\u{2188}',
    '\u{1D7CE}',
    '\u{1D7D8}',
    '\u{1D400}',
    '\u{2032}',
    '\u{2033}',
    '\u{2B0}',
    '\u{2BC}',
];

/// The ASCII digit a superscript or subscript digit would become under NFKC.
fn flattened(c: char) -> Option<char> {
    match c {
        '\u{B2}' => Some('2'),
        '\u{B3}' => Some('3'),
        '\u{B9}' => Some('1'),
        '\u{2070}' | '\u{2074}'..='\u{2079}' => char::from_digit(c as u32 - 0x2070, 10),
        '\u{2080}'..='\u{2089}' => char::from_digit(c as u32 - 0x2080, 10),
        _ => None,
    }
}

fn numeric_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => prop::sample::select(KEPT_NUMERIC.to_vec()),
        3 => prop::sample::select(vec!['0', '1', '2', '6', 'x', 'm', 'g', '.', ',', '/', '-']),
        1 => Just(' '),
    ];
    prop::collection::vec(c, 0..32).prop_map(|v| v.into_iter().collect())
}

/// What `words/v2` makes of text with nothing to fold: White_Space runs collapsed and trimmed, runs
/// of `-` collapsed.
fn collapsed(s: &str) -> String {
    let mut out = String::new();
    for c in s.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ").chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn words_v2_keeps_numeric_forms(s in numeric_text()) {
        prop_assert_eq!(Profile::WordsV2.apply(&s), collapsed(&s));
    }

    #[test]
    fn words_v2_never_equates_a_superscript_with_its_flat_digit(s in numeric_text()) {
        let flat: String = s.chars().map(|c| flattened(c).unwrap_or(c)).collect();
        if flat != s {
            prop_assert_ne!(Profile::WordsV2.apply(&s), Profile::WordsV2.apply(&flat));
        }
    }

    #[test]
    fn words_v2_folds_fullwidth_digits_to_the_same_digits(n in any::<u64>()) {
        let ascii = n.to_string();
        let wide: String = ascii.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        prop_assert_eq!(Profile::WordsV2.apply(&wide), ascii);
    }

    #[test]
    fn words_v2_is_idempotent_and_ignores_a_prior_text_v1(s in prop_oneof![numeric_text(), any::<String>()]) {
        let w = Profile::WordsV2.apply(&s);
        prop_assert_eq!(Profile::WordsV2.apply(&w), w.clone());
        prop_assert_eq!(Profile::WordsV2.apply(&Profile::TextV1.apply(&s)), w);
    }
}
