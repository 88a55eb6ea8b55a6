//! Keys (spec/ledger.md §5): key ids, public key lines, secret key files.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use zeroize::{Zeroize, Zeroizing};

/// The algorithm byte that prefixes an Ed25519 key when deriving its id; the same value C2SP
/// signed-note uses for Ed25519, so a future algorithm gets disjoint ids (§5.1).
pub const ED25519_ALG: u8 = 0x01;

/// Key id (§5.1): the first 16 bytes of SHA-256(0x01 || public key), 32 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 16]);

impl KeyId {
    /// Derives the id of an Ed25519 public key.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let mut h = Sha256::new();
        h.update([ED25519_ALG]);
        h.update(key.as_bytes());
        let d = h.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        KeyId(id)
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.to_hex())
    }
}

impl FromStr for KeyId {
    type Err = String;
    fn from_str(s: &str) -> Result<KeyId, String> {
        let mut out = [0u8; 16];
        if !crate::format::hash::lower_hex_into(s.as_bytes(), &mut out) {
            return Err(format!("expected a key id of 32 lowercase hex characters, got {s:?}"));
        }
        Ok(KeyId(out))
    }
}

impl Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KeyId, D::Error> {
        crate::format::hash::deserialize_parsed(d, "a key id of 32 lowercase hex characters")
    }
}

/// An Ed25519 public key that passed the §5.2 checks (decodes to a point, not of small order).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub VerifyingKey);

impl PublicKey {
    /// Parses standard base64 (with padding) of the 32-byte key, rejecting weak keys.
    pub fn from_base64(s: &str) -> Result<PublicKey, String> {
        let k = PublicKey::from_base64_any(s)?;
        k.check_strong()?;
        Ok(k)
    }

