//! Content facts of a version (spec/ledger.md §6.5): size, SHA-256, normalized hashes, and the
//! reconstruction of a version's bytes from the ledger's diff scripts (§8.5).

use crate::diff::Script;
use crate::entry::{Body, parse_line};
use crate::hash::Digest;
use crate::index::Index;
use crate::ledger::{LedgerError, read_line_at};
use crate::normalize::Profile;
use crate::status::Code;
use std::collections::BTreeMap;
use std::path::Path;

/// The largest text whose content colophon stores as a diff script (§8.6); larger files are
/// recorded by hash only, streamed.
pub const MAX_STORED_TEXT: u64 = 16 << 20;

/// The normalized hashes of a text under every profile this implementation knows (§9.3).
pub fn norm_hashes(text: &str) -> BTreeMap<String, Digest> {
    Profile::ALL.iter().map(|p| (p.id().to_string(), Digest::of(p.apply(text).as_bytes()))).collect()
}

/// A `version` body for a text stored with its diff from `base` (§6.5, §8): the usual case, for
/// tools and tests that build entries directly. Media type `text/plain; charset=utf-8`, no note.
pub fn text_version(
    work: &str,
    role: crate::entry::TextRole,
    lang: &str,
    base: &str,
    text: &str,
    parent: Option<Digest>,
    of: Option<Digest>,
) -> crate::entry::Version {
    crate::entry::Version {
        work: work.into(),
        role,
        lang: lang.into(),
        media_type: "text/plain; charset=utf-8".into(),
        size: text.len() as u64,
        sha256: Digest::of(text.as_bytes()),
        norm: Some(norm_hashes(text)),
        parent,
        of,
        diff: Some(Script::compute(base, text).to_json()),
        note: None,
    }
}

/// Checks reconstructed content against a version's signed facts (§11 step 8).
pub fn check_facts(
    text: &str,
    size: u64,
    sha256: &Digest,
    norm: Option<&BTreeMap<String, Digest>>,
) -> Result<(), (Code, String)> {
    if text.len() as u64 != size {
        return Err((
            Code::ContentSizeMismatch,
            format!("the diff script reproduces {} bytes, the entry signs {size}", text.len()),
        ));
    }
    let got = Digest::of(text.as_bytes());
    if &got != sha256 {
        return Err((
            Code::ContentHashMismatch,
            format!("the diff script reproduces content with sha256 {got}, the entry signs {sha256}"),
        ));
    }
    let Some(norm) = norm else {
        return Err((Code::ContentNormMismatch, "text content must carry `norm` hashes".into()));
    };
    for p in Profile::ALL {
        let Some(signed) = norm.get(p.id()) else {
            return Err((Code::ContentNormMismatch, format!("`norm` lacks the {} hash", p.id())));
        };
        let got = Digest::of(p.apply(text).as_bytes());
        if &got != signed {
            return Err((
                Code::ContentNormMismatch,
                format!("the {} hash of the content is {got}, the entry signs {signed}", p.id()),
            ));
        }
    }
    Ok(())
}

/// Why a version's content cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum ReconstructError {
    /// Reading the ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The version (or an ancestor) stores no diff: binary or hash-only.
    #[error("version {0} was recorded without its content (binary or --hash-only); only its hash is in the ledger")]
    NotStored(Digest),
    /// The scripts do not reproduce the signed hash: the ledger is damaged.
    #[error("{code}: version {hash}: {message}; run `colophon audit`")]
    Invalid {
        /// The version.
        hash: Digest,
        /// Status code.
        code: Code,
        /// What is wrong.
        message: String,
    },
    /// Not a version entry.
    #[error("{0} is not a version entry")]
    NotAVersion(Digest),
}

/// Rebuilds a version's exact bytes by applying the diff scripts from its first reconstructible
/// ancestor (§8.5), checking every intermediate result against its signed hash.
pub fn reconstruct(path: &Path, index: &Index, hash: &Digest) -> Result<String, ReconstructError> {
    // The persistent index keeps the latest text of each work and language; it is derived data,
    // so it is used only when it has exactly the signed size and hash.
    if let (Some(text), Some(v)) = (index.cached_text(hash), index.version(hash))
        && text.len() as u64 == v.size
        && Digest::of(text.as_bytes()) == v.sha256
    {
        return Ok(text);
    }
    reconstruct_with(index, hash, |h| {
        let loc = index.entry(h).ok_or(ReconstructError::NotAVersion(*h))?;
        Ok(read_line_at(path, loc.offset, loc.len)?)
    })
}

/// As [`reconstruct`], reading lines through `fetch` (a ledger file, or the lines of a bundle).
pub fn reconstruct_with(
    index: &Index,
    hash: &Digest,
    fetch: impl Fn(&Digest) -> Result<Vec<u8>, ReconstructError>,
) -> Result<String, ReconstructError> {
    // Walk back to the nearest ancestor whose base is "" (first version, or one whose parent has
    // no stored content), then replay forwards.
    let mut chain = Vec::new();
    let mut cur = Some(*hash);
    while let Some(h) = cur {
        let v = index.version(&h).ok_or(ReconstructError::NotAVersion(h))?;
        if !v.has_diff {
            if h == *hash {
                return Err(ReconstructError::NotStored(h));
            }
            break;
        }
        chain.push(h);
        cur = v.parent;
    }
    let mut text = String::new();
    for h in chain.iter().rev() {
        let line = fetch(h)?;
        if Digest::of(&line) != *h {
            return Err(ReconstructError::Invalid {
                hash: *h,
                code: Code::LedgerIo,
                message: "the line read does not have the expected hash (the ledger changed?)".into(),
            });
        }
        let invalid = |(code, message): (Code, String)| ReconstructError::Invalid { hash: *h, code, message };
        let p = parse_line(&line).map_err(invalid)?;
        let Body::Version(v) = p.entry.body else { return Err(ReconstructError::NotAVersion(*h)) };
        let Some(diff) = &v.diff else { return Err(ReconstructError::NotStored(*h)) };
        let script = Script::from_json(diff).map_err(|e| invalid((e.code, e.message)))?;
        text = script.apply(&text).map_err(|e| invalid((e.code, e.message)))?;
        check_facts(&text, v.size, &v.sha256, v.norm.as_ref()).map_err(invalid)?;
    }
    Ok(text)
}
