//! Sign in with a Genesys Cloud account: the authorization code grant with
//! PKCE over a loopback redirect (RFC 7636, RFC 8252). What Genesys accepts,
//! with sources, is in `docs/sign-in.md`.
//!
//! [`sign_in`]: a random `state` and an S256 code challenge; a one-shot
//! listener on `127.0.0.1:<port>` only; the browser is sent to
//! `https://login.<domain>/oauth/authorize` through a [`Browser`] (the app's
//! opener plugin, the CLI's printed address, a test's HTTP client); the first
//! callback that carries our `state` ends the wait (so do cancel and the
//! timeout, default 5 minutes), the listener closes, and the code is
//! exchanged with the verifier. The verifier never leaves the process except
//! in that one token request; the access token is returned as a
//! [`UserToken`] for [`super::ClientConfig::signed_in`].
//!
//! Every way it can fail has its own plain message: the person refused
//! (`error=access_denied`), nothing came back in time, a callback that is not
//! ours (state mismatch), Genesys did not accept the code (`invalid_grant`:
//! wrong verifier, reused or expired code, other redirect URI), the port is
//! busy, cancel.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use futures::future::BoxFuture;
use rand::RngCore as _;
use sha2::Digest as _;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::config::ClientConfig;
use super::http::Http;
use super::region::Environment;
use super::secret::{Credentials, Secret, UserToken};
use crate::error::{Error, ErrorKind, Result, SIGN_IN};

/// The loopback port of the redirect URI unless configured otherwise. Genesys
/// matches registered redirect URIs exactly as far as we know, so the port
/// is fixed (and the URI registered by IT); see `docs/sign-in.md` §4.
pub const DEFAULT_CALLBACK_PORT: u16 = 47815;
/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// How long to wait for the browser to come back.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The page the browser shows after a successful sign-in.
pub const SUCCESS_PAGE_TEXT: &str = "You can close this tab and return to Genesys Export.";

/// Where and how to sign in.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInConfig {
    /// The region (login host `login.<domain>`) or the emulator's address.
    pub environment: Environment,
    /// The client id of the organization's sign-in (PKCE) OAuth client.
    pub client_id: String,
    /// The loopback port of the redirect URI (default [`DEFAULT_CALLBACK_PORT`]).
    pub port: u16,
    /// How long to wait for the browser (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
}

impl SignInConfig {
    /// Defaults for everything but where and which client.
    pub fn new(environment: Environment, client_id: impl Into<String>) -> Self {
        SignInConfig {
            environment,
            client_id: client_id.into(),
            port: DEFAULT_CALLBACK_PORT,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The redirect URI IT registers for the OAuth client, and that the
    /// browser comes back to: `http://127.0.0.1:<port>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        redirect_uri(self.port)
    }

    /// Check the settings without sending anything.
    pub fn validate(&self) -> Result<()> {
        if self.client_id.trim().is_empty() {
            return Err(Error::invalid(
                "clientId",
                "Enter the client id of your organization's sign-in OAuth client (ask IT for it).",
            ));
        }
        if self.port == 0 {
            return Err(Error::invalid(
                "callbackPort",
                "The sign-in port must be a number from 1 to 65535 (the one in the redirect address IT registered).",
            ));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid(
                "timeout",
                "The sign-in wait must be longer than zero.",
            ));
        }
        Ok(())
    }
}

/// `http://127.0.0.1:<port>/oauth/callback`.
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

/// Sends the person to the sign-in page. The app opens the system browser
/// (opener plugin), the CLI prints the address (and may open it), tests and
/// the app's debug seam use an HTTP client that follows the redirects.
/// `open` may return as soon as the page is opened: [`sign_in`] then waits
/// for the callback.
pub trait Browser: Send + Sync {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// A [`Browser`] that is an HTTP client following the redirects, as a
/// browser whose user is already signed in and allows the app would: for
/// tests, the emulator's demo and the app's debug seam. A login page that
/// answers with an error instead of a redirect (e.g. "OAuth client ID or
/// redirect URI is invalid") is reported at once.
#[derive(Debug, Clone, Default)]
pub struct FollowRedirects;

impl Browser for FollowRedirects {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let failed = |e: reqwest::Error| {
                Error::new(
                    ErrorKind::Network,
                    format!("The sign-in page could not be opened: {e}."),
                )
            };
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(failed)?;
            let resp = client.get(url).send().await.map_err(failed)?;
            let status = resp.status();
            if status.is_success() {
                return Ok(());
            }
            let body = resp.text().await.unwrap_or_default();
            let said = page_text(&body);
            Err(sign_in_error(
                ErrorKind::Auth,
                format!(
                    "The sign-in page answered with HTTP {}{}. Check the client id and that IT registered the redirect address {}.",
                    status.as_u16(),
                    if said.is_empty() { String::new() } else { format!(": \"{said}\"") },
                    reqwest::Url::parse(url)
                        .ok()
                        .and_then(|u| u.query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned()))
                        .unwrap_or_default()
                ),
            ))
        })
    }
}

