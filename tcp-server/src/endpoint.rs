//! What a server needs beyond `common::net` for an [`Endpoint`]: the address it
//! really bound (port 0), names for its clients (AF_UNIX clients have no
//! address), and the socket file of a `unix:PATH` server.
//!
//! The socket file is handled so that the server never deletes what is not
//! its own (`cargo test -p tcp-server --test unix_socket` checks each rule):
//!
//! - before bind, a file at PATH is removed only when it is a socket file that
//!   refuses connections ("connection refused": its server is gone). A live
//!   server, a busy one (full backlog), one that denies us (chmod 000), a
//!   symbolic link or any other file is an error, and the file stays;
//! - the probe `connect` gives up after [`PROBE_DEADLINE`];
//! - on exit (return, error, Ctrl+C, SIGTERM, SIGHUP) the server removes PATH
//!   only if it is still the file its `bind` created: same device and inode.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Endpoint, Error, IoResultExt, Result};
use socket2::{Domain, SockAddr, Socket, Type};

/// How long the probe of an existing socket file waits for its server to
/// accept: a server whose backlog is full does not, and the probe gives up.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(1);

/// What the listening socket is really bound to: with port 0 the OS chose one.
pub fn bound_endpoint(socket: &Socket, asked: &Endpoint) -> Result<Endpoint> {
    match asked {
        Endpoint::Inet(_) => {
            let local = socket.local_addr().during("read the address of", asked)?;
            Ok(local.as_socket().map_or_else(|| asked.clone(), Endpoint::Inet))
        }
        Endpoint::Unix(_) => Ok(asked.clone()),
    }
}

/// How a client is named in the server's output: `127.0.0.1:50312`, or for
/// AF_UNIX (whose clients have no address) `unix-client-N`.
pub fn peer_name(addr: &SockAddr, number: u64) -> String {
    match addr.as_socket() {
        Some(addr) => addr.to_string(),
        None => format!("unix-client-{number}"),
    }
}

/// The socket file of a `unix:PATH` server, removed when the server stops
/// (on return, on error, on Ctrl+C and SIGTERM) if it is still the one this
/// server's `bind` created: bind fails while a file exists at PATH.
pub struct SocketFile(OwnFile);

/// The path and the file `bind` created there: what [`SocketFile`] removes on
/// drop, and the signal handler on Ctrl+C (it holds a copy, which must not
/// remove anything when dropped).
#[derive(Debug, Clone)]
struct OwnFile {
    path: PathBuf,
    /// `None` when the file could not be read after bind: nothing is removed.
    created: Option<FileId>,
}

impl SocketFile {
    /// Makes `path` free to bind: a socket file left by a server that is gone
    /// (connecting is refused) is removed. Everything else at `path` is left
    /// alone and is an error naming the path.
    pub fn prepare(path: &Path) -> Result<()> {
        let endpoint = Endpoint::Unix(path.to_path_buf());
        let addr = SockAddr::unix(path).during("use the socket path", &endpoint)?;
        let found = match std::fs::symlink_metadata(path) {
            Ok(found) => found,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(Error::io("look at", &endpoint, &err)),
        };
        if found.file_type().is_symlink() {
            let target = std::fs::read_link(path)
                .map_or_else(|_| "?".to_string(), |to| to.display().to_string());
            return Err(Error::new(format!(
                "cannot bind {endpoint}: {} is a symbolic link (to {target}); the server \
                 binds only a path where nothing exists yet",
                path.display()
            ))
            .hint(other_path_hint("remove the link yourself")));
        }
        if !is_socket(&found) {
            return Err(Error::new(format!(
                "cannot bind {endpoint}: {} exists and is not a socket file",
                path.display()
            ))
            .hint(other_path_hint("the server never deletes other files")));
        }
        match probe(&addr) {
            Ok(()) => Err(Error::new(format!(
                "cannot bind {endpoint}: another server is listening there (it accepted \
                 a test connection)"
            ))
            .hint(other_path_hint("stop that server"))),
            // The one sign that a socket file is stale: nobody listens on it.
            Err(err) if err.kind() == ErrorKind::ConnectionRefused => {
                remove_if_same(path, FileId::of(&found))
            }
            // Removed meanwhile: the path is free.
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            Err(err) if common::net::is_timeout(&err) => Err(Error::new(format!(
                "cannot bind {endpoint}: another server is listening there, too busy to \
                 accept a test connection within {}s (its backlog is full)",
                PROBE_DEADLINE.as_secs_f64()
            ))
            .hint(other_path_hint("stop that server"))),
            Err(err) => {
                Err(Error::io("tell whether a server still uses", path.display(), &err)
                    .hint(other_path_hint(
                        "the file was left alone: remove it yourself if no server uses it",
                    )))
            }
        }
    }

