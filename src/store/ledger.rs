//! The ledger file (spec/ledger.md §7): reading complete lines, finding the head, appending safely.
//!
//! Invariants this module keeps (§7.3): an append holds an exclusive lock, is validated against
//! the current head exactly as a verifier would validate it, and is fsynced before it is reported;
//! a failed append leaves the file byte-identical; a torn last line (a crash mid-append) is never
//! taken for an entry, and the next append moves it aside before writing.

use crate::format::entry::{Entry, ParsedLine, parse_line};
use crate::format::hash::Digest;
use crate::format::signing;
use crate::format::status::Code;
use crate::log::audit::Admission;
use crate::log::index::Index;
pub use crate::log::lines::{Head, Item, Lines, MAX_LINE_LEN, RawLine, Torn, check_chain};
use crate::store::cache::Cache;
use crate::store::index_db::{Covered, DbIndex, db_of};
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// What went wrong opening, reading or appending to a ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// No file at the path.
    #[error(
        "{path}: no ledger here; create one with `colophon init`, or point --ledger / COLOPHON_LEDGER at an existing one"
    )]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// A file exists where a new ledger was to be created.
    #[error("{path}: a file already exists; colophon never overwrites a ledger (choose another --ledger path)")]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// An OS error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file does not parse as a ledger.
    #[error("{path}:{line}: {code}: {message}{}", if *code == Code::LedgerEmpty || *line == 1 { "" } else { "; run `colophon audit` for a full report" })]
    Damaged {
        /// The path.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// Status code.
        code: Code,
        /// What is wrong.
        message: String,
    },
    /// The new entry breaks a rule; nothing was written.
    #[error("{code}: {message}")]
    Rejected {
        /// Status code.
        code: Code,
        /// What is wrong.
        message: String,
    },
    /// A caller-side failure while building the entry; nothing was written.
    #[error("{0}")]
    Build(String),
    /// The index disagreed with a signed line the new entry would rest on; nothing was written.
    /// `append` rebuilds the index and tries once more before it reports this.
    #[error(
        "the ledger's index disagrees with the ledger ({0}); it was rebuilt, and the entry was not written: run the command again"
    )]
    IndexDisagrees(String),
}

impl LedgerError {
    fn io(path: &Path) -> impl FnOnce(io::Error) -> LedgerError + '_ {
        move |source| {
            if source.kind() == io::ErrorKind::NotFound {
                LedgerError::NotFound { path: path.to_path_buf() }
            } else {
                LedgerError::Io { path: path.to_path_buf(), source }
            }
        }
    }
}

/// A consistent view of a ledger: the state of every complete line, the head, and any torn line.
#[derive(Debug)]
pub struct Snapshot {
    /// The state: every entry that an audit lets into it (spec/ledger.md §11), and the position
    /// of every line.
    pub index: Index,
    /// The last entry.
    pub head: Option<Head>,
    /// Length of the complete part of the file.
    pub len: u64,
    /// Bytes after the last newline, if any.
    pub torn: Option<Torn>,
    /// Why the state was built in memory instead of kept in the cache, if it was (cache.rs).
    pub warnings: Vec<String>,
}

impl Snapshot {
    /// One line per ledger line an audit reports a problem for (the first few, then a count), in
    /// the form `<ledger>:<line>: <code>: <why>`, ending in `; ignored` for lines that did not enter
    /// the state, for commands to show.
    pub fn rejected_lines(&self, path: &Path) -> Vec<String> {
        let (n, first) = self.index.rejected();
        let mut out: Vec<String> = first
            .iter()
            .map(|(seq, why)| format!("{}:{}: {why} (run `colophon audit`)", path.display(), seq + 1))
            .collect();
        if n > first.len() as u64 {
            out.push(format!(
                "{}: {} more lines with problems; run `colophon audit`",
                path.display(),
                n - first.len() as u64
            ));
        }
        out
    }
}

/// Read buffer for whole-file scans.
const SCAN_BUF: usize = 1 << 20;

