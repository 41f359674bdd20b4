//! SIGINT, SIGTERM, SIGHUP and SIGQUIT in the middle of a download: each one
//! removes `OUTPUT.part` and ends the program with 128 + the signal's number.
//! The server is played by the test: it sends `OK SIZE\n` and a part of the
//! bytes, then waits, so the signal surely lands mid-transfer. Only `kill -9`
//! can leave a `.part`, and that is checked too.
//!
//! `cargo test -p file-downloader --test signals -- --nocapture` prints how
//! many `.part` files each signal left.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod fake_server;
mod support;

use std::io::Write;
use std::process::Command;

use fake_server::{FakeServer, part_files, spawn_download};
use testkit::{DEADLINE, Proc, wait_until};

/// The announced size, and how much of it the fake server sends before it
/// pauses.
const SIZE: usize = 1_000_000;
const SENT: usize = 4096;

/// Sends `signal` (a name for kill(1): INT, TERM, HUP, QUIT, KILL) to `proc`.
fn send_signal(proc: &Proc, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &proc.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} failed");
}

/// Starts a download from a server that pauses after SENT of SIZE bytes,
/// waits (with a deadline) until those bytes are in the `.part`, sends
/// `signal`, and returns what the downloader printed and the `.part` files
/// left in its folder.
fn signal_mid_transfer(signal: &str) -> (testkit::Output, Vec<String>) {
    let dirs = support::dirs(&format!("fd-signal-{signal}"));
    let out = dirs.out.join("big.bin");
    let part = dirs.out.join("big.bin.part");
    let server = FakeServer::new();
    let mut client = spawn_download(server.addr(), "big.bin", &out, &[]);
    let (mut stream, request) = server.accept_request();
    assert_eq!(request, b"GET big.bin\n");
    stream.write_all(format!("OK {SIZE}\n").as_bytes()).unwrap();
    stream.write_all(&[b'x'; SENT]).unwrap();
    wait_until(DEADLINE, "the first bytes in big.bin.part", || {
        part.metadata().is_ok_and(|meta| meta.len() == SENT as u64)
    });

    send_signal(&client, signal);
    let output = client.wait_exit(DEADLINE);
    let left = part_files(&dirs.out);
    eprintln!("after SIG{signal} mid-transfer: {} .part file(s) left", left.len());
    assert!(!out.exists(), "SIG{signal}: a cut file was saved");
    drop(stream); // held open until now: the transfer was paused, not ended
    (output, left)
}

fn assert_cleaned_up(signal: &str, number: i32) {
    let (output, left) = signal_mid_transfer(signal);
    assert_eq!(
        left,
        Vec::<String>::new(),
        "SIG{signal} left a .part\n{}",
        output.stderr
    );
    assert_eq!(output.code(), Some(128 + number), "SIG{signal}: {}", output.stderr);
    assert!(
        output.stderr.contains("interrupted: removed")
            && output.stderr.contains("big.bin.part; nothing was saved")
            && output.stderr.contains(&format!("(SIG{signal})")),
        "SIG{signal}: {}",
        output.stderr
    );
}

#[test]
fn sigint_removes_the_part_file() {
    assert_cleaned_up("INT", 2);
}

#[test]
fn sigterm_removes_the_part_file() {
    assert_cleaned_up("TERM", 15);
}

#[test]
fn sighup_removes_the_part_file() {
    assert_cleaned_up("HUP", 1);
}

#[test]
fn sigquit_removes_the_part_file() {
    assert_cleaned_up("QUIT", 3);
}

/// The one signal no program can catch: what the chapter says is left.
#[test]
fn only_kill_9_leaves_a_part_file() {
    let (output, left) = signal_mid_transfer("KILL");
    assert_eq!(output.code(), None, "killed by the signal, not exited");
    assert_eq!(left, ["big.bin.part"]);
}

/// A signal before any byte arrived: nothing to remove, and it says so.
#[test]
fn a_signal_before_the_first_byte_saves_nothing() {
    let dirs = support::dirs("fd-signal-early");
    let out = dirs.out.join("x");
    let server = FakeServer::new();
    let mut client = spawn_download(server.addr(), "x", &out, &[]);
    let (stream, _request) = server.accept_request();
    send_signal(&client, "TERM");
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(143), "{}", output.stderr);
    assert!(
        output.stderr.contains("interrupted: nothing was saved (SIGTERM)"),
        "{}",
        output.stderr
    );
    assert!(part_files(&dirs.out).is_empty() && !out.exists());
    drop(stream);
}
