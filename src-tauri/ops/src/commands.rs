//! The command table: every command the UI can call, written once.
//!
//! [`with_commands!`](crate::with_commands) hands the table to a macro of the
//! caller's, so each door is generated from the same list and cannot drift:
//! - the desktop app's Tauri commands and their `generate_handler!` list
//!   (`src-tauri/commands/mod.rs`);
//! - [`dispatch`]: a command by name with JSON arguments, as the test HTTP
//!   host serves them (`src-tauri/testhost`);
//! - [`commands`]: each command's argument names and TypeScript types, from
//!   which `tests/ts_bindings.rs` writes `ui/bindings/Commands.ts` (the UI's
//!   `call` is typed over it) and `docs/ipc.md`.
//!
//! An entry reads like a function: `name(ops, host, arg: Type, ...) -> Result
//! { body }`. `ops` (`&Ops`) and `host` (`&impl Host`) are named by the entry
//! so its body can use them; the arguments arrive under their camelCase names
//! (`run_id` ↔ `runId`), as Tauri passes them; an `Option` argument may be
//! left out. `; events on_progress` adds the run's event channel
//! (`Channel<ExportEvent>` in Tauri, the host's event stream over HTTP): the
//! host's `run_events()` sends to it. The body returns
//! `genesys_core::Result<T>`; an error crosses as `{kind, message, field?}`.
//!
//! Adding a command: write its operation, add one entry here, run
//! `UPDATE_BINDINGS=1 cargo test --test ts_bindings`, wrap it in `ui/api.js`.
use std::collections::BTreeMap;

use serde_json::Value;

use crate::host::Host;
use crate::Ops;

/// The types that cross IPC, for the table's entries (and the callers'
/// generated code) to name them with one path.
pub mod types {
    pub use crate::{
        AppInfo, ConnectionInput, DemoResult, ProfileView, ProfilesExported, ProfilesImported,
        TestResult,
    };
    pub use genesys_core::export::{ColumnInfo, EntityKind, Grain};
    pub use genesys_core::genesys::{Entity, EntityList, Region};
    pub use genesys_core::jobs::{ExportEvent, HistoryEntry, PreviewResult, RunResult};
    pub use genesys_core::profiles::{ConnectionView, QueryProfile, Settings};
}

