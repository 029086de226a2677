//! When a schedule runs: the next run after a moment, the last run at or
//! before one, and whether an OS wake-up is due.
//!
//! A run is at [`Schedule::at`] on each local date [`Every::runs_on`] accepts,
//! in [`Schedule::time_zone`], turned into an instant by the core's one rule
//! for local times ([`crate::clock::local_to_utc`]):
//! - a time that happens twice (clocks go back) runs once, at the first;
//! - a time that does not exist (clocks go forward) runs that day at the
//!   moment of the jump (02:30 → 03:00), not skipped.
use chrono::{DateTime, Days, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::model::{Every, Schedule, TimeOfDay};
use crate::clock::local_to_utc;

/// How far ahead (and back) to look for a matching date; every kind matches
/// at least once a month.
const SEARCH_DAYS: u64 = 400;

/// The run on local `date`, if the schedule runs that day.
pub fn run_on(every: Every, at: TimeOfDay, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    every
        .runs_on(date)
        .then(|| local_to_utc(tz, date.and_time(at.naive())))
}

/// The first run strictly after `after`.
pub fn next_after(
    every: Every,
    at: TimeOfDay,
    tz: Tz,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // A day earlier: a run moved forward by a gap may fall after midnight.
    let start = after
        .with_timezone(&tz)
        .date_naive()
        .checked_sub_days(Days::new(1))?;
    (0..SEARCH_DAYS)
        .filter_map(|i| start.checked_add_days(Days::new(i)))
        .filter_map(|date| run_on(every, at, tz, date))
        .find(|t| *t > after)
}

/// The next `n` runs after `after`, in order.
pub fn next_runs(
    every: Every,
    at: TimeOfDay,
    tz: Tz,
    after: DateTime<Utc>,
    n: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(n);
    let mut from = after;
    while out.len() < n {
        match next_after(every, at, tz, from) {
            Some(t) => {
                out.push(t);
                from = t;
            }
            None => break,
        }
    }
    out
}

/// The last run at or before `at_or_before`.
pub fn last_at_or_before(
    every: Every,
    at: TimeOfDay,
    tz: Tz,
    at_or_before: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let start = at_or_before
        .with_timezone(&tz)
        .date_naive()
        .checked_add_days(Days::new(1))?;
    (0..SEARCH_DAYS)
        .filter_map(|i| start.checked_sub_days(Days::new(i)))
        .filter_map(|date| run_on(every, at, tz, date))
        .find(|t| *t <= at_or_before)
}

/// How early an OS wake-up may come and still count for the next run: OS
/// schedulers differ from our rule inside a DST change by up to an hour.
pub const EARLY_TOLERANCE: Duration = Duration::minutes(90);

/// Is a run due at `now`: has a run time passed (allowing
/// [`EARLY_TOLERANCE`]) since the schedule's last run started (or since it
/// was made)? Used by `run-scheduled --if-due`, for OS schedulers that cannot
/// say "the last day of February" or may fire twice when clocks go back.
pub fn is_due(schedule: &Schedule, tz: Tz, now: DateTime<Utc>) -> bool {
    let since = schedule
        .last_run
        .as_ref()
        .map_or(schedule.created_at, |r| r.started_at);
    last_at_or_before(schedule.every, schedule.at, tz, now + EARLY_TOLERANCE)
        .is_some_and(|t| t > since)
}

/// The local dates in `[from, to)` on which the schedule runs but its time of
/// day does not exist (clocks go forward over it), with the instant our rule
/// runs it at. OS schedulers that skip such a run (systemd) get these as
/// extra one-off entries.
pub fn gap_runs(
    every: Every,
    at: TimeOfDay,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<DateTime<Utc>> {
    from.iter_days()
        .take_while(|d| *d < to)
        .filter(|d| every.runs_on(*d))
        .filter(|d| {
            matches!(
                tz.from_local_datetime(&d.and_time(at.naive())),
                LocalResult::None
            )
        })
        .map(|d| local_to_utc(tz, d.and_time(at.naive())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn at(s: &str) -> TimeOfDay {
        TimeOfDay::parse(s).unwrap()
    }

    /// Each kind, across month ends, leap years and both DST changes.
    #[test]
    fn next_runs_table() {
        let cases: &[(&str, &str, &str, &str, &[&str])] = &[
            // every, at, zone, after, expected runs
            (
                "day",
                "07:00",
                "Europe/Berlin",
                "2026-03-27T12:00:00Z",
                &[
                    "2026-03-28T06:00:00Z",
                    "2026-03-29T05:00:00Z",
                    "2026-03-30T05:00:00Z",
                ],
            ),
            // 02:30 does not exist on 29 March 2026 in Berlin: 03:00 CEST (the jump) that day.
            (
                "day",
                "02:30",
                "Europe/Berlin",
                "2026-03-27T12:00:00Z",
                &[
                    "2026-03-28T01:30:00Z",
                    "2026-03-29T01:00:00Z",
                    "2026-03-30T00:30:00Z",
                ],
            ),
            // 02:30 happens twice on 25 October 2026: the first (CEST).
            (
                "day",
                "02:30",
                "Europe/Berlin",
                "2026-10-24T12:00:00Z",
                &["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
            ),
            // New York: clocks go forward at 02:00 on 8 March 2026.
            (
                "day",
                "02:15",
                "America/New_York",
                "2026-03-07T12:00:00Z",
                &["2026-03-08T07:00:00Z", "2026-03-09T06:15:00Z"],
            ),
            (
                "weekdays",
                "07:00",
                "UTC",
                "2026-12-04T08:00:00Z",
                &[
                    "2026-12-07T07:00:00Z",
                    "2026-12-08T07:00:00Z",
                    "2026-12-09T07:00:00Z",
                    "2026-12-10T07:00:00Z",
                    "2026-12-11T07:00:00Z",
                    "2026-12-14T07:00:00Z",
                ],
            ),
            (
                "week:mon",
                "07:00",
                "Europe/London",
                "2026-03-23T07:00:00Z",
                &["2026-03-30T06:00:00Z", "2026-04-06T06:00:00Z"],
            ),
            (
                "week:sun",
                "23:45",
                "Asia/Kolkata",
                "2026-01-01T00:00:00Z",
                &["2026-01-04T18:15:00Z", "2026-01-11T18:15:00Z"],
            ),
            (
                "month:1",
                "00:00",
                "Europe/Paris",
                "2026-01-15T00:00:00Z",
                &[
                    "2026-01-31T23:00:00Z",
                    "2026-02-28T23:00:00Z",
                    "2026-03-31T22:00:00Z",
                ],
            ),
            // The last day of each month.
            (
                "month:31",
                "18:00",
                "UTC",
                "2026-01-01T00:00:00Z",
                &[
                    "2026-01-31T18:00:00Z",
                    "2026-02-28T18:00:00Z",
                    "2026-03-31T18:00:00Z",
                    "2026-04-30T18:00:00Z",
                ],
            ),
            (
                "month:30",
                "18:00",
                "UTC",
                "2028-01-01T00:00:00Z",
                &[
                    "2028-01-30T18:00:00Z",
                    "2028-02-29T18:00:00Z",
                    "2028-03-30T18:00:00Z",
                ],
            ),
            (
                "month:29",
                "06:00",
                "UTC",
                "2027-01-30T00:00:00Z",
                &["2027-02-28T06:00:00Z", "2027-03-29T06:00:00Z"],
            ),
            // Exactly at a run time: the next one, not that one.
            (
                "day",
                "07:00",
                "UTC",
                "2026-05-01T07:00:00Z",
                &["2026-05-02T07:00:00Z"],
            ),
            // Lord Howe moves its clocks by 30 minutes.
            (
                "day",
                "02:15",
                "Australia/Lord_Howe",
                "2026-10-03T00:00:00Z",
                &["2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"],
            ),
        ];
        for (every, time, zone, after, expected) in cases {
            let tz: Tz = zone.parse().unwrap();
            let got = next_runs(
                Every::parse(every).unwrap(),
                at(time),
                tz,
                utc(after),
                expected.len(),
            );
            let want: Vec<DateTime<Utc>> = expected.iter().map(|s| utc(s)).collect();
            assert_eq!(got, want, "{every} at {time} {zone} after {after}");
        }
    }

    #[test]
    fn last_run_and_due() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let every = Every::Week(Weekday::Mon);
        let t = last_at_or_before(every, at("07:00"), tz, utc("2026-12-09T12:00:00Z"));
        assert_eq!(t, Some(utc("2026-12-07T06:00:00Z")));
        assert_eq!(
            last_at_or_before(every, at("07:00"), tz, utc("2026-12-07T06:00:00Z")),
            Some(utc("2026-12-07T06:00:00Z"))
        );

        let mut s = Schedule {
            id: uuid::Uuid::nil(),
            profile_id: uuid::Uuid::nil(),
            every: Every::Month(31),
            at: at("07:00"),
            time_zone: "UTC".into(),
            folder: "/tmp".into(),
            created_at: utc("2028-01-10T00:00:00Z"),
            last_run: None,
        };
        let utc_tz: Tz = "UTC".parse().unwrap();
        // Made after January's run time would have been? No: first due on 31 January.
        assert!(!is_due(&s, utc_tz, utc("2028-01-20T07:00:00Z")));
        assert!(is_due(&s, utc_tz, utc("2028-01-31T07:00:05Z")));
        // A little early (an OS clock around a DST change) still counts.
        assert!(is_due(&s, utc_tz, utc("2028-01-31T06:00:00Z")));
        s.last_run = Some(super::super::model::LastRun {
            run_id: "r".into(),
            started_at: utc("2028-01-31T07:00:01Z"),
            finished_at: None,
            status: super::super::model::RunStatus::Done,
            file: None,
            from: None,
            to: None,
            conversations: 0,
            rows: 0,
            message: None,
            error_kind: None,
        });
        // launchd fires on 28 and 29 February for "the last day": only the 29th (2028 is a leap year) is due.
        assert!(!is_due(&s, utc_tz, utc("2028-02-28T07:00:00Z")));
        assert!(is_due(&s, utc_tz, utc("2028-02-29T07:00:00Z")));
        // The same wake-up twice (clocks go back): the second is not due.
        assert!(!is_due(&s, utc_tz, utc("2028-01-31T08:00:00Z")));
    }

    #[test]
    fn gap_runs_lists_the_days_clocks_jump_over_the_time() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let got = gap_runs(
            Every::Day,
            at("02:30"),
            tz,
            d("2026-01-01"),
            d("2028-01-01"),
        );
        assert_eq!(
            got,
            vec![utc("2026-03-29T01:00:00Z"), utc("2027-03-28T01:00:00Z")]
        );
        // Weekly on Monday never meets the Sunday change; 07:00 is never in a gap.
        assert!(gap_runs(
            Every::Week(Weekday::Mon),
            at("02:30"),
            tz,
            d("2026-01-01"),
            d("2036-01-01")
        )
        .is_empty());
        assert!(gap_runs(
            Every::Day,
            at("07:00"),
            tz,
            d("2026-01-01"),
            d("2036-01-01")
        )
        .is_empty());
    }
}
