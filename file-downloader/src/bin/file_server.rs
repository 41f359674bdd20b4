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
//!
//! No client can hold it: at most `--max-clients` are served at once (the
//! next get `ERR busy`), and every phase of a connection has a deadline —
//! the whole request within `--request-timeout`, at least 64 KiB taken by
//! the client within every `--send-timeout` while a file is sent, and at most
//! 2 s of reading what the client still sends before the close.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, FromArgMatches};
use common::{Codec, Explain, IoResultExt, Result, net, pyrepr};
use file_downloader::args::ServerArgs;
use file_downloader::protocol::{self, Protocol, Request};
use file_downloader::root::Root;
use socket2::Type;

/// Bytes read from the file per call when sending it.
const SEND_BUFFER: usize = 1024 * 1024;

/// While a file is sent, the client must take at least this many bytes
/// within every `--send-timeout`, or the transfer is ended: a minimum rate
/// (64 KiB per 30 s by default, about 2 KiB/s), so that a client that stops
/// reading — or reads a byte now and then — cannot hold a thread for ever.
const PROGRESS: u64 = 64 * 1024;

/// How long, at most, the server reads what a client still sends after the
/// answer (see [`close_gently`]).
const LINGER: Duration = Duration::from_secs(2);

/// Each client thread needs little stack: its buffers live on the heap.
const CLIENT_STACK: usize = 256 * 1024;

/// Clients past `--max-clients` wait here for their `ERR busy`; past this
/// many waiting, a client is closed at once.
const BUSY_QUEUE: usize = 16;

/// How long a client past `--max-clients` is given to send its request (so
/// that the refusal can be framed) and to read the refusal.
const BUSY_PATIENCE: Duration = Duration::from_secs(1);

// How many and how long: the limits that keep slow and silent clients from
// holding the server, options beside those of `ServerArgs`. (A `//` comment:
// a doc comment would become the program's description in --help.)
#[derive(Debug, Clone, Copy, Args)]
#[command(next_help_heading = "Limits")]
struct Limits {
    /// Serve at most N clients at once. The next one gets `ERR busy` (framed)
    /// or is closed without a byte (classic); the server keeps serving.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_clients: u64,

    /// Close a client whose whole request (up to its newline, or the 0.2 s
    /// pause after a classic name) has not arrived SECS after it connected.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = common::cli::seconds)]
    request_timeout: Duration,

    /// End a transfer when the client takes less than 64 KiB of the file
    /// within SECS: it stopped reading, or reads too slowly to finish.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = common::cli::seconds)]
    send_timeout: Duration,
}

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

// ANCHOR: run
fn run(args: ServerArgs, limits: Limits) -> Result<()> {
    let explain = args.common.explainer(7);
    let local = args.bind;
    let root = Root::new(&args.root)?;
    let codec = args.common.encoding;
    let (busy, busy_answerer) = start_busy_answerer(limits.max_clients)?;
    let active = Arc::new(AtomicU64::new(0));

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
        if active.load(Ordering::SeqCst) >= limits.max_clients {
            common::errln!(
                "busy: {client_addr} refused (already serving {0} clients, --max-clients {0})",
                limits.max_clients
            );
            // try_send: a full queue closes the client now (dropped here).
            let _ = busy.try_send((client_socket, client_addr));
            continue;
        }
        common::errln!("connected: {client_addr}");
        // One thread per client: a long download does not hold up the next client.
        let place = Place::take(&active);
        let root = root.clone();
        let spawned = thread::Builder::new()
            .name(format!("client {client_addr}"))
            .stack_size(CLIENT_STACK)
            .spawn(move || {
                serve_client(client_socket, client_addr, &root, codec, limits, explain);
                drop(place);
            });
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
    drop(busy);
    let _ = busy_answerer.join();
    explain.note("close() -> drop(tcp_server_socket)");
    drop(tcp_server_socket);
    Ok(())
}
// ANCHOR_END: run

