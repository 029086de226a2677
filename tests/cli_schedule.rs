//! `genesys-export-cli schedule add|list|remove` and `run-scheduled` as
//! processes: the systemd user units are written into a private
//! `XDG_CONFIG_HOME` (no user manager is reachable here, so the timer is
//! enabled offline and the CLI says so), verified by `systemd-analyze verify`,
//! removed with the schedule; `run-scheduled` exports the profile into the
//! schedule's folder against the emulator, records the history and the last
//! run, and a connection that cannot sign in exits 3 with a plain message.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use genesys_core::export::Format;
use genesys_core::profiles::{Connection, DateRange, Store};
use genesys_core::secrets::{MemoryStore, Secret};
use genesys_sim::{Sim, SimConfig};
use serde_json::{json, Value};
use test_support::cli::cli_command;

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");
const SECRET: &str = "schedule-test-secret";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for d in ["config", "data", "xdg", "out"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Self { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn unit_dir(&self) -> PathBuf {
        self.path("xdg/systemd/user")
    }

    /// A connection to `base_url` and a CSV profile "Sales daily" of 2 – 3 January 2026 (UTC).
    fn profile(&self, base_url: &str, demo: bool) {
        let (mut store, _) = Store::open(self.path("config"));
        let conn_id = if demo {
            store.ensure_demo(base_url).unwrap().0.id
        } else {
            store
                .save_connection(
                    Connection {
                        id: uuid::Uuid::new_v4(),
                        name: "Emulator".into(),
                        environment: base_url.into(),
                        client_id: "schedule-test".into(),
                        is_demo: false,
                    },
                    Some(&Secret::new(SECRET)),
                    &MemoryStore::new(),
                )
                .unwrap()
                .id
        };
        let mut p = store.new_profile(conn_id);
        p.name = if demo {
            "Demo sched".into()
        } else {
            "Sales daily".into()
        };
        p.time_zone = "UTC".into();
        p.export.time_zone = "UTC".into();
        p.export.format = Format::Csv;
        p.range = DateRange::Fixed {
            from: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 1, 3).unwrap(),
        };
        store.save_profile(p).unwrap();
    }

    fn command(&self, args: &[&str], secret: Option<&str>) -> std::process::Command {
        let mut cmd = cli_command(CLI, &self.path("config"), &self.path("data"));
        cmd.args(args)
            // Never the real ~/.config/systemd/user, never the real user manager.
            .env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        if let Some(s) = secret {
            cmd.env("GENESYS_CLIENT_SECRET", s);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args, None)
            .output()
            .expect("run genesys-export-cli")
    }

    async fn run_async(&self, args: &[&str], secret: Option<&str>) -> Output {
        let cmd = tokio::process::Command::from(self.command(args, secret));
        let mut cmd = cmd;
        tokio::time::timeout(Duration::from_secs(180), cmd.output())
            .await
            .expect("the CLI ends within 3 minutes")
            .expect("run genesys-export-cli")
    }

    fn add(&self, every: &str) -> (Output, String) {
        self.add_at(every, "07:00")
    }

    fn add_at(&self, every: &str, at: &str) -> (Output, String) {
        let out = self.path("out");
        let o = self.run(&[
            "schedule",
            "add",
            "--profile",
            "sales DAILY",
            "--every",
            every,
            "--at",
            at,
            "--folder",
            out.to_str().unwrap(),
            "--time-zone",
            "Europe/Berlin",
        ]);
        let id = text(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Schedule id: "))
            .unwrap_or_default()
            .to_string();
        (o, id)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn systemd_analyze_verify(env: &Env, files: &[PathBuf]) -> Output {
    std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg("--user")
        .args(files)
        .env("XDG_CONFIG_HOME", env.path("xdg"))
        .env("XDG_RUNTIME_DIR", env.path("run"))
        .output()
        .expect("systemd-analyze is installed")
}

#[test]
fn schedule_add_list_remove_writes_verifies_and_removes_the_systemd_units() {
    let env = Env::new();
    env.profile("http://127.0.0.1:9", false);
    let (o, id) = env.add("week:mon");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("Scheduled \"Sales daily\" every Monday at 07:00 (Europe/Berlin)"),
        "{stdout}"
    );
    assert!(stdout.contains("Next run: "), "{stdout}");
    // No user manager here: said plainly, and the timer is enabled for the next login.
    assert!(
        text(&o.stderr).contains("systemd for your user is not running here"),
        "{}",
        text(&o.stderr)
    );
    let unit = format!("genesys-export-schedule-{id}");
    let timer = env.unit_dir().join(format!("{unit}.timer"));
    let service = env.unit_dir().join(format!("{unit}.service"));
    let wants = env
        .unit_dir()
        .join("timers.target.wants")
        .join(format!("{unit}.timer"));
    assert!(timer.is_file() && service.is_file(), "unit files written");
    assert!(wants.symlink_metadata().is_ok(), "timer enabled offline");
    let timer_text = std::fs::read_to_string(&timer).unwrap();
    assert!(
        timer_text.contains("OnCalendar=Mon *-*-* 07:00:00 Europe/Berlin\n"),
        "{timer_text}"
    );
    assert!(timer_text.contains("Persistent=true\n"), "{timer_text}");
    let service_text = std::fs::read_to_string(&service).unwrap();
    assert!(
        service_text.contains(&format!("\"{CLI}\" \"--config-dir\"")),
        "{service_text}"
    );
    assert!(
        service_text.contains(&format!("\"run-scheduled\" \"--schedule\" \"{id}\"")),
        "{service_text}"
    );

    let v = systemd_analyze_verify(&env, &[timer.clone(), service.clone()]);
    assert!(
        v.status.success(),
        "systemd-analyze verify: {}{}",
        text(&v.stdout),
        text(&v.stderr)
    );
    assert!(!text(&v.stderr).contains(&unit), "{}", text(&v.stderr));

    let o = env.run(&["schedule", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let list = text(&o.stdout);
    assert!(
        list.contains(&id[..8])
            && list.contains("Sales daily")
            && list.contains("week:mon at 07:00"),
        "{list}"
    );
    assert!(list.contains("never"), "{list}");

    // Remove by the short id `list` shows.
    let o = env.run(&["schedule", "remove", &id[..8]]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!timer.exists() && !service.exists(), "unit files removed");
    assert!(wants.symlink_metadata().is_err(), "enable link removed");
    let o = env.run(&["schedule", "list"]);
    assert!(
        text(&o.stdout).contains("No schedules"),
        "{}",
        text(&o.stdout)
    );
    let o = env.run(&["schedule", "remove", &id[..8]]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

#[test]
fn schedule_add_rejects_bad_input_with_plain_messages_and_writes_nothing() {
    let env = Env::new();
    env.profile("http://127.0.0.1:9", false);
    let out = env.path("out");
    let missing = env.path("no such folder");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--every",
                "fortnightly",
                "--at",
                "07:00",
                "--folder",
                out.to_str().unwrap(),
            ],
            "is not a schedule",
        ),
        (
            &[
                "--every",
                "month:32",
                "--at",
                "07:00",
                "--folder",
                out.to_str().unwrap(),
            ],
            "1 to 31",
        ),
        (
            &[
                "--every",
                "day",
                "--at",
                "7pm",
                "--folder",
                out.to_str().unwrap(),
            ],
            "HH:MM",
        ),
        (
            &[
                "--every",
                "day",
                "--at",
                "24:00",
                "--folder",
                out.to_str().unwrap(),
            ],
            "HH:MM",
        ),
        (
            &[
                "--every",
                "day",
                "--at",
                "07:00",
                "--folder",
                missing.to_str().unwrap(),
            ],
            "does not exist",
        ),
        (
            &[
                "--every",
                "day",
                "--at",
                "07:00",
                "--folder",
                out.to_str().unwrap(),
                "--time-zone",
                "Mars/Base",
            ],
            "is not a time zone",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["schedule", "add", "--profile", "Sales daily"];
        args.extend_from_slice(extra);
        let o = env.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(expected),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    // The demo organization only exists while the app is open.
    env.profile("http://127.0.0.1:9", true);
    let o = env.run(&[
        "schedule",
        "add",
        "--profile",
        "Demo sched",
        "--every",
        "day",
        "--at",
        "07:00",
        "--folder",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("demo organization"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        !env.unit_dir().exists() || std::fs::read_dir(env.unit_dir()).unwrap().next().is_none()
    );
    assert!(!env.path("config/schedules.json").exists());
    // Exporting it from the command line says what to do instead (#19).
    let o = env.run(&[
        "export",
        "--profile",
        "Demo sched",
        "--output",
        out.join("demo.csv").to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    let said = text(&o.stderr);
    for part in [
        "demo organization",
        "Start the app",
        "genesys-sim --port 8089",
        "--environment http://127.0.0.1:8089",
        "--client-id demo-client",
        "GENESYS_CLIENT_SECRET",
    ] {
        assert!(said.contains(part), "{part:?} in {said}");
    }
}

fn sim_config() -> SimConfig {
    SimConfig {
        client_id: "schedule-test".into(),
        client_secret: SECRET.into(),
        conversations: 1_500,
        seed: 21,
        start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        days: 4,
        job_delays: Duration::from_millis(50),
        rate_limit: None,
        ..SimConfig::default()
    }
}

fn csv_ids(path: &Path) -> Vec<String> {
    test_support::csv::Table::read(path).column("Conversation ID")
}

fn last_run(env: &Env) -> Value {
    let v: Value =
        serde_json::from_slice(&std::fs::read(env.path("config/schedules.json")).unwrap()).unwrap();
    v["schedules"][0]["lastRun"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_scheduled_exports_the_profile_into_the_folder_and_records_the_run() {
    let sim = Sim::start(sim_config()).await.unwrap();
    let env = Env::new();
    env.profile(&sim.base_url(), false);
    // Twelve hours from now: the `--if-due` check below must not fall within
    // the early tolerance of the next run (at 07:00 it failed every day
    // between 04:30 and 06:00 UTC).
    let at = (Utc::now().with_timezone(&chrono_tz::Europe::Berlin) + chrono::Duration::hours(12))
        .format("%H:%M")
        .to_string();
    let (o, id) = env.add_at("day", &at);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let o = env
        .run_async(&["run-scheduled", "--schedule", &id], Some(SECRET))
        .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let file = env
        .path("out")
        .join("Sales daily 2026-01-02–2026-01-03.csv");
    assert!(
        file.is_file(),
        "{:?}",
        std::fs::read_dir(env.path("out"))
            .unwrap()
            .collect::<Vec<_>>()
    );
    let got = csv_ids(&file);
    let truth = sim.dataset().ground_truth(
        Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 1, 4, 0, 0, 0).unwrap(),
        &json!({}),
    );
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no duplicates");
    assert_eq!(
        unique,
        truth.iter().collect::<HashSet<_>>(),
        "the file holds the ground truth"
    );
    assert!(
        text(&o.stdout).contains(&format!("Exported {} conversations", truth.len())),
        "{}",
        text(&o.stdout)
    );

    let last = last_run(&env);
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["conversations"], truth.len() as u64, "{last}");
    assert_eq!(last["file"], file.to_str().unwrap(), "{last}");
    let history: Value =
        serde_json::from_slice(&std::fs::read(env.path("data/history.json")).unwrap()).unwrap();
    let entry = &history["runs"][0];
    assert_eq!(entry["status"], "done", "{entry}");
    assert_eq!(
        entry["runId"], last["runId"],
        "the history and the schedule name the same run"
    );
    let o = env.run(&["schedule", "list"]);
    assert!(
        text(&o.stdout).contains(&format!("done: {} conversations", truth.len())),
        "{}",
        text(&o.stdout)
    );

    // A second run of the same period replaces the file (same name), it does not fail.
    let o = env
        .run_async(
            &["run-scheduled", "--schedule", &id, "--quiet"],
            Some(SECRET),
        )
        .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(csv_ids(&file).len(), got.len());

    // --if-due right after a run: not due, nothing runs.
    let o = env
        .run_async(
            &["run-scheduled", "--schedule", &id, "--if-due"],
            Some(SECRET),
        )
        .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Not due"), "{}", text(&o.stdout));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_scheduled_that_cannot_sign_in_exits_3_says_so_and_records_it() {
    let sim = Sim::start(sim_config()).await.unwrap();
    let env = Env::new();
    env.profile(&sim.base_url(), false);
    let (o, id) = env.add("weekdays");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = env
        .run_async(
            &["run-scheduled", "--schedule", &id],
            Some("not-the-secret"),
        )
        .await;
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("could not sign in to Genesys Cloud"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-secret"),
        "the secret is never printed"
    );
    let last = last_run(&env);
    assert_eq!(last["status"], "failed", "{last}");
    assert_eq!(last["errorKind"], "auth", "{last}");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("could not sign in"),
        "{last}"
    );
    assert!(
        std::fs::read_dir(env.path("out")).unwrap().next().is_none(),
        "no file left behind"
    );
    let o = env.run(&["schedule", "list"]);
    assert!(
        text(&o.stdout)
            .contains("failed: The scheduled export of \"Sales daily\" could not sign in"),
        "{}",
        text(&o.stdout)
    );

    // An OS entry whose schedule is gone removes itself and says so (exit 2).
    let o = env.run(&["schedule", "remove", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = env
        .run_async(&["run-scheduled", "--schedule", &id], Some(SECRET))
        .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("no schedule"),
        "{}",
        text(&o.stderr)
    );
    sim.shutdown().await;
}

#[test]
fn a_run_killed_midway_is_listed_as_interrupted() {
    let env = Env::new();
    env.profile("http://127.0.0.1:9", false);
    let (o, id) = env.add("day");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // What a run killed with SIGKILL leaves: its start recorded, no end, no live run lock.
    let path = env.path("config/schedules.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["schedules"][0]["lastRun"] = json!({
        "runId": "sched-killed",
        "startedAt": "2026-01-05T07:00:00Z",
        "status": "running",
        "conversations": 0,
        "rows": 0
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let o = env.run(&["schedule", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("interrupted (stopped before it ended)"),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stdout).contains(&id[..8]));
}

/// With a reachable user manager (a stand-in `systemctl` on PATH that logs its
/// arguments and succeeds), add reloads and starts the timer, remove stops it,
/// forgets its last-trigger stamp and reloads.
#[test]
fn with_a_user_manager_the_timer_is_started_and_stopped_through_systemctl() {
    let env = Env::new();
    env.profile("http://127.0.0.1:9", false);
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = env.path("systemctl.log");
    let script = bin.join("systemctl");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 0\n", log.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = env.path("out");
    let o = env
        .command(
            &[
                "schedule",
                "add",
                "--profile",
                "Sales daily",
                "--every",
                "month:31",
                "--at",
                "06:00",
                "--folder",
                out.to_str().unwrap(),
            ],
            None,
        )
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        !text(&o.stderr).contains("not running"),
        "no note when the manager answers: {}",
        text(&o.stderr)
    );
    let id = text(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Schedule id: "))
        .unwrap()
        .to_string();
    let timer = format!("genesys-export-schedule-{id}.timer");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("--user daemon-reload\n--user enable --now {timer}\n")
    );
    std::fs::remove_file(&log).unwrap();
    let o = env
        .command(&["schedule", "remove", &id], None)
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("--user disable --now {timer}\n--user clean --what=state {timer}\n--user daemon-reload\n")
    );
    assert!(!env.unit_dir().join(&timer).exists());
}
