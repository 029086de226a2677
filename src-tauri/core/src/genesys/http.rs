//! The one HTTP layer every Genesys request goes through: login and token
//! cache (client credentials, or a signed-in person's token with its optional
//! refresh, and the sign-in code exchange), pacing from `inin-ratelimit-*`, retries (backon) for 429 / 502 /
//! 503 / 504 / timeouts / resets, and classification into [`Error`]s.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::config::ClientConfig;
use super::errors::{self, Purpose};
use super::progress::{human_secs, Reporter, WaitReason};
use super::secret::{Secret, UserToken};
use crate::error::{Error, GenesysDetail, Result};

/// One API call, described.
pub(crate) struct ApiRequest<'a> {
    pub method: Method,
    /// Path below the API base, starting with `/api/v2/`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<&'a serde_json::Value>,
    pub purpose: Purpose,
    /// `false` for a request that creates something (`POST …/details/jobs`):
    /// it is sent again only when the answer proves nothing was created.
    pub idempotent: bool,
    /// `false`: a timeout is handed to the caller at once (who may ask for
    /// less, e.g. a smaller results page) instead of being retried as is.
    pub retry_timeouts: bool,
}

impl<'a> ApiRequest<'a> {
    pub fn new(method: Method, path: impl Into<String>, purpose: Purpose) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            purpose,
            idempotent: true,
            retry_timeouts: true,
        }
    }

    /// The request creates something: never sent again blindly (see [`ApiRequest::idempotent`]).
    pub fn creates(mut self) -> Self {
        self.idempotent = false;
        self
    }

    /// Timeouts go back to the caller instead of being retried.
    pub fn timeouts_to_caller(mut self) -> Self {
        self.retry_timeouts = false;
        self
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub fn body(mut self, body: &'a serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// A successful answer.
pub(crate) struct ApiResponse {
    pub body: Vec<u8>,
}

/// Why a request finally failed, for callers that react to the cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The request (or reading its answer) timed out.
    Timeout,
    /// A request that creates something got no answer that proves whether it
    /// did (timeout, connection lost after sending, 502/504).
    Unanswered,
    /// The answer was larger than [`ClientConfig::max_response_bytes`].
    TooLarge,
    /// Anything else.
    Other,
}

/// A final failure and its cause.
pub(crate) struct SendError {
    pub error: Error,
    pub cause: Cause,
}

/// Why one attempt failed, and whether to try again.
enum Failure {
    /// Try again. `after` overrides the exponential backoff (Retry-After, or
    /// zero after re-login). `reason` is `None` for silent retries.
    Retry {
        error: Error,
        after: Option<Duration>,
        reason: Option<WaitReason>,
        note: String,
    },
    /// Do not try again.
    Fatal(Error, Cause),
}

impl Failure {
    fn fatal(e: Error) -> Self {
        Failure::Fatal(e, Cause::Other)
    }
}

/// Error bodies are read up to this many bytes (enough for any `ErrorBody`).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The longest token lifetime we believe: Genesys documents 5 minutes to
/// 48 hours (`OAuthClient.accessTokenValiditySeconds`, PureCloudPlatformClientV2).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// A `Retry-After` or reset longer than this is treated as this (it is then
/// past any cap we wait for anyway); keeps the arithmetic far from overflow.
const MAX_SERVER_WAIT: Duration = Duration::from_secs(365 * 86_400);

/// `d × scale`, never panicking (saturates at [`MAX_SERVER_WAIT`]).
fn scaled(d: Duration, scale: f64) -> Duration {
    let secs = d.as_secs_f64() * scale;
    if secs.is_finite() && secs >= 0.0 {
        Duration::try_from_secs_f64(secs.min(MAX_SERVER_WAIT.as_secs_f64()))
            .unwrap_or(MAX_SERVER_WAIT)
    } else {
        MAX_SERVER_WAIT
    }
}

/// `Instant::now() + d`, saturating far in the future instead of panicking.
fn now_plus(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d.min(MAX_SERVER_WAIT))
        .or_else(|| now.checked_add(Duration::from_secs(86_400)))
        .unwrap_or(now)
}

