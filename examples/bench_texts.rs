//! Test texts for bench/run: `bench_texts DIR` writes a5.txt/b5.txt (5 MB of prose-like text and
//! a copy with 1% of its lines changed) and u1.txt/u2.txt (two unrelated 2 MB texts with blank
//! lines between paragraphs, as real prose has). Deterministic, no randomness from the OS.

use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*), enough for test text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn words(rng: &mut Rng) -> Vec<String> {
    (0..4000)
        .map(|_| {
            let len = 2 + rng.below(8);
            (0..len).map(|_| char::from(b'a' + rng.below(26) as u8)).collect()
        })
        .collect()
}

fn line(rng: &mut Rng, words: &[String]) -> String {
    let mut s = String::new();
    for i in 0..4 + rng.below(11) {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&words[rng.below(words.len() as u64) as usize]);
    }
    s.push('\n');
    s
}

fn text(seed: u64, size: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    let words = words(&mut rng);
    let mut out = Vec::new();
    let mut n = 0;
    while n < size {
        let l = if rng.below(4) == 0 { "\n".to_string() } else { line(&mut rng, &words) };
        n += l.len();
        out.push(l);
    }
    out
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let a = text(1, 5_000_000);
    let mut b = a.clone();
    let mut rng = Rng(99);
    let words = words(&mut rng);
    let edits = b.len() / 100;
    for _ in 0..edits {
        let i = rng.below(b.len() as u64) as usize;
        b[i] = line(&mut rng, &words);
    }
    let join = |v: &[String]| {
        v.iter().fold(String::new(), |mut s, l| {
            let _ = write!(s, "{l}");
            s
        })
    };
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    };
    write("a5.txt", join(&a));
    write("b5.txt", join(&b));
    write("u1.txt", join(&text(2, 2_000_000)));
    write("u2.txt", join(&text(3, 2_000_000)));
}
