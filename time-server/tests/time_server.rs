//! time-server over real UDP sockets: formats, encodings, time zones, the log
//! line, and every kind of bad format, after which it keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::UdpSocket;

use common::Codec;
use common::testing::{Cmd, DEADLINE};
use support::{ask, ask_from, assert_time, client, has_tz_data, rust_server};

#[test]
fn empty_datagram_gets_the_default_format() {
    let (_server, addr) = rust_server("UTC", &[]);
    // '%Y-%m-%d %X' in the C locale: %X is %H:%M:%S.
    assert_time(addr, "", "UTC", "%Y-%m-%d %H:%M:%S");
}

#[test]
fn formats_and_text_around_directives_come_back_formatted() {
    let (_server, addr) = rust_server("UTC", &[]);
    for format in [
        "%Y",
        "%H:%M:%S",
        "it is %H:%M now",
        "%Y年%m月%d日",
        "%Y年%m月%d日 %H时%M分",
        "100%%",
        "%-d/%-m %^a %_H",
        "no directive at all",
    ] {
        assert_time(addr, format, "UTC", format);
    }
}

#[test]
fn gbk_formats_come_back_in_gbk() {
    let (_server, addr) = rust_server("UTC", &["--encoding", "gbk"]);
    let format = Codec::GBK.encode("%Y年%m月%d日").unwrap();
    assert_eq!(format, b"%Y\xc4\xea%m\xd4\xc2%d\xc8\xd5");
    let answer = ask_from(&client(), addr, &format);
    let text = Codec::GBK.decode(&answer);
    assert_eq!(text.replaced, 0, "{answer:?}");
    let year = jiff::Zoned::now().year().to_string();
    assert!(text.text.starts_with(&format!("{year}年")), "{}", text.text);
    assert!(text.text.ends_with('日') && text.text.contains('月'), "{}", text.text);
    // The same bytes are not UTF-8: the server would refuse them in utf-8.
    assert!(std::str::from_utf8(&answer).is_err());
}

#[test]
fn tz_changes_the_answer() {
    // A POSIX TZ string needs no tz database; an IANA name does.
    let mut zones = vec![("UTC0", 0), ("CST-8", 8)];
    if has_tz_data() {
        zones.extend([("UTC", 0), ("Asia/Shanghai", 8)]);
    }
    for (tz, hours) in zones {
        let (_server, addr) = rust_server(tz, &[]);
        // The clock time minus the same instant in UTC is the zone's offset.
        let answer = ask(addr, "%s|%Y-%m-%d %H:%M:%S|%z");
        let fields: Vec<&str> = answer.split('|').collect();
        let instant = jiff::Timestamp::from_second(fields[0].parse().unwrap()).unwrap();
        let utc = instant.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        let local =
            jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", fields[1]).unwrap();
        assert_eq!(local.duration_since(utc).as_hours(), hours, "TZ={tz}: {answer}");
        assert_eq!(fields[2], format!("+{hours:02}00"), "TZ={tz}: {answer}");
    }
}

#[test]
fn the_time_zone_is_named_at_start() {
    let (mut server, _addr) = rust_server("CST-8", &[]);
    server.wait_stderr("time zone: CST-8 (from TZ)");
    if has_tz_data() {
        let (mut server, _addr) = rust_server("Asia/Shanghai", &[]);
        server.wait_stderr("time zone: Asia/Shanghai (from TZ)");
    }
    // A zone that does not exist is said, and the server answers in UTC.
    let (server, addr) = rust_server("Mars/Olympus", &[]);
    let stderr = server.stderr();
    assert!(
        stderr.contains("warning: cannot use the time zone TZ=\"Mars/Olympus\""),
        "{stderr}"
    );
    assert_eq!(ask(addr, "%z"), "+0000");
}

#[test]
fn tz_flag_overrides_the_environment() {
    let (mut server, addr) = rust_server("CST-8", &["--tz", "UTC"]);
    server.wait_stderr("time zone: UTC (from --tz)");
    assert_eq!(ask(addr, "%z %Z"), "+0000 UTC");
    if has_tz_data() {
        let (_server, addr) = rust_server("UTC", &["--tz", "Asia/Shanghai"]);
        assert_eq!(ask(addr, "%z %Z"), "+0800 CST");
    }
    let out = Cmd::bin("time-server").args(["--tz", "Mars/Olympus"]).run();
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("'Mars/Olympus' is not a time zone"), "{}", out.stderr);
}

#[test]
fn each_request_is_logged_with_its_sender() {
    let (mut server, addr) = rust_server("UTC", &[]);
    let socket = client();
    let me = socket.local_addr().unwrap();
    ask_from(&socket, addr, b"%Y");
    server.wait_stdout(&format!("===> %Y from {me}"));
    ask_from(&socket, addr, "%Y年".as_bytes());
    server.wait_stdout(&format!("===> %Y年 from {me}"));
    ask_from(&socket, addr, b"");
    server.wait_stdout(&format!("===> (empty, so %Y-%m-%d %X) from {me}"));
    // A newline in the format stays on one log line.
    ask_from(&socket, addr, b"%H\n%M");
    server.wait_stdout(&format!("===> %H\\n%M from {me}"));
}

