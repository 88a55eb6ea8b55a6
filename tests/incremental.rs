//! Incremental audits (spec/transparency.md §8.1), driving the real binary: `audit --checkpoint CP
//! --save-state FILE` keeps the audit's state as of a signed checkpoint, and `audit --since CP
//! --state FILE` audits only the lines appended since. A resumed audit must report exactly what a
//! full audit reports (problems, valid lines, texts, root, head, untrusted signers), on clean and
//! damaged ledgers; a state that does not belong to the checkpoint, the ledger or the keyring, a
//! damaged state, a ledger rewritten under it and a checkpoint the owner did not sign are refused
//! with their exit and status codes; and nothing ever changes the ledger.

mod common;

use colophon::format::entry::{Body, KeyReg, Role};
use common::{Env, LEDGER};
use serde_json::Value;

const ORIGIN: &str = "example.org/translations";

/// The standard log: Olga owns it, Tina translates, Edo edits; ponte:it@1, ponte:en@1, ponte@v1
/// and Edo's cosign — 7 entries, checkpointed as `old.cp`, the state saved at it as `old.state`.
fn standard() -> Env {
    let env = Env::new();
    for (name, prefix) in
        [("Olga Bianchi", "olga"), ("Tina Rossi", "tina"), ("Edo Marini", "edo"), ("Sam Stranger", "sam")]
    {
        env.keygen(name, prefix);
    }
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("ponte.it.txt", "Il ponte di pietra\n\nOgni mattina.\n");
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", "The stone bridge\n\nEvery morning.\n");
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "old.cp"]);
    env
}

/// Appends a second English version (its diff built on the first, which the state must have
/// kept), a release of it, a new original version and a cosign.
fn grow(env: &Env, n: usize) {
    env.write("bridge.en.txt", format!("The stone bridge\n\nEvery morning, revision {n}.\n"));
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", &format!("v{}", n + 1), "--key", "tina.key"]);
    env.write("ponte.it.txt", format!("Il ponte di pietra\n\nOgni mattina, {n}.\n"));
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["cosign", &format!("ponte@v{}", n + 1), "--key", "edo.key"]);
}

/// What a resumed audit must share with a full one.
fn facts(j: &Value) -> Value {
    serde_json::json!({
        "ok": j["ok"], "lines": j["lines"], "valid_entries": j["valid_entries"],
        "texts_verified": j["texts_verified"], "head": j["head"], "merkle_root": j["merkle_root"],
        "problems": j["problems"], "torn": j["torn"], "untrusted_signers": j["untrusted_signers"],
        "origin": j["origin"],
    })
}

/// Runs the full audit and the resumed one with `extra` flags, checks they agree and exit alike,
/// and that neither changed the ledger; returns the resumed report.
fn assert_resume_equals_full(env: &Env, since: &str, state: &str, extra: &[&str]) -> Value {
    let before = env.ledger();
    let mut full_args = vec!["--json", "audit", "--since", since];
    full_args.extend_from_slice(extra);
    let full = env.run(&full_args);
    let mut args = full_args.clone();
    args.extend_from_slice(&["--state", state]);
    let resumed = env.run(&args);
    assert!(
        full.code == resumed.code,
        "exit codes differ: full {:?}, resumed {:?}\n{full}\n{resumed}",
        full.code,
        resumed.code
    );
    resumed.assert_no_panic();
    let (f, r) = (full.json(), resumed.json());
    assert_eq!(facts(&f), facts(&r), "full:\n{f:#}\nresumed:\n{r:#}");
    assert_eq!(r["resumed"]["size"], f["since"]["size"], "{r:#}");
    assert_eq!(r["resumed"]["state"], state);
    assert_eq!(
        r["resumed"]["lines_audited"].as_u64(),
        Some(f["lines"].as_u64().unwrap_or(0) - f["since"]["size"].as_u64().unwrap_or(0)),
        "{r:#}"
    );
    assert_eq!(env.ledger(), before, "an audit changed the ledger");
    r
}

