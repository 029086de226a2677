//! Connections: list, save, delete, test, and the entities of a connection.
use genesys_core::export::EntityKind;
use genesys_core::genesys::Entity;
use genesys_core::profiles::ConnectionView;
use genesys_ops::{ConnectionInput, Ops, TestResult};
use tauri::State;

use super::CmdResult;

#[tauri::command]
pub async fn list_connections(ops: State<'_, Ops>) -> CmdResult<Vec<ConnectionView>> {
    genesys_ops::list_connections(&ops).await
}

#[tauri::command]
pub async fn save_connection(
    ops: State<'_, Ops>,
    connection: ConnectionInput,
    secret: Option<String>,
) -> CmdResult<ConnectionView> {
    genesys_ops::save_connection(&ops, connection, secret).await
}

#[tauri::command]
pub async fn delete_connection(ops: State<'_, Ops>, id: String) -> CmdResult<()> {
    genesys_ops::delete_connection(&ops, &id).await
}

#[tauri::command]
pub async fn test_connection(
    ops: State<'_, Ops>,
    connection_id: Option<String>,
    connection: Option<ConnectionInput>,
    secret: Option<String>,
) -> CmdResult<TestResult> {
    genesys_ops::test_connection(&ops, connection_id, connection, secret).await
}

#[tauri::command]
pub async fn list_entities(
    ops: State<'_, Ops>,
    connection_id: String,
    kind: EntityKind,
    search: Option<String>,
) -> CmdResult<Vec<Entity>> {
    genesys_ops::list_entities(&ops, &connection_id, kind, search).await
}
