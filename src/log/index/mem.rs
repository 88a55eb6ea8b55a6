//! The in-memory index: everything in hash maps, built in one pass (audits, bundles, and ledgers
//! whose directory cannot hold a persistent index).

use super::{EntryLoc, KeyInfo, ReleaseInfo, Revocation, VersionInfo, release_info, version_info};
use crate::format::entry::{Body, ParsedLine, Role, TextRole};
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, PublicKey};
use std::collections::{BTreeMap, HashMap};

/// How many rejected lines an index reports by name (the rest are counted).
pub(crate) const REJECTED_SHOWN: usize = 5;

#[derive(Debug, Default)]
pub(super) struct MemIndex {
    origin: Option<String>,
    owner: Option<KeyId>,
    count: u64,
    keys: HashMap<KeyId, KeyInfo>,
    key_order: Vec<KeyId>,
    entries: BTreeMap<Digest, EntryLoc>,
    by_seq: Vec<Digest>,
    kinds: HashMap<Digest, String>,
    versions: HashMap<Digest, VersionInfo>,
    by_work_lang: BTreeMap<(String, String), Vec<Digest>>,
    by_sha256: HashMap<Digest, Vec<Digest>>,
    by_norm: HashMap<(String, Digest), Vec<Digest>>,
    original_lang: HashMap<String, String>,
    releases: HashMap<Digest, ReleaseInfo>,
    by_work_tag: BTreeMap<(String, String), Digest>,
    /// Stored Merkle hashes (spec/transparency.md §2), kept only when proofs may be asked for.
    pub(super) hashes: Option<Vec<Digest>>,
    /// Lines that did not enter the state: (seq, why).
    rejected: Vec<(u64, String)>,
}

impl MemIndex {
    pub(super) fn len(&self) -> u64 {
        self.count
    }

    pub(super) fn origin(&self) -> Option<String> {
        self.origin.clone()
    }

    pub(super) fn owner(&self) -> Option<KeyId> {
        self.owner
    }

    pub(super) fn key(&self, id: &KeyId) -> Option<std::sync::Arc<KeyInfo>> {
        self.keys.get(id).cloned().map(std::sync::Arc::new)
    }

    pub(super) fn keys(&self) -> Vec<KeyInfo> {
        self.key_order.iter().filter_map(|id| self.keys.get(id).cloned()).collect()
    }

    pub(super) fn entry(&self, hash: &Digest) -> Option<EntryLoc> {
        self.entries.get(hash).copied()
    }

    pub(super) fn entry_at(&self, seq: u64) -> Option<(Digest, EntryLoc)> {
        // Ledgers apply every line in order; bundles skip some, so check the position matches.
        let h = *self.by_seq.get(usize::try_from(seq).ok()?)?;
        self.entries.get(&h).filter(|l| l.seq == seq).map(|l| (h, *l))
    }

    pub(super) fn kind(&self, hash: &Digest) -> Option<String> {
        self.kinds.get(hash).cloned()
    }

    pub(super) fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest> {
        // Digests sort by bytes, which is the order of their hex spelling, so the matches are one
        // contiguous range starting at the prefix padded with zeros.
        let Some(start) = prefix_start(prefix) else { return Vec::new() };
        self.entries.range(start..).map(|(d, _)| *d).take_while(|d| d.to_hex().starts_with(prefix)).take(16).collect()
    }

