//! The operations run with no desktop: connections, profiles, settings,
//! sharing profiles through the host's dialogs, the demo organization, and
//! the one error shape, and one plan per export.
mod common;

use chrono::{Days, Duration, NaiveDate, NaiveTime, Utc};
use common::{TestHost, TestOps};
use genesys_core::clock::{local_to_utc, parse_time_zone};
use genesys_core::export::EntityKind;
use genesys_core::jobs::{ExportEvent, RunStatus};
use genesys_core::profiles::{DateRange, RelativePreset};
use genesys_core::{Error, ErrorKind};
use genesys_ops::{ConnectionInput, Host};

fn input(name: &str) -> ConnectionInput {
    ConnectionInput {
        id: None,
        name: name.into(),
        environment: "mypurecloud.ie".into(),
        client_id: "abc-123".into(),
    }
}

#[tokio::test]
async fn connections_keep_their_secret_in_the_keychain() {
    let t = TestOps::new();
    let e = genesys_ops::save_connection(&t.ops, input("Dublin"), None)
        .await
        .expect_err("a new connection needs a secret");
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ErrorKind::InvalidInput, Some("secret"))
    );

    let saved = genesys_ops::save_connection(&t.ops, input("Dublin"), Some("s3cr3t".into()))
        .await
        .unwrap();
    assert!(saved.has_secret);
    let id = saved.connection.id.to_string();
    use genesys_core::secrets::SecretStore;
    assert_eq!(t.secrets.get(&id).unwrap().unwrap().expose(), "s3cr3t");

    // An update without a secret keeps it; an empty secret is no secret.
    let mut again = input("Dublin office");
    again.id = Some(id.clone());
    let renamed = genesys_ops::save_connection(&t.ops, again, Some(String::new()))
        .await
        .unwrap();
    assert_eq!(renamed.connection.name, "Dublin office");
    assert!(renamed.has_secret);
    let list = genesys_ops::list_connections(&t.ops).await.unwrap();
    assert_eq!(list.len(), 1);

    let e = genesys_ops::delete_connection(&t.ops, "not-an-id")
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ErrorKind::InvalidInput, Some("id"))
    );
    genesys_ops::delete_connection(&t.ops, &id).await.unwrap();
    assert_eq!(t.secrets.get(&id).unwrap(), None);
    assert!(genesys_ops::list_connections(&t.ops)
        .await
        .unwrap()
        .is_empty());

    let e = genesys_ops::test_connection(&t.ops, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("connection"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_profiles_are_shared_and_imported_through_the_host() {
    let t = TestOps::new();
    let demo = genesys_ops::start_demo(&t.ops).await.unwrap();
    assert!(demo.connection.connection.is_demo);
    assert_eq!(demo.profiles.len(), 2);
    let conn_id = demo.connection.connection.id.to_string();

    let tested = genesys_ops::test_connection(&t.ops, Some(conn_id.clone()), None, None)
        .await
        .unwrap();
    assert!(tested.ok, "{}", tested.message);
    let queues = genesys_ops::list_entities(&t.ops, &conn_id, EntityKind::Queue, None)
        .await
        .unwrap();
    assert!(!queues.entities.is_empty());
    assert!(!queues.truncated);

    // Sharing: the host's save dialog answers; cancelling writes nothing.
    let cancelled = genesys_ops::export_profiles(&t.ops, &TestHost::new(), None)
        .await
        .unwrap();
    assert_eq!((cancelled.path.as_str(), cancelled.count), ("", 0));
    let file = t.path("shared.json");
    let host = TestHost::saving_to(&file);
    let shared = genesys_ops::export_profiles(&t.ops, &host, None)
        .await
        .unwrap();
    assert_eq!(shared.count, 2);
    assert_eq!(shared.path, file.display().to_string());
    let dialog = host.save_dialogs.lock().unwrap()[0].clone();
    assert_eq!(dialog.filter.extensions, ["json"]);
    assert!(file.is_file());

    let nothing = genesys_ops::import_profiles(&t.ops, &TestHost::new())
        .await
        .unwrap();
    assert_eq!(nothing.imported, 0);
    let imported = genesys_ops::import_profiles(&t.ops, &TestHost::opening(&file))
        .await
        .unwrap();
    assert_eq!(imported.imported, 2, "{:?}", imported.skipped);
    let profiles = genesys_ops::list_profiles(&t.ops).await.unwrap();
    assert_eq!(profiles.len(), 4);
    assert!(profiles.iter().all(|p| p.last_run.is_none()));

    // Only files a finished export wrote are opened.
    let host = TestHost::new();
    let e = genesys_ops::open_file(&t.ops, &host, &file.display().to_string()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("path"));
    assert!(host.opened.lock().unwrap().is_empty());
}

#[test]
fn an_error_crosses_as_kind_message_and_field_only() {
    let e =
        Error::invalid("timeZone", "Unknown time zone \"Mars/Base\".").with_cause("parse error");
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"kind": "invalid_input", "message": "Unknown time zone \"Mars/Base\".", "field": "timeZone"})
    );
    let mut e = Error::new(ErrorKind::Server, "Genesys Cloud failed (503).")
        .with_cause("hyper: connection reset");
    e.genesys = Some(Box::default());
    let wire = serde_json::to_value(&e).unwrap();
    assert_eq!(
        wire,
        serde_json::json!({"kind": "server", "message": "Genesys Cloud failed (503)."})
    );
    assert_eq!(e.cause.as_deref(), Some("hyper: connection reset"));
}

