//! spec/vectors/clearsign/: clear-signed copies (spec/exports.md §4.3), generated here and run
//! against the library's verdict; `COLOPHON_BLESS=1 cargo test --test clearsign_vectors`
//! rewrites them after a deliberate change. The independent checker (checker/) runs them too.

mod common;

use colophon::format::clearsign::{Match, SignatureLine};
use colophon::format::hash::Digest;
use colophon::log::trust::Keyring;
use colophon::verify::clearsigned::verify_clearsigned;
use colophon::verify::copy::CopyKind;
use common::keys::rfc8032_key;
use std::path::{Path, PathBuf};

const TEXT: &str = "The stone bridge of Cortà.\nEvery morning my grandmother crossed it, 312 steps each way.\n";
const ORIGIN: &str = "vectors.example/translations";

struct Case {
    name: &'static str,
    comment: &'static str,
    keyring: String,
    expect: Result<&'static str, &'static str>,
    copy: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vectors/clearsign")
}

fn cases() -> Vec<Case> {
    let tina = rfc8032_key(2, "Tina Translator");
    let olga = rfc8032_key(1, "Olga Owner");
    let release = Digest::of(b"the release line of ponte@v2 (a fixed stand-in)");
    let line = SignatureLine::sign(&tina, ORIGIN, "ponte", "v2", release, TEXT).expect("sign").to_line();
    let ring = |k: &colophon::format::keys::SecretKey| format!("{}\n", k.named().to_line());
    let tina_ring = ring(&tina);
    let case = |name, comment, keyring: &str, expect, copy: String| Case {
        name,
        comment,
        keyring: keyring.to_string(),
        expect,
        copy,
    };
    vec![
        case(
            "valid-exact",
            "the text export clearsign writes: the text, a blank line, the line",
            &tina_ring,
            Ok("exact"),
            format!("{TEXT}\n{line}\n"),
        ),
        case(
            "valid-words-reformatted",
            "rewrapped and with doubled spaces: word for word (words/v2)",
            &tina_ring,
            Ok("words/v2"),
            format!(
                "The stone  bridge of Cortà.\n\nEvery morning my grandmother\ncrossed it, 312 steps each way.\n\n{line}\n"
            ),
        ),
        case(
            "valid-words-after-chrome",
            "a site's header before the article, a footer after the line: the article ends right before the line",
            &tina_ring,
            Ok("words/v2"),
            format!("My blog · Home · About\n\n{TEXT}\n{line}\n\n© 2026 Tina\n"),
        ),
        case(
            "valid-allowed-signers-root",
            "the trust root named in an allowed_signers line (spec/ledger.md §10.1)",
            &format!("tina@example.org ssh-ed25519 {}\n", {
                use base64::Engine as _;
                let mut b = vec![0, 0, 0, 11];
                b.extend_from_slice(b"ssh-ed25519");
                b.extend_from_slice(&[0, 0, 0, 32]);
                b.extend_from_slice(tina.public().0.as_bytes());
                base64::engine::general_purpose::STANDARD.encode(b)
            }),
            Ok("exact"),
            format!("{TEXT}\n{line}\n"),
        ),
        case(
            "reject-changed-word",
            "one word of the text changed: the signature verifies, the text does not match",
            &tina_ring,
            Err("copy.mismatch"),
            format!("{}\n{line}\n", TEXT.replace("312", "313")),
        ),
        case(
            "reject-glued-to-chrome",
            "the header's last word glued to the article's first: the signed words do not start at a word",
            &tina_ring,
            Err("copy.mismatch"),
            format!("My blogThe{}\n{line}\n", &TEXT[3..]),
        ),
        case(
            "reject-tag-altered",
            "the tag on the line changed from v2 to v1: the signature covers it",
            &tina_ring,
            Err("clearsign.invalid"),
            format!("{TEXT}\n{}\n", line.replace(" ponte@v2 ", " ponte@v1 ")),
        ),
        case(
            "reject-truncated",
            "the signature field cut short by five characters",
            &tina_ring,
            Err("clearsign.invalid"),
            format!("{TEXT}\n{}\n", &line[..line.len() - 5]),
        ),
        case(
            "reject-untrusted",
            "signed by a key the reader does not list directly (the owner who registered it is no root here: no ledger)",
            &ring(&olga),
            Err("trust.untrusted"),
            format!("{TEXT}\n{line}\n"),
        ),
    ]
}

fn format_case(c: &Case) -> Vec<u8> {
    let (expect, detail) = match c.expect {
        Ok(level) => ("ok", format!("level: {level}")),
        Err(code) => ("reject", format!("status: {code}")),
    };
    let keyring = serde_json::to_string(&c.keyring).expect("json");
    format!("expect: {expect}\n{detail}\ncomment: {}\nkeyring: {keyring}\n\n{}", c.comment, c.copy).into_bytes()
}

#[test]
fn clearsign_vectors_are_current_and_pass() {
    let bless = std::env::var_os("COLOPHON_BLESS").is_some();
    let cases = cases();
    if bless {
        std::fs::create_dir_all(dir()).expect("mkdir");
    }
    for c in &cases {
        let path = dir().join(format!("{}.txt", c.name));
        let want = format_case(c);
        if bless {
            std::fs::write(&path, &want).expect("write");
        } else {
            assert_eq!(
                std::fs::read(&path).ok().as_deref(),
                Some(&want[..]),
                "stale {}; rerun with COLOPHON_BLESS=1",
                c.name
            );
        }
        let ring = Keyring::parse(Path::new("keyring"), &c.keyring).expect("keyring");
        let v = verify_clearsigned(c.copy.as_bytes(), &ring, Some(CopyKind::Text)).expect("a signature line");
        match c.expect {
            Ok(level) => {
                assert!(v.verified(), "{}: {}", c.name, v.message);
                let got = match v.level {
                    Match::Exact => "exact",
                    Match::Words => "words/v2",
                    Match::None => "none",
                };
                assert_eq!(got, level, "{}", c.name);
            }
            Err(code) => assert_eq!(v.code.as_str(), code, "{}: {}", c.name, v.message),
        }
    }
    let names: Vec<String> = std::fs::read_dir(dir())
        .expect("spec/vectors/clearsign")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .filter(|n| n.ends_with(".txt"))
        .collect();
    assert_eq!(names.len(), cases.len(), "files the generator does not make: {names:?}");
}
