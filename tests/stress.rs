//! Stress suites (issue "Reliability and security"): the ledger survives crashes and hostile input,
//! with counted figures.
//!
//! Each suite is a function taking a size. `cargo test --test stress` runs a small version of each
//! (the whole file in well under a minute in debug); with `COLOPHON_STRESS=full` the full versions
//! run (`tests/stress/run` builds in release, runs them one at a time and prints a table). Every
//! suite prints one line
//!
//! ```text
//! STRESS suite=<name> tried=<n> failures=<n> fixed=<n> lost=<n> undetected=<n> panics=<n>
//! ```
//!
//! and asserts that no acknowledged entry was lost, no tampering went undetected and nothing
//! panicked. `failures` counts the cases of this run that broke another documented property (a
//! wrong exit code, a message that names no file, a reader that failed): what is wrong now. Each
//! one is printed with its details (`FAILURE ...`), and the suite fails unless there are none.
//! `fixed` counts the bugs the suite found in earlier runs and that were fixed since: each has a
//! regression test at the end of this file and a line in [`FIXED`]; they are not in `failures`.
//!
//! Random choices come from a xorshift64* generator seeded per suite; `COLOPHON_STRESS_SEED=N`
//! changes the seed (it is printed with each suite's figures), so any run can be repeated.

mod common;

use base64::Engine as _;
use colophon::format::entry::{
    Body, Cosign, Entry, Genesis, KeyReg, Release, ReleaseLangs, Revoke, RevokeReason, Role, TextRole, parse_line,
};
use colophon::format::hash::{Digest, entry_hash};
use colophon::format::keys::{PublicKey, SecretKey, SecretKeyFile};
use colophon::format::status::Code;
use colophon::log::audit::{Report, audit, audit_since};
use colophon::log::content::text_version;
use colophon::store::audit::audit_file;
use colophon::store::{append, ledger};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::keys::{rfc8032_key, seeded_key, sign_with_torsion};
use common::{BIN, Env, LEDGER, Run, remember_passphrase, remember_seed, strings};

const ORIGIN: &str = "stress.example/translations";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// An original with accents, so that cut points fall inside multi-byte characters.
const TEXT_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Diceva: «D'inverno il fiume parla con una voce più bassa.»
Eventualmente, se pioveva, restava a casa a leggere il giornale — così diceva.
Oggi il ponte è chiuso, ma la sua voce è ancora qui: «ascolta», mi dice.
";

const TEXT_EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: “In winter the river speaks in a lower voice.”
Eventually, if it rained, she stayed at home to read the newspaper — so she said.
Today the bridge is closed, but its voice is still here: “listen”, it tells me.
";

const TEXT_EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: “In winter the river speaks in a lower voice.”
If it happened to rain, she stayed at home to read the newspaper — so she said.
Today the bridge is closed, but its voice is still here: “listen”, it tells me.
";

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Whether the full versions run (`COLOPHON_STRESS=full`).
fn full() -> bool {
    std::env::var("COLOPHON_STRESS").is_ok_and(|v| v == "full")
}

