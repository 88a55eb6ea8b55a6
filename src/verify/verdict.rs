//! The verdict on a copy (spec/verify.md §2–§4, spec/transparency.md §3–§6): the whole policy that
//! turns "this copy matches that signed version" into what a reader is told — which source the
//! entries came from, whether their order is anchored in a checkpoint, whether that checkpoint is
//! consistent with one the reader saw, whether the reader's witness policy is met, and which of
//! those facts overrides a match. Every front end (the CLI, a web page, an HTTP reader) calls
//! [`verify`] and renders the [`Verdict`]; none decides anything itself.

use crate::format::hash::Digest;
use crate::format::status::{Code, Problem};
use crate::log::index::Index;
use crate::log::lines::LineAt;
use crate::log::transparency::{
    CheckedCheckpoint, anchor_trusted, check_consistent, check_kept_checkpoint, matches_tree, owner_keys,
    verify_checkpoint,
};
use crate::log::trust::Keyring;
use crate::verify::bundle::{self, BundleFile};
use crate::verify::copy::{CopyFacts, CopyKind, CopyReport, Level, Options, Store, verify_copy_with};
use serde::Serialize;

/// Where the signed entries come from (spec/verify.md §1).
#[derive(Debug)]
pub enum Source<'a> {
    /// A ledger file, with its state and the checkpoint kept beside it (the bytes as read, not yet
    /// believed; `Err` when the file there could not be read as one).
    Ledger {
        /// The ledger's state.
        index: &'a Index,
        /// The ledger's lines (a file, or its bytes).
        lines: &'a dyn LineAt,
        /// The kept checkpoint, untrusted.
        kept: Result<Option<Vec<u8>>, String>,
        /// How to name the kept checkpoint in messages (its path).
        kept_name: String,
    },
    /// A reader's bundle, as its bytes (spec/verify.md §3).
    Bundle {
        /// The file's bytes.
        bytes: &'a [u8],
    },
    /// A published log (spec/transparency.md §7): its lines, already checked against the tiles and
    /// written to a file, their state, and the published checkpoint.
    Tiles {
        /// The state of the lines.
        index: &'a Index,
        /// The lines (a file they were written to, or their bytes).
        lines: &'a dyn LineAt,
        /// The published checkpoint (a signed note), untrusted.
        checkpoint: &'a [u8],
    },
}

/// What the reader asks besides the copy, the source and the roots.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The loosest match level accepted (spec/verify.md §2.1).
    pub loosest: Option<Level>,
    /// A checkpoint of the log the reader saw before (a signed note).
    pub seen: Option<Vec<u8>>,
    /// A consistency proof between `seen` and the source's checkpoint: (old size, new size, hashes).
    pub consistency: Option<(u64, u64, Vec<Digest>)>,
    /// Accept a bundle without a checkpoint (spec/verify.md §3.5).
    pub insecure_ignore_log: bool,
    /// Read the copy as text or as a web page; `None`: by its content (spec/verify.md §2.7.1).
    pub copy_as: Option<CopyKind>,
    /// Accept only the latest release: a copy whose release is superseded fails (spec/verify.md
    /// §2.2 step 8, §2.8).
    pub require_latest: bool,
}

/// The outcome of verifying a copy: what every front end shows (spec/cli-json.md `verify`).
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The copy's match and its judgment.
    #[serde(flatten)]
    pub report: CopyReport,
    /// The checkpoint the entries are anchored in, when there is one.
    pub checkpoint: Option<CheckedCheckpoint>,
    /// What was learned about the log, one sentence each (for human output).
    #[serde(skip)]
    pub log: Vec<String>,
    /// The source itself was refused (a bundle that fails its checks, spec/verify.md §3.3): only
    /// `status` and `message` mean anything.
    #[serde(skip)]
    pub rejected: bool,
    /// The reader accepts only the latest release (§2.8): `release.superseded` is then a failure.
    #[serde(skip)]
    pub require_latest: bool,
}

