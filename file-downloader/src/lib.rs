//! The `file-downloader` lesson: the steps of its two programs, and the tool
//! around them.
//!
//! The two programs — `file-downloader` (`src/main.rs`) and `file-server`
//! (`src/bin/file_server.rs`) — parse their command lines and call their
//! steps, in [`steps`]: the tutorial's numbered steps, beside their Python
//! twins. What makes them safe and honest lives in the other modules, once:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`steps`] | the lesson: the client's 8 steps, the server's 7 |
//! | [`narration`] | what `--explain` says at each step |
//! | [`args`] | the command lines of both programs |
//! | [`protocol`] | the classic and the framed protocol, the rule for names on the wire, and how the server tells the protocols apart |
//! | [`wanted`] | the client's file name, checked, encoded and given its output path once |
//! | [`client`] | the client's framed answer and its errors |
//! | [`part`] | the client's `OUTPUT.part`, renamed only when the file is whole |
//! | [`progress`] | the progress bar (a terminal only) |
//! | [`server`] | the server's threads, limits, deadlines, answers and log |
//! | [`root`] | which names the server serves: regular files inside `--root`, nothing else |

pub mod args;
pub mod client;
pub mod narration;
pub mod part;
pub mod progress;
pub mod protocol;
pub mod root;
pub mod server;
pub mod steps;
pub mod wanted;

/// `1 byte`, `25 bytes`: a count of bytes for messages.
pub fn bytes(n: u64) -> String {
    if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") }
}
