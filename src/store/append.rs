//! The operations behind each command (spec/cli.md §3): everything a command does to a ledger,
//! as library calls that return data. `src/main.rs` only parses arguments, unlocks keys and prints.

use crate::format::diff::{Script, Stats, WordStats, word_stats};
use crate::format::entry::{
    Body, Cosign, Entry, Genesis, KeyReg, Release, ReleaseLangs, Revoke, RevokeReason, Role, TextRole, Version,
};
use crate::format::hash::{Digest, sha256_stream};
use crate::format::keys::{KeyError, KeyId, NamedKey, SecretKey};
use crate::format::status::Code;
use crate::format::status::io_hint;
use crate::log::content::{MAX_STORED_TEXT, ReconstructError, base_text, norm_hashes, reconstruct, signed_version};
use crate::log::index::Index;
use crate::store::ledger::LedgerFile;
use crate::store::ledger::{self, Appended, LedgerError, Mode};
use crate::verify::refs::resolve;
use std::io::Read;
use std::path::Path;

/// Why an operation failed. Every variant is a user-facing input or environment problem (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A key file.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Anything else the user gave us.
    #[error("{0}")]
    Input(String),
}

fn rejected(code: Code, m: impl Into<String>) -> LedgerError {
    LedgerError::Rejected { code, message: m.into() }
}

fn build_err(m: impl Into<String>) -> LedgerError {
    LedgerError::Build(m.into())
}

/// Creates a ledger whose genesis names `owner` (spec/ledger.md §6.2).
pub fn init(path: &Path, origin: &str, owner: &SecretKey) -> Result<Appended, OpError> {
    init_mode(path, origin, owner, Mode::Write)
}

/// As [`init`]; [`Mode::DryRun`] checks and makes no file.
pub fn init_mode(path: &Path, origin: &str, owner: &SecretKey, mode: Mode) -> Result<Appended, OpError> {
    crate::format::entry::check_origin(origin).map_err(OpError::Input)?;
    let body = Body::Genesis(Genesis { origin: origin.to_string(), name: owner.name.clone(), key: owner.public() });
    let e = Entry::sign(0, None, now(), body, owner).map_err(OpError::Input)?;
    Ok(ledger::create_mode(path, &e, mode)?)
}

fn sign_next(head: &ledger::Head, body: Body, key: &SecretKey) -> Result<Entry, LedgerError> {
    Entry::sign(head.seq + 1, Some(head.hash), now(), body, key).map_err(LedgerError::Build)
}

/// Registers a key (§6.3).
pub fn add_key(path: &Path, new: &NamedKey, roles: &[Role], owner: &SecretKey) -> Result<Appended, OpError> {
    add_key_mode(path, new, roles, owner, Mode::Write)
}

