//! Merkle tree (spec/transparency.md §2; tiles §2.4 and §7): the ledger's lines are the leaves of an
//! RFC 6962 Merkle tree; this module computes its roots, inclusion and consistency proofs, and
//! serves it as C2SP tlog-tiles.
//!
//! The design follows Go's `golang.org/x/mod/sumdb/tlog`, the Go checksum database's log:
//!
//! - A log keeps *stored hashes* (Crosby & Wallach, "Efficient Data Structures for Tamper-Evident
//!   Logging", 2009, §3.3): for each record, its leaf hash and the hash of every perfect subtree that
//!   record completes, in one append-only sequence. That is about two hashes per record, and any
//!   root or proof needs only O(log n) of them, read in one [`HashReader::read_hashes`] call.
//! - Tiles (C2SP tlog-tiles) are the same stored hashes cut into 256-hash pieces that can be served
//!   as static files; [`TileHashReader`] turns fetched tiles back into stored hashes, trusting a tile
//!   only once it hashes up to a known tree root.
//!
//! Verification ([`verify_inclusion`], [`verify_consistency`]) needs no stored hashes: it is the
//! RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms, step by step.

use crate::format::hash::Digest;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;

/// Interior node hash, RFC 6962 §2.1: SHA-256(0x01 ‖ left ‖ right). Leaves are prefixed 0x00
/// instead ([`crate::format::hash::leaf_hash`]); RFC 6962 §2.1 requires this domain separation so that an
/// interior node can never be presented as a leaf (second-preimage resistance).
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut h = Sha256::new();
    h.update([0x01u8]);
    h.update(left.0);
    h.update(right.0);
    Digest(h.finalize().into())
}

/// Root of the empty tree, RFC 6962 §2.1: MTH({}) = SHA-256() of the empty string.
pub fn empty_root() -> Digest {
    Digest::of(b"")
}

/// The largest power of two `<= n`, and its base-2 logarithm (`n` is treated as at least 1).
fn largest_pow2_le(n: u64) -> (u64, u32) {
    let log = 63 - n.max(1).leading_zeros();
    (1 << log, log)
}

/// RFC 6962 §2.1's split point for `n >= 2` leaves: the largest power of two strictly less than `n`.
fn split_point(n: u64) -> u64 {
    largest_pow2_le(n.saturating_sub(1)).0
}

/// Folds perfect-subtree roots, listed left to right (largest first), into the root of the tree
/// they partition. RFC 6962 §2.1 splits a tree into a perfect left subtree of the largest possible
/// size and the rest, recursively, so its root is node(h0, node(h1, node(h2, ...))).
fn fold_right(hashes: &[Digest]) -> Option<Digest> {
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |acc, left| node_hash(left, &acc)))
}

/// Root of a perfect tree whose leaves (or lower-level subtree roots) are `hashes`; `None` unless
/// their count is a power of two. This is how a tile's hashes combine (tlog-tiles "Merkle Tree").
fn perfect_hash(hashes: &[Digest]) -> Option<Digest> {
    match hashes {
        [] => None,
        [one] => Some(*one),
        _ if hashes.len().is_power_of_two() => {
            let (left, right) = hashes.split_at(hashes.len() / 2);
            Some(node_hash(&perfect_hash(left)?, &perfect_hash(right)?))
        }
        _ => None,
    }
}

/// The root of a growing tree in O(log n) memory: the right-edge frontier of perfect subtrees.
///
/// A tree of `size` leaves is, per RFC 6962 §2.1, a sequence of perfect subtrees, one per set bit of
/// `size`, largest first; only their roots are needed to extend the tree or compute its root.
#[derive(Clone, Debug, Default)]
pub struct Frontier {
    size: u64,
    /// Roots of the perfect subtrees, largest (leftmost) first; one per set bit of `size`.
    peaks: Vec<Digest>,
    /// The inclusion path of the last leaf inside the smallest perfect subtree (the peaks the
    /// last push merged with), from the leaf's sibling up: with the other peaks it is the last
    /// leaf's audit path, which an incremental audit checks (spec/transparency.md §8.1).
    last_path: Vec<Digest>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash ([`crate::format::hash::leaf_hash`] of the line).
    pub fn push(&mut self, leaf: Digest) {
        // Adding a leaf is binary increment: each trailing 1 bit of `size` is a perfect subtree of the
        // same height as the one being carried, and the two merge into one twice the size.
        let mut carry = leaf;
        self.last_path.clear();
        for _ in 0..self.size.trailing_ones() {
            match self.peaks.pop() {
                Some(left) => {
                    self.last_path.push(left);
                    carry = node_hash(&left, &carry);
                }
                None => break, // unreachable while peaks.len() == size.count_ones()
            }
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 6962 §2.1 Merkle Tree Hash of the leaves so far; [`empty_root`] for none.
    pub fn root(&self) -> Digest {
        fold_right(&self.peaks).unwrap_or_else(empty_root)
    }

    /// The roots of the perfect subtrees, largest first.
    pub fn peaks(&self) -> &[Digest] {
        &self.peaks
    }

    /// The part of the last leaf's audit path inside its perfect subtree, from its sibling up.
    pub fn last_path(&self) -> &[Digest] {
        &self.last_path
    }

    /// The audit path (§2.2) of the last leaf, `size − 1`, in the tree of `size` leaves: the path
    /// inside its perfect subtree, then the other subtrees' roots from right to left.
    pub fn last_leaf_proof(&self) -> Vec<Digest> {
        let mut proof = self.last_path.clone();
        proof.extend(self.peaks.iter().rev().skip(1).copied());
        proof
    }

    /// A frontier from its parts, as [`Frontier::peaks`] and [`Frontier::last_path`] gave them
    /// for a tree of `size` leaves; `None` when they cannot be those of such a tree.
    pub fn from_parts(size: u64, peaks: Vec<Digest>, last_path: Vec<Digest>) -> Option<Frontier> {
        (size > 0 && peaks.len() == size.count_ones() as usize && last_path.len() == size.trailing_zeros() as usize)
            .then_some(Frontier { size, peaks, last_path })
    }
}

/// Storage of stored hashes (Go tlog numbering, see [`stored_hash_index`]).
pub trait HashReader {
    /// The hashes at the given stored-hash indexes, one per index and in the same order, or an error.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String>;
}

/// A slice holds stored hash `i` at position `i`: the in-memory log, and the reference in tests.
impl HashReader for [Digest] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|p| self.get(p))
                    .copied()
                    .ok_or_else(|| format!("stored hash {i} is not available ({} stored)", self.len()))
            })
            .collect()
    }
}

