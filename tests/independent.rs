//! The independent checker (`checker/`, Python, written from `spec/` alone) against colophon, on
//! the spec's vectors and on ledgers this test makes: both must report the same problems at the
//! same lines, the same number of valid lines and the same Merkle root (spec/ledger.md §11,
//! spec/transparency.md §2). So the vectors are not checked only by the code that wrote them.
//!
//! It needs `python3` with the `cryptography` and `unicodedata2` packages (`.ci/run` installs
//! them). Without them the tests say `SKIPPED` on stderr and pass, unless `COLOPHON_REQUIRE_ALL=1`
//! is set (as `.ci/run` sets it), when they fail.

mod common;

use colophon::format::entry::{Body, Cosign, KeyReg, Release, ReleaseLangs, Revoke, RevokeReason, Role, TextRole};
use colophon::format::hash::Digest;
use common::{Env, LEDGER};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/checker/colophon_check.py");

/// Whether the checker can run here; says so on stderr when it cannot.
fn checker_available(what: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography, unicodedata2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("COLOPHON_REQUIRE_ALL").is_err(),
            "{what}: python3 with cryptography and unicodedata2 is required (COLOPHON_REQUIRE_ALL is set)"
        );
        eprintln!("SKIPPED {what}: python3 with the cryptography and unicodedata2 packages is not available");
    }
    ok
}

