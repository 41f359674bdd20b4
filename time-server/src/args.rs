//! The command line of `time-server`.

use std::net::SocketAddr;

use clap::Parser;
use common::cli::{BufferArgs, CommonArgs};

/// A UDP time server — lesson "时间服务器server" of tutorial 001, "网络编程" (cnblogs.com).
///
/// Each datagram is a strftime format (`%Y-%m-%d`, `%H:%M:%S`, `%Y年%m月%d日`);
/// the answer is the local time in that format, or `error: …` when the format
/// cannot be used. An empty datagram gets the tutorial's default `%Y-%m-%d %X`.
/// The local time zone comes from `TZ` (e.g. `TZ=Asia/Shanghai`) or
/// /etc/localtime, or from --tz. Each request is logged on stdout as `===> FORMAT from ADDR`.
/// Python twin: `python3 time-server/python/time_server.py`.
///
/// Example, from the workspace folder: `cargo run -p time-server`, then
/// `cargo run -p time-server --bin time-client -- %H:%M:%S` in another terminal.
#[derive(Debug, Parser)]
#[command(name = "time-server", version)]
pub struct Args {
    /// The local address to bind (`:9000` means every interface, Python's '').
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// Stop after answering N requests (default: run until Ctrl+C).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Do not set SO_REUSEADDR before bind. With it (the tutorial's choice), Linux
    /// lets a second UDP server bind the same port, and only the newest one
    /// receives; without it the second server fails with "address in use".
    #[arg(long)]
    pub no_reuseaddr: bool,

    /// Answer in this time zone instead of the local one (`TZ` or
    /// /etc/localtime): an IANA name such as Asia/Shanghai or UTC. Handy where
    /// setting TZ is awkward (Windows' cmd.exe); Python has only TZ.
    #[arg(long, value_name = "ZONE", value_parser = crate::strftime::Clock::named)]
    pub tz: Option<crate::strftime::Clock>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}
