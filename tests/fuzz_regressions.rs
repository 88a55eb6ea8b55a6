//! Inputs from fuzzing (`fuzz/`), replayed in `cargo test` on the stable toolchain.
//!
//! Every crash a fuzz target finds is added here as inline bytes, with the fixed behaviour
//! asserted. The committed seed corpora (`fuzz/seeds/<target>/`) are replayed through the targets'
//! own checks: `fuzz/invariants.rs`, the one place each target's invariants are written, which the
//! targets include as this file does. So the invariants are tested on every run, not only when
//! someone fuzzes, and the targets and this replay cannot drift apart.

#[path = "../fuzz/invariants.rs"]
mod invariants;

use invariants::{bundle, diff_apply, html, keyring, ledger_line, ledger_signed, normalize, note_checkpoint};
use std::path::{Path, PathBuf};

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("directory entry").path();
            let bytes = std::fs::read(&path).expect("seed file");
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn seeds_ledger_line() {
    let seeds = seeds("ledger_line");
    let parsed = seeds.iter().filter(|(_, d)| ledger_line(d)).count();
    assert!(parsed >= 8, "only {parsed} seed lines parse");
}

#[test]
fn seeds_bundle() {
    for (path, data) in seeds("bundle") {
        assert!(bundle(&data), "{} does not open", path.display());
    }
}

#[test]
fn seeds_note_checkpoint() {
    for (path, data) in seeds("note_checkpoint") {
        assert!(note_checkpoint(&data), "{} does not parse as anything", path.display());
    }
}

#[test]
fn seeds_keyring() {
    let seeds = seeds("keyring");
    let parsed = seeds.iter().filter(|(_, d)| keyring(d)).count();
    assert!(parsed >= 6, "only {parsed} keyring seeds parse");
}

#[test]
fn seeds_diff_apply() {
    let seeds = seeds("diff_apply");
    let applied = seeds.iter().filter(|(_, d)| diff_apply(d)).count();
    assert!(applied >= 10, "only {applied} diff seeds apply");
}

#[test]
fn seeds_normalize() {
    for (_, data) in seeds("normalize") {
        normalize(&data);
    }
}

#[test]
fn seeds_html() {
    let seeds = seeds("html");
    let extracted = seeds.iter().filter(|(_, d)| html(d)).count();
    assert!(extracted >= 10, "only {extracted} html seeds extract");
    assert!(extracted < seeds.len(), "the seeds include a page nested too deep");
}

#[test]
fn seeds_ledger_signed() {
    let mut unchanged = 0;
    for (path, data) in seeds("ledger_signed") {
        let (report, same) = ledger_signed(&data);
        let valid = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("valid-"));
        // Re-signing a ledger signed by the vector keys changes nothing (Ed25519 is deterministic),
        // so the verdict is the vector's own. (A few invalid vectors use other keys or bad chains.)
        if same {
            unchanged += 1;
            assert_eq!(report.is_clean(), valid, "{}: {:?}", path.display(), report.problems.first());
        } else {
            assert!(!valid, "{} changed when re-signed", path.display());
        }
    }
    assert!(unchanged >= 28, "only {unchanged} vector ledgers re-sign unchanged");
}