/// Read a body chunk by chunk, refusing more than `cap` bytes.
async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> std::result::Result<Vec<u8>, ReadFailure> {
    if let Some(len) = resp.content_length() {
        if len > cap as u64 {
            return Err(ReadFailure::TooLarge(len));
        }
    }
    let mut body = Vec::with_capacity(
        resp.content_length()
            .map_or(0, |l| l.min(cap as u64) as usize)
            .min(16 * 1024 * 1024),
    );
    while let Some(chunk) = resp.chunk().await.map_err(ReadFailure::Net)? {
        if body.len() + chunk.len() > cap {
            return Err(ReadFailure::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

enum ReadFailure {
    Net(reqwest::Error),
    TooLarge(u64),
}

fn mib(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

struct Token {
    value: Secret,
    refresh_at: Instant,
    generation: u64,
}

#[derive(Deserialize)]
struct TokenResponse {
    /// Read straight into a zeroizing string.
    access_token: secrecy::SecretString,
    /// A number of seconds; read as any JSON number so an absurd value is
    /// clamped rather than refused.
    #[serde(default)]
    expires_in: Option<serde_json::Number>,
    /// Like the access token, read straight into a zeroizing string.
    #[serde(default)]
    refresh_token: Option<secrecy::SecretString>,
}

/// What the token endpoint granted.
pub(crate) struct Grant {
    pub access_token: Secret,
    /// `expires_in`, read by [`token_lifetime`].
    pub lifetime: Duration,
    pub refresh_token: Option<Secret>,
}

/// Why a token request did not give a token.
enum TokenError {
    /// Network, rate limit past the cap, 5xx: as for any request.
    Failed(Failure),
    /// The token endpoint said no (a 4xx other than 429).
    Refused(StatusCode, GenesysDetail),
}

/// A signed-in person's tokens as this client holds them.
struct UserSession {
    token: UserToken,
    /// The current access token was already handed out: when it is asked for
    /// again, it expired or was refused.
    used: bool,
}

/// Token lifetime from `expires_in`: default 24 h, clamped to 1 s … 48 h.
fn token_lifetime(expires_in: Option<&serde_json::Number>) -> Duration {
    let secs = expires_in
        .and_then(|n| n.as_f64())
        .filter(|s| s.is_finite())
        .unwrap_or(86_400.0);
    Duration::from_secs_f64(secs.clamp(1.0, MAX_TOKEN_LIFETIME.as_secs_f64()))
}

/// The HTTP layer shared by every request of one client.
pub(crate) struct Http {
    pub cfg: ClientConfig,
    client: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
    /// `Some` for a signed-in person (no client-credentials login).
    user: Option<tokio::sync::Mutex<UserSession>>,
    generation: AtomicU64,
    pacer: Pacer,
    /// One permit per request in flight ([`ClientConfig::max_in_flight`]).
    slots: tokio::sync::Semaphore,
    /// Requests the running fetch still expects to make (its estimate, see
    /// `fetch::Work`). The pacer spreads the rate-limit budget only when this
    /// is more than what is left of it.
    work_left: AtomicU64,
    host: String,
}

impl Http {
    pub fn new(cfg: ClientConfig) -> Result<Self> {
        // Separate connect and read timeouts: a 10–20 MB results page on a slow
        // link may take minutes in total, but a stalled connection is noticed
        // within `read_timeout`. `request_timeout` is only a last-resort total.
        // The proxy comes from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and
        // NO_PROXY (reqwest's system proxy); the trusted roots are the bundled
        // Mozilla roots plus the operating system's store (corporate TLS
        // inspection), see the reqwest features in the workspace Cargo.toml.
        let client = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .user_agent(concat!("genesys-export/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("Could not start the HTTP client: {e}")))?;
        let host = reqwest::Url::parse(&cfg.environment.api_base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| cfg.environment.api_base.clone());
        let user = cfg
            .user_token
            .clone()
            .map(|token| tokio::sync::Mutex::new(UserSession { token, used: false }));
        let slots = tokio::sync::Semaphore::new(cfg.max_in_flight.max(1));
        Ok(Http {
            cfg,
            client,
            token: tokio::sync::Mutex::new(None),
            user,
            generation: AtomicU64::new(0),
            pacer: Pacer::default(),
            slots,
            work_left: AtomicU64::new(0),
            host,
        })
    }

    /// The fetch's estimate of the requests it still has to make (0 when
    /// none runs); see [`Pacer::acquire`].
    pub fn set_work_left(&self, requests: u64) {
        self.work_left.store(requests, Ordering::Relaxed);
    }

    /// Send with retries; returns the body of a 2xx answer.
    pub async fn send(&self, req: &ApiRequest<'_>, rep: &Reporter) -> Result<ApiResponse> {
        self.send_with(req, rep).await.map_err(|e| e.error)
    }

    /// [`Http::send`], telling why it finally failed.
    pub async fn send_with(
        &self,
        req: &ApiRequest<'_>,
        rep: &Reporter,
    ) -> std::result::Result<ApiResponse, SendError> {
        let policy = &self.cfg.retry;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.base_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_retries)
            .with_jitter();
        // A place among the requests in flight, kept through the retries: a
        // request refused once (e.g. its token expired) goes again before
        // the ones queued behind it, with the token it renewed.
        let Ok(_permit) = self.slots.acquire().await else {
            return Err(SendError {
                error: Error::internal("The request queue closed (internal error)."),
                cause: Cause::Other,
            });
        };
        let relogged = AtomicBool::new(false);
        let result = (|| self.attempt(req, rep, &relogged))
            .retry(backoff)
            .when(|f| matches!(f, Failure::Retry { .. }))
            .adjust(|f, planned| match (f, planned) {
                // Out of retries: stop whatever Genesys asked.
                (_, None) => None,
                (Failure::Retry { after: Some(a), .. }, Some(_)) => Some(*a),
                (_, planned) => planned,
            })
            .notify(|f, wait| {
                if let Failure::Retry {
                    reason: Some(reason),
                    note,
                    ..
                } = f
                {
                    let message = match reason {
                        WaitReason::RateLimited => {
                            format!("Genesys asked us to wait {} ({note}).", human_secs(wait))
                        }
                        _ => format!("{note}; trying again in {}.", human_secs(wait)),
                    };
                    rep.retrying(*reason, wait, message);
                }
            })
            .await;
        result.map_err(|f| match f {
            Failure::Retry { error, .. } => SendError {
                error,
                cause: Cause::Other,
            },
            Failure::Fatal(error, cause) => SendError { error, cause },
        })
    }

    async fn attempt(
        &self,
        req: &ApiRequest<'_>,
        rep: &Reporter,
        relogged: &AtomicBool,
    ) -> Result<ApiResponse, Failure> {
        // The rate limit's say (the request holds its place among the
        // requests in flight already, see `send_with`).
        let _slot = self
            .pacer
            .acquire(rep, self.cfg.retry.max_retry_after, &self.work_left)
            .await
            .map_err(Failure::fatal)?;
        let (token, generation) = self.token().await?;
        let url = format!("{}{}", self.cfg.environment.api_base, req.path);
        let mut rb = self
            .client
            .request(req.method.clone(), &url)
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json");
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        if let Some(body) = req.body {
            rb = rb.json(body);
        }
        let what = req.purpose.what;
        let resp = rb.send().await.map_err(|e| self.request_failure(req, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        self.pacer.observe(&headers);
        tracing::debug!(
            method = %req.method,
            path = %req.path,
            status = status.as_u16(),
            correlation_id = errors::correlation_id(&headers).unwrap_or_default(),
            "genesys request"
        );
        if status.is_success() {
            let cap = self.cfg.max_response_bytes;
            return match read_capped(resp, cap).await {
                Ok(body) => Ok(ApiResponse { body }),
                Err(ReadFailure::Net(e)) => Err(self.request_failure(req, e)),
                Err(ReadFailure::TooLarge(n)) => {
                    let corr = errors::correlation_id(&headers)
                        .map(|c| format!(", correlation id {c}"))
                        .unwrap_or_default();
                    Err(Failure::Fatal(
                        Error::new(
                            crate::ErrorKind::Server,
                            format!(
                                "Genesys Cloud's answer while {what} was larger than the {} we accept in one answer (at least {}; HTTP {}{corr}). Ask for less at a time: a shorter date range, fewer filters' worth of data, or a smaller page size.",
                                mib(cap as u64),
                                mib(n),
                                status.as_u16()
                            ),
                        ),
                        Cause::TooLarge,
                    ))
                }
            };
        }
        let body: Vec<u8> = read_capped(resp, MAX_ERROR_BODY).await.unwrap_or_default();
        let detail = errors::detail_from(status, &headers, &body);
        if !req.idempotent {
            return Err(self
                .creation_refused(req, status, &headers, detail, generation, relogged)
                .await);
        }
        match status.as_u16() {
            401 if !relogged.swap(true, Ordering::SeqCst) => {
                // The token expired or was revoked: log in again, once.
                self.invalidate(generation).await;
                Err(Failure::Retry {
                    error: self.classify(status, detail, req.purpose),
                    after: Some(Duration::ZERO),
                    reason: None,
                    note: String::new(),
                })
            }
            429 => Err(self.rate_limited(&headers, detail)),
            502..=504 => Err(Failure::Retry {
                note: format!("Genesys Cloud is busy (HTTP {})", status.as_u16()),
                error: errors::classify(status, detail, req.purpose),
                after: None,
                reason: Some(WaitReason::ServerBusy),
            }),
            _ => Err(Failure::fatal(self.classify(status, detail, req.purpose))),
        }
    }

    /// [`errors::classify`], in a signed-in person's words when this client
    /// holds a user token (401: sign in again; 403: ask for a role).
    fn classify(&self, status: StatusCode, d: GenesysDetail, p: Purpose) -> Error {
        if self.user.is_some() {
            errors::classify_user(status, d, p)
        } else {
            errors::classify(status, d, p)
        }
    }

    /// A 429: wait as asked (within the cap), everybody waits.
    fn rate_limited(&self, headers: &HeaderMap, detail: crate::error::GenesysDetail) -> Failure {
        let asked = retry_after(headers).unwrap_or(self.cfg.retry.default_retry_after);
        if asked > self.cfg.retry.max_retry_after {
            return Failure::fatal(errors::rate_limited_past_cap(
                asked.as_secs(),
                self.cfg.retry.max_retry_after.as_secs(),
                detail,
            ));
        }
        let wait = scaled(asked, self.cfg.retry.wait_scale);
        self.pacer.block_for(wait);
        Failure::Retry {
            error: errors::rate_limited_exhausted(detail),
            after: Some(wait),
            reason: Some(WaitReason::RateLimited),
            note: "rate limit".to_string(),
        }
    }

    /// A request that creates something was answered with an error. Only an
    /// answer that proves nothing was created is retried: 401 (refused
    /// before anything ran; we log in again once), 429 (Genesys's rate
    /// limiter), 503 with Genesys's own `ErrorBody` (`service.unavailable`).
    /// A 502/504 (a gateway gave up; the request may have run) is not.
    async fn creation_refused(
        &self,
        req: &ApiRequest<'_>,
        status: StatusCode,
        headers: &HeaderMap,
        detail: crate::error::GenesysDetail,
        generation: u64,
        relogged: &AtomicBool,
    ) -> Failure {
        match status.as_u16() {
            401 if !relogged.swap(true, Ordering::SeqCst) => {
                self.invalidate(generation).await;
                Failure::Retry {
                    error: self.classify(status, detail, req.purpose),
                    after: Some(Duration::ZERO),
                    reason: None,
                    note: String::new(),
                }
            }
            429 => self.rate_limited(headers, detail),
            503 if detail.code.is_some() || detail.message.is_some() => Failure::Retry {
                note: format!("Genesys Cloud is busy (HTTP {})", status.as_u16()),
                error: errors::classify(status, detail, req.purpose),
                after: None,
                reason: Some(WaitReason::ServerBusy),
            },
            502..=504 => {
                let said = errors::said(&detail);
                Failure::Fatal(
                    Error::new(
                        crate::ErrorKind::Server,
                        format!(
                            "Genesys Cloud did not confirm {} (HTTP {}): it may or may not have done it, so we did not ask again.{said}",
                            req.purpose.what,
                            status.as_u16()
                        ),
                    ),
                    Cause::Unanswered,
                )
            }
            _ => Failure::fatal(self.classify(status, detail, req.purpose)),
        }
    }

    /// A request failed without an HTTP answer (or while reading it).
    fn request_failure(&self, req: &ApiRequest<'_>, e: reqwest::Error) -> Failure {
        let what = req.purpose.what;
        if e.is_builder() || e.is_redirect() {
            return Failure::fatal(Error::internal(format!(
                "Could not build the request while {what}: {e}"
            )));
        }
        // Could not connect: nothing was sent, so even a creating request may
        // be sent again.
        if !req.idempotent && !e.is_connect() {
            let why = if e.is_timeout() {
                "did not answer in time"
            } else {
                "dropped the connection before answering"
            };
            return Failure::Fatal(
                Error::new(
                    crate::ErrorKind::Network,
                    format!(
                        "Genesys Cloud at {} {why} while {what}, so we cannot tell whether it did it; we did not ask again.",
                        self.host
                    ),
                ),
                Cause::Unanswered,
            );
        }
        if e.is_timeout() && !req.retry_timeouts {
            return Failure::Fatal(errors::network(what, &e, &self.host), Cause::Timeout);
        }
        self.net_failure(what, e)
    }

    fn net_failure(&self, what: &str, e: reqwest::Error) -> Failure {
        if e.is_builder() || e.is_redirect() {
            return Failure::fatal(Error::internal(format!(
                "Could not build the request while {what}: {e}"
            )));
        }
        let why = if e.is_timeout() {
            "the request timed out"
        } else {
            "the connection was interrupted"
        };
        Failure::Retry {
            error: errors::network(what, &e, &self.host),
            after: None,
            reason: Some(WaitReason::Network),
            note: format!("Connection problem ({why})"),
        }
    }

    /// A valid access token (logging in when needed) and its generation.
    async fn token(&self) -> Result<(Secret, u64), Failure> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok((t.value.clone(), t.generation));
            }
        }
        let (value, lifetime, margin) = match &self.user {
            None => {
                let (value, lifetime) = self.login().await?;
                (value, lifetime, (lifetime / 5).min(Duration::from_secs(60)))
            }
            Some(user) => self.user_access(user).await?,
        };
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *cached = Some(Token {
            value: value.clone(),
            refresh_at: now_plus(lifetime.saturating_sub(margin)),
            generation,
        });
        Ok((value, generation))
    }

    /// Forget the token if it is still the one that was refused.
    async fn invalidate(&self, generation: u64) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().map(|t| t.generation) == Some(generation) {
            *cached = None;
        }
    }

    /// OAuth client credentials: HTTP Basic + `grant_type=client_credentials`.
    async fn login(&self) -> Result<(Secret, Duration), Failure> {
        let creds = &self.cfg.credentials;
        match self
            .post_token(
                Some((&creds.client_id, &creds.secret)),
                &[("grant_type", "client_credentials")],
                "logging in",
            )
            .await
        {
            Ok(g) => {
                tracing::debug!(lifetime_s = g.lifetime.as_secs(), "logged in");
                Ok((g.access_token, g.lifetime))
            }
            Err(TokenError::Failed(f)) => Err(f),
            Err(TokenError::Refused(status, detail)) => Err(Failure::fatal(errors::login_refused(
                &creds.client_id,
                status,
                detail,
            ))),
        }
    }

    /// One request to the token endpoint (`POST …/oauth/token`, form-encoded,
    /// HTTP Basic only when `basic` is given). 429 and 5xx are retryable
    /// failures; other refusals come back with Genesys's words.
    async fn post_token(
        &self,
        basic: Option<(&str, &Secret)>,
        form: &[(&str, &str)],
        what: &'static str,
    ) -> Result<Grant, TokenError> {
        let mut rb = self
            .client
            .post(&self.cfg.environment.token_url)
            .header(ACCEPT, "application/json")
            .form(form);
        if let Some((id, secret)) = basic {
            rb = rb.basic_auth(id, Some(secret.expose()));
        }
        let failed = TokenError::Failed;
        let resp = rb
            .send()
            .await
            .map_err(|e| failed(self.net_failure(what, e)))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match read_capped(resp, MAX_ERROR_BODY).await {
            Ok(b) => b,
            Err(ReadFailure::Net(e)) => return Err(failed(self.net_failure(what, e))),
            Err(ReadFailure::TooLarge(_)) => {
                return Err(failed(Failure::fatal(Error::new(
                    crate::ErrorKind::Auth,
                    "Genesys Cloud's login service sent an answer far larger than a login answer; check the region or the proxy.",
                ))))
            }
        };
        if status.is_success() {
            let t: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                failed(Failure::fatal(Error::new(
                    crate::ErrorKind::Auth,
                    "Genesys Cloud's login service sent an answer we could not read.",
                )))
            })?;
            return Ok(Grant {
                lifetime: token_lifetime(t.expires_in.as_ref()),
                access_token: Secret::from(t.access_token),
                refresh_token: t
                    .refresh_token
                    .filter(|r| !secrecy::ExposeSecret::expose_secret(r).is_empty())
                    .map(Secret::from),
            });
        }
        let detail = errors::detail_from(status, &headers, &body);
        Err(failed(match status.as_u16() {
            429 => {
                let asked = retry_after(&headers).unwrap_or(self.cfg.retry.default_retry_after);
                if asked > self.cfg.retry.max_retry_after {
                    return Err(failed(Failure::fatal(errors::rate_limited_past_cap(
                        asked.as_secs(),
                        self.cfg.retry.max_retry_after.as_secs(),
                        detail,
                    ))));
                }
                Failure::Retry {
                    error: errors::rate_limited_exhausted(detail),
                    after: Some(scaled(asked, self.cfg.retry.wait_scale)),
                    reason: Some(WaitReason::RateLimited),
                    note: "login rate limit".to_string(),
                }
            }
            500..=599 => Failure::Retry {
                note: format!("Genesys Cloud's login service is busy (HTTP {status})"),
                error: errors::classify(
                    status,
                    detail,
                    Purpose {
                        what,
                        permission: "",
                    },
                ),
                after: None,
                reason: Some(WaitReason::ServerBusy),
            },
            _ => return Err(TokenError::Refused(status, detail)),
        }))
    }

    /// A signed-in person's access token, its lifetime and the refresh margin:
    /// the one given, while it lasts; then a renewed one when there is a
    /// refresh token and it works; otherwise [`Error::sign_in_expired`].
    async fn user_access(
        &self,
        user: &tokio::sync::Mutex<UserSession>,
    ) -> Result<(Secret, Duration, Duration), Failure> {
        let mut s = user.lock().await;
        let now = chrono::Utc::now();
        if s.used || s.token.expired_at(now) {
            let Some(refresh) = s.token.refresh_token.clone() else {
                return Err(Failure::fatal(Error::sign_in_expired()));
            };
            let client_id = self.cfg.credentials.client_id.clone();
            let grant = match self
                .post_token(
                    None,
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.expose()),
                        ("client_id", &client_id),
                    ],
                    "renewing your sign-in",
                )
                .await
            {
                Ok(g) => g,
                Err(TokenError::Failed(f)) => return Err(f),
                Err(TokenError::Refused(..)) => {
                    // The refresh token is spent or revoked: only signing in helps.
                    s.token.refresh_token = None;
                    return Err(Failure::fatal(Error::sign_in_expired()));
                }
            };
            tracing::debug!("renewed the sign-in with its refresh token");
            s.token = UserToken {
                expires_at: chrono::Duration::from_std(grant.lifetime)
                    .ok()
                    .and_then(|d| now.checked_add_signed(d)),
                access_token: grant.access_token,
                // Keep the old refresh token when Genesys sends no new one.
                refresh_token: grant.refresh_token.or(Some(refresh)),
            };
        }
        s.used = true;
        let lifetime = match s.token.expires_at {
            Some(e) => (e - now).to_std().unwrap_or(Duration::ZERO),
            None => Duration::from_secs(86_400),
        };
        // Without a refresh token the token is used to its last second.
        let margin = if s.token.refresh_token.is_some() {
            (lifetime / 5).min(Duration::from_secs(60))
        } else {
            Duration::ZERO
        };
        Ok((s.token.access_token.clone(), lifetime, margin))
    }

    /// The signed-in person's tokens as they are now (renewed ones included),
    /// for the keychain. `None` with client credentials.
    pub async fn user_token(&self) -> Option<UserToken> {
        match &self.user {
            Some(u) => Some(u.lock().await.token.clone()),
            None => None,
        }
    }

    /// Exchange an authorization code (sign-in with PKCE): the form the
    /// official SDKs' `authorizePKCEGrant` sends (`grant_type`, `code`,
    /// `code_verifier`, `client_id`, `redirect_uri`; no client secret; see
    /// `docs/sign-in.md` §3). One attempt: a code works once.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &Secret,
        redirect_uri: &str,
    ) -> Result<Grant> {
        let client_id = &self.cfg.credentials.client_id;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier.expose()),
            ("client_id", client_id.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        match self.post_token(None, &form, "signing in").await {
            Ok(g) => Ok(g),
            Err(TokenError::Failed(Failure::Retry { error, .. } | Failure::Fatal(error, _))) => {
                Err(error)
            }
            Err(TokenError::Refused(status, detail)) => {
                Err(errors::code_refused(client_id, status, detail))
            }
        }
    }

    /// One best-effort request with few, quick retries (job clean-up).
    pub async fn send_quick(&self, req: &ApiRequest<'_>) -> Result<ApiResponse> {
        let relogged = AtomicBool::new(false);
        let rep = Reporter::silent();
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(400))
            .with_max_times(3);
        (|| async {
            let (token, generation) = self.token().await?;
            let url = format!("{}{}", self.cfg.environment.api_base, req.path);
            let resp = self
                .client
                .request(req.method.clone(), &url)
                .bearer_auth(token.expose())
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .map_err(|e| self.net_failure(req.purpose.what, e))?;
            let status = resp.status();
            if status.is_success() || status == StatusCode::NOT_FOUND {
                return Ok(ApiResponse { body: Vec::new() });
            }
            let headers = resp.headers().clone();
            let body = read_capped(resp, MAX_ERROR_BODY).await.unwrap_or_default();
            let detail = errors::detail_from(status, &headers, &body);
            let error = errors::classify(status, detail, req.purpose);
            if status == StatusCode::UNAUTHORIZED && !relogged.swap(true, Ordering::SeqCst) {
                self.invalidate(generation).await;
            }
            if status.as_u16() == 401 || status.as_u16() == 429 || status.is_server_error() {
                Err(Failure::Retry {
                    error,
                    after: None,
                    reason: None,
                    note: String::new(),
                })
            } else {
                Err(Failure::fatal(error))
            }
        })
        .retry(backoff)
        .when(|f| matches!(f, Failure::Retry { .. }))
        .await
        .map_err(|f| {
            let _ = &rep;
            match f {
                Failure::Retry { error, .. } | Failure::Fatal(error, _) => error,
            }
        })
    }
}

