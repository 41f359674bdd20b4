//! tcp-server — lessons "TCP服务端" and "TCP服务端为多个客户端服务" (tutorial 000),
//! tutorial 001's server with SO_REUSEADDR, tutorial 003's `tcp_recv_server` and
//! `tcp_send_server`, tutorial 004's example 1: create, SO_REUSEADDR, bind,
//! listen, accept, recv/send, close the client, close the server.
//!
//! The lesson is `steps.rs`, beside its Python twin `python/tcp_server.py`;
//! each other `--mode` has its steps region beside its own twin: `threads.rs`
//! (`tcp_server_threads.py`), `nonblocking.rs` (`tcp_server_nonblocking.py`),
//! `poll.rs` (`tcp_server_selectors.py`). This file is the tool around them:
//! arguments, the `--explain` narrator, errors with hints; `service.rs` prints
//! and answers for every mode, `endpoint.rs` adds AF_UNIX (`--bind unix:PATH`).
//! Two terminals:
//!
//! ```text
//! cargo run -p tcp-server                          # 1: listens on 127.0.0.1:8898
//! cargo run -p tcp-client -- hello 数据              # 2: prints hello, then 数据
//! cargo run -p tcp-server -- --reply success       # answer like tutorial 004's server
//! cargo run -p tcp-server -- --mode threads        # many clients at once
//! cargo run -p tcp-server -- --mode poll           # thousands, one thread
//! ```

mod args;
mod endpoint;
mod narration;
mod nonblocking;
mod poll;
mod service;
#[cfg_attr(feature = "exercise", path = "../exercise/steps.rs")]
mod steps;
mod threads;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::{Endpoint, Error, Result, net, pyrepr};

use args::{Args, Mode};
use service::Service;
use steps::Options;

fn main() -> ExitCode {
    // A closed stdout (`tcp-server | head -3`) stops the log, not the server.
    common::out::keep_serving_when_stdout_closes();
    common::exit_with(run(Args::parse().checked()))
}

fn run(args: Args) -> Result<()> {
    // Each text is encoded once, here: one the encoding cannot represent is
    // refused before anything is bound.
    let service = Service::new(&args)?;
    let greeting = args.greeting.as_deref().map(|g| args.common.encoding.encode(g));
    // SO_REUSEADDR only for IP, and only on Unix: on Windows it would let
    // another program take a port in use.
    let inet = matches!(args.bind, Endpoint::Inet(_));
    let opt = Options {
        reuse_address: inet && !args.no_reuseaddr && cfg!(unix),
        backlog: args.backlog,
        bufsize: args.buffer.bufsize,
        greeting: greeting.transpose()?,
        once: args.once,
        say: narrator(&args, inet),
    };
    match args.mode {
        Mode::Sequential => steps::serve_forever(&args.bind, &opt, &service),
        Mode::Threads => threads::serve_forever(&args.bind, &opt, &service),
        Mode::Nonblocking => nonblocking::serve_forever(&args.bind, &opt, &service),
        Mode::Poll => poll::serve_forever(&args.bind, &opt, &service),
    }
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &Args, inet: bool) -> Narrator {
    let (reuse, reuse_rust) = if !inet {
        ("no SO_REUSEADDR: an AF_UNIX socket has no TIME_WAIT", "skipped")
    } else if args.no_reuseaddr || !cfg!(unix) {
        ("skipped: no SO_REUSEADDR (--no-reuseaddr, or Windows)", "skipped")
    } else {
        ("setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)", "Socket::set_reuse_address(true)")
    };
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("create", net::python_stream_socket_call(&args.bind))
        .with("reuse", reuse)
        .with("reuse_rust", reuse_rust)
        .with("local", pyrepr::endpoint_repr(&args.bind))
        .with("backlog", args.backlog)
        .with("call", format!("recv({})", args.buffer.bufsize))
        .with("rust_call", "Read::read")
}

/// An error of steps 1 to 4, in the student's terms: which step failed, on
/// which address, and what to do.
pub fn open_error(
    err: &std::io::Error,
    step: usize,
    local: &Endpoint,
    no_reuseaddr: bool,
) -> Error {
    let doing = match step {
        1 => "create a socket for",
        2 => "set SO_REUSEADDR on",
        3 => "bind",
        _ => "listen on",
    };
    let err = Error::io(doing, local, err);
    if step == 3 { restart_hint(err, local, no_reuseaddr) } else { err }
}

/// Tutorial 001's lesson: without SO_REUSEADDR a restart fails while the
/// port's last connections are closing. The kernel's socket table tells that
/// apart from another server listening there.
fn restart_hint(err: Error, local: &Endpoint, no_reuseaddr: bool) -> Error {
    if err.kind() != Some(ErrorKind::AddrInUse) {
        return err;
    }
    if let Endpoint::Unix(path) = local {
        // SocketFile::prepare found the path free: something created it since.
        return err.hint(format!(
            "another program created {} just now: choose another path for unix:PATH",
            path.display()
        ));
    }
    if let Endpoint::Inet(addr) = local
        && let Some(hint) =
            common::error::tcp_port_in_use_hint(addr.port(), !no_reuseaddr)
    {
        return err.hint(hint);
    }
    if no_reuseaddr {
        err.hint(
            "without SO_REUSEADDR the port stays taken while the last connections are in \
             TIME-WAIT (the four-way close, up to a minute): wait, or drop --no-reuseaddr",
        )
    } else {
        err.hint(
            "another server is listening there (another tcp-server or tcp_server.py?): \
             stop it, or choose another port with --bind 127.0.0.1:PORT",
        )
    }
}
