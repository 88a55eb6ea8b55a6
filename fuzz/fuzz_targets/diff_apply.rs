//! Diff scripts (spec/ledger.md §8). The input is a base text, a NUL byte, then a second part
//! that is read both as a JSON script and as a text (both lossily as UTF-8):
//! - `Script::from_json` + `apply` on the base never panic, and an accepted script round-trips
//!   through its JSON form;
//! - `Script::compute` between the base and the second text, both ways, always yields a script
//!   that applies back to the target exactly.
#![no_main]

use colophon::diff::Script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (base, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let base = String::from_utf8_lossy(base);
    let other = String::from_utf8_lossy(rest);

    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(rest) {
        if let Ok(script) = Script::from_json(&v) {
            assert_eq!(Script::from_json(&script.to_json()).as_ref(), Ok(&script));
            let _ = script.stats();
            if let Ok(out) = script.apply(&base) {
                // Whatever an accepted script produced, compute finds a script back to it.
                let back = Script::compute(&base, &out);
                assert_eq!(back.apply(&base).as_deref(), Ok(out.as_str()));
            }
        }
        let _ = colophon::diff::stats_of_json(&v);
    }

    for (a, b) in [(&base, &other), (&other, &base)] {
        let s = Script::compute(a, b);
        assert_eq!(s.apply(a).as_deref(), Ok(b.as_ref()), "compute({a:?}, {b:?}) = {s:?} does not apply");
        assert_eq!(Script::from_json(&s.to_json()).as_ref(), Ok(&s));
    }
});
