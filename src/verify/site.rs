//! A static website of a published log (spec/cli.md §3 `publish --site`, §6 the site's layout):
//! an index of works, a page per work with each language's versions, the word diff between
//! consecutive versions and the releases, the keys and their history, the checkpoint and its
//! witness cosignatures, and a reader's bundle for every release. Plain HTML and one stylesheet:
//! no script, no outside resource, only relative links, so the pages read the same from any
//! static host and from `file://`.
//!
//! Pure: it takes the ledger's lines ([`LineAt`]), its index and the published checkpoint, and
//! returns files as (relative path, bytes); `store::site` writes them, with an index it builds
//! from the ledger's lines (a cached index may leave entries out, and the site must show them
//! all). The index only *finds* entries: every fact shown is read from the entry's own line, its
//! hash and signature checked,
//! its signer's registration read from signed lines up the chain ([`Signed`], spec/verify.md
//! §2.3, §4). The site shows the log exactly as of the checkpoint's size: entries appended since
//! are not in the published tree, so they are left out (as bundles leave them out, §3.2).
//!
//! Everything that comes from the ledger — work ids, notes, key names, URLs, times — is
//! HTML-escaped ([`escape`]): a hostile note must not inject markup into the log's own site.

use crate::format::diff::{ChangeKind, Script, word_diff};
use crate::format::entry::{Body, Role};
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, NamedKey};
use crate::log::checkpoint::Checkpoint;
use crate::log::content::check_facts;
use crate::log::index::{Index, KeyInfo};
use crate::log::lines::LineAt;
use crate::log::note::Note;
use crate::log::trust::Keyring;
use crate::verify::bundle::build_with_checkpoint;
use crate::verify::signed::{Signed, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One file of the site: a path relative to the site's directory (`/`-separated, never absolute,
/// never with a `..` component) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    /// Where the file goes, relative to the site's directory.
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What the site holds.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    /// HTML pages written by the renderer (the verify page is added by the writer, which reports
    /// the whole count).
    #[serde(skip)]
    pub pages: u64,
    /// Works with a page.
    pub works: u64,
    /// Versions shown.
    pub versions: u64,
    /// Releases shown, each with its bundle.
    pub releases: u64,
    /// Keys shown.
    pub keys: u64,
    /// Entries of the log the site shows: the checkpoint's size.
    pub size: u64,
}

/// A rendered site.
#[derive(Debug)]
pub struct Site {
    /// The files, in a stable order.
    pub files: Vec<SiteFile>,
    /// What they hold.
    pub summary: Summary,
    /// When the index disagreed with a signed line (the line won): the caller should rebuild the
    /// index and render again ([`Signed::disagreed`]).
    pub disagreed: Option<String>,
}

/// Changed regions of a word diff shown before "N more changes".
pub const MAX_CHANGES: usize = 40;
/// Characters of one inserted or deleted run shown before "N more characters".
pub const MAX_CHANGE_CHARS: usize = 600;
/// Words of unchanged text kept on each side of a change.
const CONTEXT_WORDS: usize = 6;
/// Rows of `log.html`'s history table (the newest); the rest are in the tiles.
pub const MAX_LOG_ROWS: usize = 2000;

/// Escapes text for HTML content and for attribute values in double or single quotes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The file name stem of a work's page, or of a work's or tag's part of a bundle's name. A name
/// that is already safe — lower-case ASCII letters, digits, `.`, `_` and `-`, starting with a
/// letter or digit, at most 64 bytes — is kept. Any other (upper case, `/`, …) becomes a
/// lower-case slug followed by `~` and 16 hex digits of the name's SHA-256: a kept name never
/// holds `~`, so the two kinds never meet, and lower case means a case-insensitive file system
/// cannot merge two works either. The stem is URL-safe as is (RFC 3986 unreserved characters), so
/// links need no escaping, on a host or from `file://`. [`stems`] makes a set of them distinct.
pub fn file_stem(name: &str) -> String {
    stem_with(name, 16)
}

fn stem_with(name: &str, digits: usize) -> String {
    let safe = name.len() <= 64
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if safe {
        return name.to_string();
    }
    let mut slug = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' };
        if !(c == '-' && (slug.is_empty() || slug.ends_with('-'))) && slug.len() < 48 {
            slug.push(c);
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = Digest::of(name.as_bytes()).short(digits);
    if slug.is_empty() { format!("~{hash}") } else { format!("{slug}~{hash}") }
}

/// The stems of `names`, distinct: two names whose 16-digit stems meet (a chosen collision of 64
/// bits of SHA-256) both get the full 64 digits instead.
pub fn stems<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let names: BTreeSet<&str> = names.into_iter().collect();
    let mut by_stem: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for n in &names {
        by_stem.entry(file_stem(n)).or_default().push(n);
    }
    let mut out = BTreeMap::new();
    for (stem, ns) in by_stem {
        if ns.len() == 1 {
            out.insert(ns[0].to_string(), stem);
        } else {
            for n in ns {
                out.insert(n.to_string(), stem_with(n, 64));
            }
        }
    }
    out
}

/// Who signed: a key's id and its holder's name as its signed registration gives it.
#[derive(Clone, Debug)]
struct Who {
    id: KeyId,
    name: Option<String>,
}

/// An entry's place and claimed time.
#[derive(Clone, Debug)]
struct Event {
    seq: u64,
    entry: Digest,
    time: String,
    by: Who,
}

#[derive(Debug)]
struct KeyView {
    info: KeyInfo,
    registered: Event,
    revoked: Option<(Event, String, Option<String>)>,
}

#[derive(Debug)]
enum Change {
    /// The first version: its size in lines and words.
    First { lines: usize, words: usize },
    /// The word diff from the parent, rendered, and its word counts.
    Words { html: String, added: u64, removed: u64 },
    /// No text to compare, and why.
    None(String),
}

#[derive(Debug)]
struct VersionView {
    reference: String,
    lang: String,
    number: u64,
    event: Event,
    role: String,
    size: u64,
    media_type: String,
    sha256: Digest,
    note: Option<String>,
    of: Option<(String, Digest)>,
    change: Change,
    /// Tags of the releases in the published tree this version is the translation or original of.
    released: Vec<String>,
}

