// expect: step 3
// Choice 0 is not on its menu: the menu ends only at the end of stdin.

use std::net::{SocketAddr, UdpSocket};

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result, net};
use socket2::Type;

use crate::chat;
use crate::menu::{not_on_the_menu, peer_addr, print_menu, report_sent};
use crate::narration::StepTo;

/// What the steps need besides the person at the keyboard.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the others send to reach this menu (the tutorial's `('', 7788)`).
    pub local: SocketAddr,
    /// The `1024` of `recvfrom(1024)`.
    pub bufsize: usize,
    /// The `'utf-8'` of `.encode('utf-8')` and `.decode('utf-8')`.
    pub encoding: Codec,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Tutorial 000's menu on one bound socket, until `0` or the end of stdin.
pub fn chat(opt: &Options, input: &mut Input) -> Result<()> {
    // 1. create a UDP socket, which can send and receive at once (创建套接字,
    //    套接字是可以同时收发数据的) — socket.socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let socket = net::new_socket(&opt.local, Type::DGRAM)
        .during("create a UDP socket for", opt.local)?;
    // 2. bind the local address, so the others know where to send (绑定本地信息)
    //    — udp_socket.bind(('', 7788))
    opt.say.step(2);
    socket.bind(&opt.local.into()).during("bind", opt.local)?;
    let udp_socket = UdpSocket::from(socket);
    let local = chat::listening(&udp_socket)?;
    let mut buf = Vec::new();
    loop {
        // 3. show the menu and read a choice (请输入功能) — op = input('请输入功能:')
        opt.say.step(3);
        print_menu();
        let Some(op) = input.ask("your choice (请输入功能): ")? else { break };
        match op.trim() {
            "1" => {
                // 4. ask for the peer's ip, port and message, and send (发送数据)
                //    — udp_socket.sendto(send_data.encode(), (dest_ip, dest_port))
                let Some(ip) = input.ask("ip (Enter: 127.0.0.1): ")? else { break };
                let Some(port) = input.ask("port: ")? else { break };
                let Some(to) = peer_addr(&ip, &port) else { continue };
                let Some(text) = input.ask("message: ")? else { break };
                let Some(data) = chat::encode(&text, opt.encoding) else { continue };
                opt.say.step_to(4, &data, to);
                if chat::sent(udp_socket.send_to(&data, to), to) {
                    report_sent(data.len(), to);
                }
            }
            "2" => {
                // 5. receive a datagram and print it (接收数据) — recvfrom(1024)
                //    It waits until one arrives: UDP has no "nothing was sent".
                opt.say.step(5);
                common::errln!("waiting for a datagram on {local}; Ctrl+C stops");
                let (len, addr) =
                    chat::receive(&udp_socket, &mut buf, opt.bufsize, "a peer")?;
                chat::show(&buf[..len], addr, opt.encoding);
            }
            other => not_on_the_menu(other),
        }
    }
    // 6. close the socket (关闭套接字) — udp_socket.close()
    opt.say.step(6);
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: steps
