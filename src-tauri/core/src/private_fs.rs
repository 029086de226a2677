//! The app's own files are private to the user: the one place that creates
//! them (issue #14.3).
//!
//! Settings and their backup, history, checkpoints, run and connection
//! locks, logs, export temp files and XLSX row journals are created `0600`
//! in folders `0700`, whatever the umask. The finished export is the user's
//! document, not ours: [`give_user_permissions`] gives it the permissions any
//! program would give a new file in that folder.
//!
//! Unix only; elsewhere these are plain creates (on Windows the files inherit
//! the ACLs of the user's profile folders).
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

/// Permissions of the app's own files.
pub const FILE_MODE: u32 = 0o600;
/// Permissions of the app's own folders.
pub const DIR_MODE: u32 = 0o700;

/// Create `dir` (and missing parents) `0700`. An existing `dir` owned by
/// this user that others can read is narrowed to `0700` (folders made by
/// older versions).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)?;
        let meta = std::fs::metadata(dir)?;
        if meta.uid() == current_uid() && meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Options for opening one of the app's files: created `0600`. Chain the
/// usual `read`/`write`/`create`... calls.
pub fn options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    o.mode(FILE_MODE);
    o
}

/// Narrow an existing file of ours to `0600` (a copy, or a file an older
/// version left readable).
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Give a finished export the permissions a new file gets in `dir` from the
/// user's umask (and the folder's default ACL, if any): what a document any
/// other program saves there would have. Its temp file was private until now.
pub fn give_user_permissions(file: &File, dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let mode = new_file_mode(dir)?;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, dir);
        Ok(())
    }
}

/// The mode the system gives a new file in `dir` (asked by creating one:
/// reading the umask without changing it is not portable, and this also
/// honours a default ACL).
#[cfg(unix)]
fn new_file_mode(dir: &Path) -> io::Result<u32> {
    let probe = dir.join(format!(
        ".genesys-export-{}.mode",
        uuid::Uuid::new_v4().simple()
    ));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(&probe)?;
    let mode = file.metadata().map(|m| m.permissions().mode() & 0o777);
    drop(file);
    let _ = std::fs::remove_file(&probe);
    mode
}

/// The identity of a file: whether a path still names the same file. Saved
/// with a resume point (issue #14.4). Device and inode on Unix, plus the
/// creation time where the file system records one: a file deleted and
/// another created in its place may get the same inode number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
    /// Creation time, nanoseconds since 1970 (`None` where not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_ns: Option<u64>,
}

#[cfg(unix)]
impl FileId {
    fn from_metadata(m: &std::fs::Metadata) -> FileId {
        let created_ns = m
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| u64::try_from(d.as_nanos()).ok());
        FileId {
            dev: m.dev(),
            ino: m.ino(),
            created_ns,
        }
    }
}

impl FileId {
    /// The identity of an open file; `None` where the platform has none here.
    pub fn of(file: &File) -> io::Result<Option<FileId>> {
        #[cfg(unix)]
        {
            Ok(Some(FileId::from_metadata(&file.metadata()?)))
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            Ok(None)
        }
    }
}

/// Why [`open_own`] refused a path, in words for a sentence "… because its
/// partly written file {reason}".
#[derive(Debug)]
pub enum NotOurs {
    /// Nothing at the path.
    Missing,
    /// A symbolic link, another kind of file, someone else's file, or another file than the one saved.
    Replaced(&'static str),
    /// It could not be opened or examined.
    Io(io::Error),
}

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOurs::Missing => f.write_str("is gone"),
            NotOurs::Replaced(why) => f.write_str(why),
            NotOurs::Io(e) => write!(f, "cannot be read ({e})"),
        }
    }
}

