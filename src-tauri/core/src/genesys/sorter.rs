//! Puts one fetch window's conversations in (start, id) order, each once,
//! in bounded memory.
//!
//! Genesys does not promise an order across pages or job results, and
//! pages overlap when data arrives during a pull, so a window must be seen
//! whole before its first conversation can be emitted. A busy day holds tens
//! of thousands of conversations; instead of keeping them all, the sorter
//! keeps at most `memory_limit` bytes of raw JSON, spills sorted runs to an
//! anonymous temporary file (deleted by the OS when dropped, even on a
//! crash) and merges the runs when the window is complete. Records are
//! parsed into [`Conversation`]s only as they are emitted.
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::model::Conversation;
use super::plan::Position;
use crate::error::{Error, ErrorKind, Result};

/// The two fields the order needs, read without parsing the whole record.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Key {
    conversation_id: String,
    conversation_start: DateTime<Utc>,
}

struct Entry {
    key: Position,
    raw: String,
}

/// Collects one window `[start, end)`; see the module docs.
pub(crate) struct WindowSorter {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    memory_limit: usize,
    spill_dir: Option<PathBuf>,
    buf: Vec<Entry>,
    buf_bytes: usize,
    runs: Vec<Run>,
}

/// A sorted run spilled to a temporary file.
struct Run {
    file: File,
    len: u64,
}

impl WindowSorter {
    /// Keep `[start, end)`; spill when more than `memory_limit` bytes of JSON
    /// are held (into `spill_dir`, or the system's temp folder).
    pub(crate) fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        memory_limit: usize,
        spill_dir: Option<PathBuf>,
    ) -> Self {
        Self {
            start,
            end,
            memory_limit: memory_limit.max(1),
            spill_dir,
            buf: Vec::new(),
            buf_bytes: 0,
            runs: Vec::new(),
        }
    }

    /// Add one record as Genesys sent it; records that started outside the
    /// window are dropped.
    pub(crate) fn push(&mut self, raw: &RawValue) -> Result<()> {
        let key: Key = serde_json::from_str(raw.get()).map_err(unreadable)?;
        if key.conversation_start < self.start || key.conversation_start >= self.end {
            return Ok(());
        }
        let raw = raw.get().to_owned();
        self.buf_bytes += raw.len() + key.conversation_id.len();
        self.buf.push(Entry {
            key: Position {
                conversation_start: key.conversation_start,
                conversation_id: key.conversation_id,
            },
            raw,
        });
        if self.buf_bytes >= self.memory_limit {
            self.spill()?;
        }
        Ok(())
    }

    /// How many sorted runs went to disk (for tests and logs).
    pub(crate) fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> Result<()> {
        let entries = sorted(std::mem::take(&mut self.buf));
        self.buf_bytes = 0;
        let file = match &self.spill_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .map_err(|e| self.spill_error(&e))?;
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        let mut len = 0u64;
        for e in &entries {
            write_entry(&mut w, e).map_err(|err| self.spill_error(&err))?;
            len += 1;
        }
        let mut file = w.into_inner().map_err(|e| self.spill_error(e.error()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| self.spill_error(&e))?;
        self.runs.push(Run { file, len });
        Ok(())
    }

    fn spill_error(&self, e: &std::io::Error) -> Error {
        let dir = self
            .spill_dir
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

    /// The window is complete: its conversations in (start, id) order, each once.
    pub(crate) fn finish(mut self) -> Sorted {
        let memory = sorted(std::mem::take(&mut self.buf));
        let mut sources: Vec<Source> = self
            .runs
            .drain(..)
            .map(|r| Source::Disk {
                reader: BufReader::with_capacity(64 * 1024, r.file),
                left: r.len,
            })
            .collect();
        // Last: it holds what arrived last, so ties keep the first copy received.
        sources.push(Source::Memory(memory.into_iter()));
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
        Sorted {
            sources,
            heads,
            heap,
            last: None,
            error,
        }
    }
}

/// Stable sort by key, then drop repeated keys (keeping the first copy).
fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.key.cmp(&b.key));
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
    let raw = e.raw.as_bytes();
    w.write_all(&(raw.len() as u64).to_le_bytes())?;
    w.write_all(raw)
}

