//! Time zones: validating IANA names and finding the system's zone.
use std::path::Path;

use chrono_tz::Tz;

pub use crate::clock::parse_time_zone;

/// The system's IANA time zone, or `UTC` when it cannot be found.
///
/// Looks at, in order: the `TZ` environment variable, `/etc/timezone`, the
/// target of the `/etc/localtime` symlink, then the platform API
/// (`iana-time-zone`, which covers macOS and Windows).
pub fn system_time_zone() -> String {
    let tz_env = std::env::var("TZ").ok();
    detect_time_zone(tz_env.as_deref(), Path::new("/etc"))
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .filter(|n| n.parse::<Tz>().is_ok())
        })
        .unwrap_or_else(|| "UTC".to_string())
}

/// The detection steps of [`system_time_zone`] that read the `TZ` value and
/// files under `etc` (a parameter so tests can use a temp dir). `None` when
/// none of them names a valid zone.
pub fn detect_time_zone(tz_env: Option<&str>, etc: &Path) -> Option<String> {
    let valid = |name: &str| -> Option<String> {
        let name = name.trim().trim_start_matches(':');
        // TZ may also be a path such as /usr/share/zoneinfo/Europe/Paris.
        let name = name.rsplit_once("zoneinfo/").map_or(name, |(_, n)| n);
        name.parse::<Tz>().ok().map(|_| name.to_string())
    };
    if let Some(found) = tz_env.and_then(valid) {
        return Some(found);
    }
    if let Some(found) = std::fs::read_to_string(etc.join("timezone"))
        .ok()
        .and_then(|s| s.lines().next().and_then(valid))
    {
        return Some(found);
    }
    std::fs::read_link(etc.join("localtime"))
        .ok()
        .and_then(|target| target.to_str().and_then(valid))
}
