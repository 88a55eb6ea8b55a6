//! The lean in-memory state of an audit (spec/ledger.md §11): only what the state rules of §6
//! consult, in compact form, so that auditing a million-entry ledger needs tens of megabytes,
//! not gigabytes. Look-ups the rules never make (prefixes, content hashes, listings) answer
//! nothing here; audits do not make them either.

use super::{EntryLoc, KeyInfo, ReleaseInfo, Revocation, VersionInfo};
use crate::entry::{Body, ParsedLine, Role, TextRole};
use crate::hash::Digest;
use crate::keys::{KeyId, PublicKey};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A version as the rules need it: 16 bytes beside its hash.
#[derive(Clone, Copy, Debug)]
struct Version {
    work: u32,
    lang: u32,
    role: TextRole,
    /// Position in `hashes` of the original this translation renders.
    of: Option<u32>,
}

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
pub(super) struct LeanIndex {
    origin: Option<String>,
    owner: Option<KeyId>,
    count: u64,
    keys: HashMap<KeyId, KeyInfo>,
    key_order: Vec<KeyId>,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    hashes: Vec<Digest>,
    versions: HashMap<Digest, (u32, Version)>,
    /// (work, lang) → (latest version hash, its sha256, how many versions).
    latest: HashMap<(u32, u32), (Digest, Digest, u32)>,
    originals: HashMap<u32, u32>,
    releases: HashMap<Digest, Release>,
    tags: HashSet<(u32, Box<str>)>,
}

impl LeanIndex {
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

    pub(super) fn key(&self, id: &KeyId) -> Option<KeyInfo> {
        self.keys.get(id).cloned()
    }

    pub(super) fn keys(&self) -> Vec<KeyInfo> {
        self.key_order.iter().filter_map(|id| self.keys.get(id).cloned()).collect()
    }

    pub(super) fn entry(&self, _: &Digest) -> Option<EntryLoc> {
        None
    }

    pub(super) fn entry_at(&self, _: u64) -> Option<(Digest, EntryLoc)> {
        None
    }

    pub(super) fn kind(&self, h: &Digest) -> Option<String> {
        if self.versions.contains_key(h) {
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
            of: v.of.and_then(|i| self.hashes.get(i as usize).copied()),
            signer: KeyId([0; 16]),
            time: String::new(),
            note: None,
        }
    }

    pub(super) fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        let (_, v) = self.versions.get(hash)?;
        let latest = self.latest.get(&(v.work, v.lang)).filter(|l| &l.0 == hash);
        Some(self.info(*hash, v, latest.map_or(0, |l| u64::from(l.2)), latest.map(|l| l.1)))
    }

    pub(super) fn versions_of(&self, _: &str, _: &str) -> Vec<Digest> {
        Vec::new()
    }

    pub(super) fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        let key = (self.id_of(work)?, self.id_of(lang)?);
        let (hash, sha, n) = self.latest.get(&key)?;
        let (_, v) = self.versions.get(hash)?;
        Some(self.info(*hash, v, u64::from(*n), Some(*sha)))
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
                    k.revoked = Some(Revocation { seq: e.seq, reason: r.reason, entry: hash });
                }
            }
            Body::Version(v) => {
                let work = self.intern(&v.work);
                let lang = self.intern(&v.lang);
                let of = v.of.and_then(|o| self.versions.get(&o).map(|(i, _)| *i));
                let pos = self.hashes.len() as u32;
                self.hashes.push(hash);
                self.versions.insert(hash, (pos, Version { work, lang, role: v.role, of }));
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
        self.keys.insert(id, KeyInfo { key, name, roles, seq, registered_by: by, entry, revoked: None });
    }
}
