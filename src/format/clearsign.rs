//! Clear-signed copies (spec/exports.md §4): one line appended to a released text that lets a
//! reader check the text with no bundle and no ledger. No I/O.
//!
//! The line is a single run of printable ASCII without spaces inside its last field, so it
//! survives being pasted into a blog editor (which may rewrap paragraphs, but does not split a
//! word):
//!
//! ```text
//! colophon-signature v1 ORIGIN WORK@TAG BASE64URL
//! ```
//!
//! BASE64URL (RFC 4648 §5, no padding) holds 184 bytes: the release's entry hash, the text's
//! SHA-256, its `words/v2` normalized hash and the byte length of that normalized text (u64,
//! big-endian), the signer's key id, and an Ed25519 signature over the DSSE PAE of
//! [`PAYLOAD_TYPE`] and everything on the line before the signature.

use crate::format::hash::Digest;
use crate::format::keys::{KeyId, PublicKey, SecretKey};
use crate::format::signing::pae;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _};

/// The DSSE payload type of a clear signature.
pub const PAYLOAD_TYPE: &str = "application/vnd.colophon.clearsign.v1";

/// The word that starts a signature line, and its version.
pub const PREFIX: &str = "colophon-signature v1 ";

const FIELDS: usize = 32 + 32 + 32 + 8 + 16;

/// A signature line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureLine {
    /// The ledger's origin.
    pub origin: String,
    /// The release's work.
    pub work: String,
    /// The release's tag.
    pub tag: String,
    /// The release's entry hash.
    pub release: Digest,
    /// SHA-256 of the signed text's bytes.
    pub sha256: Digest,
    /// SHA-256 of its `words/v2` normalized form.
    pub words: Digest,
    /// Byte length of the `words/v2` normalized form.
    pub words_len: u64,
    /// The signer's key id.
    pub key: KeyId,
    /// The signature.
    pub sig: [u8; 64],
}

fn plain(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl SignatureLine {
    /// The bytes the signature covers (spec/exports.md §4.2).
    fn fields(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(FIELDS);
        b.extend_from_slice(&self.release.0);
        b.extend_from_slice(&self.sha256.0);
        b.extend_from_slice(&self.words.0);
        b.extend_from_slice(&self.words_len.to_be_bytes());
        b.extend_from_slice(&self.key.0);
        b
    }

    fn message(&self) -> Vec<u8> {
        let mut m = format!("{PREFIX}{} {}@{} ", self.origin, self.work, self.tag).into_bytes();
        m.extend_from_slice(&self.fields());
        pae(PAYLOAD_TYPE, &m)
    }

    /// Signs: fills `key` and `sig` from `signer`.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        signer: &SecretKey,
        origin: &str,
        work: &str,
        tag: &str,
        release: Digest,
        text: &str,
    ) -> Result<SignatureLine, String> {
        if !plain(origin) || !plain(work) || !plain(tag) || work.contains('@') {
            return Err("the origin, work and tag of a signature line must be printable ASCII without spaces".into());
        }
        let words = crate::format::normalize::Profile::WordsV2.apply(text);
        let mut line = SignatureLine {
            origin: origin.into(),
            work: work.into(),
            tag: tag.into(),
            release,
            sha256: Digest::of(text.as_bytes()),
            words: Digest::of(words.as_bytes()),
            words_len: words.len() as u64,
            key: signer.id(),
            sig: [0; 64],
        };
        line.sig = signer.signing.sign(&line.message()).to_bytes();
        Ok(line)
    }

    /// The line, without a line break.
    pub fn to_line(&self) -> String {
        let mut b = self.fields();
        b.extend_from_slice(&self.sig);
        format!("{PREFIX}{} {}@{} {}", self.origin, self.work, self.tag, URL_SAFE_NO_PAD.encode(b))
    }

    /// Parses a line (trailing spaces, tabs and CR ignored).
    pub fn parse(line: &str) -> Result<SignatureLine, String> {
        let rest =
            line.trim_end_matches([' ', '\t', '\r']).strip_prefix(PREFIX).ok_or("not a colophon-signature v1 line")?;
        let mut f = rest.split(' ');
        let (Some(origin), Some(release), Some(b64), None) = (f.next(), f.next(), f.next(), f.next()) else {
            return Err("a signature line has three fields after `colophon-signature v1`".into());
        };
        let (work, tag) = release.split_once('@').ok_or("the release is not WORK@TAG")?;
        if !plain(origin) || !plain(work) || !plain(tag) {
            return Err("the origin, work and tag must be printable ASCII".into());
        }
        let b = URL_SAFE_NO_PAD.decode(b64).map_err(|_| "the signature is not base64url".to_string())?;
        if b.len() != FIELDS + 64 || URL_SAFE_NO_PAD.encode(&b) != b64 {
            return Err(format!("the signature field holds {} bytes, not {}", b.len(), FIELDS + 64));
        }
        let d = |i: usize| Digest(b[i..i + 32].try_into().unwrap_or([0; 32]));
        let mut key = [0u8; 16];
        key.copy_from_slice(&b[104..120]);
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&b[FIELDS..]);
        let mut len = [0u8; 8];
        len.copy_from_slice(&b[96..104]);
        Ok(SignatureLine {
            origin: origin.into(),
            work: work.into(),
            tag: tag.into(),
            release: d(0),
            sha256: d(32),
            words: d(64),
            words_len: u64::from_be_bytes(len),
            key: KeyId(key),
            sig,
        })
    }

    /// Whether the signature verifies (`verify_strict`) under `key`, whose id must be the line's.
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.id() == self.key && key.0.verify_strict(&self.message(), &Signature::from_bytes(&self.sig)).is_ok()
    }
}

