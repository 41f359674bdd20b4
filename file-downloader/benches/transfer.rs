//! Benchmark (not a test): one 1 GiB file over loopback, written by each
//! client to a real file in a temporary directory, compared in the same run:
//!
//! - `file-server` + `file-downloader` (framed, the defaults),
//! - the Python pair (`python/file_server.py` + `python/file_downloader.py`),
//! - `socat` (a file into a listening socket, the socket into a file),
//! - `nc` (OpenBSD netcat, the same with shell redirections),
//! - `iperf3` on loopback (memory to memory: the ceiling), and `iperf3 -F`
//!   (its receiver writing to a file, like the others).
//!
//! It prints MB/s (10^6 bytes per second, wall time of the client process)
//! and the ratios the lesson aims for, and the peak RSS of each Rust side.
//!
//! ```text
//! cargo bench -p file-downloader                 # one run each
//! FILE_BENCH_RUNS=3 cargo bench -p file-downloader   # the median of 3
//! FILE_BENCH_MIB=256 cargo bench -p file-downloader  # a smaller file
//! FILE_BENCH_CLIENT_ARGS="--bufsize 262144" cargo bench -p file-downloader
//! ```
//! A tool that is not installed is skipped, with a note. Before each timed
//! run that writes a file, a scratch file of the same size is written and
//! deleted (see `warm_up`): on a virtual machine that returns free memory to
//! its host, this keeps the host's page faults out of every tool's figure.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench prints its table

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use testkit::{Cmd, Proc, TempDir, free_tcp_port};

const SERVER: &str = env!("CARGO_BIN_EXE_file-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_file-downloader");

