//! `udp-chat qq-server` and `qq-client` (tutorial 001 "qq聊天"), driven through
//! stdin pipes over real sockets on 127.0.0.1, and against the Python twins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use testkit::{Cmd, DEADLINE, Proc};

fn python(script: &str) -> Option<Cmd> {
    Cmd::python(format!("{}/python/{script}", env!("CARGO_MANIFEST_DIR")))
}

fn rust_server(extra: &[&str]) -> (Proc, SocketAddr) {
    let mut server = Cmd::bin("udp-chat")
        .args(["qq-server", "--bind", "127.0.0.1:0"])
        .args(extra)
        .spawn();
    let addr = server.wait_listening();
    (server, addr)
}

/// The client's address, read from the server's `message from [IP:PORT]: …` line.
fn sender_of(line: &str) -> SocketAddr {
    let inside = line.split('[').nth(1).unwrap().split(']').next().unwrap();
    inside.parse().unwrap()
}

#[test]
fn contact_messages_replies_and_q() {
    let (mut server, server_addr) = rust_server(&[]);
    let mut client = Cmd::bin("udp-chat")
        .args(["qq-client", "--to", &server_addr.to_string()])
        .spawn();
    client.wait_stderr("contacts: 金老板");

    // An unknown contact is reported, and the choice asked again.
    client.send_line("nobody");
    client.wait_stderr("unknown contact 'nobody': choose one of 金老板");

    client.send_line("金老板");
    client.wait_stderr("chatting with 金老板");
    client.send_line("你好");
    let line = server.wait_stdout("]: 你好");
    let client_addr = sender_of(&line);
    assert_eq!(line, format!("message from [127.0.0.1:{}]: 你好", client_addr.port()));
    server.wait_stderr("reply to");
    server.send_line("收到");
    let reply = client.wait_stdout("收到");
    assert_eq!(reply, format!("message from [127.0.0.1:{}]: 收到", server_addr.port()));

    // q returns to the choice of a contact; the same socket chats on.
    client.send_line("q");
    client.wait_stderr("choose a contact");
    client.send_line("egg");
    client.wait_stderr("chatting with egg");
    client.send_line("second message");
    let line = server.wait_stdout("]: second message");
    assert_eq!(sender_of(&line), client_addr, "one socket, one port");
    server.send_line("second reply");
    client.wait_stdout("]: second reply");

    let out = client.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stdout.contains('\x1b'), "no colour in a pipe: {:?}", out.stdout);
    assert!(!server.stdout().contains('\x1b'));
}

#[test]
fn contact_flag_sets_the_list() {
    let (mut server, server_addr) = rust_server(&[]);
    let mut client = Cmd::bin("udp-chat")
        .args(["qq-client", "--contact", &format!("老王={server_addr}")])
        .args(["--contact", "egg=127.0.0.1:9"])
        .spawn();
    client.wait_stderr(&format!("contacts: 老王 ({server_addr}), egg (127.0.0.1:9)"));
    client.send_line("金老板");
    client.wait_stderr("unknown contact '金老板'");
    client.send_line("老王");
    client.send_line("hi 老王");
    server.wait_stdout("]: hi 老王");
    server.send_line("hi yourself");
    client.wait_stdout("]: hi yourself");
}

#[test]
fn bad_contact_flag_is_a_usage_error() {
    let out = Cmd::bin("udp-chat").args(["qq-client", "--contact", "egg"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("expected NAME=ADDR"), "{}", out.stderr);
}

#[test]
fn a_stranger_is_shown_with_its_address() {
    let (mut server, server_addr) = rust_server(&[]);
    let mut client = Cmd::bin("udp-chat")
        .args(["qq-client", "--to", &server_addr.to_string()])
        .spawn();
    client.send_line("yuan");
    client.send_line("anyone there?");
    let client_addr = sender_of(&server.wait_stdout("anyone there?"));

    // While the client waits for yuan's reply, someone else writes to it.
    let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
    let stranger_port = stranger.local_addr().unwrap().port();
    stranger.send_to(b"I am not yuan", client_addr).unwrap();
    client.wait_stdout(&format!(
        "message from [127.0.0.1:{stranger_port}]: I am not yuan"
    ));
    client.wait_stderr("that was not yuan");

    // The real reply still arrives; and the server answers strangers too.
    server.send_line("yuan here");
    client.wait_stdout(&format!("[127.0.0.1:{}]: yuan here", server_addr.port()));
    stranger.send_to(b"hello server", server_addr).unwrap();
    server.wait_stdout(&format!(
        "message from [127.0.0.1:{stranger_port}]: hello server"
    ));
    server.send_line("hello stranger");
    let mut buf = [0u8; 64];
    stranger.set_read_timeout(Some(DEADLINE)).unwrap();
    let (n, from) = stranger.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"hello stranger"[..], server_addr));
}

#[test]
fn a_missing_server_does_not_end_the_chat() {
    let nowhere = format!("127.0.0.1:{}", testkit::free_udp_port());
    let mut client = Cmd::bin("udp-chat")
        .args(["qq-client", "--to", &nowhere, "--timeout", "0.3"])
        .spawn();
    client.send_line("哪吒");
    client.send_line("one");
    client.wait_stderr("no reply from 哪吒");
    client.send_line("two");
    client.wait_stderr("no reply from 哪吒");
    let out = client.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("the chat goes on"), "{}", out.stderr);
}

