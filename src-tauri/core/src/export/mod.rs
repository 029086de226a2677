//! The streaming export pipeline: flatten → names → time zone → CSV/XLSX/JSONL,
//! written atomically.
//!
//! One entry point, [`write_export`]: it takes a stream of conversations (from
//! `genesys::fetch` or a test), resolves names in bulk per batch of
//! [`BATCH_SIZE`] conversations, writes rows as they arrive into a temp file
//! beside the destination and renames it into place on success. Memory stays
//! flat: one batch of conversations, the name cache, and the writer's buffers.
//!
//! [`write_resumable`] is the same for runs that must survive a crash
//! (`jobs::run_export`): see [`resume`].
pub mod columns;
pub mod flatten;
pub mod names;
pub mod options;
pub mod output;
pub mod render;
pub mod resume;
pub mod writers;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::genesys::model::Conversation;
use crate::genesys::Checkpoint;
use crate::{Error, ErrorKind, Result};

pub use columns::{columns, default_columns, ColumnInfo};
pub use names::{
    is_entity_id, system_wrap_up_label, EntityKind, NameCache, NameSource, SYSTEM_WRAP_UP_CODES,
};
pub use options::{Delimiter, DurationFormat, ExportOptions, Format, Grain};
pub use resume::{CheckpointSource, Resumable, ResumeState};

use columns::ColumnDef;
use flatten::Cell;
use resume::RowJournal;
use writers::{CsvWriter, JsonlWriter, XlsxWriter};

/// Conversations per name-lookup batch.
pub const BATCH_SIZE: usize = 100;

/// Where the export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The file the user chose.
    pub path: PathBuf,
    /// Replace `path` if it exists (the user confirmed); otherwise an existing file is an error.
    pub replace: bool,
    /// On cancel or failure, keep what was written as `name (partial).ext`.
    pub keep_partial: bool,
}

impl Destination {
    /// A new file that must not exist yet; nothing kept on failure.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            replace: false,
            keep_partial: false,
        }
    }
}

/// Progress after each batch (and at the end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WriteProgress {
    #[ts(type = "number")]
    pub conversations: u64,
    #[ts(type = "number")]
    pub rows: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The file written.
    pub path: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    pub format: Format,
    pub grain: Grain,
    /// Column ids in file order (empty for JSONL).
    pub columns: Vec<String>,
    /// Data rows (JSONL: lines).
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub conversations: u64,
    /// Conversations without an end yet.
    #[ts(type = "number")]
    pub in_progress: u64,
    /// Earliest and latest conversation start written.
    pub first_start: Option<DateTime<Utc>>,
    pub last_start: Option<DateTime<Utc>>,
    /// The time zone times are shown in.
    pub time_zone: String,
    /// Plain-language notes for the user.
    pub warnings: Vec<String>,
}

enum Writer {
    Csv(Box<CsvWriter>),
    /// With the row journal when the export is resumable.
    Xlsx(Box<XlsxWriter>, Option<RowJournal>),
    Jsonl(JsonlWriter),
}

impl Writer {
    /// Flush what was written to the disk; returns the length of the file a
    /// resume appends to (the temp file, or the XLSX row journal).
    fn sync(&mut self) -> std::io::Result<u64> {
        match self {
            Writer::Csv(c) => c.sync(),
            Writer::Jsonl(j) => j.sync(),
            Writer::Xlsx(_, Some(journal)) => journal.sync(),
            Writer::Xlsx(_, None) => Ok(0),
        }
    }
}

/// Running totals.
#[derive(Default)]
struct Totals {
    conversations: u64,
    rows: u64,
    in_progress: u64,
    first_start: Option<DateTime<Utc>>,
    last_start: Option<DateTime<Utc>>,
}

/// Check options without exporting (time zone, columns for the grain), e.g.
/// when a profile is saved. Returns the column ids that would be written.
pub fn validate(opts: &ExportOptions) -> Result<Vec<String>> {
    crate::clock::parse_time_zone(&opts.time_zone, "timeZone")?;
    if opts.format == Format::Jsonl {
        return Ok(Vec::new());
    }
    let cols = columns::resolve(opts.grain, &opts.columns, opts.include_ids)?;
    Ok(cols.iter().map(|c| c.key.to_string()).collect())
}

