//! `--from` / `--to` / `--time-zone` as IT staff type them.
//!
//! A date (`2026-03-01`) means the whole local day in the export's time zone,
//! and `--to` is inclusive: `--from 2026-03-01 --to 2026-03-31` is all of
//! March. A date-time (`2026-03-01T08:00`, local, or with an offset such as
//! `2026-03-01T08:00:00Z`) is an exact instant and the range is half-open
//! `[from, to)`.
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use genesys_core::{Error, Result};

/// What the user typed for one end of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A whole local day.
    Date(NaiveDate),
    /// A wall-clock time in the export's time zone.
    Local(NaiveDateTime),
    /// An instant with an explicit offset.
    Absolute(DateTime<FixedOffset>),
}

/// Parse `2026-03-01`, `2026-03-01T08:00[:ss]`, `2026-03-01 08:00` or RFC 3339.
pub fn parse_bound(field: &str, input: &str) -> Result<Bound> {
    let s = input.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Bound::Date(d));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Bound::Absolute(t));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(Bound::Local(t));
        }
    }
    Err(Error::invalid(
        field,
        format!(
            "--{field} \"{s}\" is not a date. Use a date such as 2026-03-01 (a whole day) or a date and time such as 2026-03-01T08:00."
        ),
    ))
}

/// Parse `--time-zone`: the core's one rule ([`genesys_core::clock::parse_time_zone`]).
pub fn parse_time_zone(input: &str) -> Result<Tz> {
    genesys_core::clock::parse_time_zone(input, "timeZone").map_err(|mut e| {
        e.message = format!("--time-zone: {}", e.message);
        e
    })
}

/// A local wall-clock time → UTC: the core's one rule (a time in a DST gap
/// moves forward to the first valid instant; an ambiguous one is the earlier).
fn local_instant(tz: Tz, t: NaiveDateTime) -> DateTime<Utc> {
    genesys_core::clock::local_to_utc(tz, t)
}

/// Resolve `--from`/`--to` to the half-open UTC range `[from, to)`.
pub fn resolve_range(from: &str, to: &str, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let start = match parse_bound("from", from)? {
        Bound::Date(d) => local_instant(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default()),
        Bound::Local(t) => local_instant(tz, t),
        Bound::Absolute(t) => t.with_timezone(&Utc),
    };
    let end = match parse_bound("to", to)? {
        Bound::Date(d) => {
            let next = d.succ_opt().ok_or_else(|| {
                Error::invalid("to", format!("--to \"{to}\" is too far in the future."))
            })?;
            local_instant(tz, next.and_hms_opt(0, 0, 0).unwrap_or_default())
        }
        Bound::Local(t) => local_instant(tz, t),
        Bound::Absolute(t) => t.with_timezone(&Utc),
    };
    if end <= start {
        return Err(Error::invalid(
            "to",
            format!("--to ({to}) must be after --from ({from})."),
        ));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dates_are_whole_local_days_and_to_is_inclusive() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let (a, b) = resolve_range("2026-03-01", "2026-03-31", tz).unwrap();
        assert_eq!(a, utc("2026-03-01T00:00:00Z"));
        // London moves to BST on 29 March: midnight of 1 April is 23:00 UTC.
        assert_eq!(b, utc("2026-03-31T23:00:00Z"));
        let (a, b) = resolve_range("2026-01-05", "2026-01-05", tz).unwrap();
        assert_eq!((b - a).num_hours(), 24);
    }

    #[test]
    fn date_times_are_half_open_instants() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let (a, b) = resolve_range("2026-01-05T08:00", "2026-01-05T19:30:00Z", tz).unwrap();
        assert_eq!(a, utc("2026-01-05T13:00:00Z"));
        assert_eq!(b, utc("2026-01-05T19:30:00Z"));
        assert!(resolve_range("2026-01-05T08:00", "2026-01-05T07:00", tz).is_err());
    }

    #[test]
    fn dst_gap_midnight_moves_to_the_first_valid_instant() {
        // Santiago skipped 00:00–01:00 local on 2026-09-06.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let (a, _) = resolve_range("2026-09-06", "2026-09-06", tz).unwrap();
        assert_eq!(a, utc("2026-09-06T04:00:00Z"));
    }

    /// One clock: the CLI and the app (a profile's fixed date-times) name the
    /// same instants, also in a DST gap (New York 2026-03-08 02:30 does not
    /// exist: both start at the jump, 07:00 UTC) and overlap (01:30 twice).
    #[test]
    fn app_and_cli_resolve_the_same_instants() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let cli = resolve_range("2026-03-08T02:30", "2026-11-01T01:30", tz).unwrap();
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        let range = genesys_core::profiles::DateRange::FixedDateTimes {
            from: local("2026-03-08T02:30"),
            to: local("2026-11-01T01:30"),
        };
        let app = genesys_core::profiles::resolve_range(&range, tz, Utc::now()).unwrap();
        assert_eq!(cli, app);
        assert_eq!(cli.0, utc("2026-03-08T07:00:00Z"));
        assert_eq!(cli.1, utc("2026-11-01T05:30:00Z"));
        // Zone names: one parser, letter case ignored, blank refused.
        assert_eq!(parse_time_zone("utc").unwrap(), Tz::UTC);
        assert!(parse_time_zone(" ").is_err());
    }

    #[test]
    fn bad_input_names_the_field() {
        let tz: Tz = "UTC".parse().unwrap();
        let e = resolve_range("2026-02-10", "2026-02-01", tz).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
        let e = resolve_range("yesterday-ish", "2026-02-01", tz).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("from"));
        assert!(e.message.contains("2026-03-01"));
        let e = parse_time_zone("Mars/Olympus").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("timeZone"));
        assert!(parse_time_zone("UTC").is_ok());
    }
}
