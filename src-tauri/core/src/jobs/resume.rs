//! Which interrupted run a new export continues ([`find_resumable`],
//! [`same_export`]) and where a resumed run starts again from
//! ([`usable_point`]).
use std::path::Path;

use super::checkpoint::RunCheckpoint;
use super::plan::RunPlan;
use super::{Context, HistoryEntry};
use crate::error::Result;
use crate::export::{self, ResumeState};
use crate::profiles::DateRange;

/// The newest interrupted run (see [`Context::pending_resumes`]) of the same
/// export as the plan `wanted` into `destination`: same connection (environment and
/// client id), filters, strategy and export options, and the same range, or
/// the same saved profile when its range is relative ("last 7 days" resumes
/// the range the interrupted run had frozen). `None` when there is none.
pub fn find_resumable(
    ctx: &Context,
    wanted: &RunPlan,
    destination: &Path,
) -> Result<Option<HistoryEntry>> {
    let mut pending = ctx.pending_resumes()?;
    pending.sort_by_key(|e| std::cmp::Reverse(e.started_at));
    for entry in pending {
        let Ok(Some(c)) = ctx.checkpoints.load::<RunCheckpoint>(&entry.run_id) else {
            continue;
        };
        if c.destination == destination && same_export(&c.plan, wanted) {
            return Ok(Some(entry));
        }
    }
    Ok(None)
}

/// Does `wanted` export what the interrupted run's `saved` plan exports?
pub(super) fn same_export(saved: &RunPlan, wanted: &RunPlan) -> bool {
    let (a, b) = (&saved.profile, &wanted.profile);
    let same_range = (saved.from, saved.to) == (wanted.from, wanted.to)
        || (!b.id.is_nil() && a.id == b.id && matches!(b.range, DateRange::Preset { .. }));
    saved.connection.environment == wanted.connection.environment
        && saved.connection.client_id == wanted.connection.client_id
        && a.filters == b.filters
        && a.strategy == b.strategy
        && a.export == b.export
        && a.time_zone == b.time_zone
        && same_range
}

/// The durable point a resumed run continues from: the checkpoint's, when
/// its partly written file is intact; otherwise `None` (start again from the
/// beginning of the range) with the note for the summary.
pub(super) fn usable_point(c: &RunCheckpoint) -> (Option<ResumeState>, Option<String>) {
    let Some(state) = &c.resume else {
        return (None, None);
    };
    let format = c.plan.profile.export.format;
    match export::resume::check(&c.destination, &c.run_id, format, state) {
        Ok(()) => (Some(state.clone()), None),
        Err(why) => {
            tracing::warn!(run_id = %c.run_id, "cannot continue the interrupted export: {why}");
            (None, Some(restart_note(&why)))
        }
    }
}

/// The warning of a resume that had to start again from the beginning.
pub(super) fn restart_note(why: &str) -> String {
    format!(
        "The interrupted export could not continue where it stopped ({why}), so it was exported again from the start of its date range."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::plan::resolve;
    use crate::jobs::plan::tests::{connection, profile};
    use chrono::{TimeZone, Utc};

    fn at(day: u32) -> RunPlan {
        let now = Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
        resolve(connection(), profile(), None, now, None).unwrap()
    }

    #[test]
    fn the_same_export_is_recognised_and_any_difference_is_not() {
        let saved = at(4);
        assert!(same_export(&saved, &saved.clone()));
        // A saved relative profile resumes its frozen range even a week later.
        let later = at(11);
        assert_ne!((later.from, later.to), (saved.from, saved.to));
        assert!(same_export(&saved, &later));
        // Only the name, file name and folder differ: still the same export.
        let mut renamed = saved.clone();
        renamed.profile.name = "Sales (renamed)".into();
        renamed.connection.name = "Production".into();
        renamed.file_name = "other.csv".into();
        renamed.folder = Some("elsewhere".into());
        assert!(same_export(&saved, &renamed));

        type Change = fn(&mut RunPlan);
        let changes: &[(&str, Change)] = &[
            ("environment", |p| {
                p.connection.environment = "usw2.pure.cloud".into()
            }),
            ("client id", |p| p.connection.client_id = "client-b".into()),
            ("filters", |p| {
                p.profile.filters.queue_ids = vec!["q1".into()]
            }),
            ("strategy", |p| {
                p.profile.strategy = crate::genesys::Strategy::Async
            }),
            ("format", |p| {
                p.profile.export.format = crate::export::Format::Jsonl
            }),
            ("time zone", |p| p.profile.time_zone = "UTC".into()),
            // Another profile with the same relative range, a week later.
            ("profile id", |p| {
                p.profile.id = uuid::Uuid::from_u128(7);
                p.from += chrono::Duration::days(7);
                p.to += chrono::Duration::days(7);
            }),
            // A fixed range resumes only the same range.
            ("fixed range", |p| {
                p.profile.range = DateRange::Fixed {
                    from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                    to: chrono::NaiveDate::from_ymd_opt(2026, 1, 7).unwrap(),
                };
                p.to += chrono::Duration::days(1);
            }),
        ];
        for (what, change) in changes {
            let mut wanted = saved.clone();
            change(&mut wanted);
            assert!(!same_export(&saved, &wanted), "a different {what} matched");
        }
    }

    /// Ad-hoc exports (the CLI's flags) have no saved profile: even with a
    /// relative range they resume only the same frozen range.
    #[test]
    fn an_ad_hoc_export_resumes_only_the_same_range() {
        let mut saved = at(4);
        saved.profile.id = uuid::Uuid::nil();
        let mut wanted = at(11);
        wanted.profile.id = uuid::Uuid::nil();
        assert!(!same_export(&saved, &wanted));
        wanted.from = saved.from;
        wanted.to = saved.to;
        assert!(same_export(&saved, &wanted));
    }
}
