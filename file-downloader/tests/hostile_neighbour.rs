//! A hostile neighbour: a local user who can write in `--root` swaps the name
//! being asked for, as fast as they can, while clients ask for it.
//!
//! - symbolic link <-> regular file: a server that checks a path and then
//!   opens it again can be made to open the link (and serve a file from
//!   outside the root) after checking the regular file;
//! - FIFO <-> regular file: the same gap makes it open the FIFO, which waits
//!   for a writer forever — a worker stuck for good.
//!
//! Each test sends at least 5,000 requests during the swapping and asserts
//! that not one byte from outside the root was served, no request went
//! unanswered, and (Linux) the server is back to its baseline of threads.
//! Run with `-- --nocapture` to see the counts.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::*;

/// What is served when the race is lost: a marker no inside file holds.
const OUTSIDE: &[u8] = b"OUTSIDE THE ROOT ";
/// What the name holds when it is the regular file.
const INSIDE: &[u8] = b"inside the root ";
/// Requests per test, spread over [`CLIENTS`] threads.
const REQUESTS: u64 = 6_000;
const CLIENTS: u64 = 4;
/// How long a client waits for a whole answer before it counts the request
/// as unanswered (a worker stuck in `open`).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// After this many unanswered requests the clients stop: the point is made,
/// and each one costs [`ANSWER_TIMEOUT`].
const ENOUGH_UNANSWERED: u64 = 8;
/// The whole race stops after this long, however far it got.
const RACE_LIMIT: Duration = Duration::from_secs(60);

/// What the clients saw.
#[derive(Debug, Default)]
struct Tally {
    served_inside: AtomicU64,
    refused: AtomicU64,
    served_outside: AtomicU64,
    outside_bytes: AtomicU64,
    unanswered: AtomicU64,
    other: AtomicU64,
}

/// The scene: `root/target` is swapped; `stash/` (outside the root, same
/// file system) holds the originals that are hard-linked in.
struct Scene {
    dirs: Dirs,
    stash: PathBuf,
}

fn scene(prefix: &str) -> Scene {
    let dirs = dirs(prefix);
    let stash = dirs.tmp.join("stash");
    fs::create_dir(&stash).unwrap();
    fs::write(dirs.tmp.join("secret.txt"), OUTSIDE.repeat(64)).unwrap();
    fs::write(stash.join("inside"), INSIDE.repeat(64)).unwrap();
    fs::hard_link(stash.join("inside"), dirs.root.join("target")).unwrap();
    fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    Scene { dirs, stash }
}

/// Replaces `root/target` atomically (a rename) by whatever `make` creates
/// at the temporary name it is given, again and again until `stop`.
fn swapper(
    root: PathBuf,
    stop: Arc<AtomicBool>,
    make: impl Fn(u64, &Path) + Send + 'static,
) -> thread::JoinHandle<u64> {
    thread::spawn(move || {
        let next = root.join(".next");
        let target = root.join("target");
        let start = Instant::now();
        let mut swaps = 0u64;
        while !stop.load(Ordering::Relaxed) && start.elapsed() < RACE_LIMIT {
            let _ = fs::remove_file(&next);
            make(swaps, &next);
            fs::rename(&next, &target).unwrap();
            swaps += 1;
        }
        swaps
    })
}

