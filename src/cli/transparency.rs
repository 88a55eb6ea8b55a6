//! The transparency commands of the binary: checkpoint, prove, verify-proof, publish,
//! witness, vkey (spec/transparency.md). Arguments are in `args.rs`.

use super::*;

pub(crate) fn read_small(path: &Path, what: &str) -> Result<Vec<u8>, Fail> {
    let meta = std::fs::metadata(path).map_err(|e| Fail::input(format!("{}: {}", path.display(), io_hint(&e))))?;
    if meta.is_dir() || meta.len() > 16 << 20 {
        return Err(Fail::input(format!("{}: not a {what} (a directory, or over 16 MiB)", path.display())));
    }
    std::fs::read(path).map_err(|e| Fail::input(format!("{}: {}", path.display(), io_hint(&e))))
}

pub(crate) fn parse_cp(bytes: &[u8], path: &Path) -> Result<colophon::log::checkpoint::Checkpoint, Fail> {
    colophon::log::note::Note::parse(bytes)
        .map_err(|e| e.to_string())
        .and_then(|n| colophon::log::checkpoint::Checkpoint::parse(&n.text).map_err(|e| e.to_string()))
        .map_err(|m| Fail {
            code: 2,
            status: Some(Code::CheckpointMalformed),
            message: format!("{}: not a checkpoint: {m}", path.display()),
        })
}

pub(crate) fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), Fail> {
    match path {
        Some(p) => {
            check_writable_target(p)?;
            colophon::store::files::write_file_atomic(p, bytes).map_err(Fail::input)
        }
        None => write_stdout(bytes),
    }
}

/// One sentence about a checkpoint's witnesses, with each cosignature's time (the library's).
pub(crate) fn witnesses_line(w: &[(String, u64)], quorum: usize) -> String {
    colophon::verify::verdict::witnesses_line(w, quorum)
}

