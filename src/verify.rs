//! Verifying a copy of a text (spec/verify.md §2): does it match a signed, released version —
//! exactly or under a normalization profile — signed by a key the reader trusts? And if not,
//! which signed version is closest, and what differs?

use crate::content::{ReconstructError, reconstruct_with};
use crate::diff::{Chunk, WordStats, word_diff, word_stats};
use crate::entry::{RevokeReason, TextRole, parse_line};
use crate::hash::Digest;
use crate::index::{Index, ReleaseInfo, VersionInfo};
use crate::keys::KeyId;
use crate::ledger::read_line_at;
use crate::normalize::Profile;
use crate::ops::Content;
use crate::signing;
use crate::status::Code;
use crate::trust::{Decision, Keyring, decide};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How closely a copy matches (§2.1), strictest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// Byte-identical.
    #[serde(rename = "exact")]
    Exact,
    /// Equal after `text/v1`.
    #[serde(rename = "text/v1")]
    Text,
    /// Equal after `words/v1`.
    #[serde(rename = "words/v1")]
    Words,
}

impl Level {
    /// The name users type and see.
    pub fn id(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Text => "text/v1",
            Level::Words => "words/v1",
        }
    }

    /// Parses a `--profile` value.
    pub fn from_id(s: &str) -> Option<Level> {
        match s {
            "exact" => Some(Level::Exact),
            "text/v1" => Some(Level::Text),
            "words/v1" => Some(Level::Words),
            _ => None,
        }
    }

    /// A phrase for the success line.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Exact => "exact bytes",
            Level::Text => "text/v1 normalization (line endings, Unicode composition, trailing blanks differ)",
            Level::Words => "words/v1 normalization (same words; typography, layout or invisible characters differ)",
        }
    }

    fn profile(self) -> Option<Profile> {
        match self {
            Level::Exact => None,
            Level::Text => Some(Profile::TextV1),
            Level::Words => Some(Profile::WordsV1),
        }
    }
}

/// Where entry lines come from: a ledger file, or the lines of an opened bundle.
#[derive(Clone, Copy, Debug)]
pub enum Store<'a> {
    /// A ledger file whose entries the index locates.
    Ledger(&'a Path),
    /// Lines of a verified bundle, by entry hash.
    Bundle(&'a BTreeMap<Digest, Vec<u8>>),
}

impl Store<'_> {
    fn line(&self, index: &Index, h: &Digest) -> Result<Vec<u8>, String> {
        match self {
            Store::Ledger(path) => {
                let loc = index.entry(h).ok_or_else(|| format!("entry {} not found", h.short(16)))?;
                read_line_at(path, loc.offset, loc.len).map_err(|e| e.to_string())
            }
            Store::Bundle(lines) => {
                lines.get(h).cloned().ok_or_else(|| format!("entry {} not in the bundle", h.short(16)))
            }
        }
    }

    fn text(&self, index: &Index, h: &Digest) -> Result<String, ReconstructError> {
        reconstruct_with(h, |x| {
            self.line(index, x).map_err(|m| ReconstructError::Invalid { hash: *x, code: Code::LedgerIo, message: m })
        })
    }
}

/// A signer as reported (§2.4).
#[derive(Clone, Debug, Serialize)]
pub struct Signer {
    /// Key id.
    pub key_id: KeyId,
    /// Name registered for the key.
    pub name: String,
    /// Whether the key chains to a trust root at the entry's position.
    pub trusted: bool,
    /// The root reached, when trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_root: Option<KeyId>,
    /// Name of the root, when trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_root_name: Option<String>,
    /// Why not, when untrusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untrusted_reason: Option<String>,
    /// A later revocation of the key, if any: (entry seq, reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_later: Option<(u64, RevokeReason)>,
}

/// A version as reported.
#[derive(Clone, Debug, Serialize)]
pub struct VersionView {
    /// Entry hash.
    pub entry: Digest,
    /// `WORK:LANG@N`.
    pub r#ref: String,
    /// Work id.
    pub work: String,
    /// Language.
    pub lang: String,
    /// Original or translation.
    pub role: TextRole,
    /// 1-based number.
    pub number: u64,
    /// Claimed time.
    pub time: String,
    /// Who recorded it.
    pub signer: Signer,
}

/// A release as reported.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseView {
    /// Entry hash.
    pub entry: Digest,
    /// `WORK@TAG`.
    pub r#ref: String,
    /// Tag.
    pub tag: String,
    /// Claimed time.
    pub time: String,
    /// Who signed it.
    pub signer: Signer,
    /// Who cosigned it.
    pub cosigners: Vec<Signer>,
    /// The translation version.
    pub translation: VersionView,
    /// The original version it renders.
    pub original: VersionView,
    /// Where it is published.
    pub urls: Vec<String>,
}

