//! The steps of each program as `--explain` numbers them (the numbers of the
//! `// N.` comments in `src/steps/` and the `# N.` comments of the Python
//! twins), and the checks made once at the edge of the steps: a line UDP
//! cannot carry, a datagram longer than `--bufsize`, a line that is not UTF-8.
//! Real sockets on 127.0.0.1, driven through stdin pipes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};

use testkit::{Cmd, DEADLINE, Proc};

/// The `[step N/M]` lines of `stderr`, as (N, M), in order.
fn steps(stderr: &str) -> Vec<(usize, usize)> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("[step ")?.split_once(']'))
        .map(|(numbers, _)| {
            let (n, m) = numbers.split_once('/').unwrap();
            (n.parse().unwrap(), m.parse().unwrap())
        })
        .collect()
}

fn numbers(steps: &[(usize, usize)], total: usize) -> Vec<usize> {
    assert!(steps.iter().all(|&(_, m)| m == total), "not all of /{total}: {steps:?}");
    steps.iter().map(|&(n, _)| n).collect()
}

fn peer() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

fn start(args: &[&str]) -> (Proc, SocketAddr) {
    let mut program = Cmd::bin("udp-chat").args(args).spawn();
    let addr = program.wait_listening();
    (program, addr)
}

#[test]
fn menu_narrates_its_six_steps_in_the_twins_order() {
    let (mut menu, menu_addr) = start(&["menu", "--bind", "127.0.0.1:0", "--explain"]);
    let (peer, peer_addr) = peer();
    for line in ["1", "", &peer_addr.port().to_string(), "hi"] {
        menu.send_line(line);
    }
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"hi"[..], menu_addr));
    menu.send_line("2");
    menu.wait_stderr("waiting for a datagram");
    peer.send_to(b"back", menu_addr).unwrap();
    menu.wait_stdout("]: back");
    menu.send_line("0");
    let out = menu.wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert_eq!(
        numbers(&steps(&out.stderr), 6),
        [1, 2, 3, 4, 3, 5, 3, 6],
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("[step 4/6] sendto(b'hi', ('127.0.0.1', "));
}

#[test]
fn qq_server_and_client_narrate_seven_and_eight_steps() {
    let (mut server, server_addr) =
        start(&["qq-server", "--bind", "127.0.0.1:0", "--count", "1", "--explain"]);
    let mut client = Cmd::bin("udp-chat")
        .args(["qq-client", "--to", &server_addr.to_string(), "--explain"])
        .spawn();
    for line in ["egg", "你好", "q"] {
        client.send_line(line);
    }
    server.wait_stdout("]: 你好");
    server.send_line("收到");
    client.wait_stdout("]: 收到");
    let client = client.wait_exit(DEADLINE);
    let server = server.wait_exit(DEADLINE);
    assert_eq!((client.code(), server.code()), (Some(0), Some(0)), "{}", client.stderr);
    assert_eq!(numbers(&steps(&server.stderr), 7), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        numbers(&steps(&client.stderr), 8),
        [1, 2, 3, 4, 5, 6, 7, 4, 3, 8],
        "{}",
        client.stderr
    );
    assert!(
        client.stderr.contains("[step 2/8] qq_name_dic = {'金老板': ('127.0.0.1', ")
    );
}

#[test]
fn talk_narrates_its_receiving_thread_as_step_four() {
    let (peer, peer_addr) = peer();
    let (mut talk, talk_addr) = start(&[
        "talk",
        "--bind",
        "127.0.0.1:0",
        "--peer",
        &peer_addr.to_string(),
        "--explain",
    ]);
    talk.send_line("out");
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"out");
    peer.send_to(b"in", talk_addr).unwrap();
    talk.wait_stdout("]: in");
    let out = talk.wait_exit(DEADLINE);
    let numbers = numbers(&steps(&out.stderr), 6);
    // The receiving thread narrates step 4 each time it waits, whenever that is.
    let main_thread: Vec<usize> = numbers.iter().copied().filter(|&n| n != 4).collect();
    assert_eq!(main_thread, [1, 2, 3, 5, 6], "{}", out.stderr);
    assert!(numbers.contains(&4), "{}", out.stderr);
}

#[test]
fn a_line_udp_cannot_carry_is_refused_and_the_chat_goes_on() {
    let (peer, peer_addr) = peer();
    let (mut talk, _) =
        start(&["talk", "--bind", "127.0.0.1:0", "--peer", &peer_addr.to_string()]);
    talk.send_line(&"x".repeat(70_000));
    talk.wait_stderr(
        "cannot send 70000 bytes in one datagram: UDP carries at most 65507",
    );
    talk.send_line("after");
    let mut buf = vec![0u8; 70_000];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"after", "only the line that fits left");
    assert!(talk.is_running());
}

#[test]
fn a_datagram_longer_than_bufsize_is_cut_with_a_warning() {
    let (mut server, server_addr) =
        start(&["qq-server", "--bind", "127.0.0.1:0", "--bufsize", "4"]);
    let (peer, _) = peer();
    peer.send_to(b"0123456789", server_addr).unwrap();
    server.wait_stdout("]: 0123");
    server
        .wait_stderr("had 10 bytes but --bufsize is 4: only the first 4 were received");
}

#[test]
fn a_line_that_is_not_utf8_is_skipped_and_the_next_one_sent() {
    let (peer, peer_addr) = peer();
    let (mut talk, _) =
        start(&["talk", "--bind", "127.0.0.1:0", "--peer", &peer_addr.to_string()]);
    talk.write_stdin(b"\xff\xfe\nok\n");
    talk.wait_stderr("that line is not UTF-8 text and was skipped");
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ok");
}

#[test]
fn the_python_twins_print_their_usage_for_help() {
    for (twin, first_words) in [
        ("udp_chat.py", "usage: python3 udp-chat/python/udp_chat.py"),
        ("udp_talk.py", "usage: python3 udp-chat/python/udp_talk.py"),
        ("qq_server.py", "usage: python3 udp-chat/python/qq_server.py"),
        ("qq_client.py", "usage: python3 udp-chat/python/qq_client.py"),
    ] {
        let script = format!("{}/python/{twin}", env!("CARGO_MANIFEST_DIR"));
        let Some(cmd) = Cmd::python(script) else { return };
        let out = cmd.arg("--help").run();
        assert_eq!(out.code(), Some(0), "{twin}: {}", out.stderr);
        assert!(out.stdout.starts_with(first_words), "{twin}: {}", out.stdout);
    }
}
