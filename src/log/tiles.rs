//! Static tiles (spec/transparency.md §7): a ledger published as a C2SP tlog-tiles directory that
//! any static web host, object store or CDN can serve, read back for audits and proofs through a
//! [`TileFetch`] (writing them is `crate::store::tiles`).
//!
//! Layout under DIR: `checkpoint` (the latest signed checkpoint), `tile/<L>/<N>[.p/<W>]` (hash
//! tiles), `tile/entries/<N>[.p/<W>]` (C2SP entry bundles: big-endian u16 length + line, written
//! only when every line of the bundle fits in 65,535 bytes) and `tile/colophon-entries/<N>[.p/<W>]`
//! (the same with u32 lengths, always written, because a ledger line may be up to 64 MiB).

use crate::format::hash::{Digest, leaf_hash};
use crate::log::merkle::{HashReader, Tile, TileHashReader, TileRead, stored_hash_index};

/// Lines per entry bundle and hashes per full tile.
pub const TILE_WIDTH: u64 = 256;

/// The path of a colophon entry bundle (u32 lengths) for a level-0 tile.
pub fn colophon_entries_path(t: &Tile) -> String {
    t.entries_path().replacen("tile/entries/", "tile/colophon-entries/", 1)
}

/// One file fetched: its bytes, `None` when there is none, or why it could not be read.
pub type Fetched = Result<Option<Vec<u8>>, String>;

/// Where a published log's files come from: a directory (`crate::store::tiles`), an HTTP server,
/// a browser's `fetch`. Paths are relative to the log's root (`checkpoint`, `tile/0/000`). Nothing
/// fetched is trusted: every tile is checked against the checkpoint's root, and the checkpoint's
/// signature by the verdict.
pub trait TileFetch {
    /// The file at `path`; `Ok(None)` when there is none.
    fn fetch(&self, path: &str) -> Fetched;
    /// How to name `path` in a message (`public/log/tile/0/000`, a URL).
    fn describe(&self, path: &str) -> String;
    /// The files at `paths`, in order. A fetcher over a network overrides this to fetch several
    /// at once (with a bound: spec/transparency.md §7.3); the default reads them one by one.
    fn fetch_many(&self, paths: &[String]) -> Vec<Fetched> {
        paths.iter().map(|p| self.fetch(p)).collect()
    }
    /// Drops the copies of `paths` this fetcher keeps (a cache), because something read from them
    /// did not check; whether it dropped any, so that reading again may give other bytes.
    fn forget(&self, _paths: &[String]) -> bool {
        false
    }
}

/// Entry bundles read and checked together: their fetches can run in parallel (HTTP), and the
/// tiles vouching for them (the tree's right edge) are read once per batch rather than per bundle.
const BUNDLES_PER_BATCH: u64 = 8;

/// A published log read back through a [`TileFetch`]. It is a [`HashReader`] whose every hash is
/// checked against the checkpoint's root.
pub struct TilesSource {
    fetch: Box<dyn TileFetch>,
    /// Tree size of the checkpoint.
    pub size: u64,
    /// Merkle root of the checkpoint.
    pub root: Digest,
    /// The signed checkpoint note, as published.
    pub checkpoint: Vec<u8>,
    /// The paths read by the operation under way: those to [`TileFetch::forget`] if it fails.
    read: std::sync::Mutex<Vec<String>>,
}

impl std::fmt::Debug for TilesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TilesSource({}, size {})", self.fetch.describe(""), self.size)
    }
}

/// The tiles of a [`TilesSource`], for a [`TileHashReader`].
struct Tiles<'a>(&'a TilesSource);

impl TileRead for Tiles<'_> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, String> {
        self.0.read_tiles(tiles)
    }
}

impl HashReader for TilesSource {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        self.fresh(|| TileHashReader::new(self.size, self.root, Tiles(self)).read_hashes(indexes))
    }
}

