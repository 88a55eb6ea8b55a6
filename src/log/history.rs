//! A ledger's history as `colophon log` shows it (spec/cli.md §3, spec/cli-json.md `log`): one row
//! per line, every fact read from the line itself (spec/verify.md §4). Names come from the signed
//! key registrations seen so far, version numbers are counted along the way, and the only thing
//! taken from outside the lines is which of them an audit rejects (they are shown for what they
//! are: not entries of the ledger's state).

use crate::format::entry::{Body, parse_line};
use crate::format::hash::Digest;
use crate::format::keys::KeyId;
use crate::log::lines::{Item, Lines};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

/// One line of the history.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The entry's seq.
    pub seq: u64,
    /// Its hash.
    pub entry: Digest,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its claimed time.
    pub time: String,
    /// Its signer.
    pub signer: KeyId,
    /// The signer's name, as its signed registration gives it (or its id's first 16 hex digits).
    pub signer_name: String,
    /// One sentence saying what the entry does.
    pub summary: String,
    /// The work the entry is about, if any.
    #[serde(skip)]
    pub work: Option<String>,
    /// Why an audit rejects the line, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
}

fn short_id(id: &KeyId) -> String {
    id.to_hex()[..16].to_string()
}

/// The history of the ledger read from `r`, each line judged by `rejections` (seq → why, from an
/// audit), keeping only rows about `work` when one is given. Lines that do not parse are skipped
/// (an audit reports them).
pub fn history(r: impl BufRead, rejections: &BTreeMap<u64, String>, work: Option<&str>) -> std::io::Result<Vec<Row>> {
    let mut names: HashMap<KeyId, String> = HashMap::new();
    let mut refs: HashMap<Digest, String> = HashMap::new();
    let mut counts: HashMap<(String, String), u64> = HashMap::new();
    let mut releases: HashMap<Digest, (String, String)> = HashMap::new();
    let short_ref = |refs: &HashMap<Digest, String>, h: &Digest| refs.get(h).cloned().unwrap_or_else(|| h.short(16));
    let name_of = |names: &HashMap<KeyId, String>, id: &KeyId| names.get(id).cloned().unwrap_or_else(|| short_id(id));
    let mut rows = Vec::new();
    for item in Lines::new(r) {
        let Item::Line(l) = item? else { continue };
        let Ok(p) = parse_line(&l.bytes) else { continue };
        let e = &p.entry;
        let rejected = rejections.get(&e.seq).cloned();
        let in_state = rejected.is_none();
        let (about, summary) = match &e.body {
            Body::Genesis(g) => {
                if in_state {
                    names.insert(g.key.id(), g.name.clone());
                }
                (None, format!("ledger {} created by owner {} ({})", g.origin, g.name, short_id(&g.key.id())))
            }
            Body::Key(k) => {
                if in_state {
                    names.entry(k.key.id()).or_insert_with(|| k.name.clone());
                }
                let roles = k.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
                (None, format!("key {} ({}) registered as {roles}", k.name, short_id(&k.key.id())))
            }
            Body::Revoke(r) => (
                None,
                format!(
                    "key {} ({}) revoked: {}{}",
                    name_of(&names, &r.key),
                    short_id(&r.key),
                    r.reason.as_str(),
                    r.note.as_ref().map_or(String::new(), |n| format!(" — {n}"))
                ),
            ),
            Body::Version(v) => {
                let number = if in_state {
                    let n = counts.entry((v.work.clone(), v.lang.clone())).or_insert(0);
                    *n += 1;
                    refs.insert(p.hash, format!("{}:{}@{n}", v.work, v.lang));
                    *n
                } else {
                    0
                };
                let change = match v.diff.as_ref().and_then(crate::format::diff::stats_of_json) {
                    Some(s) if v.parent.is_some() => format!("+{}/−{} lines", s.lines_added, s.lines_removed),
                    Some(s) => format!("{} lines", s.lines_added),
                    None => format!("{} bytes, hash only", v.size),
                };
                let of = v.of.map_or(String::new(), |o| format!(" of {}", short_ref(&refs, &o)));
                let note =
                    v.note.as_ref().map_or(String::new(), |n| format!(" — “{}”", n.lines().next().unwrap_or("")));
                let at = if number > 0 { format!("@{number}") } else { String::new() };
                (Some(v.work.clone()), format!("{} {}:{}{at}{of}, {change}{note}", v.role.as_str(), v.work, v.lang))
            }
            Body::Release(r) => {
                if in_state {
                    releases.insert(p.hash, (r.work.clone(), r.tag.clone()));
                }
                (
                    Some(r.work.clone()),
                    format!(
                        "release {}@{}: {} rendering {}{}",
                        r.work,
                        r.tag,
                        short_ref(&refs, &r.translation),
                        short_ref(&refs, &r.original),
                        // The signer's note, as for versions (spec/cli-json.md `log`).
                        r.note.as_ref().map_or(String::new(), |n| format!(" — “{}”", n.lines().next().unwrap_or("")))
                    ),
                )
            }
            Body::Cosign(c) => {
                let rel = releases.get(&c.release);
                (
                    rel.map(|(w, _)| w.clone()),
                    format!("cosign of {}", rel.map_or_else(|| c.release.short(16), |(w, t)| format!("{w}@{t}"))),
                )
            }
            Body::Unknown { kind, .. } => (None, format!("extension entry {kind}")),
        };
        if let Some(w) = work
            && about.as_deref() != Some(w)
        {
            continue;
        }
        rows.push(Row {
            seq: e.seq,
            entry: p.hash,
            kind: e.body.kind().to_string(),
            time: e.time.clone(),
            signer: e.signer,
            signer_name: name_of(&names, &e.signer),
            summary,
            work: about,
            rejected,
        });
    }
    Ok(rows)
}
