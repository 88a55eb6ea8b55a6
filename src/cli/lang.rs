//! The language tag a writer gives (`record --lang`), checked against the IANA Language Subtag
//! Registry (spec/cli.md §3). A check of the command line only: the ledger format accepts every
//! well-formed tag, valid or not (spec/ledger.md §6.1), and readers never consult a registry.

use super::*;

/// Language names people type instead of tags (English names, the languages' own names, and
/// ISO 639-2 codes that the registry does not hold because a two-letter code exists), with the
/// tag meant. Lowercase; looked up after lowercasing what was typed.
const NAMES: &[(&str, &str, &str)] = &[
    // (what people type, tag, the language's English name)
    ("english", "en", "English"),
    ("eng", "en", "English"),
    ("italian", "it", "Italian"),
    ("italiano", "it", "Italian"),
    ("ita", "it", "Italian"),
    ("german", "de", "German"),
    ("deutsch", "de", "German"),
    ("ger", "de", "German"),
    ("deu", "de", "German"),
    ("french", "fr", "French"),
    ("français", "fr", "French"),
    ("francais", "fr", "French"),
    ("fre", "fr", "French"),
    ("fra", "fr", "French"),
    ("spanish", "es", "Spanish"),
    ("español", "es", "Spanish"),
    ("espanol", "es", "Spanish"),
    ("castellano", "es", "Spanish"),
    ("spa", "es", "Spanish"),
    ("portuguese", "pt", "Portuguese"),
    ("português", "pt", "Portuguese"),
    ("portugues", "pt", "Portuguese"),
    ("por", "pt", "Portuguese"),
    ("brazilian", "pt-BR", "Brazilian Portuguese"),
    ("dutch", "nl", "Dutch"),
    ("nederlands", "nl", "Dutch"),
    ("dut", "nl", "Dutch"),
    ("nld", "nl", "Dutch"),
    ("russian", "ru", "Russian"),
    ("rus", "ru", "Russian"),
    ("polish", "pl", "Polish"),
    ("polski", "pl", "Polish"),
    ("pol", "pl", "Polish"),
    ("greek", "el", "Greek"),
    ("gre", "el", "Greek"),
    ("ell", "el", "Greek"),
    ("latin", "la", "Latin"),
    ("lat", "la", "Latin"),
    ("chinese", "zh", "Chinese"),
    ("mandarin", "zh", "Chinese"),
    ("chi", "zh", "Chinese"),
    ("zho", "zh", "Chinese"),
    ("japanese", "ja", "Japanese"),
    ("jpn", "ja", "Japanese"),
    ("korean", "ko", "Korean"),
    ("kor", "ko", "Korean"),
    ("arabic", "ar", "Arabic"),
    ("ara", "ar", "Arabic"),
    ("hebrew", "he", "Hebrew"),
    ("heb", "he", "Hebrew"),
    ("turkish", "tr", "Turkish"),
    ("tur", "tr", "Turkish"),
    ("swedish", "sv", "Swedish"),
    ("svenska", "sv", "Swedish"),
    ("swe", "sv", "Swedish"),
    ("danish", "da", "Danish"),
    ("dansk", "da", "Danish"),
    ("dan", "da", "Danish"),
    ("norwegian", "no", "Norwegian"),
    ("norsk", "no", "Norwegian"),
    ("nor", "no", "Norwegian"),
    ("finnish", "fi", "Finnish"),
    ("suomi", "fi", "Finnish"),
    ("fin", "fi", "Finnish"),
    ("czech", "cs", "Czech"),
    ("cze", "cs", "Czech"),
    ("ces", "cs", "Czech"),
    ("hungarian", "hu", "Hungarian"),
    ("magyar", "hu", "Hungarian"),
    ("hun", "hu", "Hungarian"),
    ("romanian", "ro", "Romanian"),
    ("rum", "ro", "Romanian"),
    ("ron", "ro", "Romanian"),
    ("ukrainian", "uk", "Ukrainian"),
    ("ukr", "uk", "Ukrainian"),
    ("catalan", "ca", "Catalan"),
    ("català", "ca", "Catalan"),
    ("cat", "ca", "Catalan"),
    ("hindi", "hi", "Hindi"),
    ("hin", "hi", "Hindi"),
    ("persian", "fa", "Persian"),
    ("farsi", "fa", "Persian"),
    ("per", "fa", "Persian"),
    ("fas", "fa", "Persian"),
    ("irish", "ga", "Irish"),
    ("welsh", "cy", "Welsh"),
    ("croatian", "hr", "Croatian"),
    ("serbian", "sr", "Serbian"),
    ("slovenian", "sl", "Slovenian"),
    ("slovak", "sk", "Slovak"),
    ("bulgarian", "bg", "Bulgarian"),
    ("icelandic", "is", "Icelandic"),
    ("estonian", "et", "Estonian"),
    ("latvian", "lv", "Latvian"),
    ("lithuanian", "lt", "Lithuanian"),
    ("albanian", "sq", "Albanian"),
    ("basque", "eu", "Basque"),
    ("galician", "gl", "Galician"),
    ("esperanto", "eo", "Esperanto"),
    ("indonesian", "id", "Indonesian"),
    ("vietnamese", "vi", "Vietnamese"),
    ("thai", "th", "Thai"),
    ("swahili", "sw", "Swahili"),
];

