//! `cargo bench -p tcp-server`: `tcp-server --mode threads` against the Python
//! listing `python/tcp_server_threads.py` (a `threading.Thread` per client),
//! both echo servers, in the same run and with the same load:
//!
//! - throughput: 200 clients connected at once, each doing 500 round trips of
//!   64 bytes (send, then read the 64 bytes back); every round trip must
//!   complete with the right bytes. Rounds alternate Rust / Python; medians and
//!   the ratio are printed. The clients are driven by 2 threads of 100 clients
//!   each: a thread sends one message on each of its clients, then reads each
//!   reply, so all 200 round trips are in flight at once while the load
//!   generator itself stays cheap (it shares the CPU with the server).
//! - memory: peak RSS (VmHWM, Linux) of each server with 1,000 idle clients
//!   connected (each has been answered once, so its thread is running).
//!
//! Both servers print every message, as the lesson does; their stdout goes to
//! /dev/null. Not a test: it asserts nothing about speed, it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench prints its table

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
const ROUND_TRIPS: usize = 500;
const MESSAGE: usize = 64;
const ROUNDS: usize = 5;
const DRIVER_THREADS: usize = 2;
const IDLE_CLIENTS: usize = 1_000;

/// A server under test; killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn rust() -> Server {
        let command = Command::new(env!("CARGO_BIN_EXE_tcp-server"));
        Server::start("rust", command, &["--mode", "threads", "--bind", "127.0.0.1:0"])
    }

    fn python() -> Option<Server> {
        let listing = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("python/tcp_server_threads.py");
        let mut command = Command::new("python3");
        command.arg(listing);
        Command::new("python3").arg("--version").output().ok()?;
        Some(Server::start("python", command, &["0"]))
    }

    fn start(name: &'static str, mut command: Command, args: &[&str]) -> Server {
        let mut child = command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("listening on ") {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "{name} did not start");
        }
        let addr = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
        // Keep draining stderr so the server never blocks on it.
        thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Server { name, child, addr }
    }

    /// CPU time used so far, user + system, all threads (Linux: /proc/PID/stat,
    /// in clock ticks of 1/100 s), or `None` elsewhere.
    fn cpu_seconds(&self) -> Option<f64> {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the command name, which is in parentheses: state is
        // field 3, utime 14 and stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()?
            + fields.get(12)?.parse::<u64>().ok()?;
        Some(ticks as f64 / 100.0)
    }

    /// Peak resident memory in KiB (Linux: VmHWM in /proc/PID/status).
    fn peak_rss_kib(&self) -> Option<u64> {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
                .ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(30)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// One round: CLIENTS clients connect (DRIVER_THREADS threads, each driving
/// its share), wait for each other, then do ROUND_TRIPS echo round trips each.
/// Returns (round trips completed with the right bytes, seconds).
fn throughput_round(addr: SocketAddr) -> (usize, f64) {
    let ready = Arc::new(Barrier::new(DRIVER_THREADS + 1));
    let drivers: Vec<_> = (0..DRIVER_THREADS)
        .map(|driver| {
            let ready = Arc::clone(&ready);
            thread::spawn(move || {
                let mut clients: Vec<TcpStream> =
                    (0..CLIENTS / DRIVER_THREADS).map(|_| connect(addr)).collect();
                ready.wait();
                let message = |client: usize, trip: usize| {
                    [b'a' + ((driver + client + trip) % 26) as u8; MESSAGE]
                };
                let mut done = 0;
                let mut reply = [0u8; MESSAGE];
                for trip in 0..ROUND_TRIPS {
                    for (id, client) in clients.iter_mut().enumerate() {
                        if client.write_all(&message(id, trip)).is_err() {
                            return done;
                        }
                    }
                    for (id, client) in clients.iter_mut().enumerate() {
                        if client.read_exact(&mut reply).is_err()
                            || reply != message(id, trip)
                        {
                            return done;
                        }
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    ready.wait();
    let start = Instant::now();
    let completed: usize =
        drivers.into_iter().map(|driver| driver.join().unwrap()).sum();
    (completed, start.elapsed().as_secs_f64())
}

/// Connects IDLE_CLIENTS clients, each answered once, and reads the peak RSS.
fn idle_memory(server: &Server) -> Option<u64> {
    let mut clients = Vec::with_capacity(IDLE_CLIENTS);
    for _ in 0..IDLE_CLIENTS {
        let mut stream = connect(server.addr);
        stream.write_all(b"ping").unwrap();
        let mut reply = [0u8; 4];
        stream.read_exact(&mut reply).unwrap();
        clients.push(stream);
    }
    let peak = server.peak_rss_kib();
    drop(clients);
    peak
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let Some(python) = Server::python() else {
        eprintln!("SKIPPED: python3 not found; the benchmark needs its Python peer");
        return;
    };
    let rust = Server::rust();
    let total = CLIENTS * ROUND_TRIPS;
    // Both servers share the machine with the load generator (and whatever
    // else runs): say how busy it was, since that moves the rates.
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .map(|text| text.trim().to_string())
    };
    if let Some(load) = load() {
        println!(
            "cores: {}; load average before: {load}",
            thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
    println!(
        "throughput: {CLIENTS} clients at once x {ROUND_TRIPS} round trips of {MESSAGE} bytes \
         = {total} round trips per round, {ROUNDS} rounds each, alternating \
         ({DRIVER_THREADS} load threads)"
    );
    let mut rates = [Vec::new(), Vec::new()];
    let mut cpu_costs = [Vec::new(), Vec::new()];
    let mut all_completed = true;
    for round in 1..=ROUNDS {
        for (index, server) in [&rust, &python].into_iter().enumerate() {
            let cpu_before = server.cpu_seconds();
            let (completed, secs) = throughput_round(server.addr);
            let cpu = server
                .cpu_seconds()
                .zip(cpu_before)
                .map(|(after, before)| after - before);
            let rate = completed as f64 / secs;
            all_completed &= completed == total;
            // The server's CPU time per round trip does not depend on how busy
            // the machine is, unlike the rate.
            let cost = cpu.map(|cpu| cpu * 1e6 / completed.max(1) as f64);
            println!(
                "  round {round} {:<6} {completed:>6}/{total} round trips in {secs:6.2} s = {rate:>9.0} /s{}",
                server.name,
                cost.map_or(String::new(), |cost| format!(
                    ", server CPU {cost:5.1} us per round trip"
                ))
            );
            rates[index].push(rate);
            cpu_costs[index].extend(cost);
        }
    }
    let rust_rate = median(&mut rates[0]);
    let python_rate = median(&mut rates[1]);
    let ratio = rust_rate / python_rate;
    println!("median rust   {rust_rate:>9.0} round trips/s");
    println!("median python {python_rate:>9.0} round trips/s");
    println!(
        "ratio rust/python: {ratio:.1}x (target >= 3x: {}); every round trip completed: {}",
        if ratio >= 3.0 { "met" } else { "NOT met" },
        if all_completed { "yes" } else { "NO" }
    );
    if !cpu_costs[0].is_empty() && !cpu_costs[1].is_empty() {
        let rust_cost = median(&mut cpu_costs[0]);
        let python_cost = median(&mut cpu_costs[1]);
        println!(
            "server CPU per round trip (median): rust {rust_cost:.1} us, python {python_cost:.1} us \
             ({:.1}x less for rust)",
            python_cost / rust_cost
        );
    }

    if let Some(load) = load() {
        println!("load average after: {load}");
    }
    println!("memory: peak RSS with {IDLE_CLIENTS} idle clients connected");
    for server in [&rust, &python] {
        match idle_memory(server) {
            Some(kib) => println!(
                "  {:<6} {:>7.1} MiB{}",
                server.name,
                kib as f64 / 1024.0,
                if server.name == "rust" {
                    if kib < 64 * 1024 {
                        " (target < 64 MiB: met)"
                    } else {
                        " (target < 64 MiB: NOT met)"
                    }
                } else {
                    ""
                }
            ),
            None => println!(
                "  {:<6} peak RSS not available (Linux /proc only)",
                server.name
            ),
        }
    }
}
