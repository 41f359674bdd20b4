//! The tool around the steps, shared by every `--mode`: what the server prints
//! about its clients (`connected: ADDR`, `ADDR: TEXT`, `closed: ADDR (why)`),
//! what it answers (the same bytes, or `--reply`), and everything beyond the
//! lesson — the `listening on` line, the socket file of `unix:PATH`, the
//! open-file limit, `--max-clients`, `--idle-timeout`.
//!
//! The steps (`steps.rs` and the `steps` region of each mode's file) call
//! [`Service::listen`] for steps 1 to 4, [`Service::admit`] after `accept`,
//! and a [`Log`] for each piece that arrives and when a client is closed.

use std::io::{self, ErrorKind, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::encoding::{StreamDecoder, without_line_ending};
use common::explain::Narrator;
use common::{Codec, Endpoint, Result};
use socket2::{SockAddr, Socket};

use crate::args::Args;
use crate::endpoint::{self, SocketFile};
use crate::narration;
use crate::steps::{self, Options};

/// What the server does with each client, and what it keeps while it runs.
#[derive(Debug)]
pub struct Service {
    /// The bytes of --reply, or `None` to send back what arrived.
    reply: Option<Vec<u8>>,
    /// --encoding, for printing what arrives.
    codec: Codec,
    /// --idle-timeout.
    pub idle_timeout: Option<Duration>,
    /// --max-clients.
    max_clients: Option<u64>,
    /// --no-reuseaddr, for the hint when bind fails.
    no_reuseaddr: bool,
    /// Whether the mode serves many clients at once (and so needs many sockets).
    serves_many: bool,
    /// Clients accepted so far: AF_UNIX clients are named by their number.
    accepted: AtomicU64,
    /// Clients being served now, for --max-clients.
    active: AtomicU64,
    /// The socket file of `unix:PATH`, removed when the server stops.
    socket_file: Mutex<Option<SocketFile>>,
}

impl Service {
    /// The service the arguments describe. --reply is encoded once, now: text
    /// the encoding cannot represent is refused before anything is bound.
    pub fn new(args: &Args) -> Result<Service> {
        let codec = args.common.encoding;
        Ok(Service {
            reply: args.reply.as_deref().map(|text| codec.encode(text)).transpose()?,
            codec,
            idle_timeout: args.idle_timeout,
            max_clients: args.max_clients,
            no_reuseaddr: args.no_reuseaddr,
            serves_many: args.mode.serves_many(),
            accepted: AtomicU64::new(0),
            active: AtomicU64::new(0),
            socket_file: Mutex::new(None),
        })
    }

    /// Steps 1 to 4 (`steps::open`), then what the server needs beyond them:
    /// a stale socket file of `unix:PATH` removed before bind and its own
    /// removed at the end, the `listening on ADDR` line, a higher open-file
    /// limit for the modes that serve many clients. Errors say what failed.
    pub fn listen(&self, local: &Endpoint, opt: &Options) -> Result<Socket> {
        if let Endpoint::Unix(path) = local {
            SocketFile::prepare(path)?;
        }
        let tcp_server = steps::open(local, opt).map_err(|err| {
            crate::open_error(&err, opt.say.last_step(), local, self.no_reuseaddr)
        })?;
        if let Endpoint::Unix(path) = local {
            let file = SocketFile::remove_on_exit(path);
            *self.socket_file.lock().unwrap_or_else(|e| e.into_inner()) = Some(file);
        }
        common::announce_listening(endpoint::bound_endpoint(&tcp_server, local)?);
        if self.serves_many {
            raise_open_file_limit(&opt.say);
        }
        Ok(tcp_server)
    }

    /// After `accept` (step 5): the client's socket and its log, or `None`
    /// when accept failed (warned about, and never a reason to stop) or the
    /// client is refused (past --max-clients). Prints `connected: ADDR`, and
    /// sets --idle-timeout on the socket.
    pub fn admit<'a>(
        &'a self,
        accepted: io::Result<(Socket, SockAddr)>,
        say: &'a Narrator,
    ) -> Option<(Socket, Log<'a>)> {
        let (client, addr) = accept_result(accepted)?;
        let log = self.welcome(&client, &addr, say)?;
        // A client that stays silent, or does not read its answers, is closed
        // after --idle-timeout (Python: settimeout).
        let timeouts = client
            .set_read_timeout(self.idle_timeout)
            .and_then(|()| client.set_write_timeout(self.idle_timeout));
        if let Err(err) = timeouts {
            common::warn(format_args!(
                "cannot set --idle-timeout for {}: {err}",
                log.peer
            ));
        }
        Some((client, log))
    }

    /// A new client: its name and log, or `None` when it is refused, past
    /// --max-clients (it is told why, then closed). Prints `connected: ADDR`.
    pub fn welcome<'a>(
        &'a self,
        client: &Socket,
        addr: &SockAddr,
        say: &'a Narrator,
    ) -> Option<Log<'a>> {
        let number = self.accepted.fetch_add(1, Ordering::SeqCst) + 1;
        let peer = endpoint::peer_name(addr, number);
        if let Some(max) = self.max_clients
            && self.active.load(Ordering::SeqCst) >= max
        {
            self.refuse(client, &peer, max);
            return None;
        }
        self.active.fetch_add(1, Ordering::SeqCst);
        common::outln!("connected: {peer}");
        Some(Log { text: StreamDecoder::new(self.codec), peer, service: self, say })
    }

    /// What to send back for `data`: --reply's bytes, or `data` itself.
    pub fn answer<'d>(&'d self, data: &'d [u8]) -> &'d [u8] {
        self.reply.as_deref().unwrap_or(data)
    }

    /// Past --max-clients: say so, and close.
    fn refuse(&self, client: &Socket, peer: &str, max: u64) {
        common::outln!(
            "refused: {peer} (already serving {max} client(s), --max-clients {max})"
        );
        let text = format!(
            "busy: this server already serves {max} client(s) (--max-clients {max}); \
             try again later\n"
        );
        // Plain ASCII: every encoding the course offers can write it, and a
        // fresh socket's send buffer takes these few bytes at once.
        let busy = self.codec.encode(&text).unwrap_or_else(|_| text.into_bytes());
        let _ = (&*client).write_all(&busy);
        // FIN after the message: the client reads it, then the end of the stream.
        let _ = client.shutdown(std::net::Shutdown::Write);
    }
}

