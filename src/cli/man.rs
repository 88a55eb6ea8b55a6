//! Manual pages and shell completions, generated from the command definitions.

use super::*;

/// The sections every man page ends with (spec/cli.md §1, §4, §5).
pub(super) const MAN_TAIL: &str = r#".SH "EXIT STATUS"
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
pub(super) fn man_cmd(out: Out, dir: Option<&Path>) -> Res {
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
        if out.json {
            return Err(Fail::input(
                "--json: `colophon man` prints a manual page; with --dir DIR it writes one per command and says which in JSON",
            ));
        }
        write_stdout(&page(cmd).map_err(|e| Fail::input(e.to_string()))?)?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut pages = Vec::new();
    all(&cmd, &mut pages).map_err(|e| Fail::input(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| Fail::input(format!("{}: {}", dir.display(), io_hint(&e))))?;
    for (name, bytes) in &pages {
        colophon::store::files::write_file_atomic(&dir.join(name), bytes).map_err(Fail::input)?;
    }
    out.say(format!("{} {} man pages to {}", paint(GREEN, "Wrote"), pages.len(), dir.display()));
    out.json(
        json!({"ok": true, "command": "man", "dir": dir, "pages": pages.iter().map(|(n, _)| n).collect::<Vec<_>>()}),
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn completions_cmd(shell: clap_complete::Shell) -> Res {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "colophon", &mut buf);
    write_stdout(&buf)?;
    Ok(ExitCode::SUCCESS)
}
