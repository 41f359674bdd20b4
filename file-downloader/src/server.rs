//! The file server's tool around its steps (`steps/file_server.rs`): a
//! thread per client within `--max-clients`, the deadlines of every phase of
//! a connection, the answers and the log.
//!
//! No client can hold the server: at most `--max-clients` are served at once
//! (the next get `ERR busy`), and every phase of a connection has a deadline
//! — the whole request within `--request-timeout`, at least 64 KiB taken by
//! the client within every `--send-timeout` while a file is sent, and at most
//! 2 s of reading what the client still sends before the close.

use std::io::{self, BufReader, Cursor, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Codec, IoResultExt, Result, net};

use crate::protocol::{self, Protocol, Request};
use crate::root::{Refusal, ServedFile};
use crate::steps::file_server::{Options, send_file_to_client};

/// Bytes read from the file per call when sending it.
const SEND_BUFFER: usize = 1024 * 1024;

/// While a file is sent, the client must take at least this many bytes
/// within every `--send-timeout`, or the transfer is ended: a minimum rate
/// (64 KiB per 30 s by default, about 2 KiB/s), so that a client that stops
/// reading — or reads a byte now and then — cannot hold a thread for ever.
const PROGRESS: u64 = 64 * 1024;

/// How long, at most, the server reads what a client still sends after the
/// answer (see [`close_gently`]).
pub const LINGER: Duration = Duration::from_secs(2);

/// Each client thread needs little stack: its buffers live on the heap.
const CLIENT_STACK: usize = 256 * 1024;

/// Clients past `--max-clients` wait here for their `ERR busy`; past this
/// many waiting, a client is closed at once.
const BUSY_QUEUE: usize = 16;

/// How long a client past `--max-clients` is given to send its request (so
/// that the refusal can be framed) and to read the refusal.
const BUSY_PATIENCE: Duration = Duration::from_secs(1);

/// The clients being served: a thread each, at most `--max-clients` at once.
#[derive(Debug)]
pub struct Clients {
    active: Arc<AtomicU64>,
    accepted: u64,
    count: Option<u64>,
    max_clients: u64,
    /// With `--count`, the threads to wait for before exiting.
    threads: Vec<thread::JoinHandle<()>>,
    busy: mpsc::SyncSender<Busy>,
    busy_answerer: thread::JoinHandle<()>,
}

impl Clients {
    /// After step 3: says where the server listens (`listening on ADDR`, the
    /// line tests and peers wait for) and what it serves, and starts the
    /// thread that answers the clients past `--max-clients`.
    pub fn start(tcp_server_socket: &TcpListener, opt: &Options) -> Result<Clients> {
        let max_clients = opt.limits.max_clients;
        // Started before the server says it listens: from then on its
        // threads are those of a server at rest.
        let (busy, busy_answerer) = start_busy_answerer(max_clients)?;
        let local = tcp_server_socket.local_addr().during("read the address of", "")?;
        common::announce_listening(local);
        common::errln!("serving the files under {}", opt.root.path().display());
        Ok(Clients {
            active: Arc::new(AtomicU64::new(0)),
            accepted: 0,
            count: opt.count,
            max_clients,
            threads: Vec::new(),
            busy,
            busy_answerer,
        })
    }

    /// Whether to accept another client: always, or until `--count N` were.
    pub fn want_more(&self) -> bool {
        self.count.is_none_or(|count| self.accepted < count)
    }

    /// Steps 5 to 7 for a client just accepted, in a thread of its own (a
    /// long download does not hold up the next client); past
    /// `--max-clients`, an `ERR busy` instead.
    pub fn serve(&mut self, client: (TcpStream, SocketAddr), opt: &Options) {
        let (client_socket, client_addr) = client;
        self.accepted += 1;
        if self.active.load(Ordering::SeqCst) >= self.max_clients {
            common::errln!(
                "busy: {client_addr} refused (already serving {0} clients, --max-clients {0})",
                self.max_clients
            );
            // try_send: a full queue closes the client now (dropped here).
            let _ = self.busy.try_send((client_socket, client_addr));
            return;
        }
        common::errln!("connected: {client_addr}");
        let place = Place::take(&self.active);
        // A send timeout for whatever is written outside Paced (an ERR line).
        if let Err(err) = client_socket.set_write_timeout(Some(opt.limits.send_timeout))
        {
            common::warn(format_args!(
                "cannot set a send timeout for {client_addr}: {err}"
            ));
        }
        let opt = opt.clone();
        let spawned = thread::Builder::new()
            .name(format!("client {client_addr}"))
            .stack_size(CLIENT_STACK)
            .spawn(move || {
                send_file_to_client((client_socket, client_addr), &opt);
                common::errln!("closed: {client_addr}");
                drop(place);
            });
        match spawned {
            Ok(thread) if self.count.is_some() => self.threads.push(thread),
            Ok(_) => {} // detached: it ends when its client is served
            Err(err) => common::warn(format_args!(
                "cannot start a thread for {client_addr} ({err}): closing it"
            )),
        }
    }

