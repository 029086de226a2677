//! The HTTP side: routes, OAuth, the rate limit, fault injection, the sync
//! query, async jobs and name lookups.
//!
//! Every response passes through [`envelope`], which adds `ININ-Correlation-Id`
//! and the `inin-ratelimit-*` headers, renders errors as Genesys `ErrorBody`
//! (with `contextId` = the correlation id), injects faults and counts stats.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Query, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{json, Value};

use crate::access::{self, Scope};
use crate::dataset::{format_time, Entity, MAX_DURATION_MS};
use crate::query::{parse_interval, AsyncConversationQuery, ConversationQuery, Matcher, Order};
use crate::rng::{mix, Rng};
use crate::{CodeExchange, Dataset, MatchMode, SimConfig, SimStats};

/// Deepest result a sync query may page to.
const MAX_PAGINATION: i64 = 100_000;
/// Largest pageSize of the name lookups.
const LOOKUP_MAX_PAGE_SIZE: usize = 500;
/// How many filtered result lists the sync query keeps.
const CACHE_ENTRIES: usize = 8;

/// Shared state of a running emulator.
pub(crate) struct State {
    pub cfg: SimConfig,
    pub dataset: Dataset,
    tokens: Mutex<HashMap<String, Token>>,
    /// Authorization codes issued by `/oauth/authorize`.
    codes: Mutex<HashMap<String, AuthCode>>,
    /// Refresh tokens issued (when `sign_in.refresh_tokens`).
    refresh_tokens: Mutex<HashMap<String, ()>>,
    /// What the sign-in user may see (`None`: no conversation details at all).
    user_scope: Option<Scope>,
    windows: Mutex<HashMap<String, Window>>,
    jobs: Mutex<HashMap<String, Job>>,
    stats: Mutex<SimStats>,
    cache: Mutex<Vec<(String, Arc<Vec<u32>>)>>,
    api_requests: AtomicU64,
    /// API requests being handled now (for `SimStats::most_in_flight`).
    in_flight: AtomicU64,
    /// When the emulator started (times in `SimStats::log` are relative to it).
    started: Instant,
}

struct Token {
    client: String,
    expires: Instant,
    uses: u64,
    /// Issued to the sign-in user (not a client-credentials token).
    user: bool,
}

/// An authorization code waiting to be exchanged.
struct AuthCode {
    challenge: String,
    redirect_uri: String,
    created: Instant,
}

/// How long an authorization code may wait for its exchange (RFC 6749 §4.1.2
/// recommends at most 10 minutes; Genesys's own value is not documented).
const CODE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(600);

/// Who an API request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// A client-credentials token: not a person.
    Client,
    /// The sign-in user.
    User,
}

struct Window {
    started: Instant,
    count: u32,
}

struct Job {
    submitted: DateTime<Utc>,
    created: Instant,
    availability: DateTime<Utc>,
    query: AsyncConversationQuery,
    matcher: Matcher,
    /// What the job's creator may see.
    scope: Scope,
    results: Option<Arc<Vec<u32>>>,
}

/// An error a handler returns; [`envelope`] renders it as an `ErrorBody`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad.request", message)
    }
    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not.found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = self.status.into_response();
        r.extensions_mut().insert(self);
        r
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// One conversation of a page: its index, and the instant it is rendered
/// at (`None`: now).
type Item = (u64, Option<DateTime<Utc>>);

/// The JSON array of a page of conversations, rendered and serialised one at a
/// time so a 1000-conversation page never exists as a tree of values.
fn page_json(ds: &Dataset, items: impl Iterator<Item = Item>, attributes: bool) -> Vec<u8> {
    let mut buf = vec![b'['];
    for (n, (i, at)) in items.enumerate() {
        if n > 0 {
            buf.push(b',');
        }
        let c = match (at, attributes) {
            (Some(t), a) => ds.conversation_at(i, a, t),
            (None, true) => ds.conversation(i),
            (None, false) => ds.conversation_without_attributes(i),
        };
        // Serialising a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut buf, &c);
    }
    buf.push(b']');
    buf
}

/// The items of the page `[offset, end)` of `total` results, `get(k)` giving
/// the k-th index. Rendered at `at` (`None`: now). With `repeat`, the page
/// also starts with the previous page's last conversation (complete) and
/// ends, when more pages follow, with an older copy of its own last one:
/// what Genesys does while data changes under a pull.
fn page_items(
    offset: u64,
    end: u64,
    total: u64,
    get: impl Fn(u64) -> u64,
    at: Option<DateTime<Utc>>,
    repeat: bool,
    ds: &Dataset,
) -> Vec<Item> {
    let mut items = Vec::with_capacity((end - offset) as usize + 1);
    if repeat && offset > 0 && offset < total {
        items.push((get(offset - 1), at));
    }
    for k in offset..end {
        let i = get(k);
        let older = repeat && k + 1 == end && end < total;
        let t = if older {
            let mid = ds.midway(i);
            Some(at.map_or(mid, |a| a.min(mid)))
        } else {
            at
        };
        items.push((i, t));
    }
    items
}

