//! The support log is private to the user (issue #14.3): its folder is 0700
//! and each day's file 0600, although the appender would create them with
//! the umask's permissions.
#![cfg(unix)]
use std::os::unix::fs::PermissionsExt;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_log_folder_and_files_are_private() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    let guard = genesys_export::logging::init(&dir).expect("logging starts");
    tracing::info!("a line for the log");
    drop(guard); // flushes
    assert_eq!(mode(&dir), 0o700, "the log folder");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert!(!files.is_empty(), "no log file written");
    for f in files {
        let text = std::fs::read_to_string(f.path()).unwrap();
        assert!(text.contains("a line for the log"), "{text}");
        assert_eq!(mode(&f.path()), 0o600, "{:?}", f.file_name());
    }
}
