//! WebAssembly bindings for colophon (`web/build` makes the packages, `web/test/vectors.mjs` runs
//! the spec vectors through them under Node).
//!
//! STAND-IN: the pure core is not split out of `colophon` yet, so every function here returns
//! `{"stub":true}` and the vector runner reports the vectors as not checked. Each function's doc
//! comment is the contract the runner expects from the real binding; web/README.md repeats it.

use wasm_bindgen::prelude::*;

/// What every stand-in returns; the vector runner recognises it and checks nothing.
fn stub() -> String {
    serde_json::json!({ "stub": true }).to_string()
}

/// Audits a whole ledger (spec/ledger.md §11) given as its exact bytes, with no keyring.
///
/// Contract: returns one JSON object shaped like the output of `colophon audit --json LEDGER`
/// (spec/cli-json.md, `audit`). The runner reads `problems` (array of `{code, line?, message}`
/// in the order of §11, `line` 1-based and absent for a problem of the whole file) and
/// `valid_entries` (number); `ok` when present must be `problems.length == 0`. Never throws: bytes
/// that are no ledger at all are problems like any other.
#[wasm_bindgen]
pub fn audit(ledger: &[u8]) -> String {
    let _ = ledger;
    stub()
}

/// Canonical JSON (spec/ledger.md §2.2) of a JSON text.
///
/// Contract: `{"ok":true,"output":"<canonical text>"}`, or `{"ok":false,"status":"<code>",
/// "message":"..."}` when the text cannot be serialized canonically (not JSON, a number outside
/// the format).
#[wasm_bindgen]
pub fn canonicalize(json: &str) -> String {
    let _ = json;
    stub()
}

/// The line checks of spec/ledger.md §2.3 and the envelope checks after them, on one ledger line
/// without its LF: what `entry::parse_line` does (`colophon::format::entry` since the layering;
/// `jcs_vectors` in tests/vectors.rs).
///
/// Contract: `{"ok":true}` when the line parses as an entry, else `{"ok":false,"status":"<code of
/// the first failing check>","message":"..."}`.
#[wasm_bindgen]
pub fn check_line(line: &[u8]) -> String {
    let _ = line;
    stub()
}

/// The version of these bindings (and, once it is linked in, of the core).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stand_ins_say_they_are_stubs() {
        for out in [super::audit(b""), super::canonicalize("{}"), super::check_line(b"{}")] {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v, serde_json::json!({ "stub": true }));
        }
        assert_eq!(super::version(), env!("CARGO_PKG_VERSION"));
    }
}
