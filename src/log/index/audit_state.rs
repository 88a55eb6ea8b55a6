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
    #[cfg_attr(not(feature = "store"), allow(dead_code))]
    /// Every version stored, for a state file (spec/transparency.md §8.1); `None` if they cannot
    /// be read.
    fn all(&self) -> Option<Vec<(Digest, Version)>>;
}

/// The length of a version record in a state file: the entry hash, work and language ids (u32
/// little-endian), the role (0 original, 1 translation), whether `of` is present, and `of` (zeros
/// when absent).
const RECORD: usize = 32 + 4 + 4 + 1 + 1 + 32;

/// The versions of a state file (spec/transparency.md §8.1): records sorted by entry hash, found
/// by binary search, so loading a state never decodes them as a whole.
#[derive(Debug)]
pub(crate) struct VersionTable {
    bytes: Vec<u8>,
}

impl VersionTable {
    /// Records as [`VersionTable::encode`] wrote them; `None` unless every record is well formed
    /// and the hashes strictly increase.
    pub(crate) fn new(bytes: Vec<u8>) -> Option<VersionTable> {
        if !bytes.len().is_multiple_of(RECORD) {
            return None;
        }
        let mut last: Option<&[u8]> = None;
        for r in bytes.chunks_exact(RECORD) {
            if r[40] > 1 || r[41] > 1 || last.is_some_and(|l| l >= &r[..32]) {
                return None;
            }
            last = Some(&r[..32]);
        }
        Some(VersionTable { bytes })
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len() / RECORD
    }

    fn record(&self, i: usize) -> Option<(Digest, Version)> {
        let r = self.bytes.get(i * RECORD..(i + 1) * RECORD)?;
        let u32_at = |at: usize| r.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
        let digest_at = |at: usize| r.get(at..at + 32).and_then(|b| b.try_into().ok()).map(Digest);
        let role = if r[40] == 0 { TextRole::Original } else { TextRole::Translation };
        let of = if r[41] == 1 { Some(digest_at(42)?) } else { None };
        Some((digest_at(0)?, Version { work: u32_at(32)?, lang: u32_at(36)?, role, of }))
    }

    fn get(&self, h: &Digest) -> Option<Version> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = self.bytes.get(mid * RECORD..mid * RECORD + 32)?;
            match at.cmp(&h.0[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.record(mid).map(|(_, v)| v),
            }
        }
        None
    }

    /// The records of `versions`, sorted by hash.
    #[cfg_attr(not(feature = "store"), allow(dead_code))]
    pub(crate) fn encode(mut versions: Vec<(Digest, Version)>) -> Vec<u8> {
        versions.sort_unstable_by_key(|a| a.0);
        versions.dedup_by(|a, b| a.0 == b.0);
        let mut out = Vec::with_capacity(versions.len() * RECORD);
        for (h, v) in versions {
            out.extend_from_slice(&h.0);
            out.extend_from_slice(&v.work.to_le_bytes());
            out.extend_from_slice(&v.lang.to_le_bytes());
            out.push(u8::from(v.role == TextRole::Translation));
            out.push(u8::from(v.of.is_some()));
            out.extend_from_slice(&v.of.map_or([0; 32], |d| d.0));
        }
        out
    }
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
pub(crate) struct AuditState {
    origin: Option<String>,
    owner: Option<KeyId>,
    count: u64,
    keys: HashMap<KeyId, std::sync::Arc<KeyInfo>>,
    key_order: Vec<KeyId>,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    versions: HashMap<Digest, Version>,
    spill: Option<Box<dyn Spill>>,
    /// The versions of the state file an incremental audit resumed from (spec/transparency.md §8.1).
    base: Option<VersionTable>,
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
        self.versions
            .get(hash)
            .copied()
            .or_else(|| self.spill.as_ref().and_then(|s| s.get(hash)))
            .or_else(|| self.base.as_ref().and_then(|b| b.get(hash)))
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

/// The state file's encoding of the lean state (spec/transparency.md §8.1): everything but the
/// versions, which [`AuditState::all_versions`] gives for a [`VersionTable`].
#[cfg_attr(not(feature = "store"), allow(dead_code))]
impl AuditState {
    pub(crate) fn encode(&self, e: &mut crate::log::state_codec::Enc) {
        e.opt_str(self.origin.as_deref());
        e.u8(u8::from(self.owner.is_some()));
        if let Some(o) = &self.owner {
            e.key_id(o);
        }
        e.u64(self.count);
        e.u64(self.key_order.len() as u64);
        for id in &self.key_order {
            let Some(k) = self.keys.get(id) else { continue };
            e.0.extend_from_slice(k.key.0.as_bytes());
            e.str(&k.name);
            e.u64(k.roles.len() as u64);
            for r in &k.roles {
                e.u8(match r {
                    Role::Editor => 0,
                    Role::Owner => 1,
                    Role::Translator => 2,
                });
            }
            e.u64(k.seq);
            e.key_id(&k.registered_by);
            e.digest(&k.entry);
            match &k.revoked {
                None => e.u8(0),
                Some(r) => {
                    e.u8(1);
                    e.u64(r.seq);
                    e.u8(u8::from(r.reason == crate::format::entry::RevokeReason::Compromised));
                    e.digest(&r.entry);
                }
            }
        }
        e.u64(self.names.len() as u64);
        for n in &self.names {
            e.str(n);
        }
        let mut latest: Vec<_> = self.latest.iter().collect();
        latest.sort_unstable_by_key(|(k, _)| **k);
        e.u64(latest.len() as u64);
        for ((w, l), (h, sha, n)) in latest {
            e.u32(*w);
            e.u32(*l);
            e.digest(h);
            e.digest(sha);
            e.u32(*n);
        }
        let mut originals: Vec<_> = self.originals.iter().collect();
        originals.sort_unstable();
        e.u64(originals.len() as u64);
        for (w, l) in originals {
            e.u32(*w);
            e.u32(*l);
        }
        let mut releases: Vec<_> = self.releases.iter().collect();
        releases.sort_unstable_by_key(|(h, _)| **h);
        e.u64(releases.len() as u64);
        for (h, r) in releases {
            e.digest(h);
            e.u32(r.work);
            e.str(&r.tag);
            e.digest(&r.translation);
            e.digest(&r.original);
            e.key_id(&r.signer);
            e.u64(r.cosigners.len() as u64);
            for c in &r.cosigners {
                e.key_id(c);
            }
        }
    }

