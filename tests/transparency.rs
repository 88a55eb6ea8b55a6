//! Integration tests of the transparency layer (spec/transparency.md) that drive the real
//! `colophon` binary: checkpoints, `audit --since` against rewritten histories, inclusion and
//! consistency proofs, bundles with proofs and their forgeries, witnesses and quorums, and static
//! tiles. Rewritten and forged ledgers are built with the library so that they are valid ledgers
//! in every respect but the one under test. Every test works in its own temporary directory, with
//! the environment variables that could leak in removed, and never touches the network.

mod common;

use base64::Engine as _;
use colophon::format::entry::{Body, Entry, KeyReg, Role, parse_line};
use colophon::format::hash::{Digest, entry_hash, leaf_hash};
use colophon::format::keys::SecretKey;
use common::{Env, LEDGER};
use serde_json::Value;
use std::collections::HashMap;
const ORIGIN: &str = "example.org/translations";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

const ORIGINAL_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Diceva: \"D'inverno il fiume parla con una voce più bassa.\"
Oggi il ponte è chiuso, ma la sua voce è ancora qui.
";

const TRANSLATION_EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
Today the bridge is closed, but its voice is still here.
";

const TRANSLATION_EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge on her way to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
Today the bridge is closed, but its voice is still here.
";

/// A different second version, for forks of the log.
const TRANSLATION_EN_FORK: &str = "\
The Stone Bridge of Cortà

Each morning my grandmother walked over the stone bridge to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
Today the bridge is closed, but its voice is still here.
";

/// A ledger's lines, without their LF.
fn lines(ledger: &[u8]) -> Vec<Vec<u8>> {
    let body = ledger.strip_suffix(b"\n").expect("a ledger ends with LF");
    body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// A ledger's entries, each with its entry hash.
fn entries(ledger: &[u8]) -> Vec<(Digest, Entry)> {
    lines(ledger)
        .iter()
        .map(|l| {
            let p = parse_line(l).unwrap_or_else(|e| panic!("unparsable ledger line: {e:?}"));
            (p.hash, p.entry)
        })
        .collect()
}

/// Rewrites history the way a dishonest owner holding every key could: renumbers the entries,
/// re-chains them, points every reference (parent, of, release, cosign) at the rewritten entries,
/// and re-signs each entry with its signer's key. The result is a valid ledger of its own.
fn rechain(entries: Vec<(Digest, Entry)>, keys: &[SecretKey]) -> Vec<u8> {
    let mut renamed: HashMap<Digest, Digest> = HashMap::new();
    let map = |renamed: &HashMap<Digest, Digest>, d: Digest| renamed.get(&d).copied().unwrap_or(d);
    let mut out = Vec::new();
    let mut prev = None;
    for (seq, (old, e)) in entries.into_iter().enumerate() {
        let key = keys.iter().find(|k| k.id() == e.signer).expect("the secret key of every signer");
        let mut body = e.body;
        match &mut body {
            Body::Version(v) => {
                v.parent = v.parent.map(|d| map(&renamed, d));
                v.of = v.of.map(|d| map(&renamed, d));
            }
            Body::Release(r) => {
                r.translation = map(&renamed, r.translation);
                r.original = map(&renamed, r.original);
            }
            Body::Cosign(c) => c.release = map(&renamed, c.release),
            _ => {}
        }
        let signed = Entry::sign(seq as u64, prev, e.time, body, key).expect("sign entry");
        let line = signed.to_line().expect("serialize entry");
        let h = entry_hash(&line);
        renamed.insert(old, h);
        prev = Some(h);
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out
}

/// RFC 6962 MTH over leaf hashes, written independently of the crate.
fn mth(leaves: &[Digest]) -> Digest {
    use sha2::Digest as _;
    match leaves.len() {
        0 => Digest(sha2::Sha256::digest(b"").into()),
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            let (l, r) = (mth(&leaves[..k]), mth(&leaves[k..]));
            let mut h = sha2::Sha256::new();
            h.update([1u8]);
            h.update(l.0);
            h.update(r.0);
            Digest(h.finalize().into())
        }
    }
}

/// The base64 root of a checkpoint file's third line, as hex.
fn checkpoint_root_hex(note: &str) -> String {
    let root = note.lines().nth(2).expect("a root line");
    hex::encode(B64.decode(root).expect("base64 root"))
}

fn checkpoint_size(note: &str) -> u64 {
    note.lines().nth(1).expect("a size line").parse().expect("decimal size")
}

/// Re-signs a checkpoint's text with another key (under the log's name), dropping the original
/// signatures: the same tree, vouched for by the wrong key.
fn resign_checkpoint(note: &[u8], key: &SecretKey) -> Vec<u8> {
    let mut n = colophon::log::note::Note::parse(note).expect("a signed note");
    let origin = n.text.lines().next().expect("origin line").to_string();
    n.sigs = vec![colophon::log::note::sign(&n.text, &origin, &key.signing).expect("sign note")];
    n.to_bytes()
}

/// Flips one bit of the first hash line after the `index` line of a tlog-proof.
fn flip_proof_hash(proof: &str, which: usize) -> String {
    let mut ls: Vec<String> = proof.split('\n').map(str::to_string).collect();
    let at = ls.iter().position(|l| l.starts_with("index ")).expect("an index line") + 1 + which;
    let mut h = B64.decode(&ls[at]).expect("a base64 hash line");
    assert_eq!(h.len(), 32, "line {at} of the proof is not a hash");
    h[17] ^= 0x04;
    ls[at] = B64.encode(h);
    ls.join("\n")
}

/// Flips one bit of the first hash of a consistency proof file.
fn flip_consistency_hash(proof: &str) -> String {
    let mut ls: Vec<String> = proof.split('\n').map(str::to_string).collect();
    let mut h = B64.decode(&ls[3]).expect("a base64 hash line");
    h[0] ^= 0x80;
    ls[3] = B64.encode(h);
    ls.join("\n")
}

/// The status codes of a JSON audit's problems.
fn problem_codes(j: &Value) -> Vec<String> {
    j["problems"]
        .as_array()
        .expect("a problems array")
        .iter()
        .map(|p| p["code"].as_str().expect("a problem code").to_string())
        .collect()
}

/// The audit facts that a tiles audit must reproduce.
fn audit_facts(j: &Value) -> (Value, Value, Value, Value) {
    (j["lines"].clone(), j["valid_entries"].clone(), j["texts_verified"].clone(), j["merkle_root"].clone())
}

/// The standard log: Olga owns it; Tina (translator) records ponte:it@1 and ponte:en@1 and
/// releases ponte@v1; Edo (editor) cosigns — 7 entries, checkpointed as `old.cp`. Then Tina
/// records ponte:en@2 and releases ponte@v2 — 9 entries, checkpointed as `new.cp`. A stranger
/// (`sam`) and a witness (`w1`) have keys but no part in the ledger.
fn standard() -> Env {
    let env = Env::new();
    for (name, prefix) in
        [("Olga Bianchi", "olga"), ("Tina Rossi", "tina"), ("Edo Marini", "edo"), ("Sam Stranger", "sam")]
    {
        env.keygen(name, prefix);
    }
    env.keygen("Witness One", "w1");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("ponte.it.txt", ORIGINAL_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "old.cp"]);
    env.write("bridge.en.txt", TRANSLATION_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    env.write("copy.txt", TRANSLATION_EN_2);
    env
}

/// The keys of everyone who signs in the standard log.
fn signers(env: &Env) -> Vec<SecretKey> {
    ["olga", "tina", "edo"].iter().map(|p| env.secret(p)).collect()
}

/// A fork of the standard log: its first `keep` lines, then ponte:en@2 with another text and
/// ponte@v2, all signed by the same keys; checkpointed by Olga into `cp_name`.
fn fork(env: &Env, name: &str, keep: usize, cp_name: &str) {
    let mut bytes = Vec::new();
    for l in lines(&env.read(LEDGER)).iter().take(keep) {
        bytes.extend_from_slice(l);
        bytes.push(b'\n');
    }
    env.write(name, bytes);
    env.write("fork.en.txt", TRANSLATION_EN_FORK);
    env.ok(&["--ledger", name, "record", "fork.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["--ledger", name, "release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["--ledger", name, "checkpoint", "--key", "olga.key", "-o", cp_name]);
}

// ---------------------------------------------------------------------------------------------
// 1. Checkpoints
// ---------------------------------------------------------------------------------------------

#[test]
fn checkpoint_is_a_c2sp_signed_note_kept_beside_the_ledger() {
    let env = standard();
    let note = env.read_string("new.cp");
    assert!(note.ends_with('\n'), "a signed note ends with LF: {note:?}");
    let ls: Vec<&str> = note.strip_suffix('\n').expect("LF").split('\n').collect();
    assert_eq!(ls.len(), 5, "origin, size, root, blank line, one signature line: {note:?}");
    assert_eq!(ls[0], ORIGIN);
    assert_eq!(ls[1], "9");
    let root = B64.decode(ls[2]).expect("base64 root");
    assert_eq!(root.len(), 32);
    assert_eq!(B64.encode(&root), ls[2], "canonical base64");
    assert_eq!(ls[3], "");
    let sig_line = ls[4].strip_prefix(&format!("— {ORIGIN} ")).expect("`— <origin> <sig>`");
    let sig = B64.decode(sig_line).expect("base64 signature");
    assert_eq!(sig.len(), 4 + 64, "key id and Ed25519 signature");
    // The key id is the signed-note one (spec §3.1).
    let olga_pub = env.secret("olga").public();
    let id = colophon::log::note::key_id(ORIGIN, 0x01, olga_pub.0.as_bytes());
    assert_eq!(sig[..4], id.to_be_bytes());
    // The root is the ledger's Merkle root.
    let audit = env.ok(&["audit", "--json"]).json();
    assert_eq!(audit["merkle_root"].as_str(), Some(hex::encode(&root).as_str()));
    // Kept beside the ledger.
    assert_eq!(env.read("colophon.jsonl.checkpoint"), note.as_bytes());

    // Without -o the note is printed; --json gives its fields.
    let r = env.ok(&["checkpoint", "--key", "olga.key"]);
    assert!(r.stdout.starts_with(&format!("{ORIGIN}\n9\n{}\n\n— {ORIGIN} ", ls[2])), "{r}");
    let j = env.ok(&["--json", "checkpoint", "--key", "olga.key"]).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["origin"], ORIGIN);
    assert_eq!(j["size"], 9);
    assert_eq!(j["root"].as_str(), Some(hex::encode(&root).as_str()));
}

#[test]
fn checkpoint_refuses_a_key_that_is_not_an_owner() {
    let env = standard();
    for key in ["tina.key", "sam.key"] {
        let r = env.fails(&["checkpoint", "--key", key, "-o", "bad.cp"], 2);
        r.assert_stderr("not an owner key");
    }
    assert!(!env.path("bad.cp").exists());
}

#[test]
fn checkpoint_refuses_to_sign_a_rewritten_ledger() {
    let env = standard();
    let mut es = entries(&env.read(LEDGER));
    let Body::Version(v) = &mut es[4].1.body else { panic!("entry 4 is ponte:en@1") };
    v.note = Some("quietly rewritten".into());
    env.write("rewritten.jsonl", rechain(es, &signers(&env)));
    std::fs::copy(env.path("colophon.jsonl.checkpoint"), env.path("rewritten.jsonl.checkpoint")).expect("copy");
    env.fails(&["--ledger", "rewritten.jsonl", "checkpoint", "--key", "olga.key", "-o", "bad.cp"], 2)
        .assert_stderr("refusing to sign");
}

// ---------------------------------------------------------------------------------------------
// 2. audit --since
// ---------------------------------------------------------------------------------------------

#[test]
fn audit_since_an_old_checkpoint_reports_the_extension() {
    let env = standard();
    let r = env.ok(&["audit", "--since", "old.cp"]);
    r.assert_stdout("append-only extension of the checkpoint of size 7");
    let j = env.ok(&["--json", "audit", "--since", "old.cp"]).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["since"]["size"], 7);
    assert_eq!(j["since"]["root"].as_str(), Some(checkpoint_root_hex(&env.read_string("old.cp")).as_str()));
    // The newest checkpoint is an extension of itself.
    env.ok(&["audit", "--since", "new.cp"]);
}

