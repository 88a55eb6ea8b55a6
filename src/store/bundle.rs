//! Bundles made from a ledger file (spec/verify.md §3.2): the entries a reader needs, with the
//! checkpoint kept beside the ledger and an inclusion proof for each when it covers them.

use crate::format::hash::Digest;
use crate::log::index::Index;
use crate::store::ledger::{self, LedgerError, LedgerFile};
use crate::verify::bundle::{BundleFile, Carry, build_carrying};
use std::path::Path;

/// Collects a bundle for `release` from a ledger (§3.2), with inclusion proofs in `checkpoint`
/// (a signed note) when one is given that covers every entry (spec/transparency.md §6), carrying
/// the released translation's text and what `carry` asks besides.
pub fn build(path: &Path, index: &Index, release: &Digest, carry: Carry) -> Result<BundleFile, String> {
    // The checkpoint kept beside the ledger, if it covers the release (its entries come before it).
    let seq = index.entry(release).map_or(u64::MAX, |l| l.seq);
    let kept = crate::store::transparency::kept_checkpoint(path, index, seq.saturating_add(1));
    build_carrying(&LedgerFile(path), index, release, kept.as_deref(), carry)
}

/// Builds a bundle straight from a ledger file. Also returns the ledger's number of entries, so a
/// caller can say when the bundle's checkpoint is older than the ledger.
pub fn build_from_ledger(path: &Path, release_ref: &str, carry: Carry) -> Result<(BundleFile, u64), String> {
    let snap = ledger::load(path).map_err(|e: LedgerError| e.to_string())?;
    let release = crate::verify::refs::resolve(&snap.index, release_ref)?;
    if snap.index.release(&release).is_none() {
        let what = snap.index.kind(&release).unwrap_or_else(|| "unknown".into());
        return Err(format!(
            "{release_ref} is a {what} entry, not a release; a bundle is made for a release, e.g. WORK@TAG"
        ));
    }
    Ok((build(path, &snap.index, &release, carry)?, snap.index.len()))
}
