//! `udp-chat talk`: one socket used at once by a receiving thread and the
//! sending main thread, driven through stdin pipes over real sockets; colour
//! only on a terminal (a pseudo-terminal made by `script`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;

use testkit::{Cmd, DEADLINE, Proc, free_udp_port};

fn talker(bind: &str, peer: &str, extra: &[&str]) -> (Proc, SocketAddr) {
    let mut talk = Cmd::bin("udp-chat")
        .args(["talk", "--bind", bind, "--peer", peer])
        .args(extra)
        .spawn();
    let addr = talk.wait_listening();
    (talk, addr)
}

#[test]
fn two_talkers_both_ways_at_once() {
    // a binds a port of the OS's choosing; b then binds the port a talks to.
    let b_bind = format!("127.0.0.1:{}", free_udp_port());
    let (mut a, a_addr) = talker("127.0.0.1:0", &b_bind, &[]);
    let (mut b, b_addr) = talker(&b_bind, &a_addr.to_string(), &[]);

    // Each sends everything before reading anything the other sent.
    for n in 1..=3 {
        a.send_line(&format!("a says {n}"));
        b.send_line(&format!("b 说 {n}"));
    }
    for n in 1..=3 {
        let line = b.wait_stdout(&format!("a says {n}"));
        assert_eq!(
            line,
            format!("message from [127.0.0.1:{}]: a says {n}", a_addr.port())
        );
        let line = a.wait_stdout(&format!("b 说 {n}"));
        assert_eq!(
            line,
            format!("message from [127.0.0.1:{}]: b 说 {n}", b_addr.port())
        );
    }

    // The end of stdin ends the chat cleanly.
    for talk in [&mut a, &mut b] {
        let out = talk.wait_exit(DEADLINE);
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
        assert!(!out.stdout.contains('\x1b'), "no colour in a pipe");
    }
}

#[test]
fn a_missing_peer_does_not_end_the_chat() {
    let peer_port = free_udp_port();
    let peer = format!("127.0.0.1:{peer_port}");
    let (mut a, a_addr) = talker("127.0.0.1:0", &peer, &["--explain"]);

    // Nobody listens at the peer's port: the lines are lost (Windows and some
    // systems report it on the next receive; Linux says nothing), not fatal.
    a.send_line("lost 1");
    a.send_line("lost 2");
    a.wait_stderr("sendto(b'lost 2'");

    // The peer starts; the chat goes on in both directions.
    let (mut b, _) = talker(&peer, &a_addr.to_string(), &[]);
    a.send_line("found you");
    b.wait_stdout("]: found you");
    b.send_line("here I am");
    a.wait_stdout("]: here I am");
    assert!(a.is_running());
    assert!(!a.stderr().contains("error:"), "{}", a.stderr());
    // "lost 1" surely left before b bound the port: the sending thread printed
    // the step for "lost 2" after it. ("lost 2" itself may still be on its way
    // when b starts, so it proves nothing.)
    assert!(!b.stdout().contains("lost 1"), "UDP does not keep lost datagrams");
}

#[test]
fn a_stranger_is_shown_with_its_address() {
    let (mut a, a_addr) = talker("127.0.0.1:0", "127.0.0.1:9", &[]);
    let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = stranger.local_addr().unwrap().port();
    stranger.send_to("陌生人".as_bytes(), a_addr).unwrap();
    a.wait_stdout(&format!("message from [127.0.0.1:{port}]: 陌生人"));
}

#[test]
fn rust_talker_with_python_talker_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let python_port = free_udp_port();
        let (mut rust, rust_addr) = talker(
            "127.0.0.1:0",
            &format!("127.0.0.1:{python_port}"),
            &["--encoding", encoding],
        );
        let Some(cmd) =
            Cmd::python(format!("{}/python/udp_talk.py", env!("CARGO_MANIFEST_DIR")))
        else {
            return;
        };
        let mut python = cmd
            .args([&python_port.to_string(), &rust_addr.port().to_string(), encoding])
            .spawn();
        python.wait_listening();
        rust.send_line("你好 Python");
        python.send_line("你好 Rust");
        python.wait_stdout(&format!(
            "message from [127.0.0.1:{}]: 你好 Python",
            rust_addr.port()
        ));
        rust.wait_stdout(&format!("message from [127.0.0.1:{python_port}]: 你好 Rust"));
        assert_eq!(python.wait_exit(DEADLINE).code(), Some(0));
        assert_eq!(rust.wait_exit(DEADLINE).code(), Some(0));
        assert!(!rust.stderr().contains("U+FFFD"), "{encoding}: {}", rust.stderr());
    }
}

/// `script` (util-linux) runs a command on a pseudo-terminal: the only way
/// to see what a program prints on a real terminal from a test.
#[allow(clippy::print_stderr)] // says SKIPPED
fn on_a_terminal(no_color: Option<&str>) -> Option<String> {
    if !Path::new("/usr/bin/script").exists() && !Path::new("/bin/script").exists() {
        eprintln!(
            "SKIPPED: `script` (util-linux) not found; colour on a terminal not tested"
        );
        return None;
    }
    let command = format!(
        "{} talk --bind 127.0.0.1:0 --peer 127.0.0.1:9",
        testkit::bin("udp-chat").display()
    );
    let mut cmd = Cmd::new("script").args(["-qfec", &command, "/dev/null"]);
    cmd = match no_color {
        Some(value) => cmd.env("NO_COLOR", value),
        None => cmd.env_remove("NO_COLOR"),
    };
    let mut talk = cmd.spawn();
    // On a terminal stderr and stdout are the same: script's output.
    let line = talk.wait_stdout("listening on ");
    let addr: SocketAddr =
        line.rsplit("listening on ").next().unwrap().trim().parse().unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"colourful", addr).unwrap();
    Some(talk.wait_stdout("colourful"))
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let Some(line) = on_a_terminal(None) else { return };
    assert!(line.contains("\x1b[1;44mcolourful\x1b[0m"), "{line:?}");
    let line = on_a_terminal(Some("1")).unwrap();
    assert!(!line.contains('\x1b'), "{line:?}");

    // A pipe gets plain text even without NO_COLOR.
    let mut talk = Cmd::bin("udp-chat")
        .args(["talk", "--bind", "127.0.0.1:0", "--peer", "127.0.0.1:9"])
        .env_remove("NO_COLOR")
        .spawn();
    let addr = talk.wait_listening();
    UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"plain", addr).unwrap();
    let line = talk.wait_stdout("plain");
    assert!(!line.contains('\x1b'), "{line:?}");
}

#[test]
fn a_second_talker_on_the_same_port_is_told_the_other_pair_of_addresses() {
    let peer = format!("127.0.0.1:{}", free_udp_port());
    let (_first, first_addr) = talker("127.0.0.1:0", &peer, &[]);
    let out = Cmd::bin("udp-chat")
        .args(["talk", "--bind", &first_addr.to_string(), "--peer", &peer])
        .run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("address already in use"), "{}", out.stderr);
    // The hint is the command line of the second talker, and it works.
    let wanted = format!("--bind {peer} --peer {first_addr}");
    assert!(out.stderr.contains(&wanted), "{}", out.stderr);
    let (_second, second_addr) = talker(&peer, &first_addr.to_string(), &[]);
    assert_eq!(second_addr.to_string(), peer);
}
