//! udp-sender with a closed stdout (`udp-sender --wait-reply hi | head -0`) or
//! a closed stderr: it never panics. A closed stdout ends it quietly (exit 0:
//! nobody is left to read the replies); a closed stderr changes nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::thread;

use testkit::{Cmd, DEADLINE};

/// A UDP socket that answers `ok` to each of the first `count` datagrams.
fn replier(count: usize) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 1024];
        for _ in 0..count {
            let Ok((_, from)) = socket.recv_from(&mut buf) else { return };
            let _ = socket.send_to(b"ok", from);
        }
    });
    addr
}

#[test]
fn a_closed_stdout_ends_it_quietly() {
    let to = replier(3).to_string();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to, "--wait-reply", "one", "two", "three"])
        .closed_stdout()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_closed_stderr_changes_nothing_else() {
    let to = replier(2).to_string();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to, "--wait-reply", "--explain", "one", "two"])
        .closed_stderr()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0));
    assert_eq!(out.stdout.matches(": ok\n").count(), 2, "{}", out.stdout);
}
