//! `profiles …` and `connections …`: the same saved settings as the app
//! (`profiles.json` in the config folder; secrets in the OS keychain).
use std::io::Read;
use std::path::{Path, PathBuf};

use genesys_core::profiles::{Connection, DateRange};
use genesys_core::secrets::Secret;
use genesys_core::{Error, ErrorKind, Result};
use genesys_ops::{ConnectionInput, Ops};

use crate::args::{ConnectionsCommand, ProfilesCommand};
use crate::host::TerminalHost;

/// The app's identifier: its config folder name and keychain service.
pub const APP_ID: &str = "com.genesysexport.desktop";

/// `--config-dir`, else the desktop app's config folder.
pub fn config_dir(flag: Option<&Path>) -> Result<PathBuf> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => dirs::config_dir().map(|d| d.join(APP_ID)).ok_or_else(|| {
            Error::invalid(
                "configDir",
                "This system has no configuration folder; give one with --config-dir.",
            )
        }),
    }
}

/// `--data-dir`, else the desktop app's data folder (history and resume
/// checkpoints, shared with the app).
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => dirs::data_dir().map(|d| d.join(APP_ID)).ok_or_else(|| {
            Error::invalid(
                "dataDir",
                "This system has no data folder; give one with --data-dir.",
            )
        }),
    }
}

fn range_label(range: &DateRange) -> String {
    match range {
        DateRange::Preset { preset } => preset.label().to_string(),
        DateRange::Fixed { from, to } => format!("{from} to {to}"),
        DateRange::FixedDateTimes { from, to } => format!("{from} to {to} (exclusive)"),
    }
}

/// `profiles list|import|export`.
pub async fn profiles(ops: &Ops, cmd: ProfilesCommand) -> Result<()> {
    match cmd {
        ProfilesCommand::List => {
            let store = ops.ctx.store();
            println!(
                "{:<28} {:<24} {:<26} {:<6} GRAIN",
                "NAME", "CONNECTION", "RANGE", "FORMAT"
            );
            for p in store.profiles() {
                let conn = store
                    .connection(p.connection_id)
                    .map(|c| c.name.as_str())
                    .unwrap_or("(missing)");
                println!(
                    "{:<28} {:<24} {:<26} {:<6} {:?}",
                    p.name,
                    conn,
                    range_label(&p.range),
                    p.export.format.extension(),
                    p.export.grain
                );
            }
            Ok(())
        }
        ProfilesCommand::Import { file } => {
            let host = TerminalHost::new(true).opening(file.clone());
            let report = genesys_ops::import_profiles(ops, &host).await?;
            for name in &report.imported_names {
                println!("imported: {name}");
            }
            for why in &report.renamed {
                println!("renamed: {why}");
            }
            for why in &report.skipped {
                eprintln!("skipped: {why}");
            }
            if report.imported == 0 && !report.skipped.is_empty() {
                return Err(Error::invalid(
                    "file",
                    format!("No profile could be imported from {}.", file.display()),
                ));
            }
            Ok(())
        }
        ProfilesCommand::Export { name, file } => {
            let id = genesys_ops::profile_named(ops, &name)?.id.to_string();
            let host = TerminalHost::new(true).saving_to(file.clone(), true);
            let n = genesys_ops::export_profiles(ops, &host, Some(vec![id]))
                .await?
                .count;
            println!("wrote {n} profile to {} (no secrets)", file.display());
            Ok(())
        }
    }
}

/// Read the secret from stdin: the first line, without its line ending.
fn read_secret_from_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| {
            Error::invalid(
                "secret",
                format!("Could not read the secret from stdin: {e}."),
            )
        })?;
    let line = text.lines().next().unwrap_or("").trim().to_string();
    if line.is_empty() {
        return Err(Error::invalid(
            "secret",
            "Give the client secret on stdin, e.g. `... connections add ... < secret.txt`.",
        ));
    }
    Ok(line)
}

