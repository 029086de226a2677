//! Running exports: the cancellation registry, one run at a time per
//! connection, throttled progress, the run history and resume checkpoints.
//!
//! Everything here is Tauri-free so the app and the CLI share it.
mod checkpoint;
mod client;
mod context;
mod events;
mod exported;
mod files;
mod history;
mod history_row;
mod locks;
mod long_range;
mod plan;
mod preview;
mod registry;
mod resume;
mod run;
mod spec;
mod sweep;
mod throttle;
mod tracker;

pub use checkpoint::Checkpoints;
pub use client::{
    client_for, client_for_async, missing_secret, secret_for, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
pub use context::{Context, LIST_KEYCHAIN_WAIT};
pub use events::{
    ExportEvent, Phase, Progress, Queued, RunResult, RunStatus, RunSummary, Started, WindowInfo,
};
pub use exported::exported_file;
pub use history::{History, HistoryEntry, HistoryStatus, MAX_RUNS};
pub use locks::{ConnectionLocks, ConnectionTurn};
pub use long_range::{announce_long_range, long_range_notice, LongRange, LONG_RANGE_DAYS};
pub use plan::{plan, RunPlan};
pub use preview::{preview, PreviewResult, PREVIEW_PARALLEL, PREVIEW_ROWS};
pub use registry::{Registry, RunGuard};
pub use resume::find_resumable;
pub use run::{resume_export, run_export};
pub use spec::{AdHoc, EventSink, ExportSource, PlannedRun, RunSpec};
pub use sweep::{Sweep, STALE_AFTER};
pub use throttle::{Throttle, PROGRESS_INTERVAL};
