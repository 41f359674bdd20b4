//! udp-chat — lessons "udp聊天器" (tutorial 000) and "qq聊天" (tutorial 001):
//! **one UDP socket both sends and receives.**
//!
//! A UDP socket is not a "sender" or a "receiver": `sendto` and `recvfrom` work
//! on the same socket, and the address a datagram leaves from is the address
//! the answer comes back to. Each subcommand shows it another way: its steps,
//! in a file that reads like its Python listing, and the tool around them:
//!
//! | subcommand | steps | tool | Python twin | what it shows |
//! | --- | --- | --- | --- | --- |
//! | `menu` | `steps/menu.rs` | `menu.rs` | `python/udp_chat.py` | tutorial 000: a 1 send / 2 receive / 0 quit menu on one bound socket |
//! | `talk` | `steps/talk.rs` | `talk.rs` | `python/udp_talk.py` | a receiving thread and the sending main thread share the socket |
//! | `qq-server` | `steps/qq_server.rs` | `qq_server.rs` | `python/qq_server.py` | tutorial 001: print each message, type a reply, send it back |
//! | `qq-client` | `steps/qq_client.rs` | `qq_client.rs` | `python/qq_client.py` | tutorial 001: choose a contact, chat until `q` |
//!
//! What they share is in `chat.rs`; the `--explain` texts are in `narration/`.
//!
//! Two terminals, the tutorial's QQ chat:
//!
//! ```text
//! cargo run -p udp-chat -- qq-server      # 1: listens on 127.0.0.1:8081
//! cargo run -p udp-chat -- qq-client      # 2: choose 金老板, type 你好, read the reply
//! ```
//!
//! Prompts, progress and `--explain` go to stderr; messages that arrive go to
//! stdout as `message from [IP:PORT]: TEXT`. Everything reads stdin line by
//! line, so a pipe can play the person at the keyboard.

mod args;
mod chat;
mod menu;
mod narration;
mod qq_client;
mod qq_server;
mod steps;
mod talk;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let in_use_hint = port_in_use_hint(&cli.command);
    let result = match cli.command {
        Command::Menu(args) => menu::run(args),
        Command::Talk(args) => talk::run(args),
        Command::QqServer(args) => qq_server::run(args),
        Command::QqClient(args) => qq_client::run(args),
    };
    common::exit_with(result.map_err(|err| match &in_use_hint {
        Some(hint) if err.kind() == Some(std::io::ErrorKind::AddrInUse) => {
            err.hint(hint)
        }
        _ => err,
    }))
}

/// One port, one socket: what the second program on a port needs instead.
fn port_in_use_hint(command: &Command) -> Option<String> {
    let next_port = |addr: std::net::SocketAddr| {
        std::net::SocketAddr::new(addr.ip(), addr.port().checked_add(1).unwrap_or(1024))
    };
    match command {
        Command::Talk(args) => Some(format!(
            "another talker (udp-chat talk or udp_talk.py) is bound to {bind}; the second \
             talker takes the other pair of addresses: --bind {peer} --peer {bind}",
            bind = args.bind,
            peer = args.peer,
        )),
        Command::Menu(args) => Some(format!(
            "another program (another menu, or udp_chat.py) is bound to {}; give this one \
             another port, e.g. --bind {}",
            args.bind,
            next_port(args.bind),
        )),
        Command::QqServer(args) => Some(format!(
            "another qq-server (Rust or qq_server.py) is bound to {bind}; stop it, or start \
             this one with --bind {other} and its clients with --to {other}",
            bind = args.bind,
            other = next_port(args.bind),
        )),
        Command::QqClient(_) => None,
    }
}
