//! The three file writers: CSV, XLSX (constant memory) and raw JSON lines.
//!
//! Each writes into an already-open file (the temp file beside the
//! destination) and is finished or dropped by the pipeline.
use std::fs::File;
use std::io::{BufWriter, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};

use super::columns::{ColumnDef, ValueKind};
use super::flatten::Cell;
use super::options::{Delimiter, DurationFormat, Grain};
use super::render::{self, Style};
use crate::{Error, Result};

/// Excel's row limit per sheet, header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// Excel's cell text limit.
const EXCEL_MAX_TEXT: usize = 32_767;

/// An I/O failure while writing the export, in plain language.
pub fn write_error(file: &Path, err: &std::io::Error) -> Error {
    Error::io(format!("Could not write \"{}\"", display_name(file)), err)
}

pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

// ---------------------------------------------------------------- CSV

/// CSV: UTF-8 (optionally with a BOM), comma or semicolon, quoted as needed,
/// formula-like text prefixed with `'`.
pub struct CsvWriter {
    inner: csv::Writer<BufWriter<File>>,
    style: Style,
    buf: String,
}

impl CsvWriter {
    pub fn new(
        file: File,
        columns: &[&ColumnDef],
        delimiter: Delimiter,
        bom: bool,
        style: Style,
    ) -> std::io::Result<Self> {
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        if bom {
            out.write_all("\u{FEFF}".as_bytes())?;
        }
        let mut w = Self::wrap(out, delimiter, style);
        let headers: Vec<Cell> = columns
            .iter()
            .map(|c| Cell::Text(c.header.to_string()))
            .collect();
        w.write_row(&headers)?;
        Ok(w)
    }

    /// Continue a CSV file already holding its header (and BOM): rows are
    /// appended where `file` is positioned.
    pub fn append(file: File, delimiter: Delimiter, style: Style) -> Self {
        Self::wrap(BufWriter::with_capacity(256 * 1024, file), delimiter, style)
    }

    fn wrap(out: BufWriter<File>, delimiter: Delimiter, style: Style) -> Self {
        let inner = csv::WriterBuilder::new()
            .delimiter(match delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            })
            .quote_style(csv::QuoteStyle::Necessary)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        Self {
            inner,
            style,
            buf: String::new(),
        }
    }

    /// Flush everything written so far to the disk; returns the file's length.
    pub fn sync(&mut self) -> std::io::Result<u64> {
        self.inner.flush()?;
        sync_file(self.inner.get_ref().get_ref())
    }

    pub fn write_row(&mut self, row: &[Cell]) -> std::io::Result<()> {
        for cell in row {
            render::cell_text(&mut self.buf, cell, self.style);
            self.inner
                .write_field(self.buf.as_bytes())
                .map_err(csv_io)?;
        }
        self.inner
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(csv_io)
    }

    /// Flush everything and hand back the file.
    pub fn finish(self) -> std::io::Result<File> {
        let out = self
            .inner
            .into_inner()
            .map_err(|e| std::io::Error::new(e.error().kind(), e.error().to_string()))?;
        out.into_inner().map_err(|e| e.into_error())
    }
}

