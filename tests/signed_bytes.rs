//! Only signed bytes decide (spec/verify.md §4): each way a forged fact reached a verdict, a printed
//! text or a new entry, as an attacker with write access to the ledger's directory (or a stolen key)
//! would try it. One test per finding; each fails on the code before the fix.

mod common;

use colophon::format::entry::{Body, KeyReg, Release, ReleaseLangs, Role};
use common::{Env, LEDGER, mode};
use serde_json::Value;

const IT: &str = "Il ponte di pietra.\nOgni mattina mia nonna attraversava il ponte.\n";
const EN: &str = "The stone bridge.\nEvery morning my grandmother crossed the bridge.\n";
const EN2: &str = "The stone bridge.\nEach morning my grandmother crossed the bridge.\n";
const FORGED: &str = "The stone bridge.\nEvery evening my grandmother burned the bridge.\n";

/// The common setup: owner olga, translator tina, outsider mal, `w:it@1`, `w:en@1` of it,
/// release `w@v1`.
fn setup() -> Env {
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.keygen("Tina", "tina");
    env.keygen("Mal", "mal");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.write("en.txt", EN);
    env.write("forged.txt", FORGED);
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1", "--key", "tina.key"]);
    env
}

fn sql(env: &Env, statements: &str) {
    let path = env.index_file().expect("the ledger has an index in the cache");
    let c = rusqlite::Connection::open(path).expect("open the index");
    c.execute_batch(statements).expect("forge the index");
}

fn hex_sha(bytes: &[u8]) -> String {
    colophon::format::hash::Digest::of(bytes).to_hex()
}

/// The forgery: the index says the English version is the forged text, and keeps that
/// text as its latest.
fn forge_english(env: &Env) {
    sql(
        env,
        &format!(
            "UPDATE versions SET sha256=X'{}', size={} WHERE lang='en'; UPDATE texts SET text='{}' WHERE lang='en';",
            hex_sha(FORGED.as_bytes()),
            FORGED.len(),
            FORGED
        ),
    );
}

/// Item 1: facts forged in the index (a version's hash and kept text) never make a forged copy
/// verify, nor `show` print forged text as verified.
#[test]
fn a_forged_index_never_verifies_forged_text() {
    let env = setup();
    forge_english(&env);
    env.run(&["--json", "verify", "forged.txt", "--trust", "olga.pub"]).assert_code(1).assert_status("copy.mismatch");
    let shown = env.ok(&["show", "w@v1", "--text"]);
    assert_eq!(shown.stdout, EN, "show prints the signed text");
    // The genuine copy still verifies, and the index was rebuilt.
    env.ok(&["verify", "en.txt", "--trust", "olga.pub"]);
}

/// Item 1, through `show` first: the kept text is used only when it has the signed facts.
#[test]
fn show_never_prints_a_forged_kept_text() {
    let env = setup();
    sql(&env, &format!("UPDATE texts SET text='{FORGED}' WHERE lang='en';"));
    assert_eq!(env.ok(&["show", "w:en@1"]).stdout, EN);
    forge_english(&env);
    let r = env.ok(&["--json", "show", "w:en@1"]);
    assert_eq!(r.json()["text"], EN);
    assert_eq!(r.json()["sha256"], hex_sha(EN.as_bytes()));
}

/// Item 2: a forged base text in the index never makes `record` write a diff an audit rejects.
#[test]
fn record_computes_its_diff_against_the_signed_base() {
    let env = setup();
    forge_english(&env);
    env.write("en2.txt", EN2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["audit"]).assert_any("✓ audit");
    assert_eq!(env.ok(&["show", "w:en@2"]).stdout, EN2);
}