/// Opens a ledger for reading and returns it with the length of a consistent prefix (§7.2):
/// the length is read under a shared lock, so no append is half-way through it, and everything
/// before it is immutable because the file only grows.
pub fn open_for_read(path: &Path) -> Result<(File, u64), LedgerError> {
    let file = File::open(path).map_err(LedgerError::io(path))?;
    let meta = file.metadata().map_err(LedgerError::io(path))?;
    if meta.is_dir() {
        return Err(LedgerError::Io {
            path: path.to_path_buf(),
            source: io::Error::other("is a directory, not a ledger file"),
        });
    }
    file.lock_shared().map_err(LedgerError::io(path))?;
    let len = file.metadata().map(|m| m.len());
    let _ = file.unlock();
    Ok((file, len.map_err(LedgerError::io(path))?))
}

/// Reads a ledger's state (§7.3): every line is admitted exactly as an audit judges it (§11,
/// signatures included), so the state holds only entries an audit lets in; a file whose lines do
/// not parse or chain is refused. The state is kept in the user's cache (`cache.rs`) between
/// commands, so that only lines appended since are checked; without a usable cache it is built in
/// memory.
pub fn load(path: &Path) -> Result<Snapshot, LedgerError> {
    load_with(path, &Cache::from_env())
}

/// As [`load`], with the cache given explicitly ([`Cache::None`]: in memory).
pub fn load_with(path: &Path, cache: &Cache) -> Result<Snapshot, LedgerError> {
    let (_file, len) = open_for_read(path)?;
    load_upto(path, len, cache)
}

/// The Merkle tree's stored hashes (spec/transparency.md §2) of the first `size` lines, computed
/// from the ledger's bytes: what a checkpoint signs and `publish` writes must be the ledger's, not
/// whatever an index holds.
pub fn merkle_hashes(path: &Path, size: u64) -> Result<Vec<Digest>, LedgerError> {
    let (file, len) = open_for_read(path)?;
    let mut hashes: Vec<Digest> = Vec::new();
    let mut seq = 0u64;
    for item in Lines::new(BufReader::with_capacity(SCAN_BUF, file.take(len))) {
        if seq >= size {
            break;
        }
        match item.map_err(LedgerError::io(path))? {
            Item::Line(l) => {
                let leaf = crate::format::hash::leaf_hash(&l.bytes);
                let new = crate::log::merkle::stored_hashes(seq, leaf, &hashes)
                    .map_err(|m| LedgerError::Build(format!("Merkle tree: {m}")))?;
                hashes.extend(new);
                seq += 1;
            }
            Item::TooLong { number, .. } => {
                return Err(LedgerError::Damaged {
                    path: path.to_path_buf(),
                    line: number,
                    code: Code::LineTooLong,
                    message: format!("line longer than {MAX_LINE_LEN} bytes"),
                });
            }
            Item::Torn(_) => break,
        }
    }
    if seq < size {
        return Err(LedgerError::Build(format!("the ledger has {seq} lines, fewer than {size}")));
    }
    Ok(hashes)
}

/// Throws away the cached index of a ledger (the next load rebuilds it from the ledger): for when
/// the index was found to disagree with a signed line.
pub fn discard_index(path: &Path, cache: &Cache) {
    if let Ok(Some(ipath)) = cache.index_path(path) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = ipath.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// Loads the state of the first `len` bytes of the ledger.
fn load_upto(path: &Path, len: u64, cache: &Cache) -> Result<Snapshot, LedgerError> {
    let mut warnings = Vec::new();
    // Never make an index for a file that is not a ledger.
    if starts_with_genesis(path) {
        match cache.index_path(path) {
            Ok(None) => {}
            Err(e) => warnings.push(format!("{e}; the ledger was checked in memory instead")),
            Ok(Some(ipath)) => {
                if std::fs::symlink_metadata(&ipath).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(LedgerError::Io {
                        path: ipath,
                        source: io::Error::other(
                            "is a symbolic link; colophon never writes its index through a link: remove it",
                        ),
                    });
                }
                match DbIndex::open(&ipath) {
                    Ok(db) => match sync(path, len, Index::persistent(Box::new(db))) {
                        Ok(snap) => return Ok(snap),
                        Err(SyncError::Ledger(e)) => return Err(e),
                        // The index itself failed: answer from a scan instead.
                        Err(SyncError::Index) => warnings
                            .push(format!("{}: the index failed; the ledger was checked in memory", ipath.display())),
                    },
                    Err(m) => warnings.push(format!("{m}; the ledger was checked in memory")),
                }
            }
        }
    }
    let mut snap = Snapshot { index: Index::new_with_hashes(), head: None, len: 0, torn: None, warnings };
    scan_range(path, len, &mut snap)?;
    finish(path, snap)
}