/// One framed request; the whole answer, or `None` after [`ANSWER_TIMEOUT`].
fn ask(addr: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Some(answer),
        Err(err) if common::net::is_timeout(&err) => None,
        Err(err) => panic!("reading an answer: {err}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Sends [`REQUESTS`] requests for `target` from [`CLIENTS`] threads and
/// sorts the answers.
fn race(addr: SocketAddr) -> Arc<Tally> {
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let tally = Arc::clone(&tally);
            thread::spawn(move || {
                for _ in 0..REQUESTS / CLIENTS {
                    if tally.unanswered.load(Ordering::Relaxed) >= ENOUGH_UNANSWERED
                        || started.elapsed() > RACE_LIMIT
                    {
                        return;
                    }
                    let Some(answer) = ask(addr, b"GET target\n") else {
                        tally.unanswered.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    let body_at =
                        answer.iter().position(|&b| b == b'\n').map_or(0, |n| n + 1);
                    let counter = if contains(&answer, OUTSIDE) {
                        tally.outside_bytes.fetch_add(
                            (answer.len() - body_at) as u64,
                            Ordering::Relaxed,
                        );
                        &tally.served_outside
                    } else if answer.starts_with(b"OK ") && contains(&answer, INSIDE) {
                        &tally.served_inside
                    } else if answer.starts_with(b"ERR ") {
                        &tally.refused
                    } else {
                        eprintln!(
                            "unexpected answer: {:?}",
                            String::from_utf8_lossy(&answer)
                        );
                        &tally.other
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    eprintln!("race over after {:.1?}: {tally:?}", started.elapsed());
    tally
}

/// Runs the race against a fresh server while `make` swaps `target`, then
/// checks what must hold whoever won each round.
fn race_and_check(scene: &Scene, make: impl Fn(u64, &Path) + Send + 'static) {
    let (mut server, addr) = start_server(&scene.dirs.root, &[]);
    #[cfg(target_os = "linux")]
    let baseline = threads_of(server.id());

    let stop = Arc::new(AtomicBool::new(false));
    let swapping = swapper(scene.dirs.root.clone(), Arc::clone(&stop), make);
    let tally = race(addr);
    stop.store(true, Ordering::Relaxed);
    let swaps = swapping.join().unwrap();
    eprintln!("{swaps} swaps");
    #[cfg(target_os = "linux")]
    eprintln!(
        "server threads right after the race: {} (baseline {baseline})",
        threads_of(server.id())
    );

    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    let answered = load(&tally.served_inside)
        + load(&tally.refused)
        + load(&tally.served_outside)
        + load(&tally.other);
    assert_eq!(
        load(&tally.outside_bytes),
        0,
        "{} of {answered} answers held bytes from outside the root: {tally:?}",
        load(&tally.served_outside)
    );
    assert_eq!(load(&tally.unanswered), 0, "requests left unanswered: {tally:?}");
    assert_eq!(load(&tally.other), 0, "unexpected answers: {tally:?}");
    assert_eq!(answered, REQUESTS, "{tally:?}");
    // The swapping really raced the requests: both kinds were seen.
    assert!(load(&tally.served_inside) > 0 && load(&tally.refused) > 0, "{tally:?}");

    // The server still serves, and every worker of the race has ended.
    let answer = ask(addr, b"GET hello.txt\n");
    assert_eq!(answer.as_deref(), Some(&b"OK 5\nhello"[..]));
    #[cfg(target_os = "linux")]
    wait_threads(server.id(), baseline, Duration::from_secs(10));
    server.wait_stderr("sent 5 bytes of \"hello.txt\"");
}

#[test]
fn a_symbolic_link_swapped_in_never_serves_a_byte_from_outside() {
    let scene = scene("fd-race-link");
    let (stash, secret) = (scene.stash.clone(), scene.dirs.tmp.join("secret.txt"));
    race_and_check(&scene, move |swap, next| match swap % 4 {
        // An absolute link and a relative one that climbs out.
        0 => std::os::unix::fs::symlink(&secret, next).unwrap(),
        2 => std::os::unix::fs::symlink("../secret.txt", next).unwrap(),
        _ => fs::hard_link(stash.join("inside"), next).unwrap(),
    });
}

#[test]
fn a_fifo_swapped_in_never_holds_a_worker() {
    let scene = scene("fd-race-fifo");
    let fifo = scene.stash.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let stash = scene.stash.clone();
    race_and_check(&scene, move |swap, next| {
        let original = if swap % 2 == 0 { "fifo" } else { "inside" };
        fs::hard_link(stash.join(original), next).unwrap();
    });
}
