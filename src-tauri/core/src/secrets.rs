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
//! A secret is a [`Secret`] (the same type the Genesys client takes), whose
//! `Debug`/`Display` print `[redacted]`; it has no `Serialize`, so it cannot
//! end up in a file or an IPC reply by accident.
//! Keychain errors never include the secret: they are classified into plain
//! messages ([`KeychainProblem`]).
use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, ErrorKind, Result};

/// The keychain service name: the app identifier.
pub const SERVICE: &str = "com.genesysexport.desktop";

/// The client secret type, shared with the Genesys client: prints as
/// `[redacted]`, has no `Serialize`.
pub use crate::genesys::Secret;

/// Somewhere to keep client secrets, one per account (connection id).
pub trait SecretStore: Send + Sync {
    /// The secret for `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>>;
    /// Save or replace the secret for `account`.
    fn set(&self, account: &str, secret: &Secret) -> Result<()>;
    /// Remove the secret for `account`; no error when there was none.
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether a secret is saved for `account`.
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
