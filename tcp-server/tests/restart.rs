//! Tutorial 001's lesson: restart the server on the same port right after a
//! client was served. With SO_REUSEADDR (the default) it works; with
//! --no-reuseaddr bind fails while the old connection sits in TIME_WAIT.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;

use support::{connect, exchange, read_to_end};
use testkit::{Cmd, DEADLINE, Proc, free_tcp_port};

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
    testkit::wait_until(DEADLINE, "TIME_WAIT on the server's port", || {
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
    assert!(out.stderr.contains("TIME-WAIT"), "{}", out.stderr);
    assert!(out.stderr.contains("drop --no-reuseaddr"), "{}", out.stderr);
    #[cfg(target_os = "linux")]
    assert!(out.stderr.contains("nothing listens on port"), "{}", out.stderr);
}

/// Tutorial 001's exercise as a student meets it: a server without
/// SO_REUSEADDR, a client still connected, Ctrl+C. The server's side of the
/// connection waits in FIN-WAIT-2 for the client's FIN, nothing listens, and
/// a restart — even one that sets SO_REUSEADDR — fails. The hint must say
/// that, not "another server is listening".
#[cfg(target_os = "linux")]
#[test]
fn restart_hint_names_the_closing_connection_not_a_listener() {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse().unwrap();
    let mut server = start(addr, &["--no-reuseaddr"]);
    server.wait_listening();
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"still here", 10), b"still here");
    server.wait_stdout(": still here");
    server.interrupt();
    server.wait_exit(DEADLINE);
    testkit::wait_until(DEADLINE, "FIN-WAIT-2 on the server's port", || {
        states_on(addr.port()).contains(&"05".to_string())
    });
    // The socket table agrees with the hint: no LISTEN (0A) on the port.
    assert!(!states_on(addr.port()).contains(&"0A".to_string()));

    for extra in [&[][..], &["--no-reuseaddr"][..]] {
        let out = start(addr, extra).wait_exit(DEADLINE);
        assert_eq!(out.code(), Some(1), "{}", out.stderr);
        assert!(out.stderr.contains("address already in use"), "{}", out.stderr);
        assert!(!out.stderr.contains("another server is listening"), "{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("nothing listens on port {}", addr.port())),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("FIN-WAIT-2 in `ss -tan`"), "{}", out.stderr);
    }
    drop(client);
}

/// The hint for a port where another server really listens.
#[test]
fn restart_hint_names_a_listener_when_there_is_one() {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse().unwrap();
    let mut first = start(addr, &[]);
    first.wait_listening();
    let out = start(addr, &[]).wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("hint: another server is listening there"),
        "{}",
        out.stderr
    );
}

/// The states (hex, as in /proc/net/tcp) of the sockets whose local port is `port`.
#[cfg(target_os = "linux")]
fn states_on(port: u16) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields[1].rsplit(':').next().unwrap();
            (u16::from_str_radix(local_port, 16) == Ok(port))
                .then(|| fields[3].to_string())
        })
        .collect()
}