impl HashReader for Vec<Digest> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        self.as_slice().read_hashes(indexes)
    }
}

/// Reads `indexes` from `r` and insists on one hash per index: a reader that returns fewer would
/// otherwise shift every later hash into the wrong place.
fn read_exact(r: &(impl HashReader + ?Sized), indexes: &[u64]) -> Result<Vec<Digest>, String> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = r.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(format!("hash reader returned {} hashes for {} indexes", hashes.len(), indexes.len()));
    }
    Ok(hashes)
}

/// The position of the hash of node `n` at `level` (level 0 = leaves; node `n` of level `l` covers
/// leaves `n·2^l .. (n+1)·2^l`) in the stored-hash sequence.
///
/// Record `i` appends its leaf hash and then the roots of the perfect subtrees it completes, lowest
/// first (Crosby & Wallach §3.3; Go tlog `StoredHashIndex`). A node at level `l` is therefore stored
/// right after the last leaf it covers, m = (n+1)·2^l − 1, at offset `l` past that leaf; and leaf m
/// is at m + ⌊m/2⌋ + ⌊m/4⌋ + … = 2m − popcount(m). Returns `u64::MAX` (an index no reader holds) for
/// nodes no 64-bit tree has.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    let exact = || -> Option<u64> {
        let span = 1u64.checked_shl(level)?;
        let last_leaf = n.checked_mul(span)? | (span - 1);
        last_leaf.checked_mul(2)?.checked_sub(u64::from(last_leaf.count_ones()))?.checked_add(u64::from(level))
    };
    exact().unwrap_or(u64::MAX)
}

/// The inverse of [`stored_hash_index`]: the `(level, n)` of the node stored at `index`.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // Record m's leaf is at 2m − popcount(m) <= index for m = index/2, and each record stores at
    // most 64 hashes, so the record that stored `index` is at most a few steps past index/2.
    let mut m = index / 2;
    let mut leaf_at = stored_hash_index(0, m);
    loop {
        // Record m stores 1 + trailing_ones(m) hashes; the next record's leaf follows them.
        let next = leaf_at.saturating_add(1 + u64::from(m.trailing_ones()));
        if next > index || m == u64::MAX {
            break;
        }
        m += 1;
        leaf_at = next;
    }
    // `index` is one of record m's hashes: (0, m), (1, m/2), (2, m/4), …
    let level = u32::try_from(index.saturating_sub(leaf_at)).unwrap_or(u32::MAX).min(63);
    (level, m >> level)
}

/// The number of stored hashes of a tree of `n` records. It equals the index at which record `n`'s
/// hashes will go.
pub fn stored_hash_count(n: u64) -> u64 {
    stored_hash_index(0, n)
}

/// The stored hashes to append when record `n` (0-based) with leaf hash `leaf` is added, given the
/// stored hashes of records `0..n` in `r`: the leaf hash, then the root of each perfect subtree that
/// record `n` completes, lowest first. Reads one hash per completed subtree (at most 64).
pub fn stored_hashes(n: u64, leaf: Digest, r: &(impl HashReader + ?Sized)) -> Result<Vec<Digest>, String> {
    // Each trailing 1 bit of n is a completed subtree: record n closes a subtree of 2^(i+1) leaves at
    // level i+1, whose left half is node (n >> i) − 1 at level i (n >> i is odd).
    let completed = n.trailing_ones();
    let indexes: Vec<u64> = (0..completed).rev().map(|i| stored_hash_index(i, (n >> i) - 1)).collect();
    let lefts = read_exact(r, &indexes)?;
    let mut out = Vec::with_capacity(lefts.len() + 1);
    let mut h = leaf;
    out.push(h);
    for left in lefts.iter().rev() {
        h = node_hash(left, &h);
        out.push(h);
    }
    Ok(out)
}

/// Appends the stored-hash indexes of the perfect subtrees that partition leaves `lo..hi`, largest
/// first. `lo..hi` must be a range of the RFC 6962 §2.1 recursion, so that `lo` is a multiple of each
/// subtree's size.
fn push_range_indexes(mut lo: u64, hi: u64, out: &mut Vec<u64>) {
    while lo < hi {
        let (size, level) = largest_pow2_le(hi - lo);
        out.push(stored_hash_index(level, lo >> level));
        lo += size;
    }
}

