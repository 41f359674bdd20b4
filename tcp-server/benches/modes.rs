//! `cargo bench -p tcp-server --bench modes`: what idle clients cost each way
//! of serving many clients — the C10K problem, measured.
//!
//! Servers: `tcp-server --mode threads`, `--mode nonblocking` and `--mode poll`
//! (release build), and the Python twins `python/tcp_server_threads.py` (a
//! thread each) and `python/tcp_server_selectors.py` (selectors). For each,
//! idle clients are connected in steps up to 250, 500, 1,000, 2,000 and 5,000
//! (each answered once, so the server really holds it), and at each step:
//!
//! - idle CPU: the server's CPU time (user + system, `/proc/PID/stat`) over a
//!   window in which nobody sends anything, in % of one core;
//! - latency: a new client connects, sends 64 bytes and reads them back; the
//!   median of 21 such clients, one after another;
//! - RSS: the server's resident memory (VmRSS, `/proc/PID/status`).
//!
//! `--mode sequential` cannot serve a new client while an idle one is
//! connected, so it is measured once, alone, as the baseline. The bench
//! prints the table and the poll mode's targets at 2,000 clients, and draws
//! the chart of the book, `docs/src/lessons/tcp-server-modes.svg`:
//!
//! ```text
//! cargo bench -p tcp-server --bench modes                 # a few minutes; redraws the book's chart
//! cargo bench -p tcp-server --bench modes -- --clients 100,200 --samples 5 --idle-secs 0.5
//! ```
//!
//! Options after `--`: `--clients LIST` (or `TCP_SERVER_BENCH_CLIENTS=LIST`),
//! `--samples N`, `--idle-secs SECS`, `--modes LIST` (of the names in the
//! table), `--chart PATH` (a run with other client counts draws into
//! `target/` unless it says where). The bench raises its own open-file limit
//! (RLIMIT_NOFILE) to the hard limit; the servers it starts inherit it. Linux
//! only (`/proc`); elsewhere it says SKIPPED. It asserts nothing: it reports.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench prints its table

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

const DEFAULT_CLIENTS: [usize; 5] = [250, 500, 1_000, 2_000, 5_000];
const DEFAULT_SAMPLES: usize = 21;
const DEFAULT_IDLE_SECS: f64 = 2.0;
/// Clients are connected this many at a time, below listen(128), so that the
/// backlog never overflows (the kernel would drop connects and retry in 1 s).
const BATCH: usize = 100;
const MESSAGE: [u8; 64] = [b'm'; 64];
/// Generous: a loaded machine must not turn a slow answer into a failure.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// /proc/PID/stat counts CPU time in ticks of 1/100 s (USER_HZ) on Linux.
const TICKS_PER_SEC: f64 = 100.0;

