//! Running exports: the cancellation registry, one run at a time per
//! connection, throttled progress, the run history and resume checkpoints.
//!
//! Everything here is Tauri-free so the app and the CLI share it.
mod checkpoint;
mod context;
mod events;
mod files;
mod history;
mod locks;
mod registry;
mod throttle;

pub use checkpoint::Checkpoints;
pub use context::Context;
pub use events::{
    CancelledData, ErrorInfo, ExportEvent, Failed, Finished, Phase, Progress, Queued, RunResult,
    RunStatus, RunSummary, Started, WindowInfo,
};
pub use history::{History, HistoryEntry, HistoryStatus, MAX_RUNS};
pub use locks::{ConnectionLocks, ConnectionTurn};
pub use registry::{Registry, RunGuard};
pub use throttle::{Throttle, PROGRESS_INTERVAL};
