//! `--mode poll`: one thread that the kernel wakes when a socket is ready.
//! Many clients at once, a silent one blocking nobody, garbage and vanished
//! clients, the options of the other modes, idle CPU far below the busy loop
//! of `--mode nonblocking`, and the Python twin (`selectors`) both ways.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use socket2::SockRef;
use support::{connect, exchange, line_index, name, read_to_end, start_server};
use testkit::{Cmd, DEADLINE, Proc};

/// Connects `count` clients, then has each send and receive while all of them
/// are still connected: only a server that serves them at once can answer.
fn all_answered_at_once(addr: SocketAddr, count: usize) {
    let mut clients: Vec<_> = (0..count).map(|_| connect(addr)).collect();
    for (i, client) in clients.iter_mut().enumerate() {
        client.write_all(format!("client {i:03}").as_bytes()).unwrap();
    }
    for (i, client) in clients.iter_mut().enumerate() {
        let mut reply = [0u8; 10];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(reply, *format!("client {i:03}").as_bytes());
    }
}

/// Closes with a reset (RST), as a crashed or unplugged client would.
fn vanish(stream: TcpStream) {
    SockRef::from(&stream).set_linger(Some(Duration::ZERO)).unwrap();
    drop(stream);
}

/// How many threads the process runs (Linux), or `None` elsewhere.
fn thread_count(server: &Proc) -> Option<usize> {
    let tasks = std::fs::read_dir(format!("/proc/{}/task", server.id())).ok()?;
    Some(tasks.count())
}

#[test]
fn one_thread_answers_two_hundred_clients_connected_at_once() {
    let (mut server, addr) = start_server(&["--mode", "poll"]);
    all_answered_at_once(addr, 200);
    if let Some(threads) = thread_count(&server) {
        assert_eq!(threads, 1, "one thread serves every client");
    }
    for _ in 0..200 {
        server.wait_stdout("closed: ");
    }
    let log = server.stdout();
    assert_eq!(log.matches("connected: ").count(), 200);
    // Every client was connected before the first one closed.
    let lines: Vec<&str> = log.lines().collect();
    let last_connected = lines.iter().rposition(|line| line.starts_with("connected: "));
    assert!(last_connected.unwrap() < line_index(&log, "closed: "), "{log}");
}

#[test]
fn a_silent_client_does_not_block_the_others() {
    let (mut server, addr) = start_server(&["--mode", "poll"]);
    let silent = connect(addr);
    server.wait_stdout(&format!("connected: {}", name(&silent)));
    let mut talker = connect(addr);
    assert_eq!(exchange(&mut talker, b"hi", 2), b"hi");
    // The silent client is still served afterwards.
    let mut silent = silent;
    assert_eq!(exchange(&mut silent, b"late", 4), b"late");
}

#[test]
fn greets_and_replies() {
    let (mut server, addr) =
        start_server(&["--mode", "poll", "--greeting", "hello", "--reply", "ok"]);
    let mut client = connect(addr);
    let mut greeting = [0u8; 5];
    client.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"hello");
    assert_eq!(exchange(&mut client, b"x", 2), b"ok");
    assert_eq!(exchange(&mut client, b"yy", 2), b"ok");
    server.wait_stdout(": x");
    server.wait_stdout(": yy");
}

#[test]
fn once_ends_after_one_client() {
    let (mut server, addr) = start_server(&["--mode", "poll", "--once"]);
    let out = Cmd::bin("tcp-client").args(["--to", &addr.to_string(), "hi"]).run();
    assert_eq!(out.stdout, "hi\n", "{}", out.stderr);
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.contains("closed: "), "{}", done.stdout);
}

#[test]
fn max_clients_refuses_politely_past_n() {
    let (mut server, addr) = start_server(&["--mode", "poll", "--max-clients", "2"]);
    let mut a = connect(addr);
    let mut b = connect(addr);
    assert_eq!(exchange(&mut a, b"a", 1), b"a");
    assert_eq!(exchange(&mut b, b"b", 1), b"b");

    let mut c = connect(addr);
    let busy = String::from_utf8(read_to_end(&mut c)).unwrap();
    assert!(busy.starts_with("busy: this server already serves 2 client(s)"), "{busy}");
    server.wait_stdout(&format!("refused: {}", name(&c)));

    // Once a client leaves, there is room again.
    let a_name = name(&a);
    drop(a);
    server.wait_stdout(&format!("closed: {a_name}"));
    let mut d = connect(addr);
    assert_eq!(exchange(&mut d, b"d", 1), b"d");
    assert_eq!(exchange(&mut b, b"b2", 2), b"b2");
}

