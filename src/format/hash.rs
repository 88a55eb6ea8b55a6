//! Hashes (spec/ledger.md §3): entry hashes, RFC 6962 Merkle leaf hashes and content hashes.

use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

/// A SHA-256 digest. Displayed and serialized as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The first `n` hex characters, for display.
    pub fn short(&self, n: usize) -> String {
        let mut h = self.to_hex();
        h.truncate(n);
        h
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl FromStr for Digest {
    type Err = String;
    /// Accepts exactly 64 lowercase hex characters: the format has one spelling per hash.
    fn from_str(s: &str) -> Result<Digest, String> {
        let mut out = [0u8; 32];
        if !lower_hex_into(s.as_bytes(), &mut out) {
            return Err(format!("expected 64 lowercase hex characters, got {s:?}"));
        }
        Ok(Digest(out))
    }
}

/// Decodes lowercase hex of exactly `2 * out.len()` digits into `out`; `false` on anything else
/// (uppercase included: the format has one spelling per value). Every entry holds several
/// hashes, so this is on the audit's hot path.
pub fn lower_hex_into(s: &[u8], out: &mut [u8]) -> bool {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if s.len() != out.len() * 2 {
        return false;
    }
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(h), Some(l)) => *o = h << 4 | l,
            _ => return false,
        }
    }
    true
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Entry hash (§3.1): SHA-256 of the exact line bytes, without the terminating newline.
pub fn entry_hash(line: &[u8]) -> Digest {
    Digest::of(line)
}

/// Merkle leaf hash (§3.2): SHA-256(0x00 || line bytes), the RFC 6962 leaf of this entry.
pub fn leaf_hash(line: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(line);
    Digest(h.finalize().into())
}

/// Read buffer for streaming content hashes: large enough that syscalls are noise next to SHA-256,
/// small enough to stay in L2 between the copy out of the page cache and the hashing (measured:
/// 256 KiB hashes a 256 MiB file 3% faster than 1 MiB), and memory stays flat whatever the size.
const STREAM_BUF: usize = 256 << 10;

/// Streams `reader` through SHA-256 (§3.3), returning the digest and the byte count. `progress` is
/// called with the running byte count after each read.
pub fn sha256_stream(mut reader: impl Read, mut progress: impl FnMut(u64)) -> io::Result<(Digest, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; STREAM_BUF];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        total += n as u64;
        progress(total);
    }
    Ok((Digest(h.finalize().into()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(Digest::of(b"").to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // RFC 6962 leaf of the empty string is SHA-256(0x00).
        assert_eq!(leaf_hash(b"").to_hex(), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        let (d, n) = sha256_stream(&b"abc"[..], |_| {}).unwrap();
        assert_eq!(n, 3);
        assert_eq!(d.to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn parse_is_strict() {
        let h = Digest::of(b"x").to_hex();
        assert!(h.parse::<Digest>().is_ok());
        assert!(h.to_uppercase().parse::<Digest>().is_err());
        assert!(h[..63].parse::<Digest>().is_err());
    }
}
