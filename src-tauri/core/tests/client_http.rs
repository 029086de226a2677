//! The HTTP layer against a tiny scripted server on loopback: login, retries,
//! error messages, bad input. (The full fetch runs against the emulator in
//! `client_sim.rs`.)
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{TimeZone, Utc};
use genesys_core::genesys::{
    Client, ClientConfig, Credentials, Environment, FetchOptions, FetchProgress, FetchRequest,
    Filters, Strategy, WaitReason, CONNECTED,
};
use genesys_core::ErrorKind;
use serde_json::{json, Value};

type Canned = (u16, Vec<(&'static str, String)>, Value);

#[derive(Default)]
struct Script {
    token: VecDeque<(u16, Value)>,
    api: VecDeque<Canned>,
    token_calls: usize,
    api_calls: usize,
    bearers: Vec<String>,
    basic: Vec<String>,
    forms: Vec<String>,
    /// Wait this long before the n-th API answer (none when empty).
    api_delays_ms: VecDeque<u64>,
    /// "METHOD /path" of every API call.
    calls: Vec<String>,
}

type Shared = Arc<Mutex<Script>>;

fn respond(status: u16, headers: Vec<(&'static str, String)>, body: Value) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response();
    for (k, v) in headers {
        r.headers_mut().insert(k, v.parse().unwrap());
    }
    r
}

async fn token(State(s): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut s = s.lock().unwrap();
    s.token_calls += 1;
    let n = s.token_calls;
    s.basic.push(
        headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default(),
    );
    s.forms.push(body);
    let (status, body) = s.token.pop_front().unwrap_or((
        200,
        json!({"access_token": format!("tok-{n}"), "token_type": "bearer", "expires_in": 3600}),
    ));
    respond(status, vec![], body)
}

async fn api(
    State(shared): State<Shared>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let delay = {
        let mut s = shared.lock().unwrap();
        s.calls.push(format!("{method} {}", uri.path()));
        s.api_delays_ms.pop_front().unwrap_or(0)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let mut s = shared.lock().unwrap();
    s.api_calls += 1;
    s.bearers.push(
        headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default(),
    );
    let (status, h, body) = s
        .api
        .pop_front()
        .unwrap_or((200, vec![], json!({"totalHits": 0})));
    respond(status, h, body)
}

async fn server(script: Script) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(script));
    let app = Router::new()
        .route("/oauth/token", post(token))
        .fallback(api)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), shared)
}

fn config(base: &str, secret: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(
        Environment::parse(base).unwrap(),
        Credentials::new("my-client", secret),
    );
    cfg.retry.base_delay = Duration::from_millis(5);
    cfg.retry.max_delay = Duration::from_millis(20);
    cfg.retry.wait_scale = 0.01;
    cfg.retry.max_retries = 4;
    cfg
}

fn corr(id: &str) -> Vec<(&'static str, String)> {
    vec![("inin-correlation-id", id.to_string())]
}

#[tokio::test]
async fn connected_when_login_and_query_work() {
    let (base, s) = server(Script::default()).await;
    let client = Client::new(config(&base, "right")).unwrap();
    assert_eq!(client.test_connection().await.unwrap(), CONNECTED);
    let s = s.lock().unwrap();
    assert_eq!(s.token_calls, 1);
    // HTTP Basic with id:secret, grant type in the form body, bearer on the API.
    assert_eq!(s.basic[0], "Basic bXktY2xpZW50OnJpZ2h0"); // my-client:right
    assert_eq!(s.forms[0], "grant_type=client_credentials");
    assert_eq!(s.bearers[0], "Bearer tok-1");
}

