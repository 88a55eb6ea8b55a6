//! Signing with an existing OpenSSH Ed25519 key, and trusting keys named as OpenSSH lines or in an
//! `allowed_signers` file (spec/ledger.md §5.3, §5.4, §10.1). The keys are made by OpenSSH's own
//! `ssh-keygen` (installed by `.ci/run`; a visible skip without it).

mod common;

use common::{Env, skip};
use std::process::Command;

/// `ssh-keygen -t ed25519 -N PASS -C COMMENT -f NAME`; false (after a visible skip) without it.
fn ssh_keygen(env: &Env, name: &str, pass: &str, comment: &str, kind: &str) -> bool {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", pass, "-C", comment, "-f", name])
        .current_dir(env.path("."))
        .output();
    match o {
        Ok(o) if o.status.success() => true,
        Ok(o) => panic!("ssh-keygen failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            skip("ssh_keys: keys made by ssh-keygen", &format!("ssh-keygen not runnable ({e})"));
            false
        }
    }
}

/// A ledger owned by Olga (a colophon key) where Tina signs with her SSH key.
fn ledger(env: &Env) {
    env.keygen("Olga Bianchi", "olga");
    env.ok(&["init", "--origin", "example.org/translations", "--key", "olga.key"]);
    env.write("ponte.it.txt", "Il ponte.\n");
    env.write("ponte.en.txt", "The bridge.\n");
}

#[test]
fn a_translator_signs_with_her_ssh_key_and_readers_trust_it_as_git_does() {
    let env = Env::new();
    if !ssh_keygen(&env, "id_ed25519", "", "tina@laptop", "ed25519") {
        return;
    }
    ledger(&env);
    // The owner registers the key from the .pub file ssh-keygen wrote; its comment names Tina.
    env.ok(&["key", "add", "id_ed25519.pub", "--role", "translator", "--key", "olga.key"])
        .assert_stdout("Registered tina@laptop");
    env.ok(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "id_ed25519"]);
    env.ok(&["record", "ponte.en.txt", "--work", "ponte", "--lang", "en", "--of", "ponte:it", "--key", "id_ed25519"]);
    env.ok(&["release", "ponte@v1", "--key", "id_ed25519"]);
    env.ok(&["audit"]).assert_stdout("is valid: 5 lines, 5 valid lines");
    // The reader trusts the key through the same .pub file, and through a git-style
    // allowed_signers file whose other lines are for git only or of other key types.
    let r = env.ok(&["verify", "ponte.en.txt", "--trust", "id_ed25519.pub"]);
    r.assert_stdout("matches release ponte@v1").assert_stdout("signer:   tina@laptop").assert_stdout("trusted");
    let key = env.read_string("id_ed25519.pub");
    let blob = key.split_whitespace().nth(1).expect("a blob");
    env.write(
        "allowed_signers",
        format!(
            "# people who sign my git commits\n\
             tina@example.org namespaces=\"git\" ssh-ed25519 {blob}\n\
             bob@example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n\
             tina@example.org namespaces=\"git,colophon\" ssh-ed25519 {blob} Tina's laptop\n"
        ),
    );
    let r = env.ok(&["verify", "ponte.en.txt", "--trust", "allowed_signers"]);
    r.assert_stdout("matches release ponte@v1").assert_stdout("trusted");
    r.assert_stderr("allowed_signers:2: not a trust root here: namespaces=\"git\" does not include colophon");
    r.assert_stderr("allowed_signers:3: not a trust root here: its key is ssh-rsa");
    // With only the git line, nobody is trusted, and the keyring says so.
    env.write("git_only", format!("tina@example.org namespaces=\"git\" ssh-ed25519 {blob}\n"));
    env.fails(&["verify", "ponte.en.txt", "--trust", "git_only"], 2).assert_stderr("the keyring lists no keys");
}

#[test]
fn an_encrypted_ssh_key_needs_its_passphrase() {
    let env = Env::new();
    if !ssh_keygen(&env, "edo_ssh", "s3cret pass", "edo@desk", "ed25519") {
        return;
    }
    ledger(&env);
    env.ok(&["key", "add", "edo_ssh.pub", "--role", "translator", "--key", "olga.key"]);
    let before = env.ledger();
    env.run_env(
        &["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "edo_ssh"],
        &[("COLOPHON_PASSPHRASE", "wrong")],
    )
    .assert_code(2)
    .assert_stderr("wrong passphrase");
    assert_eq!(env.ledger(), before, "a refused signature appends nothing");
    let r = env.run_env(
        &["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "edo_ssh"],
        &[("COLOPHON_PASSPHRASE", "s3cret pass")],
    );
    r.assert_code(0).assert_stdout("Recorded ponte:it@1");
    env.ok(&["audit"]);
}

#[test]
fn ssh_keys_colophon_cannot_use_are_refused_with_the_reason() {
    let env = Env::new();
    if !ssh_keygen(&env, "id_rsa", "", "bob@host", "rsa") || !ssh_keygen(&env, "open", "", "tina@laptop", "ed25519") {
        return;
    }
    ledger(&env);
    env.fails(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "id_rsa"], 2)
        .assert_stderr("colophon signs with Ed25519 keys only");
    env.fails(&["key", "add", "id_rsa.pub", "--role", "translator", "--key", "olga.key"], 2);
    // A private key others may read is refused, as ssh refuses it.
    std::fs::set_permissions(env.path("open"), std::os::unix::fs::PermissionsExt::from_mode(0o644)).expect("chmod");
    env.fails(&["record", "ponte.it.txt", "--work", "ponte", "--lang", "it", "--key", "open"], 2)
        .assert_stderr("chmod 600");
}
