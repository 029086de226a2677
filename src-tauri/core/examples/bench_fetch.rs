//! Benchmark: fetch from the emulator with latency and a rate limit, and
//! compare the wall time with the floor.
//!
//! ```text
//! cargo run --release -p genesys-core --example bench_fetch -- \
//!     [conversations=100000] [days=30] [strategy=sync|async] [latency_ms=150] \
//!     [requests=300] [per_s=60] [parallelism=4] [job_delay_ms=300] [large=0.2]
//! ```
//! `job_delay_ms`: an async job stays QUEUED, then PENDING, this long each.
//! Prints the process's peak RSS (client and in-process emulator together).
//! Floor = max(requests needed ÷ rate limit, pages × latency ÷ parallelism),
//! where "requests needed" counts the API requests the run actually made.
use std::time::{Duration, Instant};

use chrono::{DurationRound, Utc};
use futures::StreamExt;
use genesys_core::genesys::{
    Client, ClientConfig, Credentials, Environment, FetchOptions, FetchRequest, Filters, Strategy,
};
use genesys_sim::{Faults, RateLimit, Sim, SimConfig};

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::args()
        .skip(1)
        .find_map(|a| {
            a.strip_prefix(&format!("{name}="))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let n: u64 = arg("conversations", 100_000);
    let days: u32 = arg("days", 30);
    let strategy = match arg("strategy", "sync".to_string()).as_str() {
        "async" => Strategy::Async,
        _ => Strategy::Sync,
    };
    let latency = Duration::from_millis(arg("latency_ms", 150));
    let requests: u32 = arg("requests", 300);
    let per = Duration::from_secs(arg("per_s", 60));
    let parallelism: usize = arg("parallelism", 4);
    let job_delays = Duration::from_millis(arg("job_delay_ms", 300));
    let large: f64 = arg("large", 0.2);

    let start = (Utc::now() - chrono::Duration::days(days as i64 + 2))
        .duration_trunc(chrono::Duration::days(1))
        .expect("valid date");
    let sim = Sim::start(SimConfig {
        conversations: n,
        start,
        days,
        rate_limit: (requests > 0).then_some(RateLimit { requests, per }),
        faults: Faults {
            latency,
            p429: arg("p429", 0.0),
            p503: arg("p503", 0.0),
            p504: arg("p504", 0.0),
            p_reset: arg("p_reset", 0.0),
            ..Faults::default()
        },
        job_delays,
        large_records: large,
        ..SimConfig::default()
    })
    .await
    .expect("emulator starts");
    let mut cfg = ClientConfig::new(
        Environment::parse(&sim.base_url()).expect("loopback URL"),
        Credentials::new(
            sim.config().client_id.clone(),
            sim.config().client_secret.clone(),
        ),
    );
    cfg.parallelism = parallelism;
    let client = Client::new(cfg).expect("valid config");
    let to = start + chrono::Duration::days(days as i64);
    let t = Instant::now();
    let mut fetch = client
        .fetch(
            FetchRequest {
                from: start,
                to,
                filters: Filters::default(),
                strategy,
            },
            FetchOptions::default(),
        )
        .expect("valid request");
    let mut count = 0u64;
    while let Some(c) = fetch.next().await {
        c.expect("conversation");
        count += 1;
    }
    let wall = t.elapsed().as_secs_f64();
    let p = fetch.progress();
    let s = sim.stats();
    let api_requests = s.requests - s.tokens_issued;
    let rate_floor = if requests > 0 {
        // Fixed windows: the last window's requests go out at its start.
        let full_windows = (api_requests.saturating_sub(1)) / u64::from(requests);
        full_windows as f64 * per.as_secs_f64()
    } else {
        0.0
    };
    let latency_floor = p.pages as f64 * latency.as_secs_f64() / parallelism as f64;
    let floor = rate_floor.max(latency_floor);
    println!(
        "strategy={strategy:?} conversations={count} pages={} api_requests={api_requests} 429s={} wall={wall:.1}s rate_floor={rate_floor:.1}s latency_floor={latency_floor:.1}s ratio={:.2}",
        p.pages,
        s.responses_429,
        wall / floor.max(0.001)
    );
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "n/a".into());
    println!(
        "jobs_created={} most_open_jobs={} peak_rss={hwm}",
        s.jobs_created, s.most_open_jobs
    );
    sim.shutdown().await;
}
