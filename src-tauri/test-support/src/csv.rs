//! Reading the CSV files an export wrote.
use std::path::Path;

/// A CSV file's header and records (a leading byte-order mark is dropped).
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(String::from)
            .collect();
        let rows = reader.records().map(|r| r.expect("a CSV record")).collect();
        Table { headers, rows }
    }

    /// The index of the column named `name`; panics naming it when absent.
    pub fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.headers))
    }

    /// Every value of the column named `name`, in file order.
    pub fn column(&self, name: &str) -> Vec<String> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i].to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(
            &path,
            "\u{feff}Conversation ID,Queue\nc-1,Sales\nc-2,\"A, B\"\n",
        )
        .unwrap();
        let t = Table::read(&path);
        assert_eq!(t.headers, ["Conversation ID", "Queue"]);
        assert_eq!(t.column("Conversation ID"), ["c-1", "c-2"]);
        assert_eq!(t.column("Queue"), ["Sales", "A, B"]);
        assert_eq!(t.col("Queue"), 1);
    }
}
