//! Full verification (spec/ledger.md §11): one streaming pass over a ledger that checks every line
//! and reports every problem with its line number.

use crate::format::diff::Script;
use crate::format::entry::{Body, ParsedLine, parse_line};
use crate::format::hash::{Digest, entry_hash};
use crate::format::signing;
use crate::format::status::{Code, Problem};
use crate::log::content::check_facts;
use crate::log::index::Index;
use crate::log::lines::{Head, Item, Lines, MAX_LINE_LEN, Torn, check_chain};
use crate::log::trust::{Decision, Keyring, decide};
use std::collections::HashMap;
use std::io::BufRead;

/// The outcome of an audit.
#[derive(Debug)]
pub struct Report {
    /// Complete lines read.
    pub lines: u64,
    /// Valid lines (§11): complete lines for which no check reported a problem. An entry can be
    /// in the state without being a valid line (a chain or content problem, §11 steps 5 and 10).
    pub valid_entries: u64,
    /// Every problem, in line order.
    pub problems: Vec<Problem>,
    /// The torn line, if any (also reported as a `line.torn` problem).
    pub torn: Option<Torn>,
    /// The last line's seq and hash.
    pub head: Option<Head>,
    /// Versions whose content was rebuilt from diff scripts and matched its signed hashes.
    pub texts_verified: u64,
    /// The state built from the entries that entered it (§11).
    pub index: Index,
    /// Per signer: entries whose signer does not chain to a trust root (only with a keyring).
    pub untrusted: Vec<(crate::format::keys::KeyId, u64, String)>,
    /// The Merkle root of all complete lines (spec/transparency.md §2), when every line could be
    /// hashed (a line over the length limit is skipped unread, and then the root is unknown).
    pub root: Option<Digest>,
    /// The outcome of `--since`: the old checkpoint, checked against this ledger.
    pub since: Option<crate::log::transparency::CheckedCheckpoint>,
    /// An incremental audit: the state it resumed from (spec/transparency.md §8.1).
    pub resumed: Option<crate::log::resume::Resumed>,
    /// The state file this audit saved, if it saved one.
    pub saved: Option<crate::log::resume::Saved>,
}

impl Report {
    /// The report as `colophon audit --json` prints it (spec/cli-json.md, `audit`), without the
    /// members only a command knows (`command`, `ledger`): the one serialization every front end
    /// (the CLI, the browser) uses.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        json!({
            "ok": self.is_clean(), "lines": self.lines, "valid_entries": self.valid_entries,
            "texts_verified": self.texts_verified, "head": self.head.map(|h| json!({"seq": h.seq, "entry": h.hash})),
            "origin": self.index.origin(), "problems": self.problems, "torn": self.torn,
            "untrusted_signers": self.untrusted.iter().map(|(k, n, why)| json!({"key_id": k, "entries": n, "reason": why})).collect::<Vec<_>>(),
            "merkle_root": self.root, "since": self.since, "resumed": self.resumed, "state_saved": self.saved,
        })
    }

    /// Whether the ledger is clean.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Audits ledger bytes from `r` (§11). I/O errors become a `ledger.io` problem.
pub fn audit(r: impl BufRead, trust: Option<&Keyring>) -> Report {
    audit_since(r, trust, None)
}

/// As [`audit`], also checking the ledger against an old signed checkpoint (`since`, the note's
/// bytes): its signature by an owner key in effect at its size, and its root against the root of
/// the ledger's first `size` lines (spec/transparency.md §8). This is the exact, sequential path:
/// every other way of auditing must report what this reports.
pub fn audit_since(r: impl BufRead, trust: Option<&Keyring>, since: Option<&[u8]>) -> Report {
    audit_since_spilling(r, trust, since, None)
}

