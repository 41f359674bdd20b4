//! file-server and file-downloader with a closed stdout or stderr: no panic.
//! The server stops logging and keeps serving; the downloader's file is saved
//! whole before it says so, and a closed stdout ends it quietly (exit 0).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{assert_downloaded, assert_same_file, dirs, download, write_test_file};
use testkit::{Cmd, DEADLINE, free_tcp_port};

#[test]
fn a_closed_stderr_stops_the_servers_log_not_the_server() {
    let dirs = dirs("closed-stderr");
    write_test_file(&dirs.root.join("hello.txt"), 10_000);
    let addr = format!("127.0.0.1:{}", free_tcp_port());
    let mut server = Cmd::bin("file-server")
        .args(["--bind", &addr, "--root"])
        .arg(&dirs.root)
        .closed_stderr()
        .spawn();
    // No `listening on` line to read: connect until it accepts.
    let start = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(start.elapsed() < DEADLINE, "file-server never listened on {addr}");
        assert!(server.is_running(), "file-server exited");
        std::thread::sleep(Duration::from_millis(20));
    }
    for (i, extra) in [&[][..], &["--classic"][..], &[][..]].iter().enumerate() {
        let out = dirs.out.join(format!("copy{i}.txt"));
        let output = download(addr.parse().unwrap(), "hello.txt", &out, extra);
        assert_downloaded(&output, &dirs.root.join("hello.txt"), &out);
    }
    assert!(server.is_running());
}

#[test]
fn a_closed_stdout_after_saving_ends_the_downloader_quietly() {
    let dirs = dirs("closed-stdout");
    write_test_file(&dirs.root.join("hello.txt"), 10_000);
    let (_server, addr) = support::start_server(&dirs.root, &[]);
    let out = dirs.out.join("copy.txt");
    let output = Cmd::bin("file-downloader")
        .arg("hello.txt")
        .args(["--from", &addr.to_string(), "--output"])
        .arg(&out)
        .closed_stdout()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(0), "{}", output.stderr);
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
    assert_same_file(&dirs.root.join("hello.txt"), &out);
}
