//! What a run will do, known before anything is sent: the [`RunPlan`]
//! (connection, profile, resolved range, file name, folder).
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::spec::{ExportSource, RunSpec};
use super::Context;
use crate::error::{Error, Result};
use crate::profiles::{Connection, QueryProfile};

/// What a run is about to do, known before anything is fetched: used for the
/// save dialog (file name, folder) and stored in the checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    pub connection: Connection,
    pub profile: QueryProfile,
    /// The resolved range `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The file name from the profile's template.
    pub file_name: String,
    /// The folder a save dialog should start in.
    pub folder: Option<PathBuf>,
}

impl RunPlan {
    /// `from` as RFC 3339 in the profile's zone.
    pub fn from_local(&self) -> String {
        local(self.from, &self.profile.time_zone)
    }

    pub fn to_local(&self) -> String {
        local(self.to, &self.profile.time_zone)
    }
}

fn local(t: DateTime<Utc>, zone: &str) -> String {
    match crate::clock::parse_time_zone(zone, "timeZone") {
        Ok(tz) => t.with_timezone(&tz).to_rfc3339(),
        Err(_) => t.to_rfc3339(),
    }
}

/// Work out what a run will do (profile, connection, range, file name)
/// without sending anything. Field-level errors for a bad profile.
pub fn plan(ctx: &Context, spec: &RunSpec) -> Result<RunPlan> {
    let store = ctx.store();
    let (connection, profile) = match &spec.source {
        ExportSource::Profile(id) => {
            let profile = store.require_profile(*id)?.clone();
            let connection = store.require_connection(profile.connection_id)?.clone();
            (connection, profile)
        }
        ExportSource::AdHoc(adhoc) => (adhoc.connection.clone(), adhoc.profile.clone()),
    };
    let folder = store.folder_for(&profile);
    drop(store);
    resolve(
        connection,
        profile,
        spec.range,
        spec.now.unwrap_or_else(Utc::now),
        folder,
    )
}

/// The plan of `profile` on `connection` at `now`: the exact `range` when
/// given (its end after its start), else the profile's range resolved in its
/// time zone; the file name from the profile's template at `now`.
pub(super) fn resolve(
    connection: Connection,
    profile: QueryProfile,
    range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
    folder: Option<PathBuf>,
) -> Result<RunPlan> {
    let (from, to) = match range {
        Some((from, to)) if from < to => (from, to),
        Some(_) => {
            return Err(Error::invalid(
                "to",
                "The end of the date range must be after its start.",
            ))
        }
        None => profile.resolve_range(now)?,
    };
    // A range of the profile's own (not a preset): within Genesys's
    // retention, ending by tomorrow. (The CLI checks the `--from`/`--to` it
    // passes as `range` with the same rule.)
    if !matches!(profile.range, crate::profiles::DateRange::Preset { .. }) {
        let tz = crate::clock::parse_time_zone(&profile.time_zone, "timeZone")?;
        crate::profiles::check_range_bounds(from, to, now, tz)?;
    }
    let file_name = profile.file_name(now)?;
    Ok(RunPlan {
        connection,
        profile,
        from,
        to,
        file_name,
        folder,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::ErrorKind;
    use chrono::TimeZone;

    pub fn connection() -> Connection {
        serde_json::from_value(serde_json::json!({
            "id": "11111111-1111-4111-8111-111111111111",
            "name": "Prod",
            "environment": "mypurecloud.ie",
            "clientId": "client-a",
        }))
        .unwrap()
    }

    /// A profile "Sales" on [`connection`], last week in Berlin, CSV.
    pub fn profile() -> QueryProfile {
        serde_json::from_value(serde_json::json!({
            "id": "22222222-2222-4222-8222-222222222222",
            "name": "Sales",
            "connectionId": "11111111-1111-4111-8111-111111111111",
            "range": {"kind": "preset", "preset": "last_week"},
            "timeZone": "Europe/Berlin",
            "options": {"format": "csv"},
            "fileNameTemplate": "{profile} {from}–{to}",
        }))
        .unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn resolves_the_preset_in_the_profiles_zone_and_names_the_file_from_it() {
        // Wednesday 2026-03-04 00:30 in Berlin (23:30 UTC the day before).
        let now = utc(2026, 3, 3, 23) + chrono::Duration::minutes(30);
        let folder = Some(PathBuf::from("exports"));
        let p = resolve(connection(), profile(), None, now, folder.clone()).unwrap();
        // Last week = Monday 23 Feb to Monday 2 Mar, Berlin midnight (UTC+1).
        assert_eq!(p.from, utc(2026, 2, 22, 23));
        assert_eq!(p.to, utc(2026, 3, 1, 23));
        assert_eq!(p.file_name, "Sales 2026-02-23–2026-03-01.csv");
        assert_eq!(p.from_local(), "2026-02-23T00:00:00+01:00");
        assert_eq!(p.to_local(), "2026-03-02T00:00:00+01:00");
        assert_eq!(p.folder, folder);
        assert_eq!(p.connection, connection());
        assert_eq!(p.profile, profile());
    }

    #[test]
    fn an_exact_range_replaces_the_profiles_and_must_not_be_empty() {
        let now = utc(2026, 3, 4, 12);
        let (a, b) = (utc(2026, 1, 1, 0), utc(2026, 1, 2, 6));
        let p = resolve(connection(), profile(), Some((a, b)), now, None).unwrap();
        assert_eq!((p.from, p.to), (a, b));
        for bad in [(b, a), (a, a)] {
            let e = resolve(connection(), profile(), Some(bad), now, None).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput);
            assert_eq!(e.field.as_deref(), Some("to"), "{bad:?}");
        }
    }

    #[test]
    fn a_bad_time_zone_is_a_field_error() {
        let mut bad = profile();
        bad.time_zone = "Mars/Olympus".into();
        let e = resolve(connection(), bad, None, utc(2026, 3, 4, 12), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert_eq!(e.field.as_deref(), Some("timeZone"));
    }
}