    /// Parses a key that decodes to a curve point, weak or not. Entries use this so that a weak key
    /// is reported as `key.weak` by [`PublicKey::check_strong`] rather than as a schema error.
    pub fn from_base64_any(s: &str) -> Result<PublicKey, String> {
        let bytes = B64.decode(s).map_err(|_| format!("public key {s:?} is not standard base64"))?;
        let arr: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| format!("public key must be 32 bytes, got {}", bytes.len()))?;
        PublicKey::from_bytes(&arr)
    }

    /// Decodes an OpenSSH Ed25519 public key blob (RFC 8709 §4, §5.3): the 4-byte big-endian
    /// length 11, `ssh-ed25519`, the length 32, the key, and nothing more.
    pub fn from_openssh_blob(blob: &[u8]) -> Result<PublicKey, String> {
        let rest = blob
            .strip_prefix(&[0, 0, 0, 11])
            .and_then(|r| r.strip_prefix(OPENSSH_ED25519.as_bytes()))
            .ok_or("the OpenSSH key blob is not an ssh-ed25519 key")?;
        let key = rest.strip_prefix(&[0, 0, 0, 32]).ok_or("the OpenSSH key blob does not hold a 32-byte key")?;
        let arr: [u8; 32] = key.try_into().map_err(|_| {
            format!("the OpenSSH key blob holds {} bytes after its key type; an Ed25519 key is 32", key.len())
        })?;
        PublicKey::from_bytes(&arr)
    }

    /// Decodes raw key bytes to a point (§5.2); see [`PublicKey::check_strong`].
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, String> {
        let vk = VerifyingKey::from_bytes(bytes).map_err(|_| "public key is not a valid Ed25519 point".to_string())?;
        // RFC 8032 §5.1.3 decoding rejects y >= p; the decoder used here reduces it instead, so
        // insist on the canonical encoding to agree with strict independent verifiers.
        if vk.to_edwards().compress().as_bytes() != bytes {
            return Err("public key is not the canonical encoding of its point".into());
        }
        Ok(PublicKey(vk))
    }

    /// Rejects keys of small order (§5.2): signatures under them prove nothing.
    pub fn check_strong(&self) -> Result<(), String> {
        if self.0.is_weak() {
            return Err("public key has small order (a weak key that any signature verifies under)".into());
        }
        Ok(())
    }

    /// Standard base64 with padding.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0.as_bytes())
    }

    /// The key's id.
    pub fn id(&self) -> KeyId {
        KeyId::of(&self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_base64())
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
        PublicKey::from_base64_any(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Checks a display name (§5.3): 1 to 128 characters, no control characters, no leading or
/// trailing whitespace (so it survives a round trip through a key line).
pub fn check_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 || n > 128 {
        return Err(format!("a name must have 1 to 128 characters, got {n}"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name must not contain control characters".into());
    }
    if name.trim() != name {
        return Err("a name must not start or end with whitespace".into());
    }
    Ok(())
}

/// A public key with its holder's name: one line of a `.pub` file or keyring (§5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedKey {
    /// The key.
    pub key: PublicKey,
    /// Its holder's display name.
    pub name: String,
}

/// The keyword that starts a key line.
pub const KEY_LINE_KEYWORD: &str = "ed25519";

/// The key type of OpenSSH Ed25519 keys (RFC 8709), which starts an OpenSSH public key line.
pub const OPENSSH_ED25519: &str = "ssh-ed25519";

impl NamedKey {
    /// `ed25519 <key id> <base64 key> <name>`.
    pub fn to_line(&self) -> String {
        format!("{KEY_LINE_KEYWORD} {} {} {}", self.key.id(), self.key.to_base64(), self.name)
    }

    /// Parses a key line; the key id in the line MUST match the key (§5.3). Code points of the
    /// White_Space set W (§9.0, which is exactly what `char::is_whitespace` tests) at the end of
    /// the line are removed first, as every reader of `.pub` files and keyrings does (§5.3, §10.1);
    /// leading ones are not.
    pub fn parse_line(line: &str) -> Result<NamedKey, String> {
        let line = line.trim_end();
        let mut parts = line.splitn(4, ' ');
        let kw = parts.next().unwrap_or("");
        if kw != KEY_LINE_KEYWORD {
            return Err(format!("expected a line starting with `{KEY_LINE_KEYWORD} `, got {kw:?}"));
        }
        let (Some(id), Some(b64), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("a key line has four fields: `{KEY_LINE_KEYWORD} <key id> <base64 key> <name>`"));
        };
        let id: KeyId = id.parse()?;
        let key = PublicKey::from_base64(b64)?;
        if key.id() != id {
            return Err(format!("key id {id} does not match the key (its id is {})", key.id()));
        }
        check_name(name)?;
        Ok(NamedKey { key, name: name.to_string() })
    }

    /// Parses an OpenSSH Ed25519 public key line (§5.3): `ssh-ed25519`, the key blob in standard
    /// base64, and an optional comment, separated by spaces or tabs, as `ssh-keygen` writes
    /// `id_ed25519.pub` and as `authorized_keys` holds them. The blob MUST be exactly the RFC 8709
    /// §4 encoding (the string `ssh-ed25519`, then the 32-byte key, each with its 4-byte length)
    /// and the key MUST pass §5.2. The holder's name is the comment when it is a valid name, else
    /// `ssh-ed25519 key`.
    pub fn parse_openssh(line: &str) -> Result<NamedKey, String> {
        let line = line.trim_end();
        let rest = line
            .strip_prefix(OPENSSH_ED25519)
            .filter(|r| r.starts_with([' ', '\t']))
            .ok_or_else(|| format!("expected a line starting with `{OPENSSH_ED25519} `"))?;
        let rest = rest.trim_start_matches([' ', '\t']);
        let (b64, comment) = match rest.find([' ', '\t']) {
            Some(i) => (&rest[..i], rest[i..].trim_start_matches([' ', '\t'])),
            None => (rest, ""),
        };
        let blob = B64.decode(b64).map_err(|_| "the OpenSSH key is not standard base64".to_string())?;
        let key = PublicKey::from_openssh_blob(&blob)?;
        key.check_strong()?;
        let name = if check_name(comment).is_ok() { comment.to_string() } else { format!("{OPENSSH_ED25519} key") };
        Ok(NamedKey { key, name })
    }

    /// The text of a `.pub` file: explanatory comments and the key line.
    pub fn to_pub_file(&self) -> String {
        format!(
            "# colophon public key of {name}. Safe to share.\n\
             # To trust it, add the line below to a keyring file (see keys.example) and pass --trust.\n\
             {line}\n",
            name = self.name,
            line = self.to_line()
        )
    }
}

/// What went wrong with a key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("{path}: {}", crate::format::status::io_hint(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A secret key file others can read.
    #[error(
        "{path}: secret key file is readable by other users (mode {mode:o}); run `chmod 600 {path}` and consider the key exposed if others had access"
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// A public key file where a secret key is needed.
    #[error(
        "{path}: this is a public key file; signing needs the secret key file (the .key file written by `colophon keygen`)"
    )]
    PublicNotSecret {
        /// The file.
        path: PathBuf,
    },
    /// Not a key file of the expected kind, or damaged.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Decryption failed.
    #[error(
        "{path}: wrong passphrase (or the key file is damaged); set COLOPHON_PASSPHRASE or type the passphrase used at keygen"
    )]
    WrongPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// The key file is encrypted and no passphrase was given.
    #[error("{path}: the key is encrypted; set COLOPHON_PASSPHRASE or run on a terminal to be asked")]
    NeedPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// The file exists.
    #[error("{path}: file exists; colophon never overwrites a key: choose another -o PREFIX or remove it first")]
    Exists {
        /// The file.
        path: PathBuf,
    },
}

