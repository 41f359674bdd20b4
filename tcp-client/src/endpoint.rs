//! Stream sockets for an [`Endpoint`]: AF_INET/AF_INET6 for `HOST:PORT`, AF_UNIX
//! for `unix:PATH` (seeds 002 and 004: AF_UNIX sockets are files, for processes
//! on one machine). After `socket()` every call — connect, send, recv — is the
//! same for both families; only the address differs.
//!
//! (Candidate for `common::net`: tcp-server has the same functions.)

use std::io;

use common::{Endpoint, IoResultExt, Result, net, pyrepr};
use socket2::{Domain, SockAddr, Socket, Type};

/// `socket.socket(family, SOCK_STREAM)` for this endpoint.
pub fn new_socket(endpoint: &Endpoint) -> io::Result<Socket> {
    match endpoint {
        Endpoint::Inet(addr) => net::new_socket(addr, Type::STREAM),
        Endpoint::Unix(_) => Socket::new(Domain::UNIX, Type::STREAM, None),
    }
}

/// The Python call that creates it, for `--explain`.
pub fn python_socket_call(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Inet(addr) => net::python_socket_call(addr, Type::STREAM),
        Endpoint::Unix(_) => "socket(socket.AF_UNIX, socket.SOCK_STREAM)".to_string(),
    }
}

/// The address as Python writes it: `('127.0.0.1', 8898)` or `'/tmp/s.sock'`.
pub fn python_addr(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Inet(addr) => pyrepr::addr_repr(addr),
        Endpoint::Unix(path) => format!("'{}'", path.display()),
    }
}

/// The endpoint as a `socket2` address.
pub fn sock_addr(endpoint: &Endpoint) -> Result<SockAddr> {
    match endpoint {
        Endpoint::Inet(addr) => Ok(SockAddr::from(*addr)),
        Endpoint::Unix(path) => {
            SockAddr::unix(path).during("use the socket path", endpoint)
        }
    }
}

/// An address for the `connected` line: `127.0.0.1:50312`, or `AF_UNIX` for an
/// AF_UNIX socket (a client has no path of its own unless it binds one).
pub fn to_text(addr: &SockAddr) -> String {
    addr.as_socket().map_or_else(|| "AF_UNIX".to_string(), |addr| addr.to_string())
}
