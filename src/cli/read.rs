//! The commands that read a ledger: verify, log, show, diff, audit (spec/cli.md §2).

use super::*;
use anstream::eprintln;

/// Loads a ledger for a command, and says on stderr what its state leaves out: entries an audit
/// rejects (spec/ledger.md §11; they are ignored), and a cache that could not be used.
pub(super) fn load(path: &Path) -> Result<ledger::Snapshot, Fail> {
    let snap = ledger::load(path)?;
    for w in snap.warnings.iter().cloned().chain(snap.rejected_lines(path)) {
        eprintln!("{}: {w}", paint(YELLOW, "warning"));
    }
    Ok(snap)
}

pub(super) fn load_keyrings(paths: &[PathBuf]) -> Result<Keyring, Fail> {
    let mut ring = Keyring::default();
    for p in paths.iter().filter(|p| !p.as_os_str().is_empty()) {
        let r = Keyring::read(p)?;
        // Lines of an allowed_signers file that name no trust root here (spec/ledger.md §10.1).
        for (line, why) in &r.ignored {
            eprintln!("{}: {}:{line}: not a trust root here: {why}", paint(YELLOW, "note"), p.display());
        }
        ring.extend(r);
    }
    Ok(ring)
}

pub(super) struct VerifyArgs {
    pub(super) copy: PathBuf,
    pub(super) bundle: Option<PathBuf>,
    pub(super) trust: Vec<PathBuf>,
    pub(super) profile: String,
    pub(super) seen: Option<PathBuf>,
    pub(super) consistency: Option<PathBuf>,
    pub(super) tiles: Option<String>,
    pub(super) insecure_ignore_log: bool,
    pub(super) copy_as: String,
    pub(super) require_latest: bool,
}

