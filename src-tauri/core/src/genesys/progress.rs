//! Progress of a fetch: what is happening, how far, and every wait.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the fetch is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FetchPhase {
    /// Logging in, checking data availability, splitting the range.
    Planning,
    /// Reading conversations.
    Fetching,
    /// Every conversation was delivered.
    Done,
    /// Stopped by the user.
    Cancelled,
    /// Stopped by an error.
    Failed,
}

/// Why we are waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// Genesys answered 429 with `Retry-After`.
    RateLimited,
    /// We slow down ourselves because the `inin-ratelimit-*` budget is used up.
    Pacing,
    /// Genesys answered 502/503/504.
    ServerBusy,
    /// Timeout or connection reset.
    Network,
    /// Waiting for an async job to finish.
    JobRunning,
}

/// One wait, for display ("Genesys asked us to wait 12 s").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Wait {
    /// How long, in seconds.
    pub seconds: f64,
    pub reason: WaitReason,
    /// Plain-language sentence.
    pub message: String,
}

/// A snapshot of a fetch's progress. Sent on every change; throttle in the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FetchProgress {
    pub phase: FetchPhase,
    /// Windows fully delivered so far.
    pub window_index: usize,
    /// Windows in the plan.
    pub window_count: usize,
    /// Result pages read (sync pages and job result pages).
    #[ts(type = "number")]
    pub pages: u64,
    /// Conversations delivered to the caller so far.
    #[ts(type = "number")]
    pub conversations: u64,
    /// Conversation records read from result pages so far (in the range;
    /// a repeat or a re-read counts again). A window is delivered only once
    /// all its pages are in, and one async job can cover 31 days, so this is
    /// what moves while a long window is being read.
    #[ts(type = "number")]
    pub read: u64,
    /// Estimate of the total, from `totalHits` (sync windows only).
    #[ts(type = "number | null")]
    pub estimated_total: Option<u64>,
    /// Requests retried so far.
    #[ts(type = "number")]
    pub retries: u64,
    /// The wait in progress, if any.
    pub waiting: Option<Wait>,
    /// Plain-language status line.
    pub message: String,
}

impl Default for FetchProgress {
    fn default() -> Self {
        FetchProgress {
            phase: FetchPhase::Planning,
            window_index: 0,
            window_count: 0,
            pages: 0,
            conversations: 0,
            read: 0,
            estimated_total: None,
            retries: 0,
            waiting: None,
            message: "Connecting to Genesys Cloud…".to_string(),
        }
    }
}

/// Receives progress snapshots. Must be quick (it is called inline).
pub type ProgressFn = Arc<dyn Fn(&FetchProgress) + Send + Sync>;

#[derive(Default)]
struct Shared {
    progress: FetchProgress,
    /// totalHits per window index, for the estimate.
    hits: Vec<Option<u64>>,
}

/// Collects progress from every part of a fetch and forwards snapshots.
#[derive(Clone, Default)]
pub(crate) struct Reporter {
    shared: Arc<Mutex<Shared>>,
    sink: Option<ProgressFn>,
}

impl Reporter {
    pub fn new(sink: Option<ProgressFn>) -> Self {
        Reporter {
            shared: Arc::default(),
            sink,
        }
    }

    /// A reporter that reports to nobody (lookups, connection tests).
    pub fn silent() -> Self {
        Reporter::default()
    }

    /// Change the snapshot and send it.
    pub fn update(&self, f: impl FnOnce(&mut FetchProgress)) {
        let snapshot = {
            let Ok(mut s) = self.shared.lock() else {
                return;
            };
            f(&mut s.progress);
            s.progress.clone()
        };
        if let Some(sink) = &self.sink {
            sink(&snapshot);
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> FetchProgress {
        self.shared
            .lock()
            .map(|s| s.progress.clone())
            .unwrap_or_default()
    }

    /// A retry is about to wait `wait`.
    pub fn retrying(&self, reason: WaitReason, wait: Duration, message: String) {
        tracing::info!(?reason, wait_ms = wait.as_millis() as u64, "{message}");
        self.update(|p| {
            p.retries += 1;
            p.waiting = Some(Wait {
                seconds: wait.as_secs_f64(),
                reason,
                message: message.clone(),
            });
            p.message = message;
        });
    }

    /// We wait without a failed request (pacing, job running).
    pub fn waiting(&self, reason: WaitReason, wait: Duration, message: String) {
        tracing::debug!(?reason, wait_ms = wait.as_millis() as u64, "{message}");
        self.update(|p| {
            p.waiting = Some(Wait {
                seconds: wait.as_secs_f64(),
                reason,
                message: message.clone(),
            });
            p.message = message;
        });
    }

    /// One more result page was read.
    pub fn page_read(&self) {
        self.update(|p| {
            p.pages += 1;
            p.waiting = None;
        });
    }

    /// `records` conversations of a page were kept for their window.
    pub fn records_read(&self, records: u64) {
        if records > 0 {
            self.update(|p| p.read = p.read.saturating_add(records));
        }
    }

    /// Forget the windows' `totalHits` and the records read (the plan
    /// changed: what was read for the old one is dropped).
    pub fn reset_hits(&self) {
        if let Ok(mut s) = self.shared.lock() {
            s.hits.clear();
            s.progress.estimated_total = None;
            s.progress.read = 0;
        }
    }

    /// Record a window's `totalHits` and recompute the estimate.
    pub fn window_hits(&self, window: usize, hits: u64) {
        let snapshot = {
            let Ok(mut s) = self.shared.lock() else {
                return;
            };
            if s.hits.len() <= window {
                s.hits.resize(window + 1, None);
            }
            s.hits[window] = Some(hits);
            let known: Vec<u64> = s.hits.iter().flatten().copied().collect();
            let count = s.progress.window_count.max(s.hits.len());
            if !known.is_empty() {
                let sum: u64 = known.iter().sum();
                let avg = sum as f64 / known.len() as f64;
                let unknown = count.saturating_sub(known.len()) as f64;
                s.progress.estimated_total = Some(sum + (avg * unknown).round() as u64);
            }
            s.progress.clone()
        };
        if let Some(sink) = &self.sink {
            sink(&snapshot);
        }
    }
}

/// "12 s" (rounded up; "0.4 s" below one second).
pub(crate) fn human_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{s:.1} s")
    } else {
        format!("{} s", s.ceil() as u64)
    }
}
