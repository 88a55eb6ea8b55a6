//! Tests written for mutants that survived `tests/mutants/run` (tests/mutants/README.md): each
//! names the mutant it kills, and fails with that mutant applied. They drive the real binary, like
//! the other integration tests, and assert exact exit codes and `--json` statuses.

mod common;

use colophon::format::entry::{Body, Release, ReleaseLangs};
use common::Env;
use serde_json::Value;

const IT: &str = "Il ponte di pietra.\nOgni mattina mia nonna attraversava il ponte.\n";
const EN: &str = "The stone bridge.\nEvery morning my grandmother crossed the bridge.\n";

/// Owner olga, translator tina, outsider mal; `w:it@1`, `w:en@1` of it, release `w@v1`: five
/// entries (seq 0-4).
fn setup() -> Env {
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.keygen("Tina", "tina");
    env.keygen("Mal", "mal");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.write("en.txt", EN);
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1", "--key", "tina.key"]);
    env
}

fn read_bundle(env: &Env, name: &str) -> Value {
    serde_json::from_slice(&env.read(name)).expect("a bundle is JSON")
}

fn write_bundle(env: &Env, name: &str, b: &Value) {
    env.write(name, serde_json::to_vec(b).expect("json"));
}

/// `verify en.txt --bundle NAME --trust olga.pub --insecure-ignore-log`, `--json`.
fn verify_unanchored(env: &Env, name: &str) -> common::Run {
    env.run(&["--json", "verify", "en.txt", "--bundle", name, "--trust", "olga.pub", "--insecure-ignore-log"])
}

/// A bundle is the ledger as of its kept checkpoint: an entry appended after the checkpoint (here a
/// key, which every bundle carries) is left out, the bundle builds and verifies, and `bundle` says
/// how many entries it holds of how many.
///
/// Kills, in src/bundle.rs: `<` → `<=` in `build_with_checkpoint` (the entry at seq = the
/// checkpoint's size would be taken in, and has no inclusion proof in it); `checkpoint_size` →
/// `None`, `Some(0)`, `Some(1)` (no note, or a wrong count).
#[test]
fn a_bundle_after_an_append_past_the_kept_checkpoint_is_the_ledger_as_of_the_checkpoint() {
    let env = setup();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["key", "add", "mal.pub", "--role", "editor", "--key", "olga.key"]);
    let r = env.ok(&["bundle", "w@v1", "-o", "b.bundle"]);
    r.assert_stderr("as of its kept checkpoint (5 of 6 entries)");
    let b = read_bundle(&env, "b.bundle");
    assert_eq!(b["entries"].as_array().expect("entries").len(), 5, "mal's key (seq 5) is not in the bundle");
    assert_eq!(b["proofs"].as_array().expect("proofs").len(), 5);
    env.run(&["--json", "verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"])
        .assert_code(0)
        .assert_status("copy.verified");
    // The reader trusts the owner who signed the checkpoint: nothing to say about whose log it is
    // (kills `||` → `&&` in src/transparency.rs `anchor_trusted`).
    env.ok(&["verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]).assert_lacks("not in your keyring");
    // Signed again, the checkpoint covers the whole ledger: no note.
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b2.bundle"]).assert_lacks("as of its kept checkpoint");
    assert_eq!(read_bundle(&env, "b2.bundle")["entries"].as_array().expect("entries").len(), 6);
}

/// The first entry of a bundle is the genesis of the bundle's `origin` (spec/verify.md §3.3): with
/// no checkpoint (whose origin would be checked too) and the log ignored, a bundle whose `origin`
/// member names another log is invalid.
///
/// Kills, in src/bundle.rs `open_with`: the genesis match guard → `true`, and `&&` → `||` in it.
#[test]
fn an_unanchored_bundle_of_another_origin_is_invalid() {
    let env = setup();
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]).assert_any("NO checkpoint");
    // The premise: the genuine bundle verifies when the log is ignored.
    verify_unanchored(&env, "b.bundle").assert_code(0).assert_status("copy.verified");
    let mut b = read_bundle(&env, "b.bundle");
    b["origin"] = Value::from("o/elsewhere");
    write_bundle(&env, "other.bundle", &b);
    verify_unanchored(&env, "other.bundle")
        .assert_code(1)
        .assert_status("bundle.invalid")
        .assert_any("the first entry must be the ledger's genesis");
}

/// Keys, revocations, releases and cosigns in a bundle are checked against the state the bundle
/// builds (spec/verify.md §3.3): a release signed by a translator whose `original` is itself a
/// translation is refused, as an audit refuses it.
///
/// Kills, in src/bundle.rs `open_with`: `delete !` in `if !matches!(e.body, Body::Version(_))`;
/// `+` → `*` in `let n = i as u64 + 1` (the entry would be named by its 0-based index).
#[test]
fn a_bundle_with_a_signed_release_that_breaks_a_state_rule_is_refused() {
    let env = setup();
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]);
    let lines = env.lines();
    let en1 = common::hash_of(&lines[3]);
    let (bad, bad_hash) = env.append_signed(
        Body::Release(Release {
            work: "w".into(),
            tag: "v2".into(),
            translation: en1,
            original: en1,
            lang: ReleaseLangs { original: "en".into(), translation: "en".into() },
            urls: None,
            note: None,
        }),
        &env.secret("tina"),
    );
    // The ledger's own audit refuses the line.
    env.run(&["--json", "audit"]).assert_code(1).assert_any("release.ref.invalid");
    let mut b = read_bundle(&env, "b.bundle");
    b["entries"].as_array_mut().expect("entries").push(Value::from(String::from_utf8(bad).expect("UTF-8")));
    b["release"] = Value::from(bad_hash.to_hex());
    write_bundle(&env, "bad.bundle", &b);
    let r = verify_unanchored(&env, "bad.bundle");
    r.assert_code(1).assert_status("release.ref.invalid");
    // The sixth entry of the bundle, as the line and in the message.
    assert_eq!(
        r.json()["message"],
        "bad.bundle: line 6: release.ref.invalid: bundle entry 6: `original` must be an original of work w in en",
        "{r}"
    );
}

