//! `colophon demo`: the three journeys on embedded sample texts, run through the real command
//! handlers in a temporary directory, printing each command before its output.

use super::{BOLD, Cli, DIM, Fail, Out, Res, paint, run};
use clap::Parser;
use std::process::ExitCode;
use unicode_normalization::UnicodeNormalization;

/// The original: a short Italian piece, written for this demo.
const ORIGINAL_IT: &str = "\
Il ponte di pietra di Cortà

Ogni mattina mia nonna attraversava il ponte di pietra per andare al mercato.
Diceva: \"D'inverno il fiume parla con una voce più bassa.\"
Eventualmente, se pioveva, restava a casa a leggere il giornale.
Oggi il ponte è chiuso, ma la sua voce è ancora qui.
";

/// The first translation, with a classic false friend: \"eventualmente\" means \"if need be\",
/// not \"eventually\".
const TRANSLATION_EN_1: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
Eventually, if it rained, she stayed at home to read the newspaper.
Today the bridge is closed, but its voice is still here.
";

/// The corrected translation.
const TRANSLATION_EN_2: &str = "\
The Stone Bridge of Cortà

Every morning my grandmother crossed the stone bridge to go to the market.
She used to say: \"In winter the river speaks in a lower voice.\"
If it happened to rain, she stayed at home to read the newspaper.
Today the bridge is closed, but its voice is still here.
";

/// Set while the demo runs, to leave out warnings the demo has already explained.
pub(crate) static RUNNING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn run_demo(keep: bool) -> Res {
    RUNNING.store(true, std::sync::atomic::Ordering::Relaxed);
    let dir = tempfile::Builder::new()
        .prefix("colophon-demo-")
        .tempdir()
        .map_err(|e| Fail::input(format!("cannot create a temporary directory: {e}")))?;
    let previous = std::env::current_dir().ok();
    std::env::set_current_dir(dir.path()).map_err(|e| Fail::input(e.to_string()))?;
    // The demo's ledgers are thrown away with the directory: so is their index.
    colophon::store::cache::set_process_default(colophon::store::cache::Cache::Dir(dir.path().join(".cache")));
    let result = steps(dir.path());
    if let Some(p) = previous {
        let _ = std::env::set_current_dir(p);
    }
    if keep {
        let path = dir.keep();
        println!("\nThe demo files are kept in {}", path.display());
    }
    result
}

fn write(name: &str, text: &str) -> Result<(), Fail> {
    std::fs::write(name, text).map_err(|e| Fail::input(format!("{name}: {e}")))
}

/// Runs one command line through the real handler; fails the demo if the exit code is unexpected.
fn cmd(line: &str, expect: u8) -> Result<(), Fail> {
    println!("\n{} {}", paint(DIM, "$"), paint(BOLD, line));
    let mut argv = vec!["colophon".to_string()];
    argv.extend(split_args(line));
    let cli = Cli::try_parse_from(&argv).map_err(|e| Fail::input(format!("demo command did not parse: {e}")))?;
    let code = match run(cli, Out { json: false, quiet: false }) {
        Ok(c) => c,
        Err(f) => {
            anstream::eprintln!("{}: {}", paint(super::RED.bold(), "error"), f.message);
            ExitCode::from(f.code)
        }
    };
    if code != ExitCode::from(expect) {
        return Err(Fail::input(format!("demo step `{line}` ended with an unexpected exit code (expected {expect})")));
    }
    Ok(())
}

