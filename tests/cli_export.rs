//! `genesys-export-cli export` as a process against the emulator with faults
//! on (429s, 503s, connection resets): the file holds exactly the ground
//! truth — 0 missing, 0 duplicates — for both fetch strategies, and a
//! queue filtered by name in CSV.
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use genesys_sim::{Faults, Sim, SimConfig};
use serde_json::{json, Value};

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");
const SECRET: &str = "cli-test-secret";

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap()
}

async fn faulty_sim() -> Sim {
    let cfg = SimConfig {
        client_id: "cli-test".into(),
        client_secret: SECRET.into(),
        conversations: 3_000,
        seed: 11,
        start: day(1),
        days: 6,
        job_delays: Duration::from_millis(50),
        rate_limit: None,
        faults: Faults {
            p429: 0.1,
            p503: 0.05,
            p_reset: 0.02,
            fault_seed: 5,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    Sim::start(cfg).await.expect("start the emulator")
}

/// Run the CLI to completion (the emulator keeps serving on this runtime).
/// History and checkpoints go to a `data` folder beside the output.
async fn export(sim: &Sim, data: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = tokio::process::Command::new(CLI);
    cmd.args([
        "export",
        "--environment",
        &sim.base_url(),
        "--client-id",
        "cli-test",
    ])
    .args(extra)
    .env("GENESYS_CLIENT_SECRET", SECRET)
    .env("GENESYS_EXPORT_DATA_DIR", data)
    .env_remove("DISPLAY")
    .env_remove("WAYLAND_DISPLAY");
    tokio::time::timeout(Duration::from_secs(240), cmd.output())
        .await
        .expect("the export finishes within 4 minutes")
        .expect("run genesys-export-cli")
}

fn ids_from_jsonl(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("each line is one JSON object");
            v["conversationId"].as_str().unwrap().to_string()
        })
        .collect()
}

fn ids_from_csv(path: &Path) -> Vec<String> {
    test_support::csv::Table::read(path).column("Conversation ID")
}

/// Compare with the ground truth: same ids, none twice, none missing.
fn check(got: &[String], truth: &[String]) {
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "duplicates in the file");
    let truth_set: HashSet<&String> = truth.iter().collect();
    let missing = truth_set.difference(&unique).count();
    let extra = unique.difference(&truth_set).count();
    assert_eq!(
        (missing, extra),
        (0, 0),
        "missing / unexpected conversations"
    );
    assert!(!truth.is_empty());
}

fn left_behind(dir: &Path, keep: &str) -> Vec<String> {
    test_support::files::names_in(dir)
        .into_iter()
        .filter(|n| n != keep && n != "data")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_with_faults_matches_the_ground_truth_for_both_strategies() {
    let sim = faulty_sim().await;
    let dir = tempfile::tempdir().unwrap();
    // Whole days, --to inclusive: 2026-01-02 .. 2026-01-04 = [2 Jan, 5 Jan).
    let truth = sim.dataset().ground_truth(day(2), day(5), &json!({}));
    for strategy in ["sync", "async"] {
        let name = format!("{strategy}.jsonl");
        let out = dir.path().join(&name);
        let o = export(
            &sim,
            &dir.path().join("data"),
            &[
                "--from",
                "2026-01-02",
                "--to",
                "2026-01-04",
                "--time-zone",
                "UTC",
                "--strategy",
                strategy,
                "--format",
                "jsonl",
                "--output",
                out.to_str().unwrap(),
            ],
        )
        .await;
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{strategy}: {stderr}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains(&format!("Exported {} conversations", truth.len())),
            "{stdout}"
        );
        check(&ids_from_jsonl(&out), &truth);
        // Not a terminal: plain progress lines, never the secret.
        assert!(stderr.contains("conversations"), "{stderr}");
        assert!(!stderr.contains(SECRET) && !stdout.contains(SECRET));
    }
    let stats = sim.stats();
    assert!(
        stats.responses_429 > 0 && stats.per_status.get(&503).copied().unwrap_or(0) > 0,
        "the faults fired: {stats:?}"
    );
    assert!(left_behind(dir.path(), "")
        .iter()
        .all(|n| n.ends_with(".jsonl")));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_filtered_by_queue_name_and_time_zone_matches_the_ground_truth() {
    let sim = faulty_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (queue_id, queue_name) = sim
        .dataset()
        .queues()
        .into_iter()
        .find(|(_, name)| !name.contains(','))
        .unwrap();
    // 2026-01-03 in New York is [05:00Z on the 3rd, 05:00Z on the 4th).
    let from = Utc.with_ymd_and_hms(2026, 1, 3, 5, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 1, 4, 5, 0, 0).unwrap();
    let query = json!({"segmentFilters": [{"type": "or", "predicates": [
        {"dimension": "queueId", "value": queue_id}
    ]}]});
    let truth = sim.dataset().ground_truth(from, to, &query);
    let out = dir.path().join("queue.csv");
    let o = export(
        &sim,
        &dir.path().join("data"),
        &[
            "--from",
            "2026-01-03",
            "--to",
            "2026-01-03",
            "--time-zone",
            "America/New_York",
            "--queue",
            &queue_name.to_uppercase(),
            "--strategy",
            "sync",
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    check(&ids_from_csv(&out), &truth);
    assert_eq!(left_behind(dir.path(), "queue.csv"), Vec::<String>::new());

    // An unknown queue name is bad input, and says which names are close.
    let o = export(
        &sim,
        &dir.path().join("data"),
        &[
            "--from",
            "2026-01-03",
            "--to",
            "2026-01-03",
            "--queue",
            "No Such Queue",
            "--output",
            dir.path().join("none.csv").to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("No Such Queue"));
    assert!(!dir.path().join("none.csv").exists());
    sim.shutdown().await;
}