/// A server to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mode {
    /// The name in the table and `--modes`.
    name: &'static str,
    /// `tcp-server --mode MODE`, or a Python listing in `python/`.
    program: Program,
    colour: RGBColor,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Program {
    Rust(&'static str),
    Python(&'static str),
}

const MODES: [Mode; 5] = [
    Mode {
        name: "threads",
        program: Program::Rust("threads"),
        colour: RGBColor(214, 39, 40),
    },
    Mode {
        name: "nonblocking",
        program: Program::Rust("nonblocking"),
        colour: RGBColor(255, 127, 14),
    },
    Mode {
        name: "poll",
        program: Program::Rust("poll"),
        colour: RGBColor(44, 160, 44),
    },
    Mode {
        name: "python-threads",
        program: Program::Python("tcp_server_threads.py"),
        colour: RGBColor(148, 103, 189),
    },
    Mode {
        name: "python-selectors",
        program: Program::Python("tcp_server_selectors.py"),
        colour: RGBColor(31, 119, 180),
    },
];

/// What one step measured.
#[derive(Debug, Clone, Copy)]
struct Row {
    clients: usize,
    rss_mib: f64,
    latency_ms: f64,
    idle_cpu_percent: f64,
}

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `program` on port 0 and waits for its `listening on` line.
    fn start(program: Program) -> io::Result<Server> {
        let mut command = match program {
            Program::Rust(mode) => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-server"));
                command.args(["--mode", mode, "--bind", "127.0.0.1:0"]);
                command
            }
            Program::Python(listing) => {
                let mut command = Command::new("python3");
                command.arg(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join(listing),
                );
                command.arg("0");
                command
            }
        };
        // Every server prints each client, as the lesson does: into /dev/null.
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        // Bounded: the server prints a few lines before `listening on`.
        for _ in 0..100 {
            line.clear();
            if stderr.read_line(&mut line)? == 0 || line.contains("listening on ") {
                break;
            }
        }
        let addr = line.trim().rsplit(' ').next().and_then(|addr| addr.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!(
                "{program:?} did not start: {line:?}"
            )));
        };
        // Keep draining stderr so the server never blocks on it.
        thread::spawn(move || io::copy(&mut stderr, &mut io::sink()));
        Ok(Server { child, addr })
    }

    /// CPU time so far, user + system, every thread, in ticks.
    fn cpu_ticks(&self) -> Option<u64> {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // After the command name in parentheses: utime is field 14, stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(
            fields.get(11)?.parse::<u64>().ok()?
                + fields.get(12)?.parse::<u64>().ok()?,
        )
    }

    /// Resident memory now, in MiB (VmRSS).
    fn rss_mib(&self) -> Option<f64> {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
                .ok()?;
        let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }

    /// Idle CPU in % of one core over `secs`, while nobody sends anything.
    fn idle_cpu_percent(&self, secs: f64) -> Option<f64> {
        let before = self.cpu_ticks()?;
        thread::sleep(Duration::from_secs_f64(secs));
        let ticks = self.cpu_ticks()? - before;
        Some(ticks as f64 / TICKS_PER_SEC / secs * 100.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Connects clients until there are `count`, a batch at a time; each one is
/// answered once, so the server has accepted it (and started its thread).
fn connect_idle(
    addr: SocketAddr,
    clients: &mut Vec<TcpStream>,
    count: usize,
) -> io::Result<()> {
    while clients.len() < count {
        let batch = BATCH.min(count - clients.len());
        let first = clients.len();
        for _ in 0..batch {
            clients.push(connect(addr)?);
        }
        for client in &mut clients[first..] {
            client.write_all(b"ping")?;
        }
        for client in &mut clients[first..] {
            let mut reply = [0u8; 4];
            client.read_exact(&mut reply)?;
            if &reply != b"ping" {
                return Err(io::Error::other("an idle client got a wrong answer"));
            }
        }
    }
    Ok(())
}

/// A new client: connect, send 64 bytes, read them back, close.
fn new_client_round_trip(addr: SocketAddr) -> io::Result<Duration> {
    let start = Instant::now();
    let mut client = connect(addr)?;
    client.write_all(&MESSAGE)?;
    let mut reply = [0u8; MESSAGE.len()];
    client.read_exact(&mut reply)?;
    let took = start.elapsed();
    if reply != MESSAGE {
        return Err(io::Error::other("the new client got a wrong answer"));
    }
    Ok(took)
}

/// The median latency of `samples` new clients, in ms.
fn median_latency_ms(addr: SocketAddr, samples: usize) -> io::Result<f64> {
    let mut took = Vec::with_capacity(samples);
    for _ in 0..samples {
        took.push(new_client_round_trip(addr)?.as_secs_f64() * 1e3);
    }
    took.sort_by(f64::total_cmp);
    Ok(took[took.len() / 2])
}

/// One server, idle clients added step by step: a row per client count.
fn measure(mode: &Mode, settings: &Settings) -> Vec<Row> {
    let server = match Server::start(mode.program) {
        Ok(server) => server,
        Err(err) => {
            println!("  {:<17} cannot start: {err}", mode.name);
            return Vec::new();
        }
    };
    let mut clients = Vec::new();
    let mut rows = Vec::new();
    for &count in &settings.clients {
        let step = connect_idle(server.addr, &mut clients, count).and_then(|()| {
            let idle_cpu_percent =
                server.idle_cpu_percent(settings.idle_secs).unwrap_or(f64::NAN);
            let latency_ms = median_latency_ms(server.addr, settings.samples)?;
            let rss_mib = server.rss_mib().unwrap_or(f64::NAN);
            Ok(Row { clients: count, rss_mib, latency_ms, idle_cpu_percent })
        });
        match step {
            Ok(row) => {
                print_row(mode.name, &row);
                rows.push(row);
            }
            Err(err) => {
                println!(
                    "  {:<17} stopped at {} idle clients: {err}",
                    mode.name,
                    clients.len()
                );
                break;
            }
        }
    }
    // Kill the server first: its side of each connection closes first and
    // keeps the TIME_WAIT, so the bench's ephemeral ports are free at once.
    drop(server);
    drop(clients);
    rows
}

fn print_row(name: &str, row: &Row) {
    println!(
        "  {name:<17} {:>6} {:>9.1} {:>13.2} {:>11.1}",
        row.clients, row.rss_mib, row.latency_ms, row.idle_cpu_percent
    );
}

/// The sequential lesson, alone: the baseline for one client.
fn measure_sequential(settings: &Settings) {
    let Ok(server) = Server::start(Program::Rust("sequential")) else {
        println!("  sequential cannot start");
        return;
    };
    let idle_cpu_percent =
        server.idle_cpu_percent(settings.idle_secs).unwrap_or(f64::NAN);
    match median_latency_ms(server.addr, settings.samples) {
        Ok(latency_ms) => {
            let rss_mib = server.rss_mib().unwrap_or(f64::NAN);
            print_row(
                "sequential",
                &Row { clients: 0, rss_mib, latency_ms, idle_cpu_percent },
            );
        }
        Err(err) => println!("  sequential failed: {err}"),
    }
}

/// The poll mode's targets at 2,000 idle clients, against its peers of the same run.
fn print_targets(results: &[(Mode, Vec<Row>)]) {
    let at = |name: &str| {
        results
            .iter()
            .find(|(mode, _)| mode.name == name)
            .and_then(|(_, rows)| rows.iter().find(|row| row.clients == 2_000))
            .copied()
    };
    let (Some(poll), Some(threads), Some(busy)) =
        (at("poll"), at("threads"), at("nonblocking"))
    else {
        println!(
            "targets: need poll, threads and nonblocking at 2000 clients in this run"
        );
        return;
    };
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    let ratio = poll.latency_ms / threads.latency_ms;
    println!("targets for poll at 2000 idle clients:");
    println!(
        "  latency {:.2} ms = {ratio:.2}x threads' {:.2} ms (target <= 1.5x: {})",
        poll.latency_ms,
        threads.latency_ms,
        verdict(ratio <= 1.5)
    );
    println!(
        "  RSS {:.1} MiB, nonblocking {:.1} MiB (target <= nonblocking + 2 MiB: {})",
        poll.rss_mib,
        busy.rss_mib,
        verdict(poll.rss_mib <= busy.rss_mib + 2.0)
    );
    println!(
        "  idle CPU {:.1}% of a core (target <= 2%: {})",
        poll.idle_cpu_percent,
        verdict(poll.idle_cpu_percent <= 2.0)
    );
}

// ---------------------------------------------------------------------------
// The chart

/// Three panels, one line per mode: latency, memory and idle CPU against
/// the number of idle clients (a log scale: each step doubles).
fn draw_chart(
    path: &Path,
    results: &[(Mode, Vec<Row>)],
    clients: &[usize],
    cores: usize,
) -> Result<(), String> {
    let fail =
        |err: &dyn std::fmt::Display| format!("cannot draw {}: {err}", path.display());
    let root = SVGBackend::new(path, (820, 1080)).into_drawing_area();
    root.fill(&WHITE).map_err(|err| fail(&err))?;
    let (title, panels) = root.split_vertically(44);
    let title_text = format!(
        "tcp-server: N idle clients connected, then a new client (loopback, {cores} cores)"
    );
    title.titled(&title_text, ("sans-serif", 24)).map_err(|err| fail(&err))?;
    let panels = panels.split_evenly((3, 1));
    let values = |value: fn(&Row) -> f64| {
        results
            .iter()
            .flat_map(move |(_, rows)| rows.iter().map(value))
            .filter(|v| v.is_finite())
            .collect::<Vec<f64>>()
    };
    let top = |value| values(value).into_iter().fold(1.0, f64::max) * 1.15;
    let latency: fn(&Row) -> f64 = |row| row.latency_ms;
    let memory: fn(&Row) -> f64 = |row| row.rss_mib;
    let cpu: fn(&Row) -> f64 = |row| row.idle_cpu_percent;
    let fastest = values(latency).into_iter().filter(|v| *v > 0.0).fold(1.0, f64::min);
    let x = Axis { clients };
    panel(
        &panels[0],
        "a new client's round trip (ms, log scale)",
        "ms",
        &x,
        (fastest * 0.7..top(latency) * 2.0).log_scale(),
        results,
        latency,
    )
    .map_err(|err| fail(&err))?;
    panel(
        &panels[1],
        "server memory (RSS, MiB)",
        "MiB",
        &x,
        0.0..top(memory),
        results,
        memory,
    )
    .map_err(|err| fail(&err))?;
    panel(
        &panels[2],
        "server CPU while every client is idle (% of one core)",
        "%",
        &x,
        0.0..top(cpu),
        results,
        cpu,
    )
    .map_err(|err| fail(&err))?;
    root.present().map_err(|err| fail(&err))
}

/// The x axis: idle clients, log scale, a tick at each count measured.
struct Axis<'a> {
    clients: &'a [usize],
}

impl Axis<'_> {
    fn range(
        &self,
    ) -> impl AsRangedCoord<Value = f64, CoordDescType: ValueFormatter<f64>> {
        let first = *self.clients.first().unwrap_or(&1) as f64;
        let last = *self.clients.last().unwrap_or(&2) as f64;
        (first * 0.85..last * 1.15)
            .log_scale()
            .with_key_points(self.clients.iter().map(|&count| count as f64).collect())
    }
}