/// `fsync` a file's data and return its length.
pub(crate) fn sync_file(file: &File) -> std::io::Result<u64> {
    file.sync_data()?;
    Ok(file.metadata()?.len())
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

// ---------------------------------------------------------------- JSONL

/// Raw JSON lines: each conversation exactly as Genesys sent it.
pub struct JsonlWriter {
    out: BufWriter<File>,
}

impl JsonlWriter {
    pub fn new(file: File) -> Self {
        Self {
            out: BufWriter::with_capacity(256 * 1024, file),
        }
    }

    /// Flush everything written so far to the disk; returns the file's length.
    pub fn sync(&mut self) -> std::io::Result<u64> {
        self.out.flush()?;
        sync_file(self.out.get_ref())
    }

    /// One record (one JSON value) on one line, see [`render::one_line_json`].
    pub fn write_line(&mut self, json: &str) -> std::io::Result<()> {
        self.out.write_all(render::one_line_json(json).as_bytes())?;
        self.out.write_all(b"\n")
    }

    pub fn finish(self) -> std::io::Result<File> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

// ---------------------------------------------------------------- XLSX

/// XLSX in constant-memory mode: typed cells, bold frozen header, autofilter,
/// column widths, and a new sheet before Excel's row limit.
///
/// `rust_xlsxwriter` panics when its own temporary sheet data cannot be
/// written (e.g. the disk is full); every call into it is guarded and such a
/// panic becomes an `Io` error.
pub struct XlsxWriter {
    workbook: Workbook,
    columns: Vec<(&'static str, ValueKind, f64)>,
    sheet_base: &'static str,
    sheets: u32,
    /// Next row index on the current sheet.
    row: u32,
    max_rows: u32,
    style: Style,
    header: XlsxFormat,
    date: XlsxFormat,
    hms: XlsxFormat,
    file_name: String,
}

fn sheet_name(grain: Grain) -> &'static str {
    match grain {
        Grain::Conversation => "Conversations",
        Grain::Participant => "Participants",
        Grain::Session => "Sessions",
        Grain::Segment => "Segments",
    }
}

fn width(def: &ColumnDef) -> f64 {
    let by_kind: f64 = match def.kind {
        ValueKind::DateTime => 19.0,
        ValueKind::Duration => 11.0,
        ValueKind::Number | ValueKind::Bool => 10.0,
        ValueKind::Text if def.key.ends_with("_id") || def.key.ends_with("_ids") => 38.0,
        ValueKind::Text => 22.0,
    };
    by_kind.max(def.header.chars().count() as f64 + 4.0)
}

impl XlsxWriter {
    /// `temp_dir` holds the sheet data while writing (anonymous files, removed on drop).
    pub fn new(
        temp_dir: &Path,
        file_name: String,
        columns: &[&ColumnDef],
        grain: Grain,
        style: Style,
        max_rows_per_sheet: u32,
    ) -> Result<Self> {
        let mut workbook = Workbook::new();
        workbook
            .set_tempdir(temp_dir)
            .map_err(|e| xlsx_error(&file_name, e))?;
        let mut w = Self {
            workbook,
            columns: columns
                .iter()
                .map(|c| (c.header, c.kind, width(c)))
                .collect(),
            sheet_base: sheet_name(grain),
            sheets: 0,
            row: 0,
            max_rows: max_rows_per_sheet.clamp(2, EXCEL_MAX_ROWS),
            style,
            header: XlsxFormat::new().set_bold(),
            date: XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            hms: XlsxFormat::new().set_num_format("[h]:mm:ss"),
            file_name,
        };
        w.new_sheet()?;
        Ok(w)
    }

    fn guard<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, XlsxError>) -> Result<T> {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(xlsx_error(&self.file_name, e)),
            Err(_) => Err(Error::new(
                crate::ErrorKind::Io,
                format!(
                    "Could not write \"{}\": writing its data to disk failed; the disk may be full. Free some space or choose another drive.",
                    self.file_name
                ),
            )),
        }
    }

    /// Close the current sheet (autofilter over its rows) and start the next one.
    fn new_sheet(&mut self) -> Result<()> {
        self.close_sheet()?;
        self.sheets += 1;
        self.row = 0;
        let name = if self.sheets == 1 {
            self.sheet_base.to_string()
        } else {
            format!("{} {}", self.sheet_base, self.sheets)
        };
        self.guard(|w| {
            let sheet = w.workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(&name)?;
            sheet.set_freeze_panes(1, 0)?;
            for (i, (header, _, width)) in w.columns.iter().enumerate() {
                let col = i as u16;
                sheet.set_column_width(col, *width)?;
                sheet.write_string_with_format(0, col, *header, &w.header)?;
            }
            Ok(())
        })?;
        self.row = 1;
        Ok(())
    }

    fn close_sheet(&mut self) -> Result<()> {
        if self.sheets == 0 || self.columns.is_empty() {
            return Ok(());
        }
        let last_row = self.row.saturating_sub(1);
        let last_col = (self.columns.len() - 1) as u16;
        let index = (self.sheets - 1) as usize;
        self.guard(|w| {
            let sheet = w.workbook.worksheet_from_index(index)?;
            sheet.autofilter(0, 0, last_row, last_col)?;
            Ok(())
        })
    }

    /// Number of sheets used so far.
    pub fn sheets(&self) -> u32 {
        self.sheets
    }

    pub fn write_row(&mut self, row: &[Cell]) -> Result<()> {
        if self.row >= self.max_rows {
            self.new_sheet()?;
        }
        let r = self.row;
        let index = (self.sheets - 1) as usize;
        self.guard(|w| {
            let Style { tz, durations } = w.style;
            let sheet = w.workbook.worksheet_from_index(index)?;
            for (i, cell) in row.iter().enumerate() {
                let col = i as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        let s = truncate_chars(s, EXCEL_MAX_TEXT);
                        sheet.write_string(r, col, s)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(r, col, *n as f64)?;
                    }
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, col, *b)?;
                    }
                    Cell::DateTime(t) => {
                        let serial = render::excel_serial(render::local(*t, tz));
                        sheet.write_number_with_format(r, col, serial, &w.date)?;
                    }
                    Cell::Duration(ms) => {
                        let secs = render::whole_seconds(*ms) as f64;
                        match durations {
                            DurationFormat::Seconds => sheet.write_number(r, col, secs)?,
                            DurationFormat::Hms => {
                                sheet.write_number_with_format(r, col, secs / 86_400.0, &w.hms)?
                            }
                        };
                    }
                }
            }
            Ok(())
        })?;
        self.row += 1;
        Ok(())
    }

    /// Finish the workbook into `file`.
    pub fn finish(mut self, file: File) -> Result<File> {
        self.close_sheet()?;
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        self.guard(|w| w.workbook.save_to_writer(&mut out))?;
        out.into_inner()
            .map_err(|e| write_error(Path::new(&self.file_name), e.error()))
    }
}

