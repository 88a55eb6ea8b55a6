//! Status codes (spec/ledger.md §12).
//!
//! Every verification outcome is a [`Problem`]: a dotted [`Code`], the 1-based line of the ledger (or
//! bundle) it concerns, and a human explanation. Codes are part of the wire format: they appear in
//! `--json` output and in spec/vectors, so a code is never renamed, only added.

use std::fmt;

macro_rules! codes {
    ($($(#[$m:meta])* $variant:ident => $name:literal,)*) => {
        /// A dotted status code. `as_str` gives its stable wire name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($(#[$m])* $variant,)* }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable dotted name, e.g. `entry.signature.invalid`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// Looks a code up by its dotted name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // §7 ledger file
    /// The ledger has no complete line.
    LedgerEmpty => "ledger.empty",
    /// The ledger could not be read.
    LedgerIo => "ledger.io",
    /// The last line has no terminating newline (an interrupted append).
    LineTorn => "line.torn",
    /// A line is not valid UTF-8.
    LineNotUtf8 => "line.not_utf8",
    /// A line is not a JSON object.
    LineNotJson => "line.not_json",
    /// A line is valid JSON but not its RFC 8785 canonical form.
    LineNotCanonical => "line.not_canonical",
    /// A line holds a number that is not an integer in 0..=2^53-1.
    LineNumber => "line.number",
    /// A line is longer than the limit.
    LineTooLong => "line.too_long",
    // §6 entries
    /// `v` is not a supported format version.
    EntryVersionUnsupported => "entry.version.unsupported",
    /// A required field is missing, has the wrong type, or an unknown field is present.
    EntrySchemaInvalid => "entry.schema.invalid",
    /// `seq` is not the previous entry's `seq` + 1 (or not 0 for the first line).
    EntrySeqMismatch => "entry.seq.mismatch",
    /// `prev` is not the hash of the previous line.
    EntryPrevMismatch => "entry.prev.mismatch",
    /// An unknown entry type not marked `"critical": false`.
    EntryTypeUnknown => "entry.type.unknown",
    /// `time` is not an RFC 3339 UTC timestamp of the required form.
    EntryTimeInvalid => "entry.time.invalid",
    /// The signature does not verify under the signer's key.
    EntrySignatureInvalid => "entry.signature.invalid",
    /// The signer key id is not registered in the ledger before this entry.
    EntrySignerUnknown => "entry.signer.unknown",
    /// The signer key was revoked before this entry.
    EntrySignerRevoked => "entry.signer.revoked",
    /// The signer key's roles do not allow this entry type.
    EntrySignerUnauthorized => "entry.signer.unauthorized",
    // §6.2 genesis
    /// The first entry is not a genesis entry.
    GenesisMissing => "genesis.missing",
    /// A genesis entry appears after the first line.
    GenesisDuplicate => "genesis.duplicate",
    /// The genesis entry is not signed by the owner key it names.
    GenesisSigner => "genesis.signer",
    // §5 / §6.3 keys
    /// A public key is malformed or of small order.
    KeyWeak => "key.weak",
    /// A key is registered twice.
    KeyDuplicate => "key.duplicate",
    // §6.4 revoke
    /// A revoke names a key that is not registered.
    RevokeUnknownKey => "revoke.unknown_key",
    /// A revoke names a key already revoked.
    RevokeDuplicate => "revoke.duplicate",
    /// A revoke would leave the ledger with no active owner key.
    RevokeLastOwner => "revoke.last_owner",
    // §6.5 version
    /// `parent` is not the latest version of the same work and language.
    VersionParentMismatch => "version.parent.mismatch",
    /// `of` is missing, present where it must not be, or does not name an original version of the work.
    VersionOfInvalid => "version.of.invalid",
    /// The version's role differs from earlier versions of the same work and language.
    VersionRoleMismatch => "version.role.mismatch",
    /// The version repeats its parent's content.
    VersionUnchanged => "version.unchanged",
    // §8 diff scripts
    /// A diff script is not well formed.
    DiffMalformed => "diff.malformed",
    /// A diff script does not consume exactly the lines of its base.
    DiffBaseMismatch => "diff.base.mismatch",
    /// A `version` line in a ledger carries `diff_sha256` (its committed form, §3.4) instead of
    /// its script: the ledger keeps every script.
    DiffWithheld => "diff.withheld",
    /// The reconstructed content does not have the signed sha256.
    ContentHashMismatch => "content.hash.mismatch",
    /// The reconstructed content does not have the signed size.
    ContentSizeMismatch => "content.size.mismatch",
    /// A signed normalized hash does not match the reconstructed content.
    ContentNormMismatch => "content.norm.mismatch",
    // §6.6 release
    /// A release references entries that are not versions of the right role, work and language.
    ReleaseRefInvalid => "release.ref.invalid",
    /// A release repeats a tag already used for the work.
    ReleaseTagDuplicate => "release.tag.duplicate",
    // §6.7 cosign
    /// A cosign does not reference a release.
    CosignRefInvalid => "cosign.ref.invalid",
    /// A release's own signer cosigns it, or a key cosigns twice.
    CosignDuplicate => "cosign.duplicate",
    // spec/verify.md
    /// The copy matches a signed, released version (success).
    CopyVerified => "copy.verified",
    /// The copy matches a signed version in a release that passes, and a later release of the
    /// same work and language supersedes that release (spec/verify.md §2.8; a success).
    ReleaseSuperseded => "release.superseded",
    /// The copy matches a signed version that is in no release.
    CopyUnreleased => "copy.unreleased",
    /// The copy matches no signed version.
    CopyMismatch => "copy.mismatch",
    /// The copy is empty: there is nothing to verify (bad input, not a verdict).
    CopyEmpty => "copy.empty",
    /// A clear-signed copy's signature line is malformed, or its signature does not verify
    /// (spec/exports.md §4.3).
    ClearsignInvalid => "clearsign.invalid",
    /// A bundle file is malformed or incomplete.
    BundleInvalid => "bundle.invalid",
    /// A bundle without a checkpoint and inclusion proofs (spec/verify.md §3.5).
    BundleUnanchored => "bundle.unanchored",
    // spec/transparency.md §10
    /// A checkpoint, note or proof file does not parse.
    CheckpointMalformed => "checkpoint.malformed",
    /// No trusted owner key signed the checkpoint, or a known key's signature is invalid.
    CheckpointSignature => "checkpoint.signature",
    /// The checkpoint names another log.
    CheckpointOrigin => "checkpoint.origin",
    /// Two checkpoints, or a checkpoint and the ledger, describe different histories.
    CheckpointInconsistent => "checkpoint.inconsistent",
    /// Fewer witnesses cosigned than the keyring's quorum requires.
    CheckpointQuorum => "checkpoint.quorum",
    /// An inclusion proof does not verify.
    ProofInclusion => "proof.inclusion",
    /// A consistency proof does not verify (or is missing).
    ProofConsistency => "proof.consistency",
    /// An incremental audit's state file is not one, is damaged or truncated (its checksum
    /// fails), or describes an impossible tree (spec/transparency.md §8.1).
    AuditStateInvalid => "audit_state.invalid",
    /// An incremental audit's state file is bound to another checkpoint, log or keyring than
    /// the audit was given (spec/transparency.md §8.1).
    AuditStateMismatch => "audit_state.mismatch",
    // §10 trust
    /// The signature is valid but the key does not chain to a trust root.
    TrustUntrusted => "trust.untrusted",
    /// A keyring file is malformed.
    TrustKeyringInvalid => "trust.keyring.invalid",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One verification finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The dotted status code.
    pub code: Code,
    /// 1-based line number in the ledger or bundle, when the problem concerns one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What is wrong, for humans.
    pub message: String,
}

impl Problem {
    /// A problem at a line.
    pub fn at(line: u64, code: Code, message: impl Into<String>) -> Problem {
        Problem { code, line: Some(line), message: message.into() }
    }

    /// A problem not tied to a line.
    pub fn general(code: Code, message: impl Into<String>) -> Problem {
        Problem { code, line: None, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// Turns an OS error into advice.
pub fn io_hint(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (check the file's permissions)".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate name {}", c.as_str());
            assert_eq!(Code::from_name(c.as_str()), Some(*c));
            assert!(c.as_str().contains('.'));
        }
    }
}
