//! A Genesys client for a saved (or ad-hoc) connection: its secret (given,
//! the demo's, or from the keychain), its environment, and the context's
//! retry policy.
use super::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::genesys::{Client, ClientConfig, Credentials};
use crate::profiles::Connection;
use crate::secrets::{Secret, SecretStore};

/// The client id and secret of the built-in demo organization (the emulator).
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

/// The secret for a connection: the one rule, used by the app, the CLI and
/// schedules (every client is built through [`client_for`] /
/// [`client_for_async`]; the CLI's pre-flight check calls this). In order:
/// a secret given for this run (the CLI's `GENESYS_CLIENT_SECRET`; blank is
/// none), the demo organization's own secret, the connection's keychain
/// entry. None of them → kind `auth`, field `secret`.
///
/// Why `auth` (an earlier copy said `invalid_input`): nothing the person just
/// typed is wrong; the connection cannot sign in, exactly as when Genesys
/// refuses a wrong secret (`auth`), so the UI, the CLI's exit code 3 and a
/// schedule's "could not sign in" explanation treat both alike. A keychain
/// that cannot be read stays `keychain`. Blocks on the keychain (with its
/// timeout): call it from a blocking context.
pub fn secret_for(ctx: &Context, connection: &Connection, given: Option<Secret>) -> Result<Secret> {
    if let Some(s) = given_secret(connection, given) {
        return Ok(s);
    }
    ctx.secrets
        .get(&connection.id.to_string())?
        .ok_or_else(|| missing_secret(connection))
}

/// [`secret_for`] from async code: the keychain call runs on its own thread
/// and never blocks an async worker.
async fn secret_for_async(
    ctx: &Context,
    connection: &Connection,
    given: Option<Secret>,
) -> Result<Secret> {
    if let Some(s) = given_secret(connection, given) {
        return Ok(s);
    }
    ctx.secrets
        .get_async(&connection.id.to_string())
        .await?
        .ok_or_else(|| missing_secret(connection))
}

fn given_secret(connection: &Connection, given: Option<Secret>) -> Option<Secret> {
    match given.filter(|s| !s.is_blank()) {
        Some(s) => Some(s),
        None if connection.is_demo => Some(Secret::new(DEMO_CLIENT_SECRET)),
        None => None,
    }
}

/// The error of a connection with no secret (see [`secret_for`]).
pub fn missing_secret(connection: &Connection) -> Error {
    Error::new(
        ErrorKind::Auth,
        format!(
            "No client secret is saved for the connection \"{}\". Open the connection and enter its secret.",
            connection.name
        ),
    )
    .with_field("secret")
}

/// [`client_for`] from async code (the keychain is read off the async workers).
pub async fn client_for_async(
    ctx: &Context,
    connection: &Connection,
    secret: Option<Secret>,
) -> Result<Client> {
    let secret = secret_for_async(ctx, connection, secret).await?;
    client_for(ctx, connection, Some(secret))
}

/// A client for a connection.
pub fn client_for(
    ctx: &Context,
    connection: &Connection,
    secret: Option<Secret>,
) -> Result<Client> {
    let secret = secret_for(ctx, connection, secret)?;
    let environment = connection.parsed_environment()?;
    let credentials = Credentials::new(connection.client_id.clone(), secret);
    let mut config = ClientConfig::new(environment, credentials);
    if let Some(retry) = &ctx.retry {
        config.retry = retry.clone();
    }
    Client::new(config)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::secrets::{MemoryStore, SecretStore};

    /// (demo?, given, in the keychain, expected secret or error kind)
    #[test]
    fn the_secret_for_a_connection() {
        let dir = tempfile::tempdir().unwrap();
        let keychain = Arc::new(MemoryStore::new());
        let (ctx, _) = Context::open(
            dir.path().join("config"),
            dir.path().join("data"),
            keychain.clone(),
        );
        let s = |v: &str| Some(Secret::new(v));
        type Case<'a> = (
            bool,
            Option<Secret>,
            Option<&'a str>,
            std::result::Result<&'a str, ErrorKind>,
        );
        let cases: Vec<Case> = vec![
            (false, s("given"), Some("saved"), Ok("given")),
            (false, s("given"), None, Ok("given")),
            (false, None, Some("saved"), Ok("saved")),
            (false, s("  "), Some("saved"), Ok("saved")),
            (false, None, None, Err(ErrorKind::Auth)),
            (false, s(""), None, Err(ErrorKind::Auth)),
            (true, None, None, Ok(DEMO_CLIENT_SECRET)),
            (true, s("given"), None, Ok("given")),
        ];
        for (i, (is_demo, given, saved, expected)) in cases.into_iter().enumerate() {
            let connection = Connection {
                id: uuid::Uuid::new_v4(),
                name: format!("Connection {i}"),
                environment: "mypurecloud.ie".into(),
                client_id: "client".into(),
                is_demo,
            };
            if let Some(v) = saved {
                keychain
                    .set(&connection.id.to_string(), &Secret::new(v))
                    .unwrap();
            }
            let got = secret_for(&ctx, &connection, given);
            match (got, expected) {
                (Ok(secret), Ok(want)) => assert_eq!(secret.expose(), want, "case {i}"),
                (Err(e), Err(kind)) => {
                    assert_eq!(e.kind, kind, "case {i}");
                    assert_eq!(e.field.as_deref(), Some("secret"), "case {i}");
                    assert!(
                        e.message.contains(&connection.name),
                        "case {i}: {}",
                        e.message
                    );
                }
                (got, want) => panic!("case {i}: got {got:?}, expected {want:?}"),
            }
        }
    }
}
