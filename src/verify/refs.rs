//! REFs: how users name entries on the command line (spec/cli.md §2).
//!
//! `a1b2c3d4…` (an entry hash prefix of at least 8 hex digits), `WORK:LANG` (latest version),
//! `WORK:LANG@N` (N-th version, 1-based), `WORK@TAG` (a release).

use crate::format::entry::canonical_lang;
use crate::format::hash::Digest;
use crate::log::index::Index;

/// The shortest accepted hash prefix.
pub const MIN_PREFIX: usize = 8;

/// Resolves a REF against the index, explaining failures in terms the user typed.
pub fn resolve(index: &Index, r: &str) -> Result<Digest, String> {
    let r = r.trim();
    if let Some((work, tag)) = r.split_once('@').filter(|(w, _)| !w.contains(':')) {
        return index.release_by_tag(work, tag).map(|rel| rel.hash).ok_or_else(|| {
            let tags: Vec<String> = index.releases(Some(work)).into_iter().map(|x| x.tag).collect();
            if tags.is_empty() {
                format!("{r}: work {work:?} has no releases")
            } else {
                format!("{r}: work {work:?} has no release tagged {tag:?} (its tags: {})", tags.join(", "))
            }
        });
    }
    if let Some((work, rest)) = r.split_once(':') {
        let (lang, n) = match rest.split_once('@') {
            Some((l, n)) => {
                let n: u64 = n.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    format!("{r}: the version number after @ must be a whole number from 1, e.g. {work}:{l}@1")
                })?;
                (l, Some(n))
            }
            None => (rest, None),
        };
        let lang = canonical_lang(lang).map_err(|e| format!("{r}: {e}"))?;
        let versions = index.versions_of(work, &lang);
        if versions.is_empty() {
            let known: Vec<String> =
                index.work_langs().into_iter().filter(|(w, _)| w == work).map(|(w, l)| format!("{w}:{l}")).collect();
            return Err(if known.is_empty() {
                format!("{r}: no versions of work {work:?} are recorded")
            } else {
                format!("{r}: no versions of {work}:{lang} (recorded: {})", known.join(", "))
            });
        }
        return match n {
            None => versions.last().copied().ok_or_else(|| format!("{r}: no versions")),
            Some(n) => versions.get((n - 1) as usize).copied().ok_or_else(|| {
                format!("{r}: {work}:{lang} has {} version(s); use @1 to @{}", versions.len(), versions.len())
            }),
        };
    }
    let lower = r.to_ascii_lowercase();
    if lower.len() >= MIN_PREFIX && lower.len() <= 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        let found = index.entries_with_prefix(&lower);
        return match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("{r}: no entry hash starts with {lower}")),
            many => Err(format!(
                "{r}: ambiguous; {} entries start with it (e.g. {}, {}); type more digits",
                many.len(),
                many[0].short(16),
                many[1].short(16)
            )),
        };
    }
    if lower.bytes().all(|b| b.is_ascii_hexdigit()) && !lower.is_empty() {
        return Err(format!("{r}: a hash prefix needs at least {MIN_PREFIX} hex digits"));
    }
    Err(format!("{r}: not a REF; use an entry hash prefix (8+ hex digits), WORK:LANG, WORK:LANG@N or WORK@TAG"))
}
