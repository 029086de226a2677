//! What the schedule generators write for each OS, compared with golden files
//! in `tests/golden/schedule/` (`UPDATE_GOLDEN=1` rewrites them), and checked
//! by real parsers, on every OS:
//! - the Task Scheduler XML with `quick-xml` against the structure of the Task
//!   Scheduler schema (MS-TSCH §2.5; no XSD is available offline): required
//!   elements, element order where the schema has a sequence, allowed values;
//! - the launchd plist with the `plist` crate: it parses, has the keys launchd
//!   needs with the right types, and round-trips.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use genesys_core::schedule::os::{launchd, systemd, task_xml};
use genesys_core::schedule::{Entry, Every, Launcher, Schedule, TimeOfDay};
use quick_xml::events::Event;
use uuid::Uuid;

const NOW: &str = "2026-12-01T09:30:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

fn schedule(n: u128, every: &str, at: &str, zone: &str) -> Schedule {
    Schedule {
        id: Uuid::from_u128(0xabcd_0000 + n),
        profile_id: Uuid::from_u128(1),
        every: Every::parse(every).unwrap(),
        at: TimeOfDay::parse(at).unwrap(),
        time_zone: zone.into(),
        folder: "/srv/reports".into(),
        created_at: now(),
        last_run: None,
    }
}

/// The schedules the golden files are made from.
fn cases() -> Vec<(&'static str, Schedule)> {
    vec![
        ("day", schedule(1, "day", "02:30", "Europe/Berlin")),
        (
            "weekdays",
            schedule(2, "weekdays", "07:00", "America/New_York"),
        ),
        (
            "week-mon",
            schedule(3, "week:mon", "07:00", "Europe/London"),
        ),
        ("month-1", schedule(4, "month:1", "06:15", "UTC")),
        ("month-30", schedule(5, "month:30", "18:00", "Europe/Paris")),
        (
            "month-31",
            schedule(6, "month:31", "23:45", "Australia/Sydney"),
        ),
    ]
}

fn unix_launcher() -> Launcher {
    Launcher {
        program: "/usr/bin/genesys-export-cli".into(),
        config_dir: "/home/supervisor/.config/com.genesysexport.desktop".into(),
        data_dir: "/home/supervisor/.local/share/com.genesysexport.desktop".into(),
    }
}

fn windows_launcher() -> Launcher {
    Launcher {
        program: r"C:\Program Files\Genesys Export\genesys-export-cli.exe".into(),
        config_dir: r"C:\Users\Supervisor\AppData\Roaming\com.genesysexport.desktop".into(),
        data_dir: r"C:\Users\Supervisor\AppData\Local\com.genesysexport.desktop".into(),
    }
}

const PROFILE: &str = "Sales & Service \"EMEA\" <daily>";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/schedule")
}

/// Compare with (or, with UPDATE_GOLDEN=1, write) a golden file.
fn golden(name: &str, got: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        got, want,
        "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review)"
    );
}

#[test]
fn systemd_units_match_their_golden_files() {
    let l = unix_launcher();
    for (name, s) in cases() {
        let e = Entry {
            schedule: &s,
            profile_name: PROFILE,
            launcher: &l,
            now: now(),
        };
        golden(&format!("{name}.timer"), &systemd::timer_unit(e).unwrap());
        golden(
            &format!("{name}.service"),
            &systemd::service_unit(e).unwrap(),
        );
    }
}

// ----- Task Scheduler XML ---------------------------------------------------

/// A small element tree from quick-xml events.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> &Node {
        let found: Vec<&Node> = self.children.iter().filter(|c| c.name == name).collect();
        assert_eq!(found.len(), 1, "<{}> needs exactly one <{name}>", self.name);
        found[0]
    }
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

