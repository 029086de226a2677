//! #14.9: a keychain that does not answer (locked, or an OS prompt nobody
//! answers) never freezes the app: the other commands answer at once, and the
//! blocked call ends with a plain keychain-timeout message.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{invoke, TestApp};
use genesys_core::profiles::{Connection, Store};
use genesys_core::secrets::{MemoryStore, Secret, SecretStore};
use genesys_core::Result;
use serde_json::{json, Value};

/// A keychain that blocks every call for 30 s once `blocked` is set.
#[derive(Default)]
struct StuckKeychain {
    blocked: AtomicBool,
    inner: MemoryStore,
}

impl StuckKeychain {
    fn wait(&self) {
        if self.blocked.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_secs(30));
        }
    }
}

impl SecretStore for StuckKeychain {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        self.wait();
        self.inner.get(account)
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.wait();
        self.inner.set(account, secret)
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.wait();
        self.inner.delete(account)
    }
}

fn timed(t: &TestApp, cmd: &str) -> (Duration, Value) {
    let start = Instant::now();
    let answer = invoke(&t.webview, cmd, json!({})).unwrap_or_else(|e| panic!("{cmd}: {e}"));
    (start.elapsed(), answer)
}

#[test]
fn a_stuck_keychain_never_holds_up_the_other_commands() {
    let keychain = Arc::new(StuckKeychain::default());
    let t = TestApp::with_keychain(keychain.clone(), Duration::from_secs(2));
    let conn = invoke(
        &t.webview,
        "save_connection",
        json!({
            "connection": {"name": "Dublin", "environment": "mypurecloud.ie", "clientId": "abc"},
            "secret": "first-secret"
        }),
    )
    .expect("save while the keychain answers");
    assert_eq!(conn["hasSecret"], true);
    let mut profile = invoke(&t.webview, "list_profiles", json!({})).unwrap();
    assert_eq!(profile, json!([]));
    // The CLI adds a connection the app has never asked the keychain about.
    {
        let (mut store, _) = Store::open(t.config_dir());
        store
            .save_connection(
                Connection {
                    id: uuid::Uuid::new_v4(),
                    name: "Added by the CLI".into(),
                    environment: "mypurecloud.com".into(),
                    client_id: "def".into(),
                    is_demo: false,
                },
                Some(&Secret::new("cli-secret")),
                &MemoryStore::new(),
            )
            .expect("cli save");
    }

    keychain.blocked.store(true, Ordering::SeqCst);
    // A save that needs the keychain (a new secret) hangs in the keychain...
    let webview = t.webview.clone();
    let id = conn["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let stuck = std::thread::spawn(move || {
        let answer = invoke(
            &webview,
            "save_connection",
            json!({
                "connection": {"id": id, "name": "Dublin", "environment": "mypurecloud.ie", "clientId": "abc"},
                "secret": "second-secret"
            }),
        );
        (answer, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    // ...while everything else answers at once.
    for cmd in [
        "list_profiles",
        "list_connections",
        "get_settings",
        "list_history",
    ] {
        let (took, answer) = timed(&t, cmd);
        assert!(
            took < Duration::from_millis(200),
            "{cmd} took {took:?} while the keychain was stuck"
        );
        if cmd == "list_connections" {
            let list = answer.as_array().unwrap();
            assert_eq!(list.len(), 2, "{answer}");
            let known = list.iter().find(|c| c["name"] == "Dublin").unwrap();
            assert_eq!(known["hasSecret"], true, "{answer}");
            assert_eq!(known["secretUnknown"], false, "{answer}");
            let unknown = list
                .iter()
                .find(|c| c["name"] == "Added by the CLI")
                .unwrap();
            assert_eq!(unknown["secretUnknown"], true, "{answer}");
        }
        if cmd == "list_profiles" {
            profile = answer;
        }
    }
    assert_eq!(profile, json!([]));
    let (answer, took) = stuck.join().unwrap();
    let err = answer.expect_err("the stuck save ends with an error");
    assert_eq!(err["kind"], "keychain", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("keychain did not answer within 2 seconds"),
        "{message}"
    );
    assert!(!message.contains("second-secret"), "{message}");
    assert!(
        took < Duration::from_secs(5),
        "the stuck call took {took:?}, not the 2 s timeout"
    );
}
