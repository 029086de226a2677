//! The rate limit and every fault switch, each shown firing over real HTTP.
mod common;

use std::time::{Duration, Instant};

use common::*;
use genesys_sim::{Faults, RateLimit, Sim, SimConfig};
use serde_json::{json, Value};

fn body() -> Value {
    json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z", "paging": {"pageSize": 100, "pageNumber": 1}})
}

fn with_faults(f: Faults) -> SimConfig {
    SimConfig {
        faults: f,
        ..small_config(500)
    }
}

#[tokio::test]
async fn rate_limit_gives_429_with_retry_after_and_headers() {
    let cfg = SimConfig {
        rate_limit: Some(RateLimit {
            requests: 5,
            per: Duration::from_secs(3),
        }),
        ..small_config(100)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    for n in 1..=5u32 {
        let (s, h, _) = post(&sim, &t, QUERY, &body()).await;
        assert_eq!(s, 200);
        assert_eq!(h["inin-ratelimit-count"].to_str().unwrap(), n.to_string());
        assert_eq!(h["inin-ratelimit-allowed"].to_str().unwrap(), "5");
        let reset: u64 = h["inin-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!((1..=3).contains(&reset));
    }
    let resp = post(&sim, &t, QUERY, &body()).await;
    assert_error(&resp, QUERY, "post", 429, "too.many.requests");
    assert_eq!(
        resp.2["message"],
        "Rate limit exceeded the maximum [5] requests within [3] seconds"
    );
    let retry: u64 = resp.1["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry));
    assert_eq!(sim.stats().responses_429, 1);
    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(
        post(&sim, &t, QUERY, &body()).await.0,
        200,
        "the window resets"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_429_503_504() {
    for (f, status, code) in [
        (
            Faults {
                p429: 1.0,
                ..Faults::default()
            },
            429,
            "too.many.requests",
        ),
        (
            Faults {
                p503: 1.0,
                ..Faults::default()
            },
            503,
            "service.unavailable",
        ),
        (
            Faults {
                p504: 1.0,
                ..Faults::default()
            },
            504,
            "request.timeout",
        ),
    ] {
        let sim = Sim::start(with_faults(f)).await.unwrap();
        let t = token(&sim).await;
        let resp = post(&sim, &t, QUERY, &body()).await;
        assert_error(&resp, QUERY, "post", status, code);
        if status == 429 {
            assert_eq!(resp.1["retry-after"].to_str().unwrap(), "1");
        }
        let (s, _, v) = get(&sim, &t, "/api/v2/routing/queues").await;
        assert_eq!(s, status, "{v}");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn fault_decisions_are_deterministic_per_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let sim = Sim::start(with_faults(Faults {
            p503: 0.5,
            fault_seed: seed,
            ..Faults::default()
        }))
        .await
        .unwrap();
        let t = token(&sim).await;
        let mut out = Vec::new();
        for _ in 0..24 {
            out.push(get(&sim, &t, "/api/v2/authorization/divisions").await.0);
        }
        sim.shutdown().await;
        out
    }
    let a = run(11).await;
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    assert_eq!(a, run(11).await);
    assert_ne!(a, run(12).await);
}

#[tokio::test]
async fn connection_reset_mid_body() {
    let sim = Sim::start(with_faults(Faults {
        p_reset: 1.0,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    let r = http()
        .post(format!("{}{QUERY}", sim.base_url()))
        .bearer_auth(&t)
        .json(&body())
        .send()
        .await;
    // Headers arrive (200), then the body breaks off.
    let r = r.expect("status line and headers arrive");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "the body must fail mid-way");
    assert_eq!(sim.stats().resets, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn added_latency() {
    let sim = Sim::start(with_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    let started = Instant::now();
    assert_eq!(post(&sim, &t, QUERY, &body()).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.shutdown().await;
}

#[tokio::test]
async fn token_revoked_after_n_requests() {
    let sim = Sim::start(with_faults(Faults {
        revoke_token_after: Some(2),
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    assert_eq!(post(&sim, &t, QUERY, &body()).await.0, 200);
    assert_eq!(post(&sim, &t, QUERY, &body()).await.0, 200);
    assert_error(
        &post(&sim, &t, QUERY, &body()).await,
        QUERY,
        "post",
        401,
        "bad.credentials",
    );
    let t2 = token(&sim).await;
    assert_eq!(
        post(&sim, &t2, QUERY, &body()).await.0,
        200,
        "a new token works"
    );
    sim.shutdown().await;
}

async fn finished_job(sim: &Sim, t: &str) -> (String, Value) {
    let (s, _, v) = post(
        sim,
        t,
        JOBS,
        &json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"}),
    )
    .await;
    assert_eq!(s, 202);
    let id = v["jobId"].as_str().unwrap().to_string();
    for _ in 0..200 {
        let (_, _, v) = get(sim, t, &format!("{JOBS}/{id}")).await;
        assert_response_valid("AsyncQueryStatus", &v);
        if v["state"] != "QUEUED" && v["state"] != "PENDING" {
            return (id, v);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job stuck");
}

#[tokio::test]
async fn failed_and_expired_jobs() {
    let results = "/api/v2/analytics/conversations/details/jobs/{jobId}/results";
    let sim = Sim::start(with_faults(Faults {
        fail_jobs: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    let (id, v) = finished_job(&sim, &t).await;
    assert_eq!(v["state"], "FAILED");
    assert!(v["errorMessage"].is_string());
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/{id}/results")).await,
        results,
        "get",
        400,
        "bad.request",
    );
    sim.shutdown().await;

    let sim = Sim::start(with_faults(Faults {
        expire_jobs: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    let (id, v) = finished_job(&sim, &t).await;
    assert_eq!(v["state"], "EXPIRED");
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/{id}/results")).await,
        results,
        "get",
        404,
        "not.found",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_permission_mode() {
    let sim = Sim::start(with_faults(Faults {
        missing_permission: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let t = token(&sim).await;
    let resp = post(&sim, &t, QUERY, &body()).await;
    assert_error(&resp, QUERY, "post", 403, "missing.any.permissions");
    assert!(resp.2["message"]
        .as_str()
        .unwrap()
        .contains("analytics:conversationDetail:view"));
    let resp = post(
        &sim,
        &t,
        JOBS,
        &json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"}),
    )
    .await;
    assert_error(&resp, JOBS, "post", 403, "missing.any.permissions");
    // Lookups need other permissions and still work.
    assert_eq!(get(&sim, &t, "/api/v2/users").await.0, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn stats_count_requests_per_endpoint() {
    let sim = Sim::start(small_config(100)).await.unwrap();
    let t = token(&sim).await;
    post(&sim, &t, QUERY, &body()).await;
    post(&sim, &t, QUERY, &body()).await;
    get(&sim, &t, "/api/v2/users?state=any").await;
    let s = sim.stats();
    assert_eq!(s.requests, 4);
    assert_eq!(s.per_endpoint["POST /oauth/token"], 1);
    assert_eq!(s.per_endpoint[&format!("POST {QUERY}")], 2);
    assert_eq!(s.per_endpoint["GET /api/v2/users"], 1);
    assert_eq!(s.per_status[&200], 4);
    assert!(s.conversations_served > 0);
    sim.shutdown().await;
}

#[test]
fn cli_flags_cover_every_switch() {
    use clap::{CommandFactory, Parser};
    let help = genesys_sim::cli::Args::command()
        .render_long_help()
        .to_string();
    for flag in [
        "--port",
        "--client-id",
        "--client-secret",
        "--conversations",
        "--seed",
        "--start",
        "--days",
        "--token-lifetime",
        "--sync-max-page-size",
        "--max-interval-days",
        "--async-max-page-size",
        "--match-mode",
        "--job-delay-ms",
        "--availability-lag-secs",
        "--rate-limit",
        "--rate-window-secs",
        "--p429",
        "--p503",
        "--p504",
        "--p-reset",
        "--latency-ms",
        "--revoke-token-after",
        "--fail-jobs",
        "--expire-jobs",
        "--missing-permission",
        "--fault-seed",
        "--now",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let args = genesys_sim::cli::Args::parse_from([
        "genesys-sim",
        "--port",
        "0",
        "--client-id",
        "ID",
        "--client-secret",
        "SECRET",
        "--conversations",
        "1000000",
        "--seed",
        "9",
        "--start",
        "2026-10-20",
        "--days",
        "14",
        "--match-mode",
        "started",
        "--p503",
        "0.1",
        "--revoke-token-after",
        "50",
        "--fail-jobs",
        "--rate-limit",
        "0",
    ]);
    let cfg = args.config().unwrap();
    assert_eq!(
        (cfg.client_id.as_str(), cfg.client_secret.as_str()),
        ("ID", "SECRET")
    );
    assert_eq!((cfg.conversations, cfg.seed, cfg.days), (1_000_000, 9, 14));
    assert_eq!(cfg.start, utc(2026, 10, 20, 0, 0));
    assert_eq!(cfg.match_mode, genesys_sim::MatchMode::StartedInInterval);
    assert_eq!(cfg.faults.p503, 0.1);
    assert_eq!(cfg.faults.revoke_token_after, Some(50));
    assert!(cfg.faults.fail_jobs && cfg.rate_limit.is_none());
    let bad = genesys_sim::cli::Args::parse_from(["genesys-sim", "--start", "soon"]);
    assert!(bad.config().is_err());
}
