//! The client's output: `OUTPUT.part` while the bytes arrive, `OUTPUT` once
//! the file is whole.
//!
//! The seed says "create the file only once data arrives"; this goes one step
//! further so that nothing half-done is ever left under the real name: the
//! bytes go to `OUTPUT.part`, created at the first byte, and it is renamed to
//! `OUTPUT` only when the transfer is complete. On every error the `.part` is
//! removed (by `Drop`, so an early `?` return cannot forget it). An existing
//! `OUTPUT` is kept unless `--force`.
//!
//! Ctrl+C would end the process before `Drop` runs, so a handler removes the
//! `.part` being written first ([`remove_part_on_ctrl_c`]). Only a `kill -9`
//! (or a power cut) leaves one behind; the next run says so and `--force`
//! replaces it.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::{Error, IoResultExt, Result};

/// The `.part` this download is writing, for the Ctrl+C handler.
static WRITING: Mutex<Option<PathBuf>> = Mutex::new(None);

fn set_writing(part: Option<&Path>) {
    if let Ok(mut writing) = WRITING.lock() {
        *writing = part.map(Path::to_path_buf);
    }
}

/// On Ctrl+C, remove the `.part` being written (if any), then exit 130, as a
/// program ended by Ctrl+C does: nothing half-done is left behind.
pub fn remove_part_on_ctrl_c() {
    let installed = ctrlc::set_handler(|| {
        let part = WRITING.lock().ok().and_then(|mut writing| writing.take());
        match part {
            Some(part) => {
                let _ = std::fs::remove_file(&part);
                common::errln!(
                    "\ninterrupted: removed {}; nothing was saved",
                    part.display()
                );
            }
            None => common::errln!("\ninterrupted: nothing was saved"),
        }
        std::process::exit(130);
    });
    if let Err(err) = installed {
        common::warn(format_args!(
            "cannot catch Ctrl+C ({err}): an interrupt may leave a .part"
        ));
    }
}

/// Where a download goes.
#[derive(Debug, Clone)]
pub struct Output {
    /// The final name.
    pub path: PathBuf,
    /// The name while bytes arrive: `OUTPUT.part`.
    pub part: PathBuf,
    force: bool,
}

impl Output {
    /// Chooses the output for `name` (the last part of it unless `--output`
    /// says otherwise; inside `--output` when that is a directory) and checks
    /// that it may be written.
    pub fn choose(name: &str, output: Option<&Path>, force: bool) -> Result<Output> {
        let base = || {
            Path::new(name).file_name().map(PathBuf::from).ok_or_else(|| {
                Error::new(format!("cannot make a file name out of {name:?}"))
                    .hint("give one with --output PATH")
            })
        };
        let path = match output {
            Some(dir) if dir.is_dir() => dir.join(base()?),
            Some(path) => path.to_path_buf(),
            None => base()?,
        };
        if path.is_dir() {
            return Err(Error::new(format!("{} is a directory", path.display()))
                .hint("choose another --output"));
        }
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            return Err(Error::new(format!(
                "the folder {} does not exist",
                folder.display()
            ))
            .hint("create it, or choose another --output"));
        }
        if path.exists() && !force {
            return Err(Error::new(format!("{} already exists", path.display()))
                .hint("use --force to replace it, or --output to save elsewhere"));
        }
        let mut part = OsString::from(path.as_os_str());
        part.push(".part");
        Ok(Output { part: PathBuf::from(part), path, force })
    }

    /// The `.part` file, not created yet.
    pub fn part_file(&self) -> PartFile<'_> {
        PartFile { output: self, file: None, created: false, finished: false }
    }
}

/// `OUTPUT.part`: created at the first byte, renamed when whole, removed on
/// any failure.
#[derive(Debug)]
pub struct PartFile<'a> {
    output: &'a Output,
    file: Option<File>,
    created: bool,
    finished: bool,
}

