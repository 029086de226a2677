//! Linux: a systemd user timer and service per schedule in
//! `~/.config/systemd/user/` (`$XDG_CONFIG_HOME/systemd/user`).
//!
//! - `OnCalendar=` names the schedule's zone (systemd.time(7): "the timezone in
//!   the IANA timezone database format"), so the timer and our next-run rule
//!   agree whatever the machine's zone.
//! - `month:N` for N ≥ 29 uses the "~" last-day syntax: `*-*~01` is the last
//!   day of every month; `month:30` is the 30th of every month but February
//!   plus `*-02~01`.
//! - systemd skips a time that does not exist that day (clocks go forward,
//!   systemd issue #5595); our rule runs it that day at the moment of the
//!   jump ([`crate::clock::local_to_utc`]), so each such run in the next [`GAP_YEARS`] years is an extra one-off
//!   `OnCalendar=` in UTC.
//! - `Persistent=true`: a run missed while the computer was off (or the user
//!   logged out) runs as soon as the timer is active again (systemd.timer(5)).
use std::path::{Path, PathBuf};

use chrono::{Datelike, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{plain, Entry};
use crate::error::{Error, Result};
use crate::schedule::model::{Every, Schedule};
use crate::schedule::next::gap_runs;

/// How many years of DST-gap runs are written as one-off entries.
pub const GAP_YEARS: i32 = 10;

/// `genesys-export-schedule-<id>` (+ `.timer` / `.service`).
pub fn unit_name(id: Uuid) -> String {
    format!("genesys-export-schedule-{id}")
}

/// The timer and service files of a schedule in `dir`.
pub fn unit_files(dir: &Path, id: Uuid) -> [PathBuf; 2] {
    let base = unit_name(id);
    [
        dir.join(format!("{base}.timer")),
        dir.join(format!("{base}.service")),
    ]
}

/// The `OnCalendar=` expressions of a schedule's regular runs.
pub fn calendar_expressions(schedule: &Schedule) -> Vec<String> {
    let time = format!("{}:00 {}", schedule.at, schedule.time_zone);
    match schedule.every {
        Every::Day => vec![format!("*-*-* {time}")],
        Every::Weekdays => vec![format!("Mon..Fri *-*-* {time}")],
        Every::Week(day) => {
            let name = match day {
                chrono::Weekday::Mon => "Mon",
                chrono::Weekday::Tue => "Tue",
                chrono::Weekday::Wed => "Wed",
                chrono::Weekday::Thu => "Thu",
                chrono::Weekday::Fri => "Fri",
                chrono::Weekday::Sat => "Sat",
                chrono::Weekday::Sun => "Sun",
            };
            vec![format!("{name} *-*-* {time}")]
        }
        Every::Month(d) if d <= 28 => vec![format!("*-*-{d:02} {time}")],
        Every::Month(31) => vec![format!("*-*~01 {time}")],
        Every::Month(d) => vec![
            format!("*-01,03..12-{d:02} {time}"),
            format!("*-02~01 {time}"),
        ],
    }
}

/// One-off `OnCalendar=` expressions (UTC) for runs systemd would skip: days
/// the time of day falls in a DST gap, from `entry.now` for [`GAP_YEARS`].
pub fn gap_expressions(
    schedule: &Schedule,
    tz: Tz,
    entry_now: chrono::DateTime<Utc>,
) -> Vec<String> {
    let from = entry_now.with_timezone(&tz).date_naive();
    let to = from.with_year(from.year() + GAP_YEARS).unwrap_or(from);
    gap_runs(schedule.every, schedule.at, tz, from, to)
        .into_iter()
        .filter(|t| *t > entry_now)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .collect()
}

/// Escape for a unit file value that expands specifiers (`%` → `%%`).
fn no_specifiers(text: &str) -> String {
    plain(text).replace('%', "%%")
}

/// One `ExecStart=` word: double-quoted with C escapes (systemd.syntax(7)
/// "Quoting"), `%` doubled (specifiers) and, in arguments, `$` doubled
/// (variables), per systemd.service(5) "Command lines". The program (the first
/// word) is never expanded, so its `$` stays single (checked by
/// `systemd-analyze verify` in `tests/schedule_os.rs`).
pub fn exec_word(word: &str, program: bool) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    for c in word.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if !program => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `.timer` unit.
pub fn timer_unit(entry: Entry<'_>) -> Result<String> {
    let s = entry.schedule;
    let tz = crate::clock::parse_time_zone(&s.time_zone, "timeZone")?;
    let mut text = format!(
        "# Written by Genesys Export for schedule {id}.\n\
         # Remove it with: genesys-export-cli schedule remove {id}\n\
         [Unit]\n\
         Description=Genesys Export: \"{name}\" {when} at {at} ({zone})\n\
         \n\
         [Timer]\n",
        id = s.id,
        name = no_specifiers(entry.profile_name),
        when = s.every.describe(),
        at = s.at,
        zone = s.time_zone,
    );
    for expr in calendar_expressions(s) {
        text.push_str(&format!("OnCalendar={expr}\n"));
    }
    let gaps = gap_expressions(s, tz, entry.now);
    if !gaps.is_empty() {
        text.push_str(&format!(
            "# {at} does not exist on these days (clocks go forward); systemd would skip them, so they run after the jump:\n",
            at = s.at
        ));
        for expr in gaps {
            text.push_str(&format!("OnCalendar={expr}\n"));
        }
    }
    text.push_str(&format!(
        "Persistent=true\n\
         Unit={unit}.service\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        unit = unit_name(s.id)
    ));
    Ok(text)
}

/// The `.service` unit the timer starts.
pub fn service_unit(entry: Entry<'_>) -> Result<String> {
    let s = entry.schedule;
    let program = entry.launcher.program.to_str().ok_or_else(|| {
        Error::invalid(
            "folder",
            "The path of the command-line program has characters systemd cannot store.",
        )
    })?;
    let mut exec = exec_word(program, true);
    for arg in entry.launcher.args(s.id, false) {
        exec.push(' ');
        exec.push_str(&exec_word(&arg, false));
    }
    Ok(format!(
        "# Written by Genesys Export for schedule {id}.\n\
         [Unit]\n\
         Description=Genesys Export: scheduled export \"{name}\"\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={exec}\n",
        id = s.id,
        name = no_specifiers(entry.profile_name),
    ))
}

fn systemctl(args: &[&str]) -> std::io::Result<(bool, String)> {
    let mut all = vec!["--user"];
    all.extend_from_slice(args);
    super::run_tool("systemctl", &all)
}

/// Write both units, reload the user manager and `enable --now` the timer.
/// When no user manager can be reached (CI, containers, logged out), the units
/// are still written and enabled offline (`systemctl --user enable`, which
/// needs no manager), so they start at the next login; the note says so.
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
pub fn install(dir: &Path, entry: Entry<'_>) -> Result<super::Installed> {
    let timer = timer_unit(entry)?;
    let service = service_unit(entry)?;
    let [timer_path, service_path] = unit_files(dir, entry.schedule.id);
    super::write_private(&service_path, &service)?;
    super::write_private(&timer_path, &timer)?;
    let files = vec![timer_path.clone(), service_path.clone()];
    let timer_name = format!("{}.timer", unit_name(entry.schedule.id));
    let failed = |why: String| {
        Error::new(
            crate::ErrorKind::Internal,
            format!(
                "The schedule's timer was written to {} but systemd did not accept it: {why}",
                timer_path.display()
            ),
        )
    };
    match systemctl(&["daemon-reload"]) {
        Ok((true, _)) => match systemctl(&["enable", "--now", &timer_name]) {
            Ok((true, _)) => Ok(super::Installed { files, note: None }),
            Ok((false, why)) => Err(failed(why)),
            Err(e) => Err(failed(e.to_string())),
        },
        Ok((false, why)) => {
            // No user manager: enable offline so it starts at the next login.
            match systemctl(&["enable", &timer_name]) {
                Ok((true, _)) => Ok(super::Installed {
                    files,
                    note: Some(format!(
                        "systemd for your user is not running here ({why}); the timer is installed and enabled, and starts with your next login session."
                    )),
                }),
                Ok((false, why2)) => Err(failed(why2)),
                Err(e) => Err(failed(e.to_string())),
            }
        }
        Err(e) => Ok(super::Installed {
            files,
            note: Some(format!(
                "systemctl could not be run ({e}): this computer does not seem to use systemd, so nothing will start the timer written to {}.",
                timer_path.display()
            )),
        }),
    }
}

/// Stop and disable the timer, forget its last-run stamp, delete both units
/// and reload. Works without a user manager (the files and the enable link
/// are removed all the same).
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
pub fn remove(dir: &Path, id: Uuid) -> Result<Option<String>> {
    let [timer_path, service_path] = unit_files(dir, id);
    let timer_name = format!("{}.timer", unit_name(id));
    let wants = dir.join("timers.target.wants").join(&timer_name);
    let had_files =
        timer_path.exists() || service_path.exists() || wants.symlink_metadata().is_ok();
    if !had_files {
        return Ok(None);
    }
    let mut note = None;
    match systemctl(&["disable", "--now", &timer_name]) {
        Ok((true, _)) => {
            let _ = systemctl(&["clean", "--what=state", &timer_name]);
        }
        Ok((false, why)) => {
            // No manager: disable offline (removes the enable link).
            let _ = systemctl(&["disable", &timer_name]);
            note = Some(format!(
                "systemd for your user is not running here ({why}); the timer files were removed."
            ));
        }
        Err(_) => {}
    }
    for path in [&wants, &timer_path, &service_path] {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::io(
                    format!("Could not remove {}", path.display()),
                    &e,
                ))
            }
        }
    }
    if note.is_none() {
        let _ = systemctl(&["daemon-reload"]);
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_survive_spaces_quotes_percent_and_dollar() {
        assert_eq!(
            exec_word("/usr/bin/genesys-export-cli", true),
            "\"/usr/bin/genesys-export-cli\""
        );
        assert_eq!(
            exec_word("/a b/50% \"x\" $HOME\\", false),
            "\"/a b/50%% \\\"x\\\" $$HOME\\\\\""
        );
        // The program is not expanded: its `$` stays single.
        assert_eq!(exec_word("/opt/a $b", true), "\"/opt/a $b\"");
    }

    #[test]
    fn calendar_expressions_for_each_kind() {
        let mut s = Schedule {
            id: Uuid::nil(),
            profile_id: Uuid::nil(),
            every: Every::Day,
            at: crate::schedule::model::TimeOfDay::new(7, 5).unwrap(),
            time_zone: "Europe/Berlin".into(),
            folder: "/tmp".into(),
            created_at: Utc::now(),
            last_run: None,
        };
        let cases: &[(&str, &[&str])] = &[
            ("day", &["*-*-* 07:05:00 Europe/Berlin"]),
            ("weekdays", &["Mon..Fri *-*-* 07:05:00 Europe/Berlin"]),
            ("week:sun", &["Sun *-*-* 07:05:00 Europe/Berlin"]),
            ("month:1", &["*-*-01 07:05:00 Europe/Berlin"]),
            ("month:28", &["*-*-28 07:05:00 Europe/Berlin"]),
            (
                "month:29",
                &[
                    "*-01,03..12-29 07:05:00 Europe/Berlin",
                    "*-02~01 07:05:00 Europe/Berlin",
                ],
            ),
            (
                "month:30",
                &[
                    "*-01,03..12-30 07:05:00 Europe/Berlin",
                    "*-02~01 07:05:00 Europe/Berlin",
                ],
            ),
            ("month:31", &["*-*~01 07:05:00 Europe/Berlin"]),
        ];
        for (every, want) in cases {
            s.every = Every::parse(every).unwrap();
            assert_eq!(calendar_expressions(&s), *want, "{every}");
        }
    }
}
