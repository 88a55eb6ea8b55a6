//! `colophon export`: a release in formats other tools check (spec/exports.md).

use super::*;
use anstream::eprintln;

/// `export minisig REF [-o FILE] [--key K]` (spec/exports.md §1, spec/cli.md §3).
pub(super) fn minisig_cmd(
    out: Out,
    ledger: &Path,
    release: &str,
    output: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Res {
    let key = unlock(&signing_key(key)?)?;
    let m = colophon::store::export::minisig(ledger, release, &key).map_err(Fail::input)?;
    let text_path = output.unwrap_or_else(|| default_name(&m.release_label, &m.lang, &m.media_type));
    let mut sig_path = text_path.clone().into_os_string();
    sig_path.push(".minisig");
    let sig_path = PathBuf::from(sig_path);
    write_out(Some(&text_path), m.text.as_bytes())?;
    write_out(Some(&sig_path), m.minisig.as_bytes())?;
    let pk = colophon::format::minisign::public_key_base64(&key.public());
    out.say(format!(
        "{} {} ({} bytes, sha256 {} verified) and {}\n  minisign signature by {} ({}), trusted comment:\n  {}\n\
         Readers check it with\n  minisign -Vm {} -P {pk}\n\
         A minisign signature shows who signed these bytes; it carries no log, no revocation and no\n\
         trust chain (spec/exports.md §1): `colophon verify` checks those.",
        paint(GREEN, "Wrote"),
        text_path.display(),
        m.text.len(),
        m.sha256.short(16),
        sig_path.display(),
        key.name,
        key.id(),
        m.trusted_comment,
        text_path.display()
    ));
    out.json(json!({
        "ok": true,
        "command": "export minisig",
        "release": m.release,
        "text": text_path,
        "minisig": sig_path,
        "sha256": m.sha256,
        "trusted_comment": m.trusted_comment,
        "minisign_public_key": pk,
    }));
    Ok(ExitCode::SUCCESS)
}

/// `export minisign-key PUB [-o FILE]`: minisign's public key file for a colophon key.
pub(super) fn minisign_key_cmd(out: Out, public: &Path, output: Option<&Path>) -> Res {
    let k = read_pub_file(public)?;
    let file = colophon::format::minisign::public_key_file(&k.key);
    let b64 = colophon::format::minisign::public_key_base64(&k.key);
    if out.json {
        if let Some(p) = output {
            write_out(Some(p), file.as_bytes())?;
        }
        out.json(json!({"ok": true, "command": "export minisign-key", "minisign_public_key": b64, "key": k.key.id()}));
        return Ok(ExitCode::SUCCESS);
    }
    match output {
        Some(p) => {
            write_out(Some(p), file.as_bytes())?;
            out.say(format!(
                "{} {} (minisign public key of {}); readers check with minisign -Vm FILE -p {}",
                paint(GREEN, "Wrote"),
                p.display(),
                k.key.id(),
                p.display()
            ));
        }
        None => write_stdout(file.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `export bagit DIR [WORK...]` (spec/exports.md §2).
pub(super) fn bagit_cmd(out: Out, ledger: &Path, dir: &Path, works: &[String]) -> Res {
    let b = colophon::store::export::bag(ledger, dir, works).map_err(export_fail)?;
    out.say(format!(
        "{} {} ({} payload files, {} bytes): the ledger ({} entries{}), {} texts rebuilt and checked{}\n\
         Archives check it with\n  bagit.py --validate {}",
        paint(GREEN, "Bagged"),
        dir.display(),
        b.payload_files,
        b.payload_bytes,
        b.entries,
        b.checkpoint_size
            .map_or_else(|| ", no kept checkpoint".to_string(), |s| format!(", its checkpoint at size {s}")),
        b.texts,
        if b.hash_only > 0 {
            format!(", {} recorded by hash only (listed in data/versions.tsv)", b.hash_only)
        } else {
            String::new()
        },
        dir.display()
    ));
    out.json(json!({
        "ok": true,
        "command": "export bagit",
        "bag": dir,
        "entries": b.entries,
        "texts": b.texts,
        "hash_only": b.hash_only,
        "checkpoint_size": b.checkpoint_size,
        "payload_files": b.payload_files,
        "payload_bytes": b.payload_bytes,
    }));
    Ok(ExitCode::SUCCESS)
}

fn export_fail(e: colophon::store::export::ExportError) -> Fail {
    match e {
        colophon::store::export::ExportError::Input(m) => Fail::input(m),
        colophon::store::export::ExportError::Unverified(m) => Fail { code: 1, status: None, message: m },
    }
}

/// `export prov [--work W] [-o FILE]` (spec/exports.md §3). The document itself is the output:
/// printed as it is, with or without `--json`, as `bundle` prints a bundle.
pub(super) fn prov_cmd(out: Out, ledger: &Path, work: Option<&str>, output: Option<&Path>) -> Res {
    let doc = colophon::store::export::prov(ledger, work).map_err(export_fail)?;
    let mut text = serde_json::to_vec_pretty(&doc).map_err(|e| Fail::input(e.to_string()))?;
    text.push(b'\n');
    match output {
        Some(p) => {
            write_out(Some(p), &text)?;
            let count = |k: &str| doc.get(k).and_then(serde_json::Value::as_object).map_or(0, |m| m.len());
            out.say(format!(
                "{} {} (W3C PROV-JSON: {} entities, {} agents, {} activities)",
                paint(GREEN, "Wrote"),
                p.display(),
                count("entity"),
                count("agent"),
                count("activity")
            ));
            out.json(json!({"ok": true, "command": "export prov", "out": p}));
        }
        None => write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `WORK-TAG.LANG.EXT` for a release's text (spec/cli.md §3 `export`).
fn default_name(release_label: &str, lang: &str, media_type: &str) -> PathBuf {
    let ext = match media_type.split(';').next().map(str::trim) {
        Some("text/plain") => "txt",
        Some("text/html") => "html",
        Some("text/markdown") => "md",
        _ => "bin",
    };
    PathBuf::from(format!("{}.{lang}.{ext}", release_label.replace(['/', '@'], "-")))
}

/// `export clearsign REF [-o FILE] [--key K]` (spec/exports.md §4).
pub(super) fn clearsign_cmd(
    out: Out,
    ledger: &Path,
    release: &str,
    output: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Res {
    let key = unlock(&signing_key(key)?)?;
    let c = colophon::store::export::clearsign(ledger, release, &key).map_err(Fail::input)?;
    let path = output.unwrap_or_else(|| default_name(&c.release_label, &c.lang, &c.media_type));
    write_out(Some(&path), c.copy.as_bytes())?;
    out.say(format!(
        "{} {}: the text of {} and its signature line, signed by {} ({})\n\
         Readers check it with no bundle and no ledger, trusting your key directly:\n  colophon verify {} --trust YOUR.pub\n\
         Publish the text with the last line; it must stay one line. A clear signature carries no log: it\n\
         cannot show a later correction or a revocation (spec/exports.md §4).",
        paint(GREEN, "Wrote"),
        path.display(),
        c.release_label,
        key.name,
        key.id(),
        path.display()
    ));
    out.json(json!({"ok": true, "command": "export clearsign", "out": path, "line": c.line}));
    Ok(ExitCode::SUCCESS)
}

/// `verify COPY` for a clear-signed copy, with no bundle, log or ledger (spec/exports.md §4.3).
pub(super) fn render_clearsigned(out: Out, v: &colophon::verify::clearsigned::ClearVerdict, copy: &str) -> Res {
    use colophon::format::clearsign::Match;
    let line = v.line.as_ref();
    let level = match v.level {
        Match::Exact => "exact",
        Match::Words => "words/v2",
        Match::None => "none",
    };
    if out.json {
        out.json(json!({
            "ok": v.verified(),
            "command": "verify",
            "verified": v.verified(),
            "status": v.code.as_str(),
            "message": v.message,
            "source": "clear signature",
            "clearsigned": line.map(|l| json!({
                "origin": l.origin, "work": l.work, "tag": l.tag, "release": l.release,
                "sha256": l.sha256, "key": l.key, "level": level, "page": v.page,
            })),
            "signer": v.signer.as_ref().map(|k| json!({"key": k.key.id(), "name": k.name})),
        }));
    }
    if !v.verified() {
        eprintln!("{} {copy}: {} ({})", paint(RED.bold(), "✗ not verified:"), v.message, v.code);
        return Ok(ExitCode::from(1));
    }
    if out.json {
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(l), Some(k)) = (line, &v.signer) else { return Ok(ExitCode::SUCCESS) };
    let how = match v.level {
        Match::Exact => "exact bytes",
        _ if v.page => "the page's text, word for word (words/v2)",
        _ => "word for word (words/v2): reformatted",
    };
    out.say(format!(
        "{} {copy} matches release {}@{} of {} (clear-signed)\n  match:    {how}\n  signer:   {} ({}), trusted: in your keyring\n  \
         release:  entry {}\n  {} a clear signature carries no log: it cannot show a later correction, a revocation or\n  \
         cosigns. For those, verify against the published log or a bundle (--tiles URL, --bundle FILE).",
        paint(GREEN.bold(), "✓ verified:"),
        l.work,
        l.tag,
        l.origin,
        k.name,
        k.key.id(),
        l.release.short(16),
        paint(YELLOW, "note:")
    ));
    Ok(ExitCode::SUCCESS)
}

/// `export premis [--work W] [-o FILE]` (spec/exports.md §5): the document is the output, with or
/// without `--json`, as for `export prov`.
pub(super) fn premis_cmd(out: Out, ledger: &Path, work: Option<&str>, output: Option<&Path>) -> Res {
    let doc = colophon::store::export::premis(ledger, work).map_err(export_fail)?;
    match output {
        Some(p) => {
            write_out(Some(p), doc.as_bytes())?;
            let events = doc.matches("<premis:event ").count();
            let passed = doc.matches("<premis:eventOutcome>pass<").count();
            out.say(format!(
                "{} {} (PREMIS 3.0: {events} fixity checks, {passed} passed)",
                paint(GREEN, "Wrote"),
                p.display()
            ));
            out.json(json!({"ok": true, "command": "export premis", "out": p, "events": events, "passed": passed}));
        }
        None => write_stdout(doc.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