impl PartFile<'_> {
    /// Whether the file exists yet (data arrived, or an empty file was announced).
    pub fn is_created(&self) -> bool {
        self.created
    }

    /// Creates `OUTPUT.part` (no-op when it exists already). Without
    /// `--force` an existing `.part` is not touched: another download may be
    /// writing it.
    pub fn create(&mut self) -> Result<&mut File> {
        if self.file.is_none() {
            let part = &self.output.part;
            let mut options = OpenOptions::new();
            options.write(true);
            if self.output.force {
                options.create(true).truncate(true);
            } else {
                options.create_new(true);
            }
            let file = options.open(part).map_err(|err| {
                if err.kind() == io::ErrorKind::AlreadyExists {
                    Error::new(format!(
                        "{} already exists: another download to {} is running, or an \
                         earlier one was interrupted",
                        part.display(),
                        self.output.path.display()
                    ))
                    .hint("remove it, or use --force")
                } else {
                    Error::io("create", part.display(), &err)
                }
            })?;
            self.file = Some(file);
            self.created = true;
            set_writing(Some(part));
        }
        match self.file.as_mut() {
            Some(file) => Ok(file),
            None => Err(Error::new("the .part file vanished")),
        }
    }

    /// Appends bytes, creating the file at the first ones.
    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        let part = self.output.part.display().to_string();
        self.create()?.write_all(data).during("write to", part)
    }

    /// Closes `OUTPUT.part` and renames it to `OUTPUT`: the file is whole.
    pub fn finish(mut self) -> Result<()> {
        let output = self.output;
        let file = self.create()?;
        file.flush().during("write to", output.part.display())?;
        self.file = None; // closed before the rename (Windows needs that)
        if output.force {
            std::fs::rename(&output.part, &output.path)
                .during("rename to", output.path.display())?;
        } else {
            keep_existing(&output.part, &output.path)?;
        }
        set_writing(None);
        self.finished = true;
        Ok(())
    }
}

/// Renames `part` to `path` unless `path` appeared meanwhile: a hard link
/// fails when its target exists, where a rename would replace it.
fn keep_existing(part: &Path, path: &Path) -> Result<()> {
    match std::fs::hard_link(part, path) {
        Ok(()) => std::fs::remove_file(part).during("remove", part.display()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            Err(Error::new(format!("{} appeared during the download", path.display()))
                .hint("it was kept; use --force to replace it"))
        }
        // A file system without hard links: check, then rename.
        Err(_) if path.exists() => {
            Err(Error::new(format!("{} appeared during the download", path.display()))
                .hint("it was kept; use --force to replace it"))
        }
        Err(_) => std::fs::rename(part, path).during("rename to", path.display()),
    }
}

impl Drop for PartFile<'_> {
    fn drop(&mut self) {
        // Only a .part this download created is removed, never another's.
        if self.created && !self.finished {
            drop(self.file.take()); // closed first (Windows cannot remove an open file)
            let _ = std::fs::remove_file(&self.output.part);
            set_writing(None);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use common::testing::TempDir;

    #[test]
    fn the_output_is_named_after_the_file() {
        let dir = TempDir::new("fd-part-names");
        let folder = dir.path();
        let chosen = Output::choose("a/b/数据.txt", Some(folder), false).unwrap();
        assert_eq!(chosen.path, folder.join("数据.txt"));
        assert_eq!(chosen.part, folder.join("数据.txt.part"));
        let chosen = Output::choose("x", Some(&folder.join("y.bin")), false).unwrap();
        assert_eq!(chosen.part, folder.join("y.bin.part"));
        assert!(Output::choose("..", Some(folder), false).is_err());
    }

    #[test]
    fn a_part_file_is_created_late_and_removed_unless_finished() {
        let dir = TempDir::new("fd-part-life");
        let output = Output::choose("f", Some(dir.path()), false).unwrap();
        {
            let part = output.part_file();
            assert!(!part.is_created());
        }
        assert!(!output.part.exists(), "nothing arrived, nothing created");
        {
            let mut part = output.part_file();
            part.write_all(b"half").unwrap();
            assert!(output.part.exists());
        }
        assert!(!output.part.exists(), "a failed download leaves no .part");
        assert!(!output.path.exists());
        let mut part = output.part_file();
        part.write_all(b"whole").unwrap();
        part.finish().unwrap();
        assert_eq!(std::fs::read(&output.path).unwrap(), b"whole");
        assert!(!output.part.exists());
    }

    #[test]
    fn an_output_that_appears_meanwhile_is_kept() {
        let dir = TempDir::new("fd-part-race");
        let output = Output::choose("f", Some(dir.path()), false).unwrap();
        let mut part = output.part_file();
        part.write_all(b"new").unwrap();
        std::fs::write(&output.path, b"someone else's").unwrap();
        let err = part.finish().unwrap_err();
        assert!(err.to_string().contains("appeared during the download"), "{err}");
        assert_eq!(std::fs::read(&output.path).unwrap(), b"someone else's");
        assert!(!output.part.exists());
    }

    #[test]
    fn another_downloads_part_is_not_touched() {
        let dir = TempDir::new("fd-part-other");
        let output = Output::choose("f", Some(dir.path()), false).unwrap();
        std::fs::write(&output.part, b"in progress").unwrap();
        {
            let mut part = output.part_file();
            assert!(part.write_all(b"x").is_err());
        }
        assert_eq!(std::fs::read(&output.part).unwrap(), b"in progress");
    }
}
