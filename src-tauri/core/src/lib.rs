//! Tauri-free core of Genesys Export.
//!
//! - [`genesys`]: the Genesys Cloud client (login, regions, errors, retries, paging, fetch plan).
//! - [`export`]: the streaming export pipeline (flatten, names, time zones, CSV/XLSX/JSONL).
//! - [`profiles`]: saved connections and query profiles (versioned JSON, atomic writes).
//! - [`secrets`]: client secrets in the OS keychain.
//! - [`clock`]: time-zone names and local times → UTC (one rule for the app and the CLI).
//! - [`jobs`]: running exports: cancellation registry, history, checkpoints.
//! - [`private_fs`]: the app's own files and folders, private to the user.
//! - [`atomic`]: crash-safe writes of the app's own files, and their stray temp files.
//! - [`terminal`]: server text made safe to print on a terminal (the CLI).
//! - [`schedule`]: scheduled exports registered with the OS scheduler.
pub mod atomic;
pub mod clock;
pub mod error;
pub mod export;
pub mod genesys;
pub mod jobs;
pub mod private_fs;
pub mod profiles;
pub mod schedule;
pub mod secrets;
pub mod terminal;

pub use error::{Error, ErrorKind, Result};