/// Whether the file's first line is a well-formed genesis entry.
fn starts_with_genesis(path: &Path) -> bool {
    let Ok(file) = File::open(path) else { return false };
    match Lines::new(BufReader::new(file)).next() {
        Some(Ok(Item::Line(l))) => {
            parse_line(&l.bytes).is_ok_and(|p| matches!(p.entry.body, crate::format::entry::Body::Genesis(_)))
        }
        _ => false,
    }
}

enum SyncError {
    Ledger(LedgerError),
    Index,
}

/// Brings a persistent index up to date with the first `len` bytes of the ledger (§7.2 rules).
fn sync(path: &Path, len: u64, mut index: Index) -> Result<Snapshot, SyncError> {
    let Some(db) = db_of(&mut index) else { return Err(SyncError::Index) };
    // IMMEDIATE: of two processes catching up at once, the second waits and then finds nothing
    // left to do, instead of indexing the same lines twice.
    db.begin().map_err(|_| SyncError::Index)?;
    let covered = db.covered().map_err(|_| SyncError::Index)?;
    let trusted = covered.len <= len
        && match covered.head {
            None => covered.len == 0,
            Some((_, hash, off, l)) => {
                off + l + 1 == covered.len
                    && read_line_at(path, off, l).is_ok_and(|line| crate::format::hash::entry_hash(&line) == hash)
            }
        };
    let mut snap = Snapshot { index, head: None, len: 0, torn: None, warnings: Vec::new() };
    if trusted {
        snap.len = covered.len;
        snap.head = covered.head.map(|(seq, hash, _, _)| Head { seq, hash });
    } else if let Some(db) = db_of(&mut snap.index) {
        // Truncated, replaced or rewritten behind the index's back: start over.
        db.reset().map_err(|_| SyncError::Index)?;
    }
    let mut last = covered.head.filter(|_| trusted).map(|(_, _, o, l)| (o, l));
    let scanned = scan_range(path, len, &mut snap).map(|l| {
        if l.is_some() {
            last = l;
        }
    });
    let Some(db) = db_of(&mut snap.index) else { return Err(SyncError::Index) };
    if let Err(e) = scanned {
        db.rollback();
        return Err(SyncError::Ledger(e));
    }
    if trusted && last == covered.head.map(|(_, _, o, l)| (o, l)) {
        // Already up to date: nothing to write.
        db.rollback();
        return finish(path, snap).map_err(SyncError::Ledger);
    }
    if snap.index.failure().is_some() {
        if let Some(db) = db_of(&mut snap.index) {
            db.rollback();
        }
        return Err(SyncError::Index);
    }
    let c = Covered {
        len: snap.len,
        count: snap.index.len(),
        head: snap.head.zip(last).map(|(h, (o, l))| (h.seq, h.hash, o, l)),
    };
    let Some(db) = db_of(&mut snap.index) else { return Err(SyncError::Index) };
    db.commit(&c).map_err(|_| SyncError::Index)?;
    // A catch-up (a rebuild, or lines another writer appended) may leave a large write-ahead
    // log; fold it into the database now, or every later open would have to read it through.
    db.checkpoint_if_large();
    finish(path, snap).map_err(SyncError::Ledger)
}

/// Admits the complete lines between `snap.len` and `len` into `snap`'s state, exactly as an
/// audit would (§11): a line that does not parse or chain on from `snap.head` makes the file
/// damaged (an error); a line that breaks a signer, signature or state rule is recorded and kept
/// out of the state. Returns the offset and length of the last line read.
fn scan_range(path: &Path, len: u64, snap: &mut Snapshot) -> Result<Option<(u64, u64)>, LedgerError> {
    let mut admission = Admission::new(std::mem::take(&mut snap.index), snap.head);
    let scanned = scan_lines(path, len, snap, &mut admission);
    // The state goes back whatever happened, so a caller can roll back its transaction.
    snap.index = admission.finish();
    scanned
}

