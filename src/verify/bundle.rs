//! Reader's bundles (spec/verify.md §3): one file holding everything a reader needs to verify a
//! copy of a release offline: the ledger lines of the release, its versions (with their ancestors,
//! in committed form unless asked otherwise, spec/ledger.md §3.4), the released translation's text,
//! its cosignatures, and every key and revocation entry.

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
    /// Ledger lines, exactly as in the ledger or in their committed form (L§3.4), in ledger order.
    pub entries: Vec<String>,
    /// Full texts of versions, by entry hash (§3.1): by default the released translation's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<Digest, String>,
    /// A signed checkpoint covering every entry (spec/transparency.md §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// Per entry, a c2sp.org/tlog-proof@v1 inclusion proof in `checkpoint`'s tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Vec<String>>,
    /// What the writer put in and left out (§3.2), for its message; not part of the file.
    #[serde(skip)]
    pub carried: Carried,
}

/// Which texts a bundle carries beyond the released translation's (spec/verify.md §3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carry {
    /// Every version of the translation with its script (`--with-drafts`).
    pub drafts: bool,
    /// The original's versions with their scripts, and the released original's text
    /// (`--with-original`).
    pub original: bool,
}

/// What a written bundle carries and withholds (§3.2), as the writer reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Versions whose full text is in `texts`, as `work:lang@n`.
    pub texts: Vec<String>,
    /// Earlier versions of the translation whose scripts are withheld.
    pub drafts_withheld: u64,
    /// The released original, as `lang@n`, when its text is withheld.
    pub original_withheld: Option<String>,
}

impl Carried {
    /// One sentence for the writer's output: what the bundle carries and how to include the rest.
    pub fn describe(&self) -> String {
        let carries = if self.texts.is_empty() {
            "carries no full text".to_string()
        } else {
            format!("carries the text of {}", self.texts.join(" and "))
        };
        let mut withheld = Vec::new();
        let mut flags = Vec::new();
        if self.drafts_withheld > 0 {
            let n = self.drafts_withheld;
            withheld.push(format!("{n} earlier version{} of the translation", if n == 1 { "" } else { "s" }));
            flags.push("--with-drafts");
        }
        if let Some(o) = &self.original_withheld {
            withheld.push(format!("the original ({o})"));
            flags.push("--with-original");
        }
        if withheld.is_empty() {
            return carries;
        }
        format!(
            "{carries}; withholds {} (their signed hashes only): {} include{} them",
            withheld.join(" and "),
            flags.join(", "),
            if flags.len() == 1 { "s" } else { "" }
        )
    }
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
    #[serde(default, deserialize_with = "present")]
    texts: Option<Option<Texts>>,
}

/// `texts` as read: an object of strings whose member names are not repeated (§3.3). Names that
/// are not hashes are kept, for check 9 to refuse.
struct Texts(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Texts, D::Error> {
        struct Object;
        impl<'de> serde::de::Visitor<'de> for Object {
            type Value = Texts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Texts, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    if out.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!("`texts` names {k} twice")));
                    }
                    out.insert(k, v);
                }
                Ok(Texts(out))
            }
        }
        d.deserialize_map(Object)
    }
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
            texts: m
                .texts
                .flatten()
                .map(|t| t.0.into_iter().filter_map(|(k, v)| Some((k.parse().ok()?, v))).collect())
                .unwrap_or_default(),
            checkpoint: m.checkpoint.flatten(),
            proofs: m.proofs.flatten(),
            carried: Carried::default(),
        })
    }
}

/// As [`build`], with an optional checkpoint: the default contents (§3.2), every version line in
/// committed form and the released translation's text.
pub fn build_with_checkpoint(
    lines: &dyn LineAt,
    index: &Index,
    release: &Digest,
    checkpoint: Option<&[u8]>,
) -> Result<BundleFile, String> {
    build_carrying(lines, index, release, checkpoint, Carry::default())
}

