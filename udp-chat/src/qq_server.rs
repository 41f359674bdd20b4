//! `udp-chat qq-server` — tutorial 001 "qq聊天", the server: print each message
//! with the sender's address, read a reply from stdin, send it back.
//!
//! Python twin: `python/qq_server.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- qq-server                       # 1: listens on 127.0.0.1:8081
//! cargo run -p udp-chat -- qq-client                       # 2: choose 金老板, type 你好
//!                                                          # 1: prints the message; type the reply
//! ```
//!
//! Runs until Ctrl+C, the end of stdin (no one left to type replies) or `--count N`.

use common::{Codec, IoResultExt, Result, pyrepr};

use crate::args::QqServerArgs;
use crate::chat::{self, Input};

/// The steps of the lesson, as numbered in the comments and `--explain`.
const STEPS: usize = 7;

// ANCHOR: run
/// Serves messages until Ctrl+C, the end of stdin or `--count`.
pub fn run(args: QqServerArgs) -> Result<()> {
    let explain = args.common.explainer(STEPS);
    let local = args.bind;
    let codec = args.common.encoding;

    // 1. create a UDP socket —
    //    udp_server_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    // 2. bind the address the clients know — udp_server_sock.bind(('127.0.0.1', 8081))
    let (udp_socket, _) = chat::bind_socket(&explain, local)?;

    let mut input = Input::new();
    let mut buf = Vec::new();
    let mut answered = 0;
    while args.count.is_none_or(|count| answered < count) {
        // 3. wait for a message, from anyone — qq_msg, addr = udp_server_sock.recvfrom(1024)
        explain.step(
            3,
            format!("recvfrom({})", args.buffer.bufsize),
            "UdpSocket::recv_from",
        );
        let datagram = chat::receive(
            &udp_socket,
            &mut buf,
            args.buffer.bufsize,
            "a client",
            false,
        )
        .during("receive on", local)?;

        // 4. print it with the sender's address —
        //    print('来自[%s:%s]的一条消息:\033[1;44m%s\033[0m' % (addr[0], addr[1], ...))
        explain.step(
            4,
            format!("print(... qq_msg.decode('{}'))", codec.name()),
            "println! (colour only on a terminal)",
        );
        // Only the first `len` bytes arrived: the rest of `buf` is stale.
        chat::show_message(&buf[..datagram.len], datagram.from, &codec);

        // 5. read the reply — back_msg = input('回复消息: ').strip()
        explain.step(5, "back_msg = input('回复消息: ').strip()", "Input::ask");
        let prompt = format!("reply to {} (回复消息): ", datagram.from);
        let Some(reply) = ask_reply(&mut input, &prompt, &codec)? else {
            common::errln!(
                "stdin ended: no one is left to type replies, so the server stops"
            );
            break;
        };

        // 6. send it back to whoever sent the message — udp_server_sock.sendto(back_msg, addr)
        explain.step(
            6,
            format!(
                "sendto({}, {})",
                pyrepr::bytes_repr(&reply),
                pyrepr::addr_repr(&datagram.from)
            ),
            "UdpSocket::send_to",
        );
        // A client that has gone away must not stop the server.
        chat::send_or_report(&udp_socket, &reply, datagram.from);
        answered += 1;
    }

    // 7. close the socket — udp_server_sock.close()
    explain.step(7, "close()", "drop(udp_socket)");
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: run

/// Asks until the reply can be encoded (the client is waiting for one);
/// `None` at the end of stdin. Like the tutorial, an empty reply is sent as an
/// empty datagram, so the client stops waiting.
fn ask_reply(
    input: &mut Input,
    prompt: &str,
    codec: &Codec,
) -> Result<Option<Vec<u8>>> {
    loop {
        let Some(line) = input.ask(prompt)? else { return Ok(None) };
        if let Some(data) = codec.encode_or_report(line.trim()) {
            return Ok(Some(data));
        }
    }
}
