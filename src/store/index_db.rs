//! The persistent index: a SQLite file in the user's own cache directory (`cache.rs`), one per
//! ledger.
//!
//! It is derived data. Its `meta` table records how much of the ledger it covers and the hash of
//! the last line it indexed; `ledger::load` compares that with the file on every open, admits any
//! lines appended since — each checked by the audit's own rules (spec/ledger.md §11), signature
//! included — and rebuilds it from scratch when the ledger was truncated or rewritten behind its
//! back. Lines that break a rule are recorded with the reason and kept out of the state.

use crate::format::entry::{Body, ParsedLine, RevokeReason, Role, TextRole};
use crate::format::hash::Digest;
use crate::format::keys::{KeyId, PublicKey};
use crate::log::index::audit_state::{Spill, Version};
use crate::log::index::{
    EntryLoc, Index, KeyInfo, Persistent, ReleaseInfo, Revocation, VersionInfo, release_info, version_info,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Bumped whenever the schema or what is stored changes; a mismatch triggers a rebuild.
const FORMAT: &str = "colophon-index-7";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries(seq INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, off INTEGER NOT NULL,
    len INTEGER NOT NULL, kind TEXT NOT NULL, state INTEGER NOT NULL, problem TEXT);
CREATE INDEX IF NOT EXISTS entries_problems ON entries(seq) WHERE problem IS NOT NULL;
CREATE TABLE IF NOT EXISTS keys(id BLOB PRIMARY KEY, pk BLOB NOT NULL, name TEXT NOT NULL, roles TEXT NOT NULL,
    seq INTEGER NOT NULL, by BLOB NOT NULL, entry BLOB NOT NULL, rseq INTEGER, rreason TEXT, rentry BLOB);
CREATE TABLE IF NOT EXISTS versions(hash BLOB PRIMARY KEY, seq INTEGER NOT NULL, number INTEGER NOT NULL,
    work TEXT NOT NULL, lang TEXT NOT NULL, role TEXT NOT NULL, sha256 BLOB NOT NULL, size INTEGER NOT NULL,
    has_diff INTEGER NOT NULL, media TEXT NOT NULL, parent BLOB, of BLOB, signer BLOB NOT NULL, time TEXT NOT NULL,
    note TEXT, added INTEGER, removed INTEGER);
CREATE UNIQUE INDEX IF NOT EXISTS versions_wl ON versions(work, lang, number);
CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256);
CREATE TABLE IF NOT EXISTS norms(profile TEXT NOT NULL, digest BLOB NOT NULL, version BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS norms_pd ON norms(profile, digest);
CREATE INDEX IF NOT EXISTS norms_v ON norms(version);
CREATE TABLE IF NOT EXISTS releases(hash BLOB PRIMARY KEY, seq INTEGER NOT NULL, work TEXT NOT NULL,
    tag TEXT NOT NULL, translation BLOB NOT NULL, original BLOB NOT NULL, signer BLOB NOT NULL, time TEXT NOT NULL,
    urls TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS releases_wt ON releases(work, tag);
CREATE INDEX IF NOT EXISTS releases_t ON releases(translation);
CREATE INDEX IF NOT EXISTS releases_o ON releases(original);
CREATE TABLE IF NOT EXISTS cosigns(release BLOB NOT NULL, signer BLOB NOT NULL, seq INTEGER NOT NULL, hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS cosigns_r ON cosigns(release);
CREATE TABLE IF NOT EXISTS originals(work TEXT PRIMARY KEY, lang TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hashes(idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS texts(work TEXT NOT NULL, lang TEXT NOT NULL, version BLOB NOT NULL, text TEXT,
    PRIMARY KEY (work, lang));
CREATE INDEX IF NOT EXISTS texts_v ON texts(version);
";

const TABLES: [&str; 10] =
    ["meta", "entries", "keys", "versions", "norms", "releases", "cosigns", "originals", "hashes", "texts"];

/// What the index says it covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Covered {
    /// Bytes of the ledger indexed (always a line boundary).
    pub len: u64,
    /// Entries indexed.
    pub count: u64,
    /// The last indexed line: seq, hash, offset, length.
    pub head: Option<(u64, Digest, u64, u64)>,
}

/// How long a command waits for another process's write to the index.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The size past which a writer empties the write-ahead log: small enough that reading it
/// through on open costs little, large enough that most appends do not pay for a checkpoint.
pub const WAL_LIMIT: u64 = 256 << 10;

/// A persistent index (see the module docs).
#[derive(Debug)]
pub struct DbIndex {
    conn: Connection,
    failure: RefCell<Option<String>>,
    count: u64,
    origin: Option<String>,
    owner: Option<KeyId>,
    // What this process has read or written, so that admitting many lines does not ask SQLite
    // (and decompress a key) for the same signer and the same latest version at every line. This
    // connection is the only writer while it holds the write transaction (BEGIN IMMEDIATE), and
    // both are dropped whenever the database may have moved on without it.
    keys_seen: RefCell<HashMap<KeyId, Option<std::sync::Arc<KeyInfo>>>>,
    latest_seen: RefCell<HashMap<(String, String), Option<VersionInfo>>>,
}

type Sql<T> = rusqlite::Result<T>;

fn digest(row: &Row<'_>, i: usize) -> Sql<Digest> {
    let b: Vec<u8> = row.get(i)?;
    b.as_slice()
        .try_into()
        .map(Digest)
        .map_err(|_| rusqlite::Error::InvalidColumnType(i, "digest".into(), rusqlite::types::Type::Blob))
}

fn opt_digest(row: &Row<'_>, i: usize) -> Sql<Option<Digest>> {
    let b: Option<Vec<u8>> = row.get(i)?;
    match b {
        None => Ok(None),
        Some(b) => b
            .as_slice()
            .try_into()
            .map(|a| Some(Digest(a)))
            .map_err(|_| rusqlite::Error::InvalidColumnType(i, "digest".into(), rusqlite::types::Type::Blob)),
    }
}

fn key_id(row: &Row<'_>, i: usize) -> Sql<KeyId> {
    let b: Vec<u8> = row.get(i)?;
    b.as_slice()
        .try_into()
        .map(KeyId)
        .map_err(|_| rusqlite::Error::InvalidColumnType(i, "key id".into(), rusqlite::types::Type::Blob))
}

fn role_of(s: &str) -> Option<Role> {
    match s {
        "owner" => Some(Role::Owner),
        "editor" => Some(Role::Editor),
        "translator" => Some(Role::Translator),
        _ => None,
    }
}

const VERSION_COLS: &str = "hash, seq, number, work, lang, role, sha256, size, has_diff, media, parent, of, signer, time, note, added, removed";

impl DbIndex {
    /// Opens (creating if needed) the index file at `path`. A file of another format version, or
    /// one SQLite cannot read, is replaced by an empty index.
    pub fn open(path: &Path) -> Result<DbIndex, String> {
        // Never through a link: the file must be the one in the private directory (cache.rs).
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(format!(
                "{}: not a regular file; colophon does not follow links for its index",
                path.display()
            ));
        }
        match DbIndex::open_once(path) {
            Ok(db) => Ok(db),
            Err(_) => {
                // Damaged or foreign: the index is derived data, so start over.
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                DbIndex::open_once(path)
            }
        }
    }

    fn open_once(path: &Path) -> Result<DbIndex, String> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| e.to_string())?;
        // WAL lets readers query while an append updates the index; NORMAL sync is enough for
        // derived data (a lost update is caught up from the ledger on the next open).
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").map_err(|e| e.to_string())?;
        // Leave the WAL for the next command instead of folding it into the database (and
        // syncing both) on every close; writers empty it once it passes WAL_LIMIT
        // (`checkpoint_if_large`). It must be emptied, not just checkpointed: a connection that
        // opens a WAL with no other connection open reads every frame to rebuild its index and
        // forgets which frames were already copied, so the WAL is never restarted and would grow
        // with every command (bench P3 ran 2× slower after a few hundred appends).
        let _ = conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        let format: Option<Vec<u8>> = conn
            .query_row("SELECT v FROM meta WHERE k='format'", [], |r| r.get(0))
            .optional()
            .map_err(|e| e.to_string())?;
        let mut db = DbIndex {
            conn,
            failure: RefCell::new(None),
            count: 0,
            origin: None,
            owner: None,
            keys_seen: RefCell::default(),
            latest_seen: RefCell::default(),
        };
        if format.as_deref() != Some(FORMAT.as_bytes()) {
            db.reset().map_err(|e| e.to_string())?;
        }
        db.load_meta().map_err(|e| e.to_string())?;
        Ok(db)
    }

    fn load_meta(&mut self) -> Sql<()> {
        self.count = self.meta_u64("count")?.unwrap_or(0);
        self.origin = self.meta_bytes("origin")?.map(|b| String::from_utf8_lossy(&b).into_owned());
        self.owner = self.meta_bytes("owner")?.and_then(|b| b.as_slice().try_into().ok().map(KeyId));
        Ok(())
    }

    fn meta_bytes(&self, k: &str) -> Sql<Option<Vec<u8>>> {
        self.conn.query_row("SELECT v FROM meta WHERE k=?1", [k], |r| r.get(0)).optional()
    }

    fn meta_u64(&self, k: &str) -> Sql<Option<u64>> {
        Ok(self.meta_bytes(k)?.and_then(|b| b.as_slice().try_into().ok().map(u64::from_be_bytes)))
    }

    fn set_meta(&self, k: &str, v: &[u8]) -> Sql<()> {
        self.conn.execute("INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)", params![k, v]).map(|_| ())
    }

    /// Empties the index.
    pub fn reset(&mut self) -> Sql<()> {
        for t in TABLES {
            self.conn.execute(&format!("DELETE FROM {t}"), [])?;
        }
        self.set_meta("format", FORMAT.as_bytes())?;
        self.count = 0;
        self.origin = None;
        self.owner = None;
        self.forget();
        Ok(())
    }

    /// Drops what this process remembers of the database (after a rollback, a reset, or before
    /// reading what another process may have written).
    fn forget(&self) {
        self.keys_seen.borrow_mut().clear();
        self.latest_seen.borrow_mut().clear();
    }

    /// What the index covers (re-read from the file: another process may have moved it on).
    pub fn covered(&mut self) -> Sql<Covered> {
        self.load_meta()?;
        let len = self.meta_u64("len")?.unwrap_or(0);
        let head = match (
            self.meta_u64("head_seq")?,
            self.meta_bytes("head_hash")?,
            self.meta_u64("head_off")?,
            self.meta_u64("head_len")?,
        ) {
            (Some(s), Some(h), Some(o), Some(l)) => h.as_slice().try_into().ok().map(|h| (s, Digest(h), o, l)),
            _ => None,
        };
        Ok(Covered { len, count: self.count, head })
    }

    /// Starts a write transaction that other processes wait for (BEGIN IMMEDIATE).
    pub fn begin(&self) -> Sql<()> {
        self.forget();
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Records what is covered and commits.
    pub fn commit(&self, c: &Covered) -> Sql<()> {
        self.set_meta("len", &c.len.to_be_bytes())?;
        self.set_meta("count", &self.count.to_be_bytes())?;
        if let Some((s, h, o, l)) = c.head {
            self.set_meta("head_seq", &s.to_be_bytes())?;
            self.set_meta("head_hash", &h.0)?;
            self.set_meta("head_off", &o.to_be_bytes())?;
            self.set_meta("head_len", &l.to_be_bytes())?;
        }
        if let Some(o) = &self.origin {
            self.set_meta("origin", o.as_bytes())?;
        }
        if let Some(o) = &self.owner {
            self.set_meta("owner", &o.0)?;
        }
        self.conn.execute_batch("COMMIT")
    }

    /// Folds the write-ahead log into the database and empties it.
    pub fn checkpoint(&self) {
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
    }

    /// Empties the write-ahead log once it holds more than [`WAL_LIMIT`] bytes, unless another
    /// process is reading it: then this does not wait, and a later writer empties it.
    pub fn checkpoint_if_large(&self) {
        let Some(path) = self.conn.path() else { return };
        let wal = format!("{path}-wal");
        if std::fs::metadata(wal).is_ok_and(|m| m.len() > WAL_LIMIT) {
            let _ = self.conn.busy_timeout(std::time::Duration::ZERO);
            self.checkpoint();
            let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        }
    }

    /// Abandons the open transaction.
    pub fn rollback(&mut self) {
        let _ = self.conn.execute_batch("ROLLBACK");
        let _ = self.load_meta();
        self.forget();
    }

    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }

    /// Runs a query; a failure answers `default` and is remembered (see `Index::failure`).
    fn q<T>(&self, default: T, f: impl FnOnce(&Connection) -> Sql<T>) -> T {
        match f(&self.conn) {
            Ok(v) => v,
            Err(e) => {
                let mut slot = self.failure.borrow_mut();
                if slot.is_none() {
                    *slot = Some(format!(
                        "the ledger's index could not be read ({e}); delete the .index file beside the ledger to rebuild it"
                    ));
                }
                default
            }
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.count
    }

    pub(crate) fn origin(&self) -> Option<String> {
        self.origin.clone()
    }

    pub(crate) fn owner(&self) -> Option<KeyId> {
        self.owner
    }

    fn key_row(row: &Row<'_>) -> Sql<KeyInfo> {
        let pk: Vec<u8> = row.get(1)?;
        let pk: [u8; 32] = pk.as_slice().try_into().map_err(|_| rusqlite::Error::InvalidQuery)?;
        let key = PublicKey::from_bytes(&pk).map_err(|_| rusqlite::Error::InvalidQuery)?;
        let roles: String = row.get(3)?;
        let rseq: Option<u64> = row.get(7)?;
        let rreason: Option<String> = row.get(8)?;
        let revoked = match (rseq, rreason.as_deref(), opt_digest(row, 9)?) {
            (Some(seq), Some(r), Some(entry)) => Some(Revocation {
                seq,
                reason: if r == "compromised" { RevokeReason::Compromised } else { RevokeReason::Retired },
                entry,
            }),
            _ => None,
        };
        Ok(KeyInfo {
            key,
            name: row.get(2)?,
            roles: roles.split(',').filter_map(role_of).collect(),
            seq: row.get(4)?,
            registered_by: key_id(row, 5)?,
            entry: digest(row, 6)?,
            revoked,
        })
    }

    pub(crate) fn key(&self, id: &KeyId) -> Option<std::sync::Arc<KeyInfo>> {
        if let Some(k) = self.keys_seen.borrow().get(id) {
            return k.clone();
        }
        let k = self
            .q(None, |c| {
                c.prepare_cached(
                    "SELECT id, pk, name, roles, seq, by, entry, rseq, rreason, rentry FROM keys WHERE id=?1",
                )?
                .query_row([&id.0[..]], DbIndex::key_row)
                .optional()
            })
            .map(std::sync::Arc::new);
        self.keys_seen.borrow_mut().insert(*id, k.clone());
        k
    }

    pub(crate) fn keys(&self) -> Vec<KeyInfo> {
        self.q(Vec::new(), |c| {
            c.prepare_cached(
                "SELECT id, pk, name, roles, seq, by, entry, rseq, rreason, rentry FROM keys ORDER BY seq",
            )?
            .query_map([], DbIndex::key_row)?
            .collect()
        })
    }

    pub(crate) fn entry(&self, hash: &Digest) -> Option<EntryLoc> {
        self.q(None, |c| {
            c.prepare_cached("SELECT seq, off, len, state FROM entries WHERE hash=?1")?
                .query_row([&hash.0[..]], |r| {
                    Ok(EntryLoc {
                        seq: r.get(0)?,
                        offset: r.get(1)?,
                        len: r.get(2)?,
                        in_state: r.get::<_, i64>(3)? != 0,
                    })
                })
                .optional()
        })
    }

    pub(crate) fn entry_at(&self, seq: u64) -> Option<(Digest, EntryLoc)> {
        self.q(None, |c| {
            c.prepare_cached("SELECT hash, off, len, state FROM entries WHERE seq=?1")?
                .query_row([seq], |r| {
                    Ok((
                        digest(r, 0)?,
                        EntryLoc { seq, offset: r.get(1)?, len: r.get(2)?, in_state: r.get::<_, i64>(3)? != 0 },
                    ))
                })
                .optional()
        })
    }

    pub(crate) fn kind(&self, hash: &Digest) -> Option<String> {
        self.q(None, |c| {
            c.prepare_cached("SELECT kind FROM entries WHERE hash=?1")?
                .query_row([&hash.0[..]], |r| r.get(0))
                .optional()
        })
    }

    pub(crate) fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest> {
        let Some(start) = crate::log::index::mem::prefix_start(prefix) else { return Vec::new() };
        let hits: Vec<Digest> = self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT hash FROM entries WHERE hash >= ?1 ORDER BY hash LIMIT 16")?
                .query_map([&start.0[..]], |r| digest(r, 0))?
                .collect()
        });
        hits.into_iter().take_while(|d| d.to_hex().starts_with(prefix)).collect()
    }

    fn version_row(&self, row: &Row<'_>) -> Sql<VersionInfo> {
        let hash = digest(row, 0)?;
        let role: String = row.get(5)?;
        let added: Option<u64> = row.get(15)?;
        let removed: Option<u64> = row.get(16)?;
        let norm: BTreeMap<String, Digest> = self
            .conn
            .prepare_cached("SELECT profile, digest FROM norms WHERE version=?1")?
            .query_map([&hash.0[..]], |r| Ok((r.get::<_, String>(0)?, digest(r, 1)?)))?
            .collect::<Sql<_>>()?;
        Ok(VersionInfo {
            hash,
            seq: row.get(1)?,
            number: row.get(2)?,
            work: row.get(3)?,
            lang: row.get(4)?,
            role: if role == "original" { TextRole::Original } else { TextRole::Translation },
            sha256: digest(row, 6)?,
            size: row.get(7)?,
            has_diff: row.get::<_, i64>(8)? != 0,
            media_type: row.get(9)?,
            parent: opt_digest(row, 10)?,
            of: opt_digest(row, 11)?,
            signer: key_id(row, 12)?,
            time: row.get(13)?,
            note: row.get(14)?,
            norm,
            stats: match (added, removed) {
                (Some(a), Some(r)) => Some(crate::format::diff::Stats { lines_added: a, lines_removed: r }),
                _ => None,
            },
        })
    }

    pub(crate) fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        self.q(None, |c| {
            c.prepare_cached(&format!("SELECT {VERSION_COLS} FROM versions WHERE hash=?1"))?
                .query_row([&hash.0[..]], |r| self.version_row(r))
                .optional()
        })
    }

    pub(crate) fn rejections(&self) -> BTreeMap<u64, String> {
        self.q(BTreeMap::new(), |c| {
            c.prepare_cached("SELECT seq, problem FROM entries WHERE problem IS NOT NULL AND state = 0")?
                .query_map([], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?
                .collect()
        })
    }

    pub(crate) fn rejection(&self, hash: &Digest) -> Option<String> {
        self.q(None, |c| {
            c.prepare_cached("SELECT problem FROM entries WHERE hash=?1 AND state=0")?
                .query_row([&hash.0[..]], |r| r.get::<_, Option<String>>(0))
                .optional()
                .map(Option::flatten)
        })
    }

    pub(crate) fn rejected(&self) -> (u64, Vec<(u64, String)>) {
        // Both through the partial index of lines with a problem: no scan of the whole table.
        let n = self.q(0, |c| {
            c.prepare_cached("SELECT COUNT(*) FROM entries WHERE problem IS NOT NULL")?.query_row([], |r| r.get(0))
        });
        let first = self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT seq, problem, state FROM entries WHERE problem IS NOT NULL ORDER BY seq LIMIT ?1")?
                .query_map([crate::log::index::mem::REJECTED_SHOWN as i64], |r| {
                    let why = r.get::<_, Option<String>>(1)?.unwrap_or_default();
                    Ok((r.get(0)?, if r.get::<_, i64>(2)? == 0 { format!("{why}; ignored") } else { why }))
                })?
                .collect()
        });
        (n, first)
    }

    pub(crate) fn latest_text(&self, work: &str, lang: &str) -> Option<Option<String>> {
        self.q(None, |c| {
            c.prepare_cached("SELECT text FROM texts WHERE work=?1 AND lang=?2")?
                .query_row([work, lang], |r| r.get::<_, Option<String>>(0))
                .optional()
        })
    }

    pub(crate) fn set_text(&mut self, work: &str, lang: &str, version: &Digest, text: Option<&str>) {
        let r = self
            .conn
            .prepare_cached("INSERT OR REPLACE INTO texts(work, lang, version, text) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut st| st.execute(params![work, lang, &version.0[..], text]));
        if let Err(e) = r {
            let mut slot = self.failure.borrow_mut();
            if slot.is_none() {
                *slot = Some(format!("the ledger's index could not be updated ({e})"));
            }
        }
    }

    pub(crate) fn cached_text(&self, hash: &Digest) -> Option<String> {
        self.q(None, |c| {
            c.prepare_cached("SELECT text FROM texts WHERE version=?1")?
                .query_row([&hash.0[..]], |r| r.get::<_, Option<String>>(0))
                .optional()
                .map(Option::flatten)
        })
    }

    pub(crate) fn versions_of(&self, work: &str, lang: &str) -> Vec<Digest> {
        self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT hash FROM versions WHERE work=?1 AND lang=?2 ORDER BY number")?
                .query_map([work, lang], |r| digest(r, 0))?
                .collect()
        })
    }

    pub(crate) fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        let slot = (work.to_string(), lang.to_string());
        if let Some(v) = self.latest_seen.borrow().get(&slot) {
            return v.clone();
        }
        let v = self.q(None, |c| {
            c.prepare_cached(&format!(
                "SELECT {VERSION_COLS} FROM versions WHERE work=?1 AND lang=?2 ORDER BY number DESC LIMIT 1"
            ))?
            .query_row([work, lang], |r| self.version_row(r))
            .optional()
        });
        self.latest_seen.borrow_mut().insert(slot, v.clone());
        v
    }

    pub(crate) fn work_langs(&self) -> Vec<(String, String)> {
        self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT DISTINCT work, lang FROM versions ORDER BY work, lang")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    pub(crate) fn versions_with_sha256(&self, d: &Digest) -> Vec<Digest> {
        self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT hash FROM versions WHERE sha256=?1 ORDER BY seq")?
                .query_map([&d.0[..]], |r| digest(r, 0))?
                .collect()
        })
    }

    pub(crate) fn versions_with_norm(&self, profile: &str, d: &Digest) -> Vec<Digest> {
        self.q(Vec::new(), |c| {
            c.prepare_cached("SELECT version FROM norms WHERE profile=?1 AND digest=?2")?
                .query_map(params![profile, &d.0[..]], |r| digest(r, 0))?
                .collect()
        })
    }

    pub(crate) fn original_lang(&self, work: &str) -> Option<String> {
        self.q(None, |c| {
            c.prepare_cached("SELECT lang FROM originals WHERE work=?1")?.query_row([work], |r| r.get(0)).optional()
        })
    }

    fn release_row(&self, row: &Row<'_>) -> Sql<ReleaseInfo> {
        let hash = digest(row, 0)?;
        let urls: String = row.get(8)?;
        let cosigners = self
            .conn
            .prepare_cached("SELECT signer, seq, hash FROM cosigns WHERE release=?1 ORDER BY seq")?
            .query_map([&hash.0[..]], |r| Ok((key_id(r, 0)?, r.get(1)?, digest(r, 2)?)))?
            .collect::<Sql<Vec<_>>>()?;
        Ok(ReleaseInfo {
            hash,
            seq: row.get(1)?,
            work: row.get(2)?,
            tag: row.get(3)?,
            translation: digest(row, 4)?,
            original: digest(row, 5)?,
            signer: key_id(row, 6)?,
            time: row.get(7)?,
            urls: serde_json::from_str(&urls).unwrap_or_default(),
            cosigners,
        })
    }

    const RELEASE_COLS: &str = "hash, seq, work, tag, translation, original, signer, time, urls";

    pub(crate) fn release(&self, hash: &Digest) -> Option<ReleaseInfo> {
        self.q(None, |c| {
            c.prepare_cached(&format!("SELECT {} FROM releases WHERE hash=?1", Self::RELEASE_COLS))?
                .query_row([&hash.0[..]], |r| self.release_row(r))
                .optional()
        })
    }

    pub(crate) fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo> {
        self.q(None, |c| {
            c.prepare_cached(&format!("SELECT {} FROM releases WHERE work=?1 AND tag=?2", Self::RELEASE_COLS))?
                .query_row([work, tag], |r| self.release_row(r))
                .optional()
        })
    }

    pub(crate) fn releases(&self, work: Option<&str>) -> Vec<ReleaseInfo> {
        self.q(Vec::new(), |c| match work {
            Some(w) => c
                .prepare_cached(&format!("SELECT {} FROM releases WHERE work=?1 ORDER BY seq", Self::RELEASE_COLS))?
                .query_map([w], |r| self.release_row(r))?
                .collect(),
            None => c
                .prepare_cached(&format!("SELECT {} FROM releases ORDER BY seq", Self::RELEASE_COLS))?
                .query_map([], |r| self.release_row(r))?
                .collect(),
        })
    }

    pub(crate) fn releases_of_version(&self, version: &Digest) -> Vec<ReleaseInfo> {
        self.q(Vec::new(), |c| {
            c.prepare_cached(&format!(
                "SELECT {} FROM releases WHERE translation=?1 OR original=?1 ORDER BY seq",
                Self::RELEASE_COLS
            ))?
            .query_map([&version.0[..]], |r| self.release_row(r))?
            .collect()
        })
    }

    pub(crate) fn apply(&mut self, p: &ParsedLine, offset: u64, in_state: bool, problem: Option<&str>) {
        let r = self.try_apply(p, offset, in_state, problem);
        if let Err(e) = r {
            let mut slot = self.failure.borrow_mut();
            if slot.is_none() {
                *slot = Some(format!("the ledger's index could not be updated ({e})"));
            }
        }
    }

    /// Stored Merkle hashes by index (spec/transparency.md §2).
    pub(crate) fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        let mut stmt = self.conn.prepare_cached("SELECT hash FROM hashes WHERE idx=?1").map_err(|e| e.to_string())?;
        indexes
            .iter()
            .map(|i| stmt.query_row([i], |r| digest(r, 0)).map_err(|e| format!("stored hash {i}: {e}")))
            .collect()
    }

    fn try_apply(&mut self, p: &ParsedLine, offset: u64, in_state: bool, problem: Option<&str>) -> Sql<()> {
        let e = &p.entry;
        let h = &p.hash.0[..];
        let stored = crate::log::merkle::stored_hashes(e.seq, p.leaf, &*self)
            .map_err(|m| rusqlite::Error::ToSqlConversionFailure(m.into()))?;
        let first = crate::log::merkle::stored_hash_index(0, e.seq);
        for (i, d) in stored.iter().enumerate() {
            self.conn
                .prepare_cached("INSERT OR REPLACE INTO hashes(idx, hash) VALUES (?1, ?2)")?
                .execute(params![first + i as u64, &d.0[..]])?;
        }
        self.conn
            .prepare_cached(
                "INSERT INTO entries(seq, hash, off, len, kind, state, problem) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![e.seq, h, offset, p.len, e.body.kind(), i64::from(in_state), problem])?;
        self.count += 1;
        if !in_state {
            return Ok(());
        }
        let add_key = |key: &PublicKey, name: &str, roles: &[Role]| -> Sql<()> {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO keys(id, pk, name, roles, seq, by, entry) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![&key.id().0[..], &key.0.as_bytes()[..], name, roles.join(","), e.seq, &e.signer.0[..], h])
                .map(|_| ())
        };
        match &e.body {
            Body::Genesis(_) | Body::Key(_) | Body::Revoke(_) => self.keys_seen.borrow_mut().clear(),
            _ => {}
        }
        match &e.body {
            Body::Genesis(g) => {
                add_key(&g.key, &g.name, &[Role::Owner])?;
                self.origin = Some(g.origin.clone());
                self.owner = Some(g.key.id());
            }
            Body::Key(k) => add_key(&k.key, &k.name, &k.roles)?,
            Body::Revoke(r) => {
                self.conn
                    .prepare_cached("UPDATE keys SET rseq=?1, rreason=?2, rentry=?3 WHERE id=?4 AND rseq IS NULL")?
                    .execute(params![e.seq, r.reason.as_str(), h, &r.key.0[..]])?;
            }
            Body::Version(v) => {
                let number: u64 = self
                    .conn
                    .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE work=?1 AND lang=?2")?
                    .query_row([&v.work, &v.lang], |r| r.get(0))?;
                let info = version_info(p, v, number);
                // It is now the latest of its work and language (§6.5: parent is the latest).
                self.latest_seen.borrow_mut().insert((v.work.clone(), v.lang.clone()), Some(info.clone()));
                self.conn
                    .prepare_cached(&format!(
                        "INSERT INTO versions({VERSION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                    ))?
                    .execute(params![
                        h,
                        info.seq,
                        info.number,
                        info.work,
                        info.lang,
                        info.role.as_str(),
                        &info.sha256.0[..],
                        info.size,
                        i64::from(info.has_diff),
                        info.media_type,
                        info.parent.as_ref().map(|d| d.0.to_vec()),
                        info.of.as_ref().map(|d| d.0.to_vec()),
                        &info.signer.0[..],
                        info.time,
                        info.note,
                        info.stats.map(|s| s.lines_added),
                        info.stats.map(|s| s.lines_removed),
                    ])?;
                for (profile, d) in &info.norm {
                    self.conn
                        .prepare_cached("INSERT INTO norms(profile, digest, version) VALUES (?1, ?2, ?3)")?
                        .execute(params![profile, &d.0[..], h])?;
                }
                if v.role == TextRole::Original {
                    self.conn
                        .prepare_cached("INSERT OR IGNORE INTO originals(work, lang) VALUES (?1, ?2)")?
                        .execute([&v.work, &v.lang])?;
                }
            }
            Body::Release(r) => {
                let info = release_info(p, r);
                self.conn
                    .prepare_cached(&format!(
                        "INSERT OR IGNORE INTO releases({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        Self::RELEASE_COLS
                    ))?
                    .execute(params![
                        h,
                        info.seq,
                        info.work,
                        info.tag,
                        &info.translation.0[..],
                        &info.original.0[..],
                        &info.signer.0[..],
                        info.time,
                        serde_json::to_string(&info.urls).unwrap_or_else(|_| "[]".into()),
                    ])?;
            }
            Body::Cosign(c) => {
                self.conn
                    .prepare_cached("INSERT INTO cosigns(release, signer, seq, hash) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![&c.release.0[..], &e.signer.0[..], e.seq, h])?;
            }
            Body::Unknown { .. } => {}
        }
        Ok(())
    }
}

impl crate::log::merkle::HashReader for DbIndex {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        DbIndex::read_hashes(self, indexes)
    }
}

impl Persistent for DbIndex {
    fn failure(&self) -> Option<String> {
        DbIndex::failure(self)
    }

    fn len(&self) -> u64 {
        DbIndex::len(self)
    }

    fn origin(&self) -> Option<String> {
        DbIndex::origin(self)
    }

    fn owner(&self) -> Option<KeyId> {
        DbIndex::owner(self)
    }

    fn key(&self, id: &KeyId) -> Option<std::sync::Arc<KeyInfo>> {
        DbIndex::key(self, id)
    }

    fn keys(&self) -> Vec<KeyInfo> {
        DbIndex::keys(self)
    }

    fn entry(&self, hash: &Digest) -> Option<EntryLoc> {
        DbIndex::entry(self, hash)
    }

    fn entry_at(&self, seq: u64) -> Option<(Digest, EntryLoc)> {
        DbIndex::entry_at(self, seq)
    }

    fn kind(&self, hash: &Digest) -> Option<String> {
        DbIndex::kind(self, hash)
    }

    fn entries_with_prefix(&self, prefix: &str) -> Vec<Digest> {
        DbIndex::entries_with_prefix(self, prefix)
    }

    fn version(&self, hash: &Digest) -> Option<VersionInfo> {
        DbIndex::version(self, hash)
    }

    fn rejections(&self) -> BTreeMap<u64, String> {
        DbIndex::rejections(self)
    }

    fn rejection(&self, hash: &Digest) -> Option<String> {
        DbIndex::rejection(self, hash)
    }

    fn rejected(&self) -> (u64, Vec<(u64, String)>) {
        DbIndex::rejected(self)
    }

    fn latest_text(&self, work: &str, lang: &str) -> Option<Option<String>> {
        DbIndex::latest_text(self, work, lang)
    }

    fn set_text(&mut self, work: &str, lang: &str, version: &Digest, text: Option<&str>) {
        DbIndex::set_text(self, work, lang, version, text)
    }

    fn cached_text(&self, hash: &Digest) -> Option<String> {
        DbIndex::cached_text(self, hash)
    }

    fn versions_of(&self, work: &str, lang: &str) -> Vec<Digest> {
        DbIndex::versions_of(self, work, lang)
    }

    fn latest_version(&self, work: &str, lang: &str) -> Option<VersionInfo> {
        DbIndex::latest_version(self, work, lang)
    }

    fn work_langs(&self) -> Vec<(String, String)> {
        DbIndex::work_langs(self)
    }

    fn versions_with_sha256(&self, d: &Digest) -> Vec<Digest> {
        DbIndex::versions_with_sha256(self, d)
    }

    fn versions_with_norm(&self, profile: &str, d: &Digest) -> Vec<Digest> {
        DbIndex::versions_with_norm(self, profile, d)
    }

    fn original_lang(&self, work: &str) -> Option<String> {
        DbIndex::original_lang(self, work)
    }

    fn release(&self, hash: &Digest) -> Option<ReleaseInfo> {
        DbIndex::release(self, hash)
    }

    fn release_by_tag(&self, work: &str, tag: &str) -> Option<ReleaseInfo> {
        DbIndex::release_by_tag(self, work, tag)
    }

    fn releases(&self, work: Option<&str>) -> Vec<ReleaseInfo> {
        DbIndex::releases(self, work)
    }

    fn releases_of_version(&self, version: &Digest) -> Vec<ReleaseInfo> {
        DbIndex::releases_of_version(self, version)
    }

    fn apply(&mut self, p: &ParsedLine, offset: u64, in_state: bool, problem: Option<&str>) {
        DbIndex::apply(self, p, offset, in_state, problem)
    }

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        DbIndex::read_hashes(self, indexes)
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// The persistent backend of `index`, if it has one (the store's own operations: transactions,
/// resets, the cached texts).
pub(crate) fn db_of(index: &mut Index) -> Option<&mut DbIndex> {
    index.db_mut()?.as_any_mut().downcast_mut::<DbIndex>()
}

/// An audit's versions moved out of memory, to a temporary SQLite file (the [`Spill`] of the
/// audit state, `crate::log::index::audit_state`).
struct DiskSpill {
    _file: tempfile::NamedTempFile,
    conn: rusqlite::Connection,
}

impl std::fmt::Debug for DiskSpill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spill")
    }
}