/// A bundle's proofs go with its entries in order: proofs swapped between the second and third
/// entries are refused at the second, named as such.
///
/// Kills, in src/bundle.rs `check_proofs`: `+` → `*` in `let n = i as u64 + 1`.
#[test]
fn swapped_bundle_proofs_are_refused_at_the_first_one() {
    let env = setup();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]);
    let mut b = read_bundle(&env, "b.bundle");
    b["proofs"].as_array_mut().expect("proofs").swap(1, 2);
    write_bundle(&env, "b.bundle", &b);
    let r = env.run(&["--json", "verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
    r.assert_code(1).assert_status("proof.inclusion");
    assert_eq!(
        r.json()["message"],
        "b.bundle: line 2: proof.inclusion: bundle proof 2 proves entry 2, not entry 1",
        "{r}"
    );
}

/// A checkpoint of size N signed by `key`, over the first N lines of the ledger.
fn checkpoint_of(env: &Env, size: u64, key: &colophon::format::keys::SecretKey) -> Vec<u8> {
    let hashes = colophon::store::ledger::merkle_hashes(&env.path(common::LEDGER), size).expect("hashes");
    let root = colophon::log::merkle::tree_hash(size, &hashes).expect("root");
    let cp = colophon::log::checkpoint::Checkpoint { origin: "o/x".into(), size, root, extensions: Vec::new() };
    let text = cp.to_text();
    let sig = colophon::log::note::sign(&text, "o/x", &key.signing).expect("sign");
    colophon::log::note::Note { text, sigs: vec![sig] }.to_bytes()
}

/// The owner keys of a checkpoint are those in effect at its size (spec/transparency.md §3):
/// registered by the lines it covers, and not revoked by them. An owner registered at seq 5 cannot
/// sign a checkpoint of size 5 (which does not hold the registration); one revoked at seq 6 still
/// signs one of size 6 (which does not hold the revocation), and no longer one of size 7.
///
/// Kills, in src/transparency.rs `owner_keys`: `<` → `<=` in `k.seq < size`; `>=` → `<` in
/// `r.seq >= size`; each `&&` → `||` (a translator's key, or an owner's not yet registered).
#[test]
fn owner_keys_are_those_in_effect_at_the_checkpoints_size() {
    let env = setup();
    env.keygen("Otto", "otto");
    env.ok(&["key", "add", "otto.pub", "--role", "owner", "--key", "olga.key"]);
    let (olga, otto) = (env.secret("olga"), env.secret("otto"));
    let seen = |name: &str| env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub", "--checkpoint", name]);
    // A translator is no owner.
    env.write("tina5", checkpoint_of(&env, 5, &env.secret("tina")));
    seen("tina5").assert_code(1).assert_status("checkpoint.signature");
    // Otto's key is entry 5: not in a checkpoint of size 5.
    env.write("otto5", checkpoint_of(&env, 5, &otto));
    seen("otto5").assert_code(1).assert_status("checkpoint.signature");
    env.write("otto6", checkpoint_of(&env, 6, &otto));
    seen("otto6").assert_code(0).assert_status("copy.verified");
    // Otto revokes olga's key: entry 6.
    env.ok(&["key", "revoke", "Olga", "--reason", "retired", "--key", "otto.key"]);
    env.write("olga6", checkpoint_of(&env, 6, &olga));
    env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub", "--checkpoint", "olga6"])
        .assert_code(0)
        .assert_status("copy.verified");
    env.write("olga7", checkpoint_of(&env, 7, &olga));
    env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub", "--checkpoint", "olga7"])
        .assert_code(1)
        .assert_status("checkpoint.signature");
}

/// A reader that fails once with `kind`, then gives `data`.
struct FailsOnce {
    kind: Option<std::io::ErrorKind>,
    data: &'static [u8],
}

impl std::io::Read for FailsOnce {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(kind) = self.kind.take() {
            return Err(std::io::Error::from(kind));
        }
        let n = self.data.len().min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Content hashes are streamed (spec/ledger.md §3.3): a read interrupted by a signal is retried,
/// and any other read error is an error, never a hash of what was read so far.
///
/// Kills, in src/hash.rs `sha256_stream`: the match guard `e.kind() == io::ErrorKind::Interrupted`
/// → `true`, → `false`, and `==` → `!=` in it.
#[test]
fn content_hashes_retry_interrupted_reads_and_stop_at_errors() {
    use std::io::ErrorKind;
    let interrupted = FailsOnce { kind: Some(ErrorKind::Interrupted), data: EN.as_bytes() };
    let (digest, size) =
        colophon::format::hash::sha256_stream(interrupted, |_| {}).expect("an interrupted read is retried");
    assert_eq!((digest, size), (colophon::format::hash::Digest::of(EN.as_bytes()), EN.len() as u64));
    let failing = FailsOnce { kind: Some(ErrorKind::Other), data: EN.as_bytes() };
    let err = colophon::format::hash::sha256_stream(failing, |_| {}).expect_err("a read error is an error");
    assert_eq!(err.kind(), ErrorKind::Other);
}

/// A checkpoint names the owner whose signature verified, not the first owner of the log (spec/
/// cli-json.md `verify`: `checkpoint.signed_by`).
///
/// Kills, in src/transparency.rs `verify_checkpoint`: `&&` → `||` in matching a verified signature
/// to its log key (every log key has the log's origin as its name).
#[test]
fn a_checkpoint_is_signed_by_the_owner_who_signed_it() {
    let env = setup();
    env.keygen("Otto", "otto");
    env.ok(&["key", "add", "otto.pub", "--role", "owner", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "otto.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]).assert_lacks("NO checkpoint");
    let r = env.run(&["--json", "verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("copy.verified");
    let otto = env.secret("otto").id().to_hex();
    assert_eq!(r.json()["checkpoint"]["signed_by"], serde_json::json!([[otto, "Otto"]]), "{r}");
}

/// The index only finds lines (spec/verify.md §2.3): when it disagrees with the signed line it
/// points to, the verdict rests on the line, and the index is rebuilt from the ledger and the reader
/// told so, once.
///
/// Kills, in src/signed.rs: `Signed::disagreed` → `None`; `Signed::disagree` → `()` (the
/// disagreement would go unnoticed, and the forged index stay).
#[test]
fn an_index_that_disagrees_with_a_signed_line_is_rebuilt() {
    let env = setup();
    let forged = "The stone bridge.\nEvery evening my grandmother burned the bridge.\n";
    env.write("forged.txt", forged);
    let index = env.index_file().expect("the ledger has an index in the cache");
    let c = rusqlite::Connection::open(index).expect("open the index");
    c.execute_batch(&format!(
        "UPDATE versions SET sha256=X'{}', size={} WHERE lang='en';",
        colophon::format::hash::Digest::of(forged.as_bytes()).to_hex(),
        forged.len()
    ))
    .expect("forge the index");
    drop(c);
    let note = "the ledger's index disagreed with a signed line";
    env.run(&["verify", "forged.txt", "--trust", "olga.pub"]).assert_code(1).assert_any(note);
    // Rebuilt: nothing to say the second time.
    env.run(&["verify", "forged.txt", "--trust", "olga.pub"]).assert_code(1).assert_lacks(note);
    env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]).assert_code(0).assert_status("copy.verified");
}

/// Points the index's record of key `id` at the entry `entry`, as an attacker who can write the
/// cache would.
fn forge_key_entry(env: &Env, id: &colophon::format::keys::KeyId, entry: &colophon::format::hash::Digest) {
    let index = env.index_file().expect("the ledger has an index in the cache");
    let c = rusqlite::Connection::open(index).expect("open the index");
    c.execute_batch(&format!("UPDATE keys SET entry=X'{}' WHERE id=X'{}';", entry.to_hex(), id.to_hex()))
        .expect("forge the index");
}

/// A key is what its own signed line registers (spec/verify.md §2.3): an index that says tina's
/// key was registered by another key's `key` entry, or by a genesis-shaped line she signed and
/// appended herself (seq 6, which no state takes in), gets no key from `Signed::key`, and the
/// disagreement is remembered.
///
/// Kills, in src/signed.rs `Signed::key_from_lines`: the match guard `k.key.id() == *id` → `true`;
/// the genesis match guard (`p.entry.seq == 0 && …`) → `true` (tina would be an owner).
#[test]
fn a_key_is_what_its_own_signed_line_registers() {
    use colophon::verify::copy::{Signed, Store};
    let env = setup();
    env.keygen("Edo", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    let tina = env.secret("tina");
    let (_, fake_genesis) = env.append_signed(
        Body::Genesis(colophon::format::entry::Genesis {
            origin: "o/x".into(),
            name: "Tina".into(),
            key: tina.public(),
        }),
        &tina,
    );
    env.run(&["log"]).assert_code(0).assert_any("REJECTED");
    let edo_registration = common::hash_of(&env.lines()[5]);
    let ledger = env.path(common::LEDGER);
    let cache = colophon::store::cache::Cache::Dir(env.cache());
    for (entry, what) in [(edo_registration, "edo's registration"), (fake_genesis, "a genesis at seq 6 signed by tina")]
    {
        forge_key_entry(&env, &tina.id(), &entry);
        let snap = colophon::store::ledger::load_with(&ledger, &cache).expect("load");
        assert_eq!(snap.index.key(&tina.id()).expect("tina's record").entry, entry, "the forged index is read");
        let file = colophon::store::ledger::LedgerFile(&ledger);
        let signed = Signed::new(&snap.index, Store::Ledger(&file));
        assert!(signed.key(&tina.id()).is_none(), "{what} does not register tina's key");
        assert!(signed.disagreed().is_some(), "{what}: the disagreement is remembered");
    }
}

/// A revocation the index names for a key but no signed line makes keeps the key revoked (the
/// safe reading), and the disagreement is remembered (spec/verify.md §2.3).
///
/// A genuine revocation is read from its line with nothing to say.
///
/// Kills, in src/signed.rs `Signed::key_from_lines`: the match guard `matches!(…, Body::Revoke(x)
/// if x.key == *id)` → `true` (the key would come out unrevoked, and nothing said), → `false`
/// (every genuine revocation would be a disagreement, and the index rebuilt each time).
#[test]
fn a_revocation_only_the_index_knows_keeps_the_key_revoked() {
    use colophon::verify::copy::{Signed, Store};
    let env = setup();
    let tina = env.secret("tina").id();
    let release = common::hash_of(&env.lines()[4]);
    let ledger = env.path(common::LEDGER);
    // A genuine revocation (entry 6) of a key registered at entry 5.
    env.keygen("Edo", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["key", "revoke", "Edo", "--reason", "retired", "--key", "olga.key"]);
    let revocation = common::hash_of(&env.lines()[6]);
    {
        let snap = colophon::store::ledger::load_with(&ledger, &colophon::store::cache::Cache::Dir(env.cache()))
            .expect("load");
        let file = colophon::store::ledger::LedgerFile(&ledger);
        let signed = Signed::new(&snap.index, Store::Ledger(&file));
        let k = signed.key(&env.secret("edo").id()).expect("edo's key is registered");
        assert_eq!(k.revoked.map(|r| (r.seq, r.entry)), Some((6, revocation)));
        assert_eq!(signed.disagreed(), None, "a genuine revocation is no disagreement");
    }
    let index = env.index_file().expect("the ledger has an index in the cache");
    let c = rusqlite::Connection::open(index).expect("open the index");
    c.execute_batch(&format!(
        "UPDATE keys SET rseq=4, rreason='compromised', rentry=X'{}' WHERE id=X'{}';",
        release.to_hex(),
        tina.to_hex()
    ))
    .expect("forge the index");
    drop(c);
    let snap =
        colophon::store::ledger::load_with(&ledger, &colophon::store::cache::Cache::Dir(env.cache())).expect("load");
    assert!(snap.index.key(&tina).expect("tina's record").revoked.is_some(), "the forged index is read");
    let file = colophon::store::ledger::LedgerFile(&ledger);
    let signed = Signed::new(&snap.index, Store::Ledger(&file));
    let k = signed.key(&tina).expect("tina's key is registered");
    assert_eq!(k.revoked.map(|r| (r.seq, r.entry)), Some((4, release)), "kept revoked");
    assert!(signed.disagreed().is_some(), "the disagreement is remembered");
}

/// The `extra` line of a proof file may hold up to 64 KiB of base64 (c2sp.org/tlog-proof@v1, as
/// the Go implementation reads it), and no more.
///
/// Kills, in src/checkpoint.rs: `*` → `+` in `MAX_EXTRA_LEN = 64 * 1024`.
#[test]
fn a_proofs_extra_line_may_hold_64_kib_of_base64() {
    use colophon::log::checkpoint::{Checkpoint, MAX_EXTRA_LEN, TlogProof};
    let key = common::keys::seeded_key("extra", "Log");
    let cp = Checkpoint {
        origin: "o/x".into(),
        size: 1,
        root: colophon::format::hash::leaf_hash(b"x"),
        extensions: Vec::new(),
    };
    let text = cp.to_text();
    let sig = colophon::log::note::sign(&text, "o/x", &key.signing).expect("sign");
    let note = colophon::log::note::Note { text, sigs: vec![sig] }.to_bytes();
    let proof = |extra_len: usize| {
        TlogProof { extra: Some(vec![b'x'; extra_len]), index: 0, hashes: Vec::new(), checkpoint: note.clone() }
            .to_bytes()
    };
    // 49,152 bytes are 65,536 of base64: the most there may be.
    assert_eq!(MAX_EXTRA_LEN, 65_536);
    let parsed = TlogProof::parse(&proof(49_152)).expect("64 KiB of base64 is allowed");
    assert_eq!(parsed.extra.map(|e| e.len()), Some(49_152));
    assert!(TlogProof::parse(&proof(49_155)).is_err(), "65,540 bytes of base64 are too many");
}

/// `Signed::version_facts` (library API) gives a version's signed body, and refuses any other entry.
///
/// Kills, in src/signed.rs `Signed::version_facts`: delete match arm `Body::Version(v)`.
#[test]
fn version_facts_are_the_signed_body_of_a_version() {
    use colophon::verify::copy::{Signed, Store};
    let env = setup();
    let lines = env.lines();
    let ledger = env.path(common::LEDGER);
    let snap =
        colophon::store::ledger::load_with(&ledger, &colophon::store::cache::Cache::Dir(env.cache())).expect("load");
    let file = colophon::store::ledger::LedgerFile(&ledger);
    let signed = Signed::new(&snap.index, Store::Ledger(&file));
    let en1 = colophon::format::entry::parse_line(&lines[3]).expect("en@1");
    let Body::Version(v) = &en1.entry.body else { panic!("entry 3 is a version") };
    let facts = signed.version_facts(&en1.hash).expect("a version");
    assert_eq!((facts.work, facts.lang, facts.sha256, facts.of), (v.work.clone(), v.lang.clone(), v.sha256, v.of));
    assert!(signed.version_facts(&common::hash_of(&lines[4])).is_err(), "a release is not a version");
}

/// A release's cosigners are the signed `cosign` lines of that release (spec/verify.md §2.3): a
/// genuine cosign counts with nothing to say; a line the index calls a cosign of it that is not
/// one counts for nothing, and the disagreement is remembered.
///
/// Kills, in src/signed.rs `Signed::release`: the match guard `matches!(…, Body::Cosign(x) if
/// x.release == *h)` → `true` (tina's version line would be a cosign), → `false` (olga's genuine
/// cosign would not be).
#[test]
fn a_releases_cosigners_are_its_signed_cosign_lines() {
    use colophon::verify::copy::{Signed, Store};
    let env = setup();
    env.ok(&["cosign", "w@v1", "--key", "olga.key"]);
    let lines = env.lines();
    let (en1, release, cosign) = (common::hash_of(&lines[3]), common::hash_of(&lines[4]), common::hash_of(&lines[5]));
    let (olga, tina) = (env.secret("olga").id(), env.secret("tina").id());
    let ledger = env.path(common::LEDGER);
    let cosigners = || {
        let snap = colophon::store::ledger::load_with(&ledger, &colophon::store::cache::Cache::Dir(env.cache()))
            .expect("load");
        let file = colophon::store::ledger::LedgerFile(&ledger);
        let signed = Signed::new(&snap.index, Store::Ledger(&file));
        let info = signed.release(&release).expect("the release checks out");
        (info.cosigners, signed.disagreed().is_some())
    };
    assert_eq!(cosigners(), (vec![(olga, 5, cosign)], false));
    let index = env.index_file().expect("the ledger has an index in the cache");
    let c = rusqlite::Connection::open(index).expect("open the index");
    c.execute_batch(&format!(
        "INSERT INTO cosigns(release, signer, seq, hash) VALUES (X'{}', X'{}', 3, X'{}');",
        release.to_hex(),
        tina.to_hex(),
        en1.to_hex()
    ))
    .expect("forge the index");
    drop(c);
    assert_eq!(cosigners(), (vec![(olga, 5, cosign)], true), "tina's version line is no cosign");
}

/// A keyring that cannot be used is named with the line at fault (spec/cli.md: FILE:LINE), and a
/// secret key file given as a keyring is called what it is, from its first line (`{`).
///
/// Kills, in src/trust.rs `Keyring::parse`: `+` → `-` and `+` → `*` in `line: i + 1`; `||` → `&&`
/// in `line.starts_with('{') || line.contains("colophon-secret-key")`.
#[test]
fn a_bad_keyring_is_named_with_its_line() {
    let env = setup();
    env.write("ring.txt", "# the keys I trust\n\nnot a key line\n");
    let r = env.run(&["verify", "en.txt", "--trust", "ring.txt"]);
    r.assert_code(2).assert_stderr("ring.txt:3: expected a line starting with `ed25519 `");
    let r = env.run(&["verify", "en.txt", "--trust", "olga.key"]);
    r.assert_code(2).assert_stderr("olga.key:1: this looks like a secret key file");
}

/// A keyring file may be up to 1 MiB (spec/cli.md), and a directory is not one.
///
/// Kills, in src/trust.rs `Keyring::read`: `>` → `>=` and `>` → `==` in `meta.len() > 1 << 20`;
/// `||` → `&&` in `meta.is_dir() || …`.
#[test]
fn a_keyring_may_be_up_to_one_mib() {
    let env = setup();
    let key_line = env.read_string("olga.pub");
    let ring = |size: usize| {
        let pad = size - key_line.len() - 3;
        format!("# {}\n{key_line}", "x".repeat(pad))
    };
    env.write("big.txt", ring(1 << 20));
    assert_eq!(env.read("big.txt").len(), 1 << 20);
    env.run(&["--json", "verify", "en.txt", "--trust", "big.txt"]).assert_code(0).assert_status("copy.verified");
    env.write("big.txt", ring((1 << 20) + 1));
    env.run(&["verify", "en.txt", "--trust", "big.txt"]).assert_code(2).assert_stderr("big.txt: not a keyring file");
    std::fs::create_dir(env.path("ring.d")).expect("mkdir");
    env.run(&["verify", "en.txt", "--trust", "ring.d"]).assert_code(2).assert_stderr("ring.d: not a keyring file");
}

/// Every keyring given is read (spec/cli.md: --trust may be repeated): a root in the second counts.
///
/// Kills, in src/trust.rs `Keyring::extend`: → `()`; `delete !` in `if !self.contains(…)`.
#[test]
fn every_keyring_given_is_read() {
    let env = setup();
    env.run(&["--json", "verify", "en.txt", "--trust", "mal.pub", "--trust", "olga.pub"])
        .assert_code(0)
        .assert_status("copy.verified");
    env.run(&["--json", "verify", "en.txt", "--trust", "mal.pub"]).assert_code(1).assert_status("trust.untrusted");
}

/// Only an owner registers keys (spec/ledger.md §6.1, §10.2): a key whose registration was signed
/// by a translator, or by a key registered after it, chains to no root, whatever lines claim it.
/// `decide_with` is given the keys directly, as a reader re-reading signed lines would.
///
/// Kills, in src/trust.rs `decide_with`: `||` → `&&` in `!registrar.has(Role::Owner) ||
/// registrar.seq >= info.seq`.
#[test]
fn only_an_owner_registered_before_it_vouches_for_a_key() {
    use colophon::format::entry::Role;
    use colophon::log::index::KeyInfo;
    use colophon::log::trust::{Decision, Keyring, decide_with};
    let [olga, tina, mal] = ["olga", "tina", "mal"].map(|n| common::keys::seeded_key(n, n));
    let info = |k: &colophon::format::keys::SecretKey,
                roles: Vec<Role>,
                seq: u64,
                by: &colophon::format::keys::SecretKey| KeyInfo {
        key: k.public(),
        name: k.name.clone(),
        roles,
        seq,
        registered_by: by.id(),
        entry: colophon::format::hash::Digest::of(&seq.to_be_bytes()),
        revoked: None,
    };
    let roots = Keyring { keys: vec![olga.named()], ..Keyring::default() };
    let decide =
        |keys: Vec<KeyInfo>| decide_with(|id| keys.iter().find(|k| k.key.id() == *id).cloned(), &roots, mal.id(), 9);
    let olga_info = info(&olga, vec![Role::Owner], 0, &olga);
    // mal registered by the owner olga: trusted.
    let by_olga = decide(vec![olga_info.clone(), info(&mal, vec![Role::Translator], 5, &olga)]);
    assert!(matches!(by_olga, Decision::Trusted { .. }), "{by_olga:?}");
    // mal registered by tina, a translator registered by olga: not trusted.
    let by_tina = decide(vec![
        olga_info.clone(),
        info(&tina, vec![Role::Translator], 1, &olga),
        info(&mal, vec![Role::Translator], 5, &tina),
    ]);
    assert!(matches!(by_tina, Decision::Untrusted(_)), "{by_tina:?}");
    // mal registered at seq 5 by otto, an owner registered at seq 6: not trusted.
    let otto = common::keys::seeded_key("otto", "otto");
    let later =
        decide(vec![olga_info, info(&otto, vec![Role::Owner], 6, &olga), info(&mal, vec![Role::Translator], 5, &otto)]);
    assert!(matches!(later, Decision::Untrusted(_)), "{later:?}");
}

/// A checkpoint's root hash longer than 64 characters is refused before it is decoded; one of 64
/// is decoded, and refused for its length in bytes.
///
/// Kills, in src/checkpoint.rs `decode_hash`: `>` → `>=` in `s.len() > 64`.
#[test]
fn a_root_hash_is_refused_by_its_decoded_length_up_to_64_characters() {
    use colophon::log::checkpoint::Checkpoint;
    let err = Checkpoint::parse(&format!("o/x\n1\n{}\n", "A".repeat(64))).expect_err("48 bytes").to_string();
    assert!(err.contains("decodes to 48 bytes, not 32"), "{err}");
    let err = Checkpoint::parse(&format!("o/x\n1\n{}\n", "A".repeat(68))).expect_err("too long").to_string();
    assert!(err.contains("is 68 characters long"), "{err}");
}

/// A bad hash in a proof file is named by its line, counting the `extra` line when there is one.
///
/// Kills, in src/checkpoint.rs `TlogProof::parse`: `+=` → `-=` and `+=` → `*=` in the line count
/// after the `extra` line.
#[test]
fn a_bad_proof_hash_is_named_by_its_line() {
    use colophon::log::checkpoint::TlogProof;
    let with_extra = b"c2sp.org/tlog-proof@v1\nextra eA==\nindex 0\nnot-a-hash\n\nnote\n";
    let err = TlogProof::parse(with_extra).expect_err("a bad hash").to_string();
    assert!(err.starts_with("line 4 of the proof is not an inclusion proof hash"), "{err}");
    let without = b"c2sp.org/tlog-proof@v1\nindex 0\nnot-a-hash\n\nnote\n";
    let err = TlogProof::parse(without).expect_err("a bad hash").to_string();
    assert!(err.starts_with("line 3 of the proof is not an inclusion proof hash"), "{err}");
}

/// A keyring with witness `w1` and `quorum 1` (`ring.txt`), and `cp` cosigned by it as `cosigned`.
fn witness_ring(env: &Env) {
    env.keygen("Witness", "w1");
    let vkey = env.ok(&["vkey", "w1.pub", "--name", "witness.example/w1", "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
}

/// A witness quorum is met only by a checkpoint that covers the release (spec/verify.md §2.6): one
/// of size 4 holds entries 0-3, not the release at entry 4; one of size 5 does.
///
/// Kills, in src/verdict.rs `verify`: `<` → `<=` in `rel.seq < size`.
#[test]
fn a_quorum_is_met_only_by_a_checkpoint_covering_the_release() {
    let env = setup();
    witness_ring(&env);
    env.write("cp4", checkpoint_of(&env, 4, &env.secret("olga")));
    env.witness_cosign("cp4", "cosigned4");
    env.run(&["--json", "verify", "en.txt", "--trust", "ring.txt", "--checkpoint", "cosigned4"])
        .assert_code(1)
        .assert_status("checkpoint.quorum");
    env.write("cp5", checkpoint_of(&env, 5, &env.secret("olga")));
    env.witness_cosign("cp5", "cosigned5");
    env.run(&["--json", "verify", "en.txt", "--trust", "ring.txt", "--checkpoint", "cosigned5"])
        .assert_code(0)
        .assert_status("copy.verified");
}

/// A bundle without a checkpoint, accepted with --insecure-ignore-log, still cannot meet a witness
/// quorum, nor be compared with a checkpoint the reader saw (spec/verify.md §3.5).
///
/// Kills, in src/verdict.rs `verify`: `>` → `<` (and `==`) in `roots.quorum > 0` for a bundle with
/// no checkpoint; the `seen.is_some()` branch after it.
#[test]
fn an_unanchored_bundle_meets_no_quorum_and_no_seen_checkpoint() {
    let env = setup();
    witness_ring(&env);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]).assert_any("NO checkpoint");
    let verify = |extra: &[&str]| {
        let mut args = vec!["--json", "verify", "en.txt", "--bundle", "b.bundle", "--insecure-ignore-log"];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    verify(&["--trust", "olga.pub"]).assert_code(0).assert_status("copy.verified");
    // Said as what it is: no checkpoint at all, not one that misses the release.
    verify(&["--trust", "ring.txt"])
        .assert_code(1)
        .assert_status("checkpoint.quorum")
        .assert_any("witness cosignature(s), but the bundle carries no checkpoint");
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    verify(&["--trust", "olga.pub", "--checkpoint", "cp"]).assert_code(1).assert_status("proof.consistency");
}

/// Witnesses from several keyrings are merged, one per name and key: a witness listed twice counts
/// once, and two witness keys under one name are two witnesses.
///
/// Kills, in src/trust.rs `Keyring::extend`: `&&` → `||` in `x.name == w.name && x.key_id ==
/// w.key_id` (the second key of the name would be dropped, and a quorum of 2 never met).
#[test]
fn witnesses_of_several_keyrings_are_merged_by_name_and_key() {
    let env = setup();
    env.keygen("W1", "w1");
    env.keygen("W2", "w2");
    let vkey = |k: &str| env.ok(&["vkey", &format!("{k}.pub"), "--name", "witness.example/w", "--witness"]).stdout;
    let (v1, v2) = (vkey("w1"), vkey("w2"));
    env.write("ring1.txt", format!("{}{v1}", env.read_string("olga.pub")));
    env.write("ring2.txt", format!("{v1}{v2}quorum 2\n"));
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    for (k, from, to) in [("w1", "cp", "c1"), ("w2", "c1", "c2")] {
        let state = format!("{k}.state");
        env.ok(&[
            "cosign-checkpoint",
            from,
            "--key",
            &format!("{k}.key"),
            "--name",
            "witness.example/w",
            "--state",
            &state,
            "--log-key",
            "olga.pub",
            "-o",
            to,
        ]);
    }
    let verify = |cp: &str| {
        env.run(&["--json", "verify", "en.txt", "--trust", "ring1.txt", "--trust", "ring2.txt", "--checkpoint", cp])
    };
    verify("c2").assert_code(0).assert_status("copy.verified");
    verify("c1").assert_code(1).assert_status("checkpoint.quorum");
}

/// A signed note may be up to 1 MiB (spec/transparency.md, as c2sp.org/signed-note readers take).
///
/// Kills, in src/note.rs: `>` → `>=` in `bytes.len() > MAX_NOTE_SIZE` (`Note::parse`) and in
/// `text.len() > MAX_NOTE_SIZE` (`check_text`).
#[test]
fn a_signed_note_may_be_one_mib() {
    use colophon::log::note::{MAX_NOTE_SIZE, Note, NoteError};
    let key = common::keys::seeded_key("note", "Log");
    let note_of = |size: usize| {
        let sign = |text: &str| colophon::log::note::sign(text, "o/x", &key.signing).expect("sign");
        let sig_len = Note { text: "o/x\n".into(), sigs: vec![sign("o/x\n")] }.to_bytes().len() - "o/x\n".len();
        let text = format!("o/x\n{}\n", "x".repeat(size - sig_len - "o/x\n\n".len()));
        let bytes = Note { sigs: vec![sign(&text)], text }.to_bytes();
        assert_eq!(bytes.len(), size);
        bytes
    };
    assert_eq!(MAX_NOTE_SIZE, 1 << 20);
    Note::parse(&note_of(MAX_NOTE_SIZE)).expect("a note of 1 MiB parses");
    assert!(matches!(Note::parse(&note_of(MAX_NOTE_SIZE + 1)), Err(NoteError::TooLarge { .. })));
    // So may the text signed (kills `>` → `>=` in `check_text`).
    let text = |size: usize| format!("{}\n", "x".repeat(size - 1));
    colophon::log::note::sign(&text(MAX_NOTE_SIZE), "o/x", &key.signing).expect("a text of 1 MiB is signed");
    assert!(matches!(
        colophon::log::note::sign(&text(MAX_NOTE_SIZE + 1), "o/x", &key.signing),
        Err(NoteError::TooLarge { .. })
    ));
}

/// A consistency proof is for one pair of sizes (spec/verify.md §2.6): given with two checkpoints
/// of other sizes, it proves nothing, even when they need no proof at all.
///
/// Kills, in src/verdict.rs `verify`: the match guard `(*o, *n) == (a.min(b), a.max(b))` → `true`.
#[test]
fn a_consistency_proof_for_other_sizes_proves_nothing() {
    let env = setup();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "old.cp"]);
    env.keygen("Edo", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    env.ok(&["prove", "consistency", "old.cp", "new.cp", "-o", "c.proof"]);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]).assert_lacks("NO checkpoint");
    let verify = |seen: &str| {
        env.run(&[
            "--json",
            "verify",
            "en.txt",
            "--bundle",
            "b.bundle",
            "--trust",
            "olga.pub",
            "--checkpoint",
            seen,
            "--consistency",
            "c.proof",
        ])
    };
    verify("old.cp").assert_code(0).assert_status("copy.verified");
    verify("new.cp").assert_code(1).assert_status("proof.consistency");
}

/// A vkey's key id is exactly 8 hex digits (c2sp.org/signed-note): a ninth, even a leading zero
/// that leaves the number the same, is refused.
///
/// Kills, in src/note.rs `Verifier::parse_vkey`: `||` → `&&` in `id_hex.len() != 8 || …`; and
/// Display for Verifier → `Ok(Default::default())`.
#[test]
fn a_vkey_key_id_is_exactly_eight_hex_digits() {
    use colophon::log::note::{Verifier, VerifierKind};
    let key = common::keys::seeded_key("vkey", "W");
    let vkey =
        Verifier::new("witness.example/w", VerifierKind::CosignatureV1, key.public().0).expect("verifier").to_vkey();
    let parsed = Verifier::parse_vkey(&vkey).expect("the vkey parses");
    // A verifier displays as its vkey (kills Display for Verifier → `Ok(Default::default())`).
    assert_eq!(parsed.to_string(), vkey);
    let (name, rest) = vkey.split_once('+').expect("name+");
    let padded = format!("{name}+0{rest}");
    assert!(Verifier::parse_vkey(&padded).is_err(), "{padded}");
}

/// Without a witness quorum, the checkpoint kept beside a ledger is not consulted by `verify`
/// (spec/verify.md §2.6): nothing is said about it.
///
/// Kills, in src/verdict.rs `verify`: `>` → `>=` in `roots.quorum > 0` for a ledger.
#[test]
fn without_a_quorum_the_kept_checkpoint_is_not_consulted() {
    let env = setup();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["verify", "en.txt", "--trust", "olga.pub"]).assert_lacks("the checkpoint kept beside the ledger");
}

/// A copy that differs from the signed text only in what text/v1 ignores (line endings), checked
/// with `--profile exact`, does not verify, and the reader is told under which profile it would.
///
/// Kills, in src/verify.rs: `Level::id` → `""` and → `"xyzzy"` (the profiles named in the
/// message); `Level::from_id`: delete match arm `"exact"`, `"text/v1"`, `"words/v2"`.
#[test]
fn a_retypeset_copy_checked_exactly_names_the_profile_it_matches_under() {
    let env = setup();
    env.write("crlf.txt", EN.replace('\n', "\r\n"));
    let r = env.run(&["--json", "verify", "crlf.txt", "--trust", "olga.pub", "--profile", "exact"]);
    r.assert_code(1).assert_status("copy.mismatch");
    r.assert_any("matches w:en@1 under text/v1").assert_any("drop --profile exact to accept it");
    for profile in ["text/v1", "words/v2"] {
        env.run(&["--json", "verify", "crlf.txt", "--trust", "olga.pub", "--profile", profile])
            .assert_code(0)
            .assert_status("copy.verified");
    }
}

/// A verdict names the root a signer chains to by that root's name in the reader's keyring.
///
/// Kills, in src/verify.rs `signer_view`: `==` → `!=` in finding the root's name.
#[test]
fn a_signers_trust_root_is_named_from_the_keyring() {
    let env = setup();
    env.write("ring.txt", format!("{}{}", env.read_string("mal.pub"), env.read_string("olga.pub")));
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "ring.txt"]);
    r.assert_code(0).assert_status("copy.verified");
    assert_eq!(r.json()["release"]["signer"]["trust_root_name"], "Olga", "{r}");
}