pub(super) fn verify_cmd(out: Out, ledger_path: &Path, args: VerifyArgs) -> Res {
    use colophon::verify::verdict::{Source, VerifyOptions, verify};
    let profile = args.profile.as_str();
    // A profile retired for matching (words/v1, spec/ledger.md §9.3) is refused, not taken for another.
    if colophon::format::normalize::Profile::from_id(profile).is_some_and(|p| !p.matches_copies()) {
        return Err(Fail::input(format!(
            "--profile {profile}: retired for matching copies, because it equates texts that read differently \
             (10\u{2076} and 106, 1\u{BD} and 11\u{2044}2); use --profile words/v2"
        )));
    }
    let loosest = Level::from_id(profile)
        .ok_or_else(|| Fail::input(format!("--profile {profile:?}: use exact, text/v1 or words/v2")))?;
    let roots = load_keyrings(&args.trust)?;
    let copy_arg = args.copy.to_string_lossy().to_string();
    let mut page: Option<colophon::store::http::Fetched> = None;
    let facts: CopyFacts = if copy_arg == "-" {
        read_stdin_copy()?
    } else if colophon::store::http::is_url(&copy_arg) {
        let f = fetch_page(&copy_arg)?;
        let facts = CopyFacts::from_bytes(&f.bytes);
        page = Some(f);
        facts
    } else {
        read_with_progress(&args.copy, false)?.into()
    };
    let seen = args.seen.as_deref().map(|p| read_small(p, "checkpoint")).transpose()?;
    if let (Some(bytes), Some(p)) = (&seen, &args.seen) {
        parse_cp(bytes, p)?;
    }
    let consistency = match args.consistency.as_deref() {
        Some(p) => {
            let text = String::from_utf8(read_small(p, "consistency proof")?).unwrap_or_default();
            Some(
                colophon::log::transparency::parse_consistency_proof(&text)
                    .map_err(|m| Fail::input(format!("{}: {m}", p.display())))?,
            )
        }
        None => None,
    };
    use colophon::verify::copy::CopyKind;
    let copy_as = match args.copy_as.as_str() {
        "html" => Some(CopyKind::Html),
        "text" => Some(CopyKind::Text),
        _ => None,
    };
    let opts = VerifyOptions {
        loosest: Some(loosest),
        seen,
        consistency,
        insecure_ignore_log: args.insecure_ignore_log,
        copy_as,
        require_latest: args.require_latest,
    };
    // A clear-signed copy (spec/exports.md §4.3) verifies on its own when no source is given and
    // there is no ledger here.
    if args.bundle.is_none() && args.tiles.is_none() && !ledger_path.exists() {
        let bytes = page.as_ref().map(|p| p.bytes.as_slice()).or(facts.text.as_deref().map(str::as_bytes));
        if let Some(v) = bytes.and_then(|b| colophon::verify::clearsigned::verify_clearsigned(b, &roots, copy_as)) {
            return super::export::render_clearsigned(out, &v, &copy_arg);
        }
    }
    // Discovery (spec/cli.md §3 verify): a page names its bundle, or its log's tiles, with a
    // `<link rel="alternate">`; followed only when no source was given and there is no ledger here.
    let mut found_bundle: Option<(Vec<u8>, String)> = None;
    let mut tiles_arg = args.tiles.clone();
    if let Some(pg) = &page
        && args.bundle.is_none()
        && tiles_arg.is_none()
        && !ledger_path.exists()
    {
        use colophon::store::http::{BUNDLE_TYPE, Client, TILES_TYPE, find_link};
        if let Some(u) = find_link(pg, BUNDLE_TYPE) {
            let b = Client::new()
                .get(&u, MAX_BUNDLE)
                .map_err(|f| Fail::input(format!("the page's bundle link: {}", f.message)))?;
            found_bundle = Some((b.bytes, u));
        } else if let Some(u) = find_link(pg, TILES_TYPE) {
            tiles_arg = Some(u);
        } else {
            return Err(Fail::input(format!(
                "{copy_arg}: the page links no bundle (<link rel=\"alternate\" type=\"{BUNDLE_TYPE}\">) and no log \
                 ({TILES_TYPE}); give the bundle (--bundle FILE), the published log (--tiles URL), or a ledger (--ledger PATH)"
            )));
        }
    }
    let published = tiles_arg.as_deref().map(rebuild_from_tiles).transpose()?;
    fn as_input(name: &str) -> impl Fn(colophon::format::status::Problem) -> Fail + '_ {
        move |p| Fail { code: 2, status: Some(p.code), message: format!("{name}: {}", p.message) }
    }
    let (verdict, source) = match (&args.bundle, &published) {
        (None, None) if found_bundle.is_some() => {
            let (bytes, shown) = found_bundle.unwrap_or_default();
            let v = verify(&facts, Source::Bundle { bytes: &bytes }, &roots, &opts).map_err(as_input(&shown))?;
            (v, format!("bundle {shown}"))
        }
        (Some(bp), _) => {
            let meta = std::fs::metadata(bp).map_err(|e| Fail::input(format!("{}: {}", bp.display(), io_hint(&e))))?;
            if meta.is_dir() || meta.len() > MAX_BUNDLE {
                return Err(Fail::input(format!(
                    "{}: not a bundle file (a directory, or over {} MiB)",
                    bp.display(),
                    MAX_BUNDLE >> 20
                )));
            }
            let bytes = std::fs::read(bp).map_err(|e| Fail::input(format!("{}: {}", bp.display(), io_hint(&e))))?;
            let shown = bp.display().to_string();
            let v = verify(&facts, Source::Bundle { bytes: &bytes }, &roots, &opts).map_err(as_input(&shown))?;
            (v, format!("bundle {shown}"))
        }
        (None, Some(pb)) => {
            // A log rebuilt from tiles lives in a temporary file: its state is built in memory.
            let snap = ledger::load_with(&pb.ledger, &colophon::store::cache::Cache::None)?;
            let lines = LedgerFile(&pb.ledger);
            let source = Source::Tiles { index: &snap.index, lines: &lines, checkpoint: &pb.source.checkpoint };
            let v = verify(&facts, source, &roots, &opts).map_err(as_input("--checkpoint"))?;
            (v, format!("published tiles {}", pb.dir.display()))
        }
        (None, None) => {
            // A reader most often has a bundle or a published log, not a ledger: say so.
            if !ledger_path.exists() {
                return Err(Fail::input(format!(
                    "{}: no ledger here to verify against; give the reader's bundle (--bundle FILE), the published \
                     log (--tiles DIR), or a ledger (--ledger PATH)",
                    ledger_path.display()
                )));
            }
            let kept = colophon::store::transparency::read_kept_checkpoint(ledger_path);
            let mut snap = load(ledger_path)?;
            let lines = LedgerFile(ledger_path);
            let kept_name = colophon::store::transparency::checkpoint_path(ledger_path).display().to_string();
            fn source<'a>(
                snap: &'a ledger::Snapshot,
                lines: &'a LedgerFile<'a>,
                kept: &Result<Option<Vec<u8>>, String>,
                kept_name: &str,
            ) -> Source<'a> {
                Source::Ledger { index: &snap.index, lines, kept: kept.clone(), kept_name: kept_name.to_string() }
            }
            let mut v = verify(&facts, source(&snap, &lines, &kept, &kept_name), &roots, &opts)
                .map_err(as_input("--checkpoint"))?;
            if let Some(why) = v.report.index_disagreed.take() {
                // The verdict already rests on signed lines only; rebuild the index so the next
                // command finds what the ledger holds, and verify again with it.
                ledger::discard_index(ledger_path, &colophon::store::cache::Cache::from_env());
                snap = load(ledger_path)?;
                v = verify(&facts, source(&snap, &lines, &kept, &kept_name), &roots, &opts)
                    .map_err(as_input("--checkpoint"))?;
                v.report.notes.push(format!(
                    "the ledger's index disagreed with a signed line ({why}); it was rebuilt from the ledger"
                ));
            }
            v.report.notes.extend(snap.rejected_lines(ledger_path));
            (v, format!("ledger {}", ledger_path.display()))
        }
    };
    let fetched = page.as_ref().map(|p| (copy_arg.as_str(), p.url.as_str()));
    render_verdict(out, &verdict, &args.copy, &source, fetched)
}

