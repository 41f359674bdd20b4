//! The command line of `tcp-client`.

use std::time::Duration;

use clap::Parser;
use common::Endpoint;
use common::cli::{BufferArgs, CommonArgs};

/// A TCP client — lesson "TCP客户端" of tutorial 000, "Python socket编程" (kancloud.cn),
/// `tcp_send_client` and `tcp_recv_client` of tutorial 003, "Python使用套接字(socket)实现UDP与TCP通信",
/// example 2 of tutorial 004, "4.Python网络编程Socket".
///
/// Connects to --to, sends each MESSAGE and prints the reply to each (one
/// recv); with no MESSAGE it does so for each line of stdin until end of file.
/// At the end it closes its sending side and prints whatever else the server
/// sends until the server closes too. Replies go to stdout; progress to stderr.
///
/// Example, from the workspace folder, with `cargo run -p tcp-server` in
/// another terminal: `cargo run -p tcp-client -- hello 数据`.
#[derive(Debug, Parser)]
#[command(name = "tcp-client", version)]
pub struct Args {
    /// Messages to send, one after another (default: each line of stdin).
    #[arg(value_name = "MESSAGE")]
    pub messages: Vec<String>,

    /// The server's address, or unix:PATH for an AF_UNIX socket file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8898", value_parser = common::cli::endpoint)]
    pub to: Endpoint,

    /// There is no --port: the port is part of --to's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--to"))]
    pub _port: Option<u16>,

    /// Send, then close without reading replies (003 tcp_send_client).
    #[arg(long, conflicts_with = "recv_only")]
    pub send_only: bool,

    /// Send nothing; print what the server sends until it closes (003 tcp_recv_client).
    #[arg(long, conflicts_with = "messages")]
    pub recv_only: bool,

    /// Give up on connect, send or recv after SECS (Python's settimeout).
    #[arg(long, value_name = "SECS", value_parser = common::cli::seconds)]
    pub timeout: Option<Duration>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}
