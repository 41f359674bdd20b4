//! The command-line arguments every program shares, so each `--help` reads the
//! same. A lesson flattens them into its own `clap` struct:
//!
//! ```
//! #[derive(clap::Parser)]
//! struct Args {
//!     #[command(flatten)]
//!     common: common::cli::CommonArgs,
//!     #[command(flatten)]
//!     buffer: common::cli::BufferArgs,
//! }
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use crate::addr::{Endpoint, parse_addr, parse_endpoint};
use crate::encoding::Codec;
use crate::error::{Error, IoResultExt};

/// `--encoding` and `--explain`.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Text encoding on the wire: utf-8, gbk (cp936), gb18030, big5, …
    /// (the tutorials use gbk on Windows).
    #[arg(long, value_name = "ENC", default_value = "utf-8",
          value_parser = crate::encoding::CodecParser)]
    pub encoding: Codec,

    /// Narrate each numbered step of the lesson on stderr, with the Python call
    /// and the Rust call side by side.
    #[arg(long)]
    pub explain: bool,
}

/// `--bufsize N`: the `1024` of `recv(1024)`.
#[derive(Debug, Clone, Args)]
pub struct BufferArgs {
    /// Bytes asked for by each recv / recvfrom (Python's recv(1024)).
    #[arg(long, value_name = "N", default_value = "1024", value_parser = bufsize)]
    pub bufsize: usize,
}

/// clap value parser for addresses: `HOST:PORT`, `[IPv6]:PORT`, `:PORT`.
pub fn addr(text: &str) -> Result<SocketAddr, String> {
    parse_addr(text).map_err(|err| err.to_string())
}

/// clap value parser for stream endpoints: an address or `unix:PATH`.
pub fn endpoint(text: &str) -> Result<Endpoint, String> {
    parse_endpoint(text).map_err(|err| err.to_string())
}

/// clap value parser for `--encoding`.
pub fn encoding(text: &str) -> Result<Codec, String> {
    Codec::for_label(text)
}

/// The largest `--bufsize`: 16 MiB is far beyond any datagram (64 KiB).
pub const MAX_BUFSIZE: usize = 16 << 20;

/// clap value parser for `--bufsize`: 1 to 16 MiB.
pub fn bufsize(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_BUFSIZE).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a buffer size: expected a number from 1 to {MAX_BUFSIZE}"
        )),
    }
}

/// The shortest timeout a program accepts: 1 ms. Anything shorter rounds to
/// nothing at the OS (`set_read_timeout` refuses 0, `poll` waits 0 ms), so
/// `1e-10` would be a timeout that never works.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// The longest timeout a program accepts: a day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// clap value parser for every duration on the command line (`--timeout SECS`,
/// `--idle-timeout SECS`): seconds, fractions allowed (`0.5`), from 0.001 to 86400.
pub fn seconds(text: &str) -> Result<Duration, String> {
    let secs = text.trim().parse::<f64>().ok();
    match secs.and_then(|secs| Duration::try_from_secs_f64(secs).ok()) {
        Some(timeout) if (MIN_TIMEOUT..=MAX_TIMEOUT).contains(&timeout) => Ok(timeout),
        _ => Err(format!(
            "'{text}' is not a timeout: expected seconds from 0.001 (1 ms) to 86400 \
             (a day), like 2 or 0.5"
        )),
    }
}

/// The texts to send: `from_args` when the command line gave some, or else
/// each line of stdin — Python's `input()` loop. On a terminal each line is
/// asked for with `prompt` on stderr (a pipe gets no prompts). Stops at the
/// end of stdin (Ctrl+D), or with an `error: …` when stdin cannot be read.
pub fn args_or_stdin_lines<'a>(
    from_args: &'a [String],
    prompt: &'a str,
) -> Box<dyn Iterator<Item = String> + 'a> {
    if !from_args.is_empty() {
        return Box::new(from_args.iter().cloned());
    }
    let mut input = Input::prompting_terminals_only();
    Box::new(std::iter::from_fn(move || match input.ask(prompt) {
        Ok(line) => line,
        Err(err) => {
            crate::errln!("error: {err}");
            None
        }
    }))
}

/// Python's `input(prompt)`, for every program that reads what a person
/// types: the prompt goes to stderr (stdout is kept for what arrives), then
/// one line is read from stdin.
pub struct Input {
    reader: Box<dyn BufRead>,
    /// What ends each prompt: nothing on a terminal (the answer is typed
    /// after it), a newline in a pipe (a log stays one prompt per line), or
    /// `None`: no prompts at all.
    prompt_end: Option<&'static str>,
}