/// `verify -`: the copy from standard input, at most [`MAX_STORED_TEXT`] bytes (a larger copy is
/// verified from a file, which is hashed in constant memory).
fn read_stdin_copy() -> Result<CopyFacts, Fail> {
    use std::io::Read as _;
    let limit = colophon::log::content::MAX_STORED_TEXT;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fail::input(format!("-: reading standard input: {e}")))?;
    if bytes.is_empty() {
        return Err(Fail {
            code: 2,
            status: Some(Code::CopyEmpty),
            message: "-: standard input is empty (0 bytes); colophon verifies only non-empty copies".into(),
        });
    }
    if bytes.len() as u64 > limit {
        return Err(Fail::input(format!(
            "-: standard input is over {} MiB; save the copy to a file and verify the file",
            limit >> 20
        )));
    }
    Ok(CopyFacts::from_bytes(&bytes))
}

/// `verify URL`: the page's bytes, refused unless text or HTML and non-empty.
fn fetch_page(url: &str) -> Result<colophon::store::http::Fetched, Fail> {
    use colophon::store::http::{Client, MAX_BODY, is_text_type};
    let f = Client::new().get(url, MAX_BODY).map_err(|f| Fail::input(f.message))?;
    if !is_text_type(&f.content_type) {
        let ct = if f.content_type.is_empty() { "none".to_string() } else { f.content_type.clone() };
        return Err(Fail::input(format!(
            "{url}: not text: Content-Type {ct}; colophon verifies pages served as text/* or HTML"
        )));
    }
    if f.bytes.is_empty() {
        return Err(Fail {
            code: 2,
            status: Some(Code::CopyEmpty),
            message: format!("{url}: the page is empty (0 bytes)"),
        });
    }
    Ok(f)
}

pub(super) fn vref(index: &Index, h: &Digest) -> String {
    index.version(h).map_or_else(|| h.short(16), |v| format!("{}:{}@{}", v.work, v.lang, v.number))
}

pub(super) fn log_cmd(out: Out, ledger_path: &Path, work: Option<&str>) -> Res {
    let snap = load(ledger_path)?;
    let idx = &snap.index;
    if let Some(w) = work {
        let mut works: Vec<String> = idx.work_langs().into_iter().map(|(w, _)| w).collect();
        works.dedup();
        if !works.iter().any(|x| x == w) {
            return Err(Fail::input(format!(
                "no work named {w:?} in {}; its works: {}",
                ledger_path.display(),
                if works.is_empty() { "none yet".to_string() } else { works.join(", ") }
            )));
        }
    }
    // Everything printed comes from the lines themselves (spec/verify.md §4, `log::history`).
    let (file, len) = ledger::open_for_read(ledger_path)?;
    let reader = std::io::BufReader::new(std::io::Read::take(file, len));
    let rows =
        colophon::log::history::history(reader, &idx.rejections(), work).map_err(|e| Fail::input(e.to_string()))?;
    for r in &rows {
        let when = r.time.replace('T', " ").trim_end_matches('Z').to_string();
        // A line an audit rejects is shown for what it is: not an entry of the ledger's state.
        out.say(format!(
            "{} {} {:<8} {}{}  {}",
            paint(DIM, &format!("#{:<4}", r.seq)),
            paint(DIM, &when),
            r.kind,
            r.rejected.as_ref().map_or(String::new(), |why| paint(RED, &format!("REJECTED ({why}), ignored: "))),
            r.summary,
            paint(DIM, &format!("— {} [{}]", r.signer_name, r.entry.short(16)))
        ));
    }
    if !rows.is_empty() {
        // spec/verify.md §2.2: a claimed time is the signer's word; nothing checks it.
        out.say(paint(DIM, "(times are what each entry's signer claims; notes are the signer's words)"));
    }
    if let Some(t) = snap.torn {
        eprintln!("{}: line {} is torn (an interrupted append); it is not an entry", paint(YELLOW, "note"), t.number);
    }
    out.json(json!({"ok": true, "command": "log", "entries": rows}));
    Ok(ExitCode::SUCCESS)
}

