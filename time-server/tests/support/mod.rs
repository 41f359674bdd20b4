//! Helpers the time-server tests share: start a server, ask it for the time
//! over a real UDP socket, and know what the answer should be.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;

use jiff::Zoned;
use jiff::tz::TimeZone;
use testkit::{Cmd, DEADLINE, Proc};

/// Whether the tz database has `Asia/Shanghai`; tests that need an IANA name
/// say SKIPPED without it (a POSIX TZ string like `CST-8` needs no data).
pub fn has_tz_data() -> bool {
    let found = Path::new("/usr/share/zoneinfo/Asia/Shanghai").is_file();
    if !found {
        eprintln!(
            "SKIPPED: /usr/share/zoneinfo/Asia/Shanghai not found (install tzdata)"
        );
    }
    found
}

/// `time-server --bind 127.0.0.1:0` with `TZ` set, and its address.
pub fn rust_server(tz: &str, extra: &[&str]) -> (Proc, SocketAddr) {
    let mut server = Cmd::bin("time-server")
        .args(["--bind", "127.0.0.1:0"])
        .args(extra)
        .env("TZ", tz)
        .spawn();
    let addr = server.wait_listening();
    (server, addr)
}

/// `python3 time_server.py 0 ENCODING` with `TZ` set, and its address; `None`
/// when python3 is missing on a student's machine.
pub fn python_server(tz: &str, encoding: &str) -> Option<(Proc, SocketAddr)> {
    let mut server = Cmd::python(testkit::twin!("time_server.py"))?
        .args(["0", encoding])
        .env("TZ", tz)
        .spawn();
    let addr = server.wait_listening();
    Some((server, addr))
}

/// A client socket on 127.0.0.1 that gives up after [`DEADLINE`].
pub fn client() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    socket
}

/// Sends `format` from `socket` and returns the answer, which must come from `server`.
pub fn ask_from(socket: &UdpSocket, server: SocketAddr, format: &[u8]) -> Vec<u8> {
    socket.send_to(format, server).unwrap();
    let mut buf = vec![0u8; 65_536];
    let (len, from) = socket
        .recv_from(&mut buf)
        .unwrap_or_else(|err| panic!("no answer from {server} to {format:?}: {err}"));
    assert_eq!(from, server, "the answer came from elsewhere");
    buf.truncate(len);
    buf
}

/// Sends `format` from a fresh socket and returns the answer as UTF-8 text.
pub fn ask(server: SocketAddr, format: &str) -> String {
    String::from_utf8(ask_from(&client(), server, format.as_bytes())).unwrap()
}

/// Asks `server` for `format` and checks the answer is the time in `tz` at
/// that moment, as jiff formats it with `expected_format` (allowing for a
/// second boundary between the two clocks).
pub fn assert_time(server: SocketAddr, format: &str, tz: &str, expected_format: &str) {
    let zone = TimeZone::get(tz).unwrap();
    let now = || Zoned::now().with_time_zone(zone.clone());
    let before = now().strftime(expected_format).to_string();
    let answer = ask(server, format);
    let after = now().strftime(expected_format).to_string();
    assert!(
        answer == before || answer == after,
        "{format:?}: got {answer:?}, expected {before:?} (or {after:?})"
    );
}
