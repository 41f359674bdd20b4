//! Printing that never panics: stdout and stderr may be closed pipes.
//!
//! `println!` panics with `failed printing to stdout: Broken pipe` when the
//! reader has gone (`time-server | head -1`). Every program prints through
//! [`outln!`](crate::outln), [`errln!`](crate::errln) and [`err!`](crate::err)
//! instead (clippy's `print_stdout` / `print_stderr` lints keep it so):
//!
//! - **stdout closed, in a client** (the default): the program has nobody left
//!   to tell what arrived, so it ends at once, quietly, with exit status 0 —
//!   what `head`'s other writers do, minus the signal.
//! - **stdout closed, in a server** ([`keep_serving_when_stdout_closes`]): the
//!   log stops, the serving does not.
//! - **stderr closed**: narration and diagnostics are dropped; nothing else
//!   changes.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static KEEP_SERVING: AtomicBool = AtomicBool::new(false);
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// A server calls this first: a closed stdout then stops the log, not the server.
pub fn keep_serving_when_stdout_closes() {
    KEEP_SERVING.store(true, Ordering::Relaxed);
}

/// Writes one line on stdout; see the module docs for a closed stdout.
pub fn stdout_line(line: fmt::Arguments<'_>) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        stdout_closed();
    }
}

/// Writes text on stdout with no newline (and flushes it); a closed stdout
/// is handled as by [`stdout_line`].
pub fn stdout_text(text: fmt::Arguments<'_>) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if out.write_fmt(text).and_then(|()| out.flush()).is_err() {
        stdout_closed();
    }
}

/// What happens when a write to stdout fails (the reader has gone).
pub fn stdout_closed() {
    STDOUT_GONE.store(true, Ordering::Relaxed);
    if !KEEP_SERVING.load(Ordering::Relaxed) {
        std::process::exit(0);
    }
}

/// Writes on stderr, unbuffered; a closed stderr is ignored.
pub fn stderr_text(text: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(text);
}

/// `println!` that cannot panic: see [`common::out`](crate::out).
#[macro_export]
macro_rules! outln {
    () => { $crate::out::stdout_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::out::stdout_line(format_args!($($arg)*)) };
}

/// `eprintln!` that cannot panic: a closed stderr is ignored.
#[macro_export]
macro_rules! errln {
    () => { $crate::out::stderr_text(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::out::stderr_text(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that cannot panic (prompts): a closed stderr is ignored.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::out::stderr_text(format_args!($($arg)*)) };
}