fn read_entry(r: &mut impl Read) -> std::io::Result<Entry> {
    let mut b8 = [0u8; 8];
    let mut b4 = [0u8; 4];
    r.read_exact(&mut b8)?;
    let secs = i64::from_le_bytes(b8);
    r.read_exact(&mut b4)?;
    let nanos = u32::from_le_bytes(b4);
    r.read_exact(&mut b4)?;
    let mut id = vec![0u8; u32::from_le_bytes(b4) as usize];
    r.read_exact(&mut id)?;
    r.read_exact(&mut b8)?;
    let mut raw = vec![0u8; usize::try_from(u64::from_le_bytes(b8)).unwrap_or(usize::MAX)];
    r.read_exact(&mut raw)?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    Ok(Entry {
        key: Position {
            conversation_start: DateTime::from_timestamp(secs, nanos)
                .ok_or_else(|| bad("bad time"))?,
            conversation_id: String::from_utf8(id).map_err(|_| bad("bad id"))?,
        },
        raw: String::from_utf8(raw).map_err(|_| bad("bad record"))?,
    })
}

enum Source {
    Disk { reader: BufReader<File>, left: u64 },
    Memory(std::vec::IntoIter<Entry>),
}

impl Source {
    fn next_entry(&mut self) -> Result<Option<Entry>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Disk { reader, left } => {
                if *left == 0 {
                    return Ok(None);
                }
                *left -= 1;
                read_entry(reader).map(Some).map_err(|e| {
                    Error::new(
                        ErrorKind::Io,
                        format!(
                            "Could not read back temporary data for this export ({e}). Try again."
                        ),
                    )
                })
            }
        }
    }
}

/// A complete window in (start, id) order: a k-way merge of the spilled
/// runs and the in-memory rest. Parses each record as it is taken.
pub(crate) struct Sorted {
    sources: Vec<Source>,
    heads: Vec<Option<Entry>>,
    heap: BinaryHeap<Reverse<(Position, usize)>>,
    last: Option<Position>,
    error: Option<Error>,
}

impl Iterator for Sorted {
    type Item = Result<Conversation>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            self.heap.clear();
            return Some(Err(e));
        }
        loop {
            let Reverse((_, i)) = self.heap.pop()?;
            let entry = self.heads[i].take()?;
            match self.sources[i].next_entry() {
                Ok(Some(next)) => {
                    self.heap.push(Reverse((next.key.clone(), i)));
                    self.heads[i] = Some(next);
                }
                Ok(None) => {}
                Err(e) => {
                    self.heap.clear();
                    return Some(Err(e));
                }
            }
            if self.last.as_ref() == Some(&entry.key) {
                continue; // the same conversation from another run
            }
            self.last = Some(entry.key.clone());
            let parsed = serde_json::from_str::<Conversation>(&entry.raw).map_err(unreadable);
            return Some(parsed.map(|mut c| {
                c.raw = entry.raw;
                c
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(id, _)| (id, "first".to_string()))
            .collect();

        for limit in [usize::MAX, 300, 1] {
            let mut s = WindowSorter::new(start, end, limit, None);
            for (id, m) in &input {
                s.push(&record(id, *m, "first")).unwrap();
            }
            // Duplicates arriving later (pages shifting): the first copy wins.
            for (id, m) in input.iter().rev().take(4) {
                s.push(&record(id, *m, "second")).unwrap();
            }
            // Outside the window.
            let outside = Utc.with_ymd_and_hms(2026, 3, 1, 11, 0, 0).unwrap();
            let raw = RawValue::from_string(format!(
                r#"{{"conversationId":"late","conversationStart":"{}"}}"#,
                outside.to_rfc3339()
            ))
            .unwrap();
            s.push(&raw).unwrap();
            let runs = s.spilled_runs();
            match limit {
                usize::MAX => assert_eq!(runs, 0),
                1 => assert_eq!(runs, 11, "one run per record kept"),
                _ => assert!(runs >= 2, "limit {limit}: {runs} runs"),
            }
            assert_eq!(collect(s), expected, "memory limit {limit}");
        }
    }

    #[test]
    fn keeps_the_exact_json_and_reports_unreadable_records() {
        let (start, end) = window();
        let mut s = WindowSorter::new(start, end, 1, None);
        let r = record("x", 1, "t");
        s.push(&r).unwrap();
        let out: Vec<_> = s.finish().collect();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().raw, r.get());

        let mut s = WindowSorter::new(start, end, 1, None);
        let bad = RawValue::from_string(r#"{"conversationId":1}"#.into()).unwrap();
        let err = s.push(&bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
        assert!(err.message.contains("could not read"), "{}", err.message);
    }

    #[test]
    fn a_spill_folder_that_does_not_exist_is_a_plain_io_error() {
        let (start, end) = window();
        let dir = std::env::temp_dir().join(format!("no-such-dir-{}", uuid::Uuid::new_v4()));
        let mut s = WindowSorter::new(start, end, 1, Some(dir.clone()));
        let err = s.push(&record("a", 1, "t")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io);
        assert!(err.message.contains(&dir.display().to_string()));
        assert!(err.message.contains("Free some disk space"));
    }
}