/// The Merkle Tree Hashes `MTH(D[lo:hi])` of the given ranges, from the stored hashes of their
/// perfect-subtree partitions, read with one `read_hashes` call.
fn range_hashes(ranges: &[(u64, u64)], r: &(impl HashReader + ?Sized)) -> Result<Vec<Digest>, String> {
    let mut indexes = Vec::new();
    let mut ends = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges {
        push_range_indexes(lo, hi, &mut indexes);
        ends.push(indexes.len());
    }
    let stored = read_exact(r, &indexes)?;
    let mut out = Vec::with_capacity(ranges.len());
    let mut start = 0;
    for end in ends {
        let hash = stored.get(start..end).and_then(fold_right).ok_or("internal error: empty Merkle subtree")?;
        out.push(hash);
        start = end;
    }
    Ok(out)
}

/// The root (RFC 6962 §2.1 MTH) of the tree of the first `size` records; [`empty_root`] for 0.
/// Reads at most 64 stored hashes (one per set bit of `size`).
pub fn tree_hash(size: u64, r: &(impl HashReader + ?Sized)) -> Result<Digest, String> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hashes(&[(0, size)], r)?.into_iter().next().ok_or_else(|| "internal error: no tree hash".to_string())
}

/// The ranges whose MTH make up RFC 6962 §2.1.1 `PATH(m, D[lo:hi])`, in audit-path order (the
/// sibling nearest the leaf first). `m` is absolute.
fn path_ranges(m: u64, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    if hi - lo <= 1 {
        return;
    }
    let k = split_point(hi - lo);
    if m < lo + k {
        // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
        path_ranges(m, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        // PATH(m, D[n]) = PATH(m − k, D[k:n]) : MTH(D[0:k])
        path_ranges(m, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// The ranges whose MTH make up RFC 6962 §2.1.2 `SUBPROOF(m, D[lo:hi], b)`, in proof order. `m` is
/// the absolute old size, `lo < m <= hi`.
fn subproof_ranges(m: u64, lo: u64, hi: u64, b: bool, out: &mut Vec<(u64, u64)>) {
    if m == hi {
        // SUBPROOF(m, D[m], true) = {}: the verifier has this subtree's root, it is the old root.
        // SUBPROOF(m, D[m], false) = {MTH(D[m])}.
        if !b {
            out.push((lo, hi));
        }
        return;
    }
    let k = split_point(hi - lo);
    if m <= lo + k {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        subproof_ranges(m, lo, lo + k, b, out);
        out.push((lo + k, hi));
    } else {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
        subproof_ranges(m, lo + k, hi, false, out);
        out.push((lo, lo + k));
    }
}

/// The inclusion proof (RFC 6962 §2.1.1 audit path, RFC 9162 §2.1.3.1) of record `index` in the tree
/// of the first `tree_size` records. Reads O(log n) stored hashes in one call: every sibling on the
/// path is one stored hash except at most one right sibling on the tree's ragged right edge, which
/// is rebuilt from at most log n.
pub fn prove_inclusion(tree_size: u64, index: u64, r: &(impl HashReader + ?Sized)) -> Result<Vec<Digest>, String> {
    if index >= tree_size {
        return Err(format!("record {index} is not in a tree of size {tree_size}"));
    }
    let mut ranges = Vec::new();
    path_ranges(index, 0, tree_size, &mut ranges);
    range_hashes(&ranges, r)
}

/// The consistency proof (RFC 6962 §2.1.2 `PROOF(m, D[n])`, RFC 9162 §2.1.4.1) that the tree of
/// `old_size` records is a prefix of the tree of `new_size` records. Empty when `old_size` is 0 or
/// equals `new_size` (nothing to prove; see [`verify_consistency`]). Reads O(log n) stored hashes.
pub fn prove_consistency(new_size: u64, old_size: u64, r: &(impl HashReader + ?Sized)) -> Result<Vec<Digest>, String> {
    if old_size > new_size {
        return Err(format!("no consistency proof from size {old_size} to the smaller size {new_size}"));
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::new();
    subproof_ranges(old_size, 0, new_size, true, &mut ranges);
    range_hashes(&ranges, r)
}

/// Verifies an inclusion proof exactly as RFC 9162 §2.1.3.2: true iff `proof` shows that `leaf` is
/// record `index` of the tree of `tree_size` records whose root is `root`. Any `index >= tree_size`
/// (so any proof for the empty tree) fails; for a one-record tree the proof is empty and the root is
/// the leaf hash.
pub fn verify_inclusion(leaf: &Digest, index: u64, tree_size: u64, proof: &[Digest], root: &Digest) -> bool {
    // 1. leaf_index >= tree_size fails.
    if index >= tree_size {
        return false;
    }
    // 2. fn = leaf_index, sn = tree_size − 1. 3. r = hash.
    let (mut fnode, mut snode) = (index, tree_size - 1);
    let mut r = *leaf;
    // 4. For each p in inclusion_path:
    for p in proof {
        // a. sn == 0 means the path is longer than the tree is tall.
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            // b. p is a left sibling. Where fn == sn with LSB(fn) unset, the right edge of the tree
            // skips levels (the node has no right sibling there), so climb until it has one.
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            // c. p is a right sibling.
            r = node_hash(&r, p);
        }
        // d. One level up.
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. The path must reach exactly the root: sn == 0, and r == root_hash.
    snode == 0 && r == *root
}

/// Verifies a consistency proof: true iff `proof` shows that the tree of `old_size` records with
/// root `old_root` is a prefix of the tree of `new_size` records with root `new_root`.
///
/// For 0 < old_size < new_size this is exactly RFC 9162 §2.1.4.2. The cases outside it:
/// `old_size > new_size` fails; `old_size == new_size` needs the empty proof and equal roots;
/// `old_size == 0` needs the empty proof and `old_root` equal to [`empty_root`] (the only root a
/// tree of size 0 has, RFC 6962 §2.1), and accepts any `new_root` — an empty tree is a prefix of
/// every tree. (For 0 == old_size == new_size both rules apply.)
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Digest,
    new_root: &Digest,
    proof: &[Digest],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == 0 && *old_root != empty_root() {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    // RFC 9162 §2.1.4.2, with first = old_size, second = new_size, 0 < first < second.
    // 1. An empty consistency_path fails.
    if proof.is_empty() {
        return false;
    }
    // 2. If first is an exact power of 2, prepend first_hash: the old tree is then a single node of
    // the new tree, which RFC 6962 §2.1.2 leaves out of the proof because the verifier has it.
    let mut path: Vec<&Digest> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(old_root);
    }
    path.extend(proof);
    // 3. fn = first − 1, sn = second − 1.
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    // 4. While LSB(fn) is set, shift both right: skip the levels where the old tree's last node is a
    // right child, whose left siblings are all inside the subtree the first path element stands for.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. fr = sr = the first element.
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fr, mut sr) = (**first, **first);
    // 6. For each subsequent c:
    for c in rest {
        // a. sn == 0 means the proof is longer than the new tree is tall.
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            // b. c is a left sibling of both paths.
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            // c. c is a right sibling that only the new tree has.
            sr = node_hash(&sr, c);
        }
        // d. One level up.
        fnode >>= 1;
        snode >>= 1;
    }
    // 7. fr == first_hash, sr == second_hash, and sn == 0.
    fr == *old_root && sr == *new_root && snode == 0
}

// ---------------------------------------------------------------------------------------------------
// Tiles (C2SP tlog-tiles)

/// Tile height: each tile spans 8 levels of the tree (tlog-tiles "Merkle Tree": full tiles are 256
/// hashes wide).
pub const TILE_HEIGHT: u32 = 8;

/// Hashes in a full tile, 2^[`TILE_HEIGHT`].
pub const TILE_WIDTH: u32 = 1 << TILE_HEIGHT;

/// The largest tile level a path may name (tlog-tiles "Merkle Tree": `<L>` is 0 to 63).
const MAX_TILE_LEVEL: u32 = 63;

/// Tile levels a 64-bit tree can have: level-7 tiles already hold hashes of 2^56-leaf subtrees.
const TILE_LEVELS: u32 = 64 / TILE_HEIGHT;

/// A tile (C2SP tlog-tiles "Merkle Tree"): `width` consecutive hashes at tree level
/// `level · TILE_HEIGHT`, starting at hash `n · 256` of that level. Width 256 is a full tile; less is
/// the partial tile at the right edge of a tree ("Partial Tiles"). A tile stands for the perfect
/// subtree of height 8 above its hashes; the levels in between are recomputed by hashing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// Tile level: 0 holds leaf hashes, level l holds roots of full level l−1 tiles.
    pub level: u32,
    /// Index of the tile within its level.
    pub n: u64,
    /// Number of hashes, 1..=256.
    pub width: u32,
}

/// Encodes a tile index as tlog-tiles `<N>`: zero-padded 3-digit path elements, all but the last
/// prefixed `x` (1234067 → `x001/x234/067`), so that no directory holds more than 3000 names and no
/// name is both a file and a directory.
fn encode_tile_index(n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    let mut rest = n / 1000;
    while rest > 0 {
        s = format!("x{:03}/{s}", rest % 1000);
        rest /= 1000;
    }
    s
}

/// A decimal number with no sign and no leading zeros, as tlog-tiles requires of `<L>` and `<W>`.
fn parse_plain_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

/// Parses `<N>[.p/<W>]`, accepting only the canonical spelling.
fn parse_index_and_width(s: &str) -> Option<(u64, u32)> {
    let (index_part, width) = match s.split_once(".p/") {
        // tlog-tiles: `<W>` is 1 to 255; a full tile has no `.p/` suffix.
        Some((index_part, w)) => {
            let w = u32::try_from(parse_plain_decimal(w)?).ok()?;
            if !(1..TILE_WIDTH).contains(&w) {
                return None;
            }
            (index_part, w)
        }
        None => (s, TILE_WIDTH),
    };
    let elements: Vec<&str> = index_part.split('/').collect();
    let mut n: u64 = 0;
    for (i, element) in elements.iter().enumerate() {
        let digits = if i + 1 == elements.len() { Some(*element) } else { element.strip_prefix('x') }?;
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
    }
    // One spelling per tile: reject e.g. `x000/001` for `001`.
    (encode_tile_index(n) == index_part).then_some((n, width))
}

impl Tile {
    /// `.p/<W>` for a partial tile, nothing for a full one.
    fn width_suffix(&self) -> String {
        if self.width < TILE_WIDTH { format!(".p/{}", self.width) } else { String::new() }
    }

    /// The tile's path under the log prefix (tlog-tiles "Merkle Tree"): `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}{}", self.level, encode_tile_index(self.n), self.width_suffix())
    }

    /// The path of the entry bundle beside this level-0 tile (tlog-tiles "Log entries"):
    /// `tile/entries/<N>[.p/<W>]`. Only level-0 tiles have bundles; the path does not name the level,
    /// so callers MUST pass a level-0 tile.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}{}", encode_tile_index(self.n), self.width_suffix())
    }

    /// Parses a hash tile path (the inverse of [`Tile::path`]). Only the canonical spelling is
    /// accepted: no leading zeros in `<L>` or `<W>`, `<L>` at most 63, `<W>` 1..=255, `<N>` in
    /// minimal 3-digit elements; anything else, including entry bundle paths, is `None`.
    pub fn parse_path(p: &str) -> Option<Tile> {
        let rest = p.strip_prefix("tile/")?;
        let (level, rest) = rest.split_once('/')?;
        let level = u32::try_from(parse_plain_decimal(level)?).ok().filter(|&l| l <= MAX_TILE_LEVEL)?;
        let (n, width) = parse_index_and_width(rest)?;
        Some(Tile { level, n, width })
    }

    /// Parses an entry bundle path (the inverse of [`Tile::entries_path`]) into its level-0 tile.
    pub fn parse_entries_path(p: &str) -> Option<Tile> {
        let (n, width) = parse_index_and_width(p.strip_prefix("tile/entries/")?)?;
        Some(Tile { level: 0, n, width })
    }

    /// The stored-hash level of this tile's hashes.
    fn base_level(&self) -> Option<u32> {
        self.level.checked_mul(TILE_HEIGHT).filter(|&l| l < 64)
    }
}

