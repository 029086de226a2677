//! `genesys-export-cli export --resume`: kill -9 the CLI halfway through an
//! export, run the same command again with `--resume`, and the file equals an
//! uninterrupted export while the second run fetched less than everything.
//! With nothing to resume, `--resume` says so and exports normally.
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use genesys_sim::{Sim, SimConfig};
use serde_json::Value;
use test_support::cli::cli_command;
use test_support::files::names_in;

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");
const SECRET: &str = "resume-secret";

/// About 1,000 conversations a day: ten sync pages per one-day window.
fn config(latency_ms: u64) -> SimConfig {
    let mut cfg = SimConfig {
        client_id: "resume-cli".into(),
        client_secret: SECRET.into(),
        conversations: 14_000,
        start: Utc.with_ymd_and_hms(2026, 11, 6, 0, 0, 0).unwrap(),
        days: 14,
        now: Some(Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap()),
        rate_limit: None,
        ..SimConfig::default()
    };
    cfg.faults.latency = Duration::from_millis(latency_ms);
    cfg
}

/// The export command: twelve whole days in UTC, sync, CSV.
fn command(sim: &Sim, root: &Path, out: &Path, extra: &[&str]) -> tokio::process::Command {
    let mut cmd =
        tokio::process::Command::from(cli_command(CLI, &root.join("config"), &root.join("data")));
    cmd.args([
        "export",
        "--environment",
        &sim.base_url(),
        "--client-id",
        "resume-cli",
        "--from",
        "2026-11-07",
        "--to",
        "2026-11-18",
        "--time-zone",
        "UTC",
        "--strategy",
        "sync",
        "--format",
        "csv",
        "--output",
        out.to_str().unwrap(),
    ])
    .args(extra)
    .env("GENESYS_CLIENT_SECRET", SECRET)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

async fn run(mut cmd: tokio::process::Command) -> (Option<i32>, String, String) {
    let o = tokio::time::timeout(Duration::from_secs(180), cmd.output())
        .await
        .expect("the CLI ends within 3 minutes")
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The completed windows of the newest durable point in any checkpoint
/// (`<run>.json`; not the temp file of a checkpoint being written, which a
/// kill can leave unrenamed).
fn completed_windows(data: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(data.join("checkpoints")) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<Value>(&b).ok())
        .filter_map(|v| v["resume"]["fetch"]["completedWindows"].as_u64())
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_cli_export_resumes_from_its_checkpoint() {
    // Slow: each one-day window takes ~2.5 s, four at a time.
    let slow = Sim::start(config(250)).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let out_dir = root.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("export.csv");

    let mut child = command(&slow, root.path(), &out, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while completed_windows(&root.path().join("data")) < 1 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the CLI ended before it was killed"
        );
        assert!(Instant::now() < deadline, "no durable point after a window");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().await.unwrap(); // SIGKILL
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!out.exists());
    assert!(
        names_in(&out_dir).iter().any(|n| n.ends_with(".tmp")),
        "the killed run left its partly written file"
    );
    let served_before = slow.stats().conversations_served;

    let (code, stdout, stderr) = run(command(&slow, root.path(), &out, &["--resume"])).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Resuming the interrupted export"),
        "{stderr}"
    );
    let served_by_resume = slow.stats().conversations_served - served_before;
    assert_eq!(names_in(&out_dir), vec!["export.csv".to_string()]);

    // An uninterrupted export of the same query; `--resume` with nothing to
    // resume says so in one line and runs normally.
    let fast = Sim::start(config(0)).await.unwrap();
    let other = tempfile::tempdir().unwrap();
    let reference = other.path().join("reference.csv");
    let (code, ref_stdout, ref_stderr) =
        run(command(&fast, other.path(), &reference, &["--resume"])).await;
    assert_eq!(code, Some(0), "{ref_stderr}");
    assert!(
        ref_stderr.contains("No interrupted export of this query"),
        "{ref_stderr}"
    );
    let served_by_full = fast.stats().conversations_served;

    let a = std::fs::read(&out).unwrap();
    let b = std::fs::read(&reference).unwrap();
    assert_eq!(a.len(), b.len());
    assert!(
        a == b,
        "the resumed file differs from an uninterrupted export"
    );
    // The summary line counts the whole file.
    let summary = |s: &str| s.split(" to ").next().unwrap_or_default().to_string();
    assert_eq!(
        summary(&stdout),
        summary(&ref_stdout),
        "{stdout} / {ref_stdout}"
    );
    assert!(
        served_by_resume < served_by_full,
        "the resume fetched {served_by_resume} conversations, as many as the whole range ({served_by_full}): {stderr}"
    );
    println!("resume fetched {served_by_resume} conversations, the whole range {served_by_full}");
    slow.shutdown().await;
    fast.shutdown().await;
}

/// API requests the emulator received (sign-in not counted).
fn api_requests(sim: &Sim) -> u64 {
    sim.stats()
        .per_endpoint
        .iter()
        .filter(|(k, _)| k.contains(" /api/"))
        .map(|(_, n)| n)
        .sum()
}

/// Issue #19: what the killed run had read stays on disk (windows read ahead
/// of the writer too), so the resume asks Genesys for about what was left:
/// killed with SIGKILL after ~60 % of the requests, the `--resume` run makes
/// at most 1.2 × (requests of a whole export − requests made before the
/// kill), plus the few that were in flight; the file equals an
/// uninterrupted export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_kill_at_60_percent_asks_only_for_the_rest() {
    // The whole export on its own emulator: the reference file and count.
    let fast = Sim::start(config(0)).await.unwrap();
    let other = tempfile::tempdir().unwrap();
    let reference = other.path().join("reference.csv");
    let (code, _, stderr) = run(command(&fast, other.path(), &reference, &[])).await;
    assert_eq!(code, Some(0), "{stderr}");
    let full = api_requests(&fast);
    fast.shutdown().await;

    let slow = Sim::start(config(60)).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let out_dir = root.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("export.csv");
    let mut child = command(&slow, root.path(), &out, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while api_requests(&slow) < full * 6 / 10 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the CLI ended before it was killed"
        );
        assert!(Instant::now() < deadline, "too slow to reach 60 %");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().await.unwrap(); // SIGKILL
    tokio::time::sleep(Duration::from_millis(500)).await;
    let done = api_requests(&slow);
    assert!(!out.exists());

    let (code, _, stderr) = run(command(&slow, root.path(), &out, &["--resume"])).await;
    assert_eq!(code, Some(0), "{stderr}");
    let resumed = api_requests(&slow) - done;
    let a = std::fs::read(&out).unwrap();
    let b = std::fs::read(&reference).unwrap();
    assert!(
        a == b,
        "the resumed file differs from an uninterrupted export"
    );
    let bound = (full - done.min(full)) as f64 * 1.2 + 4.0;
    println!("whole export {full} requests, {done} before the kill, the resume {resumed} (bound {bound:.1})");
    assert!(
        resumed as f64 <= bound,
        "the resume made {resumed} requests; a whole export makes {full}, {done} were made before the kill"
    );
    // The run's store went with its checkpoint.
    let left: Vec<String> = std::fs::read_dir(root.path().join("data/checkpoints"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.iter().all(|n| !n.ends_with(".fetched")), "{left:?}");
    slow.shutdown().await;
}