/// The seed of a suite's random choices: `COLOPHON_STRESS_SEED` mixed with the suite's name.
fn seed(suite: &str) -> u64 {
    let base: u64 = std::env::var("COLOPHON_STRESS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20260309);
    suite.bytes().fold(base, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// xorshift64*: small, fast and deterministic per seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in 0..n (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
}

/// Bugs the suites found and that were fixed: (suite, regression test at the end of this file).
const FIXED: &[(&str, &str)] = &[
    ("keys", "audit_rejects_an_r_with_a_small_order_component"),
    ("bad-input", "output_lost_on_a_full_stdout_exits_2"),
    ("bad-input", "failed_writes_leave_no_partial_files"),
    ("bad-input", "cosign_checkpoint_reports_input_errors_as_input_errors"),
    ("bad-input", "an_empty_keyring_is_refused"),
    ("bad-input", "messages_name_the_file_and_the_fix"),
    ("bundles", "bundle_without_a_parent_version_is_rejected"),
    ("bundles", "bundle_verdicts_say_that_left_out_cosigns_and_revocations_cannot_be_seen"),
    ("bundles", "bundle_after_an_append_past_the_checkpoint_is_the_ledger_as_of_the_checkpoint"),
    ("sidecars", "an_index_line_length_past_the_file_is_refused_without_allocating_it"),
    ("sidecars", "an_index_that_marks_every_line_rejected_is_rebuilt"),
    ("sidecars", "checkpoints_and_tiles_are_the_ledgers_tree_not_the_index_hashes"),
];

/// A suite's figures (the STRESS line) and the details of what went wrong.
struct Tally {
    suite: &'static str,
    tried: u64,
    failures: u64,
    fixed: u64,
    lost: u64,
    undetected: u64,
    panics: u64,
    /// Forged facts reported, forged texts printed as verified (the sidecar suites).
    forged: u64,
    /// Ledgers a command left in a state a later audit rejects.
    broken: u64,
    /// Genuine answers missed because rows were removed from the user's own cache (information).
    denied: u64,
    shown: u64,
}

impl Tally {
    fn new(suite: &'static str) -> Tally {
        Tally {
            suite,
            tried: 0,
            failures: 0,
            fixed: 0,
            lost: 0,
            undetected: 0,
            panics: 0,
            forged: 0,
            broken: 0,
            denied: 0,
            shown: 0,
        }
    }

    fn show(&mut self, kind: &str, what: &str) {
        self.shown += 1;
        let limit = std::env::var("COLOPHON_STRESS_SHOW").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
        if self.shown <= limit {
            println!("{kind} [{}] {what}", self.suite);
        } else if self.shown == limit + 1 {
            println!("[{}] (further findings not shown; see the counts)", self.suite);
        }
    }

    fn fail(&mut self, what: impl AsRef<str>) {
        self.failures += 1;
        self.show("FAILURE", what.as_ref());
    }

    fn lose(&mut self, n: u64, what: impl AsRef<str>) {
        self.lost += n;
        self.show("LOST", what.as_ref());
    }

    fn miss(&mut self, what: impl AsRef<str>) {
        self.undetected += 1;
        self.show("UNDETECTED", what.as_ref());
    }

    /// Counts a panic of the binary; returns whether the run was free of one.
    fn no_panic(&mut self, r: &Run) -> bool {
        if r.panicked() {
            self.panics += 1;
            self.show("PANIC", &r.to_string());
            return false;
        }
        true
    }

    fn info(&self, what: impl AsRef<str>) {
        println!("  {}: {}", self.suite, what.as_ref());
    }

    /// Prints the STRESS line and asserts the properties that must hold. `failures` is what this
    /// run found; `fixed` the bugs this suite found in earlier runs, fixed since, each with a
    /// regression test (they are not failures of this run).
    fn finish(mut self) {
        self.fixed = FIXED.iter().filter(|(suite, _)| *suite == self.suite).count() as u64;
        println!(
            "\nSTRESS suite={} tried={} failures={} fixed={} lost={} undetected={} panics={} forged={} broken={}",
            self.suite,
            self.tried,
            self.failures,
            self.fixed,
            self.lost,
            self.undetected,
            self.panics,
            self.forged,
            self.broken
        );
        assert_eq!(self.forged, 0, "{}: forged facts were reported (see FORGED lines above)", self.suite);
        assert_eq!(self.broken, 0, "{}: a command broke the ledger (see BROKEN lines above)", self.suite);
        assert_eq!(self.lost, 0, "{}: acknowledged entries were lost", self.suite);
        assert_eq!(self.undetected, 0, "{}: tampering went undetected", self.suite);
        assert_eq!(self.failures, 0, "{}: failures (see FAILURE lines above)", self.suite);
        assert_eq!(self.panics, 0, "{}: the binary or the library panicked", self.suite);
        assert!(self.tried > 0, "{}: nothing was tried", self.suite);
    }
}

/// The translator's journey up to a release: Olga owns the ledger, Tina translates, Edo edits.
fn standard(env: &Env) {
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.keygen("Edo Marini", "edo");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    env.write("ponte.it.txt", TEXT_IT);
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("bridge.en.txt", TEXT_EN_1);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
    env.write("copy.txt", TEXT_EN_1);
}

/// A ledger's complete lines (without their LF) and its torn line.
fn split_ledger(bytes: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let (complete, tail) = bytes.split_at(cut);
    let lines =
        if complete.is_empty() { Vec::new() } else { complete[..complete.len() - 1].split(|&b| b == b'\n').collect() };
    (lines, tail)
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// The entry hashes of a ledger's complete lines, in hex.
fn line_hashes(bytes: &[u8]) -> Vec<String> {
    split_ledger(bytes).0.iter().map(|l| entry_hash(l).to_hex()).collect()
}

/// The `(code, line)` of each problem of a JSON audit.
fn json_problems(j: &Value) -> Vec<(String, Option<u64>)> {
    j["problems"]
        .as_array()
        .map(|ps| ps.iter().map(|p| (p["code"].as_str().unwrap_or("?").to_string(), p["line"].as_u64())).collect())
        .unwrap_or_default()
}

fn problems_of(r: &Report) -> Vec<(String, Option<u64>)> {
    r.problems.iter().map(|p| (p.code.as_str().to_string(), p.line)).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. crash: real appenders killed with SIGKILL at random moments
// ---------------------------------------------------------------------------------------------

/// The hash an append acknowledged: exit 0 and `entry` in its JSON output.
fn acknowledged(r: &Run) -> Option<String> {
    if !r.is(0) {
        return None;
    }
    r.try_json().and_then(|j| j["entry"].as_str().map(str::to_string))
}

/// After a crash: every acknowledged entry is in the ledger, and `audit` is clean or reports only
/// the torn last line. Returns the torn line (offset, bytes), if any.
fn check_after_crash(env: &Env, acked: &[String], t: &mut Tally, when: &str) -> Option<(usize, Vec<u8>)> {
    let bytes = env.read(LEDGER);
    let (lines, tail) = split_ledger(&bytes);
    let present: HashSet<String> = lines.iter().map(|l| entry_hash(l).to_hex()).collect();
    let missing = acked.iter().filter(|h| !present.contains(*h)).count() as u64;
    if missing > 0 {
        t.lose(missing, format!("{when}: {missing} acknowledged entries are not in the ledger"));
    }
    if present.len() != lines.len() {
        t.fail(format!("{when}: duplicated lines in the ledger"));
    }
    let r = env.run(&["--json", "audit"]);
    t.no_panic(&r);
    let problems = r.try_json().map(|j| json_problems(&j)).unwrap_or_default();
    if tail.is_empty() {
        if !r.is(0) || !problems.is_empty() {
            t.fail(format!("{when}: audit of a ledger without a torn line is not clean: {r}"));
        }
        None
    } else {
        let expected = vec![("line.torn".to_string(), Some(lines.len() as u64 + 1))];
        if r.is(0) {
            t.miss(format!("{when}: audit passed a ledger with a torn line of {} bytes", tail.len()));
        } else if !r.is(1) || problems != expected {
            t.fail(format!("{when}: audit of a torn ledger reports {problems:?}, expected {expected:?}: {r}"));
        }
        Some((bytes.len() - tail.len(), tail.to_vec()))
    }
}

/// Checks that an append moved a torn line aside to `<ledger>.torn-<offset>`.
fn check_torn_saved(env: &Env, torn: &Option<(usize, Vec<u8>)>, t: &mut Tally, when: &str) {
    if let Some((offset, tail)) = torn {
        let name = format!("{LEDGER}.torn-{offset}");
        match std::fs::read(env.path(&name)) {
            Ok(saved) if saved == *tail => {
                let _ = std::fs::remove_file(env.path(&name));
            }
            Ok(_) => t.fail(format!("{when}: {name} does not hold the torn bytes")),
            Err(e) => t.fail(format!("{when}: the torn line was not moved to {name}: {e}")),
        }
    }
}

fn crash_suite(kills: u64) -> Tally {
    let mut t = Tally::new("crash");
    let seed = seed("crash");
    let mut rng = Rng::new(seed);
    let env = Env::new();
    env.keygen("Olga Bianchi", "olga");
    env.keygen("Tina Rossi", "tina");
    env.ok(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    env.ok(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    env.write("text.txt", TEXT_IT);
    // Everything written so far was acknowledged by a successful command.
    let mut acked: Vec<String> = line_hashes(&env.read(LEDGER));
    let mut work = 0u64;
    let next_append = |work: &mut u64| -> Vec<String> {
        *work += 1;
        strings(&["--json", "record", "text.txt", "--work", &format!("w{work}"), "--lang", "it", "--key", "tina.key"])
    };

    // Calibrate the kill window to how long an append takes here (at most the 20 ms asked for), so
    // that kills land all along an append's life rather than mostly after it.
    let mut took = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let args = next_append(&mut work);
        let out = env.command(&args).output().expect("run colophon");
        let r = Run::from_output(&args, &out);
        took.push(start.elapsed());
        acked.push(acknowledged(&r).unwrap_or_else(|| panic!("calibration append failed: {r}")));
    }
    took.sort();
    let window_us = (took[2].as_micros() as u64 * 3 / 2).clamp(1_000, 20_000);

    let (mut landed, mut rounds, mut torn_seen, mut finished_first) = (0u64, 0u64, 0u64, 0u64);
    while landed < kills && rounds < kills * 20 {
        rounds += 1;
        // Two appenders race for the lock; one of them is killed after a random delay.
        let kids: Vec<(Vec<String>, Child)> = (0..2)
            .map(|_| {
                let args = next_append(&mut work);
                let child = env.spawn(&args);
                (args, child)
            })
            .collect();
        let victim = rng.index(2);
        std::thread::sleep(Duration::from_micros(rng.below(window_us + 1)));
        let mut kids = kids;
        let _ = kids[victim].1.kill(); // SIGKILL on Unix
        for (i, (args, child)) in kids.into_iter().enumerate() {
            let out = child.wait_with_output().expect("wait for colophon");
            let r = Run::from_output(&args, &out);
            if r.signal == Some(9) {
                landed += 1;
                t.tried += 1;
                continue;
            }
            t.no_panic(&r);
            match acknowledged(&r) {
                Some(h) => acked.push(h),
                None => t.fail(format!("round {rounds}: an append that was not killed failed: {r}")),
            }
            if i == victim {
                finished_first += 1;
            }
        }
        let when = format!("round {rounds} (after kill {landed})");
        let torn = check_after_crash(&env, &acked, &mut t, &when);
        torn_seen += u64::from(torn.is_some());
        // The next append succeeds without manual repair.
        let args = next_append(&mut work);
        let out = env.command(&args).output().expect("run colophon");
        let r = Run::from_output(&args, &out);
        t.no_panic(&r);
        match acknowledged(&r) {
            Some(h) => acked.push(h),
            None => t.fail(format!("{when}: the next append failed: {r}")),
        }
        check_torn_saved(&env, &torn, &mut t, &when);
    }
    let lines = split_ledger(&env.read(LEDGER)).0.len();
    if let Ok(rep) = audit_file(&env.path(LEDGER), None)
        && !rep.is_clean()
    {
        t.fail(format!("final ledger: {:?}", problems_of(&rep)));
    }
    t.info(format!(
        "seed {seed}: {landed} kills landed in {rounds} rounds (delay 0-{window_us} µs; {finished_first} victims had \
         already finished), {} acknowledged appends, {} lines in the ledger ({} complete but unacknowledged), \
         {torn_seen} torn lines",
        acked.len(),
        lines,
        lines - acked.len()
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// 1b. torn: an injected short write at every byte offset of the last line
// ---------------------------------------------------------------------------------------------

fn torn_suite(every: usize, cli_every: usize) -> Tally {
    let mut t = Tally::new("torn");
    let env = Env::new();
    standard(&env);
    // The last line: a version whose diff stores the whole text (multi-byte characters included).
    env.write("bridge.en.txt", TEXT_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    let path = env.path(LEDGER);
    let good = env.read(LEDGER);
    let start = good[..good.len() - 1].iter().rposition(|&b| b == b'\n').expect("several lines") + 1;
    let prefix = good[..start].to_vec();
    let last = good[start..good.len() - 1].to_vec();
    let kept = split_ledger(&prefix).0.len() as u64;
    let owner = env.secret("olga");
    let newcomer = seeded_key("torn newcomer", "Nina Nuova");
    let mut cli_runs = 0;
    for cut in (0..=last.len()).filter(|c| c.is_multiple_of(every) || *c + 3 > last.len()) {
        t.tried += 1;
        let when = format!("cut {cut}/{}", last.len());
        let mut bytes = prefix.clone();
        bytes.extend_from_slice(&last[..cut]);
        std::fs::write(&path, &bytes).expect("write torn ledger");
        // Readers ignore the torn bytes.
        match ledger::load(&path) {
            Ok(s) => {
                let torn = s.torn.map(|x| x.len);
                if s.index.len() != kept || torn != (cut > 0).then_some(cut as u64) {
                    t.fail(format!("{when}: load saw {} entries and torn {torn:?}", s.index.len()));
                }
            }
            Err(e) => t.fail(format!("{when}: load failed: {e}")),
        }
        // The audit reports exactly the torn line, at the right line number.
        let expected: Vec<(String, Option<u64>)> =
            if cut == 0 { vec![] } else { vec![("line.torn".into(), Some(kept + 1))] };
        match audit_file(&path, None) {
            Ok(rep) => {
                if cut > 0 && rep.is_clean() {
                    t.miss(format!("{when}: audit passed a torn line"));
                } else if problems_of(&rep) != expected {
                    t.fail(format!("{when}: audit reports {:?}, expected {expected:?}", problems_of(&rep)));
                }
            }
            Err(e) => t.fail(format!("{when}: audit failed: {e}")),
        }
        // The next append recovers, through the binary or the library.
        let use_cli = cut.is_multiple_of(cli_every) || cut == last.len();
        if use_cli {
            cli_runs += 1;
            let r = env.run(&["--json", "audit"]);
            t.no_panic(&r);
            let got = r.try_json().map(|j| json_problems(&j)).unwrap_or_default();
            if got != expected || !r.is(if cut == 0 { 0 } else { 1 }) {
                t.fail(format!("{when}: `audit` reports {got:?}, expected {expected:?}: {r}"));
            }
            let r =
                env.run(&["--json", "record", "ponte.it.txt", "--work", "other", "--lang", "it", "--key", "tina.key"]);
            t.no_panic(&r);
            if acknowledged(&r).is_none() {
                t.fail(format!("{when}: the next append failed: {r}"));
            }
            if cut > 0 && !r.stderr.contains(&format!("{LEDGER}.torn-{start}")) {
                t.fail(format!("{when}: the append did not say where it moved the torn line: {r}"));
            }
        } else if let Err(e) = append::add_key(&path, &newcomer.named(), &[Role::Editor], &owner) {
            t.fail(format!("{when}: the next append failed: {e}"));
        }
        let saved = env.path(&format!("{LEDGER}.torn-{start}"));
        if cut > 0 {
            match std::fs::read(&saved) {
                Ok(b) if b == last[..cut] => {}
                Ok(_) => t.fail(format!("{when}: the saved torn bytes differ")),
                Err(e) => t.fail(format!("{when}: torn bytes not saved: {e}")),
            }
            let _ = std::fs::remove_file(&saved);
        } else if saved.exists() {
            t.fail(format!("{when}: a torn file was written for a clean ledger"));
        }
        // Every acknowledged entry is intact, and the ledger is valid again.
        let after = std::fs::read(&path).expect("read ledger");
        if !after.starts_with(&prefix) {
            let have: HashSet<String> = line_hashes(&after).into_iter().collect();
            let lost = line_hashes(&prefix).iter().filter(|h| !have.contains(*h)).count() as u64;
            t.lose(lost.max(1), format!("{when}: the acknowledged lines were changed"));
        }
        match audit_file(&path, None) {
            Ok(rep) if rep.is_clean() && rep.lines == kept + 1 => {}
            Ok(rep) => t.fail(format!("{when}: after the append: {} lines, {:?}", rep.lines, problems_of(&rep))),
            Err(e) => t.fail(format!("{when}: audit after the append failed: {e}")),
        }
    }
    t.info(format!(
        "{} prefixes of a {}-byte line (cuts 0..={}{}): library load, audit and append at each, the binary's audit \
         and record at {cli_runs} of them",
        t.tried,
        last.len(),
        last.len(),
        if every == 1 { ", every byte offset" } else { ", sampled" }
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// 2. concurrency: parallel appenders and readers on one ledger
// ---------------------------------------------------------------------------------------------

/// What the readers saw, shared between their threads.
#[derive(Default)]
struct Seen {
    runs: u64,
    failures: Vec<String>,
    panics: Vec<String>,
    hashes: HashSet<String>,
}

fn concurrency_suite(writers: usize, per_writer: usize) -> Tally {
    let mut t = Tally::new("concurrency");
    let env = Env::new();
    standard(&env);
    env.write("load.txt", TEXT_EN_2);
    let setup_lines = split_ledger(&env.read(LEDGER)).0.len();
    let done = AtomicBool::new(false);
    let seen = Mutex::new(Seen::default());
    let started = Instant::now();
    let (acked, writer_failures, writer_panics) = std::thread::scope(|s| {
        let env = &env;
        let seen = &seen;
        let done = &done;
        // Readers: verify (exit 0: the copy matches ponte@v1), log and audit (exit 0: clean), in a
        // loop, until the writers are done.
        let readers: Vec<_> = [
            strings(&["--json", "verify", "copy.txt", "--trust", "olga.pub"]),
            strings(&["--json", "log"]),
            strings(&["--json", "audit"]),
        ]
        .into_iter()
        .map(|args| {
            s.spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let out = env.command(&args).output().expect("run colophon");
                    let r = Run::from_output(&args, &out);
                    let mut sn = seen.lock().unwrap_or_else(|e| e.into_inner());
                    sn.runs += 1;
                    if r.panicked() {
                        sn.panics.push(r.to_string());
                        continue;
                    }
                    let j = r.try_json();
                    let ok = r.is(0) && j.as_ref().is_some_and(|j| j["ok"] == true);
                    if !ok {
                        sn.failures.push(format!("reader failed: {r}"));
                        continue;
                    }
                    let j = j.unwrap_or_default();
                    if args[1] == "log" {
                        // Seqs 0..n in order, each a real entry (checked against the final ledger).
                        let entries = j["entries"].as_array().cloned().unwrap_or_default();
                        for (i, e) in entries.iter().enumerate() {
                            if e["seq"].as_u64() != Some(i as u64) {
                                sn.failures.push(format!("log listed seq {} at position {i}", e["seq"]));
                                break;
                            }
                            if let Some(h) = e["entry"].as_str() {
                                sn.hashes.insert(h.to_string());
                            }
                        }
                    }
                    if args[1] == "audit" && !json_problems(&j).is_empty() {
                        sn.failures.push(format!("audit saw problems mid-append: {r}"));
                    }
                    drop(sn);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                s.spawn(move || {
                    let mut acked = Vec::new();
                    let mut failures = Vec::new();
                    let mut panics = 0u64;
                    for i in 0..per_writer {
                        let args = strings(&[
                            "--json",
                            "record",
                            "load.txt",
                            "--work",
                            &format!("c{w}-{i}"),
                            "--lang",
                            "en",
                            "--role",
                            "original",
                            "--key",
                            "tina.key",
                        ]);
                        let out = env.command(&args).output().expect("run colophon");
                        let r = Run::from_output(&args, &out);
                        if r.panicked() {
                            panics += 1;
                        }
                        match acknowledged(&r) {
                            Some(h) => acked.push(h),
                            None => failures.push(format!("writer {w}, append {i}: {r}")),
                        }
                    }
                    (acked, failures, panics)
                })
            })
            .collect();
        let mut all = (Vec::new(), Vec::new(), 0u64);
        for h in handles {
            let (a, f, p) = h.join().expect("writer thread");
            all.0.extend(a);
            all.1.extend(f);
            all.2 += p;
        }
        done.store(true, Ordering::Relaxed);
        for r in readers {
            r.join().expect("reader thread");
        }
        all
    });
    let elapsed = started.elapsed();
    let appends = (writers * per_writer) as u64;
    t.tried = appends;
    for f in &writer_failures {
        t.fail(f);
    }
    t.panics += writer_panics;
    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    t.tried += seen.runs;
    for f in &seen.failures {
        t.fail(f);
    }
    for p in &seen.panics {
        t.panics += 1;
        t.show("PANIC", p);
    }
    // The ledger afterwards: every append present once, nothing interleaved, the chain intact.
    let bytes = env.read(LEDGER);
    let (lines, tail) = split_ledger(&bytes);
    if !tail.is_empty() {
        t.fail(format!("the ledger ends in a torn line of {} bytes", tail.len()));
    }
    if lines.len() != setup_lines + appends as usize {
        t.fail(format!("{} lines, expected {} + {appends}", lines.len(), setup_lines));
    }
    let hashes: Vec<String> = lines.iter().map(|l| entry_hash(l).to_hex()).collect();
    let present: HashSet<&String> = hashes.iter().collect();
    if present.len() != hashes.len() {
        t.fail("duplicated lines");
    }
    let missing = acked.iter().filter(|h| !present.contains(h)).count() as u64;
    if missing > 0 {
        t.lose(missing, format!("{missing} acknowledged appends are missing"));
    }
    for (i, l) in lines.iter().enumerate() {
        match parse_line(l) {
            Ok(p) if p.entry.seq == i as u64 => {}
            _ => {
                // The audit below must say so too; a clean audit would be an undetected problem.
                t.fail(format!("line {} is not the entry of seq {i} (interleaved or reordered)", i + 1));
                break;
            }
        }
    }
    match audit_file(&env.path(LEDGER), None) {
        Ok(rep) if rep.is_clean() => {
            if lines.iter().enumerate().any(|(i, l)| parse_line(l).map(|p| p.entry.seq) != Ok(i as u64)) {
                t.miss("audit passed a ledger whose lines are out of order");
            }
        }
        Ok(rep) => t.fail(format!("audit: {:?}", problems_of(&rep))),
        Err(e) => t.fail(format!("audit: {e}")),
    }
    let phantom = seen.hashes.iter().filter(|h| !present.contains(h)).count();
    if phantom > 0 {
        t.fail(format!("readers reported {phantom} entries that are not in the final ledger"));
    }
    t.info(format!(
        "{writers} writers × {per_writer} appends = {} acknowledged of {appends} in {:.1} s, {} setup lines; \
         {} reader runs (verify, log, audit) alongside, {} failed",
        acked.len(),
        elapsed.as_secs_f64(),
        setup_lines,
        seen.runs,
        seen.failures.len()
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// 3. tamper: every kind of edit of a 1,000-entry ledger is caught at the line where it shows
// ---------------------------------------------------------------------------------------------

/// Writes a ledger entry by entry with the library, as a signer holding every key could.
struct Builder {
    lines: Vec<Vec<u8>>,
}

impl Builder {
    fn time(seq: u64) -> String {
        let t = std::time::UNIX_EPOCH + Duration::from_secs(1_772_000_000 + seq * 61);
        humantime::format_rfc3339_seconds(t).to_string()
    }

    fn push(&mut self, body: Body, key: &SecretKey) -> Digest {
        let seq = self.lines.len() as u64;
        let prev = self.lines.last().map(|l| entry_hash(l));
        let line = Entry::sign(seq, prev, Builder::time(seq), body, key).expect("sign").to_line().expect("line");
        let h = entry_hash(&line);
        self.lines.push(line);
        h
    }
}

/// The keys of the rich ledger.
struct Cast {
    owner: SecretKey,
    t1: SecretKey,
    t2: SecretKey,
    editor: SecretKey,
    stranger: SecretKey,
}

fn cast() -> Cast {
    Cast {
        owner: rfc8032_key(1, "Olga Bianchi"),
        t1: rfc8032_key(2, "Tina Rossi"),
        t2: rfc8032_key(3, "Teo Neri"),
        editor: seeded_key("editor", "Edo Marini"),
        stranger: seeded_key("stranger", "Sam Stranger"),
    }
}

fn text_for(j: usize, which: usize) -> String {
    let base = match which {
        0 => TEXT_IT,
        1 => TEXT_EN_1,
        _ => TEXT_EN_2,
    };
    format!("{base}\n— n. {j} ({})\n", ["prima", "first", "second"][which.min(2)])
}

/// A ledger of `n` entries with every entry type: per work, an original and two versions of its
/// translation by two translators, a release, a cosign by the editor, and a guest editor
/// registered, cosigning and revoked (retired or compromised, alternately).
fn rich_ledger(n: usize, c: &Cast) -> Vec<Vec<u8>> {
    let mut b = Builder { lines: Vec::new() };
    let g = Genesis { origin: ORIGIN.into(), name: c.owner.name.clone(), key: c.owner.public() };
    b.push(Body::Genesis(g), &c.owner);
    for (k, role) in [(&c.t1, Role::Translator), (&c.t2, Role::Translator), (&c.editor, Role::Editor)] {
        b.push(Body::Key(KeyReg { key: k.public(), name: k.name.clone(), roles: vec![role] }), &c.owner);
    }
    let mut j = 0;
    while b.lines.len() < n {
        let work = format!("w{j:04}");
        let (it, en1, en2) = (text_for(j, 0), text_for(j, 1), text_for(j, 2));
        let v = |v| Body::Version(Box::new(v));
        let h_it = b.push(v(text_version(&work, TextRole::Original, "it", "", &it, None, None)), &c.t1);
        let h_en1 = b.push(v(text_version(&work, TextRole::Translation, "en", "", &en1, None, Some(h_it))), &c.t2);
        let h_en2 =
            b.push(v(text_version(&work, TextRole::Translation, "en", &en1, &en2, Some(h_en1), Some(h_it))), &c.t1);
        let release = Release {
            work: work.clone(),
            tag: "v1".into(),
            translation: h_en2,
            original: h_it,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: Some(vec![format!("https://stress.example/{work}")]),
            note: None,
        };
        let rel = b.push(Body::Release(release), &c.t2);
        b.push(Body::Cosign(Cosign { release: rel, note: None }), &c.editor);
        let guest = seeded_key(&format!("guest {j}"), &format!("Guest Editor {j}"));
        let reg = KeyReg { key: guest.public(), name: guest.name.clone(), roles: vec![Role::Editor] };
        b.push(Body::Key(reg), &c.owner);
        b.push(Body::Cosign(Cosign { release: rel, note: Some("approved".into()) }), &guest);
        let reason = if j % 2 == 0 { RevokeReason::Retired } else { RevokeReason::Compromised };
        b.push(Body::Revoke(Revoke { key: guest.id(), reason, note: None }), &c.owner);
        j += 1;
    }
    b.lines.truncate(n);
    b.lines
}

/// Where a tampering must show.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// The first problem is at this (1-based) line.
    Line(u64),
    /// The ledger is a valid one by itself; only the checkpoint shows the change
    /// (`checkpoint.inconsistent`, or `ledger.empty` for an empty file), with no line problem.
    Checkpoint,
}

#[derive(Default)]
struct KindCount {
    tried: u64,
    detected: u64,
    right_line: u64,
    /// Cases that a plain audit (without the checkpoint) passes: expected for truncations.
    clean_without_checkpoint: u64,
}

/// One tampering of the rich ledger, described; its bytes are made when it is checked.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    /// One bit of one byte of a line (its LF included) flipped.
    Flip { line: usize, at: usize, bit: u8 },
    /// Lines `i` and `i + 1` swapped.
    Swap(usize),
    /// Line `i` dropped.
    Drop(usize),
    /// Only the first `k` lines kept.
    Truncate(usize),
    /// Line `i` repeated right after itself.
    Duplicate(usize),
    /// Line `i` changed (its time) and re-signed by a key the ledger never registered.
    ResignStranger(usize),
    /// Version `i` changed (its note) and re-signed by the other translator, who may sign versions.
    ResignOther(usize),
    /// The last line changed and re-signed by its own signer.
    ResignOwn,
}

impl Tamper {
    fn kind(&self) -> &'static str {
        match self {
            Tamper::Flip { .. } => "bit flip",
            Tamper::Swap(_) => "swap",
            Tamper::Drop(_) => "drop",
            Tamper::Truncate(_) => "truncate",
            Tamper::Duplicate(_) => "duplicate",
            Tamper::ResignStranger(_) => "re-signed (unregistered key)",
            Tamper::ResignOther(_) => "re-signed (other registered key)",
            Tamper::ResignOwn => "re-signed (own key)",
        }
    }

    /// The tampered ledger, and where the change must show:
    ///
    /// - a flipped bit: its own line fails (schema, canonical form or signature), or a flipped LF
    ///   merges the line with the next one, or tears the last line off;
    /// - a swap: the first of the two positions holds an entry with the wrong `seq`;
    /// - a drop: the successor, now in the dropped line's place, has the wrong `seq`; dropping the
    ///   last line leaves a valid shorter ledger, which only the checkpoint shows;
    /// - a truncation at a line boundary: a prefix of a valid ledger is a valid ledger; only a
    ///   checkpoint of the longer ledger shows it (`audit --since`);
    /// - a repeated line: the copy has the wrong `seq`;
    /// - an entry re-signed by an unregistered key: its own line (`entry.signer.unknown`, or
    ///   `genesis.signer` for the first line);
    /// - a version re-signed by another key allowed to sign it: the line is valid by itself, and
    ///   the change shows at the next line, whose `prev` is the original line's hash (for the last
    ///   line: only against the checkpoint); the same for the last line re-signed by its signer.
    fn apply(&self, lines: &[Vec<u8>], c: &Cast) -> (String, Vec<u8>, Expect) {
        let n = lines.len();
        let mut ls = lines.to_vec();
        let (what, expect) = match *self {
            Tamper::Flip { line, at, bit } => {
                let mut bytes = join_lines(lines);
                let offset: usize = lines[..line].iter().map(|l| l.len() + 1).sum::<usize>() + at;
                bytes[offset] ^= 1 << bit;
                return (format!("line {} byte {at} bit {bit}", line + 1), bytes, Expect::Line(line as u64 + 1));
            }
            Tamper::Swap(i) => {
                ls.swap(i, i + 1);
                (format!("lines {} and {}", i + 1, i + 2), Expect::Line(i as u64 + 1))
            }
            Tamper::Drop(i) => {
                ls.remove(i);
                (format!("line {}", i + 1), if i == n - 1 { Expect::Checkpoint } else { Expect::Line(i as u64 + 1) })
            }
            Tamper::Truncate(k) => {
                ls.truncate(k);
                (format!("to {k} lines"), Expect::Checkpoint)
            }
            Tamper::Duplicate(i) => {
                ls.insert(i + 1, lines[i].clone());
                (format!("line {}", i + 1), Expect::Line(i as u64 + 2))
            }
            Tamper::ResignStranger(i) => {
                let mut e = parse_line(&lines[i]).expect("parse").entry;
                e.time = Builder::time(e.seq + 100_000);
                ls[i] = Entry::sign(e.seq, e.prev, e.time, e.body, &c.stranger).expect("sign").to_line().expect("line");
                (format!("line {}", i + 1), Expect::Line(i as u64 + 1))
            }
            Tamper::ResignOther(i) => {
                let mut e = parse_line(&lines[i]).expect("parse").entry;
                if let Body::Version(v) = &mut e.body {
                    v.note = Some("quietly rewritten".into());
                }
                let other = if e.signer == c.t1.id() { &c.t2 } else { &c.t1 };
                ls[i] = Entry::sign(e.seq, e.prev, e.time, e.body, other).expect("sign").to_line().expect("line");
                (format!("line {}", i + 1), if i == n - 1 { Expect::Checkpoint } else { Expect::Line(i as u64 + 2) })
            }
            Tamper::ResignOwn => {
                let e = parse_line(&lines[n - 1]).expect("parse").entry;
                let k =
                    [&c.owner, &c.t1, &c.t2, &c.editor].into_iter().find(|k| k.id() == e.signer).unwrap_or(&c.stranger);
                let forged = Entry::sign(e.seq, e.prev, Builder::time(e.seq + 7), e.body, k).expect("sign");
                ls[n - 1] = forged.to_line().expect("line");
                (format!("line {n}"), Expect::Checkpoint)
            }
        };
        (what, join_lines(&ls), expect)
    }
}

/// The first `k` complete lines of `bytes` (all of it when it has fewer).
fn first_lines(bytes: &[u8], k: u64) -> &[u8] {
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen == k {
                return &bytes[..=i];
            }
        }
    }
    bytes
}

/// Indices 0, stride, 2·stride, … below `n`, and `n - 1`.
fn sample(n: usize, stride: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).step_by(stride.max(1)).collect();
    if v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// What one worker found.
#[derive(Default)]
struct TamperFindings {
    kinds: BTreeMap<&'static str, KindCount>,
    failures: Vec<String>,
    undetected: Vec<String>,
    panics: Vec<String>,
    cross_checked: u64,
}

/// Checks one tampering. A change that must show at line `e` is audited on the tampered ledger's
/// first `e` lines: the audit is one streaming pass (spec/ledger.md §11) whose report for a line
/// depends only on that line and the ones before it, so the problems at lines up to `e` are those
/// of the whole file, at a fraction of the cost (every signature costs ~50 µs, and 15,000 whole
/// 1,000-line audits would take a quarter of an hour). Every `cross_every`-th case is also audited
/// whole, with the checkpoint, and must report the same first problem. A change that only the
/// checkpoint shows is always audited whole, with the checkpoint.
fn check_tamper(case: &Tamper, lines: &[Vec<u8>], c: &Cast, cp: &[u8], cross: bool, f: &mut TamperFindings) {
    let kind = case.kind();
    let (what, bytes, expect) = case.apply(lines, c);
    let k = f.kinds.entry(kind).or_default();
    k.tried += 1;
    let audited = std::panic::catch_unwind(|| match expect {
        Expect::Line(e) => audit(first_lines(&bytes, e), None),
        Expect::Checkpoint => audit_since(&bytes[..], None, Some(cp)),
    });
    let Ok(rep) = audited else {
        f.panics.push(format!("{kind} {what}: the audit panicked"));
        return;
    };
    if rep.problems.is_empty() {
        f.undetected.push(format!("{kind} {what}: the audit reports nothing"));
        return;
    }
    k.detected += 1;
    let right = match expect {
        Expect::Line(e) => rep.problems[0].line == Some(e),
        Expect::Checkpoint => {
            // Cut to no complete line, the file is `ledger.empty` (spec/ledger.md §12); otherwise
            // it lacks lines the checkpoint covers, `checkpoint.inconsistent` (spec/transparency.md §8).
            let want = if split_ledger(&bytes).0.is_empty() { Code::LedgerEmpty } else { Code::CheckpointInconsistent };
            rep.problems.iter().all(|p| p.line.is_none()) && rep.problems.iter().any(|p| p.code == want)
        }
    };
    if right {
        k.right_line += 1;
    } else {
        let first: Vec<_> = problems_of(&rep).into_iter().take(3).collect();
        f.failures.push(format!("{kind} {what}: expected {expect:?}, the audit reports {first:?}"));
    }
    if expect == Expect::Checkpoint && audit(&bytes[..], None).is_clean() {
        k.clean_without_checkpoint += 1;
    }
    if cross && let Expect::Line(_) = expect {
        f.cross_checked += 1;
        let whole = audit_since(&bytes[..], None, Some(cp));
        if whole.problems.first() != rep.problems.first() {
            f.failures.push(format!(
                "{kind} {what}: the whole-file audit's first problem {:?} differs from the prefix's {:?}",
                whole.problems.first(),
                rep.problems.first()
            ));
        }
    }
}

fn tamper_suite(entries: usize, flips: usize, stride: usize, cross_every: usize) -> Tally {
    let mut t = Tally::new("tamper");
    let mut rng = Rng::new(seed("tamper"));
    let c = cast();
    let lines = rich_ledger(entries, &c);
    let good = join_lines(&lines);
    let rep = audit(&good[..], None);
    assert!(rep.is_clean() && rep.valid_entries == entries as u64, "the rich ledger is valid: {:?}", rep.problems);
    // The checkpoint, by the binary.
    let env = Env::new();
    env.write(LEDGER, &good);
    env.write_key("olga", &c.owner);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "saved.checkpoint"]);
    let cp = env.read("saved.checkpoint");
    let n = lines.len();
    let mut cases: Vec<Tamper> = Vec::new();
    for _ in 0..flips {
        let line = rng.index(n);
        let at = rng.index(lines[line].len() + 1);
        cases.push(Tamper::Flip { line, at, bit: rng.below(8) as u8 });
    }
    cases.extend(sample(n - 1, stride).into_iter().map(Tamper::Swap));
    cases.extend(sample(n, stride).into_iter().map(Tamper::Drop));
    cases.extend(sample(n, stride).into_iter().map(Tamper::Truncate));
    cases.extend(sample(n, stride).into_iter().map(Tamper::Duplicate));
    cases.extend(sample(n, stride).into_iter().map(Tamper::ResignStranger));
    let versions: Vec<usize> =
        (0..n).filter(|&i| matches!(parse_line(&lines[i]).map(|p| p.entry.body), Ok(Body::Version(_)))).collect();
    cases.extend(sample(versions.len(), stride).into_iter().map(|v| Tamper::ResignOther(versions[v])));
    cases.push(Tamper::ResignOwn);

    // Two workers (the machine is shared): each takes the next case.
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).min(2);
    let findings: Vec<TamperFindings> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut f = TamperFindings::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some(case) = cases.get(i) else { break };
                        check_tamper(case, &lines, &c, &cp, i.is_multiple_of(cross_every), &mut f);
                    }
                    f
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("tamper worker")).collect()
    });
    let mut kinds: BTreeMap<&'static str, KindCount> = BTreeMap::new();
    let mut cross_checked = 0;
    for f in findings {
        for (kind, k) in f.kinds {
            let e = kinds.entry(kind).or_default();
            e.tried += k.tried;
            e.detected += k.detected;
            e.right_line += k.right_line;
            e.clean_without_checkpoint += k.clean_without_checkpoint;
        }
        for m in f.failures {
            t.fail(m);
        }
        for m in f.undetected {
            t.miss(m);
        }
        for m in f.panics {
            t.panics += 1;
            t.show("PANIC", &m);
        }
        cross_checked += f.cross_checked;
    }
    t.tried = cases.len() as u64;
    for (kind, k) in &kinds {
        t.info(format!(
            "{kind}: detected {}/{}, first problem at the right line {}/{}{}",
            k.detected,
            k.tried,
            k.right_line,
            k.tried,
            if k.clean_without_checkpoint > 0 {
                format!(" ({} of them pass a plain audit: only the checkpoint shows them)", k.clean_without_checkpoint)
            } else {
                String::new()
            }
        ));
    }
    t.info(format!(
        "{n}-entry ledger, {} cases in {:.1} s on {workers} threads; {cross_checked} of the prefix audits cross-checked \
         against a whole-file audit with the checkpoint",
        cases.len(),
        started.elapsed().as_secs_f64()
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// 4. bundles: forged reader's bundles never verify
// ---------------------------------------------------------------------------------------------

/// Every string and number leaf of a JSON value, as a path of keys and indices.
fn leaves(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(json!(k));
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(json!(i));
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) => out.push(path.clone()),
        Value::Null => {}
    }
}

fn leaf_mut<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, p| match p {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap_or(0) as usize],
        _ => v,
    })
}

/// A small edit that keeps the value's type and shape: the last character of a string changed to
/// a neighbour of the same class (hex stays hex, base64 stays base64), a number plus one.
fn nudge(v: &mut Value) {
    match v {
        Value::String(s) => {
            let mut cs: Vec<char> = s.chars().collect();
            let at = cs.iter().rposition(|c| c.is_ascii_alphanumeric()).unwrap_or(cs.len().saturating_sub(1));
            match cs.get_mut(at) {
                Some(c) => {
                    *c = match *c {
                        '9' => '0',
                        'z' => 'a',
                        'Z' => 'A',
                        'f' if s.len() == 64 || s.len() == 32 => '0',
                        x if x.is_ascii_alphanumeric() => char::from(x as u8 + 1),
                        _ => 'x',
                    }
                }
                None => cs.push('x'),
            }
            *s = cs.into_iter().collect();
        }
        Value::Number(n) => *v = json!(n.as_u64().unwrap_or(0) + 1),
        Value::Bool(b) => *b = !*b,
        _ => {}
    }
}

/// Flips one bit of the `which`-th hash of a tlog-proof (the lines after `index`).
fn flip_proof_hash(proof: &str, which: usize) -> Option<String> {
    let mut ls: Vec<String> = proof.split('\n').map(str::to_string).collect();
    let at = ls.iter().position(|l| l.starts_with("index "))? + 1 + which;
    let mut h = B64.decode(ls.get(at)?).ok()?;
    if h.len() != 32 {
        return None;
    }
    h[which % 32] ^= 0x10;
    ls[at] = B64.encode(h);
    Some(ls.join("\n"))
}

/// Re-signs a checkpoint's text with another key, dropping the original signatures.
fn resign_checkpoint(note: &[u8], key: &SecretKey) -> String {
    let mut n = colophon::log::note::Note::parse(note).expect("a signed note");
    let origin = n.text.lines().next().expect("origin line").to_string();
    n.sigs = vec![colophon::log::note::sign(&n.text, &origin, &key.signing).expect("sign note")];
    String::from_utf8(n.to_bytes()).expect("UTF-8 note")
}

fn bundles_suite(stride: usize) -> Tally {
    let mut t = Tally::new("bundles");
    let mut rng = Rng::new(seed("bundles"));
    let env = Env::new();
    standard(&env);
    env.keygen("Sam Stranger", "sam");
    env.keygen("Gina Ospite", "gina");
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "old.cp"]);
    env.write("bridge.en.txt", TEXT_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["key", "add", "gina.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v2", "--key", "gina.key"]);
    env.ok(&["cosign", "ponte@v2", "--key", "edo.key"]);
    env.ok(&["key", "revoke", "Gina Ospite", "--reason", "compromised", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    env.ok(&["bundle", "ponte@v2", "--out", "b.bundle"]);
    env.write("copy2.txt", TEXT_EN_2);
    // A twin: another ledger of the same origin, the same keys and texts, at other times.
    let twin = |args: &[&str]| {
        let mut a = vec!["--ledger", "twin.jsonl"];
        a.extend_from_slice(args);
        let r = env.run_env(&a, &[("SOURCE_DATE_EPOCH", "1600000000")]);
        assert!(r.is(0), "twin setup: {r}");
    };
    twin(&["init", "--origin", ORIGIN, "--key", "olga.key"]);
    twin(&["key", "add", "tina.pub", "--role", "translator", "--key", "olga.key"]);
    twin(&["key", "add", "edo.pub", "--role", "editor", "--key", "olga.key"]);
    twin(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "tina.key"]);
    env.write("twin1.txt", TEXT_EN_1);
    env.write("twin2.txt", TEXT_EN_2);
    twin(&["record", "twin1.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "tina.key"]);
    twin(&["release", "--work", "ponte", "--tag", "v1", "--key", "tina.key"]);
    twin(&["record", "twin2.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    twin(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    twin(&["cosign", "ponte@v2", "--key", "edo.key"]);
    twin(&["checkpoint", "--key", "olga.key", "-o", "twin.cp"]);
    twin(&["bundle", "ponte@v2", "--out", "twin.bundle"]);
    env.ok(&["--ledger", "other.jsonl", "init", "--origin", "other.example/log", "--key", "olga.key"]);
    env.ok(&["--ledger", "other.jsonl", "checkpoint", "--key", "olga.key", "-o", "other.cp"]);

    let verify = |name: &str| env.run(&["verify", "copy2.txt", "--bundle", name, "--trust", "olga.pub"]);
    let base = verify("b.bundle");
    assert!(base.is(0), "the genuine bundle verifies: {base}");
    let twin_base = verify("twin.bundle");
    assert!(twin_base.is(0), "the twin's genuine bundle verifies: {twin_base}");
    let b: Value = serde_json::from_slice(&env.read("b.bundle")).expect("bundle JSON");
    let tw: Value = serde_json::from_slice(&env.read("twin.bundle")).expect("twin bundle JSON");
    let entries: Vec<String> = serde_json::from_value(b["entries"].clone()).expect("entries");
    let proofs: Vec<String> =
        serde_json::from_value(b["proofs"].clone()).expect("proofs (the bundle has a checkpoint)");
    let checkpoint = b["checkpoint"].as_str().expect("checkpoint").to_string();
    let twin_entries: Vec<String> = serde_json::from_value(tw["entries"].clone()).expect("entries");
    let twin_proofs: Vec<String> = serde_json::from_value(tw["proofs"].clone()).expect("proofs");
    let n = entries.len();
    let seq_of = |l: &str| parse_line(l.as_bytes()).expect("bundle line").entry.seq;

    // (what, bytes, parseable JSON)
    let mut cases: Vec<(String, Vec<u8>, bool)> = Vec::new();
    let mut add = |what: String, f: &dyn Fn(&mut Value)| {
        let mut v = b.clone();
        f(&mut v);
        cases.push((what, serde_json::to_vec_pretty(&v).expect("JSON"), true));
    };
    for i in 0..n - 1 {
        add(format!("entries {} and {} swapped", i + 1, i + 2), &|v| {
            v["entries"].as_array_mut().expect("array").swap(i, i + 1);
        });
        add(format!("entries {} and {} swapped with their proofs", i + 1, i + 2), &|v| {
            v["entries"].as_array_mut().expect("array").swap(i, i + 1);
            v["proofs"].as_array_mut().expect("array").swap(i, i + 1);
        });
    }
    // A field edited, the line kept canonical (so only the signature can catch it).
    let mut edits = 0;
    for (i, line) in entries.iter().enumerate() {
        let e: Value = serde_json::from_str(line).expect("entry JSON");
        let mut paths = Vec::new();
        leaves(&e, &mut Vec::new(), &mut paths);
        for path in paths.iter().skip(i % stride).step_by(stride) {
            let mut e2 = e.clone();
            nudge(leaf_mut(&mut e2, path));
            let Ok(bytes) = colophon::format::jcs::to_vec(&e2) else { continue };
            let new_line = String::from_utf8(bytes).expect("UTF-8");
            if new_line == *line {
                continue;
            }
            edits += 1;
            add(format!("entry {} field {path:?} edited", i + 1), &|v| v["entries"][i] = json!(new_line));
        }
    }
    // The checkpoint replaced by another valid one, alone or with every proof's copy of it.
    let old_cp = String::from_utf8(env.read("old.cp")).expect("UTF-8");
    let by_tina = resign_checkpoint(checkpoint.as_bytes(), &env.secret("tina"));
    let by_sam = resign_checkpoint(checkpoint.as_bytes(), &env.secret("sam"));
    for (name, cp) in [
        ("older checkpoint of this ledger", old_cp),
        ("checkpoint of a twin ledger of the same origin", String::from_utf8(env.read("twin.cp")).expect("UTF-8")),
        ("checkpoint of another ledger", String::from_utf8(env.read("other.cp")).expect("UTF-8")),
        ("the checkpoint re-signed by a translator", by_tina),
        ("the checkpoint re-signed by a stranger", by_sam),
    ] {
        let cp2 = cp.clone();
        add(name.to_string(), &move |v| v["checkpoint"] = json!(cp2));
        let real = checkpoint.clone();
        add(format!("{name}, also in every proof"), &move |v| {
            v["checkpoint"] = json!(cp);
            for p in v["proofs"].as_array_mut().expect("array") {
                let s = p.as_str().expect("proof").to_string();
                *p = json!(s.strip_suffix(&real).map(|head| format!("{head}{cp}")).unwrap_or(s));
            }
        });
    }
    // Forged inclusion proofs: each hash of each proof, and each index.
    for (i, proof) in proofs.iter().enumerate() {
        let mut which = 0;
        while let Some(forged) = flip_proof_hash(proof, which) {
            add(format!("proof {} hash {} flipped", i + 1, which + 1), &|v| v["proofs"][i] = json!(forged));
            which += 1;
        }
        let s = seq_of(&entries[i]);
        let other = proof.replacen(&format!("\nindex {s}\n"), &format!("\nindex {}\n", s + 1), 1);
        add(format!("proof {} index changed", i + 1), &|v| v["proofs"][i] = json!(other));
    }
    // Entries from the twin ledger (same origin, same keys, valid signatures) in place of ours.
    for (i, line) in entries.iter().enumerate() {
        let s = seq_of(line);
        let Some(j) = twin_entries.iter().position(|l| seq_of(l) == s) else { continue };
        if twin_entries[j] == *line {
            continue;
        }
        let (te, tp) = (twin_entries[j].clone(), twin_proofs[j].clone());
        add(format!("entry {} (seq {s}) from the twin ledger", i + 1), &|v| v["entries"][i] = json!(te));
        add(format!("entry {} (seq {s}) and its proof from the twin ledger", i + 1), &|v| {
            v["entries"][i] = json!(te);
            v["proofs"][i] = json!(tp);
        });
    }
    // The twin's entries under our checkpoint and proofs.
    let te = tw["entries"].clone();
    add("all entries from the twin ledger".into(), &|v| v["entries"] = te.clone());
    // Entries removed, with their proofs.
    let mut removals = Vec::new();
    let mut omissions = Vec::new();
    for (i, line) in entries.iter().enumerate() {
        let kind = parse_line(line.as_bytes()).expect("bundle line").entry.body.kind().to_string();
        let mut v = b.clone();
        v["entries"].as_array_mut().expect("array").remove(i);
        v["proofs"].as_array_mut().expect("array").remove(i);
        let what = format!("entry {} (seq {}, {kind}) removed with its proof", i + 1, seq_of(line));
        if kind == "cosign" || kind == "revoke" {
            // Not detectable from the bundle alone (spec/verify.md §3.4): checked apart below.
            omissions.push((what, serde_json::to_vec_pretty(&v).expect("JSON")));
            continue;
        }
        removals.push((what, serde_json::to_vec_pretty(&v).expect("JSON"), true));
    }
    // Proofs removed while the checkpoint stays.
    add("`proofs` removed".into(), &|v| {
        v.as_object_mut().expect("object").remove("proofs");
    });
    add("`proofs` empty".into(), &|v| v["proofs"] = json!([]));
    add("`proofs` null".into(), &|v| v["proofs"] = Value::Null);
    for i in 0..n {
        add(format!("proof {} removed", i + 1), &|v| {
            v["proofs"].as_array_mut().expect("array").remove(i);
        });
        add(format!("proof {} emptied", i + 1), &|v| v["proofs"][i] = json!(""));
        let other = proofs[(i + 1) % n].clone();
        add(format!("proof {} replaced by proof {}", i + 1, (i + 1) % n + 1), &|v| v["proofs"][i] = json!(other));
    }
    // The release member pointing elsewhere.
    for (i, line) in entries.iter().enumerate() {
        let h = entry_hash(line.as_bytes()).to_hex();
        if Some(h.as_str()) != b["release"].as_str() {
            add(format!("`release` names entry {}", i + 1), &|v| v["release"] = json!(h));
        }
    }
    cases.extend(removals);
    // Unparseable: the bundle cut short.
    let raw = env.read("b.bundle");
    for _ in 0..12 {
        let cut = 1 + rng.index(raw.len() - 2);
        cases.push((format!("bundle cut at byte {cut}"), raw[..cut].to_vec(), false));
    }

    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    for (what, bytes, parseable) in &cases {
        t.tried += 1;
        env.write("forged.bundle", bytes);
        let r = verify("forged.bundle");
        if !t.no_panic(&r) {
            continue;
        }
        *by_code.entry(format!("exit {:?}", r.code)).or_default() += 1;
        // spec/cli.md §3 (`verify`): a file that is not a bundle at all is bad input (exit 2); a
        // bundle that fails its checks is a verdict (exit 1).
        match (r.code, parseable) {
            (Some(1), true) | (Some(2), false) => {}
            (Some(0), _) => t.miss(format!("{what}: verified (exit 0):\n{}", r.stdout)),
            _ => t.fail(format!("{what}: expected exit {}: {r}", if *parseable { 1 } else { 2 })),
        }
    }
    t.info(format!("{} forged bundles ({edits} field edits) of a {n}-entry bundle: {by_code:?}", cases.len()));
    // A cosign or revocation left out: the verdict must carry the caveat of spec/verify.md §3.4.
    for (what, bytes) in &omissions {
        env.write("forged.bundle", bytes);
        let r = verify("forged.bundle");
        if t.no_panic(&r)
            && !r.stdout.contains("revocations, cosignatures and later releases are those the bundle holds")
        {
            t.fail(format!("{what}: the verdict does not say that left-out entries cannot be seen: {r}"));
        }
    }
    t.info(format!(
        "{} bundles with a cosign or revocation left out (not detectable from a bundle, spec/verify.md §3.4): \
         each verdict says so",
        omissions.len()
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// 5. bad input: every command, every kind of bad file
// ---------------------------------------------------------------------------------------------

/// Words that show an error message says what to do (a command, an option, an action), or, for a
/// name that names nothing, says so and what there is instead.
const HINTS: &[&str] = &[
    "use ",
    "run ",
    "create",
    "check",
    "give ",
    "choose",
    "set ",
    "chmod",
    "point ",
    "remove",
    "name ",
    "pass ",
    "try",
    "--",
    "`colophon",
    "make ",
    "ask ",
    "regenerate",
    "see ",
    "a new ",
    "fix",
    "restore",
    "free ",
    "expected",
    "must ",
    "should ",
    "only ",
    "not a ",
    "is not ",
    "is a ",
    "instead",
    "no such",
    "permission",
    "empty",
    "has no ",
    "no versions",
    "its tags",
    "not registered",
];

/// One bad-input case: a command, the exit codes that are right for it, and the name (file, REF,
/// or the option that took it; alternatives separated by `|`) its message must mention.
struct BadCase {
    what: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    expect: &'static [i32],
    mention: String,
}

/// Every file directly in `dir` and in `dir/bad` with its bytes (directories as such), except the
/// main ledger's look-up index (derived data that reads may bring up to date).
fn snapshot(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut v = Vec::new();
    for sub in ["", "bad"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in rd.flatten() {
            let name = format!("{sub}/{}", e.file_name().to_string_lossy());
            // The look-up index of a ledger is derived data any read may bring up to date (also
            // beside the ledger damaged at its last line); beside a file that is no ledger, none
            // may appear.
            if name.starts_with(&format!("/{LEDGER}.index")) || name.starts_with("bad/unknown-type.jsonl.index") {
                continue;
            }
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p);
            let content =
                if meta.is_ok_and(|m| m.is_file()) { std::fs::read(&p).ok().or(Some(Vec::new())) } else { None };
            v.push((name, content));
        }
    }
    v.sort();
    v
}

fn diff_snapshots(a: &[(String, Option<Vec<u8>>)], b: &[(String, Option<Vec<u8>>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (n, c) in b {
        match a.iter().find(|(m, _)| m == n) {
            None => out.push(format!("created {n}")),
            Some((_, d)) if d != c => out.push(format!("changed {n}")),
            _ => {}
        }
    }
    for (n, _) in a {
        if !b.iter().any(|(m, _)| m == n) {
            out.push(format!("removed {n}"));
        }
    }
    out
}

/// The commands `colophon --help` lists.
fn listed_commands() -> Vec<String> {
    let out = Command::new(BIN).arg("--help").env("NO_COLOR", "1").output().expect("run colophon --help");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut in_list = false;
    let mut v = Vec::new();
    for l in text.lines() {
        if l.starts_with("Commands:") {
            in_list = true;
        } else if in_list && l.starts_with("  ") && !l.starts_with("    ") {
            v.push(l.split_whitespace().next().unwrap_or_default().to_string());
        } else if in_list && !l.starts_with("  ") {
            in_list = false;
        }
    }
    v
}

/// A sparse 2 GiB file recorded by hash: the peak memory of `record --hash-only`.
fn big_input(env: &Env, t: &mut Tally) {
    t.tried += 1;
    let f = std::fs::File::create(env.path("big.bin")).expect("create big file");
    f.set_len(2 << 30).expect("sparse 2 GiB");
    drop(f);
    let args =
        strings(&["--json", "record", "big.bin", "--hash-only", "--work", "big", "--lang", "en", "--key", "tina.key"]);
    let started = Instant::now();
    let mut child = env.spawn(&args);
    let pid = child.id();
    let mut peak_kib = 0u64;
    let status_path = format!("/proc/{pid}/status");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    while child.try_wait().expect("poll colophon").is_none() {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(v) = s.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak_kib = peak_kib.max(v.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().expect("wait");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let out = Output { status, stdout: reader.join().expect("reader"), stderr: err.into_bytes() };
    let r = Run::from_output(&args, &out);
    t.no_panic(&r);
    if !r.is(0) {
        t.fail(format!("record of a 2 GiB file failed: {r}"));
    }
    if peak_kib > 128 * 1024 {
        t.fail(format!("record of a 2 GiB file peaked at {} MiB", peak_kib / 1024));
    }
    t.info(format!(
        "2 GiB sparse file: `record --hash-only` exit {:?} in {:.1} s, peak RSS {} MiB (sampled every 5 ms)",
        r.code,
        started.elapsed().as_secs_f64(),
        peak_kib / 1024
    ));
    let _ = std::fs::remove_file(env.path("big.bin"));
}

fn bad_input_suite(with_big_file: bool) -> Tally {
    let mut t = Tally::new("bad-input");
    // Never root: a file of mode 000 must be unreadable to the binary (as root, the binary runs
    // as nobody; see Env::unprivileged).
    let env = Env::unprivileged();
    standard(&env);
    env.keygen("Nina Nuova", "newbie");
    env.keygen("Ezio Extra", "extra");
    env.keygen("Witness One", "w1");
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp1"]);
    env.ok(&["bundle", "ponte@v1", "--out", "v1.bundle"]);
    env.ok(&["prove", "inclusion", "ponte@v1", "-o", "v1.proof"]);
    // The witness has cosigned cp1: a later checkpoint needs a consistency proof.
    env.ok(&[
        "witness",
        "cp1",
        "--key",
        "w1.key",
        "--name",
        "w.example/w1",
        "--state",
        "w.state",
        "--log-key",
        "olga.pub",
    ]);
    env.write("bridge.en.txt", TEXT_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    let pass = "correct horse battery staple 7";
    remember_passphrase(pass);
    let r = env.run_env(&["keygen", "--name", "Enzo Cifrato", "--out", "enc"], &[("COLOPHON_PASSPHRASE", pass)]);
    assert!(r.is(0), "{r}");
    env.ok(&["key", "add", "enc.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "add", "newbie.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp2"]);
    env.ok(&["prove", "consistency", "cp1", "cp2", "-o", "grow.proof"]);
    env.ok(&["publish", "tiles"]);
    // The bad files.
    std::fs::create_dir_all(env.path("bad/a-directory")).expect("mkdir");
    std::fs::create_dir_all(env.path("bad/empty-dir")).expect("mkdir");
    env.write("bad/empty.txt", b"");
    env.write("bad/latin1.txt", b"caf\xe9 cr\xe8me br\xfbl\xe9e\n\xff\xfe\n");
    env.write("bad/malformed.json", br#"{"format": "colophon-bundle-v1", "origin": "x", "entries": ["{\"v\":1"#);
    env.write("bad/notes.txt", b"shopping list\nmilk\n");
    env.write("bad/unreadable.txt", b"shopping list\nmilk\n");
    std::fs::set_permissions(env.path("bad/unreadable.txt"), std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::copy(env.path("tina.key"), env.path("bad/open.key")).expect("copy key");
    std::fs::set_permissions(env.path("bad/open.key"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    {
        // A ledger whose last entry has a (critical) type this version does not know.
        let owner = env.secret("olga");
        let mut lines: Vec<Vec<u8>> = split_ledger(&env.read(LEDGER)).0.iter().map(|l| l.to_vec()).collect();
        let prev = entry_hash(lines.last().expect("lines"));
        let body = Body::Unknown { kind: "x-future".into(), value: json!({"what": "a later format"}) };
        let e = Entry::sign(lines.len() as u64, Some(prev), Builder::time(1), body, &owner).expect("sign");
        lines.push(e.to_line().expect("line"));
        env.write("bad/unknown-type.jsonl", join_lines(&lines));
    }

    const MISSING: &str = "bad/missing.txt";
    const DIR: &str = "bad/a-directory";
    const UNREADABLE: &str = "bad/unreadable.txt";
    const EMPTY: &str = "bad/empty.txt";
    const LATIN1: &str = "bad/latin1.txt";
    const JSON: &str = "bad/malformed.json";
    const NOTES: &str = "bad/notes.txt";
    const UNKNOWN: &str = "bad/unknown-type.jsonl";
    const E2: &[i32] = &[2];
    const E1: &[i32] = &[1];
    // The files made above are the binary's user's, as its own would be.
    env.hand_over();
    let mut cases: Vec<BadCase> = Vec::new();
    let mut case = |what: String, args: Vec<String>, expect: &'static [i32], mention: &str| {
        cases.push(BadCase { what, args, envs: Vec::new(), expect, mention: mention.to_string() });
    };
    let sub = |tpl: &[&str], x: &str| -> Vec<String> {
        tpl.iter().map(|a| if *a == "@" { x.to_string() } else { a.to_string() }).collect()
    };

    // Ledgers (--ledger): for audit, a file that is there but is no valid ledger is a verdict (1).
    let ledger_cmds: &[&[&str]] = &[
        &["key", "list"],
        &["log"],
        &["show", "ponte:it@1"],
        &["audit"],
        &["record", "ponte.it.txt", "--work", "x", "--lang", "it", "--key", "tina.key"],
        &["key", "add", "extra.pub", "--role", "editor", "--key", "olga.key"],
        &["key", "revoke", "Edo Marini", "--reason", "retired", "--key", "olga.key"],
        &["release", "--work", "ponte", "--tag", "v9", "--key", "tina.key"],
        &["cosign", "ponte@v1", "--key", "edo.key"],
        &["bundle", "ponte@v1"],
        &["verify", "copy.txt", "--trust", "olga.pub"],
        &["diff", "ponte:it@1", "ponte:en@1"],
        &["checkpoint", "--key", "olga.key"],
        &["prove", "inclusion", "ponte@v1"],
        &["prove", "consistency", "cp1", "cp2"],
        &["publish", "bad/published", "--key", "olga.key"],
    ];
    for l in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES, UNKNOWN, "olga.key"] {
        for cmd in ledger_cmds {
            let mut args = strings(&["--ledger", l]);
            args.extend(strings(cmd));
            let content_problem = ![MISSING, DIR, UNREADABLE].contains(&l);
            let expect = if cmd[0] == "audit" && content_problem { E1 } else { E2 };
            case(format!("ledger {l}: {}", cmd.join(" ")), args, expect, l);
        }
    }
    for l in [DIR, NOTES] {
        case(
            format!("ledger {l}: init"),
            strings(&["--ledger", l, "init", "--origin", "x.example/y", "--key", "olga.key"]),
            E2,
            l,
        );
    }
    // Secret keys (--key).
    let key_cmds: &[&[&str]] = &[
        &["--ledger", "bad/new.jsonl", "init", "--origin", "x.example/y", "--key", "@"],
        &["key", "add", "extra.pub", "--role", "editor", "--key", "@"],
        &["key", "revoke", "Edo Marini", "--reason", "retired", "--key", "@"],
        &["record", "ponte.it.txt", "--work", "x", "--lang", "it", "--key", "@"],
        &["release", "--work", "ponte", "--tag", "v9", "--key", "@"],
        &["cosign", "ponte@v1", "--key", "@"],
        &["checkpoint", "--key", "@"],
        &["publish", "bad/published", "--key", "@"],
        &["witness", "cp2", "--key", "@", "--name", "w.example/w1", "--state", "w.state", "--log-key", "olga.pub"],
    ];
    for k in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES, "tina.pub", "bad/open.key", "enc.key"] {
        for cmd in key_cmds {
            case(format!("key {k}: {}", cmd.join(" ")), sub(cmd, k), E2, k);
        }
    }
    // Public keys and keyrings.
    let pub_cmds: &[&[&str]] = &[
        &["key", "add", "@", "--role", "editor", "--key", "olga.key"],
        &["vkey", "@", "--name", "w.example/w1"],
        &["verify", "copy.txt", "--trust", "@"],
        &["verify", "copy.txt", "--bundle", "v1.bundle", "--trust", "@"],
        &["audit", "--trust", "@"],
        &["verify-proof", "v1.proof", "--trust", "@"],
        &["witness", "cp2", "--key", "w1.key", "--name", "w.example/w1", "--state", "w.state", "--log-key", "@"],
    ];
    for p in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES, "olga.key"] {
        for cmd in pub_cmds {
            // An empty keyring is bad input too (spec/ledger.md §10.1), not "no trust roots given".
            case(format!("public key {p}: {}", cmd.join(" ")), sub(cmd, p), E2, p);
        }
    }
    // Files to record, copies to verify, files to compare.
    let text_cmds: &[&[&str]] = &[
        &["record", "@", "--work", "x", "--lang", "it", "--key", "tina.key"],
        &["verify", "@", "--trust", "olga.pub"],
        &["verify", "@", "--bundle", "v1.bundle", "--trust", "olga.pub"],
        &["diff", "@", "ponte:it@1"],
    ];
    for f in [MISSING, DIR, UNREADABLE, EMPTY] {
        for cmd in text_cmds {
            // An empty file is a file like any other to compare.
            if f == EMPTY && cmd[0] == "diff" {
                continue;
            }
            case(format!("file {f}: {}", cmd.join(" ")), sub(cmd, f), E2, f);
        }
    }
    // Bundles.
    for b in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES, LEDGER] {
        // None of them is a bundle at all (not a JSON object with `format`): bad input (spec/cli.md
        // §3, `verify`), not a verdict on a bundle.
        case(format!("bundle {b}"), strings(&["verify", "copy.txt", "--bundle", b, "--trust", "olga.pub"]), E2, b);
    }
    // Checkpoints. None of the files is a signed note: bad input to every command
    // (spec/transparency.md §8 for `audit --since`; spec/cli.md §1), not a verdict on a checkpoint.
    let cp_cmds: &[&[&str]] = &[
        &["audit", "--since", "@"],
        &["prove", "inclusion", "ponte@v1", "--checkpoint", "@"],
        &["prove", "consistency", "@", "cp2"],
        &["prove", "consistency", "cp1", "@"],
        &["verify", "copy.txt", "--bundle", "v1.bundle", "--trust", "olga.pub", "--checkpoint", "@"],
        &["verify-proof", "grow.proof", "--old", "@", "--new", "cp2", "--trust", "olga.pub"],
        &["witness", "@", "--key", "w1.key", "--name", "w.example/w1", "--state", "w.state", "--log-key", "olga.pub"],
    ];
    for c in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES] {
        for cmd in cp_cmds {
            let option = cmd.iter().zip(cmd.iter().skip(1)).find(|(_, v)| **v == "@").map_or("", |(o, _)| *o);
            let mention = if option.starts_with("--") { format!("{c}|{option}") } else { c.to_string() };
            case(format!("checkpoint {c}: {}", cmd.join(" ")), sub(cmd, c), E2, &mention);
        }
    }
    // Proofs. None of the files is a proof file at all: bad input (spec/cli.md §1).
    let proof_cmds: &[&[&str]] = &[
        &["verify-proof", "@", "--trust", "olga.pub"],
        &[
            "verify",
            "copy.txt",
            "--bundle",
            "v1.bundle",
            "--trust",
            "olga.pub",
            "--checkpoint",
            "cp2",
            "--consistency",
            "@",
        ],
        &[
            "witness",
            "cp2",
            "--key",
            "w1.key",
            "--name",
            "w.example/w1",
            "--state",
            "w.state",
            "--log-key",
            "olga.pub",
            "--proof",
            "@",
        ],
    ];
    for p in [MISSING, DIR, UNREADABLE, EMPTY, LATIN1, NOTES] {
        for cmd in proof_cmds {
            case(format!("proof {p}: {}", cmd.join(" ")), sub(cmd, p), E2, p);
        }
    }
    // Witness state files.
    for s in [DIR, UNREADABLE, EMPTY, LATIN1, JSON, NOTES] {
        let args =
            ["witness", "cp2", "--key", "w1.key", "--name", "w.example/w1", "--state", s, "--log-key", "olga.pub"];
        case(format!("witness state {s}"), strings(&args), E2, s);
    }
    // Tiles directories: missing, a file, or without a `checkpoint`: no published log to read, bad
    // input (spec/cli.md §1), never taken for a log that forked.
    let tiles_cmds: &[&[&str]] = &[
        &["audit", "--tiles", "@"],
        &["verify", "copy.txt", "--tiles", "@", "--trust", "olga.pub"],
        &["prove", "inclusion", "ponte@v1", "--tiles", "@"],
        &["prove", "consistency", "cp1", "cp2", "--tiles", "@"],
        &[
            "witness",
            "cp2",
            "--key",
            "w1.key",
            "--name",
            "w.example/w1",
            "--state",
            "w.state",
            "--log-key",
            "olga.pub",
            "--tiles",
            "@",
        ],
    ];
    for d in [MISSING, NOTES, "bad/empty-dir"] {
        for cmd in tiles_cmds {
            case(format!("tiles {d}: {}", cmd.join(" ")), sub(cmd, d), E2, d);
        }
    }
    // Output files that cannot be written: nothing is signed or appended.
    let out_cmds: &[&[&str]] = &[
        &["show", "ponte:it@1", "-o", "@"],
        &["bundle", "ponte@v1", "--out", "@"],
        &["checkpoint", "--key", "olga.key", "-o", "@"],
        &["prove", "inclusion", "ponte@v1", "-o", "@"],
        &["prove", "consistency", "cp1", "cp2", "-o", "@"],
        &["release", "--work", "ponte", "--tag", "v9", "--bundle", "@", "--key", "tina.key"],
        &[
            "witness",
            "cp2",
            "--key",
            "w1.key",
            "--name",
            "w.example/w1",
            "--state",
            "w.state",
            "--log-key",
            "olga.pub",
            "-o",
            "@",
        ],
    ];
    for o in ["bad/no-such-dir/out", DIR] {
        for cmd in out_cmds {
            case(format!("output {o}: {}", cmd.join(" ")), sub(cmd, o), E2, o);
        }
    }
    case(
        "keygen into a missing directory".into(),
        strings(&["keygen", "--name", "X", "--out", "bad/no-such-dir/x", "--unencrypted"]),
        E2,
        "bad/no-such-dir/x",
    );
    case(
        "keygen over an existing key".into(),
        strings(&["keygen", "--name", "X", "--out", "olga", "--unencrypted"]),
        E2,
        "olga.key",
    );
    case("publish into a file".into(), strings(&["publish", NOTES]), E2, NOTES);
    case(
        "init over an existing ledger".into(),
        strings(&["init", "--origin", "x.example/y", "--key", "olga.key"]),
        E2,
        LEDGER,
    );
    // REFs of the wrong kind, or naming nothing.
    let key_entry = line_hashes(&env.read(LEDGER))[1][..12].to_string();
    let ref_cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["bundle", "ponte:en@1"], "ponte:en@1"),
        (vec!["bundle", &key_entry], &key_entry),
        (vec!["bundle", "nosuch@v1"], "nosuch@v1"),
        (vec!["bundle", "ponte@v9"], "ponte@v9"),
        (vec!["cosign", "ponte:it@1", "--key", "edo.key"], "ponte:it@1"),
        (vec!["cosign", "nosuch@v1", "--key", "edo.key"], "nosuch@v1"),
        (vec!["show", "nosuch:it"], "nosuch:it"),
        (vec!["show", "ponte:it@9"], "ponte:it@9"),
        (vec!["show", "abc"], "abc"),
        (vec!["show", "ponte:it@x"], "ponte:it@x"),
        (vec!["prove", "inclusion", "nosuch@v1"], "nosuch@v1"),
        (
            vec!["release", "--work", "ponte", "--tag", "v9", "--translation", "ponte:it@1", "--key", "tina.key"],
            "ponte:it@1|--translation",
        ),
        (
            vec!["release", "--work", "ponte", "--tag", "v9", "--translation", "ponte@v1", "--key", "tina.key"],
            "ponte@v1|--translation",
        ),
        (
            vec!["release", "--work", "ponte", "--tag", "v9", "--original", "ponte:en@1", "--key", "tina.key"],
            "ponte:en@1|--original",
        ),
        (vec!["release", "--work", "nosuch", "--tag", "v9", "--key", "tina.key"], "nosuch"),
        (
            vec![
                "record",
                "bridge.en.txt",
                "--work",
                "ponte",
                "--lang",
                "de",
                "--of",
                "ponte:en@1",
                "--key",
                "tina.key",
            ],
            "ponte:en@1|--of",
        ),
        (
            vec!["record", "bridge.en.txt", "--work", "ponte", "--lang", "de", "--of", "ponte@v1", "--key", "tina.key"],
            "ponte@v1|--of",
        ),
        (
            vec![
                "record",
                "bridge.en.txt",
                "--work",
                "ponte",
                "--lang",
                "de",
                "--of",
                "nosuch:it",
                "--key",
                "tina.key",
            ],
            "nosuch:it",
        ),
        (vec!["key", "revoke", "nobody", "--reason", "retired", "--key", "olga.key"], "nobody"),
        (vec!["diff", "ponte:it@1", "nosuch:it"], "nosuch:it"),
        (vec!["status", "--work", "nosuch"], "nosuch"),
        (vec!["export", "minisig", "nosuch@v1", "--key", "tina.key"], "nosuch@v1"),
        (vec!["export", "clearsign", "ponte:it@1", "--key", "tina.key"], "ponte:it@1"),
        (vec!["export", "prov", "--work", "nosuch"], "nosuch"),
        (vec!["export", "premis", "--work", "nosuch"], "nosuch"),
        (vec!["export", "bagit", "bag-out", "nosuch"], "nosuch"),
        (vec!["export", "minisign-key", "nosuch.pub"], "nosuch.pub"),
        (
            vec![
                "record",
                "bridge.en.txt",
                "--work",
                "ponte",
                "--lang",
                "english",
                "--of",
                "ponte:it",
                "--key",
                "tina.key",
            ],
            "english",
        ),
    ];
    for (args, mention) in ref_cases {
        case(format!("REF: {}", args.join(" ")), strings(&args), E2, mention);
    }
    // The wrong line given as the entry of an inclusion proof: the proof does not hold for it, a
    // verdict (`proof.inclusion`, spec/transparency.md §5 item 4).
    case(
        "entry file".into(),
        strings(&["verify-proof", "v1.proof", "--trust", "olga.pub", "--entry", NOTES]),
        E1,
        "entry",
    );
    // Passphrases: wrong, or none without a terminal.
    let enc_cmds: &[&[&str]] = &[
        &["--ledger", "bad/new.jsonl", "init", "--origin", "x.example/y", "--key", "enc.key"],
        &["record", "ponte.it.txt", "--work", "x", "--lang", "it", "--key", "enc.key"],
        &["checkpoint", "--key", "enc.key"],
    ];
    for cmd in enc_cmds {
        cases.push(BadCase {
            what: format!("wrong passphrase: {}", cmd.join(" ")),
            args: strings(cmd),
            envs: vec![("COLOPHON_PASSPHRASE".into(), "wrong horse".into())],
            expect: E2,
            mention: "enc.key".into(),
        });
    }

    // Every listed command with a file or REF argument is covered.
    let covered: HashSet<String> = cases
        .iter()
        .flat_map(|c| {
            c.args.iter().filter(|a| !a.starts_with('-') && !a.contains('/') && !a.contains('.')).take(1).cloned()
        })
        .collect();
    for c in listed_commands() {
        if ["demo", "completions", "man", "help"].contains(&c.as_str()) {
            continue;
        }
        if !covered.contains(&c) {
            t.fail(format!("command `{c}` has no bad-input case"));
        }
    }

    let ledger_before = env.read(LEDGER);
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    let mut no_hint = 0;
    for c in &cases {
        t.tried += 1;
        let before = snapshot(env.dir.path());
        let envs: Vec<(&str, &str)> = c.envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let r = env.run_env(&args, &envs);
        if !t.no_panic(&r) {
            continue;
        }
        *by_code.entry(format!("exit {:?}", r.code)).or_default() += 1;
        let after = snapshot(env.dir.path());
        let changed = diff_snapshots(&before, &after);
        if !changed.is_empty() {
            t.fail(format!("{}: the failed command changed files: {changed:?}\n{r}", c.what));
        }
        if !r.code.is_some_and(|code| c.expect.contains(&code)) {
            t.fail(format!("{}: expected exit {:?}: {r}", c.what, c.expect));
            continue;
        }
        // A verdict (1) is printed on stdout and is its own answer; an error (2) goes to stderr and
        // says what to do.
        let msg = if r.is(1) { format!("{}\n{}", r.stdout, r.stderr) } else { r.stderr.clone() };
        let named = c.mention.split('|').any(|m| {
            let file_name = Path::new(m).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            msg.contains(m) || (!file_name.is_empty() && msg.contains(&file_name))
        });
        if !named {
            t.fail(format!("{}: the message does not name {}: {r}", c.what, c.mention));
        } else if r.is(2) && !HINTS.iter().any(|h| msg.to_lowercase().contains(h)) {
            no_hint += 1;
            t.fail(format!("{}: the message says what is wrong but not what to do: {r}", c.what));
        }
    }
    if env.read(LEDGER) != ledger_before {
        t.fail("the ledger changed during the bad-input cases");
    }
    t.info(format!(
        "{} cases{}: {by_code:?}; {no_hint} messages without advice",
        cases.len(),
        if env.user.is_some() { " (run as nobody: the tests run as root)" } else { "" }
    ));

    full_disk(&env, &mut t);
    if full() {
        real_full_disk(&env, &mut t);
    } else {
        t.info("full tmpfs: only in the full run (COLOPHON_STRESS=full), which mounts one when allowed");
    }
    stdout_full(&env, &mut t);
    if with_big_file {
        big_input(&env, &mut t);
    } else {
        t.info("2 GiB input: only in the full run (COLOPHON_STRESS=full)");
    }
    t
}

/// Runs the binary with its file size limited to `blocks` blocks of `ulimit -f` (SIGXFSZ ignored,
/// so that a write past the limit fails with EFBIG, as a write to a full disk fails with ENOSPC).
fn run_limited(env: &Env, args: &[&str], blocks: u64) -> Run {
    let mut sh = Command::new("sh");
    env.clean(&mut sh);
    sh.arg("-c").arg(format!("ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" \"$@\"")).arg(BIN).args(args);
    let out = sh.output().expect("run sh");
    Run::from_output(&strings(args), &out)
}

/// Runs the binary with its standard output on /dev/full (every write fails with ENOSPC).
fn run_to_full_stdout(env: &Env, args: &[&str]) -> Run {
    let a = strings(args);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = env.command(&a).stdout(full).output().expect("run colophon");
    Run::from_output(&a, &out)
}

/// The block size of `ulimit -f` in `sh`, found by trying it.
fn ulimit_block(dir: &Path) -> u64 {
    let probe = dir.join("ulimit.probe");
    let _ = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1; trap '' XFSZ; head -c 4096 /dev/zero > \"$0\"")
        .arg(&probe)
        .output();
    let n = std::fs::metadata(&probe).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&probe);
    n
}

/// A full disk, as a process sees it: writes past a size limit fail (RLIMIT_FSIZE set with
/// `ulimit -f`, SIGXFSZ ignored, so the write returns EFBIG as a full disk returns ENOSPC).
fn full_disk(env: &Env, t: &mut Tally) {
    let block = ulimit_block(env.dir.path());
    if block == 0 {
        common::skip(
            "full disk (`ulimit -f`) in the bad-input stress suite",
            "`sh -c ulimit -f` is not available here (ENOSPC itself needs a small filesystem, which needs root to mount)",
        );
        return;
    }
    let len = env.read(LEDGER).len() as u64;
    // One block past the ledger's end: an append starts, writes part of its line, then fails.
    let partial = len / block + 1;
    env.write("long.txt", format!("{TEXT_IT}{TEXT_EN_1}{TEXT_EN_2}").repeat(3));
    let cases: Vec<(&str, u64, Vec<&str>)> = vec![
        (
            "record (the line written in part)",
            partial,
            vec!["record", "long.txt", "--work", "full", "--lang", "it", "--key", "tina.key"],
        ),
        ("key add", len / block, vec!["key", "add", "extra.pub", "--role", "editor", "--key", "olga.key"]),
        ("release", len / block, vec!["release", "--work", "ponte", "--tag", "v8", "--key", "tina.key"]),
        ("cosign", len / block, vec!["cosign", "ponte@v1", "--key", "newbie.key"]),
        ("init", 0, vec!["--ledger", "bad/full.jsonl", "init", "--origin", "x.example/y", "--key", "olga.key"]),
        ("keygen", 0, vec!["keygen", "--name", "Full Disk", "--out", "bad/fulldisk", "--unencrypted"]),
        ("checkpoint", 0, vec!["checkpoint", "--key", "olga.key", "-o", "bad/full.cp"]),
        ("bundle --out", 0, vec!["bundle", "ponte@v1", "--out", "bad/full.bundle"]),
        ("show -o", 0, vec!["show", "ponte:it@1", "-o", "bad/full.txt"]),
        ("prove inclusion -o", 0, vec!["prove", "inclusion", "ponte@v1", "-o", "bad/full.proof"]),
        ("publish", 0, vec!["publish", "bad/full-tiles"]),
        (
            "witness",
            0,
            vec![
                "witness",
                "cp2",
                "--key",
                "w1.key",
                "--name",
                "w.example/w1",
                "--state",
                "bad/full.state",
                "--log-key",
                "olga.pub",
                "-o",
                "bad/full.cosigned",
            ],
        ),
    ];
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for (what, blocks, args) in &cases {
        t.tried += 1;
        let before = snapshot(env.dir.path());
        let r = run_limited(env, args, *blocks);
        if !t.no_panic(&r) {
            continue;
        }
        *codes.entry(format!("exit {:?}", r.code)).or_default() += 1;
        // Publishing may leave the directories it made (every file in them is written to a
        // temporary name and renamed; the checkpoint, written last, is not there).
        let changed: Vec<String> = diff_snapshots(&before, &snapshot(env.dir.path()))
            .into_iter()
            .filter(|c| !c.contains(".jsonl.index") && c != "created bad/full-tiles")
            .collect();
        if !changed.is_empty() {
            t.fail(format!("full disk, {what}: changed or left behind {changed:?}: {r}"));
        }
        if !r.is(2) {
            t.fail(format!("full disk, {what}: expected exit 2: {r}"));
        } else if !r.stderr.to_lowercase().contains("too large") && !r.stderr.contains("space") {
            t.fail(format!("full disk, {what}: the message does not say the disk is full: {r}"));
        }
    }
    t.info(format!(
        "full disk ({} cases, simulated with `ulimit -f` in {block}-byte blocks: EFBIG where a full disk gives ENOSPC; a real \
         full filesystem is the next case): {codes:?}",
        cases.len()
    ));
}

/// Unmounts the tmpfs of [`real_full_disk`] however the suite ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills `dir` (a filesystem of its own) until writes fail with ENOSPC.
fn fill(dir: &Path) {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("filler")).expect("filler");
    let page = [0x55u8; 4096];
    while f.write_all(&page).is_ok() {}
    while f.write_all(&page[..1]).is_ok() {}
    let _ = f.sync_all();
}

/// A real full disk: a 1 MiB tmpfs (when this user may mount one; root in a container usually
/// can), with the ledger on it and every byte of free space taken. The ledger's last page still
/// has room, so an append writes part of its line before ENOSPC: the torn write a full disk
/// really makes, which the append must undo.
fn real_full_disk(env: &Env, t: &mut Tally) {
    let mnt = env.path("tmpfs");
    std::fs::create_dir_all(&mnt).expect("mount point");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        common::skip(
            "full tmpfs in the full bad-input stress suite",
            "mounting a tmpfs is not allowed here (the `ulimit -f` cases stand in)",
        );
        return;
    }
    let _guard = Mounted(mnt.clone());
    std::fs::copy(env.path(LEDGER), mnt.join("ledger.jsonl")).expect("copy ledger");
    env.write("long.txt", format!("{TEXT_IT}{TEXT_EN_1}{TEXT_EN_2}").repeat(3));
    let l = ["--ledger", "tmpfs/ledger.jsonl"];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("record", vec!["record", "long.txt", "--work", "full", "--lang", "it", "--key", "tina.key"]),
        ("key add", vec!["key", "add", "extra.pub", "--role", "editor", "--key", "olga.key"]),
        ("release", vec!["release", "--work", "ponte", "--tag", "v9", "--key", "tina.key"]),
        ("cosign", vec!["cosign", "ponte@v1", "--key", "newbie.key"]),
        ("init", vec!["--ledger", "tmpfs/new.jsonl", "init", "--origin", "x.example/y", "--key", "olga.key"]),
        ("keygen", vec!["keygen", "--name", "Full Disk", "--out", "tmpfs/fulldisk", "--unencrypted"]),
        ("checkpoint", vec!["checkpoint", "--key", "olga.key", "-o", "tmpfs/full.cp"]),
        ("bundle --out", vec!["bundle", "ponte@v1", "--out", "tmpfs/full.bundle"]),
        ("show -o", vec!["show", "ponte:it@1", "-o", "tmpfs/full.txt"]),
        ("publish", vec!["publish", "tmpfs/tiles", "--key", "olga.key"]),
    ];
    // The index is built first, while there is room: the cases are about the ledger and outputs.
    let mut with_ledger = l.to_vec();
    with_ledger.push("log");
    if !env.run(&with_ledger).is(0) {
        t.fail("full tmpfs: `log` on the copied ledger failed");
        return;
    }
    fill(&mnt);
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for (what, args) in &cases {
        t.tried += 1;
        let mut full_args = if args[0] == "--ledger" { Vec::new() } else { l.to_vec() };
        full_args.extend(args.iter().copied());
        let before = snapshot(&mnt);
        let r = env.run(&full_args);
        if !t.no_panic(&r) {
            continue;
        }
        let changed: Vec<String> = diff_snapshots(&before, &snapshot(&mnt))
            .into_iter()
            .filter(|c| !c.contains(".jsonl.index") && c != "created tiles" && !c.contains("filler"))
            .collect();
        // A small entry can still fit in the ledger's last page: then it is appended, whole.
        let fitted = r.is(0) && changed == ["changed /ledger.jsonl"];
        let outcome =
            if fitted { "exit 0, appended whole in the last page's room".into() } else { format!("exit {:?}", r.code) };
        *codes.entry(outcome).or_default() += 1;
        if fitted {
            let mut aud = l.to_vec();
            aud.push("audit");
            let a = env.run(&aud);
            if !a.is(0) {
                t.fail(format!("full tmpfs, {what}: appended in the last page's room, but the audit fails: {a}"));
            }
            continue;
        }
        if !changed.is_empty() {
            t.fail(format!("full tmpfs, {what}: changed or left behind {changed:?}: {r}"));
        }
        if !r.is(2) {
            t.fail(format!("full tmpfs, {what}: expected exit 2: {r}"));
        } else if !r.stderr.contains("space") {
            t.fail(format!("full tmpfs, {what}: the message does not say the disk is full: {r}"));
        }
    }
    // Room again: the next append works with no repair, and the ledger audits clean.
    let _ = std::fs::remove_file(mnt.join("filler"));
    t.tried += 1;
    let mut rec = l.to_vec();
    rec.extend(["record", "long.txt", "--work", "full", "--lang", "it", "--key", "tina.key"]);
    let r = env.run(&rec);
    let mut aud = l.to_vec();
    aud.push("audit");
    let a = env.run(&aud);
    if !r.is(0) || !a.is(0) {
        t.fail(format!("full tmpfs: after freeing space, record and audit must succeed: {r}\n{a}"));
    }
    t.info(format!(
        "full tmpfs (a real 1 MiB tmpfs filled to ENOSPC, {} commands, then recovery): {codes:?}",
        cases.len()
    ));
}

/// Output that cannot be written (stdout is /dev/full): an I/O error, not a silent success.
fn stdout_full(env: &Env, t: &mut Tally) {
    let Ok(_) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        common::skip("stdout on a full device in the bad-input stress suite", "/dev/full is not available here");
        return;
    };
    let cases: &[&[&str]] = &[
        &["log"],
        &["--json", "log"],
        &["key", "list"],
        &["audit"],
        &["show", "ponte:it@1"],
        &["bundle", "ponte@v1"],
        &["prove", "inclusion", "ponte@v1"],
        &["vkey", "olga.pub", "--name", "w.example/w1"],
        &["diff", "ponte:en@1", "ponte:en@2"],
    ];
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for args in cases {
        t.tried += 1;
        let r = run_to_full_stdout(env, args);
        if !t.no_panic(&r) {
            continue;
        }
        *codes.entry(format!("exit {:?}", r.code)).or_default() += 1;
        if !r.is(2) {
            t.fail(format!(
                "stdout full: `colophon {}` exited {:?}, expected 2 (its output was lost; see \
                 `output_lost_on_a_full_stdout_exits_2`)",
                args.join(" "),
                r.code
            ));
        }
    }
    t.info(format!("stdout on a full device ({} commands): {codes:?}", cases.len()));
}

// ---------------------------------------------------------------------------------------------
// 6. keys: secrets stay secret, forged and malleable signatures and revoked signers are refused
// ---------------------------------------------------------------------------------------------

/// S + L, the other encoding of the same S: a valid signature made malleable.
fn add_group_order(line: &[u8]) -> Vec<u8> {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut e = parse_line(line).expect("parse").entry;
    let mut carry = 0u16;
    for (s, l) in e.sig[32..].iter_mut().zip(L) {
        let v = u16::from(*s) + u16::from(l) + carry;
        *s = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes");
    e.to_line().expect("line")
}

/// Waits until `buf` holds `needle`.
fn wait_for(buf: &Arc<Mutex<Vec<u8>>>, needle: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if String::from_utf8_lossy(&buf.lock().unwrap_or_else(|e| e.into_inner())).contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// Runs a command on a terminal (util-linux `script`), types `answers` after each prompt, and
/// returns everything the terminal showed. None when `script` is not available.
fn on_terminal(env: &Env, args: &str, answers: &[(&str, &str)]) -> Option<(String, Option<i32>)> {
    let cmdline = format!("'{BIN}' {args}");
    let mut script = Command::new("script");
    env.clean(&mut script);
    let mut child = script
        .args(["-qfec", &cmdline, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut out = child.stdout.take()?;
    let b = buf.clone();
    let reader = std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = out.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(&chunk[..n]);
        }
    });
    let mut stdin = child.stdin.take()?;
    for (prompt, answer) in answers {
        if !wait_for(&buf, prompt, Duration::from_secs(20)) {
            break;
        }
        // The prompt is printed just before echo is turned off: typing in that instant (a loaded
        // machine's scheduling, never a person's) would be echoed by the terminal, not by colophon.
        std::thread::sleep(Duration::from_millis(300));
        let _ = stdin.write_all(format!("{answer}\n").as_bytes());
        let _ = stdin.flush();
        // The next prompt must be a new one: forget what was seen.
        let mut b = buf.lock().unwrap_or_else(|e| e.into_inner());
        let seen = String::from_utf8_lossy(&b).replace(prompt, "<answered>");
        *b = seen.into_bytes();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            _ if Instant::now() > deadline => {
                let _ = child.kill();
                break None;
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    drop(stdin);
    let _ = reader.join();
    let text = String::from_utf8_lossy(&buf.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    Some((text, status))
}

fn keys_suite(torsion_rounds: usize) -> Tally {
    let mut t = Tally::new("keys");
    let mut rng = Rng::new(seed("keys"));
    let env = Env::new();
    standard(&env);
    // --- Secret key files are created mode 0600, whatever the umask; public ones 0644.
    let pass = "a long passphrase for the stress suite";
    remember_passphrase(pass);
    let r =
        env.run_env(&["--json", "keygen", "--name", "Enzo Cifrato", "--out", "enc"], &[("COLOPHON_PASSPHRASE", pass)]);
    assert!(r.is(0), "{r}");
    let enc = SecretKeyFile::read(&env.path("enc.key")).expect("read").unlock(Some(pass.as_bytes())).expect("unlock");
    remember_seed(&enc.signing.to_bytes());
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg("umask 000; exec \"$0\" keygen --name 'Umask Zero' --out loose --unencrypted")
        .arg(BIN)
        .current_dir(env.dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    let out = sh.output().expect("run sh");
    let r = Run::from_output(&strings(&["keygen", "(umask 000)"]), &out);
    t.no_panic(&r);
    remember_seed(&env.secret("loose").signing.to_bytes());
    for (file, want) in
        [("olga.key", 0o600), ("enc.key", 0o600), ("loose.key", 0o600), ("olga.pub", 0o644), ("loose.pub", 0o644)]
    {
        t.tried += 1;
        let mode = std::fs::metadata(env.path(file)).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
        if mode != want {
            t.fail(format!("{file} has mode {mode:o}, expected {want:o}"));
        }
    }
    t.tried += 1;
    let enc_text = String::from_utf8_lossy(&env.read("enc.key")).into_owned();
    if enc_text.contains(pass) || enc_text.contains(&B64.encode(enc.signing.to_bytes())) {
        t.fail("the encrypted key file holds the passphrase or the seed in clear");
    }
    // A key file others may read is refused, with the fix.
    t.tried += 1;
    std::fs::set_permissions(env.path("loose.key"), std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let r = env.run(&["--ledger", "loose.jsonl", "init", "--origin", "x.example/y", "--key", "loose.key"]);
    t.no_panic(&r);
    if !r.is(2) || !r.stderr.contains("chmod 600") || env.path("loose.jsonl").exists() {
        t.fail(format!("a group-readable key was not refused with `chmod 600`: {r}"));
    }
    // --- Commands that handle keys, including the wrong way round, never print a secret (every
    // output of every suite is scanned; these are the likeliest places).
    let h1 = line_hashes(&env.read(LEDGER))[1].clone();
    for args in [
        vec!["--json", "key", "list"],
        vec!["log"],
        vec!["show", &h1[..16]],
        vec!["--json", "show", &h1[..16]],
        vec!["--ledger", "olga.key", "audit"],
        vec!["--ledger", "olga.key", "--json", "audit"],
        vec!["--ledger", "olga.key", "log"],
        vec!["key", "add", "olga.key", "--role", "editor", "--key", "olga.key"],
        vec!["verify", "copy.txt", "--trust", "olga.key"],
        vec!["audit", "--trust", "olga.key"],
        vec!["vkey", "olga.key", "--name", "x.example/y"],
        vec!["diff", "olga.pub", "tina.pub"],
        vec!["checkpoint", "--key", "enc.key"],
        vec!["--json", "checkpoint", "--key", "olga.key"],
    ] {
        t.tried += 1;
        let r = env.run_env(&args, &[("COLOPHON_PASSPHRASE", pass)]);
        t.no_panic(&r);
    }
    // --- The passphrase is not echoed on a terminal.
    let tty_pass = "typed on a terminal 31415";
    remember_passphrase(tty_pass);
    let answers = [("Passphrase for the new key", tty_pass), ("Repeat the passphrase", tty_pass)];
    match on_terminal(&env, "keygen --name 'Terry Tty' --out tty", &answers) {
        None => common::skip(
            "passphrase echo on a terminal in the keys stress suite",
            "no `script` (util-linux) to provide a terminal",
        ),
        Some((text, code)) => {
            t.tried += 1;
            if code != Some(0) || !env.path("tty.key").exists() {
                t.fail(format!("keygen on a terminal failed ({code:?}): {text}"));
            } else if text.contains(tty_pass) {
                t.fail(format!("keygen echoed the passphrase: {text}"));
            }
            t.tried += 1;
            let answers = [("Passphrase for tty.key", tty_pass)];
            match on_terminal(&env, "--ledger tty.jsonl init --origin x.example/tty --key tty.key", &answers) {
                Some((text, Some(0))) if !text.contains(tty_pass) => {}
                Some((text, code)) => t.fail(format!("unlocking on a terminal ({code:?}) showed: {text}")),
                None => t.fail("script vanished"),
            }
            t.info("passphrase echo: checked on a terminal (util-linux `script`) for keygen and for unlocking");
        }
    }
    // --- Malleable and forged signatures: each forged entry is the ledger's last line, so that
    // only its signature is wrong; both the library's exact audit and the binary's (parallel,
    // batch-verifying) audit must reject it at that line.
    let c = cast();
    let lines = rich_ledger(24, &c);
    let guest0 = seeded_key("guest 0", "Guest Editor 0");
    let keys_by_id: Vec<&SecretKey> = vec![&c.owner, &c.t1, &c.t2, &c.editor, &guest0];
    let mut forged: Vec<(String, Vec<u8>, u64, Code)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let e = parse_line(line).expect("parse").entry;
        let Some(key) = keys_by_id.iter().find(|k| k.id() == e.signer) else { continue };
        let n = i as u64 + 1;
        let mut prefix = join_lines(&lines[..i]);
        let with = |prefix: &mut Vec<u8>, l: Vec<u8>| {
            let mut b = prefix.clone();
            b.extend_from_slice(&l);
            b.push(b'\n');
            b
        };
        forged.push((
            format!("line {n} ({}): S + L", e.body.kind()),
            with(&mut prefix, add_group_order(line)),
            n,
            Code::EntrySignatureInvalid,
        ));
        if i % 3 != 0 {
            continue;
        }
        for torsion in 0..8 {
            let tries = if torsion == 0 { 1 } else { torsion_rounds };
            for _ in 0..tries {
                let mut wide = [0u8; 64];
                for chunk in wide.chunks_mut(8) {
                    chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
                }
                // r = 0 puts R = T exactly (a small-order R); otherwise R has a small-order component.
                let r = if torsion == 0 || tries == 1 {
                    curve25519_dalek::Scalar::ZERO
                } else {
                    curve25519_dalek::Scalar::from_bytes_mod_order_wide(&wide)
                };
                let what = if r == curve25519_dalek::Scalar::ZERO {
                    "R of small order"
                } else {
                    "R with a small-order component"
                };
                let l = sign_with_torsion(line, key, r, torsion);
                forged.push((
                    format!("line {n} ({}): {what} (torsion point {torsion})", e.body.kind()),
                    with(&mut prefix, l),
                    n,
                    Code::EntrySignatureInvalid,
                ));
            }
            // The small-order R itself (r = 0) for every torsion point.
            if torsion > 0 && tries > 1 {
                let l = sign_with_torsion(line, key, curve25519_dalek::Scalar::ZERO, torsion);
                forged.push((
                    format!("line {n} ({}): R of small order (torsion point {torsion})", e.body.kind()),
                    with(&mut prefix, l),
                    n,
                    Code::EntrySignatureInvalid,
                ));
            }
        }
    }
    // A key of small order registered by the owner.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    match PublicKey::from_bytes(&identity) {
        Ok(weak) => {
            let mut b = Builder { lines: lines.clone() };
            b.push(Body::Key(KeyReg { key: weak, name: "Weak Key".into(), roles: vec![Role::Editor] }), &c.owner);
            let n = b.lines.len() as u64;
            forged.push(("a key of small order registered".into(), join_lines(&b.lines), n, Code::KeyWeak));
        }
        Err(e) => common::skip("a small-order key entry in the keys stress suite", &format!("not built ({e})")),
    }
    // Revoked signers: a release signed after its key was retired; entries after a compromise.
    {
        let mut b = Builder { lines: lines[..4].to_vec() };
        let it = text_for(0, 0);
        let en = text_for(0, 1);
        let h_it =
            b.push(Body::Version(Box::new(text_version("r", TextRole::Original, "it", "", &it, None, None))), &c.t1);
        let h_en = b.push(
            Body::Version(Box::new(text_version("r", TextRole::Translation, "en", "", &en, None, Some(h_it)))),
            &c.t1,
        );
        b.push(Body::Revoke(Revoke { key: c.t1.id(), reason: RevokeReason::Retired, note: None }), &c.owner);
        let release = Release {
            work: "r".into(),
            tag: "v1".into(),
            translation: h_en,
            original: h_it,
            lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
            urls: None,
            note: None,
        };
        b.push(Body::Release(release), &c.t1);
        let n = b.lines.len() as u64;
        forged.push((
            "a release signed after its key was retired".into(),
            join_lines(&b.lines),
            n,
            Code::EntrySignerRevoked,
        ));
        let mut b = Builder { lines: lines[..4].to_vec() };
        let h_it =
            b.push(Body::Version(Box::new(text_version("r", TextRole::Original, "it", "", &it, None, None))), &c.t1);
        b.push(
            Body::Revoke(Revoke {
                key: c.t1.id(),
                reason: RevokeReason::Compromised,
                note: Some("laptop stolen".into()),
            }),
            &c.owner,
        );
        let it2 = text_for(1, 0);
        b.push(
            Body::Version(Box::new(text_version("r", TextRole::Original, "it", &it, &it2, Some(h_it), None))),
            &c.t1,
        );
        let n = b.lines.len() as u64;
        forged.push((
            "a version signed after its key was compromised".into(),
            join_lines(&b.lines),
            n,
            Code::EntrySignerRevoked,
        ));
    }
    let mut cli_checked = 0;
    for (what, bytes, line, code) in &forged {
        t.tried += 1;
        let rep = audit(&bytes[..], None);
        let first = rep.problems.first().map(|p| (p.code, p.line));
        if rep.problems.is_empty() {
            t.miss(format!("{what}: the library audit accepts it"));
            continue;
        }
        if first != Some((*code, Some(*line))) {
            t.fail(format!("{what}: the library audit reports {:?} first, expected {code} at line {line}", first));
        }
        // The binary's audit (the parallel path for a ledger that looks clean).
        cli_checked += 1;
        env.write("forged.jsonl", bytes);
        let r = env.run(&["--ledger", "forged.jsonl", "--json", "audit"]);
        if !t.no_panic(&r) {
            continue;
        }
        let got = r.try_json().map(|j| json_problems(&j)).unwrap_or_default();
        if r.is(0) {
            t.miss(format!(
                "{what}: `colophon audit` passes it (the library's exact audit reports {code} at line {line})"
            ));
        } else if got.first() != Some(&(code.as_str().to_string(), Some(*line))) {
            t.fail(format!("{what}: `colophon audit` reports {got:?}"));
        }
        let _ = std::fs::remove_file(env.path("forged.jsonl.index"));
    }
    t.info(format!(
        "{} forged, malleable or revoked-signer ledgers, each audited by the library and the binary ({cli_checked})",
        forged.len()
    ));
    // Through the binary: a retired key cannot release; a compromised key cannot record; a
    // release signed before a compromise still verifies, and the verdict says so.
    let before = env.read(LEDGER);
    env.ok(&["key", "revoke", "Tina Rossi", "--reason", "compromised", "--key", "olga.key"]);
    let after_revoke = env.read(LEDGER);
    t.tried += 1;
    let r = env.run(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    t.no_panic(&r);
    if r.is(0) {
        t.miss("a revoked key signed a release");
    } else if !r.is(2) || !r.stderr.contains("entry.signer.revoked") {
        t.fail(format!("release by a revoked key: {r}"));
    }
    t.tried += 1;
    let r = env.run(&["record", "ponte.it.txt", "--work", "after", "--lang", "it", "--key", "tina.key"]);
    t.no_panic(&r);
    if r.is(0) {
        t.miss("a compromised key recorded a version");
    } else if !r.is(2) || !r.stderr.contains("entry.signer.revoked") {
        t.fail(format!("record by a compromised key: {r}"));
    }
    t.tried += 1;
    if env.read(LEDGER) != after_revoke || !after_revoke.starts_with(&before) {
        t.fail("refused appends changed the ledger");
    }
    t.tried += 1;
    let r = env.run(&["verify", "copy.txt", "--trust", "olga.pub"]);
    t.no_panic(&r);
    if !r.is(0) || !r.stdout.contains("compromised") {
        t.fail(format!("a release signed before its key was compromised: expected a success that says so: {r}"));
    }

    // --- Every output scanned in this process (every suite that ran before this one, and this one).
    let leaks = common::leaks();
    t.tried += 1;
    for l in &leaks {
        t.fail(format!("secret printed: {l}"));
    }
    let (outputs, secrets) = common::scanned();
    t.info(format!("{outputs} outputs scanned for {secrets} secret seeds and passphrases: {} leaks", leaks.len()));
    assert!(leaks.is_empty(), "secrets were printed: {leaks:?}");
    t
}

// ---------------------------------------------------------------------------------------------
// Hostile sidecars (issue "Trust only signed bytes"): the index, its write-ahead log and shared
// memory, the kept checkpoint, an index planted where older versions kept it; each corrupted,
// forged, swapped, truncated, replaced by a link or by another ledger's file. Nothing may report
// a forged fact, print forged text as verified, or append an entry a later audit rejects.
// ---------------------------------------------------------------------------------------------

/// What the commands said on the intact ledger, to compare each attacked run with.
struct Truth {
    verify: Value,
    log: Value,
    root: String,
}

/// A base for the sidecar cases: the standard journey, a cosign, a key registered and then
/// revoked (so every table of the index has rows), a forged copy, and a kept checkpoint.
fn sidecar_base() -> Env {
    let env = Env::new();
    standard(&env);
    env.keygen("Rita Riva", "rita");
    env.ok(&["cosign", "ponte@v1", "--key", "edo.key"]);
    env.ok(&["key", "add", "rita.pub", "--role", "translator", "--key", "olga.key"]);
    env.ok(&["key", "revoke", "Rita Riva", "--reason", "retired", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "seen.cp"]);
    env.write("forged.txt", TEXT_EN_1.replace("market", "river"));
    env.write("next.en.txt", TEXT_EN_2);
    // Another ledger beside it, whose files the attacker can swap in.
    std::fs::create_dir(env.path("other")).expect("mkdir");
    env.ok(&["--ledger", "other/colophon.jsonl", "init", "--origin", "other.example/log", "--key", "edo.key"]);
    env.ok(&["--ledger", "other/colophon.jsonl", "checkpoint", "--key", "edo.key", "-o", "other.cp"]);
    env
}

/// A fresh copy of `base` (its own cache is built by the first command).
fn copy_env(base: &Env) -> Env {
    let env = Env::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        for e in std::fs::read_dir(base.dir.path().join(&rel)).expect("read base").flatten() {
            let name = rel.join(e.file_name());
            if name.starts_with(".cache") {
                continue;
            }
            if e.path().is_dir() {
                std::fs::create_dir_all(env.dir.path().join(&name)).expect("mkdir");
                dirs.push(name);
            } else {
                std::fs::copy(e.path(), env.dir.path().join(&name)).expect("copy");
            }
        }
    }
    env
}

/// The index file a command made in `env`'s cache (the last one by modification time).
fn cache_index(env: &Env) -> Option<PathBuf> {
    let dir = env.path(".cache/index");
    let mut v: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "sqlite"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    v.sort();
    v.pop().map(|(_, p)| p)
}

fn with_suffix_path(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The index's tables and their columns, from SQLite itself.
fn index_columns(db: &Path) -> Vec<(String, Vec<String>)> {
    let c = rusqlite::Connection::open(db).expect("open index");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .flatten()
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let cols: Vec<String> = c
                .prepare(&format!("PRAGMA table_info({t})"))
                .expect("columns")
                .query_map([], |r| r.get(1))
                .expect("columns")
                .flatten()
                .collect();
            (t, cols)
        })
        .collect()
}

/// How a case attacks the sidecars of a copy whose index was just built.
enum Attack {
    /// SQL run on the index.
    Sql(String),
    /// A file operation, given the copy and its index path.
    File(fn(&Env, &Path)),
}

/// Whether an attack only removes rows of the user's own cache: an index that hides an entry can
/// make a command miss it (no index can prove absence without reading the whole ledger; the cache
/// lives where only the user writes, spec/verify.md §4), but must never make one report a forged
/// fact or write a bad entry.
fn removes_rows(what: &str) -> bool {
    what.ends_with("last row deleted") || what.ends_with("emptied")
}

fn sidecar_attacks(base: &Env, full: bool) -> Vec<(String, Attack)> {
    let probe = copy_env(base);
    probe.ok(&["log"]);
    let db = cache_index(&probe).expect("an index in the cache");
    let forged_digest = hex::encode(Digest::of(TEXT_EN_1.replace("market", "river").as_bytes()).0);
    let mut v: Vec<(String, Attack)> = Vec::new();
    for (table, cols) in index_columns(&db) {
        for col in &cols {
            let mut forge = vec![
                (
                    "forged",
                    format!(
                        "UPDATE {table} SET {col} = CASE typeof({col}) WHEN 'blob' THEN X'{forged_digest}' WHEN 'integer' THEN {col} + 1 WHEN 'text' THEN 'forged text' ELSE {col} END"
                    ),
                ),
                (
                    "swapped",
                    format!(
                        "UPDATE {table} SET {col} = (SELECT t2.{col} FROM {table} t2 WHERE t2.rowid = (SELECT MIN(rowid) + MAX(rowid) FROM {table}) - {table}.rowid)"
                    ),
                ),
            ];
            if full {
                forge.push(("zeroed", format!("UPDATE {table} SET {col} = CASE typeof({col}) WHEN 'blob' THEN zeroblob(length({col})) WHEN 'integer' THEN 0 WHEN 'text' THEN '' ELSE {col} END")));
                forge.push(("nulled", format!("UPDATE {table} SET {col} = NULL")));
                forge.push(("large", format!("UPDATE {table} SET {col} = CASE typeof({col}) WHEN 'integer' THEN 9223372036854775807 WHEN 'blob' THEN randomblob(33) ELSE {col} END")));
            }
            for (how, sql) in forge {
                v.push((format!("index {table}.{col} {how}"), Attack::Sql(sql)));
            }
        }
        v.push((
            format!("index {table}: last row deleted"),
            Attack::Sql(format!("DELETE FROM {table} WHERE rowid = (SELECT MAX(rowid) FROM {table})")),
        ));
        v.push((format!("index {table}: emptied"), Attack::Sql(format!("DELETE FROM {table}"))));
    }
    let file = Attack::File;
    v.push(("index file: garbage".into(), file(|_, db| std::fs::write(db, b"not a database at all").expect("write"))));
    v.push((
        "index file: cut in half".into(),
        file(|_, db| {
            let len = std::fs::metadata(db).map_or(0, |m| m.len());
            std::fs::OpenOptions::new().write(true).open(db).and_then(|f| f.set_len(len / 2)).expect("truncate");
        }),
    ));
    v.push((
        "index file: another ledger's".into(),
        file(|env, db| {
            env.ok(&["--ledger", "other/colophon.jsonl", "log"]);
            let other = std::fs::read_dir(env.path(".cache/index"))
                .expect("index dir")
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "sqlite") && p != db)
                .expect("the other ledger's index");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix_path(db, suffix));
                let _ = std::fs::copy(with_suffix_path(&other, suffix), with_suffix_path(db, suffix));
            }
        }),
    ));
    v.push((
        "index file: symbolic link".into(),
        file(|env, db| {
            std::fs::remove_file(db).expect("rm");
            std::os::unix::fs::symlink(env.path("victim.txt"), db).expect("symlink");
        }),
    ));
    v.push((
        "index file: a directory".into(),
        file(|_, db| {
            std::fs::remove_file(db).expect("rm");
            std::fs::create_dir(db).expect("mkdir");
        }),
    ));
    for (what, f) in [
        (
            "-wal garbage",
            (|_, db| std::fs::write(with_suffix_path(db, "-wal"), vec![0x5a; 4096]).expect("w")) as fn(&Env, &Path),
        ),
        ("-shm garbage", |_, db| std::fs::write(with_suffix_path(db, "-shm"), vec![0xa5; 32768]).expect("w")),
        ("-wal a symbolic link", |env, db| {
            let w = with_suffix_path(db, "-wal");
            let _ = std::fs::remove_file(&w);
            std::os::unix::fs::symlink(env.path("victim.txt"), w).expect("symlink");
        }),
        ("-shm a symbolic link", |env, db| {
            let w = with_suffix_path(db, "-shm");
            let _ = std::fs::remove_file(&w);
            std::os::unix::fs::symlink(env.path("victim.txt"), w).expect("symlink");
        }),
        ("-wal removed", |_, db| {
            let _ = std::fs::remove_file(with_suffix_path(db, "-wal"));
        }),
    ] {
        v.push((format!("index {what}"), file(f)));
    }
    for (what, f) in [
        (
            "garbage",
            (|env: &Env, _: &Path| env.write("colophon.jsonl.checkpoint", b"not a checkpoint\n")) as fn(&Env, &Path),
        ),
        ("another log's", |env, _| env.write("colophon.jsonl.checkpoint", env.read("other.cp"))),
        ("cut short", |env, _| {
            let cp = env.read("seen.cp");
            env.write("colophon.jsonl.checkpoint", &cp[..cp.len() / 2]);
        }),
        ("signed by someone else", |env, _| {
            let text = String::from_utf8(env.read("seen.cp")).expect("UTF-8");
            let body = format!("{}\n", text.split("\n\n").next().expect("body"));
            let sig = colophon::log::note::sign(&body, ORIGIN, &env.secret("tina").signing).expect("sign");
            env.write(
                "colophon.jsonl.checkpoint",
                colophon::log::note::Note { text: body, sigs: vec![sig] }.to_bytes(),
            );
        }),
        ("a symbolic link", |env, _| {
            let _ = std::fs::remove_file(env.path("colophon.jsonl.checkpoint"));
            std::os::unix::fs::symlink(env.path("victim.txt"), env.path("colophon.jsonl.checkpoint")).expect("symlink");
        }),
        ("a link to another log's", |env, _| {
            let _ = std::fs::remove_file(env.path("colophon.jsonl.checkpoint"));
            std::os::unix::fs::symlink(env.path("other.cp"), env.path("colophon.jsonl.checkpoint")).expect("symlink");
        }),
    ] {
        v.push((format!("kept checkpoint: {what}"), file(f)));
    }
    // An index where colophon kept it before (beside the ledger), forged: never read.
    v.push((
        "index beside the ledger, forged".into(),
        file(|env, db| {
            let beside = env.path("colophon.jsonl.index");
            std::fs::copy(db, &beside).expect("copy");
            let c = rusqlite::Connection::open(&beside).expect("open");
            let forged = hex::encode(Digest::of(TEXT_EN_1.replace("market", "river").as_bytes()).0);
            c.execute_batch(&format!("UPDATE versions SET sha256 = X'{forged}'")).expect("forge");
        }),
    ));
    v.push((
        "index beside the ledger, a link".into(),
        file(|env, _| {
            std::os::unix::fs::symlink(env.path("victim.txt"), env.path("colophon.jsonl.index")).expect("symlink")
        }),
    ));
    v
}

/// Runs every command on an attacked copy and checks what they say against the truth.
fn sidecar_case(base: &Env, truth: &Truth, what: &str, attack: &Attack, full: bool, t: &mut Tally) {
    let env = copy_env(base);
    env.write("victim.txt", b"a file of the user's that nobody may write\n");
    env.ok(&["log"]);
    let db = cache_index(&env).expect("index");
    match attack {
        Attack::Sql(sql) => {
            let c = rusqlite::Connection::open(&db).expect("open index");
            // Some forgeries break a constraint (a unique hash, a non-null column): the attack is
            // then what SQLite lets through, which is nothing: skip.
            if c.execute_batch(sql).is_err() {
                return;
            }
        }
        Attack::File(f) => f(&env, &db),
    }
    t.tried += 1;
    let fail = |t: &mut Tally, m: String| t.fail(format!("{what}: {m}"));
    let check = |t: &mut Tally, r: &Run| -> bool { t.no_panic(r) };
    // 1. A forged copy never verifies.
    let r = env.run(&["--json", "verify", "forged.txt", "--trust", "olga.pub"]);
    if check(t, &r) && r.is(0) {
        t.forged += 1;
        t.show("FORGED", &format!("{what}: a forged copy verified: {r}"));
    }
    // 2. The genuine copy: the same verdict as on the intact ledger, or a clear refusal.
    let r = env.run(&["--json", "verify", "copy.txt", "--trust", "olga.pub"]);
    if check(t, &r) {
        match (r.code, r.try_json()) {
            (Some(0), Some(j)) => {
                for k in ["version", "release", "level"] {
                    let (a, b) = (&j[k], &truth.verify[k]);
                    let same = match k {
                        "level" => a == b,
                        _ => {
                            a["ref"] == b["ref"]
                                && a["entry"] == b["entry"]
                                && a["signer"]["key_id"] == b["signer"]["key_id"]
                        }
                    };
                    if !same {
                        t.forged += 1;
                        t.show("FORGED", &format!("{what}: verify reported another {k}: {a} (truth {b})"));
                    }
                }
            }
            (Some(2), _) => {}
            (Some(1), _) if removes_rows(what) => t.denied += 1,
            _ => fail(t, format!("the genuine copy was not verified: {r}")),
        }
    }
    // 3. show prints the signed text or refuses (a release's text with --text).
    let r = env.run(&["show", "ponte@v1", "--text"]);
    if check(t, &r) && r.is(0) && r.stdout != TEXT_EN_1 {
        t.forged += 1;
        t.show("FORGED", &format!("{what}: show printed another text: {r}"));
    }
    // 4. log prints what the lines say.
    let r = env.run(&["--json", "log"]);
    if check(t, &r) && r.is(0) {
        let strip = |v: &Value| -> Vec<Value> {
            v["entries"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut e| {
                    e.as_object_mut().map(|o| o.remove("time"));
                    e
                })
                .collect()
        };
        if r.try_json().map(|j| strip(&j)) != Some(strip(&truth.log)) {
            t.forged += 1;
            t.show("FORGED", &format!("{what}: log printed other facts: {r}"));
        }
    } else if !r.is(2) {
        fail(t, format!("log neither listed nor refused: {r}"));
    }
    // 5. Appends never write an entry a later audit rejects.
    let appends: &[&[&str]] = if full {
        &[
            &["record", "next.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
            &["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"],
            &["cosign", "ponte@v2", "--key", "edo.key"],
        ]
    } else {
        &[&["record", "next.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]]
    };
    for a in appends {
        let r = env.run(a);
        check(t, &r);
    }
    let audit = env.run(&["--json", "audit"]);
    if check(t, &audit) && !audit.is(0) {
        t.broken += 1;
        t.show("BROKEN", &format!("{what}: after appends the ledger no longer audits: {audit}"));
    }
    if !full {
        return;
    }
    // 6. A bundle verifies as the ledger does; a checkpoint signs the true root; tiles publish it.
    let r = env.run(&["bundle", "ponte@v1", "-o", "b.bundle"]);
    if check(t, &r) && r.is(0) {
        let f =
            env.run(&["verify", "forged.txt", "--bundle", "b.bundle", "--trust", "olga.pub", "--insecure-ignore-log"]);
        if check(t, &f) && f.is(0) {
            t.forged += 1;
            t.show("FORGED", &format!("{what}: a forged copy verified with the bundle: {f}"));
        }
    }
    let root = audit.try_json().and_then(|j| j["merkle_root"].as_str().map(String::from)).unwrap_or_default();
    let r = env.run(&["--json", "checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    if check(t, &r) && r.is(0) && r.try_json().and_then(|j| j["root"].as_str().map(String::from)) != Some(root.clone())
    {
        t.forged += 1;
        t.show("FORGED", &format!("{what}: a checkpoint signed another root than the ledger's {root}: {r}"));
    }
    let r = env.run(&["publish", "pub", "--key", "olga.key", "--site"]);
    if check(t, &r) && r.is(0) {
        let a = env.run(&["--json", "audit", "--tiles", "pub"]);
        if check(t, &a)
            && (!a.is(0)
                || a.try_json().and_then(|j| j["merkle_root"].as_str().map(String::from)) != Some(root.clone()))
        {
            t.forged += 1;
            t.show("FORGED", &format!("{what}: the published tiles are not the ledger: {a}"));
        }
        // The site (spec/cli.md §6) shows what the signed lines say, whatever the index says: it
        // is byte for byte the site published from the ledger alone, with no index at all.
        let clean = env.run_env(&["publish", "pub-clean", "--site"], &[("COLOPHON_CACHE", "none")]);
        if check(t, &clean) && clean.is(0) {
            let differs = site_files(&env.path("pub-clean"))
                .into_iter()
                .find(|(name, bytes)| std::fs::read(env.path("pub").join(name)).ok().as_ref() != Some(bytes));
            if let Some((name, _)) = differs {
                t.forged += 1;
                t.show("FORGED", &format!("{what}: the site's {name} is not the one the ledger alone gives"));
            }
        } else {
            fail(t, format!("publish --site from the ledger alone failed: {clean}"));
        }
    }
    if env.read("victim.txt") != b"a file of the user's that nobody may write\n" {
        t.forged += 1;
        t.show("FORGED", &format!("{what}: a file was written through a link"));
    }
    let _ = &truth.root;
}

/// Every file under `dir` but the tiles, relative, with its bytes.
fn site_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let name = p.strip_prefix(dir).map(|r| r.to_string_lossy().into_owned()).unwrap_or_default();
            if p.is_dir() && name != "tile" {
                todo.push(p);
            } else if p.is_file() {
                out.push((name, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

fn sidecar_suite(full: bool) -> Tally {
    let mut t = Tally::new("sidecars");
    let base = sidecar_base();
    let truth_env = copy_env(&base);
    let verify = truth_env.ok(&["--json", "verify", "copy.txt", "--trust", "olga.pub"]).try_json().expect("json");
    let log = truth_env.ok(&["--json", "log"]).try_json().expect("json");
    let root = truth_env
        .ok(&["--json", "audit"])
        .try_json()
        .and_then(|j| j["merkle_root"].as_str().map(String::from))
        .unwrap_or_default();
    let truth = Truth { verify, log, root };
    let attacks = sidecar_attacks(&base, full);
    t.info(format!("{} attacks on the index, its WAL/SHM, the kept checkpoint and planted files", attacks.len()));
    for (what, attack) in &attacks {
        sidecar_case(&base, &truth, what, attack, full, &mut t);
    }
    t.info(format!(
        "{} cases where rows removed from the user's own cache made verify miss the genuine copy (never a forged fact)",
        t.denied
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// Hand-appended lines (issue "Trust only signed bytes"): for every rule of spec/ledger.md, a line
// that breaks it, signed by a registered key and appended by hand; every command that reads the
// ledger judges it exactly as `audit` does.
// ---------------------------------------------------------------------------------------------

/// The lines of the base ledger with their parsed entries.
fn parsed_lines(env: &Env) -> Vec<(Vec<u8>, colophon::format::entry::ParsedLine)> {
    let bytes = env.read(LEDGER);
    let (lines, _) = split_ledger(&bytes);
    lines.iter().map(|l| (l.to_vec(), parse_line(l).expect("base line parses"))).collect()
}

/// One rule-breaking line: what it breaks, and how to make it from the base ledger.
type Breaker = (&'static str, Code, fn(&Env, &[(Vec<u8>, colophon::format::entry::ParsedLine)]) -> Vec<u8>);

fn sign_after(lines: &[(Vec<u8>, colophon::format::entry::ParsedLine)], body: Body, key: &SecretKey) -> Vec<u8> {
    let head = &lines.last().expect("a line").1;
    Entry::sign(head.entry.seq + 1, Some(head.hash), "2026-06-01T00:00:00Z".into(), body, key)
        .expect("sign")
        .to_line()
        .expect("line")
}

fn find(lines: &[(Vec<u8>, colophon::format::entry::ParsedLine)], pred: impl Fn(&Body) -> bool) -> Digest {
    lines.iter().rev().find(|(_, p)| pred(&p.entry.body)).map(|(_, p)| p.hash).expect("an entry of that kind")
}

fn version_of(lines: &[(Vec<u8>, colophon::format::entry::ParsedLine)], lang: &str) -> Digest {
    find(lines, |b| matches!(b, Body::Version(v) if v.lang == lang))
}

/// A release of the latest en and it versions of ponte, tagged `tag`.
fn release(lines: &[(Vec<u8>, colophon::format::entry::ParsedLine)], tag: &str) -> Body {
    Body::Release(Release {
        work: "ponte".into(),
        tag: tag.into(),
        translation: version_of(lines, "en"),
        original: version_of(lines, "it"),
        lang: ReleaseLangs { original: "it".into(), translation: "en".into() },
        urls: None,
        note: None,
    })
}

fn breakers() -> Vec<Breaker> {
    use colophon::log::content::text_version as tv;
    vec![
        ("a second genesis", Code::GenesisDuplicate, |env, l| {
            let k = env.secret("olga");
            sign_after(l, Body::Genesis(Genesis { origin: ORIGIN.into(), name: "Olga".into(), key: k.public() }), &k)
        }),
        ("a key registered by a translator", Code::EntrySignerUnauthorized, |env, l| {
            let mal = seeded_key("hand-mal", "Mal");
            sign_after(
                l,
                Body::Key(KeyReg { key: mal.public(), name: "Mal".into(), roles: vec![Role::Owner] }),
                &env.secret("tina"),
            )
        }),
        ("a release signed by an editor", Code::EntrySignerUnauthorized, |env, l| {
            sign_after(l, release(l, "v9"), &env.secret("edo"))
        }),
        ("an entry signed by an unregistered key", Code::EntrySignerUnknown, |_, l| {
            sign_after(l, release(l, "v9"), &seeded_key("hand-stranger", "Stranger"))
        }),
        ("an entry signed by a revoked key", Code::EntrySignerRevoked, |env, l| {
            sign_after(l, release(l, "v9"), &env.secret("rita"))
        }),
        ("a signature over other bytes", Code::EntrySignatureInvalid, |env, l| {
            let mut e = parse_line(&sign_after(l, release(l, "v9"), &env.secret("tina"))).expect("parse").entry;
            e.sig = colophon::format::signing::sign_entry(&env.secret("tina").signing, b"other bytes");
            e.to_line().expect("line")
        }),
        ("a key registered twice", Code::KeyDuplicate, |env, l| {
            let tina = env.secret("tina");
            sign_after(
                l,
                Body::Key(KeyReg { key: tina.public(), name: "Tina again".into(), roles: vec![Role::Translator] }),
                &env.secret("olga"),
            )
        }),
        ("a revocation of an unknown key", Code::RevokeUnknownKey, |env, l| {
            let k = seeded_key("hand-nobody", "Nobody");
            sign_after(
                l,
                Body::Revoke(Revoke { key: k.public().id(), reason: RevokeReason::Retired, note: None }),
                &env.secret("olga"),
            )
        }),
        ("a key revoked twice", Code::RevokeDuplicate, |env, l| {
            let rita = env.secret("rita").public().id();
            sign_after(
                l,
                Body::Revoke(Revoke { key: rita, reason: RevokeReason::Compromised, note: None }),
                &env.secret("olga"),
            )
        }),
        ("the last owner revoked", Code::RevokeLastOwner, |env, l| {
            let olga = env.secret("olga");
            sign_after(
                l,
                Body::Revoke(Revoke { key: olga.public().id(), reason: RevokeReason::Retired, note: None }),
                &olga,
            )
        }),
        ("a version whose parent is not the latest", Code::VersionParentMismatch, |env, l| {
            let v = tv("ponte", TextRole::Translation, "en", "", TEXT_EN_2, None, Some(version_of(l, "it")));
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a translation rendering a translation", Code::VersionOfInvalid, |env, l| {
            let en = version_of(l, "en");
            let v = tv("ponte", TextRole::Translation, "fr", "", "Le pont.\n", None, Some(en));
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("an original in a second language", Code::VersionRoleMismatch, |env, l| {
            let v = tv("ponte", TextRole::Original, "de", "", "Die Brücke.\n", None, None);
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a version identical to its parent", Code::VersionUnchanged, |env, l| {
            let en = version_of(l, "en");
            let v = tv("ponte", TextRole::Translation, "en", TEXT_EN_1, TEXT_EN_1, Some(en), Some(version_of(l, "it")));
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a diff written against another base", Code::DiffBaseMismatch, |env, l| {
            let en = version_of(l, "en");
            let v = tv("ponte", TextRole::Translation, "en", "", TEXT_EN_2, Some(en), Some(version_of(l, "it")));
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a diff that does not give the signed hash", Code::ContentHashMismatch, |env, l| {
            let en = version_of(l, "en");
            let mut v =
                tv("ponte", TextRole::Translation, "en", TEXT_EN_1, TEXT_EN_2, Some(en), Some(version_of(l, "it")));
            v.sha256 = Digest::of(b"something else of the same size");
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a wrong normalized hash", Code::ContentNormMismatch, |env, l| {
            let en = version_of(l, "en");
            let mut v =
                tv("ponte", TextRole::Translation, "en", TEXT_EN_1, TEXT_EN_2, Some(en), Some(version_of(l, "it")));
            if let Some(norm) = v.norm.as_mut() {
                norm.insert("text/v1".into(), Digest([9; 32]));
            }
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a malformed diff", Code::DiffMalformed, |env, l| {
            let en = version_of(l, "en");
            let mut v =
                tv("ponte", TextRole::Translation, "en", TEXT_EN_1, TEXT_EN_2, Some(en), Some(version_of(l, "it")));
            v.diff = Some(json!([["?", 1]]));
            sign_after(l, Body::Version(Box::new(v)), &env.secret("tina"))
        }),
        ("a release of versions that do not pair", Code::ReleaseRefInvalid, |env, l| {
            let mut body = release(l, "v9");
            if let Body::Release(r) = &mut body {
                r.original = r.translation;
            }
            sign_after(l, body, &env.secret("tina"))
        }),
        ("a tag used twice", Code::ReleaseTagDuplicate, |env, l| sign_after(l, release(l, "v1"), &env.secret("tina"))),
        ("a cosign of a version", Code::CosignRefInvalid, |env, l| {
            sign_after(l, Body::Cosign(Cosign { release: version_of(l, "en"), note: None }), &env.secret("edo"))
        }),
        ("a release cosigned by its signer", Code::CosignDuplicate, |env, l| {
            let rel = find(l, |b| matches!(b, Body::Release(_)));
            sign_after(l, Body::Cosign(Cosign { release: rel, note: None }), &env.secret("tina"))
        }),
        ("a wrong seq", Code::EntrySeqMismatch, |env, l| {
            let mut e = parse_line(&sign_after(l, release(l, "v9"), &env.secret("tina"))).expect("parse").entry;
            e.seq += 1;
            e.sig =
                colophon::format::signing::sign_entry(&env.secret("tina").signing, &e.signed_bytes().expect("bytes"));
            e.to_line().expect("line")
        }),
        ("a wrong prev", Code::EntryPrevMismatch, |env, l| {
            let mut e = parse_line(&sign_after(l, release(l, "v9"), &env.secret("tina"))).expect("parse").entry;
            e.prev = Some(Digest([7; 32]));
            e.sig =
                colophon::format::signing::sign_entry(&env.secret("tina").signing, &e.signed_bytes().expect("bytes"));
            e.to_line().expect("line")
        }),
        ("a line that is not canonical", Code::LineNotCanonical, |env, l| {
            let line = sign_after(l, release(l, "v9"), &env.secret("tina"));
            let mut s = String::from_utf8(line).expect("UTF-8");
            s = s.replacen("{", "{ ", 1);
            s.into_bytes()
        }),
    ]
}

/// Whether an audit lets a line with this first problem into the state (spec/ledger.md §11).
fn enters_state(code: Code) -> bool {
    matches!(
        code,
        Code::ContentHashMismatch
            | Code::ContentSizeMismatch
            | Code::ContentNormMismatch
            | Code::DiffBaseMismatch
            | Code::DiffMalformed
    )
}

/// Whether a problem makes the file damaged for every command but audit (it does not parse or
/// does not chain, §11 steps 3–5).
fn damages_file(code: Code) -> bool {
    matches!(
        code,
        Code::EntrySeqMismatch
            | Code::EntryPrevMismatch
            | Code::LineNotCanonical
            | Code::LineNotJson
            | Code::LineNumber
            | Code::LineNotUtf8
    )
}

fn hand_appended_suite(full: bool) -> Tally {
    let mut t = Tally::new("hand-lines");
    let base = sidecar_base();
    for (what, code, make) in breakers() {
        let env = copy_env(&base);
        env.ok(&["log"]);
        let lines = parsed_lines(&env);
        let line = make(&env, &lines);
        let mut bytes = env.read(LEDGER);
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
        env.write(LEDGER, &bytes);
        let n = lines.len() as u64 + 1;
        t.tried += 1;
        // The audit's judgment.
        let a = env.run(&["--json", "audit"]);
        if !t.no_panic(&a) {
            continue;
        }
        let first = a.try_json().map(|j| json_problems(&j)).unwrap_or_default();
        if !a.is(1) || first.first().map(|(c, l)| (c.as_str(), *l)) != Some((code.as_str(), Some(n))) {
            t.fail(format!("{what}: audit should report {code} at line {n} first: {a}"));
            continue;
        }
        let damaged = damages_file(code);
        // Every command that reads the ledger: refused when the file is damaged; otherwise the
        // line is ignored (or in the state with a content problem) exactly as audit judges it.
        let mut runs: Vec<Vec<&str>> = vec![
            vec!["--json", "verify", "copy.txt", "--trust", "olga.pub"],
            vec!["--json", "log"],
            vec!["show", "ponte@v1", "--text"],
            vec!["bundle", "ponte@v1", "-o", "b.bundle"],
            vec!["record", "third.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"],
        ];
        env.write("third.en.txt", format!("{TEXT_EN_2}A third version.\n"));
        if full {
            runs.push(vec!["checkpoint", "--key", "olga.key", "-o", "cp"]);
            runs.push(vec!["publish", "pub", "--key", "olga.key"]);
        }
        for args in &runs {
            let r = env.run(args);
            if !t.no_panic(&r) {
                continue;
            }
            if damaged {
                if !r.is(2) || !r.all().contains(&format!("{LEDGER}:{n}")) {
                    t.fail(format!("{what}: `{}` must refuse the damaged ledger naming line {n}: {r}", args.join(" ")));
                }
                continue;
            }
            match args[..2] {
                ["--json", "verify"] => {
                    let ok = r.is(0)
                        && r.try_json().is_some_and(|j| {
                            j["release"]["ref"] == "ponte@v1" && j["releases"].as_array().is_some_and(|a| a.len() == 1)
                        });
                    if !ok {
                        t.fail(format!("{what}: the genuine copy must verify against ponte@v1 only: {r}"));
                    }
                }
                ["--json", "log"] => {
                    let row = r.try_json().and_then(|j| j["entries"].as_array().and_then(|a| a.last().cloned()));
                    let marked = row
                        .as_ref()
                        .is_some_and(|row| row["rejected"].as_str().is_some_and(|why| why.starts_with(code.as_str())));
                    if r.is(0) && marked == enters_state(code) {
                        t.fail(format!("{what}: log must mark the line rejected exactly when audit keeps it out: {r}"));
                    }
                }
                ["show", _] => {
                    if !(r.is(0) && r.stdout == TEXT_EN_1) {
                        t.fail(format!("{what}: show must print the signed text: {r}"));
                    }
                }
                ["bundle", _] => {
                    // The kept checkpoint covers the release: the bundle is anchored and verifies.
                    let v = env.run(&["verify", "copy.txt", "--bundle", "b.bundle", "--trust", "olga.pub"]);
                    if !r.is(0) || !v.is(0) {
                        t.fail(format!("{what}: the bundle of ponte@v1 must verify the genuine copy: {r}\n{v}"));
                    }
                }
                _ => {
                    if !r.is(0) {
                        t.fail(format!("{what}: `{}` must work past an ignored line: {r}", args.join(" ")));
                    }
                }
            }
        }
        // Whatever was appended after it, the audit still reports exactly that one line.
        let after = env.run(&["--json", "audit"]);
        let problems = after.try_json().map(|j| json_problems(&j)).unwrap_or_default();
        if !damaged && problems.iter().any(|(_, l)| *l != Some(n)) {
            t.broken += 1;
            t.show("BROKEN", &format!("{what}: an append after it broke the ledger: {after}"));
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// The suites: small by default, full with COLOPHON_STRESS=full (tests/stress/run). The names sort
// in the order the full run prints them; the keys suite comes last so that its scan for printed
// secrets covers the outputs of every suite before it when run with --test-threads 1.
// ---------------------------------------------------------------------------------------------

#[test]
fn s1_crash() {
    crash_suite(if full() { 300 } else { 6 }).finish();
}

#[test]
fn s1b_torn() {
    if full() { torn_suite(1, 1) } else { torn_suite(9, 60) }.finish();
}

#[test]
fn s2_concurrency() {
    let (writers, per_writer) = if full() { (4, 250) } else { (2, 20) };
    concurrency_suite(writers, per_writer).finish();
}

#[test]
fn s3_tamper() {
    if full() { tamper_suite(1000, 10_000, 1, 25) } else { tamper_suite(150, 60, 8, 5) }.finish();
}

#[test]
fn s4_bundles() {
    bundles_suite(if full() { 1 } else { 6 }).finish();
}

#[test]
fn s5_bad_input() {
    bad_input_suite(full()).finish();
}

#[test]
fn s5b_sidecars() {
    sidecar_suite(full()).finish();
}

#[test]
fn s5c_hand_lines() {
    hand_appended_suite(full()).finish();
}

#[test]
fn s6_keys() {
    keys_suite(if full() { 8 } else { 2 }).finish();
}

// ---------------------------------------------------------------------------------------------
// Bugs the suites found. Each test checks the correct behaviour and is ignored until the bug is
// fixed (run them with `cargo test --test stress -- --ignored`).
// ---------------------------------------------------------------------------------------------

/// The standard journey plus a corrected translation, its release ponte@v2 cosigned by Edo and by
/// Gina (whose key is then revoked as compromised), a checkpoint, and the bundle of ponte@v2.
fn bundle_env() -> Env {
    let env = Env::new();
    standard(&env);
    env.keygen("Gina Ospite", "gina");
    env.write("bridge.en.txt", TEXT_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["key", "add", "gina.pub", "--role", "editor", "--key", "olga.key"]);
    env.ok(&["release", "--work", "ponte", "--tag", "v2", "--key", "tina.key"]);
    env.ok(&["cosign", "ponte@v2", "--key", "gina.key"]);
    env.ok(&["cosign", "ponte@v2", "--key", "edo.key"]);
    env.ok(&["key", "revoke", "Gina Ospite", "--reason", "compromised", "--key", "olga.key"]);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    env.ok(&["bundle", "ponte@v2", "--out", "b.bundle"]);
    env.write("copy2.txt", TEXT_EN_2);
    env
}

/// The bundle with the first entry of type `kind` (and its proof) removed.
fn without_entry(env: &Env, kind: &str, nth: usize) -> Vec<u8> {
    let mut b: Value = serde_json::from_slice(&env.read("b.bundle")).expect("bundle JSON");
    let at = b["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            parse_line(l.as_str().unwrap_or_default().as_bytes()).is_ok_and(|p| p.entry.body.kind() == kind)
        })
        .map(|(i, _)| i)
        .nth(nth)
        .expect("such an entry");
    b["entries"].as_array_mut().expect("entries").remove(at);
    b["proofs"].as_array_mut().expect("proofs").remove(at);
    serde_json::to_vec_pretty(&b).expect("JSON")
}

/// Found by the keys suite: batch verification (cofactored) accepted these, `verify_strict` does
/// not; the audit's fast path now checks every signature with `verify_strict`.
#[test]
fn audit_rejects_an_r_with_a_small_order_component() {
    let c = cast();
    let lines = rich_ledger(8, &c);
    let last = lines.len() - 1;
    assert_eq!(parse_line(&lines[last]).expect("parse").entry.signer, c.t2.id(), "the release, signed by Teo");
    let env = Env::new();
    let mut accepted = Vec::new();
    for torsion in 1..8 {
        for k in 1..=4u8 {
            let r = curve25519_dalek::Scalar::from_bytes_mod_order([k; 32]);
            let mut ls = lines.clone();
            ls[last] = sign_with_torsion(&lines[last], &c.t2, r, torsion);
            let bytes = join_lines(&ls);
            assert!(!audit(&bytes[..], None).is_clean(), "the exact audit rejects it");
            env.write(LEDGER, &bytes);
            let r = env.run(&["audit"]);
            if !r.is(1) {
                accepted.push(format!("torsion point {torsion}, r = [{k}; 32]: {r}"));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "`colophon audit` accepted {} of 28 forged signatures:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
}

/// Found by the bundles suite: a bundle without the matched version's parent verified, and named
/// the version ponte:en@1 when it is ponte:en@2 (spec/verify.md §3.3 rule 7 now refuses it).
#[test]
fn bundle_without_a_parent_version_is_rejected() {
    let env = bundle_env();
    // The versions are ponte:it@1, ponte:en@1, ponte:en@2: remove ponte:en@1.
    env.write("forged.bundle", without_entry(&env, "version", 1));
    // spec/verify.md §3.3 item 7: ponte:en@2's parent is not among the entries. A bundle that
    // fails its checks is a verdict (spec/cli.md §3, `verify`): exit 1.
    let r = env.run(&["--json", "verify", "copy2.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"]);
    r.assert_code(1).assert_status("bundle.invalid");
    env.run(&["verify", "copy2.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"])
        .assert_code(1)
        .assert_lacks("ponte:en@1");
}

/// Found by the bundles suite: a bundle with a cosign or a revocation left out (with its proof)
/// still verifies, and no check on the bundle alone can see it (spec/verify.md §3.4). The verdict
/// must say so, and verifying against the ledger shows what the bundle left out.
#[test]
fn bundle_verdicts_say_that_left_out_cosigns_and_revocations_cannot_be_seen() {
    let env = bundle_env();
    for (kind, nth) in [("cosign", 0), ("cosign", 1), ("revoke", 0)] {
        env.write("forged.bundle", without_entry(&env, kind, nth));
        // Still an anchored bundle whose every check passes (§3.4: nothing shows what is left
        // out), of a release signed by a key never revoked: verified.
        let r = env.run(&["verify", "copy2.txt", "--bundle", "forged.bundle", "--trust", "olga.pub"]);
        r.assert_code(0).assert_stdout("revocations, cosignatures and later releases are those the bundle holds");
    }
    let r = env.run(&["verify", "copy2.txt", "--trust", "olga.pub"]);
    assert!(r.is(0), "{r}");
    assert!(r.stdout.contains("revoked as compromised"), "the ledger shows the revocation:\n{r}");
}

/// Found by the bundles suite: `colophon bundle` failed (exit 2, 'entry N is not covered by the
/// checkpoint') once anything was appended after the kept checkpoint.
#[test]
fn bundle_after_an_append_past_the_checkpoint_is_the_ledger_as_of_the_checkpoint() {
    let env = Env::new();
    standard(&env);
    env.keygen("Ezio Extra", "extra");
    env.ok(&["checkpoint", "--key", "olga.key"]);
    env.ok(&["key", "add", "extra.pub", "--role", "editor", "--key", "olga.key"]);
    let r = env.run(&["bundle", "ponte@v1", "--out", "v1.bundle"]);
    assert!(r.is(0), "{r}");
    assert!(r.stderr.contains("as of its kept checkpoint"), "the writer says what is left out:\n{r}");
    let r = env.run(&["verify", "copy.txt", "--bundle", "v1.bundle", "--trust", "olga.pub"]);
    assert!(r.is(0), "{r}");
}

/// Found by the bad-input suite: these exited 0 when their output could not be written.
#[test]
fn output_lost_on_a_full_stdout_exits_2() {
    let env = Env::new();
    standard(&env);
    env.ok(&["checkpoint", "--key", "olga.key"]);
    let mut wrong = Vec::new();
    for args in [
        &["log"][..],
        &["--json", "log"],
        &["key", "list"],
        &["audit"],
        &["bundle", "ponte@v1"],
        &["vkey", "olga.pub", "--name", "w.example/w1"],
    ] {
        let r = run_to_full_stdout(&env, args);
        if !r.is(2) {
            wrong.push(format!("`colophon {}` exited {:?}", args.join(" "), r.code));
        }
    }
    assert!(wrong.is_empty(), "output lost without an error: {wrong:?}");
}

/// Found by the bad-input suite: `keygen` left an empty secret key file, and `show -o` a partial
/// text, when the disk was full.
#[test]
fn failed_writes_leave_no_partial_files() {
    let env = Env::new();
    standard(&env);
    let r = run_limited(&env, &["keygen", "--name", "Full Disk", "--out", "full", "--unencrypted"], 0);
    assert!(r.is(2), "{r}");
    assert!(!env.path("full.key").exists(), "keygen left full.key behind (and will refuse to overwrite it)");
    assert!(!env.path("full.pub").exists(), "keygen left full.pub behind");
    let r = run_limited(&env, &["show", "ponte:it@1", "-o", "out.txt"], 0);
    assert!(r.is(2), "{r}");
    assert!(!env.path("out.txt").exists(), "show -o left a partial out.txt behind");
}

/// Found by the bad-input suite: unreadable, malformed or unwritable --state and --proof files
/// were reported as a refusal (exit 1) instead of bad input (exit 2).
#[test]
fn cosign_checkpoint_reports_input_errors_as_input_errors() {
    let env = Env::new();
    standard(&env);
    env.keygen("Witness One", "w1");
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp1"]);
    let w = ["--key", "w1.key", "--name", "w.example/w1", "--log-key", "olga.pub"];
    let cosign = |cp: &str, extra: &[&str]| {
        let mut args = vec!["witness", cp];
        args.extend_from_slice(&w);
        args.extend_from_slice(extra);
        env.run(&args)
    };
    assert!(cosign("cp1", &["--state", "w.state"]).is(0));
    env.write("bridge.en.txt", TEXT_EN_2);
    env.ok(&["record", "bridge.en.txt", "--work", "ponte", "--lang", "en", "--key", "tina.key"]);
    env.ok(&["checkpoint", "--key", "olga.key", "-o", "cp2"]);
    std::fs::create_dir(env.path("a-directory")).expect("mkdir");
    env.write("notes.txt", "shopping list\n");
    for extra in [
        &["--state", "a-directory"][..],
        &["--state", "notes.txt"],
        &["--state", "w.state", "--proof", "missing.proof"],
        &["--state", "w.state", "--proof", "a-directory"],
    ] {
        let r = cosign("cp2", extra);
        assert!(r.is(2), "{r}");
    }
}

/// Found by the bad-input suite: an empty keyring file was taken for no keyring (`audit --trust
/// EMPTY` exited 0 without reporting untrusted signers).
#[test]
fn an_empty_keyring_is_refused() {
    let env = Env::new();
    standard(&env);
    env.write("empty.keys", "");
    // spec/ledger.md §10.1: a keyring with no key line is bad input (exit 2, spec/cli.md §1), not
    // "no trust roots given"; the status is `trust.keyring.invalid` and the message names the file.
    for args in [&["audit", "--trust", "empty.keys"][..], &["verify", "copy.txt", "--trust", "empty.keys"]] {
        env.run(args).assert_code(2).assert_stderr("empty.keys").assert_lacks("no trust roots were given");
        let json = [&["--json"][..], args].concat();
        env.run(&json).assert_code(2).assert_status("trust.keyring.invalid");
    }
}

/// Found by the bad-input suite: these messages named neither the file nor the fix.
#[test]
fn messages_name_the_file_and_the_fix() {
    let env = Env::new();
    standard(&env);
    env.write("notes.txt", "shopping list\n");
    env.write("latin1.pub", b"caf\xe9\n");
    // spec/transparency.md §8: a file that does not parse as a signed note is bad input (exit 2,
    // naming the file).
    env.run(&["audit", "--since", "notes.txt"]).assert_code(2).assert_stderr("notes.txt");
    // A public key file that is not UTF-8: bad input, naming the file and how to make a key.
    let r = env.run(&["key", "add", "latin1.pub", "--role", "editor", "--key", "olga.key"]);
    r.assert_code(2).assert_stderr("latin1.pub");
    assert!(r.stderr.contains("keygen") || r.stderr.contains("key line"), "the fix (either wording):\n{r}");
}

/// An env of the sidecar suite with its index built, and a connection to that index.
fn sidecar_env_with_index() -> (Env, rusqlite::Connection) {
    let env = copy_env(&sidecar_base());
    env.ok(&["log"]);
    let db = cache_index(&env).expect("index");
    let c = rusqlite::Connection::open(db).expect("open index");
    (env, c)
}

/// Found by the sidecars suite: an index row giving a line length of 2^63 made every command
/// abort trying to allocate it (the index's location is a hint, never a size to trust).
#[test]
fn an_index_line_length_past_the_file_is_refused_without_allocating_it() {
    let (env, c) = sidecar_env_with_index();
    c.execute_batch("UPDATE entries SET len = 9223372036854775807").expect("forge");
    let r = env.run(&["--json", "verify", "copy.txt", "--trust", "olga.pub"]);
    assert!(r.is(0) && !r.panicked(), "{r}");
    let r = env.run(&["show", "ponte@v1", "--text"]);
    assert!(r.is(0) && r.stdout == TEXT_EN_1, "{r}");
}

/// Found by the sidecars suite: an index that marked every line as rejected made the genuine copy
/// "match nothing"; the index contradicts itself (it holds the versions) and is rebuilt.
#[test]
fn an_index_that_marks_every_line_rejected_is_rebuilt() {
    let (env, c) = sidecar_env_with_index();
    c.execute_batch("UPDATE entries SET state = 0").expect("forge");
    let r = env.run(&["--json", "verify", "copy.txt", "--trust", "olga.pub"]);
    assert!(r.is(0), "{r}");
    assert!(r.stdout.contains("rebuilt"), "the verdict says the index was rebuilt: {r}");
}

/// Found by the sidecars suite: `publish` wrote hash tiles from the index's stored hashes, so a
/// damaged index published a tree that was not the ledger's. Checkpoints and tiles now come from
/// the ledger's bytes.
#[test]
fn checkpoints_and_tiles_are_the_ledgers_tree_not_the_index_hashes() {
    let (env, c) = sidecar_env_with_index();
    c.execute_batch("UPDATE hashes SET hash = zeroblob(32)").expect("forge");
    let root = env.ok(&["--json", "audit"]).try_json().and_then(|j| j["merkle_root"].as_str().map(String::from));
    // The first attempt finds that the index's tree is not the ledger's: it rebuilds the index and
    // signs nothing (exit 2). The second signs the ledger's root.
    let r = env.run(&["--json", "checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    assert!(r.is(2) && r.stderr.contains("rebuilt"), "{r}");
    let r = env.run(&["--json", "checkpoint", "--key", "olga.key", "-o", "new.cp"]);
    assert!(r.is(0), "{r}");
    assert_eq!(r.try_json().and_then(|j| j["root"].as_str().map(String::from)), root, "{r}");
    env.ok(&["publish", "pub"]);
    let a = env.run(&["--json", "audit", "--tiles", "pub"]);
    assert!(a.is(0), "{a}");
    assert_eq!(a.try_json().and_then(|j| j["merkle_root"].as_str().map(String::from)), root);
}

/// Found by the sidecars suite, before `publish --site` was merged: the site was made through the
/// cached index, so an index that had lost its cosign, release or key rows published a site (and
/// bundles) without them. The site's state is now built from the ledger's lines in memory.
#[test]
fn a_site_shows_what_the_lines_hold_whatever_rows_the_index_lost() {
    let (env, c) = sidecar_env_with_index();
    c.execute_batch("DELETE FROM cosigns; DELETE FROM releases; DELETE FROM keys WHERE rseq IS NOT NULL")
        .expect("forge");
    env.ok(&["publish", "pub", "--key", "olga.key", "--site"]);
    let page = env.read_string("pub/works/ponte.html");
    assert!(page.contains("<code>ponte@v1</code>") && page.contains(">Edo Marini</a>"), "{page}");
    let keys = env.read_string("pub/keys.html");
    assert!(keys.contains("<dt>Revoked</dt>"), "{keys}");
    env.ok(&["verify", "copy.txt", "--bundle", "pub/bundles/ponte@v1.bundle", "--trust", "pub/owners.keyring"]);
}
