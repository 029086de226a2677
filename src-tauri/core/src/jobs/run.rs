//! The export run shared by the app and the CLI: profile → resolved range →
//! secret → client → fetch stream → export writer, with progress events,
//! cancellation, one run per connection, history and a resume checkpoint.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::events::{
    CancelledData, ErrorInfo, ExportEvent, Failed, Finished, Phase, Progress, Queued, RunSummary,
    Started, WindowInfo,
};
use super::{Context, HistoryEntry, HistoryStatus, Throttle, PROGRESS_INTERVAL};
use crate::error::{Error, ErrorKind, Result};
use crate::export::{self, Destination, Resumable, ResumeState, WriteProgress};
use crate::genesys::{
    Client, ClientConfig, Credentials, FetchOptions, FetchPhase, FetchProgress, FetchRequest,
};
use crate::profiles::{Connection, QueryProfile};
use crate::secrets::{Secret, SecretStore};

/// The client id and secret of the built-in demo organization (the emulator).
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

/// Receives a run's events (the app forwards them to the UI's channel, the
/// CLI draws a progress bar). Called inline: keep it quick.
pub type EventSink = Arc<dyn Fn(ExportEvent) + Send + Sync>;

/// What to export.
#[derive(Debug, Clone)]
pub enum ExportSource {
    /// A saved profile, with its saved connection.
    Profile(Uuid),
    /// A profile and a connection given in full (the CLI's ad-hoc flags).
    AdHoc(Box<AdHoc>),
}

/// An ad-hoc export: everything given, nothing saved.
#[derive(Debug, Clone)]
pub struct AdHoc {
    pub connection: Connection,
    pub profile: QueryProfile,
}

/// One export to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Minted by the caller (the UI: `crypto.randomUUID()`); letters, digits, `-`, `_`.
    pub run_id: String,
    pub source: ExportSource,
    /// Use this secret instead of the keychain (CLI: `GENESYS_CLIENT_SECRET`).
    pub secret: Option<Secret>,
    /// The moment presets are resolved at; `None` = now.
    pub now: Option<DateTime<Utc>>,
    /// An exact range `[from, to)` instead of the profile's (the CLI's `--from`/`--to`).
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Replace an existing destination file.
    pub replace: bool,
    /// Keep what was written as `name (partial).ext` on cancel or failure.
    pub keep_partial: bool,
}

impl RunSpec {
    /// A run of a saved profile, now, not replacing anything.
    pub fn profile(run_id: impl Into<String>, profile_id: Uuid) -> Self {
        Self {
            run_id: run_id.into(),
            source: ExportSource::Profile(profile_id),
            secret: None,
            now: None,
            range: None,
            replace: false,
            keep_partial: false,
        }
    }
}

/// What a run is about to do, known before anything is fetched: used for the
/// save dialog (file name, folder) and stored in the checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    pub connection: Connection,
    pub profile: QueryProfile,
    /// The resolved range `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The file name from the profile's template.
    pub file_name: String,
    /// The folder a save dialog should start in.
    pub folder: Option<PathBuf>,
}

impl RunPlan {
    /// `from` as RFC 3339 in the profile's zone.
    pub fn from_local(&self) -> String {
        local(self.from, &self.profile.time_zone)
    }

    pub fn to_local(&self) -> String {
        local(self.to, &self.profile.time_zone)
    }
}

fn local(t: DateTime<Utc>, zone: &str) -> String {
    match crate::clock::parse_time_zone(zone, "timeZone") {
        Ok(tz) => t.with_timezone(&tz).to_rfc3339(),
        Err(_) => t.to_rfc3339(),
    }
}

/// The resume checkpoint of a run: its frozen plan and destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunCheckpoint {
    version: u32,
    run_id: String,
    plan: RunPlan,
    destination: PathBuf,
    replace: bool,
    keep_partial: bool,
    started_at: DateTime<Utc>,
    /// The last durable point of the export (absent until the first rows are on disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resume: Option<ResumeState>,
}

