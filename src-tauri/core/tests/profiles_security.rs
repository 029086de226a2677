//! Security rules of the saved settings (issue #14): a saved secret is bound
//! to its login server and client id, an imported profile never chooses where
//! files go, and two processes sharing the folders never undo each other.
use std::path::Path;

use genesys_core::profiles::{validate, Connection, Store};
use genesys_core::secrets::{MemoryStore, Secret, SecretStore};
use genesys_core::ErrorKind;
use uuid::Uuid;

const SECRET: &str = "bound-Secret-for-the-first-host-77";

fn conn(name: &str, environment: &str, client_id: &str) -> Connection {
    Connection {
        id: Uuid::new_v4(),
        name: name.into(),
        environment: environment.into(),
        client_id: client_id.into(),
        is_demo: false,
    }
}

fn saved_secret(secrets: &MemoryStore, c: &Connection) -> Option<String> {
    secrets
        .get(&c.id.to_string())
        .expect("get")
        .map(|s| s.expose().to_string())
}

/// #14.1: a saved secret never follows the connection to another host or client id.
#[test]
fn a_saved_secret_does_not_follow_the_connection_to_a_new_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, _) = Store::open(dir.path());
    let c = store
        .save_connection(
            conn("Prod", "mypurecloud.ie", "client-a"),
            Some(&Secret::new(SECRET)),
            &secrets,
        )
        .expect("save");
    let file_before = std::fs::read(store.path()).expect("read");

    // Another login server, no new secret: refused, nothing changes.
    for (environment, client_id, why) in [
        ("mypurecloud.com", "client-a", "another region"),
        (
            "https://api.evil.example.com",
            "client-a",
            "an address of someone else",
        ),
        ("eu-west-1", "client-b", "another client id"),
        ("mypurecloud.ie", "client-b", "another client id"),
    ] {
        let mut moved = c.clone();
        moved.environment = environment.into();
        moved.client_id = client_id.into();
        let err = store.save_connection(moved, None, &secrets).expect_err(why);
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{why}: {err:?}");
        assert_eq!(err.field.as_deref(), Some("secret"), "{why}: {err:?}");
        assert!(
            err.message
                .contains("You changed the address or client id: enter the client secret again"),
            "{why}: {}",
            err.message
        );
        assert_eq!(store.connection(c.id), Some(&c), "{why}: changed in memory");
        assert_eq!(
            std::fs::read(store.path()).expect("read"),
            file_before,
            "{why}: the file changed"
        );
        assert_eq!(saved_secret(&secrets, &c).as_deref(), Some(SECRET), "{why}");
    }

    // The same host written another way, a new name: the secret stays.
    let mut same = c.clone();
    same.environment = "eu-west-1".into();
    same.name = "Production".into();
    same.client_id = " client-a ".into();
    let saved = store
        .save_connection(same, None, &secrets)
        .expect("same host, other spelling");
    assert_eq!(saved.environment, "eu-west-1");
    assert_eq!(saved_secret(&secrets, &c).as_deref(), Some(SECRET));

    // A new address with a new secret: saved, the old secret replaced.
    let mut moved = saved.clone();
    moved.environment = "mypurecloud.com".into();
    let saved = store
        .save_connection(moved, Some(&Secret::new("second-secret")), &secrets)
        .expect("new address with a new secret");
    assert_eq!(saved.environment, "mypurecloud.com");
    assert_eq!(saved_secret(&secrets, &c).as_deref(), Some("second-secret"));
}

/// #14.2: the one rule that says a path is a network folder.
#[test]
fn network_folders_are_recognised() {
    let cases: &[(&str, bool)] = &[
        (r"\\host\share", true),
        (r"\\host\share\sub\folder", true),
        (r"\\attacker.example.com\x", true),
        ("//host/share", true),
        ("//host/share/sub", true),
        (r"\/host/share", true),
        (r"/\host\share", true),
        (r"\\?\UNC\host\share", true),
        (r"\\?\unc\host\share", true),
        (r"\\.\UNC\host\share", true),
        (r"\\192.168.1.10\c$", true),
        (r"\\\host\share", true),
        (r"\\?\GLOBALROOT\Device\Mup\host\share", true),
        (r"\\.\pipe\x", true),
        ("smb://host/share", true),
        ("file://host/share", true),
        (r"C:\Users\ana\Documents", false),
        ("C:/Users/ana/Documents", false),
        (r"\\?\C:\Users\ana", false),
        (r"\\.\C:\Users\ana", false),
        ("/home/ana/exports", false),
        ("/Users/ana/Documents", false),
        ("/mnt/share", false),
        ("relative/folder", false),
        ("", false),
    ];
    for (path, network) in cases {
        assert_eq!(
            validate::is_network_path(Path::new(path)),
            *network,
            "{path:?}"
        );
    }
}

