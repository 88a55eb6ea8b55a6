//! The test harness shared by the integration tests: a temporary directory in which the real binary
//! runs with nothing inherited that could change the outcome, and helpers to craft ledger lines
//! the way an attacker with write access to the directory would.

#![allow(dead_code)]

use colophon::entry::{Body, Entry, parse_line};
use colophon::hash::Digest;
use colophon::keys::{SecretKey, SecretKeyFile};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_colophon");
pub const LEDGER: &str = "colophon.jsonl";

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout and stderr together, for messages that may go to either.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// stdout parsed as exactly one JSON value (spec/cli-json.md).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{}: stdout is not one JSON value ({e}):\n{self}", self.args.join(" ")))
    }

    /// Asserts the exit code (and that nothing panicked).
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "`colophon {}` exited {} (expected {code}):\n{self}",
            self.args.join(" "),
            self.code
        );
        for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(!self.stderr.contains(bad), "`colophon {}` panicked:\n{self}", self.args.join(" "));
        }
        self
    }

    /// Asserts the `--json` status code.
    pub fn status(&self, status: &str) -> &Self {
        assert_eq!(self.json()["status"], status, "`colophon {}`:\n{self}", self.args.join(" "));
        self
    }

    pub fn has(&self, needle: &str) -> &Self {
        assert!(self.all().contains(needle), "output of `colophon {}` lacks {needle:?}:\n{self}", self.args.join(" "));
        self
    }

    pub fn lacks(&self, needle: &str) -> &Self {
        assert!(!self.all().contains(needle), "output of `colophon {}` has {needle:?}:\n{self}", self.args.join(" "));
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--- exit {}\n--- stdout:\n{}\n--- stderr:\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A temporary working directory; the cache (the index) is `.cache` inside it.
pub struct Env {
    pub dir: TempDir,
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env { dir: TempDir::new().expect("temporary directory") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The cache directory the binary is told to use.
    pub fn cache(&self) -> PathBuf {
        self.path(".cache")
    }

    /// The index of the ledger in the cache (`None` until a command made one).
    pub fn index_file(&self) -> Option<PathBuf> {
        let dir = self.cache().join("index");
        std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "sqlite"))
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(self.dir.path())
            .env_remove("COLOPHON_LEDGER")
            .env_remove("COLOPHON_TRUST")
            .env_remove("COLOPHON_PASSPHRASE")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("RUST_BACKTRACE")
            .env("COLOPHON_CACHE", self.cache())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    pub fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut c = self.cmd();
        c.args(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.output().expect("run colophon");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// A step that must succeed.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        r.code(0);
        r
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), bytes).expect("write test file");
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// `keygen --unencrypted`.
    pub fn keygen(&self, name: &str, prefix: &str) {
        self.ok(&["keygen", "--name", name, "--out", prefix, "--unencrypted"]);
    }

    /// The secret key of `PREFIX.key`.
    pub fn secret(&self, prefix: &str) -> SecretKey {
        SecretKeyFile::read(&self.path(&format!("{prefix}.key")))
            .expect("read secret key")
            .unlock(None)
            .expect("unlock unencrypted key")
    }

    /// The ledger's lines (without their LF).
    pub fn lines(&self) -> Vec<Vec<u8>> {
        lines_of(&self.read(LEDGER))
    }

    /// Signs `body` with `key` as the next entry of the ledger and appends it by hand, as anyone
    /// who can write the file (and holds that key) could. Returns the line and its hash.
    pub fn append_signed(&self, body: Body, key: &SecretKey) -> (Vec<u8>, Digest) {
        let lines = self.lines();
        let last = lines.last().expect("a ledger has a genesis");
        let head = parse_line(last).expect("the last line parses");
        let e =
            Entry::sign(head.entry.seq + 1, Some(head.hash), "2026-06-01T00:00:00Z".into(), body, key).expect("sign");
        let line = e.to_line().expect("line");
        self.append_raw(&line);
        let h = Digest::of(&line);
        (line, h)
    }

    /// Appends bytes with no LF: the torn tail of an interrupted append.
    pub fn append_raw_torn(&self, bytes: &[u8]) {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().append(true).open(self.path(LEDGER)).expect("open ledger");
        f.write_all(bytes).expect("append");
    }

    /// Appends bytes and a LF to the ledger by hand.
    pub fn append_raw(&self, line: &[u8]) {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().append(true).open(self.path(LEDGER)).expect("open ledger");
        f.write_all(line).and_then(|()| f.write_all(b"\n")).expect("append");
    }
}

pub fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// The entry hash of a ledger line.
pub fn hash_of(line: &[u8]) -> Digest {
    Digest::of(line)
}

/// Reads a file's mode bits.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
}
