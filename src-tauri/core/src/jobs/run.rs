//! The export run shared by the app and the CLI: plan → checkpoint →
//! history → per-client turn → client → fetch stream → export writer, with
//! progress events, cancellation and a resume point.
//!
//! The pieces: [`super::spec`] (what to run), [`super::plan`] (what it will
//! do), [`super::checkpoint`] (its durable record), [`super::resume`] (which
//! run a new one continues, and from where), [`super::history_row`],
//! [`super::tracker`] (progress) and [`super::client`] (the Genesys client).
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::checkpoint::{RunCheckpoint, RunLock};
use super::events::{ExportEvent, Phase, Progress, Queued, RunSummary, Started};
use super::spec::{EventSink, PlannedRun};
use super::tracker::Tracker;
use super::{client_for_async, history_row, resume, Context};
use crate::error::{Error, ErrorKind, Result};
use crate::export::{self, Destination, Resumable, ResumeState, WriteProgress};
use crate::genesys::{Client, FetchOptions, FetchProgress, FetchRequest};
use crate::secrets::Secret;

/// Run a planned export. The one entry point for the app, the CLI and
/// schedules; the plan is the caller's (made once, see [`PlannedRun`]).
///
/// Sends `started`, throttled `progress` (first and last always) and
/// `queued` while another export holds the same connection; nothing after
/// it returns. How it ended is reported once, by the answer: the summary, or
/// the error (kind `cancelled` when `cancel` fires; the destination is then
/// untouched and no temp file remains). Records the run in the history and
/// keeps a resume checkpoint while it runs.
pub async fn run_export(
    ctx: &Context,
    run: PlannedRun,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    // Before anything is sent or recorded: a file name that names the format.
    let PlannedRun {
        run_id,
        plan,
        secret,
        destination,
        replace,
        keep_partial,
    } = run;
    let prepared = export::output::check_extension(&destination, plan.profile.export.format)
        .and_then(|()| {
            let checkpoint = RunCheckpoint {
                version: 1,
                run_id,
                plan,
                destination,
                replace,
                keep_partial,
                started_at: Utc::now(),
                resume: None,
            };
            let lock = ctx.checkpoints.hold(&checkpoint.run_id)?;
            Ok((checkpoint, lock))
        });
    match prepared {
        Ok((checkpoint, lock)) => execute(ctx, checkpoint, lock, secret, events, cancel).await,
        Err(e) => Err(e),
    }
}

/// Resume an interrupted run (see [`Context::pending_resumes`]): the same
/// frozen range, profile and destination, so the finished file is the one
/// the interrupted run would have written. It continues from the last
/// durable point saved in its checkpoint: the partly written file is cut back
/// to the length saved with it and the fetch continues after the last
/// conversation written, so nothing is duplicated or missed. When the partly
/// written file is gone or shorter than saved, the export starts again from
/// the beginning of the range, and the summary says so in its warnings.
pub async fn resume_export(
    ctx: &Context,
    run_id: &str,
    secret: Option<Secret>,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    let prepared = ctx.checkpoints.load::<RunCheckpoint>(run_id).and_then(|c| {
        let checkpoint = c.ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "This export can no longer be resumed. Start it again from its profile.",
            )
        })?;
        // Before touching its files: nobody else may be running (resuming) it.
        let lock = ctx.checkpoints.hold(run_id)?;
        Ok((checkpoint, lock))
    });
    match prepared {
        Ok((checkpoint, lock)) => execute(ctx, checkpoint, lock, secret, events, cancel).await,
        Err(e) => Err(e),
    }
}

async fn execute(
    ctx: &Context,
    checkpoint: RunCheckpoint,
    // Held until the run has ended and its checkpoint is gone.
    _lock: RunLock,
    secret: Option<Secret>,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    let started = Instant::now();
    super::announce_long_range(&checkpoint.plan, &events);
    events(ExportEvent::Started(Started {
        run_id: checkpoint.run_id.clone(),
        destination: checkpoint.destination.display().to_string(),
        from: checkpoint.plan.from_local(),
        to: checkpoint.plan.to_local(),
    }));
    let tracker = Arc::new(Tracker::new(events.clone()));
    tracker.emit_now(Progress::phase(
        Phase::Connecting,
        "Connecting to Genesys Cloud…",
    ));

    // Before the first request: the run is in the history as running and its
    // checkpoint is on disk, so a crash from here on is offered for resume.
    let recorded = ctx
        .checkpoints
        .save(&checkpoint.run_id, &checkpoint)
        .and_then(|_| ctx.history.record(history_row::started(&checkpoint)));
    let result = match recorded {
        Ok(()) => fetch_and_write(ctx, &checkpoint, secret, &tracker, &cancel).await,
        Err(e) => Err(e),
    };
    // No progress after this: the run's answer follows.
    tracker.close();

    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let result = result.map(|summary| RunSummary {
        duration_ms,
        ..summary
    });
    if result.is_ok() {
        if let Some(dir) = checkpoint.destination.parent() {
            let _ = ctx.store().set_last_used_folder(dir);
        }
    }
    let entry = history_row::ended(&checkpoint, &result, &tracker.last(), duration_ms);
    if let Err(e) = ctx.history.record(entry) {
        tracing::warn!(error = %e, "could not record the run in the history");
    }
    if let Err(e) = ctx.checkpoints.remove(&checkpoint.run_id) {
        tracing::warn!(error = %e, "could not remove the resume point");
    }
    match &result {
        Ok(s) => {
            tracing::info!(run_id = %checkpoint.run_id, rows = s.rows, ms = s.duration_ms, "export done")
        }
        Err(e) => {
            tracing::info!(run_id = %checkpoint.run_id, kind = %e.kind, "export ended: {}", e.message)
        }
    }
    result
}

