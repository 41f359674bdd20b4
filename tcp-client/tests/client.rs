//! tcp-client over real sockets: against the Rust server and the Python
//! listings (UTF-8 and GBK), stdin, --send-only / --recv-only, and the errors
//! a student meets first: connection refused and connect timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};
use testkit::{Cmd, DEADLINE, Proc, free_tcp_port};

fn start_server(args: &[&str]) -> (Proc, SocketAddr) {
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", "127.0.0.1:0"]).args(args).spawn();
    let addr = server.wait_listening();
    (server, addr)
}

fn client(addr: SocketAddr) -> Cmd {
    Cmd::bin("tcp-client").args(["--to", &addr.to_string()])
}

/// A Python listing of the tcp-server crate (the servers live there).
fn server_listing(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tcp-server/python").join(file)
}

#[test]
fn sends_each_message_and_prints_each_reply() {
    let (mut server, addr) = start_server(&[]);
    let out = client(addr).args(["hello", "数据"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "hello\n数据\n");
    assert!(
        out.stderr.contains(&format!("connected to {addr} from 127.0.0.1:")),
        "{}",
        out.stderr
    );
    server.wait_stdout(": hello");
    server.wait_stdout(": 数据");
    server.wait_stdout("closed: ");
}

#[test]
fn reads_messages_from_stdin_until_end_of_file() {
    let (_server, addr) = start_server(&["--reply", "hi"]);
    let out = client(addr).stdin("one\n\ntwo\nthree\n").run();
    assert!(out.status.success(), "{}", out.stderr);
    // The empty line is skipped: sending 0 bytes sends nothing.
    assert_eq!(out.stdout, "hi\nhi\nhi\n");
}

#[test]
fn rust_client_talks_to_the_python_server_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let Some(python) = Cmd::python(server_listing("tcp_server.py")) else { return };
        let mut server = python.args(["0", encoding]).spawn();
        let addr = server.wait_listening();
        let out = client(addr).args(["--encoding", encoding, "数据", "nihao"]).run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        assert_eq!(out.stdout, "数据\nnihao\n", "{encoding}");
        let me = server.wait_stdout("connected: ").replace("connected: ", "");
        server.wait_stdout(&format!("{me}: 数据"));
        server.wait_stdout(&format!("closed: {me}"));
    }
}

#[test]
fn rust_client_talks_to_the_python_threaded_server() {
    let Some(python) = Cmd::python(server_listing("tcp_server_threads.py")) else {
        return;
    };
    let mut server = python.args(["0", "gbk"]).spawn();
    let addr = server.wait_listening();
    let out = client(addr).args(["--encoding", "gbk", "数据"]).run();
    assert_eq!(out.stdout, "数据\n", "{}", out.stderr);
    server.wait_stdout(": 数据");
}

#[test]
fn python_client_listing_talks_to_the_python_server() {
    // The two listings shown in the book work together, as the tutorial's do.
    let Some(python_server) = Cmd::python(server_listing("tcp_server.py")) else {
        return;
    };
    let mut server = python_server.args(["0", "gbk"]).spawn();
    let addr = server.wait_listening();
    let listing =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/tcp_client.py");
    let out = Cmd::python(listing)
        .unwrap()
        .args([&addr.port().to_string(), "gbk"])
        .stdin("数据\n")
        .run();
    assert_eq!(out.stdout, "数据\n", "{}", out.stderr);
}

