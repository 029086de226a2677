//! App commands on Tauri's mock runtime, through the real IPC path: argument
//! names, result shapes and the `{kind, message, field?}` error shape.
mod common;

use common::{invoke, TestApp};
use serde_json::json;

#[test]
fn app_info_and_regions() {
    let t = TestApp::new();
    let info = invoke(&t.webview, "app_info", json!({})).unwrap();
    assert_eq!(info["configDir"], t.config_dir().display().to_string());
    assert!(info["notices"].as_array().unwrap().is_empty());
    assert!(info["version"].is_string());

    let regions = invoke(&t.webview, "list_regions", json!({})).unwrap();
    let regions = regions.as_array().unwrap();
    assert_eq!(regions.len(), 18);
    assert!(regions
        .iter()
        .any(|r| r["domain"] == "mypurecloud.ie" && r["awsRegion"] == "eu-west-1"));
}

#[test]
fn cancel_unknown_run_is_false_and_history_starts_empty() {
    let t = TestApp::new();
    assert_eq!(
        invoke(&t.webview, "cancel_export", json!({"runId": "nope"})).unwrap(),
        json!(false)
    );
    assert_eq!(
        invoke(&t.webview, "list_history", json!({})).unwrap(),
        json!([])
    );
    assert_eq!(
        invoke(&t.webview, "pending_resumes", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn errors_cross_ipc_with_kind_message_and_field() {
    let t = TestApp::new();
    let err = invoke(&t.webview, "discard_resume", json!({"runId": "../../etc"})).unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["field"], "runId");
    assert!(err["message"].as_str().unwrap().contains("run id"));

    // Only files this app exported can be opened.
    let err = invoke(&t.webview, "open_file", json!({"path": "/usr/bin/xterm"})).unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["field"], "path");
    let err = invoke(&t.webview, "show_in_folder", json!({"path": "/etc/passwd"})).unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
}

#[test]
fn a_damaged_history_is_set_aside_with_a_notice() {
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("history.json"), b"{ oops").unwrap();
    let t = TestApp::with_dirs(dirs);
    let info = invoke(&t.webview, "app_info", json!({})).unwrap();
    let notices = info["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].as_str().unwrap().contains("history"));
    assert_eq!(
        invoke(&t.webview, "list_history", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn closing_the_window_cancels_its_runs_and_waits_for_them() {
    use genesys_ops::Ops;
    use tauri::Manager;

    let t = TestApp::new();
    let registry = t.app.state::<Ops>().ctx.registry.clone();
    let guard = registry.register("run-1", Some("main")).unwrap();
    let other = registry.register("run-2", Some("elsewhere")).unwrap();
    let token = guard.token();
    // A "run" that cleans up 200 ms after it is cancelled.
    let worker = std::thread::spawn(move || {
        while !token.is_cancelled() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(guard);
    });
    let window = t.webview.as_ref().window();
    let started = std::time::Instant::now();
    let cancelled = tauri::async_runtime::block_on(
        genesys_export::commands::window::cancel_runs_and_close(window),
    );
    assert_eq!(cancelled, 1);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(200),
        "waited for cleanup"
    );
    assert!(!registry.is_active("run-1"));
    assert!(
        registry.is_active("run-2"),
        "other windows' runs keep going"
    );
    assert!(!other.token().is_cancelled());
    worker.join().unwrap();
}