fn scan_lines(
    path: &Path,
    len: u64,
    snap: &mut Snapshot,
    admission: &mut Admission,
) -> Result<Option<(u64, u64)>, LedgerError> {
    use rayon::prelude::*;
    use std::io::{Seek, SeekFrom};
    let damaged =
        |line: u64, code: Code, message: String| LedgerError::Damaged { path: path.to_path_buf(), line, code, message };
    let mut file = File::open(path).map_err(LedgerError::io(path))?;
    file.seek(SeekFrom::Start(snap.len)).map_err(LedgerError::io(path))?;
    let reader = BufReader::with_capacity(SCAN_BUF, file.take(len.saturating_sub(snap.len)));
    let first_number = snap.head.map_or(1, |h| h.seq + 2);
    let mut last = None;
    let mut lines = Lines::starting_at(reader, snap.len, first_number);
    loop {
        // A chunk at a time: parsed and signature-checked on every core, then admitted in order.
        let mut chunk: Vec<RawLine> = Vec::new();
        let mut end: Option<Item> = None;
        let mut bytes = 0usize;
        for item in lines.by_ref() {
            match item.map_err(LedgerError::io(path))? {
                Item::Line(l) => {
                    bytes += l.bytes.len();
                    chunk.push(l);
                    if chunk.len() >= ADMIT_CHUNK || bytes >= SCAN_BUF * 16 {
                        break;
                    }
                }
                other => {
                    end = Some(other);
                    break;
                }
            }
        }
        if chunk.is_empty() && end.is_none() {
            return Ok(last);
        }
        let parsed: Vec<_> = chunk.par_iter().map(|l| parse_line(&l.bytes)).collect();
        let mut batch = Vec::with_capacity(chunk.len());
        for (l, p) in chunk.into_iter().zip(parsed) {
            let p = p.map_err(|(c, m)| {
                if l.number == 1 {
                    damaged(1, c, format!("not a colophon ledger, or one whose first line is damaged: {m}"))
                } else {
                    damaged(l.number, c, m)
                }
            })?;
            check_chain(snap.head.as_ref(), &p).map_err(|(c, m)| damaged(l.number, c, m))?;
            if p.entry.seq == 0 && !matches!(p.entry.body, crate::format::entry::Body::Genesis(_)) {
                return Err(damaged(
                    l.number,
                    Code::GenesisMissing,
                    "this file does not start with a colophon genesis entry; is it a colophon ledger?".into(),
                ));
            }
            snap.head = Some(Head { seq: p.entry.seq, hash: p.hash });
            snap.len = l.offset + l.bytes.len() as u64 + 1;
            last = Some((l.offset, l.bytes.len() as u64));
            batch.push((l, p));
        }
        let admitted = !batch.is_empty();
        let problems = admission.lines(batch);
        if admitted && admission.index().is_empty() {
            // The genesis itself was rejected (§11 steps 6–7): nothing can enter after it.
            let (code, why) = problems
                .first()
                .and_then(|p| p.first())
                .map_or((Code::GenesisSigner, String::new()), |p| (p.code, p.message.clone()));
            return Err(damaged(1, code, format!("the genesis entry is not valid: {why}")));
        }
        match end {
            Some(Item::TooLong { number, .. }) => {
                return Err(damaged(number, Code::LineTooLong, format!("line longer than {MAX_LINE_LEN} bytes")));
            }
            Some(Item::Torn(t)) => {
                snap.torn = Some(t);
                return Ok(last);
            }
            _ => {}
        }
    }
}

/// Lines admitted together (parsed and signature-checked on every core first).
const ADMIT_CHUNK: usize = 4096;

fn finish(path: &Path, snap: Snapshot) -> Result<Snapshot, LedgerError> {
    if snap.head.is_none() {
        let what = match snap.torn {
            Some(t) => format!("it holds only {} bytes of an interrupted first line", t.len),
            None => "it is empty".into(),
        };
        return Err(LedgerError::Damaged {
            path: path.to_path_buf(),
            line: 1,
            code: Code::LedgerEmpty,
            message: format!("not a colophon ledger: {what}; create a ledger with `colophon init`"),
        });
    }
    Ok(snap)
}