/// The nearest signed version to a copy that matched nothing (§2.5).
#[derive(Clone, Debug, Serialize)]
pub struct Closest {
    /// The version.
    pub version: VersionView,
    /// Releases it belongs to (`WORK@TAG`).
    pub releases: Vec<String>,
    /// Share of words in common, in percent (0-100).
    pub similarity_percent: u32,
    /// Words added/removed going from the signed text to the copy.
    pub words: WordStats,
    /// Word diff from the signed text (after `text/v1`) to the copy (after `text/v1`).
    pub diff: Vec<Chunk>,
}

/// The outcome of verifying a copy.
#[derive(Clone, Debug, Serialize)]
pub struct CopyReport {
    /// `copy.verified` on success; otherwise why not.
    pub status: Code,
    /// One-line explanation.
    pub message: String,
    /// The match level, when the copy matched a signed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Copy size and SHA-256.
    pub copy_size: u64,
    /// SHA-256 of the copy's bytes.
    pub copy_sha256: Digest,
    /// The version matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionView>,
    /// The release it belongs to (the latest, if several).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseView>,
    /// Other releases holding the same version.
    pub other_releases: Vec<String>,
    /// When nothing matched: the closest signed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<Closest>,
    /// Extra remarks (revocations, which keys to trust, ...).
    pub notes: Vec<String>,
}

impl CopyReport {
    /// Whether the copy verified.
    pub fn ok(&self) -> bool {
        self.status == Code::CopyVerified
    }
}

/// The facts of a copy: raw hash, normalized hashes when it is text.
#[derive(Clone, Debug)]
pub struct CopyFacts {
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: Digest,
    /// The text, when UTF-8 and small enough.
    pub text: Option<String>,
}

impl From<Content> for CopyFacts {
    fn from(c: Content) -> CopyFacts {
        CopyFacts { size: c.size, sha256: c.sha256, text: c.text }
    }
}

fn signer(index: &Index, roots: &Keyring, id: KeyId, seq: u64) -> Signer {
    let info = index.key(&id);
    let mut s = Signer {
        key_id: id,
        name: info.as_ref().map_or_else(|| "(unregistered key)".into(), |k| k.name.clone()),
        trusted: false,
        trust_root: None,
        trust_root_name: None,
        untrusted_reason: None,
        revoked_later: info.and_then(|k| k.revoked).filter(|r| r.seq >= seq).map(|r| (r.seq, r.reason)),
    };
    match decide(index, roots, id, seq) {
        Decision::Trusted { root, .. } => {
            s.trusted = true;
            s.trust_root = Some(root);
            s.trust_root_name = roots.keys.iter().find(|k| k.key.id() == root).map(|k| k.name.clone());
        }
        Decision::Untrusted(why) => s.untrusted_reason = Some(why),
    }
    s
}

fn version_view(index: &Index, roots: &Keyring, v: &VersionInfo) -> VersionView {
    VersionView {
        entry: v.hash,
        r#ref: format!("{}:{}@{}", v.work, v.lang, v.number),
        work: v.work.clone(),
        lang: v.lang.clone(),
        role: v.role,
        number: v.number,
        time: v.time.clone(),
        signer: signer(index, roots, v.signer, v.seq),
    }
}

fn release_view(index: &Index, roots: &Keyring, r: &ReleaseInfo) -> Option<ReleaseView> {
    let t = index.version(&r.translation)?;
    let o = index.version(&r.original)?;
    Some(ReleaseView {
        entry: r.hash,
        r#ref: format!("{}@{}", r.work, r.tag),
        tag: r.tag.clone(),
        time: r.time.clone(),
        signer: signer(index, roots, r.signer, r.seq),
        cosigners: r.cosigners.iter().map(|(k, seq, _)| signer(index, roots, *k, *seq)).collect(),
        translation: version_view(index, roots, &t),
        original: version_view(index, roots, &o),
        urls: r.urls.clone(),
    })
}

