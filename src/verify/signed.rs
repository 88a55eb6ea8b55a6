//! The signed lines a verdict, a printed text or a new entry rests on (spec/verify.md §2.3, §4).
//!
//! Indexes — the persistent one in the user's cache, or the state built from a bundle — *find*
//! entries. Every fact colophon reports or builds on is then read from the entry's own line:
//! checked to hash to the entry, parsed, and its signature verified under its signer's key, itself
//! read from that key's signed registration, up the chain. Where an index disagrees with a line,
//! the line wins and the disagreement is remembered, so the caller can rebuild its index.

use crate::format::entry::{Body, ParsedLine, Role, parse_line};
use crate::format::hash::Digest;
use crate::format::keys::KeyId;
use crate::format::signing;
use crate::log::index::{Index, KeyInfo, ReleaseInfo, Revocation, VersionInfo};
use crate::log::lines::LineAt;
use crate::log::trust::{Decision, Keyring, decide_with};
use std::collections::BTreeMap;

/// Where entry lines come from: a ledger file, or the lines of an opened bundle.
#[derive(Clone, Copy, Debug)]
pub enum Store<'a> {
    /// A ledger (a file, or its bytes) whose entries the index locates.
    Ledger(&'a dyn LineAt),
    /// Lines of a verified bundle, by entry hash (version lines perhaps in committed form,
    /// spec/ledger.md §3.4), and the texts it carries, checked against their signed hashes.
    Bundle(&'a BTreeMap<Digest, Vec<u8>>, &'a BTreeMap<Digest, String>),
}

impl<'a> Store<'a> {
    /// A version's text as the bundle's `texts` gives it (spec/verify.md §3.6); a ledger has none.
    pub fn text(&self, h: &Digest) -> Option<&'a str> {
        match self {
            Store::Ledger(_) => None,
            Store::Bundle(_, texts) => texts.get(h).map(String::as_str),
        }
    }

    /// The bytes of an entry's line; the caller checks they hash to `h`.
    fn line(&self, index: &Index, h: &Digest) -> Result<Vec<u8>, String> {
        match self {
            Store::Ledger(lines) => {
                let loc = index.entry(h).ok_or_else(|| format!("entry {} not found", h.short(16)))?;
                lines.line_at(loc.offset, loc.len)
            }
            Store::Bundle(lines, _) => {
                lines.get(h).cloned().ok_or_else(|| format!("entry {} not in the bundle", h.short(16)))
            }
        }
    }
}

/// The signed lines a verdict rests on (§2.3, §4): each read from the source, checked to hash to
/// its entry, parsed, and its signature verified under its signer's key — itself read from the
/// key's own signed line, up the chain of registrations. Every fact a verdict reports comes from
/// these lines. The index (or a bundle's state) only *finds* them; when its answer disagrees with
/// the line it pointed to, the disagreement is remembered ([`Signed::disagreed`]) and the line wins.
pub struct Signed<'a> {
    pub(crate) index: &'a Index,
    pub(crate) store: Store<'a>,
    lines: std::cell::RefCell<BTreeMap<Digest, std::rc::Rc<ParsedLine>>>,
    keys: std::cell::RefCell<BTreeMap<KeyId, Option<KeyInfo>>>,
    disagreed: std::cell::RefCell<Option<String>>,
}

impl std::fmt::Debug for Signed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signed").field("lines", &self.lines.borrow().len()).finish()
    }
}

