//! The tests' side: every failure fails the test, showing what the program printed.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::ffi::OsStr;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::process::{self, Spawned, Streams};

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
    let found = process::python3_on_path();
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
    process::free_tcp_port().unwrap()
}

/// A free UDP port on 127.0.0.1 (see [`free_tcp_port`]).
pub fn free_udp_port() -> u16 {
    process::free_udp_port().unwrap()
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
        TempDir::try_new(prefix).unwrap()
    }

    /// [`TempDir::new`] that returns the error instead of failing the test
    /// (for the course runner).
    pub fn try_new(prefix: &str) -> std::io::Result<TempDir> {
        Ok(TempDir(tempfile::Builder::new().prefix(&format!("{prefix}-")).tempdir()?))
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
    group: bool,
}

impl Cmd {
    /// Any program.
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let name = program.as_ref().to_string_lossy().into_owned();
        let mut command = Command::new(program);
        command.env("NO_COLOR", "1");
        Cmd {
            command,
            name,
            stdin: None,
            closed_stdout: false,
            closed_stderr: false,
            group: false,
        }
    }

    /// `sh -c SCRIPT` in a process group of its own (on Unix), so that killing
    /// it also kills what it started: a pipeline's programs, `&` jobs.
    pub fn shell(script: &str) -> Cmd {
        let mut cmd = Cmd::new("sh").arg("-c").arg(script);
        cmd.name = format!("sh -c {script:?}");
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.command.process_group(0);
            cmd.group = true;
        }
        cmd
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
        self.command.stdin(Stdio::piped());
        let streams = Streams::Separate {
            close_stdout: self.closed_stdout,
            close_stderr: self.closed_stderr,
        };
        let mut inner = Spawned::start(self.command, streams)
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", self.name));
        if let Some(input) = self.stdin.take() {
            // A process that exits early closes the pipe; that is not our error.
            let _ = inner.write_stdin(&input);
            inner.close_stdin();
        }
        Proc {
            inner,
            name: self.name,
            group: self.group,
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

/// A running process ([`process::Spawned`](crate::process::Spawned)); killed
/// (and reaped) when dropped.
pub struct Proc {
    inner: Spawned,
    name: String,
    /// Started in a process group of its own ([`Cmd::shell`]): killed whole.
    group: bool,
    stdout_seen: usize,
    stderr_seen: usize,
}

impl Proc {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.inner.id()
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
        match self.try_wait_stdout(needle, timeout) {
            Some(line) => line,
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
        let (index, line) =
            self.inner.stdout().wait_line(self.stdout_seen, needle, timeout)?;
        self.stdout_seen = index + 1;
        Some(line)
    }

    /// Like [`Proc::wait_stdout`], for stderr.
    pub fn wait_stderr(&mut self, needle: &str) -> String {
        self.wait_stderr_for(needle, DEADLINE)
    }

    /// [`Proc::wait_stderr`] with a chosen timeout.
    pub fn wait_stderr_for(&mut self, needle: &str, timeout: Duration) -> String {
        match self.inner.stderr().wait_line(self.stderr_seen, needle, timeout) {
            Some((index, line)) => {
                self.stderr_seen = index + 1;
                line
            }
            None => self.fail(&format!("stderr line containing {needle:?}")),
        }
    }

    /// Everything printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.inner.stdout().text()
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.inner.stderr().text()
    }

    /// Writes `line` and a newline to stdin.
    pub fn send_line(&mut self, line: &str) {
        self.write_stdin(format!("{line}\n").as_bytes());
    }

    /// Writes raw bytes to stdin.
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        if let Err(err) = self.inner.write_stdin(bytes) {
            panic!(
                "{}: cannot write to stdin: {err}\n{}",
                self.name,
                self.transcript()
            );
        }
    }

    /// Closes stdin: the program reads end of file.
    pub fn close_stdin(&mut self) {
        self.inner.close_stdin();
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.inner.try_status(), Ok(None))
    }

    /// Sends SIGINT (what Ctrl+C sends) on Unix; kills elsewhere.
    pub fn interrupt(&mut self) {
        self.inner.interrupt();
    }

    /// Its exit status if it has exited; `None` while it runs.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.inner.try_status().unwrap()
    }

    /// Waits up to `timeout` for stdout and stderr to close (an exited
    /// program's last words drained); true if both did.
    pub fn wait_output_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.inner.stdout().wait_closed(timeout)
            && self
                .inner
                .stderr()
                .wait_closed(deadline.saturating_duration_since(Instant::now()))
    }

    /// Kills the process now (with its process group, for [`Cmd::shell`]).
    pub fn kill(&mut self) {
        if self.group {
            self.inner.kill_group();
        }
        self.inner.kill();
    }

    /// Waits for the process to exit by itself (failing after `timeout`) and
    /// returns everything it printed.
    pub fn wait_exit(&mut self, timeout: Duration) -> Output {
        let status = match self.inner.wait_exit(timeout) {
            Ok(Some(status)) => status,
            Ok(None) => self.fail("the process to exit"),
            Err(err) => panic!("{}: cannot wait for it: {err}", self.name),
        };
        Output {
            status,
            stdout: self.stdout(),
            stderr: self.stderr(),
            stdout_bytes: self.inner.stdout().bytes(),
        }
    }

    /// Everything it printed, stdout then stderr, under headings naming it.
    pub fn transcript(&self) -> String {
        format!(
            "--- {} stdout ---\n{}--- {} stderr ---\n{}",
            self.name,
            self.stdout(),
            self.name,
            self.stderr()
        )
    }

    fn fail(&mut self, waiting_for: &str) -> ! {
        let status = match self.inner.try_status() {
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
