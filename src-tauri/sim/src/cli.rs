//! Command line of the standalone `genesys-sim` program.
//!
//! `genesys-sim --port 0 --conversations 1000000 --seed 7 --start 2026-10-01 --days 30`
//! prints `listening on http://127.0.0.1:PORT` as its first line and serves until Ctrl-C.
//!
//! `genesys-sim --conversations 3000 --seed 7 --start 2026-10-01 --days 10 ground-truth
//! --from 2026-10-02T00:00:00Z --to 2026-10-05T00:00:00Z` prints the ids of the
//! conversations of that dataset which an export of `[from, to)` must contain, one per
//! line, and exits (for tests outside Rust). With `--as-sign-in-user`, only the ones the
//! sign-in user sees (`--sign-in-division`, `--sign-in-permission`).
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::query::Matcher;
use crate::{Dataset, Faults, MatchMode, RateLimit, Sim, SimConfig};

/// A Genesys Cloud emulator on 127.0.0.1 (OAuth, analytics details query and
/// async jobs, name lookups) with a deterministic synthetic org.
#[derive(Debug, Parser)]
#[command(name = "genesys-sim", version)]
pub struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// OAuth client id (default: demo-client).
    #[arg(long)]
    pub client_id: Option<String>,
    /// OAuth client secret (default: demo-secret).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// Number of conversations.
    #[arg(long, default_value_t = 5_000)]
    pub conversations: u64,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// First day (YYYY-MM-DD, UTC) or RFC 3339 instant (default: 40 days ago).
    #[arg(long)]
    pub start: Option<String>,
    /// Number of days the conversations are spread over.
    #[arg(long, default_value_t = 40)]
    pub days: u32,
    /// Access token lifetime in seconds (client credentials and sign-in alike).
    #[arg(long, default_value_t = 86_400)]
    pub token_lifetime: u64,
    /// Client id of the sign-in (authorization code + PKCE) OAuth client (default: demo-sign-in).
    #[arg(long)]
    pub sign_in_client_id: Option<String>,
    /// An authorized redirect URI of the sign-in client, matched exactly; repeat for more
    /// (default: http://127.0.0.1:47815/oauth/callback).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// The sign-in user refuses: the browser goes back with error=access_denied.
    #[arg(long)]
    pub deny_sign_in: bool,
    /// Also issue refresh tokens to the sign-in user.
    #[arg(long)]
    pub refresh_tokens: bool,
    /// A division (name or id) the sign-in user's role covers; repeat for more
    /// (default: Home and "Sales, EMEA"; "*" = all divisions).
    #[arg(long = "sign-in-division")]
    pub sign_in_divisions: Vec<String>,
    /// A permission of the sign-in user; repeat for more (default:
    /// analytics:conversationDetail:view, routing:queue:view, routing:wrapupCode:view).
    #[arg(long = "sign-in-permission")]
    pub sign_in_permissions: Vec<String>,
    /// Largest pageSize of the sync details query.
    #[arg(long, default_value_t = 100)]
    pub sync_max_page_size: u32,
    /// Longest sync query interval, in days.
    #[arg(long, default_value_t = 7.0)]
    pub max_interval_days: f64,
    /// Largest pageSize of async job results.
    #[arg(long, default_value_t = 1_000)]
    pub async_max_page_size: u32,
    /// Sync query matching: "activity" (started on a day touched by the interval and started, ended or
    /// was active in it; the documented rule), "day" (started on a day touched by it) or "started" (started in it).
    #[arg(long, default_value = "activity", value_parser = ["activity", "day", "started"])]
    pub match_mode: String,
    /// Milliseconds an async job stays QUEUED and then PENDING (each).
    #[arg(long, default_value_t = 300)]
    pub job_delay_ms: u64,
    /// Longest interval an async job accepts, in days (default: any).
    #[arg(long)]
    pub max_job_interval_days: Option<f64>,
    /// Share of conversations that are large (10–20 KB) records, 0 to 1.
    #[arg(long, default_value_t = 0.2)]
    pub large_records: f64,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Seconds that jobs/availability lags behind now.
    #[arg(long, default_value_t = 3_600)]
    pub availability_lag_secs: u64,
    /// Requests allowed per client per window (0 = no rate limit).
    #[arg(long, default_value_t = 300)]
    pub rate_limit: u32,
    /// Rate limit window in seconds.
    #[arg(long, default_value_t = 60)]
    pub rate_window_secs: u64,
    /// Probability of an injected 429.
    #[arg(long, default_value_t = 0.0)]
    pub p429: f64,
    /// Probability of an injected 503.
    #[arg(long, default_value_t = 0.0)]
    pub p503: f64,
    /// Probability of an injected 504.
    #[arg(long, default_value_t = 0.0)]
    pub p504: f64,
    /// Probability of a connection reset in the middle of a 200 body.
    #[arg(long, default_value_t = 0.0)]
    pub p_reset: f64,
    /// Added latency per API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Send response bodies at most this many bytes per second (a slow link).
    #[arg(long)]
    pub bytes_per_sec: Option<u64>,
    /// Revoke each access token after this many API requests.
    #[arg(long)]
    pub revoke_token_after: Option<u64>,
    /// Async jobs end in FAILED.
    #[arg(long)]
    pub fail_jobs: bool,
    /// Async jobs end in EXPIRED.
    #[arg(long)]
    pub expire_jobs: bool,
    /// Analytics endpoints answer 403 missing.any.permissions.
    #[arg(long)]
    pub missing_permission: bool,
    /// jobs/availability answers without a dataAvailabilityDate.
    #[arg(long)]
    pub no_availability_date: bool,
    /// Pages repeat a conversation (an older copy, then the complete one).
    #[arg(long)]
    pub repeat_across_pages: bool,
    /// Seed of the fault decisions.
    #[arg(long, default_value_t = 1)]
    pub fault_seed: u64,
    /// Fixed "now" (RFC 3339) instead of the real clock.
    #[arg(long)]
    pub now: Option<String>,
    /// Instead of serving, print something about the dataset and exit.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the program does instead of serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the ids of the conversations that started in [--from, --to) and match
    /// the filters of --query-json, one per line, ordered by start then id (the
    /// ground truth an export of that range must equal), then exit.
    GroundTruth {
        /// Start of the range, included (YYYY-MM-DD in UTC, or an RFC 3339 instant).
        #[arg(long)]
        from: String,
        /// End of the range, excluded (YYYY-MM-DD in UTC, or an RFC 3339 instant).
        #[arg(long)]
        to: String,
        /// A ConversationQuery-shaped JSON body whose conversationFilters and
        /// segmentFilters apply (its interval is ignored).
        #[arg(long)]
        query_json: Option<String>,
        /// Only what the sign-in user sees (their divisions and permissions).
        #[arg(long)]
        as_sign_in_user: bool,
    },
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD) or an RFC 3339 instant"))
}

