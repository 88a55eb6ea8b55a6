//! Look-ups over the ledger's state, and the state rules every new entry must satisfy (spec/ledger.md
//! §6 "state rules", §10 trust chains).
//!
//! Every question the rest of colophon asks about "what is in the ledger" — an entry by hash or
//! prefix, the versions of a work in a language, a release by tag, a key and its revocation — goes
//! through [`Index`]. Today it is built by one scan of the file; a persistent index can replace the
//! scan behind the same methods without touching callers.

use crate::entry::{Body, Entry, ParsedLine, RevokeReason, Role, TextRole};
use crate::hash::Digest;
use crate::keys::{KeyId, PublicKey};
use crate::status::Code;
use std::collections::{BTreeMap, HashMap};

/// A registered key and its history.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    /// The public key.
    pub key: PublicKey,
    /// Holder's name.
    pub name: String,
    /// Roles, sorted.
    pub roles: Vec<Role>,
    /// Seq of the entry that registered it (the genesis for the first owner).
    pub seq: u64,
    /// Key that signed the registration (itself, for the genesis owner).
    pub registered_by: KeyId,
    /// The registering entry.
    pub entry: Digest,
    /// The revocation, if any.
    pub revoked: Option<Revocation>,
}

impl KeyInfo {
    /// Whether the key may sign an entry at `seq` (§6.4: revocation takes effect after its entry).
    pub fn active_at(&self, seq: u64) -> bool {
        self.revoked.is_none_or(|r| seq <= r.seq)
    }

    /// Whether the key holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A revocation.
#[derive(Clone, Copy, Debug)]
pub struct Revocation {
    /// Seq of the revoke entry.
    pub seq: u64,
    /// Why.
    pub reason: RevokeReason,
    /// The revoke entry.
    pub entry: Digest,
}

/// What the index keeps of a version entry.
#[derive(Clone, Debug)]
pub struct VersionInfo {
    /// Entry hash.
    pub hash: Digest,
    /// Entry seq.
    pub seq: u64,
    /// 1-based number within its work and language.
    pub number: u64,
    /// Work id.
    pub work: String,
    /// Language.
    pub lang: String,
    /// Original or translation.
    pub role: TextRole,
    /// Content SHA-256.
    pub sha256: Digest,
    /// Content size.
    pub size: u64,
    /// Normalized hashes by profile id.
    pub norm: BTreeMap<String, Digest>,
    /// Whether the entry carries a diff script.
    pub has_diff: bool,
    /// Lines added and removed by the diff script, if any.
    pub stats: Option<crate::diff::Stats>,
    /// Media type.
    pub media_type: String,
    /// Parent version.
    pub parent: Option<Digest>,
    /// Original version rendered (translations).
    pub of: Option<Digest>,
    /// Signer.
    pub signer: KeyId,
    /// Claimed time.
    pub time: String,
    /// Note.
    pub note: Option<String>,
}

/// What the index keeps of a release entry.
#[derive(Clone, Debug)]
pub struct ReleaseInfo {
    /// Entry hash.
    pub hash: Digest,
    /// Entry seq.
    pub seq: u64,
    /// Work id.
    pub work: String,
    /// Tag.
    pub tag: String,
    /// Translation version entry.
    pub translation: Digest,
    /// Original version entry.
    pub original: Digest,
    /// Signer.
    pub signer: KeyId,
    /// Claimed time.
    pub time: String,
    /// Publication URLs.
    pub urls: Vec<String>,
    /// Cosigning keys with the seq and hash of their cosign entries.
    pub cosigners: Vec<(KeyId, u64, Digest)>,
}

/// Where an entry is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryLoc {
    /// Its seq.
    pub seq: u64,
    /// Byte offset of the line.
    pub offset: u64,
    /// Line length without the newline.
    pub len: u64,
}

/// The ledger state (§6) with its look-ups.
#[derive(Clone, Debug, Default)]
pub struct Index {
    origin: Option<String>,
    owner: Option<KeyId>,
    count: u64,
    keys: HashMap<KeyId, KeyInfo>,
    key_order: Vec<KeyId>,
    entries: BTreeMap<Digest, EntryLoc>,
    kinds: HashMap<Digest, String>,
    versions: HashMap<Digest, VersionInfo>,
    by_work_lang: BTreeMap<(String, String), Vec<Digest>>,
    by_sha256: HashMap<Digest, Vec<Digest>>,
    by_norm: HashMap<(String, Digest), Vec<Digest>>,
    original_lang: HashMap<String, String>,
    releases: HashMap<Digest, ReleaseInfo>,
    by_work_tag: BTreeMap<(String, String), Digest>,
}

