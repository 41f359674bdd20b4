//! Test helpers every crate's integration tests share (`testkit`, a dev-dependency only).
//!
//! They start the real binaries (and the `python/` listings), wait for them to
//! be ready by reading their output with a deadline — never by sleeping — feed
//! stdin, collect stdout and stderr, and kill the process when the handle is
//! dropped, so no test leaves a server behind.
//!
//! ```no_run
//! use testkit::Cmd;
//! let mut server = Cmd::bin("udp-receiver").args(["--bind", "127.0.0.1:0"]).spawn();
//! let addr = server.wait_listening();
//! let out = Cmd::bin("udp-sender").args(["--to", &addr.to_string(), "hi"]).run();
//! assert!(out.status.success());
//! server.wait_stdout("hi");
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for anything (a line, an exit) before it fails.
/// Generous because CI machines are shared; a passing test never waits it out.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The path of a binary built from this workspace, e.g. `bin("udp-receiver")`.
///
/// `cargo test --workspace` and `cargo nextest run --workspace` build every
/// binary before running tests; they live beside the `deps/` folder that holds
/// the test executable.
pub fn bin(name: &str) -> PathBuf {
    let env_name = format!("CARGO_BIN_EXE_{name}");
    if let Some(path) = std::env::var_os(&env_name) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir =
        exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "binary {name} not found at {}: run the tests with `cargo test --workspace` \
         (or `cargo build --workspace` first) so every lesson's binary is built",
        path.display()
    );
    path
}

/// `python3`, or `None` (with a message on stderr) when it is missing on a
/// student's machine. In CI (`CI` set) a missing `python3` fails the test:
/// interop is part of the course.
pub fn python3() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(format!("python3{}", std::env::consts::EXE_SUFFIX)))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some_and(|value| !value.is_empty()) {
            panic!(
                "python3 is required in CI for the interop tests, and it is not on PATH"
            );
        }
        eprintln!(
            "SKIPPED: python3 not found on PATH; the Python interop test did not run"
        );
    }
    found
}

/// A free TCP port on 127.0.0.1 (for programs that cannot bind port 0, like
/// the Python listings). Another process could take it before it is used;
/// tests that can, bind port 0 and read the `listening on` line instead.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A free UDP port on 127.0.0.1 (see [`free_tcp_port`]).
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether this machine has IPv6 loopback (`::1`); some containers do not.
pub fn has_ipv6_loopback() -> bool {
    UdpSocket::bind("[::1]:0").is_ok()
}

/// Polls `condition` until it holds, failing the test after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// A temporary directory removed when dropped (`tempfile`, named after the test).
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        TempDir(
            tempfile::Builder::new().prefix(&format!("{prefix}-")).tempdir().unwrap(),
        )
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(name)
    }
}

/// A Python twin of the crate the calling test belongs to:
/// `testkit::twin!("udp_sender.py")` is `CRATE/python/udp_sender.py`.
#[macro_export]
macro_rules! twin {
    ($file:expr) => {
        ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join($file)
    };
}

/// What a finished process printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    /// stdout, decoded as UTF-8 (lossy).
    pub stdout: String,
    /// stderr, decoded as UTF-8 (lossy).
    pub stderr: String,
    /// stdout exactly as written.
    pub stdout_bytes: Vec<u8>,
}

impl Output {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// A command to start: a workspace binary, a Python listing, or any program.
pub struct Cmd {
    command: Command,
    name: String,
    stdin: Option<Vec<u8>>,
    closed_stdout: bool,
    closed_stderr: bool,
}

impl Cmd {
    /// Any program.
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let name = program.as_ref().to_string_lossy().into_owned();
        let mut command = Command::new(program);
        command.env("NO_COLOR", "1");
        Cmd { command, name, stdin: None, closed_stdout: false, closed_stderr: false }
    }

    /// A binary of this workspace (see [`bin`]).
    pub fn bin(name: &str) -> Cmd {
        let mut cmd = Cmd::new(bin(name));
        cmd.name = name.to_string();
        cmd
    }

