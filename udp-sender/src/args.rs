//! The command line of `udp-sender`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// Send UDP datagrams — lesson "udp发送数据" of tutorial 000, "Python socket编程" (kancloud.cn),
/// and `send_main` of tutorial 003, "Python使用套接字(socket)实现UDP与TCP通信".
///
/// Each MESSAGE is sent as one datagram; with no MESSAGE, each line of stdin
/// is. Start a receiver first (`cargo run -p udp-receiver`, or
/// `python3 udp-receiver/python/udp_receiver.py`): UDP sends without a
/// connection, so nothing tells the sender whether anyone was listening.
///
/// Example, from the workspace folder: `cargo run -p udp-sender -- nihao 数据`.
#[derive(Debug, Parser)]
#[command(name = "udp-sender", version)]
pub struct Args {
    /// Messages to send, one datagram each (none: each line of stdin).
    pub messages: Vec<String>,

    /// Where to send: the receiver's address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = common::cli::addr)]
    pub to: SocketAddr,

    /// There is no --port: the port is part of --to's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--to"))]
    pub _port: Option<u16>,

    /// Bind this local address first, instead of letting the OS pick a port
    /// (the "port binding" lesson).
    #[arg(long, value_name = "ADDR", value_parser = common::cli::addr)]
    pub bind: Option<SocketAddr>,

    /// After each send, wait for one reply and print it (the UDP clients of
    /// tutorials 001 and 004).
    #[arg(long)]
    pub wait_reply: bool,

    /// How long --wait-reply waits, in seconds (Python's settimeout).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = common::cli::seconds)]
    pub timeout: Duration,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}