#[test]
fn vanished_clients_and_garbage_do_not_stop_it() {
    let (mut server, addr) = start_server(&["--mode", "poll"]);
    // Half a character, then a reset.
    let mut gone = connect(addr);
    let gone_name = name(&gone);
    gone.write_all(b"half \xe6\x95").unwrap();
    server.wait_stdout(&format!("{gone_name}: half"));
    vanish(gone);
    server.wait_stdout(&format!("closed: {gone_name}"));

    // Resets while the server still answers 100 kB.
    for _ in 0..5 {
        let mut gone = connect(addr);
        gone.write_all(&[b'x'; 100_000]).unwrap();
        vanish(gone);
    }

    // Bytes that are not text: shown as U+FFFD, echoed unchanged.
    let mut client = connect(addr);
    let garbage = b"ok \xff\xfe\x00\x80 end";
    assert_eq!(exchange(&mut client, garbage, garbage.len()), garbage);
    server.wait_stdout(&format!(
        "{}: ok \u{FFFD}\u{FFFD}\u{0}\u{FFFD} end",
        name(&client)
    ));
    server.wait_stderr("are not valid utf-8 and are shown as U+FFFD");
    assert_eq!(exchange(&mut client, "数据".as_bytes(), 6), "数据".as_bytes());
    assert!(server.is_running());
}

#[test]
fn a_megabyte_is_echoed_whole_while_others_are_served() {
    // The echo fills the socket buffers: the server must stop reading, wait
    // until the client takes its answers (writable), and go on — while a
    // second client keeps getting answers.
    let (_server, addr) = start_server(&["--mode", "poll", "--bufsize", "4096"]);
    let mut client = connect(addr);
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut writer = client.try_clone().unwrap();
    let sent = big.clone();
    let writing = std::thread::spawn(move || {
        writer.write_all(&sent).unwrap();
        writer.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let mut other = connect(addr);
    for i in 0..20 {
        let message = format!("other {i:02}");
        assert_eq!(exchange(&mut other, message.as_bytes(), 8), message.as_bytes());
    }
    let echoed = read_to_end(&mut client);
    writing.join().unwrap();
    assert!(echoed == big, "{} bytes came back, not the same", echoed.len());
}

#[test]
fn idle_timeout_closes_silent_and_non_reading_clients() {
    let (mut server, addr) = start_server(&["--mode", "poll", "--idle-timeout", "0.3"]);
    let mut silent = connect(addr);
    server.wait_stdout(&format!("closed: {} (silent for 0.3s", name(&silent)));
    assert_eq!(silent.read(&mut [0u8; 8]).unwrap(), 0, "it sees the end of the stream");

    // Send and send, never read: the echoes fill both sides' buffers.
    let hog = connect(addr);
    let hog_name = name(&hog);
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
    assert!(closed.contains("does not read its answers: --idle-timeout"), "{closed}");
    let _ = hog.shutdown(std::net::Shutdown::Both);
    writing.join().unwrap();
    let mut next = connect(addr);
    assert_eq!(exchange(&mut next, b"next", 4), b"next");
}

#[test]
fn explain_narrates_the_readiness_loop() {
    let (mut server, addr) = start_server(&["--mode", "poll", "--explain", "--once"]);
    let mut client = connect(addr);
    exchange(&mut client, b"hi", 2);
    // Everything was read: the next recv finds nothing and the loop waits.
    server.wait_stderr("would block: back to waiting");
    drop(client);
    let done = server.wait_exit(DEADLINE);
    let err = &done.stderr;
    let mut from = 0;
    // In this order: register, wait, which socket woke, accept, read, write,
    // would block, wait again, unregister, close.
    for line in [
        "[step 4/8] listen(128)",
        "selector = selectors.DefaultSelector()  ->  mio::Poll::new",
        "selector.register(tcp_server, EVENT_READ)  ->  Registry::register(READABLE)",
        "events = selector.select()  ->  Poll::poll",
        "woke: the listening socket (a client waits) is readable",
        "[step 5/8] accept()  ->  Socket::accept",
        "selector.register(client, EVENT_READ)  ->  Registry::register(READABLE | WRITABLE)",
        "[step 6/8] client.recv(1024)  ->  Read::read",
        "[step 6/8] client.send(data)  ->  Write::write",
        "would block: back to waiting",
        "events = selector.select()  ->  Poll::poll",
        "[note] selector.unregister(client)  ->  Registry::deregister",
        "[step 7/8] client.close()  ->  drop(client)",
        "[step 8/8] tcp_server.close()  ->  drop(tcp_server)",
    ] {
        let Some(at) = err[from..].find(line) else {
            panic!("missing {line:?} after byte {from} in:\n{err}");
        };
        from += at + line.len();
    }
    assert!(err.contains("woke: 127.0.0.1:"), "{err}");
}

#[cfg(unix)]
#[test]
fn over_a_unix_socket_and_ctrl_c_removes_the_file() {
    let dir = testkit::TempDir::new("tcp-server-poll");
    let path = dir.join("poll.sock");
    let to = format!("unix:{}", path.display());
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", &to, "--mode", "poll"]).spawn();
    server.wait_stderr(&format!("listening on {to}"));
    for _ in 0..2 {
        let out =
            Cmd::bin("tcp-client").args(["--to", &to, "over AF_UNIX", "数据"]).run();
        assert!(out.status.success(), "{}", out.stderr);
        assert_eq!(out.stdout, "over AF_UNIX\n数据\n");
    }
    server.wait_stdout("unix-client-2: 数据");
    server.interrupt();
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(!path.exists(), "the socket file is removed on Ctrl+C");
}

#[test]
fn python_client_talks_to_the_poll_server_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let Some(python) =
            Cmd::python(testkit::twin!("../../tcp-client/python/tcp_client.py"))
        else {
            return;
        };
        let (mut server, addr) =
            start_server(&["--mode", "poll", "--encoding", encoding, "--once"]);
        let out = python.args([&addr.port().to_string(), encoding, "数据", "hi"]).run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        assert_eq!(out.stdout, "数据\nhi\n", "{encoding}");
        server.wait_stdout(": 数据");
        let done = server.wait_exit(DEADLINE);
        assert!(done.status.success(), "{encoding}: {}", done.stderr);
        assert!(!done.stderr.contains("warning"), "{encoding}: {}", done.stderr);
    }
}

