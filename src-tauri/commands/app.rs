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
    // The UI asks for this first thing: its script is loaded and running.
    // (`tests/bench/app_startup.sh` times cold start to this line.)
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| tracing::info!("window ready: the UI sent its first command"));
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

/// What `start_demo` returns.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoResult {
    pub connection: super::connections::ConnectionView,
    pub profiles: Vec<genesys_core::profiles::QueryProfile>,
}

/// `start_demo`: start the built-in emulator (once per app run) and
/// create/refresh the demo connection and its two example profiles.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> CmdResult<DemoResult> {
    let sim = state
        .demo
        .get_or_try_init(|| async {
            genesys_sim::Sim::start(genesys_sim::SimConfig::default())
                .await
                .map_err(|e| {
                    crate::error::CmdError::internal(format!(
                        "The demo organization could not start: {e}"
                    ))
                })
        })
        .await?;
    let base_url = sim.base_url();
    let ctx = state.ctx.clone();
    super::connections::blocking(&ctx, move |ctx| {
        let (connection, profiles) = ctx.store().ensure_demo(&base_url)?;
        Ok(DemoResult {
            connection: super::connections::view(ctx, connection)?,
            profiles,
        })
    })
    .await
}
