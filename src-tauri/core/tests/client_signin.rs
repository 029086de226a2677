//! Sign-in with PKCE against the emulator over real loopback HTTP: the
//! "browser" is an HTTP client that follows the redirects (or tampers with
//! them). Success, denial, timeout, state mismatch, wrong verifier, reused
//! code, port busy and cancel each give their own plain message; a user
//! limited to one division exports exactly that division's ground truth;
//! expiry and revocation mid-fetch end with the distinct "sign in again"
//! error unless a refresh token works.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, DurationRound, Utc};
use futures::future::BoxFuture;
use futures::StreamExt;
use genesys_core::genesys::signin::{self, SignInConfig, SUCCESS_PAGE_TEXT};
use genesys_core::genesys::{
    query, Access, AccessLevel, Browser, Client, ClientConfig, Environment, Fetch, FetchOptions,
    FetchRequest, Filters, Strategy, UserToken,
};
use genesys_core::{Error, ErrorKind};
use genesys_sim::{Faults, Scope, Sim, SimConfig};
use sha2::Digest as _;
use tokio_util::sync::CancellationToken;

/// What the test browser does with the sign-in address.
#[derive(Clone)]
enum Act {
    /// Follow every redirect, like a browser whose user clicks "Allow".
    Follow,
    /// Open nothing (nobody finishes signing in).
    Nothing,
    /// Come back with another `state`.
    ForgeState,
    /// Start the login with another code challenge (so our verifier is wrong).
    SwapChallenge,
    /// Someone else spends the code at the token endpoint first.
    SpendCode,
}

struct TestBrowser {
    act: Act,
    /// The address it was asked to open.
    url: Mutex<Option<String>>,
    /// The last page it landed on: (status, body).
    page: Mutex<Option<(u16, String)>>,
    /// Where the login page sent it (the callback address with the code).
    location: Mutex<Option<String>>,
}

impl TestBrowser {
    fn new(act: Act) -> Arc<TestBrowser> {
        Arc::new(TestBrowser {
            act,
            url: Mutex::default(),
            page: Mutex::default(),
            location: Mutex::default(),
        })
    }

    fn page(&self) -> (u16, String) {
        self.page.lock().unwrap().clone().expect("a page was shown")
    }

    async fn visit(&self, url: &str) -> Result<(), Error> {
        let r = reqwest::get(url)
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        *self.page.lock().unwrap() = Some((status, body));
        Ok(())
    }

    /// GET without following; the `Location` it redirects to.
    async fn redirect_of(&self, url: &str) -> String {
        let c = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c.get(url).send().await.unwrap();
        assert_eq!(r.status(), 302, "the login page redirects");
        let l = r.headers()["location"].to_str().unwrap().to_string();
        *self.location.lock().unwrap() = Some(l.clone());
        l
    }
}

fn with_param(url: &str, key: &str, value: &str) -> String {
    let mut u = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == key {
                (k, value.to_string())
            } else {
                (k, v)
            }
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.into()
}

fn param(url: &str, key: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl Browser for TestBrowser {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            *self.url.lock().unwrap() = Some(url.to_string());
            match &self.act {
                Act::Follow => self.visit(url).await,
                Act::Nothing => Ok(()),
                Act::ForgeState => {
                    let back = self.redirect_of(url).await;
                    self.visit(&with_param(&back, "state", "forged-state"))
                        .await
                }
                Act::SwapChallenge => {
                    let other = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
                        sha2::Sha256::digest(b"a-verifier-that-is-not-ours-0123456789-abcdef"),
                    );
                    self.visit(&with_param(url, "code_challenge", &other)).await
                }
                Act::SpendCode => {
                    let back = self.redirect_of(url).await;
                    let code = param(&back, "code").unwrap();
                    let token_url = url.replace("/oauth/authorize", "/oauth/token");
                    let token_url = token_url.split('?').next().unwrap().to_string();
                    let r = reqwest::Client::new()
                        .post(token_url)
                        .form(&[
                            ("grant_type", "authorization_code"),
                            ("code", code.as_str()),
                            ("code_verifier", "guessing-0123456789-0123456789-0123456789"),
                            ("client_id", param(url, "client_id").unwrap().as_str()),
                            ("redirect_uri", param(url, "redirect_uri").unwrap().as_str()),
                        ])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 400);
                    self.visit(&back).await
                }
            }
        })
    }
}

/// A free loopback port (bound and released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn day_start(days_ago: i64) -> DateTime<Utc> {
    (Utc::now() - chrono::Duration::days(days_ago))
        .duration_trunc(chrono::Duration::days(1))
        .unwrap()
}

