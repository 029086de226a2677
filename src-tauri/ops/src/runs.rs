//! Exports: start (the save dialog first), resume, cancel, preview, the
//! history and interrupted runs, and opening what a run wrote.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use genesys_core::export::Format;
use genesys_core::jobs::{
    self, EventSink, ExportSource, HistoryEntry, PlannedRun, PreviewResult, RunResult, RunSpec,
    RunSummary,
};
use genesys_core::secrets::Secret;
use genesys_core::{ErrorKind, Result};
use uuid::Uuid;

use crate::host::{FileFilter, Host, SaveDialog};
use crate::queues::resolve_queues;
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
pub(crate) struct Gate {
    open: Arc<AtomicBool>,
    pub(crate) sink: EventSink,
}

impl Gate {
    pub(crate) fn new(host: &impl Host) -> Self {
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

/// One export as asked for.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// Minted by the caller (the UI: `crypto.randomUUID()`; the CLI: `cli-<uuid>`).
    pub run_id: String,
    /// A saved profile (the app), or a profile and connection given in full (the CLI).
    pub source: ExportSource,
    /// An exact range `[from, to)` instead of the profile's (the CLI's `--from`/`--to`).
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Use this secret instead of the keychain (the CLI's `GENESYS_CLIENT_SECRET`).
    pub secret: Option<Secret>,
    /// Queues by name or id (the CLI's `--queue`), looked up before the run;
    /// they replace the profile's queues.
    pub queues: Vec<String>,
    /// Continue the newest interrupted run of the same export into the same
    /// file, when there is one (the CLI's `--resume`).
    pub resume_matching: bool,
}

impl ExportRequest {
    /// A saved profile's export, as the app starts it.
    pub fn profile(run_id: impl Into<String>, profile_id: Uuid) -> Self {
        Self {
            run_id: run_id.into(),
            source: ExportSource::Profile(profile_id),
            range: None,
            secret: None,
            queues: Vec::new(),
            resume_matching: false,
        }
    }
}

/// `start_export`: a saved profile's export (see [`run_export`]).
pub async fn start_export(
    ops: &Ops,
    host: &impl Host,
    run_id: String,
    profile_id: &str,
) -> Result<RunResult> {
    let profile_id = parse_id("profileId", profile_id)?;
    run_export(ops, host, ExportRequest::profile(run_id, profile_id)).await
}

/// Run an export: ask the host where to save, then fetch and write, the
/// events going to the host. Cancel it with [`cancel_export`] (its run id is
/// registered first, so Cancel works even while the dialog is open).
/// Cancelling the dialog or the run → status `cancelled`; failures are errors.
pub async fn run_export(ops: &Ops, host: &impl Host, req: ExportRequest) -> Result<RunResult> {
    let ctx = ops.ctx.clone();
    let owner = host.owner();
    let guard = ctx.registry.register(&req.run_id, owner.as_deref())?;
    let gate = Gate::new(host);
    let events = gate.sink.clone();
    // The one plan of this run, at the host's clock: it names the file in
    // the dialog and fixes the range the run fetches, however long the
    // dialog stays open.
    let spec = RunSpec {
        run_id: req.run_id,
        source: req.source,
        secret: req.secret,
        now: Some(host.now()),
        range: req.range,
        replace: false,
        keep_partial: false,
    };
    let plan = jobs::plan(&ctx, &spec)?;
    // Before the dialog (before anything is fetched): a long range may take long.
    jobs::announce_long_range(&plan, &events);
    let dialog = SaveDialog {
        title: "Save the export".into(),
        file_name: plan.file_name.clone(),
        folder: plan.folder.clone(),
        filter: filter(plan.profile.export.format),
    };
    let Some(chosen) = host.choose_save_path(dialog).await else {
        return Ok(RunResult::cancelled());
    };
    if guard.token().is_cancelled() {
        return Ok(RunResult::cancelled());
    }
    let mut run = PlannedRun::from_plan(spec, plan, chosen.path);
    run.replace = chosen.replace;
    if !req.queues.is_empty() {
        host.note("Looking up queues…");
        let client = {
            let (conn, secret) = (run.plan.connection.clone(), run.secret.clone());
            ops.blocking(move |ctx| jobs::client_for(ctx, &conn, secret))
                .await?
        };
        run.plan.profile.filters.queue_ids = resolve_queues(&client, &req.queues).await?;
    }
    let resumable = if req.resume_matching {
        let (plan, path) = (run.plan.clone(), run.destination.clone());
        let found = ops
            .blocking(move |ctx| jobs::find_resumable(ctx, &plan, &path))
            .await?;
        if found.is_none() {
            host.note(&format!(
                "No interrupted export of this query into {} to resume; starting it from the beginning.",
                run.destination.display()
            ));
        }
        found
    } else {
        None
    };
    let result = match resumable {
        Some(entry) => {
            host.note(&format!(
                "Resuming the interrupted export started {} from its last checkpoint.",
                entry.started_at.format("%Y-%m-%d %H:%M UTC")
            ));
            jobs::resume_export(&ctx, &entry.run_id, run.secret, events, guard.token()).await
        }
        None => jobs::run_export(&ctx, run, events, guard.token()).await,
    };
    // A failure while stopping after a cancel is the cancel.
    let result = match result {
        Err(e) if guard.token().is_cancelled() && e.kind != ErrorKind::Cancelled => {
            Err(genesys_core::Error::cancelled())
        }
        other => other,
    };
    outcome(result)
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
