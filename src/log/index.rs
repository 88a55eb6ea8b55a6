//! Look-ups over the ledger's state, and the state rules every new entry must satisfy (spec/ledger.md
//! §6 "state rules", §10 trust chains).
//!
//! Every question the rest of colophon asks about "what is in the ledger" — an entry by hash or
//! prefix, the versions of a work in a language, a release by tag, a key and its revocation — goes
//! through [`Index`]. Two backends answer them: an in-memory one for audits and bundles (built in
//! one pass, discarded after), and a persistent SQLite file beside a ledger (`<ledger>.index`),
//! so that appending to or querying a million-entry ledger costs what it costs for ten entries.
//! The ledger stays the only source of truth: the persistent index is checked against the
//! ledger's head whenever it is opened, caught up if it lags, and rebuilt if it disagrees.

pub(crate) mod audit_state;
pub(crate) mod mem;

use crate::format::entry::{Body, Entry, ParsedLine, RevokeReason, Role, TextRole};
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, PublicKey};
use crate::format::status::Code;
use std::collections::BTreeMap;

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
    pub stats: Option<crate::format::diff::Stats>,
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
    /// Whether the entry entered the state (spec/ledger.md §11). A line that breaks a signer,
    /// signature or state rule is still a line of the ledger — it has a position, a hash and a
    /// Merkle leaf — but nothing it says is in the state.
    pub in_state: bool,
}

/// A look-up backend kept outside memory: the persistent index in the user's cache
/// (`crate::store::index_db`), which the store layer plugs in. It answers the same questions as the
/// in-memory backends; a query that fails answers "nothing" and is remembered in [`Persistent::failure`].
#[allow(clippy::len_without_is_empty)] // `Index::is_empty` asks about the genesis, not the count
pub trait Persistent: std::fmt::Debug + Send {
    /// See [`Index`].
    fn failure(&self) -> Option<String>;
    /// See [`Index`].
    fn len(&self) -> u64;
    /// See [`Index`].
    fn origin(&self) -> Option<String>;
    /// See [`Index`].
    fn owner(&self) -> Option<KeyId>;
    /// See [`Index`].
    fn key(&self, id: &KeyId) -> Option<std::sync::Arc<KeyInfo>>;
    /// See [`Index`].
    fn keys(&self) -> Vec<KeyInfo>;
    /// See [`Index`].
    fn entry(&self, hash: &Digest) -> Option<EntryLoc>;
    /// See [`Index`].
    fn entry_at(&self, seq: u64) -> Option<(Digest, EntryLoc)>;
    /// See [`Index`].
    fn kind(&self, hash: &Digest) -> Option<String>;
    /// See [`Index`].
    fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest>;
    /// See [`Index`].
    fn version(&self, hash: &Digest) -> Option<VersionInfo>;
    /// See [`Index`].
    fn rejections(&self) -> BTreeMap<u64, String>;
    /// See [`Index`].
    fn rejection(&self, hash: &Digest) -> Option<String>;
    /// See [`Index`].
    fn rejected(&self) -> (u64, Vec<(u64, String)>);
    /// See [`Index`].
    fn latest_text(&self, work: &str, lang: &str) -> Option<Option<String>>;
    /// See [`Index`].
    fn set_text(&mut self, work: &str, lang: &str, version: &Digest, text: Option<&str>);
    /// See [`Index`].
    fn cached_text(&self, hash: &Digest) -> Option<String>;
    /// See [`Index`].
    fn versions_of(&self, work: &str, lang: &str) -> Vec<Digest>;
    /// See [`Index`].
    fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo>;
    /// See [`Index`].
    fn work_langs(&self) -> Vec<(String, String)>;
    /// See [`Index`].
    fn versions_with_sha256(&self, d: &Digest) -> Vec<Digest>;
    /// See [`Index`].
    fn versions_with_norm(&self, profile: &str, d: &Digest) -> Vec<Digest>;
    /// See [`Index`].
    fn original_lang(&self, work: &str) -> Option<String>;
    /// See [`Index`].
    fn release(&self, hash: &Digest) -> Option<ReleaseInfo>;
    /// See [`Index`].
    fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo>;
    /// See [`Index`].
    fn releases(&self, work: Option<&str>) -> Vec<ReleaseInfo>;
    /// See [`Index`].
    fn releases_of_version(&self, version: &Digest) -> Vec<ReleaseInfo>;
    /// See [`Index`].
    fn apply(&mut self, p: &ParsedLine, offset: u64, in_state: bool, problem: Option<&str>);
    /// See [`Index`].
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String>;
    /// The backend itself, for the store layer's own operations (transactions, resets).
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

/// The ledger state (§6) with its look-ups.
///
/// Queries return owned values so both backends can answer them. A query against the persistent
/// backend can fail (I/O); it then answers "nothing" and records the failure, which callers check
/// with [`Index::failure`] before they act on what they learned (an append refuses to write, a
/// verification refuses to conclude).
#[derive(Debug)]
pub struct Index {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Mem(Box<mem::MemIndex>),
    AuditState(Box<audit_state::AuditState>),
    Db(Box<dyn Persistent>),
}

impl Default for Index {
    fn default() -> Index {
        Index::new()
    }
}

/// A state-rule violation: code and explanation.
pub type StateError = (Code, String);

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match &$self.backend {
            Backend::Mem($b) => $e,
            Backend::AuditState($b) => $e,
            Backend::Db($b) => $e,
        }
    };
}

