//! Text normalization profiles (spec/ledger.md §9).
//!
//! Every `version` entry whose content is valid UTF-8 records, besides the SHA-256 of the raw bytes,
//! the SHA-256 of the text under the recorded profiles (`"norm": {"text/v1": …, "words/v2": …}`,
//! spec/ledger.md §9.3). That lets a reader check a re-typeset or re-keyed copy against the ledger:
//! `text/v1` survives changes of line endings, byte-order marks, Unicode composition and trailing
//! blanks; `words/v2` additionally survives typographic quotes and dashes, ligatures, full-width
//! forms, soft hyphens and reflowed lines, and nothing that changes how a text reads (§9.5). The
//! "exact" match level is not a profile: it compares the raw bytes.
//!
//! `words/v1` (§9.2) is retired for matching: its NFKC step equates texts that read differently
//! (`10⁶` and `106`, `1½` and `11⁄2`). It is still implemented, unchanged, so that the `words/v1`
//! members of entries written before `words/v2` stay checkable (§9.3).
//!
//! A profile id names a frozen definition (§9.3): a different implementation must produce the same
//! bytes from the spec alone, so every table below is written out explicitly rather than borrowed from
//! whatever the standard library's Unicode version happens to say. Changing anything here is a new
//! profile id (`text/v2`), never an edit.
//!
//! Every profile is a single streaming pass into one pre-sized `String`, with no per-character
//! allocation (texts are routinely several megabytes): ASCII runs go straight to the sink, and only
//! the non-ASCII stretches go through the streaming normalizer of `unicode-normalization` (see
//! `for_each_normalized` for why that is exact). The tests check the fast path against a literal,
//! step-by-step transcription of the spec.

use unicode_normalization::UnicodeNormalization;

/// Id of the `text/v1` profile (spec/ledger.md §9.1).
pub const TEXT_V1: &str = "text/v1";
/// Id of the `words/v1` profile (spec/ledger.md §9.2), retired for matching (§9.3).
pub const WORDS_V1: &str = "words/v1";
/// Id of the `words/v2` profile (spec/ledger.md §9.5).
pub const WORDS_V2: &str = "words/v2";

/// A normalization profile (spec/ledger.md §9). Ordered from strictest to loosest (a match
/// level is `exact` or one of these, `crate::verify::copy::Level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// `text/v1`: BOM, line endings, NFC, trailing blanks (§9.1).
    TextV1,
    /// `words/v1`: NFKC-based; frozen, checked in old entries, never used to match copies (§9.2).
    WordsV1,
    /// `words/v2`: compares words, not layout; never equates texts that read differently (§9.5).
    WordsV2,
}

impl Profile {
    /// Every profile this implementation knows: a `norm` member with one of these ids is checked
    /// (spec/ledger.md §9.3).
    pub const ALL: [Profile; 3] = [Profile::TextV1, Profile::WordsV1, Profile::WordsV2];

    /// The profiles a new `version` entry records, in this order: `text/v1` and `words/v2`
    /// (spec/ledger.md §9.3; `words/v1` is no longer written).
    pub const RECORDED: [Profile; 2] = [Profile::TextV1, Profile::WordsV2];

    /// The profile id as recorded in the ledger (`"text/v1"`, `"words/v1"`, `"words/v2"`).
    pub fn id(self) -> &'static str {
        match self {
            Profile::TextV1 => TEXT_V1,
            Profile::WordsV1 => WORDS_V1,
            Profile::WordsV2 => WORDS_V2,
        }
    }

    /// Whether a copy may be matched under this profile (spec/ledger.md §9.3): every profile but
    /// `words/v1`, which equates texts that read differently.
    pub fn matches_copies(self) -> bool {
        self != Profile::WordsV1
    }

    /// Looks up a profile id. Ids are compared byte for byte; an unknown id is `None`, and a
    /// verifier then ignores that `norm` member (spec/ledger.md §9.3).
    pub fn from_id(id: &str) -> Option<Profile> {
        match id {
            TEXT_V1 => Some(Profile::TextV1),
            WORDS_V1 => Some(Profile::WordsV1),
            WORDS_V2 => Some(Profile::WordsV2),
            _ => None,
        }
    }

    /// Normalizes `text` under this profile.
    pub fn apply(self, text: &str) -> String {
        match self {
            Profile::TextV1 => text_v1(text),
            Profile::WordsV1 => words_v1(text),
            Profile::WordsV2 => words_v2(text),
        }
    }
}

/// The White_Space set W of spec/ledger.md §9.0 (used by §9.1 step 4, §9.2 step 5 and §9.5 step 2).
///
/// This is exactly the set for which `char::is_whitespace` returns true on Rust 1.95 (Unicode
/// White_Space: 25 code points; checked by the `white_space_matches_std` test). It is spelled out
/// rather than delegated because the profile is frozen while `std` follows new Unicode versions: if a
/// future toolchain disagrees, this list is the definition and the test is what should change.
/// U+000A (LF) is in the set; `text/v1` never sees it here because LF is the line separator.
fn is_white_space(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'..='\u{000D}'
            | '\u{0020}'
            | '\u{0085}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// The ignorable set I of spec/ledger.md §9.2, removed by `words/v1` (§9.2 step 1) and `words/v2`
/// (§9.5 step 1): soft hyphen, zero-width space / non-joiner / joiner, word joiner, BOM / zero-width
/// no-break space, and the variation selectors VS1–VS16 and VS17–VS256.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// The typographic fold of spec/ledger.md §9.2 step 3, applied after NFKC.
///
/// NFKC has already rewritten some of the left-hand sides, which matters for the combined effect
/// (§9.2, table note): U+2033 DOUBLE PRIME arrives here as two U+2032 and so becomes `''`, not `"`;
/// U+2011 arrives as U+2010; U+207B/U+208B arrive as U+2212; U+FE31/U+FE32/U+FE58 arrive as
/// U+2014/U+2013/U+2014. The U+2033 arm is therefore unreachable but stays, because it is in the
/// published table.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2039}' | '\u{203A}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        _ => c,
    }
}

