//! file-downloader — lesson "文件下载器" (tutorial 000), the client: connect to
//! a file server, send the name of a file, save what arrives.
//!
//! The lesson is `src/steps/file_downloader.rs`, beside its Python twin
//! `python/file_downloader.py`; this file is the tool's entry: the command
//! line, the name (given, or read from stdin like the tutorial's `input()`),
//! the report, and errors with hints. Two terminals:
//!
//! ```text
//! cargo run -p file-downloader --bin file-server -- --root DIR   # 1: serves DIR on 127.0.0.1:7890
//! cargo run -p file-downloader -- hello.txt                      # 2: saves ./hello.txt
//! cargo run -p file-downloader -- --classic -o classic.txt hello.txt   # also against file_server.py
//! ```
//!
//! The file is written to `hello.txt.part` and renamed only once it is whole;
//! Ctrl+C (or SIGTERM, SIGHUP, SIGQUIT) removes the `.part`. `--explain`
//! narrates the eight steps of the lesson.

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::pyrepr::addr_repr;
use common::{Error, IoResultExt, Result, net};
use file_downloader::args::DownloaderArgs;
use file_downloader::narration::file_downloader as narration;
use file_downloader::part::Saved;
use file_downloader::protocol::Extra;
use file_downloader::steps::file_downloader::{self as steps, Options};
use file_downloader::wanted::Wanted;
use socket2::Type;

fn main() -> ExitCode {
    file_downloader::part::remove_part_on_signals();
    common::exit_with(run(DownloaderArgs::parse()))
}

fn run(args: DownloaderArgs) -> Result<()> {
    // A name on the command line is resolved before connecting: a mistake in
    // it, or in --output, costs no connection.
    let mut given =
        args.name.as_deref().map(|name| Wanted::resolve(name, &args)).transpose()?;
    let options = Options {
        classic: args.classic,
        bufsize: args.bufsize,
        timeout: args.timeout,
        say: narrator(&args),
    };
    // Step 4: the name given, or — like the tutorial's input() — a line of stdin.
    let mut ask = || match given.take() {
        Some(wanted) => Ok(wanted),
        None => Wanted::resolve(&read_name()?, &args),
    };
    let saved = steps::download(args.from, &options, &mut ask)
        .map_err(|err| explain_error(err, options.say.last_step(), args.from))?;
    report(&saved);
    Ok(())
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &DownloaderArgs) -> Narrator {
    let socket = net::python_socket_call(&args.from, Type::STREAM);
    let asked = if args.name.is_some() {
        "the NAME argument"
    } else {
        "a line of stdin (file to download: )"
    };
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("socket", format!("socket.{socket}"))
        .with("from", addr_repr(&args.from))
        .with("asked", asked)
        .with("bufsize", args.bufsize)
}

/// Like the tutorial's `input('file to download: ')`: the prompt on stderr,
/// a line of stdin.
fn read_name() -> Result<String> {
    common::err!("file to download: ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .during("read the file name from", "stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// `saved N bytes of "NAME" to PATH`, and bytes the server sent past the
/// SIZE it announced: not saved, but said, so that a server that miscounts
/// does not go unnoticed.
fn report(saved: &Saved) {
    let size = saved.received;
    match saved.extra {
        Extra::None => {}
        Extra::Closed(extra) => common::warn(format_args!(
            "the server sent {} more than the {size} it announced; they were not saved",
            file_downloader::bytes(extra)
        )),
        Extra::AtLeast(extra) => common::warn(format_args!(
            "the server sent at least {} more than the {size} it announced; they \
             were not saved",
            file_downloader::bytes(extra)
        )),
    }
    common::outln!(
        "saved {} of {:?} to {}",
        file_downloader::bytes(size),
        saved.name,
        saved.path.display()
    );
}

/// An error of the steps, in the student's terms: a connection refused at
/// step 3 means nothing listens there.
fn explain_error(err: Error, step: usize, from: SocketAddr) -> Error {
    if step == 3 && err.kind() == Some(std::io::ErrorKind::ConnectionRefused) {
        return err.hint(format!(
            "nothing is listening on {from}: start file-server (or python3 \
             file_server.py) first, or check the port"
        ));
    }
    err
}
