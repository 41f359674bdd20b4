//! The command line of `time-client`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// Ask a UDP time server for the time — lesson "时间服务器client" (seed 001).
///
/// Each FORMAT (a strftime format such as `%Y-%m-%d` or `%H:%M:%S`; an empty
/// one asks for the server's default `%Y-%m-%d %X`) is sent as one datagram,
/// and the answer is printed on stdout. With no FORMAT, each line of stdin is
/// sent, after the seed's prompt. Start the server first (`time-server`, or
/// `python3 time_server.py`).
#[derive(Debug, Parser)]
#[command(name = "time-client", version)]
pub struct Args {
    /// Formats to send, one datagram each (none: each line of stdin).
    pub formats: Vec<String>,

    /// Where to send: the time server's address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000", value_parser = common::cli::addr)]
    pub to: SocketAddr,

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
