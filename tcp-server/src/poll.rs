//! `--mode poll`: one thread that sleeps until the kernel says which sockets
//! are ready — the answer to seed 002's busy loop, and how one server holds
//! thousands of clients (the C10K problem).
//!
//! Every socket is registered once with a [`mio::Poll`] (epoll on Linux,
//! kqueue on macOS and BSD, IOCP on Windows). `Poll::poll` sleeps until some of
//! them can be read or written and returns only those: idle clients cost
//! neither CPU nor a thread each, and a new client is served at once. The
//! Python twin, `python/tcp_server_selectors.py`, does the same with the
//! standard `selectors` module.
//!
//! ```text
//! cargo run -p tcp-server -- --mode poll
//! cargo run -p tcp-server -- --mode poll --explain   # narrates the readiness loop
//! ```
//!
//! mio reports a socket when it *becomes* ready (edge-triggered), not at every
//! wait for as long as it stays ready (Python's selectors): so a ready socket
//! is read and written until it says WouldBlock, or it would never be reported
//! again. To keep one busy client from holding up the others, each client gets
//! a turn of at most [`TURN`] reads and writes; an unfinished turn goes on
//! after the others had theirs.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use common::encoding::StreamDecoder;
use common::{IoResultExt, Result};
use mio::event::{Event, Source};
use mio::{Events, Interest, Poll, Token};
use socket2::{SockAddr, SockRef, Socket};

use crate::args::Service;
use crate::endpoint;

/// The listening socket's token; each client's is its number (1, 2, 3, …),
/// never reused, so a late event cannot reach the wrong client.
const LISTENER: Token = Token(0);
/// How many readiness events one `Poll::poll` may return (the rest wait for
/// the next call).
const EVENTS: usize = 1024;
/// At most this many reads or writes for one client per turn.
const TURN: usize = 16;
/// At most this many accepts per turn of the listening socket.
const ACCEPT_TURN: usize = 256;
/// How long to wait before accepting again when accept failed (too many open
/// files): clients may leave meanwhile, and the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// One connected client.
struct Client {
    socket: Connection,
    peer: String,
    text: StreamDecoder,
    /// Bytes to send that the socket did not take yet.
    outbox: Vec<u8>,
    /// When the client last sent something or took some of its answers.
    last_active: Instant,
}

/// The readiness loop's state: the poller, the listening socket, the clients.
struct Server<'a> {
    poll: Poll,
    listener: Listener,
    clients: HashMap<Token, Client>,
    /// Sockets whose turn ended before they would block: served again without
    /// waiting, since mio will not report them again.
    again: Vec<Token>,
    /// When to try accept again after it failed.
    accept_again_at: Option<Instant>,
    accepted: usize,
    buf: Vec<u8>,
    service: &'a Service,
}

// ANCHOR: serve_forever
/// Serves every client from this one thread until Ctrl+C (or one, with --once).
pub fn serve_forever(tcp_server: &Socket, service: &Service) -> Result<()> {
    let explain = service.explain;
    // The new part: a poller, with the listening socket registered in it.
    let mut server = Server::new(tcp_server, service)?;
    let mut events = Events::with_capacity(EVENTS);
    loop {
        // Wait until the kernel says which sockets are ready: the thread
        // sleeps, whether 5 or 5,000 clients are connected and silent.
        explain.note("events = selector.select()  ->  Poll::poll");
        let timeout = server.timeout();
        match server.poll.poll(&mut events, timeout) {
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            waited => waited.during("wait for", "ready sockets")?,
        }
        let mut ready = server.take_again();
        for event in &events {
            server.narrate_wake(event);
            ready.push(event.token());
        }
        while let Some(token) = ready.pop() {
            if token == LISTENER {
                // 5. accept the clients that wait — client, addr = tcp_server.accept()
                ready.extend(server.accept_waiting());
            } else if let Some(client) = server.clients.get_mut(&token) {
                // 6. recv and send until the socket would block — recv / send
                match take_turn(client, &mut server.buf, service) {
                    Turn::WouldBlock => {}
                    Turn::Unfinished => server.again.push(token),
                    // 7. forget the client, close its socket — client.close()
                    Turn::Closed(ending) => server.close(token, &ending),
                }
            }
        }
        server.close_idle();
        if service.once && server.accepted > 0 && server.clients.is_empty() {
            return Ok(());
        }
    }
}