/// The index only finds candidates; a version counts as a match only when its signed line matches
/// the copy (spec/verify.md §2.1). Judged straight from an index forged to pair the copy with the
/// English version (before any rebuild): by a words/v2 digest in its normalization table, and by
/// its SHA-256 with a copy of the same size.
///
/// Kills, in src/verify.rs `matches`: → `true`; `&&` → `||` in `v.sha256 == copy.sha256 &&
/// v.size == copy.size`.
#[test]
fn a_candidate_the_index_finds_counts_only_if_its_signed_line_matches() {
    use colophon::format::hash::Digest;
    use colophon::format::normalize::Profile;
    use colophon::verify::copy::{CopyFacts, Level, Store, verify_copy};
    let env = setup();
    let en1 = common::hash_of(&env.lines()[3]);
    // As long as EN, one word changed.
    let forged = EN.replace("morning", "evening");
    assert_eq!(forged.len(), EN.len());
    let copy =
        CopyFacts { size: forged.len() as u64, sha256: Digest::of(forged.as_bytes()), text: Some(forged.clone()) };
    let ledger = env.path(common::LEDGER);
    let roots = colophon::log::trust::Keyring::read(&env.path("olga.pub")).expect("keyring");
    let judge = |statements: &str| {
        let index = env.index_file().expect("the ledger has an index in the cache");
        rusqlite::Connection::open(index).expect("open").execute_batch(statements).expect("forge the index");
        let snap = colophon::store::ledger::load_with(&ledger, &colophon::store::cache::Cache::Dir(env.cache()))
            .expect("load");
        let file = colophon::store::ledger::LedgerFile(&ledger);
        let report = verify_copy(&snap.index, Store::Ledger(&file), &roots, &copy, Level::WORDS);
        (report.status.to_string(), report.index_disagreed.is_some())
    };
    let words = Digest::of(Profile::WordsV2.apply(&forged).as_bytes());
    let by_norm = judge(&format!(
        "INSERT INTO norms(profile, digest, version) VALUES ('words/v2', X'{}', X'{}');",
        words.to_hex(),
        en1.to_hex()
    ));
    assert_eq!(by_norm, ("copy.mismatch".to_string(), true));
    let by_sha = judge(&format!("UPDATE versions SET sha256=X'{}' WHERE lang='en';", copy.sha256.to_hex()));
    assert_eq!(by_sha, ("copy.mismatch".to_string(), true));
}

