//! The `colophon` command: parses arguments, unlocks keys, calls the library, prints.
//! Exit codes (spec/cli.md §1): 0 success, 1 verification failed, 2 usage, input or I/O error.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use colophon::audit::Report;
use colophon::bundle::{self, BundleFile};
use colophon::diff::{ChangeKind, Chunk, unified, word_diff};
use colophon::entry::{Body, RevokeReason, Role, TextRole, parse_line};
use colophon::hash::Digest;
use colophon::index::Index;
use colophon::keys::{KeyError, SecretKey, SecretKeyFile, read_pub_file, write_new_file};
use colophon::ledger::{self, LedgerError};
use colophon::ops::{self, OpError, RecordRequest, ReleaseRequest};
use colophon::refs::resolve;
use colophon::status::Code;
use colophon::trust::{Keyring, KeyringError};
use colophon::verify::{CopyFacts, CopyReport, Level, Store};
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Prints a line through anstream (which drops colour when stdout is not a terminal or NO_COLOR is
/// set) and ends the process quietly when the reader of stdout has gone away (`colophon log | head`).
macro_rules! println {
    ($($t:tt)*) => { $crate::print_line(format_args!($($t)*)) };
}

fn print_line(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        stdout_failed(e);
    }
}

/// The first error writing stdout (other than a closed pipe). A command whose output was lost must
/// not exit 0: `main` turns this into an I/O error, exit 2 (spec/cli.md §1).
static STDOUT_ERROR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Set when the reader of stdout has gone away (`colophon log | head`). That is the reader's
/// choice, not an error: nothing more is written, and the command ends with the exit code it would
/// have had (spec/cli.md §1), a verdict's 1 included.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn stdout_failed(e: std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
        return;
    }
    let _ = STDOUT_ERROR.set(ops::io_hint(&e));
}

/// Writes raw bytes to stdout, treating a closed pipe as the reader's choice, not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), Fail> {
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(stdout_lost(&ops::io_hint(&e))),
        Ok(()) => Ok(()),
    }
}

fn stdout_lost(why: &str) -> Fail {
    Fail::input(format!(
        "writing to stdout failed: {why}; the output is incomplete (free space where stdout goes, or send it elsewhere)"
    ))
}

mod demo;
mod transparency_cmd;
use transparency_cmd::*;

const AFTER_HELP: &str = "\
Journeys:
  translator  keygen, init, key add, record, release          (sign)
  reader      verify COPY --bundle FILE --trust KEYS          (verify)
  archivist   audit, log, show, diff                          (audit)

Try `colophon demo` for all three on sample texts. Exit codes: 0 ok, 1 verification failed,
2 usage or input error. The format is specified in spec/ledger.md.";

/// A provenance ledger for translated publications: signed, hash-chained versions and releases.
#[derive(Parser, Debug)]
#[command(name = "colophon", version, about, after_help = AFTER_HELP, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// The ledger file.
    #[arg(long, global = true, env = "COLOPHON_LEDGER", default_value = "colophon.jsonl", value_name = "PATH")]
    ledger: PathBuf,
    /// Print machine-readable JSON on stdout (format: spec/cli-json.md).
    #[arg(long, global = true)]
    json: bool,
    /// Print only errors and verdicts.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a signing key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub.
    #[command(
        after_help = "Example:\n  colophon keygen --name \"Tina Rossi\"            (your default key)\n  colophon keygen --name \"Tina Rossi\" -o tina\n\n\
The passphrase comes from COLOPHON_PASSPHRASE, or is asked twice on the terminal."
    )]
    Keygen {
        /// Your name as readers will see it.
        #[arg(long)]
        name: String,
        /// Path prefix of the two files (default: your default key, in the colophon directory
        /// under your configuration directory).
        #[arg(long, short, alias = "out", value_name = "PREFIX")]
        output: Option<PathBuf>,
        /// Store the secret key without a passphrase (for tests and demos only).
        #[arg(long)]
        unencrypted: bool,
    },
    /// Create a new ledger owned by KEY.
    #[command(after_help = "Example:\n  colophon init --origin example.org/translations --key olga.key")]
    Init {
        /// The ledger's name, a schema-less URL such as example.org/translations.
        #[arg(long)]
        origin: String,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Register, revoke and list signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Record a new version of an original or a translation.
    #[command(after_help = "Examples:\n  colophon record mare.it.txt --work winter-sea --lang it --key tina.key\n  \
colophon record sea.en.txt --work winter-sea --lang en --of winter-sea:it --key tina.key\n  \
colophon record sea.en.txt --work winter-sea --lang en --note \"Fixed line 3\" --key tina.key\n\n\
The parent is the latest version of WORK in LANG. A correction of a translation renders the same\n\
original as the version before it unless --of says otherwise.")]
    Record {
        /// The file to record.
        file: PathBuf,
        /// Work id shared by an original and its translations, e.g. winter-sea.
        #[arg(long)]
        work: String,
        /// BCP 47 language tag, e.g. it, en, pt-BR.
        #[arg(long)]
        lang: String,
        /// original or translation (default: as earlier versions; translation when --of is given).
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        /// The original version this translation renders (REF, e.g. winter-sea:it).
        #[arg(long, value_name = "REF")]
        of: Option<String>,
        /// What changed, for the history.
        #[arg(long)]
        note: Option<String>,
        /// Record only hashes; the text is not stored in the ledger.
        #[arg(long)]
        hash_only: bool,
        /// Media type (default: guessed from the file name).
        #[arg(long, value_name = "TYPE")]
        media_type: Option<String>,
        /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Sign a release: a translation version and the original version it renders.
    #[command(
        after_help = "Example:\n  colophon release winter-sea@v1 --key tina.key --write-bundle winter-sea-v1.bundle\n\n\
--translation defaults to the latest translation of the work, --original to the version it renders."
    )]
    Release {
        /// The release to make, WORK@TAG (or give --work and --tag).
        #[arg(value_name = "WORK@TAG", conflicts_with_all = ["work", "tag"])]
        release: Option<String>,
        /// Work id.
        #[arg(long, requires = "tag")]
        work: Option<String>,
        /// Release tag, e.g. v1.
        #[arg(long, requires = "work")]
        tag: Option<String>,
        /// The translation version (REF).
        #[arg(long, value_name = "REF")]
        translation: Option<String>,
        /// The original version (REF); must be the one the translation renders.
        #[arg(long, value_name = "REF")]
        original: Option<String>,
        /// Where the release is published (repeatable).
        #[arg(long = "url", value_name = "URL")]
        urls: Vec<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Also write the reader's bundle to this file (signing a checkpoint first when your key is
        /// an owner of the log).
        #[arg(long, alias = "bundle", value_name = "FILE")]
        write_bundle: Option<PathBuf>,
        /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Countersign a release with a second key (e.g. an editor's).
    #[command(after_help = "Example:\n  colophon cosign winter-sea@v1 --key edo.key")]
    Cosign {
        /// The release (REF, e.g. winter-sea@v1).
        release: String,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Your secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "KEY.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Write a reader's bundle: everything needed to verify a release offline, in one file.
    #[command(after_help = "Example:\n  colophon bundle winter-sea@v1 -o winter-sea-v1.bundle")]
    Bundle {
        /// The release (REF).
        release: String,
        /// Output file (default: stdout).
        #[arg(long, short, alias = "out", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check a copy of a text against the signed releases.
    #[command(after_help = "Examples:\n  colophon verify copy.txt --bundle winter-sea-v1.bundle --trust olga.pub\n  \
colophon verify copy.txt --trust keys.txt            (against the ledger)\n  \
colophon verify copy.txt --profile exact --trust keys.txt\n\n\
Exit 0 when the copy matches a signed release by a trusted key; 1 otherwise, with the closest\n\
signed version and a word diff when nothing matches.")]
    Verify {
        /// The copy to check.
        copy: PathBuf,
        /// Verify against this bundle instead of the ledger.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Trusted keys: a keyring (see keys.example) or a .pub file; repeatable.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// The loosest match accepted: exact, text/v1 or words/v2 (default: words/v2, i.e. any).
        #[arg(long, value_name = "PROFILE", default_value = "words/v2", value_parser = profile_values())]
        profile: String,
        /// A checkpoint of this log you saw before: the bundle's must be consistent with it.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// A consistency proof (from `colophon prove consistency`) between that checkpoint and the bundle's.
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        consistency: Option<PathBuf>,
        /// Verify against a published tiles directory (`colophon publish`) instead of the ledger.
        #[arg(long, value_name = "DIR", conflicts_with = "bundle")]
        tiles: Option<String>,
        /// Accept a bundle that carries no log checkpoint and inclusion proofs. Nothing then shows
        /// that its entries are in the owner's log, or in which order they were signed (a stolen
        /// key could have signed after its revocation): the verdict says so, and fails whenever
        /// it would need that order.
        #[arg(long, requires = "bundle")]
        insecure_ignore_log: bool,
    },
    /// Show the history: keys, versions, releases.
    #[command(after_help = "Example:\n  colophon log --work winter-sea")]
    Log {
        /// Only entries about this work.
        #[arg(long)]
        work: Option<String>,
    },
    /// Rebuild a version's exact bytes from the ledger (or show any entry).
    #[command(
        after_help = "Examples:\n  colophon show winter-sea:en@1 -o first-draft.txt\n  colophon show winter-sea@v1"
    )]
    Show {
        /// REF of a version (a release shows its translation), or of any entry.
        r#ref: String,
        /// Write the text to FILE instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Compare two versions (or files).
    #[command(
        after_help = "Examples:\n  colophon diff winter-sea:en@1 winter-sea:en@2\n  colophon diff winter-sea:en copy.txt --words"
    )]
    Diff {
        /// REF or file.
        a: String,
        /// REF or file.
        b: String,
        /// Word diff instead of a unified line diff.
        #[arg(long)]
        words: bool,
    },
    /// Verify the whole ledger: canonical form, chain, signatures, keys, references, every text.
    #[command(
        after_help = "Example:\n  colophon audit --trust keys.txt\n\nExit 0 when clean, 1 when any problem is found."
    )]
    Audit {
        /// Also report entries whose signers do not chain to these trusted keys.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// Prove the ledger is an append-only extension of the one this old checkpoint signed.
        #[arg(long, value_name = "CHECKPOINT")]
        since: Option<PathBuf>,
        /// Audit a published tiles directory (`colophon publish`) instead of the ledger file.
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
    },
    /// Sign a checkpoint (tree size and Merkle root) of the ledger with an owner key.
    #[command(after_help = "Example:\n  colophon checkpoint --key olga.key -o 2026-03.checkpoint\n\n\
