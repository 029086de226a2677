//! [`Store`]: the saved connections, profiles and settings in `profiles.json`.
//!
//! Every change is validated, written atomically (the previous good copy kept
//! as `profiles.json.bak`) and only then applied in memory, so a failed save
//! changes nothing.
//!
//! The app and the CLI share the file: each change takes an OS file lock
//! (`profiles.json.lock`, see [`super::lockfile`]), re-reads the file, applies
//! the change to what it read and writes it, so neither undoes the other's
//! change; [`Store::refresh`] picks up another process's change for reading.
//! Keychain calls are never made while the file lock is held.
use std::path::{Path, PathBuf};

use chrono::Utc;
use uuid::Uuid;

use super::file::{self, Document, ReadOutcome, CURRENT_VERSION};
use super::lockfile::{lock_for_change, FileStamp, LOCK_WAIT};
use super::model::{
    Connection, DateRange, ImportReport, NoticeKind, QueryProfile, RelativePreset, Settings,
    StartupNotice, DEFAULT_FILE_NAME_TEMPLATE,
};
use super::validate::{
    check_connection, check_profile, check_secret_still_applies, check_settings, is_network_path,
};
use crate::atomic::{self, backup_path, write_atomic};
use crate::error::{Error, ErrorKind, Result};
use crate::export::{ExportOptions, Format};
use crate::genesys::{Filters, Strategy};
use crate::secrets::{Secret, SecretStore};

/// The file name inside the config dir.
pub const FILE_NAME: &str = "profiles.json";

/// `kind` written in shared profile files, checked on import.
pub const SHARED_FILE_KIND: &str = "genesys-export-profiles";
/// Format version of shared profile files.
pub const SHARED_FILE_VERSION: u64 = 1;
/// Name of the demo connection.
pub const DEMO_CONNECTION_NAME: &str = "Demo (simulated org)";

/// The saved connections, query profiles and settings.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    doc: Document,
    /// Set when the file could not be read or set aside: saving would risk
    /// overwriting something we could not read, so every change is refused with this message.
    read_only: Option<String>,
    /// The file as last read or written (to notice another process's change).
    stamp: Option<FileStamp>,
}

/// A connection change checked by [`Store::prepare_connection`], waiting for
/// its secret to be written to the keychain (outside any lock) before
/// [`Store::finish_connection`] saves it.
#[derive(Debug)]
pub struct ConnectionSave {
    checked: Connection,
    is_new: bool,
    secret_given: bool,
}

impl ConnectionSave {
    /// The keychain account of the connection (its id).
    pub fn account(&self) -> String {
        self.checked.id.to_string()
    }

    /// After a failed [`Store::finish_connection`]: remove the secret just
    /// saved for a new connection, so it is not orphaned.
    pub fn undo_secret(&self, secrets: &dyn SecretStore) {
        if self.is_new && self.secret_given {
            let _ = secrets.delete(&self.account());
        }
    }
}

