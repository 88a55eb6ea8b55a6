//! Diff scripts (spec/ledger.md §8) and word diffs for display.
//!
//! A `version` entry carries an edit script that turns its parent's text into the new text
//! byte-exactly. An auditor replays the scripts in order and compares each result with the signed
//! SHA-256, possibly years later and with another implementation, so everything here that touches
//! the wire format ([`Script::from_json`], [`Script::apply`]) is strict and independent of how a
//! script was produced (§8.7). Alignment quality only matters for [`Script::compute`] and the
//! display helpers ([`word_diff`], [`unified`]), which use the `similar` crate under a deadline.

use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;
use similar::{Algorithm, DiffOp, DiffTag};

use crate::format::status::Code;

/// How long an alignment may run before `similar` settles for a less minimal one. A timed-out
/// alignment still yields a correct script (spec/ledger.md §8.7), so this bounds the time a
/// producer spends on pathological inputs without affecting what verifiers accept.
const ALIGN_TIMEOUT: Duration = Duration::from_secs(3);

/// Aligns two sequences (lines or word tokens) with Myers' algorithm, after setting aside the
/// elements that occur in only one of them (as GNU diff does): such an element can never be part
/// of a common subsequence, so the result is the same, but two unrelated texts no longer cost
/// Myers' worst case. The Myers step still runs under `deadline`.
fn align<'t>(a: &[&'t str], b: &[&'t str], deadline: Option<Instant>) -> Vec<DiffOp> {
    // Each element is hashed once, to a small id; the rest works on ids.
    let mut ids: rustc_hash::FxHashMap<&'t str, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(a.len() + b.len(), Default::default());
    let mut seen: Vec<(bool, bool)> = Vec::new();
    let mut ia = Vec::with_capacity(a.len());
    let mut ib = Vec::with_capacity(b.len());
    for (side, out, in_a) in [(a, &mut ia, true), (b, &mut ib, false)] {
        for &x in side {
            let next = seen.len();
            let id = *ids.entry(x).or_insert(next);
            if id == next {
                seen.push((false, false));
            }
            if let Some(s) = seen.get_mut(id) {
                if in_a {
                    s.0 = true;
                } else {
                    s.1 = true;
                }
            }
            out.push(id);
        }
    }
    let shared = |id: &usize| seen.get(*id).is_some_and(|s| s.0 && s.1);
    let ka: Vec<usize> = (0..a.len()).filter(|&i| ia.get(i).is_some_and(shared)).collect();
    let kb: Vec<usize> = (0..b.len()).filter(|&j| ib.get(j).is_some_and(shared)).collect();
    // Myers works on the ids: comparing and hashing integers instead of lines. Setting elements
    // aside is worth it only when a good share of them goes.
    if (a.len() - ka.len()) + (b.len() - kb.len()) < (a.len() + b.len()) / 16 {
        return similar::capture_diff_slices_deadline(Algorithm::Myers, &ia, &ib, deadline);
    }
    let sa: Vec<usize> = ka.iter().filter_map(|&i| ia.get(i).copied()).collect();
    let sb: Vec<usize> = kb.iter().filter_map(|&j| ib.get(j).copied()).collect();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for op in similar::capture_diff_slices_deadline(Algorithm::Myers, &sa, &sb, deadline) {
        if let DiffOp::Equal { old_index, new_index, len } = op {
            for k in 0..len {
                if let (Some(&i), Some(&j)) = (ka.get(old_index + k), kb.get(new_index + k)) {
                    pairs.push((i, j));
                }
            }
        }
    }
    // Back to the full sequences: matched pairs are equal, everything between them changes.
    let mut ops: Vec<DiffOp> = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    for (pi, pj) in pairs.into_iter().chain(std::iter::once((a.len(), b.len()))) {
        match (pi - i, pj - j) {
            (0, 0) => {}
            (d, 0) => ops.push(DiffOp::Delete { old_index: i, old_len: d, new_index: j }),
            (0, n) => ops.push(DiffOp::Insert { old_index: i, new_index: j, new_len: n }),
            (d, n) => ops.push(DiffOp::Replace { old_index: i, old_len: d, new_index: j, new_len: n }),
        }
        if pi == a.len() && pj == b.len() {
            break;
        }
        match ops.last_mut() {
            Some(DiffOp::Equal { old_index, new_index, len }) if *old_index + *len == pi && *new_index + *len == pj => {
                *len += 1;
            }
            _ => ops.push(DiffOp::Equal { old_index: pi, new_index: pj, len: 1 }),
        }
        i = pi + 1;
        j = pj + 1;
    }
    ops
}

fn align_deadline() -> Option<Instant> {
    // A browser has no clock `Instant` can read (wasm32-unknown-unknown panics on it): there the
    // alignment runs without a deadline, which changes only how long a huge diff may take.
    if cfg!(target_arch = "wasm32") {
        return None;
    }
    Instant::now().checked_add(ALIGN_TIMEOUT)
}