/// Whether an append writes (spec/cli.md §3, `--dry-run`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Check the entry and write it.
    #[default]
    Write,
    /// Check the entry exactly as [`Mode::Write`] would, then write nothing: not the ledger, not
    /// the index in the cache (the state is built in memory), not a torn line's copy.
    DryRun,
}

/// What an append wrote (or, in [`Mode::DryRun`], would have written).
#[derive(Clone, Debug)]
pub struct Appended {
    /// The new entry's seq.
    pub seq: u64,
    /// Its hash.
    pub hash: Digest,
    /// Its line (without newline).
    pub line: Vec<u8>,
    /// Where a torn line found before appending was saved, if any.
    pub torn_saved: Option<PathBuf>,
    /// Whether the line was written ([`Mode::Write`]) or only checked ([`Mode::DryRun`]).
    pub written: bool,
}

/// Validates a new entry against the state exactly as a verifier would (§11), so that nothing a
/// verifier would reject is ever written. With the ledger's `path`, a version's script is also
/// replayed on its base as the ledger's signed lines give it (§8.5, §11 step 10): a script computed
/// against any other text is refused here, not found by a later audit.
fn validate_new(
    index: &Index,
    head: Option<&Head>,
    entry: &Entry,
    path: Option<&Path>,
) -> Result<ParsedLine, LedgerError> {
    let rejected = |(code, message): (Code, String)| LedgerError::Rejected { code, message };
    let line = entry.to_line().map_err(LedgerError::Build)?;
    let p = parse_line(&line).map_err(rejected)?;
    check_chain(head, &p).map_err(rejected)?;
    index.check_signer(&p.entry).map_err(rejected)?;
    let key = index
        .signer_key(&p.entry)
        .ok_or_else(|| rejected((Code::EntrySignerUnknown, "signer not registered".into())))?;
    if !signing::verify_entry(&key.0, &p.signed_bytes, &p.entry.sig) {
        return Err(rejected((Code::EntrySignatureInvalid, "the new entry's signature does not verify".into())));
    }
    index.check_body(&p.entry).map_err(rejected)?;
    if let Some(path) = path {
        check_signed(path, index, &p)?;
    }
    // §3.4, §11 step 10: a ledger keeps every script; a line in committed form is never appended.
    if let crate::format::entry::Body::Version(v) = &p.entry.body
        && v.withheld()
    {
        return Err(rejected((
            Code::DiffWithheld,
            "a version line in a ledger carries its script, not `diff_sha256`".into(),
        )));
    }
    if let (Some(path), crate::format::entry::Body::Version(v)) = (path, &p.entry.body)
        && let Some(diff) = &v.diff
    {
        let base = crate::log::content::base_text(&LedgerFile(path), index, v.parent.as_ref())
            .map_err(|e| LedgerError::Build(format!("the parent version's text cannot be read: {e}")))?;
        crate::format::diff::Script::from_json(diff)
            .and_then(|s| s.apply(&base))
            .map_err(|d| (d.code, d.message))
            .and_then(|t| crate::log::content::check_facts(&t, v.size, &v.sha256, v.norm.as_ref()))
            .map_err(rejected)?;
    }
    Ok(p)
}

