//! Static tiles (spec/transparency.md §7): a ledger published as a C2SP tlog-tiles directory that
//! any static web host, object store or CDN can serve, and read back for audits and proofs.
//!
//! Layout under DIR: `checkpoint` (the latest signed checkpoint), `tile/<L>/<N>[.p/<W>]` (hash
//! tiles), `tile/entries/<N>[.p/<W>]` (C2SP entry bundles: big-endian u16 length + line, written
//! only when every line of the bundle fits in 65,535 bytes) and `tile/colophon-entries/<N>[.p/<W>]`
//! (the same with u32 lengths, always written, because a ledger line may be up to 64 MiB).

use crate::format::hash::{Digest, leaf_hash};
use crate::log::merkle::{HashReader, Tile, TileHashReader, read_tile_data, tiles_for_size};
use std::path::{Path, PathBuf};

/// Lines per entry bundle and hashes per full tile.
pub const TILE_WIDTH: u64 = 256;

/// The path of a colophon entry bundle (u32 lengths) for a level-0 tile.
pub fn colophon_entries_path(t: &Tile) -> String {
    t.entries_path().replacen("tile/entries/", "tile/colophon-entries/", 1)
}

/// Accepts `DIR`, or `file://DIR`.
pub fn tiles_dir(arg: &str) -> Result<PathBuf, String> {
    if arg.starts_with("http://") || arg.starts_with("https://") {
        return Err(format!(
            "{arg}: reading tiles over HTTP is not built in; mirror the directory (e.g. with wget -r) and give its path"
        ));
    }
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
    crate::log::transparency::write_file_atomic(path, bytes)
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

/// A published log read back from a directory.
pub struct TilesSource {
    dir: PathBuf,
    /// Tree size of the checkpoint.
    pub size: u64,
    /// Merkle root of the checkpoint.
    pub root: Digest,
    /// The signed checkpoint note, as published.
    pub checkpoint: Vec<u8>,
}

impl std::fmt::Debug for TilesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TilesSource({}, size {})", self.dir.display(), self.size)
    }
}

impl TilesSource {
    /// Opens a tiles directory and parses (but does not yet verify the signature of) its checkpoint.
    pub fn open(dir: &Path) -> Result<TilesSource, String> {
        let checkpoint =
            std::fs::read(dir.join("checkpoint")).map_err(|e| format!("{}/checkpoint: {e}", dir.display()))?;
        let note =
            crate::log::note::Note::parse(&checkpoint).map_err(|e| format!("{}/checkpoint: {e}", dir.display()))?;
        let cp = crate::log::checkpoint::Checkpoint::parse(&note.text)
            .map_err(|e| format!("{}/checkpoint: {e}", dir.display()))?;
        Ok(TilesSource { dir: dir.to_path_buf(), size: cp.size, root: cp.root, checkpoint })
    }

    fn read_tile(&self, t: Tile) -> Result<Vec<u8>, String> {
        let p = self.dir.join(t.path());
        std::fs::read(&p).or_else(|_| {
            // A partial tile may have been replaced by the full one since (tlog-tiles §Partial Tiles).
            let full = Tile { width: TILE_WIDTH as u32, ..t };
            std::fs::read(self.dir.join(full.path()))
                .map(|mut b| {
                    b.truncate(t.width as usize * 32);
                    b
                })
                .map_err(|e| format!("{}: {e}", p.display()))
        })
    }

    /// A hash reader whose every tile is checked against the checkpoint's root.
    pub fn hashes(&self) -> TileHashReader<impl Fn(Tile) -> Result<Vec<u8>, String> + '_> {
        TileHashReader::new(self.size, self.root, move |t| self.read_tile(t))
    }

    /// Every ledger line in order, each checked against the level-0 tile hashes (so against the
    /// checkpoint root). Calls `each(line)` with the bytes of each line.
    pub fn for_each_line(&self, mut each: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
        let hashes = self.hashes();
        let bundles = self.size.div_ceil(TILE_WIDTH);
        for n in 0..bundles {
            let width = (self.size - n * TILE_WIDTH).min(TILE_WIDTH) as u32;
            let t = Tile { level: 0, n, width };
            let data = self.read_bundle(&t)?;
            let want = read_tile_data(t, &hashes)?;
            let mut pos = 0usize;
            for i in 0..u64::from(width) {
                let (len, hdr) = match data.get(pos..pos + 4) {
                    Some(b) => (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize, 4),
                    None => return Err(format!("entry bundle {} ends early", n)),
                };
                let line =
                    data.get(pos + hdr..pos + hdr + len).ok_or_else(|| format!("entry bundle {n} ends early"))?;
                let at = (i * 32) as usize;
                if want.get(at..at + 32) != Some(&leaf_hash(line).0[..]) {
                    return Err(format!(
                        "entry {} in the tiles does not match its Merkle leaf hash",
                        n * TILE_WIDTH + i
                    ));
                }
                each(line)?;
                pos += hdr + len;
            }
            if pos != data.len() {
                return Err(format!("entry bundle {n} has trailing bytes"));
            }
        }
        Ok(())
    }

    /// Writes the published ledger's bytes (each line and its LF) to `w`, every line checked
    /// against the tiles (so against the checkpoint's root).
    pub fn write_ledger(&self, w: &mut impl std::io::Write) -> Result<(), String> {
        self.for_each_line(|line| w.write_all(line).and_then(|()| w.write_all(b"\n")).map_err(|e| e.to_string()))
    }

    /// Reads an entry bundle, preferring the colophon format and converting a C2SP one.
    fn read_bundle(&self, t: &Tile) -> Result<Vec<u8>, String> {
        if let Ok(b) = std::fs::read(self.dir.join(colophon_entries_path(t))) {
            return Ok(b);
        }
        let p = self.dir.join(t.entries_path());
        let narrow = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut wide = Vec::with_capacity(narrow.len() + 512);
        let mut pos = 0;
        while pos < narrow.len() {
            let b = narrow.get(pos..pos + 2).ok_or_else(|| format!("{}: truncated", p.display()))?;
            let len = usize::from(u16::from_be_bytes([b[0], b[1]]));
            let line = narrow.get(pos + 2..pos + 2 + len).ok_or_else(|| format!("{}: truncated", p.display()))?;
            wide.extend_from_slice(&(len as u32).to_be_bytes());
            wide.extend_from_slice(line);
            pos += 2 + len;
        }
        Ok(wide)
    }
}
