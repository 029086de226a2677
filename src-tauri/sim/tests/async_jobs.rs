//! Async details jobs over real HTTP: lifecycle, cursor paging, overlap
//! semantics, availability, delete, errors — all validated against the schema.
mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use genesys_sim::{Sim, SimConfig};
use serde_json::{json, Value};

const JOB: &str = "/api/v2/analytics/conversations/details/jobs/{jobId}";
const RESULTS: &str = "/api/v2/analytics/conversations/details/jobs/{jobId}/results";
const AVAIL: &str = "/api/v2/analytics/conversations/details/jobs/availability";

fn iv(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "{}/{}",
        from.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        to.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

async fn create(sim: &Sim, t: &str, body: &Value) -> String {
    assert_request_valid("AsyncConversationQuery", body);
    let (s, h, v) = post(sim, t, JOBS, body).await;
    assert_eq!(s, 202, "{v}");
    assert_genesys_headers(&h);
    assert_eq!(documented_schema(JOBS, "post", 202), "AsyncQueryResponse");
    assert_response_valid("AsyncQueryResponse", &v);
    v["jobId"].as_str().unwrap().to_string()
}

/// Polls until the job leaves QUEUED/PENDING; returns every state seen.
async fn wait(sim: &Sim, t: &str, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..200 {
        let (s, _, v) = get(sim, t, &format!("{JOBS}/{id}")).await;
        assert_eq!(s, 200, "{v}");
        assert_response_valid("AsyncQueryStatus", &v);
        let state = v["state"].as_str().unwrap().to_string();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state != "QUEUED" && state != "PENDING" {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job never finished: {seen:?}");
}

/// Reads all result pages; checks cursors and the last page.
async fn results(sim: &Sim, t: &str, id: &str, page_size: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("{JOBS}/{id}/results?pageSize={page_size}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (s, h, v) = get(sim, t, &path).await;
        assert_eq!(s, 200, "{v}");
        assert_genesys_headers(&h);
        assert_response_valid("AnalyticsConversationAsyncQueryResponse", &v);
        assert!(v["dataAvailabilityDate"].is_string());
        let page = v["conversations"].as_array().cloned().unwrap_or_default();
        assert!(page.len() <= page_size as usize);
        out.extend(page);
        match v["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

fn ids(convs: &[Value]) -> Vec<String> {
    convs
        .iter()
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect()
}

/// Last activity of a conversation from its JSON (None = still running).
fn last_activity(c: &Value) -> Option<DateTime<Utc>> {
    let mut last = None;
    for p in c["participants"].as_array().unwrap() {
        for s in p["sessions"].as_array().unwrap() {
            for seg in s["segments"].as_array().unwrap() {
                let e = DateTime::parse_from_rfc3339(seg.get("segmentEnd")?.as_str()?)
                    .ok()?
                    .with_timezone(&Utc);
                last = last.max(Some(e));
            }
        }
    }
    last
}

#[tokio::test]
async fn job_lifecycle_yields_ground_truth_plus_overlap() {
    // Jobs stay QUEUED, then PENDING, 400 ms each: long enough to be observed under load.
    let cfg = SimConfig {
        job_delays: Duration::from_millis(400),
        ..small_config(6_000)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    let (from, to) = (utc(2026, 3, 29, 6, 0), utc(2026, 3, 29, 9, 0));
    let id = create(&sim, &t, &json!({"interval": iv(from, to), "order": "asc"})).await;
    let states = wait(&sim, &t, &id).await;
    assert_eq!(states.last().map(String::as_str), Some("FULFILLED"));
    assert_eq!(states[0], "QUEUED", "{states:?}");
    assert!(states.len() >= 2, "QUEUED/PENDING seen first: {states:?}");

    let convs = results(&sim, &t, &id, 97).await;
    let got = ids(&convs);
    assert!(
        convs
            .iter()
            .all(|c| c["participants"][0]["attributes"].is_object()),
        "async rows carry attributes"
    );

    // Expected: the ground truth (started inside) plus every conversation that
    // started before `from` and was still active after it, computed from the JSON.
    let truth = ds.ground_truth(from, to, &json!({}));
    let before = ds.first_index_at_or_after((from - TimeDelta::hours(6)).timestamp_millis());
    let inside = ds.first_index_at_or_after(from.timestamp_millis());
    let overlap: Vec<String> = (before..inside)
        .map(|i| ds.conversation(i))
        .filter(|c| last_activity(c).is_none_or(|e| e > from))
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !overlap.is_empty(),
        "some conversations overlap the window start"
    );
    let mut expected = overlap.clone();
    expected.extend(truth.iter().cloned());
    assert_eq!(got, expected);

    // Adjacent windows share the conversations that span their border.
    let mid = utc(2026, 3, 29, 7, 30);
    let a = create(&sim, &t, &json!({"interval": iv(from, mid)})).await;
    let b = create(&sim, &t, &json!({"interval": iv(mid, to)})).await;
    wait(&sim, &t, &a).await;
    wait(&sim, &t, &b).await;
    let (a, b): (BTreeSet<String>, BTreeSet<String>) = (
        ids(&results(&sim, &t, &a, 1000).await)
            .into_iter()
            .collect(),
        ids(&results(&sim, &t, &b, 1000).await)
            .into_iter()
            .collect(),
    );
    assert!(a.intersection(&b).count() > 0);
    let union: BTreeSet<String> = a.union(&b).cloned().collect();
    assert_eq!(union, got.iter().cloned().collect());

    // Filters apply as in the sync query; limit and startOfDayIntervalMatching too.
    let queue = ds.queues()[2].0.clone();
    let f = json!({"interval": iv(from, to), "limit": 5,
                   "segmentFilters": [{"type": "or", "predicates": [{"dimension": "queueId", "value": queue}]}]});
    let j = create(&sim, &t, &f).await;
    wait(&sim, &t, &j).await;
    let limited = results(&sim, &t, &j, 2).await;
    assert_eq!(limited.len(), 5);
    assert!(limited.iter().all(|c| c.to_string().contains(&queue)));
    let sod = create(
        &sim,
        &t,
        &json!({"interval": iv(utc(2026, 3, 29, 0, 30), to), "startOfDayIntervalMatching": true}),
    )
    .await;
    wait(&sim, &t, &sod).await;
    let day = utc(2026, 3, 29, 0, 0);
    for c in results(&sim, &t, &sod, 1000).await {
        let s = DateTime::parse_from_rfc3339(c["conversationStart"].as_str().unwrap()).unwrap();
        assert!(s >= day, "startOfDayIntervalMatching excludes {s}");
    }

    // DELETE → 204, recorded; the job is gone afterwards.
    let r = http()
        .delete(format!("{}{JOBS}/{id}", sim.base_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_genesys_headers(r.headers());
    assert_eq!(documented_schema(JOB, "delete", 204), "");
    assert_eq!(sim.stats().jobs_deleted, vec![id.clone()]);
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/{id}")).await,
        JOB,
        "get",
        404,
        "not.found",
    );
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/{id}/results")).await,
        RESULTS,
        "get",
        404,
        "not.found",
    );
    assert!(sim.stats().jobs_created >= 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn availability_cuts_off_recent_conversations() {
    // now = 2026-03-30 12:00, lag 2 h: nothing started after 10:00 comes back.
    let now = utc(2026, 3, 30, 12, 0);
    let cfg = SimConfig {
        now: Some(now),
        availability_lag: Duration::from_secs(7200),
        ..small_config(3_000)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let (s, h, v) = get(&sim, &t, AVAIL).await;
    assert_eq!(s, 200);
    assert_genesys_headers(&h);
    assert_response_valid(&documented_schema(AVAIL, "get", 200), &v);
    assert_eq!(v["dataAvailabilityDate"], "2026-03-30T10:00:00.000Z");

    let (from, to) = (utc(2026, 3, 30, 8, 0), utc(2026, 3, 30, 14, 0));
    let id = create(&sim, &t, &json!({"interval": iv(from, to)})).await;
    wait(&sim, &t, &id).await;
    let convs = results(&sim, &t, &id, 1000).await;
    let cutoff = utc(2026, 3, 30, 10, 0);
    assert!(!convs.is_empty());
    for c in &convs {
        let s = DateTime::parse_from_rfc3339(c["conversationStart"].as_str().unwrap()).unwrap();
        assert!(s <= cutoff, "{s} is after dataAvailabilityDate");
    }
    // The sync query does see those later conversations.
    let truth = sim.dataset().ground_truth(cutoff, now, &json!({}));
    assert!(!truth.is_empty());
    let got: BTreeSet<String> = ids(&convs).into_iter().collect();
    assert!(truth.iter().all(|i| !got.contains(i)));
    sim.shutdown().await;
}

#[tokio::test]
async fn job_errors_are_error_bodies() {
    let cfg = SimConfig {
        job_delays: Duration::from_secs(30),
        ..small_config(200)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let iv = "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z";
    // Bodies the strict schema rejects are 400: the sync `paging` and invented fields.
    for body in [
        json!({"interval": iv, "paging": {"pageSize": 100, "pageNumber": 1}}),
        json!({"interval": iv, "aggregations": []}),
        json!({"interval": iv, "cursor": "abc"}),
        json!({"segmentFilters": []}),
        json!({"interval": iv, "limit": "ten"}),
    ] {
        assert!(
            !request_errors("AsyncConversationQuery", &body).is_empty(),
            "{body}"
        );
        assert_error(
            &post(&sim, &t, JOBS, &body).await,
            JOBS,
            "post",
            400,
            "bad.request",
        );
    }
    assert_error(
        &post(&sim, &t, JOBS, &json!({"interval": "yesterday"})).await,
        JOBS,
        "post",
        400,
        "bad.request",
    );
    // Results before the job is FULFILLED, unknown job, bad cursor.
    let id = create(&sim, &t, &json!({"interval": iv})).await;
    assert_eq!(wait_once(&sim, &t, &id).await, "QUEUED");
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/{id}/results")).await,
        RESULTS,
        "get",
        400,
        "bad.request",
    );
    assert_error(
        &get(&sim, &t, &format!("{JOBS}/nope")).await,
        JOB,
        "get",
        404,
        "not.found",
    );
    let r = http()
        .delete(format!("{}{JOBS}/nope", sim.base_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_error(&split(r).await, JOB, "delete", 404, "not.found");
    sim.shutdown().await;

    let sim = Sim::start(small_config(200)).await.unwrap();
    let t = token(&sim).await;
    let id = create(&sim, &t, &json!({"interval": iv})).await;
    wait(&sim, &t, &id).await;
    let bad = get(
        &sim,
        &t,
        &format!("{JOBS}/{id}/results?cursor=not-a-cursor"),
    )
    .await;
    assert_error(&bad, RESULTS, "get", 400, "bad.request");
    sim.shutdown().await;
}

async fn wait_once(sim: &Sim, t: &str, id: &str) -> String {
    let (_, _, v) = get(sim, t, &format!("{JOBS}/{id}")).await;
    v["state"].as_str().unwrap().to_string()
}