impl Store {
    /// Open (or start) `profiles.json` in `config_dir`. Never fails: a corrupt
    /// file or one from a newer version is moved aside
    /// (`profiles.json.corrupt-<time>` / `.newer-<time>`), the previous good
    /// copy (`.bak`) is used when there is one, and each such event is reported
    /// in the notices. If the file exists but cannot be read, the store starts
    /// empty and refuses changes (see [`Store::read_only_reason`]).
    pub fn open(config_dir: impl AsRef<Path>) -> (Store, Vec<StartupNotice>) {
        let dir = config_dir.as_ref();
        let path = dir.join(FILE_NAME);
        let mut notices = Vec::new();
        let mut store = Store {
            path: path.clone(),
            doc: Document::default(),
            read_only: None,
            stamp: None,
        };
        if let Err(e) = crate::private_fs::create_dir_all(dir) {
            store.read_only = Some(format!(
                "The settings folder {} could not be created ({e}); changes cannot be saved.",
                dir.display()
            ));
            notices.push(notice(
                NoticeKind::Unavailable,
                store.read_only.clone().unwrap_or_default(),
                Some(dir.to_path_buf()),
            ));
            return (store, notices);
        }
        crate::atomic::remove_stray_temps(&path);

        let mut needs_write = false;
        let main = file::read(&path);
        let from_main = match main {
            ReadOutcome::Good { doc, migrated_from } => {
                if let Some(old) = migrated_from {
                    notices.push(notice(
                        NoticeKind::Migrated,
                        format!("Your saved profiles were upgraded from format {old} to format {CURRENT_VERSION}. The old file is kept as {FILE_NAME}.bak."),
                        Some(backup_path(&path)),
                    ));
                    needs_write = true;
                }
                Some(doc)
            }
            ReadOutcome::Missing => None,
            ReadOutcome::Unreadable(e) => {
                let msg = format!(
                    "Your saved profiles ({}) could not be read: {e}. The app started without them, and changes will not be saved until the file can be read.",
                    path.display()
                );
                store.read_only = Some(msg.clone());
                notices.push(notice(NoticeKind::Unavailable, msg, Some(path.clone())));
                return (store, notices);
            }
            bad @ (ReadOutcome::Corrupt(_) | ReadOutcome::Newer(_)) => {
                match set_aside(&path, &bad) {
                    Ok(n) => notices.push(n),
                    Err(msg) => {
                        store.read_only = Some(msg.clone());
                        notices.push(notice(NoticeKind::Unavailable, msg, Some(path.clone())));
                        return (store, notices);
                    }
                }
                None
            }
        };

        let doc = match from_main {
            Some(doc) => doc,
            None => {
                let bak = backup_path(&path);
                match file::read(&bak) {
                    ReadOutcome::Good { doc, migrated_from } => {
                        let modified = std::fs::metadata(&bak)
                            .and_then(|m| m.modified())
                            .ok()
                            .map(|t| {
                                chrono::DateTime::<Utc>::from(t)
                                    .format(" from %Y-%m-%d %H:%M UTC")
                                    .to_string()
                            })
                            .unwrap_or_default();
                        let upgraded = if migrated_from.is_some() {
                            " (and upgraded to the current format)"
                        } else {
                            ""
                        };
                        notices.push(notice(
                            NoticeKind::RestoredFromBackup,
                            format!("Your saved profiles were restored from the previous good copy{modified}{upgraded}. Changes made after that copy are lost."),
                            Some(bak.clone()),
                        ));
                        needs_write = true;
                        doc
                    }
                    ReadOutcome::Missing | ReadOutcome::Unreadable(_) => Document::default(),
                    bad @ (ReadOutcome::Corrupt(_) | ReadOutcome::Newer(_)) => {
                        // Keep a bad backup too, so the next save cannot replace it.
                        if let Ok(n) = set_aside(&bak, &bad) {
                            notices.push(n);
                        }
                        Document::default()
                    }
                }
            }
        };
        store.doc = doc;
        if !notices.is_empty() && store.doc.connections.is_empty() && store.doc.profiles.is_empty()
        {
            if let Some(last) = notices.last_mut() {
                if matches!(
                    last.kind,
                    NoticeKind::CorruptSetAside | NoticeKind::NewerSetAside
                ) {
                    last.message
                        .push_str(" The app started with no saved connections or profiles.");
                }
            }
        }
        if needs_write {
            let written = lock_for_change(&path, LOCK_WAIT)
                .and_then(|_lock| store.persist(&store.doc.clone()));
            if let Err(e) = written {
                notices.push(notice(
                    NoticeKind::Unavailable,
                    format!(
                        "Your saved profiles could not be written back: {}",
                        e.message
                    ),
                    Some(path),
                ));
            }
        }
        store.stamp = FileStamp::of(&store.path);
        (store, notices)
    }

    /// Re-read the file if another process (the CLI, another window) changed
    /// it since this store last read or wrote it. A file that cannot be read
    /// now is left alone (the next change reports it).
    pub fn refresh(&mut self) {
        if self.read_only.is_some() {
            return;
        }
        let now = FileStamp::of(&self.path);
        if now.is_none() || now == self.stamp {
            return;
        }
        if let ReadOutcome::Good { doc, .. } = file::read(&self.path) {
            self.doc = doc;
            self.stamp = now;
        }
    }

