// A correct solution written differently: std::net::UdpSocket::bind creates
// and binds in one call (IPv4 and IPv6 both work for these checks), and the
// loop is a while with a counter.
use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::explain::Narrator;
use common::net::{Datagram, recv_datagram};

#[derive(Debug)]
pub struct Options {
    pub bufsize: usize,
    pub count: u64,
    pub say: Narrator,
}

pub type Show<'a> = dyn FnMut(&Datagram, &[u8]) -> Option<Vec<u8>> + 'a;

pub fn receive(local: SocketAddr, opt: &Options, show: &mut Show) -> io::Result<()> {
    let socket = UdpSocket::bind(local)?;
    common::announce_listening(socket.local_addr()?);
    let mut buf = Vec::new();
    let mut received = 0;
    while received < opt.count {
        let datagram = recv_datagram(&socket, &mut buf, opt.bufsize)?;
        received += 1;
        if let Some(answer) = show(&datagram, &buf[..datagram.len]) {
            if let Err(err) = socket.send_to(&answer, datagram.from) {
                common::warn(format_args!("cannot answer {}: {err}", datagram.from));
            }
        }
    }
    Ok(())
}
