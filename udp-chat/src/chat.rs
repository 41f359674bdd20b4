//! What the four ways of chatting share, around their steps: the text of a
//! message turned into bytes once (and checked once), a `sendto` that fails
//! without ending the chat, a `recvfrom` that survives a peer who is not
//! there, and a message shown as the tutorial prints it.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::net::{self, Datagram, MAX_DATAGRAM};
use common::{Codec, IoResultExt, Result};

/// `listening on ADDR` on stderr, with the address the socket really bound
/// (port 0: the OS chose), which it returns. Tests wait for this line.
pub fn listening(udp_socket: &UdpSocket) -> Result<SocketAddr> {
    let local = udp_socket.local_addr().during("read the address of", "the socket")?;
    common::announce_listening(local);
    Ok(local)
}

/// `text.encode(ENCODING)`, once, at the edge: refused (and reported, so the
/// chat goes on) when the encoding lacks a character or UDP cannot carry
/// that many bytes in one datagram.
pub fn encode(text: &str, codec: Codec) -> Option<Vec<u8>> {
    let data = codec.encode_or_report(text)?;
    match net::check_datagram_size(data.len()) {
        Ok(()) => Some(data),
        Err(err) => {
            common::errln!("error: {err}");
            None
        }
    }
}

/// The result of a `sendto`: a failure is reported, not fatal — the chat
/// goes on. Returns whether the datagram left.
pub fn sent(result: io::Result<usize>, to: SocketAddr) -> bool {
    match result.during("send to", to) {
        Ok(_) => true,
        Err(err) => {
            common::errln!("error: {err}; nothing was sent, the chat goes on");
            false
        }
    }
}

/// `recvfrom(bufsize)` for the steps: the length of what arrived (in
/// `&buf[..len]`) and who sent it. `peer` names whom an earlier `sendto`
/// went to, for the report of [`receive_datagram`].
pub fn receive(
    udp_socket: &UdpSocket,
    buf: &mut Vec<u8>,
    bufsize: usize,
    peer: &str,
) -> Result<(usize, SocketAddr)> {
    match receive_datagram(udp_socket, buf, bufsize, peer, false) {
        Ok(datagram) => Ok((datagram.len, datagram.from)),
        Err(err) => {
            let local =
                udp_socket.local_addr().map_or("the socket".into(), |a| a.to_string());
            Err(common::Error::io("receive on", local, &err))
        }
    }
}

/// `recvfrom(bufsize)`, reporting (and then ignoring) the "port unreachable"
/// that some systems hand to the next receive after a `sendto` to a port where
/// nothing listens: Windows says ConnectionReset, others ConnectionRefused.
/// Linux does not report it at all on an unconnected socket, so there the
/// datagram is lost in silence — UDP never promised delivery.
///
/// With `give_up` the report is returned as the error (a client waiting for
/// a reply then knows none will come); without, receiving goes on. Other
/// errors (a timeout set with `set_read_timeout`) are returned.
/// Afterwards `&buf[..datagram.len]` holds the bytes that arrived.
pub fn receive_datagram(
    udp_socket: &UdpSocket,
    buf: &mut Vec<u8>,
    bufsize: usize,
    peer: &str,
    give_up: bool,
) -> io::Result<Datagram> {
    buf.resize(MAX_DATAGRAM.max(bufsize), 0);
    loop {
        // Peek first: this is where the ICMP report shows up, and only this
        // thread reads the socket, so the datagram peeked stays for the read.
        match udp_socket.peek_from(buf) {
            Ok(_) => break,
            Err(err) if is_unreachable(&err) => {
                report_unreachable(peer);
                if give_up {
                    return Err(err);
                }
            }
            Err(err) if is_message_too_long(&err) => break,
            Err(err) => return Err(err),
        }
    }
    let datagram = net::recv_datagram(udp_socket, buf, bufsize)?;
    net::warn_if_truncated(&datagram, bufsize);
    Ok(datagram)
}

/// The "port unreachable" report of an earlier `sendto`.
pub fn is_unreachable(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    )
}

fn is_message_too_long(err: &io::Error) -> bool {
    // WSAEMSGSIZE: Windows reports a datagram longer than the buffer as an error.
    cfg!(windows) && err.raw_os_error() == Some(10040)
}

fn report_unreachable(peer: &str) {
    common::warn(format_args!(
        "an earlier datagram to {peer} was refused: nothing is listening there yet \
         (ICMP port unreachable). The chat goes on; start the peer and send again"
    ));
}

/// `message from [127.0.0.1:8081]: TEXT` — the tutorial's
/// `来自[%s:%s]的一条消息:\033[1;44m%s\033[0m`, coloured only on a terminal
/// and never with `NO_COLOR`.
pub fn message_line(from: SocketAddr, text: &str, colour: bool) -> String {
    let text = common::term::paint(text, "1;44", colour);
    format!("message from [{}:{}]: {text}", from.ip(), from.port())
}

/// `print(data.decode(ENCODING))`: decodes what arrived, once (warning about
/// bytes that are not valid in the encoding), and prints it on stdout as a
/// [`message_line`].
pub fn show(data: &[u8], from: SocketAddr, codec: Codec) {
    let text = codec.decode_or_warn(data, from);
    common::outln!("{}", message_line(from, &text, common::term::colour_stdout()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connected socket gets the ICMP "port unreachable" on every OS (an
    /// unconnected one only on some), so it shows the report-and-go-on path.
    fn refused_socket() -> UdpSocket {
        let closed = UdpSocket::bind("127.0.0.1:0").unwrap();
        let nowhere = closed.local_addr().unwrap();
        drop(closed);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(nowhere).unwrap();
        socket.send(b"anyone?").unwrap();
        socket.set_read_timeout(Some(std::time::Duration::from_millis(300))).unwrap();
        socket
    }

    #[test]
    fn unreachable_is_reported_then_receiving_goes_on() {
        let socket = refused_socket();
        let mut buf = Vec::new();
        // Without give_up the report is skipped: only the timeout ends the wait.
        let err =
            receive_datagram(&socket, &mut buf, 1024, "the peer", false).unwrap_err();
        assert!(
            matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut),
            "{err:?}"
        );
    }

    #[test]
    fn unreachable_ends_the_wait_for_a_reply_with_give_up() {
        let socket = refused_socket();
        let mut buf = Vec::new();
        let err =
            receive_datagram(&socket, &mut buf, 1024, "the peer", true).unwrap_err();
        // Linux and Windows report it; a system that drops the ICMP times out.
        assert!(
            is_unreachable(&err)
                || matches!(
                    err.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ),
            "{err:?}"
        );
        if cfg!(target_os = "linux") {
            assert!(is_unreachable(&err), "{err:?}");
        }
    }

    #[test]
    fn what_udp_cannot_carry_is_not_encoded() {
        assert_eq!(encode("数据", Codec::UTF_8).unwrap().len(), 6);
        assert!(encode(&"x".repeat(net::MAX_UDP_PAYLOAD), Codec::UTF_8).is_some());
        assert!(encode(&"x".repeat(net::MAX_UDP_PAYLOAD + 1), Codec::UTF_8).is_none());
    }

    #[test]
    fn message_line_is_the_tutorials() {
        let from: SocketAddr = "127.0.0.1:8081".parse().unwrap();
        assert_eq!(
            message_line(from, "hi", false),
            "message from [127.0.0.1:8081]: hi"
        );
        assert_eq!(
            message_line(from, "hi", true),
            "message from [127.0.0.1:8081]: \x1b[1;44mhi\x1b[0m"
        );
    }
}