/// A bundle for `release` (§3.2) with an optional checkpoint, carrying what `carry` asks beyond
/// the released translation's text.
pub fn build_carrying(
    lines: &dyn LineAt,
    index: &Index,
    release: &Digest,
    checkpoint: Option<&[u8]>,
    carry: Carry,
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
    // §3.2: which version lines keep their scripts; every other version line is written in its
    // committed form (L§3.4), which has the same hash, leaf and signature.
    let chain = |start: Digest| {
        let mut out = BTreeSet::new();
        let mut cur = Some(start);
        while let Some(h) = cur {
            out.insert(h);
            cur = index.version(&h).and_then(|v| v.parent);
        }
        out
    };
    let (translations, originals) = (chain(rel.translation), chain(rel.original));
    let full = |h: &Digest| (carry.drafts && translations.contains(h)) || (carry.original && originals.contains(h));
    let mut entries = Vec::with_capacity(by_seq.len());
    for h in by_seq.values() {
        let loc = index.entry(h).ok_or("entry vanished")?;
        let line = lines.line_at(loc.offset, loc.len)?;
        if crate::format::hash::entry_hash(&line) != *h {
            return Err(format!("the ledger changed while the bundle was read (entry {})", h.short(16)));
        }
        let line = if full(h) { line } else { crate::format::hash::committed_form(&line).into_owned() };
        entries.push(String::from_utf8(line).map_err(|_| "a ledger line is not UTF-8".to_string())?);
    }
    // The texts: the released translation's, and with `--with-original` the released original's
    // (each rebuilt from signed scripts and checked against its signed hashes, L§8.5).
    let name = |h: &Digest, with_work: bool| {
        index.version(h).map_or_else(
            || h.short(16),
            |v| {
                if with_work {
                    format!("{}:{}@{}", v.work, v.lang, v.number)
                } else {
                    format!("{}@{}", v.lang, v.number)
                }
            },
        )
    };
    let mut texts = BTreeMap::new();
    let mut carried = Carried::default();
    let mut wanted = vec![rel.translation];
    // The texts of the later releases it carries (§2.8): published too, and what the reader of an
    // older copy is shown the changes against.
    for later in releases.iter().skip(1) {
        if by_seq_has(&by_seq, &later.translation) {
            wanted.push(later.translation);
        }
    }
    if carry.original {
        wanted.push(rel.original);
    } else {
        carried.original_withheld = Some(name(&rel.original, false));
    }
    for h in wanted {
        match crate::log::content::reconstruct(lines, index, &h) {
            Ok(text) => {
                texts.insert(h, text);
                carried.texts.push(name(&h, true));
            }
            Err(crate::log::content::ReconstructError::Read(e)) => {
                return Err(format!("the text of {} cannot be read: {e}", name(&h, true)));
            }
            // Binary or hash-only content (L§8.6), or a script that does not reproduce its signed
            // hash (L§11 step 10): the bundle holds the version's hashes, and no text.
            Err(_) => {}
        }
    }
    if !carry.drafts {
        carried.drafts_withheld =
            translations.iter().filter(|h| **h != rel.translation && by_seq_has(&by_seq, h)).count() as u64;
    }
    let mut bundle = BundleFile {
        format: BUNDLE_FORMAT.into(),
        origin: index.origin().unwrap_or_default().to_string(),
        release: *release,
        entries,
        texts,
        checkpoint: None,
        proofs: None,
        carried,
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

fn by_seq_has(by_seq: &BTreeMap<u64, Digest>, h: &Digest) -> bool {
    by_seq.values().any(|x| x == h)
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
    /// Lines by entry hash, for rebuilding texts (version lines may be in committed form).
    pub lines: BTreeMap<Digest, Vec<u8>>,
    /// Texts of versions by entry hash, each checked against its version's signed hashes (§3.3
    /// check 9).
    pub texts: BTreeMap<Digest, String>,
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
    let texts = not_null(m.texts, "texts")?.map(|t| t.0).unwrap_or_default();
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
    let file = BundleFile {
        format: m.format,
        origin: m.origin,
        release: m.release,
        entries: m.entries,
        texts: BTreeMap::new(),
        checkpoint,
        proofs,
        carried: Carried::default(),
    };
    let mut index = Index::new();
    let mut last_seq: Option<u64> = None;
    let mut lines = BTreeMap::new();
    let mut seqs = Vec::new();
    let mut positions = BTreeMap::new();
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
        positions.insert(p.hash, n);
        seqs.push(e.seq);
    }
    if index.release(&file.release).is_none() {
        return Err(bad(Code::BundleInvalid, format!("the bundle lacks its release entry {}", file.release.short(16))));
    }
    let checkpoint = match &file.checkpoint {
        None => None,
        Some(note) => Some(check_proofs(&file, note, &seqs, &index, ring)?),
    };
    let texts = check_texts(texts, &lines, &positions)?;
    Ok(Opened { index, release: file.release, origin: file.origin, lines, texts, checkpoint })
}

/// §3.3 check 9: every member of `texts` names a `version` entry of the bundle, and its bytes have
/// that version's signed size, SHA-256 and normalized hashes (L§6.5). Only signed bytes decide.
fn check_texts(
    texts: BTreeMap<String, String>,
    lines: &BTreeMap<Digest, Vec<u8>>,
    positions: &BTreeMap<Digest, u64>,
) -> Result<BTreeMap<Digest, String>, Problem> {
    let mut out = BTreeMap::new();
    for (name, text) in texts {
        let not_here = || {
            Problem::general(
                Code::BundleInvalid,
                format!("`texts` names {name:?}, which is not the entry hash of a version entry in the bundle"),
            )
        };
        let h: Digest = name.parse().map_err(|_| not_here())?;
        let line = lines.get(&h).ok_or_else(not_here)?;
        let p = parse_line(line).map_err(|_| not_here())?;
        let Body::Version(v) = &p.entry.body else { return Err(not_here()) };
        crate::log::content::check_facts(&text, v.size, &v.sha256, v.norm.as_ref()).map_err(|(code, m)| {
            let n = positions.get(&h).copied().unwrap_or_default();
            Problem::at(
                n,
                code,
                format!(
                    "bundle entry {n}: the text `texts` gives for this version does not have its signed hashes: {m}"
                ),
            )
        })?;
        out.insert(h, text);
    }
    Ok(out)
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