/// `x >> shift`, and 0 once the shift reaches the width of `u64`.
fn shr(x: u64, shift: u32) -> u64 {
    x.checked_shr(shift).unwrap_or(0)
}

/// The tiles to write when a tree grows from `old_size` to `new_size` leaves: every full tile
/// completed by the growth, and at each level whose hash count changed, the new rightmost partial
/// tile (tlog-tiles "Partial Tiles"). Levels, then indexes, ascending.
pub fn new_tiles(old_size: u64, new_size: u64) -> Vec<Tile> {
    let old_size = old_size.min(new_size);
    let mut tiles = Vec::new();
    for level in 0..TILE_LEVELS {
        // Hashes at this tile level's base: one per full tile of the level below (one per leaf at 0).
        let new_count = shr(new_size, level * TILE_HEIGHT);
        let old_count = shr(old_size, level * TILE_HEIGHT);
        if new_count == 0 {
            break;
        }
        if new_count == old_count {
            continue;
        }
        let width = u64::from(TILE_WIDTH);
        for n in old_count / width..new_count / width {
            tiles.push(Tile { level, n, width: TILE_WIDTH });
        }
        // tlog-tiles: the partial tile at level l of a tree of size s has ⌊s / 256^l⌋ mod 256 hashes;
        // empty tiles do not exist.
        let partial = new_count % width;
        if partial > 0 {
            tiles.push(Tile { level, n: new_count / width, width: partial as u32 });
        }
    }
    tiles
}