/// The tag meant by a language name or an ISO 639-2 code, and the language's English name.
pub(super) fn suggest(typed: &str) -> Option<(&'static str, &'static str)> {
    let t = typed.trim().to_lowercase();
    // `en_US`, `english-US`: the language part decides the suggestion.
    let (lang, rest) = match t.split_once(['_', '-']) {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (t.clone(), None),
    };
    NAMES.iter().find(|(n, _, _)| *n == t || (rest.is_some() && *n == lang)).map(|(_, tag, name)| (*tag, *name))
}

/// Checks `--lang` as a writer gives it: a well-formed tag (spec/ledger.md §6.1) whose subtags are
/// in the IANA Language Subtag Registry (RFC 5646 §2.2.9 "valid"). Returns the tag in its
/// canonical case. `Err`: what is wrong, and the tag to give instead when one is known.
pub(super) fn check_lang(typed: &str) -> Result<String, Fail> {
    let hint = |why: String| {
        // `en_US`: the same with `-` is the tag meant when it is a registered one.
        let dashed = typed.contains('_').then(|| typed.replace('_', "-")).filter(|d| registered(d).is_ok());
        let suggestion = match (suggest(typed), dashed) {
            (_, Some(d)) => format!("; did you mean --lang {}?", registered(&d).unwrap_or(d)),
            (Some((tag, name)), None) => format!("; did you mean --lang {tag} ({name})?"),
            (None, None) => ".".to_string(),
        };
        Fail {
            code: 2,
            status: None,
            message: format!(
                "--lang {typed:?}: {why}{suggestion} Give a BCP 47 language tag made of registered subtags, \
                 such as it, en, pt-BR or zh-Hant"
            ),
        }
    };
    registered(typed).map_err(hint)
}

/// The tag in its canonical case when it is well-formed and its subtags are registered.
fn registered(typed: &str) -> Result<String, String> {
    let canonical = colophon::format::entry::canonical_lang(typed)
        .map_err(|_| "not a well-formed language tag (RFC 5646 §2.1)".to_string())?;
    let tag =
        language_tags::LanguageTag::parse(&canonical).map_err(|e| format!("not a well-formed language tag ({e})"))?;
    tag.validate().map_err(|e| format!("not a registered language tag ({e})"))?;
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_suggest_tags_and_registered_tags_pass() {
        assert_eq!(suggest("english"), Some(("en", "English")));
        assert_eq!(suggest("Italian"), Some(("it", "Italian")));
        assert_eq!(suggest("english_US"), Some(("en", "English")));
        assert_eq!(suggest("xx"), None);
        for ok in ["it", "en", "EN", "pt-br", "zh-Hant-TW", "sr-Latn", "de-CH-1996", "x-private", "i-klingon"] {
            assert!(check_lang(ok).is_ok(), "{ok}");
        }
        assert_eq!(check_lang("pt-br").ok().as_deref(), Some("pt-BR"));
        let m = |t: &str| check_lang(t).err().map(|f| f.message).unwrap_or_default();
        assert!(m("english").contains("did you mean --lang en (English)?"), "{}", m("english"));
        assert!(m("en_us").contains("did you mean --lang en-US?"), "{}", m("en_us"));
        assert!(m("xx").contains("(the primary language is not in the IANA Language Subtag Registry)."));
        for bad in ["english", "Italian", "xx", "en-UK", "de-1996-1996", "en_US", "e"] {
            assert!(check_lang(bad).is_err(), "{bad}");
        }
    }
}
