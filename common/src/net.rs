//! Socket set-up through `socket2`, converted to std types.
//!
//! The lessons create sockets the way Python does — `socket(family, type)`,
//! then options, then `bind`/`listen`/`connect` — so these helpers follow the
//! same order and leave the std types (`UdpSocket`, `TcpListener`, `TcpStream`)
//! that the rest of a program uses.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::addr::Endpoint;

/// `socket.socket(family, type)`: the family follows the address. For IPv6,
/// IPV6_V6ONLY is set explicitly (its default differs between systems), so
/// `[::]:PORT` means IPv6 only on every OS.
pub fn new_socket(addr: &SocketAddr, kind: Type) -> io::Result<Socket> {
    let protocol = if kind == Type::DGRAM { Protocol::UDP } else { Protocol::TCP };
    let socket = Socket::new(Domain::for_address(*addr), kind, Some(protocol))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    Ok(socket)
}

/// The Python call that creates a socket for this address, for narration:
/// `socket(AF_INET, SOCK_DGRAM)`.
pub fn python_socket_call(addr: &SocketAddr, kind: Type) -> String {
    let family = if addr.is_ipv6() { "AF_INET6" } else { "AF_INET" };
    let kind = if kind == Type::DGRAM { "SOCK_DGRAM" } else { "SOCK_STREAM" };
    format!("socket(socket.{family}, socket.{kind})")
}

/// `socket.socket(family, SOCK_STREAM)` for an [`Endpoint`]: AF_INET or
/// AF_INET6 for `HOST:PORT`, AF_UNIX for `unix:PATH` (tutorials 002 and 004:
/// AF_UNIX sockets are files, for processes on one machine). Every call after
/// `socket()` is the same for both; only the address differs.
pub fn new_stream_socket(endpoint: &Endpoint) -> io::Result<Socket> {
    match endpoint {
        Endpoint::Inet(addr) => new_socket(addr, Type::STREAM),
        Endpoint::Unix(_) => Socket::new(Domain::UNIX, Type::STREAM, None),
    }
}

/// The Python call that creates a stream socket for `endpoint`, for narration.
pub fn python_stream_socket_call(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Inet(addr) => python_socket_call(addr, Type::STREAM),
        Endpoint::Unix(_) => "socket(socket.AF_UNIX, socket.SOCK_STREAM)".to_string(),
    }
}

/// The endpoint as the address `bind` and `connect` take.
pub fn sock_addr(endpoint: &Endpoint) -> io::Result<SockAddr> {
    match endpoint {
        Endpoint::Inet(addr) => Ok(SockAddr::from(*addr)),
        Endpoint::Unix(path) => SockAddr::unix(path),
    }
}

/// Whether a read or connect failed because its timeout ran out (Python's
/// `socket.timeout`): Unix reports WouldBlock for a read timeout, Windows
/// TimedOut, so a program must accept both.
pub fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// An unbound UDP socket for sending to `peer`: like Python, the OS binds a
/// free local port on the first `sendto`.
pub fn udp_unbound(peer: &SocketAddr) -> io::Result<UdpSocket> {
    Ok(new_socket(peer, Type::DGRAM)?.into())
}

/// A buffer this big holds any datagram either family can carry.
pub const MAX_DATAGRAM: usize = 65_535;

/// The largest UDP payload over IPv4: 65,535 − 20 (IP header) − 8 (UDP header).
/// `sendto` refuses more with "message too long".
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// A datagram as `recvfrom` saw it: the bytes that fit in the buffer, and how
/// long the datagram really was.
#[derive(Debug)]
pub struct Datagram {
    /// How many bytes were stored in the buffer (`&buf[..len]`).
    pub len: usize,
    /// How many bytes the sender sent (more than `len` when truncated).
    pub sent_len: usize,
    /// Who sent it.
    pub from: SocketAddr,
}

impl Datagram {
    /// The datagram was longer than the buffer; the rest is gone (Linux drops
    /// it silently, Windows reports an error: both are shown the same way).
    pub fn truncated(&self) -> bool {
        self.sent_len > self.len
    }
}

/// UDP carries at most [`MAX_UDP_PAYLOAD`] bytes in one datagram: a message
/// longer than that is refused before `sendto`, with what to do instead.
pub fn check_datagram_size(len: usize) -> crate::Result<()> {
    if len <= MAX_UDP_PAYLOAD {
        return Ok(());
    }
    Err(crate::Error::new(format!(
        "cannot send {len} bytes in one datagram: UDP carries at most {MAX_UDP_PAYLOAD}"
    ))
    .hint("split the message, or use TCP (tcp-client) for a stream of any length"))
}

/// Warns (on stderr) when `datagram` was longer than the `bufsize` asked
/// for: the rest of it is lost, and the student should know why.
pub fn warn_if_truncated(datagram: &Datagram, bufsize: usize) {
    if datagram.truncated() {
        crate::warn(format_args!(
            "the datagram from {} had {} bytes but --bufsize is {bufsize}: only the first {} \
             were received and the rest is lost (Linux drops it silently); use a larger --bufsize",
            datagram.from, datagram.sent_len, datagram.len
        ));
    }
}

/// `recvfrom(bufsize)` that also says how long the datagram really was.
///
/// It receives into a buffer big enough for any datagram — one system call,
/// like Python's — and keeps the first `bufsize` bytes, as Python would; the
/// length of the whole datagram tells whether it was cut.
/// Afterwards `&buf[..datagram.len]` holds the bytes that arrived.
pub fn recv_datagram(
    socket: &UdpSocket,
    buf: &mut Vec<u8>,
    bufsize: usize,
) -> io::Result<Datagram> {
    buf.resize(MAX_DATAGRAM.max(bufsize), 0);
    loop {
        match socket.recv_from(buf) {
            Ok((sent_len, from)) => {
                return Ok(Datagram { len: sent_len.min(bufsize), sent_len, from });
            }
            // Windows: an earlier sendto got ICMP "port unreachable"; keep going.
            Err(err) if err.kind() == io::ErrorKind::ConnectionReset => continue,
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_truncation_is_detected() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = receiver.local_addr().unwrap();
        let sender = udp_unbound(&to).unwrap();
        sender.send_to(&[7u8; 2000], to).unwrap();
        sender.send_to(b"", to).unwrap();
        let mut buf = Vec::new();
        let first = recv_datagram(&receiver, &mut buf, 1024).unwrap();
        assert_eq!((first.len, first.sent_len, first.truncated()), (1024, 2000, true));
        // The OS bound the unbound sender to a free port on its first sendto.
        assert_eq!(first.from.port(), sender.local_addr().unwrap().port());
        let empty = recv_datagram(&receiver, &mut buf, 1024).unwrap();
        assert_eq!((empty.len, empty.truncated()), (0, false));
    }

    #[test]
    fn the_size_check_allows_exactly_what_udp_carries() {
        assert!(check_datagram_size(MAX_UDP_PAYLOAD).is_ok());
        let err = check_datagram_size(MAX_UDP_PAYLOAD + 1).unwrap_err();
        assert!(err.to_string().contains("cannot send 65508 bytes"), "{err}");
        assert!(err.to_string().contains("hint: split the message"), "{err}");
    }

    #[test]
    fn python_call_names_the_family() {
        let v6: SocketAddr = "[::1]:1".parse().unwrap();
        assert_eq!(
            python_socket_call(&v6, Type::STREAM),
            "socket(socket.AF_INET6, socket.SOCK_STREAM)"
        );
    }
}