/// A copy of a release's original verifies through that release too (spec/verify.md §2.2: every
/// release holding the matched version).
///
/// Kills, in src/verify.rs `judge`: `!=` → `==` in `rel.original != v.hash`.
#[test]
fn a_copy_of_the_original_verifies_through_its_release() {
    let env = setup();
    let r = env.run(&["--json", "verify", "it.txt", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("copy.verified");
    assert_eq!(r.json()["release"]["ref"], "w@v1", "{r}");
}

/// The level a copy matches at is the strictest that holds, and the message of a copy that
/// matches nothing says why for the case at hand: it is not text, or only exact bytes were
/// allowed.
///
/// Kills, in src/verify/copy.rs `verify_signed`: deleting the `Level::Exact` arm of `hits_at` (the
/// exact copy would match only at text/v1); deleting the `(false, _)` and `(true, Level::Exact)`
/// arms of the mismatch message.
#[test]
fn a_copy_matches_at_the_strictest_level_and_a_mismatch_says_why() {
    let env = setup();
    let j = env.ok(&["--json", "verify", "en.txt", "--trust", "olga.pub"]).json();
    assert_eq!((j["status"].as_str(), j["level"].as_str()), (Some("copy.verified"), Some("exact")), "{j}");
    env.write("crlf.txt", EN.replace('\n', "\r\n"));
    let j = env.ok(&["--json", "verify", "crlf.txt", "--trust", "olga.pub"]).json();
    assert_eq!(j["level"], "text/v1", "{j}");
    // Not UTF-8: only exact bytes could have matched.
    env.write("latin1.txt", b"The stone bridge.\n\xE8\n");
    let r = env.fails(&["--json", "verify", "latin1.txt", "--trust", "olga.pub"], 1);
    assert_eq!(r.json()["status"], "copy.mismatch");
    r.assert_stdout("it is not UTF-8 text, so only exact bytes can match");
    // Only exact bytes allowed: the reader is told how to allow more.
    let r = env.fails(&["--json", "verify", "crlf.txt", "--trust", "olga.pub", "--profile", "exact"], 1);
    r.assert_stdout("byte for byte (try without --profile exact");
}

/// Kills, in src/log/content.rs: `==` → `!=` in `if h == *hash` in `reconstruct_with` (a
/// version recorded by hash only has no text, and its successor's base is "", spec/ledger.md
/// §8.5, §8.6), and in `base_text` the match guard `code != Code::LedgerIo` → `true`, → `false`,
/// and `!=` → `==` (a parent whose script does not reproduce its signed hash gives the base "";
/// a line that is not the entry the index names is an error, never a silent "").
#[test]
fn texts_are_rebuilt_from_the_right_base() {
    use colophon::format::entry::{TextRole, Version};
    use colophon::format::hash::Digest;
    use colophon::log::content::{ReconstructError, base_text, reconstruct};
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--hash-only", "--key", "olga.key"]);
    env.write("it.txt", format!("{IT}Fine.\n"));
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "olga.key"]);
    let bytes = env.ledger();
    let index = colophon::log::audit::state_of(&bytes).expect("a valid ledger");
    let hashes: Vec<Digest> = env.lines().iter().map(|l| colophon::format::hash::entry_hash(l)).collect();
    let (it1, it2) = (hashes[1], hashes[2]);
    // it@1 has no text; it@2's script starts from "" and rebuilds its text.
    assert!(matches!(reconstruct(&bytes, &index, &it1), Err(ReconstructError::NotStored(h)) if h == it1));
    assert_eq!(reconstruct(&bytes, &index, &it2).ok().as_deref(), Some(format!("{IT}Fine.\n").as_str()));
    // it@3, signed by hand, whose script does not give its signed hash: the base of a version
    // after it is "" (its content cannot be rebuilt, §11 step 10).
    let v3 = Version {
        work: "w".into(),
        role: TextRole::Original,
        lang: "it".into(),
        media_type: "text/plain; charset=utf-8".into(),
        size: 3,
        sha256: Digest::of(b"not what the script gives"),
        norm: None,
        parent: Some(it2),
        of: None,
        diff: Some(serde_json::json!([["-", 3], ["+", "X\n"]])),
        diff_sha256: None,
        note: None,
    };
    let (_, it3) = env.append_signed(Body::Version(Box::new(v3)), &env.secret("olga"));
    let bytes = env.ledger();
    let index = colophon::log::audit::state_of(&bytes).expect("a content problem keeps the entry in the state");
    assert_eq!(base_text(&bytes, &index, Some(&it3)).ok().as_deref(), Some(""));
    assert_eq!(base_text(&bytes, &index, Some(&it2)).ok().as_deref(), Some(format!("{IT}Fine.\n").as_str()));
    // The same lookup over bytes where it@2's place holds other bytes (the ledger changed under
    // the index): an error, not a silent "" that would make `record` write a script against the
    // wrong base.
    let mut changed = bytes.clone();
    let at = bytes.windows(8).position(|w| w == b"\"work\":\"").expect("a version line") + 8;
    changed[at] = b'v';
    assert!(matches!(
        base_text(&changed, &index, Some(&it2)),
        Err(ReconstructError::Invalid { code, .. }) if code == colophon::format::status::Code::LedgerIo
    ));
}