/// Writes a rewritten ledger, checks it audits clean on its own, and that `audit --since old.cp`
/// catches the rewrite (and only that).
fn assert_rewrite_caught(env: &Env, name: &str, rewritten: Vec<u8>) {
    env.write(name, rewritten);
    let clean = env.run(&["--ledger", name, "--json", "audit"]);
    clean.assert_code(0);
    assert_eq!(clean.json()["problems"], serde_json::json!([]), "{name} must be a valid ledger of its own");
    let r = env.fails(&["--ledger", name, "audit", "--since", "old.cp"], 1);
    r.assert_stdout("checkpoint.inconsistent");
    let j = env.fails(&["--ledger", name, "--json", "audit", "--since", "old.cp"], 1).json();
    assert_eq!(j["ok"], false);
    assert_eq!(problem_codes(&j), ["checkpoint.inconsistent"], "{name}: {j:#}");
    // The report names the size and both roots (spec §8).
    let msg = j["problems"][0]["message"].as_str().expect("a message").to_string();
    let old_root = checkpoint_root_hex(&env.read_string("old.cp"));
    assert!(msg.contains('7'), "{name}: {msg}");
    if lines(&env.read(name)).len() >= 7 {
        assert!(msg.contains(&old_root), "{name}: {msg}");
    }
}

#[test]
fn audit_since_catches_a_changed_entry_with_everything_after_it_re_signed() {
    let env = standard();
    let mut es = entries(&env.read(LEDGER));
    let Body::Version(v) = &mut es[4].1.body else { panic!("entry 4 is ponte:en@1") };
    v.note = Some("quietly rewritten".into());
    let rewritten = rechain(es, &signers(&env));
    assert_eq!(lines(&rewritten).len(), 9);
    assert_rewrite_caught(&env, "changed.jsonl", rewritten);
}

#[test]
fn audit_since_catches_two_reordered_entries() {
    let env = standard();
    let mut es = entries(&env.read(LEDGER));
    es.swap(1, 2); // Edo's registration before Tina's
    assert_rewrite_caught(&env, "reordered.jsonl", rechain(es, &signers(&env)));
}

#[test]
fn audit_since_catches_a_dropped_entry() {
    let env = standard();
    let mut es = entries(&env.read(LEDGER));
    let dropped = es.remove(6);
    assert_eq!(dropped.1.body.kind(), "cosign");
    assert_rewrite_caught(&env, "dropped.jsonl", rechain(es, &signers(&env)));
}

#[test]
fn audit_since_catches_a_ledger_shorter_than_the_checkpoint() {
    let env = standard();
    let mut es = entries(&env.read(LEDGER));
    es.truncate(6);
    assert_rewrite_caught(&env, "short.jsonl", rechain(es, &signers(&env)));
}

#[test]
fn audit_since_refuses_a_checkpoint_not_signed_by_an_owner() {
    let env = standard();
    let old = env.read("old.cp");
    for (signer, file) in [("tina", "tina.cp"), ("sam", "sam.cp")] {
        env.write(file, resign_checkpoint(&old, &env.secret(signer)));
        env.fails(&["audit", "--since", file], 1).assert_stdout("checkpoint.signature");
        let j = env.fails(&["--json", "audit", "--since", file], 1).json();
        assert_eq!(problem_codes(&j), ["checkpoint.signature"]);
    }
}

#[test]
fn audit_since_refuses_a_checkpoint_of_another_log() {
    let env = standard();
    env.ok(&["--ledger", "other.jsonl", "init", "--origin", "example.org/other", "--key", "olga.key"]);
    env.ok(&["--ledger", "other.jsonl", "checkpoint", "--key", "olga.key", "-o", "other.cp"]);
    env.fails(&["audit", "--since", "other.cp"], 1).assert_stdout("checkpoint.origin");
    let j = env.fails(&["--json", "audit", "--since", "other.cp"], 1).json();
    assert_eq!(problem_codes(&j), ["checkpoint.origin"]);
}

// ---------------------------------------------------------------------------------------------
// 3. Inclusion proofs
// ---------------------------------------------------------------------------------------------

#[test]
fn inclusion_proof_verifies_with_the_owner_key_only() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte@v1", "-o", "p.tlog-proof"]).assert_stdout("inclusion proof of entry #5");
    let proof = env.read_string("p.tlog-proof");
    assert!(proof.starts_with("c2sp.org/tlog-proof@v1\n"), "{proof}");
    assert!(proof.contains("\nindex 5\n"), "{proof}");
    assert!(proof.ends_with(&env.read_string("new.cp")), "the proof carries the kept checkpoint verbatim");
    env.ok(&["verify-proof", "p.tlog-proof", "--trust", "olga.pub"])
        .assert_stdout("included: entry #5 (release")
        .assert_stdout("signed by Olga Bianchi");
    let j = env.ok(&["--json", "verify-proof", "p.tlog-proof", "--trust", "olga.pub"]).json();
    assert_eq!(j["kind"], "inclusion");
    assert_eq!(j["index"], 5);
    assert_eq!(j["checkpoint"]["size"], 9);

    env.fails(&["verify-proof", "p.tlog-proof", "--trust", "sam.pub"], 1).assert_stdout("checkpoint.signature");
    // Tina is trusted by nobody as the log.
    env.fails(&["verify-proof", "p.tlog-proof", "--trust", "tina.pub"], 1).assert_stdout("checkpoint.signature");
    // No trust at all is a usage error.
    env.fails(&["verify-proof", "p.tlog-proof"], 2);
}

