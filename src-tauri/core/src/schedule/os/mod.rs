//! Registering schedules with the operating system's scheduler, so they run
//! when the app is closed. Each entry runs
//! `genesys-export-cli --config-dir DIR --data-dir DIR run-scheduled --schedule ID`.
//!
//! - Linux: a systemd user timer + service ([`systemd`]).
//! - Windows: a Task Scheduler task from a task XML ([`task_xml`]).
//! - macOS: a launchd agent ([`launchd`]).
//!
//! The generators are plain functions compiled (and tested) on every OS; only
//! installing and removing is platform-specific. Formats and their sources:
//! `docs/schedules.md`.
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::Schedule;
use crate::error::{Error, Result};

pub mod launchd;
pub mod systemd;
pub mod task_xml;

/// How the OS starts a scheduled run: the CLI and the folders it must use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    /// Absolute path of `genesys-export-cli`.
    pub program: PathBuf,
    /// Passed as `--config-dir` and `--data-dir` always: the scheduler's
    /// environment (e.g. `XDG_CONFIG_HOME`) may differ from the shell's.
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

/// The CLI's file name on this OS.
pub const CLI_NAME: &str = if cfg!(windows) {
    "genesys-export-cli.exe"
} else {
    "genesys-export-cli"
};

impl Launcher {
    /// The CLI installed beside the app's executable (the Debian package puts
    /// both in `/usr/bin`; a dev build puts both in `target/<profile>/`).
    pub fn beside(app_exe: &Path, config_dir: PathBuf, data_dir: PathBuf) -> Self {
        let dir = app_exe.parent().unwrap_or(Path::new("."));
        Self {
            program: dir.join(CLI_NAME),
            config_dir,
            data_dir,
        }
    }

    /// Check what the OS entry will run: absolute paths that are plain text.
    pub fn check(&self) -> Result<()> {
        for (what, path) in [
            ("the command-line program", &self.program),
            ("the settings folder", &self.config_dir),
            ("the data folder", &self.data_dir),
        ] {
            let text = path.to_str().ok_or_else(|| {
                Error::invalid(
                    "folder",
                    format!(
                        "The path of {what} ({}) has characters the scheduler cannot store.",
                        path.display()
                    ),
                )
            })?;
            if !path.is_absolute() || text.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "folder",
                    format!(
                        "The path of {what} ({}) must be a full path without control characters.",
                        path.display()
                    ),
                ));
            }
        }
        if !self.program.is_file() {
            return Err(Error::new(
                crate::ErrorKind::NotFound,
                format!(
                    "The command-line program that runs scheduled exports is missing ({}). Reinstall Genesys Export, or build it with `cargo build --bin genesys-export-cli`.",
                    self.program.display()
                ),
            ));
        }
        Ok(())
    }

    /// The arguments after the program, for schedule `id`.
    pub fn args(&self, id: Uuid, if_due: bool) -> Vec<String> {
        let mut args = vec![
            "--config-dir".to_string(),
            self.config_dir.to_string_lossy().into_owned(),
            "--data-dir".to_string(),
            self.data_dir.to_string_lossy().into_owned(),
            "run-scheduled".to_string(),
            "--schedule".to_string(),
            id.to_string(),
        ];
        if if_due {
            args.push("--if-due".to_string());
        }
        args
    }
}

/// What an OS entry is made from.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub schedule: &'a Schedule,
    /// For the entry's description.
    pub profile_name: &'a str,
    pub launcher: &'a Launcher,
    /// When it is written (first trigger dates, DST extras).
    pub now: DateTime<Utc>,
}

/// What registering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    /// The files written (unit files, task XML kept for reference, plist).
    pub files: Vec<PathBuf>,
    /// Something the user should know (e.g. no systemd user manager here).
    pub note: Option<String>,
}

/// Where this computer's scheduler keeps its entries, and whether to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsScheduler {
    /// Linux: `~/.config/systemd/user` (`$XDG_CONFIG_HOME/systemd/user`).
    /// macOS: `~/Library/LaunchAgents`. Windows: unused (Task Scheduler's store).
    pub dir: PathBuf,
}

