//! Puts one fetch window's conversations in (start, id) order, each once,
//! in bounded memory, and (for a run that can be resumed) keeps what was
//! fetched on disk so that a resume does not ask Genesys for it again.
//!
//! Genesys does not promise an order across pages or job results, and
//! pages overlap when data arrives during a pull, so a window must be seen
//! whole before its first conversation can be emitted. A busy day holds tens
//! of thousands of conversations; instead of keeping them all, the sorter
//! keeps at most `memory_limit` bytes of raw JSON and writes sorted runs to
//! files, merged in stages while the window fills and k-way merged when it
//! is read. Records are parsed into [`Conversation`]s only as they are
//! emitted.
//!
//! Where the runs go ([`RunHome`]):
//! - **Temp**: anonymous temporary files (deleted by the OS when closed,
//!   even on a crash), written only past `memory_limit`.
//! - **Store**: named private files in the window's folder of a run's store
//!   (`super::store`). Each sync page of the window's own range becomes a run
//!   at once, tagged with its page number (and page 1 with `totalHits`); a
//!   finished window gets a `complete.json` listing its runs. A run file is
//!   written as `.part` and renamed to `.run` once its trailer (window,
//!   record count, CRC-32 of its records, pages) is written, so a process
//!   killed mid-write leaves no run that looks whole. [`WindowSorter::open_store`]
//!   takes back what a killed run left: a complete window as it is, or, of an
//!   unfinished one, the runs of its own sync pages (what else it held is
//!   dropped and asked again). Runs are not `fsync`'d: after a power cut a
//!   run whose records did not reach the disk fails its CRC and its pages are
//!   simply asked again.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::lookup::EntityKind;
use super::model::Conversation;
use super::plan::Position;
use crate::error::{Error, ErrorKind, Result};

/// Spilled runs of the same level merged into one at a time. With at most
/// `FAN_IN - 1` runs per level plus the one being merged, a sorter holds
/// well under 64 files open for anything up to 8⁹ spills.
const FAN_IN: usize = 8;
/// Never more spill files open than this (a safety net over the levels).
pub(crate) const MAX_OPEN_RUNS: usize = 64;

/// Where a window's sorted runs go (see the module docs).
#[derive(Debug, Clone)]
pub(crate) enum RunHome {
    /// Anonymous temporary files in this folder (default: the system's temp folder).
    Temp(Option<PathBuf>),
    /// Named private files in this window folder of a run's store.
    Store(PathBuf),
}

/// One sync page of the window's own range, read in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageTag {
    /// `paging.pageNumber`.
    pub page: u32,
    /// Records Genesys sent on it (a full page means there may be more).
    pub sent: u32,
    /// The query's `totalHits` (page 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hits: Option<u64>,
}

/// What a run holds besides its records (in a stored run's trailer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunInfo {
    /// The window's own sync pages whose records are all in this run.
    #[serde(default)]
    pub pages: Vec<PageTag>,
    /// Also records of other requests (halves of a window over the paging
    /// cap, jobs, re-reads): such a run only counts in a complete window.
    #[serde(default)]
    pub other: bool,
}

impl RunInfo {
    fn absorb(&mut self, other: &RunInfo) {
        self.pages.extend(other.pages.iter().copied());
        self.other |= other.other;
    }
}

/// The fields the order and the choice between copies need, read without
/// parsing the whole record.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Key {
    conversation_id: String,
    conversation_start: DateTime<Utc>,
    #[serde(default)]
    conversation_end: Option<IgnoredAny>,
    #[serde(default)]
    participants: Vec<KeyParticipant>,
}

#[derive(Deserialize)]
struct KeyParticipant {
    #[serde(default)]
    sessions: Vec<KeySession>,
}

#[derive(Deserialize)]
struct KeySession {
    #[serde(default)]
    segments: Vec<IgnoredAny>,
}

/// [`Key`] plus the entity ids a record refers to (the same places
/// `export::names::for_each_id` reads), when someone wants them early.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyWithIds {
    conversation_id: String,
    conversation_start: DateTime<Utc>,
    #[serde(default)]
    conversation_end: Option<IgnoredAny>,
    #[serde(default)]
    division_ids: Vec<String>,
    #[serde(default)]
    participants: Vec<IdsParticipant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdsParticipant {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    sessions: Vec<IdsSession>,
}

#[derive(Deserialize)]
struct IdsSession {
    #[serde(default)]
    segments: Vec<IdsSegment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdsSegment {
    #[serde(default)]
    queue_id: Option<String>,
    #[serde(default)]
    wrap_up_code: Option<String>,
}

/// Receives the entity ids of each record kept (see [`WindowSorter::push`]).
pub(crate) type IdSink<'a> = &'a mut dyn FnMut(EntityKind, &str);

/// Which of two copies of one conversation to keep: the greater. Pages can
/// repeat a conversation while Genesys updates it (the official blog "How
/// the Analytics Conversation Details Query API Works", 2022-04-21: totalHits
/// changes and records repeat while you page); the later copy is the more
/// complete. So: ended over ongoing, then more segments, then the copy
/// from the later page (pages are numbered in the order Genesys pages them,
/// whenever they arrived; see [`seq`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    ended: bool,
    segments: u32,
    seq: u64,
}