/// Kills, in src/log/audit.rs `Auditor::check_item`: `+=` → `-=` and → `*=` in `slot.0 += 1`
/// (the count of entries per untrusted signer, `audit --trust`).
#[test]
fn audit_counts_the_entries_of_each_untrusted_signer() {
    let env = setup();
    let j = env.ok(&["--json", "audit", "--trust", "tina.pub"]).json();
    let olga = colophon::store::keyfile::read_pub_file(&env.path("olga.pub")).expect("olga.pub").key.id();
    assert_eq!(j["untrusted_signers"].as_array().map(Vec::len), Some(1), "{j}");
    assert_eq!(j["untrusted_signers"][0]["key_id"], olga.to_string());
    assert_eq!(j["untrusted_signers"][0]["entries"], 2, "the genesis and Tina's registration: {j}");
    env.ok(&["audit", "--trust", "tina.pub"]).assert_stdout("untrusted: 2 entries signed by");
}

/// Kills, in src/log/audit.rs `Auditor::check_item`: `delete !` in
/// `if !self.texts.contains_key(&slot) && let Some(kept) = …latest_text(…)` (a state resumed from
/// the index rebuilds the next version from the text the index kept, spec/ledger.md §8.5).
#[test]
fn a_version_appended_by_another_writer_is_rebuilt_from_the_kept_text() {
    use colophon::format::diff::Script;
    use colophon::format::entry::{TextRole, Version};
    use colophon::format::hash::Digest;
    let env = setup();
    // The index holds w:it@1 and its text; the next version is appended by hand, so the next
    // command catches the index up from the text it kept.
    let it2 = format!("{IT}Fine.\n");
    let it1 = env.ok(&["--json", "show", "w:it@1"]).json()["entry"].as_str().expect("entry").to_string();
    let v = Version {
        work: "w".into(),
        role: TextRole::Original,
        lang: "it".into(),
        media_type: "text/plain; charset=utf-8".into(),
        size: it2.len() as u64,
        sha256: Digest::of(it2.as_bytes()),
        norm: Some(colophon::log::content::norm_hashes(&it2)),
        parent: Some(it1.parse().expect("hash")),
        of: None,
        diff: Some(Script::compute(IT, &it2).to_json()),
        diff_sha256: None,
        note: None,
    };
    env.append_signed(Body::Version(Box::new(v)), &env.secret("tina"));
    let r = env.ok(&["show", "w:it@2"]);
    assert_eq!(r.stdout, it2, "the text, rebuilt and checked");
    r.assert_lacks("warning");
    env.ok(&["audit"]).assert_stdout("6 lines, 6 valid lines, 3 texts rebuilt");
}

