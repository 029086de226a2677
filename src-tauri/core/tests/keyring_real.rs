//! The client secret against a REAL Secret Service (gnome-keyring).
//!
//! Runs only with `REAL_KEYRING=1`, inside a private D-Bus session with an
//! unlocked keyring in a temporary data dir (never the user's own keyring):
//!
//! ```sh
//! export XDG_DATA_HOME="$(mktemp -d)"
//! dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//!   REAL_KEYRING=1 cargo test -p genesys-core --test keyring_real -- --nocapture'
//! ```
//!
//! Without `REAL_KEYRING=1` a plain `cargo test` must not need a keyring, so
//! the test says it did not run the real round trip and instead checks that
//! the same store, with no bus reachable, answers with a classified
//! `keychain` error (nothing silently kept in memory).
use std::io::Write;

use genesys_core::profiles::{Connection, RelativePreset, Store};
use genesys_core::secrets::{KeychainProblem, KeyringStore, Secret, SecretStore};
use genesys_core::ErrorKind;
use uuid::Uuid;

const TEST_NAME: &str = "secret_round_trip_through_the_real_secret_service";

#[test]
fn secret_round_trip_through_the_real_secret_service() {
    // A per-run secret, so finding it anywhere can only mean it leaked from this run.
    let secret_text = format!("real-secret-{}", Uuid::new_v4().simple());
    // Its own service name: never touches the app's entries.
    let keychain = KeyringStore::with_service("com.genesysexport.desktop.test");

    // Child mode (started by the real run below): a fresh D-Bus session whose
    // gnome-keyring was never unlocked, i.e. a locked keychain.
    if std::env::var("KEYRING_LOCKED_PROBE").as_deref() == Ok("1") {
        let err = keychain
            .set(
                &Uuid::new_v4().to_string(),
                &Secret::new(secret_text.as_str()),
            )
            .expect_err("a locked keychain must refuse");
        assert_eq!(err.kind, ErrorKind::Keychain);
        assert!(
            err.message.starts_with(KeychainProblem::Locked.message()),
            "{}",
            err.message
        );
        eprintln!("keyring_real: locked keychain probe: {}", err.message);
        return;
    }

    if std::env::var("REAL_KEYRING").as_deref() != Ok("1") {
        // Written straight to stderr (not eprintln!), so it shows even when cargo captures test output.
        let _ = writeln!(
            std::io::stderr(),
            "keyring_real: the real Secret Service round trip was NOT run: REAL_KEYRING=1 is not set \
             (it needs a private D-Bus session with an unlocked gnome-keyring; see this file's docs). \
             Checking instead that with no bus reachable the store gives a classified keychain error."
        );
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/keyring-real-bus",
        );
        std::env::remove_var("DISPLAY");
        let err = keychain
            .set(
                &Uuid::new_v4().to_string(),
                &Secret::new(secret_text.as_str()),
            )
            .expect_err("no bus: the secret must not be silently kept anywhere");
        assert_eq!(err.kind, ErrorKind::Keychain);
        assert!(
            err.message
                .starts_with(KeychainProblem::NoService.message()),
            "{}",
            err.message
        );
        assert!(!err.message.contains(&secret_text));
        return;
    }

    let config = tempfile::tempdir().expect("tempdir");
    let (mut store, notices) = Store::open(config.path());
    assert!(notices.is_empty());

    // Save: connection in the file, secret in the keychain.
    let conn = store
        .save_connection(
            Connection {
                id: Uuid::new_v4(),
                name: "Real keyring org".into(),
                environment: "mypurecloud.ie".into(),
                client_id: "client-for-real-keyring".into(),
                is_demo: false,
            },
            Some(&Secret::new(secret_text.as_str())),
            &keychain,
        )
        .expect("save connection with secret in the real keychain");
    let account = conn.id.to_string();

    // Read: from a fresh KeyringStore (a new D-Bus lookup, not a cached entry).
    let fresh = KeyringStore::with_service("com.genesysexport.desktop.test");
    let got = fresh.get(&account).expect("read back");
    assert_eq!(got.as_ref().map(Secret::expose), Some(secret_text.as_str()));
    // "Has a secret?" reads the item's attributes, not the secret.
    assert!(fresh.has(&account).expect("has"));
    assert!(!fresh.has(&Uuid::new_v4().to_string()).expect("has not"));

    // Rename: the secret stays.
    let mut renamed = conn.clone();
    renamed.name = "Renamed org".into();
    store
        .save_connection(renamed, None, &keychain)
        .expect("rename");
    assert_eq!(
        fresh
            .get(&account)
            .expect("after rename")
            .as_ref()
            .map(Secret::expose),
        Some(secret_text.as_str())
    );

    // Update.
    let updated_text = format!("{secret_text}-v2");
    store
        .save_connection(
            conn.clone(),
            Some(&Secret::new(updated_text.as_str())),
            &keychain,
        )
        .expect("update secret");
    assert_eq!(
        fresh
            .get(&account)
            .expect("after update")
            .as_ref()
            .map(Secret::expose),
        Some(updated_text.as_str())
    );

    // A profile and settings written too, so the file has real content.
    let mut p = store.new_profile(conn.id);
    p.name = "Weekly".into();
    p.range = genesys_core::profiles::DateRange::Preset {
        preset: RelativePreset::LastWeek,
    };
    store.save_profile(p.clone()).expect("profile");
    store
        .export_profiles(None, &config.path().join("shared.json"))
        .expect("export");

    // Delete: profile, then connection → the keychain entry is gone.
    store.delete_profile(p.id).expect("delete profile");
    store
        .delete_connection(conn.id, &keychain)
        .expect("delete connection");
    assert_eq!(fresh.get(&account).expect("after delete"), None);
    keychain.delete(&account).expect("deleting again is fine");

    // The secret (either version) is in no file under the config dir.
    let files = test_support::files::files_under(config.path());
    assert!(files.len() >= 2, "{files:?}");
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        assert!(
            !text.contains(&secret_text),
            "secret found in {}",
            f.display()
        );
    }
    eprintln!("keyring_real: real Secret Service round trip passed (save, read, update, delete).");

    // A locked keychain, for real: this test binary again, in a new D-Bus
    // session where gnome-keyring starts on demand with a keyring dir it never unlocked.
    let data_home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("dbus-run-session")
        .arg("--")
        .arg(std::env::current_exe().expect("test binary"))
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env("KEYRING_LOCKED_PROBE", "1")
        .env("XDG_DATA_HOME", data_home.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("run dbus-run-session");
    let log =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "locked keychain probe failed:\n{log}");
    assert!(log.contains("locked keychain probe"), "{log}");
    for line in log.lines().filter(|l| l.contains("probe")) {
        eprintln!("  child: {line}");
    }
}
