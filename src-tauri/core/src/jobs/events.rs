//! What a running export tells its caller: the [`ExportEvent`]s sent through
//! the app's progress channel (and drawn by the CLI) while it runs, and its
//! outcome, reported once: the answer of the run ([`RunResult`], or the
//! error), never also as an event. The wire shapes are the IPC contract
//! (`docs/ipc.md`).
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use super::long_range::LongRange;

/// One message on the progress channel, tagged `{event, data}`. How the run
/// ended is not an event: it is the run's answer ([`RunResult`] or the error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum ExportEvent {
    /// The range is longer than a month: how long the export may take. Sent
    /// before the save dialog opens (and again before the run starts).
    LongRange(LongRange),
    /// The run has a destination and starts fetching.
    Started(Started),
    /// Throttled to about ten per second; the first and the last always arrive.
    Progress(Progress),
    /// Another export is running on the same connection; this one waits.
    Queued(Queued),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub run_id: String,
    pub destination: String,
    /// Start of the range (inclusive), RFC 3339 in the profile's time zone.
    pub from: String,
    /// End of the range (exclusive), RFC 3339 in the profile's time zone.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    pub message: String,
}

/// What a run is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Logging in, checking the query.
    Connecting,
    /// Reading conversations from Genesys.
    Fetching,
    /// Waiting (rate limit, retry back-off, async job not ready).
    Waiting,
    /// Writing rows.
    Writing,
    /// Closing and moving the file into place.
    Finishing,
}

/// Window `index` (1-based) of `count` in the fetch plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WindowInfo {
    pub index: u32,
    pub count: u32,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub phase: Phase,
    /// 0–100 when the total is known.
    pub percent: Option<f64>,
    pub conversations: u64,
    pub rows: u64,
    pub estimated_total: Option<u64>,
    pub eta_seconds: Option<u64>,
    pub window: Option<WindowInfo>,
    /// Plain words: "Fetching day 3 of 7", "Genesys asked us to slow down, continuing in 12 s".
    pub message: String,
    pub wait_seconds: Option<u64>,
}

impl Progress {
    /// A progress report with only a phase and a message.
    pub fn phase(phase: Phase, message: impl Into<String>) -> Self {
        Self {
            phase,
            percent: None,
            conversations: 0,
            rows: 0,
            estimated_total: None,
            eta_seconds: None,
            window: None,
            message: message.into(),
            wait_seconds: None,
        }
    }
}

/// What a finished export produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub rows: u64,
    pub conversations: u64,
    pub path: String,
    pub bytes: u64,
    pub duration_ms: u64,
    /// e.g. "12 conversations still in progress were included".
    pub warnings: Vec<String>,
}

/// How a run ended, as `start_export`/`resume_export` return it. Failures are
/// returned as errors instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Done,
    Cancelled,
}

/// The result of `start_export` / `resume_export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub status: RunStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub summary: Option<RunSummary>,
}

impl RunResult {
    pub fn done(summary: RunSummary) -> Self {
        Self {
            status: RunStatus::Done,
            summary: Some(summary),
        }
    }

    pub fn cancelled() -> Self {
        Self {
            status: RunStatus::Cancelled,
            summary: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_shapes_match_the_contract() {
        let q = ExportEvent::Queued(Queued {
            message: "waiting".into(),
        });
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            json!({"event": "queued", "data": {"message": "waiting"}})
        );
        let mut p = Progress::phase(Phase::Waiting, "Genesys asked us to slow down");
        p.wait_seconds = Some(12);
        p.window = Some(WindowInfo { index: 1, count: 7 });
        let v = serde_json::to_value(ExportEvent::Progress(p)).unwrap();
        assert_eq!(v["event"], "progress");
        assert_eq!(v["data"]["phase"], "waiting");
        assert_eq!(v["data"]["waitSeconds"], 12);
        assert_eq!(v["data"]["estimatedTotal"], serde_json::Value::Null);
        assert_eq!(v["data"]["window"], json!({"index": 1, "count": 7}));
        assert_eq!(
            serde_json::to_value(RunResult::cancelled()).unwrap(),
            json!({"status": "cancelled"})
        );
    }
}
