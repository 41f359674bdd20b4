// A correct solution written differently: socket2 to create, bind and send,
// and the reply read with a plain recv_from into a buffer of bufsize bytes.
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::explain::Narrator;
use common::net::Datagram;
use socket2::{Domain, Socket, Type};

#[derive(Debug, Clone)]
pub struct Options {
    pub local: SocketAddr,
    pub reply: Option<(usize, Duration)>,
    pub say: Narrator,
}

#[derive(Debug)]
pub struct Sent {
    pub local: SocketAddr,
    pub reply: Option<(Datagram, Vec<u8>)>,
}

pub fn send(to: SocketAddr, data: &[u8], opt: &Options) -> io::Result<Sent> {
    let socket = Socket::new(Domain::for_address(to), Type::DGRAM, None)?;
    socket.bind(&opt.local.into())?;
    socket.send_to(data, &to.into())?;
    let udp = UdpSocket::from(socket);
    let local = udp.local_addr()?;
    let mut reply = None;
    if let Some((bufsize, timeout)) = opt.reply {
        udp.set_read_timeout(Some(timeout))?;
        let mut buf = vec![0u8; bufsize];
        let (len, from) = udp.recv_from(&mut buf)?;
        reply = Some((Datagram { len, sent_len: len, from }, buf));
    }
    Ok(Sent { local, reply })
}