/// Re-checks, against the signed lines of the ledger, what the state said about the entries a new
/// entry names (spec/verify.md §4): the signer's key and roles, a version's parent and original, a
/// release's versions, a cosign's release, a revocation's key. The state found them; the lines
/// must say the same, or the index is not what the ledger holds ([`LedgerError::IndexDisagrees`]).
fn check_signed(path: &Path, index: &Index, p: &ParsedLine) -> Result<(), LedgerError> {
    use crate::format::entry::{Body, TextRole};
    let file = LedgerFile(path);
    let signed = crate::verify::signed::Signed::new(index, crate::verify::signed::Store::Ledger(&file));
    let e = &p.entry;
    let disagrees = |what: String| LedgerError::IndexDisagrees(what);
    let mut problem: Option<String> = None;
    let mut expect = |ok: bool, what: &str| {
        if !ok && problem.is_none() {
            problem = Some(what.to_string());
        }
    };
    if !matches!(e.body, Body::Genesis(_)) {
        let k = signed.key(&e.signer);
        let allowed: &[crate::format::entry::Role] = match &e.body {
            Body::Key(_) | Body::Revoke(_) => &[crate::format::entry::Role::Owner],
            Body::Release(_) => &[crate::format::entry::Role::Owner, crate::format::entry::Role::Translator],
            _ => &[
                crate::format::entry::Role::Owner,
                crate::format::entry::Role::Editor,
                crate::format::entry::Role::Translator,
            ],
        };
        expect(
            k.as_ref().is_some_and(|k| k.active_at(e.seq) && allowed.iter().any(|r| k.has(*r))),
            "the signer's registration",
        );
    }
    match &e.body {
        Body::Version(v) => {
            if let Some(parent) = &v.parent {
                let ok =
                    signed.version(parent).is_ok_and(|pv| pv.work == v.work && pv.lang == v.lang && pv.role == v.role);
                expect(ok, "the parent version");
            }
            if let Some(of) = &v.of {
                let ok = signed
                    .version(of)
                    .is_ok_and(|o| o.role == TextRole::Original && o.work == v.work && o.lang != v.lang);
                expect(ok, "the original version rendered");
            }
        }
        Body::Release(r) => {
            let t = signed.version(&r.translation).ok();
            let o = signed.version(&r.original).ok();
            let ok = matches!((&t, &o), (Some(t), Some(o))
                if t.role == TextRole::Translation && t.work == r.work && t.lang == r.lang.translation
                    && o.role == TextRole::Original && o.work == r.work && o.lang == r.lang.original
                    && t.of == Some(r.original));
            expect(ok, "the release's versions");
        }
        Body::Cosign(c) => expect(signed.release(&c.release).is_ok(), "the release cosigned"),
        Body::Revoke(r) => expect(signed.key(&r.key).is_some_and(|k| k.revoked.is_none()), "the key revoked"),
        Body::Genesis(_) | Body::Key(_) | Body::Unknown { .. } => {}
    }
    let problem = problem.or(signed.disagreed());
    match problem {
        Some(what) => Err(disagrees(what)),
        None => Ok(()),
    }
}

/// Creates a new ledger holding only `genesis` (§7.3). Refuses to overwrite anything.
pub fn create(path: &Path, genesis: &Entry) -> Result<Appended, LedgerError> {
    create_mode(path, genesis, Mode::Write)
}

/// As [`create`]; in [`Mode::DryRun`] the same checks (the entry, and that nothing is at `path`
/// and its directory exists), and no file is made.
pub fn create_mode(path: &Path, genesis: &Entry, mode: Mode) -> Result<Appended, LedgerError> {
    let p = validate_new(&Index::new(), None, genesis, None)?;
    let line = genesis.to_line().map_err(LedgerError::Build)?;
    if mode == Mode::DryRun {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(LedgerError::Exists { path: path.to_path_buf() });
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(LedgerError::Io {
                path: path.to_path_buf(),
                source: io::Error::other("its directory does not exist; create the directory first"),
            });
        }
        return Ok(Appended { seq: 0, hash: p.hash, line, torn_saved: None, written: false });
    }
    let mut f = OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => LedgerError::Exists { path: path.to_path_buf() },
        io::ErrorKind::NotFound => LedgerError::Io {
            path: path.to_path_buf(),
            source: io::Error::other("its directory does not exist; create the directory first"),
        },
        _ => LedgerError::io(path)(e),
    })?;
    let written = (|| {
        let mut buf = line.clone();
        buf.push(b'\n');
        f.write_all(&buf)?;
        f.sync_all()?;
        sync_parent_dir(path)
    })();
    if let Err(e) = written {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(LedgerError::io(path)(e));
    }
    Ok(Appended { seq: 0, hash: p.hash, line, torn_saved: None, written: true })
}

fn sync_parent_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// Appends one entry (§7.3). `build` receives the current state and head and returns the signed
/// entry; it runs under the exclusive lock, so the state it sees is the state the entry follows.
pub fn append(
    path: &Path,
    build: impl FnMut(&Index, &Head) -> Result<Entry, LedgerError>,
) -> Result<Appended, LedgerError> {
    append_mode(path, Mode::Write, build)
}