#[test]
fn inclusion_proof_with_any_hash_bit_flipped_is_rejected() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte@v1", "-o", "p.tlog-proof"]);
    let proof = env.read_string("p.tlog-proof");
    let n = proof.split('\n').skip_while(|l| !l.starts_with("index ")).skip(1).take_while(|l| !l.is_empty()).count();
    assert!(n >= 3, "a proof in a tree of 9 has at least 3 hashes:\n{proof}");
    for which in 0..n {
        env.write("flipped.tlog-proof", flip_proof_hash(&proof, which));
        let r = env.fails(&["verify-proof", "flipped.tlog-proof", "--trust", "olga.pub"], 1);
        r.assert_stdout("proof.inclusion");
    }
}

#[test]
fn inclusion_proof_for_another_index_is_rejected() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte@v1", "-o", "p5.tlog-proof"]);
    env.ok(&["prove", "inclusion", "ponte:en@1", "-o", "p4.tlog-proof"]);
    let p5 = env.read_string("p5.tlog-proof");
    let p4 = env.read_string("p4.tlog-proof");
    // The right path and entry, but another index.
    env.write("idx.tlog-proof", p5.replace("\nindex 5\n", "\nindex 4\n"));
    env.fails(&["verify-proof", "idx.tlog-proof", "--trust", "olga.pub"], 1).assert_stdout("proof.inclusion");
    // Entry 5 carried with the path of entry 4 (and its index).
    let extra5 = p5.lines().find(|l| l.starts_with("extra ")).expect("extra line");
    let extra4 = p4.lines().find(|l| l.starts_with("extra ")).expect("extra line");
    env.write("spliced.tlog-proof", p4.replace(extra4, extra5));
    env.fails(&["verify-proof", "spliced.tlog-proof", "--trust", "olga.pub"], 1).assert_stdout("proof.inclusion");
    // Entry 4's proof checked against the line of entry 5 given with --entry.
    let line5 = &lines(&env.read(LEDGER))[5];
    env.write("line5", line5);
    env.fails(&["verify-proof", "p4.tlog-proof", "--entry", "line5", "--trust", "olga.pub"], 1)
        .assert_stdout("proof.inclusion");
}

#[test]
fn inclusion_proof_against_an_older_checkpoint() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte@v1", "--checkpoint", "old.cp", "-o", "p.tlog-proof"]);
    assert!(env.read_string("p.tlog-proof").ends_with(&env.read_string("old.cp")));
    env.ok(&["verify-proof", "p.tlog-proof", "--trust", "olga.pub"]).assert_stdout("at size 7");
    // ponte:en@2 is not covered by the old checkpoint.
    env.fails(&["prove", "inclusion", "ponte:en@2", "--checkpoint", "old.cp", "-o", "q.tlog-proof"], 2);
    // A checkpoint of a fork is not a checkpoint of this ledger.
    fork(&env, "fork.jsonl", 7, "fork.cp");
    env.fails(&["prove", "inclusion", "ponte@v1", "--checkpoint", "fork.cp", "-o", "q.tlog-proof"], 1)
        .assert_stderr("history was rewritten");
}

// ---------------------------------------------------------------------------------------------
// 4. Consistency proofs
// ---------------------------------------------------------------------------------------------

