//! The command line of `udp-receiver`.

use std::net::SocketAddr;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// Receive UDP datagrams — lesson "udp接收数据" (seed 000), `rece_main` (seed
/// 003), and the UDP servers of seeds 001 and 004 (with --reply).
///
/// Binds a local address and prints `SENDER: TEXT` for each datagram, until
/// Ctrl+C or --count. Binding a port that is already in use fails: that is the
/// second half of the seed's "port binding" lesson.
#[derive(Debug, Parser)]
#[command(name = "udp-receiver", version)]
pub struct Args {
    /// The local address to bind (`:8080` means every interface, Python's '').
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// Stop after N datagrams (default: run until Ctrl+C).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Print each datagram exactly as Python's print(udp_socket.recvfrom(1024)).
    #[arg(long)]
    pub python_repr: bool,

    /// Answer every datagram with TEXT (seed 001 replies "hi", seed 004 "success").
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