#[tokio::test]
async fn wrong_secret_says_so_and_queries_nothing() {
    let (base, s) = server(Script {
        token: VecDeque::from([(
            401,
            json!({"error": "invalid_client", "description": "invalid client credentials", "error_description": "invalid client credentials"}),
        )]),
        ..Script::default()
    })
    .await;
    let client = Client::new(config(&base, "wrong")).unwrap();
    let e = client.test_connection().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.contains("secret is wrong"), "{}", e.message);
    assert!(
        e.message.contains("invalid client credentials"),
        "{}",
        e.message
    );
    assert!(
        !e.message.contains("wrong\""),
        "the secret must not appear: {}",
        e.message
    );
    assert_eq!(s.lock().unwrap().api_calls, 0);
}

#[tokio::test]
async fn missing_permission_names_it_with_genesys_details() {
    let (base, _s) = server(Script {
        api: VecDeque::from([(
            403,
            corr("corr-403"),
            json!({"message": "Unable to perform the requested action. You are missing the following permission(s): [analytics:conversationDetail:view]", "code": "missing.any.permissions", "status": 403}),
        )]),
        ..Script::default()
    })
    .await;
    let e = Client::new(config(&base, "s"))
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permission);
    assert!(e.message.contains("analytics:conversationDetail:view"));
    assert!(e.message.contains("missing.any.permissions"));
    assert!(e.message.contains("corr-403"));
    let g = e.genesys.unwrap();
    assert_eq!(g.status, Some(403));
    assert_eq!(g.correlation_id.as_deref(), Some("corr-403"));
}

#[tokio::test]
async fn rate_limit_past_the_cap_gives_up_at_once() {
    let mut h = corr("corr-429");
    h.push(("retry-after", "600".into()));
    let (base, s) = server(Script {
        api: VecDeque::from([(
            429,
            h,
            json!({"message": "Rate limit exceeded the maximum [300] requests within [60] seconds", "code": "too.many.requests", "status": 429}),
        )]),
        ..Script::default()
    })
    .await;
    let e = Client::new(config(&base, "s"))
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert!(e.message.contains("600 s"), "{}", e.message);
    assert!(
        e.message.contains("Rate limit exceeded the maximum [300]"),
        "{}",
        e.message
    );
    assert!(e.message.contains("corr-429"));
    assert_eq!(s.lock().unwrap().api_calls, 1, "no retry past the cap");
}

#[tokio::test]
async fn transient_failures_are_retried_and_reported() {
    let mut wait = corr("c1");
    wait.push(("retry-after", "12".into()));
    let (base, s) = server(Script {
        api: VecDeque::from([
            (
                503,
                corr("c0"),
                json!({"message": "busy", "code": "service.unavailable", "status": 503}),
            ),
            (
                429,
                wait,
                json!({"message": "slow down", "code": "too.many.requests", "status": 429}),
            ),
            (504, vec![], json!({"message": "timeout", "status": 504})),
        ]),
        ..Script::default()
    })
    .await;
    let client = Client::new(config(&base, "s")).unwrap();
    let seen: Arc<Mutex<Vec<FetchProgress>>> = Arc::default();
    let sink = seen.clone();
    let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut fetch = client
        .fetch(
            FetchRequest {
                from,
                to: from + chrono::Duration::hours(1),
                filters: Filters::default(),
                strategy: Strategy::Sync,
            },
            FetchOptions {
                progress: Some(Arc::new(move |p: &FetchProgress| {
                    sink.lock().unwrap().push(p.clone())
                })),
                ..FetchOptions::default()
            },
        )
        .unwrap();
    use futures::StreamExt;
    assert!(fetch.next().await.is_none(), "empty org, clean end");
    assert_eq!(s.lock().unwrap().api_calls, 4);
    let seen = seen.lock().unwrap();
    let waits: Vec<_> = seen.iter().filter_map(|p| p.waiting.clone()).collect();
    assert!(
        waits.iter().any(|w| w.reason == WaitReason::RateLimited
            && w.message.starts_with("Genesys asked us to wait")),
        "{waits:?}"
    );
    assert!(waits
        .iter()
        .any(|w| w.reason == WaitReason::ServerBusy && w.message.contains("503")));
    assert_eq!(seen.last().unwrap().retries, 3);
}

