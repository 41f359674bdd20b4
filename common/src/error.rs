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
    fn hints_can_be_replaced() {
        let text = Error::new("boom").hint("start udp-receiver first").to_string();
        assert_eq!(text, "boom (hint: start udp-receiver first)");
    }
}
