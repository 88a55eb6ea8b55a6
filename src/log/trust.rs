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
            let key = NamedKey::parse_line(line).map_err(|m| {
                err(format!(
                    "{m} (expected `ed25519 <key id> <base64 key> <name>` as in a .pub file, `witness <vkey>` or `quorum <n>`)"
                ))
            })?;
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
