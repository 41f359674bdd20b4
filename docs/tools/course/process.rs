//! Starting the lesson programs, reading what they print with a deadline, and
//! making sure none is left behind — also on Ctrl+C.
//!
//! The process handling itself is testkit's (`common/testkit`, the same the
//! tests use, in its non-panicking layer); what is the course's own is here:
//! merged output, typing into a program later, and the Ctrl+C handler that
//! stops every program still running.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use testkit::TempDir;
use testkit::process::{Lines, Spawned, Streams};

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

/// `course-PID-`: how this run's scratch folders begin.
fn scratch_prefix() -> String {
    format!("course-{}-", std::process::id())
}

/// The `course-PID-*` folders of this run (a [`WorkDir`]'s drop never runs
/// when the course exits on Ctrl+C).
fn remove_scratch_folders() {
    let prefix = scratch_prefix();
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A line and when the course read it (or typed it).
pub use testkit::process::Stamped;

/// Text to type into a program once it prints a line containing `when`; its
/// stdin is closed after that (the end of input, like Ctrl+D).
pub struct Later {
    pub when: String,
    pub text: String,
}

/// A program the course started (testkit's [`Spawned`], stdout and stderr
/// merged), known to the Ctrl+C handler while it runs; killed when dropped.
pub struct Running {
    process: Spawned,
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
        let mut command = Command::new(program);
        let piped = stdin.is_some() || later.is_some();
        command
            .args(args)
            .current_dir(dir)
            .stdin(if piped { Stdio::piped() } else { Stdio::null() })
            // Plain text: the transcript is compared with the book's samples.
            .env("NO_COLOR", "1")
            // A panic is one message, not a backtrace (a student's todo!()).
            .env("RUST_BACKTRACE", "0")
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONUNBUFFERED", "1");
        let mut process = {
            let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            let Some(pids) = running.as_mut() else {
                return Err("the course is stopping (Ctrl+C)".to_string());
            };
            let process = Spawned::start(command, Streams::Merged)
                .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
            pids.push(process.id());
            process
        };
        if let Some(text) = stdin {
            // A program that exits early closes its stdin: not our error.
            let _ = process.write_stdin(text.as_bytes());
        }
        match later {
            Some(later) => process.type_when(&later.when, &later.text),
            None => process.close_stdin(),
        }
        Ok(Running { process, seen: 0 })
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
        let (index, line) = self
            .process
            .stdout()
            .wait_line(self.seen, needle, timeout)
            .ok_or_else(|| format!("no line containing {needle:?} appeared"))?;
        self.seen = index + 1;
        Ok(line)
    }

    /// Waits (up to the deadline) for the program to exit; true when it exited 0.
    pub fn wait_exit(&mut self) -> Result<bool, String> {
        self.wait_exit_within(DEADLINE)
    }

    /// [`Running::wait_exit`] with a chosen deadline.
    pub fn wait_exit_within(&mut self, timeout: Duration) -> Result<bool, String> {
        match self.process.wait_exit(timeout) {
            Ok(Some(status)) => Ok(status.success()),
            Ok(None) => Err("it did not exit in time".to_string()),
            Err(err) => Err(format!("cannot wait for it: {err}")),
        }
    }

    /// Stops a server that runs until Ctrl+C, then collects its last lines.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// What the program prints, readable after it is dropped.
    pub fn output(&self) -> Arc<Lines> {
        Arc::clone(self.process.stdout())
    }

    /// True once it has exited (its output is closed).
    pub fn exited(&self) -> bool {
        self.process.stdout().wait_closed(Duration::ZERO)
    }

    /// Everything the program printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.process.stdout().texts()
    }

    /// What the program printed and what was typed into it later, each line
    /// with the time it was read or typed.
    pub fn stamped(&self) -> (Vec<Stamped>, Vec<Stamped>) {
        self.process.stdout().stamped()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Killed before it leaves the registry, so a Ctrl+C never misses it.
        self.process.kill();
        if let Ok(mut running) = RUNNING.lock()
            && let Some(pids) = running.as_mut()
        {
            pids.retain(|&pid| pid != self.process.id());
        }
    }
}

/// A scratch folder for one exchange (the file lesson's served files), named
/// `course-PID-NAME-…` so that Ctrl+C's handler finds it.
pub struct WorkDir(TempDir);

impl WorkDir {
    pub fn new(name: &str) -> Result<WorkDir, String> {
        let prefix = format!("{}{name}", scratch_prefix());
        TempDir::try_new(&prefix)
            .map(WorkDir)
            .map_err(|err| format!("cannot create a scratch folder {prefix}: {err}"))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// `python3` on PATH, if any.
pub fn python3() -> Option<PathBuf> {
    testkit::process::python3_on_path()
}

/// A UDP port of 127.0.0.1 that is free now: for the second peer of a chat,
/// whose address the first one must be given before the second starts.
pub fn free_udp_port() -> Result<u16, String> {
    testkit::process::free_udp_port()
        .map_err(|err| format!("cannot find a free UDP port: {err}"))
}
