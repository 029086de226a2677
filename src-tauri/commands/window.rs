//! Closing the main window while exports run: ask first, then cancel the
//! window's runs, wait for them to clean up (temp files removed, async jobs
//! deleted), and close.
use std::time::Duration;

use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use genesys_ops::Ops;

/// How long closing waits for cancelled runs to clean up.
pub const CLEANUP_WAIT: Duration = Duration::from_secs(10);

/// The `on_window_event` hook: a close with running exports is held back
/// and confirmed with a native dialog.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let Some(state) = window.try_state::<Ops>() else {
        return;
    };
    let running = state.ctx.registry.active_owned_by(window.label());
    if running == 0 {
        return;
    }
    api.prevent_close();
    let what = if running == 1 {
        "An export is still running.".to_string()
    } else {
        format!("{running} exports are still running.")
    };
    let window = window.clone();
    window
        .dialog()
        .message(format!(
            "{what} Closing the window cancels it; nothing half-written is kept."
        ))
        .title("Cancel the export and close?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Cancel export and close".into(),
            "Keep exporting".into(),
        ))
        .show(move |close| {
            if close {
                tauri::async_runtime::spawn(cancel_runs_and_close(window));
            }
        });
}

/// Cancel the window's runs, wait (up to [`CLEANUP_WAIT`]) until they have
/// all ended, then close the window. Returns how many runs were cancelled.
pub async fn cancel_runs_and_close<R: Runtime>(window: Window<R>) -> usize {
    let Some(state) = window.try_state::<Ops>() else {
        let _ = window.destroy();
        return 0;
    };
    let registry = state.ctx.registry.clone();
    let label = window.label().to_string();
    let cancelled = registry.cancel_owned_by(&label);
    let deadline = tokio::time::Instant::now() + CLEANUP_WAIT;
    while registry.active_owned_by(&label) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tracing::info!(cancelled, "window closed with running exports");
    let _ = window.destroy();
    cancelled
}
