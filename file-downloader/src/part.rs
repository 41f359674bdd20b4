//! The client's output: `OUTPUT.part` while the bytes arrive, `OUTPUT` once
//! the file is whole.
//!
//! The tutorial's step 7 says "create the file only once data arrives"; this
//! goes one step further so that nothing half-done is ever left under the
//! real name: the bytes go to `OUTPUT.part`, created at the first byte, and it
//! is renamed to `OUTPUT` only when the transfer is complete
//! ([`PartFile::check_whole`]: all SIZE bytes of a framed answer, or at least
//! one byte of a classic one). On every error the `.part` is
//! removed (by `Drop`, so an early `?` return cannot forget it). An existing
//! `OUTPUT` — a symbolic link too, even one that leads nowhere — is kept
//! unless `--force`.
//!
//! Nothing is ever written through a name that was there before: the `.part`
//! is always created new (`create_new`: it fails on any existing name, a
//! symbolic link included), and `--force` first *unlinks* an old `.part`, so a
//! `.part` that is a link to another file leaves that file untouched. The
//! final rename replaces the name `OUTPUT`, not the file it is a link to.
//!
//! A signal would end the process before `Drop` runs, so a handler removes
//! the `.part` being written first ([`remove_part_on_signals`]): SIGINT
//! (Ctrl+C), SIGTERM, SIGHUP and SIGQUIT on Unix, Ctrl+C and Ctrl+Break
//! elsewhere. Only `kill -9` (or a power cut) leaves one behind; the next run
//! says so and `--force` replaces it.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use common::{Error, IoResultExt, Result};

use crate::progress::Progress;
use crate::protocol::{self, Extra, ReadWithTimeout};

/// How far the download is, for the signal handler.
#[derive(Debug)]
enum Stage {
    /// No file yet: nothing to clean up.
    Nothing,
    /// This `.part` is being written: remove it.
    Writing(PathBuf),
    /// The file was saved under this name: keep it.
    Saved(PathBuf),
}

/// Shared by the download and the signal handler. The download holds the
/// lock while it creates or renames the `.part`, so a signal never lands
/// between the file system and this record.
static STAGE: Mutex<Stage> = Mutex::new(Stage::Nothing);

fn stage() -> MutexGuard<'static, Stage> {
    // No code panics while holding it; a poisoned lock still holds the truth.
    STAGE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// On a signal that ends the process, removes the `.part` being written (if
/// any), says so, and exits with 128 + the signal's number (130 for Ctrl+C),
/// as a program ended by that signal does: nothing half-done is left behind.
pub fn remove_part_on_signals() {
    if let Err(err) = install_handler() {
        common::warn(format_args!(
            "cannot catch signals ({err}): an interrupt may leave a .part"
        ));
    }
}

/// Unix: a thread waits for the signals (signal-hook's iterator, which does
/// the unsafe part of signal handling inside the crate).
#[cfg(unix)]
fn install_handler() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let name =
                signal_hook::low_level::signal_name(signal).unwrap_or("a signal");
            clean_up_and_exit(name, 128 + signal);
        }
    })?;
    Ok(())
}

/// Elsewhere: Ctrl+C and Ctrl+Break, through `ctrlc`.
#[cfg(not(unix))]
fn install_handler() -> io::Result<()> {
    ctrlc::set_handler(|| clean_up_and_exit("Ctrl+C", 130))
        .map_err(|err| io::Error::other(err.to_string()))
}

fn clean_up_and_exit(signal: &str, status: i32) -> ! {
    let mut stage = stage();
    match std::mem::replace(&mut *stage, Stage::Nothing) {
        Stage::Writing(part) => {
            let _ = std::fs::remove_file(&part);
            common::errln!(
                "\ninterrupted: removed {}; nothing was saved ({signal})",
                part.display()
            );
        }
        Stage::Saved(path) => {
            common::errln!(
                "\ninterrupted after {} was saved whole ({signal})",
                path.display()
            );
        }
        Stage::Nothing => common::errln!("\ninterrupted: nothing was saved ({signal})"),
    }
    std::process::exit(status);
}