    /// `--count`: lets the clients in flight finish, and the busy answerer.
    pub fn wait(self) {
        for thread in self.threads {
            let _ = thread.join();
        }
        drop(self.busy);
        let _ = self.busy_answerer.join();
    }
}

/// An `accept` that failed (e.g. out of file descriptors): said, and after a
/// short pause the server keeps serving.
pub fn cannot_accept(err: &io::Error) {
    common::warn(format_args!("cannot accept a client: {err}"));
    thread::sleep(Duration::from_millis(100));
}

/// What a client asked for (step 5), its name decoded once.
#[derive(Debug, Clone)]
pub struct Asked {
    /// Who asked.
    pub from: SocketAddr,
    /// How to answer.
    pub protocol: Protocol,
    /// The name as text, for the log (U+FFFD where a byte is not valid in
    /// the encoding).
    pub shown: String,
    /// The name to open, or why it is refused before anything is opened:
    /// bytes that break the rule of names ([`protocol::check_name`]), or are
    /// not valid in `--encoding`, or a request that is not one.
    pub name: std::result::Result<String, Refusal>,
}

impl Asked {
    /// Decodes what step 5 read, once, with `codec`. `None` (logged) when
    /// there is nothing to answer: the client closed without asking, was
    /// too slow, or went away.
    pub fn decode(
        request: io::Result<Request>,
        codec: Codec,
        from: SocketAddr,
        opt: &Options,
    ) -> Option<Asked> {
        match request {
            Ok(Request::Name { protocol, name }) => {
                let decoded = codec.decode(&name);
                let checked = match protocol::check_name(&name) {
                    Err(bad) => Err(Refusal::new(bad.to_string())),
                    Ok(()) if decoded.replaced > 0 => Err(Refusal::new(format!(
                        "the name is not valid {} (is the client using another --encoding?)",
                        codec.name()
                    ))),
                    Ok(()) => Ok(decoded.text.clone()),
                };
                Some(Asked { from, protocol, shown: decoded.text, name: checked })
            }
            Ok(Request::Bad { protocol, reason }) => Some(Asked {
                from,
                protocol,
                shown: "(bad request)".into(),
                name: Err(Refusal::new(reason)),
            }),
            Ok(Request::Nothing) => {
                common::errln!("{from} closed without asking for a file");
                None
            }
            Err(err) if net::is_timeout(&err) => {
                common::errln!(
                    "{from} sent no whole request within {:?} (--request-timeout): \
                     closing it",
                    opt.limits.request_timeout
                );
                None
            }
            Err(err) => {
                common::errln!("cannot receive a file name from {from}: {err}");
                None
            }
        }
    }
}

/// Step 7's wait: after an answer, [`LINGER`]; with nothing answered, none.
pub fn linger(asked: &Option<Asked>) -> Duration {
    if asked.is_some() { LINGER } else { Duration::ZERO }
}

/// The answer line of a file about to be sent: `OK SIZE\n` framed, nothing
/// classic (the close will say "that was all").
fn answer_line(protocol: Protocol, size: u64) -> Vec<u8> {
    match protocol {
        Protocol::Framed => format!("OK {size}\n").into_bytes(),
        Protocol::Classic => Vec::new(),
    }
}

/// What step 6 sends: the answer line (framed), then the file's SIZE bytes,
/// through a 1 MiB buffer. `std::io::copy` is sendall for a whole file; std
/// hands copies to the kernel (copy_file_range, splice) where that is safe,
/// but not file -> socket (sendfile could send bytes changed after the
/// call), so this buffer makes a few large calls instead of one per 8 KiB.
pub fn answer(file: &mut ServedFile, protocol: Protocol) -> impl Read + '_ {
    let line = Cursor::new(answer_line(protocol, file.size));
    BufReader::with_capacity(SEND_BUFFER, line.chain((&mut file.file).take(file.size)))
}

/// Refuses a request: `ERR REASON` in the framed protocol, silence in the
/// classic one (all it can say). Logged either way.
pub fn refuse(client_socket: &TcpStream, asked: &Asked, refusal: &Refusal) {
    let (shown, from, protocol) = (&asked.shown, asked.from, asked.protocol);
    common::errln!("refused {shown:?} ({protocol}) for {from}: {refusal}");
    if protocol == Protocol::Framed {
        // REASON is plain ASCII (see root::Refusal), one line.
        let answer = format!("ERR {refusal}\n");
        if let Err(err) = (&mut &*client_socket).write_all(answer.as_bytes()) {
            common::errln!("cannot answer {from}: {err}");
        }
    }
}

/// The client socket as a writer that ends a transfer making no progress:
/// the client must take [`PROGRESS`] bytes within `send_timeout`, again and
/// again. (`write_all` on the bare socket would retry after every partial
/// send, each with a fresh timeout: a client taking one byte every 20 s
/// would hold its thread for ever.) Each call writes at most up to the next
/// multiple of [`PROGRESS`], so that it returns — and the deadline moves on —
/// as soon as the client has taken them. It also logs the transfer.
#[derive(Debug)]
pub struct Paced<'a> {
    socket: &'a TcpStream,
    send_timeout: Duration,
    /// When the client must have taken the next [`PROGRESS`] bytes.
    deadline: Instant,
    /// The socket's SO_SNDTIMEO, as last set.
    timeout: Duration,
    /// Bytes taken since the deadline last moved.
    taken: u64,
    /// Bytes taken in all, the answer line included.
    sent: u64,
    /// Whether the transfer was ended for want of progress.
    stalled: bool,
    /// For the log: what was asked, how long the answer line and the file are.
    shown: String,
    to: SocketAddr,
    line: u64,
    size: u64,
}

