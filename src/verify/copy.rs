//! Verifying a copy of a text (spec/verify.md §2): does it match a signed, released version —
//! exactly or under a normalization profile — signed by a key the reader trusts? And if not,
//! which signed version is closest, and what differs?

use crate::format::diff::{Chunk, WordStats, word_diff, word_stats};
use crate::format::entry::{Body, RevokeReason, Role, TextRole};
use crate::format::hash::Digest;
use crate::format::keys::KeyId;
use crate::format::normalize::Profile;
use crate::format::status::Code;
use crate::log::index::{Index, ReleaseInfo, VersionInfo};
use crate::log::trust::{Decision, Keyring};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How closely a copy matches (§2.1), strictest first: its exact bytes, or its text under one of
/// the normalization profiles that match copies (spec/ledger.md §9: `text/v1`, then `words/v2`).
/// The ids are the profiles' own; a level is not a second name for a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Byte-identical.
    Exact,
    /// Equal under a profile.
    Normalized(Profile),
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl Level {
    /// Equal after `text/v1`.
    pub const TEXT: Level = Level::Normalized(Profile::TextV1);
    /// Equal after `words/v2` (`words/v1` is retired for matching, spec/ledger.md §9.3).
    pub const WORDS: Level = Level::Normalized(Profile::WordsV2);
    /// Every level, strictest first.
    pub const ALL: [Level; 3] = [Level::Exact, Level::TEXT, Level::WORDS];

    /// The name users type and see: `exact`, or the profile's id.
    pub fn id(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Normalized(p) => p.id(),
        }
    }

    /// Parses a `--profile` value: `exact`, or a profile that matches copies.
    pub fn from_id(s: &str) -> Option<Level> {
        match s {
            "exact" => Some(Level::Exact),
            _ => Profile::from_id(s).filter(|p| p.matches_copies()).map(Level::Normalized),
        }
    }

    /// A phrase for the success line.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Exact => "exact bytes",
            Level::Normalized(Profile::TextV1) => {
                "text/v1 normalization (line endings, Unicode composition, trailing blanks differ)"
            }
            Level::Normalized(Profile::WordsV2) => {
                "words/v2 normalization (same words; typography, layout or invisible characters differ)"
            }
            Level::Normalized(Profile::WordsV1) => "words/v1 normalization",
        }
    }

    fn profile(self) -> Option<Profile> {
        match self {
            Level::Exact => None,
            Level::Normalized(p) => Some(p),
        }
    }
}

pub use crate::verify::signed::{Signed, Store};

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
    /// Its position in the ledger.
    pub seq: u64,
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
    /// The signer's note on the release, from its signed line (spec/verify.md §2.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The latest release of the copy's work and language, when it is not the release that verified
/// the copy (spec/verify.md §2.8): the release that supersedes the copy's release
/// (`release.superseded`), or, for a copy of an unreleased version, the latest release there is.
#[derive(Clone, Debug, Serialize)]
pub struct LatestRelease {
    /// The release.
    pub release: ReleaseView,
    /// Its version in the copy's language (its translation, or its original).
    pub version: VersionView,
    /// Words added and removed going from the copy's version to that version; absent when either
    /// text cannot be rebuilt (a version recorded by hash only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<WordStats>,
    /// Word diff from the copy's version to that version (after `text/v1`), capped; absent when
    /// either text cannot be rebuilt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<Chunk>>,
    /// Changes left out of `diff` to keep it readable.
    #[serde(skip_serializing_if = "is_zero")]
    pub changes_omitted: u64,
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
    /// Word diff from the signed text (after `text/v1`) to the copy (after `text/v1`); for a web
    /// page, from the signed text's words to the page's aligned region (both `words/v2`, §2.7.4).
    pub diff: Vec<Chunk>,
    /// Changes left out of `diff` to keep it readable (a page's diff is capped, §2.7.4).
    #[serde(skip_serializing_if = "is_zero")]
    pub changes_omitted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where the signed text lies in a web page (spec/verify.md §2.7.3): the words of the page
/// (`words/v2`) before and after it, site chrome that is not part of the release.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PageRegion {
    /// Words of the page before the signed text.
    pub words_before: u64,
    /// Words of the page after the signed text.
    pub words_after: u64,
}

/// How one release holding the matched version was judged (§2.2 step 5).
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseCheck {
    /// `WORK@TAG`.
    pub r#ref: String,
    /// Entry hash of the release.
    pub entry: Digest,
    /// `copy.verified` when this release vouches for the copy; otherwise why not.
    pub status: Code,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
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
    /// The release that vouches for the copy (the latest that does), or, when none does, the
    /// latest release holding the version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseView>,
    /// Other releases holding the same version (`WORK@TAG`).
    pub other_releases: Vec<String>,
    /// Every release holding the version, each judged on its own, latest first.
    pub releases: Vec<ReleaseCheck>,
    /// When nothing matched: the closest signed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<Closest>,
    /// When the copy is a web page that holds a signed version: where in the page it lies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<PageRegion>,
    /// The latest release of the copy's work and language when it supersedes the copy's release,
    /// or when the copy is unreleased (spec/verify.md §2.8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<LatestRelease>,
    /// Extra remarks (revocations, which keys to trust, ...).
    pub notes: Vec<String>,
    /// Where the index (or the bundle's state) disagreed with a signed line. The verdict rests on
    /// the signed lines; a caller should rebuild its index and verify again.
    #[serde(skip)]
    pub index_disagreed: Option<String>,
}

