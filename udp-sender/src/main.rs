//! udp-sender — lesson "udp发送数据" (tutorial 000) and `send_main` (tutorial 003):
//! create a UDP socket, `sendto` a datagram, close.
//!
//! Python twin: `python/udp_sender.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-receiver                      # 1: listens on 127.0.0.1:8080
//! cargo run -p udp-sender -- nihao 数据            # 2: two datagrams
//! cargo run -p udp-sender -- --encoding gbk 数据   # as the tutorial does on Windows
//! ```
//!
//! With no MESSAGE every line of stdin is sent. `--explain` narrates the steps.

mod args;

use std::net::UdpSocket;
use std::process::ExitCode;

use clap::Parser;
use common::{Error, IoResultExt, Result, net};
use socket2::Type;

use args::Args;

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(5);
    let to = args.to;
    // Messages on the command line are all checked before anything is sent.
    for message in &args.messages {
        args.common.encoding.encode(message)?;
    }

    // 1. create a UDP socket — udp_socket = socket.socket(AF_INET, SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&to, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let socket =
        net::new_socket(&to, Type::DGRAM).during("create a UDP socket for", to)?;

    // 2. bind a local address, only with --bind — udp_socket.bind(('', 7788))
    //    Without bind the OS picks a free port on the first sendto.
    if let Some(local) = args.bind {
        explain.step(
            2,
            format!("bind({})", common::pyrepr::addr_repr(&local)),
            "socket2::Socket::bind",
        );
        socket.bind(&local.into()).during("bind", local)?;
    }
    let udp_socket: UdpSocket = socket.into();

    let mut refused = 0;
    for message in common::cli::args_or_stdin_lines(&args.messages, "message> ") {
        // Nothing garbled is sent: a line the encoding cannot write is refused
        // (naming the character), and the next line goes on.
        let Some(data) = args.common.encoding.encode_or_report(&message) else {
            refused += 1;
            continue;
        };

        // 3. send the datagram — udp_socket.sendto(data, ('127.0.0.1', 8080))
        explain.step(
            3,
            format!(
                "sendto({}, {})",
                common::pyrepr::bytes_repr(&data),
                common::pyrepr::addr_repr(&to)
            ),
            "UdpSocket::send_to",
        );
        send_datagram(&udp_socket, &data, &args)?;

        // 4. wait for a reply, only with --wait-reply — udp_socket.recvfrom(1024)
        if args.wait_reply {
            explain.step(
                4,
                format!("recvfrom({})", args.buffer.bufsize),
                "UdpSocket::recv_from",
            );
            print_reply(&udp_socket, &args)?;
        }
    }

    // 5. close the socket — udp_socket.close()
    explain.step(5, "close()", "drop(udp_socket)");
    drop(udp_socket);
    match refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} line(s) of stdin were refused; the others were sent"
        ))),
    }
}
// ANCHOR_END: run

/// `sendto`, then report on stderr how many bytes went where and from which
/// local port (chosen by the OS unless --bind fixed it).
fn send_datagram(udp_socket: &UdpSocket, data: &[u8], args: &Args) -> Result<()> {
    if data.len() > net::MAX_UDP_PAYLOAD {
        return Err(Error::new(format!(
            "cannot send {} bytes in one datagram: UDP carries at most {}",
            data.len(),
            net::MAX_UDP_PAYLOAD
        ))
        .hint(
            "split the message, or use TCP (tcp-client) for a stream of any length",
        ));
    }
    let sent = udp_socket.send_to(data, args.to).during("send to", args.to)?;
    let local =
        udp_socket.local_addr().during("read the local address of", "the socket")?;
    let chosen_by =
        if args.bind.is_some() { "fixed by --bind" } else { "chosen by the OS" };
    common::errln!(
        "sent {sent} bytes to {} from local port {} ({chosen_by})",
        args.to,
        local.port()
    );
    Ok(())
}

/// `recvfrom` with a timeout, printing `FROM: TEXT` on stdout.
fn print_reply(udp_socket: &UdpSocket, args: &Args) -> Result<()> {
    udp_socket
        .set_read_timeout(Some(args.timeout))
        .during("set a timeout on", "the socket")?;
    let mut buf = Vec::new();
    let reply = net::recv_datagram(udp_socket, &mut buf, args.buffer.bufsize).map_err(|err| {
        if net::is_timeout(&err) {
            Error::new(format!("no reply from {} within {:?}", args.to, args.timeout)).hint(
                "is a receiver with --reply or --echo running there? UDP itself never says",
            )
        } else {
            Error::io("receive a reply from", args.to, &err)
        }
    })?;
    let text = args.common.encoding.decode_or_warn(&buf[..reply.len], reply.from);
    common::outln!("{}: {text}", reply.from);
    Ok(())
}
