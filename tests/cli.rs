//! Integration tests that drive the real `colophon` binary (spec/cli.md, spec/cli-json.md,
//! spec/verify.md) through the three journeys — translator, reader, archivist — and a failure
//! matrix. Every test works in its own temporary directory, with the environment variables that
//! could leak in removed, and never touches the network.

mod common;

use base64::Engine as _;
use common::{Env, LEDGER, key_id_from};
use serde_json::Value;
use std::path::PathBuf;
use unicode_normalization::UnicodeNormalization;

/// The original: a short Italian piece (the demo's text, with accents to decompose).
const ORIGINAL_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Diceva: \"D'inverno il fiume parla con una voce più bassa.\"
Eventualmente, se pioveva, restava a casa a leggere il giornale.
Oggi il ponte è chiuso, ma la sua voce è ancora qui.
";

/// The first translation, with the false friend \"eventualmente\" → \"eventually\".
const TRANSLATION_EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
Eventually, if it rained, she stayed at home to read the newspaper.
Today the bridge is closed, but its voice is still here.
";

/// The corrected translation: one line changed.
const TRANSLATION_EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
If it happened to rain, she stayed at home to read the newspaper.
Today the bridge is closed, but its voice is still here.
";

// ---------------------------------------------------------------------------------------------
// Harness: tests/common (Env, Run)
// ---------------------------------------------------------------------------------------------

/// The ledger's lines (without their LF).
fn lines(ledger: &[u8]) -> Vec<&[u8]> {
    let body = ledger.strip_suffix(b"\n").expect("a ledger ends with LF");
    body.split(|&b| b == b'\n').collect()
}

/// A ledger built through the whole translator journey: Olga owns it, Tina (translator) records
/// ponte:it@1, ponte:en@1 and the corrected ponte:en@2, releases ponte@v1 (bundle
/// `ponte-v1.bundle`, written at release time, before any checkpoint: incomplete), Edo (editor)
/// cosigns, Olga signs a checkpoint; `reader.bundle` is written after both.
struct Journey {
    env: Env,
    olga: String,
    tina: String,
    edo: String,
}

fn journey() -> Journey {
    let env = Env::new();
    let olga = env.keygen("Olga Bianchi", "olga");
    let tina = env.keygen("Tina Rossi", "tina");
    let edo = env.keygen("Edo Marini", "edo");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("ponte.it.txt", ORIGINAL_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_2);
    env.ok(&[
        "record",
        "bridge.en.txt",
        "--work",
        "ponte",
        "--lang",
        "en",
        "--note",
        "eventualmente",
        "--key",
        "tina.key",
    ]);
    env.ok(&[
        "release",
        "--work",
        "ponte",
        "--tag",
        "v1",
        "--url",
        "https://blog.example/the-stone-bridge",
        "--key",
        "tina.key",
        "--bundle",
        "ponte-v1.bundle",
    ]);
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    // The owner signs the log's state; bundles made after it carry that checkpoint (spec/verify.md §3.5).
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "log.checkpoint"]);
    env.ok(&["bundle", "ponte@v1", "--out", "reader.bundle"]);
    env.write("copy.txt", TRANSLATION_EN_2);
    Journey { env, olga, tina, edo }
}

// ---------------------------------------------------------------------------------------------
// 1. Translator journey
// ---------------------------------------------------------------------------------------------

#[test]
fn keygen_writes_a_private_key_and_a_parseable_public_key() {
    let env = Env::new();
    let r = env.ok(&["keygen", "--name", "Tina Rossi", "--out", "tina", "--unencrypted"]);
    let id = key_id_from(&r.stdout);
    r.assert_stdout("Created key for Tina Rossi").assert_stdout("tina.key").assert_stdout("tina.pub");
    r.assert_stderr("without a passphrase");
    assert!(env.path("tina.key").is_file() && env.path("tina.pub").is_file());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("tina.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "secret key mode is {mode:o}");
    }

    // The secret key file (spec/ledger.md §5.4).
    let secret: Value = serde_json::from_slice(&env.read("tina.key")).expect("tina.key is JSON");
    assert_eq!(secret["format"], "colophon-secret-key-v1");
    assert_eq!(secret["key_id"], id.as_str());
    assert_eq!(secret["name"], "Tina Rossi");
    assert_eq!(secret["cipher"], "none");

    // The public key file: comments and exactly one key line `ed25519 <id> <base64> <name>` (§5.3).
    let public = String::from_utf8(env.read("tina.pub")).expect("tina.pub is UTF-8");
    let key_lines: Vec<&str> =
        public.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).collect();
    assert_eq!(key_lines.len(), 1, "tina.pub:\n{public}");
    let fields: Vec<&str> = key_lines[0].splitn(4, ' ').collect();
    assert_eq!(fields[0], "ed25519");
    assert_eq!(fields[1], id);
    let raw = base64::engine::general_purpose::STANDARD.decode(fields[2]).expect("public key is base64");
    assert_eq!(raw.len(), 32);
    assert_eq!(fields[2], secret["public_key"].as_str().unwrap());
    assert_eq!(fields[3], "Tina Rossi");

    // Never overwrites.
    let before = env.read("tina.key");
    env.fails_unchanged(
        &["keygen", "--name", "Other", "--out", "tina", "--unencrypted"],
        &[],
        2,
        &["tina.key", "exists"],
    );
    assert_eq!(env.read("tina.key"), before);
}

#[test]
fn translator_journey_from_keys_to_cosigned_release() {
    let env = Env::new();
    let olga = env.keygen("Olga Bianchi", "olga");
    let tina = env.keygen("Tina Rossi", "tina");
    let edo = env.keygen("Edo Marini", "edo");

    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"])
        .assert_stdout("Created ledger colophon.jsonl with origin example.org/translations")
        .assert_stdout(&olga);
    assert_eq!(lines(&env.ledger()).len(), 1);

    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"])
        .assert_stdout("Registered Tina Rossi")
        .assert_stdout(&tina)
        .assert_stdout("translator");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]).assert_stdout("as editor");

    env.write("ponte.it.txt", ORIGINAL_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"])
        .assert_stdout("Recorded ponte:it@1 (original)")
        .assert_stdout("first version, 6 lines stored");

    env.write("bridge.en.txt", TRANSLATION_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"])
        .assert_stdout("Recorded ponte:en@1 (translation)")
        .assert_stdout("renders original");

    // The correction inherits `of` and reports what changed.
    env.write("bridge.en.txt", TRANSLATION_EN_2);
    let r = env.ok(&[
        "record",
        "bridge.en.txt",
        "--work",
        "ponte",
        "--lang",
        "en",
        "--note",
        "eventualmente means if need be",
        "--key",
        "tina.key",
    ]);
    r.assert_stdout("Recorded ponte:en@2 (translation)")
        .assert_match(r"\+1/−1 lines, \+\d+/−\d+ words against version 1")
        .assert_stdout("same as the previous version");

    let r = env.ok(&[
        "release",
        "--work",
        "ponte",
        "--tag",
        "v1",
        "--url",
        "https://blog.example/the-stone-bridge",
        "--key",
        "tina.key",
        "--bundle",
        "ponte-v1.bundle",
    ]);
    r.assert_stdout("Released ponte@v1")
        .assert_stdout("translation ponte:en@2 renders original ponte:it@1")
        .assert_stdout("ponte-v1.bundle");
    let bundle: Value = serde_json::from_slice(&env.read("ponte-v1.bundle")).expect("bundle is JSON");
    assert_eq!(bundle["format"], "colophon-bundle-v1");
    assert_eq!(bundle["origin"], "example.org/translations");

    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"])
        .assert_stdout("Cosigned ponte@v1 as Edo Marini")
        .assert_stdout(&edo);
    assert_eq!(lines(&env.ledger()).len(), 8);

    let log = env.ok(&["log"]);
    for needle in [
        "genesis",
        "ledger example.org/translations created by owner Olga Bianchi",
        "key Tina Rossi",
        "original ponte:it@1",
        "translation ponte:en@1 of ponte:it@1",
        "translation ponte:en@2 of ponte:it@1",
        "eventualmente means if need be",
        "release ponte@v1: ponte:en@2 rendering ponte:it@1",
        "cosign of ponte@v1",
    ] {
        log.assert_stdout(needle);
    }
    let log_work = env.ok(&["log", "--work", "ponte"]);
    assert!(!log_work.stdout.contains("genesis"), "log --work shows only the work:\n{log_work}");
    log_work.assert_stdout("release ponte@v1");

    let keys = env.ok(&["key", "list"]);
    for (id, name, role) in
        [(&olga, "Olga Bianchi", "owner"), (&tina, "Tina Rossi", "translator"), (&edo, "Edo Marini", "editor")]
    {
        let line = keys.stdout.lines().find(|l| l.contains(id.as_str())).unwrap_or_else(|| panic!("no {id}:\n{keys}"));
        assert!(line.contains(name) && line.contains(role) && line.contains("active"), "key list line: {line}");
    }

    env.ok(&["audit"]).assert_stdout("✓ audit").assert_stdout("8 valid lines");
}

#[test]
fn hash_only_record_and_media_type() {
    let env = journey().env;
    env.write("notes.md", "# Notes\n\nprivate\n");
    let r = env.ok(&[
        "--json",
        "record",
        "notes.md",
        "--work",
        "notes",
        "--lang",
        "en",
        "--hash-only",
        "--key",
        "tina.key",
    ]);
    let j = r.json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["stored"], false);
    assert!(j["not_stored_reason"].as_str().unwrap().contains("--hash-only"));
    let ledger = env.ledger();
    let last = *lines(&ledger).last().unwrap();
    let entry: Value = serde_json::from_slice(last).unwrap();
    assert_eq!(entry["body"]["media_type"], "text/markdown; charset=utf-8");
    assert!(entry["body"].get("diff").is_none(), "hash-only entry stores a diff: {entry}");
    assert!(!String::from_utf8_lossy(last).contains("private"));
}

