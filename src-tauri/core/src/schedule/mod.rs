//! Scheduled exports: a profile run by the operating system's scheduler every
//! day, weekday, week or month at a time of day, into a folder, while the app
//! is closed. Every rule lives here; the CLI (and later the app) only call it.
//!
//! - [`model`]: [`Schedule`], [`Every`], [`TimeOfDay`], [`LastRun`].
//! - [`next`]: when it runs next (DST-correct), whether an OS wake-up is due.
//! - [`store`]: `schedules.json` beside `profiles.json` (versioned, locked, atomic, private).
//! - [`os`]: systemd timers (Linux), Task Scheduler (Windows), launchd (macOS).
//!
//! Operations: [`add`], [`remove`], [`list`], [`run`], and
//! [`profile_deleted`] (called when a profile is deleted). Details and the
//! decisions behind them: `docs/schedules.md`.
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::clock::parse_time_zone;
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{self, Context, EventSink, PlannedRun, RunSpec, RunSummary};
use crate::profiles::{QueryProfile, Store};
use crate::secrets::Secret;

pub mod model;
pub mod next;
pub mod os;
pub mod store;

pub use model::{Every, LastRun, RunStatus, Schedule, TimeOfDay};
pub use os::{Entry, Installed, Launcher, OsScheduler};
pub use store::ScheduleStore;

/// What to schedule, as typed (checked by [`add`]).
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub profile_id: Uuid,
    /// `day`, `weekdays`, `week:mon`, `month:1` … (see [`Every::parse`]).
    pub every: String,
    /// `HH:MM`.
    pub at: String,
    /// Absolute folder to write into.
    pub folder: PathBuf,
    /// IANA zone for `at`; `None` = this computer's zone.
    pub time_zone: Option<String>,
}

/// A schedule made by [`add`].
#[derive(Debug, Clone)]
pub struct Added {
    pub schedule: Schedule,
    pub next_run: Option<DateTime<Utc>>,
    pub installed: Installed,
}

/// A schedule as listed: with its profile's name and next run.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    pub schedule: Schedule,
    /// `None` when the profile no longer exists.
    pub profile_name: Option<String>,
    pub next_run: Option<DateTime<Utc>>,
}

/// What [`run`] did.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// The export ran and the file is in place.
    Done(RunSummary),
    /// `--if-due` and no run time has passed since the last run.
    NotDue { next_run: Option<DateTime<Utc>> },
}

/// The next run of a schedule after `after` (none if its zone is unknown).
pub fn next_run(schedule: &Schedule, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz = parse_time_zone(&schedule.time_zone, "timeZone").ok()?;
    next::next_after(schedule.every, schedule.at, tz, after)
}

/// Check a folder a schedule writes into: a full path to an existing folder
/// where a file can be created, using the export's own destination rule
/// ([`crate::export::output::check_destination`], which also creates and
/// removes a temp file there) on the file the profile would write now.
pub fn check_folder(folder: &Path, profile: &QueryProfile, now: DateTime<Utc>) -> Result<()> {
    if !folder.is_absolute() {
        return Err(Error::invalid(
            "folder",
            format!("\"{}\" is not a full folder path.", folder.display()),
        ));
    }
    if !folder.is_dir() {
        return Err(Error::invalid(
            "folder",
            format!(
                "The folder \"{}\" does not exist. Create it (or pick another) first.",
                folder.display()
            ),
        ));
    }
    let dest = folder.join(profile.file_name(now)?);
    crate::export::output::check_destination(&dest, true)
}

