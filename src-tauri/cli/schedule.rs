//! `schedule add|list|remove` and `run-scheduled`: calls of the schedule
//! operations (`genesys_ops`; every rule is in `genesys_core::schedule`).
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use genesys_core::schedule::{NewSchedule, RunOutcome, RunStatus};
use genesys_core::{Error, Result};
use genesys_ops::Ops;

use crate::args::{RunScheduledArgs, ScheduleCommand};
use crate::host::TerminalHost;

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(format!("Cannot use {}", path.display()), &e))
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
pub async fn command(ops: &Ops, cmd: ScheduleCommand) -> Result<()> {
    let host = TerminalHost::new(true);
    match cmd {
        ScheduleCommand::Add {
            profile,
            every,
            at,
            folder,
            time_zone,
        } => {
            let profile = genesys_ops::profile_named(ops, &profile)?;
            let request = NewSchedule {
                profile_id: profile.id,
                every,
                at,
                folder: absolute(&folder)?,
                time_zone,
            };
            let added = genesys_ops::add_schedule(ops, &host, request).await?;
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
            let views = genesys_ops::list_schedules(ops, &host).await?;
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
            let (removed, note) = genesys_ops::remove_schedule(ops, &id).await?;
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
pub async fn run_scheduled(ops: &Ops, args: RunScheduledArgs) -> Result<()> {
    // GENESYS_CLIENT_SECRET overrides the keychain (servers without one).
    let secret = crate::export::secret_from_env();
    let host = TerminalHost::new(args.quiet);
    let run_id = format!("cli-{}", uuid::Uuid::new_v4());
    let work = genesys_ops::run_schedule(ops, &host, &run_id, &args.schedule, secret, args.if_due);
    let outcome = crate::run::until_interrupted(ops, &host, &run_id, work).await;
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
        Err(e) => Err(e),
    }
}
