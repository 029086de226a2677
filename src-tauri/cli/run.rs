//! Running one export through the engine the app uses (`jobs::run_export`:
//! history, the per-connection queue, resume checkpoints), with progress,
//! Ctrl-C (and SIGTERM) cancelling cleanly, and `--resume`.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use genesys_core::genesys::{Client, EntityKind, RetryPolicy, Secret};
use genesys_core::jobs::{self, AdHoc, Context, ExportEvent, ExportSource, RunSpec, RunSummary};
use genesys_core::profiles::{Connection, QueryProfile};
use genesys_core::{Error, ErrorKind, Result};
use tokio_util::sync::CancellationToken;

use crate::progress::Progress;

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
    pub retry: RetryPolicy,
    /// Absolute.
    pub destination: PathBuf,
    pub replace: bool,
    /// Continue the newest interrupted run of the same export, if any.
    pub resume: bool,
    pub quiet: bool,
}

fn looks_like_id(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Queue names (case-insensitive) or ids → ids.
async fn resolve_queues(client: &Client, wanted: &[String]) -> Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let all = client.list_entities(EntityKind::Queue, None).await?;
    let mut ids = Vec::new();
    for w in wanted {
        let found = all
            .iter()
            .find(|q| q.id == *w)
            .or_else(|| all.iter().find(|q| q.name.eq_ignore_ascii_case(w)));
        match found {
            Some(q) => ids.push(q.id.clone()),
            None if looks_like_id(w) => ids.push(w.clone()),
            None => {
                let lower = w.to_lowercase();
                let similar: Vec<&str> = all
                    .iter()
                    .filter(|q| q.name.to_lowercase().contains(&lower))
                    .map(|q| q.name.as_str())
                    .take(5)
                    .collect();
                let hint = if similar.is_empty() {
                    "Check the spelling, or give the queue's id.".to_string()
                } else {
                    format!("Did you mean: {}?", similar.join(", "))
                };
                return Err(Error::invalid(
                    "queue",
                    format!("There is no queue named \"{w}\". {hint}"),
                ));
            }
        }
    }
    ids.dedup();
    Ok(ids)
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

/// Run the export. Returns the summary of the file written.
pub async fn run(mut ctx: Context, job: Job) -> Result<RunSummary> {
    ctx.retry = Some(job.retry.clone());
    let progress = Progress::new(job.quiet);
    let cancel = CancellationToken::new();
    let outcome = {
        let work = run_inner(&ctx, job, &progress, cancel.clone());
        tokio::pin!(work);
        tokio::select! {
            r = &mut work => r,
            _ = interrupted() => {
                progress.say("Cancelling: stopping requests and deleting open export jobs…");
                cancel.cancel();
                match work.await {
                    // Finished in the same instant: keep the file, it is complete.
                    Ok(summary) => Ok(summary),
                    Err(_) => Err(Error::cancelled()),
                }
            }
        }
    };
    progress.finish();
    if outcome.is_err() {
        let_cleanup_finish().await;
    }
    outcome
}

async fn run_inner(
    ctx: &Context,
    mut job: Job,
    progress: &Progress,
    cancel: CancellationToken,
) -> Result<RunSummary> {
    if !job.queues.is_empty() {
        progress.say("Looking up queues…");
        let client = jobs::client_for(ctx, &job.connection, Some(job.secret.clone()))?;
        job.profile.filters.queue_ids = resolve_queues(&client, &job.queues).await?;
    }
    let spec = RunSpec {
        run_id: format!("cli-{}", uuid::Uuid::new_v4()),
        source: ExportSource::AdHoc(Box::new(AdHoc {
            connection: job.connection.clone(),
            profile: job.profile.clone(),
        })),
        secret: Some(job.secret.clone()),
        now: None,
        range: Some(job.range),
        replace: job.replace,
        keep_partial: false,
    };
    let sink = progress.clone();
    let events: jobs::EventSink = Arc::new(move |e: ExportEvent| sink.event(&e));
    let resumable = if job.resume {
        let found =
            tokio::task::block_in_place(|| jobs::find_resumable(ctx, &spec, &job.destination))?;
        if found.is_none() {
            eprintln!(
                "No interrupted export of this query into {} to resume; starting it from the beginning.",
                job.destination.display()
            );
        }
        found
    } else {
        None
    };
    let result = match resumable {
        Some(entry) => {
            progress.say(&format!(
                "Resuming the interrupted export started {} from its last checkpoint.",
                entry.started_at.format("%Y-%m-%d %H:%M UTC")
            ));
            jobs::resume_export(
                ctx,
                &entry.run_id,
                Some(job.secret.clone()),
                events,
                cancel.clone(),
            )
            .await
        }
        None => jobs::run_export(ctx, spec, job.destination.clone(), events, cancel.clone()).await,
    };
    match result {
        Err(e) if cancel.is_cancelled() && e.kind != ErrorKind::Cancelled => {
            Err(Error::cancelled())
        }
        other => other,
    }
}
