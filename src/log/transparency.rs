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

fn problem(code: Code, m: impl Into<String>) -> Problem {
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

/// Where `colophon checkpoint` keeps the latest checkpoint it signed for a ledger.
pub fn checkpoint_path(ledger: &std::path::Path) -> std::path::PathBuf {
    let mut s = ledger.as_os_str().to_owned();
    s.push(".checkpoint");
    std::path::PathBuf::from(s)
}

/// A checkpoint signed for a ledger, and what was found beside the ledger before.
#[derive(Debug)]
pub struct Signed {
    /// The signed note.
    pub note: Vec<u8>,
    /// Its checkpoint.
    pub checkpoint: Checkpoint,
    /// When the file kept beside the ledger was not a checkpoint of this log signed by its owner:
    /// what it was (it was replaced).
    pub replaced: Option<String>,
}

/// Signs a checkpoint of a ledger file and keeps it beside the ledger (§3.1). Refuses when the
/// ledger no longer extends the checkpoint signed before: a log must never sign two histories.
/// The kept file is believed only when it is a checkpoint of this log signed by one of its owner
/// keys (anyone who can write the directory can put a file there); anything else is replaced,
/// and the caller is told what it was.
pub fn checkpoint_ledger(ledger: &std::path::Path, key: &SecretKey) -> Result<Signed, String> {
    let snap = crate::store::ledger::load(ledger).map_err(|e| e.to_string())?;
    let keep = checkpoint_path(ledger);
    let mut replaced = None;
    if std::fs::symlink_metadata(&keep).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{} is a symbolic link; colophon never writes its kept checkpoint through a link: remove it",
            keep.display()
        ));
    }
    if let Ok(old) = std::fs::read(&keep) {
        let origin = snap.index.origin().unwrap_or_default();
        let genuine = Checkpoint::in_note(&old).filter(|cp| cp.origin == origin).and_then(|cp| {
            verify_checkpoint(&old, &origin, &owner_keys(&snap.index, &origin, cp.size), &Keyring::default()).ok()
        });
        match genuine {
            Some(c) => matches_tree(
                &c.checkpoint,
                snap.index.len(),
                &crate::store::ledger::merkle_hashes(ledger, snap.index.len()).map_err(|e| e.to_string())?,
            )
            .map_err(|p| {
                format!(
                    "refusing to sign: {}; the last checkpoint this log's owner signed is in {}",
                    p.message,
                    keep.display()
                )
            })?,
            None => {
                replaced = Some(match Checkpoint::in_note(&old) {
                    None => format!("{} was not a checkpoint", keep.display()),
                    Some(cp) if cp.origin != origin => {
                        format!("{} was a checkpoint of another log ({:?})", keep.display(), cp.origin)
                    }
                    Some(_) => format!("{} was not signed by an owner key of this log", keep.display()),
                })
            }
        }
    }
    let (note, checkpoint) = sign_checkpoint(&snap.index, key)?;
    if let Some(f) = snap.index.failure() {
        return Err(f);
    }
    // What the owner signs is the ledger's tree, computed from its bytes: the index's stored
    // hashes only found it faster. A difference means the index is not the ledger's: rebuild it.
    let hashes = crate::store::ledger::merkle_hashes(ledger, checkpoint.size).map_err(|e| e.to_string())?;
    if tree_hash(checkpoint.size, &hashes)? != checkpoint.root {
        crate::store::ledger::discard_index(ledger, &crate::store::cache::Cache::from_env());
        return Err(
            "the ledger's index disagreed with the ledger's bytes; it was rebuilt and nothing was signed: run the command again"
                .into(),
        );
    }
    write_file_atomic(&keep, &note)?;
    Ok(Signed { note, checkpoint, replaced })
}

/// The checkpoint kept beside a ledger, checked before it is believed (spec/cli.md §5): it is a
/// sidecar anyone who can write the ledger's directory can replace, so it counts only when it
/// names this ledger's origin, is signed by an owner key in effect at its size, and describes
/// this ledger's first entries. `Ok(None)`: there is none. `Err`: there is a file, and what it is
/// (so the caller can say it was ignored, and why).
pub fn kept_checkpoint_checked(
    ledger: &std::path::Path,
    index: &Index,
    ring: &Keyring,
) -> Result<Option<(Vec<u8>, CheckedCheckpoint)>, String> {
    let shown = checkpoint_path(ledger).display().to_string();
    match read_kept_checkpoint(ledger)? {
        None => Ok(None),
        Some(note) => check_kept_checkpoint(&note, &shown, index, ring).map(|c| Some((note, c))),
    }
}

