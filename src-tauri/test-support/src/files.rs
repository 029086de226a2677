//! File walks: what a test finds in a folder.
use std::path::{Path, PathBuf};

/// The names of the entries of `dir` (files and folders), sorted. Panics
/// when the folder cannot be read: the test expects it to exist.
pub fn names_in(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the folder {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Every file below `dir`, in sub-folders too, sorted; none when `dir`
/// does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_files_are_found_in_sub_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.csv"), "").unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/c.json"), "").unwrap();
        assert_eq!(names_in(dir.path()), ["a", "b.csv"]);
        assert_eq!(
            files_under(dir.path()),
            [dir.path().join("a/c.json"), dir.path().join("b.csv")]
        );
        assert!(files_under(&dir.path().join("missing")).is_empty());
    }
}