#[derive(Debug)]
struct ReleaseView {
    tag: String,
    event: Event,
    note: Option<String>,
    urls: Vec<String>,
    translation: (String, Digest),
    original: (String, Digest),
    cosigners: Vec<(Event, Option<String>)>,
    bundle: String,
    /// The translation's language (signed in the release's `lang`).
    lang: String,
    /// The latest later release of the same work and language (spec/verify.md §2.8): tag, time.
    superseded_by: Option<(String, String)>,
}

#[derive(Debug)]
struct WorkView {
    name: String,
    stem: String,
    langs: Vec<(String, Vec<VersionView>)>,
    releases: Vec<ReleaseView>,
}

/// The facts the pages show, every one read from a checked signed line.
struct Facts<'a> {
    signed: Signed<'a>,
    lines: &'a dyn LineAt,
    index: &'a Index,
    stems: BTreeMap<String, String>,
    size: u64,
    names: BTreeMap<KeyId, String>,
}

impl Facts<'_> {
    fn who(&self, id: KeyId) -> Who {
        Who { id, name: self.names.get(&id).cloned() }
    }

    /// An entry of the published tree, its line checked (hash and signature).
    fn event(&self, h: &Digest) -> Result<(Event, std::rc::Rc<crate::format::entry::ParsedLine>), String> {
        let p = self.signed.checked(h)?;
        let seq = self.index.entry(h).map_or(p.entry.seq, |l| l.seq);
        if seq >= self.size {
            return Err(format!("entry {} is not in the published tree", h.short(16)));
        }
        Ok((Event { seq, entry: *h, time: p.entry.time.clone(), by: self.who(p.entry.signer) }, p))
    }

    fn in_tree(&self, h: &Digest) -> bool {
        self.index.entry(h).is_some_and(|l| l.seq < self.size && l.in_state)
    }

    /// `work:lang@n` of a version, counted along its signed parents.
    fn reference(&self, h: &Digest) -> Result<String, String> {
        let v = self.signed.version(h)?;
        Ok(format!("{}:{}@{}", v.work, v.lang, v.number))
    }
}

/// Renders the site of the log whose lines `lines` holds, found through `index`, as of the signed
/// checkpoint `checkpoint_note` (which must be signed by an owner key of the log in effect at its
/// size and describe the ledger's first entries).
pub fn render(lines: &dyn LineAt, index: &Index, checkpoint_note: &[u8]) -> Result<Site, String> {
    let origin = index.origin().ok_or("the ledger has no genesis entry")?;
    let cp = Checkpoint::in_note(checkpoint_note).ok_or("the checkpoint is not a signed checkpoint note")?;
    let owners_then = crate::log::transparency::owner_keys(index, &origin, cp.size);
    let checked =
        crate::log::transparency::verify_checkpoint(checkpoint_note, &origin, &owners_then, &Keyring::default())
            .map_err(|p| format!("{}: {}", p.code, p.message))?;
    crate::log::transparency::matches_tree(&cp, index.len(), index).map_err(|p| p.message)?;
    let note = Note::parse(checkpoint_note).map_err(|e| e.to_string())?;
    let size = cp.size;

    let stems = stems(index.work_langs().iter().map(|(w, _)| w.as_str()));
    let mut facts =
        Facts { signed: Signed::new(index, Store::Ledger(lines)), lines, index, stems, size, names: BTreeMap::new() };
    let keys = key_views(&mut facts)?;
    let works = work_views(&facts)?;

    let mut files = Vec::new();
    let mut summary = Summary {
        works: works.len() as u64,
        versions: works.iter().flat_map(|w| &w.langs).map(|(_, v)| v.len() as u64).sum(),
        releases: works.iter().map(|w| w.releases.len() as u64).sum(),
        keys: keys.len() as u64,
        size,
        ..Summary::default()
    };
    let ctx = Ctx { origin: &origin, size, root_hex: cp.root.to_hex(), stems: &facts.stems };
    let mut page = |path: String, html: String, files: &mut Vec<SiteFile>| {
        summary.pages += 1;
        files.push(SiteFile { path, bytes: html.into_bytes() });
    };
    page("index.html".into(), index_page(&ctx, &works, &keys), &mut files);
    page("keys.html".into(), keys_page(&ctx, &keys), &mut files);
    let rows = history_rows(lines, index, size)?;
    page("log.html".into(), log_page(&ctx, checkpoint_note, &note, &checked, &owners_then, &rows), &mut files);
    for w in &works {
        page(format!("works/{}.html", w.stem), work_page(&ctx, w), &mut files);
    }
    files.push(SiteFile { path: "style.css".into(), bytes: STYLE.as_bytes().to_vec() });

    // A reader's bundle per release: exactly what `colophon bundle WORK@TAG -o F` writes with
    // this checkpoint (spec/verify.md §3.2, spec/transparency.md §6).
    let mut listed = Vec::new();
    for w in &works {
        for r in &w.releases {
            let b = build_with_checkpoint(lines, index, &r.event.entry, Some(checkpoint_note))?;
            files.push(SiteFile { path: r.bundle.clone(), bytes: b.to_file_bytes()? });
            listed.push(serde_json::json!({"work": w.name, "tag": r.tag, "release": r.event.entry,
                "bundle": r.bundle, "translation": r.translation.0, "original": r.original.0}));
        }
    }
    let mut json = serde_json::to_vec_pretty(&listed).map_err(|e| e.to_string())?;
    json.push(b'\n');
    files.push(SiteFile { path: "bundles/index.json".into(), bytes: json });
    files.push(SiteFile { path: "owners.keyring".into(), bytes: owners_keyring(&origin, size, &keys).into_bytes() });
    Ok(Site { files, summary, disagreed: facts.signed.disagreed() })
}