/// As [`audit_since`], with the state's versions moved to `spill` once there are many (a
/// million-line ledger then audits in flat memory).
pub(crate) fn audit_since_spilling(
    r: impl BufRead,
    trust: Option<&Keyring>,
    since: Option<&[u8]>,
    spill: Option<crate::log::index::audit_state::SpillFactory>,
) -> Report {
    let mut a = Auditor::spilling(trust, since, spill);
    for item in Lines::new(r) {
        match item {
            Ok(item) => a.item(item, None),
            Err(e) => {
                a.report.problems.push(Problem::general(Code::LedgerIo, format!("reading the ledger failed: {e}")));
                break;
            }
        }
    }
    a.finish(since)
}

/// Why a ledger held in memory has no state: the line (1-based; 0 for the whole ledger), the
/// status code and the message.
pub type Damaged = (u64, Code, String);

/// The state of a whole ledger held in memory (a published log rebuilt from its tiles in a
/// browser), admitted as `store::ledger::load` admits a file's lines (spec/ledger.md §11): a line
/// that does not parse or chain on, a first line that is not a genesis, a rejected genesis or a
/// line over the length limit makes the ledger damaged (an error naming the line); a line that
/// breaks a signer, signature or state rule is kept out of the state. A torn last line is ignored,
/// as `load` ignores it.
pub fn state_of(bytes: &[u8]) -> Result<Index, Damaged> {
    // With the Merkle tree's stored hashes: a verdict checks the checkpoint against them.
    let mut admission = Admission::new(Index::new_with_hashes(), None);
    let mut head: Option<Head> = None;
    let mut torn = None;
    for item in Lines::new(bytes) {
        match item {
            Ok(Item::Line(l)) => {
                let number = l.number;
                let p = parse_line(&l.bytes).map_err(|(c, m)| (number, c, m))?;
                check_chain(head.as_ref(), &p).map_err(|(c, m)| (number, c, m))?;
                if p.entry.seq == 0 && !matches!(p.entry.body, Body::Genesis(_)) {
                    return Err((
                        number,
                        Code::GenesisMissing,
                        "the first entry is not a colophon genesis entry".into(),
                    ));
                }
                head = Some(Head { seq: p.entry.seq, hash: p.hash });
                let problems = admission.line(l, p);
                if admission.index().is_empty() {
                    let (code, why) =
                        problems.first().map_or((Code::GenesisSigner, String::new()), |p| (p.code, p.message.clone()));
                    return Err((number, code, format!("the genesis entry is not valid: {why}")));
                }
            }
            Ok(Item::TooLong { number, .. }) => {
                return Err((number, Code::LineTooLong, format!("line longer than {MAX_LINE_LEN} bytes")));
            }
            Ok(Item::Torn(t)) => {
                torn = Some(t.len);
                break;
            }
            Err(e) => return Err((0, Code::LedgerIo, e.to_string())),
        }
    }
    if head.is_none() {
        let what = match torn {
            Some(n) => format!("it holds only {n} bytes of an interrupted first line"),
            None => "it is empty".into(),
        };
        return Err((1, Code::LedgerEmpty, format!("not a colophon ledger: {what}")));
    }
    Ok(admission.finish())
}

/// Admits ledger lines into a state exactly as an audit judges them (§11): the same code decides,
/// so a command that reads a ledger ignores precisely the lines `audit` rejects. `ledger::load`
/// feeds it the lines its state has not seen yet; the caller has already refused lines that do
/// not parse or do not chain (a damaged file, §11 steps 3–5).
pub struct Admission {
    pub(crate) auditor: Auditor<'static>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission").field("head", &self.auditor.prev_line).finish()
    }
}

impl Admission {
    /// Continues from `index`, the state of the lines before `head` (`None`: an empty ledger).
    pub fn new(index: Index, head: Option<Head>) -> Admission {
        Admission { auditor: Auditor::with_state(index, head, None, None) }
    }

    /// The state so far.
    pub fn index(&self) -> &Index {
        &self.auditor.report.index
    }

    /// Checks one line that parsed (`p`) and enters it into the state, or records it as rejected.
    /// Returns the problems an audit reports for it (empty: a valid line).
    pub fn line(&mut self, line: crate::log::lines::RawLine, p: ParsedLine) -> Vec<Problem> {
        self.auditor.item(Item::Line(line), Some(Ok(p)));
        std::mem::take(&mut self.auditor.report.problems)
    }