fn codes(j: &Value) -> Vec<String> {
    j["problems"].as_array().expect("problems").iter().map(|p| p["code"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn a_resumed_audit_equals_the_full_audit_of_a_clean_ledger() {
    let env = standard();
    let saved = env.ok(&["--json", "audit", "--checkpoint", "old.cp", "--save-state", "old.state"]).json();
    assert_eq!(saved["state_saved"]["size"], 7, "{saved:#}");
    assert_eq!(saved["state_saved"]["state"], "old.state");
    assert!(saved["state_saved"]["bytes"].as_u64().is_some_and(|n| n > 0));
    // Resuming at once audits nothing new and agrees with the full audit.
    let r = assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
    assert_eq!(r["resumed"]["lines_audited"], 0);
    grow(&env, 1);
    let r = assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
    assert_eq!(
        (r["ok"].clone(), r["lines"].clone(), r["resumed"]["lines_audited"].clone()),
        (true.into(), 11.into(), 4.into())
    );
    let human = env.ok(&["audit", "--since", "old.cp", "--state", "old.state"]);
    human.assert_stdout("✓ audit: colophon.jsonl is valid: 11 lines, 11 valid lines");
    human.assert_stdout("resumed from old.state: line 7 of this file is the last of the checkpoint of size 7");
    human.assert_stdout("4 new lines audited now");
    // Chained: resume, save at the newer checkpoint, grow, resume from the new state.
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    let chained = env.ok(&[
        "--json",
        "audit",
        "--since",
        "old.cp",
        "--state",
        "old.state",
        "--checkpoint",
        "new.cp",
        "--save-state",
        "new.state",
    ]);
    assert_eq!(chained.json()["state_saved"]["size"], 11);
    grow(&env, 2);
    assert_resume_equals_full(&env, "new.cp", "new.state", &[]);
    // The older state still works too, and a state saved in place over the one read.
    assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "newest.cp"]);
    env.ok(&[
        "audit",
        "--since",
        "new.cp",
        "--state",
        "new.state",
        "--checkpoint",
        "newest.cp",
        "--save-state",
        "new.state",
    ]);
    grow(&env, 3);
    assert_resume_equals_full(&env, "newest.cp", "new.state", &[]);
}

#[test]
fn a_state_saved_at_an_older_checkpoint_than_the_ledger_is_the_state_at_that_checkpoint() {
    let env = standard();
    grow(&env, 1);
    // The ledger has 11 lines; the state is that of its first 7.
    let j = env.ok(&["--json", "audit", "--checkpoint", "old.cp", "--save-state", "old.state"]).json();
    assert_eq!(j["lines"], 11);
    assert_eq!(j["state_saved"]["size"], 7);
    let r = assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
    assert_eq!(r["resumed"]["lines_audited"], 4);
}

#[test]
fn untrusted_signer_counts_carry_over_with_the_same_keyring() {
    let env = standard();
    // Only Edo is trusted: Olga's and Tina's entries are counted as untrusted.
    env.ok(&["audit", "--trust", "edo.pub", "--checkpoint", "old.cp", "--save-state", "edo.state"]);
    grow(&env, 1);
    let r = assert_resume_equals_full(&env, "old.cp", "edo.state", &["--trust", "edo.pub"]);
    assert_eq!(r["untrusted_signers"].as_array().map(Vec::len), Some(2), "{r:#}");
    // Another keyring, or none, would count differently: the state is refused.
    for args in [
        &["audit", "--since", "old.cp", "--state", "edo.state"][..],
        &["audit", "--trust", "olga.pub", "--since", "old.cp", "--state", "edo.state"][..],
    ] {
        env.fails_unchanged(args, &[], 2, &["other trust roots", "edo.state"]).assert_no_panic();
    }
    let j = env.fails(&["--json", "audit", "--since", "old.cp", "--state", "edo.state"], 2).json();
    assert_eq!(j["status"], "audit_state.mismatch");
}

/// Damage after the checkpoint: the resumed audit names the same lines and rules as a full one.
#[test]
fn damage_in_the_new_lines_is_reported_as_a_full_audit_reports_it() {
    let env = standard();
    env.ok(&["audit", "--checkpoint", "old.cp", "--save-state", "old.state"]);
    grow(&env, 1);
    let good = env.ledger();
    let ls = env.lines();
    let join = |ls: &[Vec<u8>]| ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>();
    // One letter of the new English version changed: its signature fails, the next prev breaks,
    // and the release of it no longer names a version.
    let mut changed = ls.clone();
    let s = String::from_utf8(changed[7].clone()).expect("utf-8");
    assert!(s.contains("\"type\":\"version\""), "line 8 is ponte:en@2");
    changed[7] = s.replacen("Every", "Evxry", 1).into_bytes();
    // Two new lines swapped.
    let mut swapped = ls.clone();
    swapped.swap(8, 9);
    // A new line dropped.
    let mut dropped = ls.clone();
    dropped.remove(9);
    // A line signed by a key the ledger never registered, and a torn last line.
    for (name, bytes) in [("changed", join(&changed)), ("swapped", join(&swapped)), ("dropped", join(&dropped))] {
        env.write(LEDGER, &bytes);
        let r = assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
        assert_eq!(r["ok"], false, "{name}: {r:#}");
        assert!(!codes(&r).is_empty(), "{name}");
    }
    env.write(LEDGER, &good);
    let sam = env.secret("sam");
    let other = env.secret("edo");
    env.append_signed(
        Body::Key(KeyReg { key: other.public(), name: "Edo again".into(), roles: vec![Role::Owner] }),
        &sam,
    );
    let mut torn = env.ledger();
    torn.extend_from_slice(b"{\"v\":1,");
    env.write(LEDGER, &torn);
    let r = assert_resume_equals_full(&env, "old.cp", "old.state", &[]);
    assert_eq!(codes(&r), ["entry.signer.unknown", "line.torn"], "{r:#}");
    env.write(LEDGER, &good);
}

/// Problems before the checkpoint are kept in the state and reported again, as a full audit
/// reports them; the exit code is the full audit's.
#[test]
fn problems_before_the_checkpoint_are_reported_again() {
    let env = standard();
    let sam = env.secret("sam");
    let tina = env.secret("tina");
    // A key registration signed by a key the ledger never registered: it stays out of the state.
    env.append_signed(
        Body::Key(KeyReg { key: tina.public(), name: "Tina twice".into(), roles: vec![Role::Owner] }),
        &sam,
    );
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "bad.cp"]);
    let saved = env.run(&["--json", "audit", "--checkpoint", "bad.cp", "--save-state", "bad.state"]);
    saved.assert_code(1);
    assert_eq!(codes(&saved.json()), ["entry.signer.unknown"]);
    assert_eq!(saved.json()["state_saved"]["size"], 8);
    grow(&env, 1);
    let r = assert_resume_equals_full(&env, "bad.cp", "bad.state", &[]);
    assert_eq!(codes(&r), ["entry.signer.unknown"]);
    assert_eq!(r["valid_entries"], 11);
}

