//! Issue #15 through the real binary: re-pairing a translation with a corrected original
//! (spec/ledger.md §6.5 rule 4, spec/cli.md §3 `record`), `colophon status` (spec/cli.md §3,
//! spec/cli-json.md), the `--lang` check (spec/cli.md §3) and `--dry-run` (spec/cli.md §3.1).
//! Every test works in its own temporary directory (tests/common).

mod common;

use colophon::format::entry::parse_line;
use colophon::format::hash::Digest;
use common::{Env, LEDGER, Run};
use serde_json::Value;
use std::path::Path;

const IT_1: &str = "Il ponte\n\nIl ponte è lungo e stretto.\nLa gente passa in fretta.\n";
/// The original corrected: one word replaced.
const IT_2: &str = "Il ponte\n\nIl ponte è lungo e sottile.\nLa gente passa in fretta.\n";
const EN_1: &str = "The bridge\n\nThe bridge is long and narrow.\nPeople hurry across.\n";
const FR_1: &str = "Le pont\n\nLe pont est long et étroit.\nLes gens passent vite.\n";

/// Olga owns the ledger; Tina (translator) records ponte:it@1 and ponte:en@1 and releases
/// ponte@v1; Edo (editor) cosigns it; then Tina records the corrected original ponte:it@2.
fn corrected_original() -> Env {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.keygen("Edo Marini", "edo");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("it.txt", IT_1);
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("en.txt", EN_1);
    env.ok(&["record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v1", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.write("it.txt", IT_2);
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env
}

/// Asserts that `r`'s stdout has exactly this line.
fn has_line(r: &Run, line: &str) {
    assert!(r.stdout.lines().any(|l| l == line), "no line {line:?} in:\n{r}");
}

/// Every file under the directory (the cache with the index included), with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(p: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(p).expect("list directory") {
            let p = e.expect("entry").path();
            let name = p.strip_prefix(root).expect("under the root").to_string_lossy().into_owned();
            if p.is_dir() {
                out.push((format!("{name}/"), Vec::new()));
                walk(&p, root, out);
            } else {
                out.push((name, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// The issue's "done when", end to end
// ---------------------------------------------------------------------------------------------

#[test]
fn stale_translation_is_shown_then_repaired_without_a_text_change_and_released() {
    let env = corrected_original();
    let r = env.ok(&["status"]);
    has_line(&r, "ponte — original ponte:it@2");
    has_line(
        &r,
        "  latest release ponte@v1 (entry #5): ponte:en@1 renders ponte:it@1; signed by Tina Rossi; cosigned by Edo Marini",
    );
    has_line(&r, "  en: latest ponte:en@1, renders ponte:it@1");
    has_line(&r, "    stale: the original changed since ponte:it@1: now ponte:it@2 (+1/−1 words)");
    has_line(&r, "      Il ponte è lungo e [-stretto.-]{+sottile.+}");
    has_line(&r, "      colophon record --work ponte --lang en --of ponte:it@2");
    has_line(&r, "1 work, 1 translation; 1 translation renders an outdated original");
    // The unchanged line of the original is not shown.
    r.assert_lacks("La gente passa");

    // Re-pairing: the same English, another original (spec/ledger.md §6.5 rule 4).
    let r = env.ok(&["record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it@2", "--key", "tina.key"]);
    assert!(r.stdout.starts_with("Recorded ponte:en@2 (translation) — entry #8 "), "{r}");
    has_line(&r, "  text unchanged from version 1");
    assert!(r.stdout.contains("\n  re-paired: renders original ponte:it@2 ("), "{r}");
    r.assert_lacks("note:");

    let r = env.ok(&["release", "ponte@v2", "--key", "tina.key"]);
    has_line(&r, "  translation ponte:en@2 renders original ponte:it@2");
    r.assert_lacks("note:");
    let r = env.ok(&["status"]);
    has_line(
        &r,
        "  latest release ponte@v2 (entry #9): ponte:en@2 renders ponte:it@2; signed by Tina Rossi; not cosigned",
    );
    has_line(&r, "1 work, 1 translation; every translation renders the latest original");
    r.assert_lacks("stale");
    env.ok(&["audit"]);
    // The re-pairing's text is the parent's, rebuilt from its script.
    assert_eq!(env.ok(&["show", "ponte:en@2"]).stdout, EN_1);
}

#[test]
fn repairing_with_the_same_original_is_still_refused() {
    let env = corrected_original();
    // Without --of the new version inherits ponte:it@1: nothing would change.
    let r = env.fails_unchanged(
        &["record", "en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key", "--json"],
        &[],
        2,
        &["which already renders original ponte:it@1: nothing to record", "give --of ponte:it@2 (no FILE needed)"],
    );
    r.assert_status("version.unchanged");
    // Naming the original the parent already renders is no re-pairing either, with or without FILE.
    env.fails_unchanged(
        &["record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it@1", "--key", "tina.key"],
        &[],
        2,
        &["version.unchanged"],
    );
    env.fails_unchanged(
        &["record", "--work", "ponte", "--lang", "en", "--of", "ponte:it@1", "--key", "tina.key"],
        &[],
        2,
        &["version.unchanged"],
    );
    // An original is never re-paired: its unchanged text is refused as before.
    env.fails_unchanged(
        &["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"],
        &[],
        2,
        &["version.unchanged", "identical to the latest version of ponte:it (version 2"],
    );
}

#[test]
fn record_without_a_file_repairs_the_text_in_the_ledger() {
    let env = corrected_original();
    let r = env.ok(&["record", "--work", "ponte", "--lang", "en", "--of", "ponte:it@2", "--key", "tina.key", "--json"]);
    let j = r.json();
    assert_eq!(j["repaired"], true);
    assert_eq!(j["ref"], "ponte:en@2");
    assert_eq!(j["renders"]["ref"], "ponte:it@2");
    assert_eq!(j["newer_original"], Value::Null);
    assert_eq!(j["dry_run"], false);
    assert_eq!(j["stats"], serde_json::json!({"lines_added": 0, "lines_removed": 0}));
    assert_eq!(env.ok(&["show", "ponte:en@2"]).stdout, EN_1);
    let line = env.lines().last().cloned().expect("a line");
    let p = parse_line(&line).expect("the new line parses");
    let colophon::format::entry::Body::Version(v) = p.entry.body else { panic!("not a version") };
    assert_eq!(v.media_type, "text/plain; charset=utf-8", "the parent's media type");
    assert_eq!(v.diff, Some(serde_json::json!([["=", 4]])), "the script from the parent's text to itself");
    assert_eq!(v.sha256, Digest::of(EN_1.as_bytes()));

    // Without FILE, --of is needed, and there must be a text to re-pair.
    env.fails_unchanged(
        &["record", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
        &[],
        2,
        &["without a FILE, record re-pairs", "add --of REF"],
    );
    env.fails_unchanged(
        &["record", "--work", "ponte", "--lang", "fr", "--of", "ponte:it@2", "--key", "tina.key"],
        &[],
        2,
        &["ponte:fr has no version yet", "give the FILE"],
    );
    env.fails_unchanged(
        &["record", "--work", "ponte", "--lang", "en", "--of", "ponte:it@2", "--hash-only", "--key", "tina.key"],
        &[],
        2,
        &["--hash-only needs a FILE"],
    );
}

#[test]
fn a_hash_only_parent_cannot_be_repaired_without_its_file() {
    let env = corrected_original();
    env.write("de.txt", "Die Brücke\n");
    env.ok(&[
        "record",
        "de.txt",
        "--work",
        "ponte",
        "--lang",
        "de",
        "--of",
        "ponte:it@1",
        "--hash-only",
        "--key",
        "tina.key",
    ]);
    env.fails_unchanged(
        &["record", "--work", "ponte", "--lang", "de", "--of", "ponte:it@2", "--key", "tina.key"],
        &[],
        2,
        &["recorded by hash only", "give the FILE to record"],
    );
    // With the file, the hash-only text is re-paired.
    let r = env.ok(&[
        "record",
        "de.txt",
        "--work",
        "ponte",
        "--lang",
        "de",
        "--of",
        "ponte:it@2",
        "--hash-only",
        "--key",
        "tina.key",
    ]);
    assert!(r.stdout.contains("re-paired: renders original ponte:it@2"), "{r}");
}

#[test]
fn release_of_a_newer_original_than_rendered_says_how_to_repair() {
    let env = corrected_original();
    let r = env.fails_unchanged(
        &["release", "ponte@v2", "--original", "ponte:it@2", "--key", "tina.key", "--json"],
        &[],
        2,
        &[
            "the translation renders ponte:it@1",
            "re-pair it first: `colophon record --work ponte --lang en --of ponte:it@2` (no FILE needed when its text is unchanged)",
        ],
    );
    r.assert_status("release.ref.invalid");
}

#[test]
fn record_and_release_note_an_original_newer_than_the_one_rendered() {
    let env = corrected_original();
    env.write("en.txt", "The bridge\n\nThe bridge is long and thin.\nPeople hurry across.\n");
    // A correction of the translation that still renders ponte:it@1 (inherited): a note, exit 0.
    let r = env.ok(&["record", "en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    has_line(
        &r,
        "  note: the original has a newer version, ponte:it@2, than the ponte:it@1 this translation renders; once the \
         translation follows it, record it with --of ponte:it@2 (without FILE if its text is unchanged)",
    );
    let r = env.ok(&["release", "ponte@v2", "--key", "tina.key", "--json"]);
    assert_eq!(r.json()["newer_original"]["ref"], "ponte:it@2");
    let r = env.ok(&["release", "ponte@v3", "--translation", "ponte:en@2", "--key", "tina.key"]);
    has_line(
        &r,
        "  note: the original has a newer version, ponte:it@2, than the released ponte:it@1; `colophon status` shows what changed",
    );
}

// ---------------------------------------------------------------------------------------------
// colophon status
// ---------------------------------------------------------------------------------------------

#[test]
fn status_finds_stale_translations_among_several_works_and_languages() {
    let env = corrected_original();
    // ponte: en re-paired with it@2 and released; fr made from it@1, never released.
    env.ok(&["record", "--work", "ponte", "--lang", "en", "--of", "ponte:it@2", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v2", "--key", "tina.key"]);
    env.write("fr.txt", FR_1);
    env.ok(&["record", "fr.txt", "--work", "ponte", "--lang", "fr", "--of", "ponte:it@1", "--key", "tina.key"]);
    // mare: a German original and an Italian translation of its latest version, then a draft.
    env.write("mare.de.txt", "Das Meer\n\nDas Meer im Winter.\n");
    env.ok(&["record", "mare.de.txt", "--work", "mare", "--lang", "de", "--key", "tina.key"]);
    env.write("mare.it.txt", "Il mare\n\nIl mare d'inverno.\n");
    env.ok(&["record", "mare.it.txt", "--work", "mare", "--lang", "it", "--of", "mare:de", "--key", "tina.key"]);
    env.ok(&["release", "mare@v1", "--key", "tina.key"]);
    env.write("mare.it.txt", "Il mare\n\nIl mare in inverno.\n");
    env.ok(&["record", "mare.it.txt", "--work", "mare", "--lang", "it", "--key", "tina.key"]);

    let r = env.ok(&["status"]);
    has_line(&r, "mare — original mare:de@1");
    has_line(&r, "  it: latest mare:it@2, renders mare:de@1");
    has_line(&r, "    1 draft not released (newer than mare@v1): mare:it@2");
    has_line(&r, "  en: latest ponte:en@2, renders ponte:it@2");
    has_line(&r, "  fr: latest ponte:fr@1, renders ponte:it@1");
    has_line(&r, "    stale: the original changed since ponte:it@1: now ponte:it@2 (+1/−1 words)");
    has_line(&r, "      colophon record --work ponte --lang fr --of ponte:it@2");
    has_line(&r, "    not released yet: ponte:fr@1");
    has_line(&r, "2 works, 3 translations; 1 translation renders an outdated original");
    assert_eq!(r.stdout.matches("stale:").count(), 1, "{r}");

    let j = env.ok(&["status", "--json"]).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["command"], "status");
    assert_eq!(j["stale"], 1);
    let works: Vec<&str> = j["works"].as_array().unwrap().iter().map(|w| w["work"].as_str().unwrap()).collect();
    assert_eq!(works, ["mare", "ponte"]);
    let ponte = &j["works"][1];
    assert_eq!(ponte["original"]["ref"], "ponte:it@2");
    assert_eq!(ponte["latest_release"]["ref"], "ponte@v2");
    assert_eq!(ponte["releases"].as_array().unwrap().len(), 2);
    assert_eq!(ponte["releases"][0]["cosigners"][0]["name"], "Edo Marini");
    assert_eq!(ponte["releases"][1]["cosigners"], serde_json::json!([]));
    let langs: Vec<&str> =
        ponte["translations"].as_array().unwrap().iter().map(|t| t["lang"].as_str().unwrap()).collect();
    assert_eq!(langs, ["en", "fr"]);
    let (en, fr) = (&ponte["translations"][0], &ponte["translations"][1]);
    assert_eq!(en["stale"], false);
    assert_eq!(en["original_changes"], Value::Null);
    assert_eq!(en["latest_release"], "ponte@v2");
    assert_eq!(en["drafts"], serde_json::json!([]));
    assert_eq!(fr["stale"], true);
    assert_eq!(fr["renders"]["ref"], "ponte:it@1");
    assert_eq!(fr["latest_release"], Value::Null);
    assert_eq!(fr["drafts"][0]["ref"], "ponte:fr@1");
    let c = &fr["original_changes"];
    assert_eq!(c["from"]["ref"], "ponte:it@1");
    assert_eq!(c["to"]["ref"], "ponte:it@2");
    assert_eq!(c["words"], serde_json::json!({"words_added": 1, "words_removed": 1}));
    assert_eq!(c["diff_unavailable"], Value::Null);
    let changed: Vec<(&str, &str)> = c["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| (ch["kind"].as_str().unwrap(), ch["text"].as_str().unwrap()))
        .filter(|(k, _)| *k != "equal")
        .collect();
    assert_eq!(changed, [("delete", "stretto."), ("insert", "sottile.")]);
    // The diff's chunks give back both texts.
    let old: String = c["diff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ch| ch["kind"] != "insert")
        .map(|ch| ch["text"].as_str().unwrap())
        .collect();
    assert_eq!(old, IT_1);
    let version = &fr["latest"];
    for member in ["entry", "ref", "lang", "number", "seq", "time"] {
        assert!(!version[member].is_null(), "a version has {member}: {version}");
    }
    let mare = &j["works"][0];
    assert_eq!(mare["translations"][0]["stale"], false);
    assert_eq!(mare["translations"][0]["drafts"][0]["ref"], "mare:it@2");

    // --work narrows the report; the same facts without the cache (the index only finds).
    let only = env.ok(&["status", "--work", "mare", "--json"]).json();
    assert_eq!(only["works"].as_array().unwrap().len(), 1);
    assert_eq!(only["works"][0], j["works"][0]);
    let uncached = env.run_env(&["status", "--json"], &[("COLOPHON_CACHE", "none")]);
    uncached.assert_code(0);
    assert_eq!(uncached.json(), j);
}

#[test]
fn status_is_a_report_and_bad_input_is_exit_2() {
    let env = Env::new();
    env.fails_unchanged(&["status"], &[], 2, &["no ledger here"]);
    env.keygen("Olga Bianchi", "olga");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    let r = env.ok(&["status"]);
    assert_eq!(
        r.stdout,
        "colophon.jsonl: no works recorded yet; record one with `colophon record FILE --work W --lang L`\n"
    );
    assert_eq!(env.ok(&["status", "--json"]).json()["works"], serde_json::json!([]));
    env.fails_unchanged(&["status", "--work", "ponte"], &[], 2, &["no work named \"ponte\""]);
    // A line that is not an entry: the ledger cannot be read, as for every command.
    let mut bytes = env.ledger();
    bytes.extend_from_slice(b"{\"not\": \"an entry\"}\n");
    env.write(LEDGER, &bytes);
    env.fails_unchanged(&["status"], &[], 2, &["colophon.jsonl:2"]);
}

// ---------------------------------------------------------------------------------------------
// --lang
// ---------------------------------------------------------------------------------------------

#[test]
fn record_refuses_language_names_and_unregistered_tags_with_a_suggestion() {
    let env = corrected_original();
    let cases: &[(&str, &str)] = &[
        (
            "english",
            "--lang \"english\": not a registered language tag (the primary language is not in the IANA Language Subtag Registry); did you mean --lang en (English)?",
        ),
        ("Italian", "did you mean --lang it (Italian)?"),
        ("en_US", "--lang \"en_US\": not a well-formed language tag (RFC 5646 §2.1); did you mean --lang en-US?"),
        (
            "xx",
            "--lang \"xx\": not a registered language tag (the primary language is not in the IANA Language Subtag Registry). Give a BCP 47 language tag",
        ),
        ("en-UK", "not a registered language tag (the region is not in the IANA Language Subtag Registry)"),
    ];
    for (tag, message) in cases {
        env.fails_unchanged(
            &["record", "en.txt", "--work", "ponte", "--lang", tag, "--of", "ponte:it@2", "--key", "tina.key"],
            &[],
            2,
            &[message],
        );
    }
    let r = env.fails_unchanged(
        &["record", "en.txt", "--work", "w", "--lang", "english", "--key", "tina.key", "--json"],
        &[],
        2,
        &[],
    );
    assert_eq!(r.json()["ok"], false);
    assert!(r.json()["error"].as_str().unwrap().contains("did you mean --lang en (English)?"));
    // A registered tag in any case is recorded in its canonical case.
    env.write("br.txt", "A ponte\n");
    let r =
        env.ok(&["record", "br.txt", "--work", "ponte", "--lang", "PT-br", "--of", "ponte:it@2", "--key", "tina.key"]);
    assert!(r.stdout.starts_with("Recorded ponte:pt-BR@1 (translation)"), "{r}");
}

// ---------------------------------------------------------------------------------------------
// --dry-run
// ---------------------------------------------------------------------------------------------

/// Runs `args` with `--dry-run` and checks it changed no file at all (the ledger, the index in the
/// cache, sidecars), exits 0, says so, and prints the line it would append; returns that line.
fn dry(env: &Env, args: &[&str]) -> String {
    let before = tree(env.dir.path());
    let mut a = args.to_vec();
    a.push("--dry-run");
    let r = env.run_env(&a, &[("SOURCE_DATE_EPOCH", "1780000000")]);
    r.assert_code(0);
    assert_eq!(tree(env.dir.path()), before, "`colophon {}` changed files:\n{r}", a.join(" "));
    r.assert_stdout("Dry run: nothing was written; the line it would append (entry #");
    let line = r.stdout.lines().last().expect("the line").to_string();
    // The JSON says the same.
    a.push("--json");
    let j = env.run_env(&a, &[("SOURCE_DATE_EPOCH", "1780000000")]);
    j.assert_code(0);
    assert_eq!(tree(env.dir.path()), before, "`colophon {}` changed files:\n{j}", a.join(" "));
    assert_eq!(j.json()["dry_run"], true);
    assert_eq!(j.json()["line"], line.as_str());
    line
}

/// The real run of `args`, at the same claimed time as [`dry`]: appends exactly the line the dry
/// run printed.
fn real(env: &Env, args: &[&str], expected: &str) {
    env.run_env(args, &[("SOURCE_DATE_EPOCH", "1780000000")]).assert_code(0);
    let last = env.lines().last().cloned().expect("a line");
    assert_eq!(String::from_utf8(last).unwrap(), expected, "`colophon {}` wrote another line", args.join(" "));
}

#[test]
fn dry_run_checks_everything_writes_nothing_and_prints_the_line_the_real_run_appends() {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.keygen("Edo Marini", "edo");
    // init: no ledger is made.
    let init = ["init", "--origin", "example.org/translations", "--key", "olga.key"];
    let line = dry(&env, &init);
    assert!(!env.path(LEDGER).exists());
    real(&env, &init, &line);
    for args in [
        &["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"][..],
        &["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"][..],
    ] {
        let line = dry(&env, args);
        real(&env, args, &line);
    }
    env.write("it.txt", IT_1);
    let args = ["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"];
    let line = dry(&env, &args);
    let p = parse_line(line.as_bytes()).expect("the printed line is an entry");
    assert_eq!(p.entry.seq, 3);
    assert_eq!(p.entry.prev, Some(Digest::of(env.lines().last().unwrap())));
    real(&env, &args, &line);
    env.write("en.txt", EN_1);
    let args = ["record", "en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"];
    let line = dry(&env, &args);
    real(&env, &args, &line);
    // release with a bundle: neither bundle nor checkpoint is written.
    let args = ["release", "ponte@v1", "--write-bundle", "v1.bundle", "--key", "tina.key"];
    let line = dry(&env, &args);
    real(&env, &args, &line);
    assert!(env.path("v1.bundle").exists());
    let args = ["cosign", "ponte@v1", "--key", "edo.key"];
    let line = dry(&env, &args);
    real(&env, &args, &line);
    // A re-pairing without FILE.
    env.write("it.txt", IT_2);
    env.ok(&["record", "it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    let args = ["record", "--work", "ponte", "--lang", "en", "--of", "ponte:it@2", "--key", "tina.key"];
    let line = dry(&env, &args);
    real(&env, &args, &line);
    let args = ["key", "revoke", "Edo Marini", "--reason", "retired", "--key", "olga.key"];
    let line = dry(&env, &args);
    real(&env, &args, &line);

    // checkpoint: no kept checkpoint, no -o file.
    let before = tree(env.dir.path());
    let r = env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp.txt", "--dry-run"]);
    assert_eq!(tree(env.dir.path()), before, "checkpoint --dry-run changed files:\n{r}");
    r.assert_stdout("Dry run: nothing was kept in colophon.jsonl.checkpoint or written to cp.txt");
    r.assert_stdout("example.org/translations\n10\n");
    let j = env.ok(&["checkpoint", "--key", "olga.key", "--dry-run", "--json"]).json();
    assert_eq!(
        (j["dry_run"].clone(), j["kept"].clone(), j["size"].clone()),
        (Value::Bool(true), Value::Null, 10.into())
    );
    env.ok(&["audit"]);
}

#[test]
fn a_dry_run_fails_as_the_real_run_would() {
    let env = corrected_original();
    // The same refusals, codes and messages, and nothing written.
    let r = env.fails_unchanged(
        &["record", "en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key", "--dry-run", "--json"],
        &[],
        2,
        &["nothing to record"],
    );
    r.assert_status("version.unchanged");
    let r = env.fails_unchanged(&["cosign", "ponte@v1", "--key", "edo.key", "--dry-run", "--json"], &[], 2, &[]);
    r.assert_status("cosign.duplicate");
    let r = env.fails_unchanged(&["release", "ponte@v1", "--key", "tina.key", "--dry-run", "--json"], &[], 2, &[]);
    r.assert_status("release.tag.duplicate");
    let r = env.fails_unchanged(
        &["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key", "--dry-run", "--json"],
        &[],
        2,
        &[],
    );
    r.assert_status("key.duplicate");
    env.keygen("Nova Neri", "nova");
    env.fails_unchanged(
        &["key", "add", "nova.pub", "--role", "editor", "--key", "tina.key", "--dry-run"],
        &[],
        2,
        &["entry.signer.unauthorized"],
    );
    env.fails_unchanged(
        &["init", "--origin", "example.org/again", "--key", "olga.key", "--dry-run"],
        &[],
        2,
        &["a file already exists"],
    );
    env.fails_unchanged(
        &["init", "--origin", "example.org/x", "--key", "olga.key", "--dry-run", "--ledger", "missing/dir/l.jsonl"],
        &[],
        2,
        &["its directory does not exist"],
    );
}

#[test]
fn a_dry_run_leaves_a_torn_line_where_it_is() {
    let env = corrected_original();
    env.append_raw_torn(b"{\"half\":");
    env.write("en.txt", "The bridge\n\nThe bridge is long and thin.\nPeople hurry across.\n");
    let before = tree(env.dir.path());
    let r = env.ok(&[
        "record",
        "en.txt",
        "--work",
        "ponte",
        "--lang",
        "en",
        "--of",
        "ponte:it@2",
        "--key",
        "tina.key",
        "--dry-run",
    ]);
    assert_eq!(tree(env.dir.path()), before, "a dry run moved the torn line:\n{r}");
    assert!(env.ledger().ends_with(b"{\"half\":"));
}
