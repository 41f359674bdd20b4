//! udp-receiver with a closed stdout (`udp-receiver | head -1`) or a closed
//! stderr: it never panics. With nobody left reading what arrived it ends
//! quietly (exit 0); with stderr closed it keeps printing what arrives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use testkit::{Cmd, DEADLINE, free_udp_port};

#[test]
fn a_closed_stdout_ends_it_quietly() {
    let mut receiver = Cmd::bin("udp-receiver")
        .args(["--bind", "127.0.0.1:0"])
        .closed_stdout()
        .spawn();
    let addr = receiver.wait_listening();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"first", addr).unwrap();
    let out = receiver.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_closed_stderr_changes_nothing_else() {
    let port = free_udp_port();
    let addr = format!("127.0.0.1:{port}");
    let mut receiver = Cmd::bin("udp-receiver")
        .args(["--bind", &addr, "--explain"])
        .closed_stderr()
        .spawn();
    // No `listening on` line to read: send until the first datagram shows.
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < DEADLINE, "udp-receiver never printed a datagram");
        sender.send_to(b"ready?", &addr).unwrap();
        if receiver.try_wait_stdout(": ready?", Duration::from_millis(50)).is_some() {
            break;
        }
    }
    for text in ["数据", "nihao"] {
        sender.send_to(text.as_bytes(), &addr).unwrap();
        receiver.wait_stdout(&format!(": {text}"));
    }
    assert!(receiver.is_running(), "udp-receiver stopped: {}", receiver.stdout());
}
