//! The binary keeps no verification policy (issue "One verifier"): for every kind of source and
//! outcome, `colophon --json verify` prints exactly the serialization of the library's
//! `verdict::verify`, with only `ok`, `command` and `source` added.

mod common;

use colophon::log::trust::Keyring;
use colophon::store::cache::Cache;
use colophon::verify::copy::CopyFacts;
use colophon::verify::verdict::{Source, VerifyOptions, verify};
use common::{Env, LEDGER};
use serde_json::Value;

const IT: &str = "Il ponte di pietra.\nOgni mattina mia nonna attraversava il ponte.\n";
const EN: &str = "The stone bridge.\nEvery morning my grandmother crossed the bridge.\n";

fn setup() -> Env {
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.keygen("Tina", "tina");
    env.keygen("Mal", "mal");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.write("en.txt", EN);
    env.write("tampered.txt", EN.replace("morning", "evening"));
    env.write("retyped.txt", EN.replace('\n', "\r\n"));
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp"]);
    env.ok(&["bundle", "w@v1", "-o", "b.bundle"]);
    env.ok(&["publish", "pub"]);
    env
}

fn facts(env: &Env, copy: &str) -> CopyFacts {
    colophon::store::append::read_content(&env.path(copy), false, |_, _| {}).expect("copy").into()
}

fn ring(env: &Env, prefix: &str) -> Keyring {
    Keyring::read(&env.path(&format!("{prefix}.pub"))).expect("keyring")
}

/// The binary's `--json verify`, without the members the CLI adds.
fn binary(env: &Env, args: &[&str]) -> Value {
    let mut full = vec!["--json", "verify"];
    full.extend_from_slice(args);
    let mut j = env.run(&full).json();
    for k in ["ok", "command", "source"] {
        j.as_object_mut().expect("object").remove(k);
    }
    j
}

#[test]
fn the_binary_prints_the_librarys_verdict_for_a_ledger() {
    let env = setup();
    let snap = colophon::store::ledger::load_with(&env.path(LEDGER), &Cache::None).expect("load");
    for (copy, roots) in [("en.txt", "olga"), ("retyped.txt", "olga"), ("tampered.txt", "olga"), ("en.txt", "mal")] {
        let path = env.path(LEDGER);
        let lines = colophon::store::ledger::LedgerFile(&path);
        let source = Source::Ledger {
            index: &snap.index,
            lines: &lines,
            kept: colophon::store::transparency::read_kept_checkpoint(&path),
            kept_name: colophon::store::transparency::checkpoint_path(&path).display().to_string(),
        };
        let v = verify(&facts(&env, copy), source, &ring(&env, roots), &VerifyOptions::default()).expect("verdict");
        let lib = serde_json::to_value(&v).expect("json");
        assert_eq!(binary(&env, &[copy, "--trust", &format!("{roots}.pub")]), lib, "{copy} trusting {roots}");
        // The library's own answers agree with the status it serializes.
        assert_eq!(v.superseded(), lib["status"] == "release.superseded", "{copy} trusting {roots}");
        assert_eq!(v.ok(), lib["status"] == "copy.verified", "{copy} trusting {roots}");
    }
}

#[test]
fn the_binary_prints_the_librarys_verdict_for_a_bundle_and_tiles() {
    let env = setup();
    let bytes = env.read("b.bundle");
    for copy in ["en.txt", "tampered.txt"] {
        let v = verify(
            &facts(&env, copy),
            Source::Bundle { bytes: &bytes },
            &ring(&env, "olga"),
            &VerifyOptions::default(),
        )
        .expect("verdict");
        assert_eq!(
            binary(&env, &[copy, "--bundle", "b.bundle", "--trust", "olga.pub"]),
            serde_json::to_value(&v).expect("json"),
            "{copy} against the bundle"
        );
    }
    // Tiles: the binary rebuilds the published log; the library is given the same lines.
    let dir = colophon::store::tiles::tiles_dir(&env.path("pub").display().to_string()).expect("tiles dir");
    let src = colophon::store::tiles::open_dir(&dir).expect("tiles");
    let tmp = tempfile::tempdir().expect("tmp");
    let rebuilt = tmp.path().join("published.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&rebuilt).expect("create"));
    src.write_ledger(&mut w).expect("write");
    drop(w);
    let snap = colophon::store::ledger::load_with(&rebuilt, &Cache::None).expect("load");
    let lines = colophon::store::ledger::LedgerFile(&rebuilt);
    let source = Source::Tiles { index: &snap.index, lines: &lines, checkpoint: &src.checkpoint };
    let v = verify(&facts(&env, "en.txt"), source, &ring(&env, "olga"), &VerifyOptions::default()).expect("verdict");
    assert_eq!(
        binary(&env, &["en.txt", "--tiles", "pub", "--trust", "olga.pub"]),
        serde_json::to_value(&v).expect("json")
    );
}