    /// Path of `profiles.json`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why changes are refused, when the file could not be read or set aside at startup.
    pub fn read_only_reason(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    // ----- connections -------------------------------------------------

    pub fn connections(&self) -> &[Connection] {
        &self.doc.connections
    }

    pub fn connection(&self, id: Uuid) -> Option<&Connection> {
        self.doc.connections.iter().find(|c| c.id == id)
    }

    /// A connection by id, or a `not_found` error with a plain message.
    pub fn require_connection(&self, id: Uuid) -> Result<&Connection> {
        self.connection(id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "That connection no longer exists. Choose another one.",
            )
        })
    }

    /// Add or update a connection (by id). `is_demo` from the input is ignored
    /// (only [`Store::ensure_demo`] makes the demo connection). `secret`, when given, is saved in
    /// `secrets` under the connection id; when omitted on an update the saved
    /// secret is kept (renaming keeps it) unless the login server or client id
    /// changed (then the secret must be entered again, see
    /// [`check_secret_still_applies`]). A new non-demo connection needs a
    /// secret. The secret is written to the keychain before the file; if the
    /// file cannot be written, a new connection's secret is removed again.
    ///
    /// The app runs the same three steps without holding its lock on the
    /// store during the keychain call (`jobs::Context::save_connection`).
    pub fn save_connection(
        &mut self,
        conn: Connection,
        secret: Option<&Secret>,
        secrets: &dyn SecretStore,
    ) -> Result<Connection> {
        let plan = self.prepare_connection(conn, secret)?;
        if let Some(s) = secret {
            secrets.set(&plan.account(), s)?;
        }
        self.finish_connection(&plan)
            .inspect_err(|_| plan.undo_secret(secrets))
    }

    /// Check a connection change (against the file as it is now) before its
    /// secret goes to the keychain.
    pub fn prepare_connection(
        &mut self,
        conn: Connection,
        secret: Option<&Secret>,
    ) -> Result<ConnectionSave> {
        self.check_writable()?;
        self.refresh();
        if secret.is_some_and(|s| s.is_blank()) {
            return Err(Error::invalid("secret", "Enter the client secret."));
        }
        let (checked, is_new) = check_connection_change(&self.doc, &conn, secret.is_some())?;
        Ok(ConnectionSave {
            checked,
            is_new,
            secret_given: secret.is_some(),
        })
    }

    /// Save a change checked by [`Store::prepare_connection`] (checked again
    /// against the file as it is now, under the file lock).
    pub fn finish_connection(&mut self, plan: &ConnectionSave) -> Result<Connection> {
        self.modify(|doc| {
            let (checked, _) = check_connection_change(doc, &plan.checked, plan.secret_given)?;
            match doc.connections.iter_mut().find(|c| c.id == checked.id) {
                Some(existing) => *existing = checked.clone(),
                None => doc.connections.push(checked.clone()),
            }
            Ok(checked)
        })
    }

    /// Delete a connection and its keychain entry. Refused while profiles use
    /// it (their names are listed). The keychain entry is removed first; if
    /// the keychain cannot be reached the connection is kept, so the secret is
    /// never orphaned. Demo connections have no keychain entry.
    pub fn delete_connection(&mut self, id: Uuid, secrets: &dyn SecretStore) -> Result<()> {
        let conn = self.prepare_delete_connection(id)?;
        if !conn.is_demo {
            secrets.delete(&id.to_string())?;
        }
        self.finish_delete_connection(id)
    }

    /// Check that a connection may be deleted (no profile uses it); returns it.
    pub fn prepare_delete_connection(&mut self, id: Uuid) -> Result<Connection> {
        self.check_writable()?;
        self.refresh();
        check_connection_unused(&self.doc, id)
    }

    /// Remove a connection after its keychain entry is gone.
    pub fn finish_delete_connection(&mut self, id: Uuid) -> Result<()> {
        self.modify(|doc| {
            check_connection_unused(doc, id)?;
            doc.connections.retain(|c| c.id != id);
            Ok(())
        })
    }

    // ----- profiles ----------------------------------------------------

    pub fn profiles(&self) -> &[QueryProfile] {
        &self.doc.profiles
    }

    pub fn profile(&self, id: Uuid) -> Option<&QueryProfile> {
        self.doc.profiles.iter().find(|p| p.id == id)
    }

    /// A profile by id, or a `not_found` error with a plain message.
    pub fn require_profile(&self, id: Uuid) -> Result<&QueryProfile> {
        self.profile(id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "That profile no longer exists. Choose another one.",
            )
        })
    }

    /// A new, unsaved profile with the defaults from the settings (system
    /// time zone, CSV options) for `connection_id`.
    pub fn new_profile(&self, connection_id: Uuid) -> QueryProfile {
        new_profile_with(&self.doc.settings, connection_id)
    }

    /// Add or update a profile (by id) after validation.
    pub fn save_profile(&mut self, profile: QueryProfile) -> Result<QueryProfile> {
        self.modify(|doc| {
            let checked = check_profile(&profile, &doc.profiles, &doc.connections)?;
            match doc.profiles.iter_mut().find(|p| p.id == checked.id) {
                Some(existing) => *existing = checked.clone(),
                None => doc.profiles.push(checked.clone()),
            }
            Ok(checked)
        })
    }

    pub fn delete_profile(&mut self, id: Uuid) -> Result<()> {
        self.modify(|doc| {
            if !doc.profiles.iter().any(|p| p.id == id) {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    "That profile no longer exists. Choose another one.",
                ));
            }
            doc.profiles.retain(|p| p.id != id);
            Ok(())
        })?;
        // Its schedules and their OS entries go with it.
        if let Some(dir) = self.path.parent() {
            crate::schedule::profile_deleted(dir, id);
        }
        Ok(())
    }

    // ----- settings ----------------------------------------------------

    pub fn settings(&self) -> &Settings {
        &self.doc.settings
    }

    pub fn save_settings(&mut self, settings: Settings) -> Result<Settings> {
        let checked = check_settings(&settings)?;
        self.modify(|doc| {
            doc.settings = checked.clone();
            Ok(checked)
        })
    }

    /// Remember the folder of the last export (the other settings as they are in the file).
    pub fn set_last_used_folder(&mut self, folder: &Path) -> Result<()> {
        self.modify(|doc| {
            doc.settings.last_used_folder = Some(folder.to_path_buf());
            Ok(())
        })
    }

    /// The folder a save dialog should open in for `profile`: the profile's
    /// folder, else the last used one, else the default one. A saved network
    /// folder (kept from before they were refused, e.g. from an import) is
    /// skipped: it is never opened without the user choosing it.
    pub fn folder_for(&self, profile: &QueryProfile) -> Option<PathBuf> {
        let saved = |f: &Option<PathBuf>| f.clone().filter(|f| !is_network_path(f));
        saved(&profile.default_folder)
            .or_else(|| self.doc.settings.last_used_folder.clone())
            .or_else(|| saved(&self.doc.settings.default_folder))
    }

    // ----- demo --------------------------------------------------------

    /// Create or refresh the demo connection (pointing at the emulator's
    /// `base_url`) and its two example profiles (created when missing).
    /// Needs no keychain.
    pub fn ensure_demo(&mut self, base_url: &str) -> Result<(Connection, Vec<QueryProfile>)> {
        let conn = self.modify(|next| ensure_demo_in(next, base_url))?;
        let profiles = self
            .doc
            .profiles
            .iter()
            .filter(|p| p.connection_id == conn.id)
            .cloned()
            .collect();
        Ok((conn, profiles))
    }

    // ----- sharing -----------------------------------------------------

    /// Write the profiles with the given ids (all when `None`) to `path` for
    /// sharing. The file holds no secrets and no connection details: each
    /// profile names its connection (`connectionName`); ids and personal
    /// folders are left out. Returns how many profiles were written.
    pub fn export_profiles(&self, ids: Option<&[Uuid]>, path: &Path) -> Result<usize> {
        let mut out = Vec::new();
        for p in &self.doc.profiles {
            if ids.is_some_and(|ids| !ids.contains(&p.id)) {
                continue;
            }
            let mut value = serde_json::to_value(p)
                .map_err(|e| Error::internal(format!("Could not write the profile: {e}")))?;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("id");
                obj.remove("connectionId");
                obj.remove("folder");
                let conn_name = self
                    .connection(p.connection_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                obj.insert("connectionName".into(), conn_name.into());
            }
            out.push(value);
        }
        if let Some(ids) = ids {
            if let Some(missing) = ids.iter().find(|id| self.profile(**id).is_none()) {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    format!("A profile to export no longer exists (id {missing})."),
                ));
            }
        }
        let count = out.len();
        let doc = serde_json::json!({
            "kind": SHARED_FILE_KIND,
            "version": SHARED_FILE_VERSION,
            "exportedAt": Utc::now().to_rfc3339(),
            "profiles": out,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc)
            .map_err(|e| Error::internal(format!("Could not write the profiles: {e}")))?;
        bytes.push(b'\n');
        write_atomic(path, &bytes)?;
        // A shared file needs no backup of what it replaced.
        let _ = std::fs::remove_file(backup_path(path));
        Ok(count)
    }

    /// Add the profiles from a file made by [`Store::export_profiles`].
    /// Each is linked to the saved connection with the same name
    /// (case-insensitive); profiles whose connection is not found, or that
    /// are not valid, are skipped with a reason. A name already in use gets
    /// " (imported)" added. Imported profiles get new ids.
    pub fn import_profiles(&mut self, path: &Path) -> Result<ImportReport> {
        self.check_writable()?;
        let not_profiles = |why: &str| {
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} is not a Genesys Export profiles file: {why}.",
                    path.display()
                ),
            )
        };
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::io(format!("Could not read {}", path.display()), &e))?;
        if meta.len() > 10 * 1024 * 1024 {
            return Err(not_profiles("it is larger than 10 MB"));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Error::io(format!("Could not read {}", path.display()), &e))?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| not_profiles("it is not valid JSON"))?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(SHARED_FILE_KIND) {
            return Err(not_profiles("it does not say it holds profiles"));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v <= SHARED_FILE_VERSION => {}
            Some(v) => {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!("{} was made by a newer version of Genesys Export (shared format {v}). Update the app to import it.", path.display()),
                ))
            }
            None => return Err(not_profiles("it has no format version")),
        }
        let Some(items) = value.get("profiles").and_then(|p| p.as_array()) else {
            return Err(not_profiles("it has no list of profiles"));
        };

        self.modify_if_changed(|next| Ok(import_items(next, items)))
    }

    // ----- writing -----------------------------------------------------

    /// Apply one change to the file as it is now: take the file lock,
    /// re-read the file (another process may have changed it), apply
    /// `change` to a copy, write it, and only then keep it in memory.
    /// Nothing is written when `change` fails.
    fn modify<T>(&mut self, change: impl FnOnce(&mut Document) -> Result<T>) -> Result<T> {
        self.change_file(true, change)
    }

    /// [`Store::modify`], writing only when `change` changed something.
    fn modify_if_changed<T>(
        &mut self,
        change: impl FnOnce(&mut Document) -> Result<T>,
    ) -> Result<T> {
        self.change_file(false, change)
    }

    fn change_file<T>(
        &mut self,
        always: bool,
        change: impl FnOnce(&mut Document) -> Result<T>,
    ) -> Result<T> {
        self.check_writable()?;
        let _lock = lock_for_change(&self.path, LOCK_WAIT)?;
        self.reload_for_change()?;
        let mut next = self.doc.clone();
        let out = change(&mut next)?;
        if always || next != self.doc {
            self.persist(&next)?;
            self.doc = next;
        }
        self.stamp = FileStamp::of(&self.path);
        Ok(out)
    }

    /// Under the file lock: take the file as it is now as the base of a change.
    fn reload_for_change(&mut self) -> Result<()> {
        let changed = |why: String| {
            Error::new(
                ErrorKind::Storage,
                format!(
                    "Your saved profiles ({}) were changed by another program and cannot be read now: {why}. Nothing was saved; restart Genesys Export to recover them.",
                    self.path.display()
                ),
            )
        };
        match file::read(&self.path) {
            ReadOutcome::Good { doc, .. } => {
                self.doc = doc;
                Ok(())
            }
            // Removed meanwhile: this change writes what this store has.
            ReadOutcome::Missing => Ok(()),
            ReadOutcome::Corrupt(why) => Err(changed(why)),
            ReadOutcome::Newer(v) => Err(changed(format!(
                "a newer version of Genesys Export saved them (format {v})"
            ))),
            ReadOutcome::Unreadable(e) => Err(changed(e.to_string())),
        }
    }

    fn check_writable(&self) -> Result<()> {
        match &self.read_only {
            Some(msg) => Err(Error::new(ErrorKind::Storage, msg.clone())),
            None => Ok(()),
        }
    }

    fn persist(&self, doc: &Document) -> Result<()> {
        self.check_writable()?;
        write_atomic(&self.path, &file::to_bytes(doc)?)
    }
}

