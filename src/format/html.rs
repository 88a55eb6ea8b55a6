//! Copies that are web pages (spec/verify.md §2.7): recognising one, and the text a reader sees in
//! it — one line per block, entities decoded, whitespace collapsed as a browser does, scripts,
//! styles, hidden elements and markup left out. Vectors: `spec/vectors/html/`.
//!
//! The page is parsed by the HTML5 parsing algorithm (WHATWG HTML §13.2, html5ever), so a page a
//! browser repairs — unclosed `<p>`, stray tags, bare `&` — yields the text the browser shows.

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// How far into a copy §2.7.1 step 3 looks for an `<html` or `<body` tag.
const SNIFF_BYTES: usize = 1024;

/// Whether a copy is a web page (§2.7.1): after an optional UTF-8 BOM and ASCII whitespace it
/// starts with `<!doctype html` or `<html`, or its first 1024 bytes hold an `<html` or `<body` tag;
/// all compared ASCII case-insensitively.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = rest.iter().position(|b| !is_html_space(*b)).unwrap_or(rest.len());
    let rest = &rest[start..];
    let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"<!doctype html") || starts(b"<html") {
        return true;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    [b"<html".as_slice(), b"<body".as_slice()].iter().any(|tag| {
        head.windows(tag.len() + 1).any(|w| {
            w[..tag.len()].eq_ignore_ascii_case(tag)
                && matches!(w[tag.len()], b'>' | b'/' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
        })
    })
}

/// ASCII whitespace as HTML defines it (U+0009, U+000A, U+000C, U+000D, U+0020).
fn is_html_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn is_html_space_char(c: char) -> bool {
    c.is_ascii() && is_html_space(c as u8)
}

/// Elements whose content is never text a reader sees (§2.7.2 step 2).
const SKIPPED: &[&str] = &[
    "head", "title", "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "canvas",
    "textarea", "select",
];

/// Elements that begin and end a line (§2.7.2 step 3).
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Whether an element is hidden by its own attributes (§2.7.2 step 2).
fn hidden(attrs: &[html5ever::Attribute]) -> bool {
    attrs.iter().any(|a| match &*a.name.local {
        "hidden" => true,
        "aria-hidden" => a.value.eq_ignore_ascii_case("true"),
        "style" => {
            let squeezed: String =
                a.value.chars().filter(|c| !is_html_space_char(*c)).map(|c| c.to_ascii_lowercase()).collect();
            squeezed.contains("display:none")
        }
        _ => false,
    })
}

/// The lines being extracted.
struct Lines {
    out: Vec<String>,
    cur: String,
    /// Whether `cur` comes from inside a `pre` (kept verbatim, not trimmed).
    cur_pre: bool,
}

impl Lines {
    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.cur);
        let line = if self.cur_pre { line } else { line.trim_end_matches(' ').to_string() };
        self.cur_pre = false;
        if !line.chars().all(is_html_space_char) {
            self.out.push(line);
        }
    }

    fn text(&mut self, t: &str, pre: bool) {
        if pre {
            for (i, part) in t.split('\n').enumerate() {
                if i > 0 {
                    self.end_line();
                }
                self.cur.push_str(part);
                self.cur_pre |= !part.is_empty();
            }
            return;
        }
        for c in t.chars() {
            if is_html_space_char(c) {
                if !self.cur.is_empty() && !self.cur.ends_with(' ') {
                    self.cur.push(' ');
                }
            } else {
                self.cur.push(c);
            }
        }
    }
}

enum Step {
    Enter(Handle, usize),
    /// Leaving a block.
    Leave,
}

/// The text of a web page as a reader sees it (§2.7.2): its lines, none empty, each ending in LF.
pub fn extract_text(page: &str) -> String {
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(page);
    let mut lines = Lines { out: Vec::new(), cur: String::new(), cur_pre: false };
    // Depth-first, in tree order, without recursion: a page may nest deeply.
    let mut stack = vec![Step::Enter(dom.document.clone(), 0)];
    while let Some(step) = stack.pop() {
        let (node, pre) = match step {
            Step::Leave => {
                lines.end_line();
                continue;
            }
            Step::Enter(node, pre) => (node, pre),
        };
        let mut pre_inside = pre;
        match &node.data {
            NodeData::Text { contents } => {
                lines.text(&contents.borrow(), pre > 0);
                continue;
            }
            NodeData::Element { name, attrs, .. } => {
                let local: &str = &name.local;
                let html = name.ns == html5ever::ns!(html);
                if (html && SKIPPED.contains(&local)) || !html && matches!(local, "svg" | "math") {
                    continue;
                }
                if hidden(&attrs.borrow()) {
                    continue;
                }
                if html && local == "br" {
                    lines.end_line();
                    continue;
                }
                if html && BLOCKS.contains(&local) {
                    lines.end_line();
                    if local == "pre" {
                        pre_inside += 1;
                    }
                    stack.push(Step::Leave);
                }
            }
            NodeData::Document => {}
            _ => continue,
        }
        for child in node.children.borrow().iter().rev() {
            stack.push(Step::Enter(child.clone(), pre_inside));
        }
    }
    lines.end_line();
    let mut text = String::with_capacity(lines.out.iter().map(|l| l.len() + 1).sum());
    for l in lines.out {
        text.push_str(&l);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_pages() {
        assert!(looks_like_html(b"<!DOCTYPE html><p>x"));
        assert!(looks_like_html(b"\xEF\xBB\xBF \n<HTML lang=en>"));
        assert!(looks_like_html(b"<!-- generated -->\n<html>"));
        assert!(looks_like_html(b"<meta charset=utf-8><body class=x>"));
        // Text quoting a tag near its start is taken for a page: `--as text` reads it as text.
        assert!(looks_like_html(b"The <html> tag is the root. <p>"));
        assert!(!looks_like_html(b"plain text about <htmlish> things"));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn blocks_breaks_and_skips() {
        let page = "<!doctype html><html><head><title>T</title><script>var x = 1;</script></head>\
                    <body><h1>Title</h1><p>One &amp;  <b>two</b>\n three<br>four</p>\
                    <ul><li>a<ul><li>b</li></ul></li></ul><div hidden>no</div>\
                    <span style='DISPLAY: none'>no</span><pre>\n  x  y\n\n z</pre></body></html>";
        assert_eq!(extract_text(page), "Title\nOne & two three\nfour\na\nb\n  x  y\n z\n");
    }

    #[test]
    fn empty_and_deep() {
        assert_eq!(extract_text(""), "");
        let deep = "<div>".repeat(3_000) + "x";
        assert_eq!(extract_text(&deep), "x\n");
    }
}
