//! `schedule add|list|remove` and `run-scheduled`: thin calls into
//! `genesys_core::schedule`, which holds every rule.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use genesys_core::jobs::{self, Context, ExportEvent};
use genesys_core::schedule::{
    self, Launcher, NewSchedule, OsScheduler, RunOutcome, RunStatus, ScheduleStore,
};
use genesys_core::{Error, Result};
use tokio_util::sync::CancellationToken;

use crate::args::{RunScheduledArgs, ScheduleCommand};
use crate::manage;
use crate::progress::Progress;

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(format!("Cannot use {}", path.display()), &e))
}

/// The OS entry runs this very program, with these folders.
fn launcher(config_dir: &Path, data_dir: &Path) -> Result<Launcher> {
    let program = std::env::current_exe()
        .map_err(|e| Error::io("Cannot find the path of genesys-export-cli", &e))?;
    Ok(Launcher {
        program,
        config_dir: absolute(config_dir)?,
        data_dir: absolute(data_dir)?,
    })
}

/// A time for people: local to the schedule's zone, with the zone.
fn when(t: Option<DateTime<Utc>>, zone: &str) -> String {
    match (t, zone.parse::<chrono_tz::Tz>()) {
        (Some(t), Ok(tz)) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        (Some(t), Err(_)) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        (None, _) => "-".to_string(),
    }
}

/// `schedule add|list|remove`.
pub fn command(config_dir: &Path, data_dir: &Path, cmd: ScheduleCommand) -> Result<()> {
    let schedules = ScheduleStore::new(config_dir);
    let scheduler = OsScheduler::for_this_user()?;
    match cmd {
        ScheduleCommand::Add {
            profile,
            every,
            at,
            folder,
            time_zone,
        } => {
            let store = manage::open_store(config_dir);
            let profile = manage::find_profile(&store, &profile)?.clone();
            let launcher = launcher(config_dir, data_dir)?;
            let added = schedule::add(
                &store,
                &schedules,
                &scheduler,
                &launcher,
                NewSchedule {
                    profile_id: profile.id,
                    every,
                    at,
                    folder: absolute(&folder)?,
                    time_zone,
                },
                Utc::now(),
            )?;
            let s = &added.schedule;
            println!(
                "Scheduled \"{}\" {} at {} ({}) into {}.",
                profile.name,
                s.every.describe(),
                s.at,
                s.time_zone,
                s.folder.display()
            );
            println!("Schedule id: {}", s.id);
            println!("Next run: {}", when(added.next_run, &s.time_zone));
            for f in &added.installed.files {
                println!("System scheduler entry: {}", f.display());
            }
            if let Some(note) = &added.installed.note {
                eprintln!("note: {note}");
            }
            Ok(())
        }
        ScheduleCommand::List => {
            let store = manage::open_store(config_dir);
            let views = schedule::list(&store, &schedules, data_dir, Utc::now())?;
            if views.is_empty() {
                println!("No schedules. Add one with `genesys-export-cli schedule add`.");
                return Ok(());
            }
            println!(
                "{:<10} {:<24} {:<34} {:<24} {:<24} LAST RESULT",
                "ID", "PROFILE", "WHEN", "NEXT RUN", "LAST RUN"
            );
            for v in views {
                let s = &v.schedule;
                let id = s.id.to_string();
                let (last, result) = match &s.last_run {
                    None => ("never".to_string(), "-".to_string()),
                    Some(r) => {
                        let result = match r.status {
                            RunStatus::Done => {
                                format!("done: {} conversations, {} rows", r.conversations, r.rows)
                            }
                            RunStatus::Running => "running".to_string(),
                            RunStatus::Interrupted => {
                                "interrupted (stopped before it ended)".to_string()
                            }
                            RunStatus::Cancelled => "cancelled".to_string(),
                            RunStatus::Failed => {
                                format!("failed: {}", r.message.clone().unwrap_or_default())
                            }
                        };
                        (when(Some(r.started_at), &s.time_zone), result)
                    }
                };
                println!(
                    "{:<10} {:<24} {:<34} {:<24} {:<24} {}",
                    &id[..8],
                    v.profile_name.as_deref().unwrap_or("(deleted profile)"),
                    format!("{} at {}", s.every, s.at),
                    when(v.next_run, &s.time_zone),
                    last,
                    result
                );
            }
            Ok(())
        }
        ScheduleCommand::Remove { id } => {
            let (removed, note) = schedule::remove(&schedules, &scheduler, &id)?;
            println!(
                "Removed schedule {} and its system scheduler entry.",
                removed.id
            );
            if let Some(note) = note {
                eprintln!("note: {note}");
            }
            Ok(())
        }
    }
}

/// `run-scheduled --schedule ID`: run the schedule's profile through the
/// engine (history, the per-client queue, checkpoints), Ctrl-C and SIGTERM
/// cancelling cleanly (systemd stops a service with SIGTERM).
pub async fn run_scheduled(
    config_dir: PathBuf,
    data_dir: PathBuf,
    args: RunScheduledArgs,
) -> Result<()> {
    let (ctx, notices) = tokio::task::block_in_place(|| {
        Context::open(
            config_dir,
            data_dir,
            Arc::new(genesys_core::secrets::KeyringStore::new()),
        )
    });
    for n in notices {
        eprintln!("note: {n}");
    }
    // GENESYS_CLIENT_SECRET overrides the keychain (servers without one).
    let secret = crate::export::secret_from_env();
    let progress = Progress::new(args.quiet);
    let sink = progress.clone();
    let events: jobs::EventSink = Arc::new(move |e: ExportEvent| sink.event(&e));
    let cancel = CancellationToken::new();
    let outcome = {
        let work = schedule::run(
            &ctx,
            &args.schedule,
            secret,
            args.if_due,
            events,
            cancel.clone(),
            Utc::now(),
        );
        tokio::pin!(work);
        tokio::select! {
            r = &mut work => r,
            _ = crate::run::interrupted() => {
                progress.say("Cancelling: stopping requests and deleting open export jobs…");
                cancel.cancel();
                match work.await {
                    Ok(done) => Ok(done),
                    Err(_) => Err(Error::cancelled()),
                }
            }
        }
    };
    progress.finish();
    match outcome {
        Ok(RunOutcome::Done(summary)) => {
            for w in &summary.warnings {
                eprintln!("note: {}", crate::safe(w));
            }
            println!(
                "Exported {} conversations ({} rows) to {} ({} bytes).",
                summary.conversations, summary.rows, summary.path, summary.bytes
            );
            Ok(())
        }
        Ok(RunOutcome::NotDue { next_run }) => {
            println!(
                "Not due: no scheduled time has passed since the last run. Next run: {}.",
                next_run.map_or("-".to_string(), |t| t.to_rfc3339())
            );
            Ok(())
        }
        Err(e) => {
            crate::run::let_cleanup_finish().await;
            Err(e)
        }
    }
}
