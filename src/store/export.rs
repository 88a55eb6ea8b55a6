//! Exports of a ledger into formats other tools read (spec/exports.md).

use crate::format::entry::{Body, parse_line};
use crate::format::hash::Digest;
use crate::format::keys::SecretKey;
use crate::format::{minisign, signing};
use crate::log::lines::LineAt;
use crate::store::ledger::{self, LedgerFile};
use std::path::Path;

/// A release's translation with its minisign signature (spec/exports.md §1).
#[derive(Debug)]
pub struct Minisig {
    /// The release's entry hash.
    pub release: Digest,
    /// `WORK@TAG`.
    pub release_label: String,
    /// The translation's language.
    pub lang: String,
    /// Its media type.
    pub media_type: String,
    /// The translation's exact bytes, checked against its signed hash.
    pub text: String,
    /// Their SHA-256 (signed in the translation's version entry).
    pub sha256: Digest,
    /// The `.minisig` file.
    pub minisig: String,
    /// The comment it signs.
    pub trusted_comment: String,
}

/// A release signed by `key` and its translation's exact text, from signed lines only (the
/// release line, found through the index, must hash to the release's entry hash and verify under
/// `key`; the text is rebuilt and checked against the hash signed in the translation's line, which
/// the release names by entry hash): what `export minisig` and `export clearsign` sign again.
struct SignedRelease {
    hash: Digest,
    release: crate::format::entry::Release,
    text: String,
    media_type: String,
    origin: String,
}

fn signed_release(path: &Path, release_ref: &str, key: &SecretKey, what: &str) -> Result<SignedRelease, String> {
    let snap = ledger::load(path).map_err(|e| e.to_string())?;
    let index = &snap.index;
    let h = crate::verify::refs::resolve(index, release_ref)?;
    if index.release(&h).is_none() {
        let what = index.kind(&h).unwrap_or_else(|| "unknown".into());
        return Err(format!("{release_ref} is a {what} entry, not a release; give WORK@TAG"));
    }
    let file = LedgerFile(path);
    let loc = index.entry(&h).ok_or_else(|| format!("{release_ref}: not in the ledger"))?;
    let line = file.line_at(loc.offset, loc.len)?;
    if crate::format::hash::entry_hash(&line) != h {
        return Err(format!("{release_ref}: the ledger changed while it was read; try again"));
    }
    let p = parse_line(&line).map_err(|(c, m)| format!("{release_ref}: {c}: {m}"))?;
    let Body::Release(rel) = &p.entry.body else {
        return Err(format!("{release_ref} is not a release"));
    };
    if p.entry.signer != key.id() {
        let who = index.key(&p.entry.signer).map_or_else(|| p.entry.signer.to_string(), |k| k.name.clone());
        return Err(format!(
            "{}@{} was signed by {who} ({}), not by {} ({}); {what} of a release is made \
             with the key that signed it (spec/exports.md): give --key with that key",
            rel.work,
            rel.tag,
            p.entry.signer,
            key.name,
            key.id()
        ));
    }
    if !signing::verify_entry(&key.public().0, &p.signed_bytes, &p.entry.sig) {
        return Err(format!("{release_ref}: the release line's signature does not verify; run `colophon audit`"));
    }
    let text = crate::log::content::reconstruct(&file, index, &rel.translation)
        .map_err(|e| format!("the translation of {release_ref}: {e}"))?;
    // The media type from the translation's own signed line (the index is only a cache).
    let tloc = index.entry(&rel.translation).ok_or("the release's translation is not in the ledger")?;
    let tline = file.line_at(tloc.offset, tloc.len)?;
    let media_type = match parse_line(&tline) {
        Ok(t) if t.hash == rel.translation => match t.entry.body {
            Body::Version(v) => v.media_type,
            _ => return Err("the release's translation is not a version entry".into()),
        },
        _ => return Err(format!("{release_ref}: the ledger changed while it was read; try again")),
    };
    let origin = index.origin().unwrap_or_default();
    Ok(SignedRelease { hash: h, release: rel.clone(), text, media_type, origin })
}