/// Re-verifies the signatures of the entries a verdict rests on (§2.3): the index of a ledger is
/// built without signature checks, so a verdict must not rely on lines it has not verified.
fn check_signatures(index: &Index, store: Store<'_>, roots: &Keyring, hashes: &[Digest]) -> Result<(), String> {
    let mut todo: BTreeSet<Digest> = hashes.iter().copied().collect();
    // Every key entry on the way from each signer to its root vouches for the verdict too.
    for h in hashes {
        let Some(loc) = index.entry(h) else { continue };
        let line = store.line(index, h)?;
        let p = parse_line(&line).map_err(|(c, m)| format!("{c}: {m}"))?;
        if let Decision::Trusted { path, .. } = decide(index, roots, p.entry.signer, loc.seq) {
            for k in path {
                if let Some(info) = index.key(&k) {
                    todo.insert(info.entry);
                }
            }
        }
    }
    for h in todo {
        let line = store.line(index, &h)?;
        if Digest::of(&line) != h {
            return Err(format!("entry {} changed on disk", h.short(16)));
        }
        let p = parse_line(&line).map_err(|(c, m)| format!("{c}: {m}"))?;
        let key = match &p.entry.body {
            crate::entry::Body::Genesis(g) => g.key,
            _ => index.key(&p.entry.signer).map(|k| k.key).ok_or("signer not registered")?,
        };
        if !signing::verify_entry(&key.0, &p.signed_bytes, &p.entry.sig) {
            return Err(format!("entry {} (seq {}) has an invalid signature", h.short(16), p.entry.seq));
        }
    }
    Ok(())
}

