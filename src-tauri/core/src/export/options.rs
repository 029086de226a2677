//! What an export produces: row grain, columns, format and its options.
//! Stored inside query profiles and sent by the UI and CLI.
use serde::{Deserialize, Serialize};

/// One row per ...
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    #[default]
    Conversation,
    Participant,
    Session,
    Segment,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Excel workbook.
    #[default]
    Xlsx,
    /// Comma (or semicolon) separated values.
    Csv,
    /// Raw JSON lines: one API object per line, lossless (grain and columns do not apply).
    Jsonl,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DurationFormat {
    /// Whole seconds as a number (CSV: `754`; XLSX: a number).
    #[default]
    Seconds,
    /// `h:mm:ss` (CSV: `0:12:34`; XLSX: a time value formatted `[h]:mm:ss`).
    Hms,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportOptions {
    pub grain: Grain,
    /// Column ids in the chosen order; empty = the default columns for the grain.
    pub columns: Vec<String>,
    pub format: Format,
    /// IANA time zone (e.g. `Europe/London`) or `UTC`.
    pub time_zone: String,
    pub duration_format: DurationFormat,
    /// Add the GUID columns next to the name columns.
    pub include_ids: bool,
    pub csv_delimiter: Delimiter,
    /// UTF-8 byte-order mark so Excel reads accents right (CSV only).
    pub csv_bom: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            grain: Grain::Conversation,
            columns: Vec::new(),
            format: Format::Xlsx,
            time_zone: "UTC".to_string(),
            duration_format: DurationFormat::Seconds,
            include_ids: false,
            csv_delimiter: Delimiter::Comma,
            csv_bom: true,
        }
    }
}
