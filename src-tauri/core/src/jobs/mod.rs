//! Running exports: the cancellation registry, one run at a time per
//! connection, throttled progress, the run history and resume checkpoints.
//!
//! Everything here is Tauri-free so the app and the CLI share it.
mod checkpoint;
mod context;
mod events;
mod exported;
mod files;
mod history;
mod locks;
mod preview;
mod registry;
mod run;
mod sweep;
mod throttle;

pub use checkpoint::Checkpoints;
pub use context::{Context, LIST_KEYCHAIN_WAIT};
pub use events::{
    CancelledData, ErrorInfo, ExportEvent, Failed, Finished, Phase, Progress, Queued, RunResult,
    RunStatus, RunSummary, Started, WindowInfo,
};
pub use exported::exported_file;
pub use history::{History, HistoryEntry, HistoryStatus, MAX_RUNS};
pub use locks::{ConnectionLocks, ConnectionTurn};
pub use preview::{preview, PreviewResult, PREVIEW_PARALLEL, PREVIEW_ROWS};
pub use registry::{Registry, RunGuard};
pub use run::{
    client_for, client_for_async, find_resumable, plan, resume_export, run_export, AdHoc,
    EventSink, ExportSource, RunPlan, RunSpec, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
pub use sweep::{Sweep, STALE_AFTER};
pub use throttle::{Throttle, PROGRESS_INTERVAL};
