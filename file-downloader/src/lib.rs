//! The parts of the `file-downloader` lesson that are not the lesson itself.
//!
//! The two programs — `file-downloader` (`src/main.rs`) and `file-server`
//! (`src/bin/file_server.rs`) — read like the tutorial's numbered steps. What
//! makes them safe and honest lives here, once, for both:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`args`] | the command lines of both programs |
//! | [`protocol`] | the classic and the framed protocol, and how the server tells them apart |
//! | [`root`] | which names the server serves: regular files inside `--root`, nothing else |
//! | [`part`] | the client's `OUTPUT.part`, renamed only when the file is whole |
//! | [`progress`] | the progress bar (a terminal only) |

pub mod args;
pub mod part;
pub mod progress;
pub mod protocol;
pub mod root;
