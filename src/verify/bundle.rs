//! Reader's bundles (spec/verify.md §3): one file holding everything a reader needs to verify a
//! copy of a release offline: the ledger lines of the release, its versions (with their ancestors,
//! so texts can be rebuilt), its cosignatures, and every key and revocation entry.

use crate::format::entry::{Body, ParsedLine, parse_line};
use crate::format::hash::Digest;
use crate::format::signing;
use crate::format::status::{Code, Problem};
use crate::log::checkpoint::Checkpoint;
use crate::log::index::Index;
use crate::log::lines::LineAt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The `format` of a bundle.
pub const BUNDLE_FORMAT: &str = "colophon-bundle-v1";

/// The JSON of a bundle file (§3.1). Unknown members are ignored: nothing in the wrapper is
/// trusted, only the signed lines it carries. It is read from a JSON object only (§3.3), and a
/// `checkpoint` or `proofs` written as `null` reads as absent here; [`open`] refuses it.
#[derive(Clone, Debug, Serialize)]
pub struct BundleFile {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The ledger's origin.
    pub origin: String,
    /// Entry hash of the release.
    pub release: Digest,
    /// Ledger lines, exactly as in the ledger, in ledger order.
    pub entries: Vec<String>,
    /// A signed checkpoint covering every entry (spec/transparency.md §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// Per entry, a c2sp.org/tlog-proof@v1 inclusion proof in `checkpoint`'s tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Vec<String>>,
}

/// The members of a bundle as read (§3.1, §3.3), `null` kept apart from absence: `Some(None)` is
/// a member written as `null`. A name among these written twice is a serde error.
#[derive(Deserialize)]
struct Members {
    format: String,
    origin: String,
    release: Digest,
    entries: Vec<String>,
    #[serde(default, deserialize_with = "present")]
    checkpoint: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    proofs: Option<Option<Vec<String>>>,
}

fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Reads the members from a JSON object only: serde also reads a struct from an array of its
/// members' values, which is not a bundle (§3.3).
fn read_members<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
    struct Object;
    impl<'de> serde::de::Visitor<'de> for Object {
        type Value = Members;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Members, A::Error> {
            Members::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(Object)
}

fn members_of(bytes: &[u8]) -> Result<Members, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let m = read_members(&mut de)?;
    de.end()?;
    Ok(m)
}

impl<'de> Deserialize<'de> for BundleFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BundleFile, D::Error> {
        let m = read_members(d)?;
        Ok(BundleFile {
            format: m.format,
            origin: m.origin,
            release: m.release,
            entries: m.entries,
            checkpoint: m.checkpoint.flatten(),
            proofs: m.proofs.flatten(),
        })
    }
}

/// As [`build`], with an optional checkpoint.
pub fn build_with_checkpoint(
    lines: &dyn LineAt,
    index: &Index,
    release: &Digest,
    checkpoint: Option<&[u8]>,
) -> Result<BundleFile, String> {
    let rel = index.release(release).ok_or_else(|| format!("{} is not a release entry", release.short(16)))?;
    // The release, and every later release that supersedes it (spec/verify.md §2.8, §3.2): a
    // release of the same work whose translation is in the same language. The reader judges each
    // from its signed lines; here the index only finds them.
    let lang_of = |h: &Digest| index.version(h).map(|v| v.lang);
    let lang = lang_of(&rel.translation);
    let mut releases = vec![rel.clone()];
    releases.extend(
        index
            .releases(Some(&rel.work))
            .into_iter()
            .filter(|r| r.work == rel.work && r.seq > rel.seq && lang.is_some() && lang_of(&r.translation) == lang),
    );
    let mut want: BTreeSet<Digest> = BTreeSet::new();
    for rel in &releases {
        want.insert(rel.hash);
        for (_, _, h) in &rel.cosigners {
            want.insert(*h);
        }
        for start in [rel.translation, rel.original] {
            let mut cur = Some(start);
            while let Some(h) = cur {
                want.insert(h);
                cur = index.version(&h).and_then(|v| v.parent);
            }
        }
    }
    for k in index.keys() {
        want.insert(k.entry);
        if let Some(r) = k.revoked {
            want.insert(r.entry);
        }
    }
    // With a checkpoint, the bundle is the ledger as of the checkpoint's size (§3.2): entries
    // appended since (a later cosign, key or revocation) cannot have inclusion proofs in it.
    let size = checkpoint.map_or(u64::MAX, |note| Checkpoint::in_note(note).map_or(0, |cp| cp.size));
    let mut by_seq: BTreeMap<u64, Digest> = BTreeMap::new();
    for h in &want {
        let loc = index.entry(h).ok_or_else(|| format!("entry {} is not in the ledger", h.short(16)))?;
        if loc.seq < size {
            by_seq.insert(loc.seq, *h);
        }
    }
    let mut entries = Vec::with_capacity(by_seq.len());
    for h in by_seq.values() {
        let loc = index.entry(h).ok_or("entry vanished")?;
        let line = lines.line_at(loc.offset, loc.len)?;
        if Digest::of(&line) != *h {
            return Err(format!("the ledger changed while the bundle was read (entry {})", h.short(16)));
        }
        entries.push(String::from_utf8(line).map_err(|_| "a ledger line is not UTF-8".to_string())?);
    }
    let mut bundle = BundleFile {
        format: BUNDLE_FORMAT.into(),
        origin: index.origin().unwrap_or_default().to_string(),
        release: *release,
        entries,
        checkpoint: None,
        proofs: None,
    };
    if let Some(note) = checkpoint {
        let mut proofs = Vec::with_capacity(by_seq.len());
        for (seq, line) in by_seq.keys().zip(&bundle.entries) {
            let mut p = crate::log::transparency::inclusion_proof(index, *seq, line.as_bytes(), note)?;
            // The line is in `entries` already.
            p.extra = None;
            proofs.push(String::from_utf8(p.to_bytes()).map_err(|_| "a proof is not UTF-8".to_string())?);
        }
        bundle.checkpoint =
            Some(String::from_utf8(note.to_vec()).map_err(|_| "the checkpoint is not UTF-8".to_string())?);
        bundle.proofs = Some(proofs);
    }
    Ok(bundle)
}

