// A correct solution written differently: std's UdpSocket bound to port 0 of
// the server's family (what the first send_to does for an unbound socket),
// a while-let loop over the formats, and the answers collected with map.
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use common::explain::Narrator;
use common::{Codec, IoResultExt, Result};

use crate::receive;

#[derive(Debug, Clone)]
pub struct Options {
    pub to: SocketAddr,
    pub bufsize: usize,
    pub timeout: Duration,
    pub codec: Codec,
    pub say: Narrator,
}

pub fn ask(mut msgs: impl Iterator<Item = Vec<u8>>, opt: &Options) -> Result<Vec<String>> {
    let any_port: SocketAddr = if opt.to.is_ipv6() {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(any_port).during("create a UDP socket for", opt.to)?;
    let mut answers = Vec::new();
    while let Some(msg) = msgs.next() {
        socket.send_to(&msg, opt.to).during("send to", opt.to)?;
        let text = receive::answer(&socket, opt)?;
        common::outln!("{text}");
        answers.push(text);
    }
    Ok(answers)
}
