//! The profiles store on real files in temp dirs: CRUD, field-level
//! validation, atomic writes, corrupt/newer files set aside, interrupted
//! writes, migration from version 1, sharing (import/export), demo.
use std::path::Path;

use chrono::NaiveDate;
use genesys_core::atomic;
use genesys_core::export::Format;
use genesys_core::profiles::{
    Connection, ConnectionView, DateRange, NoticeKind, QueryProfile, RelativePreset, Settings,
    Store, CURRENT_VERSION, FILE_NAME,
};
use genesys_core::secrets::{MemoryStore, Secret, SecretStore};
use genesys_core::{Error, ErrorKind, Result};
use test_support::files::{files_under, names_in};
use uuid::Uuid;

const SECRET: &str = "s3cr3t-Value-that-must-never-leak-42";

fn conn(name: &str, environment: &str) -> Connection {
    Connection {
        id: Uuid::new_v4(),
        name: name.into(),
        environment: environment.into(),
        client_id: "0b5b2e7e-54c8-4b71-9d0a-2c1f3a7d9e11".into(),
        is_demo: false,
    }
}

fn secret() -> Secret {
    Secret::new(SECRET)
}

/// A store with one connection ("Sales org") and one profile ("Sales voice").
fn populated(dir: &Path, secrets: &dyn SecretStore) -> (Store, Connection, QueryProfile) {
    let (mut store, notices) = Store::open(dir);
    assert!(notices.is_empty(), "{notices:?}");
    let c = store
        .save_connection(
            conn("Sales org", "mypurecloud.ie"),
            Some(&secret()),
            secrets,
        )
        .expect("save connection");
    let mut p = store.new_profile(c.id);
    p.name = "Sales voice".into();
    p.range = DateRange::Preset {
        preset: RelativePreset::LastWeek,
    };
    p.time_zone = "Europe/Dublin".into();
    p.filters.media_types = vec!["voice".into()];
    p.filters.queue_ids = vec!["q-1".into()];
    let p = store.save_profile(p).expect("save profile");
    (store, c, p)
}

fn assert_secret_absent(dir: &Path) {
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "secret found in {}", f.display());
    }
}

fn field(err: &Error) -> &str {
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
    err.field.as_deref().unwrap_or("<none>")
}

#[test]
fn crud_round_trip_reopen_and_secret_lifecycle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, c, p) = populated(dir.path(), &secrets);
    assert_eq!(
        secrets
            .get(&c.id.to_string())
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some(SECRET)
    );

    // On disk: a versioned document, no secret.
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(FILE_NAME)).expect("read"))
            .expect("json");
    assert_eq!(raw["version"], CURRENT_VERSION);
    assert_eq!(raw["connections"][0]["name"], "Sales org");
    assert_eq!(raw["profiles"][0]["range"]["kind"], "preset");
    assert_eq!(raw["profiles"][0]["range"]["preset"], "last_week");
    assert!(raw["settings"].is_object());
    assert_secret_absent(dir.path());

    // Reopen: the same content.
    let (again, notices) = Store::open(dir.path());
    assert!(notices.is_empty());
    assert_eq!(again.connections(), store.connections());
    assert_eq!(again.profiles(), store.profiles());

    // Rename the connection without a secret: the keychain entry stays.
    let mut renamed = c.clone();
    renamed.name = "  Sales EMEA  ".into();
    let saved = store
        .save_connection(renamed, None, &secrets)
        .expect("rename");
    assert_eq!(saved.name, "Sales EMEA", "names are trimmed");
    assert_eq!(saved.id, c.id);
    assert!(secrets.has(&c.id.to_string()).expect("has"));

    // Update the secret.
    store
        .save_connection(saved.clone(), Some(&Secret::new("new-secret")), &secrets)
        .expect("update secret");
    assert_eq!(
        secrets
            .get(&c.id.to_string())
            .expect("get")
            .map(|s| s.expose().to_string()),
        Some("new-secret".to_string())
    );

    // A connection used by a profile cannot be deleted.
    let err = store.delete_connection(c.id, &secrets).expect_err("in use");
    assert_eq!(field(&err), "connectionId");
    assert!(err.message.contains("Sales voice"), "{}", err.message);
    assert!(
        secrets.has(&c.id.to_string()).expect("has"),
        "kept while refused"
    );

    // Delete the profile, then the connection: the keychain entry goes too.
    store.delete_profile(p.id).expect("delete profile");
    store
        .delete_connection(c.id, &secrets)
        .expect("delete connection");
    assert!(!secrets.has(&c.id.to_string()).expect("has"));
    assert!(secrets.is_empty());
    let (again, _) = Store::open(dir.path());
    assert!(again.connections().is_empty() && again.profiles().is_empty());

    // Deleting something unknown is a plain not-found.
    let err = store.delete_profile(Uuid::new_v4()).expect_err("unknown");
    assert_eq!(err.kind, ErrorKind::NotFound);
}