/// One panel: `value` of every row, a line per mode.
fn panel<Y>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    unit: &str,
    x: &Axis<'_>,
    y: Y,
    results: &[(Mode, Vec<Row>)],
    value: fn(&Row) -> f64,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 21))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x.range(), y)?;
    chart
        .configure_mesh()
        .x_desc("idle clients connected")
        .y_desc(unit)
        .x_label_formatter(&|count| format!("{count:.0}"))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (mode, rows) in results {
        let colour = mode.colour;
        let points: Vec<(f64, f64)> = rows
            .iter()
            .map(|row| (row.clients as f64, value(row)))
            .filter(|(_, y)| y.is_finite())
            .collect();
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)).point_size(3))?
            .label(mode.name)
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
}

// ---------------------------------------------------------------------------

struct Settings {
    clients: Vec<usize>,
    samples: usize,
    idle_secs: f64,
    modes: Vec<Mode>,
    chart: PathBuf,
}

fn parse_list(text: &str) -> Vec<usize> {
    let mut list: Vec<usize> = text
        .split(',')
        .filter_map(|item| item.trim().replace('_', "").parse().ok())
        .collect();
    list.sort_unstable();
    list.dedup();
    list.retain(|&count| count > 0);
    list
}

fn settings() -> Result<Settings, String> {
    let mut clients = std::env::var("TCP_SERVER_BENCH_CLIENTS")
        .ok()
        .map(|text| parse_list(&text))
        .unwrap_or_else(|| DEFAULT_CLIENTS.to_vec());
    let mut samples = DEFAULT_SAMPLES;
    let mut idle_secs = DEFAULT_IDLE_SECS;
    let mut modes = MODES.to_vec();
    let mut chart = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--clients" => clients = parse_list(&value("--clients")?),
            "--samples" => {
                samples = value("--samples")?
                    .parse()
                    .map_err(|_| "--samples takes a number")?;
            }
            "--idle-secs" => {
                idle_secs = value("--idle-secs")?
                    .parse()
                    .map_err(|_| "--idle-secs takes seconds")?;
            }
            "--modes" => {
                let names = value("--modes")?;
                modes = MODES
                    .into_iter()
                    .filter(|mode| {
                        names.split(',').any(|name| name.trim() == mode.name)
                    })
                    .collect();
            }
            "--chart" => chart = Some(PathBuf::from(value("--chart")?)),
            // What `cargo bench` passes on; anything else is a filter we ignore.
            _ => {}
        }
    }
    if clients.is_empty() || samples == 0 || !(idle_secs > 0.0 && idle_secs <= 60.0) {
        return Err(
            "need --clients N,…, --samples N > 0 and --idle-secs 0 < S <= 60".into()
        );
    }
    let chart = chart.unwrap_or_else(|| {
        if clients == DEFAULT_CLIENTS && modes.len() == MODES.len() {
            let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            let workspace = crate_dir.parent().unwrap_or(crate_dir);
            workspace.join("docs/src/lessons/tcp-server-modes.svg")
        } else {
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("tcp-server-modes.svg")
        }
    });
    Ok(Settings { clients, samples, idle_secs, modes, chart })
}

