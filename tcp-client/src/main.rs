//! tcp-client — lesson "TCP客户端" (tutorial 000), `tcp_send_client` and
//! `tcp_recv_client` (tutorial 003), example 2 of tutorial 004: create, connect,
//! send, recv, close.
//!
//! Python twin: `python/tcp_client.py`. Two terminals:
//!
//! ```text
//! cargo run -p tcp-server                         # 1: listens on 127.0.0.1:8898
//! cargo run -p tcp-client -- hello 数据             # 2: prints hello, then 数据
//! cargo run -p tcp-client                         # 2: type lines; each is sent
//! cargo run -p tcp-client -- --encoding gbk 数据    # as the tutorial does on Windows
//! ```
//!
//! `--send-only` and `--recv-only` are tutorial 003's two clients; `--explain`
//! narrates the steps; `--to unix:PATH` talks to `tcp-server --bind unix:PATH`.

mod args;

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::encoding::{StreamDecoder, without_line_ending};
use common::{Endpoint, Error, IoResultExt, Result, net, pyrepr};
use socket2::Socket;

use args::Args;

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(5);
    let to = &args.to;
    // Messages on the command line are all checked before anything is sent.
    for message in &args.messages {
        args.common.encoding.encode(message)?;
    }

    // 1. create a TCP socket — tcp_socket = socket.socket(AF_INET, SOCK_STREAM)
    explain.step(1, net::python_stream_socket_call(to), "socket2::Socket::new");
    let tcp_socket = net::new_stream_socket(to).during("create a socket for", to)?;
    if let Some(timeout) = args.timeout {
        // settimeout(t): connect, send and recv give up after t seconds.
        explain.note(format!(
            "tcp_socket.settimeout({})  ->  set_read_timeout / set_write_timeout",
            timeout.as_secs_f64()
        ));
        tcp_socket.set_read_timeout(Some(timeout)).during("set a timeout on", to)?;
        tcp_socket.set_write_timeout(Some(timeout)).during("set a timeout on", to)?;
    }

    // 2. connect to the server — tcp_socket.connect(('127.0.0.1', 8898))
    //    The three-way handshake happens here; refused means nobody listens.
    explain.step(
        2,
        format!("connect({})", pyrepr::endpoint_repr(to)),
        "Socket::connect",
    );
    connect(&tcp_socket, to, args.timeout)?;

    let mut refused = 0;
    let mut replies = StreamDecoder::new(args.common.encoding);
    let mut buf = vec![0u8; args.buffer.bufsize];
    if args.recv_only {
        // We send nothing: say so at once (FIN), then read until the server closes.
        let _ = tcp_socket.shutdown(Shutdown::Write);
        // 4. receive until the server closes — data = tcp_socket.recv(1024)
        explain.step(4, format!("recv({})", buf.len()), "Read::read (until 0)");
        print_until_closed(&tcp_socket, &mut buf, &mut replies, &args)?;
    } else {
        let lines = common::cli::args_or_stdin_lines(
            &args.messages,
            "message (Ctrl+D to end)> ",
        );
        // Empty lines are skipped: sending 0 bytes sends nothing, and the
        // reply would never come.
        for message in lines.filter(|line| !line.is_empty()) {
            // Nothing garbled is sent: a line the encoding cannot write is
            // refused (naming the character), and the next line goes on.
            let Some(data) = args.common.encoding.encode_or_report(&message) else {
                refused += 1;
                continue;
            };

            // 3. send the data — tcp_socket.send(data.encode('utf-8'))
            //    write_all is Python's sendall: send may take only part of it.
            explain.step(
                3,
                format!("sendall({})", short_repr(&data)),
                "Write::write_all",
            );
            (&tcp_socket).write_all(&data).during("send to", to)?;
            if args.send_only {
                continue;
            }

            // 4. receive the reply — data = tcp_socket.recv(1024)
            //    At most 1024 bytes: a longer reply comes in several pieces.
            explain.step(4, format!("recv({})", buf.len()), "Read::read");
            let n = read(&tcp_socket, &mut buf, &args)?;
            if n == 0 {
                // Python's b'': the server closed the connection.
                return Err(Error::new(format!("{to} closed the connection")).hint(
                    "the server stopped, or served one message only (like tutorial 004's)",
                ));
            }
            // Only the first n bytes arrived; the rest of buf is left from before.
            print_reply(&buf[..n], &mut replies, &args);
        }
    }

    // 5. close the socket — tcp_socket.close()
    //    First shutdown(SHUT_WR): our FIN tells the server we are done; then
    //    print what it still sends until its FIN (the four-way close).
    explain.step(5, "shutdown(SHUT_WR); close()", "Socket::shutdown; drop(tcp_socket)");
    if !args.recv_only {
        let _ = tcp_socket.shutdown(Shutdown::Write);
        finish(&tcp_socket, &mut buf, &mut replies, &args)?;
    }
    drop(tcp_socket);
    match refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} line(s) of stdin were refused; the others were sent"
        ))),
    }
}
// ANCHOR_END: run

