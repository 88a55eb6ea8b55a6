//! Human output: colours, and the renderers of verdicts and word diffs (spec/cli.md §4).

use super::*;
use anstream::eprintln;

pub(super) const GREEN: Style = AnsiColor::Green.on_default();
pub(super) const RED: Style = AnsiColor::Red.on_default();
pub(super) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(super) const BOLD: Style = Style::new().bold();
pub(super) const DIM: Style = Style::new().dimmed();

/// Whether stdout gets colour: decided once (anstream's rules: a terminal, NO_COLOR,
/// CLICOLOR, CLICOLOR_FORCE), so that printing needs neither per-line environment look-ups nor
/// stripping escapes back out.
pub(super) fn color() -> bool {
    static COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *COLOR.get_or_init(|| !matches!(anstream::AutoStream::choice(&std::io::stdout()), anstream::ColorChoice::Never))
}

pub(super) fn paint(style: Style, s: &str) -> String {
    if color() { format!("{style}{s}{style:#}") } else { s.to_string() }
}

pub(super) fn plural(n: u64, what: &str) -> String {
    match (n, what.strip_suffix('y')) {
        (1, _) => format!("1 {what}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {what}s"),
    }
}

pub(super) fn with_suffix(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Prints a verdict (spec/cli-json.md `verify`): `--json` is its serialization.
pub(super) fn render_verdict(
    out: Out,
    v: &colophon::verify::verdict::Verdict,
    copy: &Path,
    source: &str,
    fetched: Option<(&str, &str)>,
) -> Res {
    let report = &v.report;
    // A copy fetched from a URL: is the URL (as given, or after redirects) one the release names?
    let url = fetched.map(|(given, last)| {
        let published =
            report.release.as_ref().is_some_and(|r| r.urls.iter().any(|u| u.as_str() == given || u.as_str() == last));
        (given, last, published)
    });
    let url_json = url.map(|(given, last, published)| json!({"fetched": given, "final": last, "published": published}));
    if v.rejected {
        let what = if source.starts_with("bundle ") { "✗ bundle rejected:" } else { "✗ not verified:" };
        let name = source.split_once(' ').map_or(source, |(_, n)| n);
        let msg = format!("{name}: {}", report.message);
        if out.json {
            let mut j = v.to_json();
            j["command"] = json!("verify");
            j["message"] = json!(msg);
            if let Some(u) = &url_json {
                j["url"] = u.clone();
            }
            out.json(j);
        }
        eprintln!("{} {msg}", paint(RED.bold(), what));
        return Ok(ExitCode::from(1));
    }
    if out.json {
        let mut j = v.to_json();
        j["command"] = json!("verify");
        j["source"] = json!(source);
        if let Some(u) = &url_json {
            j["url"] = u.clone();
        }
        out.json(j);
    } else if out.quiet {
        // The message of a success already begins "verified:".
        if v.ok() {
            println!("{} {}", paint(GREEN.bold(), "✓"), report.message);
        } else {
            println!("{} {}", paint(RED.bold(), "✗ not verified:"), report.message);
        }
    } else {
        print_copy_report(report, v.ok(), copy, source);
        if let Some((given, last, published)) = url {
            let moved = if given == last { String::new() } else { format!(" (redirected to {last})") };
            let said = if published {
                "one of the release's published URLs"
            } else {
                "NOT one of the release's published URLs"
            };
            println!("  fetched:  {given}{moved}: {said}");
        }
        for l in &v.log {
            println!("  log:      {l}");
        }
    }
    Ok(if v.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub(super) fn short_id(id: &colophon::format::keys::KeyId) -> String {
    id.to_hex()[..16].to_string()
}

pub(super) fn print_copy_report(r: &CopyReport, ok: bool, copy: &Path, source: &str) {
    let signer_line = |s: &colophon::verify::copy::Signer| {
        let trust = match (&s.trust_root_name, s.trusted) {
            (Some(root), true) if s.trust_root != Some(s.key_id) => format!("trusted via {root}"),
            (_, true) => "trusted".to_string(),
            _ => paint(YELLOW, "NOT trusted"),
        };
        format!("{} ({}), {trust}", s.name, short_id(&s.key_id))
    };
    if r.ok() && ok {
        let (Some(rel), Some(v)) = (&r.release, &r.version) else { return };
        match &r.latest_release {
            // spec/verify.md §2.8: a later release supersedes the copy's: said first.
            Some(l) if r.status == Code::ReleaseSuperseded => {
                println!(
                    "{} {} matches release {}, {} by {}",
                    paint(GREEN.bold(), "✓ verified:"),
                    copy.display(),
                    paint(BOLD, &rel.r#ref),
                    paint(YELLOW.bold(), "SUPERSEDED"),
                    paint(BOLD, &l.release.r#ref)
                );
                print_latest(l, v, "superseded", &signer_line);
            }
            _ => println!(
                "{} {} matches release {}",
                paint(GREEN.bold(), "✓ verified:"),
                copy.display(),
                paint(BOLD, &rel.r#ref)
            ),
        }
        println!("  version:  {} ({}), entry {}", v.r#ref, v.role.as_str(), v.entry.short(16));
        match (r.level, &r.page) {
            (Some(Level::Exact), Some(_)) => {
                println!("  match:    the page's text holds the signed lines, byte for byte")
            }
            (l, _) => println!("  match:    {}", l.map_or("", |l| l.describe())),
        }
        if let Some(p) = &r.page {
            println!(
                "  page:     the signed text is one contiguous region of this web page; the page also holds {} words \
                 before and {} after it: site chrome, not part of the release",
                p.words_before, p.words_after
            );
        }
        println!("  released: {} (the signer's claim)", when(&rel.time));
        if let Some(n) = &rel.note {
            println!("  note:     “{n}” (the signer's note)");
        }
        println!("  signer:   {}", signer_line(&rel.signer));
        if v.role == TextRole::Translation {
            println!("  renders:  original {} (entry {})", rel.original.r#ref, rel.original.entry.short(16));
        } else {
            println!("  rendered: by translation {} in release {}", rel.translation.r#ref, rel.r#ref);
        }
        for c in &rel.cosigners {
            println!("  cosigned: {}", signer_line(c));
        }
        for u in &rel.urls {
            println!("  published: {u}");
        }
        if !r.other_releases.is_empty() {
            println!("  also in:  {}", r.other_releases.join(", "));
        }
        println!("  checked against {source}");
    } else {
        println!("{} {}", paint(RED.bold(), "✗ not verified:"), r.message);
        println!("  status: {}", r.status);
        if let (Some(l), Some(v)) = (&r.latest_release, &r.version) {
            // spec/verify.md §2.8: the latest release, right after the verdict.
            let what = if r.status == Code::ReleaseSuperseded { "superseded" } else { "latest" };
            print_latest(l, v, what, &signer_line);
        }
        if let Some(v) = &r.version {
            println!("  matching version: {} signed by {}", v.r#ref, signer_line(&v.signer));
        }
        if let Some(rel) = &r.release {
            println!("  release: {} signed by {}", rel.r#ref, signer_line(&rel.signer));
        }
        if let Some(c) = &r.closest {
            println!(
                "  closest signed version: {} ({}% of words in common{}), signed by {}",
                paint(BOLD, &c.version.r#ref),
                c.similarity_percent,
                if c.releases.is_empty() { String::new() } else { format!(", in {}", c.releases.join(", ")) },
                signer_line(&c.version.signer)
            );
            if c.diff.iter().all(|ch| ch.kind == ChangeKind::Equal) {
                println!(
                    "  no differences once line endings, Unicode composition and trailing blanks are normalized (text/v1)"
                );
            } else {
                println!(
                    "  differences (+{} / −{} words; {} = signed, {} = this copy):",
                    c.words.words_added,
                    c.words.words_removed,
                    paint(RED, "[-…-]"),
                    paint(GREEN, "{+…+}")
                );
                print_word_diff(&c.diff, 2);
                if c.changes_omitted > 0 {
                    println!("  … and {} more changes not shown", c.changes_omitted);
                }
            }
        } else if r.version.is_none() {
            println!("  no signed text is close to this copy");
        }
        println!("  checked against {source}");
    }
    for n in &r.notes {
        println!("  {} {n}", paint(YELLOW, "note:"));
    }
}

/// A time as people read it: `2026-12-01 13:30:00 UTC` from RFC 3339 `2026-12-01T13:30:00Z`.
pub(super) fn when(t: &str) -> String {
    match t.strip_suffix('Z') {
        Some(rest) => format!("{} UTC", rest.replace('T', " ")),
        None => t.replace('T', " "),
    }
}

/// The latest release of the copy's work and language (spec/verify.md §2.8): which, when (the
/// signer's claim), by whom, why (the signer's note) and what changed from the copy's version.
fn print_latest(
    l: &colophon::verify::copy::LatestRelease,
    v: &colophon::verify::copy::VersionView,
    what: &str,
    signer_line: &dyn Fn(&colophon::verify::copy::Signer) -> String,
) {
    let label = if what == "superseded" { "superseded by" } else { "latest release" };
    println!(
        "  {}: {}, released {} (the signer's claim), signed by {}",
        paint(YELLOW.bold(), label),
        paint(BOLD, &l.release.r#ref),
        when(&l.release.time),
        signer_line(&l.release.signer)
    );
    match &l.release.note {
        Some(n) => println!("  its note: “{n}” (the signer's note)"),
        None => println!("  its note: (none)"),
    }
    match (&l.diff, &l.words) {
        (Some(d), Some(w)) if d.iter().any(|c| c.kind != ChangeKind::Equal) => {
            println!(
                "  changed:  {} → {}, +{} / −{} words ({} only in your copy's version, {} only in {}):",
                v.r#ref,
                l.version.r#ref,
                w.words_added,
                w.words_removed,
                paint(RED, "[-…-]"),
                paint(GREEN, "{+…+}"),
                l.release.r#ref
            );
            print_word_diff(d, 4);
            if l.changes_omitted > 0 {
                println!("    … and {} more changes not shown", l.changes_omitted);
            }
        }
        (Some(_), Some(_)) => println!(
            "  changed:  {} → {}: the same words (only what text/v1 normalizes differs)",
            v.r#ref, l.version.r#ref
        ),
        _ => println!(
            "  changed:  {} → {}: no word diff (a text recorded by hash only cannot be rebuilt)",
            v.r#ref, l.version.r#ref
        ),
    }
}

/// Prints a word diff, eliding long unchanged stretches to a few words of context.
pub(super) fn print_word_diff(chunks: &[Chunk], indent: usize) {
    let pad = " ".repeat(indent);
    let mut s = String::new();
    for (i, c) in chunks.iter().enumerate() {
        match c.kind {
            ChangeKind::Equal => {
                let words: Vec<&str> = c.text.split_inclusive(char::is_whitespace).collect();
                let (first, last) = (i == 0, i + 1 == chunks.len());
                if words.len() > 16 {
                    if !first {
                        s.push_str(&words[..6].concat());
                    }
                    s.push_str(&paint(DIM, " … "));
                    if !last {
                        s.push_str(&words[words.len() - 6..].concat());
                    }
                } else {
                    s.push_str(&c.text);
                }
            }
            ChangeKind::Delete => s.push_str(&paint(RED, &format!("[-{}-]", c.text))),
            ChangeKind::Insert => s.push_str(&paint(GREEN, &format!("{{+{}+}}", c.text))),
        }
    }
    for line in s.lines() {
        println!("{pad}{line}");
    }
}
