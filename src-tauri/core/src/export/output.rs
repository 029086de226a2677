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

/// How the person asks to replace an existing file (named in the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceBy {
    /// The app: the save dialog asks; a run asks again.
    Confirming,
    /// The command line: `--replace`.
    Flag,
}

/// Check the destination before fetching anything (the one rule, for the
/// app, the CLI and schedules): a file name, not a folder; its folder exists
/// and a file can be created in it; no existing file unless `replace`. Every
/// problem is kind `io` with field `destination` (the CLI exits 5).
pub fn check_destination(dest: &Path, replace: bool) -> Result<()> {
    check_destination_for(dest, replace, ReplaceBy::Confirming)
}

/// [`check_destination`], naming `how` the person replaces a file.
pub fn check_destination_for(dest: &Path, replace: bool, how: ReplaceBy) -> Result<()> {
    let problem =
        |message: String| Err(Error::new(ErrorKind::Io, message).with_field("destination"));
    if dest.file_name().is_none() || dest.is_dir() {
        return problem(format!(
            "\"{}\" is a folder; choose a file name to save the export as.",
            dest.display()
        ));
    }
    let dir = folder_of(dest);
    if !dir.is_dir() {
        return problem(format!(
            "Could not write \"{}\": the folder \"{}\" does not exist.",
            display_name(dest),
            dir.display()
        ));
    }
    if dest.exists() && !replace {
        let remedy = match how {
            ReplaceBy::Confirming => "Choose another name, or confirm that it should be replaced.",
            ReplaceBy::Flag => "Add --replace to overwrite it, or choose another name.",
        };
        return problem(format!(
            "\"{}\" already exists. {remedy}",
            display_name(dest)
        ));
    }
    // Can a file be created there? (The export writes a temp file beside the destination.)
    let (_file, probe) = create_temp(dest)?;
    drop(probe);
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
            .with_field("destination")
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

    /// Every destination problem is `io` with field `destination`; the
    /// remedy for an existing file names how to replace it.
    #[test]
    fn the_destination_rule() {
        let dir = tempfile::tempdir().expect("tempdir");
        let existing = dir.path().join("report.csv");
        std::fs::write(&existing, "x").expect("write");
        let new = dir.path().join("new.csv");
        let missing = dir.path().join("no such folder").join("x.csv");
        use ReplaceBy::{Confirming, Flag};
        let cases: &[(&Path, bool, ReplaceBy, Option<&str>)] = &[
            (&new, false, Confirming, None),
            (&existing, true, Flag, None),
            (dir.path(), true, Confirming, Some("is a folder")),
            (&missing, false, Flag, Some("does not exist")),
            (
                &existing,
                false,
                Confirming,
                Some("\"report.csv\" already exists. Choose another name, or confirm that it should be replaced."),
            ),
            (
                &existing,
                false,
                Flag,
                Some("\"report.csv\" already exists. Add --replace to overwrite it, or choose another name."),
            ),
        ];
        for (dest, replace, how, expected) in cases {
            let got = check_destination_for(dest, *replace, *how);
            match expected {
                None => assert!(got.is_ok(), "{dest:?}: {got:?}"),
                Some(part) => {
                    let e = got.expect_err("refused");
                    assert_eq!(e.kind, ErrorKind::Io, "{dest:?}");
                    assert_eq!(e.field.as_deref(), Some("destination"), "{dest:?}");
                    assert!(e.message.contains(part), "{dest:?}: {}", e.message);
                }
            }
        }
        // The probe leaves nothing behind.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["report.csv"]);
    }
}
