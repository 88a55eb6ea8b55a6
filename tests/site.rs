//! `colophon publish DIR --site` (spec/cli.md §3, §6): the static site of a published log, driven
//! through the real binary in temporary directories. What a reader and an archivist rely on: the
//! pages show every version with its signer, note and word diff, every release with its URLs and
//! cosigners, every key and its history, the checkpoint; the bundles verify; the keyring works as
//! `--trust`; text from the ledger cannot inject markup; no work name writes outside the
//! directory; the pages load nothing from elsewhere, run no script, and every local link resolves.

mod common;

use common::Env;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ORIGINAL_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Eventualmente, se pioveva, restava a casa a leggere il giornale.
";

const TRANSLATION_EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
Eventually, if it rained, she stayed at home to read the newspaper.
";

const TRANSLATION_EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
If it happened to rain, she stayed at home to read the newspaper.
";

const HOSTILE_NOTE: &str = "eventualmente <script>alert(1)</script> \"x\" & 'y'";
const HOSTILE_WORK: &str = "Ponte/../../escape";
const URL: &str = "https://blog.example/stone-bridge";

/// The ledger of the README's journeys, with a revoked key, a hostile note and a work whose id
/// holds `/`, `..` and upper case.
fn ledger() -> Env {
    let env = Env::new();
    for (name, prefix) in [("Olga Bianchi", "olga"), ("Tina Rossi", "tina"), ("Edo Marini", "edo"), ("Sam Old", "sam")]
    {
        env.keygen(name, prefix);
    }
    env.ok(&["init", "--origin", "blog.example/translations", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["key", "add", "sam.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "revoke", "Sam Old", "--reason", "retired", "--key", "olga.key"]);
    env.write("ponte.it.txt", ORIGINAL_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TRANSLATION_EN_2);
    env.ok(&[
        "record",
        "bridge.en.txt",
        "--work",
        "ponte",
        "--lang",
        "en",
        "--note",
        HOSTILE_NOTE,
        "--key",
        "tina.key",
    ]);
    env.ok(&["release", "ponte@v1", "--url", URL, "--note", "first <b>release</b>", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["record", "ponte.it.txt", "--work", HOSTILE_WORK, "--lang", "it", "--key", "tina.key"]);
    env.write("copy.txt", TRANSLATION_EN_2);
    env
}

/// `publish pub --site` with no WebAssembly package (a path that does not exist), and more args.
fn publish(env: &Env, more: &[&str]) -> common::Run {
    let mut args = vec!["publish", "pub", "--site"];
    args.extend_from_slice(more);
    let r = env.run_env(&args, &[("COLOPHON_WEB_PKG", env.path("no-pkg").to_str().expect("utf-8 path"))]);
    r.assert_code(0);
    r
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, p: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(p).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).expect("inside").to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The values of every `name="…"` attribute in `html`.
fn attrs<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let pat = format!(" {name}=\"");
    html.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[test]
fn a_work_page_shows_each_version_its_signer_note_and_word_diff_and_the_release() {
    let env = ledger();
    let r = publish(&env, &["--key", "olga.key"]);
    r.assert_stdout("Published 11 entries").assert_stdout("site: ").assert_stdout("pages in pub (open pub/index.html)");
    r.assert_stderr("web/build");
    for f in ["index.html", "keys.html", "log.html", "style.css", "verify.html", "verify/verify.js", "works/ponte.html"]
    {
        assert!(env.path("pub").join(f).is_file(), "pub/{f} missing: {:?}", files(&env.path("pub")));
    }
    let page = env.read_string("pub/works/ponte.html");
    for v in ["ponte:it@1", "ponte:en@1", "ponte:en@2"] {
        assert!(page.contains(&format!("<code>{v}</code></h3>")), "{v} is not listed:\n{page}");
    }
    // Each version's signer (name and key id) and the original it renders.
    let tina = env.read_string("tina.pub");
    let tina_id = tina.lines().find(|l| l.starts_with("ed25519 ")).and_then(|l| l.split(' ').nth(1)).expect("id");
    assert_eq!(page.matches(&format!("keys.html#key-{tina_id}\">Tina Rossi</a>")).count(), 4, "{page}");
    assert!(page.contains("<dt>Renders</dt><dd>original <a href=\"#it@1\"><code>ponte:it@1</code></a>"), "{page}");
    // The note, escaped: shown as text, never as markup.
    assert!(
        page.contains("eventualmente &lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &amp; &#39;y&#39;"),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");
    // The word diff between ponte:en@1 and ponte:en@2.
    assert!(page.contains("<del>Eventually, if it rained,</del><ins>If it happened to rain,</ins>"), "{page}");
    assert!(page.contains("Changes from <code>ponte:en@1</code>"), "{page}");
    // Times are marked as claims.
    assert!(page.contains("(the signer's claim)"), "{page}");
    // The release: its versions, URL as a link, cosigner, escaped note, bundle.
    assert!(page.contains("<code>ponte@v1</code>"), "{page}");
    assert!(page.contains(&format!("<a href=\"{URL}\" rel=\"nofollow noreferrer\">{URL}</a>")), "{page}");
    assert!(page.contains("<dt>Translation</dt><dd><a href=\"#en@2\"><code>ponte:en@2</code></a>"), "{page}");
    let cosigned = page.split("<dt>Cosigned by</dt>").nth(1).expect("a cosigners list");
    assert!(cosigned.split("</dd>").next().is_some_and(|c| c.contains(">Edo Marini</a>")), "{page}");
    assert!(page.contains("first &lt;b&gt;release&lt;/b&gt;"), "{page}");
    assert!(page.contains("href=\"../bundles/ponte@v1.bundle\""), "{page}");
    // The versions a release pairs say so.
    let en2 = page.split("<article").find(|a| a.contains("id=\"en@2\"")).expect("ponte:en@2's card");
    assert!(en2.contains("<dt>Released in</dt><dd><a href=\"#release-v1\"><code>ponte@v1</code></a>"), "{en2}");
    let en1 = page.split("<article").find(|a| a.contains("id=\"en@1\"")).expect("ponte:en@1's card");
    assert!(!en1.contains("Released in"), "{en1}");

    // The index links every work, the keys, the log and the verify page.
    let index = env.read_string("pub/index.html");
    for href in ["works/ponte.html", "keys.html", "log.html", "verify.html"] {
        assert!(attrs(&index, "href").contains(&href), "index.html does not link {href}:\n{index}");
    }
    assert!(index.contains("<dt>Entries</dt><dd>11 "), "{index}");

    // Keys: names, ids, roles, who registered and who revoked.
    let keys = env.read_string("pub/keys.html");
    for needle in ["Olga Bianchi", "Tina Rossi", "Edo Marini", "Sam Old", tina_id, "translator", "editor", "owner"] {
        assert!(keys.contains(needle), "keys.html lacks {needle}:\n{keys}");
    }
    let sam = keys.split("<article").find(|a| a.contains("Sam Old")).expect("Sam's card");
    assert!(sam.contains("<dt>Revoked</dt>") && sam.contains("<strong>retired</strong>"), "{sam}");
    assert!(sam.contains(">Olga Bianchi</a>"), "Sam's card does not say who registered and revoked it: {sam}");

    // The log: the checkpoint verbatim, its size and root, no witnesses; the history.
    let log = env.read_string("pub/log.html");
    let cp = env.read_string("pub/checkpoint");
    let pre = log.split("<pre class=\"note\">").nth(1).and_then(|s| s.split("</pre>").next()).expect("a <pre>");
    assert_eq!(html_unescape(pre), cp);
    assert!(log.contains("<dt>Size</dt><dd>11 entries</dd>"), "{log}");
    assert!(log.contains("None: no witness has cosigned this checkpoint"), "{log}");
    assert!(log.contains("release ponte@v1: ponte:en@2 rendering ponte:it@1"), "{log}");
}

#[test]
fn bundles_verify_and_are_what_colophon_bundle_writes_and_owners_keyring_is_a_trust_root() {
    let env = ledger();
    publish(&env, &["--key", "olga.key"]);
    env.ok(&["bundle", "ponte@v1", "-o", "cli.bundle"]);
    assert_eq!(env.read("pub/bundles/ponte@v1.bundle"), env.read("cli.bundle"));
    env.ok(&["verify", "copy.txt", "--bundle", "pub/bundles/ponte@v1.bundle", "--trust", "olga.pub"])
        .assert_stdout("verified: copy.txt matches release ponte@v1");
    env.ok(&["verify", "copy.txt", "--bundle", "pub/bundles/ponte@v1.bundle", "--trust", "pub/owners.keyring"]);
    // The keyring holds the owner alone: a translator is trusted through the owner's registration.
    let ring = env.read_string("pub/owners.keyring");
    let keys: Vec<&str> = ring.lines().filter(|l| !l.starts_with('#')).collect();
    let olga = env.read_string("olga.pub");
    assert_eq!(keys, olga.lines().filter(|l| l.starts_with("ed25519 ")).collect::<Vec<_>>());
    // The list of bundles.
    let list: Value = serde_json::from_slice(&env.read("pub/bundles/index.json")).expect("JSON");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list:#}");
    let b = &list[0];
    assert_eq!(
        (&b["work"], &b["tag"], &b["bundle"], &b["translation"], &b["original"]),
        (
            &Value::from("ponte"),
            &Value::from("v1"),
            &Value::from("bundles/ponte@v1.bundle"),
            &Value::from("ponte:en@2"),
            &Value::from("ponte:it@1")
        )
    );
    let bundle: Value = serde_json::from_slice(&env.read("pub/bundles/ponte@v1.bundle")).expect("JSON");
    assert_eq!(b["release"], bundle["release"]);
}

#[test]
fn a_work_named_with_slashes_and_dots_gets_a_safe_page_inside_the_directory() {
    let env = ledger();
    env.ok(&["checkpoint", "--key", "olga.key"]);
    let before = env.listing();
    publish(&env, &[]);
    let after: BTreeSet<String> = env.listing().into_iter().collect();
    let new: Vec<&String> = after.iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new, ["pub"], "the site wrote outside its directory");
    assert!(!env.path("escape.html").exists() && !env.path("../escape.html").exists());
    let works: Vec<String> = files(&env.path("pub/works"));
    assert_eq!(works.len(), 2, "{works:?}");
    let hostile = works.iter().find(|w| *w != "ponte.html").expect("the hostile work's page");
    assert!(hostile.starts_with("ponte-escape~") && hostile.ends_with(".html"), "{hostile}");
    assert!(hostile.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._~-".contains(&b)), "{hostile}");
    let page = env.read_string(&format!("pub/works/{hostile}"));
    assert!(page.contains("<h1><span class=\"kind\">Work</span> Ponte/../../escape</h1>"), "{page}");
    let index = env.read_string("pub/index.html");
    assert!(attrs(&index, "href").contains(&format!("works/{hostile}").as_str()), "{index}");
}

#[test]
fn pages_load_nothing_from_elsewhere_run_no_script_and_every_local_link_resolves() {
    let env = ledger();
    publish(&env, &["--key", "olga.key"]);
    let dir = env.path("pub");
    let all = files(&dir);
    let pages: Vec<&String> = all.iter().filter(|f| f.ends_with(".html")).collect();
    assert!(pages.len() >= 6, "{all:?}");
    let mut checked = 0;
    for p in pages {
        let html = std::fs::read_to_string(dir.join(p)).expect("read page");
        assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"), "{p}");
        assert!(html.contains("<meta name=\"viewport\""), "{p}");
        assert!(html.contains("<title>") && html.contains("<main"), "{p}");
        if p != "verify.html" {
            assert!(!html.to_ascii_lowercase().contains("<script"), "{p} has a script");
            for handler in ["onerror=", "onload=", "onclick=", "javascript:"] {
                assert!(!html.to_ascii_lowercase().contains(handler), "{p} has {handler}");
            }
        }
        for src in attrs(&html, "src") {
            assert!(!src.contains(':') && !src.starts_with("//"), "{p} loads {src} from elsewhere");
        }
        let ids: BTreeSet<String> = attrs(&html, "id").into_iter().map(html_unescape).collect();
        for href in attrs(&html, "href") {
            let href = html_unescape(href);
            if href.starts_with("https:") || href.starts_with("http:") {
                // Only a release's published URL, as a link.
                assert_eq!(href, URL, "{p} links {href}");
                continue;
            }
            assert!(!href.contains(':') && !href.starts_with("//") && !href.starts_with('/'), "{p}: {href}");
            let (file, frag) = href.split_once('#').unwrap_or((&href, ""));
            let target: PathBuf = if file.is_empty() {
                dir.join(p)
            } else {
                Path::new(p).parent().map_or_else(|| dir.clone(), |d| dir.join(d)).join(file)
            };
            assert!(target.is_file(), "{p} links {href}, which is not a file in the site");
            let target = target.canonicalize().expect("canonical");
            assert!(target.starts_with(dir.canonicalize().expect("dir")), "{p} links {href}, outside the site");
            if !frag.is_empty() {
                let ids = if file.is_empty() {
                    ids.clone()
                } else {
                    attrs(&std::fs::read_to_string(&target).expect("target"), "id")
                        .into_iter()
                        .map(html_unescape)
                        .collect()
                };
                assert!(ids.contains(frag), "{p} links {href}, but the page has no id {frag:?}");
            }
            checked += 1;
        }
        // The stylesheet is local.
        assert!(!html.contains("@import") && !html.contains("url("), "{p}");
    }
    assert!(checked > 40, "only {checked} links checked");
    let css = env.read_string("pub/style.css");
    assert!(!css.contains("url(") && !css.contains("@import"), "the stylesheet loads something");
}

#[test]
fn json_has_a_site_member_and_publish_without_site_is_unchanged() {
    let env = ledger();
    env.ok(&["checkpoint", "--key", "olga.key"]);
    let plain = env.ok(&["publish", "plain"]);
    assert!(!plain.stdout.contains("site:"), "{}", plain.stdout);
    assert!(!env.path("plain/index.html").exists());
    let j = env.ok(&["--json", "publish", "plain"]).json();
    assert!(j.get("site").is_none(), "{j:#}");
    let j = env
        .run_env(&["--json", "publish", "pub", "--site"], &[("COLOPHON_WEB_PKG", "/nonexistent-colophon-pkg")])
        .assert_code(0)
        .json();
    assert_eq!(j["published"]["size"], 11, "{j:#}");
    let site = &j["site"];
    assert_eq!(site["works"], 2, "{j:#}");
    assert_eq!(site["versions"], 4, "{j:#}");
    assert_eq!(site["releases"], 1, "{j:#}");
    assert_eq!(site["verify_wasm"], false, "{j:#}");
    assert!(site["warning"].as_str().is_some_and(|w| w.contains("web/build")), "{j:#}");
    let pages = files(&env.path("pub")).iter().filter(|f| f.ends_with(".html")).count();
    assert_eq!(site["pages"], pages, "{j:#}");
}

#[test]
fn the_site_is_the_log_as_of_the_published_checkpoint_and_republishing_updates_it() {
    let env = ledger();
    env.ok(&["checkpoint", "--key", "olga.key"]);
    // An entry after the kept checkpoint is not in the published tree, so not on the site.
    env.write("bridge.en.txt", format!("{TRANSLATION_EN_2}Now closed.\n"));
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    publish(&env, &[]);
    let page = env.read_string("pub/works/ponte.html");
    assert!(page.contains("ponte:en@2") && !page.contains("ponte:en@3"), "{page}");
    // A new checkpoint and publish again: the page has it, with its diff.
    publish(&env, &["--key", "olga.key"]);
    let page = env.read_string("pub/works/ponte.html");
    assert!(page.contains("<code>ponte:en@3</code>"), "{page}");
    assert!(page.contains("<ins>\nNow closed.</ins>") || page.contains("<ins>Now closed.\n</ins>"), "{page}");
    assert!(files(&env.path("pub")).iter().all(|f| !f.contains(".colophon-")), "a temporary file was left behind");
}

#[test]
fn the_verify_page_gets_the_webassembly_package_when_there_is_one() {
    let env = ledger();
    std::fs::create_dir(env.path("pkg")).expect("mkdir");
    env.write("pkg/colophon_web.js", "// js glue\n");
    env.write("pkg/colophon_web_bg.wasm", b"\0asm\x01\0\0\0");
    let r = env.run_env(
        &["publish", "pub", "--site", "--key", "olga.key"],
        &[("COLOPHON_WEB_PKG", env.path("pkg").to_str().expect("utf-8"))],
    );
    r.assert_code(0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert_eq!(env.read("pub/verify/colophon_web.js"), b"// js glue\n");
    assert_eq!(env.read("pub/verify/colophon_web_bg.wasm"), b"\0asm\x01\0\0\0");
    // The verify page and its script are the ones in web/site, carried in the binary.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(env.read("pub/verify.html"), std::fs::read(root.join("web/site/verify.html")).expect("web/site"));
    assert_eq!(env.read("pub/verify/verify.js"), std::fs::read(root.join("web/site/verify.js")).expect("web/site"));
}

#[test]
fn a_witnessed_checkpoint_lists_its_witness_and_the_bundles_meet_a_quorum() {
    let env = ledger();
    env.keygen("Witness One", "w1");
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "log.cp"]);
    env.witness_cosign("log.cp", "cosigned.cp");
    // The owner keeps the witnessed checkpoint; publish uses the kept one.
    env.write("colophon.jsonl.checkpoint", env.read("cosigned.cp"));
    publish(&env, &[]);
    assert_eq!(env.read("pub/checkpoint"), env.read("cosigned.cp"));
    let log = env.read_string("pub/log.html");
    let witnesses = log.split("<h3>Witness cosignatures</h3>").nth(1).and_then(|s| s.split("</section>").next());
    let witnesses = witnesses.expect("a witness section");
    assert!(witnesses.contains("<code>witness.example/w1</code>"), "{witnesses}");
    assert!(witnesses.contains("cosigned at <time datetime=\"20"), "{witnesses}");
    assert!(!witnesses.contains("blog.example/translations"), "the owner's signature is not a witness's: {witnesses}");
    // A reader who requires the witness: the site's bundle carries its cosignature.
    let vkey = env.ok(&["vkey", "w1.pub", "--name", "witness.example/w1", "--witness"]).stdout;
    env.write("ring", format!("{}{vkey}quorum 1\n", env.read_string("olga.pub")));
    env.ok(&["verify", "copy.txt", "--bundle", "pub/bundles/ponte@v1.bundle", "--trust", "ring"])
        .assert_stdout("witness.example/w1");
}
