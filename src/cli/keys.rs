//! Keys: keygen, the default signing key, unlocking, and the owner's key commands (spec/cli.md §2, §5).

use super::*;
use anstream::eprintln;

/// Turns a signer-rule rejection into advice naming the key file and the fix.
pub(super) fn signer_hint(e: OpError, key_path: &Path, key: &SecretKey) -> Fail {
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

/// Reads a passphrase from COLOPHON_PASSPHRASE or the terminal.
pub(super) fn passphrase(prompt: &str, confirm: bool) -> Result<Option<Zeroizing<String>>, Fail> {
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
pub(super) fn unlock(path: &Path) -> Result<SecretKey, Fail> {
    // An OpenSSH Ed25519 key (`--key ~/.ssh/id_ed25519`, spec/ledger.md §5.4) signs as well.
    if let Some(ssh) = colophon::store::keyfile::OpensshKeyFile::read(path)? {
        if !ssh.is_encrypted() {
            return Ok(ssh.unlock(None)?);
        }
        let pass = passphrase(&format!("Passphrase for {} ({}): ", path.display(), ssh.comment()), false)?;
        return Ok(ssh.unlock(pass.as_ref().map(|p| p.as_bytes()))?);
    }
    let file = SecretKeyFile::read(path)?;
    if !file.is_encrypted() {
        return Ok(file.unlock(None)?);
    }
    let pass = passphrase(&format!("Passphrase for {} ({}): ", path.display(), file.name()), false)?;
    Ok(file.unlock(pass.as_ref().map(|p| p.as_bytes()))?)
}

/// Where `keygen` puts your default key, and where signing commands look for it (spec/cli.md §4):
/// `$XDG_CONFIG_HOME/colophon/signing`, else `~/.config/colophon/signing` (`.key`, `.pub`).
pub(super) fn default_key_prefix() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("colophon").join("signing"))
}

/// The signing key to use: `--key` (or `COLOPHON_KEY`, which clap reads into it), else your
/// default key when you have one.
pub(super) fn signing_key(given: Option<PathBuf>) -> Result<PathBuf, Fail> {
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

pub(super) fn keygen(out: Out, name: &str, prefix: &Path, unencrypted: bool) -> Res {
    if let Some(dir) = prefix.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists())
        && Some(prefix.to_path_buf()) == default_key_prefix()
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Fail::input(format!("{}: {}", dir.display(), io_hint(&e))))?;
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
    let minisign = colophon::format::minisign::public_key_base64(&key.public());
    out.say(format!(
        "{} key for {name}\n  key id: {}\n  secret: {} (mode 0600{}; never share it)\n  public: {} (give this to readers and to the ledger owner)\n  \
         minisign public key: {minisign} (for readers who check `export minisig` files with minisign)",
        paint(GREEN, "Created"),
        key.id(),
        secret_path.display(),
        if unencrypted { ", NOT encrypted" } else { ", encrypted" },
        public_path.display()
    ));
    out.json(json!({"ok": true, "command": "keygen", "key_id": key.id(), "name": name, "secret_key": secret_path,
        "public_key": public_path, "encrypted": !unencrypted, "minisign_public_key": minisign}));
    Ok(ExitCode::SUCCESS)
}

pub(super) fn key_list(out: Out, ledger_path: &Path) -> Res {
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

pub(super) fn keygen_cmd(out: Out, name: String, output: Option<PathBuf>, unencrypted: bool) -> Res {
    let prefix = match output {
        Some(p) => p,
        None => default_key_prefix().ok_or_else(|| {
            Fail::input("no configuration directory (neither XDG_CONFIG_HOME nor HOME is set); give -o PREFIX")
        })?,
    };
    keygen(out, &name, &prefix, unencrypted)
}

pub(super) fn init_cmd(out: Out, ledger: PathBuf, origin: String, key: Option<PathBuf>, dry_run: bool) -> Res {
    let key = unlock(&signing_key(key)?)?;
    if ledger.exists() {
        return Err(Fail::input(format!(
            "{}: a file already exists; colophon never overwrites a ledger (choose another --ledger path)",
            ledger.display()
        )));
    }
    let a = append::init_mode(&ledger, &origin, &key, mode(dry_run))?;
    out.say(format!(
        "{} ledger {} with origin {origin}\n  owner: {} ({})\n  genesis entry: {}",
        done(&a, "Created"),
        ledger.display(),
        key.name,
        key.id(),
        a.hash.short(16)
    ));
    if !a.written {
        say_dry_run(out, &a);
    }
    let mut j =
        json!({"ok": true, "command": "init", "ledger": ledger, "origin": origin, "owner": key.id(), "entry": a.hash});
    dry_run_json(&mut j, &a);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn key_add_cmd(
    out: Out,
    ledger: PathBuf,
    public: PathBuf,
    role: Vec<RoleKind>,
    key: Option<PathBuf>,
    dry_run: bool,
) -> Res {
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
    let a =
        append::add_key_mode(&ledger, &new, &roles, &owner, mode(dry_run)).map_err(|e| signer_hint(e, &key, &owner))?;
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    out.say(format!(
        "{} {} ({}) as {} — entry #{} {}",
        done(&a, "Registered"),
        new.name,
        new.key.id(),
        names.join(", "),
        a.seq,
        a.hash.short(16)
    ));
    if !a.written {
        say_dry_run(out, &a);
    }
    let mut j = json!({"ok": true, "command": "key add", "key_id": new.key.id(), "name": new.name, "roles": names, "seq": a.seq, "entry": a.hash});
    dry_run_json(&mut j, &a);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn key_revoke_cmd(
    out: Out,
    ledger: PathBuf,
    keyid: String,
    reason: ReasonArg,
    note: Option<String>,
    key: Option<PathBuf>,
    dry_run: bool,
) -> Res {
    let key = signing_key(key)?;
    let owner = unlock(&key)?;
    let reason = match reason {
        ReasonArg::Retired => RevokeReason::Retired,
        ReasonArg::Compromised => RevokeReason::Compromised,
    };
    let a = append::revoke_key_mode(&ledger, &keyid, reason, note, &owner, mode(dry_run))
        .map_err(|e| signer_hint(e, &key, &owner))?;
    // The key revoked, as the entry names it (a dry run wrote nothing to look it up in).
    let id = match parse_line(&a.line).map(|p| p.entry.body) {
        Ok(Body::Revoke(r)) => r.key,
        _ => return Err(Fail::input("internal error: the revocation names no key")),
    };
    // After a dry run the state is read in memory too, so that nothing is written.
    let snap = if a.written {
        load(&ledger).ok()
    } else {
        ledger::load_with(&ledger, &colophon::store::cache::Cache::None).ok()
    };
    let name = snap.and_then(|s| s.index.key(&id).map(|k| k.name.clone())).unwrap_or_default();
    out.say(format!(
        "{} {name} ({id}) as {} — entry #{}; it signs nothing after this entry",
        if a.written { paint(YELLOW, "Revoked") } else { done(&a, "Revoked") },
        reason.as_str(),
        a.seq
    ));
    if !a.written {
        say_dry_run(out, &a);
    }
    let mut j = json!({"ok": true, "command": "key revoke", "key_id": id, "reason": reason.as_str(), "seq": a.seq, "entry": a.hash});
    dry_run_json(&mut j, &a);
    out.json(j);
    Ok(ExitCode::SUCCESS)
}
