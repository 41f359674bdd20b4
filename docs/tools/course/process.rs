//! Starting the lesson programs, reading what they print with a deadline, and
//! making sure none is left behind — also on Ctrl+C.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long the course waits for any one thing before calling it failed.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Process ids of every program still running, killed by the Ctrl+C handler;
/// `None` once the handler has run, so that no program starts after it.
/// Programs are started while this lock is held: none can slip past it.
static RUNNING: Mutex<Option<Vec<u32>>> = Mutex::new(Some(Vec::new()));

/// On Ctrl+C (or SIGTERM): stop every program the course started, remove the
/// course's scratch folders, then exit.
pub fn stop_everything_on_ctrl_c() {
    let installed = ctrlc::set_handler(|| {
        let pids = RUNNING
            .lock()
            .map(|mut running| running.take().unwrap_or_default())
            .unwrap_or_default();
        for pid in pids {
            kill(pid);
        }
        remove_scratch_folders();
        common::errln!("\ninterrupted: every lesson program was stopped");
        std::process::exit(130);
    });
    if let Err(err) = installed {
        common::errln!(
            "warning: cannot catch Ctrl+C ({err}); programs may outlive an interrupt"
        );
    }
}

/// Once Ctrl+C's handler has begun, waits for it to end the process, so that
/// nothing is printed after (or instead of) its last word.
pub fn wait_if_stopping() {
    let stopping = RUNNING.lock().map(|running| running.is_none()).unwrap_or(true);
    if stopping {
        loop {
            thread::park();
        }
    }
}

