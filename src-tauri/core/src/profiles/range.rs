//! Turning a profile's date range into instants, and its file-name template into a file name.
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::model::{DateRange, QueryProfile, RelativePreset};
pub use crate::clock::local_to_utc;
use crate::clock::parse_time_zone;
use crate::error::{Error, Result};

/// The placeholders a file-name template may use.
pub const TEMPLATE_PLACEHOLDERS: [&str; 5] = ["profile", "from", "to", "today", "now"];

impl QueryProfile {
    /// The half-open interval `[from, to)` this profile exports, computed in
    /// the profile's time zone at `now` (weeks start on Monday). Local
    /// times become instants by [`crate::clock::local_to_utc`] (the one rule the
    /// CLI uses too), so a day across a DST change is 23 or 25 hours long.
    pub fn resolve_range(&self, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        let tz = parse_time_zone(&self.time_zone, "timeZone")?;
        resolve_range(&self.range, tz, now)
    }

    /// The file name for an export run at `now`: the template filled in,
    /// made safe for Windows, macOS and Linux file systems, with the
    /// extension of the export format.
    pub fn file_name(&self, now: DateTime<Utc>) -> Result<String> {
        let tz = parse_time_zone(&self.time_zone, "timeZone")?;
        let (from, to) = resolve_range(&self.range, tz, now)?;
        let (from_text, to_text) = range_labels(from.with_timezone(&tz), to.with_timezone(&tz));
        let local_now = now.with_timezone(&tz);
        let template = if self.file_name_template.trim().is_empty() {
            super::model::DEFAULT_FILE_NAME_TEMPLATE
        } else {
            self.file_name_template.as_str()
        };
        let filled = fill_template(template, |key| match key {
            "profile" => Some(self.name.clone()),
            "from" => Some(from_text.clone()),
            "to" => Some(to_text.clone()),
            "today" => Some(local_now.format("%Y-%m-%d").to_string()),
            "now" => Some(local_now.format("%Y-%m-%d %H.%M").to_string()),
            _ => None,
        })?;
        let stem = strip_known_extension(&filled);
        let stem = sanitize_file_stem(stem);
        Ok(format!("{stem}.{}", self.export.format.extension()))
    }
}

/// [`QueryProfile::resolve_range`] for any range and zone.
pub fn resolve_range(
    range: &DateRange,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let (from, to) = match range {
        DateRange::Preset { preset } => {
            let (from, to) = preset_days(*preset, now.with_timezone(&tz).date_naive())?;
            (
                local_to_utc(tz, from.and_time(NaiveTime::MIN)),
                local_to_utc(tz, to.and_time(NaiveTime::MIN)),
            )
        }
        DateRange::Fixed { from, to } => {
            check_order(*from <= *to, from, to)?;
            let after_to = to.checked_add_days(Days::new(1)).ok_or_else(out_of_range)?;
            (
                local_to_utc(tz, from.and_time(NaiveTime::MIN)),
                local_to_utc(tz, after_to.and_time(NaiveTime::MIN)),
            )
        }
        DateRange::FixedDateTimes { from, to } => {
            check_order(from < to, from, to)?;
            (local_to_utc(tz, *from), local_to_utc(tz, *to))
        }
    };
    Ok((from, to))
}

fn check_order(ok: bool, from: &impl std::fmt::Display, to: &impl std::fmt::Display) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "to",
            format!("The end ({to}) is before the start ({from}). Choose an end after the start."),
        ))
    }
}

fn out_of_range() -> Error {
    Error::invalid("range", "That date is out of range.")
}

/// The local days `[first, end)` a preset covers when today is `today`.
pub fn preset_days(preset: RelativePreset, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let minus = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).ok_or_else(out_of_range);
    let plus = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).ok_or_else(out_of_range);
    let monday = minus(today, u64::from(today.weekday().num_days_from_monday()))?;
    let first_of_month = today.with_day(1).ok_or_else(out_of_range)?;
    Ok(match preset {
        RelativePreset::Today => (today, plus(today, 1)?),
        RelativePreset::Yesterday => (minus(today, 1)?, today),
        RelativePreset::ThisWeek => (monday, plus(monday, 7)?),
        RelativePreset::LastWeek => (minus(monday, 7)?, monday),
        RelativePreset::Last7Days => (minus(today, 7)?, today),
        RelativePreset::ThisMonth => (
            first_of_month,
            first_of_month
                .checked_add_months(Months::new(1))
                .ok_or_else(out_of_range)?,
        ),
        RelativePreset::LastMonth => (
            first_of_month
                .checked_sub_months(Months::new(1))
                .ok_or_else(out_of_range)?,
            first_of_month,
        ),
        RelativePreset::Last30Days => (minus(today, 30)?, today),
    })
}

/// `{from}` and `{to}` for people: whole days as dates with `to` included
/// (`2026-03-02`–`2026-03-08`), otherwise local date and time.
fn range_labels(from: DateTime<Tz>, to: DateTime<Tz>) -> (String, String) {
    let midnight = |t: &DateTime<Tz>| t.time() == NaiveTime::MIN;
    if midnight(&from) && midnight(&to) {
        let last_day = to.date_naive().pred_opt().unwrap_or(to.date_naive());
        (
            from.format("%Y-%m-%d").to_string(),
            last_day.format("%Y-%m-%d").to_string(),
        )
    } else {
        (
            from.format("%Y-%m-%d %H.%M").to_string(),
            to.format("%Y-%m-%d %H.%M").to_string(),
        )
    }
}

/// Replace `{name}` placeholders using `value`; an unknown placeholder is a
/// field-level error on `fileNameTemplate`.
pub fn fill_template(template: &str, value: impl Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(Error::invalid(
                "fileNameTemplate",
                "The file name has a \"{\" without a closing \"}\".",
            ));
        };
        let key = &after[..end];
        match value(key) {
            Some(v) => out.push_str(&v),
            None => {
                return Err(Error::invalid(
                    "fileNameTemplate",
                    format!(
                        "The file name uses {{{key}}}, which is not known. Use {}.",
                        TEMPLATE_PLACEHOLDERS
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Check a template without filling it (for validation on save).
pub fn check_template(template: &str) -> Result<()> {
    fill_template(template, |key| {
        TEMPLATE_PLACEHOLDERS
            .contains(&key)
            .then(|| "x".to_string())
    })
    .map(|_| ())
}

fn strip_known_extension(name: &str) -> &str {
    for ext in [".csv", ".xlsx", ".jsonl", ".json", ".txt"] {
        if name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext) {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// Make a file name (without extension) safe on Windows, macOS and Linux:
/// no `<>:"/\|?*` or control characters, no trailing dots or spaces, no
/// reserved device names (`CON`, `NUL`, `COM1`...), at most 200 bytes, never empty.
pub fn sanitize_file_stem(stem: &str) -> String {
    let mut out: String = stem
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    while out.len() > 200 {
        out.pop();
    }
    let trimmed = out.trim_end_matches(['.', ' ']).trim_start();
    let mut out = trimmed.to_string();
    if out.is_empty() {
        out = "export".to_string();
    }
    let base = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.insert(0, '_');
    }
    out
}
