//! `--mode nonblocking`: tutorial 002's `setblocking(False)` — one thread
//! serves every client by asking each socket in turn "anything for me?"
//! (`python/tcp_server_nonblocking.py`).
//!
//! With non-blocking sockets `accept`, `recv` and `send` never wait: when
//! nothing is there they fail with `WouldBlock` (Python: `BlockingIOError`),
//! and the loop moves on to the next socket. Answers that the client is not
//! reading yet wait in the client's `outbox`. When a whole round found nothing
//! to do the thread naps 2 ms instead of spinning (real servers ask the OS
//! which sockets are ready — select/epoll — which is `--mode poll`).

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use common::{Endpoint, IoResultExt, Result};
use socket2::{SockAddr, Socket};

use crate::narration;
use crate::service::{self, Ending, Log, Service};
use crate::steps::{self, Options};

/// How long to nap after a round in which no socket had anything.
const NAP: Duration = Duration::from_millis(2);

// ANCHOR: steps
/// tcp_server_nonblocking.py: one thread, and sockets that never wait. Each
/// round asks the listening socket, then every client, "anything for me?".
pub fn serve_forever(local: &Endpoint, opt: &Options, service: &Service) -> Result<()> {
    // 1. create a TCP socket — socket.socket(AF_INET, SOCK_STREAM)
    // 2. reuse the address — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    // 3. bind the local address — bind(('127.0.0.1', 8898))
    // 4. listen — listen(128): steps 1–4 are the lesson's own (steps::open)
    let tcp_server = service.listen(local, opt)?;
    // setblocking(False): accept now fails with WouldBlock instead of waiting
    opt.say.note("setblocking");
    tcp_server
        .set_nonblocking(true)
        .during("make non-blocking", "the server socket")?;
    let mut clients: Vec<Client> = Vec::new();
    let mut buf = vec![0u8; opt.bufsize];
    let mut accepted = false;
    while !(opt.once && accepted && clients.is_empty()) {
        let mut busy = false;
        // 5. accept the clients that wait, if any — client, addr = tcp_server.accept()
        while !(opt.once && accepted) {
            let Some((socket, addr)) = service::accept_result(tcp_server.accept())
            else {
                break; // nobody waits (WouldBlock)
            };
            busy = true;
            accepted = true;
            clients.extend(Client::welcome(socket, &addr, opt, service));
        }
        // 6. send what waits, else recv what arrived — client.send / client.recv(1024)
        for client in &mut clients {
            let sending = !client.outbox.is_empty();
            let done = if sending {
                (&client.socket).write(&client.outbox)
            } else {
                (&client.socket).read(&mut buf)
            };
            busy |= done.is_ok();
            match done {
                Err(err) if is_not_ready(&err) => client.waited(sending, service),
                Err(err) if sending => client.ended = Some(Err(Ending::Send(err))),
                Err(err) => client.ended = Some(Err(Ending::Recv(err))),
                Ok(n) if sending => client.sent(n, opt),
                Ok(0) => client.ended = Some(Ok(())), // b'': the client closed its side
                Ok(n) => client.received(&buf[..n], opt),
            }
        }
        // 7. close the clients that are gone, and forget them — client.close()
        for client in clients.extract_if(.., |client| client.ended.is_some()) {
            busy = true;
            steps::close_client(client.socket, opt);
            client.log.closed(client.ended.unwrap_or(Ok(())));
        }
        if !busy {
            std::thread::sleep(NAP);
        }
    }
    // 8. close the server socket — tcp_server.close()
    steps::close(tcp_server, opt);
    Ok(())
}
// ANCHOR_END: steps

/// One connected client.
struct Client<'a> {
    socket: Socket,
    log: Log<'a>,
    /// Bytes to send that the socket did not take yet.
    outbox: Vec<u8>,
    /// When the client last sent something or took some of its answers.
    last_active: Instant,
    /// Why it is to be closed (`Ok`: it closed its side), once it is.
    ended: Option<std::result::Result<(), Ending>>,
}

impl<'a> Client<'a> {
    /// A new client (step 5): refused past --max-clients, else made
    /// non-blocking, its greeting queued.
    fn welcome(
        socket: Socket,
        addr: &SockAddr,
        opt: &'a Options,
        service: &'a Service,
    ) -> Option<Client<'a>> {
        opt.say.step(5);
        let log = service.welcome(&socket, addr, &opt.say)?;
        // Accepted sockets do not inherit non-blocking mode on every OS: set it.
        if let Err(err) = socket.set_nonblocking(true) {
            common::warn(format_args!(
                "cannot make {} non-blocking: {err}; closing it",
                log.peer
            ));
            return None;
        }
        if opt.greeting.is_some() {
            opt.say.note("greeting");
        }
        Some(Client {
            socket,
            log,
            outbox: opt.greeting.clone().unwrap_or_default(),
            last_active: Instant::now(),
            ended: None,
        })
    }

    /// `recv` found nothing (or `send` no room): a client silent, or not
    /// reading, for --idle-timeout is closed.
    fn waited(&mut self, sending: bool, service: &Service) {
        if service.idle_timeout.is_some_and(|idle| self.last_active.elapsed() >= idle) {
            self.ended = Some(Err(Ending::idle(sending)));
        }
    }

    /// `send` took the first `n` bytes of the outbox.
    fn sent(&mut self, n: usize, opt: &Options) {
        narration::sending(&opt.say, "send(data)", "Write::write");
        self.outbox.drain(..n);
        self.last_active = Instant::now();
    }

    /// `recv` returned `data`: printed, and its answer queued. A client whose
    /// answer waits is not read from, so its outbox cannot grow without end.
    fn received(&mut self, data: &[u8], opt: &Options) {
        opt.say.step(6);
        let answer = self.log.received(data);
        self.outbox.extend_from_slice(answer);
        self.last_active = Instant::now();
    }
}

/// WouldBlock: nothing there yet (Python's BlockingIOError). Interrupted: try again.
fn is_not_ready(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}