/// Export a stream of conversations to `dest`. The one entry point for the app and the CLI.
///
/// - Validates first (time zone, columns for the grain, destination) and
///   fails with `InvalidInput` (field `timeZone`, `columns` or `destination`)
///   before reading the stream.
/// - An existing file is an error unless `dest.replace`.
/// - Writes to a temp file in the destination folder and renames it on
///   success. On cancel (`Cancelled`) or any failure the destination is
///   untouched and the temp file removed; with `dest.keep_partial` what was
///   written is finished and saved as `name (partial).ext`, and the error
///   message says so.
/// - `on_progress` is called after every batch and once at the end.
pub async fn write_export<S>(
    conversations: S,
    names: &dyn NameSource,
    opts: &ExportOptions,
    dest: &Destination,
    cancel: CancellationToken,
    on_progress: impl FnMut(WriteProgress),
) -> Result<Summary>
where
    S: Stream<Item = Result<Conversation>>,
{
    let request = Request {
        names,
        opts,
        dest,
        run: None,
        cancel,
    };
    write_inner(request, conversations, |_: &S| None, on_progress).await
}

/// [`write_export`] for a run that can be resumed after a crash (see
/// [`resume`]): the temp file is named after `run.run_id`, durable points go
/// to `run.on_durable`, and with `run.from` the export continues the run's
/// partly written file (the stream must then continue from
/// `run.from.fetch`). The totals and the summary cover the whole file.
pub async fn write_resumable<S>(
    conversations: S,
    names: &dyn NameSource,
    opts: &ExportOptions,
    dest: &Destination,
    run: Resumable<'_>,
    cancel: CancellationToken,
    on_progress: impl FnMut(WriteProgress),
) -> Result<Summary>
where
    S: Stream<Item = Result<Conversation>> + CheckpointSource,
{
    let request = Request {
        names,
        opts,
        dest,
        run: Some(run),
        cancel,
    };
    write_inner(request, conversations, |s: &S| s.checkpoint(), on_progress).await
}

/// Durable points of a resumable export.
struct Durable<'a> {
    on_durable: &'a mut (dyn FnMut(&ResumeState) + Send),
    last: Option<Instant>,
    /// The identity of the file a resume appends to.
    file: Option<crate::private_fs::FileId>,
}

/// What one export writes: names from where, with which options, to where.
struct Request<'a, 'r> {
    names: &'a dyn NameSource,
    opts: &'a ExportOptions,
    dest: &'a Destination,
    /// Set for a resumable export.
    run: Option<Resumable<'r>>,
    cancel: CancellationToken,
}

/// An export being written: its writer and the state that grows as
/// batches of conversations are written.
struct Session<'a, 'r> {
    names: &'a dyn NameSource,
    grain: Grain,
    cols: &'a [&'static ColumnDef],
    dest: &'a Path,
    cancel: &'a CancellationToken,
    /// `None` once it was taken to be finished.
    writer: Option<Writer>,
    cache: NameCache,
    totals: Totals,
    durable: Option<Durable<'r>>,
    /// The row being filled (reused).
    row: Vec<Cell>,
}