impl CopyReport {
    /// Whether the copy verified.
    /// A superseded release still verifies the copy (spec/verify.md §2.8).
    pub fn ok(&self) -> bool {
        matches!(self.status, Code::CopyVerified | Code::ReleaseSuperseded)
    }

    /// A report about `copy` that found nothing yet (`copy.mismatch`, no message).
    pub fn empty(copy: &CopyFacts) -> CopyReport {
        CopyReport {
            status: Code::CopyMismatch,
            message: String::new(),
            level: None,
            copy_size: copy.size,
            copy_sha256: copy.sha256,
            version: None,
            release: None,
            other_releases: Vec::new(),
            releases: Vec::new(),
            closest: None,
            page: None,
            latest_release: None,
            notes: Vec::new(),
            index_disagreed: None,
        }
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

impl CopyFacts {
    /// The facts of a copy held in memory (a page's text, a pasted copy, a browser's file).
    pub fn from_bytes(bytes: &[u8]) -> CopyFacts {
        CopyFacts {
            size: bytes.len() as u64,
            sha256: Digest::of(bytes),
            text: std::str::from_utf8(bytes).ok().map(str::to_string),
        }
    }
}

/// How a copy is read (spec/verify.md §2.7.1): as text, or as a web page whose text is extracted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    /// The copy's bytes are the text.
    Text,
    /// A web page: its text is what a reader sees in it (§2.7.2).
    Html,
}

impl CopyKind {
    /// The kind of a copy by its content (§2.7.1).
    pub fn sniff(copy: &CopyFacts) -> CopyKind {
        match copy.text.as_deref() {
            Some(t) if crate::format::html::looks_like_html(t.as_bytes()) => CopyKind::Html,
            _ => CopyKind::Text,
        }
    }
}

/// What the reader asks of a verification besides the copy and the roots.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The loosest match level accepted (§2.1).
    pub loosest: Level,
    /// Whether the source's order of entries is anchored: a ledger file read directly, a bundle
    /// whose checkpoint and inclusion proofs were checked, published tiles. An unanchored bundle's
    /// order is whatever its writer chose (§3.5), so no verdict may rest on it.
    pub ordered: bool,
    /// Whether the copy is read as a web page (spec/verify.md §2.7): its text, and the signed text
    /// as one contiguous region of it.
    pub html: bool,
}

impl Options {
    /// Anchored order, the given loosest level, a copy read as text.
    pub fn new(loosest: Level) -> Options {
        Options { loosest, ordered: true, html: false }
    }
}

fn signer_view(signed: &Signed<'_>, roots: &Keyring, id: KeyId, seq: u64) -> Signer {
    let info = signed.key(&id);
    let mut s = Signer {
        key_id: id,
        name: info.as_ref().map_or_else(|| "(unregistered key)".into(), |k| k.name.clone()),
        trusted: false,
        trust_root: None,
        trust_root_name: None,
        untrusted_reason: None,
        revoked_later: info.and_then(|k| k.revoked).filter(|r| r.seq >= seq).map(|r| (r.seq, r.reason)),
    };
    match signed.decide(roots, id, seq) {
        Decision::Trusted { root, .. } => {
            s.trusted = true;
            s.trust_root = Some(root);
            s.trust_root_name = roots.keys.iter().find(|k| k.key.id() == root).map(|k| k.name.clone());
        }
        Decision::Untrusted(why) => s.untrusted_reason = Some(why),
    }
    s
}

fn version_view(signed: &Signed<'_>, roots: &Keyring, v: &VersionInfo) -> VersionView {
    VersionView {
        entry: v.hash,
        r#ref: format!("{}:{}@{}", v.work, v.lang, v.number),
        work: v.work.clone(),
        lang: v.lang.clone(),
        role: v.role,
        number: v.number,
        time: v.time.clone(),
        signer: signer_view(signed, roots, v.signer, v.seq),
    }
}

fn release_view(signed: &Signed<'_>, roots: &Keyring, r: &ReleaseInfo) -> Result<ReleaseView, String> {
    let t = signed.version(&r.translation)?;
    let o = signed.version(&r.original)?;
    Ok(ReleaseView {
        entry: r.hash,
        r#ref: format!("{}@{}", r.work, r.tag),
        seq: r.seq,
        tag: r.tag.clone(),
        time: r.time.clone(),
        signer: signer_view(signed, roots, r.signer, r.seq),
        cosigners: r.cosigners.iter().map(|(k, seq, _)| signer_view(signed, roots, *k, *seq)).collect(),
        translation: version_view(signed, roots, &t),
        original: version_view(signed, roots, &o),
        urls: r.urls.clone(),
        note: match &signed.checked(&r.hash)?.entry.body {
            Body::Release(body) => body.note.clone(),
            _ => None,
        },
    })
}

/// Whether a version's signed facts match the copy at `level`.
fn matches(v: &VersionInfo, copy: &CopyFacts, level: Level, normalized: &BTreeMap<Level, Digest>) -> bool {
    match level {
        Level::Exact => v.sha256 == copy.sha256 && v.size == copy.size,
        _ => match (level.profile(), normalized.get(&level)) {
            (Some(p), Some(d)) => v.norm.get(p.id()) == Some(d),
            _ => false,
        },
    }
}

