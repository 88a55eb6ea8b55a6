//! Copies that are web pages (spec/verify.md §2.7), through the real binary: a blog post holding
//! the released translation among site chrome verifies; an edited article fails with a short diff
//! of the aligned region; `--as text` reads the markup as text; a page without the article fails.

mod common;

use common::Env;

/// The released translation: a heading and paragraphs, a curly apostrophe, a line break inside a
/// paragraph (two lines of the signed text), and numbers.
const ARTICLE: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market, 312 steps each way.
She used to say:
“In winter the river speaks in a lower voice.”

If it happened to rain, she stayed at home to read the newspaper; it wasn’t often.
The bridge was built in 1847 and closed in 2019.

Today the bridge is closed, but its voice is still here.
";

/// The article as a blog engine publishes it, inside a page with site chrome all around.
fn page(article_year: &str) -> String {
    format!(
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
  <meta charset=\"utf-8\">
  <title>The Stone Bridge of Cortà &mdash; A Translator&rsquo;s Blog</title>
  <style>body {{ font-family: serif; }} .nav a {{ color: #333; }}</style>
  <script>window.analytics = {{ page: \"bridge\" }}; document.write(\"<p>not text</p>\");</script>
</head>
<body>
  <header><a href=\"/\">A Translator&rsquo;s Blog</a> <p>Notes from the desk, since 2011</p></header>
  <nav class=\"nav\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/archive\">Archive</a></li>
    <li><a href=\"/about\">About</a></li></ul></nav>
  <main>
    <article>
      <h1>The Stone Bridge of Cort&agrave;</h1>
      <p>Every morning my grandmother crossed the stone bridge to go to the market, 312 steps each way.</p>
      <p>She used to say:<br>
         &ldquo;In winter the river speaks in a lower voice.&rdquo;</p>
      <p>If it happened to rain, she stayed at home to read the newspaper; it wasn&rsquo;t often.
      </p>
      <p>The bridge was built in {article_year} and closed in 2019.</p>
      <p>Today the bridge is closed, but its voice   is still here.</p>
      <span hidden>Share this post</span>
    </article>
    <section class=\"comments\"><h2>3 comments</h2>
      <div class=\"comment\"><p>Lovely translation, thank you!</p></div>
      <div class=\"comment\"><p>Was it really 312 steps?</p></div>
    </section>
  </main>
  <footer><p>&copy; 2026 A Translator&rsquo;s Blog. All rights reserved.</p></footer>
</body>
</html>
"
    )
}

/// A ledger whose release `ponte@v1` holds [`ARTICLE`] as its translation.
fn released() -> Env {
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("ponte.it.txt", "Il ponte di pietra di Cortà\n\nOgni mattina mia nonna attraversava il ponte.\n");
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", ARTICLE);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
    env
}

#[test]
fn a_blog_page_holding_the_release_verifies_and_says_what_lies_around_it() {
    let env = released();
    env.write("post.html", page("1847"));
    let r = env.run(&["verify", "post.html", "--trust", "olga.pub"]);
    r.assert_code(0).assert_stdout("ponte@v1").assert_stdout("site chrome").assert_lacks("<p>");
    let j = env.run(&["--json", "verify", "post.html", "--trust", "olga.pub"]).json();
    assert_eq!(j["ok"], true, "{j}");
    assert_eq!(j["status"], "copy.verified");
    assert_eq!(j["level"], "exact", "the article's lines are the signed lines, byte for byte: {j}");
    assert_eq!(j["version"]["ref"], "ponte:en@1");
    // Before: the header, "Notes from the desk, since 2011" and the nav (12 words); after: the
    // comments and the footer (19 words).
    assert_eq!(j["page"]["words_before"], 12, "{j}");
    assert_eq!(j["page"]["words_after"], 19, "{j}");
    // Forced as a page, the same verdict; forced as text, the markup does not match.
    env.run(&["verify", "post.html", "--as", "html", "--trust", "olga.pub"]).assert_code(0);
    let t = env.run(&["--json", "verify", "post.html", "--as", "text", "--trust", "olga.pub"]);
    t.assert_code(1);
    assert_eq!(t.json()["status"], "copy.mismatch");
    assert!(t.json().get("page").is_none());
}

#[test]
fn an_edited_article_fails_with_a_short_diff_of_the_change() {
    let env = released();
    env.write("post.html", page("1848"));
    let r = env.run(&["verify", "post.html", "--trust", "olga.pub"]);
    r.assert_code(1).assert_stdout("ponte:en@1").assert_stdout("1847").assert_stdout("1848");
    r.assert_lacks("<p>").assert_lacks("<article").assert_lacks("comments");
    let j = env.run(&["--json", "verify", "post.html", "--trust", "olga.pub"]).json();
    assert_eq!(j["status"], "copy.mismatch");
    let c = &j["closest"];
    assert_eq!(c["version"]["ref"], "ponte:en@1");
    let changed: Vec<String> = c["diff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ch| ch["kind"] != "equal")
        .map(|ch| format!("{}:{}", ch["kind"].as_str().unwrap(), ch["text"].as_str().unwrap().trim()))
        .collect();
    assert_eq!(changed, ["delete:1847", "insert:1848"], "{j}");
    assert_eq!(c["words"]["words_added"], 1);
    assert_eq!(c["words"]["words_removed"], 1);
    assert!(c.get("changes_omitted").is_none());
}

#[test]
fn a_much_edited_article_shows_a_capped_diff_and_says_how_much_was_cut() {
    let env = released();
    // Every other word of the article's longest paragraphs changed.
    let mut edited = page("1848");
    for (a, b) in [
        ("morning", "evening"),
        ("grandmother", "grandfather"),
        ("crossed", "walked"),
        ("market", "harbour"),
        ("312", "400"),
        ("winter", "summer"),
        ("river", "sea"),
        ("lower", "higher"),
        ("rain", "snow"),
        ("home", "work"),
        ("newspaper", "letters"),
        ("often", "rare"),
        ("built", "raised"),
        ("closed in", "opened in"),
        ("voice   is", "song   is"),
    ] {
        edited = edited.replacen(a, b, 1);
    }
    env.write("post.html", edited);
    let j = env.run(&["--json", "verify", "post.html", "--trust", "olga.pub"]).json();
    assert_eq!(j["status"], "copy.mismatch");
    let c = &j["closest"];
    let shown = c["diff"].as_array().unwrap().iter().filter(|ch| ch["kind"] != "equal").count();
    assert_eq!(shown, 20, "{j}");
    assert!(c["changes_omitted"].as_u64().unwrap() > 0, "{j}");
    env.run(&["verify", "post.html", "--trust", "olga.pub"]).assert_code(1).assert_stdout("more changes not shown");
}

#[test]
fn a_page_without_the_article_fails_cleanly() {
    let env = released();
    let chrome_only = page("1847");
    let start = chrome_only.find("<article>").unwrap();
    let end = chrome_only.find("</article>").unwrap() + "</article>".len();
    env.write("home.html", format!("{}{}", &chrome_only[..start], &chrome_only[end..]));
    let r = env.run(&["verify", "home.html", "--trust", "olga.pub"]);
    r.assert_code(1).assert_no_panic().assert_stdout("no signed version as one contiguous region").assert_lacks("<");
    // A page with no visible text at all.
    env.write(
        "empty.html",
        "<!doctype html><html><head><title>x</title><script>f()</script></head><body></body></html>",
    );
    let j = env.run(&["--json", "verify", "empty.html", "--trust", "olga.pub"]);
    j.assert_code(1).assert_no_panic();
    assert_eq!(j.json()["status"], "copy.mismatch");
    assert!(j.json()["message"].as_str().unwrap().contains("no text a reader sees"));
}

/// The signed words spread over a page (not one contiguous region) do not verify.
#[test]
fn the_signed_text_split_by_other_text_does_not_verify() {
    let env = released();
    let split = page("1847")
        .replace("<p>The bridge was built", "<aside>Advertisement: buy our book</aside><p>The bridge was built");
    env.write("post.html", split);
    env.run(&["verify", "post.html", "--trust", "olga.pub"]).assert_code(1).assert_stdout("Advertisement");
}

/// A hostile page nesting 100,000 elements (spec/verify.md §2.7.2, limits): parsing it would take
/// minutes, so it is refused at once with the reason; the verdict is a mismatch, not a hang.
#[test]
fn a_page_nesting_too_deep_is_refused_with_the_reason() {
    let env = released();
    let deep = page("1847").replace("<article>", &"<div>".repeat(100_000));
    env.write("deep.html", deep);
    let r = env.run(&["--json", "verify", "deep.html", "--trust", "olga.pub"]);
    r.assert_code(1).assert_stdout("more than 512 deep");
    assert_eq!(r.json()["status"], "copy.mismatch");
    // Its text, saved by the reader, verifies.
    env.write("article.txt", ARTICLE);
    env.ok(&["verify", "article.txt", "--trust", "olga.pub"]);
}

/// Each level a reader allows is tried, the loosest included (spec/verify.md §2.7.3): a page whose
/// article has straight quotes for the signed curly ones matches only under words/v2, and then
/// verifies at that level unless the reader asks for a stricter one; the faithful page verifies
/// with `--profile exact`.
///
/// Kills, in src/verify/copy.rs `verify_page`: `>` → `==` and `>` → `>=` in `level > opts.loosest`
/// (the loosest level would never be tried).
#[test]
fn a_page_matches_at_the_loosest_level_the_reader_allows() {
    let env = released();
    let straight = page("1847").replace("&ldquo;", "\"").replace("&rdquo;", "\"").replace("&rsquo;", "'");
    env.write("straight.html", straight);
    let j = env.run(&["--json", "verify", "straight.html", "--trust", "olga.pub"]).json();
    assert_eq!((j["status"].as_str(), j["level"].as_str()), (Some("copy.verified"), Some("words/v2")), "{j}");
    let r = env.run(&["--json", "verify", "straight.html", "--trust", "olga.pub", "--profile", "text/v1"]);
    r.assert_code(1);
    assert_eq!(r.json()["status"], "copy.mismatch");
    env.write("post.html", page("1847"));
    let j = env.run(&["--json", "verify", "post.html", "--trust", "olga.pub", "--profile", "exact"]).json();
    assert_eq!((j["status"].as_str(), j["level"].as_str()), (Some("copy.verified"), Some("exact")), "{j}");
    // A verified page says the signed text is one region of it, and that `exact` means the signed
    // lines (the page's bytes are markup); an unverified one does not. Kills `==` → `!=` in
    // `report.status == Code::CopyVerified` there.
    let m = j["message"].as_str().unwrap_or_default();
    assert!(
        m.contains("(the signed lines, byte for byte); the signed text is one contiguous region of the page"),
        "{m}"
    );
    env.keygen("Mal", "mal");
    let j = env.run(&["--json", "verify", "post.html", "--trust", "mal.pub"]).json();
    assert_eq!(j["status"], "trust.untrusted");
    assert!(!j["message"].as_str().unwrap_or_default().contains("contiguous region"), "{j}");
}
