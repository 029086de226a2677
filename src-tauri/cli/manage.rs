//! `profiles …` and `connections …`: the same saved settings as the app
//! (`profiles.json` in the config folder; secrets in the OS keychain).
use std::io::Read;
use std::path::{Path, PathBuf};

use genesys_core::profiles::{Connection, DateRange, QueryProfile, Store};
use genesys_core::secrets::{KeyringStore, Secret, SecretStore};
use genesys_core::{Error, ErrorKind, Result};

use crate::args::{ConnectionsCommand, ProfilesCommand};

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

/// Open the saved settings, printing start-up notices (a damaged file set
/// aside, a migration) to stderr.
pub fn open_store(dir: &Path) -> Store {
    let (store, notices) = Store::open(dir);
    for n in notices {
        eprintln!("note: {n}");
    }
    store
}

/// A saved connection by name (case-insensitive).
pub fn find_connection<'a>(store: &'a Store, name: &str) -> Result<&'a Connection> {
    let wanted = name.trim().to_lowercase();
    store
        .connections()
        .iter()
        .find(|c| c.name.to_lowercase() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = store.connections().iter().map(|c| c.name.as_str()).collect();
            Error::invalid(
                "connection",
                if names.is_empty() {
                    format!("There is no saved connection \"{name}\" (none are saved yet; add one with `connections add`).")
                } else {
                    format!("There is no saved connection \"{name}\". Saved: {}.", names.join(", "))
                },
            )
        })
}

/// A saved profile by name (case-insensitive).
pub fn find_profile<'a>(store: &'a Store, name: &str) -> Result<&'a QueryProfile> {
    let wanted = name.trim().to_lowercase();
    store
        .profiles()
        .iter()
        .find(|p| p.name.to_lowercase() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
            Error::invalid(
                "profile",
                if names.is_empty() {
                    format!("There is no saved profile \"{name}\" (none are saved yet; create one in the app or import a file with `profiles import`).")
                } else {
                    format!("There is no saved profile \"{name}\". Saved: {}.", names.join(", "))
                },
            )
        })
}

fn range_label(range: &DateRange) -> String {
    match range {
        DateRange::Preset { preset } => preset.label().to_string(),
        DateRange::Fixed { from, to } => format!("{from} to {to}"),
        DateRange::FixedDateTimes { from, to } => format!("{from} to {to} (exclusive)"),
    }
}

/// `profiles list|import|export`.
pub fn profiles(dir: &Path, cmd: ProfilesCommand) -> Result<()> {
    let mut store = open_store(dir);
    match cmd {
        ProfilesCommand::List => {
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
            let report = store.import_profiles(&file)?;
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
            let id = find_profile(&store, &name)?.id;
            let n = store.export_profiles(Some(&[id]), &file)?;
            println!("wrote {n} profile to {} (no secrets)", file.display());
            Ok(())
        }
    }
}

/// Read the secret from stdin: the first line, without its line ending.
fn read_secret_from_stdin() -> Result<Secret> {
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
    Ok(Secret::new(line))
}

/// `connections list|add|remove` (`test` needs the network: see `main`).
pub fn connections(dir: &Path, cmd: ConnectionsCommand) -> Result<()> {
    let mut store = open_store(dir);
    let keychain = KeyringStore::new();
    match cmd {
        ConnectionsCommand::List => {
            println!(
                "{:<24} {:<34} {:<38} SECRET",
                "NAME", "ENVIRONMENT", "CLIENT ID"
            );
            for c in store.connections() {
                let secret = if c.is_demo {
                    "not needed (demo)"
                } else {
                    match keychain.has(&c.id.to_string()) {
                        Ok(true) => "in keychain",
                        Ok(false) => "missing",
                        Err(_) => "keychain unavailable",
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
            if store
                .connections()
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name.trim()))
            {
                return Err(Error::invalid(
                    "name",
                    format!("A connection named \"{}\" already exists; remove it first or choose another name.", name.trim()),
                ));
            }
            // Check the region before asking for anything else.
            genesys_core::genesys::Environment::parse(&environment)?;
            let secret = read_secret_from_stdin()?;
            let conn = Connection {
                id: uuid::Uuid::new_v4(),
                name,
                environment,
                client_id,
                is_demo: false,
            };
            let saved = store.save_connection(conn, Some(&secret), &keychain)?;
            println!(
                "saved connection \"{}\" (secret in the OS keychain)",
                saved.name
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
            let mut conn = find_connection(&store, &name)?.clone();
            if let Some(n) = rename {
                conn.name = n;
            }
            if let Some(e) = environment {
                conn.environment = e;
            }
            if let Some(c) = client_id {
                conn.client_id = c;
            }
            let secret = if new_secret {
                // Check the region before asking for anything else.
                genesys_core::genesys::Environment::parse(&conn.environment)?;
                Some(read_secret_from_stdin()?)
            } else {
                None
            };
            // The core refuses a new address or client id without a new secret.
            let saved = store.save_connection(conn, secret.as_ref(), &keychain)?;
            println!(
                "saved connection \"{}\"{}",
                saved.name,
                if secret.is_some() {
                    " (new secret in the OS keychain)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        ConnectionsCommand::Remove { name } => {
            let conn = find_connection(&store, &name)?.clone();
            store.delete_connection(conn.id, &keychain)?;
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
pub fn connection_secret(conn: &Connection, named: Option<&str>) -> Result<Secret> {
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
                "\"{}\" is the app's demo organization, which runs inside the app. Set GENESYS_CLIENT_SECRET and add --connection \"{}\" to use it from the command line.",
                conn.name, conn.name
            ),
        ));
    }
    match KeyringStore::new().get(&conn.id.to_string())? {
        Some(s) => Ok(s),
        None => Err(Error::new(
            ErrorKind::Auth,
            format!(
                "No client secret is saved for \"{}\". Save it with `genesys-export-cli connections edit \"{}\" --new-secret`, or set GENESYS_CLIENT_SECRET and add --connection \"{}\".",
                conn.name, conn.name, conn.name
            ),
        )),
    }
}

/// `connections test NAME`: log in and check the details permission.
pub async fn test_connection(dir: &Path, name: &str) -> Result<()> {
    let store = open_store(dir);
    let conn = find_connection(&store, name)?.clone();
    let environment = conn.parsed_environment()?;
    // The connection is named on the command line: GENESYS_CLIENT_SECRET, when set, is for it.
    let named = crate::export::secret_from_env().map(|_| name);
    let secret = tokio::task::block_in_place(|| connection_secret(&conn, named))?;
    let client = genesys_core::genesys::Client::new(genesys_core::genesys::ClientConfig::new(
        environment,
        genesys_core::genesys::Credentials::new(conn.client_id.clone(), secret),
    ))?;
    let answer = client.test_connection().await?;
    println!(
        "{}: {}",
        crate::safe(&conn.name),
        crate::safe(&answer.to_string())
    );
    Ok(())
}
