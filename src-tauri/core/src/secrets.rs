//! Client secrets in the OS keychain.
//!
//! [`KeyringStore`] uses the `keyring` crate (v3) with the platform stores
//! chosen explicitly in Cargo.toml: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows. Service name: [`SERVICE`]; account:
//! the connection id. Its calls block (D-Bus round trips): call them from a
//! blocking context (`tokio::task::spawn_blocking` in the app).
//!
//! [`MemoryStore`] keeps secrets in memory, for tests and the demo.
//!
//! [`Keychain`] is how the app and the jobs reach any of them: each call runs
//! on a thread of its own and is given up after a timeout (a locked keyring or
//! an OS prompt nobody answers never holds up anything else), and whether a
//! connection has a secret is remembered so listing connections never waits
//! for the keychain.
//!
//! A secret is a [`Secret`] (the same type the Genesys client takes), whose
//! `Debug`/`Display` print `[redacted]`; it has no `Serialize`, so it cannot
//! end up in a file or an IPC reply by accident.
//! Keychain errors never include the secret: they are classified into plain
//! messages ([`KeychainProblem`]).
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};

/// The keychain service name: the app identifier.
pub const SERVICE: &str = "com.genesysexport.desktop";

/// The client secret type, shared with the Genesys client: prints as
/// `[redacted]`, has no `Serialize`.
pub use crate::genesys::Secret;

/// Somewhere to keep secrets: a key (account, e.g. a connection id) → secret store.
pub trait SecretStore: Send + Sync {
    /// The secret for `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>>;
    /// Save or replace the secret for `account`.
    fn set(&self, account: &str, secret: &Secret) -> Result<()>;
    /// Remove the secret for `account`; no error when there was none.
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether a secret is saved for `account`. Stores that can answer
    /// without reading (decrypting) the secret override this.
    fn has(&self, account: &str) -> Result<bool> {
        Ok(self.get(account)?.is_some())
    }
}

/// The OS keychain.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyringStore {
    /// The app's entries (service [`SERVICE`]).
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// Another service name (tests use their own, so they never touch the app's entries).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(|e| keychain_error(&e))
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        match self.entry(account)?.get_password() {
            Ok(s) => Ok(Some(Secret::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(|e| keychain_error(&e))
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    /// Asks for the entry's attributes, not its secret. On Linux (Secret
    /// Service) that searches the items and reads their attributes: the
    /// secret is never decrypted or sent over D-Bus (a locked collection is
    /// still unlocked first, which may show the OS prompt). keyring 3 has no
    /// existence check that reads less: on Windows it reads the credential
    /// (blob included) inside the keyring crate, on macOS it reads the secret
    /// inside the crate and drops it; neither hands it to this app.
    fn has(&self, account: &str) -> Result<bool> {
        match self.entry(account)?.get_attributes() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error(&e)),
        }
    }
}

/// How long a keychain call may take before it is given up: long enough to
/// type a password into the OS's unlock prompt.
pub const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a "has a secret?" answer is trusted before it is asked again.
const KNOWN_FOR: Duration = Duration::from_secs(30);
/// Keychain calls waiting at once; past this, new calls fail at once (the
/// keychain is not answering and each waiting call holds a thread).
const MAX_WAITING: usize = 8;

/// A [`SecretStore`] that never blocks its caller for longer than its
/// timeout: every call runs on a thread of its own; a call the keychain does
/// not answer in time ends with a plain `keychain` error (the thread finishes
/// whenever the keychain answers). Also remembers, per account, whether a
/// secret is saved ([`Keychain::presence`]).
pub struct Keychain {
    inner: Arc<dyn SecretStore>,
    timeout_ms: AtomicU64,
    waiting: Arc<AtomicUsize>,
    known: Arc<Mutex<HashMap<String, (bool, Instant)>>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("timeout", &self.timeout())
            .finish_non_exhaustive()
    }
}

impl Keychain {
    /// Wrap `inner` with the default timeout ([`KEYCHAIN_TIMEOUT`]).
    pub fn new(inner: Arc<dyn SecretStore>) -> Self {
        Self {
            inner,
            timeout_ms: AtomicU64::new(KEYCHAIN_TIMEOUT.as_millis() as u64),
            waiting: Arc::default(),
            known: Arc::default(),
        }
    }

