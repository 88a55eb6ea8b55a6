//! minisign signatures made with a colophon key (spec/exports.md §1): the format of the `minisign`
//! tool, so a reader who has `minisign` and the translator's minisign public key can check a
//! released text with `minisign -Vm FILE -P KEY`, without colophon. No I/O.
//!
//! A minisign key is an Ed25519 key with an 8-byte key number; a colophon key is an Ed25519 key,
//! so the same key pair serves both. The key number is the first 8 bytes of the colophon key id
//! (spec/ledger.md §5.1), so one colophon key always has the same minisign key.
//!
//! Signatures are minisign's default, "prehashed" (algorithm `ED`): Ed25519 over the BLAKE2b-512
//! hash of the file, then a second Ed25519 signature (the "global signature") over the first
//! signature followed by the trusted comment, which binds the comment to the file.

use crate::format::keys::{KeyId, PublicKey, SecretKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use blake2::{Blake2b512, Digest as _};
use ed25519_dalek::{Signature, Signer as _};

/// The longest trusted comment written: minisign reads comment lines of up to 1024 bytes.
pub const MAX_TRUSTED_COMMENT: usize = 900;

/// The minisign key number of a colophon key: the first 8 bytes of its key id.
pub fn key_number(id: &KeyId) -> [u8; 8] {
    let mut n = [0u8; 8];
    n.copy_from_slice(&id.0[..8]);
    n
}

/// The key number as minisign prints it: the 8 bytes read as a little-endian integer, in
/// uppercase hexadecimal.
pub fn key_number_hex(n: &[u8; 8]) -> String {
    format!("{:016X}", u64::from_le_bytes(*n))
}

/// The base64 public key that `minisign -P` takes: `Ed`, the key number, the 32-byte key.
pub fn public_key_base64(key: &PublicKey) -> String {
    let mut b = Vec::with_capacity(42);
    b.extend_from_slice(b"Ed");
    b.extend_from_slice(&key_number(&key.id()));
    b.extend_from_slice(key.0.as_bytes());
    STANDARD.encode(b)
}

/// A minisign public key file (`minisign -p FILE`): an untrusted comment line and the key.
pub fn public_key_file(key: &PublicKey) -> String {
    format!(
        "untrusted comment: minisign public key {}\n{}\n",
        key_number_hex(&key_number(&key.id())),
        public_key_base64(key)
    )
}

/// Makes a comment fit on one line of a minisign file: control characters (a line break
/// included) become spaces, and it is cut at [`MAX_TRUSTED_COMMENT`] bytes on a character
/// boundary.
pub fn one_line(comment: &str) -> String {
    let mut s: String = comment.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.len() > MAX_TRUSTED_COMMENT {
        let mut end = MAX_TRUSTED_COMMENT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// Signs `data` as minisign does (prehashed, algorithm `ED`) and returns the `.minisig` file.
/// Both comments are passed through [`one_line`]. Only the trusted comment is signed.
pub fn sign(key: &SecretKey, data: &[u8], untrusted_comment: &str, trusted_comment: &str) -> String {
    let trusted = one_line(trusted_comment);
    let hash = Blake2b512::digest(data);
    let sig: Signature = key.signing.sign(&hash);
    let sig_bytes = sig.to_bytes();
    let mut first = Vec::with_capacity(74);
    first.extend_from_slice(b"ED");
    first.extend_from_slice(&key_number(&key.id()));
    first.extend_from_slice(&sig_bytes);
    let mut global_msg = Vec::with_capacity(64 + trusted.len());
    global_msg.extend_from_slice(&sig_bytes);
    global_msg.extend_from_slice(trusted.as_bytes());
    let global = key.signing.sign(&global_msg);
    format!(
        "untrusted comment: {}\n{}\ntrusted comment: {}\n{}\n",
        one_line(untrusted_comment),
        STANDARD.encode(first),
        trusted,
        STANDARD.encode(global.to_bytes())
    )
}

/// What [`verify`] found: the trusted comment, once both signatures verified.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// The trusted comment (signed together with the file's signature).
    pub trusted_comment: String,
}

/// Checks a `.minisig` file made by [`sign`] (or by minisign, prehashed) over `data` with `key`,
/// with `verify_strict`. Used by colophon's own tests; readers use the `minisign` tool.
pub fn verify(key: &PublicKey, data: &[u8], minisig: &str) -> Result<Verified, String> {
    let lines: Vec<&str> = minisig.lines().collect();
    let [untrusted, first, trusted, global] = lines.as_slice() else {
        return Err("a .minisig file has four lines".into());
    };
    if !untrusted.starts_with("untrusted comment: ") {
        return Err("the first line is not an untrusted comment".into());
    }
    let trusted = trusted.strip_prefix("trusted comment: ").ok_or("the third line is not a trusted comment")?;
    let first = STANDARD.decode(first).map_err(|e| format!("signature: {e}"))?;
    if first.len() != 74 || &first[..2] != b"ED" {
        return Err("not a prehashed (ED) minisign signature".into());
    }
    if first[2..10] != key_number(&key.id()) {
        return Err("signed by another key number".into());
    }
    let sig = Signature::from_slice(&first[10..]).map_err(|e| e.to_string())?;
    let hash = Blake2b512::digest(data);
    key.0.verify_strict(&hash, &sig).map_err(|_| "the signature does not verify".to_string())?;
    let global = STANDARD.decode(global).map_err(|e| format!("global signature: {e}"))?;
    let global = Signature::from_slice(&global).map_err(|e| e.to_string())?;
    let mut msg = first[10..].to_vec();
    msg.extend_from_slice(trusted.as_bytes());
    key.0.verify_strict(&msg, &global).map_err(|_| "the trusted comment's signature does not verify".to_string())?;
    Ok(Verified { trusted_comment: trusted.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_seed(&[9u8; 32], "Tina Rossi")
    }

    #[test]
    fn signs_and_verifies_and_binds_the_comment_and_the_text() {
        let k = key();
        let sig = sign(&k, b"The bridge.\n", "colophon", "release ponte@v1");
        let v = verify(&k.public(), b"The bridge.\n", &sig);
        assert_eq!(v, Ok(Verified { trusted_comment: "release ponte@v1".into() }));
        assert_eq!(verify(&k.public(), b"The bridge!\n", &sig), Err("the signature does not verify".into()));
        let forged = sig.replace("release ponte@v1", "release ponte@v9");
        assert_eq!(
            verify(&k.public(), b"The bridge.\n", &forged),
            Err("the trusted comment's signature does not verify".into())
        );
        let other = SecretKey::from_seed(&[8u8; 32], "Sam");
        assert_eq!(verify(&other.public(), b"The bridge.\n", &sig), Err("signed by another key number".into()));
    }

    #[test]
    fn the_public_key_is_ed_the_key_number_and_the_key() {
        let k = key();
        let b = STANDARD.decode(public_key_base64(&k.public())).unwrap_or_default();
        assert_eq!(b.len(), 42);
        assert_eq!(&b[..2], b"Ed");
        assert_eq!(&b[2..10], &k.id().0[..8]);
        assert_eq!(&b[10..], k.public().0.as_bytes());
        let file = public_key_file(&k.public());
        let n = key_number(&k.id());
        assert!(file.starts_with(&format!("untrusted comment: minisign public key {}\n", key_number_hex(&n))));
        // Printed as minisign prints it: the little-endian integer.
        let mut rev = n;
        rev.reverse();
        assert_eq!(key_number_hex(&n), hex::encode_upper(rev));
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(one_line("a\nb\r\tc"), "a b  c");
        let long = "é".repeat(MAX_TRUSTED_COMMENT);
        let cut = one_line(&long);
        assert!(cut.len() <= MAX_TRUSTED_COMMENT && cut.len() >= MAX_TRUSTED_COMMENT - 1);
        let k = key();
        let sig = sign(&k, b"x", "u\nv", "t\nu");
        assert_eq!(sig.lines().count(), 4);
        assert_eq!(verify(&k.public(), b"x", &sig).map(|v| v.trusted_comment), Ok("t u".into()));
    }
}
