//! The history row of a run: as it starts, and as it ended.
use super::checkpoint::RunCheckpoint;
use super::events::{Progress, RunSummary};
use super::{HistoryEntry, HistoryStatus};
use crate::error::{ErrorKind, Result};

/// The row of a run that starts now (status `running`).
pub(super) fn started(c: &RunCheckpoint) -> HistoryEntry {
    HistoryEntry {
        run_id: c.run_id.clone(),
        profile_id: c.plan.profile.id.to_string(),
        profile_name: c.plan.profile.name.clone(),
        connection_id: c.plan.connection.id.to_string(),
        from: c.plan.from_local(),
        to: c.plan.to_local(),
        status: HistoryStatus::Running,
        rows: 0,
        conversations: 0,
        duration_ms: 0,
        path: c.destination.display().to_string(),
        error: None,
        started_at: c.started_at,
    }
}

/// The row of a run that ended with `result` after `duration_ms`. A run
/// that failed or was cancelled counts what its `last` progress report said.
pub(super) fn ended(
    c: &RunCheckpoint,
    result: &Result<RunSummary>,
    last: &Progress,
    duration_ms: u64,
) -> HistoryEntry {
    let mut entry = started(c);
    entry.duration_ms = duration_ms;
    match result {
        Ok(summary) => {
            entry.status = HistoryStatus::Done;
            entry.rows = summary.rows;
            entry.conversations = summary.conversations;
        }
        Err(e) => {
            entry.status = if e.kind == ErrorKind::Cancelled {
                HistoryStatus::Cancelled
            } else {
                HistoryStatus::Failed
            };
            entry.error = Some(e.message.clone());
            entry.rows = last.rows;
            entry.conversations = last.conversations;
        }
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::events::Phase;
    use crate::jobs::plan::resolve;
    use crate::jobs::plan::tests::{connection, profile};
    use crate::Error;
    use chrono::{TimeZone, Utc};

    fn checkpoint() -> RunCheckpoint {
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap();
        RunCheckpoint {
            version: 1,
            run_id: "run-1".into(),
            plan: resolve(connection(), profile(), None, now, None).unwrap(),
            destination: "out/Sales.csv".into(),
            replace: false,
            keep_partial: false,
            started_at: now,
            resume: None,
        }
    }

    fn last() -> Progress {
        let mut p = Progress::phase(Phase::Fetching, "");
        p.rows = 40;
        p.conversations = 7;
        p
    }

    #[test]
    fn a_started_run_is_running_with_its_plan_in_the_profiles_zone() {
        let c = checkpoint();
        let row = started(&c);
        assert_eq!(row.run_id, "run-1");
        assert_eq!(row.status, HistoryStatus::Running);
        assert_eq!(row.profile_id, "22222222-2222-4222-8222-222222222222");
        assert_eq!(row.profile_name, "Sales");
        assert_eq!(row.connection_id, "11111111-1111-4111-8111-111111111111");
        assert_eq!(row.from, "2026-02-23T00:00:00+01:00");
        assert_eq!(row.to, "2026-03-02T00:00:00+01:00");
        assert_eq!(
            row.path,
            std::path::Path::new("out/Sales.csv").display().to_string()
        );
        assert_eq!(row.started_at, c.started_at);
        assert_eq!((row.rows, row.conversations, row.duration_ms), (0, 0, 0));
        assert_eq!(row.error, None);
    }

    #[test]
    fn an_ended_run_counts_its_summary_or_its_last_progress() {
        let c = checkpoint();
        let summary = RunSummary {
            rows: 120,
            conversations: 30,
            ..RunSummary::default()
        };
        let cases = [
            (Ok(summary), HistoryStatus::Done, 120, 30, None),
            (
                Err(Error::cancelled()),
                HistoryStatus::Cancelled,
                40,
                7,
                Some(Error::cancelled().message),
            ),
            (
                Err(Error::new(ErrorKind::Network, "No connection.")),
                HistoryStatus::Failed,
                40,
                7,
                Some("No connection.".to_string()),
            ),
        ];
        for (result, status, rows, conversations, error) in cases {
            let row = ended(&c, &result, &last(), 2500);
            assert_eq!(row.status, status, "{result:?}");
            assert_eq!((row.rows, row.conversations), (rows, conversations));
            assert_eq!(row.error, error);
            assert_eq!(row.duration_ms, 2500);
            assert_eq!(row.run_id, "run-1");
            assert_eq!(row.from, started(&c).from);
        }
    }
}