#[tokio::test]
async fn a_401_logs_in_again_once_then_gives_a_clear_error() {
    let unauthorized = || {
        (
            401,
            vec![],
            json!({"message": "Invalid login credentials.", "code": "bad.credentials", "status": 401}),
        )
    };
    let (base, s) = server(Script {
        api: VecDeque::from([unauthorized()]),
        ..Script::default()
    })
    .await;
    let client = Client::new(config(&base, "s")).unwrap();
    client.test_connection().await.unwrap();
    {
        let s = s.lock().unwrap();
        assert_eq!(s.token_calls, 2, "logged in again after the 401");
        assert_eq!(s.bearers, vec!["Bearer tok-1", "Bearer tok-2"]);
    }
    s.lock()
        .unwrap()
        .api
        .extend([unauthorized(), unauthorized()]);
    let e = client.test_connection().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.contains("bad.credentials"), "{}", e.message);
}

#[tokio::test]
async fn server_errors_give_up_after_the_retry_budget() {
    let busy = || {
        (
            503,
            corr("c"),
            json!({"message": "Service Unavailable", "code": "service.unavailable", "status": 503}),
        )
    };
    let (base, s) = server(Script {
        api: (0..10).map(|_| busy()).collect(),
        ..Script::default()
    })
    .await;
    let e = Client::new(config(&base, "s"))
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(e.message.contains("Service Unavailable"));
    assert_eq!(s.lock().unwrap().api_calls, 5, "1 try + 4 retries");
}

#[tokio::test]
async fn unreachable_host_is_a_network_error() {
    // Bind then drop a listener so the port is closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = config(&format!("http://127.0.0.1:{port}"), "s");
    cfg.retry.max_retries = 1;
    let e = Client::new(cfg)
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{}", e.message);
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let (base, s) = server(Script::default()).await;
    // Empty id / secret.
    let env = Environment::parse(&base).unwrap();
    let e = Client::new(ClientConfig::new(env.clone(), Credentials::new(" ", "x"))).unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ErrorKind::InvalidInput, Some("clientId"))
    );
    let e = Client::new(ClientConfig::new(env, Credentials::new("id", ""))).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("clientSecret"));
    // Unknown region, plain http off loopback.
    let e = Environment::parse("mars-north-1").unwrap_err();
    assert!(e.message.contains("is not a Genesys Cloud region"));
    let e = Environment::parse("http://api.example.com").unwrap_err();
    assert!(e.message.contains("https://"));
    // Unparseable date.
    let e = genesys_core::genesys::parse_datetime("from", "yesterday-ish").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("from"));
    // `to` before `from`, bad filter value.
    let client = Client::new(config(&base, "s")).unwrap();
    let from = Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap();
    let req = |to, filters| FetchRequest {
        from,
        to,
        filters,
        strategy: Strategy::Auto,
    };
    let e = client
        .fetch(
            req(from - chrono::Duration::days(1), Filters::default()),
            FetchOptions::default(),
        )
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("to"));
    let bad = Filters {
        directions: vec!["up".into()],
        ..Filters::default()
    };
    let e = client
        .fetch(
            req(from + chrono::Duration::days(1), bad),
            FetchOptions::default(),
        )
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("directions"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let s = s.lock().unwrap();
    assert_eq!((s.token_calls, s.api_calls), (0, 0), "nothing was sent");
}