    /// Call right after `bind`: remembers which file bind created, and removes
    /// it when dropped and on Ctrl+C, SIGTERM or SIGHUP.
    pub fn remove_on_exit(path: &Path) -> SocketFile {
        let created =
            std::fs::symlink_metadata(path).ok().map(|meta| FileId::of(&meta));
        let own = OwnFile { path: path.to_path_buf(), created };
        let on_signal = own.clone();
        let installed = ctrlc::set_handler(move || {
            on_signal.remove();
            common::errln!("stopped by a signal (Ctrl+C or kill)");
            std::process::exit(0);
        });
        if let Err(err) = installed {
            common::warn(format_args!(
                "cannot catch Ctrl+C ({err}): {} may stay behind",
                path.display()
            ));
        }
        SocketFile(own)
    }
}

impl OwnFile {
    /// Removes the file if it is still the one this server created; a file
    /// that replaced it (a newer server's socket) is left alone.
    fn remove(&self) {
        let Some(created) = self.created else { return };
        match std::fs::symlink_metadata(&self.path) {
            Ok(now) if FileId::of(&now) == created => {
                if std::fs::remove_file(&self.path).is_ok() {
                    common::errln!("removed {}", self.path.display());
                }
            }
            Ok(_) => common::errln!(
                "note: left {} alone: it is no longer this server's socket file",
                self.path.display()
            ),
            Err(_) => {}
        }
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        self.0.remove();
    }
}

impl fmt::Debug for SocketFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SocketFile({})", self.0.path.display())
    }
}

/// Connects to the socket file once, waiting at most [`PROBE_DEADLINE`].
/// On Linux a blocking AF_UNIX connect waits while the server's backlog is
/// full, for as long as the send timeout (SO_SNDTIMEO) allows, then fails with
/// EAGAIN (`WouldBlock`).
fn probe(addr: &SockAddr) -> std::io::Result<()> {
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.set_write_timeout(Some(PROBE_DEADLINE))?;
    socket.connect(addr)
}

/// Removes the stale file at `path` unless another one replaced it since it
/// was probed.
fn remove_if_same(path: &Path, probed: FileId) -> Result<()> {
    let now = std::fs::symlink_metadata(path).during("look at", path.display())?;
    if FileId::of(&now) != probed {
        return Err(Error::new(format!(
            "{} changed while the server checked it: left alone",
            path.display()
        ))
        .hint(
            "another program is using this path: choose another path for unix:PATH",
        ));
    }
    std::fs::remove_file(path).during("remove the old socket file", path.display())?;
    common::errln!("note: removed {}, left by a server that is gone", path.display());
    Ok(())
}

fn other_path_hint(first: &str) -> String {
    format!("{first}, or choose another path: --bind unix:/tmp/other.sock")
}

/// Which file a path names: on Unix its device and inode, which a file that
/// replaced it at the same path does not share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId { device: meta.dev(), inode: meta.ino() }
    }

    /// Elsewhere the creation time stands in for the inode.
    #[cfg(not(unix))]
    fn of(meta: &std::fs::Metadata) -> FileId {
        let nanos = meta
            .created()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_nanos() as u64);
        FileId { device: 0, inode: nanos }
    }
}

#[cfg(unix)]
fn is_socket(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_meta: &std::fs::Metadata) -> bool {
    // Windows cannot tell a socket file apart here: never delete a file there.
    false
}
