//! Key files on disk (spec/ledger.md §5.4): generating a key from the OS's randomness, writing it
//! as a (passphrase-encrypted) secret key file, and reading secret and public key files. The
//! formats themselves are parsed in [`crate::format::keys`]; this module adds the file system and
//! the random source, which the pure core leaves out.

use crate::format::keys::*;
use crate::log::trust::{Keyring, KeyringError};
use std::io::Write as _;
use std::path::Path;
use zeroize::Zeroizing;

impl SecretKey {
    /// Generates a fresh key from the OS's random source.
    pub fn generate(name: &str) -> Result<SecretKey, String> {
        check_name(name)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..]).map_err(|e| format!("no OS randomness: {e}"))?;
        Ok(SecretKey::from_seed(&seed, name))
    }

    /// Serializes as a secret key file, encrypted under `passphrase` unless it is `None` (§5.4).
    pub fn to_file_text(&self, passphrase: Option<&[u8]>) -> Result<String, String> {
        self.to_file_text_with_cost(passphrase, SCRYPT_LOG_N)
    }

    /// As [`SecretKey::to_file_text`] with an explicit scrypt cost (tests use a low one).
    pub fn to_file_text_with_cost(&self, passphrase: Option<&[u8]>, log_n: u8) -> Result<String, String> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
        getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
        self.to_file_text_with(passphrase, log_n, salt, nonce)
    }
}

impl SecretKeyFile {
    /// Reads a secret key file, refusing one that group or others can read (§5.4).
    pub fn read(path: &Path) -> Result<SecretKeyFile, KeyError> {
        let io = |source| KeyError::Io { path: path.to_path_buf(), source };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(KeyError::Malformed {
                path: path.to_path_buf(),
                message: "is a directory, not a secret key file".into(),
            });
        }
        if meta.len() > 64 * 1024 {
            return Err(KeyError::Malformed {
                path: path.to_path_buf(),
                message: "too large to be a secret key file".into(),
            });
        }
        let text = std::fs::read(path).map_err(io)?;
        // A .pub file is readable by design: say what it is before complaining about its mode.
        if looks_like_pub(&text) {
            return Err(KeyError::PublicNotSecret { path: path.to_path_buf() });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions { path: path.to_path_buf(), mode });
            }
        }
        SecretKeyFile::parse(path, &text)
    }
}

/// Writes `text` to a new file with mode 0600 (secret) or 0644, refusing to overwrite. The text is
/// written and fsynced in a temporary file beside the target, then linked into place, so a full
/// disk or a crash never leaves an empty or partial key file (which would also block a retry).
pub fn write_new_file(path: &Path, text: &str, secret: bool) -> Result<(), KeyError> {
    let io = |source| KeyError::Io { path: path.to_path_buf(), source };
    if path.exists() {
        return Err(KeyError::Exists { path: path.to_path_buf() });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    #[cfg(unix)]
    if !secret {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(io)?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists { path: path.to_path_buf() }
        } else {
            io(e.error)
        }
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads a `.pub` file: comment lines and exactly one key line (a colophon key line or an
/// OpenSSH `ssh-ed25519` line).
pub fn read_pub_file(path: &Path) -> Result<NamedKey, KeyError> {
    let bytes = std::fs::read(path).map_err(|source| KeyError::Io { path: path.to_path_buf(), source })?;
    let malformed = |message: String| KeyError::Malformed { path: path.to_path_buf(), message };
    let text = String::from_utf8(bytes).map_err(|_| {
        malformed(
            "not a public key file (not UTF-8 text); give the .pub file `colophon keygen` wrote, one key line \
             `ed25519 <key id> <base64 key> <name>`"
                .into(),
        )
    })?;
    let mut found = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with('{') {
            return Err(malformed(
                "this is a secret key file; give the .pub file instead (never share the .key file)".into(),
            ));
        }
        // An OpenSSH public key (`ssh-keygen` writes `id_ed25519.pub` so) is read as a key line
        // (spec/ledger.md §5.3).
        let key = if line.starts_with(crate::format::keys::OPENSSH_ED25519) {
            NamedKey::parse_openssh(line)
        } else {
            NamedKey::parse_line(line)
        }
        .map_err(|m| malformed(format!("line {}: {m}", i + 1)))?;
        if found.replace(key).is_some() {
            return Err(malformed(format!("line {}: a .pub file holds one key; use a keyring for several", i + 1)));
        }
    }
    found.ok_or_else(|| malformed("no key line (`ed25519 <key id> <base64 key> <name>`) found".into()))
}

impl Keyring {
    /// Reads a keyring file, or a single `.pub` file (which is a one-key keyring).
    pub fn read(path: &Path) -> Result<Keyring, KeyringError> {
        let err = |message: String| KeyringError { path: path.to_path_buf(), line: 0, message };
        let meta = std::fs::metadata(path).map_err(|e| {
            err(format!(
                "cannot read the keyring: {} (see keys.example for the format)",
                crate::format::status::io_hint(&e)
            ))
        })?;
        if meta.is_dir() || meta.len() > 1 << 20 {
            return Err(err("not a keyring file (a directory, or over 1 MiB); see keys.example".into()));
        }
        let text = std::fs::read(path).map_err(|e| err(format!("cannot read the keyring: {e}")))?;
        let text = String::from_utf8(text).map_err(|_| err("a keyring must be UTF-8 text".into()))?;
        if path.extension().is_some_and(|e| e == "pub") {
            let k = read_pub_file(path).map_err(|e| err(e.to_string()))?;
            return Ok(Keyring { keys: vec![k], ..Keyring::default() });
        }
        let ring = Keyring::parse(path, &text)?;
        // A keyring that trusts nobody is a mistake (an empty or all-comment file), and taking it
        // for "no keyring given" would silently skip the trust check.
        if ring.keys.is_empty() && ring.witnesses.is_empty() {
            return Err(err(
                "the keyring lists no keys; add the keys you trust, one `ed25519 <key id> <base64 key> <name>` \
                 line each (see keys.example), or give a .pub file"
                    .into(),
            ));
        }
        Ok(ring)
    }
}

/// The first line of an OpenSSH private key file (`ssh-keygen` writes `~/.ssh/id_ed25519` so).
pub const OPENSSH_PRIVATE_BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";

/// An OpenSSH Ed25519 private key file (spec/ledger.md §5.4), read but not yet decrypted: a
/// translator signs with the key they already have. Only the key's 32-byte seed is taken from it.
pub struct OpensshKeyFile {
    path: std::path::PathBuf,
    key: ssh_key::PrivateKey,
}

impl std::fmt::Debug for OpensshKeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpensshKeyFile({})", self.path.display())
    }
}