/// A new, unsaved profile with the defaults from `s` for `connection_id`.
fn new_profile_with(s: &Settings, connection_id: Uuid) -> QueryProfile {
    QueryProfile {
        id: Uuid::new_v4(),
        name: String::new(),
        connection_id,
        range: DateRange::default(),
        time_zone: s.time_zone.clone(),
        filters: Filters::default(),
        export: ExportOptions {
            time_zone: s.time_zone.clone(),
            csv_delimiter: s.csv_delimiter,
            csv_bom: s.csv_bom,
            ..ExportOptions::default()
        },
        strategy: Strategy::Auto,
        default_folder: None,
        file_name_template: DEFAULT_FILE_NAME_TEMPLATE.to_string(),
    }
}

/// Create or refresh the demo connection and its example profiles in `next`.
fn ensure_demo_in(next: &mut Document, base_url: &str) -> Result<Connection> {
    let existing = next.connections.iter().find(|c| c.is_demo).cloned();
    let conn = Connection {
        id: existing.as_ref().map_or_else(Uuid::new_v4, |c| c.id),
        name: existing
            .as_ref()
            .map_or_else(|| DEMO_CONNECTION_NAME.to_string(), |c| c.name.clone()),
        environment: base_url.to_string(),
        client_id: "demo-client".to_string(),
        is_demo: true,
    };
    let conn = check_connection(&conn, &next.connections)?;
    match next.connections.iter_mut().find(|c| c.id == conn.id) {
        Some(c) => *c = conn.clone(),
        None => next.connections.push(conn.clone()),
    }
    let examples = [
        (
            "Demo: voice, last week",
            RelativePreset::LastWeek,
            vec!["voice"],
            Format::Xlsx,
        ),
        (
            "Demo: all media, yesterday",
            RelativePreset::Yesterday,
            vec![],
            Format::Csv,
        ),
    ];
    for (name, preset, media, format) in examples {
        if next
            .profiles
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let mut p = new_profile_with(&next.settings, conn.id);
        p.name = name.to_string();
        p.range = DateRange::Preset { preset };
        p.filters.media_types = media.into_iter().map(String::from).collect();
        p.export.format = format;
        let p = check_profile(&p, &next.profiles, &next.connections)?;
        next.profiles.push(p);
    }
    Ok(conn)
}

