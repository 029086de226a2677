//! Crash-safe file replacement: write a temp file in the same folder, fsync
//! it, keep the previous file as `<name>.bak`, rename the temp file over the
//! target, fsync the folder. A crash at any point leaves either the old or the
//! new file in place, never a half-written one. Both files are private to the
//! user (`0600`, see [`crate::private_fs`]).
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Write `bytes` to `target` atomically, keeping the previous version as `<target>.bak`.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    stage(target, bytes)?.commit()
}

/// The name of the backup kept next to `target`.
pub fn backup_path(target: &Path) -> PathBuf {
    with_suffix(target, ".bak")
}

/// `target` with `suffix` added to its file name.
pub fn with_suffix(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    target.with_file_name(name)
}

/// Is `name` one of our temp files for `target` (left behind by a crash)?
pub fn is_temp_name(target: &Path, name: &str) -> bool {
    let base = target.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(&format!(".{base}.")) && name.ends_with(".tmp")
}

/// A new version written and synced to a temp file beside the target, not yet in place.
///
/// [`StagedWrite::commit`] puts it in place. Dropping it without committing
/// removes the temp file; a crash before the commit leaves the target untouched
/// (and a stray temp file that [`is_temp_name`] recognises).
#[derive(Debug)]
pub struct StagedWrite {
    target: PathBuf,
    temp: PathBuf,
    backup_temp: PathBuf,
    committed: bool,
}

/// Write `bytes` to a fresh temp file beside `target` and fsync it.
pub fn stage(target: &Path, bytes: &[u8]) -> Result<StagedWrite> {
    let dir = parent_dir(target);
    let base = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let unique = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let temp = dir.join(format!(".{base}.{unique}.tmp"));
    let staged = StagedWrite {
        target: target.to_path_buf(),
        temp: temp.clone(),
        backup_temp: dir.join(format!(".{base}.{unique}-bak.tmp")),
        committed: false,
    };
    let mut file = crate::private_fs::options()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| Error::io(format!("Could not save {}", target.display()), &e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| Error::io(format!("Could not save {}", target.display()), &e))?;
    Ok(staged)
}

impl StagedWrite {
    /// Where the new version is waiting.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Keep the current target as `.bak` (itself replaced atomically), then
    /// rename the temp file over the target and fsync the folder.
    pub fn commit(mut self) -> Result<()> {
        let context = format!("Could not save {}", self.target.display());
        if self.target.exists() {
            let backup = backup_path(&self.target);
            let backup_temp = &self.backup_temp;
            // `fs::copy` copies the permissions too: the backup is made private
            // even when the file it copies was left readable by an older version.
            let copied = fs::copy(&self.target, backup_temp)
                .and_then(|_| crate::private_fs::restrict(backup_temp))
                .and_then(|_| File::open(backup_temp)?.sync_all())
                .and_then(|_| fs::rename(backup_temp, &backup));
            if let Err(e) = copied {
                let _ = fs::remove_file(backup_temp);
                return Err(Error::io(context, &e));
            }
        }
        fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&context, &e))?;
        self.committed = true;
        sync_dir(parent_dir(&self.target));
        Ok(())
    }
}

impl Drop for StagedWrite {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Make the rename durable (Unix; a no-op elsewhere).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
