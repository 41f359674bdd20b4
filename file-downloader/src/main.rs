//! file-downloader — lesson "文件下载器" (seed 000), the client: connect to a
//! file server, send the name of a file, save what arrives.
//!
//! Python twin: `python/file_downloader.py`. Two terminals:
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

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

use clap::Parser;
use common::{Error, Explain, IoResultExt, Result, net, pyrepr};
use file_downloader::args::DownloaderArgs;
use file_downloader::part::Output;
use file_downloader::progress::Progress;
use file_downloader::protocol::{self, Answer};
use socket2::Type;

fn main() -> ExitCode {
    file_downloader::part::remove_part_on_signals();
    common::exit_with(run(DownloaderArgs::parse()))
}

// ANCHOR: run
fn run(args: DownloaderArgs) -> Result<()> {
    let explain = args.common.explainer(8);
    let from = args.from;
    check_before_connecting(&args)?;

    // 1. create a TCP socket — tcp_socket = socket.socket(AF_INET, SOCK_STREAM)
    explain.step(
        1,
        net::python_socket_call(&from, Type::STREAM),
        "socket2::Socket::new(.., Type::STREAM, ..)",
    );
    let socket =
        net::new_socket(&from, Type::STREAM).during("create a TCP socket for", from)?;

    // 2. the server's address — dest_ip, dest_port = '127.0.0.1', 7890
    explain.step(
        2,
        format!("dest_addr = {}", pyrepr::addr_repr(&from)),
        "--from ADDR, parsed by common::parse_addr",
    );

    // 3. connect to the server — tcp_socket.connect((dest_ip, dest_port))
    explain.step(
        3,
        format!("connect({})", pyrepr::addr_repr(&from)),
        "socket2::Socket::connect_timeout",
    );
    socket
        .connect_timeout(&from.into(), args.timeout)
        .during("connect to", from)
        .map_err(|err| nobody_listening(err, from))?;
    let mut tcp_socket: TcpStream = socket.into();
    // Python's settimeout: a server that stops sending cannot hang us forever.
    tcp_socket.set_read_timeout(Some(args.timeout)).during("set a timeout on", from)?;

    // 4. the name of the file — download_file_name = input('file to download: ')
    explain.step(
        4,
        "input('file to download: ')",
        "the NAME argument (or a line of stdin)",
    );
    let name = file_name(&args)?;
    let wire_name = args.common.encoding.encode(&name)?;
    let output = Output::choose(&name, args.output.as_deref(), args.force)?;

    // 5. send the request — tcp_socket.sendall(download_file_name.encode('utf-8'))
    //    Classic: the bare name. Framed: `GET NAME\n`, so the server knows where
    //    the name ends. write_all is sendall: it loops until every byte is out.
    let request =
        if args.classic { wire_name } else { protocol::framed_request(&wire_name) };
    explain.step(
        5,
        format!("sendall({})", pyrepr::bytes_repr(&request)),
        "TcpStream::write_all",
    );
    tcp_socket.write_all(&request).during("send the request to", from)?;

    // 6. and 7. receive the data; create the file once data has arrived
    let size = if args.classic {
        None
    } else {
        Some(read_answer(&mut tcp_socket, &name, from, &explain)?)
    };
    let received = receive_file(&mut tcp_socket, size, &output, &args, &explain)?;
    // Framed: bytes past SIZE were never announced; not saved, but said.
    if let Some(size) = size {
        warn_about_extra_bytes(&mut tcp_socket, size);
    }
    common::outln!("saved {received} bytes of {name:?} to {}", output.path.display());

    // 8. close the socket — tcp_socket.close()
    explain.step(8, "close()", "drop(tcp_socket)");
    drop(tcp_socket);
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: receive_file
/// Steps 6 and 7: read until SIZE bytes arrived (framed) or the server closes
/// (classic), into `OUTPUT.part`, created at the first byte and renamed to
/// `OUTPUT` only when the file is whole. Any error removes the `.part`.
fn receive_file(
    tcp_socket: &mut TcpStream,
    size: Option<u64>,
    output: &Output,
    args: &DownloaderArgs,
    explain: &Explain,
) -> Result<u64> {
    let mut part = output.part_file();
    let progress = Progress::new(size);
    let mut buf = vec![0u8; args.bufsize];
    let mut received: u64 = 0;
    explain.step(
        6,
        format!("recv_data = tcp_socket.recv({})", args.bufsize),
        "TcpStream::read, in a loop",
    );
    loop {
        // Framed: never ask for more than what is left of SIZE.
        let want = match size {
            Some(size) => (size - received).min(buf.len() as u64) as usize,
            None => buf.len(),
        };
        if want == 0 {
            break;
        }
        // 6. receive the data — recv_data = tcp_socket.recv(1024)
        let n = match tcp_socket.read(&mut buf[..want]) {
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => {
                return Err(Error::io("receive the file from", args.from, &err));
            }
        };
        // read() returning 0 is Python's empty recv(): the server closed.
        if n == 0 {
            break;
        }
        // 7. create the file once data has arrived — with open(name, 'wb') as f
        if !part.is_created() {
            explain.step(
                7,
                format!("open('{}', 'wb'); f.write(recv_data)", output.path.display()),
                format!(
                    "OpenOptions::create_new({:?}), renamed when whole",
                    output.part.display()
                ),
            );
        }
        // Only the first n bytes arrived: &buf[..n], never the whole buffer.
        part.write_all(&buf[..n])?;
        received += n as u64;
        progress.advance(n as u64);
    }
    progress.clear();
    match size {
        Some(size) if received < size => {
            return Err(cut_short(received, size, args.from));
        }
        None if received == 0 => return Err(nothing_arrived(args.from)),
        Some(0) => explain.step(
            7,
            "(an empty file)",
            "OpenOptions::create_new, renamed at once",
        ),
        None => explain.note(
            "classic: the server's close is the only end marker; a cut transfer \
             would look whole",
        ),
        Some(_) => {}
    }
    part.finish()?;
    Ok(received)
}
// ANCHOR_END: receive_file

/// A name that cannot be asked for: empty, or holding a line break or NUL.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::new("no file name given")
            .hint("name the file to download, e.g. file-downloader hello.txt"));
    }
    if name.contains(['\n', '\r', '\0']) {
        return Err(Error::new(format!(
            "{name:?} cannot be asked for: a file name holds no line break and no NUL byte"
        )));
    }
    Ok(())
}

