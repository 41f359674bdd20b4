//! tcp-server — lessons "TCP服务端" and "TCP服务端为多个客户端服务" (tutorial 000),
//! tutorial 001's server with SO_REUSEADDR, tutorial 003's `tcp_recv_server` and
//! `tcp_send_server`, tutorial 004's example 1: create, SO_REUSEADDR, bind,
//! listen, accept, recv/send, close the client, close the server.
//!
//! Python twin: `python/tcp_server.py`. Two terminals:
//!
//! ```text
//! cargo run -p tcp-server                          # 1: listens on 127.0.0.1:8898
//! cargo run -p tcp-client -- hello 数据              # 2: prints hello, then 数据
//! cargo run -p tcp-server -- --reply success       # answer like tutorial 004's server
//! cargo run -p tcp-server -- --mode threads        # many clients at once
//! cargo run -p tcp-server -- --mode poll           # thousands, one thread
//! ```
//!
//! This file is the lesson: one client after another (`--mode sequential`, the
//! default). `threads.rs` and `nonblocking.rs` serve many clients at once and
//! reuse [`serve_client`]; `poll.rs` waits for readiness (epoll) instead;
//! `endpoint.rs` adds AF_UNIX (`--bind unix:PATH`).

mod args;
mod endpoint;
mod nonblocking;
mod poll;
mod threads;

use std::io::{ErrorKind, Read, Write};
use std::process::ExitCode;

use clap::Parser;
use common::encoding::{StreamDecoder, without_line_ending};
use common::{Endpoint, Error, IoResultExt, Result, net, pyrepr};
use socket2::Socket;

use args::{Args, Mode, Service};
use endpoint::SocketFile;

fn main() -> ExitCode {
    // A closed stdout (`tcp-server | head -3`) stops the log, not the server.
    common::out::keep_serving_when_stdout_closes();
    common::exit_with(run(Args::parse().checked()))
}

