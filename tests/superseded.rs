//! Later releases reach readers (spec/verify.md §2.8, §3.2; issue #15): a reader holding the text
//! of a release that a later release of the same work and language supersedes learns, in the
//! first lines of `verify`, which release supersedes it, when (the signer's claim), why (its note)
//! and what changed (a word diff) — from a ledger, from published tiles and from a bundle written
//! after the newer release. Release notes and claimed times reach `verify`, `log` and
//! `show WORK@TAG`.

mod common;

use common::Env;
use serde_json::Value;

/// An Italian article, and its English translation released as v1, then corrected as v2.
const IT: &str = "Il ponte di pietra fu costruito nel 1847.\nCrollò durante la piena del 1951.\n";
const EN1: &str = "The stone bridge was built in 1847.\nIt fell during the flood of 1951.\n";
const EN2: &str = "The stone bridge was built in 1847.\nIt collapsed during the flood of 1951.\n";
const EN3: &str = "The stone bridge was built in 1847.\nIt collapsed in the flood of 1951.\n";
const DE: &str = "Die Steinbrücke wurde 1847 gebaut.\nSie stürzte beim Hochwasser 1951 ein.\n";

const NOTE1: &str = "First edition";
const NOTE2: &str = "Second edition, corrects line 2: crollò means collapsed";
/// v1 and v2's claimed times (SOURCE_DATE_EPOCH).
const T1: &str = "1795000000";
const T2: &str = "1796112000";
const T2_SHOWN: &str = "2026-12-01 08:00:00 UTC";

