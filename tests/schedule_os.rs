//! The Linux scheduler entries checked by systemd itself:
//! `systemd-analyze calendar` gives the same next runs as our rule for each
//! kind of schedule (DST changes, month ends and leap years included), the
//! generated units pass `systemd-analyze verify` (also with a program path
//! that needs quoting), and deleting a profile removes its schedules and
//! their unit files. Runs without a user manager: `XDG_RUNTIME_DIR` is a
//! private 0700 folder and `XDG_CONFIG_HOME` a temp folder.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use genesys_core::profiles::{Connection, Store};
use genesys_core::schedule::os::systemd;
use genesys_core::schedule::{
    self, next, Entry, Every, Launcher, Schedule, ScheduleStore, TimeOfDay,
};
use genesys_core::secrets::{MemoryStore, Secret};
use uuid::Uuid;

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");

/// One private folder for this test process: `XDG_CONFIG_HOME` and a 0700
/// `XDG_RUNTIME_DIR` (so no real user manager is ever touched). Set once,
/// before any test reads the environment.
fn private_env() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let run = dir.join("run");
        std::fs::create_dir_all(&run).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::create_dir_all(dir.join("xdg")).unwrap();
        std::env::set_var("XDG_CONFIG_HOME", dir.join("xdg"));
        std::env::set_var("XDG_RUNTIME_DIR", &run);
        std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
        dir
    })
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn schedule(every: &str, at: &str, zone: &str) -> Schedule {
    Schedule {
        id: Uuid::from_u128(0x5eed),
        profile_id: Uuid::from_u128(1),
        every: Every::parse(every).unwrap(),
        at: TimeOfDay::parse(at).unwrap(),
        time_zone: zone.into(),
        folder: "/tmp".into(),
        created_at: Utc::now(),
        last_run: None,
    }
}

/// The elapses `systemd-analyze calendar` prints for each expression, merged.
fn systemd_elapses(exprs: &[String], base: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    let out = Command::new("systemd-analyze")
        .arg("calendar")
        .arg(format!("--iterations={n}"))
        .arg(format!(
            "--base-time={}",
            base.format("%Y-%m-%d %H:%M:%S UTC")
        ))
        .args(exprs)
        .env("TZ", "UTC")
        .env("XDG_RUNTIME_DIR", private_env().join("run"))
        .output()
        .expect("systemd-analyze is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{exprs:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all: Vec<DateTime<Utc>> = stdout
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("Next elapse: ").or_else(|| {
                l.strip_prefix("Iter. #")
                    .and_then(|r| r.split_once(": ").map(|(_, t)| t))
            })?;
            // "Mon 2026-03-30 05:00:00 UTC"
            let stamp = rest.split_once(' ')?.1.strip_suffix(" UTC")?;
            NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| Utc.from_utc_datetime(&t))
        })
        .collect();
    all.sort();
    all.dedup();
    all.truncate(n);
    all
}

#[test]
fn systemd_calendar_agrees_with_the_next_run_rule_for_each_kind() {
    let cases: &[(&str, &str, &str, &str, usize)] = &[
        ("day", "07:00", "Europe/Berlin", "2026-03-25T12:00:00Z", 8),
        // 02:30 does not exist on 29 March (Berlin): systemd alone would skip that day.
        ("day", "02:30", "Europe/Berlin", "2026-03-25T12:00:00Z", 8),
        // ... and happens twice on 25 October: once.
        ("day", "02:30", "Europe/Berlin", "2026-10-22T12:00:00Z", 6),
        (
            "day",
            "02:15",
            "America/New_York",
            "2027-03-10T12:00:00Z",
            5,
        ),
        (
            "weekdays",
            "07:00",
            "Europe/London",
            "2026-10-21T12:00:00Z",
            10,
        ),
        (
            "week:mon",
            "07:00",
            "Europe/Berlin",
            "2026-03-20T12:00:00Z",
            6,
        ),
        (
            "week:sun",
            "02:30",
            "Europe/Berlin",
            "2027-03-01T12:00:00Z",
            6,
        ),
        (
            "week:fri",
            "18:45",
            "Asia/Kolkata",
            "2026-12-01T00:00:00Z",
            4,
        ),
        (
            "month:1",
            "06:00",
            "America/Sao_Paulo",
            "2026-01-15T00:00:00Z",
            14,
        ),
        (
            "month:15",
            "00:00",
            "Australia/Sydney",
            "2026-01-20T00:00:00Z",
            12,
        ),
        ("month:29", "07:00", "UTC", "2027-01-01T00:00:00Z", 14),
        (
            "month:30",
            "07:00",
            "Europe/Berlin",
            "2027-12-01T00:00:00Z",
            14,
        ),
        (
            "month:31",
            "23:30",
            "America/New_York",
            "2027-12-01T00:00:00Z",
            14,
        ),
        ("month:31", "07:00", "UTC", "2028-01-15T00:00:00Z", 3),
    ];
    for (every, at, zone, base, n) in cases {
        let s = schedule(every, at, zone);
        let tz: Tz = zone.parse().unwrap();
        let base = utc(base);
        let mut exprs = systemd::calendar_expressions(&s);
        exprs.extend(systemd::gap_expressions(&s, tz, base));
        let ours = next::next_runs(s.every, s.at, tz, base, *n);
        assert_eq!(ours.len(), *n);
        assert_eq!(
            systemd_elapses(&exprs, base, *n),
            ours,
            "{every} at {at} {zone} from {base}: {exprs:?}"
        );
    }
}

