//! The one place that starts a program and watches it: the tests'
//! [`Proc`](crate::Proc) and the course runner (`cargo run -p docs --bin course`)
//! both stand on it.
//!
//! A [`Spawned`] program has its output read line by line in a thread; a caller
//! waits for a line with a deadline (never by sleeping), can type into it when a
//! line appears, and the program is killed and reaped when the handle is dropped.
//!
//! Nothing here panics. Every failure is a `Result` or an `Option`: the tests
//! turn it into a failed test, the course into a failed exchange it reports.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a program's output may stay open after it exited (a grandchild
/// could hold the pipe): then its lines are taken as they are.
const OUTPUT_CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A line and when it was read (or typed): what puts the lines of several
/// programs back in the order they happened.
#[derive(Clone, Debug)]
pub struct Stamped {
    /// When the reader thread read it (or when it was typed).
    pub at: Instant,
    /// The line, without its line ending, decoded as UTF-8 (lossy).
    pub text: String,
}

/// Where a program's stdout and stderr go.
#[derive(Clone, Copy, Debug)]
pub enum Streams {
    /// Two pipes, read apart. A `close_*` pipe has its reading end dropped at
    /// once, as in `program | head -0`: the first write to it fails.
    Separate {
        /// Start with a stdout nobody reads.
        close_stdout: bool,
        /// Start with a stderr nobody reads.
        close_stderr: bool,
    },
    /// One pipe for both, so the lines keep the order they were written in.
    Merged,
}

/// Text to type into stdin when a line containing `needle` appears.
struct TypeWhen {
    needle: String,
    text: String,
    stdin: ChildStdin,
}

#[derive(Default)]
struct LinesState {
    bytes: Vec<u8>,
    lines: Vec<Stamped>,
    typed: Vec<Stamped>,
    closed: bool,
    type_when: Option<TypeWhen>,
}

impl LinesState {
    /// Types the pending text if `line` is the one it waits for.
    fn type_if_seen(&mut self, line: &str) {
        if self.type_when.as_ref().is_some_and(|when| line.contains(&when.needle))
            && let Some(mut when) = self.type_when.take()
        {
            // A program that exits early closes its stdin: not our error.
            let _ = when.stdin.write_all(when.text.as_bytes());
            drop(when.stdin);
            self.typed.push(Stamped { at: Instant::now(), text: when.text });
        }
    }
}

/// The lines one pipe has produced so far, shared with the thread reading it.
pub struct Lines {
    state: Mutex<LinesState>,
    changed: Condvar,
}

impl Lines {
    /// Reads `pipe` in a thread; with `close`, drops it at once instead
    /// (nothing is read, and the writer's next write fails).
    fn read(pipe: impl Read + Send + 'static, close: bool) -> Arc<Lines> {
        let lines = Arc::new(Lines {
            state: Mutex::new(LinesState { closed: close, ..LinesState::default() }),
            changed: Condvar::new(),
        });
        if close {
            drop(pipe);
            return lines;
        }
        let shared = Arc::clone(&lines);
        thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                let done =
                    !matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0);
                let at = Instant::now();
                let mut state = shared.lock();
                if done {
                    state.closed = true;
                } else {
                    state.bytes.extend_from_slice(&line);
                    let text = String::from_utf8_lossy(&line)
                        .trim_end_matches(['\r', '\n'])
                        .to_string();
                    state.type_if_seen(&text);
                    state.lines.push(Stamped { at, text });
                }
                shared.changed.notify_all();
                if done {
                    return;
                }
            }
        });
        lines
    }

    /// The state, even if a thread panicked while holding it (the lines read
    /// so far are still worth showing).
    fn lock(&self) -> MutexGuard<'_, LinesState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits up to `timeout` for a line at index `from` or later containing
    /// `needle`; returns its index and text. `None` when the time ran out or
    /// the pipe closed first.
    pub fn wait_line(
        &self,
        from: usize,
        needle: &str,
        timeout: Duration,
    ) -> Option<(usize, String)> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            let start = from.min(state.lines.len());
            if let Some(offset) =
                state.lines[start..].iter().position(|line| line.text.contains(needle))
            {
                return Some((
                    start + offset,
                    state.lines[start + offset].text.clone(),
                ));
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits up to `timeout` for the pipe to close; true if it did.
    pub fn wait_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while !state.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Everything read so far, exactly as written.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// Everything read so far, decoded as UTF-8 (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock().bytes).into_owned()
    }

    /// The lines read so far.
    pub fn texts(&self) -> Vec<String> {
        self.lock().lines.iter().map(|line| line.text.clone()).collect()
    }

    /// The lines read so far and the texts typed in reply to them, each with
    /// the time it was read or typed.
    pub fn stamped(&self) -> (Vec<Stamped>, Vec<Stamped>) {
        let state = self.lock();
        (state.lines.clone(), state.typed.clone())
    }
}