impl OpensshKeyFile {
    /// Reads `path` when it is an OpenSSH private key file (`Ok(None)` when it is not one). As
    /// for colophon's own key files, a file others can read is refused.
    pub fn read(path: &Path) -> Result<Option<OpensshKeyFile>, KeyError> {
        let io = |source| KeyError::Io { path: path.to_path_buf(), source };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() || meta.len() > 64 * 1024 {
            return Ok(None);
        }
        let bytes = std::fs::read(path).map_err(io)?;
        if !bytes.starts_with(OPENSSH_PRIVATE_BEGIN.as_bytes()) {
            return Ok(None);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions { path: path.to_path_buf(), mode });
            }
        }
        let malformed = |message: String| KeyError::Malformed { path: path.to_path_buf(), message };
        let key = ssh_key::PrivateKey::from_openssh(&bytes)
            .map_err(|e| malformed(format!("not a readable OpenSSH private key ({e})")))?;
        if key.algorithm() != ssh_key::Algorithm::Ed25519 {
            return Err(malformed(format!(
                "an OpenSSH {} key; colophon signs with Ed25519 keys only (`ssh-keygen -t ed25519` makes one)",
                key.algorithm()
            )));
        }
        Ok(Some(OpensshKeyFile { path: path.to_path_buf(), key }))
    }

    /// Whether unlocking needs a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_encrypted()
    }

    /// The key's comment (often `user@host`), which names the holder when it is a valid name.
    pub fn comment(&self) -> &str {
        self.key.comment()
    }

    /// The signing key, decrypting with `passphrase` when the file is encrypted.
    pub fn unlock(&self, passphrase: Option<&[u8]>) -> Result<crate::format::keys::SecretKey, KeyError> {
        let path = || self.path.to_path_buf();
        let decrypted;
        let key = if self.key.is_encrypted() {
            let pass = passphrase.ok_or_else(|| KeyError::NeedPassphrase { path: path() })?;
            decrypted = self.key.decrypt(pass).map_err(|_| KeyError::WrongPassphrase { path: path() })?;
            &decrypted
        } else {
            &self.key
        };
        let ssh_key::private::KeypairData::Ed25519(kp) = key.key_data() else {
            return Err(KeyError::Malformed { path: path(), message: "not an Ed25519 key pair".into() });
        };
        let seed: zeroize::Zeroizing<[u8; 32]> = zeroize::Zeroizing::new(kp.private.to_bytes());
        // An encrypted file's comment is inside the encrypted part: read it from the decrypted key.
        let name = if crate::format::keys::check_name(key.comment()).is_ok() {
            key.comment().to_string()
        } else {
            "OpenSSH key".to_string()
        };
        let sk = crate::format::keys::SecretKey::from_seed(&seed, &name);
        // The file's public half must be the key the seed makes.
        if sk.public().0.as_bytes() != &kp.public.0 {
            return Err(KeyError::Malformed {
                path: path(),
                message: "the public key does not match the private key".into(),
            });
        }
        Ok(sk)
    }
}
