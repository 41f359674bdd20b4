// A correct solution written differently: socket2's own calls for steps 1–3
// (the family from Domain::for_address), and step 5 spelled out — the
// default for an empty format, then the time or an `error: …` answer.
use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::Codec;
use common::explain::Narrator;
use socket2::{Domain, Protocol, Socket, Type};

use crate::log;
use crate::strftime::{self, Clock, Request};

#[derive(Debug, Clone)]
pub struct Options {
    pub reuse_address: bool,
    pub bufsize: usize,
    pub codec: Codec,
    pub clock: Clock,
    pub say: Narrator,
}

#[derive(Debug)]
pub struct Answered {
    pub request: Request,
    pub back_msg: Vec<u8>,
    pub sent: io::Result<usize>,
}

pub fn open(local: SocketAddr, opt: &Options) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(local), Type::DGRAM, Some(Protocol::UDP))?;
    if local.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(opt.reuse_address)?;
    socket.bind(&local.into())?;
    Ok(UdpSocket::from(socket))
}

pub fn answer(udp_server: &UdpSocket, buf: &mut Vec<u8>, opt: &Options) -> io::Result<Answered> {
    let datagram = log::recv_from(udp_server, buf, opt.bufsize)?;
    let request = Request::read(&buf[..datagram.len], &datagram, opt.codec);
    log::request(&request);
    let time_fmt = match request.time_fmt() {
        Ok(fmt) if fmt.is_empty() => Ok(strftime::DEFAULT_FORMAT),
        Ok(fmt) => Ok(fmt),
        Err(err) => Err(err.clone()),
    };
    let back_msg = match time_fmt.and_then(|fmt| strftime::answer(fmt, &opt.clock, opt.codec)) {
        Ok(time) => time,
        Err(err) => {
            common::warn(format_args!("{} gets an error: {err}", request.from));
            strftime::error_reply(&err, opt.codec)
        }
    };
    let sent = udp_server.send_to(&back_msg, request.from);
    Ok(Answered { request, back_msg, sent })
}