/// What `show` prints: a version's text, or any other entry as its line says it; for a release,
/// its translation's text and the release itself (spec/cli.md §3 `show`).
pub(super) enum Shown {
    Text { label: String, entry: Digest, sha256: Digest, text: String, release: Option<Value> },
    Entry { entry: Digest, value: Value },
}

/// A release as `show WORK@TAG` reports it, every fact from signed lines (spec/verify.md §2.3):
/// tag, versions, note, URLs, signer, cosigners, claimed times, and the later releases of the same
/// work and language that supersede it (spec/verify.md §2.8; as the ledger holds them, whoever
/// signed them: `show` takes no trust roots).
fn release_json(
    snap: &ledger::Snapshot,
    signed: &colophon::verify::copy::Signed<'_>,
    h: &Digest,
) -> Result<Value, Fail> {
    let rel = signed.release(h).map_err(Fail::input)?;
    let p = signed.checked(h).map_err(Fail::input)?;
    let note = match &p.entry.body {
        Body::Release(r) => r.note.clone(),
        _ => None,
    };
    let who = |id: &colophon::format::keys::KeyId| json!({"key_id": id, "name": signed.key(id).map_or_else(|| "(unregistered key)".to_string(), |k| k.name)});
    let version = |h: &Digest| -> Result<(Value, String), Fail> {
        let v = signed.version(h).map_err(Fail::input)?;
        let r = format!("{}:{}@{}", v.work, v.lang, v.number);
        Ok((json!({"ref": r, "entry": h, "lang": v.lang}), v.lang))
    };
    let (translation, lang) = version(&rel.translation)?;
    let (original, _) = version(&rel.original)?;
    let mut cosigners = Vec::new();
    for (k, _, c) in &rel.cosigners {
        let time = signed.parsed(c).map(|p| p.entry.time.clone()).unwrap_or_default();
        cosigners.push(json!({"signer": who(k), "time": time, "entry": c}));
    }
    let mut later_releases = snap.index.releases(Some(&rel.work));
    later_releases.sort_by_key(|r| r.seq);
    let mut superseded_by = Vec::new();
    for r in later_releases {
        if r.seq <= rel.seq || r.work != rel.work {
            continue;
        }
        let Ok(later) = signed.release(&r.hash) else { continue };
        if signed.version(&later.translation).is_ok_and(|v| v.lang == lang) {
            superseded_by
                .push(json!({"ref": format!("{}@{}", later.work, later.tag), "entry": later.hash, "time": later.time}));
        }
    }
    Ok(json!({
        "ref": format!("{}@{}", rel.work, rel.tag),
        "entry": rel.hash,
        "seq": rel.seq,
        "tag": rel.tag,
        "time": rel.time,
        "signer": who(&rel.signer),
        "note": note,
        "translation": translation,
        "original": original,
        "urls": rel.urls,
        "cosigners": cosigners,
        "superseded_by": superseded_by,
    }))
}

/// Finds what `show REF` prints, from signed lines only (spec/verify.md §4).
pub(super) fn show_resolve(
    snap: &ledger::Snapshot,
    signed: &colophon::verify::copy::Signed<'_>,
    ledger_path: &Path,
    r: &str,
) -> Result<Shown, Fail> {
    let mut h = resolve(&snap.index, r).map_err(Fail::input)?;
    if let Some(rejected) = snap.index.rejection(&h) {
        return Err(Fail::input(format!(
            "{r}: entry {} is a line the ledger's audit rejects ({rejected}); it is not part of the ledger's state. \
             Run `colophon audit` for the full report",
            h.short(16)
        )));
    }
    let p = signed.parsed(&h).map_err(Fail::input)?;
    let mut release = None;
    if let Body::Release(_) = &p.entry.body {
        release = Some(release_json(snap, signed, &h)?);
        h = signed.release(&h).map_err(Fail::input)?.translation;
    }
    let p = signed.parsed(&h).map_err(Fail::input)?;
    if !matches!(p.entry.body, Body::Version(_)) {
        let line = p.entry.to_line().map_err(Fail::input)?;
        let value: Value = serde_json::from_slice(&line).map_err(|e| Fail::input(e.to_string()))?;
        return Ok(Shown::Entry { entry: h, value });
    }
    let v = signed.version(&h).map_err(Fail::input)?;
    let text = colophon::log::content::reconstruct(&LedgerFile(ledger_path), &snap.index, &h)
        .map_err(|e| Fail::input(e.to_string()))?;
    Ok(Shown::Text { label: format!("{}:{}@{}", v.work, v.lang, v.number), entry: h, sha256: v.sha256, text, release })
}

