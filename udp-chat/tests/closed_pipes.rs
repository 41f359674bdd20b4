//! udp-chat with a closed stdout or stderr: no panic. When nobody is left to
//! read the messages (`udp-chat talk | head -1`), the chat ends quietly
//! (exit 0), from whichever thread noticed; a closed stderr (prompts and
//! narration) changes nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use testkit::{Cmd, DEADLINE, free_udp_port};

#[test]
fn talk_with_a_closed_stdout_ends_quietly_when_a_message_arrives() {
    let mut talk = Cmd::bin("udp-chat")
        .args(["talk", "--bind", "127.0.0.1:0", "--peer", "127.0.0.1:9"])
        .closed_stdout()
        .spawn();
    let addr = talk.wait_listening();
    UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"hello", addr).unwrap();
    // stdin stays open: the receiving thread alone must end the program.
    let start = Instant::now();
    while talk.is_running() {
        assert!(start.elapsed() < DEADLINE, "talk still running: {}", talk.stderr());
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = talk.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn qq_server_with_a_closed_stderr_keeps_chatting() {
    let addr = format!("127.0.0.1:{}", free_udp_port());
    let mut server = Cmd::bin("udp-chat")
        .args(["qq-server", "--bind", &addr, "--explain"])
        .closed_stderr()
        .spawn();
    let friend = UdpSocket::bind("127.0.0.1:0").unwrap();
    friend.set_read_timeout(Some(DEADLINE)).unwrap();
    // No `listening on` line to read: send until the message shows.
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < DEADLINE, "qq-server never showed a message");
        assert!(server.is_running(), "qq-server exited: {}", server.stdout());
        friend.send_to("你好".as_bytes(), &addr).unwrap();
        if server.try_wait_stdout("你好", Duration::from_millis(100)).is_some() {
            break;
        }
    }
    server.send_line("hi");
    let mut buf = [0u8; 64];
    let (n, _) = friend.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hi");
    assert!(server.is_running());
}
