//! Requests per second: the Rust time-server against the Python listing, in
//! the same run, on loopback. Not a test; run with
//!
//! ```text
//! cargo bench -p time-server
//! BENCH_SECONDS=3 BENCH_ROUNDS=9 cargo bench -p time-server   # longer
//! ```
//!
//! Each round starts a server, then 4 client threads each send a format,
//! wait for its answer (1 s at most) and send the next, for BENCH_SECONDS
//! (default 2); each server runs BENCH_ROUNDS rounds (default 5). Every
//! format carries a sequence number, so an answer that arrives late is never
//! counted for the next request. Rounds alternate Rust, Python and the bare
//! echo; the medians and their ratios are printed, and lost answers (no
//! answer within 1 s) are reported separately for each server.
//!
//! A third server sets the ceiling: a bare UDP echo (this program, started
//! again with TIME_BENCH_BARE_ECHO=1) that does nothing but `recvfrom` and
//! `sendto`. No UDP server that answers each request with one datagram can be
//! faster on this machine, so it shows how much of each server's time is the
//! kernel's, and whether a target ratio is reachable at all. Its CPU time per
//! answer is the floor, and the Rust server's CPU time per answer is printed
//! as a ratio to it (target: at most 1.25x): the median of the ratios of
//! rounds run side by side, so that the load of the machine at the time,
//! which moves both, cancels out. The servers log into /dev/null,
//! which is not a terminal: the Rust server buffers its log there, as into
//! any pipe or file, and writes it before it waits for the next request.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench prints its table

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const THREADS: usize = 4;
/// Requests each client thread keeps in flight.
const WINDOW: u64 = 8;
const FORMAT: &str = "%Y-%m-%d %X";

#[derive(Default, Clone, Copy)]
struct Round {
    answered: u64,
    lost: u64,
    per_second: f64,
    /// The server's own CPU time (user + system) per answer, in µs (Linux).
    cpu_us: Option<f64>,
}

/// A process's CPU time so far (user + system), from /proc (Linux only).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses: utime is the
    // 14th field of the line, stime the 15th; both in clock ticks (100/s).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 =
        fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A server with its log (stdout) going to /dev/null, so that reading it
/// costs this process nothing; returns it once it prints `listening on`.
fn start(server: &str) -> (Server, SocketAddr) {
    let mut command = match server {
        "rust" => {
            let mut command = Command::new(common::testing::bin("time-server"));
            command.args(["--bind", "127.0.0.1:0"]);
            command
        }
        "bare echo" => {
            let mut command = Command::new(std::env::current_exe().unwrap());
            command.env(BARE_ECHO, "1");
            command
        }
        _ => {
            let listing =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/time_server.py");
            let mut command =
                Command::new(common::testing::python3().expect("python3"));
            command.arg("-u").arg(listing).arg("0");
            command
        }
    };
    let mut child = command
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "{server} server exited");
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            break addr.parse().unwrap();
        }
    };
    // Keep reading stderr (warnings) so a full pipe never blocks the server;
    // the last lines are shown if a round loses answers.
    let log = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let shared = Arc::clone(&log);
    thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let mut log = shared.lock().unwrap();
            if log.len() < 20 {
                log.push(line);
            }
        }
    });
    (Server(child, log), addr)
}

/// Killed when dropped.
struct Server(Child, Arc<std::sync::Mutex<Vec<String>>>);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One client thread: keeps WINDOW requests in flight, sending the next one
/// as each answer arrives, until `stop`. A request with no answer within 1 s
/// is lost.
fn client(server: SocketAddr, stop: Arc<AtomicBool>, id: usize) -> (u64, u64) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let (mut answered, mut lost) = (0u64, 0u64);
    let mut buf = [0u8; 2048];
    let mut next = 0u64; // the next sequence number to send
    let mut oldest = 0u64; // the oldest one still waiting for its answer
    let send = |seq: u64| {
        let request = format!("{id}.{seq} {FORMAT}");
        socket.send_to(request.as_bytes(), server).unwrap();
    };
    while !stop.load(Ordering::Relaxed) {
        while next - oldest < WINDOW {
            send(next);
            next += 1;
        }
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                let answer = String::from_utf8_lossy(&buf[..n]);
                let seq = answer
                    .split_once(' ')
                    .and_then(|(tag, _)| tag.split_once('.'))
                    .and_then(|(_, seq)| seq.parse::<u64>().ok());
                // Answers come back in order; a skipped sequence number was lost.
                if let Some(seq) = seq.filter(|seq| *seq >= oldest) {
                    lost += seq - oldest;
                    answered += 1;
                    oldest = seq + 1;
                }
            }
            Err(_) => {
                lost += next - oldest;
                oldest = next;
            }
        }
    }
    (answered, lost)
}

