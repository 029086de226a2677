//! What interrupted runs leave behind (issue #14.11): discarding one removes
//! its temp file, XLSX row journal and lock file; at start-up, such files
//! older than a week are removed unless a live run (in this or another
//! process) owns them.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use genesys_core::jobs::{Context, HistoryEntry, HistoryStatus};
use genesys_core::secrets::MemoryStore;
use serde_json::json;

fn open(root: &Path) -> Context {
    Context::open(
        root.join("config"),
        root.join("data"),
        Arc::new(MemoryStore::new()),
    )
    .0
}

fn touch(path: &Path, age: Duration) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"rows").unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
    path.to_path_buf()
}

const DAY: Duration = Duration::from_secs(86_400);

fn temp(dir: &Path, run: &str) -> PathBuf {
    dir.join(format!(".genesys-export-{run}.tmp"))
}

fn journal(dir: &Path, run: &str) -> PathBuf {
    dir.join(format!(".genesys-export-{run}.rows"))
}

fn lock(root: &Path, run: &str) -> PathBuf {
    root.join(format!("data/checkpoints/{run}.lock"))
}

fn interrupted(run: &str, path: &Path) -> HistoryEntry {
    HistoryEntry {
        run_id: run.into(),
        profile_id: "p".into(),
        profile_name: "Sales".into(),
        connection_id: "c".into(),
        from: "2026-01-01T00:00:00Z".into(),
        to: "2026-01-02T00:00:00Z".into(),
        status: HistoryStatus::Interrupted,
        rows: 0,
        conversations: 0,
        duration_ms: 0,
        path: path.display().to_string(),
        error: None,
        started_at: Utc::now(),
    }
}

#[test]
fn discarding_an_interrupted_run_removes_its_temp_journal_and_lock_files() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let ctx = open(root.path());
    ctx.checkpoints
        .save("run-a", &json!({"destination": out.join("a.xlsx")}))
        .unwrap();
    let files = [
        touch(&temp(&out, "run-a"), Duration::ZERO),
        touch(&journal(&out, "run-a"), Duration::ZERO),
        touch(&lock(root.path(), "run-a"), Duration::ZERO),
    ];
    // Another interrupted run's files in the same folder stay.
    let other = touch(&temp(&out, "run-b"), Duration::ZERO);

    ctx.discard_resume("run-a").unwrap();
    for f in &files {
        assert!(!f.exists(), "{} is left behind", f.display());
    }
    assert!(!ctx.checkpoints.exists("run-a"));
    assert!(other.exists(), "another run's temp file was removed");
}

#[test]
fn a_run_that_is_running_cannot_be_discarded() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let ctx = open(root.path());
    ctx.checkpoints
        .save("run-a", &json!({"destination": out.join("a.csv")}))
        .unwrap();
    let t = touch(&temp(&out, "run-a"), Duration::ZERO);
    // Another process (or window) is resuming it.
    let held = ctx.checkpoints.hold("run-a").unwrap();
    let e = ctx.discard_resume("run-a").unwrap_err();
    assert!(e.message.contains("running"), "{}", e.message);
    assert!(t.exists());
    assert!(ctx.checkpoints.exists("run-a"));
    drop(held);
}

#[test]
fn start_up_removes_week_old_leftovers_that_no_live_run_owns() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let (out, elsewhere) = (r.join("out"), r.join("elsewhere"));
    let first = open(r);
    for run in ["run-old", "run-new", "run-live"] {
        first
            .checkpoints
            .save(run, &json!({"destination": out.join(format!("{run}.csv"))}))
            .unwrap();
    }
    // A run still executing in another process (its lock is held).
    let live = first.checkpoints.hold("run-live").unwrap();
    // A run known only from the history (its checkpoint is gone).
    first
        .history
        .record(interrupted("run-hist", &elsewhere.join("h.csv")))
        .unwrap();

    let week = 8 * DAY;
    let removed = [
        touch(&temp(&out, "run-old"), week),
        touch(&journal(&out, "run-old"), week),
        touch(&lock(r, "run-old"), week),
        touch(&lock(r, "run-orphan"), week),
        touch(&temp(&elsewhere, "run-hist"), week),
        // An ordinary export's temp file left by a crash.
        touch(&out.join(".genesys-export-Xy12Ab.tmp"), week),
    ];
    let kept = [
        touch(&temp(&out, "run-new"), 2 * DAY),
        touch(&lock(r, "run-new"), 2 * DAY),
        touch(&temp(&out, "run-live"), week),
        touch(&journal(&out, "run-live"), week),
        // Not ours.
        touch(&out.join("report.csv"), week),
        touch(&out.join(".hidden.tmp"), week),
    ];

    let _second = open(r);
    for f in &removed {
        assert!(!f.exists(), "{} was not swept", f.display());
    }
    for f in &kept {
        assert!(f.exists(), "{} was swept", f.display());
    }
    assert!(lock(r, "run-live").exists(), "a live run's lock was swept");
    // The checkpoints stay: the runs are still offered for resume.
    for run in ["run-old", "run-new", "run-live"] {
        assert!(first.checkpoints.exists(run), "{run}");
    }
    drop(live);
}
