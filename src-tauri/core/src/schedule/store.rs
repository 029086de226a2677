//! [`ScheduleStore`]: the saved schedules in `schedules.json` in the config
//! folder, beside `profiles.json`:
//!
//! ```json
//! { "version": 1, "schedules": [Schedule...] }
//! ```
//!
//! The app, `schedule add` and every scheduled run (a separate process each)
//! change this file, so each change is a read-modify-write under an OS file
//! lock (`schedules.json.lock`), written atomically with the previous good
//! copy kept ([`crate::atomic`]) and readable
//! by the user only.
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::Schedule;
use crate::atomic;
use crate::error::{Error, ErrorKind, Result};

/// The file name inside the config folder.
pub const FILE_NAME: &str = "schedules.json";
/// The format version this build writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Document {
    version: u32,
    #[serde(default)]
    schedules: Vec<Schedule>,
}

/// The schedules file of one config folder.
#[derive(Debug, Clone)]
pub struct ScheduleStore {
    path: PathBuf,
}

/// Held while a change is made; the OS releases it if the process dies.
struct Locked {
    file: File,
}

impl Drop for Locked {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl ScheduleStore {
    /// The schedules saved in `config_dir` (the file need not exist yet).
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All schedules, in the order they were made.
    pub fn list(&self) -> Result<Vec<Schedule>> {
        Ok(self.read()?.schedules)
    }

    /// A schedule by its id, or by the start of its id when that is unique
    /// (at least 4 characters, as `schedule list` shows them).
    pub fn find(&self, id: &str) -> Result<Schedule> {
        let all = self.list()?;
        find_in(&all, id).cloned()
    }

    /// The schedules of one profile.
    pub fn for_profile(&self, profile_id: Uuid) -> Result<Vec<Schedule>> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|s| s.profile_id == profile_id)
            .collect())
    }

    /// Add or replace (by id) a schedule.
    pub fn save(&self, schedule: &Schedule) -> Result<()> {
        self.change(|list| {
            match list.iter_mut().find(|s| s.id == schedule.id) {
                Some(slot) => *slot = schedule.clone(),
                None => list.push(schedule.clone()),
            }
            Ok(())
        })
    }

    /// Remove a schedule; `false` when it was not there.
    pub fn remove(&self, id: Uuid) -> Result<bool> {
        self.change(|list| {
            let before = list.len();
            list.retain(|s| s.id != id);
            Ok(list.len() != before)
        })
    }

    /// Change one schedule in place (a run recording its start or end).
    /// `Ok(false)` when the schedule no longer exists.
    pub fn update(&self, id: Uuid, edit: impl FnOnce(&mut Schedule)) -> Result<bool> {
        self.change(|list| match list.iter_mut().find(|s| s.id == id) {
            Some(s) => {
                edit(s);
                Ok(true)
            }
            None => Ok(false),
        })
    }

    /// Read-modify-write under the lock. Nothing is written when `edit` fails.
    fn change<T>(&self, edit: impl FnOnce(&mut Vec<Schedule>) -> Result<T>) -> Result<T> {
        let _lock = self.lock()?;
        let mut doc = self.read()?;
        let out = edit(&mut doc.schedules)?;
        doc.version = VERSION;
        let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| {
            Error::internal(format!("Could not prepare the schedules for saving: {e}"))
        })?;
        bytes.push(b'\n');
        // Created 0600 (crate::private_fs), the previous copy kept as .bak.
        atomic::write_atomic(&self.path, &bytes)?;
        Ok(out)
    }

    fn lock(&self) -> Result<Locked> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::private_fs::create_dir_all(dir).map_err(|e| {
            Error::io(
                format!("Could not create the settings folder {}", dir.display()),
                &e,
            )
        })?;
        let lock_path = atomic::with_suffix(&self.path, ".lock");
        let file = crate::private_fs::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(format!("Could not open {}", lock_path.display()), &e))?;
        file.lock()
            .map_err(|e| Error::io(format!("Could not lock {}", lock_path.display()), &e))?;
        Ok(Locked { file })
    }

    fn read(&self) -> Result<Document> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Document {
                    version: VERSION,
                    schedules: Vec::new(),
                })
            }
            Err(e) => {
                return Err(Error::io(
                    format!("Could not read {}", self.path.display()),
                    &e,
                ))
            }
        };
        let damaged = |why: String| {
            Error::new(
                ErrorKind::Storage,
                format!(
                    "The saved schedules ({}) cannot be read: {why}. Nothing was changed; move the file away to start without schedules.",
                    self.path.display()
                ),
            )
        };
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| damaged(format!("it is not valid JSON ({e})")))?;
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v > u64::from(VERSION) => Err(Error::new(
                ErrorKind::Storage,
                format!(
                    "The saved schedules ({}) were written by a newer version of Genesys Export (format {v}). Update the app to use them.",
                    self.path.display()
                ),
            )),
            Some(_) => serde_json::from_value(value).map_err(|e| damaged(format!("it has unexpected content ({e})"))),
            None => Err(damaged("it has no format version".to_string())),
        }
    }
}

