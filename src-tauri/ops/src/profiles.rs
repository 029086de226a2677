//! Query profiles, settings, the column catalogue, and sharing profiles.
use genesys_core::export::{columns, ColumnInfo, Grain};
use genesys_core::jobs::HistoryEntry;
use genesys_core::profiles::{QueryProfile, Settings};
use genesys_core::{Error, Result};
use serde::Serialize;

use crate::host::{FileFilter, Host, OpenDialog, SaveDialog};
use crate::{parse_id, Ops};

/// A profile with its last run (for the home screen cards).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: QueryProfile,
    pub last_run: Option<HistoryEntry>,
}

/// `export_profiles` result.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesExported {
    /// Empty when the user cancelled the dialog.
    pub path: String,
    pub count: usize,
}

/// `import_profiles` result.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesImported {
    pub imported: usize,
    /// One sentence per profile that was not imported.
    pub skipped: Vec<String>,
    /// The names of the profiles added (renamed ones under their new name).
    #[serde(skip)]
    pub imported_names: Vec<String>,
    /// One sentence per profile imported under another name.
    #[serde(skip)]
    pub renamed: Vec<String>,
}

/// The file type of a shared profiles file.
fn profiles_filter() -> FileFilter {
    FileFilter::new("Profiles", &["json"])
}

/// `list_profiles`: every profile with its newest run.
pub async fn list_profiles(ops: &Ops) -> Result<Vec<ProfileView>> {
    ops.blocking(|ctx| {
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

/// A saved profile by name (case-insensitive): how the command line names them.
pub fn profile_named(ops: &Ops, name: &str) -> Result<QueryProfile> {
    let store = ops.ctx.store();
    let wanted = name.trim().to_lowercase();
    if let Some(p) = store
        .profiles()
        .iter()
        .find(|p| p.name.to_lowercase() == wanted)
    {
        return Ok(p.clone());
    }
    let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
    Err(Error::invalid(
        "profile",
        if names.is_empty() {
            format!("There is no saved profile \"{name}\" (none are saved yet; create one in the app or import a file with `profiles import`).")
        } else {
            format!(
                "There is no saved profile \"{name}\". Saved: {}.",
                names.join(", ")
            )
        },
    ))
}

/// `save_profile`: create or update (field-level errors for bad input).
pub async fn save_profile(ops: &Ops, profile: QueryProfile) -> Result<QueryProfile> {
    ops.blocking(move |ctx| ctx.store().save_profile(profile))
        .await
}

/// `delete_profile`.
pub async fn delete_profile(ops: &Ops, id: &str) -> Result<()> {
    let id = parse_id("id", id)?;
    ops.blocking(move |ctx| ctx.store().delete_profile(id))
        .await
}

/// `list_columns`: the column catalogue for a grain.
pub fn list_columns(grain: Grain) -> Vec<ColumnInfo> {
    columns(grain)
}

/// `get_settings`.
pub fn get_settings(ops: &Ops) -> Settings {
    ops.ctx.store().settings().clone()
}

/// `save_settings`.
pub async fn save_settings(ops: &Ops, settings: Settings) -> Result<Settings> {
    ops.blocking(move |ctx| ctx.store().save_settings(settings))
        .await
}

/// `export_profiles`: save profiles (`ids`, or all) to a file the person
/// picks: no secrets, no connection details. Cancelling the dialog answers
/// an empty path and a count of 0.
pub async fn export_profiles(
    ops: &Ops,
    host: &impl Host,
    ids: Option<Vec<String>>,
) -> Result<ProfilesExported> {
    let ids = match ids {
        Some(ids) => Some(
            ids.iter()
                .map(|id| parse_id("ids", id))
                .collect::<Result<Vec<_>>>()?,
        ),
        None => None,
    };
    let dialog = SaveDialog {
        title: "Share profiles".into(),
        file_name: "Genesys Export profiles.json".into(),
        folder: None,
        filter: profiles_filter(),
    };
    let Some(chosen) = host.choose_save_path(dialog).await else {
        return Ok(ProfilesExported {
            path: String::new(),
            count: 0,
        });
    };
    ops.blocking(move |ctx| {
        let count = ctx.store().export_profiles(ids.as_deref(), &chosen.path)?;
        Ok(ProfilesExported {
            path: chosen.path.display().to_string(),
            count,
        })
    })
    .await
}

/// `import_profiles`: add the profiles of a file the person picks.
/// Cancelling the dialog imports nothing.
pub async fn import_profiles(ops: &Ops, host: &impl Host) -> Result<ProfilesImported> {
    let dialog = OpenDialog {
        title: "Import profiles".into(),
        filter: profiles_filter(),
    };
    let Some(path) = host.choose_open_path(dialog).await else {
        return Ok(ProfilesImported {
            imported: 0,
            skipped: Vec::new(),
            imported_names: Vec::new(),
            renamed: Vec::new(),
        });
    };
    ops.blocking(move |ctx| {
        let report = ctx.store().import_profiles(&path)?;
        Ok(ProfilesImported {
            imported: report.imported,
            skipped: report.skipped,
            imported_names: report.imported_names,
            renamed: report.renamed,
        })
    })
    .await
}
