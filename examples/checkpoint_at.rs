//! Signs a checkpoint (spec/transparency.md §3) of the first SIZE lines of a ledger with an owner's
//! unencrypted key file, without building the ledger's index: for benchmarks of `audit --state`
//! on generated ledgers (bench/run, P8), where `colophon checkpoint` would first index a million
//! lines. `cargo run --release --example checkpoint_at -- LEDGER SIZE OWNER.key OUT`.

use colophon::format::entry::parse_line;
use colophon::format::hash::leaf_hash;
use std::io::BufRead;

fn fail(m: String) -> ! {
    eprintln!("checkpoint_at: {m}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        fail("usage: checkpoint_at LEDGER SIZE OWNER.key OUT".into());
    }
    let size: u64 = args[2].parse().unwrap_or_else(|_| fail("SIZE must be a number".into()));
    let key = colophon::format::keys::SecretKeyFile::read(std::path::Path::new(&args[3]))
        .and_then(|f| f.unlock(None))
        .unwrap_or_else(|e| fail(format!("{}: {e}", args[3])));
    let file = std::fs::File::open(&args[1]).unwrap_or_else(|e| fail(format!("{}: {e}", args[1])));
    let mut frontier = colophon::log::merkle::Frontier::new();
    let mut origin = None;
    for line in std::io::BufReader::with_capacity(1 << 20, file).split(b'\n').take(size as usize) {
        let line = line.unwrap_or_else(|e| fail(format!("{}: {e}", args[1])));
        let leaf = match parse_line(&line) {
            Ok(p) => {
                if let colophon::format::entry::Body::Genesis(g) = &p.entry.body {
                    origin.get_or_insert(g.origin.clone());
                }
                p.leaf
            }
            Err(_) => leaf_hash(&line),
        };
        frontier.push(leaf);
    }
    if frontier.size() != size {
        fail(format!("{} has only {} lines", args[1], frontier.size()));
    }
    let origin = origin.unwrap_or_else(|| fail("the ledger has no genesis".into()));
    let cp = colophon::log::checkpoint::Checkpoint {
        origin: origin.clone(),
        size,
        root: frontier.root(),
        extensions: Vec::new(),
    };
    let text = cp.to_text();
    let sig = colophon::log::note::sign(&text, &origin, &key.signing).unwrap_or_else(|e| fail(e.to_string()));
    let note = colophon::log::note::Note { text, sigs: vec![sig] }.to_bytes();
    std::fs::write(&args[4], note).unwrap_or_else(|e| fail(format!("{}: {e}", args[4])));
}
