//! Checkpoints of running exports, one JSON file per run under
//! `data_dir/checkpoints/`, so an export interrupted by a crash can be resumed.
//!
//! The checkpoint holds the run's frozen plan (the resolved range, the
//! profile and connection as they were, the destination), written before the
//! first request, and is updated as the run progresses. It is removed when the
//! run ends (done, failed or cancelled); one that survives belongs to an
//! interrupted run.
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};

use super::files::{read_json, write_json_atomic};
use crate::error::{Error, Result};

/// The checkpoint folder.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    dir: PathBuf,
}

impl Checkpoints {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("checkpoints"),
        }
    }

    fn path(&self, run_id: &str) -> Result<PathBuf> {
        let safe = !run_id.is_empty()
            && run_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(Error::invalid(
                "runId",
                "A run id may only contain letters, digits, '-' and '_'.",
            ));
        }
        Ok(self.dir.join(format!("{run_id}.json")))
    }

    /// Save (or replace) a run's checkpoint atomically.
    pub fn save<T: Serialize>(&self, run_id: &str, value: &T) -> Result<()> {
        write_json_atomic(&self.path(run_id)?, value)
    }

    /// A run's checkpoint, if it has one.
    pub fn load<T: DeserializeOwned>(&self, run_id: &str) -> Result<Option<T>> {
        read_json(&self.path(run_id)?)
    }

    pub fn exists(&self, run_id: &str) -> bool {
        self.path(run_id).map(|p| p.exists()).unwrap_or(false)
    }

    /// Forget a run's checkpoint (missing is fine).
    pub fn remove(&self, run_id: &str) -> Result<()> {
        match std::fs::remove_file(self.path(run_id)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("Cannot remove the resume point", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        let c = Checkpoints::new(dir.path());
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), None);
        c.save("r1", &vec![1u32, 2]).unwrap();
        assert!(c.exists("r1"));
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), Some(vec![1, 2]));
        c.save("r1", &vec![3u32]).unwrap();
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), Some(vec![3]));
        c.remove("r1").unwrap();
        c.remove("r1").unwrap();
        assert!(!c.exists("r1"));
        assert!(c.save("../evil", &1).is_err());
    }
}
