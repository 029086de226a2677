//! Logging to a daily-rotated file in the app's log folder, for support.
//! Secrets and tokens are never logged: the core wraps them in types whose
//! `Debug`/`Display` print `[redacted]`.
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Start logging into `dir` (rotated daily, 14 files kept). Keep the guard alive.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("genesys-export")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("GENESYS_EXPORT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,genesys_core=info,genesys_export=info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .try_init()
        .ok()?;
    Some(guard)
}
