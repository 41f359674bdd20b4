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
mod narration;
#[cfg_attr(feature = "exercise", path = "../exercise/steps.rs")]
mod steps;

use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::{Error, Result, net, pyrepr};

use args::Args;

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    // Encode the --reply text once, before anything is bound: an unencodable
    // reply is refused at start, not at the first datagram.
    let reply = args
        .reply
        .as_deref()
        .map(|text| args.common.encoding.encode(text))
        .transpose()?;
    let answer_shown = match (&reply, args.echo) {
        (Some(reply), _) => pyrepr::bytes_repr(reply),
        (None, true) => "data".to_string(),
        (None, false) => String::new(),
    };
    let family = if args.bind.is_ipv6() { "socket.AF_INET6" } else { "socket.AF_INET" };
    let say = Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("family", family)
        .with("local", pyrepr::addr_repr(&args.bind))
        .with("bufsize", args.buffer.bufsize)
        .with("encoding", args.common.encoding.name())
        .with("answer", answer_shown);
    let options = steps::Options {
        bufsize: args.buffer.bufsize,
        count: args.count.unwrap_or(u64::MAX),
        say,
    };
    steps::receive(args.bind, &options, &mut |datagram, data| {
        print_datagram(data, datagram, &args);
        answer(data, reply.as_deref(), args.echo)
    })
    .map_err(|err| receive_error(&err, options.say.last_step(), &args))
}

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

/// An error of the steps, in the student's terms. The port-binding lesson:
/// one port can be bound by one socket at a time.
fn receive_error(err: &std::io::Error, step: usize, args: &Args) -> Error {
    let local = args.bind;
    let doing = match step {
        1 => "create a UDP socket for",
        2 => "bind",
        _ => "receive on",
    };
    if err.kind() == std::io::ErrorKind::AddrInUse {
        return Error::io(doing, local, err).hint(
            "another socket is bound to this port (another udp-receiver or udp_receiver.py?): \
             stop it, or choose another port with --bind 127.0.0.1:PORT",
        );
    }
    Error::io(doing, local, err)
}
