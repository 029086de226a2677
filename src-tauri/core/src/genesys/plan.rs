//! The fetch plan: a user's range `[from, to)` cut into windows, each fetched
//! with the sync query or an async job; and the checkpoint that lets an
//! interrupted pull resume exactly where it stopped.
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use super::filters::{Filters, Strategy};

/// How one window is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FetchMethod {
    /// `POST …/details/query`, page numbers.
    Sync,
    /// `POST …/details/jobs`, then results by cursor.
    Async,
}

/// One slice of the range: conversations that started in `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub method: FetchMethod,
}

/// Where in the ordered output a conversation sits: (start, id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub conversation_start: DateTime<Utc>,
    pub conversation_id: String,
}

/// Everything needed to resume a pull without refetching completed windows
/// and without duplicates. Save it after the rows it covers are safely written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// Format version (1).
    pub version: u32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub filters: Filters,
    pub strategy: Strategy,
    /// The plan, in output order.
    pub windows: Vec<Window>,
    /// Windows `0..completed_windows` were fully delivered.
    pub completed_windows: usize,
    /// The last conversation delivered from window `completed_windows`, if any.
    pub last_emitted: Option<Position>,
    /// Conversations delivered so far (for progress).
    pub delivered: u64,
    /// Windows after `completed_windows` already read in full and kept in
    /// the run's store (`FetchOptions::store`), as of this checkpoint: a
    /// resume reads them there instead of asking Genesys again (so it does
    /// with anything else the store holds, pages of unfinished windows too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fetched_windows: Vec<usize>,
}

/// Cut `[from, to)` into windows of at most `len`, aligned to UTC midnight
/// when `len` is a whole number of days (the sync query matches whole days).
pub fn split(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    len: Duration,
    method: FetchMethod,
) -> Vec<Window> {
    let mut out = Vec::new();
    if from >= to || len <= Duration::zero() {
        return out;
    }
    let align = if len.num_seconds() % 86_400 == 0 {
        Duration::days(1)
    } else {
        len
    };
    let mut start = from;
    while start < to {
        // Next boundary: the first aligned instant after `start`, at most `len` later.
        let floor = start.duration_trunc(align).unwrap_or(start);
        let mut end = floor + len;
        if end <= start {
            end = start + len;
        }
        let end = end.min(start + len).min(to);
        out.push(Window { start, end, method });
        start = end;
    }
    out
}

/// Build the plan. `async_until` is where async jobs must stop (Genesys's
/// `dataAvailabilityDate` minus a safety margin) when jobs are used (`None` =
/// sync for everything): async windows of `async_len` cover
/// `[from, async_until)`, sync windows of `sync_len` the tail after it. No
/// job ever covers time after `async_until`.
pub fn build(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    sync_len: Duration,
    async_len: Duration,
    async_until: Option<DateTime<Utc>>,
) -> Vec<Window> {
    match async_until {
        None => split(from, to, sync_len, FetchMethod::Sync),
        Some(until) => {
            let cut = until.clamp(from, to);
            let mut w = split(from, cut, async_len, FetchMethod::Async);
            w.extend(split(cut, to, sync_len, FetchMethod::Sync));
            w
        }
    }
}

/// Halve a window (for a sync window past the paging cap).
pub fn halve(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let mid = start + (end - start) / 2;
    (start, mid, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn windows_cover_the_range_exactly_and_align_to_midnight() {
        let w = split(t(1, 10), t(4, 5), Duration::days(1), FetchMethod::Sync);
        let bounds: Vec<_> = w.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(
            bounds,
            vec![
                (t(1, 10), t(2, 0)),
                (t(2, 0), t(3, 0)),
                (t(3, 0), t(4, 0)),
                (t(4, 0), t(4, 5))
            ]
        );
    }

    #[test]
    fn windows_never_exceed_the_length() {
        let w = split(t(1, 0), t(20, 0), Duration::days(7), FetchMethod::Sync);
        assert!(w.iter().all(|w| w.end - w.start <= Duration::days(7)));
        assert_eq!(w.first().unwrap().start, t(1, 0));
        assert_eq!(w.last().unwrap().end, t(20, 0));
        assert!(w.windows(2).all(|p| p[0].end == p[1].start));
        let h = split(t(1, 0), t(1, 5), Duration::hours(2), FetchMethod::Sync);
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn async_up_to_availability_then_sync_tail() {
        let d = Duration::days(1);
        let w = build(t(1, 0), t(5, 0), d, d, Some(t(3, 12)));
        let methods: Vec<_> = w.iter().map(|w| (w.start, w.method)).collect();
        assert_eq!(
            methods,
            vec![
                (t(1, 0), FetchMethod::Async),
                (t(2, 0), FetchMethod::Async),
                (t(3, 0), FetchMethod::Async),
                (t(3, 12), FetchMethod::Sync),
                (t(4, 0), FetchMethod::Sync),
            ]
        );
        // Availability before the range: everything is sync.
        let w = build(t(1, 0), t(2, 0), d, d, Some(t(1, 0) - Duration::days(3)));
        assert!(w.iter().all(|w| w.method == FetchMethod::Sync));
        // After the range: everything async.
        let w = build(t(1, 0), t(2, 0), d, d, Some(t(9, 0)));
        assert!(w.iter().all(|w| w.method == FetchMethod::Async));
    }

    /// A long range in few jobs: 90 days of async in 31-day jobs (3, not 90),
    /// the tail after the cut in 1-day sync windows, no job past the cut.
    #[test]
    fn async_windows_are_long_and_stop_at_the_cut() {
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let cut = from + Duration::days(90);
        let to = cut + Duration::hours(30);
        let w = build(from, to, Duration::days(1), Duration::days(31), Some(cut));
        let jobs: Vec<_> = w
            .iter()
            .filter(|w| w.method == FetchMethod::Async)
            .collect();
        assert_eq!(jobs.len(), 3);
        assert!(jobs
            .iter()
            .all(|w| w.end <= cut && w.end - w.start <= Duration::days(31)));
        assert_eq!(jobs.last().unwrap().end, cut);
        let sync: Vec<_> = w.iter().filter(|w| w.method == FetchMethod::Sync).collect();
        assert_eq!(sync.first().unwrap().start, cut);
        assert!(sync.iter().all(|w| w.end - w.start <= Duration::days(1)));
        assert!(w.windows(2).all(|p| p[0].end == p[1].start));
    }

    #[test]
    fn checkpoint_round_trips_as_json() {
        let cp = Checkpoint {
            version: 1,
            from: t(1, 0),
            to: t(2, 0),
            filters: Filters::default(),
            strategy: Strategy::Sync,
            windows: build(
                t(1, 0),
                t(2, 0),
                Duration::hours(6),
                Duration::days(1),
                None,
            ),
            completed_windows: 2,
            last_emitted: Some(Position {
                conversation_start: t(1, 13),
                conversation_id: "abc".into(),
            }),
            delivered: 42,
            fetched_windows: vec![3],
        };
        let s = serde_json::to_string(&cp).unwrap();
        assert_eq!(serde_json::from_str::<Checkpoint>(&s).unwrap(), cp);
    }
}
