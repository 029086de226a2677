//! Small file helpers for the jobs' own state (history, checkpoints).
use std::io::Write;
use std::path::Path;

use serde::{de::DeserializeOwned, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// Write `value` as pretty JSON to `path` atomically: a temp file in the same
/// folder, flushed to disk, then renamed over the old file.
pub(crate) fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::internal(format!("{} has no folder", path.display())))?;
    // The file itself is private: tempfile creates it 0600.
    crate::private_fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("Cannot create {}", dir.display()), &e))?;
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::internal(format!("Cannot encode {}: {e}", path.display())))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("Cannot write in {}", dir.display()), &e))?;
    tmp.write_all(&bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("Cannot write {}", path.display()), &e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("Cannot save {}", path.display()), &e.error))?;
    Ok(())
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
