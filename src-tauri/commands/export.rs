//! Exports: start (save dialog first), resume, cancel, preview, history,
//! interrupted runs, and opening what a run wrote.
use genesys_core::jobs::{ExportEvent, HistoryEntry, PreviewResult, RunResult};
use genesys_ops::Ops;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State, Window};

use super::CmdResult;
use crate::host::{Given, TauriHost};

/// `start_export` in a debug build: `destination`/`replace` replace the save
/// dialog (the command tests' seam). A release build has no such parameters,
/// so the window can never choose where a file is written.
#[cfg(debug_assertions)]
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn start_export<R: Runtime>(
    window: Window<R>,
    ops: State<'_, Ops>,
    run_id: String,
    profile_id: String,
    destination: Option<String>,
    replace: Option<bool>,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let given = Given {
        destination,
        replace,
    };
    let host = TauriHost::for_run(&window, on_progress).with_given(given);
    genesys_ops::start_export(&ops, &host, run_id, &profile_id).await
}

/// `start_export` in a release build: always through the save dialog.
#[cfg(not(debug_assertions))]
#[tauri::command]
pub async fn start_export<R: Runtime>(
    window: Window<R>,
    ops: State<'_, Ops>,
    run_id: String,
    profile_id: String,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let host = TauriHost::for_run(&window, on_progress);
    genesys_ops::start_export(&ops, &host, run_id, &profile_id).await
}

#[tauri::command]
pub async fn resume_export<R: Runtime>(
    window: Window<R>,
    ops: State<'_, Ops>,
    run_id: String,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let host = TauriHost::for_run(&window, on_progress);
    genesys_ops::resume_export(&ops, &host, &run_id).await
}

#[tauri::command]
pub async fn preview(ops: State<'_, Ops>, profile_id: String) -> CmdResult<PreviewResult> {
    genesys_ops::preview(&ops, &profile_id).await
}

#[tauri::command]
pub fn cancel_export(ops: State<'_, Ops>, run_id: String) -> bool {
    genesys_ops::cancel_export(&ops, &run_id)
}

#[tauri::command]
pub fn list_history(ops: State<'_, Ops>) -> CmdResult<Vec<HistoryEntry>> {
    genesys_ops::list_history(&ops)
}

#[tauri::command]
pub fn pending_resumes(ops: State<'_, Ops>) -> CmdResult<Vec<HistoryEntry>> {
    genesys_ops::pending_resumes(&ops)
}

#[tauri::command]
pub fn discard_resume(ops: State<'_, Ops>, run_id: String) -> CmdResult<()> {
    genesys_ops::discard_resume(&ops, &run_id)
}

#[tauri::command]
pub fn open_file<R: Runtime>(
    app: AppHandle<R>,
    ops: State<'_, Ops>,
    path: String,
) -> CmdResult<()> {
    genesys_ops::open_file(&ops, &TauriHost::new(&app, None), &path)
}

#[tauri::command]
pub fn show_in_folder<R: Runtime>(
    app: AppHandle<R>,
    ops: State<'_, Ops>,
    path: String,
) -> CmdResult<()> {
    genesys_ops::show_in_folder(&ops, &TauriHost::new(&app, None), &path)
}