/// Every key registered in the published tree, from its signed registration and revocation.
fn key_views(facts: &mut Facts<'_>) -> Result<Vec<KeyView>, String> {
    let mut found: Vec<KeyInfo> = Vec::new();
    let mut listed = facts.index.keys();
    listed.sort_by_key(|k| k.seq);
    for k in listed {
        if k.seq >= facts.size {
            continue;
        }
        // A key whose lines do not check out is not shown; `Signed` remembers the disagreement.
        if let Some(info) = facts.signed.key(&k.key.id()) {
            facts.names.insert(info.key.id(), info.name.clone());
            found.push(info);
        }
    }
    let mut out = Vec::new();
    for info in found {
        let (registered, _) = facts.event(&info.entry)?;
        let revoked = match info.revoked {
            Some(r) if r.seq < facts.size => {
                let (ev, p) = facts.event(&r.entry)?;
                let note = match &p.entry.body {
                    Body::Revoke(x) => x.note.clone(),
                    _ => None,
                };
                Some((ev, r.reason.as_str().to_string(), note))
            }
            _ => None,
        };
        let mut info = info;
        if revoked.is_none() {
            info.revoked = None;
        }
        out.push(KeyView { info, registered, revoked });
    }
    Ok(out)
}

/// Every work with a version in the published tree: its versions by language (the original's
/// language first), each with the word diff from its parent, and its releases.
fn work_views(facts: &Facts<'_>) -> Result<Vec<WorkView>, String> {
    let mut by_work: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (w, l) in facts.index.work_langs() {
        by_work.entry(w).or_default().push(l);
    }
    let mut out = Vec::new();
    for (work, mut langs) in by_work {
        let first = facts.index.original_lang(&work);
        langs.sort_by_key(|l| (Some(l) != first.as_ref(), l.clone()));
        let mut lang_views = Vec::new();
        for lang in langs {
            let versions = version_views(facts, &work, &lang)?;
            if !versions.is_empty() {
                lang_views.push((lang, versions));
            }
        }
        if lang_views.is_empty() {
            continue;
        }
        let stem = facts.stems.get(&work).cloned().unwrap_or_else(|| file_stem(&work));
        let releases = release_views(facts, &work)?;
        out.push(WorkView { name: work, stem, langs: lang_views, releases });
    }
    // Bundles are named `<work stem>@<tag stem>`: a work stem holds no `@`, so two releases never
    // share a file.
    Ok(out)
}

fn version_views(facts: &Facts<'_>, work: &str, lang: &str) -> Result<Vec<VersionView>, String> {
    let mut out = Vec::new();
    // The parent's text (§8.5): `Ok(None)` when it stores no content (the child's base is then
    // ""), `Err` when it cannot be rebuilt.
    let mut prev: Option<(Digest, Result<Option<String>, String>)> = None;
    for h in facts.index.versions_of(work, lang) {
        if !facts.in_tree(&h) {
            continue;
        }
        let info = facts.signed.version(&h)?;
        let (event, p) = facts.event(&h)?;
        let Body::Version(v) = &p.entry.body else { return Err(format!("entry {} is not a version", h.short(16))) };
        if (v.work.as_str(), v.lang.as_str()) != (work, lang) {
            facts.signed.disagree(format!("the index files version {} under another work", h.short(16)));
            continue;
        }
        let parent_text = match (v.parent, &prev) {
            (None, _) => Ok(None),
            (Some(ph), Some((pp, t))) if ph == *pp => t.clone(),
            (Some(ph), _) => match crate::log::content::reconstruct(facts.lines, facts.index, &ph) {
                Ok(t) => Ok(Some(t)),
                Err(crate::log::content::ReconstructError::NotStored(_)) => Ok(None),
                Err(e) => Err(e.to_string()),
            },
        };
        // This version's text: its signed script applied to its parent's text, checked against
        // its signed size and hashes (as `log::content::reconstruct` does, one step at a time).
        let text: Result<Option<String>, String> = match (&v.diff, &parent_text) {
            (None, _) => Ok(None),
            (Some(_), Err(e)) => Err(format!("its parent's text cannot be rebuilt ({e})")),
            (Some(d), Ok(base)) => Script::from_json(d)
                .and_then(|s| s.apply(base.as_deref().unwrap_or("")))
                .map_err(|e| format!("{}: {}", e.code, e.message))
                .and_then(|t| {
                    check_facts(&t, v.size, &v.sha256, v.norm.as_ref()).map_err(|(c, m)| format!("{c}: {m}"))?;
                    Ok(Some(t))
                }),
        };
        let change = match (&text, v.parent.is_some(), &parent_text) {
            (Err(e), _, _) => Change::None(format!("Its text cannot be rebuilt from the ledger: {e}")),
            (Ok(None), _, _) => Change::None("Recorded by hash only: the ledger holds no text to compare".into()),
            (Ok(Some(t)), false, _) => Change::First { lines: t.lines().count(), words: t.split_whitespace().count() },
            (Ok(Some(t)), true, Ok(Some(base))) => word_diff_html(base, t),
            (Ok(Some(_)), true, _) => {
                Change::None("Its parent was recorded by hash only: there is no earlier text to compare".into())
            }
        };
        let of = match v.of {
            Some(o) => Some((facts.reference(&o)?, o)),
            None => None,
        };
        // Found through the index, each checked against its signed line.
        let mut released = Vec::new();
        for r in facts.index.releases_of_version(&h) {
            if facts.in_tree(&r.hash) {
                let rel = facts.signed.release(&r.hash)?;
                if rel.translation == h || rel.original == h {
                    released.push(rel.tag);
                }
            }
        }
        out.push(VersionView {
            released,
            reference: format!("{work}:{lang}@{}", info.number),
            lang: lang.to_string(),
            number: info.number,
            event,
            role: v.role.as_str().to_string(),
            size: v.size,
            media_type: info.media_type.clone(),
            sha256: v.sha256,
            note: v.note.clone(),
            of,
            change,
        });
        prev = Some((h, text));
    }
    Ok(out)
}