/// Splits a text into lines (spec/ledger.md §8.1): every line ends with and includes `"\n"`, except
/// a non-empty remainder after the last `"\n"`. `""` has zero lines; CR is an ordinary character.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    // `split_inclusive` is exactly the §8.1 split: it keeps the terminator, yields nothing for "",
    // and yields no empty trailing piece after a final "\n". (similar's own line tokenizer also
    // breaks at a lone CR, which is why we never hand it whole texts.)
    text.split_inclusive('\n')
}

/// One operation of a diff script (spec/ledger.md §8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `["=", n]`: copy the next `n` base lines to the output.
    Keep(u64),
    /// `["-", n]`: skip the next `n` base lines.
    Delete(u64),
    /// `["+", line, ...]`: append these lines to the output.
    Insert(Vec<String>),
}

impl Op {
    fn kind(&self) -> &'static str {
        match self {
            Op::Keep(_) => "=",
            Op::Delete(_) => "-",
            Op::Insert(_) => "+",
        }
    }
}

/// An edit script: operations applied in order to the base's lines (spec/ledger.md §8.2).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    pub ops: Vec<Op>,
}

/// Why a script was rejected: [`Code::DiffMalformed`] or [`Code::DiffBaseMismatch`] (§8.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffError {
    pub code: Code,
    pub message: String,
}

impl DiffError {
    fn malformed(message: String) -> DiffError {
        DiffError { code: Code::DiffMalformed, message }
    }

    fn mismatch(message: String) -> DiffError {
        DiffError { code: Code::DiffBaseMismatch, message }
    }
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for DiffError {}

/// Line counts of a script, for ledger listings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub lines_added: u64,
    pub lines_removed: u64,
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Accumulates alignment output into a canonical script: between two keeps there is at most one
/// delete followed by at most one insert. This satisfies the "no two consecutive operations of
/// the same kind" rule (spec/ledger.md §8.4) however the aligner interleaves its deletes and
/// inserts, and is equivalent because deletes and inserts inside one changed region commute.
#[derive(Default)]
struct Builder {
    ops: Vec<Op>,
    delete: u64,
    insert: Vec<String>,
}

impl Builder {
    fn flush(&mut self) {
        if self.delete > 0 {
            self.ops.push(Op::Delete(self.delete));
            self.delete = 0;
        }
        if !self.insert.is_empty() {
            self.ops.push(Op::Insert(std::mem::take(&mut self.insert)));
        }
    }

    fn keep(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        self.flush();
        if let Some(Op::Keep(k)) = self.ops.last_mut() {
            *k = k.saturating_add(count(n));
        } else {
            self.ops.push(Op::Keep(count(n)));
        }
    }

    fn delete(&mut self, n: usize) {
        self.delete = self.delete.saturating_add(count(n));
    }

    fn insert(&mut self, lines: &[&str]) {
        self.insert.extend(lines.iter().map(|l| (*l).to_owned()));
    }

    fn finish(mut self) -> Script {
        self.flush();
        Script { ops: self.ops }
    }
}

/// Walks the base's lines during [`Script::apply`] without materializing them, so a multi-megabyte
/// base costs one scan and a hostile count costs at most the base's own length.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    consumed: u64,
}

impl Cursor<'_> {
    /// Advances over `n` lines; `false` if the base ends first.
    fn advance(&mut self, n: u64) -> bool {
        for _ in 0..n {
            if self.pos >= self.text.len() {
                return false;
            }
            self.pos = match self.text.get(self.pos..).and_then(|rest| rest.find('\n')) {
                Some(i) => self.pos + i + 1,
                None => self.text.len(),
            };
            self.consumed += 1;
        }
        true
    }
}

/// §8.3 step 3: only the final output line may lack "\n", so nothing may be appended after one.
fn check_terminated(out: &str, index: usize) -> Result<(), DiffError> {
    if !out.is_empty() && !out.ends_with('\n') {
        return Err(DiffError::malformed(format!(
            "script[{index}] appends a line after a line without a terminating newline"
        )));
    }
    Ok(())
}

impl Script {
    /// A script turning `base` into `new`: a line alignment by `similar` (Myers, with a deadline),
    /// canonicalized by [`Builder`]. Any correct script is acceptable (spec/ledger.md §8.7).
    pub fn compute(base: &str, new: &str) -> Script {
        Script::compute_until(base, new, align_deadline())
    }

