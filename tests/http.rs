//! Readers over HTTP (spec/cli.md §3 `verify`, `--tiles URL`): `verify -`, `verify URL` with
//! discovery of the bundle, `audit`/`verify --tiles http://…`, and every hostile response a
//! server can give. No network: a small server on 127.0.0.1 runs inside each test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

const ORIGIN: &str = "example.org/translations";
const ORIGINAL: &str = "Il ponte di pietra.\nAttraversa il fiume.\n";
const TRANSLATION: &str = "The stone bridge.\nIt crosses the river.\n";
const BUNDLE_TYPE: &str = "application/vnd.colophon.bundle+json";

/// A server for the files under `root`, plus hostile paths.
struct Server {
    port: u16,
}

fn respond(s: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
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
        p if p.starts_with("/pub/") || p.starts_with("/bad/") => {
            let rel = &p[5..];
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
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || handle(s, root));
            }
        });
        Server { port }
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
    let r = env.run(&["audit", "--tiles", &server.url("/bad/"), "--trust", "olga.pub"]);
    assert!(!r.is(0), "{}", r.all());
    r.assert_any("root");
    env.run(&["audit", "--tiles", &server.url("/nothing/"), "--trust", "olga.pub"])
        .assert_code(2)
        .assert_stderr("not found");
}
