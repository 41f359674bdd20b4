//! Slow and silent clients cannot hold the server: slowloris clients that
//! dribble a request (or dribble after their answer), clients that ask for a
//! file and never read it, and more clients than `--max-clients`. Each is
//! dropped within its documented deadline while a real client is served
//! throughout. Short deadlines (`--request-timeout 2`, `--send-timeout 1`)
//! keep the tests quick; run with `-- --nocapture` to see the timings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::*;
use testkit::{DEADLINE, Proc, wait_until};

/// How many slowloris connections each test opens.
const SLOWLORIS: usize = 200;
/// How late past its deadline a drop may be noticed on a loaded machine
/// (the test's own polling, the scheduler): a drop later than this is a
/// client held past the deadline.
const SLACK: Duration = Duration::from_secs(3);
/// The server's wait for the rest of a client's bytes before it closes
/// (`LINGER` in file_server.rs).
const LINGER: Duration = Duration::from_secs(2);

/// Sends `request`; the whole answer, until the server closes.
fn ask(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    answer
}

/// A real client asking for `hello.txt` again and again until `stop`; fails
/// unless every answer is whole. Returns how many were served.
fn real_client(addr: SocketAddr, stop: Arc<AtomicBool>) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut served = 0;
        let start = Instant::now();
        while !stop.load(Ordering::Relaxed) && start.elapsed() < DEADLINE {
            let answer = ask(addr, b"GET hello.txt\n");
            assert_eq!(
                answer,
                b"OK 5\nhello",
                "{:?}",
                String::from_utf8_lossy(&answer)
            );
            served += 1;
            thread::sleep(Duration::from_millis(100));
        }
        served
    })
}

/// How a dribbling connection learns that the server dropped it.
#[derive(Clone, Copy)]
enum Dropped {
    /// The end of the stream: the server sent nothing and closed.
    AtEof,
    /// A reset: the server closed while bytes were still coming.
    AtReset,
}

/// What [`dribble`] saw.
struct Dribbled {
    /// For each connection, how long after it connected it was dropped.
    closed: Vec<Option<Duration>>,
    /// The longest time between two rounds of bytes: how well this test
    /// kept its own pace on a loaded machine.
    longest_gap: Duration,
}

/// Writes one byte to each connection every `every`, until each is dropped
/// or `give_up` has passed.
fn dribble(
    mut streams: Vec<(TcpStream, Instant)>,
    every: Duration,
    dropped: Dropped,
    start: Instant,
    give_up: Duration,
) -> Dribbled {
    for (stream, _) in &streams {
        stream.set_nonblocking(true).unwrap();
    }
    let mut closed = vec![None; streams.len()];
    let mut sink = [0u8; 64];
    let mut longest_gap = Duration::ZERO;
    let mut last_round = Instant::now();
    while closed.iter().any(Option::is_none) && start.elapsed() < give_up {
        longest_gap = longest_gap.max(last_round.elapsed());
        last_round = Instant::now();
        for ((stream, connected), closed) in streams.iter_mut().zip(&mut closed) {
            if closed.is_some() {
                continue;
            }
            let gone = match stream.write(b"a") {
                Err(err) if err.kind() != io::ErrorKind::WouldBlock => true,
                _ => match stream.read(&mut sink) {
                    Ok(0) => matches!(dropped, Dropped::AtEof),
                    Ok(_) => false,
                    Err(err) => err.kind() != io::ErrorKind::WouldBlock,
                },
            };
            if gone {
                *closed = Some(connected.elapsed());
            }
        }
        thread::sleep(every);
    }
    Dribbled { closed, longest_gap }
}

/// Fails unless every connection was dropped no later than `deadline` (plus
/// [`SLACK`]); returns the latest drop.
fn assert_dropped_by(closed: &[Option<Duration>], deadline: Duration) -> Duration {
    let held =
        closed.iter().filter(|at| at.is_none_or(|at| at > deadline + SLACK)).count();
    let latest = closed.iter().flatten().max().copied().unwrap_or_default();
    eprintln!(
        "{} connections: latest dropped after {latest:.2?} (deadline {deadline:?}); \
         {held} held past the deadline",
        closed.len()
    );
    assert_eq!(
        held,
        0,
        "{held} of {} were held past {deadline:?}: {closed:?}",
        closed.len()
    );
    latest
}

