//! `jobs::preview` against the emulator over loopback: its rows are the first
//! rows of the real export of the same profile, its estimate is close to the
//! real count, and it reads only a few small pages (no full window, no job).
use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use genesys_core::export::{Delimiter, Format};
use genesys_core::genesys::Strategy;
use genesys_core::jobs::{self, AdHoc, Context, ExportSource, RunSpec, PREVIEW_ROWS};
use genesys_core::profiles::{Connection, DateRange, RelativePreset, Store};
use genesys_core::secrets::{MemoryStore, Secret};
use genesys_sim::{Sim, SimConfig};
use tokio_util::sync::CancellationToken;

fn spec(base_url: &str, preset: RelativePreset, now: chrono::DateTime<Utc>) -> RunSpec {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path());
    let connection = Connection {
        id: uuid::Uuid::from_u128(1),
        name: "Emulator".into(),
        environment: base_url.into(),
        client_id: "demo-client".into(),
        is_demo: false,
    };
    let mut profile = store.new_profile(connection.id);
    profile.name = "Preview".into();
    profile.time_zone = "UTC".into();
    profile.range = DateRange::Preset { preset };
    profile.strategy = Strategy::Sync;
    profile.export.format = Format::Csv;
    profile.export.csv_bom = false;
    profile.export.csv_delimiter = Delimiter::Comma;
    RunSpec {
        run_id: "preview-run".into(),
        source: ExportSource::AdHoc(Box::new(AdHoc {
            connection,
            profile,
        })),
        secret: Some(Secret::new("demo-secret")),
        now: Some(now),
        range: None,
        replace: false,
        keep_partial: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_shows_the_exports_first_rows_and_a_close_estimate() {
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let sim = Sim::start(SimConfig {
        conversations: 20_000,
        start,
        days: 20,
        now: Some(start + TimeDelta::days(21)),
        rate_limit: None,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ctx, _) = Context::open(
        dir.path().join("config"),
        dir.path().join("data"),
        Arc::new(MemoryStore::new()),
    );
    let now = start + TimeDelta::days(15) + TimeDelta::hours(9);
    for preset in [RelativePreset::Last7Days, RelativePreset::Last30Days] {
        let s = spec(&sim.base_url(), preset, now);
        let before = sim.stats();
        let preview = jobs::preview(&ctx, &s).await.unwrap();
        let after = sim.stats();
        let pages =
            after.per_endpoint.values().sum::<u64>() - before.per_endpoint.values().sum::<u64>();

        let out = dir.path().join(format!("{preset:?}.csv"));
        let run = jobs::PlannedRun::new(&ctx, s, out.clone()).unwrap();
        let summary = jobs::run_export(&ctx, run, Arc::new(|_| {}), CancellationToken::new())
            .await
            .unwrap();
        let table = test_support::csv::Table::read(&out);
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| r.iter().map(String::from).collect())
            .collect();
        assert_eq!(preview.columns, table.headers, "{preset:?}");
        assert_eq!(preview.rows.len(), PREVIEW_ROWS, "{preset:?}");
        assert_eq!(preview.rows, rows, "{preset:?}: the export's first rows");

        let estimate = preview.estimated_total.unwrap() as f64;
        let actual = summary.conversations as f64;
        assert!(
            (estimate - actual).abs() <= actual * 0.05,
            "{preset:?}: estimated {estimate}, exported {actual}"
        );
        // A token, a first page per 7 days and the name lookups: a handful.
        assert!(pages <= 12, "{preset:?}: the preview sent {pages} requests");
    }
    sim.shutdown().await;
}