impl Server<'_> {
    /// Accepts the clients waiting in the backlog (accept cannot block now)
    /// and registers each; returns their tokens, to serve them at once.
    fn accept_waiting(&mut self) -> Vec<Token> {
        let mut welcomed = Vec::new();
        for _ in 0..ACCEPT_TURN {
            if self.service.once && self.accepted > 0 {
                return welcomed;
            }
            match self.listener.accept() {
                Ok((socket, addr)) => welcomed.extend(self.welcome(socket, &addr)),
                // Nobody else waits: the listening socket would block.
                Err(err) if err.kind() == ErrorKind::WouldBlock => return welcomed,
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) => {
                    common::warn(format_args!("accept failed: {err}; still listening"));
                    self.accept_again_at = Some(Instant::now() + ACCEPT_RETRY);
                    return welcomed;
                }
            }
        }
        self.again.push(LISTENER);
        welcomed
    }
}

/// Sends what waits in the outbox; when it is empty, reads what arrived and
/// queues the answer — until the socket would block (mio then reports it when
/// it is ready again) or the turn is over. A client that does not read its
/// answers is not read from either, so its outbox cannot grow without end.
fn take_turn(client: &mut Client, buf: &mut [u8], service: &Service) -> Turn {
    let explain = service.explain;
    for _ in 0..TURN {
        let sending = !client.outbox.is_empty();
        let socket = client.socket.socket();
        let result = if sending {
            explain.step(6, "client.send(data)", "Write::write");
            (&*socket).write(&client.outbox)
        } else {
            explain.step(6, format_args!("client.recv({})", buf.len()), "Read::read");
            (&*socket).read(buf)
        };
        match result {
            Ok(n) if sending => {
                client.outbox.drain(..n);
            }
            // Python's b'': the client closed its side.
            Ok(0) => return Turn::Closed(String::new()),
            Ok(n) => {
                let data = &buf[..n];
                crate::print_piece(&client.peer, &mut client.text, data);
                client.outbox.extend_from_slice(service.answer(data));
            }
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                explain.note("would block: back to waiting");
                return Turn::WouldBlock;
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Turn::Closed(crate::ending_for(&err, service)),
        }
        client.last_active = Instant::now();
    }
    Turn::Unfinished
}
// ANCHOR_END: serve_forever

/// How one client's turn ended.
enum Turn {
    /// The socket would block: wait for mio to report it again.
    WouldBlock,
    /// It could go on: serve it again after the others.
    Unfinished,
    /// The client is gone (why, for the `closed:` line).
    Closed(String),
}