impl DiskSpill {
    fn new() -> Option<DiskSpill> {
        let file = tempfile::NamedTempFile::new().ok()?;
        let conn = rusqlite::Connection::open(file.path()).ok()?;
        conn.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16384;
             CREATE TABLE v(hash BLOB PRIMARY KEY, work INTEGER, lang INTEGER, role INTEGER, of BLOB) WITHOUT ROWID;",
        )
        .ok()?;
        Some(DiskSpill { _file: file, conn })
    }

    fn put_all(&self, batch: &HashMap<Digest, Version>) -> rusqlite::Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut st =
                tx.prepare_cached("INSERT OR REPLACE INTO v(hash, work, lang, role, of) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for (h, v) in batch {
                st.execute(rusqlite::params![
                    &h.0[..],
                    v.work,
                    v.lang,
                    u8::from(v.role == TextRole::Original),
                    v.of.map(|d| d.0.to_vec())
                ])?;
            }
        }
        tx.commit()
    }

    fn get_one(&self, h: &Digest) -> Option<Version> {
        let mut st = self.conn.prepare_cached("SELECT work, lang, role, of FROM v WHERE hash=?1").ok()?;
        st.query_row([&h.0[..]], |r| {
            let of: Option<Vec<u8>> = r.get(3)?;
            Ok(Version {
                work: r.get(0)?,
                lang: r.get(1)?,
                role: if r.get::<_, u8>(2)? == 1 { TextRole::Original } else { TextRole::Translation },
                of: of.and_then(|b| b.as_slice().try_into().ok().map(Digest)),
            })
        })
        .ok()
    }
}

