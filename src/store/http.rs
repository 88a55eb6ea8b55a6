//! HTTP(S) for readers (spec/cli.md §3 `verify`, §4): a page to verify, a bundle it links, and a
//! published log's files ([`HttpTiles`], a [`TileFetch`]). Every response is bounded: connect and
//! overall timeouts, a size limit, at most [`MAX_REDIRECTS`] redirects; each failure is one clear
//! message. Nothing fetched is trusted: the core checks it all.

use crate::log::tiles::{self, TileFetch, TilesSource};
use std::path::PathBuf;
use std::time::Duration;
use ureq::ResponseExt as _;

/// The most bytes of a page, a bundle or a tile read from one response.
pub const MAX_BODY: u64 = 16 << 20;
/// Redirects followed before giving up (a loop ends here too).
pub const MAX_REDIRECTS: u32 = 5;
/// Default overall timeout of one request, in seconds (`COLOPHON_HTTP_TIMEOUT` overrides).
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// Default number of tiles fetched at once from one log (`COLOPHON_HTTP_PARALLEL` overrides, 1–32).
pub const PARALLEL_FETCHES: usize = 8;
/// Attempts at a tile or checkpoint when the server fails transiently (5xx, timeout, reset).
const ATTEMPTS: u32 = 3;

/// The media type of a bundle link in a page's head (spec/cli.md §3 `verify`).
pub const BUNDLE_TYPE: &str = "application/vnd.colophon.bundle+json";
/// The media type of a link to a published log's tiles directory.
pub const TILES_TYPE: &str = "application/vnd.colophon.tiles";

/// Whether `s` names an HTTP(S) resource.
pub fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// What went wrong, by kind: a caller decides what a 404 means, and retries only transient ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailKind {
    /// HTTP 404 or 410.
    NotFound,
    /// 5xx, a timeout, a reset connection: worth another try.
    Transient,
    /// Anything else (DNS, refused, TLS, too large, not text, redirects, other statuses).
    Other,
}

/// A failed fetch: its kind and the message to show (naming the URL).
#[derive(Debug, Clone)]
pub struct Failure {
    /// The kind, for retries.
    pub kind: FailKind,
    /// The message, beginning with the URL.
    pub message: String,
}

/// A response's body and what the reader needs from its headers.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The bytes (at most [`MAX_BODY`]).
    pub bytes: Vec<u8>,
    /// The URL after redirects.
    pub url: String,
    /// The `Content-Type` header, lowercased, or empty.
    pub content_type: String,
    /// Every `Link` header's value.
    pub links: Vec<String>,
}

/// An HTTP client with colophon's limits.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

