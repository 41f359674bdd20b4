//! tcp-server with its log pipe closed (`tcp-server | head -3`, or stderr
//! closed): it stops logging and keeps serving, in every mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use testkit::{Cmd, DEADLINE, free_tcp_port};

/// Echoes `text` through the server at `addr`, three clients one after another.
fn served(addr: &str) {
    for text in ["one", "数据", "three"] {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.write_all(text.as_bytes()).unwrap();
        let mut reply = vec![0u8; text.len()];
        stream.read_exact(&mut reply).unwrap();
        assert_eq!(reply, text.as_bytes());
    }
}

#[test]
fn a_closed_stdout_stops_the_log_not_the_server() {
    for mode in ["sequential", "threads", "nonblocking"] {
        let mut server = Cmd::bin("tcp-server")
            .args(["--bind", "127.0.0.1:0", "--mode", mode])
            .closed_stdout()
            .spawn();
        let addr = server.wait_listening().to_string();
        served(&addr);
        assert!(server.is_running(), "{mode}: {}", server.stderr());
        assert!(!server.stderr().contains("panicked"), "{mode}: {}", server.stderr());
    }
}

#[test]
fn a_closed_stderr_stops_the_narration_not_the_server() {
    for mode in ["sequential", "threads", "nonblocking"] {
        let addr = format!("127.0.0.1:{}", free_tcp_port());
        let mut server = Cmd::bin("tcp-server")
            .args(["--bind", &addr, "--mode", mode, "--explain"])
            .closed_stderr()
            .spawn();
        // No `listening on` line to read: connect until it accepts.
        let start = Instant::now();
        while TcpStream::connect(&addr).is_err() {
            assert!(start.elapsed() < DEADLINE, "{mode}: never listened on {addr}");
            assert!(server.is_running(), "{mode}: exited: {}", server.stdout());
            std::thread::sleep(Duration::from_millis(20));
        }
        served(&addr);
        server.wait_stdout("数据");
        assert!(server.is_running(), "{mode}: {}", server.stdout());
    }
}
