//! Test helpers every crate's integration tests share (`testkit`, a dev-dependency
//! of every lesson), and the process handling the course runner stands on.
//!
//! They start the real binaries (and the `python/` listings), wait for them to
//! be ready by reading their output with a deadline — never by sleeping — feed
//! stdin, collect stdout and stderr, and kill the process when the handle is
//! dropped, so no test leaves a server behind.
//!
//! ```no_run
//! use testkit::Cmd;
//! let mut server = Cmd::bin("udp-receiver").args(["--bind", "127.0.0.1:0"]).spawn();
//! let addr = server.wait_listening();
//! let out = Cmd::bin("udp-sender").args(["--to", &addr.to_string(), "hi"]).run();
//! assert!(out.status.success());
//! server.wait_stdout("hi");
//! ```
//!
//! Two layers: [`process`] starts a program and watches it without ever
//! panicking (the course runner uses it as it is); the rest, built on it,
//! fails the test with everything the program printed when something does not
//! come in time.

pub mod process;

mod harness;
pub use harness::*;