    /// The state after the last line.
    pub fn finish(self) -> Index {
        self.auditor.report.index
    }
}

/// The state of one audit pass (§11), fed one line at a time.
pub(crate) struct Auditor<'k> {
    pub(crate) report: Report,
    trust: Option<&'k Keyring>,
    since_cp: Option<crate::log::checkpoint::Checkpoint>,
    frontier: crate::log::merkle::Frontier,
    merkle_known: bool,
    since_root: Option<Digest>,
    // The chain is followed over every line, valid or not, so a bad line costs one report and the
    // lines after it are still checked against their true predecessor.
    prev_line: Option<Head>,
    // The previous line was over the length limit and was not hashed (§11 step 2): the next
    // line's `prev` is wrong whatever it holds.
    prev_unknown: bool,
    // Latest reconstructed text per (work, lang); None when the latest version has no content.
    texts: HashMap<(String, String), Option<String>>,
    untrusted: HashMap<crate::format::keys::KeyId, (u64, String)>,
    untrusted_order: Vec<crate::format::keys::KeyId>,
    // A signature already checked with `verify_strict` (on another core) for the next line: the
    // line's hash, the public key it was checked under, and the verdict. Used only when the state
    // gives exactly that key for the signer.
    pub(crate) presigned: Option<(Digest, [u8; 32], bool)>,
}

