//! udp-sender — lesson "udp发送数据" (tutorial 000) and `send_main` (tutorial
//! 003): create a UDP socket, `sendto` a datagram, close.
//!
//! The lesson is `steps.rs`, beside its Python twin `python/udp_sender.py`;
//! this file is the tool around it: arguments, messages from stdin, the
//! report of the local port, and errors with hints. Two terminals:
//!
//! ```text
//! cargo run -p udp-receiver                      # 1: listens on 127.0.0.1:8080
//! cargo run -p udp-sender -- nihao 数据            # 2: two datagrams
//! cargo run -p udp-sender -- --encoding gbk 数据   # as the tutorial does on Windows
//! ```
//!
//! With no MESSAGE every line of stdin is sent. `--explain` narrates the steps.

mod args;
mod narration;
#[cfg_attr(feature = "exercise", path = "../exercise/steps.rs")]
mod steps;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::pyrepr::addr_repr;
use common::{Error, Result, net};

use args::Args;
use steps::{Options, Sent};

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let to = args.to;
    let local = args.bind.unwrap_or_else(|| any_port(to));
    let options = Options {
        local,
        reply: args.wait_reply.then_some((args.buffer.bufsize, args.timeout)),
        say: narrator(&args, local),
    };
    // Messages on the command line are all encoded (and checked) before
    // anything is sent; stdin lines are encoded one by one as they come.
    let codec = args.common.encoding;
    let from_args =
        args.messages.iter().map(|m| codec.encode(m)).collect::<Result<Vec<_>, _>>()?;
    let mut refused = 0;
    let datagrams: Box<dyn Iterator<Item = Option<Vec<u8>>>> = if from_args.is_empty() {
        // Nothing garbled is sent: a line the encoding cannot write is refused
        // (naming the character), and the next line goes on.
        let lines = common::cli::args_or_stdin_lines(&[], "message (消息)> ");
        Box::new(lines.map(move |line| codec.encode_or_report(&line)))
    } else {
        Box::new(from_args.into_iter().map(Some))
    };
    for data in datagrams {
        let Some(data) = data else {
            refused += 1;
            continue;
        };
        net::check_datagram_size(data.len())?;
        let sent = steps::send(to, &data, &options)
            .map_err(|err| explain_error(&err, &args, &options))?;
        report(&sent, data.len(), &args);
    }
    match refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} line(s) of stdin were refused; the others were sent"
        ))),
    }
}

/// Port 0 on every interface of `to`'s family: Python's unbound socket.
fn any_port(to: SocketAddr) -> SocketAddr {
    let any: IpAddr = if to.is_ipv6() {
        Ipv6Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::UNSPECIFIED.into()
    };
    SocketAddr::new(any, 0)
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &Args, local: SocketAddr) -> Narrator {
    let family = if args.to.is_ipv6() { "AF_INET6" } else { "AF_INET" };
    let mut create =
        format!("udp_socket = socket.socket(socket.{family}, socket.SOCK_DGRAM)");
    if args.bind.is_some() {
        create += &format!("; udp_socket.bind({})", addr_repr(&local));
    }
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("create", create)
        .with("local", local)
        .with("to", addr_repr(&args.to))
        .with("bufsize", args.buffer.bufsize)
        .with("timeout", args.timeout.as_secs_f64())
}

/// An error of the steps, in the student's terms.
fn explain_error(err: &std::io::Error, args: &Args, options: &Options) -> Error {
    // Step 1 creates and binds the socket: its errors are about the local address.
    if options.say.last_step() <= 1 {
        return Error::io("bind", options.local, err);
    }
    if args.wait_reply && net::is_timeout(err) {
        return Error::new(format!(
            "the datagram was sent, but no reply came from {} within {:?}",
            args.to, args.timeout
        ))
        .hint(
            "is a receiver with --reply or --echo running there? UDP itself never says",
        );
    }
    Error::io("send to", args.to, err)
}

/// How many bytes went where, from which local port, and the reply if any.
fn report(sent: &Sent, len: usize, args: &Args) {
    let chosen_by =
        if args.bind.is_some() { "fixed by --bind" } else { "chosen by the OS" };
    let bytes = if len == 1 { "byte" } else { "bytes" };
    common::errln!(
        "sent {len} {bytes} to {} from local port {} ({chosen_by})",
        args.to,
        sent.local.port()
    );
    if let Some((datagram, buf)) = &sent.reply {
        let text =
            args.common.encoding.decode_or_warn(&buf[..datagram.len], datagram.from);
        common::outln!("{}: {text}", datagram.from);
    }
}