/// `envelope` with its `"conversations":null` replaced by the pre-rendered array.
fn json_with_conversations(envelope: &Value, conversations: &[u8]) -> Response {
    let text = serde_json::to_vec(envelope).unwrap_or_default();
    let marker = b"\"conversations\":null";
    let mut body = Vec::with_capacity(text.len() + conversations.len());
    match text.windows(marker.len()).position(|w| w == marker) {
        Some(p) => {
            body.extend_from_slice(&text[..p + marker.len() - 4]);
            body.extend_from_slice(conversations);
            body.extend_from_slice(&text[p + marker.len()..]);
        }
        None => body = text,
    }
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

impl State {
    pub fn new(cfg: SimConfig) -> State {
        let dataset = Dataset::new(&cfg);
        let user_scope = access::user_scope(&dataset, &cfg.sign_in.user).unwrap_or_else(|e| {
            tracing::warn!("genesys-sim: sign-in user: {e}; they see no division");
            Some(Scope {
                divisions: Some(Default::default()),
                own_user: None,
            })
        });
        State {
            dataset,
            cfg,
            tokens: Mutex::default(),
            codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            user_scope,
            windows: Mutex::default(),
            jobs: Mutex::default(),
            stats: Mutex::default(),
            cache: Mutex::default(),
            api_requests: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    pub fn stats(&self) -> SimStats {
        lock(&self.stats).clone()
    }

    /// Every access token issued so far (tests look for them where they must not be).
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.tokens).keys().cloned().collect()
    }

    /// What the sign-in user sees (`None`: no conversation details).
    pub fn user_scope(&self) -> Option<&Scope> {
        self.user_scope.as_ref()
    }

    /// The analytics scope of `who` (`None`: 403).
    fn scope_of(&self, who: &Principal) -> Option<Scope> {
        match who {
            Principal::Client => Some(Scope::all()),
            Principal::User => self.user_scope.clone(),
        }
    }

    /// A new access token for `client`.
    fn issue_token(&self, client: &str, user: bool) -> String {
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        lock(&self.tokens).insert(
            token.clone(),
            Token {
                client: client.to_string(),
                expires: Instant::now() + self.cfg.token_lifetime,
                uses: 0,
                user,
            },
        );
        lock(&self.stats).tokens_issued += 1;
        token
    }

    fn now(&self) -> DateTime<Utc> {
        self.dataset.now()
    }

    /// Which client a request belongs to (for the rate limit).
    fn client_of(&self, headers: &HeaderMap) -> String {
        match auth_header(headers) {
            Some(Auth::Bearer(t)) => lock(&self.tokens)
                .get(&t)
                .map(|x| x.client.clone())
                .unwrap_or_else(|| "anonymous".into()),
            Some(Auth::Basic(id, _)) => id,
            None => "anonymous".into(),
        }
    }

    /// Counts one request against `client`'s window: (count, allowed, reset seconds, over?).
    fn rate(&self, client: &str, count_it: bool) -> (u32, u32, u64, bool) {
        let Some(limit) = self.cfg.rate_limit else {
            return (0, u32::MAX, 0, false);
        };
        let mut w = lock(&self.windows);
        let win = w.entry(client.to_string()).or_insert(Window {
            started: Instant::now(),
            count: 0,
        });
        if win.started.elapsed() >= limit.per {
            *win = Window {
                started: Instant::now(),
                count: 0,
            };
        }
        if count_it {
            win.count = win.count.saturating_add(1);
        }
        let left = limit.per.saturating_sub(win.started.elapsed());
        let reset = left.as_millis().div_ceil(1000).max(1) as u64;
        (win.count, limit.requests, reset, win.count > limit.requests)
    }

    /// Checks the bearer token of an API request.
    fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        let token = match auth_header(headers) {
            Some(Auth::Bearer(t)) => t,
            _ => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "authentication.required",
                    "No authentication bearer token specified in authorization header.",
                ))
            }
        };
        let mut tokens = lock(&self.tokens);
        let invalid = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
            )
        };
        let Some(t) = tokens.get_mut(&token) else {
            return Err(invalid());
        };
        if Instant::now() >= t.expires {
            tokens.remove(&token);
            return Err(invalid());
        }
        t.uses += 1;
        if let Some(n) = self.cfg.faults.revoke_token_after {
            if t.uses > n {
                tokens.remove(&token);
                return Err(invalid());
            }
        }
        Ok(if t.user {
            Principal::User
        } else {
            Principal::Client
        })
    }

    /// Matching indices of a filtered selection, cached by `key`.
    async fn cached_list(
        self: &Arc<Self>,
        key: String,
        compute: impl FnOnce(&Dataset) -> Vec<u32> + Send + 'static,
    ) -> Arc<Vec<u32>> {
        if let Some(hit) = lock(&self.cache)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|x| x.1.clone())
        {
            return hit;
        }
        let me = self.clone();
        let list = tokio::task::spawn_blocking(move || Arc::new(compute(&me.dataset)))
            .await
            .unwrap_or_default();
        let mut cache = lock(&self.cache);
        cache.retain(|(k, _)| *k != key);
        cache.push((key, list.clone()));
        if cache.len() > CACHE_ENTRIES {
            cache.remove(0);
        }
        list
    }
}

enum Auth {
    Bearer(String),
    Basic(String, String),
}

fn auth_header(headers: &HeaderMap) -> Option<Auth> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = v.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(Auth::Bearer(rest.trim().to_string()))
    } else if scheme.eq_ignore_ascii_case("basic") {
        let raw = base64_decode(rest.trim())?;
        let s = String::from_utf8(raw).ok()?;
        let (id, secret) = s.split_once(':')?;
        Some(Auth::Basic(id.to_string(), secret.to_string()))
    } else {
        None
    }
}

/// Standard base64 (padding optional).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decodes `application/x-www-form-urlencoded` pairs.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = |c: u8| (c as char).to_digit(16);
                    match (hex(b[i + 1]), hex(b[i + 2])) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// The routes.
pub(crate) fn router(state: Arc<State>) -> Router {
    let details = "/api/v2/analytics/conversations/details";
    Router::new()
        .route("/oauth/token", post(oauth_token))
        .route("/oauth/authorize", get(oauth_authorize))
        .route("/api/v2/users/me", get(users_me))
        .route(
            "/api/v2/authorization/divisionspermitted/paged/me",
            get(divisions_permitted),
        )
        .route(&format!("{details}/query"), post(details_query))
        .route(&format!("{details}/jobs"), post(create_job))
        .route(&format!("{details}/jobs/availability"), get(availability))
        .route(
            &format!("{details}/jobs/{{job_id}}"),
            get(job_status).delete(delete_job),
        )
        .route(
            &format!("{details}/jobs/{{job_id}}/results"),
            get(job_results),
        )
        .route("/api/v2/routing/queues", get(queues))
        .route("/api/v2/users", get(users))
        .route("/api/v2/routing/wrapupcodes", get(wrapup_codes))
        .route("/api/v2/authorization/divisions", get(divisions))
        .fallback(|| async { ApiError::not_found("The requested resource was not found.") })
        .layer(middleware::from_fn_with_state(state.clone(), envelope))
        .with_state(state)
}

/// Stats key of a request: method and path with the job id replaced by `{jobId}`.
fn endpoint_key(method: &Method, path: &str) -> String {
    let marker = "/details/jobs/";
    let norm = match path.find(marker) {
        Some(i) => {
            let rest = &path[i + marker.len()..];
            let (id, tail) = rest.split_once('/').map_or((rest, ""), |(a, b)| (a, b));
            if id == "availability" || id.is_empty() {
                path.to_string()
            } else if tail.is_empty() {
                format!("{}{{jobId}}", &path[..i + marker.len()])
            } else {
                format!("{}{{jobId}}/{tail}", &path[..i + marker.len()])
            }
        }
        None => path.to_string(),
    };
    format!("{method} {norm}")
}

/// One API request being handled: counted in flight (and logged) from its
/// arrival until its answer is ready or the client went away.
struct Handling {
    st: Arc<State>,
    /// Its index in `SimStats::log`, when logged.
    logged: Option<usize>,
    answered: std::sync::atomic::AtomicBool,
}

