//! `udp-chat qq-server` — tutorial 001 "qq聊天", the server: print each message
//! with the sender's address, read a reply from stdin, send it back.
//!
//! Python twin: `python/qq_server.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- qq-server                       # 1: listens on 127.0.0.1:8081
//! cargo run -p udp-chat -- qq-client                       # 2: choose 金老板, type 你好
//!                                                          # 1: prints the message; type the reply
//! ```
//!
//! Runs until Ctrl+C, the end of stdin (no one left to type replies) or `--count N`.
//!
//! The lesson is `steps/qq_server.rs`; this file is the tool around it.

use std::net::SocketAddr;

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, Result};

use crate::args::QqServerArgs;
use crate::chat;
use crate::narration::{self, qq_server::NOTES, qq_server::STEPS};
use crate::steps::qq_server::{self as steps, Options};

/// Serves messages until Ctrl+C, the end of stdin or `--count`.
pub fn run(args: QqServerArgs) -> Result<()> {
    let (local, bufsize, encoding) =
        (args.bind, args.buffer.bufsize, args.common.encoding);
    let say = Narrator::new(args.common.explain, &STEPS, &NOTES);
    let say = narration::narrator(say, local, bufsize, encoding);
    let options = Options { local, bufsize, encoding, count: args.count, say };
    steps::serve(&options, &mut Input::new())
}

/// Step 5, `input('回复消息: ').strip()` and its `.encode()`: asked again
/// until the reply can be sent (the client is waiting for one); `None` at the
/// end of stdin. Like the tutorial, an empty reply is sent as an empty datagram,
/// so the client stops waiting.
pub fn ask_reply(
    input: &mut Input,
    from: SocketAddr,
    codec: Codec,
) -> Result<Option<Vec<u8>>> {
    let prompt = format!("reply to {from} (回复消息): ");
    loop {
        let Some(line) = input.ask(&prompt)? else {
            common::errln!(
                "stdin ended: no one is left to type replies, so the server stops"
            );
            return Ok(None);
        };
        if let Some(data) = chat::encode(line.trim(), codec) {
            return Ok(Some(data));
        }
    }
}
