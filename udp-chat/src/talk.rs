//! `udp-chat talk` — the next step after tutorial 000's menu: the same socket used
//! at once by a receiving thread and by the sending main thread, so messages
//! are printed as they arrive while you type.
//!
//! Python twin: `python/udp_talk.py`. Two terminals:
//!
//! ```text
//! cargo run -p udp-chat -- talk                            # 1: 7788 -> 7789
//! cargo run -p udp-chat -- talk --bind 127.0.0.1:7789 --peer 127.0.0.1:7788 # 2: 7789 -> 7788
//! ```
//!
//! Each line typed is one datagram to `--peer`; the end of stdin (Ctrl+D,
//! Ctrl+Z on Windows) ends the chat with exit status 0.
//!
//! The lesson is `steps/talk.rs`; this file is the tool around it.

use std::net::SocketAddr;

use common::Result;
use common::cli::Input;
use common::explain::Narrator;

use crate::args::TalkArgs;
use crate::narration::{self, talk::NOTES, talk::STEPS};
use crate::steps::talk::{self as steps, Options};

/// Talks with `--peer` until the end of stdin.
pub fn run(args: TalkArgs) -> Result<()> {
    let (local, bufsize, encoding) =
        (args.bind, args.buffer.bufsize, args.common.encoding);
    let say = Narrator::new(args.common.explain, &STEPS, &NOTES);
    let say = narration::narrator(say, local, bufsize, encoding);
    let options = Options { local, peer: args.peer, bufsize, encoding, say };
    steps::talk(&options, &mut Input::new())
}

/// Step 5: how to talk, before the first line is typed.
pub fn talking_to(peer: SocketAddr) {
    common::errln!(
        "talking to {peer}: each line you type is sent, what arrives is printed"
    );
    common::errln!("(end with Ctrl+D, or Ctrl+Z then Enter on Windows)");
}

/// Step 4: the receiving thread ends on an error it cannot get past; the
/// main thread still sends.
pub fn receiving_stopped(err: &common::Error) {
    common::errln!(
        "error: {err}; no more messages will be shown, but lines are still sent"
    );
}