impl Client {
    /// A client whose overall timeout is `COLOPHON_HTTP_TIMEOUT` seconds (default 30).
    pub fn new() -> Client {
        let secs = std::env::var("COLOPHON_HTTP_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0)
            .unwrap_or(DEFAULT_TIMEOUT_SECS as f64);
        let timeout = Duration::from_secs_f64(secs);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .timeout_global(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            .http_status_as_error(false)
            .user_agent(concat!("colophon/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, timeout }
    }

    /// GETs `url`, following up to [`MAX_REDIRECTS`] redirects, reading at most `limit` bytes.
    pub fn get(&self, url: &str, limit: u64) -> Result<Fetched, Failure> {
        let fail = |kind: FailKind, m: String| Failure { kind, message: format!("{url}: {m}") };
        let mut resp = self.agent.get(url).call().map_err(|e| {
            let (k, m) = self.describe(e, limit, url.starts_with("https://"));
            fail(k, m)
        })?;
        let status = resp.status();
        if !status.is_success() {
            let kind = match status.as_u16() {
                404 | 410 => FailKind::NotFound,
                500..=599 | 429 => FailKind::Transient,
                _ => FailKind::Other,
            };
            let reason = status.canonical_reason().unwrap_or("");
            return Err(fail(kind, format!("HTTP status {} {reason}", status.as_u16()).trim_end().to_string()));
        }
        let header = |name: &str| -> Vec<String> {
            resp.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect()
        };
        let content_type = header("content-type").into_iter().next().unwrap_or_default().to_ascii_lowercase();
        let links = header("link");
        let final_url = resp.get_uri().to_string();
        let bytes = resp.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| {
            let (k, m) = self.describe(e, limit, url.starts_with("https://"));
            fail(k, m)
        })?;
        Ok(Fetched { bytes, url: final_url, content_type, links })
    }

    /// [`Client::get`], retried with backoff (0.2 s, 0.4 s, …) while the failure is transient.
    pub fn get_retrying(&self, url: &str, limit: u64) -> Result<Fetched, Failure> {
        let mut attempt = 0;
        loop {
            match self.get(url, limit) {
                Err(f) if f.kind == FailKind::Transient && attempt + 1 < ATTEMPTS => {
                    std::thread::sleep(Duration::from_millis(200 << attempt));
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    fn describe(&self, e: ureq::Error, limit: u64, https: bool) -> (FailKind, String) {
        use ureq::Error as E;
        match e {
            E::HostNotFound => (FailKind::Other, "DNS: host not found".into()),
            E::ConnectionFailed => (FailKind::Transient, "connection failed (refused or unreachable)".into()),
            E::Timeout(t) => (FailKind::Transient, format!("timed out after {:?} ({t})", self.timeout)),
            E::TooManyRedirects => {
                (FailKind::Other, format!("more than {MAX_REDIRECTS} redirects (a redirect loop?); give the final URL"))
            }
            E::RedirectFailed => (FailKind::Other, "redirect failed (no or a bad Location)".into()),
            E::BodyExceedsLimit(_) => (FailKind::Other, format!("too large: over {} MiB", limit >> 20)),
            E::BadUri(m) => (FailKind::Other, format!("not a URL colophon can fetch: {m}")),
            E::Tls(m) => (FailKind::Other, format!("TLS: {m}")),
            E::Rustls(e) => (FailKind::Other, format!("TLS: {e}")),
            E::Pem(e) => (FailKind::Other, format!("TLS: {e}")),
            E::TlsRequired => (FailKind::Other, "TLS: required".into()),
            // A resolver's failure comes as an I/O error; so does one of rustls inside the stream
            // (InvalidData).
            E::Io(io) if io.to_string().contains("lookup address") || io.to_string().contains("Name or service") => {
                (FailKind::Other, format!("DNS: host not found ({io})"))
            }
            E::Io(io) if https && io.kind() == std::io::ErrorKind::InvalidData => {
                (FailKind::Other, format!("TLS: {io}"))
            }
            E::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => (FailKind::Transient, "connection refused".into()),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    (FailKind::Transient, format!("timed out after {:?} ({io})", self.timeout))
                }
                std::io::ErrorKind::UnexpectedEof => {
                    (FailKind::Transient, format!("truncated: the body ended before its Content-Length ({io})"))
                }
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    (FailKind::Transient, format!("connection reset ({io})"))
                }
                _ => (FailKind::Other, format!("reading the response: {io}")),
            },
            E::Protocol(p) => (FailKind::Other, format!("bad HTTP response (truncated or malformed): {p}")),
            other => (FailKind::Other, other.to_string()),
        }
    }
}

/// Whether a `Content-Type` is a page's or a text's: `text/*`, or XHTML.
pub fn is_text_type(content_type: &str) -> bool {
    let t = content_type.split(';').next().unwrap_or("").trim();
    t.starts_with("text/") || t == "application/xhtml+xml"
}

/// A published log on a web server (`--tiles https://…/log/`). Full tiles are immutable
/// (tlog-tiles): they are kept in the user's cache (`<cache>/tiles/<hash of the URL>/`); the
/// checkpoint and partial tiles are always fetched. A cached tile is checked against the root
/// like a fetched one.
#[derive(Debug)]
pub struct HttpTiles {
    base: String,
    client: Client,
    cache: Option<PathBuf>,
    parallel: usize,
}

impl HttpTiles {
    /// The log at `base` (a trailing `/` is added), caching full tiles under `cache`.
    pub fn new(base: &str, cache: Option<PathBuf>) -> HttpTiles {
        let base = if base.ends_with('/') { base.to_string() } else { format!("{base}/") };
        let parallel = std::env::var("COLOPHON_HTTP_PARALLEL")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=32).contains(n))
            .unwrap_or(PARALLEL_FETCHES);
        HttpTiles { base, client: Client::new(), cache, parallel }
    }

    fn immutable(path: &str) -> bool {
        path.starts_with("tile/") && !path.contains(".p/")
    }

    fn cached(&self, path: &str) -> Option<PathBuf> {
        let dir = self.cache.as_ref()?;
        if path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return None;
        }
        Some(dir.join(path))
    }
}

impl TileFetch for HttpTiles {
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let keep = if Self::immutable(path) { self.cached(path) } else { None };
        if let Some(p) = &keep
            && let Ok(meta) = std::fs::symlink_metadata(p)
            && meta.is_file()
            && meta.len() <= MAX_BODY
            && let Ok(b) = std::fs::read(p)
        {
            return Ok(Some(b));
        }
        let url = format!("{}{path}", self.base);
        match self.client.get_retrying(&url, MAX_BODY) {
            Ok(f) => {
                if let Some(p) = &keep {
                    // Best effort: a cache that cannot be written only costs a refetch.
                    let _ = crate::store::cache::keep_file(p, &f.bytes);
                }
                Ok(Some(f.bytes))
            }
            Err(f) if f.kind == FailKind::NotFound => Ok(None),
            Err(f) => Err(f.message),
        }
    }