/// #14.2: an imported profile never chooses where files go.
#[test]
fn an_imported_profile_never_chooses_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, _) = Store::open(dir.path());
    store
        .save_connection(
            conn("Prod", "mypurecloud.ie", "client-a"),
            Some(&Secret::new(SECRET)),
            &secrets,
        )
        .expect("save");
    let shared = dir.path().join("shared.json");
    let item = |name: &str, folder: &str| {
        serde_json::json!({
            "name": name,
            "connectionName": "Prod",
            "timeZone": "Europe/Dublin",
            "folder": folder,
        })
    };
    let doc = serde_json::json!({
        "kind": "genesys-export-profiles",
        "version": 1,
        "profiles": [
            item("Network", r"\\attacker.example.com\share"),
            item("Slashes", "//attacker.example.com/share"),
            item("Verbatim", r"\\?\UNC\attacker.example.com\share"),
            item("Local", "/home/someone/exports"),
        ],
    });
    std::fs::write(&shared, serde_json::to_vec(&doc).expect("json")).expect("write");
    let report = store.import_profiles(&shared).expect("import");
    assert_eq!(report.imported, 4, "{report:?}");
    for p in store.profiles() {
        assert_eq!(p.default_folder, None, "{} kept its folder", p.name);
    }
    let text = std::fs::read_to_string(store.path()).expect("read");
    assert!(!text.contains("attacker"), "{text}");
    assert!(!text.contains("/home/someone"), "{text}");

    // Nor can a network folder be saved as a profile's or the default folder.
    let mut p = store.profiles()[0].clone();
    p.default_folder = Some("//attacker.example.com/share".into());
    let err = store.save_profile(p.clone()).expect_err("network folder");
    assert_eq!(err.field.as_deref(), Some("folder"), "{err:?}");
    assert!(err.message.contains("network folder"), "{}", err.message);
    let mut settings = store.settings().clone();
    settings.default_folder = Some("//attacker.example.com/share".into());
    let err = store.save_settings(settings).expect_err("network folder");
    assert_eq!(err.field.as_deref(), Some("defaultFolder"), "{err:?}");
    // One saved before this rule is never offered to a save dialog (or the CLI).
    p.default_folder = Some("//attacker.example.com/share".into());
    assert_eq!(store.folder_for(&p), None);
}

/// #14.8: two long-lived stores on the same folder (the app and the CLI)
/// never undo each other's changes, and each sees the other's.
#[test]
fn two_stores_on_one_folder_never_undo_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut app, _) = Store::open(dir.path());
    let (mut cli, _) = Store::open(dir.path());
    let a = app
        .save_connection(
            conn("From the app", "mypurecloud.ie", "client-a"),
            Some(&Secret::new(SECRET)),
            &secrets,
        )
        .expect("app saves");
    // The CLI opened before that save; its change must keep the app's.
    let b = cli
        .save_connection(
            conn("From the CLI", "mypurecloud.com", "client-b"),
            Some(&Secret::new(SECRET)),
            &secrets,
        )
        .expect("cli saves");
    let mut settings = app.settings().clone();
    settings.csv_bom = !settings.csv_bom;
    app.save_settings(settings).expect("app saves settings");
    let (fresh, _) = Store::open(dir.path());
    let names: Vec<&str> = fresh
        .connections()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["From the app", "From the CLI"],
        "a change was undone"
    );
    // Each sees the other's change without reopening.
    assert!(
        app.connection(b.id).is_some(),
        "the app does not see the CLI's connection"
    );
    let mut p = cli.new_profile(a.id);
    p.name = "Uses the app's connection".into();
    cli.save_profile(p)
        .expect("the CLI sees the app's connection");
    assert_eq!(cli.settings().csv_bom, app.settings().csv_bom);
}

/// #14.8: the history of two processes (two `History` values on one folder,
/// each with its own file handle and lock) loses no run.
#[test]
fn two_histories_on_one_folder_lose_no_run() {
    use genesys_core::jobs::{History, HistoryEntry, HistoryStatus};
    let dir = tempfile::tempdir().expect("tempdir");
    let entry = |id: String| HistoryEntry {
        run_id: id,
        profile_id: "p".into(),
        profile_name: "Voice".into(),
        connection_id: "c".into(),
        from: "2026-01-01T00:00:00+00:00".into(),
        to: "2026-01-02T00:00:00+00:00".into(),
        status: HistoryStatus::Done,
        rows: 1,
        conversations: 1,
        duration_ms: 5,
        path: "/tmp/x.csv".into(),
        error: None,
        started_at: chrono::Utc::now(),
    };
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let history = History::new(&path);
                for i in 0..20 {
                    history.record(entry(format!("w{w}-{i}"))).expect("record");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let runs = History::new(dir.path()).list().expect("list");
    assert_eq!(runs.len(), 40, "runs were lost: {} of 40 kept", runs.len());
}