/// The `seq` of the record at `position` on the page with `ordinal`.
pub(crate) fn seq(ordinal: u32, position: usize) -> u64 {
    (u64::from(ordinal) << 32) | (position as u64 & 0xffff_ffff)
}

/// Ordinals of pages that are not numbered pages of the window's own range
/// (halves, jobs, re-reads) start here: after any numbered page.
const OTHER_ORDINALS: u32 = 1 << 24;

struct Entry {
    key: Position,
    rank: Rank,
    raw: String,
}

/// Collects one window `[start, end)`; see the module docs.
pub(crate) struct WindowSorter {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    memory_limit: usize,
    home: RunHome,
    buf: Vec<Entry>,
    buf_bytes: usize,
    /// What the buffered records are (pages read in full, or other records).
    buf_info: RunInfo,
    runs: Vec<Run>,
    spills: usize,
    /// Number of the next named run file.
    next_file: u64,
    /// Ordinal of the next page that is not one of the window's own numbered pages.
    next_ordinal: u32,
}

/// A sorted run spilled to a file; `level` = how many merges it went through.
struct Run {
    file: RunFile,
    records: u64,
    level: u32,
    info: RunInfo,
}

enum RunFile {
    /// An anonymous temporary file, positioned at its start.
    Temp(File),
    /// A run file in a store (closed until read).
    Stored { path: PathBuf, crc: u32 },
}

/// What [`WindowSorter::push`] did with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// Kept; `ended` tells whether it has a `conversationEnd`.
    Kept { key: Position, ended: bool },
    /// Started outside the window: dropped.
    Outside,
}

/// The end of a stored run file: `MAGIC` after the trailer's JSON and its length.
const MAGIC: &[u8; 8] = b"GXRUN\x01\r\n";
/// The name of a complete window's list of runs.
const COMPLETE: &str = "complete.json";

/// The trailer of a stored run (JSON, after its records).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Trailer {
    version: u32,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    level: u32,
    records: u64,
    /// CRC-32 of the records' bytes.
    crc: u32,
    info: RunInfo,
}

/// `complete.json`: a window read in full, and the runs that hold it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complete {
    version: u32,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    runs: Vec<CompleteRun>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompleteRun {
    name: String,
    records: u64,
    crc: u32,
}

/// What a run's store held for a window (see [`WindowSorter::open_store`]).
pub(crate) enum Loaded {
    /// Read in full before: nothing to ask Genesys.
    Complete(Finished),
    /// Part of it (maybe nothing): the sorter holds the runs of the pages
    /// already read; ask for the rest.
    Partial(WindowSorter, StoredPages),
}

/// The window's own sync pages a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoredPages {
    /// Page number → records Genesys sent on it.
    pub pages: BTreeMap<u32, u32>,
    /// `totalHits` of page 1, when page 1 is there.
    pub hits: Option<u64>,
}

