//! udp-receiver over real sockets: what arrives, how it is printed, and what
//! goes wrong (truncation, bad bytes, a port in use).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};

use testkit::{Cmd, DEADLINE, Proc, has_ipv6_loopback};

/// Starts `udp-receiver --bind 127.0.0.1:0 ARGS…` and returns it with its address.
fn receiver(args: &[&str]) -> (Proc, SocketAddr) {
    let mut proc =
        Cmd::bin("udp-receiver").args(["--bind", "127.0.0.1:0"]).args(args).spawn();
    let addr = proc.wait_listening();
    (proc, addr)
}

fn test_socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    socket
}

#[test]
fn sender_to_receiver_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let (mut receiver, addr) = receiver(&["--encoding", encoding]);
        let out = Cmd::bin("udp-sender")
            .args(["--to", &addr.to_string(), "--encoding", encoding, "数据", "nihao"])
            .run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        let first = receiver.wait_stdout(": ");
        assert!(first.ends_with(": 数据"), "{encoding}: {first}");
        assert!(first.starts_with("127.0.0.1:"), "{encoding}: {first}");
        assert!(receiver.wait_stdout(": ").ends_with(": nihao"));
        assert!(!receiver.stderr().contains("warning"), "{}", receiver.stderr());
    }
}

#[test]
fn gbk_bytes_are_the_tutorials_bytes() {
    let (mut receiver, addr) = receiver(&["--python-repr"]);
    let sender = test_socket();
    sender.send_to("数据".as_bytes(), addr).unwrap();
    let out = Cmd::bin("udp-sender")
        .args(["--to", &addr.to_string(), "--encoding", "cp936", "数据"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let port = sender.local_addr().unwrap().port();
    assert_eq!(
        receiver.wait_stdout("(b'"),
        format!("(b'\\xe6\\x95\\xb0\\xe6\\x8d\\xae', ('127.0.0.1', {port}))")
    );
    // tutorial 003: (b'\xca\xfd\xbe\xdd', ('127.0.0.1', 12821))
    assert!(
        receiver
            .wait_stdout("(b'")
            .starts_with("(b'\\xca\\xfd\\xbe\\xdd', ('127.0.0.1', ")
    );
}

#[test]
fn reply_and_echo_answer_wait_reply() {
    let (_receiver, addr) = receiver(&["--reply", "success"]);
    let out = Cmd::bin("udp-sender")
        .args(["--to", &addr.to_string(), "--wait-reply", "hello", "again"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, format!("{addr}: success\n{addr}: success\n"));

    let (_echo, addr) = receiver(&["--echo", "--encoding", "gbk"]);
    let out = Cmd::bin("udp-sender")
        .args([
            "--to",
            &addr.to_string(),
            "--wait-reply",
            "--encoding",
            "gbk",
            "回声 echo",
        ])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, format!("{addr}: 回声 echo\n"));
}

#[test]
fn long_datagram_is_reported_truncated_and_empty_one_shown() {
    let (mut receiver, addr) = receiver(&["--bufsize", "1024", "--python-repr"]);
    let sender = test_socket();
    sender.send_to(&[b'x'; 2000], addr).unwrap();
    let line = receiver.wait_stdout("(b'");
    assert_eq!(line.matches('x').count(), 1024, "only bufsize bytes are printed");
    let warning = receiver.wait_stderr("warning:");
    assert!(
        warning.contains("2000 bytes") && warning.contains("--bufsize"),
        "{warning}"
    );

    sender.send_to(b"", addr).unwrap();
    let port = sender.local_addr().unwrap().port();
    assert_eq!(receiver.wait_stdout("(b'"), format!("(b'', ('127.0.0.1', {port}))"));
    assert!(receiver.wait_stderr("empty").contains("0-byte"));
}

#[test]
fn invalid_bytes_become_replacement_characters_and_receiving_goes_on() {
    let (mut receiver, addr) = receiver(&["--encoding", "utf-8"]);
    let sender = test_socket();
    sender.send_to(b"bad \xff\xfe bytes", addr).unwrap();
    assert!(receiver.wait_stdout(": ").ends_with(": bad \u{FFFD}\u{FFFD} bytes"));
    let warning = receiver.wait_stderr("warning:");
    assert!(
        warning.contains("not valid utf-8") && warning.contains("--encoding"),
        "{warning}"
    );
    // GBK sent to a UTF-8 receiver is 乱码, and the receiver keeps going.
    sender.send_to(b"\xca\xfd\xbe\xdd", addr).unwrap();
    assert!(receiver.wait_stdout(": ").contains('\u{FFFD}'));
    sender.send_to("still here".as_bytes(), addr).unwrap();
    assert!(receiver.wait_stdout(": ").ends_with(": still here"));
    assert!(receiver.is_running());
}

#[test]
fn second_receiver_on_a_port_in_use_fails_with_a_hint() {
    let (_first, addr) = receiver(&[]);
    let out = Cmd::bin("udp-receiver").args(["--bind", &addr.to_string()]).run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    let line = out.stderr.lines().find(|line| line.starts_with("error:")).unwrap();
    assert!(line.contains(&format!("cannot bind {addr}")), "{line}");
    assert!(line.contains("hint:") && line.contains("choose another port"), "{line}");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn count_stops_after_n_datagrams() {
    let (mut receiver, addr) = receiver(&["--count", "2"]);
    let sender = test_socket();
    sender.send_to(b"one", addr).unwrap();
    sender.send_to(b"two", addr).unwrap();
    let out = receiver.wait_exit(DEADLINE);
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
}

#[test]
fn ipv6_loopback_works_when_the_machine_has_it() {
    if !has_ipv6_loopback() {
        eprintln!("SKIPPED: this machine has no ::1");
        return;
    }
    let mut receiver =
        Cmd::bin("udp-receiver").args(["--bind", "[::1]:0", "--count", "1"]).spawn();
    let addr = receiver.wait_listening();
    assert!(addr.is_ipv6());
    let out =
        Cmd::bin("udp-sender").args(["--to", &addr.to_string(), "over ipv6"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    let out = receiver.wait_exit(DEADLINE);
    assert!(
        out.stdout.starts_with("[::1]:") && out.stdout.contains(": over ipv6"),
        "{}",
        out.stdout
    );
}

#[test]
fn explain_narrates_the_five_steps_of_the_seed() {
    let (mut receiver, addr) = {
        let mut proc = Cmd::bin("udp-receiver")
            .args(["--bind", "127.0.0.1:0", "--explain", "--count", "1"])
            .spawn();
        let addr = proc.wait_listening();
        (proc, addr)
    };
    test_socket().send_to(b"hi", addr).unwrap();
    let out = receiver.wait_exit(DEADLINE);
    for step in [
        "[step 1/5] udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "[step 2/5] udp_socket.bind(('127.0.0.1', 0))",
        "[step 3/5] udp_socket.recvfrom(1024)",
        "[step 4/5] print(data.decode('utf-8'))",
        "[step 5/5] udp_socket.close()",
    ] {
        assert!(out.stderr.contains(step), "missing {step:?} in\n{}", out.stderr);
    }
}

#[test]
fn bad_command_lines_are_usage_errors() {
    let out = Cmd::bin("udp-receiver").args(["--encoding", "klingon"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(
        out.stderr.contains("unknown encoding 'klingon'") && out.stderr.contains("gbk")
    );
    let out = Cmd::bin("udp-receiver").args(["--bind", "8080"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("HOST:PORT"), "{}", out.stderr);
    let out =
        Cmd::bin("udp-receiver").args(["--reply", "😀", "--encoding", "gbk"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(out.stderr.contains("U+1F600"), "{}", out.stderr);
    let help = Cmd::bin("udp-receiver").arg("--help").run();
    assert!(
        help.stdout.contains("udp接收数据")
            && help
                .stdout
                .contains("tutorial 000, \"Python socket编程\" (kancloud.cn)")
    );
}

#[test]
fn a_vanished_sender_does_not_stop_a_replying_receiver() {
    let (mut receiver, addr) = receiver(&["--reply", "hi"]);
    {
        let gone = test_socket();
        gone.send_to(b"then I leave", addr).unwrap();
    } // closed before the reply arrives: the reply hits a closed port
    receiver.wait_stdout("then I leave");
    let sender = test_socket();
    sender.send_to(b"still answering?", addr).unwrap();
    let mut buf = [0; 64];
    let (n, _) = sender.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hi");
    assert!(receiver.is_running());
}

#[test]
fn a_port_option_is_answered_with_the_bind_to_write() {
    let out = Cmd::bin("udp-receiver").args(["--port", "8080"]).run();
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("e.g. --bind 127.0.0.1:8080"), "{}", out.stderr);
}
