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

/// Reads a `.pub` file: comment lines and exactly one key line.
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
        let key = NamedKey::parse_line(line).map_err(|m| malformed(format!("line {}: {m}", i + 1)))?;
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