/// Olga owns the ledger; Tina translates. v1 is released and a checkpoint signed and a bundle
/// written for it before v2 exists.
fn setup() -> Env {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", "example.org/riviste", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    for (name, text) in [("it.txt", IT), ("en1.txt", EN1), ("en2.txt", EN2), ("en3.txt", EN3), ("de.txt", DE)] {
        env.write(name, text);
    }
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "olga.key"]);
    env.ok(&["record", "en1.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.run_env(&["release", "ponte@v1", "--note", NOTE1, "--key", "tina.key"], &[("SOURCE_DATE_EPOCH", T1)])
        .assert_code(0);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    env.ok(&["bundle", "ponte@v1", "-o", "v1-before.bundle"]);
    env
}

/// `setup`, then the corrected translation released as v2, and a new checkpoint.
fn with_v2() -> Env {
    let env = setup();
    env.ok(&["record", "en2.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.run_env(&["release", "ponte@v2", "--note", NOTE2, "--key", "tina.key"], &[("SOURCE_DATE_EPOCH", T2)])
        .assert_code(0);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    env
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

/// The first lines say it all: verified, superseded by v2, when, why, what changed.
fn assert_superseded_first(stdout: &str, copy: &str) {
    let l = lines(stdout);
    assert_eq!(l[0], format!("✓ verified: {copy} matches release ponte@v1, SUPERSEDED by ponte@v2"), "{stdout}");
    assert!(
        l[1].starts_with(&format!(
            "  superseded by: ponte@v2, released {T2_SHOWN} (the signer's claim), signed by Tina Rossi"
        )),
        "{stdout}"
    );
    assert_eq!(l[2], format!("  its note: “{NOTE2}” (the signer's note)"), "{stdout}");
    assert!(l[3].starts_with("  changed:  ponte:en@1 → ponte:en@2, +1 / −1 words"), "{stdout}");
    assert!(l[4..6].concat().contains("It [-fell-]{+collapsed+} during the flood of 1951."), "{stdout}");
}

#[test]
fn a_v1_copy_after_v2_verifies_and_says_first_that_v2_supersedes_it() {
    let env = with_v2();
    let r = env.ok(&["verify", "en1.txt", "--trust", "olga.pub"]);
    assert_superseded_first(&r.stdout, "en1.txt");
    // v1's own claimed time and note follow, marked as the signer's.
    r.assert_stdout("  released: 2026-11-18 11:06:40 UTC (the signer's claim)");
    r.assert_stdout(&format!("  note:     “{NOTE1}” (the signer's note)"));

    let j = env.ok(&["--json", "verify", "en1.txt", "--trust", "olga.pub"]).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["status"], "release.superseded");
    assert_eq!(j["release"]["ref"], "ponte@v1");
    assert_eq!(j["release"]["note"], NOTE1);
    assert_eq!(j["release"]["time"], "2026-11-18T11:06:40Z");
    let l = &j["latest_release"];
    assert_eq!(l["release"]["ref"], "ponte@v2");
    assert_eq!(l["release"]["note"], NOTE2);
    assert_eq!(l["release"]["time"], "2026-12-01T08:00:00Z");
    assert_eq!(l["version"]["ref"], "ponte:en@2");
    assert_eq!(l["words"], serde_json::json!({"words_added": 1, "words_removed": 1}));
    let changes: Vec<(String, String)> = l["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .filter(|c| c["kind"] != "equal")
        .map(|c| (c["kind"].as_str().unwrap_or_default().into(), c["text"].as_str().unwrap_or_default().into()))
        .collect();
    assert_eq!(changes, [("delete".to_string(), "fell".to_string()), ("insert".into(), "collapsed".into())]);
    assert!(l.get("changes_omitted").is_none(), "{l}");

    // The v2 copy is the latest: verified, no latest_release.
    let j2 = env.ok(&["--json", "verify", "en2.txt", "--trust", "olga.pub", "--require-latest"]).json();
    assert_eq!(j2["status"], "copy.verified");
    assert!(j2.get("latest_release").is_none(), "{j2}");
    assert_eq!(j2["release"]["note"], NOTE2);
    env.ok(&["verify", "en2.txt", "--trust", "olga.pub"])
        .assert_stdout("✓ verified: en2.txt matches release ponte@v2\n")
        .assert_lacks("superseded");
}

#[test]
fn require_latest_fails_a_superseded_copy() {
    let env = with_v2();
    let r = env.run(&["verify", "en1.txt", "--trust", "olga.pub", "--require-latest"]);
    r.assert_code(1);
    let l = lines(&r.stdout);
    assert_eq!(
        l[0],
        "✗ not verified: release ponte@v1 (exact bytes), superseded by ponte@v2; only the latest release is accepted",
        "{r}"
    );
    assert_eq!(l[1], "  status: release.superseded");
    assert!(l[2].starts_with("  superseded by: ponte@v2"), "{r}");
    let j = env.run(&["--json", "verify", "en1.txt", "--trust", "olga.pub", "--require-latest"]);
    j.assert_code(1).assert_status("release.superseded");
    assert_eq!(j.json()["ok"], false);
    // --quiet keeps the verdict.
    env.ok(&["--quiet", "verify", "en1.txt", "--trust", "olga.pub"])
        .assert_stdout("✓ verified: release ponte@v1 (exact bytes), superseded by ponte@v2");
}

#[test]
fn a_draft_copy_names_the_latest_release() {
    let env = with_v2();
    env.ok(&["record", "en3.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    let r = env.run(&["verify", "en3.txt", "--trust", "olga.pub"]);
    r.assert_code(1);
    let l = lines(&r.stdout);
    assert_eq!(l[1], "  status: copy.unreleased", "{r}");
    assert!(l[2].starts_with(&format!("  latest release: ponte@v2, released {T2_SHOWN} (the signer's claim)")), "{r}");
    assert_eq!(l[3], format!("  its note: “{NOTE2}” (the signer's note)"));
    assert!(l[4].starts_with("  changed:  ponte:en@3 → ponte:en@2, +1 / −1 words"), "{r}");
    r.assert_stdout("It collapsed [-in-]{+during+} the flood of 1951.");
    let j = env.run(&["--json", "verify", "en3.txt", "--trust", "olga.pub"]);
    j.assert_code(1).assert_status("copy.unreleased");
    let j = j.json();
    assert_eq!(j["latest_release"]["release"]["ref"], "ponte@v2");
    assert_eq!(j["latest_release"]["version"]["ref"], "ponte:en@2");
    // Before any release, a draft names none.
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.write("it.txt", IT);
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "olga.key"]);
    let j = env.run(&["--json", "verify", "it.txt", "--trust", "olga.pub"]);
    j.assert_code(1).assert_status("copy.unreleased");
    assert!(j.json().get("latest_release").is_none());
}

#[test]
fn a_bundle_written_again_after_v2_carries_it_and_a_reader_of_v1_learns_of_it() {
    let env = with_v2();
    // The bundle written before v2 cannot name it: verified, and the note says what a bundle holds.
    let r = env.ok(&["verify", "en1.txt", "--bundle", "v1-before.bundle", "--trust", "olga.pub"]);
    r.assert_stdout("✓ verified: en1.txt matches release ponte@v1\n")
        .assert_stdout("revocations, cosignatures and later releases are those the bundle holds")
        .assert_lacks("SUPERSEDED");
    // Written again now, it carries v2's release and versions (spec/verify.md §3.2), anchored.
    env.ok(&["bundle", "ponte@v1", "-o", "v1-after.bundle"]);
    let b: Value = serde_json::from_slice(&env.read("v1-after.bundle")).expect("bundle JSON");
    let before: Value = serde_json::from_slice(&env.read("v1-before.bundle")).expect("bundle JSON");
    assert_eq!(b["release"], before["release"], "the bundle is still v1's");
    let entries: Vec<&str> = b["entries"].as_array().expect("entries").iter().filter_map(Value::as_str).collect();
    assert!(entries.iter().any(|e| e.contains("\"tag\":\"v2\"")), "v2's release entry is carried");
    assert_eq!(entries.len(), before["entries"].as_array().expect("entries").len() + 2, "v2's release and en@2");
    assert!(b["checkpoint"].is_string());
    let r = env.ok(&["verify", "en1.txt", "--bundle", "v1-after.bundle", "--trust", "olga.pub"]);
    assert_superseded_first(&r.stdout, "en1.txt");
    r.assert_stdout("later releases are those the bundle holds");
    env.ok(&["--json", "verify", "en1.txt", "--bundle", "v1-after.bundle", "--trust", "olga.pub"])
        .assert_status("release.superseded");
    env.run(&["verify", "en1.txt", "--bundle", "v1-after.bundle", "--trust", "olga.pub", "--require-latest"])
        .assert_code(1);
    // The v2 copy verifies against v1's bundle too: every entry in it is signed and checked.
    env.ok(&["--json", "verify", "en2.txt", "--bundle", "v1-after.bundle", "--trust", "olga.pub"])
        .assert_status("copy.verified");
    // Published tiles say the same.
    env.ok(&["publish", "pub"]);
    let r = env.ok(&["verify", "en1.txt", "--tiles", "pub", "--trust", "olga.pub"]);
    assert_superseded_first(&r.stdout, "en1.txt");
}

#[test]
fn an_unanchored_bundle_written_after_v2_carries_it_with_insecure_ignore_log() {
    // No checkpoint at all: the bundle is unanchored, read only with --insecure-ignore-log.
    let env = Env::new();
    env.keygen("Olga", "olga");
    env.keygen("Tina", "tina");
    env.ok(&["init", "--origin", "o/x", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    for (name, text) in [("it.txt", IT), ("en1.txt", EN1), ("en2.txt", EN2)] {
        env.write(name, text);
    }
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "olga.key"]);
    env.ok(&["record", "en1.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v1", "--note", NOTE1, "--key", "tina.key"]);
    env.ok(&["record", "en2.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v2", "--note", NOTE2, "--key", "tina.key"]);
    env.ok(&["bundle", "ponte@v1", "-o", "v1.bundle"]);
    env.run(&["verify", "en1.txt", "--bundle", "v1.bundle", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_stderr("bundle.unanchored");
    let r = env.ok(&["verify", "en1.txt", "--bundle", "v1.bundle", "--trust", "olga.pub", "--insecure-ignore-log"]);
    assert_eq!(lines(&r.stdout)[0], "✓ verified: en1.txt matches release ponte@v1, SUPERSEDED by ponte@v2");
    r.assert_stdout(&format!("  its note: “{NOTE2}”"));
    r.assert_stdout("ponte@v2 comes after ponte@v1 by the positions their signers signed; without a checkpoint nothing anchors that order");
}

#[test]
fn a_later_release_in_another_language_or_by_an_untrusted_key_does_not_supersede() {
    let env = setup();
    // A German translation of the same original, released after v1.
    env.ok(&["record", "de.txt", "--work", "ponte", "--lang", "de", "--of", "ponte:it@1", "--key", "tina.key"]);
    env.ok(&["release", "ponte@de1", "--translation", "ponte:de", "--note", "Deutsche Fassung", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    let j = env.ok(&["--json", "verify", "en1.txt", "--trust", "olga.pub", "--require-latest"]).json();
    assert_eq!(j["status"], "copy.verified", "{j}");
    assert!(j.get("latest_release").is_none(), "{j}");
    // Nor is it carried by v1's bundle.
    env.ok(&["bundle", "ponte@v1", "-o", "v1.bundle"]);
    let b: Value = serde_json::from_slice(&env.read("v1.bundle")).expect("bundle JSON");
    let entries: Vec<&str> = b["entries"].as_array().expect("entries").iter().filter_map(Value::as_str).collect();
    assert!(entries.iter().any(|e| e.contains("\"tag\":\"v1\"")), "v1's release is carried");
    assert!(!entries.iter().any(|e| e.contains("\"tag\":\"de1\"")), "de1 is not v1's later release");
    // The original is held by both releases: the latest that holds it (de1) verifies its copy.
    env.ok(&["--json", "verify", "it.txt", "--trust", "olga.pub"]).assert_status("copy.verified");

    // A v2 by a translator the reader does not trust does not count, and the output says so.
    env.keygen("Mal", "mal");
    env.ok(&["key", "add", "mal.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["record", "en2.txt", "--work", "ponte", "--lang", "en", "--key", "mal.key"]);
    env.ok(&["release", "ponte@v2", "--translation", "ponte:en", "--note", NOTE2, "--key", "mal.key"]);
    let r = env.ok(&["--json", "verify", "en1.txt", "--trust", "tina.pub"]);
    r.assert_status("copy.verified");
    let notes = r.json()["notes"].to_string();
    assert!(
        notes.contains("a later release ponte@v2 exists but does not count: valid signature, untrusted key: Mal"),
        "{notes}"
    );
    // Trusting the owner, who registered Mal, it counts.
    env.ok(&["--json", "verify", "en1.txt", "--trust", "olga.pub"]).assert_status("release.superseded");
}

#[test]
fn log_and_show_print_the_release_its_note_and_claimed_times() {
    let env = with_v2();
    let log = env.ok(&["log"]);
    log.assert_stdout(&format!("release ponte@v1: ponte:en@1 rendering ponte:it@1 — “{NOTE1}”"));
    log.assert_stdout(&format!("release ponte@v2: ponte:en@2 rendering ponte:it@1 — “{NOTE2}”"));
    assert_eq!(
        log.stdout.lines().last(),
        Some("(times are what each entry's signer claims; notes are the signer's words)"),
        "{log}"
    );
    let j = env.ok(&["--json", "log"]).json();
    assert!(j["entries"][4]["summary"].as_str().unwrap_or_default().ends_with(&format!("— “{NOTE1}”")), "{j}");

    // show WORK@TAG is the release; its text with --text or -o.
    let show = env.ok(&["show", "ponte@v1"]);
    let l = lines(&show.stdout);
    assert_eq!(l[0], "release ponte@v1");
    assert_eq!(
        l[1],
        format!("  superseded by ponte@v2, released {T2_SHOWN} (the signer's claim); this release is not the latest")
    );
    assert_eq!(l[2], "  released:    2026-11-18 11:06:40 UTC (the signer's claim)");
    assert!(l[3].starts_with("  signed by:   Tina Rossi ("), "{show}");
    assert_eq!(l[4], format!("  note:        “{NOTE1}” (the signer's note)"));
    assert!(l[5].starts_with("  translation: ponte:en@1 (entry "), "{show}");
    assert!(l[6].starts_with("  renders:     original ponte:it@1 (entry "), "{show}");
    show.assert_stdout("  text:        colophon show ponte@v1 --text (or -o FILE)");
    let v2 = env.ok(&["show", "ponte@v2"]);
    v2.assert_lacks("superseded").assert_stdout(&format!("  note:        “{NOTE2}”"));
    assert_eq!(env.ok(&["show", "ponte@v1", "--text"]).stdout, EN1);
    env.ok(&["show", "ponte@v1", "-o", "v1.txt"]).assert_stdout("Wrote ponte:en@1 to v1.txt");
    assert_eq!(env.read_string("v1.txt"), EN1);
    // --json: the translation's text as before, and the release.
    let j = env.ok(&["--json", "show", "ponte@v1"]).json();
    assert_eq!(j["text"], EN1);
    assert_eq!(j["ref"], "ponte:en@1");
    let rel = &j["release"];
    assert_eq!(rel["ref"], "ponte@v1");
    assert_eq!(rel["note"], NOTE1);
    assert_eq!(rel["time"], "2026-11-18T11:06:40Z");
    assert_eq!(rel["signer"]["name"], "Tina Rossi");
    assert_eq!(rel["translation"]["ref"], "ponte:en@1");
    assert_eq!(rel["original"]["ref"], "ponte:it@1");
    assert_eq!(rel["superseded_by"][0]["ref"], "ponte@v2");
    assert_eq!(rel["superseded_by"][0]["time"], "2026-12-01T08:00:00Z");
    assert_eq!(env.ok(&["--json", "show", "ponte@v2"]).json()["release"]["superseded_by"], serde_json::json!([]));
    // A version is still its text.
    assert_eq!(env.ok(&["show", "ponte:en@2"]).stdout, EN2);
}

#[test]
fn the_binary_prints_the_librarys_superseded_verdict() {
    use colophon::verify::verdict::{Source, VerifyOptions, verify};
    let env = with_v2();
    let path = env.path(common::LEDGER);
    let snap = colophon::store::ledger::load_with(&path, &colophon::store::cache::Cache::None).expect("load");
    let roots = colophon::log::trust::Keyring::read(&env.path("olga.pub")).expect("keyring");
    for require_latest in [false, true] {
        let lines = colophon::store::ledger::LedgerFile(&path);
        let source = Source::Ledger {
            index: &snap.index,
            lines: &lines,
            kept: colophon::store::transparency::read_kept_checkpoint(&path),
            kept_name: colophon::store::transparency::checkpoint_path(&path).display().to_string(),
        };
        let opts = VerifyOptions { require_latest, ..VerifyOptions::default() };
        let v = verify(&colophon::verify::copy::CopyFacts::from_bytes(EN1.as_bytes()), source, &roots, &opts)
            .expect("verdict");
        assert_eq!(v.ok(), !require_latest);
        assert!(v.superseded());
        let mut args = vec!["--json", "verify", "en1.txt", "--trust", "olga.pub"];
        if require_latest {
            args.push("--require-latest");
        }
        let mut j = env.run(&args).json();
        for k in ["command", "source"] {
            j.as_object_mut().expect("object").remove(k);
        }
        assert_eq!(j, v.to_json(), "require_latest {require_latest}");
    }
}

#[test]
fn a_large_correction_is_capped_and_a_hash_only_text_has_no_diff() {
    let env = setup();
    // v2 changes 50 words: the diff shows 40 changes and counts the rest.
    let long1: String = (0..50).map(|i| format!("word{i} stays ")).collect::<String>() + "\n";
    let long2: String = (0..50).map(|i| format!("term{i} stays ")).collect::<String>() + "\n";
    env.write("long1.txt", &long1);
    env.write("long2.txt", &long2);
    env.ok(&["record", "long1.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v2", "--key", "tina.key"]);
    env.ok(&["record", "long2.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v3", "--key", "tina.key"]);
    let j = env.ok(&["--json", "verify", "long1.txt", "--trust", "olga.pub"]).json();
    assert_eq!(j["status"], "release.superseded");
    let l = &j["latest_release"];
    assert_eq!(l["release"]["ref"], "ponte@v3");
    assert!(l["release"].get("note").is_none(), "no note: {l}");
    let shown = l["diff"].as_array().expect("diff").iter().filter(|c| c["kind"] != "equal").count();
    assert_eq!(shown, 40, "changes shown");
    assert!(l["changes_omitted"].as_u64().is_some_and(|n| n > 0), "{l}");
    let r = env.ok(&["verify", "long1.txt", "--trust", "olga.pub"]);
    r.assert_stdout("  its note: (none)").assert_stdout("more changes not shown");

    // A correction recorded by hash only: no text to compare, and the output says so.
    env.write("long3.txt", format!("{long2}One more line.\n"));
    env.ok(&["record", "long3.txt", "--work", "ponte", "--lang", "en", "--hash-only", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v4", "--note", "hash only", "--key", "tina.key"]);
    let j = env.ok(&["--json", "verify", "long2.txt", "--trust", "olga.pub"]).json();
    assert_eq!(j["latest_release"]["release"]["ref"], "ponte@v4");
    assert!(j["latest_release"].get("diff").is_none() && j["latest_release"].get("words").is_none(), "{j}");
    env.ok(&["verify", "long2.txt", "--trust", "olga.pub"])
        .assert_stdout("ponte:en@3 → ponte:en@4: no word diff (a text recorded by hash only cannot be rebuilt)");
}

#[test]
fn the_published_site_marks_a_superseded_release() {
    let env = with_v2();
    env.ok(&["publish", "site", "--site"]);
    let page = env.read_string("site/works/ponte.html");
    let card = |tag: &str| -> String {
        let start = page.find(&format!("id=\"release-{tag}\"")).unwrap_or_else(|| panic!("no card for {tag}"));
        let rest = &page[start..];
        rest[..rest.find("</article>").expect("card end")].to_string()
    };
    let v1 = card("v1");
    assert!(
        v1.contains("<dt>Superseded by</dt><dd><a href=\"#release-v2\"><code>ponte@v2</code></a>, <time datetime=\"2026-12-01T08:00:00Z\">"),
        "{v1}"
    );
    assert!(v1.contains("(the signer's claim)"), "{v1}");
    assert!(!card("v2").contains("Superseded by"));
}