/// Finds the first signature line in `text`: its byte range (the line without its line break)
/// and the line. A line that starts with [`PREFIX`] but does not parse is returned as an error.
pub fn find(text: &str) -> Option<(std::ops::Range<usize>, Result<SignatureLine, String>)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let trimmed = body.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(PREFIX) {
            let start = at + (body.len() - trimmed.len());
            return Some((start..at + body.len(), SignatureLine::parse(trimmed)));
        }
        at += line.len();
    }
    None
}

/// What a copy's text shows against its signature line (spec/exports.md §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The bytes before the line (less the blank line before it) are the signed text.
    Exact,
    /// The text before the line reads the same under `words/v2` (a reformatted or retyped copy).
    Words,
    /// Neither.
    None,
}

/// Matches the text that precedes a signature line. `before` is everything before it: for a
/// text file, exact when it is the signed text followed by the one blank line the writer adds
/// (and the LF it adds to a text that lacks one); under `words/v2`, the last `words_len` bytes of
/// the normalized `before` (a page's text holds site chrome before the article) when they start
/// at a word.
pub fn match_before(line: &SignatureLine, before: &str) -> Match {
    let a = before.strip_suffix('\n').unwrap_or(before);
    if Digest::of(a.as_bytes()) == line.sha256
        || a.strip_suffix('\n').is_some_and(|b| Digest::of(b.as_bytes()) == line.sha256)
    {
        return Match::Exact;
    }
    let w = crate::format::normalize::Profile::WordsV2.apply(before);
    let Ok(n) = usize::try_from(line.words_len) else { return Match::None };
    if n > w.len() || !w.is_char_boundary(w.len() - n) {
        return Match::None;
    }
    let start = w.len() - n;
    let at_word = start == 0 || w[..start].ends_with(|c: char| c.is_whitespace());
    if at_word && Digest::of(&w.as_bytes()[start..]) == line.words {
        return Match::Words;
    }
    Match::None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The stone bridge.\nEvery morning my grandmother crossed it.\n";

    fn line() -> (SecretKey, SignatureLine) {
        let k = SecretKey::from_seed(&[3u8; 32], "Tina");
        let l = SignatureLine::sign(&k, "example.org/translations", "ponte", "v1", Digest([7; 32]), TEXT).unwrap();
        (k, l)
    }

    #[test]
    fn a_line_round_trips_and_verifies_only_under_its_key() {
        let (k, l) = line();
        let s = l.to_line();
        assert!(s.starts_with("colophon-signature v1 example.org/translations ponte@v1 "));
        assert!(!s.contains('\n') && s.split(' ').count() == 5, "{s}");
        let p = SignatureLine::parse(&s).unwrap();
        assert_eq!(p, l);
        assert!(p.verify(&k.public()));
        let other = SecretKey::from_seed(&[4u8; 32], "Sam");
        assert!(!p.verify(&other.public()));
        // Every field is signed: change the tag, or one byte of the fields.
        assert!(!SignatureLine::parse(&s.replace("ponte@v1", "ponte@v2")).unwrap().verify(&k.public()));
        let mut b = l.clone();
        b.words_len += 1;
        assert!(!b.verify(&k.public()));
        // The base64url is canonical, and the length fixed.
        assert!(SignatureLine::parse(&format!("{s}A")).is_err());
        assert!(SignatureLine::parse(&s.replace(" ponte@v1 ", " ponte ")).is_err());
    }

    #[test]
    fn the_text_before_the_line_matches_exactly_or_by_its_words() {
        let (_, l) = line();
        assert_eq!(match_before(&l, &format!("{TEXT}\n")), Match::Exact);
        assert_eq!(
            match_before(&l, "The stone  bridge.\n\nEvery morning my grandmother crossed it.\n\n"),
            Match::Words
        );
        // Site chrome before the article, in a page's text.
        assert_eq!(match_before(&l, &format!("My blog\nHome About\n\n{TEXT}\n")), Match::Words);
        // A changed word, or the article cut short.
        assert_eq!(match_before(&l, &format!("{}\n", TEXT.replace("morning", "evening"))), Match::None);
        assert_eq!(match_before(&l, "crossed it.\n"), Match::None);
        // A word of the chrome glued to the article's first word is not a word boundary.
        assert_eq!(match_before(&l, &format!("HomeThe{}\n", &TEXT[3..])), Match::None);
    }

    #[test]
    fn find_locates_the_line_in_a_text() {
        let (_, l) = line();
        let doc = format!("{TEXT}\n  {}\nfooter\n", l.to_line());
        let (r, p) = find(&doc).unwrap();
        assert_eq!(p.unwrap(), l);
        assert_eq!(&doc[..r.start], &format!("{TEXT}\n  "));
        assert!(find(TEXT).is_none());
        assert!(find("colophon-signature v1 broken\n").unwrap().1.is_err());
    }
}