/// #14.7: numbers from the server cannot crash the client. An absurd
/// `Retry-After` is past the cap (a plain error, no panic); an absurd
/// `expires_in` is clamped (login works, the token is reused).
#[tokio::test]
async fn absurd_numbers_from_the_server_are_clamped_not_a_panic() {
    for absurd in [
        "1e300",
        "18446744073709551616",
        "inf",
        "99999999999999999999999",
    ] {
        let mut h = corr("corr-429");
        h.push(("retry-after", absurd.to_string()));
        let (base, s) = server(Script {
            api: VecDeque::from([(
                429,
                h,
                json!({"message": "Rate limit exceeded", "code": "too.many.requests", "status": 429}),
            )]),
            ..Script::default()
        })
        .await;
        let e = Client::new(config(&base, "s"))
            .unwrap()
            .test_connection()
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited, "{absurd}: {}", e.message);
        assert_eq!(
            s.lock().unwrap().api_calls,
            1,
            "{absurd}: no retry past the cap"
        );
    }
    // A huge wait scale times a normal Retry-After: still no overflow.
    let mut h = corr("c");
    h.push(("retry-after", "2".into()));
    let (base, _) = server(Script {
        api: VecDeque::from([(429, h, json!({"code": "too.many.requests"}))]),
        ..Script::default()
    })
    .await;
    let mut cfg = config(&base, "s");
    cfg.retry.wait_scale = 1e300;
    cfg.retry.max_retries = 1;
    let _ = tokio::time::timeout(
        Duration::from_millis(500),
        Client::new(cfg).unwrap().test_connection(),
    )
    .await;

    for expires in [
        json!(18446744073709551615u64),
        json!(1e300),
        json!(-5),
        json!(0),
    ] {
        let (base, s) = server(Script {
            token: VecDeque::from([(
                200,
                json!({"access_token": "tok-x", "token_type": "bearer", "expires_in": expires}),
            )]),
            ..Script::default()
        })
        .await;
        let client = Client::new(config(&base, "s")).unwrap();
        assert_eq!(
            client.test_connection().await.unwrap(),
            CONNECTED,
            "{expires}"
        );
        client.test_connection().await.unwrap();
        assert!(s.lock().unwrap().token_calls >= 1, "{expires}");
    }
}

const JOBS: &str = "POST /api/v2/analytics/conversations/details/jobs";

fn async_request() -> FetchRequest {
    let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    FetchRequest {
        from,
        to: from + chrono::Duration::days(2),
        filters: Filters::default(),
        strategy: Strategy::Async,
    }
}

fn job_calls(s: &Shared) -> usize {
    s.lock()
        .unwrap()
        .calls
        .iter()
        .filter(|c| *c == JOBS)
        .count()
}

/// #13.9: `POST …/details/jobs` is never sent again blindly: an orphan job
/// would run on and count against the org's limits. Only an answer that
/// proves no job was created (429, 503 with Genesys's error body) is retried.
#[tokio::test]
async fn job_submission_is_retried_only_when_no_job_was_created() {
    use futures::StreamExt;
    let availability = (
        200,
        vec![],
        json!({"dataAvailabilityDate": "2030-01-01T00:00:00.000Z"}),
    );

    // The submission times out: one POST, a clear error.
    let (base, s) = server(Script {
        api: VecDeque::from([availability.clone(), (202, vec![], json!({"jobId": "j1"}))]),
        api_delays_ms: VecDeque::from([0, 1_500]),
        ..Script::default()
    })
    .await;
    let mut cfg = config(&base, "s");
    cfg.read_timeout = Duration::from_millis(300);
    let mut fetch = Client::new(cfg)
        .unwrap()
        .fetch(async_request(), FetchOptions::default())
        .unwrap();
    let e = fetch.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{}", e.message);
    assert!(e.message.contains("did not ask again"), "{}", e.message);
    assert!(
        e.message.contains("2024-01-01T00:00:00.000Z"),
        "{}",
        e.message
    );
    assert_eq!(job_calls(&s), 1, "{:?}", s.lock().unwrap().calls);

    // A 502 from a gateway: the job may exist; not sent again.
    let (base, s) = server(Script {
        api: VecDeque::from([availability.clone(), (502, vec![], json!({}))]),
        ..Script::default()
    })
    .await;
    let mut fetch = Client::new(config(&base, "s"))
        .unwrap()
        .fetch(async_request(), FetchOptions::default())
        .unwrap();
    let e = fetch.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server, "{}", e.message);
    assert_eq!(job_calls(&s), 1);

    // 503 with Genesys's body, then 429: no job was created; sent again.
    let (base, s) = server(Script {
        api: VecDeque::from([
            availability,
            (
                503,
                corr("c503"),
                json!({"message": "busy", "code": "service.unavailable", "status": 503}),
            ),
            (
                429,
                vec![("retry-after", "1".into())],
                json!({"code": "too.many.requests"}),
            ),
            (202, vec![], json!({"jobId": "j1"})),
            (200, vec![], json!({"state": "FULFILLED"})),
            (200, vec![], json!({"conversations": []})),
            (204, vec![], json!({})),
        ]),
        ..Script::default()
    })
    .await;
    let mut cfg = config(&base, "s");
    cfg.job_polling.initial = Duration::from_millis(10);
    let mut fetch = Client::new(cfg)
        .unwrap()
        .fetch(async_request(), FetchOptions::default())
        .unwrap();
    assert!(fetch.next().await.is_none(), "clean end");
    assert_eq!(job_calls(&s), 3, "{:?}", s.lock().unwrap().calls);
}

