//! Exports of a ledger into formats other tools read (spec/exports.md).

use crate::format::entry::{Body, parse_line};
use crate::format::hash::Digest;
use crate::format::keys::SecretKey;
use crate::format::{minisign, signing};
use crate::log::lines::LineAt;
use crate::store::ledger::{self, LedgerFile};
use std::path::Path;

/// A release's translation with its minisign signature (spec/exports.md §1).
#[derive(Debug)]
pub struct Minisig {
    /// The release's entry hash.
    pub release: Digest,
    /// `WORK@TAG`.
    pub release_label: String,
    /// The translation's language.
    pub lang: String,
    /// Its media type.
    pub media_type: String,
    /// The translation's exact bytes, checked against its signed hash.
    pub text: String,
    /// Their SHA-256 (signed in the translation's version entry).
    pub sha256: Digest,
    /// The `.minisig` file.
    pub minisig: String,
    /// The comment it signs.
    pub trusted_comment: String,
}

/// Signs the translation of release `release_ref` as minisign does, with `key`, which MUST be the
/// key that signed the release (spec/exports.md §1): the minisig then says nothing its signer did
/// not already sign in the ledger. Everything comes from signed lines: the release line, found
/// through the index, must hash to the release's entry hash and verify under `key`; the text is
/// rebuilt from the diff scripts and checked against the hash signed in the translation's line,
/// which the release line names by entry hash.
pub fn minisig(path: &Path, release_ref: &str, key: &SecretKey) -> Result<Minisig, String> {
    let snap = ledger::load(path).map_err(|e| e.to_string())?;
    let index = &snap.index;
    let h = crate::verify::refs::resolve(index, release_ref)?;
    if index.release(&h).is_none() {
        let what = index.kind(&h).unwrap_or_else(|| "unknown".into());
        return Err(format!("{release_ref} is a {what} entry, not a release; give WORK@TAG"));
    }
    let file = LedgerFile(path);
    let loc = index.entry(&h).ok_or_else(|| format!("{release_ref}: not in the ledger"))?;
    let line = file.line_at(loc.offset, loc.len)?;
    if crate::format::hash::entry_hash(&line) != h {
        return Err(format!("{release_ref}: the ledger changed while it was read; try again"));
    }
    let p = parse_line(&line).map_err(|(c, m)| format!("{release_ref}: {c}: {m}"))?;
    let Body::Release(rel) = &p.entry.body else {
        return Err(format!("{release_ref} is not a release"));
    };
    if p.entry.signer != key.id() {
        let who = index.key(&p.entry.signer).map_or_else(|| p.entry.signer.to_string(), |k| k.name.clone());
        return Err(format!(
            "{}@{} was signed by {who} ({}), not by {} ({}); a minisign signature of a release is made \
             with the key that signed it (spec/exports.md §1): give --key with that key",
            rel.work,
            rel.tag,
            p.entry.signer,
            key.name,
            key.id()
        ));
    }
    if !signing::verify_entry(&key.public().0, &p.signed_bytes, &p.entry.sig) {
        return Err(format!("{release_ref}: the release line's signature does not verify; run `colophon audit`"));
    }
    let text = crate::log::content::reconstruct(&file, index, &rel.translation)
        .map_err(|e| format!("the translation of {release_ref}: {e}"))?;
    // The media type from the translation's own signed line (the index is only a cache).
    let tloc = index.entry(&rel.translation).ok_or("the release's translation is not in the ledger")?;
    let tline = file.line_at(tloc.offset, tloc.len)?;
    let media_type = match parse_line(&tline) {
        Ok(t) if t.hash == rel.translation => match t.entry.body {
            Body::Version(v) => v.media_type,
            _ => return Err("the release's translation is not a version entry".into()),
        },
        _ => return Err(format!("{release_ref}: the ledger changed while it was read; try again")),
    };
    let sha256 = Digest::of(text.as_bytes());
    let release_label = format!("{}@{}", rel.work, rel.tag);
    let origin = index.origin().unwrap_or_default();
    let trusted_comment = format!(
        "colophon release {release_label} of {origin}: translation ({}) sha256 {} of the original ({}); release entry {h}; signer {}",
        rel.lang.translation,
        sha256.to_hex(),
        rel.lang.original,
        key.id()
    );
    let untrusted = format!("colophon release {release_label} ({}), signed by {}", rel.lang.translation, key.name);
    let minisig = minisign::sign(key, text.as_bytes(), &untrusted, &trusted_comment);
    let trusted_comment = minisign::one_line(&trusted_comment);
    Ok(Minisig {
        release: h,
        release_label,
        lang: rel.lang.translation.clone(),
        media_type,
        text,
        sha256,
        minisig,
        trusted_comment,
    })
}
