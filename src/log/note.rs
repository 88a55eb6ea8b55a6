//! Signed notes (C2SP signed-note v1.0.0, with verifier keys) and Ed25519 witness cosignatures
//! (C2SP tlog-cosignature, `cosignature/v1`): the envelope of ledger checkpoints
//! (spec/transparency.md §3.1, §4).
//!
//! Only the two Ed25519 signature types colophon uses are supported (signed-note "Signature types":
//! implementations SHOULD select only the ones their design needs): 0x01, plain Ed25519 over the
//! note text, and 0x04, the timestamped `cosignature/v1`. Signatures of any other type are simply
//! signatures by keys this module does not know, and are ignored like any unknown key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature as EdSignature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};
use std::fmt;

/// Signature type of plain Ed25519 note signatures (signed-note "Ed25519 signatures").
pub const SIG_ED25519: u8 = 0x01;
/// Signature type of timestamped Ed25519 witness cosignatures (tlog-cosignature).
pub const SIG_COSIGNATURE_V1: u8 = 0x04;

/// At most this many signature lines. signed-note "Format" requires accepting at least 16 and asks
/// for a limit; 100 is the limit of the Go reference implementation (golang.org/x/mod/sumdb/note),
/// so every note it accepts, we accept.
pub const MAX_SIGNATURES: usize = 100;
/// At most this many bytes in a whole note, signatures included: bounds the work of parsing.
pub const MAX_NOTE_SIZE: usize = 1 << 20;
/// tlog-cosignature "Format": the timestamp MUST NOT exceed 2^63 - 1.
pub const MAX_COSIGNATURE_TIMESTAMP: u64 = (1 << 63) - 1;

/// Em dash (U+2014) and space: the start of every signature line (signed-note "Format").
const SIG_PREFIX: &str = "\u{2014} ";
/// The header line of the cosigned message (tlog-cosignature "Ed25519 signed message").
const COSIGNATURE_HEADER: &str = "cosignature/v1";
/// Ed25519 signature length, and the cosignature length (8-byte timestamp || signature).
const ED25519_SIG_LEN: usize = 64;
const COSIGNATURE_LEN: usize = 8 + ED25519_SIG_LEN;

/// One signature line: `— <name> base64(key id || bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The key name.
    pub name: String,
    /// The key id (the first four bytes of the decoded signature, big-endian).
    pub key_id: u32,
    /// The signature proper, after the key id. Its meaning depends on the key's type.
    pub bytes: Vec<u8>,
}

impl Signature {
    /// The timestamp of a `cosignature/v1` signature: the first eight bytes, big-endian, when the
    /// signature has the cosignature length (72 bytes). Unauthenticated until [`verify`] succeeds.
    pub fn cosignature_timestamp(&self) -> Option<u64> {
        if self.bytes.len() != COSIGNATURE_LEN {
            return None;
        }
        let (ts, _) = self.bytes.split_first_chunk::<8>()?;
        Some(u64::from_be_bytes(*ts))
    }

    /// The signature line, with its terminating newline.
    pub fn to_line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.bytes.len());
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&self.bytes);
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }
}

/// A signed note: a text and its signature lines, none of them verified yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The note text, including its final newline but not the blank line that follows it.
    pub text: String,
    /// The signatures, in the order of their lines.
    pub sigs: Vec<Signature>,
}