/// An emulator whose sign-in client accepts `http://127.0.0.1:<port>/oauth/callback`.
async fn sim_with(port: u16, n: u64, edit: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut cfg = SimConfig {
        conversations: n,
        start: day_start(6),
        days: 4,
        rate_limit: None,
        job_delays: Duration::from_millis(30),
        ..SimConfig::default()
    };
    cfg.sign_in.redirect_uris = vec![signin::redirect_uri(port)];
    edit(&mut cfg);
    Sim::start(cfg).await.unwrap()
}

fn sign_in_config(sim: &Sim, port: u16) -> SignInConfig {
    let mut cfg = SignInConfig::new(
        Environment::parse(&sim.base_url()).unwrap(),
        sim.config().sign_in.client_id.clone(),
    );
    cfg.port = port;
    cfg.timeout = Duration::from_secs(20);
    cfg
}

async fn sign_in_with(
    sim: &Sim,
    port: u16,
    act: Act,
) -> (Result<UserToken, Error>, Arc<TestBrowser>) {
    let browser = TestBrowser::new(act);
    let r = signin::sign_in(
        &sign_in_config(sim, port),
        browser.as_ref(),
        &CancellationToken::new(),
    )
    .await;
    (r, browser)
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

#[track_caller]
fn assert_sign_in_error(e: &Error, kind: ErrorKind, field: &str, words: &str) {
    assert_eq!(e.kind, kind, "{e:?}");
    assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    assert!(
        e.message.contains(words),
        "{:?} should say {words:?}",
        e.message
    );
}

fn user_client(sim: &Sim, token: UserToken, edit: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut cfg = ClientConfig::signed_in(
        Environment::parse(&sim.base_url()).unwrap(),
        sim.config().sign_in.client_id.clone(),
        token,
    );
    cfg.retry.base_delay = Duration::from_millis(5);
    cfg.retry.max_delay = Duration::from_millis(50);
    cfg.retry.wait_scale = 0.01;
    cfg.job_polling.initial = Duration::from_millis(20);
    cfg.job_polling.max = Duration::from_millis(100);
    edit(&mut cfg);
    Client::new(cfg).unwrap()
}

async fn ids(mut fetch: Fetch) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    while let Some(c) = fetch.next().await {
        out.push(c?.conversation_id);
    }
    Ok(out)
}

fn whole(sim: &Sim) -> (DateTime<Utc>, DateTime<Utc>) {
    let c = sim.config();
    (c.start, c.start + chrono::Duration::days(c.days as i64))
}

fn request(sim: &Sim, strategy: Strategy) -> FetchRequest {
    let (from, to) = whole(sim);
    FetchRequest {
        from,
        to,
        filters: Filters::default(),
        strategy,
    }
}

fn truth_for(sim: &Sim, scope: &Scope) -> Vec<String> {
    let (from, to) = whole(sim);
    let q = query::sync_query(from, to, &Filters::default(), 1, 1);
    sim.dataset().ground_truth_for(from, to, &q, scope)
}

#[tokio::test]
async fn signing_in_gives_a_user_token_and_says_who_and_what() {
    let port = free_port();
    let sim = sim_with(port, 300, |_| {}).await;
    let (token, browser) = sign_in_with(&sim, port, Act::Follow).await;
    let token = token.unwrap();
    assert_eq!(browser.page(), (200, browser.page().1.clone()));
    assert!(browser.page().1.contains(SUCCESS_PAGE_TEXT));
    assert!(token.expires_at.is_some() && token.refresh_token.is_none());
    assert!(
        port_is_free(port),
        "the listener is closed after the callback"
    );

    // The requests: the authorize query as the SDKs build it, the verifier
    // only in the token request (form-encoded, no Authorization header).
    let stats = sim.stats();
    let auth = &stats.authorize_requests[0];
    let keys: Vec<&str> = auth.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "code_challenge",
            "code_challenge_method",
            "state"
        ]
    );
    let exchange = &stats.code_exchanges[0];
    assert!(!exchange.authorization_header);
    let mut form_keys: Vec<&str> = exchange.form.iter().map(|(k, _)| k.as_str()).collect();
    form_keys.sort();
    assert_eq!(
        form_keys,
        [
            "client_id",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ]
    );
    let verifier = &exchange
        .form
        .iter()
        .find(|(k, _)| k == "code_verifier")
        .unwrap()
        .1;
    let challenge = &auth.iter().find(|(k, _)| k == "code_challenge").unwrap().1;
    assert_eq!(
        *challenge,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
    );
    let opened = browser.url.lock().unwrap().clone().unwrap();
    assert!(
        !opened.contains(verifier.as_str()),
        "the verifier is not in the browser's address"
    );
    assert!(!browser.page().1.contains(verifier.as_str()));
    assert!(!format!("{token:?}").contains(token.access_token.expose()));

    // Who and what: the demo user covers two of the three divisions.
    let client = user_client(&sim, token, |_| {});
    let me = client.who_am_i().await.unwrap();
    let u = &sim.config().sign_in.user;
    assert_eq!(me.name, u.name);
    assert_eq!(me.email.as_deref(), Some(u.email.as_str()));
    assert_eq!(me.organization.as_deref(), Some("Genesys Export Demo"));
    assert_eq!(
        me.access,
        Access::Divisions(vec!["Home".into(), "Sales, EMEA".into()])
    );
    assert_eq!(me.notice.level, AccessLevel::Partial);
    assert!(
        me.notice
            .message
            .starts_with("You will only see conversations in the divisions \u{201c}Home\u{201d} and \u{201c}Sales, EMEA\u{201d}."),
        "{}",
        me.notice.message
    );
}