impl Handling {
    fn start(st: &Arc<State>, endpoint: &str) -> Handling {
        let now = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut s = lock(&st.stats);
        s.most_in_flight = s.most_in_flight.max(now);
        let logged = (s.log.len() < crate::REQUEST_LOG_CAP).then(|| {
            s.log.push(crate::LoggedRequest {
                endpoint: endpoint.to_string(),
                arrived_ms: st.started.elapsed().as_millis() as u64,
                answered_ms: None,
                status: None,
            });
            s.log.len() - 1
        });
        drop(s);
        Handling {
            st: st.clone(),
            logged,
            answered: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The answer is ready (its body may still be on its way).
    fn answered(&self, status: u16) {
        if self.answered.swap(true, Ordering::SeqCst) {
            return;
        }
        self.st.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(i) = self.logged {
            let mut s = lock(&self.st.stats);
            if let Some(e) = s.log.get_mut(i) {
                e.answered_ms = Some(self.st.started.elapsed().as_millis() as u64);
                e.status = Some(status);
            }
        }
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        if !self.answered.swap(true, Ordering::SeqCst) {
            self.st.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The outer layer: correlation id, rate limit, auth, faults, latency, error
/// bodies, headers and stats.
async fn envelope(AxState(st): AxState<Arc<State>>, mut req: Request, next: Next) -> Response {
    let corr = uuid::Uuid::new_v4().to_string();
    let path = req.uri().path().to_string();
    let key = endpoint_key(req.method(), &path);
    {
        let mut s = lock(&st.stats);
        s.requests += 1;
        *s.per_endpoint.entry(key.clone()).or_default() += 1;
    }
    let is_api = path.starts_with("/api/");
    // Counted until answered, also when the client goes away meanwhile.
    let handling = is_api.then(|| Handling::start(&st, &key));
    let client = st.client_of(req.headers());
    let (count, allowed, reset, limited) = st.rate(&client, is_api);

    let mut reset_body = false;
    let mut resp = if limited {
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests",
            rate_message(&st.cfg),
        )
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(reset));
        r
    } else if is_api {
        if !st.cfg.faults.latency.is_zero() {
            tokio::time::sleep(st.cfg.faults.latency).await;
        }
        match st.authenticate(req.headers()) {
            Err(e) => e.into_response(),
            Ok(who) => {
                let analytics = path.starts_with("/api/v2/analytics/");
                // A signed-in user without either details permission is refused
                // like an OAuth client without it.
                let refused = analytics && (f_missing(&st) || st.scope_of(&who).is_none());
                let n = st.api_requests.fetch_add(1, Ordering::Relaxed);
                let f = &st.cfg.faults;
                let u = Rng::new(f.fault_seed, n).unit();
                if u < f.p429 {
                    let mut r = ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "too.many.requests",
                        rate_message(&st.cfg),
                    )
                    .into_response();
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(1u32));
                    r
                } else if u < f.p429 + f.p503 {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "service.unavailable",
                        "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
                    )
                    .into_response()
                } else if u < f.p429 + f.p503 + f.p504 {
                    ApiError::new(
                        StatusCode::GATEWAY_TIMEOUT,
                        "request.timeout",
                        "The request timed out.",
                    )
                    .into_response()
                } else if refused {
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "missing.any.permissions",
                        "Unable to perform the requested action. You must have at least one of the following permissions assigned: [analytics:conversationDetail:view, analytics:agentConversationDetail:view]",
                    )
                    .into_response()
                } else {
                    reset_body = u < f.p429 + f.p503 + f.p504 + f.p_reset;
                    req.extensions_mut().insert(who);
                    next.run(req).await
                }
            }
        }
    } else {
        next.run(req).await
    };

    if let Some(e) = resp.extensions_mut().remove::<ApiError>() {
        let status = resp.status();
        let body = json!({
            "message": e.message,
            "code": e.code,
            "status": e.status.as_u16(),
            "contextId": corr,
            "details": [],
            "errors": [],
        });
        let mut r = json_response(e.status, &body);
        for (k, v) in resp.headers() {
            if k != header::CONTENT_LENGTH && k != header::CONTENT_TYPE {
                r.headers_mut().insert(k.clone(), v.clone());
            }
        }
        debug_assert_eq!(status, e.status);
        resp = r;
    }
    let h = resp.headers_mut();
    h.insert(
        "ININ-Correlation-Id",
        HeaderValue::from_str(&corr).unwrap_or(HeaderValue::from_static("-")),
    );
    h.insert("inin-ratelimit-count", HeaderValue::from(count));
    h.insert("inin-ratelimit-allowed", HeaderValue::from(allowed));
    h.insert("inin-ratelimit-reset", HeaderValue::from(reset));
    let status = resp.status();
    let reset_body = reset_body && status == StatusCode::OK;
    if let Some(h) = &handling {
        h.answered(status.as_u16());
    }
    {
        let mut s = lock(&st.stats);
        *s.per_status.entry(status.as_u16()).or_default() += 1;
        if status == StatusCode::TOO_MANY_REQUESTS {
            s.responses_429 += 1;
        }
        if reset_body {
            s.resets += 1;
        }
    }
    if reset_body {
        resp = break_body(resp).await;
    } else if let Some(rate) = st
        .cfg
        .faults
        .bytes_per_sec
        .filter(|_| status == StatusCode::OK)
    {
        resp = slow_body(resp, rate).await;
    }
    resp
}

/// Sends the body in 16 KiB chunks at `rate` bytes per second.
async fn slow_body(resp: Response, rate: u64) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let chunk = 16 * 1024;
    let pause = std::time::Duration::from_secs_f64(chunk as f64 / rate.max(1) as f64);
    let chunks = futures::stream::unfold(0usize, move |at| {
        let bytes = bytes.clone();
        async move {
            if at >= bytes.len() {
                return None;
            }
            let end = (at + chunk).min(bytes.len());
            tokio::time::sleep(pause.mul_f64((end - at) as f64 / chunk as f64)).await;
            Some((Ok::<Bytes, std::io::Error>(bytes.slice(at..end)), end))
        }
    });
    Response::from_parts(parts, Body::from_stream(chunks))
}

/// Sends the first half of the body, then fails the stream so the server aborts
/// the connection (the client sees a truncated chunked body / reset).
async fn break_body(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(0..bytes.len() / 2);
    // Send the first half, let it flush (the pause), then fail the stream.
    let chunks = futures::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                1 => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    let e = std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected connection reset",
                    );
                    Some((Err(e), 2))
                }
                _ => None,
            }
        }
    });
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from_stream(chunks))
}