/// As [`append`]; in [`Mode::DryRun`] every check runs as it would for the real append (under the
/// lock, on the state an audit builds, the script replayed on its signed base), and nothing is
/// written: the ledger is opened read-only and the state is built in memory, so neither the
/// ledger, nor the index in the cache, nor a torn line's copy is touched.
pub fn append_mode(
    path: &Path,
    mode: Mode,
    mut build: impl FnMut(&Index, &Head) -> Result<Entry, LedgerError>,
) -> Result<Appended, LedgerError> {
    let io = LedgerError::io(path);
    let dry = mode == Mode::DryRun;
    let mut file = if dry {
        OpenOptions::new().read(true).open(path).map_err(io)?
    } else {
        OpenOptions::new().read(true).append(true).open(path).map_err(io)?
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(LedgerError::Io {
            path: path.to_path_buf(),
            source: io::Error::other("is a directory, not a ledger file"),
        });
    }
    // A dry run takes the shared lock: it waits for an append under way, and writes nothing.
    if dry { file.lock_shared() } else { file.lock() }.map_err(LedgerError::io(path))?;
    // The lock is released when `file` is dropped, on every path out of this function.
    let len_now = file.metadata().map_err(LedgerError::io(path))?.len();
    let cache = if dry { Cache::None } else { Cache::from_env() };
    let mut attempt = 0;
    let (mut snap, head, entry, p) = loop {
        let snap = load_upto(path, len_now, &cache)?;
        let Some(head) = snap.head else {
            return Err(LedgerError::Damaged {
                path: path.to_path_buf(),
                line: 1,
                code: Code::LedgerEmpty,
                message: "the ledger has no complete entry".into(),
            });
        };
        let built = build(&snap.index, &head)
            .and_then(|entry| validate_new(&snap.index, Some(&head), &entry, Some(path)).map(|p| (entry, p)));
        match built {
            Ok((entry, p)) => break (snap, head, entry, p),
            // The index said something a signed line does not: rebuild it from the ledger (under
            // the lock, so nothing moves meanwhile) and build the entry again on what it says.
            Err(LedgerError::IndexDisagrees(_)) if attempt == 0 => {
                attempt += 1;
                drop(snap);
                discard_index(path, &cache);
            }
            Err(e) => return Err(e),
        }
    };
    // An index that failed to answer may have hidden a rule violation: write nothing.
    if let Some(f) = snap.index.failure() {
        return Err(LedgerError::Build(f));
    }
    if dry {
        let line = p_line(&entry)?;
        return Ok(Appended { seq: p.entry.seq, hash: p.hash, line, torn_saved: None, written: false });
    }

    let torn_saved = match snap.torn {
        Some(t) => Some(set_aside_torn_line(path, &file, t, snap.len)?),
        None => None,
    };
    let mut buf = p_line(&entry)?;
    buf.push(b'\n');
    if let Err(e) = file.write_all(&buf).and_then(|()| file.sync_data()) {
        // Leave the file as it was: cut off whatever part of the line reached it.
        let _ = file.set_len(snap.len).and_then(|()| file.sync_data());
        return Err(LedgerError::io(path)(e));
    }
    buf.pop();
    // The entry is durable; now the index. If this fails, the next load catches the index up.
    let offset = snap.len;
    let began = db_of(&mut snap.index).is_some_and(|db| db.begin().is_ok());
    if began {
        // Through the audit's rules like any other line, so the kept text is the one an audit
        // would rebuild (§8.5).
        let (seq, hash, n) = (p.entry.seq, p.hash, buf.len() as u64);
        let number = seq + 1;
        let mut admission = Admission::new(std::mem::take(&mut snap.index), Some(head));
        admission.line(RawLine { number, offset, bytes: buf.clone() }, p);
        snap.index = admission.finish();
        let c = Covered { len: offset + n + 1, count: snap.index.len(), head: Some((seq, hash, offset, n)) };
        let failed = snap.index.failure().is_some();
        if let Some(db) = db_of(&mut snap.index) {
            if failed || db.commit(&c).is_err() {
                db.rollback();
            } else {
                db.checkpoint_if_large();
            }
        }
        return Ok(Appended { seq, hash, line: buf, torn_saved, written: true });
    }
    Ok(Appended { seq: p.entry.seq, hash: p.hash, line: buf, torn_saved, written: true })
}

