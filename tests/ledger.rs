//! Append safety (spec/ledger.md §7.4): locking under concurrency, byte-identical files after
//! failed appends, torn lines detected and recovered.

use colophon::format::entry::{Body, Cosign, Entry, KeyReg, Role};
use colophon::format::hash::Digest;
use colophon::format::keys::SecretKey;
use colophon::format::status::Code;
use colophon::store::append;
use colophon::store::audit::audit_file;
use colophon::store::ledger::{self, LedgerError};
use std::path::{Path, PathBuf};

fn key(seed: u8, name: &str) -> SecretKey {
    SecretKey::from_seed(&[seed; 32], name)
}

/// Every ledger of these tests keeps its index in one cache under cargo's target directory,
/// not in the user's own.
fn use_test_cache() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        colophon::store::cache::set_process_default(colophon::store::cache::Cache::Dir(
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("colophon-cache"),
        ))
    });
}

fn index_path(ledger: &Path) -> PathBuf {
    use_test_cache();
    colophon::store::cache::Cache::from_env().index_path(ledger).unwrap().unwrap()
}

fn new_ledger(dir: &Path) -> (PathBuf, SecretKey) {
    use_test_cache();
    let path = dir.join("colophon.jsonl");
    let owner = key(1, "Owner");
    append::init(&path, "test.example/ledger", &owner).unwrap();
    (path, owner)
}

fn lines(path: &Path) -> Vec<Vec<u8>> {
    std::fs::read(path).unwrap().split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

#[test]
fn concurrent_appends_are_serialized() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let threads: Vec<_> = (0..4u8)
        .map(|t| {
            let path = path.clone();
            let owner = SecretKey::from_seed(&owner.signing.to_bytes(), "Owner");
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for i in 0..25u8 {
                    let k = key(10 + t * 25 + i, &format!("Signer {t}-{i}"));
                    let a = append::add_key(&path, &k.named(), &[Role::Translator], &owner).unwrap();
                    acked.push(a.hash);
                }
                acked
            })
        })
        .collect();
    let acked: Vec<Digest> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let report = audit_file(&path, None).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(report.lines, 101);
    let present: std::collections::HashSet<Digest> =
        lines(&path).iter().map(|l| colophon::format::hash::entry_hash(l)).collect();
    assert_eq!(present.len(), 101, "no duplicated lines");
    for h in acked {
        assert!(present.contains(&h), "acknowledged entry {h} missing");
    }
}