impl Note {
    /// Parses a signed note with the signed-note "Format" rules: at most [`MAX_NOTE_SIZE`] bytes of
    /// UTF-8 with no control character other than LF; the text (ending in LF) is separated from the
    /// signature lines by the *last* blank line; then 1 to [`MAX_SIGNATURES`] lines
    /// `— <name> <base64>` each ending in LF, where the name is non-empty without spaces or `+` and
    /// the base64 is canonical standard base64 of a 4-byte key id and at least one more byte.
    ///
    /// Parsing checks no signature: see [`verify`]. The text MUST be ignored until then.
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge { size: bytes.len(), max: MAX_NOTE_SIZE });
        }
        let s = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 { offset: e.valid_up_to() })?;
        check_controls(s)?;
        // "the text is separated from the signatures by the last empty line in the note": the text
        // may itself contain empty lines, signature lines never do.
        let split = s.rfind("\n\n").ok_or(NoteError::MissingBlankLine)?;
        let (text, rest) = s.split_at_checked(split + 1).ok_or(NoteError::MissingBlankLine)?;
        let block = rest.strip_prefix('\n').ok_or(NoteError::MissingBlankLine)?;
        if block.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let block = block.strip_suffix('\n').ok_or(NoteError::UnterminatedSignatureLine)?;
        // 1-based line number of the first signature line: the text's lines, then the blank line.
        let first = text.matches('\n').count() + 2;
        let mut sigs = Vec::new();
        for (i, line) in block.split('\n').enumerate() {
            if i >= MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures { max: MAX_SIGNATURES });
            }
            sigs.push(parse_signature_line(line, first + i)?);
        }
        Ok(Note { text: text.to_owned(), sigs })
    }

    /// Serializes the note: the text, a blank line, one line per signature. For a note returned by
    /// [`Note::parse`], or built from a valid text and signatures, this is the exact input bytes
    /// and parses back to the same note. It does not check its input.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() + 1 + self.sigs.len() * 128);
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.sigs {
            out.push_str(&sig.to_line());
        }
        out.into_bytes()
    }
}

fn parse_signature_line(line: &str, lineno: usize) -> Result<Signature, NoteError> {
    let bad = |reason| NoteError::BadSignatureLine { line: lineno, reason };
    let rest = line.strip_prefix(SIG_PREFIX).ok_or(bad("does not start with an em dash (U+2014) and a space"))?;
    let (name, b64) = rest.split_once(' ').ok_or(bad("has no space between the key name and the signature"))?;
    check_name(name)?;
    let raw = B64.decode(b64).map_err(|_| NoteError::BadSignatureBase64 { line: lineno })?;
    // "base64 encoding of 4+n bytes": a key id and a signature of at least one byte.
    let (id, sig) = raw.split_first_chunk::<4>().ok_or(bad("decodes to fewer than 5 bytes"))?;
    if sig.is_empty() {
        return Err(bad("decodes to fewer than 5 bytes"));
    }
    Ok(Signature { name: name.to_owned(), key_id: u32::from_be_bytes(*id), bytes: sig.to_vec() })
}

/// signed-note "Format": no ASCII control characters (below U+0020) other than newline. DEL and
/// the C1 controls are not "below U+0020" and are allowed, as in the Go implementation.
fn check_controls(s: &str) -> Result<(), NoteError> {
    match s.bytes().position(|b| b < 0x20 && b != b'\n') {
        None => Ok(()),
        Some(at) => {
            let before = s.as_bytes().get(..at).unwrap_or_default();
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let byte = s.as_bytes().get(at).copied().unwrap_or_default();
            Err(NoteError::ControlCharacter { line, byte })
        }
    }
}

/// A note text, as signed: ends in LF, no other control characters, within the size limit.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge { size: text.len(), max: MAX_NOTE_SIZE });
    }
    if !text.ends_with('\n') {
        return Err(NoteError::TextNotTerminated);
    }
    check_controls(text)
}

/// signed-note "Format": key names MUST be non-empty and MUST NOT contain Unicode spaces or `+`.
/// spec/transparency.md §3.2 item 1 makes "Unicode space" the set W of spec/ledger.md §9.0, which
/// is exactly what Rust's `char::is_whitespace` tests (and Go's `unicode.IsSpace`, used by the
/// reference implementation of signed notes). Control characters below
/// U+0020 cannot appear in a note at all, so a name containing one is refused too.
fn check_name(name: &str) -> Result<(), NoteError> {
    let reason = if name.is_empty() {
        "is empty"
    } else if name.contains('+') {
        "contains '+'"
    } else if name.chars().any(char::is_whitespace) {
        "contains a space character"
    } else if name.chars().any(|c| c < '\u{20}') {
        "contains a control character"
    } else {
        return Ok(());
    };
    Err(NoteError::BadKeyName { name: name.to_owned(), reason })
}

