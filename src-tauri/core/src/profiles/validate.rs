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

fn check_folder(folder: &std::path::Path, field: &str) -> Result<()> {
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
