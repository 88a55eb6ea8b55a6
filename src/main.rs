//! The `colophon` command (spec/cli.md). Everything it does is in [`cli`]: parse the arguments,
//! call the library, render the result. Exit codes (spec/cli.md §1): 0 success, 1 not verified,
//! 2 usage, input or I/O error.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;

// See Cargo.toml: lines parsed on one thread are freed on another during an audit.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
