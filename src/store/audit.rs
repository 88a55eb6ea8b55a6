//! The audit of a ledger file on every core (spec/ledger.md §11): the same rules as
//! [`crate::log::audit`], which decides every verdict, fed in order on one thread while the lines
//! are parsed and their signatures checked on every core ahead of it. Incremental audits
//! (`store::resume`) run the same pipeline from a saved state.

use crate::format::entry::{Body, ParsedLine, parse_line};
use crate::format::keys::KeyId;
use crate::format::signing;
use crate::format::status::{Code, Problem};
use crate::log::audit::{Admission, Auditor, Report};
use crate::log::lines::{Item, Lines};
use crate::log::trust::Keyring;
use crate::store::index_db::spill;
use crate::store::ledger::{LedgerError, open_for_read};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Audits a ledger file (§11).
pub fn audit_file(path: &Path, trust: Option<&Keyring>) -> Result<Report, LedgerError> {
    audit_file_since(path, trust, None)
}

/// Audits a ledger file and checks that it extends the one an old checkpoint signed
/// (spec/transparency.md §8).
pub fn audit_file_since(path: &Path, trust: Option<&Keyring>, since: Option<&[u8]>) -> Result<Report, LedgerError> {
    let (file, len) = open_for_read(path)?;
    let mut a = Auditor::spilling(trust, since, Some(spill));
    drive_with(Lines::new(BufReader::with_capacity(1 << 20, file.take(len))), &mut a, None, &mut |_, _| {});
    Ok(a.finish(since))
}

/// What [`drive_with`] calls on the state thread before the first line and after each.
pub(crate) type After<'f> = dyn FnMut(&Auditor<'_>, Option<(u64, u64)>) + Send + 'f;

/// Lines parsed and signatures checked together: enough to keep every core busy, few enough that
/// memory stays flat.
const CHUNK: usize = 4096;

/// Feeds `lines` to the audit in order (spec/ledger.md §11): this thread reads them, parses them
/// and checks their signatures on every core, while a state thread applies the rules, taking a
/// signature's verdict only when the state gives exactly the key it was checked with. `after` is
/// called on the state thread before the first line (with `start`: where the state's head and the
/// next line start, when the audit resumes from a saved state) and after each line (with where it
/// starts and where the next one does).
///
/// Every verdict is the sequential audit's: the rules run in order on one thread, so a damaged
/// ledger is reported in the same pass, line by line, as a clean one is checked. Signatures are
/// checked with `verify_strict` (§4.3), never a batch check: a small-order component T in R
/// survives a randomized batch only as z·T, which vanishes when z is a multiple of T's order, so a
/// batch passes, at random, signatures that `verify_strict` rejects (tests/stress.rs,
/// `audit_rejects_an_r_with_a_small_order_component`; vector `reject-mixed-order-r`).
pub(crate) fn drive_with<R: BufRead>(
    mut lines: Lines<R>,
    a: &mut Auditor<'_>,
    start: Option<(u64, u64)>,
    after: &mut After<'_>,
) {
    use rayon::prelude::*;
    use std::sync::mpsc;
    // Keys kept decompressed: decompressing a key is a square root, a fifth of a signature check.
    let mut keys: HashMap<KeyId, ed25519_dalek::VerifyingKey> =
        a.report.index.keys().into_iter().map(|k| (k.key.id(), k.key.0)).collect();
    let (tx, rx) = mpsc::sync_channel::<Result<Vec<(Prepared, Option<(u64, u64)>)>, String>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            after(a, start);
            for chunk in rx {
                match chunk {
                    Ok(chunk) => {
                        for ((item, parsed, presigned), at) in chunk {
                            a.presigned = presigned;
                            a.item(item, parsed);
                            after(a, at);
                        }
                    }
                    Err(e) => {
                        a.report
                            .problems
                            .push(Problem::general(Code::LedgerIo, format!("reading the ledger failed: {e}")));
                        break;
                    }
                }
            }
        });
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut failed = None;
            for item in lines.by_ref().take(CHUNK) {
                match item {
                    Ok(i) => chunk.push(i),
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                }
            }
            if chunk.is_empty() && failed.is_none() {
                break;
            }
            let parsed: Vec<(Item, Option<Result<ParsedLine, _>>)> = chunk
                .into_par_iter()
                .map(|item| {
                    let p = match &item {
                        Item::Line(l) => Some(parse_line(&l.bytes)),
                        _ => None,
                    };
                    (item, p)
                })
                .collect();
            // A key's id is derived from the key, so any line that names it gives the same key.
            for (_, p) in &parsed {
                match p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| &p.entry.body) {
                    Some(Body::Genesis(g)) => {
                        keys.entry(g.key.id()).or_insert(g.key.0);
                    }
                    Some(Body::Key(k)) => {
                        keys.entry(k.key.id()).or_insert(k.key.0);
                    }
                    _ => {}
                }
            }
            let keys = &keys;
            let prepared: Vec<(Prepared, Option<(u64, u64)>)> = parsed
                .into_par_iter()
                .map(|(item, p)| {
                    let presigned = p.as_ref().and_then(|p| p.as_ref().ok()).and_then(|p| {
                        let vk = keys.get(&p.entry.signer)?;
                        Some((p.hash, *vk.as_bytes(), signing::verify_entry(vk, &p.signed_bytes, &p.entry.sig)))
                    });
                    let at = match &item {
                        Item::Line(l) => Some((l.offset, l.offset + l.bytes.len() as u64 + 1)),
                        _ => None,
                    };
                    ((item, p, presigned), at)
                })
                .collect();
            if tx.send(Ok(prepared)).is_err() {
                break;
            }
            if let Some(e) = failed {
                let _ = tx.send(Err(e));
                break;
            }
        }
        drop(tx);
    });
}