    /// Change the timeout (tests; a setting).
    pub fn set_timeout(&self, timeout: Duration) {
        self.timeout_ms
            .store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    /// Start `call` on a thread of its own; its answer goes to `reply`.
    fn start<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
        reply: impl FnOnce(Result<T>) + Send + 'static,
    ) -> Result<()> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(self.timeout_error());
        }
        let inner = self.inner.clone();
        let waiting = self.waiting.clone();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let answer = call(inner.as_ref());
                waiting.fetch_sub(1, Ordering::SeqCst);
                reply(answer);
            })
            .map(|_| ())
            .map_err(|e| {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                Error::internal(format!("Could not start a keychain call: {e}"))
            })
    }

    /// Run `call` and wait for it, at most the timeout.
    fn call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.start(call, move |answer| {
            let _ = tx.send(answer);
        })?;
        match rx.recv_timeout(self.timeout()) {
            Ok(answer) => answer,
            Err(_) => Err(self.timeout_error()),
        }
    }

    /// Run `call` without blocking the async worker, at most the timeout.
    pub async fn call_async<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.start(call, move |answer| {
            let _ = tx.send(answer);
        })?;
        match tokio::time::timeout(self.timeout(), rx).await {
            Ok(Ok(answer)) => answer,
            _ => Err(self.timeout_error()),
        }
    }

    /// [`SecretStore::get`] without blocking the async worker.
    pub async fn get_async(&self, account: &str) -> Result<Option<Secret>> {
        let known = self.known.clone();
        let account = account.to_string();
        self.call_async(move |store| {
            let secret = store.get(&account)?;
            remember(&known, &account, secret.is_some());
            Ok(secret)
        })
        .await
    }

    /// Whether `account` has a secret, waiting at most `wait`: a recent
    /// answer is used as is; otherwise the keychain is asked and, if it does
    /// not answer within `wait`, the last answer is used, or `None` when there
    /// is none (the answer is remembered when it comes).
    pub fn presence(&self, account: &str, wait: Duration) -> Option<bool> {
        let last = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .copied();
        if let Some((has, at)) = last {
            if at.elapsed() < KNOWN_FOR {
                return Some(has);
            }
        }
        let known = self.known.clone();
        let key = account.to_string();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let started = self.start(
            move |store| {
                let has = store.has(&key)?;
                remember(&known, &key, has);
                Ok(has)
            },
            move |answer| {
                let _ = tx.send(answer);
            },
        );
        let fresh = match started {
            Ok(()) => rx.recv_timeout(wait).ok().and_then(|a| a.ok()),
            Err(_) => None,
        };
        fresh.or(last.map(|(has, _)| has))
    }

    fn timeout_error(&self) -> Error {
        Error::new(
            ErrorKind::Keychain,
            format!(
                "The system keychain did not answer within {} seconds. It may be locked or waiting for you to answer a prompt: unlock it (or answer the prompt) and try again. Nothing else was changed.",
                self.timeout().as_secs_f32().round().max(1.0)
            ),
        )
    }
}

fn remember(known: &Mutex<HashMap<String, (bool, Instant)>>, account: &str, has: bool) {
    known
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(account.to_string(), (has, Instant::now()));
}

impl SecretStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        let known = self.known.clone();
        let account = account.to_string();
        self.call(move |store| {
            let secret = store.get(&account)?;
            remember(&known, &account, secret.is_some());
            Ok(secret)
        })
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        let known = self.known.clone();
        let account = account.to_string();
        let secret = secret.clone();
        self.call(move |store| {
            store.set(&account, &secret)?;
            remember(&known, &account, true);
            Ok(())
        })
    }

    fn delete(&self, account: &str) -> Result<()> {
        let known = self.known.clone();
        let account = account.to_string();
        self.call(move |store| {
            store.delete(&account)?;
            remember(&known, &account, false);
            Ok(())
        })
    }

    fn has(&self, account: &str) -> Result<bool> {
        let known = self.known.clone();
        let account = account.to_string();
        self.call(move |store| {
            let has = store.has(&account)?;
            remember(&known, &account, has);
            Ok(has)
        })
    }
}

/// Secrets in memory (tests, demo). Lost when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many secrets are stored.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        Ok(self.lock().get(account).cloned())
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.lock().insert(account.to_string(), secret.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.lock().remove(account);
        Ok(())
    }
}

/// Whether a secret given from outside the keychain (the CLI's
/// `GENESYS_CLIENT_SECRET`) is used for the saved connection `connection`:
/// only when the connection was named explicitly (`named`, the CLI's
/// `--connection NAME`, case-insensitive), never silently for every profile
/// (a secret meant for one org would otherwise be sent to another's login
/// server). `Ok(None)`: use the keychain. Naming another connection, or
/// naming one without a secret to give it, is an error.
pub fn outside_secret_for(
    connection: &crate::profiles::Connection,
    named: Option<&str>,
    outside: Option<Secret>,
) -> Result<Option<Secret>> {
    let Some(named) = named.map(str::trim) else {
        return Ok(None);
    };
    if !named.eq_ignore_ascii_case(connection.name.trim()) {
        return Err(Error::invalid(
            "connection",
            format!(
                "--connection \"{named}\" is not the connection of this profile (\"{}\"). Name the profile's connection, or leave --connection out to use the keychain.",
                connection.name
            ),
        ));
    }
    match outside.filter(|s| !s.is_blank()) {
        Some(s) => Ok(Some(s)),
        None => Err(Error::invalid(
            "connection",
            format!(
                "--connection \"{named}\" uses the client secret from GENESYS_CLIENT_SECRET, which is not set."
            ),
        )),
    }
}

