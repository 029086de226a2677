//! Benchmark of the emulator serving 1,000,000 conversations.
//!
//! `cargo run -p genesys-sim --example sim_bench [-- CONVERSATIONS]`
//!
//! Starts the emulator in-process (30 days, fixed "now" after the span, no rate
//! limit), then over real HTTP on loopback: pages the sync query through whole
//! days (pageSize 100), runs a filtered sync query, and reads an async job over
//! one day (pageSize 1000). Prints pages/s, conversations/s, and the process's
//! resident memory (VmRSS) and peak (VmHWM) from /proc/self/status after each phase.
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use genesys_sim::{MatchMode, Sim, SimConfig};
use serde_json::{json, Value};

fn mem() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!("VmRSS {} / VmHWM {}", field("VmRSS:"), field("VmHWM:"))
}

fn iv(a: chrono::DateTime<Utc>, b: chrono::DateTime<Utc>) -> String {
    format!(
        "{}/{}",
        a.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        b.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let start = Utc
        .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let cfg = SimConfig {
        conversations: n,
        start,
        days: 30,
        now: Some(start + TimeDelta::days(31)),
        rate_limit: None,
        match_mode: MatchMode::StartedInInterval,
        job_delays: Duration::from_millis(10),
        ..SimConfig::default()
    };
    println!("start: {}", mem());

    // Generation alone (no HTTP): render + serialise 20,000 conversations.
    let ds = genesys_sim::Dataset::new(&cfg);
    let t0 = Instant::now();
    let mut bytes = 0usize;
    for i in 0..20_000u64 {
        bytes += serde_json::to_vec(&ds.conversation_without_attributes(i * 50))?.len();
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "render+serialise only: {:.0} conv/s ({:.0} bytes/conversation)",
        20_000.0 / s,
        bytes as f64 / 20_000.0
    );
    let sim = Sim::start(cfg.clone()).await?;
    let base = sim.base_url();
    let http = reqwest::Client::new();
    let tok: Value = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    let token = tok["access_token"].as_str().ok_or("no token")?.to_string();
    let query_url = format!("{base}/api/v2/analytics/conversations/details/query");
    println!("{n} conversations over 30 days; emulator up: {}", mem());

    // Sync: page 3 whole days, pageSize 100.
    for day in [0i64, 14, 29] {
        let (from, to) = (
            start + TimeDelta::days(day),
            start + TimeDelta::days(day + 1),
        );
        let t0 = Instant::now();
        let (mut pages, mut convs, mut bytes) = (0u64, 0u64, 0u64);
        for page in 1.. {
            let body =
                json!({"interval": iv(from, to), "paging": {"pageSize": 100, "pageNumber": page}});
            let text = http
                .post(&query_url)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await?
                .text()
                .await?;
            bytes += text.len() as u64;
            let v: Value = serde_json::from_str(&text)?;
            pages += 1;
            match v["conversations"].as_array() {
                Some(list) => convs += list.len() as u64,
                None => break,
            }
        }
        let s = t0.elapsed().as_secs_f64();
        println!(
            "sync day {day:2}: {convs} conversations, {pages} pages in {s:.2}s = {:.0} pages/s, {:.0} conv/s, {:.1} MB/s; {}",
            pages as f64 / s,
            convs as f64 / s,
            bytes as f64 / s / 1e6,
            mem()
        );
    }

    // Filtered sync query (one queue, one day): first page pays the scan.
    let queue = sim.dataset().queues()[0].0.clone();
    let (from, to) = (start + TimeDelta::days(10), start + TimeDelta::days(11));
    let t0 = Instant::now();
    let (mut pages, mut convs, mut first) = (0u64, 0u64, 0.0);
    for page in 1.. {
        let body = json!({"interval": iv(from, to), "paging": {"pageSize": 100, "pageNumber": page},
            "segmentFilters": [{"type": "or", "predicates": [{"dimension": "queueId", "value": queue}]}]});
        let v: Value = http
            .post(&query_url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        if page == 1 {
            first = t0.elapsed().as_secs_f64();
        }
        pages += 1;
        match v["conversations"].as_array() {
            Some(list) => convs += list.len() as u64,
            None => break,
        }
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "sync filtered (1 queue, 1 day): {convs} conversations, {pages} pages in {s:.2}s (first page {first:.2}s) = {:.0} pages/s; {}",
        pages as f64 / s,
        mem()
    );

    // Async job over one day, pageSize 1000.
    let jobs = format!("{base}/api/v2/analytics/conversations/details/jobs");
    let t0 = Instant::now();
    let v: Value = http
        .post(&jobs)
        .bearer_auth(&token)
        .json(&json!({"interval": iv(start + TimeDelta::days(20), start + TimeDelta::days(21))}))
        .send()
        .await?
        .json()
        .await?;
    let id = v["jobId"].as_str().ok_or("no job id")?.to_string();
    loop {
        let v: Value = http
            .get(format!("{jobs}/{id}"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        if v["state"] == "FULFILLED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (mut pages, mut convs, mut cursor) = (0u64, 0u64, None::<String>);
    loop {
        let mut url = format!("{jobs}/{id}/results?pageSize=1000");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let v: Value = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        pages += 1;
        convs += v["conversations"].as_array().map_or(0, Vec::len) as u64;
        match v["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "async 1 day: {convs} conversations, {pages} pages in {s:.2}s = {:.1} pages/s, {:.0} conv/s; {}",
        pages as f64 / s,
        convs as f64 / s,
        mem()
    );
    sim.shutdown().await;
    println!("end: {}", mem());
    Ok(())
}