impl BundleFile {
    /// The bytes of a bundle file as colophon writes it (`bundle -o`, `release --write-bundle`,
    /// `publish --site`): pretty-printed JSON and a final newline.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>, String> {
        let mut text = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        text.push(b'\n');
        Ok(text)
    }

    /// The size of the bundle's checkpoint, if it has one that parses.
    pub fn checkpoint_size(&self) -> Option<u64> {
        Checkpoint::in_note(self.checkpoint.as_deref()?.as_bytes()).map(|cp| cp.size)
    }
}

/// A bundle whose every line parsed, chained by seq, and verified (§3.3).
#[derive(Debug)]
pub struct Opened {
    /// The state built from the bundle's entries.
    pub index: Index,
    /// The release.
    pub release: Digest,
    /// The origin.
    pub origin: String,
    /// Lines by entry hash, for rebuilding texts.
    pub lines: BTreeMap<Digest, Vec<u8>>,
    /// The bundle's checkpoint, verified, with every entry's inclusion proof checked.
    pub checkpoint: Option<crate::log::transparency::CheckedCheckpoint>,
}

/// Parses and verifies a bundle (§3.3): every line canonical and well-formed, the first a genesis
/// with the bundle's origin, seqs strictly increasing, every signature valid under a key that the
/// bundle's own key entries registered and had not revoked, and the release complete.
pub fn open(bytes: &[u8]) -> Result<Opened, Problem> {
    open_with(bytes, &crate::log::trust::Keyring::default())
}

