//! The verdict on a copy (spec/verify.md).
//!
//! | module | spec/verify.md | vectors |
//! |---|---|---|
//! | [`copy`] | §2 matching a copy, match levels, the closest version | `spec/vectors/normalize/`, `tests/verdict.rs` |
//! | [`signed`] | §2.3, §4 only signed lines vouch | `tests/signed_bytes.rs` |
//! | [`bundle`] | §3 bundles | `spec/vectors/bundle/` |
//! | [`clearsigned`] | spec/exports.md §4.3 clear-signed copies | `tests/exports.rs` |
//! | [`refs`] | spec/cli.md §3 references (`WORK@TAG`, `WORK:LANG@N`, hash prefixes) | `tests/cli.rs` |
//! | [`verdict`] | §2–§4, transparency.md §3–§6: the whole policy | `tests/verdict.rs` |
//! | [`work_status`] | spec/cli.md §3 `status`: where each work's translations stand, from signed lines | `tests/status.rs` |
//! | [`site`] | spec/cli.md §3 `publish --site`, §6: a static site of the published log, from signed lines | `tests/site.rs` |

pub mod bundle;
pub mod clearsigned;
pub mod copy;
pub mod refs;
pub mod signed;
pub mod site;
pub mod verdict;
pub mod work_status;

pub use verdict::{Source, Verdict, VerifyOptions, verify};