impl TilesSource {
    /// Opens a published log and parses (but does not yet verify the signature of) its checkpoint.
    pub fn open(fetch: Box<dyn TileFetch>) -> Result<TilesSource, String> {
        let shown = fetch.describe("checkpoint");
        let checkpoint = fetch.fetch("checkpoint")?.ok_or_else(|| format!("{shown}: not found"))?;
        let note = crate::log::note::Note::parse(&checkpoint).map_err(|e| format!("{shown}: {e}"))?;
        let cp = crate::log::checkpoint::Checkpoint::parse(&note.text).map_err(|e| format!("{shown}: {e}"))?;
        Ok(TilesSource { fetch, size: cp.size, root: cp.root, checkpoint, read: Default::default() })
    }

    /// Runs `op`; when it fails and the fetcher held kept copies of what it read (a cache), they
    /// are dropped and `op` runs once more on fresh bytes. A tile kept from an earlier run is
    /// checked like a fetched one; one that no longer checks (a corrupted cache, a server that
    /// served bad bytes once) must not make every later run fail.
    fn fresh<T>(&self, op: impl Fn() -> Result<T, String>) -> Result<T, String> {
        self.take_read();
        match op() {
            Err(_) if self.fetch.forget(&self.take_read()) => op().inspect_err(|_| {
                // Keep nothing that took part in a failure.
                self.fetch.forget(&self.take_read());
            }),
            r => r,
        }
    }

    fn note_read(&self, paths: &[String]) {
        if let Ok(mut read) = self.read.lock() {
            read.extend_from_slice(paths);
        }
    }

    fn take_read(&self) -> Vec<String> {
        self.read.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }

    /// The bytes of `tiles`, fetched together. A partial tile that is gone may have been replaced
    /// by the full one since (tlog-tiles §Partial Tiles): its prefix is used.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, String> {
        let paths: Vec<String> = tiles.iter().map(Tile::path).collect();
        self.note_read(&paths);
        let mut got = self.fetch.fetch_many(&paths);
        let partial_missing: Vec<(usize, Tile)> = got
            .iter()
            .zip(tiles)
            .enumerate()
            .filter(|(_, (r, t))| matches!(r, Ok(None)) && u64::from(t.width) < TILE_WIDTH)
            .map(|(i, (_, &t))| (i, t))
            .collect();
        if !partial_missing.is_empty() {
            let full: Vec<String> =
                partial_missing.iter().map(|(_, t)| Tile { width: TILE_WIDTH as u32, ..*t }.path()).collect();
            self.note_read(&full);
            for ((i, t), r) in partial_missing.iter().zip(self.fetch.fetch_many(&full)) {
                if let Some(slot) = got.get_mut(*i) {
                    *slot = r.map(|o| {
                        o.map(|mut b| {
                            b.truncate(t.width as usize * 32);
                            b
                        })
                    });
                }
            }
        }
        got.into_iter()
            .zip(&paths)
            .map(|(r, p)| r?.ok_or_else(|| format!("{}: not found", self.fetch.describe(p))))
            .collect()
    }

    /// Every ledger line in order, each checked against the level-0 tile hashes (so against the
    /// checkpoint root). Calls `each(line)` with the bytes of each line.
    pub fn for_each_line(&self, mut each: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
        let bundles = self.size.div_ceil(TILE_WIDTH);
        let mut n = 0;
        while n < bundles {
            let end = (n + BUNDLES_PER_BATCH).min(bundles);
            for line in self.fresh(|| self.read_lines(n, end))? {
                each(&line)?;
            }
            n = end;
        }
        Ok(())
    }

    /// The lines of entry bundles `first..end`, each checked against its leaf hash.
    fn read_lines(&self, first: u64, end: u64) -> Result<Vec<Vec<u8>>, String> {
        let tiles: Vec<Tile> = (first..end)
            .map(|n| Tile { level: 0, n, width: (self.size - n * TILE_WIDTH).min(TILE_WIDTH) as u32 })
            .collect();
        let data = self.read_bundles(&tiles)?;
        let leaves = first * TILE_WIDTH..(end * TILE_WIDTH).min(self.size);
        let indexes: Vec<u64> = leaves.clone().map(|i| stored_hash_index(0, i)).collect();
        let want = TileHashReader::new(self.size, self.root, Tiles(self)).read_hashes(&indexes)?;
        let mut want = want.iter();
        let mut lines = Vec::with_capacity(indexes.len());
        for (t, data) in tiles.iter().zip(&data) {
            let n = t.n;
            let mut pos = 0usize;
            for i in 0..u64::from(t.width) {
                let (len, hdr) = match data.get(pos..pos + 4) {
                    Some(b) => (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize, 4),
                    None => return Err(format!("entry bundle {n} ends early")),
                };
                let line =
                    data.get(pos + hdr..pos + hdr + len).ok_or_else(|| format!("entry bundle {n} ends early"))?;
                if want.next() != Some(&leaf_hash(line)) {
                    return Err(format!(
                        "entry {} in the tiles does not match its Merkle leaf hash",
                        n * TILE_WIDTH + i
                    ));
                }
                lines.push(line.to_vec());
                pos += hdr + len;
            }
            if pos != data.len() {
                return Err(format!("entry bundle {n} has trailing bytes"));
            }
        }
        Ok(lines)
    }

    /// Writes the published ledger's bytes (each line and its LF) to `w`, every line checked
    /// against the tiles (so against the checkpoint's root).
    pub fn write_ledger(&self, w: &mut impl std::io::Write) -> Result<(), String> {
        self.for_each_line(|line| w.write_all(line).and_then(|()| w.write_all(b"\n")).map_err(|e| e.to_string()))
    }

    /// Reads entry bundles, preferring the colophon format (u32 lengths) and converting C2SP ones.
    fn read_bundles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, String> {
        let wide: Vec<String> = tiles.iter().map(colophon_entries_path).collect();
        self.note_read(&wide);
        let mut got = self.fetch.fetch_many(&wide);
        let missing: Vec<usize> =
            got.iter().enumerate().filter(|(_, r)| matches!(r, Ok(None))).map(|(i, _)| i).collect();
        if !missing.is_empty() {
            let narrow: Vec<String> = missing.iter().filter_map(|&i| tiles.get(i)).map(Tile::entries_path).collect();
            self.note_read(&narrow);
            for ((&i, p), r) in missing.iter().zip(&narrow).zip(self.fetch.fetch_many(&narrow)) {
                if let Some(slot) = got.get_mut(i) {
                    *slot = match r {
                        Ok(Some(b)) => widen(&b).map(Some).map_err(|m| format!("{}: {m}", self.fetch.describe(p))),
                        Ok(None) => Err(format!("{}: not found", self.fetch.describe(p))),
                        Err(e) => Err(e),
                    };
                }
            }
        }
        got.into_iter()
            .zip(&wide)
            .map(|(r, p)| r?.ok_or_else(|| format!("{}: not found", self.fetch.describe(p))))
            .collect()
    }
}

/// A C2SP entry bundle (u16 lengths) in colophon's form (u32 lengths).
fn widen(narrow: &[u8]) -> Result<Vec<u8>, String> {
    let mut wide = Vec::with_capacity(narrow.len() + 512);
    let mut pos = 0;
    while pos < narrow.len() {
        let b = narrow.get(pos..pos + 2).ok_or("truncated")?;
        let len = usize::from(u16::from_be_bytes([b[0], b[1]]));
        let line = narrow.get(pos + 2..pos + 2 + len).ok_or("truncated")?;
        wide.extend_from_slice(&(len as u32).to_be_bytes());
        wide.extend_from_slice(line);
        pos += 2 + len;
    }
    Ok(wide)
}