    fn compute_until(base: &str, new: &str, deadline: Option<Instant>) -> Script {
        let script = Script::align(base, new, deadline);
        // A wrong script in a signed entry could never be repaired, so we check the aligner's
        // output (one linear pass) and fall back to the trivial script rather than trust it.
        if script.apply(base).as_deref() == Ok(new) {
            return script;
        }
        let mut b = Builder::default();
        b.delete(lines(base).count());
        b.insert(&lines(new).collect::<Vec<_>>());
        b.finish()
    }

    /// The aligner's script, before the check in `compute_until`.
    fn align(base: &str, new: &str, deadline: Option<Instant>) -> Script {
        let old_lines: Vec<&str> = lines(base).collect();
        let new_lines: Vec<&str> = lines(new).collect();
        let aligned = align(&old_lines, &new_lines, deadline);
        let mut b = Builder::default();
        for op in aligned {
            let (tag, old, new_range) = op.as_tag_tuple();
            let inserted = new_lines.get(new_range).unwrap_or_default();
            match tag {
                DiffTag::Equal => b.keep(old.len()),
                DiffTag::Delete => b.delete(old.len()),
                DiffTag::Insert => b.insert(inserted),
                DiffTag::Replace => {
                    b.delete(old.len());
                    b.insert(inserted);
                }
            }
        }
        b.finish()
    }

    /// The script of a first version: base `""` (spec/ledger.md §8.5).
    pub fn full(new: &str) -> Script {
        Script::compute("", new)
    }

    /// Checks the base-independent rules of spec/ledger.md §8.2/§8.4 (§8.3 step 1). `from_json`
    /// calls it, and so does `apply`, because a `Script` can also be built directly in Rust.
    fn validate(&self) -> Result<(), DiffError> {
        let mut prev: Option<&'static str> = None;
        for (i, op) in self.ops.iter().enumerate() {
            match op {
                Op::Keep(0) | Op::Delete(0) => {
                    return Err(DiffError::malformed(format!("script[{i}]: count must be a positive integer")));
                }
                Op::Keep(_) | Op::Delete(_) => {}
                Op::Insert(inserted) => {
                    if inserted.is_empty() {
                        return Err(DiffError::malformed(format!("script[{i}]: insert needs at least one line")));
                    }
                    let last = inserted.len() - 1;
                    for (j, line) in inserted.iter().enumerate() {
                        if line.is_empty() {
                            return Err(DiffError::malformed(format!(
                                "script[{i}][{}]: inserted line is empty",
                                j + 1
                            )));
                        }
                        match line.find('\n') {
                            Some(p) if p + 1 != line.len() => {
                                return Err(DiffError::malformed(format!(
                                    "script[{i}][{}]: newline inside an inserted line",
                                    j + 1
                                )));
                            }
                            None if j != last => {
                                return Err(DiffError::malformed(format!(
                                    "script[{i}][{}]: line without a terminating newline is followed by another line",
                                    j + 1
                                )));
                            }
                            _ => {}
                        }
                    }
                }
            }
            let kind = op.kind();
            if prev == Some(kind) {
                return Err(DiffError::malformed(format!(
                    "script[{i}]: two consecutive \"{kind}\" operations must be merged"
                )));
            }
            prev = Some(kind);
        }
        Ok(())
    }