impl<'k> Auditor<'k> {
    /// A new audit, with the state's versions moved to a spill once there are many.
    pub(crate) fn spilling(
        trust: Option<&'k Keyring>,
        since: Option<&[u8]>,
        spill: Option<crate::log::index::audit_state::SpillFactory>,
    ) -> Auditor<'k> {
        let index = spill.map_or_else(Index::new_audit_state, Index::new_audit_state_spilling);
        Auditor::with_state(index, None, trust, since)
    }

    fn with_state(index: Index, head: Option<Head>, trust: Option<&'k Keyring>, since: Option<&[u8]>) -> Auditor<'k> {
        Auditor {
            report: Report {
                lines: 0,
                valid_entries: 0,
                problems: Vec::new(),
                torn: None,
                head: None,
                texts_verified: 0,
                index,
                untrusted: Vec::new(),
                root: None,
                since: None,
                resumed: None,
                saved: None,
            },
            trust,
            since_cp: since.and_then(crate::log::checkpoint::Checkpoint::in_note),
            frontier: crate::log::merkle::Frontier::new(),
            merkle_known: true,
            since_root: None,
            prev_line: head,
            prev_unknown: false,
            texts: HashMap::new(),
            untrusted: HashMap::new(),
            untrusted_order: Vec::new(),
            presigned: None,
        }
    }

    /// Checks one line (§11). `parsed` is the line already parsed (by the parallel path), or
    /// `None` to parse here.
    pub(crate) fn item(&mut self, item: Item, parsed: Option<Result<ParsedLine, crate::format::entry::EntryError>>) {
        // §11: a valid line is a complete line for which no check reports a problem.
        let complete = !matches!(item, Item::Torn(_));
        let before = self.report.problems.len();
        self.check_item(item, parsed);
        if complete && self.report.problems.len() == before {
            self.report.valid_entries += 1;
        }
    }

    fn check_item(&mut self, item: Item, parsed: Option<Result<ParsedLine, crate::format::entry::EntryError>>) {
        let report = &mut self.report;
        let line = match item {
            Item::Line(l) => l,
            Item::TooLong { number, .. } => {
                report.lines += 1;
                self.merkle_known = false;
                report.problems.push(Problem::at(
                    number,
                    Code::LineTooLong,
                    format!("line is longer than {MAX_LINE_LEN} bytes"),
                ));
                // Its hash is not computed (the line is not kept), so the next line's `prev`
                // cannot match, whatever it holds: §7.2, §11 step 2. The zero hash only keeps
                // the seq; `prev_unknown` makes the mismatch.
                let seq = self.prev_line.map_or(0, |h| h.seq + 1);
                self.prev_line = Some(Head { seq, hash: Digest([0; 32]) });
                self.prev_unknown = true;
                return;
            }
            Item::Torn(t) => {
                report.problems.push(Problem::at(
                    t.number,
                    Code::LineTorn,
                    format!("{} bytes after the last newline: an append was interrupted; the next append moves them aside, or truncate the file to {} bytes", t.len, t.offset),
                ));
                report.torn = Some(t);
                return;
            }
        };
        report.lines += 1;
        let prev_unknown = std::mem::take(&mut self.prev_unknown);
        let parsed = parsed.unwrap_or_else(|| parse_line(&line.bytes));
        let leaf = match &parsed {
            Ok(p) => p.leaf,
            Err(_) => crate::format::hash::leaf_hash(&line.bytes),
        };
        self.frontier.push(leaf);
        if let Some(cp) = &self.since_cp
            && self.frontier.size() == cp.size
            && self.merkle_known
        {
            self.since_root = Some(self.frontier.root());
        }
        let n = line.number;
        let mut problem = |code: Code, msg: String| report.problems.push(Problem::at(n, code, msg));
        let mut parsed = match parsed {
            Ok(p) => p,
            Err((code, msg)) => {
                problem(code, msg);
                let seq = self.prev_line.map_or(0, |h| h.seq + 1);
                self.prev_line = Some(Head { seq, hash: entry_hash(&line.bytes) });
                return;
            }
        };
        let e = &parsed.entry;
        let unknown_prev = || -> String {
            "the previous line is over the length limit and was not hashed, so no `prev` matches it".into()
        };
        let chain = match check_chain(self.prev_line.as_ref(), &parsed) {
            // §11 step 2: after a line over the length limit, `prev` is wrong whatever it holds.
            Ok(()) if prev_unknown => Err((Code::EntryPrevMismatch, unknown_prev())),
            Err((Code::EntryPrevMismatch, _)) if prev_unknown => Err((Code::EntryPrevMismatch, unknown_prev())),
            other => other,
        };
        if let Err((code, msg)) = chain {
            problem(code, msg);
            // §7.2, §11 step 5: a wrong prev is reported too when the seq was already wrong, on the
            // first line (where `prev` must be absent) as on any other.
            let want = self.prev_line.map(|h| h.hash);
            if code == Code::EntrySeqMismatch && (prev_unknown || e.prev != want) {
                problem(
                    Code::EntryPrevMismatch,
                    match want {
                        _ if prev_unknown => unknown_prev(),
                        Some(h) => format!("`prev` must be {h}, the hash of the previous line"),
                        None => "the first entry must not have `prev`".into(),
                    },
                );
            }
        }
        self.prev_line = Some(Head { seq: e.seq, hash: parsed.hash });
        // §7.2: entries are ordered by position, not by the `seq` they claim. A line whose `seq`
        // is wrong (reported above) is judged, and enters the state, at its place in the file.
        parsed.entry.seq = n.saturating_sub(1);
        let e = &parsed.entry;
        if let Err((code, msg)) = report.index.check_signer(e) {
            report.index.apply_rejected(&parsed, line.offset, &format!("{code}: {msg}"));
            problem(code, msg);
            return;
        }
        let Some(key) = report.index.signer_key(e) else {
            let msg = format!("signer {} is not a registered key", e.signer);
            report.index.apply_rejected(&parsed, line.offset, &format!("{}: {msg}", Code::EntrySignerUnknown));
            problem(Code::EntrySignerUnknown, msg);
            return;
        };
        // A signature already checked on another core counts only if it was checked under
        // exactly the key the state gives for the signer now.
        let verdict = match self.presigned.take() {
            Some((h, pk, ok)) if h == parsed.hash && pk == *key.0.as_bytes() => ok,
            _ => signing::verify_entry(&key.0, &parsed.signed_bytes, &e.sig),
        };
        if !verdict {
            let msg = format!("the signature does not verify under key {}", e.signer);
            report.index.apply_rejected(&parsed, line.offset, &format!("{}: {msg}", Code::EntrySignatureInvalid));
            problem(Code::EntrySignatureInvalid, msg);
            return;
        }
        let e = &parsed.entry;
        if let Err((code, msg)) = report.index.check_body(e) {
            report.index.apply_rejected(&parsed, line.offset, &format!("{code}: {msg}"));
            problem(code, msg);
            return;
        }
        let mut content_problem: Option<String> = None;
        if let Body::Version(v) = &e.body {
            let slot = (v.work.clone(), v.lang.clone());
            if !self.texts.contains_key(&slot)
                && let Some(kept) = report.index.latest_text(&v.work, &v.lang)
            {
                // Resuming from a persistent state: the base is the text it kept (§8.5).
                self.texts.insert(slot.clone(), kept);
            }
            let new_text = match &v.diff {
                // §3.4, §11 step 10: a ledger keeps every script; a line in committed form has
                // its text elsewhere, so its content counts as not reconstructible.
                None if v.withheld() => {
                    let msg = "the line carries `diff_sha256` in place of its script (its committed form); \
                               a ledger keeps every version's script"
                        .to_string();
                    content_problem = Some(format!("{}: {msg}; its text cannot be rebuilt", Code::DiffWithheld));
                    problem(Code::DiffWithheld, msg);
                    None
                }
                None => None,
                Some(diff) => {
                    let content_problem = &mut content_problem;
                    let base = self.texts.get(&slot).and_then(|t| t.as_deref()).unwrap_or("");
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
                            *content_problem = Some(format!("{code}: {msg}; its text cannot be rebuilt"));
                            problem(code, msg);
                            None
                        }
                    }
                }
            };
            report.index.set_text(&v.work, &v.lang, &parsed.hash, new_text.as_deref());
            self.texts.insert(slot, new_text);
        }
        report.index.apply_noted(&parsed, line.offset, content_problem.as_deref());
        // Trust is decided once the entry is in the state, so that a genesis is judged with its
        // owner registered (L§10.2: the genesis owner is trusted only as a root).
        let e = &parsed.entry;
        if let Some(ring) = self.trust
            && let Decision::Untrusted(why) = decide(&report.index, ring, e.signer, e.seq)
        {
            let order = &mut self.untrusted_order;
            let slot = self.untrusted.entry(e.signer).or_insert_with(|| {
                order.push(e.signer);
                (0, why)
            });
            slot.0 += 1;
        }
    }

    pub(crate) fn finish(mut self, since: Option<&[u8]>) -> Report {
        let report = &mut self.report;
        report.head = self.prev_line;
        report.root = self.merkle_known.then(|| self.frontier.root());
        if let Some(bytes) = since {
            check_since(report, bytes, self.since_root, self.trust);
        }
        if report.lines == 0 && report.torn.is_none() {
            report.problems.push(Problem::general(Code::LedgerEmpty, "the ledger has no entries"));
        }
        let mut untrusted = std::mem::take(&mut self.untrusted);
        report.untrusted =
            self.untrusted_order.iter().filter_map(|k| untrusted.remove(k).map(|(n, why)| (*k, n, why))).collect();
        self.report
    }
}

