//! The server's log: `===> FORMAT from ADDR` on stdout, one line per request
//! (the tutorial's `print('===>', msg)`, decoded, with the sender added).
//!
//! Into a pipe or a file the lines are buffered (`common::out`) and written
//! just before the server would wait for the next datagram: a burst of
//! requests costs one `write` system call instead of one each, and nothing
//! is held back while the server is idle. On a terminal, and with
//! `--explain` (whose narration on stderr it must follow in order), each line
//! is written at once.

use std::io;
use std::net::UdpSocket;

use common::net::{self, Datagram};

use crate::strftime::Request;

/// Starts the log of `udp_server`. When stdout is buffered the socket is
/// made non-blocking, so that [`recv_from`] learns when it would wait.
pub fn start(udp_server: &UdpSocket) -> io::Result<()> {
    if common::out::buffer_stdout_when_not_a_terminal() {
        udp_server.set_nonblocking(true)?;
    }
    Ok(())
}

/// `recvfrom(bufsize)`; when no datagram is waiting, the buffered log is
/// written first, then it waits. On a blocking socket (no [`start`]) it is
/// [`net::recv_datagram`].
pub fn recv_from(
    udp_server: &UdpSocket,
    buf: &mut Vec<u8>,
    bufsize: usize,
) -> io::Result<Datagram> {
    match net::recv_datagram(udp_server, buf, bufsize) {
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
            common::out::flush_stdout();
            udp_server.set_nonblocking(false)?;
            let received = net::recv_datagram(udp_server, buf, bufsize);
            udp_server.set_nonblocking(true)?;
            received
        }
        received => received,
    }
}

/// Logs one request: `===> %Y年 from 127.0.0.1:53022`.
pub fn request(request: &Request) {
    common::outln!("===> {} from {}", request.shown(), request.from);
}
