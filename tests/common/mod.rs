//! The test harness shared by the integration tests: a temporary directory in which the real binary
//! runs with nothing inherited that could change the outcome, what one run did, helpers to craft
//! ledger lines the way an attacker with write access to the directory would, secret scanning of
//! every output, and visible skips. Key helpers (the RFC 8032 test keys, forged signatures) are in
//! [`keys`].
//!
//! Every child runs in the temporary directory with `COLOPHON_LEDGER`, `COLOPHON_TRUST`,
//! `COLOPHON_PASSPHRASE`, `SOURCE_DATE_EPOCH`, `CLICOLOR_FORCE` and `RUST_BACKTRACE` removed, its
//! cache (`COLOPHON_CACHE`) inside the directory, `NO_COLOR=1`, and no standard input (never a
//! terminal: a passphrase can only come from the environment).

#![allow(dead_code)]

pub mod keys;

use base64::Engine as _;
use colophon::format::entry::{Body, Entry, parse_line};
use colophon::format::hash::Digest;
use colophon::format::keys::{SecretKey, SecretKeyFile};
use serde_json::Value;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_colophon");
pub const LEDGER: &str = "colophon.jsonl";

/// The user and group an unprivileged child runs as when the tests run as root (`nobody`).
pub const NOBODY: (u32, u32) = (65534, 65534);

// ---------------------------------------------------------------------------------------------
// What one run did
// ---------------------------------------------------------------------------------------------

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// The signal that ended the process, if one did.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The run of `args` that gave `out`. Both outputs are scanned for the secrets remembered so
    /// far ([`remember_seed`], [`remember_passphrase`]).
    pub fn from_output(args: &[String], out: &Output) -> Run {
        let r = Run {
            args: args.to_vec(),
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        scan_output(&r.cmdline(), &r.stdout);
        scan_output(&r.cmdline(), &r.stderr);
        r
    }

    /// The arguments, as typed after `colophon`.
    pub fn cmdline(&self) -> String {
        self.args.join(" ")
    }

    /// stdout and stderr together, for messages that may go to either.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// stdout parsed as exactly one JSON value (spec/cli-json.md: one object, nothing else).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`colophon {}`: stdout is not one JSON value ({e}):\n{self}", self.cmdline()))
    }

    /// stdout as one JSON value, or `None`.
    pub fn try_json(&self) -> Option<Value> {
        serde_json::from_str(&self.stdout).ok()
    }

    /// Whether the process exited with `code`.
    pub fn is(&self, code: i32) -> bool {
        self.code == Some(code)
    }

    /// A panic, an abort or a crash by any signal but SIGKILL (which only a test sends).
    pub fn panicked(&self) -> bool {
        self.code == Some(101)
            || self.signal.is_some_and(|s| s != 9)
            || ["panicked at", "RUST_BACKTRACE", "stack backtrace"].iter().any(|p| self.stderr.contains(p))
    }

    /// Asserts the exit code (and that nothing panicked).
    pub fn assert_code(&self, code: i32) -> &Self {
        assert!(self.is(code), "`colophon {}` {} (expected exit {code}):\n{self}", self.cmdline(), self.ended());
        self.assert_no_panic()
    }

    pub fn assert_no_panic(&self) -> &Self {
        assert!(!self.panicked(), "`colophon {}` panicked:\n{self}", self.cmdline());
        self
    }

    /// Asserts the `--json` status code.
    pub fn assert_status(&self, status: &str) -> &Self {
        assert_eq!(self.json()["status"], status, "`colophon {}`:\n{self}", self.cmdline());
        self
    }

    pub fn assert_stdout(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "stdout of `colophon {}` lacks {needle:?}:\n{self}", self.cmdline());
        self
    }

    pub fn assert_stderr(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr of `colophon {}` lacks {needle:?}:\n{self}", self.cmdline());
        self
    }

    /// Asserts that stdout or stderr has `needle`.
    pub fn assert_any(&self, needle: &str) -> &Self {
        assert!(self.all().contains(needle), "output of `colophon {}` lacks {needle:?}:\n{self}", self.cmdline());
        self
    }

    /// Asserts that neither stdout nor stderr has `needle`.
    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(!self.all().contains(needle), "output of `colophon {}` has {needle:?}:\n{self}", self.cmdline());
        self
    }

    /// Asserts that stdout and stderr together match the regular expression `re`.
    pub fn assert_match(&self, re: &str) -> &Self {
        use predicates::prelude::*;
        let p = predicates::str::is_match(re).expect("valid regex");
        assert!(p.eval(&self.all()), "output of `colophon {}` does not match /{re}/:\n{self}", self.cmdline());
        self
    }

    /// How the process ended: `exited 2`, or `was killed by signal 9`.
    fn ended(&self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => format!("exited {c}"),
            (None, Some(s)) => format!("was killed by signal {s}"),
            (None, None) => "ended without an exit code".into(),
        }
    }
}

