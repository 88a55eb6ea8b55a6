//! Exports (spec/exports.md), each checked by an outside implementation of its format: minisign
//! signatures by Debian's `minisign` tool (installed by `.ci/run`; a visible skip without it).

mod common;

use colophon::format::minisign;
use colophon::store::keyfile::read_pub_file;
use common::{Env, skip};
use std::process::Command;

const IT: &str = "Il ponte di pietra.\nOgni mattina mia nonna lo attraversava.\n";
const EN_1: &str = "The stone bridge.\nEvery morning my grandmother crossed it.\n";
const EN_2: &str = "The stone bridge.\nEvery morning my grandmother walked across it.\n";

/// Olga owns the ledger; Tina translates; ponte@v1 and a corrected ponte@v2, both by Tina.
fn ledger() -> Env {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("ponte.it.txt", IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("ponte.en.txt", EN_1);
    env.ok(&["record", "ponte.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v1", "--key", "tina.key"]);
    env.write("ponte.en.txt", EN_2);
    env.ok(&["record", "ponte.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["release", "ponte@v2", "--note", "Corrects line 2", "--key", "tina.key"]);
    env
}

/// Runs Debian's minisign; None (after a visible skip) when it is not installed.
fn minisign_tool(env: &Env, args: &[&str]) -> Option<std::process::Output> {
    match Command::new("minisign").args(args).current_dir(env.path(".")).output() {
        Ok(o) => Some(o),
        Err(e) => {
            skip("exports: minisign -V on colophon's minisig files", &format!("minisign not runnable ({e})"));
            None
        }
    }
}

#[test]
fn a_release_signed_for_minisign_verifies_with_minisign() {
    let env = ledger();
    let j = env.ok(&["--json", "export", "minisig", "ponte@v1", "--key", "tina.key"]).json();
    assert_eq!(j["text"], "ponte-v1.en.txt");
    assert_eq!(j["minisig"], "ponte-v1.en.txt.minisig");
    assert_eq!(env.read_string("ponte-v1.en.txt"), EN_1, "the exact released bytes");
    let tina = read_pub_file(&env.path("tina.pub")).expect("tina.pub");
    let comment = format!(
        "colophon release ponte@v1 of example.org/translations: translation (en) sha256 {} of the original (it); \
         release entry {}; signer {}",
        colophon::format::hash::Digest::of(EN_1.as_bytes()).to_hex(),
        j["release"].as_str().expect("release"),
        tina.key.id()
    );
    assert_eq!(j["trusted_comment"], comment);
    // The library's own check agrees.
    let sig = env.read_string("ponte-v1.en.txt.minisig");
    assert_eq!(minisign::verify(&tina.key, EN_1.as_bytes(), &sig).map(|v| v.trusted_comment), Ok(comment.clone()));
    let pk = j["minisign_public_key"].as_str().expect("key").to_string();
    assert_eq!(pk, minisign::public_key_base64(&tina.key));

    env.ok(&["export", "minisign-key", "tina.pub", "-o", "tina.minisign.pub"]);
    // keygen printed the same key.
    let fresh = env.ok(&["--json", "keygen", "--name", "Ada", "-o", "ada", "--unencrypted"]).json();
    let ada = read_pub_file(&env.path("ada.pub")).expect("ada.pub");
    assert_eq!(fresh["minisign_public_key"].as_str(), Some(minisign::public_key_base64(&ada.key).as_str()));
    let Some(o) = minisign_tool(&env, &["-Vm", "ponte-v1.en.txt", "-P", &pk]) else { return };
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "minisign -V: {stdout} {}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("Signature and comment signature verified"), "{stdout}");
    assert!(stdout.contains(&format!("Trusted comment: {comment}")), "{stdout}");
    // The key file `export minisign-key` writes is one minisign reads.
    let o = minisign_tool(&env, &["-Vm", "ponte-v1.en.txt", "-p", "tina.minisign.pub"]).expect("ran before");
    assert!(o.status.success(), "minisign -p: {}", String::from_utf8_lossy(&o.stderr));

    // A changed text, a changed trusted comment and another key all fail minisign.
    env.write("ponte-v1.en.txt", EN_2);
    let o = minisign_tool(&env, &["-Vm", "ponte-v1.en.txt", "-P", &pk]).expect("ran before");
    assert!(!o.status.success(), "a changed text must fail minisign");
    env.write("ponte-v1.en.txt", EN_1);
    env.write("ponte-v1.en.txt.minisig", sig.replace("ponte@v1", "ponte@v2"));
    let o = minisign_tool(&env, &["-Vm", "ponte-v1.en.txt", "-P", &pk]).expect("ran before");
    assert!(!o.status.success(), "a changed trusted comment must fail minisign");
    env.write("ponte-v1.en.txt.minisig", &sig);
    let olga = read_pub_file(&env.path("olga.pub")).expect("olga.pub");
    let o = minisign_tool(&env, &["-Vm", "ponte-v1.en.txt", "-P", &minisign::public_key_base64(&olga.key)])
        .expect("ran before");
    assert!(!o.status.success(), "another key must fail minisign");
}

#[test]
fn the_corrected_release_exports_its_own_text() {
    let env = ledger();
    let r = env.ok(&["export", "minisig", "ponte@v2", "--key", "tina.key", "-o", "bridge.txt"]);
    r.assert_stdout("Wrote bridge.txt")
        .assert_stdout("bridge.txt.minisig")
        .assert_stdout("minisign -Vm bridge.txt -P RW");
    r.assert_stdout("it carries no log, no revocation and no");
    assert_eq!(env.read_string("bridge.txt"), EN_2);
    let tina = read_pub_file(&env.path("tina.pub")).expect("tina.pub");
    let v = minisign::verify(&tina.key, EN_2.as_bytes(), &env.read_string("bridge.txt.minisig")).expect("verifies");
    assert!(v.trusted_comment.starts_with("colophon release ponte@v2 of example.org/translations:"));
}

#[test]
fn only_the_release_signer_exports_and_a_refusal_writes_nothing() {
    let env = ledger();
    let before = env.snapshot();
    let r = env.fails(&["export", "minisig", "ponte@v1", "--key", "olga.key"], 2);
    r.assert_stderr("ponte@v1 was signed by Tina Rossi").assert_stderr("not by Olga Bianchi");
    r.assert_stderr("made with the key that signed it");
    env.fails(&["export", "minisig", "ponte@v7", "--key", "tina.key"], 2).assert_stderr("has no release tagged \"v7\"");
    env.fails(&["export", "minisig", "ponte:en@1", "--key", "tina.key"], 2).assert_stderr("not a release");
    assert_eq!(env.snapshot(), before, "a refused export writes no file");
}

/// Runs the `bagit` Python package's validator on DIR; None (after a visible skip) without it.
fn bagit_validate(env: &Env, dir: &str) -> Option<(bool, String)> {
    let o = Command::new("python3").args(["-m", "bagit", "--validate", dir]).current_dir(env.path(".")).output();
    match o {
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named bagit") => {
            skip("exports: bagit.py --validate on colophon's bags", "the bagit Python package is not installed");
            None
        }
        Ok(o) => Some((o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())),
        Err(e) => {
            skip("exports: bagit.py --validate on colophon's bags", &format!("python3 not runnable ({e})"));
            None
        }
    }
}

#[test]
fn a_bag_holds_the_ledger_and_every_text_and_validates_with_bagit() {
    let env = ledger();
    env.ok(&["checkpoint", "--key", "olga.key"]);
    let j = env.ok(&["--json", "export", "bagit", "bag"]).json();
    assert_eq!(j["entries"], 7);
    assert_eq!(j["texts"], 3);
    assert_eq!(j["checkpoint_size"], 7);
    // The payload: the ledger's exact bytes, the checkpoint, each version's exact text.
    assert_eq!(env.read("bag/data/ledger/colophon.jsonl"), env.read("colophon.jsonl"));
    assert_eq!(env.read("bag/data/ledger/checkpoint"), env.read("colophon.jsonl.checkpoint"));
    assert_eq!(env.read_string("bag/data/texts/ponte/it/1.txt"), IT);
    assert_eq!(env.read_string("bag/data/texts/ponte/en/1.txt"), EN_1);
    assert_eq!(env.read_string("bag/data/texts/ponte/en/2.txt"), EN_2);
    let tsv = env.read_string("bag/data/versions.tsv");
    let en2 = colophon::format::hash::Digest::of(EN_2.as_bytes()).to_hex();
    assert!(
        tsv.lines().any(|l| l.starts_with("ponte\ten\t2\ttranslation\t")
            && l.ends_with(&format!("\t{en2}\t{}\tdata/texts/ponte/en/2.txt", EN_2.len()))),
        "{tsv}"
    );
    let info = env.read_string("bag/bag-info.txt");
    assert!(info.contains("Colophon-Origin: example.org/translations\n"), "{info}");
    assert!(info.contains("Colophon-Checkpoint-Size: 7\n"), "{info}");
    let Some((valid, log)) = bagit_validate(&env, "bag") else { return };
    assert!(valid, "bagit --validate: {log}");
    // One byte of a text changed after bagging: the validator fails.
    env.write("bag/data/texts/ponte/en/1.txt", EN_1.replace("stone", "Stone"));
    let (valid, log) = bagit_validate(&env, "bag").expect("ran before");
    assert!(!valid, "an altered bag must not validate: {log}");
}

#[test]
fn a_bag_of_one_work_and_the_refusals() {
    let env = ledger();
    env.ok(&["export", "bagit", "one", "ponte"]).assert_stdout("Bagged one").assert_stdout("no kept checkpoint");
    assert!(!env.path("one/data/ledger/checkpoint").exists(), "no checkpoint was kept");
    env.fails(&["export", "bagit", "one"], 2).assert_stderr("exists and is not an empty directory");
    env.fails(&["export", "bagit", "two", "mare"], 2).assert_stderr("no work \"mare\" in the ledger");
    assert!(!env.path("two").exists(), "a refused bag leaves nothing");
    // A ledger whose audit fails is not bagged: a line appended with a broken signature.
    let mut line = env.lines().last().cloned().expect("a line");
    let at = line.len() - 10;
    line[at] = if line[at] == b'A' { b'B' } else { b'A' };
    env.append_raw(&line);
    env.fails(&["export", "bagit", "three"], 1).assert_stderr("the audit found");
    assert!(!env.path("three").exists(), "a refused bag leaves nothing");
}

/// Loads a PROV-JSON file with the `prov` Python package and prints, as JSON, every derivation
/// (generated, used, activity, asserted types) and every membership it reads; None (after a
/// visible skip) without the package.
fn prov_read(env: &Env, file: &str) -> Option<serde_json::Value> {
    const SCRIPT: &str = r#"
import json, sys
import prov
from prov.model import ProvDerivation, ProvMembership, ProvAttribution
d = prov.read(sys.argv[1], format='json')
def attrs(r):
    return {str(k): str(v) for k, v in r.formal_attributes if v is not None}
out = {
  "derivations": [dict(attrs(r), types=sorted(str(t) for t in r.get_asserted_types())) for r in d.get_records(ProvDerivation)],
  "members": [attrs(r) for r in d.get_records(ProvMembership)],
  "attributions": [dict(attrs(r), types=sorted(str(t) for t in r.get_asserted_types())) for r in d.get_records(ProvAttribution)],
  "provn": d.serialize(format='provn'),
}
print(json.dumps(out))
"#;
    let o = Command::new("python3").args(["-c", SCRIPT, file]).current_dir(env.path(".")).output();
    match o {
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'prov'") => {
            skip(
                "exports: reading colophon's PROV-JSON with the prov package",
                "the prov Python package is not installed",
            );
            None
        }
        Ok(o) => {
            assert!(o.status.success(), "prov could not read {file}: {}", String::from_utf8_lossy(&o.stderr));
            Some(serde_json::from_slice(&o.stdout).expect("the script prints JSON"))
        }
        Err(e) => {
            skip("exports: reading colophon's PROV-JSON with the prov package", &format!("python3 not runnable ({e})"));
            None
        }
    }
}

#[test]
fn the_provenance_graph_reads_in_prov_and_says_what_the_ledger_says() {
    let env = ledger();
    env.keygen("Edo Marini", "edo");
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["cosign", "ponte@v2", "--key", "edo.key"]);
    env.ok(&["export", "prov", "--work", "ponte", "-o", "ponte.prov.json"])
        .assert_stdout("Wrote ponte.prov.json (W3C PROV-JSON: 5 entities, 2 agents, 2 activities)");
    let hash = |r: &str| env.ok(&["--json", "show", r]).json()["entry"].as_str().expect("entry").to_string();
    let (it1, en1, en2) = (hash("ponte:it@1"), hash("ponte:en@1"), hash("ponte:en@2"));
    // The last release in the log is v2 (only Edo's cosign comes after it).
    let log = env.ok(&["--json", "log"]).json();
    let v2 = log["entries"]
        .as_array()
        .and_then(|es| es.iter().rev().find(|e| e["type"] == "release"))
        .and_then(|e| e["entry"].as_str())
        .expect("a release in the log")
        .to_string();
    let Some(g) = prov_read(&env, "ponte.prov.json") else { return };
    let derivations = g["derivations"].as_array().expect("derivations");
    let from = |generated: &str, used: &str| {
        derivations.iter().find(|d| {
            d["prov:generatedEntity"] == format!("entry:{generated}") && d["prov:usedEntity"] == format!("entry:{used}")
        })
    };
    // en@2 is a revision of en@1, and both render it@1 through a translate activity.
    assert_eq!(from(&en2, &en1).map(|d| d["types"].clone()), Some(serde_json::json!(["prov:Revision"])));
    for en in [&en1, &en2] {
        let d = from(en, &it1).unwrap_or_else(|| panic!("no derivation of {en} from {it1}: {g}"));
        assert_eq!(d["prov:activity"], format!("colophon:translate-{en}"));
    }
    assert_eq!(derivations.len(), 3, "two translations and one revision: {g}");
    // Release v2 is a collection of en@2 and it@1.
    let mut members: Vec<String> = g["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["prov:collection"] == format!("entry:{v2}"))
        .map(|m| m["prov:entity"].as_str().unwrap_or_default().to_string())
        .collect();
    members.sort();
    let mut want = vec![format!("entry:{en2}"), format!("entry:{it1}")];
    want.sort();
    assert_eq!(members, want, "{g}");
    // Edo's cosign is an attribution of the release typed colophon:Cosign.
    let edo = read_pub_file(&env.path("edo.pub")).expect("edo.pub").key.id();
    assert!(
        g["attributions"]
            .as_array()
            .expect("attributions")
            .iter()
            .any(|a| a["prov:agent"] == format!("key:{edo}") && a["types"] == serde_json::json!(["colophon:Cosign"])),
        "{g}"
    );
    assert!(g["provn"].as_str().unwrap_or_default().contains("prov:label=\"Tina Rossi\""), "{g}");
}

#[test]
fn prov_refuses_an_unknown_work_and_a_ledger_that_does_not_verify() {
    let env = ledger();
    env.fails(&["export", "prov", "--work", "mare"], 2).assert_stderr("no work \"mare\" in the ledger");
    let mut line = env.lines().last().cloned().expect("a line");
    let at = line.len() - 10;
    line[at] = if line[at] == b'A' { b'B' } else { b'A' };
    env.append_raw(&line);
    env.fails(&["export", "prov"], 1).assert_stderr("the audit found");
}

#[test]
fn a_clear_signed_copy_verifies_on_its_own_as_text_reformatted_or_in_a_page() {
    let env = ledger();
    let j = env.ok(&["--json", "export", "clearsign", "ponte@v2", "--key", "tina.key"]).json();
    assert_eq!(j["out"], "ponte-v2.en.txt");
    let line = j["line"].as_str().expect("line").to_string();
    assert!(line.starts_with("colophon-signature v1 example.org/translations ponte@v2 "), "{line}");
    assert_eq!(env.read_string("ponte-v2.en.txt"), format!("{EN_2}\n{line}\n"));
    // The reader has no ledger, no bundle: a fresh directory with the copy and Tina's key.
    let reader = Env::new();
    reader.write("tina.pub", env.read("tina.pub"));
    reader.write("olga.pub", env.read("olga.pub"));
    reader.write("copy.txt", env.read("ponte-v2.en.txt"));
    let r = reader.ok(&["verify", "copy.txt", "--trust", "tina.pub"]);
    r.assert_stdout("✓ verified: copy.txt matches release ponte@v2 of example.org/translations (clear-signed)");
    r.assert_stdout("match:    exact bytes").assert_stdout("signer:   Tina Rossi").assert_stdout("carries no log");
    let j = reader.ok(&["--json", "verify", "copy.txt", "--trust", "tina.pub"]).json();
    assert_eq!((j["status"].as_str(), j["clearsigned"]["level"].as_str()), (Some("copy.verified"), Some("exact")));
    // Reformatted, and inside a blog page with its chrome: word for word.
    reader.write("re.txt", format!("Ponte, in English\n\n{}\n\n{line}\n", EN_2.replace('\n', "\n\n")));
    reader.ok(&["verify", "re.txt", "--trust", "tina.pub"]).assert_stdout("word for word (words/v2)");
    let page = format!(
        "<!doctype html><html><head><title>Blog</title></head><body><nav>Home · About</nav>\
         <article><h1>The bridge</h1>{}<p>{line}</p></article><footer>© Tina</footer></body></html>",
        EN_2.lines().map(|l| format!("<p>{l}</p>")).collect::<String>()
    );
    reader.write("post.html", &page);
    reader.ok(&["verify", "post.html", "--trust", "tina.pub"]).assert_stdout("the page's text, word for word");
    // One word changed; the line altered; a key the reader does not trust; a line cut short.
    reader.write("bad.txt", format!("{}\n{line}\n", EN_2.replace("walked", "ran")));
    reader.fails(&["verify", "bad.txt", "--trust", "tina.pub"], 1).assert_stderr("(copy.mismatch)");
    reader.write("bad.txt", format!("{EN_2}\n{}\n", line.replace("ponte@v2", "ponte@v1")));
    reader
        .fails(&["verify", "bad.txt", "--trust", "tina.pub"], 1)
        .assert_stderr("the line was altered (clearsign.invalid)");
    reader
        .fails(&["verify", "copy.txt", "--trust", "olga.pub"], 1)
        .assert_stderr("which is not one of your trust roots")
        .assert_stderr("(trust.untrusted)");
    reader.write("bad.txt", format!("{EN_2}\n{}\n", &line[..line.len() - 5]));
    reader.fails(&["verify", "bad.txt", "--trust", "tina.pub"], 1).assert_stderr("(clearsign.invalid)");
    // A copy without a line still needs a source.
    reader.write("plain.txt", EN_2);
    reader.fails(&["verify", "plain.txt", "--trust", "tina.pub"], 2).assert_stderr("no ledger here to verify against");
    // Only the release's signer clear-signs it.
    env.fails(&["export", "clearsign", "ponte@v2", "--key", "olga.key"], 2)
        .assert_stderr("made with the key that signed it");
}

#[test]
fn fixity_checks_read_as_premis_by_an_archive_library() {
    let env = ledger();
    env.ok(&["export", "premis", "-o", "fixity.xml"]).assert_stdout("(PREMIS 3.0: 3 fixity checks, 3 passed)");
    const SCRIPT: &str = r#"
import json, sys
from lxml import etree
import metsrw.plugins.premisrw as p
t = etree.parse(sys.argv[1]).getroot()
ns = {"premis": "http://www.loc.gov/premis/v3"}
out = {"objects": {}, "events": [], "agents": []}
for o in t.findall("premis:object", ns):
    ob = p.PREMISObject.fromtree(o)
    out["objects"][ob.findtext("object_identifier/object_identifier_value")] = {
        "sha256": ob.findtext("object_characteristics/fixity/message_digest"),
        "size": ob.findtext("object_characteristics/size"),
        "name": ob.findtext("original_name"),
        "version": ob.premis_version}
for e in t.findall("premis:event", ns):
    ev = p.PREMISEvent.fromtree(e)
    out["events"].append({"type": ev.findtext("event_type"),
        "outcome": ev.findtext("event_outcome_information/event_outcome"),
        "object": ev.findtext("linking_object_identifier/linking_object_identifier_value"),
        "agent": ev.findtext("linking_agent_identifier/linking_agent_identifier_value")})
for a in t.findall("premis:agent", ns):
    out["agents"].append(p.PREMISAgent.fromtree(a).findtext("agent_name"))
print(json.dumps(out))
"#;
    let o = match Command::new("python3").args(["-c", SCRIPT, "fixity.xml"]).current_dir(env.path(".")).output() {
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'metsrw'") => {
            return skip(
                "exports: reading PREMIS with metsrw's premisrw",
                "the metsrw Python package is not installed",
            );
        }
        Ok(o) => o,
        Err(e) => {
            return skip("exports: reading PREMIS with metsrw's premisrw", &format!("python3 not runnable ({e})"));
        }
    };
    assert!(o.status.success(), "premisrw could not read it: {}", String::from_utf8_lossy(&o.stderr));
    let g: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let hash = |r: &str| env.ok(&["--json", "show", r]).json()["entry"].as_str().expect("entry").to_string();
    let en2 = hash("ponte:en@2");
    let obj = &g["objects"][&en2];
    assert_eq!(obj["sha256"], colophon::format::hash::Digest::of(EN_2.as_bytes()).to_hex());
    assert_eq!(obj["size"], EN_2.len().to_string());
    assert_eq!(obj["name"], "ponte:en@2");
    assert_eq!(obj["version"], "3.0");
    let events = g["events"].as_array().expect("events");
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e["type"] == "fixity check" && e["outcome"] == "pass"), "{g}");
    assert!(events.iter().any(|e| e["object"] == en2.as_str()), "{g}");
    assert_eq!(g["agents"], serde_json::json!(["colophon"]));
}
