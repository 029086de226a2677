//! Connections, profiles, settings and columns through the IPC path on the
//! mock runtime: shapes, field-level errors, and secrets that never come back.
mod common;

use common::{invoke, TestApp};
use genesys_core::secrets::SecretStore;
use serde_json::{json, Value};

const SECRET: &str = "s3cr3t-Value-never-returned";

fn save_connection(t: &TestApp) -> Value {
    invoke(
        &t.webview,
        "save_connection",
        json!({
            "connection": {"name": "Dublin org", "environment": "mypurecloud.ie", "clientId": "abc-123"},
            "secret": SECRET
        }),
    )
    .unwrap()
}

#[test]
fn a_connection_keeps_its_secret_in_the_store_and_never_returns_it() {
    let t = TestApp::new();
    let conn = save_connection(&t);
    assert_eq!(conn["name"], "Dublin org");
    assert_eq!(conn["clientId"], "abc-123");
    assert_eq!(conn["isDemo"], false);
    assert_eq!(conn["hasSecret"], true);
    let id = conn["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.secrets.get(&id).unwrap().unwrap().expose(),
        SECRET,
        "the secret went to the secret store"
    );
    let list = invoke(&t.webview, "list_connections", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    for response in [&conn, &list] {
        assert!(!response.to_string().contains(SECRET));
    }
    // Nothing under the config folder holds the secret either.
    for entry in test_support::files::files_under(&t.config_dir()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(SECRET),
            "{} holds the secret",
            entry.display()
        );
    }

    // Update without a secret keeps it; delete removes it.
    let renamed = invoke(
        &t.webview,
        "save_connection",
        json!({"connection": {"id": id, "name": "Dublin", "environment": "eu-west-1", "clientId": "abc-123"}}),
    )
    .unwrap();
    assert_eq!(renamed["hasSecret"], true);
    // #14.1: a new address without a new secret is refused (the secret stays bound to its host).
    let err = invoke(
        &t.webview,
        "save_connection",
        json!({"connection": {"id": id, "name": "Dublin", "environment": "https://api.elsewhere.example.com", "clientId": "abc-123"}}),
    )
    .expect_err("a new address needs the secret again");
    assert_eq!(err["kind"], "invalid_input", "{err}");
    assert_eq!(err["field"], "secret", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("enter the client secret again"),
        "{err}"
    );
    let list = invoke(&t.webview, "list_connections", json!({})).unwrap();
    assert_eq!(list[0]["environment"], "eu-west-1", "{list}");
    invoke(&t.webview, "delete_connection", json!({"id": id})).unwrap();
    assert_eq!(t.secrets.get(&id).unwrap(), None);
    assert_eq!(
        invoke(&t.webview, "list_connections", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn bad_input_gets_field_level_errors() {
    let t = TestApp::new();
    let err = invoke(
        &t.webview,
        "save_connection",
        json!({"connection": {"name": "X", "environment": "http://example.com", "clientId": "a"}, "secret": "s"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["field"], "environment");

    let conn = save_connection(&t);
    let err = invoke(
        &t.webview,
        "save_profile",
        json!({"profile": {
            "name": "Voice", "connectionId": conn["id"], "timeZone": "Mars/Olympus",
            "range": {"kind": "preset", "preset": "yesterday"}
        }}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["field"], "timeZone");

    let err = invoke(&t.webview, "delete_profile", json!({"id": "not-a-uuid"})).unwrap_err();
    assert_eq!(err["field"], "id");
}

#[test]
fn profiles_settings_and_columns() {
    let t = TestApp::new();
    let conn = save_connection(&t);
    let saved = invoke(
        &t.webview,
        "save_profile",
        json!({"profile": {
            "name": "Voice, last week", "connectionId": conn["id"], "timeZone": "Europe/Dublin",
            "range": {"kind": "preset", "preset": "last_week"},
            "filters": {"mediaTypes": ["voice"]},
            "export": {"format": "csv", "grain": "conversation"}
        }}),
    )
    .unwrap();
    assert_eq!(saved["name"], "Voice, last week");
    let list = invoke(&t.webview, "list_profiles", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], saved["id"]);
    assert_eq!(list[0]["lastRun"], Value::Null);

    let cols = invoke(&t.webview, "list_columns", json!({"grain": "segment"})).unwrap();
    let cols = cols.as_array().unwrap();
    assert!(!cols.is_empty());
    assert!(cols
        .iter()
        .all(|c| c["id"].is_string() && c["header"].is_string()));
    let err = invoke(&t.webview, "list_columns", json!({"grain": "nonsense"})).unwrap_err();
    assert!(err.to_string().contains("grain"), "{err}");

    let mut settings = invoke(&t.webview, "get_settings", json!({})).unwrap();
    settings["csvDelimiter"] = json!("semicolon");
    let saved = invoke(&t.webview, "save_settings", json!({"settings": settings})).unwrap();
    assert_eq!(saved["csvDelimiter"], "semicolon");
    assert_eq!(
        invoke(&t.webview, "get_settings", json!({})).unwrap()["csvDelimiter"],
        "semicolon"
    );

    invoke(&t.webview, "delete_profile", json!({"id": list[0]["id"]})).unwrap();
    assert_eq!(
        invoke(&t.webview, "list_profiles", json!({})).unwrap(),
        json!([])
    );
}