/// A name given on the command line is checked, with its output, before the
/// server hears from us: a mistake costs no connection.
fn check_before_connecting(args: &DownloaderArgs) -> Result<()> {
    if let Some(name) = &args.name {
        check_name(name)?;
        args.common.encoding.encode(name)?;
        Output::choose(name, args.output.as_deref(), args.force)?;
    }
    Ok(())
}

/// The name from the command line, or — like the lesson's `input()` — a line
/// of stdin.
fn file_name(args: &DownloaderArgs) -> Result<String> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => {
            common::err!("file to download: ");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .during("read the file name from", "stdin")?;
            line.trim_end_matches(['\n', '\r']).to_string()
        }
    };
    check_name(&name)?;
    Ok(name)
}

/// Framed: the first line of the answer, `OK SIZE` or `ERR REASON`.
fn read_answer(
    tcp_socket: &mut TcpStream,
    name: &str,
    from: SocketAddr,
    explain: &Explain,
) -> Result<u64> {
    explain.note("framed: the answer starts with a line, OK SIZE or ERR REASON");
    let (line, complete) = match protocol::read_answer_line(tcp_socket) {
        Ok(answer) => answer,
        // A reset before any answer is a close without answering, only ruder.
        Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {
            (Vec::new(), false)
        }
        Err(err) => return Err(Error::io("receive the answer from", from, &err)),
    };
    if line.is_empty() && !complete {
        return Err(Error::new(format!(
            "the server at {from} closed the connection without answering"
        ))
        .hint(
            "a classic server (python3 file_server.py) closes like this when it \
             does not understand GET NAME: retry with --classic",
        ));
    }
    match complete.then(|| protocol::parse_answer(&line)).flatten() {
        Some(Answer::Ok(size)) => {
            explain.note(format!("the server sends {size} bytes"));
            Ok(size)
        }
        Some(Answer::Err(reason)) => {
            // The reason is the peer's text: its control characters are shown
            // escaped, never sent to the terminal.
            let reason = pyrepr::escape_controls(&reason);
            // Only a name that is missing, or not valid text, can come from
            // the two sides using different encodings.
            let hint = if reason.contains("no such file")
                || reason.contains("not valid")
            {
                "names are relative to the server's --root: check the spelling, and \
                 that both sides use the same --encoding"
            } else {
                "the server sends only regular files inside its --root: ask for a \
                 name relative to it, without '..'"
            };
            Err(Error::new(format!("the server refused {name:?}: {reason}")).hint(hint))
        }
        None => Err(Error::new(format!(
            "the server's answer is not \"OK SIZE\" or \"ERR REASON\": {}",
            pyrepr::bytes_repr(&line[..line.len().min(60)])
        ))
        .hint("is it a classic server (python3 file_server.py)? retry with --classic")),
    }
}

/// Framed: the file is whole and saved once SIZE bytes arrived; anything the
/// server sends after them was not announced. It is not saved, but said, so
/// that a server that miscounts does not go unnoticed.
fn warn_about_extra_bytes(tcp_socket: &mut TcpStream, size: u64) {
    match protocol::bytes_after_the_end(tcp_socket) {
        protocol::Extra::None => {}
        protocol::Extra::Closed(extra) => common::warn(format_args!(
            "the server sent {extra} bytes more than the {size} it announced; \
             they were not saved"
        )),
        protocol::Extra::AtLeast(extra) => common::warn(format_args!(
            "the server sent at least {extra} bytes more than the {size} it \
             announced; they were not saved"
        )),
    }
}

fn nobody_listening(err: Error, from: SocketAddr) -> Error {
    if err.kind() == Some(std::io::ErrorKind::ConnectionRefused) {
        err.hint(format!(
            "nothing is listening on {from}: start file-server (or python3 \
             file_server.py) first, or check the port"
        ))
    } else {
        err
    }
}

fn cut_short(received: u64, size: u64, from: SocketAddr) -> Error {
    Error::new(format!(
        "the server at {from} closed the connection after {received} of {size} bytes"
    ))
    .hint("the server stopped or was killed during the transfer; nothing was saved, try again")
}

fn nothing_arrived(from: SocketAddr) -> Error {
    Error::new(format!(
        "nothing arrived: the server at {from} closed the connection without sending a byte"
    ))
    .hint(
        "a classic server says nothing when it cannot send a file (no such file?), and \
         sends nothing for an empty file either; drop --classic with file-server to learn why",
    )
}