/// A running program; killed (and reaped) when dropped.
pub struct Spawned {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Lines>,
    /// The same [`Lines`] as `stdout` when the streams are merged.
    stderr: Arc<Lines>,
}

impl Spawned {
    /// Starts `command` with its stdout and stderr as `streams` says; stdin is
    /// whatever the command was given (pipe it to write into it later).
    pub fn start(mut command: Command, streams: Streams) -> io::Result<Spawned> {
        let (mut child, stdout, stderr) = match streams {
            Streams::Separate { close_stdout, close_stderr } => {
                command.stdout(Stdio::piped()).stderr(Stdio::piped());
                let mut child = command.spawn()?;
                let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take())
                else {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(io::Error::other("the child's pipes are missing"));
                };
                let stdout = Lines::read(out, close_stdout);
                let stderr = Lines::read(err, close_stderr);
                (child, stdout, stderr)
            }
            Streams::Merged => {
                let (reader, writer) = io::pipe()?;
                command.stdout(writer.try_clone()?).stderr(writer);
                let child = command.spawn()?;
                // Drop our copies of the write end, or the pipe never reports EOF.
                drop(command);
                let lines = Lines::read(reader, false);
                (child, Arc::clone(&lines), lines)
            }
        };
        let stdin = child.stdin.take();
        Ok(Spawned { child, stdin, stdout, stderr })
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What it printed on stdout (stdout and stderr when merged); clone the
    /// `Arc` to keep reading it after the program is gone.
    pub fn stdout(&self) -> &Arc<Lines> {
        &self.stdout
    }

    /// What it printed on stderr (the same as [`Spawned::stdout`] when merged).
    pub fn stderr(&self) -> &Arc<Lines> {
        &self.stderr
    }

    /// Writes `bytes` to stdin and flushes; an error if stdin is closed.
    pub fn write_stdin(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "stdin is closed"));
        };
        stdin.write_all(bytes)?;
        stdin.flush()
    }

    /// Closes stdin: the program reads the end of its input (Ctrl+D).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Types `text` into stdin once stdout prints a line containing `needle`
    /// (at once if it already has), then closes stdin. Without a piped stdin
    /// nothing is typed.
    pub fn type_when(&mut self, needle: &str, text: &str) {
        let Some(stdin) = self.stdin.take() else { return };
        let mut state = self.stdout.lock();
        state.type_when = Some(TypeWhen {
            needle: needle.to_string(),
            text: text.to_string(),
            stdin,
        });
        let seen = state.lines.iter().position(|line| line.text.contains(needle));
        if let Some(index) = seen {
            let line = state.lines[index].text.clone();
            state.type_if_seen(&line);
        }
    }

    /// Its exit status, if it has exited.
    pub fn try_status(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Waits up to `timeout` for it to exit by itself, then (briefly) for its
    /// last lines. `Ok(None)` when it is still running at the deadline.
    pub fn wait_exit(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        self.close_stdin();
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait()? {
                break status;
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(5));
        };
        self.stdout.wait_closed(OUTPUT_CLOSE_WAIT);
        self.stderr.wait_closed(OUTPUT_CLOSE_WAIT);
        Ok(Some(status))
    }

    /// Sends SIGINT (what Ctrl+C sends) on Unix; kills it elsewhere.
    pub fn interrupt(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .stderr(Stdio::null())
                .status();
        }
        #[cfg(not(unix))]
        {
            let _ = self.child.kill();
        }
    }

    /// Kills its whole process group (on Unix; nothing elsewhere): what a
    /// program started with `process_group(0)` left running, a shell's
    /// pipeline or `&` jobs. [`Spawned::kill`] still reaps the program itself.
    pub fn kill_group(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stderr(Stdio::null())
                .status();
        }
    }

    /// Kills it now and reaps it (nothing if it has already exited).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills it, then waits (briefly) for its last lines.
    pub fn stop(&mut self) {
        self.kill();
        self.stdout.wait_closed(OUTPUT_CLOSE_WAIT);
        self.stderr.wait_closed(OUTPUT_CLOSE_WAIT);
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `python3` on PATH, if any.
pub fn python3_on_path() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(format!("python3{}", std::env::consts::EXE_SUFFIX)))
        .find(|candidate| candidate.is_file())
}

/// A TCP port of 127.0.0.1 that is free now (for programs that cannot bind
/// port 0, like the Python listings). Another process could take it before it
/// is used: where a program can, bind port 0 and read its `listening on` line.
pub fn free_tcp_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A UDP port of 127.0.0.1 that is free now (see [`free_tcp_port`]).
pub fn free_udp_port() -> io::Result<u16> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}
