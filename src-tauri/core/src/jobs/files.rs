//! Small file helpers for the jobs' own state (history, checkpoints).
use std::path::Path;

use serde::{de::DeserializeOwned, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// Write `value` as pretty JSON to `path` atomically ([`crate::atomic`], no
/// backup), in a private folder made if missing.
pub(crate) fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::internal(format!("{} has no folder", path.display())))?;
    crate::private_fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("Cannot create {}", dir.display()), &e))?;
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::internal(format!("Cannot encode {}", path.display())).with_cause(e))?;
    crate::atomic::replace_atomic(path, &bytes)
}

/// Read JSON from `path`; `Ok(None)` when the file does not exist.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("Cannot read {}", path.display()), &e)),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("{} is damaged ({e}).", path.display()),
        )
    })
}

/// Move a damaged file aside (`name.corrupt-<unix time>`) so it is kept for support.
pub(crate) fn set_aside(path: &Path) -> Option<std::path::PathBuf> {
    let stamp = chrono::Utc::now().timestamp();
    let name = path.file_name()?.to_string_lossy().to_string();
    let aside = path.with_file_name(format!("{name}.corrupt-{stamp}"));
    std::fs::rename(path, &aside).ok()?;
    Some(aside)
}
