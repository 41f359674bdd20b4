//! `udp-chat menu` (tutorial 000 "udp聊天器"): the 1 send / 2 receive / 0 quit
//! menu driven through stdin pipes over real sockets, and against `udp_chat.py`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};

use testkit::{Cmd, DEADLINE, Proc};

fn menu(extra: &[&str]) -> (Proc, SocketAddr) {
    let mut chat = Cmd::bin("udp-chat")
        .args(["menu", "--bind", "127.0.0.1:0"])
        .args(extra)
        .spawn();
    let addr = chat.wait_listening();
    (chat, addr)
}

/// Menu item 1: the peer's ip, port and the message, as typed at the prompts.
fn send(chat: &mut Proc, to: SocketAddr, message: &str) {
    for line in ["1", &to.ip().to_string(), &to.port().to_string(), message] {
        chat.send_line(line);
    }
}

#[test]
fn send_and_receive_both_ways_with_one_socket() {
    let (mut a, a_addr) = menu(&[]);
    let (mut b, b_addr) = menu(&[]);

    // b waits to receive (item 2) before a sends: recvfrom blocks until then.
    b.send_line("2");
    b.wait_stderr("waiting for a datagram");
    send(&mut a, b_addr, "hello from a");
    a.wait_stderr(&format!("sent 12 bytes to {b_addr}"));
    let line = b.wait_stdout("hello from a");
    assert_eq!(
        line,
        format!("message from [127.0.0.1:{}]: hello from a", a_addr.port())
    );

    // The bound socket that sent is the one that receives the answer.
    send(&mut b, a_addr, "你好 a");
    a.send_line("2");
    let line = a.wait_stdout("你好 a");
    assert_eq!(line, format!("message from [127.0.0.1:{}]: 你好 a", b_addr.port()));

    for chat in [&mut a, &mut b] {
        chat.send_line("0");
        let out = chat.wait_exit(DEADLINE);
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
        assert!(!out.stdout.contains('\x1b'), "no colour in a pipe");
    }
}

#[test]
fn bad_choice_and_bad_port_bring_the_menu_back() {
    let (mut a, _) = menu(&[]);
    a.wait_stderr("0: quit");

    a.send_line("7");
    a.wait_stderr("'7' is not on the menu: type 1, 2 or 0");
    a.wait_stderr("1: send a message");

    a.send_line("1");
    a.send_line("127.0.0.1");
    a.send_line("eighty");
    a.wait_stderr("'eighty' is not a port");
    a.wait_stderr("1: send a message");

    a.send_line("1");
    a.send_line("1::2::3"); // not an address, and no DNS lookup
    a.send_line("7788");
    a.wait_stderr("back to the menu");
    a.wait_stderr("1: send a message");

    // Still running, and still able to send.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    send(&mut a, peer.local_addr().unwrap(), "still here");
    let mut buf = [0u8; 32];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"still here");

    // The end of stdin quits like 0 does.
    let out = a.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
}

#[test]
fn unencodable_text_is_refused_and_the_menu_goes_on() {
    let (mut a, _) = menu(&["--encoding", "gbk"]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    send(&mut a, peer.local_addr().unwrap(), "smile 😀");
    a.wait_stderr("cannot be encoded in gbk");
    send(&mut a, peer.local_addr().unwrap(), "数据");
    let mut buf = [0u8; 32];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"\xca\xfd\xbe\xdd", "only the second message left, in GBK");
}

#[test]
fn rust_menu_with_python_menu_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let (mut rust, rust_addr) = menu(&["--encoding", encoding]);
        let Some(cmd) =
            Cmd::python(format!("{}/python/udp_chat.py", env!("CARGO_MANIFEST_DIR")))
        else {
            return;
        };
        let mut python = cmd.args(["0", encoding]).spawn();
        let python_addr = python.wait_listening();

        python.send_line("2");
        send(&mut rust, python_addr, "来自 Rust");
        python.wait_stdout(&format!("('127.0.0.1', {}):来自 Rust", rust_addr.port()));

        rust.send_line("2");
        send(&mut python, rust_addr, "来自 Python");
        let line = rust.wait_stdout("来自 Python");
        assert_eq!(
            line,
            format!("message from [127.0.0.1:{}]: 来自 Python", python_addr.port())
        );
        python.send_line("0");
        assert_eq!(python.wait_exit(DEADLINE).code(), Some(0));
        assert!(!rust.stderr().contains("U+FFFD"), "{encoding}: {}", rust.stderr());
    }
}

#[test]
fn one_byte_is_one_byte() {
    let (mut a, _) = menu(&[]);
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = peer.local_addr().unwrap();
    send(&mut a, to, "x");
    a.wait_stderr(&format!("sent 1 byte to {to}"));
    let mut buf = [0u8; 8];
    peer.set_read_timeout(Some(DEADLINE)).unwrap();
    assert_eq!(peer.recv(&mut buf).unwrap(), 1);
}
