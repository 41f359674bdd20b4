//! The command line of `udp-receiver`.

use std::net::SocketAddr;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// Receive UDP datagrams — lesson "udp接收数据" of tutorial 000, "Python socket编程" (kancloud.cn),
/// `rece_main` of tutorial 003, "Python使用套接字(socket)实现UDP与TCP通信", and the UDP servers of
/// tutorial 001, "网络编程" (cnblogs.com), and tutorial 004, "4.Python网络编程Socket" (with --reply).
///
/// Binds a local address and prints `SENDER: TEXT` for each datagram, until
/// Ctrl+C or --count. Binding a port that is already in use fails: that is the
/// second half of tutorial 000's "port binding" lesson.
///
/// Example, from the workspace folder: `cargo run -p udp-receiver -- --explain`,
/// then `cargo run -p udp-sender -- nihao` in another terminal.
#[derive(Debug, Parser)]
#[command(name = "udp-receiver", version)]
pub struct Args {
    /// The local address to bind (`:8080` means every interface, Python's '').
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// Stop after N datagrams (default: run until Ctrl+C).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Print each datagram exactly as Python's print(udp_socket.recvfrom(1024)).
    #[arg(long)]
    pub python_repr: bool,

    /// Answer every datagram with TEXT (tutorial 001 replies "hi", tutorial 004 "success").
    #[arg(long, value_name = "TEXT", conflicts_with = "echo")]
    pub reply: Option<String>,

    /// Send every datagram back to its sender, unchanged.
    #[arg(long)]
    pub echo: bool,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}