/// As [`open`], checking the bundle's checkpoint (if any) against the reader's witness policy.
pub fn open_with(bytes: &[u8], ring: &crate::log::trust::Keyring) -> Result<Opened, Problem> {
    let bad = |code: Code, m: String| Problem::general(code, m);
    // §3.3: the wrapper is checked before any entry, and every failure is `bundle.invalid`: not an
    // object, a member of the wrong type (`release` not a hash, `checkpoint` not a string, `proofs`
    // not strings; `null` included), one of these names written twice, or, with a checkpoint, not
    // one proof per entry. `proofs` without a checkpoint are ignored: the bundle is unanchored.
    let m = members_of(bytes).map_err(|e| bad(Code::BundleInvalid, format!("not a colophon bundle ({e})")))?;
    if m.format != BUNDLE_FORMAT {
        return Err(bad(Code::BundleInvalid, format!("unsupported bundle format {:?}", m.format)));
    }
    fn not_null<T>(v: Option<Option<T>>, name: &str) -> Result<Option<T>, Problem> {
        match v {
            Some(None) => Err(Problem::general(Code::BundleInvalid, format!("`{name}` is null: a value or nothing"))),
            v => Ok(v.flatten()),
        }
    }
    let checkpoint = not_null(m.checkpoint, "checkpoint")?;
    let proofs = not_null(m.proofs, "proofs")?;
    if checkpoint.is_some() && proofs.as_ref().map(Vec::len) != Some(m.entries.len()) {
        return Err(bad(
            Code::BundleInvalid,
            format!(
                "the bundle has a checkpoint and {} entries but {} inclusion proofs; it needs one per entry",
                m.entries.len(),
                proofs.as_ref().map_or_else(|| "no".to_string(), |p| p.len().to_string())
            ),
        ));
    }
    let file =
        BundleFile { format: m.format, origin: m.origin, release: m.release, entries: m.entries, checkpoint, proofs };
    let mut index = Index::new();
    let mut last_seq: Option<u64> = None;
    let mut lines = BTreeMap::new();
    let mut seqs = Vec::new();
    for (i, line) in file.entries.iter().enumerate() {
        let n = i as u64 + 1;
        let at = |code: Code, m: String| Problem::at(n, code, format!("bundle entry {n}: {m}"));
        let p: ParsedLine = parse_line(line.as_bytes()).map_err(|(c, m)| at(c, m))?;
        let e = &p.entry;
        if i == 0 {
            match &e.body {
                Body::Genesis(g) if e.seq == 0 && g.origin == file.origin => {}
                _ => return Err(at(Code::BundleInvalid, "the first entry must be the ledger's genesis".into())),
            }
        }
        if last_seq.is_some_and(|s| e.seq <= s) {
            return Err(at(Code::BundleInvalid, "entries are not in ledger order".into()));
        }
        last_seq = Some(e.seq);
        index.check_signer(e).map_err(|(c, m)| at(c, m))?;
        let key = index.signer_key(e).ok_or_else(|| at(Code::EntrySignerUnknown, "signer unknown".into()))?;
        if !signing::verify_entry(&key.0, &p.signed_bytes, &e.sig) {
            return Err(at(Code::EntrySignatureInvalid, format!("the signature does not verify under {}", e.signer)));
        }
        // Version state rules need the whole ledger (parents, tags); keys, revocations, releases
        // and cosigns can be checked against what the bundle carries.
        if !matches!(e.body, Body::Version(_)) {
            index.check_body(e).map_err(|(c, m)| at(c, m))?;
        }
        // Every ancestor of a version rides along (§3.2); without this a bundle that drops one
        // would still open, and name its versions with the wrong numbers.
        if let Body::Version(v) = &e.body
            && let Some(parent) = v.parent
            && !lines.contains_key(&parent)
        {
            return Err(at(
                Code::BundleInvalid,
                format!(
                    "the parent version {} of this version is not in the bundle (a bundle carries every ancestor)",
                    parent.short(16)
                ),
            ));
        }
        index.apply(&p, 0);
        lines.insert(p.hash, line.as_bytes().to_vec());
        seqs.push(e.seq);
    }
    if index.release(&file.release).is_none() {
        return Err(bad(Code::BundleInvalid, format!("the bundle lacks its release entry {}", file.release.short(16))));
    }
    let checkpoint = match &file.checkpoint {
        None => None,
        Some(note) => Some(check_proofs(&file, note, &seqs, &index, ring)?),
    };
    Ok(Opened { index, release: file.release, origin: file.origin, lines, checkpoint })
}

/// spec/transparency.md §6: the checkpoint is signed by an owner key the bundle's entries show in
/// effect at its size, and every entry has an inclusion proof in its tree.
fn check_proofs(
    file: &BundleFile,
    note: &str,
    seqs: &[u64],
    index: &Index,
    ring: &crate::log::trust::Keyring,
) -> Result<crate::log::transparency::CheckedCheckpoint, Problem> {
    use crate::log::transparency::{check_inclusion, owner_keys, verify_checkpoint};
    let size = Checkpoint::in_note(note.as_bytes()).map_or(0, |c| c.size);
    let checked = verify_checkpoint(note.as_bytes(), &file.origin, &owner_keys(index, &file.origin, size), ring)?;
    // One proof per entry: [`open_with`] checked it with the wrapper (verify.md §3.3).
    let proofs = file.proofs.as_deref().unwrap_or_default();
    for (i, ((line, proof), seq)) in file.entries.iter().zip(proofs).zip(seqs).enumerate() {
        let n = i as u64 + 1;
        let p = crate::log::checkpoint::TlogProof::parse(proof.as_bytes())
            .map_err(|e| Problem::at(n, Code::CheckpointMalformed, format!("bundle proof {n}: {e}")))?;
        if p.checkpoint != note.as_bytes() {
            return Err(Problem::at(n, Code::ProofInclusion, format!("bundle proof {n} is for another checkpoint")));
        }
        if p.index != *seq {
            return Err(Problem::at(
                n,
                Code::ProofInclusion,
                format!("bundle proof {n} proves entry {}, not entry {seq}", p.index),
            ));
        }
        check_inclusion(&p, line.as_bytes(), &checked.checkpoint).map_err(|mut e| {
            e.line = Some(n);
            e
        })?;
    }
    Ok(checked)
}
