//! Golden-file tests of the export: every grain in CSV and XLSX, and raw JSONL,
//! from the hand-made fixtures (names with commas/quotes/accents, a wrap-up note
//! starting with `=`, `+` phone numbers, DST transition days in New York and
//! Berlin, an ongoing conversation, transfers, holds, unknown ids).
//!
//! Regenerate the golden files with `UPDATE_GOLDEN=1 cargo test -p genesys-core --test export_golden`
//! and review the diff.
mod export_common;

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use export_common::*;
use genesys_core::export::{
    write_export, Delimiter, Destination, DurationFormat, ExportOptions, Format, Grain, Summary,
};
use test_support::csv::Table;
use test_support::files::names_in;
use test_support::xlsx::Sheet;
use tokio_util::sync::CancellationToken;

fn golden_dir() -> PathBuf {
    fixtures().join("golden")
}

/// Compare `actual` with the golden file (or rewrite it with UPDATE_GOLDEN=1).
fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("missing golden file {name}; run with UPDATE_GOLDEN=1"));
    if expected != actual {
        panic!(
            "{name} differs from the golden file.\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

async fn export(opts: &ExportOptions, dir: &Path, file: &str) -> (PathBuf, Summary) {
    let dest = dir.join(file);
    let summary = write_export(
        stream_of(sample()),
        &sample_names(),
        opts,
        &Destination::new(&dest),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("export");
    (dest, summary)
}

/// The four grain cases; each also runs as XLSX.
fn cases() -> Vec<(&'static str, ExportOptions)> {
    vec![
        (
            "conversation",
            ExportOptions {
                grain: Grain::Conversation,
                time_zone: "Europe/Berlin".into(),
                ..Default::default()
            },
        ),
        (
            "participant",
            ExportOptions {
                grain: Grain::Participant,
                time_zone: "America/New_York".into(),
                duration_format: DurationFormat::Hms,
                include_ids: true,
                ..Default::default()
            },
        ),
        (
            "session",
            ExportOptions {
                grain: Grain::Session,
                time_zone: "UTC".into(),
                csv_delimiter: Delimiter::Semicolon,
                csv_bom: false,
                ..Default::default()
            },
        ),
        (
            "segment",
            ExportOptions {
                grain: Grain::Segment,
                time_zone: "Europe/Berlin".into(),
                duration_format: DurationFormat::Hms,
                ..Default::default()
            },
        ),
    ]
}

#[tokio::test]
async fn csv_golden_files_for_every_grain() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, opts) in cases() {
        let opts = ExportOptions {
            format: Format::Csv,
            ..opts
        };
        let (path, summary) = export(&opts, dir.path(), &format!("{name}.csv")).await;
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(summary.bytes, bytes.len() as u64);
        assert_eq!(summary.conversations, 6);
        check_golden(&format!("{name}.csv"), &bytes);
    }
    // Only the four finished files are left: no temp files.
    assert_eq!(
        names_in(dir.path()),
        [
            "conversation.csv",
            "participant.csv",
            "segment.csv",
            "session.csv"
        ]
    );
}

#[tokio::test]
async fn csv_content_is_excel_safe_named_and_dst_correct() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ExportOptions {
        format: Format::Csv,
        time_zone: "America/New_York".into(),
        include_ids: true,
        ..Default::default()
    };
    let (path, summary) = export(&opts, dir.path(), "c.csv").await;
    let text = std::fs::read_to_string(&path).expect("utf8");
    assert!(text.starts_with('\u{feff}'), "BOM first");
    let table = Table::read(&path);
    let col = |h: &str| table.col(h);
    let rows = &table.rows;
    assert_eq!(rows.len(), 6);

    // New York springs forward at 02:00 local (07:00 UTC): 06:59:30Z is 01:59:30 EST,
    // 07:10Z is 03:10 EDT; the duration is 630 s, not 4230 s.
    let r0 = &rows[0];
    assert_eq!(&r0[col("Start")], "2026-03-08 01:59:30");
    assert_eq!(&r0[col("End")], "2026-03-08 03:10:00");
    assert_eq!(&r0[col("Duration")], "630");
    // Metric sums, not segment arithmetic: two talk metrics 205 s + 210.5 s.
    assert_eq!(&r0[col("Talk time")], "416");
    assert_eq!(&r0[col("Handle time")], "565");
    assert_eq!(&r0[col("Hold time")], "90");
    assert_eq!(&r0[col("Holds")], "1");
    assert_eq!(&r0[col("Queue(s)")], "Support, Tier 1");
    assert_eq!(&r0[col("Agent(s)")], "Zoë O'Brien");
    assert_eq!(&r0[col("Wrap-up")], "Resolved");
    assert_eq!(&r0[col("Abandoned")], "No");
    // include_ids puts the id column right after its name column.
    assert_eq!(table.headers[col("Queue(s)") + 1], "Queue ID(s)");
    assert_eq!(
        &r0[col("Queue ID(s)")],
        "6a1f0c4e-0000-4000-8000-000000000001"
    );

    // The '=' note is neutralised; names with quotes survive the quoting.
    let r1 = &rows[1];
    assert_eq!(
        &r1[col("Wrap-up note")],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(&r1[col("Wrap-up")], "Escalated – \"urgent\"");
    assert_eq!(&r1[col("Queue(s)")], "Sales \"VIP\"; Réclamations");
    assert_eq!(&r1[col("Agent(s)")], "Jürgen Müller, Jr.; Zoë O'Brien");
    assert_eq!(&r1[col("Transfers")], "1");
    assert_eq!(&r1[col("Division")], "Europe, Middle East & Africa");
    assert_eq!(&r1[col("ANI")], "'+4930123456");

    // Abandoned, with a '+' phone number neutralised.
    let r2 = &rows[2];
    assert_eq!(&r2[col("Abandoned")], "Yes");
    assert_eq!(&r2[col("ANI")], "'+15559876543");
    assert_eq!(&r2[col("Handle time")], "");
    assert_eq!(&r2[col("Disconnect type")], "client");

    // Ongoing: blank end and duration; an unknown (deleted) agent shows its id.
    let r3 = &rows[3];
    assert_eq!(&r3[col("End")], "");
    assert_eq!(&r3[col("Duration")], "");
    assert_eq!(&r3[col("Agent(s)")], "b7e3d2a1-0000-4000-8000-0000000000de");
    // Unknown wrap-up code falls back to its id.
    assert_eq!(
        &rows[4][col("Wrap-up")],
        "c9d8e7f6-0000-4000-8000-0000000000ff"
    );

    assert_eq!(summary.in_progress, 1);
    assert_eq!(
        summary.warnings,
        ["1 conversation still in progress was included; its end and duration are blank and its times may change."]
    );
    assert_eq!(summary.time_zone, "America/New_York");
    assert_eq!(summary.rows, 6);
    assert_eq!(
        summary.first_start.map(|t| t.to_rfc3339()),
        Some("2026-03-08T06:59:30+00:00".to_string())
    );
}

#[tokio::test]
async fn berlin_fall_back_shows_both_halves_of_the_repeated_hour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ExportOptions {
        format: Format::Csv,
        time_zone: "Europe/Berlin".into(),
        columns: vec!["start".into(), "end".into(), "duration".into()],
        duration_format: DurationFormat::Hms,
        csv_bom: false,
        ..Default::default()
    };
    let (path, _) = export(&opts, dir.path(), "b.csv").await;
    let text = std::fs::read_to_string(&path).expect("read");
    let line = text.lines().nth(2).expect("second conversation");
    // 00:30Z is 02:30 CEST, 01:30Z is 02:30 CET: one hour apart, same wall clock.
    assert_eq!(line, "2026-10-25 02:30:00,2026-10-25 02:30:00,1:00:00");
}

