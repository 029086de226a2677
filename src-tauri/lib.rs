//! Genesys Export, the desktop app: a thin Tauri shell over `genesys_core`.
//!
//! [`builder`] wires plugins, managed state and commands; [`run`] starts the
//! app. Tests build the same [`builder`] on Tauri's mock runtime.
pub mod commands;
pub mod error;
pub mod logging;

use tauri::Manager;

/// The app's builder, shared by [`run`] and the command tests.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![commands::app::app_info])
}

/// Start the desktop app.
pub fn run() {
    builder::<tauri::Wry>()
        .setup(|app| {
            if let Ok(dir) = app.path().app_log_dir() {
                if let Some(guard) = logging::init(&dir) {
                    app.manage(guard);
                }
            }
            tracing::info!(version = %app.package_info().version, "started");
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Genesys Export could not start: {e}");
            std::process::exit(1);
        });
}
