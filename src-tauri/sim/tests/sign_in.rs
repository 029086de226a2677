//! Sign-in for people: `GET /oauth/authorize` (auto-approve, deny, refused
//! redirect URIs), the `authorization_code` grant with PKCE (and its
//! `invalid_grant` cases), refresh tokens, `GET /api/v2/users/me`,
//! `divisionspermitted`, and division-scoped results for the signed-in user.
mod common;

use std::collections::HashSet;

use base64::Engine as _;
use common::*;
use genesys_sim::{Scope, Sim, SimConfig};
use serde_json::{json, Value};
use sha2::Digest as _;

const REDIRECT: &str = "http://127.0.0.1:1/oauth/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

fn config(n: u64) -> SimConfig {
    let mut cfg = small_config(n);
    cfg.sign_in.redirect_uris = vec![REDIRECT.into()];
    cfg
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET /oauth/authorize`; returns (status, Location query pairs, body).
async fn authorize(
    sim: &Sim,
    extra: &[(&str, &str)],
) -> (u16, Option<Vec<(String, String)>>, String) {
    let mut q = vec![
        ("response_type", "code".to_string()),
        ("client_id", sim.config().sign_in.client_id.clone()),
        ("redirect_uri", REDIRECT.to_string()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_string()),
        ("state", "st-123".to_string()),
    ];
    for (k, v) in extra {
        q.retain(|(n, _)| n != k);
        if !v.is_empty() {
            q.push((k, v.to_string()));
        }
    }
    let r = no_redirects()
        .get(format!("{}/oauth/authorize", sim.base_url()))
        .query(&q)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let body = r.text().await.unwrap();
    let pairs = location.map(|l| {
        assert!(l.starts_with(REDIRECT), "{l}");
        reqwest::Url::parse(&l)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    });
    (status, pairs, body)
}

fn param<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

async fn code(sim: &Sim) -> String {
    let (status, pairs, _) = authorize(sim, &[]).await;
    assert_eq!(status, 302);
    let pairs = pairs.expect("redirected");
    assert_eq!(param(&pairs, "state"), Some("st-123"));
    param(&pairs, "code").expect("code").to_string()
}

/// The token request exactly as the official SDKs' `authorizePKCEGrant` sends it.
async fn exchange(sim: &Sim, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
    let r = http()
        .post(format!("{}/oauth/token", sim.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("client_id", &sim.config().sign_in.client_id),
            ("redirect_uri", redirect),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn user_token(sim: &Sim) -> String {
    let c = code(sim).await;
    let (status, v) = exchange(sim, &c, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{v}");
    v["access_token"].as_str().unwrap().to_string()
}

#[track_caller]
fn assert_invalid_grant(resp: &(u16, Value)) {
    let (status, v) = resp;
    assert_eq!(*status, 400, "{v}");
    assert_eq!(v["error"], "invalid_grant", "{v}");
    // The OAuth error shape Genesys answers with (see API-NOTES §1).
    assert!(v["error_description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(v["description"], v["error_description"]);
}

#[tokio::test]
async fn pkce_sign_in_issues_a_user_token_and_users_me_describes_the_person() {
    let sim = Sim::start(config(50)).await.unwrap();
    let c = code(&sim).await;
    let (status, v) = exchange(&sim, &c, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 86_400);
    assert!(
        v.get("refresh_token").is_none(),
        "no refresh token by default"
    );
    let t = v["access_token"].as_str().unwrap();

    let (s, h, me) = get(
        &sim,
        t,
        "/api/v2/users/me?expand=authorization,organization",
    )
    .await;
    assert_eq!(s, 200, "{me}");
    assert_genesys_headers(&h);
    let u = &sim.config().sign_in.user;
    assert_eq!(me["name"], u.name.as_str());
    assert_eq!(me["email"], u.email.as_str());
    assert_eq!(me["organization"]["name"], "Genesys Export Demo");
    assert_eq!(
        me["authorization"]["permissions"],
        json!(u.permissions),
        "{me}"
    );
    // Without expand, neither is there (as with the real expand parameter).
    let (_, _, bare) = get(&sim, t, "/api/v2/users/me").await;
    assert!(bare.get("authorization").is_none() && bare.get("organization").is_none());

    // What the request looked like: the verifier only in the token request.
    let stats = sim.stats();
    let auth = &stats.authorize_requests[0];
    assert!(auth.iter().all(|(_, v)| v != VERIFIER));
    assert_eq!(stats.code_exchanges.len(), 1);
    assert!(!stats.code_exchanges[0].authorization_header);
    assert_eq!(stats.code_exchanges[0].status, 200);
}

#[tokio::test]
async fn client_credentials_tokens_are_refused_on_users_me() {
    let sim = Sim::start(config(10)).await.unwrap();
    let t = token(&sim).await;
    let (s, h, v) = get(&sim, &t, "/api/v2/users/me?expand=authorization").await;
    assert_eq!(s, 400, "{v}");
    assert_genesys_headers(&h);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("This request requires a user context."),
        "{v}"
    );
    let (s, _, _) = get(
        &sim,
        &t,
        "/api/v2/authorization/divisionspermitted/paged/me?permission=analytics:conversationDetail:view",
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn denial_goes_back_with_access_denied_and_the_state() {
    let mut cfg = config(10);
    cfg.sign_in.deny = true;
    let sim = Sim::start(cfg).await.unwrap();
    let (status, pairs, _) = authorize(&sim, &[]).await;
    assert_eq!(status, 302);
    let pairs = pairs.unwrap();
    assert_eq!(param(&pairs, "error"), Some("access_denied"));
    assert_eq!(param(&pairs, "state"), Some("st-123"));
    assert!(param(&pairs, "code").is_none());
}

#[tokio::test]
async fn unknown_client_or_redirect_uri_is_an_error_page_not_a_redirect() {
    let sim = Sim::start(config(10)).await.unwrap();
    for extra in [
        [("redirect_uri", "http://127.0.0.1:2/oauth/callback")],
        [("redirect_uri", "http://127.0.0.1:1/oauth/callback/")],
        [("client_id", "someone-else")],
    ] {
        let (status, pairs, body) = authorize(&sim, &extra).await;
        assert_eq!(status, 400, "{extra:?}");
        assert!(pairs.is_none(), "no redirect for {extra:?}");
        assert!(body.contains("OAuth client ID or redirect URI is invalid"));
    }
    // A bad request from a known client goes back to it with an error.
    let (_, pairs, _) = authorize(&sim, &[("code_challenge_method", "plain")]).await;
    assert_eq!(param(&pairs.unwrap(), "error"), Some("invalid_request"));
    let (_, pairs, _) = authorize(&sim, &[("response_type", "token")]).await;
    assert_eq!(
        param(&pairs.unwrap(), "error"),
        Some("unsupported_response_type")
    );
}

#[tokio::test]
async fn wrong_verifier_reused_code_and_wrong_redirect_are_invalid_grant() {
    let sim = Sim::start(config(10)).await.unwrap();
    let c = code(&sim).await;
    assert_invalid_grant(
        &exchange(
            &sim,
            &c,
            "another-verifier-of-enough-length-0123456789",
            REDIRECT,
        )
        .await,
    );
    // The failed attempt spent the code.
    assert_invalid_grant(&exchange(&sim, &c, VERIFIER, REDIRECT).await);

    let c = code(&sim).await;
    let ok = exchange(&sim, &c, VERIFIER, REDIRECT).await;
    assert_eq!(ok.0, 200);
    assert_invalid_grant(&exchange(&sim, &c, VERIFIER, REDIRECT).await);

    let c = code(&sim).await;
    assert_invalid_grant(&exchange(&sim, &c, VERIFIER, "http://127.0.0.1:2/oauth/callback").await);
    assert_invalid_grant(&exchange(&sim, "never-issued", VERIFIER, REDIRECT).await);
}

#[tokio::test]
async fn refresh_tokens_work_once_when_enabled() {
    let mut cfg = config(10);
    cfg.sign_in.refresh_tokens = true;
    let sim = Sim::start(cfg).await.unwrap();
    let c = code(&sim).await;
    let (_, v) = exchange(&sim, &c, VERIFIER, REDIRECT).await;
    let refresh = v["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let send = |rt: String| {
        let sim_url = sim.base_url();
        let client_id = sim.config().sign_in.client_id.clone();
        async move {
            let r = http()
                .post(format!("{sim_url}/oauth/token"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", rt.as_str()),
                    ("client_id", client_id.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = send(refresh.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["refresh_token"].is_string());
    let (_, _, me) = get(
        &sim,
        v["access_token"].as_str().unwrap(),
        "/api/v2/users/me",
    )
    .await;
    assert_eq!(me["name"], sim.config().sign_in.user.name.as_str());
    assert_invalid_grant(&send(refresh).await);
}

fn division_id(sim: &Sim, name: &str) -> String {
    sim.dataset()
        .division_entities()
        .iter()
        .find(|d| d.name == name)
        .unwrap()
        .id
        .clone()
}

#[tokio::test]
async fn a_user_limited_to_one_division_sees_only_its_conversations() {
    let mut cfg = config(600);
    cfg.sign_in.user.divisions = Some(vec!["Sales, EMEA".into()]);
    let sim = Sim::start(cfg).await.unwrap();
    let sales = division_id(&sim, "Sales, EMEA");
    let scope = sim.user_scope().expect("may read details").clone();
    assert_eq!(
        scope,
        Scope {
            divisions: Some(HashSet::from([sales.clone()])),
            own_user: None
        }
    );
    let t = user_token(&sim).await;
    let (from, to) = (utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0));
    let body =
        json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-31T00:00:00.000Z", "order": "asc"});

    let (ids, convs) = page_sync(&sim, &t, body.clone(), 100).await;
    assert!(convs.iter().all(|c| c["divisionIds"] == json!([sales])));
    let want = sim.dataset().ground_truth_for(from, to, &json!({}), &scope);
    assert!(!want.is_empty() && want.len() < 400, "{}", want.len());
    assert_eq!(ids, want, "the sync query equals the user's ground truth");

    // Everything, for an OAuth client (client credentials): more.
    let (all, _) = page_sync(&sim, &token(&sim).await, body, 100).await;
    assert_eq!(all, sim.dataset().ground_truth(from, to, &json!({})));
    assert!(all.len() > ids.len());

    // Async jobs: the same scope.
    let (s, _, job) = post(
        &sim,
        &t,
        JOBS,
        &json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-31T00:00:00.000Z"}),
    )
    .await;
    assert_eq!(s, 202);
    let id = job["jobId"].as_str().unwrap().to_string();
    let results = loop {
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        let (_, _, st) = get(&sim, &t, &format!("{JOBS}/{id}")).await;
        if st["state"] == "FULFILLED" {
            let (_, _, r) = get(&sim, &t, &format!("{JOBS}/{id}/results")).await;
            break r;
        }
    };
    let got: HashSet<&str> = results["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversationId"].as_str().unwrap())
        .collect();
    assert!(!got.is_empty());
    assert!(results["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["divisionIds"] == json!([sales])));

    // Lookups of division-aware objects: only that division.
    for path in ["/api/v2/routing/queues", "/api/v2/routing/wrapupcodes"] {
        let (_, _, v) = get(&sim, &t, &format!("{path}?pageSize=100")).await;
        let list = v["entities"].as_array().unwrap();
        assert!(!list.is_empty(), "{path}");
        assert!(
            list.iter().all(|e| e["division"]["id"] == sales.as_str()),
            "{path}"
        );
    }

    // divisionspermitted: the one division, not all.
    let (s, _, v) = get(
        &sim,
        &t,
        "/api/v2/authorization/divisionspermitted/paged/me?permission=analytics:conversationDetail:view",
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["allDivsPermitted"], false);
    assert_eq!(v["entities"].as_array().unwrap().len(), 1);
    assert_eq!(v["entities"][0]["name"], "Sales, EMEA");
}

#[tokio::test]
async fn all_divisions_and_no_permission() {
    let mut cfg = config(50);
    cfg.sign_in.user.divisions = None;
    let sim = Sim::start(cfg).await.unwrap();
    let t = user_token(&sim).await;
    let (_, _, v) = get(
        &sim,
        &t,
        "/api/v2/authorization/divisionspermitted/paged/me?permission=analytics:conversationDetail:view",
    )
    .await;
    assert_eq!(v["allDivsPermitted"], true);
    assert_eq!(v["entities"].as_array().unwrap().len(), 3);

    let mut cfg = config(50);
    cfg.sign_in.user.permissions = vec!["routing:queue:view".into()];
    let sim = Sim::start(cfg).await.unwrap();
    assert!(sim.user_scope().is_none());
    let t = user_token(&sim).await;
    let r = post(
        &sim,
        &t,
        QUERY,
        &json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-29T00:00:00.000Z"}),
    )
    .await;
    assert_error(
        &r,
        "/api/v2/analytics/conversations/details/query",
        "post",
        403,
        "missing.any.permissions",
    );
    let (_, _, v) = get(
        &sim,
        &t,
        "/api/v2/authorization/divisionspermitted/paged/me?permission=analytics:conversationDetail:view",
    )
    .await;
    assert_eq!(v["allDivsPermitted"], false);
    assert_eq!(v["entities"], json!([]));
}

#[tokio::test]
async fn agent_permission_alone_sees_own_conversations() {
    let mut cfg = config(400);
    let probe = Sim::start(cfg.clone()).await.unwrap();
    // Sign in as an agent of the dataset.
    let agent = probe.dataset().user_entities()[3].id.clone();
    probe.shutdown().await;
    cfg.sign_in.user.id = agent.clone();
    cfg.sign_in.user.divisions = None;
    cfg.sign_in.user.permissions = vec!["analytics:agentConversationDetail:view".into()];
    let sim = Sim::start(cfg).await.unwrap();
    let t = user_token(&sim).await;
    let body = json!({"interval": "2026-03-28T00:00:00.000Z/2026-03-31T00:00:00.000Z"});
    let (_, convs) = page_sync(&sim, &t, body, 100).await;
    assert!(!convs.is_empty());
    for c in &convs {
        let users: Vec<&str> = c["participants"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["userId"].as_str())
            .collect();
        assert!(users.contains(&agent.as_str()), "{users:?}");
    }
}
