//! file-server — lesson "文件下载器" (seed 000), the server: accept clients,
//! receive a file name, send the file, close.
//!
//! Python twin: `python/file_server.py`. Two terminals:
//!
//! ```text
//! cargo run -p file-downloader --bin file-server -- --root DIR   # 1: serves DIR on 127.0.0.1:7890
//! cargo run -p file-downloader -- hello.txt                      # 2: saves ./hello.txt
//! python3 file-downloader/python/file_downloader.py              # or the Python client
//! ```
//!
//! It speaks both protocols (classic: the bare name; framed: `GET NAME\n`),
//! serves each client in its own thread, and refuses (and logs) every name
//! that is not a regular file inside `--root`. `--explain` narrates the steps.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use clap::Parser;
use common::{Codec, Explain, IoResultExt, Result, net, pyrepr};
use file_downloader::args::ServerArgs;
use file_downloader::protocol::{self, Protocol, Request};
use file_downloader::root::Root;
use socket2::Type;

/// Bytes read from the file per call when sending it.
const SEND_BUFFER: usize = 1024 * 1024;

/// How long a client may stop reading before the server gives up on it, so a
/// stalled client cannot hold a thread (and an open file) forever.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    common::exit_with(run(ServerArgs::parse()))
}

// ANCHOR: run
fn run(args: ServerArgs) -> Result<()> {
    let explain = args.common.explainer(7);
    let local = args.bind;
    let root = Root::new(&args.root)?;

    // 1. create a TCP socket — tcp_server_socket = socket.socket(AF_INET, SOCK_STREAM)
    explain.step(
        1,
        net::python_socket_call(&local, Type::STREAM),
        "socket2::Socket::new(.., Type::STREAM, ..)",
    );
    let socket = net::new_socket(&local, Type::STREAM)
        .during("create a TCP socket for", local)?;
    // SO_REUSEADDR, so a restart does not wait for old connections in TIME_WAIT
    // (Unix only: on Windows it would let two servers share the port).
    #[cfg(unix)]
    socket.set_reuse_address(true).during("set SO_REUSEADDR on", local)?;

    // 2. bind the local address — tcp_server_socket.bind(('', 7890))
    explain.step(
        2,
        format!("bind({})", pyrepr::addr_repr(&local)),
        "socket2::Socket::bind",
    );
    socket.bind(&local.into()).during("bind", local)?;

    // 3. listen: the socket now waits for connections — tcp_server_socket.listen(128)
    explain.step(3, "listen(128)", "socket2::Socket::listen");
    socket.listen(128).during("listen on", local)?;
    let tcp_server_socket: TcpListener = socket.into();
    common::announce_listening(
        tcp_server_socket.local_addr().during("read the address of", local)?,
    );
    common::errln!("serving the files under {}", root.path().display());

    let mut clients = Vec::new();
    let mut accepted = 0;
    while args.count.is_none_or(|count| accepted < count) {
        // 4. wait for a client — client_socket, client_addr = tcp_server_socket.accept()
        explain.step(4, "accept()", "TcpListener::accept");
        let (client_socket, client_addr) = match tcp_server_socket.accept() {
            Ok(client) => client,
            Err(err) => {
                // e.g. out of file descriptors: wait a little, keep serving.
                common::warn(format_args!("cannot accept a client: {err}"));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        accepted += 1;
        common::errln!("connected: {client_addr}");
        // One thread per client: a long download does not hold up the next client.
        let (root, codec) = (root.clone(), args.common.encoding);
        let spawned =
            thread::Builder::new().name(format!("client {client_addr}")).spawn(
                move || serve_client(client_socket, client_addr, &root, codec, explain),
            );
        match spawned {
            Ok(thread) if args.count.is_some() => clients.push(thread),
            Ok(_) => {} // detached: it ends when its client is served
            Err(err) => common::warn(format_args!(
                "cannot start a thread for {client_addr} ({err}): closing it"
            )),
        }
    }
    // --count: let the clients in flight finish, then close the listening socket
    // — tcp_server_socket.close()
    for client in clients {
        let _ = client.join();
    }
    explain.note("close() -> drop(tcp_server_socket)");
    drop(tcp_server_socket);
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: serve_client
/// Steps 5 to 7 for one client, in its own thread. Whatever the client does,
/// this only logs: it never stops the server.
fn serve_client(
    mut client_socket: TcpStream,
    client_addr: SocketAddr,
    root: &Root,
    codec: Codec,
    explain: Explain,
) {
    // 5. receive the file name — file_name = client_socket.recv(1024).decode('utf-8')
    explain.step(
        5,
        format!("recv(1024).decode('{}')", codec.name()),
        "protocol::read_request (until a newline, a pause or the client's close)",
    );
    if let Err(err) = client_socket.set_write_timeout(Some(SEND_TIMEOUT)) {
        common::warn(format_args!(
            "cannot set a send timeout for {client_addr}: {err}"
        ));
    }
    match protocol::read_request(&mut client_socket) {
        Ok(Request::Name { protocol, name }) => {
            // 6. send the file — client_socket.sendall(file_content), piece by piece
            explain.step(
                6,
                "client_socket.sendall(f.read(65536)), until the end of the file",
                "std::io::copy(&mut file, &mut client_socket)",
            );
            send_file(&mut client_socket, client_addr, protocol, &name, root, codec);
        }
        Ok(Request::Bad { protocol, reason }) => {
            refuse(&mut client_socket, client_addr, protocol, "(bad request)", &reason);
        }
        Ok(Request::Nothing) => {
            common::errln!("{client_addr} closed without asking for a file")
        }
        Err(err) if net::is_timeout(&err) => common::errln!(
            "{client_addr} sent no file name within {}s",
            protocol::REQUEST_TIMEOUT.as_secs()
        ),
        Err(err) => {
            common::errln!("cannot receive a file name from {client_addr}: {err}")
        }
    }
    // 7. close the client socket — client_socket.close()
    explain.step(7, "client_socket.close()", "drop(client_socket)");
    close_gently(client_socket);
    common::errln!("closed: {client_addr}");
}

/// Step 6: checks the name, then sends the file in the client's protocol.
fn send_file(
    client_socket: &mut TcpStream,
    client_addr: SocketAddr,
    protocol: Protocol,
    name: &[u8],
    root: &Root,
    codec: Codec,
) {
    let shown = codec.decode(name).text; // for the log only
    let served = root.decode_name(name, codec).and_then(|name| root.open(&name));
    let mut served = match served {
        Ok(served) => served,
        Err(refusal) => {
            return refuse(
                client_socket,
                client_addr,
                protocol,
                &shown,
                &refusal.reason,
            );
        }
    };
    common::errln!(
        "{client_addr} asks for {shown:?} ({protocol}): {} bytes",
        served.size
    );
    // Framed: announce the size, then exactly that many bytes. Classic: the
    // bytes, and the close will say "that was all".
    let header = match protocol {
        Protocol::Framed => format!("OK {}\n", served.size),
        Protocol::Classic => String::new(),
    };
    // io::copy is sendall for a whole file. std hands it to the kernel
    // (copy_file_range, splice) where that is safe, but not file -> socket
    // (sendfile could send bytes changed after the call), so it copies through
    // this 1 MiB buffer: a few large calls instead of one per 8 KiB.
    let mut file =
        BufReader::with_capacity(SEND_BUFFER, (&mut served.file).take(served.size));
    let sent = client_socket
        .write_all(header.as_bytes())
        .and_then(|()| io::copy(&mut file, client_socket));
    match sent {
        Ok(sent) if sent == served.size => {
            common::errln!("sent {sent} bytes of {shown:?} to {client_addr}");
        }
        Ok(sent) => common::errln!(
            "sent only {sent} of {} bytes of {shown:?} to {client_addr}: the file changed \
             while it was sent",
            served.size
        ),
        Err(err) => common::errln!(
            "cannot send {shown:?} to {client_addr}: {err} (the client went away or stopped \
             reading; still serving)"
        ),
    }
}
// ANCHOR_END: serve_client

/// Refuses a request: `ERR REASON` in the framed protocol, silence in the
/// classic one (all it can say). Logged either way.
fn refuse(
    client_socket: &mut TcpStream,
    client_addr: SocketAddr,
    protocol: Protocol,
    shown: &str,
    reason: &str,
) {
    common::errln!("refused {shown:?} ({protocol}) for {client_addr}: {reason}");
    if protocol == Protocol::Framed {
        // REASON is plain ASCII (see root::Refusal), one line.
        let answer = format!("ERR {reason}\n");
        if let Err(err) = client_socket.write_all(answer.as_bytes()) {
            common::errln!("cannot answer {client_addr}: {err}");
        }
    }
}

/// Closes our side, then reads (and drops) what the client may still send,
/// for a short while: closing a socket with unread bytes makes the OS send a
/// reset, which can destroy an `ERR` line before the client reads it.
fn close_gently(client_socket: TcpStream) {
    let _ = client_socket.shutdown(Shutdown::Write);
    let _ = client_socket.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 4096];
    let mut left: usize = 1 << 20;
    while left > 0 {
        match (&client_socket).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}
