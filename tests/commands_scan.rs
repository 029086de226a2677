//! Issue #14 acceptance: after a full export, a resume (of an export killed
//! with SIGKILL in another process) and a failed login, the client secret and
//! every access token the emulator issued appear in no file under the config,
//! data, temp, log and output folders, in no progress event and in no command
//! reply. Through the app's commands on the mock runtime, against the emulator
//! on loopback, with the app's real log writer.
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_support::files::files_under;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{invoke, TestApp};
use genesys_core::genesys::Strategy;
use genesys_core::jobs::{self, Context, RunSpec};
use genesys_core::profiles::{DateRange, Store};
use genesys_core::secrets::{MemoryStore, Secret, SecretStore};
use serde_json::{json, Value};

const CLIENT_ID: &str = "scan-client-id";
const KILLED_RUN: &str = "run-scan-killed";

fn sim_config(secret: &str) -> genesys_sim::SimConfig {
    let mut cfg = genesys_sim::SimConfig {
        client_id: CLIENT_ID.into(),
        client_secret: secret.into(),
        conversations: 7_000,
        start: Utc.with_ymd_and_hms(2026, 11, 6, 0, 0, 0).unwrap(),
        days: 14,
        now: Some(Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap()),
        rate_limit: None,
        ..Default::default()
    };
    cfg.faults.latency = Duration::from_millis(15);
    cfg
}

/// The child: the same export as the app's, in another process, until killed.
#[test]
#[ignore = "the child process of the scan test below, which runs it with --ignored"]
fn child_export_until_killed() {
    let root = std::env::var("SCAN_CHILD_ROOT")
        .expect("run as the child of the scan test below (SCAN_CHILD_ROOT names its folder)");
    let root = PathBuf::from(root);
    let conn: String = std::env::var("SCAN_CHILD_CONNECTION").unwrap();
    let profile = uuid::Uuid::parse_str(&std::env::var("SCAN_CHILD_PROFILE").unwrap()).unwrap();
    let keychain = MemoryStore::new();
    keychain
        .set(
            &conn,
            &Secret::new(std::env::var("SCAN_CHILD_SECRET").unwrap()),
        )
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (ctx, _) = Context::open(root.join("config"), root.join("data"), Arc::new(keychain));
        let run = jobs::PlannedRun::new(
            &ctx,
            RunSpec::profile(KILLED_RUN, profile),
            root.join("out/killed.csv"),
        )
        .unwrap();
        let _ = jobs::run_export(
            &ctx,
            run,
            Arc::new(|_| {}),
            tokio_util::sync::CancellationToken::new(),
        )
        .await;
    });
}

/// Every place a secret must not be, with the text found there.
struct Scan {
    needles: Vec<(String, String)>,
}

impl Scan {
    fn check(&self, place: &str, haystack: &[u8]) {
        let text = String::from_utf8_lossy(haystack);
        for (what, needle) in &self.needles {
            assert!(!text.contains(needle.as_str()), "{what} found in {place}");
        }
    }
}

