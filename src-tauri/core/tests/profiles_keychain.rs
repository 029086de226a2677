//! Secrets: redaction, the in-memory store, and how keychain failures are
//! classified into plain messages. Also: with no D-Bus session reachable,
//! the real `KeyringStore` answers with a clear `keychain` error (this file
//! is its own test process, so pointing `DBUS_SESSION_BUS_ADDRESS` nowhere
//! affects no other test).
use genesys_core::profiles::{Connection, Store};
use genesys_core::secrets::{
    classify, keychain_error, KeychainProblem, KeyringStore, MemoryStore, Secret, SecretStore,
};
use genesys_core::ErrorKind;
use uuid::Uuid;

const SECRET: &str = "p@ss-Word-never-printed-9";

fn platform(text: &str) -> keyring::Error {
    keyring::Error::PlatformFailure(text.to_string().into())
}

fn no_access(text: &str) -> keyring::Error {
    keyring::Error::NoStorageAccess(text.to_string().into())
}

#[test]
fn secret_is_redacted_everywhere() {
    let s = Secret::new(SECRET);
    assert_eq!(format!("{s:?}"), "[redacted]");
    assert_eq!(format!("{s}"), "[redacted]");
    assert_eq!(format!("{:?}", Some(&s)), "Some([redacted])");
    assert_eq!(s.expose(), SECRET);
    // The keychain's secret is the one the Genesys client takes.
    let creds = genesys_core::genesys::Credentials::new("client", s.clone());
    assert!(!format!("{creds:?}").contains(SECRET));
    // Held in secrecy's zeroizing string (wiped when dropped); the token too.
    let from_secrecy = Secret::from(secrecy::SecretString::from(SECRET.to_string()));
    assert_eq!(from_secrecy, s);
    assert_eq!(format!("{from_secrecy:?}"), "[redacted]");
}

#[test]
fn memory_store_round_trip() {
    let store = MemoryStore::new();
    assert_eq!(store.get("a").expect("get"), None);
    store.set("a", &Secret::new("one")).expect("set");
    store.set("a", &Secret::new("two")).expect("update");
    assert_eq!(
        store.get("a").expect("get").map(|s| s.expose().to_string()),
        Some("two".into())
    );
    assert!(store.has("a").expect("has"));
    store.delete("a").expect("delete");
    store.delete("a").expect("deleting twice is fine");
    assert!(!store.has("a").expect("has"));
}

#[test]
fn keychain_errors_are_classified_into_plain_messages() {
    let cases: Vec<(keyring::Error, KeychainProblem, &str)> = vec![
        (
            platform("D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11 (org.freedesktop.DBus.Error.NotSupported)"),
            KeychainProblem::NoService,
            "no session bus, no display",
        ),
        (
            platform("D-Bus error: Failed to connect to socket /nonexistent/bus: No such file or directory (org.freedesktop.DBus.Error.FileNotFound)"),
            KeychainProblem::NoService,
            "bus address pointing nowhere",
        ),
        (
            platform("D-Bus error: The name org.freedesktop.secrets was not provided by any .service files (org.freedesktop.DBus.Error.ServiceUnknown)"),
            KeychainProblem::NoService,
            "bus but no Secret Service",
        ),
        (platform("No DBus session or Secret Service provider found"), KeychainProblem::NoService, "unavailable"),
        (no_access("Secret Service: no result found"), KeychainProblem::Locked, "no default collection (never unlocked)"),
        (no_access("Secret Service: object locked"), KeychainProblem::Locked, "locked"),
        (platform("Cannot create an item in a locked collection"), KeychainProblem::Locked, "locked collection"),
        (no_access("Secret Service: unlock prompt was dismissed"), KeychainProblem::AccessDenied, "prompt dismissed"),
        (platform("Access denied (org.freedesktop.DBus.Error.AccessDenied)"), KeychainProblem::AccessDenied, "denied"),
        (no_access("User canceled the operation."), KeychainProblem::AccessDenied, "macOS prompt cancelled"),
        (keyring::Error::TooLong("user".into(), 255), KeychainProblem::Other, "other"),
    ];
    for (err, want, about) in cases {
        assert_eq!(classify(&err), want, "{about}: {err}");
        let e = keychain_error(&err);
        assert_eq!(e.kind, ErrorKind::Keychain, "{about}");
        assert!(
            e.message.starts_with(want.message()),
            "{about}: {}",
            e.message
        );
    }
    assert!(KeychainProblem::NoService
        .message()
        .contains("Secret Service"));
    assert!(KeychainProblem::Locked.message().contains("locked"));
    assert!(KeychainProblem::AccessDenied
        .message()
        .contains("refused access"));
}

#[test]
fn keychain_errors_never_carry_the_secret() {
    // BadEncoding carries the stored bytes; they must not reach the message.
    let e = keychain_error(&keyring::Error::BadEncoding(SECRET.as_bytes().to_vec()));
    assert!(!e.message.contains(SECRET), "{}", e.message);
    assert!(!format!("{e:?}").contains(SECRET));
    assert!(!serde_json::to_string(&e).expect("json").contains(SECRET));
    let e = keychain_error(&keyring::Error::Invalid("secret".into(), SECRET.into()));
    assert!(!e.message.contains(SECRET), "{}", e.message);
}

#[test]
fn no_dbus_session_gives_a_clear_keychain_error_and_the_demo_still_works() {
    // Only this test in this process touches the environment.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/genesys-export-test-bus",
    );
    std::env::remove_var("DISPLAY");
    let keychain = KeyringStore::with_service("com.genesysexport.desktop.test-nobus");
    let account = Uuid::new_v4().to_string();

    for (op, result) in [
        ("get", keychain.get(&account).map(|_| ())),
        ("set", keychain.set(&account, &Secret::new(SECRET))),
        ("delete", keychain.delete(&account)),
    ] {
        let err = result.expect_err(op);
        assert_eq!(err.kind, ErrorKind::Keychain, "{op}: {err:?}");
        assert!(
            err.message
                .starts_with(KeychainProblem::NoService.message()),
            "{op}: {}",
            err.message
        );
        assert!(!err.message.contains(SECRET));
    }

    // The app keeps working: a real connection cannot be saved (clear error,
    // nothing written), the demo can.
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::open(dir.path());
    let err = store
        .save_connection(
            Connection {
                id: Uuid::new_v4(),
                name: "Org".into(),
                environment: "mypurecloud.com".into(),
                client_id: "abc".into(),
                is_demo: false,
            },
            Some(&Secret::new(SECRET)),
            &keychain,
        )
        .expect_err("no keychain");
    assert_eq!(err.kind, ErrorKind::Keychain);
    assert!(store.connections().is_empty());
    let (demo, profiles) = store.ensure_demo("http://127.0.0.1:4010").expect("demo");
    assert!(demo.is_demo);
    assert_eq!(profiles.len(), 2);
}