/// Work out what a run will do (profile, connection, range, file name)
/// without sending anything. Field-level errors for a bad profile.
pub fn plan(ctx: &Context, spec: &RunSpec) -> Result<RunPlan> {
    let now = spec.now.unwrap_or_else(Utc::now);
    let store = ctx.store();
    let (connection, profile) = match &spec.source {
        ExportSource::Profile(id) => {
            let profile = store.require_profile(*id)?.clone();
            let connection = store.require_connection(profile.connection_id)?.clone();
            (connection, profile)
        }
        ExportSource::AdHoc(adhoc) => (adhoc.connection.clone(), adhoc.profile.clone()),
    };
    let (from, to) = match spec.range {
        Some((from, to)) if from < to => (from, to),
        Some(_) => {
            return Err(Error::invalid(
                "to",
                "The end of the date range must be after its start.",
            ))
        }
        None => profile.resolve_range(now)?,
    };
    let file_name = profile.file_name(now)?;
    let folder = store.folder_for(&profile);
    Ok(RunPlan {
        connection,
        profile,
        from,
        to,
        file_name,
        folder,
    })
}

/// Run an export into `destination`. The one entry point for the app and the CLI.
///
/// Sends `started`, throttled `progress` (first and last always), `queued`
/// while another export holds the same connection, then exactly one of
/// `finished`, `failed` or `cancelled`. Records the run in the history and
/// keeps a resume checkpoint while it runs. Returns `Err` with kind
/// `cancelled` when `cancel` fires; the destination is then untouched and no
/// temp file remains.
pub async fn run_export(
    ctx: &Context,
    spec: RunSpec,
    destination: PathBuf,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    // Before anything is sent or recorded: the plan, and a file name that
    // names the format.
    let planned = plan(ctx, &spec).and_then(|p| {
        export::output::check_extension(&destination, p.profile.export.format)?;
        Ok(p)
    });
    let plan = match planned {
        Ok(p) => p,
        Err(e) => {
            report_end(&events, &Err(e.clone()));
            return Err(e);
        }
    };
    let checkpoint = RunCheckpoint {
        version: 1,
        run_id: spec.run_id.clone(),
        plan,
        destination,
        replace: spec.replace,
        keep_partial: spec.keep_partial,
        started_at: Utc::now(),
        resume: None,
    };
    let lock = match ctx.checkpoints.hold(&checkpoint.run_id) {
        Ok(l) => l,
        Err(e) => {
            report_end(&events, &Err(e.clone()));
            return Err(e);
        }
    };
    execute(ctx, checkpoint, lock, spec.secret, events, cancel).await
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
    let checkpoint: RunCheckpoint = match ctx.checkpoints.load(run_id) {
        Ok(Some(c)) => c,
        Ok(None) => {
            let e = Error::new(
                ErrorKind::NotFound,
                "This export can no longer be resumed. Start it again from its profile.",
            );
            report_end(&events, &Err(e.clone()));
            return Err(e);
        }
        Err(e) => {
            report_end(&events, &Err(e.clone()));
            return Err(e);
        }
    };
    // Before touching its files: nobody else may be running (resuming) it.
    let lock = match ctx.checkpoints.hold(run_id) {
        Ok(l) => l,
        Err(e) => {
            report_end(&events, &Err(e.clone()));
            return Err(e);
        }
    };
    execute(ctx, checkpoint, lock, secret, events, cancel).await
}

/// The newest interrupted run (see [`Context::pending_resumes`]) of the same
/// export as `spec` into `destination`: same connection (environment and
/// client id), filters, strategy and export options, and the same range, or
/// the same saved profile when its range is relative ("last 7 days" resumes
/// the range the interrupted run had frozen). `None` when there is none.
pub fn find_resumable(
    ctx: &Context,
    spec: &RunSpec,
    destination: &Path,
) -> Result<Option<HistoryEntry>> {
    let wanted = plan(ctx, spec)?;
    let mut pending = ctx.pending_resumes()?;
    pending.sort_by_key(|e| std::cmp::Reverse(e.started_at));
    for entry in pending {
        let Ok(Some(c)) = ctx.checkpoints.load::<RunCheckpoint>(&entry.run_id) else {
            continue;
        };
        if c.destination == destination && same_export(&c.plan, &wanted) {
            return Ok(Some(entry));
        }
    }
    Ok(None)
}

