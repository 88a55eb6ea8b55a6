//! Trust (spec/ledger.md §10): keyrings of trusted keys, and whether a signature chains to one.

use crate::format::entry::Role;
use crate::format::keys::{KeyId, NamedKey};
use crate::log::index::{Index, KeyInfo};
use std::path::{Path, PathBuf};

/// A set of trust roots read from keyring files or `.pub` files (§10.1).
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    /// The trusted keys, in file order.
    pub keys: Vec<NamedKey>,
    /// Witness cosigner keys (spec/transparency.md §9).
    pub witnesses: Vec<crate::log::note::Verifier>,
    /// How many witnesses must cosign a checkpoint (`quorum N`; 0 when absent).
    pub quorum: usize,
    /// Lines of an `allowed_signers` file that name no trust root here, with the reason (a key
    /// of another type, `cert-authority`, a validity window, or `namespaces` without `colophon`):
    /// readers are told, so a keyring is never read with part of its meaning silently lost.
    pub ignored: Vec<(usize, String)>,
}

/// A keyring that cannot be used, with the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct KeyringError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when the file as a whole is at fault).
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl Keyring {
    /// Parses keyring text (§10.1): `#` comments, blank lines, and key lines.
    pub fn parse(path: &Path, text: &str) -> Result<Keyring, KeyringError> {
        let mut ring = Keyring::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end();
            if line.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let err = |message: String| KeyringError { path: path.to_path_buf(), line: i + 1, message };
            if line.starts_with('{') || line.contains("colophon-secret-key") {
                return Err(err("this looks like a secret key file; a keyring holds only public key lines (never share a .key file)".into()));
            }
            if let Some(vkey) = line.strip_prefix("witness ") {
                let v = crate::log::note::Verifier::parse_vkey(vkey.trim())
                    .map_err(|e| err(format!("{e} (expected `witness <name>+<key id>+<base64 key>`)")))?;
                if v.kind != crate::log::note::VerifierKind::CosignatureV1 {
                    return Err(err(
                        "a witness key must be a cosignature/v1 (type 0x04) vkey; `colophon vkey --witness` prints one"
                            .into(),
                    ));
                }
                ring.witnesses.push(v);
                continue;
            }
            if let Some(n) = line.strip_prefix("quorum ") {
                ring.quorum = n.trim().parse().map_err(|_| err(format!("`quorum {n}`: expected a whole number")))?;
                continue;
            }
            let expected = |m: String| {
                err(format!(
                    "{m} (expected `ed25519 <key id> <base64 key> <name>` as in a .pub file, an OpenSSH \
                     `ssh-ed25519 <base64 key> [comment]` line, an allowed_signers line \
                     `<principals> [options] ssh-ed25519 <base64 key>`, `witness <vkey>` or `quorum <n>`)"
                ))
            };
            let key = if line.starts_with(crate::format::keys::OPENSSH_ED25519) {
                NamedKey::parse_openssh(line).map_err(err)?
            } else if line.starts_with(crate::format::keys::KEY_LINE_KEYWORD) {
                NamedKey::parse_line(line).map_err(expected)?
            } else {
                match allowed_signer(line) {
                    Some(Ok(Ok(k))) => k,
                    Some(Ok(Err(why))) => {
                        ring.ignored.push((i + 1, why));
                        continue;
                    }
                    Some(Err(m)) => return Err(err(m)),
                    None => {
                        return Err(NamedKey::parse_line(line).err().map_or_else(|| expected(String::new()), expected));
                    }
                }
            };
            if !ring.contains(&key.key.id()) {
                ring.keys.push(key);
            }
        }
        if ring.quorum > ring.witnesses.len() {
            return Err(KeyringError {
                path: path.to_path_buf(),
                line: 0,
                message: format!("quorum {} is more than the {} witness(es) listed", ring.quorum, ring.witnesses.len()),
            });
        }
        Ok(ring)
    }

    /// Adds every key of `other`.
    pub fn extend(&mut self, other: Keyring) {
        for k in other.keys {
            if !self.contains(&k.key.id()) {
                self.keys.push(k);
            }
        }
        for w in other.witnesses {
            if !self.witnesses.iter().any(|x| x.name == w.name && x.key_id == w.key_id) {
                self.witnesses.push(w);
            }
        }
        self.quorum = self.quorum.max(other.quorum);
        self.ignored.extend(other.ignored);
    }

    /// Whether a key is a root.
    pub fn contains(&self, id: &KeyId) -> bool {
        self.keys.iter().any(|k| k.key.id() == *id)
    }

    /// Whether there are no roots.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Whether a token is an OpenSSH key type (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`,
/// `sk-ssh-ed25519@openssh.com`, certificate types, ...).
fn is_ssh_key_type(t: &str) -> bool {
    t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") || t.starts_with("sk-")
}

