//! udp-sender over real sockets: what it sends, what it reports about the
//! local port, and what it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;

use testkit::{Cmd, DEADLINE, free_udp_port};

fn receiving_socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    socket
}

fn recv(socket: &UdpSocket) -> (Vec<u8>, std::net::SocketAddr) {
    let mut buf = vec![0; 70_000];
    let (n, from) = socket.recv_from(&mut buf).unwrap();
    (buf[..n].to_vec(), from)
}

#[test]
fn report_names_the_port_the_os_chose() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let out = Cmd::bin("udp-sender").args(["--to", &to.to_string(), "nihao"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    let (data, from) = recv(&receiver);
    assert_eq!(data, b"nihao");
    let report = format!(
        "sent 5 bytes to {to} from local port {} (chosen by the OS)",
        from.port()
    );
    assert!(out.stderr.contains(&report), "expected {report:?} in\n{}", out.stderr);
}

#[test]
fn bind_fixes_the_local_port() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let port = free_udp_port();
    let out = Cmd::bin("udp-sender")
        .args([
            "--to",
            &to.to_string(),
            "--bind",
            &format!("127.0.0.1:{port}"),
            "fixed",
        ])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let (data, from) = recv(&receiver);
    assert_eq!((data.as_slice(), from.port()), (&b"fixed"[..], port));
    assert!(out.stderr.contains(&format!("from local port {port} (fixed by --bind)")));
}

#[test]
fn a_bind_port_in_use_is_named_as_the_bind_that_failed() {
    let receiver = receiving_socket();
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let _holder = UdpSocket::bind(taken).unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &receiver.local_addr().unwrap().to_string()])
        .args(["--bind", &taken.to_string(), "hi"])
        .run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    let expected =
        format!("error: cannot bind {taken}: address already in use (hint: ");
    assert!(
        out.stderr.starts_with(&expected),
        "expected {expected:?} in\n{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "one line: {}", out.stderr);
}

#[test]
fn each_stdin_line_is_one_datagram() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to.to_string(), "--encoding", "gbk"])
        .stdin("第一行\nsecond\n\nlast")
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let got: Vec<Vec<u8>> = (0..4).map(|_| recv(&receiver).0).collect();
    assert_eq!(got, [&b"\xb5\xda\xd2\xbb\xd0\xd0"[..], b"second", b"", b"last"]);
}

#[test]
fn text_gbk_cannot_encode_is_refused_and_nothing_is_sent() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to.to_string(), "--encoding", "gbk", "ok", "smile 😀"])
        .run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains("error: '😀' (U+1F600) cannot be encoded in gbk"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(" bytes to "), "nothing is sent: {}", out.stderr);

    // From stdin, the bad line is refused and the others still go.
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to.to_string(), "--encoding", "gbk"])
        .stdin("before\n😀\nafter\n")
        .run();
    assert_eq!(out.code(), Some(1));
    // "before" is the first datagram to arrive: "ok" was never sent above.
    assert_eq!(recv(&receiver).0, b"before");
    assert_eq!(recv(&receiver).0, b"after");
    assert_eq!(out.stderr.matches("error:").count(), 2, "{}", out.stderr);
}

#[test]
fn unknown_encoding_is_a_usage_error_with_examples() {
    let out = Cmd::bin("udp-sender").args(["--encoding", "latin-9000", "x"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("unknown encoding 'latin-9000'"), "{}", out.stderr);
    assert!(out.stderr.contains("utf-8, gbk"), "{}", out.stderr);
}

#[test]
fn no_reply_is_reported_after_the_timeout() {
    let silent = receiving_socket();
    let to = silent.local_addr().unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to.to_string(), "--wait-reply", "--timeout", "0.3", "anyone?"])
        .run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "error: the datagram was sent, but no reply came from {to} within"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
}

#[test]
fn oversized_message_is_refused_with_a_hint() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &to.to_string(), &"x".repeat(70_000)])
        .run();
    assert_eq!(out.code(), Some(1));
    assert!(out.stderr.contains("at most 65507"), "{}", out.stderr);
}

#[test]
fn help_names_the_lesson_and_tutorial() {
    let out = Cmd::bin("udp-sender").arg("--help").run();
    assert!(out.status.success());
    assert!(
        out.stdout.contains("udp发送数据")
            && out
                .stdout
                .contains("tutorial 003, \"Python使用套接字(socket)实现UDP与TCP通信\""),
        "{}",
        out.stdout
    );
}

#[test]
fn explain_narrates_the_steps() {
    let receiver = receiving_socket();
    let to = receiver.local_addr().unwrap();
    let out =
        Cmd::bin("udp-sender").args(["--to", &to.to_string(), "--explain", "hi"]).run();
    let expected = [
        "[step 1/3] udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  \
         ->  UdpSocket::bind(0.0.0.0:0)"
            .to_string(),
        format!("[step 2/3] udp_socket.sendto(b'hi', ('127.0.0.1', {}))", to.port()),
        "[step 3/3] udp_socket.close()".to_string(),
    ];
    for line in expected {
        assert!(out.stderr.contains(&line), "{line:?} not in\n{}", out.stderr);
    }
}

#[test]
fn a_port_alone_or_a_port_option_is_answered_with_the_address_to_write() {
    let out = Cmd::bin("udp-sender").args(["--to", "8080", "hi"]).run();
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("port 8080 on this machine: 127.0.0.1:8080"),
        "{}",
        out.stderr
    );
    let out = Cmd::bin("udp-sender").args(["--port", "8080", "hi"]).run();
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("e.g. --to 127.0.0.1:8080"), "{}", out.stderr);
}