/// Opens `n` connections to `addr`, each sending `first`; each with the
/// time it was connected (a connection that finds the server's accept queue
/// full waits a second longer: its clock starts later).
fn connect_all(addr: SocketAddr, n: usize, first: &[u8]) -> Vec<(TcpStream, Instant)> {
    (0..n)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            let connected = Instant::now();
            stream.set_nodelay(true).unwrap();
            stream.write_all(first).unwrap();
            (stream, connected)
        })
        .collect()
}

/// Waits for `n` more stderr lines containing `needle`.
fn wait_lines(server: &mut Proc, needle: &str, n: usize) {
    for _ in 0..n {
        server.wait_stderr(needle);
    }
}

#[test]
fn slowloris_requests_are_cut_off_at_the_request_timeout() {
    let dirs = dirs("fd-slowloris");
    std::fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    write_test_file(&dirs.root.join("one.bin"), MIB);
    let (server, addr) = start_server(&dirs.root, &["--request-timeout", "2"]);
    #[cfg(target_os = "linux")]
    let baseline = threads_of(server.id());

    // Each sends one byte every 40 ms: never a newline, never the 200 ms
    // pause that would end a classic name. (Nothing before the first tick,
    // so that connecting all of them is no pause either.)
    let start = Instant::now();
    let streams = connect_all(addr, SLOWLORIS, b"");
    let dribbling = thread::spawn(move || {
        dribble(streams, Duration::from_millis(40), Dropped::AtEof, start, DEADLINE)
    });
    let stop = Arc::new(AtomicBool::new(false));
    let real = real_client(addr, Arc::clone(&stop));
    // A real download, in the middle of it all.
    let out = dirs.out.join("one.bin");
    assert_downloaded(
        &download(addr, "one.bin", &out, &[]),
        &dirs.root.join("one.bin"),
        &out,
    );

    let Dribbled { closed, longest_gap } = dribbling.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    let served = real.join().unwrap();
    eprintln!("the real client was served {served} times meanwhile");
    assert!(served > 0);
    assert_dropped_by(&closed, Duration::from_secs(2));
    // The deadline is what ended them: the dribble held them open until then
    // — if this test kept its pace. A round of bytes 200 ms late (this
    // test's thread, on a loaded machine) is a pause, which the server
    // rightly takes as the end of a classic name.
    let cut = || server.stderr().matches("sent no whole request within 2s").count();
    let early = closed.iter().flatten().filter(|at| **at < Duration::from_millis(1500));
    eprintln!(
        "{} cut by the deadline, {} ended sooner; the longest gap between rounds of \
         bytes was {longest_gap:.0?}",
        cut(),
        early.count()
    );
    if longest_gap < Duration::from_millis(150) {
        wait_until(SLACK, "the server to log the cut requests", || cut() == SLOWLORIS);
    }
    #[cfg(target_os = "linux")]
    wait_threads(server.id(), baseline, SLACK);
}

#[test]
fn a_client_dribbling_after_its_answer_is_closed_after_two_seconds() {
    let dirs = dirs("fd-dribble-close");
    std::fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    let (server, addr) = start_server(&dirs.root, &[]);
    #[cfg(target_os = "linux")]
    let baseline = threads_of(server.id());

    let start = Instant::now();
    let mut streams = connect_all(addr, SLOWLORIS, b"GET hello.txt\n");
    for (stream, answered) in &mut streams {
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut answer = [0u8; 10];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"OK 5\nhello");
        // From here on, each one's clock counts from its answer.
        *answered = Instant::now();
    }
    // A byte every 500 ms: each read of the old close waited up to 2 s, so
    // this held every thread until 1 MiB had come (six days).
    let stop = Arc::new(AtomicBool::new(false));
    let real = real_client(addr, Arc::clone(&stop));
    let closed =
        dribble(streams, Duration::from_millis(500), Dropped::AtReset, start, DEADLINE)
            .closed;
    stop.store(true, Ordering::Relaxed);
    assert!(real.join().unwrap() > 0);
    // Each drop is seen at the second write after it (the first draws the
    // reset): up to two ticks late.
    assert_dropped_by(&closed, LINGER + Duration::from_secs(1));
    #[cfg(target_os = "linux")]
    wait_threads(server.id(), baseline, SLACK);
}

