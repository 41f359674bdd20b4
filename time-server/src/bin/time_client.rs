//! time-client — lesson "时间服务器client" (tutorial 001): send a strftime format
//! to the UDP time server and print the time it answers.
//!
//! Python twin: `python/time_client.py`. Two terminals:
//!
//! ```text
//! cargo run -p time-server --bin time-server                        # 1
//! cargo run -p time-server --bin time-client -- %H:%M:%S '%Y年%m月%d日'  # 2
//! cargo run -p time-server --bin time-client                        # type formats
//! ```
//!
//! An empty format asks for the server's default, `%Y-%m-%d %X`. The client
//! waits `--timeout` seconds for each answer: UDP never says that nobody is
//! listening, so silence is the only sign, and it exits with status 1.

// Options live beside this file (a binary in src/bin/ finds modules by path).
#[path = "time_client/args.rs"]
mod args;

use std::net::UdpSocket;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use common::{Error, IoResultExt, Result, net, pyrepr};
use socket2::Type;

use args::Args;

/// The tutorial's prompt, input('请输入时间格式(例%Y %m %d)>>: '), in English
/// with the Chinese kept, as the other lessons' prompts do.
const PROMPT: &str = "a time format, e.g. %Y %m %d (请输入时间格式)>>: ";

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(6);
    let (to, codec) = (args.to, args.common.encoding);
    // Formats on the command line are all checked before anything is sent.
    for format in &args.formats {
        codec.encode(format)?;
    }

    // 1. create a UDP socket — udp_client = socket(AF_INET, SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&to, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let udp_client = net::udp_unbound(&to).during("create a UDP socket for", to)?;

    let source =
        if args.formats.is_empty() { "stdin.lines(), trimmed" } else { "FORMAT args" };
    let (mut asked, mut unsent, mut refused) = (0, 0, 0);
    // 2. read a format — msg = input('请输入时间格式(例%Y %m %d)>>: ').strip()
    for msg in common::cli::args_or_stdin_lines(&args.formats, PROMPT) {
        // input().strip(): a typed line loses its spaces, as in the tutorial.
        let msg = if args.formats.is_empty() { msg.trim().to_string() } else { msg };
        explain.step(2, "msg = input('…>>: ').strip()", source);
        // Nothing garbled is sent: say which character, go on.
        let Some(data) = codec.encode_or_report(&msg) else {
            (unsent, refused) = (unsent + 1, refused + 1);
            continue;
        };

        // 3. send it — udp_client.sendto(msg.encode('utf-8'), ip_port)
        explain.step(
            3,
            format!(
                "sendto({}, {})",
                pyrepr::bytes_repr(&data),
                pyrepr::addr_repr(&to)
            ),
            "UdpSocket::send_to",
        );
        udp_client.send_to(&data, to).during("send to", to)?;
        asked += 1;

        // 4. receive the answer — data = udp_client.recv(1024)
        explain.step(
            4,
            format!("recv({})", args.buffer.bufsize),
            "UdpSocket::recv_from",
        );
        let answer = receive_answer(&udp_client, &args)?;

        // 5. print it — print(data.decode('utf-8'))
        explain.step(5, format!("print(data.decode('{}'))", codec.name()), "println!");
        common::outln!("{answer}");
        if answer.starts_with("error: ") {
            refused += 1;
        }
    }

    // 6. close the socket — udp_client.close()
    explain.step(6, "close()", "drop(udp_client)");
    drop(udp_client);
    // Refused by the server (an `error: …` answer) or not encodable here.
    match refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} of {} format(s) got no time",
            asked + unsent
        ))
        .hint(
            "each error above says why; %% is a percent sign, %Y %m %d %H %M %S work",
        )),
    }
}
// ANCHOR_END: run

/// `recv(bufsize)` with `--timeout`: the server's answer as text. Datagrams
/// from anyone but the server are ignored (Python's `recv` would take them).
fn receive_answer(udp_client: &UdpSocket, args: &Args) -> Result<String> {
    let deadline = Instant::now() + args.timeout;
    let mut buf = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(no_answer(args));
        }
        udp_client
            .set_read_timeout(Some(left))
            .during("set a timeout on", "the socket")?;
        let datagram =
            match net::recv_datagram(udp_client, &mut buf, args.buffer.bufsize) {
                Ok(datagram) => datagram,
                Err(err) if net::is_timeout(&err) => return Err(no_answer(args)),
                Err(err) => {
                    return Err(Error::io("receive an answer from", args.to, &err));
                }
            };
        if !is_from_server(&datagram, args) {
            common::warn(format_args!(
                "ignored a datagram from {}: it is not the server {}",
                datagram.from, args.to
            ));
            continue;
        }
        if datagram.truncated() {
            common::warn(format_args!(
                "the answer had {} bytes but --bufsize is {}: the rest is lost",
                datagram.sent_len, args.buffer.bufsize
            ));
        }
        return Ok(args
            .common
            .encoding
            .decode_or_warn(&buf[..datagram.len], datagram.from));
    }
}

/// The answer comes from the address we sent to (any local address when we
/// sent to 0.0.0.0, which means "this machine").
fn is_from_server(datagram: &net::Datagram, args: &Args) -> bool {
    datagram.from == args.to
        || (args.to.ip().is_unspecified() && datagram.from.port() == args.to.port())
}

fn no_answer(args: &Args) -> Error {
    Error::new(format!("no answer from {} within {:?}", args.to, args.timeout)).hint(
        "is time-server (or python3 time_server.py) running there? UDP itself never \
         says; a longer --timeout waits more",
    )
}
