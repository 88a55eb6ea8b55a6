//! Text normalization profiles (spec/ledger.md §9).
