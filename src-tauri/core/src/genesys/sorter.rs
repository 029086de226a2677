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
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::model::Conversation;
use super::plan::Position;
use crate::error::{Error, ErrorKind, Result};

/// Spilled runs of the same level merged into one at a time. With at most
/// `FAN_IN - 1` runs per level plus the one being merged, a sorter holds
/// well under 64 files open for anything up to 8⁹ spills.
const FAN_IN: usize = 8;
/// Never more spill files open than this (a safety net over the levels).
pub(crate) const MAX_OPEN_RUNS: usize = 64;

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

/// Which of two copies of one conversation to keep: the greater. Pages can
/// repeat a conversation while Genesys updates it (the official blog "How
/// the Analytics Conversation Details Query API Works", 2022-04-21: totalHits
/// changes and records repeat while you page); the later copy is the more
/// complete. So: ended over ongoing, then more segments, then the copy
/// received last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    ended: bool,
    segments: u32,
    seq: u64,
}

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
    spill_dir: Option<PathBuf>,
    buf: Vec<Entry>,
    buf_bytes: usize,
    runs: Vec<Run>,
    seq: u64,
    spills: usize,
}

/// A sorted run spilled to a temporary file; `level` = how many merges it
/// went through.
struct Run {
    file: File,
    len: u64,
    level: u32,
}

/// What [`WindowSorter::push`] did with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// Kept; `ended` tells whether it has a `conversationEnd`.
    Kept { key: Position, ended: bool },
    /// Started outside the window: dropped.
    Outside,
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
            seq: 0,
            spills: 0,
        }
    }

    /// Add one record as Genesys sent it; records that started outside the
    /// window are dropped. Of several copies of one conversation the most
    /// complete is kept (see [`Rank`]).
    pub(crate) fn push(&mut self, raw: &RawValue) -> Result<Pushed> {
        let key: Key = serde_json::from_str(raw.get()).map_err(unreadable)?;
        if key.conversation_start < self.start || key.conversation_start >= self.end {
            return Ok(Pushed::Outside);
        }
        let raw = raw.get().to_owned();
        self.seq += 1;
        let segments: usize = key
            .participants
            .iter()
            .flat_map(|p| &p.sessions)
            .map(|s| s.segments.len())
            .sum();
        let ended = key.conversation_end.is_some();
        let position = Position {
            conversation_start: key.conversation_start,
            conversation_id: key.conversation_id,
        };
        self.buf_bytes += raw.len() + position.conversation_id.len();
        self.buf.push(Entry {
            key: position.clone(),
            rank: Rank {
                ended,
                segments: u32::try_from(segments).unwrap_or(u32::MAX),
                seq: self.seq,
            },
            raw,
        });
        if self.buf_bytes >= self.memory_limit {
            self.spill()?;
        }
        Ok(Pushed::Kept {
            key: position,
            ended,
        })
    }

    /// Spill files open right now (never more than [`MAX_OPEN_RUNS`]).
    pub(crate) fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    /// How many sorted runs went to disk in all (for tests and logs).
    pub(crate) fn spills(&self) -> usize {
        self.spills
    }

    fn temp_file(&self) -> Result<File> {
        match &self.spill_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .map_err(|e| self.spill_error(&e))
    }

    /// Write entries (sorted, one per key) to a new run of `level`.
    fn write_run(&self, entries: impl Iterator<Item = Result<Entry>>, level: u32) -> Result<Run> {
        let file = self.temp_file()?;
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        let mut len = 0u64;
        for e in entries {
            write_entry(&mut w, &e?).map_err(|err| self.spill_error(&err))?;
            len += 1;
        }
        let mut file = w.into_inner().map_err(|e| self.spill_error(e.error()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| self.spill_error(&e))?;
        Ok(Run { file, len, level })
    }

    fn spill(&mut self) -> Result<()> {
        let entries = sorted(std::mem::take(&mut self.buf));
        self.buf_bytes = 0;
        let run = self.write_run(entries.into_iter().map(Ok), 0)?;
        self.runs.push(run);
        self.spills += 1;
        self.compact()
    }

    /// Merge runs in stages: `FAN_IN` runs of one level become one run of
    /// the next, so the number of open files stays small however much a
    /// window holds, and each record is rewritten only log(runs) times.
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
            let sources: Vec<Source> = picked.into_iter().map(Source::disk).collect();
            let merged = self.write_run(Merge::new(sources), next)?;
            self.runs.push(merged);
        }
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
        let mut sources: Vec<Source> = self.runs.drain(..).map(Source::disk).collect();
        sources.push(Source::Memory(memory.into_iter()));
        Sorted {
            merge: Merge::new(sources),
        }
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

fn read_entry(r: &mut impl Read) -> std::io::Result<Entry> {
    let mut b8 = [0u8; 8];
    let mut b4 = [0u8; 4];
    let mut b1 = [0u8; 1];
    r.read_exact(&mut b8)?;
    let secs = i64::from_le_bytes(b8);
    r.read_exact(&mut b4)?;
    let nanos = u32::from_le_bytes(b4);
    r.read_exact(&mut b4)?;
    let mut id = vec![0u8; u32::from_le_bytes(b4) as usize];
    r.read_exact(&mut id)?;
    r.read_exact(&mut b1)?;
    let ended = b1[0] != 0;
    r.read_exact(&mut b4)?;
    let segments = u32::from_le_bytes(b4);
    r.read_exact(&mut b8)?;
    let seq = u64::from_le_bytes(b8);
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
    fn disk(r: Run) -> Source {
        Source::Disk {
            reader: BufReader::with_capacity(64 * 1024, r.file),
            left: r.len,
        }
    }

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
            let mut s = WindowSorter::new(start, end, limit, None);
            for (id, m) in &input {
                s.push(&record(id, *m, "first")).unwrap();
            }
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
                let mut s = WindowSorter::new(start, end, limit, None);
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
                    s.push(r).unwrap();
                }
                s.push(&copy("z", 9, 1, true, "only")).unwrap();
                for r in second.iter() {
                    s.push(r).unwrap();
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
        let mut s = WindowSorter::new(start, end, 1, None);
        let n = 1_000u32;
        let mut most_open = 0;
        for i in 0..n {
            // A scrambled order over the hour, ids unique.
            let minute = (i * 37) % 60;
            s.push(&record(&format!("c{:04}", (i * 7919) % n), minute, "t"))
                .unwrap();
            most_open = most_open.max(s.spilled_runs());
        }
        assert!(most_open <= 64, "{most_open} spill files open at once");
        assert!(s.spills() > 64, "the test must spill more than 64 runs");
        let out: Vec<Conversation> = s.finish().map(|c| c.unwrap()).collect();
        assert_eq!(out.len(), n as usize);
        assert!(out
            .windows(2)
            .all(|p| (p[0].conversation_start, &p[0].conversation_id)
                < (p[1].conversation_start, &p[1].conversation_id)));
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
