//! Exports through the IPC path on the mock runtime against the built-in
//! emulator (`start_demo`): the file is written, progress arrives on the
//! channel, cancel stops the run within a second and leaves nothing behind,
//! and errors arrive with the right kind.
mod common;

use std::time::{Duration, Instant};

use common::{invoke, TestApp};
use serde_json::{json, Value};

fn demo(t: &TestApp) -> Value {
    invoke(&t.webview, "start_demo", json!({})).unwrap()
}

fn profile_named<'a>(demo: &'a Value, part: &str) -> &'a Value {
    demo["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains(part))
        .unwrap_or_else(|| panic!("no demo profile with {part}: {demo}"))
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect()
}

#[test]
fn demo_export_writes_the_file_and_reports_progress_on_the_channel() {
    let t = TestApp::new();
    let d = demo(&t);
    assert_eq!(d["connection"]["isDemo"], true);
    assert_eq!(d["connection"]["hasSecret"], true);
    assert_eq!(d["profiles"].as_array().unwrap().len(), 2);
    let profile = profile_named(&d, "yesterday");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("yesterday.csv");
    t.save_to(&dest);
    let result = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-1", "profileId": profile["id"], "onProgress": "__CHANNEL__:7"}),
    )
    .unwrap();
    assert_eq!(result["status"], "done", "{result}");
    let summary = &result["summary"];
    assert!(summary["rows"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["path"], dest.display().to_string());
    let bytes = std::fs::metadata(&dest).unwrap().len();
    assert_eq!(summary["bytes"].as_u64().unwrap(), bytes);
    let text = std::fs::read_to_string(&dest).unwrap();
    // Header + one record per row (a quoted note may span lines).
    assert!(text.lines().count() as u64 > summary["rows"].as_u64().unwrap());
    assert_eq!(leftovers(out.path()), vec!["yesterday.csv".to_string()]);

    let messages = t.messages(7);
    let events: Vec<&str> = messages
        .iter()
        .map(|m| m["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.first(), Some(&"started"), "{events:?}");
    // The outcome is the answer above, never also an event.
    assert_eq!(events.last(), Some(&"progress"), "{events:?}");
    assert!(events.contains(&"progress"));
    let last_progress = messages
        .iter()
        .rev()
        .find(|m| m["event"] == "progress")
        .unwrap();
    assert_eq!(last_progress["data"]["phase"], "finishing");
    assert_eq!(last_progress["data"]["rows"], summary["rows"]);

    let history = invoke(&t.webview, "list_history", json!({})).unwrap();
    assert_eq!(history[0]["runId"], "run-1");
    assert_eq!(history[0]["status"], "done");
    assert_eq!(history[0]["rows"], summary["rows"]);
    let profiles = invoke(&t.webview, "list_profiles", json!({})).unwrap();
    let card = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == profile["id"])
        .unwrap();
    assert_eq!(card["lastRun"]["runId"], "run-1");

    // The preview shows the same columns, at most 20 rows, and an estimate.
    let preview = invoke(&t.webview, "preview", json!({"profileId": profile["id"]})).unwrap();
    let header_line = text.lines().next().unwrap();
    let columns = preview["columns"].as_array().unwrap();
    assert!(!columns.is_empty());
    for c in columns {
        assert!(
            header_line.contains(c.as_str().unwrap()),
            "{c} not in {header_line}"
        );
    }
    assert!(preview["rows"].as_array().unwrap().len() <= 20);
    assert!(!preview["rows"].as_array().unwrap().is_empty());
}

#[test]
fn cancel_from_another_thread_stops_within_a_second_and_leaves_no_file() {
    let t = TestApp::new();
    let d = demo(&t);
    let profile = profile_named(&d, "last week").clone();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("week.xlsx");
    let webview = t.webview.clone();
    t.save_to(dest.clone());
    let run = std::thread::spawn(move || {
        invoke(
            &webview,
            "start_export",
            json!({"runId": "run-c", "profileId": profile["id"], "onProgress": "__CHANNEL__:9"}),
        )
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while !t.messages(9).iter().any(|m| m["event"] == "progress") {
        assert!(Instant::now() < deadline, "no progress arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    let cancelled_at = Instant::now();
    assert_eq!(
        invoke(&t.webview, "cancel_export", json!({"runId": "run-c"})).unwrap(),
        json!(true)
    );
    let result = run.join().unwrap().unwrap();
    let took = cancelled_at.elapsed();
    assert_eq!(result["status"], "cancelled", "{result}");
    assert!(took < Duration::from_secs(1), "stopped after {took:?}");
    assert!(
        leftovers(out.path()).is_empty(),
        "{:?}",
        leftovers(out.path())
    );
    assert_no_outcome_event(&t.messages(9));
    assert_eq!(
        invoke(&t.webview, "cancel_export", json!({"runId": "run-c"})).unwrap(),
        json!(false),
        "the registry entry is gone"
    );
    let history = invoke(&t.webview, "list_history", json!({})).unwrap();
    assert_eq!(history[0]["status"], "cancelled");
    assert_eq!(
        invoke(&t.webview, "pending_resumes", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn errors_arrive_with_the_right_kind() {
    let t = TestApp::new();
    let d = demo(&t);
    let base_url = d["connection"]["environment"].as_str().unwrap().to_string();
    let out = tempfile::tempdir().unwrap();

    // Wrong secret → auth (rejects, and the channel says failed).
    let conn = invoke(
        &t.webview,
        "save_connection",
        json!({"connection": {"name": "Wrong", "environment": base_url, "clientId": "demo-client"}, "secret": "not-the-secret"}),
    )
    .unwrap();
    let tested = invoke(
        &t.webview,
        "test_connection",
        json!({"connectionId": conn["id"]}),
    )
    .unwrap();
    assert_eq!(tested["ok"], false);
    let good = invoke(
        &t.webview,
        "test_connection",
        json!({"connectionId": d["connection"]["id"]}),
    )
    .unwrap();
    assert_eq!(good["ok"], true, "{good}");
    let profile = invoke(
        &t.webview,
        "save_profile",
        json!({"profile": {"name": "Wrong secret", "connectionId": conn["id"], "timeZone": "UTC",
                "range": {"kind": "preset", "preset": "yesterday"}, "options": {"format": "csv"}}}),
    )
    .unwrap();
    t.save_to(out.path().join("x.csv"));
    let err = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-auth", "profileId": profile["id"], "onProgress": "__CHANNEL__:3"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "auth", "{err}");
    assert!(!err["message"].as_str().unwrap().contains("not-the-secret"));
    assert_no_outcome_event(&t.messages(3));
    assert!(leftovers(out.path()).is_empty());

    // Unknown profile → invalid_input / not_found with the field.
    let err = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-x", "profileId": "nope", "onProgress": "__CHANNEL__:4"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["field"], "profileId");
    let err = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-y", "profileId": "00000000-0000-0000-0000-000000000001", "onProgress": "__CHANNEL__:4"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "not_found");

    // An existing destination without replace → io on destination (one rule
    // with the CLI, which exits 5 for it).
    let demo_profile = profile_named(&d, "yesterday");
    let existing = out.path().join("exists.csv");
    std::fs::write(&existing, "keep me").unwrap();
    t.save_to(&existing);
    let err = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-z", "profileId": demo_profile["id"], "onProgress": "__CHANNEL__:5"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "io");
    assert_eq!(err["field"], "destination");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn cancelling_the_save_dialog_cancels_the_export() {
    // Debug-only seam: the "dialog" answers "cancelled".
    std::env::set_var("GENESYS_EXPORT_TEST_SAVE_PATH", "cancel");
    let t = TestApp::new();
    let d = demo(&t);
    let profile = profile_named(&d, "yesterday");
    let result = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-d", "profileId": profile["id"], "onProgress": "__CHANNEL__:6"}),
    )
    .unwrap();
    assert_eq!(result, json!({"status": "cancelled"}));
    assert_eq!(t.messages(6), Vec::<Value>::new());
    assert_eq!(
        invoke(&t.webview, "list_history", json!({})).unwrap(),
        json!([])
    );
}

/// #14.5: the file name's extension must be the format's; nothing is written otherwise.
#[test]
fn a_destination_whose_extension_is_not_the_formats_is_refused() {
    let t = TestApp::new();
    let d = demo(&t);
    let profile = profile_named(&d, "yesterday");
    let out = tempfile::tempdir().unwrap();
    for name in [
        "yesterday.txt",
        "yesterday.xlsx",
        "yesterday",
        "yesterday.csv.exe",
    ] {
        t.save_to(out.path().join(name));
        let err = invoke(
            &t.webview,
            "start_export",
            json!({"runId": "run-ext", "profileId": profile["id"], "onProgress": "__CHANNEL__:11"}),
        )
        .unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{name}: {err}");
        assert_eq!(err["field"], "destination", "{name}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(".csv"),
            "{name}: {err}"
        );
        assert!(leftovers(out.path()).is_empty(), "{name}");
    }
}

fn done_entry(run_id: &str, path: &std::path::Path) -> genesys_core::jobs::HistoryEntry {
    genesys_core::jobs::HistoryEntry {
        run_id: run_id.into(),
        profile_id: "p".into(),
        profile_name: "Sales".into(),
        connection_id: "c".into(),
        from: "2026-01-01T00:00:00Z".into(),
        to: "2026-01-02T00:00:00Z".into(),
        status: genesys_core::jobs::HistoryStatus::Done,
        rows: 1,
        conversations: 1,
        duration_ms: 1,
        path: path.display().to_string(),
        error: None,
        started_at: chrono::Utc::now(),
    }
}

/// #14.5: "Open file" / "Show in folder" only for .csv, .xlsx and .jsonl
/// files the history produced, even when the history names another file.
#[test]
fn open_file_only_opens_exports_of_the_three_formats() {
    let t = TestApp::new();
    let out = tempfile::tempdir().unwrap();
    // A history entry naming a program (e.g. a history file edited by someone else).
    let script = out.path().join("run-me.sh");
    let history = genesys_core::jobs::History::new(&t.data_dir());
    history.record(done_entry("run-sh", &script)).unwrap();
    for cmd in ["open_file", "show_in_folder"] {
        let err = invoke(&t.webview, cmd, json!({ "path": script })).unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{cmd}: {err}");
        assert_eq!(err["field"], "path", "{cmd}: {err}");
    }
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

fn fixed_profile(t: &TestApp, d: &Value, name: &str, from: &str, to: &str) -> Result<Value, Value> {
    invoke(
        &t.webview,
        "save_profile",
        json!({"profile": {"name": name, "connectionId": d["connection"]["id"], "timeZone": "UTC",
                "range": {"kind": "fixed", "from": from, "to": to}, "options": {"format": "csv"}}}),
    )
}

/// #14.6: a range before Genesys's five-year retention, or ending after
/// tomorrow, is refused with the field to fix.
#[test]
fn date_ranges_are_bounded() {
    let t = TestApp::new();
    let d = demo(&t);
    let err = fixed_profile(&t, &d, "Too old", "2015-01-01", "2015-01-31").unwrap_err();
    assert_eq!(err["kind"], "invalid_input", "{err}");
    assert_eq!(err["field"], "from", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("five years"),
        "{err}"
    );
    let err = fixed_profile(&t, &d, "Future", &day(-1), &day(30)).unwrap_err();
    assert_eq!(err["field"], "to", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("tomorrow"),
        "{err}"
    );
    // Up to tomorrow is fine.
    fixed_profile(&t, &d, "Fine", &day(-3), &day(1)).unwrap();
}

/// #14.6: above 31 days the UI is told, before the save dialog opens (so
/// before anything is fetched), how long the export may take.
#[test]
fn a_long_range_is_announced_before_the_export_starts() {
    std::env::set_var("GENESYS_EXPORT_TEST_SAVE_PATH", "cancel");
    let t = TestApp::new();
    let d = demo(&t);
    let long = fixed_profile(&t, &d, "Two months", &day(-62), &day(-2)).unwrap();
    let result = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-long", "profileId": long["id"], "onProgress": "__CHANNEL__:12"}),
    )
    .unwrap();
    assert_eq!(result["status"], "cancelled");
    let events = t.messages(12);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["event"], "longRange", "{events:?}");
    assert_eq!(events[0]["data"]["days"], 61);
    let message = events[0]["data"]["message"].as_str().unwrap();
    assert!(message.contains("61 days"), "{message}");
    assert!(message.contains("minutes"), "{message}");

    // A month or less: nothing to announce.
    let short = fixed_profile(&t, &d, "One month", &day(-31), &day(-1)).unwrap();
    invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-short", "profileId": short["id"], "onProgress": "__CHANNEL__:13"}),
    )
    .unwrap();
    let events: Vec<Value> = t.messages(13).iter().map(|m| m["event"].clone()).collect();
    assert_eq!(events, Vec::<Value>::new());
}

/// A run's outcome is reported once: by the command's answer (or its
/// rejection), never also as an event on its channel.
fn assert_no_outcome_event(messages: &[Value]) {
    for m in messages {
        let event = m["event"].as_str().unwrap_or_default();
        assert!(
            ["longRange", "started", "progress", "queued"].contains(&event),
            "{m}"
        );
    }
}

/// #14.5: the window cannot choose where an export is written. start_export
/// has no destination of its own (only the save dialog's answer counts): a
/// `destination`/`replace` sent over IPC is ignored, in every build.
#[test]
fn a_destination_sent_over_ipc_is_ignored() {
    let t = TestApp::new();
    let d = demo(&t);
    let profile = profile_named(&d, "yesterday");
    let out = tempfile::tempdir().unwrap();
    let chosen = out.path().join("chosen.csv");
    let planted = out.path().join("planted.csv");
    std::fs::write(&planted, "keep me").unwrap();
    t.save_to(&chosen);
    let result = invoke(
        &t.webview,
        "start_export",
        json!({"runId": "run-ipc-dest", "profileId": profile["id"], "onProgress": "__CHANNEL__:14",
               "destination": planted.display().to_string(), "replace": true}),
    )
    .unwrap();
    assert_eq!(result["status"], "done", "{result}");
    assert_eq!(result["summary"]["path"], chosen.display().to_string());
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "keep me");
    assert!(std::fs::metadata(&chosen).unwrap().len() > 0);
}
