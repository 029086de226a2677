//! A Genesys Cloud emulator on loopback (see `API-NOTES.md` in `shared/genesys`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = genesys_sim::Sim::start(genesys_sim::SimConfig::default()).await?;
//! println!("{}", sim.base_url()); // login at /oauth/token, API at /api/v2/...
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Modules: [`dataset`] (the lazily generated org and conversations, ground
//! truth), [`query`] (request bodies and filter matching), `server` (the axum
//! routes, OAuth incl. sign-in with PKCE, rate limit, faults, async jobs), [`access`]
//! (the sign-in user and what their divisions let them see), [`cli`] (the
//! `genesys-sim` program).
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as ChronoDuration, DurationRound, Utc};
use tokio_util::task::AbortOnDropHandle;

pub mod access;
pub mod cli;
pub mod dataset;
mod enums;
pub mod query;
pub mod rng;
mod server;
mod tls;

pub use access::{Scope, SimUser};
pub use dataset::{Dataset, Entity};

/// The redirect URI the app registers by default (`genesys_core`'s sign-in
/// default: `http://127.0.0.1:<port>/oauth/callback`), authorized for the
/// demo organization's sign-in client.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:47815/oauth/callback";

/// Sign-in for people: the authorization code grant with PKCE
/// (`GET /oauth/authorize`, `grant_type=authorization_code`), as one
/// configured user, auto-approved (or denied).
#[derive(Debug, Clone, PartialEq)]
pub struct SignIn {
    /// Client id of the PKCE ("Code Authorization / PKCE") OAuth client.
    pub client_id: String,
    /// Its authorized redirect URIs, matched exactly (scheme, host, port, path).
    pub redirect_uris: Vec<String>,
    /// Who signs in.
    pub user: SimUser,
    /// The person refuses: the browser is sent back with `error=access_denied`.
    pub deny: bool,
    /// Also issue a `refresh_token` (Genesys's own SDKs read none after a PKCE
    /// exchange, so this is off by default; see `docs/sign-in.md`).
    pub refresh_tokens: bool,
}

impl Default for SignIn {
    fn default() -> SignIn {
        SignIn {
            client_id: "demo-sign-in".into(),
            redirect_uris: vec![DEFAULT_REDIRECT_URI.into()],
            user: SimUser::demo(),
            deny: false,
            refresh_tokens: false,
        }
    }
}

/// How the synchronous details query selects conversations from its interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchMode {
    /// Conversations that started inside `[from, to)`.
    StartedInInterval,
    /// Conversations that started on a (UTC) day touched by the interval: the
    /// documented SDK 269 wording ("started on a day touched by the interval").
    DayTouched,
    /// The full rule the older SDK docs state: "Results will include
    /// conversations that both started on a day touched by the interval AND
    /// either started, ended, or any activity during the interval.
    /// Conversations that started before the earliest day of the interval will
    /// not be searched." (`MyPureCloud/platform-client-sdk-python` @ 28dff68c,
    /// `build/docs/ConversationQuery.md`). The default.
    #[default]
    DayTouchedWithActivity,
}

/// Per-client request budget: `requests` per `per` (fixed window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

/// Fault injection. All random decisions come from `fault_seed` and the
/// request number, so a run is reproducible.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Probability of an extra 429 (with `Retry-After: 1`) on an API request.
    pub p429: f64,
    /// Probability of a 503 `service.unavailable`.
    pub p503: f64,
    /// Probability of a 504 `request.timeout`.
    pub p504: f64,
    /// Probability of a 200 whose connection is reset after part of the body.
    pub p_reset: f64,
    /// Added to every API response.
    pub latency: Duration,
    /// Send 200 bodies at most this fast (a slow link); `None`: full speed.
    pub bytes_per_sec: Option<u64>,
    /// Each access token stops working (401 `bad.credentials`) after this many API requests.
    pub revoke_token_after: Option<u64>,
    /// Async jobs end in FAILED.
    pub fail_jobs: bool,
    /// Async jobs end in EXPIRED (results then answer 404).
    pub expire_jobs: bool,
    /// Analytics endpoints answer 403 `missing.any.permissions`.
    pub missing_permission: bool,
    /// `jobs/availability` answers `{}` (no `dataAvailabilityDate`).
    pub no_availability_date: bool,
    /// Pages repeat a conversation while it is being updated: the last
    /// conversation of a page comes as an older copy (still running, fewer
    /// segments) and again, complete, at the start of the next page (sync
    /// query pages and job result pages).
    pub repeat_across_pages: bool,
    pub fault_seed: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            p429: 0.0,
            p503: 0.0,
            p504: 0.0,
            p_reset: 0.0,
            latency: Duration::ZERO,
            bytes_per_sec: None,
            revoke_token_after: None,
            fail_jobs: false,
            expire_jobs: false,
            missing_permission: false,
            no_availability_date: false,
            repeat_across_pages: false,
            fault_seed: 1,
        }
    }
}