/// Where a download goes.
#[derive(Debug, Clone)]
pub struct Output {
    /// The name of the file asked for, as given (for messages).
    pub name: String,
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
        // symlink_metadata, not exists(): a link that leads nowhere is there too.
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if !force => return Err(already_exists(&path, &meta)),
            _ => {}
        }
        let mut part = OsString::from(path.as_os_str());
        part.push(".part");
        Ok(Output { name: name.to_string(), part: PathBuf::from(part), path, force })
    }

    /// The `.part` file, not created yet, for a file of `size` bytes (framed)
    /// or of a size told only by the server's close (classic: `None`).
    pub fn part_file(&self, size: Option<u64>) -> PartFile<'_> {
        PartFile {
            output: self,
            file: None,
            created: false,
            finished: false,
            size,
            received: 0,
            extra: Extra::None,
            progress: Progress::new(size),
        }
    }
}

/// `OUTPUT.part`: created at the first byte, renamed when whole, removed on
/// any failure. It counts what arrived, and shows the progress bar.
#[derive(Debug)]
pub struct PartFile<'a> {
    output: &'a Output,
    file: Option<File>,
    created: bool,
    finished: bool,
    size: Option<u64>,
    received: u64,
    extra: Extra,
    progress: Progress,
}

/// A download saved whole: what, where, how much.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The name asked for.
    pub name: String,
    /// Where it was saved.
    pub path: PathBuf,
    /// How many bytes it holds.
    pub received: u64,
    /// Framed: bytes the server sent past the SIZE it announced (not saved).
    pub extra: Extra,
}

impl PartFile<'_> {
    /// Whether the file exists yet (data arrived).
    pub fn is_created(&self) -> bool {
        self.created
    }

    /// The output this `.part` is for.
    pub fn output(&self) -> &Output {
        self.output
    }

    /// Framed: whether all SIZE bytes are in. Classic: never — only the
    /// server's close ends the file.
    pub fn is_whole(&self) -> bool {
        self.size.is_some_and(|size| self.received >= size)
    }

    /// Where the next piece may go: all of `buf`, or (framed) no more than
    /// what is left of SIZE, so that no byte past the file is taken for it.
    pub fn room<'b>(&self, buf: &'b mut [u8]) -> &'b mut [u8] {
        let left =
            self.size.map_or(u64::MAX, |size| size.saturating_sub(self.received));
        let room = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        &mut buf[..room]
    }

    /// Appends a piece, creating the file at the first one.
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        let part = self.output.part.display().to_string();
        self.create()?.write_all(data).during("write to", part)?;
        self.received += data.len() as u64;
        self.progress.advance(data.len() as u64);
        Ok(())
    }

    /// After the last piece, whether the file is whole: a framed transfer
    /// cut short, or a classic one where nothing arrived (a missing file, an
    /// empty one, a refusal: the classic protocol cannot say which), is an
    /// error, and the `.part` is removed. Framed, the bytes the server sends
    /// past SIZE are counted (never saved).
    pub fn check_whole(
        &mut self,
        stream: &mut impl ReadWithTimeout,
        from: SocketAddr,
    ) -> Result<()> {
        self.progress.clear();
        match self.size {
            Some(size) if self.received < size => {
                Err(cut_short(self.received, size, from))
            }
            Some(_) => {
                self.extra = protocol::bytes_after_the_end(stream);
                Ok(())
            }
            None if self.received == 0 => Err(nothing_arrived(from)),
            None => Ok(()),
        }
    }

    /// Creates `OUTPUT.part` (no-op when this download created it already),
    /// always as a new file: `create_new` fails on any existing name, a
    /// symbolic link included, so nothing is ever written through one.
    /// Without `--force` an existing `.part` is not touched (another download
    /// may be writing it); with `--force` its name is unlinked first.
    pub fn create(&mut self) -> Result<&mut File> {
        if self.file.is_none() {
            let part = &self.output.part;
            // Held until the handler knows about the new file (see STAGE).
            let mut stage = stage();
            if self.output.force {
                match std::fs::remove_file(part) {
                    Ok(()) => {}
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(Error::io("remove the old", part.display(), &err)
                            .hint("remove it by hand, or choose another --output"));
                    }
                }
            }
            let file =
                OpenOptions::new().write(true).create_new(true).open(part).map_err(
                    |err| {
                        if err.kind() == io::ErrorKind::AlreadyExists {
                            Error::new(format!(
                            "{} already exists: another download to {} is running, or \
                             an earlier one was interrupted",
                            part.display(),
                            self.output.path.display()
                        ))
                        .hint("remove it, or use --force")
                        } else {
                            Error::io("create", part.display(), &err)
                        }
                    },
                )?;
            *stage = Stage::Writing(part.clone());
            self.file = Some(file);
            self.created = true;
        }
        match self.file.as_mut() {
            Some(file) => Ok(file),
            None => Err(Error::new("the .part file vanished")),
        }
    }

    /// Closes `OUTPUT.part` (creating it now for an empty file) and renames
    /// it to `OUTPUT`. Call it once the file is whole ([`PartFile::check_whole`]).
    pub fn finish(mut self) -> Result<Saved> {
        let output = self.output;
        let file = self.create()?;
        file.flush().during("write to", output.part.display())?;
        self.file = None; // closed before the rename (Windows needs that)
        let mut stage = stage();
        if output.force {
            // rename(2) replaces the name OUTPUT: a link there is replaced,
            // the file it leads to is not written.
            std::fs::rename(&output.part, &output.path)
                .during("rename to", output.path.display())?;
        } else {
            keep_existing(&output.part, &output.path)?;
        }
        *stage = Stage::Saved(output.path.clone());
        self.finished = true;
        Ok(Saved {
            name: output.name.clone(),
            path: output.path.clone(),
            received: self.received,
            extra: self.extra,
        })
    }
}