#[test]
fn connection_validation_gives_field_level_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, existing, _) = populated(dir.path(), &secrets);

    let with = |f: &dyn Fn(&mut Connection)| {
        let mut c = conn("Other org", "mypurecloud.com");
        f(&mut c);
        c
    };
    let cases: Vec<(&str, Connection, Option<Secret>, &str)> = vec![
        (
            "empty name",
            with(&|c| c.name = "   ".into()),
            Some(secret()),
            "name",
        ),
        (
            "duplicate name (case-insensitive)",
            with(&|c| c.name = "SALES ORG".into()),
            Some(secret()),
            "name",
        ),
        (
            "unknown region",
            with(&|c| c.environment = "mars_north_1".into()),
            Some(secret()),
            "environment",
        ),
        (
            "empty region",
            with(&|c| c.environment = "".into()),
            Some(secret()),
            "environment",
        ),
        (
            "malformed URL",
            with(&|c| c.environment = "https://exa mple.com".into()),
            Some(secret()),
            "environment",
        ),
        (
            "URL without host",
            with(&|c| c.environment = "https://".into()),
            Some(secret()),
            "environment",
        ),
        (
            "non-HTTPS, not loopback",
            with(&|c| c.environment = "http://api.example.com".into()),
            Some(secret()),
            "environment",
        ),
        (
            "other scheme",
            with(&|c| c.environment = "ftp://api.example.com".into()),
            Some(secret()),
            "environment",
        ),
        (
            "empty client id",
            with(&|c| c.client_id = " ".into()),
            Some(secret()),
            "clientId",
        ),
        (
            "client id with spaces",
            with(&|c| c.client_id = "abc def".into()),
            Some(secret()),
            "clientId",
        ),
        (
            "new connection without secret",
            with(&|_| {}),
            None,
            "secret",
        ),
        (
            "claiming to be the demo does not skip the secret",
            with(&|c| c.is_demo = true),
            None,
            "secret",
        ),
        (
            "blank secret",
            with(&|_| {}),
            Some(Secret::new("  ")),
            "secret",
        ),
    ];
    for (about, c, s, want) in cases {
        let err = store
            .save_connection(c, s.as_ref(), &secrets)
            .expect_err(about);
        assert_eq!(field(&err), want, "{about}: {}", err.message);
        assert!(!err.message.is_empty());
    }
    assert_eq!(store.connections().len(), 1, "nothing invalid was saved");
    assert_eq!(secrets.len(), 1, "no secret saved for invalid connections");

    // Good variants: region key, friendly name, https URL, http on loopback.
    for (i, env) in [
        "eu-west-1",
        "Asia Pacific (Sydney)",
        "https://api.example.com/",
        "http://127.0.0.1:8080",
        "http://localhost:9000",
        "http://[::1]:9000",
    ]
    .into_iter()
    .enumerate()
    {
        store
            .save_connection(conn(&format!("Org {i}"), env), Some(&secret()), &secrets)
            .unwrap_or_else(|e| panic!("{env}: {e:?}"));
    }
    // Keeping its own name on update is not a duplicate.
    store
        .save_connection(existing.clone(), None, &secrets)
        .expect("same name on update");
}

