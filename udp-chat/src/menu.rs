//! `udp-chat menu` — tutorial 000 "udp聊天器": one bound socket and a menu of
//! 1 send / 2 receive / 0 quit. The same socket sends and receives.
//!
//! Python twin: `python/udp_chat.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- menu                            # 1: bound to 127.0.0.1:7788
//! cargo run -p udp-chat -- menu --bind 127.0.0.1:7789      # 2: type 1, 127.0.0.1, 7788, hello
//!                                                          # 1: type 2 — prints the message
//! ```

use std::net::{SocketAddr, UdpSocket};

use common::{Explain, IoResultExt, Result, pyrepr};

use crate::args::MenuArgs;
use crate::chat::{self, Input};

/// The steps of the lesson, as numbered in the comments and `--explain`.
const STEPS: usize = 6;

// ANCHOR: run
/// Runs the menu until `0` or the end of stdin.
pub fn run(args: MenuArgs) -> Result<()> {
    let explain = args.common.explainer(STEPS);
    let local = args.bind;

    // 1. create a UDP socket; it can send and receive at once —
    //    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    // 2. bind the local address, so the others know where to send —
    //    udp_socket.bind(('', 7788))
    let (udp_socket, local) = chat::bind_socket(&explain, local)?;

    let mut input = Input::new();
    loop {
        // 3. show the menu and read a choice — op = input('请输入功能:')
        explain.step(
            3,
            "op = input('请输入功能:')",
            "Input::ask (BufRead::read_until)",
        );
        print_menu();
        let Some(choice) = input.ask("your choice (请输入功能): ")? else { break };
        match choice.trim() {
            "1" => {
                if !send_msg(&udp_socket, &mut input, &args, &explain)? {
                    break; // stdin ended in the middle of the questions
                }
            }
            "2" => recv_msg(&udp_socket, local, &args, &explain)?,
            "0" => break,
            other => common::errln!(
                "'{other}' is not on the menu: type 1, 2 or 0 (输入有误请重新输入)"
            ),
        }
    }

    // 6. close the socket — udp_socket.close()
    explain.step(6, "close()", "drop(udp_socket)");
    drop(udp_socket);
    Ok(())
}

/// Menu item 1. Returns `false` when stdin ended.
fn send_msg(
    udp_socket: &UdpSocket,
    input: &mut Input,
    args: &MenuArgs,
    explain: &Explain,
) -> Result<bool> {
    // 4. ask for the peer's ip, port and message, and send —
    //    udp_socket.sendto(send_data.encode('utf-8'), (dest_ip, dest_port))
    let Some(ip) = input.ask("the peer's ip (Enter for 127.0.0.1): ")? else {
        return Ok(false);
    };
    let Some(port) = input.ask("the peer's port: ")? else { return Ok(false) };
    let to = match peer_addr(&ip, &port) {
        Ok(to) => to,
        Err(reason) => {
            common::errln!("{reason}; back to the menu");
            return Ok(true);
        }
    };
    let Some(text) = input.ask("the message: ")? else { return Ok(false) };
    let Some(data) = args.common.encoding.encode_or_report(&text) else {
        return Ok(true);
    };
    explain.step(
        4,
        format!("sendto({}, {})", pyrepr::bytes_repr(&data), pyrepr::addr_repr(&to)),
        "UdpSocket::send_to",
    );
    if chat::send_or_report(udp_socket, &data, to) {
        let plural = if data.len() == 1 { "" } else { "s" };
        common::errln!("sent {} byte{plural} to {to}", data.len());
    }
    Ok(true)
}

/// Menu item 2: waits for one datagram, from anyone, and prints it.
fn recv_msg(
    udp_socket: &UdpSocket,
    local: SocketAddr,
    args: &MenuArgs,
    explain: &Explain,
) -> Result<()> {
    // 5. receive a datagram and print it — recv_data = udp_socket.recvfrom(1024)
    //    It blocks until one arrives: UDP has no "nothing was sent" signal.
    explain.step(
        5,
        format!("recvfrom({})", args.buffer.bufsize),
        "UdpSocket::recv_from",
    );
    common::errln!("waiting for a datagram on {local} (Ctrl+C stops the program)");
    let mut buf = Vec::new();
    let datagram =
        chat::receive(udp_socket, &mut buf, args.buffer.bufsize, "a peer", false)
            .during("receive on", local)?;
    // Only the first `len` bytes arrived: the rest of `buf` is stale.
    chat::show_message(&buf[..datagram.len], datagram.from, &args.common.encoding);
    Ok(())
}
// ANCHOR_END: run

/// The tutorial's menu, on stderr (stdout is for messages).
fn print_menu() {
    common::errln!("----- udp chat (udp聊天器) -----");
    common::errln!("1: send a message (发送消息)");
    common::errln!("2: receive a message (接收消息)");
    common::errln!("0: quit (退出系统)");
}

/// The peer's address from the answers to "ip" and "port". An empty ip is
/// 127.0.0.1; a host name is looked up, as Python's `sendto` does.
fn peer_addr(ip: &str, port: &str) -> std::result::Result<SocketAddr, String> {
    let port = port.trim();
    let port = match port.parse::<u16>() {
        Ok(port) if port > 0 => port,
        _ => {
            return Err(format!(
                "'{port}' is not a port: type a number from 1 to 65535"
            ));
        }
    };
    let ip = match ip.trim() {
        "" => "127.0.0.1",
        ip => ip,
    };
    // A bare IPv6 address (it has colons) needs brackets before the port.
    let text = if ip.contains(':') && !ip.starts_with('[') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    };
    common::parse_addr(&text).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_addresses() {
        assert_eq!(peer_addr("", "7788").unwrap().to_string(), "127.0.0.1:7788");
        assert_eq!(peer_addr("::1", "9").unwrap().to_string(), "[::1]:9");
        assert!(
            peer_addr("127.0.0.1", "abc").unwrap_err().contains("'abc' is not a port")
        );
        assert!(peer_addr("127.0.0.1", "0").is_err());
        assert!(peer_addr("127.0.0.1", "70000").is_err());
    }
}
