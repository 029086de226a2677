//! Security rules seen from the real `genesys-export-cli` binary (issue #14):
//! a saved secret stays bound to its address, and the app and the CLI never
//! undo each other's changes.
use std::path::Path;
use std::process::Output;

use genesys_core::profiles::{Connection, Store};
use genesys_core::secrets::{MemoryStore, Secret};
use test_support::cli::{cli_command, stderr_text as stderr};
use uuid::Uuid;

const CLI: &str = env!("CARGO_BIN_EXE_genesys-export-cli");

fn cli(args: &[&str], config: &Path) -> Output {
    cli_command(CLI, config, &config.join("data"))
        .args(args)
        // Never the user's real keychain.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run genesys-export-cli")
}

fn saved_connection(config: &Path) -> Connection {
    let (mut store, _) = Store::open(config);
    store
        .save_connection(
            Connection {
                id: Uuid::new_v4(),
                name: "Prod".into(),
                environment: "mypurecloud.ie".into(),
                client_id: "client-a".into(),
                is_demo: false,
            },
            Some(&Secret::new("cli-bound-secret")),
            &MemoryStore::new(),
        )
        .expect("save")
}

/// #14.1 in the CLI: `connections edit` to another address needs the secret again.
#[test]
fn editing_the_address_without_a_new_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path();
    let c = saved_connection(config);
    for args in [
        &[
            "connections",
            "edit",
            "Prod",
            "--environment",
            "mypurecloud.com",
        ][..],
        &["connections", "edit", "Prod", "--client-id", "client-b"][..],
    ] {
        let out = cli(args, config);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out)
                .contains("You changed the address or client id: enter the client secret again"),
            "{args:?}: {}",
            stderr(&out)
        );
        let (store, _) = Store::open(config);
        assert_eq!(store.connection(c.id), Some(&c), "{args:?}: changed");
    }
    // The same host spelled another way, and a new name: fine, no secret needed.
    let out = cli(
        &[
            "connections",
            "edit",
            "Prod",
            "--environment",
            "eu-west-1",
            "--rename",
            "Production",
        ],
        config,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (store, _) = Store::open(config);
    let saved = store.connection(c.id).expect("kept");
    assert_eq!(saved.name, "Production");
    assert_eq!(saved.environment, "eu-west-1");
}

/// #14.8 across two processes: the app's long-lived store does not undo what
/// the CLI saved meanwhile.
#[test]
fn the_app_does_not_undo_what_the_cli_saved() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path();
    let c = saved_connection(config);
    // The app has the settings open all along.
    let (mut app, _) = Store::open(config);
    let out = cli(
        &[
            "connections",
            "edit",
            "Prod",
            "--rename",
            "Renamed by the CLI",
        ],
        config,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut settings = app.settings().clone();
    settings.csv_bom = !settings.csv_bom;
    app.save_settings(settings)
        .expect("the app saves its settings");
    let (fresh, _) = Store::open(config);
    assert_eq!(
        fresh.connection(c.id).map(|c| c.name.as_str()),
        Some("Renamed by the CLI"),
        "the app undid the CLI's change"
    );
    assert_eq!(
        app.connection(c.id).map(|c| c.name.as_str()),
        Some("Renamed by the CLI")
    );
}

/// #14 (low): GENESYS_CLIENT_SECRET is used for a saved profile only when its
/// connection is named (`--connection`), never silently: a secret meant for
/// one org is otherwise sent to every profile's login server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_secret_is_used_only_for_the_connection_named() {
    use genesys_sim::{Sim, SimConfig};
    const ENV_SECRET: &str = "env-Secret-meant-for-another-org-31";
    let sim = Sim::start(SimConfig {
        client_id: "cli-test".into(),
        client_secret: ENV_SECRET.into(),
        conversations: 50,
        days: 2,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let (mut store, _) = Store::open(&config);
    let conn = store
        .save_connection(
            Connection {
                id: Uuid::new_v4(),
                name: "Prod".into(),
                environment: sim.base_url(),
                client_id: "cli-test".into(),
                is_demo: false,
            },
            // In a keychain this process cannot reach: only the env secret can log in.
            Some(&Secret::new("not-used")),
            &MemoryStore::new(),
        )
        .expect("save");
    let mut p = store.new_profile(conn.id);
    p.name = "Voice".into();
    store.save_profile(p).expect("profile");
    let run = |extra: &[&str], out: &str| {
        let mut cmd = tokio::process::Command::new(CLI);
        cmd.args([
            "export",
            "--profile",
            "Voice",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "-q",
            "--output",
        ])
        .arg(dir.path().join(out))
        .args(extra)
        .env("GENESYS_CLIENT_SECRET", ENV_SECRET)
        .env("GENESYS_EXPORT_CONFIG_DIR", &config)
        .env("GENESYS_EXPORT_DATA_DIR", dir.path().join("data"))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
        cmd.output()
    };
    let out = run(&[], "a.csv").await.expect("run");
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("GENESYS_CLIENT_SECRET is set but not used"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        sim.stats().requests,
        0,
        "the env secret was sent to the profile's server"
    );

    let out = run(&["--connection", "Other"], "b.csv").await.expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(sim.stats().requests, 0);

    let out = run(&["--connection", "prod"], "c.csv").await.expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(sim.stats().tokens_issued >= 1);
    assert!(dir.path().join("c.csv").exists());
}