/// The table. `$then` is a macro in scope at the call site that receives the
/// entries (see the module docs for their form).
#[macro_export]
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            /// Version, folders and start-up notices (About/Help).
            fn app_info(ops, host) -> $crate::commands::types::AppInfo {
                Ok($crate::app_info(ops, host))
            }
            /// The Genesys Cloud regions with friendly names.
            fn list_regions(ops, host) -> Vec<$crate::commands::types::Region> {
                Ok($crate::list_regions())
            }
            /// Start the built-in demo organization; create/refresh its
            /// connection and two example profiles (no keychain needed).
            fn start_demo(ops, host) -> $crate::commands::types::DemoResult {
                $crate::start_demo(ops).await
            }
            /// The saved connections; never waits long for the keychain (`secretUnknown`).
            fn list_connections(ops, host) -> Vec<$crate::commands::types::ConnectionView> {
                $crate::list_connections(ops).await
            }
            /// Create (no id) or update a connection; the secret is kept when
            /// omitted on an update. Secrets go in, never come back.
            fn save_connection(
                ops,
                host,
                connection: $crate::commands::types::ConnectionInput,
                secret: Option<String>
            ) -> $crate::commands::types::ConnectionView {
                $crate::save_connection(ops, connection, secret).await
            }
            /// Delete a connection and its keychain entry.
            fn delete_connection(ops, host, id: String) -> () {
                $crate::delete_connection(ops, &id).await
            }
            /// Test a saved connection (`connectionId`) or unsaved details
            /// (`connection` + `secret`). Rejects only on bad input; a failed
            /// login or a missing permission answers `ok: false`.
            fn test_connection(
                ops,
                host,
                connection_id: Option<String>,
                connection: Option<$crate::commands::types::ConnectionInput>,
                secret: Option<String>
            ) -> $crate::commands::types::TestResult {
                $crate::test_connection(ops, connection_id, connection, secret).await
            }
            /// Queues, agents, wrap-up codes or divisions of a connection, for a picker.
            fn list_entities(
                ops,
                host,
                connection_id: String,
                kind: $crate::commands::types::EntityKind,
                search: Option<String>
            ) -> $crate::commands::types::EntityList {
                $crate::list_entities(ops, &connection_id, kind, search).await
            }
            /// Every profile with its newest run.
            fn list_profiles(ops, host) -> Vec<$crate::commands::types::ProfileView> {
                $crate::list_profiles(ops).await
            }
            /// Create (a new profile has no id) or update a profile; field-level errors.
            fn save_profile(
                ops,
                host,
                profile: $crate::commands::types::QueryProfile
            ) -> $crate::commands::types::QueryProfile {
                $crate::save_profile(ops, profile).await
            }
            /// Delete a profile.
            fn delete_profile(ops, host, id: String) -> () {
                $crate::delete_profile(ops, &id).await
            }
            /// The column catalogue of a row grain.
            fn list_columns(
                ops,
                host,
                grain: $crate::commands::types::Grain
            ) -> Vec<$crate::commands::types::ColumnInfo> {
                Ok($crate::list_columns(grain))
            }
            /// The settings.
            fn get_settings(ops, host) -> $crate::commands::types::Settings {
                Ok($crate::get_settings(ops))
            }
            /// Save the settings (`lastUsedFolder` is the backend's: send it back unchanged).
            fn save_settings(
                ops,
                host,
                settings: $crate::commands::types::Settings
            ) -> $crate::commands::types::Settings {
                $crate::save_settings(ops, settings).await
            }
            /// Save profiles (`ids`, or all) to a file chosen in the save
            /// dialog: no secrets, no connection details. A cancelled dialog
            /// answers `{path: "", count: 0}`.
            fn export_profiles(
                ops,
                host,
                ids: Option<Vec<String>>
            ) -> $crate::commands::types::ProfilesExported {
                $crate::export_profiles(ops, host, ids).await
            }
            /// Add the profiles of a file chosen in the open dialog. A
            /// cancelled dialog imports nothing (`{imported: 0, skipped: []}`).
            fn import_profiles(ops, host) -> $crate::commands::types::ProfilesImported {
                $crate::import_profiles(ops, host).await
            }
            /// The first 20 rows and the estimated count, without a full pull.
            fn preview(
                ops,
                host,
                profile_id: String
            ) -> $crate::commands::types::PreviewResult {
                $crate::preview(ops, &profile_id).await
            }
            /// Export a profile: the save dialog first (cancelled → status
            /// `cancelled`; it asks before replacing a file), then fetch and
            /// write; events on `onProgress`. A file name whose extension is
            /// not the format's → `invalid_input`, field `destination`.
            /// `runId` (minted by the UI) is registered before the dialog
            /// opens, so `cancel_export` works at any time.
            fn start_export(
                ops,
                host,
                run_id: String,
                profile_id: String;
                events on_progress
            ) -> $crate::commands::types::RunResult {
                $crate::start_export(ops, host, run_id, &profile_id).await
            }
            /// Finish an interrupted run into its original file, from its last
            /// checkpoint (same range, profile and destination): the file is cut
            /// back to the last durable point and the fetch continues after the
            /// last conversation written, without duplicates. If that file is
            /// gone or damaged, the run starts again and `warnings` say so.
            fn resume_export(
                ops,
                host,
                run_id: String;
                events on_progress
            ) -> $crate::commands::types::RunResult {
                $crate::resume_export(ops, host, &run_id).await
            }
            /// Cancel a running export; `false` when it is not running.
            fn cancel_export(ops, host, run_id: String) -> bool {
                Ok($crate::cancel_export(ops, &run_id))
            }
            /// The last runs, newest first (running ones included, status `running`).
            fn list_history(ops, host) -> Vec<$crate::commands::types::HistoryEntry> {
                $crate::list_history(ops)
            }
            /// Interrupted runs that can be resumed.
            fn pending_resumes(ops, host) -> Vec<$crate::commands::types::HistoryEntry> {
                $crate::pending_resumes(ops)
            }
            /// Forget an interrupted run's resume point: its temp file, row
            /// journal, lock and checkpoint (`invalid_input` while a process runs it).
            fn discard_resume(ops, host, run_id: String) -> () {
                $crate::discard_resume(ops, &run_id)
            }
            /// Open a file a finished export wrote with the default program:
            /// only a `.csv`/`.xlsx`/`.jsonl` file of the history that is still a
            /// regular file (else `invalid_input`, field `path`; moved or
            /// deleted: `not_found`).
            fn open_file(ops, host, path: String) -> () {
                $crate::open_file(ops, host, &path)
            }
            /// Show a file a finished export wrote in the file manager (same
            /// rule as `open_file`).
            fn show_in_folder(ops, host, path: String) -> () {
                $crate::show_in_folder(ops, host, &path)
            }
        }
    };
}

