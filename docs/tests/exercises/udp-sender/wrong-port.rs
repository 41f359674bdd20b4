// expect: step 2
// Sends to the wrong port: one above the receiver's.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::explain::Narrator;
use common::net::{Datagram, recv_datagram};

/// What the steps need besides the address and the bytes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The local address: port 0 (`('', 0)`) lets the OS choose, as Python
    /// does without `bind`; `--bind` fixes it.
    pub local: SocketAddr,
    /// Wait this long for one reply of at most this many bytes (the UDP
    /// clients of tutorials 001 and 004); `None`: send only.
    pub reply: Option<(usize, Duration)>,
    /// The `--explain` narrator.
    pub say: Narrator,
}

/// What one run of the steps did: where the datagram left from, and the
/// reply (its bytes in the buffer) when one was asked for.
#[derive(Debug)]
pub struct Sent {
    pub local: SocketAddr,
    pub reply: Option<(Datagram, Vec<u8>)>,
}

// ANCHOR: steps
/// Sends `data` as one datagram to `to`: one run of udp_sender.py's `send`.
pub fn send(to: SocketAddr, data: &[u8], opt: &Options) -> io::Result<Sent> {
    // 1. create a UDP socket (创建udp套接字) — socket.socket(AF_INET, SOCK_DGRAM)
    //    std creates and binds in one call; port 0 lets the OS pick a free port
    //    as Python's first sendto does, --bind fixes it (绑定端口) — bind(local)
    opt.say.step(1);
    let udp_socket = UdpSocket::bind(opt.local)?;
    // 2. send the data to (ip, port) — udp_socket.sendto(data, (ip, port))
    opt.say.step_data(2, data);
    udp_socket.send_to(data, SocketAddr::new(to.ip(), to.port() + 1))?;
    let local = udp_socket.local_addr()?;
    let mut reply = None;
    if let Some((bufsize, timeout)) = opt.reply {
        // optional (tutorials 001, 004): wait for one reply — recvfrom(1024)
        opt.say.note("recvfrom");
        udp_socket.set_read_timeout(Some(timeout))?;
        let mut buf = Vec::new();
        reply = Some((recv_datagram(&udp_socket, &mut buf, bufsize)?, buf));
    }
    // 3. close the socket (关闭套接字) — udp_socket.close()
    opt.say.step(3);
    drop(udp_socket);
    Ok(Sent { local, reply })
}
// ANCHOR_END: steps