fn cut_short(received: u64, size: u64, from: SocketAddr) -> Error {
    Error::new(format!(
        "the server at {from} closed the connection after {received} of {size} bytes"
    ))
    .hint("the server stopped or was killed during the transfer; nothing was saved, try again")
}

fn nothing_arrived(from: SocketAddr) -> Error {
    Error::new(format!(
        "nothing arrived: the server at {from} closed the connection without sending a byte"
    ))
    .hint(
        "a classic server says nothing when it cannot send a file (no such file?), and \
         sends nothing for an empty file either; drop --classic with file-server to learn why",
    )
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
        Err(_) if std::fs::symlink_metadata(path).is_ok() => {
            Err(Error::new(format!("{} appeared during the download", path.display()))
                .hint("it was kept; use --force to replace it"))
        }
        Err(_) => std::fs::rename(part, path).during("rename to", path.display()),
    }
}

/// `OUTPUT already exists`, saying where a symbolic link leads.
fn already_exists(path: &Path, meta: &std::fs::Metadata) -> Error {
    if !meta.file_type().is_symlink() {
        return Error::new(format!("{} already exists", path.display()))
            .hint("use --force to replace it, or --output to save elsewhere");
    }
    let target = std::fs::read_link(path)
        .map(|target| target.display().to_string())
        .unwrap_or_else(|_| "?".into());
    let leads = if path.exists() { "" } else { ", which does not exist" };
    Error::new(format!(
        "{} already exists: a symbolic link to {target}{leads}",
        path.display()
    ))
    .hint("use --force to replace the link itself (never the file it leads to), or --output to save elsewhere")
}

impl Drop for PartFile<'_> {
    fn drop(&mut self) {
        // Only a .part this download created is removed, never another's.
        if self.created && !self.finished {
            drop(self.file.take()); // closed first (Windows cannot remove an open file)
            let mut stage = stage();
            let _ = std::fs::remove_file(&self.output.part);
            *stage = Stage::Nothing;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use testkit::TempDir;

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
            let part = output.part_file(None);
            assert!(!part.is_created());
        }
        assert!(!output.part.exists(), "nothing arrived, nothing created");
        {
            let mut part = output.part_file(Some(10));
            part.write(b"half").unwrap();
            assert!(output.part.exists());
            assert!(!part.is_whole());
            let mut buf = [0u8; 100];
            assert_eq!(part.room(&mut buf).len(), 6, "never more than what is left");
        }
        assert!(!output.part.exists(), "a failed download leaves no .part");
        assert!(!output.path.exists());
        let mut part = output.part_file(None);
        part.write(b"whole").unwrap();
        assert!(!part.is_whole(), "classic: only the close ends the file");
        let saved = part.finish().unwrap();
        assert_eq!((saved.received, saved.path), (5, output.path.clone()));
        assert_eq!(std::fs::read(&output.path).unwrap(), b"whole");
        assert!(!output.part.exists());
    }

    #[test]
    fn an_output_that_appears_meanwhile_is_kept() {
        let dir = TempDir::new("fd-part-race");
        let output = Output::choose("f", Some(dir.path()), false).unwrap();
        let mut part = output.part_file(None);
        part.write(b"new").unwrap();
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
            let mut part = output.part_file(None);
            assert!(part.write(b"x").is_err());
        }
        assert_eq!(std::fs::read(&output.part).unwrap(), b"in progress");
    }
}
