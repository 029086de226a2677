//! What is saved: connections, query profiles and app settings.
//!
//! None of these types has a field for a secret: the client secret lives only
//! in the OS keychain (see [`crate::secrets`]), keyed by the connection id.
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::{Delimiter, ExportOptions};
use crate::genesys::{Filters, Strategy};

/// The file name template used when a profile does not set one.
/// The extension is added from the export format.
pub const DEFAULT_FILE_NAME_TEMPLATE: &str = "{profile} {from}–{to}";

/// A Genesys Cloud org to export from: where it lives and which OAuth client to use.
/// The client secret is in the keychain under [`Connection::id`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Stable id; also the keychain account name. A missing id (a new connection) gets a fresh one.
    #[serde(default = "Uuid::new_v4")]
    #[ts(type = "string")]
    pub id: Uuid,
    /// Display name, unique (case-insensitive).
    pub name: String,
    /// As typed: a region key/domain/friendly name, or a base URL
    /// (parsed with [`crate::genesys::Environment::parse`]).
    pub environment: String,
    /// OAuth client id (not a secret).
    pub client_id: String,
    /// The built-in demo connection to the local emulator; needs no keychain.
    #[serde(default)]
    pub is_demo: bool,
}

/// A connection as the UI lists it: the saved fields plus whether a secret is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    #[serde(flatten)]
    pub connection: Connection,
    /// A secret is saved for it (always true for the demo, which needs none).
    pub has_secret: bool,
    /// The keychain has not answered yet (locked, or waiting for a prompt):
    /// `has_secret` is then only the last answer, or false.
    #[serde(default)]
    pub secret_unknown: bool,
}

impl Connection {
    /// Where to send requests for this connection.
    pub fn parsed_environment(&self) -> crate::Result<crate::genesys::Environment> {
        crate::genesys::Environment::parse(&self.environment)
    }

    /// The OAuth client this connection logs in as: its login server (the
    /// parsed token URL, so "eu-west-1" and "mypurecloud.ie" are one), its
    /// API address and its client id. An address that does not parse is
    /// compared as typed (lower case).
    pub fn oauth_client_key(&self) -> String {
        let (token_url, api_base) = match self.parsed_environment() {
            Ok(e) => (e.token_url, e.api_base),
            Err(_) => (self.environment.trim().to_ascii_lowercase(), String::new()),
        };
        format!("{token_url}\n{api_base}\n{}", self.client_id.trim())
    }

    /// Do both log in as the same OAuth client at the same servers?
    pub fn same_oauth_client(&self, other: &Connection) -> bool {
        self.oauth_client_key() == other.oauth_client_key()
    }
}

/// A date range relative to "now" in the profile's time zone.
/// Whole calendar periods; weeks start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RelativePreset {
    /// From midnight today to midnight tomorrow.
    Today,
    /// The whole of yesterday.
    Yesterday,
    /// Monday of this week to the next Monday.
    ThisWeek,
    /// Monday to Sunday of last week.
    LastWeek,
    /// The 7 whole days before today (today not included).
    Last7Days,
    /// The 1st of this month to the 1st of next month.
    ThisMonth,
    /// The whole of last month.
    LastMonth,
    /// The 30 whole days before today (today not included).
    Last30Days,
}

impl RelativePreset {
    /// All presets, in the order a menu shows them.
    pub const ALL: [RelativePreset; 8] = [
        RelativePreset::Today,
        RelativePreset::Yesterday,
        RelativePreset::ThisWeek,
        RelativePreset::LastWeek,
        RelativePreset::Last7Days,
        RelativePreset::ThisMonth,
        RelativePreset::LastMonth,
        RelativePreset::Last30Days,
    ];

    /// Words for people, e.g. "Last week".
    pub fn label(self) -> &'static str {
        match self {
            RelativePreset::Today => "Today",
            RelativePreset::Yesterday => "Yesterday",
            RelativePreset::ThisWeek => "This week",
            RelativePreset::LastWeek => "Last week",
            RelativePreset::Last7Days => "Last 7 days",
            RelativePreset::ThisMonth => "This month",
            RelativePreset::LastMonth => "Last month",
            RelativePreset::Last30Days => "Last 30 days",
        }
    }
}

