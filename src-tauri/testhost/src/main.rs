//! `genesys-testhost`: the app's commands served over HTTP on 127.0.0.1, for
//! the UI tests in Chromium (`tests/ui/`). The commands are the real
//! operations (`genesys_ops::commands::dispatch`, generated from the same
//! command table as the Tauri commands) on fresh temp folders, an in-memory
//! keychain and a Genesys Cloud emulator (`genesys-sim`) in this process. The
//! UI talks to it through a `window.__TAURI__` shim (`tests/ui/harness.js`).
//!
//! Routes (JSON bodies):
//! - `POST /invoke/{command}` `{args}`: an NDJSON stream: one line per event
//!   of the run (`{"message": ExportEvent}`), then the answer
//!   (`{"ok": value}` or `{"error": {kind, message, field?} | string}`).
//! - `POST /reset` `{latencyMs?, rateLimit?: {requests, perMs}, damaged?:
//!   ["profiles"|"history"]}`: a fresh app: new folders, keychain,
//!   faults and emulator (its API responses slowed by `latencyMs`, its rate
//!   limit per client); `damaged` files are written unreadable
//!   first, so the app starts with its real notices. Answers the emulator's
//!   `{simUrl, clientId, clientSecret, exportsDir, configDir, dataDir}`.
//! - `POST /faults` (merged into the current ones) — states the emulator
//!   cannot reach quickly: `fail: {command: ApiError}` (the command rejects
//!   with it, unrun), `dialog: "accept"|"cancel"` (the save dialog answers a
//!   file in `exportsDir` with the suggested name, or is cancelled),
//!   `dialogMs` (how long the save dialog stays open),
//!   `open: path|null` (the open dialog), `keychain: "ok"|"broken"|"empty"`
//!   (every keychain call fails as a locked keychain would; or every saved
//!   secret is gone).
//! - `POST /crash`: the app dies mid-work and starts again on the same
//!   folders (running commands are dropped without cleanup, the state is
//!   reopened: runs left running become interrupted).
//! - `GET /opened`: the files `open_file` / `show_in_folder` were asked for.
//!
//! Prints `LISTENING http://127.0.0.1:PORT` when ready (`--port N`, default any).
use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use genesys_core::jobs::EventSink;
use genesys_core::secrets::{Secret, SecretStore};
use genesys_core::{Error, ErrorKind, Result};
use genesys_ops::commands::{dispatch, events_arg, DispatchError};
use genesys_ops::{Chosen, Host, OpenDialog, Ops, OpsConfig, SaveDialog};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

/// The in-memory keychain with a switch that breaks it (a locked or absent
/// Secret Service, which a test cannot arrange quickly).
#[derive(Default)]
struct SwitchStore {
    inner: Mutex<HashMap<String, Secret>>,
    broken: std::sync::atomic::AtomicBool,
}

impl SwitchStore {
    fn check(&self) -> Result<()> {
        if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Keychain,
                "The system keychain is locked or not available. Unlock it (log in again) and try again.",
            ));
        }
        Ok(())
    }
}

impl SecretStore for SwitchStore {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        self.check()?;
        Ok(lock(&self.inner).get(account).cloned())
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.check()?;
        lock(&self.inner).insert(account.to_string(), secret.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.check()?;
        lock(&self.inner).remove(account);
        Ok(())
    }
}

#[derive(Default)]
struct Faults {
    fail: HashMap<String, Value>,
    cancel_dialog: bool,
    /// How long the save dialog stays open before it answers.
    dialog_ms: u64,
    open: Option<PathBuf>,
}