fn parse_xml(xml: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let mut saw_decl = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(d) => {
                saw_decl = true;
                let enc = d.encoding().expect("an encoding").unwrap();
                assert_eq!(&*enc, "UTF-16", "declared UTF-16, as written by install");
            }
            Event::Start(e) => {
                let mut n = Node {
                    name: e.name().as_ref().to_string(),
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.unwrap();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap();
                    n.attrs
                        .insert(a.key.as_ref().to_string(), value.into_owned());
                }
                stack.push(n);
            }
            Event::Empty(e) => {
                let n = Node {
                    name: e.name().as_ref().to_string(),
                    ..Node::default()
                };
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            // Entities arrive as their own events.
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c,
                    None => match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity &{other};"),
                    },
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::End(_) => {
                let mut n = stack.pop().unwrap();
                n.text = n.text.trim().to_string();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(saw_decl, "an XML declaration");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.remove(0)
}

/// Split a Windows command line the way `CommandLineToArgvW` does (enough for quoted words).
fn split_windows_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while i < chars.len() && (quoted || chars[i] != ' ') {
            let mut slashes = 0;
            while i < chars.len() && chars[i] == '\\' {
                slashes += 1;
                i += 1;
            }
            if i < chars.len() && chars[i] == '"' {
                arg.extend(std::iter::repeat_n('\\', slashes / 2));
                if slashes % 2 == 1 {
                    arg.push('"');
                } else {
                    quoted = !quoted;
                }
                i += 1;
            } else {
                arg.extend(std::iter::repeat_n('\\', slashes));
                if i < chars.len() && (quoted || chars[i] != ' ') {
                    arg.push(chars[i]);
                    i += 1;
                }
            }
        }
        args.push(arg);
    }
    args
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
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The structure the Task Scheduler schema requires of what we write.
fn check_task(task: &Node, s: &Schedule, launcher: &Launcher) {
    assert_eq!(task.name, "Task");
    assert_eq!(
        task.attrs["xmlns"],
        "http://schemas.microsoft.com/windows/2004/02/mit/task"
    );
    assert_eq!(task.attrs["version"], "1.2");
    // taskType is xs:all of these, Actions required.
    for n in task.names() {
        assert!(
            [
                "RegistrationInfo",
                "Triggers",
                "Settings",
                "Data",
                "Principals",
                "Actions"
            ]
            .contains(&n),
            "unknown <{n}>"
        );
    }
    let info = task.child("RegistrationInfo");
    assert!(info.child("Description").text.contains(&s.id.to_string()));
    assert_eq!(
        info.child("URI").text,
        format!("\\Genesys Export\\{}", s.id)
    );

    let triggers = task.child("Triggers");
    assert!(!triggers.children.is_empty());
    let mut covered_months: Vec<(String, String)> = Vec::new();
    for t in &triggers.children {
        assert_eq!(t.name, "CalendarTrigger");
        // triggerBaseType is a sequence (Enabled, StartBoundary, …), then the schedule choice.
        assert_eq!(t.names().len(), 3, "{:?}", t.names());
        assert_eq!(&t.names()[..2], ["Enabled", "StartBoundary"]);
        assert_eq!(t.child("Enabled").text, "true");
        let start = &t.child("StartBoundary").text;
        let parsed = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S")
            .unwrap_or_else(|e| panic!("StartBoundary {start}: {e}"));
        assert_eq!(parsed.time(), s.at.naive(), "local time of day, no offset");
        let sched = &t.children[2];
        match s.every {
            Every::Day => {
                assert_eq!(sched.name, "ScheduleByDay");
                assert_eq!(sched.child("DaysInterval").text, "1");
            }
            Every::Weekdays | Every::Week(_) => {
                assert_eq!(sched.name, "ScheduleByWeek");
                let weeks: u8 = sched.child("WeeksInterval").text.parse().unwrap();
                assert!((1..=52).contains(&weeks));
                let days = sched.child("DaysOfWeek").names();
                assert!(days.iter().all(|d| DAYS.contains(d)), "{days:?}");
                let want: Vec<&str> = match s.every {
                    Every::Weekdays => DAYS[..5].to_vec(),
                    Every::Week(d) => vec![DAYS[d.num_days_from_monday() as usize]],
                    _ => unreachable!(),
                };
                assert_eq!(days, want);
            }
            Every::Month(_) => {
                assert_eq!(sched.name, "ScheduleByMonth");
                let day = &sched.child("DaysOfMonth").child("Day").text;
                // dayOfMonthType: [1-9]|[1-2][0-9]|3[0-1]|Last
                assert!(
                    day == "Last" || day.parse::<u8>().is_ok_and(|n| (1..=31).contains(&n)),
                    "{day}"
                );
                let months = sched.child("Months").names();
                assert!(months.iter().all(|m| MONTHS.contains(m)), "{months:?}");
                for m in months {
                    covered_months.push((m.to_string(), day.clone()));
                }
            }
        }
    }
    if let Every::Month(d) = s.every {
        // Every month exactly once, on the right day: d, or Last where d does not exist.
        covered_months.sort();
        assert_eq!(covered_months.len(), 12, "{covered_months:?}");
        for (m, day) in &covered_months {
            let want = if d == 31 || (d >= 29 && m == "February") {
                "Last".to_string()
            } else {
                d.to_string()
            };
            assert_eq!(day, &want, "{m}");
        }
    }

    let principal = task.child("Principals").child("Principal");
    assert_eq!(principal.attrs["id"], "Author");
    assert!(["S4U", "Password", "InteractiveToken"]
        .contains(&principal.child("LogonType").text.as_str()));
    assert_eq!(principal.child("RunLevel").text, "LeastPrivilege");

    let settings = task.child("Settings");
    let allowed = [
        "AllowStartOnDemand",
        "RestartOnFailure",
        "MultipleInstancesPolicy",
        "DisallowStartIfOnBatteries",
        "StopIfGoingOnBatteries",
        "AllowHardTerminate",
        "StartWhenAvailable",
        "NetworkProfileName",
        "RunOnlyIfNetworkAvailable",
        "WakeToRun",
        "Enabled",
        "Hidden",
        "DeleteExpiredTaskAfter",
        "IdleSettings",
        "NetworkSettings",
        "ExecutionTimeLimit",
        "Priority",
        "RunOnlyIfIdle",
    ];
    for n in settings.names() {
        assert!(allowed.contains(&n), "<Settings> has unknown <{n}>");
    }
    assert_eq!(
        settings.child("StartWhenAvailable").text,
        "true",
        "a missed start runs when possible"
    );
    assert_eq!(settings.child("MultipleInstancesPolicy").text, "IgnoreNew");
    for b in [
        "DisallowStartIfOnBatteries",
        "StopIfGoingOnBatteries",
        "Enabled",
        "Hidden",
        "AllowStartOnDemand",
    ] {
        assert!(
            ["true", "false"].contains(&settings.child(b).text.as_str()),
            "{b}"
        );
    }

    let actions = task.child("Actions");
    assert_eq!(
        actions.attrs["Context"], "Author",
        "the action runs as the principal"
    );
    let exec = actions.child("Exec");
    assert_eq!(
        exec.child("Command").text,
        launcher.program.to_str().unwrap()
    );
    assert_eq!(
        split_windows_args(&exec.child("Arguments").text),
        launcher.args(s.id, false)
    );
}