/// What the fold table F2 of `words/v2` makes of one code point (spec/ledger.md §9.5 step 2): the
/// code point itself or another one, or a fixed string (ligatures, the ellipsis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Folded {
    Char(char),
    Str(&'static str),
}

impl Folded {
    fn chars(self) -> impl Iterator<Item = char> {
        let (one, many) = match self {
            Folded::Char(c) => (Some(c), ""),
            Folded::Str(s) => (None, s),
        };
        one.into_iter().chain(many.chars())
    }
}

/// The fold table F2 of `words/v2` (spec/ledger.md §9.5), applied before NFC.
///
/// Only what re-typesetting changes and a reader reads the same: typographic quotes, dashes and the
/// minus sign, White_Space, Latin and Armenian ligatures, full-width forms (a full-width digit is
/// the same digit in the same position, so it folds; a superscript digit is an exponent and does
/// not), the ellipsis. Superscripts, subscripts, fractions, circled and Roman numerals, primes,
/// modifier letters and the rest of what NFKC would rewrite are deliberately absent (the spec's
/// table of classes not folded says why, one by one).
///
/// Every left-hand side is a starter with no canonical decomposition other than U+2000/U+2001 (which
/// NFC maps to U+2002/U+2003, folded the same), and none occurs in the canonical decomposition of any
/// other code point; every replacement is made of starters. So NFC never produces a left-hand side,
/// and folding before NFC is what makes the profile idempotent: `ﬁ` or `Ａ` followed by U+0301
/// becomes `f` + `í` or `Á` in one pass (`fold_v2_premises` checks all of this on every code point).
fn fold_v2(c: char) -> Folded {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}' => Folded::Char('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => Folded::Char('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE31}' | '\u{FE32}' | '\u{FE58}' | '\u{FE63}' => Folded::Char('-'),
        c if is_white_space(c) => Folded::Char(' '),
        '\u{FB00}' => Folded::Str("ff"),
        '\u{FB01}' => Folded::Str("fi"),
        '\u{FB02}' => Folded::Str("fl"),
        '\u{FB03}' => Folded::Str("ffi"),
        '\u{FB04}' => Folded::Str("ffl"),
        // LONG S T: its letters. U+017F LONG S is a letter of its own and stays (§9.5).
        '\u{FB05}' => Folded::Str("\u{17F}t"),
        '\u{FB06}' => Folded::Str("st"),
        '\u{FB13}' => Folded::Str("\u{574}\u{576}"),
        '\u{FB14}' => Folded::Str("\u{574}\u{565}"),
        '\u{FB15}' => Folded::Str("\u{574}\u{56B}"),
        '\u{FB16}' => Folded::Str("\u{57E}\u{576}"),
        '\u{FB17}' => Folded::Str("\u{574}\u{56D}"),
        // FULLWIDTH EXCLAMATION MARK … FULLWIDTH TILDE: the ASCII character 0xFEE0 below. The
        // subtraction cannot underflow and the result is printable ASCII, so `from_u32` is `Some`.
        '\u{FF01}'..='\u{FF5E}' => Folded::Char(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
        '\u{FF5F}' => Folded::Char('\u{2985}'),
        '\u{FF60}' => Folded::Char('\u{2986}'),
        '\u{FFE0}' => Folded::Char('\u{A2}'),
        '\u{FFE1}' => Folded::Char('\u{A3}'),
        '\u{FFE2}' => Folded::Char('\u{AC}'),
        '\u{FFE3}' => Folded::Char('\u{AF}'),
        '\u{FFE4}' => Folded::Char('\u{A6}'),
        '\u{FFE5}' => Folded::Char('\u{A5}'),
        '\u{FFE6}' => Folded::Char('\u{20A9}'),
        '\u{2026}' => Folded::Str("..."),
        c => Folded::Char(c),
    }
}

/// Which normalization a pass runs (with what comes before it on the same characters).
#[derive(Clone, Copy)]
enum Form {
    /// NFC (spec/ledger.md §9.1 step 3).
    Nfc,
    /// Removal of the ignorables, then NFKC (spec/ledger.md §9.2 steps 1 and 2).
    IgnorablesThenNfkc,
    /// Removal of the ignorables, the fold F2, then NFC (spec/ledger.md §9.5 steps 1–3).
    IgnorablesFoldThenNfc,
}

