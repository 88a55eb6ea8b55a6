//! The state file of an incremental audit (spec/transparency.md §8.1): the audit's rule state as
//! of a signed checkpoint, so that a later audit re-checks only the lines appended since.
//!
//! The format is the archivist's own record, not an interchange format: a magic line, the small
//! parts of the state (binding, Merkle frontier, head, counts, problems, keys, works, releases,
//! latest texts) in a length-prefixed binary encoding, every version as a fixed-size record sorted
//! by entry hash (looked up by binary search, never decoded as a whole), and a SHA-256 of
//! everything before it. Loading reads the file, checks the checksum and decodes the small parts.
//! No I/O here: the store layer reads and writes the file (`store::resume`).

use crate::format::hash::Digest;
use crate::format::keys::KeyId;
use crate::format::status::{Code, Problem};
use crate::log::checkpoint::Checkpoint;
use crate::log::index::Index;
use crate::log::lines::Head;
use crate::log::merkle::Frontier;
use crate::log::state_codec::{Dec, Enc};
use crate::log::trust::Keyring;
use std::collections::HashMap;

/// The first bytes of a state file; the digit is the format's version.
pub const MAGIC: &[u8] = b"colophon-audit-state/v1\n";

/// The checkpoint a state is bound to: the tree it describes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Binding {
    /// The log's origin.
    pub origin: String,
    /// The tree size: the state is that of the first `size` lines.
    pub size: u64,
    /// The root of the first `size` lines.
    pub root: Digest,
}

impl Binding {
    /// The binding a checkpoint note names, if it holds a checkpoint.
    pub fn of_note(note: &[u8]) -> Option<Binding> {
        Checkpoint::in_note(note).map(|c| Binding { origin: c.origin, size: c.size, root: c.root })
    }
}

/// A state file, checked and decoded: what an incremental audit resumes from.
#[derive(Debug)]
pub struct SavedState {
    /// The checkpoint it is bound to.
    pub binding: Binding,
    /// Where line `size` (the head) starts in the ledger file.
    pub head_offset: u64,
    /// Where line `size + 1` starts: the head's offset, its length and its LF.
    pub offset: u64,
    /// The fingerprint of the trust roots the saving audit used ([`trust_fingerprint`]).
    pub trust: Option<Digest>,
    /// The file's length in bytes.
    pub file_len: u64,
    /// The number of versions it holds.
    pub versions: u64,
    pub(crate) parts: Parts,
}

impl SavedState {
    /// The head: the seq and entry hash of line `size`.
    pub fn head(&self) -> Head {
        self.parts.head
    }

    /// The leaf of line `size` must be the last leaf of the tree the state holds: its audit path
    /// there (spec/transparency.md §2.2), which [`SavedState::check_head`] verifies.
    pub fn last_leaf_proof(&self) -> Vec<Digest> {
        self.parts.frontier.last_leaf_proof()
    }

    /// The state's keys, for checking its checkpoint (owner keys in effect at its size).
    pub fn index(&self) -> &Index {
        &self.parts.index
    }

    /// Checks that `line` (without its LF), read from the ledger at [`SavedState::head_offset`],
    /// is the state's head: its entry hash is the head's, and its Merkle leaf is the last leaf of
    /// the state's tree, whose root is the checkpoint's (spec/transparency.md §8.1).
    pub fn check_head(&self, line: &[u8]) -> Result<(), String> {
        let h = crate::format::hash::entry_hash(line);
        if h != self.parts.head.hash {
            return Err(format!(
                "the line at byte {} is entry {h}, not the state's head {} (entry #{})",
                self.head_offset, self.parts.head.hash, self.parts.head.seq
            ));
        }
        let leaf =
            crate::format::entry::parse_line(line).map_or_else(|_| crate::format::hash::leaf_hash(line), |p| p.leaf);
        let size = self.binding.size;
        if !crate::log::merkle::verify_inclusion(
            &leaf,
            size.saturating_sub(1),
            size,
            &self.last_leaf_proof(),
            &self.binding.root,
        ) {
            return Err(format!("line {size} is not the last leaf of the checkpoint's tree of size {size}"));
        }
        Ok(())
    }
}

/// What a state holds beyond its binding: the audit's counts, problems and rule state.
#[derive(Debug)]
#[cfg_attr(not(feature = "store"), allow(dead_code))]
pub(crate) struct Parts {
    pub(crate) lines: u64,
    pub(crate) valid_entries: u64,
    pub(crate) texts_verified: u64,
    pub(crate) problems: Vec<Problem>,
    pub(crate) index: Index,
    pub(crate) frontier: Frontier,
    pub(crate) head: Head,
    pub(crate) texts: HashMap<(String, String), Option<String>>,
    pub(crate) untrusted: Vec<(KeyId, u64, String)>,
}