#[test]
fn profile_and_settings_validation_gives_field_level_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, c, existing) = populated(dir.path(), &secrets);
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");

    let base = || {
        let mut p = store.new_profile(c.id);
        p.name = "Chats".into();
        p
    };
    let with = |f: &dyn Fn(&mut QueryProfile)| {
        let mut p = base();
        f(&mut p);
        p
    };
    let cases: Vec<(&str, QueryProfile, &str)> = vec![
        ("empty name", with(&|p| p.name = "".into()), "name"),
        (
            "duplicate name",
            with(&|p| p.name = " sales VOICE ".into()),
            "name",
        ),
        (
            "invalid time zone",
            with(&|p| p.time_zone = "Europe/Atlantis".into()),
            "timeZone",
        ),
        (
            "invalid export time zone",
            with(&|p| p.export.time_zone = "GMT+25".into()),
            "options.timeZone",
        ),
        (
            "to before from",
            with(&|p| {
                p.range = DateRange::Fixed {
                    from: d("2026-02-10"),
                    to: d("2026-02-09"),
                }
            }),
            "to",
        ),
        (
            "date-times: to not after from",
            with(&|p| {
                let t = d("2026-02-10").and_hms_opt(8, 0, 0).expect("time");
                p.range = DateRange::FixedDateTimes { from: t, to: t };
            }),
            "to",
        ),
        (
            "unknown connection",
            with(&|p| p.connection_id = Uuid::new_v4()),
            "connectionId",
        ),
        (
            "unknown placeholder",
            with(&|p| p.file_name_template = "{profile} {month}".into()),
            "fileNameTemplate",
        ),
        (
            "unclosed placeholder",
            with(&|p| p.file_name_template = "{profile".into()),
            "fileNameTemplate",
        ),
        (
            "bad direction",
            with(&|p| p.filters.directions = vec!["sideways".into()]),
            "filters.directions",
        ),
        (
            "relative folder",
            with(&|p| p.default_folder = Some("exports".into())),
            "folder",
        ),
    ];
    for (about, p, want) in cases {
        let err = store.save_profile(p).expect_err(about);
        assert_eq!(field(&err), want, "{about}: {}", err.message);
    }
    assert_eq!(store.profiles().len(), 1);

    // Updating a profile under its own name is fine; a fixed range of one day too.
    let mut same = existing.clone();
    same.range = DateRange::Fixed {
        from: d("2026-02-10"),
        to: d("2026-02-10"),
    };
    store.save_profile(same).expect("update");

    // Settings.
    let bad = Settings {
        time_zone: "Nowhere/Land".into(),
        ..store.settings().clone()
    };
    let err = store.save_settings(bad).expect_err("bad tz");
    assert_eq!(field(&err), "timeZone");
    let good = Settings {
        time_zone: "Australia/Sydney".into(),
        csv_delimiter: genesys_core::export::Delimiter::Semicolon,
        csv_bom: false,
        default_folder: Some(dir.path().to_path_buf()),
        ..store.settings().clone()
    };
    store.save_settings(good.clone()).expect("good settings");
    store.set_last_used_folder(dir.path()).expect("last used");
    let (again, _) = Store::open(dir.path());
    assert_eq!(again.settings().time_zone, "Australia/Sydney");
    assert_eq!(
        again.settings().last_used_folder.as_deref(),
        Some(dir.path())
    );
    // New profiles take their defaults from the settings.
    let fresh = again.new_profile(c.id);
    assert_eq!(fresh.time_zone, "Australia/Sydney");
    assert_eq!(fresh.export.time_zone, "Australia/Sydney");
    assert_eq!(
        fresh.export.csv_delimiter,
        genesys_core::export::Delimiter::Semicolon
    );
    assert!(!fresh.export.csv_bom);
}