/// signed-note "Signatures": the key ID is the first four bytes of
/// `SHA-256(key name || 0x0A || signature type || public key)`, read as a big-endian uint32.
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type]);
    h.update(public_key);
    let d: [u8; 32] = h.finalize().into();
    let [a, b, c, e, ..] = d;
    u32::from_be_bytes([a, b, c, e])
}

/// The signature type of a verifier key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifierKind {
    /// Type 0x01: Ed25519 over the note text (a log's checkpoint signature).
    Ed25519,
    /// Type 0x04: `cosignature/v1`, timestamped Ed25519 (a witness).
    CosignatureV1,
}

impl VerifierKind {
    /// The signature type byte.
    pub fn sig_type(self) -> u8 {
        match self {
            VerifierKind::Ed25519 => SIG_ED25519,
            VerifierKind::CosignatureV1 => SIG_COSIGNATURE_V1,
        }
    }
}

/// A known key: the name and key id its signature lines carry, and how to check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    /// The key name.
    pub name: String,
    /// The key id, derived with [`key_id`] (never chosen).
    pub key_id: u32,
    /// The signature type.
    pub kind: VerifierKind,
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl Verifier {
    /// A verifier for `key` under `name`. Rejects a name that signed-note forbids, and a key that
    /// is not the canonical encoding of a curve point or is of small order (spec/ledger.md §5.2):
    /// under a weak key any signature would prove nothing.
    pub fn new(name: &str, kind: VerifierKind, key: VerifyingKey) -> Result<Verifier, NoteError> {
        check_name(name)?;
        let pk = crate::format::keys::PublicKey::from_bytes(key.as_bytes()).map_err(NoteError::BadPublicKey)?;
        pk.check_strong().map_err(NoteError::BadPublicKey)?;
        Ok(Verifier { name: name.to_owned(), key_id: key_id(name, kind.sig_type(), key.as_bytes()), kind, key })
    }

    /// Parses a verifier key (vkey), `<name>+<key id as 8 hex digits>+<base64(type || public key)>`
    /// (signed-note "Verifier keys"; tlog-cosignature "Format" for type 0x04). The key id MUST be
    /// the one derived from the name, type and key. Hex digits may be of either case, as the Go
    /// implementation accepts; [`Verifier::to_vkey`] writes lowercase.
    pub fn parse_vkey(s: &str) -> Result<Verifier, NoteError> {
        let bad = |reason| NoteError::BadVkey { reason };
        // The name cannot contain '+', so the first two '+' are the separators; the base64 may
        // contain more.
        let (name, rest) = s.split_once('+').ok_or(bad("expected <name>+<key id>+<key>"))?;
        let (id_hex, key_b64) = rest.split_once('+').ok_or(bad("expected <name>+<key id>+<key>"))?;
        check_name(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the key id must be 8 hexadecimal digits"));
        }
        let stated = u32::from_str_radix(id_hex, 16).map_err(|_| bad("the key id must be 8 hexadecimal digits"))?;
        let raw = B64.decode(key_b64).map_err(|_| bad("the key is not canonical standard base64"))?;
        let (&sig_type, key) = raw.split_first().ok_or(bad("the key is empty"))?;
        let kind = match sig_type {
            SIG_ED25519 => VerifierKind::Ed25519,
            SIG_COSIGNATURE_V1 => VerifierKind::CosignatureV1,
            other => return Err(NoteError::UnsupportedKeyType { sig_type: other }),
        };
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| NoteError::BadPublicKey(format!("an Ed25519 public key is 32 bytes, got {}", key.len())))?;
        let key = crate::format::keys::PublicKey::from_bytes(&key).map_err(NoteError::BadPublicKey)?.0;
        let v = Verifier::new(name, kind, key)?;
        if v.key_id != stated {
            return Err(NoteError::KeyIdMismatch { name: name.to_owned(), stated, derived: v.key_id });
        }
        Ok(v)
    }

    /// The verifier key string, `<name>+<8 lowercase hex digits>+<base64(type || key)>`.
    pub fn to_vkey(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(self.kind.sig_type());
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, B64.encode(raw))
    }

    /// Checks one signature by this key over `text`; returns the cosignature timestamp, if any.
    fn check(&self, text: &str, bytes: &[u8]) -> Result<Option<u64>, NoteError> {
        let invalid = || NoteError::InvalidSignature { name: self.name.clone(), key_id: self.key_id };
        match self.kind {
            VerifierKind::Ed25519 => {
                let sig = EdSignature::from_slice(bytes).map_err(|_| invalid())?;
                self.key.verify_strict(text.as_bytes(), &sig).map_err(|_| invalid())?;
                Ok(None)
            }
            VerifierKind::CosignatureV1 => {
                if bytes.len() != COSIGNATURE_LEN {
                    return Err(invalid());
                }
                let (ts, sig) = bytes.split_first_chunk::<8>().ok_or_else(invalid)?;
                let timestamp = u64::from_be_bytes(*ts);
                if timestamp > MAX_COSIGNATURE_TIMESTAMP {
                    return Err(invalid());
                }
                let sig = EdSignature::from_slice(sig).map_err(|_| invalid())?;
                self.key.verify_strict(&cosignature_message(text, timestamp), &sig).map_err(|_| invalid())?;
                Ok(Some(timestamp))
            }
        }
    }
}

impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_vkey())
    }
}

/// Signs `text` (a note text, ending in LF) with Ed25519, signature type 0x01 (signed-note
/// "Ed25519 signatures"). Ed25519 is deterministic: the same inputs give the same signature.
pub fn sign(text: &str, name: &str, key: &SigningKey) -> Result<Signature, NoteError> {
    check_text(text)?;
    check_name(name)?;
    let public = key.verifying_key();
    let sig = key.sign(text.as_bytes());
    Ok(Signature {
        name: name.to_owned(),
        key_id: key_id(name, SIG_ED25519, public.as_bytes()),
        bytes: sig.to_bytes().to_vec(),
    })
}

/// The message a `cosignature/v1` signs (tlog-cosignature "Ed25519 signed message"): the line
/// `cosignature/v1`, the line `time <timestamp>` (decimal, no leading zeros), then the whole
/// checkpoint text including extension lines and the final newline.
pub fn cosignature_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    format!("{COSIGNATURE_HEADER}\ntime {timestamp}\n{checkpoint_text}").into_bytes()
}

/// A witness's cosignature of a note text (tlog-cosignature, Ed25519, type 0x04). The signature
/// bytes are the `timestamped_signature`: the 8-byte big-endian timestamp, then the 64-byte
/// signature over [`cosignature_message`]. Only a checkpoint may be cosigned, which this format
/// layer does not know: callers go through [`crate::log::checkpoint::cosign`], which checks it.
pub(crate) fn cosign_text(
    checkpoint_text: &str,
    name: &str,
    key: &SigningKey,
    timestamp: u64,
) -> Result<Signature, NoteError> {
    check_text(checkpoint_text)?;
    check_name(name)?;
    if timestamp > MAX_COSIGNATURE_TIMESTAMP {
        return Err(NoteError::TimestampOutOfRange { timestamp });
    }
    let public = key.verifying_key();
    let sig = key.sign(&cosignature_message(checkpoint_text, timestamp));
    let mut bytes = Vec::with_capacity(COSIGNATURE_LEN);
    bytes.extend_from_slice(&timestamp.to_be_bytes());
    bytes.extend_from_slice(&sig.to_bytes());
    Ok(Signature { name: name.to_owned(), key_id: key_id(name, SIG_COSIGNATURE_V1, public.as_bytes()), bytes })
}

/// A signature that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The key name.
    pub name: String,
    /// The key id.
    pub key_id: u32,
    /// The signature type of the key.
    pub kind: VerifierKind,
    /// The cosignature timestamp, for [`VerifierKind::CosignatureV1`].
    pub timestamp: Option<u64>,
}

