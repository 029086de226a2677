//! The Tauri commands, generated from the one command table
//! (`genesys_ops::with_commands!`, `src-tauri/ops/src/commands.rs`): each
//! command takes the table's arguments (plus the window, the shared `Ops` and,
//! for a run, its progress `Channel`) and runs the table's one call of an
//! operation with the window as its [`crate::host::TauriHost`]. The same table
//! gives the test HTTP host its routes and the UI its TypeScript contract, so
//! the doors cannot drift. To add a command, add an entry to the table.
pub mod state;
pub mod window;

pub use state::AppOptions;

/// What every command returns: the operation's answer, or the one error that
/// crosses IPC (`genesys_core::Error`: `{kind, message, field?}`).
pub type CmdResult<T> = genesys_core::Result<T>;

/// `Some(channel)` for a command with an events argument, else `None`.
macro_rules! events {
    () => {
        None
    };
    ($ev:ident) => {
        Some($ev)
    };
}

macro_rules! tauri_commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($ops:ident, $host:ident $(, $arg:ident : $ty:ty)* $(; events $ev:ident)?) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            #[allow(unused_variables)]
            pub async fn $name<R: tauri::Runtime>(
                window: tauri::Window<R>,
                state: tauri::State<'_, genesys_ops::Ops>,
                $($arg: $ty,)*
                $($ev: tauri::ipc::Channel<genesys_core::jobs::ExportEvent>,)?
            ) -> CmdResult<$ret> {
                let $ops: &genesys_ops::Ops = &state;
                let $host = &crate::host::TauriHost::for_window(&window, events!($($ev)?));
                $body
            }
        )*

        /// The app's invoke handler: every command of the table.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

genesys_ops::with_commands!(tauri_commands);
