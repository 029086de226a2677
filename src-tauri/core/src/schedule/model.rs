//! What a schedule is: which profile, how often (`every`), at what time of
//! day in which zone, into which folder, and what its last run did.
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// How often a schedule runs. Written as text: `day`, `weekdays`,
/// `week:mon` … `week:sun`, `month:1` … `month:31`.
///
/// `month:N` in a month with fewer than N days runs on that month's last day
/// (`month:31` is "the last day of every month"; `month:30` runs on 28 or 29
/// February); `month:last` is accepted for `month:31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Every {
    /// Every day.
    Day,
    /// Monday to Friday.
    Weekdays,
    /// Once a week on this day.
    Week(Weekday),
    /// Once a month on this day (1–31; the month's last day when it is shorter).
    Month(u8),
}

const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "monday"),
    (Weekday::Tue, "tue", "tuesday"),
    (Weekday::Wed, "wed", "wednesday"),
    (Weekday::Thu, "thu", "thursday"),
    (Weekday::Fri, "fri", "friday"),
    (Weekday::Sat, "sat", "saturday"),
    (Weekday::Sun, "sun", "sunday"),
];

/// The short English name `every` uses for a weekday (`mon`).
pub fn weekday_key(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _, _)| *d == day)
        .map_or("mon", |(_, short, _)| *short)
}

impl Every {
    /// Parse `day`, `weekdays`, `week:mon`, `month:15`, … (case-insensitive),
    /// or a field-level error on `every` that says what is accepted.
    pub fn parse(text: &str) -> Result<Every> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            Error::invalid(
                "every",
                format!(
                    "\"{}\" is not a schedule. Use day, weekdays, week:mon … week:sun, or month:1 … month:31 (month:31 = the last day of each month).",
                    text.trim()
                ),
            )
        };
        match t.as_str() {
            "day" | "daily" => return Ok(Every::Day),
            "weekdays" | "weekday" => return Ok(Every::Weekdays),
            _ => {}
        }
        let (kind, value) = t.split_once(':').ok_or_else(bad)?;
        match kind.trim() {
            "week" | "weekly" => {
                let v = value.trim();
                WEEKDAYS
                    .iter()
                    .find(|(_, short, long)| v == *short || v == *long)
                    .map(|(d, _, _)| Every::Week(*d))
                    .ok_or_else(bad)
            }
            "month" | "monthly" => {
                let v = value.trim();
                if v == "last" {
                    return Ok(Every::Month(31));
                }
                match v.parse::<u8>() {
                    Ok(d @ 1..=31) => Ok(Every::Month(d)),
                    _ => Err(Error::invalid(
                        "every",
                        format!("\"{}\": the day of the month must be 1 to 31 (31 = the last day of each month).", text.trim()),
                    )),
                }
            }
            _ => Err(bad()),
        }
    }

    /// Does this schedule run on `date` (a local calendar date)?
    pub fn runs_on(self, date: NaiveDate) -> bool {
        match self {
            Every::Day => true,
            Every::Weekdays => date.weekday().number_from_monday() <= 5,
            Every::Week(day) => date.weekday() == day,
            Every::Month(day) => u32::from(day).min(days_in_month(date)) == date.day(),
        }
    }

    /// Words for people: "every day", "every Monday", "monthly on day 31 (or the month's last day)".
    pub fn describe(self) -> String {
        match self {
            Every::Day => "every day".into(),
            Every::Weekdays => "every weekday (Monday to Friday)".into(),
            Every::Week(day) => {
                let long = WEEKDAYS
                    .iter()
                    .find(|(d, _, _)| *d == day)
                    .map_or("monday", |(_, _, l)| *l);
                let mut name = long.to_string();
                if let Some(first) = name.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("every {name}")
            }
            Every::Month(31) => "on the last day of every month".into(),
            Every::Month(d) if d >= 29 => {
                format!("monthly on day {d} (the last day in shorter months)")
            }
            Every::Month(d) => format!("monthly on day {d}"),
        }
    }
}

/// The number of days in `date`'s month.
pub fn days_in_month(date: NaiveDate) -> u32 {
    let (y, m) = (date.year(), date.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map_or(28, |last| last.day())
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Every::Day => f.write_str("day"),
            Every::Weekdays => f.write_str("weekdays"),
            Every::Week(d) => write!(f, "week:{}", weekday_key(*d)),
            Every::Month(d) => write!(f, "month:{d}"),
        }
    }
}

impl TryFrom<String> for Every {
    type Error = String;
    fn try_from(value: String) -> std::result::Result<Self, Self::Error> {
        Every::parse(&value).map_err(|e| e.message)
    }
}

impl From<Every> for String {
    fn from(value: Every) -> Self {
        value.to_string()
    }
}