pub(crate) fn checkpoint_cmd(out: Out, ledger_path: &Path, key: &Path, output: Option<&Path>, dry_run: bool) -> Res {
    // Check the output can be written before signing: a failing command changes nothing.
    if let Some(p) = output {
        check_writable_target(p)?;
    }
    let key = unlock(key)?;
    let colophon::store::transparency::Signed { note, checkpoint: cp, replaced } =
        colophon::store::transparency::checkpoint_ledger_mode(ledger_path, &key, mode(dry_run)).map_err(Fail::input)?;
    if dry_run {
        let kept = colophon::store::transparency::checkpoint_path(ledger_path);
        if let Some(what) = replaced {
            anstream::eprintln!("{}: {what}; a real run would replace it", paint(YELLOW, "warning"));
        }
        out.say(format!(
            "{} checkpoint of {} at {} entries, root {}\n{} nothing was kept in {} or written{}; the signed note it would keep:\n{}",
            paint(YELLOW, "Would sign"),
            cp.origin,
            cp.size,
            cp.root.short(16),
            paint(YELLOW.bold(), "Dry run:"),
            kept.display(),
            output.map_or(String::new(), |p| format!(" to {}", p.display())),
            String::from_utf8_lossy(&note).trim_end()
        ));
        out.json(json!({"ok": true, "command": "checkpoint", "origin": cp.origin, "size": cp.size,
            "root": cp.root, "note": String::from_utf8_lossy(&note), "kept": null, "dry_run": true}));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(what) = replaced {
        anstream::eprintln!("{}: {what}; it was ignored and replaced by this checkpoint", paint(YELLOW, "warning"));
    }
    if let Some(p) = output {
        write_out(Some(p), &note)?;
    }
    if out.json {
        out.json(json!({"ok": true, "command": "checkpoint", "origin": cp.origin, "size": cp.size,
            "root": cp.root, "note": String::from_utf8_lossy(&note), "kept": colophon::store::transparency::checkpoint_path(ledger_path)}));
    } else if output.is_none() && !out.quiet {
        write_stdout(&note)?;
    }
    out.say(format!(
        "{} checkpoint of {} at {} entries, root {}\n  kept in {}{}",
        paint(GREEN, "Signed"),
        cp.origin,
        cp.size,
        cp.root.short(16),
        colophon::store::transparency::checkpoint_path(ledger_path).display(),
        output.map_or(String::new(), |p| format!(" and written to {}", p.display()))
    ));
    Ok(ExitCode::SUCCESS)
}

/// A checkpoint whose root is not the tree's is evidence of two histories: a verdict (exit 1, its
/// status). Hashes that could not be read — an I/O error, or published tiles that fail their
/// authentication — are an input error (exit 2, spec/cli.md §1), whichever tile it is.
fn tree_mismatch(p: colophon::format::status::Problem) -> Fail {
    let code = if p.code == colophon::format::status::Code::LedgerIo { 2 } else { 1 };
    Fail { code, status: Some(p.code), message: p.message }
}

pub(crate) fn prove_cmd(out: Out, ledger_path: &Path, p: ProveCommand) -> Res {
    match p {
        ProveCommand::Inclusion { r#ref, checkpoint, tiles, output } => {
            let published = tiles.as_deref().map(rebuild_from_tiles).transpose()?;
            let ledger_path = published.as_ref().map_or(ledger_path, |r| r.ledger.as_path());
            let snap = ledger::load(ledger_path)?;
            if let Some(r) = &published {
                check_published(r, &snap.index, &colophon::log::trust::Keyring::default())?;
            }
            let h = resolve(&snap.index, &r#ref).map_err(Fail::input)?;
            let loc = snap.index.entry(&h).ok_or_else(|| Fail::input("entry not found"))?;
            let note = match (&checkpoint, &published) {
                (Some(p), _) => read_small(p, "checkpoint")?,
                (None, Some(r)) => r.source.checkpoint.clone(),
                (None, None) => colophon::store::transparency::kept_checkpoint(ledger_path, &snap.index, loc.seq + 1)
                    .ok_or_else(|| {
                    Fail::input(format!(
                        "no checkpoint covers entry #{}; sign one with `colophon checkpoint --key OWNER.key`",
                        loc.seq
                    ))
                })?,
            };
            let cp = parse_cp(&note, checkpoint.as_deref().unwrap_or(Path::new("checkpoint")))?;
            colophon::log::transparency::matches_tree(&cp, snap.index.len(), &snap.index).map_err(tree_mismatch)?;
            let line = ledger::read_line_at(ledger_path, loc.offset, loc.len)?;
            let proof = colophon::log::transparency::inclusion_proof(&snap.index, loc.seq, &line, &note)
                .map_err(Fail::input)?;
            write_out(output.as_deref(), &proof.to_bytes())?;
            if output.is_some() {
                out.say(format!(
                    "{} inclusion proof of entry #{} in {} at size {} ({} hashes)",
                    paint(GREEN, "Wrote"),
                    loc.seq,
                    cp.origin,
                    cp.size,
                    proof.hashes.len()
                ));
            }
            out.json(json!({"ok": true, "command": "prove inclusion", "entry": h, "index": loc.seq, "size": cp.size, "hashes": proof.hashes.len()}));
            Ok(ExitCode::SUCCESS)
        }
        ProveCommand::Consistency { old, new, tiles, output } => {
            let (ob, nb) = (read_small(&old, "checkpoint")?, read_small(&new, "checkpoint")?);
            let (oc, nc) = (parse_cp(&ob, &old)?, parse_cp(&nb, &new)?);
            if oc.origin != nc.origin {
                return Err(Fail::input(format!(
                    "the checkpoints are of two logs: {:?} and {:?}",
                    oc.origin, nc.origin
                )));
            }
            let (small, big) = if oc.size <= nc.size { (&oc, &nc) } else { (&nc, &oc) };
            let text = match tiles {
                Some(t) => {
                    let (src, dir) = colophon::store::tiles::open_arg(&t).map_err(Fail::input)?;
                    if src.size < big.size {
                        return Err(Fail::input(format!("{} publishes only {} entries", dir.display(), src.size)));
                    }
                    let hashes = &src;
                    colophon::log::transparency::matches_tree(big, src.size, hashes).map_err(tree_mismatch)?;
                    colophon::log::transparency::consistency_proof_text(small.size, big.size, hashes)
                        .map_err(Fail::input)?
                }
                None => {
                    let snap = ledger::load(ledger_path)?;
                    for c in [small, big] {
                        colophon::log::transparency::matches_tree(c, snap.index.len(), &snap.index)
                            .map_err(tree_mismatch)?;
                    }
                    colophon::log::transparency::consistency_proof_text(small.size, big.size, &snap.index)
                        .map_err(Fail::input)?
                }
            };
            write_out(output.as_deref(), text.as_bytes())?;
            if output.is_some() {
                out.say(format!(
                    "{} consistency proof from size {} to {}",
                    paint(GREEN, "Wrote"),
                    small.size,
                    big.size
                ));
            }
            out.json(json!({"ok": true, "command": "prove consistency", "old_size": small.size, "new_size": big.size}));
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn verify_proof_cmd(
    out: Out,
    proof_path: &Path,
    trust: &[PathBuf],
    entry: Option<&Path>,
    old: Option<&Path>,
    new: Option<&Path>,
) -> Res {
    use colophon::log::transparency::{check_consistent, check_inclusion, keyring_log_keys, verify_checkpoint};
    let ring = load_keyrings(trust)?;
    if ring.is_empty() {
        return Err(Fail::input(
            "name the log's key with --trust OWNER.pub (or a keyring): a proof is only as good as the key that signed its checkpoint",
        ));
    }
    let bytes = read_small(proof_path, "proof file")?;
    let fail1 = |p: colophon::format::status::Problem| {
        if out.json {
            out.json(json!({"ok": false, "command": "verify-proof", "status": p.code, "message": p.message}));
        } else {
            println!("{} {}: {}", paint(RED.bold(), "✗ proof rejected:"), p.code, p.message);
        }
        Ok(ExitCode::from(1))
    };
    if bytes.starts_with(colophon::log::transparency::CONSISTENCY_HEADER.as_bytes()) {
        let (Some(old), Some(new)) = (old, new) else {
            return Err(Fail::input("a consistency proof is checked against two checkpoints: give --old and --new"));
        };
        let (ob, nb) = (read_small(old, "checkpoint")?, read_small(new, "checkpoint")?);
        let (oc, nc) = (parse_cp(&ob, old)?, parse_cp(&nb, new)?);
        let (osz, nsz, hashes) = colophon::log::transparency::parse_consistency_proof(&String::from_utf8_lossy(&bytes))
            .map_err(|m| Fail {
                code: 2,
                status: Some(Code::CheckpointMalformed),
                message: format!("{}: {m}", proof_path.display()),
            })?;
        for (b, c) in [(&ob, &oc), (&nb, &nc)] {
            if let Err(p) = verify_checkpoint(b, &c.origin, &keyring_log_keys(&ring, &c.origin), &ring) {
                return fail1(p);
            }
        }
        if (osz, nsz) != (oc.size.min(nc.size), oc.size.max(nc.size)) {
            return fail1(colophon::format::status::Problem::general(
                Code::ProofConsistency,
                format!("the proof is for sizes {osz} → {nsz}, the checkpoints are {} and {}", oc.size, nc.size),
            ));
        }
        if let Err(p) = check_consistent(&oc, &nc, Some(&hashes)) {
            return fail1(p);
        }
        out.say(format!(
            "{} {} at size {} is an append-only extension of size {}",
            paint(GREEN.bold(), "✓ consistent:"),
            nc.origin,
            oc.size.max(nc.size),
            oc.size.min(nc.size)
        ));
        out.json(
            json!({"ok": true, "command": "verify-proof", "kind": "consistency", "old_size": osz, "new_size": nsz}),
        );
        return Ok(ExitCode::SUCCESS);
    }
    let proof = colophon::log::checkpoint::TlogProof::parse(&bytes).map_err(|e| Fail {
        code: 2,
        status: Some(Code::CheckpointMalformed),
        message: format!("{}: {e}", proof_path.display()),
    })?;
    let (_, cp) = proof.parse_checkpoint().map_err(|e| Fail::input(e.to_string()))?;
    let checked = match verify_checkpoint(&proof.checkpoint, &cp.origin, &keyring_log_keys(&ring, &cp.origin), &ring) {
        Ok(c) => c,
        Err(p) => return fail1(p),
    };
    let line = match (entry, &proof.extra) {
        (Some(p), _) => {
            let mut b = read_small(p, "ledger line")?;
            while b.last() == Some(&b'\n') {
                b.pop();
            }
            b
        }
        (None, Some(x)) => x.clone(),
        (None, None) => {
            return Err(Fail::input("this proof does not carry its entry; give the ledger line with --entry FILE"));
        }
    };
    // spec/transparency.md §5, reader's checks 3 then 4: the line's seq is the proof's index (a line
    // that does not parse as an entry has none), then the audit path.
    let parsed = parse_line(&line).ok();
    if parsed.as_ref().is_none_or(|p| p.entry.seq != proof.index) {
        return fail1(colophon::format::status::Problem::general(
            Code::ProofInclusion,
            if parsed.is_none() {
                "the line is not a ledger entry, so it has no seq to compare with the proof's index"
            } else {
                "the entry's seq is not the proof's index"
            },
        ));
    }
    if let Err(p) = check_inclusion(&proof, &line, &checked.checkpoint) {
        return fail1(p);
    }
    let signer = checked.signed_by.first().map_or(String::new(), |(_, n)| n.clone());
    out.say(format!(
        "{} entry #{} ({}, {}) is in {} at size {}, checkpoint signed by {signer}; {}",
        paint(GREEN.bold(), "✓ included:"),
        proof.index,
        parsed.as_ref().map_or("?".into(), |p| p.entry.body.kind().to_string()),
        colophon::format::hash::entry_hash(&line).short(16),
        checked.origin,
        checked.size,
        witnesses_line(&checked.witnesses, checked.quorum)
    ));
    out.json(json!({"ok": true, "command": "verify-proof", "kind": "inclusion", "index": proof.index, "entry": colophon::format::hash::entry_hash(&line),
        "checkpoint": checked}));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn publish_cmd(out: Out, ledger_path: &Path, dir: &Path, key: Option<&Path>, site: bool) -> Res {
    let note = match key {
        Some(k) => {
            let key = unlock(k)?;
            colophon::store::transparency::checkpoint_ledger(ledger_path, &key).map_err(Fail::input)?.note
        }
        None => {
            let snap = load(ledger_path)?;
            match colophon::store::transparency::kept_checkpoint_checked(ledger_path, &snap.index, &Keyring::default())
            {
                Ok(Some((note, _))) => note,
                Ok(None) => {
                    return Err(Fail::input(
                        "no checkpoint kept for this ledger; pass --key OWNER.key to sign one, or run `colophon checkpoint`",
                    ));
                }
                Err(what) => {
                    return Err(Fail::input(format!(
                        "{what}; it cannot be published. Pass --key OWNER.key to sign a checkpoint of this ledger"
                    )));
                }
            }
        }
    };
    let p = colophon::store::transparency::publish_ledger(ledger_path, dir, &note).map_err(Fail::input)?;
    out.say(format!(
        "{} {} entries to {}: {} tiles written, {} kept, {} entry bundles{}",
        paint(GREEN, "Published"),
        p.size,
        dir.display(),
        p.tiles_written,
        p.tiles_kept,
        p.bundles_written,
        if p.colophon_only_bundles > 0 {
            format!(" ({} only in the colophon format: a line exceeds 65,535 bytes)", p.colophon_only_bundles)
        } else {
            String::new()
        }
    ));
    // The site after the tiles: its bundles and pages are of the checkpoint just published.
    let written = if site {
        let w = colophon::store::site::write_site(ledger_path, dir, &note).map_err(Fail::input)?;
        if let Some(why) = &w.warning {
            anstream::eprintln!("{}: {why}", paint(YELLOW, "warning"));
        }
        out.say(format!("site: {} pages in {} (open {})", w.pages, dir.display(), dir.join("index.html").display()));
        Some(w)
    } else {
        None
    };
    let mut j = json!({"ok": true, "command": "publish", "dir": dir, "published": p});
    if let Some(w) = written {
        j["site"] = json!(w);
    }
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(crate) struct WitnessArgs {
    pub(crate) checkpoint: PathBuf,
    pub(crate) key: PathBuf,
    pub(crate) name: String,
    pub(crate) state: PathBuf,
    pub(crate) log_key: Vec<PathBuf>,
    pub(crate) tiles: Option<String>,
    pub(crate) proof: Option<PathBuf>,
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn witness_cmd(out: Out, ledger_path: &Path, a: WitnessArgs) -> Res {
    // The state must be recorded before the cosignature leaves (a witness must never forget what
    // it signed), so check the output can be written before either happens.
    if let Some(p) = &a.output {
        check_writable_target(p)?;
    }
    let key = unlock(&a.key)?;
    let ring = load_keyrings(&a.log_key)?;
    let note = read_small(&a.checkpoint, "checkpoint")?;
    let cp = parse_cp(&note, &a.checkpoint)?;
    let log_keys = colophon::log::transparency::keyring_log_keys(&ring, &cp.origin);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Files the witness was given that cannot be read or parsed are bad input (exit 2), not a
    // refusal to cosign (exit 1): the proof is checked here, the state by `witness_cosign`
    // (reported as `ledger.io`).
    let given_proof = match &a.proof {
        None => None,
        Some(p) => {
            let text = read_small(p, "consistency proof")?;
            let text = String::from_utf8(text)
                .map_err(|_| Fail::input(format!("{}: not a consistency proof (not UTF-8 text)", p.display())))?;
            let parsed = colophon::log::transparency::parse_consistency_proof(&text).map_err(|m| {
                Fail::input(format!(
                    "{}: not a consistency proof ({m}); make one with `colophon prove consistency`",
                    p.display()
                ))
            })?;
            Some((p, parsed))
        }
    };
    // A source of consistency (the tiles, the ledger) that cannot be opened or read is bad input
    // too, not a proof that the log forked: remembered here, reported as such below.
    let unusable: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let unusable_input = |m: String| -> String {
        *unusable.borrow_mut() = Some(m.clone());
        m
    };
    let consistency = |old: u64, new: u64| -> Result<Vec<Digest>, String> {
        if let Some((p, (o, n, h))) = &given_proof {
            if (*o, *n) != (old, new) {
                // A proof of other sizes proves nothing: a refusal, as a proof that fails is.
                return Err(format!(
                    "{} proves {o} → {n}, but {old} → {new} is needed (`colophon prove consistency` between \
                     the checkpoints of sizes {old} and {new})",
                    p.display()
                ));
            }
            return Ok(h.clone());
        }
        if let Some(t) = &a.tiles {
            let (src, dir) = colophon::store::tiles::open_arg(t).map_err(unusable_input)?;
            if src.size < new {
                return Err(unusable_input(format!("{}: the tiles publish only {} entries", dir.display(), src.size)));
            }
            return colophon::log::merkle::prove_consistency(new, old, &src);
        }
        let snap = ledger::load(ledger_path).map_err(|e| unusable_input(e.to_string()))?;
        colophon::log::merkle::prove_consistency(new, old, &snap.index)
    };
    let cosigned = match colophon::store::transparency::witness_cosign(
        &note,
        &log_keys,
        &a.state,
        &a.name,
        &key,
        now,
        consistency,
    ) {
        Ok(n) => n,
        Err(mut p) => {
            if let Some(m) = unusable.take() {
                return Err(Fail::input(format!("{m}; nothing was cosigned")));
            }
            if p.code == Code::LedgerIo {
                // The state could not be read or written: nothing was cosigned.
                return Err(Fail::input(format!("{}; nothing was cosigned", p.message)));
            }
            // A proof computed from the log's own tiles or ledger (checked against the new
            // checkpoint) that fails against what the witness saw is proof of a split view,
            // not of a damaged file.
            if p.code == Code::ProofConsistency && a.proof.is_none() {
                p.code = Code::CheckpointInconsistent;
                p.message = format!("the log is not an extension of what this witness cosigned before: {}", p.message);
            }
            if out.json {
                out.json(json!({"ok": false, "command": "witness", "status": p.code, "message": p.message}));
            }
            anstream::eprintln!("{} {}: {}", paint(RED.bold(), "✗ not cosigned:"), p.code, p.message);
            return Ok(ExitCode::from(1));
        }
    };
    write_out(a.output.as_deref(), &cosigned)?;
    if a.output.is_some() || out.json {
        out.say(format!("{} {} at size {} as witness {}", paint(GREEN, "Cosigned"), cp.origin, cp.size, a.name));
    }
    out.json(json!({"ok": true, "command": "witness", "origin": cp.origin, "size": cp.size, "witness": a.name}));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn vkey_cmd(out: Out, public: &Path, name: &str, witness: bool) -> Res {
    let k = read_pub_file(public)?;
    let kind = if witness {
        colophon::log::note::VerifierKind::CosignatureV1
    } else {
        colophon::log::note::VerifierKind::Ed25519
    };
    let v = colophon::log::note::Verifier::new(name, kind, k.key.0).map_err(|e| Fail::input(e.to_string()))?;
    let line = format!("{}{}", if witness { "witness " } else { "" }, v.to_vkey());
    if out.json {
        out.json(json!({"ok": true, "command": "vkey", "vkey": v.to_vkey(), "keyring_line": line}));
    } else {
        write_stdout(format!("{line}\n").as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
