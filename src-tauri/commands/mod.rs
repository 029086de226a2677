//! The thin Tauri command layer: one file per area, each a call into `genesys_core`.
pub mod app;
pub mod connections;
pub mod dialog;
pub mod export;
pub mod files;
pub mod profiles;
pub mod state;
pub mod window;

pub use state::{AppOptions, AppState};
