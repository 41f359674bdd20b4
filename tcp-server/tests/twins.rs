//! The Python twins of every mode — `tcp_server.py`, `tcp_server_threads.py`,
//! `tcp_server_nonblocking.py`, `tcp_server_selectors.py` — serve the Rust
//! client in UTF-8 and GBK, the modes for many clients serve them at once, and
//! `tcp_server.py` takes REPLY and `--once` like `tcp-server`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;

use support::{connect, exchange, name};
use testkit::{Cmd, DEADLINE, Proc};

const TWINS: [&str; 4] = [
    "tcp_server.py",
    "tcp_server_threads.py",
    "tcp_server_nonblocking.py",
    "tcp_server_selectors.py",
];

/// `python3 python/TWIN ARGS…` on port 0, ready; `None` without python3.
fn start_twin(twin: &str, args: &[&str]) -> Option<(Proc, SocketAddr)> {
    let mut server = Cmd::python(testkit::twin!(twin))?.args(args).spawn();
    let addr = server.wait_listening();
    Some((server, addr))
}

#[test]
fn every_twin_serves_the_rust_client_in_utf8_and_gbk() {
    for twin in TWINS {
        for encoding in ["utf-8", "gbk"] {
            let Some((mut server, addr)) = start_twin(twin, &["0", encoding]) else {
                return;
            };
            let out = Cmd::bin("tcp-client")
                .args(["--to", &addr.to_string(), "--encoding", encoding, "数据", "hi"])
                .run();
            assert!(out.status.success(), "{twin} {encoding}: {}", out.stderr);
            assert_eq!(out.stdout, "数据\nhi\n", "{twin} {encoding}");
            server.wait_stdout(": 数据");
            server.wait_stdout("closed: ");
            assert!(server.is_running(), "{twin}: a server keeps serving");
        }
    }
}

#[test]
fn the_twins_for_many_clients_serve_them_at_once() {
    for twin in &TWINS[1..] {
        let Some((mut server, addr)) = start_twin(twin, &["0"]) else { return };
        let mut clients: Vec<_> = (0..20).map(|_| connect(addr)).collect();
        for (i, client) in clients.iter_mut().enumerate() {
            client.write_all(format!("client {i:02}").as_bytes()).unwrap();
        }
        for (i, client) in clients.iter_mut().enumerate() {
            let mut reply = [0u8; 9];
            client.read_exact(&mut reply).unwrap();
            assert_eq!(reply, *format!("client {i:02}").as_bytes(), "{twin}");
        }
        let last = name(&clients[19]);
        drop(clients);
        server.wait_stdout(&format!("closed: {last}"));
    }
}

#[test]
fn the_sequential_twin_answers_reply_and_stops_after_one_client_with_once() {
    let Some((mut server, addr)) =
        start_twin("tcp_server.py", &["--once", "0", "utf-8", "success"])
    else {
        return;
    };
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"123", 7), b"success");
    assert_eq!(exchange(&mut client, b"456", 7), b"success");
    drop(client);
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.contains(": 456\n"), "{}", done.stdout);
}

#[test]
fn every_twin_prints_its_usage_with_help() {
    for twin in TWINS {
        let Some(python) = Cmd::python(testkit::twin!(twin)) else { return };
        let out = python.arg("--help").run();
        assert!(out.status.success(), "{twin}: {}", out.stderr);
        assert!(
            out.stdout.contains(&format!("python3 tcp-server/python/{twin} [")),
            "{twin}: {}",
            out.stdout
        );
        let Some(python) = Cmd::python(testkit::twin!(twin)) else { return };
        let out = python.arg("eighty").run();
        assert_ne!(out.code(), Some(0), "{twin}: a port must be a number");
    }
}
