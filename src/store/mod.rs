//! Files (spec/cli.md §5): the ledger file with its lock, validated and fsynced appends, the index
//! in the user's private cache, and the signing commands that append entries.
//!
//! Nothing here vouches for anything: every fact a command acts on is re-read from signed lines
//! ([`crate::verify::signed`]).

pub mod append;
pub mod audit;
pub mod bundle;
pub mod cache;
pub mod export;
pub mod files;
pub mod http;
pub mod index_db;
pub mod keyfile;
pub mod ledger;
pub mod resume;
pub mod site;
pub mod tiles;
pub mod transparency;
