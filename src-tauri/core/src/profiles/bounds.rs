//! How far back and how far ahead a date range may go (issue #14.6): the one
//! rule for profiles (on save), runs (app and CLI, before anything is sent)
//! and the CLI's `--from`/`--to`.
//!
//! **Not before Genesys Cloud's retention of conversation details.** Genesys
//! keeps conversation detail data for the lifespan of the contract unless
//! the organization sets a "maximum interaction data retention time", which
//! is 90 days to five years ("Retention period for analytics data and
//! recording", <https://help.mypurecloud.com/articles/retention-period-for-analytics-data-and-recording/>;
//! "Set the maximum interaction data retention time",
//! <https://help.mypurecloud.com/articles/set-the-maximum-interaction-data-retention-time/>).
//! The same article's table of retrieval limits says conversations older
//! than five years cannot be searched at all. So a range may start at most
//! [`RETENTION_YEARS`] years before now; an organization with a shorter
//! retention simply gets no conversations for the older part (its setting,
//! `GET /api/v2/analytics/dataretention/settings`, needs a permission an
//! export client usually lacks, so it is not asked).
//!
//! **Not after tomorrow.** There are no conversations in the future; a
//! range ending later is a typing mistake (2062 for 2026) that would plan
//! thousands of empty requests. Tomorrow (in the profile's zone) is allowed
//! so that "today" in any zone fits.
//!
//! Relative presets ("this month") are named periods around today and are
//! not subject to the "after tomorrow" part; they can never be too old.
use chrono::{DateTime, Days, Months, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::clock::local_to_utc;
use crate::error::{Error, Result};

/// The longest Genesys Cloud keeps conversation details (see the module docs).
pub const RETENTION_YEARS: u32 = 5;

/// The earliest instant a range may start at, `now`.
pub fn oldest_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(12 * RETENTION_YEARS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The latest instant a range may end at, `now`: the end of tomorrow in `tz`.
pub fn latest_end(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    match today.checked_add_days(Days::new(2)) {
        Some(day) => local_to_utc(tz, day.and_time(NaiveTime::MIN)),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// Check a resolved range `[from, to)` against the bounds at `now`; the
/// error names the field to change (`from` or `to`) and the limit, as a date
/// in `tz`.
pub fn check_range_bounds(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<()> {
    let oldest = oldest_start(now);
    if from < oldest {
        return Err(Error::invalid(
            "from",
            format!(
                "Genesys Cloud keeps conversation details for at most five years, so the range cannot start before {}. Choose a later start date.",
                oldest.with_timezone(&tz).format("%Y-%m-%d")
            ),
        ));
    }
    if to > latest_end(now, tz) {
        let tomorrow = now
            .with_timezone(&tz)
            .date_naive()
            .checked_add_days(Days::new(1))
            .unwrap_or_default();
        return Err(Error::invalid(
            "to",
            format!(
                "The range cannot end after tomorrow ({}): there are no conversations in the future yet. Check the end date (and its year).",
                tomorrow.format("%Y-%m-%d")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn bounds_table() {
        let now = utc("2026-12-01T12:00:00Z");
        let (london, auckland) = (Tz::Europe__London, Tz::Pacific__Auckland);
        for (from, to, tz, field) in [
            // Inside: a week ago, today, up to the end of tomorrow.
            ("2026-11-24T00:00:00Z", "2026-12-01T00:00:00Z", london, None),
            ("2026-12-01T00:00:00Z", "2026-12-03T00:00:00Z", london, None),
            // Exactly five years back is allowed; a second earlier is not.
            ("2021-12-01T12:00:00Z", "2021-12-02T00:00:00Z", london, None),
            (
                "2021-12-01T09:59:59Z",
                "2021-12-02T00:00:00Z",
                london,
                Some("from"),
            ),
            (
                "2015-01-01T00:00:00Z",
                "2015-02-01T00:00:00Z",
                london,
                Some("from"),
            ),
            // After tomorrow, or a mistyped year.
            (
                "2026-12-01T00:00:00Z",
                "2026-12-03T00:00:01Z",
                london,
                Some("to"),
            ),
            (
                "2026-12-01T00:00:00Z",
                "2062-12-01T00:00:00Z",
                london,
                Some("to"),
            ),
            // Tomorrow is the zone's: at 12:00 UTC Auckland (UTC+13) is already on
            // 2 December, so its tomorrow ends at 4 December 00:00 local = 3 December 11:00 UTC.
            (
                "2026-12-01T00:00:00Z",
                "2026-12-03T11:00:00Z",
                auckland,
                None,
            ),
            (
                "2026-12-01T00:00:00Z",
                "2026-12-03T11:00:01Z",
                auckland,
                Some("to"),
            ),
        ] {
            let got = check_range_bounds(utc(from), utc(to), now, tz);
            assert_eq!(
                got.as_ref().err().and_then(|e| e.field.as_deref()),
                field,
                "{from}..{to} in {tz}: {got:?}"
            );
        }
        let e = check_range_bounds(utc("2015-01-01T00:00:00Z"), now, now, london).unwrap_err();
        assert!(e.message.contains("five years"), "{}", e.message);
        assert!(e.message.contains("2021-12-01"), "{}", e.message);
        let e = check_range_bounds(now, utc("2062-01-01T00:00:00Z"), now, london).unwrap_err();
        assert!(e.message.contains("tomorrow (2026-12-02)"), "{}", e.message);
    }
}