/// Signs the translation of release `release_ref` as minisign does, with `key`, which MUST be the
/// key that signed the release (spec/exports.md §1): the minisig then says nothing its signer did
/// not already sign in the ledger.
pub fn minisig(path: &Path, release_ref: &str, key: &SecretKey) -> Result<Minisig, String> {
    let SignedRelease { hash: h, release: rel, text, media_type, origin } =
        signed_release(path, release_ref, key, "a minisign signature")?;
    let rel = &rel;
    let sha256 = Digest::of(text.as_bytes());
    let release_label = format!("{}@{}", rel.work, rel.tag);
    let trusted_comment = format!(
        "colophon release {release_label} of {origin}: translation ({}) sha256 {} of the original ({}); release entry {h}; signer {}",
        rel.lang.translation,
        sha256.to_hex(),
        rel.lang.original,
        key.id()
    );
    let untrusted = format!("colophon release {release_label} ({}), signed by {}", rel.lang.translation, key.name);
    let minisig = minisign::sign(key, text.as_bytes(), &untrusted, &trusted_comment);
    let trusted_comment = minisign::one_line(&trusted_comment);
    Ok(Minisig {
        release: h,
        release_label,
        lang: rel.lang.translation.clone(),
        media_type,
        text,
        sha256,
        minisig,
        trusted_comment,
    })
}

/// Why an export was refused: bad input (exit 2), or a ledger that does not verify (exit 1).
#[derive(Debug)]
pub enum ExportError {
    /// What was asked for cannot be done as given.
    Input(String),
    /// The ledger's audit found problems; nothing unverified is exported.
    Unverified(String),
}

/// What [`bag`] wrote.
#[derive(Debug)]
pub struct Bag {
    /// Entries of the ledger in the bag.
    pub entries: u64,
    /// Texts reconstructed into `data/texts/`.
    pub texts: u64,
    /// Versions recorded by hash only (no text in the ledger), listed in `data/versions.tsv`.
    pub hash_only: u64,
    /// The size of the checkpoint in the bag, if one was kept and verified.
    pub checkpoint_size: Option<u64>,
    /// Payload files and their total bytes (`Payload-Oxum`).
    pub payload_files: u64,
    /// Total payload bytes.
    pub payload_bytes: u64,
}

fn text_ext(media_type: &str) -> &'static str {
    match media_type.split(';').next().map(str::trim) {
        Some("text/plain") => "txt",
        Some("text/html") => "html",
        Some("text/markdown") => "md",
        _ => "bin",
    }
}