#[test]
fn task_scheduler_xml_matches_its_golden_files_and_the_schema_structure() {
    let l = windows_launcher();
    for (name, mut s) in cases() {
        s.folder = r"C:\Users\Supervisor\OneDrive - Contoso\Reports".into();
        let e = Entry {
            schedule: &s,
            profile_name: PROFILE,
            launcher: &l,
            now: now(),
        };
        let xml = task_xml::task_xml(e);
        golden(&format!("{name}.task.xml"), &xml);
        let task = parse_xml(&xml);
        check_task(&task, &s, &l);
        assert!(
            task.child("RegistrationInfo")
                .child("Description")
                .text
                .contains(PROFILE),
            "escaped and read back"
        );
        // What install writes: UTF-16LE with a BOM, the same text.
        let bytes = task_xml::utf16_with_bom(&xml);
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(String::from_utf16(&units).unwrap(), xml);
    }
}

// ----- launchd plist --------------------------------------------------------

#[test]
fn launchd_plists_match_their_golden_files_parse_and_round_trip() {
    let l = unix_launcher();
    for (name, s) in cases() {
        let e = Entry {
            schedule: &s,
            profile_name: PROFILE,
            launcher: &l,
            now: now(),
        };
        let text = launchd::plist(e);
        golden(&format!("{name}.plist"), &text);
        let value = plist::Value::from_reader_xml(text.as_bytes()).expect("a valid plist");
        let dict = value.as_dictionary().expect("a dictionary at the top");
        assert_eq!(
            dict["Label"].as_string(),
            Some(launchd::label(s.id).as_str())
        );
        let argv: Vec<&str> = dict["ProgramArguments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_string().unwrap())
            .collect();
        let mut want = vec![l.program.to_str().unwrap().to_string()];
        want.extend(l.args(s.id, true));
        assert_eq!(argv, want, "the agent runs run-scheduled --if-due");
        assert_eq!(dict["RunAtLoad"].as_boolean(), Some(false));
        let intervals = dict["StartCalendarInterval"].as_array().unwrap();
        let mut days_by_month: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for i in intervals {
            let d = i.as_dictionary().unwrap();
            for (k, v) in d {
                assert!(
                    ["Minute", "Hour", "Day", "Weekday", "Month"].contains(&k.as_str()),
                    "{k}"
                );
                assert!(v.as_unsigned_integer().is_some(), "{k} is an integer");
            }
            assert_eq!(
                d["Hour"].as_unsigned_integer(),
                Some(u64::from(s.at.hour()))
            );
            assert_eq!(
                d["Minute"].as_unsigned_integer(),
                Some(u64::from(s.at.minute()))
            );
            if let Some(w) = d.get("Weekday") {
                assert!(w.as_unsigned_integer().unwrap() <= 7);
            }
            if let (Some(m), Some(day)) = (d.get("Month"), d.get("Day")) {
                days_by_month
                    .entry(m.as_unsigned_integer().unwrap())
                    .or_default()
                    .push(day.as_unsigned_integer().unwrap());
            }
        }
        match s.every {
            Every::Day => assert_eq!(intervals.len(), 1),
            Every::Weekdays => assert_eq!(intervals.len(), 5),
            Every::Week(_) => assert_eq!(intervals.len(), 1),
            Every::Month(d) if d <= 28 => assert_eq!(intervals.len(), 1),
            Every::Month(d) => {
                assert_eq!(days_by_month.len(), 12, "each month listed");
                assert_eq!(
                    days_by_month[&2],
                    vec![28, 29],
                    "February on both days (run-scheduled --if-due picks)"
                );
                assert_eq!(days_by_month[&4], vec![u64::from(d.min(30))]);
                assert_eq!(days_by_month[&1], vec![u64::from(d)]);
            }
        }
        // Round trip: written back by the plist crate and read again, the same value.
        let mut again = Vec::new();
        plist::to_writer_xml(&mut again, &value).unwrap();
        assert_eq!(
            plist::Value::from_reader_xml(again.as_slice()).unwrap(),
            value
        );
    }
}
