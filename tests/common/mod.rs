//! Shared helpers for the command tests: the app's real `builder()` on Tauri's
//! mock runtime with temp folders, and an `invoke` through the IPC path.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use genesys_core::secrets::MemoryStore;
use genesys_export::commands::AppOptions;
use genesys_export::host::DialogAnswers;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// Messages captured from progress channels, by channel id.
pub type Captured = Arc<Mutex<Vec<(u32, Value)>>>;

pub struct TestApp {
    pub app: App<MockRuntime>,
    pub webview: WebviewWindow<MockRuntime>,
    pub channel: Captured,
    pub dirs: tempfile::TempDir,
    pub secrets: Arc<MemoryStore>,
    /// The save dialog's answers (set with [`TestApp::save_to`]).
    pub dialogs: Arc<DialogAnswers>,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_dirs(tempfile::tempdir().unwrap())
    }

    pub fn with_dirs(dirs: tempfile::TempDir) -> Self {
        let secrets = Arc::new(MemoryStore::new());
        Self::with_store(
            dirs,
            secrets.clone() as Arc<dyn genesys_core::secrets::SecretStore>,
            secrets,
            None,
        )
    }

    /// An app whose keychain is `store` (`secrets` stays a fresh, unused
    /// `MemoryStore`), with keychain calls given up after `keychain_timeout`.
    pub fn with_keychain(
        store: Arc<dyn genesys_core::secrets::SecretStore>,
        keychain_timeout: std::time::Duration,
    ) -> Self {
        Self::with_store(
            tempfile::tempdir().unwrap(),
            store,
            Arc::new(MemoryStore::new()),
            Some(keychain_timeout),
        )
    }

    /// An app on `dirs` whose keychain is `store`.
    pub fn with_dirs_and_keychain(
        dirs: tempfile::TempDir,
        store: Arc<dyn genesys_core::secrets::SecretStore>,
    ) -> Self {
        Self::with_store(dirs, store, Arc::new(MemoryStore::new()), None)
    }

    fn with_store(
        dirs: tempfile::TempDir,
        store: Arc<dyn genesys_core::secrets::SecretStore>,
        secrets: Arc<MemoryStore>,
        keychain_timeout: Option<std::time::Duration>,
    ) -> Self {
        let dialogs = Arc::new(DialogAnswers::default());
        let options = AppOptions {
            dialogs: Some(dialogs.clone()),
            config_dir: Some(dirs.path().join("config")),
            data_dir: Some(dirs.path().join("data")),
            secrets: Some(store),
            keychain_timeout,
            ..AppOptions::default()
        };
        let channel: Captured = Arc::default();
        let sink = channel.clone();
        let base = mock_builder().channel_interceptor(move |_webview, callback, _index, body| {
            let value = match body {
                InvokeResponseBody::Json(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                InvokeResponseBody::Raw(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
            };
            sink.lock().unwrap().push((callback.0, value));
            true
        });
        let app = genesys_export::builder(base, options)
            .build(mock_context(noop_assets()))
            .expect("the app builds on the mock runtime");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a main window");
        Self {
            app,
            webview,
            channel,
            dirs,
            secrets,
            dialogs,
        }
    }

    /// From now on the save dialog answers `path` (an existing file there is
    /// not replaced: the run refuses it, field `destination`).
    pub fn save_to(&self, path: impl Into<PathBuf>) {
        self.dialogs.save_to(path, false);
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dirs.path().join("config")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dirs.path().join("data")
    }

    /// Messages received on channel `id` so far.
    pub fn messages(&self, id: u32) -> Vec<Value> {
        self.channel
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Invoke a command the way the UI does; `Err` carries the rejected value.
pub fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|body| match body {
        InvokeResponseBody::Json(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
        InvokeResponseBody::Raw(b) => serde_json::from_slice(&b).unwrap_or(Value::Null),
    })
}