impl WindowSorter {
    /// Keep `[start, end)`; runs go to `home` (see [`RunHome`]).
    pub(crate) fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        memory_limit: usize,
        home: RunHome,
    ) -> Self {
        Self {
            start,
            end,
            memory_limit: memory_limit.max(1),
            home,
            buf: Vec::new(),
            buf_bytes: 0,
            buf_info: RunInfo::default(),
            runs: Vec::new(),
            spills: 0,
            next_file: 1,
            next_ordinal: OTHER_ORDINALS,
        }
    }

    /// The window `[start, end)` as a run's store folder `dir` holds it (see
    /// the module docs); creates the folder (private) when missing. What
    /// cannot be used is removed.
    pub(crate) fn open_store(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        memory_limit: usize,
        dir: &Path,
    ) -> Result<Loaded> {
        let io = |e: std::io::Error| store_error(dir, &e);
        crate::private_fs::create_dir_all(dir).map_err(io)?;
        let mut sorter = WindowSorter::new(start, end, memory_limit, RunHome::Store(dir.into()));
        let mut runs: BTreeMap<String, Run> = BTreeMap::new();
        let mut complete = None;
        for entry in std::fs::read_dir(dir).map_err(io)?.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if let Some(number) = name
                .strip_suffix(".run")
                .and_then(|n| n.parse::<u64>().ok())
            {
                sorter.next_file = sorter.next_file.max(number + 1);
                match read_trailer(&path, start, end) {
                    Some(run) => {
                        runs.insert(name, run);
                    }
                    None => {
                        tracing::debug!(file = %path.display(), "dropping an unusable stored run");
                        remove(&path);
                    }
                }
            } else if name == COMPLETE {
                complete = std::fs::read(&path)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Complete>(&b).ok());
            } else if let Some(number) = name
                .strip_suffix(".part")
                .and_then(|n| n.parse::<u64>().ok())
            {
                // Being written when the process stopped.
                sorter.next_file = sorter.next_file.max(number + 1);
                remove(&path);
            }
        }
        if let Some(c) = complete.filter(|c| c.version == 1 && c.start == start && c.end == end) {
            let whole = c.runs.iter().all(|r| {
                runs.get(&r.name).is_some_and(|run| {
                    run.records == r.records
                        && matches!(run.file, RunFile::Stored { crc, .. } if crc == r.crc)
                })
            });
            if whole {
                let mut kept = Vec::new();
                for r in &c.runs {
                    if let Some(run) = runs.remove(&r.name) {
                        kept.push(run);
                    }
                }
                for run in runs.into_values() {
                    run.remove_file();
                }
                return Ok(Loaded::Complete(Finished {
                    runs: kept,
                    memory: Vec::new(),
                }));
            }
        }
        remove(&dir.join(COMPLETE));
        let mut stored = StoredPages::default();
        for run in runs.into_values() {
            if run.info.other {
                run.remove_file();
                continue;
            }
            for tag in &run.info.pages {
                stored.pages.insert(tag.page, tag.sent);
                if tag.page == 1 {
                    stored.hits = tag.hits.or(stored.hits);
                }
            }
            sorter.runs.push(run);
        }
        sorter.runs.sort_by_key(|r| r.level);
        sorter.compact()?;
        Ok(Loaded::Partial(sorter, stored))
    }

    /// Add one record as Genesys sent it, as record `seq` (see [`seq`]);
    /// records that started outside the window are dropped. Of several
    /// copies of one conversation the most complete is kept (see [`Rank`]).
    /// With `ids`, the entity ids of a kept record are handed to it.
    /// Call [`WindowSorter::end_page`] after each page.
    pub(crate) fn push(
        &mut self,
        raw: &RawValue,
        seq: u64,
        ids: Option<IdSink<'_>>,
    ) -> Result<Pushed> {
        let (position, ended, segments) = match ids {
            None => {
                let key: Key = serde_json::from_str(raw.get()).map_err(unreadable)?;
                if key.conversation_start < self.start || key.conversation_start >= self.end {
                    return Ok(Pushed::Outside);
                }
                let segments: usize = key
                    .participants
                    .iter()
                    .flat_map(|p| &p.sessions)
                    .map(|s| s.segments.len())
                    .sum();
                (
                    Position {
                        conversation_start: key.conversation_start,
                        conversation_id: key.conversation_id,
                    },
                    key.conversation_end.is_some(),
                    segments,
                )
            }
            Some(sink) => {
                let key: KeyWithIds = serde_json::from_str(raw.get()).map_err(unreadable)?;
                if key.conversation_start < self.start || key.conversation_start >= self.end {
                    return Ok(Pushed::Outside);
                }
                let mut segments = 0;
                for d in &key.division_ids {
                    sink(EntityKind::Division, d);
                }
                for p in &key.participants {
                    if let Some(u) = &p.user_id {
                        sink(EntityKind::User, u);
                    }
                    for s in &p.sessions {
                        segments += s.segments.len();
                        for seg in &s.segments {
                            if let Some(q) = &seg.queue_id {
                                sink(EntityKind::Queue, q);
                            }
                            if let Some(w) = &seg.wrap_up_code {
                                sink(EntityKind::WrapUpCode, w);
                            }
                        }
                    }
                }
                (
                    Position {
                        conversation_start: key.conversation_start,
                        conversation_id: key.conversation_id,
                    },
                    key.conversation_end.is_some(),
                    segments,
                )
            }
        };
        let raw = raw.get().to_owned();
        self.buf_bytes += raw.len() + position.conversation_id.len();
        self.buf.push(Entry {
            key: position.clone(),
            rank: Rank {
                ended,
                segments: u32::try_from(segments).unwrap_or(u32::MAX),
                seq,
            },
            raw,
        });
        Ok(Pushed::Kept {
            key: position,
            ended,
        })
    }

    /// The records pushed since the last call were one page. `tag` names it
    /// when it is one of the window's own sync pages, read in full: in a
    /// store it then goes to disk at once, as a run tagged with it, so a
    /// resume need not ask for it again. Otherwise the buffer is spilled once
    /// it holds more than `memory_limit`.
    pub(crate) fn end_page(&mut self, tag: Option<PageTag>) -> Result<()> {
        match tag {
            Some(tag) => self.buf_info.pages.push(tag),
            None if !self.buf.is_empty() => self.buf_info.other = true,
            None => {}
        }
        let durable = tag.is_some() && matches!(self.home, RunHome::Store(_));
        if durable || self.buf_bytes >= self.memory_limit {
            self.spill()?;
        }
        Ok(())
    }

    /// An ordinal for a page that is not one of the window's own numbered
    /// pages (see [`seq`]), in the order such pages are asked for.
    pub(crate) fn next_ordinal(&mut self) -> u32 {
        let o = self.next_ordinal;
        self.next_ordinal = self.next_ordinal.saturating_add(1);
        o
    }

    /// Spill files open right now (never more than [`MAX_OPEN_RUNS`]).
    pub(crate) fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    /// How many sorted runs went to disk in all (for tests and logs).
    pub(crate) fn spills(&self) -> usize {
        self.spills
    }

    /// Write entries (sorted, one per key) to a new run of `level`.
    fn write_run(
        &mut self,
        entries: impl Iterator<Item = Result<Entry>>,
        level: u32,
        info: RunInfo,
    ) -> Result<Run> {
        match self.home.clone() {
            RunHome::Temp(dir) => {
                let file = match &dir {
                    Some(dir) => tempfile::tempfile_in(dir),
                    None => tempfile::tempfile(),
                }
                .map_err(|e| self.spill_error(&e))?;
                let mut w = BufWriter::with_capacity(64 * 1024, file);
                let mut records = 0u64;
                for e in entries {
                    write_entry(&mut w, &e?).map_err(|err| self.spill_error(&err))?;
                    records += 1;
                }
                let mut file = w.into_inner().map_err(|e| self.spill_error(e.error()))?;
                file.seek(SeekFrom::Start(0))
                    .map_err(|e| self.spill_error(&e))?;
                Ok(Run {
                    file: RunFile::Temp(file),
                    records,
                    level,
                    info,
                })
            }
            RunHome::Store(dir) => {
                let number = self.next_file;
                self.next_file += 1;
                let part = dir.join(format!("{number:08}.part"));
                let path = dir.join(format!("{number:08}.run"));
                let io = |e: &std::io::Error| store_error(&dir, e);
                let file = crate::private_fs::create_fresh(&part).map_err(|e| io(&e))?;
                let mut w = CrcWriter {
                    inner: BufWriter::with_capacity(64 * 1024, file),
                    crc: crc32fast::Hasher::new(),
                };
                let mut records = 0u64;
                let written = (|| -> Result<()> {
                    for e in entries {
                        write_entry(&mut w, &e?).map_err(|err| io(&err))?;
                        records += 1;
                    }
                    Ok(())
                })();
                if let Err(e) = written {
                    remove(&part);
                    return Err(e);
                }
                let crc = w.crc.clone().finalize();
                let trailer = Trailer {
                    version: 1,
                    start: self.start,
                    end: self.end,
                    level,
                    records,
                    crc,
                    info: info.clone(),
                };
                let finished = (|| -> std::io::Result<()> {
                    let json = serde_json::to_vec(&trailer).map_err(std::io::Error::other)?;
                    let mut inner = w.inner;
                    inner.write_all(&json)?;
                    inner.write_all(&(json.len() as u32).to_le_bytes())?;
                    inner.write_all(MAGIC)?;
                    inner.flush()?;
                    drop(inner);
                    std::fs::rename(&part, &path)
                })();
                if let Err(e) = finished {
                    remove(&part);
                    return Err(io(&e));
                }
                Ok(Run {
                    file: RunFile::Stored { path, crc },
                    records,
                    level,
                    info,
                })
            }
        }
    }

    fn spill(&mut self) -> Result<()> {
        let entries = sorted(std::mem::take(&mut self.buf));
        self.buf_bytes = 0;
        let info = std::mem::take(&mut self.buf_info);
        let run = self.write_run(entries.into_iter().map(Ok), 0, info)?;
        self.runs.push(run);
        self.spills += 1;
        self.compact()
    }

    /// Merge runs in stages: `FAN_IN` runs of one level become one run of
    /// the next, so the number of open files stays small however much a
    /// window holds, and each record is rewritten only log(runs) times. A
    /// stored run's sources are removed once the merged run is in place (a
    /// crash in between leaves both; the copies are the same records).
    fn compact(&mut self) -> Result<()> {
        loop {
            let level = self.runs.last().map_or(0, |r| r.level);
            let same: Vec<usize> = (0..self.runs.len())
                .filter(|&i| self.runs[i].level == level)
                .collect();
            let over = self.runs.len() >= MAX_OPEN_RUNS;
            if same.len() < FAN_IN && !over {
                return Ok(());
            }
            let picked: Vec<Run> = if same.len() >= FAN_IN {
                let mut picked = Vec::new();
                for i in same.into_iter().rev() {
                    picked.push(self.runs.remove(i));
                }
                picked
            } else {
                std::mem::take(&mut self.runs)
            };
            let next = picked.iter().map(|r| r.level).max().unwrap_or(0) + 1;
            let mut info = RunInfo::default();
            let mut stored = Vec::new();
            let mut sources = Vec::new();
            for run in picked {
                info.absorb(&run.info);
                if let RunFile::Stored { path, .. } = &run.file {
                    stored.push(path.clone());
                }
                sources.push(Source::open(run)?);
            }
            let merged = self.write_run(Merge::new(sources), next, info)?;
            for path in stored {
                remove(&path);
            }
            self.runs.push(merged);
        }
    }

    fn spill_error(&self, e: &std::io::Error) -> Error {
        match &self.home {
            RunHome::Store(dir) => store_error(dir, e),
            RunHome::Temp(dir) => {
                let dir = dir
                    .clone()
                    .unwrap_or_else(std::env::temp_dir)
                    .display()
                    .to_string();
                Error::new(
                    ErrorKind::Io,
                    format!(
                        "Could not keep temporary data for this export in {dir} ({e}). Free some disk space there and try again."
                    ),
                )
            }
        }
    }

    /// The window is complete. In a store, what is still in memory goes to
    /// a run and `complete.json` lists the window's runs.
    pub(crate) fn finish(mut self) -> Result<Finished> {
        let RunHome::Store(dir) = self.home.clone() else {
            return Ok(Finished {
                runs: std::mem::take(&mut self.runs),
                memory: sorted(std::mem::take(&mut self.buf)),
            });
        };
        if !self.buf.is_empty() {
            if self.buf_info.pages.is_empty() {
                self.buf_info.other = true;
            }
            self.spill()?;
        }
        let complete = Complete {
            version: 1,
            start: self.start,
            end: self.end,
            runs: self
                .runs
                .iter()
                .filter_map(|r| match &r.file {
                    RunFile::Stored { path, crc } => Some(CompleteRun {
                        name: path.file_name()?.to_str()?.to_string(),
                        records: r.records,
                        crc: *crc,
                    }),
                    RunFile::Temp(_) => None,
                })
                .collect(),
        };
        write_private(&dir.join(COMPLETE), &complete).map_err(|e| store_error(&dir, &e))?;
        Ok(Finished {
            runs: std::mem::take(&mut self.runs),
            memory: Vec::new(),
        })
    }
}

