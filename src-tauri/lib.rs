//! Genesys Export, the desktop app: a thin Tauri shell over `genesys_ops`.
//!
//! [`builder`] wires plugins, managed state, window events and commands;
//! [`run`] starts the app. Tests build the same [`builder`] on Tauri's mock
//! runtime with temp folders.
pub mod commands;
pub mod host;
pub mod logging;

use commands::AppOptions;
use std::sync::Arc;

use genesys_core::secrets::{KeyringStore, SecretStore};
use genesys_ops::{Ops, OpsConfig};
use tauri::Manager;

/// The app's builder, shared by [`run`] and the command tests: pass
/// `tauri::Builder::default()` (or `tauri::test::mock_builder()`) as `base`.
pub fn builder<R: tauri::Runtime>(
    base: tauri::Builder<R>,
    options: AppOptions,
) -> tauri::Builder<R> {
    let mut base = base
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init());
    if let Some(dialogs) = options.dialogs.clone() {
        base = base.manage(dialogs);
    }
    let secrets: Arc<dyn SecretStore> = options
        .secrets
        .clone()
        .unwrap_or_else(|| Arc::new(KeyringStore::new()));
    // With both folders given (tests), the state exists before the app runs,
    // so commands work on an app that was only built.
    let eager = match (&options.config_dir, &options.data_dir) {
        (Some(config), Some(data)) => {
            base = base.manage(make_state(
                config.clone(),
                data.clone(),
                secrets.clone(),
                options.keychain_timeout,
            ));
            true
        }
        _ => false,
    };
    base.setup(move |app| {
        if options.logging {
            if let Ok(dir) = app.path().app_log_dir() {
                if let Some(guard) = logging::init(&dir) {
                    app.manage(guard);
                }
            }
        }
        if !eager {
            let config_dir = match options.config_dir.clone() {
                Some(d) => d,
                None => app.path().app_config_dir()?,
            };
            let data_dir = match options.data_dir.clone() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            app.manage(make_state(
                config_dir,
                data_dir,
                secrets.clone(),
                options.keychain_timeout,
            ));
        }
        tracing::info!(version = %app.package_info().version, "started");
        Ok(())
    })
    .on_window_event(commands::window::on_window_event)
    .invoke_handler(commands::handler())
}

fn make_state(
    config_dir: std::path::PathBuf,
    data_dir: std::path::PathBuf,
    secrets: Arc<dyn SecretStore>,
    keychain_timeout: Option<std::time::Duration>,
) -> Ops {
    Ops::open(OpsConfig {
        keychain_timeout,
        ..OpsConfig::new(config_dir, data_dir, secrets)
    })
}

/// Start the desktop app.
pub fn run() {
    let options = AppOptions {
        logging: true,
        ..AppOptions::default()
    };
    builder(tauri::Builder::default(), options)
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Genesys Export could not start: {e}");
            std::process::exit(1);
        });
}
