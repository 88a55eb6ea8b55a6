//! `colophon export`: a release in formats other tools check (spec/exports.md).

use super::*;

/// `export minisig REF [-o FILE] [--key K]` (spec/exports.md §1, spec/cli.md §3).
pub(super) fn minisig_cmd(
    out: Out,
    ledger: &Path,
    release: &str,
    output: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Res {
    let key_path = signing_key(key)?;
    let key = unlock(&key_path)?;
    let m = colophon::store::export::minisig(ledger, release, &key).map_err(Fail::input)?;
    let text_path = output.unwrap_or_else(|| {
        let ext = match m.media_type.split(';').next().map(str::trim) {
            Some("text/plain") => "txt",
            Some("text/html") => "html",
            Some("text/markdown") => "md",
            _ => "bin",
        };
        PathBuf::from(format!("{}.{}.{ext}", m.release_label.replace(['/', '@'], "-"), m.lang))
    });
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
