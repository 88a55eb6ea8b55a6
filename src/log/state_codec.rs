//! The binary encoding of an incremental audit's state file (spec/transparency.md §8.1):
//! integers little-endian, strings and byte strings prefixed by their length as a u64. Its own
//! module so that the audit, its lean state and the state file (`log::resume`) share it without
//! importing one another.

use crate::format::hash::Digest;
use crate::format::keys::KeyId;

/// Appends values in the state file's encoding.
#[derive(Default)]
pub(crate) struct Enc(pub(crate) Vec<u8>);

impl Enc {
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub(crate) fn digest(&mut self, d: &Digest) {
        self.0.extend_from_slice(&d.0);
    }
    pub(crate) fn key_id(&mut self, k: &KeyId) {
        self.0.extend_from_slice(&k.0);
    }
    pub(crate) fn opt_digest(&mut self, d: Option<&Digest>) {
        match d {
            Some(d) => {
                self.u8(1);
                self.digest(d);
            }
            None => self.u8(0),
        }
    }
    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
}

/// Reads values written by [`Enc`]; every read fails (`None`) past the end.
pub(crate) struct Dec<'a> {
    b: &'a [u8],
}

impl<'a> Dec<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Dec<'a> {
        Dec { b }
    }
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.b.len() {
            return None;
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Some(head)
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.b.is_empty()
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
    }
    /// A count of items that each take at least one byte: never more than the bytes left, so a
    /// damaged count cannot make a huge allocation.
    pub(crate) fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.b.len()).then_some(n)
    }
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }
    pub(crate) fn str(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }
    pub(crate) fn digest(&mut self) -> Option<Digest> {
        self.take(32).and_then(|b| b.try_into().ok()).map(Digest)
    }
    pub(crate) fn key_id(&mut self) -> Option<KeyId> {
        self.take(16).and_then(|b| b.try_into().ok()).map(KeyId)
    }
    pub(crate) fn opt_digest(&mut self) -> Option<Option<Digest>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.digest().map(Some),
            _ => None,
        }
    }
    pub(crate) fn opt_str(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }
}
