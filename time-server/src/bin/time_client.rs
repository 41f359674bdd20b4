//! time-client — lesson "时间服务器client" (tutorial 001): send a strftime format
//! to the UDP time server and print the time it answers.
//!
//! The lesson is `steps/client.rs` (in the crate's library), beside its
//! Python twin `python/time_client.py`; this file is the tool around it:
//! arguments, formats from the command line or stdin, and the exit status.
//! Two terminals:
//!
//! ```text
//! cargo run -p time-server --bin time-server                        # 1
//! cargo run -p time-server --bin time-client -- %H:%M:%S '%Y年%m月%d日'  # 2
//! cargo run -p time-server --bin time-client                        # type formats
//! ```
//!
//! An empty format asks for the server's default, `%Y-%m-%d %X`. The client
//! waits `--timeout` seconds for each answer: UDP never says that nobody is
//! listening, so silence is the only sign, and it exits with status 1.

// Options live beside this file (a binary in src/bin/ finds modules by path).
#[path = "time_client/args.rs"]
mod args;

use std::process::ExitCode;

use clap::Parser;
use common::explain::Narrator;
use common::{Error, Result, net, pyrepr};
use socket2::Type;
use time_server::{narration::client as narration, steps::client as steps};

use args::Args;

/// The tutorial's prompt, input('请输入时间格式(例%Y %m %d)>>: '), in English
/// with the Chinese kept, as the other lessons' prompts do.
const PROMPT: &str = "a time format, e.g. %Y %m %d (请输入时间格式)>>: ";

fn main() -> ExitCode {
    common::exit_with(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    let codec = args.common.encoding;
    let options = steps::Options {
        to: args.to,
        bufsize: args.buffer.bufsize,
        timeout: args.timeout,
        codec,
        say: narrator(&args),
    };
    // Formats on the command line are all encoded (and checked) before
    // anything is sent; typed lines are encoded one by one as they come.
    let from_args =
        args.formats.iter().map(|f| codec.encode(f)).collect::<Result<Vec<_>, _>>()?;
    let mut unsent = 0;
    let answers = if from_args.is_empty() {
        let lines = common::cli::args_or_stdin_lines(&[], PROMPT);
        // input().strip(): a typed line loses its spaces, as in the tutorial.
        // Nothing garbled is sent: say which character, go on.
        let msgs = lines.filter_map(|line| {
            let data = codec.encode_or_report(line.trim());
            unsent += usize::from(data.is_none());
            data
        });
        steps::ask(msgs, &options)?
    } else {
        steps::ask(from_args.into_iter(), &options)?
    };
    // Refused by the server (an `error: …` answer) or not encodable here.
    let refused =
        unsent + answers.iter().filter(|answer| answer.starts_with("error: ")).count();
    match refused {
        0 => Ok(()),
        n => Err(Error::new(format!(
            "{n} of {} format(s) got no time",
            answers.len() + unsent
        ))
        .hint(
            "each error above says why; %% is a percent sign, %Y %m %d %H %M %S work",
        )),
    }
}

/// The `--explain` narrator, with the values its texts show.
fn narrator(args: &Args) -> Narrator {
    let source =
        if args.formats.is_empty() { "stdin.lines(), trimmed" } else { "FORMAT args" };
    Narrator::new(args.common.explain, &narration::STEPS, &narration::NOTES)
        .with("socket", net::python_socket_call(&args.to, Type::DGRAM))
        .with("source", source)
        .with("to", pyrepr::addr_repr(&args.to))
        .with("bufsize", args.buffer.bufsize)
        .with("encoding", args.common.encoding.name())
}
