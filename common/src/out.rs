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
//!
//! Each line is written at once: Rust's stdout is line-buffered even into a
//! pipe or a file, so every `outln!` is one `write` system call. A server
//! whose log is one line per request can batch them instead
//! ([`buffer_stdout_when_not_a_terminal`], then [`flush_stdout`] each time
//! before it waits for the next request): a burst of requests is then one
//! write, and nothing is held back while the server is idle. A terminal is
//! always written line by line.

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

static KEEP_SERVING: AtomicBool = AtomicBool::new(false);
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDOUT_BUFFERED: AtomicBool = AtomicBool::new(false);
/// The lines `outln!` has not written yet, when stdout is buffered.
static STDOUT_BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A buffered stdout is written out when it holds this much, flushed or not,
/// so a server that never waits still logs as it goes.
const STDOUT_BUFFER_LIMIT: usize = 16 * 1024;

/// A server calls this first: a closed stdout then stops the log, not the server.
pub fn keep_serving_when_stdout_closes() {
    KEEP_SERVING.store(true, Ordering::Relaxed);
}

/// From now on, when stdout is not a terminal (a pipe or a file), the lines of
/// `outln!` are kept until [`flush_stdout`] (or until 16 KiB are waiting)
/// instead of being written one by one. Returns whether stdout is buffered.
///
/// The caller must call [`flush_stdout`] before it waits (for a request, for
/// input) and before it ends; [`crate::exit_with`] flushes too. A closed
/// stdout is found at the flush and handled as the module docs say.
pub fn buffer_stdout_when_not_a_terminal() -> bool {
    let buffered = !io::stdout().is_terminal();
    STDOUT_BUFFERED.store(buffered, Ordering::Relaxed);
    buffered
}

/// Writes what `outln!` has buffered, in one `write` when it can; nothing to
/// do when stdout is not buffered or nothing waits.
pub fn flush_stdout() {
    let mut buffer = stdout_buffer();
    if !buffer.is_empty() {
        write_stdout(&buffer);
        buffer.clear();
    }
}

/// Writes one line on stdout (or into its buffer, see
/// [`buffer_stdout_when_not_a_terminal`]); see the module docs for a closed
/// stdout.
pub fn stdout_line(line: fmt::Arguments<'_>) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    if STDOUT_BUFFERED.load(Ordering::Relaxed) {
        let mut buffer = stdout_buffer();
        // Writing into a Vec cannot fail.
        let _ = writeln!(buffer, "{line}");
        if buffer.len() >= STDOUT_BUFFER_LIMIT {
            write_stdout(&buffer);
            buffer.clear();
        }
        return;
    }
    let mut out = io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        stdout_closed();
    }
}

/// Writes text on stdout with no newline (and flushes it, with anything
/// buffered before it); a closed stdout is handled as by [`stdout_line`].
pub fn stdout_text(text: fmt::Arguments<'_>) {
    flush_stdout();
    write_stdout(text.to_string().as_bytes());
}

/// The buffer, even if a thread panicked while holding it (it is only bytes).
fn stdout_buffer() -> MutexGuard<'static, Vec<u8>> {
    STDOUT_BUFFER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes bytes on stdout; a failure means the reader has gone.
fn write_stdout(bytes: &[u8]) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if out.write_all(bytes).and_then(|()| out.flush()).is_err() {
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
