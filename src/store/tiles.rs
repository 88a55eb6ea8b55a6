//! Publishing a ledger as static tiles in a directory, and reading such a directory back
//! (spec/transparency.md §7; the format is [`crate::log::tiles`]).

use crate::format::status::io_hint;
use crate::log::merkle::{HashReader, read_tile_data, tiles_for_size};
use crate::log::tiles::{TILE_WIDTH, TileFetch, TilesSource, colophon_entries_path};
use std::path::{Path, PathBuf};

/// A tiles directory on this machine.
#[derive(Debug)]
pub struct DirTiles {
    dir: PathBuf,
}

impl TileFetch for DirTiles {
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let p = self.dir.join(path);
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {}", p.display(), io_hint(&e))),
        }
    }

    fn describe(&self, path: &str) -> String {
        if path.is_empty() { self.dir.display().to_string() } else { self.dir.join(path).display().to_string() }
    }
}

/// Opens the published log in directory `dir`.
pub fn open_dir(dir: &Path) -> Result<TilesSource, String> {
    TilesSource::open(Box::new(DirTiles { dir: dir.to_path_buf() }))
}

/// Opens `--tiles ARG`: a directory, `file://DIR`, or an `http(s)://` URL
/// ([`crate::store::http::HttpTiles`]). Also returns how to name it (the directory, or the URL).
pub fn open_arg(arg: &str) -> Result<(TilesSource, PathBuf), String> {
    if crate::store::http::is_url(arg) {
        return Ok((crate::store::http::open_url(arg)?, PathBuf::from(arg)));
    }
    let dir = tiles_dir(arg)?;
    Ok((open_dir(&dir)?, dir))
}

/// Accepts `DIR`, or `file://DIR`.
pub fn tiles_dir(arg: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(arg.strip_prefix("file://").unwrap_or(arg));
    if !p.join("checkpoint").is_file() {
        return Err(format!("{}: not a tiles directory (no `checkpoint` file); see `colophon publish`", p.display()));
    }
    Ok(p)
}

/// What `publish` wrote.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Published {
    /// Tree size published.
    pub size: u64,
    /// Hash tiles written (new full tiles and the current partial ones).
    pub tiles_written: u64,
    /// Full hash tiles already present and left alone.
    pub tiles_kept: u64,
    /// Entry bundles written.
    pub bundles_written: u64,
    /// Bundles only in the colophon format because a line exceeds 65,535 bytes.
    pub colophon_only_bundles: u64,
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename), creating directories.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().ok_or_else(|| format!("{}: no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    crate::store::files::write_file_atomic(path, bytes)
}

/// Publishes a tree of `size` ledger lines to `dir` (§7.2). `hashes` serves the stored hashes of
/// the tree; `lines(start, count)` returns ledger lines `start..start+count` in order. Full tiles
/// and bundles already present are immutable and are not rewritten; partial ones for this size
/// and the checkpoint are (re)written.
pub fn publish(
    dir: &Path,
    size: u64,
    hashes: &impl HashReader,
    mut lines: impl FnMut(u64, u64) -> Result<Vec<Vec<u8>>, String>,
    checkpoint_note: &[u8],
) -> Result<Published, String> {
    let mut out = Published { size, ..Published::default() };
    for t in tiles_for_size(size) {
        let path = dir.join(t.path());
        let full = u64::from(t.width) == TILE_WIDTH;
        if full && path.is_file() {
            out.tiles_kept += 1;
            continue;
        }
        write_atomic(&path, &read_tile_data(t, hashes)?)?;
        out.tiles_written += 1;
        if t.level == 0 {
            let start = t.n * TILE_WIDTH;
            let batch = lines(start, u64::from(t.width))?;
            let mut wide = Vec::new();
            let mut narrow = Vec::new();
            let mut fits = true;
            for l in &batch {
                let n32 = u32::try_from(l.len()).map_err(|_| "a ledger line is over 4 GiB".to_string())?;
                wide.extend_from_slice(&n32.to_be_bytes());
                wide.extend_from_slice(l);
                match u16::try_from(l.len()) {
                    Ok(n16) => {
                        narrow.extend_from_slice(&n16.to_be_bytes());
                        narrow.extend_from_slice(l);
                    }
                    Err(_) => fits = false,
                }
            }
            write_atomic(&dir.join(colophon_entries_path(&t)), &wide)?;
            if fits {
                write_atomic(&dir.join(t.entries_path()), &narrow)?;
            } else {
                out.colophon_only_bundles += 1;
            }
            out.bundles_written += 1;
        }
    }
    // The checkpoint last: a reader who sees it finds every tile it needs.
    write_atomic(&dir.join("checkpoint"), checkpoint_note)?;
    Ok(out)
}
