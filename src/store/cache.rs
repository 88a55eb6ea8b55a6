//! Where colophon keeps the derived data it relies on: a directory of the user's own (spec/cli.md
//! §5, spec/verify.md §4).
//!
//! A ledger's directory may be shared, synced from elsewhere or simply hostile: anyone who can
//! write it can put anything beside the ledger. The look-up index (`index.rs`) answers questions
//! a signed line cannot: *no* later version, *no* revocation before this entry, *no* release with
//! that tag. Nothing short of re-reading the whole ledger proves such an absence, so the state
//! that answers them must be one this user's colophon validated itself, kept where only this user
//! can write: `$COLOPHON_CACHE`, else `$XDG_CACHE_HOME/colophon`, else `~/.cache/colophon`. The
//! directory must belong to the user and be writable by no one else (as ssh insists for its own
//! files); otherwise it is not used and the ledger is validated in memory instead.

use crate::format::hash::Digest;
use std::path::{Path, PathBuf};

/// Why the cache cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct CacheError(pub String);

/// Where the cache is: an explicit directory, or none at all (derived data is then built in
/// memory by each command, from the ledger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cache {
    /// This directory (created, mode 0700, when missing).
    Dir(PathBuf),
    /// No cache: every command validates the ledger in memory.
    None,
}

/// A cache this process uses instead of the one the environment names (tests, embedders).
static PROCESS_DEFAULT: std::sync::RwLock<Option<Cache>> = std::sync::RwLock::new(None);

/// Makes every later [`Cache::from_env`] in this process answer `cache` (for tests and programs
/// embedding colophon that keep their own cache).
pub fn set_process_default(cache: Cache) {
    if let Ok(mut slot) = PROCESS_DEFAULT.write() {
        *slot = Some(cache);
    }
}