fn round(server: &str, seconds: u64) -> Round {
    let (proc, addr) = start(server);
    let stop = Arc::new(AtomicBool::new(false));
    let cpu_before = cpu_seconds(proc.0.id());
    let started = Instant::now();
    let clients: Vec<_> = (0..THREADS)
        .map(|id| {
            let stop = Arc::clone(&stop);
            thread::spawn(move || client(addr, stop, id))
        })
        .collect();
    thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut result = Round::default();
    for handle in clients {
        let (answered, lost) = handle.join().unwrap();
        result.answered += answered;
        result.lost += lost;
    }
    result.per_second = result.answered as f64 / started.elapsed().as_secs_f64();
    if let (Some(before), Some(after)) = (cpu_before, cpu_seconds(proc.0.id())) {
        result.cpu_us = Some((after - before) * 1e6 / result.answered.max(1) as f64);
    }
    if result.lost > 0 {
        println!("  {server} server at {addr} lost answers; its stderr began with:");
        for line in proc.1.lock().unwrap().iter() {
            println!("    {line}");
        }
    }
    result
}

/// Set in the environment of the bare echo server (this program, run again).
const BARE_ECHO: &str = "TIME_BENCH_BARE_ECHO";

/// The ceiling: `recvfrom` then `sendto` of the same bytes, nothing else.
fn bare_echo() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    eprintln!("listening on {}", socket.local_addr().unwrap());
    let mut buf = [0u8; 1024];
    loop {
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            let _ = socket.send_to(&buf[..n], from);
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    if std::env::var_os(BARE_ECHO).is_some() {
        return bare_echo();
    }
    if common::testing::python3().is_none() {
        return;
    }
    let seconds = setting("BENCH_SECONDS", 2);
    let rounds = setting("BENCH_ROUNDS", 5);
    println!(
        "time-server: {THREADS} client threads, {seconds} s per round, {rounds} rounds per server, \
         format {FORMAT:?}"
    );
    let mut results: Vec<(&str, Vec<Round>)> =
        vec![("rust", vec![]), ("python", vec![]), ("bare echo", vec![])];
    for _ in 0..rounds {
        for (server, rounds) in &mut results {
            let result = round(server, seconds);
            println!(
                "  {server:>9}: {:>9.0} requests/s ({} answered, {} lost; server CPU {} µs per answer)",
                result.per_second,
                result.answered,
                result.lost,
                result.cpu_us.map_or("?".into(), |us| format!("{us:.1}"))
            );
            rounds.push(result);
        }
    }
    let medians: Vec<f64> = results
        .iter()
        .map(|(_, rounds)| median(rounds.iter().map(|r| r.per_second).collect()))
        .collect();
    for ((server, rounds), median) in results.iter().zip(&medians) {
        let lost: u64 = rounds.iter().map(|r| r.lost).sum();
        let answered: u64 = rounds.iter().map(|r| r.answered).sum();
        println!(
            "median {server:>9}: {median:>9.0} requests/s; lost answers: {lost} of {}",
            answered + lost
        );
    }
    println!(
        "ratio rust/python: {:.1}x (target: at least 5x)",
        medians[0] / medians[1]
    );
    println!(
        "ceiling (bare echo, recvfrom + sendto only): rust reaches {:.0}%, python {:.0}%; \
         5x python would be {:.1}x the ceiling",
        100.0 * medians[0] / medians[2],
        100.0 * medians[1] / medians[2],
        5.0 * medians[1] / medians[2]
    );
    // What each server itself spends per answer, whatever the clients cost.
    let cpu: Vec<Option<f64>> = results
        .iter()
        .map(|(_, rounds)| {
            let cpu: Option<Vec<f64>> = rounds.iter().map(|r| r.cpu_us).collect();
            cpu.map(median)
        })
        .collect();
    if let [Some(rust), Some(python), Some(bare)] = cpu[..] {
        println!(
            "median server CPU per answer: rust {rust:.1} µs, python {python:.1} µs \
             (python/rust {:.1}x); the bare echo: {bare:.1} µs, the kernel's floor",
            python / rust
        );
    }
    // Each Rust round against the bare echo round that ran next to it (the
    // same load on the machine), then the median of those ratios.
    let paired: Option<Vec<f64>> = results[0]
        .1
        .iter()
        .zip(&results[2].1)
        .map(|(rust, bare)| Some(rust.cpu_us? / bare.cpu_us?))
        .collect();
    if let Some(paired) = paired.filter(|ratios| !ratios.is_empty()) {
        let each: Vec<String> =
            paired.iter().map(|ratio| format!("{ratio:.2}")).collect();
        println!(
            "ratio of the floor: the rust server spends {:.2}x the bare echo's CPU per answer \
             (median of the rounds: {}; target: at most 1.25x)",
            median(paired),
            each.join(" ")
        );
    }
}
