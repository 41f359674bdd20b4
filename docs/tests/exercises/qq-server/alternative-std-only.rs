// A correct solution written differently: std::net::UdpSocket::bind creates
// and binds in one call, recv_from fills a buffer of exactly opt.bufsize
// bytes, the line is decoded and printed by hand, and the loop is a while
// with a counter of the replies sent.
use std::net::{SocketAddr, UdpSocket};

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result};

use crate::chat;
use crate::qq_server::ask_reply;

/// What the steps need besides the person at the keyboard.
#[derive(Debug, Clone)]
pub struct Options {
    /// The address the clients know (the tutorial's `('127.0.0.1', 8081)`).
    pub local: SocketAddr,
    /// The `1024` of `recvfrom(1024)`.
    pub bufsize: usize,
    /// The `'utf-8'` of `.encode('utf-8')` and `.decode('utf-8')`.
    pub encoding: Codec,
    /// Stop after this many replies; `None`: the tutorial's `while True`.
    pub count: Option<u64>,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Prints each message and sends back the reply typed for it.
pub fn serve(opt: &Options, input: &mut Input) -> Result<()> {
    // 1. create a UDP socket and 2. bind it, in one call
    let server = UdpSocket::bind(opt.local).during("bind", opt.local)?;
    chat::listening(&server)?;
    let mut buf = vec![0u8; opt.bufsize];
    let mut replies = 0;
    while opt.count.is_none_or(|count| replies < count) {
        // 3. wait for a message, from anyone
        let (len, from) = server.recv_from(&mut buf).during("receive on", opt.local)?;
        // 4. print it with the sender's address
        let text = opt.encoding.decode_or_warn(&buf[..len], from);
        common::outln!("{}", chat::message_line(from, &text, false));
        // 5. read the reply
        let Some(reply) = ask_reply(input, from, opt.encoding)? else { return Ok(()) };
        // 6. send it back to whoever sent the message
        if let Err(err) = server.send_to(&reply, from) {
            common::errln!("error: cannot answer {from}: {err}");
        }
        replies += 1;
    }
    // 7. close the socket
    drop(server);
    Ok(())
}
// ANCHOR_END: steps
