//! The operations run with no desktop: connections, profiles, settings,
//! sharing profiles through the host's dialogs, the demo organization, and
//! the one error shape.
mod common;

use common::{TestHost, TestOps};
use genesys_core::export::EntityKind;
use genesys_core::{Error, ErrorKind};
use genesys_ops::ConnectionInput;

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
    assert!(!queues.is_empty());

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