#[test]
fn server_survives_bad_bytes_and_stops_at_count() {
    let (mut server, server_addr) = rust_server(&["--count", "2"]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buf = [0u8; 64];

    peer.send_to(b"\xff\xfe bad", server_addr).unwrap();
    server.wait_stdout("\u{FFFD}");
    server.wait_stderr("not valid utf-8");
    server.send_line("ok");
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ok");

    peer.send_to("再见".as_bytes(), server_addr).unwrap();
    server.wait_stdout("]: 再见");
    server.send_line("");
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(n, 0, "an empty reply is an empty datagram, as in the tutorial");
    let out = server.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
}

#[test]
fn server_stops_cleanly_when_stdin_ends() {
    let (mut server, server_addr) = rust_server(&[]);
    server.close_stdin();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"anyone?", server_addr).unwrap();
    let out = server.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("stdin ended"), "{}", out.stderr);
}

#[test]
fn port_in_use_is_an_error_with_a_hint() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Cmd::bin("udp-chat").args(["qq-server", "--bind", &addr]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains(&format!("error: cannot bind {addr}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
}

#[test]
fn explain_narrates_the_server_steps() {
    let (mut server, server_addr) = rust_server(&["--explain", "--count", "1"]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"hi", server_addr).unwrap();
    server.wait_stdout("]: hi");
    server.send_line("hi");
    let out = server.wait_exit(DEADLINE);
    for step in [
        "[step 1/7] socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "[step 2/7] bind(('127.0.0.1', 0))",
        "[step 3/7] recvfrom(1024)",
        "[step 5/7] back_msg = input('回复消息: ').strip()",
        "[step 6/7] sendto(b'hi', ('127.0.0.1',",
        "[step 7/7] close()",
    ] {
        assert!(out.stderr.contains(step), "{step} missing in:\n{}", out.stderr);
    }
}

#[test]
fn rust_client_with_python_server_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let Some(cmd) = python("qq_server.py") else { return };
        let mut server = cmd.args(["0", encoding]).spawn();
        let server_addr = server.wait_listening();
        let mut client = Cmd::bin("udp-chat")
            .args([
                "qq-client",
                "--to",
                &server_addr.to_string(),
                "--encoding",
                encoding,
            ])
            .spawn();
        client.send_line("金老板");
        client.send_line("你好，老板");
        server.wait_stdout("的一条消息:你好，老板");
        server.send_line("收到 ok");
        let reply = client.wait_stdout("收到 ok");
        assert_eq!(
            reply,
            format!("message from [127.0.0.1:{}]: 收到 ok", server_addr.port())
        );
        let out = client.wait_exit(DEADLINE);
        assert_eq!(out.code(), Some(0), "{encoding}: {}", out.stderr);
        assert!(!out.stderr.contains("U+FFFD"), "{encoding}: {}", out.stderr);
    }
}

#[test]
fn python_client_with_rust_server_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let (mut server, server_addr) = rust_server(&["--encoding", encoding]);
        let Some(cmd) = python("qq_client.py") else { return };
        let mut client = cmd.args([&server_addr.port().to_string(), encoding]).spawn();
        client.send_line("哪吒");
        client.send_line("在吗");
        let line = server.wait_stdout("]: 在吗");
        server.send_line("在，请讲");
        client.wait_stdout(&format!(
            "来自[127.0.0.1:{}]的一条消息:在，请讲",
            server_addr.port()
        ));
        // q returns to the choice of a contact in the Python twin too.
        client.send_line("q");
        client.send_line("egg");
        client.send_line("again");
        let again = server.wait_stdout("]: again");
        assert_eq!(sender_of(&again), sender_of(&line));
        server.send_line("bye");
        client.wait_stdout("的一条消息:bye");
        assert!(!server.stderr().contains("U+FFFD"), "{encoding}: {}", server.stderr());
        let out = client.wait_exit(DEADLINE);
        assert_eq!(out.code(), Some(0), "{encoding}: {}", out.stderr);
    }
}

#[test]
fn gbk_bytes_are_really_gbk_on_the_wire() {
    let (mut server, server_addr) = rust_server(&["--encoding", "gbk"]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // 数据 in GBK, as the tutorial's Windows machines send it.
    peer.send_to(b"\xca\xfd\xbe\xdd", server_addr).unwrap();
    server.wait_stdout("]: 数据");
    server.send_line("收到");
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"\xca\xd5\xb5\xbd");
}

#[test]
fn a_second_qq_server_on_the_same_port_is_told_which_bind_and_to_to_use() {
    let (_first, addr) = rust_server(&[]);
    let out =
        Cmd::bin("udp-chat").args(["qq-server", "--bind", &addr.to_string()]).run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    let other = format!("127.0.0.1:{}", addr.port() + 1);
    assert!(
        out.stderr
            .contains(&format!("--bind {other} and its clients with --to {other}")),
        "{}",
        out.stderr
    );
}
