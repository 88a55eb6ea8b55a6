//! The `colophon` command: parses arguments, unlocks keys, calls the library, renders what it
//! returns. It decides nothing: verdicts, audits and histories are library values
//! ([`colophon::verify::verify`], [`colophon::log::audit`]).
//! Exit codes (spec/cli.md §1): 0 success, 1 verification failed, 2 usage, input or I/O error.

use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use colophon::format::diff::{ChangeKind, Chunk, unified, word_diff};
use colophon::format::entry::{Body, RevokeReason, Role, TextRole, parse_line};
use colophon::format::hash::Digest;
use colophon::format::keys::{KeyError, SecretKey, SecretKeyFile};
use colophon::format::status::{Code, io_hint};
use colophon::log::audit::Report;
use colophon::log::index::Index;
use colophon::log::trust::{Keyring, KeyringError};
use colophon::store::append::{self, OpError, RecordRequest, ReleaseRequest};
use colophon::store::bundle;
use colophon::store::keyfile::{read_pub_file, write_new_file};
use colophon::store::ledger::{self, LedgerError, LedgerFile};
use colophon::verify::bundle::BundleFile;
use colophon::verify::copy::{CopyFacts, CopyReport, Level, Store};
use colophon::verify::refs::resolve;
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Prints a line through anstream (which drops colour when stdout is not a terminal or NO_COLOR is
/// set) and ends the process quietly when the reader of stdout has gone away (`colophon log | head`).
macro_rules! println {
    ($($t:tt)*) => { $crate::cli::print_line(format_args!($($t)*)) };
}

// After the macro, so every command module prints through it.
mod args;
mod demo;
mod export;
mod keys;
mod lang;
mod man;
mod read;
mod render;
mod status;
mod transparency;
mod write;
use args::*;
use keys::*;
use man::*;
use read::*;
use render::*;
use status::*;
use transparency::*;
use write::*;

pub(crate) fn print_line(args: std::fmt::Arguments<'_>) {
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
    let _ = STDOUT_ERROR.set(io_hint(&e));
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
        Err(e) => Err(stdout_lost(&io_hint(&e))),
        Ok(()) => Ok(()),
    }
}

fn stdout_lost(why: &str) -> Fail {
    Fail::input(format!(
        "writing to stdout failed: {why}; the output is incomplete (free space where stdout goes, or send it elsewhere)"
    ))
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

pub fn main() -> ExitCode {
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
        Command::Record(_) => "record",
        Command::Release(_) => "release",
        Command::Cosign { .. } => "cosign",
        Command::Bundle { .. } => "bundle",
        Command::Verify { .. } => "verify",
        Command::Log { .. } => "log",
        Command::Show { .. } => "show",
        Command::Status { .. } => "status",
        Command::Diff { .. } => "diff",
        Command::Audit { .. } => "audit",
        Command::Checkpoint { .. } => "checkpoint",
        Command::Prove(ProveCommand::Inclusion { .. }) => "prove inclusion",
        Command::Prove(ProveCommand::Consistency { .. }) => "prove consistency",
        Command::VerifyProof { .. } => "verify-proof",
        Command::Publish { .. } => "publish",
        Command::Witness { .. } => "witness",
        Command::Vkey { .. } => "vkey",
        Command::Export(ExportCommand::Minisig { .. }) => "export minisig",
        Command::Export(ExportCommand::MinisignKey { .. }) => "export minisign-key",
        Command::Export(ExportCommand::Bagit { .. }) => "export bagit",
        Command::Export(ExportCommand::Prov { .. }) => "export prov",
        Command::Export(ExportCommand::Premis { .. }) => "export premis",
        Command::Export(ExportCommand::Clearsign { .. }) => "export clearsign",
        Command::Demo { .. } => "demo",
        Command::Completions { .. } => "completions",
        Command::Man { .. } => "man",
    }
}

