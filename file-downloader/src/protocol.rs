//! The two protocols on the wire, and how the server tells them apart.
//!
//! **Classic** (the tutorial's, and the Python listings'): the client sends the
//! bare file name; the server sends the bytes and closes, or closes with
//! nothing when it cannot. The close is the only end marker, so an empty file,
//! a missing file and a cut transfer all look alike.
//!
//! **Framed** (`file-downloader`'s default): the client sends `GET NAME\n`;
//! the server answers `OK SIZE\n` and exactly SIZE bytes, or `ERR REASON\n`.
//! A TCP stream has no message boundaries; the newline and the size are the
//! boundaries the protocol adds itself.
//!
//! **Telling them apart.** A request ends at its first newline, when the
//! client closes its side, or when nothing more arrives for [`QUIET`] (a
//! classic client sends its name and then waits in silence). A request that
//! starts with `GET ` and ends with a newline is framed; anything else is a
//! classic bare name. A classic name can never hold a newline (such names are
//! refused), so a classic request for a file literally named `GET x` — sent
//! without a newline — is served as that file, classic, after the pause.

use std::io::{self, Read};
use std::time::{Duration, Instant};

/// The longest file name accepted, in bytes on the wire (the lesson's
/// `recv(1024)` reads at most this much).
pub const MAX_NAME: usize = 1024;

/// Why a name cannot travel in a request: the one rule for names on the wire,
/// which the client checks before it sends and the server when a name arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadName {
    /// No bytes at all.
    Empty,
    /// More than [`MAX_NAME`] bytes (this many).
    TooLong(usize),
    /// A NUL byte, which no file system allows in a name.
    Nul,
    /// A `\n` or `\r`: the end of a framed request, so never part of a name.
    LineBreak,
}

impl std::fmt::Display for BadName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadName::Empty => f.write_str("empty file name"),
            BadName::TooLong(len) => write!(
                f,
                "the name is {len} bytes long; at most {MAX_NAME} are allowed"
            ),
            BadName::Nul => f.write_str("the name contains a NUL byte"),
            BadName::LineBreak => f.write_str("the name contains a line break"),
        }
    }
}

/// Checks the bytes of a name (encoded: the rule is about what travels):
/// not empty, at most [`MAX_NAME`] bytes, no NUL, no line break.
pub fn check_name(name: &[u8]) -> Result<(), BadName> {
    if name.is_empty() {
        Err(BadName::Empty)
    } else if name.len() > MAX_NAME {
        Err(BadName::TooLong(name.len()))
    } else if name.contains(&0) {
        Err(BadName::Nul)
    } else if name.contains(&b'\n') || name.contains(&b'\r') {
        Err(BadName::LineBreak)
    } else {
        Ok(())
    }
}

/// The longest request: `GET `, a name of [`MAX_NAME`] bytes, `\r\n`.
pub const MAX_REQUEST: usize = 4 + MAX_NAME + 2;

/// How long a request may pause before the server takes what arrived as a
/// whole classic name.
pub const QUIET: Duration = Duration::from_millis(200);

/// The longest answer line (`OK SIZE` or `ERR REASON`) a client accepts.
pub const MAX_ANSWER: usize = 1024;

/// Which protocol a request (and so its answer) uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// The bare name; the bytes; close.
    Classic,
    /// `GET NAME\n`; `OK SIZE\n` + bytes, or `ERR REASON\n`.
    Framed,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Classic => "classic",
            Protocol::Framed => "framed",
        })
    }
}

/// What a client asked for, as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A file name (still bytes: the server decodes it with `--encoding`).
    Name {
        /// How to answer.
        protocol: Protocol,
        /// The name as it arrived.
        name: Vec<u8>,
    },
    /// Not a request that can be served; answered in `protocol`.
    Bad {
        /// How to answer.
        protocol: Protocol,
        /// Why, in words (ASCII: it goes into an `ERR` line).
        reason: String,
    },
    /// The client closed without sending a byte.
    Nothing,
}

