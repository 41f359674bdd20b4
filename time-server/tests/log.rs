//! The server's log into a pipe: lines are batched (one `write` for a burst
//! of requests), yet each one is written before the server waits for the
//! next datagram, none is lost, and the last ones are written at exit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use common::testing::DEADLINE;
use support::{ask_from, client, rust_server};

#[test]
fn a_request_is_logged_while_the_server_waits_for_the_next() {
    // The test's Cmd reads stdout through a pipe: the buffered case.
    let (mut server, addr) = rust_server("UTC", &[]);
    let socket = client();
    let me = socket.local_addr().unwrap();
    for format in ["%Y", "%%"] {
        ask_from(&socket, addr, format.as_bytes());
        // Nothing else is sent: the server is idle, waiting in recvfrom, and
        // its line must be out already (a buffer never flushed holds it).
        server.wait_stdout_for(&format!("===> {format} from {me}"), DEADLINE);
    }
}

#[test]
fn a_burst_of_requests_is_logged_whole_and_in_order() {
    const REQUESTS: usize = 400;
    const IN_FLIGHT: usize = 16;
    let (mut server, addr) = rust_server("UTC", &[]);
    let socket = client();
    let format = |i: usize| format!("request {i} %%");
    let mut buf = [0u8; 256];
    let mut sent = 0;
    for answered in 0..REQUESTS {
        while sent < REQUESTS && sent < answered + IN_FLIGHT {
            socket.send_to(format(sent).as_bytes(), addr).unwrap();
            sent += 1;
        }
        let (len, _) = socket.recv_from(&mut buf).expect("an answer in time");
        assert_eq!(&buf[..len], format!("request {answered} %").as_bytes());
    }
    // Each line once, in the order the requests came.
    for i in 0..REQUESTS {
        server.wait_stdout(&format!("===> request {i} %% from "));
    }
}

#[test]
fn the_last_lines_are_written_when_the_server_exits() {
    let (mut server, addr) = rust_server("UTC", &["--count", "3"]);
    let socket = client();
    for format in ["one", "two", "three"] {
        ask_from(&socket, addr, format.as_bytes());
    }
    let out = server.wait_exit(DEADLINE);
    assert!(out.status.success(), "{}", out.stderr);
    let formats: Vec<&str> = out
        .stdout
        .lines()
        .map(|line| line.trim_start_matches("===> ").split(" from ").next().unwrap())
        .collect();
    assert_eq!(formats, ["one", "two", "three"], "{}", out.stdout);
}
