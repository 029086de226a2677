//! The app's own files are private to the user (issue #14.3): settings and
//! their backup, history, checkpoints, run and connection locks, export temp
//! files and XLSX row journals are created 0600 in folders 0700. The finished
//! export is the user's document and gets the permissions any program would
//! give a new file there (umask-derived), not 0600.
#![cfg(unix)]
mod export_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use chrono::{TimeZone, Utc};
use export_common::{many, sample_names};
use futures::Stream;
use genesys_core::export::{
    self, CheckpointSource, Destination, ExportOptions, Format, Resumable, ResumeState,
};
use genesys_core::genesys::model::Conversation;
use genesys_core::genesys::Checkpoint;
use genesys_core::jobs::{Context, HistoryEntry, HistoryStatus};
use genesys_core::profiles::{Settings, Store};
use genesys_core::secrets::MemoryStore;
use genesys_core::Result;
use tokio_util::sync::CancellationToken;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The mode a program gives a new file in `dir` (0666 less the umask).
fn user_mode(dir: &Path) -> u32 {
    let probe = dir.join("probe-by-the-test");
    std::fs::File::create(&probe).unwrap();
    let m = mode(&probe);
    std::fs::remove_file(&probe).unwrap();
    m
}

#[test]
fn settings_and_their_backup_are_private() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("config");
    let (mut store, _) = Store::open(&config);
    let zone = |z: &str| Settings {
        time_zone: z.into(),
        ..Settings::default()
    };
    store.save_settings(zone("Europe/Berlin")).unwrap();
    // The second save keeps the first file as profiles.json.bak.
    store.save_settings(zone("Europe/Paris")).unwrap();
    assert_eq!(mode(&config), 0o700, "the settings folder");
    assert_eq!(mode(&config.join("profiles.json")), 0o600);
    assert_eq!(mode(&config.join("profiles.json.bak")), 0o600);

    // A file left readable by an older version is not copied loosely into the backup.
    std::fs::set_permissions(
        config.join("profiles.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    store.save_settings(zone("Europe/Rome")).unwrap();
    assert_eq!(mode(&config.join("profiles.json")), 0o600);
    assert_eq!(mode(&config.join("profiles.json.bak")), 0o600);
}

fn entry(run_id: &str) -> HistoryEntry {
    HistoryEntry {
        run_id: run_id.into(),
        profile_id: "p".into(),
        profile_name: "Sales".into(),
        connection_id: "c".into(),
        from: "2026-01-01T00:00:00Z".into(),
        to: "2026-01-02T00:00:00Z".into(),
        status: HistoryStatus::Running,
        rows: 0,
        conversations: 0,
        duration_ms: 0,
        path: "/tmp/x.csv".into(),
        error: None,
        started_at: Utc::now(),
    }
}

#[test]
fn history_checkpoints_and_locks_are_private() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let (ctx, _) = Context::open(
        root.path().join("config"),
        data.clone(),
        Arc::new(MemoryStore::new()),
    );
    let lock = ctx.checkpoints.hold("r1").unwrap();
    ctx.checkpoints.save("r1", &vec![1u32]).unwrap();
    ctx.history.record(entry("r1")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let turn = rt
        .block_on(
            ctx.locks
                .acquire("client", &CancellationToken::new(), || {}),
        )
        .unwrap();

    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("checkpoints")), 0o700);
    assert_eq!(mode(&data.join("locks")), 0o700);
    assert_eq!(mode(&data.join("history.json")), 0o600);
    assert_eq!(mode(&data.join("checkpoints/r1.json")), 0o600);
    assert_eq!(mode(&data.join("checkpoints/r1.lock")), 0o600);
    let locks: Vec<_> = std::fs::read_dir(data.join("locks"))
        .unwrap()
        .flatten()
        .collect();
    assert!(!locks.is_empty());
    for l in locks {
        assert_eq!(mode(&l.path()), 0o600, "{:?}", l.file_name());
    }
    drop(turn);
    drop(lock);
}

/// Modes of the export's temp files seen while it was being written.
type Seen = Arc<Mutex<Vec<(String, u32)>>>;

fn look(dir: &Path, seen: &Seen) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(".genesys-export-") {
            seen.lock().unwrap().push((name, mode(&e.path())));
        }
    }
}

fn options(format: Format) -> ExportOptions {
    ExportOptions {
        format,
        ..ExportOptions::default()
    }
}

#[tokio::test]
async fn export_temp_files_are_private_and_the_finished_export_is_not() {
    for format in [Format::Csv, Format::Xlsx, Format::Jsonl] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join(format!("out.{}", format.extension()));
        let seen: Seen = Arc::default();
        let (d, s) = (dir.path().to_path_buf(), seen.clone());
        export::write_export(
            many(350),
            &sample_names(),
            &options(format),
            &Destination::new(&dest),
            CancellationToken::new(),
            move |_| look(&d, &s),
        )
        .await
        .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert!(!seen.is_empty(), "{format:?}: no temp file seen");
        for (name, m) in &seen {
            assert_eq!(*m, 0o600, "{format:?}: {name} is {m:o}");
        }
        assert_eq!(
            mode(&dest),
            user_mode(dir.path()),
            "{format:?}: the finished export has the user's normal permissions"
        );
    }
}

/// A conversation stream that reports a (fixed) fetch checkpoint.
struct Checkpointed {
    inner: Pin<Box<dyn Stream<Item = Result<Conversation>> + Send>>,
    checkpoint: Checkpoint,
}

impl Stream for Checkpointed {
    type Item = Result<Conversation>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl CheckpointSource for Checkpointed {
    fn checkpoint(&self) -> Option<Checkpoint> {
        Some(self.checkpoint.clone())
    }
}

fn checkpointed(n: usize) -> Checkpointed {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Checkpointed {
        inner: Box::pin(many(n)),
        checkpoint: Checkpoint {
            version: 1,
            from: t,
            to: t + chrono::Duration::days(1),
            filters: Default::default(),
            strategy: Default::default(),
            windows: Vec::new(),
            completed_windows: 0,
            last_emitted: None,
            delivered: 0,
            fetched_windows: Vec::new(),
        },
    }
}

#[tokio::test]
async fn a_resumable_exports_temp_file_and_row_journal_are_private() {
    for format in [Format::Csv, Format::Xlsx] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join(format!("out.{}", format.extension()));
        let seen: Seen = Arc::default();
        let (d, s) = (dir.path().to_path_buf(), seen.clone());
        let mut on_durable = |_: &ResumeState| {};
        export::write_resumable(
            checkpointed(350),
            &sample_names(),
            &options(format),
            &Destination::new(&dest),
            Resumable {
                run_id: "r1",
                from: None,
                on_durable: &mut on_durable,
            },
            CancellationToken::new(),
            move |_| look(&d, &s),
        )
        .await
        .unwrap();
        let seen = seen.lock().unwrap().clone();
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&".genesys-export-r1.tmp"), "{names:?}");
        if format == Format::Xlsx {
            assert!(names.contains(&".genesys-export-r1.rows"), "{names:?}");
        }
        for (name, m) in &seen {
            assert_eq!(*m, 0o600, "{format:?}: {name} is {m:o}");
        }
        assert_eq!(mode(&dest), user_mode(dir.path()), "{format:?}");
    }
}