/// The `format` value of a secret key file (§5.4).
pub const SECRET_KEY_FORMAT: &str = "colophon-secret-key-v1";
/// The scrypt cost used when writing (2^17 x 8 x 128 bytes = 128 MiB, about half a second).
pub const SCRYPT_LOG_N: u8 = 17;
/// The largest scrypt cost accepted when reading, so a hostile key file cannot demand gigabytes.
pub const SCRYPT_MAX_LOG_N: u8 = 20;

/// The JSON of a secret key file (§5.4).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretKeyJson {
    format: String,
    key_id: String,
    name: String,
    public_key: String,
    cipher: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<KdfJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    secret: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfJson {
    name: String,
    log_n: u8,
    r: u32,
    p: u32,
    salt: String,
}

pub(crate) fn looks_like_pub(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).lines().any(|l| l.starts_with(KEY_LINE_KEYWORD))
}

/// A signing key with its holder's name. The seed is wiped when dropped.
pub struct SecretKey {
    /// The Ed25519 signing key (zeroized on drop by ed25519-dalek).
    pub signing: SigningKey,
    /// The holder's display name.
    pub name: String,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "SecretKey({}, {})", self.id(), self.name)
    }
}

impl SecretKey {
    /// A key from a 32-byte seed (tests and vectors use fixed seeds).
    pub fn from_seed(seed: &[u8; 32], name: &str) -> SecretKey {
        SecretKey { signing: SigningKey::from_bytes(seed), name: name.to_string() }
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.public().id()
    }

    /// The public key with its name.
    pub fn named(&self) -> NamedKey {
        NamedKey { key: self.public(), name: self.name.clone() }
    }

    /// Serializes as a secret key file (§5.4), encrypted under `passphrase` unless it is `None`, with
    /// the scrypt cost `log_n` and the given salt and nonce (fresh random ones for every file: the
    /// caller draws them, so this stays free of I/O; `crate::store::keyfile` does).
    pub fn to_file_text_with(
        &self,
        passphrase: Option<&[u8]>,
        log_n: u8,
        salt: [u8; 16],
        nonce: [u8; 12],
    ) -> Result<String, String> {
        let public = self.public();
        let seed = Zeroizing::new(self.signing.to_bytes());
        let json = match passphrase {
            None => SecretKeyJson {
                format: SECRET_KEY_FORMAT.into(),
                key_id: public.id().to_hex(),
                name: self.name.clone(),
                public_key: public.to_base64(),
                cipher: "none".into(),
                kdf: None,
                nonce: None,
                secret: B64.encode(&seed[..]),
            },
            Some(pass) => {
                let (r, p) = (8, 1);
                let kek = derive_kek(pass, &salt, log_n, r, p)?;
                let cipher = ChaCha20Poly1305::new_from_slice(&kek[..]).map_err(|e| e.to_string())?;
                let ct = cipher
                    .encrypt(&Nonce::from(nonce), Payload { msg: &seed[..], aad: public.0.as_bytes() })
                    .map_err(|_| "encryption failed".to_string())?;
                SecretKeyJson {
                    format: SECRET_KEY_FORMAT.into(),
                    key_id: public.id().to_hex(),
                    name: self.name.clone(),
                    public_key: public.to_base64(),
                    cipher: "chacha20-poly1305".into(),
                    kdf: Some(KdfJson { name: "scrypt".into(), log_n, r, p, salt: B64.encode(salt) }),
                    nonce: Some(B64.encode(nonce)),
                    secret: B64.encode(ct),
                }
            }
        };
        let mut text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(text)
    }
}

