//! What interrupted runs leave behind, and the one sweep that removes it
//! (issue #14.11).
//!
//! A run killed mid-export leaves its temp file (`.genesys-export-<run>.tmp`)
//! and, for XLSX, its row journal (`.genesys-export-<run>.rows`) beside its
//! destination, and its lock file (`checkpoints/<run>.lock`) in the data
//! folder. They are removed when the user discards the run
//! ([`Sweep::Run`]), and at start-up once they are older than
//! [`STALE_AFTER`] ([`Sweep::OlderThan`]). A file of a run that some process
//! (this one, another window, the CLI) is executing is never removed. The
//! run's checkpoint is not touched here: discarding removes it, the start-up
//! sweep leaves it (the run stays offered for resume, from the beginning).
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::Context;
use crate::export::output::folder_of;
use crate::private_fs::remove_files_where;

/// Leftovers older than this are removed at start-up.
pub const STALE_AFTER: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Which leftovers to remove.
#[derive(Debug, Clone, Copy)]
pub enum Sweep<'a> {
    /// Every file of this run (it is being discarded).
    Run(&'a str),
    /// Files of any run last written before this moment.
    OlderThan(SystemTime),
}

/// The part of a run's checkpoint the sweep needs.
#[derive(Deserialize)]
struct Destination {
    destination: PathBuf,
}

/// The run id a file in a destination folder belongs to, if it is one of ours.
fn run_of_temp(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(".genesys-export-")?;
    rest.strip_suffix(".tmp")
        .or_else(|| rest.strip_suffix(".rows"))
}

impl Context {
    /// Remove the leftovers `which` names (see the module docs). Best
    /// effort: what cannot be read or removed is logged and skipped.
    pub fn sweep(&self, which: Sweep<'_>) {
        let wanted = |run: &str, meta: &std::fs::Metadata| -> bool {
            let chosen = match which {
                Sweep::Run(id) => run == id,
                Sweep::OlderThan(cutoff) => meta.modified().is_ok_and(|t| t < cutoff),
            };
            chosen && !self.checkpoints.is_live(run)
        };
        for dir in self.destination_folders(which) {
            remove_files_where(&dir, |name, meta| {
                run_of_temp(name).is_some_and(|run| wanted(run, meta))
            });
        }
        let locks = self.checkpoints.lock_files();
        if let Some(dir) = locks.first().and_then(|(_, p)| p.parent()) {
            remove_files_where(dir, |name, meta| {
                locks
                    .iter()
                    .any(|(run, p)| p.file_name().is_some_and(|n| n == name) && wanted(run, meta))
            });
        }
    }

    /// The folders runs write their temp files into: those of the runs'
    /// checkpoints and of the runs in the history.
    fn destination_folders(&self, which: Sweep<'_>) -> Vec<PathBuf> {
        let runs: Vec<String> = match which {
            Sweep::Run(id) => vec![id.to_string()],
            Sweep::OlderThan(_) => self.checkpoints.run_ids(),
        };
        let mut folders: Vec<PathBuf> = runs
            .iter()
            .filter_map(|id| self.checkpoints.load::<Destination>(id).ok().flatten())
            .map(|c| folder_of(&c.destination))
            .collect();
        if let Ok(history) = self.history.list() {
            folders.extend(
                history
                    .iter()
                    .filter(|e| match which {
                        Sweep::Run(id) => e.run_id == id,
                        Sweep::OlderThan(_) => true,
                    })
                    .filter(|e| !e.path.is_empty())
                    .map(|e| folder_of(Path::new(&e.path))),
            );
        }
        folders.sort();
        folders.dedup();
        folders
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_run_files() {
        for (name, run) in [
            (".genesys-export-run-1.tmp", Some("run-1")),
            (".genesys-export-run-1.rows", Some("run-1")),
            (".genesys-export-Xy12Ab.tmp", Some("Xy12Ab")),
            (".genesys-export-run-1.csv", None),
            ("genesys-export-run-1.tmp", None),
            (".other.tmp", None),
            ("report.csv", None),
        ] {
            assert_eq!(run_of_temp(name), run, "{name}");
        }
    }
}
