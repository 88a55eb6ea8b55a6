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

/// Where [`canonical_layout`] found the first member of the top-level object and the first member
/// of that member's value (for an entry: `body`, and `diff` in a version's body). Byte ranges of
/// the text: each member's name (without quotes) and value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The top-level object's first member: (name, value).
    pub first: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    /// The first member of the first member's value, when that is an object: (name, value).
    pub first_of_first: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

/// Whether `text` is, byte for byte, the canonical serialization (§2.1) of a JSON object the
/// format allows, decided in one pass without building the value; `Some` with where its first
/// members are when it is. This is the audit's fast path ([`crate::format::entry::parse_line`]):
/// `None` means "not shown canonical here", never "not canonical", and the caller then runs
/// [`parse_canonical`], which alone decides why a line is rejected. Only the common shapes are
/// accepted: member names of printable ASCII without escapes (whose UTF-16 order, §2.1, is their
/// byte order), strings escaped exactly as [`write_string`] escapes them, integers as
/// [`write_value`] writes them, at most 64 levels deep (serde_json's limit is 128). Whatever it
/// accepts, serde_json parses and [`write_value`] writes back unchanged: the two paths are
/// compared on every line the test suite parses (a debug assertion in `parse_line`).
pub fn canonical_layout(text: &str) -> Option<Layout> {
    let mut v = Validator { b: text.as_bytes(), i: 0, layout: Layout::default() };
    (v.b.first() == Some(&b'{') && v.object(0, true) && v.i == text.len()).then_some(v.layout)
}

struct Validator<'a> {
    b: &'a [u8],
    i: usize,
    layout: Layout,
}

/// Eight bytes at a time, the position of the first `"`, `\` or control character (< 0x20) at
/// or after `i` (Mycroft's zero-byte test, as serde_json scans strings): no false positive
/// before the first true one, so the lowest flagged byte is the answer.
fn next_special(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let ctrl = x.wrapping_sub(ONES * 0x20) & !x;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = x ^ (ONES * u64::from(b'\\'));
        let slash = s.wrapping_sub(ONES) & !s;
        let hit = (ctrl | quote | slash) & (ONES << 7);
        if hit != 0 {
            return i + hit.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while b.get(i).is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\') {
        i += 1;
    }
    i
}

impl Validator<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> bool {
        match self.peek() {
            Some(b'{') => self.object(depth, false),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'0'..=b'9') => self.number(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let ok = self.b.get(self.i..).is_some_and(|rest| rest.starts_with(word));
        self.i += if ok { word.len() } else { 0 };
        ok
    }

    /// `0` or a digit 1-9 and more digits, at most [`MAX_SAFE_INTEGER`]; never a sign, fraction
    /// or exponent (§2.1).
    fn number(&mut self) -> bool {
        let start = self.i;
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let digits = self.b.get(start..self.i).unwrap_or_default();
        let n = digits.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
        n.is_some_and(|n| n <= MAX_SAFE_INTEGER) && !matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
    }