impl Index {
    /// An empty in-memory state, for audits and bundles.
    pub fn new() -> Index {
        Index { backend: Backend::Mem(Box::default()) }
    }

    /// An empty in-memory state that also keeps the Merkle tree's stored hashes, so proofs and
    /// checkpoints can be made from it.
    pub fn new_with_hashes() -> Index {
        let mut m = mem::MemIndex::default();
        m.hashes = Some(Vec::new());
        Index { backend: Backend::Mem(Box::new(m)) }
    }

    /// The compact state an audit keeps (see `audit_state.rs`): what the rules consult, nothing more.
    pub fn new_audit_state() -> Index {
        Index { backend: Backend::AuditState(Box::default()) }
    }

    /// As [`Index::new_audit_state`], moving versions to the spill `f` makes once there are many.
    pub(crate) fn new_audit_state_spilling(f: audit_state::SpillFactory) -> Index {
        let mut l = audit_state::AuditState::default();
        l.spill_factory = Some(f);
        Index { backend: Backend::AuditState(Box::new(l)) }
    }

    /// An audit's lean state restored from a state file (spec/transparency.md §8.1).
    pub(crate) fn from_audit_state(state: audit_state::AuditState) -> Index {
        Index { backend: Backend::AuditState(Box::new(state)) }
    }

    /// The lean state, when this is an audit's.
    #[cfg_attr(not(feature = "store"), allow(dead_code))]
    pub(crate) fn audit_state(&self) -> Option<&audit_state::AuditState> {
        match &self.backend {
            Backend::AuditState(a) => Some(a),
            Backend::Mem(_) | Backend::Db(_) => None,
        }
    }

    /// Wraps a persistent index.
    pub fn persistent(db: Box<dyn Persistent>) -> Index {
        Index { backend: Backend::Db(db) }
    }

    /// The persistent backend, if this index has one.
    pub fn db_mut(&mut self) -> Option<&mut dyn Persistent> {
        match &mut self.backend {
            Backend::Db(d) => Some(d.as_mut()),
            Backend::Mem(_) | Backend::AuditState(_) => None,
        }
    }

    /// The first query failure of the persistent backend, if any: while this is `Some`, answers
    /// may be incomplete and must not be acted on.
    pub fn failure(&self) -> Option<String> {
        match &self.backend {
            Backend::Mem(_) | Backend::AuditState(_) => None,
            Backend::Db(d) => d.failure(),
        }
    }

    /// Lines applied so far, whether or not they entered the state: the size of the Merkle tree
    /// (an audit's state counts only the entries that entered it).
    pub fn len(&self) -> u64 {
        dispatch!(self, b => b.len())
    }

    /// Whether no entry has entered the state yet (spec/ledger.md §11 step 6): no genesis has.
    pub fn is_empty(&self) -> bool {
        self.owner().is_none()
    }

    /// The origin from the genesis entry.
    pub fn origin(&self) -> Option<String> {
        dispatch!(self, b => b.origin())
    }

    /// The genesis owner's key id.
    pub fn owner(&self) -> Option<KeyId> {
        dispatch!(self, b => b.owner())
    }

