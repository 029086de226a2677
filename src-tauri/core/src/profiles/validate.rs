//! Checks on connections, profiles and settings before they are saved.
//! Each failure is a field-level [`Error::invalid`] with a message a supervisor can act on.
//! Field names are the camelCase JSON names the UI uses.
use uuid::Uuid;

use super::model::{Connection, DateRange, QueryProfile, Settings};
use super::range::check_template;
use super::timezone::parse_time_zone;
use crate::error::{Error, Result};
use crate::genesys::Environment;

/// Trim, then reject empty names and names already used by another item (case-insensitive).
pub fn check_name<'a>(
    name: &str,
    what: &str,
    own_id: Uuid,
    others: impl IntoIterator<Item = (Uuid, &'a str)>,
) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", format!("Give the {what} a name.")));
    }
    if name.chars().count() > 100 {
        return Err(Error::invalid(
            "name",
            format!("The {what} name is too long (at most 100 characters)."),
        ));
    }
    let clash = others
        .into_iter()
        .any(|(id, other)| id != own_id && other.trim().to_lowercase() == name.to_lowercase());
    if clash {
        return Err(Error::invalid(
            "name",
            format!("There is already a {what} called \"{name}\". Choose another name."),
        ));
    }
    Ok(name.to_string())
}

/// A connection as it will be saved (names trimmed), or the first problem.
pub fn check_connection(conn: &Connection, existing: &[Connection]) -> Result<Connection> {
    let name = check_name(
        &conn.name,
        "connection",
        conn.id,
        existing.iter().map(|c| (c.id, c.name.as_str())),
    )?;
    Environment::parse(&conn.environment)?;
    let client_id = conn.client_id.trim();
    if client_id.is_empty() {
        return Err(Error::invalid(
            "clientId",
            "Enter the client id of the OAuth client (Admin > Integrations > OAuth in Genesys Cloud).",
        ));
    }
    if client_id.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            "clientId",
            "The client id cannot contain spaces. Copy it again from Genesys Cloud.",
        ));
    }
    Ok(Connection {
        id: conn.id,
        name,
        environment: conn.environment.trim().to_string(),
        client_id: client_id.to_string(),
        is_demo: conn.is_demo,
    })
}

/// A saved secret belongs to one OAuth client at one login server: an update
/// of `previous` to `next` without a new secret is refused when the login
/// server (as parsed: "eu-west-1" and "mypurecloud.ie" are the same), the API
/// address or the client id changed, so the secret is never sent to another host.
/// The demo connection has no secret.
pub fn check_secret_still_applies(previous: &Connection, next: &Connection) -> Result<()> {
    if previous.is_demo || previous.same_oauth_client(next) {
        return Ok(());
    }
    Err(Error::invalid(
        "secret",
        "You changed the address or client id: enter the client secret again. The saved secret is only ever sent to the address it was entered for.",
    ))
}

/// A profile as it will be saved (names trimmed), or the first problem.
pub fn check_profile(
    profile: &QueryProfile,
    existing: &[QueryProfile],
    connections: &[Connection],
) -> Result<QueryProfile> {
    let name = check_name(
        &profile.name,
        "profile",
        profile.id,
        existing.iter().map(|p| (p.id, p.name.as_str())),
    )?;
    if !connections.iter().any(|c| c.id == profile.connection_id) {
        return Err(Error::invalid(
            "connectionId",
            "Choose a saved connection for this profile (the one it had no longer exists).",
        ));
    }
    parse_time_zone(&profile.time_zone, "timeZone")?;
    parse_time_zone(&profile.export.time_zone, "options.timeZone")?;
    match &profile.range {
        DateRange::Preset { .. } => {}
        DateRange::Fixed { from, to } if to < from => {
            return Err(Error::invalid(
                "to",
                format!("The end date ({to}) is before the start date ({from}). Choose an end date on or after the start."),
            ))
        }
        DateRange::FixedDateTimes { from, to } if to <= from => {
            return Err(Error::invalid(
                "to",
                format!(
                    "The end ({}) is not after the start ({}). Choose an end after the start.",
                    to.format("%Y-%m-%d %H:%M"),
                    from.format("%Y-%m-%d %H:%M")
                ),
            ))
        }
        _ => {}
    }
    // A range of its own (not a preset) lies within Genesys's retention and
    // ends by tomorrow (checked again when it runs).
    if !matches!(profile.range, DateRange::Preset { .. }) {
        let now = chrono::Utc::now();
        let tz = parse_time_zone(&profile.time_zone, "timeZone")?;
        let (from, to) = super::range::resolve_range(&profile.range, tz, now)?;
        super::bounds::check_range_bounds(from, to, now, tz)?;
    }
    for direction in &profile.filters.directions {
        if !matches!(direction.as_str(), "inbound" | "outbound") {
            return Err(Error::invalid(
                "filters.directions",
                format!("\"{direction}\" is not a direction. Use inbound or outbound."),
            ));
        }
    }
    if let Some(folder) = &profile.default_folder {
        check_folder(folder, "folder")?;
    }
    check_template(&profile.file_name_template)?;
    Ok(QueryProfile {
        name,
        time_zone: profile.time_zone.trim().to_string(),
        ..profile.clone()
    })
}

