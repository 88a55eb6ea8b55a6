//! Content facts of a version (spec/ledger.md §6.5): size, SHA-256, normalized hashes, and the
//! reconstruction of a version's bytes from the ledger's diff scripts (§8.5).

use crate::format::diff::Script;
use crate::format::entry::{Body, parse_line};
use crate::format::hash::Digest;
use crate::format::normalize::{Profile, TEXT_V1, WORDS_V1, WORDS_V2};
use crate::format::status::Code;
use crate::log::index::Index;
use crate::log::lines::LineAt;
use std::collections::BTreeMap;

/// The largest text whose content colophon stores as a diff script (§8.6); larger files are
/// recorded by hash only, streamed.
pub const MAX_STORED_TEXT: u64 = 16 << 20;

/// The normalized hashes a new `version` entry records: `text/v1` and `words/v2` (§9.3).
pub fn norm_hashes(text: &str) -> BTreeMap<String, Digest> {
    Profile::RECORDED.iter().map(|p| (p.id().to_string(), Digest::of(p.apply(text).as_bytes()))).collect()
}

/// A `version` body for a text stored with its diff from `base` (§6.5, §8): the usual case, for
/// tools and tests that build entries directly. Media type `text/plain; charset=utf-8`, no note.
pub fn text_version(
    work: &str,
    role: crate::format::entry::TextRole,
    lang: &str,
    base: &str,
    text: &str,
    parent: Option<Digest>,
    of: Option<Digest>,
) -> crate::format::entry::Version {
    crate::format::entry::Version {
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
        diff_sha256: None,
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
    // §9.3: `text/v1`, and `words/v2` or (in entries written before words/v2) `words/v1`.
    if !norm.contains_key(TEXT_V1) {
        return Err((Code::ContentNormMismatch, format!("`norm` lacks the {TEXT_V1} hash")));
    }
    if !norm.contains_key(WORDS_V2) && !norm.contains_key(WORDS_V1) {
        return Err((Code::ContentNormMismatch, format!("`norm` has neither a {WORDS_V2} nor a {WORDS_V1} hash")));
    }
    // Every member with a known id is checked, the retired words/v1 included; unknown ids are
    // ignored (§9.3).
    for (id, signed) in norm {
        let Some(p) = Profile::from_id(id) else { continue };
        let got = Digest::of(p.apply(text).as_bytes());
        if &got != signed {
            return Err((
                Code::ContentNormMismatch,
                format!("the {id} hash of the content is {got}, the entry signs {signed}"),
            ));
        }
    }
    Ok(())
}

/// Why a version's content cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum ReconstructError {
    /// Reading the ledger failed.
    #[error("{0}")]
    Read(String),
    /// The version (or an ancestor) stores no diff: binary or hash-only.
    #[error("version {0} was recorded without its content (binary or --hash-only); only its hash is in the ledger")]
    NotStored(Digest),
    /// The version's line, or an ancestor's, is in committed form (§3.4): its text exists but is
    /// not here, so neither it nor any later text of the chain can be rebuilt.
    #[error("the text of version {0} is withheld (its line carries only the hash of its script)")]
    Withheld(Digest),
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

/// Reads a version's line from the ledger and returns its signed body and seq (spec/verify.md
/// §2.3): the index only says where the line is; the line must hash to `hash`, and every fact comes
/// from it, never from the index.
pub fn signed_version(
    lines: &dyn LineAt,
    index: &Index,
    hash: &Digest,
) -> Result<(crate::format::entry::Version, u64), ReconstructError> {
    let loc = index.entry(hash).ok_or(ReconstructError::NotAVersion(*hash))?;
    let line = lines.line_at(loc.offset, loc.len).map_err(ReconstructError::Read)?;
    parse_version(hash, &line)
}

fn parse_version(hash: &Digest, line: &[u8]) -> Result<(crate::format::entry::Version, u64), ReconstructError> {
    if crate::format::hash::entry_hash(line) != *hash {
        return Err(ReconstructError::Invalid {
            hash: *hash,
            code: Code::LedgerIo,
            message:
                "the line at this entry's place does not have its hash (the ledger changed, or the index is wrong)"
                    .into(),
        });
    }
    let p = parse_line(line).map_err(|(code, message)| ReconstructError::Invalid { hash: *hash, code, message })?;
    let seq = p.entry.seq;
    match p.entry.body {
        Body::Version(v) => Ok((*v, seq)),
        _ => Err(ReconstructError::NotAVersion(*hash)),
    }
}

/// Rebuilds a version's exact bytes by applying the diff scripts from its first reconstructible
/// ancestor (§8.5), checking every intermediate result against its signed hash. The text the
/// index keeps for the latest version is used only when it has exactly the facts the version's
/// signed line states.
pub fn reconstruct(lines: &dyn LineAt, index: &Index, hash: &Digest) -> Result<String, ReconstructError> {
    if let Some(text) = index.cached_text(hash) {
        let (v, _) = signed_version(lines, index, hash)?;
        if v.diff.is_some() && check_facts(&text, v.size, &v.sha256, v.norm.as_ref()).is_ok() {
            return Ok(text);
        }
    }
    reconstruct_with(hash, |h| {
        let loc = index.entry(h).ok_or(ReconstructError::NotAVersion(*h))?;
        lines.line_at(loc.offset, loc.len).map_err(ReconstructError::Read)
    })
}

/// Rebuilds many versions, one after another, as [`reconstruct`] does each: when a version's
/// parent is the version rebuilt just before it, its script is applied to that text instead of
/// replaying the chain from its first version. A work's versions in order then cost one pass over
/// their texts, where rebuilding each from scratch costs versions × versions (1,000 versions of a
/// 100 KB text: half a million script applications). Exports walk every version this way.
pub struct Replay<'a> {
    lines: &'a dyn LineAt,
    index: &'a Index,
    last: Option<(Digest, String)>,
}