impl std::fmt::Display for Run {
    /// The command, how it ended and both outputs, each cut at 2,000 bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |s: &str| -> String {
            let mut end = s.len().min(2000);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            if end < s.len() { format!("{}… ({} more bytes)", &s[..end], s.len() - end) } else { s.to_string() }
        };
        write!(
            f,
            "`colophon {}` {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.cmdline(),
            self.ended(),
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }
}

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// Secrets: every output of every run is scanned for every secret seed and passphrase remembered
// ---------------------------------------------------------------------------------------------

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static OUTPUTS_SCANNED: AtomicU64 = AtomicU64::new(0);
static LEAKS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret seed (base64 and hex) so that no output may contain it.
pub fn remember_seed(seed: &[u8; 32]) {
    let mut s = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    for form in [base64::engine::general_purpose::STANDARD.encode(seed), hex::encode(seed)] {
        if !s.contains(&form) {
            s.push(form);
        }
    }
}

/// Remembers a passphrase so that no output may contain it.
pub fn remember_passphrase(p: &str) {
    let mut s = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if !s.iter().any(|x| x == p) {
        s.push(p.to_string());
    }
}

/// Scans one output for remembered secrets; a leak is recorded for [`leaks`].
pub fn scan_output(what: &str, text: &str) {
    OUTPUTS_SCANNED.fetch_add(1, Ordering::Relaxed);
    let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for s in secrets {
        if text.contains(&s) {
            LEAKS.lock().unwrap_or_else(|e| e.into_inner()).push(format!("`{what}` printed a secret"));
        }
    }
}

