//! colophon's pure core in the browser (`web/build` makes the packages; `web/test/vectors.mjs`
//! runs the spec vectors through them under Node). Every function here is a thin call into the
//! same library the `colophon` command uses, built without its store (`default-features = false`),
//! so a verdict in a browser is the command's verdict by construction.
//!
//! Each function takes bytes or text and returns one JSON object as a string; none throws on bad
//! input (bad input is an answer like any other).

use colophon::format::{entry, jcs};
use colophon::log::{audit, trust::Keyring};
use colophon::verify::copy::{CopyFacts, CopyKind, Level};
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
/// input (an empty copy, a keyring that is not one) is `{"ok":false,"error":…}`. `profile` is a
/// match level (`exact`, `text/v1`, `words/v2`) or empty for the default; `copy_as` is `text`,
/// `html` or empty (by the copy's content).
#[wasm_bindgen]
pub fn verify_bundle(copy: &[u8], bundle: &[u8], keyring: &str, profile: &str, copy_as: &str) -> String {
    let (roots, opts) = match roots_and_options(keyring, profile, copy_as) {
        Ok(r) => r,
        Err(e) => return json!({"ok": false, "error": e}).to_string(),
    };
    let facts = CopyFacts::from_bytes(copy);
    match colophon::verify::verify(&facts, Source::Bundle { bytes: bundle }, &roots, &opts) {
        Ok(v) => v.to_json().to_string(),
        // Bad input, not a verdict (the command exits 2 with `error`).
        Err(p) => json!({"ok": false, "status": p.code.as_str(), "error": p.message}).to_string(),
    }
}

/// The files of a published log a browser must fetch to verify against it (spec/transparency.md
/// §7), given its `checkpoint` file: `{"ok":true,"size":N,"paths":["tile/colophon-entries/000",
/// "tile/0/000", …]}` (every entry bundle and every hash tile of the tree), or
/// `{"ok":false,"error":…}`. The checkpoint is only parsed here: `verify_tiles` checks it.
#[wasm_bindgen]
pub fn tile_paths(checkpoint: &[u8]) -> String {
    let parsed = colophon::log::note::Note::parse(checkpoint)
        .map_err(|e| e.to_string())
        .and_then(|n| colophon::log::checkpoint::Checkpoint::parse(&n.text).map_err(|e| e.to_string()));
    let cp = match parsed {
        Ok(cp) => cp,
        Err(e) => return json!({"ok": false, "error": format!("checkpoint: {e}")}).to_string(),
    };
    let width = colophon::log::tiles::TILE_WIDTH;
    let mut paths: Vec<String> = (0..cp.size.div_ceil(width))
        .map(|n| {
            let w = (cp.size - n * width).min(width) as u32;
            colophon::log::tiles::colophon_entries_path(&colophon::log::merkle::Tile { level: 0, n, width: w })
        })
        .collect();
    paths.extend(colophon::log::merkle::tiles_for_size(cp.size).iter().map(|t| t.path()));
    json!({"ok": true, "size": cp.size, "paths": paths}).to_string()
}

/// A published log's files held in memory: what the page fetched.
struct FetchedFiles(std::collections::HashMap<String, Vec<u8>>);

impl colophon::log::tiles::TileFetch for FetchedFiles {
    fn fetch(&self, path: &str) -> colophon::log::tiles::Fetched {
        Ok(self.0.get(path).cloned())
    }
    fn describe(&self, path: &str) -> String {
        path.to_string()
    }
}

/// The verdict on a copy against a published log (spec/verify.md §2, spec/transparency.md §7.3):
/// the object `colophon verify --json --tiles …` prints, without `command` and `source`. The page
/// fetched the log's files: `names` is a JSON array of `[path, length]` pairs, in the order their
/// bytes are concatenated in `blob` (the `checkpoint` first, then what `tile_paths` named). Every
/// line is checked against the tiles and the tiles against the checkpoint, whose signature the
/// verdict checks against `keyring`, as the command does. Bad input is `{"ok":false,"error":…}`.
#[wasm_bindgen]
pub fn verify_tiles(copy: &[u8], names: &str, blob: &[u8], keyring: &str, profile: &str, copy_as: &str) -> String {
    let fail = |status: &str, e: String| json!({"ok": false, "status": status, "error": e}).to_string();
    let (roots, opts) = match roots_and_options(keyring, profile, copy_as) {
        Ok(r) => r,
        Err(e) => return json!({"ok": false, "error": e}).to_string(),
    };
    let list: Vec<(String, usize)> = match serde_json::from_str(names) {
        Ok(l) => l,
        Err(e) => return json!({"ok": false, "error": format!("names: {e}")}).to_string(),
    };
    let mut files = std::collections::HashMap::new();
    let mut at = 0usize;
    for (path, len) in list {
        let Some(bytes) = at.checked_add(len).and_then(|end| blob.get(at..end)) else {
            return json!({"ok": false, "error": format!("{path}: the blob ends early")}).to_string();
        };
        files.insert(path, bytes.to_vec());
        at += len;
    }
    let source = match colophon::log::tiles::TilesSource::open(Box::new(FetchedFiles(files))) {
        Ok(s) => s,
        Err(e) => return json!({"ok": false, "error": e}).to_string(),
    };
    let mut ledger = Vec::new();
    if let Err(e) = source.write_ledger(&mut ledger) {
        return fail("proof.inclusion", e);
    }
    let index = match audit::state_of(&ledger) {
        Ok(i) => i,
        Err((line, code, m)) => return fail(code.as_str(), format!("the published log, line {line}: {m}")),
    };
    let facts = CopyFacts::from_bytes(copy);
    let src = Source::Tiles { index: &index, lines: &ledger, checkpoint: &source.checkpoint };
    match colophon::verify::verify(&facts, src, &roots, &opts) {
        Ok(v) => v.to_json().to_string(),
        Err(p) => fail(p.code.as_str(), p.message),
    }
}

/// The trust roots and options every verify binding takes: `profile` as `--profile` (empty: the
/// default), `copy_as` as `--as` (`text`, `html`; empty: by the copy's content, spec/verify.md
/// §2.7.1).
fn roots_and_options(keyring: &str, profile: &str, copy_as: &str) -> Result<(Keyring, VerifyOptions), String> {
    let roots = Keyring::parse(std::path::Path::new("keyring"), keyring).map_err(|e| e.to_string())?;
    let mut opts = VerifyOptions::default();
    opts.copy_as = match copy_as {
        "" | "auto" => None,
        "text" => Some(CopyKind::Text),
        "html" => Some(CopyKind::Html),
        other => return Err(format!("read the copy as {other:?}: use text, html or leave it empty")),
    };
    if !profile.is_empty() {
        opts.loosest = Some(
            Level::from_id(profile).ok_or_else(|| format!("profile {profile:?}: use exact, text/v1 or words/v2"))?,
        );
    }
    Ok((roots, opts))
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