impl<'a> Paced<'a> {
    /// The writer for sending `file` to the client who `asked`; logs the
    /// request (`ADDR asks for "NAME" (framed): N bytes`).
    pub fn new(
        socket: &'a TcpStream,
        asked: &Asked,
        file: &ServedFile,
        opt: &Options,
    ) -> Paced<'a> {
        let (shown, to, size) = (asked.shown.clone(), asked.from, file.size);
        let protocol = asked.protocol;
        common::errln!("{to} asks for {shown:?} ({protocol}): {}", crate::bytes(size));
        Paced {
            socket,
            send_timeout: opt.limits.send_timeout,
            deadline: Instant::now() + opt.limits.send_timeout,
            timeout: Duration::ZERO,
            taken: 0,
            sent: 0,
            stalled: false,
            shown,
            to,
            line: answer_line(protocol, size).len() as u64,
            size,
        }
    }

    /// Logs how the transfer ended (`sent` is what `io::copy` returned).
    pub fn report(&self, sent: io::Result<u64>) {
        let (shown, to, size) = (&self.shown, self.to, self.size);
        match sent.map(|sent| sent.saturating_sub(self.line)) {
            Ok(sent) if sent == size => {
                common::errln!("sent {} of {shown:?} to {to}", crate::bytes(sent));
            }
            Ok(sent) => common::errln!(
                "sent only {sent} of {} of {shown:?} to {to}: the file changed while it \
                 was sent",
                crate::bytes(size)
            ),
            Err(_) if self.stalled => common::errln!(
                "gave up sending {shown:?} to {to} after {} of {} bytes: it took less \
                 than {} KiB within {:?} (--send-timeout); still serving",
                self.sent.saturating_sub(self.line),
                size,
                PROGRESS / 1024,
                self.send_timeout
            ),
            Err(err) => common::errln!(
                "cannot send {shown:?} to {to}: {err} (the client went away; still \
                 serving)"
            ),
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
#[derive(Debug)]
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

/// Step 7, `client_socket.close()`, done gently: closes our side, then reads
/// (and drops) what the client may still send, for at most `linger` in all
/// and 1 MiB: closing a socket with unread bytes makes the OS send a reset,
/// which can destroy an `ERR` line before the client reads it. The deadline
/// is for the whole wait, not for each read, so a client sending a byte now
/// and then cannot stretch it.
pub fn close_gently(client_socket: TcpStream, linger: Duration) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn options() -> Options {
        Options {
            root: crate::root::Root::new(std::path::Path::new(".")).unwrap(),
            encoding: Codec::UTF_8,
            count: None,
            limits: crate::args::Limits {
                max_clients: 1,
                request_timeout: Duration::from_secs(1),
                send_timeout: Duration::from_secs(1),
            },
            say: common::explain::Narrator::silent(),
        }
    }

    fn decode(name: &[u8], codec: Codec) -> Asked {
        let request =
            Ok(Request::Name { protocol: Protocol::Framed, name: name.to_vec() });
        let from = "127.0.0.1:1".parse().unwrap();
        Asked::decode(request, codec, from, &options()).unwrap()
    }

    #[test]
    fn names_are_decoded_once_and_bad_bytes_refused() {
        let utf8 = Codec::UTF_8;
        for bad in [&b""[..], b"a\0b", b"a\nb", &[b'a'; protocol::MAX_NAME + 1]] {
            assert!(decode(bad, utf8).name.is_err(), "{bad:?}");
        }
        let gbk = decode(b"\xca\xfd\xbe\xdd", utf8);
        assert!(gbk.name.unwrap_err().reason.contains("not valid utf-8"));
        assert!(gbk.shown.contains('\u{FFFD}'), "{}", gbk.shown);
        let gbk = decode(b"\xca\xfd\xbe\xdd", Codec::GBK);
        assert_eq!((gbk.name.unwrap(), gbk.shown), ("数据".into(), "数据".into()));
    }

    #[test]
    fn the_answer_is_the_line_then_the_file() {
        let dir = testkit::TempDir::new("fd-answer");
        std::fs::write(dir.join("f"), "hello").unwrap();
        let root = crate::root::Root::new(dir.path()).unwrap();
        let mut framed = Vec::new();
        answer(&mut root.open("f").unwrap(), Protocol::Framed)
            .read_to_end(&mut framed)
            .unwrap();
        assert_eq!(framed, b"OK 5\nhello");
        let mut classic = Vec::new();
        answer(&mut root.open("f").unwrap(), Protocol::Classic)
            .read_to_end(&mut classic)
            .unwrap();
        assert_eq!(classic, b"hello");
    }
}
