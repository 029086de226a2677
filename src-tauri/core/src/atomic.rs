//! The one way the app writes its own files: crash-safe replacement. Write a
//! temp file in the same folder, fsync it, (for settings) keep the previous
//! file as `<name>.bak`, rename the temp file over the target, fsync the
//! folder. A crash at any point leaves either the old or the new file in
//! place, never a half-written one; what a crash leaves behind is a temp file
//! [`is_temp_name`] recognises and [`remove_stray_temps`] removes. Every file
//! is private to the user (`0600`, see [`crate::private_fs`]).
//!
//! Used for settings and profiles (`profiles.json`, with a backup),
//! schedules, the OS scheduler's entries, shared profile files, the history
//! and the resume checkpoints. (An export's own file is streamed into a temp
//! file and renamed the same way: `export::output`.)
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// Write `bytes` to `target` atomically, keeping the previous version as `<target>.bak`.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    stage(target, bytes)?.commit()
}

/// Write `bytes` to `target` atomically, keeping no backup.
pub fn replace_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    stage(target, bytes)?.commit_without_backup()
}

/// How old a stray temp file must be before it is removed: a younger one may
/// be another process's write in progress (the app and the CLI share folders).
pub const STRAY_AFTER: Duration = Duration::from_secs(60);

/// Remove the temp files a crash left behind beside `target` (older than
/// [`STRAY_AFTER`]). Best effort.
pub fn remove_stray_temps(target: &Path) {
    let dir = parent_dir(target);
    crate::private_fs::remove_files_where(dir, |name, meta| {
        is_temp_name(target, name) && older_than(meta, STRAY_AFTER)
    });
}

/// Remove every temp file of ours in `dir` (for any target there) older than
/// [`STRAY_AFTER`]: for folders of many small files (the resume checkpoints).
pub fn remove_stray_temps_in(dir: &Path) {
    crate::private_fs::remove_files_where(dir, |name, meta| {
        is_any_temp_name(name) && older_than(meta, STRAY_AFTER)
    });
}

/// Last written longer than `age` ago.
pub fn older_than(meta: &fs::Metadata, age: Duration) -> bool {
    meta.modified()
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
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

/// Is `name` a temp file [`stage`] makes, for any target
/// (`.<name>.<pid>-<32 hex>.tmp` or `...-bak.tmp`)?
fn is_any_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let rest = rest.strip_suffix("-bak").unwrap_or(rest);
    let Some((_, unique)) = rest.rsplit_once('.') else {
        return false;
    };
    let Some((pid, hex)) = unique.split_once('-') else {
        return false;
    };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && hex.len() == 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
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
    pub fn commit(self) -> Result<()> {
        self.finish(true)
    }

    /// Rename the temp file over the target and fsync the folder (no backup).
    pub fn commit_without_backup(self) -> Result<()> {
        self.finish(false)
    }

    fn finish(mut self, backup: bool) -> Result<()> {
        let context = format!("Could not save {}", self.target.display());
        if backup && self.target.exists() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Both ways of writing: the new bytes in place, the old ones as `.bak`
    /// only when asked, no temp file left.
    #[test]
    fn writes_replace_the_file_with_or_without_a_backup() {
        type Write = fn(&Path, &[u8]) -> Result<()>;
        let cases: [(Write, bool, &[&str]); 4] = [
            (write_atomic, false, &["f.json"]),
            (write_atomic, true, &["f.json", "f.json.bak"]),
            (replace_atomic, false, &["f.json"]),
            (replace_atomic, true, &["f.json"]),
        ];
        for (write, existed, expected) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            let target = dir.path().join("f.json");
            if existed {
                fs::write(&target, b"old").expect("write");
            }
            write(&target, b"new").expect("written");
            assert_eq!(fs::read(&target).expect("read"), b"new");
            assert_eq!(names(dir.path()), *expected, "existed: {existed}");
            if existed && expected.len() == 2 {
                assert_eq!(fs::read(backup_path(&target)).expect("bak"), b"old");
            }
        }
    }

    #[test]
    fn temp_names_are_recognised() {
        let target = Path::new("/x/profiles.json");
        let staged = format!(
            ".profiles.json.{}-{}.tmp",
            42, "0123456789abcdef0123456789abcdef"
        );
        let staged_bak = staged.replace(".tmp", "-bak.tmp");
        let cases = [
            (staged.as_str(), true, true),
            (staged_bak.as_str(), true, true),
            (".profiles.json.1-2.tmp", true, false),
            (
                ".other.json.42-0123456789abcdef0123456789abcdef.tmp",
                false,
                true,
            ),
            (".genesys-export-run-1.tmp", false, false),
            ("profiles.json", false, false),
            (".tmp-abc", false, false),
        ];
        for (name, for_target, any) in cases {
            assert_eq!(is_temp_name(target, name), for_target, "{name}");
            assert_eq!(is_any_temp_name(name), any, "{name}");
        }
    }

    #[test]
    fn only_old_strays_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("f.json");
        let old = dir
            .path()
            .join(".f.json.7-0123456789abcdef0123456789abcdef.tmp");
        let young = dir
            .path()
            .join(".f.json.8-0123456789abcdef0123456789abcdef.tmp");
        let other = dir.path().join(".genesys-export-run.tmp");
        for p in [&old, &young, &other] {
            fs::write(p, b"x").expect("write");
        }
        let long_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(&old)
            .and_then(|f| f.set_modified(long_ago))
            .expect("age");
        remove_stray_temps(&target);
        assert!(!old.exists());
        assert!(young.exists() && other.exists());
        fs::write(&old, b"x").expect("write");
        File::options()
            .write(true)
            .open(&old)
            .and_then(|f| f.set_modified(long_ago))
            .expect("age");
        remove_stray_temps_in(dir.path());
        assert!(!old.exists());
        assert!(young.exists() && other.exists());
    }
}
