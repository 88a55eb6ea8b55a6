//! In-process kernels (see bench/README.md for whole-command figures against baselines):
//! content hashing, line parsing, signature checks single and batched, diff scripts, normalization.

use colophon::format::diff::Script;
use colophon::format::entry::{Body, Entry, Genesis, parse_line};
use colophon::format::hash::{Digest, sha256_stream};
use colophon::format::keys::SecretKey;
use colophon::format::normalize::Profile;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn text(lines: usize) -> String {
    (0..lines).map(|i| format!("Line {i} of a text that is about as long as a line of prose, più o meno.\n")).collect()
}

fn hashing(c: &mut Criterion) {
    let data = vec![7u8; 64 << 20];
    let mut g = c.benchmark_group("sha256");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("stream 64 MiB", |b| b.iter(|| sha256_stream(black_box(&data[..]), |_| {})));
    g.finish();
}

fn lines(c: &mut Criterion) {
    let k = SecretKey::from_seed(&[1; 32], "Owner");
    let genesis = Entry::sign(
        0,
        None,
        "2026-01-01T00:00:00Z".into(),
        Body::Genesis(Genesis { origin: "bench.example/x".into(), name: "Owner".into(), key: k.public() }),
        &k,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v = colophon::log::content::text_version(
        "w",
        colophon::format::entry::TextRole::Original,
        "it",
        "",
        &text(20),
        None,
        None,
    );
    let version = Entry::sign(1, Some(Digest::of(b"x")), "2026-01-01T00:00:00Z".into(), Body::Version(Box::new(v)), &k)
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = [genesis.to_line().unwrap_or_default(), version.to_line().unwrap_or_default()];
    let mut g = c.benchmark_group("parse_line");
    for (name, line) in ["genesis", "version"].iter().zip(&lines) {
        g.throughput(Throughput::Bytes(line.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), line, |b, l| b.iter(|| parse_line(black_box(l))));
    }
    g.finish();

    let p = parse_line(&lines[1]).unwrap_or_else(|e| panic!("{e:?}"));
    let msg = colophon::format::signing::pae(colophon::format::signing::PAYLOAD_TYPE, &p.signed_bytes);
    let vk = k.public().0;
    let sig = ed25519_dalek::Signature::from_bytes(&p.entry.sig);
    let mut g = c.benchmark_group("ed25519");
    g.bench_function("verify_strict", |b| b.iter(|| vk.verify_strict(black_box(&msg), &sig)));
    let n = 256;
    let msgs: Vec<&[u8]> = (0..n).map(|_| msg.as_slice()).collect();
    let sigs = vec![sig; n];
    let keys = vec![vk; n];
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("verify_batch 256", |b| b.iter(|| ed25519_dalek::verify_batch(&msgs, &sigs, &keys)));
    g.finish();
}

fn diffs(c: &mut Criterion) {
    let a = text(20_000);
    let b: String = a
        .lines()
        .enumerate()
        .map(|(i, l)| if i % 100 == 7 { "changed\n".to_string() } else { format!("{l}\n") })
        .collect();
    let s = Script::compute(&a, &b);
    let mut g = c.benchmark_group("diff");
    g.throughput(Throughput::Bytes(a.len() as u64));
    g.sample_size(10);
    g.bench_function("compute 1% edits", |bench| bench.iter(|| Script::compute(black_box(&a), black_box(&b))));
    g.bench_function("apply", |bench| bench.iter(|| s.apply(black_box(&a))));
    g.finish();
}

fn normalization(c: &mut Criterion) {
    let t = text(20_000);
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(t.len() as u64));
    g.sample_size(10);
    for p in Profile::ALL {
        g.bench_function(p.id(), |b| b.iter(|| p.apply(black_box(&t))));
    }
    g.finish();
}

criterion_group!(benches, hashing, lines, diffs, normalization);
criterion_main!(benches);