/// One command as the table describes it, for contracts and docs.
#[derive(Debug, Clone)]
pub struct CommandInfo {
    /// The command name (`start_export`).
    pub name: &'static str,
    /// The entry's doc comment.
    pub doc: String,
    /// Its arguments, in order (the events channel last, when it has one).
    pub args: Vec<ArgInfo>,
    /// The TypeScript type of its answer.
    pub result: String,
    /// The TypeScript types it names (to import from `ui/bindings/`).
    pub imports: Vec<String>,
}

/// One argument of a command.
#[derive(Debug, Clone)]
pub struct ArgInfo {
    /// As the UI sends it (camelCase: `runId`).
    pub name: String,
    /// Its TypeScript type.
    pub ts: String,
    /// May be left out (an `Option`).
    pub optional: bool,
    /// The run's event channel (`Channel<ExportEvent>`).
    pub events: bool,
}

/// `run_id` → `runId`: how Tauri names a command's arguments on the wire.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a missing argument of this type is accepted (Tauri passes `None`
/// for a missing key of an `Option`; so does [`dispatch`]).
fn may_be_missing<T: serde::de::DeserializeOwned>() -> bool {
    serde_json::from_value::<T>(Value::Null).is_ok()
}

/// The exported types a type's TypeScript name refers to: itself, or for
/// `Vec<T>`/`Option<T>`, what it wraps.
struct Named<'a> {
    cfg: &'a ts_rs::Config,
    found: Vec<ts_rs::Dependency>,
}

impl ts_rs::TypeVisitor for Named<'_> {
    fn visit<U: ts_rs::TS + 'static + ?Sized>(&mut self) {
        match ts_rs::Dependency::from_ty::<U>(self.cfg) {
            Some(d) => self.found.push(d),
            None => U::visit_generics(self),
        }
    }
}

fn named<T: ts_rs::TS + 'static>(cfg: &ts_rs::Config) -> Vec<ts_rs::Dependency> {
    let mut v = Named {
        cfg,
        found: Vec::new(),
    };
    ts_rs::TypeVisitor::visit::<T>(&mut v);
    v.found
}

/// The TypeScript name of a type, noting the exported types it names.
fn ts_of<T: ts_rs::TS + 'static>(cfg: &ts_rs::Config, imports: &mut Vec<String>) -> String {
    imports.extend(named::<T>(cfg).into_iter().map(|d| d.ts_name));
    T::name(cfg)
}

/// Export the TypeScript declarations a type names (and their dependencies) to `cfg`'s folder.
fn export_ts<T: ts_rs::TS + 'static>(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    struct Export<'a> {
        cfg: &'a ts_rs::Config,
        result: Result<(), ts_rs::ExportError>,
    }
    impl ts_rs::TypeVisitor for Export<'_> {
        fn visit<U: ts_rs::TS + 'static + ?Sized>(&mut self) {
            if self.result.is_err() {
                return;
            }
            if ts_rs::Dependency::from_ty::<U>(self.cfg).is_some() {
                self.result = U::export_all(self.cfg);
            } else {
                U::visit_generics(self);
            }
        }
    }
    let mut v = Export {
        cfg,
        result: Ok(()),
    };
    ts_rs::TypeVisitor::visit::<T>(&mut v);
    v.result
}

