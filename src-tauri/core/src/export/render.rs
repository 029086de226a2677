//! Turning typed cells into text (CSV) or Excel values: time zones, durations,
//! formula-injection neutralisation.
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::flatten::Cell;
use super::options::DurationFormat;

/// The wall-clock time in `tz` (DST-correct).
pub fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// Whole seconds, rounded half up.
pub fn whole_seconds(ms: i64) -> i64 {
    (ms + 500).div_euclid(1000)
}

/// `h:mm:ss` (hours are not capped at 24).
pub fn hms(ms: i64) -> String {
    let secs = whole_seconds(ms);
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// True when a spreadsheet would treat the text as a formula (or strip a control character).
pub fn is_formula_like(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Write a cell as CSV text into `out` (cleared first).
pub fn cell_text(out: &mut String, cell: &Cell, tz: Tz, durations: DurationFormat) {
    out.clear();
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            if is_formula_like(s) {
                out.push('\'');
            }
            out.push_str(s);
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Bool(b) => out.push_str(if *b { "Yes" } else { "No" }),
        Cell::DateTime(t) => {
            let _ = write!(out, "{}", local(*t, tz).format("%Y-%m-%d %H:%M:%S"));
        }
        Cell::Duration(ms) => match durations {
            DurationFormat::Seconds => {
                let _ = write!(out, "{}", whole_seconds(*ms));
            }
            DurationFormat::Hms => out.push_str(&hms(*ms)),
        },
    }
}

/// Excel's serial date (days since 1899-12-30) for a wall-clock time, to the second.
pub fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    (t - epoch).num_seconds() as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(whole_seconds(754_499), 754);
        assert_eq!(whole_seconds(754_500), 755);
        assert_eq!(hms(754_000), "0:12:34");
        assert_eq!(hms(90_061_000), "25:01:01");
    }

    #[test]
    fn formula_like() {
        for s in ["=1+1", "+15551234", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(is_formula_like(s), "{s}");
        }
        for s in ["", "a=1", "15551234", "Ünïcode"] {
            assert!(!is_formula_like(s), "{s}");
        }
    }

    #[test]
    fn serial() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        // 2026-03-08 is serial 46089.
        assert_eq!(excel_serial(t), 46089.5);
    }
}