fn launcher(program: &Path, root: &Path) -> Launcher {
    Launcher {
        program: program.to_path_buf(),
        config_dir: root.join("config 100% $HOME"),
        data_dir: root.join("data"),
    }
}

#[test]
fn generated_units_pass_systemd_analyze_verify_for_each_kind() {
    let root = private_env();
    let dir = tempfile::tempdir().unwrap();
    // A program path that needs quoting (space, %, $).
    let odd = dir.path().join("Genesys Export 100% $x");
    std::fs::create_dir_all(&odd).unwrap();
    let program = odd.join("genesys-export-cli");
    std::os::unix::fs::symlink(CLI, &program).unwrap();
    for (i, every) in [
        "day", "weekdays", "week:sat", "month:7", "month:30", "month:31",
    ]
    .iter()
    .enumerate()
    {
        let mut s = schedule(every, "02:30", "Europe/Berlin");
        s.id = Uuid::from_u128(100 + i as u128);
        let l = launcher(if i % 2 == 0 { Path::new(CLI) } else { &program }, root);
        let entry = Entry {
            schedule: &s,
            profile_name: "Sales \"EMEA\" 50% $weekly",
            launcher: &l,
            now: utc("2026-01-10T00:00:00Z"),
        };
        let units = dir.path().join(format!("units-{i}"));
        std::fs::create_dir_all(&units).unwrap();
        let [timer, service] = systemd::unit_files(&units, s.id);
        std::fs::write(&timer, systemd::timer_unit(entry).unwrap()).unwrap();
        std::fs::write(&service, systemd::service_unit(entry).unwrap()).unwrap();
        let out = Command::new("systemd-analyze")
            .args(["verify", "--user"])
            .arg(&timer)
            .arg(&service)
            .env("XDG_RUNTIME_DIR", root.join("run"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{every}: {stderr}");
        assert!(
            !stderr.contains("genesys-export-schedule"),
            "{every}: {stderr}"
        );
    }
}

#[test]
fn deleting_a_profile_removes_its_schedules_and_their_systemd_units() {
    let root = private_env();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let (mut store, _) = Store::open(&config);
    let conn = store
        .save_connection(
            Connection {
                id: Uuid::new_v4(),
                name: "Prod".into(),
                environment: "mypurecloud.ie".into(),
                client_id: "abc".into(),
                is_demo: false,
            },
            Some(&Secret::new("s")),
            &MemoryStore::new(),
        )
        .unwrap();
    let mut ids = Vec::new();
    for name in ["Gone", "Kept"] {
        let mut p = store.new_profile(conn.id);
        p.name = name.into();
        ids.push(store.save_profile(p).unwrap().id);
    }
    let schedules = ScheduleStore::new(&config);
    let os = schedule::OsScheduler::for_this_user().unwrap();
    assert_eq!(
        os.dir,
        root.join("xdg/systemd/user"),
        "XDG_CONFIG_HOME is honoured"
    );
    let l = launcher(Path::new(CLI), dir.path());
    let mut made = Vec::new();
    for (profile_id, every) in [(ids[0], "day"), (ids[0], "month:31"), (ids[1], "weekdays")] {
        let added = schedule::add(
            &store,
            &schedules,
            &os,
            &l,
            schedule::NewSchedule {
                profile_id,
                every: every.into(),
                at: "06:30".into(),
                folder: dir.path().to_path_buf(),
                time_zone: Some("Europe/Dublin".into()),
            },
            Utc::now(),
        )
        .unwrap();
        assert!(added
            .installed
            .note
            .as_deref()
            .unwrap_or("")
            .contains("not running here"));
        made.push(added.schedule);
    }
    for s in &made {
        assert!(
            os.entry_files(s.id).iter().all(|f| f.is_file()),
            "units of {} written",
            s.every
        );
    }

    store.delete_profile(ids[0]).unwrap();

    let left = schedules.list().unwrap();
    assert_eq!(
        left.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![made[2].id]
    );
    for s in &made[..2] {
        assert!(
            os.entry_files(s.id).iter().all(|f| !f.exists()),
            "units of {} removed",
            s.every
        );
        let link = os
            .dir
            .join("timers.target.wants")
            .join(format!("{}.timer", systemd::unit_name(s.id)));
        assert!(
            link.symlink_metadata().is_err(),
            "enable link of {} removed",
            s.every
        );
    }
    assert!(
        os.entry_files(made[2].id).iter().all(|f| f.is_file()),
        "the other profile's schedule is kept"
    );
    schedule::remove(&schedules, &os, &made[2].id.to_string()).unwrap();
    assert!(os.entry_files(made[2].id).iter().all(|f| !f.exists()));
}