/// Splits a demo command line on spaces, keeping "double-quoted" words together.
fn split_args(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn heading(s: &str) {
    println!("\n{}", paint(BOLD.underline(), s));
}

fn steps(dir: &std::path::Path) -> Res {
    println!("{}", paint(BOLD, "colophon demo: sign, verify and audit a translation, on sample texts"));
    println!("{}", paint(DIM, &format!("working in {} (removed afterwards unless --keep)", dir.display())));

    write("ponte.it.txt", ORIGINAL_IT)?;
    write("bridge.en.txt", TRANSLATION_EN_1)?;

    heading("1. The translator signs: keys, a ledger, the original and a translation");
    println!("{}", paint(DIM, "(demo keys are unencrypted; real keys get a passphrase)"));
    cmd("keygen --name \"Olga Bianchi\" -o olga --unencrypted", 0)?;
    cmd("keygen --name \"Tina Rossi\" -o tina --unencrypted", 0)?;
    cmd("keygen --name \"Edo Marini\" -o edo --unencrypted", 0)?;
    cmd("init --origin demo.example/ponte --key olga.key", 0)?;
    cmd("key add tina.pub --role translator --key olga.key", 0)?;
    cmd("key add edo.pub --role editor --key olga.key", 0)?;
    cmd("record ponte.it.txt --work ponte --lang it --key tina.key", 0)?;
    cmd("record bridge.en.txt --work ponte --lang en --of ponte:it --key tina.key", 0)?;

    cmd("release ponte@v1 --note \"First edition\" --url https://blog.example/the-stone-bridge --key tina.key", 0)?;

    heading("2. A month later she corrects a mistranslated sentence, releases v2, and an editor cosigns");
    write("bridge.en.txt", TRANSLATION_EN_2)?;
    cmd(
        "record bridge.en.txt --work ponte --lang en --note \"eventualmente means if need be, not eventually\" --key tina.key",
        0,
    )?;
    cmd("diff ponte:en@1 ponte:en@2 --words", 0)?;
    cmd(
        "release ponte@v2 --note \"Corrects line 5: eventualmente means if need be\" --url https://blog.example/the-stone-bridge --key tina.key",
        0,
    )?;
    cmd("cosign ponte@v2 --key edo.key", 0)?;
    println!("{}", paint(DIM, "(the publisher signs a checkpoint of the log, so bundles carry inclusion proofs)"));
    cmd("checkpoint --key olga.key -o march.checkpoint", 0)?;
    cmd("bundle ponte@v2 -o ponte-v2.bundle", 0)?;
    cmd("bundle ponte@v1 -o ponte-v1.bundle", 0)?;

    heading("3. A reader checks copies with the bundle and the publisher's public key");
    write("copy-faithful.txt", TRANSLATION_EN_2)?;
    cmd("verify copy-faithful.txt --bundle ponte-v2.bundle --trust olga.pub", 0)?;
    println!("{}", paint(DIM, "(a copy of the first edition still verifies, and says at once that v2 corrected it:)"));
    write("copy-first-edition.txt", TRANSLATION_EN_1)?;
    cmd("verify copy-first-edition.txt --bundle ponte-v1.bundle --trust olga.pub", 0)?;
    // A blog engine re-typeset it: CRLF line ends, curly quotes, decomposed accents.
    let retypeset: String = TRANSLATION_EN_2
        .nfd()
        .collect::<String>()
        .replacen('"', "\u{201c}", 1)
        .replacen('"', "\u{201d}", 1)
        .replace('\n', "\r\n");
    write("copy-retypeset.txt", &retypeset)?;
    cmd("verify copy-retypeset.txt --bundle ponte-v2.bundle --trust olga.pub", 0)?;
    cmd("verify copy-retypeset.txt --bundle ponte-v2.bundle --trust olga.pub --profile exact", 1)?;
    let tampered =
        TRANSLATION_EN_2.replace("is closed", "was demolished").replace("to go to the market", "to go to church");
    write("copy-tampered.txt", &tampered)?;
    cmd("verify copy-tampered.txt --bundle ponte-v2.bundle --trust olga.pub", 1)?;
    println!("{}", paint(DIM, "(a valid signature by a key the reader does not trust is not enough:)"));
    cmd("keygen --name \"Somebody Else\" -o stranger --unencrypted", 0)?;
    cmd("verify copy-faithful.txt --bundle ponte-v2.bundle --trust stranger.pub", 1)?;

    heading("4. The archivist audits the whole history");
    cmd("log", 0)?;
    cmd("status", 0)?;
    cmd("show ponte:en@1 -o first-draft.txt", 0)?;
    cmd("audit --trust olga.pub --since march.checkpoint", 0)?;

    println!(
        "\n{} all three journeys ran: signed (keys, ledger, versions, two releases, bundles), verified (exact, a corrected first edition, re-typeset, tampered, untrusted) and audited.",
        paint(super::GREEN.bold(), "✓ demo complete:")
    );
    Ok(ExitCode::SUCCESS)
}