/// Item 3: a translator who appends by hand a line registering another key as owner (it passed
/// on a scratch copy whose index she forged) gets nothing: the line is rejected exactly as an
/// audit rejects it, by every command.
#[test]
fn a_translator_cannot_make_anyone_an_owner() {
    let env = setup();
    let tina = env.secret("tina");
    let mal = env.secret("mal");
    env.append_signed(Body::Key(KeyReg { key: mal.public(), name: "Mal".into(), roles: vec![Role::Owner] }), &tina);
    // mal releases the translation with his own tag.
    let lines = env.lines();
    let en1 = common::hash_of(&lines[3]);
    let it1 = common::hash_of(&lines[2]);
    let release = |tag: &str| {
        Body::Release(Release {
            work: "w".into(),
            tag: tag.into(),
            translation: en1,
            original: it1,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: None,
            note: None,
        })
    };
    env.append_signed(release("mal"), &mal);
    let audit = env.run(&["--json", "audit"]);
    audit.assert_code(1);
    let codes: Vec<Value> =
        audit.json()["problems"].as_array().expect("problems").iter().map(|p| p["code"].clone()).collect();
    assert_eq!(codes, ["entry.signer.unauthorized", "entry.signer.unknown"], "{audit}");
    // Every reader of the ledger ignores both lines.
    let v = env.run(&["--json", "verify", "en.txt", "--trust", "olga.pub"]);
    v.assert_code(0).assert_status("copy.verified");
    let vj = v.json();
    let releases: Vec<&str> =
        vj["releases"].as_array().expect("releases").iter().filter_map(|r| r["ref"].as_str()).collect();
    assert_eq!(releases, ["w@v1"], "mal's release is not a release: {v}");
    env.ok(&["log"]).assert_any("REJECTED (entry.signer.unauthorized");
    // mal cannot sign anything either.
    env.write("en2.txt", EN2);
    env.run(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "mal.key"])
        .assert_code(2)
        .assert_any("entry.signer.unknown");
    // The log's owner signs a checkpoint and publishes: readers of the tiles see the same.
    env.ok(&["publish", "pub", "--key", "olga.key"]);
    let t = env.run(&["--json", "verify", "en.txt", "--tiles", "pub", "--trust", "olga.pub"]);
    t.assert_code(0);
    assert_eq!(t.json()["releases"].as_array().expect("releases").len(), 1, "{t}");
}

