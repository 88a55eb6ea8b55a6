//! Keys for tests: the RFC 8032 §7.1 test keys (the keys of spec/vectors/), deterministic keys,
//! and signatures forged with a small-order component in R.

use colophon::format::keys::SecretKey;
use curve25519_dalek::{EdwardsPoint, Scalar, constants::EIGHT_TORSION};
use sha2::Digest as _;

/// The seeds of RFC 8032 §7.1 tests 1-3: the owner, translator and editor of spec/vectors/.
pub const RFC8032_SEEDS: [&str; 3] = [
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
];

/// The key of a hex seed.
pub fn fixed_key(seed_hex: &str, name: &str) -> SecretKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(seed_hex, &mut seed).expect("hex seed of 32 bytes");
    super::remember_seed(&seed);
    SecretKey::from_seed(&seed, name)
}

/// RFC 8032 §7.1 test key `n` (1-3), so that every signature is reproducible.
pub fn rfc8032_key(n: usize, name: &str) -> SecretKey {
    fixed_key(RFC8032_SEEDS[n - 1], name)
}

/// A deterministic key from a label (its seed is the label's SHA-256).
pub fn seeded_key(label: &str, name: &str) -> SecretKey {
    let seed: [u8; 32] = sha2::Sha256::digest(label.as_bytes()).into();
    super::remember_seed(&seed);
    SecretKey::from_seed(&seed, name)
}

/// The Ed25519 secret scalar and public key bytes of a key.
pub fn scalar_of(key: &SecretKey) -> (Scalar, [u8; 32]) {
    let h: [u8; 64] = sha2::Sha512::digest(key.signing.to_bytes()).into();
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a);
    let public = key.public().0.to_bytes();
    assert_eq!(EdwardsPoint::mul_base(&a).compress().to_bytes(), public, "secret scalar");
    (a, public)
}

/// An Ed25519 signature by `key` over an entry's signed bytes (as DSSE PAE, spec/ledger.md §4.1)
/// with a chosen R = r·B + T, T the eight-torsion point `torsion` (0-7), and S = r + k·a: a
/// signature that cofactored verification accepts for any small-order T, and that `verify_strict`
/// (spec/ledger.md §4.3 rule 4) accepts only for T = identity (torsion 0).
pub fn torsion_signature(signed_bytes: &[u8], key: &SecretKey, r: Scalar, torsion: usize) -> [u8; 64] {
    let (a, public) = scalar_of(key);
    let m = colophon::format::signing::pae(colophon::format::signing::PAYLOAD_TYPE, signed_bytes);
    let big_r = (EdwardsPoint::mul_base(&r) + EIGHT_TORSION[torsion]).compress().to_bytes();
    let k: [u8; 64] = sha2::Sha512::new().chain_update(big_r).chain_update(public).chain_update(&m).finalize().into();
    let s = r + Scalar::from_bytes_mod_order_wide(&k) * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(&s.to_bytes());
    sig
}

/// `line` re-signed by `key` with [`torsion_signature`].
pub fn sign_with_torsion(line: &[u8], key: &SecretKey, r: Scalar, torsion: usize) -> Vec<u8> {
    let p = colophon::format::entry::parse_line(line).expect("parse");
    let mut e = p.entry;
    e.sig = torsion_signature(&p.signed_bytes, key, r, torsion);
    e.to_line().expect("line")
}
