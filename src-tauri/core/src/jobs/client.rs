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

/// The secret for a connection: given, the demo's, or from the keychain
/// (a blocking call with the keychain's timeout: from a blocking context).
fn secret_for(ctx: &Context, connection: &Connection, given: Option<Secret>) -> Result<Secret> {
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

fn missing_secret(connection: &Connection) -> Error {
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