// ANCHOR: serve_client
/// Steps 5 to 7 for one client, in its own thread. Whatever the client does,
/// this only logs: it never stops the server, and it ends within the limits.
fn serve_client(
    mut client_socket: TcpStream,
    client_addr: SocketAddr,
    root: &Root,
    codec: Codec,
    limits: Limits,
    explain: Explain,
) {
    // 5. receive the file name — file_name = client_socket.recv(1024).decode('utf-8')
    explain.step(
        5,
        format!("recv(1024).decode('{}')", codec.name()),
        "protocol::read_request (until a newline, a pause or the client's close)",
    );
    if let Err(err) = client_socket.set_write_timeout(Some(limits.send_timeout)) {
        common::warn(format_args!(
            "cannot set a send timeout for {client_addr}: {err}"
        ));
    }
    let linger = match protocol::read_request(
        &mut client_socket,
        limits.request_timeout,
    ) {
        Ok(Request::Name { protocol, name }) => {
            // 6. send the file — client_socket.sendall(file_content), piece by piece
            explain.step(
                6,
                "client_socket.sendall(f.read(65536)), until the end of the file",
                "std::io::copy(&mut file, &mut client_socket)",
            );
            send_file(
                &client_socket,
                client_addr,
                protocol,
                &name,
                root,
                codec,
                limits,
            );
            LINGER
        }
        Ok(Request::Bad { protocol, reason }) => {
            refuse(&mut client_socket, client_addr, protocol, "(bad request)", &reason);
            LINGER
        }
        Ok(Request::Nothing) => {
            common::errln!("{client_addr} closed without asking for a file");
            Duration::ZERO
        }
        // Nothing was answered: no need to wait for the client before closing.
        Err(err) if net::is_timeout(&err) => {
            common::errln!(
                "{client_addr} sent no whole request within {:?} (--request-timeout): \
                 closing it",
                limits.request_timeout
            );
            Duration::ZERO
        }
        Err(err) => {
            common::errln!("cannot receive a file name from {client_addr}: {err}");
            Duration::ZERO
        }
    };
    // 7. close the client socket — client_socket.close()
    explain.step(7, "client_socket.close()", "drop(client_socket)");
    close_gently(client_socket, linger);
    common::errln!("closed: {client_addr}");
}