/// A complete window, not yet read (stored runs stay closed until then).
pub(crate) struct Finished {
    runs: Vec<Run>,
    memory: Vec<Entry>,
}

impl Finished {
    /// `totalHits` of the window's first sync page, when a stored run says it.
    pub(crate) fn hits(&self) -> Option<u64> {
        self.runs
            .iter()
            .flat_map(|r| &r.info.pages)
            .find(|t| t.page == 1)
            .and_then(|t| t.hits)
    }

    /// Its conversations in (start, id) order, each once.
    pub(crate) fn sorted(self) -> Result<Sorted> {
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for run in self.runs {
            sources.push(Source::open(run)?);
        }
        sources.push(Source::Memory(self.memory.into_iter()));
        Ok(Sorted {
            merge: Merge::new(sources),
        })
    }
}

impl Run {
    fn remove_file(self) {
        if let RunFile::Stored { path, .. } = &self.file {
            remove(path);
        }
    }
}

/// Removes a file of ours, if it is there.
fn remove(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("cannot remove {}: {e}", path.display()),
    }
}

fn store_error(dir: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!(
            "Could not keep the conversations read so far in {} ({e}). Free some disk space there and try again.",
            dir.display()
        ),
    )
}

/// Write `value` as JSON to a new private file at `path`, replacing it
/// atomically (not `fsync`'d: see the module docs).
fn write_private<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let tmp = path.with_extension("json.part");
    let json = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    let mut f = crate::private_fs::create_fresh(&tmp)?;
    f.write_all(&json)?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// A stored run's trailer, checked: the window, the magic, the record
