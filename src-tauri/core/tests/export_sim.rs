//! The export against the emulator's dataset (in-process, no HTTP): names
//! from the emulated org, metric sums checked independently against the raw
//! JSON, Excel-safe cells, lossless JSONL, typed XLSX.
use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use futures::stream;
use genesys_core::export::{write_export, Destination, EntityKind, ExportOptions, Format, Grain};
use genesys_core::genesys::model::Conversation;
use genesys_core::Result;
use genesys_sim::{Dataset, SimConfig};
use serde_json::Value;
use test_support::csv::Table;
use test_support::names::MapNames;
use tokio_util::sync::CancellationToken;

const N: u64 = 600;

fn dataset() -> Dataset {
    let start = Utc
        .with_ymd_and_hms(2026, 10, 20, 0, 0, 0)
        .single()
        .expect("date");
    Dataset::new(&SimConfig {
        conversations: N,
        seed: 11,
        start,
        days: 10,
        // "now" inside the span's last day: the latest conversations are ongoing.
        now: Some(start + chrono::Duration::days(10) - chrono::Duration::minutes(30)),
        ..Default::default()
    })
}

fn names(d: &Dataset) -> MapNames {
    MapNames::new()
        .with(EntityKind::Queue, d.queues())
        .with(EntityKind::User, d.users())
        .with(EntityKind::WrapUpCode, d.wrapup_codes())
        .with(EntityKind::Division, d.divisions())
}

/// The records as JSON text, the way they arrive over HTTP.
fn bodies(d: &Dataset) -> Vec<String> {
    (0..N)
        .map(|i| d.conversation_without_attributes(i))
        .filter(|v| v.get("conversationId").is_some())
        .map(|v| serde_json::to_string(&v).expect("json"))
        .collect()
}

fn parse(body: &str) -> Result<Conversation> {
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(body).expect("raw");
    Ok(Conversation::from_raw(&raw).expect("conversation"))
}

