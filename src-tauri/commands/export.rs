//! Exports: cancel, history and resume points.
use genesys_core::jobs::HistoryEntry;
use tauri::State;

use super::AppState;
use crate::error::CmdResult;

/// `cancel_export`: cancel a running export; `false` when it is not running.
#[tauri::command]
pub fn cancel_export(state: State<'_, AppState>, run_id: String) -> bool {
    let found = state.ctx.registry.cancel(&run_id);
    tracing::info!(run_id, found, "cancel requested");
    found
}

/// `list_history`: the last 100 runs, newest first.
#[tauri::command]
pub fn list_history(state: State<'_, AppState>) -> CmdResult<Vec<HistoryEntry>> {
    Ok(state.ctx.history.list()?)
}

/// `pending_resumes`: interrupted runs that can be resumed.
#[tauri::command]
pub fn pending_resumes(state: State<'_, AppState>) -> CmdResult<Vec<HistoryEntry>> {
    Ok(state.ctx.pending_resumes()?)
}

/// `discard_resume`: forget an interrupted run's resume point.
#[tauri::command]
pub fn discard_resume(state: State<'_, AppState>, run_id: String) -> CmdResult<()> {
    Ok(state.ctx.discard_resume(&run_id)?)
}