fn same_export(saved: &RunPlan, wanted: &RunPlan) -> bool {
    let (a, b) = (&saved.profile, &wanted.profile);
    let same_range = (saved.from, saved.to) == (wanted.from, wanted.to)
        || (!b.id.is_nil()
            && a.id == b.id
            && matches!(b.range, crate::profiles::DateRange::Preset { .. }));
    saved.connection.environment == wanted.connection.environment
        && saved.connection.client_id == wanted.connection.client_id
        && a.filters == b.filters
        && a.strategy == b.strategy
        && a.export == b.export
        && a.time_zone == b.time_zone
        && same_range
}

fn history_entry(c: &RunCheckpoint, status: HistoryStatus) -> HistoryEntry {
    HistoryEntry {
        run_id: c.run_id.clone(),
        profile_id: c.plan.profile.id.to_string(),
        profile_name: c.plan.profile.name.clone(),
        connection_id: c.plan.connection.id.to_string(),
        from: c.plan.from_local(),
        to: c.plan.to_local(),
        status,
        rows: 0,
        conversations: 0,
        duration_ms: 0,
        path: c.destination.display().to_string(),
        error: None,
        started_at: c.started_at,
    }
}

fn report_end(events: &EventSink, result: &Result<RunSummary>) {
    match result {
        Ok(summary) => events(ExportEvent::Finished(Finished {
            summary: summary.clone(),
        })),
        Err(e) if e.kind == ErrorKind::Cancelled => {
            events(ExportEvent::Cancelled(CancelledData {}))
        }
        Err(e) => events(ExportEvent::Failed(Failed {
            error: ErrorInfo::from(e),
        })),
    }
}

async fn execute(
    ctx: &Context,
    checkpoint: RunCheckpoint,
    // Held until the run has ended and its checkpoint is gone.
    _lock: super::checkpoint::RunLock,
    secret: Option<Secret>,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    let started = Instant::now();
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
        .and_then(|_| {
            ctx.history
                .record(history_entry(&checkpoint, HistoryStatus::Running))
        });
    let result = match recorded {
        Ok(()) => fetch_and_write(ctx, &checkpoint, secret, &tracker, &cancel).await,
        Err(e) => Err(e),
    };
    tracker.flush();

    let mut entry = history_entry(&checkpoint, HistoryStatus::Done);
    entry.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let result = result.map(|mut summary| {
        summary.duration_ms = entry.duration_ms;
        summary
    });
    match &result {
        Ok(summary) => {
            entry.rows = summary.rows;
            entry.conversations = summary.conversations;
            if let Some(dir) = checkpoint.destination.parent() {
                let _ = ctx.store().set_last_used_folder(dir);
            }
        }
        Err(e) => {
            entry.status = if e.kind == ErrorKind::Cancelled {
                HistoryStatus::Cancelled
            } else {
                HistoryStatus::Failed
            };
            entry.error = Some(e.message.clone());
            let progress = tracker.last();
            entry.rows = progress.rows;
            entry.conversations = progress.conversations;
        }
    }
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
    report_end(&events, &result);
    result
}

/// The secret for a connection: given, the demo's, or from the keychain
/// (a blocking call with the keychain's timeout: from a blocking context).
fn secret_for(ctx: &Context, connection: &Connection, given: Option<Secret>) -> Result<Secret> {
    if let Some(s) = given_secret(connection, given) {
        return Ok(s);
    }
    ctx.secrets
        .get(&connection.id.to_string())?
        .ok_or_else(|| missing_secret(connection))
}

/// [`secret_for`] from async code: the keychain call runs on its own thread
/// and never blocks an async worker.
async fn secret_for_async(
    ctx: &Context,
    connection: &Connection,
    given: Option<Secret>,
) -> Result<Secret> {
    if let Some(s) = given_secret(connection, given) {
        return Ok(s);
    }
    ctx.secrets
        .get_async(&connection.id.to_string())
        .await?
        .ok_or_else(|| missing_secret(connection))
}

fn given_secret(connection: &Connection, given: Option<Secret>) -> Option<Secret> {
    match given.filter(|s| !s.is_blank()) {
        Some(s) => Some(s),
        None if connection.is_demo => Some(Secret::new(DEMO_CLIENT_SECRET)),
        None => None,
    }
}

fn missing_secret(connection: &Connection) -> Error {
    Error::new(
        ErrorKind::Auth,
        format!(
            "No client secret is saved for the connection \"{}\". Open the connection and enter its secret.",
            connection.name
        ),
    )
    .with_field("secret")
}

