//! `--mode poll`: one thread that sleeps until the kernel says which sockets
//! are ready — the answer to tutorial 002's busy loop, and how one server holds
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

use common::{Endpoint, IoResultExt, Result};
use mio::event::{Event, Source};
use mio::{Events, Interest, Poll, Token};
use socket2::{SockAddr, SockRef, Socket};

use crate::narration;
use crate::service::{Ending, Log, Service};
use crate::steps::{self, Options};

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
struct Client<'a> {
    socket: Connection,
    log: Log<'a>,
    /// Bytes to send that the socket did not take yet.
    outbox: Vec<u8>,
    /// When the client last sent something or took some of its answers.
    last_active: Instant,
}

/// The readiness loop's state: the poller, the listening socket, the clients.
struct Server<'a> {
    poll: Poll,
    listener: Listener,
    clients: HashMap<Token, Client<'a>>,
    /// Sockets whose turn ended before they would block: served again without
    /// waiting, since mio will not report them again.
    again: Vec<Token>,
    /// When to try accept again after it failed.
    accept_again_at: Option<Instant>,
    accepted: usize,
    buf: Vec<u8>,
    opt: &'a Options,
    service: &'a Service,
}

// ANCHOR: steps
/// tcp_server_selectors.py: one thread, which sleeps until the kernel says
/// which sockets are ready, and serves only those.
pub fn serve_forever(local: &Endpoint, opt: &Options, service: &Service) -> Result<()> {
    // 1. create a TCP socket — socket.socket(AF_INET, SOCK_STREAM)
    // 2. reuse the address — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    // 3. bind the local address — bind(('127.0.0.1', 8898))
    // 4. listen — listen(128): steps 1–4 are the lesson's own (steps::open)
    let tcp_server = service.listen(local, opt)?;
    // The new part: a poller, with the listening socket registered in it.
    let mut server = Server::new(&tcp_server, opt, service)?;
    let mut events = Events::with_capacity(EVENTS);
    while !(opt.once && server.accepted > 0 && server.clients.is_empty()) {
        // Wait until the kernel says which sockets are ready: the thread
        // sleeps, whether 5 or 5,000 clients are connected and silent.
        opt.say.note("select");
        match server.poll.poll(&mut events, server.timeout()) {
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            waited => waited.during("wait for", "ready sockets")?,
        }
        let mut ready = server.ready(&events);
        while let Some(token) = ready.pop() {
            if token == LISTENER {
                // 5. accept the clients that wait — client, addr = tcp_server.accept()
                ready.extend(server.accept_waiting());
            } else if let Some(client) = server.clients.get_mut(&token) {
                // 6. recv and send until the socket would block — recv / send
                match take_turn(client, &mut server.buf, opt) {
                    Turn::WouldBlock => {}
                    Turn::Unfinished => server.again.push(token),
                    // 7. forget the client, close its socket — client.close()
                    Turn::Closed(ended) => server.close(token, ended),
                }
            }
        }
        server.close_idle();
    }
    // 8. close the server socket — tcp_server.close()
    drop(server); // and mio's handle of it
    steps::close(tcp_server, opt);
    Ok(())
}

