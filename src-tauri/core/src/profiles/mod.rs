//! Saved connections and query profiles.
//!
//! - [`model`]: [`Connection`], [`QueryProfile`] (with its [`DateRange`]), [`Settings`].
//! - [`store`]: [`Store`], the versioned `profiles.json` in the app's config dir:
//!   validated CRUD, atomic writes, bad files set aside, sharing (import/export).
//! - [`range`]: presets → `[from, to)` instants in the profile's zone; file names.
//! - [`file`]: the file format and its migrations (written with [`crate::atomic`]).
//! - [`bounds`]: how far back and ahead a range may go;
//! - [`validate`]: field-level checks; [`timezone`]: IANA zones and the system's zone.
//!
//! Secrets are never here: see [`crate::secrets`].
pub mod bounds;
pub mod file;
pub mod lockfile;
pub mod model;
pub mod range;
pub mod store;
pub mod timezone;
pub mod validate;

pub use bounds::{check_range_bounds, RETENTION_YEARS};
pub use file::CURRENT_VERSION;
pub use model::{
    Connection, ConnectionView, DateRange, ImportReport, NoticeKind, QueryProfile, RelativePreset,
    Settings, StartupNotice, DEFAULT_FILE_NAME_TEMPLATE,
};
pub use range::{local_to_utc, preset_days, resolve_range, sanitize_file_stem};
pub use store::{Store, DEMO_CONNECTION_NAME, FILE_NAME};
pub use timezone::{detect_time_zone, parse_time_zone, system_time_zone};
