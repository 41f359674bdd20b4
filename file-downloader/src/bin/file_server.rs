//! file-server — lesson "文件下载器" (tutorial 000), the server: accept
//! clients, receive a file name, send the file, close.
//!
//! The lesson is `src/steps/file_server.rs`, beside its Python twin
//! `python/file_server.py`; this file is the tool's entry: the command line,
//! and the values `--explain` shows. Two terminals:
//!
//! ```text
//! cargo run -p file-downloader --bin file-server -- --root DIR   # 1: serves DIR on 127.0.0.1:7890
//! cargo run -p file-downloader -- hello.txt                      # 2: saves ./hello.txt
//! python3 file-downloader/python/file_downloader.py              # or the Python client
//! ```
//!
//! It speaks both protocols (classic: the bare name; framed: `GET NAME\n`),
//! serves each client in its own thread, and refuses (and logs) every name
//! that is not a regular file inside `--root` (`src/root.rs`). No client can
//! hold it: `--max-clients` and the deadlines of `src/server.rs`.

use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches};
use common::explain::Narrator;
use common::pyrepr::addr_repr;
use common::{Result, net};
use file_downloader::args::{Limits, ServerArgs};
use file_downloader::narration::file_server as narration;
use file_downloader::root::Root;
use file_downloader::steps::file_server::{self as steps, Options};
use socket2::Type;

fn main() -> ExitCode {
    // The limits join ServerArgs' options on one command line.
    let matches = Limits::augment_args(ServerArgs::command()).get_matches();
    let parsed = ServerArgs::from_arg_matches(&matches)
        .and_then(|args| Ok((args, Limits::from_arg_matches(&matches)?)));
    match parsed {
        Ok((args, limits)) => common::exit_with(run(args, limits)),
        Err(err) => err.exit(),
    }
}

fn run(args: ServerArgs, limits: Limits) -> Result<()> {
    let options = Options {
        root: Root::new(&args.root)?,
        encoding: args.common.encoding,
        count: args.count,
        limits,
        say: narrator(&args),
    };
    steps::serve(args.bind, &options)
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &ServerArgs) -> Narrator {
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with(
            "socket",
            format!("socket.{}", net::python_socket_call(&args.bind, Type::STREAM)),
        )
        .with("local", addr_repr(&args.bind))
        .with("encoding", args.common.encoding.name())
}
