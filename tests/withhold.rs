//! Bundles withhold what is not published (spec/verify.md §3.2, §3.3 check 9, §3.6;
//! spec/ledger.md §3.4), driving the real `colophon` binary: by default a bundle carries the full
//! text of the released translation only, drafts and the original as signed hashes; it still
//! verifies offline with its checkpoint and proofs; `--with-drafts` and `--with-original` include
//! the rest; a `texts` member that does not have its version's signed hashes fails; a bundle as
//! written before `texts` existed still verifies; and a ledger keeps every script.

mod common;

use common::{Env, LEDGER};
use serde_json::Value;

const ORIGIN: &str = "example.org/translations";

/// The Italian original: every sentence is someone else's copyright.
const ORIGINAL_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Diceva che d'inverno il fiume parla con una voce più bassa.
Oggi il ponte è chiuso, ma la sua voce è ancora qui.
";

/// The sentences of the original a bundle must not carry by default.
const ORIGINAL_SENTENCES: [&str; 3] = [
    "Ogni mattina mia nonna attraversava il ponte di pietra",
    "il fiume parla con una voce più bassa",
    "Oggi il ponte è chiuso",
];

/// en@1, released as v1.
const EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She said that in winter the river speaks in a lower voice.
Today the bridge is closed, but its voice is still here.
";

/// en@2 and en@3: drafts, each with a sentence no other version has.
const EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She said that in winter the river speaks in a lower voice.
Draft two says the bridge was painted green by the baker's cousin.
Today the bridge is closed, but its voice is still here.
";

const EN_3: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother walked over the stone bridge on her way to the market.
She said that in winter the river speaks in a lower voice.
Draft three wonders whether the mayor ever crossed it at night.
Today the bridge is closed, but its voice is still here.
";

/// en@4, released as v2.
const EN_4: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother walked over the stone bridge on her way to the market.
She used to say that in winter the river speaks in a lower voice.
Today the bridge is closed, but its voice is still here.
";

/// Sentences only the unreleased drafts (en@2, en@3) have.
const DRAFT_SENTENCES: [&str; 2] =
    ["painted green by the baker's cousin", "wonders whether the mayor ever crossed it at night"];