/// Writes a BagIt bag (RFC 8493, spec/exports.md §2) of the ledger at `ledger_path` into `dir`
/// (which must not exist, or be an empty directory): the ledger's bytes and its kept checkpoint
/// (when it verifies against them), and every version of `works` (all works when empty)
/// reconstructed byte-exact, each checked against its signed hash. The bag's copy of the ledger is
/// audited, and everything else is read from that audited copy, so the bag is consistent even if
/// the ledger grows meanwhile; a ledger whose audit finds a problem is not exported.
pub fn bag(ledger_path: &Path, dir: &Path, works: &[String]) -> Result<Bag, ExportError> {
    use ExportError::{Input, Unverified};
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(Input(format!(
                "{}: exists and is not an empty directory; give a new directory",
                dir.display()
            )));
        }
    }
    let bytes = std::fs::read(ledger_path).map_err(|e| Input(format!("{}: {e}", ledger_path.display())))?;
    // Built beside `dir` and renamed into place, so a failure leaves no half bag.
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".colophon-bag-")
        .tempdir_in(parent)
        .map_err(|e| Input(format!("{}: {e}", parent.display())))?;
    let root = tmp.path();
    let io = |p: &Path, e: std::io::Error| Input(format!("{}: {e}", p.display()));
    let write = |rel: &str, data: &[u8]| -> Result<(), ExportError> {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| io(d, e))?;
        }
        std::fs::write(&p, data).map_err(|e| io(&p, e))
    };
    let name = ledger_path.file_name().and_then(|n| n.to_str()).unwrap_or("colophon.jsonl");
    let name = if crate::verify::site::file_stem(name) == name { name.to_string() } else { "colophon.jsonl".into() };
    let ledger_rel = format!("data/ledger/{name}");
    write(&ledger_rel, &bytes)?;
    let copy = root.join(&ledger_rel);
    let (report, state) = audited(&bytes, &copy, ledger_path)?;
    let index = &state;
    let mut payload: Vec<(String, Vec<u8>)> = Vec::new();
    // The kept checkpoint, only when it verifies against the bag's ledger (a sidecar vouches for nothing).
    let checkpoint =
        crate::store::transparency::kept_checkpoint_checked(ledger_path, index, &crate::log::trust::Keyring::default())
            .ok()
            .flatten()
            .filter(|(_, c)| c.checkpoint.size <= report.lines);
    if let Some((note, _)) = &checkpoint {
        payload.push(("data/ledger/checkpoint".into(), note.clone()));
    }
    let pairs: Vec<(String, String)> =
        index.work_langs().into_iter().filter(|(w, _)| works.is_empty() || works.contains(w)).collect();
    for w in works {
        if !pairs.iter().any(|(pw, _)| pw == w) {
            return Err(Input(format!("no work {w:?} in the ledger; `colophon log` lists the works")));
        }
    }
    let stems = crate::verify::site::stems(pairs.iter().map(|(w, _)| w.as_str()));
    let mut tsv = String::from("work\tlang\tnumber\trole\tentry\tsha256\tsize\tfile\n");
    let (mut texts, mut hash_only) = (0u64, 0u64);
    let mut replay = crate::log::content::Replay::new(&bytes, index);
    for (work, lang) in &pairs {
        for h in index.versions_of(work, lang) {
            let v = index.version(&h).ok_or_else(|| Input(format!("version {} vanished", h.short(16))))?;
            let role = match v.role {
                crate::format::entry::TextRole::Original => "original",
                crate::format::entry::TextRole::Translation => "translation",
            };
            let stem = stems.get(work).cloned().unwrap_or_else(|| crate::verify::site::file_stem(work));
            let path = match replay.text(&h) {
                Ok(text) => {
                    let rel = format!("data/texts/{stem}/{lang}/{}.{}", v.number, text_ext(&v.media_type));
                    payload.push((rel.clone(), text.into_bytes()));
                    texts += 1;
                    rel
                }
                Err(crate::log::content::ReconstructError::NotStored(_)) => {
                    hash_only += 1;
                    "-".into()
                }
                Err(e) => return Err(Unverified(format!("{work}:{lang}@{}: {e}", v.number))),
            };
            tsv.push_str(&format!(
                "{work}\t{lang}\t{}\t{role}\t{h}\t{}\t{}\t{path}\n",
                v.number,
                v.sha256.to_hex(),
                v.size
            ));
        }
    }
    payload.push(("data/versions.tsv".into(), tsv.into_bytes()));
    let mut manifest = format!("{}  {ledger_rel}\n", Digest::of(&bytes).to_hex());
    let (mut files, mut total) = (1u64, bytes.len() as u64);
    for (rel, data) in &payload {
        write(rel, data)?;
        manifest.push_str(&format!("{}  {rel}\n", Digest::of(data).to_hex()));
        files += 1;
        total += data.len() as u64;
    }
    let origin = index.origin().unwrap_or_default();
    let now = crate::store::append::now();
    let mut info = format!(
        "Bag-Software-Agent: colophon {}\nBagging-Date: {}\nPayload-Oxum: {total}.{files}\n\
         External-Description: The ledger of {origin} (spec/ledger.md), audited when bagged, and the texts of its versions rebuilt from it\n\
         Colophon-Origin: {origin}\nColophon-Ledger-Entries: {}\nColophon-Merkle-Root: {}\n",
        env!("CARGO_PKG_VERSION"),
        now.get(..10).unwrap_or(&now),
        report.lines,
        report.root.map_or_else(|| "unknown".to_string(), |r| r.to_hex()),
    );
    match &checkpoint {
        Some((_, c)) => info.push_str(&format!(
            "Colophon-Checkpoint-Size: {}\nColophon-Checkpoint-Root: {}\n",
            c.checkpoint.size,
            c.checkpoint.root.to_hex()
        )),
        None => info.push_str("Colophon-Checkpoint-Size: none\n"),
    }
    info.push_str(&format!("Colophon-Export-Time: {now}\n"));
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
    write("bagit.txt", bagit.as_bytes())?;
    write("bag-info.txt", info.as_bytes())?;
    write("manifest-sha256.txt", manifest.as_bytes())?;
    let tags = format!(
        "{}  bagit.txt\n{}  bag-info.txt\n{}  manifest-sha256.txt\n",
        Digest::of(bagit.as_bytes()).to_hex(),
        Digest::of(info.as_bytes()).to_hex(),
        Digest::of(manifest.as_bytes()).to_hex()
    );
    write("tagmanifest-sha256.txt", tags.as_bytes())?;
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(|e| io(dir, e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, dir).map_err(|e| io(dir, e))?;
    Ok(Bag {
        entries: report.lines,
        texts,
        hash_only,
        checkpoint_size: checkpoint.map(|(_, c)| c.checkpoint.size),
        payload_files: files,
        payload_bytes: total,
    })
}

