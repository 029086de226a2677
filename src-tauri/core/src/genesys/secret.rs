//! Secrets (client secret, access token) wrapped so they never leak into
//! `Debug`/`Display`, logs, errors or progress events, and are wiped from
//! memory when dropped (a [`secrecy::SecretString`], which zeroizes).
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A string that prints as `[redacted]`, has no `Serialize`, and is
/// overwritten with zeros when dropped. Read it only with [`Secret::expose`],
/// at the one place it is sent to Genesys (or to the keychain).
#[derive(Clone, Default)]
pub struct Secret(SecretString);

impl Secret {
    /// Wrap a secret value (taking ownership, so no copy is left behind).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret itself. Only for building the HTTP request or the keychain call.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when nothing (or only spaces) was given.
    pub fn is_blank(&self) -> bool {
        self.expose().trim().is_empty()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<SecretString> for Secret {
    fn from(value: SecretString) -> Self {
        Secret(value)
    }
}

/// OAuth client-credentials of a Genesys Cloud OAuth client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The OAuth client id (not secret).
    pub client_id: String,
    /// The OAuth client secret.
    pub secret: Secret,
}

impl Credentials {
    /// Convenience constructor.
    pub fn new(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Credentials {
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let c = Credentials::new("id-1", "s3cr3t-value");
        assert_eq!(format!("{}", c.secret), "[redacted]");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(dbg.contains("id-1"));
        assert_eq!(c.secret.expose(), "s3cr3t-value");
        assert!(Secret::new("  ").is_blank());
    }
}
