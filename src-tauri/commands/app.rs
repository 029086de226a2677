//! App-wide information for the About/Help screen.
use serde::Serialize;
use tauri::Manager;

use crate::error::{CmdError, CmdResult};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub log_dir: String,
    pub config_dir: String,
}

#[tauri::command]
pub fn app_info<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> CmdResult<AppInfo> {
    let path = app.path();
    let log_dir = path
        .app_log_dir()
        .map_err(|e| CmdError::new("io", format!("Cannot find the log folder: {e}")))?;
    let config_dir = path
        .app_config_dir()
        .map_err(|e| CmdError::new("io", format!("Cannot find the settings folder: {e}")))?;
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        log_dir: log_dir.display().to_string(),
        config_dir: config_dir.display().to_string(),
    })
}
