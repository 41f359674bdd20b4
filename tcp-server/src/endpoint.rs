//! What a server needs beyond `common::net` for an [`Endpoint`]: the address it
//! really bound (port 0), names for its clients (AF_UNIX clients have no
//! address), and the socket file of a `unix:PATH` server, removed on exit.

use std::fmt;
use std::path::{Path, PathBuf};

use common::{Endpoint, Error, IoResultExt, Result};
use socket2::{Domain, SockAddr, Socket, Type};

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
/// (on return, on error and on Ctrl+C): bind fails while the file exists.
pub struct SocketFile(PathBuf);

impl SocketFile {
    /// Makes `path` free to bind: a file left by a server that is gone (nothing
    /// accepts on it) is removed; a live server's file is left alone and bind
    /// will fail with "address already in use".
    pub fn prepare(path: &Path) -> Result<()> {
        if !path.exists() {
            return Ok(());
        }
        let alive = SockAddr::unix(path)
            .and_then(|addr| {
                let probe = Socket::new(Domain::UNIX, Type::STREAM, None)?;
                probe.connect(&addr)
            })
            .is_ok();
        if !alive && is_socket(path) {
            std::fs::remove_file(path)
                .during("remove the old socket file", path.display())?;
            common::errln!(
                "note: removed {}, left by a server that is gone",
                path.display()
            );
        } else if !alive {
            return Err(Error::new(format!(
                "{} exists and is not a socket file this server can reuse",
                path.display()
            ))
            .hint("choose another path for unix:PATH; the server does not delete other files"));
        }
        Ok(())
    }

    /// Removes `path` when dropped, and on Ctrl+C.
    pub fn remove_on_exit(path: &Path) -> SocketFile {
        let on_ctrl_c = path.to_path_buf();
        let installed = ctrlc::set_handler(move || {
            let _ = std::fs::remove_file(&on_ctrl_c);
            common::errln!("stopped (Ctrl+C); removed {}", on_ctrl_c.display());
            std::process::exit(0);
        });
        if let Err(err) = installed {
            common::warn(format_args!(
                "cannot catch Ctrl+C ({err}): {} may stay behind",
                path.display()
            ));
        }
        SocketFile(path.to_path_buf())
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl fmt::Debug for SocketFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SocketFile({})", self.0.display())
    }
}

#[cfg(unix)]
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|meta| meta.file_type().is_socket())
}

#[cfg(not(unix))]
fn is_socket(_path: &Path) -> bool {
    // Windows cannot tell a socket file apart here: never delete a file there.
    false
}
