//! App-wide information for the About/Help screen, and the region list.
use genesys_core::genesys::{regions, Region};
use serde::Serialize;
use tauri::{Manager, State};

use super::AppState;
use crate::error::CmdResult;

/// `app_info`: version, folders and start-up notices.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub log_dir: String,
    pub config_dir: String,
    /// e.g. "profiles file was corrupt and set aside".
    pub notices: Vec<String>,
}

#[tauri::command]
pub fn app_info<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<AppInfo> {
    let log_dir = app
        .path()
        .app_log_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        log_dir,
        config_dir: state.ctx.config_dir.display().to_string(),
        notices: state.notices(),
    })
}

/// `list_regions`: the 18 Genesys Cloud regions with friendly names.
#[tauri::command]
pub fn list_regions() -> Vec<Region> {
    regions()
}
