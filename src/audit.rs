//! Full verification (spec/ledger.md §11): one streaming pass over a ledger that checks every line
//! and reports every problem with its line number.

use crate::content::check_facts;
use crate::diff::Script;
use crate::entry::{Body, parse_line};
use crate::hash::{Digest, entry_hash};
use crate::index::Index;
use crate::ledger::{Head, Item, LedgerError, Lines, MAX_LINE_LEN, Torn, check_chain, open_for_read};
use crate::signing;
use crate::status::{Code, Problem};
use crate::trust::{Decision, Keyring, decide};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The outcome of an audit.
#[derive(Debug)]
pub struct Report {
    /// Complete lines read.
    pub lines: u64,
    /// Entries that passed every check and entered the state.
    pub valid_entries: u64,
    /// Every problem, in line order.
    pub problems: Vec<Problem>,
    /// The torn tail, if any (also reported as a `line.torn` problem).
    pub torn: Option<Torn>,
    /// The last line's seq and hash.
    pub head: Option<Head>,
    /// Versions whose content was rebuilt from diff scripts and matched its signed hashes.
    pub texts_verified: u64,
    /// The state built from the valid entries.
    pub index: Index,
    /// Per signer: entries whose signer does not chain to a trust root (only with a keyring).
    pub untrusted: Vec<(crate::keys::KeyId, u64, String)>,
    /// The Merkle root of all complete lines (spec/transparency.md §2), when every line could be
    /// hashed (a line over the length limit is skipped unread, and then the root is unknown).
    pub root: Option<Digest>,
    /// The outcome of `--since`: the old checkpoint, checked against this ledger.
    pub since: Option<crate::transparency::CheckedCheckpoint>,
}

impl Report {
    /// Whether the ledger is clean.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Audits a ledger file (§11).
pub fn audit_file(path: &Path, trust: Option<&Keyring>) -> Result<Report, LedgerError> {
    audit_file_since(path, trust, None)
}

/// Audits a ledger file and checks that it extends the one an old checkpoint signed
/// (spec/transparency.md §8).
pub fn audit_file_since(path: &Path, trust: Option<&Keyring>, since: Option<&[u8]>) -> Result<Report, LedgerError> {
    let (file, len) = open_for_read(path)?;
    Ok(audit_since(BufReader::with_capacity(1 << 20, file.take(len)), trust, since))
}

/// Audits ledger bytes from `r` (§11). I/O errors become a `ledger.io` problem.
pub fn audit(r: impl BufRead, trust: Option<&Keyring>) -> Report {
    audit_since(r, trust, None)
}

/// As [`audit`], also checking the ledger against an old signed checkpoint (`since`, the note's
/// bytes): its signature by an owner key in effect at its size, and its root against the root of
/// the ledger's first `size` lines (spec/transparency.md §8).
pub fn audit_since(r: impl BufRead, trust: Option<&Keyring>, since: Option<&[u8]>) -> Report {
    let since_cp = since.and_then(|b| {
        crate::note::Note::parse(b).ok().and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok())
    });
    let mut frontier = crate::merkle::Frontier::new();
    let mut merkle_known = true;
    let mut since_root: Option<Digest> = None;
    let mut report = Report {
        lines: 0,
        valid_entries: 0,
        problems: Vec::new(),
        torn: None,
        head: None,
        texts_verified: 0,
        index: Index::new_lean(),
        untrusted: Vec::new(),
        root: None,
        since: None,
    };
    // The chain is followed over every line, valid or not, so a bad line costs one report and the
    // lines after it are still checked against their true predecessor.
    let mut prev_line: Option<Head> = None;
    // Latest reconstructed text per (work, lang); None when the latest version has no content.
    let mut texts: HashMap<(String, String), Option<String>> = HashMap::new();
    let mut untrusted: HashMap<crate::keys::KeyId, (u64, String)> = HashMap::new();
    let mut untrusted_order = Vec::new();

