//! Which names the server serves: regular files inside `--root`, nothing else.
//!
//! The tutorial's server opens whatever name arrives, so a client can ask for
//! `../../etc/passwd`. Here a name must pass every check below, and each
//! refusal says why (in an `ERR` line, and in the log):
//!
//! 1. the bytes: the rule of every name on the wire ([`protocol::check_name`]:
//!    not empty, at most 1024 bytes, no NUL, no line break), and valid in the
//!    `--encoding` (both checked where the request is decoded, once);
//! 2. the words: a relative path with no `..` (nor a drive or a root);
//! 3. the place: the name is opened *beneath* the root's directory handle,
//!    in one step that refuses any symbolic link leading out of it, at any
//!    component (`cap-std`'s [`Dir`]: `openat2(RESOLVE_BENEATH)` on Linux, a
//!    resolution one component at a time elsewhere);
//! 4. the kind: what was opened is a regular file — not a directory, a FIFO,
//!    a socket or a device — judged from the open file's own metadata.
//!
//! Checks 2 to 4 are [`Root::open`], which the server's steps call where the
//! Python twin calls `open(file_name, 'rb')`.
//!
//! **Open first, then check what was opened.** Checking a path and then
//! opening it again leaves a gap: whoever can write in the root swaps the
//! checked file for a link to `/etc/shadow`, or for a FIFO, in between
//! (time of check to time of use, TOCTOU). Here no path is resolved twice,
//! and the open itself never waits (`O_NONBLOCK`): a FIFO opens at once, and
//! is then refused like any file that is not regular.

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, OpenOptions};
use common::{Error, IoResultExt};

#[cfg(doc)]
use crate::protocol;

/// Why a name is not served (ASCII: it goes into an `ERR` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The reason, e.g. `no such file`.
    pub reason: String,
}