/// Reads the checkpoint kept beside a ledger, as untrusted bytes: `Ok(None)` when there is none; an
/// error for a link, a directory or a file too large to be a checkpoint.
pub fn read_kept_checkpoint(ledger: &std::path::Path) -> Result<Option<Vec<u8>>, String> {
    let path = checkpoint_path(ledger);
    let meta = match std::fs::symlink_metadata(&path) {
        Err(_) => return Ok(None),
        Ok(m) => m,
    };
    let shown = path.display();
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file (a symbolic link?); colophon does not follow links for it"));
    }
    if meta.len() > 1 << 20 {
        return Err(format!("{shown} is over 1 MiB, not a checkpoint"));
    }
    std::fs::read(&path).map(Some).map_err(|e| format!("{shown}: {e}"))
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

/// Reads the checkpoint kept beside a ledger, if it checks out (see [`kept_checkpoint_checked`],
/// with no witness policy) and covers at least `size` entries.
pub fn kept_checkpoint(ledger: &std::path::Path, index: &Index, size: u64) -> Option<Vec<u8>> {
    match kept_checkpoint_checked(ledger, index, &Keyring::default()) {
        Ok(Some((note, c))) if c.size >= size => Some(note),
        _ => None,
    }
}

/// Writes a file meant for others to read (a checkpoint, a bundle, a proof, a published tile, a
/// text shown with `-o`) atomically: a temporary file in the same directory, synced, renamed into
/// place. Its mode is 0666 less the umask, like any file a program creates: only secret keys are
/// private (spec/cli.md §1), and a web server running as another user must be able to serve
/// what `publish` writes. The rename replaces a symbolic link at `path` instead of writing
/// through it.
pub fn write_file_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".colophon-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.persist(path).map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}

/// Publishes a ledger as tiles (spec/transparency.md §7) for the tree of `note` (a signed
/// checkpoint of this ledger). An existing directory must hold a checkpoint this one extends.
pub fn publish_ledger(
    ledger: &std::path::Path,
    dir: &std::path::Path,
    note: &[u8],
) -> Result<crate::log::tiles::Published, String> {
    let snap = crate::store::ledger::load(ledger).map_err(|e| e.to_string())?;
    let cp = Checkpoint::in_note(note).ok_or("not a checkpoint")?;
    matches_tree(&cp, snap.index.len(), &snap.index).map_err(|p| p.message)?;
    if let Ok(old) = std::fs::read(dir.join("checkpoint")) {
        let old_cp =
            Checkpoint::in_note(&old).ok_or_else(|| format!("{}/checkpoint: not a checkpoint", dir.display()))?;
        if old_cp.origin != cp.origin {
            return Err(format!(
                "{} holds the log {:?}, not {:?}; publish into another directory",
                dir.display(),
                old_cp.origin,
                cp.origin
            ));
        }
        matches_tree(&old_cp, snap.index.len(), &snap.index).map_err(|p| {
            format!("{}: the published log is not a prefix of this ledger: {}", dir.display(), p.message)
        })?;
        if old_cp.size > cp.size {
            return Err(format!(
                "{} already publishes {} entries, more than this checkpoint's {}; sign a newer checkpoint",
                dir.display(),
                old_cp.size,
                cp.size
            ));
        }
    }
    let index = &snap.index;
    // Tiles are the ledger's tree, from its bytes (an index only finds lines faster).
    let hashes = crate::store::ledger::merkle_hashes(ledger, cp.size).map_err(|e| e.to_string())?;
    if tree_hash(cp.size, &hashes)? != cp.root {
        return Err(format!("the checkpoint's root is not the root of this ledger's first {} lines", cp.size));
    }
    let lines = |start: u64, count: u64| -> Result<Vec<Vec<u8>>, String> {
        (start..start + count)
            .map(|seq| {
                let (h, loc) = index.entry_at(seq).ok_or_else(|| format!("entry {seq} is not indexed"))?;
                let line =
                    crate::store::ledger::read_line_at(ledger, loc.offset, loc.len).map_err(|e| e.to_string())?;
                if Digest::of(&line) != h {
                    return Err(format!("entry {seq} changed on disk while publishing"));
                }
                Ok(line)
            })
            .collect()
    };
    let out = crate::log::tiles::publish(dir, cp.size, &hashes, lines, note)?;
    if let Some(f) = index.failure() {
        return Err(f);
    }
    Ok(out)
}

