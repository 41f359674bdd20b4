//! The lesson over real sockets: echo, --reply, --greeting, --once, --explain,
//! UTF-8 and GBK, Python's client against the Rust server, big messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;

use support::{connect, exchange, read_to_end, start_server};
use testkit::{Cmd, DEADLINE};

#[test]
fn echoes_each_recv_and_logs_the_client() {
    let (mut server, addr) = start_server(&[]);
    let mut client = connect(addr);
    let me = support::name(&client);
    let hello = "hello 数据".as_bytes();
    assert_eq!(exchange(&mut client, hello, hello.len()), hello);
    server.wait_stdout(&format!("connected: {me}"));
    server.wait_stdout(&format!("{me}: hello 数据"));
    drop(client);
    server.wait_stdout(&format!("closed: {me}"));
    assert!(server.is_running(), "the server keeps listening after a client");
}

#[test]
fn rust_client_and_server_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let (mut server, addr) = start_server(&["--encoding", encoding, "--once"]);
        let out = Cmd::bin("tcp-client")
            .args(["--to", &addr.to_string(), "--encoding", encoding, "数据", "nihao"])
            .run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        assert_eq!(out.stdout, "数据\nnihao\n", "{encoding}");
        server.wait_stdout(": 数据");
        let done = server.wait_exit(DEADLINE);
        assert!(done.status.success(), "{}", done.stderr);
        assert!(!done.stderr.contains("warning"), "{encoding}: {}", done.stderr);
    }
}

#[test]
fn gbk_bytes_on_the_wire_are_the_tutorials() {
    // '数据'.encode('gbk') == b'\xca\xfd\xbe\xdd' (tutorial 003)
    let (mut server, addr) = start_server(&["--encoding", "gbk"]);
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"\xca\xfd\xbe\xdd", 4), b"\xca\xfd\xbe\xdd");
    server.wait_stdout(": 数据");
}

#[test]
fn python_client_talks_to_the_rust_server_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let Some(python) =
            Cmd::python(testkit::twin!("../../tcp-client/python/tcp_client.py"))
        else {
            return;
        };
        let (mut server, addr) = start_server(&["--encoding", encoding, "--once"]);
        let out = python.args([&addr.port().to_string(), encoding, "数据", "hi"]).run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        assert_eq!(out.stdout, "数据\nhi\n", "{encoding}");
        server.wait_stdout(": 数据");
        server.wait_stdout(": hi");
        assert!(server.wait_exit(DEADLINE).status.success());
    }
}

#[test]
fn reply_success_like_seed_004() {
    let (mut server, addr) = start_server(&["--reply", "success"]);
    let mut client = connect(addr);
    assert_eq!(exchange(&mut client, b"123", 7), b"success");
    assert_eq!(exchange(&mut client, b"456", 7), b"success");
    server.wait_stdout(": 123");
    // The server is sequential: the next client is served once this one closes.
    drop(client);
    let out = Cmd::bin("tcp-client").args(["--to", &addr.to_string(), "123"]).run();
    assert_eq!(out.stdout, "success\n", "{}", out.stderr);
}

#[test]
fn greeting_is_read_by_recv_only() {
    let (mut server, addr) =
        start_server(&["--greeting", "TCP数据", "--encoding", "gbk"]);
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr.to_string(), "--recv-only", "--encoding", "gbk"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "TCP数据\n");
    server.wait_stdout("closed: ");
}

#[test]
fn send_only_with_once_like_seed_003() {
    let (mut server, addr) = start_server(&["--once", "--encoding", "gbk"]);
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr.to_string(), "--send-only", "--encoding", "gbk", "数据"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "", "--send-only prints no reply");
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.contains(": 数据\n"), "{}", done.stdout);
    assert!(done.stdout.contains("closed: "), "{}", done.stdout);
}

