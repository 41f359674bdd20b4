//! Many clients: the sequential lesson makes the second client wait (its
//! limit, shown), threads and non-blocking mode serve them at once, and
//! --max-clients refuses politely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use support::{connect, exchange, line_index, name, read_to_end, start_server};
use testkit::{Cmd, DEADLINE};

#[test]
fn sequential_second_client_waits_until_the_first_closes() {
    let (mut server, addr) = start_server(&[]);
    let mut first = connect(addr);
    assert_eq!(exchange(&mut first, b"first", 5), b"first");

    // The second connect succeeds (the kernel queues it in the listen backlog),
    // but nobody accepts it while the first client is served.
    let mut second = connect(addr);
    second.write_all(b"second").unwrap();
    second.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut reply = [0u8; 6];
    let waited = second.read(&mut reply).unwrap_err();
    assert!(matches!(waited.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
    assert!(!server.stdout().contains(&format!("connected: {}", name(&second))));

    // As soon as the first client closes, the second one is served.
    let first_name = name(&first);
    drop(first);
    second.set_read_timeout(Some(DEADLINE)).unwrap();
    second.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"second");
    server.wait_stdout(&format!("{}: second", name(&second)));
    let log = server.stdout();
    assert!(
        line_index(&log, &format!("closed: {first_name}"))
            < line_index(&log, &format!("connected: {}", name(&second))),
        "{log}"
    );
}

/// Connects `count` clients, then has each send and receive while all of them
/// are still connected: only a server that serves them at once can answer.
fn all_answered_at_once(addr: std::net::SocketAddr, count: usize) {
    let mut clients: Vec<_> = (0..count).map(|_| connect(addr)).collect();
    for (i, client) in clients.iter_mut().enumerate() {
        client.write_all(format!("client {i:02}").as_bytes()).unwrap();
    }
    for (i, client) in clients.iter_mut().enumerate() {
        let mut reply = [0u8; 9];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(reply, *format!("client {i:02}").as_bytes());
    }
}

#[test]
fn threads_answer_fifty_clients_connected_at_once() {
    let (mut server, addr) = start_server(&["--mode", "threads"]);
    all_answered_at_once(addr, 50);
    for _ in 0..50 {
        server.wait_stdout("closed: ");
    }
    let log = server.stdout();
    assert_eq!(log.matches("connected: ").count(), 50);
    // Every client was connected before the first one closed.
    let lines: Vec<&str> = log.lines().collect();
    let last_connected = lines.iter().rposition(|line| line.starts_with("connected: "));
    assert!(last_connected.unwrap() < line_index(&log, "closed: "), "{log}");
}

#[test]
fn nonblocking_serves_several_clients_from_one_thread() {
    let (mut server, addr) = start_server(&["--mode", "nonblocking"]);
    all_answered_at_once(addr, 8);
    #[cfg(target_os = "linux")]
    {
        let threads = std::fs::read_dir(format!("/proc/{}/task", server.id())).unwrap();
        assert_eq!(threads.count(), 1, "one thread serves every client");
    }
    for _ in 0..8 {
        server.wait_stdout("closed: ");
    }
}

#[test]
fn nonblocking_greets_and_replies() {
    let (mut server, addr) = start_server(&[
        "--mode",
        "nonblocking",
        "--greeting",
        "hello",
        "--reply",
        "ok",
    ]);
    let mut client = connect(addr);
    let mut greeting = [0u8; 5];
    client.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"hello");
    assert_eq!(exchange(&mut client, b"x", 2), b"ok");
    server.wait_stdout(": x");
}

#[test]
fn once_ends_threads_and_nonblocking_after_one_client() {
    for mode in ["threads", "nonblocking"] {
        let (mut server, addr) = start_server(&["--mode", mode, "--once"]);
        let out = Cmd::bin("tcp-client").args(["--to", &addr.to_string(), "hi"]).run();
        assert_eq!(out.stdout, "hi\n", "{mode}: {}", out.stderr);
        assert!(server.wait_exit(DEADLINE).status.success(), "{mode}");
    }
}

#[test]
fn max_clients_refuses_politely_past_n() {
    for mode in ["threads", "nonblocking"] {
        let (mut server, addr) = start_server(&["--mode", mode, "--max-clients", "2"]);
        let mut a = connect(addr);
        let mut b = connect(addr);
        assert_eq!(exchange(&mut a, b"a", 1), b"a");
        assert_eq!(exchange(&mut b, b"b", 1), b"b");

        // A third client hears why, and is closed.
        let mut c = connect(addr);
        let busy = String::from_utf8(read_to_end(&mut c)).unwrap();
        assert!(
            busy.starts_with("busy: this server already serves 2 client(s)"),
            "{busy}"
        );
        server.wait_stdout(&format!("refused: {}", name(&c)));

        // Once a client leaves, there is room again.
        let a_name = name(&a);
        drop(a);
        server.wait_stdout(&format!("closed: {a_name}"));
        let mut d = connect(addr);
        assert_eq!(exchange(&mut d, b"d", 1), b"d", "{mode}");
        assert_eq!(exchange(&mut b, b"b2", 2), b"b2", "{mode}");
    }
}