The latest checkpoint is also kept beside the ledger (<ledger>.checkpoint); bundles made afterwards\n\
carry it with an inclusion proof for every entry. Keep old checkpoints: `audit --since` uses them.")]
    Checkpoint {
        /// An owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
        /// Also write the checkpoint to FILE (default: print it).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print an inclusion proof of an entry, or a consistency proof between two checkpoints.
    #[command(subcommand)]
    Prove(ProveCommand),
    /// Check a proof file without the ledger.
    #[command(after_help = "Examples:\n  colophon verify-proof entry.tlog-proof --trust olga.pub\n  \
colophon verify-proof grow.proof --old jan.checkpoint --new mar.checkpoint --trust olga.pub")]
    VerifyProof {
        /// A .tlog-proof file (inclusion) or a consistency proof file.
        proof: PathBuf,
        /// The log's keys (and witnesses): a keyring or .pub file; repeatable.
        #[arg(long, value_name = "KEYRING", env = "COLOPHON_TRUST", value_delimiter = ':')]
        trust: Vec<PathBuf>,
        /// The ledger line the inclusion proof is about, when the proof does not carry it.
        #[arg(long, value_name = "FILE")]
        entry: Option<PathBuf>,
        /// For a consistency proof: the older checkpoint.
        #[arg(long, value_name = "CHECKPOINT")]
        old: Option<PathBuf>,
        /// For a consistency proof: the newer checkpoint.
        #[arg(long, value_name = "CHECKPOINT")]
        new: Option<PathBuf>,
    },
    /// Write the ledger as a static C2SP tlog-tiles directory any web host can serve.
    #[command(after_help = "Example:\n  colophon publish public/log --key olga.key\n\n\
Publishing again only adds new tiles and rewrites the partial ones and the checkpoint.")]
    Publish {
        /// The directory.
        dir: PathBuf,
        /// Sign a fresh checkpoint with this owner key first (default: the kept checkpoint).
        #[arg(long, value_name = "OWNER.key")]
        key: Option<PathBuf>,
    },
    /// Act as a witness: cosign a checkpoint after checking it extends the last one you cosigned.
    #[command(
        after_help = "Example:\n  colophon cosign-checkpoint log.checkpoint --key w.key --name witness.example/w1 \\\n    \
--state w.state --log-key olga.pub --tiles public/log -o log.checkpoint\n\n\
Readers list the witness with the line printed by `colophon vkey w.pub --name witness.example/w1 --witness`."
    )]
    CosignCheckpoint {
        /// The checkpoint to cosign.
        checkpoint: PathBuf,
        /// The witness's secret key.
        #[arg(long, value_name = "KEY.key")]
        key: PathBuf,
        /// The witness's name, a schema-less URL such as witness.example/w1.
        #[arg(long)]
        name: String,
        /// The witness's state file: the last checkpoint cosigned per log.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The log owner's public key(s) (a .pub file or keyring).
        #[arg(long = "log-key", value_name = "KEYRING", required = true)]
        log_key: Vec<PathBuf>,
        /// Where to get consistency proofs: the log's tiles directory (default: --ledger).
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Or a consistency proof file from `colophon prove consistency`.
        #[arg(long, value_name = "FILE")]
        proof: Option<PathBuf>,
        /// Write the cosigned checkpoint here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the signed-note verifier key (vkey) of a public key, for keyrings and witness tools.
    #[command(after_help = "Example:\n  colophon vkey w.pub --name witness.example/w1 --witness >> keys.txt")]
    Vkey {
        /// The .pub file.
        #[arg(value_name = "PUB")]
        public: PathBuf,
        /// The key name: the witness name, or the log's origin.
        #[arg(long)]
        name: String,
        /// A witness cosigner key (cosignature/v1, type 0x04); prints a `witness ...` keyring line.
        #[arg(long)]
        witness: bool,
    },
    /// Run all three journeys on embedded sample texts in a temporary directory.
    Demo {
        /// Keep the demo directory and print its path.
        #[arg(long)]
        keep: bool,
    },
    /// Print shell completions.
    #[command(after_help = "Example:\n  colophon completions bash > /etc/bash_completion.d/colophon")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(after_help = "Examples:\n  colophon man > colophon.1 && man ./colophon.1\n  colophon man --dir man1")]
    Man {
        /// Write colophon.1 and one page per command (colophon-verify.1, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum ProveCommand {
    /// An inclusion proof (c2sp.org/tlog-proof@v1) of an entry in a checkpoint's tree.
    #[command(after_help = "Example:\n  colophon prove inclusion ponte@v1 -o release.tlog-proof")]
    Inclusion {
        /// The entry (REF).
        r#ref: String,
        /// The checkpoint to prove against (default: the one kept beside the ledger).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Use a published tiles directory instead of the ledger (default checkpoint: the published one).
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Write the proof here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// A consistency proof between two checkpoints of the ledger.
    #[command(after_help = "Example:\n  colophon prove consistency jan.checkpoint mar.checkpoint -o grow.proof")]
    Consistency {
        /// The older checkpoint.
        old: PathBuf,
        /// The newer checkpoint.
        new: PathBuf,
        /// Use a published tiles directory instead of the ledger.
        #[arg(long, value_name = "DIR")]
        tiles: Option<String>,
        /// Write the proof here (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Register a signer's public key (owner only).
    #[command(after_help = "Example:\n  colophon key add tina.pub --role translator --key olga.key")]
    Add {
        /// The .pub file written by `colophon keygen`.
        #[arg(value_name = "PUB")]
        public: PathBuf,
        /// Role(s): translator, editor, owner (repeatable or comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', required = true)]
        role: Vec<RoleKind>,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// Retire a key; it signs nothing after this entry.
    #[command(after_help = "Example:\n  colophon key revoke f1cde99f --reason compromised --key olga.key")]
    Revoke {
        /// Key id (or a unique prefix of 8+ hex digits, or the exact name).
        keyid: String,
        /// retired or compromised.
        #[arg(long, value_enum)]
        reason: ReasonArg,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// The owner's secret key (default: COLOPHON_KEY, else your default key, spec/cli.md §4).
        #[arg(long, value_name = "OWNER.key", env = "COLOPHON_KEY")]
        key: Option<PathBuf>,
    },
    /// List registered keys.
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
    Original,
    Translation,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleKind {
    Translator,
    Editor,
    Owner,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ReasonArg {
    Retired,
    Compromised,
}

/// A failure: exit code and message.
struct Fail {
    code: u8,
    status: Option<Code>,
    message: String,
}

impl Fail {
    fn input(message: impl Into<String>) -> Fail {
        Fail { code: 2, status: None, message: message.into() }
    }
}

impl From<OpError> for Fail {
    fn from(e: OpError) -> Fail {
        let status = match &e {
            OpError::Ledger(LedgerError::Rejected { code, .. } | LedgerError::Damaged { code, .. }) => Some(*code),
            _ => None,
        };
        Fail { code: 2, status, message: e.to_string() }
    }
}

impl From<LedgerError> for Fail {
    fn from(e: LedgerError) -> Fail {
        OpError::from(e).into()
    }
}

impl From<KeyError> for Fail {
    fn from(e: KeyError) -> Fail {
        Fail::input(e.to_string())
    }
}

impl From<KeyringError> for Fail {
    fn from(e: KeyringError) -> Fail {
        Fail { code: 2, status: Some(Code::TrustKeyringInvalid), message: e.to_string() }
    }
}

type Res = Result<ExitCode, Fail>;

/// Turns a signer-rule rejection into advice naming the key file and the fix.
fn signer_hint(e: OpError, key_path: &Path, key: &SecretKey) -> Fail {
    let mut f = Fail::from(e);
    let who = format!("{} ({}, key id {})", key_path.display(), key.name, key.id());
    let hint = match f.status {
        Some(Code::EntrySignerUnknown) => Some(format!(
            "the key {who} is not registered in this ledger; the ledger owner registers it with `colophon key add {}.pub --role translator --key OWNER.key`",
            key_path.with_extension("").display()
        )),
        Some(Code::EntrySignerRevoked) => {
            Some(format!("the key {who} was revoked; sign with a new key registered by the ledger owner"))
        }
        Some(Code::EntrySignerUnauthorized) => Some(format!(
            "the key {who} lacks the role for this; see its roles with `colophon key list` (only owners register and revoke keys; editors cannot sign releases)"
        )),
        _ => None,
    };
    if let Some(h) = hint {
        f.message = format!("{}\n  {h}", f.message);
    }
    f
}

/// Output settings shared by all commands.
#[derive(Clone, Copy)]
struct Out {
    json: bool,
    quiet: bool,
}

impl Out {
    fn say(&self, s: impl AsRef<str>) {
        if !self.json && !self.quiet {
            println!("{}", s.as_ref());
        }
    }

    fn json(&self, v: Value) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
}

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Whether stdout gets colour: decided once (anstream's rules: a terminal, NO_COLOR,
/// CLICOLOR, CLICOLOR_FORCE), so that printing needs neither per-line environment look-ups nor
/// stripping escapes back out.
fn color() -> bool {
    static COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *COLOR.get_or_init(|| !matches!(anstream::AutoStream::choice(&std::io::stdout()), anstream::ColorChoice::Never))
}

fn paint(style: Style, s: &str) -> String {
    if color() { format!("{style}{s}{style:#}") } else { s.to_string() }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    let out = Out { json: cli.global.json, quiet: cli.global.quiet };
    let command_name = command_name(&cli.command);
    let result = run(cli, out);
    // Buffered output is written now; an error here or earlier means the output was lost.
    if let Err(e) = std::io::stdout().lock().flush() {
        stdout_failed(e);
    }
    let result = match (result, STDOUT_ERROR.get()) {
        (Ok(_), Some(e)) => Err(stdout_lost(e)),
        (r, _) => r,
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            if out.json {
                let mut v = json!({"ok": false, "command": command_name, "error": f.message});
                if let Some(s) = f.status {
                    v["status"] = json!(s.as_str());
                }
                out.json(v);
            }
            eprintln!("{}: {}", paint(RED.bold(), "error"), f.message);
            ExitCode::from(f.code)
        }
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Keygen { .. } => "keygen",
        Command::Init { .. } => "init",
        Command::Key(KeyCommand::Add { .. }) => "key add",
        Command::Key(KeyCommand::Revoke { .. }) => "key revoke",
        Command::Key(KeyCommand::List) => "key list",
        Command::Record { .. } => "record",
        Command::Release { .. } => "release",
        Command::Cosign { .. } => "cosign",
        Command::Bundle { .. } => "bundle",
        Command::Verify { .. } => "verify",
        Command::Log { .. } => "log",
        Command::Show { .. } => "show",
        Command::Diff { .. } => "diff",
        Command::Audit { .. } => "audit",
        Command::Checkpoint { .. } => "checkpoint",
        Command::Prove(ProveCommand::Inclusion { .. }) => "prove inclusion",
        Command::Prove(ProveCommand::Consistency { .. }) => "prove consistency",
        Command::VerifyProof { .. } => "verify-proof",
        Command::Publish { .. } => "publish",
        Command::CosignCheckpoint { .. } => "cosign-checkpoint",
        Command::Vkey { .. } => "vkey",
        Command::Demo { .. } => "demo",
        Command::Completions { .. } => "completions",
        Command::Man { .. } => "man",
    }
}

fn run(cli: Cli, out: Out) -> Res {
    let ledger = cli.global.ledger.clone();
    match cli.command {
        Command::Keygen { name, output, unencrypted } => {
            let prefix = match output {
                Some(p) => p,
                None => default_key_prefix().ok_or_else(|| {
                    Fail::input("no configuration directory (neither XDG_CONFIG_HOME nor HOME is set); give -o PREFIX")
                })?,
            };
            keygen(out, &name, &prefix, unencrypted)
        }
        Command::Init { origin, key } => {
            let key = unlock(&signing_key(key)?)?;
            if ledger.exists() {
                return Err(Fail::input(format!(
                    "{}: a file already exists; colophon never overwrites a ledger (choose another --ledger path)",
                    ledger.display()
                )));
            }
            let a = ops::init(&ledger, &origin, &key)?;
            out.say(format!(
                "{} ledger {} with origin {origin}\n  owner: {} ({})\n  genesis entry: {}",
                paint(GREEN, "Created"),
                ledger.display(),
                key.name,
                key.id(),
                a.hash.short(16)
            ));
            out.json(json!({"ok": true, "command": "init", "ledger": ledger, "origin": origin, "owner": key.id(), "entry": a.hash}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Key(KeyCommand::Add { public, role, key }) => {
            let new = read_pub_file(&public)?;
            let key = signing_key(key)?;
            let owner = unlock(&key)?;
            let roles: Vec<Role> = role
                .iter()
                .map(|r| match r {
                    RoleKind::Translator => Role::Translator,
                    RoleKind::Editor => Role::Editor,
                    RoleKind::Owner => Role::Owner,
                })
                .collect();
            let a = ops::add_key(&ledger, &new, &roles, &owner).map_err(|e| signer_hint(e, &key, &owner))?;
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            out.say(format!(
                "{} {} ({}) as {} — entry #{} {}",
                paint(GREEN, "Registered"),
                new.name,
                new.key.id(),
                names.join(", "),
                a.seq,
                a.hash.short(16)
            ));
            out.json(json!({"ok": true, "command": "key add", "key_id": new.key.id(), "name": new.name, "roles": names, "seq": a.seq, "entry": a.hash}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Key(KeyCommand::Revoke { keyid, reason, note, key }) => {
            let key = signing_key(key)?;
            let owner = unlock(&key)?;
            let reason = match reason {
                ReasonArg::Retired => RevokeReason::Retired,
                ReasonArg::Compromised => RevokeReason::Compromised,
            };
            let a = ops::revoke_key(&ledger, &keyid, reason, note, &owner).map_err(|e| signer_hint(e, &key, &owner))?;
            let snap = load(&ledger)?;
            let id = ops::find_key(&snap.index, &keyid).map_err(Fail::input)?;
            let name = snap.index.key(&id).map(|k| k.name.clone()).unwrap_or_default();
            out.say(format!(
                "{} {name} ({id}) as {} — entry #{}; it signs nothing after this entry",
                paint(YELLOW, "Revoked"),
                reason.as_str(),
                a.seq
            ));
            out.json(json!({"ok": true, "command": "key revoke", "key_id": id, "reason": reason.as_str(), "seq": a.seq, "entry": a.hash}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Key(KeyCommand::List) => key_list(out, &ledger),
        Command::Record { file, work, lang, role, of, note, hash_only, media_type, key: key_path } => {
            let key_path = signing_key(key_path)?;
            let key = unlock(&key_path)?;
            let content = read_with_progress(&file, hash_only)?;
            let media_type = media_type.unwrap_or_else(|| ops::guess_media_type(&file, content.text.is_some()));
            let req = RecordRequest {
                work: work.clone(),
                lang,
                role: role.map(|r| match r {
                    RoleArg::Original => TextRole::Original,
                    RoleArg::Translation => TextRole::Translation,
                }),
                of,
                note,
                media_type: Some(media_type),
            };
            let size = content.size;
            let r = ops::record(&ledger, content, &req, &key).map_err(|e| signer_hint(e, &key_path, &key))?;
            let reference = format!("{work}:{}@{}", r.lang, r.number);
            let mut summary = match (r.stats, r.words, r.parent) {
                (Some(s), Some(w), Some(_)) => format!(
                    "+{}/−{} lines, +{}/−{} words against version {}",
                    s.lines_added,
                    s.lines_removed,
                    w.words_added,
                    w.words_removed,
                    r.number - 1
                ),
                (Some(s), _, None) => format!("first version, {} stored", plural(s.lines_added, "line")),
                (Some(s), None, Some(_)) => {
                    format!("+{}/−{} lines (previous version has no stored text)", s.lines_added, s.lines_removed)
                }
                (None, _, _) => r.not_stored.clone().unwrap_or_else(|| "hash only".into()),
            };
            if r.not_stored.is_some() && r.stats.is_none() {
                summary = format!("{summary}; {size} bytes");
            }
            let snap = load(&ledger).ok();
            let snap_of = match (r.of, &snap) {
                (Some(h), Some(s)) => Some(format!("{} ({})", vref(&s.index, &h), h.short(16))),
                _ => None,
            };
            out.say(format!(
                "{} {reference} ({}) — entry #{} {}\n  {summary}{}",
                paint(GREEN, "Recorded"),
                r.role.as_str(),
                r.appended.seq,
                r.appended.hash.short(16),
                match (snap_of, r.of_inherited) {
                    (Some(o), true) =>
                        format!("\n  renders original {o} (same as the previous version; use --of to change)"),
                    (Some(o), false) => format!("\n  renders original {o}"),
                    _ => String::new(),
                }
            ));
            if let Some(p) = &r.appended.torn_saved {
                eprintln!(
                    "{}: an interrupted earlier append left a torn line; it was moved to {}",
                    paint(YELLOW, "note"),
                    p.display()
                );
            }
            out.json(json!({
                "ok": true, "command": "record", "ref": reference, "entry": r.appended.hash, "seq": r.appended.seq,
                "role": r.role.as_str(), "lang": r.lang, "number": r.number, "parent": r.parent, "of": r.of,
                "of_inherited": r.of_inherited, "stats": r.stats, "words": r.words, "stored": r.not_stored.is_none(),
                "not_stored_reason": r.not_stored,
            }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Release {
            release,
            work,
            tag,
            translation,
            original,
            urls,
            note,
            write_bundle: bundle_out,
            key: key_path,
        } => {
            // A release is named WORK@TAG everywhere (spec/cli.md §2); --work/--tag say the same.
            let (work, tag) = match (release, work, tag) {
                (Some(r), _, _) => match r.split_once('@') {
                    Some((w, t)) if !w.is_empty() && !t.is_empty() => (w.to_string(), t.to_string()),
                    _ => return Err(Fail::input(format!("{r:?}: name the release WORK@TAG, e.g. ponte@v1"))),
                },
                (None, Some(w), Some(t)) => (w, t),
                _ => return Err(Fail::input("name the release to make: WORK@TAG, e.g. `colophon release ponte@v1`")),
            };
            let key_path = signing_key(key_path)?;
            let key = unlock(&key_path)?;
            // Check the bundle can be written before signing anything: a failing command must not
            // change the ledger (and would burn the tag).
            if let Some(p) = &bundle_out {
                check_writable_target(p)?;
            }
            let req = ReleaseRequest { work: work.clone(), tag: tag.clone(), translation, original, urls, note };
            let a = ops::release(&ledger, &req, &key).map_err(|e| signer_hint(e, &key_path, &key))?;
            let snap = load(&ledger)?;
            let rel = snap.index.release(&a.hash).ok_or_else(|| Fail::input("release vanished"))?;
            let t = snap.index.version(&rel.translation);
            let o = snap.index.version(&rel.original);
            let vref = |v: Option<colophon::index::VersionInfo>| {
                v.map_or("?".into(), |v| format!("{}:{}@{}", v.work, v.lang, v.number))
            };
            out.say(format!(
                "{} {work}@{tag} — entry #{} {}\n  translation {} renders original {}",
                paint(GREEN, "Released"),
                a.seq,
                a.hash.short(16),
                vref(t),
                vref(o)
            ));
            let mut j = json!({"ok": true, "command": "release", "ref": format!("{work}@{tag}"), "entry": a.hash, "seq": a.seq,
                "translation": rel.translation, "original": rel.original});
            if let Some(path) = bundle_out {
                // A bundle is anchored by a checkpoint of the log (spec/verify.md §3.5). When the
                // releasing key is an owner of the log, it signs one now: one command gives a
                // complete bundle. Otherwise the log's owner has to, and the bundle waits for it.
                let owner = snap.index.origin().is_some_and(|origin| {
                    colophon::transparency::owner_keys(&snap.index, &origin, snap.index.len())
                        .iter()
                        .any(|k| k.key_id == key.id())
                });
                let mut snap = snap;
                if owner {
                    let signed = colophon::transparency::checkpoint_ledger(&ledger, &key).map_err(|m| {
                        Fail::input(format!(
                            "the release {work}@{tag} IS recorded (entry #{}), but no checkpoint could be signed for its bundle: {m}",
                            a.seq
                        ))
                    })?;
                    if let Some(what) = signed.replaced {
                        eprintln!("{}: {what}; it was ignored and replaced", paint(YELLOW, "warning"));
                    }
                    out.say(format!(
                        "  signed checkpoint of the log at {} entries (kept in {})",
                        signed.checkpoint.size,
                        colophon::transparency::checkpoint_path(&ledger).display()
                    ));
                    snap = load(&ledger)?;
                }
                let written = bundle::build(&ledger, &snap.index, &a.hash)
                    .map_err(Fail::input)
                    .and_then(|b| write_bundle(&path, &b).map(|()| b));
                let b = written.map_err(|f| {
                    Fail::input(format!(
                        "the release {work}@{tag} IS recorded (entry #{}), but the bundle was not written: {}; write it with `colophon bundle {work}@{tag} -o FILE`",
                        a.seq, f.message
                    ))
                })?;
                out.say(format!(
                    "  bundle for readers: {} ({} entries{})",
                    path.display(),
                    b.entries.len(),
                    if b.checkpoint.is_some() { ", a signed checkpoint and an inclusion proof for each" } else { "" }
                ));
                if b.checkpoint.is_none() {
                    eprintln!("{}", incomplete_bundle(&format!("{work}@{tag}"), &path));
                }
                j["bundle"] = json!(path);
            }
            out.json(j);
            Ok(ExitCode::SUCCESS)
        }
        Command::Cosign { release, note, key: key_path } => {
            let key_path = signing_key(key_path)?;
            let key = unlock(&key_path)?;
            let a = ops::cosign(&ledger, &release, note, &key).map_err(|e| signer_hint(e, &key_path, &key))?;
            out.say(format!(
                "{} {release} as {} ({}) — entry #{} {}",
                paint(GREEN, "Cosigned"),
                key.name,
                key.id(),
                a.seq,
                a.hash.short(16)
            ));
            out.json(json!({"ok": true, "command": "cosign", "release": release, "entry": a.hash, "seq": a.seq}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Bundle { release, output: path } => {
            let (b, ledger_len) = bundle::build_from_ledger(&ledger, &release).map_err(Fail::input)?;
            if let Some(size) = b.checkpoint_size().filter(|&s| s < ledger_len) {
                eprintln!(
                    "{} the bundle is the ledger as of its kept checkpoint ({size} of {ledger_len} entries): later \
                     cosigns, keys and revocations are not in it; to include them, sign a new checkpoint \
                     (`colophon checkpoint --key OWNER.key`) and bundle again",
                    paint(YELLOW, "note:")
                );
            }
            match path {
                Some(p) => {
                    write_bundle(&p, &b)?;
                    out.say(format!(
                        "{} {} for {release} ({} entries, {}); readers check copies with\n  colophon verify COPY --bundle {} --trust OWNER.pub",
                        paint(GREEN, "Wrote"),
                        p.display(),
                        b.entries.len(),
                        if b.checkpoint.is_some() {
                            "a signed checkpoint and an inclusion proof for each"
                        } else {
                            "NO checkpoint yet"
                        },
                        p.display()
                    ));
                    if b.checkpoint.is_none() {
                        eprintln!("{}", incomplete_bundle(&release, &p));
                    }
                    out.json(json!({"ok": true, "command": "bundle", "release": b.release, "out": p, "entries": b.entries.len(),
                        "checkpoint": b.checkpoint.is_some()}));
                }
                None => {
                    let text = serde_json::to_string_pretty(&b).map_err(|e| Fail::input(e.to_string()))?;
                    println!("{text}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { copy, bundle, trust, profile, checkpoint, consistency, tiles, insecure_ignore_log } => {
            verify_cmd(
                out,
                &ledger,
                VerifyArgs { copy, bundle, trust, profile, seen: checkpoint, consistency, tiles, insecure_ignore_log },
            )
        }
        Command::Log { work } => log_cmd(out, &ledger, work.as_deref()),
        Command::Show { r#ref, output } => show_cmd(out, &ledger, &r#ref, output.as_deref()),
        Command::Diff { a, b, words } => diff_cmd(out, &ledger, &a, &b, words),
        Command::Audit { trust, since, tiles } => audit_cmd(out, &ledger, &trust, since.as_deref(), tiles.as_deref()),
        Command::Checkpoint { key, output } => checkpoint_cmd(out, &ledger, &signing_key(key)?, output.as_deref()),
        Command::Prove(p) => prove_cmd(out, &ledger, p),
        Command::VerifyProof { proof, trust, entry, old, new } => {
            verify_proof_cmd(out, &proof, &trust, entry.as_deref(), old.as_deref(), new.as_deref())
        }
        Command::Publish { dir, key } => publish_cmd(out, &ledger, &dir, key.as_deref()),
        Command::CosignCheckpoint { checkpoint, key, name, state, log_key, tiles, proof, output } => {
            witness_cmd(out, &ledger, WitnessArgs { checkpoint, key, name, state, log_key, tiles, proof, output })
        }
        Command::Vkey { public, name, witness } => vkey_cmd(out, &public, &name, witness),
        Command::Demo { .. } | Command::Completions { .. } if out.json => Err(Fail::input(
            "--json: this command prints for people or for a shell, and has no JSON form; leave --json out",
        )),
        Command::Demo { keep } => demo::run_demo(keep),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "colophon", &mut buf);
            write_stdout(&buf)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => man_cmd(out, dir.as_deref()),
    }
}

/// Reads a passphrase from COLOPHON_PASSPHRASE or the terminal.
fn passphrase(prompt: &str, confirm: bool) -> Result<Option<Zeroizing<String>>, Fail> {
    if let Ok(p) = std::env::var("COLOPHON_PASSPHRASE") {
        return Ok(Some(Zeroizing::new(p)));
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let first = Zeroizing::new(
        rpassword::prompt_password(prompt).map_err(|e| Fail::input(format!("cannot read the passphrase: {e}")))?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Repeat the passphrase: ")
                .map_err(|e| Fail::input(format!("cannot read the passphrase: {e}")))?,
        );
        if *first != *again {
            return Err(Fail::input("the two passphrases differ; nothing was written"));
        }
        if first.is_empty() {
            return Err(Fail::input(
                "an empty passphrase protects nothing; use --unencrypted if that is what you want",
            ));
        }
    }
    Ok(Some(first))
}

/// Opens a secret key file, asking for the passphrase if it is encrypted.
fn unlock(path: &Path) -> Result<SecretKey, Fail> {
    let file = SecretKeyFile::read(path)?;
    if !file.is_encrypted() {
        return Ok(file.unlock(None)?);
    }
    let pass = passphrase(&format!("Passphrase for {} ({}): ", path.display(), file.name()), false)?;
    Ok(file.unlock(pass.as_ref().map(|p| p.as_bytes()))?)
}

/// The `--profile` values, for help and completions; `words/v1` is accepted only to be refused
/// with the reason (it is retired for matching, spec/ledger.md §9.3).
fn profile_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("exact").help("byte for byte"),
        PossibleValue::new("text/v1").help("line endings, Unicode composition, trailing blanks may differ"),
        PossibleValue::new("words/v2").help("typography, layout and invisible characters may differ too"),
        PossibleValue::new("words/v1").hide(true),
    ])
}

/// The sections every man page ends with (spec/cli.md §1, §4, §5).
const MAN_TAIL: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success; for \fBverify\fR, the copy is verified; for \fBaudit\fR, the ledger is valid
.TP
\fB1\fR
a verification failed: the copy is not verified, or the ledger has problems
.TP
\fB2\fR
usage error, bad input (missing, unreadable or malformed file, invalid REF, wrong passphrase, a rule the new entry would break), or an I/O error
.SH ENVIRONMENT
.TP
\fBCOLOPHON_LEDGER\fR
default for \fB\-\-ledger\fR (else ./colophon.jsonl)
.TP
\fBCOLOPHON_TRUST\fR
default for \fB\-\-trust\fR: keyring paths separated by \fB:\fR
.TP
\fBCOLOPHON_KEY\fR
default signing key for \fB\-\-key\fR (else the default key \fBkeygen\fR writes)
.TP
\fBCOLOPHON_PASSPHRASE\fR
passphrase for encrypted secret keys (else asked on the terminal)
.TP
\fBCOLOPHON_CACHE\fR
the directory of colophon's index (else $XDG_CACHE_HOME/colophon or ~/.cache/colophon; \fBnone\fR: no cache)
.TP
\fBSOURCE_DATE_EPOCH\fR
if set, the claimed time of new entries
.TP
\fBNO_COLOR\fR
disables colour
.SH FILES
.TP
\fIcolophon.jsonl\fR
the ledger (JSON Lines, spec/ledger.md)
.TP
\fI<ledger>.checkpoint\fR
the latest checkpoint signed for the ledger, believed only after it is checked
.TP
\fI<ledger>.torn\-<offset>\fR
the bytes of an interrupted append, moved aside
.TP
\fI~/.config/colophon/signing.key\fR, \fIsigning.pub\fR
your default key pair (under $XDG_CONFIG_HOME when set)
.TP
\fI~/.cache/colophon/index/\fR
the look\-up index of each ledger (derived data; safe to delete)
"#;

/// `colophon man`: the page of colophon to stdout, or with `--dir` one page per command.
fn man_cmd(out: Out, dir: Option<&Path>) -> Res {
    fn page(cmd: clap::Command) -> Result<Vec<u8>, std::io::Error> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut buf = Vec::new();
        man.render_title(&mut buf)?;
        man.render_name_section(&mut buf)?;
        man.render_synopsis_section(&mut buf)?;
        man.render_description_section(&mut buf)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut buf)?;
        }
        if cmd.get_subcommands().next().is_some() {
            man.render_subcommands_section(&mut buf)?;
        }
        if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
            man.render_extra_section(&mut buf)?;
        }
        buf.extend_from_slice(MAN_TAIL.as_bytes());
        // Subcommands carry no version of their own (clap_mangen would panic on them).
        if cmd.get_version().is_some() {
            man.render_version_section(&mut buf)?;
        }
        Ok(buf)
    }
    fn all(cmd: &clap::Command, into: &mut Vec<(String, Vec<u8>)>) -> Result<(), std::io::Error> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            all(sub, into)?;
        }
        let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
        into.push((format!("{name}.1"), page(cmd.clone())?));
        Ok(())
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = dir else {
        write_stdout(&page(cmd).map_err(|e| Fail::input(e.to_string()))?)?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut pages = Vec::new();
    all(&cmd, &mut pages).map_err(|e| Fail::input(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| Fail::input(format!("{}: {}", dir.display(), ops::io_hint(&e))))?;
    for (name, bytes) in &pages {
        colophon::transparency::write_file_atomic(&dir.join(name), bytes).map_err(Fail::input)?;
    }
    out.say(format!("{} {} man pages to {}", paint(GREEN, "Wrote"), pages.len(), dir.display()));
    out.json(
        json!({"ok": true, "command": "man", "dir": dir, "pages": pages.iter().map(|(n, _)| n).collect::<Vec<_>>()}),
    );
    Ok(ExitCode::SUCCESS)
}

/// Where `keygen` puts your default key, and where signing commands look for it (spec/cli.md §4):
/// `$XDG_CONFIG_HOME/colophon/signing`, else `~/.config/colophon/signing` (`.key`, `.pub`).
fn default_key_prefix() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("colophon").join("signing"))
}

/// The signing key to use: `--key` (or `COLOPHON_KEY`, which clap reads into it), else your
/// default key when you have one.
fn signing_key(given: Option<PathBuf>) -> Result<PathBuf, Fail> {
    if let Some(p) = given {
        return Ok(p);
    }
    match default_key_prefix().map(|p| with_suffix(&p, "key")) {
        Some(p) if p.exists() => Ok(p),
        _ => Err(Fail::input(
            "no signing key: give --key FILE, set COLOPHON_KEY, or create your default key with `colophon keygen --name NAME`",
        )),
    }
}

fn keygen(out: Out, name: &str, prefix: &Path, unencrypted: bool) -> Res {
    if let Some(dir) = prefix.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists())
        && Some(prefix.to_path_buf()) == default_key_prefix()
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Fail::input(format!("{}: {}", dir.display(), ops::io_hint(&e))))?;
    }
    let key = SecretKey::generate(name).map_err(Fail::input)?;
    let secret_path = with_suffix(prefix, "key");
    let public_path = with_suffix(prefix, "pub");
    check_writable_target(&secret_path)?;
    for p in [&secret_path, &public_path] {
        if p.exists() {
            return Err(Fail::input(format!(
                "{}: file exists; colophon never overwrites a key: choose another -o PREFIX or remove it first",
                p.display()
            )));
        }
    }
    let text = if unencrypted {
        if !demo::RUNNING.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "{}: the secret key is stored without a passphrase; anyone who can read {} can sign as {name}",
                paint(YELLOW, "warning"),
                secret_path.display()
            );
        }
        key.to_file_text(None)
    } else {
        let pass = passphrase("Passphrase for the new key: ", true)?.ok_or_else(|| {
            Fail::input("no passphrase: set COLOPHON_PASSPHRASE, run on a terminal to be asked, or pass --unencrypted")
        })?;
        key.to_file_text(Some(pass.as_bytes()))
    }
    .map_err(Fail::input)?;
    write_new_file(&secret_path, &text, true)?;
    if let Err(e) = write_new_file(&public_path, &key.named().to_pub_file(), false) {
        let _ = std::fs::remove_file(&secret_path);
        return Err(e.into());
    }
    out.say(format!(
        "{} key for {name}\n  key id: {}\n  secret: {} (mode 0600{}; never share it)\n  public: {} (give this to readers and to the ledger owner)",
        paint(GREEN, "Created"),
        key.id(),
        secret_path.display(),
        if unencrypted { ", NOT encrypted" } else { ", encrypted" },
        public_path.display()
    ));
    out.json(json!({"ok": true, "command": "keygen", "key_id": key.id(), "name": name, "secret_key": secret_path, "public_key": public_path, "encrypted": !unencrypted}));
    Ok(ExitCode::SUCCESS)
}

fn plural(n: u64, what: &str) -> String {
    match (n, what.strip_suffix('y')) {
        (1, _) => format!("1 {what}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {what}s"),
    }
}

fn with_suffix(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Refuses an output path whose directory is missing or which is itself a directory.
fn check_writable_target(path: &Path) -> Result<(), Fail> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Fail::input(format!(
            "{}: the directory {} does not exist; create it first",
            path.display(),
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(Fail::input(format!("{}: is a directory; give a file name", path.display())));
    }
    Ok(())
}

fn write_bundle(path: &Path, b: &BundleFile) -> Result<(), Fail> {
    check_writable_target(path)?;
    let mut text = serde_json::to_string_pretty(b).map_err(|e| Fail::input(e.to_string()))?;
    text.push('\n');
    // Written beside the target and renamed, so a reader never sees half a bundle.
    colophon::transparency::write_file_atomic(path, text.as_bytes())
        .map_err(|m| Fail::input(format!("cannot write {m}")))
}

/// What to say about a bundle written without a checkpoint (spec/verify.md §3.5).
fn incomplete_bundle(release: &str, path: &Path) -> String {
    format!(
        "{} no checkpoint of the log covers {release} yet, so {} is incomplete: readers reject a bundle without one \
         (it would not show that the release is in the log, nor in which order it was signed). Once the log's owner has \
         signed a checkpoint (`colophon checkpoint --key OWNER.key`), complete it with `colophon bundle {release} -o {}`",
        paint(YELLOW.bold(), "warning:"),
        path.display(),
        path.display()
    )
}

/// Reads a file to record or verify, with a progress line on a terminal for large files.
fn read_with_progress(path: &Path, hash_only: bool) -> Result<ops::Content, Fail> {
    let tty = std::io::stderr().is_terminal();
    let mut last = 0u64;
    let c = ops::read_content(path, hash_only, |done, total| {
        if tty && total > (256 << 20) && (done - last > (64 << 20) || done == total) {
            last = done;
            let _ = write!(std::io::stderr(), "\rhashing {}: {}%", path.display(), done * 100 / total.max(1));
        }
    })?;
    if tty && last > 0 {
        let _ = writeln!(std::io::stderr());
    }
    Ok(c)
}

/// Loads a ledger for a command, and says on stderr what its state leaves out: entries an audit
/// rejects (spec/ledger.md §11; they are ignored), and a cache that could not be used.
fn load(path: &Path) -> Result<ledger::Snapshot, Fail> {
    let snap = ledger::load(path)?;
    for w in snap.warnings.iter().cloned().chain(snap.rejected_lines(path)) {
        eprintln!("{}: {w}", paint(YELLOW, "warning"));
    }
    Ok(snap)
}

fn load_keyrings(paths: &[PathBuf]) -> Result<Keyring, Fail> {
    let mut ring = Keyring::default();
    for p in paths.iter().filter(|p| !p.as_os_str().is_empty()) {
        ring.extend(Keyring::read(p)?);
    }
    Ok(ring)
}

struct VerifyArgs {
    copy: PathBuf,
    bundle: Option<PathBuf>,
    trust: Vec<PathBuf>,
    profile: String,
    seen: Option<PathBuf>,
    consistency: Option<PathBuf>,
    tiles: Option<String>,
    insecure_ignore_log: bool,
}

fn verify_cmd(out: Out, ledger_path: &Path, args: VerifyArgs) -> Res {
    use colophon::verdict::{Source, VerifyOptions, verify};
    let profile = args.profile.as_str();
    // A profile retired for matching (words/v1, spec/ledger.md §9.3) is refused, not taken for another.
    if colophon::normalize::Profile::from_id(profile).is_some_and(|p| !p.matches_copies()) {
        return Err(Fail::input(format!(
            "--profile {profile}: retired for matching copies, because it equates texts that read differently \
             (10\u{2076} and 106, 1\u{BD} and 11\u{2044}2); use --profile words/v2"
        )));
    }
    let loosest = Level::from_id(profile)
        .ok_or_else(|| Fail::input(format!("--profile {profile:?}: use exact, text/v1 or words/v2")))?;
    let roots = load_keyrings(&args.trust)?;
    let facts: CopyFacts = read_with_progress(&args.copy, false)?.into();
    let seen = args.seen.as_deref().map(|p| read_small(p, "checkpoint")).transpose()?;
    if let (Some(bytes), Some(p)) = (&seen, &args.seen) {
        parse_cp(bytes, p)?;
    }
    let consistency = match args.consistency.as_deref() {
        Some(p) => {
            let text = String::from_utf8(read_small(p, "consistency proof")?).unwrap_or_default();
            Some(
                colophon::transparency::parse_consistency_proof(&text)
                    .map_err(|m| Fail::input(format!("{}: {m}", p.display())))?,
            )
        }
        None => None,
    };
    let opts =
        VerifyOptions { loosest: Some(loosest), seen, consistency, insecure_ignore_log: args.insecure_ignore_log };
    let published = args.tiles.as_deref().map(rebuild_from_tiles).transpose()?;
    fn as_input(name: &str) -> impl Fn(colophon::status::Problem) -> Fail + '_ {
        move |p| Fail { code: 2, status: Some(p.code), message: format!("{name}: {}", p.message) }
    }
    let (verdict, source) = match (&args.bundle, &published) {
        (Some(bp), _) => {
            let meta =
                std::fs::metadata(bp).map_err(|e| Fail::input(format!("{}: {}", bp.display(), ops::io_hint(&e))))?;
            if meta.is_dir() || meta.len() > MAX_BUNDLE {
                return Err(Fail::input(format!(
                    "{}: not a bundle file (a directory, or over {} MiB)",
                    bp.display(),
                    MAX_BUNDLE >> 20
                )));
            }
            let bytes =
                std::fs::read(bp).map_err(|e| Fail::input(format!("{}: {}", bp.display(), ops::io_hint(&e))))?;
            let shown = bp.display().to_string();
            let v = verify(&facts, Source::Bundle { bytes: &bytes }, &roots, &opts).map_err(as_input(&shown))?;
            (v, format!("bundle {shown}"))
        }
        (None, Some(pb)) => {
            // A log rebuilt from tiles lives in a temporary file: its state is built in memory.
            let snap = ledger::load_with(&pb.ledger, &colophon::cache::Cache::None)?;
            let source = Source::Tiles { index: &snap.index, path: &pb.ledger, checkpoint: &pb.source.checkpoint };
            let v = verify(&facts, source, &roots, &opts).map_err(as_input("--checkpoint"))?;
            (v, format!("published tiles {}", pb.dir.display()))
        }
        (None, None) => {
            // A reader most often has a bundle or a published log, not a ledger: say so.
            if !ledger_path.exists() {
                return Err(Fail::input(format!(
                    "{}: no ledger here to verify against; give the reader's bundle (--bundle FILE), the published \
                     log (--tiles DIR), or a ledger (--ledger PATH)",
                    ledger_path.display()
                )));
            }
            let kept = colophon::transparency::read_kept_checkpoint(ledger_path);
            let mut snap = load(ledger_path)?;
            fn source<'a>(
                snap: &'a ledger::Snapshot,
                path: &'a Path,
                kept: &Result<Option<Vec<u8>>, String>,
            ) -> Source<'a> {
                Source::Ledger { index: &snap.index, path, kept: kept.clone() }
            }
            let mut v =
                verify(&facts, source(&snap, ledger_path, &kept), &roots, &opts).map_err(as_input("--checkpoint"))?;
            if let Some(why) = v.report.index_disagreed.take() {
                // The verdict already rests on signed lines only; rebuild the index so the next
                // command finds what the ledger holds, and verify again with it.
                ledger::discard_index(ledger_path, &colophon::cache::Cache::from_env());
                snap = load(ledger_path)?;
                v = verify(&facts, source(&snap, ledger_path, &kept), &roots, &opts)
                    .map_err(as_input("--checkpoint"))?;
                v.report.notes.push(format!(
                    "the ledger's index disagreed with a signed line ({why}); it was rebuilt from the ledger"
                ));
            }
            v.report.notes.extend(snap.rejected_lines(ledger_path));
            (v, format!("ledger {}", ledger_path.display()))
        }
    };
    render_verdict(out, &verdict, &args.copy, &source)
}

/// Prints a verdict (spec/cli-json.md `verify`): `--json` is its serialization.
fn render_verdict(out: Out, v: &colophon::verdict::Verdict, copy: &Path, source: &str) -> Res {
    let report = &v.report;
    if v.rejected {
        let what = if source.starts_with("bundle ") { "✗ bundle rejected:" } else { "✗ not verified:" };
        let name = source.split_once(' ').map_or(source, |(_, n)| n);
        let msg = format!("{name}: {}", report.message);
        if out.json {
            out.json(json!({"ok": false, "command": "verify", "status": report.status, "message": msg}));
        }
        eprintln!("{} {msg}", paint(RED.bold(), what));
        return Ok(ExitCode::from(1));
    }
    if out.json {
        let mut j = serde_json::to_value(v).unwrap_or_default();
        j["ok"] = json!(v.ok());
        j["command"] = json!("verify");
        j["source"] = json!(source);
        out.json(j);
    } else if out.quiet {
        // The message of a success already begins "verified:".
        if v.ok() {
            println!("{} {}", paint(GREEN.bold(), "✓"), report.message);
        } else {
            println!("{} {}", paint(RED.bold(), "✗ not verified:"), report.message);
        }
    } else {
        print_copy_report(report, copy, source);
        for l in &v.log {
            println!("  log:      {l}");
        }
    }
    Ok(if v.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn short_id(id: &colophon::keys::KeyId) -> String {
    id.to_hex()[..16].to_string()
}

fn print_copy_report(r: &CopyReport, copy: &Path, source: &str) {
    let signer_line = |s: &colophon::verify::Signer| {
        let trust = match (&s.trust_root_name, s.trusted) {
            (Some(root), true) if s.trust_root != Some(s.key_id) => format!("trusted via {root}"),
            (_, true) => "trusted".to_string(),
            _ => paint(YELLOW, "NOT trusted"),
        };
        format!("{} ({}), {trust}", s.name, short_id(&s.key_id))
    };
    if r.ok() {
        let (Some(rel), Some(v)) = (&r.release, &r.version) else { return };
        println!(
            "{} {} matches release {}",
            paint(GREEN.bold(), "✓ verified:"),
            copy.display(),
            paint(BOLD, &rel.r#ref)
        );
        println!("  version:  {} ({}), entry {}", v.r#ref, v.role.as_str(), v.entry.short(16));
        println!("  match:    {}", r.level.map_or("", |l| l.describe()));
        println!("  signer:   {}", signer_line(&rel.signer));
        if v.role == TextRole::Translation {
            println!("  renders:  original {} (entry {})", rel.original.r#ref, rel.original.entry.short(16));
        } else {
            println!("  rendered: by translation {} in release {}", rel.translation.r#ref, rel.r#ref);
        }
        for c in &rel.cosigners {
            println!("  cosigned: {}", signer_line(c));
        }
        for u in &rel.urls {
            println!("  published: {u}");
        }
        if !r.other_releases.is_empty() {
            println!("  also in:  {}", r.other_releases.join(", "));
        }
        println!("  checked against {source}");
    } else {
        println!("{} {}", paint(RED.bold(), "✗ not verified:"), r.message);
        println!("  status: {}", r.status);
        if let Some(v) = &r.version {
            println!("  matching version: {} signed by {}", v.r#ref, signer_line(&v.signer));
        }
        if let Some(rel) = &r.release {
            println!("  release: {} signed by {}", rel.r#ref, signer_line(&rel.signer));
        }
        if let Some(c) = &r.closest {
            println!(
                "  closest signed version: {} ({}% of words in common{}), signed by {}",
                paint(BOLD, &c.version.r#ref),
                c.similarity_percent,
                if c.releases.is_empty() { String::new() } else { format!(", in {}", c.releases.join(", ")) },
                signer_line(&c.version.signer)
            );
            if c.diff.iter().all(|ch| ch.kind == ChangeKind::Equal) {
                println!(
                    "  no differences once line endings, Unicode composition and trailing blanks are normalized (text/v1)"
                );
            } else {
                println!(
                    "  differences (+{} / −{} words; {} = signed, {} = this copy):",
                    c.words.words_added,
                    c.words.words_removed,
                    paint(RED, "[-…-]"),
                    paint(GREEN, "{+…+}")
                );
                print_word_diff(&c.diff, 2);
            }
        } else if r.version.is_none() {
            println!("  no signed text is close to this copy");
        }
        println!("  checked against {source}");
    }
    for n in &r.notes {
        println!("  {} {n}", paint(YELLOW, "note:"));
    }
}

/// Prints a word diff, eliding long unchanged stretches to a few words of context.
fn print_word_diff(chunks: &[Chunk], indent: usize) {
    let pad = " ".repeat(indent);
    let mut s = String::new();
    for (i, c) in chunks.iter().enumerate() {
        match c.kind {
            ChangeKind::Equal => {
                let words: Vec<&str> = c.text.split_inclusive(char::is_whitespace).collect();
                let (first, last) = (i == 0, i + 1 == chunks.len());
                if words.len() > 16 {
                    if !first {
                        s.push_str(&words[..6].concat());
                    }
                    s.push_str(&paint(DIM, " … "));
                    if !last {
                        s.push_str(&words[words.len() - 6..].concat());
                    }
                } else {
                    s.push_str(&c.text);
                }
            }
            ChangeKind::Delete => s.push_str(&paint(RED, &format!("[-{}-]", c.text))),
            ChangeKind::Insert => s.push_str(&paint(GREEN, &format!("{{+{}+}}", c.text))),
        }
    }
    for line in s.lines() {
        println!("{pad}{line}");
    }
}

fn key_list(out: Out, ledger_path: &Path) -> Res {
    let snap = load(ledger_path)?;
    let mut rows = Vec::new();
    for k in snap.index.keys() {
        let roles: Vec<&str> = k.roles.iter().map(|r| r.as_str()).collect();
        let status = match k.revoked {
            Some(r) => format!("revoked ({}) at #{}", r.reason.as_str(), r.seq),
            None => "active".into(),
        };
        out.say(format!("{}  {:<24} {:<22} registered #{:<4} {status}", k.key.id(), k.name, roles.join(","), k.seq));
        rows.push(json!({"key_id": k.key.id(), "name": k.name, "public_key": k.key.to_base64(), "roles": roles,
            "registered_seq": k.seq, "registered_by": k.registered_by,
            "revoked": k.revoked.map(|r| json!({"seq": r.seq, "reason": r.reason.as_str()}))}));
    }
    out.json(json!({"ok": true, "command": "key list", "keys": rows}));
    Ok(ExitCode::SUCCESS)
}

fn vref(index: &Index, h: &Digest) -> String {
    index.version(h).map_or_else(|| h.short(16), |v| format!("{}:{}@{}", v.work, v.lang, v.number))
}

fn log_cmd(out: Out, ledger_path: &Path, work: Option<&str>) -> Res {
    let snap = load(ledger_path)?;
    let idx = &snap.index;
    if let Some(w) = work {
        let mut works: Vec<String> = idx.work_langs().into_iter().map(|(w, _)| w).collect();
        works.dedup();
        if !works.iter().any(|x| x == w) {
            return Err(Fail::input(format!(
                "no work named {w:?} in {}; its works: {}",
                ledger_path.display(),
                if works.is_empty() { "none yet".to_string() } else { works.join(", ") }
            )));
        }
    }
    // Everything printed comes from the lines read here (spec/verify.md §4): names from the signed
    // key registrations, version numbers counted along the way; the index only says which lines an
    // audit rejects.
    let mut names: std::collections::HashMap<colophon::keys::KeyId, String> = Default::default();
    let mut refs: std::collections::HashMap<Digest, String> = Default::default();
    let mut counts: std::collections::HashMap<(String, String), u64> = Default::default();
    let mut releases: std::collections::HashMap<Digest, (String, String)> = Default::default();
    let short_ref = |refs: &std::collections::HashMap<Digest, String>, h: &Digest| {
        refs.get(h).cloned().unwrap_or_else(|| h.short(16))
    };
    let mut rows = Vec::new();
    let rejections = idx.rejections();
    let (file, len) = ledger::open_for_read(ledger_path)?;
    let reader = std::io::BufReader::new(std::io::Read::take(file, len));
    for item in ledger::Lines::new(reader) {
        let ledger::Item::Line(l) = item.map_err(|e| Fail::input(e.to_string()))? else { continue };
        let Ok(p) = parse_line(&l.bytes) else { continue };
        let e = &p.entry;
        let rejected = rejections.get(&e.seq).cloned();
        let in_state = rejected.is_none();
        let name_of = |names: &std::collections::HashMap<colophon::keys::KeyId, String>, id: &colophon::keys::KeyId| {
            names.get(id).cloned().unwrap_or_else(|| short_id(id))
        };
        let (about, text) = match &e.body {
            Body::Genesis(g) => {
                if in_state {
                    names.insert(g.key.id(), g.name.clone());
                }
                (None, format!("ledger {} created by owner {} ({})", g.origin, g.name, short_id(&g.key.id())))
            }
            Body::Key(k) => {
                if in_state {
                    names.entry(k.key.id()).or_insert_with(|| k.name.clone());
                }
                (
                    None,
                    format!(
                        "key {} ({}) registered as {}",
                        k.name,
                        short_id(&k.key.id()),
                        k.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            }
            Body::Revoke(r) => (
                None,
                format!(
                    "key {} ({}) revoked: {}{}",
                    name_of(&names, &r.key),
                    short_id(&r.key),
                    r.reason.as_str(),
                    r.note.as_ref().map_or(String::new(), |n| format!(" — {n}"))
                ),
            ),
            Body::Version(v) => {
                let number = if in_state {
                    let n = counts.entry((v.work.clone(), v.lang.clone())).or_insert(0);
                    *n += 1;
                    refs.insert(p.hash, format!("{}:{}@{n}", v.work, v.lang));
                    *n
                } else {
                    0
                };
                let change = match v.diff.as_ref().and_then(colophon::diff::stats_of_json) {
                    Some(s) if v.parent.is_some() => format!("+{}/−{} lines", s.lines_added, s.lines_removed),
                    Some(s) => format!("{} lines", s.lines_added),
                    None => format!("{} bytes, hash only", v.size),
                };
                let of = v.of.map_or(String::new(), |o| format!(" of {}", short_ref(&refs, &o)));
                let note =
                    v.note.as_ref().map_or(String::new(), |n| format!(" — “{}”", n.lines().next().unwrap_or("")));
                let at = if number > 0 { format!("@{number}") } else { String::new() };
                (Some(v.work.clone()), format!("{} {}:{}{at}{of}, {change}{note}", v.role.as_str(), v.work, v.lang))
            }
            Body::Release(r) => {
                if in_state {
                    releases.insert(p.hash, (r.work.clone(), r.tag.clone()));
                }
                (
                    Some(r.work.clone()),
                    format!(
                        "release {}@{}: {} rendering {}",
                        r.work,
                        r.tag,
                        short_ref(&refs, &r.translation),
                        short_ref(&refs, &r.original)
                    ),
                )
            }
            Body::Cosign(c) => {
                let rel = releases.get(&c.release);
                (
                    rel.map(|(w, _)| w.clone()),
                    format!("cosign of {}", rel.map_or_else(|| c.release.short(16), |(w, t)| format!("{w}@{t}"))),
                )
            }
            Body::Unknown { kind, .. } => (None, format!("extension entry {kind}")),
        };
        let name = |id: &colophon::keys::KeyId| name_of(&names, id);
        if let Some(w) = work
            && about.as_deref() != Some(w)
        {
            continue;
        }
        let when = e.time.replace('T', " ").trim_end_matches('Z').to_string();
        // A line an audit rejects is shown for what it is: not an entry of the ledger's state.
        out.say(format!(
            "{} {} {:<8} {}{}  {}",
            paint(DIM, &format!("#{:<4}", e.seq)),
            paint(DIM, &when),
            e.body.kind(),
            rejected.as_ref().map_or(String::new(), |why| paint(RED, &format!("REJECTED ({why}), ignored: "))),
            text,
            paint(DIM, &format!("— {} [{}]", name(&e.signer), p.hash.short(16)))
        ));
        let mut row = json!({"seq": e.seq, "entry": p.hash, "type": e.body.kind(), "time": e.time, "signer": e.signer,
            "signer_name": name(&e.signer), "summary": text});
        if let Some(why) = rejected {
            row["rejected"] = json!(why);
        }
        rows.push(row);
    }
    if let Some(t) = snap.torn {
        eprintln!("{}: line {} is torn (an interrupted append); it is not an entry", paint(YELLOW, "note"), t.number);
    }
    out.json(json!({"ok": true, "command": "log", "entries": rows}));
    Ok(ExitCode::SUCCESS)
}

/// What `show` prints: a version's text, or any other entry as its line says it.
enum Shown {
    Text { label: String, entry: Digest, sha256: Digest, text: String },
    Entry { entry: Digest, value: Value },
}

/// Finds what `show REF` prints, from signed lines only (spec/verify.md §4).
fn show_resolve(
    snap: &ledger::Snapshot,
    signed: &colophon::verify::Signed<'_>,
    ledger_path: &Path,
    r: &str,
) -> Result<Shown, Fail> {
    let mut h = resolve(&snap.index, r).map_err(Fail::input)?;
    if let Some(rejected) = snap.index.rejection(&h) {
        return Err(Fail::input(format!(
            "{r}: entry {} is a line the ledger's audit rejects ({rejected}); it is not part of the ledger's state. \
             Run `colophon audit` for the full report",
            h.short(16)
        )));
    }
    let p = signed.parsed(&h).map_err(Fail::input)?;
    if let Body::Release(_) = &p.entry.body {
        h = signed.release(&h).map_err(Fail::input)?.translation;
    }
    let p = signed.parsed(&h).map_err(Fail::input)?;
    if !matches!(p.entry.body, Body::Version(_)) {
        let line = p.entry.to_line().map_err(Fail::input)?;
        let value: Value = serde_json::from_slice(&line).map_err(|e| Fail::input(e.to_string()))?;
        return Ok(Shown::Entry { entry: h, value });
    }
    let v = signed.version(&h).map_err(Fail::input)?;
    let text = colophon::content::reconstruct(ledger_path, &snap.index, &h).map_err(|e| Fail::input(e.to_string()))?;
    Ok(Shown::Text { label: format!("{}:{}@{}", v.work, v.lang, v.number), entry: h, sha256: v.sha256, text })
}

fn show_cmd(out: Out, ledger_path: &Path, r: &str, output: Option<&Path>) -> Res {
    let mut snap = load(ledger_path)?;
    let mut rebuilt = false;
    let shown = loop {
        let signed = colophon::verify::Signed::new(&snap.index, Store::Ledger(ledger_path));
        let result = show_resolve(&snap, &signed, ledger_path, r);
        match signed.disagreed() {
            // The index disagreed with a signed line: rebuild it and look again.
            Some(_) if !rebuilt => {
                rebuilt = true;
                drop(signed);
                ledger::discard_index(ledger_path, &colophon::cache::Cache::from_env());
                snap = load(ledger_path)?;
            }
            _ => break result?,
        }
    };
    let (label, h, sha256, text) = match shown {
        Shown::Entry { entry, value } => {
            if out.json {
                out.json(json!({"ok": true, "command": "show", "entry": entry, "value": value}));
            } else {
                println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            }
            return Ok(ExitCode::SUCCESS);
        }
        Shown::Text { label, entry, sha256, text } => (label, entry, sha256, text),
    };
    match output {
        Some(p) => {
            // Atomic, so a full disk leaves no partial text behind.
            write_out(Some(p), text.as_bytes())?;
            out.say(format!(
                "{} {label} to {} ({} bytes, sha256 {} verified)",
                paint(GREEN, "Wrote"),
                p.display(),
                text.len(),
                sha256.short(16)
            ));
            out.json(json!({"ok": true, "command": "show", "ref": label, "entry": h, "sha256": sha256, "out": p}));
        }
        None if out.json => {
            out.json(json!({"ok": true, "command": "show", "ref": label, "entry": h, "sha256": sha256, "text": text}))
        }
        None => {
            write_stdout(text.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A published log turned back into a ledger file in a temporary directory, every line checked
/// against the tiles on the way (spec/transparency.md §7.3).
pub(crate) struct Rebuilt {
    tmp: tempfile::TempDir,
    pub(crate) ledger: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) source: colophon::tiles::TilesSource,
}

pub(crate) fn rebuild_from_tiles(arg: &str) -> Result<Rebuilt, Fail> {
    let dir = colophon::tiles::tiles_dir(arg).map_err(Fail::input)?;
    let source = colophon::tiles::TilesSource::open(&dir).map_err(Fail::input)?;
    let tmp = tempfile::tempdir().map_err(|e| Fail::input(format!("temporary directory: {e}")))?;
    let ledger = tmp.path().join("published.jsonl");
    let file = std::fs::File::create(&ledger).map_err(|e| Fail::input(format!("{}: {e}", ledger.display())))?;
    let mut w = std::io::BufWriter::new(file);
    source.write_ledger(&mut w).map_err(|m| Fail {
        code: 1,
        status: Some(Code::ProofInclusion),
        message: format!("{}: {m}", dir.display()),
    })?;
    w.flush().map_err(|e| Fail::input(e.to_string()))?;
    Ok(Rebuilt { tmp, ledger, dir, source })
}

/// After loading a rebuilt ledger: its published checkpoint must be signed by one of its owner
/// keys and describe exactly its lines.
pub(crate) fn check_published(r: &Rebuilt, index: &Index, roots: &colophon::trust::Keyring) -> Result<(), Fail> {
    let origin = index.origin().unwrap_or_default();
    let keys = colophon::transparency::owner_keys(index, &origin, r.source.size);
    colophon::transparency::verify_checkpoint(&r.source.checkpoint, &origin, &keys, roots)
        .and_then(|c| colophon::transparency::matches_tree(&c.checkpoint, index.len(), index))
        .map_err(|p| Fail {
            code: 1,
            status: Some(p.code),
            message: format!("{}/checkpoint: {}", r.dir.display(), p.message),
        })
}

/// Files larger than this are not diffed: a word diff of them would not be readable anyway.
const MAX_DIFF_FILE: u64 = 64 << 20;
/// Bundles carry texts, not books of them.
const MAX_BUNDLE: u64 = 256 << 20;

/// Resolves a diff operand: a REF in the ledger, or else a file.
fn operand(ledger_path: &Path, snap: Option<&ledger::Snapshot>, arg: &str) -> Result<(String, String), Fail> {
    if let Some(s) = snap
        && let Ok(mut h) = resolve(&s.index, arg)
    {
        if let Some(rel) = s.index.release(&h) {
            h = rel.translation;
        }
        let text = colophon::content::reconstruct(ledger_path, &s.index, &h).map_err(|e| Fail::input(e.to_string()))?;
        return Ok((vref(&s.index, &h), text));
    }
    let p = Path::new(arg);
    if p.is_file() {
        let size = p.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_DIFF_FILE {
            return Err(Fail::input(format!(
                "{arg}: {} MiB is too large to diff as text (limit {} MiB); compare hashes with `colophon verify` instead",
                size >> 20,
                MAX_DIFF_FILE >> 20
            )));
        }
        let bytes = std::fs::read(p).map_err(|e| Fail::input(format!("{arg}: {}", ops::io_hint(&e))))?;
        let text =
            String::from_utf8(bytes).map_err(|_| Fail::input(format!("{arg}: not UTF-8 text; diff compares texts")))?;
        return Ok((arg.to_string(), text));
    }
    if p.exists() {
        return Err(Fail::input(format!("{arg}: not a regular file; diff compares texts")));
    }
    match snap {
        Some(s) => Err(Fail::input(format!(
            "{arg}: no such file, and not a REF of this ledger ({})",
            resolve(&s.index, arg).err().unwrap_or_default()
        ))),
        None => Err(Fail::input(format!(
            "{arg}: no such file, and no ledger at {} to look up a REF",
            ledger_path.display()
        ))),
    }
}

fn diff_cmd(out: Out, ledger_path: &Path, a: &str, b: &str, words: bool) -> Res {
    let snap = load(ledger_path).ok();
    let (na, ta) = operand(ledger_path, snap.as_ref(), a)?;
    let (nb, tb) = operand(ledger_path, snap.as_ref(), b)?;
    if out.json {
        let chunks = word_diff(&ta, &tb);
        out.json(json!({"ok": true, "command": "diff", "a": na, "b": nb, "identical": ta == tb, "chunks": chunks,
            "unified": unified(&ta, &tb, &na, &nb, 3)}));
        return Ok(ExitCode::SUCCESS);
    }
    if ta == tb {
        out.say(format!("{na} and {nb} are identical"));
        return Ok(ExitCode::SUCCESS);
    }
    if words {
        print_word_diff(&word_diff(&ta, &tb), 0);
        return Ok(ExitCode::SUCCESS);
    }
    let text = unified(&ta, &tb, &na, &nb, 3);
    if !color() {
        // A diff can be megabytes: write it in one go.
        write_stdout(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut styled = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            GREEN
        } else if line.starts_with('-') {
            RED
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            styled.push_str(line);
            continue;
        };
        let body = line.strip_suffix('\n').unwrap_or(line);
        styled.push_str(&paint(style, body));
        if body.len() < line.len() {
            styled.push('\n');
        }
    }
    write_stdout(styled.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn audit_cmd(out: Out, ledger_path: &Path, trust: &[PathBuf], since: Option<&Path>, tiles: Option<&str>) -> Res {
    let roots = load_keyrings(trust)?;
    let since_bytes = since.map(|p| read_small(p, "checkpoint")).transpose()?;
    // A file that is not a signed note at all is bad input (exit 2); a note that is not a valid
    // checkpoint, is not signed by an owner, or does not match the ledger is an audit finding
    // (exit 1, spec/transparency.md §8).
    if let (Some(p), Some(b)) = (since, &since_bytes)
        && let Err(e) = colophon::note::Note::parse(b)
    {
        return Err(Fail {
            code: 2,
            status: Some(Code::CheckpointMalformed),
            message: format!(
                "{}: not a checkpoint: {e}; give a checkpoint saved by `colophon checkpoint`",
                p.display()
            ),
        });
    }
    // A tiles directory is audited by rebuilding the ledger's bytes from it (every line checked
    // against the tiles on the way) into a temporary file, then auditing that exactly like a file.
    let mut rebuilt = None;
    let mut tiles_source = None;
    if let Some(t) = tiles {
        let r = rebuild_from_tiles(t)?;
        tiles_source = Some((r.dir.clone(), r.source));
        rebuilt = Some((r.tmp, r.ledger));
    }
    let audited: &Path = rebuilt.as_ref().map_or(ledger_path, |(_, l)| l.as_path());
    let mut report: Report =
        colophon::audit::audit_file_since(audited, (!roots.is_empty()).then_some(&roots), since_bytes.as_deref())?;
    if let Some((dir, src)) = &tiles_source {
        // The published checkpoint must be the log's own, and describe exactly these lines.
        let origin = report.index.origin().unwrap_or_default();
        let keys = colophon::transparency::owner_keys(&report.index, &origin, src.size);
        match colophon::transparency::verify_checkpoint(&src.checkpoint, &origin, &keys, &roots) {
            Err(mut p) => {
                p.message = format!("{}/checkpoint: {}", dir.display(), p.message);
                report.problems.push(p);
            }
            Ok(_) if report.root != Some(src.root) || report.lines != src.size => {
                report.problems.push(colophon::status::Problem::general(
                    Code::CheckpointInconsistent,
                    format!("{}: the published entries do not hash to the published checkpoint", dir.display()),
                ))
            }
            Ok(_) => {}
        }
    }
    let ledger_path: &Path = tiles_source.as_ref().map_or(ledger_path, |(d, _)| d.as_path());
    let clean = report.is_clean();
    if out.json {
        out.json(json!({
            "ok": clean, "command": "audit", "ledger": ledger_path, "lines": report.lines, "valid_entries": report.valid_entries,
            "texts_verified": report.texts_verified, "head": report.head.map(|h| json!({"seq": h.seq, "entry": h.hash})),
            "origin": report.index.origin(), "problems": report.problems, "torn": report.torn,
            "untrusted_signers": report.untrusted.iter().map(|(k, n, why)| json!({"key_id": k, "entries": n, "reason": why})).collect::<Vec<_>>(),
            "merkle_root": report.root, "since": report.since,
        }));
    } else {
        // A damaged entry early in a ledger makes every later entry that depends on it fail the
        // same way; print such runs as one line so the first cause stays visible.
        let mut i = 0;
        while i < report.problems.len() {
            let p = &report.problems[i];
            let mut j = i + 1;
            while j < report.problems.len()
                && report.problems[j].code == p.code
                && report.problems[j].line.is_some()
                && report.problems[j].line.map(|l| l - 1) == report.problems[j - 1].line
            {
                j += 1;
            }
            let at = match (p.line, report.problems[j - 1].line) {
                (Some(a), Some(b)) if b > a => format!("{}:{a}-{b}: ", ledger_path.display()),
                (Some(a), _) => format!("{}:{a}: ", ledger_path.display()),
                _ => String::new(),
            };
            let more = if j - i > 1 { format!(" (and the same on {} more lines)", j - i - 1) } else { String::new() };
            println!("{at}{} {}{more}", paint(RED, p.code.as_str()), p.message);
            i = j;
        }
        for (k, n, why) in &report.untrusted {
            println!("{} {n} entries signed by {} — {why}", paint(YELLOW, "untrusted:"), short_id(k));
        }
        let summary = format!(
            "{}, {}, {} rebuilt from their diffs and matched their signed hashes",
            plural(report.lines, "line"),
            plural(report.valid_entries, "valid line"),
            plural(report.texts_verified, "text")
        );
        if clean {
            println!("{} {} is valid: {summary}", paint(GREEN.bold(), "✓ audit:"), ledger_path.display());
            if let Some(h) = report.head {
                println!("  head: entry #{} {}", h.seq, h.hash);
            }
            if let Some(r) = report.root {
                println!("  Merkle root of its {} lines: {}", report.lines, r);
            }
            if let Some(s) = &report.since {
                println!(
                    "  {} the ledger is an append-only extension of the checkpoint of size {} (signed by {}; {})",
                    paint(GREEN, "✓"),
                    s.size,
                    s.signed_by.first().map_or("?", |(_, n)| n.as_str()),
                    witnesses_line(&s.witnesses, s.quorum)
                );
            }
        } else {
            println!(
                "{} {} problem(s) in {}: {summary}",
                paint(RED.bold(), "✗ audit:"),
                report.problems.len(),
                ledger_path.display()
            );
        }
    }
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