impl<'a> Server<'a> {
    /// A poller with the listening socket registered: Python's
    /// `selectors.DefaultSelector()` and `selector.register(tcp_server, EVENT_READ)`.
    fn new(tcp_server: &Socket, service: &'a Service) -> Result<Server<'a>> {
        let explain = service.explain;
        explain.note("selector = selectors.DefaultSelector()  ->  mio::Poll::new");
        let poll = Poll::new().during("create", "the poller (epoll)")?;
        let mut listener = Listener::watch(tcp_server)?;
        explain.note(
            "selector.register(tcp_server, EVENT_READ)  ->  Registry::register(READABLE)",
        );
        poll.registry()
            .register(listener.source(), LISTENER, Interest::READABLE)
            .during("register", "the listening socket with the poller")?;
        Ok(Server {
            poll,
            listener,
            clients: HashMap::new(),
            again: Vec::new(),
            accept_again_at: None,
            accepted: 0,
            buf: vec![0u8; service.bufsize],
            service,
        })
    }

    /// Step 7: unregister the client, close its socket, log why.
    fn close(&mut self, token: Token, ending: &str) {
        let Some(mut client) = self.clients.remove(&token) else { return };
        self.service.explain.step(
            7,
            "selector.unregister(client); client.close()",
            "Registry::deregister; drop(client)",
        );
        let _ = self.poll.registry().deregister(client.socket.source());
        drop(client.socket);
        if let Some(rest) = client.text.finish(&client.peer) {
            common::outln!("{}: {rest}", client.peer);
        }
        common::outln!("closed: {}{ending}", client.peer);
    }

    /// A new client: refused past --max-clients, else registered (readable
    /// and writable: the greeting may wait for room) and greeted.
    fn welcome(&mut self, socket: Socket, addr: &SockAddr) -> Option<Token> {
        self.accepted += 1;
        let peer = endpoint::peer_name(addr, self.accepted as u64);
        if let Some(max) = self.service.max_clients
            && self.clients.len() as u64 >= max
        {
            refuse(&socket, &peer, max, self.service);
            return None;
        }
        // mio needs non-blocking sockets; accepted ones are blocking on Linux.
        if let Err(err) = socket.set_nonblocking(true) {
            common::warn(format_args!(
                "cannot make {peer} non-blocking: {err}; closing it"
            ));
            return None;
        }
        let token = Token(self.accepted);
        let mut connection = self.listener.connection(socket);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(err) =
            self.poll.registry().register(connection.source(), token, interest)
        {
            common::warn(format_args!("cannot watch {peer}: {err}; closing it"));
            return None;
        }
        let explain = self.service.explain;
        explain.step(5, "accept()", "Socket::accept");
        explain.note(
            "selector.register(client, EVENT_READ)  ->  Registry::register(READABLE | WRITABLE)",
        );
        common::outln!("connected: {peer}");
        let client = Client {
            socket: connection,
            peer,
            text: StreamDecoder::new(self.service.codec),
            outbox: self.service.greeting.clone().unwrap_or_default(),
            last_active: Instant::now(),
        };
        self.clients.insert(token, client);
        Some(token)
    }

    /// How long `Poll::poll` may sleep: not at all while a turn is unfinished;
    /// until the next --idle-timeout or accept retry is due; else until a
    /// socket is ready (`None`). Without --idle-timeout this looks at no client.
    fn timeout(&self) -> Option<Duration> {
        if !self.again.is_empty() {
            return Some(Duration::ZERO);
        }
        let idle_due = self.service.idle_timeout.and_then(|idle| {
            self.clients.values().map(|client| client.last_active + idle).min()
        });
        let due = idle_due.into_iter().chain(self.accept_again_at).min()?;
        Some(due.saturating_duration_since(Instant::now()))
    }

    /// The sockets to serve without a new event: unfinished turns, and the
    /// listening socket once an accept retry is due.
    fn take_again(&mut self) -> Vec<Token> {
        let mut ready = std::mem::take(&mut self.again);
        if self.accept_again_at.is_some_and(|at| at <= Instant::now()) {
            self.accept_again_at = None;
            ready.push(LISTENER);
        }
        ready
    }

    /// --explain: which socket woke the loop, and for what.
    fn narrate_wake(&self, event: &Event) {
        let explain = self.service.explain;
        if !explain.enabled() {
            return;
        }
        let who = if event.token() == LISTENER {
            "the listening socket (a client waits)"
        } else {
            match self.clients.get(&event.token()) {
                Some(client) => client.peer.as_str(),
                None => return,
            }
        };
        let how = match (event.is_readable(), event.is_writable()) {
            (true, true) => "readable and writable",
            (true, false) => "readable",
            (false, true) => "writable",
            (false, false) => "closed or failed",
        };
        explain.note(format_args!("woke: {who} is {how}"));
    }

    /// Closes the clients silent (or not reading) for --idle-timeout.
    fn close_idle(&mut self) {
        let Some(idle) = self.service.idle_timeout else { return };
        let expired: Vec<(Token, bool)> = self
            .clients
            .iter()
            .filter(|(_, client)| client.last_active.elapsed() >= idle)
            .map(|(token, client)| (*token, !client.outbox.is_empty()))
            .collect();
        for (token, sending) in expired {
            let ending = if sending {
                " (cannot answer: it does not read its answers: --idle-timeout)".into()
            } else {
                format!(" (silent for {}s: --idle-timeout)", idle.as_secs_f64())
            };
            self.close(token, &ending);
        }
    }
}

/// Past --max-clients: say so, and close.
fn refuse(socket: &Socket, peer: &str, max: u64, service: &Service) {
    common::outln!(
        "refused: {peer} (already serving {max} client(s), --max-clients {max})"
    );
    // A fresh socket's send buffer takes these few bytes at once.
    let _ = (&*socket).write_all(&service.busy_message(max));
    let _ = socket.shutdown(std::net::Shutdown::Write);
}

/// The listening socket as mio watches it: TCP, or AF_UNIX on Unix.
enum Listener {
    Tcp(mio::net::TcpListener),
    #[cfg(unix)]
    Unix(mio::net::UnixListener),
}

impl Listener {
    /// A second handle to the listening socket, non-blocking, for mio to own
    /// (`tcp_server` stays main's, to close in step 8).
    fn watch(tcp_server: &Socket) -> Result<Listener> {
        let socket = tcp_server.try_clone().during("share", "the listening socket")?;
        socket
            .set_nonblocking(true)
            .during("make non-blocking", "the server socket")?;
        let is_unix = socket.local_addr().is_ok_and(|addr| addr.is_unix());
        #[cfg(unix)]
        if is_unix {
            return Ok(Listener::Unix(mio::net::UnixListener::from_std(socket.into())));
        }
        #[cfg(not(unix))]
        if is_unix {
            return Err(common::Error::new(
                "--mode poll cannot watch an AF_UNIX socket on this system",
            )
            .hint("use --bind 127.0.0.1:PORT, or another --mode"));
        }
        Ok(Listener::Tcp(mio::net::TcpListener::from_std(socket.into())))
    }

