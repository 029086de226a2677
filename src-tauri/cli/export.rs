//! `export`: turn the flags (and the profile, when given) into one checked
//! request before any network traffic, then run it on the shared engine.
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use genesys_core::export::{ExportOptions, Format};
use genesys_core::genesys::{Environment, Strategy};
use genesys_core::{Error, ErrorKind, Result};

use crate::args::ExportArgs;
use crate::dates;

/// The environment variable holding the client secret for ad-hoc exports.
pub const SECRET_ENV: &str = "GENESYS_CLIENT_SECRET";

/// An ad-hoc export, fully checked.
#[allow(dead_code)] // the fields are read by the export run, which lands with the engine
#[derive(Debug)]
pub struct AdHoc {
    pub environment: Environment,
    pub client_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Queue names or ids, as typed (names are resolved by the engine's lookups).
    pub queues: Vec<String>,
    pub media_types: Vec<String>,
    pub directions: Vec<String>,
    pub options: ExportOptions,
    pub strategy: Strategy,
    pub output: PathBuf,
    pub replace: bool,
    pub resume: bool,
}

/// The secret from [`SECRET_ENV`]; an error a server admin can act on when unset.
pub fn secret_from_env() -> Result<String> {
    match std::env::var(SECRET_ENV) {
        Ok(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(Error::invalid(
            "clientSecret",
            format!(
                "No client secret. Set the {SECRET_ENV} environment variable, or save a connection with `genesys-export-cli connections add` and use --profile."
            ),
        )),
    }
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
    if let Some(f) = flag {
        return f;
    }
    let ext = output
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some("jsonl") | Some("ndjson") => Format::Jsonl,
        _ => fallback,
    }
}

/// Check, before fetching anything, that `path` can be written: its folder
/// exists and accepts a new file, and it does not exist unless `replace`
/// (or `resume`, which continues an earlier run into the same file).
pub fn check_output(path: &Path, replace: bool, resume: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "Cannot write {}: it is a folder; give a file name.",
                path.display()
            ),
        ));
    }
    if path.exists() && !replace && !resume {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "Cannot write {}: the file already exists. Add --replace to overwrite it, or choose another name.",
                path.display()
            ),
        ));
    }
    let probe = dir.join(format!(".genesys-export-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::io(format!("Cannot write in {}", dir.display()), &e)),
    }
}

/// Check an ad-hoc export's flags (no network).
pub fn ad_hoc(args: &ExportArgs) -> Result<AdHoc> {
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
    let media_types = lower_list(&args.media_type, "media-type", MEDIA_TYPES)?;
    let directions = lower_list(&args.direction, "direction", &["inbound", "outbound"])?;
    let format = choose_format(
        args.format.map(Into::into),
        args.output.as_deref(),
        Format::Xlsx,
    );
    let options = ExportOptions {
        grain: args.grain.map(Into::into).unwrap_or_default(),
        columns: args
            .columns
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        format,
        time_zone,
        ..ExportOptions::default()
    };
    let output = match &args.output {
        Some(p) => p.clone(),
        None => PathBuf::from(format!(
            "genesys-export {}–{}.{}",
            from_s.replace(':', "-"),
            to_s.replace(':', "-"),
            format.extension()
        )),
    };
    check_output(&output, args.replace, args.resume)?;
    Ok(AdHoc {
        environment,
        client_id,
        from,
        to,
        queues: args
            .queue
            .iter()
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty())
            .collect(),
        media_types,
        directions,
        options,
        strategy: args.strategy.map(Into::into).unwrap_or_default(),
        output,
        replace: args.replace,
        resume: args.resume,
    })
}