/// Audits the ledger whose bytes are `bytes`, written at `audit_path` (spec/ledger.md §11), and
/// returns the audit and the whole state of those bytes: exports carry only a ledger that
/// verifies, and read everything from the same bytes. `shown` names the ledger in messages.
fn audited(
    bytes: &[u8],
    audit_path: &Path,
    shown: &Path,
) -> Result<(crate::log::audit::Report, crate::log::index::Index), ExportError> {
    let report = crate::store::audit::audit_file(audit_path, None).map_err(|e| ExportError::Input(e.to_string()))?;
    if !report.is_clean() {
        let first = report.problems.first().map(|p| p.to_string()).unwrap_or_default();
        return Err(ExportError::Unverified(format!(
            "{}: the audit found {} problem(s), the first: {first}; an export carries only a ledger that verifies \
             (run `colophon audit`)",
            shown.display(),
            report.problems.len()
        )));
    }
    // The audit keeps only what its rules consult; the whole state of the same bytes (all
    // valid, as the audit just showed) names every version and finds its lines.
    let state = crate::log::audit::state_of(bytes)
        .map_err(|(n, c, m)| ExportError::Unverified(format!("{}: line {n}: {c}: {m}", shown.display())))?;
    Ok((report, state))
}

/// Reads the ledger at `ledger_path` once and audits those bytes ([`audited`], in a private
/// temporary copy); `work`, when given, must be one of its works. Returns the bytes and their state.
fn audited_file(ledger_path: &Path, work: Option<&str>) -> Result<(Vec<u8>, crate::log::index::Index), ExportError> {
    let bytes =
        std::fs::read(ledger_path).map_err(|e| ExportError::Input(format!("{}: {e}", ledger_path.display())))?;
    let tmp = tempfile::tempdir().map_err(|e| ExportError::Input(format!("temporary directory: {e}")))?;
    let copy = tmp.path().join("ledger.jsonl");
    std::fs::write(&copy, &bytes).map_err(|e| ExportError::Input(format!("{}: {e}", copy.display())))?;
    let (_, index) = audited(&bytes, &copy, ledger_path)?;
    if let Some(w) = work
        && !index.work_langs().iter().any(|(pw, _)| pw == w)
    {
        return Err(ExportError::Input(format!("no work {w:?} in the ledger; `colophon log` lists the works")));
    }
    Ok((bytes, index))
}

