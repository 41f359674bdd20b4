//! `--bind unix:PATH` / `--to unix:PATH`: the same lesson over an AF_UNIX
//! stream socket (tutorials 002 and 004). The socket file is removed on exit.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::net::UnixListener;

use common::testing::{Cmd, DEADLINE, TempDir};

#[test]
fn client_and_server_over_a_unix_socket_then_the_file_is_removed() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("lesson.sock");
    let to = format!("unix:{}", path.display());
    let mut server = Cmd::bin("tcp-server").args(["--bind", &to, "--once"]).spawn();
    server.wait_stderr(&format!("listening on {to}"));
    assert!(path.exists());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "over AF_UNIX", "数据"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "over AF_UNIX\n数据\n");
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.contains("connected: unix-client-1\n"), "{}", done.stdout);
    assert!(done.stdout.contains("unix-client-1: 数据\n"), "{}", done.stdout);
    assert!(!path.exists(), "the socket file is removed on exit");
}

#[test]
fn ctrl_c_removes_the_socket_file() {
    for mode in ["sequential", "threads", "nonblocking"] {
        let dir = TempDir::new("tcp-server-unix");
        let path = dir.join("s.sock");
        let to = format!("unix:{}", path.display());
        let mut server =
            Cmd::bin("tcp-server").args(["--bind", &to, "--mode", mode]).spawn();
        server.wait_stderr("listening on unix:");
        server.interrupt();
        let done = server.wait_exit(DEADLINE);
        assert!(done.status.success(), "{mode}: {}", done.stderr);
        assert!(!path.exists(), "{mode}: the socket file is removed on Ctrl+C");
    }
}

#[test]
fn a_left_over_socket_file_is_replaced_but_a_live_one_is_not() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("old.sock");
    drop(UnixListener::bind(&path).unwrap()); // the file stays behind
    let to = format!("unix:{}", path.display());
    let mut server = Cmd::bin("tcp-server").args(["--bind", &to]).spawn();
    server.wait_stderr("removed");
    server.wait_stderr("listening on unix:");

    let second = Cmd::bin("tcp-server").args(["--bind", &to]).run();
    assert_eq!(second.code(), Some(1));
    assert!(
        second.stderr.contains("another server is listening there"),
        "{}",
        second.stderr
    );
    assert!(path.exists(), "the live server's file is left alone");
}

#[test]
fn nothing_listening_on_a_unix_path() {
    let dir = TempDir::new("tcp-client-unix");
    let to = format!("unix:{}", dir.join("none.sock").display());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "hi"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains(&format!("nothing is listening on {to}")),
        "{}",
        out.stderr
    );
}