    /// A string as [`write_string`] writes it. Returns where its contents are and whether they
    /// are printable ASCII without escapes.
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            self.i = next_special(self.b, self.i);
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    let end = self.i - 1;
                    let plain = !escaped && self.b.get(start..end).is_some_and(<[u8]>::is_ascii);
                    return Some((start, end, plain));
                }
                b'\\' => {
                    escaped = true;
                    match *self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            // Only `\u00xx` in lowercase hex, for a control without a short form.
                            let cp = match self.b.get(self.i + 2..self.i + 6)? {
                                [b'0', b'0', hi @ b'0'..=b'1', lo @ (b'0'..=b'9' | b'a'..=b'f')] => {
                                    (hi - b'0') << 4 | if *lo <= b'9' { lo - b'0' } else { lo - b'a' + 10 }
                                }
                                _ => return None,
                            };
                            if matches!(cp, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return None;
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    }
                }
                // A control character written as itself.
                _ => return None,
            }
        }
    }

    /// An object; `first_path` for the top-level object and the value of its first member, whose
    /// first members [`Layout`] records.
    fn object(&mut self, depth: usize, first_path: bool) -> bool {
        if depth >= 64 {
            return false;
        }
        self.i += 1;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return true;
        }
        let mut last: Option<(usize, usize)> = None;
        loop {
            if self.peek() != Some(b'"') {
                return false;
            }
            let Some((start, end, true)) = self.string() else { return false };
            // Strictly increasing: sorted (§2.1) and no name twice.
            if last.is_some_and(|(s, e)| self.b.get(s..e) >= self.b.get(start..end)) || self.peek() != Some(b':') {
                return false;
            }
            self.i += 1;
            let value_start = self.i;
            let ok = if first_path && last.is_none() && depth == 0 && self.peek() == Some(b'{') {
                self.object(depth + 1, true)
            } else {
                self.value(depth + 1)
            };
            if !ok {
                return false;
            }
            if first_path && last.is_none() {
                let member = Some((start..end, value_start..self.i));
                match depth {
                    0 => self.layout.first = member,
                    _ => self.layout.first_of_first = member,
                }
            }
            last = Some((start, end));
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        if depth >= 64 {
            return false;
        }
        self.i += 1;
        if self.peek() == Some(b']') {
            self.i += 1;
            return true;
        }
        loop {
            if !self.value(depth + 1) {
                return false;
            }
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }
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

    /// The eight-byte scan of `next_special` answers what a byte-at-a-time scan answers: any one
    /// byte value at each offset of two chunks, among bytes of any one other value, from a start
    /// in and after the first chunk. (A mistake in one of its masks only misses some bytes, which
    /// the comparison of the two parsers in `parse_line` may never meet in the vectors.)
    #[test]
    fn next_special_finds_what_a_byte_scan_finds() {
        let special = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
        for fill in 0..=255u8 {
            for byte in 0..=255u8 {
                for at in 0..16 {
                    let mut b = [fill; 16];
                    b[at] = byte;
                    for start in [0, 3, 8] {
                        let want = (start..b.len()).find(|&j| special(b[j])).unwrap_or(b.len());
                        assert_eq!(next_special(&b, start), want, "{fill:#x} with {byte:#x} at {at}, from {start}");
                    }
                }
            }
        }
    }

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
    /// The one-pass check never vouches for text the exact check rejects, and recognizes the
    /// canonical forms it is meant for: escapes, numbers, order, nesting, trailing bytes.
    #[test]
    fn the_one_pass_check_accepts_only_what_parse_canonical_accepts() {
        let cases: &[(&str, bool)] = &[
            (r#"{"a":1,"b":[true,false,null,"x"],"c":{"d":0}}"#, true),
            ("{\"s\":\"\\n\\t\\r\\b\\f\\\"\\\\\\u0001\\u001f/\u{7f}é\u{2028}\"}", true),
            (r#"{"a":9007199254740991}"#, true),
            (r#"{}"#, true),
            (r#"{"a":[]}"#, true),
            (r#"{"a":9007199254740992}"#, false),
            (r#"{"a":01}"#, false),
            (r#"{"a":-0}"#, false),
            (r#"{"a":-1}"#, false),
            (r#"{"a":1.0}"#, false),
            (r#"{"a":1e3}"#, false),
            (r#"{"a":99999999999999999999}"#, false),
            (r#"{"b":1,"a":2}"#, false),
            (r#"{"a":1,"a":1}"#, false),
            (r#"{"a":1 }"#, false),
            (r#"{ "a":1}"#, false),
            ("{\"a\":1}\r", false),
            ("{\"a\":1}\n", false),
            (r#"{"a":1}x"#, false),
            (r#"{"a":"\u000a"}"#, false),
            // Every control character without a short form is `\u00xx`, those of the second
            // sixteen too (whose low digit alone names one with a short form: 0x18 is not 0x08).
            (r#"{"a":"\u0010\u0018\u0019\u001a\u001b\u001c\u001d\u001e"}"#, true),
            (r#"{"a":"\u0018"}"#, true),
            (r#"{"a":"\u0008"}"#, false),
            (r#"{"a":"\u0009"}"#, false),
            (r#"{"a":"\u000c"}"#, false),
            (r#"{"a":"\u000d"}"#, false),
            (r#"{"a":"\u001F"}"#, false),
            (r#"{"a":"\u0041"}"#, false),
            (r#"{"a":"\/"}"#, false),
            (r#"{"a":"\ud83d\ude00"}"#, false),
            ("{\"a\":\"\u{1}\"}", false),
            ("{\"a\":\"\t\"}", false),
            (r#"{"é":1}"#, false),
            (r#"{"a\n":1}"#, false),
            (r#"{"a":tru}"#, false),
            (r#"{"a":[1,]}"#, false),
            (r#"{"a":}"#, false),
            (r#"{"a":1,}"#, false),
            (r#"[1]"#, false),
            (r#""x""#, false),
            (r#"{"a":"#, false),
            (r#"{"a":"x"#, false),
        ];
        for (text, simple) in cases {
            let got = canonical_layout(text).is_some();
            assert_eq!(got, *simple, "{text}");
            if got {
                assert!(parse_canonical(text.as_bytes()).is_ok(), "{text}");
            }
        }
        // Nesting: accepted to 64 levels, then left to the exact check.
        let deep = |n: usize| format!("{}0{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        assert!(canonical_layout(&deep(64)).is_some());
        assert!(canonical_layout(&deep(65)).is_none());
        assert!(parse_canonical(deep(65).as_bytes()).is_ok());
        // Arrays count as levels too.
        let deep_array = |n: usize| format!("{{\"a\":{}0{}}}", "[".repeat(n), "]".repeat(n));
        assert!(canonical_layout(&deep_array(63)).is_some());
        assert!(canonical_layout(&deep_array(64)).is_none());
        assert!(parse_canonical(deep_array(64).as_bytes()).is_ok());
        // Where the first members are.
        let text = r#"{"body":{"diff":[["=",1]],"z":2},"v":1}"#;
        let layout = canonical_layout(text).unwrap();
        let (name, value) = layout.first.unwrap();
        assert_eq!((&text[name], &text[value]), ("body", r#"{"diff":[["=",1]],"z":2}"#));
        let (name, value) = layout.first_of_first.unwrap();
        assert_eq!((&text[name], &text[value]), ("diff", r#"[["=",1]]"#));
        // Every single-byte change of a canonical text is either accepted by both checks or left
        // to the exact one.
        let line = r#"{"a":[1,"x\ny"],"b":{"c":"\u0000","d":true},"e":9007199254740991}"#;
        assert!(canonical_layout(line).is_some());
        for i in 0..line.len() {
            for b in [b'"', b'\\', b'0', b'9', b'a', b'{', b'}', b',', b' ', 0x01, b'e', b'-', b'u'] {
                let mut bytes = line.as_bytes().to_vec();
                bytes[i] = b;
                let Ok(t) = std::str::from_utf8(&bytes) else { continue };
                if canonical_layout(t).is_some() {
                    assert!(parse_canonical(&bytes).is_ok(), "{t}");
                }
            }
        }
    }
}
