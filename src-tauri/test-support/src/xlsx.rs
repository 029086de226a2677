//! Reading the XLSX workbooks an export wrote.
use std::path::Path;

pub use calamine::Data;
use calamine::{open_workbook, Range, Reader, Xlsx};

/// One worksheet: its header row (as text) and all its cells.
pub struct Sheet {
    pub headers: Vec<String>,
    pub range: Range<Data>,
}

impl Sheet {
    /// The sheet `name` of the workbook at `path`.
    pub fn read(path: &Path, name: &str) -> Sheet {
        let mut wb: Xlsx<_> =
            open_workbook(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let range = wb
            .worksheet_range(name)
            .unwrap_or_else(|e| panic!("no sheet {name:?} in {}: {e}", path.display()));
        let headers = range
            .rows()
            .next()
            .map(|r| r.iter().map(|d| d.to_string()).collect())
            .unwrap_or_default();
        Sheet { headers, range }
    }

    /// The index of the column named `name`; panics naming it when absent.
    pub fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.headers))
    }

    /// The cell of row `row` (0 is the header) in the column named `name`.
    pub fn get(&self, row: usize, name: &str) -> Data {
        self.range
            .get((row, self.col(name)))
            .cloned()
            .unwrap_or(Data::Empty)
    }
}
