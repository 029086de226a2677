//! Logging to a daily-rotated file in the app's log folder, for support.
//! Secrets and tokens are never logged: the core wraps them in types whose
//! `Debug`/`Display` print `[redacted]`. The folder is private to the user
//! (`0700`) and so is each day's file (`0600`, see `genesys_core::private_fs`).
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

const PREFIX: &str = "genesys-export";
const SUFFIX: &str = "log";

/// Start logging into `dir` (rotated daily, 14 files kept). Keep the guard alive.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    genesys_core::private_fs::create_dir_all(dir).ok()?;
    let mut private = PrivateDaily {
        dir: dir.to_path_buf(),
        prepared: None,
        appender: None,
    };
    // The appender opens today's file at once: create it private first.
    private.prepare();
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(14)
        .build(dir)
        .ok()?;
    private.appender = Some(appender);
    let (writer, guard) = tracing_appender::non_blocking(private);
    let filter = EnvFilter::try_from_env("GENESYS_EXPORT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,genesys_core=info,genesys_export=info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .try_init()
        .ok()?;
    Some(guard)
}

/// The daily appender, with each day's file created private before the
/// appender opens it (it would create it with the umask's permissions; it
/// appends to an existing file).
struct PrivateDaily {
    dir: PathBuf,
    /// The day whose file exists.
    prepared: Option<NaiveDate>,
    appender: Option<RollingFileAppender>,
}

impl PrivateDaily {
    /// Create the current day's file (the appender's name, UTC day) `0600`.
    fn prepare(&mut self) {
        let today = chrono::Utc::now().date_naive();
        if self.prepared == Some(today) {
            return;
        }
        let name = format!("{PREFIX}.{}.{SUFFIX}", today.format("%Y-%m-%d"));
        let created = genesys_core::private_fs::options()
            .append(true)
            .create(true)
            .open(self.dir.join(name));
        if created.is_ok() {
            self.prepared = Some(today);
        }
    }
}

impl Write for PrivateDaily {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.prepare();
        match &mut self.appender {
            Some(a) => a.write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.appender {
            Some(a) => a.flush(),
            None => Ok(()),
        }
    }
}
