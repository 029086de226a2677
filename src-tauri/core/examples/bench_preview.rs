//! Preview benchmark (issue 7): "the first 20 rows and the estimated count
//! for a profile, in under 2 seconds at 150 ms API latency".
//!
//! ```text
//! CARGO_TARGET_DIR=target-release cargo run --release -p genesys-core --example bench_preview
//! ```
//!
//! Starts the emulator in-process on loopback: 100,000 conversations over 30
//! days, 150 ms latency on every API request, no rate limit. Previews a
//! "last 7 days" profile (CSV columns of the default conversation grain, so
//! user, queue and wrap-up names are looked up) 10 times cold: a new context
//! and client each time, so every run includes the token request and the
//! name lookups. Prints each wall time, the median and the max, and the
//! requests one preview sends.
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use genesys_core::jobs::{self, AdHoc, Context, ExportSource, RunSpec};
use genesys_core::profiles::{Connection, DateRange, RelativePreset, Store};
use genesys_core::secrets::{MemoryStore, Secret};
use genesys_sim::{Sim, SimConfig};

const RUNS: usize = 10;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Utc
        .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let mut cfg = SimConfig {
        conversations: 100_000,
        start,
        days: 30,
        now: Some(start + TimeDelta::days(31)),
        rate_limit: None,
        ..SimConfig::default()
    };
    cfg.faults.latency = Duration::from_millis(150);
    let sim = Sim::start(cfg).await?;
    let dir = tempfile::tempdir()?;
    let (store, _) = Store::open(dir.path());
    let connection = Connection {
        id: uuid::Uuid::from_u128(1),
        name: "Emulator".into(),
        environment: sim.base_url(),
        client_id: "demo-client".into(),
        is_demo: false,
    };
    let mut profile = store.new_profile(connection.id);
    profile.name = "Last 7 days".into();
    profile.time_zone = "UTC".into();
    profile.range = DateRange::Preset {
        preset: RelativePreset::Last7Days,
    };
    let spec = RunSpec {
        run_id: "bench-preview".into(),
        source: ExportSource::AdHoc(Box::new(AdHoc {
            connection,
            profile,
        })),
        secret: Some(Secret::new("demo-secret")),
        // 31 Oct, noon: the last 7 days are 24–30 October.
        now: Some(start + TimeDelta::days(30) + TimeDelta::hours(12)),
        range: None,
        replace: false,
        keep_partial: false,
    };

    let mut times = Vec::with_capacity(RUNS);
    let mut requests = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let run_dir = tempfile::tempdir()?;
        let (ctx, _) = Context::open(
            run_dir.path().join("config"),
            run_dir.path().join("data"),
            Arc::new(MemoryStore::new()),
        );
        let before = sim.stats().requests;
        let t0 = Instant::now();
        let preview = jobs::preview(&ctx, &spec).await?;
        let took = t0.elapsed();
        // Requests still in flight when the preview returned count too.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let sent = sim.stats().requests - before;
        println!(
            "run {:>2}: {:>6.0} ms, {} rows, estimated {:?}, {} requests",
            i + 1,
            took.as_secs_f64() * 1000.0,
            preview.rows.len(),
            preview.estimated_total,
            sent
        );
        times.push(took);
        requests.push(sent);
    }
    times.sort();
    let median = (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;
    let max = times[RUNS - 1];
    println!(
        "preview of 'last 7 days' (100,000 conversations / 30 days, 150 ms latency), {RUNS} cold runs: median {:.0} ms, max {:.0} ms, requests per preview {:?}",
        median.as_secs_f64() * 1000.0,
        max.as_secs_f64() * 1000.0,
        requests
    );
    Ok(())
}
