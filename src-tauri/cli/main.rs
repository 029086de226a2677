//! `genesys-export-cli`: the same exports as the app, headless, for servers.
use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("genesys-export-cli: not built yet");
    ExitCode::from(2)
}