/// count and the CRC of the records. `None` when it is not whole.
fn read_trailer(path: &Path, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Run> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len < (MAGIC.len() + 4) as u64 {
        return None;
    }
    let mut tail = [0u8; 12];
    file.seek(SeekFrom::Start(len - 12)).ok()?;
    file.read_exact(&mut tail).ok()?;
    if &tail[4..] != MAGIC {
        return None;
    }
    let json_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    let body = len.checked_sub(12 + json_len)?;
    let mut json = vec![0u8; usize::try_from(json_len).ok()?];
    file.seek(SeekFrom::Start(body)).ok()?;
    file.read_exact(&mut json).ok()?;
    let t: Trailer = serde_json::from_slice(&json).ok()?;
    if t.version != 1 || t.start != start || t.end != end {
        return None;
    }
    // The records: their CRC, and exactly `records` of them in `body` bytes.
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut reader = CrcReader {
        inner: BufReader::with_capacity(64 * 1024, (&mut file).take(body)),
        crc: crc32fast::Hasher::new(),
        read: 0,
    };
    for _ in 0..t.records {
        read_entry(&mut reader).ok()?;
    }
    if reader.read != body || reader.crc.finalize() != t.crc {
        return None;
    }
    Some(Run {
        file: RunFile::Stored {
            path: path.to_path_buf(),
            crc: t.crc,
        },
        records: t.records,
        level: t.level,
        info: t.info,
    })
}

