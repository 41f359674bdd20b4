//! `udp-chat talk` — the next step after tutorial 000's menu: the same socket used
//! at once by a receiving thread and by the sending main thread, so messages
//! are printed as they arrive while you type.
//!
//! Python twin: `python/udp_talk.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- talk                            # 1: 7788 -> 7789
//! cargo run -p udp-chat -- talk --bind 127.0.0.1:7789 --peer 127.0.0.1:7788 # 2: 7789 -> 7788
//! ```
//!
//! Each line typed is one datagram to `--peer`; the end of stdin (Ctrl+D,
//! Ctrl+Z on Windows) ends the chat with exit status 0.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread;

use common::{Codec, Error, Explain, Result, pyrepr};

use crate::args::TalkArgs;
use crate::chat::{self, Input};

/// The steps of the lesson, as numbered in the comments and `--explain`.
const STEPS: usize = 6;

// ANCHOR: run
/// Talks with `--peer` until the end of stdin.
pub fn run(args: TalkArgs) -> Result<()> {
    let explain = args.common.explainer(STEPS);
    let (local, peer) = (args.bind, args.peer);
    let codec = args.common.encoding;

    // 1. create a UDP socket — udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    // 2. bind the local address (the peer sends here) — udp_socket.bind(('', 7788))
    let (udp_socket, local) = chat::bind_socket(&explain, local)?;

    // 3. start a thread that receives on the SAME socket —
    //    threading.Thread(target=recv_msg, args=(udp_socket,)).start()
    //    Arc shares one socket between threads; a UdpSocket is safe to use
    //    from two threads at once (one sends while the other receives).
    explain.step(
        3,
        "threading.Thread(target=recv_msg, args=(udp_socket,)).start()",
        "std::thread::spawn with an Arc<UdpSocket>",
    );
    let udp_socket = Arc::new(udp_socket);
    let receiving = Arc::clone(&udp_socket);
    let bufsize = args.buffer.bufsize;
    thread::spawn(move || recv_msg(&receiving, local, peer, bufsize, codec, explain));

    // 5. the main thread sends each line typed —
    //    udp_socket.sendto(input().encode('utf-8'), ('127.0.0.1', 7789))
    common::errln!(
        "talking to {peer}: each line you type is sent, what arrives is printed"
    );
    common::errln!("(end with Ctrl+D, or Ctrl+Z then Enter on Windows)");
    let mut input = Input::new();
    while let Some(line) = input.ask("")? {
        if line.is_empty() {
            continue; // nothing to say: send nothing, like the qq client
        }
        let Some(data) = codec.encode_or_report(&line) else { continue };
        explain.step(
            5,
            format!(
                "sendto({}, {})",
                pyrepr::bytes_repr(&data),
                pyrepr::addr_repr(&peer)
            ),
            "UdpSocket::send_to",
        );
        // A peer that is not running is no reason to stop: report and go on.
        chat::send_or_report(&udp_socket, &data, peer);
    }

    // 6. close the socket — udp_socket.close()
    //    The receiving thread still holds it; both end when the program does.
    explain.step(6, "close()", "drop(udp_socket), and the program ends");
    drop(udp_socket);
    Ok(())
}

/// The receiving thread: prints every datagram, from the peer or anyone else.
fn recv_msg(
    udp_socket: &UdpSocket,
    local: SocketAddr,
    peer: SocketAddr,
    bufsize: usize,
    codec: Codec,
    explain: Explain,
) {
    let mut buf = Vec::new();
    loop {
        // 4. receive and print — data, addr = udp_socket.recvfrom(1024)
        explain.step(4, format!("recvfrom({bufsize})"), "UdpSocket::recv_from");
        match chat::receive(udp_socket, &mut buf, bufsize, &peer.to_string(), false) {
            Ok(datagram) => {
                chat::show_message(&buf[..datagram.len], datagram.from, &codec)
            }
            Err(err) => {
                common::errln!(
                    "error: {}; no more messages will be shown, but lines are still sent",
                    Error::io("receive on", local, &err)
                );
                return;
            }
        }
    }
}
// ANCHOR_END: run
