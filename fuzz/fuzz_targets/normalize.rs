//! Every normalization profile (spec/ledger.md §9) on arbitrary UTF-8: never a panic, each
//! idempotent, and `words/v1` and `words/v2` unaffected by a prior `text/v1` pass.
#![no_main]

use colophon::normalize::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text = Profile::TextV1.apply(s);
    assert_eq!(Profile::TextV1.apply(&text), text, "text/v1 is not idempotent on {s:?}");
    for p in [Profile::WordsV1, Profile::WordsV2] {
        let words = p.apply(s);
        assert_eq!(p.apply(&words), words, "{} is not idempotent on {s:?}", p.id());
        assert_eq!(p.apply(&text), words, "{}(text/v1(x)) != {}(x) on {s:?}", p.id(), p.id());
    }
});