async fn write_inner<S>(
    request: Request<'_, '_>,
    conversations: S,
    checkpoint_of: impl Fn(&S) -> Option<Checkpoint>,
    mut on_progress: impl FnMut(WriteProgress),
) -> Result<Summary>
where
    S: Stream<Item = Result<Conversation>>,
{
    let Request {
        names,
        opts,
        dest,
        run,
        cancel,
    } = request;
    let tz = crate::clock::parse_time_zone(&opts.time_zone, "timeZone")?;
    let style = render::Style {
        tz,
        durations: opts.duration_format,
    };
    let cols: Vec<&'static ColumnDef> = if opts.format == Format::Jsonl {
        Vec::new()
    } else {
        columns::resolve(opts.grain, &opts.columns, opts.include_ids)?
    };
    output::check_destination(&dest.path, dest.replace)?;
    output::check_extension(&dest.path, opts.format)?;
    if cancel.is_cancelled() {
        return Err(Error::cancelled());
    }

    let resume_from = run.as_ref().and_then(|r| r.from.clone());
    let (file, temp) = match &run {
        None => output::create_temp(&dest.path)?,
        // XLSX is rebuilt from its row journal: its temp file starts empty.
        Some(r) => {
            let keep = match opts.format {
                Format::Xlsx => None,
                Format::Csv | Format::Jsonl => resume_from.as_ref().map(ResumeState::kept),
            };
            output::open_run_temp(&dest.path, r.run_id, keep)?
        }
    };
    // The identity of the file a resume would append to (CSV, JSON lines: the temp file).
    let mut appended_id = match (&run, opts.format) {
        (Some(_), Format::Csv | Format::Jsonl) => crate::private_fs::FileId::of(&file)
            .map_err(|e| writers::write_error(&dest.path, &e))?,
        _ => None,
    };
    let file_name = writers::display_name(&dest.path);
    let write_err = |e: std::io::Error| writers::write_error(&dest.path, &e);
    let (writer, file) = match opts.format {
        Format::Csv if resume_from.is_some() => (
            Writer::Csv(Box::new(CsvWriter::append(file, opts.csv_delimiter, style))),
            None,
        ),
        Format::Csv => {
            let w = CsvWriter::new(file, &cols, opts.csv_delimiter, opts.csv_bom, style)
                .map_err(write_err)?;
            (Writer::Csv(Box::new(w)), None)
        }
        Format::Jsonl => (Writer::Jsonl(JsonlWriter::new(file)), None),
        Format::Xlsx => {
            let mut w = XlsxWriter::new(
                &temp.dir,
                file_name.clone(),
                &cols,
                opts.grain,
                style,
                writers::EXCEL_MAX_ROWS,
            )?;
            let journal = match (&run, &resume_from) {
                (None, _) => None,
                (Some(r), None) => Some(RowJournal::create(&dest.path, r.run_id)?),
                (Some(r), Some(state)) => Some(RowJournal::resume(
                    &dest.path,
                    r.run_id,
                    state.kept(),
                    &mut w,
                )?),
            };
            // XLSX resumes from its row journal.
            if let Some(j) = &journal {
                appended_id = j.id();
            }
            (Writer::Xlsx(Box::new(w), journal), Some(file))
        }
    };
    let mut xlsx_file = file;
    let totals = match &resume_from {
        Some(state) => Totals {
            conversations: state.conversations,
            rows: state.rows,
            in_progress: state.in_progress,
            first_start: state.first_start,
            last_start: state.last_start,
        },
        None => Totals::default(),
    };
    let mut session = Session {
        names,
        grain: opts.grain,
        cols: &cols,
        dest: &dest.path,
        cancel: &cancel,
        writer: Some(writer),
        cache: NameCache::new(),
        totals,
        durable: run.map(|r| Durable {
            on_durable: r.on_durable,
            last: None,
            file: appended_id,
        }),
        row: Vec::with_capacity(cols.len()),
    };

    let run = session
        .pump(conversations, &checkpoint_of, &mut on_progress)
        .await;
    let Session {
        mut writer,
        cache,
        totals,
        ..
    } = session;

    let mut warnings = Vec::new();
    if let Err(err) = run {
        // Failure or cancel: the destination is untouched; the temp file goes
        // away when `temp` drops, unless the user wants the partial rows.
        if dest.keep_partial {
            if let Some(w) = writer.take() {
                let partial = output::partial_path(&dest.path);
                let kept = match finish(w, xlsx_file.take(), &dest.path).await {
                    Ok(file) => {
                        publish(&file, &temp.dir);
                        drop(file);
                        temp.persist(&partial, true).is_ok()
                    }
                    Err(_) => false,
                };
                if kept {
                    let mut err = err;
                    err.message = format!(
                        "{} The {} rows written so far were saved as \"{}\".",
                        err.message,
                        totals.rows,
                        writers::display_name(&partial)
                    );
                    return Err(err);
                }
            }
        }
        return Err(err);
    }

    let Some(w) = writer.take() else {
        return Err(lost_writer());
    };
    if let Writer::Xlsx(x, _) = &w {
        if x.sheets() > 1 {
            warnings.push(format!(
                "The export has more rows than one Excel sheet can hold, so it continues over {} sheets.",
                x.sheets()
            ));
        }
    }
    let file = finish(w, xlsx_file.take(), &dest.path).await?;
    file.sync_all().map_err(write_err)?;
    let bytes = file.metadata().map_err(write_err)?.len();
    publish(&file, &temp.dir);
    drop(file);
    temp.persist(&dest.path, dest.replace)?;

    on_progress(WriteProgress {
        conversations: totals.conversations,
        rows: totals.rows,
    });
    if totals.in_progress > 0 {
        warnings.insert(
            0,
            if totals.in_progress == 1 {
                "1 conversation still in progress was included; its end and duration are blank and its times may change.".to_string()
            } else {
                format!(
                    "{} conversations still in progress were included; their end and duration are blank and their times may change.",
                    totals.in_progress
                )
            },
        );
    }
    warnings.extend(cache.warnings);
    Ok(Summary {
        path: dest.path.display().to_string(),
        bytes,
        format: opts.format,
        grain: opts.grain,
        columns: cols.iter().map(|c| c.key.to_string()).collect(),
        rows: totals.rows,
        conversations: totals.conversations,
        in_progress: totals.in_progress,
        first_start: totals.first_start,
        last_start: totals.last_start,
        time_zone: if tz == chrono_tz::Tz::UTC {
            "UTC".to_string()
        } else {
            tz.name().to_string()
        },
        warnings,
    })
}

