//! Audits that save their state at a checkpoint, and incremental audits that resume from such a
//! state (spec/transparency.md §8.1). The rules are the audit's own ([`crate::log::audit`], fed one
//! line at a time in order, so every verdict is the sequential audit's); lines are parsed and their
//! signatures checked on every core ahead of it, each check used only when the state gives exactly
//! the key it was made with.

use crate::format::entry::{Body, parse_line};
use crate::format::status::{Code, Problem, io_hint};
use crate::log::audit::{Auditor, Report};
use crate::log::lines::{Item, Lines};
use crate::log::resume::{Binding, Resumed, Saved, SavedState};
use crate::log::trust::Keyring;
use crate::store::audit::drive_with;
use crate::store::index_db::spill;
use crate::store::ledger::{LedgerError, open_for_read};
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

/// Why an audit with a state file could not run.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The state or the checkpoint cannot be used: `audit_state.invalid` and
    /// `audit_state.mismatch` are bad input; `checkpoint.*` means the checkpoint does not vouch for
    /// the state, or the ledger does not hold the history it describes (spec/transparency.md §8.1).
    #[error("{1}")]
    Refused(Code, String),
    /// The state file could not be read or written, or the flags do not fit together.
    #[error("{0}")]
    Input(String),
}

/// Reads and checks a state file (spec/transparency.md §8.1): its checksum, its format, and that
/// its tree, head and origin agree with the checkpoint it is bound to.
pub fn load_state(path: &Path) -> Result<SavedState, ResumeError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ResumeError::Input(format!("{}: cannot read the state file: {}", path.display(), io_hint(&e))))?;
    crate::log::resume::decode_spilling(bytes, Some(spill)).map_err(|(code, why)| {
        ResumeError::Refused(
            code,
            format!(
                "{}: not a usable audit state: {why}; make a new one with a full audit (`colophon audit --checkpoint CHECKPOINT --save-state FILE`)",
                path.display()
            ),
        )
    })
}

/// Where to save the state, and the signed checkpoint to bind it to.
#[derive(Clone, Copy, Debug)]
pub struct Save<'a> {
    /// The state file to write (atomically).
    pub path: &'a Path,
    /// The checkpoint's signed note.
    pub checkpoint: &'a [u8],
}

/// A state to resume from, and the checkpoint (the note's bytes) it must be bound to.
#[derive(Debug)]
pub struct Resume<'a> {
    /// The state, from [`load_state`].
    pub state: SavedState,
    /// Where it was read from, for messages.
    pub path: &'a Path,
    /// The checkpoint given with it (`--since`).
    pub checkpoint: &'a [u8],
}

