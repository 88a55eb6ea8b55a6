//! `colophon status` (spec/cli.md §3): per work, where its translations stand — the latest
//! release, translations that render an outdated original (with what changed in the original
//! since), drafts newer than the latest release, and who cosigned each release.
//!
//! Only signed lines decide (spec/verify.md §2.3, §4): the index *finds* works, versions and
//! releases; every fact reported — a version's number, what it renders, a release's versions and
//! cosigners, a text — is read from its entry's own line through [`Signed`], and texts are rebuilt
//! from signed scripts and checked against signed hashes (spec/ledger.md §8.5). When the index
//! disagrees with a line, [`Signed::disagreed`] says so and the caller rebuilds and asks again.

use crate::format::diff::{ChangeKind, Chunk, WordStats, word_diff};
use crate::format::entry::TextRole;
use crate::format::hash::Digest;
use crate::format::keys::KeyId;
use crate::log::content::{ReconstructError, reconstruct_with};
use crate::log::index::VersionInfo;
use crate::verify::signed::{Signed, Store};
use serde::Serialize;

/// A version, as its signed line states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionRef {
    /// Entry hash.
    pub entry: Digest,
    /// `WORK:LANG@N`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Language.
    pub lang: String,
    /// N, counted along the signed `parent` members.
    pub number: u64,
    /// Seq of its entry.
    pub seq: u64,
    /// The signer's claimed time.
    pub time: String,
}

impl VersionRef {
    fn of(v: &VersionInfo) -> VersionRef {
        VersionRef {
            entry: v.hash,
            reference: format!("{}:{}@{}", v.work, v.lang, v.number),
            lang: v.lang.clone(),
            number: v.number,
            seq: v.seq,
            time: v.time.clone(),
        }
    }
}

/// A key that signed, with the name its signed registration gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyRef {
    /// Key id.
    pub key_id: KeyId,
    /// Holder's name.
    pub name: String,
}

/// A release, as its signed line states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseRef {
    /// Entry hash.
    pub entry: Digest,
    /// `WORK@TAG`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Tag.
    pub tag: String,
    /// Seq of its entry.
    pub seq: u64,
    /// The signer's claimed time.
    pub time: String,
    /// Its signer.
    pub signer: KeyRef,
    /// The translation released.
    pub translation: VersionRef,
    /// The original it renders.
    pub original: VersionRef,
    /// The keys that cosigned it (spec/ledger.md §6.7), in ledger order.
    pub cosigners: Vec<KeyRef>,
}

/// What changed in the original between the version a translation renders and the latest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OriginalChanges {
    /// The original version rendered.
    pub from: VersionRef,
    /// The latest original version.
    pub to: VersionRef,
    /// Words added and removed; `None` when a text is not in the ledger.
    pub words: Option<WordStats>,
    /// The word diff from `from` to `to`; empty when a text is not in the ledger.
    pub diff: Vec<Chunk>,
    /// Why there is no diff, when there is none.
    pub diff_unavailable: Option<String>,
}

/// Where one translation language of a work stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TranslationStatus {
    /// Language.
    pub lang: String,
    /// Its latest version.
    pub latest: VersionRef,
    /// The original version the latest version renders.
    pub renders: VersionRef,
    /// Whether the original has a later version than the one rendered.
    pub stale: bool,
    /// When stale, what changed in the original since.
    pub original_changes: Option<OriginalChanges>,
    /// The latest release of this translation language.
    pub latest_release: Option<String>,
    /// Versions after the one the latest release of this language holds (all of them when there is
    /// no release): drafts not yet released, oldest first.
    pub drafts: Vec<VersionRef>,
}

/// Where one work stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkStatus {
    /// Work id.
    pub work: String,
    /// Its latest original version (none when only translations are recorded, which the state
    /// rules make impossible for a translation that names its original, but a work may have
    /// nothing yet).
    pub original: Option<VersionRef>,
    /// The latest release of the work, in ledger order.
    pub latest_release: Option<ReleaseRef>,
    /// Every release of the work, in ledger order.
    pub releases: Vec<ReleaseRef>,
    /// Its translation languages, sorted.
    pub translations: Vec<TranslationStatus>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// Works, sorted by id.
    pub works: Vec<WorkStatus>,
}

impl StatusReport {
    /// Translations that render an outdated original, over all works.
    pub fn stale_count(&self) -> usize {
        self.works.iter().flat_map(|w| &w.translations).filter(|t| t.stale).count()
    }
}

fn key_ref(signed: &Signed<'_>, id: &KeyId) -> KeyRef {
    KeyRef { key_id: *id, name: signed.key(id).map(|k| k.name).unwrap_or_default() }
}