/// The ledger's provenance graph as W3C PROV-JSON (spec/exports.md §3), from the audited ledger:
/// versions and releases are entities, signing keys agents, a translation derives from the
/// original version it renders through a translate activity, a version is a revision of its
/// parent, a release is a collection of its two versions, and cosigns are attributions.
pub fn prov(ledger_path: &Path, work: Option<&str>) -> Result<serde_json::Value, ExportError> {
    use serde_json::{Map, Value, json};
    let (_, index) = audited_file(ledger_path, work)?;
    let qname = |q: &str| json!({"$": q, "type": "xsd:QName"});
    let time = |t: &str| json!({"$": t, "type": "xsd:dateTime"});
    let (mut entity, mut agent, mut activity) = (Map::new(), Map::new(), Map::new());
    let mut rel: std::collections::BTreeMap<&str, Map<String, Value>> = std::collections::BTreeMap::new();
    let mut n = 0u64;
    let mut add = |kind: &'static str, v: Value| {
        n += 1;
        rel.entry(kind).or_default().insert(format!("_:r{n}"), v);
    };
    let mut signers = std::collections::BTreeSet::new();
    for (w, lang) in index.work_langs() {
        if work.is_some_and(|x| x != w) {
            continue;
        }
        for h in index.versions_of(&w, &lang) {
            let Some(v) = index.version(&h) else { continue };
            let id = format!("entry:{h}");
            let mut e = json!({
                "prov:type": qname("colophon:Version"),
                "prov:label": format!("{w}:{lang}@{}", v.number),
                "colophon:work": w,
                "colophon:lang": lang,
                "colophon:role": match v.role {
                    crate::format::entry::TextRole::Original => "original",
                    crate::format::entry::TextRole::Translation => "translation",
                },
                "colophon:number": v.number,
                "colophon:sha256": v.sha256.to_hex(),
                "colophon:size": v.size,
                "colophon:mediaType": v.media_type,
                "colophon:claimedTime": time(&v.time),
                "colophon:seq": v.seq,
            });
            if let Some(note) = &v.note {
                e["colophon:note"] = json!(note);
            }
            entity.insert(id.clone(), e);
            signers.insert(v.signer);
            add("wasAttributedTo", json!({"prov:entity": id, "prov:agent": format!("key:{}", v.signer)}));
            if let Some(p) = v.parent {
                add(
                    "wasDerivedFrom",
                    json!({"prov:generatedEntity": id, "prov:usedEntity": format!("entry:{p}"), "prov:type": qname("prov:Revision")}),
                );
            }
            if let Some(of) = v.of {
                let act = format!("colophon:translate-{h}");
                activity.insert(act.clone(), json!({"prov:type": qname("colophon:Translate")}));
                add(
                    "wasDerivedFrom",
                    json!({"prov:generatedEntity": id, "prov:usedEntity": format!("entry:{of}"), "prov:activity": act}),
                );
                add("used", json!({"prov:activity": act, "prov:entity": format!("entry:{of}")}));
                add("wasGeneratedBy", json!({"prov:entity": id, "prov:activity": act}));
                add("wasAssociatedWith", json!({"prov:activity": act, "prov:agent": format!("key:{}", v.signer)}));
            }
        }
    }
    for r in index.releases(work) {
        let id = format!("entry:{}", r.hash);
        let mut e = json!({
            "prov:type": [qname("prov:Collection"), qname("colophon:Release")],
            "prov:label": format!("{}@{}", r.work, r.tag),
            "colophon:work": r.work,
            "colophon:tag": r.tag,
            "colophon:claimedTime": time(&r.time),
            "colophon:seq": r.seq,
        });
        if !r.urls.is_empty() {
            e["colophon:url"] = json!(r.urls);
        }
        entity.insert(id.clone(), e);
        signers.insert(r.signer);
        add("wasAttributedTo", json!({"prov:entity": id, "prov:agent": format!("key:{}", r.signer)}));
        for m in [r.translation, r.original] {
            add("hadMember", json!({"prov:collection": id, "prov:entity": format!("entry:{m}")}));
        }
        for (k, seq, c) in &r.cosigners {
            signers.insert(*k);
            add(
                "wasAttributedTo",
                json!({"prov:entity": id, "prov:agent": format!("key:{k}"), "prov:type": qname("colophon:Cosign"),
                       "colophon:entry": c.to_hex(), "colophon:seq": seq}),
            );
        }
    }
    for k in index.keys() {
        if work.is_some() && !signers.contains(&k.key.id()) {
            continue;
        }
        let mut a = json!({
            "prov:type": qname("prov:Person"),
            "prov:label": k.name,
            "colophon:keyId": k.key.id().to_string(),
            "colophon:roles": k.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
            "colophon:registeredAtSeq": k.seq,
        });
        if let Some(rv) = k.revoked {
            a["colophon:revoked"] = json!(rv.reason.as_str());
            a["colophon:revokedAtSeq"] = json!(rv.seq);
        }
        agent.insert(format!("key:{}", k.key.id()), a);
    }
    let mut doc = json!({
        "prefix": {
            "colophon": "urn:colophon:ns#",
            "entry": "urn:colophon:entry:",
            "key": "urn:colophon:key:",
        },
        "entity": entity,
        "agent": agent,
    });
    if !activity.is_empty() {
        doc["activity"] = Value::Object(activity);
    }
    for (k, v) in rel {
        doc[k] = Value::Object(v);
    }
    Ok(doc)
}