/// Make a schedule: check everything, register it with the OS, then save it.
/// If saving fails the OS entry is removed again, so neither exists without
/// the other.
pub fn add(
    profiles: &Store,
    schedules: &ScheduleStore,
    scheduler: &OsScheduler,
    launcher: &Launcher,
    request: NewSchedule,
    now: DateTime<Utc>,
) -> Result<Added> {
    let profile = profiles.require_profile(request.profile_id)?.clone();
    let connection = profiles.require_connection(profile.connection_id)?;
    if connection.is_demo {
        return Err(Error::invalid(
            "profile",
            format!(
                "\"{}\" uses the demo organization, which exists only while the app is open. Schedule a profile of a real connection.",
                profile.name
            ),
        ));
    }
    let every = Every::parse(&request.every)?;
    let at = TimeOfDay::parse(&request.at)?;
    let time_zone = match request.time_zone.as_deref().map(str::trim) {
        Some(z) if !z.is_empty() => z.to_string(),
        _ => crate::profiles::system_time_zone(),
    };
    // Stored by its canonical name (the OS entries write it).
    let time_zone = parse_time_zone(&time_zone, "timeZone")?.name().to_string();
    check_folder(&request.folder, &profile, now)?;
    let schedule = Schedule {
        id: Uuid::new_v4(),
        profile_id: profile.id,
        every,
        at,
        time_zone,
        folder: request.folder.clone(),
        created_at: now,
        last_run: None,
    };
    let installed = scheduler.install(Entry {
        schedule: &schedule,
        profile_name: &profile.name,
        launcher,
        now,
    })?;
    if let Err(e) = schedules.save(&schedule) {
        let _ = scheduler.remove(schedule.id);
        return Err(e);
    }
    Ok(Added {
        next_run: next_run(&schedule, now),
        schedule,
        installed,
    })
}

/// Remove a schedule and its OS entry. The OS entry goes first: when it
/// cannot be removed the schedule is kept (and the error says why), so no
/// entry runs a schedule that no longer exists. Returns a note, if any.
pub fn remove(
    schedules: &ScheduleStore,
    scheduler: &OsScheduler,
    id: &str,
) -> Result<(Schedule, Option<String>)> {
    let schedule = schedules.find(id)?;
    let note = scheduler.remove(schedule.id)?;
    schedules.remove(schedule.id)?;
    Ok((schedule, note))
}

/// The schedules with their profile names and next runs. A last run still
/// recorded as running that no process runs any more (it holds no run lock in
/// `data_dir`; see [`jobs::Checkpoints::is_live`]) is shown as interrupted.
pub fn list(
    profiles: &Store,
    schedules: &ScheduleStore,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<Vec<ScheduleView>> {
    let checkpoints = jobs::Checkpoints::new(data_dir);
    Ok(schedules
        .list()?
        .into_iter()
        .map(|mut s| {
            if let Some(last) = s.last_run.as_mut() {
                // A run records its start a moment before it takes its lock.
                let settled = now - last.started_at > chrono::Duration::seconds(30);
                if last.status == RunStatus::Running
                    && settled
                    && !checkpoints.is_live(&last.run_id)
                {
                    last.status = RunStatus::Interrupted;
                }
            }
            ScheduleView {
                profile_name: profiles.profile(s.profile_id).map(|p| p.name.clone()),
                next_run: next_run(&s, now),
                schedule: s,
            }
        })
        .collect())
}

/// A profile was deleted: remove its schedules and their OS entries (best
/// effort; what fails is logged and cleaned up by the entry's next run, which
/// finds no profile). Called by [`Store::delete_profile`].
pub fn profile_deleted(config_dir: &Path, profile_id: Uuid) {
    let schedules = ScheduleStore::new(config_dir);
    let mine = match schedules.for_profile(profile_id) {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the schedules of a deleted profile");
            return;
        }
    };
    if mine.is_empty() {
        return;
    }
    let scheduler = match OsScheduler::for_this_user() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "could not find the OS scheduler");
            return;
        }
    };
    for s in mine {
        if let Err(e) = scheduler.remove(s.id) {
            tracing::warn!(schedule = %s.id, error = %e, "could not remove a deleted profile's OS schedule entry");
        }
        if let Err(e) = schedules.remove(s.id) {
            tracing::warn!(schedule = %s.id, error = %e, "could not remove a deleted profile's schedule");
        }
    }
}