#[tokio::test]
async fn jsonl_is_the_raw_records_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ExportOptions {
        format: Format::Jsonl,
        // Columns do not apply to JSONL and are not validated for it.
        columns: vec!["segment_type".into()],
        ..Default::default()
    };
    let (path, summary) = export(&opts, dir.path(), "raw.jsonl").await;
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(bytes, sample_jsonl().as_bytes());
    assert_eq!(summary.rows, 6);
    assert!(summary.columns.is_empty());
    check_golden("raw.jsonl", &bytes);
}

/// A readable dump of every typed cell of a workbook.
fn dump_xlsx(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        out.push_str(&format!("sheet {name}\n"));
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(cell_str).collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}

fn cell_str(d: &Data) -> String {
    match d {
        Data::Empty => "·".into(),
        Data::String(s) => format!("{s:?}"),
        Data::Float(f) => format!("n:{f}"),
        Data::Int(i) => format!("i:{i}"),
        Data::Bool(b) => format!("b:{b}"),
        Data::DateTime(dt) if dt.is_duration() => format!("dur:{:.6}", dt.as_f64()),
        Data::DateTime(dt) => format!("dt:{:.6}", dt.as_f64()),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn xlsx_for_every_grain_reads_back_with_typed_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, opts) in cases() {
        let opts = ExportOptions {
            format: Format::Xlsx,
            ..opts
        };
        let (path, summary) = export(&opts, dir.path(), &format!("{name}.xlsx")).await;
        assert_eq!(summary.bytes, std::fs::metadata(&path).expect("meta").len());
        let dump = dump_xlsx(&path);
        check_golden(&format!("{name}.xlsx.txt"), dump.as_bytes());
    }
    assert_eq!(
        names_in(dir.path()),
        [
            "conversation.xlsx",
            "participant.xlsx",
            "segment.xlsx",
            "session.xlsx"
        ]
    );
}

