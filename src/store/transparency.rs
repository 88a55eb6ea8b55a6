//! The files of a transparent log (spec/transparency.md, spec/cli.md §5): the checkpoint kept
//! beside a ledger (an untrusted sidecar, believed only once checked), published tiles, and a
//! witness's state file. The checks themselves are [`crate::log::transparency`]'s.

use crate::format::hash::Digest;
use crate::format::keys::SecretKey;
use crate::format::status::{Code, Problem};
use crate::log::checkpoint::Checkpoint;
use crate::log::index::Index;
use crate::log::merkle::tree_hash;
use crate::log::note::Note;
use crate::log::transparency::problem;
use crate::log::transparency::*;
use crate::log::trust::Keyring;
use crate::store::files::write_file_atomic;

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
    checkpoint_ledger_mode(ledger, key, crate::store::ledger::Mode::Write)
}

/// As [`checkpoint_ledger`]; in [`crate::store::ledger::Mode::DryRun`] every check runs and the
/// checkpoint is signed, but it is not kept, and the state is built in memory (no index written).
pub fn checkpoint_ledger_mode(
    ledger: &std::path::Path,
    key: &SecretKey,
    mode: crate::store::ledger::Mode,
) -> Result<Signed, String> {
    let dry = mode == crate::store::ledger::Mode::DryRun;
    let cache = if dry { crate::store::cache::Cache::None } else { crate::store::cache::Cache::from_env() };
    let snap = crate::store::ledger::load_with(ledger, &cache).map_err(|e| e.to_string())?;
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
    if !dry {
        write_file_atomic(&keep, &note)?;
    }
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

/// Reads the checkpoint kept beside a ledger, if it checks out (see [`kept_checkpoint_checked`],
/// with no witness policy) and covers at least `size` entries.
pub fn kept_checkpoint(ledger: &std::path::Path, index: &Index, size: u64) -> Option<Vec<u8>> {
    match kept_checkpoint_checked(ledger, index, &Keyring::default()) {
        Ok(Some((note, c))) if c.size >= size => Some(note),
        _ => None,
    }
}

/// Publishes a ledger as tiles (spec/transparency.md §7) for the tree of `note` (a signed
/// checkpoint of this ledger). An existing directory must hold a checkpoint this one extends.
pub fn publish_ledger(
    ledger: &std::path::Path,
    dir: &std::path::Path,
    note: &[u8],
) -> Result<crate::store::tiles::Published, String> {
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
                if crate::format::hash::entry_hash(&line) != h {
                    return Err(format!("entry {seq} changed on disk while publishing"));
                }
                Ok(line)
            })
            .collect()
    };
    let out = crate::store::tiles::publish(dir, cp.size, &hashes, lines, note)?;
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
    let sig = crate::log::checkpoint::cosign(&parsed.text, name, &key.signing, timestamp)
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