/// Splits at runs of the separators outside double quotes (ssh-keygen's ALLOWED SIGNERS fields,
/// separated by spaces and tabs, and their options, separated by commas).
fn split_unquoted<'a>(line: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (None, false);
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && seps.contains(&c) {
            if let Some(s) = start.take() {
                out.push(&line[s..i]);
            }
        } else {
            start.get_or_insert(i);
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn fields(line: &str) -> Vec<&str> {
    split_unquoted(line, &[' ', '\t'])
}

/// Reads a line of an OpenSSH `allowed_signers` file (ssh-keygen(1), ALLOWED SIGNERS; L§10.1):
/// `principals [options] keytype base64-key [comment]`. `None` when the line is not one (no key
/// type in the second or third field); `Some(Err)` when it is one but malformed; `Some(Ok(Err))`
/// when it names no trust root here, with the reason; else the key, named by its principals.
fn allowed_signer(line: &str) -> Option<Result<Result<NamedKey, String>, String>> {
    let f = fields(line);
    let at = (1..=2).find(|&i| f.get(i).is_some_and(|t| is_ssh_key_type(t)))?;
    let (principals, options, keytype) = (f[0], if at == 2 { f[1] } else { "" }, f[at]);
    let Some(b64) = f.get(at + 1) else {
        return Some(Err(format!("allowed_signers line: no key after `{keytype}`")));
    };
    let mut why = None;
    for opt in split_unquoted(options, &[',']) {
        let (name, value) = opt.split_once('=').unwrap_or((opt, ""));
        match name.to_ascii_lowercase().as_str() {
            "cert-authority" => why = Some("a cert-authority line: colophon does not read OpenSSH certificates".into()),
            "valid-after" | "valid-before" => {
                why = Some(format!(
                    "`{name}`: colophon cannot honour a validity window (an entry's time is its signer's claim)"
                ))
            }
            "namespaces" => {
                if !value.trim_matches('"').split(',').any(|n| n == "colophon") {
                    why = Some(format!("namespaces={value} does not include colophon"));
                }
            }
            _ => return Some(Err(format!("allowed_signers line: unknown option `{opt}`"))),
        }
    }
    if let Some(w) = why {
        return Some(Ok(Err(w)));
    }
    if keytype != crate::format::keys::OPENSSH_ED25519 {
        return Some(Ok(Err(format!("its key is {keytype}: colophon entries are signed with Ed25519 keys only"))));
    }
    let key = match NamedKey::parse_openssh(&format!("{keytype} {b64}")) {
        Ok(k) => k,
        Err(m) => return Some(Err(m)),
    };
    let name = if crate::format::keys::check_name(principals).is_ok() { principals.to_string() } else { key.name };
    Some(Ok(Ok(NamedKey { key: key.key, name })))
}

/// The verdict on one signature's key (§10.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The key chains to `root` through `path` (signer first, root last).
    Trusted {
        /// The trust root reached.
        root: KeyId,
        /// The chain of keys from the signer to the root.
        path: Vec<KeyId>,
    },
    /// No chain: why.
    Untrusted(String),
}

/// Decides whether `signer`, signing the entry at `seq`, is trusted (§10.2) in the state `index`.
pub fn decide(index: &Index, roots: &Keyring, signer: KeyId, seq: u64) -> Decision {
    decide_with(|id| index.key(id).map(|k| (*k).clone()), roots, signer, seq)
}

/// Decides trust (§10.2) with keys from `lookup` (the state, or keys re-read from their signed
/// lines, spec/verify.md §2.3): the signer is a root, or was registered by a `key` entry whose
/// signer held the owner role and was itself trusted at that entry's position; and no key on the
/// way was revoked before the position it vouches for. Registrations always point to an earlier
/// position, so the walk ends.
pub fn decide_with(lookup: impl Fn(&KeyId) -> Option<KeyInfo>, roots: &Keyring, signer: KeyId, seq: u64) -> Decision {
    let mut path = Vec::new();
    let (mut key, mut at) = (signer, seq);
    loop {
        let Some(info) = lookup(&key) else {
            return Decision::Untrusted(format!("key {key} is not registered in the ledger"));
        };
        if !info.active_at(at) {
            return Decision::Untrusted(format!("key {key} ({}) was revoked before entry {at}", info.name));
        }
        path.push(key);
        if roots.contains(&key) {
            return Decision::Trusted { root: key, path };
        }
        if info.registered_by == key {
            let owner = path.last().copied().unwrap_or(key);
            return Decision::Untrusted(format!(
                "no key in your keyring vouches for it; its chain of registrations ends at {} ({owner})",
                lookup(&owner).map_or_else(|| "?".to_string(), |k| k.name.clone())
            ));
        }
        let Some(registrar) = lookup(&info.registered_by) else {
            return Decision::Untrusted(format!("key {key} was registered by an unknown key {}", info.registered_by));
        };
        // Only an owner registers keys (L§6.1, §6.3); a registration that broke that rule never
        // entered the state, and one that claims to must not vouch for anything.
        if !registrar.has(Role::Owner) || registrar.seq >= info.seq {
            return Decision::Untrusted(format!(
                "key {key} ({}) was registered by {} ({}), which could not register keys there",
                info.name, registrar.name, info.registered_by
            ));
        }
        at = info.seq;
        key = info.registered_by;
    }
}
