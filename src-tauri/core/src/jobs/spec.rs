//! What to run: a [`RunSpec`] (a saved profile or ad-hoc flags, the
//! moment presets resolve at, an exact range, replace/keep-partial), the
//! [`PlannedRun`] made from it once (its plan fixed before any dialog), and
//! the [`EventSink`] its events go to.
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::events::ExportEvent;
use super::plan::{plan, RunPlan};
use super::Context;
use crate::error::Result;
use crate::profiles::{Connection, QueryProfile};
use crate::secrets::Secret;

/// Receives a run's events (the app forwards them to the UI's channel, the
/// CLI draws a progress bar). Called inline: keep it quick.
pub type EventSink = Arc<dyn Fn(ExportEvent) + Send + Sync>;

/// What to export.
#[derive(Debug, Clone)]
pub enum ExportSource {
    /// A saved profile, with its saved connection.
    Profile(Uuid),
    /// A profile and a connection given in full (the CLI's ad-hoc flags).
    AdHoc(Box<AdHoc>),
}

/// An ad-hoc export: everything given, nothing saved.
#[derive(Debug, Clone)]
pub struct AdHoc {
    pub connection: Connection,
    pub profile: QueryProfile,
}

/// One export to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Minted by the caller (the UI: `crypto.randomUUID()`); letters, digits, `-`, `_`.
    pub run_id: String,
    pub source: ExportSource,
    /// Use this secret instead of the keychain (CLI: `GENESYS_CLIENT_SECRET`).
    pub secret: Option<Secret>,
    /// The moment presets are resolved at; `None` = now.
    pub now: Option<DateTime<Utc>>,
    /// An exact range `[from, to)` instead of the profile's (the CLI's `--from`/`--to`).
    pub range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Replace an existing destination file.
    pub replace: bool,
    /// Keep what was written as `name (partial).ext` on cancel or failure.
    pub keep_partial: bool,
}

impl RunSpec {
    /// A run of a saved profile, now, not replacing anything.
    pub fn profile(run_id: impl Into<String>, profile_id: Uuid) -> Self {
        Self {
            run_id: run_id.into(),
            source: ExportSource::Profile(profile_id),
            secret: None,
            now: None,
            range: None,
            replace: false,
            keep_partial: false,
        }
    }
}

/// A run with its plan: the one [`RunPlan`] that names the file (the save
/// dialog's suggestion) and fixes the range the run fetches. Made once, before
/// the save dialog, and passed through to [`super::run_export`], which never
/// plans again: a preset such as "yesterday" cannot resolve to another day
/// because the dialog stayed open past midnight.
#[derive(Debug, Clone)]
pub struct PlannedRun {
    pub run_id: String,
    pub plan: RunPlan,
    /// Use this secret instead of the keychain (CLI: `GENESYS_CLIENT_SECRET`).
    pub secret: Option<Secret>,
    /// Where the file goes.
    pub destination: PathBuf,
    /// Replace an existing destination file.
    pub replace: bool,
    /// Keep what was written as `name (partial).ext` on cancel or failure.
    pub keep_partial: bool,
}

impl PlannedRun {
    /// Plan `spec` (see [`plan`]) for writing into `destination`.
    pub fn new(ctx: &Context, spec: RunSpec, destination: PathBuf) -> Result<Self> {
        let plan = plan(ctx, &spec)?;
        Ok(Self::from_plan(spec, plan, destination))
    }

    /// `spec` with the plan already made for it.
    pub fn from_plan(spec: RunSpec, plan: RunPlan, destination: PathBuf) -> Self {
        Self {
            run_id: spec.run_id,
            plan,
            secret: spec.secret,
            destination,
            replace: spec.replace,
            keep_partial: spec.keep_partial,
        }
    }
}