#[test]
fn corrupt_file_is_set_aside_and_the_app_starts_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage = b"{ \"version\": 2, \"connections\": [ {\"id\": oops";
    std::fs::write(dir.path().join(FILE_NAME), garbage).expect("write");

    let (mut store, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1, "{notices:?}");
    let n = &notices[0];
    assert_eq!(n.kind, NoticeKind::CorruptSetAside);
    assert!(n.message.contains("not valid JSON"), "{}", n.message);
    assert!(n.message.contains("set aside"), "{}", n.message);
    let aside = n.path.clone().expect("path");
    let aside_name = aside
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        aside_name.starts_with("profiles.json.corrupt-"),
        "{aside_name}"
    );
    assert!(n.message.contains(&aside_name));
    assert_eq!(
        std::fs::read(&aside).expect("aside"),
        garbage,
        "kept byte for byte"
    );
    assert!(store.connections().is_empty());

    // The app works: saving creates a new file and leaves the bad one alone.
    let secrets = MemoryStore::new();
    store
        .save_connection(conn("Org", "mypurecloud.com"), Some(&secret()), &secrets)
        .expect("save");
    assert_eq!(std::fs::read(&aside).expect("aside"), garbage);
    let (again, notices) = Store::open(dir.path());
    assert!(notices.is_empty());
    assert_eq!(again.connections().len(), 1);

    // Valid JSON with the wrong shape is corrupt too.
    std::fs::write(
        dir.path().join(FILE_NAME),
        br#"{"version": 2, "connections": "nope"}"#,
    )
    .expect("write");
    let (_, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].kind, NoticeKind::CorruptSetAside);
    assert!(
        notices[0].message.contains("unexpected content"),
        "{}",
        notices[0].message
    );
    let corrupt_files = names_in(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("profiles.json.corrupt-"))
        .count();
    assert_eq!(corrupt_files, 2, "{:?}", names_in(dir.path()));
}

#[test]
fn corrupt_file_falls_back_to_the_previous_good_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, _, _) = populated(dir.path(), &secrets);
    // A second save makes .bak hold the populated state (one connection + one profile).
    store
        .save_settings(Settings {
            csv_bom: false,
            ..store.settings().clone()
        })
        .expect("save settings");
    let bak = atomic::backup_path(&dir.path().join(FILE_NAME));
    assert!(bak.exists());

    std::fs::write(dir.path().join(FILE_NAME), b"\0\0\0 truncated").expect("write");
    let (store, notices) = Store::open(dir.path());
    let kinds: Vec<_> = notices.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![NoticeKind::CorruptSetAside, NoticeKind::RestoredFromBackup]
    );
    assert_eq!(store.connections().len(), 1);
    assert_eq!(store.profiles()[0].name, "Sales voice");
    // The restored state was written back, so the next start is quiet.
    let (_, notices) = Store::open(dir.path());
    assert!(notices.is_empty(), "{notices:?}");
}

#[test]
fn newer_version_is_set_aside_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let newer =
        br#"{"version": 3, "connections": [], "profiles": [], "settings": {}, "teams": []}"#;
    std::fs::write(dir.path().join(FILE_NAME), newer).expect("write");

    let (mut store, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, NoticeKind::NewerSetAside);
    assert!(
        notices[0].message.contains("newer version"),
        "{}",
        notices[0].message
    );
    assert!(
        notices[0].message.contains("format 3"),
        "{}",
        notices[0].message
    );
    let aside = notices[0].path.clone().expect("path");
    assert!(aside
        .file_name()
        .expect("name")
        .to_string_lossy()
        .starts_with("profiles.json.newer-"));
    assert_eq!(std::fs::read(&aside).expect("read"), newer);

    let secrets = MemoryStore::new();
    store
        .save_connection(conn("Org", "mypurecloud.com"), Some(&secret()), &secrets)
        .expect("the app still works");
    assert_eq!(std::fs::read(&aside).expect("read"), newer, "untouched");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(FILE_NAME)).expect("read"))
            .expect("json");
    assert_eq!(v["version"], CURRENT_VERSION);
}

