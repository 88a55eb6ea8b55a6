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

/// The deepest nesting of elements a page may have (§2.7.2, limits). Deeper, the HTML parsing
/// algorithm's scope checks make parsing quadratic: 100,000 nested `div`s (a 1 MB page) took 27 s
/// to parse here, and a 16 MiB one would take hours. Browsers do not build such trees either:
/// Blink stops nesting at 512 and makes deeper elements siblings.
pub const MAX_DEPTH: usize = 512;

/// A page colophon does not extract (§2.7.2, limits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// Its elements nest deeper than [`MAX_DEPTH`].
    #[error(
        "the page nests elements more than {MAX_DEPTH} deep, which no browser shows as such; colophon does not \
         parse it (save the article's text and verify that, or use `--as text`)"
    )]
    TooDeep,
}

/// Elements a start tag never leaves open: void elements.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];
/// Elements whose end tag may be omitted, which the parser closes by itself when a sibling starts;
/// not counted, so that a list of unclosed `<li>` or `<p>` is not taken for nesting.
const IMPLIED_END: &[&str] = &[
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p", "rb", "rp", "rt",
    "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Counts open elements over the tokens of a page (§2.7.2, limits): one linear pass of the HTML
/// tokenizer, switched into raw text after `script`, `style` and the like as the tree builder
/// would switch it.
struct DepthSink {
    open: std::cell::RefCell<Vec<html5ever::LocalName>>,
    foreign: std::cell::Cell<usize>,
    too_deep: std::cell::Cell<bool>,
}

impl html5ever::tokenizer::TokenSink for DepthSink {
    type Handle = ();

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        _line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult, states::RawKind};
        let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
        if self.too_deep.get() {
            return TokenSinkResult::Continue;
        }
        let name: &str = &tag.name;
        let Ok(mut open) = self.open.try_borrow_mut() else { return TokenSinkResult::Continue };
        match tag.kind {
            TagKind::StartTag => {
                let raw = match name {
                    "script" => Some(TokenSinkResult::RawData(RawKind::ScriptData)),
                    "title" | "textarea" => Some(TokenSinkResult::RawData(RawKind::Rcdata)),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        Some(TokenSinkResult::RawData(RawKind::Rawtext))
                    }
                    "plaintext" => Some(TokenSinkResult::Plaintext),
                    _ => None,
                };
                if let Some(r) = raw
                    && self.foreign.get() == 0
                {
                    return r;
                }
                if VOID.contains(&name) || IMPLIED_END.contains(&name) || (tag.self_closing && self.foreign.get() > 0) {
                    return TokenSinkResult::Continue;
                }
                if matches!(name, "svg" | "math") {
                    self.foreign.set(self.foreign.get() + 1);
                }
                open.push(tag.name.clone());
                if open.len() > MAX_DEPTH {
                    self.too_deep.set(true);
                }
            }
            TagKind::EndTag => {
                if let Some(at) = open.iter().rposition(|n| n == &tag.name) {
                    let closed = open.iter().skip(at).filter(|n| matches!(&***n, "svg" | "math")).count();
                    self.foreign.set(self.foreign.get().saturating_sub(closed));
                    open.truncate(at);
                }
            }
        }
        TokenSinkResult::Continue
    }
}

/// Whether a page's elements nest deeper than [`MAX_DEPTH`] (§2.7.2, limits).
pub fn too_deep(page: &str) -> bool {
    use html5ever::tokenizer::{BufferQueue, Tokenizer};
    let sink = DepthSink { open: Default::default(), foreign: Default::default(), too_deep: Default::default() };
    let input = BufferQueue::default();
    input.push_back(html5ever::tendril::StrTendril::from_slice(page));
    let tok = Tokenizer::new(sink, Default::default());
    // The only pause is for a script the sink asked to run, which it never does.
    while !input.is_empty() {
        if let html5ever::TokenizerResult::Done = tok.feed(&input) {
            break;
        }
    }
    tok.end();
    tok.sink.too_deep.get()
}

/// The text of a web page as a reader sees it (§2.7.2): its lines, none empty, each ending in LF;
/// or why colophon does not read it.
pub fn extract_text(page: &str) -> Result<String, PageError> {
    if too_deep(page) {
        return Err(PageError::TooDeep);
    }
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
    Ok(text)
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
        assert_eq!(extract_text(page).unwrap(), "Title\nOne & two three\nfour\na\nb\n  x  y\n z\n");
    }

    #[test]
    fn empty_and_deep() {
        assert_eq!(extract_text("").unwrap(), "");
        let deep = "<div>".repeat(MAX_DEPTH) + "x";
        assert_eq!(extract_text(&deep).unwrap(), "x\n");
        let deeper = "<div>".repeat(MAX_DEPTH + 1) + "x";
        assert_eq!(extract_text(&deeper), Err(PageError::TooDeep));
        // `<div/>` opens a div in HTML; in svg, `<g/>` is empty.
        assert!(too_deep(&"<div/>".repeat(MAX_DEPTH + 1)));
        assert!(!too_deep(&format!("<svg>{}</svg>", "<g/>".repeat(MAX_DEPTH + 1))));
    }

    #[test]
    fn pre_keeps_its_lines_and_spaces_and_foreign_content_is_skipped() {
        // Inline elements inside `pre` continue its line; a line of a `pre` keeps its trailing
        // spaces (§2.7.2 step 5); SVG and MathML text is not text a reader reads (step 2).
        assert_eq!(extract_text("<pre>a<b>b</b>c\nd</pre>").unwrap(), "abc\nd\n");
        assert_eq!(extract_text("<pre>x  \ny</pre>").unwrap(), "x  \ny\n");
        assert_eq!(extract_text("<p>x  </p>").unwrap(), "x\n");
        assert_eq!(
            extract_text("<p>a</p><svg><text>chart</text></svg><math><mi>x</mi></math><p>b</p>").unwrap(),
            "a\nb\n"
        );
    }

    #[test]
    fn what_is_not_nesting() {
        // Closed elements, elements the parser closes by itself, void elements, and tags inside
        // scripts, styles, titles and comments.
        let n = MAX_DEPTH * 4;
        for page in [
            "<div>x</div>".repeat(n),
            "<ul>".to_string() + &"<li>item".repeat(n),
            "<p>para".repeat(n),
            "<table>".to_string() + &"<tr><td>cell".repeat(n),
            "<br><img src=x><hr>".repeat(n),
            format!("<script>{}</script>", "<div>".repeat(n)),
            format!("<style>{}</style><title>{}</title>", "<div>".repeat(n), "<div>".repeat(n)),
            format!("<!-- {} -->", "<div>".repeat(n)),
            format!("<div>{}</div>", "<b><i>x</b></i>".repeat(n)),
            format!("<plaintext>{}", "<div>".repeat(n)),
        ] {
            assert!(!too_deep(&page), "{}", &page[..60.min(page.len())]);
        }
        // Unclosed elements nest, whatever their name.
        assert!(too_deep(&"<span>".repeat(MAX_DEPTH + 1)));
        assert!(too_deep(&"<ul><li>".repeat(MAX_DEPTH + 1)));
        assert!(too_deep(&"<table><tr><td>".repeat(MAX_DEPTH + 1)));
    }
}
