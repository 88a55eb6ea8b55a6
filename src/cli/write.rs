//! The commands that sign and append: record, release, cosign, and bundles for readers (spec/cli.md §2).

use super::*;
use anstream::eprintln;

/// Refuses an output path whose directory is missing or which is itself a directory.
pub(super) fn check_writable_target(path: &Path) -> Result<(), Fail> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Fail::input(format!(
            "{}: the directory {} does not exist; create it first",
            path.display(),
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(Fail::input(format!("{}: is a directory; give a file name", path.display())));
    }
    Ok(())
}

pub(super) fn write_bundle(path: &Path, b: &BundleFile) -> Result<(), Fail> {
    check_writable_target(path)?;
    let text = b.to_file_bytes().map_err(Fail::input)?;
    // Written beside the target and renamed, so a reader never sees half a bundle.
    colophon::store::files::write_file_atomic(path, &text).map_err(|m| Fail::input(format!("cannot write {m}")))
}

/// What to say about a bundle written without a checkpoint (spec/verify.md §3.5).
pub(super) fn incomplete_bundle(release: &str, path: &Path) -> String {
    format!(
        "{} no checkpoint of the log covers {release} yet, so {} is incomplete: readers reject a bundle without one \
         (it would not show that the release is in the log, nor in which order it was signed). Once the log's owner has \
         signed a checkpoint (`colophon checkpoint --key OWNER.key`), complete it with `colophon bundle {release} -o {}`",
        paint(YELLOW.bold(), "warning:"),
        path.display(),
        path.display()
    )
}

/// Reads a file to record or verify, with a progress line on a terminal for large files.
pub(super) fn read_with_progress(path: &Path, hash_only: bool) -> Result<append::Content, Fail> {
    let tty = std::io::stderr().is_terminal();
    let mut last = 0u64;
    let c = append::read_content(path, hash_only, |done, total| {
        if tty && total > (256 << 20) && (done - last > (64 << 20) || done == total) {
            last = done;
            let _ = write!(std::io::stderr(), "\rhashing {}: {}%", path.display(), done * 100 / total.max(1));
        }
    })?;
    if tty && last > 0 {
        let _ = writeln!(std::io::stderr());
    }
    Ok(c)
}

/// What a dry run says after its summary (spec/cli.md §3): that nothing was written, and the
/// line that would have been appended, byte for byte.
pub(super) fn say_dry_run(out: Out, a: &ledger::Appended) {
    out.say(format!(
        "{} nothing was written; the line it would append (entry #{} {}):\n{}",
        paint(YELLOW.bold(), "Dry run:"),
        a.seq,
        a.hash.short(16),
        String::from_utf8_lossy(&a.line)
    ));
}

/// Adds what a dry run says to a command's JSON: `dry_run`, and `line`, the canonical line that
/// would have been appended (spec/cli-json.md).
pub(super) fn dry_run_json(j: &mut Value, a: &ledger::Appended) {
    j["dry_run"] = json!(!a.written);
    if !a.written {
        j["line"] = json!(String::from_utf8_lossy(&a.line));
    }
}

/// The verb a summary starts with: what was done, or, in a dry run, what would be.
pub(super) fn done(a: &ledger::Appended, verb: &str) -> String {
    if a.written { paint(GREEN, verb) } else { paint(YELLOW, &format!("Would be {}", verb.to_lowercase())) }
}

pub(super) fn mode(dry_run: bool) -> ledger::Mode {
    if dry_run { ledger::Mode::DryRun } else { ledger::Mode::Write }
}

