//! time-server — lesson "时间服务器server" (tutorial 001): a UDP server that answers
//! each datagram with the local time, formatted with the strftime format the
//! datagram holds (an empty datagram gets `%Y-%m-%d %X`).
//!
//! The lesson is `steps/server.rs`, beside its Python twin
//! `python/time_server.py`; this file is the tool around it: arguments, the
//! time zone, the loop over requests, and errors with hints. Two terminals:
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

use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::{Error, IoResultExt, Result, net, pyrepr};
use socket2::Type;
// `strftime` is named here too: args.rs finds `--tz`'s parser through it.
use time_server::{
    log, narration::server as narration, steps::server as steps, strftime,
};

use args::Args;
use strftime::Clock;

fn main() -> ExitCode {
    // A closed stdout (`time-server | head -1`) stops the log, not the server.
    common::out::keep_serving_when_stdout_closes();
    common::exit_with(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let local = args.bind;
    let options = steps::Options {
        // On Windows SO_REUSEADDR would let another program take the port in
        // use, so (like Rust's std) it is set only on Unix.
        reuse_address: !args.no_reuseaddr && cfg!(unix),
        bufsize: args.buffer.bufsize,
        codec: args.common.encoding,
        // The local time zone (TZ, else /etc/localtime), found once like
        // Python does; or the one --tz names.
        clock: args.tz.clone().unwrap_or_else(Clock::local),
        say: narrator(&args),
    };
    let udp_server =
        steps::open(local, &options).map_err(|err| Error::io("bind", local, &err))?;
    common::announce_listening(
        udp_server.local_addr().during("read the address of", local)?,
    );
    common::errln!("time zone: {}", options.clock.describe());
    // Into a pipe or a file the log is batched; with --explain it stays line
    // by line, in order with the narration on stderr.
    if !options.say.is_enabled() {
        log::start(&udp_server).during("set up the log of", local)?;
    }

    let mut buf = Vec::new();
    let mut served = 0;
    while args.count.is_none_or(|count| served < count) {
        let answered = steps::answer(&udp_server, &mut buf, &options)
            .during("receive on", local)?;
        served += 1;
        // A client that has gone away must not stop the server.
        if let Err(err) = answered.sent {
            common::warn(format_args!(
                "cannot answer {}: {err}",
                answered.request.from
            ));
        }
    }
    // optional: close (关闭服务器套接字(可选)) — udp_server.close(); reached
    // only with --count, as the tutorial's loop never ends
    options.say.note("close");
    drop(udp_server);
    Ok(())
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &Args) -> Narrator {
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("socket", net::python_socket_call(&args.bind, Type::DGRAM))
        .with("local", pyrepr::addr_repr(&args.bind))
        .with("bufsize", args.buffer.bufsize)
}