/// The visible text of a small HTML page (tags dropped, spaces collapsed,
/// at most 200 characters).
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut skip = false;
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if lower[i..].starts_with("<style") || lower[i..].starts_with("<title") {
            skip = true;
        } else if lower[i..].starts_with("</style") || lower[i..].starts_with("</title") {
            skip = false;
        }
        let c = html[i..].chars().next().unwrap_or(' ');
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag && !skip => out.push(c),
            _ => {}
        }
        i += c.len_utf8();
    }
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(200).collect()
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2).
struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// 64 random bytes, base64url: 86 characters from the unreserved set.
    fn new() -> Pkce {
        let verifier = random_token(64);
        let challenge = s256(&verifier);
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }
}

/// `n` random bytes from the thread's CSPRNG (seeded from the OS), base64url.
fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `base64url(SHA-256(verifier))`, no padding.
fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// `https://login.<domain>/oauth/authorize?…` (or `{base}/oauth/authorize` for
/// the emulator): the query of the official SDKs' `loginPKCEGrant`.
fn authorize_url(cfg: &SignInConfig, challenge: &str, state: &str) -> Result<String> {
    let login = cfg
        .environment
        .token_url
        .strip_suffix("/oauth/token")
        .unwrap_or(&cfg.environment.token_url);
    let mut url = reqwest::Url::parse(&format!("{login}/oauth/authorize"))
        .map_err(|e| Error::internal(format!("The sign-in address could not be built: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", cfg.client_id.trim())
        .append_pair("redirect_uri", &cfg.redirect_uri())
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", state);
    Ok(url.into())
}

/// What came back to the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Callback {
    Code(String),
    /// `error=…` with our state.
    Refused {
        error: String,
        description: Option<String>,
    },
    /// A `state` that is not ours (or none).
    NotOurs,
}

/// Reads a callback's query. `None`: neither a code nor an error (not a
/// sign-in answer at all; the wait goes on).
fn read_callback(params: &[(String, String)], expected_state: &str) -> Option<Callback> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (code, error) = (get("code"), get("error"));
    if code.is_none() && error.is_none() {
        return None;
    }
    // Constant-time compare is not needed: the state is single-use and the
    // listener closes after the first answer.
    if get("state") != Some(expected_state) {
        return Some(Callback::NotOurs);
    }
    Some(match (error, code) {
        (Some(e), _) => Callback::Refused {
            error: e.to_string(),
            description: get("error_description")
                .map(str::to_string)
                .filter(|d| !d.trim().is_empty()),
        },
        (None, Some(c)) if !c.is_empty() => Callback::Code(c.to_string()),
        _ => Callback::NotOurs,
    })
}

struct Listening {
    expected_state: String,
    outcome: Mutex<Option<oneshot::Sender<Callback>>>,
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}}</style>\
         </head><body><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    r
}

async fn callback(
    State(st): State<Arc<Listening>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some(answer) = read_callback(&params, &st.expected_state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Genesys Export",
            "This address only receives Genesys Export's sign-in. You can close this tab.",
        );
    };
    let Some(tx) = st.outcome.lock().ok().and_then(|mut o| o.take()) else {
        return page(
            StatusCode::OK,
            "Genesys Export",
            "This sign-in is already finished. You can close this tab.",
        );
    };
    let reply = match &answer {
        Callback::Code(_) => page(StatusCode::OK, "Signed in", SUCCESS_PAGE_TEXT),
        Callback::Refused { error, .. } if error == "access_denied" => page(
            StatusCode::OK,
            "Not signed in",
            "You did not allow Genesys Export to use your Genesys Cloud account. You can close this tab and return to Genesys Export.",
        ),
        Callback::Refused { .. } => page(
            StatusCode::OK,
            "Not signed in",
            "Genesys Cloud did not sign you in. You can close this tab; Genesys Export shows the reason.",
        ),
        Callback::NotOurs => page(
            StatusCode::BAD_REQUEST,
            "Not signed in",
            "This sign-in was not started by Genesys Export, so it was refused. Close this tab and sign in again from Genesys Export.",
        ),
    };
    let _ = tx.send(answer);
    reply
}

fn sign_in_error(kind: ErrorKind, message: String) -> Error {
    Error::new(kind, message).with_field(SIGN_IN)
}

