//! Everything a [`super::Client`] can be tuned with, and its validation.
use std::time::Duration;

use super::region::Environment;
use super::secret::{Credentials, Secret, UserToken};
use crate::error::{Error, Result};

/// How failed requests are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries per request (after the first attempt) for 429, 502/503/504,
    /// timeouts and connection resets.
    pub max_retries: usize,
    /// First backoff for 5xx/network errors; doubles each time, with jitter.
    pub base_delay: Duration,
    /// Longest single backoff for 5xx/network errors.
    pub max_delay: Duration,
    /// The longest `Retry-After` we accept on a 429 (the official SDKs use 3 minutes).
    /// Past it we stop with a `rate_limited` error that shows Genesys's message.
    pub max_retry_after: Duration,
    /// `Retry-After` when a 429 has none (the Java SDK uses 3 s).
    pub default_retry_after: Duration,
    /// Multiplies every `Retry-After` and rate-limit reset wait. 1.0 in
    /// production; tests shrink it so waits stay short.
    pub wait_scale: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(180),
            default_retry_after: Duration::from_secs(3),
            wait_scale: 1.0,
        }
    }
}

/// How an async details job is polled.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPolling {
    /// First wait after submitting a job.
    pub initial: Duration,
    /// Longest wait between two status checks (the wait grows 1.5x each time).
    pub max: Duration,
    /// Give up (and delete the job) after this long.
    pub timeout: Duration,
}