/// A wall-clock time of day, `HH:MM` (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    pub fn new(hour: u8, minute: u8) -> Option<TimeOfDay> {
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    /// Parse `HH:MM` (`7:05` is accepted), or a field-level error on `at`.
    pub fn parse(text: &str) -> Result<TimeOfDay> {
        let t = text.trim();
        let bad = || {
            Error::invalid(
                "at",
                format!("\"{t}\" is not a time of day. Use 24-hour HH:MM, e.g. 07:00 or 18:30."),
            )
        };
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let hour = h.parse::<u8>().map_err(|_| bad())?;
        let minute = m.parse::<u8>().map_err(|_| bad())?;
        TimeOfDay::new(hour, minute).ok_or_else(bad)
    }

    pub fn hour(self) -> u8 {
        self.hour
    }

    pub fn minute(self) -> u8 {
        self.minute
    }

    pub fn naive(self) -> NaiveTime {
        NaiveTime::from_hms_opt(u32::from(self.hour), u32::from(self.minute), 0)
            .unwrap_or(NaiveTime::MIN)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(value: String) -> std::result::Result<Self, Self::Error> {
        TimeOfDay::parse(&value).map_err(|e| e.message)
    }
}

impl From<TimeOfDay> for String {
    fn from(value: TimeOfDay) -> Self {
        value.to_string()
    }
}

/// A saved schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Also names the OS entry (timer, task, agent).
    pub id: Uuid,
    /// The profile it runs (its filters, format, columns, range and file name template).
    pub profile_id: Uuid,
    pub every: Every,
    /// Time of day in [`Schedule::time_zone`].
    pub at: TimeOfDay,
    /// IANA zone `at` is read in: this computer's zone when the schedule was made
    /// (the operating system's scheduler runs on this computer's clock).
    pub time_zone: String,
    /// Absolute folder the file is written to (may be a OneDrive/SharePoint/Dropbox-synced folder).
    pub folder: PathBuf,
    pub created_at: DateTime<Utc>,
    /// The most recent run (started by the OS or by hand), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<LastRun>,
}

/// How a scheduled run ended (or that it is still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Done,
    Failed,
    Cancelled,
    /// Recorded as running, but no process runs it any more (killed, crash,
    /// power loss). Only shown by [`crate::schedule::list`], never stored.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// What the last run of a schedule did. Kept per schedule so the app can show
/// it (and notice failures) without reading the whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    /// The run's id in the export history.
    pub run_id: String,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    /// The file written (or that was being written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// The range exported, `[from, to)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub conversations: u64,
    #[serde(default)]
    pub rows: u64,
    /// Plain-language message of a failed run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The error kind of a failed run (`auth`, `network`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<crate::ErrorKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parses_prints_and_matches_dates() {
        let ok: &[(&str, &str)] = &[
            ("day", "day"),
            ("Daily", "day"),
            ("weekdays", "weekdays"),
            ("week:mon", "week:mon"),
            ("WEEK:Sunday", "week:sun"),
            ("month:1", "month:1"),
            (" month:31 ", "month:31"),
            ("month:last", "month:31"),
        ];
        for (text, canonical) in ok {
            let e = Every::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(e.to_string(), *canonical);
            assert_eq!(Every::parse(&e.to_string()).unwrap(), e, "round trip");
        }
        for bad in [
            "",
            "hourly",
            "week:",
            "week:funday",
            "month:0",
            "month:32",
            "month:x",
            "fortnight:1",
        ] {
            let e = Every::parse(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("every"), "{bad}");
        }
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // month:31 is the last day; month:30 is 28/29 February; 2100 is not a leap year.
        let runs: &[(&str, &str, bool)] = &[
            ("month:31", "2026-04-30", true),
            ("month:31", "2026-04-29", false),
            ("month:31", "2028-02-29", true),
            ("month:31", "2028-02-28", false),
            ("month:30", "2027-02-28", true),
            ("month:30", "2100-02-28", true),
            ("month:29", "2028-02-29", true),
            ("month:29", "2028-02-28", false),
            ("month:15", "2026-06-15", true),
            ("weekdays", "2026-12-05", false), // Saturday
            ("weekdays", "2026-12-07", true),  // Monday
            ("week:sat", "2026-12-05", true),
        ];
        for (every, date, want) in runs {
            assert_eq!(
                Every::parse(every).unwrap().runs_on(d(date)),
                *want,
                "{every} on {date}"
            );
        }
        assert_eq!(
            Every::Month(31).describe(),
            "on the last day of every month"
        );
        assert_eq!(Every::Week(Weekday::Wed).describe(), "every Wednesday");
    }

    #[test]
    fn time_of_day_parses_hh_mm_only() {
        for (text, want) in [
            ("07:00", "07:00"),
            ("7:05", "07:05"),
            ("23:59", "23:59"),
            (" 00:00 ", "00:00"),
        ] {
            assert_eq!(TimeOfDay::parse(text).unwrap().to_string(), want);
        }
        for bad in [
            "24:00", "12:60", "7", "7pm", "07:0", "07:000", ":30", "-1:00", "ab:cd",
        ] {
            assert_eq!(
                TimeOfDay::parse(bad).unwrap_err().field.as_deref(),
                Some("at"),
                "{bad}"
            );
        }
        // Stored as text.
        let json = serde_json::to_string(&TimeOfDay::new(6, 5).unwrap()).unwrap();
        assert_eq!(json, "\"06:05\"");
        assert!(serde_json::from_str::<TimeOfDay>("\"25:00\"").is_err());
    }
}