/// Reads one request: until a newline, the client's close, a pause of
/// [`QUIET`], or more than [`MAX_REQUEST`] bytes — all within `timeout` of
/// the call, however the bytes trickle in. A client that sends a byte every
/// 100 ms never pauses for [`QUIET`]; the overall deadline is what ends it
/// (a `TimedOut` error), instead of each byte buying it another wait.
pub fn read_request(
    stream: &mut impl ReadWithTimeout,
    timeout: Duration,
) -> io::Result<Request> {
    let deadline = Instant::now() + timeout;
    let mut request = Vec::with_capacity(256);
    let mut chunk = [0u8; MAX_REQUEST + 1];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(too_slow(timeout));
        }
        // After the first bytes, a pause of QUIET ends a classic request.
        let wait = if request.is_empty() { left } else { left.min(QUIET) };
        stream.set_timeout(Some(wait))?;
        let room = MAX_REQUEST + 1 - request.len();
        match stream.read(&mut chunk[..room]) {
            // read() returning 0 is Python's empty recv(): the client closed its side.
            Ok(0) => break,
            // Only the first n bytes arrived; the rest of `chunk` is stale.
            Ok(n) => request.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) if common::net::is_timeout(&err) => {
                if !request.is_empty() && wait == QUIET {
                    break; // the pause that ends a classic name
                }
                return Err(too_slow(timeout));
            }
            Err(err) => return Err(err),
        }
        if request.contains(&b'\n') || request.len() > MAX_REQUEST {
            break;
        }
    }
    stream.set_timeout(None)?;
    Ok(parse_request(&request))
}

/// The error of a request still not whole after `timeout`.
fn too_slow(timeout: Duration) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("no whole request within {timeout:?}"),
    )
}

/// Classifies the bytes of a complete request (see the module docs).
pub fn parse_request(request: &[u8]) -> Request {
    if request.is_empty() {
        return Request::Nothing;
    }
    let looks_framed = request.starts_with(b"GET ");
    let protocol = if looks_framed { Protocol::Framed } else { Protocol::Classic };
    match request.iter().position(|&byte| byte == b'\n') {
        Some(end) if looks_framed => {
            if end + 1 != request.len() {
                return Request::Bad {
                    protocol,
                    reason:
                        "bytes after the request line (a name cannot hold a newline)"
                            .into(),
                };
            }
            // `nc` and `telnet` users may end the line with \r\n.
            let line = &request[4..end];
            let name = line.strip_suffix(b"\r").unwrap_or(line);
            Request::Name { protocol, name: name.to_vec() }
        }
        None if request.len() > MAX_REQUEST => Request::Bad {
            protocol,
            reason: format!("the request is longer than {MAX_REQUEST} bytes"),
        },
        // A bare name; one holding a newline is refused by `check_name`.
        _ => Request::Name { protocol: Protocol::Classic, name: request.to_vec() },
    }
}

/// A stream whose reads can time out: `TcpStream`, or a test double.
pub trait ReadWithTimeout: Read {
    /// `settimeout` for reads (`None`: wait forever).
    fn set_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;
}

impl ReadWithTimeout for std::net::TcpStream {
    fn set_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }
}

/// The framed request line for `name` (already encoded): `GET NAME\n`.
pub fn framed_request(name: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(name.len() + 5);
    line.extend_from_slice(b"GET ");
    line.extend_from_slice(name);
    line.push(b'\n');
    line
}

/// The server's framed answer, as the client read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `OK SIZE`: SIZE bytes follow.
    Ok(u64),
    /// `ERR REASON`: nothing follows.
    Err(String),
}

/// Parses an answer line (without its newline); `None` when it is neither
/// `OK SIZE` nor `ERR REASON`.
pub fn parse_answer(line: &[u8]) -> Option<Answer> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(size) = line.strip_prefix(b"OK ") {
        let size = std::str::from_utf8(size).ok()?;
        if size.is_empty() || !size.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        return size.parse().ok().map(Answer::Ok);
    }
    let reason =
        line.strip_prefix(b"ERR ").or(if line == b"ERR" { Some(b"") } else { None })?;
    Some(Answer::Err(String::from_utf8_lossy(reason).into_owned()))
}