/// Prints a release as `show WORK@TAG` does (spec/cli.md §3): claimed times and notes marked as
/// the signer's.
fn print_release(rel: &Value) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let who = |v: &Value| format!("{} ({})", s(&v["name"]), s(&v["key_id"]).get(..16).unwrap_or_default());
    println!("{} {}", paint(BOLD, "release"), paint(BOLD, &s(&rel["ref"])));
    for later in rel["superseded_by"].as_array().into_iter().flatten().rev().take(1) {
        println!(
            "  {} by {}, released {} (the signer's claim); this release is not the latest",
            paint(YELLOW.bold(), "superseded"),
            s(&later["ref"]),
            when(&s(&later["time"]))
        );
    }
    println!("  released:    {} (the signer's claim)", when(&s(&rel["time"])));
    println!("  signed by:   {}", who(&rel["signer"]));
    if let Some(n) = rel["note"].as_str() {
        println!("  note:        “{n}” (the signer's note)");
    }
    println!(
        "  translation: {} (entry {})",
        s(&rel["translation"]["ref"]),
        s(&rel["translation"]["entry"]).get(..16).unwrap_or_default()
    );
    println!(
        "  renders:     original {} (entry {})",
        s(&rel["original"]["ref"]),
        s(&rel["original"]["entry"]).get(..16).unwrap_or_default()
    );
    for u in rel["urls"].as_array().into_iter().flatten() {
        println!("  published:   {}", s(u));
    }
    for c in rel["cosigners"].as_array().into_iter().flatten() {
        println!("  cosigned:    {}, {} (the cosigner's claim)", who(&c["signer"]), when(&s(&c["time"])));
    }
    println!("  entry:       {} (seq {})", s(&rel["entry"]).get(..16).unwrap_or_default(), rel["seq"]);
    println!("  text:        colophon show {} --text (or -o FILE)", s(&rel["ref"]));
}