#[tokio::test]
async fn xlsx_cells_are_dates_durations_numbers_and_booleans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ExportOptions {
        format: Format::Xlsx,
        time_zone: "America/New_York".into(),
        duration_format: DurationFormat::Hms,
        ..Default::default()
    };
    let (path, _) = export(&opts, dir.path(), "t.xlsx").await;
    let wb: Xlsx<_> = open_workbook(&path).expect("open");
    assert_eq!(wb.sheet_names(), ["Conversations"]);
    let sheet = Sheet::read(&path, "Conversations");
    let get = |r: usize, h: &str| sheet.get(r, h);

    // Start: 2026-03-08 01:59:30 local = serial 46089 + (1h59m30s)/24h.
    match get(1, "Start") {
        Data::DateTime(dt) => {
            assert!(!dt.is_duration());
            let expected = 46089.0 + (1.0 * 3600.0 + 59.0 * 60.0 + 30.0) / 86400.0;
            assert!((dt.as_f64() - expected).abs() < 1e-9, "{}", dt.as_f64());
        }
        other => panic!("Start is not a date: {other:?}"),
    }
    // Handle time 565 s as an [h]:mm:ss duration.
    match get(1, "Handle time") {
        Data::DateTime(dt) => {
            assert!(dt.is_duration());
            assert!((dt.as_f64() * 86400.0 - 565.0).abs() < 1e-6);
        }
        other => panic!("Handle time is not a duration: {other:?}"),
    }
    assert_eq!(get(1, "Holds"), Data::Float(1.0));
    assert_eq!(get(1, "Abandoned"), Data::Bool(false));
    assert_eq!(get(3, "Abandoned"), Data::Bool(true));
    // In XLSX text is never a formula, so the note is kept exactly.
    assert_eq!(
        get(2, "Wrap-up note"),
        Data::String("=HYPERLINK(\"http://evil.example\",\"click\")".into())
    );
    assert_eq!(get(3, "ANI"), Data::String("+15559876543".into()));
    assert_eq!(get(4, "End"), Data::Empty);
    assert_eq!(get(1, "Queue(s)"), Data::String("Support, Tier 1".into()));
}
