//! `common` — the one helper crate every lesson program shares.
//!
//! Each lesson's steps file is a short narrative that mirrors its Python listing;
//! everything that is not the lesson itself lives here, once:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`addr`] | `HOST:PORT`, `[::1]:PORT`, `localhost:PORT`, `:PORT` and `unix:PATH` |
//! | [`encoding`] | `--encoding` labels, strict encoding, lenient decoding |
//! | [`net`] | socket set-up through `socket2` (SO_REUSEADDR, IPV6_V6ONLY, backlog) |
//! | [`explain`] | the `--explain` narration: Python call and Rust call side by side |
//! | [`error`] | one-line `error: …` messages with a hint, and the exit status |
//! | [`pyrepr`] | Python's `repr` of bytes, str and address tuples, for `--python-repr` |
//! | [`cli`] | the clap arguments every program shares, so `--help` reads the same |
//! | [`out`] | `outln!` / `errln!`: printing that never panics on a closed pipe; a buffered stdout for servers |
//! | [`term`] | whether to colour output (a terminal, and no `NO_COLOR`) |

pub mod addr;
pub mod cli;
pub mod encoding;
pub mod error;
pub mod explain;
pub mod net;
pub mod out;
pub mod pyrepr;
pub mod term;

pub use addr::{Endpoint, parse_addr, parse_endpoint};
pub use encoding::Codec;
pub use error::{Error, IoResultExt, Result, exit_with};

/// Prints the line every server prints once it is ready, on stderr:
/// `listening on 127.0.0.1:8080`. Tests and the course runner wait for it.
pub fn announce_listening(what: impl std::fmt::Display) {
    crate::errln!("listening on {what}");
}

/// Prints a warning on stderr: `warning: …`. Used for things that are worth
/// knowing but do not stop the program (a truncated datagram, bad bytes).
pub fn warn(message: impl std::fmt::Display) {
    crate::errln!("warning: {message}");
}