#[test]
fn interrupted_write_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (store, _, _) = populated(dir.path(), &secrets);
    let target = dir.path().join(FILE_NAME);
    let before = std::fs::read(&target).expect("read");

    // Crash after the temp file is written and synced, before the rename:
    // the staged write is leaked, exactly as a killed process leaves it.
    let staged =
        atomic::stage(&target, br#"{"version": 2, "connections": [], "profi"#).expect("stage");
    let temp = staged.temp_path().to_path_buf();
    std::mem::forget(staged);
    assert!(temp.exists());
    assert_eq!(
        std::fs::read(&target).expect("read"),
        before,
        "target untouched"
    );

    let (again, notices) = Store::open(dir.path());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(again.connections(), store.connections());
    assert_eq!(again.profiles(), store.profiles());
    assert!(
        temp.exists(),
        "a young temp file may belong to another instance"
    );

    // An old leftover temp file is cleaned up at startup.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&temp)
        .and_then(|f| f.set_modified(old))
        .expect("age temp");
    let _ = Store::open(dir.path());
    assert!(!temp.exists(), "{:?}", names_in(dir.path()));

    // A staged write that is dropped (an error path) removes its temp file.
    let staged = atomic::stage(&target, b"{}").expect("stage");
    let temp = staged.temp_path().to_path_buf();
    drop(staged);
    assert!(!temp.exists());
    assert_eq!(std::fs::read(&target).expect("read"), before);

    // Committing replaces the file and keeps the previous one as .bak.
    atomic::stage(&target, b"{\"version\": 2}\n")
        .expect("stage")
        .commit()
        .expect("commit");
    assert_eq!(std::fs::read(&target).expect("read"), b"{\"version\": 2}\n");
    assert_eq!(
        std::fs::read(atomic::backup_path(&target)).expect("bak"),
        before
    );
    assert_eq!(
        names_in(dir.path()),
        vec![
            "profiles.json".to_string(),
            "profiles.json.bak".to_string(),
            // The lock the app and the CLI take for each change.
            "profiles.json.lock".to_string()
        ]
    );
}

#[test]
fn missing_main_file_with_a_good_backup_is_restored() {
    // E.g. a crash on a file system where the rename is not atomic.
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (store, _, _) = populated(dir.path(), &secrets);
    let target = dir.path().join(FILE_NAME);
    std::fs::rename(&target, atomic::backup_path(&target)).expect("rename");
    let (again, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, NoticeKind::RestoredFromBackup);
    assert_eq!(again.profiles(), store.profiles());
    assert!(target.exists());
}

#[test]
fn unreadable_file_makes_the_store_refuse_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory where the file should be: it exists but cannot be read as a file.
    std::fs::create_dir(dir.path().join(FILE_NAME)).expect("mkdir");
    let (mut store, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, NoticeKind::Unavailable);
    assert!(store.read_only_reason().is_some());
    let secrets = MemoryStore::new();
    let err = store
        .save_connection(conn("Org", "mypurecloud.com"), Some(&secret()), &secrets)
        .expect_err("read-only");
    assert_eq!(err.kind, ErrorKind::Storage);
    assert!(secrets.is_empty(), "nothing reached the keychain");
    assert!(dir.path().join(FILE_NAME).is_dir(), "left alone");
}

const V1_FILE: &str = r#"{
  "version": 1,
  "connections": [
    { "id": "6f1c1f53-9a3e-4a59-8f5b-0c6d1e2a3b4c", "name": "Dublin org", "region": "mypurecloud.ie", "clientId": "client-1" }
  ],
  "profiles": [
    { "id": "0d4e6b8a-1111-4c2d-9e3f-aabbccddeeff", "name": "Voice last week",
      "connectionId": "6f1c1f53-9a3e-4a59-8f5b-0c6d1e2a3b4c",
      "preset": "last_week", "timeZone": "Europe/Dublin",
      "queueIds": ["q-1", "q-2"], "mediaTypes": ["voice"], "format": "csv", "folder": "/srv/exports" },
    { "id": "0d4e6b8a-2222-4c2d-9e3f-aabbccddeeff", "name": "January",
      "connectionId": "6f1c1f53-9a3e-4a59-8f5b-0c6d1e2a3b4c",
      "preset": null, "from": "2026-01-01", "to": "2026-01-31", "timeZone": "America/New_York",
      "format": "xlsx" }
  ],
  "defaultFolder": "/home/sup/Exports"
}
"#;

