//! Exports: start (the save dialog first), resume, cancel, preview, the
//! history and interrupted runs, and opening what a run wrote.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use genesys_core::export::Format;
use genesys_core::jobs::{
    self, CancelledData, EventSink, ExportEvent, HistoryEntry, PreviewResult, RunResult, RunSpec,
    RunSummary,
};
use genesys_core::{ErrorKind, Result};

use crate::host::{FileFilter, Host, SaveDialog};
use crate::{parse_id, Ops};

/// The save dialog's file type for a format.
fn filter(format: Format) -> FileFilter {
    match format {
        Format::Csv => FileFilter::new("CSV", &["csv"]),
        Format::Xlsx => FileFilter::new("Excel workbook", &["xlsx"]),
        Format::Jsonl => FileFilter::new("JSON lines", &["jsonl"]),
    }
}

/// A run's end as the operations answer it: done or cancelled; failures are errors.
fn outcome(r: Result<RunSummary>) -> Result<RunResult> {
    match r {
        Ok(summary) => Ok(RunResult::done(summary)),
        Err(e) if e.kind == ErrorKind::Cancelled => Ok(RunResult::cancelled()),
        Err(e) => Err(e),
    }
}

/// A run's events, passed on until the operation answers: tasks of the run
/// that are still winding down (an async job being deleted) cannot send
/// anything after its outcome.
struct Gate {
    open: Arc<AtomicBool>,
    sink: EventSink,
}

impl Gate {
    fn new(host: &impl Host) -> Self {
        let open = Arc::new(AtomicBool::new(true));
        let inner = host.run_events();
        let flag = open.clone();
        let sink: EventSink = Arc::new(move |e| {
            if flag.load(Ordering::Acquire) {
                inner(e)
            }
        });
        Self { open, sink }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.open.store(false, Ordering::Release);
    }
}

/// `start_export`: ask the host where to save, then run the export of a
/// saved profile, its events going to the host. Cancelling the dialog (or
/// the run) → status `cancelled`.
pub async fn start_export(
    ops: &Ops,
    host: &impl Host,
    run_id: String,
    profile_id: &str,
) -> Result<RunResult> {
    let profile_id = parse_id("profileId", profile_id)?;
    let ctx = ops.ctx.clone();
    // Registered first, so Cancel works even while the dialog is open.
    let owner = host.owner();
    let guard = ctx.registry.register(&run_id, owner.as_deref())?;
    let gate = Gate::new(host);
    let events = gate.sink.clone();
    let mut spec = RunSpec::profile(run_id, profile_id);
    let plan = jobs::plan(&ctx, &spec)?;
    let dialog = SaveDialog {
        title: "Save the export".into(),
        file_name: plan.file_name.clone(),
        folder: plan.folder.clone(),
        filter: filter(plan.profile.export.format),
    };
    let Some(chosen) = host.choose_save_path(dialog).await else {
        events(ExportEvent::Cancelled(CancelledData {}));
        return Ok(RunResult::cancelled());
    };
    spec.replace = chosen.replace;
    if guard.token().is_cancelled() {
        events(ExportEvent::Cancelled(CancelledData {}));
        return Ok(RunResult::cancelled());
    }
    outcome(jobs::run_export(&ctx, spec, chosen.path, events, guard.token()).await)
}

/// `resume_export`: finish an interrupted run into its original destination.
pub async fn resume_export(ops: &Ops, host: &impl Host, run_id: &str) -> Result<RunResult> {
    let ctx = ops.ctx.clone();
    let owner = host.owner();
    let guard = ctx.registry.register(run_id, owner.as_deref())?;
    let gate = Gate::new(host);
    let events = gate.sink.clone();
    outcome(jobs::resume_export(&ctx, run_id, None, events, guard.token()).await)
}

/// `preview`: the first 20 rows and the estimated count, without a full pull.
pub async fn preview(ops: &Ops, profile_id: &str) -> Result<PreviewResult> {
    let id = parse_id("profileId", profile_id)?;
    let spec = RunSpec::profile("preview", id);
    jobs::preview(&ops.ctx, &spec).await
}

/// `cancel_export`: cancel a running export; `false` when it is not running.
pub fn cancel_export(ops: &Ops, run_id: &str) -> bool {
    let found = ops.ctx.registry.cancel(run_id);
    tracing::info!(run_id, found, "cancel requested");
    found
}

/// `list_history`: the last runs, newest first.
pub fn list_history(ops: &Ops) -> Result<Vec<HistoryEntry>> {
    ops.ctx.history.list()
}

/// `pending_resumes`: interrupted runs that can be resumed.
pub fn pending_resumes(ops: &Ops) -> Result<Vec<HistoryEntry>> {
    ops.ctx.pending_resumes()
}

/// `discard_resume`: forget an interrupted run's resume point.
pub fn discard_resume(ops: &Ops, run_id: &str) -> Result<()> {
    ops.ctx.discard_resume(run_id)
}

/// `open_file`: open a file a finished export wrote (see
/// `jobs::exported_file`) with the system's default program.
pub fn open_file(ops: &Ops, host: &impl Host, path: &str) -> Result<()> {
    let p = jobs::exported_file(&ops.ctx, path)?;
    host.open_file(&p)
}

/// `show_in_folder`: show a file a finished export wrote in the file manager.
pub fn show_in_folder(ops: &Ops, host: &impl Host, path: &str) -> Result<()> {
    let p = jobs::exported_file(&ops.ctx, path)?;
    host.show_in_folder(&p)
}
