//! Readers over HTTP (spec/cli.md §3 `verify`, `--tiles URL`): `verify -`, `verify URL` with
//! discovery of the bundle, `audit`/`verify --tiles http://…`, and every hostile response a
//! server can give. No network: a small server on 127.0.0.1 runs inside each test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use colophon::format::entry::{Body, KeyReg, Role};
use common::Env;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const ORIGIN: &str = "example.org/translations";
const ORIGINAL: &str = "Il ponte di pietra.\nAttraversa il fiume.\n";
const TRANSLATION: &str = "The stone bridge.\nIt crosses the river.\n";
const BUNDLE_TYPE: &str = "application/vnd.colophon.bundle+json";

/// A server for the files under `root`, plus hostile paths. It counts the requests it serves at
/// once, and the most ever served at once.
struct Server {
    port: u16,
    busy: Arc<(AtomicUsize, AtomicUsize)>,
}

type Busy = Arc<(AtomicUsize, AtomicUsize)>;

thread_local! {
    /// The server's count of requests being served, held by the thread serving one until its
    /// response starts: a client that sends its next request only after reading a response is
    /// then never counted twice, however the threads are scheduled.
    static SERVING: std::cell::RefCell<Option<Busy>> = const { std::cell::RefCell::new(None) };
}

/// The request this thread serves is done being worked on: count it out.
fn served() {
    if let Some(c) = SERVING.with(|s| s.borrow_mut().take()) {
        c.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn respond(s: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    served();
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
}

fn handle(mut s: TcpStream, root: PathBuf) {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
        if req.first() == Some(&0x16) {
            // A TLS handshake to this plain-HTTP server: answer in plain HTTP, as a real one would.
            respond(&mut s, "400 Bad Request", &[], b"plain HTTP here");
            return;
        }
    }
    let line = String::from_utf8_lossy(&req).lines().next().unwrap_or("").to_string();
    let path = line.split(' ').nth(1).unwrap_or("/").to_string();
    let text = |b: Vec<u8>| (vec![("Content-Type", "text/plain; charset=utf-8".to_string())], b);
    match path.as_str() {
        "/post.txt" => {
            let (mut h, b) = text(std::fs::read(root.join("copy.txt")).unwrap());
            h.push(("Link", format!("</w.bundle.json>; rel=\"alternate\"; type=\"{BUNDLE_TYPE}\"")));
            respond(&mut s, "200 OK", &h, &b);
        }
        "/nolink.txt" => {
            let (h, b) = text(std::fs::read(root.join("copy.txt")).unwrap());
            respond(&mut s, "200 OK", &h, &b);
        }
        "/tiles-link.html" => {
            let page = "<html><head><link rel=\"alternate\" type=\"application/vnd.colophon.tiles\" href=\"pub/\"></head><body>x</body></html>";
            respond(&mut s, "200 OK", &[("Content-Type", "text/html".into())], page.as_bytes());
        }
        "/w.bundle.json" => {
            let b = std::fs::read(root.join("w.bundle")).unwrap();
            respond(&mut s, "200 OK", &[("Content-Type", BUNDLE_TYPE.into())], &b);
        }
        "/slow" => {
            std::thread::sleep(Duration::from_secs(4));
            respond(&mut s, "200 OK", &text(vec![]).0, b"late");
        }
        "/big" => {
            let body = vec![b'a'; (16 << 20) + 10];
            respond(&mut s, "200 OK", &text(vec![]).0, &body);
        }
        "/image" => respond(&mut s, "200 OK", &[("Content-Type", "image/png".into())], b"\x89PNG"),
        "/truncated" => {
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nThe stone");
        }
        "/loop" => respond(&mut s, "302 Found", &[("Location", "/loop".into())], b""),
        p if p.starts_with("/pub/") || p.starts_with("/bad/") || p.starts_with("/slow/") => {
            let rel = p.splitn(3, '/').nth(2).unwrap_or("");
            if p.starts_with("/slow/") {
                std::thread::sleep(Duration::from_millis(150));
            }
            match std::fs::read(root.join("pub").join(rel)) {
                Ok(mut b) => {
                    if p.starts_with("/bad/") && rel.starts_with("tile/0/") {
                        b[0] ^= 1;
                    }
                    respond(&mut s, "200 OK", &[("Content-Type", "application/octet-stream".into())], &b)
                }
                Err(_) => respond(&mut s, "404 Not Found", &text(vec![]).0, b"not found"),
            }
        }
        _ => respond(&mut s, "404 Not Found", &text(vec![]).0, b"not found"),
    }
}

impl Server {
    fn start(root: PathBuf) -> Server {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let busy: Busy = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let counts = busy.clone();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let root = root.clone();
                let counts = counts.clone();
                std::thread::spawn(move || {
                    let now = counts.0.fetch_add(1, Ordering::SeqCst) + 1;
                    counts.1.fetch_max(now, Ordering::SeqCst);
                    SERVING.with(|c| *c.borrow_mut() = Some(counts.clone()));
                    handle(s, root);
                    served();
                });
            }
        });
        Server { port, busy }
    }

    /// The most requests served at once so far.
    fn most_at_once(&self) -> usize {
        self.busy.1.load(Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// Olga owns the log; Tina records ponte:it@1, ponte:en@1 and releases ponte@v1 published at the
/// server's /post.txt; the log is checkpointed, bundled (`w.bundle`) and published (`pub/`).
fn setup() -> (Env, Server) {
    let env = Env::new();
    let server = Server::start(env.dir.path().to_path_buf());
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("ponte.it.txt", ORIGINAL);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    let url = server.url("/post.txt");
    env.ok(&["release", "--work", "ponte", "--tag", "v1", "--url", &url, "--key", "tina.key"]).assert_stdout(
        "<link rel=\"alternate\" type=\"application/vnd.colophon.bundle+json\" href=\"ponte-v1.bundle\">",
    );
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "log.checkpoint"]);
    env.ok(&["bundle", "ponte@v1", "--out", "w.bundle"]);
    env.ok(&["publish", "pub", "--key", "olga.key"]);
    env.write("copy.txt", TRANSLATION);
    // Readers have no ledger: only what the server gives and the owner's key.
    std::fs::rename(env.path("colophon.jsonl"), env.path("owner.jsonl")).unwrap();
    (env, server)
}