/// Verifies a note's signatures against known keys (signed-note "Signatures"):
///
/// - a signature whose (name, key id) pair matches no verifier is ignored, even if the name or
///   the id alone matches one;
/// - a signature that matches a verifier MUST verify, or the whole note is rejected (the spec
///   allows clients to reject; a forged signature next to good ones is never innocent);
/// - two signatures by one known key reject the note: which of them counts would be ambiguous;
/// - if no signature verifies, the note is rejected.
///
/// Verifiers listed twice identically count once; two different keys with the same name and key
/// id make any signature under that pair ambiguous, and reject the note. Returns the verified
/// signatures in note order.
pub fn verify(note: &Note, verifiers: &[Verifier]) -> Result<Vec<Verified>, NoteError> {
    check_text(&note.text)?;
    if note.sigs.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures { max: MAX_SIGNATURES });
    }
    let mut verified: Vec<Verified> = Vec::new();
    for sig in &note.sigs {
        let Some(v) = find_verifier(verifiers, &sig.name, sig.key_id)? else {
            continue;
        };
        if verified.iter().any(|s| s.name == sig.name && s.key_id == sig.key_id) {
            return Err(NoteError::DuplicateSignature { name: sig.name.clone(), key_id: sig.key_id });
        }
        let timestamp = v.check(&note.text, &sig.bytes)?;
        verified.push(Verified { name: v.name.clone(), key_id: v.key_id, kind: v.kind, timestamp });
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature);
    }
    Ok(verified)
}

fn find_verifier<'a>(verifiers: &'a [Verifier], name: &str, key_id: u32) -> Result<Option<&'a Verifier>, NoteError> {
    let mut found: Option<&Verifier> = None;
    for v in verifiers.iter().filter(|v| v.name == name && v.key_id == key_id) {
        match found {
            None => found = Some(v),
            Some(f) if f.kind == v.kind && f.key == v.key => {}
            Some(_) => return Err(NoteError::AmbiguousVerifier { name: name.to_owned(), key_id }),
        }
    }
    Ok(found)
}