impl Cache {
    /// The cache this process uses: the one given to [`set_process_default`], else the one named
    /// by the environment: `COLOPHON_CACHE` (the empty string or `none` turns it off), else
    /// `XDG_CACHE_HOME/colophon`, else `HOME/.cache/colophon`; none without a home.
    pub fn from_env() -> Cache {
        if let Ok(slot) = PROCESS_DEFAULT.read()
            && let Some(c) = slot.as_ref()
        {
            return c.clone();
        }
        match std::env::var_os("COLOPHON_CACHE") {
            Some(v) if v.is_empty() || v == "none" => return Cache::None,
            Some(v) => return Cache::Dir(PathBuf::from(v)),
            None => {}
        }
        if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| Path::new(x).is_absolute()) {
            return Cache::Dir(PathBuf::from(x).join("colophon"));
        }
        match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(h) => Cache::Dir(PathBuf::from(h).join(".cache").join("colophon")),
            None => Cache::None,
        }
    }

    /// The index file for a ledger: `<cache>/index/<hash of the ledger's canonical path>.sqlite`,
    /// after making sure the directories are private. `None` when there is no cache.
    pub fn index_path(&self, ledger: &Path) -> Result<Option<PathBuf>, CacheError> {
        let Cache::Dir(root) = self else { return Ok(None) };
        let canonical = std::fs::canonicalize(ledger)
            .map_err(|e| CacheError(format!("{}: {}", ledger.display(), crate::format::status::io_hint(&e))))?;
        let dir = root.join("index");
        private_dir(root)?;
        private_dir(&dir)?;
        let name = Digest::of(canonical.as_os_str().as_encoded_bytes()).to_hex();
        let path = dir.join(format!("{}.sqlite", &name[..32]));
        let label = dir.join(format!("{}.ledger", &name[..32]));
        // Which ledger the file belongs to, so that `prune` can drop indexes of ledgers that are
        // gone (temporary directories, moved files) without opening every database.
        if std::fs::symlink_metadata(&label).is_err() {
            prune(&dir);
            let _ = write_private(&label, canonical.as_os_str().as_encoded_bytes());
        }
        Ok(Some(path))
    }
    /// The directory keeping the full tiles of the published log at `url`:
    /// `<cache>/tiles/<hash of the URL>/`, private like the index's. When the tiles kept for all
    /// logs exceed [`MAX_TILES_CACHE`] bytes, the other logs' are dropped (they are refetched).
    pub fn tiles_dir(&self, url: &str) -> Result<Option<PathBuf>, CacheError> {
        let Cache::Dir(root) = self else { return Ok(None) };
        let tiles = root.join("tiles");
        private_dir(root)?;
        private_dir(&tiles)?;
        let name = Digest::of(url.as_bytes()).to_hex();
        let dir = tiles.join(&name[..32]);
        if dir_size(&tiles, 0) > MAX_TILES_CACHE
            && let Ok(entries) = std::fs::read_dir(&tiles)
        {
            for e in entries.flatten() {
                if e.path() != dir {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        private_dir(&dir)?;
        Ok(Some(dir))
    }
}

/// The most bytes of tiles kept in the cache, over all logs (256 MiB).
pub const MAX_TILES_CACHE: u64 = 256 << 20;

/// Bytes under `dir` (not following links), to a depth of 8.
fn dir_size(dir: &Path, depth: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() && depth < 8 => dir_size(&e.path(), depth + 1),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// Keeps an immutable file in the cache: written to a private temporary file beside it and
/// renamed into place, so concurrent runs never see half a file. Its directories are created
/// private; a symbolic link anywhere below the cache's tiles directory is refused by
/// [`private_dir`].
pub fn keep_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
    let mut chain = Vec::new();
    let mut d = dir;
    while std::fs::symlink_metadata(d).is_err() {
        chain.push(d.to_path_buf());
        d = d.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
    }
    for c in chain.iter().rev() {
        private_dir(c).map_err(|e| std::io::Error::other(e.0))?;
    }
    private_dir(dir).map_err(|e| std::io::Error::other(e.0))?;
    let mut n = [0u8; 8];
    getrandom::fill(&mut n).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!(".tmp-{}", hex::encode(n)));
    write_private(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Creates `dir` (mode 0700) if needed and checks it is the user's own and writable by no one
/// else. A symbolic link is refused: the whole point is a place no one else controls.
fn private_dir(dir: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
    let err = |m: String| CacheError(format!("{}: {m}", dir.display()));
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
                err(format!("cannot create the cache directory: {}", crate::format::status::io_hint(&e)))
            })?;
        }
        Err(e) => return Err(err(crate::format::status::io_hint(&e))),
        Ok(_) => {}
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| err(crate::format::status::io_hint(&e)))?;
    if !meta.is_dir() {
        return Err(err(
            "is not a directory (a symbolic link or a file); colophon keeps its index only in a real directory of yours"
                .into(),
        ));
    }
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(err("belongs to another user; colophon keeps its index only in a directory of yours".into()));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(err(format!(
            "is writable by others (mode {:o}); make it private with `chmod go-w`, or set COLOPHON_CACHE",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    f.write_all(bytes)
}

/// Removes the indexes of ledgers that no longer exist at the path they were made for.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "ledger") {
            continue;
        }
        let Ok(target) = std::fs::read(&p) else { continue };
        let target = PathBuf::from(std::ffi::OsString::from(String::from_utf8_lossy(&target).into_owned()));
        if target.exists() {
            continue;
        }
        let Some(stem) = p.file_stem().map(|s| s.to_os_string()) else { continue };
        for suffix in [".sqlite", ".sqlite-wal", ".sqlite-shm", ".ledger"] {
            let mut name = stem.clone();
            name.push(suffix);
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_cache_directory_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("c");
        let ledger = tmp.path().join("l.jsonl");
        std::fs::write(&ledger, b"x").unwrap();
        let cache = Cache::Dir(root.clone());
        assert!(cache.index_path(&ledger).unwrap().is_some());
        std::fs::set_permissions(root.join("index"), std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = cache.index_path(&ledger).unwrap_err();
        assert!(e.0.contains("writable by others"), "{e}");
    }

    #[test]
    fn a_symlinked_cache_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let ledger = tmp.path().join("l.jsonl");
        std::fs::write(&ledger, b"x").unwrap();
        let e = Cache::Dir(link).index_path(&ledger).unwrap_err();
        assert!(e.0.contains("symbolic link"), "{e}");
    }

    #[test]
    fn indexes_of_vanished_ledgers_are_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::Dir(tmp.path().join("c"));
        let gone = tmp.path().join("gone.jsonl");
        std::fs::write(&gone, b"x").unwrap();
        let p = cache.index_path(&gone).unwrap().unwrap();
        std::fs::write(&p, b"db").unwrap();
        std::fs::remove_file(&gone).unwrap();
        let other = tmp.path().join("other.jsonl");
        std::fs::write(&other, b"x").unwrap();
        cache.index_path(&other).unwrap();
        assert!(!p.exists(), "the index of a ledger that is gone is removed when a new one is made");
    }
}