/// The state file of an incremental audit (spec/transparency.md §8.1): what an audit keeps
/// beyond the lean state (`index::audit_state`), in the encoding of `log::resume`.
#[cfg_attr(not(feature = "store"), allow(dead_code))]
impl<'k> Auditor<'k> {
    /// The state file of the lines audited so far, bound to `binding` (whose signature and root
    /// the caller has checked against this state): `head_offset` is where the last line read
    /// starts, `offset` where the next one would. `None` when no state can be kept: the Merkle
    /// root is unknown (a line over the length limit), nothing entered the state, or the
    /// versions moved to disk cannot be read back.
    pub(crate) fn state_file(
        &self,
        binding: &crate::log::resume::Binding,
        head_offset: u64,
        offset: u64,
    ) -> Option<Vec<u8>> {
        use crate::log::state_codec::Enc;
        if !self.merkle_known || self.prev_unknown || self.frontier.size() != binding.size {
            return None;
        }
        let head = self.prev_line?;
        let state = self.report.index.audit_state()?;
        let mut e = Enc::default();
        let r = &self.report;
        e.u64(r.lines);
        e.u64(r.valid_entries);
        e.u64(r.texts_verified);
        // The problems of the lines so far; general ones belong to this run's checkpoints.
        let problems: Vec<&Problem> =
            r.problems.iter().filter(|p| p.line.is_some() && p.code != Code::LineTorn).collect();
        e.u64(problems.len() as u64);
        for p in problems {
            e.u64(p.line.unwrap_or(0));
            e.str(p.code.as_str());
            e.str(&p.message);
        }
        e.u64(self.frontier.peaks().len() as u64);
        for d in self.frontier.peaks() {
            e.digest(d);
        }
        e.u64(self.frontier.last_path().len() as u64);
        for d in self.frontier.last_path() {
            e.digest(d);
        }
        e.u64(head.seq);
        e.digest(&head.hash);
        let mut texts: Vec<_> = self.texts.iter().collect();
        texts.sort_unstable_by(|a, b| a.0.cmp(b.0));
        e.u64(texts.len() as u64);
        for ((w, l), t) in texts {
            e.str(w);
            e.str(l);
            e.opt_str(t.as_deref());
        }
        e.u64(self.untrusted_order.len() as u64);
        for k in &self.untrusted_order {
            let (n, why) = self.untrusted.get(k).cloned().unwrap_or_default();
            e.key_id(k);
            e.u64(n);
            e.str(&why);
        }
        state.encode(&mut e);
        let versions = crate::log::index::audit_state::VersionTable::encode(state.all_versions()?);
        let trust = crate::log::resume::trust_fingerprint(self.trust);
        Some(crate::log::resume::encode(binding, head_offset, offset, trust.as_ref(), &e.0, &versions))
    }