    for item in Lines::new(r) {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                report.problems.push(Problem::general(Code::LedgerIo, format!("reading the ledger failed: {e}")));
                break;
            }
        };
        let line = match item {
            Item::Line(l) => l,
            Item::TooLong { number, .. } => {
                report.lines += 1;
                merkle_known = false;
                report.problems.push(Problem::at(
                    number,
                    Code::LineTooLong,
                    format!("line is longer than {MAX_LINE_LEN} bytes"),
                ));
                // Its hash is not computed (the line is not kept), so the next line's `prev`
                // cannot match: §11 step 2.
                let seq = prev_line.map_or(0, |h| h.seq + 1);
                prev_line = Some(Head { seq, hash: crate::hash::Digest([0; 32]) });
                continue;
            }
            Item::Torn(t) => {
                report.problems.push(Problem::at(
                    t.number,
                    Code::LineTorn,
                    format!("{} bytes after the last newline: an append was interrupted; the next append moves them aside, or truncate the file to {} bytes", t.len, t.offset),
                ));
                report.torn = Some(t);
                continue;
            }
        };
        report.lines += 1;
        frontier.push(crate::hash::leaf_hash(&line.bytes));
        if let Some(cp) = &since_cp
            && frontier.size() == cp.size
            && merkle_known
        {
            since_root = Some(frontier.root());
        }
        let n = line.number;
        let mut problem = |code: Code, msg: String| report.problems.push(Problem::at(n, code, msg));
        let parsed = match parse_line(&line.bytes) {
            Ok(p) => p,
            Err((code, msg)) => {
                problem(code, msg);
                let seq = prev_line.map_or(0, |h| h.seq + 1);
                prev_line = Some(Head { seq, hash: entry_hash(&line.bytes) });
                continue;
            }
        };
        let e = &parsed.entry;
        if let Err((code, msg)) = check_chain(prev_line.as_ref(), &parsed) {
            problem(code, msg);
            // Report a wrong prev too when the seq was already wrong: both are evidence.
            if let (Code::EntrySeqMismatch, Some(h)) = (code, prev_line)
                && e.prev != Some(h.hash)
            {
                problem(Code::EntryPrevMismatch, format!("`prev` must be {}, the hash of the previous line", h.hash));
            }
        }
        prev_line = Some(Head { seq: e.seq, hash: parsed.hash });
        if let Err((code, msg)) = report.index.check_signer(e) {
            problem(code, msg);
            continue;
        }
        let Some(key) = report.index.signer_key(e) else { continue };
        if !signing::verify_entry(&key.0, &parsed.signed_bytes, &e.sig) {
            problem(Code::EntrySignatureInvalid, format!("the signature does not verify under key {}", e.signer));
            continue;
        }
        if let Err((code, msg)) = report.index.check_body(e) {
            problem(code, msg);
            continue;
        }
        if let Body::Version(v) = &e.body {
            let slot = (v.work.clone(), v.lang.clone());
            let new_text = match &v.diff {
                None => None,
                Some(diff) => {
                    let base = texts.get(&slot).and_then(|t| t.as_deref()).unwrap_or("");
                    let result = Script::from_json(diff)
                        .and_then(|s| s.apply(base))
                        .map_err(|d| (d.code, d.message))
                        .and_then(|t| check_facts(&t, v.size, &v.sha256, v.norm.as_ref()).map(|()| t));
                    match result {
                        Ok(t) => {
                            report.texts_verified += 1;
                            Some(t)
                        }
                        Err((code, msg)) => {
                            problem(code, msg);
                            None
                        }
                    }
                }
            };
            texts.insert(slot, new_text);
        }
        if let Some(ring) = trust
            && let Decision::Untrusted(why) = decide(&report.index, ring, e.signer, e.seq)
            && (!matches!(e.body, Body::Genesis(_)) || !ring.contains(&e.signer))
        {
            let slot = untrusted.entry(e.signer).or_insert_with(|| {
                untrusted_order.push(e.signer);
                (0, why)
            });
            slot.0 += 1;
        }
        report.index.apply(&parsed, line.offset);
        report.valid_entries += 1;
    }
    report.head = prev_line;
    report.root = merkle_known.then(|| frontier.root());
    if let Some(bytes) = since {
        check_since(&mut report, bytes, since_root, trust);
    }
    if report.lines == 0 && report.torn.is_none() {
        report.problems.push(Problem::general(Code::LedgerEmpty, "the ledger has no entries"));
    }
    report.untrusted =
        untrusted_order.into_iter().filter_map(|k| untrusted.remove(&k).map(|(n, why)| (k, n, why))).collect();
    report
}

/// `--since` (spec/transparency.md §8): the old checkpoint must be signed by an owner key in
/// effect at its size, and the ledger's first `size` lines must hash to its root.
fn check_since(report: &mut Report, bytes: &[u8], since_root: Option<Digest>, trust: Option<&Keyring>) {
    let Some(origin) = report.index.origin() else {
        report.problems.push(Problem::general(
            Code::CheckpointSignature,
            "the ledger has no valid genesis entry to check the checkpoint against",
        ));
        return;
    };
    let size = crate::note::Note::parse(bytes)
        .ok()
        .and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok())
        .map_or(0, |c| c.size);
    let keys = crate::transparency::owner_keys(&report.index, &origin, size);
    let ring = trust.cloned().unwrap_or_default();
    match crate::transparency::verify_checkpoint(bytes, &origin, &keys, &ring) {
        Err(p) => report.problems.push(p),
        Ok(checked) => {
            match since_root {
                None if checked.size > report.lines => report.problems.push(Problem::general(
                    Code::CheckpointInconsistent,
                    format!(
                        "history was rewritten: the checkpoint signed {} entries but the ledger now has only {}",
                        checked.size, report.lines
                    ),
                )),
                None => report.problems.push(Problem::general(
                    Code::LineTooLong,
                    "a line over the length limit makes the Merkle root unknown; the checkpoint cannot be compared",
                )),
                Some(root) if root != checked.root => report.problems.push(Problem::general(
                    Code::CheckpointInconsistent,
                    format!(
                        "history was rewritten: the ledger's first {} entries hash to {root}, the checkpoint signed {}",
                        checked.size, checked.root
                    ),
                )),
                Some(_) => {}
            }
            report.since = Some(checked);
        }
    }
}
