//! Connections to Genesys Cloud orgs. Secrets go in (save/test) and never
//! come back out: a connection only says whether it has one.
use std::sync::Arc;

use genesys_core::jobs::Context;
use genesys_core::profiles::Connection;
use genesys_core::secrets::Secret;
use serde::{Deserialize, Serialize};
use tauri::State;
use uuid::Uuid;

use super::AppState;
use crate::error::{CmdError, CmdResult};

/// A connection as the UI sees it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    #[serde(flatten)]
    pub connection: Connection,
    /// A secret is saved in the keychain (the demo never needs one).
    pub has_secret: bool,
    /// The keychain has not answered yet (locked, or waiting for a prompt):
    /// `hasSecret` is only the last answer then.
    pub secret_unknown: bool,
}

impl From<genesys_core::profiles::ConnectionView> for ConnectionView {
    fn from(v: genesys_core::profiles::ConnectionView) -> Self {
        Self {
            connection: v.connection,
            has_secret: v.has_secret,
            secret_unknown: v.secret_unknown,
        }
    }
}

/// What `save_connection` takes (no secret in here).
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

/// Parse an id sent by the UI.
pub fn parse_id(field: &str, id: &str) -> CmdResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| CmdError::invalid(field, "This id is not valid."))
}

/// Run blocking work (keychain over D-Bus, file writes) off the async threads.
pub async fn blocking<T: Send + 'static>(
    ctx: &Arc<Context>,
    f: impl FnOnce(&Context) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    let ctx = ctx.clone();
    tauri::async_runtime::spawn_blocking(move || f(&ctx))
        .await
        .map_err(|e| CmdError::internal(format!("The app failed: {e}")))?
}

pub(crate) fn view(ctx: &Context, connection: Connection) -> CmdResult<ConnectionView> {
    let deadline = std::time::Instant::now() + genesys_core::jobs::LIST_KEYCHAIN_WAIT;
    Ok(ctx.connection_view(connection, deadline).into())
}

/// `list_connections`: never waits long for the keychain (see `secretUnknown`).
#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<ConnectionView>> {
    blocking(&state.ctx, |ctx| {
        Ok(ctx.connection_views().into_iter().map(Into::into).collect())
    })
    .await
}

/// `save_connection`: create or update; the secret is kept when omitted on update.
#[tauri::command]
pub async fn save_connection(
    state: State<'_, AppState>,
    connection: ConnectionInput,
    secret: Option<String>,
) -> CmdResult<ConnectionView> {
    let id = match connection.id.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => parse_id("id", id)?,
        None => Uuid::new_v4(),
    };
    let secret = secret.filter(|s| !s.is_empty()).map(Secret::new);
    blocking(&state.ctx, move |ctx| {
        let is_demo = ctx.store().connection(id).is_some_and(|c| c.is_demo);
        let conn = Connection {
            id,
            name: connection.name,
            environment: connection.environment,
            client_id: connection.client_id,
            is_demo,
        };
        Ok(ctx.save_connection(conn, secret)?.into())
    })
    .await
}

/// `delete_connection`: also removes its keychain entry.
#[tauri::command]
pub async fn delete_connection(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    let id = parse_id("id", &id)?;
    blocking(&state.ctx, move |ctx| Ok(ctx.delete_connection(id)?)).await
}

/// What `test_connection` answers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
}

/// `test_connection`: a saved connection (`connectionId`) or unsaved settings
/// (`connection` + `secret`). Bad input rejects with a field; a failed login
/// or missing permission answers `ok: false` with plain words.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    connection_id: Option<String>,
    connection: Option<ConnectionInput>,
    secret: Option<String>,
) -> CmdResult<TestResult> {
    let ctx = state.ctx.clone();
    let conn = match (connection_id, connection) {
        (Some(id), _) => {
            let id = parse_id("connectionId", &id)?;
            ctx.store().require_connection(id)?.clone()
        }
        (None, Some(c)) => Connection {
            id: Uuid::new_v4(),
            name: c.name,
            environment: c.environment,
            client_id: c.client_id,
            is_demo: false,
        },
        (None, None) => {
            return Err(CmdError::invalid(
                "connection",
                "Choose a connection to test.",
            ))
        }
    };
    let secret = secret.filter(|s| !s.is_empty()).map(Secret::new);
    let client = {
        let ctx = ctx.clone();
        let conn = conn.clone();
        blocking(&ctx, move |ctx| {
            Ok(genesys_core::jobs::client_for(ctx, &conn, secret)?)
        })
        .await?
    };
    match client.test_connection().await {
        Ok(message) => Ok(TestResult { ok: true, message }),
        Err(e) if e.kind == genesys_core::ErrorKind::InvalidInput => Err(e.into()),
        Err(e) => Ok(TestResult {
            ok: false,
            message: e.message,
        }),
    }
}

/// `list_entities`: queues, agents, wrap-up codes or divisions for a picker.
#[tauri::command]
pub async fn list_entities(
    state: State<'_, AppState>,
    connection_id: String,
    kind: genesys_core::export::EntityKind,
    search: Option<String>,
) -> CmdResult<Vec<genesys_core::genesys::Entity>> {
    use genesys_core::export::EntityKind as E;
    use genesys_core::genesys::EntityKind as K;
    let id = parse_id("connectionId", &connection_id)?;
    let conn = state.ctx.store().require_connection(id)?.clone();
    let client = blocking(&state.ctx, move |ctx| {
        Ok(genesys_core::jobs::client_for(ctx, &conn, None)?)
    })
    .await?;
    let kind = match kind {
        E::Queue => K::Queue,
        E::User => K::User,
        E::WrapUpCode => K::WrapUpCode,
        E::Division => K::Division,
    };
    let search = search.filter(|s| !s.trim().is_empty());
    Ok(client.list_entities(kind, search.as_deref()).await?)
}