/// Kills, in src/log/index.rs: `>` → `>=` in the revocation check of `check_signer` (now
/// `KeyInfo::active_at`'s `<=` → `<`): an owner may revoke its own key (spec/ledger.md §6.4), in
/// an entry that key signs at the revocation's own position, which the revocation does not reach
/// (also when trust is judged, L§10.2, with the revocation already in the state).
#[test]
fn an_owner_revokes_its_own_key() {
    let env = setup();
    env.keygen("Oscar", "oscar");
    env.ok(&["key", "add", "oscar.pub", "--role", "owner", "--key", "olga.key"]);
    let olga = colophon::store::keyfile::read_pub_file(&env.path("olga.pub")).expect("olga.pub").key.id();
    env.ok(&["key", "revoke", &olga.to_string(), "--reason", "retired", "--key", "olga.key"]);
    let j = env.ok(&["--json", "audit"]).json();
    assert_eq!((j["lines"].as_u64(), j["valid_entries"].as_u64()), (Some(7), Some(7)), "{j}");
    // Trust is judged with the revocation in the state: the revoking entry itself, at the
    // revocation's position, is still Olga's trusted signature.
    let j = env.ok(&["--json", "audit", "--trust", "olga.pub"]).json();
    assert_eq!(j["untrusted_signers"], serde_json::json!([]), "{j}");
    // The revocation reaches every later entry of that key.
    env.fails(&["key", "add", "mal.pub", "--role", "editor", "--key", "olga.key"], 2).assert_stderr("revoked");
}

