//! Scheduled exports (`genesys_core::schedule` holds every rule): add, list,
//! remove, and run one now (what the OS scheduler's entry does).
use genesys_core::schedule::{
    self, Added, Launcher, NewSchedule, OsScheduler, RunOutcome, Schedule, ScheduleStore,
    ScheduleView,
};
use genesys_core::secrets::Secret;
use genesys_core::{Error, Result};

use crate::host::Host;
use crate::runs::Gate;
use crate::Ops;

fn absolute(path: &std::path::Path) -> Result<std::path::PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(format!("Cannot use {}", path.display()), &e))
}

/// The OS entry runs the host's command-line program with this process's folders.
fn launcher(ops: &Ops, host: &impl Host) -> Result<Launcher> {
    Ok(Launcher {
        program: host.scheduled_program()?,
        config_dir: absolute(&ops.ctx.config_dir)?,
        data_dir: absolute(&ops.ctx.data_dir)?,
    })
}

/// `add_schedule`: check it, register it with the OS scheduler, save it.
pub async fn add_schedule(ops: &Ops, host: &impl Host, request: NewSchedule) -> Result<Added> {
    let launcher = launcher(ops, host)?;
    let now = host.now();
    ops.blocking(move |ctx| {
        let schedules = ScheduleStore::new(&ctx.config_dir);
        let scheduler = OsScheduler::for_this_user()?;
        let store = ctx.store();
        schedule::add(&store, &schedules, &scheduler, &launcher, request, now)
    })
    .await
}

/// `list_schedules`: with their profiles' names, next runs and last results.
pub async fn list_schedules(ops: &Ops, host: &impl Host) -> Result<Vec<ScheduleView>> {
    let now = host.now();
    ops.blocking(move |ctx| {
        let schedules = ScheduleStore::new(&ctx.config_dir);
        let store = ctx.store();
        schedule::list(&store, &schedules, &ctx.data_dir, now)
    })
    .await
}

/// `remove_schedule`: its OS entry first, then the schedule (by id or a
/// unique start of it). Returns the schedule and a note, if any.
pub async fn remove_schedule(ops: &Ops, id: &str) -> Result<(Schedule, Option<String>)> {
    let id = id.to_string();
    ops.blocking(move |ctx| {
        let schedules = ScheduleStore::new(&ctx.config_dir);
        let scheduler = OsScheduler::for_this_user()?;
        schedule::remove(&schedules, &scheduler, &id)
    })
    .await
}

/// `run_schedule`: run a schedule now, as its OS entry does (`if_due`: only
/// when a scheduled time has passed since its last run). Registered under
/// `run_id`, so [`crate::cancel_export`] cancels it; events go to the host.
pub async fn run_schedule(
    ops: &Ops,
    host: &impl Host,
    run_id: &str,
    schedule_id: &str,
    secret: Option<Secret>,
    if_due: bool,
) -> Result<RunOutcome> {
    let guard = ops.ctx.registry.register(run_id, host.owner().as_deref())?;
    let gate = Gate::new(host);
    let result = schedule::run(
        &ops.ctx,
        schedule_id,
        secret,
        if_due,
        gate.sink.clone(),
        guard.token(),
        host.now(),
    )
    .await;
    match result {
        Err(e) if guard.token().is_cancelled() => Err(Error::cancelled().with_cause(e.message)),
        other => other,
    }
}