    pub(super) fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        self.versions.get(hash).cloned()
    }

    pub(super) fn versions_of(&self, work: &str, lang: &str) -> Vec<Digest> {
        self.by_work_lang.get(&(work.to_string(), lang.to_string())).cloned().unwrap_or_default()
    }

    pub(super) fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        let list = self.by_work_lang.get(&(work.to_string(), lang.to_string()))?;
        list.last().and_then(|h| self.versions.get(h)).cloned()
    }

    pub(super) fn work_langs(&self) -> Vec<(String, String)> {
        self.by_work_lang.keys().cloned().collect()
    }

    pub(super) fn versions_with_sha256(&self, d: &Digest) -> Vec<Digest> {
        self.by_sha256.get(d).cloned().unwrap_or_default()
    }

    pub(super) fn versions_with_norm(&self, profile: &str, d: &Digest) -> Vec<Digest> {
        self.by_norm.get(&(profile.to_string(), *d)).cloned().unwrap_or_default()
    }

    pub(super) fn original_lang(&self, work: &str) -> Option<String> {
        self.original_lang.get(work).cloned()
    }

    pub(super) fn release(&self, hash: &Digest) -> Option<ReleaseInfo> {
        self.releases.get(hash).cloned()
    }

    pub(super) fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo> {
        self.by_work_tag.get(&(work.to_string(), tag.to_string())).and_then(|h| self.releases.get(h)).cloned()
    }

    pub(super) fn releases(&self, work: Option<&str>) -> Vec<ReleaseInfo> {
        let mut v: Vec<ReleaseInfo> =
            self.releases.values().filter(|r| work.is_none_or(|w| r.work == w)).cloned().collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    pub(super) fn releases_of_version(&self, version: &Digest) -> Vec<ReleaseInfo> {
        let mut v: Vec<ReleaseInfo> =
            self.releases.values().filter(|r| &r.translation == version || &r.original == version).cloned().collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    pub(super) fn rejections(&self) -> BTreeMap<u64, String> {
        self.rejected
            .iter()
            .filter(|(_, why)| why.ends_with("; ignored"))
            .map(|(seq, why)| (*seq, why.trim_end_matches("; ignored").to_string()))
            .collect()
    }

    pub(super) fn rejection(&self, hash: &Digest) -> Option<String> {
        let loc = self.entries.get(hash).filter(|l| !l.in_state)?;
        self.rejected
            .iter()
            .find(|(seq, _)| *seq == loc.seq)
            .map(|(_, why)| why.trim_end_matches("; ignored").to_string())
    }

    pub(super) fn rejected(&self) -> (u64, Vec<(u64, String)>) {
        (self.rejected.len() as u64, self.rejected.iter().take(REJECTED_SHOWN).cloned().collect())
    }

    /// Applies a line: to the state when `in_state`, else only to the list of lines; `problem`
    /// is what an audit reports for it.
    pub(super) fn apply(&mut self, p: &ParsedLine, offset: u64, in_state: bool, problem: Option<&str>) {
        let e = &p.entry;
        let hash = p.hash;
        if let Some(hashes) = self.hashes.as_mut() {
            // Records arrive in order, so the hashes they depend on are already stored.
            if let Ok(new) = crate::log::merkle::stored_hashes(e.seq, p.leaf, hashes.as_slice()) {
                hashes.extend(new);
            }
        }
        self.count += 1;
        self.entries.insert(hash, EntryLoc { seq: e.seq, offset, len: p.len, in_state });
        self.by_seq.push(hash);
        self.kinds.insert(hash, e.body.kind().to_string());
        if let Some(why) = problem {
            self.rejected.push((e.seq, if in_state { why.to_string() } else { format!("{why}; ignored") }));
        }
        if !in_state {
            return;
        }
        match &e.body {
            Body::Genesis(g) => {
                self.origin = Some(g.origin.clone());
                self.owner = Some(g.key.id());
                self.add_key(g.key, g.name.clone(), vec![Role::Owner], e.seq, e.signer, hash);
            }
            Body::Key(k) => self.add_key(k.key, k.name.clone(), k.roles.clone(), e.seq, e.signer, hash),
            Body::Revoke(r) => {
                if let Some(k) = self.keys.get_mut(&r.key) {
                    k.revoked = Some(Revocation { seq: e.seq, reason: r.reason, entry: hash });
                }
            }
            Body::Version(v) => {
                let list = self.by_work_lang.entry((v.work.clone(), v.lang.clone())).or_default();
                list.push(hash);
                let info = version_info(p, v, list.len() as u64);
                if v.role == TextRole::Original {
                    self.original_lang.entry(v.work.clone()).or_insert_with(|| v.lang.clone());
                }
                self.by_sha256.entry(v.sha256).or_default().push(hash);
                for (profile, d) in &info.norm {
                    self.by_norm.entry((profile.clone(), *d)).or_default().push(hash);
                }
                self.versions.insert(hash, info);
            }
            Body::Release(r) => {
                self.by_work_tag.insert((r.work.clone(), r.tag.clone()), hash);
                self.releases.insert(hash, release_info(p, r));
            }
            Body::Cosign(c) => {
                if let Some(r) = self.releases.get_mut(&c.release) {
                    r.cosigners.push((e.signer, e.seq, hash));
                }
            }
            Body::Unknown { .. } => {}
        }
    }

    fn add_key(&mut self, key: PublicKey, name: String, roles: Vec<Role>, seq: u64, by: KeyId, entry: Digest) {
        let id = key.id();
        if self.keys.contains_key(&id) {
            return;
        }
        self.key_order.push(id);
        self.keys.insert(id, KeyInfo { key, name, roles, seq, registered_by: by, entry, revoked: None });
    }
}

/// The smallest digest with this hex prefix.
pub(crate) fn prefix_start(prefix: &str) -> Option<Digest> {
    let mut lo = prefix.to_string();
    while lo.len() < 64 {
        lo.push('0');
    }
    lo.parse().ok()
}
