//! Merkle tree tests (spec/transparency.md §2, src/merkle.rs): stored hashes, proofs and tiles
//! against a naive implementation written straight from RFC 6962 §2.1, against the published
//! Certificate Transparency test vectors, and against tampering.

use colophon::format::hash::{Digest, leaf_hash};
use colophon::log::merkle::*;
use sha2::{Digest as _, Sha256};
use std::cell::Cell;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------------
// Naive reference: RFC 6962 §2.1, §2.1.1 and §2.1.2 transcribed, over the raw entries. Deliberately
// shares nothing with src/merkle.rs (not even the node hash).

fn sha256(parts: &[&[u8]]) -> Digest {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    Digest(h.finalize().into())
}

/// k: the largest power of two smaller than n (n > 1).
fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]).
fn mth(d: &[Vec<u8>]) -> Digest {
    match d.len() {
        0 => sha256(&[]),
        1 => sha256(&[&[0x00], &d[0]]),
        n => {
            let k = k_of(n);
            sha256(&[&[0x01], &mth(&d[..k]).0, &mth(&d[k..]).0])
        }
    }
}

/// PATH(m, D[n]).
fn path(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
    let n = d.len();
    if n == 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b).
fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Digest> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

/// PROOF(m, D[n]) for 0 < m < n; the empty proof for the trivial cases (m = 0, m = n) that RFC 6962
/// leaves undefined and the spec fixes.
fn proof(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
    if m == 0 || m == d.len() { vec![] } else { subproof(m, d, true) }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

fn entries(n: usize) -> Vec<Vec<u8>> {
    // Varying lengths, and one empty line, so leaf hashing of the whole line is exercised.
    (0..n)
        .map(
            |i| {
                if i == 3 {
                    Vec::new()
                } else {
                    format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 7)).into_bytes()
                }
            },
        )
        .collect()
}

/// Stored hashes of the records with the given leaf hashes.
fn build(leaves: impl IntoIterator<Item = Digest>) -> Vec<Digest> {
    let mut stored = Vec::new();
    for (i, leaf) in leaves.into_iter().enumerate() {
        let i = i as u64;
        assert_eq!(stored.len() as u64, stored_hash_count(i));
        let add = stored_hashes(i, leaf, &stored).unwrap();
        stored.extend(add);
    }
    stored
}

/// Cheap synthetic leaves for big trees.
fn synthetic_leaf(i: u64) -> Digest {
    leaf_hash(&i.to_be_bytes())
}

/// Bits to flip where flipping every one would only repeat the same check (leaves, roots): the first
/// and last bit of the hash and some in between.
const SOME_BITS: [usize; 6] = [0, 7, 8, 100, 201, 255];

/// Trees up to this size get every single-bit flip of every proof hash; larger ones `SOME_BITS`.
const ALL_BITS_UP_TO: usize = 32;

fn bits_to_flip(tree_size: usize) -> Vec<usize> {
    if tree_size <= ALL_BITS_UP_TO { (0..256).collect() } else { SOME_BITS.to_vec() }
}

fn flip(h: &Digest, bit: usize) -> Digest {
    let mut b = h.0;
    b[bit / 8] ^= 1 << (bit % 8);
    Digest(b)
}

fn hex(s: &str) -> Digest {
    s.parse().unwrap()
}

// ---------------------------------------------------------------------------------------------------
// Against the naive reference

const N: usize = 64;

#[test]
fn roots_match_rfc6962_mth_for_every_size_to_64() {
    let d = entries(N);
    for (i, e) in d.iter().enumerate() {
        assert_eq!(leaf_hash(e), mth(&d[i..=i]), "leaf {i}");
    }
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let mut frontier = Frontier::new();
    assert_eq!(tree_hash(0, &stored).unwrap(), empty_root());
    assert_eq!(frontier.root(), empty_root());
    assert_eq!(empty_root(), mth(&[]));
    for n in 1..=N {
        frontier.push(leaf_hash(&d[n - 1]));
        let want = mth(&d[..n]);
        assert_eq!(tree_hash(n as u64, &stored).unwrap(), want, "size {n}");
        assert_eq!(frontier.size(), n as u64);
        assert_eq!(frontier.root(), want, "frontier size {n}");
    }
}

