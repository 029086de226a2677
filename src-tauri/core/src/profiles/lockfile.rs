//! An OS file lock beside a file that several processes change (the app and
//! the CLI share `profiles.json` and `history.json`): each change takes the
//! lock, re-reads the file, changes it and writes it, so neither undoes the
//! other's change. The lock is `<name>.lock` next to the file; it goes away
//! with the process (the OS drops it), so a crash never leaves it held.
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};

/// How long a change waits for another process's change (which takes
/// milliseconds) before giving up with a plain message.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Held while one change of a shared file is made; released on drop.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// The lock file for `target`: `<name>.lock` beside it.
pub fn lock_path(target: &Path) -> PathBuf {
    crate::atomic::with_suffix(target, ".lock")
}

/// Take the exclusive lock for changing `target`, waiting up to `wait`.
pub fn lock_for_change(target: &Path, wait: Duration) -> Result<FileLock> {
    let path = lock_path(target);
    if let Some(dir) = path.parent() {
        crate::private_fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("Could not save {}", target.display()), &e))?;
    }
    let file = crate::private_fs::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("Could not save {}", target.display()), &e))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(FileLock { _file: file }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!(
                        "{} is being changed by another Genesys Export window or the command line. Nothing was saved; try again in a moment.",
                        target.display()
                    ),
                ))
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(
                    format!("Could not lock {} for a change", target.display()),
                    &e,
                ))
            }
        }
    }
}

/// What a file looked like when it was last read or written: a change by
/// another process (an atomic rename makes a new file) shows up as a
/// different stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    /// The stamp of `path` now; `None` when it does not exist.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&m),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gets_a_plain_message() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("profiles.json");
        let first = lock_for_change(&target, LOCK_WAIT).unwrap();
        let err = lock_for_change(&target, Duration::from_millis(50)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Storage);
        assert!(err.message.contains("try again"), "{}", err.message);
        drop(first);
        lock_for_change(&target, Duration::from_millis(50)).unwrap();
    }
}