impl Spill for DiskSpill {
    fn put(&self, batch: &HashMap<Digest, Version>) -> bool {
        self.put_all(batch).is_ok()
    }

    fn get(&self, h: &Digest) -> Option<Version> {
        self.get_one(h)
    }

    fn all(&self) -> Option<Vec<(Digest, Version)>> {
        let mut st = self.conn.prepare("SELECT hash, work, lang, role, of FROM v").ok()?;
        let rows = st
            .query_map([], |r| {
                let h: Vec<u8> = r.get(0)?;
                let of: Option<Vec<u8>> = r.get(4)?;
                Ok((
                    h,
                    Version {
                        work: r.get(1)?,
                        lang: r.get(2)?,
                        role: if r.get::<_, u8>(3)? == 1 { TextRole::Original } else { TextRole::Translation },
                        of: of.and_then(|b| b.as_slice().try_into().ok().map(Digest)),
                    },
                ))
            })
            .ok()?;
        let mut out = Vec::new();
        for row in rows {
            let (h, v) = row.ok()?;
            out.push((Digest(h.as_slice().try_into().ok()?), v));
        }
        Some(out)
    }
}

/// Makes the on-disk spill of an audit's state.
pub(crate) fn spill() -> Option<Box<dyn Spill>> {
    DiskSpill::new().map(|s| Box::new(s) as Box<dyn Spill>)
}
