//! Exports: start (save dialog first), cancel, resume, preview, history.
use std::path::PathBuf;
use std::sync::Arc;

use genesys_core::export::Format;
use genesys_core::jobs::{
    self, CancelledData, EventSink, ExportEvent, HistoryEntry, PreviewResult, RunResult, RunSpec,
    RunSummary,
};
use genesys_core::{ErrorKind, Result as CoreResult};
use tauri::ipc::Channel;
use tauri::State;

use super::connections::parse_id;
use super::dialog::{save_path, SaveDialog};
use super::AppState;
use crate::error::CmdResult;

fn sink(channel: Channel<ExportEvent>) -> EventSink {
    Arc::new(move |event| {
        if let Err(e) = channel.send(event) {
            tracing::debug!(error = %e, "progress channel closed");
        }
    })
}

fn result(r: CoreResult<RunSummary>) -> CmdResult<RunResult> {
    match r {
        Ok(summary) => Ok(RunResult::done(summary)),
        Err(e) if e.kind == ErrorKind::Cancelled => Ok(RunResult::cancelled()),
        Err(e) => Err(e.into()),
    }
}

fn filter(format: Format) -> (&'static str, &'static [&'static str]) {
    match format {
        Format::Csv => ("CSV", &["csv"]),
        Format::Xlsx => ("Excel workbook", &["xlsx"]),
        Format::Jsonl => ("JSON lines", &["jsonl"]),
    }
}

/// A destination given by the caller instead of the save dialog: the test
/// seam of the command tests. Only debug builds accept it (like the dialog
/// seam in `dialog.rs`): in a release build `start_export` has no such
/// parameters, so the window can never choose where a file is written.
#[derive(Default)]
struct GivenDestination {
    destination: Option<String>,
    replace: Option<bool>,
}

/// `start_export`: ask where to save (unless `destination` is given, debug
/// builds only), then run the export, reporting on `on_progress`.
/// Cancelling the dialog → status `cancelled`. Failures reject with
/// `{kind, message, field?}`.
#[cfg(debug_assertions)]
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn start_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    window: tauri::Window<R>,
    state: State<'_, AppState>,
    run_id: String,
    profile_id: String,
    destination: Option<String>,
    replace: Option<bool>,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let given = GivenDestination {
        destination,
        replace,
    };
    start(app, window, &state, run_id, profile_id, given, on_progress).await
}

/// `start_export` in a release build: always through the save dialog.
#[cfg(not(debug_assertions))]
#[tauri::command]
pub async fn start_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    window: tauri::Window<R>,
    state: State<'_, AppState>,
    run_id: String,
    profile_id: String,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let given = GivenDestination::default();
    start(app, window, &state, run_id, profile_id, given, on_progress).await
}

async fn start<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    window: tauri::Window<R>,
    state: &AppState,
    run_id: String,
    profile_id: String,
    given: GivenDestination,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let profile_id = parse_id("profileId", &profile_id)?;
    let ctx = state.ctx.clone();
    // Registered first, so Cancel works even while the dialog is open.
    let guard = ctx.registry.register(&run_id, Some(window.label()))?;
    let events = sink(on_progress);
    let mut spec = RunSpec::profile(run_id, profile_id);
    spec.replace = given.replace.unwrap_or(false);
    let plan = jobs::plan(&ctx, &spec)?;
    let destination = match given.destination.filter(|d| !d.trim().is_empty()) {
        Some(d) => PathBuf::from(d),
        None => {
            let chosen = save_path(
                &app,
                SaveDialog {
                    title: "Save the export",
                    file_name: &plan.file_name,
                    folder: plan.folder.as_deref(),
                    filter: filter(plan.profile.export.format),
                },
            )
            .await;
            match chosen {
                // The dialog asked about replacing an existing file.
                Some(p) => {
                    spec.replace = true;
                    p
                }
                None => {
                    events(ExportEvent::Cancelled(CancelledData {}));
                    return Ok(RunResult::cancelled());
                }
            }
        }
    };
    if guard.token().is_cancelled() {
        events(ExportEvent::Cancelled(CancelledData {}));
        return Ok(RunResult::cancelled());
    }
    result(jobs::run_export(&ctx, spec, destination, events, guard.token()).await)
}

/// `resume_export`: finish an interrupted run into its original destination.
#[tauri::command]
pub async fn resume_export<R: tauri::Runtime>(
    window: tauri::Window<R>,
    state: State<'_, AppState>,
    run_id: String,
    on_progress: Channel<ExportEvent>,
) -> CmdResult<RunResult> {
    let ctx = state.ctx.clone();
    let guard = ctx.registry.register(&run_id, Some(window.label()))?;
    result(jobs::resume_export(&ctx, &run_id, None, sink(on_progress), guard.token()).await)
}

/// `preview`: the first 20 rows and the estimated count, without a full pull.
#[tauri::command]
pub async fn preview(state: State<'_, AppState>, profile_id: String) -> CmdResult<PreviewResult> {
    let id = parse_id("profileId", &profile_id)?;
    let spec = RunSpec::profile("preview", id);
    Ok(jobs::preview(&state.ctx, &spec).await?)
}

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