    /// `python3 -u SCRIPT`, with UTF-8 stdio whatever the locale; `None` when
    /// python3 is missing on a student's machine (see [`python3`]).
    pub fn python(script: impl AsRef<Path>) -> Option<Cmd> {
        let python = python3()?;
        let script = script.as_ref();
        assert!(script.is_file(), "Python listing {} not found", script.display());
        let mut cmd = Cmd::new(python);
        cmd.name = format!("python3 {}", script.display());
        cmd.command
            .arg("-u")
            .arg(script)
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONUNBUFFERED", "1");
        Some(cmd)
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cmd {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(dir);
        self
    }

    /// Bytes written to stdin by [`Cmd::run`] (stdin is then closed).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(input.into());
        self
    }

    /// Starts the process with a stdout whose reader has already gone, as in
    /// `program | head -0`: its first write fails with a broken pipe.
    pub fn closed_stdout(mut self) -> Cmd {
        self.closed_stdout = true;
        self
    }

    /// Starts the process with a stderr whose reader has already gone.
    pub fn closed_stderr(mut self) -> Cmd {
        self.closed_stderr = true;
        self
    }

    /// Starts the process with piped stdin, stdout and stderr.
    pub fn spawn(mut self) -> Proc {
        self.command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", self.name));
        let stdout =
            Captured::collect(child.stdout.take().unwrap(), self.closed_stdout);
        let stderr =
            Captured::collect(child.stderr.take().unwrap(), self.closed_stderr);
        let mut stdin = child.stdin.take();
        if let Some(input) = self.stdin.take() {
            // A process that exits early closes the pipe; that is not our error.
            let _ = stdin.as_mut().unwrap().write_all(&input);
            stdin = None;
        }
        Proc {
            child,
            name: self.name,
            stdin,
            stdout,
            stderr,
            stdout_seen: 0,
            stderr_seen: 0,
        }
    }

    /// Runs to completion (within [`DEADLINE`]) with stdin from [`Cmd::stdin`]
    /// (or closed) and returns what it printed.
    pub fn run(self) -> Output {
        let mut proc = self.spawn();
        proc.close_stdin();
        proc.wait_exit(DEADLINE)
    }
}

/// The lines a pipe has produced so far, shared with the thread reading it.
struct Captured {
    state: Mutex<CapturedState>,
    changed: Condvar,
}

#[derive(Default)]
struct CapturedState {
    bytes: Vec<u8>,
    lines: Vec<String>,
    closed: bool,
}

impl Captured {
    /// Reads `pipe` in a thread; with `close`, drops its reading end at once
    /// instead (nothing is captured).
    fn collect(pipe: impl Read + Send + 'static, close: bool) -> Arc<Captured> {
        let captured = Arc::new(Captured {
            state: Mutex::new(CapturedState { closed: close, ..Default::default() }),
            changed: Condvar::new(),
        });
        if close {
            drop(pipe);
            return captured;
        }
        let shared = Arc::clone(&captured);
        thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                let n = reader.read_until(b'\n', &mut line).unwrap_or(0);
                let mut state = shared.state.lock().unwrap();
                if n == 0 {
                    state.closed = true;
                    shared.changed.notify_all();
                    return;
                }
                state.bytes.extend_from_slice(&line);
                let text = String::from_utf8_lossy(&line);
                state.lines.push(text.trim_end_matches(['\n', '\r']).to_string());
                shared.changed.notify_all();
            }
        });
        captured
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.state.lock().unwrap().bytes).into_owned()
    }

    /// Waits for a line at index >= `from` that contains `needle`; returns its index.
    fn wait_line(&self, from: usize, needle: &str, timeout: Duration) -> Option<usize> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(offset) = state.lines[from.min(state.lines.len())..]
                .iter()
                .position(|line| line.contains(needle))
            {
                return Some(from + offset);
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return None;
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }

    fn wait_closed(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap();
        while !state.closed && Instant::now() < deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            state = self.changed.wait_timeout(state, left).unwrap().0;
        }
    }
}

/// A running process; killed (and reaped) when dropped.
pub struct Proc {
    child: Child,
    name: String,
    stdin: Option<ChildStdin>,
    stdout: Arc<Captured>,
    stderr: Arc<Captured>,
    stdout_seen: usize,
    stderr_seen: usize,
}