/// Kills, in src/log/index.rs `Index::check_body`: the second `||` → `&&` in the release's
/// translation check and in its original check (a release whose `lang` names another language
/// than its translation's, or than its original's, is `release.ref.invalid`, spec/ledger.md §6.6).
#[test]
fn a_release_must_name_its_versions_languages() {
    for (original, translation) in [("it", "de"), ("fr", "en")] {
        let env = setup();
        let hash = |r: &str| -> colophon::format::hash::Digest {
            env.ok(&["--json", "show", r]).json()["entry"].as_str().expect("entry").parse().expect("hash")
        };
        let rel = Release {
            work: "w".into(),
            tag: "v2".into(),
            translation: hash("w:en@1"),
            original: hash("w:it@1"),
            lang: ReleaseLangs { original: original.into(), translation: translation.into() },
            urls: None,
            note: None,
        };
        env.append_signed(Body::Release(rel), &env.secret("tina"));
        let j = env.fails(&["--json", "audit"], 1).json();
        assert_eq!(j["problems"][0]["code"], "release.ref.invalid", "{original}/{translation}: {j}");
        assert_eq!(j["problems"][0]["line"], 6, "{original}/{translation}: {j}");
        assert_eq!(j["problems"].as_array().map(Vec::len), Some(1), "{j}");
    }
}

/// Kills, in src/store/audit.rs: `verify_jobs` → `true`, and `delete !` in
/// `if !failed… && !verify_jobs(&jobs)` (the signatures the fast path defers are checked to the
/// last one): a forged signature on the ledger's last line, which no later `prev` exposes, fails
/// the audit.
#[test]
fn a_forged_signature_on_the_last_line_fails_the_audit() {
    let env = setup();
    let mut lines = env.lines();
    let last = lines.last_mut().expect("a line");
    let at = last.windows(7).position(|w| w == b"\"sig\":\"").expect("a sig") + 7 + 10;
    last[at] = if last[at] == b'B' { b'C' } else { b'B' };
    let mut bytes = Vec::new();
    for l in &lines {
        bytes.extend_from_slice(l);
        bytes.push(b'\n');
    }
    env.write("colophon.jsonl", bytes);
    let j = env.fails(&["--json", "audit"], 1).json();
    assert_eq!(j["problems"][0]["code"], "entry.signature.invalid", "{j}");
    assert_eq!(j["problems"][0]["line"], 5, "{j}");
}

/// The tags of the release entries a bundle carries, and how many texts it holds.
fn bundle_releases(env: &Env, name: &str) -> (Vec<String>, usize) {
    let b = read_bundle(env, name);
    let tags = b["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.as_str()?).ok())
        .filter(|e| e["type"] == "release")
        .map(|e| e["body"]["tag"].as_str().expect("a tag").to_string())
        .collect();
    (tags, b["texts"].as_object().map_or(0, |t| t.len()))
}

/// A bundle carries its release and the later releases of the same work whose translation is in
/// the same language (spec/verify.md §2.8, §3.2), and by default the text of no version released
/// earlier: v2's bundle holds neither v1's release entry nor its text, and v1's holds v2's but
/// not a later release in another language.
///
/// Kills, in src/verify/bundle.rs `build_carrying`: each of the three `&&` → `||` in the filter of
/// later releases (`r.work == rel.work && r.seq > rel.seq && lang.is_some() && lang_of(…) == lang`).
#[test]
fn a_bundle_carries_only_the_later_releases_of_its_language() {
    let env = setup();
    env.write("en2.txt", "The stone bridge.\nEvery morning my grandmother walked over the bridge.\n");
    env.write("de.txt", "Die Steinbrücke.\nJeden Morgen ging meine Großmutter über die Brücke.\n");
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "w@v2", "--translation", "w:en", "--key", "tina.key"]);
    env.ok(&["record", "de.txt", "--work", "w", "--lang", "de", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "w@de1", "--translation", "w:de", "--key", "tina.key"]);
    env.ok(&["bundle", "w@v2", "-o", "v2.bundle"]);
    assert_eq!(bundle_releases(&env, "v2.bundle"), (vec!["v2".to_string()], 1), "v1 is earlier, de1 in German");
    env.ok(&["bundle", "w@v1", "-o", "v1.bundle"]);
    assert_eq!(bundle_releases(&env, "v1.bundle"), (vec!["v1".to_string(), "v2".to_string()], 2), "de1 is in German");
}

/// Kills: delete the match arm `Body::Release(body) => body.note.clone()` in `release_view`
/// (src/verify/copy.rs). A release's note is signed in its entry, and the verdict shows it with
/// the release: without the arm every release would show none.
#[test]
fn the_verdict_shows_the_note_signed_in_the_release() {
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.write("en.txt", EN);
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "olga.key"]);
    env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "olga.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1", "--note", "Prima edizione", "--key", "olga.key"]);
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("copy.verified");
    assert_eq!(r.json()["release"]["note"], "Prima edizione");
    env.ok(&["verify", "en.txt", "--trust", "olga.pub"]).assert_stdout("Prima edizione");
}

/// Kills `!=` → `==` in `r.entry != check.entry` in `judge_hits` (src/verify/copy.rs): the
/// verdict names the release that vouches for the copy and lists the *other* releases holding the
/// version; with the mutant it listed the vouching release as another.
#[test]
fn other_releases_are_those_besides_the_one_that_vouches() {
    let env = setup();
    env.ok(&["release", "--work", "w", "--tag", "v2", "--key", "tina.key"]);
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("copy.verified");
    let j = r.json();
    assert_eq!(j["release"]["ref"], "w@v2", "{j}");
    assert_eq!(j["other_releases"], serde_json::json!(["w@v1"]), "{j}");
}

/// Kills `==` → `!=` in `check.status == Code::TrustUntrusted` in `judge_hits`: a reader whose
/// keyring vouches for no signer of the release is told what to add (with no keyring at all, a
/// different hint), and only then.
#[test]
fn an_untrusted_verdict_says_which_keys_to_add() {
    let env = setup();
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "mal.pub"]);
    r.assert_code(1).assert_status("trust.untrusted");
    let notes = r.json()["notes"].clone();
    assert!(
        notes.as_array().expect("notes").iter().any(|n| n.as_str().is_some_and(|s| s.starts_with("add the signer's"))),
        "{notes}"
    );
    let ok = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]).json();
    assert_eq!(ok["notes"], serde_json::json!([]), "{ok}");
}

/// Kills the deleted match arm `Code::EntrySignatureInvalid` in `judge_hits`: when an entry the
/// verdict rests on does not check out against its signed line (spec/verify.md §2.3: the index
/// only finds lines), the message says so and sends the reader to the audit; the bare reason
/// alone does not say what to do. Here an index forged to name the translation's version line as
/// the release `w@v1`.
#[test]
fn a_release_whose_signed_line_does_not_check_out_sends_the_reader_to_the_audit() {
    let env = setup();
    let en1 = common::hash_of(&env.lines()[3]);
    let index = env.index_file().expect("the ledger has an index in the cache");
    rusqlite::Connection::open(index)
        .expect("open the index")
        .execute_batch(&format!("UPDATE releases SET hash=X'{}' WHERE tag='v1';", en1.to_hex()))
        .expect("forge the index");
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]);
    r.assert_code(1).assert_status("entry.signature.invalid");
    let m = r.json()["message"].as_str().unwrap_or_default().to_string();
    assert!(
        m.starts_with("a signature the verdict rests on is invalid:") && m.ends_with("run `colophon audit`"),
        "{m}"
    );
}

