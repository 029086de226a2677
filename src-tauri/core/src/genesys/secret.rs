//! Secrets (client secret, access and refresh tokens) wrapped so they never
//! leak into `Debug`/`Display`, logs, errors or progress events, and are
//! wiped from memory when dropped (a [`secrecy::SecretString`], which zeroizes).
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

/// A signed-in person's tokens (authorization code + PKCE): the access
/// token, when it expires, and a refresh token when Genesys gave one (see
/// `docs/sign-in.md` §6: not known to happen for PKCE). Prints redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserToken {
    pub access_token: Secret,
    /// When the access token stops working (`None`: not known).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub refresh_token: Option<Secret>,
}

impl UserToken {
    /// A token that expires `expires_in` seconds from now.
    pub fn new(access_token: impl Into<Secret>, expires_in: Option<u64>) -> Self {
        UserToken {
            access_token: access_token.into(),
            expires_at: expires_in.map(|s| {
                chrono::Utc::now() + chrono::Duration::seconds(s.min(i64::MAX as u64 / 2) as i64)
            }),
            refresh_token: None,
        }
    }

    /// True when the token is known to have expired at `now`.
    pub fn expired_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
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

    /// #14 (low): the secret and the tokens live in secrecy's zeroizing
    /// string, wiped when dropped. A compile-time check: with a plain `String`
    /// inside (as before), this test does not build.
    #[test]
    fn secrets_and_tokens_are_wiped_when_dropped() {
        fn wiped_on_drop<T: secrecy::zeroize::ZeroizeOnDrop>(_: &T) {}
        let secret = Secret::new("s3cr3t-value");
        wiped_on_drop(&secret.0);
        let token = UserToken::new("acc3ss-value", None);
        wiped_on_drop(&token.access_token.0);
        assert_eq!(secret.expose(), "s3cr3t-value");
    }

    #[test]
    fn user_tokens_never_print() {
        let mut t = UserToken::new("acc3ss-value", Some(60));
        t.refresh_token = Some(Secret::new("r3fresh-value"));
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("acc3ss") && !dbg.contains("r3fresh"), "{dbg}");
        assert!(!t.expired_at(chrono::Utc::now()));
        assert!(t.expired_at(chrono::Utc::now() + chrono::Duration::seconds(61)));
        assert!(!UserToken::new("x", None).expired_at(chrono::Utc::now()));
    }
}