struct CrcWriter<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for CrcWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct CrcReader<R> {
    inner: R,
    crc: crc32fast::Hasher,
    read: u64,
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Sort by key, best copy first, then keep one entry per key (the best).
fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.key.cmp(&b.key).then(b.rank.cmp(&a.rank)));
    entries.dedup_by(|later, earlier| later.key == earlier.key);
    entries
}

fn unreadable(e: serde_json::Error) -> Error {
    Error::new(
        ErrorKind::Server,
        format!("Genesys Cloud sent a conversation we could not read: {e}."),
    )
}

fn write_entry(w: &mut impl Write, e: &Entry) -> std::io::Result<()> {
    let id = e.key.conversation_id.as_bytes();
    let start = e.key.conversation_start;
    w.write_all(&start.timestamp().to_le_bytes())?;
    w.write_all(&start.timestamp_subsec_nanos().to_le_bytes())?;
    w.write_all(&u32::try_from(id.len()).unwrap_or(u32::MAX).to_le_bytes())?;
    w.write_all(id)?;
    w.write_all(&[u8::from(e.rank.ended)])?;
    w.write_all(&e.rank.segments.to_le_bytes())?;
    w.write_all(&e.rank.seq.to_le_bytes())?;
    let raw = e.raw.as_bytes();
    w.write_all(&(raw.len() as u64).to_le_bytes())?;
    w.write_all(raw)
}

/// Longest record read back (a guard against a damaged length).
const MAX_RECORD: u64 = 1 << 30;

fn read_entry(r: &mut impl Read) -> std::io::Result<Entry> {
    let mut b8 = [0u8; 8];
    let mut b4 = [0u8; 4];
    let mut b1 = [0u8; 1];
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    r.read_exact(&mut b8)?;
    let secs = i64::from_le_bytes(b8);
    r.read_exact(&mut b4)?;
    let nanos = u32::from_le_bytes(b4);
    r.read_exact(&mut b4)?;
    let id_len = u32::from_le_bytes(b4);
    if id_len > 4096 {
        return Err(bad("bad id length"));
    }
    let mut id = vec![0u8; id_len as usize];
    r.read_exact(&mut id)?;
    r.read_exact(&mut b1)?;
    let ended = b1[0] != 0;
    r.read_exact(&mut b4)?;
    let segments = u32::from_le_bytes(b4);
    r.read_exact(&mut b8)?;
    let seq = u64::from_le_bytes(b8);
    r.read_exact(&mut b8)?;
    let raw_len = u64::from_le_bytes(b8);
    if raw_len > MAX_RECORD {
        return Err(bad("bad record length"));
    }
    let mut raw = vec![0u8; usize::try_from(raw_len).map_err(|_| bad("bad record length"))?];
    r.read_exact(&mut raw)?;
    Ok(Entry {
        key: Position {
            conversation_start: DateTime::from_timestamp(secs, nanos)
                .ok_or_else(|| bad("bad time"))?,
            conversation_id: String::from_utf8(id).map_err(|_| bad("bad id"))?,
        },
        rank: Rank {
            ended,
            segments,
            seq,
        },
        raw: String::from_utf8(raw).map_err(|_| bad("bad record"))?,
    })
}

enum Source {
    Disk { reader: BufReader<File>, left: u64 },
    Memory(std::vec::IntoIter<Entry>),
}

impl Source {
    /// Read a run from its start.
    fn open(r: Run) -> Result<Source> {
        let file = match r.file {
            RunFile::Temp(f) => f,
            RunFile::Stored { path, .. } => File::open(&path).map_err(|e| read_back_error(&e))?,
        };
        Ok(Source::Disk {
            reader: BufReader::with_capacity(64 * 1024, file),
            left: r.records,
        })
    }

    fn next_entry(&mut self) -> Result<Option<Entry>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Disk { reader, left } => {
                if *left == 0 {
                    return Ok(None);
                }
                *left -= 1;
                read_entry(reader)
                    .map(Some)
                    .map_err(|e| read_back_error(&e))
            }
        }
    }
}

fn read_back_error(e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("Could not read back temporary data for this export ({e}). Try again."),
    )
}

/// A k-way merge of sorted sources, one entry per key: the best copy.
struct Merge {
    sources: Vec<Source>,
    heads: Vec<Option<Entry>>,
    heap: BinaryHeap<Reverse<(Position, usize)>>,
    error: Option<Error>,
}

impl Merge {
    fn new(mut sources: Vec<Source>) -> Merge {
        let mut heap = BinaryHeap::new();
        let mut heads = Vec::with_capacity(sources.len());
        let mut error = None;
        for (i, s) in sources.iter_mut().enumerate() {
            match s.next_entry() {
                Ok(Some(e)) => {
                    heap.push(Reverse((e.key.clone(), i)));
                    heads.push(Some(e));
                }
                Ok(None) => heads.push(None),
                Err(e) => {
                    error.get_or_insert(e);
                    heads.push(None);
                }
            }
        }
        Merge {
            sources,
            heads,
            heap,
            error,
        }
    }