#[test]
fn source_date_epoch_sets_the_claimed_time() {
    let env = journey().env;
    env.write("de.txt", "Die Steinbrücke\n");
    env.run_env(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.key"],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    )
    .assert_code(0);
    let entry: Value = serde_json::from_slice(lines(&env.ledger()).last().unwrap()).unwrap();
    assert_eq!(entry["time"], "2023-11-14T22:13:20Z");
}

// ---------------------------------------------------------------------------------------------
// 2. Reader journey
// ---------------------------------------------------------------------------------------------

#[test]
fn reader_verifies_a_faithful_copy_with_the_bundle() {
    let j = journey();
    let r = j.env.run(&["verify", "copy.txt", "--bundle", "reader.bundle", "--trust", "olga.pub"]);
    r.assert_code(0)
        .assert_stdout("✓ verified: copy.txt matches release ponte@v1")
        .assert_stdout("ponte:en@2 (translation)")
        .assert_stdout("exact bytes")
        .assert_stdout(&format!("Tina Rossi ({})", &j.tina[..16]))
        .assert_stdout("trusted via Olga Bianchi")
        .assert_stdout("original ponte:it@1")
        .assert_stdout(&format!("cosigned: Edo Marini ({})", &j.edo[..16]))
        .assert_stdout("https://blog.example/the-stone-bridge")
        .assert_stdout("bundle reader.bundle");

    // The bundle written by `release --bundle` (before any checkpoint) carries no checkpoint: a
    // reader refuses it (spec/verify.md §3.5) ...
    let r = j.env.run(&["--json", "verify", "copy.txt", "--bundle", "ponte-v1.bundle", "--trust", "olga.pub"]);
    r.assert_code(1).assert_stderr("no checkpoint").assert_stderr("--insecure-ignore-log");
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["status"], "bundle.unanchored");
    // ... unless told to do without, and then the verdict says what is missing.
    j.env
        .run(&["verify", "copy.txt", "--bundle", "ponte-v1.bundle", "--trust", "olga.pub", "--insecure-ignore-log"])
        .assert_code(0)
        .assert_stdout("matches release ponte@v1")
        .assert_stdout("log:      NONE");
}

#[test]
fn reader_verifies_a_faithful_copy_against_the_ledger() {
    let j = journey();
    j.env
        .run(&["verify", "copy.txt", "--trust", "olga.pub"])
        .assert_code(0)
        .assert_stdout("matches release ponte@v1")
        .assert_stdout("ponte:en@2")
        .assert_stdout("exact bytes")
        .assert_stdout(&format!("Tina Rossi ({})", &j.tina[..16]))
        .assert_stdout("ledger colophon.jsonl");

    // A copy of the original verifies too, and says which translation renders it.
    j.env
        .run(&["verify", "ponte.it.txt", "--trust", "olga.pub"])
        .assert_code(0)
        .assert_stdout("ponte:it@1 (original)")
        .assert_stdout("by translation ponte:en@2 in release ponte@v1");
}

/// Writes a re-typeset copy and checks the profile it verifies under, and that `--profile exact`
/// refuses it.
fn check_normalized_copy(j: &Journey, name: &str, text: &str, level: &str, describe: &str) {
    assert_ne!(text.as_bytes(), TRANSLATION_EN_2.as_bytes(), "{name} must differ in bytes");
    j.env.write(name, text);
    for source in [&["--bundle", "reader.bundle"][..], &[][..]] {
        let mut args = vec!["verify", name, "--trust", "olga.pub"];
        args.extend_from_slice(source);
        j.env.run(&args).assert_code(0).assert_stdout("matches release ponte@v1").assert_stdout(describe);
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(&args);
        let v = j.env.run(&json_args);
        v.assert_code(0);
        assert_eq!(v.json()["level"], level, "{name}: {v}");

        args.extend_from_slice(&["--profile", "exact"]);
        j.env
            .run(&args)
            .assert_code(1)
            .assert_stdout("✗ not verified")
            .assert_stdout("byte for byte")
            .assert_stdout("closest signed version: ponte:en@2");
    }
}

#[test]
fn reader_crlf_copy_verifies_under_text_v1_only() {
    let j = journey();
    check_normalized_copy(&j, "crlf.txt", &TRANSLATION_EN_2.replace('\n', "\r\n"), "text/v1", "text/v1 normalization");
}

#[test]
fn reader_nfd_copy_verifies_under_text_v1_only() {
    let j = journey();
    let nfd: String = TRANSLATION_EN_2.nfd().collect();
    check_normalized_copy(&j, "nfd.txt", &nfd, "text/v1", "text/v1 normalization");
}

#[test]
fn reader_curly_quote_copy_verifies_under_words_v2_only() {
    let j = journey();
    let curly = TRANSLATION_EN_2.replacen('"', "\u{201c}", 1).replacen('"', "\u{201d}", 1);
    check_normalized_copy(&j, "curly.txt", &curly, "words/v2", "words/v2 normalization");
    // text/v1 does not fold quotes.
    j.env
        .run(&["verify", "curly.txt", "--trust", "olga.pub", "--profile", "text/v1"])
        .assert_code(1)
        .assert_stdout("even under text/v1");
}

/// An original and a translation whose numbers use superscripts and a vulgar fraction: the text
/// words/v1 would have equated with its flattened copy (spec/ledger.md §9.5).
const LOAN_IT: &str = "Il prestito \"Ponte\"\n\nPrestito: 10\u{2076} euro; dose 1\u{BD} mg; x\u{207B}\u{B9}.\n";
const LOAN_EN: &str = "The \"Bridge\" Loan\n\nLoan: 10\u{2076} euros; dose 1\u{BD} mg; x\u{207B}\u{B9}.\nIt's the first office on the left.\n";

