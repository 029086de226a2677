//! Resumable exports: the files of one run have names derived from its run id,
//! so a run interrupted by a crash or power loss can continue where its rows
//! were last safely on disk.
//!
//! - CSV and JSON lines are appended to `.genesys-export-<run_id>.tmp`; on
//!   resume the file is cut back to the length saved with the checkpoint.
//! - XLSX cannot be appended (the workbook is zipped at the end), so every row
//!   also goes to a row journal, `.genesys-export-<run_id>.rows` (one JSON
//!   array of typed cells per line). On resume the journal is cut back to its
//!   saved length and replayed into a new workbook. The journal is removed
//!   whenever the writer goes away, except when the process dies.
//!
//! These files are private to the user (`0600`, created without following a
//! link planted at their path). A durable point records the identity of the
//! file a resume appends to (device and inode); a resume opens it without
//! following links and only continues when it is still that regular file,
//! owned by the user (issue #14.4). Otherwise the export starts again.
//!
//! A durable point ([`ResumeState`]) is handed to the caller after a batch is
//! written, flushed and `fsync`'d, at most every [`DURABLE_EVERY`], and when
//! the stream stalls for [`STALL`] (e.g. while the next window is fetched).
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::flatten::Cell;
use super::options::Format;
use super::output::folder_of;
use super::writers::{sync_file, XlsxWriter};
use crate::genesys::{Checkpoint, Fetch};
use crate::private_fs::{self, FileId};
use crate::{Error, ErrorKind, Result};

/// The least time between two durable points.
pub const DURABLE_EVERY: Duration = Duration::from_secs(2);

/// When the stream has yielded nothing for this long, the rows so far are
/// made durable (still at most one point per [`DURABLE_EVERY`]).
pub const STALL: Duration = Duration::from_secs(1);

/// Where a resumable export stood the last time its rows were safely on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeState {
    /// The fetch checkpoint as of the last conversation written.
    pub fetch: Checkpoint,
    /// Length of the file that is appended to: the temp file for CSV and
    /// JSON lines, the row journal for XLSX.
    pub bytes: u64,
    pub conversations: u64,
    pub rows: u64,
    pub in_progress: u64,
    pub first_start: Option<DateTime<Utc>>,
    pub last_start: Option<DateTime<Utc>>,
    /// The identity of the file that is appended to, as it was created: a
    /// resume continues only that file. Absent in checkpoints of older
    /// versions (those start again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileId>,
}

/// What a resume continues: the length and identity saved with its durable point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kept {
    pub bytes: u64,
    pub file: Option<FileId>,
}

impl ResumeState {
    pub(crate) fn kept(&self) -> Kept {
        Kept {
            bytes: self.bytes,
            file: self.file,
        }
    }
}

/// A conversation stream that can say how far it got (the fetch checkpoint
/// as of the last conversation it yielded).
pub trait CheckpointSource {
    fn checkpoint(&self) -> Option<Checkpoint>;
}

impl CheckpointSource for Fetch {
    fn checkpoint(&self) -> Option<Checkpoint> {
        Fetch::checkpoint(self)
    }
}

/// What makes an export resumable (see [`super::write_resumable`]).
pub struct Resumable<'a> {
    /// Names the run's files; letters, digits, `-` and `_` only.
    pub run_id: &'a str,
    /// Continue from this state (check it first with [`check`]); `None` starts afresh.
    pub from: Option<ResumeState>,
    /// Receives every durable point; save it with the run's checkpoint.
    pub on_durable: &'a mut (dyn FnMut(&ResumeState) + Send),
}

pub(crate) fn check_run_id(run_id: &str) -> Result<()> {
    let safe = !run_id.is_empty()
        && run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if safe {
        Ok(())
    } else {
        Err(Error::invalid(
            "runId",
            "A run id may only contain letters, digits, '-' and '_'.",
        ))
    }
}

/// The temp file of run `run_id` beside `dest`.
pub fn temp_path(dest: &Path, run_id: &str) -> PathBuf {
    folder_of(dest).join(format!(".genesys-export-{run_id}.tmp"))
}

/// The XLSX row journal of run `run_id` beside `dest`.
pub fn journal_path(dest: &Path, run_id: &str) -> PathBuf {
    folder_of(dest).join(format!(".genesys-export-{run_id}.rows"))
}

/// The file a resume appends to, for this format.
fn appended_file(dest: &Path, run_id: &str, format: Format) -> PathBuf {
    match format {
        Format::Xlsx => journal_path(dest, run_id),
        Format::Csv | Format::Jsonl => temp_path(dest, run_id),
    }
}

