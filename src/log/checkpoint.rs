//! Checkpoints (C2SP tlog-checkpoint v1.0.0, "Note text") and proof files
//! (c2sp.org/tlog-proof@v1): spec/transparency.md §3 and §5.
//!
//! A checkpoint is the text of a signed note ([`crate::log::note`]); this module parses and writes that
//! text and the proof file that carries a note verbatim. Signatures are checked by
//! [`crate::log::note::verify`], Merkle proofs by [`crate::log::merkle`].

use crate::format::hash::Digest;
use crate::log::note::{Note, NoteError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// The first line of a proof file (tlog-proof "Format").
pub const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";
/// At most this many inclusion proof hashes: a tree of at most 2^64 leaves has paths of at most 64
/// hashes (RFC 6962 §2.1.1), so a longer proof can never verify.
pub const MAX_PROOF_HASHES: usize = 64;
/// At most this many bytes of base64 on the `extra` line. The Go implementation
/// (transparency-dev/formats) reads proofs line by line with a 64 KiB line limit.
pub const MAX_EXTRA_LEN: usize = 64 * 1024;

/// A checkpoint's note text: a tree head of the log named by `origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The first line: the log's identity.
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The RFC 6962 Merkle tree hash of the first `size` leaves.
    pub root: Digest,
    /// Extension lines, opaque and non-empty (tlog-checkpoint: NOT RECOMMENDED; colophon's own
    /// checkpoints have none, spec/transparency.md §3.1).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The checkpoint a signed note carries, without checking any signature: for reading a size
    /// or root before deciding which keys to verify with, or from a note already verified.
    pub fn in_note(note: &[u8]) -> Option<Checkpoint> {
        Checkpoint::parse(&Note::parse(note).ok()?.text).ok()
    }

    /// Parses a checkpoint text with the tlog-checkpoint "Note text" rules: at least three
    /// non-empty lines, each ending in LF; the origin (any non-empty text: clients MUST NOT assume
    /// a format); the tree size in ASCII decimal without leading zeros; the root hash as canonical
    /// standard base64 of exactly 32 bytes; then non-empty extension lines. As a note text it has
    /// no control characters other than LF. A tree of size 0 has the root SHA-256("") (RFC 6962
    /// §2.1: the hash of an empty list), so any other root for size 0 is rejected.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::NotTerminated)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if let Some(i) = lines.iter().position(|l| l.bytes().any(|b| b < 0x20)) {
            return Err(CheckpointError::ControlCharacter { line: i + 1 });
        }
        if let Some(i) = lines.iter().position(|l| l.is_empty()) {
            // Reported before counting so that "origin\n\n..." names the empty line.
            return Err(CheckpointError::EmptyLine { line: i + 1 });
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { found: lines.len() });
        };
        let size =
            parse_decimal(size).map_err(|reason| CheckpointError::BadSize { found: (*size).to_owned(), reason })?;
        let root = decode_hash(root).map_err(|reason| CheckpointError::BadRootHash { reason })?;
        if size == 0 && root != Digest::of(b"") {
            return Err(CheckpointError::EmptyTreeRoot);
        }
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|l| (*l).to_owned()).collect(),
        })
    }

    /// The rules colophon adds for its own checkpoints (spec/transparency.md §3.2 items 3 and 4,
    /// in that order): the size is at least 1 (the genesis line) and there are no extension lines,
    /// then the origin is the ledger's genesis `origin`.
    pub fn check_colophon(&self, origin: &str) -> Result<(), CheckpointError> {
        if self.size == 0 {
            return Err(CheckpointError::EmptyLedger);
        }
        if !self.extensions.is_empty() {
            return Err(CheckpointError::ExtensionLines { count: self.extensions.len() });
        }
        if self.origin != origin {
            return Err(CheckpointError::OriginMismatch { found: self.origin.clone(), expected: origin.to_owned() });
        }
        Ok(())
    }

    /// The note text: origin, size, base64 root and extension lines, each ending in LF.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root.0));
        for ext in &self.extensions {
            out.push_str(ext);
            out.push('\n');
        }
        out
    }
}

/// ASCII decimal with no leading zeros ("0" itself excepted), within 64 bits. Rust's `u64` parser
/// alone would also take "+5" and "007".
fn parse_decimal(s: &str) -> Result<u64, &'static str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not an ASCII decimal number");
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err("has a leading zero");
    }
    s.parse().map_err(|_| "does not fit in 64 bits")
}

/// Canonical standard base64 (spec/ledger.md §4.2) of exactly 32 bytes.
fn decode_hash(s: &str) -> Result<Digest, String> {
    // A long line is refused before it is decoded; 32 bytes are 44 characters.
    if s.len() > 64 {
        return Err(format!("is {} characters long; a base64 SHA-256 hash has 44", s.len()));
    }
    let raw = B64.decode(s).map_err(|_| "is not canonical standard base64".to_owned())?;
    let hash: [u8; 32] = raw.as_slice().try_into().map_err(|_| format!("decodes to {} bytes, not 32", raw.len()))?;
    Ok(Digest(hash))
}

