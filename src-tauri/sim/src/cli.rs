//! Command line of the standalone `genesys-sim` program.
use std::process::ExitCode;

pub fn main() -> ExitCode {
    eprintln!("genesys-sim: not built yet");
    ExitCode::from(2)
}