/// Every tile of a tree of `size` leaves: all full tiles and the rightmost partial tile of each
/// level that has one (tlog-tiles "Partial Tiles"). A tree of 70,000 leaves has 273 full and one
/// 112-wide level-0 tiles, one full and one 17-wide level-1 tile, and one 1-wide level-2 tile.
pub fn tiles_for_size(size: u64) -> Vec<Tile> {
    new_tiles(0, size)
}

/// The bytes of tile `t` (`width` × 32: its hashes, concatenated), read from stored hashes.
pub fn read_tile_data(t: Tile, r: &(impl HashReader + ?Sized)) -> Result<Vec<u8>, String> {
    if !(1..=TILE_WIDTH).contains(&t.width) {
        return Err(format!("invalid tile width {}", t.width));
    }
    let level = t.base_level().ok_or_else(|| format!("tile level {} is beyond any 64-bit tree", t.level))?;
    let first = t.n.checked_mul(u64::from(TILE_WIDTH)).ok_or_else(|| format!("tile index {} is too large", t.n))?;
    // `first` is a multiple of 256 that fits, so `first + 255` fits too.
    let indexes: Vec<u64> = (0..u64::from(t.width)).map(|i| stored_hash_index(level, first + i)).collect();
    let hashes = read_exact(r, &indexes)?;
    Ok(hashes.iter().flat_map(|h| h.0).collect())
}

/// The least-width tile holding the node stored at `index`, and the range `start..end` of that
/// tile's hashes whose perfect-subtree root the node is (Go tlog `tileForIndex`). A node at a tile
/// base level is one hash of the tile; a node up to 7 levels higher is the root of 2^k of them.
fn tile_for_index(index: u64) -> (Tile, u64, u64) {
    let (level, n) = split_stored_hash_index(index);
    let tile_level = level / TILE_HEIGHT;
    let above_base = level % TILE_HEIGHT;
    // The node's first hash at the tile's base level (the shift is at most 7, so it cannot panic).
    let first = n << above_base;
    let start = first % u64::from(TILE_WIDTH);
    let end = start + (1 << above_base);
    (Tile { level: tile_level, n: first / u64::from(TILE_WIDTH), width: end as u32 }, start, end)
}

/// The `k`-th ancestor tile of `t` (k = 0: `t` itself) as it exists in the tree of `tree_size`
/// leaves, with that tree's width for it; `None` if the tree has no such tile (Go tlog `tileParent`).
fn tile_in_tree(t: Tile, k: u32, tree_size: u64) -> Option<Tile> {
    let level = t.level.checked_add(k)?;
    let n = shr(t.n, k.checked_mul(TILE_HEIGHT)?);
    let count = shr(tree_size, level.checked_mul(TILE_HEIGHT)?);
    let start = n.checked_mul(u64::from(TILE_WIDTH))?;
    if start >= count {
        return None;
    }
    let width = (count - start).min(u64::from(TILE_WIDTH)) as u32;
    Some(Tile { level, n, width })
}

