//! Diff scripts (spec/ledger.md §8).
