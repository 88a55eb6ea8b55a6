//! colophon: a provenance ledger for translated publications.
//!
//! The crate is built in layers, each a folder whose module doc names the specification sections it
//! implements; a layer uses only the layers below it (ARCHITECTURE.md draws them):
//!
//! - [`format`] — bytes to values and back, with no I/O: canonical JSON, hashes, signatures, keys,
//!   entries, diff scripts, normalization profiles, status codes (spec/ledger.md §2–§9).
//! - [`log`] — the ledger as a sequence of lines: the audit and its state rules, the look-up index,
//!   trust chains, the Merkle log, signed notes, checkpoints, proofs and tiles (spec/ledger.md
//!   §10–§11, spec/transparency.md).
//! - [`verify`] — the verdict on a copy: matching under a profile, the signed lines a verdict rests
//!   on, bundles, and the policy that turns a match into a verdict (spec/verify.md).
//! - [`store`] — files: the ledger file with its lock and appends, the index in the user's cache,
//!   the checkpoint kept beside a ledger, key files (spec/cli.md §5).
//!
//! The command-line interface (`src/main.rs`, `src/cli/`) is one client of these.
//!
//! Verification never panics on input: outcomes are [`format::status::Problem`]s with dotted codes.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod format;
pub mod log;
#[cfg(feature = "store")]
pub mod store;
pub mod verify;