/// The node stored at `index`, computed from the hashes of tile `t` (Go tlog `HashFromTile`): `t`
/// must be the tile holding it, at least as wide as needed.
fn hash_from_tile(t: Tile, hashes: &[Digest], index: u64) -> Result<Digest, String> {
    let (needed, start, end) = tile_for_index(index);
    if needed.level != t.level || needed.n != t.n || needed.width > t.width {
        return Err(format!("internal error: stored hash {index} is in tile {}, not {}", needed.path(), t.path()));
    }
    let range = usize::try_from(start).ok().zip(usize::try_from(end).ok());
    range
        .and_then(|(s, e)| hashes.get(s..e))
        .and_then(perfect_hash)
        .ok_or_else(|| format!("internal error: tile {} has no hashes {start}..{end}", t.path()))
}

/// Splits a tile's bytes into hashes, checking the size against the tile's width.
fn tile_hashes(t: Tile, bytes: &[u8]) -> Result<Vec<Digest>, String> {
    let expected = t.width as usize * 32;
    if bytes.len() != expected {
        return Err(format!("tile {}: {} bytes, expected {expected}", t.path(), bytes.len()));
    }
    bytes.chunks_exact(32).map(|c| <[u8; 32]>::try_from(c).map(Digest).map_err(|e| e.to_string())).collect()
}

/// A [`HashReader`] serving stored hashes from tiles (the mapping Go's tlog calls `TileForIndex` and
/// `HashFromTile`), trusting nothing it fetches until it hashes up to the tree root it was given.
///
/// `fetch` returns tiles' bytes — from a directory, over HTTP, from a test's map. For every
/// [`read_hashes`](HashReader::read_hashes) call the reader fetches the tiles holding the tree's
/// right-edge subtree roots and checks that they hash to `root` (RFC 6962 §2.1), then fetches each
/// tile holding a requested hash together with its ancestor tiles and checks every such tile's
/// subtree hash against the corresponding hash in its parent tile (tlog-tiles "Merkle Tree": a
/// level-l hash is the MTH of a full level l−1 tile). Only then does it return hashes. Fetched tiles
/// are exactly the tiles of the tree of `tree_size` ([`tiles_for_size`]); there is no cache.
///
/// The tiles one call needs are asked for at once ([`TileRead::read_tiles`]), so that a reader
/// over a network can fetch them in parallel.
pub struct TileHashReader<F: TileRead> {
    tree_size: u64,
    root: Digest,
    fetch: F,
}

/// Where a [`TileHashReader`] gets tiles: several at once. Any `Fn(Tile) -> Result<Vec<u8>, String>`
/// is one, reading them one by one.
pub trait TileRead {
    /// The bytes of each tile, in order, or the first error.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, String>;
}

impl<F: Fn(Tile) -> Result<Vec<u8>, String>> TileRead for F {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, String> {
        tiles.iter().map(|&t| self(t)).collect()
    }
}

impl<F: TileRead> TileHashReader<F> {
    /// A reader for the tree of `tree_size` leaves with root `root`, taken from a checkpoint the
    /// caller has already verified.
    pub fn new(tree_size: u64, root: Digest, fetch: F) -> Self {
        TileHashReader { tree_size, root, fetch }
    }

    /// The tree size this reader serves.
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }

    /// The root every tile is checked against.
    pub fn root(&self) -> Digest {
        self.root
    }
}

/// The tiles one `read_hashes` call needs, each with the tile that vouches for it.
#[derive(Default)]
struct TilePlan {
    tiles: Vec<Tile>,
    /// `None`: checked against the tree root; `Some(j)`: checked against a hash in `tiles[j]`.
    parent: Vec<Option<usize>>,
    position: HashMap<Tile, usize>,
}

impl TilePlan {
    fn add(&mut self, t: Tile, parent: Option<usize>) -> usize {
        if let Some(&i) = self.position.get(&t) {
            return i;
        }
        let i = self.tiles.len();
        self.tiles.push(t);
        self.parent.push(parent);
        self.position.insert(t, i);
        i
    }
}

