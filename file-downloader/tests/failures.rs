//! Vanishing peers over real sockets: a server killed mid-transfer leaves the
//! client with an error and no file (nor `.part`); a client that disconnects
//! mid-transfer does not stop the server; silent, mute and confused servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use support::*;
use testkit::{Cmd, DEADLINE, Proc, wait_until};

/// Accepts one connection within the deadline.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(DEADLINE)).unwrap();
                return stream;
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                assert!(start.elapsed() < DEADLINE, "nobody connected");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(err) => panic!("accept: {err}"),
        }
    }
}

fn spawn_download(
    addr: SocketAddr,
    name: &str,
    out: &std::path::Path,
    extra: &[&str],
) -> Proc {
    Cmd::bin("file-downloader")
        .arg(name)
        .args(["--from", &addr.to_string(), "--output"])
        .arg(out)
        .args(extra)
        .spawn()
}

#[test]
fn a_server_killed_mid_transfer_leaves_no_file() {
    let dirs = dirs("fd-killed");
    write_test_file(&dirs.root.join("big.bin"), 64 * MIB);
    let (mut server, server_addr) = start_server(&dirs.root, &[]);
    let out = dirs.out.join("big.bin");
    let part = dirs.out.join("big.bin.part");
    let (mut client, mut to_client, mut to_server) =
        download_under_way(server_addr, &out, &part);

    // Kill the server in the middle of sending, then pass on whatever its
    // socket still delivers and close, as the dead server's OS does.
    server.kill();
    let _ = io::copy(&mut to_server, &mut to_client);
    drop(to_client);

    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(1), "{}", output.stderr);
    assert!(output.stderr.contains("closed the connection after"), "{}", output.stderr);
    assert!(output.stderr.contains("of 67108864 bytes"), "{}", output.stderr);
    assert!(!out.exists(), "a cut file was saved");
    assert!(!part.exists(), "the .part was left behind");
}

#[test]
fn a_client_that_vanishes_mid_transfer_does_not_stop_the_server() {
    let dirs = dirs("fd-vanish");
    let source = dirs.root.join("big.bin");
    write_test_file(&source, 32 * MIB);
    let (mut server, addr) = start_server(&dirs.root, &[]);
    for request in [&b"GET big.bin\n"[..], b"big.bin"] {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.write_all(request).unwrap();
        let mut first = vec![0u8; 100_000];
        stream.read_exact(&mut first).unwrap();
        drop(stream); // unread bytes: the OS resets the connection
        server.wait_stderr("cannot send \"big.bin\"");
        server.wait_stderr("closed: ");
    }
    assert!(server.is_running());
    let out = dirs.out.join("big.bin");
    let output = download(addr, "big.bin", &out, &[]);
    assert_downloaded(&output, &source, &out);
}

#[test]
fn a_server_that_closes_without_answering() {
    let dirs = dirs("fd-mute");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let out = dirs.out.join("x");
    // Like the Python server when it cannot open the file (it read the
    // request); then rudely, with the request unread (the OS sends a reset).
    for read_the_request in [true, false] {
        let mut client = spawn_download(addr, "x", &out, &[]);
        let mut server_side = accept(&listener);
        if read_the_request {
            server_side.read_exact(&mut [0u8; 6]).unwrap();
        } else {
            // Wait until the request is there, unread.
            server_side.peek(&mut [0u8; 6]).unwrap();
        }
        drop(server_side);
        let output = client.wait_exit(DEADLINE);
        assert_eq!(output.code(), Some(1));
        assert!(
            output.stderr.contains("closed the connection without answering"),
            "{}",
            output.stderr
        );
        assert!(output.stderr.contains("--classic"), "{}", output.stderr);
        assert!(!out.exists());
    }
}

#[test]
fn a_server_that_answers_nonsense() {
    let dirs = dirs("fd-nonsense");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let out = dirs.out.join("x");
    for answer in [&b"HTTP/1.1 200 OK\r\n\r\nhello"[..], b"OK -5\n", b"OK 12"] {
        let mut client = spawn_download(addr, "x", &out, &[]);
        let mut server_side = accept(&listener);
        let mut request = [0u8; 6];
        server_side.read_exact(&mut request).unwrap();
        server_side.write_all(answer).unwrap();
        drop(server_side);
        let output = client.wait_exit(DEADLINE);
        assert_eq!(output.code(), Some(1));
        assert!(
            output.stderr.contains("not \"OK SIZE\" or \"ERR REASON\""),
            "{}",
            output.stderr
        );
        assert!(!out.exists());
        assert_no_part_files(&dirs.out);
    }
}

#[test]
fn a_server_that_stalls_mid_transfer_times_out() {
    let dirs = dirs("fd-stall");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let out = dirs.out.join("x");
    let mut client = spawn_download(addr, "x", &out, &["--timeout", "0.5"]);
    let mut server_side = accept(&listener);
    let mut request = [0u8; 6];
    server_side.read_exact(&mut request).unwrap();
    server_side.write_all(b"OK 100\nonly a few bytes").unwrap();
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(1));
    assert!(
        output.stderr.contains("cannot receive the file from"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("hint: no answer"), "{}", output.stderr);
    assert!(!out.exists());
    assert_no_part_files(&dirs.out);
    drop(server_side);
}

#[test]
fn ctrl_c_mid_transfer_removes_the_part_file() {
    let dirs = dirs("fd-ctrl-c");
    write_test_file(&dirs.root.join("big.bin"), 8 * MIB);
    let (_server, server_addr) = start_server(&dirs.root, &[]);
    let out = dirs.out.join("big.bin");
    let part = dirs.out.join("big.bin.part");
    let (mut client, _to_client, _to_server) =
        download_under_way(server_addr, &out, &part);

    client.interrupt();
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(130), "{}", output.stderr);
    assert!(output.stderr.contains("interrupted: removed"), "{}", output.stderr);
    assert!(!part.exists(), "Ctrl+C left the .part behind");
    assert!(!out.exists(), "a cut file was saved");
}

/// Starts a download of big.bin through a relay run by the test, so the test
/// knows the transfer is under way: it passes on the request and the first
/// MiB, waits until they are in the `.part`, and returns the client with both
/// halves of the relay (client side, server side), paused.
fn download_under_way(
    server_addr: std::net::SocketAddr,
    out: &std::path::Path,
    part: &std::path::Path,
) -> (Proc, TcpStream, TcpStream) {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = spawn_download(proxy.local_addr().unwrap(), "big.bin", out, &[]);
    let mut to_client = accept(&proxy);
    let mut to_server = TcpStream::connect(server_addr).unwrap();
    let mut request = [0u8; 12];
    to_client.read_exact(&mut request).unwrap();
    assert_eq!(&request, b"GET big.bin\n");
    to_server.write_all(&request).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut passed = 0;
    while passed < MIB as usize {
        let n = to_server.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed early");
        to_client.write_all(&buf[..n]).unwrap();
        passed += n;
    }
    wait_until(DEADLINE, "the first bytes in big.bin.part", || {
        part.metadata().is_ok_and(|meta| meta.len() > 0)
    });
    (client, to_client, to_server)
}
