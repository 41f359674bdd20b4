//! A file server played by the test itself, for the answers `file-server`
//! never gives: a transfer that pauses half-way, an `ERR` line holding
//! terminal escapes, more bytes than announced. Real sockets on 127.0.0.1.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use testkit::{Cmd, DEADLINE, Proc};

/// A listener on 127.0.0.1, port 0.
pub struct FakeServer {
    listener: TcpListener,
}

impl FakeServer {
    pub fn new() -> FakeServer {
        FakeServer { listener: TcpListener::bind("127.0.0.1:0").unwrap() }
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap()
    }

    /// Accepts one client within the deadline and reads its request line
    /// (`GET NAME\n`); returns the connection and the line.
    pub fn accept_request(&self) -> (TcpStream, Vec<u8>) {
        let mut stream = self.accept_within(DEADLINE).expect("nobody connected");
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\n") {
            assert!(request.len() < 2048, "no newline in {request:?}");
            let n = stream.read(&mut byte).unwrap();
            assert!(n > 0, "the client closed before its request ended: {request:?}");
            request.push(byte[0]);
        }
        (stream, request)
    }

    /// Accepts one client, or `None` if nobody is there within `timeout`.
    pub fn accept_within(&self, timeout: Duration) -> Option<TcpStream> {
        self.listener.set_nonblocking(true).unwrap();
        let start = Instant::now();
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream.set_read_timeout(Some(DEADLINE)).unwrap();
                    return Some(stream);
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    if start.elapsed() >= timeout {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(err) => panic!("accept: {err}"),
            }
        }
    }

    /// Serves one client: reads its request, sends `answer`, closes.
    pub fn answer_once(&self, answer: &[u8]) -> Vec<u8> {
        let (mut stream, request) = self.accept_request();
        stream.write_all(answer).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        // Read to the client's close, so that nothing unread resets the line.
        let _ = io::copy(&mut stream, &mut io::sink());
        request
    }
}

/// `file-downloader NAME --from ADDR --output OUT EXTRA…`, started.
pub fn spawn_download(
    addr: SocketAddr,
    name: &str,
    out: &Path,
    extra: &[&str],
) -> Proc {
    Cmd::bin("file-downloader")
        .arg(name)
        .args(["--from", &addr.to_string(), "--output"])
        .arg(out)
        .args(extra)
        .spawn()
}

/// The names in `dir` that end in `.part`.
pub fn part_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".part"))
        .collect()
}
