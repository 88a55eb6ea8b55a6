//! Text normalization profiles (spec/ledger.md §9).
//!
//! Every `version` entry whose content is valid UTF-8 records, besides the SHA-256 of the raw bytes,
//! the SHA-256 of the text under each profile here (`"norm": {"text/v1": …, "words/v1": …}`,
//! spec/ledger.md §9.3). That lets a reader check a re-typeset or re-keyed copy against the ledger:
//! `text/v1` survives changes of line endings, byte-order marks, Unicode composition and trailing
//! blanks; `words/v1` additionally survives typographic quotes and dashes, ligatures, soft hyphens and
//! reflowed lines. The "exact" match level is not a profile: it compares the raw bytes.
//!
//! A profile id names a frozen definition (§9.3): a different implementation must produce the same
//! bytes from the spec alone, so every table below is written out explicitly rather than borrowed from
//! whatever the standard library's Unicode version happens to say. Changing anything here is a new
//! profile id (`text/v2`), never an edit.
//!
//! Both profiles are single streaming passes into one pre-sized `String`, with no per-character
//! allocation (texts are routinely several megabytes): ASCII runs go straight to the sink, and only
//! the non-ASCII stretches go through the streaming normalizer of `unicode-normalization` (see
//! `for_each_normalized` for why that is exact). The tests check the fast path against a literal,
//! step-by-step transcription of the spec.

use unicode_normalization::UnicodeNormalization;

/// Id of the `text/v1` profile (spec/ledger.md §9.1).
pub const TEXT_V1: &str = "text/v1";
/// Id of the `words/v1` profile (spec/ledger.md §9.2).
pub const WORDS_V1: &str = "words/v1";

/// A normalization profile (spec/ledger.md §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// `text/v1`: BOM, line endings, NFC, trailing blanks (§9.1).
    TextV1,
    /// `words/v1`: looser; compares words, not layout (§9.2).
    WordsV1,
}

impl Profile {
    /// Every profile this implementation knows, in the order they are recorded.
    pub const ALL: [Profile; 2] = [Profile::TextV1, Profile::WordsV1];

    /// The profile id as recorded in the ledger (`"text/v1"`, `"words/v1"`).
    pub fn id(self) -> &'static str {
        match self {
            Profile::TextV1 => TEXT_V1,
            Profile::WordsV1 => WORDS_V1,
        }
    }

    /// Looks up a profile id. Ids are compared byte for byte; an unknown id is `None`, and a
    /// verifier then ignores that `norm` member (spec/ledger.md §9.3).
    pub fn from_id(id: &str) -> Option<Profile> {
        match id {
            TEXT_V1 => Some(Profile::TextV1),
            WORDS_V1 => Some(Profile::WordsV1),
            _ => None,
        }
    }

    /// Normalizes `text` under this profile.
    pub fn apply(self, text: &str) -> String {
        match self {
            Profile::TextV1 => text_v1(text),
            Profile::WordsV1 => words_v1(text),
        }
    }
}

/// The White_Space set of spec/ledger.md §9.1 step 4 (also used by §9.2 step 5).
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

/// Invisible format characters removed by `words/v1` (spec/ledger.md §9.2 step 1): soft hyphen,
/// zero-width space / non-joiner / joiner, word joiner, BOM / zero-width no-break space, and the
/// variation selectors VS1–VS16 and VS17–VS256.
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

/// Which normalization a pass runs (with what comes before it on the same characters).
#[derive(Clone, Copy)]
enum Form {
    /// NFC (spec/ledger.md §9.1 step 3).
    Nfc,
    /// Removal of the ignorables, then NFKC (spec/ledger.md §9.2 steps 1 and 2).
    IgnorablesThenNfkc,
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
/// as removing them from the whole text first.
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

/// `words/v1` (spec/ledger.md §9.2).
fn words_v1(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Step 5 is done lazily: a White_Space run only sets this flag, and one U+0020 is written when
    // the next other character arrives. A run at the start (empty `out`) never sets it and a run at
    // the end is never flushed, which trims both ends.
    let mut pending_space = false;
    // Step 1 runs before NFKC (step 2) on purpose: removing a joiner between a base and a combining
    // mark after composition would leave an uncomposed pair, and a second application would compose
    // it (not idempotent). Step 3 maps NFKC output one character to one character.
    for_each_normalized(text, Form::IgnorablesThenNfkc, |c| {
        let c = fold(c);
        if is_white_space(c) {
            pending_space |= !out.is_empty();
            return;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        } else if c == '-' && out.ends_with('-') {
            // Step 4: a `-` right after a `-` continues a run. A run is only broken by another
            // character, and White_Space is one: "- -" stays "- -".
            return;
        }
        out.push(c);
    });
    out
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

    #[test]
    fn ids_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_id(p.id()), Some(p));
        }
        assert_eq!(Profile::TextV1.id(), "text/v1");
        assert_eq!(Profile::WordsV1.id(), "words/v1");
        assert_eq!(Profile::from_id("text/v2"), None);
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
        ] {
            assert_eq!(text(s), text_v1_reference(s), "{s:?}");
            assert_eq!(words(s), words_v1_reference(s), "{s:?}");
        }
    }

    // ---- vectors (spec/vectors/normalize/*.txt) ----

    /// One vector file: `key: value` header lines; `input`/`output` values are JSON string literals.
    fn parse_vector(name: &str, body: &str) -> (String, Profile, String, String) {
        let mut expect = None;
        let mut profile = None;
        let mut input = None;
        let mut output = None;
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let (key, value) = line.split_once(": ").unwrap_or_else(|| panic!("{name}: not `key: value`: {line:?}"));
            let json = || {
                serde_json::from_str::<String>(value).unwrap_or_else(|e| panic!("{name}: {key}: bad JSON string: {e}"))
            };
            match key {
                "expect" => expect = Some(value.to_owned()),
                "profile" => {
                    profile =
                        Some(Profile::from_id(value).unwrap_or_else(|| panic!("{name}: unknown profile {value:?}")))
                }
                "comment" => {}
                "input" => input = Some(json()),
                "output" => output = Some(json()),
                _ => panic!("{name}: unknown key {key:?}"),
            }
        }
        (
            expect.unwrap_or_else(|| panic!("{name}: no expect")),
            profile.unwrap_or_else(|| panic!("{name}: no profile")),
            input.unwrap_or_else(|| panic!("{name}: no input")),
            output.unwrap_or_else(|| panic!("{name}: no output")),
        )
    }

    #[test]
    fn vectors_agree() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vectors/normalize");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 20, "only {} vectors in {}", paths.len(), dir.display());
        for path in &paths {
            let name = path.file_name().unwrap().to_string_lossy();
            let body = std::fs::read_to_string(path).unwrap();
            let (expect, profile, input, output) = parse_vector(&name, &body);
            assert_eq!(expect, "ok", "{name}");
            assert_eq!(profile.apply(&input), output, "{name}");
            assert_eq!(profile.apply(&output), output, "{name}: output not a fixed point");
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
                '\u{3099}', '\u{304B}', '\u{212B}', '\u{2126}',
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
        }

        #[test]
        fn both_idempotent(s in any_text()) {
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
        fn words_after_text_is_words(s in any_text()) {
            prop_assert_eq!(words(&text(&s)), words(&s));
        }
    }
}
