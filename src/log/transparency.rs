//! Checkpoints, inclusion and consistency proofs, and witness policies over a ledger
//! (spec/transparency.md §3–§6, §8): the glue between the Merkle tree (`merkle`), signed notes
//! (`note`, `checkpoint`), the ledger's keys (`index`) and the reader's keyring (`trust`).

use crate::format::entry::Role;
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, SecretKey};
use crate::format::status::{Code, Problem};
use crate::log::checkpoint::{Checkpoint, TlogProof};
use crate::log::index::Index;
use crate::log::merkle::{
    HashReader, prove_consistency, prove_inclusion, tree_hash, verify_consistency, verify_inclusion,
};
use crate::log::note::{Note, Verifier, VerifierKind};
use crate::log::trust::Keyring;

/// A key allowed to sign checkpoints of a ledger at some size (§3): an owner key in effect.
#[derive(Clone, Debug)]
pub struct LogKey {
    /// The note verifier (name = origin, signed-note key id).
    pub verifier: Verifier,
    /// The colophon key id.
    pub key_id: KeyId,
    /// The holder's name.
    pub name: String,
}

/// The owner keys in effect at `size` (§3): registered with the owner role by the first `size`
/// lines and not revoked by them.
pub fn owner_keys(index: &Index, origin: &str, size: u64) -> Vec<LogKey> {
    index
        .keys()
        .into_iter()
        .filter(|k| k.has(Role::Owner) && k.seq < size && k.revoked.is_none_or(|r| r.seq >= size))
        .filter_map(|k| {
            Verifier::new(origin, VerifierKind::Ed25519, k.key.0).ok().map(|verifier| LogKey {
                verifier,
                key_id: k.key.id(),
                name: k.name.clone(),
            })
        })
        .collect()
}

/// The reader's own keys as checkpoint verifiers (§3): for proofs checked without the ledger,
/// any trusted key may have signed as the log.
pub fn keyring_log_keys(ring: &Keyring, origin: &str) -> Vec<LogKey> {
    ring.keys
        .iter()
        .filter_map(|k| {
            Verifier::new(origin, VerifierKind::Ed25519, k.key.0).ok().map(|verifier| LogKey {
                verifier,
                key_id: k.key.id(),
                name: k.name.clone(),
            })
        })
        .collect()
}

/// A checkpoint whose signatures were checked.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CheckedCheckpoint {
    /// Its body.
    #[serde(skip)]
    pub checkpoint: Checkpoint,
    /// Origin.
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash.
    pub root: Digest,
    /// The log keys whose signatures verified: (colophon key id, name).
    pub signed_by: Vec<(KeyId, String)>,
    /// Witnesses of the reader's keyring whose cosignatures verified: (name, timestamp).
    pub witnesses: Vec<(String, u64)>,
    /// The reader's quorum.
    pub quorum: usize,
}

pub(crate) fn problem(code: Code, m: impl Into<String>) -> Problem {
    Problem::general(code, m)
}

/// Verifies a signed checkpoint (§3.2, §4): it parses, names `origin`, is signed by one of
/// `log_keys`, and meets the keyring's witness quorum.
pub fn verify_checkpoint(
    note_bytes: &[u8],
    origin: &str,
    log_keys: &[LogKey],
    ring: &Keyring,
) -> Result<CheckedCheckpoint, Problem> {
    let note = Note::parse(note_bytes).map_err(|e| problem(Code::CheckpointMalformed, e.to_string()))?;
    let cp = Checkpoint::parse(&note.text).map_err(|e| problem(Code::CheckpointMalformed, e.to_string()))?;
    // §3.2 item 3 (size 0, extension lines: malformed) comes before item 4 (the origin).
    cp.check_colophon(origin).map_err(|e| match e {
        crate::log::checkpoint::CheckpointError::OriginMismatch { .. } => {
            problem(Code::CheckpointOrigin, format!("the checkpoint is for log {:?}, not {origin:?}", cp.origin))
        }
        e => problem(Code::CheckpointMalformed, e.to_string()),
    })?;
    let mut verifiers: Vec<Verifier> = log_keys.iter().map(|k| k.verifier.clone()).collect();
    verifiers.extend(ring.witnesses.iter().cloned());
    let verified =
        crate::log::note::verify(&note, &verifiers).map_err(|e| problem(Code::CheckpointSignature, e.to_string()))?;
    let mut out = CheckedCheckpoint {
        origin: cp.origin.clone(),
        size: cp.size,
        root: cp.root,
        checkpoint: cp,
        signed_by: Vec::new(),
        witnesses: Vec::new(),
        quorum: ring.quorum,
    };
    for v in verified {
        match v.kind {
            VerifierKind::Ed25519 => {
                if let Some(k) = log_keys.iter().find(|k| k.verifier.key_id == v.key_id && k.verifier.name == v.name) {
                    out.signed_by.push((k.key_id, k.name.clone()));
                }
            }
            VerifierKind::CosignatureV1 => out.witnesses.push((v.name, v.timestamp.unwrap_or(0))),
        }
    }
    if out.signed_by.is_empty() {
        return Err(problem(
            Code::CheckpointSignature,
            "no owner key of the log signed this checkpoint (only witnesses did)",
        ));
    }
    if out.witnesses.len() < ring.quorum {
        return Err(problem(
            Code::CheckpointQuorum,
            format!(
                "{} of the {} required witnesses cosigned this checkpoint{}",
                out.witnesses.len(),
                ring.quorum,
                if out.witnesses.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", out.witnesses.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "))
                }
            ),
        ));
    }
    Ok(out)
}