impl<'a> Signed<'a> {
    /// Lines of `store`, found through `index`.
    pub fn new(index: &'a Index, store: Store<'a>) -> Signed<'a> {
        Signed { index, store, lines: Default::default(), keys: Default::default(), disagreed: Default::default() }
    }

    /// The first way the index disagreed with a signed line, if it did.
    pub fn disagreed(&self) -> Option<String> {
        self.disagreed.borrow().clone().or_else(|| self.index.failure())
    }

    pub fn disagree(&self, what: String) {
        let mut slot = self.disagreed.borrow_mut();
        if slot.is_none() {
            *slot = Some(what);
        }
    }

    /// A line that hashes to `h`, parsed (its signature not yet checked).
    pub fn parsed(&self, h: &Digest) -> Result<std::rc::Rc<ParsedLine>, String> {
        if let Some(p) = self.lines.borrow().get(h) {
            return Ok(p.clone());
        }
        let line = self.store.line(self.index, h).inspect_err(|_| {
            if matches!(self.store, Store::Ledger(_)) {
                self.disagree(format!("the index knows entry {} but not where its line is", h.short(16)));
            }
        })?;
        if crate::format::hash::entry_hash(&line) != *h {
            self.disagree(format!("the line found for entry {} has another hash", h.short(16)));
            return Err(format!("entry {} is not where the index says (the ledger changed?)", h.short(16)));
        }
        let p = std::rc::Rc::new(parse_line(&line).map_err(|(c, m)| format!("entry {}: {c}: {m}", h.short(16)))?);
        self.lines.borrow_mut().insert(*h, p.clone());
        Ok(p)
    }

    /// A line whose signature verifies under its signer's key (read from signed lines).
    pub fn checked(&self, h: &Digest) -> Result<std::rc::Rc<ParsedLine>, String> {
        let p = self.parsed(h)?;
        let key = match &p.entry.body {
            Body::Genesis(g) if p.entry.seq == 0 => g.key,
            _ => match self.key(&p.entry.signer) {
                Some(k) => k.key,
                None => {
                    // An entry in the state was signed by a registered key (§11 step 6): an index
                    // that lost the registration is not what the ledger holds.
                    if self.index.entry(h).is_some_and(|l| l.in_state) {
                        self.disagree(format!("the index lost the registration of key {}", p.entry.signer));
                    }
                    return Err(format!("entry {}: its signer {} is not registered", h.short(16), p.entry.signer));
                }
            },
        };
        if !signing::verify_entry(&key.0, &p.signed_bytes, &p.entry.sig) {
            return Err(format!("entry {} (seq {}) has an invalid signature", h.short(16), p.entry.seq));
        }
        Ok(p)
    }

    /// A registered key as its own signed lines give it: the genesis or `key` entry that registered
    /// it, checked under its registrar's key, and the `revoke` entry the index knows of, checked
    /// likewise. `None` when it is not registered (or its lines do not check out).
    pub fn key(&self, id: &KeyId) -> Option<KeyInfo> {
        if let Some(k) = self.keys.borrow().get(id) {
            return k.clone();
        }
        // Mark as in progress: a registration chain always points backwards, so a cycle means the
        // index is lying; the marker makes it end.
        self.keys.borrow_mut().insert(*id, None);
        let k = self.key_from_lines(id);
        self.keys.borrow_mut().insert(*id, k.clone());
        k
    }

    fn key_from_lines(&self, id: &KeyId) -> Option<KeyInfo> {
        let found = self.index.key(id)?;
        let p = self.parsed(&found.entry).ok()?;
        let (key, name, roles) = match &p.entry.body {
            Body::Genesis(g) if p.entry.seq == 0 && g.key.id() == *id && p.entry.signer == *id => {
                (g.key, g.name.clone(), vec![Role::Owner])
            }
            Body::Key(k) if k.key.id() == *id => (k.key, k.name.clone(), k.roles.clone()),
            _ => {
                self.disagree(format!("the entry said to register key {id} does not"));
                return None;
            }
        };
        let signer_key = if p.entry.signer == *id {
            key
        } else {
            let registrar = self.key(&p.entry.signer)?;
            if registrar.seq >= p.entry.seq {
                self.disagree(format!("key {id} is said to be registered before its registrar"));
                return None;
            }
            registrar.key
        };
        if !signing::verify_entry(&signer_key.0, &p.signed_bytes, &p.entry.sig) {
            return None;
        }
        let mut info = KeyInfo {
            key,
            name,
            roles,
            seq: p.entry.seq,
            registered_by: p.entry.signer,
            entry: found.entry,
            revoked: None,
        };
        if let Some(r) = found.revoked {
            match self.parsed(&r.entry).ok() {
                Some(rp) if matches!(&rp.entry.body, Body::Revoke(x) if x.key == *id) => {
                    if let Body::Revoke(x) = &rp.entry.body {
                        info.revoked = Some(Revocation { seq: rp.entry.seq, reason: x.reason, entry: r.entry });
                    }
                }
                // A revocation the index names but no line makes: keep the key revoked (the safe
                // reading) and say the index disagreed.
                _ => {
                    self.disagree(format!("the revocation the index names for key {id} is not in the ledger"));
                    info.revoked = Some(r);
                }
            }
        }
        if (info.name.as_str(), &info.roles, info.seq, info.registered_by, info.key.id())
            != (found.name.as_str(), &found.roles, found.seq, found.registered_by, found.key.id())
        {
            self.disagree(format!("the index's record of key {id} differs from its signed registration"));
        }
        Some(info)
    }

    /// A version as its signed line states it. `number`, its place among the versions of its work
    /// and language, is counted along the signed `parent` members back to the first version.
    pub fn version(&self, h: &Digest) -> Result<VersionInfo, String> {
        let p = self.checked(h)?;
        let Body::Version(v) = &p.entry.body else { return Err(format!("entry {} is not a version", h.short(16))) };
        let number = self.number(h)?;
        let info = crate::log::index::version_info(&p, v, number);
        match self.index.version(h) {
            None => self.disagree(format!("the index has no record of version {}", h.short(16))),
            Some(f) => {
                if (f.sha256, f.size, &f.norm, &f.work, &f.lang, f.parent, f.of, f.signer, f.seq, f.number)
                    != (
                        info.sha256,
                        info.size,
                        &info.norm,
                        &info.work,
                        &info.lang,
                        info.parent,
                        info.of,
                        info.signer,
                        info.seq,
                        info.number,
                    )
                {
                    self.disagree(format!(
                        "the index's record of version {} differs from its signed line",
                        h.short(16)
                    ));
                }
            }
        }
        Ok(info)
    }

    /// A version's signed body, its line checked (hash and signature) — without counting its
    /// number, which walks its whole chain.
    pub fn version_facts(&self, h: &Digest) -> Result<crate::format::entry::Version, String> {
        let p = self.checked(h)?;
        match &p.entry.body {
            Body::Version(v) => Ok((**v).clone()),
            _ => Err(format!("entry {} is not a version", h.short(16))),
        }
    }

    /// How many versions the chain of signed `parent` members holds up to `h`, `h` included.
    fn number(&self, h: &Digest) -> Result<u64, String> {
        let mut n = 0u64;
        let mut cur = Some(*h);
        let mut last_seq = u64::MAX;
        while let Some(x) = cur {
            let p = self.parsed(&x)?;
            let Body::Version(v) = &p.entry.body else {
                return Err(format!("the parent {} of a version is not a version", x.short(16)));
            };
            // Parents come earlier in the ledger: a chain that does not go backwards is no chain.
            if p.entry.seq >= last_seq {
                return Err(format!("version {} names a parent that does not come before it", x.short(16)));
            }
            last_seq = p.entry.seq;
            n += 1;
            cur = v.parent;
        }
        Ok(n)
    }

    /// A release as its signed line states it, with the cosigns the index knows of that are
    /// signed lines cosigning it.
    pub fn release(&self, h: &Digest) -> Result<ReleaseInfo, String> {
        let p = self.checked(h)?;
        let Body::Release(r) = &p.entry.body else { return Err(format!("entry {} is not a release", h.short(16))) };
        let mut info = crate::log::index::release_info(&p, r);
        let found = self.index.release(h);
        if found.is_none() {
            self.disagree(format!("the index has no record of release {}", h.short(16)));
        }
        if let Some(f) = &found {
            if (f.translation, f.original, &f.work, &f.tag, f.signer)
                != (info.translation, info.original, &info.work, &info.tag, info.signer)
            {
                self.disagree(format!("the index's record of release {} differs from its signed line", h.short(16)));
            }
            for (_, _, c) in &f.cosigners {
                match self.checked(c) {
                    Ok(cp) if matches!(&cp.entry.body, Body::Cosign(x) if x.release == *h) => {
                        info.cosigners.push((cp.entry.signer, cp.entry.seq, *c));
                    }
                    _ => self
                        .disagree(format!("a cosign the index names for release {} does not check out", h.short(16))),
                }
            }
        }
        Ok(info)
    }

    /// Decides trust (L§10.2) for `signer` at `seq` with keys from their signed lines.
    pub fn decide(&self, roots: &Keyring, signer: KeyId, seq: u64) -> Decision {
        decide_with(|id| self.key(id), roots, signer, seq)
    }
}
