//! The verdict on a clear-signed copy (spec/exports.md §4.3): a text or page that carries its own
//! signature line, checked against the reader's trust roots with no ledger, bundle or log.

use crate::format::clearsign::{self, Match, SignatureLine};
use crate::format::keys::NamedKey;
use crate::format::status::Code;
use crate::log::trust::Keyring;
use crate::verify::copy::CopyKind;

/// The verdict. `code` is `copy.verified` on success.
#[derive(Clone, Debug)]
pub struct ClearVerdict {
    /// `copy.verified`, `copy.mismatch`, `clearsign.invalid` or `trust.untrusted`.
    pub code: Code,
    /// What was found, and why it does or does not verify.
    pub message: String,
    /// The signature line, when it parsed.
    pub line: Option<SignatureLine>,
    /// The trust root whose key signed it, when the signature verified.
    pub signer: Option<NamedKey>,
    /// How the text matched.
    pub level: Match,
    /// Whether the copy was read as a web page.
    pub page: bool,
}

impl ClearVerdict {
    /// Whether the copy verified.
    pub fn verified(&self) -> bool {
        self.code == Code::CopyVerified
    }
}

/// Checks a copy that carries a signature line. `None` when the copy has none (it is then not a
/// clear-signed copy, and needs a bundle, a ledger or a log). A page (detected, or `as_kind`) is
/// read as the text a reader sees in it (spec/verify.md §2.7.2) before the line is looked for.
pub fn verify_clearsigned(bytes: &[u8], roots: &Keyring, as_kind: Option<CopyKind>) -> Option<ClearVerdict> {
    let raw = std::str::from_utf8(bytes).ok()?;
    let page = match as_kind {
        Some(CopyKind::Html) => true,
        Some(CopyKind::Text) => false,
        None => crate::format::html::looks_like_html(bytes),
    };
    let text = if page { crate::format::html::extract_text(raw).ok()? } else { raw.to_string() };
    let (range, parsed) = clearsign::find(&text)?;
    let verdict = |code, message: String, line: Option<SignatureLine>, signer, level| {
        Some(ClearVerdict { code, message, line, signer, level, page })
    };
    let line = match parsed {
        Ok(l) => l,
        Err(m) => {
            return verdict(
                Code::ClearsignInvalid,
                format!("the copy's colophon-signature line: {m}"),
                None,
                None,
                Match::None,
            );
        }
    };
    // A clear signature carries no ledger: no chain of key entries, so only a key the reader
    // trusts directly can vouch for it.
    let Some(root) = roots.keys.iter().find(|k| k.key.id() == line.key).cloned() else {
        return verdict(
            Code::TrustUntrusted,
            format!(
                "signed by key {}, which is not one of your trust roots; a clear signature carries no ledger, so only a \
                 key you trust directly counts (add the signer's .pub or ssh-ed25519 line to your keyring)",
                line.key
            ),
            Some(line),
            None,
            Match::None,
        );
    };
    if !line.verify(&root.key) {
        return verdict(
            Code::ClearsignInvalid,
            format!("the signature does not verify under {} ({}): the line was altered", root.name, root.key.id()),
            Some(line),
            None,
            Match::None,
        );
    }
    let level = clearsign::match_before(&line, &text[..range.start]);
    let release = format!("{}@{}", line.work, line.tag);
    match level {
        Match::None => verdict(
            Code::CopyMismatch,
            format!(
                "the signature of release {release} by {} verifies, but the text before it is not the signed text, \
                 not even word for word (words/v2): it was changed",
                root.name
            ),
            Some(line),
            Some(root),
            level,
        ),
        Match::Exact | Match::Words => verdict(
            Code::CopyVerified,
            format!("the text matches release {release} of {}, clear-signed by {}", line.origin, root.name),
            Some(line),
            Some(root),
            level,
        ),
    }
}