    /// Applies the script to `base` exactly as spec/ledger.md §8.3 prescribes.
    pub fn apply(&self, base: &str) -> Result<String, DiffError> {
        self.validate()?;
        // Kept text is a subsequence of the base, so this is an upper bound on the output: one
        // allocation however large the texts.
        let inserted = self
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Insert(l) => Some(l.iter().fold(0usize, |a, s| a.saturating_add(s.len()))),
                _ => None,
            })
            .fold(0usize, usize::saturating_add);
        let mut out = String::with_capacity(base.len().saturating_add(inserted));
        let mut cur = Cursor { text: base, pos: 0, consumed: 0 };
        for (i, op) in self.ops.iter().enumerate() {
            match op {
                Op::Keep(n) | Op::Delete(n) => {
                    let start = cur.pos;
                    if !cur.advance(*n) {
                        return Err(DiffError::mismatch(format!(
                            "script[{i}]: \"{}\" {n} runs past the end of the base ({} lines, {} already consumed)",
                            op.kind(),
                            lines(base).count(),
                            cur.consumed,
                        )));
                    }
                    if let Op::Keep(_) = op {
                        check_terminated(&out, i)?;
                        // start and pos sit after a "\n" or at the end: always char boundaries.
                        out.push_str(base.get(start..cur.pos).unwrap_or_default());
                    }
                }
                Op::Insert(inserted) => {
                    check_terminated(&out, i)?;
                    for line in inserted {
                        out.push_str(line);
                    }
                }
            }
        }
        if cur.pos < base.len() {
            return Err(DiffError::mismatch(format!(
                "script ends after {} of the base's {} lines",
                cur.consumed,
                lines(base).count()
            )));
        }
        Ok(out)
    }

    /// The wire form (spec/ledger.md §8.2).
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.ops
                .iter()
                .map(|op| match op {
                    Op::Keep(n) => serde_json::json!(["=", n]),
                    Op::Delete(n) => serde_json::json!(["-", n]),
                    Op::Insert(l) => Value::Array(
                        std::iter::once(Value::from("+")).chain(l.iter().map(|s| Value::from(s.as_str()))).collect(),
                    ),
                })
                .collect(),
        )
    }

    /// Parses and validates the wire form (spec/ledger.md §8.2, §8.4). Counts are only checked
    /// against a base by [`Script::apply`]; nothing here is sized by a count.
    pub fn from_json(v: &Value) -> Result<Script, DiffError> {
        let items = v.as_array().ok_or_else(|| DiffError::malformed("script is not a JSON array".into()))?;
        let mut ops = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let parts = item.as_array().ok_or_else(|| DiffError::malformed(format!("script[{i}] is not an array")))?;
            let Some((name, args)) = parts.split_first() else {
                return Err(DiffError::malformed(format!("script[{i}] is empty")));
            };
            let op = match name.as_str() {
                Some(kind @ ("=" | "-")) => {
                    let [n] = args else {
                        return Err(DiffError::malformed(format!("script[{i}]: \"{kind}\" takes exactly one count")));
                    };
                    // as_u64 is None for negatives and for any float, including 1.0.
                    let n = n.as_u64().filter(|&n| n >= 1).ok_or_else(|| {
                        DiffError::malformed(format!("script[{i}]: count must be a positive integer"))
                    })?;
                    if kind == "=" { Op::Keep(n) } else { Op::Delete(n) }
                }
                Some("+") => {
                    let inserted = args
                        .iter()
                        .map(|a| a.as_str().map(str::to_owned))
                        .collect::<Option<Vec<String>>>()
                        .ok_or_else(|| DiffError::malformed(format!("script[{i}]: inserted lines must be strings")))?;
                    Op::Insert(inserted)
                }
                _ => {
                    return Err(DiffError::malformed(format!("script[{i}]: unknown operation {name}")));
                }
            };
            ops.push(op);
        }
        let script = Script { ops };
        script.validate()?;
        Ok(script)
    }

    /// Lines inserted and deleted.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for op in &self.ops {
            match op {
                Op::Keep(_) => {}
                Op::Delete(n) => s.lines_removed = s.lines_removed.saturating_add(*n),
                Op::Insert(l) => s.lines_added = s.lines_added.saturating_add(count(l.len())),
            }
        }
        s
    }
}

/// Line counts of a script still in its JSON form, without building it: used when indexing a
/// whole ledger, where most scripts are never applied. `None` if the JSON is not a script shape.
pub fn stats_of_json(v: &Value) -> Option<Stats> {
    let mut s = Stats::default();
    for op in v.as_array()? {
        let op = op.as_array()?;
        match op.first()?.as_str()? {
            "=" => {}
            "-" => s.lines_removed = s.lines_removed.saturating_add(op.get(1)?.as_u64()?),
            "+" => s.lines_added = s.lines_added.saturating_add(count(op.len().saturating_sub(1))),
            _ => return None,
        }
    }
    Some(s)
}

/// Kind of a [`Chunk`] of a word diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Equal,
    Insert,
    Delete,
}

/// A run of text of one [`ChangeKind`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Chunk {
    pub kind: ChangeKind,
    pub text: String,
}

/// Word tokens: maximal runs of whitespace and of non-whitespace (`char::is_whitespace`).
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let ws = c.is_whitespace();
        if prev.is_some_and(|p| p != ws) {
            out.push(text.get(start..i).unwrap_or_default());
            start = i;
        }
        prev = Some(ws);
    }
    if start < text.len() {
        out.push(text.get(start..).unwrap_or_default());
    }
    out
}

