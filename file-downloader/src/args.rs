//! The command lines of `file-downloader` and `file-server`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser};
use common::cli::CommonArgs;

/// Download a file over TCP — lesson "文件下载器" of tutorial 000, "Python socket编程" (kancloud.cn),
/// the client.
///
/// Connects to a file server (`file-server`, or with --classic the Python
/// twin `file-downloader/python/file_server.py`), asks for NAME and saves what
/// arrives. The file is written as OUTPUT.part and renamed to OUTPUT only
/// once it is whole; on any failure, Ctrl+C, SIGTERM, SIGHUP or SIGQUIT
/// nothing is left behind. Without NAME it is asked for on stdin, like the
/// lesson's input().
///
/// Example, from the workspace folder, with a file server running:
/// `cargo run -p file-downloader -- hello.txt`.
#[derive(Debug, Parser)]
#[command(name = "file-downloader", version)]
pub struct DownloaderArgs {
    /// The file to download, as the server names it (relative to its --root).
    pub name: Option<String>,

    /// The server's address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7890", value_parser = common::cli::addr)]
    pub from: SocketAddr,

    /// There is no --port: the port is part of --from's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--from"))]
    pub _port: Option<u16>,

    /// Where to save the file (default: the last part of NAME, in the current
    /// directory; an existing directory: inside it).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Speak the classic protocol of the Python listing: send the bare name,
    /// save everything until the server closes. The classic protocol cannot
    /// tell an empty file from a missing one, nor a cut transfer from a whole
    /// one; the default (framed) protocol can.
    #[arg(long)]
    pub classic: bool,

    /// Replace an existing output file (and a leftover OUTPUT.part). Names are
    /// replaced, never written through: a symbolic or hard link there is
    /// replaced, and the file it leads to is left untouched.
    #[arg(long)]
    pub force: bool,

    /// Give up after SECS without progress: to connect, or between two
    /// pieces of data (Python's settimeout).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = common::cli::seconds)]
    pub timeout: Duration,

    /// Bytes asked for by each recv (the lesson's recv(1024)). The default,
    /// 1 MiB, makes a 1 GiB download about a thousand calls instead of a
    /// million.
    #[arg(long, value_name = "N", default_value = "1048576", value_parser = common::cli::bufsize)]
    pub bufsize: usize,

    /// --encoding and --explain, shared by every lesson.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Serve files over TCP — lesson "文件下载器" of tutorial 000, "Python socket编程" (kancloud.cn),
/// the server.
///
/// Sends the regular files under --root to whoever asks, each client in its
/// own thread. It speaks both protocols: the classic one of the Python
/// listing (a bare name; the bytes; close) and the framed one of
/// `file-downloader` (`GET NAME\n`; `OK SIZE\n` and the bytes, or
/// `ERR REASON\n`). Names that leave the root (absolute, `..`, symbolic links
/// pointing outside), directories, devices and FIFOs are refused and logged.
///
/// Example, from the workspace folder: `cargo run -p file-downloader --bin
/// file-server -- --root .`.
#[derive(Debug, Parser)]
#[command(name = "file-server", version)]
pub struct ServerArgs {
    /// The local address to bind (`:7890` means every interface, Python's '').
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7890", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// The directory whose regular files are served; nothing outside it is.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// Accept N clients, wait until they are served, and exit (default: serve
    /// until Ctrl+C).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// --encoding and --explain, shared by every lesson.
    #[command(flatten)]
    pub common: CommonArgs,
}

// How many and how long: the limits that keep slow and silent clients from
// holding the server, options beside those of `ServerArgs` (file_server.rs
// joins them on one command line). A `//` comment: a doc comment would
// become the program's description in --help.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, Args)]
#[command(next_help_heading = "Limits")]
pub struct Limits {
    /// Serve at most N clients at once. The next one gets `ERR busy` (framed)
    /// or is closed without a byte (classic); the server keeps serving.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_clients: u64,

    /// Close a client whose whole request (up to its newline, or the 0.2 s
    /// pause after a classic name) has not arrived SECS after it connected.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = common::cli::seconds)]
    pub request_timeout: Duration,

    /// End a transfer when the client takes less than 64 KiB of the file
    /// within SECS: it stopped reading, or reads too slowly to finish.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = common::cli::seconds)]
    pub send_timeout: Duration,
}
