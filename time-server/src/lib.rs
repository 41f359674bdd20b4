//! The lesson of tutorial 001's time server, as a library that its two programs,
//! the tests and the exercise checker share:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`steps::server`], [`steps::client`] | the lesson: each program's steps, beside its Python twin |
//! | [`narration`] | what `--explain` says at each step |
//! | [`strftime`] | Python's `time.strftime` with `jiff`, for formats from the network |
//! | [`log`] | the server's log line, buffered into a pipe or a file |
//! | [`receive`] | the client's `recv`, with a deadline and without strangers |
//!
//! The programs are `src/main.rs` (`time-server`) and `src/bin/time_client.rs`
//! (`time-client`): the tool around the steps.

pub mod steps {
    //! The lesson itself: one file per program, the tutorial's steps in its
    //! order and numbers.
    pub mod client;
    pub mod server;
}

pub mod narration {
    //! What `--explain` says at each step: one table per program.
    pub mod client;
    pub mod server;
}

pub mod log;
pub mod receive;
pub mod strftime;