    /// An audit that goes on from a state file's parts: the next line it is fed is the one
    /// after the state's head.
    pub(crate) fn resumed(parts: crate::log::resume::Parts, trust: Option<&'k Keyring>) -> Auditor<'k> {
        let crate::log::resume::Parts {
            lines,
            valid_entries,
            texts_verified,
            problems,
            index,
            frontier,
            head,
            texts,
            untrusted,
        } = parts;
        let mut a = Auditor::with_state(index, Some(head), trust, None);
        a.report.lines = lines;
        a.report.valid_entries = valid_entries;
        a.report.texts_verified = texts_verified;
        a.report.problems = problems;
        a.frontier = frontier;
        a.texts = texts;
        for (k, n, why) in untrusted {
            a.untrusted_order.push(k);
            a.untrusted.insert(k, (n, why));
        }
        a
    }

    /// The Merkle frontier so far.
    pub(crate) fn frontier(&self) -> &crate::log::merkle::Frontier {
        &self.frontier
    }

    /// Whether every line so far could be hashed (none over the length limit).
    pub(crate) fn merkle_known(&self) -> bool {
        self.merkle_known && !self.prev_unknown
    }
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
    let size = crate::log::checkpoint::Checkpoint::in_note(bytes).map_or(0, |c| c.size);
    let keys = crate::log::transparency::owner_keys(&report.index, &origin, size);
    let ring = trust.cloned().unwrap_or_default();
    match crate::log::transparency::verify_checkpoint(bytes, &origin, &keys, &ring) {
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

#[cfg(test)]
mod line_limit_tests {
    use super::*;
    use crate::format::entry::{Entry, Genesis, KeyReg, Role};
    use crate::format::keys::SecretKey;

    /// §7.2, §11 step 2: a line over 64 MiB is not hashed, so the next line reports
    /// `entry.prev.mismatch` whatever its `prev` holds (64 zeros, or even the SHA-256 of the long
    /// line), and the Merkle root is unknown. No vector pins this: it would be 64 MiB.
    #[test]
    fn the_line_after_a_too_long_line_never_chains() {
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let other = SecretKey::from_seed(&[5; 32], "Other");
        let time = || "2026-01-01T00:00:00Z".to_string();
        let genesis = Body::Genesis(Genesis { origin: "t.example/x".into(), name: "Owner".into(), key: k.public() });
        let genesis = Entry::sign(0, None, time(), genesis, &k).unwrap().to_line().unwrap();
        let long = vec![b'x'; MAX_LINE_LEN + 1];
        let key = || Body::Key(KeyReg { key: other.public(), name: "Other".into(), roles: vec![Role::Editor] });
        let seq_and_prev = [(2, Digest([0; 32])), (2, Digest::of(&long)), (5, Digest([0; 32]))];
        for (seq, prev) in seq_and_prev {
            let next = Entry::sign(seq, Some(prev), time(), key(), &k).unwrap().to_line().unwrap();
            let mut bytes = Vec::with_capacity(long.len() + 1024);
            for l in [&genesis, &long, &next] {
                bytes.extend_from_slice(l);
                bytes.push(b'\n');
            }
            let report = audit(&bytes[..], None);
            let got: Vec<(Code, Option<u64>)> = report.problems.iter().map(|p| (p.code, p.line)).collect();
            let mut want = vec![(Code::LineTooLong, Some(2))];
            if seq != 2 {
                want.push((Code::EntrySeqMismatch, Some(3)));
            }
            want.push((Code::EntryPrevMismatch, Some(3)));
            assert_eq!(got, want, "seq {seq}, prev {prev}");
            assert_eq!((report.lines, report.valid_entries, report.root), (3, 1, None), "seq {seq}, prev {prev}");
            // The key entry is authentic: it entered the state despite its chain problem (§11).
            assert!(report.index.key(&other.id()).is_some(), "seq {seq}, prev {prev}");
            // The prev problem says why no `prev` can match, whether or not the seq was right.
            let prev_msg =
                report.problems.iter().rfind(|p| p.code == Code::EntryPrevMismatch).map(|p| p.message.clone());
            assert_eq!(
                prev_msg.as_deref(),
                Some("the previous line is over the length limit and was not hashed, so no `prev` matches it"),
                "seq {seq}, prev {prev}"
            );
            // An old checkpoint of this ledger cannot be compared with it (the root is unknown):
            // that is what `--since` reports, not a rewritten history, at the ledger's size and
            // below it (transparency.md §8).
            for size in [2u64, 3] {
                let cp = crate::log::checkpoint::Checkpoint {
                    origin: "t.example/x".into(),
                    size,
                    root: Digest([9; 32]),
                    extensions: Vec::new(),
                };
                let text = cp.to_text();
                let sig = crate::log::note::sign(&text, "t.example/x", &k.signing).unwrap();
                let note = crate::log::note::Note { text, sigs: vec![sig] }.to_bytes();
                let r = audit_since(&bytes[..], None, Some(&note));
                let codes: Vec<Code> = r.problems.iter().filter(|p| p.line.is_none()).map(|p| p.code).collect();
                assert_eq!(codes, vec![Code::LineTooLong], "checkpoint of size {size}: {:?}", r.problems);
            }
        }
        // An ordinary broken chain says what `prev` must be, nothing about a line's length, with
        // a right seq and with a wrong one.
        for seq in [1, 5] {
            let line = Entry::sign(seq, Some(Digest([0; 32])), time(), key(), &k).unwrap().to_line().unwrap();
            let mut bytes = genesis.clone();
            bytes.push(b'\n');
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
            let report = audit(&bytes[..], None);
            let p = report.problems.iter().find(|p| p.code == Code::EntryPrevMismatch).expect("a prev problem");
            assert!(p.message.starts_with("`prev` must be "), "seq {seq}: {}", p.message);
        }
    }
}