/// A state-rule violation: code and explanation.
pub type StateError = (Code, String);

impl Index {
    /// An empty ledger's state.
    pub fn new() -> Index {
        Index::default()
    }

    /// Entries applied so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was applied.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The origin from the genesis entry.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The genesis owner's key id.
    pub fn owner(&self) -> Option<KeyId> {
        self.owner
    }

    /// A registered key.
    pub fn key(&self, id: &KeyId) -> Option<&KeyInfo> {
        self.keys.get(id)
    }

    /// All registered keys in registration order.
    pub fn keys(&self) -> impl Iterator<Item = &KeyInfo> {
        self.key_order.iter().filter_map(|id| self.keys.get(id))
    }

    /// Where an entry is.
    pub fn entry(&self, hash: &Digest) -> Option<EntryLoc> {
        self.entries.get(hash).copied()
    }

    /// An entry's type name.
    pub fn kind(&self, hash: &Digest) -> Option<&str> {
        self.kinds.get(hash).map(String::as_str)
    }

    /// Entries whose hash starts with the hex prefix `prefix` (already lowercase).
    pub fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest> {
        // Digests sort by bytes, which is the order of their hex spelling, so the matches are one
        // contiguous range starting at the prefix padded with zeros.
        let mut lo = prefix.to_string();
        while lo.len() < 64 {
            lo.push('0');
        }
        let Ok(start) = lo.parse::<Digest>() else { return Vec::new() };
        self.entries.range(start..).map(|(d, _)| *d).take_while(|d| d.to_hex().starts_with(prefix)).take(16).collect()
    }

    /// A version entry.
    pub fn version(&self, hash: &Digest) -> Option<&VersionInfo> {
        self.versions.get(hash)
    }

    /// The versions of a work in a language, oldest first.
    pub fn versions_of(&self, work: &str, lang: &str) -> &[Digest] {
        self.by_work_lang.get(&(work.to_string(), lang.to_string())).map_or(&[], Vec::as_slice)
    }