fn denied() -> Error {
    sign_in_error(
        ErrorKind::Auth,
        "You did not allow Genesys Export to use your Genesys Cloud account, so you are not signed in. To export, sign in again and choose to allow it.".into(),
    )
}

fn timed_out(timeout: Duration) -> Error {
    sign_in_error(
        ErrorKind::Auth,
        format!(
            "Signing in was not finished within {}, so Genesys Export stopped waiting. Sign in again and finish in the browser page that opens.",
            human_wait(timeout)
        ),
    )
}

/// "5 minutes", "1 minute", "90 seconds", "0.3 seconds".
fn human_wait(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => format!("{:.1} seconds", d.as_secs_f64()),
        60 => "1 minute".into(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        1 => "1 second".into(),
        s => format!("{s} seconds"),
    }
}

fn not_ours() -> Error {
    sign_in_error(
        ErrorKind::Auth,
        "The browser came back with a sign-in that Genesys Export did not start (its security check did not match), so it was refused. Sign in again from Genesys Export.".into(),
    )
}

fn refused(error: &str, description: Option<&str>) -> Error {
    let said = match description {
        Some(d) => format!(" Genesys said: \"{d}\" (code {error})."),
        None => format!(" Genesys gave the code {error}."),
    };
    sign_in_error(
        ErrorKind::Auth,
        format!("Genesys Cloud did not sign you in.{said} If this keeps happening, ask your Genesys Cloud admin to check the sign-in OAuth client."),
    )
}

fn port_busy(port: u16) -> Error {
    Error::invalid(
        "callbackPort",
        format!(
            "Genesys Export cannot receive the sign-in: port {port} on this computer is already in use by another program (or by another Genesys Export that is signing in). Close it and try again. If the port stays busy, ask IT to register the redirect address with another port and enter that port here."
        ),
    )
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Cancelled, "Signing in was cancelled.")
}