impl Args {
    /// The configuration these arguments describe.
    pub fn config(&self) -> Result<SimConfig, String> {
        let mut cfg = SimConfig {
            port: self.port,
            conversations: self.conversations,
            seed: self.seed,
            days: self.days,
            token_lifetime: Duration::from_secs(self.token_lifetime),
            sync_max_page_size: self.sync_max_page_size,
            max_interval: Duration::from_secs_f64(self.max_interval_days.max(0.0) * 86_400.0),
            async_max_page_size: self.async_max_page_size,
            match_mode: match self.match_mode.as_str() {
                "started" => MatchMode::StartedInInterval,
                "day" => MatchMode::DayTouched,
                _ => MatchMode::DayTouchedWithActivity,
            },
            job_delays: Duration::from_millis(self.job_delay_ms),
            max_job_interval: self
                .max_job_interval_days
                .map(|d| Duration::from_secs_f64(d.max(0.0) * 86_400.0)),
            large_records: self.large_records.clamp(0.0, 1.0),
            availability_lag: Duration::from_secs(self.availability_lag_secs),
            rate_limit: (self.rate_limit > 0).then(|| RateLimit {
                requests: self.rate_limit,
                per: Duration::from_secs(self.rate_window_secs.max(1)),
            }),
            faults: Faults {
                p429: self.p429,
                p503: self.p503,
                p504: self.p504,
                p_reset: self.p_reset,
                latency: Duration::from_millis(self.latency_ms),
                bytes_per_sec: self.bytes_per_sec.filter(|&b| b > 0),
                revoke_token_after: self.revoke_token_after,
                fail_jobs: self.fail_jobs,
                expire_jobs: self.expire_jobs,
                missing_permission: self.missing_permission,
                no_availability_date: self.no_availability_date,
                repeat_across_pages: self.repeat_across_pages,
                fault_seed: self.fault_seed,
            },
            ..SimConfig::default()
        };
        if let Some(id) = &self.client_id {
            cfg.client_id = id.clone();
        }
        if let Some(secret) = &self.client_secret {
            cfg.client_secret = secret.clone();
        }
        if let Some(s) = &self.start {
            cfg.start = parse_instant(s)?;
        }
        if let Some(s) = &self.now {
            cfg.now = Some(parse_instant(s)?);
        }
        let sign_in = &mut cfg.sign_in;
        if let Some(id) = &self.sign_in_client_id {
            sign_in.client_id = id.clone();
        }
        if !self.redirect_uris.is_empty() {
            sign_in.redirect_uris = self.redirect_uris.clone();
        }
        sign_in.deny = self.deny_sign_in;
        sign_in.refresh_tokens = self.refresh_tokens;
        if self.sign_in_divisions.iter().any(|d| d == "*") {
            sign_in.user.divisions = None;
        } else if !self.sign_in_divisions.is_empty() {
            sign_in.user.divisions = Some(self.sign_in_divisions.clone());
        }
        if !self.sign_in_permissions.is_empty() {
            sign_in.user.permissions = self.sign_in_permissions.clone();
        }
        if let Some(names) = &cfg.sign_in.user.divisions {
            crate::access::division_ids(&Dataset::new(&cfg), names)
                .map_err(|e| format!("--sign-in-division: {e}"))?;
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
            };
            cfg.tls = Some(crate::TlsFiles {
                cert_pem: read(cert)?,
                key_pem: read(key)?,
            });
        }
        Ok(cfg)
    }
}