/// Settings as they will be saved, or the first problem.
pub fn check_settings(settings: &Settings) -> Result<Settings> {
    parse_time_zone(&settings.time_zone, "timeZone")?;
    if let Some(folder) = &settings.default_folder {
        check_folder(folder, "defaultFolder")?;
    }
    Ok(Settings {
        time_zone: settings.time_zone.trim().to_string(),
        ..settings.clone()
    })
}

/// Is `path` a network folder (a Windows share, SMB or file URL)? One rule for
/// every platform, judged on the text (a profile made on Windows is read on
/// Linux too): `\\host\share`, `//host/share` (and mixed slashes), the
/// verbatim and device forms `\\?\UNC\host\share` and `\\.\UNC\...` (any
/// `\\?\` / `\\.\` path that is not a drive), and
/// `smb://` / `file://host/...` URLs. Local verbatim paths (`\\?\C:\...`) and
/// mounted folders (`/mnt/share`, `Z:\`) are not: they need the user's own setup.
///
/// Opening a network folder sends the user's network login to that host
/// (on Windows, NTLM), so one from a shared file must never be touched.
pub fn is_network_path(path: &std::path::Path) -> bool {
    let text = path.to_string_lossy();
    let lower = text.trim().to_ascii_lowercase();
    if lower.starts_with("smb://") || lower.starts_with("cifs://") || lower.starts_with("nfs://") {
        return true;
    }
    if let Some(rest) = lower.strip_prefix("file:") {
        // file://host/share names a host; file:///C:/x and file:/x are local.
        return rest.starts_with("//") && !rest.starts_with("///");
    }
    let b = lower.as_bytes();
    let sep = |c: u8| c == b'\\' || c == b'/';
    if b.len() < 2 || !sep(b[0]) || !sep(b[1]) {
        return false;
    }
    // `\\?\` and `\\.\` prefixes: local only for a drive (`\\?\C:\...`);
    // `UNC\host\share` and anything else (devices, GLOBALROOT) is not a local folder.
    if b.len() >= 4 && (b[2] == b'?' || b[2] == b'.') && sep(b[3]) {
        let rest = &b[4..];
        let drive = rest.len() >= 2 && rest[0].is_ascii_alphabetic() && rest[1] == b':';
        return !drive;
    }
    // Two leading separators: a host name follows (Windows reads `\\\host` as one too).
    true
}

fn check_folder(folder: &std::path::Path, field: &str) -> Result<()> {
    if is_network_path(folder) {
        return Err(Error::invalid(
            field,
            format!(
                "\"{}\" is a network folder. A saved folder must be on this computer; to export to a network folder, choose it in the save dialog when you export.",
                folder.display()
            ),
        ));
    }
    if !folder.is_absolute() {
        return Err(Error::invalid(
            field,
            format!(
                "\"{}\" is not a full folder path. Choose the folder with the folder picker.",
                folder.display()
            ),
        ));
    }
    Ok(())
}