// ANCHOR: run
fn run(args: Args) -> Result<()> {
    let explain = args.common.explainer(8);
    let service = args.service(explain)?;
    let local = &args.bind;

    // 1. create a TCP socket — tcp_server = socket.socket(AF_INET, SOCK_STREAM)
    explain.step(1, net::python_stream_socket_call(local), "socket2::Socket::new");
    let tcp_server =
        net::new_stream_socket(local).during("create a socket for", local)?;

    // 2. reuse the address — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    //    Without it a restart fails while old connections sit in TIME_WAIT.
    let inet = matches!(local, Endpoint::Inet(_));
    if inet && !args.no_reuseaddr && cfg!(unix) {
        explain.step(
            2,
            "setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
            "Socket::set_reuse_address(true)",
        );
        tcp_server.set_reuse_address(true).during("set SO_REUSEADDR on", local)?;
    } else if inet {
        explain.note("step 2 skipped: no SO_REUSEADDR (--no-reuseaddr, or Windows)");
    }

    // 3. bind the local address — tcp_server.bind(('127.0.0.1', 8898))
    explain.step(3, format!("bind({})", pyrepr::endpoint_repr(local)), "Socket::bind");
    if let Endpoint::Unix(path) = local {
        SocketFile::prepare(path)?;
    }
    tcp_server
        .bind(&net::sock_addr(local).during("use the socket path", local)?)
        .during("bind", local)
        .map_err(|err| restart_hint(err, local, args.no_reuseaddr))?;
    // An AF_UNIX server leaves a file behind: remove it when we stop.
    let _socket_file = match local {
        Endpoint::Unix(path) => Some(SocketFile::remove_on_exit(path)),
        Endpoint::Inet(_) => None,
    };

    // 4. listen: from active to passive — tcp_server.listen(128)
    explain.step(
        4,
        format!("listen({})", args.backlog),
        format!("Socket::listen({})", args.backlog),
    );
    tcp_server.listen(args.backlog).during("listen on", local)?;
    common::announce_listening(endpoint::bound_endpoint(&tcp_server, local)?);

    if args.mode.serves_many() {
        raise_open_file_limit(explain);
    }
    match args.mode {
        Mode::Threads => threads::serve_forever(&tcp_server, service)?,
        Mode::Nonblocking => nonblocking::serve_forever(&tcp_server, &service)?,
        Mode::Poll => poll::serve_forever(&tcp_server, &service)?,
        Mode::Sequential => {
            let mut number = 0;
            loop {
                // 5. wait for a client — client, addr = tcp_server.accept()
                //    accept returns a NEW socket for this client; tcp_server
                //    keeps listening for the next one.
                explain.step(5, "accept()", "Socket::accept");
                let Some((client, addr)) = accept(&tcp_server) else { continue };
                number += 1;
                let peer = endpoint::peer_name(&addr, number);
                common::outln!("connected: {peer}");

                // 6. receive and answer until the client closes — recv / send
                let ending = serve_client(&client, &peer, &service);

                // 7. close the client's socket — client.close()
                explain.step(7, "client.close()", "drop(client)");
                drop(client);
                common::outln!("closed: {peer}{ending}");
                if service.once {
                    break;
                }
            }
        }
    }

    // 8. close the server socket — tcp_server.close()
    explain.step(8, "tcp_server.close()", "drop(tcp_server)");
    drop(tcp_server);
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: serve_client
/// Step 6 for one client: send the greeting, then answer each `recv` until
/// the client closes. Returns why it ended, for the `closed:` line (empty when
/// the client closed normally). Nothing a client does stops the server.
pub fn serve_client(client: &Socket, peer: &str, service: &Service) -> String {
    let explain = service.explain;
    // A client that stays silent, or does not read its answers, is closed
    // after --idle-timeout (Python: settimeout).
    let timeouts = client
        .set_read_timeout(service.idle_timeout)
        .and_then(|()| client.set_write_timeout(service.idle_timeout));
    if let Err(err) = timeouts {
        common::warn(format_args!("cannot set --idle-timeout for {peer}: {err}"));
    }
    if let Some(greeting) = &service.greeting {
        explain.step(6, "client.send(greeting)", "Write::write_all");
        if let Err(err) = (&*client).write_all(greeting) {
            return format!(" (cannot send the greeting: {})", describe(&err));
        }
    }
    let mut buf = vec![0u8; service.bufsize];
    let mut text = StreamDecoder::new(service.codec);
    let ending = loop {
        explain.step(6, format_args!("client.recv({})", service.bufsize), "Read::read");
        let n = match (&*client).read(&mut buf) {
            // Python's b'': the client closed its side (its FIN arrived).
            Ok(0) => break String::new(),
            Ok(n) => n,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => break ending_for(&err, service),
        };
        // Only the first n bytes arrived; the rest of buf is left from before.
        let data = &buf[..n];
        print_piece(peer, &mut text, data);

        // sendall: write_all loops until every byte is handed to the kernel.
        let answer = service.answer(data);
        explain.step(6, "client.sendall(data)", "Write::write_all");
        if let Err(err) = (&*client).write_all(answer) {
            break format!(" (cannot answer: {})", describe(&err));
        }
    };
    if let Some(rest) = text.finish(peer) {
        common::outln!("{peer}: {rest}");
    }
    ending
}
// ANCHOR_END: serve_client

/// Prints what arrived as `ADDR: TEXT` (nothing when the piece only held the
/// first bytes of a character: they are printed with the next piece).
pub fn print_piece(peer: &str, text: &mut StreamDecoder, data: &[u8]) {
    let piece = text.push(data, peer);
    if !piece.is_empty() {
        common::outln!("{peer}: {}", without_line_ending(&piece));
    }
}

/// `accept()`, or `None`: quietly when nobody is waiting on a non-blocking
/// socket, after a warning otherwise (a client that gave up while waiting, too
/// many open files): none of that may stop the server.
pub fn accept(listener: &Socket) -> Option<(Socket, socket2::SockAddr)> {
    match listener.accept() {
        Ok(accepted) => Some(accepted),
        Err(err) => {
            if err.kind() != ErrorKind::Interrupted
                && err.kind() != ErrorKind::WouldBlock
            {
                common::warn(format_args!("accept failed: {err}; still listening"));
                // Too many open files: wait for clients to leave instead of spinning.
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            None
        }
    }
}

/// Why a connection ended, for the `closed:` line.
pub fn ending_for(err: &std::io::Error, service: &Service) -> String {
    match (err.kind(), service.idle_timeout) {
        (ErrorKind::WouldBlock | ErrorKind::TimedOut, Some(idle)) => {
            format!(" (silent for {}s: --idle-timeout)", idle.as_secs_f64())
        }
        _ => format!(" ({})", describe(err)),
    }
}

fn describe(err: &std::io::Error) -> String {
    match err.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            "it does not read its answers: --idle-timeout".to_string()
        }
        ErrorKind::ConnectionReset => "reset by the client".to_string(),
        ErrorKind::BrokenPipe => "the client is gone".to_string(),
        _ => err.to_string(),
    }
}

/// Every client is an open socket, and the soft limit on open files is often
/// 1,024: raise it to the hard limit, so thousands of clients fit.
#[cfg(unix)]
fn raise_open_file_limit(explain: common::Explain) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => explain.note(format_args!(
            "setrlimit(RLIMIT_NOFILE): up to {limit} open files (sockets)"
        )),
        Err(err) => common::warn(format_args!(
            "cannot raise the open-file limit (RLIMIT_NOFILE): {err}; \
             serving with the current one"
        )),
    }
}

/// Windows has no RLIMIT_NOFILE to raise for sockets.
#[cfg(not(unix))]
fn raise_open_file_limit(_explain: common::Explain) {}

/// Tutorial 001's lesson: without SO_REUSEADDR a restart fails while the
/// port's last connections are closing. The kernel's socket table tells that
/// apart from another server listening there.
fn restart_hint(err: Error, local: &Endpoint, no_reuseaddr: bool) -> Error {
    if err.kind() != Some(ErrorKind::AddrInUse) {
        return err;
    }
    if let Endpoint::Unix(path) = local {
        // SocketFile::prepare found the path free: something created it since.
        return err.hint(format!(
            "another program created {} just now: choose another path for unix:PATH",
            path.display()
        ));
    }
    if let Endpoint::Inet(addr) = local
        && let Some(hint) =
            common::error::tcp_port_in_use_hint(addr.port(), !no_reuseaddr)
    {
        return err.hint(hint);
    }
    if no_reuseaddr {
        err.hint(
            "without SO_REUSEADDR the port stays taken while the last connections are in \
             TIME-WAIT (the four-way close, up to a minute): wait, or drop --no-reuseaddr",
        )
    } else {
        err.hint(
            "another server is listening there (another tcp-server or tcp_server.py?): \
             stop it, or choose another port with --bind 127.0.0.1:PORT",
        )
    }
}