/// Feeds the normalized characters of `text` to `sink`, in order.
///
/// Why this is correct without normalizing the whole text at once: every ASCII character is a
/// starter (canonical combining class 0), is its own NFC and NFKC, and is never the second character
/// of a canonical composition (`=` + U+0338 → U+2260 has ASCII only as the first). So
/// N(x + c + y) = N(x) + N(c + y) for any ASCII `c`: a cut just before an ASCII character never
/// changes the result. The text is cut before every ASCII character that starts or continues an
/// ASCII run; only a non-ASCII run plus the one ASCII character before it (which a combining mark
/// may compose with, e.g. `e` + U+0301) goes through the normalizer. Texts in Latin scripts are
/// mostly ASCII, so this skips the normalizer for most of the input (2–4× faster than
/// normalizing everything; `fast_path_matches_reference` checks it against the plain definition).
/// The ignorables of §9.2 step 1 are all non-ASCII, so removing them segment by segment is the same
/// as removing them from the whole text first. The fold F2 of §9.5 works code point by code point
/// and its only ASCII left-hand sides are White_Space, which every sink treats as a space anyway, so
/// ASCII runs skip it; in a non-ASCII segment it runs before NFC as the spec orders, and the ASCII it
/// produces there is only more safe cuts that are not taken.
fn for_each_normalized(text: &str, form: Form, mut sink: impl FnMut(char)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        // A byte below 0x80 is always a whole character in UTF-8, so every index found below is a
        // char boundary and the slicing cannot fail.
        let Some(off) = bytes[start..].iter().position(|b| !b.is_ascii()) else {
            bytes[start..].iter().for_each(|&b| sink(char::from(b)));
            return;
        };
        let non_ascii = start + off;
        // The last ASCII character before the non-ASCII run (if any) goes with that run.
        let slow_start = non_ascii.saturating_sub(1).max(start);
        bytes[start..slow_start].iter().for_each(|&b| sink(char::from(b)));
        let slow_end = bytes[non_ascii..].iter().position(u8::is_ascii).map_or(bytes.len(), |off| non_ascii + off);
        let segment = &text[slow_start..slow_end];
        match form {
            Form::Nfc => segment.chars().nfc().for_each(&mut sink),
            Form::IgnorablesThenNfkc => segment.chars().filter(|&c| !is_ignorable(c)).nfkc().for_each(&mut sink),
            Form::IgnorablesFoldThenNfc => {
                segment.chars().filter(|&c| !is_ignorable(c)).flat_map(|c| fold_v2(c).chars()).nfc().for_each(&mut sink)
            }
        }
        start = slow_end;
    }
}

/// `text/v1` (spec/ledger.md §9.1).
fn text_v1(text: &str) -> String {
    // Step 1: every leading U+FEFF, not just one, or "\u{FEFF}\u{FEFF}x" would not be idempotent.
    let body = text.trim_start_matches('\u{FEFF}');

    // NFC can lengthen text (composition exclusions decompose), so this is a hint, not a bound.
    let mut out = String::with_capacity(body.len() + 1);
    // Byte length of `out` through the last character of the current line that is not White_Space
    // (or the line start). Trailing blanks are written and later cut off here, so step 4 costs no
    // buffering or look-ahead.
    let mut keep = 0;
    // The previous character was a CR (already written as LF).
    let mut after_cr = false;
    // Steps 2–4 in one pass. Step 2 is applied to NFC output rather than before NFC: CR and LF are
    // ASCII, so NFC neither changes, removes nor produces them (see `for_each_normalized`), and the
    // line-ending rewrite commutes with step 3.
    for_each_normalized(body, Form::Nfc, |c| {
        let c = match (c, after_cr) {
            // Step 2: the LF of a CR LF pair; the CR already ended the line.
            ('\n', true) => {
                after_cr = false;
                return;
            }
            ('\r', _) => {
                after_cr = true;
                '\n'
            }
            _ => {
                after_cr = false;
                c
            }
        };
        if c == '\n' {
            // Step 4 for the line just ended.
            out.truncate(keep);
            out.push('\n');
            keep = out.len();
        } else {
            out.push(c);
            if !is_white_space(c) {
                keep = out.len();
            }
        }
    });
    // Step 4 for the last line (which has no LF after it).
    out.truncate(keep);
    // Step 5: exactly one final LF on non-empty text. Every earlier line is already trimmed, so
    // dropping the trailing LFs cannot expose trailing White_Space.
    let end = out.trim_end_matches('\n').len();
    out.truncate(end);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Steps 4 and 5 of `words/v1` (spec/ledger.md §9.2) and `words/v2` (§9.5), one character at a time:
/// collapses runs of U+002D and of White_Space, and trims the ends.
#[derive(Default)]
struct Collapse {
    out: String,
    // Step 5 is done lazily: a White_Space run only sets this flag, and one U+0020 is written when
    // the next other character arrives. A run at the start (empty `out`) never sets it and a run at
    // the end is never flushed, which trims both ends.
    pending_space: bool,
}

impl Collapse {
    fn with_capacity(n: usize) -> Collapse {
        Collapse { out: String::with_capacity(n), pending_space: false }
    }

    fn push(&mut self, c: char) {
        if is_white_space(c) {
            self.pending_space |= !self.out.is_empty();
            return;
        }
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        } else if c == '-' && self.out.ends_with('-') {
            // Step 4: a `-` right after a `-` continues a run. A run is only broken by another
            // character, and White_Space is one: "- -" stays "- -".
            return;
        }
        self.out.push(c);
    }
}

/// `words/v1` (spec/ledger.md §9.2).
fn words_v1(text: &str) -> String {
    let mut sink = Collapse::with_capacity(text.len());
    // Step 1 runs before NFKC (step 2) on purpose: removing a joiner between a base and a combining
    // mark after composition would leave an uncomposed pair, and a second application would compose
    // it (not idempotent). Step 3 maps NFKC output one character to one character.
    for_each_normalized(text, Form::IgnorablesThenNfkc, |c| sink.push(fold(c)));
    sink.out
}