/// A proof that the leaf at `index` is in the tree of a signed checkpoint (c2sp.org/tlog-proof@v1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque, unauthenticated extra data (the `extra` line). Colophon writes none and ignores it.
    pub extra: Option<Vec<u8>>,
    /// The zero-based index of the leaf.
    pub index: u64,
    /// The RFC 6962 inclusion proof, from the leaf's sibling up to the root's child.
    pub hashes: Vec<Digest>,
    /// The signed checkpoint note, verbatim (with any cosignatures).
    pub checkpoint: Vec<u8>,
}

impl TlogProof {
    /// Parses a proof file (tlog-proof "Format"): the header line; optionally `extra <base64>`;
    /// `index <decimal, no leading zeros>`; zero to [`MAX_PROOF_HASHES`] lines of one base64 hash
    /// each; an empty line; then the checkpoint note, which must parse as a signed note whose text
    /// is a checkpoint, with `index` below its tree size. No signature or hash is verified here.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, CheckpointError> {
        let mut rest = bytes;
        let header = next_line(&mut rest).ok_or(CheckpointError::ProofHeader)?;
        if header != PROOF_HEADER.as_bytes() {
            return Err(CheckpointError::ProofHeader);
        }
        let mut line = next_line(&mut rest).ok_or(CheckpointError::MissingIndex)?;
        let mut extra = None;
        let mut lineno = 2;
        if let Some(b64) = line.strip_prefix(b"extra ") {
            if b64.len() > MAX_EXTRA_LEN {
                return Err(CheckpointError::BadExtra { reason: "is longer than 64 KiB" });
            }
            extra = Some(
                B64.decode(b64)
                    .map_err(|_| CheckpointError::BadExtra { reason: "is not canonical standard base64" })?,
            );
            line = next_line(&mut rest).ok_or(CheckpointError::MissingIndex)?;
            lineno += 1;
        }
        let index = line.strip_prefix(b"index ").ok_or(CheckpointError::MissingIndex)?;
        let index = std::str::from_utf8(index).map_err(|_| "is not an ASCII decimal number").and_then(parse_decimal);
        let index = index.map_err(|reason| CheckpointError::BadIndex {
            found: String::from_utf8_lossy(line).into_owned(),
            reason,
        })?;
        let mut hashes = Vec::new();
        loop {
            let line = next_line(&mut rest).ok_or(CheckpointError::MissingCheckpoint)?;
            lineno += 1;
            if line.is_empty() {
                break;
            }
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(CheckpointError::TooManyHashes { max: MAX_PROOF_HASHES });
            }
            let hash = std::str::from_utf8(line)
                .map_err(|_| "is not canonical standard base64".to_owned())
                .and_then(decode_hash)
                .map_err(|reason| CheckpointError::BadProofHash { line: lineno, reason })?;
            hashes.push(hash);
        }
        if rest.is_empty() {
            return Err(CheckpointError::MissingCheckpoint);
        }
        let proof = TlogProof { extra, index, hashes, checkpoint: rest.to_vec() };
        let (_, checkpoint) = proof.parse_checkpoint()?;
        if proof.index >= checkpoint.size {
            return Err(CheckpointError::IndexOutOfRange { index: proof.index, size: checkpoint.size });
        }
        Ok(proof)
    }

    /// Parses the proof's checkpoint: the signed note (unverified) and its checkpoint text.
    pub fn parse_checkpoint(&self) -> Result<(Note, Checkpoint), CheckpointError> {
        let note = Note::parse(&self.checkpoint)?;
        let checkpoint = Checkpoint::parse(&note.text).map_err(|e| CheckpointError::ProofCheckpoint(Box::new(e)))?;
        Ok((note, checkpoint))
    }

    /// The proof file. It does not check its input; a proof returned by [`TlogProof::parse`]
    /// serializes to the exact bytes it was parsed from.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&B64.encode(extra));
            out.push('\n');
        }
        out.push_str("index ");
        out.push_str(&self.index.to_string());
        out.push('\n');
        for h in &self.hashes {
            out.push_str(&B64.encode(h.0));
            out.push('\n');
        }
        out.push('\n');
        let mut out = out.into_bytes();
        out.extend_from_slice(&self.checkpoint);
        out
    }
}

/// Splits off the next line (without its LF); `None` if no LF is left.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let at = rest.iter().position(|&b| b == b'\n')?;
    let (line, tail) = rest.split_at_checked(at)?;
    *rest = tail.get(1..)?;
    Some(line)
}