async fn export(d: &Dataset, bodies: &[String], opts: &ExportOptions, dest: &std::path::Path) {
    let convs = stream::iter(bodies.iter().map(|b| parse(b)));
    write_export(
        convs,
        &names(d),
        opts,
        &Destination::new(dest),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("export");
}

/// Sum of one metric over every session of a raw conversation (independent of the export code).
fn metric_sum(v: &Value, metric: &str) -> Option<i64> {
    let mut total = None;
    for p in v["participants"].as_array().into_iter().flatten() {
        for s in p["sessions"].as_array().into_iter().flatten() {
            for m in s["metrics"].as_array().into_iter().flatten() {
                if m["name"] == metric {
                    *total.get_or_insert(0) += m["value"].as_i64().expect("value");
                }
            }
        }
    }
    total
}

#[tokio::test]
async fn csv_from_the_emulator_has_names_metric_sums_and_safe_cells() {
    let d = dataset();
    let bodies = bodies(&d);
    assert!(bodies.len() > 500);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sim.csv");
    let opts = ExportOptions {
        format: Format::Csv,
        time_zone: "Europe/Berlin".into(),
        include_ids: true,
        ..Default::default()
    };
    export(&d, &bodies, &opts, &path).await;

    let table = Table::read(&path);
    let col = |h: &str| table.col(h);
    let rows = &table.rows;
    assert_eq!(rows.len(), bodies.len());

    let users: HashMap<String, String> = d.users().into_iter().collect();
    let queues: HashMap<String, String> = d.queues().into_iter().collect();
    let mut prefixed = 0;
    let mut ongoing = 0;
    for (row, body) in rows.iter().zip(&bodies) {
        let v: Value = serde_json::from_str(body).expect("json");
        assert_eq!(
            &row[col("Conversation ID")],
            v["conversationId"].as_str().expect("id")
        );
        // Metric sums, rounded to whole seconds, exactly as Genesys reported them.
        for (header, metric) in [
            ("Handle time", "tHandle"),
            ("Talk time", "tTalkComplete"),
            ("Hold time", "tHeldComplete"),
            ("After-call work", "tAcw"),
            ("Time to answer", "tAnswered"),
        ] {
            let expected = metric_sum(&v, metric)
                .map(|ms| ((ms + 500).div_euclid(1000)).to_string())
                .unwrap_or_default();
            assert_eq!(row[col(header)], expected, "{header} of {}", &row[0]);
        }
        let transfers = metric_sum(&v, "nTransferred").unwrap_or(0).to_string();
        assert_eq!(&row[col("Transfers")], transfers.as_str());
        let abandoned = if metric_sum(&v, "tAbandon").is_some() {
            "Yes"
        } else {
            "No"
        };
        assert_eq!(&row[col("Abandoned")], abandoned);
        // Every known id is shown by name; the id column carries the ids.
        let agent_ids: Vec<&str> = row[col("Agent ID(s)")]
            .split("; ")
            .filter(|s| !s.is_empty())
            .collect();
        let agent_names: Vec<&str> = row[col("Agent(s)")]
            .split("; ")
            .filter(|s| !s.is_empty())
            .collect();
        let expected_names: Vec<&str> = agent_ids
            .iter()
            .map(|id| users.get(*id).map(String::as_str).unwrap_or(id))
            .collect();
        // Names may contain "; " only if the org has such names; compare joined.
        assert_eq!(agent_names.join("; "), expected_names.join("; "));
        for q in row[col("Queue ID(s)")]
            .split("; ")
            .filter(|s| !s.is_empty())
        {
            assert!(queues.contains_key(q), "unknown queue id {q}");
            assert!(row[col("Queue(s)")].contains(queues[q].as_str()));
        }
        if v.get("conversationEnd").is_none() {
            ongoing += 1;
            assert_eq!(&row[col("End")], "");
        }
        for field in row.iter() {
            if field.starts_with('\'') {
                prefixed += 1;
            }
            assert!(
                !matches!(
                    field.as_bytes().first(),
                    Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
                ),
                "formula-like cell left as is: {field:?}"
            );
        }
    }
    assert!(
        ongoing > 0,
        "the dataset has ongoing conversations at its 'now'"
    );
    assert!(
        prefixed > 0,
        "the dataset's + phone numbers and = notes were neutralised"
    );
}

#[tokio::test]
async fn jsonl_from_the_emulator_is_lossless_and_xlsx_reads_back() {
    let d = dataset();
    let bodies = bodies(&d);
    let dir = tempfile::tempdir().expect("tempdir");

    let jsonl = dir.path().join("sim.jsonl");
    let opts = ExportOptions {
        format: Format::Jsonl,
        ..Default::default()
    };
    export(&d, &bodies, &opts, &jsonl).await;
    let text = std::fs::read_to_string(&jsonl).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, bodies.iter().map(String::as_str).collect::<Vec<_>>());

    use test_support::xlsx::{Data, Sheet};
    let xlsx = dir.path().join("sim.xlsx");
    let opts = ExportOptions {
        format: Format::Xlsx,
        grain: Grain::Segment,
        ..Default::default()
    };
    export(&d, &bodies, &opts, &xlsx).await;
    let segments: usize = bodies
        .iter()
        .map(|b| {
            let v: Value = serde_json::from_str(b).expect("json");
            v["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| p["sessions"].as_array().into_iter().flatten())
                .map(|s| s["segments"].as_array().map_or(0, Vec::len))
                .sum::<usize>()
        })
        .sum();
    let sheet = Sheet::read(&xlsx, "Segments");
    assert_eq!(sheet.range.height(), segments + 1);
    let start = sheet.col("Segment start");
    for row in sheet.range.rows().skip(1) {
        assert!(matches!(row[start], Data::DateTime(_)), "{:?}", row[start]);
    }
}