impl Verdict {
    /// The verdict as `colophon verify --json` prints it (spec/cli-json.md, `verify`), without the
    /// members only the command knows (`command`, `source`): every front end serializes it so.
    /// For a refused source, only `ok`, `status` and `message` mean anything, and only they are
    /// written.
    pub fn to_json(&self) -> serde_json::Value {
        if self.rejected {
            return serde_json::json!({"ok": false, "status": self.report.status, "message": self.report.message});
        }
        let mut j = serde_json::to_value(self).unwrap_or_default();
        j["ok"] = serde_json::json!(self.ok());
        j
    }

    /// Whether the copy verified: a superseded release verifies it, unless the reader requires the
    /// latest release (spec/verify.md §2.2 step 8).
    pub fn ok(&self) -> bool {
        self.report.ok() && !(self.require_latest && self.report.status == Code::ReleaseSuperseded)
    }

    /// Whether the copy's release is superseded by a later release (spec/verify.md §2.8).
    pub fn superseded(&self) -> bool {
        self.report.status == Code::ReleaseSuperseded
    }

    fn rejected(problem: Problem, copy: &CopyFacts) -> Verdict {
        let mut report = CopyReport::empty(copy);
        report.status = problem.code;
        // As the problem prints: its code, and its line when it has one.
        report.message = problem.to_string();
        Verdict { report, checkpoint: None, log: Vec::new(), rejected: true, require_latest: false }
    }
}

fn general(code: Code, m: impl Into<String>) -> Problem {
    Problem::general(code, m)
}

/// One sentence about the witnesses of a checkpoint.
pub fn witnesses_line(w: &[(String, u64)], quorum: usize) -> String {
    if w.is_empty() && quorum == 0 {
        return "no witness cosignatures required or present".into();
    }
    // A witness cosignature carries the witness's timestamp; a checkpoint has none (§2.2).
    let names: Vec<String> =
        w.iter().map(|(n, t)| format!("{n} at {} (the witness's claim)", crate::verify::site::unix_time(*t))).collect();
    format!(
        "{} witness(es) cosigned{}{}",
        w.len(),
        if names.is_empty() { String::new() } else { format!(": {}", names.join(", ")) },
        if quorum > 0 { format!(" (quorum {quorum})") } else { String::new() }
    )
}

