//! Which files "Open file" and "Show in folder" may open (issue #14.5): the
//! app opens a file with the system's default program, so a path from the
//! UI must not be able to launch anything else.
use std::path::{Path, PathBuf};

use super::{Context, HistoryStatus};
use crate::error::{Error, ErrorKind, Result};
use crate::export::Format;

/// `path` if it is an export this app finished: its extension names an
/// export format (`.csv`, `.xlsx`, `.jsonl`; see [`Format::of_path`]), a run
/// in the history that ended `done` wrote it, and it is still a regular file
/// there (not a link to something else). Otherwise `invalid_input` (field
/// `path`), or `not_found` when the file was moved or deleted.
pub fn exported_file(ctx: &Context, path: &str) -> Result<PathBuf> {
    let p = PathBuf::from(path);
    let refused = || {
        Error::invalid(
            "path",
            "Only files exported by this app can be opened from here.",
        )
    };
    if Format::of_path(&p).is_none() {
        return Err(refused());
    }
    let known = ctx
        .history
        .list()?
        .into_iter()
        .any(|e| e.status == HistoryStatus::Done && Path::new(&e.path) == p);
    if !known {
        return Err(refused());
    }
    match std::fs::symlink_metadata(&p) {
        Ok(m) if m.file_type().is_file() => Ok(p),
        Ok(_) => Err(refused()),
        Err(_) => Err(Error::new(
            ErrorKind::NotFound,
            format!("{path} is no longer there. It may have been moved or deleted."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::HistoryEntry;
    use crate::secrets::MemoryStore;
    use std::sync::Arc;

    fn entry(run_id: &str, path: &Path, status: HistoryStatus) -> HistoryEntry {
        HistoryEntry {
            run_id: run_id.into(),
            profile_id: "p".into(),
            profile_name: "Sales".into(),
            connection_id: "c".into(),
            from: "2026-01-01T00:00:00Z".into(),
            to: "2026-01-02T00:00:00Z".into(),
            status,
            rows: 1,
            conversations: 1,
            duration_ms: 1,
            path: path.display().to_string(),
            error: None,
            started_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_finished_exports_of_the_export_formats() {
        let root = tempfile::tempdir().unwrap();
        let (ctx, _) = Context::open(
            root.path().join("config"),
            root.path().join("data"),
            Arc::new(MemoryStore::new()),
        );
        let out = root.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let file = |name: &str| {
            let p = out.join(name);
            std::fs::write(&p, b"x").unwrap();
            p
        };
        let (csv, xlsx, jsonl) = (file("a.csv"), file("b.XLSX"), file("c.jsonl"));
        let (script, failed) = (file("run.sh"), file("failed.csv"));
        let gone = out.join("gone.csv");
        for (i, p) in [&csv, &xlsx, &jsonl, &script, &gone].iter().enumerate() {
            ctx.history
                .record(entry(&format!("r{i}"), p, HistoryStatus::Done))
                .unwrap();
        }
        ctx.history
            .record(entry("rf", &failed, HistoryStatus::Failed))
            .unwrap();
        let open = |p: &Path| exported_file(&ctx, p.to_str().unwrap());
        for ok in [&csv, &xlsx, &jsonl] {
            assert_eq!(open(ok).unwrap(), **ok);
        }
        for refused in [&script, &failed, &out.join("never.csv")] {
            let e = open(refused).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("path"), "{}", refused.display());
        }
        assert_eq!(open(&gone).unwrap_err().kind, ErrorKind::NotFound);
        // An export replaced by a link (to a program, say) is not opened.
        #[cfg(unix)]
        {
            std::fs::remove_file(&csv).unwrap();
            std::os::unix::fs::symlink(&script, &csv).unwrap();
            assert_eq!(open(&csv).unwrap_err().field.as_deref(), Some("path"));
        }
    }
}
