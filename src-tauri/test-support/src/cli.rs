//! Running the command line program the way every CLI test does.
use std::path::Path;
use std::process::{Command, Output};

/// `program` (the test's `env!("CARGO_BIN_EXE_genesys-export-cli")`) kept to
/// the test: its settings in `config`, its data in `data`, no client secret
/// inherited from the test run's environment, no display (it never opens a
/// window or a browser). Add `GENESYS_CLIENT_SECRET` and the arguments.
pub fn cli_command(program: &str, config: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("GENESYS_CLIENT_SECRET")
        .env("GENESYS_EXPORT_CONFIG_DIR", config)
        .env("GENESYS_EXPORT_DATA_DIR", data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    cmd
}

/// What the program wrote on stderr, as text.
pub fn stderr_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
