//! "Open file" and "Show in folder" for finished exports, done in Rust so the
//! UI needs no opener permission. Only `.csv`, `.xlsx` and `.jsonl` files
//! this app exported (found in the history) can be opened, by the core rule
//! `jobs::exported_file`: the UI cannot use these commands to launch
//! arbitrary programs.
use genesys_core::jobs::exported_file;
use genesys_core::ErrorKind;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use super::AppState;
use crate::error::{CmdError, CmdResult};

/// `open_file`: open an exported file with the system's default program.
#[tauri::command]
pub fn open_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let p = exported_file(&state.ctx, &path)?;
    app.opener()
        .open_path(p.display().to_string(), None::<String>)
        .map_err(|e| {
            CmdError::new(
                ErrorKind::Io,
                format!("The file could not be opened ({e}). Open it from its folder instead."),
            )
        })
}

/// `show_in_folder`: show an exported file in the system's file manager.
#[tauri::command]
pub fn show_in_folder<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let p = exported_file(&state.ctx, &path)?;
    app.opener().reveal_item_in_dir(&p).map_err(|e| {
        CmdError::new(
            ErrorKind::Io,
            format!(
                "The folder could not be shown ({e}). The file is at {}.",
                p.display()
            ),
        )
    })
}
