//! Bad input and failures: each gives a plain message and leaves nothing
//! half-written (no temp file, destination untouched).
mod export_common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use futures::future::BoxFuture;
use futures::StreamExt;
use genesys_core::export::{
    write_export, Destination, EntityKind, ExportOptions, Format, Grain, NameSource,
};
use genesys_core::{Error, ErrorKind, Result};
use test_support::files::names_in;
use test_support::names::NoNames;
use tokio_util::sync::CancellationToken;

use export_common::*;

fn csv() -> ExportOptions {
    ExportOptions {
        format: Format::Csv,
        ..Default::default()
    }
}

async fn run(opts: &ExportOptions, dest: &Destination) -> Result<genesys_core::export::Summary> {
    write_export(
        stream_of(sample()),
        &sample_names(),
        opts,
        dest,
        CancellationToken::new(),
        |_| {},
    )
    .await
}

#[tokio::test]
async fn invalid_time_zone_and_columns_are_field_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = Destination::new(dir.path().join("x.csv"));

    let e = run(
        &ExportOptions {
            time_zone: "Mars/Olympus".into(),
            ..csv()
        },
        &dest,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(e.field.as_deref(), Some("timeZone"));
    assert!(e.message.contains("Mars/Olympus"), "{}", e.message);

    let e = run(
        &ExportOptions {
            columns: vec!["start".into(), "nonsense".into()],
            ..csv()
        },
        &dest,
    )
    .await
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("columns"));
    assert!(
        e.message.contains("\"nonsense\" is not a known column"),
        "{}",
        e.message
    );

    // A segment column at conversation grain.
    let e = run(
        &ExportOptions {
            columns: vec!["segment_type".into()],
            ..csv()
        },
        &dest,
    )
    .await
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("columns"));
    assert_eq!(
        e.message,
        "The column \"Segment type\" is not available with one row per conversation."
    );

    // Metrics do not apply per segment (they belong to sessions).
    let e = run(
        &ExportOptions {
            grain: Grain::Segment,
            columns: vec!["handle_time".into()],
            ..csv()
        },
        &dest,
    )
    .await
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("columns"));

    let e = run(
        &ExportOptions {
            columns: vec!["start".into(), "start".into()],
            ..csv()
        },
        &dest,
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("listed twice"), "{}", e.message);

    assert!(names_in(dir.path()).is_empty());
}

#[tokio::test]
async fn existing_file_is_kept_unless_replace_is_explicit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.csv");
    std::fs::write(&path, "precious").expect("write");

    let e = run(&csv(), &Destination::new(&path)).await.unwrap_err();
    // The one destination rule: `io` in the app and the CLI alike (#15).
    assert_eq!(e.kind, ErrorKind::Io);
    assert_eq!(e.field.as_deref(), Some("destination"));
    assert_eq!(
        e.message,
        "\"report.csv\" already exists. Choose another name, or confirm that it should be replaced."
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "precious");
    assert_eq!(names_in(dir.path()), ["report.csv"]);

    let dest = Destination {
        replace: true,
        ..Destination::new(&path)
    };
    let summary = run(&csv(), &dest).await.expect("replace");
    assert_eq!(summary.rows, 6);
    assert!(std::fs::read_to_string(&path)
        .expect("read")
        .contains("Conversation ID"));
    assert_eq!(names_in(dir.path()), ["report.csv"]);
}

#[tokio::test]
async fn missing_folder_is_a_plain_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = run(
        &csv(),
        &Destination::new(dir.path().join("nope/report.csv")),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(e.message.contains("does not exist"), "{}", e.message);
}

fn mount_tmpfs(dir: &Path, options: &str) -> bool {
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn umount(dir: &Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[tokio::test]
async fn unwritable_folder_is_a_plain_io_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root ignores permission bits; then a read-only mount is the unwritable folder.
    let probe = locked.join("probe");
    let mounted = if std::fs::write(&probe, "x").is_ok() {
        std::fs::remove_file(&probe).expect("rm probe");
        assert!(
            mount_tmpfs(&locked, "ro,size=1m"),
            "running with root rights but cannot mount a read-only tmpfs"
        );
        true
    } else {
        false
    };

    let e = run(&csv(), &Destination::new(locked.join("report.csv"))).await;
    if mounted {
        umount(&locked);
    }
    let e = e.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    assert!(
        e.message.starts_with("Could not write to the folder")
            && (e.message.contains("permission") || e.message.contains("read-only")),
        "{}",
        e.message
    );
    assert!(names_in(&locked).is_empty());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
}

/// A full disk, simulated with a 256 KiB tmpfs (needs mount rights; the
/// project's CI and dev machines run the suite as root). Writes ~5,000
/// conversations (several MB) so the disk fills mid-way, for CSV and XLSX.
#[tokio::test]
async fn full_disk_gives_a_plain_message_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("small");
    std::fs::create_dir(&small).expect("mkdir");
    if !mount_tmpfs(&small, "size=256k") {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the disk-full path is not exercised"
        );
        return;
    }
    let mut results = Vec::new();
    for format in [Format::Csv, Format::Xlsx, Format::Jsonl] {
        let opts = ExportOptions {
            format,
            grain: Grain::Segment,
            ..Default::default()
        };
        let dest = Destination::new(small.join(format!("big.{}", format.extension())));
        let r = write_export(
            many(5_000),
            &NoNames,
            &opts,
            &dest,
            CancellationToken::new(),
            |_| {},
        )
        .await;
        results.push((format, r, names_in(&small)));
    }
    umount(&small);
    for (format, r, left) in results {
        let e = r.expect_err("the disk is full");
        assert_eq!(e.kind, ErrorKind::Io, "{format:?}: {e:?}");
        assert!(e.message.contains("disk"), "{format:?}: {}", e.message);
        assert!(e.message.contains("big."), "{format:?}: {}", e.message);
        assert!(left.is_empty(), "{format:?} left {left:?}");
    }
}