/// Whether the reader's roots trust an owner key that signed a verified checkpoint (L§10.2, at the
/// checkpoint's size). The checkpoint anchors the order of entries of *its* log whatever the
/// answer (its signer is an owner of that log, which only the log's own owners can register);
/// this says whether the reader trusts whose log it is (spec/verify.md §3.5).
pub fn anchor_trusted(c: &CheckedCheckpoint, index: &Index, roots: &Keyring) -> Result<(), Problem> {
    let trusted = c.signed_by.iter().any(|(k, _)| {
        matches!(crate::log::trust::decide(index, roots, *k, c.size), crate::log::trust::Decision::Trusted { .. })
    });
    if trusted || roots.is_empty() {
        return Ok(());
    }
    Err(problem(
        Code::CheckpointSignature,
        format!(
            "the log's checkpoint is signed by its owner {}, who is not in your keyring: the order it shows is that log's",
            c.signed_by.iter().map(|(k, n)| format!("{n} ({k})")).collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// Signs a checkpoint of the whole ledger with an owner key (§3.1).
pub fn sign_checkpoint(index: &Index, key: &SecretKey) -> Result<(Vec<u8>, Checkpoint), String> {
    let origin = index.origin().ok_or("the ledger has no genesis entry")?;
    let size = index.len();
    if !owner_keys(index, &origin, size).iter().any(|k| k.key_id == key.id()) {
        return Err(format!(
            "{} ({}) is not an owner key in effect in this ledger; checkpoints are signed by an owner",
            key.name,
            key.id()
        ));
    }
    let root = tree_hash(size, index)?;
    let cp = Checkpoint { origin: origin.clone(), size, root, extensions: Vec::new() };
    let text = cp.to_text();
    let sig = crate::log::note::sign(&text, &origin, &key.signing).map_err(|e| e.to_string())?;
    let note = Note { text, sigs: vec![sig] };
    Ok((note.to_bytes(), cp))
}

/// Checks that `cp` describes a prefix of the tree `hashes` holds (§8): same root at its size.
pub fn matches_tree(cp: &Checkpoint, tree_size: u64, hashes: &(impl HashReader + ?Sized)) -> Result<(), Problem> {
    if cp.size > tree_size {
        return Err(problem(
            Code::CheckpointInconsistent,
            format!(
                "the checkpoint covers {} entries but the ledger has only {tree_size}: entries it signed are gone",
                cp.size
            ),
        ));
    }
    let root = tree_hash(cp.size, hashes).map_err(|e| problem(Code::LedgerIo, e))?;
    if root != cp.root {
        return Err(problem(
            Code::CheckpointInconsistent,
            format!(
                "history was rewritten: the first {} entries now hash to {}, but the checkpoint signed {}",
                cp.size, root, cp.root
            ),
        ));
    }
    Ok(())
}

/// An inclusion proof file for entry `seq` in the tree of a signed checkpoint (§5). `line` is the
/// entry's ledger line; it rides in `extra` when it is at most 48 KiB, so the proof can be checked
/// on its own.
pub fn inclusion_proof(
    hashes: &(impl HashReader + ?Sized),
    seq: u64,
    line: &[u8],
    checkpoint_note: &[u8],
) -> Result<TlogProof, String> {
    let note = Note::parse(checkpoint_note).map_err(|e| e.to_string())?;
    let cp = Checkpoint::parse(&note.text).map_err(|e| e.to_string())?;
    if seq >= cp.size {
        return Err(format!(
            "entry {seq} is not covered by the checkpoint (size {}); sign a newer one with `colophon checkpoint`",
            cp.size
        ));
    }
    let proof = prove_inclusion(cp.size, seq, hashes)?;
    Ok(TlogProof {
        extra: (line.len() <= 48 * 1024).then(|| line.to_vec()),
        index: seq,
        hashes: proof,
        checkpoint: checkpoint_note.to_vec(),
    })
}

/// Checks an inclusion proof for `line` against a checkpoint that was already verified (§5).
pub fn check_inclusion(proof: &TlogProof, line: &[u8], cp: &Checkpoint) -> Result<(), Problem> {
    let leaf = crate::format::hash::leaf_hash(line);
    if !verify_inclusion(&leaf, proof.index, cp.size, &proof.hashes, &cp.root) {
        return Err(problem(
            Code::ProofInclusion,
            format!("the inclusion proof for entry {} does not lead to the checkpoint's root", proof.index),
        ));
    }
    Ok(())
}

/// A consistency proof between two tree sizes, as a text file (§5.2): header, sizes, hashes.
pub fn consistency_proof_text(
    old_size: u64,
    new_size: u64,
    hashes: &(impl HashReader + ?Sized),
) -> Result<String, String> {
    let proof = prove_consistency(new_size, old_size, hashes)?;
    let mut s = format!("{CONSISTENCY_HEADER}\nold {old_size}\nnew {new_size}\n");
    for h in proof {
        s.push_str(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, h.0));
        s.push('\n');
    }
    Ok(s)
}

/// First line of a consistency proof file.
pub const CONSISTENCY_HEADER: &str = "colophon/consistency-proof@v1";

/// Parses a consistency proof file: (old size, new size, hashes).
pub fn parse_consistency_proof(text: &str) -> Result<(u64, u64, Vec<Digest>), String> {
    let mut lines = text.lines();
    if lines.next() != Some(CONSISTENCY_HEADER) {
        return Err(format!("not a consistency proof (the first line must be {CONSISTENCY_HEADER})"));
    }
    let num = |l: Option<&str>, key: &str| -> Result<u64, String> {
        l.and_then(|l| l.strip_prefix(key))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("expected a `{key}<number>` line"))
    };
    let old = num(lines.next(), "old ")?;
    let new = num(lines.next(), "new ")?;
    let mut hashes = Vec::new();
    for l in lines.filter(|l| !l.is_empty()) {
        let b = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, l)
            .map_err(|_| format!("{l:?} is not base64"))?;
        let a: [u8; 32] = b.try_into().map_err(|_| format!("{l:?} is not a 32-byte hash"))?;
        hashes.push(Digest(a));
        if hashes.len() > 128 {
            return Err("too many hashes for a consistency proof".into());
        }
    }
    Ok((old, new, hashes))
}

/// Checks that two verified checkpoints describe one history (§6, §8): equal roots at equal
/// sizes, or a consistency proof from the smaller to the larger.
pub fn check_consistent(a: &Checkpoint, b: &Checkpoint, proof: Option<&[Digest]>) -> Result<(), Problem> {
    let (old, new) = if a.size <= b.size { (a, b) } else { (b, a) };
    if old.size == new.size {
        return if old.root == new.root {
            Ok(())
        } else {
            Err(problem(
                Code::CheckpointInconsistent,
                format!("two checkpoints of size {} have different roots: the log showed two histories", old.size),
            ))
        };
    }
    let Some(proof) = proof else {
        return Err(problem(
            Code::ProofConsistency,
            format!(
                "checkpoints of sizes {} and {} need a consistency proof (`colophon prove consistency`, or --tiles)",
                old.size, new.size
            ),
        ));
    };
    if verify_consistency(old.size, new.size, &old.root, &new.root, proof) {
        Ok(())
    } else {
        // A damaged proof and a log that showed two histories look the same from here.
        Err(problem(
            Code::ProofConsistency,
            format!(
                "the consistency proof from size {} to {} does not verify: the proof is damaged, or the log showed two histories",
                old.size, new.size
            ),
        ))
    }
}

/// Checks a kept checkpoint (`shown` names it in messages) before it is believed (spec/cli.md §5):
/// this log's origin, signed by an owner key in effect at its size, meeting `ring`'s witness
/// policy, and describing the first entries of the ledger whose state is `index`.
pub fn check_kept_checkpoint(
    note: &[u8],
    shown: &str,
    index: &Index,
    ring: &Keyring,
) -> Result<CheckedCheckpoint, String> {
    let origin = index.origin().unwrap_or_default();
    let cp = Checkpoint::in_note(note).ok_or_else(|| format!("{shown} is not a checkpoint"))?;
    if cp.origin != origin {
        return Err(format!("{shown} is a checkpoint of another log ({:?}), not of {origin:?}", cp.origin));
    }
    let checked = verify_checkpoint(note, &origin, &owner_keys(index, &origin, cp.size), ring).map_err(|p| {
        if p.code == Code::CheckpointSignature {
            format!("{shown} is not signed by an owner key of this log ({})", p.message)
        } else {
            format!("{shown} does not check out: {} ({})", p.message, p.code)
        }
    })?;
    matches_tree(&checked.checkpoint, index.len(), index)
        .map_err(|p| format!("{shown} does not describe this ledger: {}", p.message))?;
    Ok(checked)
}

/// The format string of a witness state file.
pub const WITNESS_STATE_FORMAT: &str = "colophon-witness-state-v1";