/// `accept()`'s result, or `None`: quietly when nobody is waiting on a
/// non-blocking socket, after a warning otherwise (a client that gave up while
/// waiting, too many open files): none of that may stop the server.
pub fn accept_result(
    accepted: io::Result<(Socket, SockAddr)>,
) -> Option<(Socket, SockAddr)> {
    match accepted {
        Ok(accepted) => Some(accepted),
        Err(err) => {
            if err.kind() != ErrorKind::Interrupted
                && err.kind() != ErrorKind::WouldBlock
            {
                common::warn(format_args!("accept failed: {err}; still listening"));
                // Too many open files: wait for clients to leave instead of spinning.
                std::thread::sleep(Duration::from_millis(50));
            }
            None
        }
    }
}

/// Why a client's step 6 ended before the client closed: which call failed.
#[derive(Debug)]
pub enum Ending {
    /// `recv` failed: reset by the client, or silent for --idle-timeout.
    Recv(io::Error),
    /// `sendall` failed: the client is gone, or did not read for --idle-timeout.
    Send(io::Error),
    /// The --greeting could not be sent.
    Greeting(io::Error),
}

impl Ending {
    /// A client that was silent (`sending == false`) or did not take its
    /// answers (`sending == true`) for --idle-timeout, in the modes that
    /// measure the time themselves.
    pub fn idle(sending: bool) -> Ending {
        let timeout = io::Error::from(ErrorKind::TimedOut);
        if sending { Ending::Send(timeout) } else { Ending::Recv(timeout) }
    }
}

/// What the server prints about one client while it is served. Counted as
/// active (for --max-clients) until it is dropped.
#[derive(Debug)]
pub struct Log<'a> {
    /// How the client is named: `127.0.0.1:50312`, or `unix-client-N`.
    pub peer: String,
    text: StreamDecoder,
    service: &'a Service,
    say: &'a Narrator,
}

impl Log<'_> {
    /// Step 6, between `recv` and `send`: prints what arrived as `ADDR: TEXT`
    /// and returns what to send back (nothing is printed while a piece holds
    /// only the first bytes of a character: they are printed with the next).
    pub fn received<'d>(&mut self, data: &'d [u8]) -> &'d [u8]
    where
        Self: 'd,
    {
        let piece = self.text.push(data, &self.peer);
        if !piece.is_empty() {
            common::outln!("{}: {}", self.peer, without_line_ending(&piece));
        }
        self.service.answer(data)
    }

    /// [`Log::received`] for the blocking modes, which then `sendall`
    /// the answer at once: narrated as part of step 6.
    pub fn answer<'d>(&mut self, data: &'d [u8]) -> &'d [u8]
    where
        Self: 'd,
    {
        let answer = self.received(data);
        narration::sending(self.say, "sendall(data)", "Write::write_all");
        answer
    }

    /// After step 7: the rest of a character left unfinished, then
    /// `closed: ADDR`, with the reason when the client did not just close.
    pub fn closed(mut self, ended: std::result::Result<(), Ending>) {
        if let Some(rest) = self.text.finish(&self.peer) {
            common::outln!("{}: {rest}", self.peer);
        }
        let why = match ended {
            Ok(()) => String::new(),
            Err(ending) => self.why(&ending),
        };
        // Uncounted before the `closed:` line, so whoever reads that line can
        // connect again without being refused.
        let peer = std::mem::take(&mut self.peer);
        drop(self);
        common::outln!("closed: {peer}{why}");
    }

    /// Why a connection ended early, for the `closed:` line.
    fn why(&self, ending: &Ending) -> String {
        let idle = self.service.idle_timeout;
        match ending {
            Ending::Recv(err) if common::net::is_timeout(err) && idle.is_some() => {
                let secs = idle.map_or(0.0, |idle| idle.as_secs_f64());
                format!(" (silent for {secs}s: --idle-timeout)")
            }
            Ending::Recv(err) => format!(" ({})", describe(err)),
            Ending::Send(err) => format!(" (cannot answer: {})", describe(err)),
            Ending::Greeting(err) => {
                format!(" (cannot send the greeting: {})", describe(err))
            }
        }
    }
}

impl Drop for Log<'_> {
    fn drop(&mut self) {
        self.service.active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn describe(err: &io::Error) -> String {
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
fn raise_open_file_limit(say: &Narrator) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => say.remark(format_args!(
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
fn raise_open_file_limit(_say: &Narrator) {}
