//! Writes a synthetic but fully valid ledger of N entries with real signatures, for benchmarks:
//! `cargo run --release --example gen_ledger -- N OUT [KEYS_DIR]`.
//!
//! The mix: a genesis, a translator key, then per work an original and translation versions
//! (small texts, each a one-line edit of the previous) and a release every tenth version.
//! Entries are written directly (one pass, no per-entry re-scan), the way `colophon` would have
//! appended them one at a time. With KEYS_DIR, the owner's and translator's unencrypted key files
//! are written there so commands can append to the ledger afterwards.

use colophon::format::entry::{Body, Entry, Genesis, KeyReg, Release, ReleaseLangs, Role, TextRole, Version};
use colophon::format::hash::Digest;
use colophon::format::keys::SecretKey;
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_ledger N OUT [KEYS_DIR]");
        std::process::exit(2);
    }
    let n: u64 = args[1].parse().unwrap_or_else(|_| {
        eprintln!("N must be a number");
        std::process::exit(2)
    });
    let owner = SecretKey::from_seed(&[1; 32], "Bench Owner");
    let tina = SecretKey::from_seed(&[2; 32], "Bench Translator");
    if let Some(dir) = args.get(3) {
        for (k, name) in [(&owner, "owner"), (&tina, "translator")] {
            let base = std::path::Path::new(dir).join(name);
            let _ = std::fs::remove_file(base.with_extension("key"));
            let _ = std::fs::remove_file(base.with_extension("pub"));
            let text = k.to_file_text(None).unwrap_or_default();
            colophon::store::keyfile::write_new_file(&base.with_extension("key"), &text, true).ok();
            colophon::store::keyfile::write_new_file(&base.with_extension("pub"), &k.named().to_pub_file(), false).ok();
        }
    }
    let file = std::fs::File::create(&args[2]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[2]);
        std::process::exit(2)
    });
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut prev: Option<Digest> = None;
    let mut seq = 0u64;
    let mut emit = |body: Body, key: &SecretKey, out: &mut std::io::BufWriter<std::fs::File>| -> Digest {
        let e = Entry::sign(seq, prev, "2026-01-01T00:00:00Z".into(), body, key).unwrap_or_else(|e| panic!("{e}"));
        let line = e.to_line().unwrap_or_default();
        let h = colophon::format::hash::entry_hash(&line);
        out.write_all(&line).and_then(|()| out.write_all(b"\n")).unwrap_or_else(|e| panic!("{e}"));
        prev = Some(h);
        seq += 1;
        h
    };
    emit(
        Body::Genesis(Genesis { origin: "bench.example/ledger".into(), name: owner.name.clone(), key: owner.public() }),
        &owner,
        &mut out,
    );
    if n > 1 {
        emit(
            Body::Key(KeyReg { key: tina.public(), name: tina.name.clone(), roles: vec![Role::Translator] }),
            &tina_owner(&owner),
            &mut out,
        );
    }
    let mut work = 0u64;
    let mut written = 2u64.min(n);
    while written < n {
        work += 1;
        let w = format!("work-{work}");
        let original = format!("Titolo {work}\n\nPrima riga dell'originale.\nSeconda riga.\n");
        let v = version(&w, TextRole::Original, "it", "", &original, None, None);
        let orig = emit(Body::Version(Box::new(v)), &tina, &mut out);
        written += 1;
        let mut parent: Option<Digest> = None;
        let mut text = String::new();
        let mut i = 0u64;
        while written < n && i < 20 {
            i += 1;
            let next = format!("Title {work}\n\nFirst line of the translation, revision {i}.\nSecond line.\n");
            let v = version(&w, TextRole::Translation, "en", &text, &next, parent, Some(orig));
            let h = emit(Body::Version(Box::new(v)), &tina, &mut out);
            written += 1;
            parent = Some(h);
            text = next;
            if i.is_multiple_of(10) && written < n {
                let r = Release {
                    work: w.clone(),
                    tag: format!("v{}", i / 10),
                    translation: h,
                    original: orig,
                    lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
                    urls: None,
                    note: None,
                };
                emit(Body::Release(r), &tina, &mut out);
                written += 1;
            }
        }
    }
    out.flush().unwrap_or_else(|e| panic!("{e}"));
}

fn tina_owner(owner: &SecretKey) -> SecretKey {
    SecretKey::from_seed(&owner.signing.to_bytes(), &owner.name)
}

fn version(
    work: &str,
    role: TextRole,
    lang: &str,
    base: &str,
    text: &str,
    parent: Option<Digest>,
    of: Option<Digest>,
) -> Version {
    colophon::log::content::text_version(work, role, lang, base, text, parent, of)
}