/// [`client_for`] from async code (the keychain is read off the async workers).
pub async fn client_for_async(
    ctx: &Context,
    connection: &Connection,
    secret: Option<Secret>,
) -> Result<Client> {
    let secret = secret_for_async(ctx, connection, secret).await?;
    client_for(ctx, connection, Some(secret))
}

/// A client for a connection.
pub fn client_for(
    ctx: &Context,
    connection: &Connection,
    secret: Option<Secret>,
) -> Result<Client> {
    let secret = secret_for(ctx, connection, secret)?;
    let environment = connection.parsed_environment()?;
    let credentials = Credentials::new(connection.client_id.clone(), secret);
    let mut config = ClientConfig::new(environment, credentials);
    if let Some(retry) = &ctx.retry {
        config.retry = retry.clone();
    }
    Client::new(config)
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
            (queued_tracker.events)(ExportEvent::Queued(Queued {
                message: format!(
                    "Another export is running on \"{connection_name}\" (in this window or from the command line). This one starts when it is done."
                ),
            }))
        })
        .await?;
    let client = client_for_async(ctx, &plan.connection, secret).await?;
    let fetch_tracker = tracker.clone();
    let options = FetchOptions {
        cancel: cancel.clone(),
        progress: Some(Arc::new(move |p: &FetchProgress| fetch_tracker.on_fetch(p))),
    };
    let dest = Destination {
        path: c.destination.clone(),
        replace: c.replace,
        keep_partial: c.keep_partial,
    };
    let format = plan.profile.export.format;

    // Continue from the last durable point when its partly written file is
    // intact; otherwise start again from the beginning of the range.
    let mut notes = Vec::new();
    let mut from = c.resume.clone();
    if let Some(state) = &from {
        if let Err(why) = export::resume::check(&c.destination, &c.run_id, format, state) {
            tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted export: {why}");
            notes.push(restart_note(&why));
            from = None;
        }
    }
    let first = write_once(
        ctx,
        c,
        &client,
        &dest,
        options.clone(),
        from.clone(),
        &mut notes,
        tracker,
        cancel,
    )
    .await;
    let mut summary = match first {
        // The saved rows could not be read back (e.g. a damaged XLSX row journal).
        Err(e) if from.is_some() && e.kind == ErrorKind::Storage && !cancel.is_cancelled() => {
            tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted export: {}", e.message);
            notes.push(restart_note("its partly written file cannot be read back"));
            write_once(
                ctx, c, &client, &dest, options, None, &mut notes, tracker, cancel,
            )
            .await?
        }
        other => other?,
    };
    notes.append(&mut summary.warnings);
    summary.warnings = notes;
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
        warnings: summary.warnings,
    })
}

/// One pass of fetch → file: continuing from `from` (falling back to the
/// start of the range when the fetch checkpoint is unusable), or afresh.
#[allow(clippy::too_many_arguments)]
async fn write_once(
    ctx: &Context,
    c: &RunCheckpoint,
    client: &Client,
    dest: &Destination,
    options: FetchOptions,
    mut from: Option<ResumeState>,
    notes: &mut Vec<String>,
    tracker: &Arc<Tracker>,
    cancel: &CancellationToken,
) -> Result<export::Summary> {
    let plan = &c.plan;
    let fetch = match &from {
        Some(state) => match client.resume(state.fetch.clone(), options.clone()) {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted fetch: {}", e.message);
                notes.push(restart_note("its saved progress cannot be used"));
                from = None;
                None
            }
        },
        None => None,
    };
    let fetch = match fetch {
        Some(f) => f,
        None => client.fetch(
            FetchRequest {
                from: plan.from,
                to: plan.to,
                filters: plan.profile.filters.clone(),
                strategy: plan.profile.strategy,
            },
            options,
        )?,
    };

    // Each durable point goes into the run's checkpoint (atomically).
    let checkpoints = ctx.checkpoints.clone();
    let mut saved = c.clone();
    let mut on_durable = move |state: &ResumeState| {
        saved.resume = Some(state.clone());
        if let Err(e) = checkpoints.save(&saved.run_id, &saved) {
            tracing::warn!(error = %e, "could not save the resume point");
        }
    };
    let write_tracker = tracker.clone();
    export::write_resumable(
        fetch,
        client,
        &plan.profile.export,
        dest,
        Resumable {
            run_id: &c.run_id,
            from,
            on_durable: &mut on_durable,
        },
        cancel.clone(),
        move |w: WriteProgress| write_tracker.on_write(w),
    )
    .await
}