/// Audits a ledger file (spec/ledger.md §11), in full or from a saved state, and saves the state
/// at a checkpoint if asked. `since` is the old checkpoint of a full audit (§8); a resumed audit
/// checks its own checkpoint instead. The report is the one a full audit gives (lines, valid
/// lines, problems, head, root), with `resumed` and `saved` telling what was done.
pub fn audit_file_with_state(
    path: &Path,
    trust: Option<&Keyring>,
    since: Option<&[u8]>,
    resume: Option<Resume<'_>>,
    save: Option<Save<'_>>,
) -> Result<Report, ResumeError> {
    let (mut file, len) = open_for_read(path)?;
    let mut saver = match save {
        Some(s) => {
            let size = Binding::of_note(s.checkpoint).map(|b| b.size);
            Some(Saver { save: s, size, trust, outcome: None, write_error: None })
        }
        None => None,
    };
    let Some(resume) = resume else {
        let mut a = Auditor::spilling(trust, since, Some(spill));
        let lines = Lines::new(BufReader::with_capacity(1 << 20, file.take(len)));
        drive(lines, &mut a, saver.as_mut(), None);
        let mut report = a.finish(since);
        settle(&mut report, saver)?;
        return Ok(report);
    };
    let Resume { state, path: state_path, checkpoint } = resume;
    let b = state.binding.clone();
    if crate::log::resume::trust_fingerprint(trust) != state.trust {
        let what = if state.trust.is_none() { "without trust roots" } else { "with other trust roots (--trust)" };
        return Err(ResumeError::Refused(
            Code::AuditStateMismatch,
            format!(
                "{}: the state was saved by an audit {what}, and its counts of entries by untrusted signers hold only for those: give the same --trust, or make a new state with a full audit",
                state_path.display()
            ),
        ));
    }
    if let Some(origin) = genesis_origin(path)?
        && origin != b.origin
    {
        return Err(ResumeError::Refused(
            Code::AuditStateMismatch,
            format!(
                "{}: the state is of log {:?}, and {}'s genesis names log {origin:?}: give the ledger the state was saved from",
                state_path.display(),
                b.origin,
                path.display()
            ),
        ));
    }
    let checked = crate::log::resume::check_resume_checkpoint(&state, checkpoint, trust)
        .map_err(|(code, why)| ResumeError::Refused(code, format!("--since: {why}; the state cannot be used")))?;
    if let Some(s) = &saver
        && s.size.is_some_and(|n| n < b.size)
    {
        return Err(ResumeError::Input(format!(
            "--checkpoint: the checkpoint to save the state at is of size {}, older than the state's ({}): an incremental audit only goes forward; save at an older checkpoint with a full audit",
            s.size.unwrap_or(0),
            b.size
        )));
    }
    // The line before the stored offset must be the state's head, the last leaf of the
    // checkpoint's tree (spec/transparency.md §8.1).
    let rewritten = |why: String| {
        ResumeError::Refused(
            Code::CheckpointInconsistent,
            format!(
                "{}: the ledger does not hold, where the state says, the line the checkpoint of size {} ends with: {why}; the file was rewritten or is another ledger: a full audit (without --state) says what changed",
                path.display(),
                b.size
            ),
        )
    };
    if len < state.offset {
        return Err(rewritten(format!("it has {len} bytes, and the checkpoint's lines took {}", state.offset)));
    }
    let head_len = usize::try_from(state.offset - state.head_offset).map_err(|_| rewritten("line too long".into()))?;
    let start = state.head_offset.saturating_sub(1);
    let lead = usize::from(state.head_offset > 0);
    let mut buf = vec![0u8; head_len + lead];
    file.seek(std::io::SeekFrom::Start(start))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| LedgerError::Io { path: path.to_path_buf(), source: e })?;
    if (lead == 1 && buf[0] != b'\n') || buf.last() != Some(&b'\n') {
        return Err(rewritten(format!("bytes {}–{} are not one whole line", state.head_offset, state.offset - 1)));
    }
    state.check_head(&buf[lead..buf.len() - 1]).map_err(rewritten)?;
    let (head_offset, offset) = (state.head_offset, state.offset);
    let mut a = Auditor::resumed(state.parts, trust);
    let lines = Lines::starting_at(BufReader::with_capacity(1 << 20, file.take(len - offset)), offset, b.size + 1);
    drive(lines, &mut a, saver.as_mut(), Some((head_offset, offset)));
    let mut report = a.finish(None);
    report.since = Some(checked);
    report.resumed =
        Some(Resumed { size: b.size, root: b.root, offset, lines_audited: report.lines.saturating_sub(b.size) });
    settle(&mut report, saver)?;
    Ok(report)
}

/// The origin the ledger's first line names, if it is a genesis entry that parses.
fn genesis_origin(path: &Path) -> Result<Option<String>, ResumeError> {
    let (file, len) = open_for_read(path)?;
    let first = Lines::new(BufReader::new(file.take(len))).next();
    Ok(match first {
        Some(Ok(Item::Line(l))) => match parse_line(&l.bytes) {
            Ok(p) => match p.entry.body {
                Body::Genesis(g) => Some(g.origin),
                _ => None,
            },
            Err(_) => None,
        },
        _ => None,
    })
}