/// Why a note, a verifier key or a signature was rejected.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    #[error("the note is {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("the note is not valid UTF-8 (at byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("line {line} of the note contains the control character 0x{byte:02x}; only newline is allowed")]
    ControlCharacter { line: usize, byte: u8 },
    #[error("the note has no blank line separating its text from its signatures")]
    MissingBlankLine,
    #[error("the note has no signature lines after its blank line")]
    NoSignatures,
    #[error("the last signature line of the note does not end in a newline")]
    UnterminatedSignatureLine,
    #[error("the note text does not end in a newline")]
    TextNotTerminated,
    #[error("line {line} of the note is not a signature line: it {reason}")]
    BadSignatureLine { line: usize, reason: &'static str },
    #[error("the signature on line {line} of the note is not canonical standard base64")]
    BadSignatureBase64 { line: usize },
    #[error("the key name {name:?} {reason}; key names must be non-empty, without spaces or '+'")]
    BadKeyName { name: String, reason: &'static str },
    #[error("the note has more than {max} signatures")]
    TooManySignatures { max: usize },
    #[error("malformed verifier key: {reason}")]
    BadVkey { reason: &'static str },
    #[error("verifier key type 0x{sig_type:02x} is not supported (only 0x01 Ed25519 and 0x04 cosignature/v1)")]
    UnsupportedKeyType { sig_type: u8 },
    #[error("bad public key: {0}")]
    BadPublicKey(String),
    #[error("the verifier key for {name:?} states key id {stated:08x}, but its name, type and key give {derived:08x}")]
    KeyIdMismatch { name: String, stated: u32, derived: u32 },
    #[error("invalid signature by known key {name}+{key_id:08x}")]
    InvalidSignature { name: String, key_id: u32 },
    #[error("the note carries more than one signature by key {name}+{key_id:08x}")]
    DuplicateSignature { name: String, key_id: u32 },
    #[error("two different known keys are named {name}+{key_id:08x}")]
    AmbiguousVerifier { name: String, key_id: u32 },
    #[error("no signature on the note is by a known key and valid")]
    NoVerifiedSignature,
    #[error("cosignature timestamp {timestamp} exceeds 2^63 - 1")]
    TimestampOutOfRange { timestamp: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    const CP: &str = "example.org/log\n1\nbq6Nt7oDCeVbYQxxvbI5vCbyEYMHdgCX8Qc3pHGOlwY=\n";

    #[test]
    fn names() {
        assert!(check_name("example.org/log").is_ok());
        assert!(check_name("Señor-1").is_ok());
        for bad in ["", "a+b", "a b", "a\u{a0}b", "a\u{3000}b", "a\u{2028}b", "a\tb", "a\u{1}b"] {
            assert!(matches!(check_name(bad), Err(NoteError::BadKeyName { .. })), "{bad:?}");
        }
    }

    #[test]
    fn line_numbers_in_errors() {
        let n = b"one\n\ntwo\n\n\xe2\x80\x94 k AAAAAAE=\nnot a sig\n";
        assert!(matches!(Note::parse(n), Err(NoteError::BadSignatureLine { line: 6, .. })));
        assert!(matches!(Note::parse(b"a\nb\tc\n\n"), Err(NoteError::ControlCharacter { line: 2, byte: 9 })));
    }

    #[test]
    fn text_may_contain_blank_lines_and_end_in_one() {
        let k = key(1);
        for text in ["a\n\nb\n", "a\n\n", "\n", "a\n\n\n"] {
            let sig = sign(text, "k", &k).unwrap();
            let note = Note { text: text.into(), sigs: vec![sig] };
            let parsed = Note::parse(&note.to_bytes()).unwrap();
            assert_eq!(parsed, note);
        }
    }

    #[test]
    fn del_and_c1_controls_are_allowed() {
        let k = key(2);
        let text = "a\u{7f}\u{85}b\n";
        let note = Note { text: text.into(), sigs: vec![sign(text, "k", &k).unwrap()] };
        assert_eq!(Note::parse(&note.to_bytes()).unwrap(), note);
    }

    #[test]
    fn key_id_is_big_endian_prefix() {
        let d = Sha256::digest(b"name\n\x01key");
        assert_eq!(key_id("name", 1, b"key").to_be_bytes(), d[..4]);
    }

    #[test]
    fn cosignature_timestamp_limit() {
        let k = key(3);
        assert!(matches!(cosign_text(CP, "w", &k, 1 << 63), Err(NoteError::TimestampOutOfRange { .. })));
        let sig = cosign_text(CP, "w", &k, MAX_COSIGNATURE_TIMESTAMP).unwrap();
        assert_eq!(sig.cosignature_timestamp(), Some(MAX_COSIGNATURE_TIMESTAMP));
        let v = Verifier::new("w", VerifierKind::CosignatureV1, k.verifying_key()).unwrap();
        let note = Note { text: CP.into(), sigs: vec![sig] };
        assert_eq!(verify(&note, &[v]).unwrap()[0].timestamp, Some(MAX_COSIGNATURE_TIMESTAMP));
    }

    #[test]
    fn identical_duplicate_verifiers_count_once_different_ones_are_ambiguous() {
        let k = key(5);
        let v = Verifier::new("k", VerifierKind::Ed25519, k.verifying_key()).unwrap();
        let note = Note { text: CP.into(), sigs: vec![sign(CP, "k", &k).unwrap()] };
        assert_eq!(verify(&note, &[v.clone(), v.clone()]).unwrap().len(), 1);
        let mut impostor = Verifier::new("k", VerifierKind::Ed25519, key(6).verifying_key()).unwrap();
        impostor.key_id = v.key_id;
        assert!(matches!(verify(&note, &[v, impostor]), Err(NoteError::AmbiguousVerifier { .. })));
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut id = [0u8; 32];
        id[0] = 1;
        let weak = VerifyingKey::from_bytes(&id).unwrap();
        assert!(matches!(Verifier::new("k", VerifierKind::Ed25519, weak), Err(NoteError::BadPublicKey(_))));
    }
}
