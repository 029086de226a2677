//! macOS: a launchd agent in `~/Library/LaunchAgents/<label>.plist`, loaded
//! with `launchctl bootstrap gui/<uid> <plist>` and removed with
//! `launchctl bootout gui/<uid>/<label>`.
//!
//! `StartCalendarInterval` is an array of dictionaries with `Minute`, `Hour`
//! and optionally `Weekday` (0 and 7 are Sunday), `Day` and `Month`
//! (launchd.plist(5)); launchd runs on this computer's local clock and runs a
//! start missed while the computer slept when it wakes. It cannot say "the
//! last day of February", so `month:29..31` fire on both 28 and 29 February;
//! the agent runs `run-scheduled --if-due`, which skips a wake-up that has no
//! scheduled run since the last one (also the second wake-up launchd may
//! make when clocks go back).
use chrono::Weekday;
use uuid::Uuid;

use super::Entry;
use crate::schedule::model::Every;

/// The agent's label (and file name without `.plist`).
pub fn label(id: Uuid) -> String {
    format!("com.genesysexport.desktop.schedule.{id}")
}

fn escape(text: &str) -> String {
    super::task_xml::xml_escape(text)
}

/// The `StartCalendarInterval` dictionaries as (key, value) lists.
pub fn intervals(every: Every, hour: u8, minute: u8) -> Vec<Vec<(&'static str, u32)>> {
    let time = |mut extra: Vec<(&'static str, u32)>| {
        let mut d = vec![("Hour", u32::from(hour)), ("Minute", u32::from(minute))];
        d.append(&mut extra);
        d
    };
    let weekday = |d: Weekday| d.num_days_from_sunday();
    match every {
        Every::Day => vec![time(vec![])],
        Every::Weekdays => [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(|d| time(vec![("Weekday", weekday(d))]))
        .collect(),
        Every::Week(d) => vec![time(vec![("Weekday", weekday(d))])],
        Every::Month(d) if d <= 28 => vec![time(vec![("Day", u32::from(d))])],
        Every::Month(d) => {
            // Each month's own day (its last when shorter); February on 28 and 29.
            const LENGTHS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let mut out = Vec::new();
            for (i, len) in LENGTHS.iter().enumerate() {
                let month = i as u32 + 1;
                if month == 2 {
                    out.push(time(vec![("Month", 2), ("Day", 28)]));
                    out.push(time(vec![("Month", 2), ("Day", 29)]));
                } else {
                    out.push(time(vec![
                        ("Month", month),
                        ("Day", u32::from(d).min(*len)),
                    ]));
                }
            }
            out
        }
    }
}

/// The agent's property list (XML).
pub fn plist(entry: Entry<'_>) -> String {
    let s = entry.schedule;
    let mut args = vec![entry.launcher.program.to_string_lossy().into_owned()];
    args.extend(entry.launcher.args(s.id, true));
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n<dict>\n",
    );
    text.push_str(&format!(
        "\t<key>Label</key>\n\t<string>{}</string>\n",
        escape(&label(s.id))
    ));
    text.push_str("\t<key>ProgramArguments</key>\n\t<array>\n");
    for a in &args {
        text.push_str(&format!("\t\t<string>{}</string>\n", escape(a)));
    }
    text.push_str("\t</array>\n\t<key>StartCalendarInterval</key>\n\t<array>\n");
    for dict in intervals(s.every, s.at.hour(), s.at.minute()) {
        text.push_str("\t\t<dict>\n");
        for (k, v) in dict {
            text.push_str(&format!(
                "\t\t\t<key>{k}</key>\n\t\t\t<integer>{v}</integer>\n"
            ));
        }
        text.push_str("\t\t</dict>\n");
    }
    text.push_str("\t</array>\n\t<key>RunAtLoad</key>\n\t<false/>\n\t<key>ProcessType</key>\n\t<string>Background</string>\n</dict>\n</plist>\n");
    text
}

#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
fn uid() -> crate::Result<String> {
    match super::run_tool("id", &["-u"]) {
        Ok((true, out)) if !out.is_empty() => Ok(out),
        _ => Err(crate::Error::internal(
            "Could not find your user id (id -u) to register the schedule.",
        )),
    }
}

/// Write and load the agent (macOS; compiled everywhere so it is type-checked, called only on macOS).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn install(dir: &std::path::Path, entry: Entry<'_>) -> crate::Result<super::Installed> {
    let computer = crate::profiles::system_time_zone();
    super::check_local_clock(&entry.schedule.time_zone, &computer)?;
    let path = dir.join(format!("{}.plist", label(entry.schedule.id)));
    super::write_private(&path, &plist(entry))?;
    let uid = uid()?;
    // Replace a loaded older version.
    let _ = super::run_tool(
        "launchctl",
        &[
            "bootout",
            &format!("gui/{uid}/{}", label(entry.schedule.id)),
        ],
    );
    let p = path.to_string_lossy().into_owned();
    match super::run_tool("launchctl", &["bootstrap", &format!("gui/{uid}"), &p]) {
        Ok((true, _)) => Ok(super::Installed {
            files: vec![path],
            note: None,
        }),
        Ok((false, why)) => Err(crate::Error::internal(format!(
            "launchd did not accept the schedule ({}): {why}",
            path.display()
        ))),
        Err(e) => Err(crate::Error::internal(format!(
            "launchctl could not be run: {e}"
        ))),
    }
}

/// Unload and delete the agent (macOS; compiled everywhere, called only on macOS).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn remove(dir: &std::path::Path, id: Uuid) -> crate::Result<Option<String>> {
    let path = dir.join(format!("{}.plist", label(id)));
    if !path.exists() {
        return Ok(None);
    }
    let uid = uid()?;
    let _ = super::run_tool(
        "launchctl",
        &["bootout", &format!("gui/{uid}/{}", label(id))],
    );
    std::fs::remove_file(&path)
        .map_err(|e| crate::Error::io(format!("Could not remove {}", path.display()), &e))?;
    Ok(None)
}