/// Raises this process's open-file limit to the hard limit (the servers it
/// starts inherit it) and drops the client counts that still cannot fit.
fn raise_open_file_limit(settings: &mut Settings) {
    let limit = open_file_limit();
    // The bench holds every idle client, a new one, and a few files of its own.
    let fits = |count: &usize| (*count as u64) + 64 <= limit;
    let too_many: Vec<usize> =
        settings.clients.iter().copied().filter(|c| !fits(c)).collect();
    if !too_many.is_empty() {
        println!(
            "open-file limit {limit} (RLIMIT_NOFILE hard limit): skipping {too_many:?} clients \
             (raise it with `ulimit -Hn` as root)"
        );
        settings.clients.retain(fits);
    }
    println!("open-file limit: {limit}");
}

/// The soft limit on open files, raised to the hard limit where possible.
#[cfg(unix)]
fn open_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(err) => {
            println!("cannot raise the open-file limit (RLIMIT_NOFILE): {err}");
            rlimit::Resource::NOFILE.get().map_or(1024, |(soft, _hard)| soft)
        }
    }
}

/// No RLIMIT_NOFILE to raise (the bench skips itself there anyway).
#[cfg(not(unix))]
fn open_file_limit() -> u64 {
    u64::MAX
}

fn main() {
    // `cargo test --benches` lists the benchmarks: this one runs only on purpose.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    if !cfg!(target_os = "linux") {
        println!("SKIPPED: the modes bench reads /proc (Linux only)");
        return;
    }
    let mut settings = match settings() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(2);
        }
    };
    if Command::new("python3").arg("--version").output().is_err() {
        println!("python3 not found: measuring the Rust modes only");
        settings.modes.retain(|mode| matches!(mode.program, Program::Rust(_)));
    }
    raise_open_file_limit(&mut settings);
    if settings.clients.is_empty() {
        println!("SKIPPED: no client count fits the open-file limit");
        return;
    }
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "cores: {cores}; load average before: {}; idle window {} s, median of {} new clients",
        load.trim(),
        settings.idle_secs,
        settings.samples
    );
    println!(
        "  {:<17} {:>6} {:>9} {:>13} {:>11}",
        "mode", "idle", "RSS MiB", "new client ms", "idle CPU %"
    );
    measure_sequential(&settings);
    let mut results = Vec::new();
    for mode in &settings.modes {
        results.push((*mode, measure(mode, &settings)));
    }

    println!("by client count:");
    for &count in &settings.clients {
        for (mode, rows) in &results {
            if let Some(row) = rows.iter().find(|row| row.clients == count) {
                print_row(mode.name, row);
            }
        }
    }
    print_targets(&results);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.trim());
    match draw_chart(&settings.chart, &results, &settings.clients, cores) {
        Ok(()) => println!("chart: {}", settings.chart.display()),
        Err(err) => println!("{err}"),
    }
}
