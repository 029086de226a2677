//! Windows: a Task Scheduler task registered from a task XML with
//! `schtasks /Create /XML <file> /TN "Genesys Export\<id>" /F`.
//!
//! The XML follows the Task Scheduler schema
//! (`http://schemas.microsoft.com/windows/2004/02/mit/task`, task version 1.2;
//! MS-TSCH §2.5): one `CalendarTrigger` per rule, with `ScheduleByDay`,
//! `ScheduleByWeek` or `ScheduleByMonth` (whose `Day` may be `Last`). Its
//! `StartBoundary` has no offset, so the task runs on this computer's local
//! clock. `StartWhenAvailable` runs a start missed while the computer was
//! off as soon as it can; `MultipleInstancesPolicy=IgnoreNew` never runs two
//! at once. The task runs as the signed-in user (`InteractiveToken`), who can
//! read the client secret from Credential Manager.
use chrono::{NaiveDateTime, Weekday};
use uuid::Uuid;

use super::{plain, Entry};
use crate::schedule::model::Every;

/// The task's folder and name in Task Scheduler.
pub fn task_name(id: Uuid) -> String {
    format!("Genesys Export\\{id}")
}

/// Escape XML text and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One argument quoted the way Windows programs split their command line
/// (`CommandLineToArgvW`): in double quotes, backslashes doubled before a quote.
pub fn quote_arg(arg: &str) -> String {
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn day_element(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn trigger(start: &str, schedule: &str) -> String {
    format!(
        "    <CalendarTrigger>\n      <Enabled>true</Enabled>\n      <StartBoundary>{start}</StartBoundary>\n{schedule}    </CalendarTrigger>\n"
    )
}

fn by_week(days: &[Weekday]) -> String {
    let mut s = String::from(
        "      <ScheduleByWeek>\n        <WeeksInterval>1</WeeksInterval>\n        <DaysOfWeek>\n",
    );
    for d in days {
        s.push_str(&format!("          <{}/>\n", day_element(*d)));
    }
    s.push_str("        </DaysOfWeek>\n      </ScheduleByWeek>\n");
    s
}

fn by_month(day: &str, months: &[&str]) -> String {
    let mut s = format!("      <ScheduleByMonth>\n        <DaysOfMonth>\n          <Day>{day}</Day>\n        </DaysOfMonth>\n        <Months>\n");
    for m in months {
        s.push_str(&format!("          <{m}/>\n"));
    }
    s.push_str("        </Months>\n      </ScheduleByMonth>\n");
    s
}

/// The `CalendarTrigger`s of a schedule, starting at `start` (local).
fn triggers(every: Every, start: &str) -> String {
    match every {
        Every::Day => trigger(start, "      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n"),
        Every::Weekdays => trigger(
            start,
            &by_week(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]),
        ),
        Every::Week(d) => trigger(start, &by_week(&[d])),
        Every::Month(d) if d <= 28 => trigger(start, &by_month(&d.to_string(), &MONTHS)),
        Every::Month(31) => trigger(start, &by_month("Last", &MONTHS)),
        Every::Month(d) => {
            let not_feb: Vec<&str> = MONTHS.iter().copied().filter(|m| *m != "February").collect();
            let mut t = trigger(start, &by_month(&d.to_string(), &not_feb));
            t.push_str(&trigger(start, &by_month("Last", &["February"])));
            t
        }
    }
}

/// The task XML (as text; [`install`] saves it as UTF-16 with a BOM, the
/// encoding Task Scheduler itself exports).
pub fn task_xml(entry: Entry<'_>) -> String {
    let s = entry.schedule;
    // The first trigger date: today in the schedule's zone, at the time of day.
    let today = crate::clock::parse_time_zone(&s.time_zone, "timeZone")
        .map(|tz| entry.now.with_timezone(&tz).date_naive())
        .unwrap_or_else(|_| entry.now.date_naive());
    let start = NaiveDateTime::new(today, s.at.naive())
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let args: Vec<String> = entry
        .launcher
        .args(s.id, false)
        .iter()
        .map(|a| quote_arg(a))
        .collect();
    let description = format!(
        "Genesys Export: \"{}\" {} at {} ({}). Remove it with: genesys-export-cli schedule remove {}",
        plain(entry.profile_name),
        s.every.describe(),
        s.at,
        s.time_zone,
        s.id
    );
    format!(
        r#"<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>Genesys Export</Author>
    <Description>{description}</Description>
    <URI>\{uri}</URI>
  </RegistrationInfo>
  <Triggers>
{triggers}  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT12H</ExecutionTimeLimit>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{command}</Command>
      <Arguments>{arguments}</Arguments>
    </Exec>
  </Actions>
</Task>
"#,
        description = xml_escape(&description),
        uri = xml_escape(&task_name(s.id)),
        triggers = triggers(s.every, &start),
        command = xml_escape(&entry.launcher.program.to_string_lossy()),
        arguments = xml_escape(&args.join(" ")),
    )
}

/// Text as UTF-16 little-endian with a byte-order mark.
pub fn utf16_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Register the task (Windows; compiled everywhere so it is type-checked, called only on Windows).
#[cfg_attr(not(windows), allow(dead_code))]
pub fn install(entry: Entry<'_>) -> crate::Result<super::Installed> {
    use crate::error::Error;
    let computer = crate::profiles::system_time_zone();
    super::check_local_clock(&entry.schedule.time_zone, &computer)?;
    let xml = task_xml(entry);
    let file = entry
        .launcher
        .data_dir
        .join("schedules")
        .join(format!("{}.xml", entry.schedule.id));
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("Could not save the task definition", &e))?;
    }
    std::fs::write(&file, utf16_with_bom(&xml))
        .map_err(|e| Error::io("Could not save the task definition", &e))?;
    let name = task_name(entry.schedule.id);
    let path = file.to_string_lossy().into_owned();
    match super::run_tool("schtasks", &["/Create", "/XML", &path, "/TN", &name, "/F"]) {
        Ok((true, _)) => Ok(super::Installed {
            files: vec![file],
            note: None,
        }),
        Ok((false, why)) => Err(Error::internal(format!(
            "Task Scheduler did not accept the schedule: {why}"
        ))),
        Err(e) => Err(Error::internal(format!(
            "Task Scheduler (schtasks) could not be run: {e}"
        ))),
    }
}

/// Delete the task (Windows; compiled everywhere, called only on Windows).
#[cfg_attr(not(windows), allow(dead_code))]
pub fn remove(id: Uuid) -> crate::Result<Option<String>> {
    let name = task_name(id);
    match super::run_tool("schtasks", &["/Query", "/TN", &name]) {
        Ok((true, _)) => {}
        _ => return Ok(None), // no such task
    }
    match super::run_tool("schtasks", &["/Delete", "/TN", &name, "/F"]) {
        Ok((true, _)) => Ok(None),
        Ok((false, why)) => Err(crate::Error::internal(format!(
            "Task Scheduler did not remove the task {name}: {why}"
        ))),
        Err(e) => Err(crate::Error::internal(format!(
            "Task Scheduler (schtasks) could not be run: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_argument_quoting() {
        assert_eq!(
            quote_arg("C:\\Program Files\\x"),
            "\"C:\\Program Files\\x\""
        );
        assert_eq!(quote_arg("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote_arg("C:\\dir\\"), "\"C:\\dir\\\\\"");
        assert_eq!(quote_arg(""), "\"\"");
    }

    #[test]
    fn utf16_has_a_bom_and_round_trips() {
        let bytes = utf16_with_bom("Zoë <x>");
        assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(String::from_utf16(&units).unwrap(), "Zoë <x>");
    }
}