pub(super) fn show_cmd(out: Out, ledger_path: &Path, r: &str, output: Option<&Path>, as_text: bool) -> Res {
    let mut snap = load(ledger_path)?;
    let mut rebuilt = false;
    let shown = loop {
        let file = LedgerFile(ledger_path);
        let signed = colophon::verify::copy::Signed::new(&snap.index, Store::Ledger(&file));
        let result = show_resolve(&snap, &signed, ledger_path, r);
        match signed.disagreed() {
            // The index disagreed with a signed line: rebuild it and look again.
            Some(_) if !rebuilt => {
                rebuilt = true;
                drop(signed);
                ledger::discard_index(ledger_path, &colophon::store::cache::Cache::from_env());
                snap = load(ledger_path)?;
            }
            _ => break result?,
        }
    };
    let (label, h, sha256, text, release) = match shown {
        Shown::Entry { entry, value } => {
            if out.json {
                out.json(json!({"ok": true, "command": "show", "entry": entry, "value": value}));
            } else {
                println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            }
            return Ok(ExitCode::SUCCESS);
        }
        Shown::Text { label, entry, sha256, text, release } => (label, entry, sha256, text, release),
    };
    let with_release = |mut j: Value| {
        if let Some(rel) = &release {
            j["release"] = rel.clone();
        }
        j
    };
    match output {
        Some(p) => {
            // Atomic, so a full disk leaves no partial text behind.
            write_out(Some(p), text.as_bytes())?;
            out.say(format!(
                "{} {label} to {} ({} bytes, sha256 {} verified)",
                paint(GREEN, "Wrote"),
                p.display(),
                text.len(),
                sha256.short(16)
            ));
            out.json(with_release(
                json!({"ok": true, "command": "show", "ref": label, "entry": h, "sha256": sha256, "out": p}),
            ));
        }
        None if out.json => out.json(with_release(
            json!({"ok": true, "command": "show", "ref": label, "entry": h, "sha256": sha256, "text": text}),
        )),
        None => match &release {
            // A release is shown as the release; its text with --text (spec/cli.md §3 `show`).
            Some(rel) if !as_text => print_release(rel),
            _ => write_stdout(text.as_bytes())?,
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// A published log turned back into a ledger file in a temporary directory, every line checked
/// against the tiles on the way (spec/transparency.md §7.3).
pub(crate) struct Rebuilt {
    tmp: tempfile::TempDir,
    pub(crate) ledger: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) source: colophon::log::tiles::TilesSource,
}

pub(crate) fn rebuild_from_tiles(arg: &str) -> Result<Rebuilt, Fail> {
    let (source, dir) = colophon::store::tiles::open_arg(arg).map_err(Fail::input)?;
    let tmp = tempfile::tempdir().map_err(|e| Fail::input(format!("temporary directory: {e}")))?;
    let ledger = tmp.path().join("published.jsonl");
    let file = std::fs::File::create(&ledger).map_err(|e| Fail::input(format!("{}: {e}", ledger.display())))?;
    let mut w = std::io::BufWriter::new(file);
    source.write_ledger(&mut w).map_err(|m| {
        // Name what the tiles were read for: a checkpoint planted in (or left over from another
        // log in) the directory makes the tiles it describes go missing, and "tile … not found"
        // alone does not say why. The origin line is the untrusted note's, shown escaped.
        let origin =
            String::from_utf8_lossy(&source.checkpoint).lines().next().unwrap_or("").escape_debug().to_string();
        Fail {
            code: 1,
            status: Some(Code::ProofInclusion),
            message: format!(
                "{}: the tiles do not hold the log its checkpoint describes (origin \"{origin}\", size {}): {m}; \
                 the checkpoint may belong to another log, or the tiles are incomplete (publish them again)",
                dir.display(),
                source.size
            ),
        }
    })?;
    w.flush().map_err(|e| Fail::input(e.to_string()))?;
    Ok(Rebuilt { tmp, ledger, dir, source })
}

/// After loading a rebuilt ledger: its published checkpoint must be signed by one of its owner
/// keys and describe exactly its lines.
pub(crate) fn check_published(r: &Rebuilt, index: &Index, roots: &colophon::log::trust::Keyring) -> Result<(), Fail> {
    let origin = index.origin().unwrap_or_default();
    let keys = colophon::log::transparency::owner_keys(index, &origin, r.source.size);
    colophon::log::transparency::verify_checkpoint(&r.source.checkpoint, &origin, &keys, roots)
        .and_then(|c| colophon::log::transparency::matches_tree(&c.checkpoint, index.len(), index))
        .map_err(|p| Fail {
            code: 1,
            status: Some(p.code),
            message: format!("{}/checkpoint: {}", r.dir.display().to_string().trim_end_matches('/'), p.message),
        })
}

/// Files larger than this are not diffed: a word diff of them would not be readable anyway.
pub(super) const MAX_DIFF_FILE: u64 = 64 << 20;
/// Bundles carry texts, not books of them.
pub(super) const MAX_BUNDLE: u64 = 256 << 20;

/// Resolves a diff operand: a REF in the ledger, or else a file.
pub(super) fn operand(
    ledger_path: &Path,
    snap: Option<&ledger::Snapshot>,
    arg: &str,
) -> Result<(String, String), Fail> {
    if let Some(s) = snap
        && let Ok(mut h) = resolve(&s.index, arg)
    {
        if let Some(rel) = s.index.release(&h) {
            h = rel.translation;
        }
        let text = colophon::log::content::reconstruct(&LedgerFile(ledger_path), &s.index, &h)
            .map_err(|e| Fail::input(e.to_string()))?;
        return Ok((vref(&s.index, &h), text));
    }
    let p = Path::new(arg);
    if p.is_file() {
        let size = p.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_DIFF_FILE {
            return Err(Fail::input(format!(
                "{arg}: {} MiB is too large to diff as text (limit {} MiB); compare hashes with `colophon verify` instead",
                size >> 20,
                MAX_DIFF_FILE >> 20
            )));
        }
        let bytes = std::fs::read(p).map_err(|e| Fail::input(format!("{arg}: {}", io_hint(&e))))?;
        let text =
            String::from_utf8(bytes).map_err(|_| Fail::input(format!("{arg}: not UTF-8 text; diff compares texts")))?;
        return Ok((arg.to_string(), text));
    }
    if p.exists() {
        return Err(Fail::input(format!("{arg}: not a regular file; diff compares texts")));
    }
    match snap {
        Some(s) => Err(Fail::input(format!(
            "{arg}: no such file, and not a REF of this ledger ({})",
            resolve(&s.index, arg).err().unwrap_or_default()
        ))),
        None => Err(Fail::input(format!(
            "{arg}: no such file, and no ledger at {} to look up a REF",
            ledger_path.display()
        ))),
    }
}

pub(super) fn diff_cmd(out: Out, ledger_path: &Path, a: &str, b: &str, words: bool) -> Res {
    let snap = load(ledger_path).ok();
    let (na, ta) = operand(ledger_path, snap.as_ref(), a)?;
    let (nb, tb) = operand(ledger_path, snap.as_ref(), b)?;
    if out.json {
        let chunks = word_diff(&ta, &tb);
        out.json(json!({"ok": true, "command": "diff", "a": na, "b": nb, "identical": ta == tb, "chunks": chunks,
            "unified": unified(&ta, &tb, &na, &nb, 3)}));
        return Ok(ExitCode::SUCCESS);
    }
    if ta == tb {
        out.say(format!("{na} and {nb} are identical"));
        return Ok(ExitCode::SUCCESS);
    }
    if words {
        print_word_diff(&word_diff(&ta, &tb), 0);
        return Ok(ExitCode::SUCCESS);
    }
    let text = unified(&ta, &tb, &na, &nb, 3);
    if !color() {
        // A diff can be megabytes: write it in one go.
        write_stdout(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut styled = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            GREEN
        } else if line.starts_with('-') {
            RED
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            styled.push_str(line);
            continue;
        };
        let body = line.strip_suffix('\n').unwrap_or(line);
        styled.push_str(&paint(style, body));
        if body.len() < line.len() {
            styled.push('\n');
        }
    }
    write_stdout(styled.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `audit --state FILE` and `audit --save-state FILE --checkpoint CHECKPOINT`
/// (spec/transparency.md §8.1).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct StateFlags<'a> {
    /// The state file to resume from (with `--since`).
    pub(super) state: Option<&'a Path>,
    /// The state file to save, and the checkpoint to bind it to.
    pub(super) save: Option<(&'a Path, &'a Path)>,
}

/// Reads a checkpoint file given to `audit`: a file that is not a signed note at all is bad input
/// (exit 2); a note that is not a valid checkpoint, is not signed by an owner, or does not match
/// the ledger is an audit finding (exit 1, spec/transparency.md §8).
fn read_audit_checkpoint(p: &Path) -> Result<Vec<u8>, Fail> {
    let b = read_small(p, "checkpoint")?;
    if let Err(e) = colophon::log::note::Note::parse(&b) {
        return Err(Fail {
            code: 2,
            status: Some(Code::CheckpointMalformed),
            message: format!(
                "{}: not a checkpoint: {e}; give a checkpoint saved by `colophon checkpoint`",
                p.display()
            ),
        });
    }
    Ok(b)
}

/// Audits with a state file (spec/transparency.md §8.1): resumes from `flags.state` (bound to the
/// `--since` checkpoint) and/or saves the state at `flags.save`'s checkpoint.
fn audit_with_state(
    ledger_path: &Path,
    roots: &Keyring,
    since: Option<(&Path, &[u8])>,
    flags: StateFlags<'_>,
) -> Result<Report, Fail> {
    use colophon::store::resume::{Resume, ResumeError, Save, audit_file_with_state, load_state};
    let save_bytes = flags.save.map(|(_, cp)| read_audit_checkpoint(cp)).transpose()?;
    let save = flags.save.zip(save_bytes.as_deref()).map(|((path, _), checkpoint)| Save { path, checkpoint });
    let resume = match flags.state {
        None => None,
        Some(path) => {
            let (_, checkpoint) = since.ok_or_else(|| {
                Fail::input("--state needs --since CHECKPOINT, the checkpoint the state was saved at")
            })?;
            let state = load_state(path).map_err(resume_fail)?;
            Some(Resume { state, path, checkpoint })
        }
    };
    let trust = (!roots.is_empty()).then_some(roots);
    let full_since = if resume.is_some() { None } else { since.map(|(_, b)| b) };
    return audit_file_with_state(ledger_path, trust, full_since, resume, save).map_err(resume_fail);

    fn resume_fail(e: ResumeError) -> Fail {
        match e {
            ResumeError::Ledger(e) => e.into(),
            // The state or its binding is bad input; a checkpoint that does not vouch for it, or
            // a ledger that does not hold its history, is a failed verification.
            ResumeError::Refused(code, message) => Fail {
                code: if matches!(code, Code::AuditStateInvalid | Code::AuditStateMismatch) { 2 } else { 1 },
                status: Some(code),
                message,
            },
            ResumeError::Input(m) => Fail::input(m),
        }
    }
}

pub(super) fn audit_cmd(
    out: Out,
    ledger_path: &Path,
    trust: &[PathBuf],
    since: Option<&Path>,
    tiles: Option<&str>,
    flags: StateFlags<'_>,
) -> Res {
    let roots = load_keyrings(trust)?;
    let since_bytes = since.map(read_audit_checkpoint).transpose()?;
    // A tiles directory is audited by rebuilding the ledger's bytes from it (every line checked
    // against the tiles on the way) into a temporary file, then auditing that exactly like a file.
    let mut rebuilt = None;
    let mut tiles_source = None;
    if let Some(t) = tiles {
        let r = rebuild_from_tiles(t)?;
        tiles_source = Some((r.dir.clone(), r.source));
        rebuilt = Some((r.tmp, r.ledger));
    }
    let audited: &Path = rebuilt.as_ref().map_or(ledger_path, |(_, l)| l.as_path());
    let mut report: Report = if flags.state.is_some() || flags.save.is_some() {
        audit_with_state(audited, &roots, since.zip(since_bytes.as_deref()), flags)?
    } else {
        colophon::store::audit::audit_file_since(
            audited,
            (!roots.is_empty()).then_some(&roots),
            since_bytes.as_deref(),
        )?
    };
    if let Some((dir, src)) = &tiles_source {
        // The published checkpoint must be the log's own, and describe exactly these lines.
        let origin = report.index.origin().unwrap_or_default();
        let keys = colophon::log::transparency::owner_keys(&report.index, &origin, src.size);
        match colophon::log::transparency::verify_checkpoint(&src.checkpoint, &origin, &keys, &roots) {
            Err(mut p) => {
                p.message = format!("{}/checkpoint: {}", dir.display().to_string().trim_end_matches('/'), p.message);
                report.problems.push(p);
            }
            Ok(_) if report.root != Some(src.root) || report.lines != src.size => {
                report.problems.push(colophon::format::status::Problem::general(
                    Code::CheckpointInconsistent,
                    format!("{}: the published entries do not hash to the published checkpoint", dir.display()),
                ))
            }
            Ok(_) => {}
        }
    }
    let ledger_path: &Path = tiles_source.as_ref().map_or(ledger_path, |(d, _)| d.as_path());
    let clean = report.is_clean();
    if out.json {
        let mut j = report.to_json();
        j["command"] = json!("audit");
        j["ledger"] = json!(ledger_path);
        if let (Some(p), Some(r)) = (flags.state, j.get_mut("resumed").filter(|r| r.is_object())) {
            r["state"] = json!(p);
        }
        if let (Some((p, _)), Some(r)) = (flags.save, j.get_mut("state_saved").filter(|r| r.is_object())) {
            r["state"] = json!(p);
        }
        out.json(j);
    } else {
        // A damaged entry early in a ledger makes every later entry that depends on it fail the
        // same way; print such runs as one line so the first cause stays visible.
        let mut i = 0;
        while i < report.problems.len() {
            let p = &report.problems[i];
            let mut j = i + 1;
            while j < report.problems.len()
                && report.problems[j].code == p.code
                && report.problems[j].line.is_some()
                && report.problems[j].line.map(|l| l - 1) == report.problems[j - 1].line
            {
                j += 1;
            }
            let at = match (p.line, report.problems[j - 1].line) {
                (Some(a), Some(b)) if b > a => format!("{}:{a}-{b}: ", ledger_path.display()),
                (Some(a), _) => format!("{}:{a}: ", ledger_path.display()),
                _ => String::new(),
            };
            let more = if j - i > 1 { format!(" (and the same on {} more lines)", j - i - 1) } else { String::new() };
            println!("{at}{} {}{more}", paint(RED, p.code.as_str()), p.message);
            i = j;
        }
        for (k, n, why) in &report.untrusted {
            println!("{} {n} entries signed by {} — {why}", paint(YELLOW, "untrusted:"), short_id(k));
        }
        let summary = format!(
            "{}, {}, {} rebuilt from their diffs and matched their signed hashes",
            plural(report.lines, "line"),
            plural(report.valid_entries, "valid line"),
            plural(report.texts_verified, "text")
        );
        if clean {
            println!("{} {} is valid: {summary}", paint(GREEN.bold(), "✓ audit:"), ledger_path.display());
            if let Some(h) = report.head {
                println!("  head: entry #{} {}", h.seq, h.hash);
            }
            if let Some(r) = report.root {
                println!("  Merkle root of its {} lines: {}", report.lines, r);
            }
            if let Some(s) = report.since.as_ref().filter(|_| report.resumed.is_none()) {
                println!(
                    "  {} the ledger is an append-only extension of the checkpoint of size {} (signed by {}; {})",
                    paint(GREEN, "✓"),
                    s.size,
                    s.signed_by.first().map_or("?", |(_, n)| n.as_str()),
                    witnesses_line(&s.witnesses, s.quorum)
                );
            }
        } else {
            println!(
                "{} {} problem(s) in {}: {summary}",
                paint(RED.bold(), "✗ audit:"),
                report.problems.len(),
                ledger_path.display()
            );
        }
        if let (Some(r), Some(s), Some(p)) = (&report.resumed, &report.since, flags.state) {
            println!(
                "  {} resumed from {}: line {} of this file is the last of the checkpoint of size {} (signed by {}; {}); {} audited now, lines 1–{} as when the state was saved (a full audit reads them again)",
                paint(GREEN, "✓"),
                p.display(),
                r.size,
                r.size,
                s.signed_by.first().map_or("?", |(_, n)| n.as_str()),
                witnesses_line(&s.witnesses, s.quorum),
                plural(r.lines_audited, "new line"),
                r.size
            );
        }
        if let (Some(saved), Some((p, cp))) = (&report.saved, flags.save) {
            println!(
                "  state saved to {} at the checkpoint of size {} ({} bytes); later: colophon audit --since {} --state {}",
                p.display(),
                saved.size,
                saved.bytes,
                cp.display(),
                p.display()
            );
        }
    }
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
