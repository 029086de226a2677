//! `genesys-sim`: the Genesys Cloud emulator as a standalone program.
fn main() -> std::process::ExitCode {
    genesys_sim::cli::main()
}
