//! Shared helpers of the emulator's integration tests: the OpenAPI subset as
//! JSON-schema validators (responses lenient, requests strict), a reqwest
//! client and token helper.
#![allow(dead_code)]

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use genesys_sim::{Sim, SimConfig};
use serde_json::{json, Value};

pub const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/genesys/openapi-subset.json"
);

pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH).expect("read openapi-subset.json");
        serde_json::from_str(&text).expect("parse openapi-subset.json")
    })
}

/// Adds `additionalProperties: false` to every object schema with `properties`
/// (walking schemas only: `properties` values, `items`, `additionalProperties`, `allOf`).
fn strict(schema: &mut Value) {
    let Value::Object(m) = schema else { return };
    if m.contains_key("properties") && !m.contains_key("additionalProperties") {
        m.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(Value::Object(props)) = m.get_mut("properties") {
        props.values_mut().for_each(strict);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = m.get_mut(key) {
            strict(s);
        }
    }
    if let Some(Value::Array(all)) = m.get_mut("allOf") {
        all.iter_mut().for_each(strict);
    }
}

fn validator(definition: &str, strict_mode: bool) -> jsonschema::Validator {
    let mut defs = spec()["definitions"].clone();
    assert!(defs.get(definition).is_some(), "no definition {definition}");
    if strict_mode {
        if let Value::Object(all) = &mut defs {
            all.values_mut().for_each(strict);
        }
    }
    let schema = json!({"$ref": format!("#/definitions/{definition}"), "definitions": defs});
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile schema")
}

/// Errors of `instance` against a response definition (lenient: extra fields allowed).
pub fn response_errors(definition: &str, instance: &Value) -> Vec<String> {
    let v = validator(definition, false);
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Errors of `instance` against a request definition (strict: no undeclared fields).
pub fn request_errors(definition: &str, instance: &Value) -> Vec<String> {
    let v = validator(definition, true);
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[track_caller]
pub fn assert_response_valid(definition: &str, instance: &Value) {
    let errs = response_errors(definition, instance);
    assert!(
        errs.is_empty(),
        "{definition} invalid: {errs:#?}\n{instance:#}"
    );
}

#[track_caller]
pub fn assert_request_valid(definition: &str, instance: &Value) {
    let errs = request_errors(definition, instance);
    assert!(
        errs.is_empty(),
        "{definition} request invalid: {errs:#?}\n{instance:#}"
    );
}

/// The (definition, status) a path documents for a status code, e.g. "ErrorBody".
pub fn documented_schema(path: &str, method: &str, status: u16) -> String {
    let r = &spec()["paths"][path][method]["responses"][status.to_string()];
    assert!(
        !r.is_null(),
        "{method} {path} does not document status {status}"
    );
    r["schema"]["$ref"]
        .as_str()
        .map(|s| s.trim_start_matches("#/definitions/").to_string())
        .unwrap_or_default()
}

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid date")
}

/// A small org: `n` conversations over 3 days from 2026-03-28 (the EU DST change
/// is 2026-03-29 01:00 UTC), "now" fixed well after, no rate limit.
pub fn small_config(n: u64) -> SimConfig {
    SimConfig {
        conversations: n,
        seed: 7,
        start: utc(2026, 3, 28, 0, 0),
        days: 3,
        now: Some(utc(2026, 4, 2, 0, 0)),
        rate_limit: None,
        job_delays: std::time::Duration::from_millis(50),
        ..SimConfig::default()
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().expect("reqwest client")
}

pub async fn token(sim: &Sim) -> String {
    let cfg = sim.config();
    let r = http()
        .post(format!("{}/oauth/token", sim.base_url()))
        .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("token json");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

pub const QUERY: &str = "/api/v2/analytics/conversations/details/query";
pub const JOBS: &str = "/api/v2/analytics/conversations/details/jobs";

/// POST a JSON body with a bearer token; returns (status, headers, JSON or Null).
pub async fn post(
    sim: &Sim,
    token: &str,
    path: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = http()
        .post(format!("{}{path}", sim.base_url()))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    split(r).await
}

pub async fn get(
    sim: &Sim,
    token: &str,
    path_and_query: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = http()
        .get(format!("{}{path_and_query}", sim.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    split(r).await
}

pub async fn split(r: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, headers, v)
}

/// Checks the Genesys headers every response carries.
#[track_caller]
pub fn assert_genesys_headers(h: &reqwest::header::HeaderMap) {
    for k in [
        "inin-correlation-id",
        "inin-ratelimit-count",
        "inin-ratelimit-allowed",
        "inin-ratelimit-reset",
    ] {
        assert!(h.get(k).is_some(), "missing header {k}: {h:?}");
    }
}

/// Asserts an ErrorBody with this status and code, valid against the schema
/// the path documents, with contextId = the correlation id header.
#[track_caller]
pub fn assert_error(
    resp: &(u16, reqwest::header::HeaderMap, Value),
    path: &str,
    method: &str,
    status: u16,
    code: &str,
) {
    let (s, h, body) = resp;
    assert_eq!(*s, status, "{body}");
    assert_genesys_headers(h);
    let def = documented_schema(path, method, status);
    assert_eq!(def, "ErrorBody");
    assert_response_valid(&def, body);
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        body["contextId"].as_str(),
        h.get("inin-correlation-id").and_then(|v| v.to_str().ok())
    );
}

/// Pages the sync query to the end; validates every request (strict) and page.
pub async fn page_sync(
    sim: &Sim,
    token: &str,
    mut body: Value,
    page_size: u32,
) -> (Vec<String>, Vec<Value>) {
    let mut ids = Vec::new();
    let mut convs = Vec::new();
    for page in 1.. {
        body["paging"] = json!({"pageSize": page_size, "pageNumber": page});
        assert_request_valid("ConversationQuery", &body);
        let (status, h, v) = post(sim, token, QUERY, &body).await;
        assert_eq!(status, 200, "{v}");
        assert_genesys_headers(&h);
        assert_response_valid("AnalyticsConversationQueryResponse", &v);
        assert!(v["totalHits"].is_u64());
        let Some(list) = v["conversations"].as_array() else {
            break;
        };
        assert!(!list.is_empty(), "an empty page must omit `conversations`");
        for c in list {
            ids.push(c["conversationId"].as_str().expect("id").to_string());
            convs.push(c.clone());
        }
    }
    (ids, convs)
}
