//! A ledger's lines and their chain (spec/ledger.md §7): the file is split into lines at LF, a
//! line over 64 MiB is skipped, bytes after the last LF are a torn line (an interrupted append,
//! §7.2); every entry names its predecessor's hash and follows its seq (§7.1). Reads any
//! [`BufRead`], so a file, a bundle's bytes or a download all pass through the same code.

use crate::format::entry::ParsedLine;
use crate::format::hash::Digest;
use crate::format::status::Code;
use std::io::{self, BufRead, Read};

/// The longest line a verifier must accept (§7.1): 64 MiB.
pub const MAX_LINE_LEN: usize = 64 << 20;

/// One complete line of the file.
#[derive(Clone, Debug)]
pub struct RawLine {
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the line's first byte.
    pub offset: u64,
    /// The line without its newline.
    pub bytes: Vec<u8>,
}

/// An item produced by [`Lines`].
#[derive(Clone, Debug)]
pub enum Item {
    /// A complete line.
    Line(RawLine),
    /// A line over [`MAX_LINE_LEN`], skipped.
    TooLong {
        /// 1-based line number.
        number: u64,
        /// Byte offset.
        offset: u64,
    },
    /// Bytes after the last newline: an interrupted append (§7.2).
    Torn(Torn),
}

/// A torn line: bytes after the last newline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Torn {
    /// The line number it would have had.
    pub number: u64,
    /// Its offset (= length of the complete part of the file).
    pub offset: u64,
    /// How many bytes it has.
    pub len: u64,
}

/// Iterates over the lines of a ledger (§7.2), never holding more than one line in memory.
#[derive(Debug)]
pub struct Lines<R> {
    r: R,
    number: u64,
    offset: u64,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Reads lines from `r`, which starts at offset 0 of the file.
    pub fn new(r: R) -> Lines<R> {
        Lines { r, number: 0, offset: 0, done: false }
    }

    /// Reads lines from `r`, which starts at byte `offset` of the file, the start of line `number`.
    pub fn starting_at(r: R, offset: u64, number: u64) -> Lines<R> {
        Lines { r, number: number.saturating_sub(1), offset, done: false }
    }

    fn skip_rest_of_line(&mut self) -> io::Result<u64> {
        let mut skipped = 0u64;
        loop {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Ok(skipped);
            }
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                self.r.consume(i + 1);
                return Ok(skipped + i as u64 + 1);
            }
            let n = buf.len();
            self.r.consume(n);
            skipped += n as u64;
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<io::Result<Item>> {
        if self.done {
            return None;
        }
        let mut bytes = Vec::new();
        let limit = (MAX_LINE_LEN + 1) as u64;
        let n = match (&mut self.r).take(limit).read_until(b'\n', &mut bytes) {
            Ok(n) => n,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        if n == 0 {
            self.done = true;
            return None;
        }
        self.number += 1;
        let offset = self.offset;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            self.offset += n as u64;
            return Some(Ok(Item::Line(RawLine { number: self.number, offset, bytes })));
        }
        if bytes.len() > MAX_LINE_LEN {
            let rest = match self.skip_rest_of_line() {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            self.offset += n as u64 + rest;
            return Some(Ok(Item::TooLong { number: self.number, offset }));
        }
        self.done = true;
        Some(Ok(Item::Torn(Torn { number: self.number, offset, len: n as u64 })))
    }
}

/// The last entry of a ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Its seq.
    pub seq: u64,
    /// Its hash.
    pub hash: Digest,
}

/// The chain rules (§7.1): seq increments by one from 0, `prev` is the previous line's hash.
pub fn check_chain(head: Option<&Head>, p: &ParsedLine) -> Result<(), (Code, String)> {
    let e = &p.entry;
    match head {
        None => {
            if e.seq != 0 {
                return Err((Code::EntrySeqMismatch, format!("the first entry must have seq 0, not {}", e.seq)));
            }
            if e.prev.is_some() {
                return Err((Code::EntryPrevMismatch, "the first entry must not have `prev`".into()));
            }
        }
        Some(h) => {
            if Some(e.seq) != h.seq.checked_add(1) {
                return Err((Code::EntrySeqMismatch, format!("seq {} does not follow {}", e.seq, h.seq)));
            }
            if e.prev != Some(h.hash) {
                return Err((
                    Code::EntryPrevMismatch,
                    format!("`prev` must be {}, the hash of the previous line", h.hash),
                ));
            }
        }
    }
    Ok(())
}

/// Reads a ledger's line at a known place (its offset and length, from an index): a ledger file
/// (`crate::store::ledger::LedgerFile`), or a ledger's bytes in memory. The place is only a hint:
/// a length past the longest line (§7.1) or past the end is refused before any memory is taken
/// for it, and callers check the bytes hash to the entry they wanted.
pub trait LineAt: std::fmt::Debug {
    /// The `len` bytes at `offset`.
    fn line_at(&self, offset: u64, len: u64) -> Result<Vec<u8>, String>;
}

impl LineAt for [u8] {
    fn line_at(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let end = offset.checked_add(len).filter(|&e| len <= MAX_LINE_LEN as u64 && e <= self.len() as u64);
        let (Some(end), Ok(start)) = (end, usize::try_from(offset)) else {
            return Err(format!("no line of {len} bytes at offset {offset} (the index is not what the ledger holds)"));
        };
        let end = usize::try_from(end).map_err(|_| "offset out of range".to_string())?;
        Ok(self.get(start..end).unwrap_or_default().to_vec())
    }
}

/// A ledger's bytes held in memory (a published log rebuilt from its tiles).
impl LineAt for Vec<u8> {
    fn line_at(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        self.as_slice().line_at(offset, len)
    }
}