/// [`drive_with`], saving the state when the audit reaches the checkpoint's size.
fn drive<R: BufRead>(lines: Lines<R>, a: &mut Auditor<'_>, saver: Option<&mut Saver<'_>>, start: Option<(u64, u64)>) {
    match saver {
        Some(s) => drive_with(lines, a, start, &mut |a, at| s.after(a, at)),
        None => drive_with(lines, a, start, &mut |_, _| {}),
    }
}

/// Saving the state when the audit reaches the checkpoint's size.
struct Saver<'a> {
    save: Save<'a>,
    /// The checkpoint's size (`None`: the note holds no checkpoint).
    size: Option<u64>,
    trust: Option<&'a Keyring>,
    outcome: Option<Result<Saved, Problem>>,
    /// The state could not be written: an I/O error (exit 2), not an audit finding.
    write_error: Option<String>,
}

impl Saver<'_> {
    /// After a line: if the audit has read exactly the checkpoint's lines, check the checkpoint
    /// against them and write the state. `at`: where the last line read starts and where the next
    /// one does.
    fn after(&mut self, a: &Auditor<'_>, at: Option<(u64, u64)>) {
        if self.outcome.is_some() || self.write_error.is_some() || self.size != Some(a.report.lines) {
            return;
        }
        let not_saved = |mut p: Problem| {
            p.message = format!("--checkpoint: {}; the state was not saved", p.message);
            p
        };
        let root = a.merkle_known().then(|| a.frontier().root());
        let checked =
            match crate::log::resume::check_save_checkpoint(&a.report.index, root, self.save.checkpoint, self.trust) {
                Ok(c) => c,
                Err(p) => {
                    self.outcome = Some(Err(not_saved(p)));
                    return;
                }
            };
        let binding = Binding { origin: checked.origin, size: checked.size, root: checked.root };
        let bytes = at.and_then(|(head, next)| a.state_file(&binding, head, next));
        self.outcome = Some(match bytes {
            None => Err(not_saved(Problem::general(
                Code::AuditStateInvalid,
                "the audit's state at this checkpoint cannot be kept (its versions could not be read back from the temporary file)",
            ))),
            Some(bytes) => match crate::store::files::write_file_atomic(self.save.path, &bytes) {
                Ok(()) => Ok(Saved {
                    size: binding.size,
                    root: binding.root,
                    offset: at.map_or(0, |(_, n)| n),
                    bytes: bytes.len() as u64,
                }),
                Err(e) => {
                    self.write_error = Some(format!(
                        "--save-state: cannot write the state file {e}; no state was saved (the audit itself ran: run it again once the file can be written)"
                    ));
                    return;
                }
            },
        });
    }
}

