//! Query profiles, settings, the column catalogue, and sharing profiles.
use genesys_core::export::{ColumnInfo, Grain};
use genesys_core::profiles::{QueryProfile, Settings};
use genesys_ops::{Ops, ProfileView, ProfilesExported, ProfilesImported};
use tauri::{AppHandle, Runtime, State};

use super::CmdResult;
use crate::host::TauriHost;

#[tauri::command]
pub async fn list_profiles(ops: State<'_, Ops>) -> CmdResult<Vec<ProfileView>> {
    genesys_ops::list_profiles(&ops).await
}

#[tauri::command]
pub async fn save_profile(ops: State<'_, Ops>, profile: QueryProfile) -> CmdResult<QueryProfile> {
    genesys_ops::save_profile(&ops, profile).await
}

#[tauri::command]
pub async fn delete_profile(ops: State<'_, Ops>, id: String) -> CmdResult<()> {
    genesys_ops::delete_profile(&ops, &id).await
}

#[tauri::command]
pub fn list_columns(grain: Grain) -> Vec<ColumnInfo> {
    genesys_ops::list_columns(grain)
}

#[tauri::command]
pub fn get_settings(ops: State<'_, Ops>) -> Settings {
    genesys_ops::get_settings(&ops)
}

#[tauri::command]
pub async fn save_settings(ops: State<'_, Ops>, settings: Settings) -> CmdResult<Settings> {
    genesys_ops::save_settings(&ops, settings).await
}

#[tauri::command]
pub async fn export_profiles<R: Runtime>(
    app: AppHandle<R>,
    ops: State<'_, Ops>,
    ids: Option<Vec<String>>,
) -> CmdResult<ProfilesExported> {
    genesys_ops::export_profiles(&ops, &TauriHost::new(&app, None), ids).await
}

#[tauri::command]
pub async fn import_profiles<R: Runtime>(
    app: AppHandle<R>,
    ops: State<'_, Ops>,
) -> CmdResult<ProfilesImported> {
    genesys_ops::import_profiles(&ops, &TauriHost::new(&app, None)).await
}