#[test]
fn words_v2_refuses_a_copy_that_reads_differently_and_accepts_a_retypeset_one() {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", "example.org/loans", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("loan.it.txt", LOAN_IT);
    env.ok(&["record", "loan.it.txt", "--work", "loan", "--lang", "it", "--key", "tina.key"]);
    env.write("loan.en.txt", LOAN_EN);
    env.ok(&["record", "loan.en.txt", "--work", "loan", "--lang", "en", "--of", "loan:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "loan", "--tag", "v1", "--key", "tina.key"]);

    // New versions record text/v1 and words/v2, not the retired words/v1 (spec/ledger.md §9.3).
    let ledger = env.ledger();
    let version: Value = serde_json::from_slice(lines(&ledger)[3]).unwrap();
    assert_eq!(version["body"]["lang"], "en");
    let members: Vec<&String> = version["body"]["norm"].as_object().unwrap().keys().collect();
    assert_eq!(members, ["text/v1", "words/v2"]);

    // 10⁶ flattened to 106 is another number: no match at any level.
    env.write("flat.txt", LOAN_EN.replace("10\u{2076}", "106"));
    let r = env.run(&["verify", "flat.txt", "--trust", "olga.pub"]);
    r.assert_code(1).assert_stdout("✗ not verified").assert_stdout("even under words/v2");
    let r = env.run(&["--json", "verify", "flat.txt", "--trust", "olga.pub"]);
    r.assert_code(1);
    assert_eq!(r.json()["status"], "copy.mismatch", "{r}");
    assert!(r.json().get("level").is_none(), "{r}");
    // Nor is the whole line as NFKC (words/v1) would have read it.
    env.write(
        "nfkc.txt",
        LOAN_EN.replace("10\u{2076} euros; dose 1\u{BD} mg; x\u{207B}\u{B9}", "106 euros; dose 11\u{2044}2 mg; x-1"),
    );
    env.run(&["verify", "nfkc.txt", "--trust", "olga.pub"]).assert_code(1).assert_stdout("even under words/v2");

    // Curly quotes, a curly apostrophe and ligatures are re-typesetting: a match under words/v2.
    let retypeset = LOAN_EN
        .replace("\"Bridge\"", "\u{201C}Bridge\u{201D}")
        .replace("It's", "It\u{2019}s")
        .replace("first office", "\u{FB01}rst o\u{FB03}ce");
    env.write("retypeset.txt", &retypeset);
    env.run(&["verify", "retypeset.txt", "--trust", "olga.pub"])
        .assert_code(0)
        .assert_stdout("✓ verified")
        .assert_stdout("matches release loan@v1")
        .assert_stdout("words/v2 normalization");
    let r = env.run(&["--json", "verify", "retypeset.txt", "--trust", "olga.pub", "--profile", "words/v2"]);
    r.assert_code(0);
    assert_eq!(r.json()["status"], "copy.verified", "{r}");
    assert_eq!(r.json()["level"], "words/v2", "{r}");
    // Stricter levels refuse it, and say that words/v2 would match.
    env.run(&["verify", "retypeset.txt", "--trust", "olga.pub", "--profile", "text/v1"])
        .assert_code(1)
        .assert_stdout("under words/v2");
    // The retired profile is refused as input, whatever the copy.
    env.fails_unchanged(
        &["verify", "retypeset.txt", "--trust", "olga.pub", "--profile", "words/v1"],
        &[],
        2,
        &["retired", "use --profile words/v2"],
    );
}

/// A ledger written before words/v2 (spec/vectors/ledger/valid-norm-legacy-words-v1.txt): its
/// versions' `norm` has text/v1 and words/v1 only. It stays valid, exact and text/v1 copies still
/// verify, and a copy that only words/v1 would equate matches nothing: an entry without a words/v2
/// hash does not match under words/v2, and words/v1 is never used to match (spec/ledger.md §9.3).
#[test]
fn legacy_entries_without_words_v2_match_exactly_or_under_text_v1_only() {
    const ORIGINAL: &str =
        "Il mare d'inverno\n\nIl mare d'inverno \u{E8} un concetto\nche il pensiero non considera.\n";
    let vectors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vectors/ledger");
    let env = Env::new();
    for (name, file) in [("legacy.jsonl", "valid-norm-legacy-words-v1.txt"), ("current.jsonl", "valid-history.txt")] {
        let vector = std::fs::read(vectors.join(file)).unwrap();
        let at = vector.windows(2).position(|w| w == b"\n\n").unwrap();
        env.write(name, &vector[at + 2..]);
    }
    // The owner's key line from spec/vectors/README.md (RFC 8032 test key 1).
    env.write(
        "owner.txt",
        "ed25519 bcd1d56b5845f21e54ce5b764fc1d552 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= Olga Owner\n",
    );
    env.ok(&["--ledger", "legacy.jsonl", "audit"]);
    env.write("exact.txt", ORIGINAL);
    env.write("crlf.txt", ORIGINAL.replace('\n', "\r\n"));
    env.write("curly.txt", ORIGINAL.replace('\'', "\u{2019}"));
    let verify = |ledger: &str, copy: &str| {
        let r = env.run(&["--json", "--ledger", ledger, "verify", copy, "--trust", "owner.txt"]);
        let level = r.json().get("level").cloned();
        (r.code.unwrap_or(-1), level)
    };
    assert_eq!(verify("legacy.jsonl", "exact.txt"), (0, Some(Value::from("exact"))));
    assert_eq!(verify("legacy.jsonl", "crlf.txt"), (0, Some(Value::from("text/v1"))));
    assert_eq!(verify("legacy.jsonl", "curly.txt"), (1, None));
    // The same texts recorded with words/v2: the curly copy matches.
    assert_eq!(verify("current.jsonl", "curly.txt"), (0, Some(Value::from("words/v2"))));
}

#[test]
fn reader_tampered_copy_is_refused_with_the_closest_version_and_a_word_diff() {
    let j = journey();
    let tampered =
        TRANSLATION_EN_2.replace("is closed", "was demolished").replace("to go to the market", "to go to church");
    j.env.write("tampered.txt", &tampered);
    for source in [&["--bundle", "reader.bundle"][..], &[][..]] {
        let mut args = vec!["verify", "tampered.txt", "--trust", "olga.pub"];
        args.extend_from_slice(source);
        j.env
            .run(&args)
            .assert_code(1)
            .assert_stdout("✗ not verified")
            .assert_stdout("copy.mismatch")
            .assert_stdout("closest signed version: ponte:en@2")
            .assert_match(r"\[-[^\]]*closed[^\]]*-\]")
            .assert_match(r"\{\+[^}]*demolished[^}]*\+\}")
            .assert_match(r"\{\+[^}]*church[^}]*\+\}");
    }
}

#[test]
fn reader_untrusted_key_is_refused() {
    let j = journey();
    j.env.keygen("Somebody Else", "stranger");
    j.env
        .run(&["verify", "copy.txt", "--bundle", "reader.bundle", "--trust", "stranger.pub"])
        .assert_code(1)
        .assert_stdout("untrusted")
        .assert_stdout("trust.untrusted")
        .assert_stdout("NOT trusted");
    // An editor registered by the owner does not vouch for the translator either.
    j.env.run(&["verify", "copy.txt", "--trust", "edo.pub"]).assert_code(1).assert_stdout("trust.untrusted");
    // The signer's own key does.
    j.env.run(&["verify", "copy.txt", "--trust", "tina.pub"]).assert_code(0).assert_stdout("✓ verified");
}

#[test]
fn reader_without_trust_roots_is_told_how_to_name_them() {
    let j = journey();
    for args in [&["verify", "copy.txt", "--bundle", "reader.bundle"][..], &["verify", "copy.txt"][..]] {
        let r = j.env.run(args);
        r.assert_code(1).assert_any("untrusted").assert_any("--trust").assert_any("COLOPHON_TRUST");
        assert!(!r.stdout.contains("✓ verified"), "{r}");
    }
}

#[test]
fn colophon_trust_env_works_like_trust() {
    let j = journey();
    let olga = j.env.path("olga.pub");
    j.env
        .run_env(&["verify", "copy.txt", "--bundle", "reader.bundle"], &[("COLOPHON_TRUST", olga.to_str().unwrap())])
        .assert_code(0)
        .assert_stdout("✓ verified");
    // Several paths separated by `:`.
    j.env.keygen("Somebody Else", "stranger");
    j.env.run_env(&["verify", "copy.txt"], &[("COLOPHON_TRUST", "stranger.pub:olga.pub")]).assert_code(0);
    j.env
        .run_env(&["verify", "copy.txt"], &[("COLOPHON_TRUST", "stranger.pub")])
        .assert_code(1)
        .assert_stdout("trust.untrusted");
    // COLOPHON_LEDGER names the ledger.
    std::fs::rename(j.env.path(LEDGER), j.env.path("elsewhere.jsonl")).unwrap();
    j.env
        .run_env(&["verify", "copy.txt", "--trust", "olga.pub"], &[("COLOPHON_LEDGER", "elsewhere.jsonl")])
        .assert_code(0)
        .assert_stdout("ledger elsewhere.jsonl");
}

#[test]
fn a_release_signed_before_a_compromise_still_verifies_and_says_so() {
    let j = journey();
    j.env
        .ok(&["key", "revoke", &j.tina[..8], "--reason", "compromised", "--key", "olga.key"])
        .assert_stdout("Revoked Tina Rossi");
    j.env.run(&["verify", "copy.txt", "--trust", "olga.pub"]).assert_code(0).assert_stdout("compromised");
    j.env.ok(&["key", "list"]).assert_stdout("revoked (compromised)");
}

#[test]
fn an_unreleased_version_is_not_a_publication() {
    let j = journey();
    j.env.write("draft.txt", TRANSLATION_EN_1);
    j.env
        .run(&["verify", "draft.txt", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_stdout("copy.unreleased")
        .assert_stdout("ponte:en@1");
}

// ---------------------------------------------------------------------------------------------
// 3. --json
// ---------------------------------------------------------------------------------------------

#[test]
fn json_output_of_keygen_init_and_record() {
    let env = Env::new();
    let r = env.ok(&["--json", "keygen", "--name", "Olga Bianchi", "--out", "olga", "--unencrypted"]);
    let k = r.json();
    assert_eq!(k["ok"], true);
    assert_eq!(k["command"], "keygen");
    assert_eq!(k["encrypted"], false);
    assert_eq!(k["key_id"].as_str().unwrap().len(), 32);

    let i = env.ok(&["--json", "init", "--origin", "example.org/t", "--key", "olga.key"]).json();
    assert_eq!(i["command"], "init");
    assert_eq!(i["owner"], k["key_id"]);
    assert_eq!(i["entry"].as_str().unwrap().len(), 64);

    env.write("ponte.it.txt", ORIGINAL_IT);
    let rec =
        env.ok(&["--json", "record", "ponte.it.txt", "--work", "ponte", "--lang", "IT", "--key", "olga.key"]).json();
    assert_eq!(rec["ok"], true);
    assert_eq!(rec["command"], "record");
    assert_eq!(rec["ref"], "ponte:it@1");
    assert_eq!(rec["lang"], "it", "the CLI canonicalizes the language");
    assert_eq!(rec["role"], "original");
    assert_eq!(rec["number"], 1);
    assert_eq!(rec["seq"], 1);
    assert_eq!(rec["parent"], Value::Null);
    assert_eq!(rec["stored"], true);
    assert_eq!(rec["stats"]["lines_added"], 6);

    env.write("bridge.en.txt", TRANSLATION_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "olga.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_2);
    let rec2 =
        env.ok(&["--json", "record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "olga.key"]).json();
    assert_eq!(rec2["ref"], "ponte:en@2");
    assert_eq!(rec2["role"], "translation");
    assert_eq!(rec2["of"], rec["entry"]);
    assert_eq!(rec2["of_inherited"], true);
    assert_eq!(rec2["stats"]["lines_added"], 1);
    assert_eq!(rec2["stats"]["lines_removed"], 1);
    assert!(rec2["words"]["words_added"].as_u64().unwrap() > 0);
    assert!(rec2["parent"].is_string());
}

#[test]
fn json_output_of_verify_ok_and_not_ok() {
    let j = journey();
    let ok = j.env.run(&["--json", "verify", "copy.txt", "--bundle", "reader.bundle", "--trust", "olga.pub"]);
    ok.assert_code(0);
    let v = ok.json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "verify");
    assert_eq!(v["status"], "copy.verified");
    assert_eq!(v["level"], "exact");
    assert_eq!(v["version"]["ref"], "ponte:en@2");
    assert_eq!(v["release"]["ref"], "ponte@v1");
    assert_eq!(v["release"]["signer"]["key_id"], j.tina.as_str());
    assert_eq!(v["release"]["signer"]["trusted"], true);
    assert_eq!(v["release"]["signer"]["trust_root"], j.olga.as_str());
    assert_eq!(v["release"]["original"]["ref"], "ponte:it@1");
    assert_eq!(v["release"]["cosigners"][0]["key_id"], j.edo.as_str());
    assert_eq!(v["copy_size"], TRANSLATION_EN_2.len());

    j.env.write("tampered.txt", TRANSLATION_EN_2.replace("is closed", "was demolished"));
    let bad = j.env.run(&["--json", "verify", "tampered.txt", "--trust", "olga.pub"]);
    bad.assert_code(1);
    let v = bad.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["command"], "verify");
    assert_eq!(v["status"], "copy.mismatch");
    assert_eq!(v["closest"]["version"]["ref"], "ponte:en@2");
    let chunks = v["closest"]["diff"].as_array().expect("closest.diff");
    assert!(chunks.iter().any(|c| c["kind"] == "insert" && c["text"].as_str().unwrap().contains("demolished")));

    let untrusted = j.env.run(&["--json", "verify", "copy.txt"]);
    untrusted.assert_code(1);
    assert_eq!(untrusted.json()["status"], "trust.untrusted");
    assert_eq!(untrusted.json()["ok"], false);
}

#[test]
fn json_output_of_audit_log_key_list_show_diff() {
    let j = journey();
    let a = j.env.ok(&["--json", "audit"]).json();
    assert_eq!(a["ok"], true);
    assert_eq!(a["command"], "audit");
    assert_eq!(a["lines"], 8);
    assert_eq!(a["valid_entries"], 8);
    assert_eq!(a["origin"], "example.org/translations");
    assert_eq!(a["problems"], serde_json::json!([]));
    assert_eq!(a["torn"], Value::Null);
    assert_eq!(a["head"]["seq"], 7);

    let log = j.env.ok(&["--json", "log"]).json();
    assert_eq!(log["ok"], true);
    assert_eq!(log["command"], "log");
    let types: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["genesis", "key", "key", "version", "version", "version", "release", "cosign"]);
    assert_eq!(log["entries"][7]["signer"], j.edo.as_str());
    assert_eq!(log["entries"][7]["signer_name"], "Edo Marini");

    let keys = j.env.ok(&["--json", "key", "list"]).json();
    assert_eq!(keys["ok"], true);
    assert_eq!(keys["command"], "key list");
    let list = keys["keys"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let tina = list.iter().find(|k| k["key_id"] == j.tina.as_str()).expect("tina listed");
    assert_eq!(tina["roles"], serde_json::json!(["translator"]));
    assert_eq!(tina["revoked"], Value::Null);
    assert_eq!(tina["registered_by"], j.olga.as_str());

    let show = j.env.ok(&["--json", "show", "ponte:en@1"]).json();
    assert_eq!(show["command"], "show");
    assert_eq!(show["ref"], "ponte:en@1");
    assert_eq!(show["text"], TRANSLATION_EN_1);

    let diff = j.env.ok(&["--json", "diff", "ponte:en@1", "ponte:en@2"]).json();
    assert_eq!(diff["command"], "diff");
    assert_eq!(diff["identical"], false);
    assert!(diff["unified"].as_str().unwrap().contains("+If it happened to rain,"));
}

#[test]
fn json_error_object_on_exit_2() {
    let j = journey();
    j.env.keygen("Somebody Else", "stranger");
    j.env.write("de.txt", "Die Steinbrücke\n");
    let r = j.env.fails_unchanged(
        &["--json", "record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "stranger.key"],
        &[],
        2,
        &[],
    );
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["command"], "record");
    assert_eq!(v["status"], "entry.signer.unknown");
    assert!(v["error"].as_str().unwrap().contains("not a registered key"));
}

#[test]
fn json_error_for_unchanged_content_has_a_status() {
    let j = journey();
    let r = j.env.fails_unchanged(
        &["--json", "record", "copy.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
        &[],
        2,
        &[],
    );
    assert_eq!(r.json()["status"], "version.unchanged");
}

// ---------------------------------------------------------------------------------------------
// 4. Archivist journey
// ---------------------------------------------------------------------------------------------

#[test]
fn audit_of_a_good_ledger() {
    let j = journey();
    j.env
        .run(&["audit"])
        .assert_code(0)
        .assert_stdout("✓ audit: colophon.jsonl is valid: 8 lines, 8 valid lines, 3 texts rebuilt")
        .assert_stdout("head: entry #7");
    j.env.run(&["audit", "--trust", "olga.pub"]).assert_code(0).assert_stdout("✓ audit");
}

#[test]
fn audit_finds_a_flipped_byte_and_names_the_line() {
    let j = journey();
    let good = j.env.ledger();
    let mut ls: Vec<Vec<u8>> = lines(&good).into_iter().map(<[u8]>::to_vec).collect();
    // Line 4 (ponte:it@1): change one base64 character in the middle of the signature.
    let line = &mut ls[3];
    let at = line.windows(7).position(|w| w == b"\"sig\":\"").expect("sig member") + 7 + 20;
    line[at] = if line[at] == b'A' { b'B' } else { b'A' };
    let mut bad = ls.join(&b'\n');
    bad.push(b'\n');
    assert_eq!(bad.len(), good.len());
    j.env.write(LEDGER, &bad);

    let r = j.env.run(&["audit"]);
    r.assert_code(1)
        .assert_match(r"colophon\.jsonl:4: [a-z]+\.[a-z_]+(\.[a-z_]+)?")
        .assert_stdout("colophon.jsonl:4: entry.signature.invalid")
        .assert_stdout("colophon.jsonl:5: entry.prev.mismatch")
        .assert_stdout("✗ audit");
    let v = j.env.run(&["--json", "audit"]);
    v.assert_code(1);
    let v = v.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["line"], 4);
    assert_eq!(v["problems"][0]["code"], "entry.signature.invalid");
}

/// spec/ledger.md §11: "valid" lines are lines for which no check reports a problem, not entries
/// that entered the state. A version whose script does not give its signed bytes is in the state
/// (its release is valid) but its own line is not valid.
#[test]
fn audit_counts_valid_lines_not_entries_in_the_state() {
    let env = Env::new();
    let vector = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec/vectors/ledger/reject-content-problem-in-state.txt"),
    )
    .expect("vector");
    let body = &vector[vector.windows(2).position(|w| w == b"\n\n").expect("headers") + 2..];
    env.write(LEDGER, body);
    let v = env.run(&["--json", "audit"]);
    v.assert_code(1);
    let v = v.json();
    assert_eq!(v["lines"], 8);
    assert_eq!(v["valid_entries"], 7);
    assert_eq!(v["problems"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["problems"][0]["code"], "content.hash.mismatch");
    assert_eq!(v["problems"][0]["line"], 6);
    env.run(&["audit"]).assert_code(1).assert_stdout("8 lines, 7 valid lines, 2 texts rebuilt");
}

#[test]
fn show_reproduces_the_exact_recorded_bytes() {
    let j = journey();
    let env = &j.env;
    let crlf = "Riga uno\r\nRiga due\r\nUltima riga\r\n";
    let no_lf = "First line\nlast line without a newline";
    env.write("crlf.txt", crlf);
    env.write("nolf.txt", no_lf);
    env.ok(&["record", "crlf.txt", "--work", "crlf", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "nolf.txt", "--work", "nolf", "--lang", "it", "--key", "tina.key"]);
    env.write("nolf.txt", "First line\nlast line, changed, still without a newline");
    env.ok(&["record", "nolf.txt", "--work", "nolf", "--lang", "it", "--key", "tina.key"]);

    for (r, expected) in [
        ("crlf:it@1", crlf),
        ("nolf:it@1", no_lf),
        ("nolf:it@2", "First line\nlast line, changed, still without a newline"),
        ("ponte:en@1", TRANSLATION_EN_1),
        ("ponte:it@1", ORIGINAL_IT),
    ] {
        env.run(&["show", r, "-o", "out.txt"]).assert_code(0).assert_stdout(&format!("Wrote {r} to out.txt"));
        assert_eq!(env.read("out.txt"), expected.as_bytes(), "show {r} -o");
        std::fs::remove_file(env.path("out.txt")).unwrap();
        let shown = env.ok(&["show", r]);
        assert_eq!(shown.stdout, expected, "show {r}");
    }
    // A release shows its translation; the REF's language may be in any case.
    env.ok(&["show", "ponte@v1", "-o", "rel.txt"]);
    assert_eq!(env.read("rel.txt"), TRANSLATION_EN_2.as_bytes());
    env.ok(&["show", "ponte:EN@1", "-o", "upper.txt"]);
    assert_eq!(env.read("upper.txt"), TRANSLATION_EN_1.as_bytes());
    // An entry that is not a version is printed as JSON.
    let genesis = env.ok(&["--json", "log"]).json()["entries"][0]["entry"].as_str().unwrap().to_string();
    let shown = env.ok(&["show", &genesis[..12]]);
    let value: Value = serde_json::from_str(&shown.stdout).expect("entry JSON");
    assert_eq!(value["type"], "genesis");
    env.ok(&["audit"]);
}

#[test]
fn diff_between_versions_lines_and_words() {
    let j = journey();
    j.env
        .run(&["diff", "ponte:en@1", "ponte:en@2"])
        .assert_code(0)
        .assert_stdout("--- ponte:en@1")
        .assert_stdout("+++ ponte:en@2")
        .assert_stdout("\n-Eventually, if it rained, she stayed at home to read the newspaper.\n")
        .assert_stdout("\n+If it happened to rain, she stayed at home to read the newspaper.\n");
    j.env
        .run(&["diff", "ponte:en@1", "ponte:en@2", "--words"])
        .assert_code(0)
        .assert_stdout("[-Eventually, if it rained,-]{+If it happened to rain,+}");
    // A REF against a file.
    j.env.run(&["diff", "ponte:en", "copy.txt"]).assert_code(0).assert_stdout("identical");
    j.env.write("edited.txt", TRANSLATION_EN_2.replace("stone bridge", "old bridge"));
    j.env.run(&["diff", "ponte:en", "edited.txt", "--words"]).assert_code(0).assert_match(r"\[-stone-\]\{\+old\+\}");
}

// ---------------------------------------------------------------------------------------------
// 5. Failure matrix: exit code, message, no panic, ledger byte-identical
// ---------------------------------------------------------------------------------------------

#[test]
fn fail_first_translation_without_of() {
    let j = journey();
    j.env.write("de.txt", "Die Steinbrücke von Cortà\n");
    j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--role", "translation", "--key", "tina.key"],
        &[],
        2,
        &["--of ponte:it"],
    );
    // Without --role either: the work already has its original in Italian.
    j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--key", "tina.key"],
        &[],
        2,
        &["original in it", "--of ponte:it"],
    );
}

#[test]
fn fail_recording_identical_content() {
    let j = journey();
    j.env.fails_unchanged(
        &["record", "copy.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
        &[],
        2,
        &["identical to the latest version of ponte:en", "nothing to record"],
    );
}

#[test]
fn fail_missing_directory_and_empty_input() {
    let j = journey();
    let rec = |f: &'static str| ["record", f, "--work", "ponte", "--lang", "en", "--key", "tina.key"];
    j.env.fails_unchanged(&rec("missing.txt"), &[], 2, &["missing.txt", "no such file"]);
    std::fs::create_dir(j.env.path("folder")).unwrap();
    j.env.fails_unchanged(&rec("folder"), &[], 2, &["folder", "is a directory"]);
    j.env.write("empty.txt", "");
    j.env.fails_unchanged(&rec("empty.txt"), &[], 2, &["empty.txt", "is empty"]);
}

#[test]
fn non_utf8_file_is_recorded_hash_only() {
    let j = journey();
    j.env.write("scan.bin", b"\xff\xfe\x00binary\x01 data\n");
    let before = j.env.ledger();
    let r = j.env.run(&["record", "scan.bin", "--work", "scan", "--lang", "it", "--key", "tina.key"]);
    r.assert_code(0).assert_stdout("Recorded scan:it@1").assert_stdout("not UTF-8 text: recorded by hash only");
    let after = j.env.ledger();
    assert!(after.starts_with(&before) && lines(&after).len() == lines(&before).len() + 1);
    let entry: Value = serde_json::from_slice(lines(&after).last().unwrap()).unwrap();
    assert!(entry["body"].get("diff").is_none() && entry["body"].get("norm").is_none(), "{entry}");
    assert_eq!(entry["body"]["media_type"], "application/octet-stream");
    // Its bytes cannot be shown, but a copy still matches the signed hash.
    j.env.fails_unchanged(&["show", "scan:it@1", "-o", "x.bin"], &[], 2, &["without its content"]);
    j.env
        .run(&["verify", "scan.bin", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_stdout("copy.unreleased")
        .assert_stdout("scan:it@1");
    j.env.ok(&["audit"]);
}

#[test]
fn fail_record_with_an_unregistered_key() {
    let j = journey();
    j.env.keygen("Somebody Else", "stranger");
    j.env.write("de.txt", "Die Steinbrücke\n");
    j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "stranger.key"],
        &[],
        2,
        &["entry.signer.unknown", "not a registered key"],
    );
}

#[test]
fn unregistered_key_error_says_what_to_do() {
    let j = journey();
    j.env.keygen("Somebody Else", "stranger");
    j.env.write("de.txt", "Die Steinbrücke\n");
    let r = j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "stranger.key"],
        &[],
        2,
        &["key add"],
    );
    assert!(r.stderr.contains("Somebody Else") || r.stderr.contains("stranger.key"), "{r}");
}

#[test]
fn fail_record_with_a_revoked_key() {
    let j = journey();
    j.env
        .ok(&["key", "revoke", "Tina Rossi", "--reason", "retired", "--key", "olga.key"])
        .assert_stdout("Revoked Tina Rossi");
    j.env.write("de.txt", "Die Steinbrücke\n");
    j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.key"],
        &[],
        2,
        &["entry.signer.revoked", "Tina Rossi", "revoked"],
    );
    j.env.ok(&["audit"]);
}

#[test]
fn fail_translator_cannot_add_keys() {
    let j = journey();
    j.env.keygen("Somebody Else", "stranger");
    j.env.fails_unchanged(
        &["key", "add", "stranger.pub", "--role", "translator", "--key", "tina.key"],
        &[],
        2,
        &["entry.signer.unauthorized", "owner"],
    );
    // Nor revoke them.
    j.env.fails_unchanged(
        &["key", "revoke", "Edo Marini", "--reason", "retired", "--key", "tina.key"],
        &[],
        2,
        &["entry.signer.unauthorized"],
    );
}

#[test]
fn fail_key_rules() {
    let j = journey();
    // Registered twice.
    j.env.fails_unchanged(
        &["key", "add", "tina.pub", "--role", "editor", "--key", "olga.key"],
        &[],
        2,
        &["already registered"],
    );
    // The last owner cannot be revoked.
    j.env.fails_unchanged(
        &["key", "revoke", "Olga Bianchi", "--reason", "retired", "--key", "olga.key"],
        &[],
        2,
        &["revoke.last_owner"],
    );
    // Unknown and ambiguous key names.
    j.env.fails_unchanged(
        &["key", "revoke", "Nobody", "--reason", "retired", "--key", "olga.key"],
        &[],
        2,
        &["Nobody", "key list"],
    );
    j.env.ok(&["keygen", "--name", "Tina Rossi", "--out", "tina2", "--unencrypted"]);
    j.env.ok(&["key", "add", "tina2.pub", "--role", "translator", "--key", "olga.key"]);
    j.env.fails_unchanged(
        &["key", "revoke", "Tina Rossi", "--reason", "retired", "--key", "olga.key"],
        &[],
        2,
        &["matches several keys"],
    );
}

#[test]
fn fail_init_when_the_ledger_exists() {
    let j = journey();
    j.env.fails_unchanged(
        &["init", "--origin", "example.org/other", "--key", "olga.key"],
        &[],
        2,
        &["colophon.jsonl", "already exists", "--ledger"],
    );
    // A bad origin creates nothing.
    j.env.fails_unchanged_at(
        "new.jsonl",
        &["--ledger", "new.jsonl", "init", "--origin", "bad origin+", "--key", "olga.key"],
        &[],
        2,
        &["origin"],
    );
}

#[test]
fn fail_public_key_given_as_secret_key() {
    let j = journey();
    j.env.write("de.txt", "Die Steinbrücke\n");
    let r = j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.pub"],
        &[],
        2,
        &["tina.pub"],
    );
    assert!(!r.stdout.contains("Recorded"), "{r}");
}