#[test]
fn consistency_proof_between_two_checkpoints() {
    let env = standard();
    env.ok(&["prove", "consistency", "old.cp", "new.cp", "-o", "c.proof"]);
    let proof = env.read_string("c.proof");
    assert!(proof.starts_with("colophon/consistency-proof@v1\nold 7\nnew 9\n"), "{proof}");
    env.ok(&["verify-proof", "c.proof", "--old", "old.cp", "--new", "new.cp", "--trust", "olga.pub"])
        .assert_stdout("consistent:");
    let j = env.ok(&["--json", "verify-proof", "c.proof", "--old", "old.cp", "--new", "new.cp", "--trust", "olga.pub"]);
    assert_eq!(j.json()["kind"], "consistency");

    env.write("flipped.proof", flip_consistency_hash(&proof));
    env.fails(&["verify-proof", "flipped.proof", "--old", "old.cp", "--new", "new.cp", "--trust", "olga.pub"], 1)
        .assert_stdout("proof.consistency");
    // A stranger's key vouches for neither checkpoint.
    env.fails(&["verify-proof", "c.proof", "--old", "old.cp", "--new", "new.cp", "--trust", "sam.pub"], 1)
        .assert_stdout("checkpoint.signature");
    // The proof against a fork's checkpoint of the new size.
    fork(&env, "fork.jsonl", 7, "fork.cp");
    env.fails(&["verify-proof", "c.proof", "--old", "old.cp", "--new", "fork.cp", "--trust", "olga.pub"], 1)
        .assert_stdout("proof.consistency");
    // `prove consistency` refuses a checkpoint that is not of this ledger.
    env.fails(&["prove", "consistency", "old.cp", "fork.cp", "-o", "bad.proof"], 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Bundles with checkpoints and proofs
// ---------------------------------------------------------------------------------------------

fn bundle_json(env: &Env, name: &str) -> Value {
    serde_json::from_slice(&env.read(name)).expect("a JSON bundle")
}

fn write_json(env: &Env, name: &str, v: &Value) {
    env.write(name, serde_json::to_vec_pretty(v).expect("serialize"));
}

/// The standard log with `b.bundle` for ponte@v2, written after `new.cp`.
fn with_bundle() -> Env {
    let env = standard();
    env.ok(&["bundle", "ponte@v2", "--out", "b.bundle"]).assert_stdout("a signed checkpoint and an inclusion proof");
    env
}

#[test]
fn bundle_carries_a_checkpoint_and_a_proof_per_entry() {
    let env = with_bundle();
    let b = bundle_json(&env, "b.bundle");
    let cp = b["checkpoint"].as_str().expect("a checkpoint member");
    assert_eq!(cp, env.read_string("new.cp"));
    let es = b["entries"].as_array().expect("entries");
    let proofs = b["proofs"].as_array().expect("a proofs member");
    assert_eq!(es.len(), proofs.len());
    for (e, p) in es.iter().zip(proofs) {
        let seq = parse_line(e.as_str().expect("line").as_bytes()).expect("entry").entry.seq;
        let p = p.as_str().expect("proof string");
        assert!(p.starts_with(&format!("c2sp.org/tlog-proof@v1\nindex {seq}\n")), "{p}");
        assert!(p.ends_with(cp), "each proof carries the bundle's checkpoint");
    }
    let r = env.ok(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
    r.assert_stdout("matches release ponte@v2").assert_stdout("checkpoint of example.org/translations at size 9");
    let j = env.ok(&["--json", "verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["checkpoint"]["size"], 9);
}

#[test]
fn bundle_with_a_flipped_proof_hash_is_rejected() {
    let env = with_bundle();
    let mut b = bundle_json(&env, "b.bundle");
    let n = b["proofs"].as_array().expect("proofs").len();
    for i in [0, n - 1] {
        let mut forged = b.clone();
        let p = forged["proofs"][i].as_str().expect("proof").to_string();
        forged["proofs"][i] = Value::from(flip_proof_hash(&p, 0));
        write_json(&env, "forged.bundle", &forged);
        let r = env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1);
        r.assert_any("proof.inclusion");
        let j = env.fails(&["--json", "verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1);
        assert_eq!(j.json()["status"], "proof.inclusion");
    }
    // Dropping a proof is no better: with a checkpoint, a bundle has one proof per entry, checked
    // with its wrapper before any entry (spec/verify.md §3.3).
    b["proofs"].as_array_mut().expect("proofs").pop();
    write_json(&env, "forged.bundle", &b);
    env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1)
        .assert_any("bundle.invalid");
}

#[test]
fn bundle_whose_checkpoint_another_key_signed_is_rejected() {
    let env = with_bundle();
    let b = bundle_json(&env, "b.bundle");
    let cp = b["checkpoint"].as_str().expect("checkpoint").to_string();
    // Tina holds a key of this very ledger, but not an owner key; Sam holds none.
    for signer in ["tina", "sam"] {
        let forged_cp = String::from_utf8(resign_checkpoint(cp.as_bytes(), &env.secret(signer))).expect("UTF-8");
        let mut forged = b.clone();
        forged["checkpoint"] = Value::from(forged_cp.clone());
        for p in forged["proofs"].as_array_mut().expect("proofs") {
            *p = Value::from(p.as_str().expect("proof").replace(&cp, &forged_cp));
        }
        write_json(&env, "forged.bundle", &forged);
        for trust in ["olga.pub", "sam.pub", "tina.pub"] {
            env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", trust], 1)
                .assert_any("checkpoint.signature");
        }
        // Only the top-level checkpoint replaced: the proofs no longer match it either.
        let mut forged = b.clone();
        forged["checkpoint"] = Value::from(forged_cp);
        write_json(&env, "forged.bundle", &forged);
        env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1);
    }
}

#[test]
fn bundle_with_an_entry_from_another_ledger_is_rejected() {
    let env = with_bundle();
    // A fork where Olga registered Tina under another name: a valid, Olga-signed entry of the
    // same origin and seq, which is not in the checkpointed log.
    let mut es = entries(&env.read(LEDGER));
    let Body::Key(k) = &mut es[1].1.body else { panic!("entry 1 registers Tina") };
    k.name = "Tina Rossi (forked)".into();
    let other = lines(&rechain(es, &signers(&env)))[1].clone();
    let b = bundle_json(&env, "b.bundle");
    let at = b["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .position(|e| parse_line(e.as_str().expect("line").as_bytes()).expect("entry").entry.seq == 1)
        .expect("the bundle carries Tina's registration");
    let mut forged = b.clone();
    forged["entries"][at] = Value::from(String::from_utf8(other).expect("UTF-8"));
    write_json(&env, "forged.bundle", &forged);
    let r = env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1);
    r.assert_any("proof.inclusion");
    // Stripped of its checkpoint and proofs, the same forged bundle is refused too: a bundle must
    // be anchored (spec/verify.md §3.5) ...
    let mut bare = forged.clone();
    bare.as_object_mut().expect("object").remove("checkpoint");
    bare.as_object_mut().expect("object").remove("proofs");
    write_json(&env, "bare.bundle", &bare);
    let j = env.fails(&["--json", "verify", "copy.txt", "--bundle", "bare.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "bundle.unanchored");
    // ... and only a reader who gives that up explicitly gets a verdict, which says it.
    env.ok(&["verify", "copy.txt", "--bundle", "bare.bundle", "--trust", "olga.pub", "--insecure-ignore-log"])
        .assert_stdout("log:      NONE");
}

#[test]
fn bundle_without_a_checkpoint_says_so_and_fails_a_witness_quorum() {
    let env = with_bundle();
    let mut b = bundle_json(&env, "b.bundle");
    b.as_object_mut().expect("object").remove("checkpoint");
    b.as_object_mut().expect("object").remove("proofs");
    write_json(&env, "bare.bundle", &b);
    env.fails(&["verify", "copy.txt", "--bundle", "bare.bundle", "--trust", "olga.pub"], 1)
        .assert_stderr("carries no checkpoint");
    env.ok(&["verify", "copy.txt", "--bundle", "bare.bundle", "--trust", "olga.pub", "--insecure-ignore-log"])
        .assert_stdout("carries no checkpoint");
    let vkey = env.ok(&["vkey", "w1.pub", "--name", "witness.example/w1", "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
    let insecure = ["verify", "copy.txt", "--bundle", "bare.bundle", "--trust", "ring.txt", "--insecure-ignore-log"];
    let r = env.fails(&insecure, 1);
    r.assert_stdout("checkpoint.quorum");
    let j = env.fails(&[&["--json"][..], &insecure[..]].concat(), 1).json();
    assert_eq!(j["status"], "checkpoint.quorum");
    // The bundle with its (uncosigned) checkpoint fails the quorum too.
    env.fails(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "ring.txt"], 1)
        .assert_any("checkpoint.quorum");
}

#[test]
fn verify_with_a_seen_checkpoint_and_a_consistency_proof() {
    let env = with_bundle();
    env.ok(&["prove", "consistency", "old.cp", "new.cp", "-o", "c.proof"]);
    let base = ["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(extra).copied().collect() };
    env.ok(&with(&["--checkpoint", "old.cp", "--consistency", "c.proof"]))
        .assert_stdout("consistent with the checkpoint you saw (size 7)");
    // The same checkpoint needs no proof.
    env.ok(&with(&["--checkpoint", "new.cp"]));
    // Different sizes without a proof cannot be shown consistent.
    env.fails(&with(&["--checkpoint", "old.cp"]), 1).assert_stdout("proof.consistency");
    // A flipped proof.
    env.write("flipped.proof", flip_consistency_hash(&env.read_string("c.proof")));
    env.fails(&with(&["--checkpoint", "old.cp", "--consistency", "flipped.proof"]), 1)
        .assert_stdout("proof.consistency");
}

#[test]
fn verify_with_a_seen_checkpoint_of_a_fork_is_inconsistent() {
    let env = with_bundle();
    let base = ["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(extra).copied().collect() };
    // Same origin, same owner, same size, another history.
    fork(&env, "fork.jsonl", 7, "fork.cp");
    assert_eq!(checkpoint_size(&env.read_string("fork.cp")), 9);
    env.fails(&with(&["--checkpoint", "fork.cp"]), 1).assert_stdout("checkpoint.inconsistent");
    let j = env.fails(&[vec!["--json"], with(&["--checkpoint", "fork.cp"])].concat(), 1).json();
    assert_eq!(j["status"], "checkpoint.inconsistent");
    // A fork of size 8 with an honest proof from the real size 8 to 9 is still caught.
    let mut prefix = Vec::new();
    for l in lines(&env.read(LEDGER)).iter().take(8) {
        prefix.extend_from_slice(l);
        prefix.push(b'\n');
    }
    env.write("real8.jsonl", prefix);
    env.ok(&["--ledger", "real8.jsonl", "checkpoint", "--key", "olga.key", "-o", "real8.cp"]);
    env.ok(&["prove", "consistency", "real8.cp", "new.cp", "-o", "c8.proof"]);
    let mut f8 = Vec::new();
    for l in lines(&env.read("fork.jsonl")).iter().take(8) {
        f8.extend_from_slice(l);
        f8.push(b'\n');
    }
    env.write("fork8.jsonl", f8);
    env.ok(&["--ledger", "fork8.jsonl", "checkpoint", "--key", "olga.key", "-o", "fork8.cp"]);
    env.ok(&with(&["--checkpoint", "real8.cp", "--consistency", "c8.proof"]));
    env.fails(&with(&["--checkpoint", "fork8.cp", "--consistency", "c8.proof"]), 1).assert_stdout("proof.consistency");
}

// ---------------------------------------------------------------------------------------------
// 6. Witnesses
// ---------------------------------------------------------------------------------------------

const W1: &str = "witness.example/w1";

/// `witness CP` as the witness W1 (key `w1.key`, state file `st`, the log's key
/// `olga.pub`), writing the cosigned checkpoint to OUT, then `extra`.
fn witness<'a>(cp: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v =
        vec!["witness", cp, "--key", "w1.key", "--name", W1, "--state", "st", "--log-key", "olga.pub", "-o", out];
    v.extend_from_slice(extra);
    v
}

fn cosign(env: &Env, cp: &str, out: &str) -> common::Run {
    env.run(&witness(cp, out, &[]))
}

#[test]
fn vkey_prints_a_witness_line() {
    let env = standard();
    let line = env.ok(&["vkey", "w1.pub", "--name", W1, "--witness"]).stdout;
    let rest = line.strip_prefix(&format!("witness {W1}+")).expect("`witness <name>+`").trim_end();
    let (id, key) = rest.split_once('+').expect("<id>+<key>");
    assert_eq!(id.len(), 8);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
    let raw = B64.decode(key).expect("base64 key");
    assert_eq!(raw.len(), 33);
    assert_eq!(raw[0], 0x04, "a cosignature/v1 key");
    let pk = env.secret("w1").public();
    assert_eq!(&raw[1..], pk.0.as_bytes());
    let want = colophon::log::note::key_id(W1, 0x04, pk.0.as_bytes());
    assert_eq!(id, format!("{want:08x}"));
    // Without --witness: an Ed25519 vkey of type 0x01, no `witness` prefix.
    let plain = env.ok(&["vkey", "olga.pub", "--name", ORIGIN]).stdout;
    assert!(plain.starts_with(&format!("{ORIGIN}+")), "{plain}");
}

#[test]
fn witness_cosignature_meets_a_quorum() {
    let env = standard();
    cosign(&env, "new.cp", "cosigned").assert_code(0);
    let cosigned = env.read_string("cosigned");
    let new = env.read_string("new.cp");
    assert!(cosigned.starts_with(&new), "the owner's note, then one more line");
    let extra: Vec<&str> = cosigned[new.len()..].lines().collect();
    assert_eq!(extra.len(), 1, "{cosigned}");
    let sig = B64.decode(extra[0].strip_prefix(&format!("— {W1} ")).expect("a witness line")).expect("base64");
    assert_eq!(sig.len(), 4 + 8 + 64, "key id, timestamp, signature");

    let vkey = env.ok(&["vkey", "w1.pub", "--name", W1, "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
    env.ok(&["prove", "inclusion", "ponte@v2", "--checkpoint", "cosigned", "-o", "pw.tlog-proof"]);
    // A witness cosignature's time is shown, as the witness's claim (spec/verify.md §2.2).
    env.ok(&["verify-proof", "pw.tlog-proof", "--trust", "ring.txt"])
        .assert_stdout(&format!("cosigned: {W1} at "))
        .assert_match(r"cosigned: \S+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(the witness's claim\)");
    let j = env.ok(&["--json", "verify-proof", "pw.tlog-proof", "--trust", "ring.txt"]).json();
    assert_eq!(j["checkpoint"]["witnesses"][0][0], W1);
    // The same entry against the uncosigned checkpoint: below quorum.
    env.ok(&["prove", "inclusion", "ponte@v2", "-o", "p.tlog-proof"]);
    env.fails(&["verify-proof", "p.tlog-proof", "--trust", "ring.txt"], 1).assert_stdout("checkpoint.quorum");
    // Without a quorum line the cosignature is reported, not required.
    env.write("ring0.txt", format!("{}{vkey}", env.read_string("olga.pub")));
    env.ok(&["verify-proof", "p.tlog-proof", "--trust", "ring0.txt"]);
    env.ok(&["verify-proof", "pw.tlog-proof", "--trust", "ring0.txt"]).assert_stdout(W1);
    // A cosignature with a flipped bit rejects the checkpoint (spec §4.2).
    let mut bad = B64.decode(extra[0].rsplit(' ').next().expect("b64")).expect("b64");
    bad[40] ^= 1;
    let forged = env.read_string("pw.tlog-proof").replace(extra[0], &format!("— {W1} {}", B64.encode(bad)));
    env.write("forged.tlog-proof", forged);
    env.fails(&["verify-proof", "forged.tlog-proof", "--trust", "ring0.txt"], 1);
}

#[test]
fn witness_cosigns_an_extension_and_refuses_rollback_and_forks() {
    let env = standard();
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    cosign(&env, "new.cp", "new.cosigned").assert_code(0); // consistency proof from the ledger
    let state = env.read("st");
    let st: Value = serde_json::from_slice(&state).expect("JSON state");
    assert_eq!(st["logs"][ORIGIN][0], 9);

    let r = env.fails(&witness("old.cp", "x", &[]), 1);
    r.assert_stderr("checkpoint.inconsistent");
    assert!(!env.path("x").exists());

    fork(&env, "fork.jsonl", 7, "fork.cp");
    assert_eq!(checkpoint_size(&env.read_string("fork.cp")), 9);
    let r = env.fails(&witness("fork.cp", "x", &[]), 1);
    r.assert_stderr("checkpoint.inconsistent");
    assert_eq!(env.read("st"), state, "the state is unchanged after a refusal");

    // A checkpoint signed by a key the witness does not know as the log's.
    env.write("sam.cp", resign_checkpoint(&env.read("new.cp"), &env.secret("sam")));
    env.fails(&witness("sam.cp", "x", &[]), 1).assert_stderr("checkpoint.signature");
}

#[test]
fn witness_refuses_a_fork_that_extends_what_it_saw() {
    let env = standard();
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    // A fork of the first 6 lines, grown to size 8: not an extension of the size 7 it cosigned.
    fork(&env, "fork.jsonl", 6, "fork.cp");
    let state = env.read("st");
    let r = env.fails(&[&["--ledger", "fork.jsonl"][..], &witness("fork.cp", "x", &[])].concat(), 1);
    r.assert_stderr("checkpoint.");
    assert_eq!(env.read("st"), state);
}

// ---------------------------------------------------------------------------------------------
// 7. Tiles
// ---------------------------------------------------------------------------------------------

/// `audit --json` of the ledger and `audit --tiles DIR --json` agree on every count and the root.
fn assert_tiles_audit_matches(env: &Env, dir: &str) {
    let file = env.ok(&["--json", "audit"]).json();
    let tiles = env.ok(&["--json", "audit", "--tiles", dir]).json();
    assert_eq!(tiles["ok"], true);
    assert_eq!(audit_facts(&file), audit_facts(&tiles), "file:\n{file:#}\ntiles:\n{tiles:#}");
}

/// The colophon entry bundle of `ls`: each line prefixed by its length as a big-endian u32.
fn wide_bundle(ls: &[Vec<u8>]) -> Vec<u8> {
    let mut wide = Vec::new();
    for l in ls {
        wide.extend_from_slice(&u32::try_from(l.len()).expect("line").to_be_bytes());
        wide.extend_from_slice(l);
    }
    wide
}

/// The C2SP entry bundle (u16 lengths) and the colophon one (u32 lengths) of `ls`.
fn entry_bundles(ls: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let mut narrow = Vec::new();
    for l in ls {
        narrow.extend_from_slice(&u16::try_from(l.len()).expect("short line").to_be_bytes());
        narrow.extend_from_slice(l);
    }
    (narrow, wide_bundle(ls))
}

fn leaf_tile(ls: &[Vec<u8>]) -> Vec<u8> {
    ls.iter().flat_map(|l| leaf_hash(l).0).collect()
}

#[test]
fn publish_writes_tiles_that_audit_like_the_file() {
    let env = standard();
    let r = env.ok(&["publish", "pub"]);
    r.assert_stdout("Published 9 entries");
    assert_eq!(env.read("pub/checkpoint"), env.read("new.cp"));
    let ls = lines(&env.read(LEDGER));
    assert_eq!(env.read("pub/tile/0/000.p/9"), leaf_tile(&ls));
    let (narrow, wide) = entry_bundles(&ls);
    assert_eq!(env.read("pub/tile/entries/000.p/9"), narrow);
    assert_eq!(env.read("pub/tile/colophon-entries/000.p/9"), wide);
    assert!(!env.path("pub/tile/1").exists(), "a tree of 9 has no level-1 tile");
    assert_tiles_audit_matches(&env, "pub");
    env.ok(&["audit", "--tiles", "file://pub"]);

    // More appends, a checkpoint, publish again.
    env.write("ponte.it.txt", format!("{ORIGINAL_IT}Fine.\n"));
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c10.cp"]);
    let j = env.ok(&["--json", "publish", "pub"]).json();
    assert_eq!(j["published"]["size"], 10);
    assert_eq!(env.read("pub/checkpoint"), env.read("c10.cp"));
    assert_eq!(env.read("pub/tile/0/000.p/10"), leaf_tile(&lines(&env.read(LEDGER))));
    assert_tiles_audit_matches(&env, "pub");
    // A consistency proof from the tiles is the one from the ledger.
    env.ok(&["prove", "consistency", "new.cp", "c10.cp", "--tiles", "pub", "-o", "t.proof"]);
    env.ok(&["prove", "consistency", "new.cp", "c10.cp", "-o", "l.proof"]);
    assert_eq!(env.read("t.proof"), env.read("l.proof"));
    // Another history of the same log is not published over this one.
    fork(&env, "fork.jsonl", 7, "fork.cp");
    let published = env.read("pub/checkpoint");
    env.fails(&["--ledger", "fork.jsonl", "publish", "pub"], 2).assert_stderr("not a prefix");
    assert_eq!(env.read("pub/checkpoint"), published);
}

#[test]
fn audit_of_tampered_tiles_fails() {
    let env = standard();
    env.ok(&["publish", "pub"]);
    let flip = |env: &Env, name: &str, at: usize| {
        let mut b = env.read(name);
        b[at] ^= 0x01;
        env.write(name, &b);
    };
    // One byte inside an entry of the bundle the reader uses.
    let bundle = "pub/tile/colophon-entries/000.p/9";
    let good = env.read(bundle);
    flip(&env, bundle, good.len() / 2);
    env.fails(&["audit", "--tiles", "pub"], 1);
    env.write(bundle, &good);
    // One byte of a length prefix.
    flip(&env, bundle, 3);
    env.fails(&["audit", "--tiles", "pub"], 1);
    // The C2SP bundle alone, when it is the only one.
    std::fs::remove_file(env.path(bundle)).expect("remove");
    env.ok(&["audit", "--tiles", "pub"]);
    let narrow = "pub/tile/entries/000.p/9";
    let n = env.read(narrow).len();
    flip(&env, narrow, n - 10);
    env.fails(&["audit", "--tiles", "pub"], 1);
    env.write(bundle, &good);
    // One byte of a hash tile.
    flip(&env, "pub/tile/0/000.p/9", 40);
    env.fails(&["audit", "--tiles", "pub"], 1);
    flip(&env, "pub/tile/0/000.p/9", 40);
    env.ok(&["audit", "--tiles", "pub"]);
    // A published checkpoint signed by a key that is not the log's.
    let cp = env.read("pub/checkpoint");
    env.write("pub/checkpoint", resign_checkpoint(&cp, &env.secret("sam")));
    env.fails(&["audit", "--tiles", "pub"], 1).assert_stdout("checkpoint.signature");
}

#[test]
fn a_checkpoint_the_published_tiles_do_not_back_is_named() {
    let env = standard();
    env.ok(&["publish", "pub"]);
    // A checkpoint of another history of 10 lines (a copy of the ledger with one more entry),
    // planted over the published one: the tiles it needs are not there.
    env.write("other.jsonl", env.read(LEDGER));
    env.write("other.it.txt", format!("{ORIGINAL_IT}Altro.\n"));
    env.ok(&[
        "--ledger",
        "other.jsonl",
        "record",
        "other.it.txt",
        "--work",
        "ponte",
        "--lang",
        "it",
        "--key",
        "tina.key",
    ]);
    env.ok(&["--ledger", "other.jsonl", "checkpoint", "--key", "olga.key", "-o", "other.cp"]);
    env.write("pub/checkpoint", env.read("other.cp"));
    for args in [&["audit", "--tiles", "pub"][..], &["verify", "copy.txt", "--tiles", "pub", "--trust", "olga.pub"]] {
        let r = env.fails(args, 1);
        r.assert_stderr(&format!(
            "pub: the tiles do not hold the log its checkpoint describes (origin \"{ORIGIN}\", size 10)"
        ));
        r.assert_stderr("the checkpoint may belong to another log, or the tiles are incomplete");
    }
    // A checkpoint of a fork of the same size: the tiles are there, and do not hash to its root.
    fork(&env, "fork.jsonl", 7, "fork.cp");
    env.write("pub/checkpoint", env.read("fork.cp"));
    env.fails(&["audit", "--tiles", "pub"], 1);
}

/// Writes a ledger owned by Olga of `n` lines quickly: genesis, then key registrations of
/// generated keys. Returns the lines.
fn bulk_lines(olga: &SecretKey, n: usize, start: usize, prev: Option<Digest>) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(n);
    let mut prev = prev;
    for seq in start..start + n {
        let body = if seq == 0 {
            Body::Genesis(colophon::format::entry::Genesis {
                origin: ORIGIN.into(),
                name: olga.name.clone(),
                key: olga.public(),
            })
        } else {
            let mut seed = [7u8; 32];
            seed[..8].copy_from_slice(&(seq as u64).to_be_bytes());
            let k = SecretKey::from_seed(&seed, "bulk");
            Body::Key(KeyReg { key: k.public(), name: format!("Bulk Signer {seq}"), roles: vec![Role::Translator] })
        };
        let e = Entry::sign(seq as u64, prev, "2026-01-02T03:04:05Z".into(), body, olga).expect("sign");
        let line = e.to_line().expect("line");
        prev = Some(entry_hash(&line));
        out.push(line);
    }
    out
}

fn append_lines(env: &Env, ls: &[Vec<u8>]) {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new().append(true).create(true).open(env.path(LEDGER)).expect("open ledger");
    for l in ls {
        f.write_all(l).expect("write");
        f.write_all(b"\n").expect("write");
    }
}

#[test]
fn tiles_of_a_ledger_of_more_than_256_entries() {
    use std::os::unix::fs::MetadataExt as _;
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    let olga = env.secret("olga");
    let first = bulk_lines(&olga, 300, 0, None);
    append_lines(&env, &first);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c300.cp"]);
    let j = env.ok(&["--json", "publish", "pub"]).json();
    assert_eq!(j["published"]["size"], 300);
    assert_eq!(env.read("pub/tile/0/000"), leaf_tile(&first[..256]));
    assert_eq!(env.read("pub/tile/0/001.p/44"), leaf_tile(&first[256..]));
    let leaves: Vec<Digest> = first.iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(env.read("pub/tile/1/000.p/1"), mth(&leaves[..256]).0);
    let (narrow, wide) = entry_bundles(&first[..256]);
    assert_eq!(env.read("pub/tile/entries/000"), narrow);
    assert_eq!(env.read("pub/tile/colophon-entries/000"), wide);
    assert_tiles_audit_matches(&env, "pub");

    let full = ["pub/tile/0/000", "pub/tile/entries/000", "pub/tile/colophon-entries/000"];
    let before: Vec<(u64, i64, i64, Vec<u8>)> = full
        .iter()
        .map(|f| {
            let m = std::fs::metadata(env.path(f)).expect("metadata");
            (m.ino(), m.mtime(), m.mtime_nsec(), env.read(f))
        })
        .collect();

    // Grow to 600 and publish again.
    let prev = Some(entry_hash(first.last().expect("a line")));
    let second = bulk_lines(&olga, 300, 300, prev);
    append_lines(&env, &second);
    let all: Vec<Vec<u8>> = first.iter().chain(&second).cloned().collect();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c600.cp"]);
    let j = env.ok(&["--json", "publish", "pub"]).json();
    assert_eq!(j["published"]["size"], 600);
    assert_eq!(j["published"]["tiles_kept"], 1, "{j:#}");
    for (f, b) in full.iter().zip(&before) {
        let m = std::fs::metadata(env.path(f)).expect("metadata");
        assert_eq!((m.ino(), m.mtime(), m.mtime_nsec(), env.read(f)), *b, "{f} was rewritten");
    }
    assert_eq!(env.read("pub/tile/0/001"), leaf_tile(&all[256..512]));
    assert_eq!(env.read("pub/tile/0/002.p/88"), leaf_tile(&all[512..]));
    let leaves: Vec<Digest> = all.iter().map(|l| leaf_hash(l)).collect();
    let level1: Vec<u8> = [mth(&leaves[..256]).0, mth(&leaves[256..512]).0].concat();
    assert_eq!(env.read("pub/tile/1/000.p/2"), level1);
    let (narrow, wide) = entry_bundles(&all[256..512]);
    assert_eq!(env.read("pub/tile/entries/001"), narrow);
    assert_eq!(env.read("pub/tile/colophon-entries/001"), wide);
    assert!(env.path("pub/tile/entries/002.p/88").is_file());
    assert_eq!(checkpoint_root_hex(&env.read_string("c600.cp")), hex::encode(mth(&leaves).0));
    assert_tiles_audit_matches(&env, "pub");

    // Consistency from the tiles alone, checked by a reader.
    env.ok(&["prove", "consistency", "c300.cp", "c600.cp", "--tiles", "pub", "-o", "t.proof"]);
    env.ok(&["prove", "consistency", "c300.cp", "c600.cp", "-o", "l.proof"]);
    assert_eq!(env.read("t.proof"), env.read("l.proof"));
    env.ok(&["verify-proof", "t.proof", "--old", "c300.cp", "--new", "c600.cp", "--trust", "olga.pub"]);
    env.ok(&["audit", "--since", "c300.cp"]);
}

// ---------------------------------------------------------------------------------------------
// 8. A line longer than 65,535 bytes
// ---------------------------------------------------------------------------------------------

#[test]
fn a_line_over_65535_bytes_is_published_only_in_colophon_bundles() {
    let env = standard();
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("Riga {i}: il fiume parla con una voce più bassa, d'inverno.\n"));
    }
    assert!(text.len() > 100_000);
    env.write("lungo.txt", &text);
    env.ok(&["record", "lungo.txt", "--work", "lungo", "--lang", "it", "--key", "tina.key"]);
    let ls = lines(&env.read(LEDGER));
    assert_eq!(ls.len(), 10);
    assert!(ls[9].len() > 65_535, "the version line is {} bytes", ls[9].len());
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c10.cp"]);
    let r = env.ok(&["publish", "pub"]);
    r.assert_stdout("only in the colophon format").assert_stdout("65,535");
    assert_eq!(env.read("pub/tile/colophon-entries/000.p/10"), wide_bundle(&ls));
    assert!(!env.path("pub/tile/entries/000.p/10").exists(), "a u16 bundle cannot hold the line");
    assert_tiles_audit_matches(&env, "pub");
    let j = env.ok(&["--json", "publish", "pub"]).json();
    assert_eq!(j["published"]["colophon_only_bundles"], 1);

    // Its inclusion proof does not carry a line that long; the reader gives it.
    env.ok(&["prove", "inclusion", "lungo:it", "-o", "p.tlog-proof"]);
    assert!(!env.read_string("p.tlog-proof").contains("\nextra "));
    env.fails(&["verify-proof", "p.tlog-proof", "--trust", "olga.pub"], 2).assert_stderr("--entry");
    env.write("line9", &ls[9]);
    env.ok(&["verify-proof", "p.tlog-proof", "--entry", "line9", "--trust", "olga.pub"]);
}

// ---------------------------------------------------------------------------------------------
// 9. Owner keys in effect, malformed signatures, corner cases
// ---------------------------------------------------------------------------------------------

#[test]
fn only_owner_keys_in_effect_at_the_size_sign_checkpoints() {
    let env = standard();
    env.keygen("Olga Second", "olga2");
    env.ok(&["key", "add", "olga2.pub", "--role", "owner", "--key", "olga.key"]); // seq 9
    // Olga's second key was not an owner at size 7.
    env.write("olga2-old.cp", resign_checkpoint(&env.read("old.cp"), &env.secret("olga2")));
    env.fails(&["audit", "--since", "olga2-old.cp"], 1).assert_stdout("checkpoint.signature");
    // It is at size 10; a bundle carries its registration, so readers accept its checkpoint.
    env.ok(&["checkpoint", "--key", "olga2.key", "-o", "c10.cp"]);
    env.ok(&["audit", "--since", "c10.cp"]);
    env.ok(&["bundle", "ponte@v2", "--out", "b.bundle"]);
    env.ok(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"])
        .assert_stdout("size 10 signed by Olga Second");
    // Olga retires her first key; it signs no checkpoint of a size after that.
    let olga_id = env.secret("olga").id().to_hex();
    env.ok(&["key", "revoke", &olga_id, "--reason", "retired", "--key", "olga2.key"]); // seq 10
    env.fails(&["checkpoint", "--key", "olga.key", "-o", "x.cp"], 2).assert_stderr("not an owner key");
    // Her checkpoints of earlier sizes stay valid.
    env.ok(&["audit", "--since", "old.cp"]);
    env.ok(&["audit", "--since", "c10.cp"]);
}

#[test]
fn a_checkpoint_with_a_bad_or_duplicated_known_signature_is_rejected() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte@v1", "-o", "p.tlog-proof"]);
    let proof = env.read_string("p.tlog-proof");
    let sig_line = proof.lines().last().expect("a signature line").to_string();
    assert!(sig_line.starts_with(&format!("— {ORIGIN} ")));
    // The same owner signature twice (spec §3.2 item 6).
    env.write("dup.tlog-proof", format!("{proof}{sig_line}\n"));
    env.fails(&["verify-proof", "dup.tlog-proof", "--trust", "olga.pub"], 1).assert_stdout("checkpoint.");
    // A valid owner signature and an invalid one by another key the reader knows (item 5).
    env.keygen("Olga Second", "olga2");
    let other = resign_checkpoint(&env.read("new.cp"), &env.secret("olga2"));
    let other_line = String::from_utf8(other).expect("UTF-8").lines().last().expect("sig").to_string();
    let mut raw = B64.decode(other_line.rsplit(' ').next().expect("b64")).expect("b64");
    raw[10] ^= 1;
    let bad_line = format!("— {ORIGIN} {}", B64.encode(raw));
    env.write("bad.tlog-proof", format!("{proof}{bad_line}\n"));
    env.write("both.txt", format!("{}{}", env.read_string("olga.pub"), env.read_string("olga2.pub")));
    env.fails(&["verify-proof", "bad.tlog-proof", "--trust", "both.txt"], 1).assert_stdout("checkpoint.signature");
    // A reader who does not know that key ignores the signature (signed-note rules).
    env.ok(&["verify-proof", "bad.tlog-proof", "--trust", "olga.pub"]);
}

#[test]
fn an_inclusion_proof_with_a_hash_too_many_or_too_few_is_rejected() {
    let env = standard();
    env.ok(&["prove", "inclusion", "ponte:it", "-o", "p.tlog-proof"]);
    let proof = env.read_string("p.tlog-proof");
    let (head, tail) = proof.split_once("\n\n").expect("a blank line before the checkpoint");
    let last = head.lines().last().expect("a hash line");
    env.write("more.tlog-proof", format!("{head}\n{last}\n\n{tail}"));
    env.fails(&["verify-proof", "more.tlog-proof", "--trust", "olga.pub"], 1).assert_stdout("proof.inclusion");
    let fewer = head.rsplit_once('\n').expect("lines").0;
    env.write("fewer.tlog-proof", format!("{fewer}\n\n{tail}"));
    env.fails(&["verify-proof", "fewer.tlog-proof", "--trust", "olga.pub"], 1).assert_stdout("proof.inclusion");
}

#[test]
fn consistency_of_a_checkpoint_with_itself() {
    let env = standard();
    env.ok(&["prove", "consistency", "new.cp", "new.cp", "-o", "same.proof"]);
    assert_eq!(env.read_string("same.proof"), "colophon/consistency-proof@v1\nold 9\nnew 9\n");
    env.ok(&["verify-proof", "same.proof", "--old", "new.cp", "--new", "new.cp", "--trust", "olga.pub"]);
    // Given newest first, the proof is still the one from the smaller size.
    env.ok(&["prove", "consistency", "new.cp", "old.cp", "-o", "rev.proof"]);
    assert!(env.read_string("rev.proof").starts_with("colophon/consistency-proof@v1\nold 7\nnew 9\n"));
    // A proof for other sizes than the checkpoints'.
    env.fails(&["verify-proof", "rev.proof", "--old", "new.cp", "--new", "new.cp", "--trust", "olga.pub"], 1)
        .assert_stdout("proof.consistency");
}

#[test]
fn verify_against_the_ledger_with_a_seen_checkpoint() {
    let env = standard();
    env.ok(&["verify", "copy.txt", "--trust", "olga.pub", "--checkpoint", "old.cp"])
        .assert_stdout("the ledger extends the checkpoint you saw (size 7");
    fork(&env, "fork.jsonl", 7, "fork.cp");
    env.fails(&["verify", "copy.txt", "--trust", "olga.pub", "--checkpoint", "fork.cp"], 1)
        .assert_stdout("checkpoint.inconsistent");
    env.write("sam.cp", resign_checkpoint(&env.read("old.cp"), &env.secret("sam")));
    env.fails(&["verify", "copy.txt", "--trust", "olga.pub", "--checkpoint", "sam.cp"], 1)
        .assert_stdout("checkpoint.signature");
}

#[test]
fn verify_with_a_bundle_and_a_seen_checkpoint_not_of_this_log() {
    let env = with_bundle();
    let base = ["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().chain(extra).copied().collect() };
    env.write("sam.cp", resign_checkpoint(&env.read("new.cp"), &env.secret("sam")));
    env.fails(&with(&["--checkpoint", "sam.cp"]), 1).assert_stdout("checkpoint.signature");
    env.ok(&["--ledger", "other.jsonl", "init", "--origin", "example.org/other", "--key", "olga.key"]);
    env.ok(&["--ledger", "other.jsonl", "checkpoint", "--key", "olga.key", "-o", "other.cp"]);
    env.fails(&with(&["--checkpoint", "other.cp"]), 1).assert_stdout("checkpoint.origin");
}

#[test]
fn bundle_whose_checkpoint_names_another_log_is_rejected() {
    let env = with_bundle();
    let b = bundle_json(&env, "b.bundle");
    let cp = b["checkpoint"].as_str().expect("checkpoint").to_string();
    // The same tree under another origin, signed by the owner under that name.
    let text = cp.split_once("\n\n").expect("text").0.replacen(ORIGIN, "example.org/other", 1);
    let olga = env.secret("olga");
    let sig = colophon::log::note::sign(&format!("{text}\n"), "example.org/other", &olga.signing).expect("sign");
    let other = String::from_utf8(colophon::log::note::Note { text: format!("{text}\n"), sigs: vec![sig] }.to_bytes())
        .expect("UTF-8");
    let mut forged = b.clone();
    forged["checkpoint"] = Value::from(other.clone());
    for p in forged["proofs"].as_array_mut().expect("proofs") {
        *p = Value::from(p.as_str().expect("proof").replace(&cp, &other));
    }
    write_json(&env, "forged.bundle", &forged);
    env.fails(&["verify", "copy.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"], 1)
        .assert_any("checkpoint.origin");
}

#[test]
fn audit_since_applies_the_keyrings_witness_quorum() {
    let env = standard();
    let vkey = env.ok(&["vkey", "w1.pub", "--name", W1, "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
    env.fails(&["audit", "--trust", "ring.txt", "--since", "old.cp"], 1).assert_stdout("checkpoint.quorum");
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    env.ok(&["audit", "--trust", "ring.txt", "--since", "old.cosigned"]).assert_stdout(&format!("cosigned: {W1}"));
}

#[test]
fn a_bundle_with_a_cosigned_checkpoint_meets_the_quorum() {
    let env = standard();
    // The owner replaces the kept checkpoint by the witnessed one; bundles then carry it.
    cosign(&env, "new.cp", "colophon.jsonl.checkpoint").assert_code(0);
    env.ok(&["bundle", "ponte@v2", "--out", "b.bundle"]);
    let vkey = env.ok(&["vkey", "w1.pub", "--name", W1, "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
    env.ok(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "ring.txt"])
        .assert_stdout(&format!("cosigned: {W1}"));
    // A second, unknown witness in the keyring does not count toward a quorum of 2.
    env.keygen("Witness Two", "w2");
    let vkey2 = env.ok(&["vkey", "w2.pub", "--name", "witness.example/w2", "--witness"]).stdout;
    env.write("ring2.txt", format!("{}{vkey}{vkey2}quorum 2\n", env.read_string("olga.pub")));
    env.fails(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "ring2.txt"], 1)
        .assert_any("checkpoint.quorum");
}

#[test]
fn tiles_of_exactly_256_entries() {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    let ls = bulk_lines(&env.secret("olga"), 256, 0, None);
    append_lines(&env, &ls);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    env.ok(&["publish", "pub"]);
    let leaves: Vec<Digest> = ls.iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(env.read("pub/tile/0/000"), leaf_tile(&ls));
    assert_eq!(env.read("pub/tile/1/000.p/1"), mth(&leaves).0);
    let mut names: Vec<String> = Vec::new();
    let mut stack = vec![env.path("pub/tile")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                names.push(p.strip_prefix(env.path("pub")).expect("prefix").to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    assert_eq!(names, ["tile/0/000", "tile/1/000.p/1", "tile/colophon-entries/000", "tile/entries/000"]);
    assert_tiles_audit_matches(&env, "pub");
}

/// A note with `text` signed by `key` under the log's name.
fn signed_note(text: &str, key: &SecretKey) -> Vec<u8> {
    let sig = colophon::log::note::sign(text, ORIGIN, &key.signing).expect("sign");
    colophon::log::note::Note { text: text.to_string(), sigs: vec![sig] }.to_bytes()
}

#[test]
fn owner_signed_notes_that_are_not_colophon_checkpoints_are_rejected() {
    let env = standard();
    let olga = env.secret("olga");
    let old = env.read_string("old.cp");
    let root = old.lines().nth(2).expect("root").to_string();
    let empty_root = B64.encode(Digest::of(b"").0);
    let cases = [
        ("size0.cp", format!("{ORIGIN}\n0\n{empty_root}\n")),
        ("ext.cp", format!("{ORIGIN}\n7\n{root}\nextension line\n")),
        ("zero.cp", format!("{ORIGIN}\n07\n{root}\n")),
        ("plus.cp", format!("{ORIGIN}\n+7\n{root}\n")),
        ("short.cp", format!("{ORIGIN}\n7\n{}\n", B64.encode([1u8; 31]))),
    ];
    for (name, text) in cases {
        env.write(name, signed_note(&text, &olga));
        let j = env.fails(&["--json", "audit", "--since", name], 1).json();
        assert_eq!(problem_codes(&j), ["checkpoint.malformed"], "{name}: {j:#}");
    }
    // The same text as old.cp, re-signed: fine.
    env.write("resigned.cp", signed_note(&format!("{}\n", old.split_once("\n\n").expect("text").0), &olga));
    env.ok(&["audit", "--since", "resigned.cp"]);
}

#[test]
fn witness_gets_consistency_from_a_proof_file_or_tiles() {
    let env = standard();
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    env.ok(&["prove", "consistency", "old.cp", "new.cp", "-o", "c.proof"]);
    // Without the ledger: the proof file or the tiles are the only source of consistency.
    let w = |extra: &[&'static str], out: &'static str| {
        [&["--ledger", "nowhere.jsonl"][..], &witness("new.cp", out, extra)].concat()
    };
    // A flipped proof, or one of other sizes, is refused and changes nothing.
    env.write("flipped.proof", flip_consistency_hash(&env.read_string("c.proof")));
    env.fails(&w(&["--proof", "flipped.proof"], "x"), 1).assert_stderr("proof.consistency");
    env.ok(&["prove", "consistency", "new.cp", "new.cp", "-o", "same.proof"]);
    env.fails(&w(&["--proof", "same.proof"], "x"), 1).assert_stderr("proof.consistency");
    // A good proof file works without any ledger.
    env.ok(&w(&["--proof", "c.proof"], "new.cosigned"));
    // And so do tiles (a fresh witness state, first at size 7).
    env.ok(&["publish", "pub"]);
    std::fs::remove_file(env.path("st")).expect("remove state");
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    env.ok(&w(&["--tiles", "pub"], "new.cosigned2"));
}

#[test]
fn tampered_hash_tiles_of_a_large_log_are_detected() {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    let olga = env.secret("olga");
    append_lines(&env, &bulk_lines(&olga, 300, 0, None));
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c300.cp"]);
    let prev = Some(entry_hash(lines(&env.read(LEDGER)).last().expect("line")));
    append_lines(&env, &bulk_lines(&olga, 300, 300, prev));
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "c600.cp"]);
    env.ok(&["publish", "pub"]);
    env.ok(&["audit", "--tiles", "pub"]);
    env.ok(&["prove", "consistency", "c300.cp", "c600.cp", "-o", "honest.proof"]);
    // What `prove consistency --tiles` makes of each tampered tile: tile/0/000 is not needed for a
    // proof from 300 to 600, which is the honest one; any other fails its authentication (a full
    // tile against its parent, partial tiles against the published checkpoint's root,
    // spec/transparency.md §2): the tiles are unusable input (exit 2, spec/cli.md §1), and no proof
    // is written.
    let outcomes: [(&str, Option<&str>); 4] = [
        ("pub/tile/0/000", None),
        ("pub/tile/0/001", Some("tile tile/0/001 does not match its parent")),
        ("pub/tile/0/002.p/88", Some("tiles do not hash to the root")),
        ("pub/tile/1/000.p/2", Some("tiles do not hash to the root")),
    ];
    for (tile, outcome) in outcomes {
        let good = env.read(tile);
        let mut bad = good.clone();
        bad[33] ^= 0x10;
        env.write(tile, &bad);
        env.fails(&["audit", "--tiles", "pub"], 1);
        let prove = ["prove", "consistency", "c300.cp", "c600.cp", "--tiles", "pub", "-o", "t.proof"];
        match outcome {
            None => {
                env.ok(&prove);
                assert_eq!(env.read("t.proof"), env.read("honest.proof"), "{tile}");
                std::fs::remove_file(env.path("t.proof")).expect("remove");
            }
            Some(needle) => {
                env.fails(&prove, 2).assert_stderr(needle);
            }
        }
        assert!(!env.path("t.proof").exists());
        env.write(tile, &good);
    }
    // A full bundle with one byte changed.
    let b = "pub/tile/colophon-entries/001";
    let good = env.read(b);
    let mut bad = good.clone();
    bad[5000] ^= 0x01;
    env.write(b, &bad);
    env.fails(&["audit", "--tiles", "pub"], 1);
    env.write(b, &good);
    env.ok(&["audit", "--tiles", "pub"]);
}

// ---------------------------------------------------------------------------------------------
// 10. Failed commands change nothing
// ---------------------------------------------------------------------------------------------

#[test]
fn a_checkpoint_that_cannot_be_written_changes_nothing() {
    let env = standard();
    env.write("x.txt", "x\n");
    env.ok(&["record", "x.txt", "--work", "x", "--lang", "it", "--key", "tina.key"]);
    env.fails(&["checkpoint", "--key", "olga.key", "-o", "nodir/cp"], 2).assert_stderr("does not exist");
}

#[test]
fn a_cosignature_that_cannot_be_written_changes_nothing() {
    let env = standard();
    cosign(&env, "old.cp", "old.cosigned").assert_code(0);
    env.fails(&witness("new.cp", "nodir/x", &[]), 2).assert_stderr("does not exist");
}

#[test]
fn verify_with_a_consistency_proof_for_other_sizes_is_a_proof_error() {
    let env = with_bundle();
    env.ok(&["prove", "consistency", "old.cp", "new.cp", "-o", "c.proof"]);
    let mut prefix = Vec::new();
    for l in lines(&env.read(LEDGER)).iter().take(8) {
        prefix.extend_from_slice(l);
        prefix.push(b'\n');
    }
    env.write("real8.jsonl", prefix);
    env.ok(&["--ledger", "real8.jsonl", "checkpoint", "--key", "olga.key", "-o", "real8.cp"]);
    // real8.cp is an honest checkpoint of this log; c.proof proves 7 → 9, not 8 → 9.
    let r = env.fails(
        &[
            "verify",
            "copy.txt",
            "--bundle",
            "b.bundle",
            "--trust",
            "olga.pub",
            "--checkpoint",
            "real8.cp",
            "--consistency",
            "c.proof",
        ],
        1,
    );
    r.assert_stdout("proof.consistency");
    assert!(!r.stdout.contains("checkpoint.inconsistent"), "{r}");
}
