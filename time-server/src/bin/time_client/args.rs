//! The command line of `time-client`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// Ask a UDP time server for the time — lesson "时间服务器client" of
/// tutorial 001, "网络编程" (cnblogs.com).
///
/// Each FORMAT (a strftime format such as `%Y-%m-%d` or `%H:%M:%S`; an empty
/// one asks for the server's default `%Y-%m-%d %X`) is sent as one datagram,
/// and the answer is printed on stdout. With no FORMAT, each line of stdin is
/// sent, after the tutorial's prompt. Start the server first
/// (`cargo run -p time-server`, or `python3 time-server/python/time_server.py`).
///
/// Example, from the workspace folder:
/// `cargo run -p time-server --bin time-client -- %Y-%m-%d '%Y年%m月%d日'`.
#[derive(Debug, Parser)]
#[command(name = "time-client", version)]
pub struct Args {
    /// Formats to send, one datagram each (none: each line of stdin).
    pub formats: Vec<String>,

    /// Where to send: the time server's address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000", value_parser = common::cli::addr)]
    pub to: SocketAddr,

    /// There is no --port: the port is part of --to's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--to"))]
    pub _port: Option<u16>,

    /// How long to wait for each answer, in seconds (Python's settimeout).
    /// UDP never says that nobody is listening: without an answer in time the
    /// client gives up with exit status 1.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = common::cli::seconds)]
    pub timeout: Duration,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}