#[test]
fn migration_from_version_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(FILE_NAME), V1_FILE).expect("write");

    let (store, notices) = Store::open(dir.path());
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].kind, NoticeKind::Migrated);
    assert!(
        notices[0].message.contains("upgraded"),
        "{}",
        notices[0].message
    );

    let c = &store.connections()[0];
    assert_eq!(c.id.to_string(), "6f1c1f53-9a3e-4a59-8f5b-0c6d1e2a3b4c");
    assert_eq!(c.name, "Dublin org");
    assert_eq!(c.environment, "mypurecloud.ie");
    assert_eq!(c.client_id, "client-1");
    assert!(!c.is_demo);
    assert!(c
        .parsed_environment()
        .expect("valid region")
        .region
        .is_some());

    let p = &store.profiles()[0];
    assert_eq!(p.name, "Voice last week");
    assert_eq!(p.connection_id, c.id);
    assert_eq!(
        p.range,
        DateRange::Preset {
            preset: RelativePreset::LastWeek
        }
    );
    assert_eq!(p.time_zone, "Europe/Dublin");
    assert_eq!(p.export.time_zone, "Europe/Dublin");
    assert_eq!(p.filters.queue_ids, vec!["q-1", "q-2"]);
    assert_eq!(p.filters.media_types, vec!["voice"]);
    assert_eq!(p.export.format, Format::Csv);
    assert_eq!(p.default_folder.as_deref(), Some(Path::new("/srv/exports")));
    let january = &store.profiles()[1];
    assert_eq!(
        january.range,
        DateRange::Fixed {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            to: NaiveDate::from_ymd_opt(2026, 1, 31).expect("date"),
        }
    );
    assert_eq!(january.export.format, Format::Xlsx);
    assert_eq!(
        store.settings().default_folder.as_deref(),
        Some(Path::new("/home/sup/Exports"))
    );

    // Written back as the current version; the v1 file is kept byte for byte as .bak.
    let target = dir.path().join(FILE_NAME);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).expect("read")).expect("json");
    assert_eq!(v["version"], CURRENT_VERSION);
    assert_eq!(
        std::fs::read_to_string(atomic::backup_path(&target)).expect("bak"),
        V1_FILE
    );
    // Next start: nothing to report, same content.
    let (again, notices) = Store::open(dir.path());
    assert!(notices.is_empty());
    assert_eq!(again.profiles(), store.profiles());
}

#[test]
fn sharing_profiles_never_carries_secrets_and_maps_connections_by_name() {
    let lead_dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut lead, c, _) = populated(lead_dir.path(), &secrets);
    let other = lead
        .save_connection(
            conn("Support org", "mypurecloud.com"),
            Some(&secret()),
            &secrets,
        )
        .expect("second connection");
    let mut p2 = lead.new_profile(other.id);
    p2.name = "Support chats".into();
    p2.default_folder = Some("/home/lead/private".into());
    lead.save_profile(p2).expect("profile 2");
    let mut p3 = lead.new_profile(c.id);
    p3.name = "Sales email".into();
    lead.save_profile(p3).expect("profile 3");

    let shared = lead_dir.path().join("shared").join("team-profiles.json");
    std::fs::create_dir_all(shared.parent().expect("parent")).expect("mkdir");
    assert_eq!(lead.export_profiles(None, &shared).expect("export"), 3);
    let text = std::fs::read_to_string(&shared).expect("read");
    assert!(!text.contains(SECRET));
    assert!(!text.contains(&c.client_id), "no connection details");
    assert!(!text.contains(&c.id.to_string()), "no local ids");
    assert!(!text.contains("/home/lead/private"), "no personal folders");
    assert!(text.contains("\"connectionName\": \"Sales org\""), "{text}");
    assert!(!atomic::backup_path(&shared).exists());
    assert_secret_absent(lead_dir.path());

    // A teammate has "sales ORG" (other case) but no support org, and already a "Sales voice".
    let mate_dir = tempfile::tempdir().expect("tempdir");
    let (mut mate, _) = Store::open(mate_dir.path());
    let mate_secrets = MemoryStore::new();
    let mc = mate
        .save_connection(
            conn("sales ORG", "eu-west-1"),
            Some(&secret()),
            &mate_secrets,
        )
        .expect("conn");
    let mut own = mate.new_profile(mc.id);
    own.name = "Sales voice".into();
    mate.save_profile(own).expect("own");

    let report = mate.import_profiles(&shared).expect("import");
    assert_eq!(report.imported, 2);
    assert_eq!(
        report.imported_names,
        vec!["Sales voice (imported)", "Sales email"]
    );
    assert_eq!(report.renamed.len(), 1);
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(
        report.skipped[0].contains("Support chats"),
        "{:?}",
        report.skipped
    );
    assert!(
        report.skipped[0].contains("Support org"),
        "{:?}",
        report.skipped
    );
    let imported = mate
        .profiles()
        .iter()
        .find(|p| p.name == "Sales voice (imported)")
        .expect("imported");
    assert_eq!(imported.connection_id, mc.id);
    assert_eq!(imported.filters.queue_ids, vec!["q-1"]);
    assert_ne!(imported.id, lead.profiles()[0].id, "new ids");
    // Persisted.
    let (again, _) = Store::open(mate_dir.path());
    assert_eq!(again.profiles().len(), 3);

    // Exporting a chosen subset.
    let one = lead_dir.path().join("one.json");
    let first = lead.profiles()[0].id;
    assert_eq!(
        lead.export_profiles(Some(&[first]), &one).expect("export"),
        1
    );

    // Not a profiles file.
    let junk = mate_dir.path().join("junk.json");
    std::fs::write(&junk, b"[1,2,3]").expect("write");
    let err = mate.import_profiles(&junk).expect_err("junk");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("not a Genesys Export profiles file"));
    let err = mate
        .import_profiles(&mate_dir.path().join("missing.json"))
        .expect_err("missing");
    assert_eq!(err.kind, ErrorKind::Io);
}