/// The leaks found so far in this test process.
pub fn leaks() -> Vec<String> {
    LEAKS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// How many outputs were scanned, and for how many secrets.
pub fn scanned() -> (u64, usize) {
    (OUTPUTS_SCANNED.load(Ordering::Relaxed), SECRETS.lock().unwrap_or_else(|e| e.into_inner()).len())
}

// ---------------------------------------------------------------------------------------------
// Skips that show
// ---------------------------------------------------------------------------------------------

/// Reports a check that cannot run here: prints `SKIPPED <what>: <why>` straight to the test
/// process's standard error, which `cargo test` does not capture (it captures only the `print!`
/// family), so the line shows in every run, passing or not. With `COLOPHON_REQUIRE_ALL=1` (set by
/// `.ci/run`) a skip is a failure instead.
pub fn skip(what: &str, why: &str) {
    use std::io::Write as _;
    let line = format!("SKIPPED {what}: {why}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    if std::env::var("COLOPHON_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("SKIPPED {what}: {why} (COLOPHON_REQUIRE_ALL=1 requires every check to run)");
    }
}

/// Whether the tests run as root (who reads files of mode 000).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

// ---------------------------------------------------------------------------------------------
// The working directory
// ---------------------------------------------------------------------------------------------

/// A temporary working directory; the cache (the index) is `.cache` inside it.
pub struct Env {
    pub dir: TempDir,
    /// The user and group every child runs as (see [`Env::unprivileged`]); `None`: this process's.
    pub user: Option<(u32, u32)>,
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env { dir: TempDir::new().expect("temporary directory"), user: None }
    }

    /// An Env whose children never run as root: when the tests run as root, the directory is given
    /// to `nobody` and every child runs as `nobody`, so that a file of mode 000 is unreadable to
    /// them as it is to any user. Files the test writes with [`Env::write`] or [`Env::write_key`]
    /// are given to that user too; call [`Env::hand_over`] after making files any other way.
    pub fn unprivileged() -> Env {
        let mut env = Env::new();
        if is_root() {
            env.user = Some(NOBODY);
            env.hand_over();
        }
        env
    }

    /// Gives everything in the directory (and the directory) to the user the children run as.
    pub fn hand_over(&self) {
        fn walk(p: &Path, (uid, gid): (u32, u32)) {
            std::os::unix::fs::lchown(p, Some(uid), Some(gid)).unwrap_or_else(|e| panic!("chown {}: {e}", p.display()));
            if p.is_dir() && !p.is_symlink() {
                for e in std::fs::read_dir(p).expect("list directory") {
                    walk(&e.expect("entry").path(), (uid, gid));
                }
            }
        }
        if let Some(user) = self.user {
            walk(self.dir.path(), user);
        }
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

    /// Makes `c` run like the binary here: in the directory, as this Env's user, with nothing
    /// inherited that could change the outcome, and no standard input.
    pub fn clean(&self, c: &mut Command) {
        c.current_dir(self.dir.path())
            .env_remove("COLOPHON_LEDGER")
            .env_remove("COLOPHON_TRUST")
            .env_remove("COLOPHON_PASSPHRASE")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("RUST_BACKTRACE")
            .env_remove("COLOPHON_KEY")
            .env("COLOPHON_CACHE", self.cache())
            // The default key lives under the configuration directory: a test's own.
            .env("XDG_CONFIG_HOME", self.path(".config"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if let Some((uid, gid)) = self.user {
            c.uid(uid).gid(gid);
        }
    }

    /// The binary, ready to run here (add arguments).
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        self.clean(&mut c);
        c
    }

    /// The binary with `args`.
    pub fn command(&self, args: &[String]) -> Command {
        let mut c = self.cmd();
        c.args(args);
        c
    }

    /// Runs `c` (made by [`Env::command`] with `args`) to the end.
    pub fn output(&self, args: &[String], mut c: Command) -> Run {
        let out = c.output().expect("run colophon");
        Run::from_output(args, &out)
    }

    pub fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let args = strings(args);
        let mut c = self.command(&args);
        for (k, v) in envs {
            c.env(k, v);
        }
        self.output(&args, c)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// A step that must succeed.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        r.assert_code(0);
        r
    }

    /// Starts the binary with its output captured.
    pub fn spawn(&self, args: &[String]) -> Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start colophon")
    }

    /// Runs the binary with stdout connected to a pipe whose read end is already closed (the
    /// reader went away, as in `colophon log | head -0`).
    pub fn run_closed_stdout(&self, args: &[&str]) -> Run {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let args = strings(args);
        let mut c = self.command(&args);
        c.stdout(writer).stderr(Stdio::piped());
        self.output(&args, c)
    }

    /// Writes a file (given to this Env's user).
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), bytes).expect("write test file");
        self.give(&self.path(name));
    }

    fn give(&self, p: &Path) {
        if let Some((uid, gid)) = self.user {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown test file");
        }
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn read_string(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"))
    }

    /// `keygen --unencrypted`; returns the key id it printed. The seed is remembered as a secret
    /// no output may show.
    pub fn keygen(&self, name: &str, prefix: &str) -> String {
        let r = self.ok(&["keygen", "--name", name, "--out", prefix, "--unencrypted"]);
        remember_seed(&self.secret(prefix).signing.to_bytes());
        key_id_from(&r.stdout)
    }

    /// The secret key of `PREFIX.key`, through the library.
    pub fn secret(&self, prefix: &str) -> SecretKey {
        SecretKeyFile::read(&self.path(&format!("{prefix}.key")))
            .expect("read secret key")
            .unlock(None)
            .expect("unlock unencrypted key")
    }

    /// Writes a library-made secret key as an unencrypted key file (mode 0600) and its `.pub`.
    pub fn write_key(&self, prefix: &str, key: &SecretKey) {
        remember_seed(&key.signing.to_bytes());
        let text = key.to_file_text(None).expect("key file text");
        let path = self.path(&format!("{prefix}.key"));
        colophon::store::keyfile::write_new_file(&path, &text, true).expect("write key");
        self.give(&path);
        self.write(&format!("{prefix}.pub"), key.named().to_pub_file());
    }

    /// The names in the directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every regular file directly in the directory, with its bytes.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.dir.path())
            .expect("list directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
            .collect();
        v.sort();
        v
    }

    /// Runs a command that must fail, and checks the failure is clean: the exit code, each needle
    /// in stderr, no panic, every file in the directory byte-identical (the ledger still absent if
    /// it was), and no file or directory created or removed.
    pub fn fails_unchanged(&self, args: &[&str], envs: &[(&str, &str)], code: i32, needles: &[&str]) -> Run {
        self.fails_unchanged_at(LEDGER, args, envs, code, needles)
    }

    /// [`Env::fails_unchanged`] with no environment and no message to look for.
    pub fn fails(&self, args: &[&str], code: i32) -> Run {
        self.fails_unchanged(args, &[], code, &[])
    }

    /// [`Env::fails_unchanged`] for a ledger elsewhere (a path relative to the directory).
    pub fn fails_unchanged_at(
        &self,
        ledger: &str,
        args: &[&str],
        envs: &[(&str, &str)],
        code: i32,
        needles: &[&str],
    ) -> Run {
        let before = std::fs::read(self.path(ledger)).ok();
        let (files_before, names_before) = (self.snapshot(), self.listing());
        let r = self.run_env(args, envs);
        r.assert_code(code);
        for n in needles {
            r.assert_stderr(n);
        }
        let after = std::fs::read(self.path(ledger)).ok();
        assert!(before == after, "`colophon {}` failed but changed {ledger}:\n{r}", args.join(" "));
        let files_after = self.snapshot();
        let changed: Vec<&String> = files_after
            .iter()
            .filter(|(n, b)| !files_before.iter().any(|(m, c)| m == n && c == b))
            .map(|(n, _)| n)
            .collect();
        assert!(files_before == files_after, "`colophon {}` failed but changed {changed:?}:\n{r}", args.join(" "));
        assert_eq!(names_before, self.listing(), "`colophon {}` failed but created or removed files", args.join(" "));
        r
    }

    /// The ledger's bytes.
    pub fn ledger(&self) -> Vec<u8> {
        self.read(LEDGER)
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
        let h = colophon::format::hash::entry_hash(&line);
        (line, h)
    }

    /// Witness `w1` (`w1.key`, named `witness.example/w1`, state in `w1.state`) cosigns the owner
    /// olga's `checkpoint` into `out` (spec/transparency.md §4.3).
    pub fn witness_cosign(&self, checkpoint: &str, out: &str) -> Run {
        self.ok(&[
            "witness",
            checkpoint,
            "--key",
            "w1.key",
            "--name",
            "witness.example/w1",
            "--state",
            "w1.state",
            "--log-key",
            "olga.pub",
            "-o",
            out,
        ])
    }

    /// Appends bytes with no LF: the torn line of an interrupted append.
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

/// The key id from keygen's human output (`  key id: <32 hex>`).
pub fn key_id_from(stdout: &str) -> String {
    let line = stdout.lines().find(|l| l.trim_start().starts_with("key id:")).expect("keygen prints `key id:`");
    let id = line.trim_start().trim_start_matches("key id:").trim().to_string();
    assert_eq!(id.len(), 32, "key id {id:?} is not 32 hex digits");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "key id {id:?} not lowercase hex");
    id
}

pub fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// The entry hash of a ledger line (spec/ledger.md §3.1: of its committed form, §3.4).
pub fn hash_of(line: &[u8]) -> Digest {
    colophon::format::hash::entry_hash(line)
}

/// Reads a file's mode bits.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
}