/// What a witness remembers (§4.3): for each log origin, the largest checkpoint it cosigned.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WitnessState {
    /// `colophon-witness-state-v1`.
    pub format: String,
    /// Origin → (size, base64 root).
    pub logs: std::collections::BTreeMap<String, (u64, Digest)>,
}

/// The format string of a witness state file.
pub const WITNESS_STATE_FORMAT: &str = "colophon-witness-state-v1";

impl WitnessState {
    /// Reads a state file; a missing file is a fresh witness.
    pub fn read(path: &std::path::Path) -> Result<WitnessState, String> {
        match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(WitnessState { format: WITNESS_STATE_FORMAT.into(), ..WitnessState::default() })
            }
            Err(e) => Err(format!(
                "{}: {}; give this witness's state file, or a path that does not exist yet for a new witness",
                path.display(),
                crate::format::status::io_hint(&e)
            )),
            Ok(b) => {
                let s: WitnessState = serde_json::from_slice(&b).map_err(|e| {
                    format!(
                        "{}: not a witness state file ({e}); give this witness's state file ({WITNESS_STATE_FORMAT}), \
                         or a path that does not exist yet for a new witness",
                        path.display()
                    )
                })?;
                if s.format != WITNESS_STATE_FORMAT {
                    return Err(format!("{}: unsupported witness state format {:?}", path.display(), s.format));
                }
                Ok(s)
            }
        }
    }
}

/// Acts as a witness (§4.3): verifies `note` with the log's keys, checks that it is consistent
/// with the last checkpoint of the same log in `state` (same root at the same size, or a valid
/// consistency proof from `consistency(old_size, new_size)`), cosigns it, and records it.
/// Returns the note with the cosignature added.
pub fn witness_cosign(
    note: &[u8],
    log_keys: &[LogKey],
    state_path: &std::path::Path,
    name: &str,
    key: &SecretKey,
    timestamp: u64,
    consistency: impl FnOnce(u64, u64) -> Result<Vec<Digest>, String>,
) -> Result<Vec<u8>, Problem> {
    let parsed = Note::parse(note).map_err(|e| problem(Code::CheckpointMalformed, e.to_string()))?;
    let cp = Checkpoint::parse(&parsed.text).map_err(|e| problem(Code::CheckpointMalformed, e.to_string()))?;
    verify_checkpoint(note, &cp.origin, log_keys, &Keyring::default())?;
    let mut state = WitnessState::read(state_path).map_err(|m| problem(Code::LedgerIo, m))?;
    if let Some(&(old_size, old_root)) = state.logs.get(&cp.origin) {
        let old = Checkpoint { origin: cp.origin.clone(), size: old_size, root: old_root, extensions: Vec::new() };
        if old_size > cp.size {
            return Err(problem(
                Code::CheckpointInconsistent,
                format!(
                    "this witness already cosigned size {old_size} of {}; it never cosigns an older tree ({})",
                    cp.origin, cp.size
                ),
            ));
        }
        let proof = if old_size < cp.size {
            Some(consistency(old_size, cp.size).map_err(|m| problem(Code::ProofConsistency, m))?)
        } else {
            None
        };
        check_consistent(&old, &cp, proof.as_deref())?;
    }
    let sig = crate::log::note::cosign(&parsed.text, name, &key.signing, timestamp)
        .map_err(|e| problem(Code::CheckpointMalformed, e.to_string()))?;
    let mut out = parsed;
    out.sigs.retain(|s| !(s.name == sig.name && s.key_id == sig.key_id));
    out.sigs.push(sig);
    state.format = WITNESS_STATE_FORMAT.into();
    state.logs.insert(cp.origin.clone(), (cp.size, cp.root));
    let text = serde_json::to_vec_pretty(&state).map_err(|e| problem(Code::LedgerIo, e.to_string()))?;
    write_file_atomic(state_path, &text).map_err(|m| problem(Code::LedgerIo, m))?;
    Ok(out.to_bytes())
}
