//! The lean state of an audit (spec/ledger.md §11): only what the state rules of §6 consult, in
//! compact form. Every version must be remembered (a later `of` or release may name it), so past
//! [`SPILL_AT`] versions they move to a [`Spill`] (a temporary SQLite file, from the store layer):
//! memory then grows only with the number of works, not of entries. Look-ups the rules never make (prefixes, content hashes,
//! listings) answer nothing here; audits do not make them either.

use super::{EntryLoc, KeyInfo, ReleaseInfo, Revocation, VersionInfo};
use crate::format::entry::{Body, ParsedLine, Role, TextRole};
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, PublicKey};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Versions kept in memory before they are moved to disk: about 90 MB of them (a version costs
/// about 88 bytes in the map). A million-entry ledger's fit, and its audit then writes nothing:
/// spilling from 65,536 on cost a twentieth of the audit's CPU in SQLite and the kernel
/// (bench/README.md, P2).
pub(super) const SPILL_AT: usize = if cfg!(test) { 32 } else { 1 << 20 };

/// A version as the rules need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Version {
    pub(crate) work: u32,
    pub(crate) lang: u32,
    pub(crate) role: TextRole,
    /// The original this translation renders.
    pub(crate) of: Option<Digest>,
}

/// Where an audit's state moves versions once it holds [`SPILL_AT`] of them, so memory grows with
/// the number of works, not of entries. The store layer provides one on disk
/// (`crate::store::index_db::spill`); without one (a browser), versions stay in memory.
pub(crate) trait Spill: std::fmt::Debug + Send {
    /// Stores these versions; false if it could not (the state then keeps them in memory).
    fn put(&self, batch: &HashMap<Digest, Version>) -> bool;
    /// A version stored earlier.
    fn get(&self, h: &Digest) -> Option<Version>;
}

/// Makes a [`Spill`] when the first one is needed; `None` if none can be made.
pub(crate) type SpillFactory = fn() -> Option<Box<dyn Spill>>;

#[derive(Clone, Debug)]
struct Release {
    work: u32,
    tag: Box<str>,
    translation: Digest,
    original: Digest,
    signer: KeyId,
    cosigners: Vec<KeyId>,
}

#[derive(Debug, Default)]
pub(super) struct AuditState {
    origin: Option<String>,
    owner: Option<KeyId>,
    count: u64,
    keys: HashMap<KeyId, std::sync::Arc<KeyInfo>>,
    key_order: Vec<KeyId>,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    versions: HashMap<Digest, Version>,
    spill: Option<Box<dyn Spill>>,
    /// How to make the spill (none: keep every version in memory).
    pub(super) spill_factory: Option<SpillFactory>,
    /// The spill could not be created or written: keep everything in memory instead.
    no_spill: bool,
    /// (work, lang) → (latest version hash, its sha256, how many versions).
    latest: HashMap<(u32, u32), (Digest, Digest, u32)>,
    originals: HashMap<u32, u32>,
    releases: HashMap<Digest, Release>,
    tags: HashSet<(u32, Box<str>)>,
}