impl OsScheduler {
    /// This computer's scheduler for the current user.
    pub fn for_this_user() -> Result<Self> {
        let missing = || {
            Error::internal("This system has no home folder, so schedules cannot be registered.")
        };
        let dir = if cfg!(target_os = "macos") {
            dirs::home_dir()
                .ok_or_else(missing)?
                .join("Library")
                .join("LaunchAgents")
        } else if cfg!(windows) {
            PathBuf::new()
        } else {
            // Honours XDG_CONFIG_HOME.
            dirs::config_dir()
                .ok_or_else(missing)?
                .join("systemd")
                .join("user")
        };
        Ok(Self { dir })
    }

    /// Register (or re-register) a schedule.
    pub fn install(&self, entry: Entry<'_>) -> Result<Installed> {
        entry.launcher.check()?;
        #[cfg(target_os = "macos")]
        {
            launchd::install(&self.dir, entry)
        }
        #[cfg(windows)]
        {
            task_xml::install(entry)
        }
        #[cfg(not(any(target_os = "macos", windows)))]
        {
            systemd::install(&self.dir, entry)
        }
    }

    /// Remove a schedule's OS entry (nothing to do when there is none).
    /// Returns a note for the user, if any.
    pub fn remove(&self, id: Uuid) -> Result<Option<String>> {
        #[cfg(target_os = "macos")]
        {
            launchd::remove(&self.dir, id)
        }
        #[cfg(windows)]
        {
            task_xml::remove(id)
        }
        #[cfg(not(any(target_os = "macos", windows)))]
        {
            systemd::remove(&self.dir, id)
        }
    }

    /// Is there an OS entry for this schedule (its file)? Not meaningful on Windows.
    pub fn entry_files(&self, id: Uuid) -> Vec<PathBuf> {
        if cfg!(target_os = "macos") {
            vec![self.dir.join(format!("{}.plist", launchd::label(id)))]
        } else if cfg!(windows) {
            Vec::new()
        } else {
            systemd::unit_files(&self.dir, id).to_vec()
        }
    }
}

/// On Windows and macOS the scheduler runs on this computer's clock: a
/// schedule in another zone would run at the wrong time, so it is refused
/// (Linux timers name the zone, so any zone works there).
pub fn check_local_clock(schedule_zone: &str, computer_zone: &str) -> Result<()> {
    if schedule_zone == computer_zone {
        return Ok(());
    }
    Err(Error::invalid(
        "timeZone",
        format!(
            "This computer's scheduler runs on its own clock ({computer_zone}), so a schedule must use that time zone, not {schedule_zone}. Give the time in {computer_zone}."
        ),
    ))
}

/// Text safe to put in a description: no control characters, at most 200 characters.
pub(crate) fn plain(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Write `text` to `path` atomically, readable and writable by the user only.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("Could not create {}", dir.display()), &e))?;
    }
    // Created 0600 (crate::private_fs); the scheduler needs no backup.
    crate::atomic::replace_atomic(path, text.as_bytes())
}

/// Run a program, returning (success, combined trimmed output) or the spawn error.
#[allow(dead_code)]
pub(crate) fn run_tool(program: &str, args: &[&str]) -> std::io::Result<(bool, String)> {
    let out = std::process::Command::new(program).args(args).output()?;
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !stdout.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&stdout);
    }
    Ok((out.status.success(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_clock_rule() {
        assert!(check_local_clock("Europe/Berlin", "Europe/Berlin").is_ok());
        let e = check_local_clock("America/New_York", "Europe/Berlin").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("timeZone"));
        assert!(e.message.contains("Europe/Berlin"), "{}", e.message);
    }

    #[test]
    fn launcher_args_and_checks() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("genesys-export");
        let l = Launcher::beside(&app, dir.path().join("c"), dir.path().join("d"));
        assert_eq!(l.program, dir.path().join(CLI_NAME));
        // The CLI is not there yet.
        assert_eq!(l.check().unwrap_err().kind, crate::ErrorKind::NotFound);
        std::fs::write(&l.program, b"").unwrap();
        l.check().unwrap();
        let id = Uuid::from_u128(5);
        let args = l.args(id, true);
        assert_eq!(
            &args[4..],
            ["run-scheduled", "--schedule", &id.to_string(), "--if-due"]
        );
        let relative = Launcher {
            config_dir: "rel".into(),
            ..l
        };
        assert!(relative.check().is_err());
    }
}