/// Open an existing file of ours for reading and writing, only if it is
/// still the one we made: never through a symbolic link (`O_NOFOLLOW`), a
/// regular file, owned by this user, and with the identity `expected` (a
/// file swapped in, even of the same length, is refused). `expected: None`
/// means no identity was saved: refused on Unix, since it cannot be checked.
pub fn open_own(path: &Path, expected: Option<FileId>) -> Result<File, NotOurs> {
    let mut o = OpenOptions::new();
    o.read(true).write(true);
    #[cfg(unix)]
    o.custom_flags(libc::O_NOFOLLOW);
    let file = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(NotOurs::Missing),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(NotOurs::Replaced("was replaced by a link to another file"))
        }
        Err(e) => return Err(NotOurs::Io(e)),
    };
    #[cfg(unix)]
    {
        let meta = file.metadata().map_err(NotOurs::Io)?;
        if !meta.file_type().is_file() {
            return Err(NotOurs::Replaced("is not a regular file any more"));
        }
        if meta.uid() != current_uid() {
            return Err(NotOurs::Replaced("belongs to another user"));
        }
        let id = FileId::from_metadata(&meta);
        match expected {
            Some(e) if e == id => {}
            Some(_) => return Err(NotOurs::Replaced("was replaced by another file")),
            None => {
                return Err(NotOurs::Replaced(
                    "cannot be recognised (its saved progress does not identify it)",
                ))
            }
        }
    }
    #[cfg(not(unix))]
    let _ = expected;
    Ok(file)
}

/// Create a new file of ours at `path` (`0600`), replacing whatever is there
/// without following it: a symbolic link planted at `path` is removed, not
/// written through.
pub fn create_fresh(path: &Path) -> io::Result<File> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    options().read(true).write(true).create_new(true).open(path)
}

/// The one sweep of leftovers: remove the files in `dir` that `select`
/// picks by name and metadata (never a folder; a link is removed, not
/// followed), logging each. Best effort: what cannot be read or removed is
/// logged and skipped. Returns how many were removed. Used for the atomic
/// writes' stray temp files (`atomic::remove_stray_temps`) and for what
/// interrupted exports leave (`jobs::Sweep`).
pub fn remove_files_where(
    dir: &Path,
    mut select: impl FnMut(&str, &std::fs::Metadata) -> bool,
) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if meta.is_dir() || !select(name, &meta) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => {
                removed += 1;
                tracing::info!(
                    "removed {}, left behind by an interrupted write",
                    entry.path().display()
                );
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", entry.path().display()),
        }
    }
    removed
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir_all(&dir).unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_dir_all(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an existing loose folder is narrowed");
        let f = dir.join("f");
        options().write(true).create(true).open(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
    }

    #[test]
    fn open_own_refuses_links_and_swapped_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ours");
        let mut f = create_fresh(&p).unwrap();
        f.write_all(b"12345").unwrap();
        let id = FileId::of(&f).unwrap();
        drop(f);
        assert!(open_own(&p, id).is_ok());
        assert!(matches!(open_own(&p, None), Err(NotOurs::Replaced(_))));
        assert!(matches!(
            open_own(&dir.path().join("none"), id),
            Err(NotOurs::Missing)
        ));

        // Another file of the same length at the same path.
        let other = dir.path().join("other");
        std::fs::write(&other, b"abcde").unwrap();
        std::fs::rename(&other, &p).unwrap();
        let e = open_own(&p, id).unwrap_err();
        assert_eq!(e.to_string(), "was replaced by another file");

        // A link to a file elsewhere.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        let e = open_own(&p, id).unwrap_err();
        assert_eq!(e.to_string(), "was replaced by a link to another file");

        // Creating afresh removes the link and leaves its target alone.
        let mut fresh = create_fresh(&p).unwrap();
        fresh.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(mode(&p), 0o600);
    }

    #[test]
    fn the_user_permissions_follow_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("export.csv");
        let f = options().write(true).create_new(true).open(&p).unwrap();
        give_user_permissions(&f, dir.path()).unwrap();
        let reference = dir.path().join("reference");
        File::create(&reference).unwrap();
        assert_eq!(mode(&p), mode(&reference));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "the probe is gone"
        );
    }
}