fn derive_kek(pass: &[u8], salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<Zeroizing<[u8; 32]>, String> {
    let params = scrypt::Params::new(log_n, r, p).map_err(|e| format!("bad scrypt parameters: {e}"))?;
    let mut kek = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(pass, salt, &params, &mut kek[..]).map_err(|e| e.to_string())?;
    Ok(kek)
}

/// A parsed secret key file, possibly still encrypted.
pub struct SecretKeyFile {
    path: PathBuf,
    json: SecretKeyJson,
    public: PublicKey,
}

impl fmt::Debug for SecretKeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKeyFile({})", self.path.display())
    }
}

impl SecretKeyFile {
    /// Parses secret key file bytes; `path` is for messages.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<SecretKeyFile, KeyError> {
        let malformed = |message: String| KeyError::Malformed { path: path.to_path_buf(), message };
        if looks_like_pub(bytes) {
            return Err(KeyError::PublicNotSecret { path: path.to_path_buf() });
        }
        let json: SecretKeyJson =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("not a colophon secret key file ({e})")))?;
        if json.format != SECRET_KEY_FORMAT {
            return Err(malformed(format!("unsupported key file format {:?}", json.format)));
        }
        let public = PublicKey::from_base64(&json.public_key).map_err(malformed)?;
        if public.id().to_hex() != json.key_id {
            return Err(malformed("key_id does not match public_key".into()));
        }
        check_name(&json.name).map_err(malformed)?;
        match (json.cipher.as_str(), &json.kdf, &json.nonce) {
            ("none", None, None) => {}
            ("chacha20-poly1305", Some(kdf), Some(_)) => {
                if kdf.name != "scrypt" || !(10..=SCRYPT_MAX_LOG_N).contains(&kdf.log_n) || kdf.r != 8 || kdf.p != 1 {
                    return Err(malformed(format!(
                        "unsupported kdf {} log_n={} r={} p={} (supported: scrypt, log_n 10..={SCRYPT_MAX_LOG_N}, r=8, p=1)",
                        kdf.name, kdf.log_n, kdf.r, kdf.p
                    )));
                }
            }
            (c, _, _) => return Err(malformed(format!("unsupported cipher {c:?} or missing kdf/nonce"))),
        }
        Ok(SecretKeyFile { path: path.to_path_buf(), json, public })
    }

    /// Whether unlocking needs a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.json.cipher != "none"
    }

    /// The public key (readable without the passphrase).
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// The holder's name.
    pub fn name(&self) -> &str {
        &self.json.name
    }

    /// Decrypts the key. `passphrase` is ignored for an unencrypted file.
    pub fn unlock(&self, passphrase: Option<&[u8]>) -> Result<SecretKey, KeyError> {
        let path = || self.path.clone();
        let malformed = |message: &str| KeyError::Malformed { path: path(), message: message.into() };
        let mut seed = Zeroizing::new([0u8; 32]);
        match (&self.json.kdf, &self.json.nonce) {
            (Some(kdf), Some(nonce)) => {
                let Some(pass) = passphrase else {
                    return Err(KeyError::NeedPassphrase { path: path() });
                };
                let salt = B64.decode(&kdf.salt).map_err(|_| malformed("salt is not base64"))?;
                let nonce: [u8; 12] = B64
                    .decode(nonce)
                    .ok()
                    .and_then(|n| n.try_into().ok())
                    .ok_or_else(|| malformed("nonce is not 12 bytes of base64"))?;
                let ct = B64.decode(&self.json.secret).map_err(|_| malformed("secret is not base64"))?;
                let kek = derive_kek(pass, &salt, kdf.log_n, kdf.r, kdf.p).map_err(|m| malformed(&m))?;
                let cipher = ChaCha20Poly1305::new_from_slice(&kek[..]).map_err(|_| malformed("bad key length"))?;
                let mut pt = cipher
                    .decrypt(&Nonce::from(nonce), Payload { msg: &ct, aad: self.public.0.as_bytes() })
                    .map_err(|_| KeyError::WrongPassphrase { path: path() })?;
                if pt.len() != 32 {
                    pt.zeroize();
                    return Err(malformed("secret is not 32 bytes"));
                }
                seed.copy_from_slice(&pt);
                pt.zeroize();
            }
            _ => {
                let mut raw = B64.decode(&self.json.secret).map_err(|_| malformed("secret is not base64"))?;
                if raw.len() != 32 {
                    raw.zeroize();
                    return Err(malformed("secret is not 32 bytes"));
                }
                seed.copy_from_slice(&raw);
                raw.zeroize();
            }
        }
        let key = SecretKey::from_seed(&seed, &self.json.name);
        if key.public() != self.public {
            return Err(malformed("secret does not match public_key"));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_seed(&[1u8; 32], "Alice Rossi")
    }

    #[test]
    fn key_line_round_trip_and_checks() {
        let nk = key().named();
        let line = nk.to_line();
        assert_eq!(NamedKey::parse_line(&line).unwrap(), nk);
        let other = SecretKey::from_seed(&[2u8; 32], "x").id();
        let forged = line.replacen(&nk.key.id().to_hex(), &other.to_hex(), 1);
        assert!(NamedKey::parse_line(&forged).unwrap_err().contains("does not match"));
        assert!(NamedKey::parse_line("ed25519 abc").is_err());
    }

    #[test]
    fn weak_keys_rejected() {
        // The identity point (small order).
        let mut id = [0u8; 32];
        id[0] = 1;
        assert!(PublicKey::from_bytes(&id).unwrap().check_strong().unwrap_err().contains("small order"));
        // y = p + 1 encodes the same point as y = 1 but is not canonical.
        let mut noncanon = [0xffu8; 32];
        noncanon[0] = 0xee;
        noncanon[31] = 0x7f;
        assert!(PublicKey::from_bytes(&noncanon).is_err());
        let b64 = PublicKey::from_bytes(&id).unwrap().to_base64();
        assert!(PublicKey::from_base64(&b64).is_err());
        assert!(PublicKey::from_base64_any(&b64).is_ok());
    }

    #[test]
    fn secret_file_round_trips() {
        let k = key();
        let plain = k.to_file_text(None).unwrap();
        let f = SecretKeyFile::parse(Path::new("k"), plain.as_bytes()).unwrap();
        assert!(!f.is_encrypted());
        assert_eq!(f.unlock(None).unwrap().id(), k.id());

        let enc = k.to_file_text_with_cost(Some(b"pw"), 10).unwrap();
        assert!(!enc.contains(&B64.encode(k.signing.to_bytes())));
        let f = SecretKeyFile::parse(Path::new("k"), enc.as_bytes()).unwrap();
        assert!(f.is_encrypted());
        assert_eq!(f.unlock(Some(b"pw")).unwrap().id(), k.id());
        assert!(matches!(f.unlock(Some(b"nope")), Err(KeyError::WrongPassphrase { .. })));
        assert!(matches!(f.unlock(None), Err(KeyError::NeedPassphrase { .. })));
    }

    #[test]
    fn public_file_is_not_a_secret_key() {
        let text = key().named().to_pub_file();
        assert!(matches!(
            SecretKeyFile::parse(Path::new("a.pub"), text.as_bytes()),
            Err(KeyError::PublicNotSecret { .. })
        ));
    }
}