/// A keychain that is never reachable.
struct BrokenKeychain;
impl SecretStore for BrokenKeychain {
    fn get(&self, _: &str) -> Result<Option<Secret>> {
        Err(Error::new(ErrorKind::Keychain, "no keychain"))
    }
    fn set(&self, _: &str, _: &Secret) -> Result<()> {
        Err(Error::new(ErrorKind::Keychain, "no keychain"))
    }
    fn delete(&self, _: &str) -> Result<()> {
        Err(Error::new(ErrorKind::Keychain, "no keychain"))
    }
}

#[test]
fn keychain_failure_saves_nothing_and_the_demo_needs_no_keychain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::open(dir.path());
    let err = store
        .save_connection(
            conn("Org", "mypurecloud.com"),
            Some(&secret()),
            &BrokenKeychain,
        )
        .expect_err("keychain down");
    assert_eq!(err.kind, ErrorKind::Keychain);
    assert!(store.connections().is_empty());
    assert!(!dir.path().join(FILE_NAME).exists());

    // Demo: created without touching the keychain.
    let (demo, profiles) = store.ensure_demo("http://127.0.0.1:40001").expect("demo");
    assert!(demo.is_demo);
    assert_eq!(profiles.len(), 2);
    // Refreshing with the emulator's new port keeps the ids and does not duplicate.
    let (demo2, profiles2) = store.ensure_demo("http://127.0.0.1:40002").expect("demo");
    assert_eq!(demo2.id, demo.id);
    assert_eq!(demo2.environment, "http://127.0.0.1:40002");
    assert_eq!(
        profiles2.iter().map(|p| p.id).collect::<Vec<_>>(),
        profiles.iter().map(|p| p.id).collect::<Vec<_>>()
    );
    assert_eq!(store.connections().len(), 1);
    // Deleting the demo (after its profiles) does not touch the keychain either.
    for p in profiles {
        store.delete_profile(p.id).expect("delete");
    }
    store
        .delete_connection(demo.id, &BrokenKeychain)
        .expect("delete demo");
    // A real connection cannot be deleted while its secret cannot be removed.
    let secrets = MemoryStore::new();
    let c = store
        .save_connection(conn("Org", "mypurecloud.com"), Some(&secret()), &secrets)
        .expect("save");
    let err = store
        .delete_connection(c.id, &BrokenKeychain)
        .expect_err("keychain down");
    assert_eq!(err.kind, ErrorKind::Keychain);
    assert_eq!(
        store.connections().len(),
        1,
        "kept, so the secret is not orphaned"
    );
}