/// What the independent checker reports for a ledger: (code, line) per problem, valid lines,
/// Merkle root.
fn checker_says(ledger: &Path) -> (Vec<(String, Option<u64>)>, u64, String) {
    let out = Command::new("python3").arg(CHECKER).arg(ledger).output().expect("run the checker");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let name = ledger.display().to_string();
    let mut problems = Vec::new();
    let mut valid = u64::MAX;
    let mut root = String::new();
    for line in text.lines() {
        let rest = line.strip_prefix(&name).unwrap_or(line);
        if let Some(summary) = rest.strip_prefix(": valid").or_else(|| rest.strip_prefix(": invalid")) {
            // "..., 6 lines, 5 valid lines; Merkle root <hex>"
            valid = summary
                .split(", ")
                .find_map(|part| part.split(';').next().and_then(|p| p.strip_suffix(" valid lines")))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(u64::MAX);
            root = summary.rsplit("Merkle root ").next().unwrap_or("").trim().to_string();
        } else if let Some(rest) = rest.strip_prefix(':') {
            // ":<line>: <code> <message>" or ": <code> <message>"
            let (line_no, body) = match rest.split_once(": ") {
                Some((n, b)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => (n.parse().ok(), b),
                _ => (None, rest.trim_start()),
            };
            problems.push((body.split(' ').next().unwrap_or("").to_string(), line_no));
        }
    }
    assert!(
        valid != u64::MAX,
        "the checker gave no summary for {name}:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (problems, valid, root)
}

/// What colophon's audit reports for the same ledger.
fn colophon_says(env: &Env, ledger: &str) -> (Vec<(String, Option<u64>)>, u64, String) {
    let r = env.run(&["--ledger", ledger, "--json", "audit"]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("audit --json: {e}\n{r}"));
    let problems = j["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["code"].as_str().unwrap_or("").to_string(), p["line"].as_u64()))
        .collect();
    (problems, j["valid_entries"].as_u64().unwrap_or(u64::MAX), j["merkle_root"].as_str().unwrap_or("").to_string())
}

fn agree(env: &Env, ledger: &str, what: &str) {
    let theirs = checker_says(&env.path(ledger));
    let ours = colophon_says(env, ledger);
    assert_eq!(ours, theirs, "{what}: colophon (left) and the independent checker (right) disagree");
}

#[test]
fn the_independent_checker_agrees_with_every_vector() {
    if !checker_available("the independent checker over spec/vectors") {
        return;
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors");
    let out = Command::new("python3").args([CHECKER, "--vectors", dir]).output().expect("run the checker");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the checker disagrees with spec/vectors:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("OK: every vector agrees"), "{text}");
}

/// colophon's `audit --json` (the file path: the parallel fast path, then the exact one) and the
/// checker's full audit agree on every ledger vector: problems, valid lines, Merkle root. (The
/// vector runners compare each with the headers; this compares the binary with the checker.)
#[test]
fn colophon_audit_and_the_independent_checker_agree_on_every_ledger_vector() {
    if !checker_available("the independent checker against `colophon audit` on the ledger vectors") {
        return;
    }
    let env = Env::new();
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors/ledger"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("ledger vectors").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".txt") else { continue };
        let bytes = std::fs::read(e.path()).expect("vector");
        let at = bytes.windows(2).position(|w| w == b"\n\n").expect("headers, a blank line, the ledger");
        let file = format!("{stem}.jsonl");
        env.write(&file, &bytes[at + 2..]);
        agree(&env, &file, &name);
        n += 1;
    }
    assert!(n >= 90, "only {n} ledger vectors");
}

#[test]
fn the_independent_checker_catches_a_corrupted_vector() {
    if !checker_available("corrupting the vectors for the independent checker") {
        return;
    }
    // Corrupt one expectation in a copy of the vectors: the checker must disagree.
    let tmp = tempfile::tempdir().expect("tmp");
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors"));
    for e in std::fs::read_dir(src).expect("vectors").flatten() {
        if e.path().is_dir() {
            let to = tmp.path().join(e.file_name());
            std::fs::create_dir(&to).expect("mkdir");
            for f in std::fs::read_dir(e.path()).expect("dir").flatten() {
                std::fs::copy(f.path(), to.join(f.file_name())).expect("copy");
            }
        }
    }
    let target = tmp.path().join("ledger/valid-history.txt");
    let text = std::fs::read_to_string(&target).expect("read");
    std::fs::write(&target, text.replacen("winter-sea", "winter-sed", 1)).expect("write");
    let out = Command::new("python3").args([CHECKER, "--vectors"]).arg(tmp.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
}

/// A ledger with every kind of entry, made by the binary: keys, revocations (retired and
/// compromised), originals, translations, a correction, releases, cosigns, a hash-only version.
fn rich(env: &Env) {
    for (name, prefix) in [("Olga", "olga"), ("Tina", "tina"), ("Edo", "edo"), ("Rita", "rita")] {
        env.keygen(name, prefix);
    }
    env.ok(&["init", "--origin", "independent.example/log", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["key", "add", "rita.pub", "--role", "translator,editor", "--key", "olga.key"]);
    env.write("it.txt", "Il ponte di pietra.\n\nOgni mattina mia nonna attraversava il ponte — «così».\n");
    env.write("en.txt", "The stone bridge.\n\nEvery morning my grandmother crossed the bridge — “so”.\n");
    env.write("en2.txt", "The stone bridge.\r\n\r\nEach morning my grandmother crossed the bridge — “so”.\r\n");
    env.write("fr.txt", "Le pont de pierre.\n");
    env.write("bin.dat", [0u8, 159, 146, 150, 255]);
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    env.ok(&["record", "en.txt", "--work", "w", "--lang", "en", "--of", "w:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v1", "--key", "tina.key"]);
    env.ok(&["cosign", "w@v1", "--key", "edo.key"]);
    env.ok(&["record", "en2.txt", "--work", "w", "--lang", "en", "--note", "corrected", "--key", "tina.key"]);
    env.ok(&["record", "fr.txt", "--work", "w", "--lang", "fr", "--of", "w:it", "--key", "rita.key"]);
    env.ok(&["record", "bin.dat", "--work", "w", "--lang", "de", "--of", "w:it", "--key", "rita.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v2", "--translation", "w:en", "--key", "tina.key"]);
    env.ok(&["key", "revoke", "Rita", "--reason", "retired", "--key", "olga.key"]);
    env.ok(&["key", "revoke", "Edo", "--reason", "compromised", "--key", "olga.key"]);
}

#[test]
fn the_independent_checker_agrees_on_ledgers_colophon_writes() {
    if !checker_available("the independent checker on ledgers colophon writes") {
        return;
    }
    let env = Env::new();
    rich(&env);
    agree(&env, LEDGER, "a valid ledger with every kind of entry");
    // Benchmark-shaped ledgers: many works, and many versions of a long text.
    let generate = |example: &str, args: &[&str]| {
        // `cargo test` builds the examples beside the binary.
        let bin = Path::new(env!("CARGO_BIN_EXE_colophon"));
        let exe = bin.parent().map(|d| d.join("examples").join(example)).unwrap_or_default();
        let ok = Command::new(&exe).args(args).current_dir(env.dir.path()).output().is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("SKIPPED the {example} ledger: build the examples first (`cargo build --examples`)");
        }
        ok
    };
    if generate("gen_ledger", &["1500", "many.jsonl"]) {
        agree(&env, "many.jsonl", "1,500 entries of small works");
    }
    if generate("gen_versions", &["120", "20000", "versions.jsonl", "."]) {
        agree(&env, "versions.jsonl", "120 versions of a 20 KB text");
    }
}

/// Re-pairings (spec/ledger.md §6.5 rule 4) as `record` writes them, and an unchanged version
/// that names its parent's original again, appended by hand: both audits judge them alike.
#[test]
fn the_independent_checker_agrees_on_re_pairings() {
    if !checker_available("the independent checker on re-pairings") {
        return;
    }
    let env = Env::new();
    rich(&env);
    env.write("it.txt", "Il ponte di pietra.\n\nOgni mattina mia nonna attraversava il ponte — «così sia».\n");
    env.ok(&["record", "it.txt", "--work", "w", "--lang", "it", "--key", "tina.key"]);
    // Without FILE (the text rebuilt from the ledger), and with it.
    env.ok(&["record", "--work", "w", "--lang", "en", "--of", "w:it@2", "--key", "tina.key"]);
    env.ok(&["record", "fr.txt", "--work", "w", "--lang", "fr", "--of", "w:it@2", "--key", "tina.key"]);
    env.ok(&["release", "--work", "w", "--tag", "v3", "--translation", "w:en", "--key", "tina.key"]);
    agree(&env, LEDGER, "re-pairings of a stored translation, with and without FILE");
    env.ok(&["audit"]);
    // The same text and the same original as the parent: no re-pairing, `version.unchanged`.
    let lines = env.lines();
    let fr2 = colophon::format::entry::parse_line(&lines[lines.len() - 2]).expect("fr@2 parses");
    let Body::Version(v) = &fr2.entry.body else { panic!("fr@2 is a version") };
    let again = colophon::log::content::text_version(
        "w",
        TextRole::Translation,
        "fr",
        "Le pont de pierre.\n",
        "Le pont de pierre.\n",
        Some(fr2.hash),
        v.of,
    );
    env.append_signed(Body::Version(Box::new(again)), &env.secret("tina"));
    agree(&env, LEDGER, "an unchanged version naming its parent's original");
    env.run(&["audit"]).assert_code(1).assert_stdout("version.unchanged");
}

#[test]
fn the_independent_checker_agrees_on_lines_appended_by_hand() {
    if !checker_available("the independent checker on hand-appended lines") {
        return;
    }
    let base = Env::new();
    rich(&base);
    let lines = base.lines();
    let hash = |i: usize| colophon::format::hash::entry_hash(&lines[i]);
    // Line numbers (1-based) of entries of the rich ledger: 5 it, 6 en@1, 7 v1, 9 en@2.
    let (it1, en1, v1, en2) = (hash(4), hash(5), hash(6), hash(8));
    type Make = Box<dyn Fn(&Env) -> Option<Vec<u8>>>;
    let release = move |tag: &str, t: Digest| {
        Body::Release(Release {
            work: "w".into(),
            tag: tag.into(),
            translation: t,
            original: it1,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: None,
            note: None,
        })
    };
    let cases: Vec<(&str, Make)> = vec![
        (
            "a translator registers an owner",
            Box::new(|env| {
                let k = colophon::format::keys::SecretKey::from_seed(&[77; 32], "Mal");
                Some(
                    env.append_signed(
                        Body::Key(KeyReg { key: k.public(), name: "Mal".into(), roles: vec![Role::Owner] }),
                        &env.secret("tina"),
                    )
                    .0,
                )
            }),
        ),
        (
            "a release by a revoked key",
            Box::new(move |env| Some(env.append_signed(release("v9", en2), &env.secret("rita")).0)),
        ),
        (
            "a release by an editor",
            Box::new(move |env| {
                env.keygen("Ed2", "ed2");
                env.ok(&["key", "add", "ed2.pub", "--role", "editor", "--key", "olga.key"]);
                Some(env.append_signed(release("v9", en2), &env.secret("ed2")).0)
            }),
        ),
        ("a duplicate tag", Box::new(move |env| Some(env.append_signed(release("v1", en2), &env.secret("tina")).0))),
        (
            "a cosign of a version",
            Box::new(move |env| {
                Some(env.append_signed(Body::Cosign(Cosign { release: en1, note: None }), &env.secret("tina")).0)
            }),
        ),
        (
            "a second cosign by the same key",
            Box::new(move |env| {
                env.keygen("Ed3", "ed3");
                env.ok(&["key", "add", "ed3.pub", "--role", "editor", "--key", "olga.key"]);
                env.ok(&["cosign", "w@v1", "--key", "ed3.key"]);
                Some(env.append_signed(Body::Cosign(Cosign { release: v1, note: None }), &env.secret("ed3")).0)
            }),
        ),
        (
            "a revocation of a revoked key",
            Box::new(|env| {
                let id = env.secret("rita").public().id();
                Some(
                    env.append_signed(
                        Body::Revoke(Revoke { key: id, reason: RevokeReason::Retired, note: None }),
                        &env.secret("olga"),
                    )
                    .0,
                )
            }),
        ),
        (
            "a version whose parent is not the latest",
            Box::new(move |env| {
                let v = colophon::log::content::text_version(
                    "w",
                    TextRole::Translation,
                    "en",
                    "",
                    "Another.\n",
                    Some(en1),
                    Some(it1),
                );
                Some(env.append_signed(Body::Version(Box::new(v)), &env.secret("tina")).0)
            }),
        ),
        (
            "a diff against the wrong base",
            Box::new(move |env| {
                let v = colophon::log::content::text_version(
                    "w",
                    TextRole::Translation,
                    "en",
                    "",
                    "Another.\n",
                    Some(en2),
                    Some(it1),
                );
                Some(env.append_signed(Body::Version(Box::new(v)), &env.secret("tina")).0)
            }),
        ),
        (
            "a torn last line",
            Box::new(|env| {
                env.append_raw_torn(b"{\"body\":{\"ke");
                None
            }),
        ),
        (
            "two lines swapped",
            Box::new(|env| {
                let mut ls = env.lines();
                let n = ls.len();
                ls.swap(n - 3, n - 2);
                env.write(LEDGER, ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>());
                None
            }),
        ),
        (
            "a flipped byte in a signature",
            Box::new(|env| {
                let mut ls = env.lines();
                let l = &mut ls[7];
                let at = l.windows(7).position(|w| w == b"\"sig\":\"").expect("sig") + 10;
                l[at] = if l[at] == b'A' { b'B' } else { b'A' };
                env.write(LEDGER, ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>());
                None
            }),
        ),
    ];
    for (what, make) in cases {
        let env = Env::new();
        for e in std::fs::read_dir(base.dir.path()).expect("base").flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), env.path(&e.file_name().to_string_lossy())).expect("copy");
            }
        }
        make(&env);
        agree(&env, LEDGER, what);
    }
}