    pub(crate) fn decode(
        d: &mut crate::log::state_codec::Dec<'_>,
        base: VersionTable,
        spill_factory: Option<SpillFactory>,
    ) -> Option<AuditState> {
        let mut s = AuditState { spill_factory, ..AuditState::default() };
        s.origin = d.opt_str()?;
        s.owner = match d.u8()? {
            0 => None,
            1 => Some(d.key_id()?),
            _ => return None,
        };
        s.count = d.u64()?;
        for _ in 0..d.count()? {
            let pk: [u8; 32] = d.take(32)?.try_into().ok()?;
            let key = PublicKey(ed25519_dalek::VerifyingKey::from_bytes(&pk).ok()?);
            let name = d.str()?;
            let mut roles = Vec::new();
            for _ in 0..d.count()? {
                roles.push(match d.u8()? {
                    0 => Role::Editor,
                    1 => Role::Owner,
                    2 => Role::Translator,
                    _ => return None,
                });
            }
            let seq = d.u64()?;
            let registered_by = d.key_id()?;
            let entry = d.digest()?;
            let revoked = match d.u8()? {
                0 => None,
                1 => Some(Revocation {
                    seq: d.u64()?,
                    reason: match d.u8()? {
                        0 => crate::format::entry::RevokeReason::Retired,
                        1 => crate::format::entry::RevokeReason::Compromised,
                        _ => return None,
                    },
                    entry: d.digest()?,
                }),
                _ => return None,
            };
            let id = key.id();
            if s.keys.contains_key(&id) {
                return None;
            }
            s.key_order.push(id);
            s.keys.insert(id, std::sync::Arc::new(KeyInfo { key, name, roles, seq, registered_by, entry, revoked }));
        }
        let n_names = d.count()?;
        for _ in 0..n_names {
            let n = d.str()?;
            s.intern(&n);
        }
        if s.names.len() != n_names {
            return None;
        }
        let names = s.names.len() as u32;
        let known = |i: u32| (i < names).then_some(i);
        for _ in 0..d.count()? {
            let w = known(d.u32()?)?;
            let l = known(d.u32()?)?;
            s.latest.insert((w, l), (d.digest()?, d.digest()?, d.u32()?));
        }
        for _ in 0..d.count()? {
            let w = known(d.u32()?)?;
            s.originals.insert(w, known(d.u32()?)?);
        }
        for _ in 0..d.count()? {
            let h = d.digest()?;
            let work = known(d.u32()?)?;
            let tag: Box<str> = d.str()?.into();
            let translation = d.digest()?;
            let original = d.digest()?;
            let signer = d.key_id()?;
            let mut cosigners = Vec::new();
            for _ in 0..d.count()? {
                cosigners.push(d.key_id()?);
            }
            s.tags.insert((work, tag.clone()));
            s.releases.insert(h, Release { work, tag, translation, original, signer, cosigners });
        }
        if base.bytes.chunks_exact(RECORD).any(|r| {
            let id = |at: usize| u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
            id(32) >= names || id(36) >= names
        }) {
            return None;
        }
        s.base = Some(base);
        Some(s)
    }

    /// Every version in the state (the resumed state file's, those moved to the spill and those
    /// in memory), for a new state file; `None` if the spill cannot be read.
    pub(crate) fn all_versions(&self) -> Option<Vec<(Digest, Version)>> {
        let mut all: Vec<(Digest, Version)> = Vec::new();
        if let Some(b) = &self.base {
            all.reserve(b.len());
            for i in 0..b.len() {
                all.push(b.record(i)?);
            }
        }
        if let Some(sp) = &self.spill {
            all.extend(sp.all()?);
        }
        all.extend(self.versions.iter().map(|(h, v)| (*h, *v)));
        Some(all)
    }
}
