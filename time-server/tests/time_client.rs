//! time-client against a real time-server (and against silent or stray
//! peers): formats from the command line and stdin, errors, `--timeout`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::UdpSocket;
use std::thread;

use support::rust_server;
use testkit::{Cmd, DEADLINE};

#[test]
fn formats_on_the_command_line_are_answered_in_order() {
    let (mut server, addr) = rust_server("UTC", &[]);
    let year = jiff::Zoned::now().year().to_string();
    let out = Cmd::bin("time-client")
        .args(["--to", &addr.to_string(), "%Y", "", "%Y年%m月%d日", "it is %Y"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(lines[0], year);
    assert!(
        lines[1].starts_with(&format!("{year}-")) && lines[1].len() == 19,
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(&format!("{year}年")) && lines[2].ends_with('日'));
    assert_eq!(lines[3], format!("it is {year}"));
    server.wait_stdout("===> %Y from 127.0.0.1:");
    server.wait_stdout("===> (empty, so %Y-%m-%d %X) from");
}

#[test]
fn stdin_lines_are_stripped_and_an_empty_line_asks_for_the_default() {
    let (_server, addr) = rust_server("UTC", &[]);
    let out = Cmd::bin("time-client")
        .args(["--to", &addr.to_string()])
        .stdin("  %Y  \n\n%%\n")
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert_eq!(lines[0], jiff::Zoned::now().year().to_string());
    assert_eq!(lines[1].len(), "2024-07-05 09:03:07".len(), "{}", lines[1]);
    assert_eq!(lines[2], "%");
}

#[test]
fn gbk_both_ways() {
    let (_server, addr) = rust_server("UTC", &["--encoding", "gbk"]);
    let out = Cmd::bin("time-client")
        .args(["--to", &addr.to_string(), "--encoding", "gbk", "%Y年%m月%d日"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    let year = jiff::Zoned::now().year().to_string();
    assert!(out.stdout.starts_with(&format!("{year}年")), "{}", out.stdout);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[test]
fn an_error_answer_is_printed_and_the_exit_status_is_1() {
    let (_server, addr) = rust_server("UTC", &[]);
    let out =
        Cmd::bin("time-client").args(["--to", &addr.to_string(), "%Q", "%Y"]).run();
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("error: %Q is not a strftime directive"),
        "{}",
        out.stdout
    );
    assert_eq!(lines[1], jiff::Zoned::now().year().to_string());
    assert!(
        out.stderr.contains("error: 1 of 2 format(s) got no time"),
        "{}",
        out.stderr
    );
}

#[test]
fn timeout_reports_a_server_that_does_not_answer() {
    // A socket that receives and never answers, then no socket at all.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let nobody = testkit::free_udp_port();
    for to in [silent.local_addr().unwrap().to_string(), format!("127.0.0.1:{nobody}")]
    {
        let out =
            Cmd::bin("time-client").args(["--to", &to, "--timeout", "0.3", "%Y"]).run();
        assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            out.stderr.contains(&format!("error: no answer from {to} within 300ms")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("hint: is time-server"), "{}", out.stderr);
    }
}

#[test]
fn a_datagram_from_someone_else_is_not_taken_for_the_answer() {
    let fake_server = UdpSocket::bind("127.0.0.1:0").unwrap();
    fake_server.set_read_timeout(Some(DEADLINE)).unwrap();
    let addr = fake_server.local_addr().unwrap();
    let answering = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (_, client) = fake_server.recv_from(&mut buf).unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
        stranger.send_to(b"not the time", client).unwrap();
        fake_server.send_to(b"the time", client).unwrap();
    });
    let out = Cmd::bin("time-client").args(["--to", &addr.to_string(), "%T"]).run();
    answering.join().unwrap();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "the time\n");
    assert!(out.stderr.contains("warning: ignored a datagram from"), "{}", out.stderr);
}

#[test]
fn unencodable_formats_are_refused_before_sending() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = silent.local_addr().unwrap().to_string();
    let out =
        Cmd::bin("time-client").args(["--to", &to, "--encoding", "gbk", "%Y 😀"]).run();
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("cannot be encoded in gbk"), "{}", out.stderr);
    silent.set_nonblocking(true).unwrap();
    assert!(silent.recv_from(&mut [0u8; 16]).is_err(), "something was sent");
}

#[test]
fn explain_narrates_the_client_steps() {
    let (_server, addr) = rust_server("UTC", &[]);
    let out = Cmd::bin("time-client")
        .args(["--to", &addr.to_string(), "--explain", "%Y"])
        .run();
    assert!(out.status.success(), "{}", out.stderr);
    for step in [
        "[step 1/6] socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "[step 3/6] sendto(b'%Y', ('127.0.0.1', ",
        "[step 4/6] recv(1024)",
        "[step 5/6] print(data.decode('utf-8'))",
        "[step 6/6] close()",
    ] {
        assert!(out.stderr.contains(step), "{step}: {}", out.stderr);
    }
}

#[test]
fn help_names_the_lesson_and_the_tutorial() {
    for bin in ["time-server", "time-client"] {
        let out = Cmd::bin(bin).arg("--help").run();
        assert!(out.status.success());
        assert!(
            out.stdout.contains("tutorial 001, \"网络编程\" (cnblogs.com)")
                && out.stdout.contains("时间服务器"),
            "{bin}"
        );
    }
}

#[test]
fn ipv6_loopback_works_too() {
    if !testkit::has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback (::1) on this machine");
        return;
    }
    let mut server = Cmd::bin("time-server").args(["--bind", "[::1]:0"]).spawn();
    let addr = server.wait_listening();
    assert!(addr.is_ipv6());
    let out = Cmd::bin("time-client").args(["--to", &addr.to_string(), "%%Y"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "%Y\n");
    server.wait_stdout("===> %%Y from [::1]:");
}