/// A certificate chain and its private key, PEM.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

/// Everything the emulator can be told. `Default` is the small demo org.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port to bind on 127.0.0.1 (0 = any free port).
    pub port: u16,
    pub client_id: String,
    pub client_secret: String,
    /// Number of conversations spread over `[start, start + days)`.
    pub conversations: u64,
    pub seed: u64,
    pub start: DateTime<Utc>,
    pub days: u32,
    /// `expires_in` of issued tokens (client credentials and sign-in alike).
    pub token_lifetime: Duration,
    /// Sign-in for people (authorization code + PKCE).
    pub sign_in: SignIn,
    /// Largest `paging.pageSize` of the sync query.
    pub sync_max_page_size: u32,
    /// Longest interval of the sync query.
    pub max_interval: Duration,
    /// Largest (and default) `pageSize` of async job results.
    pub async_max_page_size: u32,
    pub match_mode: MatchMode,
    /// Time an async job spends QUEUED, then again PENDING, before FULFILLED
    /// (default 300 ms: real jobs wait minutes; benchmarks use 30 s).
    pub job_delays: Duration,
    /// Longest interval a job accepts (`None`: any). Genesys's own limit is
    /// not documented in the sources we have; a longer one is refused with 400.
    pub max_job_interval: Option<Duration>,
    /// `jobs/availability` answers `now - availability_lag`. Jobs return
    /// conversations as they were at that instant (the datalake snapshot):
    /// one still running then comes back without end, wrap-up or handle
    /// time, while the sync query has its final state.
    pub availability_lag: Duration,
    /// Share of conversations that are large records (10–20 KB, like real
    /// ones with media statistics); the rest are compact (2–6 KB).
    pub large_records: f64,
    /// Serve HTTPS with this certificate chain and key (PEM) instead of HTTP.
    pub tls: Option<TlsFiles>,
    pub rate_limit: Option<RateLimit>,
    pub faults: Faults,
    /// A fixed "now" (for ongoing conversations and availability); `None` = real clock.
    pub now: Option<DateTime<Utc>>,
}

impl Default for SimConfig {
    /// The demo org: 5,000 conversations over the 40 days before now (so "last
    /// week" has data, and the span crosses the October/November DST changes of
    /// the current year when run in autumn), default Genesys limits, no faults.
    fn default() -> SimConfig {
        let now = Utc::now();
        let start = (now - ChronoDuration::days(40))
            .duration_trunc(ChronoDuration::hours(1))
            .unwrap_or(now);
        SimConfig {
            port: 0,
            client_id: "demo-client".into(),
            client_secret: "demo-secret".into(),
            conversations: 5_000,
            seed: 42,
            start,
            days: 40,
            token_lifetime: Duration::from_secs(86_400),
            sign_in: SignIn::default(),
            sync_max_page_size: 100,
            max_interval: Duration::from_secs(7 * 86_400),
            async_max_page_size: 1_000,
            match_mode: MatchMode::DayTouchedWithActivity,
            job_delays: Duration::from_millis(300),
            max_job_interval: None,
            availability_lag: Duration::from_secs(3_600),
            large_records: 0.2,
            tls: None,
            rate_limit: Some(RateLimit {
                requests: 300,
                per: Duration::from_secs(60),
            }),
            faults: Faults::default(),
            now: None,
        }
    }
}

