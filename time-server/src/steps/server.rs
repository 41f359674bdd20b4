//! The lesson of `time-server`: `python/time_server.py`'s steps, in plain
//! `std::net` and `socket2` calls. [`open`] is steps 1–3; [`answer`] is steps
//! 4–6 for one request, which the tool (`src/main.rs`) calls in a loop as the
//! twin's `while True` does. The `--explain` texts are in `narration/server.rs`.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::explain::Narrator;
use common::{Codec, net};
use socket2::Type;

use crate::log;
use crate::strftime::{self, Clock, Request};

/// What the steps need besides the address.
#[derive(Debug, Clone)]
pub struct Options {
    /// Set SO_REUSEADDR before `bind` (step 2), as the tutorial does.
    pub reuse_address: bool,
    /// `recvfrom(bufsize)`: the longest format read whole.
    pub bufsize: usize,
    /// The encoding of the formats and of the answers (the tutorial's `'utf-8'`).
    pub codec: Codec,
    /// The local time zone.
    pub clock: Clock,
    /// The `--explain` narrator.
    pub say: Narrator,
}

/// One request, answered: who asked for what, and what went back.
#[derive(Debug)]
pub struct Answered {
    /// The format and its sender.
    pub request: Request,
    /// The answer's bytes: the time, or `error: …`.
    pub back_msg: Vec<u8>,
    /// Whether it could be sent (a client that has gone away makes it fail;
    /// the server goes on).
    pub sent: io::Result<usize>,
}

// ANCHOR: steps
/// Steps 1–3: the server's UDP socket, bound to `local`.
pub fn open(local: SocketAddr, opt: &Options) -> io::Result<UdpSocket> {
    // 1. create a UDP socket (创建套接字) — socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let socket = net::new_socket(&local, Type::DGRAM)?;
    // 2. reuse the port (重用ip和端口) — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    if opt.reuse_address {
        opt.say.step(2);
        socket.set_reuse_address(true)?;
    }
    // 3. bind the local address (绑定) — udp_server.bind(ip_port)
    opt.say.step(3);
    socket.bind(&local.into())?;
    Ok(socket.into())
}

/// Steps 4–6 for one request: receives a format, sends back the time in it.
pub fn answer(
    udp_server: &UdpSocket,
    buf: &mut Vec<u8>,
    opt: &Options,
) -> io::Result<Answered> {
    // 4. receive a format (接收) — msg, addr = udp_server.recvfrom(1024)
    opt.say.step(4);
    let datagram = log::recv_from(udp_server, buf, opt.bufsize)?;
    let request = Request::read(&buf[..datagram.len], &datagram, opt.codec);
    log::request(&request); // print('===>', msg)
    // 5. format the local time (时间格式) — back_msg = strftime(time_fmt)
    opt.say.step_text(5, request.time_fmt().ok());
    let back_msg = strftime::reply(&request, &opt.clock);
    // 6. send it back (发送) — sendto(back_msg.encode('utf-8'), addr)
    opt.say.step_data(6, &back_msg);
    let sent = udp_server.send_to(&back_msg, request.from);
    Ok(Answered { request, back_msg, sent })
}
// ANCHOR_END: steps
