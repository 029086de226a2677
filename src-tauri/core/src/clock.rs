//! One clock, one answer: time-zone names and local wall-clock times → UTC.
//!
//! The app (profiles, presets, the export's time zone), the CLI (`--from`,
//! `--to`, `--time-zone`) and the run plan all call these two functions, so a
//! time typed anywhere means the same instant everywhere.
//!
//! The rules, as a supervisor reads a clock:
//! - A zone is an IANA name (`Europe/London`, `America/New_York`) or `UTC`,
//!   in any letter case (`utc`, `europe/london`). Blank is not a zone: the
//!   user is asked to choose one (a silent UTC would shift every time).
//! - A local time that happens once is that instant.
//! - A local time that does not exist (clocks jump forward, e.g. New York
//!   2026-03-08 02:00 → 03:00) moves forward to the first valid instant, the
//!   moment of the jump: 02:30 → 03:00 local (07:00 UTC). So a range that
//!   starts in the gap starts when the clock starts again, and nothing after
//!   the jump is left out; a midnight that does not exist (zones that jump at
//!   00:00) becomes the moment the day starts.
//! - A local time that happens twice (clocks go back, e.g. New York
//!   2026-11-01 02:00 → 01:00) is the earlier one: 01:30 → 05:30 UTC. A range
//!   `[01:00, 04:00)` on that night is four real hours long.
use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// Parse a time-zone name: an IANA name or `UTC`, letter case ignored.
/// Errors are field-level on `field` (e.g. `timeZone`, `options.timeZone`).
pub fn parse_time_zone(name: &str, field: &str) -> Result<Tz> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            field,
            "Choose a time zone, e.g. Europe/London, America/New_York or UTC.",
        ));
    }
    if let Ok(tz) = trimmed.parse::<Tz>() {
        return Ok(tz);
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("\"{trimmed}\" is not a time zone. Use a name such as Europe/London, America/New_York or UTC."),
            )
        })
}

/// The UTC instant a local wall-clock time names in `tz` (rules in the module docs).
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => first_instant_after_gap(tz, local),
    }
}

/// `local` falls in a gap: the instant the clock jumped over it.
fn first_instant_after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // The offset in force before the gap: step back until the wall time
    // exists (gaps are at most a day, e.g. Pacific/Apia skipped 2011-12-30).
    let mut before = None;
    for hours in (6..=48).step_by(6) {
        if let Some(t) = tz
            .from_local_datetime(&(local - Duration::hours(hours)))
            .earliest()
        {
            before = Some(t.offset().fix());
            break;
        }
    }
    let Some(before) = before else {
        return Utc.from_utc_datetime(&local);
    };
    // Read with the old offset, `local` is an instant after the jump; the jump
    // itself lies at most one gap-length (new offset − old offset) earlier.
    let after_jump =
        Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before.local_minus_utc()))));
    let after = tz.offset_from_utc_datetime(&after_jump.naive_utc()).fix();
    let gap = i64::from(after.local_minus_utc() - before.local_minus_utc());
    if gap <= 0 {
        return after_jump;
    }
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    // Binary search (whole seconds: zone transitions are) for the first
    // instant with the new offset in (after_jump − gap, after_jump].
    let (mut lo, mut hi) = (after_jump - Duration::seconds(gap), after_jump);
    while (hi - lo).num_seconds() > 1 {
        let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
        if offset_at(mid) == after {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("local")
    }

    /// (zone, local wall time, UTC instant, what it shows).
    #[test]
    fn local_times_to_utc() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "America/New_York",
                "2026-01-05 08:00:00",
                "2026-01-05T13:00:00Z",
                "ordinary winter time",
            ),
            (
                "America/New_York",
                "2026-07-05 08:00:00",
                "2026-07-05T12:00:00Z",
                "ordinary summer time",
            ),
            (
                "America/New_York",
                "2026-03-08 01:59:59",
                "2026-03-08T06:59:59Z",
                "just before the jump",
            ),
            (
                "America/New_York",
                "2026-03-08 02:00:00",
                "2026-03-08T07:00:00Z",
                "gap start → the jump",
            ),
            (
                "America/New_York",
                "2026-03-08 02:30:00",
                "2026-03-08T07:00:00Z",
                "inside the gap → the jump",
            ),
            (
                "America/New_York",
                "2026-03-08 02:59:59",
                "2026-03-08T07:00:00Z",
                "gap end → the jump",
            ),
            (
                "America/New_York",
                "2026-03-08 03:00:00",
                "2026-03-08T07:00:00Z",
                "first valid time",
            ),
            (
                "America/New_York",
                "2026-11-01 01:30:00",
                "2026-11-01T05:30:00Z",
                "overlap → earlier",
            ),
            (
                "America/New_York",
                "2026-11-01 02:00:00",
                "2026-11-01T07:00:00Z",
                "after the overlap",
            ),
            (
                "Europe/London",
                "2026-03-29 01:30:00",
                "2026-03-29T01:00:00Z",
                "London gap → the jump",
            ),
            (
                "Europe/Berlin",
                "2026-10-25 02:30:00",
                "2026-10-25T00:30:00Z",
                "Berlin overlap → earlier",
            ),
            (
                "America/Santiago",
                "2026-09-06 00:00:00",
                "2026-09-06T04:00:00Z",
                "midnight in a gap",
            ),
            (
                "America/Sao_Paulo",
                "2018-11-04 00:00:00",
                "2018-11-04T03:00:00Z",
                "midnight in a gap (2018)",
            ),
            (
                "Australia/Lord_Howe",
                "2026-10-04 02:15:00",
                "2026-10-03T15:30:00Z",
                "half-hour gap",
            ),
            (
                "Pacific/Apia",
                "2011-12-30 12:00:00",
                "2011-12-30T10:00:00Z",
                "a whole day skipped",
            ),
            (
                "UTC",
                "2026-03-08 02:30:00",
                "2026-03-08T02:30:00Z",
                "UTC has no gaps",
            ),
        ];
        for (zone, wall, want, what) in cases {
            let tz = parse_time_zone(zone, "timeZone").expect(zone);
            assert_eq!(
                local_to_utc(tz, local(wall)),
                utc(want),
                "{zone} {wall}: {what}"
            );
        }
    }

    /// (input, zone name or None when refused).
    #[test]
    fn zone_names() {
        let cases: &[(&str, Option<&str>)] = &[
            ("UTC", Some("UTC")),
            ("utc", Some("UTC")),
            (" Europe/London ", Some("Europe/London")),
            ("europe/london", Some("Europe/London")),
            ("America/New_York", Some("America/New_York")),
            ("", None),
            ("   ", None),
            ("Mars/Olympus", None),
            ("Europe/Atlantis", None),
        ];
        for (input, want) in cases {
            let got = parse_time_zone(input, "options.timeZone");
            match want {
                Some(name) => assert_eq!(got.expect(input).name(), *name, "{input:?}"),
                None => {
                    let e = got.expect_err(input);
                    assert_eq!(e.field.as_deref(), Some("options.timeZone"), "{input:?}");
                    assert!(e.message.contains("time zone"), "{input:?}: {}", e.message);
                }
            }
        }
    }
}