#[test]
fn failed_appends_leave_the_file_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let before = std::fs::read(&path).unwrap();
    // The caller's build step fails.
    let e = ledger::append(&path, |_, _| Err(LedgerError::Build("no".into()))).unwrap_err();
    assert!(matches!(e, LedgerError::Build(_)));
    // The new entry breaks a rule: the owner key registered twice.
    let e = ledger::append(&path, |_, head| {
        let body = Body::Key(KeyReg { key: owner.public(), name: "Again".into(), roles: vec![Role::Editor] });
        Entry::sign(head.seq + 1, Some(head.hash), "2026-01-01T00:00:00Z".into(), body, &owner)
            .map_err(LedgerError::Build)
    })
    .unwrap_err();
    assert!(matches!(e, LedgerError::Rejected { code: Code::KeyDuplicate, .. }), "{e}");
    // Wrong position: a stale head.
    let e = ledger::append(&path, |_, _| {
        let body = Body::Cosign(Cosign { release: Digest::of(b"x"), note: None });
        Entry::sign(7, None, "2026-01-01T00:00:00Z".into(), body, &owner).map_err(LedgerError::Build)
    })
    .unwrap_err();
    assert!(matches!(e, LedgerError::Rejected { code: Code::EntrySeqMismatch, .. }), "{e}");
    // Signed by a key the ledger does not know.
    let stranger = key(99, "Stranger");
    let e = append::add_key(&path, &key(98, "X").named(), &[Role::Editor], &stranger).unwrap_err();
    assert!(e.to_string().contains("entry.signer.unknown"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn creating_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let before = std::fs::read(&path).unwrap();
    let e = append::init(&path, "test.example/other", &owner).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A crash mid-append leaves the complete lines plus a prefix of the new one (no newline). For
/// every possible prefix of the last line: readers never take it for an entry, audit reports
/// exactly the torn line, and the next append moves it aside and succeeds.
#[test]
fn torn_line_at_every_offset_is_detected_and_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let t = key(2, "Translator");
    append::add_key(&path, &t.named(), &[Role::Translator], &owner).unwrap();
    let good = std::fs::read(&path).unwrap();
    // The line a crashed writer was appending.
    let snap = ledger::load(&path).unwrap();
    let head = snap.head.unwrap();
    let body = Body::Key(KeyReg { key: key(3, "Editor").public(), name: "Editor".into(), roles: vec![Role::Editor] });
    let pending = Entry::sign(head.seq + 1, Some(head.hash), "2026-01-01T00:00:00Z".into(), body, &owner)
        .unwrap()
        .to_line()
        .unwrap();
    for cut in (1..=pending.len()).step_by(7).chain([pending.len()]) {
        let mut bytes = good.clone();
        bytes.extend_from_slice(&pending[..cut]);
        std::fs::write(&path, &bytes).unwrap();
        let snap = ledger::load(&path).unwrap();
        assert_eq!(snap.index.len(), 2, "cut {cut}: a torn line must not count");
        assert_eq!(snap.torn.map(|t| t.len), Some(cut as u64));
        let report = audit_file(&path, None).unwrap();
        assert_eq!(report.problems.len(), 1, "cut {cut}: {:?}", report.problems);
        assert_eq!(report.problems[0].code, Code::LineTorn);
        assert_eq!(report.problems[0].line, Some(3));
        // The next append recovers without manual repair.
        let a = append::add_key(&path, &key(4, "Next").named(), &[Role::Editor], &owner).unwrap();
        let saved = a.torn_saved.clone().expect("torn bytes saved");
        assert_eq!(std::fs::read(&saved).unwrap(), &pending[..cut]);
        std::fs::remove_file(saved).unwrap();
        let report = audit_file(&path, None).unwrap();
        assert!(report.is_clean(), "cut {cut}: {:?}", report.problems);
        assert_eq!(report.lines, 3);
        assert!(std::fs::read(&path).unwrap().starts_with(&good), "acknowledged entries intact");
    }
}

#[test]
fn a_file_that_is_not_a_ledger_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "shopping list\nmilk\n").unwrap();
    let e = ledger::load(&path).unwrap_err();
    assert!(matches!(e, LedgerError::Damaged { line: 1, .. }), "{e}");
    let before = std::fs::read(&path).unwrap();
    assert!(append::add_key(&path, &key(5, "X").named(), &[Role::Editor], &key(1, "O")).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// The persistent index beside a ledger is derived data: whatever happens to it or to the ledger
/// behind its back, answers come from the ledger as it is now.
#[test]
fn the_index_follows_the_ledger_whatever_happens() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let keys: Vec<SecretKey> = (0..5u8).map(|i| key(20 + i, &format!("K{i}"))).collect();
    for k in &keys[..3] {
        append::add_key(&path, &k.named(), &[Role::Editor], &owner).unwrap();
    }
    let ipath = index_path(&path);
    assert!(ipath.exists(), "appends keep an index");
    let known = |p: &Path| {
        let s = ledger::load(p).unwrap();
        (s.index.len(), keys.iter().filter(|k| s.index.key(&k.id()).is_some()).count())
    };
    assert_eq!(known(&path), (4, 3));

    // Deleted: rebuilt.
    std::fs::remove_file(&ipath).unwrap();
    assert_eq!(known(&path), (4, 3));
    assert!(ipath.exists());

    // Garbage: replaced.
    std::fs::write(&ipath, b"not a database at all").unwrap();
    assert_eq!(known(&path), (4, 3));

    // Stale (an older copy of the index): caught up.
    let old_index = std::fs::read(&ipath).unwrap();
    append::add_key(&path, &keys[3].named(), &[Role::Editor], &owner).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", ipath.display()));
    std::fs::write(&ipath, &old_index).unwrap();
    assert_eq!(known(&path), (5, 4));

    // Truncated behind its back (last line removed): the removed key is gone.
    let bytes = std::fs::read(&path).unwrap();
    let cut = bytes[..bytes.len() - 1].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(&path, &bytes[..cut]).unwrap();
    assert_eq!(known(&path), (4, 3));
    // ... and appending works on top of it.
    append::add_key(&path, &keys[4].named(), &[Role::Editor], &owner).unwrap();
    assert_eq!(known(&path), (5, 4));

    // Replaced by another ledger: the other ledger's state.
    let other = dir.path().join("other.jsonl");
    append::init(&other, "test.example/other", &key(9, "Other owner")).unwrap();
    std::fs::copy(&other, &path).unwrap();
    let s = ledger::load(&path).unwrap();
    assert_eq!(s.index.origin().as_deref(), Some("test.example/other"));
    assert_eq!(s.index.len(), 1);
    assert!(audit_file(&path, None).unwrap().is_clean());
}