fn is_space(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

enum Region {
    Equal(String),
    Change { del: String, ins: String },
}

/// A word diff of `old` and `new` for display. Equal and Insert chunks concatenate to `new`, Equal
/// and Delete chunks to `old`; no two adjacent chunks have the same kind, and within a changed
/// region the Delete chunk comes before the Insert chunk.
pub fn word_diff(old: &str, new: &str) -> Vec<Chunk> {
    word_diff_until(old, new, align_deadline())
}

fn word_diff_until(old: &str, new: &str, deadline: Option<Instant>) -> Vec<Chunk> {
    let a = tokens(old);
    let b = tokens(new);
    let aligned = align(&a, &b, deadline);
    let mut regions: Vec<Region> = Vec::new();
    for op in aligned {
        let (tag, ra, rb) = op.as_tag_tuple();
        let del: String = a.get(ra).unwrap_or_default().concat();
        let ins: String = b.get(rb).unwrap_or_default().concat();
        match (tag, regions.last_mut()) {
            (DiffTag::Equal, Some(Region::Equal(t))) => t.push_str(&del),
            (DiffTag::Equal, _) => regions.push(Region::Equal(del)),
            (_, Some(Region::Change { del: d, ins: n })) => {
                d.push_str(&del);
                n.push_str(&ins);
            }
            (_, _) => regions.push(Region::Change { del, ins }),
        }
    }
    // Myers happily anchors on a lone " " between two replaced words, which reads as
    // "-foo+baz -bar+qux"; folding such whitespace into the surrounding change reads as
    // "-foo bar+baz qux" and keeps both concatenation properties.
    let mut folded: Vec<Region> = Vec::with_capacity(regions.len());
    let mut iter = regions.into_iter().peekable();
    while let Some(region) = iter.next() {
        match region {
            Region::Equal(ws)
                if is_space(&ws)
                    && matches!(folded.last(), Some(Region::Change { .. }))
                    && matches!(iter.peek(), Some(Region::Change { .. })) =>
            {
                if let (Some(Region::Change { del, ins }), Some(Region::Change { del: d2, ins: i2 })) =
                    (folded.last_mut(), iter.next())
                {
                    del.push_str(&ws);
                    del.push_str(&d2);
                    ins.push_str(&ws);
                    ins.push_str(&i2);
                }
            }
            other => folded.push(other),
        }
    }
    let mut chunks = Vec::new();
    for region in folded {
        match region {
            Region::Equal(text) => chunks.push(Chunk { kind: ChangeKind::Equal, text }),
            Region::Change { del, ins } => {
                if !del.is_empty() {
                    chunks.push(Chunk { kind: ChangeKind::Delete, text: del });
                }
                if !ins.is_empty() {
                    chunks.push(Chunk { kind: ChangeKind::Insert, text: ins });
                }
            }
        }
    }
    chunks
}

/// Word counts of a word diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WordStats {
    pub words_added: u64,
    pub words_removed: u64,
}

/// Non-whitespace tokens inserted and deleted by [`word_diff`].
pub fn word_stats(old: &str, new: &str) -> WordStats {
    let mut s = WordStats::default();
    for chunk in word_diff(old, new) {
        // A changed chunk is a contiguous run of tokens, so its non-whitespace tokens are
        // exactly its non-whitespace runs.
        let words = count(tokens(&chunk.text).into_iter().filter(|t| !is_space(t)).count());
        match chunk.kind {
            ChangeKind::Equal => {}
            ChangeKind::Insert => s.words_added = s.words_added.saturating_add(words),
            ChangeKind::Delete => s.words_removed = s.words_removed.saturating_add(words),
        }
    }
    s
}