/// The conversation ids an export of `[from, to)` with the filters of
/// `query_json` must contain, ordered by start then id (see [`Dataset::ground_truth`]).
pub fn ground_truth(
    cfg: &SimConfig,
    from: &str,
    to: &str,
    query_json: Option<&str>,
) -> Result<Vec<String>, String> {
    ground_truth_as(cfg, from, to, query_json, false)
}

/// [`ground_truth`], optionally as the sign-in user sees it (`as_sign_in_user`).
pub fn ground_truth_as(
    cfg: &SimConfig,
    from: &str,
    to: &str,
    query_json: Option<&str>,
    as_sign_in_user: bool,
) -> Result<Vec<String>, String> {
    let (from, to) = (parse_instant(from)?, parse_instant(to)?);
    if to <= from {
        return Err("--to must be after --from".to_string());
    }
    let query: serde_json::Value = match query_json {
        Some(q) => serde_json::from_str(q).map_err(|e| format!("--query-json is not JSON: {e}"))?,
        None => serde_json::json!({}),
    };
    Matcher::from_json(&query).map_err(|e| format!("--query-json: {e}"))?;
    let data = Dataset::new(cfg);
    if !as_sign_in_user {
        return Ok(data.ground_truth(from, to, &query));
    }
    match crate::access::user_scope(&data, &cfg.sign_in.user)? {
        Some(scope) => Ok(data.ground_truth_for(from, to, &query, &scope)),
        // The user may not read conversation details: an export gets nothing.
        None => Ok(Vec::new()),
    }
}

/// Entry point of the `genesys-sim` binary.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("genesys-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::GroundTruth {
        from,
        to,
        query_json,
        as_sign_in_user,
    }) = &args.command
    {
        return match ground_truth_as(&cfg, from, to, query_json.as_deref(), *as_sign_in_user) {
            Ok(ids) => {
                let mut out = String::with_capacity(ids.len() * 37);
                for id in ids {
                    out.push_str(&id);
                    out.push('\n');
                }
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("genesys-sim: {e}");
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("genesys-sim: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sim = match Sim::start(cfg).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("genesys-sim: cannot listen on 127.0.0.1:{}: {e}", args.port);
                return ExitCode::FAILURE;
            }
        };
        println!("listening on {}", sim.base_url());
        if args.client_id.is_none() && args.client_secret.is_none() {
            let c = sim.config();
            println!("client id: {}", c.client_id);
            println!("client secret: {}", c.client_secret);
        }
        let c = sim.config();
        let u = &c.sign_in.user;
        println!("sign-in client id: {}", c.sign_in.client_id);
        println!(
            "sign-in redirect URIs: {}",
            c.sign_in.redirect_uris.join(" ")
        );
        println!(
            "sign-in user: {} <{}>, divisions: {}",
            u.name,
            u.email,
            u.divisions
                .as_ref()
                .map(|d| d.join(" | "))
                .unwrap_or_else(|| "all".into())
        );
        println!(
            "{} conversations from {} over {} days (seed {})",
            c.conversations,
            crate::dataset::format_time(c.start),
            c.days,
            c.seed
        );
        let _ = tokio::signal::ctrl_c().await;
        // What was served, for benchmarks and manual checks (one `name: value` per line).
        let s = sim.stats();
        println!("requests: {}", s.requests);
        println!("responses_429: {}", s.responses_429);
        println!("resets: {}", s.resets);
        println!("tokens_issued: {}", s.tokens_issued);
        println!("jobs_created: {}", s.jobs_created);
        println!("jobs_deleted: {}", s.jobs_deleted.len());
        println!("conversations_served: {}", s.conversations_served);
        println!("most_in_flight: {}", s.most_in_flight);
        let api: u64 = s
            .per_endpoint
            .iter()
            .filter(|(k, _)| k.contains(" /api/"))
            .map(|(_, n)| n)
            .sum();
        println!("api_requests: {api}");
        let lookups: u64 = s
            .per_endpoint
            .iter()
            .filter(|(k, _)| !k.contains("/analytics/") && k.contains(" /api/"))
            .map(|(_, n)| n)
            .sum();
        println!("lookup_requests: {lookups}");
        println!(
            "size_estimates: {}",
            s.query_page_sizes.get(&1).copied().unwrap_or(0)
        );
        sim.shutdown().await;
        ExitCode::SUCCESS
    })
}