/// `Retry-After` in seconds (an HTTP date is treated as absent). Absurd
/// values (1e300, "inf") become [`MAX_SERVER_WAIT`], never a panic.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    let secs: f64 = v.parse().ok()?;
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(scaled(Duration::from_secs(1), secs))
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[derive(Default)]
struct PaceState {
    /// Requests left in the current rate-limit window, as far as we know.
    remaining: Option<i64>,
    /// When the current window resets.
    reset_at: Option<Instant>,
    /// Nobody sends before this (after a 429).
    blocked_until: Option<Instant>,
    /// Requests sent and not answered yet.
    in_flight: i64,
    /// While the budget is spread: when the next request may go.
    next_at: Option<Instant>,
}

/// Spreads requests so the `inin-ratelimit-*` budget is not overrun.
#[derive(Default)]
struct Pacer {
    state: Mutex<PaceState>,
}

/// Marks one request in flight until dropped.
struct Slot<'a>(&'a Pacer);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.state.lock() {
            s.in_flight -= 1;
        }
    }
}

impl Pacer {
    /// Wait until a request may be sent, then count it. A wait longer than
    /// `cap` is refused with a `rate_limited` error.
    ///
    /// The budget is what the last answer's `inin-ratelimit-*` headers left
    /// (allowed − count, less the requests in flight) until the reset. When it
    /// covers `work_left` (what the fetch still expects to send), requests go
    /// as fast as `max_in_flight` allows: nothing requires waiting. When it
    /// does not, what is left of the budget is spread evenly until the reset
    /// (the same finish as sending it all at once and waiting, without a long
    /// silent stall and without relying on the window being fixed). When it
    /// is used up, everybody waits for the reset; after a 429, for Retry-After.
    async fn acquire(
        &self,
        rep: &Reporter,
        cap: Duration,
        work_left: &AtomicU64,
    ) -> Result<Slot<'_>> {
        loop {
            let work = work_left.load(Ordering::Relaxed);
            let (wait, used_up) = {
                let Ok(mut s) = self.state.lock() else {
                    return Ok(Slot(self));
                };
                let now = Instant::now();
                let mut wait = None;
                let mut used_up = false;
                if let Some(b) = s.blocked_until {
                    if b > now {
                        wait = Some(b - now);
                        used_up = true;
                    } else {
                        s.blocked_until = None;
                    }
                }
                if wait.is_none() {
                    if let (Some(rem), Some(reset)) = (s.remaining, s.reset_at) {
                        if reset <= now {
                            s.remaining = None;
                            s.reset_at = None;
                            s.next_at = None;
                        } else if rem <= 0 {
                            wait = Some(reset - now);
                            used_up = true;
                        } else if work.saturating_sub(s.in_flight.max(0) as u64) > rem as u64 {
                            // The budget would run out before the work is
                            // done (the work counts the requests in flight,
                            // the budget already does not): spread it until
                            // the reset.
                            match s.next_at.filter(|n| *n > now) {
                                Some(next) => wait = Some(next - now),
                                None => {
                                    let spacing =
                                        (reset - now) / u32::try_from(rem).unwrap_or(u32::MAX);
                                    s.next_at = Some(now + spacing);
                                }
                            }
                        } else {
                            s.next_at = None;
                        }
                    }
                }
                if wait.is_none() {
                    if let Some(r) = s.remaining.as_mut() {
                        *r -= 1;
                    }
                    s.in_flight += 1;
                }
                (wait, used_up)
            };
            match wait {
                None => return Ok(Slot(self)),
                Some(d) if d > cap => {
                    return Err(Error::new(
                        crate::ErrorKind::RateLimited,
                        format!(
                            "Genesys Cloud's rate limit for this client is used up for the next {}, longer than the {} s we wait at most. Try again later.",
                            human_secs(d),
                            cap.as_secs()
                        ),
                    ))
                }
                Some(d) => {
                    // Spreading the budget is not a stall: only a real wait
                    // (budget used up, or a long gap) is shown.
                    if used_up && d >= Duration::from_millis(50) || d >= Duration::from_secs(1) {
                        rep.waiting(
                            WaitReason::Pacing,
                            d,
                            format!(
                                "Pacing requests to stay within Genesys's rate limit; waiting {}.",
                                human_secs(d)
                            ),
                        );
                    }
                    tracing::trace!(wait_ms = d.as_millis() as u64, used_up, work, "pacing");
                    tokio::time::sleep(d).await;
                }
            }
        }
    }

    /// Learn the budget from an answer's `inin-ratelimit-*` headers.
    fn observe(&self, headers: &HeaderMap) {
        let (Some(count), Some(allowed), Some(reset)) = (
            header_f64(headers, "inin-ratelimit-count"),
            header_f64(headers, "inin-ratelimit-allowed"),
            header_f64(headers, "inin-ratelimit-reset"),
        ) else {
            return;
        };
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let now = Instant::now();
        // `reset` is seconds until the window resets; a huge value is an epoch time.
        let reset_secs = if reset > 1e9 {
            let epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            (reset - epoch).max(0.0)
        } else {
            reset.max(0.0)
        };
        let others_in_flight = (s.in_flight - 1).max(0);
        s.remaining = Some(allowed as i64 - count as i64 - others_in_flight);
        let reset_secs = if reset_secs.is_finite() {
            reset_secs.clamp(0.0, 3600.0)
        } else {
            3600.0
        };
        s.reset_at = Some(now + Duration::from_secs_f64(reset_secs));
    }

    /// After a 429: everybody waits.
    fn block_for(&self, wait: Duration) {
        if let Ok(mut s) = self.state.lock() {
            let until = now_plus(wait);
            if s.blocked_until.is_none_or(|b| b < until) {
                s.blocked_until = Some(until);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_only() {
        let mut h = HeaderMap::new();
        h.insert("Retry-After", "12".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(12)));
        h.insert(
            "Retry-After",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    fn budget(count: u32, allowed: u32, reset: f64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("inin-ratelimit-count", count.to_string().parse().unwrap());
        h.insert(
            "inin-ratelimit-allowed",
            allowed.to_string().parse().unwrap(),
        );
        h.insert("inin-ratelimit-reset", reset.to_string().parse().unwrap());
        h
    }

    #[tokio::test]
    async fn pacer_waits_when_budget_is_used_up() {
        let p = Pacer::default();
        let rep = Reporter::silent();
        let cap = Duration::from_secs(180);
        let none = AtomicU64::new(0);
        let slot = p.acquire(&rep, cap, &none).await.unwrap();
        p.observe(&budget(10, 10, 0.3));
        drop(slot);
        let t = Instant::now();
        let slot = p.acquire(&rep, cap, &none).await.unwrap();
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t.elapsed()
        );
        drop(slot);
        // Past the cap: refused at once, with a plain message.
        p.observe(&budget(10, 10, 0.3));
        let e = p
            .acquire(&rep, Duration::from_millis(10), &none)
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind, crate::ErrorKind::RateLimited);
        assert!(e.message.contains("rate limit"), "{}", e.message);
    }

    /// A small budget that covers the work left: no wait at all.
    #[tokio::test]
    async fn pacer_does_not_wait_when_the_budget_covers_the_work() {
        let p = Pacer::default();
        let rep = Reporter::silent();
        let cap = Duration::from_secs(180);
        let work = AtomicU64::new(5);
        drop(p.acquire(&rep, cap, &work).await.unwrap());
        // 6 left for the next 30 s, 5 to do.
        let slot = p.acquire(&rep, cap, &work).await.unwrap();
        p.observe(&budget(4, 10, 30.0));
        drop(slot);
        let t = Instant::now();
        for _ in 0..5 {
            drop(p.acquire(&rep, cap, &work).await.unwrap());
            // The page answered: one less to do.
            work.fetch_sub(1, Ordering::Relaxed);
        }
        assert!(t.elapsed() < Duration::from_millis(50), "{:?}", t.elapsed());
    }

    /// More work than budget: what is left is spread until the reset, not
    /// sent at once; and never more than the budget before the reset.
    #[tokio::test]
    async fn pacer_spreads_the_budget_when_the_work_is_larger() {
        let p = Pacer::default();
        let rep = Reporter::silent();
        let cap = Duration::from_secs(180);
        let work = AtomicU64::new(1000);
        let slot = p.acquire(&rep, cap, &work).await.unwrap();
        // 4 left (5 allowed, 1 used) for the next 0.4 s: one every 0.1 s.
        p.observe(&budget(1, 5, 0.4));
        drop(slot);
        let t = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            drop(p.acquire(&rep, cap, &work).await.unwrap());
            at.push(t.elapsed());
        }
        assert!(at[0] < Duration::from_millis(50), "{at:?}");
        assert!(at[3] >= Duration::from_millis(250), "spread: {at:?}");
        assert!(
            at[3] < Duration::from_millis(400),
            "within the window: {at:?}"
        );
        // The budget is used up: the next one waits for the reset.
        drop(p.acquire(&rep, cap, &work).await.unwrap());
        assert!(
            t.elapsed() >= Duration::from_millis(390),
            "{:?}",
            t.elapsed()
        );
    }
}