#[test]
fn public_key_given_as_secret_key_is_named_as_such() {
    let j = journey();
    j.env.write("de.txt", "Die Steinbrücke\n");
    let r = j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.pub"],
        &[],
        2,
        &["public key file"],
    );
    assert!(!r.stderr.contains("chmod"), "advises chmod on a public key:\n{r}");
}

#[cfg(unix)]
#[test]
fn fail_secret_key_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let j = journey();
    std::fs::set_permissions(j.env.path("tina.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    j.env.write("de.txt", "Die Steinbrücke\n");
    j.env.fails_unchanged(
        &["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.key"],
        &[],
        2,
        &["tina.key", "chmod 600"],
    );
    std::fs::set_permissions(j.env.path("tina.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    j.env.ok(&["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.key"]);
}

#[test]
fn encrypted_key_wrong_and_right_passphrase() {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.ok(&["init", "--origin", "example.org/t", "--key", "olga.key"]);
    let r = env.run_env(&["keygen", "--name", "Tina Rossi", "--out", "tina"], &[("COLOPHON_PASSPHRASE", "a")]);
    r.assert_code(0).assert_stdout("encrypted");
    assert!(!r.stderr.contains("without a passphrase"), "{r}");
    let secret: Value = serde_json::from_slice(&env.read("tina.key")).unwrap();
    assert_eq!(secret["cipher"], "chacha20-poly1305");
    assert_eq!(secret["kdf"]["name"], "scrypt");
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("it.txt", ORIGINAL_IT);
    let rec = ["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"];

    env.fails_unchanged(&rec, &[("COLOPHON_PASSPHRASE", "b")], 2, &["tina.key", "wrong passphrase"]);
    // No passphrase and no terminal.
    env.fails_unchanged(&rec, &[], 2, &["tina.key", "COLOPHON_PASSPHRASE"]);
    env.run_env(&rec, &[("COLOPHON_PASSPHRASE", "a")]).assert_code(0).assert_stdout("Recorded ponte:it@1");

    // keygen without a passphrase source refuses and writes nothing.
    env.fails_unchanged(
        &["keygen", "--name", "Edo", "--out", "edo"],
        &[],
        2,
        &["COLOPHON_PASSPHRASE", "--unencrypted"],
    );
}

#[test]
fn fail_invalid_refs_for_show() {
    let j = journey();
    for (r, needle) in [
        ("zzz", "not a REF"),
        ("1a2b", "at least 8 hex digits"),
        ("00000000", "no entry hash starts with"),
        ("ponte:fr", "no versions of ponte:fr"),
        ("ponte:en@9", "has 2 version(s)"),
        ("ponte:en@0", "whole number from 1"),
        ("ponte@v9", "no release tagged"),
        ("nowork:en", "no versions of work"),
        ("ponte:not a lang!", "BCP 47"),
    ] {
        j.env.fails_unchanged(&["show", r], &[], 2, &[r, needle]);
    }
}

#[test]
fn fail_release_tag_exists_and_cosign_rules() {
    let j = journey();
    j.env.fails_unchanged(
        &["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key", "--bundle", "again.bundle"],
        &[],
        2,
        &["already has a release tagged v1"],
    );
    j.env.fails_unchanged(
        &["cosign", "ponte@v1", "--key", "tina.key"],
        &[],
        2,
        &["you signed this release", "another key"],
    );
    j.env.fails_unchanged(&["cosign", "ponte@v1", "--key", "edo.key"], &[], 2, &["already cosigned"]);
    j.env.fails_unchanged(&["cosign", "ponte:en@2", "--key", "olga.key"], &[], 2, &["not a release"]);
    // An editor may not release.
    j.env.fails_unchanged(
        &["release", "--work", "ponte", "--tag", "v2", "--key", "edo.key"],
        &[],
        2,
        &["entry.signer.unauthorized"],
    );
    // --original must be the version the translation renders.
    j.env.write("it2.txt", ORIGINAL_IT.replace("Oggi", "Adesso"));
    j.env.ok(&["record", "it2.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    j.env.fails_unchanged(
        &["release", "--work", "ponte", "--tag", "v2", "--original", "ponte:it@2", "--key", "tina.key"],
        &[],
        2,
        &["renders ponte:it@1"],
    );
}

/// Rewrites the bundle's `entries` and returns the new file name.
fn tamper_bundle(env: &Env, name: &str, f: impl FnOnce(&mut Vec<String>)) -> String {
    let mut b: Value = serde_json::from_slice(&env.read("reader.bundle")).unwrap();
    let mut entries: Vec<String> =
        b["entries"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
    let before = entries.clone();
    f(&mut entries);
    assert_ne!(before, entries, "{name}: the tampering changed nothing");
    b["entries"] = serde_json::json!(entries);
    env.write(name, serde_json::to_vec_pretty(&b).unwrap());
    name.to_string()
}

fn entry_type(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["type"].as_str().unwrap().to_string()
}

#[test]
fn fail_verify_with_a_tampered_bundle() {
    let j = journey();
    let env = &j.env;
    let versions =
        |e: &Vec<String>| -> Vec<usize> { (0..e.len()).filter(|&i| entry_type(&e[i]) == "version").collect() };
    let cases = [
        // Two entry lines swapped.
        tamper_bundle(env, "swapped.bundle", |e| {
            let v = versions(e);
            e.swap(v[1], v[2]);
        }),
        // The release's translation (ponte:en@2) replaced by another line (ponte:en@1).
        tamper_bundle(env, "replaced.bundle", |e| {
            let v = versions(e);
            e[v[2]] = e[v[1]].clone();
        }),
        // The signed hash of ponte:en@2's withheld script edited (spec/ledger.md §3.4).
        tamper_bundle(env, "edited.bundle", |e| {
            let v = versions(e);
            let at = e[v[2]].find("\"diff_sha256\":\"").unwrap() + 15;
            let digit = if e[v[2]].as_bytes()[at] == b'0' { "1" } else { "0" };
            e[v[2]].replace_range(at..at + 1, digit);
        }),
        // The release line edited (its tag).
        tamper_bundle(env, "retagged.bundle", |e| {
            let r = (0..e.len()).find(|&i| entry_type(&e[i]) == "release").unwrap();
            e[r] = e[r].replace("\"tag\":\"v1\"", "\"tag\":\"v9\"");
        }),
        // A line dropped (the key entry of the translator).
        tamper_bundle(env, "dropped.bundle", |e| {
            let k = (0..e.len()).find(|&i| entry_type(&e[i]) == "key").unwrap();
            e.remove(k);
        }),
    ];
    env.write("snow.txt", TRANSLATION_EN_2.replace("If it happened to rain", "If it happened to snow"));
    for bundle in &cases {
        for copy in ["copy.txt", "snow.txt"] {
            let r =
                env.fails_unchanged(&["verify", copy, "--bundle", bundle, "--trust", "olga.pub"], &[], 1, &[bundle]);
            assert!(!r.stdout.contains("✓ verified"), "{bundle} verified {copy}:\n{r}");
            r.assert_any("rejected");
            let js = env.run(&["--json", "verify", copy, "--bundle", bundle, "--trust", "olga.pub"]);
            js.assert_code(1);
            let v = js.json();
            assert_eq!(v["ok"], false, "{js}");
            assert_eq!(v["command"], "verify");
            let status = v["status"].as_str().unwrap_or_default();
            assert!(status.contains('.') && status != "copy.verified", "{bundle}: status {status:?}");
        }
    }
}

#[test]
fn fail_ledger_that_is_not_a_colophon_ledger() {
    let j = journey();
    j.env.write("notes.txt", "These are my notes.\nNot a ledger.\n");
    j.env.write("other.json", "{\"name\":\"not a ledger\"}\n");
    j.env.write("de.txt", "Die Steinbrücke\n");
    for file in ["notes.txt", "other.json"] {
        j.env.fails_unchanged_at(file, &["--ledger", file, "log"], &[], 2, &[file]);
        j.env.fails_unchanged_at(
            file,
            &["--ledger", file, "record", "de.txt", "--work", "ponte", "--lang", "de", "--key", "tina.key"],
            &[],
            2,
            &[&format!("{file}:1:")],
        );
        j.env.fails_unchanged_at(file, &["--ledger", file, "key", "list"], &[], 2, &[file]);
    }
    // No ledger at all: says how to make one.
    j.env.fails_unchanged_at(
        "absent.jsonl",
        &["--ledger", "absent.jsonl", "log"],
        &[],
        2,
        &["absent.jsonl", "colophon init"],
    );
    // An empty file is not a ledger either.
    j.env.write("empty.jsonl", "");
    j.env.fails_unchanged_at(
        "empty.jsonl",
        &["--ledger", "empty.jsonl", "record", "de.txt", "--work", "ponte", "--lang", "de", "--key", "tina.key"],
        &[],
        2,
        &["empty.jsonl", "ledger.empty"],
    );
    j.env.run(&["--ledger", "empty.jsonl", "audit"]).assert_code(1).assert_stdout("ledger.empty");
}

#[test]
fn not_a_ledger_is_called_that() {
    let env = journey().env;
    env.write("notes.txt", "These are my notes.\n");
    env.fails_unchanged_at("notes.txt", &["--ledger", "notes.txt", "log"], &[], 2, &["not a colophon ledger"]);
}

#[test]
fn log_on_an_empty_file_is_an_error() {
    let env = Env::new();
    env.write("empty.jsonl", "");
    env.fails_unchanged_at(
        "empty.jsonl",
        &["--ledger", "empty.jsonl", "log"],
        &[],
        2,
        &["empty.jsonl", "ledger.empty"],
    );
}

#[test]
fn fail_verify_inputs() {
    let j = journey();
    j.env.fails_unchanged(&["verify", "missing.txt", "--trust", "olga.pub"], &[], 2, &["missing.txt", "no such file"]);
    j.env.fails_unchanged(
        &["verify", "copy.txt", "--trust", "olga.pub", "--profile", "loose"],
        &[],
        2,
        &["--profile", "possible values: exact, text/v1, words/v2"],
    );
    // words/v1 is retired for matching (spec/ledger.md §9.3): refused, not taken for words/v2.
    j.env.fails_unchanged(
        &["verify", "copy.txt", "--trust", "olga.pub", "--profile", "words/v1"],
        &[],
        2,
        &["--profile words/v1", "retired", "read differently", "use --profile words/v2"],
    );
    j.env.fails_unchanged(
        &["verify", "copy.txt", "--trust", "olga.pub", "--bundle", "missing.bundle"],
        &[],
        2,
        &["missing.bundle", "no such file"],
    );
    // A secret key never belongs in a keyring.
    j.env.fails_unchanged(&["verify", "copy.txt", "--trust", "tina.key"], &[], 2, &["tina.key", "secret key"]);
    // Usage errors are exit 2 too.
    j.env.fails_unchanged(&["verify"], &[], 2, &["<COPY>"]);
    j.env.fails_unchanged(&["record", "copy.txt"], &[], 2, &["--work"]);
}

#[test]
fn missing_keyring_file_message() {
    let j = journey();
    let r = j.env.fails_unchanged(
        &["verify", "copy.txt", "--trust", "missing.pub"],
        &[],
        2,
        &["missing.pub", "no such file"],
    );
    assert!(!r.stderr.contains(":0:") && !r.stderr.contains("os error"), "{r}");
}

#[test]
fn verify_empty_copy_message() {
    let j = journey();
    j.env.write("empty.txt", "");
    let r = j.env.fails_unchanged(&["verify", "empty.txt", "--trust", "olga.pub"], &[], 2, &["empty.txt", "is empty"]);
    assert!(!r.stderr.contains("sign"), "{r}");
}

#[test]
fn diff_with_a_missing_file_says_so() {
    let j = journey();
    j.env.fails_unchanged(&["diff", "ponte:en", "missing.txt"], &[], 2, &["missing.txt", "no such file"]);
}

#[test]
fn exact_profile_on_a_line_ending_copy_explains_itself() {
    let j = journey();
    j.env.write("crlf.txt", TRANSLATION_EN_2.replace('\n', "\r\n"));
    let r = j.env.run(&["verify", "crlf.txt", "--trust", "olga.pub", "--profile", "exact"]);
    r.assert_code(1).assert_stdout("text/v1");
    assert!(!r.stdout.contains("+0 / −0 words"), "{r}");
}

// ---------------------------------------------------------------------------------------------
// 6. Completions, man, demo
// ---------------------------------------------------------------------------------------------

#[test]
fn completions_and_man_page() {
    let env = Env::new();
    env.ok(&["completions", "bash"]).assert_stdout("colophon");
    env.ok(&["completions", "zsh"]).assert_stdout("colophon");
    env.ok(&["man"]).assert_stdout(".TH").assert_stdout("colophon");
    env.run(&["completions", "tcsh"]).assert_code(2).assert_stderr("tcsh");
    // Output for people or a shell has no JSON form: --json is refused, not ignored.
    for args in [&["--json", "man"][..], &["--json", "completions", "bash"], &["--json", "demo"]] {
        let r = env.run(args);
        r.assert_code(2).assert_stderr("--json");
        assert!(r.stdout.trim_start().starts_with('{') || r.stdout.is_empty(), "{r}");
    }
    env.ok(&["--help"]).assert_stdout("Exit codes");
    env.ok(&["--version"]).assert_stdout("colophon");
    env.run(&["frobnicate"]).assert_code(2);
}

#[test]
fn demo_runs_all_three_journeys_and_leaves_nothing_behind() {
    let env = Env::new();
    let r = env.run(&["demo"]);
    r.assert_code(0).assert_stdout("✓ demo complete").assert_stdout("✓ verified").assert_stdout("✓ audit");
    assert!(env.listing().is_empty(), "demo wrote into the working directory: {:?}", env.listing());
}

#[test]
fn demo_has_no_colour_when_not_a_terminal() {
    let env = Env::new();
    let r = env.run(&["demo"]);
    r.assert_code(0);
    assert!(!r.stdout.contains('\u{1b}'), "escape codes with NO_COLOR=1 and a pipe:\n{}", r.stdout);
    let mut c = env.cmd();
    c.env_remove("NO_COLOR").arg("demo");
    let out = c.output().unwrap();
    assert!(!out.stdout.contains(&0x1b), "escape codes on a pipe");
}

/// spec/cli.md §1: a closed pipe (the reader stopped, as in `colophon log | head`) is not an
/// error: the command exits as it would have with its output read, and does not panic.
fn exits_as_with_an_open_pipe(env: &Env, args: &[&str], code: i32) {
    env.run(args).assert_code(code);
    env.run_closed_stdout(args).assert_code(code);
}

#[test]
fn closed_stdout_does_not_panic_for_ledger_commands() {
    let j = journey();
    for args in [&["log"][..], &["key", "list"], &["audit"], &["man"], &["verify", "copy.txt", "--trust", "olga.pub"]] {
        exits_as_with_an_open_pipe(&j.env, args, 0);
    }
    // A verdict is not turned into an error, nor into a success: no trust roots, not verified.
    exits_as_with_an_open_pipe(&j.env, &["verify", "copy.txt"], 1);
}

#[test]
fn closed_stdout_does_not_panic_for_completions() {
    let env = Env::new();
    exits_as_with_an_open_pipe(&env, &["completions", "bash"], 0);
}

#[test]
fn closed_stdout_does_not_panic_for_demo() {
    let env = Env::new();
    exits_as_with_an_open_pipe(&env, &["demo"], 0);
}

// ---------------------------------------------------------------------------------------------
// 7. Torn line
// ---------------------------------------------------------------------------------------------

#[test]
fn torn_line_is_reported_then_moved_aside_by_the_next_append() {
    let j = journey();
    let env = &j.env;
    let good = env.ledger();
    let garbage = b"{\"v\":1,\"seq\":8,\"garb";
    let mut torn = good.clone();
    torn.extend_from_slice(garbage);
    env.write(LEDGER, &torn);

    env.run(&["audit"]).assert_code(1).assert_stdout("colophon.jsonl:9: line.torn");
    let a = env.run(&["--json", "audit"]);
    a.assert_code(1);
    let a = a.json();
    assert_eq!(a["torn"]["offset"], good.len());
    assert_eq!(a["torn"]["len"], garbage.len());
    // Readers ignore it (and say so).
    env.run(&["log"]).assert_code(0).assert_stderr("torn");
    env.run(&["verify", "copy.txt", "--trust", "olga.pub"]).assert_code(0);

    env.write("de.txt", "Die Steinbrücke von Cortà\n");
    let r = env.run(&["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it", "--key", "tina.key"]);
    let aside = format!("colophon.jsonl.torn-{}", good.len());
    r.assert_code(0).assert_stdout("Recorded ponte:de@1").assert_stderr("torn").assert_stderr(&aside);
    assert_eq!(env.read(&aside), garbage);
    let after = env.ledger();
    assert!(after.starts_with(&good), "the complete lines changed");
    assert_eq!(lines(&after).len(), lines(&good).len() + 1);
    env.run(&["audit"]).assert_code(0).assert_stdout("✓ audit").assert_stdout("9 valid lines");
}

#[test]
fn a_failing_append_leaves_the_torn_line_where_it_is() {
    let j = journey();
    let env = &j.env;
    let mut torn = env.ledger();
    torn.extend_from_slice(b"{\"v\":1,\"se");
    env.write(LEDGER, &torn);
    // Identical content: refused before anything is written (spec/ledger.md §7.4: every failing
    // step leaves the file byte-identical, torn line included, and moves nothing aside).
    env.fails_unchanged(
        &["record", "copy.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
        &[],
        2,
        &["identical"],
    );
    env.fails_unchanged(
        &["key", "add", "tina.pub", "--role", "editor", "--key", "olga.key"],
        &[],
        2,
        &["already registered"],
    );
    assert_eq!(env.ledger(), torn);
}

#[test]
fn release_with_an_unwritable_bundle_path_changes_nothing() {
    let j = journey();
    let r = j.env.fails_unchanged(
        &["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key", "--bundle", "nodir/v2.bundle"],
        &[],
        2,
        &["nodir"],
    );
    assert!(!r.stderr.contains(".tmp"), "the message names a temporary file:\n{r}");
    // The tag is still free.
    j.env.ok(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
}

#[test]
fn init_in_a_missing_directory_says_so() {
    let j = journey();
    let r = j.env.fails_unchanged_at(
        "nodir/l.jsonl",
        &["--ledger", "nodir/l.jsonl", "init", "--origin", "example.org/t", "--key", "olga.key"],
        &[],
        2,
        &["nodir"],
    );
    assert!(!r.stderr.contains("colophon init"), "init is told to run init:\n{r}");
}

#[test]
fn bundle_of_a_version_names_the_ref() {
    let j = journey();
    j.env.fails_unchanged(&["bundle", "ponte:en@1", "-o", "x.bundle"], &[], 2, &["ponte:en@1", "not a release"]);
}

// ---------------------------------------------------------------------------------------------
// Signing takes one command (spec/cli.md §3, §4)
// ---------------------------------------------------------------------------------------------

/// `keygen` needs only a name: the key goes to the default place under the configuration
/// directory, and every signing command uses it when no `--key` (or `COLOPHON_KEY`) is given.
#[test]
fn the_default_key_signs_without_key_options() {
    let env = Env::new();
    let r = env.ok(&["keygen", "--name", "Tina Rossi", "--unencrypted"]);
    let dir = env.path(".config/colophon");
    r.assert_stdout(&dir.join("signing.key").display().to_string());
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir.clone()), 0o700, "the key directory is private");
    assert_eq!(mode(dir.join("signing.key")), 0o600);
    // Never overwritten.
    env.run(&["keygen", "--name", "Other", "--unencrypted"]).assert_code(2).assert_stderr("never overwrites a key");
    env.write("it.txt", ORIGINAL_IT);
    env.write("en.txt", TRANSLATION_EN_1);
    env.ok(&["init", "--origin", "example.org/t"]);
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it"]);
    env.ok(&["record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it"]);
    env.ok(&["release", "ponte@v1", "--write-bundle", "v1.bundle"]).assert_stdout("Released ponte@v1");
    // An owner's release bundle is complete: the default key is the owner's.
    env.ok(&["verify", "en.txt", "--bundle", "v1.bundle", "--trust", ".config/colophon/signing.pub"]);
    // COLOPHON_KEY names another key; a key that does not exist is a clear error.
    env.ok(&["keygen", "--name", "Edo", "-o", "edo", "--unencrypted"]);
    env.run_env(&["cosign", "ponte@v1"], &[("COLOPHON_KEY", "edo.key")])
        .assert_code(2)
        .assert_stderr("not a registered key");
    env.run_env(&["cosign", "ponte@v1"], &[("COLOPHON_KEY", "missing.key")])
        .assert_code(2)
        .assert_stderr("missing.key");
}

#[test]
fn without_any_key_signing_says_how_to_get_one() {
    let env = Env::new();
    env.run(&["init", "--origin", "example.org/t"])
        .assert_code(2)
        .assert_stderr("no signing key")
        .assert_stderr("colophon keygen --name NAME");
}

/// A release is named WORK@TAG when it is made, as everywhere else; the old options still work.
#[test]
fn a_release_is_made_as_work_at_tag() {
    let j = journey();
    j.env.write("en3.txt", format!("{TRANSLATION_EN_2}One more line.\n"));
    j.env.ok(&["record", "en3.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    j.env.ok(&["release", "ponte@v2", "--key", "tina.key"]).assert_stdout("Released ponte@v2");
    j.env.run(&["release", "ponte-v3", "--key", "tina.key"]).assert_code(2).assert_stderr("WORK@TAG");
    j.env.run(&["release", "--key", "tina.key"]).assert_code(2).assert_stderr("WORK@TAG");
    j.env.ok(&["bundle", "ponte@v2", "-o", "v2.bundle"]);
    assert!(j.env.path("v2.bundle").is_file());
}

/// `-q verify` says "verified" once.
#[test]
fn quiet_verify_says_verified_once() {
    let j = journey();
    let r = j.env.ok(&["-q", "verify", "copy.txt", "--trust", "olga.pub"]);
    assert_eq!(r.stdout.matches("verified").count(), 1, "{r}");
}
