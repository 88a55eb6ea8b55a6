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
        // Not `hex::encode`, which builds the string a char at a time: every version line's
        // committed form needs one (bench/README.md, P2).
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        s
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
    // A table rather than a match per digit, and one test for the whole string at the end.
    const NIBBLE: [u8; 256] = {
        let mut t = [0xff; 256];
        let mut c = 0;
        while c < 10 {
            t[b'0' as usize + c] = c as u8;
            c += 1;
        }
        let mut c = 0;
        while c < 6 {
            t[b'a' as usize + c] = 10 + c as u8;
            c += 1;
        }
        t
    };
    if s.len() != out.len() * 2 {
        return false;
    }
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (h, l) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
        bad |= h | l;
        *o = h << 4 | (l & 0xf);
    }
    bad & 0xf0 == 0
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        deserialize_parsed(d, "64 lowercase hex characters")
    }
}

/// Deserializes a value written as a string through its `FromStr`, with a visitor rather than
/// `String::deserialize`: every entry holds several hashes and a key id, and the audit's hot path
/// should not allocate a string for each (bench/README.md, P2).
pub(crate) fn deserialize_parsed<'de, D, T>(d: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = String>,
{
    struct Parsed<T>(&'static str, std::marker::PhantomData<T>);
    impl<T: FromStr<Err = String>> serde::de::Visitor<'_> for Parsed<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            s.parse().map_err(E::custom)
        }
    }
    d.deserialize_str(Parsed(expecting, std::marker::PhantomData))
}

/// Entry hash (§3.1): SHA-256 of the line's committed form (§3.4; for every line but a `version`
/// line with its script, the exact line bytes), without the terminating newline.
pub fn entry_hash(line: &[u8]) -> Digest {
    Digest::of(&committed_form(line))
}

/// Merkle leaf hash (§3.2): SHA-256(0x00 || committed form of the line, §3.4), the RFC 6962 leaf
/// of this entry.
pub fn leaf_hash(line: &[u8]) -> Digest {
    leaf_hash_of_committed(&committed_form(line))
}

/// SHA-256(0x00 || bytes): the RFC 6962 leaf hash of bytes already in committed form.
pub fn leaf_hash_of_committed(bytes: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(bytes);
    Digest(h.finalize().into())
}

/// How every canonical `version` line with a script begins (§3.4): `body` is the first member of
/// an entry and `diff` the first member of a version body.
const COMMITTED_PREFIX: &[u8] = b"{\"body\":{\"diff\":";

/// The committed form of a line (§3.4): for a line that passes §2.3 and is a `version` entry whose
/// body has a `diff` (and no `diff_sha256`), the line with `body.diff` replaced by `body.diff_sha256`,
/// the SHA-256 of the canonical serialization of the script; every other line as it is. Entry hash
/// (§3.1), leaf hash (§3.2) and signed body (§4.2) are taken over the committed form, so a line and
/// the same line with its script withheld have one hash, one leaf and one signature.
pub fn committed_form(line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    // Cheap test first: a line that names no `diff` member is its own committed form.
    if !line.starts_with(COMMITTED_PREFIX) && !line.windows(7).any(|w| w == b"\"diff\":") {
        return Cow::Borrowed(line);
    }
    match crate::format::jcs::parse_canonical(line) {
        Ok(serde_json::Value::Object(obj)) => committed_from_object(line, &obj).map_or(Cow::Borrowed(line), Cow::Owned),
        Ok(_) => Cow::Borrowed(line),
        Err(_) => Cow::Borrowed(line),
    }
}

/// [`committed_form`] of a line that passed §2.3 with the object `obj`: `None` when the line is
/// its own committed form.
pub(crate) fn committed_from_object(line: &[u8], obj: &serde_json::Map<String, serde_json::Value>) -> Option<Vec<u8>> {
    if obj.get("type").and_then(serde_json::Value::as_str) != Some("version") {
        return None;
    }
    let body = obj.get("body")?.as_object()?;
    let diff = body.get("diff")?;
    if body.contains_key("diff_sha256") {
        return None;
    }
    // Fast path: the script's canonical bytes are the line's bytes right after the prefix (a
    // canonical line nests canonical values), and `diff_sha256` sorts into the place of `diff`
    // unless a member name falls between the two.
    let between = body.keys().any(|k| k.as_str() > "diff" && k.as_str() < "diff_sha256");
    if !between && let Some(out) = committed_version_line(line) {
        return Some(out);
    }
    let script = crate::format::jcs::to_vec(diff).ok()?;
    let mut committed = serde_json::Value::Object(obj.clone());
    let body = committed.get_mut("body")?.as_object_mut()?;
    body.remove("diff");
    body.insert("diff_sha256".into(), serde_json::Value::from(Digest::of(&script).to_hex()));
    crate::format::jcs::to_vec(&committed).ok()
}

/// The committed form (§3.4) of a canonical `version` line whose body begins with its `diff` and
/// has no member named between `diff` and `diff_sha256`: the script's canonical bytes are the
/// line's bytes right after [`COMMITTED_PREFIX`] (a canonical line nests canonical values), and
/// `diff_sha256` sorts into the place of `diff`. `None` when the line does not begin so.
pub(crate) fn committed_version_line(line: &[u8]) -> Option<Vec<u8>> {
    if !line.starts_with(COMMITTED_PREFIX) {
        return None;
    }
    committed_with_script_end(line, json_value_end(line, COMMITTED_PREFIX.len())?)
}

