//! Helpers shared by the tcp-server test files: start the server, connect
//! plain `std` clients to it, and exchange bytes with a deadline.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use testkit::{Cmd, DEADLINE, Proc};

/// Starts `tcp-server --bind 127.0.0.1:0 ARGS…` and waits for `listening on`.
pub fn start_server(args: &[&str]) -> (Proc, SocketAddr) {
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", "127.0.0.1:0"]).args(args).spawn();
    let addr = server.wait_listening();
    (server, addr)
}

/// A client socket connected to `addr`, whose reads and writes fail after the
/// test deadline instead of hanging.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Sends `data` and reads back exactly `expected_len` bytes.
pub fn exchange(stream: &mut TcpStream, data: &[u8], expected_len: usize) -> Vec<u8> {
    stream.write_all(data).unwrap();
    let mut reply = vec![0u8; expected_len];
    stream.read_exact(&mut reply).unwrap();
    reply
}

/// Reads until the server closes the connection.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    all
}

/// The local address of a client, as the server prints it.
pub fn name(stream: &TcpStream) -> String {
    stream.local_addr().unwrap().to_string()
}

/// The index of the first stdout line of `text` containing `needle`.
pub fn line_index(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line containing {needle:?} in:\n{text}"))
}