/// Lines handed from the reading thread to the state thread.
type Prepared = (
    Item,
    Option<Result<ParsedLine, crate::format::entry::EntryError>>,
    Option<(crate::format::hash::Digest, [u8; 32], bool)>,
);

impl Admission {
    /// As [`Admission::line`] for many lines in order, with their signatures checked on every core
    /// first (`verify_strict`, never a batch check, §4.3): each under the public key its signer id
    /// names in the state or in an earlier line of `lines`, and used only when the state gives
    /// exactly that key when the line's turn comes. Returns each line's problems.
    pub fn lines(&mut self, lines: Vec<(crate::store::ledger::RawLine, ParsedLine)>) -> Vec<Vec<Problem>> {
        use rayon::prelude::*;
        let mut keys: HashMap<KeyId, ed25519_dalek::VerifyingKey> = HashMap::new();
        for (_, p) in &lines {
            if !keys.contains_key(&p.entry.signer)
                && let Some(k) = self.auditor.report.index.key(&p.entry.signer)
            {
                keys.insert(p.entry.signer, k.key.0);
            }
            match &p.entry.body {
                Body::Genesis(g) => {
                    keys.entry(g.key.id()).or_insert(g.key.0);
                }
                Body::Key(k) => {
                    keys.entry(k.key.id()).or_insert(k.key.0);
                }
                _ => {}
            }
        }
        let verdicts: Vec<Option<([u8; 32], bool)>> = lines
            .par_iter()
            .map(|(_, p)| {
                let vk = keys.get(&p.entry.signer)?;
                Some((*vk.as_bytes(), signing::verify_entry(vk, &p.signed_bytes, &p.entry.sig)))
            })
            .collect();
        lines
            .into_iter()
            .zip(verdicts)
            .map(|((line, p), v)| {
                self.auditor.presigned = v.map(|(pk, ok)| (p.hash, pk, ok));
                self.line(line, p)
            })
            .collect()
    }
}

#[cfg(test)]
mod spill_tests {
    use super::*;
    use crate::format::entry::Body;
    use crate::format::entry::{Entry, Genesis, Release, ReleaseLangs, TextRole};
    use crate::format::hash::Digest;
    use crate::format::keys::SecretKey;
    use crate::format::status::Code;
    use crate::log::audit::Report;

    /// More versions than the lean state keeps in memory (32 under test): references to versions
    /// that were moved to disk still resolve, and a bad one is still caught.
    fn spilled_audit(b: &[u8]) -> Report {
        crate::log::audit::audit_since_spilling(b, None, None, Some(spill))
    }

    #[test]
    fn references_to_spilled_versions_resolve() {
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let push = |body: Body, lines: &mut Vec<Vec<u8>>| -> Digest {
            let prev = lines.last().map(|l| crate::format::hash::entry_hash(l));
            let e = Entry::sign(lines.len() as u64, prev, "2026-01-01T00:00:00Z".into(), body, &k).unwrap();
            let line = e.to_line().unwrap();
            let h = crate::format::hash::entry_hash(&line);
            lines.push(line);
            h
        };
        push(
            Body::Genesis(Genesis { origin: "t.example/x".into(), name: "Owner".into(), key: k.public() }),
            &mut lines,
        );
        let original = push(
            Body::Version(Box::new(crate::log::content::text_version(
                "w",
                TextRole::Original,
                "it",
                "",
                "uno\n",
                None,
                None,
            ))),
            &mut lines,
        );
        let mut parent = None;
        let mut text = String::new();
        for i in 0..100 {
            let next = format!("one {i}\n");
            let v = crate::log::content::text_version(
                "w",
                TextRole::Translation,
                "en",
                &text,
                &next,
                parent,
                Some(original),
            );
            parent = Some(push(Body::Version(Box::new(v)), &mut lines));
            text = next;
        }
        let release = |orig| {
            Body::Release(Release {
                work: "w".into(),
                tag: "v1".into(),
                translation: parent.unwrap(),
                original: orig,
                lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
                urls: None,
                note: None,
            })
        };
        let mut good = lines.clone();
        push(release(original), &mut good);
        let bytes = |ls: &[Vec<u8>]| ls.iter().flat_map(|l| l.iter().copied().chain([b'\n'])).collect::<Vec<u8>>();
        let report = spilled_audit(&bytes(&good));
        assert!(report.is_clean(), "{:?}", report.problems);
        // A release naming a translation as its original, long spilled by then, is refused.
        let mut bad = lines.clone();
        let first_translation = crate::format::hash::entry_hash(&lines[2]);
        push(release(first_translation), &mut bad);
        let report = spilled_audit(&bytes(&bad));
        assert_eq!(report.problems.first().map(|p| p.code), Some(Code::ReleaseRefInvalid), "{:?}", report.problems);
    }
}
