//! Exports of more than a month can take a long time (issue #14.6): the
//! notice, with a rough estimate, given before one starts (the app shows it
//! in the export view while the save dialog is open, the CLI prints it).
//!
//! The estimate cannot know how many conversations there are (that would
//! take requests), so it is a range per day of the range:
//! - [`FAST_SECONDS_PER_DAY`]: a quiet contact centre, one or two requests
//!   a day (a details query answers in about a second);
//! - [`SLOW_SECONDS_PER_DAY`]: a busy one, 10,000 conversations a day, i.e.
//!   100 pages of the sync query's 100 (`ClientConfig::sync_page_size`),
//!   paced by Genesys's rate limit (an example in Genesys's developer blog
//!   shows `inin-ratelimit-allowed: 180` a minute: `MyPureCloud/developer-center-blog`,
//!   `source/2021-05-06-sdk-config-and-logging/index.md`), plus the waits.
//!
//! Once the fetch has its own estimate of the total, the progress shows the
//! time left instead.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{EventSink, ExportEvent, RunPlan};

/// Ranges longer than this many days are announced.
pub const LONG_RANGE_DAYS: u32 = 31;
/// Seconds per day of range for a quiet organization (see the module docs).
pub const FAST_SECONDS_PER_DAY: u64 = 2;
/// Seconds per day of range for a busy organization (see the module docs).
pub const SLOW_SECONDS_PER_DAY: u64 = 60;

/// `{event: "longRange", data: {days, message}}`: the range is longer than
/// [`LONG_RANGE_DAYS`]; `message` says how long the export may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LongRange {
    /// Days in the range (a started day counts).
    pub days: u32,
    pub message: String,
}

/// Send [`ExportEvent::LongRange`] when the plan's range is longer than a
/// month. The app calls it before its save dialog; every run sends it again
/// before it starts.
pub fn announce_long_range(plan: &RunPlan, events: &EventSink) {
    if let Some(notice) = long_range_notice(plan.from, plan.to) {
        events(ExportEvent::LongRange(notice));
    }
}

/// The notice for a range `[from, to)`, when it is longer than a month.
pub fn long_range_notice(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<LongRange> {
    let seconds = (to - from).num_seconds().max(0);
    let days = u32::try_from((seconds + 86_399) / 86_400).unwrap_or(u32::MAX);
    if days <= LONG_RANGE_DAYS {
        return None;
    }
    let fast = about(u64::from(days) * FAST_SECONDS_PER_DAY);
    let slow = about(u64::from(days) * SLOW_SECONDS_PER_DAY);
    Some(LongRange {
        days,
        message: format!(
            "This export covers {days} days, more than a month. Genesys Cloud is asked for it a day or a few days at a time, so it may take from {fast} to {slow}, depending on how many conversations there are. You can keep working meanwhile; the time left is shown once the first days are in."
        ),
    })
}

/// "about 3 minutes", "about 1½ hours", "about 2 days".
fn about(seconds: u64) -> String {
    let minutes = (seconds + 30) / 60;
    if minutes <= 1 {
        return "about a minute".to_string();
    }
    if minutes < 60 {
        return format!("about {minutes} minutes");
    }
    let half_hours = (seconds + 900) / 1800;
    if half_hours < 48 {
        let (hours, half) = (half_hours / 2, half_hours % 2 == 1);
        return match (hours, half) {
            (1, false) => "about an hour".to_string(),
            (h, false) => format!("about {h} hours"),
            (h, true) => format!("about {h}½ hours"),
        };
    }
    format!("about {} days", (seconds + 43_200) / 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn range(days: i64, extra_seconds: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        (
            from,
            from + chrono::Duration::days(days) + chrono::Duration::seconds(extra_seconds),
        )
    }

    #[test]
    fn only_ranges_over_a_month_are_announced() {
        for (days, extra, announced) in [
            (1, 0, None),
            (31, 0, None),
            // 31 days and an hour: 32 started days.
            (31, 3600, Some(32)),
            (92, 0, Some(92)),
        ] {
            let (from, to) = range(days, extra);
            assert_eq!(
                long_range_notice(from, to).map(|n| n.days),
                announced,
                "{days} days + {extra} s"
            );
        }
    }

    #[test]
    fn the_estimate_in_words() {
        let (from, to) = range(92, 0);
        let n = long_range_notice(from, to).unwrap();
        // 92 × 2 s ≈ 3 minutes; 92 × 60 s = 92 minutes ≈ 1½ hours.
        assert!(
            n.message.contains("92 days")
                && n.message.contains("from about 3 minutes to about 1½ hours"),
            "{}",
            n.message
        );
        for (seconds, words) in [
            (50, "about a minute"),
            (64 * 60, "about an hour"),
            (2 * 3600, "about 2 hours"),
            (5 * 3600 + 1900, "about 5½ hours"),
            (30 * 86_400, "about 30 days"),
        ] {
            assert_eq!(about(seconds), words, "{seconds}");
        }
    }
}