#[test]
fn verify_reads_standard_input() {
    let (env, _server) = setup();
    let args = common::strings(&["verify", "-", "--bundle", "w.bundle", "--trust", "olga.pub"]);
    let mut c = env.command(&args);
    c.stdin(std::fs::File::open(env.path("copy.txt")).unwrap());
    env.output(&args, c).assert_code(0).assert_stdout("ponte@v1");
    let mut c = env.command(&args);
    c.stdin(std::fs::File::open("/dev/null").unwrap());
    env.output(&args, c).assert_code(2).assert_stderr("standard input is empty");
}

#[test]
fn verify_url_discovers_the_bundle_and_names_the_url() {
    let (env, server) = setup();
    let url = server.url("/post.txt");
    env.ok(&["verify", &url, "--trust", "olga.pub"]).assert_stdout("ponte@v1").assert_stdout("published URLs");
    let j = env.ok(&["--json", "verify", &url, "--trust", "olga.pub"]).json();
    assert_eq!(j["url"]["fetched"], url.as_str());
    assert_eq!(j["url"]["published"], true);
    // The same copy at another URL verifies, but is not where the release says it is published.
    let other = server.url("/nolink.txt");
    let j = env.ok(&["--json", "verify", &other, "--bundle", "w.bundle", "--trust", "olga.pub"]).json();
    assert_eq!(j["url"]["published"], false);
    env.fails(&["verify", &other, "--trust", "olga.pub"], 2).assert_stderr("links no bundle");
    // A page's head may name the log's tiles instead: they are followed (the HTML page itself is
    // not the text, so the verdict is a mismatch, against the published tiles).
    let r = env.fails(&["--json", "verify", &server.url("/tiles-link.html"), "--trust", "olga.pub"], 1);
    assert!(r.json()["source"].as_str().unwrap().ends_with("/pub/"), "{}", r.all());
}

#[test]
fn tiles_over_http_audit_and_verify() {
    let (env, server) = setup();
    let tiles = server.url("/pub/");
    env.ok(&["audit", "--tiles", &tiles, "--trust", "olga.pub"]);
    env.ok(&["verify", "copy.txt", "--tiles", &tiles, "--trust", "olga.pub"]).assert_stdout("ponte@v1");
    // A second run reads the full tiles from the cache (there are none in a 5-entry log; the
    // checkpoint and partial tiles are fetched each time).
    env.ok(&["audit", "--tiles", &tiles, "--trust", "olga.pub"]);
    // A page may name the log instead of a bundle.
    env.ok(&["verify", &server.url("/nolink.txt"), "--tiles", &tiles, "--trust", "olga.pub"]);
}

#[test]
fn hostile_servers_are_refused_with_a_clear_message() {
    let (env, server) = setup();
    let t = &[("COLOPHON_HTTP_TIMEOUT", "1")];
    let trust = ["--bundle", "w.bundle", "--trust", "olga.pub"];
    let verify = |path: &str, needle: &str| {
        let u = server.url(path);
        let mut a = vec!["verify", u.as_str()];
        a.extend_from_slice(&trust);
        env.run_env(&a, t).assert_code(2).assert_stderr(needle);
    };
    verify("/slow", "timed out");
    verify("/big", "too large");
    verify("/image", "not text");
    verify("/truncated", "truncated");
    verify("/loop", "redirects");
    verify("/missing", "404");
    // TLS to a server that speaks plain HTTP.
    let tls = server.url("/post.txt").replace("http://", "https://");
    env.run_env(&["verify", &tls, "--bundle", "w.bundle", "--trust", "olga.pub"], t)
        .assert_code(2)
        .assert_stderr("TLS");
    // Connection refused: a port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = format!("http://127.0.0.1:{port}/post.txt");
    env.run_env(&["verify", &refused, "--bundle", "w.bundle", "--trust", "olga.pub"], t)
        .assert_code(2)
        .assert_stderr("connection");
    // Tiles that do not hash to the checkpoint's root, and a log that is not there.
    env.run(&["audit", "--tiles", &server.url("/bad/"), "--trust", "olga.pub"]).assert_code(1).assert_any("root");
    env.run(&["audit", "--tiles", &server.url("/nothing/"), "--trust", "olga.pub"])
        .assert_code(2)
        .assert_stderr("not found");
}

