//! udp-receiver — lesson "udp接收数据" (tutorial 000), `rece_main` (tutorial 003) and the
//! UDP servers of tutorials 001 and 004: bind, `recvfrom`, print, close.
//!
//! Python twin: `python/udp_receiver.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-receiver                       # 1: listens on 127.0.0.1:8080
//! cargo run -p udp-sender -- nihao                # 2: 1 prints 127.0.0.1:PORT: nihao
//! cargo run -p udp-receiver -- --python-repr      # print as Python's print(recvfrom(1024))
//! cargo run -p udp-receiver -- --reply success    # answer like tutorial 004's server
//! ```

mod args;

use std::net::UdpSocket;
use std::process::ExitCode;

use clap::Parser;
use common::{Error, IoResultExt, Result, net, pyrepr};
use socket2::Type;

use args::Args;

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(6);
    let local = args.bind;
    // Encode the --reply text once, before anything is bound: an unencodable
    // reply is refused at start, not at the first datagram.
    let reply = args
        .reply
        .as_deref()
        .map(|text| args.common.encoding.encode(text))
        .transpose()?;

    // 1. create a UDP socket — udp_socket = socket.socket(AF_INET, SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&local, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let socket = net::new_socket(&local, Type::DGRAM)
        .during("create a UDP socket for", local)?;

    // 2. bind the local address — udp_socket.bind(('', 8080))
    //    One port, one socket: a second receiver on the same port fails here.
    explain.step(
        2,
        format!("bind({})", pyrepr::addr_repr(&local)),
        "socket2::Socket::bind",
    );
    socket.bind(&local.into()).during("bind", local).map_err(port_in_use_hint)?;
    let udp_socket: UdpSocket = socket.into();
    common::announce_listening(
        udp_socket.local_addr().during("read the address of", local)?,
    );

    let mut buf = Vec::new();
    let mut received = 0;
    while args.count.is_none_or(|count| received < count) {
        // 3. receive a datagram — data, addr = udp_socket.recvfrom(1024)
        explain.step(
            3,
            format!("recvfrom({})", args.buffer.bufsize),
            "UdpSocket::recv_from",
        );
        let datagram = net::recv_datagram(&udp_socket, &mut buf, args.buffer.bufsize)
            .during("receive on", local)?;
        // Only the first `len` bytes arrived: the rest of `buf` is stale.
        let data = &buf[..datagram.len];
        received += 1;

        // 4. print it — print(data.decode('utf-8'))
        explain.step(
            4,
            format!("print(data.decode('{}'))", args.common.encoding.name()),
            "println!",
        );
        print_datagram(data, &datagram, &args);

        // 5. answer, only with --reply or --echo — udp_socket.sendto(b'hi', addr)
        if let Some(answer) = answer(data, reply.as_deref(), args.echo) {
            explain.step(
                5,
                format!("sendto({}, addr)", pyrepr::bytes_repr(&answer)),
                "UdpSocket::send_to",
            );
            // A sender that has gone away must not stop the receiver.
            if let Err(err) = udp_socket.send_to(&answer, datagram.from) {
                common::warn(format_args!("cannot answer {}: {err}", datagram.from));
            }
        }
    }

    // 6. close the socket — udp_socket.close()
    explain.step(6, "close()", "drop(udp_socket)");
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: run

/// Prints one datagram: `SENDER: TEXT`, or Python's repr with --python-repr.
fn print_datagram(data: &[u8], datagram: &net::Datagram, args: &Args) {
    if datagram.truncated() {
        common::warn(format_args!(
            "the datagram from {} had {} bytes but --bufsize is {}: only the first {} were \
             received and the rest is lost (Linux drops it silently); use a larger --bufsize",
            datagram.from, datagram.sent_len, args.buffer.bufsize, datagram.len
        ));
    }
    if data.is_empty() {
        common::errln!("note: an empty (0-byte) datagram from {}", datagram.from);
    }
    if args.python_repr {
        common::outln!("{}", pyrepr::recvfrom_repr(data, &datagram.from));
    } else {
        let text = args.common.encoding.decode_or_warn(data, datagram.from);
        common::outln!("{}: {text}", datagram.from);
    }
}

/// What to send back: the datagram itself (--echo), the --reply bytes, or nothing.
fn answer(data: &[u8], reply: Option<&[u8]>, echo: bool) -> Option<Vec<u8>> {
    if echo { Some(data.to_vec()) } else { reply.map(<[u8]>::to_vec) }
}

/// The port-binding lesson: one port can be bound by one socket at a time.
fn port_in_use_hint(err: Error) -> Error {
    if err.kind() == Some(std::io::ErrorKind::AddrInUse) {
        err.hint(
            "another socket is bound to this port (another udp-receiver or udp_receiver.py?): \
             stop it, or choose another port with --bind 127.0.0.1:PORT",
        )
    } else {
        err
    }
}