/// `connections list|add|edit|remove` (`test` needs the network: see `main`).
pub async fn connections(ops: &Ops, cmd: ConnectionsCommand) -> Result<()> {
    match cmd {
        ConnectionsCommand::List => {
            println!(
                "{:<24} {:<34} {:<38} SECRET",
                "NAME", "ENVIRONMENT", "CLIENT ID"
            );
            // A terminal can wait for the keychain's answer (a window cannot).
            let wait = ops.ctx.secrets.timeout();
            for v in genesys_ops::list_connections_waiting(ops, wait).await? {
                let c = &v.connection;
                let secret = if c.is_demo {
                    "not needed (demo)"
                } else {
                    match (v.secret_unknown, v.has_secret) {
                        (true, _) => "keychain unavailable",
                        (false, true) => "in keychain",
                        (false, false) => "missing",
                    }
                };
                println!(
                    "{:<24} {:<34} {:<38} {secret}",
                    c.name, c.environment, c.client_id
                );
            }
            Ok(())
        }
        ConnectionsCommand::Add {
            name,
            environment,
            client_id,
        } => {
            if genesys_ops::connection_named(ops, &name).is_ok() {
                return Err(Error::invalid(
                    "name",
                    format!("A connection named \"{}\" already exists; remove it first or choose another name.", name.trim()),
                ));
            }
            // Check the region before asking for anything else.
            genesys_core::genesys::Environment::parse(&environment)?;
            let secret = read_secret_from_stdin()?;
            let input = ConnectionInput {
                id: None,
                name,
                environment,
                client_id,
            };
            let saved = genesys_ops::save_connection(ops, input, Some(secret)).await?;
            println!(
                "saved connection \"{}\" (secret in the OS keychain)",
                saved.connection.name
            );
            Ok(())
        }
        ConnectionsCommand::Edit {
            name,
            rename,
            environment,
            client_id,
            new_secret,
        } => {
            let conn = genesys_ops::connection_named(ops, &name)?;
            let input = ConnectionInput {
                id: Some(conn.id.to_string()),
                name: rename.unwrap_or(conn.name),
                environment: environment.unwrap_or(conn.environment),
                client_id: client_id.unwrap_or(conn.client_id),
            };
            let secret = if new_secret {
                // Check the region before asking for anything else.
                genesys_core::genesys::Environment::parse(&input.environment)?;
                Some(read_secret_from_stdin()?)
            } else {
                None
            };
            let with_secret = secret.is_some();
            // The core refuses a new address or client id without a new secret.
            let saved = genesys_ops::save_connection(ops, input, secret).await?;
            println!(
                "saved connection \"{}\"{}",
                saved.connection.name,
                if with_secret {
                    " (new secret in the OS keychain)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        ConnectionsCommand::Remove { name } => {
            let conn = genesys_ops::connection_named(ops, &name)?;
            genesys_ops::delete_connection(ops, &conn.id.to_string()).await?;
            println!(
                "removed connection \"{}\" and its keychain entry",
                conn.name
            );
            Ok(())
        }
        ConnectionsCommand::Test { .. } => Err(Error::internal(
            "`connections test` is handled by `test_connection` (internal error).",
        )),
    }
}
/// The secret for a saved connection: `GENESYS_CLIENT_SECRET` when the
/// connection was named (`named`: `--connection NAME`, or the name given to
/// `connections test`), else the keychain entry. A set but unused
/// `GENESYS_CLIENT_SECRET` is mentioned on stderr.
pub fn connection_secret(ops: &Ops, conn: &Connection, named: Option<&str>) -> Result<Secret> {
    let outside = crate::export::secret_from_env();
    let env_is_set = outside.is_some();
    if let Some(s) = genesys_core::secrets::outside_secret_for(conn, named, outside)? {
        return Ok(s);
    }
    if env_is_set {
        eprintln!(
            "note: GENESYS_CLIENT_SECRET is set but not used: it applies to ad-hoc exports (--environment/--client-id) and, with --connection \"{}\", to this connection. Using the keychain.",
            conn.name
        );
    }
    if conn.is_demo {
        return Err(Error::invalid(
            "profile",
            format!(
                "\"{}\" is the app's demo organization: it exists only while the app is open. Start the app and export it there, or run the emulator yourself: `genesys-sim --port 8089` prints its address, client id and secret; then run `genesys-export-cli export --environment http://127.0.0.1:8089 --client-id {} --from … --to … --output FILE` with GENESYS_CLIENT_SECRET set to the secret it printed.",
                conn.name,
                genesys_core::jobs::DEMO_CLIENT_ID
            ),
        ));
    }
    // The core's rule (kind `auth`, field `secret` when none is saved), with
    // the command line's remedy.
    genesys_core::jobs::secret_for(&ops.ctx, conn, None).map_err(|mut e| {
        if e.kind == ErrorKind::Auth && e.field.as_deref() == Some("secret") {
            e.message = format!(
                "No client secret is saved for \"{}\". Save it with `genesys-export-cli connections edit \"{}\" --new-secret`, or set GENESYS_CLIENT_SECRET and add --connection \"{}\".",
                conn.name, conn.name, conn.name
            );
        }
        e
    })
}

/// `connections test NAME`: log in and check the details permission.
pub async fn test_connection(ops: &Ops, name: &str) -> Result<()> {
    let conn = genesys_ops::connection_named(ops, name)?;
    conn.parsed_environment()?;
    // The connection is named on the command line: GENESYS_CLIENT_SECRET, when set, is for it.
    let named = crate::export::secret_from_env().map(|_| name);
    let secret = tokio::task::block_in_place(|| connection_secret(ops, &conn, named))?;
    let answer = genesys_ops::check_connection(ops, conn.clone(), Some(secret)).await?;
    println!("{}: {}", crate::safe(&conn.name), crate::safe(&answer));
    Ok(())
}
