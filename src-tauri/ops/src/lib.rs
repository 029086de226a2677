//! The operations of Genesys Export: every user operation is one function
//! here, over the shared state [`Ops`] and, when it needs one, a [`Host`]
//! (dialogs, opening files, a run's events, the clock). The desktop app's
//! Tauri commands, the command line and the test host are thin adapters over
//! these functions, so a rule lives once and each caller gets the same
//! answers and the same errors (`genesys_core::Error`, on the wire
//! `{kind, message, field?}`).
//!
//! Tauri-free. It depends on the core and on the emulator (the demo
//! organization is `genesys-sim`), which is why it is not part of the core.
pub mod app;
pub mod commands;
pub mod connections;
pub mod host;
pub mod profiles;
pub mod queues;
pub mod runs;
pub mod schedules;
mod state;

pub use app::{app_info, list_regions, start_demo, AppInfo, DemoResult};
pub use connections::{
    check_connection, connection_named, delete_connection, list_connections,
    list_connections_waiting, list_entities, save_connection, test_connection, ConnectionInput,
    TestResult,
};
pub use host::{Chosen, FileFilter, Host, OpenDialog, SaveDialog};
pub use profiles::{
    delete_profile, export_profiles, get_settings, import_profiles, list_columns, list_profiles,
    profile_named, save_profile, save_settings, ProfileView, ProfilesExported, ProfilesImported,
};
pub use runs::{
    cancel_export, discard_resume, list_history, open_file, pending_resumes, preview,
    resume_export, run_export, show_in_folder, start_export, ExportRequest,
};
pub use schedules::{add_schedule, list_schedules, remove_schedule, run_schedule};
pub use state::{Ops, OpsConfig};

use genesys_core::{Error, Result};
use uuid::Uuid;

/// An id sent by a caller, checked (`field` names it in the error).
pub fn parse_id(field: &str, id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::invalid(field, "This id is not valid."))
}
