//! colophon: a provenance ledger for translated publications.
//!
//! The modules mirror the sections of the normative specification in `spec/ledger.md`; each module's
//! doc comment names its section, and `spec/vectors/<module>/` holds that section's test vectors.
//!
//! Verification never panics on input: outcomes are [`status::Problem`]s with dotted codes.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod diff;
pub mod normalize;
pub mod status;