/// Counters of what the emulator has served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// All HTTP requests, including `/oauth/token`.
    pub requests: u64,
    /// Requests per endpoint, keyed like `"POST /api/v2/analytics/conversations/details/query"`
    /// (path parameters shown as `{jobId}`).
    pub per_endpoint: BTreeMap<String, u64>,
    /// Responses per status code.
    pub per_status: BTreeMap<u16, u64>,
    /// 429 responses (rate limit and injected).
    pub responses_429: u64,
    /// Responses whose connection was deliberately reset mid-body.
    pub resets: u64,
    pub tokens_issued: u64,
    pub jobs_created: u64,
    /// Ids of jobs deleted with `DELETE .../jobs/{jobId}`, in order.
    pub jobs_deleted: Vec<String>,
    /// The interval of every job created, in order.
    pub job_intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Most jobs open (created, not deleted) at one time.
    pub most_open_jobs: u64,
    /// The `pageSize` of every job results request, in order.
    pub results_page_sizes: Vec<u64>,
    /// Conversations sent in sync pages and async result pages.
    pub conversations_served: u64,
    /// Most API requests being handled at one time (arrived, not yet answered).
    pub most_in_flight: u64,
    /// Sync details queries per `paging.pageSize` (a size estimate asks for 1).
    pub query_page_sizes: BTreeMap<u64, u64>,
    /// Every API request in order of arrival (the first [`REQUEST_LOG_CAP`]):
    /// what it was and when it arrived and was answered.
    pub log: Vec<LoggedRequest>,
    /// The query parameters of every `GET /oauth/authorize`, in order.
    pub authorize_requests: Vec<Vec<(String, String)>>,
    /// Every `grant_type=authorization_code` token request, in order.
    pub code_exchanges: Vec<CodeExchange>,
}

/// Requests kept in [`SimStats::log`] (a long-running emulator stops logging there).
pub const REQUEST_LOG_CAP: usize = 100_000;

/// One API request as [`SimStats::log`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Keyed like [`SimStats::per_endpoint`].
    pub endpoint: String,
    /// Milliseconds after the emulator started when it arrived.
    pub arrived_ms: u64,
    /// Milliseconds after the emulator started when its answer was ready
    /// (`None` while it is being handled).
    pub answered_ms: Option<u64>,
    /// The status answered.
    pub status: Option<u16>,
}

/// What a client sent to exchange an authorization code (for tests that
/// check the exact request, e.g. that the verifier is sent only here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeExchange {
    /// The form fields, as sent.
    pub form: Vec<(String, String)>,
    /// Whether an `Authorization` header came with it.
    pub authorization_header: bool,
    /// The status answered.
    pub status: u16,
}

/// A running emulator.
pub struct Sim {
    addr: SocketAddr,
    state: Arc<server::State>,
    stop: tokio::sync::oneshot::Sender<()>,
    /// The server; aborted when the `Sim` is dropped.
    task: AbortOnDropHandle<()>,
}

impl Sim {
    /// Binds `127.0.0.1:cfg.port` and serves until [`Sim::shutdown`] or until it is
    /// dropped (which aborts the server); HTTPS when `cfg.tls` is set.
    pub async fn start(cfg: SimConfig) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
        let addr = listener.local_addr()?;
        let acceptor = match &cfg.tls {
            Some(files) => Some(tls::acceptor(files)?),
            None => None,
        };
        let state = Arc::new(server::State::new(cfg));
        let app = server::router(state.clone());
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let task = AbortOnDropHandle::new(tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            let served = match acceptor {
                Some(acceptor) => {
                    axum::serve(tls::TlsListener::new(listener, acceptor), app)
                        .with_graceful_shutdown(shutdown)
                        .await
                }
                None => {
                    axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown)
                        .await
                }
            };
            if let Err(e) = served {
                tracing::warn!("genesys-sim server stopped: {e}");
            }
        }));
        Ok(Sim {
            addr,
            state,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://127.0.0.1:PORT` with TLS): login
    /// at `/oauth/token`, API at `/api/v2/...`.
    pub fn base_url(&self) -> String {
        if self.state.cfg.tls.is_some() {
            format!("https://{}", self.addr)
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SimStats {
        self.state.stats()
    }

    /// Every access token issued so far (tests look for them where they must not be).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.issued_tokens()
    }

    /// The dataset being served (for ground truth and names).
    pub fn dataset(&self) -> &Dataset {
        &self.state.dataset
    }

    /// The configuration in use.
    pub fn config(&self) -> &SimConfig {
        &self.state.cfg
    }

    /// What the sign-in user sees of the conversations (`None`: nothing, the
    /// analytics endpoints answer 403). Ground truth for them is
    /// `dataset().ground_truth_for(…, scope)`.
    pub fn user_scope(&self) -> Option<&Scope> {
        self.state.user_scope()
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        // Past the wait, dropping the handle aborts the server.
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut task).await;
    }
}