/// A clear-signed copy of a release (spec/exports.md §4).
#[derive(Debug)]
pub struct ClearSigned {
    /// `WORK@TAG`.
    pub release_label: String,
    /// The translation's language.
    pub lang: String,
    /// Its media type.
    pub media_type: String,
    /// The released text, a blank line and the signature line.
    pub copy: String,
    /// The signature line.
    pub line: String,
}

/// The released translation of `release_ref` followed by its signature line (spec/exports.md
/// §4.1), signed with `key`, which MUST be the key that signed the release.
pub fn clearsign(path: &Path, release_ref: &str, key: &SecretKey) -> Result<ClearSigned, String> {
    let r = signed_release(path, release_ref, key, "a clear signature")?;
    let line = crate::format::clearsign::SignatureLine::sign(
        key,
        &r.origin,
        &r.release.work,
        &r.release.tag,
        r.hash,
        &r.text,
    )?
    .to_line();
    let mut copy = r.text.clone();
    if !copy.is_empty() && !copy.ends_with('\n') {
        copy.push('\n');
    }
    copy.push('\n');
    copy.push_str(&line);
    copy.push('\n');
    Ok(ClearSigned {
        release_label: format!("{}@{}", r.release.work, r.release.tag),
        lang: r.release.lang.translation.clone(),
        media_type: r.media_type,
        copy,
        line,
    })
}

/// Escapes text for XML character data and attribute values.
fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // XML 1.0 has no way to write most control characters; no ledger field holds one
            // but a note's LF, which stays.
            c if c.is_control() && c != '\n' && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// The fixity of every version as PREMIS 3.0 XML (spec/exports.md §5): per version an object (its