impl Refusal {
    /// A refusal for this reason.
    pub fn new(reason: impl Into<String>) -> Refusal {
        Refusal { reason: reason.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// The directory the server serves: an open handle (every name is opened
/// beneath it), and its canonical path (for the log).
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    handle: Arc<Dir>,
}

/// A file ready to be sent.
#[derive(Debug)]
pub struct ServedFile {
    /// The open file.
    pub file: File,
    /// Its size when it was opened (the SIZE of `OK SIZE`).
    pub size: u64,
}

impl Root {
    /// The root directory, checked once at start.
    pub fn new(dir: &Path) -> common::Result<Root> {
        let canonical =
            dir.canonicalize().during("open the root directory", dir.display())?;
        if !canonical.is_dir() {
            return Err(Error::new(format!("{} is not a directory", dir.display()))
                .hint("--root names the directory whose files are served"));
        }
        // The directory is opened once: renaming or replacing the folder later
        // does not change what is served.
        let handle = Dir::open_ambient_dir(&canonical, ambient_authority())
            .during("open the root directory", dir.display())?;
        Ok(Root { dir: canonical, handle: Arc::new(handle) })
    }

    /// The root's canonical path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Finds and opens the file a decoded name stands for (checks 2 to 4).
    pub fn open(&self, name: &str) -> Result<ServedFile, Refusal> {
        // 2. the words: only plain names and ".", so the path cannot climb out.
        let mut relative = PathBuf::new();
        for component in Path::new(name).components() {
            match component {
                Component::Normal(part) => relative.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    return Err(Refusal::new("'..' is not allowed in a name"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(Refusal::new(
                        "absolute names are not allowed: names are relative to the root",
                    ));
                }
            }
        }
        if relative.as_os_str().is_empty() {
            return Err(Refusal::new("that is the root directory, not a file"));
        }
        // 3. the place: opened beneath the root, never through a link that
        // leaves it, and without waiting (a FIFO would wait for a writer).
        let file = self
            .handle
            .open_with(&relative, &open_options())
            .map_err(|err| open_refusal(&err))?
            .into_std();
        // 4. the kind, from the open file itself: nothing can be swapped now.
        let metadata = file
            .metadata()
            .map_err(|err| Refusal::new(format!("cannot open it: {}", reason(&err))))?;
        if metadata.is_dir() {
            return Err(Refusal::new("that is a directory, not a file"));
        }
        if !metadata.is_file() {
            return Err(Refusal::new(NOT_REGULAR));
        }
        Ok(ServedFile { file, size: metadata.len() })
    }
}

/// The refusal of a FIFO, a socket or a device.
const NOT_REGULAR: &str = "not a regular file (a FIFO, a socket or a device)";

/// Read only; on Unix also `O_NONBLOCK`, so that the open itself never waits
/// (a FIFO for a writer, a serial line for a carrier), and `O_NOCTTY`, so a
/// terminal never becomes the server's. (A regular file ignores `O_NONBLOCK`:
/// its reads wait for the disk as usual.)
fn open_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use cap_std::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options
}

/// Why opening a name beneath the root failed, in words for the client.
fn open_refusal(err: &std::io::Error) -> Refusal {
    match err.kind() {
        std::io::ErrorKind::NotFound => return Refusal::new("no such file"),
        // cap-std's "a path led outside of the filesystem" carries no OS error
        // number: it stands for openat2's EXDEV, or for an escape its own
        // resolution found.
        std::io::ErrorKind::PermissionDenied if err.raw_os_error().is_none() => {
            return Refusal::new("the name leads outside the root (a symbolic link)");
        }
        _ => {}
    }
    // A Unix socket cannot be opened at all: ENXIO.
    #[cfg(unix)]
    if err.raw_os_error() == Some(libc::ENXIO) {
        return Refusal::new(NOT_REGULAR);
    }
    Refusal::new(format!("cannot open it: {}", reason(err)))
}

/// The OS's reason, lower-case and without `(os error N)`, kept ASCII.
fn reason(err: &std::io::Error) -> String {
    let text =
        Error::io("x", "", err).message().trim_start_matches("cannot x: ").to_string();
    text.chars().filter(|c| c.is_ascii() && !c.is_ascii_control()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn climbing_names_are_refused_before_looking() {
        let root = Root::new(Path::new(".")).unwrap();
        for name in ["../x", "/etc/passwd", "a/../../x", "a/..", ".", "./", ".."] {
            let refusal = root.open(name).unwrap_err();
            assert!(!refusal.reason.contains("no such file"), "{name}: {refusal}");
        }
        assert_eq!(root.open("no-such-file").unwrap_err().reason, "no such file");
    }

    #[cfg(unix)]
    #[test]
    fn what_is_opened_beneath_the_root_is_what_is_checked() {
        use std::os::unix::fs::symlink;
        let tmp = testkit::TempDir::new("fd-root");
        let dir = tmp.join("root");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("hello.txt"), "hello").unwrap();
        std::fs::write(tmp.join("secret"), "secret").unwrap();
        let _socket =
            std::os::unix::net::UnixListener::bind(dir.join("socket")).unwrap();
        let fifo = dir.join("fifo");
        assert!(
            std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success()
        );
        symlink("../hello.txt", dir.join("sub/up")).unwrap();
        symlink(dir.join("hello.txt"), dir.join("absolute-in")).unwrap();
        symlink("../secret", dir.join("out")).unwrap();
        symlink("sub/../../secret", dir.join("sneaky")).unwrap();
        symlink("loop", dir.join("loop")).unwrap();
        let root = Root::new(&dir).unwrap();

        // Relative links that stay inside are followed, even through "..".
        assert_eq!(root.open("sub/up").unwrap().size, 5);
        // Links that leave, however they climb; absolute links, even to a
        // file inside (RESOLVE_BENEATH takes "/" as leaving).
        for name in ["out", "sneaky", "absolute-in"] {
            assert!(
                root.open(name).unwrap_err().reason.contains("outside the root"),
                "{name}"
            );
        }
        // A FIFO is opened without waiting for a writer, then refused.
        assert_eq!(root.open("fifo").unwrap_err().reason, NOT_REGULAR);
        assert_eq!(root.open("socket").unwrap_err().reason, NOT_REGULAR);
        assert!(root.open("sub").unwrap_err().reason.contains("directory"));
        assert!(
            root.open("hello.txt/x").unwrap_err().reason.starts_with("cannot open it")
        );
        assert!(root.open("loop").unwrap_err().reason.starts_with("cannot open it"));
    }
}
