//! Kill -9 during an export, restart, resume: the run is offered for resume
//! and the finished file is byte-identical to an uninterrupted export of the
//! same query. Through the core (`genesys_core::jobs`) and the emulator; the
//! export that gets killed runs in a child process (this test binary, re-run
//! with `RESUME_CHILD=1`).
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use genesys_core::export::Format;
use genesys_core::jobs::{self, AdHoc, Context, ExportSource, HistoryStatus, RunSpec};
use genesys_core::profiles::{Connection, DateRange, QueryProfile, RelativePreset, Store};
use genesys_core::secrets::{MemoryStore, Secret};
use tokio_util::sync::CancellationToken;

const RUN_ID: &str = "run-killed";

fn spec(base_url: &str, run_id: &str) -> RunSpec {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path());
    let connection = Connection {
        id: uuid::Uuid::from_u128(7),
        name: "Emulator".into(),
        environment: base_url.into(),
        client_id: "demo-client".into(),
        is_demo: false,
    };
    let mut profile: QueryProfile = store.new_profile(connection.id);
    profile.id = uuid::Uuid::from_u128(8);
    profile.name = "Resume".into();
    profile.time_zone = "UTC".into();
    profile.range = DateRange::Preset {
        preset: RelativePreset::Last7Days,
    };
    profile.export.format = Format::Csv;
    RunSpec {
        run_id: run_id.into(),
        source: ExportSource::AdHoc(Box::new(AdHoc {
            connection,
            profile,
        })),
        secret: Some(Secret::new("demo-secret")),
        now: Some(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()),
        replace: false,
        keep_partial: false,
    }
}

fn context(root: &Path) -> Context {
    let (ctx, _) = Context::open(
        root.join("config"),
        root.join("data"),
        Arc::new(MemoryStore::new()),
    );
    ctx
}

fn sim_config(latency_ms: u64) -> genesys_sim::SimConfig {
    let mut cfg = genesys_sim::SimConfig {
        conversations: 3000,
        start: Utc.with_ymd_and_hms(2026, 11, 6, 0, 0, 0).unwrap(),
        days: 12,
        ..Default::default()
    };
    cfg.faults.latency = Duration::from_millis(latency_ms);
    cfg
}

/// The child: export until killed.
#[test]
fn child_export_until_killed() {
    let Ok(root) = std::env::var("RESUME_CHILD_ROOT") else {
        return; // only runs as the child of the test below
    };
    let base_url = std::env::var("RESUME_CHILD_URL").unwrap();
    let root = PathBuf::from(root);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = context(&root);
        let _ = jobs::run_export(
            &ctx,
            spec(&base_url, RUN_ID),
            root.join("out/export.csv"),
            Arc::new(|_| {}),
            CancellationToken::new(),
        )
        .await;
    });
}

#[test]
fn killed_export_is_offered_for_resume_and_finishes_identical() {
    if std::env::var("RESUME_CHILD_ROOT").is_ok() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A slow emulator so the child is surely mid-export when killed.
    let slow = rt
        .block_on(genesys_sim::Sim::start(sim_config(150)))
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("out")).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_export_until_killed", "--nocapture"])
        .env("RESUME_CHILD_ROOT", root.path())
        .env("RESUME_CHILD_URL", slow.base_url())
        .spawn()
        .unwrap();
    // Wait until the child is writing (checkpoint saved, temp file beside the destination).
    let checkpoint = root.path().join(format!("data/checkpoints/{RUN_ID}.json"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let writing = std::fs::read_dir(root.path().join("out"))
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"));
        if checkpoint.exists() && writing {
            break;
        }
        assert!(Instant::now() < deadline, "the child never started writing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!root.path().join("out/export.csv").exists());

    // "Restart": the run is interrupted and offered for resume.
    let ctx = context(root.path());
    let pending = ctx.pending_resumes().unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].run_id, RUN_ID);
    assert_eq!(pending[0].status, HistoryStatus::Interrupted);

    let resumed = rt
        .block_on(jobs::resume_export(
            &ctx,
            RUN_ID,
            Some(Secret::new("demo-secret")),
            Arc::new(|_| {}),
            CancellationToken::new(),
        ))
        .unwrap();
    assert!(resumed.rows > 0);
    assert!(ctx.pending_resumes().unwrap().is_empty());
    assert_eq!(
        ctx.history.get(RUN_ID).unwrap().unwrap().status,
        HistoryStatus::Done
    );
    let leftovers: Vec<_> = std::fs::read_dir(root.path().join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        leftovers,
        vec!["export.csv".to_string()],
        "no temp file left"
    );

    // The same query, uninterrupted, from the same dataset (fast emulator).
    let fast = rt.block_on(genesys_sim::Sim::start(sim_config(0))).unwrap();
    let other = tempfile::tempdir().unwrap();
    let ctx2 = context(other.path());
    let reference = other.path().join("reference.csv");
    let s = spec(&fast.base_url(), "run-reference");
    rt.block_on(jobs::run_export(
        &ctx2,
        s,
        reference.clone(),
        Arc::new(|_| {}),
        CancellationToken::new(),
    ))
    .unwrap();
    let a = std::fs::read(root.path().join("out/export.csv")).unwrap();
    let b = std::fs::read(&reference).unwrap();
    assert_eq!(a.len(), b.len());
    assert!(
        a == b,
        "the resumed file differs from an uninterrupted export"
    );
}
