//! OAuth and the synchronous details query, over real HTTP, validated against
//! `openapi-subset.json`.
mod common;

use common::*;
use genesys_sim::{MatchMode, Sim, SimConfig};
use serde_json::{json, Value};

fn interval(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{}/{}",
        from.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        to.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

#[tokio::test]
async fn oauth_issues_tokens_and_rejects_bad_credentials() {
    let sim = Sim::start(small_config(100)).await.unwrap();
    let url = format!("{}/oauth/token", sim.base_url());

    let r = http()
        .post(&url)
        .basic_auth("demo-client", Some("demo-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, h, v) = split(r).await;
    assert_eq!(status, 200);
    assert_genesys_headers(&h);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 86_400);
    assert!(v["access_token"].as_str().is_some_and(|t| t.len() >= 32));

    let r = http()
        .post(&url)
        .basic_auth("demo-client", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, h, v) = split(r).await;
    assert_eq!(status, 401);
    assert_genesys_headers(&h);
    assert_eq!(v["error"], "invalid_client");
    assert!(v["error_description"].is_string() && v["description"].is_string());

    // Credentials in the form body instead of HTTP Basic are refused.
    let r = http()
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Unknown bearer and missing bearer → ErrorBody.
    let body = json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"});
    let resp = post(&sim, "not-a-token", QUERY, &body).await;
    assert_error(&resp, QUERY, "post", 401, "bad.credentials");
    let r = http()
        .post(format!("{}{QUERY}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(
        &split(r).await,
        QUERY,
        "post",
        401,
        "authentication.required",
    );
    assert_eq!(sim.stats().tokens_issued, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_token_gets_bad_credentials() {
    let cfg = SimConfig {
        token_lifetime: std::time::Duration::from_secs(2),
        ..small_config(50)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let body = json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"});
    assert_eq!(post(&sim, &t, QUERY, &body).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_error(
        &post(&sim, &t, QUERY, &body).await,
        QUERY,
        "post",
        401,
        "bad.credentials",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn paging_yields_exactly_the_ground_truth() {
    let cfg = SimConfig {
        match_mode: MatchMode::StartedInInterval,
        ..small_config(6_000)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    // 00:30 on the DST day to 13:10: not aligned to days or slots.
    let (from, to) = (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 13, 10));
    let queue = ds.queues()[0].0.clone();
    let division = ds.divisions()[1].0.clone();
    let wrapup = ds.wrapup_codes()[3].0.clone();
    let user = ds.users()[5].0.clone();
    let bodies = [
        json!({"interval": interval(from, to), "order": "asc", "orderBy": "conversationStart"}),
        json!({"interval": interval(from, to),
               "segmentFilters": [{"type": "or", "predicates": [
                   {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": queue}]}]}),
        json!({"interval": interval(from, to),
               "segmentFilters": [
                   {"type": "or", "predicates": [{"dimension": "mediaType", "value": "chat"},
                                                 {"dimension": "mediaType", "value": "email"}]},
                   {"type": "and", "predicates": [{"dimension": "direction", "value": "inbound"}]}],
               "conversationFilters": [{"type": "or", "predicates": [{"dimension": "divisionId", "value": division}]}]}),
        json!({"interval": interval(from, to),
               "segmentFilters": [{"type": "or", "clauses": [
                   {"type": "and", "predicates": [{"dimension": "wrapUpCode", "value": wrapup}]},
                   {"type": "and", "predicates": [{"dimension": "userId", "value": user}]}]}]}),
        json!({"interval": interval(from, to),
               "conversationFilters": [{"type": "and", "predicates": [
                   {"type": "metric", "metric": "tAbandon", "range": {"gte": 1}}]}]}),
    ];
    let mut sizes = Vec::new();
    for body in bodies {
        let truth = ds.ground_truth(from, to, &body);
        let (ids, convs) = page_sync(&sim, &t, body.clone(), 37).await;
        assert_eq!(ids, truth, "body {body}");
        for c in &convs {
            let start = c["conversationStart"].as_str().unwrap();
            let s = chrono::DateTime::parse_from_rfc3339(start).unwrap();
            assert!(s >= from && s < to, "{start} outside interval");
            assert!(
                c["participants"][0].get("attributes").is_none(),
                "sync rows carry no attributes"
            );
        }
        sizes.push(truth.len());
    }
    // The unfiltered window really holds data, and each filter really narrows it.
    assert!(sizes[0] > 500, "{sizes:?}");
    for s in &sizes[1..] {
        assert!(*s > 0 && *s < sizes[0], "{sizes:?}");
    }
    // Filtered conversations really carry the filtered value.
    let body = json!({"interval": interval(from, to),
        "segmentFilters": [{"type": "or", "predicates": [{"dimension": "queueId", "value": queue}]}]});
    let (_, convs) = page_sync(&sim, &t, body, 100).await;
    assert!(convs.iter().all(|c| c.to_string().contains(&queue)));
    sim.shutdown().await;
}

#[tokio::test]
async fn day_touched_mode_extends_to_whole_utc_days_and_desc_reverses() {
    let sim = Sim::start(SimConfig {
        match_mode: MatchMode::DayTouched,
        ..small_config(3_000)
    })
    .await
    .unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    let body = json!({"interval": interval(utc(2026, 3, 29, 10, 0), utc(2026, 3, 29, 11, 0))});
    let (ids, _) = page_sync(&sim, &t, body.clone(), 100).await;
    assert_eq!(
        ids,
        ds.ground_truth(utc(2026, 3, 29, 0, 0), utc(2026, 3, 30, 0, 0), &json!({}))
    );
    let mut desc = body.clone();
    desc["order"] = json!("desc");
    let (rev, _) = page_sync(&sim, &t, desc, 100).await;
    assert_eq!(rev, ids.iter().rev().cloned().collect::<Vec<_>>());
    sim.shutdown().await;
}

/// The default is the rule the older SDK docs state: started on a day touched
/// by the interval AND started, ended or had activity during it
/// (`MyPureCloud/platform-client-sdk-python` @ 28dff68c, `build/docs/ConversationQuery.md`).
#[tokio::test]
async fn default_mode_is_day_touched_and_active_in_the_interval() {
    let sim = Sim::start(small_config(3_000)).await.unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    let (from, to) = (utc(2026, 3, 29, 10, 0), utc(2026, 3, 29, 11, 0));
    let (ids, _) = page_sync(&sim, &t, json!({"interval": interval(from, to)}), 100).await;
    // Independent truth: every conversation of that UTC day, kept when it
    // starts in the interval or its activity (last wrap-up included) reaches it.
    let day = ds.ground_truth(utc(2026, 3, 29, 0, 0), utc(2026, 3, 30, 0, 0), &json!({}));
    let index_of = |id: &str| {
        (0..ds.len())
            .find(|&i| ds.conversation_id(i) == id)
            .unwrap()
    };
    let want: Vec<String> = day
        .iter()
        .filter(|id| {
            let i = index_of(id);
            let start = ds.start_ms(i);
            start < to.timestamp_millis()
                && (start >= from.timestamp_millis()
                    || ds.last_activity_ms(i) >= from.timestamp_millis())
        })
        .cloned()
        .collect();
    assert_eq!(ids, want);
    let started_before = want
        .iter()
        .filter(|id| ds.start_ms(index_of(id)) < from.timestamp_millis())
        .count();
    assert!(
        started_before > 0,
        "conversations active across 10:00 are included"
    );
    assert!(want.len() < day.len(), "the rest of the day is not");
    sim.shutdown().await;
}

#[tokio::test]
async fn past_the_last_page_there_is_no_conversations_key() {
    // 450 conversations over 3 days: 150 on the first day.
    let sim = Sim::start(small_config(450)).await.unwrap();
    let t = token(&sim).await;
    let body = json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z",
                      "paging": {"pageSize": 100, "pageNumber": 2}});
    let (s, _, v) = post(&sim, &t, QUERY, &body).await;
    assert_eq!(s, 200);
    assert_response_valid("AnalyticsConversationQueryResponse", &v);
    let total = v["totalHits"].as_u64().unwrap();
    assert_eq!(total, 150);
    assert_eq!(
        v["conversations"].as_array().map(Vec::len),
        Some(total as usize - 100)
    );
    let body = json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z",
                      "paging": {"pageSize": 100, "pageNumber": 3}});
    let (s, _, v) = post(&sim, &t, QUERY, &body).await;
    assert_eq!(s, 200);
    assert_response_valid("AnalyticsConversationQueryResponse", &v);
    assert!(v.get("conversations").is_none(), "{v}");
    assert_eq!(v["totalHits"].as_u64(), Some(total));
    // Default page size is 25.
    let (_, _, v) = post(
        &sim,
        &t,
        QUERY,
        &json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"}),
    )
    .await;
    assert_eq!(v["conversations"].as_array().unwrap().len(), 25);
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_queries_get_400_error_bodies() {
    let sim = Sim::start(small_config(100)).await.unwrap();
    let t = token(&sim).await;
    let iv = "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z";
    // Bodies the schema itself rejects (strict): invented fields, wrong shapes.
    let schema_invalid = [
        json!({"interval": iv, "dateFrom": "2026-03-28"}),
        json!({"interval": iv, "groupBy": ["queueId"]}),
        json!({"interval": iv, "select": ["conversationId"]}),
        json!({"interval": iv, "paging": {"pageSize": 10, "pageNumber": 1, "cursor": "x"}}),
        json!({"interval": iv, "segmentFilters": [{"predicates": [{"dimension": "queueId", "value": "q"}]}]}),
        json!({"interval": iv, "segmentFilters": [{"type": "and", "predicates": [{"dimension": "queueId", "value": "q", "nextPageUri": "x"}]}]}),
        json!({"interval": iv, "order": "sideways"}),
        json!({"interval": iv, "segmentFilters": [{"type": "and", "predicates": [{"dimension": "dateFrom", "value": "q"}]}]}),
        json!({"paging": {"pageSize": 10, "pageNumber": 1}}),
    ];
    for body in schema_invalid {
        assert!(
            !request_errors("ConversationQuery", &body).is_empty(),
            "schema accepts {body}"
        );
        let resp = post(&sim, &t, QUERY, &body).await;
        assert_error(&resp, QUERY, "post", 400, "bad.request");
    }
    // Schema-valid bodies that break the API's limits.
    let limits = [
        (
            json!({"interval": iv, "paging": {"pageSize": 101, "pageNumber": 1}}),
            "pageSize",
        ),
        (
            json!({"interval": iv, "paging": {"pageSize": 100, "pageNumber": 1001}}),
            "Pagination may not exceed 100000 results.",
        ),
        (
            json!({"interval": "2026-03-01T00:00:00.000Z/2026-03-08T00:00:01.000Z"}),
            "You must specify a search interval as part of your query that does not exceed 7 days",
        ),
        (json!({"interval": "2026-03-28"}), "interval"),
        (
            json!({"interval": "2026-03-29T00:00:00.000Z/2026-03-28T00:00:00.000Z"}),
            "interval",
        ),
    ];
    for (body, text) in limits {
        assert_request_valid("ConversationQuery", &body);
        let resp = post(&sim, &t, QUERY, &body).await;
        assert_error(&resp, QUERY, "post", 400, "bad.request");
        assert!(
            resp.2["message"].as_str().unwrap().contains(text),
            "{}",
            resp.2
        );
    }
    // Exactly 7 days and exactly 100000 results deep are fine.
    let ok = json!({"interval": "2026-03-01T00:00:00.000Z/2026-03-08T00:00:00.000Z",
                    "paging": {"pageSize": 100, "pageNumber": 1000}});
    assert_eq!(post(&sim, &t, QUERY, &ok).await.0, 200);
    // Not JSON at all.
    let r = http()
        .post(format!("{}{QUERY}", sim.base_url()))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(&split(r).await, QUERY, "post", 400, "bad.request");
    sim.shutdown().await;
}

#[tokio::test]
async fn conversations_are_schema_valid_and_consistent() {
    // "now" inside the span, so some conversations are still ongoing.
    let cfg = SimConfig {
        now: Some(utc(2026, 3, 29, 12, 0)),
        ..small_config(4_000)
    };
    let sim = Sim::start(cfg).await.unwrap();
    let t = token(&sim).await;
    let body = json!({"interval": "2026-03-29T00:00:00.000Z/2026-03-30T00:00:00.000Z"});
    let (_, convs) = page_sync(&sim, &t, body, 100).await;
    assert!(convs.len() > 500);
    let ms_z = |s: &str| s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.';
    let (mut ongoing, mut transfers, mut abandons, mut media) =
        (0, 0, 0, std::collections::BTreeSet::new());
    for c in &convs {
        let start = c["conversationStart"].as_str().unwrap();
        assert!(ms_z(start), "{start}");
        assert!(
            start < "2026-03-29T12:00:00.001Z",
            "nothing starts after now"
        );
        match c["conversationEnd"].as_str() {
            Some(e) => assert!(ms_z(e) && e >= start),
            None => ongoing += 1,
        }
        for p in c["participants"].as_array().unwrap() {
            for s in p["sessions"].as_array().unwrap() {
                media.insert(s["mediaType"].as_str().unwrap().to_string());
                let m: std::collections::HashMap<&str, i64> = s["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| (m["name"].as_str().unwrap(), m["value"].as_i64().unwrap()))
                    .collect();
                if let Some(h) = m.get("tHandle") {
                    let parts = m.get("tTalkComplete").unwrap_or(&0)
                        + m.get("tHeldComplete").unwrap_or(&0)
                        + m.get("tAcw").unwrap_or(&0);
                    assert_eq!(*h, parts, "tHandle = talk + held + acw in {c}");
                }
                if m.contains_key("nTransferred") {
                    transfers += 1;
                }
                if m.contains_key("tAbandon") {
                    abandons += 1;
                }
                for seg in s["segments"].as_array().unwrap() {
                    assert!(ms_z(seg["segmentStart"].as_str().unwrap()));
                    if seg["segmentType"] == "wrapup" && seg.get("segmentEnd").is_some() {
                        assert!(seg["wrapUpCode"].is_string());
                    }
                }
            }
        }
    }
    assert!(ongoing > 0, "some conversations are ongoing at now");
    assert!(transfers > 0 && abandons > 0);
    for m in ["voice", "chat", "email", "message", "callback"] {
        assert!(media.contains(m), "{m} missing: {media:?}");
    }
    let all = serde_json::to_string(&convs).unwrap();
    assert!(all.contains("\"ani\":\"+"), "ANI starting with +");
    assert!(all.contains("\"wrapUpNote\":\"="), "a note starting with =");
    // Real-org shapes: a system wrap-up code, and inbound calls with an
    // outbound leg (a transfer to an outside number).
    assert!(all.contains("\"wrapUpCode\":\"ININ-WRAP-UP-TIMEOUT\""));
    assert!(convs.iter().any(|c| {
        c["originatingDirection"] == "inbound"
            && c["participants"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["purpose"] == "external" && p["sessions"][0]["direction"] == "outbound")
    }));
    assert!(all.contains("José Álvarez") || all.contains("Zürich"));
    sim.shutdown().await;
}

#[test]
fn dataset_is_deterministic_and_monotonic() {
    let a = genesys_sim::Dataset::new(&small_config(1_000));
    let b = genesys_sim::Dataset::new(&small_config(1_000));
    assert_eq!(a.conversation(123), b.conversation(123));
    let other = genesys_sim::Dataset::new(&SimConfig {
        seed: 8,
        ..small_config(1_000)
    });
    assert_ne!(a.conversation(123), other.conversation(123));
    let starts: Vec<i64> = (0..1_000).map(|i| a.start_ms(i)).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
    let v: Value = a.conversation(5);
    assert_response_valid("AnalyticsConversation", &v);
    assert_eq!(a.queues().len(), 20);
    assert_eq!(a.users().len(), 200);
    assert_eq!(a.wrapup_codes().len(), 30);
    assert_eq!(a.divisions().len(), 3);
}