/// One fresh app: its folders, state, keychain, emulator and faults.
struct Session {
    ops: Arc<Ops>,
    secrets: Arc<SwitchStore>,
    dirs: Arc<tempfile::TempDir>,
    sim: Arc<genesys_sim::Sim>,
    faults: Mutex<Faults>,
    opened: Mutex<Vec<Value>>,
    /// Commands still running (aborted by `/crash`).
    running: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl Session {
    fn exports_dir(&self) -> PathBuf {
        self.dirs.path().join("exports")
    }
    fn info(&self) -> Value {
        json!({
            "simUrl": self.sim.base_url(),
            "clientId": SIM_CLIENT_ID,
            "clientSecret": SIM_CLIENT_SECRET,
            "exportsDir": self.exports_dir(),
            "configDir": self.dirs.path().join("config"),
            "dataDir": self.dirs.path().join("data"),
        })
    }
}

const SIM_CLIENT_ID: &str = "3f1c2b7a-0d2e-4b8e-9c1a-22aa55bb0001";
const SIM_CLIENT_SECRET: &str = "s3cret-value";

fn open_ops(dirs: &FsPath, secrets: Arc<SwitchStore>) -> Ops {
    Ops::open(OpsConfig::new(
        dirs.join("config"),
        dirs.join("data"),
        secrets,
    ))
}

type AppState = Arc<tokio::sync::Mutex<Option<Arc<Session>>>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ResetBody {
    latency_ms: u64,
    damaged: Vec<String>,
    /// The emulator's rate limit: `requests` per `perMs` per client (429 past it).
    rate_limit: Option<RateLimitBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitBody {
    requests: u32,
    per_ms: u64,
}

async fn new_session(body: ResetBody) -> std::result::Result<Session, String> {
    let dirs = tempfile::tempdir().map_err(|e| e.to_string())?;
    for d in ["config", "data", "exports"] {
        std::fs::create_dir_all(dirs.path().join(d)).map_err(|e| e.to_string())?;
    }
    for name in &body.damaged {
        let file = match name.as_str() {
            "profiles" => dirs.path().join("config/profiles.json"),
            "history" => dirs.path().join("data/history.json"),
            other => return Err(format!("unknown damaged file {other}")),
        };
        std::fs::write(file, "{ not json").map_err(|e| e.to_string())?;
    }
    let cfg = genesys_sim::SimConfig {
        client_id: SIM_CLIENT_ID.into(),
        client_secret: SIM_CLIENT_SECRET.into(),
        faults: genesys_sim::Faults {
            latency: std::time::Duration::from_millis(body.latency_ms),
            ..Default::default()
        },
        rate_limit: body.rate_limit.map(|r| genesys_sim::RateLimit {
            requests: r.requests,
            per: std::time::Duration::from_millis(r.per_ms),
        }),
        ..Default::default()
    };
    let sim = genesys_sim::Sim::start(cfg)
        .await
        .map_err(|e| e.to_string())?;
    let secrets = Arc::new(SwitchStore::default());
    let path = dirs.path().to_path_buf();
    let s2 = secrets.clone();
    let ops = tokio::task::spawn_blocking(move || open_ops(&path, s2))
        .await
        .map_err(|e| e.to_string())?;
    Ok(Session {
        ops: Arc::new(ops),
        secrets,
        dirs: Arc::new(dirs),
        sim: Arc::new(sim),
        faults: Mutex::default(),
        opened: Mutex::default(),
        running: Mutex::default(),
    })
}

/// The host of one command call over HTTP.
struct HttpHost {
    session: Arc<Session>,
    events: Option<mpsc::UnboundedSender<Value>>,
}

impl Host for HttpHost {
    async fn choose_save_path(&self, dialog: SaveDialog) -> Option<Chosen> {
        let (cancel, wait) = {
            let f = lock(&self.session.faults);
            (f.cancel_dialog, f.dialog_ms)
        };
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        if cancel {
            return None;
        }
        Some(Chosen {
            path: self.session.exports_dir().join(dialog.file_name),
            replace: true,
        })
    }

    async fn choose_open_path(&self, _dialog: OpenDialog) -> Option<PathBuf> {
        lock(&self.session.faults).open.clone()
    }

    fn open_file(&self, path: &FsPath) -> Result<()> {
        lock(&self.session.opened).push(json!({"open": path}));
        Ok(())
    }

    fn show_in_folder(&self, path: &FsPath) -> Result<()> {
        lock(&self.session.opened).push(json!({"show": path}));
        Ok(())
    }

    fn run_events(&self) -> EventSink {
        let tx = self.events.clone();
        Arc::new(move |e| {
            if let (Some(tx), Ok(v)) = (&tx, serde_json::to_value(&e)) {
                let _ = tx.send(json!({ "message": v }));
            }
        })
    }

    fn owner(&self) -> Option<String> {
        Some("main".into())
    }

    fn log_dir(&self) -> Option<PathBuf> {
        Some(self.session.dirs.path().join("logs"))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn bad(status: u16, msg: impl Into<String>) -> Response {
    let status = axum::http::StatusCode::from_u16(status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, msg.into()).into_response()
}

async fn current(state: &AppState) -> Option<Arc<Session>> {
    state.lock().await.clone()
}

async fn reset(State(state): State<AppState>, body: Option<Json<ResetBody>>) -> Response {
    let mut slot = state.lock().await;
    if let Some(old) = slot.take() {
        for h in lock(&old.running).drain(..) {
            h.abort();
        }
    }
    match new_session(body.map(|b| b.0).unwrap_or_default()).await {
        Ok(s) => {
            let info = s.info();
            *slot = Some(Arc::new(s));
            Json(info).into_response()
        }
        Err(e) => bad(500, e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultsBody {
    fail: Option<HashMap<String, Value>>,
    dialog: Option<String>,
    dialog_ms: Option<u64>,
    open: Option<Option<PathBuf>>,
    keychain: Option<String>,
}

async fn faults(State(state): State<AppState>, Json(body): Json<FaultsBody>) -> Response {
    let Some(s) = current(&state).await else {
        return bad(409, "POST /reset first");
    };
    let mut f = lock(&s.faults);
    if let Some(fail) = body.fail {
        f.fail = fail;
    }
    if let Some(d) = body.dialog {
        f.cancel_dialog = d == "cancel";
    }
    if let Some(ms) = body.dialog_ms {
        f.dialog_ms = ms;
    }
    if let Some(open) = body.open {
        f.open = open;
    }
    if let Some(k) = body.keychain {
        if k == "empty" {
            lock(&s.secrets.inner).clear();
        }
        s.secrets
            .broken
            .store(k == "broken", std::sync::atomic::Ordering::SeqCst);
    }
    Json(json!({})).into_response()
}

async fn crash(State(state): State<AppState>) -> Response {
    let mut slot = state.lock().await;
    let Some(old) = slot.take() else {
        return bad(409, "POST /reset first");
    };
    for h in lock(&old.running).drain(..) {
        h.abort();
    }
    // Let the aborted tasks drop (their file locks are released).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (secrets, dirs, sim) = (old.secrets.clone(), old.dirs.clone(), old.sim.clone());
    drop(old);
    let path = dirs.path().to_path_buf();
    let s2 = secrets.clone();
    let ops = match tokio::task::spawn_blocking(move || open_ops(&path, s2)).await {
        Ok(ops) => ops,
        Err(e) => return bad(500, e.to_string()),
    };
    let s = Session {
        ops: Arc::new(ops),
        secrets,
        dirs,
        sim,
        faults: Mutex::default(),
        opened: Mutex::default(),
        running: Mutex::default(),
    };
    let info = s.info();
    *slot = Some(Arc::new(s));
    Json(info).into_response()
}

async fn opened(State(state): State<AppState>) -> Response {
    match current(&state).await {
        Some(s) => Json(Value::Array(lock(&s.opened).clone())).into_response(),
        None => Json(json!([])).into_response(),
    }
}

async fn invoke(
    State(state): State<AppState>,
    Path(command): Path<String>,
    args: Option<Json<Map<String, Value>>>,
) -> Response {
    let Some(session) = current(&state).await else {
        return bad(409, "POST /reset first");
    };
    let args = args.map(|a| a.0).unwrap_or_default();
    let (tx, rx) = mpsc::unbounded_channel::<Value>();
    let failure = lock(&session.faults).fail.get(&command).cloned();
    if let Some(error) = failure {
        let _ = tx.send(json!({ "error": error }));
    } else {
        let host = HttpHost {
            session: session.clone(),
            events: events_arg(&command).map(|_| tx.clone()),
        };
        let task = tokio::spawn(async move {
            let answer = dispatch(&host.session.ops, &host, &command, &args).await;
            drop(host);
            let line = match answer {
                Ok(v) => json!({ "ok": v }),
                Err(DispatchError::Failed(e)) => json!({ "error": e }),
                Err(DispatchError::Args(m)) | Err(DispatchError::Unknown(m)) => {
                    json!({ "error": m })
                }
            };
            let _ = tx.send(line);
        });
        let mut running = lock(&session.running);
        running.retain(|h| !h.is_finished());
        running.push(task.abort_handle());
    }
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        let v = rx.recv().await?;
        let mut line = serde_json::to_vec(&v).unwrap_or_default();
        line.push(b'\n');
        Some((Ok::<_, Infallible>(Bytes::from(line)), rx))
    });
    Response::builder()
        .header("content-type", "application/x-ndjson")
        .header("cache-control", "no-store")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|e| bad(500, e.to_string()))
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--port" {
            port = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        }
    }
    let state: AppState = Arc::default();
    let kept = state.clone();
    let app = Router::new()
        .route("/invoke/{command}", post(invoke))
        .route("/reset", post(reset))
        .route("/faults", post(faults))
        .route("/crash", post(crash))
        .route("/opened", get(opened))
        .with_state(state);
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("genesys-testhost: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("LISTENING http://{addr}"),
        Err(e) => {
            eprintln!("genesys-testhost: {e}");
            std::process::exit(1);
        }
    }
    let stop = async {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await;
    // Remove the last app's folders (the running commands are dropped first).
    if let Some(s) = kept.lock().await.take() {
        for h in lock(&s.running).drain(..) {
            h.abort();
        }
    }
    if let Err(e) = served {
        eprintln!("genesys-testhost: {e}");
        std::process::exit(1);
    }
}