#[test]
fn inclusion_proofs_match_rfc6962_path_and_verify() {
    let d = entries(N);
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let roots: Vec<Digest> = (0..=N).map(|n| mth(&d[..n])).collect();
    let mut checked = 0;
    for n in 1..=N {
        for m in 0..n {
            let p = prove_inclusion(n as u64, m as u64, &stored).unwrap();
            assert_eq!(p, path(m, &d[..n]), "PATH({m}, D[{n}])");
            let leaf = leaf_hash(&d[m]);
            assert!(verify_inclusion(&leaf, m as u64, n as u64, &p, &roots[n]), "verify {m} in {n}");
            checked += 1;
        }
    }
    assert_eq!(checked, N * (N + 1) / 2);
}

#[test]
fn consistency_proofs_match_rfc6962_proof_and_verify() {
    let d = entries(N);
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let roots: Vec<Digest> = (0..=N).map(|n| mth(&d[..n])).collect();
    for n in 1..=N {
        for m in 0..=n {
            let p = prove_consistency(n as u64, m as u64, &stored).unwrap();
            assert_eq!(p, proof(m, &d[..n]), "PROOF({m}, D[{n}])");
            assert!(verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &p), "verify {m} -> {n}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Tampering: every change must be caught

/// The naive reference's roots, PATHs and PROOFs of the first `N` entries, computed once:
/// `paths[n][m]` = PATH(m, D[n]), `proofs[n][m]` = PROOF(m, D[n]).
struct Naive {
    d: Vec<Vec<u8>>,
    roots: Vec<Digest>,
    paths: Vec<Vec<Vec<Digest>>>,
    proofs: Vec<Vec<Vec<Digest>>>,
}

fn naive() -> Naive {
    let d = entries(N);
    let roots = (0..=N).map(|n| mth(&d[..n])).collect();
    let paths = (0..=N).map(|n| (0..n).map(|m| path(m, &d[..n])).collect()).collect();
    let proofs = (0..=N).map(|n| (0..=n).map(|m| proof(m, &d[..n])).collect()).collect();
    Naive { d, roots, paths, proofs }
}

#[test]
fn tampered_inclusion_proofs_fail() {
    let Naive { d, roots, paths, .. } = naive();
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let junk = Digest::of(b"junk");
    for n in 1..=N {
        for m in 0..n {
            let (nu, mu) = (n as u64, m as u64);
            let p = prove_inclusion(nu, mu, &stored).unwrap();
            let leaf = leaf_hash(&d[m]);
            let root = roots[n];
            // Every single-bit flip of every proof hash (some bits only past ALL_BITS_UP_TO leaves, to
            // keep the debug-build test fast), some of the leaf and of the root.
            for i in 0..p.len() {
                for bit in bits_to_flip(n) {
                    let mut q = p.clone();
                    q[i] = flip(&q[i], bit);
                    assert!(!verify_inclusion(&leaf, mu, nu, &q, &root), "{m} in {n}: proof[{i}] bit {bit}");
                }
            }
            for bit in SOME_BITS {
                assert!(!verify_inclusion(&flip(&leaf, bit), mu, nu, &p, &root));
                assert!(!verify_inclusion(&leaf, mu, nu, &p, &flip(&root, bit)));
            }
            // Extra or missing elements.
            for extra in [junk, root, leaf] {
                let mut q = p.clone();
                q.push(extra);
                assert!(!verify_inclusion(&leaf, mu, nu, &q, &root), "{m} in {n}: trailing element");
                let mut q = p.clone();
                q.insert(0, extra);
                assert!(!verify_inclusion(&leaf, mu, nu, &q, &root), "{m} in {n}: leading element");
            }
            for i in 0..p.len() {
                let mut q = p.clone();
                q.remove(i);
                assert!(!verify_inclusion(&leaf, mu, nu, &q, &root), "{m} in {n}: removed proof[{i}]");
            }
            // Any other index of the same tree (leaves are distinct), or past its end.
            for other in (0..n + 2).filter(|&o| o != m) {
                assert!(!verify_inclusion(&leaf, other as u64, nu, &p, &root), "{m} in {n}: index {other}");
            }
            // Any other tree size, with that tree's real root: valid only if the path is that tree's.
            for other in (m + 1..=N).filter(|&o| o != n) {
                let want = p == paths[other][m];
                assert_eq!(verify_inclusion(&leaf, mu, other as u64, &p, &roots[other]), want, "{m} in {n} as {other}");
                // With the original root: the path length fixes which sizes the algorithm can accept.
                if paths[other][m].len() != p.len() {
                    assert!(!verify_inclusion(&leaf, mu, other as u64, &p, &root), "{m} in {n} as {other}");
                }
            }
            assert!(!verify_inclusion(&leaf, mu, 0, &p, &root));
            assert!(!verify_inclusion(&leaf, mu, u64::MAX, &p, &root));
        }
    }
}

#[test]
fn tampered_consistency_proofs_fail() {
    let Naive { d, roots, proofs, .. } = naive();
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let junk = Digest::of(b"junk");
    for n in 1..=N {
        for m in 1..n {
            let (nu, mu) = (n as u64, m as u64);
            let p = prove_consistency(nu, mu, &stored).unwrap();
            let (r1, r2) = (roots[m], roots[n]);
            for i in 0..p.len() {
                for bit in bits_to_flip(n) {
                    let mut q = p.clone();
                    q[i] = flip(&q[i], bit);
                    assert!(!verify_consistency(mu, nu, &r1, &r2, &q), "{m} -> {n}: proof[{i}] bit {bit}");
                }
            }
            for bit in SOME_BITS {
                assert!(!verify_consistency(mu, nu, &flip(&r1, bit), &r2, &p), "{m} -> {n}: old root bit {bit}");
                assert!(!verify_consistency(mu, nu, &r1, &flip(&r2, bit), &p), "{m} -> {n}: new root bit {bit}");
            }
            assert!(!verify_consistency(mu, nu, &r2, &r1, &p), "{m} -> {n}: swapped roots");
            assert!(!verify_consistency(mu, nu, &r1, &r2, &[]), "{m} -> {n}: empty proof");
            for extra in [junk, r1, r2, p[0]] {
                let mut q = p.clone();
                q.push(extra);
                assert!(!verify_consistency(mu, nu, &r1, &r2, &q), "{m} -> {n}: trailing element");
                let mut q = p.clone();
                q.insert(0, extra);
                assert!(!verify_consistency(mu, nu, &r1, &r2, &q), "{m} -> {n}: leading element");
            }
            for i in 0..p.len() {
                let mut q = p.clone();
                q.remove(i);
                assert!(!verify_consistency(mu, nu, &r1, &r2, &q), "{m} -> {n}: removed proof[{i}]");
            }
            // Other sizes with those trees' real roots: valid only if the proof is theirs.
            for other in 0..=n {
                if other != m {
                    let want = p == proofs[n][other];
                    let got = verify_consistency(other as u64, nu, &roots[other], &r2, &p);
                    assert_eq!(got, want, "{m} -> {n} as {other} -> {n}");
                }
            }
            for other in m..=N {
                if other != n {
                    let want = p == proofs[other][m];
                    let got = verify_consistency(mu, other as u64, &r1, &roots[other], &p);
                    assert_eq!(got, want, "{m} -> {n} as {m} -> {other}");
                }
            }
            // With the original roots: the proof length fixes which sizes the algorithm can accept.
            for (other, their) in proofs[n].iter().enumerate().take(n).skip(1) {
                if other != m && their.len() != p.len() {
                    assert!(!verify_consistency(other as u64, nu, &r1, &r2, &p), "{m} -> {n} as {other} -> {n}");
                }
            }
            assert!(!verify_consistency(nu, mu, &r2, &r1, &p), "{m} -> {n}: backwards");
            assert!(!verify_consistency(mu, u64::MAX, &r1, &r2, &p));
        }
    }
}

#[test]
fn edge_cases_per_rfc9162_and_spec() {
    let d = entries(5);
    let stored = build(d.iter().map(|e| leaf_hash(e)));
    let e = empty_root();
    let leaf0 = leaf_hash(&d[0]);
    let r1 = tree_hash(1, &stored).unwrap();
    let r5 = tree_hash(5, &stored).unwrap();
    let junk = Digest::of(b"junk");

    // Inclusion: nothing is in the empty tree (RFC 9162 §2.1.3.2 step 1), whatever the proof.
    for idx in [0, 1, u64::MAX] {
        assert!(!verify_inclusion(&leaf0, idx, 0, &[], &leaf0));
        assert!(!verify_inclusion(&e, idx, 0, &[], &e));
    }
    // One-leaf tree: empty proof, root = leaf hash.
    assert_eq!(r1, leaf0);
    assert!(verify_inclusion(&leaf0, 0, 1, &[], &r1));
    assert!(!verify_inclusion(&leaf0, 0, 1, &[junk], &r1));
    assert!(!verify_inclusion(&leaf0, 1, 1, &[], &r1));
    assert!(!verify_inclusion(&junk, 0, 1, &[], &r1));
    assert!(prove_inclusion(0, 0, &stored).is_err());
    assert!(prove_inclusion(5, 5, &stored).is_err());
    assert_eq!(prove_inclusion(1, 0, &stored).unwrap(), vec![]);

    // Consistency, old size 0: the empty proof, an old root that is the empty tree's, any new root.
    assert!(verify_consistency(0, 0, &e, &e, &[]));
    assert!(!verify_consistency(0, 0, &e, &junk, &[]));
    assert!(!verify_consistency(0, 0, &junk, &junk, &[]));
    assert!(!verify_consistency(0, 0, &e, &e, &[e]));
    assert!(verify_consistency(0, 5, &e, &r5, &[]));
    assert!(verify_consistency(0, 5, &e, &junk, &[]));
    assert!(!verify_consistency(0, 5, &junk, &r5, &[]));
    assert!(!verify_consistency(0, 5, &e, &r5, &[r5]));
    assert!(!verify_consistency(0, 1, &e, &r1, &[e]));
    assert_eq!(prove_consistency(5, 0, &stored).unwrap(), vec![]);
    // Equal sizes: the empty proof and equal roots.
    assert!(verify_consistency(5, 5, &r5, &r5, &[]));
    assert!(verify_consistency(1, 1, &r1, &r1, &[]));
    assert!(!verify_consistency(5, 5, &r5, &junk, &[]));
    assert!(!verify_consistency(5, 5, &r5, &r5, &[r5]));
    assert!(!verify_consistency(1, 1, &r1, &r1, &[e]));
    assert_eq!(prove_consistency(5, 5, &stored).unwrap(), vec![]);
    // 0 < first < second: an empty proof always fails (RFC 9162 §2.1.4.2 step 1), even for first = 1.
    assert!(!verify_consistency(1, 5, &r1, &r5, &[]));
    assert!(!verify_consistency(1, 1 << 40, &r1, &r5, &[]));
    // Backwards.
    assert!(!verify_consistency(5, 1, &r5, &r1, &[]));
    assert!(!verify_consistency(1, 0, &r1, &e, &[]));
    assert!(prove_consistency(1, 5, &stored).is_err());
}

// ---------------------------------------------------------------------------------------------------
// Known answers: the RFC 6962 test data of the Certificate Transparency implementations, as published
// in transparency-dev/merkle proof/verify_test.go (commit 02194e9afb6c1d95b5381350007963aa70fff472;
// the same leaves and roots are in google/certificate-transparency python/ct/crypto/merkle_test.py).

const CT_LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (0-based leaf index, tree size, audit path). The Go file numbers leaves from 1.
const CT_INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CT_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

#[test]
fn certificate_transparency_known_answers() {
    let data: Vec<Vec<u8>> = CT_LEAVES.iter().map(|h| ::hex::decode(h).unwrap()).collect();
    let stored = build(data.iter().map(|e| leaf_hash(e)));
    assert_eq!(empty_root(), hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let mut frontier = Frontier::new();
    for (i, want) in CT_ROOTS.iter().enumerate() {
        frontier.push(leaf_hash(&data[i]));
        assert_eq!(tree_hash(i as u64 + 1, &stored).unwrap(), hex(want), "root of size {}", i + 1);
        assert_eq!(frontier.root(), hex(want));
        assert_eq!(mth(&data[..=i]), hex(want));
    }
    let root = |n: u64| hex(CT_ROOTS[n as usize - 1]);
    for (index, size, want) in CT_INCLUSION {
        let want: Vec<Digest> = want.iter().map(|h| hex(h)).collect();
        assert_eq!(prove_inclusion(size, index, &stored).unwrap(), want, "inclusion {index} in {size}");
        assert!(verify_inclusion(&leaf_hash(&data[index as usize]), index, size, &want, &root(size)));
    }
    for (old, new, want) in CT_CONSISTENCY {
        let want: Vec<Digest> = want.iter().map(|h| hex(h)).collect();
        assert_eq!(prove_consistency(new, old, &stored).unwrap(), want, "consistency {old} -> {new}");
        assert!(verify_consistency(old, new, &root(old), &root(new), &want));
    }
}

// ---------------------------------------------------------------------------------------------------
// Proofs read O(log n) stored hashes, in one call

/// Counts calls and hashes read; serves a synthetic hash for any index, so trees of any size can be
/// "read" without building them.
struct Counting<'a> {
    stored: Option<&'a [Digest]>,
    calls: Cell<usize>,
    reads: Cell<usize>,
}

impl<'a> Counting<'a> {
    fn new(stored: Option<&'a [Digest]>) -> Self {
        Counting { stored, calls: Cell::new(0), reads: Cell::new(0) }
    }
    fn take(&self) -> (usize, usize) {
        (self.calls.replace(0), self.reads.replace(0))
    }
}

impl HashReader for Counting<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Digest>, String> {
        self.calls.set(self.calls.get() + 1);
        self.reads.set(self.reads.get() + indexes.len());
        match self.stored {
            Some(s) => s.read_hashes(indexes),
            None => Ok(indexes.iter().map(|i| Digest::of(&i.to_be_bytes())).collect()),
        }
    }
}

fn log2_ceil(n: u64) -> usize {
    (64 - n.saturating_sub(1).leading_zeros()) as usize
}

#[test]
fn proofs_read_logarithmically_many_hashes() {
    let stored = build((0..600).map(synthetic_leaf));
    let r = Counting::new(Some(&stored));
    for n in 1..=600u64 {
        let bound = 2 * log2_ceil(n) + 1;
        tree_hash(n, &r).unwrap();
        let (calls, reads) = r.take();
        assert!(calls == 1 && reads == n.count_ones() as usize, "tree_hash({n}): {calls} calls, {reads} reads");
        for m in 0..n {
            let p = prove_inclusion(n, m, &r).unwrap();
            let (calls, reads) = r.take();
            assert!(calls <= 1 && reads <= bound && reads >= p.len(), "inclusion {m} in {n}: {calls}/{reads}");
            let p = prove_consistency(n, m + 1, &r).unwrap();
            let (calls, reads) = r.take();
            assert!(calls <= 1 && reads <= bound && reads >= p.len(), "consistency {} -> {n}: {calls}/{reads}", m + 1);
        }
    }
    // Huge trees, never built: the reads stay logarithmic.
    let r = Counting::new(None);
    for n in [(1u64 << 40) + 12345, (1 << 62) - 1, u64::MAX / 2, 1 << 63] {
        for m in [0, 1, 255, n / 3, n / 2, n - 2, n - 1] {
            let p = prove_inclusion(n, m, &r).unwrap();
            let (calls, reads) = r.take();
            assert!(calls == 1 && reads <= 2 * log2_ceil(n) + 1 && p.len() <= log2_ceil(n), "{m} in {n}: {reads}");
            let p = prove_consistency(n, m + 1, &r).unwrap();
            let (calls, reads) = r.take();
            assert!(calls <= 1 && reads <= 2 * log2_ceil(n) + 1 && p.len() <= log2_ceil(n) + 1, "{m}+1 -> {n}");
        }
    }
}

#[test]
fn stored_hashes_reads_only_completed_subtrees() {
    let stored = build((0..300).map(synthetic_leaf));
    let r = Counting::new(Some(&stored));
    for n in 0..256u64 {
        let add = stored_hashes(n, synthetic_leaf(n), &r).unwrap();
        let (_, reads) = r.take();
        assert_eq!(reads, n.trailing_ones() as usize);
        assert_eq!(add.len(), 1 + reads);
        let at = stored_hash_count(n) as usize;
        assert_eq!(add, stored[at..at + add.len()]);
    }
}

// ---------------------------------------------------------------------------------------------------
// Tiles

#[test]
fn tiles_for_70000_match_tlog_tiles_example() {
    let tiles = tiles_for_size(70_000);
    let count = |level: u32, full: bool| {
        tiles.iter().filter(|t| t.level == level && (t.width == TILE_WIDTH) == full).collect::<Vec<_>>()
    };
    assert_eq!(count(0, true).len(), 273);
    assert_eq!(count(0, false), [&Tile { level: 0, n: 273, width: 112 }]);
    assert_eq!(count(1, true), [&Tile { level: 1, n: 0, width: 256 }]);
    assert_eq!(count(1, false), [&Tile { level: 1, n: 1, width: 17 }]);
    assert_eq!(count(2, true).len(), 0);
    assert_eq!(count(2, false), [&Tile { level: 2, n: 0, width: 1 }]);
    assert_eq!(tiles.len(), 273 + 1 + 1 + 1 + 1);
    assert!(tiles.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of
    // width 1" (tlog-tiles "Partial Tiles").
    assert_eq!(tiles_for_size(256), [Tile { level: 0, n: 0, width: 256 }, Tile { level: 1, n: 0, width: 1 }]);
    assert_eq!(tiles_for_size(0), []);
    assert_eq!(tiles_for_size(1), [Tile { level: 0, n: 0, width: 1 }]);
    // The 2^56th leaf completes one full tile on each of levels 0..=6 and starts level 7, the last
    // level a 64-bit tree has; the shifts past 64 bits must not panic.
    let mut want: Vec<Tile> = (0..7).map(|l| Tile { level: l, n: (1 << (48 - 8 * l)) - 1, width: 256 }).collect();
    want.push(Tile { level: 7, n: 0, width: 1 });
    assert_eq!(new_tiles((1 << 56) - 1, 1 << 56), want);
    assert_eq!(new_tiles(u64::MAX - 1, u64::MAX), [Tile { level: 0, n: u64::MAX >> 8, width: 255 }]);
    assert_eq!(new_tiles(5, 5), []);
}

#[test]
fn new_tiles_cover_growth() {
    let sizes: Vec<u64> = (0..=600).chain([65_535, 65_536, 65_537, 70_000, 131_072]).collect();
    for &old in &sizes {
        for &new in sizes.iter().filter(|&&s| s >= old && s <= old + 70_000) {
            if old > 600 && new > 600 && old % 7 != 0 {
                continue;
            }
            let after = tiles_for_size(new);
            let before = tiles_for_size(old);
            let added = new_tiles(old, new);
            for t in &added {
                assert!(after.contains(t), "{old} -> {new}: {t:?} is not a tile of {new}");
            }
            for t in &after {
                assert!(before.contains(t) || added.contains(t), "{old} -> {new}: {t:?} missing");
            }
        }
    }
}

#[test]
fn tile_paths() {
    let t = |level, n, width| Tile { level, n, width };
    let cases = [
        (t(0, 1_234_067, 256), "tile/0/x001/x234/067"),
        (t(4, 1_234_067, 1), "tile/4/x001/x234/067.p/1"),
        (t(0, 0, 256), "tile/0/000"),
        (t(1, 999, 255), "tile/1/999.p/255"),
        (t(0, 1000, 256), "tile/0/x001/000"),
        (t(2, 5, 17), "tile/2/005.p/17"),
        (t(63, 0, 1), "tile/63/000.p/1"),
        (t(0, u64::MAX, 256), "tile/0/x018/x446/x744/x073/x709/x551/615"),
    ];
    for (tile, path) in cases {
        assert_eq!(tile.path(), path);
        assert_eq!(Tile::parse_path(path), Some(tile), "{path}");
    }
    assert_eq!(t(0, 1_234_067, 112).entries_path(), "tile/entries/x001/x234/067.p/112");
    assert_eq!(t(0, 7, 256).entries_path(), "tile/entries/007");
    assert_eq!(Tile::parse_entries_path("tile/entries/x001/x234/067.p/112"), Some(t(0, 1_234_067, 112)));
    assert_eq!(Tile::parse_entries_path("tile/entries/007"), Some(t(0, 7, 256)));
    for tile in tiles_for_size(70_000) {
        assert_eq!(Tile::parse_path(&tile.path()), Some(tile));
    }
    for bad in [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/1",
        "tile/0/x000/001",
        "tile/0/001/234",
        "tile/0/x001/x234",
        "tile/0/y001/234",
        "tile/0/x01/234",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/012",
        "tile/0/000.p/",
        "tile/0/000.p/1/2",
        "tile/0/000.p",
        "tile/0/000/",
        "/tile/0/000",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        "tile/entries/000",
        "tile/data/000",
        "tiles/0/000",
        "tile/0/OOO",
        "tile/0/00１",
    ] {
        assert_eq!(Tile::parse_path(bad), None, "{bad:?}");
    }
    for bad in ["tile/entries/", "tile/entries/0", "tile/entries/000.p/256", "tile/0/000", "tile/entries/x000/000"] {
        assert_eq!(Tile::parse_entries_path(bad), None, "{bad:?}");
    }
}

/// Tile bytes of every tile of the tree of `size`, from stored hashes (what a log writes to disk).
fn tile_files(size: u64, stored: &[Digest]) -> HashMap<Tile, Vec<u8>> {
    tiles_for_size(size).into_iter().map(|t| (t, read_tile_data(t, stored).unwrap())).collect()
}

/// A fetcher over `files` that fails for any tile the tree does not have.
fn fetcher(files: &HashMap<Tile, Vec<u8>>) -> impl Fn(Tile) -> Result<Vec<u8>, String> + '_ {
    move |t| files.get(&t).cloned().ok_or_else(|| format!("no tile {}", t.path()))
}

#[test]
fn tile_contents_follow_tlog_tiles() {
    let stored = build((0..65_537).map(synthetic_leaf));
    let files = tile_files(65_537, &stored);
    // Level 0 holds leaf hashes.
    let t0 = &files[&Tile { level: 0, n: 3, width: 256 }];
    assert_eq!(t0.len(), 8192);
    for i in 0..256 {
        assert_eq!(t0[i * 32..(i + 1) * 32], synthetic_leaf(3 * 256 + i as u64).0);
    }
    // Level 1 hash j is the MTH of full level-0 tile j (= the root of the tree of its 256 leaves).
    let t1 = &files[&Tile { level: 1, n: 0, width: 256 }];
    let sub = build((0..256).map(|i| synthetic_leaf(17 * 256 + i)));
    assert_eq!(t1[17 * 32..18 * 32], tree_hash(256, &sub).unwrap().0);
    // Level 2's only hash is the MTH of the first 65,536 leaves.
    assert_eq!(files[&Tile { level: 2, n: 0, width: 1 }], tree_hash(65_536, &stored).unwrap().0);
    // The partial level-0 tile holds the one leaf past it.
    assert_eq!(files[&Tile { level: 0, n: 256, width: 1 }], synthetic_leaf(65_536).0);
}

#[test]
fn tile_hash_reader_matches_stored_hashes_around_tile_boundaries() {
    let stored = build((0..70_000).map(synthetic_leaf));
    for size in [1u64, 2, 3, 255, 256, 257, 259, 511, 512, 513, 65_535, 65_536, 65_537, 70_000] {
        let files = tile_files(size, &stored);
        let root = tree_hash(size, &stored).unwrap();
        let fetches = Cell::new(0usize);
        let fetch = fetcher(&files);
        let tiles = TileHashReader::new(size, root, |t| {
            fetches.set(fetches.get() + 1);
            fetch(t)
        });
        assert_eq!(tree_hash(size, &tiles).unwrap(), root, "size {size}");

        let mut sample: Vec<u64> = if size <= 600 {
            (0..size).collect()
        } else {
            [0, 1, 2, 254, 255, 256, 257, 511, 512, 65_279, 65_280, 65_535, 65_536, size / 2, size - 2, size - 1]
                .into_iter()
                .chain((0..size).step_by(997))
                .filter(|&i| i < size)
                .collect()
        };
        sample.sort_unstable();
        sample.dedup();
        for &i in &sample {
            let p = prove_inclusion(size, i, &tiles).unwrap();
            assert_eq!(p, prove_inclusion(size, i, &stored).unwrap(), "inclusion {i} in {size}");
            assert!(verify_inclusion(&synthetic_leaf(i), i, size, &p, &root));
            let old = i + 1;
            let p = prove_consistency(size, old, &tiles).unwrap();
            assert_eq!(p, prove_consistency(size, old, &stored).unwrap(), "consistency {old} -> {size}");
            assert!(verify_consistency(old, size, &tree_hash(old, &stored).unwrap(), &root, &p));
        }
        // A few tiles per call: the edge tiles plus one tile and its ancestors per level.
        assert!(fetches.get() <= (sample.len() * 2 + 1) * 8, "size {size}: {} fetches", fetches.get());

        // Every tile can be rebuilt through the reader (what a mirror does).
        if size <= 600 || size == 65_537 {
            for (t, bytes) in &files {
                assert_eq!(&read_tile_data(*t, &tiles).unwrap(), bytes, "size {size}: tile {}", t.path());
            }
        }
    }
}

#[test]
fn tile_hash_reader_rejects_tampered_tiles() {
    let stored = build((0..65_537).map(synthetic_leaf));
    for size in [2u64, 3, 255, 256, 257, 259, 513, 65_537] {
        let files = tile_files(size, &stored);
        let root = tree_hash(size, &stored).unwrap();
        for (k, (&t, bytes)) in files.iter().enumerate() {
            let w = t.width as usize;
            // Flip one bit of one byte of one hash (varying which), then ask for that hash and for a
            // neighbour in the same tile: both need the tile, and both must be refused.
            let hash_at = k * 7 % w;
            let byte = hash_at * 32 + k % 32;
            let mut bad = files.clone();
            bad.get_mut(&t).unwrap()[byte] ^= 1 << (k % 8);
            let tiles = TileHashReader::new(size, root, fetcher(&bad));
            let first = t.n * 256;
            for pos in [hash_at, (hash_at + 1) % w] {
                let index = stored_hash_index(t.level * TILE_HEIGHT, first + pos as u64);
                let got = tiles.read_hashes(&[index]);
                assert!(got.is_err(), "size {size}: tile {} byte {byte} flipped, read {pos}: {got:?}", t.path());
            }
            assert_eq!(bytes.len(), w * 32);
        }
    }
}

#[test]
fn tile_hash_reader_checks_every_tile_it_did_not_get_from_the_root() {
    // Tree of 259: the root's right-edge subtrees are 256 + 2 + 1 leaves, in two tiles (tile/1/000.p/1
    // and tile/0/001.p/3). Reading leaf 5 also needs tile/0/000, vouched for by tile/1/000.p/1. A
    // reader that counted edge *hashes* (3) instead of edge *tiles* (2) when deciding which tiles still
    // need checking against their parent would skip exactly this one (as Go tlog's tileHashReader
    // appears to).
    let stored = build((0..259).map(synthetic_leaf));
    let root = tree_hash(259, &stored).unwrap();
    let mut files = tile_files(259, &stored);
    let t = Tile { level: 0, n: 0, width: 256 };
    let forged = Digest::of(b"forged leaf");
    files.get_mut(&t).unwrap()[5 * 32..6 * 32].copy_from_slice(&forged.0);
    let tiles = TileHashReader::new(259, root, fetcher(&files));
    let got = tiles.read_hashes(&[stored_hash_index(0, 5)]);
    assert!(got.is_err(), "{got:?}");
    assert!(prove_inclusion(259, 5, &tiles).is_err());
    assert!(prove_inclusion(259, 100, &tiles).is_err());
    // Hashes from the untouched tiles are still served.
    assert_eq!(tiles.read_hashes(&[stored_hash_index(0, 258)]).unwrap(), [synthetic_leaf(258)]);
}

#[test]
fn tile_hash_reader_rejects_wrong_roots_sizes_and_fetch_errors() {
    let stored = build((0..600).map(synthetic_leaf));
    let files = tile_files(600, &stored);
    let root = tree_hash(600, &stored).unwrap();
    let leaf = [stored_hash_index(0, 10)];

    let wrong_root = TileHashReader::new(600, flip(&root, 0), fetcher(&files));
    assert!(wrong_root.read_hashes(&leaf).is_err());
    assert!(tree_hash(600, &wrong_root).is_err());

    // Tiles of the tree of 600 offered as the tree of 599 (with 599's root): the partial tiles have the
    // wrong width, so nothing is served.
    let smaller = TileHashReader::new(599, tree_hash(599, &stored).unwrap(), fetcher(&files));
    assert!(smaller.read_hashes(&leaf).is_err());

    for delta in [-32isize, -1, 1, 32] {
        let mut bad = files.clone();
        let t = Tile { level: 0, n: 0, width: 256 };
        let v = bad.get_mut(&t).unwrap();
        if delta < 0 {
            v.truncate((v.len() as isize + delta) as usize);
        } else {
            v.extend(std::iter::repeat_n(0u8, delta as usize));
        }
        let tiles = TileHashReader::new(600, root, fetcher(&bad));
        let err = tiles.read_hashes(&leaf).unwrap_err();
        assert!(err.contains("bytes"), "{err}");
    }

    let failing = TileHashReader::new(600, root, |t: Tile| Err(format!("offline: {}", t.path())));
    assert!(failing.read_hashes(&leaf).unwrap_err().contains("offline"));
    assert_eq!(failing.tree_size(), 600);
    assert_eq!(failing.root(), root);

    let ok = TileHashReader::new(600, root, fetcher(&files));
    assert!(ok.read_hashes(&[stored_hash_count(600)]).is_err());
    assert_eq!(ok.read_hashes(&leaf).unwrap(), [synthetic_leaf(10)]);
}
