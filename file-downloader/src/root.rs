//! Which names the server serves: regular files inside `--root`, nothing else.
//!
//! The seed's server opens whatever name arrives, so a client can ask for
//! `../../etc/passwd`. Here a name must pass every check below before a file
//! is opened, and each refusal says why (in an `ERR` line, and in the log):
//!
//! 1. the bytes: not empty, at most [`MAX_NAME`], no NUL, no line break, valid
//!    in the `--encoding`;
//! 2. the words: a relative path with no `..` (nor a drive or a root);
//! 3. the place: once symbolic links are followed (`canonicalize`), still
//!    inside the root;
//! 4. the kind: a regular file — not a directory, a FIFO (opening one would
//!    wait for a writer forever), a socket or a device.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use common::{Codec, Error, IoResultExt};

use crate::protocol::MAX_NAME;

/// Why a name is not served (ASCII: it goes into an `ERR` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The reason, e.g. `no such file`.
    pub reason: String,
}

impl Refusal {
    fn new(reason: impl Into<String>) -> Refusal {
        Refusal { reason: reason.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// The directory the server serves, in canonical form (no `..`, no links).
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
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
        Ok(Root { dir: canonical })
    }

    /// The root's canonical path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Checks the bytes of a requested name and decodes them (step 1).
    pub fn decode_name(&self, name: &[u8], codec: Codec) -> Result<String, Refusal> {
        if name.is_empty() {
            return Err(Refusal::new("empty file name"));
        }
        if name.len() > MAX_NAME {
            return Err(Refusal::new(format!(
                "the name is {} bytes long; at most {MAX_NAME} are allowed",
                name.len()
            )));
        }
        if name.contains(&0) {
            return Err(Refusal::new("the name contains a NUL byte"));
        }
        if name.contains(&b'\n') || name.contains(&b'\r') {
            return Err(Refusal::new("the name contains a line break"));
        }
        let decoded = codec.decode(name);
        if decoded.replaced > 0 {
            return Err(Refusal::new(format!(
                "the name is not valid {} (is the client using another --encoding?)",
                codec.name()
            )));
        }
        Ok(decoded.text)
    }

    /// Finds and opens the file a decoded name stands for (steps 2 to 4).
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
        // 3. the place: follow every symbolic link, then look where we are.
        let path = self.dir.join(&relative);
        let canonical = path.canonicalize().map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => Refusal::new("no such file"),
            _ => Refusal::new(format!("cannot open it: {}", reason(&err))),
        })?;
        if !canonical.starts_with(&self.dir) {
            return Err(Refusal::new(
                "the name leads outside the root (a symbolic link)",
            ));
        }
        // 4. the kind, before opening: opening a FIFO would block.
        let metadata = std::fs::metadata(&canonical)
            .map_err(|err| Refusal::new(format!("cannot open it: {}", reason(&err))))?;
        if metadata.is_dir() {
            return Err(Refusal::new("that is a directory, not a file"));
        }
        if !metadata.is_file() {
            return Err(Refusal::new(
                "not a regular file (a FIFO, a socket or a device)",
            ));
        }
        let file = File::open(&canonical)
            .map_err(|err| Refusal::new(format!("cannot open it: {}", reason(&err))))?;
        // Checked again on the open file, in case it was swapped meanwhile.
        let metadata = file
            .metadata()
            .map_err(|err| Refusal::new(format!("cannot open it: {}", reason(&err))))?;
        if !metadata.is_file() {
            return Err(Refusal::new("not a regular file"));
        }
        Ok(ServedFile { file, size: metadata.len() })
    }
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
    fn bad_bytes_are_refused() {
        let root = Root::new(Path::new(".")).unwrap();
        let utf8 = Codec::UTF_8;
        assert!(root.decode_name(b"", utf8).is_err());
        assert!(root.decode_name(b"a\0b", utf8).is_err());
        assert!(root.decode_name(b"a\nb", utf8).is_err());
        assert!(root.decode_name(&[b'a'; MAX_NAME + 1], utf8).is_err());
        assert!(root.decode_name(b"\xca\xfd\xbe\xdd", utf8).is_err());
        assert_eq!(root.decode_name(b"\xca\xfd\xbe\xdd", Codec::GBK).unwrap(), "数据");
    }

    #[test]
    fn climbing_names_are_refused_before_looking() {
        let root = Root::new(Path::new(".")).unwrap();
        for name in ["../x", "/etc/passwd", "a/../../x", "a/..", ".", "./", ".."] {
            let refusal = root.open(name).unwrap_err();
            assert!(!refusal.reason.contains("no such file"), "{name}: {refusal}");
        }
        assert_eq!(root.open("no-such-file").unwrap_err().reason, "no such file");
    }
}