/// Which conversations a profile exports, by start time.
///
/// JSON: `{"kind":"preset","preset":"last_week"}`,
/// `{"kind":"fixed","from":"2026-01-01","to":"2026-01-31"}` (whole days, `to` included),
/// `{"kind":"fixed_date_times","from":"2026-01-01T08:00:00","to":"2026-01-01T17:00:00"}`
/// (local times in the profile's zone, `to` excluded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateRange {
    Preset {
        preset: RelativePreset,
    },
    /// Whole days; both ends included.
    Fixed {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Local date-times in the profile's zone; `from` included, `to` excluded.
    FixedDateTimes {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

impl Default for DateRange {
    fn default() -> Self {
        DateRange::Preset {
            preset: RelativePreset::Yesterday,
        }
    }
}

/// A saved export: "Sales voice, last week".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryProfile {
    /// Stable id. A missing id (a new profile) gets a fresh one.
    #[serde(default = "Uuid::new_v4")]
    #[ts(type = "string")]
    pub id: Uuid,
    /// Unique (case-insensitive).
    pub name: String,
    /// The [`Connection::id`] to export from.
    #[ts(type = "string")]
    pub connection_id: Uuid,
    #[serde(default)]
    pub range: DateRange,
    /// IANA time zone the range is computed in (e.g. `Europe/Berlin`).
    #[serde(default = "crate::profiles::system_time_zone")]
    pub time_zone: String,
    #[serde(default)]
    pub filters: Filters,
    /// Row grain, columns, format and its options. JSON name `options` (what the UI sends).
    #[serde(default, rename = "options")]
    pub export: ExportOptions,
    #[serde(default)]
    pub strategy: Strategy,
    /// Folder the save dialog opens in; `None` = the settings' default folder.
    /// JSON name `folder` (what the UI sends).
    #[serde(default, rename = "folder")]
    pub default_folder: Option<PathBuf>,
    /// e.g. `{profile} {from}–{to}`; placeholders: `{profile}`, `{from}`, `{to}`,
    /// `{today}`, `{now}`. The extension comes from the export format.
    #[serde(default = "default_template")]
    pub file_name_template: String,
}

fn default_template() -> String {
    DEFAULT_FILE_NAME_TEMPLATE.to_string()
}

/// App-wide preferences, stored with the profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Folder the save dialog opens in when a profile has none.
    pub default_folder: Option<PathBuf>,
    /// Time zone for new profiles (IANA).
    pub time_zone: String,
    /// CSV options for new profiles.
    pub csv_delimiter: Delimiter,
    pub csv_bom: bool,
    /// The folder of the last export, remembered for the next save dialog.
    pub last_used_folder: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            default_folder: None,
            time_zone: crate::profiles::system_time_zone(),
            csv_delimiter: Delimiter::Comma,
            csv_bom: true,
            last_used_folder: None,
        }
    }
}

/// What went on while loading the profiles file, in words for the user
/// (shown once at startup; the app still starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StartupNotice {
    pub kind: NoticeKind,
    /// Plain language, complete on its own.
    pub message: String,
    /// The file this is about (e.g. where a bad file was moved to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The file could not be read as profiles and was moved aside.
    CorruptSetAside,
    /// The file was written by a newer version of the app and was moved aside.
    NewerSetAside,
    /// The previous good copy (`profiles.json.bak`) was used.
    RestoredFromBackup,
    /// The file was upgraded from an older format (the old file is kept as `.bak`).
    Migrated,
    /// The file (or folder) could not be read or written; changes will not be saved.
    Unavailable,
}

impl std::fmt::Display for StartupNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// How many profiles were added.
    pub imported: usize,
    /// Names of the profiles added (after renaming on a clash).
    pub imported_names: Vec<String>,
    /// One plain sentence per profile that was not imported, saying why.
    pub skipped: Vec<String>,
    /// Profiles imported under another name because the name was taken ("A" → "A (imported)").
    pub renamed: Vec<String>,
}
