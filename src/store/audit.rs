//! The audit of a ledger file on every core (spec/ledger.md §11): the same rules as
//! [`crate::log::audit`], which decides every verdict, with the lines parsed and the signatures
//! verified on every core. The parallel paths only ever answer for clean input; at the first
//! problem they give up and the sequential audit reports it with its line.

use crate::format::entry::{Body, ParsedLine, parse_line};
use crate::format::signing;
use crate::format::status::Problem;
use crate::log::audit::{Admission, Auditor, Report, SigJob, audit_since_spilling};
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
    if let Some(report) = audit_fast(BufReader::with_capacity(1 << 20, file.take(len)), trust, since) {
        return Ok(report);
    }
    // Something is wrong: read the same bytes again on the exact path, which reports every
    // problem with its line.
    let (file, _) = open_for_read(path)?;
    Ok(audit_since_spilling(BufReader::with_capacity(1 << 20, file.take(len)), trust, since, Some(spill)))
}

/// Lines parsed together: large enough that spreading the parsing over threads pays, small
/// enough that memory stays flat.
const CHUNK: usize = 4096;

/// The fast path (§11, reference implementation notes in bench/README.md): lines are parsed in
/// parallel, the state rules run in order on one thread while the previous chunk's signatures are
/// verified on every core. It only ever answers for a clean ledger: at the first
/// problem or signature failure it gives up (`None`), and the caller runs the exact path.
fn audit_fast(r: impl BufRead, trust: Option<&Keyring>, since: Option<&[u8]>) -> Option<Report> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    type Parsed = Vec<(Item, Option<Result<ParsedLine, crate::format::entry::EntryError>>)>;
    // Three stages on two cores: this thread reads and parses (on every core) and verifies
    // signatures (on every core); a state thread applies the rules in order. A bounded
    // queue keeps the reader at most a few chunks ahead, so memory stays flat.
    let failed = AtomicBool::new(false);
    let (to_state, from_reader) = mpsc::sync_channel::<Parsed>(2);
    let (to_verifier, from_state) = mpsc::sync_channel::<Vec<SigJob>>(4);
    let mut a = Auditor::spilling(trust, since, Some(spill));
    std::thread::scope(|scope| {
        let failed = &failed;
        let state = scope.spawn(move || {
            for chunk in from_reader {
                let mut jobs = Vec::with_capacity(CHUNK);
                for (item, p) in chunk {
                    a.item(item, p, Some(&mut jobs));
                }
                if !a.report.problems.is_empty() {
                    failed.store(true, Ordering::Relaxed);
                }
                if to_verifier.send(jobs).is_err() {
                    break;
                }
            }
            a
        });
        let mut lines = Lines::new(r);
        let verify_ready = |from_state: &mpsc::Receiver<Vec<SigJob>>| {
            while let Ok(jobs) = from_state.try_recv() {
                if !verify_jobs(&jobs) {
                    failed.store(true, Ordering::Relaxed);
                }
            }
        };
        while !failed.load(Ordering::Relaxed) {
            verify_ready(&from_state);
            let mut chunk = Vec::with_capacity(CHUNK);
            for item in lines.by_ref().take(CHUNK) {
                match item {
                    Ok(i) => chunk.push(i),
                    Err(_) => failed.store(true, Ordering::Relaxed),
                }
            }
            if chunk.is_empty() {
                break;
            }
            let parsed: Parsed = chunk
                .into_par_iter()
                .map(|item| {
                    let p = match &item {
                        Item::Line(l) => Some(parse_line(&l.bytes)),
                        _ => None,
                    };
                    (item, p)
                })
                .collect();
            // Never block on a full queue while the state thread may be waiting for us to take
            // its signatures: verify them while waiting.
            let mut parsed = parsed;
            loop {
                match to_state.try_send(parsed) {
                    Ok(()) => break,
                    Err(mpsc::TrySendError::Full(back)) => {
                        parsed = back;
                        match from_state.recv_timeout(std::time::Duration::from_millis(1)) {
                            Ok(jobs) => {
                                if !verify_jobs(&jobs) {
                                    failed.store(true, Ordering::Relaxed);
                                }
                            }
                            Err(mpsc::RecvTimeoutError::Timeout) => {}
                            Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        }
                    }
                    Err(mpsc::TrySendError::Disconnected(_)) => break,
                }
            }
        }
        drop(to_state);
        // Every deferred signature is checked, the last chunk's included: a forged signature on
        // the last line is exposed by no later `prev` (tests/mutants_killed.rs).
        for jobs in from_state.iter() {
            if !verify_jobs(&jobs) {
                failed.store(true, Ordering::Relaxed);
            }
        }
        let a = state.join().ok()?;
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let report = a.finish(since);
        report.problems.is_empty().then_some(report)
    })
}

/// Checks the deferred signatures with `verify_strict` (§4.3) on every core. Not batch
/// verification: a small-order component T in R survives a randomized batch only as z·T, which
/// vanishes when z is a multiple of T's order, so a batch passes, at random, signatures that
/// `verify_strict` rejects (tests/stress.rs, `audit_rejects_an_r_with_a_small_order_component`;
/// vector `reject-mixed-order-r`). Any failure makes the whole fast path give up, and the exact
/// path names the entry.
fn verify_jobs(jobs: &[SigJob]) -> bool {
    use rayon::prelude::*;
    jobs.par_iter().all(|j| {
        let sig = ed25519_dalek::Signature::from_bytes(&j.sig);
        j.key.verify_strict(&j.message, &sig).is_ok()
    })
}

impl Admission {
    /// As [`Admission::line`] for many lines in order, with their signatures checked on every core
    /// first (`verify_strict`, never a batch check, §4.3): each under the public key its signer id
    /// names in the state or in an earlier line of `lines`, and used only when the state gives
    /// exactly that key when the line's turn comes. Returns each line's problems.
    pub fn lines(&mut self, lines: Vec<(crate::store::ledger::RawLine, ParsedLine)>) -> Vec<Vec<Problem>> {
        use rayon::prelude::*;
        let mut keys: HashMap<crate::format::keys::KeyId, [u8; 32]> = HashMap::new();
        for (_, p) in &lines {
            if !keys.contains_key(&p.entry.signer)
                && let Some(k) = self.auditor.report.index.key(&p.entry.signer)
            {
                keys.insert(p.entry.signer, *k.key.0.as_bytes());
            }
            match &p.entry.body {
                Body::Genesis(g) => {
                    keys.entry(g.key.id()).or_insert(*g.key.0.as_bytes());
                }
                Body::Key(k) => {
                    keys.entry(k.key.id()).or_insert(*k.key.0.as_bytes());
                }
                _ => {}
            }
        }
        let verdicts: Vec<Option<([u8; 32], bool)>> = lines
            .par_iter()
            .map(|(_, p)| {
                let pk = keys.get(&p.entry.signer)?;
                let vk = ed25519_dalek::VerifyingKey::from_bytes(pk).ok()?;
                Some((*pk, signing::verify_entry(&vk, &p.signed_bytes, &p.entry.sig)))
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
        audit_since_spilling(b, None, None, Some(spill))
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
