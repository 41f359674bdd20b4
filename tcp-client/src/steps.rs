//! The lesson itself: `python/tcp_client.py`'s steps, one call each, in plain
//! `socket2` calls. The tool around them (messages from the command line or
//! stdin, how a reply is printed, errors with hints) is `main.rs`; the
//! `--explain` texts are in `narration.rs`.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::time::Duration;

use common::Endpoint;
use common::explain::Narrator;
use common::net;
use socket2::{SockAddr, Socket};

use crate::narration::short_repr;

/// What the steps need besides the address.
#[derive(Debug)]
pub struct Options {
    /// The `1024` of `recv(1024)`.
    pub bufsize: usize,
    /// Read one reply after each message (step 4); `false` is tutorial 003's
    /// `tcp_send_client`, which only sends.
    pub replies: bool,
    /// Python's `settimeout`: connect, send and each recv give up after it.
    pub timeout: Option<Duration>,
    /// After our FIN, how long to wait for the server's (`None`: for ever).
    pub close_wait: Option<Duration>,
    /// The `--explain` narrator.
    pub say: Narrator,
}

/// The other side of the steps, played by the tool (or a test): what to
/// send, and where what arrives goes.
pub trait User {
    /// The next message, already encoded; `None` when there are no more.
    fn next_message(&mut self) -> Option<Vec<u8>>;
    /// What one recv returned. An empty piece is `b''` where a reply was due:
    /// the server closed first (the tool makes that an error).
    fn show(&mut self, piece: &[u8]) -> io::Result<()>;
}

// ANCHOR: steps
/// Connects to `to`, sends each message and shows each reply, then closes.
pub fn talk(to: &Endpoint, opt: &Options, user: &mut dyn User) -> io::Result<()> {
    // 1. create a TCP socket (创建socket) — socket.socket(AF_INET, SOCK_STREAM)
    opt.say.step(1);
    let tcp_socket = net::new_stream_socket(to)?; // to's family; unix:PATH is AF_UNIX
    settimeout(&tcp_socket, opt)?; // optional: the settimeout helper below
    // 2. connect to the server (链接服务器) — tcp_socket.connect(('127.0.0.1', 8898))
    opt.say.step(2);
    connect(&tcp_socket, &net::sock_addr(to)?, opt.timeout)?; // see connect below
    say_connected(&tcp_socket); // getpeername(), getsockname(): the OS chose our port
    let mut buf = vec![0u8; opt.bufsize];
    while let Some(data) = user.next_message() {
        // 3. send the data (发送数据) — tcp_socket.sendall(data)
        opt.say.step_with(3, &[("data", short_repr(&data))]);
        (&tcp_socket).write_all(&data)?; // sendall: one send may take only part
        if opt.replies {
            // optional: if opt.replies; 003's tcp_send_client (--send-only) reads none
            // 4. receive the reply (接收数据) — data = tcp_socket.recv(1024)
            opt.say.step(4);
            let n = (&tcp_socket).read(&mut buf)?;
            user.show(&buf[..n])?; // only buf[..n] arrived; 0 is b'': closed
        }
    }
    // 5. close the socket (关闭套接字) — tcp_socket.close()
    //    shutdown(SHUT_WR) first: our FIN says "no more from me"; what the server
    //    still sends is shown until its FIN (recv returns 0), so nothing is left
    //    unread, which would reset the connection instead of closing it
    opt.say.step(5);
    tcp_socket.shutdown(Shutdown::Write)?;
    tcp_socket.set_read_timeout(opt.close_wait)?; // wait opt.close_wait for its FIN
    while let n @ 1.. = (&tcp_socket).read(&mut buf)? {
        user.show(&buf[..n])?;
    }
    drop(tcp_socket);
    Ok(())
}
// ANCHOR_END: steps

/// Python's `settimeout(t)`, set right after creating the socket because
/// `connect` uses it too (tutorial 002): socket2 has one timeout per direction.
fn settimeout(tcp_socket: &Socket, opt: &Options) -> io::Result<()> {
    let Some(timeout) = opt.timeout else { return Ok(()) };
    opt.say.note("settimeout");
    tcp_socket.set_read_timeout(Some(timeout))?;
    tcp_socket.set_write_timeout(Some(timeout))
}

/// `connect(address)`: after `settimeout(t)` Python's connect gives up after
/// `t`, which socket2 spells `connect_timeout`.
fn connect(
    tcp_socket: &Socket,
    address: &SockAddr,
    timeout: Option<Duration>,
) -> io::Result<()> {
    match timeout {
        Some(timeout) => tcp_socket.connect_timeout(address, timeout),
        None => tcp_socket.connect(address),
    }
}

/// `connected to 127.0.0.1:8898 from 127.0.0.1:50312` on stderr: the
/// server's address and the port the OS chose for us (a client does not bind).
fn say_connected(tcp_socket: &Socket) {
    if let (Ok(peer), Ok(local)) = (tcp_socket.peer_addr(), tcp_socket.local_addr()) {
        common::errln!(
            "connected to {} from {}",
            address_text(&peer),
            address_text(&local)
        );
    }
}

/// `127.0.0.1:50312`, or `unix:PATH` for an AF_UNIX socket with a path — a
/// client has none unless it binds one: `AF_UNIX (unnamed)`.
fn address_text(address: &SockAddr) -> String {
    if let Some(address) = address.as_socket() {
        return address.to_string();
    }
    #[cfg(unix)]
    if let Some(path) = address.as_pathname() {
        return format!("unix:{}", path.display());
    }
    "AF_UNIX (unnamed)".to_string()
}