/// Olga owns the log; Tina records the original and en@1 and releases v1; drafts en@2, en@3; en@4
/// released as v2; Olga signs a checkpoint covering it all. `copy.txt` is v2's text.
fn ledger() -> Env {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("ponte.it.txt", ORIGINAL_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    for (i, text) in [EN_1, EN_2, EN_3, EN_4].iter().enumerate() {
        env.write("bridge.en.txt", text);
        let mut args = vec!["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"];
        if i == 0 {
            args.extend(["--of", "ponte:it"]);
        }
        env.ok(&args);
        if i == 0 {
            env.ok(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
        }
    }
    env.ok(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "v2.cp"]);
    env.write("copy.txt", EN_4);
    env
}

fn bundle_json(env: &Env, name: &str) -> Value {
    serde_json::from_slice(&env.read(name)).expect("a JSON bundle")
}

fn write_json(env: &Env, name: &str, v: &Value) {
    env.write(name, serde_json::to_vec_pretty(v).expect("serialize"));
}

/// Which of `sentences` the file holds, byte for byte (the bundle is JSON with UTF-8 written as
/// such, so a sentence without quotes or backslashes appears verbatim if it is there at all).
fn held(env: &Env, name: &str, sentences: &[&str]) -> Vec<String> {
    let text = env.read_string(name);
    sentences.iter().filter(|s| text.contains(*s)).map(|s| s.to_string()).collect()
}

#[test]
fn the_v2_bundle_holds_no_draft_and_no_original_and_verifies_offline() {
    let env = ledger();
    env.ok(&["bundle", "ponte@v2", "-o", "b.bundle"])
        .assert_stdout("a signed checkpoint and an inclusion proof for each")
        .assert_stdout(
            "carries the text of ponte:en@4; withholds 3 earlier versions of the translation and the original (it@1) \
             (their signed hashes only): --with-drafts, --with-original include them",
        );
    assert_eq!(held(&env, "b.bundle", &DRAFT_SENTENCES), Vec::<String>::new());
    assert_eq!(held(&env, "b.bundle", &ORIGINAL_SENTENCES), Vec::<String>::new());
    // Not even en@1, released as v1: its text is in v1's bundle.
    assert_eq!(held(&env, "b.bundle", &["Every morning my grandmother crossed"]), Vec::<String>::new());
    let b = bundle_json(&env, "b.bundle");
    let versions: Vec<&str> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|l| l.contains("\"type\":\"version\""))
        .collect();
    assert_eq!(versions.len(), 5, "it@1 and en@1..en@4: every ancestor rides along");
    for line in &versions {
        assert!(line.starts_with("{\"body\":{\"diff_sha256\":\""), "a version line in committed form: {line}");
    }
    let texts = b["texts"].as_object().expect("texts");
    assert_eq!(texts.len(), 1);
    assert_eq!(texts.values().next().and_then(Value::as_str), Some(EN_4));
    // Offline, anchored: the checkpoint and every inclusion proof hold for the committed lines.
    let r = env.ok(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
    r.assert_stdout("verified").assert_stdout("ponte:en@4").assert_stdout("every entry's inclusion proof checked");
    let j = env.ok(&["--json", "verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]).json();
    assert_eq!(j["status"], "copy.verified");
    // The JSON output of `bundle` says the same as its sentence.
    let j = env.ok(&["--json", "bundle", "ponte@v2", "-o", "b2.bundle"]).json();
    assert_eq!(j["texts"], serde_json::json!(["ponte:en@4"]));
    assert_eq!(j["withheld"], serde_json::json!({"drafts": 3, "original": "it@1"}));
    assert_eq!(env.read("b2.bundle"), env.read("b.bundle"));
}

#[test]
fn with_drafts_and_with_original_include_them() {
    let env = ledger();
    env.ok(&["bundle", "ponte@v2", "--with-drafts", "-o", "d.bundle"])
        .assert_stdout("carries the text of ponte:en@4; withholds the original (it@1) (their signed hashes only): --with-original includes them");
    assert_eq!(held(&env, "d.bundle", &DRAFT_SENTENCES).len(), 2);
    assert_eq!(held(&env, "d.bundle", &ORIGINAL_SENTENCES), Vec::<String>::new());
    env.ok(&["bundle", "ponte@v2", "--with-original", "-o", "o.bundle"]).assert_stdout(
        "carries the text of ponte:en@4 and ponte:it@1; withholds 3 earlier versions of the translation",
    );
    assert_eq!(held(&env, "o.bundle", &DRAFT_SENTENCES), Vec::<String>::new());
    assert_eq!(held(&env, "o.bundle", &ORIGINAL_SENTENCES).len(), 3);
    env.ok(&["bundle", "ponte@v2", "--with-drafts", "--with-original", "-o", "all.bundle"])
        .assert_stdout("carries the text of ponte:en@4 and ponte:it@1\n");
    for name in ["d.bundle", "o.bundle", "all.bundle"] {
        env.ok(&["verify", "copy.txt", "--bundle", name, "--trust", "olga.pub"]).assert_stdout("verified");
    }
    // The original's text verifies as the original of the release.
    env.write("it.txt", ORIGINAL_IT);
    env.ok(&["verify", "it.txt", "--bundle", "o.bundle", "--trust", "olga.pub"]).assert_stdout("ponte:it@1");
}

#[test]
fn a_bundle_whose_texts_were_altered_fails() {
    let env = ledger();
    env.ok(&["bundle", "ponte@v2", "-o", "b.bundle"]);
    let b = bundle_json(&env, "b.bundle");
    let key = b["texts"].as_object().unwrap().keys().next().unwrap().clone();
    // Same length, other bytes: not the signed sha256.
    let mut forged = b.clone();
    forged["texts"][&key] = EN_4.replacen("walked", "strode", 1).into();
    write_json(&env, "f.bundle", &forged);
    let j = env.fails(&["--json", "verify", "copy.txt", "--bundle", "f.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "content.hash.mismatch", "{j}");
    // Another length: not the signed size.
    forged["texts"][&key] = format!("{EN_4}A sentence nobody signed.\n").into();
    write_json(&env, "f.bundle", &forged);
    let j = env.fails(&["--json", "verify", "copy.txt", "--bundle", "f.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "content.size.mismatch", "{j}");
    // A text under a hash that names no version of the bundle.
    let mut forged = b.clone();
    forged["texts"]["0".repeat(64)] = EN_4.into();
    write_json(&env, "f.bundle", &forged);
    let j = env.fails(&["--json", "verify", "copy.txt", "--bundle", "f.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "bundle.invalid", "{j}");
    // `texts` that is not an object of strings.
    let mut forged = b.clone();
    forged["texts"] = Value::Null;
    write_json(&env, "f.bundle", &forged);
    env.fails(&["verify", "copy.txt", "--bundle", "f.bundle", "--trust", "olga.pub"], 1).assert_any("bundle.invalid");
    // A withheld line given its script back, but not the ledger's: the committed form differs, so
    // its hash, leaf and signature do not hold.
    let mut forged = b;
    let entries = forged["entries"].as_array_mut().unwrap();
    let at = entries.iter().position(|l| l.as_str().is_some_and(|l| l.contains("\"lang\":\"it\""))).unwrap();
    let line = entries[at].as_str().unwrap().to_string();
    let end = line.find("\",\"lang\"").unwrap();
    entries[at] = format!("{{\"body\":{{\"diff\":[[\"+\",\"Nothing of the sort.\\n\"]]{}", &line[end + 1..]).into();
    write_json(&env, "f.bundle", &forged);
    env.fails(&["verify", "copy.txt", "--bundle", "f.bundle", "--trust", "olga.pub"], 1);
}

#[test]
fn a_bundle_without_texts_and_with_full_lines_still_verifies() {
    let env = ledger();
    env.ok(&["bundle", "ponte@v2", "--with-drafts", "--with-original", "-o", "all.bundle"]);
    let mut b = bundle_json(&env, "all.bundle");
    b.as_object_mut().unwrap().remove("texts");
    write_json(&env, "old.bundle", &b);
    env.ok(&["verify", "copy.txt", "--bundle", "old.bundle", "--trust", "olga.pub"]).assert_stdout("verified");
    // Texts are rebuilt from the scripts: a tampered copy gets its closest version and word diff.
    env.write("tampered.txt", EN_4.replace("is closed", "was demolished"));
    let j = env.fails(&["--json", "verify", "tampered.txt", "--bundle", "old.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "copy.mismatch");
    assert_eq!(j["closest"]["version"]["ref"], "ponte:en@4", "{j}");
}

#[test]
fn a_withheld_text_is_not_an_empty_text() {
    let env = ledger();
    env.ok(&["bundle", "ponte@v2", "-o", "b.bundle"]);
    // A tampered copy: the closest version comes from the text the bundle carries, and the
    // verdict says what it could not compare.
    env.write("tampered.txt", EN_4.replace("is closed", "was demolished"));
    let r = env.fails(&["verify", "tampered.txt", "--bundle", "b.bundle", "--trust", "olga.pub"], 1);
    r.assert_stdout("closest signed version: ponte:en@4").assert_stdout("not in the bundle (withheld");
    // So does a web page holding none of the texts the bundle carries (spec/verify.md §3.6, §4).
    env.write("post.html", format!("<html><body><article><p>{}</p></article></body></html>", "Nothing signed here."));
    let j = env.fails(&["--json", "verify", "post.html", "--bundle", "b.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "copy.mismatch", "{j}");
    let notes = j["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().is_some_and(|s| s.contains("the page was searched only for the texts it carries"))),
        "{j}"
    );
    // A copy of the original matches its signed hashes, which the bundle carries: no text needed.
    env.write("it.txt", ORIGINAL_IT);
    env.ok(&["verify", "it.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]).assert_stdout("ponte:it@1");
    // A copy of a withheld draft matches its signed hashes too: a signed version in no release.
    env.write("draft.txt", EN_2);
    let j = env.fails(&["--json", "verify", "draft.txt", "--bundle", "b.bundle", "--trust", "olga.pub"], 1).json();
    assert_eq!(j["status"], "copy.unreleased", "{j}");
}

#[test]
fn release_write_bundle_withholds_by_default() {
    let env = ledger();
    env.write("bridge.en.txt", format!("{EN_4}A fifth version.\n"));
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v3", "--write-bundle", "v3.bundle", "--key", "olga.key"])
        .assert_stdout("it carries the text of ponte:en@5; withholds 4 earlier versions");
    assert_eq!(held(&env, "v3.bundle", &DRAFT_SENTENCES), Vec::<String>::new());
    assert_eq!(held(&env, "v3.bundle", &ORIGINAL_SENTENCES), Vec::<String>::new());
    env.write("v3.txt", format!("{EN_4}A fifth version.\n"));
    env.ok(&["verify", "v3.txt", "--bundle", "v3.bundle", "--trust", "olga.pub"]).assert_stdout("verified");
    // The flags belong to --write-bundle.
    env.fails(&["release", "--work", "ponte", "--tag", "v4", "--with-drafts", "--key", "olga.key"], 2);
}

#[test]
fn a_ledger_keeps_every_script() {
    let env = ledger();
    env.ok(&["audit"]);
    // Replace en@2's line by its committed form: same hash, leaf and signature, but no script.
    let lines = env.lines();
    let at = lines.iter().position(|l| String::from_utf8_lossy(l).contains("painted green")).unwrap();
    let committed = colophon::format::hash::committed_form(&lines[at]).into_owned();
    assert_eq!(colophon::format::hash::entry_hash(&committed), common::hash_of(&lines[at]));
    let mut ledger = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        ledger.extend_from_slice(if i == at { &committed } else { l });
        ledger.push(b'\n');
    }
    env.write(LEDGER, &ledger);
    let j = env.fails(&["--json", "audit"], 1).json();
    let problems: Vec<(String, u64)> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap().to_string(), p["line"].as_u64().unwrap()))
        .collect();
    // Its text counts as not rebuilt (L§11 step 10), so en@3's script meets base "", and so, in
    // turn, does en@4's: the rule for every content problem.
    let line = at as u64 + 1;
    let want = [("diff.withheld", line), ("diff.base.mismatch", line + 1), ("diff.base.mismatch", line + 2)];
    assert_eq!(problems, want.map(|(c, l)| (c.to_string(), l)));
}
