//! The format's primitives: bytes to values and back, with no I/O (spec/ledger.md §2–§9).
//!
//! | module | spec/ledger.md | vectors |
//! |---|---|---|
//! | [`clearsign`] | spec/exports.md §4 clear-signed copies | `tests/exports.rs` |
//! | [`jcs`] | §2 canonical JSON (RFC 8785) | `spec/vectors/jcs/` |
//! | [`html`] | spec/verify.md §2.7 copies that are web pages | `spec/vectors/html/` |
//! | [`hash`] | §3 hashes and entry ids | `spec/vectors/ledger/` |
//! | [`signing`] | §4 signatures over DSSE PAE | `spec/vectors/signing/` |
//! | [`keys`] | §5 keys and key ids | `spec/vectors/keys/` |
//! | [`minisign`] | spec/exports.md §1 minisign signatures | checked by the `minisign` tool (tests/exports.rs) |
//! | [`entry`] | §6 entries, field formats | `spec/vectors/ledger/` |
//! | [`diff`] | §8 diff scripts | `spec/vectors/diff/` |
//! | [`normalize`] | §9 normalization profiles | `spec/vectors/normalize/` |
//! | [`status`] | status codes (spec/verify.md §5) | every `reject-*` vector |

pub mod clearsign;
pub mod diff;
pub mod entry;
pub mod hash;
pub mod html;
pub mod jcs;
pub mod keys;
pub mod minisign;
pub mod normalize;
pub mod signing;
pub mod status;
