//! time-server — lesson "时间服务器server" (tutorial 001): a UDP server that answers
//! each datagram with the local time, formatted with the strftime format the
//! datagram holds (an empty datagram gets `%Y-%m-%d %X`).
//!
//! Python twin: `python/time_server.py`. Two terminals:
//!
//! ```text
//! cargo run -p time-server --bin time-server          # 1: listens on 127.0.0.1:9000
//! cargo run -p time-server --bin time-client -- %Y年%m月%d日 ''   # 2: two formats
//! TZ=Asia/Shanghai cargo run -p time-server --bin time-server     # another time zone
//! ```
//!
//! Each request is logged on stdout as `===> FORMAT from ADDR`; a format the
//! server cannot use is answered with `error: …` and the server goes on.

mod args;
mod strftime;

use std::net::UdpSocket;
use std::process::ExitCode;

use clap::Parser;
use common::{IoResultExt, Result, net, pyrepr};
use socket2::Type;

use args::Args;
use strftime::Clock;

fn main() -> ExitCode {
    // A closed stdout (`time-server | head -1`) stops the log, not the server.
    common::out::keep_serving_when_stdout_closes();
    common::exit_with(run(Args::parse()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(7);
    let (local, codec) = (args.bind, args.common.encoding);
    // The local time zone (TZ, else /etc/localtime), found once like Python
    // does; or the one --tz names.
    let clock = args.tz.clone().unwrap_or_else(Clock::local);

    // 1. create a UDP socket — udp_server = socket(AF_INET, SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&local, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let socket = net::new_socket(&local, Type::DGRAM)
        .during("create a UDP socket for", local)?;

    // 2. allow reusing the port — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    //    For UDP on Linux this lets a second server bind the same port too
    //    (the newest one receives); --no-reuseaddr skips it.
    if !args.no_reuseaddr {
        explain.step(
            2,
            "setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
            "socket2::Socket::set_reuse_address(true)",
        );
        #[cfg(unix)] // on Windows it would let another program steal the port
        socket.set_reuse_address(true).during("set SO_REUSEADDR on", "the socket")?;
    }

    // 3. bind the local address — udp_server.bind(('127.0.0.1', 9000))
    explain.step(
        3,
        format!("bind({})", pyrepr::addr_repr(&local)),
        "socket2::Socket::bind",
    );
    socket.bind(&local.into()).during("bind", local)?;
    let udp_server: UdpSocket = socket.into();
    common::announce_listening(
        udp_server.local_addr().during("read the address of", local)?,
    );
    common::errln!("time zone: {}", clock.describe());

    let mut buf = Vec::new();
    let mut served = 0;
    while args.count.is_none_or(|count| served < count) {
        // 4. receive a format — msg, addr = udp_server.recvfrom(1024)
        explain.step(
            4,
            format!("recvfrom({})", args.buffer.bufsize),
            "UdpSocket::recv_from",
        );
        let datagram = net::recv_datagram(&udp_server, &mut buf, args.buffer.bufsize)
            .during("receive on", local)?;
        // Only the first `len` bytes arrived: the rest of `buf` is stale.
        let msg = &buf[..datagram.len];
        served += 1;
        // The tutorial's log line, print('===>', msg), with the sender's address.
        common::outln!(
            "===> {} from {}",
            strftime::show_format(msg, codec),
            datagram.from
        );

        // 5. format the local time — back_msg = strftime(time_fmt)
        //    (time_fmt is '%Y-%m-%d %X' for an empty msg, else msg.decode('utf-8'))
        let time_fmt = strftime::read_format(msg, &datagram, codec);
        explain.step(
            5,
            format!(
                "strftime({})",
                time_fmt.as_deref().map_or("…".into(), strftime::str_repr)
            ),
            "jiff::fmt::strtime::BrokenDownTime::to_string_with_config",
        );
        // A format the server cannot use is answered with `error: …`, never
        // a panic: the server keeps serving.
        let back_msg =
            strftime::answer(time_fmt, &clock, codec).unwrap_or_else(|err| {
                common::warn(format_args!("{} gets an error: {err}", datagram.from));
                strftime::error_reply(&err, codec)
            });

        // 6. send the answer — udp_server.sendto(back_msg.encode('utf-8'), addr)
        explain.step(
            6,
            format!("sendto({}, addr)", pyrepr::bytes_repr(&back_msg)),
            "UdpSocket::send_to",
        );
        // A client that has gone away must not stop the server.
        if let Err(err) = udp_server.send_to(&back_msg, datagram.from) {
            common::warn(format_args!("cannot answer {}: {err}", datagram.from));
        }
    }

    // 7. close the socket — udp_server.close()
    explain.step(7, "close()", "drop(udp_server)");
    drop(udp_server);
    Ok(())
}
// ANCHOR_END: run