    fn describe(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// At most [`PARALLEL_FETCHES`] requests at once (spec/transparency.md §7.3): enough to hide a
    /// server's latency, few enough not to hammer it.
    fn fetch_many(&self, paths: &[String]) -> Vec<tiles::Fetched> {
        if paths.len() < 2 || self.parallel < 2 {
            return paths.iter().map(|p| self.fetch(p)).collect();
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<std::sync::Mutex<Option<tiles::Fetched>>> =
            paths.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..self.parallel.min(paths.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let (Some(p), Some(slot)) = (paths.get(i), slots.get(i)) else { break };
                        let r = self.fetch(p);
                        if let Ok(mut slot) = slot.lock() {
                            *slot = Some(r);
                        }
                    }
                });
            }
        });
        slots
            .into_iter()
            .zip(paths)
            .map(|(slot, p)| {
                slot.into_inner()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| Err(format!("{}: the fetch did not finish", self.describe(p))))
            })
            .collect()
    }

    fn forget(&self, paths: &[String]) -> bool {
        let mut dropped = false;
        for p in paths.iter().filter(|p| Self::immutable(p)) {
            if let Some(f) = self.cached(p)
                && std::fs::remove_file(f).is_ok()
            {
                dropped = true;
            }
        }
        dropped
    }
}

/// Opens the published log at `url`, with its full tiles cached in the user's cache when there
/// is one.
pub fn open_url(url: &str) -> Result<TilesSource, String> {
    let cache = crate::store::cache::Cache::from_env().tiles_dir(url).ok().flatten();
    TilesSource::open(Box::new(HttpTiles::new(url, cache)))
}

/// Finds the `<link rel="alternate" type="…" href="…">` of `media_type` in a page's `<head>`, or
/// in a `Link` header, and resolves its `href` against the page's URL. One small, careful scan of
/// `<link>` tags up to `</head>` or `<body>` (no regular expression over the page); this is the one
/// place to switch to an HTML5 parser.
pub fn find_link(page: &Fetched, media_type: &str) -> Option<String> {
    for h in &page.links {
        for part in h.split(',') {
            let mut segs = part.split(';');
            let target = segs.next().unwrap_or("").trim();
            let params: Vec<(String, String)> = segs.filter_map(param).collect();
            if has_token(&params, "rel", "alternate")
                && has(&params, "type", media_type)
                && let Some(href) = target.strip_prefix('<').and_then(|t| t.strip_suffix('>'))
            {
                return resolve(&page.url, href);
            }
        }
    }
    if !page.content_type.contains("html") {
        return None;
    }
    let text = std::str::from_utf8(&page.bytes[..page.bytes.len().min(1 << 20)]).ok()?;
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find('<') {
        let start = at + i;
        let rest = &lower[start + 1..];
        if rest.starts_with("/head") || rest.starts_with("body") {
            return None;
        }
        if rest.starts_with("!--") {
            match rest.find("-->") {
                Some(i) => at = start + 4 + i,
                None => return None,
            }
            continue;
        }
        let end = start + 1 + tag_end(rest)?;
        if rest.starts_with("link") && rest[4..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/') {
            let attrs = attributes(&text[start + 5..end]);
            if has_token(&attrs, "rel", "alternate") && has(&attrs, "type", media_type) {
                let href = attrs.iter().find(|(k, _)| k == "href").map(|(_, v)| v.as_str())?;
                return resolve(&page.url, &unescape(href));
            }
        }
        at = end + 1;
    }
    None
}

