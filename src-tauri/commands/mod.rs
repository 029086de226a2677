//! The thin Tauri command layer: one file per area, each a call into `genesys_core`.
pub mod app;