#[test]
fn a_state_for_another_checkpoint_or_ledger_is_refused() {
    let env = standard();
    env.ok(&["audit", "--checkpoint", "old.cp", "--save-state", "old.state"]);
    grow(&env, 1);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    // The state was saved at old.cp, not new.cp.
    let r =
        env.fails_unchanged(&["audit", "--since", "new.cp", "--state", "old.state"], &[], 2, &["size 7", "size 11"]);
    r.assert_stderr("the state is bound to the checkpoint");
    let j = env.fails(&["--json", "audit", "--since", "new.cp", "--state", "old.state"], 2).json();
    assert_eq!(j["status"], "audit_state.mismatch");
    // A state of another ledger, with that ledger's own checkpoint.
    env.ok(&["--ledger", "other.jsonl", "init", "--origin", "example.org/other", "--key", "olga.key"]);
    env.ok(&["--ledger", "other.jsonl", "checkpoint", "--key", "olga.key", "-o", "other.cp"]);
    env.ok(&["--ledger", "other.jsonl", "audit", "--checkpoint", "other.cp", "--save-state", "other.state"]);
    let r = env.fails_unchanged(
        &["audit", "--since", "other.cp", "--state", "other.state"],
        &[],
        2,
        &["example.org/other"],
    );
    r.assert_stderr("give the ledger the state was saved from");
    let j = env.fails(&["--json", "audit", "--since", "other.cp", "--state", "other.state"], 2).json();
    assert_eq!(j["status"], "audit_state.mismatch");
    // `--state` needs the checkpoint it was saved at.
    env.fails(&["audit", "--state", "old.state"], 2);
    env.fails(&["audit", "--save-state", "x.state"], 2);
}

#[test]
fn a_damaged_or_truncated_state_is_refused() {
    let env = standard();
    env.ok(&["audit", "--checkpoint", "old.cp", "--save-state", "old.state"]);
    grow(&env, 1);
    let state = env.read("old.state");
    let mut flipped = state.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated.state", state[..state.len() - 40].to_vec(), "checksum does not match"),
        ("flipped.state", flipped, "checksum does not match"),
        ("empty.state", Vec::new(), "not a colophon audit state file"),
        ("ledger.state", env.ledger(), "not a colophon audit state file"),
        ("future.state", b"colophon-audit-state/v9\n".to_vec(), "another format version"),
    ];
    for (name, bytes, why) in cases {
        env.write(name, bytes);
        env.fails_unchanged(&["audit", "--since", "old.cp", "--state", name], &[], 2, &[name, why]);
        let j = env.fails(&["--json", "audit", "--since", "old.cp", "--state", name], 2).json();
        assert_eq!(j["status"], "audit_state.invalid", "{name}");
    }
    env.fails_unchanged(&["audit", "--since", "old.cp", "--state", "missing.state"], &[], 2, &["missing.state"]);
}

