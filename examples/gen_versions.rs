//! Writes a ledger holding many versions of one long text, for the benchmark of a copy that
//! matches nothing (bench/run, P7): `cargo run --release --example gen_versions -- N BYTES OUT DIR`.
//!
//! An original, then N versions of an English text of about BYTES bytes, each changing one line of
//! the previous, with a release every 50 versions; and, in DIR, `owner.pub` and `nomatch.txt` (the
//! last version with one letter changed in every line: close to every version, equal to none).

use colophon::format::entry::{Body, Entry, Genesis, KeyReg, Release, ReleaseLangs, Role, TextRole};
use colophon::format::hash::Digest;
use colophon::format::keys::SecretKey;
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize| -> u64 { args.get(i).and_then(|a| a.parse().ok()).unwrap_or(0) };
    let (n, bytes) = (num(1), num(2) as usize);
    let (Some(out_path), Some(dir)) = (args.get(3), args.get(4)) else {
        eprintln!("usage: gen_versions N BYTES OUT DIR");
        std::process::exit(2);
    };
    let owner = SecretKey::from_seed(&[1; 32], "Bench Owner");
    let tina = SecretKey::from_seed(&[2; 32], "Bench Translator");
    let dir = std::path::Path::new(dir);
    let _ = std::fs::remove_file(dir.join("owner.pub"));
    colophon::store::keyfile::write_new_file(&dir.join("owner.pub"), &owner.named().to_pub_file(), false).ok();
    // Deterministic pseudo-words, so every run measures the same texts.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut word = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 2 + (x % 8) as usize;
        (0..len).map(|i| char::from(b'a' + ((x >> (i * 5)) % 26) as u8)).collect::<String>()
    };
    let mut lines: Vec<String> = Vec::new();
    let mut size = 0;
    while size < bytes {
        let l: Vec<String> = (0..12).map(|_| word()).collect();
        let l = l.join(" ");
        size += l.len() + 1;
        lines.push(l);
    }
    let text_of = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    let file = std::fs::File::create(out_path).unwrap_or_else(|e| panic!("{out_path}: {e}"));
    let mut out = std::io::BufWriter::new(file);
    let mut prev: Option<Digest> = None;
    let mut seq = 0u64;
    let mut emit = |body: Body, key: &SecretKey| -> Digest {
        let e = Entry::sign(seq, prev, "2026-01-01T00:00:00Z".into(), body, key).unwrap_or_else(|e| panic!("{e}"));
        let line = e.to_line().unwrap_or_default();
        let h = colophon::format::hash::entry_hash(&line);
        out.write_all(&line).and_then(|()| out.write_all(b"\n")).unwrap_or_else(|e| panic!("{e}"));
        prev = Some(h);
        seq += 1;
        h
    };
    emit(
        Body::Genesis(Genesis {
            origin: "bench.example/versions".into(),
            name: owner.name.clone(),
            key: owner.public(),
        }),
        &owner,
    );
    emit(Body::Key(KeyReg { key: tina.public(), name: tina.name.clone(), roles: vec![Role::Translator] }), &owner);
    let original = "Il testo originale.\n";
    let v = colophon::log::content::text_version("w", TextRole::Original, "it", "", original, None, None);
    let orig = emit(Body::Version(Box::new(v)), &tina);
    let mut parent = None;
    let mut text = String::new();
    for i in 1..=n {
        let at = (i as usize * 7919) % lines.len();
        lines[at] = format!("revision {i} changed this line");
        let next = text_of(&lines);
        let v =
            colophon::log::content::text_version("w", TextRole::Translation, "en", &text, &next, parent, Some(orig));
        let h = emit(Body::Version(Box::new(v)), &tina);
        parent = Some(h);
        text = next;
        if i % 50 == 0 {
            emit(
                Body::Release(Release {
                    work: "w".into(),
                    tag: format!("v{i}"),
                    translation: h,
                    original: orig,
                    lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
                    urls: None,
                    note: None,
                }),
                &tina,
            );
        }
    }
    out.flush().unwrap_or_else(|e| panic!("{e}"));
    let nomatch: String = text.lines().map(|l| format!("{}\n", l.replacen('a', "e", 1))).collect();
    std::fs::write(dir.join("nomatch.txt"), nomatch).unwrap_or_else(|e| panic!("nomatch.txt: {e}"));
}
