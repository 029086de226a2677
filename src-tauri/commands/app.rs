//! About/Help, the region list, the demo organization.
use genesys_core::genesys::Region;
use genesys_ops::{AppInfo, DemoResult, Ops};
use tauri::{AppHandle, Runtime, State};

use super::CmdResult;
use crate::host::TauriHost;

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>, ops: State<'_, Ops>) -> AppInfo {
    genesys_ops::app_info(&ops, &TauriHost::new(&app, None))
}

#[tauri::command]
pub fn list_regions() -> Vec<Region> {
    genesys_ops::list_regions()
}

#[tauri::command]
pub async fn start_demo(ops: State<'_, Ops>) -> CmdResult<DemoResult> {
    genesys_ops::start_demo(&ops).await
}