/// entry hash, SHA-256, size, media type) and a `fixity check` event whose outcome is that of
/// rebuilding its text from the audited ledger and comparing it with the signed hash; the agent
/// is this colophon. From a ledger whose audit finds no problem, as [`prov`].
pub fn premis(ledger_path: &Path, work: Option<&str>) -> Result<String, ExportError> {
    let (bytes, index) = audited_file(ledger_path, work)?;
    let now = crate::store::append::now();
    let agent = format!("colophon {}", env!("CARGO_PKG_VERSION"));
    let (mut objects, mut events) = (String::new(), String::new());
    let mut replay = crate::log::content::Replay::new(&bytes, &index);
    for (w, lang) in index.work_langs() {
        if work.is_some_and(|x| x != w) {
            continue;
        }
        for h in index.versions_of(&w, &lang) {
            let Some(v) = index.version(&h) else { continue };
            let (outcome, note) = match replay.text(&h) {
                Ok(t) if Digest::of(t.as_bytes()) == v.sha256 => {
                    ("pass", "rebuilt from the ledger's diff scripts; its SHA-256 is the one its signed entry states")
                }
                Ok(_) => ("fail", "rebuilt from the ledger, but its SHA-256 is not the signed one"),
                Err(crate::log::content::ReconstructError::NotStored(_)) => {
                    ("not checked", "recorded by hash only: the ledger holds its signed hash, not its bytes")
                }
                Err(_) => ("fail", "its text could not be rebuilt from the ledger"),
            };
            let event_id = format!("fixity-{h}");
            objects.push_str(&format!(
                "  <premis:object xsi:type=\"premis:file\" version=\"3.0\">\n\
                 \x20   <premis:objectIdentifier>\n\
                 \x20     <premis:objectIdentifierType>colophon entry</premis:objectIdentifierType>\n\
                 \x20     <premis:objectIdentifierValue>{h}</premis:objectIdentifierValue>\n\
                 \x20   </premis:objectIdentifier>\n\
                 \x20   <premis:objectCharacteristics>\n\
                 \x20     <premis:compositionLevel>0</premis:compositionLevel>\n\
                 \x20     <premis:fixity>\n\
                 \x20       <premis:messageDigestAlgorithm>SHA-256</premis:messageDigestAlgorithm>\n\
                 \x20       <premis:messageDigest>{}</premis:messageDigest>\n\
                 \x20       <premis:messageDigestOriginator>{}</premis:messageDigestOriginator>\n\
                 \x20     </premis:fixity>\n\
                 \x20     <premis:size>{}</premis:size>\n\
                 \x20     <premis:format>\n\
                 \x20       <premis:formatDesignation>\n\
                 \x20         <premis:formatName>{}</premis:formatName>\n\
                 \x20       </premis:formatDesignation>\n\
                 \x20     </premis:format>\n\
                 \x20   </premis:objectCharacteristics>\n\
                 \x20   <premis:originalName>{}</premis:originalName>\n\
                 \x20   <premis:linkingEventIdentifier>\n\
                 \x20     <premis:linkingEventIdentifierType>colophon event</premis:linkingEventIdentifierType>\n\
                 \x20     <premis:linkingEventIdentifierValue>{event_id}</premis:linkingEventIdentifierValue>\n\
                 \x20   </premis:linkingEventIdentifier>\n\
                 \x20 </premis:object>\n",
                v.sha256.to_hex(),
                xml(&format!("the signer {} of entry {h}", v.signer)),
                v.size,
                xml(&v.media_type),
                xml(&format!("{w}:{lang}@{}", v.number)),
            ));
            events.push_str(&format!(
                "  <premis:event version=\"3.0\">\n\
                 \x20   <premis:eventIdentifier>\n\
                 \x20     <premis:eventIdentifierType>colophon event</premis:eventIdentifierType>\n\
                 \x20     <premis:eventIdentifierValue>{event_id}</premis:eventIdentifierValue>\n\
                 \x20   </premis:eventIdentifier>\n\
                 \x20   <premis:eventType>fixity check</premis:eventType>\n\
                 \x20   <premis:eventDateTime>{now}</premis:eventDateTime>\n\
                 \x20   <premis:eventDetailInformation>\n\
                 \x20     <premis:eventDetail>program=\"colophon\"; the ledger was audited (signatures, chain, state rules) before the check</premis:eventDetail>\n\
                 \x20   </premis:eventDetailInformation>\n\
                 \x20   <premis:eventOutcomeInformation>\n\
                 \x20     <premis:eventOutcome>{outcome}</premis:eventOutcome>\n\
                 \x20     <premis:eventOutcomeDetail>\n\
                 \x20       <premis:eventOutcomeDetailNote>{}</premis:eventOutcomeDetailNote>\n\
                 \x20     </premis:eventOutcomeDetail>\n\
                 \x20   </premis:eventOutcomeInformation>\n\
                 \x20   <premis:linkingAgentIdentifier>\n\
                 \x20     <premis:linkingAgentIdentifierType>software</premis:linkingAgentIdentifierType>\n\
                 \x20     <premis:linkingAgentIdentifierValue>{}</premis:linkingAgentIdentifierValue>\n\
                 \x20     <premis:linkingAgentRole>executing program</premis:linkingAgentRole>\n\
                 \x20   </premis:linkingAgentIdentifier>\n\
                 \x20   <premis:linkingObjectIdentifier>\n\
                 \x20     <premis:linkingObjectIdentifierType>colophon entry</premis:linkingObjectIdentifierType>\n\
                 \x20     <premis:linkingObjectIdentifierValue>{h}</premis:linkingObjectIdentifierValue>\n\
                 \x20   </premis:linkingObjectIdentifier>\n\
                 \x20 </premis:event>\n",
                xml(note),
                xml(&agent),
            ));
        }
    }
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <premis:premis xmlns:premis=\"http://www.loc.gov/premis/v3\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.loc.gov/premis/v3 https://www.loc.gov/standards/premis/premis.xsd\" version=\"3.0\">\n\
         {objects}{events}\
         \x20 <premis:agent version=\"3.0\">\n\
         \x20   <premis:agentIdentifier>\n\
         \x20     <premis:agentIdentifierType>software</premis:agentIdentifierType>\n\
         \x20     <premis:agentIdentifierValue>{}</premis:agentIdentifierValue>\n\
         \x20   </premis:agentIdentifier>\n\
         \x20   <premis:agentName>colophon</premis:agentName>\n\
         \x20   <premis:agentType>software</premis:agentType>\n\
         \x20 </premis:agent>\n\
         </premis:premis>\n",
        xml(&agent)
    ))
}