/// The warning of a resume that had to start again from the beginning.
fn restart_note(why: &str) -> String {
    format!(
        "The interrupted export could not continue where it stopped ({why}), so it was exported again from the start of its date range."
    )
}

/// Merges the fetch's and the writer's progress into throttled events.
struct Tracker {
    events: EventSink,
    started: Instant,
    state: Mutex<TrackerState>,
}

struct TrackerState {
    fetch: FetchProgress,
    written: WriteProgress,
    throttle: Throttle<Progress>,
    last: Progress,
}

impl Tracker {
    fn new(events: EventSink) -> Self {
        Self {
            events,
            started: Instant::now(),
            state: Mutex::new(TrackerState {
                fetch: FetchProgress::default(),
                written: WriteProgress::default(),
                throttle: Throttle::new(PROGRESS_INTERVAL),
                last: Progress::phase(Phase::Connecting, ""),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TrackerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn on_fetch(&self, p: &FetchProgress) {
        let progress = {
            let mut s = self.lock();
            s.fetch = p.clone();
            self.offer(&mut s)
        };
        if let Some(p) = progress {
            (self.events)(ExportEvent::Progress(p));
        }
    }

    fn on_write(&self, w: WriteProgress) {
        let progress = {
            let mut s = self.lock();
            s.written = w;
            self.offer(&mut s)
        };
        if let Some(p) = progress {
            (self.events)(ExportEvent::Progress(p));
        }
    }

    fn offer(&self, s: &mut TrackerState) -> Option<Progress> {
        let p = compose(&s.fetch, s.written, self.started.elapsed().as_secs_f64());
        s.last = p.clone();
        s.throttle.offer(p)
    }

    fn compose(&self) -> Progress {
        let s = self.lock();
        compose(&s.fetch, s.written, self.started.elapsed().as_secs_f64())
    }

    /// Send now, bypassing the throttle (the first and the last message).
    fn emit_now(&self, p: Progress) {
        {
            let mut s = self.lock();
            s.last = p.clone();
            // Count it as sent so the throttle spaces the next one.
            let _ = s.throttle.offer(p.clone());
            let _ = s.throttle.flush();
        }
        (self.events)(ExportEvent::Progress(p));
    }

    /// Send the newest held-back progress, if any.
    fn flush(&self) {
        let pending = self.lock().throttle.flush();
        if let Some(p) = pending {
            (self.events)(ExportEvent::Progress(p));
        }
    }

    fn last(&self) -> Progress {
        self.lock().last.clone()
    }
}

fn compose(f: &FetchProgress, w: WriteProgress, elapsed_s: f64) -> Progress {
    let conversations = f.conversations.max(w.conversations);
    let mut phase = match f.phase {
        FetchPhase::Planning => Phase::Connecting,
        FetchPhase::Fetching => Phase::Fetching,
        _ => Phase::Finishing,
    };
    let mut wait_seconds = None;
    let mut message = f.message.clone();
    if let Some(wait) = &f.waiting {
        phase = Phase::Waiting;
        wait_seconds = Some(wait.seconds.ceil().max(0.0) as u64);
        message = wait.message.clone();
    }
    let percent = f
        .estimated_total
        .filter(|t| *t > 0)
        .map(|t| (conversations as f64 * 100.0 / t as f64).min(99.9));
    let eta_seconds = match f.estimated_total {
        Some(total) if conversations > 0 && total > conversations && elapsed_s > 0.0 => {
            let rate = conversations as f64 / elapsed_s;
            Some(((total - conversations) as f64 / rate).ceil() as u64)
        }
        _ => None,
    };
    let window = (f.window_count > 0).then(|| WindowInfo {
        index: u32::try_from((f.window_index + 1).min(f.window_count)).unwrap_or(u32::MAX),
        count: u32::try_from(f.window_count).unwrap_or(u32::MAX),
    });
    Progress {
        phase,
        percent,
        conversations,
        rows: w.rows,
        estimated_total: f.estimated_total,
        eta_seconds,
        window,
        message,
        wait_seconds,
    }
}
