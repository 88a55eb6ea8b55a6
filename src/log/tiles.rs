//! Static tiles (spec/transparency.md §7): a ledger published as a C2SP tlog-tiles directory that
//! any static web host, object store or CDN can serve, read back for audits and proofs through a
//! [`TileFetch`] (writing them is `crate::store::tiles`).
//!
//! Layout under DIR: `checkpoint` (the latest signed checkpoint), `tile/<L>/<N>[.p/<W>]` (hash
//! tiles), `tile/entries/<N>[.p/<W>]` (C2SP entry bundles: big-endian u16 length + line, written
//! only when every line of the bundle fits in 65,535 bytes) and `tile/colophon-entries/<N>[.p/<W>]`
//! (the same with u32 lengths, always written, because a ledger line may be up to 64 MiB).

use crate::format::hash::{Digest, leaf_hash};
use crate::log::merkle::{Tile, TileHashReader, read_tile_data};

/// Lines per entry bundle and hashes per full tile.
pub const TILE_WIDTH: u64 = 256;

/// The path of a colophon entry bundle (u32 lengths) for a level-0 tile.
pub fn colophon_entries_path(t: &Tile) -> String {
    t.entries_path().replacen("tile/entries/", "tile/colophon-entries/", 1)
}

/// Where a published log's files come from: a directory (`crate::store::tiles`), an HTTP server,
/// a browser's `fetch`. Paths are relative to the log's root (`checkpoint`, `tile/0/000`). Nothing
/// fetched is trusted: every tile is checked against the checkpoint's root, and the checkpoint's
/// signature by the verdict.
pub trait TileFetch {
    /// The file at `path`; `Ok(None)` when there is none.
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// How to name `path` in a message (`public/log/tile/0/000`, a URL).
    fn describe(&self, path: &str) -> String;
}

/// A published log read back through a [`TileFetch`].
pub struct TilesSource {
    fetch: Box<dyn TileFetch>,
    /// Tree size of the checkpoint.
    pub size: u64,
    /// Merkle root of the checkpoint.
    pub root: Digest,
    /// The signed checkpoint note, as published.
    pub checkpoint: Vec<u8>,
}

impl std::fmt::Debug for TilesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TilesSource({}, size {})", self.fetch.describe(""), self.size)
    }
}

impl TilesSource {
    /// Opens a published log and parses (but does not yet verify the signature of) its checkpoint.
    pub fn open(fetch: Box<dyn TileFetch>) -> Result<TilesSource, String> {
        let shown = fetch.describe("checkpoint");
        let checkpoint = fetch.fetch("checkpoint")?.ok_or_else(|| format!("{shown}: not found"))?;
        let note = crate::log::note::Note::parse(&checkpoint).map_err(|e| format!("{shown}: {e}"))?;
        let cp = crate::log::checkpoint::Checkpoint::parse(&note.text).map_err(|e| format!("{shown}: {e}"))?;
        Ok(TilesSource { fetch, size: cp.size, root: cp.root, checkpoint })
    }

    fn read_tile(&self, t: Tile) -> Result<Vec<u8>, String> {
        let p = t.path();
        if let Some(b) = self.fetch.fetch(&p)? {
            return Ok(b);
        }
        // A partial tile may have been replaced by the full one since (tlog-tiles §Partial Tiles).
        let full = Tile { width: TILE_WIDTH as u32, ..t };
        match self.fetch.fetch(&full.path())? {
            Some(mut b) => {
                b.truncate(t.width as usize * 32);
                Ok(b)
            }
            None => Err(format!("{}: not found", self.fetch.describe(&p))),
        }
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
        if let Some(b) = self.fetch.fetch(&colophon_entries_path(t))? {
            return Ok(b);
        }
        let p = t.entries_path();
        let shown = || self.fetch.describe(&p);
        let narrow = self.fetch.fetch(&p)?.ok_or_else(|| format!("{}: not found", shown()))?;
        let mut wide = Vec::with_capacity(narrow.len() + 512);
        let mut pos = 0;
        while pos < narrow.len() {
            let b = narrow.get(pos..pos + 2).ok_or_else(|| format!("{}: truncated", shown()))?;
            let len = usize::from(u16::from_be_bytes([b[0], b[1]]));
            let line = narrow.get(pos + 2..pos + 2 + len).ok_or_else(|| format!("{}: truncated", shown()))?;
            wide.extend_from_slice(&(len as u32).to_be_bytes());
            wide.extend_from_slice(line);
            pos += 2 + len;
        }
        Ok(wide)
    }
}