#[test]
fn a_ledger_whose_cache_is_unusable_is_checked_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    append::add_key(&path, &key(30, "K").named(), &[Role::Editor], &owner).unwrap();
    let ipath = index_path(&path);
    std::fs::remove_file(&ipath).unwrap();
    // A directory where the index file would go makes the index unusable.
    std::fs::create_dir(&ipath).unwrap();
    let s = ledger::load(&path).unwrap();
    assert_eq!(s.index.len(), 2);
    assert!(s.index.key(&key(30, "K").id()).is_some());
    assert_eq!(s.warnings.len(), 1, "the fallback is said: {:?}", s.warnings);
    // And with no cache at all, the same state.
    let s = ledger::load_with(&path, &colophon::store::cache::Cache::None).unwrap();
    assert_eq!((s.index.len(), s.warnings.len()), (2, 0));
}

/// The parallel audit of a file (signatures checked with `verify_strict` on every core) must report
/// exactly what the sequential audit of the same bytes reports: on a clean ledger, and on every kind
/// of damage (where the fast path gives up and the exact path runs).
#[test]
fn parallel_audit_reports_exactly_what_the_sequential_one_does() {
    use colophon::log::audit::audit;
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    // Enough entries for several parallel chunks.
    let keys: Vec<SecretKey> = (0..40u8).map(|i| key(100 + i, &format!("K{i}"))).collect();
    for k in &keys {
        append::add_key(&path, &k.named(), &[Role::Editor], &owner).unwrap();
    }
    // Write many more entries directly (one process, one pass), re-signing each properly.
    let good = std::fs::read(&path).unwrap();
    let mut lines: Vec<Vec<u8>> = good.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    for i in 0..5000u64 {
        let seq = lines.len() as u64;
        let prev = Some(colophon::format::hash::entry_hash(lines.last().unwrap()));
        let body = Body::Unknown { kind: "x-note".into(), value: serde_json::json!({ "n": i }) };
        let mut e = Entry::sign(seq, prev, "2026-01-01T00:00:00Z".into(), body, &keys[(i % 40) as usize]).unwrap();
        e.critical = false;
        e.sig = colophon::format::signing::sign_entry(&keys[(i % 40) as usize].signing, &e.signed_bytes().unwrap());
        lines.push(e.to_line().unwrap());
    }
    let join = |ls: &[Vec<u8>]| ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>();
    let compare = |bytes: Vec<u8>, what: &str| {
        std::fs::write(&path, &bytes).unwrap();
        let fast = audit_file(&path, None).unwrap();
        let exact = audit(&bytes[..], None);
        assert_eq!(fast.problems, exact.problems, "{what}");
        assert_eq!(
            (fast.lines, fast.valid_entries, fast.root),
            (exact.lines, exact.valid_entries, exact.root),
            "{what}"
        );
        fast.problems.len()
    };
    assert_eq!(compare(join(&lines), "clean"), 0);
    let mut flipped = lines.clone();
    let l = &mut flipped[4000];
    let at = l.len() - 30;
    l[at] ^= 0x01;
    assert!(compare(join(&flipped), "flipped byte") > 0);
    let mut swapped = lines.clone();
    swapped.swap(4500, 4501);
    assert!(compare(join(&swapped), "swapped") > 0);
    let mut dropped = lines.clone();
    dropped.remove(3000);
    assert!(compare(join(&dropped), "dropped") > 0);
    // A signature the fast path must reject: a valid entry re-signed over other bytes.
    let mut forged = lines.clone();
    let mut p = colophon::format::entry::parse_line(&forged[4800]).unwrap().entry;
    p.sig = colophon::format::signing::sign_entry(&keys[0].signing, b"other bytes");
    forged[4800] = p.to_line().unwrap();
    assert!(compare(join(&forged), "bad signature") > 0);
    let mut torn = join(&lines);
    torn.extend_from_slice(b"{\"body\":");
    assert!(compare(torn, "torn line") > 0);
}

#[test]
fn the_index_write_ahead_log_stays_bounded() {
    // Each command opens the index anew; a write-ahead log left to grow would be read through on
    // every open (and copied in full at every checkpoint), so writers empty it past a limit.
    use colophon::store::index_db::WAL_LIMIT;
    let dir = tempfile::tempdir().unwrap();
    let (path, owner) = new_ledger(dir.path());
    let mut wal = index_path(&path).into_os_string();
    wal.push("-wal");
    let mut largest = 0;
    for i in 0..120u8 {
        let k = key(100 + i, &format!("Signer {i}"));
        append::add_key(&path, &k.named(), &[Role::Translator], &owner).unwrap();
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    assert!(largest > 0, "the index keeps a write-ahead log");
    assert!(largest <= 2 * WAL_LIMIT, "the write-ahead log grew to {largest} bytes");
    assert!(audit_file(&path, None).unwrap().is_clean());
}