#[test]
fn a_ledger_rewritten_under_the_state_is_refused() {
    let env = standard();
    env.ok(&["audit", "--checkpoint", "old.cp", "--save-state", "old.state"]);
    grow(&env, 1);
    let good = env.ledger();
    let ls = env.lines();
    let join = |ls: &[Vec<u8>]| ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>();
    // The checkpoint's last line changed (same length): its hash is no longer the state's head.
    let mut head_changed = ls.clone();
    let s = String::from_utf8(head_changed[6].clone()).expect("utf-8");
    head_changed[6] = s.replacen("\"time\":\"2", "\"time\":\"3", 1).into_bytes();
    assert_eq!(head_changed[6].len(), ls[6].len());
    // A line before it one byte longer: the head is no longer where the state says.
    let mut shifted = ls.clone();
    shifted[2].push(b' ');
    // The file cut inside the checkpoint's lines.
    let short = join(&ls[..5]);
    for (name, bytes) in [("head changed", join(&head_changed)), ("shifted", join(&shifted)), ("short", short)] {
        env.write(LEDGER, &bytes);
        env.fails_unchanged(
            &["audit", "--since", "old.cp", "--state", "old.state"],
            &[],
            1,
            &["a full audit (without --state)"],
        );
        let j = env.fails(&["--json", "audit", "--since", "old.cp", "--state", "old.state"], 1).json();
        assert_eq!(j["status"], "checkpoint.inconsistent", "{name}: {j:#}");
        // A full audit says what changed.
        env.fails(&["audit", "--since", "old.cp"], 1);
    }
    env.write(LEDGER, &good);
    env.ok(&["audit", "--since", "old.cp", "--state", "old.state"]);
}

#[test]
fn a_checkpoint_not_signed_by_an_owner_is_refused() {
    let env = standard();
    env.ok(&["audit", "--checkpoint", "old.cp", "--save-state", "old.state"]);
    grow(&env, 1);
    // The same tree, signed by the translator and by a stranger under the log's name.
    for (signer, file) in [("tina", "tina.cp"), ("sam", "sam.cp")] {
        let mut n = colophon::log::note::Note::parse(&env.read("old.cp")).expect("a note");
        n.sigs = vec![colophon::log::note::sign(&n.text, ORIGIN, &env.secret(signer).signing).expect("sign")];
        env.write(file, n.to_bytes());
        env.fails_unchanged(&["audit", "--since", file, "--state", "old.state"], &[], 1, &["--since"]);
        let j = env.fails(&["--json", "audit", "--since", file, "--state", "old.state"], 1).json();
        assert_eq!(j["status"], "checkpoint.signature", "{j:#}");
        // Nor is a state saved at such a checkpoint: the audit reports it, and writes nothing.
        let r = env.fails(&["--json", "audit", "--checkpoint", file, "--save-state", "bad.state"], 1);
        assert_eq!(codes(&r.json()), ["checkpoint.signature"]);
        assert!(r.json()["state_saved"].is_null());
        assert!(!env.path("bad.state").exists());
    }
    // A checkpoint larger than the ledger cannot be saved at either.
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    env.write(LEDGER, env.lines()[..9].iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>());
    let r = env.fails(&["--json", "audit", "--checkpoint", "new.cp", "--save-state", "bad.state"], 1);
    assert_eq!(codes(&r.json()), ["checkpoint.inconsistent"]);
    assert!(!env.path("bad.state").exists());
}

#[test]
fn a_state_that_cannot_be_written_is_an_input_error() {
    let env = standard();
    let r = env.fails_unchanged(
        &["audit", "--checkpoint", "old.cp", "--save-state", "no/such/dir/old.state"],
        &[],
        2,
        &["cannot write the state file", "no state was saved"],
    );
    r.assert_no_panic();
    // A checkpoint file that is no signed note is bad input, as for --since.
    env.write("junk.cp", "not a note\n");
    env.fails_unchanged(
        &["audit", "--checkpoint", "junk.cp", "--save-state", "s"],
        &[],
        2,
        &["junk.cp", "not a checkpoint"],
    );
}
