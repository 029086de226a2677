//! A run's store: the conversations its fetch has read, kept in the run's
//! data folder until the run ends, so that a resume asks Genesys only for
//! what is not there yet (issue #19).
//!
//! One folder per plan window, named after the window (its bounds and how it
//! is read), holding the window's sorted runs (see `super::sorter`: a run per
//! sync page of the window's own range, tagged with the page; a
//! `complete.json` once the window was read in full). The folder of a run is
//! `checkpoints/<run>.fetched/` in the data folder (`jobs::Checkpoints`),
//! private (`0700`, files `0600`); the run removes it when it ends, a discard
//! or the start-up sweep of an interrupted run's leftovers removes it too.
use std::path::{Path, PathBuf};

use super::plan::{FetchMethod, Window};

/// The folder of window `w` in a run's store `store`.
pub(crate) fn window_dir(store: &Path, w: &Window) -> PathBuf {
    store.join(window_name(w))
}

fn window_name(w: &Window) -> String {
    const F: &str = "%Y%m%dT%H%M%S%.3fZ";
    format!(
        "{}_{}_{}",
        w.start.format(F),
        w.end.format(F),
        match w.method {
            FetchMethod::Sync => "sync",
            FetchMethod::Async => "async",
        }
    )
}

/// Remove the folder of window `w` (delivered and recorded: not needed again).
pub(crate) fn remove_window(store: &Path, w: &Window) {
    remove_dir(&window_dir(store, w));
}

/// Remove every window folder of `store` that is not one of `keep` (a plan
/// that changed, windows already written).
pub(crate) fn keep_only(store: &Path, keep: &[Window]) {
    let Ok(entries) = std::fs::read_dir(store) else {
        return;
    };
    let wanted: std::collections::HashSet<String> = keep.iter().map(window_name).collect();
    for e in entries.flatten() {
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let name = e.file_name().to_string_lossy().into_owned();
        if is_dir && !wanted.contains(&name) {
            remove_dir(&e.path());
        }
    }
}

fn remove_dir(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("cannot remove {}: {e}", dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn one_folder_per_window_and_only_the_plan_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let t = |d| Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap();
        let w = |d, m| Window {
            start: t(d),
            end: t(d + 1),
            method: m,
        };
        let (a, b, c) = (
            w(1, FetchMethod::Sync),
            w(2, FetchMethod::Sync),
            w(2, FetchMethod::Async),
        );
        assert_eq!(
            window_name(&a),
            "20260301T000000.000Z_20260302T000000.000Z_sync"
        );
        assert_ne!(window_name(&b), window_name(&c));
        for x in [&a, &b, &c] {
            std::fs::create_dir_all(window_dir(dir.path(), x)).unwrap();
        }
        std::fs::write(dir.path().join("names.json"), b"{}").unwrap();
        keep_only(dir.path(), std::slice::from_ref(&b));
        assert!(!window_dir(dir.path(), &a).exists());
        assert!(window_dir(dir.path(), &b).exists());
        assert!(!window_dir(dir.path(), &c).exists());
        assert!(
            dir.path().join("names.json").exists(),
            "files are left alone"
        );
        remove_window(dir.path(), &b);
        assert!(!window_dir(dir.path(), &b).exists());
    }
}