#[test]
fn a_message_bigger_than_bufsize_arrives_in_pieces_without_loss() {
    // 7-byte pieces cut 3-byte characters in two: nothing may be lost or garbled.
    let message = "数据 data 资料 ".repeat(300);
    let (mut server, addr) = start_server(&["--bufsize", "7", "--once"]);
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr.to_string(), "--bufsize", "50", &message])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    // The client printed the echo in several recv-sized pieces.
    assert!(out.stdout.lines().count() > 1);
    assert_eq!(out.stdout.lines().collect::<String>(), message);
    let done = server.wait_exit(DEADLINE);
    let me = done.stdout.lines().next().unwrap().trim_start_matches("connected: ");
    let prefix = format!("{me}: ");
    let pieces: Vec<&str> =
        done.stdout.lines().filter_map(|line| line.strip_prefix(&prefix)).collect();
    assert!(pieces.len() > 100, "read 7 bytes at a time");
    assert_eq!(pieces.concat(), message);
    assert!(!done.stderr.contains("warning"), "{}", done.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[test]
fn several_sends_can_arrive_in_one_recv() {
    // TCP is a byte stream: three sends wait in the server's buffer while it
    // serves someone else, and then one recv returns them together.
    let (mut server, addr) = start_server(&[]);
    let busy = connect(addr);
    server.wait_stdout("connected: ");
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr.to_string(), "--send-only", "--timeout", "0.3"])
        .args(["one", "two", "three"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    drop(busy);
    server.wait_stdout(": onetwothree");
}

#[test]
fn explain_narrates_the_eight_steps() {
    let (mut server, addr) = start_server(&["--explain", "--once"]);
    let mut client = connect(addr);
    exchange(&mut client, b"hi", 2);
    drop(client);
    let done = server.wait_exit(DEADLINE);
    for step in [
        "[step 1/8] socket(socket.AF_INET, socket.SOCK_STREAM)",
        "[step 2/8] setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
        "[step 3/8] bind(('127.0.0.1', 0))",
        "[step 4/8] listen(128)",
        "[step 5/8] accept()",
        "[step 6/8] client.recv(1024)",
        "[step 7/8] client.close()",
        "[step 8/8] tcp_server.close()",
    ] {
        assert!(done.stderr.contains(step), "missing {step:?} in:\n{}", done.stderr);
    }
}

#[test]
fn explain_says_when_step_2_is_skipped_and_narrates_the_greeting() {
    let (mut server, addr) =
        start_server(&["--explain", "--once", "--no-reuseaddr", "--greeting", "hi"]);
    let mut client = connect(addr);
    let mut greeting = [0u8; 2];
    std::io::Read::read_exact(&mut client, &mut greeting).unwrap();
    assert_eq!(&greeting, b"hi");
    drop(client);
    let done = server.wait_exit(DEADLINE);
    for line in [
        "[step 2/8] skipped: no SO_REUSEADDR (--no-reuseaddr, or Windows)",
        "[step 5/8] accept()",
        "[note] client.sendall(greeting)  ->  Write::write_all",
        "[step 6/8] client.recv(1024)",
    ] {
        assert!(done.stderr.contains(line), "missing {line:?} in:\n{}", done.stderr);
    }
    assert!(!done.stderr.contains("set_reuse_address"), "{}", done.stderr);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let (_first, addr) = start_server(&[]);
    let out = Cmd::bin("tcp-server").args(["--bind", &addr.to_string()]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains(&format!("error: cannot bind {addr}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: another server is listening there"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let out = Cmd::bin("tcp-server").args(["--max-clients", "3"]).run();
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--mode threads"), "{}", out.stderr);
    let out = Cmd::bin("tcp-server").args(["--encoding", "gbk", "--reply", "😀"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(out.stderr.contains("U+1F600"), "{}", out.stderr);
    let help = Cmd::bin("tcp-server").arg("--help").run();
    assert!(
        help.stdout.contains("tutorial 000, \"Python socket编程\" (kancloud.cn)"),
        "{}",
        help.stdout
    );
}

#[test]
fn a_megabyte_is_echoed_whole() {
    // One thread writes while this one reads: TCP delivers every byte, in order,
    // in whatever pieces the kernel chooses.
    let (_server, addr) = start_server(&["--bufsize", "4096"]);
    let mut client = connect(addr);
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut writer = client.try_clone().unwrap();
    let sent = big.clone();
    let writing = std::thread::spawn(move || {
        writer.write_all(&sent).unwrap();
        writer.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let echoed = read_to_end(&mut client);
    writing.join().unwrap();
    assert!(echoed == big, "{} bytes came back, not the same", echoed.len());
}

#[test]
fn ipv6_loopback_works_too() {
    if !testkit::has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback here");
        return;
    }
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", "[::1]:0", "--once"]).spawn();
    let addr = server.wait_listening();
    assert!(addr.is_ipv6());
    let out = Cmd::bin("tcp-client").args(["--to", &addr.to_string(), "hi"]).run();
    assert_eq!(out.stdout, "hi\n", "{}", out.stderr);
    let done = server.wait_exit(DEADLINE);
    assert!(done.stdout.contains("[::1]:"), "{}", done.stdout);
}
