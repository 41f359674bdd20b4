//! Seed 001's lesson: restart the server on the same port right after a
//! client was served. With SO_REUSEADDR (the default) it works; with
//! --no-reuseaddr bind fails while the old connection sits in TIME_WAIT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;

use common::testing::{Cmd, DEADLINE, Proc, free_tcp_port};
use support::{connect, exchange, read_to_end};

/// Serves one client on `addr`, then stops the server while the client is
/// still connected (Ctrl+C), so the server's side closes first and its port
/// is left in TIME_WAIT once the client closes too (the four-way close).
fn serve_then_stop(addr: SocketAddr, extra: &[&str]) {
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", &addr.to_string()]).args(extra).spawn();
    server.wait_listening();
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"served", 6), b"served");
    server.wait_stdout(": served");
    server.interrupt();
    server.wait_exit(DEADLINE);
    // The server's FIN arrived (read returns 0); now ours goes back.
    assert!(read_to_end(&mut client).is_empty());
    drop(client);
    #[cfg(target_os = "linux")]
    common::testing::wait_until(DEADLINE, "TIME_WAIT on the server's port", || {
        in_time_wait(addr.port())
    });
}

/// Whether the kernel shows a TCP connection on local `port` in TIME_WAIT
/// (state 06 in /proc/net/tcp).
#[cfg(target_os = "linux")]
fn in_time_wait(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local_port = fields[1].rsplit(':').next().unwrap();
        u16::from_str_radix(local_port, 16) == Ok(port) && fields[3] == "06"
    })
}

fn start(addr: SocketAddr, extra: &[&str]) -> Proc {
    Cmd::bin("tcp-server").args(["--bind", &addr.to_string()]).args(extra).spawn()
}

#[test]
fn restart_works_with_so_reuseaddr() {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse().unwrap();
    serve_then_stop(addr, &[]);
    let mut again = start(addr, &[]);
    assert_eq!(again.wait_listening(), addr);
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"back", 4), b"back");
}

#[test]
fn restart_fails_without_so_reuseaddr_while_in_time_wait() {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse().unwrap();
    serve_then_stop(addr, &["--no-reuseaddr"]);
    let out = start(addr, &["--no-reuseaddr"]).wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("error: cannot bind {addr}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("TIME_WAIT"), "{}", out.stderr);
    assert!(out.stderr.contains("drop --no-reuseaddr"), "{}", out.stderr);
}
