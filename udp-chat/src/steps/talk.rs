//! The lesson of `udp-chat talk`: tutorial 000's "a socket can send and receive
//! at the same time", with a thread, as `python/udp_talk.py` writes it. The
//! tool around it is `src/talk.rs`; what `--explain` says is
//! `src/narration/talk.rs`.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread;

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result, net};
use socket2::Type;

use crate::chat;
use crate::narration::StepTo;
use crate::talk::{receiving_stopped, talking_to};

/// What the steps need besides the person at the keyboard.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the peer sends (the tutorial's `('', 7788)`).
    pub local: SocketAddr,
    /// Where each line typed is sent.
    pub peer: SocketAddr,
    /// The `1024` of `recvfrom(1024)`.
    pub bufsize: usize,
    /// The `'utf-8'` of `.encode('utf-8')` and `.decode('utf-8')`.
    pub encoding: Codec,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Sends each line typed to `opt.peer` while a thread prints every datagram
/// that arrives, on the same socket, until the end of stdin.
pub fn talk(opt: &Options, input: &mut Input) -> Result<()> {
    // 1. create a UDP socket (创建套接字) — socket.socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let socket = net::new_socket(&opt.local, Type::DGRAM)
        .during("create a UDP socket for", opt.local)?;
    // 2. bind the local address, where the peer sends (绑定本地信息) — bind(('', 7788))
    opt.say.step(2);
    socket.bind(&opt.local.into()).during("bind", opt.local)?;
    let udp_socket = Arc::new(UdpSocket::from(socket));
    chat::listening(&udp_socket)?;
    // 3. start a thread that receives on the SAME socket (套接字是可以同时收发数据的)
    //    — threading.Thread(target=recv_msg, daemon=True).start(). The Arc is a
    //    second handle for the thread; a UdpSocket may block in recv_from in
    //    one thread while another thread sends on it.
    opt.say.step(3);
    let (receiving, opt_thread) = (Arc::clone(&udp_socket), opt.clone());
    thread::spawn(move || {
        let (mut buf, peer) = (Vec::new(), opt_thread.peer.to_string());
        loop {
            // 4. receive and print, in the receiving thread (接收数据) — recvfrom(1024)
            opt_thread.say.step(4);
            match chat::receive(&receiving, &mut buf, opt_thread.bufsize, &peer) {
                Ok((len, addr)) => chat::show(&buf[..len], addr, opt_thread.encoding),
                Err(err) => return receiving_stopped(&err),
            }
        }
    });
    // 5. the main thread sends each line typed (发送数据) — sendto(msg.encode(), peer)
    talking_to(opt.peer);
    while let Some(msg) = input.ask("")? {
        if !msg.is_empty() {
            let Some(data) = chat::encode(&msg, opt.encoding) else { continue };
            opt.say.step_to(5, &data, opt.peer);
            chat::sent(udp_socket.send_to(&data, opt.peer), opt.peer);
        }
    }
    // 6. close the socket (关闭套接字) — udp_socket.close(). The receiving thread
    //    still holds it and ends with the program, like Python's daemon thread.
    opt.say.step(6);
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: steps