fn release_views(facts: &Facts<'_>, work: &str) -> Result<Vec<ReleaseView>, String> {
    let mut out = Vec::new();
    let work_stem = facts.stems.get(work).cloned().unwrap_or_else(|| file_stem(work));
    let releases: Vec<_> = facts.index.releases(Some(work)).into_iter().filter(|r| facts.in_tree(&r.hash)).collect();
    let tag_stems = stems(releases.iter().map(|r| r.tag.as_str()));
    for r in releases {
        let info = facts.signed.release(&r.hash)?;
        let (event, p) = facts.event(&r.hash)?;
        let Body::Release(body) = &p.entry.body else {
            return Err(format!("entry {} is not a release", r.hash.short(16)));
        };
        let mut cosigners = Vec::new();
        for (_, seq, c) in &info.cosigners {
            if *seq >= facts.size {
                continue;
            }
            let (ev, cp) = facts.event(c)?;
            let note = match &cp.entry.body {
                Body::Cosign(x) => x.note.clone(),
                _ => None,
            };
            cosigners.push((ev, note));
        }
        let tag_stem = tag_stems.get(&body.tag).cloned().unwrap_or_else(|| file_stem(&body.tag));
        out.push(ReleaseView {
            tag: body.tag.clone(),
            event,
            note: body.note.clone(),
            urls: body.urls.clone().unwrap_or_default(),
            translation: (facts.reference(&body.translation)?, body.translation),
            original: (facts.reference(&body.original)?, body.original),
            cosigners,
            bundle: format!("bundles/{work_stem}@{tag_stem}.bundle"),
            lang: body.lang.translation.clone(),
            superseded_by: None,
        });
    }
    // spec/verify.md §2.8: a later release of the same work whose translation is in the same
    // language supersedes a release; the page names the latest.
    let later: Vec<(u64, String, String, String)> =
        out.iter().map(|r| (r.event.seq, r.lang.clone(), r.tag.clone(), r.event.time.clone())).collect();
    for r in &mut out {
        r.superseded_by = later
            .iter()
            .filter(|(seq, lang, _, _)| *seq > r.event.seq && *lang == r.lang)
            .max_by_key(|(seq, ..)| *seq)
            .map(|(_, _, tag, time)| (tag.clone(), time.clone()));
    }
    Ok(out)
}

/// The owner keys in effect at the checkpoint's size, as a keyring (spec/ledger.md §10.1).
fn owners_keyring(origin: &str, size: u64, keys: &[KeyView]) -> String {
    let mut s = format!(
        "# colophon keyring: the owner keys of the log {origin} at size {size}, as this site publishes\n\
         # them (spec/ledger.md §10.1). They come from the site itself: trust them only as far as you\n\
         # trust where you got this file. Better: get the owner's .pub from the owner, by another way.\n"
    );
    for k in keys {
        if k.info.has(Role::Owner) && k.revoked.is_none() {
            s.push_str(&NamedKey { key: k.info.key, name: k.info.name.clone() }.to_line());
            s.push('\n');
        }
    }
    s
}

/// The history rows of the published tree (`colophon log`'s, `log::history`), read from its lines.
fn history_rows(lines: &dyn LineAt, index: &Index, size: u64) -> Result<Vec<crate::log::history::Row>, String> {
    struct Reader<'a> {
        lines: &'a dyn LineAt,
        index: &'a Index,
        next: u64,
        size: u64,
        buf: Vec<u8>,
        pos: usize,
    }
    impl std::io::Read for Reader<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                if self.next >= self.size {
                    return Ok(0);
                }
                let (_, loc) = self
                    .index
                    .entry_at(self.next)
                    .ok_or_else(|| std::io::Error::other(format!("entry {} is not indexed", self.next)))?;
                self.buf = self.lines.line_at(loc.offset, loc.len).map_err(std::io::Error::other)?;
                self.buf.push(b'\n');
                self.pos = 0;
                self.next += 1;
            }
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    let r = std::io::BufReader::new(Reader { lines, index, next: 0, size, buf: Vec::new(), pos: 0 });
    crate::log::history::history(r, &index.rejections(), None).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

struct Ctx<'a> {
    origin: &'a str,
    size: u64,
    root_hex: String,
    /// Every work's file stem.
    stems: &'a BTreeMap<String, String>,
}

/// A whole page: `up` is the way from the page to the site's root (`""` or `"../"`).
fn page(ctx: &Ctx<'_>, title: &str, up: &str, current: &str, body: &str) -> String {
    let nav = [("index.html", "Works"), ("keys.html", "Keys"), ("log.html", "Log"), ("verify.html", "Verify a copy")]
        .iter()
        .map(|(href, label)| {
            let here = if *href == current { " aria-current=\"page\"" } else { "" };
            format!("<li><a href=\"{up}{href}\"{here}>{label}</a></li>")
        })
        .collect::<String>();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"generator\" content=\"colophon publish --site\">\n\
         <title>{title} · {origin}</title>\n<link rel=\"stylesheet\" href=\"{up}style.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header>\n<p class=\"site\"><a href=\"{up}index.html\">{origin}</a></p>\n\
         <nav aria-label=\"Site\"><ul>{nav}</ul></nav>\n</header>\n\
         <main id=\"main\">\n{body}</main>\n\
         <footer>\n<p>The log <strong>{origin}</strong> as of its signed checkpoint: {size} entries, root \
         <code class=\"hash\">{root}</code>. Every fact on these pages is read from a signed line of the log; \
         times are what each signer claims. Check them yourself with the <code>colophon</code> command \
         (<code>colophon audit --tiles</code> with this site's address) or the <a href=\"{up}verify.html\">verify page</a>.</p>\n\
         </footer>\n</body>\n</html>\n",
        title = escape(title),
        origin = escape(ctx.origin),
        size = ctx.size,
        root = ctx.root_hex,
    )
}

fn key_link(up: &str, who: &Who) -> String {
    let hex = who.id.to_hex();
    let name = who.name.as_deref().map_or_else(|| "unregistered key".to_string(), escape);
    format!("<a href=\"{up}keys.html#key-{hex}\">{name}</a> <code class=\"id\">{}</code>", &hex[..16])
}