/// Why the keychain could not be used, in categories a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainProblem {
    /// No keychain service reachable (Linux: no Secret Service / no D-Bus session).
    NoService,
    /// The keychain is locked.
    Locked,
    /// The keychain refused access (a prompt was dismissed, or policy).
    AccessDenied,
    /// Something else went wrong.
    Other,
}

impl KeychainProblem {
    /// What to tell the user.
    pub fn message(self) -> &'static str {
        match self {
            KeychainProblem::NoService => "The system keychain is not available: no Secret Service (such as GNOME Keyring or KWallet) is running in this session, so the client secret cannot be saved or read. Start your desktop's keyring (or log in to a full desktop session) and try again. The demo works without it.",
            KeychainProblem::Locked => "The system keychain is locked. Unlock it (for example by logging in again or opening your keyring app) and try again.",
            KeychainProblem::AccessDenied => "The system keychain refused access. Allow Genesys Export to use the keychain when asked, and try again.",
            KeychainProblem::Other => "The system keychain could not be used.",
        }
    }
}

/// Sort a keyring error into a [`KeychainProblem`].
pub fn classify(err: &keyring::Error) -> KeychainProblem {
    use keyring::Error as K;
    let text = error_chain_text(err).to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&[
        "denied",
        "not allowed",
        "dismissed",
        "user canceled",
        "user cancelled",
    ]) {
        return KeychainProblem::AccessDenied;
    }
    if has(&["locked"]) {
        return KeychainProblem::Locked;
    }
    match err {
        // Secret Service: no default collection (never unlocked) or locked.
        K::NoStorageAccess(_) => KeychainProblem::Locked,
        K::PlatformFailure(_)
            if has(&[
                "dbus",
                "d-bus",
                "autolaunch",
                "secret service",
                "no such file or directory",
                "connection refused",
                "serviceunknown",
                "not provided by any .service",
                "unavailable",
            ]) =>
        {
            KeychainProblem::NoService
        }
        _ => KeychainProblem::Other,
    }
}

/// A keyring error as a core [`Error`] of kind `keychain` with a plain message.
/// The platform's own words are added for `PlatformFailure`/`NoStorageAccess`
/// only (they never contain the secret); other variants may carry secret
/// bytes (`BadEncoding`) or item details and are never printed.
pub fn keychain_error(err: &keyring::Error) -> Error {
    let problem = classify(err);
    let detail = match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            format!(" (Details: {e}.)")
        }
        keyring::Error::NoEntry => " (No saved secret.)".to_string(),
        keyring::Error::BadEncoding(_) => " (The saved secret is not text.)".to_string(),
        keyring::Error::TooLong(name, _) => format!(" (The {name} is too long.)"),
        keyring::Error::Invalid(name, _) => format!(" (The {name} is not valid.)"),
        keyring::Error::Ambiguous(_) => " (More than one saved secret matches.)".to_string(),
        _ => String::new(),
    };
    Error::new(
        ErrorKind::Keychain,
        format!("{}{detail}", problem.message()),
    )
}

fn error_chain_text(err: &keyring::Error) -> String {
    let mut text = match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            format!("{e} {e:?}")
        }
        _ => String::new(),
    };
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push(' ');
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod outside_secret_tests {
    use super::*;
    use crate::profiles::Connection;

    #[test]
    fn an_outside_secret_applies_only_to_the_connection_named() {
        let conn = Connection {
            id: uuid::Uuid::new_v4(),
            name: "Prod".into(),
            environment: "mypurecloud.ie".into(),
            client_id: "c".into(),
            is_demo: false,
        };
        let env = || Some(Secret::new("from-env"));
        // (named, secret given, expected: Ok(Some) / Ok(None) / Err)
        let cases: Vec<(Option<&str>, Option<Secret>, &str)> = vec![
            (None, env(), "keychain"),
            (None, None, "keychain"),
            (Some("Prod"), env(), "outside"),
            (Some(" prod "), env(), "outside"),
            (Some("Other"), env(), "error"),
            (Some("Prod"), None, "error"),
            (Some("Prod"), Some(Secret::new("  ")), "error"),
        ];
        for (named, given, expected) in cases {
            let got = outside_secret_for(&conn, named, given);
            let what = match &got {
                Ok(Some(s)) => {
                    assert_eq!(s.expose(), "from-env");
                    "outside"
                }
                Ok(None) => "keychain",
                Err(e) => {
                    assert_eq!(e.field.as_deref(), Some("connection"));
                    "error"
                }
            };
            assert_eq!(what, expected, "{named:?}");
        }
    }
}