/// Run a schedule now (what the OS entry does): its profile with the
/// profile's range and file name, into its folder, replacing a file of the
/// same name (a re-run of the same period). The run is recorded in the export
/// history (like every run) and as the schedule's [`LastRun`].
///
/// An OS entry left behind by a schedule or profile that no longer exists
/// removes itself and fails with `invalid_input` (exit code 2). With `if_due`, a wake-up with
/// no scheduled run since the last one does nothing ([`next::is_due`]).
pub async fn run(
    ctx: &Context,
    id: &str,
    secret: Option<Secret>,
    if_due: bool,
    events: EventSink,
    cancel: CancellationToken,
    now: DateTime<Utc>,
) -> Result<RunOutcome> {
    let schedules = ScheduleStore::new(&ctx.config_dir);
    let all = schedules.list()?;
    let wanted = id.trim().to_ascii_lowercase();
    let schedule = match store::find_in(&all, id) {
        Ok(s) => s.clone(),
        Err(_) if !all.iter().any(|s| s.id.to_string().starts_with(&wanted)) => {
            // A leftover OS entry: remove it so it stops waking up.
            if let (Ok(uuid), Ok(os)) = (Uuid::parse_str(id.trim()), OsScheduler::for_this_user()) {
                let _ = os.remove(uuid);
            }
            return Err(Error::invalid(
                "schedule",
                format!("There is no schedule {} any more; its entry in the system scheduler was removed.", id.trim()),
            ));
        }
        Err(e) => return Err(e),
    };
    let profile = ctx.store().profile(schedule.profile_id).cloned();
    let Some(profile) = profile else {
        if let Ok(os) = OsScheduler::for_this_user() {
            let _ = os.remove(schedule.id);
        }
        let _ = schedules.remove(schedule.id);
        return Err(Error::invalid(
            "profile",
            format!(
                "The profile of schedule {} was deleted, so the schedule was removed.",
                schedule.id
            ),
        ));
    };
    let tz = parse_time_zone(&schedule.time_zone, "timeZone")?;
    if if_due && !next::is_due(&schedule, tz, now) {
        return Ok(RunOutcome::NotDue {
            next_run: next_run(&schedule, now),
        });
    }
    let run_id = format!("sched-{}", Uuid::new_v4().simple());
    let started = LastRun {
        run_id: run_id.clone(),
        started_at: now,
        finished_at: None,
        status: RunStatus::Running,
        file: None,
        from: None,
        to: None,
        conversations: 0,
        rows: 0,
        message: None,
        error_kind: None,
    };
    // The run's one plan: the file name and the range it fetches.
    let prepared = (|| -> Result<PlannedRun> {
        let spec = RunSpec {
            run_id,
            source: jobs::ExportSource::Profile(profile.id),
            secret,
            now: Some(now),
            range: None,
            replace: true,
            keep_partial: false,
        };
        let plan = jobs::plan(ctx, &spec)?;
        let dest = schedule.folder.join(&plan.file_name);
        crate::export::output::check_destination(&dest, true)?;
        Ok(PlannedRun::from_plan(spec, plan, dest))
    })();
    let mut record = started.clone();
    if let Ok(run) = &prepared {
        record.file = Some(run.destination.clone());
        record.from = Some(run.plan.from);
        record.to = Some(run.plan.to);
    }
    schedules.update(schedule.id, |s| s.last_run = Some(record.clone()))?;

    let result = match prepared {
        Ok(run) => jobs::run_export(ctx, run, events, cancel).await,
        Err(e) => Err(e),
    };
    let result = result.map_err(|e| explain(e, &profile));
    let finished = Utc::now();
    let recorded = schedules.update(schedule.id, |s| {
        let mut last = record.clone();
        last.finished_at = Some(finished);
        match &result {
            Ok(summary) => {
                last.status = RunStatus::Done;
                last.conversations = summary.conversations;
                last.rows = summary.rows;
            }
            Err(e) => {
                last.status = if e.kind == ErrorKind::Cancelled {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Failed
                };
                last.message = Some(e.message.clone());
                last.error_kind = Some(e.kind);
            }
        }
        s.last_run = Some(last);
    });
    if let Err(e) = recorded {
        tracing::warn!(schedule = %schedule.id, error = %e, "could not record the scheduled run's result");
    }
    result.map(RunOutcome::Done)
}

/// Say plainly that a scheduled run could not sign in, and what to do.
fn explain(mut e: Error, profile: &QueryProfile) -> Error {
    if matches!(e.kind, ErrorKind::Auth | ErrorKind::Keychain) {
        e.message = format!(
            "The scheduled export of \"{}\" could not sign in to Genesys Cloud: {} Open the connection in Genesys Export, check its client id and secret (or sign in again); the next scheduled run will use them.",
            profile.name,
            e.message.trim_end()
        );
    }
    e
}