/// Adds what saving came to: the saved state, or why it was not saved.
fn settle(report: &mut Report, saver: Option<Saver<'_>>) -> Result<(), ResumeError> {
    let Some(s) = saver else { return Ok(()) };
    if let Some(e) = s.write_error {
        return Err(ResumeError::Input(e));
    }
    match s.outcome {
        Some(Ok(saved)) => report.saved = Some(saved),
        Some(Err(p)) => report.problems.push(p),
        None => {
            // The ledger is shorter than the checkpoint (or the note holds none): the signature
            // decides first, as for `--since` (§8).
            let p = match crate::log::resume::check_save_checkpoint(&report.index, None, s.save.checkpoint, s.trust) {
                Err(p) if p.code != Code::LineTooLong => p,
                _ => Problem::general(
                    Code::CheckpointInconsistent,
                    format!(
                        "history was rewritten: the checkpoint signed {} entries but the ledger now has only {}",
                        s.size.unwrap_or(0),
                        report.lines
                    ),
                ),
            };
            report
                .problems
                .push(Problem { message: format!("--checkpoint: {}; the state was not saved", p.message), ..p });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::entry::{Entry, Genesis, Release, ReleaseLangs, TextRole};
    use crate::format::hash::{Digest, entry_hash};
    use crate::format::keys::SecretKey;
    use std::io::Write as _;

    /// A ledger of many versions (more than the lean state keeps in memory under test, 32), so
    /// that a state holds versions in its table, a resumed audit moves new ones to a spill, and a
    /// chained save merges all three.
    fn ledger(k: &SecretKey, works: usize) -> Vec<Vec<u8>> {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let push = |body: Body, lines: &mut Vec<Vec<u8>>| -> Digest {
            let prev = lines.last().map(|l| entry_hash(l));
            let e = Entry::sign(lines.len() as u64, prev, "2026-01-01T00:00:00Z".into(), body, k).unwrap();
            let line = e.to_line().unwrap();
            let h = entry_hash(&line);
            lines.push(line);
            h
        };
        push(
            Body::Genesis(Genesis { origin: "t.example/x".into(), name: "Owner".into(), key: k.public() }),
            &mut lines,
        );
        for w in 0..works {
            let work = format!("w{w}");
            let v = crate::log::content::text_version(&work, TextRole::Original, "it", "", "uno\n", None, None);
            let original = push(Body::Version(Box::new(v)), &mut lines);
            let (mut parent, mut text) = (None, String::new());
            for i in 0..6 {
                let next = format!("one {i}\n");
                let v = crate::log::content::text_version(
                    &work,
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
            let r = Release {
                work: work.clone(),
                tag: "v1".into(),
                translation: parent.unwrap(),
                original,
                lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
                urls: None,
                note: None,
            };
            push(Body::Release(r), &mut lines);
        }
        lines
    }

    fn checkpoint(k: &SecretKey, lines: &[Vec<u8>]) -> Vec<u8> {
        let mut f = crate::log::merkle::Frontier::new();
        for l in lines {
            f.push(parse_line(l).unwrap().leaf);
        }
        signed_checkpoint(k, lines.len() as u64, f.root())
    }

    /// A checkpoint of origin `t.example/x` with any size and root, signed by `k`.
    fn signed_checkpoint(k: &SecretKey, size: u64, root: Digest) -> Vec<u8> {
        let cp =
            crate::log::checkpoint::Checkpoint { origin: "t.example/x".into(), size, root, extensions: Vec::new() };
        let text = cp.to_text();
        let sig = crate::log::note::sign(&text, "t.example/x", &k.signing).unwrap();
        crate::log::note::Note { text, sigs: vec![sig] }.to_bytes()
    }

    fn write(path: &Path, lines: &[Vec<u8>]) {
        let mut f = std::fs::File::create(path).unwrap();
        for l in lines {
            f.write_all(l).unwrap();
            f.write_all(b"\n").unwrap();
        }
    }

    fn same(a: &Report, b: &Report) {
        assert_eq!(a.problems, b.problems);
        assert_eq!((a.lines, a.valid_entries, a.texts_verified), (b.lines, b.valid_entries, b.texts_verified));
        assert_eq!((a.head, a.root), (b.head, b.root));
    }

    /// §7.2, transparency.md §8.1: a line over the length limit leaves the Merkle root unknown,
    /// so a checkpoint at or past it cannot be checked and no state is saved there (whatever root
    /// the checkpoint claims), with the length as the reason, whether the long line is the last
    /// one read or not; at a checkpoint before it the state is saved.
    #[test]
    fn no_state_is_saved_at_a_checkpoint_past_a_too_long_line() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 1);
        let mut lines = all[..3].to_vec();
        lines.push(vec![b'x'; crate::log::lines::MAX_LINE_LEN + 1]);
        lines.push(all[3].clone());
        let ledger_path = dir.path().join("l.jsonl");
        write(&ledger_path, &lines);
        let state = dir.path().join("s");
        let saved = |cp: &[u8]| {
            let r = audit_file_with_state(&ledger_path, None, None, None, Some(Save { path: &state, checkpoint: cp }));
            r.unwrap()
        };
        for size in [4u64, 5] {
            let note = signed_checkpoint(&k, size, Digest([9; 32]));
            let r = saved(&note);
            assert!(r.saved.is_none(), "size {size}");
            let general: Vec<(Code, &str)> =
                r.problems.iter().filter(|p| p.line.is_none()).map(|p| (p.code, p.message.as_str())).collect();
            assert_eq!(general.len(), 1, "size {size}: {general:?}");
            assert_eq!(general[0].0, Code::LineTooLong, "size {size}: {general:?}");
            assert!(general[0].1.ends_with("the state was not saved"), "size {size}: {general:?}");
            assert!(!state.exists(), "size {size}");
        }
        let r = saved(&checkpoint(&k, &lines[..3]));
        assert_eq!(r.saved.as_ref().map(|s| s.size), Some(3));
        assert!(state.exists());
    }

    /// §8.1: the state is saved only at a checkpoint whose root is the ledger's: one the owner
    /// signed for another history (here, any other root) is `checkpoint.inconsistent`, and no
    /// file is written.
    #[test]
    fn no_state_is_saved_at_a_checkpoint_of_another_history() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 1);
        let ledger_path = dir.path().join("l.jsonl");
        write(&ledger_path, &all);
        let state = dir.path().join("s");
        let note = signed_checkpoint(&k, all.len() as u64, Digest([9; 32]));
        let r = audit_file_with_state(&ledger_path, None, None, None, Some(Save { path: &state, checkpoint: &note }));
        let r = r.unwrap();
        assert!(r.saved.is_none());
        let general: Vec<Code> = r.problems.iter().filter(|p| p.line.is_none()).map(|p| p.code).collect();
        assert_eq!(general, vec![Code::CheckpointInconsistent]);
        assert!(!state.exists());
    }

    /// §8.1: a state at a checkpoint of one line (its head at offset 0) resumes; one whose head
    /// line is no longer a whole line of the file (the newline before it replaced, so the file
    /// has a line fewer, though the head's bytes are where they were) is refused; and a resumed
    /// audit saves only at a checkpoint as new as its state or newer.
    #[test]
    fn a_state_resumes_only_from_a_whole_head_line() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 1);
        let ledger_path = dir.path().join("l.jsonl");
        write(&ledger_path, &all);
        let full = crate::store::audit::audit_file(&ledger_path, None).unwrap();
        for size in [1usize, 3] {
            let state = dir.path().join(format!("s{size}"));
            let cp = checkpoint(&k, &all[..size]);
            let r = audit_file_with_state(&ledger_path, None, None, None, Some(Save { path: &state, checkpoint: &cp }));
            assert_eq!(r.unwrap().saved.map(|s| s.size), Some(size as u64));
            let resume = Resume { state: load_state(&state).unwrap(), path: &state, checkpoint: &cp };
            same(&audit_file_with_state(&ledger_path, None, None, Some(resume), None).unwrap(), &full);
        }
        // Saving at the state's own checkpoint goes on; at an older one it is refused.
        let s3 = dir.path().join("s3");
        let (cp1, cp3) = (checkpoint(&k, &all[..1]), checkpoint(&k, &all[..3]));
        let again = dir.path().join("again");
        let resume = Resume { state: load_state(&s3).unwrap(), path: &s3, checkpoint: &cp3 };
        let r = audit_file_with_state(
            &ledger_path,
            None,
            None,
            Some(resume),
            Some(Save { path: &again, checkpoint: &cp3 }),
        );
        assert!(r.is_ok(), "{:?}", r.err());
        let resume = Resume { state: load_state(&s3).unwrap(), path: &s3, checkpoint: &cp3 };
        let r = audit_file_with_state(
            &ledger_path,
            None,
            None,
            Some(resume),
            Some(Save { path: &again, checkpoint: &cp1 }),
        );
        assert!(matches!(r, Err(ResumeError::Input(ref m)) if m.contains("older than the state's")), "{r:?}");
        // The newline before the head line (line 3) becomes a space.
        let mut bytes = std::fs::read(&ledger_path).unwrap();
        let before_head = all[0].len() + 1 + all[1].len();
        assert_eq!(bytes[before_head], b'\n');
        bytes[before_head] = b' ';
        std::fs::write(&ledger_path, &bytes).unwrap();
        let resume = Resume { state: load_state(&s3).unwrap(), path: &s3, checkpoint: &cp3 };
        let r = audit_file_with_state(&ledger_path, None, None, Some(resume), None);
        assert!(
            matches!(r, Err(ResumeError::Refused(Code::CheckpointInconsistent, ref m)) if m.contains("not one whole line")),
            "{r:?}"
        );
    }

    /// §8.1, §8: at a checkpoint larger than the ledger no state is saved; the signature decides
    /// first (a checkpoint no owner signed is `checkpoint.signature`), then the history is
    /// rewritten; either way the message says the state was not saved.
    #[test]
    fn no_state_is_saved_at_a_checkpoint_past_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 1);
        let ledger_path = dir.path().join("l.jsonl");
        write(&ledger_path, &all[..3]);
        let state = dir.path().join("s");
        let other = SecretKey::from_seed(&[5; 32], "Other");
        for (signer, want) in [(&k, Code::CheckpointInconsistent), (&other, Code::CheckpointSignature)] {
            let cp = checkpoint(signer, &all);
            let r = audit_file_with_state(&ledger_path, None, None, None, Some(Save { path: &state, checkpoint: &cp }));
            let r = r.unwrap();
            assert!(r.saved.is_none());
            let general: Vec<&Problem> = r.problems.iter().filter(|p| p.line.is_none()).collect();
            assert_eq!(general.len(), 1, "{general:?}");
            assert_eq!(general[0].code, want, "{general:?}");
            assert!(general[0].message.starts_with("--checkpoint: "), "{general:?}");
            assert!(general[0].message.ends_with("; the state was not saved"), "{general:?}");
            assert!(!state.exists());
        }
    }

    /// §8.1: a state whose checksum matches is still refused when what it holds does not agree
    /// with the checkpoint it names (someone who can write the file can recompute the checksum).
    /// Each forgery below breaks one agreement: the lines read, the root, where the head is.
    #[test]
    fn a_state_whose_contents_disagree_with_its_binding_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 1);
        let ledger_path = dir.path().join("l.jsonl");
        write(&ledger_path, &all);
        let state = dir.path().join("s");
        let cp = checkpoint(&k, &all);
        let r = audit_file_with_state(&ledger_path, None, None, None, Some(Save { path: &state, checkpoint: &cp }));
        assert_eq!(r.unwrap().saved.map(|s| s.size), Some(all.len() as u64));
        let good = std::fs::read(&state).unwrap();
        assert!(crate::log::resume::decode(good.clone()).is_ok());
        // The layout (log::resume::encode): magic, origin (length, bytes), size, root, head
        // offset, offset, trust (tag 0: none), parts (length, bytes; the lines read first).
        let at_size = crate::log::resume::MAGIC.len() + 8 + "t.example/x".len();
        let (at_root, at_head, at_offset) = (at_size + 8, at_size + 40, at_size + 48);
        assert_eq!(good[at_size + 56], 0, "no trust fingerprint");
        let at_lines = at_size + 57 + 8;
        let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        assert_eq!(u64_at(&good, at_lines), all.len() as u64);
        let forged = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut b = good[..good.len() - 32].to_vec();
            edit(&mut b);
            let sum = Digest::of(&b);
            b.extend_from_slice(&sum.0);
            crate::log::resume::decode(b).map(|_| ()).map_err(|(code, _)| code)
        };
        let set = |b: &mut Vec<u8>, i: usize, v: u64| b[i..i + 8].copy_from_slice(&v.to_le_bytes());
        let refused = Err(Code::AuditStateInvalid);
        assert_eq!(forged(&|_| {}), Ok(()));
        assert_eq!(forged(&|b| set(b, at_lines, u64_at(b, at_lines) + 1)), refused, "lines read");
        assert_eq!(forged(&|b| b[at_root] ^= 1), refused, "root");
        let (head, offset) = (u64_at(&good, at_head), u64_at(&good, at_offset));
        assert!(head > 0 && head < offset);
        assert_eq!(forged(&|b| set(b, at_head, offset)), refused, "head at the end");
        // The head line is at most MAX_LINE_LEN bytes and its newline.
        let max = crate::log::lines::MAX_LINE_LEN as u64 + 1;
        assert_eq!(forged(&|b| set(b, at_offset, head + max)), Ok(()), "the longest head line");
        assert_eq!(forged(&|b| set(b, at_offset, head + max + 1)), refused, "a head line too long");
    }

    #[test]
    fn states_with_spilled_versions_resume_and_chain() {
        let dir = tempfile::tempdir().unwrap();
        let k = SecretKey::from_seed(&[4; 32], "Owner");
        let all = ledger(&k, 30);
        let (a, b) = (100, 180);
        let ledger_path = dir.path().join("l.jsonl");
        let (s1, s2) = (dir.path().join("s1"), dir.path().join("s2"));
        let (cp1, cp2) = (checkpoint(&k, &all[..a]), checkpoint(&k, &all[..b]));
        // The state at `a`, saved by a full audit of the first `b` lines.
        write(&ledger_path, &all[..b]);
        let save = Save { path: &s1, checkpoint: &cp1 };
        let r = audit_file_with_state(&ledger_path, None, None, None, Some(save)).unwrap();
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(r.saved.as_ref().map(|s| s.size), Some(a as u64));
        // Resumed at `a` and saved at `b`; then everything, from the second state.
        let state = load_state(&s1).unwrap();
        assert!(state.versions > 32);
        let resume = Resume { state, path: &s1, checkpoint: &cp1 };
        let save = Save { path: &s2, checkpoint: &cp2 };
        let r = audit_file_with_state(&ledger_path, None, None, Some(resume), Some(save)).unwrap();
        same(&r, &crate::store::audit::audit_file(&ledger_path, None).unwrap());
        write(&ledger_path, &all);
        let full = crate::store::audit::audit_file(&ledger_path, None).unwrap();
        assert!(full.is_clean());
        for (s, cp) in [(&s1, &cp1), (&s2, &cp2)] {
            let resume = Resume { state: load_state(s).unwrap(), path: s, checkpoint: cp };
            same(&audit_file_with_state(&ledger_path, None, None, Some(resume), None).unwrap(), &full);
        }
        // A release naming a translation as its original, spilled long before the state: refused
        // as in a full audit.
        let mut bad = all.clone();
        let first_translation = entry_hash(&all[2]);
        let r = Release {
            work: "w0".into(),
            tag: "v2".into(),
            translation: entry_hash(&all[7]),
            original: first_translation,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: None,
            note: None,
        };
        let e = Entry::sign(
            bad.len() as u64,
            Some(entry_hash(bad.last().unwrap())),
            "2026-01-01T00:00:00Z".into(),
            Body::Release(r),
            &k,
        )
        .unwrap();
        bad.push(e.to_line().unwrap());
        write(&ledger_path, &bad);
        let full = crate::store::audit::audit_file(&ledger_path, None).unwrap();
        assert_eq!(full.problems.first().map(|p| p.code), Some(Code::ReleaseRefInvalid));
        let resume = Resume { state: load_state(&s2).unwrap(), path: &s2, checkpoint: &cp2 };
        same(&audit_file_with_state(&ledger_path, None, None, Some(resume), None).unwrap(), &full);
    }
}