impl<F: TileRead> HashReader for TileHashReader<F> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let size = self.tree_size;
        let count = stored_hash_count(size);
        if let Some(bad) = indexes.iter().find(|&&x| x >= count) {
            return Err(format!("stored hash {bad} is not in the tree of size {size}"));
        }
        let lost = |what: &str| format!("internal error in tile reader (tree size {size}): {what}");

        // The tree's root is the fold of its right-edge perfect subtrees (RFC 6962 §2.1). Their
        // hashes lie in the rightmost, partial tile of each level, and they cover those tiles
        // completely (the subtrees at tile level l partition its ⌊size/256^l⌋ mod 256 hashes), so a
        // match with the root vouches for every hash in these tiles.
        let mut plan = TilePlan::default();
        let mut edge = Vec::new();
        push_range_indexes(0, size, &mut edge);
        let mut edge_tiles = Vec::with_capacity(edge.len());
        for &x in &edge {
            let t = tile_in_tree(tile_for_index(x).0, 0, size).ok_or_else(|| lost("edge tile"))?;
            edge_tiles.push(plan.add(t, None));
        }

        // A requested hash's tile is vouched for by its parent tile, and so on up to a tile already
        // planned; the top-level tile is an edge tile, so the climb ends.
        let mut index_tiles = Vec::with_capacity(indexes.len());
        for &x in indexes {
            let least = tile_for_index(x).0;
            let mut k = 0;
            let mut vouching = loop {
                let t = tile_in_tree(least, k, size).ok_or_else(|| lost("no ancestor tile"))?;
                if let Some(&j) = plan.position.get(&t) {
                    break j;
                }
                k += 1;
                if k > TILE_LEVELS {
                    return Err(lost("no planned ancestor tile"));
                }
            };
            while k > 0 {
                k -= 1;
                let t = tile_in_tree(least, k, size).ok_or_else(|| lost("no tile"))?;
                // Only a full tile is hashed into the level above (tlog-tiles "Partial Tiles").
                if t.width != TILE_WIDTH {
                    return Err(lost("partial tile below another tile"));
                }
                vouching = plan.add(t, Some(vouching));
            }
            index_tiles.push(vouching);
        }

        let fetched = self.fetch.read_tiles(&plan.tiles)?;
        if fetched.len() != plan.tiles.len() {
            return Err(lost("tile count"));
        }
        let data: Vec<Vec<Digest>> =
            plan.tiles.iter().zip(&fetched).map(|(&t, bytes)| tile_hashes(t, bytes)).collect::<Result<_, _>>()?;
        let tile = |j: usize| plan.tiles.get(j).copied().zip(data.get(j)).ok_or_else(|| lost("tile position"));

        // Edge tiles against the root.
        let mut subtree_roots = Vec::with_capacity(edge.len());
        for (&x, &j) in edge.iter().zip(&edge_tiles) {
            let (t, hashes) = tile(j)?;
            subtree_roots.push(hash_from_tile(t, hashes, x)?);
        }
        if fold_right(&subtree_roots) != Some(self.root) {
            return Err(format!("tiles do not hash to the root {} of the tree of size {size}", self.root));
        }

        // Every other tile against the hash in its parent. Unlike Go tlog's `tileHashReader`, which
        // starts this loop at the number of edge *hashes* rather than edge *tiles*, every tile that is
        // not an edge tile is checked here.
        for (i, parent) in plan.parent.iter().enumerate() {
            let Some(p) = *parent else { continue };
            let (t, hashes) = tile(i)?;
            let (pt, parent_hashes) = tile(p)?;
            let level = pt.base_level().ok_or_else(|| lost("parent level"))?;
            let expected = hash_from_tile(pt, parent_hashes, stored_hash_index(level, t.n))?;
            if perfect_hash(hashes) != Some(expected) {
                return Err(format!("tile {} does not match its parent tile {}", t.path(), pt.path()));
            }
        }

        indexes
            .iter()
            .zip(&index_tiles)
            .map(|(&x, &j)| {
                let (t, hashes) = tile(j)?;
                hash_from_tile(t, hashes, x)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::hash::leaf_hash;

    /// A frontier is of a tree of at least one leaf: the parts of an empty tree are refused even
    /// when their counts fit `size = 0` (no peak, and as many path hashes as 0 has trailing zero
    /// bits, 64), as a forged state file could hold them.
    #[test]
    fn a_frontier_from_parts_has_at_least_one_leaf() {
        assert!(Frontier::from_parts(0, vec![], vec![Digest([0; 32]); 64]).is_none());
        assert!(Frontier::from_parts(0, vec![], vec![]).is_none());
        let one = Frontier::from_parts(1, vec![Digest([1; 32])], vec![]).expect("a tree of one leaf");
        assert_eq!((one.size(), one.root()), (1, Digest([1; 32])));
        assert!(Frontier::from_parts(3, vec![Digest([1; 32])], vec![]).is_none(), "3 leaves have two peaks");
    }

    fn stored(n: u64) -> Vec<Digest> {
        let mut s = Vec::new();
        for i in 0..n {
            let add = stored_hashes(i, leaf_hash(&i.to_be_bytes()), &s).unwrap();
            s.extend(add);
        }
        s
    }

    /// Nodes of trees far larger than any test builds are found at once: the search for the record
    /// that stored an index starts next to it (at index / 2), not at record 0.
    #[test]
    fn stored_hash_indexes_of_huge_trees_split_back() {
        for (level, n) in [(0, 1u64 << 50), (5, (1 << 45) + 3), (20, 12_345_678_901), (62, 1), (63, 0)] {
            let index = stored_hash_index(level, n);
            assert_ne!(index, u64::MAX);
            assert_eq!(split_stored_hash_index(index), (level, n), "level {level}, node {n}");
        }
    }

    /// Only a power-of-two count of hashes makes a perfect tree (tlog-tiles "Merkle Tree").
    #[test]
    fn a_perfect_hash_needs_a_power_of_two() {
        let h: Vec<Digest> = (0..8u8).map(|i| leaf_hash(&[i])).collect();
        assert_eq!(perfect_hash(&h[..0]), None);
        assert_eq!(perfect_hash(&h[..1]), Some(h[0]));
        assert_eq!(perfect_hash(&h[..2]), Some(node_hash(&h[0], &h[1])));
        for n in [3, 5, 6, 7] {
            assert_eq!(perfect_hash(&h[..n]), None, "{n} hashes");
        }
        assert_eq!(perfect_hash(&h), tree_hash_of_leaves(&h));
    }

    /// The RFC 6962 root of leaf hashes, the slow and obvious way.
    fn tree_hash_of_leaves(h: &[Digest]) -> Option<Digest> {
        match h {
            [] => None,
            [one] => Some(*one),
            _ => {
                let k = h.len().next_power_of_two() / 2;
                Some(node_hash(&tree_hash_of_leaves(&h[..k])?, &tree_hash_of_leaves(&h[k..])?))
            }
        }
    }

    #[test]
    fn stored_hash_index_matches_go_numbering() {
        // Leaves 0, 1, then node (1, 0), leaf 2, leaf 3, (1, 1), (2, 0), leaf 4 ...
        let order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)];
        for (i, &(level, n)) in order.iter().enumerate() {
            assert_eq!(stored_hash_index(level, n), i as u64);
        }
        for index in 0..100_000u64 {
            let (level, n) = split_stored_hash_index(index);
            assert_eq!(stored_hash_index(level, n), index, "index {index}");
        }
        let mut s = Vec::new();
        for n in 0..5000u64 {
            assert_eq!(stored_hash_count(n), s.len() as u64);
            s.extend(stored_hashes(n, leaf_hash(&n.to_be_bytes()), &s).unwrap());
        }
        assert_eq!(stored_hash_index(64, 0), u64::MAX);
        assert_eq!(stored_hash_index(1, u64::MAX), u64::MAX);
    }

    #[test]
    fn split_points() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(u64::MAX), 1 << 63);
        assert_eq!(largest_pow2_le(1), (1, 0));
        assert_eq!(largest_pow2_le(u64::MAX), (1 << 63, 63));
    }

    #[test]
    fn tile_for_index_examples() {
        // Leaf 0 is hash 0 of level-0 tile 0; node (1, 0) needs two of its hashes; leaf 256 starts
        // tile 1; node (8, 0) is hash 0 of level-1 tile 0.
        assert_eq!(tile_for_index(stored_hash_index(0, 0)), (Tile { level: 0, n: 0, width: 1 }, 0, 1));
        assert_eq!(tile_for_index(stored_hash_index(1, 0)), (Tile { level: 0, n: 0, width: 2 }, 0, 2));
        assert_eq!(tile_for_index(stored_hash_index(3, 1)), (Tile { level: 0, n: 0, width: 16 }, 8, 16));
        assert_eq!(tile_for_index(stored_hash_index(0, 256)), (Tile { level: 0, n: 1, width: 1 }, 0, 1));
        assert_eq!(tile_for_index(stored_hash_index(7, 1)), (Tile { level: 0, n: 0, width: 256 }, 128, 256));
        assert_eq!(tile_for_index(stored_hash_index(8, 0)), (Tile { level: 1, n: 0, width: 1 }, 0, 1));
        assert_eq!(tile_for_index(stored_hash_index(9, 300)), (Tile { level: 1, n: 2, width: 90 }, 88, 90));
    }

    #[test]
    fn tile_in_tree_widths() {
        let t = Tile { level: 0, n: 1, width: 3 };
        assert_eq!(tile_in_tree(t, 0, 259), Some(Tile { level: 0, n: 1, width: 3 }));
        assert_eq!(tile_in_tree(t, 0, 1000), Some(Tile { level: 0, n: 1, width: 256 }));
        assert_eq!(tile_in_tree(t, 1, 259), Some(Tile { level: 1, n: 0, width: 1 }));
        assert_eq!(tile_in_tree(t, 2, 259), None);
        assert_eq!(tile_in_tree(t, 0, 256), None);
    }

    #[test]
    fn frontier_matches_stored_hashes() {
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        let s = stored(300);
        for i in 0..300u64 {
            f.push(leaf_hash(&i.to_be_bytes()));
            assert_eq!(f.size(), i + 1);
            assert_eq!(f.root(), tree_hash(i + 1, &s).unwrap());
            assert_eq!(f.peaks.len() as u32, f.size.count_ones());
            // The last leaf's audit path is the one the stored hashes give, and verifies.
            assert_eq!(f.last_leaf_proof(), prove_inclusion(i + 1, i, &s).unwrap(), "size {}", i + 1);
            assert!(verify_inclusion(&leaf_hash(&i.to_be_bytes()), i, i + 1, &f.last_leaf_proof(), &f.root()));
            let again = Frontier::from_parts(f.size(), f.peaks().to_vec(), f.last_path().to_vec()).unwrap();
            assert_eq!(again.root(), f.root());
        }
        assert!(Frontier::from_parts(0, Vec::new(), Vec::new()).is_none());
        assert!(Frontier::from_parts(3, vec![empty_root()], Vec::new()).is_none());
        assert!(Frontier::from_parts(4, vec![empty_root()], vec![empty_root()]).is_none());
    }

    #[test]
    fn short_reader_is_an_error() {
        struct Short;
        impl HashReader for Short {
            fn read_hashes(&self, _: &[u64]) -> Result<Vec<Digest>, String> {
                Ok(vec![empty_root()])
            }
        }
        assert!(tree_hash(3, &Short).is_err());
        assert!(prove_inclusion(8, 3, &Short).is_err());
        assert!(stored_hashes(3, empty_root(), &Short).is_err());
    }

    #[test]
    fn out_of_range_requests_are_errors() {
        let s = stored(10);
        assert!(prove_inclusion(10, 10, &s).is_err());
        assert!(prove_inclusion(0, 0, &s).is_err());
        assert!(prove_inclusion(11, 0, &s).is_err());
        assert!(prove_consistency(5, 6, &s).is_err());
        assert!(prove_consistency(11, 5, &s).is_err());
        assert!(tree_hash(11, &s).is_err());
        assert_eq!(prove_consistency(10, 0, &s).unwrap(), Vec::<Digest>::new());
        assert_eq!(prove_consistency(10, 10, &s).unwrap(), Vec::<Digest>::new());
    }

    #[test]
    fn tile_reader_rejects_out_of_tree_indexes() {
        let s = stored(10);
        let root = tree_hash(10, &s).unwrap();
        let r = TileHashReader::new(10, root, |t| read_tile_data(t, &s));
        assert!(r.read_hashes(&[stored_hash_count(10)]).is_err());
        assert_eq!(r.read_hashes(&[0, stored_hash_count(10) - 1]).unwrap().len(), 2);
        let empty = TileHashReader::new(0, empty_root(), |t| read_tile_data(t, &s));
        assert!(empty.read_hashes(&[0]).is_err());
        assert!(empty.read_hashes(&[]).unwrap().is_empty());
        assert_eq!(tree_hash(0, &empty).unwrap(), empty_root());
    }
}