/// #14 (low, "cap async result pages"): a server whose job results never end
/// (a cursor it already sent, even after others in between) is refused with
/// a plain message instead of being followed for ever.
#[tokio::test]
async fn job_results_that_come_back_to_a_cursor_already_read_are_refused() {
    use futures::StreamExt;
    let page = |cursor: &str| (200, vec![], json!({"conversations": [], "cursor": cursor}));
    for cursors in [vec!["c1", "c1"], vec!["c1", "c2", "c1"]] {
        let mut api = VecDeque::from([
            (
                200,
                vec![],
                json!({"dataAvailabilityDate": "2030-01-01T00:00:00.000Z"}),
            ),
            (202, vec![], json!({"jobId": "j1"})),
            (200, vec![], json!({"state": "FULFILLED"})),
        ]);
        api.extend(cursors.iter().map(|c| page(c)));
        let (base, s) = server(Script {
            api,
            ..Script::default()
        })
        .await;
        let mut cfg = config(&base, "s");
        cfg.job_polling.initial = Duration::from_millis(10);
        let mut fetch = Client::new(cfg)
            .unwrap()
            .fetch(async_request(), FetchOptions::default())
            .unwrap();
        let got = fetch.next().await;
        let e = match got {
            Some(Err(e)) => e,
            other => panic!(
                "{cursors:?}: expected an error, got {:?}",
                other.map(|r| r.map(|c| c.conversation_id))
            ),
        };
        assert_eq!(e.kind, ErrorKind::Server, "{cursors:?}: {}", e.message);
        assert!(
            e.message.contains("kept sending more pages"),
            "{cursors:?}: {}",
            e.message
        );
        let results = s
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.ends_with("/jobs/j1/results"))
            .count();
        assert_eq!(results, cursors.len(), "{cursors:?}: read no further");
    }
}

/// #13.12: a picker reads at most `PICKER_LIMIT` entities before anything is
/// typed, and says when Genesys had more.
#[tokio::test]
async fn pickers_say_when_they_stopped_at_their_limit() {
    use genesys_core::genesys::{EntityKind, PICKER_LIMIT};
    let page = |n: usize| {
        let entities: Vec<Value> = (0..100)
            .map(|i| json!({"id": format!("00000000-0000-4000-8000-{:012}", n * 100 + i), "name": format!("Queue {:04}", n * 100 + i)}))
            .collect();
        (
            200,
            vec![],
            json!({"entities": entities, "pageSize": 100, "pageNumber": n + 1, "total": 700, "pageCount": 7}),
        )
    };
    let (base, s) = server(Script {
        api: (0..7).map(page).collect(),
        ..Script::default()
    })
    .await;
    let client = Client::new(config(&base, "s")).unwrap();
    let list = client.list_entities(EntityKind::Queue, None).await.unwrap();
    assert_eq!(list.entities.len(), PICKER_LIMIT);
    assert!(list.truncated);
    assert_eq!(list.limit as usize, PICKER_LIMIT);
    assert_eq!(s.lock().unwrap().api_calls, PICKER_LIMIT / 100);
}