/// As [`add_key`], writing or only checking (`mode`).
pub fn add_key_mode(
    path: &Path,
    new: &NamedKey,
    roles: &[Role],
    owner: &SecretKey,
    mode: Mode,
) -> Result<Appended, OpError> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(OpError::Input("give at least one --role (translator, editor or owner)".into()));
    }
    Ok(ledger::append_mode(path, mode, |index, head| {
        if let Some(k) = index.key(&new.key.id()) {
            return Err(rejected(
                Code::KeyDuplicate,
                format!(
                    "key {} is already registered as {:?}{}",
                    new.key.id(),
                    k.name,
                    if k.revoked.is_some() {
                        " and was revoked; a revoked key cannot return — make a new one"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let body = Body::Key(KeyReg { key: new.key, name: new.name.clone(), roles: roles.clone() });
        sign_next(head, body, owner)
    })?)
}

/// Revokes a key given by id or unique id prefix (§6.4).
pub fn revoke_key(
    path: &Path,
    key_ref: &str,
    reason: RevokeReason,
    note: Option<String>,
    owner: &SecretKey,
) -> Result<Appended, OpError> {
    revoke_key_mode(path, key_ref, reason, note, owner, Mode::Write)
}

/// As [`revoke_key`], writing or only checking (`mode`).
pub fn revoke_key_mode(
    path: &Path,
    key_ref: &str,
    reason: RevokeReason,
    note: Option<String>,
    owner: &SecretKey,
    mode: Mode,
) -> Result<Appended, OpError> {
    Ok(ledger::append_mode(path, mode, |index, head| {
        let id = find_key(index, key_ref).map_err(build_err)?;
        let body = Body::Revoke(Revoke { key: id, reason, note: note.clone() });
        sign_next(head, body, owner)
    })?)
}

/// Finds a registered key by full id, id prefix (at least [`crate::verify::refs::MIN_PREFIX`] hex digits,
/// as for entries, spec/cli.md §2) or exact name.
pub fn find_key(index: &Index, r: &str) -> Result<KeyId, String> {
    let lower = r.to_ascii_lowercase();
    let by_id: Vec<KeyId> =
        if lower.len() >= crate::verify::refs::MIN_PREFIX && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            index.keys().into_iter().filter(|k| k.key.id().to_hex().starts_with(&lower)).map(|k| k.key.id()).collect()
        } else {
            Vec::new()
        };
    let by_name: Vec<KeyId> = index.keys().into_iter().filter(|k| k.name == r).map(|k| k.key.id()).collect();
    match (by_id.as_slice(), by_name.as_slice()) {
        ([one], _) | ([], [one]) => Ok(*one),
        ([], []) => Err(format!("no registered key has id or name {r:?}; see `colophon key list`")),
        _ => Err(format!("{r:?} matches several keys; give more of the key id (see `colophon key list`)")),
    }
}

/// The bytes of a file to record, hashed while read.
#[derive(Debug)]
pub struct Content {
    /// Length in bytes.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: Digest,
    /// The text, when the file is valid UTF-8 and small enough to hold.
    pub text: Option<String>,
    /// Why the content will not be stored as a diff, if it will not.
    pub not_stored: Option<String>,
}

/// Reads a file to record or verify: small files whole (to store or compare their text), large ones
/// streamed through SHA-256 in constant memory. `progress(done, total)` is called while streaming.
pub fn read_content(path: &Path, hash_only: bool, mut progress: impl FnMut(u64, u64)) -> Result<Content, OpError> {
    let input = |m: String| OpError::Input(format!("{}: {m}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| input(io_hint(&e)))?;
    if meta.is_dir() {
        return Err(input("is a directory; give a file".into()));
    }
    let size = meta.len();
    let mut file = std::fs::File::open(path).map_err(|e| input(io_hint(&e)))?;
    if size == 0 {
        return Err(input("is empty (0 bytes); colophon records and verifies only non-empty files".into()));
    }
    if size > MAX_STORED_TEXT {
        let (sha256, n) = sha256_stream(file, |d| progress(d, size)).map_err(|e| input(e.to_string()))?;
        let why = format!("larger than {} MiB: recorded by hash only", MAX_STORED_TEXT >> 20);
        return Ok(Content { size: n, sha256, text: None, not_stored: Some(why) });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.read_to_end(&mut bytes).map_err(|e| input(e.to_string()))?;
    let sha256 = Digest::of(&bytes);
    let size = bytes.len() as u64;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Content {
            size,
            sha256,
            not_stored: hash_only.then(|| "--hash-only: the text is not stored in the ledger".to_string()),
            text: Some(text),
        }),
        Err(_) => {
            Ok(Content { size, sha256, text: None, not_stored: Some("not UTF-8 text: recorded by hash only".into()) })
        }
    }
}

/// Guesses a media type from the file name and content (§6.5).
pub fn guess_media_type(path: &Path, is_text: bool) -> String {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let text = |t: &str| format!("{t}; charset=utf-8");
    match ext.as_str() {
        "md" | "markdown" if is_text => text("text/markdown"),
        "html" | "htm" if is_text => text("text/html"),
        "xhtml" | "xml" if is_text => text("application/xhtml+xml"),
        "tex" if is_text => text("text/x-tex"),
        "epub" => "application/epub+zip".into(),
        "pdf" => "application/pdf".into(),
        "odt" => "application/vnd.oasis.opendocument.text".into(),
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        _ if is_text => text("text/plain"),
        _ => "application/octet-stream".into(),
    }
}

/// What to record.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    /// Work id.
    pub work: String,
    /// Language as typed (canonicalized here).
    pub lang: String,
    /// Role; `None` = the role of earlier versions, else translation if `of` is given, else original.
    pub role: Option<TextRole>,
    /// REF of the original version a translation renders.
    pub of: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Media type; `None` = the parent's when the content is the parent's, else guessed.
    pub media_type: Option<String>,
}

/// An original version, as its signed line states it: its entry and its REF `WORK:LANG@N`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OriginalRef {
    /// Entry hash.
    pub entry: Digest,
    /// `WORK:LANG@N`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// N.
    pub number: u64,
}

/// What `record` wrote (or, in a dry run, would write).
#[derive(Debug)]
pub struct Recorded {
    /// The append.
    pub appended: Appended,
    /// 1-based number of the version within its work and language.
    pub number: u64,
    /// Role recorded.
    pub role: TextRole,
    /// Canonical language.
    pub lang: String,
    /// The original rendered (translations).
    pub of: Option<Digest>,
    /// Whether `of` was taken from the previous version because none was given.
    pub of_inherited: bool,
    /// The parent version.
    pub parent: Option<Digest>,
    /// Lines added/removed (stored texts).
    pub stats: Option<Stats>,
    /// Words added/removed against the parent (stored texts).
    pub words: Option<WordStats>,
    /// Why the content was not stored as a diff.
    pub not_stored: Option<String>,
    /// The version is a re-pairing (spec/ledger.md §6.5 rule 4): the parent's content, another
    /// original.
    pub repaired: bool,
    /// The original rendered, with its REF (translations).
    pub renders: Option<OriginalRef>,
    /// The latest version of the original, when it is newer than the one rendered.
    pub newer_original: Option<OriginalRef>,
}

/// The original version `of` and, when the work's original has a later version, that latest
/// version: both read from signed lines (spec/verify.md §4), the index only finding them.
pub fn original_and_latest(
    signed: &crate::verify::signed::Signed<'_>,
    index: &Index,
    of: &Digest,
) -> Result<(OriginalRef, Option<OriginalRef>), String> {
    let o = signed.version(of)?;
    let mk = |v: &crate::log::index::VersionInfo| OriginalRef {
        entry: v.hash,
        reference: format!("{}:{}@{}", v.work, v.lang, v.number),
        number: v.number,
    };
    let latest = match index.latest_version(&o.work, &o.lang) {
        Some(l) if l.hash != o.hash => {
            let l = signed.version(&l.hash)?;
            (l.seq > o.seq).then(|| mk(&l))
        }
        _ => None,
    };
    Ok((mk(&o), latest))
}

/// Records a new version (§6.5). The parent is the latest version of the work in the language.
/// `content` `None` records the parent's content again, rebuilt from the ledger and checked
/// against its signed hash: a re-pairing (§6.5 rule 4), which needs `--of` naming another original.
pub fn record(
    path: &Path,
    content: Option<Content>,
    req: &RecordRequest,
    key: &SecretKey,
    mode: Mode,
) -> Result<Recorded, OpError> {
    crate::format::entry::check_work(&req.work).map_err(OpError::Input)?;
    let lang = crate::format::entry::canonical_lang(&req.lang).map_err(OpError::Input)?;
    if let Some(n) = &req.note
        && n.trim().is_empty()
    {
        return Err(OpError::Input("--note is empty".into()));
    }
    let mut out: Option<Recorded> = None;
    let from_parent = content.is_none();
    let appended = ledger::append_mode(path, mode, |index, head| {
        let lines = LedgerFile(path);
        let signed = crate::verify::signed::Signed::new(index, crate::verify::signed::Store::Ledger(&lines));
        let versions = index.versions_of(&req.work, &lang);
        let parent = versions.last().and_then(|h| index.version(h));
        // The parent's facts that the new entry builds on come from its signed line, never from
        // the index alone (spec/verify.md §4): its hash, what it renders, its text.
        let signed_parent = match &parent {
            Some(p) => Some(signed_version(&lines, index, &p.hash).map_err(|e| build_err(e.to_string()))?.0),
            None => None,
        };
        // Without a file, the content is the parent's, rebuilt from the signed scripts (§8.5).
        let rebuilt;
        let content: &Content = match (&content, &parent, &signed_parent) {
            (Some(c), _, _) => c,
            (None, Some(p), Some(sp)) => {
                if req.of.is_none() {
                    return Err(build_err(format!(
                        "without a FILE, record re-pairs the latest version of {}:{lang} with another original: \
                         add --of REF (e.g. --of {}:LANG@N), or give the FILE to record",
                        req.work, req.work
                    )));
                }
                let text = reconstruct(&lines, index, &p.hash).map_err(|e| match e {
                    ReconstructError::NotStored(_) => build_err(format!(
                        "version {} of {}:{lang} was recorded by hash only, so its text is not in the ledger; \
                         give the FILE to record",
                        p.number, req.work
                    )),
                    e => build_err(e.to_string()),
                })?;
                if Digest::of(text.as_bytes()) != sp.sha256 {
                    return Err(build_err("internal error: the rebuilt text does not have its signed hash"));
                }
                rebuilt = Content { size: text.len() as u64, sha256: sp.sha256, text: Some(text), not_stored: None };
                &rebuilt
            }
            (None, _, _) => {
                return Err(build_err(format!(
                    "{}:{lang} has no version yet, so there is no text to re-pair: give the FILE to record",
                    req.work
                )));
            }
        };
        let existing_role = versions.first().and_then(|h| index.version(h)).map(|v| v.role);
        let role = match (req.role, existing_role) {
            (Some(r), Some(e)) if r != e => {
                return Err(rejected(
                    Code::VersionRoleMismatch,
                    format!(
                        "{}:{lang} holds {} versions; a work's texts in one language keep one role",
                        req.work,
                        e.as_str()
                    ),
                ));
            }
            (Some(r), _) => r,
            (None, Some(e)) => e,
            (None, None) if req.of.is_some() => TextRole::Translation,
            (None, None) => TextRole::Original,
        };
        if role == TextRole::Original {
            if req.of.is_some() {
                return Err(rejected(
                    Code::EntrySchemaInvalid,
                    "--of is only for translations; an original renders nothing",
                ));
            }
            if let Some(l) = index.original_lang(&req.work).filter(|l| *l != lang) {
                return Err(rejected(
                    Code::VersionRoleMismatch,
                    format!(
                        "work {} already has its original in {l}; record {lang} with --role translation --of {}:{l}",
                        req.work, req.work
                    ),
                ));
            }
        }
        let (of, of_inherited) = match (role, &req.of) {
            (TextRole::Original, _) => (None, false),
            (TextRole::Translation, Some(r)) => (Some(resolve(index, r).map_err(build_err)?), false),
            (TextRole::Translation, None) => match signed_parent.as_ref().and_then(|p| p.of) {
                Some(of) => (Some(of), true),
                None => {
                    let hint = index
                        .original_lang(&req.work)
                        .map_or(format!("{}:LANG", req.work), |l| format!("{}:{l}", req.work));
                    return Err(rejected(
                        Code::EntrySchemaInvalid,
                        format!(
                            "a translation must say which original version it renders: add --of {hint} (or an entry hash)"
                        ),
                    ));
                }
            },
        };
        if let Some(of) = of {
            match index.version(&of) {
                Some(o) if o.role == TextRole::Original && o.work == req.work && o.lang != lang => {}
                Some(o) => {
                    return Err(rejected(
                        Code::VersionOfInvalid,
                        format!(
                            "--of must name an original version of work {} in another language, not a {} of {} in {}",
                            req.work,
                            o.role.as_str(),
                            o.work,
                            o.lang
                        ),
                    ));
                }
                None => return Err(rejected(Code::VersionOfInvalid, format!("--of {of} is not a version entry"))),
            }
        }
        let (renders, newer_original) = match &of {
            Some(of) => {
                let (o, newer) = original_and_latest(&signed, index, of).map_err(build_err)?;
                (Some(o), newer)
            }
            None => (None, None),
        };
        // §6.5 rule 4: the parent's content again is a re-pairing when it renders another original.
        let mut repaired = false;
        if let (Some(p), Some(sp)) = (&parent, &signed_parent)
            && sp.sha256 == content.sha256
        {
            if role == TextRole::Translation && sp.of != of {
                repaired = true;
            } else {
                let (renders_too, hint) = match (&renders, &newer_original) {
                    (Some(o), Some(n)) => (
                        format!(", which already renders original {}", o.reference),
                        format!(
                            ". To pair this text with the newer original {}, give --of {} (no FILE needed)",
                            n.reference, n.reference
                        ),
                    ),
                    (Some(o), None) => (format!(", which already renders original {}", o.reference), String::new()),
                    _ => (String::new(), String::new()),
                };
                return Err(rejected(
                    Code::VersionUnchanged,
                    format!(
                        "this content is identical to the latest version of {}:{lang} (version {}, {}){renders_too}: nothing to record{hint}",
                        req.work,
                        p.number,
                        p.hash.short(16)
                    ),
                ));
            }
        }
        // §8.5: the script's base is the parent's reconstructed text, or "" when there is none.
        let base = match &parent {
            Some(p) if content.text.is_some() && content.not_stored.is_none() => {
                base_text(&lines, index, Some(&p.hash)).map_err(|e| build_err(e.to_string()))?
            }
            _ => String::new(),
        };
        let stored_text = content.text.as_deref().filter(|_| content.not_stored.is_none());
        let (diff, stats, words) = match stored_text {
            Some(text) => {
                let script = Script::compute(&base, text);
                // Never sign a script we could not replay (§7.4 step 4).
                if script.apply(&base).ok().as_deref() != Some(text) {
                    return Err(build_err("internal error: the computed diff does not reproduce the file"));
                }
                let words = signed_parent.as_ref().filter(|p| p.diff.is_some()).map(|_| word_stats(&base, text));
                (Some(script.to_json()), Some(script.stats()), words)
            }
            None => (None, None, None),
        };
        let media_type = match (&req.media_type, signed_parent.as_ref().filter(|_| from_parent)) {
            (Some(m), _) => m.clone(),
            (None, Some(p)) => p.media_type.clone(),
            (None, None) => guess_media_type(Path::new(""), content.text.is_some()),
        };
        let body = Body::Version(Box::new(Version {
            work: req.work.clone(),
            role,
            lang: lang.clone(),
            media_type,
            size: content.size,
            sha256: content.sha256,
            norm: content.text.as_deref().map(norm_hashes),
            parent: parent.as_ref().map(|p| p.hash),
            of,
            diff,
            diff_sha256: None,
            note: req.note.clone(),
        }));
        let entry = sign_next(head, body, key)?;
        out = Some(Recorded {
            appended: Appended { seq: 0, hash: Digest([0; 32]), line: Vec::new(), torn_saved: None, written: false },
            number: versions.len() as u64 + 1,
            role,
            lang: lang.clone(),
            of,
            of_inherited,
            parent: parent.as_ref().map(|p| p.hash),
            stats,
            words,
            not_stored: content.not_stored.clone(),
            repaired,
            renders,
            newer_original,
        });
        Ok(entry)
    })?;
    let mut rec = out.ok_or_else(|| OpError::Input("record produced no entry".into()))?;
    rec.appended = appended;
    Ok(rec)
}

/// What to release.
#[derive(Debug, Clone, Default)]
pub struct ReleaseRequest {
    /// Work id.
    pub work: String,
    /// Tag.
    pub tag: String,
    /// REF of the translation version; `None` = the latest translation of the work (if only one
    /// translation language has versions).
    pub translation: Option<String>,
    /// REF of the original version; `None` = the one the translation renders.
    pub original: Option<String>,
    /// Publication URLs.
    pub urls: Vec<String>,
    /// Note.
    pub note: Option<String>,
}

/// What `release` wrote (or, in a dry run, would write).
#[derive(Debug)]
pub struct Released {
    /// The append.
    pub appended: Appended,
    /// The original released, with its REF.
    pub original: OriginalRef,
    /// The latest version of the original, when it is newer than the one released.
    pub newer_original: Option<OriginalRef>,
}

/// Signs a release (§6.6).
pub fn release(path: &Path, req: &ReleaseRequest, key: &SecretKey, mode: Mode) -> Result<Released, OpError> {
    crate::format::entry::check_work(&req.work).map_err(OpError::Input)?;
    crate::format::entry::check_tag(&req.tag).map_err(OpError::Input)?;
    let mut found: Option<(OriginalRef, Option<OriginalRef>)> = None;
    let appended = ledger::append_mode(path, mode, |index, head| {
        if index.release_by_tag(&req.work, &req.tag).is_some() {
            return Err(rejected(
                Code::ReleaseTagDuplicate,
                format!(
                    "work {} already has a release tagged {}; choose a new tag (tags are permanent)",
                    req.work, req.tag
                ),
            ));
        }
        let translation = match &req.translation {
            Some(r) => resolve(index, r).map_err(build_err)?,
            None => latest_translation(index, &req.work).map_err(build_err)?,
        };
        let t = index
            .version(&translation)
            .filter(|v| v.role == TextRole::Translation && v.work == req.work)
            .ok_or_else(|| {
                rejected(
                    Code::ReleaseRefInvalid,
                    format!("--translation must be a translation version of work {}", req.work),
                )
            })?;
        let renders = t.of.ok_or_else(|| rejected(Code::ReleaseRefInvalid, "the translation names no original"))?;
        let original = match &req.original {
            Some(r) => resolve(index, r).map_err(build_err)?,
            None => renders,
        };
        if original != renders {
            let o = index.version(&renders);
            let given = index.version(&original).filter(|g| g.role == TextRole::Original && g.work == req.work);
            let repair = given.map_or(String::new(), |g| {
                format!(
                    "; if the translation {}:{}@{} also renders {}:{}@{}, re-pair it first: \
                     `colophon record --work {} --lang {} --of {}:{}@{}` (no FILE needed when its text is unchanged)",
                    t.work, t.lang, t.number, g.work, g.lang, g.number, t.work, t.lang, g.work, g.lang, g.number
                )
            });
            return Err(rejected(
                Code::ReleaseRefInvalid,
                format!(
                    "the translation renders {} ({}), not the --original given; a release pairs a translation with the exact original it renders{repair}",
                    o.map_or(renders.short(16), |o| format!("{}:{}@{}", o.work, o.lang, o.number)),
                    renders.short(16)
                ),
            ));
        }
        let lines = LedgerFile(path);
        let signed = crate::verify::signed::Signed::new(index, crate::verify::signed::Store::Ledger(&lines));
        found = Some(original_and_latest(&signed, index, &original).map_err(build_err)?);
        let o = index
            .version(&original)
            .ok_or_else(|| rejected(Code::ReleaseRefInvalid, "the original is not a version entry"))?;
        let body = Body::Release(Release {
            work: req.work.clone(),
            tag: req.tag.clone(),
            translation,
            original,
            lang: ReleaseLangs { original: o.lang.clone(), translation: t.lang.clone() },
            urls: (!req.urls.is_empty()).then(|| req.urls.clone()),
            note: req.note.clone(),
        });
        sign_next(head, body, key)
    })?;
    let (original, newer_original) = found.ok_or_else(|| OpError::Input("release produced no entry".into()))?;
    Ok(Released { appended, original, newer_original })
}

fn latest_translation(index: &Index, work: &str) -> Result<Digest, String> {
    let langs: Vec<String> = index
        .work_langs()
        .into_iter()
        .filter(|(w, l)| w == work && index.latest_version(w, l).map(|v| v.role) == Some(TextRole::Translation))
        .map(|(_, l)| l)
        .collect();
    match langs.as_slice() {
        [l] => index.latest_version(work, l).map(|v| v.hash).ok_or_else(|| "no versions".into()),
        [] => Err(format!("work {work} has no translation recorded yet; record one with `colophon record --of`")),
        many => Err(format!(
            "work {work} has translations in {}; say which with --translation {work}:LANG",
            many.join(", ")
        )),
    }
}

/// Countersigns a release (§6.7).
pub fn cosign(
    path: &Path,
    release_ref: &str,
    note: Option<String>,
    key: &SecretKey,
    mode: Mode,
) -> Result<Appended, OpError> {
    Ok(ledger::append_mode(path, mode, |index, head| {
        let release = resolve(index, release_ref).map_err(build_err)?;
        let r = index.release(&release).ok_or_else(|| {
            rejected(
                Code::CosignRefInvalid,
                format!("{release_ref} is not a release; cosign names a release, e.g. WORK@TAG"),
            )
        })?;
        if r.signer == key.id() {
            return Err(rejected(
                Code::CosignDuplicate,
                "you signed this release; a cosignature must come from another key",
            ));
        }
        if r.cosigners.iter().any(|(k, _, _)| *k == key.id()) {
            return Err(rejected(Code::CosignDuplicate, "this key already cosigned the release"));
        }
        sign_next(head, Body::Cosign(Cosign { release, note: note.clone() }), key)
    })?)
}

/// The current time in the entry format; honours SOURCE_DATE_EPOCH for reproducible output.
pub(crate) fn now() -> String {
    let t = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s))
        .unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(t).to_string()
}

impl From<Content> for crate::verify::copy::CopyFacts {
    fn from(c: Content) -> crate::verify::copy::CopyFacts {
        crate::verify::copy::CopyFacts { size: c.size, sha256: c.sha256, text: c.text }
    }
}