fn push_line(out: &mut String, prefix: char, line: &str) {
    out.push(prefix);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// `start,len` of a unified hunk header: 1-based, `,1` omitted, and an empty range names the
/// line before it (POSIX diff -u).
fn hunk_range(start: usize, end: usize) -> String {
    let len = end.saturating_sub(start);
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// A unified diff of two texts split per spec/ledger.md §8.1 (so CR never splits a line), with
/// `context` lines around each change and `\ No newline at end of file` after unterminated lines.
/// Identical texts give `""`.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, context: usize) -> String {
    let a: Vec<&str> = lines(old).collect();
    let b: Vec<&str> = lines(new).collect();
    let ops = align(&a, &b, align_deadline());
    // group_diff_ops computes `2 * context`; more context than lines changes nothing.
    let context = context.min(a.len().saturating_add(b.len()));
    let groups = similar::group_diff_ops(ops, context);
    if groups.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            hunk_range(first.old_range().start, last.old_range().end),
            hunk_range(first.new_range().start, last.new_range().end)
        ));
        for op in &group {
            let old_lines = a.get(op.old_range()).unwrap_or_default();
            let new_lines = b.get(op.new_range()).unwrap_or_default();
            match op {
                DiffOp::Equal { .. } => old_lines.iter().for_each(|l| push_line(&mut out, ' ', l)),
                _ => {
                    old_lines.iter().for_each(|l| push_line(&mut out, '-', l));
                    new_lines.iter().for_each(|l| push_line(&mut out, '+', l));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn apply_json(base: &str, script: Value) -> Result<String, DiffError> {
        Script::from_json(&script)?.apply(base)
    }

    fn code(base: &str, script: Value) -> Code {
        match apply_json(base, script) {
            Ok(out) => panic!("expected a rejection, got {out:?}"),
            Err(e) => e.code,
        }
    }

    fn roundtrip(base: &str, new: &str) -> Script {
        let s = Script::compute(base, new);
        assert_eq!(s.apply(base).as_deref(), Ok(new), "{base:?} -> {new:?}: {s:?}");
        assert_eq!(Script::from_json(&s.to_json()), Ok(s.clone()));
        s
    }

    #[test]
    fn line_split() {
        let split = |t| lines(t).collect::<Vec<_>>();
        assert!(split("").is_empty());
        assert_eq!(split("\n"), ["\n"]);
        assert_eq!(split("a"), ["a"]);
        assert_eq!(split("a\nb"), ["a\n", "b"]);
        assert_eq!(split("a\r\nb\r\n"), ["a\r\n", "b\r\n"]);
        assert_eq!(split("a\rb\n\n"), ["a\rb\n", "\n"]);
    }

    #[test]
    fn compute_shapes() {
        assert_eq!(roundtrip("", "").ops, []);
        assert_eq!(roundtrip("a\n", "a\n").ops, [Op::Keep(1)]);
        assert_eq!(roundtrip("a\nb\n", "").ops, [Op::Delete(2)]);
        assert_eq!(Script::full("a\nb").ops, [Op::Insert(vec!["a\n".into(), "b".into()])]);
        assert_eq!(Script::full("").ops, []);
        assert_eq!(roundtrip("a\nb\nc\n", "a\nB\nc\n").to_json(), json!([["=", 1], ["-", 1], ["+", "B\n"], ["=", 1]]));
    }

    #[test]
    fn edge_cases_roundtrip() {
        let texts = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\nb\n",
            "b",
            "a\r\nb\r\n",
            "a\r\nb",
            "a\rb\n",
            "Ωμέγα\n日本語\n🙂",
            "日本語\n",
            " \t\n",
        ];
        for base in texts {
            for new in texts {
                roundtrip(base, new);
            }
        }
    }

    /// The line counts `log` and the index show come from the script's JSON without building it,
    /// and are the counts of the script itself; a JSON value that is not a script has none.
    #[test]
    fn stats_of_json_are_the_scripts_stats() {
        for (old, new) in [("a\nb\nc\n", "a\nB\nc\nd\ne\n"), ("", "x\ny\n"), ("p\nq\nr\n", "p\n"), ("same\n", "same\n")]
        {
            let s = roundtrip(old, new);
            assert_eq!(stats_of_json(&s.to_json()), Some(s.stats()), "{old:?} -> {new:?}");
        }
        assert_eq!(
            stats_of_json(&json!([["=", 2], ["-", 3], ["+", "a\n", "b\n"], ["=", 1], ["+", "c"]])),
            Some(Stats { lines_added: 3, lines_removed: 3 })
        );
        for bad in [json!({}), json!([["?", 1]]), json!([[1, 1]]), json!([["-", "x"]]), json!(["="])] {
            assert_eq!(stats_of_json(&bad), None, "{bad}");
        }
    }

    #[test]
    fn final_newline_only_change() {
        let s = roundtrip("a\nb", "a\nb\n");
        assert_eq!(s.to_json(), json!([["=", 1], ["-", 1], ["+", "b\n"]]));
        assert_eq!(s.stats(), Stats { lines_added: 1, lines_removed: 1 });
        let s = roundtrip("a\nb\n", "a\nb");
        assert_eq!(s.to_json(), json!([["=", 1], ["-", 1], ["+", "b"]]));
    }

    #[test]
    fn timed_out_alignment_is_still_correct() {
        let base: String = (0..400).map(|i| format!("{}\n", i % 7)).collect();
        let new: String = (0..400).map(|i| format!("{}\n", i % 5)).collect();
        let s = Script::align(&base, &new, Some(Instant::now()));
        assert_eq!(s.apply(&base), Ok(new.clone()));
        assert_eq!(Script::from_json(&s.to_json()), Ok(s));
        let chunks = word_diff_until(&base, &new, Some(Instant::now()));
        assert_eq!(concat(&chunks, ChangeKind::Insert), new);
        assert_eq!(concat(&chunks, ChangeKind::Delete), base);
    }

    #[test]
    fn reject_shape() {
        let m = Code::DiffMalformed;
        assert_eq!(code("", json!({})), m);
        assert_eq!(code("", json!("=")), m);
        assert_eq!(code("a\n", json!(["=", 1])), m);
        assert_eq!(code("a\n", json!([[]])), m);
        assert_eq!(code("a\n", json!([["*", 1]])), m);
        assert_eq!(code("a\n", json!([[1, 1]])), m);
        assert_eq!(code("a\n", json!([["="]])), m);
        assert_eq!(code("a\n", json!([["=", 1, 1]])), m);
        assert_eq!(code("a\n", json!([["-", 1, 1]])), m);
        assert_eq!(code("a\n", json!([["=", 0]])), m);
        assert_eq!(code("a\n", json!([["-", 0]])), m);
        assert_eq!(code("a\n", json!([["=", -1]])), m);
        assert_eq!(code("a\n", json!([["=", 1.0]])), m);
        assert_eq!(code("a\n", json!([["=", 1.5]])), m);
        assert_eq!(code("a\n", json!([["=", "1"]])), m);
        assert_eq!(code("a\n", json!([["=", null]])), m);
        let big: Value = serde_json::from_str("[[\"=\", 18446744073709551616]]").unwrap();
        assert_eq!(code("a\n", big), m);
        assert_eq!(code("", json!([["+"]])), m);
        assert_eq!(code("", json!([["+", 1]])), m);
        assert_eq!(code("", json!([["+", "a\n", null]])), m);
        assert_eq!(code("", json!([["+", ""]])), m);
        assert_eq!(code("", json!([["+", "a\n", ""]])), m);
    }

    #[test]
    fn reject_unmerged() {
        let m = Code::DiffMalformed;
        assert_eq!(code("a\nb\n", json!([["=", 1], ["=", 1]])), m);
        assert_eq!(code("a\nb\n", json!([["-", 1], ["-", 1]])), m);
        assert_eq!(code("", json!([["+", "a\n"], ["+", "b\n"]])), m);
        // Different kinds in any order are fine, including an unusual delete after insert.
        assert_eq!(apply_json("a\n", json!([["+", "b\n"], ["-", 1]])), Ok("b\n".into()));
    }

    #[test]
    fn reject_newlines() {
        let m = Code::DiffMalformed;
        assert_eq!(code("", json!([["+", "a\nb\n"]])), m);
        assert_eq!(code("", json!([["+", "\n\n"]])), m);
        assert_eq!(code("", json!([["+", "a", "b\n"]])), m);
        assert_eq!(code("b\n", json!([["+", "a"], ["=", 1]])), m);
        assert_eq!(code("b\n", json!([["+", "a"], ["-", 1], ["+", "c"]])), m);
        assert_eq!(code("a", json!([["=", 1], ["+", "b\n"]])), m);
        // ...but an unterminated line may end the output, and CR is ordinary.
        assert_eq!(apply_json("a", json!([["=", 1]])), Ok("a".into()));
        assert_eq!(apply_json("b\n", json!([["-", 1], ["+", "a"]])), Ok("a".into()));
        assert_eq!(apply_json("", json!([["+", "a\r\n", "\r"]])), Ok("a\r\n\r".into()));
    }

    #[test]
    fn reject_base_mismatch() {
        let b = Code::DiffBaseMismatch;
        assert_eq!(code("a\n", json!([])), b);
        assert_eq!(code("a\n", json!([["=", 2]])), b);
        assert_eq!(code("a\n", json!([["-", 2]])), b);
        assert_eq!(code("a\nb\n", json!([["=", 1]])), b);
        assert_eq!(code("a\nb\n", json!([["-", 1], ["+", "c\n"]])), b);
        assert_eq!(code("", json!([["=", 1]])), b);
        assert_eq!(code("a\n", json!([["=", u64::MAX]])), b);
        assert_eq!(code("a\n", json!([["-", u64::MAX]])), b);
        // CR does not end a line, so "a\rb\n" is one line.
        assert_eq!(code("a\rb\n", json!([["=", 2]])), b);
        // §8.3: the count check of an op comes before its newline check.
        assert_eq!(code("", json!([["+", "a"], ["=", 1]])), b);
        assert_eq!(apply_json("", json!([])), Ok(String::new()));
    }

    #[test]
    fn rust_built_scripts_are_validated_too() {
        let bad = [
            Script { ops: vec![Op::Keep(0)] },
            Script { ops: vec![Op::Insert(vec![])] },
            Script { ops: vec![Op::Insert(vec![String::new()])] },
            Script { ops: vec![Op::Delete(1), Op::Delete(1)] },
            Script { ops: vec![Op::Insert(vec!["a\nb".into()])] },
        ];
        for s in bad {
            assert_eq!(s.apply("a\nb\n").map_err(|e| e.code), Err(Code::DiffMalformed), "{s:?}");
        }
    }

    #[test]
    fn error_display() {
        let e = apply_json("a\n", json!([])).unwrap_err();
        assert!(e.to_string().starts_with("diff.base.mismatch: "), "{e}");
    }

    #[test]
    fn large_apply() {
        let base: String = (0..200_000).map(|i| format!("line {i}\n")).collect();
        let mut new = base.clone();
        new.push_str("tail");
        let s = roundtrip(&base, &new);
        assert_eq!(s.ops, [Op::Keep(200_000), Op::Insert(vec!["tail".into()])]);
    }

    #[test]
    fn word_diff_examples() {
        let d = word_diff("the quick fox", "the slow fox");
        assert_eq!(
            d,
            [
                Chunk { kind: ChangeKind::Equal, text: "the ".into() },
                Chunk { kind: ChangeKind::Delete, text: "quick".into() },
                Chunk { kind: ChangeKind::Insert, text: "slow".into() },
                Chunk { kind: ChangeKind::Equal, text: " fox".into() },
            ]
        );
        let d = word_diff("foo bar", "baz qux");
        assert_eq!(
            d,
            [
                Chunk { kind: ChangeKind::Delete, text: "foo bar".into() },
                Chunk { kind: ChangeKind::Insert, text: "baz qux".into() },
            ]
        );
        assert!(word_diff("", "").is_empty());
        assert_eq!(word_stats("a b c", "a x y c d"), WordStats { words_added: 3, words_removed: 1 });
        assert_eq!(word_stats("日本 語", "日本  語"), WordStats::default());
        assert_eq!(serde_json::to_value(word_diff("a", "")).unwrap(), json!([{"kind": "delete", "text": "a"}]));
    }

    #[test]
    fn unified_output() {
        assert_eq!(unified("a\n", "a\n", "a", "b", 3), "");
        assert_eq!(
            unified("a\nb\nc\n", "a\nB\nc\n", "old", "new", 3),
            "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(
            unified("a\nb", "a\nb\n", "old", "new", 0),
            "--- old\n+++ new\n@@ -2 +2 @@\n-b\n\\ No newline at end of file\n+b\n"
        );
        assert_eq!(unified("", "x", "o", "n", 3), "--- o\n+++ n\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .filter(|&i| i != 18)
            .map(|i| if i == 3 { "three\n".to_owned() } else { format!("{i}\n") })
            .collect();
        assert_eq!(
            unified(&old, &new, "o", "n", 1),
            "--- o\n+++ n\n@@ -2,3 +2,3 @@\n 2\n-3\n+three\n 4\n@@ -17,3 +17,2 @@\n 17\n-18\n 19\n"
        );
        // A huge context must not overflow.
        assert!(unified("a\n", "b\n", "o", "n", usize::MAX).contains("@@ -1 +1 @@"));
    }

    fn concat(chunks: &[Chunk], other: ChangeKind) -> String {
        chunks.iter().filter(|c| c.kind == ChangeKind::Equal || c.kind == other).map(|c| c.text.as_str()).collect()
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let line = prop::sample::select(vec!["a\n", "b\n", "c\n", "\n", "é\n", "x\r\n", "a b\n"]);
        let tail = prop::sample::select(vec!["", "", "a", "z", "\r"]);
        (prop::collection::vec(line, 0..12), tail).prop_map(|(ls, t)| ls.concat() + t)
    }

    fn words_strategy() -> impl Strategy<Value = String> {
        let tok = prop::sample::select(vec!["foo", "bar", "baz", " ", "  ", "\n", "é", "\u{a0}"]);
        prop::collection::vec(tok, 0..16).prop_map(|ts| ts.concat())
    }

    proptest! {
        #[test]
        fn prop_compute_apply(base in text_strategy(), new in text_strategy()) {
            let s = Script::compute(&base, &new);
            prop_assert_eq!(s.apply(&base), Ok(new.clone()));
            // The fallback in compute_until must never be what makes this pass.
            prop_assert_eq!(Script::align(&base, &new, None), s.clone());
            prop_assert_eq!(Script::from_json(&s.to_json()), Ok(s.clone()));
            let reparsed: Value = serde_json::from_str(&s.to_json().to_string()).unwrap();
            prop_assert_eq!(Script::from_json(&reparsed), Ok(s.clone()));
            let (mut keep, mut added, mut removed) = (0u64, 0u64, 0u64);
            for op in &s.ops {
                match op {
                    Op::Keep(n) => keep += n,
                    Op::Delete(n) => removed += n,
                    Op::Insert(l) => added += l.len() as u64,
                }
            }
            prop_assert_eq!(s.stats(), Stats { lines_added: added, lines_removed: removed });
            prop_assert_eq!(keep + removed, lines(&base).count() as u64);
            prop_assert_eq!(keep + added, lines(&new).count() as u64);
        }

        #[test]
        fn prop_word_diff(old in words_strategy(), new in words_strategy()) {
            let chunks = word_diff(&old, &new);
            prop_assert_eq!(concat(&chunks, ChangeKind::Insert), new.clone());
            prop_assert_eq!(concat(&chunks, ChangeKind::Delete), old.clone());
            prop_assert!(chunks.windows(2).all(|w| w[0].kind != w[1].kind));
            prop_assert!(chunks.iter().all(|c| !c.text.is_empty()));
            let st = word_stats(&old, &new);
            let words = |t: &str| tokens(t).into_iter().filter(|t| !is_space(t)).count() as i64;
            prop_assert_eq!(st.words_added as i64 - st.words_removed as i64, words(&new) - words(&old));
        }
    }
}
