//! The streaming export pipeline: flatten, names, time zones, CSV/XLSX/JSONL.
pub mod options;

pub use options::{Delimiter, DurationFormat, ExportOptions, Format, Grain};