    /// A registered key (shared: the audit asks for the signer of every entry).
    pub fn key(&self, id: &KeyId) -> Option<std::sync::Arc<KeyInfo>> {
        dispatch!(self, b => b.key(id))
    }

    /// All registered keys in registration order.
    pub fn keys(&self) -> Vec<KeyInfo> {
        dispatch!(self, b => b.keys())
    }

    /// Where an entry is.
    pub fn entry(&self, hash: &Digest) -> Option<EntryLoc> {
        dispatch!(self, b => b.entry(hash))
    }

    /// The entry at position `seq`: its hash and location.
    pub fn entry_at(&self, seq: u64) -> Option<(Digest, EntryLoc)> {
        dispatch!(self, b => b.entry_at(seq))
    }

    /// An entry's type name.
    pub fn kind(&self, hash: &Digest) -> Option<String> {
        dispatch!(self, b => b.kind(hash))
    }

    /// Up to 16 entries whose hash starts with the lowercase hex `prefix`.
    pub fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest> {
        dispatch!(self, b => b.entries_with_prefix(prefix))
    }

    /// A version entry.
    pub fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        dispatch!(self, b => b.version(hash))
    }

    /// The text of a version, if the index keeps it (the persistent index keeps the latest text of
    /// every work and language). Unverified: callers check it against the signed hash.
    pub fn cached_text(&self, hash: &Digest) -> Option<String> {
        match &self.backend {
            Backend::Db(d) => d.cached_text(hash),
            Backend::Mem(_) | Backend::AuditState(_) => None,
        }
    }

    /// The versions of a work in a language, oldest first.
    pub fn versions_of(&self, work: &str, lang: &str) -> Vec<Digest> {
        dispatch!(self, b => b.versions_of(work, lang))
    }

    /// The latest version of a work in a language.
    pub fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        dispatch!(self, b => b.latest_version(work, lang))
    }

    /// All (work, language) pairs that have versions, sorted.
    pub fn work_langs(&self) -> Vec<(String, String)> {
        dispatch!(self, b => b.work_langs())
    }

    /// Versions whose raw content has this SHA-256.
    pub fn versions_with_sha256(&self, d: &Digest) -> Vec<Digest> {
        dispatch!(self, b => b.versions_with_sha256(d))
    }

    /// Versions whose content normalizes to this hash under `profile`.
    pub fn versions_with_norm(&self, profile: &str, d: &Digest) -> Vec<Digest> {
        dispatch!(self, b => b.versions_with_norm(profile, d))
    }

    /// The language a work's original is in.
    pub fn original_lang(&self, work: &str) -> Option<String> {
        dispatch!(self, b => b.original_lang(work))
    }

    /// A release entry.
    pub fn release(&self, hash: &Digest) -> Option<ReleaseInfo> {
        dispatch!(self, b => b.release(hash))
    }

    /// A release by work and tag.
    pub fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo> {
        dispatch!(self, b => b.release_by_tag(work, tag))
    }

    /// All releases of a work (or of every work), in ledger order.
    pub fn releases(&self, work: Option<&str>) -> Vec<ReleaseInfo> {
        dispatch!(self, b => b.releases(work))
    }

    /// Releases whose translation or original is this version, in ledger order.
    pub fn releases_of_version(&self, version: &Digest) -> Vec<ReleaseInfo> {
        dispatch!(self, b => b.releases_of_version(version))
    }

    /// The key that verifies `e`'s signature: for a genesis entry the key it names, otherwise the
    /// registered signer (§6.1). `None` when the signer is unknown.
    pub fn signer_key(&self, e: &Entry) -> Option<PublicKey> {
        match &e.body {
            Body::Genesis(g) if self.is_empty() => Some(g.key),
            _ => self.key(&e.signer).map(|k| k.key),
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
        let Some(k) = self.key(&e.signer) else {
            return Err((Code::EntrySignerUnknown, format!("signer {} is not a registered key", e.signer)));
        };
        // §6.4: a revocation takes effect after its own position; [`KeyInfo::active_at`] is the
        // one statement of that rule (trust decisions and the append-time re-check use it too).
        if let Some(r) = k.revoked
            && !k.active_at(e.seq)
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
                if self.key(&id).is_some() {
                    return Err((
                        Code::KeyDuplicate,
                        format!("key {id} is already registered (a revoked key cannot return)"),
                    ));
                }
                Ok(())
            }
            Body::Revoke(r) => {
                let Some(target) = self.key(&r.key) else {
                    return Err((Code::RevokeUnknownKey, format!("key {} is not registered", r.key)));
                };
                if target.revoked.is_some() {
                    return Err((Code::RevokeDuplicate, format!("key {} is already revoked", r.key)));
                }
                if target.has(Role::Owner) {
                    let others = self
                        .keys()
                        .iter()
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
                let latest_info = self.latest_version(&v.work, &v.lang);
                let latest = latest_info.as_ref().map(|l| l.hash);
                if v.parent != latest {
                    return Err((
                        Code::VersionParentMismatch,
                        match latest {
                            Some(l) => format!("`parent` must be {l}, the latest version of {}:{}", v.work, v.lang),
                            None => format!("{}:{} has no earlier version, so `parent` must be absent", v.work, v.lang),
                        },
                    ));
                }
                if let Some(first) = latest_info.as_ref()
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
                    && let Some(l) = self.original_lang(&v.work)
                    && l != v.lang
                {
                    return Err((
                        Code::VersionRoleMismatch,
                        format!("work {} already has its original in {l}", v.work),
                    ));
                }
                if let Some(of) = v.of {
                    match self.version(&of) {
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
                // §6.5 rule 4: unchanged content is refused unless the version is a re-pairing, a
                // translation that renders another original than its parent did.
                if let Some(p) = latest_info.as_ref()
                    && p.sha256 == v.sha256
                    && p.of == v.of
                {
                    return Err((
                        Code::VersionUnchanged,
                        format!(
                            "the content and the original it renders (`of`) are those of the parent version {}",
                            p.hash
                        ),
                    ));
                }
                Ok(())
            }
            Body::Release(r) => {
                let bad = |m: String| Err((Code::ReleaseRefInvalid, m));
                let Some(t) = self.version(&r.translation) else {
                    return bad(format!("`translation` {} is not a version entry", r.translation));
                };
                let Some(o) = self.version(&r.original) else {
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
                if self.release_by_tag(&r.work, &r.tag).is_some() {
                    return Err((
                        Code::ReleaseTagDuplicate,
                        format!("work {} already has a release tagged {}", r.work, r.tag),
                    ));
                }
                Ok(())
            }
            Body::Cosign(c) => {
                let Some(rel) = self.release(&c.release) else {
                    return Err((Code::CosignRefInvalid, format!("{} is not a release entry", c.release)));
                };
                if rel.signer == e.signer || rel.cosigners.iter().any(|(k, _, _)| *k == e.signer) {
                    return Err((Code::CosignDuplicate, "this key already signed or cosigned the release".into()));
                }
                Ok(())
            }
        }
    }

    /// Adds an entry that entered the state (spec/ledger.md §11: it passed the signer, signature
    /// and state rules). `offset` locates its line.
    pub fn apply(&mut self, p: &ParsedLine, offset: u64) {
        self.apply_noted(p, offset, None);
    }

    /// As [`Index::apply`], for an entry that entered the state with a content problem (§11 step
    /// 10: its text cannot be rebuilt), recorded with it so that commands can say so.
    pub fn apply_noted(&mut self, p: &ParsedLine, offset: u64, problem: Option<&str>) {
        match &mut self.backend {
            Backend::Mem(b) => b.apply(p, offset, true, problem),
            Backend::AuditState(b) => b.apply(p, offset),
            Backend::Db(b) => b.apply(p, offset, true, problem),
        }
    }

    /// Records a line that did not enter the state (§11 step 9): it keeps its position, hash and
    /// Merkle leaf, and `problem` says why it is ignored; none of its facts are looked up.
    pub fn apply_rejected(&mut self, p: &ParsedLine, offset: u64, problem: &str) {
        match &mut self.backend {
            Backend::Mem(b) => b.apply(p, offset, false, Some(problem)),
            Backend::AuditState(b) => b.skip(),
            Backend::Db(b) => b.apply(p, offset, false, Some(problem)),
        }
    }

    /// Keeps the reconstructed text of the latest version of a work and language (§8.5), or
    /// `None` when it could not be rebuilt: the base of the next version's diff.
    pub fn set_text(&mut self, work: &str, lang: &str, version: &Digest, text: Option<&str>) {
        if let Backend::Db(b) = &mut self.backend {
            b.set_text(work, lang, version, text);
        }
    }

    /// The kept text of the latest version of a work and language, if the index keeps texts:
    /// `Some(None)` when that version's text could not be rebuilt.
    pub fn latest_text(&self, work: &str, lang: &str) -> Option<Option<String>> {
        match &self.backend {
            Backend::Db(d) => d.latest_text(work, lang),
            Backend::Mem(_) | Backend::AuditState(_) => None,
        }
    }

    /// Every line that did not enter the state, by seq, with why (usually none or a few).
    pub fn rejections(&self) -> BTreeMap<u64, String> {
        match &self.backend {
            Backend::Mem(m) => m.rejections(),
            Backend::AuditState(_) => BTreeMap::new(),
            Backend::Db(d) => d.rejections(),
        }
    }

    /// Why a line did not enter the state, if it did not.
    pub fn rejection(&self, hash: &Digest) -> Option<String> {
        match &self.backend {
            Backend::Mem(m) => m.rejection(hash),
            Backend::AuditState(_) => None,
            Backend::Db(d) => d.rejection(hash),
        }
    }

    /// Lines of the ledger an audit reports a problem for: how many, and the first few (seq and
    /// why; the ones that did not enter the state say so), so every command can say so.
    pub fn rejected(&self) -> (u64, Vec<(u64, String)>) {
        dispatch!(self, b => b.rejected())
    }
}

impl crate::log::merkle::HashReader for Index {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        match &self.backend {
            Backend::Mem(m) => match &m.hashes {
                Some(h) => h.read_hashes(indexes),
                None => Err("this index keeps no Merkle hashes".into()),
            },
            Backend::AuditState(_) => Err("an audit's state keeps no Merkle hashes".into()),
            Backend::Db(d) => d.read_hashes(indexes),
        }
    }
}

/// Line counts from a version body's diff, for listings.
pub(crate) fn version_info(p: &ParsedLine, v: &crate::format::entry::Version, number: u64) -> VersionInfo {
    VersionInfo {
        hash: p.hash,
        seq: p.entry.seq,
        number,
        work: v.work.clone(),
        lang: v.lang.clone(),
        role: v.role,
        sha256: v.sha256,
        size: v.size,
        norm: v.norm.clone().unwrap_or_default(),
        has_diff: v.diff.is_some(),
        stats: v.diff.as_ref().and_then(crate::format::diff::stats_of_json),
        media_type: v.media_type.clone(),
        parent: v.parent,
        of: v.of,
        signer: p.entry.signer,
        time: p.entry.time.clone(),
        note: v.note.clone(),
    }
}

/// What the index keeps of a release entry.
pub(crate) fn release_info(p: &ParsedLine, r: &crate::format::entry::Release) -> ReleaseInfo {
    ReleaseInfo {
        hash: p.hash,
        seq: p.entry.seq,
        work: r.work.clone(),
        tag: r.tag.clone(),
        translation: r.translation,
        original: r.original,
        signer: p.entry.signer,
        time: p.entry.time.clone(),
        urls: r.urls.clone().unwrap_or_default(),
        cosigners: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::keys::SecretKey;

    /// §6.4: a revocation takes effect after its own entry. The audit never admits an entry by a
    /// key revoked before it, so the trust walk (`trust::decide_with`) and the append check meet a
    /// revoked key only through a library caller or a damaged index: this pins the boundary.
    #[test]
    fn a_key_is_active_up_to_its_revocation_entry() {
        let k = SecretKey::from_seed(&[7; 32], "Tina").public();
        let mut info = KeyInfo {
            key: k,
            name: "Tina".into(),
            roles: vec![Role::Translator],
            seq: 1,
            registered_by: k.id(),
            entry: Digest([1; 32]),
            revoked: None,
        };
        assert!(info.active_at(1) && info.active_at(u64::MAX), "never revoked");
        for reason in [RevokeReason::Retired, RevokeReason::Compromised] {
            info.revoked = Some(Revocation { seq: 5, reason, entry: Digest([2; 32]) });
            assert!(info.active_at(4) && info.active_at(5), "up to and at the revocation entry");
            assert!(!info.active_at(6) && !info.active_at(u64::MAX), "after it");
        }
    }
}
