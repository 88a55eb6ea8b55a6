//! The P2 baseline of bench/run: a single-core loop of `verify_strict` over every signature of a
//! ledger, timed after everything else (reading, parsing, finding keys) is done, so it measures
//! exactly the signature checks an audit must make.
//!
//! `cargo run --release --example verify_baseline -- LEDGER` prints `<signatures> <seconds>`.

use colophon::format::entry::{Body, parse_line};
use colophon::format::keys::KeyId;
use std::collections::HashMap;
use std::io::BufRead;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: verify_baseline LEDGER");
        std::process::exit(2);
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut keys: HashMap<KeyId, ed25519_dalek::VerifyingKey> = HashMap::new();
    let mut jobs = Vec::new();
    for line in std::io::BufReader::with_capacity(1 << 20, file).split(b'\n') {
        let Ok(line) = line else { break };
        let Ok(p) = parse_line(&line) else { continue };
        match &p.entry.body {
            Body::Genesis(g) => {
                keys.insert(g.key.id(), g.key.0);
            }
            Body::Key(k) => {
                keys.insert(k.key.id(), k.key.0);
            }
            _ => {}
        }
        if let Some(k) = keys.get(&p.entry.signer) {
            let msg = colophon::format::signing::pae(colophon::format::signing::PAYLOAD_TYPE, &p.signed_bytes);
            jobs.push((*k, msg, ed25519_dalek::Signature::from_bytes(&p.entry.sig)));
        }
    }
    let start = std::time::Instant::now();
    let mut ok = 0u64;
    for (k, msg, sig) in &jobs {
        if k.verify_strict(msg, sig).is_ok() {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{ok} {secs:.3}");
}