async fn fetch_and_write(
    ctx: &Context,
    c: &RunCheckpoint,
    secret: Option<Secret>,
    tracker: &Arc<Tracker>,
    cancel: &CancellationToken,
) -> Result<RunSummary> {
    let plan = &c.plan;
    // The rate limit is per OAuth client: one export per client at a time
    // (also across the app and the CLI, which share the data folder).
    let queued_tracker = tracker.clone();
    let connection_name = plan.connection.name.clone();
    // The client is its login server and id ("eu-west-1" and "mypurecloud.ie" are one).
    let client_key = plan.connection.oauth_client_key();
    let _turn = ctx
        .locks
        .acquire(&client_key, cancel, move || {
            queued_tracker.send(ExportEvent::Queued(Queued {
                message: format!(
                    "Another export is running on \"{connection_name}\" (in this window or from the command line). This one starts when it is done."
                ),
            }))
        })
        .await?;
    let client = client_for_async(ctx, &plan.connection, secret).await?;
    let fetch_tracker = tracker.clone();
    let pass = Pass {
        ctx,
        checkpoint: c,
        client: &client,
        destination: Destination {
            path: c.destination.clone(),
            replace: c.replace,
            keep_partial: c.keep_partial,
        },
        options: FetchOptions {
            cancel: cancel.clone(),
            progress: Some(Arc::new(move |p: &FetchProgress| fetch_tracker.on_fetch(p))),
            // What the fetch reads stays on disk until the run ends: a
            // resume asks Genesys only for the rest (#19).
            store: Some(ctx.checkpoints.fetched_dir(&c.run_id)?),
            ..FetchOptions::default()
        },
        tracker,
    };

    // Continue from the last durable point when its partly written file is
    // intact; otherwise start again from the beginning of the range.
    let (from, note) = resume::usable_point(c);
    let mut notes: Vec<String> = note.into_iter().collect();
    let resuming = from.is_some();
    let mut summary = match pass.write(from, &mut notes).await {
        // The saved rows could not be read back (e.g. a damaged XLSX row journal).
        Err(e) if resuming && e.kind == ErrorKind::Storage && !cancel.is_cancelled() => {
            tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted export: {}", e.message);
            notes.push(resume::restart_note(
                "its partly written file cannot be read back",
            ));
            pass.write(None, &mut notes).await?
        }
        other => other?,
    };
    notes.append(&mut summary.warnings);
    tracker.emit_now({
        let mut p = tracker.compose();
        p.phase = Phase::Finishing;
        p.percent = Some(100.0);
        p.eta_seconds = Some(0);
        p.conversations = summary.conversations;
        p.rows = summary.rows;
        p.message = format!("Saved {}", summary.path);
        p
    });
    Ok(RunSummary {
        rows: summary.rows,
        conversations: summary.conversations,
        path: summary.path,
        bytes: summary.bytes,
        duration_ms: 0,
        warnings: notes,
    })
}

/// What one pass of fetch → file needs; a run makes one pass, or two when
/// a resume cannot read back what it had written.
struct Pass<'a> {
    ctx: &'a Context,
    checkpoint: &'a RunCheckpoint,
    client: &'a Client,
    destination: Destination,
    options: FetchOptions,
    tracker: &'a Arc<Tracker>,
}

impl Pass<'_> {
    /// Continue from `from` (falling back to the start of the range, with a
    /// note, when its fetch checkpoint is unusable), or export afresh.
    async fn write(
        &self,
        mut from: Option<ResumeState>,
        notes: &mut Vec<String>,
    ) -> Result<export::Summary> {
        let c = self.checkpoint;
        let resumed = match &from {
            Some(state) => match self
                .client
                .resume(state.fetch.clone(), self.options.clone())
            {
                Ok(f) => Some(f),
                Err(e) => {
                    tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted fetch: {}", e.message);
                    notes.push(resume::restart_note("its saved progress cannot be used"));
                    from = None;
                    None
                }
            },
            None => None,
        };
        let fetch = match resumed {
            Some(f) => f,
            None => self.client.fetch(
                FetchRequest {
                    from: c.plan.from,
                    to: c.plan.to,
                    filters: c.plan.profile.filters.clone(),
                    strategy: c.plan.profile.strategy,
                },
                self.options.clone(),
            )?,
        };

        // Each durable point goes into the run's checkpoint (atomically).
        let checkpoints = self.ctx.checkpoints.clone();
        let mut saved = c.clone();
        let mut on_durable = move |state: &ResumeState| {
            saved.resume = Some(state.clone());
            if let Err(e) = checkpoints.save(&saved.run_id, &saved) {
                tracing::warn!(error = %e, "could not save the resume point");
            }
        };
        let tracker = self.tracker.clone();
        export::write_resumable(
            fetch,
            self.client,
            &c.plan.profile.export,
            &self.destination,
            Resumable {
                run_id: &c.run_id,
                from,
                on_durable: &mut on_durable,
            },
            self.options.cancel.clone(),
            move |w: WriteProgress| tracker.on_write(w),
        )
        .await
    }
}
