//! App-wide information for the About/Help screen, the region list, and the
//! built-in demo organization.
use genesys_core::genesys::{regions, Region};
use genesys_core::profiles::{ConnectionView, QueryProfile};
use genesys_core::{Error, Result};
use serde::Serialize;

use crate::host::Host;
use crate::Ops;

/// `app_info`: version, folders and start-up notices.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub log_dir: String,
    pub config_dir: String,
    /// e.g. "profiles file was corrupt and set aside".
    pub notices: Vec<String>,
}

/// What `start_demo` returns.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoResult {
    pub connection: ConnectionView,
    pub profiles: Vec<QueryProfile>,
}

/// `app_info`.
pub fn app_info(ops: &Ops, host: &impl Host) -> AppInfo {
    // The UI asks for this first thing: its script is loaded and running.
    // (`tests/bench/app_startup.sh` times cold start to this line.)
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| tracing::info!("window ready: the UI sent its first command"));
    AppInfo {
        version: host.app_version(),
        log_dir: host
            .log_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        config_dir: ops.ctx.config_dir.display().to_string(),
        notices: ops.notices(),
    }
}

/// `list_regions`: the Genesys Cloud regions with friendly names.
pub fn list_regions() -> Vec<Region> {
    regions()
}

/// `start_demo`: start the built-in emulator (once per process) and
/// create/refresh the demo connection and its two example profiles.
pub async fn start_demo(ops: &Ops) -> Result<DemoResult> {
    let sim = ops
        .demo
        .get_or_try_init(|| async {
            genesys_sim::Sim::start(genesys_sim::SimConfig::default())
                .await
                .map_err(|e| {
                    Error::internal("The demo organization could not start.").with_cause(e)
                })
        })
        .await?;
    let base_url = sim.base_url();
    ops.blocking(move |ctx| {
        let (connection, profiles) = ctx.store().ensure_demo(&base_url)?;
        let deadline = std::time::Instant::now() + genesys_core::jobs::LIST_KEYCHAIN_WAIT;
        Ok(DemoResult {
            connection: ctx.connection_view(connection, deadline),
            profiles,
        })
    })
    .await
}