/// Kills `>` → `>=` in `withheld > 0` in `verify_signed` (src/verify/copy.rs): a mismatch says
/// that texts were withheld from the bundle (spec/verify.md §3.6) only when some were; against a
/// ledger, which holds every text, it says nothing of the kind.
#[test]
fn a_mismatch_with_no_text_withheld_says_nothing_of_withheld_texts() {
    let env = setup();
    env.write("other.txt", "Something else entirely.\n");
    env.write("post.html", "<html><body><article><p>Something else entirely.</p></article></body></html>");
    // Kills the same mutant of `withheld > 0` in `verify_page` too.
    for copy in ["other.txt", "post.html"] {
        let r = env.run(&["--json", "verify", copy, "--trust", "olga.pub"]);
        r.assert_code(1).assert_status("copy.mismatch");
        let j = r.json();
        let notes = j["notes"].as_array().expect("notes");
        assert!(!notes.iter().any(|n| n.as_str().is_some_and(|s| s.contains("withheld"))), "{copy}: {j}");
    }
}

/// Kills the match guard `!d.as_os_str().is_empty()` → `true` and → `false` in `create_mode`
/// (src/store/ledger.rs): a dry run of `init` checks the directory the ledger would be created
/// in, which for a bare file name is the current one (spec/cli.md §3.1: a dry run fails where the
/// command would).
#[test]
fn a_dry_run_of_init_checks_the_ledgers_directory() {
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.ok(&["--ledger", "new.jsonl", "init", "--origin", "o/x", "--key", "olga.key", "--dry-run"]);
    assert!(!env.path("new.jsonl").exists(), "a dry run writes nothing");
    env.run(&["--ledger", "nosuch/new.jsonl", "init", "--origin", "o/x", "--key", "olga.key", "--dry-run"])
        .assert_code(2)
        .assert_stderr("its directory does not exist");
    env.run(&["--ledger", "nosuch/new.jsonl", "init", "--origin", "o/x", "--key", "olga.key"]).assert_code(2);
}

/// Kills `==` → `!=` in `o.lang == v.lang` in `latest_release` (src/verify/copy.rs): a copy of
/// the *original* a release vouches for is superseded, like its translation, when a later release
/// of the work pairs a newer original (spec/verify.md §2.8); the verdict names that release.
#[test]
fn a_copy_of_the_original_learns_of_the_later_release() {
    let env = setup();
    let it2 = IT.replace("Ogni mattina", "Ogni sera");
    let en2 = EN.replace("Every morning", "Every evening");
    env.write("it2.txt", &it2);
    env.write("en2.txt", &en2);
    env.ok(&["record", "it2.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v2", "--key", "tina.key"]);
    let r = env.run(&["--json", "verify", "it.txt", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("release.superseded");
    let j = r.json();
    assert_eq!(j["release"]["ref"], "w@v1", "{j}");
    assert_eq!(j["latest_release"]["release"]["ref"], "w@v2", "{j}");
}

/// Kills `>` → `<` and `>` → `==` in `v.seq > slot.0` in `for_each_candidate`
/// (src/verify/copy.rs): a page is searched for every released version, which the search reaches
/// by replaying each work and language's chain up to its latest candidate; from an earlier one
/// (the first, or the first in hash order), the later versions are never rebuilt, and a page
/// holding one of them would not verify. Versions are added until the latest is not the first
/// in hash order, so that both mutants start from an earlier one.
#[test]
fn a_page_holding_any_released_version_verifies() {
    let env = setup();
    let mut texts = vec![EN.to_string()];
    let en_versions = |env: &Env| -> Vec<colophon::format::hash::Digest> {
        env.lines()
            .iter()
            .filter(|l| {
                let v: Value = serde_json::from_slice(l).expect("a line is JSON");
                v["type"] == "version" && v["body"]["lang"] == "en"
            })
            .map(|l| common::hash_of(l))
            .collect()
    };
    let words = ["evening", "night", "noon", "dawn", "dusk", "midday", "sunset", "sunrise"];
    for (i, word) in words.iter().enumerate() {
        let en = EN.replace("morning", word);
        env.write("en.txt", &en);
        env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
        env.ok(&["release", "--work", "w", "--tag", &format!("v{}", i + 2), "--key", "tina.key"]);
        texts.push(en);
        let hashes = en_versions(&env);
        if i >= 2 && hashes.iter().min() != hashes.last() {
            break;
        }
    }
    let hashes = en_versions(&env);
    assert_ne!(hashes.iter().min(), hashes.last(), "the latest version is not the first in hash order");
    for (i, text) in texts.iter().enumerate() {
        let body: String = text.lines().map(|l| format!("<p>{l}</p>")).collect();
        env.write("post.html", format!("<html><body><nav>Home</nav><article>{body}</article></body></html>"));
        let r = env.run(&["--json", "verify", "post.html", "--trust", "olga.pub"]);
        let j = r.json();
        assert_eq!(j["version"]["ref"], format!("w:en@{}", i + 1), "{j}");
        r.assert_code(0);
    }
}

/// Kills `&&` → `||` in the check of a rebuilt text against its signed size *and* hash, in
/// `text_of` and `for_each_candidate` (src/verify/copy.rs). A version whose signed script does not
/// reproduce its signed hash is in the state (spec/ledger.md §11: a content problem keeps no
/// authentic entry out) but its text cannot be rebuilt (§8.5): here tina signs `w:en@2` with the
/// hash of one text and a script that writes another of the same length, and releases it. A page
/// holding the text the script writes must not verify as that release.
#[test]
fn a_text_whose_script_misses_its_signed_hash_is_never_matched() {
    use colophon::format::entry::{Release, ReleaseLangs, TextRole};
    let env = setup();
    let tina = env.secret("tina");
    let lines = env.lines();
    let (it1, en1) = (common::hash_of(&lines[2]), common::hash_of(&lines[3]));
    let signed_text = EN.replace("morning", "evening");
    let written = EN.replace("morning", "mornin_");
    assert_eq!(signed_text.len(), written.len());
    let mut v =
        colophon::log::content::text_version("w", TextRole::Translation, "en", EN, &written, Some(en1), Some(it1));
    // Every signed fact but the script is of the signed text (the normalized hashes too).
    let facts = colophon::log::content::text_version("w", TextRole::Translation, "en", EN, &signed_text, None, None);
    v.sha256 = facts.sha256;
    v.norm = facts.norm;
    let (_, en2) = env.append_signed(Body::Version(Box::new(v)), &tina);
    let r = Release {
        work: "w".into(),
        tag: "v2".into(),
        translation: en2,
        original: it1,
        lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
        urls: None,
        note: None,
    };
    env.append_signed(Body::Release(r), &tina);
    let audit = env.run(&["--json", "audit"]);
    audit.assert_code(1);
    assert!(audit.all().contains("content.hash.mismatch"), "{}", audit.all());
    let body: String = written.lines().map(|l| format!("<p>{l}</p>")).collect();
    env.write("post.html", format!("<html><body><article>{body}</article></body></html>"));
    env.write("written.txt", &written);
    for copy in ["post.html", "written.txt"] {
        let r = env.run(&["--json", "verify", copy, "--trust", "olga.pub"]);
        let j = r.json();
        assert_ne!(j["version"]["ref"], "w:en@2", "{copy}: {j}");
        r.assert_code(1);
    }
    // A copy of v1 learns of v2, with no diff to a text that cannot be rebuilt.
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]);
    r.assert_code(0).assert_status("release.superseded");
    let j = r.json();
    assert_eq!(j["latest_release"]["release"]["ref"], "w@v2", "{j}");
    assert!(j["latest_release"]["diff"].is_null(), "{j}");
    // And the next version is recorded against the empty text (§8.5: the base of a version whose
    // parent's text cannot be rebuilt is ""), which kills `code != Code::LedgerIo` → `false` and
    // `!=` → `==` in `base_text` (src/log/content.rs).
    let en3 = EN.replace("morning", "night");
    env.write("en3.txt", &en3);
    env.ok(&["record", "en3.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["show", "w:en@3"]).assert_stdout("Every night my grandmother");
}

/// Kills `==` → `!=` in `h == *hash` in `reconstruct_with` (src/log/content.rs): a version recorded
/// by hash only has no text to show, and one recorded after it is rebuilt from the empty text its
/// script starts from (spec/ledger.md §8.5).
#[test]
fn a_hash_only_version_has_no_text_and_its_successor_starts_from_empty() {
    let env = setup();
    let en2 = EN.replace("morning", "evening");
    env.write("en2.txt", &en2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--hash-only", "--key", "tina.key"]);
    let en3 = EN.replace("morning", "night");
    env.write("en3.txt", &en3);
    env.ok(&["record", "en3.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.run(&["show", "w:en@2"]).assert_code(2);
    let shown = env.ok(&["show", "w:en@3"]);
    shown.assert_stdout("Every night my grandmother").assert_code(0);
}