/// Each bad format gets `error: …`, and the next request is answered normally.
#[test]
fn bad_formats_get_an_error_and_the_server_keeps_serving() {
    let (mut server, addr) = rust_server("UTC", &[]);
    let long_directives = "%Y".repeat(500); // 1,000 bytes, a 2,000-byte answer
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"%Q".to_vec(), "%Q is not a strftime directive"),
        (b"%".to_vec(), "ends with a lone %"),
        (b"%Y-%".to_vec(), "ends with a lone %"),
        (b"%f".to_vec(), "%f is not a strftime directive"),
        (b"%10Y".to_vec(), "padding widths"),
        (long_directives.into_bytes(), "the answer would be 2000 bytes"),
        (b"%Y\xff\xfe".to_vec(), "not valid utf-8"),
        (b"\xe5\xb9".to_vec(), "not valid utf-8"), // half of 年
        (b"a\0b".to_vec(), "NUL"),
        (
            vec![b'x'; 2000],
            "the format is 2000 bytes but this server reads at most 1024",
        ),
    ];
    let socket = client();
    for (format, reason) in cases {
        let answer = String::from_utf8(ask_from(&socket, addr, &format)).unwrap();
        assert!(answer.starts_with("error: "), "{format:?}: {answer}");
        assert!(answer.contains(reason), "{format:?}: {answer}");
        assert!(answer.contains("(hint: "), "{format:?}: {answer}");
        server.wait_stderr("warning: ");
        // The next request is answered normally.
        assert_eq!(ask(addr, "100%%"), "100%");
        assert!(server.is_running());
    }
    // A 1,000-byte format whose answer fits is formatted, not refused.
    let plain = format!("{}%%", "x".repeat(998));
    assert_eq!(ask(addr, &plain), format!("{}%", "x".repeat(998)));
}

#[test]
fn invalid_gbk_bytes_get_an_error() {
    let (_server, addr) = rust_server("UTC", &["--encoding", "gbk"]);
    let answer = ask_from(&client(), addr, b"%Y\xff");
    let text = Codec::GBK.decode(&answer).text;
    assert!(text.starts_with("error: the format is not valid gbk"), "{text}");
    let answer = ask_from(&client(), addr, b"%Y");
    assert_eq!(Codec::GBK.decode(&answer).text, jiff::Zoned::now().year().to_string());
}

#[test]
fn a_vanished_client_does_not_stop_the_server() {
    let (mut server, addr) = rust_server("UTC", &[]);
    {
        let gone = UdpSocket::bind("127.0.0.1:0").unwrap();
        gone.send_to(b"%Y", addr).unwrap();
    } // closed before the answer arrives
    server.wait_stdout("===> %Y from");
    assert_eq!(ask(addr, "%%"), "%");
}

#[test]
fn count_stops_the_server_after_n_requests() {
    let (mut server, addr) = rust_server("UTC", &["--count", "2", "--explain"]);
    ask(addr, "%Y");
    ask(addr, "%Q");
    let out = server.wait_exit(DEADLINE);
    assert!(out.status.success(), "{}", out.stderr);
    assert!(
        out.stderr.contains("[note] close()  ->  drop(udp_server)"),
        "{}",
        out.stderr
    );
}

#[test]
fn explain_narrates_each_step_with_python_and_rust() {
    let (mut server, addr) = rust_server("UTC", &["--explain"]);
    ask(addr, "%Y年");
    server.wait_stderr("[step 4/6] recvfrom(1024)  ->  UdpSocket::recv_from");
    server.wait_stderr("[step 5/6] strftime('%Y年')  ->  jiff::");
    server.wait_stderr("[step 6/6] sendto(b'");
    let out = server.stderr();
    for step in [
        "[step 1/6] socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "[step 2/6] setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
        "[step 3/6] bind(('127.0.0.1', 0))",
    ] {
        assert!(out.contains(step), "{step}: {out}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    // A socket without SO_REUSEADDR holds the port: binding it fails.
    let holder = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap();
    let out = Cmd::bin("time-server").args(["--bind", &port.to_string()]).run();
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("error: cannot bind {port}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: another program already uses"),
        "{}",
        out.stderr
    );
}

#[test]
#[cfg(target_os = "linux")]
fn so_reuseaddr_lets_a_second_udp_server_share_the_port() {
    // The tutorial sets SO_REUSEADDR; for UDP on Linux that lets two servers bind
    // one port (the newest receives). Without it the second one is refused.
    let (_first, addr) = rust_server("UTC", &[]);
    let mut second =
        Cmd::bin("time-server").args(["--bind", &addr.to_string()]).spawn();
    assert_eq!(second.wait_listening(), addr);
    let out = Cmd::bin("time-server")
        .args(["--bind", &addr.to_string(), "--no-reuseaddr"])
        .run();
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("address already in use"), "{}", out.stderr);
}