/// Verifies a copy against a source (spec/verify.md §2): `Err` is bad input (a `seen` checkpoint
/// that does not parse, a bundle that is not a bundle at all), anything else a verdict.
pub fn verify(copy: &CopyFacts, source: Source<'_>, roots: &Keyring, opts: &VerifyOptions) -> Result<Verdict, Problem> {
    if copy.size == 0 {
        return Err(general(
            Code::CopyEmpty,
            "the copy is empty (0 bytes): no signed version is empty, so there is nothing to verify",
        ));
    }
    let loosest = opts.loosest.unwrap_or(Level::WORDS);
    let html = opts.copy_as.unwrap_or_else(|| CopyKind::sniff(copy)) == CopyKind::Html;
    let seen = match &opts.seen {
        Some(bytes) => Some((
            bytes.as_slice(),
            crate::log::checkpoint::Checkpoint::in_note(bytes).ok_or_else(|| {
                general(Code::CheckpointMalformed, "the checkpoint you saw (--checkpoint) is not a checkpoint")
            })?,
        )),
        None => None,
    };
    // A proof is for one pair of sizes; a proof for another pair proves nothing either way.
    let proof_for = |a: u64, b: u64| -> Result<Option<Vec<Digest>>, Problem> {
        match &opts.consistency {
            None => Ok(None),
            Some((o, n, h)) if (*o, *n) == (a.min(b), a.max(b)) => Ok(Some(h.clone())),
            Some((o, n, _)) => Err(general(
                Code::ProofConsistency,
                format!(
                    "the consistency proof is for sizes {o} → {n}, but the checkpoints are {} and {}",
                    a.min(b),
                    a.max(b)
                ),
            )),
        }
    };
    // A problem with the log itself (checkpoint, witnesses, consistency) overrides a match.
    let mut log_problem: Option<Problem> = None;
    let mut log: Vec<String> = Vec::new();
    let mut checkpoint: Option<CheckedCheckpoint> = None;
    // The size of a checkpoint the verdict's entries are anchored in.
    let mut anchored_at: Option<u64> = None;
    let mut report = match source {
        Source::Bundle { bytes } => {
            // Not a bundle at all is bad input; a bundle that fails its checks is a verdict.
            if serde_json::from_slice::<BundleFile>(bytes).is_err() {
                return Err(general(
                    Code::BundleInvalid,
                    "not a colophon bundle (expected the JSON file `colophon bundle` writes)",
                ));
            }
            let opened = match bundle::open_with(bytes, roots) {
                Ok(o) => o,
                Err(p) => return Ok(Verdict::rejected(p, copy)),
            };
            let ordered = opened.checkpoint.is_some();
            let r = verify_copy_with(
                &opened.index,
                Store::Bundle(&opened.lines, &opened.texts),
                roots,
                copy,
                Options { loosest, ordered, html },
            );
            match &opened.checkpoint {
                Some(c) => {
                    log.push(format!(
                        "checkpoint of {} at size {} signed by {}; every entry's inclusion proof checked; {}",
                        c.origin,
                        c.size,
                        c.signed_by.first().map_or("?", |(_, n)| n.as_str()),
                        witnesses_line(&c.witnesses, c.quorum)
                    ));
                    // §3.5: the checkpoint is signed by an owner of the bundle's log (checked when
                    // the bundle was opened); whether the reader trusts that owner is worth saying.
                    if let Err(p) = anchor_trusted(c, &opened.index, roots)
                        && r.ok()
                    {
                        log.push(p.message);
                    }
                    anchored_at = Some(c.size);
                    if let Some((sb, scp)) = seen {
                        let keys = owner_keys(&opened.index, &opened.origin, scp.size);
                        match verify_checkpoint(sb, &opened.origin, &keys, &Keyring::default()).and_then(|s| {
                            let hashes = proof_for(s.size, c.size)?;
                            check_consistent(&s.checkpoint, &c.checkpoint, hashes.as_deref()).map(|()| s)
                        }) {
                            Ok(s) => log.push(format!("consistent with the checkpoint you saw (size {})", s.size)),
                            Err(p) => log_problem = log_problem.or(Some(p)),
                        }
                    }
                    checkpoint = Some(c.clone());
                }
                None if !opts.insecure_ignore_log => {
                    // §3.5: without a checkpoint, a bundle is a set of signed entries in an order
                    // its writer chose.
                    return Ok(Verdict::rejected(
                        general(
                            Code::BundleUnanchored,
                            "the bundle carries no checkpoint and inclusion proofs, so nothing shows its entries are in \
                             the log or in which order they were signed; ask for a bundle made after the log's owner \
                             signed a checkpoint (`colophon checkpoint`, then `colophon bundle`), or pass \
                             --insecure-ignore-log to accept it without that",
                        ),
                        copy,
                    ));
                }
                None => {
                    log.push(
                        "NONE — --insecure-ignore-log: this bundle carries no checkpoint; nothing shows its entries are \
                         in the owner's log or in which order they were signed"
                            .into(),
                    );
                    if roots.quorum > 0 {
                        log_problem = Some(general(
                            Code::CheckpointQuorum,
                            format!(
                                "your keyring requires {} witness cosignature(s), but the bundle carries no checkpoint",
                                roots.quorum
                            ),
                        ));
                    } else if seen.is_some() {
                        log_problem = Some(general(
                            Code::ProofConsistency,
                            "the bundle carries no checkpoint to compare with the one you saw",
                        ));
                    }
                }
            }
            r
        }
        Source::Ledger { index, lines, .. } | Source::Tiles { index, lines, .. } => {
            let mut r =
                verify_copy_with(index, Store::Ledger(lines), roots, copy, Options { html, ..Options::new(loosest) });
            let origin = index.origin().unwrap_or_default();
            if let Source::Tiles { checkpoint: published, .. } = &source {
                // The published checkpoint must be signed by an owner key of the log and describe
                // exactly its lines (spec/transparency.md §7.3).
                let size = crate::log::checkpoint::Checkpoint::in_note(published).map_or(0, |c| c.size);
                let keys = owner_keys(index, &origin, size);
                match verify_checkpoint(published, &origin, &keys, roots)
                    .and_then(|c| matches_tree(&c.checkpoint, index.len(), index).map(|()| c))
                {
                    Ok(c) => {
                        log.push(format!(
                            "the published checkpoint of {origin} at size {} was verified, and every entry checked against the tiles",
                            c.size
                        ));
                        anchored_at = Some(c.size);
                        checkpoint = Some(c);
                    }
                    Err(p) => {
                        r.status = p.code;
                        r.message = format!("the published checkpoint: {}", p.message);
                        return Ok(Verdict { report: r, checkpoint: None, log, rejected: true, require_latest: false });
                    }
                }
            }
            if let Some((sb, scp)) = seen {
                let keys = owner_keys(index, &origin, scp.size);
                match verify_checkpoint(sb, &origin, &keys, roots)
                    .and_then(|s| matches_tree(&s.checkpoint, index.len(), index).map(|()| s))
                {
                    Ok(s) => {
                        log.push(format!(
                            "the ledger extends the checkpoint you saw (size {}, {})",
                            s.size,
                            witnesses_line(&s.witnesses, s.quorum)
                        ));
                        anchored_at = anchored_at.max(Some(s.size));
                    }
                    Err(p) => log_problem = Some(p),
                }
            } else if let Source::Ledger { kept, kept_name, .. } = &source
                && roots.quorum > 0
            {
                // One witness policy for every source (§2.6): a keyring that asks for witnesses
                // asks it of a ledger too, through the checkpoint kept beside it.
                match kept {
                    Ok(Some(note)) => match check_kept_checkpoint(note, kept_name, index, roots) {
                        Ok(c) => {
                            log.push(format!(
                                "the checkpoint kept beside the ledger (size {}) checks out; {}",
                                c.size,
                                witnesses_line(&c.witnesses, c.quorum)
                            ));
                            anchored_at = Some(c.size);
                        }
                        Err(why) => log.push(format!("{why}; ignored")),
                    },
                    Ok(None) => {}
                    Err(why) => log.push(format!("{why}; ignored")),
                }
            }
            r
        }
    };
    // A keyring with a witness quorum accepts a verdict only when a checkpoint that meets it covers
    // the release (§2.6); the release comes after the versions it names, so covering it covers them.
    if roots.quorum > 0 && log_problem.is_none() && report.ok() {
        let covered = matches!((anchored_at, report.release.as_ref()), (Some(size), Some(rel)) if rel.seq < size);
        if !covered {
            log_problem = Some(general(
                Code::CheckpointQuorum,
                format!(
                    "your keyring requires {} witness cosignature(s) on a checkpoint covering the release, and none does \
                     (give one with --checkpoint, or verify a bundle or tiles made after the witnesses cosigned)",
                    roots.quorum
                ),
            ));
        }
    }
    if let Some(p) = log_problem {
        report.status = p.code;
        report.message = format!("the log is not trustworthy: {}", p.message);
    }
    if opts.require_latest && report.status == Code::ReleaseSuperseded {
        report.message =
            format!("{}; only the latest release is accepted", report.message.replacen("verified: ", "", 1));
    }
    Ok(Verdict { report, checkpoint, log, rejected: false, require_latest: opts.require_latest })
}