fn kill(pid: u32) {
    // A program that has just ended is not an error: say nothing about it.
    #[cfg(unix)]
    let _ = Command::new("kill").arg(pid.to_string()).stderr(Stdio::null()).status();
    #[cfg(windows)]
    let _ = Command::new("taskkill")
        .args(["/F", "/PID", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// The `course-PID-*` folders of this run (a [`WorkDir`]'s drop never runs
/// when the course exits on Ctrl+C).
fn remove_scratch_folders() {
    let prefix = format!("course-{}-", std::process::id());
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A line and when the course read it: what puts the lines of several
/// programs back in the order they happened.
#[derive(Clone)]
pub struct Stamped {
    pub at: Instant,
    pub text: String,
}

/// The lines a program printed, stdout and stderr merged in the order written,
/// and what the course typed into it after it started.
#[derive(Default)]
struct Lines {
    lines: Vec<Stamped>,
    typed: Vec<Stamped>,
    closed: bool,
}

/// Text to type into a program once it prints a line containing `when`; its
/// stdin is closed after that (the end of input, like Ctrl+D).
pub struct Later {
    pub when: String,
    pub text: String,
}

/// A program the course started; killed when dropped.
pub struct Running {
    child: Child,
    output: Arc<(Mutex<Lines>, Condvar)>,
    reader: Option<thread::JoinHandle<()>>,
    seen: usize,
}

impl Running {
    /// Starts `program args…` in `dir`, stdout and stderr merged into one pipe.
    /// `stdin` is written at once; then stdin is closed, unless `later` says
    /// what to type when a line appears (stdin stays open until then).
    pub fn start(
        program: &Path,
        args: &[String],
        dir: &Path,
        stdin: Option<&str>,
        later: Option<Later>,
    ) -> Result<Running, String> {
        let (reader, writer) =
            std::io::pipe().map_err(|err| format!("cannot create a pipe: {err}"))?;
        let writer_too =
            writer.try_clone().map_err(|err| format!("cannot create a pipe: {err}"))?;
        let mut command = Command::new(program);
        let piped = stdin.is_some() || later.is_some();
        command
            .args(args)
            .current_dir(dir)
            .stdin(if piped { Stdio::piped() } else { Stdio::null() })
            .stdout(writer)
            .stderr(writer_too)
            // Plain text: the transcript is compared with the book's samples.
            .env("NO_COLOR", "1")
            // A panic is one message, not a backtrace (a student's todo!()).
            .env("RUST_BACKTRACE", "0")
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONUNBUFFERED", "1");
        let mut child = {
            let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            let Some(pids) = running.as_mut() else {
                return Err("the course is stopping (Ctrl+C)".to_string());
            };
            let child = command
                .spawn()
                .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
            pids.push(child.id());
            child
        };
        // Drop our copies of the write end, or the pipe never reports EOF.
        drop(command);
        let mut pipe = child.stdin.take();
        if let (Some(text), Some(pipe)) = (stdin, pipe.as_mut()) {
            // A program that exits early closes its stdin: not our error.
            let _ = pipe.write_all(text.as_bytes());
        }
        // Closed now, or kept for the reader thread to type into later.
        let mut pending = match later {
            Some(later) => pipe.map(|pipe| (later, pipe)),
            None => None,
        };
        let output = Arc::new((Mutex::new(Lines::default()), Condvar::new()));
        let shared = Arc::clone(&output);
        let reader = thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut line = Vec::new();
            loop {
                line.clear();
                let done =
                    !matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0);
                let at = Instant::now();
                let (lines, changed) = &*shared;
                let Ok(mut lines) = lines.lock() else { return };
                if done {
                    lines.closed = true;
                } else {
                    let text = String::from_utf8_lossy(&line)
                        .trim_end_matches(['\r', '\n'])
                        .to_string();
                    let typed_now = pending
                        .as_ref()
                        .is_some_and(|(later, _)| text.contains(&later.when));
                    lines.lines.push(Stamped { at, text });
                    if typed_now && let Some((later, mut pipe)) = pending.take() {
                        let _ = pipe.write_all(later.text.as_bytes());
                        drop(pipe);
                        lines
                            .typed
                            .push(Stamped { at: Instant::now(), text: later.text });
                    }
                }
                changed.notify_all();
                if done {
                    return;
                }
            }
        });
        Ok(Running { child, output, reader: Some(reader), seen: 0 })
    }

    /// Waits for a line (after the last one found) containing `needle`.
    pub fn wait_for(&mut self, needle: &str) -> Result<String, String> {
        self.wait_for_within(needle, DEADLINE)
    }

    /// [`Running::wait_for`] with a chosen deadline.
    pub fn wait_for_within(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let (lines, changed) = &*self.output;
        let mut state = lines.lock().map_err(|_| "output reader failed".to_string())?;
        loop {
            let start = self.seen.min(state.lines.len());
            if let Some(offset) =
                state.lines[start..].iter().position(|l| l.text.contains(needle))
            {
                self.seen = start + offset + 1;
                return Ok(state.lines[start + offset].text.clone());
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return Err(format!("no line containing {needle:?} appeared"));
            }
            state = changed
                .wait_timeout(state, deadline - now)
                .map_err(|_| "output reader failed".to_string())?
                .0;
        }
    }

    /// Waits (up to the deadline) for the program to exit; true when it exited 0.
    pub fn wait_exit(&mut self) -> Result<bool, String> {
        self.wait_exit_within(DEADLINE)
    }

    /// [`Running::wait_exit`] with a chosen deadline.
    pub fn wait_exit_within(&mut self, timeout: Duration) -> Result<bool, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.finish_output();
                    return Ok(status.success());
                }
                Ok(None) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(5))
                }
                Ok(None) => return Err("it did not exit in time".to_string()),
                Err(err) => return Err(format!("cannot wait for it: {err}")),
            }
        }
    }

    /// Stops a server that runs until Ctrl+C, then collects its last lines.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.finish_output();
    }

    /// Everything the program printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.output
            .0
            .lock()
            .map(|state| state.lines.iter().map(|line| line.text.clone()).collect())
            .unwrap_or_default()
    }

    /// What the program printed and what was typed into it later, each line
    /// with the time it was read or typed.
    pub fn stamped(&self) -> (Vec<Stamped>, Vec<Stamped>) {
        self.output
            .0
            .lock()
            .map(|state| (state.lines.clone(), state.typed.clone()))
            .unwrap_or_default()
    }

    fn finish_output(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Ok(mut running) = RUNNING.lock()
            && let Some(pids) = running.as_mut()
        {
            pids.retain(|&pid| pid != self.child.id());
        }
    }
}

/// A scratch folder for one exchange (the file lesson's served files).
pub struct WorkDir(PathBuf);

impl WorkDir {
    pub fn new(name: &str) -> Result<WorkDir, String> {
        let path =
            std::env::temp_dir().join(format!("course-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|err| format!("cannot create {}: {err}", path.display()))?;
        Ok(WorkDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `python3` on PATH, if any.
pub fn python3() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(format!("python3{}", std::env::consts::EXE_SUFFIX)))
        .find(|candidate| candidate.is_file())
}

/// A UDP port of 127.0.0.1 that is free now: for the second peer of a chat,
/// whose address the first one must be given before the second starts.
pub fn free_udp_port() -> Result<u16, String> {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|socket| socket.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("cannot find a free UDP port: {err}"))
}
