//! Running one export: client → fetch stream → export file, with progress,
//! Ctrl-C (and SIGTERM) cancelling cleanly.
use std::time::{Duration, Instant};

use genesys_core::export::{write_export, Destination, ExportOptions, Summary};
use genesys_core::genesys::{
    Client, ClientConfig, EntityKind, FetchOptions, FetchRequest, ProgressFn,
};
use genesys_core::{Error, ErrorKind, Result};
use tokio_util::sync::CancellationToken;

use crate::progress::Progress;

/// Everything one export needs, checked.
pub struct Job {
    pub client: ClientConfig,
    pub request: FetchRequest,
    /// `--queue` values as typed (names or ids), resolved through the client's lookups.
    pub queues: Vec<String>,
    pub options: ExportOptions,
    pub destination: Destination,
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
async fn interrupted() {
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
async fn let_cleanup_finish() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let deadline = Instant::now() + Duration::from_secs(5);
    while metrics.num_alive_tasks() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Run the export. Returns the summary of the file written.
pub async fn run(job: Job) -> Result<Summary> {
    let progress = Progress::new(job.quiet);
    let cancel = CancellationToken::new();
    let outcome = {
        let work = run_inner(&job, &progress, cancel.clone());
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

async fn run_inner(job: &Job, progress: &Progress, cancel: CancellationToken) -> Result<Summary> {
    let client = Client::new(job.client.clone())?;
    let mut request = job.request.clone();
    if !job.queues.is_empty() {
        progress.say("Looking up queues…");
        request.filters.queue_ids = resolve_queues(&client, &job.queues).await?;
    }
    let sink = progress.clone();
    let on_fetch: ProgressFn = std::sync::Arc::new(move |p| sink.fetch(p));
    let fetch = client.fetch(
        request,
        FetchOptions {
            cancel: cancel.clone(),
            progress: Some(on_fetch),
        },
    )?;
    let writer = progress.clone();
    // The writer stops at the fetch's first error, removes its temp file and returns it.
    let result = write_export(
        fetch,
        &client,
        &job.options,
        &job.destination,
        cancel.clone(),
        move |w| writer.written(w),
    )
    .await;
    match result {
        Err(e) if cancel.is_cancelled() && e.kind != ErrorKind::Cancelled => {
            Err(Error::cancelled())
        }
        other => other,
    }
}
