//! Query profiles, settings, the column catalogue, and sharing profiles.
use genesys_core::export::{columns, ColumnInfo, Grain};
use genesys_core::jobs::HistoryEntry;
use genesys_core::profiles::{QueryProfile, Settings};
use serde::Serialize;
use tauri::State;

use super::connections::{blocking, parse_id};
use super::dialog::{open_path, save_path, SaveDialog};
use super::AppState;
use crate::error::CmdResult;

/// A profile with its last run (for the home screen cards).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: QueryProfile,
    pub last_run: Option<HistoryEntry>,
}

/// `list_profiles`.
#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> CmdResult<Vec<ProfileView>> {
    blocking(&state.ctx, |ctx| {
        let profiles = ctx.store().profiles().to_vec();
        let history = ctx.history.list()?;
        Ok(profiles
            .into_iter()
            .map(|profile| {
                let id = profile.id.to_string();
                let last_run = history.iter().find(|h| h.profile_id == id).cloned();
                ProfileView { profile, last_run }
            })
            .collect())
    })
    .await
}

/// `save_profile`: create or update (field-level errors for bad input).
#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    profile: QueryProfile,
) -> CmdResult<QueryProfile> {
    blocking(&state.ctx, move |ctx| {
        Ok(ctx.store().save_profile(profile)?)
    })
    .await
}

/// `delete_profile`.
#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    let id = parse_id("id", &id)?;
    blocking(&state.ctx, move |ctx| Ok(ctx.store().delete_profile(id)?)).await
}

/// `list_columns`: the column catalogue for a grain.
#[tauri::command]
pub fn list_columns(grain: Grain) -> Vec<ColumnInfo> {
    columns(grain)
}

/// `get_settings`.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.ctx.store().settings().clone()
}

/// `save_settings`.
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> CmdResult<Settings> {
    blocking(&state.ctx, move |ctx| {
        Ok(ctx.store().save_settings(settings)?)
    })
    .await
}

/// `export_profiles` result.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesExported {
    /// Empty when the user cancelled the dialog.
    pub path: String,
    pub count: usize,
}

/// `export_profiles`: save profiles (no secrets, no connection details) to a file the user picks.
#[tauri::command]
pub async fn export_profiles<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    ids: Option<Vec<String>>,
) -> CmdResult<ProfilesExported> {
    let ids = match ids {
        Some(ids) => Some(
            ids.iter()
                .map(|id| parse_id("ids", id))
                .collect::<CmdResult<Vec<_>>>()?,
        ),
        None => None,
    };
    let Some(path) = save_path(
        &app,
        SaveDialog {
            title: "Share profiles",
            file_name: "Genesys Export profiles.json",
            folder: None,
            filter: ("Profiles", &["json"]),
        },
    )
    .await
    else {
        return Ok(ProfilesExported {
            path: String::new(),
            count: 0,
        });
    };
    blocking(&state.ctx, move |ctx| {
        let count = ctx.store().export_profiles(ids.as_deref(), &path)?;
        Ok(ProfilesExported {
            path: path.display().to_string(),
            count,
        })
    })
    .await
}

/// `import_profiles` result.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesImported {
    pub imported: usize,
    /// One sentence per profile that was not imported.
    pub skipped: Vec<String>,
}

/// `import_profiles`: add profiles from a file the user picks.
#[tauri::command]
pub async fn import_profiles<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<ProfilesImported> {
    let Some(path) = open_path(&app, "Import profiles", ("Profiles", &["json"])).await else {
        return Ok(ProfilesImported {
            imported: 0,
            skipped: Vec::new(),
        });
    };
    blocking(&state.ctx, move |ctx| {
        let report = ctx.store().import_profiles(&path)?;
        Ok(ProfilesImported {
            imported: report.imported,
            skipped: report.skipped,
        })
    })
    .await
}