#[test]
fn types_seen_by_the_ui_use_camel_case_and_have_no_secret() {
    let c = conn("Org", "mypurecloud.com");
    let v = serde_json::to_value(&c).expect("json");
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5);
    for k in ["id", "name", "environment", "clientId", "isDemo"] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    // A secret sent along with a connection is dropped, never stored.
    let incoming = serde_json::json!({
        "name": "Org", "environment": "mypurecloud.com", "clientId": "abc", "secret": SECRET
    });
    let parsed: Connection = serde_json::from_value(incoming).expect("parse");
    assert!(!serde_json::to_string(&parsed)
        .expect("json")
        .contains(SECRET));
    assert!(!format!("{parsed:?}").contains(SECRET));
    // A new connection without an id gets one.
    assert!(!parsed.id.is_nil());
}

#[test]
fn profile_json_is_what_the_ui_sends_and_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemoryStore::new();
    let (mut store, c, _) = populated(dir.path(), &secrets);
    // Exactly what ui/views/editor.js newProfile() builds (no id yet).
    let from_ui = serde_json::json!({
        "name": "Chats last week",
        "connectionId": c.id.to_string(),
        "range": { "kind": "preset", "preset": "last_week" },
        "timeZone": "Europe/Berlin",
        "filters": { "queueIds": [], "mediaTypes": ["chat"], "directions": [], "userIds": [],
                     "wrapUpCodes": [], "divisionIds": [] },
        "options": { "grain": "conversation", "columns": [], "format": "csv", "timeZone": "Europe/Berlin",
                     "durationFormat": "seconds", "includeIds": false, "csvDelimiter": "semicolon", "csvBom": true },
        "folder": null,
        "fileNameTemplate": "{profile} {from} to {to}"
    });
    let p: QueryProfile = serde_json::from_value(from_ui).expect("the UI's profile parses");
    assert!(!p.id.is_nil());
    assert_eq!(p.export.format, Format::Csv);
    assert_eq!(
        p.export.csv_delimiter,
        genesys_core::export::Delimiter::Semicolon
    );
    let saved = store.save_profile(p).expect("save");
    let back = serde_json::to_value(&saved).expect("json");
    for key in [
        "id",
        "name",
        "connectionId",
        "range",
        "timeZone",
        "filters",
        "options",
        "strategy",
        "folder",
        "fileNameTemplate",
    ] {
        assert!(back.get(key).is_some(), "{key} in {back}");
    }
    assert_eq!(
        back["range"],
        serde_json::json!({"kind": "preset", "preset": "last_week"})
    );
    assert_eq!(back["options"]["csvDelimiter"], "semicolon");
    assert_eq!(back["folder"], serde_json::Value::Null);
    let fixed: QueryProfile = serde_json::from_value(serde_json::json!({
        "name": "January", "connectionId": c.id.to_string(), "timeZone": "UTC",
        "range": { "kind": "fixed", "from": "2026-01-01", "to": "2026-01-31" }
    }))
    .expect("fixed range parses; the rest defaults");
    assert_eq!(
        fixed.range,
        DateRange::Fixed {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            to: NaiveDate::from_ymd_opt(2026, 1, 31).expect("date"),
        }
    );

    // list_connections view: the connection's fields flattened, with hasSecret.
    let view = ConnectionView {
        connection: c.clone(),
        has_secret: true,
        secret_unknown: false,
    };
    let v = serde_json::to_value(&view).expect("json");
    assert_eq!(v["name"], "Sales org");
    assert_eq!(v["id"], c.id.to_string());
    assert_eq!(v["hasSecret"], true);
    assert_eq!(v["secretUnknown"], false);
}

#[test]
fn typescript_bindings_match_the_json() {
    use ts_rs::TS;
    let cfg = ts_rs::Config::default();
    let profile = QueryProfile::decl(&cfg);
    for part in [
        "options: ExportOptions",
        "folder: string | null",
        "connectionId: string",
        "range: DateRange",
    ] {
        assert!(profile.contains(part), "{part} in {profile}");
    }
    assert!(!profile.contains("defaultFolder"), "{profile}");
    let view = genesys_core::profiles::ConnectionView::decl(&cfg);
    assert!(view.contains("hasSecret: boolean"), "{view}");
    assert!(!view.contains("secret: string"), "{view}");
    let range = DateRange::decl(&cfg);
    assert!(range.contains("\"kind\": \"preset\""), "{range}");
}