#[test]
fn clients_that_never_read_are_dropped_at_the_send_timeout() {
    let dirs = dirs("fd-never-read");
    // Larger than what the two sockets' buffers hold, so that the server
    // really waits for the client.
    let big = dirs.root.join("big.bin");
    write_test_file(&big, 48 * MIB);
    let (mut server, addr) = start_server(&dirs.root, &["--send-timeout", "1"]);
    #[cfg(target_os = "linux")]
    let baseline = threads_of(server.id());

    let start = Instant::now();
    // Five that never read, one that takes a byte every 200 ms.
    let silent = connect_all(addr, 5, b"GET big.bin\n");
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(b"GET big.bin\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let slow_reader = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut byte = [0u8; 1];
            let mut taken = 0u64;
            while !stop.load(Ordering::Relaxed) && start.elapsed() < DEADLINE {
                match slow.read(&mut byte) {
                    Ok(0) => break,
                    Ok(_) => taken += 1,
                    Err(err) if common::net::is_timeout(&err) => {}
                    Err(_) => break,
                }
                thread::sleep(Duration::from_millis(200));
            }
            taken
        })
    };
    // A real client downloads the same file meanwhile, at full speed.
    let out = dirs.out.join("big.bin");
    let real = {
        let out = out.clone();
        thread::spawn(move || download(addr, "big.bin", &out, &[]))
    };

    wait_lines(&mut server, "it took less than 64 KiB within 1s (--send-timeout)", 6);
    let dropped = start.elapsed();
    assert_downloaded(&real.join().unwrap(), &big, &out);
    stop.store(true, Ordering::Relaxed);
    let taken = slow_reader.join().unwrap();
    eprintln!(
        "6 stalled clients dropped within {dropped:.2?} (send timeout 1s); the slow one \
         had taken {taken} bytes"
    );
    assert!(dropped < Duration::from_secs(1) + SLACK, "dropped only after {dropped:?}");
    drop(silent);
    #[cfg(target_os = "linux")]
    wait_threads(server.id(), baseline, SLACK);
}

#[test]
fn past_max_clients_a_client_is_told_busy_and_the_server_goes_on() {
    let dirs = dirs("fd-busy");
    std::fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    let (mut server, addr) = start_server(&dirs.root, &["--max-clients", "2"]);

    // Two clients that say nothing take both places.
    let first = TcpStream::connect(addr).unwrap();
    let _second = TcpStream::connect(addr).unwrap();
    wait_lines(&mut server, "connected: ", 2);

    // Framed: a clear answer. Classic: a close without a byte.
    let answer = ask(addr, b"GET hello.txt\n");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("ERR busy: ") && text.ends_with('\n'), "{text:?}");
    assert!(text.contains("--max-clients 2"), "{text:?}");
    server.wait_stderr("busy: ");
    assert_eq!(ask(addr, b"hello.txt"), b"");
    server.wait_stderr("busy: ");
    let output = download(addr, "hello.txt", &dirs.out.join("hello.txt"), &[]);
    assert!(!output.status.success());
    assert!(output.stderr.contains("busy"), "{}", output.stderr);
    assert_no_part_files(&dirs.out);

    // A flood past the limit: some are answered, the rest closed at once.
    let flood: Vec<_> = (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    wait_lines(&mut server, "busy: ", 50);
    drop(flood);

    // One place frees up (once its thread has ended): served again.
    drop(first);
    server.wait_stderr("closed without asking for a file");
    let start = Instant::now();
    loop {
        let answer = ask(addr, b"GET hello.txt\n");
        if answer == b"OK 5\nhello" {
            break;
        }
        assert!(
            answer.starts_with(b"ERR busy"),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
        assert!(start.elapsed() < DEADLINE, "the freed place was never taken");
        thread::sleep(Duration::from_millis(10));
    }
}
