//! Writing a log's static site beside its tiles (spec/cli.md §3 `publish --site`, §6): the pages
//! [`crate::verify::site`] renders, the verify page and its script (carried in the binary), and
//! the WebAssembly build of the pure core that the verify page runs, when one was built.

use crate::store::ledger::{self, LedgerFile};
use std::path::{Component, Path, PathBuf};

/// The verify page (`web/site/verify.html`), carried in the binary so that any `colophon` can
/// write a whole site.
pub const VERIFY_HTML: &str = include_str!("../../web/site/verify.html");
/// The verify page's script (`web/site/verify.js`).
pub const VERIFY_JS: &str = include_str!("../../web/site/verify.js");
/// The verify page's own styles, on top of the site's (`web/site/verify.css`).
pub const VERIFY_CSS: &str = include_str!("../../web/site/verify.css");
/// The files of the WebAssembly package (`web/build`, wasm-bindgen `--target web`) the verify
/// page loads, copied into `verify/`.
pub const WASM_FILES: [&str; 2] = ["colophon_web.js", "colophon_web_bg.wasm"];

/// What [`write_site`] wrote.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Written {
    /// HTML pages, the verify page included.
    pub pages: u64,
    /// Files written in all.
    pub files: u64,
    /// What the site holds.
    #[serde(flatten)]
    pub summary: crate::verify::site::Summary,
    /// Whether the verify page's WebAssembly package was copied in.
    pub verify_wasm: bool,
    /// When it was not: why, and how to build it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Where the WebAssembly package is: `$COLOPHON_WEB_PKG`, else `web/pkg` of the source tree this
/// binary was built from.
pub fn web_pkg_dir() -> PathBuf {
    match std::env::var_os("COLOPHON_WEB_PKG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("web").join("pkg"),
    }
}

/// Writes the site of the ledger at `ledger` into `dir`, as of the signed checkpoint `note` (the
/// one just published as tiles). Each file is written atomically (a temporary file renamed into
/// place), so a reader of a site being re-published sees each page whole, old or new.
pub fn write_site(ledger_path: &Path, dir: &Path, note: &[u8]) -> Result<Written, String> {
    // The state is built from the ledger's lines in memory, every line admitted by the audit's
    // rules, and the cached index is not used: an index finds lines, and whoever can write it can
    // leave some out (spec/cli.md §5). A command's reader may live with that; a site published
    // for every reader must show every release, cosignature and revocation the tree holds.
    let snap = ledger::load_with(ledger_path, &crate::store::cache::Cache::None).map_err(|e| e.to_string())?;
    let site = crate::verify::site::render(&LedgerFile(ledger_path), &snap.index, note)?;
    if let Some(what) = site.disagreed {
        return Err(format!("the ledger changed while its site was made ({what}); nothing of the site was written"));
    }
    let mut files = site.files;
    files.push(crate::verify::site::SiteFile { path: "verify.html".into(), bytes: VERIFY_HTML.as_bytes().to_vec() });
    files.push(crate::verify::site::SiteFile { path: "verify/verify.js".into(), bytes: VERIFY_JS.as_bytes().to_vec() });
    files.push(crate::verify::site::SiteFile {
        path: "verify/verify.css".into(),
        bytes: VERIFY_CSS.as_bytes().to_vec(),
    });
    let pkg = web_pkg_dir();
    let mut warning = None;
    let mut wasm = Vec::new();
    for name in WASM_FILES {
        match std::fs::read(pkg.join(name)) {
            Ok(bytes) => wasm.push(crate::verify::site::SiteFile { path: format!("verify/{name}"), bytes }),
            Err(e) => {
                warning = Some(format!(
                    "{}: {}; the verify page needs the WebAssembly build of colophon: run web/build (or set \
                     COLOPHON_WEB_PKG to its output) and publish again. Every other page works without it",
                    pkg.join(name).display(),
                    crate::format::status::io_hint(&e)
                ));
                break;
            }
        }
    }
    let verify_wasm = warning.is_none();
    if verify_wasm {
        files.extend(wasm);
    }
    for f in &files {
        write_atomic(&dir.join(checked_relative(&f.path)?), &f.bytes)?;
    }
    Ok(Written {
        pages: site.summary.pages + 1,
        files: files.len() as u64,
        summary: site.summary,
        verify_wasm,
        warning,
    })
}

/// A path the renderer returned, made sure to stay inside the site's directory.
fn checked_relative(p: &str) -> Result<PathBuf, String> {
    let path = Path::new(p);
    if p.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!("refusing to write {p:?}: not a plain path inside the site's directory"));
    }
    Ok(path.to_path_buf())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().ok_or_else(|| format!("{}: no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    crate::store::files::write_file_atomic(path, bytes)
}
