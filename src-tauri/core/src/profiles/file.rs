//! The on-disk format of `profiles.json` and its migrations.
//!
//! Current format (version 2):
//! ```json
//! { "version": 2, "connections": [Connection...], "profiles": [QueryProfile...], "settings": Settings }
//! ```
//!
//! Version 1 (the first release) had flat profiles and no settings block:
//! ```json
//! { "version": 1,
//!   "connections": [{ "id", "name", "region", "clientId" }],
//!   "profiles": [{ "id", "name", "connectionId", "preset": "last_week" | null,
//!                  "from": "2026-01-01" | null, "to": "2026-01-31" | null, "timeZone",
//!                  "queueIds": [], "mediaTypes": [], "format": "csv", "folder": "/path" | null }],
//!   "defaultFolder": "/path" | null }
//! ```
//! [`migrate_v1`] turns it into version 2.
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{
    Connection, DateRange, QueryProfile, RelativePreset, Settings, DEFAULT_FILE_NAME_TEMPLATE,
};
use crate::export::{ExportOptions, Format};
use crate::genesys::{Filters, Strategy};

/// The format version this build writes.
pub const CURRENT_VERSION: u32 = 2;

/// The whole file, current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub version: u32,
    #[serde(default)]
    pub connections: Vec<Connection>,
    #[serde(default)]
    pub profiles: Vec<QueryProfile>,
    #[serde(default)]
    pub settings: Settings,
}

impl Default for Document {
    fn default() -> Self {
        Self {
            version: CURRENT_VERSION,
            connections: Vec::new(),
            profiles: Vec::new(),
            settings: Settings::default(),
        }
    }
}

/// What reading a profiles file found.
#[derive(Debug)]
pub enum ReadOutcome {
    /// A good file; `migrated_from` is set when it was an older version.
    Good {
        doc: Document,
        migrated_from: Option<u32>,
    },
    /// No such file.
    Missing,
    /// Not a profiles file we can read; the reason is for people.
    Corrupt(String),
    /// Written by a newer version of the app.
    Newer(u64),
    /// The file exists but could not be read (permissions, I/O).
    Unreadable(std::io::Error),
}

/// Read and, when needed, migrate a profiles file.
pub fn read(path: &Path) -> ReadOutcome {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ReadOutcome::Missing,
        Err(e) => ReadOutcome::Unreadable(e),
    }
}

/// Parse (and migrate) the bytes of a profiles file.
pub fn parse(bytes: &[u8]) -> ReadOutcome {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return ReadOutcome::Corrupt(format!("it is not valid JSON: {e}")),
    };
    let Some(version) = value.get("version").and_then(|v| v.as_u64()) else {
        return ReadOutcome::Corrupt("it has no format version".to_string());
    };
    let typed = |v: serde_json::Value| -> Result<Document, String> {
        serde_json::from_value::<Document>(v).map_err(|e| format!("it has unexpected content: {e}"))
    };
    match version {
        v if v > u64::from(CURRENT_VERSION) => ReadOutcome::Newer(v),
        2 => match typed(value) {
            Ok(doc) => ReadOutcome::Good {
                doc,
                migrated_from: None,
            },
            Err(reason) => ReadOutcome::Corrupt(reason),
        },
        1 => match serde_json::from_value::<V1File>(value) {
            Ok(v1) => ReadOutcome::Good {
                doc: migrate_v1(v1),
                migrated_from: Some(1),
            },
            Err(e) => ReadOutcome::Corrupt(format!("it has unexpected content: {e}")),
        },
        v => ReadOutcome::Corrupt(format!("it has an unknown format version {v}")),
    }
}

/// Serialise for writing (pretty, so a person can read it).
pub fn to_bytes(doc: &Document) -> crate::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(doc).map_err(|e| {
        crate::Error::internal(format!(
            "Could not prepare the saved profiles for writing: {e}"
        ))
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Version 1 of the file (see the module docs).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1File {
    #[serde(default)]
    pub connections: Vec<V1Connection>,
    #[serde(default)]
    pub profiles: Vec<V1Profile>,
    #[serde(default)]
    pub default_folder: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Connection {
    pub id: Uuid,
    pub name: String,
    /// A region key or domain (version 1 had no custom URLs).
    pub region: String,
    pub client_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1Profile {
    pub id: Uuid,
    pub name: String,
    pub connection_id: Uuid,
    #[serde(default)]
    pub preset: Option<RelativePreset>,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default = "super::timezone::system_time_zone")]
    pub time_zone: String,
    #[serde(default)]
    pub queue_ids: Vec<String>,
    #[serde(default)]
    pub media_types: Vec<String>,
    #[serde(default)]
    pub format: Format,
    #[serde(default)]
    pub folder: Option<PathBuf>,
}

/// Version 1 → version 2: region → environment, flat dates → [`DateRange`],
/// queue/media lists → [`Filters`], format → [`ExportOptions`], folder → default folder.
pub fn migrate_v1(v1: V1File) -> Document {
    let connections = v1
        .connections
        .into_iter()
        .map(|c| Connection {
            id: c.id,
            name: c.name,
            environment: c.region,
            client_id: c.client_id,
            is_demo: false,
        })
        .collect();
    let profiles = v1
        .profiles
        .into_iter()
        .map(|p| {
            let range = match (p.preset, p.from, p.to) {
                (Some(preset), _, _) => DateRange::Preset { preset },
                (None, Some(from), Some(to)) => DateRange::Fixed { from, to },
                (None, Some(from), None) => DateRange::Fixed { from, to: from },
                _ => DateRange::default(),
            };
            QueryProfile {
                id: p.id,
                name: p.name,
                connection_id: p.connection_id,
                range,
                export: ExportOptions {
                    format: p.format,
                    time_zone: p.time_zone.clone(),
                    ..ExportOptions::default()
                },
                time_zone: p.time_zone,
                filters: Filters {
                    queue_ids: p.queue_ids,
                    media_types: p.media_types,
                    ..Filters::default()
                },
                strategy: Strategy::Auto,
                default_folder: p.folder,
                file_name_template: DEFAULT_FILE_NAME_TEMPLATE.to_string(),
            }
        })
        .collect();
    Document {
        version: CURRENT_VERSION,
        connections,
        profiles,
        settings: Settings {
            default_folder: v1.default_folder,
            ..Settings::default()
        },
    }
}