    /// Take the head of source `i` and advance it.
    fn take(&mut self, i: usize) -> Result<Option<Entry>> {
        let Some(entry) = self.heads[i].take() else {
            return Ok(None);
        };
        if let Some(next) = self.sources[i].next_entry()? {
            self.heap.push(Reverse((next.key.clone(), i)));
            self.heads[i] = Some(next);
        }
        Ok(Some(entry))
    }
}

impl Iterator for Merge {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            self.heap.clear();
            return Some(Err(e));
        }
        let Reverse((_, i)) = self.heap.pop()?;
        let mut best = match self.take(i) {
            Ok(Some(e)) => e,
            Ok(None) => return self.next(),
            Err(e) => {
                self.heap.clear();
                return Some(Err(e));
            }
        };
        // The same conversation from other runs: keep the best copy.
        while self
            .heap
            .peek()
            .is_some_and(|Reverse((k, _))| *k == best.key)
        {
            let Some(Reverse((_, j))) = self.heap.pop() else {
                break;
            };
            match self.take(j) {
                Ok(Some(other)) if other.rank > best.rank => best = other,
                Ok(_) => {}
                Err(e) => {
                    self.heap.clear();
                    return Some(Err(e));
                }
            }
        }
        Some(Ok(best))
    }
}

/// A complete window in (start, id) order: a k-way merge of the spilled
/// runs and the in-memory rest. Parses each record as it is taken.
pub(crate) struct Sorted {
    merge: Merge,
}