/// Step 6: checks the name, then sends the file in the client's protocol.
fn send_file(
    client_socket: &TcpStream,
    client_addr: SocketAddr,
    protocol: Protocol,
    name: &[u8],
    root: &Root,
    codec: Codec,
    limits: Limits,
) {
    let shown = codec.decode(name).text; // for the log only
    let served = root.decode_name(name, codec).and_then(|name| root.open(&name));
    let mut served = match served {
        Ok(served) => served,
        Err(refusal) => {
            return refuse(
                &mut &*client_socket,
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
    let mut paced = Paced::new(client_socket, limits.send_timeout);
    let sent = paced
        .write_all(header.as_bytes())
        .and_then(|()| io::copy(&mut file, &mut paced));
    match sent {
        Ok(sent) if sent == served.size => {
            common::errln!("sent {sent} bytes of {shown:?} to {client_addr}");
        }
        Ok(sent) => common::errln!(
            "sent only {sent} of {} bytes of {shown:?} to {client_addr}: the file changed \
             while it was sent",
            served.size
        ),
        Err(_) if paced.stalled => common::errln!(
            "gave up sending {shown:?} to {client_addr} after {} of {} bytes: it took less \
             than {} KiB within {:?} (--send-timeout); still serving",
            paced.sent.saturating_sub(header.len() as u64),
            served.size,
            PROGRESS / 1024,
            limits.send_timeout
        ),
        Err(err) => common::errln!(
            "cannot send {shown:?} to {client_addr}: {err} (the client went away; still \
             serving)"
        ),
    }
}
// ANCHOR_END: serve_client

/// Refuses a request: `ERR REASON` in the framed protocol, silence in the
/// classic one (all it can say). Logged either way.
fn refuse(
    client_socket: &mut impl Write,
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

/// The client socket as a writer that ends a transfer making no progress:
/// the client must take [`PROGRESS`] bytes within `send_timeout`, again and
/// again. (`write_all` on the bare socket would retry after every partial
/// send, each with a fresh timeout: a client taking one byte every 20 s
/// would hold its thread for ever.) Each call writes at most up to the next
/// multiple of [`PROGRESS`], so that it returns — and the deadline moves on —
/// as soon as the client has taken them.
struct Paced<'a> {
    socket: &'a TcpStream,
    send_timeout: Duration,
    /// When the client must have taken the next [`PROGRESS`] bytes.
    deadline: Instant,
    /// The socket's SO_SNDTIMEO, as last set.
    timeout: Duration,
    /// Bytes taken since the deadline last moved.
    taken: u64,
    /// Bytes taken in all.
    sent: u64,
    /// Whether the transfer was ended for want of progress.
    stalled: bool,
}

impl<'a> Paced<'a> {
    fn new(socket: &'a TcpStream, send_timeout: Duration) -> Paced<'a> {
        Paced {
            socket,
            send_timeout,
            deadline: Instant::now() + send_timeout,
            timeout: Duration::ZERO,
            taken: 0,
            sent: 0,
            stalled: false,
        }
    }
}

impl Write for Paced<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = usize::try_from(PROGRESS - self.taken).unwrap_or(usize::MAX);
        let piece = &buf[..buf.len().min(room)];
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.stalled = true;
                return Err(io::Error::new(io::ErrorKind::TimedOut, "no progress"));
            }
            // SO_SNDTIMEO bounds one call. It is set again only when it is
            // off the deadline by more than 10 ms: a client that keeps up
            // costs no extra system call.
            if left.abs_diff(self.timeout) > Duration::from_millis(10) {
                self.socket.set_write_timeout(Some(left))?;
                self.timeout = left;
            }
            match (&mut &*self.socket).write(piece) {
                Ok(n) => {
                    self.sent += n as u64;
                    self.taken += n as u64;
                    if self.taken >= PROGRESS {
                        self.taken = 0;
                        self.deadline = Instant::now() + self.send_timeout;
                    }
                    return Ok(n);
                }
                // Timed out before the deadline, or interrupted: try again.
                Err(err)
                    if net::is_timeout(&err)
                        || err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One of the `--max-clients` places: taken before a client's thread starts,
/// given back when it ends (or could not start).
struct Place(Arc<AtomicU64>);

impl Place {
    fn take(active: &Arc<AtomicU64>) -> Place {
        active.fetch_add(1, Ordering::SeqCst);
        Place(Arc::clone(active))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A client past `--max-clients`, waiting for its answer.
type Busy = (TcpStream, SocketAddr);

/// The thread that answers clients past `--max-clients`, one at a time, each
/// within [`BUSY_PATIENCE`]: `ERR busy` to a framed request, a close without a
/// byte to a classic one (which cannot be told anything else).
fn start_busy_answerer(
    max_clients: u64,
) -> Result<(mpsc::SyncSender<Busy>, thread::JoinHandle<()>)> {
    let (sender, receiver) = mpsc::sync_channel::<Busy>(BUSY_QUEUE);
    let answer = format!(
        "ERR busy: the server already serves {max_clients} clients (--max-clients \
         {max_clients}); try again later\n"
    );
    let thread = thread::Builder::new()
        .name("busy".into())
        .stack_size(CLIENT_STACK)
        .spawn(move || {
            for (mut client_socket, client_addr) in receiver {
                let request = protocol::read_request(&mut client_socket, BUSY_PATIENCE);
                let framed = matches!(
                    request,
                    Ok(Request::Name { protocol: Protocol::Framed, .. }
                        | Request::Bad { protocol: Protocol::Framed, .. })
                );
                let linger = if framed {
                    let _ = client_socket.set_write_timeout(Some(BUSY_PATIENCE));
                    if let Err(err) = client_socket.write_all(answer.as_bytes()) {
                        common::errln!("cannot answer {client_addr}: {err}");
                    }
                    BUSY_PATIENCE
                } else {
                    Duration::ZERO
                };
                close_gently(client_socket, linger);
            }
        })
        .during("start the thread that answers", "clients past --max-clients")?;
    Ok((sender, thread))
}

/// Closes our side, then reads (and drops) what the client may still send,
/// for at most `linger` in all and 1 MiB: closing a socket with unread bytes
/// makes the OS send a reset, which can destroy an `ERR` line before the
/// client reads it. The deadline is for the whole wait, not for each read,
/// so a client sending a byte now and then cannot stretch it.
fn close_gently(client_socket: TcpStream, linger: Duration) {
    let _ = client_socket.shutdown(Shutdown::Write);
    let deadline = Instant::now() + linger;
    let mut sink = [0u8; 4096];
    let mut left: usize = 1 << 20;
    while left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() || client_socket.set_read_timeout(Some(wait)).is_err() {
            break;
        }
        match (&client_socket).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}
