//! Running one export through the app's operation (`genesys_ops::run_export`:
//! history, the per-connection queue, resume checkpoints), with progress,
//! Ctrl-C (and SIGTERM) cancelling cleanly, and `--resume`.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use genesys_core::genesys::Secret;
use genesys_core::jobs::{AdHoc, ExportSource, RunStatus, RunSummary};
use genesys_core::profiles::{Connection, QueryProfile};
use genesys_core::{Error, Result};
use genesys_ops::{ExportRequest, Ops};

use crate::host::TerminalHost;

/// Everything one export needs, checked.
pub struct Job {
    pub connection: Connection,
    /// The profile as run: the saved one with the flags applied, or an ad-hoc one.
    pub profile: QueryProfile,
    /// The exact range `[from, to)` from `--from`/`--to` or the profile.
    pub range: (DateTime<Utc>, DateTime<Utc>),
    pub secret: Secret,
    /// `--queue` values as typed (names or ids), resolved through the client's lookups.
    pub queues: Vec<String>,
    /// Absolute.
    pub destination: PathBuf,
    pub replace: bool,
    /// Continue the newest interrupted run of the same export, if any.
    pub resume: bool,
    pub quiet: bool,
}

/// Resolves when the user asks to stop (Ctrl-C, or SIGTERM on Unix).
pub(crate) async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// After a cancel or failure, open async jobs are deleted by tasks the
/// client spawns; give them a moment to reach Genesys before the process exits.
pub(crate) async fn let_cleanup_finish() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let deadline = Instant::now() + Duration::from_secs(5);
    while metrics.num_alive_tasks() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Run an operation registered under `run_id`; Ctrl-C (or SIGTERM) cancels
/// it through `cancel_export` and waits for it to stop cleanly.
pub(crate) async fn until_interrupted<T>(
    ops: &Ops,
    host: &TerminalHost,
    run_id: &str,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    tokio::pin!(work);
    let outcome = tokio::select! {
        // The operation registers its run id on its first poll: poll it first.
        biased;
        r = &mut work => r,
        _ = interrupted() => {
            host.say("Cancelling: stopping requests and deleting open export jobs…");
            genesys_ops::cancel_export(ops, run_id);
            // Finished in the same instant: keep the result, the file is complete.
            work.await
        }
    };
    host.finish();
    if outcome.is_err() {
        let_cleanup_finish().await;
    }
    outcome
}

/// Run the export. Returns the summary of the file written.
pub async fn run(ops: &Ops, job: Job) -> Result<RunSummary> {
    let host = TerminalHost::new(job.quiet).saving_to(job.destination, job.replace);
    let run_id = format!("cli-{}", uuid::Uuid::new_v4());
    let request = ExportRequest {
        run_id: run_id.clone(),
        source: ExportSource::AdHoc(Box::new(AdHoc {
            connection: job.connection,
            profile: job.profile,
        })),
        range: Some(job.range),
        secret: Some(job.secret),
        queues: job.queues,
        resume_matching: job.resume,
    };
    let work = genesys_ops::run_export(ops, &host, request);
    let result = until_interrupted(ops, &host, &run_id, work).await?;
    match (result.status, result.summary) {
        (RunStatus::Done, Some(summary)) => Ok(summary),
        _ => {
            let_cleanup_finish().await;
            Err(Error::cancelled())
        }
    }
}
