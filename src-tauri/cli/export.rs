//! `export`: turn the flags (and the profile, when given) into one checked
//! [`Job`] before any network traffic.
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use genesys_core::export::output::{check_destination_for, ReplaceBy};
use genesys_core::export::{ExportOptions, Format};
use genesys_core::genesys::{Environment, RetryPolicy, Secret};
use genesys_core::profiles::{sanitize_file_stem, Connection, DateRange, QueryProfile};
use genesys_core::{Error, Result};
use uuid::Uuid;

use crate::args::ExportArgs;
use crate::dates::{self, Bound};
use crate::manage;
use crate::run::Job;
use genesys_ops::Ops;

/// The environment variable holding the client secret for ad-hoc exports.
pub const SECRET_ENV: &str = "GENESYS_CLIENT_SECRET";

/// The secret from [`SECRET_ENV`], if set and not blank.
pub fn secret_from_env() -> Option<Secret> {
    std::env::var(SECRET_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(Secret::new)
}

fn lower_list(values: &[String], field: &str, allowed: &[&str]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for v in values {
        let v = v.trim().to_ascii_lowercase();
        if v.is_empty() {
            continue;
        }
        if !allowed.contains(&v.as_str()) {
            return Err(Error::invalid(
                field,
                format!(
                    "--{field} \"{v}\" is not known. Use one of: {}.",
                    allowed.join(", ")
                ),
            ));
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Media types Genesys reports on conversations.
pub const MEDIA_TYPES: &[&str] = &[
    "voice",
    "chat",
    "email",
    "message",
    "callback",
    "cobrowse",
    "video",
    "screenshare",
    "unknown",
];

/// The format: `--format`, else the output's extension, else `fallback`.
pub fn choose_format(flag: Option<Format>, output: Option<&Path>, fallback: Format) -> Format {
    flag.or_else(|| output.and_then(Format::of_path))
        .unwrap_or(fallback)
}

/// Check, before fetching anything, that `path` can be written (the core's
/// destination rule; an existing file needs `--replace`).
fn check_output(path: &Path, replace: bool) -> Result<()> {
    check_destination_for(path, replace, ReplaceBy::Flag)
}

/// `--max-retries` and `--max-retry-after`.
pub fn retry_policy(args: &ExportArgs) -> RetryPolicy {
    RetryPolicy {
        max_retries: args.max_retries,
        max_retry_after: Duration::from_secs(args.max_retry_after),
        ..RetryPolicy::default()
    }
}

/// The output as an absolute path (how runs are matched for `--resume`).
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(format!("Cannot write {}", path.display()), &e))
}

fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Check the flags (and load the profile) into a [`Job`]. Sends nothing.
pub fn prepare(args: &ExportArgs, ops: &Ops) -> Result<Job> {
    match &args.profile {
        Some(name) => from_profile(args, name, ops),
        None => ad_hoc(args),
    }
}

fn media_and_direction(args: &ExportArgs) -> Result<(Vec<String>, Vec<String>)> {
    Ok((
        lower_list(&args.media_type, "media-type", MEDIA_TYPES)?,
        lower_list(&args.direction, "direction", &["inbound", "outbound"])?,
    ))
}

/// An ad-hoc export: `--environment`, `--client-id`, `--from`, `--to`, secret from the environment.
fn ad_hoc(args: &ExportArgs) -> Result<Job> {
    let environment = match args.environment.as_deref() {
        Some(e) => Environment::parse(e)?,
        None => {
            return Err(Error::invalid(
                "environment",
                "Give --profile NAME, or --environment (e.g. mypurecloud.ie) and --client-id for an ad-hoc export.",
            ))
        }
    };
    let client_id = match args.client_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => {
            return Err(Error::invalid(
                "clientId",
                "Give --client-id (the OAuth client's id) for an ad-hoc export.",
            ))
        }
    };
    let (from_s, to_s) = match (args.from.as_deref(), args.to.as_deref()) {
        (Some(f), Some(t)) => (f, t),
        _ => {
            return Err(Error::invalid(
                "from",
                "Give both --from and --to, e.g. --from 2026-03-01 --to 2026-03-31.",
            ))
        }
    };
    let time_zone = args
        .time_zone
        .clone()
        .unwrap_or_else(genesys_core::profiles::system_time_zone);
    let tz = dates::parse_time_zone(&time_zone)?;
    let (from, to) = dates::resolve_range(from_s, to_s, tz)?;
    genesys_core::profiles::check_range_bounds(from, to, Utc::now(), tz)?;
    let (media_types, directions) = media_and_direction(args)?;
    let format = choose_format(
        args.format.map(Into::into),
        args.output.as_deref(),
        Format::Xlsx,
    );
    let options = ExportOptions {
        grain: args.grain.map(Into::into).unwrap_or_default(),
        columns: list(&args.columns),
        format,
        time_zone,
        ..ExportOptions::default()
    };
    let output = match &args.output {
        Some(p) => p.clone(),
        None => PathBuf::from(format!(
            "{}.{}",
            sanitize_file_stem(&format!("Genesys export {from_s}–{to_s}")),
            format.extension()
        )),
    };
    genesys_core::export::output::check_extension(&output, format)?;
    check_output(&output, args.replace)?;
    let secret = secret_from_env().ok_or_else(|| {
        Error::invalid(
            "clientSecret",
            format!(
                "No client secret. Set the {SECRET_ENV} environment variable, or save a connection with `genesys-export-cli connections add` and use --profile."
            ),
        )
    })?;
    // Ad-hoc runs have no saved connection or profile: nil ids, plain names.
    let environment_text = args.environment.clone().unwrap_or_default();
    let connection = Connection {
        id: Uuid::nil(),
        name: format!("{} (command line)", environment.api_base),
        environment: environment_text,
        client_id,
        is_demo: false,
    };
    let mut profile = QueryProfile {
        id: Uuid::nil(),
        name: "Command-line export".to_string(),
        connection_id: Uuid::nil(),
        range: DateRange::default(),
        time_zone: options.time_zone.clone(),
        filters: Default::default(),
        export: options,
        strategy: args.strategy.map(Into::into).unwrap_or_default(),
        default_folder: None,
        file_name_template: String::new(),
    };
    profile.filters.media_types = media_types;
    profile.filters.directions = directions;
    Ok(Job {
        connection,
        profile,
        range: (from, to),
        secret,
        queues: list(&args.queue),
        destination: absolute(&output)?,
        replace: args.replace,
        resume: args.resume,
        quiet: args.quiet,
    })
}

/// A saved profile, with the flags given overriding it.
fn from_profile(args: &ExportArgs, name: &str, ops: &Ops) -> Result<Job> {
    let mut profile = genesys_ops::profile_named(ops, name)?;
    let conn = ops
        .ctx
        .store()
        .require_connection(profile.connection_id)?
        .clone();
    // Check the saved environment before anything else.
    conn.parsed_environment()?;
    if let Some(tz) = &args.time_zone {
        dates::parse_time_zone(tz)?;
        profile.time_zone = tz.clone();
    }
    let tz = dates::parse_time_zone(&profile.time_zone)?;
    let now = Utc::now();
    let (from, to) = match (args.from.as_deref(), args.to.as_deref()) {
        (None, None) => profile.resolve_range(now)?,
        (Some(f), Some(t)) => {
            let range = dates::resolve_range(f, t, tz)?;
            match (dates::parse_bound("from", f)?, dates::parse_bound("to", t)?) {
                (Bound::Date(from), Bound::Date(to)) => {
                    profile.range = DateRange::Fixed { from, to };
                }
                (Bound::Local(from), Bound::Local(to)) => {
                    profile.range = DateRange::FixedDateTimes { from, to };
                }
                _ => {}
            }
            range
        }
        _ => {
            return Err(Error::invalid(
                "from",
                "Give both --from and --to to override the profile's dates, or neither.",
            ))
        }
    };
    // Dates typed here or saved in the profile (presets are named periods around today).
    if !matches!(profile.range, DateRange::Preset { .. }) || args.from.is_some() {
        genesys_core::profiles::check_range_bounds(from, to, now, tz)?;
    }
    let (media_types, directions) = media_and_direction(args)?;
    if !media_types.is_empty() {
        profile.filters.media_types = media_types;
    }
    if !directions.is_empty() {
        profile.filters.directions = directions;
    }
    let mut options = profile.export.clone();
    options.time_zone = profile.time_zone.clone();
    options.format = choose_format(
        args.format.map(Into::into),
        args.output.as_deref(),
        options.format,
    );
    if let Some(g) = args.grain {
        options.grain = g.into();
        if args.columns.is_empty() {
            options.columns.clear();
        }
    }
    if !args.columns.is_empty() {
        options.columns = list(&args.columns);
    }
    profile.export.format = options.format;
    let output = match &args.output {
        Some(p) => p.clone(),
        None => {
            let folder = ops
                .ctx
                .store()
                .folder_for(&profile)
                .unwrap_or_else(|| PathBuf::from("."));
            folder.join(profile.file_name(now)?)
        }
    };
    genesys_core::export::output::check_extension(&output, options.format)?;
    check_output(&output, args.replace)?;
    let secret = tokio::task::block_in_place(|| {
        manage::connection_secret(ops, &conn, args.connection.as_deref())
    })?;
    let queues = if args.queue.is_empty() {
        Vec::new()
    } else {
        profile.filters.queue_ids.clear();
        list(&args.queue)
    };
    profile.export = options;
    if let Some(s) = args.strategy {
        profile.strategy = s.into();
    }
    Ok(Job {
        connection: conn,
        profile,
        range: (from, to),
        secret,
        queues,
        destination: absolute(&output)?,
        replace: args.replace,
        resume: args.resume,
        quiet: args.quiet,
    })
}