/// The plan is made once, before the save dialog: the file name the dialog
/// suggests and the range the run fetches come from the same moment, even
/// when the dialog stays open past midnight ("yesterday" must not become
/// another day between the two).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_name_and_the_data_come_from_one_plan() {
    let t = TestOps::new();
    let demo = genesys_ops::start_demo(&t.ops).await.unwrap();
    let profile = demo
        .profiles
        .iter()
        .find(|p| {
            matches!(
                p.range,
                DateRange::Preset {
                    preset: RelativePreset::Yesterday
                }
            )
        })
        .expect("the demo's \"yesterday\" profile")
        .clone();
    let tz = parse_time_zone(&profile.time_zone, "timeZone").unwrap();
    // A day inside the demo's data (the 40 days before now): 30 s before
    // midnight there, and the dialog stays open for a minute.
    let day = (Utc::now() - Duration::days(10))
        .with_timezone(&tz)
        .date_naive();
    let midnight = |d: NaiveDate| local_to_utc(tz, d.and_time(NaiveTime::MIN));
    let host = TestHost::saving_to(t.path("export.csv"))
        .at(midnight(day + Days::new(1)) - Duration::seconds(30));
    *host.dialog_takes.lock().unwrap() = Some(Duration::minutes(1));

    let result = genesys_ops::start_export(
        &t.ops,
        &host,
        "run-at-midnight".into(),
        &profile.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(result.status, RunStatus::Done, "{result:?}");
    assert!(
        host.now() > midnight(day + Days::new(1)),
        "the clock moved on"
    );

    // The file is named for the day before `day`, the "yesterday" of the
    // moment it was planned...
    let yesterday = day - Days::new(1);
    let named = host.save_dialogs.lock().unwrap()[0].file_name.clone();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    assert!(named.contains(&date(yesterday)), "{named}");
    assert!(!named.contains(&date(day)), "{named}");
    // ...and the run fetched that same day, not `day`.
    let (from, to) = (midnight(yesterday), midnight(day));
    let started = host
        .events()
        .into_iter()
        .find_map(|e| match e {
            ExportEvent::Started(s) => Some(s),
            _ => None,
        })
        .expect("a started event");
    let local = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
    assert_eq!((started.from, started.to), (local(from), local(to)));
    let history = genesys_ops::list_history(&t.ops).unwrap();
    assert_eq!(
        (history[0].from.as_str(), history[0].to.as_str()),
        (local(from).as_str(), local(to).as_str())
    );
    // No conversation in the file started after that day (the emulator,
    // like Genesys, also returns conversations that began the day before and
    // went on into it).
    let summary = result.summary.expect("a summary");
    assert!(summary.conversations > 0, "{summary:?}");
    let mut reader = csv::Reader::from_path(t.path("export.csv")).unwrap();
    let mut started_that_day = 0u64;
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "Start")
        .expect("a Start column");
    for row in reader.records() {
        let text = row.unwrap()[column].to_string();
        let at = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S")
            .map(|n| local_to_utc(tz, n))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(at < to, "{text} is after {to}");
        started_that_day += u64::from(at >= from);
    }
    assert!(started_that_day > 0, "no conversation of {yesterday}");
}
