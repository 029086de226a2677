//! Contract tests: every request body the client sends validates STRICTLY
//! against `tests/fixtures/genesys/openapi-subset.json` (every object gets
//! `additionalProperties: false`, so an invented field such as `dateFrom` fails).
use chrono::{TimeZone, Utc};
use genesys_core::genesys::{query, Filters};
use serde_json::{json, Value};

/// Walk a schema (not its data): close every object that lists `properties`.
fn strict(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (_, child) in props.iter_mut() {
            strict(child);
        }
        if !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            strict(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            list.iter_mut().for_each(strict);
        }
    }
}

fn validator(definition: &str) -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/genesys/openapi-subset.json"
    );
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut definitions = spec["definitions"].clone();
    assert!(
        definitions.get(definition).is_some(),
        "{definition} missing"
    );
    if let Value::Object(defs) = &mut definitions {
        defs.values_mut().for_each(strict);
    }
    let schema = json!({
        "$ref": format!("#/definitions/{definition}"),
        "definitions": definitions,
    });
    jsonschema::draft4::new(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, body: &Value) {
    let errors: Vec<String> = v.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "body {body} is invalid: {errors:?}");
}

fn filter_sets() -> Vec<Filters> {
    let all = Filters {
        queue_ids: vec!["q-1".into(), "q-2".into()],
        media_types: vec!["voice".into(), "chat".into()],
        directions: vec!["inbound".into()],
        user_ids: vec!["u-1".into()],
        wrap_up_codes: vec!["w-1".into()],
        division_ids: vec!["d-1".into(), "d-2".into()],
    };
    vec![
        Filters::default(),
        all,
        Filters {
            division_ids: vec!["d-1".into()],
            ..Filters::default()
        },
        Filters {
            media_types: vec!["email".into()],
            ..Filters::default()
        },
    ]
}

#[test]
fn sync_query_bodies_validate_strictly() {
    let v = validator("ConversationQuery");
    let from = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 2, 1, 13, 30, 0).unwrap();
    for f in filter_sets() {
        for (size, page) in [(100, 1), (200, 57), (1, 1)] {
            assert_valid(&v, &query::sync_query(from, to, &f, size, page));
        }
    }
}

#[test]
fn async_job_bodies_validate_strictly() {
    let v = validator("AsyncConversationQuery");
    let from = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 2, 8, 0, 0, 0).unwrap();
    for f in filter_sets() {
        assert_valid(&v, &query::async_job(from, to, &f));
    }
}

#[test]
fn the_strict_check_rejects_invented_fields() {
    // Proves the contract tests can fail: the tutorials' fields are refused.
    let v = validator("ConversationQuery");
    let from = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 2, 2, 0, 0, 0).unwrap();
    let mut body = query::sync_query(from, to, &Filters::default(), 100, 1);
    body["dateFrom"] = json!("2024-02-01");
    assert!(!v.is_valid(&body));
    let mut body = query::sync_query(from, to, &Filters::default(), 100, 1);
    body["paging"]["cursor"] = json!("abc");
    assert!(!v.is_valid(&body));
    // The sync body is not a valid async body (no paging there).
    let a = validator("AsyncConversationQuery");
    assert!(!a.is_valid(&query::sync_query(from, to, &Filters::default(), 100, 1)));
}