/// Every file under `dir` whose path ends with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_ending(&p, suffix));
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out
}

/// A log of 600 entries (two full tiles and a partial one) over HTTP: concurrent runs share the
/// cache of full tiles, fetches run in parallel but never more than 8 at once, and a kept tile
/// that no longer checks is dropped and fetched again instead of failing every later run.
#[test]
fn full_tiles_are_cached_shared_and_healed() {
    let env = Env::new();
    let server = Server::start(env.dir.path().to_path_buf());
    env.keygen("Olga Bianchi", "olga");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    let olga = env.secret("olga");
    for i in 0..599 {
        let k = common::keys::seeded_key(&format!("reader {i}"), &format!("Reader {i}"));
        env.append_signed(
            Body::Key(KeyReg { key: k.public(), name: k.name.clone(), roles: vec![Role::Editor] }),
            &olga,
        );
    }
    env.ok(&["publish", "pub", "--key", "olga.key"]);
    let tiles = server.url("/pub/");
    let audit = common::strings(&["audit", "--tiles", &tiles, "--trust", "olga.pub"]);

    // Two runs at once, on an empty cache.
    let runs: Vec<_> = (0..2).map(|_| env.spawn(&audit)).collect();
    for c in runs {
        let out = c.wait_with_output().unwrap();
        let r = common::Run::from_output(&audit, &out);
        r.assert_code(0).assert_stdout("600 valid lines");
    }
    assert!(server.most_at_once() <= 8, "at most 8 requests at once, saw {}", server.most_at_once());
    let kept = files_ending(&env.cache().join("tiles"), "/tile/0/000");
    assert_eq!(kept.len(), 1, "one cached copy of the first full tile: {kept:?}");
    let published = env.read("pub/tile/0/000");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), published);
    assert!(files_ending(&env.cache().join("tiles"), ".p/88").is_empty(), "partial tiles are never kept");

    // One run against a slow server: its fetches overlap, never more than 8 at once. (A fresh
    // server counts only this run; the cache is off so that every tile is fetched.)
    let slow = Server::start(env.dir.path().to_path_buf());
    let u = slow.url("/slow/");
    env.run_env(&["audit", "--tiles", &u, "--trust", "olga.pub"], &[("COLOPHON_CACHE", "none")])
        .assert_code(0)
        .assert_stdout("600 valid lines");
    let most = slow.most_at_once();
    assert!((2..=8).contains(&most), "fetches in parallel, at most 8 at once: saw {most} at once");
    // COLOPHON_HTTP_PARALLEL=1: one request at a time.
    let one = Server::start(env.dir.path().to_path_buf());
    let u = one.url("/slow/");
    env.run_env(
        &["audit", "--tiles", &u, "--trust", "olga.pub"],
        &[("COLOPHON_CACHE", "none"), ("COLOPHON_HTTP_PARALLEL", "1")],
    )
    .assert_code(0);
    assert_eq!(one.most_at_once(), 1);

    // A corrupted cached tile and entry bundle: the run drops them, fetches them again and passes.
    let mut bad = published.clone();
    bad[5] ^= 1;
    std::fs::write(&kept[0], &bad).unwrap();
    let bundle = files_ending(&env.cache().join("tiles"), "/tile/colophon-entries/001");
    assert_eq!(bundle.len(), 1, "{bundle:?}");
    let mut b = std::fs::read(&bundle[0]).unwrap();
    let last = b.len() - 2;
    b[last] ^= 1;
    std::fs::write(&bundle[0], &b).unwrap();
    env.ok(&audit.iter().map(String::as_str).collect::<Vec<_>>()).assert_stdout("600 valid lines");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), published, "the corrupted tile was replaced");
    assert_eq!(std::fs::read(&bundle[0]).unwrap(), env.read("pub/tile/colophon-entries/001"));

    // A server that serves a bad tile: the run fails naming the root, and keeps none of it.
    let bad = server.url("/bad/");
    env.run(&["audit", "--tiles", &bad, "--trust", "olga.pub"]).assert_code(1).assert_any("root");
    let kept_bad: Vec<_> = files_ending(&env.cache().join("tiles"), "/tile/0/000")
        .into_iter()
        .filter(|p| std::fs::read(p).unwrap() != published)
        .collect();
    assert!(kept_bad.is_empty(), "a tile that failed its check is not kept: {kept_bad:?}");
}