impl Proc {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the `listening on ADDR` line every server prints when ready,
    /// and returns ADDR.
    pub fn wait_listening(&mut self) -> SocketAddr {
        let line = self.wait_stderr("listening on ");
        let addr = line.rsplit("listening on ").next().unwrap().trim();
        let addr = addr.split_whitespace().next().unwrap_or(addr);
        addr.parse().unwrap_or_else(|_| {
            panic!("{}: cannot parse address in {line:?}", self.name)
        })
    }

    /// Waits for the next stdout line (after the last one matched) containing
    /// `needle`, and returns it. Fails the test after [`DEADLINE`], showing
    /// everything the process printed.
    pub fn wait_stdout(&mut self, needle: &str) -> String {
        self.wait_stdout_for(needle, DEADLINE)
    }

    /// [`Proc::wait_stdout`] with a chosen timeout.
    pub fn wait_stdout_for(&mut self, needle: &str, timeout: Duration) -> String {
        match self.stdout.wait_line(self.stdout_seen, needle, timeout) {
            Some(index) => {
                self.stdout_seen = index + 1;
                self.stdout.state.lock().unwrap().lines[index].clone()
            }
            None => self.fail(&format!("stdout line containing {needle:?}")),
        }
    }

    /// Like [`Proc::wait_stdout_for`], but `None` instead of failing the test
    /// when no such line came within `timeout` (for "send until it answers").
    pub fn try_wait_stdout(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Option<String> {
        let index = self.stdout.wait_line(self.stdout_seen, needle, timeout)?;
        self.stdout_seen = index + 1;
        Some(self.stdout.state.lock().unwrap().lines[index].clone())
    }

    /// Like [`Proc::wait_stdout`], for stderr.
    pub fn wait_stderr(&mut self, needle: &str) -> String {
        self.wait_stderr_for(needle, DEADLINE)
    }

    /// [`Proc::wait_stderr`] with a chosen timeout.
    pub fn wait_stderr_for(&mut self, needle: &str, timeout: Duration) -> String {
        match self.stderr.wait_line(self.stderr_seen, needle, timeout) {
            Some(index) => {
                self.stderr_seen = index + 1;
                self.stderr.state.lock().unwrap().lines[index].clone()
            }
            None => self.fail(&format!("stderr line containing {needle:?}")),
        }
    }

    /// Everything printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.text()
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// Writes `line` and a newline to stdin.
    pub fn send_line(&mut self, line: &str) {
        self.write_stdin(format!("{line}\n").as_bytes());
    }

    /// Writes raw bytes to stdin.
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("{}: stdin is closed", self.name));
        stdin.write_all(bytes).and_then(|()| stdin.flush()).unwrap_or_else(|err| {
            panic!("{}: cannot write to stdin: {err}\n{}", self.name, self.transcript())
        });
    }

    /// Closes stdin: the program reads end of file.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGINT (what Ctrl+C sends) on Unix; kills elsewhere.
    pub fn interrupt(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
        }
        #[cfg(not(unix))]
        {
            let _ = self.child.kill();
        }
    }

    /// Kills the process now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself (failing after `timeout`) and
    /// returns everything it printed.
    pub fn wait_exit(&mut self, timeout: Duration) -> Output {
        self.close_stdin();
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= deadline {
                self.fail("the process to exit");
            }
            thread::sleep(Duration::from_millis(5));
        };
        // The pipes close once the process is gone; give the readers a moment.
        self.stdout.wait_closed(Duration::from_secs(5));
        self.stderr.wait_closed(Duration::from_secs(5));
        Output {
            status,
            stdout: self.stdout(),
            stderr: self.stderr(),
            stdout_bytes: self.stdout.state.lock().unwrap().bytes.clone(),
        }
    }

    fn transcript(&self) -> String {
        format!(
            "--- {} stdout ---\n{}--- {} stderr ---\n{}",
            self.name,
            self.stdout(),
            self.name,
            self.stderr()
        )
    }

    fn fail(&mut self, waiting_for: &str) -> ! {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => format!("exited with {status}"),
            _ => "still running".to_string(),
        };
        panic!(
            "{}: gave up waiting for {waiting_for} ({status})\n{}",
            self.name,
            self.transcript()
        );
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}