/// Add the shared profiles `items` to `next`; see [`Store::import_profiles`].
fn import_items(next: &mut Document, items: &[serde_json::Value]) -> ImportReport {
    let mut report = ImportReport::default();
    for (index, item) in items.iter().enumerate() {
        let label = item
            .get("name")
            .and_then(|n| n.as_str())
            .map_or_else(|| format!("Profile {}", index + 1), |n| format!("\"{n}\""));
        let conn_name = item
            .get("connectionName")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .trim();
        let Some(conn) = next
            .connections
            .iter()
            .find(|c| !conn_name.is_empty() && c.name.trim().eq_ignore_ascii_case(conn_name))
        else {
            report.skipped.push(if conn_name.is_empty() {
                    format!("{label}: it does not name a connection.")
                } else {
                    format!("{label}: there is no saved connection called \"{conn_name}\". Add it (same name) and import again.")
                });
            continue;
        };
        let mut obj = item.clone();
        if let Some(o) = obj.as_object_mut() {
            o.remove("id");
            o.remove("connectionName");
            // A shared file never chooses where files go (nor makes the
            // app touch a network folder): the importer's own folder applies.
            o.remove("folder");
            o.insert("connectionId".into(), conn.id.to_string().into());
        }
        let mut profile: QueryProfile = match serde_json::from_value(obj) {
            Ok(p) => p,
            Err(e) => {
                report
                    .skipped
                    .push(format!("{label}: it could not be read ({e})."));
                continue;
            }
        };
        profile.id = Uuid::new_v4();
        let original = profile.name.trim().to_string();
        profile.name = unique_name(&original, &next.profiles);
        match check_profile(&profile, &next.profiles, &next.connections) {
            Ok(p) => {
                if p.name != original {
                    report
                        .renamed
                        .push(format!("\"{original}\" was imported as \"{}\".", p.name));
                }
                report.imported += 1;
                report.imported_names.push(p.name.clone());
                next.profiles.push(p);
            }
            Err(e) => report.skipped.push(format!("{label}: {}", e.message)),
        }
    }
    report
}