/// Verifies a copy against a ledger or bundle (§2.2). `loosest` is the loosest match level the
/// reader accepts.
pub fn verify_copy(index: &Index, store: Store<'_>, roots: &Keyring, copy: &CopyFacts, loosest: Level) -> CopyReport {
    let mut report = CopyReport {
        status: Code::CopyMismatch,
        message: String::new(),
        level: None,
        copy_size: copy.size,
        copy_sha256: copy.sha256,
        version: None,
        release: None,
        other_releases: Vec::new(),
        closest: None,
        notes: Vec::new(),
    };
    let normalized: BTreeMap<Level, Digest> = [Level::Text, Level::Words]
        .into_iter()
        .filter_map(|l| Some((l, Digest::of(l.profile()?.apply(copy.text.as_deref()?).as_bytes()))))
        .collect();
    let mut matched: Option<(Level, Vec<Digest>)> = None;
    for level in [Level::Exact, Level::Text, Level::Words] {
        if level > loosest {
            break;
        }
        let hits = match level {
            Level::Exact => index.versions_with_sha256(&copy.sha256).to_vec(),
            _ => match (level.profile(), normalized.get(&level)) {
                (Some(p), Some(d)) => index.versions_with_norm(p.id(), d).to_vec(),
                _ => Vec::new(),
            },
        };
        if !hits.is_empty() {
            matched = Some((level, hits));
            break;
        }
    }
    let Some((level, hits)) = matched else {
        report.message = match (copy.text.is_some(), loosest) {
            (false, _) => "the copy matches no signed version (it is not UTF-8 text, so only exact bytes can match)".into(),
            (true, Level::Exact) => "the copy matches no signed version byte for byte (try without --profile exact to allow normalized matches)".into(),
            _ => format!("the copy matches no signed version, even under {}", loosest.id()),
        };
        report.closest = closest(index, store, roots, copy);
        // Say when a looser level the reader excluded would have matched: the copy is probably
        // the signed text re-typeset, which is worth knowing even when it is not accepted.
        for level in [Level::Text, Level::Words].into_iter().filter(|l| *l > loosest) {
            let hit = match (level.profile(), normalized.get(&level)) {
                (Some(p), Some(d)) => index.versions_with_norm(p.id(), d).first().and_then(|h| index.version(h)),
                _ => None,
            };
            if let Some(v) = hit {
                report.notes.push(format!(
                    "the copy matches {}:{}@{} under {}: it differs from the signed text only in what that profile ignores; drop --profile {} to accept it",
                    v.work,
                    v.lang,
                    v.number,
                    level.id(),
                    loosest.id()
                ));
                break;
            }
        }
        return report;
    };
    report.level = Some(level);
    // Prefer a version that is in a release; among those the latest release.
    let mut best: Option<(VersionInfo, Vec<ReleaseInfo>)> = None;
    for h in &hits {
        let Some(v) = index.version(h) else { continue };
        let rels = index.releases_of_version(&v.hash);
        let better = match &best {
            None => true,
            Some((bv, brels)) => (rels.last().map(|r| r.seq), v.seq) > (brels.last().map(|r| r.seq), bv.seq),
        };
        if better {
            best = Some((v, rels));
        }
    }
    let Some((v, rels)) = best else {
        report.message = "internal error: matched versions vanished".into();
        return report;
    };
    report.version = Some(version_view(index, roots, &v));
    let Some(rel) = rels.last() else {
        report.status = Code::CopyUnreleased;
        report.message = format!(
            "the copy matches {}:{}@{} ({}), a signed version that is not part of any release",
            v.work,
            v.lang,
            v.number,
            level.id()
        );
        return report;
    };
    report.other_releases = rels.iter().rev().skip(1).map(|r| format!("{}@{}", r.work, r.tag)).collect();
    let Some(rv) = release_view(index, roots, rel) else {
        report.message = "internal error: release versions missing".into();
        return report;
    };
    let mut sigs = vec![rel.hash, rel.translation, rel.original, v.hash];
    sigs.extend(rel.cosigners.iter().map(|(_, _, h)| *h));
    if let Err(m) = check_signatures(index, store, roots, &sigs) {
        report.status = Code::EntrySignatureInvalid;
        report.message = format!("a signature the verdict rests on is invalid: {m}; run `colophon audit`");
        report.release = Some(rv);
        return report;
    }
    for s in std::iter::once(&rv.signer).chain(rv.cosigners.iter()) {
        if let Some((seq, RevokeReason::Compromised)) = s.revoked_later {
            report.notes.push(format!(
                "{} ({}) was revoked as compromised at entry {seq}, after this release; the log's order shows the release came first",
                s.name,
                s.key_id.to_hex().get(..16).unwrap_or_default()
            ));
        }
    }
    if matches!(store, Store::Bundle(_)) {
        // spec/verify.md §3.4: a bundle proves what it holds, not that nothing was left out.
        report.notes.push(
            "revocations and cosignatures are those the bundle holds; for any left out or made since, \
             verify against the ledger or its published tiles (--tiles)"
                .into(),
        );
    }
    // Both the release's signer and the version's recorder must be trusted.
    let version_signer = report.version.as_ref().map_or(&rv.signer, |x| &x.signer);
    let untrusted: Vec<&Signer> = [&rv.signer, version_signer].into_iter().filter(|s| !s.trusted).collect();
    if !untrusted.is_empty() {
        report.status = Code::TrustUntrusted;
        let s = untrusted[0];
        report.message = format!(
            "valid signature, untrusted key: {} ({}); {}",
            s.name,
            s.key_id,
            s.untrusted_reason.as_deref().unwrap_or("does not chain to a trust root")
        );
        report.notes.push(if roots.is_empty() {
            "no trust roots were given: name the keys you trust with --trust FILE (a keyring like keys.example, or a .pub file) or COLOPHON_TRUST".into()
        } else {
            "add the signer's or the ledger owner's key to your keyring (--trust) if you trust it".into()
        });
        report.release = Some(rv);
        return report;
    }
    report.status = Code::CopyVerified;
    report.message = format!("verified: release {} ({})", rv.r#ref, level.describe());
    report.release = Some(rv);
    report
}

/// Finds the signed version nearest to a copy that matched nothing (§2.5): among the versions in
/// releases and the latest version of every text, the one sharing the most words.
fn closest(index: &Index, store: Store<'_>, roots: &Keyring, copy: &CopyFacts) -> Option<Closest> {
    let text = copy.text.as_deref()?;
    let mut candidates: BTreeSet<Digest> = BTreeSet::new();
    for r in index.releases(None) {
        candidates.insert(r.translation);
        candidates.insert(r.original);
    }
    for (w, l) in index.work_langs() {
        if let Some(v) = index.latest_version(&w, &l) {
            candidates.insert(v.hash);
        }
    }
    let copy_words = word_bag(text);
    let mut scored: Vec<(u32, Digest, String)> = Vec::new();
    for h in candidates.into_iter().take(500) {
        let Some(v) = index.version(&h) else { continue };
        if !v.has_diff {
            continue;
        }
        let Ok(signed) = store.text(index, &h) else { continue };
        scored.push((similarity(&word_bag(&signed), &copy_words), h, signed));
    }
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| index.version(&b.1).map(|v| v.seq).cmp(&index.version(&a.1).map(|v| v.seq)))
    });
    let (pct, h, signed) = scored.into_iter().next()?;
    let v = index.version(&h)?;
    let (a, b) = (Profile::TextV1.apply(&signed), Profile::TextV1.apply(text));
    let releases = index.releases_of_version(&h).into_iter().map(|r| format!("{}@{}", r.work, r.tag)).collect();
    Some(Closest {
        version: version_view(index, roots, &v),
        releases,
        similarity_percent: pct,
        words: word_stats(&a, &b),
        diff: word_diff(&a, &b),
    })
}

fn word_bag(text: &str) -> BTreeMap<String, u32> {
    let mut bag = BTreeMap::new();
    for w in Profile::WordsV1.apply(text).split(' ').filter(|w| !w.is_empty()) {
        *bag.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    bag
}

/// Multiset overlap of two word bags, in percent of the larger.
fn similarity(a: &BTreeMap<String, u32>, b: &BTreeMap<String, u32>) -> u32 {
    let total_a: u32 = a.values().sum();
    let total_b: u32 = b.values().sum();
    let common: u32 = a.iter().map(|(w, n)| (*n).min(*b.get(w).unwrap_or(&0))).sum();
    let denom = total_a.max(total_b);
    (common * 100).checked_div(denom).unwrap_or(100)
}
