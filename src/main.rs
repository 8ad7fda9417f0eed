//! The `rectify` command.

mod cli;

/// See Cargo.toml: the system allocator's bookkeeping was a fifth of checking a large scheme.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
