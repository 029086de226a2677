//! Relative presets → `[from, to)` instants across DST changes and month/year
//! ends in several zones (table-driven), fixed ranges, local-time gaps and
//! overlaps, file names from templates, and system time-zone detection.
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use genesys_core::export::Format;
use genesys_core::profiles::{
    detect_time_zone, local_to_utc, sanitize_file_stem, DateRange, QueryProfile, RelativePreset,
};
use genesys_core::ErrorKind;
use uuid::Uuid;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("bad test instant {s}: {e}"))
        .with_timezone(&Utc)
}

fn profile(zone: &str, range: DateRange) -> QueryProfile {
    QueryProfile {
        id: Uuid::new_v4(),
        name: "Sales voice".into(),
        connection_id: Uuid::new_v4(),
        range,
        time_zone: zone.into(),
        filters: Default::default(),
        export: Default::default(),
        strategy: Default::default(),
        default_folder: None,
        file_name_template: "{profile} {from}–{to}".into(),
    }
}

use RelativePreset::*;

/// (zone, now, preset, expected from, expected to, what the row is about)
const CASES: &[(&str, &str, RelativePreset, &str, &str, &str)] = &[
    // ---- America/New_York: EST -5 / EDT -4; DST 2026-03-08 and 2026-11-01
    (
        "America/New_York",
        "2026-03-10T15:00:00Z",
        LastWeek,
        "2026-03-02T05:00:00Z",
        "2026-03-09T04:00:00Z",
        "week containing spring-forward is 1 h short",
    ),
    (
        "America/New_York",
        "2026-03-09T12:00:00Z",
        Yesterday,
        "2026-03-08T05:00:00Z",
        "2026-03-09T04:00:00Z",
        "spring-forward day is 23 h",
    ),
    (
        "America/New_York",
        "2026-03-08T12:00:00Z",
        Today,
        "2026-03-08T05:00:00Z",
        "2026-03-09T04:00:00Z",
        "today on the spring-forward day",
    ),
    (
        "America/New_York",
        "2026-11-02T12:00:00Z",
        Yesterday,
        "2026-11-01T04:00:00Z",
        "2026-11-02T05:00:00Z",
        "fall-back day is 25 h",
    ),
    (
        "America/New_York",
        "2027-01-01T03:00:00Z",
        ThisMonth,
        "2026-12-01T05:00:00Z",
        "2027-01-01T05:00:00Z",
        "UTC is already next year, local is still Dec 31",
    ),
    (
        "America/New_York",
        "2027-01-01T06:00:00Z",
        LastMonth,
        "2026-12-01T05:00:00Z",
        "2027-01-01T05:00:00Z",
        "last month across the year end",
    ),
    (
        "America/New_York",
        "2027-01-01T06:00:00Z",
        Yesterday,
        "2026-12-31T05:00:00Z",
        "2027-01-01T05:00:00Z",
        "yesterday = Dec 31",
    ),
    (
        "America/New_York",
        "2027-01-01T06:00:00Z",
        ThisWeek,
        "2026-12-28T05:00:00Z",
        "2027-01-04T05:00:00Z",
        "this week spans the year end (Mon Dec 28)",
    ),
    (
        "America/New_York",
        "2026-03-31T16:00:00Z",
        Last30Days,
        "2026-03-01T05:00:00Z",
        "2026-03-31T04:00:00Z",
        "last 30 days across spring-forward",
    ),
    // ---- Europe/Berlin: CET +1 / CEST +2; DST 2026-03-29 and 2026-10-25
    (
        "Europe/Berlin",
        "2026-03-30T10:00:00Z",
        Yesterday,
        "2026-03-28T23:00:00Z",
        "2026-03-29T22:00:00Z",
        "spring-forward day is 23 h",
    ),
    (
        "Europe/Berlin",
        "2026-10-26T10:00:00Z",
        Last7Days,
        "2026-10-18T22:00:00Z",
        "2026-10-25T23:00:00Z",
        "last 7 days across fall-back",
    ),
    (
        "Europe/Berlin",
        "2026-04-01T00:30:00Z",
        LastMonth,
        "2026-02-28T23:00:00Z",
        "2026-03-31T22:00:00Z",
        "March: starts in CET, ends in CEST",
    ),
    (
        "Europe/Berlin",
        "2026-12-31T23:30:00Z",
        Today,
        "2026-12-31T23:00:00Z",
        "2027-01-01T23:00:00Z",
        "local is already Jan 1 while UTC is Dec 31",
    ),
    (
        "Europe/Berlin",
        "2026-12-31T23:30:00Z",
        LastMonth,
        "2026-11-30T23:00:00Z",
        "2026-12-31T23:00:00Z",
        "last month = December when local is Jan 1",
    ),
    (
        "Europe/Berlin",
        "2026-12-31T23:30:00Z",
        ThisWeek,
        "2026-12-27T23:00:00Z",
        "2027-01-03T23:00:00Z",
        "week across the year end",
    ),
    (
        "Europe/Berlin",
        "2026-03-31T12:00:00Z",
        Last30Days,
        "2026-02-28T23:00:00Z",
        "2026-03-30T22:00:00Z",
        "last 30 days across spring-forward",
    ),
    (
        "Europe/Berlin",
        "2026-10-28T12:00:00Z",
        LastWeek,
        "2026-10-18T22:00:00Z",
        "2026-10-25T23:00:00Z",
        "week containing fall-back is 1 h long",
    ),
    // ---- Australia/Sydney: AEST +10 / AEDT +11; DST ends 2026-04-05, starts 2026-10-04
    (
        "Australia/Sydney",
        "2026-04-05T20:00:00Z",
        Yesterday,
        "2026-04-04T13:00:00Z",
        "2026-04-05T14:00:00Z",
        "end of DST: 25 h day",
    ),
    (
        "Australia/Sydney",
        "2026-10-05T01:00:00Z",
        Yesterday,
        "2026-10-03T14:00:00Z",
        "2026-10-04T13:00:00Z",
        "start of DST: 23 h day",
    ),
    (
        "Australia/Sydney",
        "2026-10-07T00:00:00Z",
        LastWeek,
        "2026-09-27T14:00:00Z",
        "2026-10-04T13:00:00Z",
        "last week ends on the DST start",
    ),
    (
        "Australia/Sydney",
        "2026-12-31T14:00:00Z",
        Today,
        "2026-12-31T13:00:00Z",
        "2027-01-01T13:00:00Z",
        "local Jan 1, UTC Dec 31",
    ),
    (
        "Australia/Sydney",
        "2026-12-31T14:00:00Z",
        LastMonth,
        "2026-11-30T13:00:00Z",
        "2026-12-31T13:00:00Z",
        "last month across the year end",
    ),
    (
        "Australia/Sydney",
        "2026-12-31T14:00:00Z",
        ThisMonth,
        "2026-12-31T13:00:00Z",
        "2027-01-31T13:00:00Z",
        "this month = January",
    ),
    (
        "Australia/Sydney",
        "2028-02-15T00:00:00Z",
        ThisMonth,
        "2028-01-31T13:00:00Z",
        "2028-02-29T13:00:00Z",
        "leap February",
    ),
    (
        "Australia/Sydney",
        "2026-04-10T02:00:00Z",
        Last7Days,
        "2026-04-02T13:00:00Z",
        "2026-04-09T14:00:00Z",
        "last 7 days across the end of DST",
    ),
    // ---- UTC sanity
    (
        "UTC",
        "2026-05-13T09:00:00Z",
        ThisWeek,
        "2026-05-11T00:00:00Z",
        "2026-05-18T00:00:00Z",
        "weeks start on Monday",
    ),
    (
        "UTC",
        "2026-05-17T23:59:59Z",
        ThisWeek,
        "2026-05-11T00:00:00Z",
        "2026-05-18T00:00:00Z",
        "Sunday is the last day of the week",
    ),
    (
        "UTC",
        "2026-05-18T00:00:00Z",
        LastWeek,
        "2026-05-11T00:00:00Z",
        "2026-05-18T00:00:00Z",
        "Monday midnight starts a new week",
    ),
];