impl Iterator for Sorted {
    type Item = Result<Conversation>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = match self.merge.next()? {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        let parsed = serde_json::from_str::<Conversation>(&entry.raw).map_err(unreadable);
        Some(parsed.map(|mut c| {
            c.raw = entry.raw;
            c
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Records are numbered in the order they are pushed (the copy pushed
    /// last is the later one), one page each.
    trait AddOne {
        fn add(&mut self, raw: &RawValue) -> Result<Pushed>;
    }

    impl AddOne for WindowSorter {
        fn add(&mut self, raw: &RawValue) -> Result<Pushed> {
            static SEQ: AtomicU64 = AtomicU64::new(1);
            let pushed = self.push(raw, SEQ.fetch_add(1, Ordering::SeqCst), None)?;
            self.end_page(None)?;
            Ok(pushed)
        }
    }

    fn record(id: &str, minute: u32, tag: &str) -> Box<RawValue> {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 10, minute, 0).unwrap();
        RawValue::from_string(format!(
            r#"{{"conversationId":"{id}","conversationStart":"{}","externalTag":"{tag}"}}"#,
            start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        ))
        .unwrap()
    }

    fn window() -> (DateTime<Utc>, DateTime<Utc>) {
        (
            Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 1, 11, 0, 0).unwrap(),
        )
    }

    fn collect(s: WindowSorter) -> Vec<(String, String)> {
        s.finish()
            .unwrap()
            .sorted()
            .unwrap()
            .map(|c| {
                let c = c.unwrap();
                (c.conversation_id.clone(), c.external_tag.clone().unwrap())
            })
            .collect()
    }

    /// The same input in many orders, with duplicates, through memory limits
    /// that force 0, a few and one-record-per-run spills: always the same output.
    #[test]
    fn orders_dedups_and_filters_whatever_the_memory_limit() {
        let (start, end) = window();
        // (id, minute): ties on the minute are ordered by id; minute 59 is in,
        // 0 is in (start inclusive); ids "late" (minute 60 → 11:00) is out.
        let mut input = vec![];
        for (i, m) in [(7, 30), (3, 5), (9, 30), (1, 59), (4, 0), (8, 5), (2, 30)] {
            input.push((format!("c{i}"), m));
        }
        let mut expected: Vec<(String, u32)> = input.clone();
        expected.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        // Duplicates arriving later (pages shifting) with the same
        // completeness: the copy received last wins.
        let again: Vec<String> = input.iter().rev().take(4).map(|x| x.0.clone()).collect();
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(id, _)| {
                let tag = if again.contains(&id) {
                    "second"
                } else {
                    "first"
                };
                (id, tag.to_string())
            })
            .collect();

        for limit in [usize::MAX, 300, 1] {
            let mut s = WindowSorter::new(start, end, limit, RunHome::Temp(None));
            for (id, m) in &input {
                s.add(&record(id, *m, "first")).unwrap();
            }
            for (id, m) in input.iter().rev().take(4) {
                s.add(&record(id, *m, "second")).unwrap();
            }
            // Outside the window.
            let outside = Utc.with_ymd_and_hms(2026, 3, 1, 11, 0, 0).unwrap();
            let raw = RawValue::from_string(format!(
                r#"{{"conversationId":"late","conversationStart":"{}"}}"#,
                outside.to_rfc3339()
            ))
            .unwrap();
            s.add(&raw).unwrap();
            let runs = s.spills();
            match limit {
                usize::MAX => assert_eq!(runs, 0),
                1 => assert_eq!(runs, 11, "one run per record kept"),
                _ => assert!(runs >= 2, "limit {limit}: {runs} runs"),
            }
            assert!(s.spilled_runs() <= runs);
            assert_eq!(collect(s), expected, "memory limit {limit}");
        }
    }

    /// A record with `segments` interact segments, ended or not.
    fn copy(id: &str, minute: u32, segments: usize, ended: bool, tag: &str) -> Box<RawValue> {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 10, minute, 0).unwrap();
        let segs: Vec<String> = (0..segments)
            .map(|_| r#"{"segmentType":"interact"}"#.to_string())
            .collect();
        let end = if ended {
            format!(
                r#","conversationEnd":"{}""#,
                (start + chrono::Duration::minutes(5)).to_rfc3339()
            )
        } else {
            String::new()
        };
        RawValue::from_string(format!(
            r#"{{"conversationId":"{id}","conversationStart":"{}"{end},"externalTag":"{tag}","participants":[{{"sessions":[{{"segments":[{}]}}]}}]}}"#,
            start.to_rfc3339(),
            segs.join(",")
        ))
        .unwrap()
    }

    /// Pages repeat a conversation while Genesys updates it: whatever the
    /// order the copies arrive in, in memory or across spilled runs, the
    /// ended copy beats the ongoing one, then more segments beat fewer.
    #[test]
    fn the_most_complete_copy_of_a_repeated_conversation_wins() {
        let (start, end) = window();
        for limit in [usize::MAX, 1, 400] {
            for older_first in [true, false] {
                let mut s = WindowSorter::new(start, end, limit, RunHome::Temp(None));
                let older = [
                    copy("a", 1, 2, false, "old"),
                    copy("b", 2, 1, true, "old"),
                    copy("c", 3, 3, false, "old"),
                ];
                let newer = [
                    copy("a", 1, 4, true, "new"),
                    copy("b", 2, 3, true, "new"),
                    copy("c", 3, 2, true, "new"),
                ];
                let (first, second) = if older_first {
                    (&older, &newer)
                } else {
                    (&newer, &older)
                };
                for r in first.iter() {
                    s.add(r).unwrap();
                }
                s.add(&copy("z", 9, 1, true, "only")).unwrap();
                for r in second.iter() {
                    s.add(r).unwrap();
                }
                let got = collect(s);
                let want: Vec<(String, String)> =
                    [("a", "new"), ("b", "new"), ("c", "new"), ("z", "only")]
                        .iter()
                        .map(|(i, t)| (i.to_string(), t.to_string()))
                        .collect();
                assert_eq!(got, want, "limit {limit}, older first: {older_first}");
            }
        }
    }

    /// A tiny sort memory makes every record its own spilled run: the runs
    /// are merged in stages so no more than 64 temporary files are ever open,
    /// and the output is still complete and in order.
    #[test]
    fn many_spilled_runs_never_hold_more_than_64_files_open() {
        let (start, end) = window();
        let mut s = WindowSorter::new(start, end, 1, RunHome::Temp(None));
        let n = 1_000u32;
        let mut most_open = 0;
        for i in 0..n {
            // A scrambled order over the hour, ids unique.
            let minute = (i * 37) % 60;
            s.add(&record(&format!("c{:04}", (i * 7919) % n), minute, "t"))
                .unwrap();
            most_open = most_open.max(s.spilled_runs());
        }
        assert!(most_open <= 64, "{most_open} spill files open at once");
        assert!(s.spills() > 64, "the test must spill more than 64 runs");
        let out: Vec<Conversation> = s
            .finish()
            .unwrap()
            .sorted()
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
        assert_eq!(out.len(), n as usize);
        assert!(out
            .windows(2)
            .all(|p| (p[0].conversation_start, &p[0].conversation_id)
                < (p[1].conversation_start, &p[1].conversation_id)));
    }

    #[test]
    fn keeps_the_exact_json_and_reports_unreadable_records() {
        let (start, end) = window();
        let mut s = WindowSorter::new(start, end, 1, RunHome::Temp(None));
        let r = record("x", 1, "t");
        s.add(&r).unwrap();
        let out: Vec<_> = s.finish().unwrap().sorted().unwrap().collect();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().raw, r.get());

        let mut s = WindowSorter::new(start, end, 1, RunHome::Temp(None));
        let bad = RawValue::from_string(r#"{"conversationId":1}"#.into()).unwrap();
        let err = s.add(&bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
        assert!(err.message.contains("could not read"), "{}", err.message);
    }

    #[test]
    fn a_spill_folder_that_does_not_exist_is_a_plain_io_error() {
        let (start, end) = window();
        let dir = std::env::temp_dir().join(format!("no-such-dir-{}", uuid::Uuid::new_v4()));
        let mut s = WindowSorter::new(start, end, 1, RunHome::Temp(Some(dir.clone())));
        let err = s.add(&record("a", 1, "t")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io);
        assert!(err.message.contains(&dir.display().to_string()));
        assert!(err.message.contains("Free some disk space"));
    }
}