fn run(cli: Cli, out: Out) -> Res {
    let ledger = cli.global.ledger;
    match cli.command {
        Command::Keygen { name, output, unencrypted } => keygen_cmd(out, name, output, unencrypted),
        Command::Init { origin, key, dry_run } => init_cmd(out, ledger, origin, key, dry_run),
        Command::Key(KeyCommand::Add { public, role, key, dry_run }) => {
            key_add_cmd(out, ledger, public, role, key, dry_run)
        }
        Command::Key(KeyCommand::Revoke { keyid, reason, note, key, dry_run }) => {
            key_revoke_cmd(out, ledger, keyid, reason, note, key, dry_run)
        }
        Command::Key(KeyCommand::List) => key_list(out, &ledger),
        Command::Record(args) => record_cmd(out, ledger, args),
        Command::Release(args) => release_cmd(out, ledger, args),
        Command::Cosign { release, note, key, dry_run } => cosign_cmd(out, ledger, release, note, key, dry_run),
        Command::Bundle { release, output, with_drafts, with_original } => bundle_cmd(
            out,
            ledger,
            release,
            output,
            colophon::verify::bundle::Carry { drafts: with_drafts, original: with_original },
        ),
        Command::Verify {
            copy,
            bundle,
            trust,
            profile,
            checkpoint,
            consistency,
            tiles,
            insecure_ignore_log,
            copy_as,
            require_latest,
        } => verify_cmd(
            out,
            &ledger,
            VerifyArgs {
                copy,
                bundle,
                trust,
                profile,
                seen: checkpoint,
                consistency,
                tiles,
                insecure_ignore_log,
                copy_as,
                require_latest,
            },
        ),
        Command::Log { work } => log_cmd(out, &ledger, work.as_deref()),
        Command::Status { work } => status_cmd(out, &ledger, work.as_deref()),
        Command::Show { r#ref, output, text } => show_cmd(out, &ledger, &r#ref, output.as_deref(), text),
        Command::Diff { a, b, words } => diff_cmd(out, &ledger, &a, &b, words),
        Command::Audit { trust, since, tiles, state, save_state, checkpoint } => audit_cmd(
            out,
            &ledger,
            &trust,
            since.as_deref(),
            tiles.as_deref(),
            read::StateFlags { state: state.as_deref(), save: save_state.as_deref().zip(checkpoint.as_deref()) },
        ),
        Command::Checkpoint { key, output, dry_run } => {
            checkpoint_cmd(out, &ledger, &signing_key(key)?, output.as_deref(), dry_run)
        }
        Command::Prove(p) => prove_cmd(out, &ledger, p),
        Command::VerifyProof { proof, trust, entry, old, new } => {
            verify_proof_cmd(out, &proof, &trust, entry.as_deref(), old.as_deref(), new.as_deref())
        }
        Command::Publish { dir, key, site } => publish_cmd(out, &ledger, &dir, key.as_deref(), site),
        Command::Witness { checkpoint, key, name, state, log_key, tiles, proof, output } => {
            witness_cmd(out, &ledger, WitnessArgs { checkpoint, key, name, state, log_key, tiles, proof, output })
        }
        Command::Vkey { public, name, witness } => vkey_cmd(out, &public, &name, witness),
        Command::Export(ExportCommand::Minisig { release, output, key }) => {
            export::minisig_cmd(out, &ledger, &release, output, key)
        }
        Command::Export(ExportCommand::Bagit { dir, works }) => export::bagit_cmd(out, &ledger, &dir, &works),
        Command::Export(ExportCommand::Clearsign { release, output, key }) => {
            export::clearsign_cmd(out, &ledger, &release, output, key)
        }
        Command::Export(ExportCommand::Premis { work, output }) => {
            export::premis_cmd(out, &ledger, work.as_deref(), output.as_deref())
        }
        Command::Export(ExportCommand::Prov { work, output }) => {
            export::prov_cmd(out, &ledger, work.as_deref(), output.as_deref())
        }
        Command::Export(ExportCommand::MinisignKey { public, output }) => {
            export::minisign_key_cmd(out, &public, output.as_deref())
        }
        Command::Demo { .. } | Command::Completions { .. } if out.json => Err(Fail::input(
            "--json: this command prints for people or for a shell, and has no JSON form; leave --json out",
        )),
        Command::Demo { keep } => demo::run_demo(keep),
        Command::Completions { shell } => completions_cmd(shell),
        Command::Man { dir } => man_cmd(out, dir.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