impl Input {
    /// Reads stdin. In a pipe each prompt is still shown, on a line of its own.
    pub fn new() -> Input {
        Input::stdin(true)
    }

    /// Reads stdin, showing prompts only on a terminal.
    pub fn prompting_terminals_only() -> Input {
        Input::stdin(false)
    }

    /// Reads `reader` instead of stdin, without prompts (tests).
    pub fn from_reader(reader: impl BufRead + 'static) -> Input {
        Input { reader: Box::new(reader), prompt_end: None }
    }

    fn stdin(prompts_in_pipe: bool) -> Input {
        let stdin = std::io::stdin();
        let prompt_end = match (stdin.is_terminal(), prompts_in_pipe) {
            (true, _) => Some(""),
            (false, true) => Some("\n"),
            (false, false) => None,
        };
        Input { reader: Box::new(stdin.lock()), prompt_end }
    }

    /// `input(prompt)`: the line without its line ending, or `None` at the end
    /// of stdin (Python's `EOFError`: Ctrl+D, Ctrl+Z on Windows, the end of a
    /// pipe). A line that is not UTF-8 is reported and the next one read.
    pub fn ask(&mut self, prompt: &str) -> Result<Option<String>, Error> {
        let mut line = Vec::new();
        loop {
            if let Some(end) = self.prompt_end.filter(|_| !prompt.is_empty()) {
                crate::err!("{prompt}{end}");
                let _ = std::io::stderr().flush();
            }
            line.clear();
            let n = self.reader.read_until(b'\n', &mut line).during("read", "stdin")?;
            if n == 0 {
                // Ctrl+D leaves the cursor after the prompt: end its line, so the
                // shell's prompt does not land on it.
                if self.prompt_end == Some("") && !prompt.is_empty() {
                    crate::errln!();
                }
                return Ok(None);
            }
            while line.last().is_some_and(|&byte| byte == b'\n' || byte == b'\r') {
                line.pop();
            }
            match String::from_utf8(std::mem::take(&mut line)) {
                Ok(text) => return Ok(Some(text)),
                Err(_) => crate::warn(
                    "that line is not UTF-8 text and was skipped (type in a UTF-8 terminal; \
                     --encoding only chooses the bytes sent on the network)",
                ),
            }
        }
    }
}

impl Default for Input {
    fn default() -> Input {
        Input::new()
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn lines_without_endings_bad_lines_skipped_then_the_end() {
        let mut input =
            Input::from_reader(&b"1\r\n\xff\xfe\n\n\xe4\xbd\xa0\xe5\xa5\xbd"[..]);
        assert_eq!(input.ask("op: ").unwrap().as_deref(), Some("1"));
        // The bytes that are not UTF-8 are skipped: the next line is the empty one.
        assert_eq!(input.ask("").unwrap().as_deref(), Some(""));
        assert_eq!(input.ask("").unwrap().as_deref(), Some("你好"));
        assert_eq!(input.ask("").unwrap(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Demo {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        buffer: BufferArgs,
        #[arg(long, value_parser = seconds)]
        timeout: Option<Duration>,
    }

    #[test]
    fn defaults() {
        let demo = Demo::try_parse_from(["demo"]).unwrap();
        assert_eq!(demo.common.encoding, Codec::UTF_8);
        assert!(!demo.common.explain);
        assert_eq!(demo.buffer.bufsize, 1024);
        assert_eq!(demo.timeout, None);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["demo", "--encoding", "nope"][..],
            &["demo", "--bufsize", "0"],
            &["demo", "--timeout", "-1"],
        ] {
            let err = Demo::try_parse_from(args).err().unwrap();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
        let err = Demo::try_parse_from(["demo", "--encoding", "nope"]).err().unwrap();
        assert!(err.to_string().contains("gbk"), "{err}");
    }

    #[test]
    fn timeouts_below_a_millisecond_are_refused() {
        // Each of these once became a zero or useless Duration.
        for bad in
            ["1e-10", "0.0009", "0.0000001", "0", "-0", "-1", "nan", "inf", "1e300"]
        {
            let err = seconds(bad).unwrap_err();
            assert!(err.contains("from 0.001"), "{bad}: {err}");
            let err = Demo::try_parse_from(["demo", "--timeout", bad]).err().unwrap();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn timeouts_from_a_millisecond_to_a_day() {
        assert_eq!(seconds("0.001"), Ok(Duration::from_millis(1)));
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("2"), Ok(Duration::from_secs(2)));
        assert_eq!(seconds("86400"), Ok(Duration::from_secs(86_400)));
        assert!(seconds("86400.5").is_err());
    }
}