impl Server<'_> {
    /// Accepts the clients waiting in the backlog (accept cannot block now)
    /// and registers each; returns their tokens, to serve them at once.
    fn accept_waiting(&mut self) -> Vec<Token> {
        let mut welcomed = Vec::new();
        for _ in 0..ACCEPT_TURN {
            if self.opt.once && self.accepted > 0 {
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
fn take_turn(client: &mut Client, buf: &mut [u8], opt: &Options) -> Turn {
    for _ in 0..TURN {
        let sending = !client.outbox.is_empty();
        let socket = client.socket.socket();
        let result = if sending {
            narration::sending(&opt.say, "send(data)", "Write::write");
            (&*socket).write(&client.outbox)
        } else {
            opt.say.step(6);
            (&*socket).read(buf)
        };
        match result {
            Ok(n) if sending => {
                client.outbox.drain(..n);
            }
            // Python's b'': the client closed its side.
            Ok(0) => return Turn::Closed(Ok(())),
            Ok(n) => {
                let answer = client.log.received(&buf[..n]);
                client.outbox.extend_from_slice(answer);
            }
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                opt.say.remark("would block: back to waiting");
                return Turn::WouldBlock;
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) if sending => return Turn::Closed(Err(Ending::Send(err))),
            Err(err) => return Turn::Closed(Err(Ending::Recv(err))),
        }
        client.last_active = Instant::now();
    }
    Turn::Unfinished
}
// ANCHOR_END: steps

/// How one client's turn ended.
enum Turn {
    /// The socket would block: wait for mio to report it again.
    WouldBlock,
    /// It could go on: serve it again after the others.
    Unfinished,
    /// The client is gone (`Ok`: it closed its side; `Err`: why else).
    Closed(std::result::Result<(), Ending>),
}

impl<'a> Server<'a> {
    /// A poller with the listening socket registered: Python's
    /// `selectors.DefaultSelector()` and `selector.register(tcp_server, EVENT_READ)`.
    fn new(
        tcp_server: &Socket,
        opt: &'a Options,
        service: &'a Service,
    ) -> Result<Server<'a>> {
        opt.say.note("selector");
        let poll = Poll::new().during("create", "the poller (epoll)")?;
        let mut listener = Listener::watch(tcp_server)?;
        opt.say.note("register server");
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
            buf: vec![0u8; opt.bufsize],
            opt,
            service,
        })
    }

    /// Step 7: unregister the client, close its socket, log why.
    fn close(&mut self, token: Token, ended: std::result::Result<(), Ending>) {
        let Some(mut client) = self.clients.remove(&token) else { return };
        self.opt.say.note("unregister");
        let _ = self.poll.registry().deregister(client.socket.source());
        steps::close_client(client.socket.into_socket(), self.opt);
        client.log.closed(ended);
    }

    /// A new client (step 5): refused past --max-clients, else registered
    /// (readable and writable: the greeting may wait for room) and greeted.
    fn welcome(&mut self, socket: Socket, addr: &SockAddr) -> Option<Token> {
        self.accepted += 1;
        let opt = self.opt;
        opt.say.step(5);
        let log = self.service.welcome(&socket, addr, &opt.say)?;
        // mio needs non-blocking sockets; accepted ones are blocking on Linux.
        if let Err(err) = socket.set_nonblocking(true) {
            common::warn(format_args!(
                "cannot make {} non-blocking: {err}; closing it",
                log.peer
            ));
            return None;
        }
        let token = Token(self.accepted);
        let mut connection = self.listener.connection(socket);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(err) =
            self.poll.registry().register(connection.source(), token, interest)
        {
            common::warn(format_args!("cannot watch {}: {err}; closing it", log.peer));
            return None;
        }
        opt.say.note("register client");
        if opt.greeting.is_some() {
            opt.say.note("greeting");
        }
        let client = Client {
            socket: connection,
            log,
            outbox: opt.greeting.clone().unwrap_or_default(),
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

    /// The sockets to serve now: those the kernel reported in `events`, and
    /// without a new event the unfinished turns, and the listening socket once
    /// an accept retry is due.
    fn ready(&mut self, events: &Events) -> Vec<Token> {
        let mut ready = std::mem::take(&mut self.again);
        if self.accept_again_at.is_some_and(|at| at <= Instant::now()) {
            self.accept_again_at = None;
            ready.push(LISTENER);
        }
        for event in events {
            self.narrate_wake(event);
            ready.push(event.token());
        }
        ready
    }

    /// --explain: which socket woke the loop, and for what.
    fn narrate_wake(&self, event: &Event) {
        let say = &self.opt.say;
        if !say.is_enabled() {
            return;
        }
        let who = if event.token() == LISTENER {
            "the listening socket (a client waits)"
        } else {
            match self.clients.get(&event.token()) {
                Some(client) => client.log.peer.as_str(),
                None => return,
            }
        };
        let how = match (event.is_readable(), event.is_writable()) {
            (true, true) => "readable and writable",
            (true, false) => "readable",
            (false, true) => "writable",
            (false, false) => "closed or failed",
        };
        say.remark(format_args!("woke: {who} is {how}"));
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
            self.close(token, Err(Ending::idle(sending)));
        }
    }
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

    /// Back to a plain socket, to close it as the lesson does (step 7).
    fn into_socket(self) -> Socket {
        match self {
            Connection::Tcp(stream) => Socket::from(std::net::TcpStream::from(stream)),
            #[cfg(unix)]
            Connection::Unix(stream) => {
                Socket::from(std::os::unix::net::UnixStream::from(stream))
            }
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
