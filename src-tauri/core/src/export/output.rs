//! Atomic output: a temp file in the destination folder, renamed into place on
//! success; removed on failure or cancel unless a partial file was asked for.
use std::fs::File;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::options::Format;
use super::writers::display_name;
use crate::{Error, ErrorKind, Result};

/// The temp file an export writes into.
pub struct TempOutput {
    pub path: TempPath,
    pub dir: PathBuf,
}

/// The folder a destination lives in (`.` for a bare file name).
pub fn folder_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Check the destination before fetching anything: a file name, an existing
/// folder, and no existing file unless `replace`.
pub fn check_destination(dest: &Path, replace: bool) -> Result<()> {
    if dest.file_name().is_none() || dest.is_dir() {
        return Err(Error::invalid(
            "destination",
            format!(
                "\"{}\" is a folder; choose a file name to save the export as.",
                dest.display()
            ),
        ));
    }
    let dir = folder_of(dest);
    if !dir.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "Could not write \"{}\": the folder \"{}\" does not exist.",
                display_name(dest),
                dir.display()
            ),
        )
        .with_field("destination"));
    }
    if dest.exists() && !replace {
        return Err(Error::invalid(
            "destination",
            format!(
                "\"{}\" already exists. Choose another name, or confirm that it should be replaced.",
                display_name(dest)
            ),
        ));
    }
    Ok(())
}

/// The destination's extension must name the export's format (a `.txt`,
/// `.exe` or no extension is refused): what is saved opens in the right
/// program, and nothing else can be written under an export's name.
pub fn check_extension(dest: &Path, format: Format) -> Result<()> {
    if Format::of_path(dest) == Some(format) {
        return Ok(());
    }
    Err(Error::invalid(
        "destination",
        format!(
            "Save the {} export with a name ending in .{} (\"{}\" does not).",
            format.label(),
            format.extension(),
            display_name(dest)
        ),
    ))
}

/// Create the temp file beside the destination.
pub fn create_temp(dest: &Path) -> Result<(File, TempOutput)> {
    let dir = folder_of(dest);
    let named = tempfile::Builder::new()
        .prefix(".genesys-export-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| {
            Error::io(
                format!("Could not write to the folder \"{}\"", dir.display()),
                &e,
            )
        })?;
    let (file, path) = named.into_parts();
    Ok((file, TempOutput { path, dir }))
}

/// The temp file of a resumable run (`.genesys-export-<run_id>.tmp` beside
/// the destination): new and empty, or (`keep`) the very file saved with a
/// durable point, cut back to its saved length and positioned at its end.
/// Removed on drop like [`create_temp`]'s.
pub(crate) fn open_run_temp(
    dest: &Path,
    run_id: &str,
    keep: Option<super::resume::Kept>,
) -> Result<(File, TempOutput)> {
    super::resume::check_run_id(run_id)?;
    let path = super::resume::temp_path(dest, run_id);
    let file = super::resume::open_cut(&path, keep)?;
    let path = TempPath::try_from_path(&path)
        .map_err(|e| Error::io(format!("Could not write \"{}\"", path.display()), &e))?;
    Ok((
        file,
        TempOutput {
            path,
            dir: folder_of(dest),
        },
    ))
}

/// `report.csv` → `report (partial).csv`.
pub fn partial_path(dest: &Path) -> PathBuf {
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_string());
    let name = match dest.extension() {
        Some(ext) => format!("{stem} (partial).{}", ext.to_string_lossy()),
        None => format!("{stem} (partial)"),
    };
    dest.with_file_name(name)
}

impl TempOutput {
    /// Move the finished temp file to `dest` (replacing it only when allowed).
    pub fn persist(self, dest: &Path, replace: bool) -> Result<()> {
        let result = if replace {
            self.path.persist(dest).map(|_| ())
        } else {
            self.path.persist_noclobber(dest).map(|_| ())
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::invalid(
                "destination",
                format!(
                    "\"{}\" was created by something else while exporting. Choose another name, or confirm that it should be replaced.",
                    display_name(dest)
                ),
            )),
            // The temp path is dropped (and removed) with `e`.
            Err(e) => Err(Error::io(format!("Could not save \"{}\"", display_name(dest)), &e.error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names() {
        assert_eq!(
            partial_path(Path::new("/x/report.csv")),
            PathBuf::from("/x/report (partial).csv")
        );
        assert_eq!(
            partial_path(Path::new("report")),
            PathBuf::from("report (partial)")
        );
    }

    #[test]
    fn a_folder_is_not_a_destination() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = check_destination(dir.path(), true).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("destination"));
        assert!(e.message.contains("is a folder"), "{}", e.message);
    }
}