    /// `accept()` for either family: the client's socket and its address.
    fn accept(&self) -> io::Result<(Socket, SockAddr)> {
        match self {
            Listener::Tcp(listener) => SockRef::from(listener).accept(),
            #[cfg(unix)]
            Listener::Unix(listener) => SockRef::from(listener).accept(),
        }
    }

    /// An accepted socket as mio watches it (the listener's family).
    fn connection(&self, socket: Socket) -> Connection {
        match self {
            Listener::Tcp(_) => {
                Connection::Tcp(mio::net::TcpStream::from_std(socket.into()))
            }
            #[cfg(unix)]
            Listener::Unix(_) => {
                Connection::Unix(mio::net::UnixStream::from_std(socket.into()))
            }
        }
    }

    fn source(&mut self) -> &mut dyn Source {
        match self {
            Listener::Tcp(listener) => listener,
            #[cfg(unix)]
            Listener::Unix(listener) => listener,
        }
    }
}

/// A client's socket as mio watches it.
enum Connection {
    Tcp(mio::net::TcpStream),
    #[cfg(unix)]
    Unix(mio::net::UnixStream),
}

impl Connection {
    /// The socket itself, for `read` and `write` (either family).
    fn socket(&self) -> SockRef<'_> {
        match self {
            Connection::Tcp(stream) => SockRef::from(stream),
            #[cfg(unix)]
            Connection::Unix(stream) => SockRef::from(stream),
        }
    }

    fn source(&mut self) -> &mut dyn Source {
        match self {
            Connection::Tcp(stream) => stream,
            #[cfg(unix)]
            Connection::Unix(stream) => stream,
        }
    }
}