fn f_missing(st: &State) -> bool {
    st.cfg.faults.missing_permission
}

fn rate_message(cfg: &SimConfig) -> String {
    let (n, per) = cfg
        .rate_limit
        .map(|r| (r.requests, r.per.as_secs()))
        .unwrap_or((0, 0));
    format!("Rate limit exceeded the maximum [{n}] requests within [{per}] seconds")
}

// ---------------------------------------------------------------- OAuth

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"error": error, "description": description, "error_description": description}),
    )
}

async fn oauth_token(
    AxState(st): AxState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = form_pairs(&body);
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    match field("grant_type") {
        "client_credentials" => client_credentials(&st, &headers, &form),
        "authorization_code" => {
            let resp = authorization_code(&st, &form);
            lock(&st.stats).code_exchanges.push(CodeExchange {
                form: form.clone(),
                authorization_header: headers.contains_key(header::AUTHORIZATION),
                status: resp.status().as_u16(),
            });
            resp
        }
        "refresh_token" => refresh_grant(&st, &form),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        ),
    }
}

fn client_credentials(st: &State, headers: &HeaderMap, _form: &[(String, String)]) -> Response {
    let (id, secret) = match auth_header(headers) {
        Some(Auth::Basic(id, secret)) => (id, secret),
        _ => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication required (HTTP Basic client_id:client_secret)",
            )
        }
    };
    if id != st.cfg.client_id || secret != st.cfg.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client not found or bad client secret",
        );
    }
    let token = st.issue_token(&id, false);
    json_response(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "bearer", "expires_in": st.cfg.token_lifetime.as_secs()}),
    )
}

/// `base64url(SHA-256(verifier))` without padding (RFC 7636 §4.2, S256).
fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The authorization code grant with PKCE, the way the official SDKs send it
/// (`authorizePKCEGrant`: form `grant_type, code, code_verifier, client_id,
/// redirect_uri`, no client secret). Any problem with the code itself (unknown,
/// used, expired, other redirect URI, verifier that does not hash to the
/// challenge) is `400 invalid_grant` (RFC 6749 §5.2). The code is spent by the
/// first attempt, right or wrong.
fn authorization_code(st: &State, form: &[(String, String)]) -> Response {
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let sign_in = &st.cfg.sign_in;
    if field("client_id") != sign_in.client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client not found",
        );
    }
    let Some(code) = lock(&st.codes).remove(field("code")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "authorization code is invalid, expired or was already used",
        );
    };
    if code.created.elapsed() > CODE_LIFETIME {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "authorization code is invalid, expired or was already used",
        );
    }
    if field("redirect_uri") != code.redirect_uri {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri does not match the authorization request",
        );
    }
    let verifier = field("code_verifier");
    if verifier.is_empty() || s256(verifier) != code.challenge {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        );
    }
    user_tokens(st)
}

/// An access token for the sign-in user (and a refresh token when configured).
fn user_tokens(st: &State) -> Response {
    let token = st.issue_token(&st.cfg.sign_in.client_id, true);
    let mut body = json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": st.cfg.token_lifetime.as_secs(),
    });
    if st.cfg.sign_in.refresh_tokens {
        let refresh = uuid::Uuid::new_v4().simple().to_string();
        lock(&st.refresh_tokens).insert(refresh.clone(), ());
        body["refresh_token"] = json!(refresh);
    }
    json_response(StatusCode::OK, &body)
}

/// `grant_type=refresh_token` (only when refresh tokens are issued). Each
/// refresh token works once and is replaced by a new one.
fn refresh_grant(st: &State, form: &[(String, String)]) -> Response {
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if field("client_id") != st.cfg.sign_in.client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client not found",
        );
    }
    if lock(&st.refresh_tokens)
        .remove(field("refresh_token"))
        .is_none()
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "refresh token is invalid or expired",
        );
    }
    user_tokens(st)
}