impl AuditState {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.name_ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.name_ids.insert(s.into(), i);
        i
    }

    fn name(&self, i: u32) -> String {
        self.names.get(i as usize).map_or_else(String::new, |s| s.to_string())
    }

    fn id_of(&self, s: &str) -> Option<u32> {
        self.name_ids.get(s).copied()
    }

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
        self.keys.get(id).cloned()
    }

    pub(super) fn keys(&self) -> Vec<KeyInfo> {
        self.key_order.iter().filter_map(|id| self.keys.get(id).map(|k| KeyInfo::clone(k))).collect()
    }

    pub(super) fn entry(&self, _: &Digest) -> Option<EntryLoc> {
        None
    }

    pub(super) fn entry_at(&self, _: u64) -> Option<(Digest, EntryLoc)> {
        None
    }

    pub(super) fn kind(&self, h: &Digest) -> Option<String> {
        if self.lookup(h).is_some() {
            Some("version".into())
        } else if self.releases.contains_key(h) {
            Some("release".into())
        } else {
            None
        }
    }

    pub(super) fn entries_with_prefix(&self, _: &str) -> Vec<Digest> {
        Vec::new()
    }

    fn info(&self, hash: Digest, v: &Version, number: u64, sha256: Option<Digest>) -> VersionInfo {
        VersionInfo {
            hash,
            seq: 0,
            number,
            work: self.name(v.work),
            lang: self.name(v.lang),
            role: v.role,
            sha256: sha256.unwrap_or(Digest([0; 32])),
            size: 0,
            norm: BTreeMap::new(),
            has_diff: false,
            stats: None,
            media_type: String::new(),
            parent: None,
            of: v.of,
            signer: KeyId([0; 16]),
            time: String::new(),
            note: None,
        }
    }

    fn lookup(&self, hash: &Digest) -> Option<Version> {
        self.versions.get(hash).copied().or_else(|| self.spill.as_ref().and_then(|s| s.get(hash)))
    }

    pub(super) fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        let v = self.lookup(hash)?;
        let latest = self.latest.get(&(v.work, v.lang)).filter(|l| &l.0 == hash);
        Some(self.info(*hash, &v, latest.map_or(0, |l| u64::from(l.2)), latest.map(|l| l.1)))
    }

    pub(super) fn versions_of(&self, _: &str, _: &str) -> Vec<Digest> {
        Vec::new()
    }

    pub(super) fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        let key = (self.id_of(work)?, self.id_of(lang)?);
        let (hash, sha, n) = self.latest.get(&key)?;
        let v = self.lookup(hash)?;
        Some(self.info(*hash, &v, u64::from(*n), Some(*sha)))
    }

    pub(super) fn work_langs(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self.latest.keys().map(|(w, l)| (self.name(*w), self.name(*l))).collect();
        v.sort();
        v
    }

    pub(super) fn versions_with_sha256(&self, _: &Digest) -> Vec<Digest> {
        Vec::new()
    }

    pub(super) fn versions_with_norm(&self, _: &str, _: &Digest) -> Vec<Digest> {
        Vec::new()
    }

    pub(super) fn original_lang(&self, work: &str) -> Option<String> {
        self.originals.get(&self.id_of(work)?).map(|l| self.name(*l))
    }

    fn release_info(&self, hash: Digest, r: &Release) -> ReleaseInfo {
        ReleaseInfo {
            hash,
            seq: 0,
            work: self.name(r.work),
            tag: r.tag.to_string(),
            translation: r.translation,
            original: r.original,
            signer: r.signer,
            time: String::new(),
            urls: Vec::new(),
            cosigners: r.cosigners.iter().map(|k| (*k, 0, Digest([0; 32]))).collect(),
        }
    }

    pub(super) fn release(&self, hash: &Digest) -> Option<ReleaseInfo> {
        self.releases.get(hash).map(|r| self.release_info(*hash, r))
    }

    pub(super) fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo> {
        // The rules only ask whether the tag is taken.
        let w = self.id_of(work)?;
        if !self.tags.contains(&(w, tag.into())) {
            return None;
        }
        self.releases.iter().find(|(_, r)| r.work == w && &*r.tag == tag).map(|(h, r)| self.release_info(*h, r))
    }

    pub(super) fn releases(&self, _: Option<&str>) -> Vec<ReleaseInfo> {
        Vec::new()
    }

    pub(super) fn releases_of_version(&self, _: &Digest) -> Vec<ReleaseInfo> {
        Vec::new()
    }

    pub(super) fn rejected(&self) -> (u64, Vec<(u64, String)>) {
        (0, Vec::new())
    }

    /// A line that did not enter the state: the audit's state does not count lines.
    pub(super) fn skip(&mut self) {}

    pub(super) fn apply(&mut self, p: &ParsedLine, _offset: u64) {
        let e = &p.entry;
        let hash = p.hash;
        self.count += 1;
        match &e.body {
            Body::Genesis(g) => {
                self.origin = Some(g.origin.clone());
                self.owner = Some(g.key.id());
                self.add_key(g.key, g.name.clone(), vec![Role::Owner], e.seq, e.signer, hash);
            }
            Body::Key(k) => self.add_key(k.key, k.name.clone(), k.roles.clone(), e.seq, e.signer, hash),
            Body::Revoke(r) => {
                if let Some(k) = self.keys.get_mut(&r.key) {
                    std::sync::Arc::make_mut(k).revoked =
                        Some(Revocation { seq: e.seq, reason: r.reason, entry: hash });
                }
            }
            Body::Version(v) => {
                let work = self.intern(&v.work);
                let lang = self.intern(&v.lang);
                self.versions.insert(hash, Version { work, lang, role: v.role, of: v.of });
                if self.versions.len() >= SPILL_AT && !self.no_spill {
                    if self.spill.is_none() {
                        self.spill = self.spill_factory.and_then(|f| f());
                    }
                    match &self.spill {
                        Some(s) if s.put(&self.versions) => self.versions.clear(),
                        _ => self.no_spill = true,
                    }
                }
                let n = self.latest.get(&(work, lang)).map_or(0, |l| l.2) + 1;
                self.latest.insert((work, lang), (hash, v.sha256, n));
                if v.role == TextRole::Original {
                    self.originals.entry(work).or_insert(lang);
                }
            }
            Body::Release(r) => {
                let work = self.intern(&r.work);
                self.tags.insert((work, r.tag.as_str().into()));
                self.releases.insert(
                    hash,
                    Release {
                        work,
                        tag: r.tag.as_str().into(),
                        translation: r.translation,
                        original: r.original,
                        signer: e.signer,
                        cosigners: Vec::new(),
                    },
                );
            }
            Body::Cosign(c) => {
                if let Some(r) = self.releases.get_mut(&c.release) {
                    r.cosigners.push(e.signer);
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
        self.keys.insert(
            id,
            std::sync::Arc::new(KeyInfo { key, name, roles, seq, registered_by: by, entry, revoked: None }),
        );
    }
}
