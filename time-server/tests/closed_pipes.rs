//! time-server and time-client with a closed stdout or stderr: no panic.
//! The server stops logging and keeps serving (`time-server | head -1`); the
//! client, with nobody left to read the time, ends quietly (exit 0).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use support::{ask, client};
use testkit::{Cmd, DEADLINE, free_udp_port};

#[test]
fn a_closed_stdout_stops_the_servers_log_not_the_server() {
    let mut server =
        Cmd::bin("time-server").args(["--bind", "127.0.0.1:0"]).closed_stdout().spawn();
    let addr = server.wait_listening();
    for _ in 0..3 {
        assert_eq!(ask(addr, "%%"), "%");
    }
    assert!(server.is_running());
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn a_closed_stderr_stops_the_servers_narration_not_the_server() {
    let addr = format!("127.0.0.1:{}", free_udp_port());
    let mut server = Cmd::bin("time-server")
        .args(["--bind", &addr, "--explain"])
        .closed_stderr()
        .spawn();
    // No `listening on` line to read: ask until it answers.
    let socket = client();
    socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let start = Instant::now();
    let mut buf = [0u8; 64];
    loop {
        assert!(start.elapsed() < DEADLINE, "time-server never answered");
        assert!(server.is_running(), "exited: {}", server.stdout());
        socket.send_to(b"%%", &addr).unwrap();
        if socket.recv_from(&mut buf).is_ok() {
            break;
        }
    }
    assert_eq!(ask(addr.parse().unwrap(), "%%"), "%");
    server.wait_stdout("===> ");
    assert!(server.is_running());
}

#[test]
fn a_closed_stdout_ends_the_client_quietly() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap().to_string();
    let answering = std::thread::spawn(move || {
        server.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut buf = [0u8; 1024];
        for _ in 0..3 {
            let Ok((_, from)) = server.recv_from(&mut buf) else { return };
            let _ = server.send_to(b"12:00", from);
        }
    });
    let out = Cmd::bin("time-client")
        .args(["--to", &addr, "%H:%M", "%H:%M", "%H:%M"])
        .closed_stdout()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    drop(answering);
}