#[tokio::test]
async fn who_am_i_full_and_impossible() {
    let port = free_port();
    let sim = sim_with(port, 10, |c| c.sign_in.user.divisions = None).await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let me = user_client(&sim, token, |_| {}).who_am_i().await.unwrap();
    assert_eq!(me.access, Access::Full);
    assert_eq!(me.notice.level, AccessLevel::Full);

    let port = free_port();
    let sim = sim_with(port, 10, |c| {
        c.sign_in.user.permissions = vec!["routing:queue:view".into()]
    })
    .await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let client = user_client(&sim, token, |_| {});
    let me = client.who_am_i().await.unwrap();
    assert_eq!(me.access, Access::None);
    assert_eq!(me.notice.level, AccessLevel::Impossible);
    assert_eq!(
        me.notice.missing_permission.as_deref(),
        Some("analytics:conversationDetail:view")
    );
    // And indeed: the export is refused, in a person's words.
    let e = ids(client
        .fetch(request(&sim, Strategy::Sync), FetchOptions::default())
        .unwrap())
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Permission, "{e:?}");
    assert!(
        e.message
            .starts_with("Your Genesys Cloud account is not allowed"),
        "{}",
        e.message
    );

    // An OAuth client (client credentials) has nobody to show.
    let cc = ClientConfig::new(
        Environment::parse(&sim.base_url()).unwrap(),
        genesys_core::genesys::Credentials::new(
            sim.config().client_id.clone(),
            sim.config().client_secret.clone(),
        ),
    );
    let e = Client::new(cc).unwrap().who_am_i().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn denial_has_its_own_message() {
    let port = free_port();
    let sim = sim_with(port, 10, |c| c.sign_in.deny = true).await;
    let (r, browser) = sign_in_with(&sim, port, Act::Follow).await;
    let e = r.unwrap_err();
    assert_sign_in_error(
        &e,
        ErrorKind::Auth,
        "signIn",
        "You did not allow Genesys Export",
    );
    assert!(browser
        .page()
        .1
        .contains("You did not allow Genesys Export"));
    assert!(sim.stats().code_exchanges.is_empty(), "nothing to exchange");
    assert!(port_is_free(port));
}

#[tokio::test]
async fn timeout_has_its_own_message_and_frees_the_port() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let mut cfg = sign_in_config(&sim, port);
    cfg.timeout = Duration::from_millis(300);
    let t = Instant::now();
    let e = signin::sign_in(
        &cfg,
        TestBrowser::new(Act::Nothing).as_ref(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_sign_in_error(
        &e,
        ErrorKind::Auth,
        "signIn",
        "was not finished within 0.3 seconds",
    );
    assert!(port_is_free(port));
}

#[tokio::test]
async fn cancel_stops_waiting() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c2.cancel();
    });
    let e = signin::sign_in(
        &sign_in_config(&sim, port),
        TestBrowser::new(Act::Nothing).as_ref(),
        &cancel,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(e.message, "Signing in was cancelled.");
    assert!(port_is_free(port));
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let (r, browser) = sign_in_with(&sim, port, Act::ForgeState).await;
    let e = r.unwrap_err();
    assert_sign_in_error(&e, ErrorKind::Auth, "signIn", "did not start");
    let (status, page) = browser.page();
    assert_eq!(status, 400);
    assert!(page.contains("not started by Genesys Export"), "{page}");
    assert!(
        sim.stats().code_exchanges.is_empty(),
        "the code is not used"
    );
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_by_genesys() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let (r, _) = sign_in_with(&sim, port, Act::SwapChallenge).await;
    let e = r.unwrap_err();
    assert_sign_in_error(
        &e,
        ErrorKind::Auth,
        "signIn",
        "did not accept the sign-in code",
    );
    assert!(e.message.contains("invalid_grant"), "{}", e.message);
    assert_eq!(sim.stats().code_exchanges[0].status, 400);
}