/// Judges one release holding the matched version (§2.2 steps 4–5): its signed lines, its
/// signer's role and trust, the version signer's trust, and — when the source's order is not
/// anchored — whether any signer was revoked as compromised, which would need that order.
fn judge(
    signed: &Signed<'_>,
    roots: &Keyring,
    opts: Options,
    v: &VersionInfo,
    rel_hash: &Digest,
) -> (ReleaseCheck, Option<ReleaseView>) {
    let fail = |r: String, status: Code, reason: String| {
        (ReleaseCheck { r#ref: r, entry: *rel_hash, status, reason: Some(reason) }, None)
    };
    let rel = match signed.release(rel_hash) {
        Ok(r) => r,
        Err(m) => return fail(rel_hash.short(16), Code::EntrySignatureInvalid, m),
    };
    let r#ref = format!("{}@{}", rel.work, rel.tag);
    if rel.translation != v.hash && rel.original != v.hash {
        return fail(r#ref, Code::ReleaseRefInvalid, "the release does not name this version".into());
    }
    // Every entry the verdict rests on, checked (§2.3): the release, its versions, its cosigns
    // (done by `release`), and every key on each signer's way to a root (done by `decide`).
    for h in [rel.translation, rel.original, v.hash] {
        if let Err(m) = signed.checked(&h) {
            return fail(r#ref, Code::EntrySignatureInvalid, m);
        }
    }
    let view = match release_view(signed, roots, &rel) {
        Ok(view) => view,
        Err(m) => return fail(r#ref, Code::EntrySignatureInvalid, m),
    };
    // A release is signed by an owner or a translator (L§6.1); any other signature on it vouches
    // for nothing, whatever the index says.
    let allowed = signed.key(&rel.signer).is_some_and(|k| k.has(Role::Owner) || k.has(Role::Translator));
    if !allowed {
        let reason = format!(
            "{} ({}) may not sign releases (owner or translator role needed)",
            view.signer.name, view.signer.key_id
        );
        return (
            ReleaseCheck { r#ref, entry: rel.hash, status: Code::EntrySignerUnauthorized, reason: Some(reason) },
            Some(view),
        );
    }
    let version_signer = signer_view(signed, roots, v.signer, v.seq);
    let untrusted = [&view.signer, &version_signer].into_iter().find(|s| !s.trusted).cloned();
    if let Some(s) = untrusted {
        let reason = format!(
            "valid signature, untrusted key: {} ({}); {}",
            s.name,
            s.key_id,
            s.untrusted_reason.as_deref().unwrap_or("does not chain to a trust root")
        );
        return (
            ReleaseCheck { r#ref, entry: rel.hash, status: Code::TrustUntrusted, reason: Some(reason) },
            Some(view),
        );
    }
    let compromised = std::iter::once(&view.signer)
        .chain(view.cosigners.iter())
        .chain(std::iter::once(&version_signer))
        .find(|s| matches!(s.revoked_later, Some((_, RevokeReason::Compromised))))
        .cloned();
    if !opts.ordered
        && let Some(s) = compromised
    {
        let reason = format!(
            "{} ({}) was revoked as compromised, and without a checkpoint nothing shows the release was signed before that",
            s.name, s.key_id
        );
        return (
            ReleaseCheck { r#ref, entry: rel.hash, status: Code::BundleUnanchored, reason: Some(reason) },
            Some(view),
        );
    }
    (ReleaseCheck { r#ref, entry: rel.hash, status: Code::CopyVerified, reason: None }, Some(view))
}

/// Verifies a copy against a ledger or bundle (§2.2), with every fact taken from signed lines.
pub fn verify_copy(index: &Index, store: Store<'_>, roots: &Keyring, copy: &CopyFacts, loosest: Level) -> CopyReport {
    verify_copy_with(index, store, roots, copy, Options::new(loosest))
}

/// As [`verify_copy`], with the reader's options.
pub fn verify_copy_with(
    index: &Index,
    store: Store<'_>,
    roots: &Keyring,
    copy: &CopyFacts,
    opts: Options,
) -> CopyReport {
    let signed = Signed::new(index, store);
    let mut report = verify_signed(&signed, roots, copy, opts);
    report.index_disagreed = signed.disagreed();
    report
}

fn verify_signed(signed: &Signed<'_>, roots: &Keyring, copy: &CopyFacts, opts: Options) -> CopyReport {
    if opts.html {
        return verify_page(signed, roots, copy, opts);
    }
    let index = signed.index;
    let loosest = opts.loosest;
    let mut report = CopyReport::empty(copy);
    let normalized: BTreeMap<Level, Digest> = [Level::TEXT, Level::WORDS]
        .into_iter()
        .filter_map(|l| Some((l, Digest::of(l.profile()?.apply(copy.text.as_deref()?).as_bytes()))))
        .collect();
    let hits_at = |level: Level| -> Vec<Digest> {
        match level {
            Level::Exact => index.versions_with_sha256(&copy.sha256),
            _ => match (level.profile(), normalized.get(&level)) {
                (Some(p), Some(d)) => index.versions_with_norm(p.id(), d),
                _ => Vec::new(),
            },
        }
    };
    // The index finds candidates; each is kept only if its signed line matches (§2.1).
    let confirmed = |level: Level| -> Vec<VersionInfo> {
        hits_at(level)
            .into_iter()
            .filter(|h| {
                // Only entries in the state are looked up as versions; the index contradicts itself.
                let in_state = index.entry(h).is_none_or(|l| l.in_state);
                if !in_state {
                    signed.disagree(format!("the index holds version {} but says it is not in the state", h.short(16)));
                }
                in_state
            })
            .filter_map(|h| match signed.version(&h) {
                Ok(v) if matches(&v, copy, level, &normalized) => Some(v),
                Ok(_) => {
                    signed.disagree(format!("the index matched version {} that does not match", h.short(16)));
                    None
                }
                Err(_) => None,
            })
            .collect()
    };
    let mut matched: Option<(Level, Vec<VersionInfo>)> = None;
    for level in Level::ALL {
        if level > loosest {
            break;
        }
        let hits = confirmed(level);
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
        report.closest = closest(signed, roots, copy);
        // spec/verify.md §3.6: a text withheld from a bundle is not an empty text; say it was
        // not compared.
        let withheld = withheld_candidates(signed);
        if withheld > 0 {
            report.notes.push(format!(
                "the texts of {withheld} signed version{} are not in the bundle (withheld; their hashes are), so the closest version is sought only among the texts it carries",
                if withheld == 1 { "" } else { "s" }
            ));
        }
        // Say when a looser level the reader excluded would have matched: the copy is probably
        // the signed text re-typeset, which is worth knowing even when it is not accepted.
        for level in [Level::TEXT, Level::WORDS].into_iter().filter(|l| *l > loosest) {
            if let Some(v) = confirmed(level).first() {
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
    judge_hits(signed, roots, opts, report, level, hits)
}

/// §2.2 from step 3: the releases holding the versions the copy matched at `level`.
fn judge_hits(
    signed: &Signed<'_>,
    roots: &Keyring,
    opts: Options,
    mut report: CopyReport,
    level: Level,
    hits: Vec<VersionInfo>,
) -> CopyReport {
    let index = signed.index;
    // Every release holding any matching version, each judged on its own (§2.2 step 3): a release
    // by an untrusted key must not hide a valid one.
    let mut judged: Vec<(u64, u64, ReleaseCheck, Option<ReleaseView>, VersionInfo)> = Vec::new();
    for v in &hits {
        for r in index.releases_of_version(&v.hash) {
            let (check, view) = judge(signed, roots, opts, v, &r.hash);
            judged.push((r.seq, v.seq, check, view, v.clone()));
        }
    }
    // Latest release first; a verified one wins over any other.
    judged.sort_by(|a, b| {
        (b.2.status == Code::CopyVerified, b.0, b.1).cmp(&(a.2.status == Code::CopyVerified, a.0, a.1))
    });
    report.releases = judged.iter().map(|j| j.2.clone()).collect();
    let Some((_, _, check, view, v)) = judged.into_iter().next() else {
        // No release holds it. The releases of the work are few: check each against its line, so
        // an index that hid the copy's release behind a wrong reference is caught (and rebuilt).
        let works: BTreeSet<&str> = hits.iter().map(|v| v.work.as_str()).collect();
        for w in works {
            for r in index.releases(Some(w)) {
                let _ = signed.release(&r.hash);
            }
        }
        let v = hits.iter().max_by_key(|v| v.seq).cloned();
        if let Some(v) = v {
            report.version = Some(version_view(signed, roots, &v));
            report.status = Code::CopyUnreleased;
            report.message = format!(
                "the copy matches {}:{}@{} ({}), a signed version that is not part of any release",
                v.work,
                v.lang,
                v.number,
                level.id()
            );
            // §2.8: a draft names the latest release of its work and language.
            let (latest, notes) = latest_release(signed, roots, opts, &v, None);
            report.latest_release = latest;
            report.notes.extend(notes);
        }
        return report;
    };
    report.version = Some(version_view(signed, roots, &v));
    report.other_releases =
        report.releases.iter().filter(|r| r.entry != check.entry).map(|r| r.r#ref.clone()).collect();
    report.release = view;
    if check.status != Code::CopyVerified {
        report.status = check.status;
        let why = check.reason.clone().unwrap_or_default();
        report.message = match check.status {
            Code::EntrySignatureInvalid => {
                format!("a signature the verdict rests on is invalid: {why}; run `colophon audit`")
            }
            _ => why,
        };
        if check.status == Code::TrustUntrusted {
            report.notes.push(if roots.is_empty() {
                "no trust roots were given: name the keys you trust with --trust FILE (a keyring like keys.example, or a .pub file) or COLOPHON_TRUST".into()
            } else {
                "add the signer's or the ledger owner's key to your keyring (--trust) if you trust it".into()
            });
        }
        return report;
    }
    if let Some(rv) = &report.release {
        for s in std::iter::once(&rv.signer).chain(rv.cosigners.iter()) {
            if let Some((seq, RevokeReason::Compromised)) = s.revoked_later {
                report.notes.push(format!(
                    "{} ({}) was revoked as compromised at entry {seq}, after this release; the log's order shows the release came first",
                    s.name,
                    s.key_id.to_hex().get(..16).unwrap_or_default()
                ));
            }
        }
    }
    if matches!(signed.store, Store::Bundle(..)) {
        // §3.4, §2.8: a bundle proves what it holds, not that nothing was left out.
        report.notes.push(
            "revocations, cosignatures and later releases are those the bundle holds; for any left out or made \
             since, verify against the ledger or its published tiles (--tiles)"
                .into(),
        );
    }
    report.status = Code::CopyVerified;
    report.message = format!("verified: release {} ({})", check.r#ref, level.describe());
    // §2.2 step 8, §2.8: a later release of the same work and language supersedes this one.
    if let Some(rv) = &report.release {
        let (latest, notes) = latest_release(signed, roots, opts, &v, Some((rv.seq, &rv.translation.lang)));
        report.notes.extend(notes);
        if let Some(l) = latest {
            if !opts.ordered {
                // §2.8, §3.5: without a checkpoint, "later" is only the entries' signed `seq`.
                report.notes.push(format!(
                    "{} comes after {} by the positions their signers signed; without a checkpoint nothing anchors that order",
                    l.release.r#ref, check.r#ref
                ));
            }
            report.status = Code::ReleaseSuperseded;
            report.message =
                format!("verified: release {} ({}), superseded by {}", check.r#ref, level.describe(), l.release.r#ref);
            report.latest_release = Some(l);
        }
    }
    report
}

/// How many changes the diff to a later release shows at most (§2.8).
const LATEST_DIFF_CHANGES: usize = 40;

/// Keeps the first `max` changes of a diff; returns how many were left out.
fn cap_diff(diff: &mut Vec<Chunk>, max: usize) -> u64 {
    let mut changes = 0usize;
    let mut cut = diff.len();
    for (i, c) in diff.iter().enumerate() {
        if c.kind != crate::format::diff::ChangeKind::Equal {
            changes += 1;
            if changes > max && cut == diff.len() {
                cut = i;
            }
        }
    }
    diff.truncate(cut);
    changes.saturating_sub(max) as u64
}

/// A version's text rebuilt from signed lines (L§8.5): its chain of `parent` members replayed from
/// the first version, each step checked against its signed size and hash. `None` when a version
/// of the chain was recorded by hash only, or a script does not reproduce its hash.
fn text_of(signed: &Signed<'_>, h: &Digest) -> Option<String> {
    // A text a bundle carries, checked against its signed hashes when the bundle was opened
    // (spec/verify.md §3.6): a later release's drafts may be withheld, its own text is not.
    if let Some(t) = signed.store.text(h) {
        return Some(t.to_string());
    }
    let mut chain: Vec<crate::format::entry::Version> = Vec::new();
    let mut cur = Some(*h);
    while let Some(x) = cur {
        let p = signed.parsed(&x).ok()?;
        let Body::Version(v) = &p.entry.body else { return None };
        v.diff.as_ref()?;
        cur = v.parent;
        chain.push((**v).clone());
    }
    let mut text = String::new();
    for v in chain.iter().rev() {
        text = v
            .diff
            .as_ref()
            .and_then(|d| crate::format::diff::Script::from_json(d).ok())
            .and_then(|s| s.apply(&text).ok())
            .filter(|t| t.len() as u64 == v.size && Digest::of(t.as_bytes()) == v.sha256)?;
    }
    Some(text)
}

/// The latest release of `v`'s work that holds a version in `v`'s language and passes §2.2 steps
/// 5–7 (spec/verify.md §2.8). With `after` (the copy's release: its position and its translation's
/// language), only releases that supersede it count: later, with a translation in that language.
/// Also returns a note for each newer release that does not pass. Every fact comes from signed
/// lines; the index only finds the releases.
fn latest_release(
    signed: &Signed<'_>,
    roots: &Keyring,
    opts: Options,
    v: &VersionInfo,
    after: Option<(u64, &str)>,
) -> (Option<LatestRelease>, Vec<String>) {
    let mut notes = Vec::new();
    let mut releases = signed.index.releases(Some(&v.work));
    releases.sort_by_key(|r| std::cmp::Reverse(r.seq));
    for r in releases {
        if after.is_some_and(|(seq, _)| r.seq <= seq) {
            break;
        }
        // The release's versions, as their signed lines give them.
        let Ok(rel) = signed.release(&r.hash) else { continue };
        if rel.work != v.work {
            continue;
        }
        let (Ok(t), Ok(o)) = (signed.version(&rel.translation), signed.version(&rel.original)) else { continue };
        if let Some((_, lang)) = after
            && t.lang != lang
        {
            continue;
        }
        let mine = if t.lang == v.lang {
            t
        } else if o.lang == v.lang {
            o
        } else {
            continue;
        };
        let (check, view) = judge(signed, roots, opts, &mine, &rel.hash);
        let Some(view) = view.filter(|_| check.status == Code::CopyVerified) else {
            notes.push(format!(
                "{} {} exists but does not count: {}",
                if after.is_some() { "a later release" } else { "release" },
                check.r#ref,
                check.reason.as_deref().unwrap_or("it does not check out")
            ));
            continue;
        };
        let (mut words, mut diff, mut omitted) = (None, None, 0);
        if let (Some(a), Some(b)) = (text_of(signed, &v.hash), text_of(signed, &mine.hash)) {
            let (a, b) = (Profile::TextV1.apply(&a), Profile::TextV1.apply(&b));
            let mut d = word_diff(&a, &b);
            omitted = cap_diff(&mut d, LATEST_DIFF_CHANGES);
            words = Some(word_stats(&a, &b));
            diff = Some(d);
        }
        let latest = LatestRelease {
            release: view,
            version: version_view(signed, roots, &mine),
            words,
            diff,
            changes_omitted: omitted,
        };
        return (Some(latest), notes);
    }
    (None, notes)
}

/// Candidates for the closest version (§2.5): the versions in releases and the latest version of
/// every work and language, at most this many.
const CLOSEST_CANDIDATES: usize = 500;

/// Finds the signed version nearest to a copy that matched nothing (§2.5): among the versions in
/// releases and the latest version of every text, the one sharing the most words. Each chain of
/// versions is replayed once, from its first reconstructible version to its latest candidate, and
/// every candidate scored as the replay passes it: the cost is one pass over the texts involved,
/// not one rebuild per candidate.
fn closest(signed: &Signed<'_>, roots: &Keyring, copy: &CopyFacts) -> Option<Closest> {
    let text = copy.text.as_deref()?;
    let copy_words = word_bag(text);
    // Best so far: (score, seq, version, text).
    let mut best: Option<(u32, u64, Digest, String)> = None;
    for_each_candidate(signed, |h, seq, current| {
        let score = similarity(&word_bag(current), &copy_words);
        if best.as_ref().is_none_or(|b| (score, seq) > (b.0, b.1)) {
            best = Some((score, seq, *h, current.to_string()));
        }
    });
    let (pct, _, h, signed_text) = best?;
    // Only a version whose signed line checks out (signature included) is named.
    let v = signed.version(&h).ok()?;
    let (a, b) = (Profile::TextV1.apply(&signed_text), Profile::TextV1.apply(text));
    let releases = signed.index.releases_of_version(&h).into_iter().map(|r| format!("{}@{}", r.work, r.tag)).collect();
    Some(Closest {
        version: version_view(signed, roots, &v),
        releases,
        similarity_percent: pct,
        words: word_stats(&a, &b),
        diff: word_diff(&a, &b),
        changes_omitted: 0,
    })
}

/// The candidates of §2.5 whose texts are not in a bundle: their scripts are withheld and `texts`
/// does not hold them (spec/verify.md §3.6).
fn withheld_candidates(signed: &Signed<'_>) -> usize {
    candidates(signed)
        .iter()
        .filter(|h| signed.store.text(h).is_none())
        .filter(|h| signed.parsed(h).is_ok_and(|p| matches!(&p.entry.body, Body::Version(v) if v.withheld())))
        .count()
}

/// The candidates of §2.5: the versions in releases and the latest version of every work and
/// language, at most [`CLOSEST_CANDIDATES`].
fn candidates(signed: &Signed<'_>) -> BTreeSet<Digest> {
    let index = signed.index;
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
    candidates.into_iter().take(CLOSEST_CANDIDATES).collect()
}

/// Calls `f(hash, seq, text)` for every candidate of §2.5, its text rebuilt from signed lines or
/// taken from a bundle's checked `texts`.
fn for_each_candidate(signed: &Signed<'_>, mut f: impl FnMut(&Digest, u64, &str)) {
    let candidates = candidates(signed);
    // The latest candidate of each chain: replaying up to it passes every other candidate of the
    // same work and language.
    let mut tips: BTreeMap<(String, String), (u64, Digest)> = BTreeMap::new();
    for h in &candidates {
        // Each candidate's line is read and checked against the index's record of it, so an index
        // that hid a match behind a wrong hash is caught here (and rebuilt by the caller).
        let Ok(v) = signed.version(h) else { continue };
        let slot = tips.entry((v.work.clone(), v.lang.clone())).or_insert((v.seq, v.hash));
        if v.seq > slot.0 {
            *slot = (v.seq, v.hash);
        }
    }
    for (_, tip) in tips.values() {
        // Walk back along signed `parent` members to a version whose text is known: one whose
        // text the bundle carries (spec/verify.md §3.6), or one whose base is "" (L§8.5). A
        // version whose script is withheld, without its text, ends the walk with the base
        // unknown: nothing after it is shown, and nothing is taken for an empty text.
        let mut chain: Vec<(Digest, crate::format::entry::Version, u64, Option<&str>)> = Vec::new();
        let mut base_known = true;
        let mut cur = Some(*tip);
        while let Some(h) = cur {
            let Ok(p) = signed.parsed(&h) else { break };
            let Body::Version(v) = &p.entry.body else { break };
            if let Some(text) = signed.store.text(&h) {
                chain.push((h, (**v).clone(), p.entry.seq, Some(text)));
                break;
            }
            if v.withheld() {
                base_known = false;
                break;
            }
            if v.diff.is_none() {
                break;
            }
            cur = v.parent;
            chain.push((h, (**v).clone(), p.entry.seq, None));
        }
        if !base_known {
            continue;
        }
        let mut current = String::new();
        for (h, v, seq, text) in chain.iter().rev() {
            let next = match text {
                Some(t) => Some(t.to_string()),
                None => v
                    .diff
                    .as_ref()
                    .and_then(|d| crate::format::diff::Script::from_json(d).ok())
                    .and_then(|s| s.apply(&current).ok())
                    .filter(|t| t.len() as u64 == v.size && Digest::of(t.as_bytes()) == v.sha256),
            };
            // A script that does not reproduce its signed hash: nothing after it is shown.
            let Some(next) = next else { break };
            current = next;
            if candidates.contains(h) {
                f(h, *seq, &current);
            }
        }
    }
}

fn word_bag(text: &str) -> BTreeMap<String, u32> {
    let mut bag = BTreeMap::new();
    for w in Profile::WordsV2.apply(text).split(' ').filter(|w| !w.is_empty()) {
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

/// How many changes a page's diff shows at most (§2.7.4).
const PAGE_DIFF_CHANGES: usize = 20;

/// The first occurrence of `needle` as a run of consecutive items of `hay` (Knuth–Morris–Pratt:
/// linear in both lengths).
fn find_run<T: PartialEq>(hay: &[T], needle: &[T]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    k = 0;
    for (i, h) in hay.iter().enumerate() {
        while k > 0 && *h != needle[k] {
            k = fail[k - 1];
        }
        if *h == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            return Some(i + 1 - k);
        }
    }
    None
}

fn non_empty_lines(text: &str) -> Vec<&str> {
    text.split('\n').filter(|l| !l.is_empty()).collect()
}

/// The words of `words/v2` of a text (spec/ledger.md §9.5).
fn words_v2(text: &str) -> Vec<String> {
    Profile::WordsV2.apply(text).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// A web page's text, ready to be searched at each level (§2.7.3).
struct PageText {
    lines: Vec<String>,
    lines_v1: Vec<String>,
    words: Vec<String>,
}

impl PageText {
    fn new(text: &str) -> PageText {
        let v1 = Profile::TextV1.apply(text);
        PageText {
            lines: non_empty_lines(text).into_iter().map(str::to_string).collect(),
            lines_v1: non_empty_lines(&v1).into_iter().map(str::to_string).collect(),
            words: words_v2(text),
        }
    }

    /// Whether the signed text is one contiguous region of the page at `level`.
    fn holds(&self, signed: &str, level: Level) -> bool {
        match level {
            Level::Exact => {
                find_run(&self.lines, &non_empty_lines(signed).iter().map(|l| l.to_string()).collect::<Vec<_>>())
                    .is_some()
            }
            Level::Normalized(Profile::TextV1) => {
                let v1 = Profile::TextV1.apply(signed);
                let lines: Vec<String> = non_empty_lines(&v1).into_iter().map(str::to_string).collect();
                find_run(&self.lines_v1, &lines).is_some()
            }
            Level::Normalized(_) => find_run(&self.words, &words_v2(signed)).is_some(),
        }
    }

    /// The page's words before and after the signed text's words.
    fn region(&self, signed: &str) -> Option<PageRegion> {
        let words = words_v2(signed);
        let at = find_run(&self.words, &words)?;
        Some(PageRegion {
            words_before: at as u64,
            words_after: self.words.len().saturating_sub(at + words.len()) as u64,
        })
    }
}

/// Verifies a copy that is a web page (spec/verify.md §2.7).
fn verify_page(signed: &Signed<'_>, roots: &Keyring, copy: &CopyFacts, opts: Options) -> CopyReport {
    let mut report = CopyReport::empty(copy);
    let Some(html) = copy.text.as_deref() else {
        report.message = "the page is not UTF-8, so its text cannot be read; only exact bytes could match".into();
        return report;
    };
    let page = match crate::format::html::extract_text(html) {
        Ok(text) => PageText::new(&text),
        Err(e) => {
            report.message = e.to_string();
            return report;
        }
    };
    if page.words.is_empty() {
        report.message = "the page holds no text a reader sees (only markup, scripts or hidden elements)".into();
        return report;
    }
    let mut candidates: Vec<(Digest, u64, String)> = Vec::new();
    for_each_candidate(signed, |h, seq, text| candidates.push((*h, seq, text.to_string())));
    for level in Level::ALL {
        if level > opts.loosest {
            break;
        }
        let hits: Vec<(VersionInfo, String)> = candidates
            .iter()
            .filter(|(_, _, text)| page.holds(text, level))
            .filter_map(|(h, _, text)| Some((signed.version(h).ok()?, text.clone())))
            .collect();
        if let Some((_, text)) = hits.iter().max_by_key(|(v, _)| v.seq) {
            report.page = page.region(text);
            report.level = Some(level);
            let hits = hits.into_iter().map(|(v, _)| v).collect();
            let mut report = judge_hits(signed, roots, opts, report, level, hits);
            if report.status == Code::CopyVerified {
                // A page's bytes are markup: `exact` means its text holds the signed lines (§2.7.3).
                let message = report.message.replace("(exact bytes)", "(the signed lines, byte for byte)");
                report.message = format!("{message}; the signed text is one contiguous region of the page");
            }
            return report;
        }
    }
    report.message = match opts.loosest {
        Level::Exact => {
            "the page holds no signed version as one contiguous region, byte for byte (try without --profile exact)"
                .into()
        }
        l => format!("the page holds no signed version as one contiguous region, even under {}", l.id()),
    };
    report.closest = closest_in_page(signed, roots, &page, &candidates);
    let withheld = withheld_candidates(signed);
    if withheld > 0 {
        report.notes.push(format!(
            "the texts of {withheld} signed version{} are not in the bundle (withheld; their hashes are), so the page was searched only for the texts it carries",
            if withheld == 1 { "" } else { "s" }
        ));
    }
    report
}

/// The closest version to a page (§2.7.4): for each candidate, the window of as many of the page's
/// words sharing the most words with it; the best candidate's diff against that window, capped.
fn closest_in_page(
    signed: &Signed<'_>,
    roots: &Keyring,
    page: &PageText,
    candidates: &[(Digest, u64, String)],
) -> Option<Closest> {
    let lower: Vec<String> = page.words.iter().map(|w| w.to_lowercase()).collect();
    // Best so far: (score, seq, version, window start, window length, candidate words).
    let mut best: Option<(u32, u64, Digest, usize, usize, Vec<String>)> = None;
    for (h, seq, text) in candidates {
        let words = words_v2(text);
        if words.is_empty() {
            continue;
        }
        let mut need: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for w in &words {
            *need.entry(w.to_lowercase()).or_insert(0) += 1;
        }
        let n = words.len().min(lower.len());
        let mut have: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        let (mut overlap, mut top, mut top_at) = (0i64, -1i64, 0usize);
        for (i, w) in lower.iter().enumerate() {
            let c = have.entry(w.as_str()).or_insert(0);
            *c += 1;
            if *c <= need.get(w.as_str()).copied().unwrap_or(0) {
                overlap += 1;
            }
            if i >= n {
                let out = lower[i - n].as_str();
                let c = have.entry(out).or_insert(0);
                if *c <= need.get(out).copied().unwrap_or(0) {
                    overlap -= 1;
                }
                *c -= 1;
            }
            if i + 1 >= n && overlap > top {
                (top, top_at) = (overlap, i + 1 - n);
            }
        }
        let score = u32::try_from(top.max(0) * 100 / words.len().max(1) as i64).unwrap_or(0);
        if best.as_ref().is_none_or(|b| (score, *seq) > (b.0, b.1)) {
            best = Some((score, *seq, *h, top_at, n, words));
        }
    }
    let (pct, _, h, at, n, words) = best?;
    let v = signed.version(&h).ok()?;
    let a = words.join(" ");
    let b = page.words.get(at..at + n).map(|w| w.join(" ")).unwrap_or_default();
    let mut diff = word_diff(&a, &b);
    let omitted = cap_diff(&mut diff, PAGE_DIFF_CHANGES);
    let releases = signed.index.releases_of_version(&h).into_iter().map(|r| format!("{}@{}", r.work, r.tag)).collect();
    Some(Closest {
        version: version_view(signed, roots, &v),
        releases,
        similarity_percent: pct,
        words: word_stats(&a, &b),
        diff,
        changes_omitted: omitted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first `i` where `needle` occurs in `hay`, the slow and obvious way.
    fn naive(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn find_run_is_the_first_occurrence() {
        // Every haystack of up to 7 items and needle of up to 4 over a two-letter alphabet: every
        // overlap and partial match the failure function has to handle.
        for hn in 0..=7u32 {
            for hbits in 0..(1u32 << hn) {
                let hay: Vec<u8> = (0..hn).map(|i| (hbits >> i & 1) as u8).collect();
                for nn in 0..=4u32 {
                    for nbits in 0..(1u32 << nn) {
                        let needle: Vec<u8> = (0..nn).map(|i| (nbits >> i & 1) as u8).collect();
                        assert_eq!(find_run(&hay, &needle), naive(&hay, &needle), "{hay:?} {needle:?}");
                    }
                }
            }
        }
        // Longer needles with self-overlap.
        let hay = b"aabaabaaabaabaabaaab";
        for needle in [&b"aabaabaaab"[..], b"abaab", b"baaab", b"aab", b"aaaa", b"aabaabaabaaab"] {
            assert_eq!(find_run(hay, needle), naive(hay, needle), "{needle:?}");
        }
    }

    #[test]
    fn a_page_holds_a_region_only_when_it_is_contiguous() {
        let page = PageText::new("Site header\nOne two.\nThree four.\nComments: five\n");
        assert!(page.holds("One two.\nThree four.\n", Level::Exact));
        assert!(page.holds("One two.\n\nThree four.\n", Level::Exact), "blank lines are not lines of a page");
        assert!(!page.holds("One two.\nComments: five\n", Level::Exact), "not contiguous");
        assert!(!page.holds("one two.\nThree four.\n", Level::Exact));
        assert!(page.holds("One two.  \r\nThree four.\t\r\n", Level::TEXT), "trailing whitespace and CRLF");
        assert!(!page.holds("One two.  \r\nThree four.\t\r\n", Level::Exact));
        assert!(!page.holds("One two.\nComments: five\n", Level::TEXT));
        assert!(page.holds("One two.  Three\nfour.", Level::WORDS));
        assert!(!page.holds("ONE two. Three four.", Level::WORDS), "words/v2 keeps case");
        assert!(!page.holds("two four", Level::WORDS));
        let r = page.region("Three four.").expect("a region");
        assert_eq!((r.words_before, r.words_after), (4, 2));
        let r = page.region("Site header One two. Three four. Comments: five").expect("the whole page");
        assert_eq!((r.words_before, r.words_after), (0, 0));
        assert!(page.region("six").is_none());
        assert!(page.region("").is_none());
    }
}
