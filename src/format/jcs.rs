//! Canonical JSON (spec/ledger.md §2): the RFC 8785 (JCS) serialization, restricted to JSON without
//! floating-point numbers.
//!
//! colophon's format holds only integers in `0..=2^53-1`, so the one hard part of JCS (ECMAScript
//! number formatting) reduces to printing an integer. Everything else — UTF-16 key order, the exact
//! string escapes — is done here and checked against the RFC 8785 reference vectors.

use serde_json::Value;
use std::fmt;

/// The largest integer the format allows: 2^53 - 1, the largest integer every JSON implementation
/// represents exactly (I-JSON, RFC 7493 §2.2).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value or a line is not acceptable canonical JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JcsError {
    /// Not valid UTF-8.
    NotUtf8,
    /// Not parseable JSON (the parser's message).
    NotJson(String),
    /// A number that is not an integer in `0..=MAX_SAFE_INTEGER`.
    Number(String),
    /// Valid JSON, but not byte-identical to its canonical form.
    NotCanonical,
}

impl fmt::Display for JcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JcsError::NotUtf8 => f.write_str("not valid UTF-8"),
            JcsError::NotJson(m) => write!(f, "not valid JSON: {m}"),
            JcsError::Number(n) => write!(
                f,
                "number {n} is not allowed: the format has only integers from 0 to 2^53-1 (no floats, no negatives)"
            ),
            JcsError::NotCanonical => {
                f.write_str("not in RFC 8785 canonical form (key order, whitespace, escapes or duplicate keys differ)")
            }
        }
    }
}

impl std::error::Error for JcsError {}

/// Serializes `value` canonically (spec/ledger.md §2.1). Fails only on a number outside the format.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out)?;
    Ok(out)
}

/// Parses one ledger line and checks that it is canonical (spec/ledger.md §2.2), returning the value.
///
/// Duplicate keys are caught by the comparison: the parser keeps one member, so the canonical
/// re-serialization is shorter than the input. The member it drops is still checked for numbers
/// outside the format (§2.1: the rule is on the number as written).
pub fn parse_canonical(bytes: &[u8]) -> Result<Value, JcsError> {
    let text = std::str::from_utf8(bytes).map_err(|_| JcsError::NotUtf8)?;
    let value: Value = serde_json::from_str(text).map_err(|e| JcsError::NotJson(e.to_string()))?;
    // Serialize into a comparator rather than a buffer: no allocation, and a mismatch is known at
    // the first differing byte.
    let mut check = Check { expected: bytes, pos: 0, same: true };
    write_value(&value, &mut check)?;
    if !check.same || check.pos != bytes.len() {
        // §2.3 checks numbers (step 3) before the comparison (step 4). Every number of the value
        // has passed; a number that only the text still holds is in a member a repeated name
        // replaced (`{"a":1.5,"a":1}`), and it is `line.number` all the same.
        if let Some(n) = bad_number_as_written(bytes) {
            return Err(JcsError::Number(n));
        }
        return Err(JcsError::NotCanonical);
    }
    Ok(value)
}