pub(super) fn record_cmd(out: Out, ledger: PathBuf, args: RecordArgs) -> Res {
    let RecordArgs { file, work, lang, role, of, note, hash_only, media_type, key: key_path, dry_run } = args;
    // A CLI check when writing (spec/cli.md §3): the format itself accepts any well-formed tag.
    let lang = super::lang::check_lang(&lang)?;
    let key_path = signing_key(key_path)?;
    let key = unlock(&key_path)?;
    let content = file.as_deref().map(|f| read_with_progress(f, hash_only)).transpose()?;
    if file.is_none() && hash_only {
        return Err(Fail::input(
            "--hash-only needs a FILE: without one, record re-pairs the text already in the ledger",
        ));
    }
    let media_type = match (media_type, &file, &content) {
        (Some(m), _, _) => Some(m),
        (None, Some(f), Some(c)) => Some(append::guess_media_type(f, c.text.is_some())),
        _ => None,
    };
    let req = RecordRequest {
        work: work.clone(),
        lang,
        role: role.map(|r| match r {
            RoleArg::Original => TextRole::Original,
            RoleArg::Translation => TextRole::Translation,
        }),
        of,
        note,
        media_type,
    };
    let size = content.as_ref().map_or(0, |c| c.size);
    let r = append::record(&ledger, content, &req, &key, mode(dry_run)).map_err(|e| signer_hint(e, &key_path, &key))?;
    let reference = format!("{work}:{}@{}", r.lang, r.number);
    let mut summary = match (r.stats, r.words, r.parent) {
        _ if r.repaired => format!("text unchanged from version {}", r.number - 1),
        (Some(s), Some(w), Some(_)) => format!(
            "+{}/−{} lines, +{}/−{} words against version {}",
            s.lines_added,
            s.lines_removed,
            w.words_added,
            w.words_removed,
            r.number - 1
        ),
        (Some(s), _, None) => format!("first version, {} stored", plural(s.lines_added, "line")),
        (Some(s), None, Some(_)) => {
            format!("+{}/−{} lines (previous version has no stored text)", s.lines_added, s.lines_removed)
        }
        (None, _, _) => r.not_stored.clone().unwrap_or_else(|| "hash only".into()),
    };
    if r.not_stored.is_some() && r.stats.is_none() {
        summary = format!("{summary}; {size} bytes");
    }
    let renders = r.renders.as_ref().map(|o| format!("{} ({})", o.reference, o.entry.short(16)));
    out.say(format!(
        "{} {reference} ({}) — entry #{} {}\n  {summary}{}",
        done(&r.appended, "Recorded"),
        r.role.as_str(),
        r.appended.seq,
        r.appended.hash.short(16),
        match (renders, r.of_inherited, r.repaired) {
            (Some(o), _, true) => format!("\n  re-paired: renders original {o}"),
            (Some(o), true, _) =>
                format!("\n  renders original {o} (same as the previous version; use --of to change)"),
            (Some(o), false, _) => format!("\n  renders original {o}"),
            _ => String::new(),
        }
    ));
    // A translation that renders an outdated original: said, not refused (spec/cli.md §3).
    if let (Some(o), Some(n)) = (&r.renders, &r.newer_original) {
        out.say(format!(
            "  {} the original has a newer version, {}, than the {} this translation renders; once the \
             translation follows it, record it with --of {} (without FILE if its text is unchanged)",
            paint(YELLOW, "note:"),
            n.reference,
            o.reference,
            n.reference
        ));
    }
    if !r.appended.written {
        say_dry_run(out, &r.appended);
    }
    if let Some(p) = &r.appended.torn_saved {
        eprintln!(
            "{}: an interrupted earlier append left a torn line; it was moved to {}",
            paint(YELLOW, "note"),
            p.display()
        );
    }
    let mut j = json!({
        "ok": true, "command": "record", "ref": reference, "entry": r.appended.hash, "seq": r.appended.seq,
        "role": r.role.as_str(), "lang": r.lang, "number": r.number, "parent": r.parent, "of": r.of,
        "of_inherited": r.of_inherited, "stats": r.stats, "words": r.words, "stored": r.not_stored.is_none(),
        "not_stored_reason": r.not_stored, "repaired": r.repaired, "renders": r.renders,
        "newer_original": r.newer_original,
    });
    dry_run_json(&mut j, &r.appended);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn release_cmd(out: Out, ledger: PathBuf, args: ReleaseArgs) -> Res {
    let ReleaseArgs {
        release,
        work,
        tag,
        translation,
        original,
        urls,
        note,
        write_bundle: bundle_out,
        with_drafts,
        with_original,
        key: key_path,
        dry_run,
    } = args;
    // A release is named WORK@TAG everywhere (spec/cli.md §2); --work/--tag say the same.
    let (work, tag) = match (release, work, tag) {
        (Some(r), _, _) => match r.split_once('@') {
            Some((w, t)) if !w.is_empty() && !t.is_empty() => (w.to_string(), t.to_string()),
            _ => return Err(Fail::input(format!("{r:?}: name the release WORK@TAG, e.g. ponte@v1"))),
        },
        (None, Some(w), Some(t)) => (w, t),
        _ => return Err(Fail::input("name the release to make: WORK@TAG, e.g. `colophon release ponte@v1`")),
    };
    let key_path = signing_key(key_path)?;
    let key = unlock(&key_path)?;
    // Check the bundle can be written before signing anything: a failing command must not
    // change the ledger (and would burn the tag).
    if let Some(p) = &bundle_out {
        check_writable_target(p)?;
    }
    let req = ReleaseRequest { work: work.clone(), tag: tag.clone(), translation, original, urls, note };
    let released = append::release(&ledger, &req, &key, mode(dry_run)).map_err(|e| signer_hint(e, &key_path, &key))?;
    let a = released.appended.clone();
    if !a.written {
        return release_dry_run(out, &work, &tag, &released, bundle_out.as_deref());
    }
    let snap = load(&ledger)?;
    let rel = snap.index.release(&a.hash).ok_or_else(|| Fail::input("release vanished"))?;
    let t = snap.index.version(&rel.translation);
    let o = snap.index.version(&rel.original);
    let vref = |v: Option<colophon::log::index::VersionInfo>| {
        v.map_or("?".into(), |v| format!("{}:{}@{}", v.work, v.lang, v.number))
    };
    out.say(format!(
        "{} {work}@{tag} — entry #{} {}\n  translation {} renders original {}",
        paint(GREEN, "Released"),
        a.seq,
        a.hash.short(16),
        vref(t),
        vref(o)
    ));
    say_outdated(out, &released);
    let mut j = json!({"ok": true, "command": "release", "ref": format!("{work}@{tag}"), "entry": a.hash, "seq": a.seq,
        "translation": rel.translation, "original": rel.original, "newer_original": released.newer_original,
        "dry_run": false});
    // Discovery (spec/cli.md §3 verify): the page names its bundle, served beside it.
    let link = (!rel.urls.is_empty()).then(|| {
        let name = bundle_out
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| format!("{work}-{tag}.bundle"), |n| n.to_string_lossy().into_owned());
        let href = name.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
        format!("<link rel=\"alternate\" type=\"{}\" href=\"{href}\">", colophon::store::http::BUNDLE_TYPE)
    });
    if let Some(l) = &link {
        out.say(format!("  for the head of the published page (the bundle served beside it):\n    {l}"));
        j["link"] = json!(l);
    }
    if let Some(path) = bundle_out {
        // A bundle is anchored by a checkpoint of the log (spec/verify.md §3.5). When the
        // releasing key is an owner of the log, it signs one now: one command gives a
        // complete bundle. Otherwise the log's owner has to, and the bundle waits for it.
        let owner = snap.index.origin().is_some_and(|origin| {
            colophon::log::transparency::owner_keys(&snap.index, &origin, snap.index.len())
                .iter()
                .any(|k| k.key_id == key.id())
        });
        let mut snap = snap;
        if owner {
            let signed = colophon::store::transparency::checkpoint_ledger(&ledger, &key).map_err(|m| {
                Fail::input(format!(
                    "the release {work}@{tag} IS recorded (entry #{}), but no checkpoint could be signed for its bundle: {m}",
                    a.seq
                ))
            })?;
            if let Some(what) = signed.replaced {
                eprintln!("{}: {what}; it was ignored and replaced", paint(YELLOW, "warning"));
            }
            out.say(format!(
                "  signed checkpoint of the log at {} entries (kept in {})",
                signed.checkpoint.size,
                colophon::store::transparency::checkpoint_path(&ledger).display()
            ));
            snap = load(&ledger)?;
        }
        let carry = colophon::verify::bundle::Carry { drafts: with_drafts, original: with_original };
        let written = bundle::build(&ledger, &snap.index, &a.hash, carry)
            .map_err(Fail::input)
            .and_then(|b| write_bundle(&path, &b).map(|()| b));
        let b = written.map_err(|f| {
            Fail::input(format!(
                "the release {work}@{tag} IS recorded (entry #{}), but the bundle was not written: {}; write it with `colophon bundle {work}@{tag} -o FILE`",
                a.seq, f.message
            ))
        })?;
        out.say(format!(
            "  bundle for readers: {} ({} entries{}); it {}",
            path.display(),
            b.entries.len(),
            if b.checkpoint.is_some() { ", a signed checkpoint and an inclusion proof for each" } else { "" },
            b.carried.describe()
        ));
        if b.checkpoint.is_none() {
            eprintln!("{}", incomplete_bundle(&format!("{work}@{tag}"), &path));
        }
        j["bundle"] = json!(path);
    }
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

/// A hint, not an error: the release pairs a translation with an original that has a newer
/// version (spec/cli.md §3).
fn say_outdated(out: Out, r: &append::Released) {
    if let Some(n) = &r.newer_original {
        out.say(format!(
            "  {} the original has a newer version, {}, than the released {}; `colophon status` shows what changed",
            paint(YELLOW, "note:"),
            n.reference,
            r.original.reference
        ));
    }
}

fn release_dry_run(out: Out, work: &str, tag: &str, r: &append::Released, bundle_out: Option<&Path>) -> Res {
    let a = &r.appended;
    out.say(format!(
        "{} {work}@{tag} — entry #{} {}\n  renders original {}",
        done(a, "Released"),
        a.seq,
        a.hash.short(16),
        r.original.reference
    ));
    say_outdated(out, r);
    if let Some(p) = bundle_out {
        out.say(format!("  would also write the reader's bundle {} (not written)", p.display()));
    }
    say_dry_run(out, a);
    let mut j = json!({"ok": true, "command": "release", "ref": format!("{work}@{tag}"), "entry": a.hash, "seq": a.seq,
        "original": r.original.entry, "newer_original": r.newer_original});
    dry_run_json(&mut j, a);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn cosign_cmd(
    out: Out,
    ledger: PathBuf,
    release: String,
    note: Option<String>,
    key_path: Option<PathBuf>,
    dry_run: bool,
) -> Res {
    let key_path = signing_key(key_path)?;
    let key = unlock(&key_path)?;
    let a =
        append::cosign(&ledger, &release, note, &key, mode(dry_run)).map_err(|e| signer_hint(e, &key_path, &key))?;
    out.say(format!(
        "{} {release} as {} ({}) — entry #{} {}",
        done(&a, "Cosigned"),
        key.name,
        key.id(),
        a.seq,
        a.hash.short(16)
    ));
    if !a.written {
        say_dry_run(out, &a);
    }
    let mut j = json!({"ok": true, "command": "cosign", "release": release, "entry": a.hash, "seq": a.seq});
    dry_run_json(&mut j, &a);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn bundle_cmd(
    out: Out,
    ledger: PathBuf,
    release: String,
    path: Option<PathBuf>,
    carry: colophon::verify::bundle::Carry,
) -> Res {
    let (b, ledger_len) = bundle::build_from_ledger(&ledger, &release, carry).map_err(Fail::input)?;
    if let Some(size) = b.checkpoint_size().filter(|&s| s < ledger_len) {
        eprintln!(
            "{} the bundle is the ledger as of its kept checkpoint ({size} of {ledger_len} entries): later \
             cosigns, keys and revocations are not in it; to include them, sign a new checkpoint \
             (`colophon checkpoint --key OWNER.key`) and bundle again",
            paint(YELLOW, "note:")
        );
    }
    match path {
        Some(p) => {
            write_bundle(&p, &b)?;
            out.say(format!(
                "{} {} for {release} ({} entries, {}); readers check copies with\n  colophon verify COPY --bundle {} --trust OWNER.pub",
                paint(GREEN, "Wrote"),
                p.display(),
                b.entries.len(),
                if b.checkpoint.is_some() {
                    "a signed checkpoint and an inclusion proof for each"
                } else {
                    "NO checkpoint yet"
                },
                p.display()
            ));
            out.say(format!("  the bundle {}", b.carried.describe()));
            if b.checkpoint.is_none() {
                eprintln!("{}", incomplete_bundle(&release, &p));
            }
            out.json(
                json!({"ok": true, "command": "bundle", "release": b.release, "out": p, "entries": b.entries.len(),
                "checkpoint": b.checkpoint.is_some(), "texts": b.carried.texts,
                "withheld": {"drafts": b.carried.drafts_withheld, "original": b.carried.original_withheld}}),
            );
        }
        None => {
            let text = serde_json::to_string_pretty(&b).map_err(|e| Fail::input(e.to_string()))?;
            println!("{text}");
            eprintln!("{} the bundle {}", paint(YELLOW, "note:"), b.carried.describe());
        }
    }
    Ok(ExitCode::SUCCESS)
}