/// [`committed_version_line`] when the script is known to end at `end` (exclusive).
pub(crate) fn committed_with_script_end(line: &[u8], end: usize) -> Option<Vec<u8>> {
    if !line.starts_with(COMMITTED_PREFIX) {
        return None;
    }
    let h = Digest::of(line.get(COMMITTED_PREFIX.len()..end)?).to_hex();
    let rest = line.get(end..)?;
    let mut out = Vec::with_capacity(rest.len() + 90);
    out.extend_from_slice(b"{\"body\":{\"diff_sha256\":\"");
    out.extend_from_slice(h.as_bytes());
    out.push(b'"');
    out.extend_from_slice(rest);
    Some(out)
}

/// The end (exclusive) of the JSON value that starts at `start` in canonical bytes: a string,
/// array, object or scalar. `None` when the bytes end first.
pub(crate) fn json_value_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        } else {
            match c {
                b'"' => in_string = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                b',' | b']' | b'}' if depth == 0 => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    None
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

    /// A hash written as another JSON type is refused with what was expected (the message an
    /// entry's schema problem carries).
    #[test]
    fn a_hash_of_another_json_type_says_what_was_expected() {
        let e = serde_json::from_str::<Digest>("1").unwrap_err().to_string();
        assert!(e.contains("expected 64 lowercase hex characters"), "{e}");
    }

    /// The committed form (§3.4) by its definition: the object with `body.diff` replaced by
    /// `body.diff_sha256`, the hash of the script's canonical bytes, serialized canonically.
    fn committed_by_definition(line: &[u8]) -> Vec<u8> {
        let mut v = crate::format::jcs::parse_canonical(line).unwrap();
        let body = v["body"].as_object_mut().unwrap();
        let script = crate::format::jcs::to_vec(&body.remove("diff").unwrap()).unwrap();
        body.insert("diff_sha256".into(), Digest::of(&script).to_hex().into());
        crate::format::jcs::to_vec(&v).unwrap()
    }

    /// `committed_form` and its fast paths give the bytes the definition gives, for a line that
    /// begins with its script (the fast path), one with a member name between `diff` and
    /// `diff_sha256` (which must sort after it), and one whose script is not first; and leave
    /// every other line as it is.
    #[test]
    fn the_committed_form_fast_paths_give_the_defined_bytes() {
        let first: &[u8] = br#"{"body":{"diff":[["=",1],["+","a\"]}"]],"lang":"en"},"type":"version","v":1}"#;
        let between: &[u8] = br#"{"body":{"diff":[["=",1]],"diff_a":1},"type":"version"}"#;
        let not_first: &[u8] = br#"{"a":1,"body":{"diff":[["=",1]]},"type":"version"}"#;
        for line in [first, between, not_first] {
            let want = committed_by_definition(line);
            assert_eq!(committed_form(line).as_ref(), &want[..], "{}", String::from_utf8_lossy(line));
        }
        let want = committed_by_definition(first);
        assert_eq!(committed_version_line(first).as_deref(), Some(&want[..]));
        let end = first.windows(6).position(|w| w == br#"],"lan"#).unwrap() + 1;
        assert_eq!(json_value_end(first, COMMITTED_PREFIX.len()), Some(end));
        assert_eq!(committed_with_script_end(first, end).as_deref(), Some(&want[..]));
        assert_eq!(committed_version_line(not_first), None);
        assert_eq!(committed_with_script_end(not_first, 20), None);
        assert_eq!(json_value_end(br#"[["+","]"#, 0), None, "the bytes end inside the value");
        // Every kind of value, where it ends (exclusive), in what may follow it in an object.
        for (text, end) in [
            (&br#""a\"]}","#[..], 7),
            (br#""","#, 2),
            (br#"12,"#, 2),
            (br#"12}"#, 2),
            (br#"7]"#, 1),
            (br#"true,"#, 4),
            (br#"["]",{"b":"}"}],"#, 15),
            (br#"{"a":[1,[2]],"c":{}}}"#, 20),
            (br#"[[],[[]]],"#, 9),
        ] {
            assert_eq!(json_value_end(text, 0), Some(end), "{}", String::from_utf8_lossy(text));
        }
        for truncated in [&br#""abc"#[..], br#"[1,"#, br#"{"a":["#, br#"12"#] {
            assert_eq!(json_value_end(truncated, 0), None, "{}", String::from_utf8_lossy(truncated));
        }
        for same in [
            &br#"{"body":{"diff":[["=",1]]},"type":"key"}"#[..],
            br#"{"body":{"diff":[["=",1]],"diff_sha256":"00"},"type":"version"}"#,
            br#"{"body":{"lang":"en"},"type":"version"}"#,
            br#"{"a":"diff","type":"version"}"#,
        ] {
            assert_eq!(committed_form(same).as_ref(), same, "{}", String::from_utf8_lossy(same));
        }
    }

    /// The digit table reads exactly `0-9a-f`: every other byte (`:` and `g` just past the two
    /// ranges, the uppercase letters, anything else) makes the string invalid, at either place in
    /// a pair.
    #[test]
    fn lower_hex_reads_exactly_the_sixteen_digits() {
        for b in 0..=255u8 {
            let want = match b {
                b'0'..=b'9' => Some(b - b'0'),
                b'a'..=b'f' => Some(b - b'a' + 10),
                _ => None,
            };
            let mut out = [0u8; 1];
            assert_eq!(lower_hex_into(&[b'0', b], &mut out), want.is_some(), "{b:#x} second");
            if let Some(v) = want {
                assert_eq!(out[0], v, "{b:#x}");
            }
            assert_eq!(lower_hex_into(&[b, b'0'], &mut out), want.is_some(), "{b:#x} first");
            if let Some(v) = want {
                assert_eq!(out[0], v << 4, "{b:#x}");
            }
            // Twice the same byte: two bad digits must not cancel out.
            assert_eq!(lower_hex_into(&[b, b], &mut out), want.is_some(), "{b:#x} twice");
        }
    }

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