/// A connection change checked against `doc`: validated fields, the demo
/// flag kept, a secret required for a new connection and for a new login
/// server or client id. Returns the connection as it will be saved and
/// whether it is new.
fn check_connection_change(
    doc: &Document,
    conn: &Connection,
    secret_given: bool,
) -> Result<(Connection, bool)> {
    let mut checked = check_connection(conn, &doc.connections)?;
    let previous = doc.connections.iter().find(|c| c.id == checked.id);
    // Only `ensure_demo` makes demo connections; an update keeps the flag.
    checked.is_demo = previous.is_some_and(|c| c.is_demo);
    match previous {
        None if !secret_given => Err(Error::invalid(
            "secret",
            "Enter the client secret of the OAuth client.",
        )),
        Some(previous) if !secret_given => {
            check_secret_still_applies(previous, &checked)?;
            Ok((checked, false))
        }
        previous => Ok((checked, previous.is_none())),
    }
}

/// The connection `id`, if no profile uses it.
fn check_connection_unused(doc: &Document, id: Uuid) -> Result<Connection> {
    let conn = doc.connections.iter().find(|c| c.id == id).ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            "That connection no longer exists. Choose another one.",
        )
    })?;
    let users: Vec<&str> = doc
        .profiles
        .iter()
        .filter(|p| p.connection_id == id)
        .map(|p| p.name.as_str())
        .collect();
    if !users.is_empty() {
        return Err(Error::invalid(
            "connectionId",
            format!(
                "\"{}\" is used by {} profile{} ({}). Delete those profiles or move them to another connection first.",
                conn.name,
                users.len(),
                if users.len() == 1 { "" } else { "s" },
                users.join(", ")
            ),
        ));
    }
    Ok(conn.clone())
}

