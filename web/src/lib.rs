//! colophon's pure core in the browser (`web/build` makes the packages; `web/test/vectors.mjs`
//! runs the spec vectors through them under Node). Every function here is a thin call into the
//! same library the `colophon` command uses, built without its store (`default-features = false`),
//! so a verdict in a browser is the command's verdict by construction.
//!
//! Each function takes bytes or text and returns one JSON object as a string; none throws on bad
//! input (bad input is an answer like any other).

use colophon::format::{entry, jcs};
use colophon::log::{audit, trust::Keyring};
use colophon::verify::copy::{CopyFacts, Level};
use colophon::verify::{Source, VerifyOptions};
use serde_json::json;
use wasm_bindgen::prelude::*;

/// Audits a whole ledger (spec/ledger.md §11) given as its exact bytes, with no keyring: the
/// object `colophon audit --json` prints (spec/cli-json.md, `audit`), without `command` and
/// `ledger`.
#[wasm_bindgen]
pub fn audit(ledger: &[u8]) -> String {
    audit::audit(ledger, None).to_json().to_string()
}

/// Canonical JSON (spec/ledger.md §2.2) of a JSON text: `{"ok":true,"output":"…"}`, or
/// `{"ok":false,"status":"…","message":"…"}`.
#[wasm_bindgen]
pub fn canonicalize(json_text: &str) -> String {
    let value: serde_json::Value = match serde_json::from_str(json_text) {
        Ok(v) => v,
        Err(e) => return json!({"ok": false, "status": "line.not_json", "message": e.to_string()}).to_string(),
    };
    match jcs::to_vec(&value).map(String::from_utf8) {
        Ok(Ok(s)) => json!({"ok": true, "output": s}).to_string(),
        Ok(Err(e)) => json!({"ok": false, "status": "line.not_json", "message": e.to_string()}).to_string(),
        Err(e) => json!({"ok": false, "status": "line.number", "message": e.to_string()}).to_string(),
    }
}

/// The line checks of spec/ledger.md §2.3 and the entry's envelope and body checks (§6) on one
/// ledger line without its LF: `{"ok":true,"entry":"<hash>"}` or `{"ok":false,"status":"<code of
/// the first failing check>","message":"…"}`.
#[wasm_bindgen]
pub fn check_line(line: &[u8]) -> String {
    match entry::parse_line(line) {
        Ok(p) => json!({"ok": true, "entry": p.hash}).to_string(),
        Err((code, message)) => json!({"ok": false, "status": code.as_str(), "message": message}).to_string(),
    }
}

/// The verdict on a copy against a reader's bundle (spec/verify.md §2–§3), trusting the keys of
/// `keyring` (the text of a keyring or a `.pub` file, spec/ledger.md §10.1): the object
/// `colophon verify --json` prints, without `command` and `source` (`Verdict::to_json`); bad
/// input (an empty copy, a keyring that is not one) is `{"ok":false,"error":…}`. `profile` is a match level (`exact`, `text/v1`, `words/v2`)
/// or empty for the default.
#[wasm_bindgen]
pub fn verify_bundle(copy: &[u8], bundle: &[u8], keyring: &str, profile: &str) -> String {
    let roots = match Keyring::parse(std::path::Path::new("keyring"), keyring) {
        Ok(r) => r,
        Err(e) => return json!({"ok": false, "error": e.to_string()}).to_string(),
    };
    let mut opts = VerifyOptions::default();
    if !profile.is_empty() {
        match Level::from_id(profile) {
            Some(l) => opts.loosest = Some(l),
            None => {
                let e = format!("profile {profile:?}: use exact, text/v1 or words/v2");
                return json!({"ok": false, "error": e}).to_string();
            }
        }
    }
    let facts = CopyFacts::from_bytes(copy);
    match colophon::verify::verify(&facts, Source::Bundle { bytes: bundle }, &roots, &opts) {
        Ok(v) => v.to_json().to_string(),
        // Bad input, not a verdict (the command exits 2 with `error`).
        Err(p) => json!({"ok": false, "status": p.code.as_str(), "error": p.message}).to_string(),
    }
}

/// The text a verifier reads from a copy (spec/verify.md §2.7): `{"html":true,"text":"…"}` for a
/// web page (§2.7.1; its extracted text, §2.7.2), `{"html":false,"text":"…"}` for plain text, or
/// `{"ok":false,"error":…}` for bytes that are not UTF-8 or a page colophon does not read
/// (§2.7.2, limits).
#[wasm_bindgen]
pub fn extract_text(copy: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(copy) else {
        return json!({"ok": false, "error": "not UTF-8 text"}).to_string();
    };
    if colophon::format::html::looks_like_html(copy) {
        match colophon::format::html::extract_text(text) {
            Ok(text) => json!({"ok": true, "html": true, "text": text}).to_string(),
            Err(e) => json!({"ok": false, "html": true, "error": e.to_string()}).to_string(),
        }
    } else {
        json!({"ok": true, "html": false, "text": text}).to_string()
    }
}

/// The version of these bindings and of the core they carry.
#[wasm_bindgen]
pub fn version() -> String {
    format!("colophon-web {}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_empty_ledger_is_reported_and_lines_are_checked() {
        let v: serde_json::Value = serde_json::from_str(&super::audit(b"")).unwrap();
        assert_eq!(v["ok"], false);
        let v: serde_json::Value = serde_json::from_str(&super::check_line(b"[1]")).unwrap();
        assert_eq!(v["status"], "line.not_json");
    }
}