impl<'a> Replay<'a> {
    /// Nothing rebuilt yet.
    pub fn new(lines: &'a dyn LineAt, index: &'a Index) -> Replay<'a> {
        Replay { lines, index, last: None }
    }

    /// The text of version `hash`, with the outcome [`reconstruct`] gives.
    pub fn text(&mut self, hash: &Digest) -> Result<String, ReconstructError> {
        let next = match self.last.take() {
            Some((last, base)) => {
                let (v, _) = signed_version(self.lines, self.index, hash)?;
                match &v.diff {
                    // §8.5: the script is against the parent's text, which is `base`.
                    Some(diff) if v.parent == Some(last) => {
                        let invalid =
                            |(code, message): (Code, String)| ReconstructError::Invalid { hash: *hash, code, message };
                        Script::from_json(diff)
                            .and_then(|s| s.apply(&base))
                            .map_err(|e| invalid((e.code, e.message)))
                            .and_then(|t| {
                                check_facts(&t, v.size, &v.sha256, v.norm.as_ref()).map_err(invalid).map(|()| t)
                            })
                    }
                    _ => reconstruct(self.lines, self.index, hash),
                }
            }
            None => reconstruct(self.lines, self.index, hash),
        };
        debug_assert_eq!(
            next.as_ref().map_err(ToString::to_string),
            reconstruct(self.lines, self.index, hash).as_ref().map_err(ToString::to_string)
        );
        if let Ok(t) = &next {
            self.last = Some((*hash, t.clone()));
        }
        next
    }
}