fn time_html(t: &str) -> String {
    let shown = match t.strip_suffix('Z') {
        Some(rest) => format!("{} UTC", rest.replace('T', " ")),
        None => t.replace('T', " "),
    };
    format!("<time datetime=\"{}\">{}</time>", escape(t), escape(&shown))
}

/// Seconds since 1970 as RFC 3339 UTC (`2026-12-01T05:09:52Z`), the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`); the core has no clock or calendar of its own.
pub fn unix_time(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// A version's anchor on its work's page: `en@2`.
fn anchor(lang: &str, number: u64) -> String {
    format!("{}@{number}", escape(lang))
}

/// A link to a version named by its `work:lang@n` on the page of `work` (`here` is that page's
/// work: a version of it links within the page).
fn version_link(up: &str, here: &str, stems: &BTreeMap<String, String>, reference: &str) -> String {
    let target = reference.rsplit_once(':').and_then(|(w, rest)| {
        let (lang, n) = rest.rsplit_once('@')?;
        let page = if w == here { String::new() } else { format!("{up}works/{}.html", stems.get(w)?) };
        Some(format!("{page}#{lang}@{n}"))
    });
    match target {
        Some(href) => format!("<a href=\"{}\"><code>{}</code></a>", escape(&href), escape(reference)),
        None => format!("<code>{}</code>", escape(reference)),
    }
}

fn index_page(ctx: &Ctx<'_>, works: &[WorkView], keys: &[KeyView]) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{origin}</h1>\n<p class=\"lead\">A provenance log of translated publications: every version of each \
         original and translation, and every release, signed by its translator or publisher.</p>\n\
         <dl class=\"facts\">\n<dt>Log</dt><dd><code>{origin}</code></dd>\n\
         <dt>Entries</dt><dd>{size} (as of the <a href=\"log.html\">signed checkpoint</a>)</dd>\n\
         <dt>Root</dt><dd><code class=\"hash\">{root}</code></dd>\n\
         <dt>Keys</dt><dd><a href=\"keys.html\">{nkeys} registered</a></dd>\n</dl>\n",
        origin = escape(ctx.origin),
        size = ctx.size,
        root = ctx.root_hex,
        nkeys = keys.len()
    );
    b.push_str("<section aria-labelledby=\"works\">\n<h2 id=\"works\">Works</h2>\n");
    if works.is_empty() {
        b.push_str("<p>No work has a version in the log yet.</p>\n");
    } else {
        b.push_str("<ul class=\"works\">\n");
        for w in works {
            let langs = w
                .langs
                .iter()
                .map(|(l, v)| format!("{} ({} version{})", escape(l), v.len(), if v.len() == 1 { "" } else { "s" }))
                .collect::<Vec<_>>()
                .join(", ");
            let tags = w.releases.iter().map(|r| escape(&r.tag)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                b,
                "<li><a href=\"works/{}.html\"><strong>{}</strong></a><br>{langs}{}</li>",
                w.stem,
                escape(&w.name),
                if tags.is_empty() { "; not released yet".to_string() } else { format!("; released: {tags}") }
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
    b.push_str(
        "<section aria-labelledby=\"check\">\n<h2 id=\"check\">Check a copy</h2>\n\
         <p>Found a copy of one of these texts? The <a href=\"verify.html\">verify page</a> checks it in your browser, \
         or, with the <code>colophon</code> command, against a release's bundle:</p>\n\
         <pre><code>colophon verify COPY --bundle BUNDLE --trust OWNER.pub</code></pre>\n\
         <p>Each release lists its bundle; <a href=\"bundles/index.json\">bundles/index.json</a> lists them all. \
         <a href=\"owners.keyring\">owners.keyring</a> holds the log's owner keys as this site states them: trust \
         them only as far as you trust this site, and prefer the owner's key from the owner.</p>\n\
         <p>The log itself is published beside these pages as tiles (<a href=\"checkpoint\">checkpoint</a>, \
         <code>tile/</code>): an archivist audits all of it with <code>colophon audit --tiles ADDRESS</code>.</p>\n\
         </section>\n",
    );
    page(ctx, "Works", "", "index.html", &b)
}

fn keys_page(ctx: &Ctx<'_>, keys: &[KeyView]) -> String {
    let mut b = String::from(
        "<h1>Keys</h1>\n<p class=\"lead\">Every key registered in the log, with the roles it was given, who \
         registered it and, if it was, who revoked it and why. A signature counts only from a key registered \
         before it and not revoked before it (spec/ledger.md §6.4, §10).</p>\n",
    );
    for k in keys {
        let hex = k.info.key.id().to_hex();
        let roles = k.info.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
        let _ = write!(
            b,
            "<article class=\"card\" id=\"key-{hex}\" aria-labelledby=\"h-key-{hex}\">\n\
             <h2 id=\"h-key-{hex}\">{name}{revoked}</h2>\n<dl class=\"facts\">\n\
             <dt>Key id</dt><dd><code class=\"hash\">{hex}</code></dd>\n\
             <dt>Public key</dt><dd><code class=\"hash\">{b64}</code></dd>\n\
             <dt>Roles</dt><dd>{roles}</dd>\n\
             <dt>Registered</dt><dd>entry #{seq} <code class=\"id\">{entry}</code>, {time}, by {by}</dd>\n",
            name = escape(&k.info.name),
            revoked = if k.revoked.is_some() { " <span class=\"badge bad\">revoked</span>" } else { "" },
            b64 = escape(&k.info.key.to_base64()),
            roles = escape(&roles),
            seq = k.registered.seq,
            entry = k.registered.entry.short(16),
            time = time_html(&k.registered.time),
            by = if k.registered.by.id == k.info.key.id() {
                "itself (the log's genesis)".to_string()
            } else {
                key_link("", &k.registered.by)
            },
        );
        if let Some((ev, reason, note)) = &k.revoked {
            let _ = writeln!(
                b,
                "<dt>Revoked</dt><dd>entry #{} <code class=\"id\">{}</code>, {}, by {}: <strong>{}</strong>{}. \
                 Entries it signed after entry #{} do not count{}</dd>",
                ev.seq,
                ev.entry.short(16),
                time_html(&ev.time),
                key_link("", &ev.by),
                escape(reason),
                note.as_deref().map_or(String::new(), |n| format!(" — “{}”", escape(n))),
                ev.seq,
                if reason == "compromised" { "; releases it signed before are flagged to readers" } else { "" }
            );
        }
        b.push_str("</dl>\n</article>\n");
    }
    page(ctx, "Keys", "", "keys.html", &b)
}

fn log_page(
    ctx: &Ctx<'_>,
    note_bytes: &[u8],
    note: &Note,
    checked: &crate::log::transparency::CheckedCheckpoint,
    owners: &[crate::log::transparency::LogKey],
    rows: &[crate::log::history::Row],
) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Log</h1>\n<p class=\"lead\">The log's owner signs <strong>checkpoints</strong>: the log's size and the \
         root of the Merkle tree of its entries (spec/transparency.md §3). Every bundle on this site carries this \
         checkpoint and a proof that each of its entries is in this tree.</p>\n\
         <section aria-labelledby=\"cp\">\n<h2 id=\"cp\">Checkpoint</h2>\n<dl class=\"facts\">\n\
         <dt>Origin</dt><dd><code>{origin}</code></dd>\n<dt>Size</dt><dd>{size} entries</dd>\n\
         <dt>Root</dt><dd><code class=\"hash\">{root}</code></dd>\n<dt>Signed by</dt><dd>{signers}</dd>\n</dl>\n\
         <p>The signed note, verbatim (also published as <a href=\"checkpoint\">checkpoint</a>):</p>\n\
         <pre class=\"note\">{text}</pre>\n",
        origin = escape(ctx.origin),
        size = ctx.size,
        root = ctx.root_hex,
        signers = checked
            .signed_by
            .iter()
            .map(|(id, name)| key_link("", &Who { id: *id, name: Some(name.clone()) }))
            .collect::<Vec<_>>()
            .join(", "),
        text = escape(&String::from_utf8_lossy(note_bytes)),
    );
    // Signature lines that are not the owner's are witness cosignatures (§4). They are listed as
    // the note states them: whether a witness counts is the reader's keyring's decision
    // (`witness <vkey>` lines and a quorum), so none is vouched for here.
    let owner_sig = |s: &crate::log::note::Signature| {
        owners.iter().any(|k| k.verifier.name == s.name && k.verifier.key_id == s.key_id)
    };
    let witnesses: Vec<_> = note.sigs.iter().filter(|s| !owner_sig(s)).collect();
    b.push_str("<h3>Witness cosignatures</h3>\n");
    if witnesses.is_empty() {
        b.push_str(
            "<p>None: no witness has cosigned this checkpoint. Witnesses check that a log only grows before they \
             cosign (<code>colophon witness</code>); readers who require them list them in their keyring.</p>\n",
        );
    } else {
        b.push_str(
            "<p>Signature lines by other keys than the owner's. They are not checked here: a reader's keyring names \
             the witnesses it trusts (<code>witness</code> lines, and a <code>quorum</code>), and \
             <code>colophon verify</code> checks those.</p>\n<ul>\n",
        );
        for s in witnesses {
            let when = s
                .cosignature_timestamp()
                .map_or(String::new(), |t| format!(", cosigned at {} (the witness's claim)", time_html(&unix_time(t))));
            let _ =
                writeln!(b, "<li><code>{}</code>, key id <code>{:08x}</code>{when}</li>", escape(&s.name), s.key_id);
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
    b.push_str("<section aria-labelledby=\"entries\">\n<h2 id=\"entries\">Entries</h2>\n");
    let skipped = rows.len().saturating_sub(MAX_LOG_ROWS);
    if skipped > 0 {
        let _ = writeln!(
            b,
            "<p>The newest {MAX_LOG_ROWS} entries; the first {skipped} are in the published tiles \
             (<code>colophon audit --tiles</code>).</p>"
        );
    }
    b.push_str(
        "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Time (signer's claim)</th>\
         <th scope=\"col\">Type</th><th scope=\"col\">What</th><th scope=\"col\">Signer</th>\
         <th scope=\"col\">Entry</th></tr></thead>\n<tbody>\n",
    );
    for r in &rows[skipped..] {
        let what = match &r.rejected {
            Some(why) => format!(
                "<strong>rejected by the audit ({}), not part of the log's state:</strong> {}",
                escape(why),
                escape(&r.summary)
            ),
            None => escape(&r.summary),
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{what}</td><td>{}</td><td><code class=\"id\">{}</code></td></tr>",
            r.seq,
            time_html(&r.time),
            escape(&r.kind),
            key_link("", &Who { id: r.signer, name: Some(r.signer_name.clone()) }),
            r.entry.short(16)
        );
    }
    b.push_str("</tbody>\n</table></div>\n</section>\n");
    page(ctx, "Log", "", "log.html", &b)
}

fn work_page(ctx: &Ctx<'_>, w: &WorkView) -> String {
    let up = "../";
    let stems = ctx.stems;
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1><span class=\"kind\">Work</span> {}</h1>\n<p class=\"lead\">Each language's versions, newest last, each with \
         what changed since the one before; then the releases, each pairing a translation with the exact original \
         it renders. Times are what each signer claims; the order of the log is what is proven.</p>\n\
         <nav aria-label=\"On this page\"><ul class=\"toc\">{}{}</ul></nav>\n",
        escape(&w.name),
        w.langs.iter().map(|(l, _)| format!("<li><a href=\"#lang-{0}\">{0}</a></li>", escape(l))).collect::<String>(),
        if w.releases.is_empty() { "" } else { "<li><a href=\"#releases\">Releases</a></li>" }
    );
    for (lang, versions) in &w.langs {
        let role = versions.first().map_or("", |v| v.role.as_str());
        let _ = writeln!(
            b,
            "<section aria-labelledby=\"lang-{0}\">\n<h2 id=\"lang-{0}\">{0} <span class=\"kind\">{1}</span></h2>",
            escape(lang),
            escape(role)
        );
        for v in versions {
            let _ = write!(
                b,
                "<article class=\"card\" id=\"{anchor}\" aria-labelledby=\"h-{anchor}\">\n\
                 <h3 id=\"h-{anchor}\"><code>{reference}</code></h3>\n<dl class=\"facts\">\n\
                 <dt>Signed by</dt><dd>{who}</dd>\n<dt>Time</dt><dd>{time} <small>(the signer's claim)</small></dd>\n",
                anchor = anchor(&v.lang, v.number),
                reference = escape(&v.reference),
                who = key_link(up, &v.event.by),
                time = time_html(&v.event.time),
            );
            if let Some(n) = &v.note {
                let _ = writeln!(b, "<dt>Note</dt><dd class=\"note\">{}</dd>", escape(n));
            }
            if let Some((r, h)) = &v.of {
                let _ = writeln!(
                    b,
                    "<dt>Renders</dt><dd>original {} <code class=\"id\">{}</code></dd>",
                    version_link(up, &w.name, stems, r),
                    h.short(16)
                );
            }
            if !v.released.is_empty() {
                let tags = v
                    .released
                    .iter()
                    .map(|t| format!("<a href=\"#release-{0}\"><code>{1}@{0}</code></a>", escape(t), escape(&w.name)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(b, "<dt>Released in</dt><dd>{tags}</dd>");
            }
            let _ = write!(
                b,
                "<dt>Content</dt><dd>{} bytes, {}, SHA-256 <code class=\"hash\">{}</code></dd>\n\
                 <dt>Entry</dt><dd>#{} <code class=\"id\">{}</code></dd>\n</dl>\n",
                v.size,
                escape(&v.media_type),
                v.sha256,
                v.event.seq,
                v.event.entry.short(16)
            );
            match &v.change {
                Change::First { lines, words } => {
                    let _ = writeln!(b, "<p class=\"change\">First version: {lines} lines, {words} words.</p>");
                }
                Change::Words { html, added, removed } => {
                    let _ = write!(
                        b,
                        "<h4>Changes from <code>{}:{}@{}</code>: <span class=\"plus\">+{added}</span> / \
                         <span class=\"minus\">−{removed}</span> words</h4>\n{html}",
                        escape(&w.name),
                        escape(&v.lang),
                        v.number.saturating_sub(1)
                    );
                }
                Change::None(why) => {
                    let _ = writeln!(b, "<p class=\"change\">{}</p>", escape(why));
                }
            }
            b.push_str("</article>\n");
        }
        b.push_str("</section>\n");
    }
    if !w.releases.is_empty() {
        b.push_str("<section aria-labelledby=\"releases\">\n<h2 id=\"releases\">Releases</h2>\n");
        for r in &w.releases {
            let id = format!("release-{}", escape(&r.tag));
            let _ = write!(
                b,
                "<article class=\"card\" id=\"{id}\" aria-labelledby=\"h-{id}\">\n\
                 <h3 id=\"h-{id}\"><code>{work}@{tag}</code></h3>\n<dl class=\"facts\">\n{later}\
                 <dt>Translation</dt><dd>{tr}</dd>\n<dt>Original</dt><dd>{or}</dd>\n\
                 <dt>Signed by</dt><dd>{who}</dd>\n<dt>Time</dt><dd>{time} <small>(the signer's claim)</small></dd>\n",
                work = escape(&w.name),
                tag = escape(&r.tag),
                tr = version_link(up, &w.name, stems, &r.translation.0),
                or = version_link(up, &w.name, stems, &r.original.0),
                who = key_link(up, &r.event.by),
                time = time_html(&r.event.time),
                later = r.superseded_by.as_ref().map_or(String::new(), |(t, time)| format!(
                    "<dt>Superseded by</dt><dd><a href=\"#release-{t}\"><code>{work}@{t}</code></a>, {time} \
                     <small>(the signer's claim)</small></dd>\n",
                    t = escape(t),
                    work = escape(&w.name),
                    time = time_html(time)
                )),
            );
            if let Some(n) = &r.note {
                let _ = writeln!(b, "<dt>Note</dt><dd class=\"note\">{}</dd>", escape(n));
            }
            if !r.urls.is_empty() {
                let links = r
                    .urls
                    .iter()
                    .map(|u| {
                        // Only http(s) URLs are links (spec/ledger.md §6.6 allows no other; this
                        // holds even for a line that slipped past that rule).
                        if u.starts_with("https://") || u.starts_with("http://") {
                            format!("<li><a href=\"{0}\" rel=\"nofollow noreferrer\">{0}</a></li>", escape(u))
                        } else {
                            format!("<li><code>{}</code></li>", escape(u))
                        }
                    })
                    .collect::<String>();
                let _ = writeln!(b, "<dt>Published at</dt><dd><ul>{links}</ul></dd>");
            }
            let cos = if r.cosigners.is_empty() {
                "none".to_string()
            } else {
                let items = r
                    .cosigners
                    .iter()
                    .map(|(ev, note)| {
                        format!(
                            "<li>{}, {}, entry #{}{}</li>",
                            key_link(up, &ev.by),
                            time_html(&ev.time),
                            ev.seq,
                            note.as_deref().map_or(String::new(), |n| format!(" — “{}”", escape(n)))
                        )
                    })
                    .collect::<String>();
                format!("<ul>{items}</ul>")
            };
            let _ = write!(
                b,
                "<dt>Cosigned by</dt><dd>{cos}</dd>\n<dt>Entry</dt><dd>#{} <code class=\"id\">{}</code></dd>\n\
                 <dt>Bundle</dt><dd><a href=\"{up}{bundle}\" download>{bundle}</a>: check a copy with \
                 <code>colophon verify COPY --bundle {bundle} --trust OWNER.pub</code></dd>\n</dl>\n</article>\n",
                r.event.seq,
                r.event.entry.short(16),
                bundle = escape(&r.bundle),
            );
        }
        b.push_str("</section>\n");
    }
    page(ctx, &format!("Work {}", w.name), up, "", &b)
}

/// The word diff of a version against its parent, as HTML: deleted words in `<del>`, inserted
/// ones in `<ins>`, long unchanged stretches cut to a few words around each change, and at most
/// [`MAX_CHANGES`] changes and [`MAX_CHANGE_CHARS`] characters of each.
fn word_diff_html(old: &str, new: &str) -> Change {
    let chunks = word_diff(old, new);
    let (mut added, mut removed) = (0u64, 0u64);
    for c in &chunks {
        let n = c.text.split_whitespace().count() as u64;
        match c.kind {
            ChangeKind::Insert => added += n,
            ChangeKind::Delete => removed += n,
            ChangeKind::Equal => {}
        }
    }
    let mut s = String::from("<div class=\"diff\">");
    let (mut regions, mut more) = (0usize, 0usize);
    let last = chunks.len().saturating_sub(1);
    for (i, c) in chunks.iter().enumerate() {
        // A changed region is a Delete, an Insert, or a Delete followed by an Insert.
        let starts_region = c.kind != ChangeKind::Equal
            && !(c.kind == ChangeKind::Insert && i > 0 && chunks[i - 1].kind == ChangeKind::Delete);
        if starts_region {
            if regions == MAX_CHANGES {
                more += 1;
            } else {
                regions += 1;
            }
        }
        if more > 0 {
            continue;
        }
        match c.kind {
            ChangeKind::Equal => {
                let words: Vec<&str> = c.text.split_inclusive(char::is_whitespace).collect();
                // After the last change shown, no context leads into one left out.
                let cut = regions == MAX_CHANGES && i < last;
                if words.len() > 2 * CONTEXT_WORDS + 4 || cut {
                    if i > 0 {
                        s.push_str(&escape(&words[..CONTEXT_WORDS.min(words.len())].concat()));
                    }
                    s.push_str("<span class=\"gap\"> … </span>");
                    if i < last && !cut {
                        s.push_str(&escape(&words[words.len().saturating_sub(CONTEXT_WORDS)..].concat()));
                    }
                } else {
                    s.push_str(&escape(&c.text));
                }
            }
            ChangeKind::Delete => s.push_str(&format!("<del>{}</del>", capped(&c.text))),
            ChangeKind::Insert => s.push_str(&format!("<ins>{}</ins>", capped(&c.text))),
        }
    }
    s.push_str("</div>\n");
    if more > 0 {
        let _ = writeln!(
            s,
            "<p class=\"more\">… and {more} more change{}: <code>colophon diff</code> shows them all.</p>",
            if more == 1 { "" } else { "s" }
        );
    }
    Change::Words { html: s, added, removed }
}

/// A changed run, escaped and cut at [`MAX_CHANGE_CHARS`] characters.
fn capped(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_CHANGE_CHARS {
        return escape(text);
    }
    let head: String = text.chars().take(MAX_CHANGE_CHARS).collect();
    format!("{}<span class=\"gap\"> … {} more characters</span>", escape(&head), n - MAX_CHANGE_CHARS)
}

/// The site's stylesheet: system fonts, readable line length, contrast of at least WCAG AA in
/// light and dark schemes, cards that stack on a phone.
const STYLE: &str = include_str!("site.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        let hostile = "<script>alert(1)</script> \"quoted\" 'single' & <img src=x onerror=alert(2)>";
        let e = escape(hostile);
        assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''), "{e}");
        assert_eq!(escape("a&b"), "a&amp;b");
        assert_eq!(
            e,
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; &amp; &lt;img src=x onerror=alert(2)&gt;"
        );
    }

    #[test]
    fn word_diff_escapes_and_marks_changes() {
        let Change::Words { html, added, removed } = word_diff_html("a <b> c\n", "a <i> c\n") else { panic!() };
        assert_eq!((added, removed), (1, 1));
        assert!(html.contains("<del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>"), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
    }

    #[test]
    fn word_diff_is_capped() {
        let old: String =
            (0..200).map(|i| format!("w{i} same same same same same same same same same same same\n")).collect();
        let new: String =
            (0..200).map(|i| format!("x{i} same same same same same same same same same same same\n")).collect();
        let Change::Words { html, .. } = word_diff_html(&old, &new) else { panic!() };
        assert_eq!(html.matches("<del>").count(), MAX_CHANGES, "{html}");
        assert!(html.contains("and 160 more changes"), "{html}");
        let Change::Words { html, .. } = word_diff_html("a\n", &"long ".repeat(1000)) else { panic!() };
        assert!(html.contains("more characters"), "{html}");
        assert!(html.len() < 2 * MAX_CHANGE_CHARS + 200, "{}", html.len());
    }

    #[test]
    fn stems_are_safe_and_distinct() {
        for (name, want) in [("ponte", "ponte"), ("ponte.v2", "ponte.v2"), ("a-b_c", "a-b_c")] {
            assert_eq!(file_stem(name), want);
        }
        let hostile = ["a/../b", "A/../B", "..", "../../etc/passwd", "Ponte", "ponte", "x/y", "x-y", "X.Y", "x.y"];
        let all = stems(hostile);
        let distinct: BTreeSet<&String> = all.values().collect();
        assert_eq!(distinct.len(), hostile.len(), "{all:?}");
        for s in all.values() {
            assert!(!s.is_empty() && !s.starts_with('.') && !s.contains('/') && !s.contains(".."), "{s}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._~-".contains(&b)), "{s}");
        }
        assert!(all["Ponte"].starts_with("ponte~"));
        assert_ne!(all["Ponte"], all["ponte"]);
        // Stems that meet get the whole hash.
        assert_eq!(stem_with("A", 64).len(), "a~".len() + 64);
    }

    #[test]
    fn unix_times_are_utc_dates() {
        assert_eq!(unix_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(unix_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(unix_time(1_796_102_992), "2026-12-01T05:29:52Z");
        assert!(unix_time(u64::MAX).len() > 20);
    }
}