#[test]
fn presets_table_across_dst_and_month_and_year_ends() {
    let mut failures = Vec::new();
    for (zone, now, preset, from, to, about) in CASES {
        let p = profile(zone, DateRange::Preset { preset: *preset });
        let got = p.resolve_range(utc(now)).expect("valid profile");
        let want = (utc(from), utc(to));
        if got != want {
            failures.push(format!(
                "{zone} {now} {preset:?} ({about}): got {} – {}, want {from} – {to}",
                got.0.to_rfc3339(),
                got.1.to_rfc3339()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_preset_contains_or_precedes_now_and_is_whole_days() {
    // For each zone and many instants through a year, each preset's range is
    // non-empty, "current" presets contain now and "past" ones end at or before now.
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney"] {
        let mut now = utc("2026-01-01T00:17:00Z");
        while now < utc("2027-01-03T00:00:00Z") {
            for preset in RelativePreset::ALL {
                let (from, to) = profile(zone, DateRange::Preset { preset })
                    .resolve_range(now)
                    .expect("valid");
                assert!(from < to, "{zone} {now} {preset:?}");
                let hours = (to - from).num_hours();
                let current = matches!(preset, Today | ThisWeek | ThisMonth);
                if current {
                    assert!(
                        from <= now && now < to,
                        "{zone} {now} {preset:?} {from} {to}"
                    );
                } else {
                    assert!(to <= now, "{zone} {now} {preset:?} ends after now");
                    if matches!(preset, Yesterday | Last7Days | Last30Days) {
                        assert!(
                            now - to < chrono::Duration::hours(25),
                            "{zone} {now} {preset:?}"
                        );
                    }
                }
                // Whole local days: the length is days*24 give or take one DST hour.
                let off = hours.rem_euclid(24);
                assert!(
                    off == 0 || off == 1 || off == 23,
                    "{zone} {now} {preset:?}: {hours} h"
                );
            }
            now += chrono::Duration::hours(37);
        }
    }
}

#[test]
fn fixed_dates_are_inclusive_whole_days_in_the_zone() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let p = profile(
        "Europe/Berlin",
        DateRange::Fixed {
            from: d("2026-03-28"),
            to: d("2026-03-29"),
        },
    );
    let (from, to) = p.resolve_range(utc("2030-01-01T00:00:00Z")).expect("valid");
    assert_eq!(from, utc("2026-03-27T23:00:00Z"));
    assert_eq!(to, utc("2026-03-29T22:00:00Z"));
    // Same day twice = that one day.
    let one = profile(
        "America/New_York",
        DateRange::Fixed {
            from: d("2026-11-01"),
            to: d("2026-11-01"),
        },
    );
    let (from, to) = one.resolve_range(Utc::now()).expect("valid");
    assert_eq!((to - from).num_hours(), 25);
}

#[test]
fn fixed_range_with_end_before_start_is_a_field_error() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let p = profile(
        "UTC",
        DateRange::Fixed {
            from: d("2026-03-10"),
            to: d("2026-03-09"),
        },
    );
    let err = p.resolve_range(Utc::now()).expect_err("to < from");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("to"));
}

#[test]
fn local_times_in_gaps_and_overlaps() {
    let dt = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("datetime");
    // A time that does not exist (clocks jump 02:00 → 03:00) moves forward
    // to the first valid instant, the jump: 02:30 → 03:00 EDT (the CLI's
    // rule too; see `genesys_core::clock`).
    assert_eq!(
        local_to_utc(chrono_tz::America::New_York, dt("2026-03-08 02:30")),
        utc("2026-03-08T07:00:00Z")
    );
    assert_eq!(
        local_to_utc(chrono_tz::America::New_York, dt("2026-03-08 02:00")),
        utc("2026-03-08T07:00:00Z"),
        "the start of the gap is the moment of the jump"
    );
    // Midnight that does not exist (São Paulo, 2018-11-04 00:00 → 01:00).
    let p = profile("America/Sao_Paulo", DateRange::Preset { preset: Today });
    let (from, to) = p.resolve_range(utc("2018-11-04T15:00:00Z")).expect("valid");
    assert_eq!(from, utc("2018-11-04T03:00:00Z"));
    assert_eq!(to, utc("2018-11-05T02:00:00Z"));
    // A time that happens twice (clocks go back 02:00 → 01:00) is the first one.
    assert_eq!(
        local_to_utc(chrono_tz::America::New_York, dt("2026-11-01 01:30")),
        utc("2026-11-01T05:30:00Z")
    );
    // Fixed date-times use the same rules and keep `to` excluded.
    let p = profile(
        "Europe/Berlin",
        DateRange::FixedDateTimes {
            from: dt("2026-10-25 01:00"),
            to: dt("2026-10-25 04:00"),
        },
    );
    let (from, to) = p.resolve_range(Utc::now()).expect("valid");
    assert_eq!(from, utc("2026-10-24T23:00:00Z"));
    assert_eq!(to, utc("2026-10-25T03:00:00Z"));
    assert_eq!((to - from).num_hours(), 4, "the repeated hour counts");
}

#[test]
fn invalid_time_zone_is_a_field_error() {
    let p = profile("Mars/Olympus", DateRange::default());
    let err = p.resolve_range(Utc::now()).expect_err("bad zone");
    assert_eq!(err.field.as_deref(), Some("timeZone"));
    assert!(err.message.contains("Mars/Olympus"), "{}", err.message);
}

#[test]
fn file_names_from_templates() {
    let now = utc("2026-03-10T15:00:00Z");
    let mut p = profile("Europe/Berlin", DateRange::Preset { preset: LastWeek });
    assert_eq!(
        p.file_name(now).expect("name"),
        "Sales voice 2026-03-02–2026-03-08.xlsx"
    );

    p.export.format = Format::Csv;
    p.file_name_template = "{profile} {from} to {to}.xlsx".into();
    assert_eq!(
        p.file_name(now).expect("name"),
        "Sales voice 2026-03-02 to 2026-03-08.csv",
        "the extension follows the format"
    );

    p.name = "Q1: sales/voice <EMEA>?".into();
    p.file_name_template = "{profile} | {today}".into();
    assert_eq!(
        p.file_name(now).expect("name"),
        "Q1- sales-voice -EMEA-- - 2026-03-10.csv"
    );

    p.export.format = Format::Jsonl;
    p.file_name_template = "{profile} {from}–{to}".into();
    p.name = "Night shift".into();
    p.range = DateRange::FixedDateTimes {
        from: NaiveDateTime::parse_from_str("2026-03-09 22:00", "%Y-%m-%d %H:%M").expect("dt"),
        to: NaiveDateTime::parse_from_str("2026-03-10 06:00", "%Y-%m-%d %H:%M").expect("dt"),
    };
    assert_eq!(
        p.file_name(now).expect("name"),
        "Night shift 2026-03-09 22.00–2026-03-10 06.00.jsonl"
    );

    p.file_name_template = "{profile} {week}".into();
    let err = p.file_name(now).expect_err("unknown placeholder");
    assert_eq!(err.field.as_deref(), Some("fileNameTemplate"));
    assert!(err.message.contains("{week}"), "{}", err.message);
}

#[test]
fn file_stems_are_safe_everywhere() {
    assert_eq!(
        sanitize_file_stem("a/b\\c:d*e?f\"g<h>i|j"),
        "a-b-c-d-e-f-g-h-i-j"
    );
    assert_eq!(sanitize_file_stem("CON"), "_CON");
    assert_eq!(sanitize_file_stem("com1.report"), "_com1.report");
    assert_eq!(sanitize_file_stem("COMPANY"), "COMPANY");
    assert_eq!(sanitize_file_stem("report. . "), "report");
    assert_eq!(sanitize_file_stem("  \t\n "), "export");
    assert_eq!(sanitize_file_stem("tab\there"), "tab here");
    let long = "é".repeat(300);
    let cut = sanitize_file_stem(&long);
    assert!(cut.len() <= 200 && cut.chars().all(|c| c == 'é'));
}

#[test]
fn system_time_zone_detection_order() {
    let etc = tempfile::tempdir().expect("tempdir");
    // Nothing there, no TZ → not found (the caller falls back to UTC).
    assert_eq!(detect_time_zone(None, etc.path()), None);
    // /etc/localtime symlink into zoneinfo.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            "../usr/share/zoneinfo/America/New_York",
            etc.path().join("localtime"),
        )
        .expect("symlink");
        assert_eq!(
            detect_time_zone(None, etc.path()).as_deref(),
            Some("America/New_York")
        );
    }
    // /etc/timezone wins over the symlink.
    std::fs::write(etc.path().join("timezone"), "Australia/Sydney\n").expect("write");
    assert_eq!(
        detect_time_zone(None, etc.path()).as_deref(),
        Some("Australia/Sydney")
    );
    // TZ wins over both, with or without the leading colon, or as a path.
    assert_eq!(
        detect_time_zone(Some(":Europe/Berlin"), etc.path()).as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(
        detect_time_zone(Some("/usr/share/zoneinfo/Europe/Paris"), etc.path()).as_deref(),
        Some("Europe/Paris")
    );
    // An invalid TZ is ignored.
    assert_eq!(
        detect_time_zone(Some("Not/AZone"), etc.path()).as_deref(),
        Some("Australia/Sydney")
    );
    // The public function always answers with a valid zone.
    let zone = genesys_core::profiles::system_time_zone();
    assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
}
