//! tcp-client — lesson "TCP客户端" (tutorial 000), `tcp_send_client` and
//! `tcp_recv_client` (tutorial 003), example 2 of tutorial 004: create,
//! connect, send, recv, close.
//!
//! The lesson is `steps.rs`, beside its Python twin `python/tcp_client.py`;
//! this file is the tool around it: arguments, the `--explain` values, and
//! errors with hints (`terminal.rs` reads the messages and prints the
//! replies). Two terminals:
//!
//! ```text
//! cargo run -p tcp-server                         # 1: listens on 127.0.0.1:8898
//! cargo run -p tcp-client -- hello 数据             # 2: prints hello, then 数据
//! cargo run -p tcp-client                         # 2: type lines; each is sent
//! cargo run -p tcp-client -- --encoding gbk 数据    # as the tutorial does on Windows
//! ```
//!
//! `--send-only` and `--recv-only` are tutorial 003's two clients; `--explain`
//! narrates the steps; `--to unix:PATH` talks to `tcp-server --bind unix:PATH`.

mod args;
mod narration;
#[cfg_attr(feature = "exercise", path = "../exercise/steps.rs")]
mod steps;
mod terminal;

use std::io::{self, ErrorKind};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::explain::Narrator;
use common::{Endpoint, Error, Result, net, pyrepr};

use args::Args;
use steps::Options;
use terminal::Terminal;

/// How long to wait for the server's FIN after ours, without --timeout.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let codec = args.common.encoding;
    let from_args =
        args.messages.iter().map(|m| codec.encode(m)).collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        bufsize: args.buffer.bufsize,
        replies: !args.send_only,
        timeout: args.timeout,
        // --recv-only waits for the server as long as Python would; after
        // messages, a server that never closes is given CLOSE_WAIT.
        close_wait: if args.recv_only {
            args.timeout
        } else {
            Some(args.timeout.unwrap_or(CLOSE_WAIT))
        },
        say: narrator(&args),
    };
    let mut terminal = Terminal::new(&args, from_args);
    if let Err(err) = steps::talk(&args.to, &options, &mut terminal) {
        let step = options.say.last_step();
        // After our FIN everything was answered: a late or rude close is no error.
        if step != 5 || args.recv_only || !closing_anyway(&err, &args, &options) {
            return Err(explain_error(&err, step, &args));
        }
    }
    terminal.finish();
    match terminal.refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} line(s) of stdin were refused; the others were sent"
        ))),
    }
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &Args) -> Narrator {
    let connect = if args.timeout.is_some() {
        "Socket::connect_timeout"
    } else {
        "Socket::connect"
    };
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("create", net::python_stream_socket_call(&args.to))
        .with("to", pyrepr::endpoint_repr(&args.to))
        .with("connect", connect)
        .with("bufsize", args.buffer.bufsize)
        .with("timeout", args.timeout.map_or(0.0, |t| t.as_secs_f64()))
}

/// After our FIN (step 5), a server that does not close in time, or resets
/// the connection, ends the conversation without an error: say so and go on.
fn closing_anyway(err: &io::Error, args: &Args, options: &Options) -> bool {
    if net::is_timeout(err) {
        common::warn(format_args!(
            "{} did not close within {}s after we did; closing anyway",
            args.to,
            options.close_wait.map_or(0.0, |t| t.as_secs_f64())
        ));
        return true;
    }
    matches!(err.kind(), ErrorKind::ConnectionReset | ErrorKind::NotConnected)
}

/// An error of step `step`, in the student's terms.
fn explain_error(err: &io::Error, step: usize, args: &Args) -> Error {
    let to = &args.to;
    let secs = args.timeout.map_or(0.0, |t| t.as_secs_f64());
    match step {
        1 => Error::io("create a socket for", to, err),
        2 => connect_error(err, to, secs),
        3 => Error::io("send to", to, err),
        _ if net::is_timeout(err) => Error::new(format!(
            "no reply from {to} within {secs}s"
        ))
        .hint(
            "is the server busy with another client? A sequential server serves one \
                 at a time; a longer --timeout waits more",
        ),
        4 if err.kind() == ErrorKind::UnexpectedEof => Error::new(format!(
            "{to} closed the connection"
        ))
        .hint("the server stopped, or served one message only (like tutorial 004's)"),
        _ => Error::io("receive from", to, err),
    }
}

/// Refused and timed out are different answers: nobody listens, or nobody answers.
fn connect_error(err: &io::Error, to: &Endpoint, secs: f64) -> Error {
    match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::NotFound => {
            Error::io("connect to", to, err).hint(format!(
                "nothing is listening on {to}: start the server first \
                 (tcp-server --bind {to}, or python3 tcp-server/python/tcp_server.py), or check the address"
            ))
        }
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Error::io("connect to", to, err)
            .hint(format!(
                "no answer from {to} within {secs}s: is the address right? A server whose \
                 listen backlog is full does not answer either; a longer --timeout waits more"
            )),
        _ => Error::io("connect to", to, err),
    }
}
