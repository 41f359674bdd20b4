//! The command line of `tcp-server`.

use std::time::Duration;

use clap::{Parser, ValueEnum};
use common::Endpoint;
use common::cli::{BufferArgs, CommonArgs};

/// A TCP server — lessons "TCP服务端" and "TCP服务端为多个客户端服务" of
/// tutorial 000, "Python socket编程" (kancloud.cn); the server and SO_REUSEADDR of
/// tutorial 001, "网络编程" (cnblogs.com); the API of tutorial 002, notes on the socket API (untitled);
/// `tcp_recv_server` and `tcp_send_server` of
/// tutorial 003, "Python使用套接字(socket)实现UDP与TCP通信"; example 1 of tutorial 004, "4.Python网络编程Socket".
///
/// Listens on --bind and serves clients one after another (the lesson): for each
/// client it answers every recv until the client closes. By default the answer
/// is the same bytes back (an echo server); --reply answers with fixed text.
/// `connected: ADDR`, `ADDR: TEXT` and `closed: ADDR` go to stdout; progress and
/// `listening on ADDR` go to stderr.
///
/// Example, from the workspace folder: `cargo run -p tcp-server -- --mode threads`,
/// then `cargo run -p tcp-client -- hello` in another terminal.
#[derive(Debug, Parser)]
#[command(name = "tcp-server", version)]
pub struct Args {
    /// The local address to bind (`:8898` means every interface, Python's ''),
    /// or unix:PATH for an AF_UNIX socket file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8898", value_parser = common::cli::endpoint)]
    pub bind: Endpoint,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// How to serve several clients: one after another (the lesson), a thread
    /// each, tutorial 002's setblocking(False) in one thread, or one thread
    /// that the kernel wakes when a socket is ready (select/poll/epoll). The
    /// modes for many clients first raise this process's open-file limit
    /// (RLIMIT_NOFILE) to the hard limit: every client is an open socket.
    #[arg(long, value_enum, default_value_t = Mode::Sequential)]
    pub mode: Mode,

    /// Serve one client, then exit (tutorials 001 and 003).
    #[arg(long)]
    pub once: bool,

    /// Answer every recv with TEXT instead of the same bytes (001: hi, 004: success).
    #[arg(long, value_name = "TEXT")]
    pub reply: Option<String>,

    /// Send TEXT to each client as soon as it is accepted (003 tcp_send_server).
    #[arg(long, value_name = "TEXT")]
    pub greeting: Option<String>,

    /// Do not set SO_REUSEADDR: a quick restart then fails with "Address already
    /// in use" while the last connections sit in TIME_WAIT (tutorial 001's lesson).
    #[arg(long)]
    pub no_reuseaddr: bool,

    /// listen(N): how many connected clients may wait for accept.
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(i32).range(0..=65535))]
    pub backlog: i32,

    /// With --mode threads, nonblocking or poll: serve at most N clients at once and
    /// politely refuse the others.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_clients: Option<u64>,

    /// Close a client that sends nothing for SECS (default: wait for ever, as
    /// Python does). Useful in sequential mode, where a silent client blocks the others.
    #[arg(long, value_name = "SECS", value_parser = common::cli::seconds)]
    pub idle_timeout: Option<Duration>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}

/// How the server serves several clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// One client after another (tutorial 000): the next one waits in the backlog.
    Sequential,
    /// A thread for each client: all are served at once.
    Threads,
    /// One thread, non-blocking sockets polled in turn (tutorial 002 setblocking(False)).
    Nonblocking,
    /// One thread that sleeps until the kernel says which sockets are ready
    /// (epoll, kqueue: Python's selectors module).
    Poll,
}

impl Mode {
    /// Whether this mode serves many clients at once (and so needs many sockets).
    pub fn serves_many(self) -> bool {
        self != Mode::Sequential
    }
}

impl Args {
    /// Checks the combinations clap cannot, as usage errors (exit status 2).
    pub fn checked(self) -> Args {
        if self.max_clients.is_some() && self.mode == Mode::Sequential {
            let mut command = <Args as clap::CommandFactory>::command();
            command
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "--max-clients needs --mode threads, nonblocking or poll \
                     (in sequential mode there is only ever one client)",
                )
                .exit();
        }
        self
    }
}
