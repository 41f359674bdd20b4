//! The client's `recv(1024)`, beyond the lesson: it waits at most
//! `--timeout` (UDP never says that nobody listens, so silence is the only
//! sign), ignores datagrams from anyone but the server (Python's `recv`
//! would print them as if they were the time), says when an answer was cut,
//! and decodes the answer once.

use std::net::UdpSocket;
use std::time::Instant;

use common::net::{self, Datagram};
use common::{Error, IoResultExt, Result};

use crate::steps::client::Options;

/// The server's answer as text, or why there is none.
pub fn answer(udp_client: &UdpSocket, opt: &Options) -> Result<String> {
    let deadline = Instant::now() + opt.timeout;
    let mut buf = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(no_answer(opt));
        }
        udp_client
            .set_read_timeout(Some(left))
            .during("set a timeout on", "the socket")?;
        let datagram = match net::recv_datagram(udp_client, &mut buf, opt.bufsize) {
            Ok(datagram) => datagram,
            Err(err) if net::is_timeout(&err) => return Err(no_answer(opt)),
            Err(err) => return Err(Error::io("receive an answer from", opt.to, &err)),
        };
        if !is_from_server(&datagram, opt) {
            common::warn(format_args!(
                "ignored a datagram from {}: it is not the server {}",
                datagram.from, opt.to
            ));
            continue;
        }
        if datagram.truncated() {
            common::warn(format_args!(
                "the answer had {} bytes but --bufsize is {}: the rest is lost",
                datagram.sent_len, opt.bufsize
            ));
        }
        return Ok(opt.codec.decode_or_warn(&buf[..datagram.len], datagram.from));
    }
}

/// The answer comes from the address we sent to (any local address when we
/// sent to 0.0.0.0, which means "this machine").
fn is_from_server(datagram: &Datagram, opt: &Options) -> bool {
    datagram.from == opt.to
        || (opt.to.ip().is_unspecified() && datagram.from.port() == opt.to.port())
}

fn no_answer(opt: &Options) -> Error {
    Error::new(format!("no answer from {} within {:?}", opt.to, opt.timeout)).hint(
        "is time-server (or python3 time-server/python/time_server.py) running there? UDP itself never \
         says; a longer --timeout waits more",
    )
}