#[test]
fn no_secret_or_token_anywhere_after_export_resume_and_failed_login() {
    let secret = format!("scan-Secret-{}", uuid::Uuid::new_v4().simple());
    let wrong = format!("wrong-Secret-{}", uuid::Uuid::new_v4().simple());
    let dirs = tempfile::tempdir().unwrap();
    let root = dirs.path().to_path_buf();
    // The temp folder of this process and its child (spill files, sorter runs).
    let tmp = root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::env::set_var("TMPDIR", &tmp);
    let logs = root.join("logs");
    let _log = genesys_export::logging::init(&logs).expect("the app's log writer");
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(genesys_sim::Sim::start(sim_config(&secret)))
        .unwrap();
    let keychain = Arc::new(MemoryStore::new());
    let mut replies: Vec<Value> = Vec::new();
    let mut call = |t: &TestApp, cmd: &str, args: Value| -> Result<Value, Value> {
        let answer = invoke(&t.webview, cmd, args);
        replies.push(match &answer {
            Ok(v) | Err(v) => v.clone(),
        });
        answer
    };

    // --- the app: a connection, a profile, a full export, a failed login.
    let t = TestApp::with_dirs_and_keychain(dirs, keychain.clone());
    let conn = call(
        &t,
        "save_connection",
        json!({"connection": {"name": "Scan org", "environment": sim.base_url(), "clientId": CLIENT_ID}, "secret": secret}),
    )
    .unwrap();
    let conn_id = uuid::Uuid::parse_str(conn["id"].as_str().unwrap()).unwrap();
    let mut profile = Store::open(root.join("scratch")).0.new_profile(conn_id);
    profile.name = "Scan".into();
    profile.time_zone = "UTC".into();
    profile.range = DateRange::Fixed {
        from: NaiveDate::from_ymd_opt(2026, 11, 7).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 18).unwrap(),
    };
    profile.strategy = Strategy::Sync;
    profile.export.format = genesys_core::export::Format::Csv;
    profile.export.time_zone = "UTC".into();
    let profile = call(&t, "save_profile", json!({"profile": profile})).unwrap();
    let profile_id = profile["id"].as_str().unwrap().to_string();
    t.save_to(out.join("full.csv"));
    let done = call(
        &t,
        "start_export",
        json!({"runId": "run-scan-full", "profileId": profile_id, "onProgress": "__CHANNEL__:1"}),
    )
    .unwrap();
    assert_eq!(done["status"], "done", "{done}");
    call(
        &t,
        "list_entities",
        json!({"connectionId": conn["id"], "kind": "queue"}),
    )
    .unwrap();

    let bad = call(
        &t,
        "save_connection",
        json!({"connection": {"name": "Wrong secret", "environment": sim.base_url(), "clientId": CLIENT_ID}, "secret": wrong}),
    )
    .unwrap();
    let tested = call(&t, "test_connection", json!({"connectionId": bad["id"]})).unwrap();
    assert_eq!(tested["ok"], false, "{tested}");
    let unsaved = call(
        &t,
        "test_connection",
        json!({"connection": {"name": "x", "environment": sim.base_url(), "clientId": CLIENT_ID}, "secret": wrong}),
    )
    .unwrap();
    assert_eq!(unsaved["ok"], false, "{unsaved}");
    let mut bad_profile: Value = profile.clone();
    bad_profile["id"] = json!(uuid::Uuid::new_v4().to_string());
    bad_profile["name"] = json!("Wrong secret export");
    bad_profile["connectionId"] = bad["id"].clone();
    let bad_profile = call(&t, "save_profile", json!({"profile": bad_profile})).unwrap();
    t.save_to(out.join("bad.csv"));
    let failed = call(
        &t,
        "start_export",
        json!({"runId": "run-scan-bad", "profileId": bad_profile["id"], "onProgress": "__CHANNEL__:3"}),
    );
    let failed = match failed {
        Ok(v) => v,
        Err(e) => e,
    };
    assert!(
        failed.to_string().contains("auth") || failed["status"] == "failed",
        "{failed}"
    );
    let mut events: Vec<Value> = t.messages(1);
    events.extend(t.messages(3));
    let common::TestApp {
        app, webview, dirs, ..
    } = t;
    drop(webview);
    drop(app);

    // --- another process runs the same export and is killed mid-way.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_export_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .env("SCAN_CHILD_ROOT", &root)
        .env("SCAN_CHILD_CONNECTION", conn_id.to_string())
        .env("SCAN_CHILD_PROFILE", &profile_id)
        .env("SCAN_CHILD_SECRET", &secret)
        .env("TMPDIR", &tmp)
        .spawn()
        .unwrap();
    let checkpoints = root.join("data").join("checkpoints");
    let deadline = Instant::now() + Duration::from_secs(60);
    let has_checkpoint = || {
        files_under(&checkpoints)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "json"))
    };
    while !has_checkpoint() {
        assert!(Instant::now() < deadline, "the child wrote no checkpoint");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();

    // --- the app again: the killed run is offered and resumed.
    let t = TestApp::with_dirs_and_keychain(dirs, keychain.clone());
    let pending = call(&t, "pending_resumes", json!({})).unwrap();
    assert!(
        pending.to_string().contains(KILLED_RUN),
        "the killed run is not offered: {pending}"
    );
    let resumed = call(
        &t,
        "resume_export",
        json!({"runId": KILLED_RUN, "onProgress": "__CHANNEL__:2"}),
    )
    .unwrap();
    assert_eq!(resumed["status"], "done", "{resumed}");
    events.extend(t.messages(2));
    for cmd in [
        "list_connections",
        "list_profiles",
        "list_history",
        "get_settings",
        "app_info",
    ] {
        call(&t, cmd, json!({})).unwrap();
    }
    drop(_log); // flush the log

    // --- the scan.
    let tokens = sim.issued_tokens();
    assert!(
        tokens.len() >= 2,
        "the app and the child each logged in: {tokens:?}"
    );
    // What HTTP Basic auth sends, so a logged header is found too.
    let basic = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{s}"))
    };
    let mut needles = vec![
        ("the client secret".to_string(), secret.clone()),
        ("the wrong secret".to_string(), wrong.clone()),
        ("the Basic auth header".to_string(), basic(&secret)),
        ("the wrong Basic auth header".to_string(), basic(&wrong)),
    ];
    needles.extend(
        tokens
            .iter()
            .map(|tok| ("an access token".to_string(), tok.clone())),
    );
    let scan = Scan { needles };
    let mut scanned = 0;
    for folder in [
        root.join("config"),
        root.join("data"),
        tmp.clone(),
        logs.clone(),
        out.clone(),
    ] {
        for f in files_under(&folder) {
            scan.check(&f.display().to_string(), &std::fs::read(&f).unwrap());
            scanned += 1;
        }
    }
    assert!(
        files_under(&logs)
            .iter()
            .any(|f| std::fs::metadata(f).unwrap().len() > 0),
        "the log is empty"
    );
    assert!(out.join("full.csv").exists() && out.join("killed.csv").exists());
    for (i, e) in events.iter().enumerate() {
        scan.check(
            &format!("progress event {i} ({})", e["event"]),
            e.to_string().as_bytes(),
        );
    }
    assert!(events.len() > 5, "{events:?}");
    for (i, r) in replies.iter().enumerate() {
        scan.check(&format!("command reply {i}"), r.to_string().as_bytes());
    }
    println!(
        "scanned {scanned} files, {} events, {} replies for {} secrets and {} tokens",
        events.len(),
        replies.len(),
        2,
        tokens.len()
    );
    drop(t);
    rt.block_on(sim.shutdown());
}