/// Sign in: see the module documentation. Returns the person's token.
pub async fn sign_in(
    cfg: &SignInConfig,
    browser: &dyn Browser,
    cancel: &CancellationToken,
) -> Result<UserToken> {
    cfg.validate()?;
    // The token request goes through the client's one HTTP layer (same TLS,
    // proxy, timeouts and error words as every other request).
    let http = Http::new(ClientConfig::new(
        cfg.environment.clone(),
        Credentials::new(cfg.client_id.trim(), Secret::default()),
    ))?;
    let pkce = Pkce::new();
    let state = random_token(32);
    let url = authorize_url(cfg, &pkce.challenge, &state)?;

    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => return Err(port_busy(cfg.port)),
        Err(e) => {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                "Genesys Export could not listen on port {} of this computer for the sign-in: {e}.",
                cfg.port
            ),
            ))
        }
    };
    let (tx, rx) = oneshot::channel();
    let listening = Arc::new(Listening {
        expected_state: state,
        outcome: Mutex::new(Some(tx)),
    });
    let app = Router::new()
        .route(CALLBACK_PATH, get(callback))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(listening);
    let (stop, stopped) = oneshot::channel::<()>();
    // Aborted when dropped: on every way out of this function, including
    // the caller dropping its future.
    let server = AbortOnDropHandle::new(tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!("sign-in listener stopped: {e}");
        }
    }));
    let close = |mut server: AbortOnDropHandle<()>| async move {
        let _ = stop.send(());
        // Let the answer page reach the browser, but do not wait for idle
        // keep-alive connections (dropping the handle aborts the server).
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut server).await;
    };

    tracing::debug!(port = cfg.port, "waiting for the sign-in callback");
    let answer = tokio::select! {
        opened = browser.open(&url) => match opened {
            Err(e) => Err(e),
            Ok(()) => tokio::select! {
                a = rx => a.map_err(|_| Error::internal("The sign-in listener stopped unexpectedly.")),
                _ = tokio::time::sleep(cfg.timeout) => Err(timed_out(cfg.timeout)),
                _ = cancel.cancelled() => Err(cancelled()),
            },
        },
        _ = tokio::time::sleep(cfg.timeout) => Err(timed_out(cfg.timeout)),
        _ = cancel.cancelled() => Err(cancelled()),
    };
    close(server).await;

    let code = match answer? {
        Callback::Code(c) => c,
        Callback::Refused { error, .. } if error == "access_denied" => return Err(denied()),
        Callback::Refused { error, description } => {
            return Err(refused(&error, description.as_deref()))
        }
        Callback::NotOurs => return Err(not_ours()),
    };
    let redirect = cfg.redirect_uri();
    let grant = tokio::select! {
        g = http.exchange_code(&code, &pkce.verifier, &redirect) => g?,
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    let mut token = UserToken::new(grant.access_token, Some(grant.lifetime.as_secs()));
    token.refresh_token = grant.refresh_token;
    tracing::debug!(refresh_token = token.refresh_token.is_some(), "signed in");
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_and_states_are_random_and_in_the_unreserved_set() {
        let a = Pkce::new();
        let b = Pkce::new();
        assert_ne!(a.verifier, b.verifier);
        let v = a.verifier.expose();
        assert_eq!(v.len(), 86);
        assert!((43..=128).contains(&v.len()));
        assert!(v
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)));
        assert_eq!(a.challenge, s256(v));
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
    }

    #[test]
    fn the_authorize_url_has_the_sdk_query_and_no_verifier() {
        let env = Environment::parse("mypurecloud.ie").unwrap();
        let mut cfg = SignInConfig::new(env, "client-1");
        cfg.port = 50001;
        let p = Pkce::new();
        let url = authorize_url(&cfg, &p.challenge, "st&ate").unwrap();
        let u = reqwest::Url::parse(&url).unwrap();
        assert_eq!(u.host_str(), Some("login.mypurecloud.ie"));
        assert_eq!(u.path(), "/oauth/authorize");
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        let want = [
            ("response_type", "code"),
            ("client_id", "client-1"),
            ("redirect_uri", "http://127.0.0.1:50001/oauth/callback"),
            ("code_challenge", p.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", "st&ate"),
        ];
        assert_eq!(
            q,
            want.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
        assert!(!url.contains(p.verifier.expose()));
    }

    #[test]
    fn callbacks_are_read_by_one_rule() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        type Case = (Vec<(String, String)>, Option<Callback>);
        let cases: Vec<Case> = vec![
            (
                q(&[("code", "c1"), ("state", "s")]),
                Some(Callback::Code("c1".into())),
            ),
            (
                q(&[("code", "c1"), ("state", "x")]),
                Some(Callback::NotOurs),
            ),
            (q(&[("code", "c1")]), Some(Callback::NotOurs)),
            (
                q(&[("error", "access_denied"), ("state", "s")]),
                Some(Callback::Refused {
                    error: "access_denied".into(),
                    description: None,
                }),
            ),
            (
                q(&[
                    ("error", "invalid_request"),
                    ("error_description", "bad"),
                    ("state", "s"),
                ]),
                Some(Callback::Refused {
                    error: "invalid_request".into(),
                    description: Some("bad".into()),
                }),
            ),
            (
                q(&[("error", "access_denied"), ("state", "x")]),
                Some(Callback::NotOurs),
            ),
            (q(&[("code", ""), ("state", "s")]), Some(Callback::NotOurs)),
            (q(&[]), None),
            (q(&[("state", "s")]), None),
        ];
        for (params, want) in cases {
            assert_eq!(read_callback(&params, "s"), want, "{params:?}");
        }
    }

    #[test]
    fn each_failure_has_its_own_message() {
        let messages = [
            denied().message,
            timed_out(Duration::from_secs(300)).message,
            not_ours().message,
            refused("invalid_request", Some("x")).message,
            port_busy(47815).message,
            cancelled().message,
        ];
        let unique: std::collections::HashSet<_> = messages.iter().collect();
        assert_eq!(unique.len(), messages.len());
        assert!(
            timed_out(Duration::from_secs(300))
                .message
                .contains("within 5 minutes"),
            "{}",
            messages[1]
        );
        assert!(port_busy(47815).message.contains("47815"));
        assert_eq!(denied().field.as_deref(), Some(SIGN_IN));
        assert_eq!(port_busy(1).field.as_deref(), Some("callbackPort"));
    }

    #[test]
    fn page_text_is_the_visible_words() {
        assert_eq!(
            page_text("<!doctype html><html><head><meta charset=\"utf-8\"><title>Genesys Cloud</title><style>p{x:y}</style></head><body><p>OAuth client ID or  redirect URI is invalid.</p></body></html>"),
            "OAuth client ID or redirect URI is invalid."
        );
        assert_eq!(page_text("plain"), "plain");
        assert_eq!(page_text(&"é".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn settings_are_checked() {
        let env = Environment::parse("mypurecloud.com").unwrap();
        let mut cfg = SignInConfig::new(env, " ");
        assert_eq!(
            cfg.validate().unwrap_err().field.as_deref(),
            Some("clientId")
        );
        cfg.client_id = "id".into();
        cfg.port = 0;
        assert_eq!(
            cfg.validate().unwrap_err().field.as_deref(),
            Some("callbackPort")
        );
        cfg.port = DEFAULT_CALLBACK_PORT;
        assert!(cfg.validate().is_ok());
        assert_eq!(cfg.redirect_uri(), "http://127.0.0.1:47815/oauth/callback");
    }
}