fn notice(kind: NoticeKind, message: String, path: Option<PathBuf>) -> StartupNotice {
    StartupNotice {
        kind,
        message,
        path,
    }
}

/// `name`, or `name (imported)`, `name (imported 2)`... whichever is free.
fn unique_name(name: &str, existing: &[QueryProfile]) -> String {
    let taken = |n: &str| {
        existing
            .iter()
            .any(|p| p.name.trim().eq_ignore_ascii_case(n))
    };
    if !taken(name) || name.is_empty() {
        return name.to_string();
    }
    let mut candidate = format!("{name} (imported)");
    let mut i = 2;
    while taken(&candidate) {
        candidate = format!("{name} (imported {i})");
        i += 1;
    }
    candidate
}

/// Move a bad file to `<name>.corrupt-<time>` / `<name>.newer-<time>` and say so.
/// `Err` (with a message) when it could not be moved: then nothing may be written.
fn set_aside(path: &Path, outcome: &ReadOutcome) -> Result<StartupNotice, String> {
    let (tag, kind) = match outcome {
        ReadOutcome::Newer(_) => ("newer", NoticeKind::NewerSetAside),
        _ => ("corrupt", NoticeKind::CorruptSetAside),
    };
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut aside = atomic::with_suffix(path, &format!(".{tag}-{stamp}"));
    let mut n = 2;
    while aside.exists() {
        aside = atomic::with_suffix(path, &format!(".{tag}-{stamp}-{n}"));
        n += 1;
    }
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let aside_name = aside.file_name().unwrap_or_default().to_string_lossy();
    if let Err(e) = std::fs::rename(path, &aside) {
        return Err(format!(
            "Your saved profiles file {} could not be read and could not be set aside ({e}). The app started without it; changes will not be saved until it is moved or fixed.",
            path.display()
        ));
    }
    let message = match outcome {
        ReadOutcome::Newer(v) => format!(
            "{file_name} was saved by a newer version of Genesys Export (format {v}; this version reads up to format {CURRENT_VERSION}). It was set aside as {aside_name} so nothing is lost; install the newer version to use it again."
        ),
        ReadOutcome::Corrupt(why) => format!(
            "{file_name} could not be read because {why}. It was set aside as {aside_name} so nothing is lost."
        ),
        _ => format!("{file_name} was set aside as {aside_name}."),
    };
    Ok(notice(kind, message, Some(aside)))
}
