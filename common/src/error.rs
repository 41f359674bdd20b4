//! Errors a student can act on: one line `error: … (hint: …)`, exit status 1.
//!
//! Everything a user or a peer can cause — a port in use, a low port without
//! rights, nothing listening, a timeout, a vanished peer — ends up here as an
//! [`Error`] with a hint, never as a panic or a backtrace.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// The result type of every lesson's `run` function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, and what the student can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    hint: Option<String>,
    kind: Option<io::ErrorKind>,
}

impl Error {
    /// An error with a message and no hint yet.
    pub fn new(message: impl fmt::Display) -> Error {
        Error { message: message.to_string(), hint: None, kind: None }
    }

    /// Adds (or replaces) the hint.
    pub fn hint(mut self, hint: impl fmt::Display) -> Error {
        self.hint = Some(hint.to_string());
        self
    }

    /// The message, without the hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `io::ErrorKind` behind this error, when it came from the OS.
    pub fn kind(&self) -> Option<io::ErrorKind> {
        self.kind
    }

    /// `cannot ACTION WHAT: REASON`, with a hint chosen from the error's kind.
    pub fn io(action: &str, what: impl fmt::Display, err: &io::Error) -> Error {
        let what = what.to_string();
        let reason = reason(err);
        let message = if what.is_empty() {
            format!("cannot {action}: {reason}")
        } else {
            format!("cannot {action} {what}: {reason}")
        };
        Error { message, hint: hint_for(err, &what), kind: Some(err.kind()) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<crate::encoding::EncodeError> for Error {
    fn from(err: crate::encoding::EncodeError) -> Error {
        Error::new(format!("{err}: nothing was sent")).hint(
            "remove the character, or choose an encoding that has it (--encoding utf-8 or gb18030)",
        )
    }
}

impl From<crate::addr::AddrError> for Error {
    fn from(err: crate::addr::AddrError) -> Error {
        Error::new(err)
    }
}

/// Adds `.during("bind", addr)` to `io::Result`, turning an OS error into an
/// [`Error`] that says what was being done, to what, and what to try.
///
/// It is anyhow's `.context(…)` in spirit, with one difference that is the
/// reason it exists: the hint is chosen from the OS error's kind *and* the
/// address (a port in use, a low port, nothing listening), and the whole
/// error stays one line, `error: cannot bind 127.0.0.1:80: permission denied
/// (hint: …)`, never a chain of causes. No dependency does both.
pub trait IoResultExt<T> {
    /// Wraps the error as `cannot ACTION WHAT: REASON (hint: …)`.
    fn during(self, action: &str, what: impl fmt::Display) -> Result<T>;
}

impl<T> IoResultExt<T> for io::Result<T> {
    fn during(self, action: &str, what: impl fmt::Display) -> Result<T> {
        self.map_err(|err| Error::io(action, what, &err))
    }
}

/// The OS's reason without Rust's `(os error 98)` suffix, starting lower-case.
fn reason(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The hint for the failures students meet most.
fn hint_for(err: &io::Error, what: &str) -> Option<String> {
    use io::ErrorKind::*;
    let port = what.rsplit_once(':').map(|(_, port)| port).unwrap_or("");
    let low_port = port.parse::<u16>().map(|port| port < 1024).unwrap_or(false);
    let hint = match err.kind() {
        AddrInUse => format!(
            "another program already uses {what} (perhaps an earlier run of this lesson): \
             stop it, or choose another port"
        ),
        PermissionDenied if low_port => format!(
            "ports below 1024 are well-known ports that need administrator rights; \
             use a port from 1024 to 65535 instead of {port}"
        ),
        PermissionDenied => {
            "the operating system refused: check the rights on it".to_string()
        }
        ConnectionRefused => {
            format!(
                "nothing is listening on {what}: start the server first, or check the port"
            )
        }
        TimedOut | WouldBlock => format!(
            "no answer from {what} in time: is the server running, and is the address right? \
             (a longer --timeout waits more)"
        ),
        AddrNotAvailable => format!(
            "{what} is not an address of this machine: bind 127.0.0.1 or :PORT for every interface"
        ),
        ConnectionReset => "the peer closed the connection abruptly".to_string(),
        ConnectionAborted | BrokenPipe => "the peer closed the connection".to_string(),
        NotFound => format!("{what} does not exist"),
        HostUnreachable | NetworkUnreachable => {
            format!(
                "no route to {what}: check the address, or use 127.0.0.1 to stay on this machine"
            )
        }
        _ => return None,
    };
    Some(hint)
}

/// What the kernel's socket table says about a local TCP port: whether a
/// socket listens on it, and the states of the connections bound to it, in
/// the names `ss -tan` prints (`TIME-WAIT`, `FIN-WAIT-2`, …).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TcpPortUse {
    /// A socket in LISTEN on the port.
    pub listening: bool,
    /// The state of every other socket whose local port it is.
    pub connections: Vec<&'static str>,
}

/// Reads the kernel's socket table for local TCP port `port`: on Linux
/// `/proc/net/tcp` and `/proc/net/tcp6`; `None` where there is no such table.
pub fn tcp_port_use(port: u16) -> Option<TcpPortUse> {
    let mut found = None;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(table) {
            add_tcp_table(&text, port, found.get_or_insert_with(TcpPortUse::default));
        }
    }
    found
}

/// Adds the rows of one `/proc/net/tcp` table whose local port is `port`:
/// `sl local_address rem_address st …`, addresses as `HEXIP:HEXPORT`.
fn add_tcp_table(table: &str, port: u16, into: &mut TcpPortUse) {
    for row in table.lines().skip(1) {
        let fields: Vec<&str> = row.split_whitespace().collect();
        let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
            continue;
        };
        let local_port =
            local.rsplit(':').next().map(|hex| u16::from_str_radix(hex, 16));
        if local_port != Some(Ok(port)) {
            continue;
        }
        match tcp_state_name(state) {
            "LISTEN" => into.listening = true,
            name => into.connections.push(name),
        }
    }
}

/// The kernel's TCP state numbers (include/net/tcp_states.h), named as `ss` names them.
fn tcp_state_name(hex: &str) -> &'static str {
    match hex {
        "01" => "ESTAB",
        "02" => "SYN-SENT",
        "03" => "SYN-RECV",
        "04" => "FIN-WAIT-1",
        "05" => "FIN-WAIT-2",
        "06" => "TIME-WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE-WAIT",
        "09" => "LAST-ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// The hint for a TCP server whose bind of `port` failed with "address in
/// use", chosen from what the kernel's socket table shows: a listener (another
/// server), or only connections that are still closing (TIME-WAIT,
/// FIN-WAIT-2) — which block a server without SO_REUSEADDR, and any server
/// when the one they belonged to did not set it. `None` when the table is
/// missing or shows neither.
pub fn tcp_port_in_use_hint(port: u16, reuseaddr: bool) -> Option<String> {
    hint_from_port_use(&tcp_port_use(port)?, port, reuseaddr)
}

fn hint_from_port_use(
    found: &TcpPortUse,
    port: u16,
    reuseaddr: bool,
) -> Option<String> {
    if found.listening {
        return Some(format!(
            "another server is listening there (port {port}: another tcp-server or \
             tcp_server.py? `ss -tlnp` names it): stop it, or choose another port with \
             --bind 127.0.0.1:PORT"
        ));
    }
    if found.connections.is_empty() {
        return None;
    }
    let mut states = found.connections.clone();
    states.sort_unstable();
    states.dedup();
    let (count, states) = (found.connections.len(), states.join(", "));
    let how_long =
        "TIME-WAIT lasts up to a minute, FIN-WAIT-2 until the client closes too";
    let action = if found.connections.contains(&"FIN-WAIT-2") {
        "wait, or close the client"
    } else {
        "wait"
    };
    Some(if reuseaddr {
        format!(
            "nothing listens on port {port}, but {count} connection(s) there are still closing \
             ({states} in `ss -tan`); the server they belonged to did not set SO_REUSEADDR \
             (--no-reuseaddr), so they keep the port until they are gone ({how_long}): \
             {action}"
        )
    } else {
        format!(
            "nothing listens on port {port}, but {count} connection(s) there are still closing \
             ({states} in `ss -tan`), and without SO_REUSEADDR a server cannot bind a port they \
             hold ({how_long}): wait, or drop --no-reuseaddr (enough when the server they \
             belonged to set SO_REUSEADDR)"
        )
    })
}

/// clap value parser for `--port`, an option the course does not have: it
/// answers with the option that takes the port, inside an address
/// (`--bind 127.0.0.1:8080`, `--to 127.0.0.1:8080`), as a usage error.
pub fn no_port_option(
    flag: &'static str,
) -> impl Fn(&str) -> std::result::Result<u16, String> + Clone + Send + Sync + 'static {
    move |text| {
        Err(format!(
            "there is no --port: the port is part of the address, e.g. {flag} 127.0.0.1:{text}"
        ))
    }
}

/// Ends the program: `Ok` exits 0; an error prints `error: …` on stderr, exits 1.
/// What a buffered stdout still holds is written first
/// ([`crate::out::flush_stdout`]).
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     common::exit_with(run())
/// }
/// fn run() -> common::Result<()> { Ok(()) }
/// ```
pub fn exit_with(result: Result<()>) -> ExitCode {
    crate::out::flush_stdout();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            crate::errln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_in_use_has_a_hint() {
        let err = io::Error::from(io::ErrorKind::AddrInUse);
        let text = Error::io("bind", "127.0.0.1:8080", &err).to_string();
        assert!(text.starts_with("cannot bind 127.0.0.1:8080: "), "{text}");
        assert!(
            text.contains("hint: another program already uses 127.0.0.1:8080"),
            "{text}"
        );
    }

    #[test]
    fn low_port_permission_hint() {
        let err = io::Error::from(io::ErrorKind::PermissionDenied);
        let text = Error::io("bind", "0.0.0.0:80", &err).to_string();
        assert!(text.contains("below 1024"), "{text}");
    }

    #[test]
    fn os_error_suffix_is_dropped() {
        let err = io::Error::from_raw_os_error(111);
        let text = Error::io("connect to", "127.0.0.1:1", &err).to_string();
        assert!(!text.contains("os error"), "{text}");
        assert!(text.contains("start the server first"), "{text}");
    }

    #[test]
    fn the_socket_table_tells_a_listener_from_closing_connections() {
        // Rows as Linux writes them: port 0x22C2 = 8898.
        let table = "  sl  local_address rem_address   st tx_queue rx_queue\n\
            0: 0100007F:22C2 0100007F:C350 05 00000000:00000000\n\
            1: 0100007F:22C2 0100007F:C351 06 00000000:00000000\n\
            2: 0100007F:C350 0100007F:22C2 08 00000000:00000000\n";
        let mut found = TcpPortUse::default();
        add_tcp_table(table, 8898, &mut found);
        assert_eq!(
            found,
            TcpPortUse {
                listening: false,
                connections: vec!["FIN-WAIT-2", "TIME-WAIT"]
            }
        );
        let hint = hint_from_port_use(&found, 8898, true).unwrap();
        assert!(
            hint.starts_with("nothing listens on port 8898, but 2 connection(s)"),
            "{hint}"
        );
        assert!(hint.contains("(FIN-WAIT-2, TIME-WAIT in `ss -tan`)"), "{hint}");
        assert!(!hint.contains("another server"), "{hint}");
        let hint = hint_from_port_use(&found, 8898, false).unwrap();
        assert!(hint.contains("drop --no-reuseaddr"), "{hint}");

        let listening = "  sl  local_address rem_address   st\n 0: 00000000:22C2 00000000:0000 0A\n";
        let mut found = TcpPortUse::default();
        add_tcp_table(listening, 8898, &mut found);
        let hint = hint_from_port_use(&found, 8898, true).unwrap();
        assert!(hint.starts_with("another server is listening there"), "{hint}");
        assert_eq!(hint_from_port_use(&TcpPortUse::default(), 8898, true), None);
    }

    #[test]
    fn hints_can_be_replaced() {
        let text = Error::new("boom").hint("start udp-receiver first").to_string();
        assert_eq!(text, "boom (hint: start udp-receiver first)");
    }
}
