//! colophon: a provenance ledger for translated publications.
//!
//! The modules mirror the sections of the normative specification in `spec/ledger.md`; each module's
//! doc comment names its section, and `spec/vectors/<module>/` holds that section's test vectors.
//!
//! Verification never panics on input: outcomes are [`status::Problem`]s with dotted codes.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod audit;
pub mod bundle;
pub mod cache;
pub mod checkpoint;
pub mod content;
pub mod diff;
pub mod entry;
pub mod hash;
pub mod index;
pub mod jcs;
pub mod keys;
pub mod ledger;
pub mod merkle;
pub mod normalize;
pub mod note;
pub mod ops;
pub mod refs;
pub mod signed;
pub mod signing;
pub mod status;
pub mod tiles;
pub mod transparency;
pub mod trust;
pub mod verdict;
pub mod verify;