/// A fingerprint of the trust roots an audit decides trust with (spec/ledger.md §10.2): its
/// untrusted-signer counts hold only for the same roots. `None` without roots.
pub fn trust_fingerprint(ring: Option<&Keyring>) -> Option<Digest> {
    let ring = ring.filter(|r| !r.keys.is_empty())?;
    let mut ids: Vec<KeyId> = ring.keys.iter().map(|k| k.key.id()).collect();
    ids.sort();
    ids.dedup();
    let mut bytes = b"colophon trust roots\n".to_vec();
    for id in ids {
        bytes.extend_from_slice(&id.0);
    }
    Some(Digest::of(&bytes))
}

/// Encodes a state file: the binding, where the head is, the trust fingerprint, then `parts`
/// (written by the audit, `log::audit`) and the version records, and the checksum.
pub(crate) fn encode(
    binding: &Binding,
    head_offset: u64,
    offset: u64,
    trust: Option<&Digest>,
    parts: &[u8],
    versions: &[u8],
) -> Vec<u8> {
    let mut e = Enc(Vec::with_capacity(MAGIC.len() + parts.len() + versions.len() + 256));
    e.0.extend_from_slice(MAGIC);
    e.str(&binding.origin);
    e.u64(binding.size);
    e.digest(&binding.root);
    e.u64(head_offset);
    e.u64(offset);
    e.opt_digest(trust);
    e.bytes(parts);
    e.bytes(versions);
    let sum = Digest::of(&e.0);
    e.digest(&sum);
    e.0
}

/// Why a state file cannot be used: the status code and what to do.
pub type StateError = (Code, String);

fn invalid(why: impl std::fmt::Display) -> StateError {
    (Code::AuditStateInvalid, why.to_string())
}

/// Checks a state file's checksum and decodes it (spec/transparency.md §8.1).
pub fn decode(bytes: Vec<u8>) -> Result<SavedState, StateError> {
    decode_spilling(bytes, None)
}

/// As [`decode`]; the rule state's new versions move to `spill` once there are many, as in a
/// full audit.
pub(crate) fn decode_spilling(
    bytes: Vec<u8>,
    spill: Option<crate::log::index::audit_state::SpillFactory>,
) -> Result<SavedState, StateError> {
    if !bytes.starts_with(MAGIC) {
        let why = if bytes.starts_with(b"colophon-audit-state/") {
            "it is a state file of another format version; make a new one with a full audit"
        } else {
            "it is not a colophon audit state file (they start with `colophon-audit-state/v1`)"
        };
        return Err(invalid(why));
    }
    let Some(body_len) = bytes.len().checked_sub(32).filter(|&n| n >= MAGIC.len()) else {
        return Err(invalid("it is truncated"));
    };
    let (body, sum) = bytes.split_at(body_len);
    if Digest::of(body).0 != sum {
        return Err(invalid("its checksum does not match: the file is damaged or truncated"));
    }
    let damaged =
        || invalid("its checksum matches but its contents do not decode: it was not written by this colophon");
    let mut d = Dec::new(&body[MAGIC.len()..]);
    let origin = d.str().ok_or_else(damaged)?;
    let size = d.u64().ok_or_else(damaged)?;
    let root = d.digest().ok_or_else(damaged)?;
    let head_offset = d.u64().ok_or_else(damaged)?;
    let offset = d.u64().ok_or_else(damaged)?;
    let trust = d.opt_digest().ok_or_else(damaged)?;
    let parts = d.bytes().ok_or_else(damaged)?.to_vec();
    let versions_len = d.bytes().ok_or_else(damaged)?.len();
    if !d.is_empty() {
        return Err(damaged());
    }
    // The version records end just before the checksum: the file's own buffer becomes the
    // table, without a copy of the (large) records.
    let file_len = bytes.len() as u64;
    let mut versions = bytes;
    versions.truncate(body_len);
    versions.drain(..body_len - versions_len);
    let table = crate::log::index::audit_state::VersionTable::new(versions).ok_or_else(damaged)?;
    let n_versions = table.len() as u64;
    let parts = decode_parts(&parts, table, spill).ok_or_else(damaged)?;
    let binding = Binding { origin, size, root };
    // The tree the state holds must be the checkpoint's, its head the last line.
    if parts.frontier.size() != size
        || parts.lines != size
        || parts.frontier.root() != root
        || head_offset >= offset
        || offset - head_offset > crate::log::lines::MAX_LINE_LEN as u64 + 1
        || parts.index.origin().as_deref() != Some(binding.origin.as_str())
    {
        return Err(invalid("its tree, head or origin do not agree with the checkpoint it is bound to"));
    }
    Ok(SavedState { binding, head_offset, offset, trust, file_len, versions: n_versions, parts })
}

/// What an incremental audit resumed from (`audit --json`, `resumed`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Resumed {
    /// The size of the checkpoint the state is bound to: the lines not read again.
    pub size: u64,
    /// That checkpoint's root.
    pub root: Digest,
    /// The byte offset the audit went on from.
    pub offset: u64,
    /// The lines read and audited by this run (those after the checkpoint).
    pub lines_audited: u64,
}