/// `Location` for `redirect_uri` with `params` added to its query.
fn redirect_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = redirect_uri.to_string();
    for (i, (k, v)) in params.iter().enumerate() {
        let sep = if i == 0 && !redirect_uri.contains('?') {
            '?'
        } else {
            '&'
        };
        url.push(sep);
        url.push_str(k);
        url.push('=');
        url.push_str(&url_escape(v));
    }
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn html_page(status: StatusCode, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Genesys Cloud</title></head><body><p>{text}</p></body></html>"
    );
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// `GET /oauth/authorize`: the login page, auto-approved as the configured
/// sign-in user (or denied). An unknown client id or an unregistered redirect
/// URI is an error page and no redirect (the login page then shows "OAuth
/// client ID or redirect URI is invalid"); every other problem goes back to
/// the redirect URI as `error=…&error_description=…&state=…` (RFC 6749 §4.1.2.1).
async fn oauth_authorize(
    AxState(st): AxState<Arc<State>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    lock(&st.stats).authorize_requests.push(params.clone());
    let param = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let sign_in = &st.cfg.sign_in;
    let redirect_uri = param("redirect_uri");
    if param("client_id") != sign_in.client_id
        || !sign_in.redirect_uris.iter().any(|u| u == redirect_uri)
    {
        return html_page(
            StatusCode::BAD_REQUEST,
            "OAuth client ID or redirect URI is invalid.",
        );
    }
    let state = param("state");
    let fail = |error: &str, description: &str| {
        let mut p = vec![("error", error), ("error_description", description)];
        if !state.is_empty() {
            p.push(("state", state));
        }
        redirect_to(redirect_uri, &p)
    };
    if param("response_type") != "code" {
        return fail(
            "unsupported_response_type",
            "this client may only use response_type=code",
        );
    }
    let challenge = param("code_challenge");
    if challenge.is_empty() || param("code_challenge_method") != "S256" {
        return fail(
            "invalid_request",
            "code_challenge and code_challenge_method=S256 are required",
        );
    }
    if sign_in.deny {
        return fail("access_denied", "The user denied the request.");
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    lock(&st.codes).insert(
        code.clone(),
        AuthCode {
            challenge: challenge.to_string(),
            redirect_uri: redirect_uri.to_string(),
            created: Instant::now(),
        },
    );
    let mut p = vec![("code", code.as_str())];
    if !state.is_empty() {
        p.push(("state", state));
    }
    redirect_to(redirect_uri, &p)
}

// ---------------------------------------------------------------- who am I

fn requires_user(who: &Principal) -> Result<(), ApiError> {
    match who {
        Principal::User => Ok(()),
        // Measured against a real org by a third-party tool (see docs/sign-in.md):
        // 400 "This request requires a user context. Client credentials cannot be used…".
        Principal::Client => Err(ApiError::bad_request(
            "This request requires a user context. Client credentials cannot be used for requests to this resource.",
        )),
    }
}

/// The organization's name and id.
fn organization(st: &State) -> Value {
    let id = crate::rng::uuid(crate::rng::Rng::new(st.cfg.seed ^ 0x0426, 0).next_u128());
    json!({"id": id, "name": ORG_NAME, "state": "active",
           "selfUri": format!("/api/v2/organizations/{id}")})
}

/// The emulated organization's name.
pub(crate) const ORG_NAME: &str = "Genesys Export Demo";

/// `GET /api/v2/users/me` (`UserMe`) with `expand=authorization` (roles,
/// permissions) and `expand=organization`. Needs a user token.
async fn users_me(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    requires_user(&who)?;
    let expand: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "expand")
        .flat_map(|(_, v)| v.split(',').map(|x| x.trim().to_string()))
        .collect();
    let u = &st.cfg.sign_in.user;
    let home = st
        .dataset
        .division_entities()
        .first()
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let mut v = json!({
        "id": u.id, "name": u.name, "email": u.email, "username": u.email,
        "state": "active", "division": division_ref(&st.dataset, &home),
        "version": 1, "selfUri": format!("/api/v2/users/{}", u.id),
    });
    if expand.iter().any(|e| e == "organization") {
        v["organization"] = organization(&st);
    }
    if expand.iter().any(|e| e == "authorization") {
        v["authorization"] = json!({
            "roles": [{"id": "0f2b6c1e-7d3a-4b5c-8e9f-a1b2c3d4e5f6", "name": "Supervisor"}],
            "unusedRoles": [],
            "permissions": u.permissions,
            "permissionPolicies": [],
        });
    }
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET /api/v2/authorization/divisionspermitted/paged/me?permission=…`
/// (`DivsPermittedEntityListing`): the divisions where the user holds the
/// permission, and `allDivsPermitted`.
async fn divisions_permitted(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    requires_user(&who)?;
    let permission = params
        .iter()
        .find(|(k, _)| k == "permission")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if permission.split(':').count() != 3 {
        return Err(ApiError::bad_request(format!(
            "Invalid permission '{permission}'"
        )));
    }
    let l = listing(params)?;
    let u = &st.cfg.sign_in.user;
    let ds = &st.dataset;
    let held = u.has(&permission);
    let ids = match (&u.divisions, held) {
        (_, false) => Some(Default::default()),
        (None, true) => None,
        (Some(names), true) => Some(access::division_ids(ds, names).unwrap_or_default()),
    };
    let items: Vec<Value> = ds
        .division_entities()
        .iter()
        .enumerate()
        .filter(|(_, d)| ids.as_ref().is_none_or(|set| set.contains(&d.id)))
        .map(|(i, e)| {
            json!({"id": e.id, "name": e.name, "description": format!("{} division", e.name),
                   "homeDivision": i == 0, "selfUri": format!("/api/v2/authorization/divisions/{}", e.id)})
        })
        .collect();
    let mut r = l.respond("/api/v2/authorization/divisionspermitted/paged/me", items);
    let body = axum::body::to_bytes(std::mem::take(r.body_mut()), usize::MAX)
        .await
        .unwrap_or_default();
    let mut v: Value = serde_json::from_slice(&body).unwrap_or_default();
    v["allDivsPermitted"] = json!(held && ids.is_none());
    Ok(json_response(StatusCode::OK, &v))
}

// ---------------------------------------------------------------- sync query

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<(T, Value), ApiError> {
    let raw: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    let typed = serde_json::from_value(raw.clone())
        .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))?;
    Ok((typed, raw))
}

/// Midnight UTC at or before `t`.
fn day_floor(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::days(1)).unwrap_or(t)
}

/// Midnight UTC at or after `t`.
fn day_ceil(t: DateTime<Utc>) -> DateTime<Utc> {
    let f = day_floor(t);
    if f == t {
        t
    } else {
        f + TimeDelta::days(1)
    }
}

fn filter_key(raw: &Value) -> String {
    format!(
        "{}|{}",
        raw.get("conversationFilters").unwrap_or(&Value::Null),
        raw.get("segmentFilters").unwrap_or(&Value::Null)
    )
}

fn interval_too_long(cfg: &SimConfig) -> ApiError {
    let secs = cfg.max_interval.as_secs();
    let limit = if secs.is_multiple_of(86_400) {
        format!("{} days", secs / 86_400)
    } else {
        format!("{} hours", secs.div_ceil(3_600))
    };
    ApiError::bad_request(format!(
        "You must specify a search interval as part of your query that does not exceed {limit}"
    ))
}

/// A selection of conversation indices in result order.
enum Hits {
    Range(u64, u64),
    List(Arc<Vec<u32>>),
}

impl Hits {
    fn len(&self) -> u64 {
        match self {
            Hits::Range(a, b) => b - a,
            Hits::List(l) => l.len() as u64,
        }
    }
    fn get(&self, k: u64) -> u64 {
        match self {
            Hits::Range(a, _) => a + k,
            Hits::List(l) => l[k as usize] as u64,
        }
    }
}

async fn details_query(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let scope = st.scope_of(&who).unwrap_or_else(Scope::all);
    let (q, raw): (ConversationQuery, Value) = parse_body(&body)?;
    let (from, to) = parse_interval(&q.interval).map_err(ApiError::bad_request)?;
    if (to - from).to_std().unwrap_or_default() > st.cfg.max_interval {
        return Err(interval_too_long(&st.cfg));
    }
    let paging = q.paging.unwrap_or(crate::query::Paging {
        page_size: 25,
        page_number: 1,
    });
    *lock(&st.stats)
        .query_page_sizes
        .entry(paging.page_size.max(0) as u64)
        .or_default() += 1;
    let max = st.cfg.sync_max_page_size as i64;
    if paging.page_size < 1 || paging.page_size > max {
        return Err(ApiError::bad_request(format!(
            "paging.pageSize must be between 1 and {max}."
        )));
    }
    if paging.page_number < 1 {
        return Err(ApiError::bad_request(
            "paging.pageNumber must be 1 or more.",
        ));
    }
    if paging.page_size * paging.page_number > MAX_PAGINATION {
        return Err(ApiError::bad_request(
            "Pagination may not exceed 100000 results.",
        ));
    }
    let matcher = Matcher::new(q.conversation_filters.clone(), q.segment_filters.clone())
        .map_err(ApiError::bad_request)?;
    let (sel_from, sel_to) = match st.cfg.match_mode {
        MatchMode::StartedInInterval => (from, to),
        MatchMode::DayTouched => (day_floor(from), day_ceil(to)),
        // Started on a touched day and before the end (a later start has no
        // activity in the interval); the early starts are kept below only when
        // their activity reaches into the interval.
        MatchMode::DayTouchedWithActivity => (day_floor(from), to),
    };
    let (a, b) = st
        .dataset
        .started_range(sel_from.timestamp_millis(), sel_to.timestamp_millis());
    // Indices before `active_from` started before `from`: kept when active at or after `from`.
    let (active_from, from_ms) = match st.cfg.match_mode {
        MatchMode::DayTouchedWithActivity => (
            st.dataset
                .first_index_at_or_after(from.timestamp_millis())
                .clamp(a, b),
            from.timestamp_millis(),
        ),
        _ => (a, 0),
    };
    let hits = if matcher.is_empty()
        && scope.is_all()
        && !st.dataset.ties_possible()
        && active_from == a
    {
        Hits::Range(a, b)
    } else {
        let key = format!(
            "sync|{a}|{b}|{active_from}|{}|{}",
            filter_key(&raw),
            scope.key()
        );
        Hits::List(
            st.cached_list(key, move |ds| {
                let list = (a..b)
                    .filter(|&i| i >= active_from || ds.last_activity_ms(i) >= from_ms)
                    .filter(|&i| scope.sees(ds, i))
                    .filter(|&i| {
                        matcher.is_empty()
                            || (ds.may_match(i, &matcher)
                                && matcher.matches(&ds.conversation_without_attributes(i)))
                    })
                    .map(|i| i as u32)
                    .collect();
                ds.sort_by_start_then_id(list)
            })
            .await,
        )
    };
    let total = hits.len();
    let offset = ((paging.page_number - 1) * paging.page_size) as u64;
    let mut out = serde_json::Map::new();
    if offset < total {
        let end = (offset + paging.page_size as u64).min(total);
        let desc = q.order == Some(Order::Desc);
        let get = |k: u64| hits.get(if desc { total - 1 - k } else { k });
        let items = page_items(
            offset,
            end,
            total,
            get,
            None,
            st.cfg.faults.repeat_across_pages,
            &st.dataset,
        );
        let convs = page_json(&st.dataset, items.into_iter(), false);
        lock(&st.stats).conversations_served += end - offset;
        out.insert("conversations".into(), Value::Null);
        out.insert("totalHits".into(), json!(total.min(i32::MAX as u64)));
        return Ok(json_with_conversations(&Value::Object(out), &convs));
    }
    out.insert("totalHits".into(), json!(total.min(i32::MAX as u64)));
    Ok(json_response(StatusCode::OK, &Value::Object(out)))
}

// ---------------------------------------------------------------- async jobs

async fn create_job(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let scope = st.scope_of(&who).unwrap_or_else(Scope::all);
    let (q, _raw): (AsyncConversationQuery, Value) = parse_body(&body)?;
    let (from, to) = parse_interval(&q.interval).map_err(ApiError::bad_request)?;
    if let Some(max) = st.cfg.max_job_interval {
        if (to - from).to_std().unwrap_or_default() > max {
            let mut cfg = st.cfg.clone();
            cfg.max_interval = max;
            return Err(interval_too_long(&cfg));
        }
    }
    if q.limit.is_some_and(|l| l < 1) {
        return Err(ApiError::bad_request("limit must be 1 or more."));
    }
    let matcher = Matcher::new(q.conversation_filters.clone(), q.segment_filters.clone())
        .map_err(ApiError::bad_request)?;
    let id = uuid::Uuid::new_v4().to_string();
    let availability = st.now() - TimeDelta::from_std(st.cfg.availability_lag).unwrap_or_default();
    let open = {
        let mut jobs = lock(&st.jobs);
        jobs.insert(
            id.clone(),
            Job {
                submitted: Utc::now(),
                created: Instant::now(),
                availability,
                query: q,
                matcher,
                scope,
                results: None,
            },
        );
        jobs.len() as u64
    };
    {
        let mut s = lock(&st.stats);
        s.jobs_created += 1;
        s.job_intervals.push((from, to));
        s.most_open_jobs = s.most_open_jobs.max(open);
    }
    Ok(json_response(StatusCode::ACCEPTED, &json!({"jobId": id})))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum JobState {
    Queued,
    Pending,
    Fulfilled,
    Failed,
    Expired,
}

impl JobState {
    fn name(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Pending => "PENDING",
            JobState::Fulfilled => "FULFILLED",
            JobState::Failed => "FAILED",
            JobState::Expired => "EXPIRED",
        }
    }
}

fn job_state(cfg: &SimConfig, job: &Job) -> JobState {
    let e = job.created.elapsed();
    if e < cfg.job_delays {
        JobState::Queued
    } else if e < cfg.job_delays * 2 {
        JobState::Pending
    } else if cfg.faults.fail_jobs {
        JobState::Failed
    } else if cfg.faults.expire_jobs {
        JobState::Expired
    } else {
        JobState::Fulfilled
    }
}

fn unknown_job(id: &str) -> ApiError {
    ApiError::not_found(format!("No job found with id {id}"))
}

async fn job_status(
    AxState(st): AxState<Arc<State>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let jobs = lock(&st.jobs);
    let job = jobs.get(&id).ok_or_else(|| unknown_job(&id))?;
    let state = job_state(&st.cfg, job);
    let mut v = json!({
        "state": state.name(),
        "submissionDate": format_time(job.submitted),
        "expirationDate": format_time(job.submitted + TimeDelta::days(1)),
    });
    if !matches!(state, JobState::Queued | JobState::Pending) {
        let done = job.submitted + TimeDelta::from_std(st.cfg.job_delays * 2).unwrap_or_default();
        v["completionDate"] = json!(format_time(done));
    }
    if state == JobState::Failed {
        v["errorMessage"] = json!("The query failed (injected fault).");
    }
    Ok(json_response(StatusCode::OK, &v))
}

async fn delete_job(
    AxState(st): AxState<Arc<State>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if lock(&st.jobs).remove(&id).is_none() {
        return Err(unknown_job(&id));
    }
    lock(&st.stats).jobs_deleted.push(id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn availability(AxState(st): AxState<Arc<State>>) -> Response {
    if st.cfg.faults.no_availability_date {
        return json_response(StatusCode::OK, &json!({}));
    }
    let t = st.now() - TimeDelta::from_std(st.cfg.availability_lag).unwrap_or_default();
    json_response(
        StatusCode::OK,
        &json!({"dataAvailabilityDate": format_time(t)}),
    )
}

/// Conversations with activity overlapping `[from, to)` that started before
/// the availability date, filtered, ordered by start then id.
fn async_selection(
    ds: &Dataset,
    q: &AsyncConversationQuery,
    m: &Matcher,
    scope: &Scope,
    availability: DateTime<Utc>,
) -> Vec<u32> {
    let Ok((from, to)) = parse_interval(&q.interval) else {
        return Vec::new();
    };
    let mut lo = from.timestamp_millis() - MAX_DURATION_MS;
    if q.start_of_day_interval_matching == Some(true) {
        lo = lo.max(day_floor(from).timestamp_millis());
    }
    let hi = to
        .timestamp_millis()
        .min(availability.timestamp_millis() + 1);
    if hi <= lo {
        return Vec::new();
    }
    let (a, b) = ds.started_range(lo, hi);
    let from_ms = from.timestamp_millis();
    let list: Vec<u32> = (a..b)
        .filter(|&i| ds.last_activity_ms(i) > from_ms || ds.start_ms(i) >= from_ms)
        .filter(|&i| scope.sees(ds, i))
        .filter(|&i| {
            m.is_empty()
                || (ds.may_match(i, m) && m.matches(&ds.conversation_without_attributes(i)))
        })
        .map(|i| i as u32)
        .collect();
    let mut list = ds.sort_by_start_then_id(list);
    if q.order == Some(Order::Desc) {
        list.reverse();
    }
    if let Some(limit) = q.limit {
        list.truncate(limit.max(0) as usize);
    }
    list
}

fn cursor_encode(id: &str, offset: u64) -> String {
    let k = mix(id
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)));
    format!("{:016x}", offset ^ k)
}

fn cursor_decode(id: &str, cursor: &str) -> Option<u64> {
    let k = mix(id
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)));
    if cursor.len() != 16 {
        return None;
    }
    u64::from_str_radix(cursor, 16).ok().map(|v| v ^ k)
}

async fn job_results(
    AxState(st): AxState<Arc<State>>,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let max = st.cfg.async_max_page_size.max(1) as u64;
    let page_size = match param("pageSize") {
        None => max,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 => n.min(max),
            _ => return Err(ApiError::bad_request(format!("Invalid pageSize '{s}'"))),
        },
    };
    lock(&st.stats).results_page_sizes.push(page_size);
    let (existing, query, matcher, scope, availability) = {
        let jobs = lock(&st.jobs);
        let job = jobs.get(&id).ok_or_else(|| unknown_job(&id))?;
        match job_state(&st.cfg, job) {
            JobState::Fulfilled => {}
            JobState::Expired => {
                return Err(ApiError::not_found(format!(
                    "The results of job {id} have expired"
                )))
            }
            JobState::Failed => {
                return Err(ApiError::bad_request(format!(
                    "Job {id} failed; it has no results"
                )))
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Job {id} is not FULFILLED yet; poll its status first"
                )))
            }
        }
        (
            job.results.clone(),
            job.query.clone(),
            job.matcher.clone(),
            job.scope.clone(),
            job.availability,
        )
    };
    let list = match existing {
        Some(l) => l,
        None => {
            let ds_state = st.clone();
            let l = tokio::task::spawn_blocking(move || {
                Arc::new(async_selection(
                    &ds_state.dataset,
                    &query,
                    &matcher,
                    &scope,
                    availability,
                ))
            })
            .await
            .unwrap_or_default();
            if let Some(job) = lock(&st.jobs).get_mut(&id) {
                job.results = Some(l.clone());
            }
            l
        }
    };
    let offset = match param("cursor") {
        None => 0,
        Some(c) => cursor_decode(&id, &c)
            .filter(|&o| o <= list.len() as u64)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid cursor '{c}'")))?,
    };
    let end = (offset + page_size).min(list.len() as u64);
    lock(&st.stats).conversations_served += end.saturating_sub(offset);
    let mut out = serde_json::Map::new();
    if end < list.len() as u64 {
        out.insert("cursor".into(), json!(cursor_encode(&id, end)));
    }
    out.insert(
        "dataAvailabilityDate".into(),
        json!(format_time(availability)),
    );
    if end <= offset {
        return Ok(json_response(StatusCode::OK, &Value::Object(out)));
    }
    // As the datalake had them at the snapshot (`availability`).
    let items = page_items(
        offset,
        end,
        list.len() as u64,
        |k| list[k as usize] as u64,
        Some(availability),
        st.cfg.faults.repeat_across_pages,
        &st.dataset,
    );
    let convs = page_json(&st.dataset, items.into_iter(), true);
    out.insert("conversations".into(), Value::Null);
    Ok(json_with_conversations(&Value::Object(out), &convs))
}

// ---------------------------------------------------------------- lookups

/// Common lookup parameters: pageSize/pageNumber, repeated `id`, `name`, `divisionId`.
struct Listing {
    page_size: usize,
    page_number: usize,
    ids: Vec<String>,
    name: Option<String>,
    division_ids: Vec<String>,
    params: Vec<(String, String)>,
}

fn listing(params: Vec<(String, String)>) -> Result<Listing, ApiError> {
    let num = |k: &str, default: usize| -> Result<usize, ApiError> {
        match params.iter().find(|(n, _)| n == k) {
            None => Ok(default),
            Some((_, v)) => v
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| ApiError::bad_request(format!("Invalid {k} '{v}'"))),
        }
    };
    let page_size = num("pageSize", 25)?;
    if page_size > LOOKUP_MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(format!(
            "pageSize must be at most {LOOKUP_MAX_PAGE_SIZE}"
        )));
    }
    let all = |k: &str| -> Vec<String> {
        params
            .iter()
            .filter(|(n, _)| n == k)
            .flat_map(|(_, v)| v.split(',').map(str::to_string))
            .filter(|v| !v.is_empty())
            .collect()
    };
    // Entity ids are UUIDs. What Genesys answers for `id=` with something
    // else (e.g. the system wrap-up code ININ-WRAP-UP-TIMEOUT, which is not an
    // entity) is not documented; the emulator refuses the whole request with
    // 400 bad.request, the strictest plausible answer, so a client that sends
    // one finds out here rather than on a real org (issue #13).
    let ids = all("id");
    if let Some(bad) = ids
        .iter()
        .find(|id| id.len() != 36 || uuid::Uuid::try_parse(id).is_err())
    {
        return Err(ApiError::bad_request(format!(
            "The id '{bad}' is not a valid id."
        )));
    }
    Ok(Listing {
        page_size,
        page_number: num("pageNumber", 1)?,
        ids,
        name: params
            .iter()
            .find(|(n, _)| n == "name")
            .map(|(_, v)| v.clone()),
        division_ids: all("divisionId"),
        params,
    })
}

/// Name match: `*` wildcards, case-insensitive.
fn name_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_lowercase(), name.to_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == n;
    }
    let mut rest = n.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(j) => rest = &rest[j + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Listing {
    fn keep(&self, e: &Entity) -> bool {
        (self.ids.is_empty() || self.ids.contains(&e.id))
            && self
                .name
                .as_deref()
                .is_none_or(|n| name_matches(n, &e.name))
            && (self.division_ids.is_empty() || self.division_ids.contains(&e.division))
    }

    fn respond(&self, path: &str, items: Vec<Value>) -> Response {
        let total = items.len();
        let page_count = total.div_ceil(self.page_size);
        let start = (self.page_number - 1)
            .saturating_mul(self.page_size)
            .min(total);
        let end = (start + self.page_size).min(total);
        let uri = |page: usize| {
            let mut q = format!("pageSize={}&pageNumber={page}", self.page_size);
            for (k, v) in &self.params {
                if k != "pageSize" && k != "pageNumber" {
                    q.push_str(&format!("&{}={}", k, url_escape(v)));
                }
            }
            format!("{path}?{q}")
        };
        let mut v = json!({
            "entities": items[start..end],
            "pageSize": self.page_size,
            "pageNumber": self.page_number,
            "total": total,
            "pageCount": page_count,
            "firstUri": uri(1),
            "selfUri": uri(self.page_number),
            "lastUri": uri(page_count.max(1)),
        });
        if self.page_number < page_count {
            v["nextUri"] = json!(uri(self.page_number + 1));
        }
        if self.page_number > 1 {
            v["previousUri"] = json!(uri(self.page_number - 1));
        }
        json_response(StatusCode::OK, &v)
    }
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn division_ref(ds: &Dataset, id: &str) -> Value {
    let name = ds
        .division_entities()
        .iter()
        .find(|d| d.id == id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    json!({"id": id, "name": name, "selfUri": format!("/api/v2/authorization/divisions/{id}")})
}

async fn queues(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let ds = &st.dataset;
    scoped_listing(
        &st,
        &who,
        params,
        ds.queue_entities(),
        "/api/v2/routing/queues",
        |e| {
            json!({"id": e.id, "name": e.name, "division": division_ref(ds, &e.division),
               "memberCount": 10, "selfUri": format!("/api/v2/routing/queues/{}", e.id)})
        },
    )
}

/// One page of the entities of a division-scoped listing (queues, wrap-up
/// codes) the caller may see, filtered by `id`/`name` as Genesys does.
fn scoped_listing(
    st: &State,
    who: &Principal,
    params: Vec<(String, String)>,
    entities: &[Entity],
    path: &str,
    item: impl Fn(&Entity) -> Value,
) -> Result<Response, ApiError> {
    let l = listing(params)?;
    let scope = st.scope_of(who).unwrap_or_else(Scope::all);
    let items = entities
        .iter()
        .filter(|e| l.keep(e) && scope.sees_division(&e.division))
        .map(item)
        .collect();
    Ok(l.respond(path, items))
}

async fn users(
    AxState(st): AxState<Arc<State>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let state = params
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "active".into());
    if !["active", "inactive", "deleted", "any"].contains(&state.as_str()) {
        return Err(ApiError::bad_request(format!("Invalid state '{state}'")));
    }
    let l = listing(params)?;
    let ds = &st.dataset;
    let items = ds
        .user_entities()
        .iter()
        .filter(|e| l.keep(e) && (state == "any" || state == e.state))
        .enumerate()
        .map(|(i, e)| {
            let user = e.id.split('-').next().unwrap_or_default();
            json!({"id": e.id, "name": e.name, "division": division_ref(ds, &e.division),
                   "email": format!("agent.{user}@example.com"), "username": format!("agent.{user}@example.com"),
                   "state": e.state, "version": 1 + (i % 3),
                   "selfUri": format!("/api/v2/users/{}", e.id)})
        })
        .collect();
    Ok(l.respond("/api/v2/users", items))
}

async fn wrapup_codes(
    AxState(st): AxState<Arc<State>>,
    Extension(who): Extension<Principal>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let ds = &st.dataset;
    let path = "/api/v2/routing/wrapupcodes";
    scoped_listing(&st, &who, params, ds.wrapup_entities(), path, |e| {
        json!({"id": e.id, "name": e.name, "division": division_ref(ds, &e.division),
               "selfUri": format!("{path}/{}", e.id)})
    })
}

async fn divisions(
    AxState(st): AxState<Arc<State>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let l = listing(params)?;
    let items = st
        .dataset
        .division_entities()
        .iter()
        .enumerate()
        .filter(|(_, e)| l.keep(e))
        .map(|(i, e)| {
            json!({"id": e.id, "name": e.name, "description": format!("{} division", e.name),
                   "homeDivision": i == 0, "selfUri": format!("/api/v2/authorization/divisions/{}", e.id)})
        })
        .collect();
    Ok(l.respond("/api/v2/authorization/divisions", items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_forms_decode() {
        assert_eq!(
            base64_decode("ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=").unwrap(),
            b"demo-client:demo-secret"
        );
        assert_eq!(
            form_pairs(b"grant_type=client_credentials&x=a%2Cb+c"),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("x".into(), "a,b c".into())
            ]
        );
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = cursor_encode("job-1", 1234);
        assert_eq!(cursor_decode("job-1", &c), Some(1234));
        assert_eq!(cursor_decode("job-1", "xyz"), None);
    }

    #[test]
    fn wildcard_names() {
        assert!(name_matches("sup*", "Support, \"Tier 2\" – Zürich"));
        assert!(name_matches("*zürich", "Support, \"Tier 2\" – Zürich"));
        assert!(!name_matches("sales", "Sales, EMEA"));
    }

    #[test]
    fn endpoint_keys_hide_job_ids() {
        let k = endpoint_key(
            &Method::GET,
            "/api/v2/analytics/conversations/details/jobs/abc/results",
        );
        assert_eq!(
            k,
            "GET /api/v2/analytics/conversations/details/jobs/{jobId}/results"
        );
        let k = endpoint_key(
            &Method::GET,
            "/api/v2/analytics/conversations/details/jobs/availability",
        );
        assert_eq!(
            k,
            "GET /api/v2/analytics/conversations/details/jobs/availability"
        );
    }
}