/// Can `state` be continued? `Err` says in plain words why not (the caller
/// then starts the export again from the beginning).
pub fn check(
    dest: &Path,
    run_id: &str,
    format: Format,
    state: &ResumeState,
) -> std::result::Result<(), String> {
    check_run_id(run_id).map_err(|e| e.message)?;
    let path = appended_file(dest, run_id, format);
    let file = private_fs::open_own(&path, state.file)
        .map_err(|why| format!("its partly written file {why}"))?;
    match file.metadata() {
        Ok(m) if m.len() >= state.bytes => Ok(()),
        Ok(m) => Err(format!(
            "its partly written file holds {} bytes, fewer than the {} saved",
            m.len(),
            state.bytes
        )),
        Err(e) => Err(format!("its partly written file cannot be read ({e})")),
    }
}

/// Open `path` for writing: a new, private, empty file (`keep` = `None`;
/// whatever was at the path is replaced, a link is not followed), or the
/// file saved with a durable point, checked to be that very file (see
/// [`private_fs::open_own`]), cut back to its saved length and positioned
/// at its end.
pub(crate) fn open_cut(path: &Path, keep: Option<Kept>) -> Result<File> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::io(format!("Could not write \"{name}\""), &e);
    match keep {
        None => private_fs::create_fresh(path).map_err(io),
        Some(Kept { bytes: len, file }) => {
            let mut f = private_fs::open_own(path, file).map_err(|why| {
                Error::new(
                    ErrorKind::Storage,
                    format!("The partly written export \"{name}\" {why}; it cannot be continued."),
                )
            })?;
            let actual = f.metadata().map_err(io)?.len();
            if actual < len {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!(
                        "The partly written export \"{name}\" is shorter than its saved progress says; it cannot be continued."
                    ),
                ));
            }
            f.set_len(len).map_err(io)?;
            f.seek(SeekFrom::End(0)).map_err(io)?;
            Ok(f)
        }
    }
}

/// The XLSX row journal: every row written, one JSON line each. Removed when dropped.
pub(crate) struct RowJournal {
    out: BufWriter<File>,
    path: PathBuf,
}

impl RowJournal {
    /// A new, empty journal for run `run_id`.
    pub fn create(dest: &Path, run_id: &str) -> Result<Self> {
        check_run_id(run_id)?;
        let path = journal_path(dest, run_id);
        let file = open_cut(&path, None)?;
        Ok(Self {
            out: BufWriter::with_capacity(256 * 1024, file),
            path,
        })
    }

    /// Reopen the journal cut back to its saved length and replay its rows into `xlsx`.
    pub fn resume(dest: &Path, run_id: &str, kept: Kept, xlsx: &mut XlsxWriter) -> Result<Self> {
        check_run_id(run_id)?;
        let path = journal_path(dest, run_id);
        let file = open_cut(&path, Some(kept))?;
        // Owned from here: removed on any error below.
        let mut journal = Self {
            out: BufWriter::with_capacity(256 * 1024, file),
            path,
        };
        let damaged = |why: String| {
            Error::new(
                ErrorKind::Storage,
                format!("The saved rows of the interrupted export cannot be read ({why})."),
            )
        };
        let mut reader = BufReader::new(
            journal
                .out
                .get_ref()
                .try_clone()
                .map_err(|e| damaged(e.to_string()))?,
        );
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| damaged(e.to_string()))?;
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| damaged(e.to_string()))?;
            if n == 0 {
                break;
            }
            let row: Vec<Cell> =
                serde_json::from_str(line.trim_end()).map_err(|e| damaged(e.to_string()))?;
            xlsx.write_row(&row)?;
        }
        journal
            .out
            .get_mut()
            .seek(SeekFrom::End(0))
            .map_err(|e| damaged(e.to_string()))?;
        Ok(journal)
    }

    /// The journal's identity (saved with each durable point).
    pub fn id(&self) -> Option<FileId> {
        FileId::of(self.out.get_ref()).ok().flatten()
    }

    pub fn write_row(&mut self, row: &[Cell]) -> Result<()> {
        serde_json::to_writer(&mut self.out, row)
            .map_err(|e| Error::io(self.write_context(), &std::io::Error::other(e)))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(self.write_context(), &e))
    }

    fn write_context(&self) -> String {
        format!("Could not write \"{}\"", self.path.display())
    }

    /// Flush to the disk; returns the journal's length.
    pub fn sync(&mut self) -> std::io::Result<u64> {
        self.out.flush()?;
        sync_file(self.out.get_ref())
    }
}