/// The first number token of `json` (text that parsed as JSON) that is not written as the format
/// allows (§2.1): with a sign, a fraction or an exponent, or above [`MAX_SAFE_INTEGER`].
fn bad_number_as_written(json: &[u8]) -> Option<String> {
    let mut i = 0;
    while let Some(&b) = json.get(i) {
        match b {
            b'"' => {
                // Skip the string; an escape is a backslash and at least one more byte, and the
                // hex digits of `\uXXXX` are never a quote.
                i += 1;
                while let Some(&c) = json.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                // A token starts with `-` or a digit, never `+`, which `u64::from_str` would accept.
                let start = i;
                while json.get(i).is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
                    i += 1;
                }
                let token = String::from_utf8_lossy(json.get(start..i).unwrap_or_default());
                if token.parse::<u64>().ok().is_none_or(|n| n > MAX_SAFE_INTEGER) {
                    return Some(token.into_owned());
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Where canonical bytes go: a buffer, or a comparison with bytes already at hand.
trait Sink {
    fn put(&mut self, b: &[u8]);
    fn byte(&mut self, b: u8) {
        self.put(&[b]);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
    fn byte(&mut self, b: u8) {
        self.push(b);
    }
}

struct Check<'a> {
    expected: &'a [u8],
    pos: usize,
    same: bool,
}

impl Sink for Check<'_> {
    fn put(&mut self, b: &[u8]) {
        if self.same {
            let end = self.pos + b.len();
            self.same = self.expected.get(self.pos..end) == Some(b);
            self.pos = end;
        }
    }
}

fn write_value(value: &Value, out: &mut impl Sink) -> Result<(), JcsError> {
    match value {
        Value::Null => out.put(b"null"),
        Value::Bool(true) => out.put(b"true"),
        Value::Bool(false) => out.put(b"false"),
        Value::Number(n) => match n.as_u64() {
            Some(i) if i <= MAX_SAFE_INTEGER => {
                let mut buf = [0u8; 20];
                let mut at = buf.len();
                let mut v = i;
                loop {
                    at -= 1;
                    buf[at] = b'0' + (v % 10) as u8;
                    v /= 10;
                    if v == 0 {
                        break;
                    }
                }
                out.put(&buf[at..]);
            }
            _ => return Err(JcsError::Number(n.to_string())),
        },
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.byte(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.byte(b',');
                }
                write_value(item, out)?;
            }
            out.byte(b']');
        }
        Value::Object(map) => {
            // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names. That is the
            // map's own (UTF-8 byte) order unless a name has a character at or above U+E000
            // (UTF-8 lead byte 0xEE or more), where astral characters sort differently.
            out.byte(b'{');
            let member = |i: usize, k: &String, v: &Value, out: &mut _| -> Result<(), JcsError> {
                if i > 0 {
                    Sink::byte(out, b',');
                }
                write_string(k, out);
                Sink::byte(out, b':');
                write_value(v, out)
            };
            if map.keys().all(|k| k.bytes().all(|b| b < 0xee)) {
                for (i, (k, v)) in map.iter().enumerate() {
                    member(i, k, v, out)?;
                }
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
                for (i, (k, v)) in members.into_iter().enumerate() {
                    member(i, k, v, out)?;
                }
            }
            out.byte(b'}');
        }
    }
    Ok(())
}

/// RFC 8785 §3.2.2.2: the ECMAScript JSON.stringify escapes — the two-character forms for
/// \b \t \n \f \r " \\, `\u00xx` (lowercase hex) for the other controls, everything else literal.
fn write_string(s: &str, out: &mut impl Sink) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.byte(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => {
                out.put(&bytes[start..i]);
                out.put(b"\\u00");
                out.byte(HEX[usize::from(b >> 4)]);
                out.byte(HEX[usize::from(b & 0xf)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.put(&bytes[start..i]);
        out.put(esc);
        start = i + 1;
    }
    out.put(&bytes[start..]);
    out.byte(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_and_order() {
        let v = json!({"b": "\u{1}\n\"\\/\u{7f}\u{2028}", "a": [1, true, null], "\u{e000}": 0, "\u{1f600}": 0});
        let s = String::from_utf8(to_vec(&v).unwrap()).unwrap();
        assert_eq!(
            s,
            "{\"a\":[1,true,null],\"b\":\"\\u0001\\n\\\"\\\\/\u{7f}\u{2028}\",\"\u{1f600}\":0,\"\u{e000}\":0}"
        );
    }

    #[test]
    fn rejects_floats_negatives_and_big_integers() {
        for bad in ["1.5", "-1", "9007199254740992", "1e3", "-0"] {
            let v: Value = serde_json::from_str(bad).unwrap();
            assert!(matches!(to_vec(&v), Err(JcsError::Number(_))), "{bad}");
        }
        assert_eq!(to_vec(&json!(9007199254740991u64)).unwrap(), b"9007199254740991");
    }

    #[test]
    fn parse_canonical_rejects_variants() {
        assert!(parse_canonical(br#"{"a":1,"b":2}"#).is_ok());
        assert_eq!(parse_canonical(br#"{"b":2,"a":1}"#), Err(JcsError::NotCanonical));
        assert_eq!(parse_canonical(br#"{"a": 1}"#), Err(JcsError::NotCanonical));
        assert_eq!(parse_canonical(br#"{"a":1,"a":1}"#), Err(JcsError::NotCanonical));
        assert_eq!(parse_canonical(br#"{"a":"\u0041"}"#), Err(JcsError::NotCanonical));
        assert_eq!(parse_canonical(b"{\"a\":1}\n"), Err(JcsError::NotCanonical));
        assert_eq!(parse_canonical(b"\xff"), Err(JcsError::NotUtf8));
        assert!(matches!(parse_canonical(b"{"), Err(JcsError::NotJson(_))));
        assert!(matches!(parse_canonical(br#"{"a":"\ud800"}"#), Err(JcsError::NotJson(_))));
    }

    /// §2.1: the number rule is on the number as written, also in a member that a repeated name
    /// replaces (the parser keeps the last one); other duplicates stay `line.not_canonical`.
    #[test]
    fn numbers_in_replaced_members() {
        for bad in [
            r#"{"a":1.5,"a":1}"#,
            r#"{"a":-0,"a":1}"#,
            r#"{"a":{"b":[1e3]},"a":1}"#,
            r#"{"a":9007199254740992,"a":1}"#,
            r#"{"a":"\"","a":1,"b":-1,"b":2}"#,
        ] {
            assert!(matches!(parse_canonical(bad.as_bytes()), Err(JcsError::Number(_))), "{bad}");
        }
        for dup in [r#"{"a":1,"a":1}"#, r#"{"a":"1.5","a":1}"#, r#"{"a":"\\","a":[9007199254740991]}"#] {
            assert_eq!(parse_canonical(dup.as_bytes()), Err(JcsError::NotCanonical), "{dup}");
        }
        assert!(matches!(parse_canonical(br#"{"a":"\ud800","a":"x"}"#), Err(JcsError::NotJson(_))));
    }
}