/// The temp file was private while it was written; the finished export is
/// the user's document and gets the permissions any new file there gets.
fn publish(file: &File, dir: &Path) {
    if let Err(e) = crate::private_fs::give_user_permissions(file, dir) {
        tracing::warn!("the export keeps private permissions: {e}");
    }
}

impl Session<'_, '_> {
    /// Read the stream in batches, resolve names, write rows.
    async fn pump<S>(
        &mut self,
        conversations: S,
        checkpoint_of: &impl Fn(&S) -> Option<Checkpoint>,
        on_progress: &mut impl FnMut(WriteProgress),
    ) -> Result<()>
    where
        S: Stream<Item = Result<Conversation>>,
    {
        let kinds = flatten::kinds_needed(self.cols);
        let cancel = self.cancel;
        let mut stream = std::pin::pin!(conversations);
        let mut batch: Vec<Conversation> = Vec::with_capacity(BATCH_SIZE);
        // Rows written since the last durable point.
        let mut unsaved = false;
        loop {
            // A resumable export makes its rows durable while the stream is
            // stalled (e.g. waiting for the next window), not only every 2 s of
            // writing: otherwise a long wait could end without a recent point.
            let stall_after = match self.durable.as_ref() {
                Some(d) if unsaved || !batch.is_empty() => Some(
                    resume::STALL.max(
                        d.last
                            .map(|t| resume::DURABLE_EVERY.saturating_sub(t.elapsed()))
                            .unwrap_or_default(),
                    ),
                ),
                _ => None,
            };
            let stalled = async move {
                match stall_after {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            let next = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(Error::cancelled()),
                next = stream.next() => Some(next),
                _ = stalled => None,
            };
            let (done, stalled) = match next {
                Some(Some(Ok(c))) => {
                    batch.push(c);
                    (false, false)
                }
                Some(Some(Err(e))) => return Err(e),
                Some(None) => (true, false),
                None => (false, true),
            };
            if batch.len() < BATCH_SIZE && !done && !stalled {
                continue;
            }
            if !batch.is_empty() {
                if !kinds.is_empty() {
                    tokio::select! {
                        biased;
                        _ = cancel.cancelled() => return Err(Error::cancelled()),
                        r = self.cache.resolve(self.names, &kinds, &batch) => r?,
                    }
                }
                self.write_batch(&batch)?;
                batch.clear();
                unsaved = true;
                on_progress(WriteProgress {
                    conversations: self.totals.conversations,
                    rows: self.totals.rows,
                });
            }
            let Some(w) = self.writer.as_mut() else {
                return Err(lost_writer());
            };
            let totals = &self.totals;
            if let Some(d) = self.durable.as_mut() {
                let due = stalled || d.last.is_none_or(|t| t.elapsed() >= resume::DURABLE_EVERY);
                // Every conversation the stream yielded is written now, so its
                // checkpoint is that of the last one written.
                if unsaved && due && !done {
                    if let Some(fetch) = checkpoint_of(stream.as_ref().get_ref()) {
                        let bytes = w.sync().map_err(|e| writers::write_error(self.dest, &e))?;
                        (d.on_durable)(&ResumeState {
                            fetch,
                            bytes,
                            conversations: totals.conversations,
                            rows: totals.rows,
                            in_progress: totals.in_progress,
                            first_start: totals.first_start,
                            last_start: totals.last_start,
                            file: d.file,
                        });
                        d.last = Some(Instant::now());
                        unsaved = false;
                    }
                }
            }
            if done {
                return Ok(());
            }
            if cancel.is_cancelled() {
                return Err(Error::cancelled());
            }
        }
    }

    /// Write the rows of `batch` and count them.
    fn write_batch(&mut self, batch: &[Conversation]) -> Result<()> {
        let Session {
            grain,
            cols,
            dest,
            writer,
            cache,
            totals,
            row,
            ..
        } = self;
        let (grain, cols, dest) = (*grain, *cols, *dest);
        let Some(w) = writer.as_mut() else {
            return Err(lost_writer());
        };
        for c in batch {
            totals.conversations += 1;
            if c.is_ongoing() {
                totals.in_progress += 1;
            }
            let start = c.conversation_start;
            totals.first_start = Some(totals.first_start.map_or(start, |f| f.min(start)));
            totals.last_start = Some(totals.last_start.map_or(start, |l| l.max(start)));
            match w {
                Writer::Jsonl(j) => {
                    let line = if c.raw.is_empty() {
                        serde_json::to_string(c).map_err(|e| Error::internal(e.to_string()))?
                    } else {
                        c.raw.clone()
                    };
                    j.write_line(&line)
                        .map_err(|e| writers::write_error(dest, &e))?;
                    totals.rows += 1;
                }
                Writer::Csv(csv) => {
                    let mut result = Ok(());
                    flatten::for_each_row(c, grain, |scope| {
                        if result.is_ok() {
                            flatten::fill_row(row, cols, &scope, cache);
                            result = csv.write_row(row);
                            totals.rows += 1;
                        }
                    });
                    result.map_err(|e| writers::write_error(dest, &e))?;
                }
                Writer::Xlsx(x, journal) => {
                    let mut result = Ok(());
                    flatten::for_each_row(c, grain, |scope| {
                        if result.is_ok() {
                            flatten::fill_row(row, cols, &scope, cache);
                            result = x.write_row(row);
                            if let (Ok(()), Some(j)) = (&result, journal.as_mut()) {
                                result = j.write_row(row);
                            }
                            totals.rows += 1;
                        }
                    });
                    result?;
                }
            }
        }
        Ok(())
    }
}

fn lost_writer() -> Error {
    Error::internal("The export writer was lost; this is a bug.")
}

/// Finish the writer (for XLSX: assemble the workbook into its file) off the async threads.
async fn finish(w: Writer, xlsx_file: Option<File>, dest: &Path) -> Result<File> {
    let dest = dest.to_path_buf();
    let joined = tokio::task::spawn_blocking(move || -> Result<File> {
        let write_err = |e: std::io::Error| writers::write_error(&dest, &e);
        match w {
            Writer::Csv(c) => (*c).finish().map_err(write_err),
            Writer::Jsonl(j) => j.finish().map_err(write_err),
            // The row journal is removed as it drops here.
            Writer::Xlsx(x, _journal) => match xlsx_file {
                Some(f) => (*x).finish(f),
                None => Err(Error::internal(
                    "The Excel file was not open; this is a bug.",
                )),
            },
        }
    })
    .await;
    match joined {
        Ok(r) => r,
        Err(e) => Err(Error::new(
            ErrorKind::Internal,
            format!("Finishing the export failed unexpectedly: {e}."),
        )),
    }
}