/// The state file an audit saved (`audit --json`, `state_saved`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Saved {
    /// The size of the checkpoint it is bound to.
    pub size: u64,
    /// That checkpoint's root.
    pub root: Digest,
    /// Where the line after the checkpoint's last starts.
    pub offset: u64,
    /// The file's length.
    pub bytes: u64,
}

/// Checks the checkpoint an incremental audit resumes from against the state (spec/transparency.md
/// §8.1): it must be a checkpoint (`checkpoint.malformed`), name the state's origin, size and root
/// (`audit_state.mismatch`), and be signed by an owner key the state holds in effect at its size,
/// with the keyring's witness quorum (`checkpoint.signature`, `checkpoint.quorum`).
pub fn check_resume_checkpoint(
    state: &SavedState,
    note: &[u8],
    ring: Option<&Keyring>,
) -> Result<crate::log::transparency::CheckedCheckpoint, StateError> {
    let Some(b) = Binding::of_note(note) else {
        let why = crate::log::note::Note::parse(note)
            .map_err(|e| e.to_string())
            .and_then(|n| Checkpoint::parse(&n.text).map(|_| String::new()).map_err(|e| e.to_string()))
            .err()
            .unwrap_or_else(|| "it is not a checkpoint".into());
        return Err((Code::CheckpointMalformed, why));
    };
    if b != state.binding {
        let s = &state.binding;
        return Err((
            Code::AuditStateMismatch,
            format!(
                "the state is bound to the checkpoint of {} at size {} (root {}), and the checkpoint given is of {} at size {} (root {})",
                s.origin, s.size, s.root, b.origin, b.size, b.root
            ),
        ));
    }
    let keys = crate::log::transparency::owner_keys(state.index(), &b.origin, b.size);
    let ring = ring.cloned().unwrap_or_default();
    crate::log::transparency::verify_checkpoint(note, &b.origin, &keys, &ring).map_err(|p| (p.code, p.message))
}

/// Checks the checkpoint a new state is to be bound to, when the audit has read exactly its
/// `size` lines (spec/transparency.md §8.1): signed by an owner key in effect at its size, with
/// the keyring's quorum, and its root that of those lines (`root`; `None` when a line could not
/// be hashed).
pub fn check_save_checkpoint(
    index: &Index,
    root: Option<Digest>,
    note: &[u8],
    ring: Option<&Keyring>,
) -> Result<crate::log::transparency::CheckedCheckpoint, Problem> {
    let Some(origin) = index.origin() else {
        return Err(Problem::general(
            Code::CheckpointSignature,
            "the ledger has no valid genesis entry to check the checkpoint against",
        ));
    };
    let size = Binding::of_note(note).map_or(0, |b| b.size);
    let keys = crate::log::transparency::owner_keys(index, &origin, size);
    let ring = ring.cloned().unwrap_or_default();
    let checked = crate::log::transparency::verify_checkpoint(note, &origin, &keys, &ring)?;
    match root {
        None => Err(Problem::general(
            Code::LineTooLong,
            "a line over the length limit makes the Merkle root unknown; the checkpoint cannot be compared",
        )),
        Some(r) if r != checked.root => Err(Problem::general(
            Code::CheckpointInconsistent,
            format!(
                "history was rewritten: the ledger's first {} entries hash to {r}, the checkpoint signed {}",
                checked.size, checked.root
            ),
        )),
        Some(_) => Ok(checked),
    }
}

/// Decodes what `Auditor::state_file` (`log::audit`) wrote beside the lean state.
pub(crate) fn decode_parts(
    bytes: &[u8],
    versions: crate::log::index::audit_state::VersionTable,
    spill: Option<crate::log::index::audit_state::SpillFactory>,
) -> Option<Parts> {
    let mut d = Dec::new(bytes);
    let lines = d.u64()?;
    let valid_entries = d.u64()?;
    let texts_verified = d.u64()?;
    let mut problems = Vec::new();
    for _ in 0..d.count()? {
        let line = d.u64()?;
        let code = Code::from_name(&d.str()?)?;
        problems.push(Problem::at(line, code, d.str()?));
    }
    let mut peaks = Vec::new();
    for _ in 0..d.count()? {
        peaks.push(d.digest()?);
    }
    let mut last_path = Vec::new();
    for _ in 0..d.count()? {
        last_path.push(d.digest()?);
    }
    let frontier = crate::log::merkle::Frontier::from_parts(lines, peaks, last_path)?;
    let head = Head { seq: d.u64()?, hash: d.digest()? };
    let mut texts = HashMap::new();
    for _ in 0..d.count()? {
        let key = (d.str()?, d.str()?);
        texts.insert(key, d.opt_str()?);
    }
    let mut untrusted = Vec::new();
    for _ in 0..d.count()? {
        untrusted.push((d.key_id()?, d.u64()?, d.str()?));
    }
    let state = crate::log::index::audit_state::AuditState::decode(&mut d, versions, spill)?;
    if !d.is_empty() {
        return None;
    }
    Some(Parts {
        lines,
        valid_entries,
        texts_verified,
        problems,
        index: Index::from_audit_state(state),
        frontier,
        head,
        texts,
        untrusted,
    })
}