fn truncate_chars(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn xlsx_error(file_name: &str, e: XlsxError) -> Error {
    let context = format!("Could not write \"{file_name}\"");
    match e {
        XlsxError::IoError(io) => Error::io(context, &io),
        XlsxError::TempFileError(_, io) => Error::io(context, &io),
        other => {
            // Zip errors wrap the I/O error (e.g. disk full) as their source.
            let mut source = std::error::Error::source(&other);
            while let Some(err) = source {
                if let Some(io) = err.downcast_ref::<std::io::Error>() {
                    return Error::io(context, io);
                }
                source = err.source();
            }
            Error::internal(format!("{context}: {other}."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::columns::ColumnDef;
    use calamine::{open_workbook, Data, Reader, Xlsx};
    use chrono_tz::Tz;

    #[test]
    fn xlsx_starts_a_new_sheet_before_the_row_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("split.xlsx");
        let cols: Vec<&ColumnDef> = ["conversation_id", "holds"]
            .iter()
            .filter_map(|k| ColumnDef::by_key(k))
            .collect();
        // Header + 2 data rows per sheet.
        let mut w = XlsxWriter::new(
            dir.path(),
            "split.xlsx".into(),
            &cols,
            Grain::Conversation,
            Style {
                tz: Tz::UTC,
                durations: DurationFormat::Seconds,
            },
            3,
        )
        .expect("writer");
        for i in 0..7 {
            w.write_row(&[Cell::Text(format!("c{i}")), Cell::Int(i)])
                .expect("row");
        }
        assert_eq!(w.sheets(), 4);
        let file = File::create(&path).expect("create");
        w.finish(file).expect("finish");

        let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
        assert_eq!(
            wb.sheet_names(),
            [
                "Conversations",
                "Conversations 2",
                "Conversations 3",
                "Conversations 4"
            ]
        );
        let mut seen = Vec::new();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).expect("sheet");
            let rows: Vec<&[Data]> = range.rows().collect();
            assert_eq!(rows[0][0], Data::String("Conversation ID".into()));
            for r in &rows[1..] {
                seen.push(r[0].to_string());
            }
        }
        assert_eq!(seen, ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
    }

    #[test]
    fn long_text_is_cut_to_excels_cell_limit() {
        let s = "é".repeat(EXCEL_MAX_TEXT + 10);
        assert_eq!(
            truncate_chars(&s, EXCEL_MAX_TEXT).chars().count(),
            EXCEL_MAX_TEXT
        );
        assert_eq!(truncate_chars("short", EXCEL_MAX_TEXT), "short");
    }
}