macro_rules! describe {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($ops:ident, $host:ident $(, $arg:ident : $ty:ty)* $(; events $ev:ident)?) -> $ret:ty $body:block
    )*) => {
        /// Every command of the table, in order, with TypeScript types from `cfg`.
        pub fn commands(cfg: &ts_rs::Config) -> Vec<CommandInfo> {
            let mut out = Vec::new();
            $({
                let mut imports = Vec::new();
                #[allow(unused_mut)]
                let mut args: Vec<ArgInfo> = vec![$(ArgInfo {
                    name: camel(stringify!($arg)),
                    ts: ts_of::<$ty>(cfg, &mut imports),
                    optional: may_be_missing::<$ty>(),
                    events: false,
                }),*];
                $(args.push(ArgInfo {
                    name: camel(stringify!($ev)),
                    ts: format!(
                        "Channel<{}>",
                        ts_of::<types::ExportEvent>(cfg, &mut imports)
                    ),
                    optional: false,
                    events: true,
                });)?
                let result = ts_of::<$ret>(cfg, &mut imports);
                imports.sort();
                imports.dedup();
                let doc: Vec<&str> = vec![$($doc.trim()),*];
                out.push(CommandInfo {
                    name: stringify!($name),
                    doc: doc.join("\n"),
                    args,
                    result,
                    imports,
                });
            })*
            out
        }

        /// Write the TypeScript declarations of every argument and answer
        /// type of the table (and the events) into `cfg`'s folder.
        pub fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
            export_ts::<types::ExportEvent>(cfg)?;
            $(
                $( export_ts::<$ty>(cfg)?; )*
                export_ts::<$ret>(cfg)?;
            )*
            Ok(())
        }

        /// The name of the events argument of `command` (`onProgress`), if it has one.
        pub fn events_arg(command: &str) -> Option<String> {
            match command {
                $( $( stringify!($name) => Some(camel(stringify!($ev))), )? )*
                _ => None,
            }
        }

        /// Call `command` with JSON `args` (camelCase keys, as the UI sends
        /// them) on `host`, and answer JSON. The events argument is not read
        /// here: the caller gives `host` the run's event sink.
        pub async fn dispatch<H: Host>(
            ops: &Ops,
            host: &H,
            command: &str,
            args: &serde_json::Map<String, Value>,
        ) -> Result<Value, DispatchError> {
            match command {
                $(
                    stringify!($name) => {
                        $( let $arg: $ty = arg(command, stringify!($arg), args)?; )*
                        #[allow(unused_variables)]
                        let $ops = ops;
                        #[allow(unused_variables)]
                        let $host = host;
                        let answer: genesys_core::Result<$ret> = $body;
                        answer
                            .map_err(DispatchError::Failed)
                            .and_then(|v| serde_json::to_value(v).map_err(|e| {
                                DispatchError::Failed(
                                    genesys_core::Error::internal("The app failed unexpectedly.")
                                        .with_cause(e),
                                )
                            }))
                    }
                )*
                _ => Err(DispatchError::Unknown(format!("command {command} not found"))),
            }
        }
    };
}

with_commands!(describe);

/// Why [`dispatch`] did not answer.
#[derive(Debug)]
pub enum DispatchError {
    /// No such command (Tauri: "command X not found").
    Unknown(String),
    /// The arguments do not fit (Tauri's wording: "invalid args `key` for
    /// command `name`: …"); crosses as a plain string, as in the app.
    Args(String),
    /// The operation's error.
    Failed(genesys_core::Error),
}

/// One argument by its camelCase key, as Tauri reads it: a missing key is
/// `None` for an `Option`, else an error.
fn arg<T: serde::de::DeserializeOwned>(
    command: &str,
    snake: &str,
    args: &serde_json::Map<String, Value>,
) -> Result<T, DispatchError> {
    let key = camel(snake);
    let invalid = |e: String| {
        DispatchError::Args(format!("invalid args `{key}` for command `{command}`: {e}"))
    };
    match args.get(&key) {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| invalid(e.to_string())),
        None => serde_json::from_value(Value::Null)
            .map_err(|_| invalid(format!("command {command} missing required key {key}"))),
    }
}

/// The table's command names, in order.
pub fn names() -> Vec<&'static str> {
    commands(&ts_rs::Config::new())
        .into_iter()
        .map(|c| c.name)
        .collect()
}

/// Commands by name (for lookups in tests and hosts).
pub fn by_name(cfg: &ts_rs::Config) -> BTreeMap<&'static str, CommandInfo> {
    commands(cfg).into_iter().map(|c| (c.name, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_is_what_tauri_sends() {
        for (snake, want) in [
            ("run_id", "runId"),
            ("on_progress", "onProgress"),
            ("connection_id", "connectionId"),
            ("id", "id"),
        ] {
            assert_eq!(camel(snake), want);
        }
    }

    #[test]
    fn the_table_describes_each_command_once_with_its_arguments() {
        let cmds = by_name(&ts_rs::Config::new().with_large_int("number"));
        assert_eq!(cmds.len(), names().len(), "a command name is listed twice");
        let start = &cmds["start_export"];
        let args: Vec<(&str, &str, bool)> = start
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.ts.as_str(), a.optional))
            .collect();
        assert_eq!(
            args,
            [
                ("runId", "string", false),
                ("profileId", "string", false),
                ("onProgress", "Channel<ExportEvent>", false)
            ]
        );
        assert_eq!(start.result, "RunResult");
        assert_eq!(events_arg("start_export").as_deref(), Some("onProgress"));
        assert_eq!(events_arg("list_history"), None);
        let save = &cmds["save_connection"];
        assert_eq!(save.args[1].name, "secret");
        assert!(save.args[1].optional);
        assert!(!save.args[0].optional);
        assert_eq!(cmds["delete_profile"].result, "null");
        assert_eq!(cmds["list_history"].imports, ["HistoryEntry"]);
        assert!(cmds["start_export"].doc.contains("save dialog"));
    }
}