fn main() {
    // `cargo bench` passes `--bench`; anything else is a filter we ignore.
    let mib: u64 = env_number("FILE_BENCH_MIB", 1024);
    let runs = env_number("FILE_BENCH_RUNS", 1).max(1) as usize;
    let size = mib * support::MIB;
    let dir = TempDir::new("file-bench");
    let root = dir.join("root");
    let out = dir.join("out");
    std::fs::create_dir(&root).unwrap();
    std::fs::create_dir(&out).unwrap();
    let source = root.join("big.bin");
    eprintln!("writing a {mib} MiB test file in {} …", root.display());
    support::write_test_file(&source, size);
    // Written back to disk now, not by the kernel in the middle of a run.
    std::fs::File::open(&source).and_then(|file| file.sync_all()).unwrap();

    // Round-robin: each round runs every peer once, so a burst of load from
    // other programs on the machine hits all of them alike.
    let mut rss = Vec::new();
    let names = [
        "file-server + file-downloader",
        "python3 file_server.py + file_downloader.py",
        "socat -> socat",
        "nc -> nc",
        "iperf3 (memory to memory)",
        "iperf3 -F (receiver writes a file)",
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut missing = [false; 6];
    for round in 1..=runs {
        eprintln!("round {round} of {runs}");
        let round_rates = [
            warm_up(&out, size)
                .and_then(|()| rust_pair(&root, &out, &source, size, &mut rss)),
            warm_up(&out, size).and_then(|()| python_pair(&root, &out, size)),
            warm_up(&out, size).and_then(|()| socat(&source, &out, size)),
            warm_up(&out, size).and_then(|()| netcat(&source, &out, size)),
            iperf3(&out, size, false),
            warm_up(&out, size).and_then(|()| iperf3(&out, size, true)),
        ];
        for (i, rate) in round_rates.into_iter().enumerate() {
            match rate {
                Some(rate) => rates[i].push(rate),
                None => missing[i] = true,
            }
        }
    }
    let results: Vec<(&str, Option<f64>)> = names
        .iter()
        .zip(&mut rates)
        .zip(missing)
        .map(|((name, rates), missing)| {
            (*name, if missing { None } else { median(rates) })
        })
        .collect();
    let rust = results[0].1;

    println!();
    println!("{mib} MiB over 127.0.0.1, {runs} run(s) each, median MB/s (10^6 B/s):");
    for (name, rate) in &results {
        match rate {
            Some(rate) => println!("  {name:<45} {rate:>9.0} MB/s"),
            None => println!("  {name:<45} {:>9}", "skipped"),
        }
    }
    let rate_of = |name: &str| {
        results.iter().find(|(n, _)| n.starts_with(name)).and_then(|(_, r)| *r)
    };
    if let Some(rust) = rust {
        println!("ratios of file-server + file-downloader (target):");
        for (peer, target) in [
            ("iperf3 (memory", "at least 0.8"),
            ("iperf3 -F", "(for reference)"),
            ("socat", "more than 1"),
            ("nc", "more than 1"),
            ("python3", "at least 3"),
        ] {
            if let Some(other) = rate_of(peer) {
                println!("  vs {peer:<20} {:>6.2}x   {target}", rust / other);
            }
        }
    }
    for side in ["file-server", "file-downloader"] {
        let peak = rss.iter().filter(|(s, _)| s == side).map(|(_, kib)| *kib).max();
        if let Some(kib) = peak {
            let mib = kib as f64 / 1024.0;
            println!("peak RSS of {side}: {mib:.1} MiB (target: under 16 MiB)");
        }
    }
}

/// Writes and deletes a scratch file as large as the transfer, right before
/// a timed run, so that every tool writes its output into memory the kernel
/// has just used. In a virtual machine that hands free memory back to its
/// host (virtio-balloon free page reporting), memory left free for a few
/// seconds must be faulted in again from the host, which makes the next
/// gigabyte of file writes several times slower — a cost of the machine,
/// not of the program being measured.
fn warm_up(out: &Path, size: u64) -> Option<()> {
    let scratch = out.join("warm-up.bin");
    let mut file = std::fs::File::create(&scratch).unwrap();
    let block = vec![0u8; support::MIB as usize];
    let mut written = 0;
    while written < size {
        std::io::Write::write_all(&mut file, &block).unwrap();
        written += support::MIB;
    }
    drop(file);
    std::fs::remove_file(&scratch).unwrap();
    Some(())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The median of the rates (None when there are none).
fn median(rates: &mut [f64]) -> Option<f64> {
    rates.sort_by(|a, b| a.total_cmp(b));
    rates.get(rates.len() / 2).copied()
}

fn installed(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        eprintln!("note: {tool} is not installed: skipped");
    }
    found
}

/// Runs a client to the end, returning MB/s over `size` bytes.
fn timed(mut client: Command, size: u64, what: &str) -> f64 {
    let start = Instant::now();
    let output = client.stdout(Stdio::null()).stderr(Stdio::piped()).output().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rate = size as f64 / seconds / 1e6;
    eprintln!("{what}: {seconds:.3} s, {rate:.0} MB/s");
    rate
}

fn rust_pair(
    root: &Path,
    out: &Path,
    source: &Path,
    size: u64,
    rss: &mut Vec<(String, u64)>,
) -> Option<f64> {
    let mut server =
        Cmd::new(SERVER).args(["--bind", "127.0.0.1:0", "--root"]).arg(root).spawn();
    let addr = server.wait_listening();
    let target = out.join("rust.bin");
    // /usr/bin/time reports the client's peak RSS (GNU time's %M, in KiB).
    let time = Path::new("/usr/bin/time");
    let mut client = if time.exists() {
        let mut cmd = Command::new(time);
        cmd.args(["-f", "peak-rss-kib %M cpu-s %U %S", CLIENT]);
        cmd
    } else {
        Command::new(CLIENT)
    };
    client.args(["big.bin", "--from", &addr.to_string(), "--output"]).arg(&target);
    // FILE_BENCH_CLIENT_ARGS="--bufsize 262144" tries other settings.
    if let Ok(extra) = std::env::var("FILE_BENCH_CLIENT_ARGS") {
        client.args(extra.split_whitespace());
    }
    let server_cpu = cpu_seconds(&server);
    let start = Instant::now();
    let output = client.stdout(Stdio::null()).stderr(Stdio::piped()).output().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let server_cpu =
        cpu_seconds(&server).zip(server_cpu).map(|(after, before)| after - before);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "file-downloader failed: {stderr}");
    let rate = size as f64 / seconds / 1e6;
    // "peak-rss-kib K cpu-s USER SYS", from /usr/bin/time.
    let times: Vec<f64> = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kib "))
        .map(|rest| rest.split_whitespace().filter_map(|w| w.parse().ok()).collect())
        .unwrap_or_default();
    let client_cpu = (times.len() == 3).then(|| times[1] + times[2]);
    let cpu = |s: Option<f64>| s.map_or("?".to_string(), |s| format!("{s:.2} s"));
    eprintln!(
        "file-server + file-downloader: {seconds:.3} s, {rate:.0} MB/s (CPU: client {}, \
         server {})",
        cpu(client_cpu),
        cpu(server_cpu)
    );
    if let Some(&kib) = times.first() {
        rss.push(("file-downloader".into(), kib as u64));
    }
    if let Some(kib) = vm_hwm(&server) {
        rss.push(("file-server".into(), kib));
    }
    support::assert_same_file(source, &target);
    std::fs::remove_file(&target).unwrap();
    Some(rate)
}