/// Python's repr of what is sent, for `--explain`: `b'hello'` (long data is
/// shown by its length, so one narration line stays one line).
fn short_repr(data: &[u8]) -> String {
    if data.len() <= 48 {
        common::pyrepr::bytes_repr(data)
    } else {
        format!("<{} bytes>", data.len())
    }
}

/// `connect`, with Python's `settimeout` when --timeout is given, and hints
/// that name the server to start.
fn connect(
    tcp_socket: &Socket,
    to: &Endpoint,
    timeout: Option<Duration>,
) -> Result<()> {
    let addr = net::sock_addr(to).during("use the socket path", to)?;
    let connected = match timeout {
        Some(timeout) => tcp_socket.connect_timeout(&addr, timeout),
        None => tcp_socket.connect(&addr),
    };
    connected.map_err(|err| match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::NotFound => {
            Error::io("connect to", to, &err).hint(format!(
                "nothing is listening on {to}: start the server first \
                 (tcp-server --bind {to}, or python3 tcp_server.py), or check the address"
            ))
        }
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Error::io("connect to", to, &err)
            .hint(format!(
                "no answer from {to} within {}s: is the address right? A server whose \
                 listen backlog is full does not answer either; a longer --timeout waits more",
                timeout.map_or(0.0, |t| t.as_secs_f64())
            )),
        _ => Error::io("connect to", to, &err),
    })?;
    // getsockname / getpeername (tutorial 002): our port was chosen by the OS.
    let local = tcp_socket.local_addr().map(|addr| address_text(&addr));
    let peer = tcp_socket.peer_addr().map(|addr| address_text(&addr));
    if let (Ok(local), Ok(peer)) = (local, peer) {
        common::errln!("connected to {peer} from {local}");
    }
    Ok(())
}

/// One `recv`, with the --timeout message a student can act on.
fn read(tcp_socket: &Socket, buf: &mut [u8], args: &Args) -> Result<usize> {
    loop {
        match (&*tcp_socket).read(buf) {
            Ok(n) => return Ok(n),
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) if net::is_timeout(&err) => {
                let secs = args.timeout.map_or(0.0, |t| t.as_secs_f64());
                return Err(Error::new(format!(
                    "no reply from {} within {secs}s",
                    args.to
                ))
                .hint(
                    "is the server busy with another client? A sequential server \
                           serves one at a time; a longer --timeout waits more",
                ));
            }
            Err(err) => return Err(Error::io("receive from", &args.to, &err)),
        }
    }
}

/// Prints a reply as text on stdout (a character cut between two pieces is
/// printed whole with the next piece).
fn print_reply(data: &[u8], replies: &mut StreamDecoder, args: &Args) {
    let text = replies.push(data, &args.to);
    if !text.is_empty() {
        common::outln!("{}", without_line_ending(&text));
    }
}

/// --recv-only: print every piece until the server closes.
fn print_until_closed(
    tcp_socket: &Socket,
    buf: &mut [u8],
    replies: &mut StreamDecoder,
    args: &Args,
) -> Result<()> {
    while let n @ 1.. = read(tcp_socket, buf, args)? {
        print_reply(&buf[..n], replies, args);
    }
    if let Some(rest) = replies.finish(&args.to) {
        common::outln!("{rest}");
    }
    Ok(())
}

/// How long to wait for the server's FIN after ours, without --timeout.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// After our FIN: print (or, with --send-only, skip) what the server still
/// sends, until it closes. Reading everything first means nothing is left
/// unread at close, which would make the OS reset the connection.
fn finish(
    tcp_socket: &Socket,
    buf: &mut [u8],
    replies: &mut StreamDecoder,
    args: &Args,
) -> Result<()> {
    let wait = args.timeout.unwrap_or(CLOSE_WAIT);
    let _ = tcp_socket.set_read_timeout(Some(wait));
    let mut skipped = 0;
    loop {
        match (&*tcp_socket).read(buf) {
            Ok(0) => break,
            Ok(n) if args.send_only => skipped += n,
            Ok(n) => print_reply(&buf[..n], replies, args),
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) if net::is_timeout(&err) => {
                common::warn(format_args!(
                    "{} did not close within {}s after we did; closing anyway",
                    args.to,
                    wait.as_secs_f64()
                ));
                break;
            }
            // The server reset the connection after everything was answered: done.
            Err(err) if err.kind() == ErrorKind::ConnectionReset => break,
            Err(err) => return Err(Error::io("receive from", &args.to, &err)),
        }
    }
    if let Some(rest) = replies.finish(&args.to) {
        common::outln!("{rest}");
    }
    if skipped > 0 {
        common::errln!(
            "note: {skipped} bytes from {} were not printed (--send-only)",
            args.to
        );
    }
    Ok(())
}

/// An address for the `connected` line: `127.0.0.1:50312`, or `AF_UNIX` for an
/// AF_UNIX socket (a client has no path of its own unless it binds one).
fn address_text(addr: &socket2::SockAddr) -> String {
    addr.as_socket().map_or_else(|| "AF_UNIX".to_string(), |addr| addr.to_string())
}