impl Drop for RowJournal {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new file of ours at `p` holding `bytes`, and its identity.
    fn ours(p: &Path, bytes: &[u8]) -> Option<FileId> {
        let mut f = private_fs::create_fresh(p).unwrap();
        f.write_all(bytes).unwrap();
        FileId::of(&f).unwrap()
    }

    fn kept(bytes: u64, file: Option<FileId>) -> Option<Kept> {
        Some(Kept { bytes, file })
    }

    #[test]
    fn open_cut_truncates_and_refuses_a_short_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let id = ours(&p, b"0123456789");
        let mut f = open_cut(&p, kept(4, id)).unwrap();
        f.write_all(b"xy").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&p).unwrap(), b"0123xy");
        let e = open_cut(&p, kept(100, id)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Storage);
        assert!(e.message.contains("shorter"), "{}", e.message);
        drop(open_cut(&p, None).unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"");
    }

    #[cfg(unix)]
    #[test]
    fn open_cut_continues_only_the_file_it_saved() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let id = ours(&p, b"0123456789");
        // Replaced by another file of the same length.
        std::fs::remove_file(&p).unwrap();
        std::fs::write(&p, b"abcdefghij").unwrap();
        let e = open_cut(&p, kept(4, id)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Storage);
        assert!(
            e.message.contains("replaced by another file"),
            "{}",
            e.message
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"abcdefghij", "left alone");
        // A link planted at the path is not followed.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"0123456789").unwrap();
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        let e = open_cut(&p, kept(4, id)).unwrap_err();
        assert!(e.message.contains("link"), "{}", e.message);
        drop(open_cut(&p, None).unwrap());
        assert_eq!(std::fs::read(&victim).unwrap(), b"0123456789");
    }

    fn state(bytes: u64, file: Option<FileId>) -> ResumeState {
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap();
        ResumeState {
            fetch: Checkpoint {
                version: 1,
                from: t,
                to: t + chrono::Duration::days(1),
                filters: Default::default(),
                strategy: Default::default(),
                windows: Vec::new(),
                completed_windows: 0,
                last_emitted: None,
                delivered: 0,
                fetched_windows: Vec::new(),
            },
            bytes,
            conversations: 0,
            rows: 0,
            in_progress: 0,
            first_start: None,
            last_start: None,
            file,
        }
    }

    #[test]
    fn check_refuses_a_missing_or_short_file_and_accepts_a_longer_one() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let temp = temp_path(&dest, "r1");
        let why = check(&dest, "r1", Format::Csv, &state(10, None)).unwrap_err();
        assert!(why.contains("gone"), "{why}");
        let id = ours(&temp, b"12345");
        let why = check(&dest, "r1", Format::Csv, &state(10, id)).unwrap_err();
        assert!(why.contains("fewer than the 10 saved"), "{why}");
        // Rows written after the last durable point are cut off on resume.
        std::fs::write(&temp, b"0123456789abc").unwrap();
        assert_eq!(check(&dest, "r1", Format::Csv, &state(10, id)), Ok(()));
        // XLSX resumes from its row journal, not from the temp file.
        assert!(check(&dest, "r1", Format::Xlsx, &state(10, id)).is_err());
        let journal = ours(&journal_path(&dest, "r1"), b"0123456789");
        assert_eq!(
            check(&dest, "r1", Format::Xlsx, &state(10, journal)),
            Ok(())
        );
        assert!(check(&dest, "../r1", Format::Csv, &state(0, id)).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn check_refuses_a_planted_link_or_a_swapped_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let temp = temp_path(&dest, "r1");
        let id = ours(&temp, b"0123456789");
        assert_eq!(check(&dest, "r1", Format::Csv, &state(10, id)), Ok(()));
        // Saved by an older version, without an identity: cannot be checked.
        let why = check(&dest, "r1", Format::Csv, &state(10, None)).unwrap_err();
        assert!(why.contains("cannot be recognised"), "{why}");
        // Another file of the same length.
        std::fs::rename(&temp, dir.path().join("moved")).unwrap();
        std::fs::write(&temp, b"abcdefghij").unwrap();
        let why = check(&dest, "r1", Format::Csv, &state(10, id)).unwrap_err();
        assert!(why.contains("replaced by another file"), "{why}");
        // A link to the very file that was saved.
        std::fs::remove_file(&temp).unwrap();
        std::os::unix::fs::symlink(dir.path().join("moved"), &temp).unwrap();
        let why = check(&dest, "r1", Format::Csv, &state(10, id)).unwrap_err();
        assert!(why.contains("link"), "{why}");
    }

    #[test]
    fn bad_run_ids_name_no_files() {
        assert!(RowJournal::create(Path::new("/tmp/x.xlsx"), "../x").is_err());
    }
}
