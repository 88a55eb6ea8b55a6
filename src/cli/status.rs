//! `colophon status` (spec/cli.md §3): prints the library's report
//! ([`colophon::verify::work_status`]); `--json` serializes it (spec/cli-json.md).

use super::*;
use colophon::verify::work_status::{StatusReport, WorkStatus, status};

pub(super) fn status_cmd(out: Out, ledger_path: &Path, work: Option<&str>) -> Res {
    let mut snap = load(ledger_path)?;
    let mut rebuilt = false;
    // The index finds; the signed lines say (spec/verify.md §4). When the index disagreed with a
    // line, it is rebuilt and the report made again, as `show` does.
    let report = loop {
        let file = LedgerFile(ledger_path);
        let signed = colophon::verify::signed::Signed::new(&snap.index, colophon::verify::signed::Store::Ledger(&file));
        let result = status(&signed, work);
        match signed.disagreed() {
            Some(_) if !rebuilt => {
                rebuilt = true;
                drop(signed);
                ledger::discard_index(ledger_path, &colophon::store::cache::Cache::from_env());
                snap = load(ledger_path)?;
            }
            _ => break result.map_err(Fail::input)?,
        }
    };
    if out.json {
        let mut v = serde_json::to_value(&report).map_err(|e| Fail::input(e.to_string()))?;
        v["ok"] = json!(true);
        v["command"] = json!("status");
        v["stale"] = json!(report.stale_count());
        out.json(v);
    } else if !out.quiet {
        render_status(ledger_path, &report);
    }
    Ok(ExitCode::SUCCESS)
}

fn render_status(ledger_path: &Path, report: &StatusReport) {
    if report.works.is_empty() {
        println!(
            "{}: no works recorded yet; record one with `colophon record FILE --work W --lang L`",
            ledger_path.display()
        );
        return;
    }
    for (i, w) in report.works.iter().enumerate() {
        if i > 0 {
            println!("");
        }
        render_work(w);
    }
    let stale = report.stale_count();
    let translations: usize = report.works.iter().map(|w| w.translations.len()).sum();
    println!(
        "\n{}, {}; {}",
        plural(report.works.len() as u64, "work"),
        plural(translations as u64, "translation"),
        match stale {
            0 => paint(GREEN, "every translation renders the latest original"),
            1 => paint(YELLOW, "1 translation renders an outdated original"),
            n => paint(YELLOW, &format!("{n} translations render an outdated original")),
        }
    );
}

fn render_work(w: &WorkStatus) {
    println!(
        "{}{}",
        paint(BOLD, &w.work),
        w.original.as_ref().map_or(String::new(), |o| format!(" — original {}", o.reference))
    );
    match &w.latest_release {
        Some(r) => {
            println!(
                "  latest release {} (entry #{}): {} renders {}; signed by {}; {}",
                r.reference,
                r.seq,
                r.translation.reference,
                r.original.reference,
                r.signer.name,
                if r.cosigners.is_empty() {
                    "not cosigned".to_string()
                } else {
                    format!(
                        "cosigned by {}",
                        r.cosigners.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", ")
                    )
                }
            );
        }
        None => println!("  no release yet"),
    }
    if w.translations.is_empty() {
        println!("  no translation recorded yet");
    }
    for t in &w.translations {
        println!("  {}: latest {}, renders {}", t.lang, t.latest.reference, t.renders.reference);
        if let Some(c) = &t.original_changes {
            println!(
                "    {} the original changed since {}: now {}{}",
                paint(YELLOW.bold(), "stale:"),
                c.from.reference,
                c.to.reference,
                c.words.map_or(String::new(), |s| format!(" (+{}/−{} words)", s.words_added, s.words_removed))
            );
            match &c.diff_unavailable {
                Some(why) => println!("      (no word diff: {why})"),
                None => {
                    for line in changed_lines(&c.diff) {
                        println!("      {line}");
                    }
                }
            }
            println!(
                "    to follow it: record the revised translation with --of {}; if it needs no change, re-pair it:\n      \
                 colophon record --work {} --lang {} --of {}",
                c.to.reference, w.work, t.lang, c.to.reference
            );
        }
        match (t.drafts.as_slice(), &t.latest_release) {
            ([], _) => {}
            (d, Some(r)) => println!(
                "    {} not released (newer than {r}): {}",
                plural(d.len() as u64, "draft"),
                d.iter().map(|v| v.reference.as_str()).collect::<Vec<_>>().join(", ")
            ),
            (d, None) => println!(
                "    not released yet: {}",
                d.iter().map(|v| v.reference.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The lines of a word diff that hold a change, deleted words as `[-…-]` and inserted ones as
/// `{+…+}` (as `diff --words` marks them); unchanged lines are left out, at most 20 lines shown.
fn changed_lines(chunks: &[Chunk]) -> Vec<String> {
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut changed = false;
    for c in chunks {
        for piece in c.text.split_inclusive('\n') {
            let body = piece.strip_suffix('\n').unwrap_or(piece);
            match c.kind {
                ChangeKind::Equal => cur.push_str(body),
                ChangeKind::Delete if !body.is_empty() => {
                    cur.push_str(&paint(RED, &format!("[-{body}-]")));
                    changed = true;
                }
                ChangeKind::Insert if !body.is_empty() => {
                    cur.push_str(&paint(GREEN, &format!("{{+{body}+}}")));
                    changed = true;
                }
                _ => {}
            }
            if piece.ends_with('\n') {
                // A line break deleted or inserted is a change of both lines it joins or splits.
                changed |= c.kind != ChangeKind::Equal;
                lines.push((std::mem::take(&mut cur), changed));
                changed = false;
            }
        }
    }
    if !cur.is_empty() {
        lines.push((cur, changed));
    }
    let shown: Vec<String> = lines.into_iter().filter(|(_, c)| *c).map(|(l, _)| l).collect();
    let n = shown.len();
    let mut out: Vec<String> = shown.into_iter().take(20).collect();
    if n > 20 {
        out.push(format!("… {} more changed lines (`colophon diff A B --words` shows them all)", n - 20));
    }
    out
}