/// The base of a new version's script (§8.5): the reconstructed content of `parent`, or `""`
/// when there is no parent or its content cannot be reconstructed (no diff, or a script that
/// does not reproduce its signed hash, §11 step 10).
pub fn base_text(lines: &dyn LineAt, index: &Index, parent: Option<&Digest>) -> Result<String, ReconstructError> {
    let Some(parent) = parent else { return Ok(String::new()) };
    match reconstruct(lines, index, parent) {
        Ok(t) => Ok(t),
        Err(ReconstructError::NotStored(_)) => Ok(String::new()),
        Err(ReconstructError::Invalid { code, .. }) if code != Code::LedgerIo => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// As [`reconstruct`], reading lines through `fetch` (a ledger file, or the lines of a bundle).
/// Every line fetched must hash to the entry it was fetched for; the chain is followed by the
/// signed `parent` members, so nothing but signed lines decides the text.
pub fn reconstruct_with(
    hash: &Digest,
    fetch: impl Fn(&Digest) -> Result<Vec<u8>, ReconstructError>,
) -> Result<String, ReconstructError> {
    // Walk back to the nearest ancestor whose base is "" (first version, or one whose parent has
    // no stored content), then replay forwards.
    let mut chain = Vec::new();
    let mut cur = Some(*hash);
    while let Some(h) = cur {
        let (v, _) = parse_version(&h, &fetch(&h)?)?;
        // §8.5: a withheld text is not "no text": the base of its child is unknown, not "".
        if v.withheld() {
            return Err(ReconstructError::Withheld(h));
        }
        if v.diff.is_none() {
            if h == *hash {
                return Err(ReconstructError::NotStored(h));
            }
            break;
        }
        cur = v.parent;
        chain.push((h, v));
    }
    let mut text = String::new();
    for (h, v) in chain.iter().rev() {
        let invalid = |(code, message): (Code, String)| ReconstructError::Invalid { hash: *h, code, message };
        let Some(diff) = &v.diff else { return Err(ReconstructError::NotStored(*h)) };
        let script = Script::from_json(diff).map_err(|e| invalid((e.code, e.message)))?;
        text = script.apply(&text).map_err(|e| invalid((e.code, e.message)))?;
        check_facts(&text, v.size, &v.sha256, v.norm.as_ref()).map_err(invalid)?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::entry::{Entry, TextRole};
    use crate::format::hash::{committed_form, entry_hash};
    use crate::format::keys::SecretKey;

    /// Two versions of one text, as ledger lines: the second's script is against the first.
    fn two_versions() -> (Vec<u8>, Vec<u8>) {
        let k = SecretKey::from_seed(&[7; 32], "T");
        let sign = |seq, v| {
            Entry::sign(seq, None, "2026-01-01T00:00:00Z".into(), Body::Version(Box::new(v)), &k)
                .and_then(|e| e.to_line())
                .unwrap_or_default()
        };
        let first = sign(0, text_version("w", TextRole::Original, "it", "", "a\nb\n", None, None));
        let h = entry_hash(&first);
        let second = sign(1, text_version("w", TextRole::Original, "it", "a\nb\n", "a\nc\n", Some(h), None));
        (first, second)
    }

    #[test]
    fn a_withheld_ancestor_is_not_an_empty_base() {
        let (first, second) = two_versions();
        let (h1, h2) = (entry_hash(&first), entry_hash(&second));
        let lines = |withhold: bool| {
            let first = if withhold { committed_form(&first).into_owned() } else { first.clone() };
            let second = second.clone();
            move |h: &Digest| -> Result<Vec<u8>, ReconstructError> {
                if *h == h1 {
                    Ok(first.clone())
                } else if *h == h2 {
                    Ok(second.clone())
                } else {
                    Err(ReconstructError::NotAVersion(*h))
                }
            }
        };
        assert_eq!(reconstruct_with(&h2, lines(false)).ok().as_deref(), Some("a\nc\n"));
        // §8.5: the parent's text exists but is not here: its child cannot be rebuilt either, and
        // is never rebuilt against "" (which would fail its hash, or worse, pass with another base).
        assert!(matches!(reconstruct_with(&h2, lines(true)), Err(ReconstructError::Withheld(h)) if h == h1));
        assert!(matches!(reconstruct_with(&h1, lines(true)), Err(ReconstructError::Withheld(h)) if h == h1));
    }
}
