//! Export pipeline benchmark (issue 5): conversations/s through
//! parse → flatten → names → CSV or XLSX, and peak RSS, for conversations
//! generated in-process by the emulator's dataset (zero latency, no HTTP).
//!
//! One process per size, so peak RSS (VmHWM) belongs to that size:
//!
//! ```text
//! cargo build --release -p genesys-core --example bench_export
//! target/release/examples/bench_export csv 10000 /tmp/bench
//! ```
//!
//! Prints one line of `key=value` pairs. `gen_s` is the time the emulator
//! needs to render and serialise the records alone (what the HTTP body would
//! carry); `pipeline_conv_per_s` is the export's own rate with that removed.
use std::time::Instant;

use chrono::{TimeZone, Utc};
use futures::stream;
use genesys_core::export::{write_export, Destination, EntityKind, ExportOptions, Format};
use genesys_core::genesys::model::Conversation;
use genesys_core::Error;
use genesys_sim::{Dataset, SimConfig};
use test_support::names::MapNames;
use tokio_util::sync::CancellationToken;

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: bench_export csv|xlsx|jsonl CONVERSATIONS OUTPUT_DIR";
    let format = match args.get(1).map(String::as_str) {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some("jsonl") => Format::Jsonl,
        _ => return Err(usage.into()),
    };
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).ok_or(usage)?;
    let out_dir = std::path::PathBuf::from(args.get(3).ok_or(usage)?);
    std::fs::create_dir_all(&out_dir)?;

    let start = Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let days = 30;
    let dataset = Dataset::new(&SimConfig {
        conversations: n,
        seed: 5,
        start,
        days,
        // "now" a day after the span: every conversation has ended.
        now: Some(start + chrono::Duration::days(i64::from(days) + 1)),
        ..Default::default()
    });
    let names = MapNames::new()
        .with(EntityKind::Queue, dataset.queues())
        .with(EntityKind::User, dataset.users())
        .with(EntityKind::WrapUpCode, dataset.wrapup_codes())
        .with(EntityKind::Division, dataset.divisions());

    // 1. The emulator's own cost: render + serialise each record (the HTTP body).
    let t = Instant::now();
    let mut bytes_json = 0usize;
    for i in 0..n {
        bytes_json += serde_json::to_string(&dataset.conversation_without_attributes(i))?.len();
    }
    let gen_s = t.elapsed().as_secs_f64();

    // 2. The whole export: render + serialise (emulator), then parse (the
    //    client's step), flatten, names, write.
    let conversations = stream::iter((0..n).map(|i| {
        let body = serde_json::to_string(&dataset.conversation_without_attributes(i))
            .map_err(|e| Error::internal(e.to_string()))?;
        let raw: Box<serde_json::value::RawValue> =
            serde_json::from_str(&body).map_err(|e| Error::internal(e.to_string()))?;
        Conversation::from_raw(&raw).map_err(|e| Error::internal(e.to_string()))
    }));
    let opts = ExportOptions {
        format,
        time_zone: "Europe/Berlin".into(),
        ..Default::default()
    };
    let dest = Destination {
        replace: true,
        ..Destination::new(out_dir.join(format!("bench-{n}.{}", format.extension())))
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let t = Instant::now();
    let summary = runtime.block_on(write_export(
        conversations,
        &names,
        &opts,
        &dest,
        CancellationToken::new(),
        |_| {},
    ))?;
    let total_s = t.elapsed().as_secs_f64();
    let pipeline_s = (total_s - gen_s).max(1e-9);
    println!(
        "format={} conversations={} rows={} json_mb={:.1} file_mb={:.1} gen_s={:.2} total_s={:.2} conv_per_s={:.0} pipeline_conv_per_s={:.0} vmhwm_mb={:.1}",
        format.extension(),
        summary.conversations,
        summary.rows,
        bytes_json as f64 / 1e6,
        summary.bytes as f64 / 1e6,
        gen_s,
        total_s,
        n as f64 / total_s,
        n as f64 / pipeline_s,
        vm_hwm_kb() as f64 / 1024.0,
    );
    if std::env::var_os("BENCH_KEEP").is_none() {
        std::fs::remove_file(&dest.path)?;
    }
    Ok(())
}