/// A schedule by id or unique id prefix (see [`ScheduleStore::find`]).
pub fn find_in<'a>(all: &'a [Schedule], id: &str) -> Result<&'a Schedule> {
    let wanted = id.trim().to_ascii_lowercase();
    let not_found = || {
        Error::invalid(
            "schedule",
            format!(
                "There is no schedule \"{}\". `schedule list` shows the saved ones.",
                id.trim()
            ),
        )
    };
    if wanted.len() < 4 {
        return Err(not_found());
    }
    if let Some(exact) = all.iter().find(|s| s.id.to_string() == wanted) {
        return Ok(exact);
    }
    let matches: Vec<&Schedule> = all
        .iter()
        .filter(|s| {
            s.id.to_string().starts_with(&wanted) || s.id.simple().to_string().starts_with(&wanted)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(not_found()),
        _ => Err(Error::invalid(
            "schedule",
            format!(
                "\"{}\" matches several schedules; give more of the id.",
                id.trim()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::model::{Every, TimeOfDay};

    fn schedule(id: u128) -> Schedule {
        Schedule {
            id: Uuid::from_u128(id),
            profile_id: Uuid::from_u128(99),
            every: Every::Day,
            at: TimeOfDay::new(7, 0).unwrap(),
            time_zone: "UTC".into(),
            folder: "/tmp".into(),
            created_at: chrono::Utc::now(),
            last_run: None,
        }
    }

    #[test]
    fn saves_privately_finds_by_prefix_and_refuses_damaged_or_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = ScheduleStore::new(dir.path());
        assert!(store.list().unwrap().is_empty());
        store
            .save(&schedule(0x1111_0000_0000_0000_0000_0000_0000_0001))
            .unwrap();
        store
            .save(&schedule(0x2222_0000_0000_0000_0000_0000_0000_0002))
            .unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
        assert_eq!(store.find("2222").unwrap().id.as_u128() >> 112, 0x2222);
        assert!(store
            .find("22")
            .unwrap_err()
            .message
            .contains("no schedule"));
        assert_eq!(
            store.find("3333").unwrap_err().field.as_deref(),
            Some("schedule")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(
            text.contains("\"version\": 1")
                && text.contains("\"every\": \"day\"")
                && text.contains("\"at\": \"07:00\""),
            "{text}"
        );
        assert!(store
            .remove(Uuid::from_u128(0x1111_0000_0000_0000_0000_0000_0000_0001))
            .unwrap());
        assert_eq!(store.list().unwrap().len(), 1);

        std::fs::write(store.path(), b"{ not json").unwrap();
        let err = store.save(&schedule(3)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Storage);
        assert_eq!(
            std::fs::read(store.path()).unwrap(),
            b"{ not json",
            "a damaged file is never overwritten"
        );
        std::fs::write(store.path(), br#"{"version": 9, "schedules": []}"#).unwrap();
        assert!(store.list().unwrap_err().message.contains("newer version"));
    }

    #[test]
    fn concurrent_changes_from_many_threads_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let handles: Vec<_> = (0..8u128)
            .map(|i| {
                let store = ScheduleStore::new(dir.path());
                std::thread::spawn(move || store.save(&schedule(1000 + i)).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(ScheduleStore::new(dir.path()).list().unwrap().len(), 8);
    }
}