/// Why a checkpoint text or a proof file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint text does not end in a newline")]
    NotTerminated,
    #[error("line {line} of the checkpoint contains a control character")]
    ControlCharacter { line: usize },
    #[error("line {line} of the checkpoint is empty")]
    EmptyLine { line: usize },
    #[error("a checkpoint has at least three lines (origin, tree size, root hash); found {found}")]
    TooFewLines { found: usize },
    #[error("the checkpoint tree size {found:?} {reason}")]
    BadSize { found: String, reason: &'static str },
    #[error("the checkpoint root hash {reason}")]
    BadRootHash { reason: String },
    #[error("a checkpoint of tree size 0 must have the root hash of the empty tree, SHA-256 of nothing")]
    EmptyTreeRoot,
    #[error("the checkpoint is for origin {found:?}, not the ledger's {expected:?}")]
    OriginMismatch { found: String, expected: String },
    #[error("a colophon checkpoint covers at least the genesis line; tree size 0 is invalid")]
    EmptyLedger,
    #[error("a colophon checkpoint has no extension lines; this one has {count}")]
    ExtensionLines { count: usize },
    #[error("a tlog proof must start with the line `{PROOF_HEADER}`")]
    ProofHeader,
    #[error("the proof's `extra` data {reason}")]
    BadExtra { reason: &'static str },
    #[error("the proof has no `index <n>` line after its header (and optional `extra` line)")]
    MissingIndex,
    #[error("the proof's {found:?}: the index {reason}")]
    BadIndex { found: String, reason: &'static str },
    #[error("line {line} of the proof is not an inclusion proof hash: it {reason}")]
    BadProofHash { line: usize, reason: String },
    #[error("the proof has more than {max} inclusion proof hashes")]
    TooManyHashes { max: usize },
    #[error("the proof has no empty line and checkpoint after its inclusion proof hashes")]
    MissingCheckpoint,
    #[error("the proof's checkpoint is not a valid signed note: {0}")]
    Note(#[from] NoteError),
    #[error("the proof's checkpoint: {0}")]
    ProofCheckpoint(Box<CheckpointError>),
    #[error("the proof's index {index} is not below the checkpoint's tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
}

/// Cosigns a checkpoint as a witness (spec/transparency.md §4; C2SP tlog-cosignature): checks
/// that the text is a checkpoint (a cosignature states that the witness observed this tree head,
/// so there is nothing else it may sign), then signs it with [`crate::log::note`]'s
/// `cosignature/v1`.
pub fn cosign(
    checkpoint_text: &str,
    name: &str,
    key: &ed25519_dalek::SigningKey,
    timestamp: u64,
) -> Result<crate::log::note::Signature, CheckpointError> {
    Checkpoint::parse(checkpoint_text)?;
    Ok(crate::log::note::cosign_text(checkpoint_text, name, key, timestamp)?)
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_checkpoints_are_cosigned() {
        let k = ed25519_dalek::SigningKey::from_bytes(&[4; 32]);
        assert!(super::cosign("hello\n", "w", &k, 1).is_err());
        assert!(super::cosign("a\n1\n", "w", &k, 1).is_err());
    }
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("0"), Ok(0));
        assert_eq!(parse_decimal("20852163"), Ok(20852163));
        assert_eq!(parse_decimal("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "00", "01", "+1", "-1", " 1", "1 ", "1_0", "0x1", "١", "18446744073709551616"] {
            assert!(parse_decimal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hashes() {
        let h = Digest::of(b"x");
        assert_eq!(decode_hash(&B64.encode(h.0)), Ok(h));
        assert!(decode_hash(&B64.encode([0u8; 31])).unwrap_err().contains("31 bytes"));
        assert!(decode_hash(&"A".repeat(1000)).unwrap_err().contains("1000 characters"));
        assert!(decode_hash("").is_err());
    }

    #[test]
    fn lines() {
        let mut rest: &[u8] = b"a\n\nb";
        assert_eq!(next_line(&mut rest), Some(&b"a"[..]));
        assert_eq!(next_line(&mut rest), Some(&b""[..]));
        assert_eq!(next_line(&mut rest), None);
        assert_eq!(rest, b"b");
    }

    #[test]
    fn proof_round_trip() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let cp = Checkpoint { origin: "example.org/log".into(), size: 3, root: Digest::of(b"r"), extensions: vec![] };
        let text = cp.to_text();
        let sig = crate::log::note::sign(&text, "example.org/log", &key).unwrap();
        let note = Note { text, sigs: vec![sig] };
        for extra in [None, Some(vec![]), Some(b"x".to_vec())] {
            let proof = TlogProof {
                extra,
                index: 2,
                hashes: vec![Digest::of(b"1"), Digest::of(b"2")],
                checkpoint: note.to_bytes(),
            };
            let bytes = proof.to_bytes();
            assert_eq!(TlogProof::parse(&bytes).unwrap(), proof);
            assert_eq!(proof.parse_checkpoint().unwrap(), (note.clone(), cp.clone()));
        }
    }
}
