// A correct solution written differently: std::net::UdpSocket::bind creates
// and binds in one call, the menu is a `while let` over the choices with an
// if/else chain, recv_from fills a buffer of exactly opt.bufsize bytes and
// the message is decoded and printed by hand.
use std::net::{SocketAddr, UdpSocket};

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result};

use crate::chat;
use crate::menu::{not_on_the_menu, peer_addr, print_menu};

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
    // 1. create a UDP socket and 2. bind it, in one call
    let socket = UdpSocket::bind(opt.local).during("bind", opt.local)?;
    chat::listening(&socket)?;
    let mut buf = vec![0u8; opt.bufsize];
    // 3. show the menu and read a choice
    print_menu();
    while let Some(op) = input.ask("choice: ")? {
        let op = op.trim();
        if op == "0" {
            break;
        } else if op == "1" {
            // 4. ask for the peer's ip, port and message, and send
            let (Some(ip), Some(port), Some(text)) =
                (input.ask("ip: ")?, input.ask("port: ")?, input.ask("message: ")?)
            else {
                break;
            };
            let to = peer_addr(&ip, &port);
            if let (Some(to), Some(data)) = (to, chat::encode(&text, opt.encoding)) {
                if let Err(err) = socket.send_to(&data, to) {
                    common::errln!("error: cannot send to {to}: {err}");
                }
            }
        } else if op == "2" {
            // 5. receive a datagram and print it
            let (len, from) = socket.recv_from(&mut buf).during("receive on", opt.local)?;
            let text = opt.encoding.decode_or_warn(&buf[..len], from);
            common::outln!("{}", chat::message_line(from, &text, false));
        } else {
            not_on_the_menu(op);
        }
        print_menu();
    }
    // 6. close the socket
    drop(socket);
    Ok(())
}
// ANCHOR_END: steps