/// The CPU time (user + system) a running process has used so far (Linux,
/// assuming the usual 100 clock ticks per second).
fn cpu_seconds(process: &Proc) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", process.id())).ok()?;
    // Fields after the command name, which is in parentheses: utime is the
    // 12th, stime the 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 =
        fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The peak resident set of a running process (Linux), in KiB.
fn vm_hwm(process: &Proc) -> Option<u64> {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", process.id())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn python_pair(root: &Path, out: &Path, size: u64) -> Option<f64> {
    let script =
        |name: &str| Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join(name);
    let mut server =
        Cmd::python(script("file_server.py"))?.arg("0").current_dir(root).spawn();
    let port = server.wait_listening().port();
    let python = testkit::python3()?;
    let mut client = Command::new(python);
    client
        .arg(script("file_downloader.py"))
        .arg(port.to_string())
        .current_dir(out)
        .stdin(std::fs::File::open(write_name(out)).unwrap());
    let rate = timed(client, size, "python pair");
    std::fs::remove_file(out.join("big.bin")).unwrap();
    Some(rate)
}

/// A file holding "big.bin\n", the Python client's stdin.
fn write_name(out: &Path) -> PathBuf {
    let path = out.with_file_name("name.txt");
    std::fs::write(&path, "big.bin\n").unwrap();
    path
}

fn socat(source: &Path, out: &Path, size: u64) -> Option<f64> {
    if !installed("socat") {
        return None;
    }
    let port = free_tcp_port();
    let mut server = Cmd::new("socat")
        .args(["-d", "-d", "-u"])
        .arg(format!("OPEN:{}", source.display()))
        .arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"))
        .spawn();
    server.wait_stderr("listening on");
    let target = out.join("socat.bin");
    let mut client = Command::new("socat");
    client
        .args(["-u", &format!("TCP:127.0.0.1:{port}")])
        .arg(format!("CREATE:{}", target.display()));
    let rate = timed(client, size, "socat");
    std::fs::remove_file(&target).unwrap();
    Some(rate)
}

fn netcat(source: &Path, out: &Path, size: u64) -> Option<f64> {
    if !installed("nc") {
        return None;
    }
    let port = free_tcp_port();
    // -N: shut the socket down at the end of the file, so the client sees the end.
    let mut server = Cmd::new("sh")
        .args([
            "-c",
            &format!("exec nc -v -N -l 127.0.0.1 {port} < '{}'", source.display()),
        ])
        .spawn();
    server.wait_stderr("istening on");
    let target = out.join("nc.bin");
    let mut client = Command::new("sh");
    client.args(["-c", &format!("exec nc 127.0.0.1 {port} > '{}'", target.display())]);
    let rate = timed(client, size, "nc");
    std::fs::remove_file(&target).unwrap();
    Some(rate)
}

fn iperf3(out: &Path, size: u64, to_file: bool) -> Option<f64> {
    if !installed("iperf3") {
        return None;
    }
    let port = free_tcp_port().to_string();
    let target = out.join("iperf3.bin");
    let mut server = Cmd::new("iperf3").args([
        "-s",
        "-1",
        "--forceflush",
        "-B",
        "127.0.0.1",
        "-p",
        &port,
    ]);
    if to_file {
        server = server.arg("-F").arg(&target);
    }
    let mut server = server.spawn();
    server.wait_stdout("Server listening on");
    let output = Command::new("iperf3")
        .args(["-c", "127.0.0.1", "-p", &port, "-n", &size.to_string(), "-J"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "iperf3: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let json = String::from_utf8_lossy(&output.stdout);
    // end.sum_received.bits_per_second, without a JSON parser.
    let received = &json[json.find("\"sum_received\"")?..];
    let bits = received[received.find("\"bits_per_second\":")? + 18..]
        .split([',', '}'])
        .next()?
        .trim()
        .parse::<f64>()
        .ok()?;
    let rate = bits / 8.0 / 1e6;
    eprintln!("iperf3{}: {rate:.0} MB/s", if to_file { " -F" } else { "" });
    let _ = server.wait_exit(std::time::Duration::from_secs(10));
    let _ = std::fs::remove_file(&target);
    Some(rate)
}
