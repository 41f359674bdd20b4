// expect: step 3
// Receives into a buffer of one byte, whatever --bufsize says.

use std::net::{SocketAddr, UdpSocket};

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result, net};
use socket2::Type;

use crate::chat;
use crate::narration::StepTo;
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
/// Prints each message and sends back the reply typed for it, until stdin
/// ends (or `count` replies were sent).
pub fn serve(opt: &Options, input: &mut Input) -> Result<()> {
    // 1. create a UDP socket (创建套接字) — socket.socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let socket = net::new_socket(&opt.local, Type::DGRAM)
        .during("create a UDP socket for", opt.local)?;
    // 2. bind the address the clients know (绑定本地信息) — bind(('127.0.0.1', 8081))
    opt.say.step(2);
    socket.bind(&opt.local.into()).during("bind", opt.local)?;
    let udp_server_sock = UdpSocket::from(socket);
    chat::listening(&udp_server_sock)?;
    let mut buf = Vec::new();
    // the tutorial's `while True`; with `--count N`, N times
    for _ in 0..opt.count.unwrap_or(u64::MAX) {
        // 3. wait for a message, from anyone (接收数据) — recvfrom(1024)
        opt.say.step(3);
        let (len, addr) =
            chat::receive(&udp_server_sock, &mut buf, 1, "a client")?;
        // 4. print it with the sender's address — print('来自[%s:%s]的一条消息:…')
        opt.say.step(4);
        chat::show(&buf[..len], addr, opt.encoding);
        // 5. read the reply (回复消息) — back_msg = input('回复消息: ').strip()
        opt.say.step(5);
        let Some(back_msg) = ask_reply(input, addr, opt.encoding)? else { break };
        // 6. send it back to whoever sent the message — sendto(back_msg, addr)
        opt.say.step_to(6, &back_msg, addr);
        chat::sent(udp_server_sock.send_to(&back_msg, addr), addr);
    }
    // 7. close the socket (关闭套接字) — udp_server_sock.close()
    opt.say.step(7);
    drop(udp_server_sock);
    Ok(())
}
// ANCHOR_END: steps
