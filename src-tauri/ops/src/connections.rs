//! Connections to Genesys Cloud orgs. Secrets go in (save/test) and never
//! come back out: a connection only says whether it has one.
use genesys_core::export::EntityKind;
use genesys_core::genesys::EntityList;
use genesys_core::profiles::{Connection, ConnectionView};
use genesys_core::secrets::Secret;
use genesys_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{parse_id, Ops};

/// What `save_connection` and `test_connection` take (no secret in here).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    #[serde(default)]
    #[ts(optional)]
    pub id: Option<String>,
    pub name: String,
    pub environment: String,
    pub client_id: String,
}

/// What `test_connection` answers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
}

/// A secret as typed: an empty one is no secret.
fn typed_secret(secret: Option<String>) -> Option<Secret> {
    secret.filter(|s| !s.is_empty()).map(Secret::new)
}

/// `list_connections`: never waits long for the keychain (see `secretUnknown`).
pub async fn list_connections(ops: &Ops) -> Result<Vec<ConnectionView>> {
    list_connections_waiting(ops, genesys_core::jobs::LIST_KEYCHAIN_WAIT).await
}

/// The connections, asking the keychain for at most `wait` in all (the
/// command line can wait for its answer; a window cannot).
pub async fn list_connections_waiting(
    ops: &Ops,
    wait: std::time::Duration,
) -> Result<Vec<ConnectionView>> {
    ops.blocking(move |ctx| {
        let connections = ctx.store().connections().to_vec();
        let deadline = std::time::Instant::now() + wait;
        Ok(connections
            .into_iter()
            .map(|c| ctx.connection_view(c, deadline))
            .collect())
    })
    .await
}

/// A saved connection by name (case-insensitive): how the command line names them.
pub fn connection_named(ops: &Ops, name: &str) -> Result<Connection> {
    let store = ops.ctx.store();
    let wanted = name.trim().to_lowercase();
    let found = store
        .connections()
        .iter()
        .find(|c| c.name.to_lowercase() == wanted);
    if let Some(c) = found {
        return Ok(c.clone());
    }
    let names: Vec<&str> = store
        .connections()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    Err(Error::invalid(
        "connection",
        if names.is_empty() {
            format!("There is no saved connection \"{name}\" (none are saved yet; add one with `connections add`).")
        } else {
            format!(
                "There is no saved connection \"{name}\". Saved: {}.",
                names.join(", ")
            )
        },
    ))
}

/// `save_connection`: create (no id) or update; the secret is kept when
/// omitted on an update. Whether a connection is the demo is never taken
/// from the input.
pub async fn save_connection(
    ops: &Ops,
    connection: ConnectionInput,
    secret: Option<String>,
) -> Result<ConnectionView> {
    let id = match connection.id.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => parse_id("id", id)?,
        None => Uuid::new_v4(),
    };
    let secret = typed_secret(secret);
    ops.blocking(move |ctx| {
        let is_demo = ctx.store().connection(id).is_some_and(|c| c.is_demo);
        let conn = Connection {
            id,
            name: connection.name,
            environment: connection.environment,
            client_id: connection.client_id,
            is_demo,
        };
        ctx.save_connection(conn, secret)
    })
    .await
}

/// `delete_connection`: also removes its keychain entry.
pub async fn delete_connection(ops: &Ops, id: &str) -> Result<()> {
    let id = parse_id("id", id)?;
    ops.blocking(move |ctx| ctx.delete_connection(id)).await
}

/// `test_connection`: a saved connection (`connection_id`) or unsaved
/// settings (`connection` + `secret`). Bad input is an error with a field; a
/// failed login or a missing permission answers `ok: false` in plain words.
pub async fn test_connection(
    ops: &Ops,
    connection_id: Option<String>,
    connection: Option<ConnectionInput>,
    secret: Option<String>,
) -> Result<TestResult> {
    let conn = match (connection_id, connection) {
        (Some(id), _) => {
            let id = parse_id("connectionId", &id)?;
            ops.ctx.store().require_connection(id)?.clone()
        }
        (None, Some(c)) => Connection {
            id: Uuid::new_v4(),
            name: c.name,
            environment: c.environment,
            client_id: c.client_id,
            is_demo: false,
        },
        (None, None) => return Err(Error::invalid("connection", "Choose a connection to test.")),
    };
    match check_connection(ops, conn, typed_secret(secret)).await {
        Ok(message) => Ok(TestResult { ok: true, message }),
        Err(e) if e.kind == ErrorKind::InvalidInput => Err(e),
        Err(e) => Ok(TestResult {
            ok: false,
            message: e.message,
        }),
    }
}

/// Log in with a connection and check the details permission: Genesys's
/// answer in plain words, or the error (the command line's
/// `connections test` exits with its kind's code).
pub async fn check_connection(
    ops: &Ops,
    connection: Connection,
    secret: Option<Secret>,
) -> Result<String> {
    let client = ops
        .blocking(move |ctx| genesys_core::jobs::client_for(ctx, &connection, secret))
        .await?;
    client.test_connection().await
}

/// `list_entities`: queues, agents, wrap-up codes or divisions for a picker.
pub async fn list_entities(
    ops: &Ops,
    connection_id: &str,
    kind: EntityKind,
    search: Option<String>,
) -> Result<EntityList> {
    use genesys_core::genesys::EntityKind as K;
    let id = parse_id("connectionId", connection_id)?;
    let conn = ops.ctx.store().require_connection(id)?.clone();
    let client = ops
        .blocking(move |ctx| genesys_core::jobs::client_for(ctx, &conn, None))
        .await?;
    let kind = match kind {
        EntityKind::Queue => K::Queue,
        EntityKind::User => K::User,
        EntityKind::WrapUpCode => K::WrapUpCode,
        EntityKind::Division => K::Division,
    };
    let search = search.filter(|s| !s.trim().is_empty());
    client.list_entities(kind, search.as_deref()).await
}
