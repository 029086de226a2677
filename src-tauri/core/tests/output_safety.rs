//! What the export writes cannot be turned against the person who opens it
//! (issue #14, low): CSV cells a spreadsheet would run as a formula, or whose
//! leading control character it would strip, are neutralised; every JSON
//! lines record is exactly one line, whatever the server's formatting.
mod export_common;

use std::io::Write;

use export_common::{sample_jsonl, sample_names, stream_of};
use genesys_core::export::flatten::Cell;
use genesys_core::export::render::Style;
use genesys_core::export::writers::CsvWriter;
use genesys_core::export::{self, Delimiter, Destination, DurationFormat, ExportOptions, Format};
use genesys_core::genesys::model::Conversation;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let dangerous = [
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        "\0=1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ];
    let harmless = ["", "a=1", "15551234", "Ünïcode", "1-2", " x"];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    let file = std::fs::File::create(&path).unwrap();
    let style = Style {
        tz: chrono_tz::Tz::UTC,
        durations: DurationFormat::Seconds,
    };
    let mut w = CsvWriter::append(file, Delimiter::Comma, style);
    for s in dangerous.iter().chain(harmless.iter()) {
        w.write_row(&[Cell::Text(s.to_string())]).unwrap();
    }
    w.finish().unwrap().flush().unwrap();

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&path)
        .unwrap();
    let fields: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(fields.len(), dangerous.len() + harmless.len());
    for (field, original) in fields.iter().zip(dangerous) {
        assert_eq!(field, &format!("'{original}"), "{original:?}");
    }
    for (field, original) in fields[dangerous.len()..].iter().zip(harmless) {
        assert_eq!(field, original, "{original:?}");
    }
}

/// The first fixture conversation, as a server might format it: pretty
/// printed (literal line feeds between fields) and with U+2028 / U+2029
/// (which JSON allows unescaped in strings, and many line readers split on).
fn awkwardly_formatted(id: &str) -> (Conversation, Value) {
    let first = sample_jsonl().lines().next().unwrap().to_string();
    let mut v: Value = serde_json::from_str(&first).unwrap();
    v["conversationId"] = json!(id);
    v["externalTag"] = json!("line\u{2028}separator\u{2029}paragraph");
    let pretty = serde_json::to_string_pretty(&v).unwrap();
    assert!(pretty.contains('\n') && pretty.contains('\u{2028}'));
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(&pretty).unwrap();
    (Conversation::from_raw(&raw).unwrap(), v)
}

#[tokio::test]
async fn every_json_lines_record_is_one_line() {
    let (a, va) = awkwardly_formatted("conv-a");
    let (b, vb) = awkwardly_formatted("conv-b");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("raw.jsonl");
    let summary = export::write_export(
        stream_of(vec![a, b]),
        &sample_names(),
        &ExportOptions {
            format: Format::Jsonl,
            ..ExportOptions::default()
        },
        &Destination::new(&dest),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.rows, 2);
    let text = std::fs::read_to_string(&dest).unwrap();
    // Split the way the strictest readers do (JavaScript, Python's splitlines).
    let lines: Vec<&str> = text
        .split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[2], "", "the file ends with a line feed");
    for (line, expected) in lines[..2].iter().zip([va, vb]) {
        let got: Value = serde_json::from_str(line).unwrap();
        assert_eq!(got, expected, "the record is the same JSON");
    }
}
