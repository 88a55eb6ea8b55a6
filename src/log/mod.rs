//! The ledger as a log of signed lines (spec/ledger.md §7, §10–§11; spec/transparency.md).
//!
//! | module | spec | vectors |
//! |---|---|---|
//! | [`lines`] | ledger.md §7 lines, torn lines and the chain | `spec/vectors/ledger/` |
//! | [`audit`] | ledger.md §11 the audit | `spec/vectors/ledger/` |
//! | [`index`] | ledger.md §6 state rules; the look-ups every command uses | `spec/vectors/ledger/` |
//! | [`trust`] | ledger.md §10 trust chains, verify.md §2.2 trust roots | `spec/vectors/ledger/` |
//! | [`content`] | ledger.md §8.3–§8.5 a version's text from its signed diffs | `spec/vectors/diff/` |
//! | [`history`] | spec/cli.md §3 `log`: a ledger's history, read from its lines | `tests/cli.rs` |
//! | [`merkle`] | transparency.md §2 (RFC 6962 trees and proofs) | `spec/vectors/merkle/` |
//! | [`note`] | transparency.md §3 (C2SP signed-note) | `spec/vectors/note/` |
//! | [`checkpoint`] | transparency.md §3–§5 (C2SP tlog-checkpoint, tlog-proof) | `spec/vectors/checkpoint/`, `spec/vectors/proof/` |
//! | [`transparency`] | transparency.md §3–§8: checkpoints of a ledger, witnesses, consistency | `spec/vectors/checkpoint/` |
//! | [`tiles`] | transparency.md §7 (C2SP tlog-tiles) | `tests/transparency.rs` |

pub mod audit;
pub mod checkpoint;
pub mod content;
pub mod history;
pub mod index;
pub mod lines;
pub mod merkle;
pub mod note;
pub mod resume;
pub(crate) mod state_codec;
pub mod tiles;
pub mod transparency;
pub mod trust;
