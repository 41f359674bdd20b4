//! What the four ways of chatting share: Python's `input()`, showing a
//! message that arrived, and a receive that survives a peer who is not there.

use std::io::{self, BufRead, IsTerminal, StdinLock, Write};
use std::net::{SocketAddr, UdpSocket};

use common::net::{self, Datagram, MAX_DATAGRAM};
use common::{Codec, Explain, IoResultExt, Result, pyrepr};
use socket2::Type;

/// Python's `input(prompt)`: the prompt goes to stderr (stdout is kept for
/// what arrives), then one line is read from stdin.
pub struct Input {
    stdin: StdinLock<'static>,
    /// Ends each prompt with a newline when no one types after it (a pipe),
    /// so a log of the session stays one prompt per line.
    prompt_end: &'static str,
}

impl Input {
    /// Reads the process's stdin.
    pub fn new() -> Input {
        let stdin = io::stdin();
        let prompt_end = if stdin.is_terminal() { "" } else { "\n" };
        Input { stdin: stdin.lock(), prompt_end }
    }

    /// `input(prompt)`: the line without its line ending, or `None` at the end
    /// of stdin (Ctrl+D, Ctrl+Z on Windows, or the end of a pipe). A line
    /// that is not UTF-8 is reported and the question asked again.
    pub fn ask(&mut self, prompt: &str) -> Result<Option<String>> {
        let mut line = Vec::new();
        loop {
            if !prompt.is_empty() {
                common::err!("{prompt}{}", self.prompt_end);
                let _ = io::stderr().flush();
            }
            line.clear();
            let n = self.stdin.read_until(b'\n', &mut line).during("read", "stdin")?;
            if n == 0 {
                return Ok(None);
            }
            while line.last().is_some_and(|&byte| byte == b'\n' || byte == b'\r') {
                line.pop();
            }
            match String::from_utf8(std::mem::take(&mut line)) {
                Ok(text) => return Ok(Some(text)),
                Err(_) => common::warn(
                    "that line is not UTF-8 text and was skipped (type in a UTF-8 terminal; \
                     --encoding only chooses the bytes sent on the network)",
                ),
            }
        }
    }
}

/// Steps 1 and 2 of the chat programs that others send to: create a UDP socket
/// and bind the address they know. Returns the socket and the address it
/// really bound (port 0: the OS chose), and prints `listening on ADDR`.
pub fn bind_socket(
    explain: &Explain,
    local: SocketAddr,
) -> Result<(UdpSocket, SocketAddr)> {
    // 1. create a UDP socket — udp_socket = socket.socket(AF_INET, SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&local, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let socket = net::new_socket(&local, Type::DGRAM)
        .during("create a UDP socket for", local)?;

    // 2. bind the local address — udp_socket.bind(('', 7788))
    explain.step(
        2,
        format!("bind({})", pyrepr::addr_repr(&local)),
        "socket2::Socket::bind",
    );
    socket.bind(&local.into()).during("bind", local)?;
    let udp_socket: UdpSocket = socket.into();
    let local = udp_socket.local_addr().during("read the address of", local)?;
    common::announce_listening(local);
    Ok((udp_socket, local))
}

/// `sendto(data, addr)`. A failure is reported, not fatal: the chat goes on.
/// Returns whether the datagram left.
pub fn send_or_report(udp_socket: &UdpSocket, data: &[u8], to: SocketAddr) -> bool {
    if data.len() > common::net::MAX_UDP_PAYLOAD {
        common::errln!(
            "error: cannot send {} bytes in one datagram: UDP carries at most {} \
             (hint: split the message); nothing was sent",
            data.len(),
            common::net::MAX_UDP_PAYLOAD
        );
        return false;
    }
    match udp_socket.send_to(data, to).during("send to", to) {
        Ok(_) => true,
        Err(err) => {
            common::errln!("error: {err}; nothing was sent, the chat goes on");
            false
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
pub fn receive(
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
    if datagram.truncated() {
        common::warn(format_args!(
            "the datagram from {} had {} bytes but --bufsize is {}: only the first {} \
             arrived and the rest is lost (Linux drops it silently); use a larger --bufsize",
            datagram.from, datagram.sent_len, bufsize, datagram.len
        ));
    }
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

/// Decodes what arrived (warning about bytes that are not valid in the
/// encoding) and prints it on stdout as a [`message_line`].
pub fn show_message(data: &[u8], from: SocketAddr, codec: &Codec) {
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
        let err = receive(&socket, &mut buf, 1024, "the peer", false).unwrap_err();
        assert!(
            matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut),
            "{err:?}"
        );
    }

    #[test]
    fn unreachable_ends_the_wait_for_a_reply_with_give_up() {
        let socket = refused_socket();
        let mut buf = Vec::new();
        let err = receive(&socket, &mut buf, 1024, "the peer", true).unwrap_err();
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
    fn message_line_is_the_seeds() {
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