/// `python3 tcp_server_selectors.py 0 ENCODING`, ready; `None` without python3.
fn start_python_selectors(encoding: &str) -> Option<(Proc, SocketAddr)> {
    let python = Cmd::python(testkit::twin!("tcp_server_selectors.py"))?;
    let mut server = python.args(["0", encoding]).spawn();
    let addr = server.wait_listening();
    Some((server, addr))
}

#[test]
fn rust_client_talks_to_the_python_selectors_twin_in_utf8_and_gbk() {
    for encoding in ["utf-8", "gbk"] {
        let Some((mut server, addr)) = start_python_selectors(encoding) else { return };
        let out = Cmd::bin("tcp-client")
            .args(["--to", &addr.to_string(), "--encoding", encoding, "数据", "nihao"])
            .run();
        assert!(out.status.success(), "{encoding}: {}", out.stderr);
        assert_eq!(out.stdout, "数据\nnihao\n", "{encoding}");
        server.wait_stdout(": 数据");
        server.wait_stdout(": nihao");
        server.wait_stdout("closed: ");
    }
}

#[test]
fn the_python_twin_serves_many_clients_and_survives_vanished_ones() {
    let Some((mut server, addr)) = start_python_selectors("utf-8") else { return };
    let silent = connect(addr);
    all_answered_at_once(addr, 50);
    for _ in 0..5 {
        let mut gone = connect(addr);
        gone.write_all(&[b'x'; 100_000]).unwrap();
        vanish(gone);
    }
    let mut next = connect(addr);
    assert_eq!(exchange(&mut next, b"still here", 10), b"still here");
    drop(silent);
    server.wait_stdout(&format!("{}: still here", name(&next)));
    assert!(server.is_running());
}

/// CPU time the process used so far, user + system, in clock ticks (1/100 s),
/// from `/proc/PID/stat` (Linux).
#[cfg(target_os = "linux")]
fn cpu_ticks(server: &Proc) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", server.id())).unwrap();
    // After the command name in parentheses: utime is field 14, stime 15.
    let fields: Vec<&str> =
        stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The CPU ticks a server in `mode` uses in 1.5 s with `count` idle
/// clients connected (each answered once, so the server knows them all).
#[cfg(target_os = "linux")]
fn idle_cpu_ticks(mode: &str, count: usize) -> u64 {
    let (server, addr) = start_server(&["--mode", mode]);
    let mut clients: Vec<TcpStream> = (0..count).map(|_| connect(addr)).collect();
    for client in &mut clients {
        client.write_all(b"ping").unwrap();
    }
    for client in &mut clients {
        let mut reply = [0u8; 4];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"ping", "{mode}");
    }
    let before = cpu_ticks(&server);
    // A measuring window, not a wait for readiness: nothing happens in it.
    std::thread::sleep(Duration::from_millis(1500));
    cpu_ticks(&server) - before
}

#[cfg(target_os = "linux")]
#[test]
fn idle_cpu_stays_far_below_the_nonblocking_modes() {
    // The busy loop asks every socket in turn, over and over; the readiness
    // loop sleeps in the kernel until one of them has something.
    let busy = idle_cpu_ticks("nonblocking", 500);
    let poll = idle_cpu_ticks("poll", 500);
    eprintln!("idle CPU in 1.5 s: nonblocking {busy} ticks, poll {poll} ticks");
    assert!(
        busy >= 5,
        "the nonblocking mode used only {busy} ticks: nothing to compare"
    );
    assert!(
        poll * 5 <= busy,
        "idle poll mode used {poll} CPU ticks in 1.5 s, the nonblocking mode {busy}"
    );
}
