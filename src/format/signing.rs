//! Signatures (spec/ledger.md §4): Ed25519 over the DSSE pre-authentication encoding.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// The DSSE payload type of a colophon entry (§4.1). Changing the entry format changes this string,
/// so a signature can never be replayed as a different kind of message.
pub const PAYLOAD_TYPE: &str = "application/vnd.colophon.entry.v1+json";

/// DSSE PAE: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte
/// counts (§4.1).
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
    out
}

/// Signs an entry body (the canonical entry without `sig`) (§4.2).
pub fn sign_entry(key: &SigningKey, body: &[u8]) -> [u8; 64] {
    key.sign(&pae(PAYLOAD_TYPE, body)).to_bytes()
}

/// Verifies an entry signature with `verify_strict` (§4.3): rejects non-canonical S, small-order R
/// and small-order keys, so a signature has exactly one accepted encoding.
pub fn verify_entry(key: &VerifyingKey, body: &[u8], sig: &[u8; 64]) -> bool {
    let sig = Signature::from_bytes(sig);
    key.verify_strict(&pae(PAYLOAD_TYPE, body), &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_shape() {
        assert_eq!(pae("t", b""), b"DSSEv1 1 t 0 ");
        assert_eq!(pae("ä", b"xy"), "DSSEv1 2 ä 2 xy".as_bytes());
    }

    #[test]
    fn sign_verify_round_trip() {
        let sk = SigningKey::from_bytes(&[7u8; 32]);
        let sig = sign_entry(&sk, b"{}");
        assert!(verify_entry(&sk.verifying_key(), b"{}", &sig));
        assert!(!verify_entry(&sk.verifying_key(), b"{ }", &sig));
    }
}