/// The offset of a tag's closing `>`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A tag's attributes: lowercased names, values unquoted (not lowercased).
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = s[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = s[vs..i].to_string();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = s[vs..i].to_string();
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn param(s: &str) -> Option<(String, String)> {
    let (k, v) = s.split_once('=')?;
    Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_string()))
}

fn has(attrs: &[(String, String)], name: &str, value: &str) -> bool {
    attrs.iter().any(|(k, v)| k == name && v.trim().eq_ignore_ascii_case(value))
}

fn has_token(attrs: &[(String, String)], name: &str, token: &str) -> bool {
    attrs.iter().any(|(k, v)| k == name && v.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case(token)))
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

/// Resolves `href` against `base` (absolute URLs, `/path`, and relative paths; no `..` games:
/// the result is only ever fetched, and what it serves is checked).
pub fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    if is_url(href) {
        return Some(href.to_string());
    }
    if href.starts_with("//") || (href.contains(':') && !href.starts_with('/') && !href.starts_with('.')) {
        return None;
    }
    let scheme_end = base.find("://")? + 3;
    let base = base.split(['?', '#']).next()?;
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    if let Some(abs) = href.strip_prefix('/') {
        return Some(format!("{}/{abs}", &base[..host_end]));
    }
    let dir_end = base[host_end..].rfind('/').map_or(base.len(), |i| host_end + i);
    let dir = if dir_end == base.len() { format!("{base}/") } else { base[..=dir_end].to_string() };
    Some(format!("{dir}{}", href.strip_prefix("./").unwrap_or(href)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Fetched {
        Fetched {
            bytes: html.as_bytes().to_vec(),
            url: "https://example.org/posts/winter.html".into(),
            content_type: "text/html; charset=utf-8".into(),
            links: vec![],
        }
    }

    #[test]
    fn finds_the_bundle_link_in_the_head_only() {
        let t = "application/vnd.colophon.bundle+json";
        let p = page(concat!(
            "<html><head><!-- <link rel=alternate type=\"application/vnd.colophon.bundle+json\" href=x> -->",
            "<LINK title='a > b' Rel=\"Alternate\" TYPE=\"application/vnd.colophon.bundle+json\" href=\"b.json?a=1&amp;b=2\">",
            "</head><body></body></html>"
        ));
        assert_eq!(find_link(&p, t).as_deref(), Some("https://example.org/posts/b.json?a=1&b=2"));
        let late = page("<head></head><body><link rel=alternate type=application/vnd.colophon.bundle+json href=/x>");
        assert_eq!(find_link(&late, t), None);
        let abs = page("<head><link rel=\"alternate\" type=\"application/vnd.colophon.bundle+json\" href=\"/b\"/>");
        assert_eq!(find_link(&abs, t).as_deref(), Some("https://example.org/b"));
        let mut hdr = page("plain");
        hdr.content_type = "text/plain".into();
        hdr.links = vec!["<w.bundle.json>; rel=\"alternate\"; type=\"application/vnd.colophon.bundle+json\"".into()];
        assert_eq!(find_link(&hdr, t).as_deref(), Some("https://example.org/posts/w.bundle.json"));
        assert_eq!(find_link(&page("<head><link rel=alternate type=x href=\"javascript:1\">"), "x"), None);
        assert_eq!(find_link(&page("<head><!-- <link rel=alternate type=x href=y>"), "x"), None);
        assert_eq!(find_link(&page("<head><link rel=alternate type=x href='y"), "x"), None);
    }
}