/// Item 3: an editor's signature on a release vouches for nothing (only owners and translators
/// sign releases), even when the line is appended by hand.
#[test]
fn an_editor_signed_release_is_not_a_release() {
    let env = setup();
    env.keygen("Edo", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("en2.txt", EN2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    let lines = env.lines();
    let en2 = common::hash_of(lines.last().expect("en@2"));
    let it1 = common::hash_of(&lines[2]);
    env.append_signed(
        Body::Release(Release {
            work: "w".into(),
            tag: "v2".into(),
            translation: en2,
            original: it1,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: None,
            note: None,
        }),
        &env.secret("edo"),
    );
    env.write("copy2.txt", EN2);
    env.run(&["--json", "verify", "copy2.txt", "--trust", "olga.pub"]).assert_code(1).assert_status("copy.unreleased");
}

/// Item 4: a bundle with no checkpoint is a set of entries in an order its writer chose. With
/// tina's key stolen and then revoked as compromised, a fork signed before the revocation (even
/// carrying the real revocation line) must not verify.
#[test]
fn an_unanchored_fork_with_a_stolen_key_does_not_verify() {
    let env = setup();
    // The real log: olga registers another key, then revokes tina's as compromised.
    env.keygen("Edo", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["key", "revoke", "Tina", "--reason", "compromised", "--key", "olga.key"]);
    let real = env.lines();
    let revocation = String::from_utf8(real.last().expect("the revocation").clone()).expect("UTF-8");
    // The attacker's fork: the first four lines, then a forged version and a new "v1".
    std::fs::create_dir(env.path("fork")).expect("mkdir");
    let prefix: Vec<u8> = real[..4].iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect();
    std::fs::write(env.path("fork/colophon.jsonl"), prefix).expect("write fork");
    let fork = |args: &[&str]| {
        let mut a = vec!["--ledger", "fork/colophon.jsonl"];
        a.extend_from_slice(args);
        env.ok(&a)
    };
    fork(&["record", "forged.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    fork(&["release", "--work", "w", "--tag", "v1", "--key", "tina.key"]);
    fork(&["bundle", "w@v1", "-o", "fork.bundle"]).assert_any("NO checkpoint");
    let mut b: Value = serde_json::from_slice(&env.read("fork.bundle")).expect("bundle");
    b["entries"].as_array_mut().expect("entries").push(Value::from(revocation));
    env.write("fork.bundle", serde_json::to_vec(&b).expect("json"));
    env.run(&["--json", "verify", "forged.txt", "--bundle", "fork.bundle", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_status("bundle.unanchored");
    // Told to do without the log, the reader still gets no verdict that needs the order.
    let r = env.run(&[
        "--json",
        "verify",
        "forged.txt",
        "--bundle",
        "fork.bundle",
        "--trust",
        "olga.pub",
        "--insecure-ignore-log",
    ]);
    r.assert_code(1).assert_status("bundle.unanchored").assert_lacks("came first");
}

/// Item 4: stripping the checkpoint and proofs from a genuine bundle makes it unanchored.
#[test]
fn a_stripped_bundle_is_unanchored() {
    let env = setup();
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]);
    env.ok(&["verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
    let mut b: Value = serde_json::from_slice(&env.read("b.bundle")).expect("bundle");
    b.as_object_mut().expect("object").remove("checkpoint");
    b.as_object_mut().expect("object").remove("proofs");
    env.write("b.bundle", serde_json::to_vec(&b).expect("json"));
    env.run(&["--json", "verify", "en.txt", "--bundle", "b.bundle", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_status("bundle.unanchored");
    // A reader who trusts the translator directly still gets the log's order, and is told whose
    // log it is.
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b2.bundle"]);
    env.ok(&["verify", "en.txt", "--bundle", "b2.bundle", "--trust", "tina.pub"]).assert_any("not in your keyring");
    env.run(&["--json", "verify", "en.txt", "--bundle", "b2.bundle", "--trust", "mal.pub"])
        .assert_code(1)
        .assert_status("trust.untrusted");
}

/// Item 4: a translator who is not the log's owner is told the bundle is incomplete and how to
/// complete it; an owner's `release --bundle` signs the checkpoint itself.
#[test]
fn release_bundles_say_when_they_lack_a_checkpoint() {
    let env = setup();
    env.write("en2.txt", EN2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v2", "--key", "tina.key", "--bundle", "v2.bundle"])
        .assert_any("incomplete")
        .assert_any("colophon bundle w@v2 -o v2.bundle");
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v2", "-o", "v2.bundle"]).assert_lacks("incomplete");
    env.write("copy2.txt", EN2);
    env.ok(&["verify", "copy2.txt", "--bundle", "v2.bundle", "--trust", "olga.pub"]);
    // The owner's own release bundle is complete at once.
    env.ok(&["record", "it.txt", "--work", "z", "--lang", "it", "--key", "olga.key"]);
    env.ok(&["record", "en.txt", "--work", "z", "--lang", "en", "--of", "z:it", "--key", "olga.key"]);
    env.ok(&["release", "--work", "z", "--tag", "v1", "--key", "olga.key", "--bundle", "z.bundle"])
        .assert_any("signed checkpoint")
        .assert_lacks("incomplete");
    env.ok(&["verify", "en.txt", "--bundle", "z.bundle", "--trust", "olga.pub"]);
}

/// Item 7: colophon never writes through a symbolic link it did not make: not its index, not a
/// torn line's copy.
#[test]
fn sidecars_are_never_written_through_links() {
    let env = setup();
    // A link where the index is.
    let index = env.index_file().expect("index");
    std::fs::remove_file(&index).expect("rm index");
    env.write("other.db", b"someone else's database");
    std::os::unix::fs::symlink(env.path("other.db"), &index).expect("symlink");
    env.run(&["log"]).assert_code(2).assert_any("symbolic link");
    assert_eq!(env.read("other.db"), b"someone else's database");
    std::fs::remove_file(&index).expect("rm link");
    // An index beside the ledger (where older versions kept it) is not read or written at all.
    std::os::unix::fs::symlink(env.path("other.db"), env.path("colophon.jsonl.index")).expect("symlink");
    env.ok(&["log"]);
    env.ok(&["verify", "en.txt", "--trust", "olga.pub"]);
    assert_eq!(env.read("other.db"), b"someone else's database");
    // A planted link at the name a torn line will be copied to.
    let len = std::fs::metadata(env.path(LEDGER)).expect("ledger").len();
    env.append_raw_torn(b"{\"body\":");
    std::os::unix::fs::symlink(env.path("other.db"), env.path(&format!("colophon.jsonl.torn-{len}"))).expect("symlink");
    env.write("en2.txt", EN2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    assert_eq!(env.read("other.db"), b"someone else's database", "nothing was written through the link");
    assert_eq!(env.read(&format!("colophon.jsonl.torn-{len}.1")), b"{\"body\":");
    env.ok(&["audit"]);
}

/// Item 8: a checkpoint of another log (or signed by someone else) beside the ledger is named for
/// what it is and ignored, never taken for "history was rewritten".
#[test]
fn a_foreign_kept_checkpoint_is_ignored_and_named() {
    let env = setup();
    // Another log, with another owner.
    std::fs::create_dir(env.path("other")).expect("mkdir");
    env.ok(&["--ledger", "other/colophon.jsonl", "init", "--origin", "other/log", "--key", "mal.key"]);
    env.ok(&["--ledger", "other/colophon.jsonl", "checkpoint", "--key", "mal.key", "-o", "other.cp"]);
    std::fs::copy(env.path("other.cp"), env.path("colophon.jsonl.checkpoint")).expect("plant");
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]).assert_any("another log").assert_any("ignored");
    // This log's origin, but signed by a key that is not its owner.
    let forged = String::from_utf8(env.read("cp")).expect("UTF-8");
    let body = forged.split("\n\n").next().expect("body");
    let mal = env.secret("mal");
    let sig = colophon::log::note::sign(&format!("{body}\n"), "o/x", &mal.signing).expect("sign");
    let note = colophon::log::note::Note { text: format!("{body}\n"), sigs: vec![sig] };
    env.write("colophon.jsonl.checkpoint", note.to_bytes());
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]).assert_any("NO checkpoint");
    env.run(&["prove", "inclusion", "w@v1"]).assert_code(2).assert_any("no checkpoint covers");
    env.run(&["publish", "pub"]).assert_code(2).assert_any("not signed by an owner");
    env.ok(&["checkpoint", "--key", "olga.key"]).assert_any("not signed by an owner key of this log");
}

/// Item 9: a keyring's witness quorum applies to every source, a ledger included.
#[test]
fn a_quorum_applies_against_the_ledger_too() {
    let env = setup();
    env.keygen("Witness", "w1");
    let vkey = env.ok(&["vkey", "w1.pub", "--name", "witness.example/w1", "--witness"]).stdout;
    env.write("ring.txt", format!("{}{vkey}quorum 1\n", String::from_utf8(env.read("olga.pub")).expect("UTF-8")));
    env.run(&["--json", "verify", "en.txt", "--trust", "ring.txt"]).assert_code(1).assert_status("checkpoint.quorum");
    // A checkpoint the witness cosigned, kept beside the ledger, meets it.
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&[
        "witness",
        "cp",
        "--key",
        "w1.key",
        "--name",
        "witness.example/w1",
        "--state",
        "st",
        "--log-key",
        "olga.pub",
        "-o",
        "cosigned",
    ]);
    std::fs::copy(env.path("cosigned"), env.path("colophon.jsonl.checkpoint")).expect("keep");
    env.ok(&["verify", "en.txt", "--trust", "ring.txt"]).assert_any("witness.example/w1");
    // So does one given with --checkpoint.
    std::fs::remove_file(env.path("colophon.jsonl.checkpoint")).expect("rm");
    env.ok(&["verify", "en.txt", "--trust", "ring.txt", "--checkpoint", "cosigned"]);
}

/// Item 10: every release holding the version is judged; a later one by a key the reader does not
/// trust does not hide an earlier one by a key they do.
#[test]
fn a_later_untrusted_release_does_not_hide_a_trusted_one() {
    let env = setup();
    env.keygen("Tom", "tom");
    env.ok(&["key", "add", "tom.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1-tom", "--key", "tom.key"]);
    // The reader trusts tina only.
    let r = env.run(&["--json", "verify", "en.txt", "--trust", "tina.pub"]);
    r.assert_code(0).assert_status("copy.verified");
    let j = r.json();
    assert_eq!(j["release"]["ref"], "w@v1");
    let judged: Vec<(String, String)> = j["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|x| (x["ref"].as_str().unwrap_or("").to_string(), x["status"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        judged,
        [("w@v1".to_string(), "copy.verified".to_string()), ("w@v1-tom".to_string(), "trust.untrusted".to_string())]
    );
}

/// Item 11: files meant for others are created with the umask's mode, not 0600; only secret keys
/// are private.
#[test]
fn public_files_follow_the_umask() {
    let env = setup();
    let run = |line: &str| {
        let mut sh = std::process::Command::new("sh");
        env.clean(&mut sh);
        let out = sh.arg("-c").arg(format!("umask 022; exec \"$0\" {line}")).arg(common::BIN).output().expect("sh");
        assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run("checkpoint --key olga.key -o cp");
    run("bundle w@v1 -o b.bundle");
    run("prove inclusion w@v1 -o p.proof");
    run("show w:en@1 -o shown.txt");
    run("publish pub");
    let mut published = Vec::new();
    let mut dirs = vec![env.path("pub")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).expect("read pub").flatten() {
            if e.path().is_dir() { dirs.push(e.path()) } else { published.push(e.path()) }
        }
    }
    assert!(published.len() >= 4, "checkpoint, hash tile, entry bundles: {published:?}");
    for f in ["cp", "b.bundle", "p.proof", "shown.txt", "colophon.jsonl.checkpoint"]
        .map(|f| env.path(f))
        .iter()
        .chain(&published)
    {
        assert_eq!(mode(f), 0o644, "{}", f.display());
    }
    assert_eq!(mode(&env.path("olga.key")), 0o600);
}

/// A proof of a line that is not a ledger entry proves nothing about an entry: the line has no seq
/// to compare with the proof's index (spec/transparency.md §5, reader's check 3), even when the line
/// is in the tree the checkpoint signs (a damaged ledger's lines are).
#[test]
fn a_proof_of_a_line_that_is_no_entry_is_refused() {
    let env = setup();
    env.append_raw(b"not an entry at all");
    let hashes = colophon::store::ledger::merkle_hashes(&env.path(LEDGER), 6).expect("hashes");
    let root = colophon::log::merkle::tree_hash(6, &hashes).expect("root");
    let cp = colophon::log::checkpoint::Checkpoint { origin: "o/x".into(), size: 6, root, extensions: Vec::new() };
    let text = cp.to_text();
    let sig = colophon::log::note::sign(&text, "o/x", &env.secret("olga").signing).expect("sign");
    let note = colophon::log::note::Note { text, sigs: vec![sig] }.to_bytes();
    let proof = colophon::log::transparency::inclusion_proof(&hashes, 5, b"not an entry at all", &note).expect("proof");
    env.write("p.tlog-proof", proof.to_bytes());
    env.run(&["--json", "verify-proof", "p.tlog-proof", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_status("proof.inclusion");
}

/// Entries of a bundle come in strictly increasing ledger order (spec/verify.md §3.3 item 3): a
/// version line repeated together with its proof (both genuine) must not open, or the repeated
/// version would be numbered as a later one (found by mutation testing: `<=` weakened to `<`
/// passed every other test).
#[test]
fn a_bundle_with_an_entry_repeated_is_refused() {
    let env = setup();
    env.write("en2.txt", EN2);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v2", "-o", "b.bundle"]);
    env.write("copy2.txt", EN2);
    env.ok(&["verify", "copy2.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]).assert_any("w:en@2");
    let mut b: Value = serde_json::from_slice(&env.read("b.bundle")).expect("bundle");
    let entries = b["entries"].as_array().expect("entries").clone();
    let proofs = b["proofs"].as_array().expect("proofs").clone();
    let at = entries
        .iter()
        .position(|e| {
            colophon::format::entry::parse_line(e.as_str().unwrap_or("").as_bytes())
                .is_ok_and(|p| matches!(&p.entry.body, Body::Version(v) if v.lang == "en" && v.parent.is_some()))
        })
        .expect("en@2 is in the bundle");
    b["entries"].as_array_mut().expect("entries").insert(at + 1, entries[at].clone());
    b["proofs"].as_array_mut().expect("proofs").insert(at + 1, proofs[at].clone());
    env.write("b.bundle", serde_json::to_vec(&b).expect("json"));
    env.run(&["--json", "verify", "copy2.txt", "--bundle", "b.bundle", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_status("bundle.invalid")
        .assert_any("ledger order");
}