impl Default for JobPolling {
    fn default() -> Self {
        JobPolling {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(10),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// Client settings. Build with [`ClientConfig::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Region or explicit base URL.
    pub environment: Environment,
    /// OAuth client id and secret. With [`ClientConfig::user_token`], only
    /// the client id is used (the secret is empty).
    pub credentials: Credentials,
    /// A signed-in person's token (authorization code + PKCE, see
    /// [`super::signin`]): requests carry it, nothing logs in with client
    /// credentials, and when it expires or is refused (and no refresh token
    /// works) requests fail with [`crate::Error::sign_in_expired`].
    pub user_token: Option<UserToken>,
    /// Retries and waits.
    pub retry: RetryPolicy,
    /// Page size of the synchronous details query (default 100, Genesys accepts up to 200).
    pub sync_page_size: u32,
    /// Page size when reading async job results (default 1000). After a
    /// timeout or an answer over `max_response_bytes`, the page size of that
    /// cursor is halved (down to 1) before asking again.
    pub async_page_size: u32,
    /// Longest interval Genesys accepts in one query (default 7 days).
    pub max_interval: chrono::Duration,
    /// Length of one sync fetch window (default 1 day; never more than
    /// `max_interval`). Windows are aligned to UTC midnight.
    pub window: chrono::Duration,
    /// Length of one async job's interval (default 31 days). The largest
    /// interval a job accepts is not documented in the sources we have
    /// (see docs/genesys-client.md); a job whose submission Genesys refuses
    /// with a 400 is split in two and submitted again, down to one day.
    pub async_window: chrono::Duration,
    /// Async jobs open at the same time (default 2). Real jobs wait in a
    /// queue for minutes and count against the organization's limits.
    pub max_concurrent_jobs: usize,
    /// Async jobs stop this long before Genesys's `dataAvailabilityDate`
    /// (default 24 h); the rest is read with the sync query, which has the
    /// final state of conversations that were still running at the snapshot.
    pub availability_margin: chrono::Duration,
    /// Most results one sync query can page through (Genesys: 100,000). A window
    /// whose `totalHits` is larger is split in two.
    pub paging_cap: u64,
    /// Windows being fetched at the same time (default 4). Their pages share
    /// the `max_in_flight` requests.
    pub parallelism: usize,
    /// Requests in flight at once, all of this client's API requests together
    /// (default 4): result pages of several windows, the pages of one sync
    /// window once its first page said how many there are, name lookups,
    /// job polls. Always within the rate-limit budget (see `docs/genesys-client.md`).
    pub max_in_flight: usize,
    /// Longest wait to connect (TCP + TLS) to Genesys (default 15 s).
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer (default 60 s).
    pub read_timeout: Duration,
    /// Last-resort limit on one whole request, answer included (default
    /// 10 min: a 10–20 MB results page on a slow link takes a while).
    pub request_timeout: Duration,
    /// Largest answer we accept (default 64 MiB; a 1000-record results page
    /// of 10–20 KB records is 10–20 MB).
    pub max_response_bytes: usize,
    /// With [`super::Strategy::Auto`], ranges at least this long use async jobs
    /// when they are also big (see `auto_sync_max_conversations`).
    pub auto_async_min_span: chrono::Duration,
    /// With [`super::Strategy::Auto`], a long range whose estimated count is at
    /// most this still pages the sync query (default 20,000 = 200 pages, within
    /// one minute's default rate limit): async jobs wait for Genesys's
    /// datalake, which for a small pull is slower than paging.
    pub auto_sync_max_conversations: u64,
    /// Async job polling.
    pub job_polling: JobPolling,
    /// Raw JSON (bytes) one window keeps in memory while it is put in order;
    /// beyond it, sorted runs go to a temporary file (default 4 MiB, so a
    /// fetch holds about `parallelism` × this, whatever the day's volume).
    pub sort_memory: usize,
    /// Folder for those temporary files (default: the system's temp folder).
    pub spill_dir: Option<std::path::PathBuf>,
}

impl ClientConfig {
    /// Defaults for everything but where to connect and with what.
    pub fn new(environment: Environment, credentials: Credentials) -> Self {
        ClientConfig {
            environment,
            credentials,
            user_token: None,
            retry: RetryPolicy::default(),
            sync_page_size: 100,
            async_page_size: 1000,
            max_interval: chrono::Duration::days(7),
            window: chrono::Duration::days(1),
            async_window: chrono::Duration::days(31),
            max_concurrent_jobs: 2,
            availability_margin: chrono::Duration::hours(24),
            paging_cap: 100_000,
            parallelism: 4,
            max_in_flight: 4,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(600),
            max_response_bytes: 64 * 1024 * 1024,
            auto_async_min_span: chrono::Duration::days(3),
            auto_sync_max_conversations: 20_000,
            job_polling: JobPolling::default(),
            sort_memory: 4 * 1024 * 1024,
            spill_dir: None,
        }
    }

    /// Defaults for a signed-in person: `client_id` is the sign-in (PKCE)
    /// OAuth client's id, `token` what [`super::signin::sign_in`] returned.
    pub fn signed_in(
        environment: Environment,
        client_id: impl Into<String>,
        token: UserToken,
    ) -> Self {
        let mut cfg =
            ClientConfig::new(environment, Credentials::new(client_id, Secret::default()));
        cfg.user_token = Some(token);
        cfg
    }

    /// Check the settings without sending anything.
    pub fn validate(&self) -> Result<()> {
        if self.credentials.client_id.trim().is_empty() {
            return Err(Error::invalid(
                "clientId",
                "Enter the client id of your Genesys Cloud OAuth client.",
            ));
        }
        if let Some(t) = &self.user_token {
            if t.access_token.is_blank() {
                return Err(Error::sign_in_expired());
            }
        } else if self.credentials.secret.is_blank() {
            return Err(Error::invalid(
                "clientSecret",
                "Enter the client secret of your Genesys Cloud OAuth client.",
            ));
        }
        if self.sync_page_size == 0 || self.sync_page_size > 1000 {
            return Err(Error::invalid(
                "syncPageSize",
                "The page size of the details query must be between 1 and 1000.",
            ));
        }
        if self.async_page_size == 0 {
            return Err(Error::invalid(
                "asyncPageSize",
                "The page size of job results must be at least 1.",
            ));
        }
        if self.max_interval < chrono::Duration::minutes(1) {
            return Err(Error::invalid(
                "maxInterval",
                "The longest query interval must be at least one minute.",
            ));
        }
        if self.window < chrono::Duration::minutes(1) {
            return Err(Error::invalid(
                "window",
                "The fetch window must be at least one minute.",
            ));
        }
        if self.paging_cap < u64::from(self.sync_page_size) {
            return Err(Error::invalid(
                "pagingCap",
                "The paging cap must be at least one page.",
            ));
        }
        if self.parallelism == 0 || self.parallelism > 32 {
            return Err(Error::invalid(
                "parallelism",
                "Parallel windows must be between 1 and 32.",
            ));
        }
        if self.max_in_flight == 0 || self.max_in_flight > 64 {
            return Err(Error::invalid(
                "maxInFlight",
                "Requests in flight at once must be between 1 and 64.",
            ));
        }
        for (field, t) in [
            ("connectTimeout", self.connect_timeout),
            ("readTimeout", self.read_timeout),
            ("requestTimeout", self.request_timeout),
        ] {
            if t < Duration::from_millis(100) {
                return Err(Error::invalid(
                    field,
                    "Network timeouts must be at least 0.1 s.",
                ));
            }
        }
        if self.max_response_bytes < 64 * 1024 {
            return Err(Error::invalid(
                "maxResponseBytes",
                "The largest answer accepted must be at least 64 KiB.",
            ));
        }
        if self.async_window < chrono::Duration::hours(1) {
            return Err(Error::invalid(
                "asyncWindow",
                "An export job must cover at least one hour.",
            ));
        }
        if self.max_concurrent_jobs == 0 || self.max_concurrent_jobs > 32 {
            return Err(Error::invalid(
                "maxConcurrentJobs",
                "Export jobs at the same time must be between 1 and 32.",
            ));
        }
        if self.availability_margin < chrono::Duration::zero() {
            return Err(Error::invalid(
                "availabilityMargin",
                "The safety margin before Genesys's data availability cannot be negative.",
            ));
        }
        if !(self.retry.wait_scale.is_finite() && self.retry.wait_scale >= 0.0) {
            return Err(Error::invalid(
                "waitScale",
                "The wait scale must be a positive number.",
            ));
        }
        Ok(())
    }

    /// The window length actually used: `window`, capped by `max_interval`.
    pub fn effective_window(&self) -> chrono::Duration {
        self.window.min(self.max_interval)
    }
}
