//! `udp-chat menu` — tutorial 000 "udp聊天器": one bound socket and a menu of
//! 1 send / 2 receive / 0 quit. The same socket sends and receives.
//! The lesson is `steps/menu.rs`; this file is the tool around it: the
//! command line, the menu's texts, and the peer's address checked.
//!
//! Python twin: `python/udp_chat.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- menu                            # 1: bound to 127.0.0.1:7788
//! cargo run -p udp-chat -- menu --bind 127.0.0.1:7789      # 2: type 1, 127.0.0.1, 7788, hello
//!                                                          # 1: type 2 — prints the message
//! ```

use std::net::SocketAddr;

use common::Result;
use common::cli::Input;
use common::explain::Narrator;

use crate::args::MenuArgs;
use crate::narration::{self, menu::NOTES, menu::STEPS};
use crate::steps::menu::{self as steps, Options};

/// Runs the menu until `0` or the end of stdin.
pub fn run(args: MenuArgs) -> Result<()> {
    let (local, bufsize, encoding) =
        (args.bind, args.buffer.bufsize, args.common.encoding);
    let say = Narrator::new(args.common.explain, &STEPS, &NOTES);
    let say = narration::narrator(say, local, bufsize, encoding);
    steps::chat(&Options { local, bufsize, encoding, say }, &mut Input::new())
}

/// Step 3: the tutorial's menu, on stderr (stdout is for messages).
pub fn print_menu() {
    common::errln!("----- udp chat (udp聊天器) -----");
    common::errln!("1: send a message (发送消息)");
    common::errln!("2: receive a message (接收消息)");
    common::errln!("0: quit (退出系统)");
}

/// Step 3: a choice that is not on the menu. The menu comes back.
pub fn not_on_the_menu(choice: &str) {
    common::errln!(
        "'{choice}' is not on the menu: type 1, 2 or 0 (输入有误请重新输入)"
    );
}

/// Step 4: what left, on stderr: `sent 5 bytes to 127.0.0.1:7789`.
pub fn report_sent(len: usize, to: SocketAddr) {
    let plural = if len == 1 { "" } else { "s" };
    common::errln!("sent {len} byte{plural} to {to}");
}

/// Step 4: the peer's address from the answers to "ip" and "port", or `None`
/// (saying why) when they are not one, and the menu comes back: Python's
/// `int(input(...))` would end the program with a `ValueError` instead.
pub fn peer_addr(ip: &str, port: &str) -> Option<SocketAddr> {
    match parse_peer(ip, port) {
        Ok(to) => Some(to),
        Err(reason) => {
            common::errln!("{reason}; back to the menu");
            None
        }
    }
}

/// An empty ip is 127.0.0.1; a host name is looked up, as Python's `sendto`
/// does.
fn parse_peer(ip: &str, port: &str) -> std::result::Result<SocketAddr, String> {
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
        assert_eq!(parse_peer("", "7788").unwrap().to_string(), "127.0.0.1:7788");
        assert_eq!(parse_peer("::1", "9").unwrap().to_string(), "[::1]:9");
        assert!(
            parse_peer("127.0.0.1", "abc").unwrap_err().contains("'abc' is not a port")
        );
        assert!(parse_peer("127.0.0.1", "0").is_err());
        assert!(parse_peer("127.0.0.1", "70000").is_err());
        assert!(peer_addr("127.0.0.1", "0").is_none());
    }
}