/// A version's text, rebuilt from signed lines and checked against its signed hash.
fn text_of(signed: &Signed<'_>, h: &Digest) -> Result<String, ReconstructError> {
    match signed.store {
        Store::Ledger(lines) => crate::log::content::reconstruct(lines, signed.index, h),
        Store::Bundle(map, texts) => match texts.get(h) {
            // A text the bundle carries was checked against its signed hashes when it was opened.
            Some(t) => Ok(t.clone()),
            None => reconstruct_with(h, |x| map.get(x).cloned().ok_or(ReconstructError::NotAVersion(*x))),
        },
    }
}

fn changes(signed: &Signed<'_>, from: VersionRef, to: VersionRef) -> OriginalChanges {
    match (text_of(signed, &from.entry), text_of(signed, &to.entry)) {
        (Ok(a), Ok(b)) => {
            let diff = word_diff(&a, &b);
            let mut words = WordStats::default();
            for c in &diff {
                let n = c.text.split_whitespace().count() as u64;
                match c.kind {
                    ChangeKind::Insert => words.words_added += n,
                    ChangeKind::Delete => words.words_removed += n,
                    ChangeKind::Equal => {}
                }
            }
            OriginalChanges { from, to, words: Some(words), diff, diff_unavailable: None }
        }
        (Err(e), _) | (_, Err(e)) => {
            OriginalChanges { from, to, words: None, diff: Vec::new(), diff_unavailable: Some(e.to_string()) }
        }
    }
}

/// The report for every work, or for `work` only. `Err` names a work that is not in the ledger,
/// or a signed line that could not be read.
pub fn status(signed: &Signed<'_>, work: Option<&str>) -> Result<StatusReport, String> {
    let index = signed.index;
    let pairs = index.work_langs();
    let mut works: Vec<String> = pairs.iter().map(|(w, _)| w.clone()).collect();
    works.sort();
    works.dedup();
    if let Some(w) = work {
        if !works.iter().any(|x| x == w) {
            return Err(if works.is_empty() {
                format!("no work named {w:?} in the ledger, which has no works yet; record one with `colophon record`")
            } else {
                format!("no work named {w:?} in the ledger; give one of its works: {}", works.join(", "))
            });
        }
        works.retain(|x| x == w);
    }
    let mut out = Vec::new();
    for w in works {
        let langs: Vec<&String> = pairs.iter().filter(|(x, _)| *x == w).map(|(_, l)| l).collect();
        // The original: the language whose versions are originals, by their signed lines.
        let mut original: Option<VersionInfo> = None;
        let mut translations: Vec<VersionInfo> = Vec::new();
        for l in langs {
            let Some(latest) = index.versions_of(&w, l).last().copied() else { continue };
            let v = signed.version(&latest)?;
            match v.role {
                TextRole::Original => original = Some(v),
                TextRole::Translation => translations.push(v),
            }
        }
        let mut releases = Vec::new();
        for r in index.releases(Some(&w)) {
            let info = signed.release(&r.hash)?;
            let t = signed.version(&info.translation)?;
            let o = signed.version(&info.original)?;
            releases.push(ReleaseRef {
                entry: info.hash,
                reference: format!("{}@{}", info.work, info.tag),
                tag: info.tag.clone(),
                seq: info.seq,
                time: info.time.clone(),
                signer: key_ref(signed, &info.signer),
                translation: VersionRef::of(&t),
                original: VersionRef::of(&o),
                cosigners: info.cosigners.iter().map(|(k, _, _)| key_ref(signed, k)).collect(),
            });
        }
        releases.sort_by_key(|r| r.seq);
        let mut t_status = Vec::new();
        for t in translations {
            let Some(of) = t.of else { continue };
            let renders = VersionRef::of(&signed.version(&of)?);
            let stale = original.as_ref().is_some_and(|o| o.hash != of && o.seq > renders.seq);
            let original_changes = match (&original, stale) {
                (Some(o), true) => Some(changes(signed, renders.clone(), VersionRef::of(o))),
                _ => None,
            };
            let release = releases.iter().rev().find(|r| r.translation.lang == t.lang);
            let released_number = release.map_or(0, |r| r.translation.number);
            let mut drafts = Vec::new();
            for h in index.versions_of(&w, &t.lang) {
                let v = signed.version(&h)?;
                if v.number > released_number {
                    drafts.push(VersionRef::of(&v));
                }
            }
            t_status.push(TranslationStatus {
                lang: t.lang.clone(),
                latest: VersionRef::of(&t),
                renders,
                stale,
                original_changes,
                latest_release: release.map(|r| r.reference.clone()),
                drafts,
            });
        }
        t_status.sort_by(|a, b| a.lang.cmp(&b.lang));
        out.push(WorkStatus {
            work: w.clone(),
            original: original.as_ref().map(VersionRef::of),
            latest_release: releases.last().cloned(),
            releases,
            translations: t_status,
        });
    }
    Ok(StatusReport { works: out })
}
