//! Both normalization profiles (spec/ledger.md §9) on arbitrary UTF-8: never a panic, each
//! idempotent, and `words/v1` unaffected by a prior `text/v1` pass.
#![no_main]

use colophon::normalize::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text = Profile::TextV1.apply(s);
    let words = Profile::WordsV1.apply(s);
    assert_eq!(Profile::TextV1.apply(&text), text, "text/v1 is not idempotent on {s:?}");
    assert_eq!(Profile::WordsV1.apply(&words), words, "words/v1 is not idempotent on {s:?}");
    assert_eq!(Profile::WordsV1.apply(&text), words, "words(text(x)) != words(x) on {s:?}");
});
