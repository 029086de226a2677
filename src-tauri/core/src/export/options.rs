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

    /// The format's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel",
            Format::Csv => "CSV",
            Format::Jsonl => "JSON lines",
        }
    }

    /// The format a file extension names, in any letter case: `csv`,
    /// `xlsx`, `jsonl` (or `ndjson`, JSON lines' other usual name). The one
    /// rule for which files are exports (issue #14.5).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }

    /// The format a file name's extension names.
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        Format::from_extension(path.extension()?.to_str()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn formats_by_extension() {
        for (name, format) in [
            ("a.csv", Some(Format::Csv)),
            ("a.CSV", Some(Format::Csv)),
            ("a.xlsx", Some(Format::Xlsx)),
            ("a.jsonl", Some(Format::Jsonl)),
            ("a.ndjson", Some(Format::Jsonl)),
            ("a.xls", None),
            ("a.json", None),
            ("a.txt", None),
            ("a.sh", None),
            ("a.csv.exe", None),
            ("a", None),
            (".csv", None),
        ] {
            assert_eq!(Format::of_path(Path::new(name)), format, "{name}");
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
