//! `--mode nonblocking`: tutorial 002's `setblocking(False)` — one thread serves
//! every client by asking each socket in turn "anything for me?".
//!
//! With non-blocking sockets `accept` and `recv` never wait: when nothing is
//! there they fail with `WouldBlock` (Python: `BlockingIOError`), and the loop
//! moves on to the next socket. Answers that the client is not reading yet wait
//! in the client's `outbox`. When a whole round found nothing to do the thread
//! naps 2 ms instead of spinning (real servers ask the OS which sockets are
//! ready — select/epoll — which is what `mio` and `tokio` do).

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use common::{IoResultExt, Result};
use socket2::Socket;

use crate::args::Service;
use crate::endpoint;
use common::encoding::StreamDecoder;

/// How long to nap after a round in which no socket had anything.
const NAP: Duration = Duration::from_millis(2);

/// One connected client.
struct Client {
    socket: Socket,
    peer: String,
    text: StreamDecoder,
    /// Bytes to send that the socket did not take yet.
    outbox: Vec<u8>,
    /// When the client last sent something or took some of its answers.
    last_active: Instant,
}

// ANCHOR: serve_forever
/// Serves every client from this one thread until Ctrl+C (or one, with --once).
pub fn serve_forever(tcp_server: &Socket, service: &Service) -> Result<()> {
    // setblocking(False): accept now fails with WouldBlock instead of waiting.
    service
        .explain
        .note("tcp_server.setblocking(False)  ->  Socket::set_nonblocking(true)");
    tcp_server
        .set_nonblocking(true)
        .during("make non-blocking", "the server socket")?;
    let mut clients: Vec<Client> = Vec::new();
    let mut buf = vec![0u8; service.bufsize];
    let mut accepted = 0;
    loop {
        let mut busy = false;
        if !(service.once && accepted > 0) {
            while let Some((socket, addr)) = crate::accept(tcp_server) {
                busy = true;
                accepted += 1;
                let peer = endpoint::peer_name(&addr, accepted);
                if let Some(client) = welcome(socket, peer, clients.len(), service) {
                    clients.push(client);
                }
            }
        }
        clients.retain_mut(|client| match poll(client, &mut buf, service) {
            Poll::Idle => true,
            Poll::Busy => {
                busy = true;
                client.last_active = Instant::now();
                true
            }
            Poll::Closed(ending) => {
                busy = true;
                if let Some(rest) = client.text.finish(&client.peer) {
                    common::outln!("{}: {rest}", client.peer);
                }
                service.explain.step(7, "client.close()", "drop(client)");
                common::outln!("closed: {}{ending}", client.peer);
                false
            }
        });
        if service.once && accepted > 0 && clients.is_empty() {
            return Ok(());
        }
        if !busy {
            std::thread::sleep(NAP);
        }
    }
}
// ANCHOR_END: serve_forever

/// A new client: refused past --max-clients, else made non-blocking and greeted.
fn welcome(
    socket: Socket,
    peer: String,
    serving: usize,
    service: &Service,
) -> Option<Client> {
    if let Some(max) = service.max_clients
        && serving as u64 >= max
    {
        common::outln!(
            "refused: {peer} (already serving {max} client(s), --max-clients {max})"
        );
        // A fresh socket's send buffer takes these few bytes at once.
        let _ = (&socket).write_all(&service.busy_message(max));
        let _ = socket.shutdown(std::net::Shutdown::Write);
        return None;
    }
    // Accepted sockets do not inherit non-blocking mode on every OS: set it.
    if let Err(err) = socket.set_nonblocking(true) {
        common::warn(format_args!(
            "cannot make {peer} non-blocking: {err}; closing it"
        ));
        return None;
    }
    service.explain.step(5, "accept()", "Socket::accept");
    common::outln!("connected: {peer}");
    let outbox = service.greeting.clone().unwrap_or_default();
    Some(Client {
        socket,
        peer,
        text: StreamDecoder::new(service.codec),
        outbox,
        last_active: Instant::now(),
    })
}

/// What one look at a client found.
enum Poll {
    /// Nothing to do.
    Idle,
    /// Something was sent or received.
    Busy,
    /// The client is gone (why, for the `closed:` line).
    Closed(String),
}

/// Sends what waits in the outbox; when it is empty, reads what arrived and
/// queues the answer. A client that does not read its answers is not read from
/// either, so its outbox cannot grow without end.
fn poll(client: &mut Client, buf: &mut [u8], service: &Service) -> Poll {
    let explain = service.explain;
    let sending = !client.outbox.is_empty();
    let result = if sending {
        (&client.socket).write(&client.outbox)
    } else {
        (&client.socket).read(buf)
    };
    match result {
        Ok(n) if sending => {
            explain.step(6, "client.send(data)", "Write::write");
            client.outbox.drain(..n);
            Poll::Busy
        }
        // Python's b'': the client closed its side.
        Ok(0) => Poll::Closed(String::new()),
        Ok(n) => {
            explain.step(6, format_args!("client.recv({})", buf.len()), "Read::read");
            let data = &buf[..n];
            crate::print_piece(&client.peer, &mut client.text, data);
            client.outbox.extend_from_slice(service.answer(data));
            Poll::Busy
        }
        // Nothing there yet; a client silent (or not reading) too long is closed.
        Err(err) if is_not_ready(&err) => match service.idle_timeout {
            Some(idle) if client.last_active.elapsed() >= idle => {
                Poll::Closed(if sending {
                    " (cannot answer: it does not read its answers: --idle-timeout)"
                        .into()
                } else {
                    format!(" (silent for {}s: --idle-timeout)", idle.as_secs_f64())
                })
            }
            _ => Poll::Idle,
        },
        Err(err) => Poll::Closed(crate::ending_for(&err, service)),
    }
}

/// WouldBlock: nothing there yet (Python's BlockingIOError). Interrupted: try again.
fn is_not_ready(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}