/// `words/v2` (spec/ledger.md §9.5).
fn words_v2(text: &str) -> String {
    let mut sink = Collapse::with_capacity(text.len());
    // Steps 1–3 in `for_each_normalized`: ignorables out, F2, then NFC, in that order (see `fold_v2`
    // for why the fold comes before NFC). F2 has already turned every White_Space into U+0020, except
    // ASCII White_Space on the fast path, which `Collapse` treats as the U+0020 it folds to.
    for_each_normalized(text, Form::IgnorablesFoldThenNfc, |c| sink.push(c));
    sink.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::{is_nfc, is_nfkc};

    fn text(s: &str) -> String {
        Profile::TextV1.apply(s)
    }

    fn words(s: &str) -> String {
        Profile::WordsV1.apply(s)
    }

    fn words2(s: &str) -> String {
        Profile::WordsV2.apply(s)
    }

    #[test]
    fn ids_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_id(p.id()), Some(p));
        }
        assert_eq!(Profile::TextV1.id(), "text/v1");
        assert_eq!(Profile::WordsV1.id(), "words/v1");
        assert_eq!(Profile::WordsV2.id(), "words/v2");
        assert_eq!(Profile::RECORDED, [Profile::TextV1, Profile::WordsV2]);
        assert!(!Profile::WordsV1.matches_copies());
        assert!(Profile::TextV1.matches_copies() && Profile::WordsV2.matches_copies());
        assert_eq!(Profile::from_id("text/v2"), None);
        assert_eq!(Profile::from_id("words/v3"), None);
        assert_eq!(Profile::from_id("TEXT/V1"), None);
        assert_eq!(Profile::from_id(""), None);
    }

    #[test]
    fn white_space_matches_std() {
        // The comment on `is_white_space` promises this; see there for what to do if it ever fails.
        let mut count = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_white_space(c), c.is_whitespace(), "U+{:04X}", c as u32);
            count += usize::from(is_white_space(c));
        }
        assert_eq!(count, 25);
    }

    #[test]
    fn unicode_version_is_recent_enough() {
        // spec/ledger.md §9.4: NFC/NFKC per Unicode 15.1 or later.
        assert!(unicode_normalization::UNICODE_VERSION >= (15, 1, 0));
    }

    #[test]
    fn unicode_version_is_the_one_the_spec_names() {
        // spec/ledger.md §9.4 names the version of the locked `unicode-normalization`; a dependency
        // update that changes it must change the spec too.
        assert_eq!(unicode_normalization::UNICODE_VERSION, (18, 0, 0));
        // §9.4's example of text on which Unicode versions disagree (assigned in 16.0).
        assert_eq!("\u{16D67}\u{16D67}".nfc().collect::<String>(), "\u{16D68}");
    }

    #[test]
    fn nfkc_facts_the_spec_relies_on() {
        // spec/ledger.md §9.2 table note: what NFKC does before the fold.
        let nfkc = |s: &str| s.nfkc().collect::<String>();
        assert_eq!(nfkc("\u{2033}"), "\u{2032}\u{2032}");
        assert_eq!(nfkc("\u{2011}"), "\u{2010}");
        assert_eq!(nfkc("\u{2026}"), "...");
        assert_eq!(nfkc("\u{207B}"), "\u{2212}");
        assert_eq!(nfkc("\u{FE58}"), "\u{2014}");
        for c in ['\u{2018}', '\u{201C}', '\u{00AB}', '\u{2013}', '\u{2014}', '\u{2212}'] {
            assert_eq!(nfkc(&c.to_string()), c.to_string());
        }
        // None of the ignorables is produced or changed by NFKC.
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_ignorable(c)) {
            assert_eq!(nfkc(&c.to_string()), c.to_string());
        }
    }

    #[test]
    fn text_v1_steps() {
        assert_eq!(text(""), "");
        assert_eq!(text("\u{FEFF}"), "");
        assert_eq!(text("\u{FEFF}\u{FEFF}a"), "a\n");
        assert_eq!(text("a\u{FEFF}b"), "a\u{FEFF}b\n");
        assert_eq!(text("a\r\nb\rc\r\r\nd"), "a\nb\nc\n\nd\n");
        assert_eq!(text("\r"), "");
        assert_eq!(text("e\u{301}"), "\u{E9}\n");
        assert_eq!(text("a \t\u{A0}\u{3000}\nb"), "a\nb\n");
        assert_eq!(text("  a"), "  a\n");
        assert_eq!(text("a\n\n\n"), "a\n");
        assert_eq!(text("\n\na"), "\n\na\n");
        assert_eq!(text(" \n \n"), "");
        assert_eq!(text("a\u{2028}"), "a\n");
        assert_eq!(text("a\u{2000}b"), "a\u{2002}b\n");
        // A mark after a blank is not a blank: nothing to trim.
        assert_eq!(text("a \u{301}"), "a \u{301}\n");
    }

    #[test]
    fn words_v1_steps() {
        assert_eq!(words(""), "");
        assert_eq!(words(" \n\t\u{3000}"), "");
        assert_eq!(words("  a \r\n b  "), "a b");
        assert_eq!(words("tra\u{AD}du\u{AD}zio\u{AD}ne"), "traduzione");
        assert_eq!(words("e\u{200D}\u{301}"), "\u{E9}");
        assert_eq!(words("\u{2764}\u{FE0F}x\u{E0100}"), "\u{2764}x");
        assert_eq!(words("\u{201C}a\u{201D} \u{2018}b\u{2019} \u{AB}c\u{BB}"), "\"a\" 'b' \"c\"");
        assert_eq!(words("5\u{2033} 3\u{2032}"), "5'' 3'");
        assert_eq!(words("a--b\u{2013}c\u{2014}\u{2014}d\u{2011}e\u{2212}f"), "a-b-c-d-e-f");
        assert_eq!(words("a - - b"), "a - - b");
        assert_eq!(words("-\u{AD}-"), "-");
        assert_eq!(words("E poi\u{2026}"), "E poi...");
        assert_eq!(words("\u{FB01}ne \u{FF21}\u{FF22}"), "fine AB");
        assert_eq!(words("a\u{B4}"), "a \u{301}");
    }

    #[test]
    fn words_v2_steps() {
        assert_eq!(words2(""), "");
        assert_eq!(words2(" \n\t\u{3000}\u{AD}"), "");
        assert_eq!(words2("  a \r\n b  "), "a b");
        // The motivating example of spec/ledger.md §9.5: nothing to fold, nothing changes.
        let loan = "Loan: 10\u{2076} euros; dose 1\u{BD} mg; x\u{207B}\u{B9}";
        assert_eq!(words2(loan), loan);
        assert_ne!(words2(loan), words2("Loan: 106 euros; dose 11\u{2044}2 mg; x-1"));
        assert_eq!(words(loan), "Loan: 106 euros; dose 11\u{2044}2 mg; x-1");
        // Full-width digits are the same digits in the same positions.
        assert_eq!(words2("\u{FF11}\u{FF10}\u{FF16} \u{FF11}\u{FF10}\u{2076}"), "106 10\u{2076}");
        assert_eq!(words2("tra\u{AD}du\u{AD}zio\u{AD}ne"), "traduzione");
        assert_eq!(words2("e\u{200D}\u{301}"), "\u{E9}");
        assert_eq!(
            words2("\u{201C}a\u{201D} \u{2018}b\u{2019} \u{AB}c\u{BB} \u{2039}d\u{203A}"),
            "\"a\" 'b' \"c\" 'd'"
        );
        // Primes are unit marks, not quotes.
        assert_eq!(words2("5\u{2032} 5\u{2019} 12\u{2033} 12\u{201D}"), "5\u{2032} 5' 12\u{2033} 12\"");
        assert_eq!(
            words2("a--b\u{2013}c\u{2014}\u{2014}d\u{2011}e\u{2212}f\u{FE58}g\u{FE63}h\u{FE31}i\u{FE32}j"),
            "a-b-c-d-e-f-g-h-i-j"
        );
        assert_eq!(words2("\u{2212}5 \u{207B}5 \u{208B}5"), "-5 \u{207B}5 \u{208B}5");
        assert_eq!(words2("a - - b"), "a - - b");
        assert_eq!(words2("E poi\u{2026}"), "E poi...");
        assert_eq!(words2("\u{FB01}ne \u{FB00} \u{FB03} \u{FB05} \u{FB06}"), "fine ff ffi \u{17F}t st");
        // The fold runs before NFC: a ligature or full-width letter composes with a following mark.
        assert_eq!(words2("\u{FB01}\u{301} \u{FF21}\u{301}"), "f\u{ED} \u{C1}");
        assert_eq!(words2("\u{FFE5}100 \u{FF5F}x\u{FF60}"), "\u{A5}100 \u{2985}x\u{2986}");
        assert_eq!(words2("Perche\u{301} \u{212B}"), "Perch\u{E9} \u{C5}");
        // Case, modifier letters, letterlike symbols and the acute accent are not folded.
        assert_eq!(
            words2("Roma ROMA p\u{2B0} \u{2BC} \u{211D} \u{17F} a\u{B4}"),
            "Roma ROMA p\u{2B0} \u{2BC} \u{211D} \u{17F} a\u{B4}"
        );
    }

    #[test]
    fn profiles_agree_on_clean_text() {
        let s = "Nel mezzo del cammin di nostra vita\nmi ritrovai per una selva oscura,\n";
        assert_eq!(text(s), s);
        assert_eq!(words(s), "Nel mezzo del cammin di nostra vita mi ritrovai per una selva oscura,");
    }

    #[test]
    fn large_input_is_linear() {
        // Not a benchmark; just keeps an accidental quadratic step from landing unnoticed.
        let line = "Perche\u{301} la citta\u{300}  \u{2014} \u{201C}dolente\u{201D}\u{2026}\r\n";
        let big = line.repeat(60_000); // ~3.6 MB
        let t = text(&big);
        assert_eq!(t.lines().count(), 60_000);
        let w = words(&t);
        assert_eq!(w, words(&big));
        assert!(!w.contains('\n'));
        let w2 = words2(&t);
        assert_eq!(w2, words2(&big));
        assert!(!w2.contains('\n'));
    }

    // ---- reference: the spec steps transcribed literally, one whole-text pass per step ----

    fn text_v1_reference(s: &str) -> String {
        let s = s.trim_start_matches('\u{FEFF}'); // 1
        let s = s.replace("\r\n", "\n").replace('\r', "\n"); // 2
        let s: String = s.nfc().collect(); // 3
        let lines: Vec<&str> = s.split('\n').map(|l| l.trim_end_matches(is_white_space)).collect();
        let s = lines.join("\n"); // 4
        let s = s.trim_end_matches('\n'); // 5
        if s.is_empty() { String::new() } else { format!("{s}\n") }
    }

    fn words_v1_reference(s: &str) -> String {
        let s: String = s.chars().filter(|&c| !is_ignorable(c)).collect(); // 1
        let s: String = s.nfkc().collect(); // 2
        let s: String = s.chars().map(fold).collect(); // 3
        let mut t = String::new(); // 4
        for c in s.chars() {
            if !(c == '-' && t.ends_with('-')) {
                t.push(c);
            }
        }
        let words: Vec<&str> = t.split(is_white_space).filter(|w| !w.is_empty()).collect();
        words.join(" ") // 5
    }

    /// The fold table F2 of spec/ledger.md §9.5, transcribed from the spec's table as data (independently
    /// of `fold_v2`, which is checked against it on every code point).
    fn f2_reference() -> &'static std::collections::BTreeMap<char, String> {
        static F2: std::sync::OnceLock<std::collections::BTreeMap<char, String>> = std::sync::OnceLock::new();
        F2.get_or_init(f2_table)
    }

    fn f2_table() -> std::collections::BTreeMap<char, String> {
        let mut m = std::collections::BTreeMap::new();
        let ch = |u: u32| char::from_u32(u).unwrap();
        for u in [0x2018, 0x2019, 0x201A, 0x201B, 0x2039, 0x203A] {
            m.insert(ch(u), "'".to_string());
        }
        for u in [0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB] {
            m.insert(ch(u), "\"".to_string());
        }
        for u in [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE31, 0xFE32, 0xFE58, 0xFE63] {
            m.insert(ch(u), "-".to_string());
        }
        let w = [
            0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
            0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        ];
        for u in w {
            m.insert(ch(u), " ".to_string());
        }
        let ligatures: [(u32, &[u32]); 12] = [
            (0xFB00, &[0x66, 0x66]),
            (0xFB01, &[0x66, 0x69]),
            (0xFB02, &[0x66, 0x6C]),
            (0xFB03, &[0x66, 0x66, 0x69]),
            (0xFB04, &[0x66, 0x66, 0x6C]),
            (0xFB05, &[0x17F, 0x74]),
            (0xFB06, &[0x73, 0x74]),
            (0xFB13, &[0x574, 0x576]),
            (0xFB14, &[0x574, 0x565]),
            (0xFB15, &[0x574, 0x56B]),
            (0xFB16, &[0x57E, 0x576]),
            (0xFB17, &[0x574, 0x56D]),
        ];
        for (u, to) in ligatures {
            m.insert(ch(u), to.iter().map(|&t| ch(t)).collect());
        }
        for u in 0xFF01..=0xFF5E {
            m.insert(ch(u), ch(u - 0xFF01 + 0x21).to_string());
        }
        let wide = [
            (0xFF5F, 0x2985),
            (0xFF60, 0x2986),
            (0xFFE0, 0xA2),
            (0xFFE1, 0xA3),
            (0xFFE2, 0xAC),
            (0xFFE3, 0xAF),
            (0xFFE4, 0xA6),
            (0xFFE5, 0xA5),
            (0xFFE6, 0x20A9),
        ];
        for (u, t) in wide {
            m.insert(ch(u), ch(t).to_string());
        }
        m.insert(ch(0x2026), "...".to_string());
        m
    }

    fn words_v2_reference(s: &str) -> String {
        let f2 = f2_reference();
        let s: String = s.chars().filter(|&c| !is_ignorable(c)).collect(); // 1
        let s: String = s.chars().map(|c| f2.get(&c).cloned().unwrap_or_else(|| c.to_string())).collect(); // 2
        let s: String = s.nfc().collect(); // 3
        let mut t = String::new(); // 4
        for c in s.chars() {
            if !(c == '-' && t.ends_with('-')) {
                t.push(c);
            }
        }
        let words: Vec<&str> = t.split(' ').filter(|w| !w.is_empty()).collect();
        words.join(" ") // 5
    }

    #[test]
    fn fold_v2_matches_the_spec_table() {
        let f2 = f2_reference();
        assert_eq!(f2.len(), 6 + 6 + 11 + 25 + 12 + 94 + 9 + 1);
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let got: String = fold_v2(c).chars().collect();
            let want = f2.get(&c).cloned().unwrap_or_else(|| c.to_string());
            assert_eq!(got, want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn fold_v2_premises() {
        // What `fold_v2`'s comment and spec/ledger.md §9.5 (informative note) rely on, for every
        // code point: left-hand sides of F2 and members of I are starters that NFC leaves alone
        // (U+2000 and U+2001 become U+2002 and U+2003, which fold the same) and that occur in no other
        // code point's canonical decomposition; replacements are starters NFC leaves alone.
        let f2 = f2_reference();
        // U+002D too: steps 4 and 5 rely on `-` and U+0020 (a key of F2) taking no part in any
        // canonical composition.
        let special = |c: char| f2.contains_key(&c) || is_ignorable(c) || c == '-';
        let ccc = unicode_normalization::char::canonical_combining_class;
        for (c, to) in f2 {
            let nfd: String = c.to_string().nfd().collect();
            if *c == '\u{2000}' || *c == '\u{2001}' {
                assert_eq!(nfd.chars().map(|d| f2[&d].clone()).collect::<String>(), *to);
            } else {
                assert_eq!(nfd, c.to_string(), "U+{:04X} decomposes", *c as u32);
            }
            assert_eq!(ccc(*c), 0, "U+{:04X}", *c as u32);
            for t in to.chars() {
                assert_eq!(ccc(t), 0, "U+{:04X} -> U+{:04X}", *c as u32, t as u32);
                assert_eq!(t.to_string().nfd().collect::<String>(), t.to_string());
                assert!(!f2.contains_key(&t) || t == ' ', "F2 output U+{:04X} is folded again", t as u32);
            }
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_ignorable(c)) {
            assert_eq!(ccc(c), 0);
            assert_eq!(c.to_string().nfd().collect::<String>(), c.to_string());
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| !special(c)) {
            let mut bad = None;
            unicode_normalization::char::decompose_canonical(c, |d| {
                if special(d) {
                    bad = Some(d);
                }
            });
            assert_eq!(bad, None, "U+{:04X} decomposes to U+002D, a fold or an ignorable code point", c as u32);
        }
    }

    /// The classes spec/ledger.md §9.5 lists as deliberately not folded, as code point ranges.
    const NOT_FOLDED: &[(u32, u32)] = &[
        (0x00B2, 0x00B3),   // superscript two, three
        (0x00B9, 0x00B9),   // superscript one
        (0x2070, 0x209F),   // superscripts and subscripts (incl. U+207B SUPERSCRIPT MINUS)
        (0x00BC, 0x00BE),   // vulgar fractions
        (0x2150, 0x215F),   // vulgar fractions, fraction numerator one
        (0x2189, 0x2189),   // vulgar fraction zero thirds
        (0x2044, 0x2044),   // fraction slash
        (0x2160, 0x2188),   // Roman numerals
        (0x2460, 0x24FF),   // enclosed alphanumerics
        (0x2776, 0x2793),   // dingbat circled digits
        (0x3251, 0x325F),   // circled numbers 21-35
        (0x3280, 0x32BF),   // circled ideographs, circled numbers 36-50
        (0x1F100, 0x1F10C), // digit full stop / comma, dingbat circled zero
        (0x1D400, 0x1D7FF), // mathematical alphanumeric symbols
        (0x2032, 0x2037),   // primes and reversed primes
        (0x2057, 0x2057),   // quadruple prime
        (0x02B0, 0x02FF),   // spacing modifier letters
        (0x1D2C, 0x1D6A),   // phonetic modifier letters and subscripts
        (0x00AA, 0x00AA),   // feminine ordinal indicator
        (0x00BA, 0x00BA),   // masculine ordinal indicator
        (0x2100, 0x2125),   // letterlike symbols (U+2126 OHM SIGN is NFC's)
        (0x2127, 0x2129),
        (0x212C, 0x214F),
        (0x017F, 0x017F), // long s
        (0x0132, 0x0133), // Dutch ij
        (0x01C4, 0x01CC), // Latin digraph letters
        (0x0587, 0x0587), // Armenian ech yiwn
        (0x2024, 0x2025), // one and two dot leaders
        (0x203C, 0x203C), // double exclamation mark
        (0x2047, 0x2049), // double question marks
        (0x00B4, 0x00B4), // acute accent
        (0x00A8, 0x00A8), // diaeresis
        (0x00AF, 0x00AF), // macron
        (0x00B5, 0x00B5), // micro sign
        (0x2E3A, 0x2E3B), // two- and three-em dashes
        (0x2043, 0x2043), // hyphen bullet
        (0x2E17, 0x2E17), // double oblique hyphen
        (0x301C, 0x301C), // wave dash
        (0x3030, 0x3030), // wavy dash
        (0x058A, 0x058A), // Armenian hyphen
        (0x05BE, 0x05BE), // Hebrew maqaf
        (0x2796, 0x2796), // heavy minus sign
        (0x2E42, 0x2E42), // double low-reversed-9 quotation mark
        (0x275B, 0x275E), // ornamental quotation marks
        (0x300C, 0x300F), // corner brackets
        (0x301D, 0x301F), // double prime quotation marks
        (0xFE10, 0xFE19), // vertical forms
        (0xFE30, 0xFE30), // other CJK compatibility forms (U+FE31, U+FE32 are folded)
        (0xFE33, 0xFE4F),
        (0xFE50, 0xFE57), // small form variants (U+FE58, U+FE63 are folded)
        (0xFE59, 0xFE62),
        (0xFE64, 0xFE6B),
        (0xFF61, 0xFFDC), // half-width forms
        (0xFFE8, 0xFFEE),
        (0xFB50, 0xFDFF), // Arabic presentation forms
        (0xFE70, 0xFEFE),
        (0x3200, 0x3250),   // enclosed CJK letters and months
        (0x32C0, 0x33FF),   // CJK compatibility squares
        (0x1F110, 0x1F1FF), // enclosed alphanumeric supplement
        (0x0660, 0x0669),   // Arabic-Indic digits
        (0x0966, 0x096F),   // Devanagari digits
        (0x200E, 0x200F),   // bidirectional marks
        (0x202A, 0x202E),   // bidirectional embeddings and overrides
        (0x2066, 0x2069),   // bidirectional isolates
        (0x2061, 0x2064),   // invisible operators
        (0x034F, 0x034F),   // combining grapheme joiner
        (0x180E, 0x180E),   // Mongolian vowel separator
        (0x2027, 0x2027),   // hyphenation point
        (0x00B7, 0x00B7),   // middle dot
        (0x0060, 0x0060),   // grave accent
        (0x2215, 0x2215),   // division slash
    ];

    #[test]
    fn not_folded_classes_are_left_alone() {
        let f2 = f2_reference();
        for &(lo, hi) in NOT_FOLDED {
            for c in (lo..=hi).filter_map(char::from_u32) {
                assert!(!f2.contains_key(&c) && !is_ignorable(c), "U+{:04X} is folded", c as u32);
                assert_eq!(fold_v2(c), Folded::Char(c), "U+{:04X}", c as u32);
                // Where NFC keeps the code point (all but a few letterlike and CJK compatibility
                // characters with canonical singletons), `words/v2` keeps it.
                let nfc: String = c.to_string().nfc().collect();
                let after = words2(&format!("x{c}y"));
                assert_eq!(after, format!("x{nfc}y"), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn words_v2_on_every_code_point_in_context() {
        // Exhaustive: each code point between a letter and a combining mark, against the reference,
        // and idempotent.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}\u{301}");
            let w = words2(&s);
            assert_eq!(w, words_v2_reference(&s), "U+{:04X}", c as u32);
            assert_eq!(words2(&w), w, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn ascii_is_a_safe_cut() {
        // The premise of `for_each_normalized`: no canonical decomposition (hence no canonical
        // composition, which NFC and NFKC both use) has an ASCII character after its first one.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let d: String = c.to_string().nfd().collect();
            assert!(!d.chars().skip(1).any(|x| x.is_ascii()), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn segment_boundaries() {
        // Cuts of the ASCII fast path next to CR, LF, marks, joiners and dashes.
        for s in [
            "\r\u{301}",
            "a\r\u{301}\n",
            "\u{E9}\r\nb",
            "e\u{301}\u{302}x",
            "=\u{338}",
            "\u{338}",
            "a\u{200D}\u{301}",
            "-\u{2013}-\u{AD}-",
            " \u{A0} \u{301}",
            "\u{FEFF}\r\n\u{FEFF}",
            "x\u{1100}\u{1161}\u{11A8}y",
            "\u{B4}\u{B4}",
            "\u{FB01}\u{301}",
            "x\u{FF21}\u{301}\u{FF0D}-",
            "\u{A0}\u{301}",
            "-\u{2212}\u{FE63}",
        ] {
            assert_eq!(text(s), text_v1_reference(s), "{s:?}");
            assert_eq!(words(s), words_v1_reference(s), "{s:?}");
            assert_eq!(words2(s), words_v2_reference(s), "{s:?}");
        }
    }

    // ---- properties ----

    /// Characters that exercise every step of both profiles.
    fn special_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(vec![
                '\r', '\n', '\u{FEFF}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{AD}',
                '\u{FE0E}', '\u{FE0F}', '\u{E0100}', '\u{E01EF}', ' ', '\t', '\u{0B}', '\u{0C}',
                '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2007}', '\u{2028}',
                '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}', '-', '\u{2010}', '\u{2011}',
                '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{207B}', '\u{FE58}',
                '\u{FE63}', '\u{FF0D}', '\'', '"', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}',
                '\u{201C}', '\u{201D}', '\u{201E}', '\u{201F}', '\u{2032}', '\u{2033}', '\u{2034}',
                '\u{2039}', '\u{203A}', '\u{AB}', '\u{BB}', '\u{2026}', '\u{FB01}', '\u{FF21}',
                '\u{B4}', '\u{A8}', '=', '<', '\u{338}', '\u{1100}', '\u{1161}', '\u{11A8}',
                '\u{AC00}', '\u{958}', '\u{E9}', '\u{1E63}', '\u{323}', '\u{307}', '\u{345}',
                '\u{3099}', '\u{304B}', '\u{212B}', '\u{2126}', '\u{B2}', '\u{B9}', '\u{2076}',
                '\u{208B}', '\u{BD}', '\u{2044}', '\u{2460}', '\u{2163}', '\u{1D400}', '\u{FB00}',
                '\u{FB05}', '\u{FB13}', '\u{FF10}', '\u{FF5E}', '\u{FF5F}', '\u{FFE3}', '\u{FE31}',
                '\u{FE32}', '\u{2BC}', '\u{17F}',
            ]),
            3 => (0x300u32..=0x36F).prop_map(|u| char::from_u32(u).unwrap()),
            3 => prop::sample::select(vec!['a', 'e', 'i', 'o', 'u', 'A', 'E', 'n', 's', '.']),
            1 => any::<char>(),
        ]
    }

    fn special_string() -> impl Strategy<Value = String> {
        prop::collection::vec(special_char(), 0..48).prop_map(|v| v.into_iter().collect())
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![3 => special_string(), 1 => any::<String>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn fast_path_matches_reference(s in any_text()) {
            prop_assert_eq!(text(&s), text_v1_reference(&s));
            prop_assert_eq!(words(&s), words_v1_reference(&s));
            prop_assert_eq!(words2(&s), words_v2_reference(&s));
        }

        #[test]
        fn all_idempotent(s in any_text()) {
            for p in Profile::ALL {
                let once = p.apply(&s);
                prop_assert_eq!(p.apply(&once), once.clone(), "{}", p.id());
            }
        }

        #[test]
        fn text_v1_shape(s in any_text()) {
            let t = text(&s);
            prop_assert!(!t.contains('\r'));
            prop_assert!(!t.starts_with('\u{FEFF}'), "leading BOM");
            prop_assert!(is_nfc(&t));
            prop_assert!(t.is_empty() || (t.ends_with('\n') && !t.ends_with("\n\n")));
            for line in t.split('\n') {
                prop_assert!(!line.ends_with(is_white_space), "line {:?}", line);
            }
        }

        #[test]
        fn words_v1_shape(s in any_text()) {
            let w = words(&s);
            prop_assert!(!w.contains('\n'));
            prop_assert!(!w.contains("  "));
            prop_assert!(!w.contains("--"));
            prop_assert!(!w.starts_with(' ') && !w.ends_with(' '));
            prop_assert!(!w.contains(|c: char| is_white_space(c) && c != ' '));
            prop_assert!(!w.contains(is_ignorable));
            prop_assert!(is_nfkc(&w));
        }

        #[test]
        fn words_v2_shape(s in any_text()) {
            let w = words2(&s);
            prop_assert!(!w.contains("  "));
            prop_assert!(!w.contains("--"));
            prop_assert!(!w.starts_with(' ') && !w.ends_with(' '));
            prop_assert!(!w.contains(|c: char| is_white_space(c) && c != ' '));
            prop_assert!(!w.contains(is_ignorable));
            prop_assert!(!w.contains(|c: char| fold_v2(c) != Folded::Char(c) && c != ' '), "unfolded: {:?}", w);
            prop_assert!(is_nfc(&w));
        }

        #[test]
        fn words_after_text_is_words(s in any_text()) {
            prop_assert_eq!(words(&text(&s)), words(&s));
            prop_assert_eq!(words2(&text(&s)), words2(&s));
        }

        #[test]
        fn words_v2_is_invariant_under_canonical_equivalence(s in any_text()) {
            // The property the proof of `words_v2(text_v1(x)) == words_v2(x)` rests on (§9.5).
            let nfd: String = s.nfd().collect();
            let nfc: String = s.nfc().collect();
            prop_assert_eq!(words2(&nfd), words2(&s));
            prop_assert_eq!(words2(&nfc), words2(&s));
        }
    }
}