#[tokio::test]
async fn cancel_midway_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = Destination::new(dir.path().join("report.csv"));
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    // The stream cancels the export after 250 conversations.
    let stream = many(1_000).enumerate().map(move |(i, c)| {
        if i == 250 {
            trigger.cancel();
        }
        c
    });
    let mut progress = Vec::new();
    let e = write_export(stream, &NoNames, &csv(), &dest, cancel, |p| {
        progress.push(p)
    })
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(e.message, "The export was cancelled.");
    assert!(!progress.is_empty() && progress.len() <= 3, "{progress:?}");
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

#[tokio::test]
async fn cancel_with_keep_partial_saves_a_partial_file() {
    for format in [Format::Csv, Format::Xlsx] {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = Destination {
            keep_partial: true,
            ..Destination::new(dir.path().join(format!("report.{}", format.extension())))
        };
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        let stream = many(1_000).enumerate().map(move |(i, c)| {
            if i == 250 {
                trigger.cancel();
            }
            c
        });
        let opts = ExportOptions {
            format,
            ..Default::default()
        };
        let e = write_export(stream, &NoNames, &opts, &dest, cancel, |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Cancelled);
        let partial = format!("report (partial).{}", format.extension());
        assert!(e.message.contains(&partial), "{}", e.message);
        assert_eq!(names_in(dir.path()), std::slice::from_ref(&partial));
        if format == Format::Csv {
            let text = std::fs::read_to_string(dir.path().join(&partial)).expect("read");
            // The 200 rows of the two batches written before the cancel.
            let records = csv::Reader::from_reader(text.as_bytes()).records().count();
            assert_eq!(records, 200);
        } else {
            use calamine::{open_workbook, Reader, Xlsx};
            let mut wb: Xlsx<_> = open_workbook(dir.path().join(&partial)).expect("valid xlsx");
            let range = wb.worksheet_range("Conversations").expect("sheet");
            assert_eq!(range.height(), 201);
        }
    }
}

#[tokio::test]
async fn a_failing_stream_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = Destination::new(dir.path().join("report.xlsx"));
    let stream = many(300).enumerate().map(|(i, c)| {
        if i == 150 {
            Err(Error::new(
                ErrorKind::Server,
                "Genesys Cloud failed (503) after 5 retries.",
            ))
        } else {
            c
        }
    });
    let opts = ExportOptions::default();
    let e = write_export(
        stream,
        &NoNames,
        &opts,
        &dest,
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(names_in(dir.path()).is_empty());
}

/// A name source whose queue lookup is refused (e.g. missing permission).
struct NoQueuePermission {
    calls: std::sync::atomic::AtomicUsize,
}

impl NameSource for NoQueuePermission {
    fn lookup<'a>(
        &'a self,
        kind: EntityKind,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            if kind == EntityKind::Queue {
                Err(Error::new(
                    ErrorKind::Permission,
                    "The OAuth client lacks the permission routing:queue:view.",
                ))
            } else {
                Ok(ids
                    .iter()
                    .map(|id| (id.clone(), format!("name of {id}")))
                    .collect())
            }
        })
    }
}

#[tokio::test]
async fn a_failing_name_lookup_falls_back_to_ids_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = NoQueuePermission {
        calls: Default::default(),
    };
    let opts = ExportOptions {
        columns: vec!["queues".into(), "agents".into()],
        ..csv()
    };
    let summary = write_export(
        many(500),
        &names,
        &opts,
        &Destination::new(dir.path().join("r.csv")),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("export still works");
    assert_eq!(
        summary.warnings[1..],
        ["The queue names could not be looked up, so their ids are shown instead (The OAuth client lacks the permission routing:queue:view)."]
    );
    let text = std::fs::read_to_string(dir.path().join("r.csv")).expect("read");
    assert!(
        text.contains("6a1f0c4e-0000-4000-8000-000000000001,name of b7e3d2a1"),
        "{text}"
    );
    // Queues asked once (then given up); users once: later batches only repeat cached ids.
    assert_eq!(names.calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}