#[tokio::test]
async fn a_code_used_by_someone_else_first_is_refused() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let (r, _) = sign_in_with(&sim, port, Act::SpendCode).await;
    let e = r.unwrap_err();
    assert_sign_in_error(
        &e,
        ErrorKind::Auth,
        "signIn",
        "did not accept the sign-in code",
    );
    let ex = sim.stats().code_exchanges;
    assert_eq!(ex.len(), 2);
    assert_eq!((ex[0].status, ex[1].status), (400, 400));
}

#[tokio::test]
async fn a_busy_port_has_its_own_message() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let _other = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (r, browser) = sign_in_with(&sim, port, Act::Follow).await;
    let e = r.unwrap_err();
    assert_sign_in_error(
        &e,
        ErrorKind::InvalidInput,
        "callbackPort",
        &format!("port {port}"),
    );
    assert!(e.message.contains("already in use"));
    assert!(
        browser.url.lock().unwrap().is_none(),
        "the browser was not sent anywhere"
    );
}

#[tokio::test]
async fn the_messages_differ() {
    // One of each, side by side: no two failures read the same.
    let mut messages = std::collections::HashSet::new();
    for act in [Act::ForgeState, Act::SwapChallenge] {
        let port = free_port();
        let sim = sim_with(port, 5, |_| {}).await;
        messages.insert(sign_in_with(&sim, port, act).await.0.unwrap_err().message);
    }
    let port = free_port();
    let sim = sim_with(port, 5, |c| c.sign_in.deny = true).await;
    messages.insert(
        sign_in_with(&sim, port, Act::Follow)
            .await
            .0
            .unwrap_err()
            .message,
    );
    let mut cfg = sign_in_config(&sim, port);
    cfg.timeout = Duration::from_millis(100);
    messages.insert(
        signin::sign_in(
            &cfg,
            TestBrowser::new(Act::Nothing).as_ref(),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err()
        .message,
    );
    let _busy = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    messages.insert(
        sign_in_with(&sim, port, Act::Follow)
            .await
            .0
            .unwrap_err()
            .message,
    );
    assert_eq!(messages.len(), 5, "{messages:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_limited_to_one_division_exports_exactly_its_conversations() {
    let port = free_port();
    let sim = sim_with(port, 900, |c| {
        c.sign_in.user.divisions = Some(vec!["Sales, EMEA".into()]);
    })
    .await;
    let scope = sim.user_scope().unwrap().clone();
    let want = truth_for(&sim, &scope);
    let everything = truth_for(&sim, &Scope::all());
    assert!(!want.is_empty() && want.len() < everything.len() / 2);

    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let client = user_client(&sim, token, |_| {});
    let me = client.who_am_i().await.unwrap();
    assert_eq!(me.access, Access::Divisions(vec!["Sales, EMEA".into()]));
    assert_eq!(
        me.notice.level,
        AccessLevel::Partial,
        "said beforehand: partial"
    );

    for strategy in [Strategy::Sync, Strategy::Async] {
        let got = ids(client
            .fetch(request(&sim, strategy), FetchOptions::default())
            .unwrap())
        .await
        .unwrap();
        assert_eq!(got, want, "{strategy:?}: equal to the user's ground truth");
    }
}

#[tokio::test]
async fn expiry_mid_fetch_says_sign_in_again() {
    let port = free_port();
    let sim = sim_with(port, 600, |c| {
        c.token_lifetime = Duration::from_secs(1);
        c.faults = Faults {
            latency: Duration::from_millis(40),
            ..Faults::default()
        };
    })
    .await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let client = user_client(&sim, token, |c| {
        c.sync_page_size = 10;
        // One request at a time, as this test counts on.
        c.parallelism = 1;
        c.max_in_flight = 1;
    });
    let t = Instant::now();
    let e = ids(client
        .fetch(request(&sim, Strategy::Sync), FetchOptions::default())
        .unwrap())
    .await
    .unwrap_err();
    assert!(e.is_sign_in_expired(), "{e:?}");
    // Mid-fetch: pages were read before the token ran out.
    let query_pages = sim
        .stats()
        .per_endpoint
        .get("POST /api/v2/analytics/conversations/details/query")
        .copied()
        .unwrap_or(0);
    assert!(query_pages >= 3, "{query_pages} pages, {:?}", t.elapsed());
    assert_eq!(
        e.message,
        "Your sign-in has expired. Sign in again to continue."
    );
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(
        sim.stats().tokens_issued,
        1,
        "no client-credentials login was tried"
    );
}

#[tokio::test]
async fn a_refused_token_mid_fetch_says_sign_in_again() {
    let port = free_port();
    let sim = sim_with(port, 400, |c| {
        c.faults = Faults {
            revoke_token_after: Some(4),
            ..Faults::default()
        };
    })
    .await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let client = user_client(&sim, token, |c| c.sync_page_size = 10);
    let e = ids(client
        .fetch(request(&sim, Strategy::Sync), FetchOptions::default())
        .unwrap())
    .await
    .unwrap_err();
    assert!(e.is_sign_in_expired(), "{e:?}");
    // One 401 per window in flight (4 at a time), none retried with a new login.
    let refused = *sim.stats().per_status.get(&401).unwrap();
    assert!((1..=4).contains(&refused), "{refused}");
    assert_eq!(sim.stats().tokens_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_renews_the_sign_in_when_there_is_one() {
    // Refused (401) every 6 requests: renewed each time, nothing lost.
    let port = free_port();
    let sim = sim_with(port, 400, |c| {
        c.sign_in.refresh_tokens = true;
        c.sign_in.user.divisions = None;
        c.faults = Faults {
            revoke_token_after: Some(6),
            ..Faults::default()
        };
    })
    .await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    assert!(token.refresh_token.is_some());
    let first = token.access_token.clone();
    let client = user_client(&sim, token, |c| {
        c.sync_page_size = 10;
        // One request at a time, as this test counts on.
        c.parallelism = 1;
        c.max_in_flight = 1;
    });
    let got = ids(client
        .fetch(request(&sim, Strategy::Sync), FetchOptions::default())
        .unwrap())
    .await
    .unwrap();
    assert_eq!(got, truth_for(&sim, &Scope::all()));
    let now = client.user_token().await.unwrap();
    assert_ne!(now.access_token, first, "renewed");
    assert!(sim.stats().per_status.get(&401).is_some_and(|n| *n >= 2));

    // Expiring (1 s) during a longer fetch: renewed before it expires, no 401.
    let port = free_port();
    let sim = sim_with(port, 500, |c| {
        c.sign_in.refresh_tokens = true;
        c.sign_in.user.divisions = None;
        c.token_lifetime = Duration::from_secs(1);
        c.faults = Faults {
            latency: Duration::from_millis(40),
            ..Faults::default()
        };
    })
    .await;
    let token = sign_in_with(&sim, port, Act::Follow).await.0.unwrap();
    let client = user_client(&sim, token, |c| {
        c.sync_page_size = 10;
        // One request at a time, as this test counts on.
        c.parallelism = 1;
        c.max_in_flight = 1;
    });
    let t = Instant::now();
    let got = ids(client
        .fetch(request(&sim, Strategy::Sync), FetchOptions::default())
        .unwrap())
    .await
    .unwrap();
    assert!(t.elapsed() > Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(got, truth_for(&sim, &Scope::all()));
    assert_eq!(sim.stats().per_status.get(&401), None);
    assert!(sim.stats().tokens_issued >= 2);
}

#[test]
fn the_demo_org_accepts_the_apps_default_redirect_uri() {
    assert_eq!(
        genesys_sim::DEFAULT_REDIRECT_URI,
        signin::redirect_uri(signin::DEFAULT_CALLBACK_PORT)
    );
    assert_eq!(
        SimConfig::default().sign_in.redirect_uris,
        vec![signin::redirect_uri(signin::DEFAULT_CALLBACK_PORT)]
    );
}

#[tokio::test]
async fn the_core_follower_signs_in_and_reports_an_unregistered_address_at_once() {
    let port = free_port();
    let sim = sim_with(port, 10, |_| {}).await;
    let token = signin::sign_in(
        &sign_in_config(&sim, port),
        &signin::FollowRedirects,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(!token.access_token.is_blank());

    // IT registered another port than the one the app listens on.
    let other = free_port();
    let t = Instant::now();
    let e = signin::sign_in(
        &sign_in_config(&sim, other),
        &signin::FollowRedirects,
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "not a timeout");
    assert_sign_in_error(
        &e,
        ErrorKind::Auth,
        "signIn",
        "OAuth client ID or redirect URI is invalid",
    );
    assert!(
        e.message.contains(&signin::redirect_uri(other)),
        "{}",
        e.message
    );
    assert!(port_is_free(other));
}