#[test]
fn send_only_and_recv_only_are_seed_003s_two_clients() {
    let (mut server, addr) = start_server(&["--greeting", "TCP数据"]);
    let out = client(addr).args(["--recv-only"]).run();
    assert_eq!(out.stdout, "TCP数据\n", "{}", out.stderr);
    let out = client(addr).args(["--send-only", "数据"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    server.wait_stdout(": 数据");
}

#[test]
fn connection_refused_says_nothing_listens_and_which_server_to_start() {
    let addr = format!("127.0.0.1:{}", free_tcp_port());
    let out = Cmd::bin("tcp-client").args(["--to", &addr, "hi"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.starts_with(&format!("error: cannot connect to {addr}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("nothing is listening on {addr}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("tcp-server"), "{}", out.stderr);
    assert!(
        out.stderr.contains("python3 tcp-server/python/tcp_server.py"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "one line: {}", out.stderr);
}

#[test]
fn connect_timeout_gives_a_hint() {
    // A listener with listen(0) whose queue is full ignores new handshakes
    // (the kernel drops their SYN): connect waits, on loopback only.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&SockAddr::from("127.0.0.1:0".parse::<SocketAddr>().unwrap()))
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    let full = (0..16).any(|_| {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        match socket.connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(()) => {
                queued.push(socket);
                false
            }
            Err(_) => true,
        }
    });
    assert!(full, "the listen queue never filled");
    let addr = addr.as_socket().unwrap();
    let out = client(addr).args(["--timeout", "0.5", "hi"]).run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!("error: cannot connect to {addr}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("no answer from"), "{}", out.stderr);
    assert!(out.stderr.contains("--timeout"), "{}", out.stderr);
}

#[test]
fn a_reply_that_never_comes_times_out() {
    // The server is busy with another client: this one waits in the backlog.
    let (_server, addr) = start_server(&[]);
    let _first = std::net::TcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    let out = client(addr).args(["--timeout", "0.3", "hello?"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains(&format!("error: no reply from {addr} within 0.3s")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("sequential server"), "{}", out.stderr);
}

#[test]
fn text_the_encoding_cannot_write_is_refused_before_connecting() {
    let addr = format!("127.0.0.1:{}", free_tcp_port());
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr, "--encoding", "gbk", "ok", "😀"])
        .run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains("U+1F600") && out.stderr.contains("gbk"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("connect"), "nothing was attempted: {}", out.stderr);
}

#[test]
fn an_unencodable_stdin_line_is_refused_and_the_others_are_sent() {
    let (_server, addr) = start_server(&[]);
    let out = client(addr).args(["--encoding", "gbk"]).stdin("数据\n😀\nok\n").run();
    assert_eq!(out.stdout, "数据\nok\n", "{}", out.stderr);
    assert!(out.stderr.contains("U+1F600"), "{}", out.stderr);
    assert!(out.stderr.contains("1 line(s) of stdin were refused"), "{}", out.stderr);
    assert_eq!(out.code(), Some(1));
}

#[test]
fn a_server_that_closes_early_is_reported() {
    // Past --max-clients the server says why and closes.
    let (_server, addr) = start_server(&["--mode", "threads", "--max-clients", "1"]);
    let _first = std::net::TcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    let out = client(addr).args(["a", "b"]).run();
    assert!(out.stdout.starts_with("busy: "), "{}", out.stdout);
    // Either the second send or its recv finds the connection closed.
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
}

#[test]
fn explain_narrates_the_five_steps() {
    let (_server, addr) = start_server(&[]);
    let out = client(addr).args(["--explain", "hi"]).run();
    for step in [
        "[step 1/5] tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        &format!("[step 2/5] tcp_socket.connect(('127.0.0.1', {}))", addr.port()),
        "[step 3/5] tcp_socket.sendall(b'hi')  ->  Write::write_all",
        "[step 4/5] data = tcp_socket.recv(1024)  ->  Read::read",
        "[step 5/5] tcp_socket.close()  ->  Socket::shutdown(Shutdown::Write)",
    ] {
        assert!(out.stderr.contains(step), "missing {step:?} in:\n{}", out.stderr);
    }
    let help = Cmd::bin("tcp-client").arg("--help").run();
    assert!(
        help.stdout.contains("TCP客户端")
            && help
                .stdout
                .contains("tutorial 000, \"Python socket编程\" (kancloud.cn)")
    );
}

/// The `N` of each `[step N/5]` line, in order.
fn explained_steps(stderr: &str) -> Vec<usize> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("[step ")?.split_once('/'))
        .map(|(number, _)| number.parse().unwrap())
        .collect()
}

#[test]
fn explain_follows_the_tutorials_numbers_in_every_mode() {
    let (_server, addr) = start_server(&[]);
    let out = client(addr).args(["--explain", "one", "two"]).run();
    assert_eq!(explained_steps(&out.stderr), [1, 2, 3, 4, 3, 4, 5], "{}", out.stderr);
    // Tutorial 003's clients: the sender skips step 4, the receiver sends nothing
    // and reads what the server sends during the close.
    let out = client(addr).args(["--explain", "--send-only", "one"]).run();
    assert_eq!(explained_steps(&out.stderr), [1, 2, 3, 5], "{}", out.stderr);
    let (_greeter, addr) = start_server(&["--greeting", "hi"]);
    let out = client(addr).args(["--explain", "--recv-only"]).run();
    assert_eq!(explained_steps(&out.stderr), [1, 2, 5], "{}", out.stderr);
    assert_eq!(out.stdout, "hi\n");
}

#[test]
fn settimeout_is_a_note_of_step_1_and_connect_uses_it() {
    let (_server, addr) = start_server(&[]);
    let out = client(addr).args(["--explain", "--timeout", "2.5", "hi"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let note =
        lines.iter().position(|l| l.contains("[note] tcp_socket.settimeout(2.5)"));
    let step_2 = lines.iter().position(|l| l.starts_with("[step 2/5]"));
    assert!(note.is_some() && note < step_2, "{}", out.stderr);
    assert!(out.stderr.contains("->  Socket::connect_timeout"), "{}", out.stderr);
}

#[test]
fn a_server_that_never_closes_is_given_up_on_after_our_fin() {
    // It answers, then keeps the connection open after our FIN (tutorial
    // 004's server does so until the next client comes).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut peer, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        let n = peer.read(&mut buf).unwrap();
        peer.write_all(&buf[..n]).unwrap();
        // Read until the client's FIN, then hold the connection open: it is
        // closed when the test drops it, after the client has given up.
        peer.set_read_timeout(Some(DEADLINE)).unwrap();
        while matches!(peer.read(&mut buf), Ok(1..)) {}
        peer
    });
    let out = client(addr).args(["--timeout", "0.5", "hi"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "hi\n");
    assert!(
        out.stderr.contains(&format!(
            "warning: {addr} did not close within 0.5s after we did; closing anyway"
        )),
        "{}",
        out.stderr
    );
    drop(server.join().unwrap());
}

#[test]
fn the_python_twin_sends_only_with_send_only_and_explains_its_usage() {
    let Some(twin) = Cmd::python(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/tcp_client.py"),
    ) else {
        return;
    };
    let (mut server, addr) = start_server(&["--encoding", "gbk"]);
    let port = addr.port().to_string();
    let out = twin.args(["--send-only", "--timeout", "5", &port, "gbk", "数据"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with(&format!("connected to {addr} from 127.0.0.1:")));
    server.wait_stdout(": 数据");
    let help = Cmd::python(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/tcp_client.py"),
    )
    .unwrap()
    .arg("--help")
    .run();
    assert_eq!(help.code(), Some(0));
    assert!(
        help.stdout.starts_with(
            "usage: python3 tcp-client/python/tcp_client.py [--send-only]"
        ),
        "{}",
        help.stdout
    );
}