    /// All (work, language) pairs that have versions.
    pub fn work_langs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_work_lang.keys().map(|(w, l)| (w.as_str(), l.as_str()))
    }

    /// Versions whose raw content has this SHA-256.
    pub fn versions_with_sha256(&self, d: &Digest) -> &[Digest] {
        self.by_sha256.get(d).map_or(&[], Vec::as_slice)
    }

    /// Versions whose content normalizes to this hash under `profile`.
    pub fn versions_with_norm(&self, profile: &str, d: &Digest) -> &[Digest] {
        self.by_norm.get(&(profile.to_string(), *d)).map_or(&[], Vec::as_slice)
    }

    /// The language a work's original is in.
    pub fn original_lang(&self, work: &str) -> Option<&str> {
        self.original_lang.get(work).map(String::as_str)
    }

    /// A release entry.
    pub fn release(&self, hash: &Digest) -> Option<&ReleaseInfo> {
        self.releases.get(hash)
    }

    /// A release by work and tag.
    pub fn release_by_tag(&self, work: &str, tag: &str) -> Option<&ReleaseInfo> {
        self.by_work_tag.get(&(work.to_string(), tag.to_string())).and_then(|h| self.releases.get(h))
    }

    /// All releases, in ledger order.
    pub fn releases(&self) -> Vec<&ReleaseInfo> {
        let mut v: Vec<&ReleaseInfo> = self.releases.values().collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    /// Releases whose translation is this version.
    pub fn releases_of_translation(&self, version: &Digest) -> Vec<&ReleaseInfo> {
        let mut v: Vec<&ReleaseInfo> = self.releases.values().filter(|r| &r.translation == version).collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    /// The key that verifies `e`'s signature: for a genesis entry the key it names, otherwise the
    /// registered signer (§6.1). `None` when the signer is unknown.
    pub fn signer_key(&self, e: &Entry) -> Option<PublicKey> {
        match &e.body {
            Body::Genesis(g) if self.is_empty() => Some(g.key),
            _ => self.keys.get(&e.signer).map(|k| k.key),
        }
    }

    /// Checks the signer rules (§6.1): known, active at this position, and holding a role that may
    /// sign this type. Run before the signature check so an unknown signer is named as such.
    pub fn check_signer(&self, e: &Entry) -> Result<(), StateError> {
        if self.is_empty() {
            return match &e.body {
                Body::Genesis(g) if g.key.id() == e.signer => Ok(()),
                Body::Genesis(_) => {
                    Err((Code::GenesisSigner, "the genesis entry must be signed by the owner key it names".into()))
                }
                _ => Err((
                    Code::GenesisMissing,
                    format!("the first entry must be a genesis entry, not `{}`", e.body.kind()),
                )),
            };
        }
        if let Body::Genesis(_) = e.body {
            return Err((Code::GenesisDuplicate, "only the first entry may be a genesis entry".into()));
        }
        let Some(k) = self.keys.get(&e.signer) else {
            return Err((Code::EntrySignerUnknown, format!("signer {} is not a registered key", e.signer)));
        };
        if let Some(r) = k.revoked
            && e.seq > r.seq
        {
            return Err((
                Code::EntrySignerRevoked,
                format!("signer {} ({}) was revoked ({}) at entry {}", e.signer, k.name, r.reason.as_str(), r.seq),
            ));
        }
        let allowed: &[Role] = match &e.body {
            Body::Key(_) | Body::Revoke(_) => &[Role::Owner],
            Body::Release(_) => &[Role::Owner, Role::Translator],
            _ => &[Role::Owner, Role::Editor, Role::Translator],
        };
        if !allowed.iter().any(|r| k.has(*r)) {
            let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            return Err((
                Code::EntrySignerUnauthorized,
                format!(
                    "a `{}` entry needs a key with role {}; {} has {:?}",
                    e.body.kind(),
                    names.join(" or "),
                    k.name,
                    k.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()
                ),
            ));
        }
        Ok(())
    }

    /// Checks the type-specific state rules (§6.2-§6.7) for an entry about to follow the current
    /// state. Signer rules are [`Index::check_signer`]'s.
    pub fn check_body(&self, e: &Entry) -> Result<(), StateError> {
        match &e.body {
            Body::Genesis(_) | Body::Unknown { .. } => Ok(()),
            Body::Key(k) => {
                let id = k.key.id();
                if self.keys.contains_key(&id) {
                    return Err((
                        Code::KeyDuplicate,
                        format!("key {id} is already registered (a revoked key cannot return)"),
                    ));
                }
                Ok(())
            }
            Body::Revoke(r) => {
                let Some(target) = self.keys.get(&r.key) else {
                    return Err((Code::RevokeUnknownKey, format!("key {} is not registered", r.key)));
                };
                if target.revoked.is_some() {
                    return Err((Code::RevokeDuplicate, format!("key {} is already revoked", r.key)));
                }
                if target.has(Role::Owner) {
                    let others = self
                        .keys
                        .values()
                        .filter(|k| k.has(Role::Owner) && k.revoked.is_none() && k.key.id() != r.key)
                        .count();
                    if others == 0 {
                        return Err((
                            Code::RevokeLastOwner,
                            "revoking the last active owner key would freeze the ledger; register another owner first"
                                .into(),
                        ));
                    }
                }
                Ok(())
            }
            Body::Version(v) => {
                let versions = self.versions_of(&v.work, &v.lang);
                let latest = versions.last().copied();
                if v.parent != latest {
                    return Err((
                        Code::VersionParentMismatch,
                        match latest {
                            Some(l) => format!("`parent` must be {l}, the latest version of {}:{}", v.work, v.lang),
                            None => format!("{}:{} has no earlier version, so `parent` must be absent", v.work, v.lang),
                        },
                    ));
                }
                if let Some(first) = versions.first().and_then(|h| self.versions.get(h))
                    && first.role != v.role
                {
                    return Err((
                        Code::VersionRoleMismatch,
                        format!(
                            "{}:{} holds {} versions, not {}",
                            v.work,
                            v.lang,
                            first.role.as_str(),
                            v.role.as_str()
                        ),
                    ));
                }
                if v.role == TextRole::Original
                    && let Some(l) = self.original_lang.get(&v.work)
                    && l != &v.lang
                {
                    return Err((
                        Code::VersionRoleMismatch,
                        format!("work {} already has its original in {l}", v.work),
                    ));
                }
                if let Some(of) = v.of {
                    match self.versions.get(&of) {
                        Some(o) if o.role == TextRole::Original && o.work == v.work && o.lang != v.lang => {}
                        Some(o) => {
                            return Err((
                                Code::VersionOfInvalid,
                                format!(
                                    "`of` must name an original version of work {} in another language; {of} is a {} of {} in {}",
                                    v.work,
                                    o.role.as_str(),
                                    o.work,
                                    o.lang
                                ),
                            ));
                        }
                        None => {
                            return Err((
                                Code::VersionOfInvalid,
                                format!("`of` names {of}, which is not a version entry before this one"),
                            ));
                        }
                    }
                }
                if let Some(p) = latest.and_then(|h| self.versions.get(&h))
                    && p.sha256 == v.sha256
                {
                    return Err((
                        Code::VersionUnchanged,
                        format!("the content is identical to the parent version {}", p.hash),
                    ));
                }
                Ok(())
            }
            Body::Release(r) => {
                let bad = |m: String| Err((Code::ReleaseRefInvalid, m));
                let Some(t) = self.versions.get(&r.translation) else {
                    return bad(format!("`translation` {} is not a version entry", r.translation));
                };
                let Some(o) = self.versions.get(&r.original) else {
                    return bad(format!("`original` {} is not a version entry", r.original));
                };
                if t.role != TextRole::Translation || t.work != r.work || t.lang != r.lang.translation {
                    return bad(format!(
                        "`translation` must be a translation of work {} in {}",
                        r.work, r.lang.translation
                    ));
                }
                if o.role != TextRole::Original || o.work != r.work || o.lang != r.lang.original {
                    return bad(format!("`original` must be an original of work {} in {}", r.work, r.lang.original));
                }
                if t.of != Some(r.original) {
                    return bad(format!(
                        "the translation renders {}, not the release's original {}",
                        t.of.map_or("nothing".into(), |d| d.to_hex()),
                        r.original
                    ));
                }
                if self.by_work_tag.contains_key(&(r.work.clone(), r.tag.clone())) {
                    return Err((
                        Code::ReleaseTagDuplicate,
                        format!("work {} already has a release tagged {}", r.work, r.tag),
                    ));
                }
                Ok(())
            }
            Body::Cosign(c) => {
                let Some(rel) = self.releases.get(&c.release) else {
                    return Err((Code::CosignRefInvalid, format!("{} is not a release entry", c.release)));
                };
                if rel.signer == e.signer || rel.cosigners.iter().any(|(k, _, _)| *k == e.signer) {
                    return Err((Code::CosignDuplicate, "this key already signed or cosigned the release".into()));
                }
                Ok(())
            }
        }
    }

    /// Adds an entry that passed the checks (or, when building from a ledger file already audited,
    /// an entry taken on trust). `offset`/`len` locate its line.
    pub fn apply(&mut self, p: &ParsedLine, offset: u64) {
        let e = &p.entry;
        let hash = p.hash;
        self.count += 1;
        self.entries.insert(hash, EntryLoc { seq: e.seq, offset, len: p.len });
        self.kinds.insert(hash, e.body.kind().to_string());
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
                let number = list.len() as u64;
                if v.role == TextRole::Original {
                    self.original_lang.entry(v.work.clone()).or_insert_with(|| v.lang.clone());
                }
                self.by_sha256.entry(v.sha256).or_default().push(hash);
                let norm = v.norm.clone().unwrap_or_default();
                for (profile, d) in &norm {
                    self.by_norm.entry((profile.clone(), *d)).or_default().push(hash);
                }
                self.versions.insert(
                    hash,
                    VersionInfo {
                        hash,
                        seq: e.seq,
                        number,
                        work: v.work.clone(),
                        lang: v.lang.clone(),
                        role: v.role,
                        sha256: v.sha256,
                        size: v.size,
                        norm,
                        has_diff: v.diff.is_some(),
                        stats: v.diff.as_ref().and_then(crate::diff::stats_of_json),
                        media_type: v.media_type.clone(),
                        parent: v.parent,
                        of: v.of,
                        signer: e.signer,
                        time: e.time.clone(),
                        note: v.note.clone(),
                    },
                );
            }
            Body::Release(r) => {
                self.by_work_tag.insert((r.work.clone(), r.tag.clone()), hash);
                self.releases.insert(
                    hash,
                    ReleaseInfo {
                        hash,
                        seq: e.seq,
                        work: r.work.clone(),
                        tag: r.tag.clone(),
                        translation: r.translation,
                        original: r.original,
                        signer: e.signer,
                        time: e.time.clone(),
                        urls: r.urls.clone().unwrap_or_default(),
                        cosigners: Vec::new(),
                    },
                );
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