/// Reads the answer line one byte at a time, so that not one byte of the
/// file that follows is swallowed. Returns the line without its newline, or
/// what arrived before the server closed or the line grew too long.
pub fn read_answer_line(stream: &mut impl Read) -> io::Result<(Vec<u8>, bool)> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < MAX_ANSWER {
        match stream.read(&mut byte) {
            Ok(0) => return Ok((line, false)),
            Ok(_) if byte[0] == b'\n' => return Ok((line, true)),
            Ok(_) => line.push(byte[0]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
    Ok((line, false))
}

/// What a framed client found after the SIZE bytes of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Nothing: the server closed, or stayed quiet for [`QUIET`].
    None,
    /// This many bytes, then the server closed.
    Closed(u64),
    /// At least this many bytes: the server kept sending (or went quiet)
    /// after [`MAX_EXTRA`] of them, or for longer than [`QUIET`].
    AtLeast(u64),
}

/// The most a client reads past the end of the file to count stray bytes…
pub const MAX_EXTRA: u64 = 1 << 20;

/// …and the longest it spends counting them.
pub const MAX_EXTRA_WAIT: Duration = Duration::from_secs(1);

/// Framed, client: reads what arrives after the SIZE bytes — waiting at most
/// [`QUIET`] for each piece, reading at most [`MAX_EXTRA`] bytes in at most
/// [`MAX_EXTRA_WAIT`] — and tells how many there were. A server that answers
/// correctly closes at once after the file: that costs no wait.
pub fn bytes_after_the_end(stream: &mut impl ReadWithTimeout) -> Extra {
    if stream.set_timeout(Some(QUIET)).is_err() {
        return Extra::None;
    }
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16 * 1024];
    let mut extra: u64 = 0;
    while extra < MAX_EXTRA && started.elapsed() < MAX_EXTRA_WAIT {
        match stream.read(&mut buf) {
            // read() returning 0: the server closed, as it should.
            Ok(0) => {
                return if extra == 0 { Extra::None } else { Extra::Closed(extra) };
            }
            Ok(n) => extra += n as u64,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            // Quiet, or reset: nothing more to count.
            Err(_) => break,
        }
    }
    if extra == 0 { Extra::None } else { Extra::AtLeast(extra) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn name(protocol: Protocol, name: &[u8]) -> Request {
        Request::Name { protocol, name: name.to_vec() }
    }

    #[test]
    fn framed_requests_end_with_a_newline() {
        assert_eq!(parse_request(b"GET a.txt\n"), name(Protocol::Framed, b"a.txt"));
        assert_eq!(parse_request(b"GET a.txt\r\n"), name(Protocol::Framed, b"a.txt"));
        assert_eq!(parse_request(b"GET \n"), name(Protocol::Framed, b""));
    }

    #[test]
    fn everything_else_is_a_classic_name() {
        assert_eq!(parse_request(b"a.txt"), name(Protocol::Classic, b"a.txt"));
        // A file literally named "GET x", asked for the classic way.
        assert_eq!(parse_request(b"GET x"), name(Protocol::Classic, b"GET x"));
        // A classic name with a newline: classic (and refused when checked).
        assert_eq!(parse_request(b"a\nb"), name(Protocol::Classic, b"a\nb"));
        assert_eq!(parse_request(b""), Request::Nothing);
    }

    #[test]
    fn bad_requests_keep_their_protocol() {
        assert!(matches!(
            parse_request(b"GET a\nb\n"),
            Request::Bad { protocol: Protocol::Framed, .. }
        ));
        let long = vec![b'a'; MAX_REQUEST + 1];
        assert!(matches!(
            parse_request(&long),
            Request::Bad { protocol: Protocol::Classic, .. }
        ));
        let mut long = b"GET ".to_vec();
        long.resize(MAX_REQUEST + 1, b'a');
        assert!(matches!(
            parse_request(&long),
            Request::Bad { protocol: Protocol::Framed, .. }
        ));
    }

    #[test]
    fn names_follow_one_rule() {
        assert_eq!(check_name(b"\xca\xfd\xbe\xdd.txt"), Ok(()));
        assert_eq!(check_name(b""), Err(BadName::Empty));
        assert_eq!(check_name(b"a\0b"), Err(BadName::Nul));
        assert_eq!(check_name(b"a\nb"), Err(BadName::LineBreak));
        assert_eq!(check_name(b"a\rb"), Err(BadName::LineBreak));
        assert_eq!(check_name(&[b'a'; MAX_NAME]), Ok(()));
        assert_eq!(
            check_name(&[b'a'; MAX_NAME + 1]),
            Err(BadName::TooLong(MAX_NAME + 1))
        );
    }

    #[test]
    fn answers() {
        assert_eq!(parse_answer(b"OK 0"), Some(Answer::Ok(0)));
        assert_eq!(parse_answer(b"OK 1048577"), Some(Answer::Ok(1_048_577)));
        assert_eq!(
            parse_answer(b"ERR no such file"),
            Some(Answer::Err("no such file".into()))
        );
        assert_eq!(parse_answer(b"ERR"), Some(Answer::Err(String::new())));
        for bad in [
            &b"OK"[..],
            b"OK -1",
            b"OK 1x",
            b"OK ",
            b"hello",
            b"OK 99999999999999999999999",
        ] {
            assert_eq!(parse_answer(bad), None, "{bad:?}");
        }
    }

    /// A request that arrives in pieces, then pauses.
    struct Pieces(Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let piece = self.0.remove(0);
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.0.insert(0, piece[n..].to_vec());
            }
            Ok(n)
        }
    }

    impl ReadWithTimeout for Pieces {
        fn set_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn requests_are_read_across_pieces() {
        let patience = Duration::from_secs(30);
        let mut framed = Pieces(vec![b"GE".to_vec(), b"T a".to_vec(), b"\n".to_vec()]);
        assert_eq!(
            read_request(&mut framed, patience).unwrap(),
            name(Protocol::Framed, b"a")
        );
        let mut classic = Pieces(vec![b"GET".to_vec(), b" x".to_vec()]);
        assert_eq!(
            read_request(&mut classic, patience).unwrap(),
            name(Protocol::Classic, b"GET x")
        );
        let mut silent = Pieces(vec![]);
        let silence = read_request(&mut silent, patience).unwrap_err();
        assert_eq!(silence.kind(), io::ErrorKind::TimedOut);
        let mut flood = Pieces(vec![vec![b'a'; 100_000]]);
        assert!(matches!(
            read_request(&mut flood, patience).unwrap(),
            Request::Bad { .. }
        ));
    }

    /// A client that sends one byte every millisecond and never pauses.
    struct Dribble;

    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(Duration::from_millis(1));
            buf[0] = b'a';
            Ok(1)
        }
    }

    impl ReadWithTimeout for Dribble {
        fn set_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_dribbling_request_meets_the_overall_deadline() {
        // 1031 bytes would take a second; the deadline comes first.
        let start = Instant::now();
        let err = read_request(&mut Dribble, Duration::from_millis(50)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() < Duration::from_millis(500), "{:?}", start.elapsed());
    }

    #[test]
    fn stray_bytes_after_the_file_are_counted() {
        let mut whole: &[u8] = b"";
        assert_eq!(bytes_after_the_end(&mut Closing(whole)), Extra::None);
        whole = b"EXTRA";
        assert_eq!(bytes_after_the_end(&mut Closing(whole)), Extra::Closed(5));
        let mut quiet = Pieces(vec![b"abc".to_vec()]);
        assert_eq!(bytes_after_the_end(&mut quiet), Extra::AtLeast(3));
        let mut silent = Pieces(vec![]);
        assert_eq!(bytes_after_the_end(&mut silent), Extra::None);
        let mut flood = Pieces(vec![vec![b'x'; 3 << 20]]);
        assert_eq!(bytes_after_the_end(&mut flood), Extra::AtLeast(MAX_EXTRA));
    }

    /// Bytes, then the peer's close.
    struct Closing<'a>(&'a [u8]);

    impl Read for Closing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl ReadWithTimeout for Closing<'_> {
        fn set_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn answer_lines_stop_at_the_newline() {
        let mut stream: &[u8] = b"OK 3\nabc";
        assert_eq!(read_answer_line(&mut stream).unwrap(), (b"OK 3".to_vec(), true));
        assert_eq!(stream, b"abc");
        let mut closed: &[u8] = b"OK";
        assert_eq!(read_answer_line(&mut closed).unwrap(), (b"OK".to_vec(), false));
    }
}