fn p_line(entry: &Entry) -> Result<Vec<u8>, LedgerError> {
    entry.to_line().map_err(LedgerError::Build)
}

/// Copies a torn line to `<ledger>.torn-<offset>` (fsynced) and truncates it away (§7.3), so the
/// evidence of the crash survives and the next line starts on a line boundary.
fn set_aside_torn_line(path: &Path, file: &File, t: Torn, good_len: u64) -> Result<PathBuf, LedgerError> {
    use std::os::unix::fs::FileExt as _;
    let mut tail = vec![0u8; usize::try_from(t.len).unwrap_or(0)];
    file.read_exact_at(&mut tail, t.offset).map_err(LedgerError::io(path))?;
    // A new file, never through a link and never over an existing file: anyone who can write the
    // ledger's directory could have put a link to another file of the user's at this name, and
    // they also choose the torn bytes. An earlier file of the same name gets a numbered sibling.
    let mut n = 0u32;
    let (saved, mut out) = loop {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".torn-{}", t.offset));
        if n > 0 {
            name.push(format!(".{n}"));
        }
        let candidate = PathBuf::from(name);
        match create_new_nofollow(&candidate) {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(LedgerError::io(&candidate)(e)),
        }
    };
    out.write_all(&tail).and_then(|()| out.sync_all()).map_err(LedgerError::io(&saved))?;
    file.set_len(good_len).and_then(|()| file.sync_data()).map_err(LedgerError::io(path))?;
    Ok(saved)
}

/// Creates a new file (mode 0666 less the umask), failing if anything — a file, a symbolic link,
/// even a dangling one — is at `path`.
fn create_new_nofollow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new().write(true).create_new(true).custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32).open(path)
}

/// A ledger file, read a line at a time at the places an index gives.
#[derive(Clone, Copy, Debug)]
pub struct LedgerFile<'a>(pub &'a Path);

impl crate::log::lines::LineAt for LedgerFile<'_> {
    fn line_at(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        read_line_at(self.0, offset, len).map_err(|e| e.to_string())
    }
}

/// Reads one line at a known location (offset and length from the index). The location is only a
/// hint: a length past the longest line (§7.1) or past the end of the file is refused before any
/// memory is taken for it, and the caller checks the bytes hash to the entry it wanted.
pub fn read_line_at(path: &Path, offset: u64, len: u64) -> Result<Vec<u8>, LedgerError> {
    use std::os::unix::fs::FileExt as _;
    let file = File::open(path).map_err(LedgerError::io(path))?;
    let size = file.metadata().map_err(LedgerError::io(path))?.len();
    if len > MAX_LINE_LEN as u64 || offset.checked_add(len).is_none_or(|end| end > size) {
        return Err(LedgerError::Io {
            path: path.to_path_buf(),
            source: io::Error::other(format!(
                "no line of {len} bytes at offset {offset} (the index is not what the ledger holds)"
            )),
        });
    }
    let n = usize::try_from(len).map_err(|_| LedgerError::Build("line too long".into()))?;
    let mut buf = vec![0u8; n];
    file.read_exact_at(&mut buf, offset).map_err(LedgerError::io(path))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(data: &[u8]) -> Vec<Item> {
        Lines::new(data).map(|i| i.unwrap()).collect()
    }

    #[test]
    fn lines_and_torn_line() {
        let v = items(b"a\nbb\ncc");
        assert!(matches!(&v[0], Item::Line(l) if l.bytes == b"a" && l.offset == 0 && l.number == 1));
        assert!(matches!(&v[1], Item::Line(l) if l.bytes == b"bb" && l.offset == 2));
        assert!(matches!(&v[2], Item::Torn(t) if t.offset == 5 && t.len == 2 && t.number == 3));
        assert_eq!(items(b"").len(), 0);
        assert_eq!(items(b"\n").len(), 1);
    }
}
