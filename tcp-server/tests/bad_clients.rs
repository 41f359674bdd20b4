//! Clients that misbehave — vanish mid-message, send bytes that are not text,
//! connect and say nothing — never stop the server or the other clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use socket2::SockRef;
use support::{connect, exchange, name, start_server};

/// Closes with a reset (RST) instead of the four-way close, as a crashed or
/// unplugged client would look to the server.
fn vanish(stream: TcpStream) {
    SockRef::from(&stream).set_linger(Some(Duration::ZERO)).unwrap();
    drop(stream);
}

#[test]
fn a_client_that_vanishes_mid_message_does_not_stop_the_server() {
    for mode in ["sequential", "threads", "nonblocking"] {
        let (mut server, addr) = start_server(&["--mode", mode]);
        let mut gone = connect(addr);
        let gone_name = name(&gone);
        // Half a message: "数" is 3 bytes, send 2 of them, then reset.
        gone.write_all(b"half \xe6\x95").unwrap();
        server.wait_stdout(&format!("{gone_name}: half"));
        vanish(gone);
        server.wait_stdout(&format!("closed: {gone_name}"));

        let mut next = connect(addr);
        assert_eq!(exchange(&mut next, b"still here", 10), b"still here", "{mode}");
        assert!(server.is_running(), "{mode}");
    }
}

#[test]
fn a_client_that_resets_while_the_server_answers_is_just_closed() {
    let (mut server, addr) = start_server(&[]);
    for _ in 0..5 {
        let mut gone = connect(addr);
        gone.write_all(&[b'x'; 100_000]).unwrap();
        vanish(gone);
    }
    let mut next = connect(addr);
    assert_eq!(exchange(&mut next, b"ok", 2), b"ok");
    server.wait_stdout(&format!("connected: {}", name(&next)));
}

#[test]
fn invalid_bytes_are_shown_as_replacement_and_echoed_unchanged() {
    let (mut server, addr) = start_server(&[]);
    let mut client = connect(addr);
    let garbage = b"ok \xff\xfe\x00\x80 end";
    assert_eq!(exchange(&mut client, garbage, garbage.len()), garbage);
    server.wait_stdout(&format!(
        "{}: ok \u{FFFD}\u{FFFD}\u{0}\u{FFFD} end",
        name(&client)
    ));
    server.wait_stderr("are not valid utf-8 and are shown as U+FFFD");
    // GBK bytes sent to a UTF-8 server: 乱码 and a warning, then business as usual.
    assert_eq!(exchange(&mut client, b"\xca\xfd\xbe\xdd", 4), b"\xca\xfd\xbe\xdd");
    server.wait_stderr("is the sender using another --encoding?");
    assert_eq!(exchange(&mut client, "数据".as_bytes(), 6), "数据".as_bytes());
    // 0xDD, the last GBK byte, starts a UTF-8 character, so it waited for the
    // next piece; there it turned out invalid and shows as one more U+FFFD.
    assert!(server.wait_stdout("数据").ends_with(": \u{FFFD}数据"));
}

#[test]
fn a_silent_client_does_not_block_threads_or_nonblocking() {
    for mode in ["threads", "nonblocking"] {
        let (_server, addr) = start_server(&["--mode", mode]);
        let _silent = connect(addr);
        let mut talker = connect(addr);
        assert_eq!(exchange(&mut talker, b"hi", 2), b"hi", "{mode}");
    }
}

#[test]
fn idle_timeout_closes_a_silent_client_in_sequential_mode() {
    // In the lesson's mode a silent client holds everyone up (Python's recv
    // waits for ever); --idle-timeout lets the server move on.
    let (mut server, addr) = start_server(&["--idle-timeout", "0.3"]);
    let mut silent = connect(addr);
    let mut talker = connect(addr);
    talker.write_all(b"waiting").unwrap();
    server.wait_stdout(&format!("closed: {} (silent for 0.3s", name(&silent)));
    let mut reply = [0u8; 7];
    talker.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"waiting");
    // The silent client sees the end of the stream.
    assert_eq!(silent.read(&mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn idle_timeout_in_nonblocking_mode() {
    let (mut server, addr) =
        start_server(&["--mode", "nonblocking", "--idle-timeout", "0.2"]);
    let silent = connect(addr);
    server.wait_stdout(&format!("closed: {} (silent for 0.2s", name(&silent)));
}

#[test]
fn a_client_that_never_reads_its_answers_is_closed_after_idle_timeout() {
    for mode in ["sequential", "nonblocking"] {
        let (mut server, addr) =
            start_server(&["--mode", mode, "--idle-timeout", "0.3"]);
        let hog = connect(addr);
        let hog_name = name(&hog);
        // Send and send, never read: the echoes fill both sides' buffers.
        let mut writer = hog.try_clone().unwrap();
        let writing = std::thread::spawn(move || {
            let chunk = [b'x'; 65_536];
            // Ends when the server gives up on us (reset) or after 64 MiB.
            for _ in 0..1024 {
                if writer.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let closed = server.wait_stdout(&format!("closed: {hog_name} ("));
        assert!(closed.contains("--idle-timeout"), "{mode}: {closed}");
        // Stops our writer too (it holds a clone of the socket).
        let _ = hog.shutdown(std::net::Shutdown::Both);
        writing.join().unwrap();
        let mut next = connect(addr);
        assert_eq!(exchange(&mut next, b"next", 4), b"next", "{mode}");
    }
}
