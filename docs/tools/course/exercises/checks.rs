//! What a check is, what it can use, and how its failure is told in the
//! student's terms.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::cell::RefCell;
use std::sync::Arc;

use testkit::process::Lines;

use crate::process::{Later, Running};

/// How long a check waits for anything: a correct program answers in
/// milliseconds, a hanging one is stopped and reported.
pub const CHECK_DEADLINE: Duration = Duration::from_secs(5);

/// One check: which step it concerns and what it proves.
pub struct Check {
    pub step: usize,
    /// The step's short name, e.g. `bind`.
    pub name: &'static str,
    /// What passing means, e.g. `the datagram arrives at a Rust receiver`.
    pub what: &'static str,
    /// Runs the check; `Err` says what was seen instead, with a hint.
    pub run: fn(&Ctx) -> Result<(), String>,
}

/// Where the programs are.
pub struct Ctx {
    /// The student's build (`target/exercise/debug`).
    pub student: PathBuf,
    /// The reference build (`target/debug`).
    pub reference: PathBuf,
    pub python: Option<PathBuf>,
}

impl Ctx {
    /// Starts the student's build of `bin` with `args`.
    pub fn student(&self, bin: &str, args: &[String]) -> Result<Running, String> {
        self.student_with(bin, args, None, None)
    }

    /// Starts the student's build of `bin`, typing `stdin` at once and
    /// `later` when its line appears (see [`Running::start`]).
    pub fn student_with(
        &self,
        bin: &str,
        args: &[String],
        stdin: Option<&str>,
        later: Option<Later>,
    ) -> Result<Running, String> {
        let program = self.student.join(exe(bin));
        let running =
            Running::start(&program, args, &std::env::temp_dir(), stdin, later)?;
        STUDENTS.with_borrow_mut(|students| students.push(running.output()));
        Ok(running)
    }

    /// Starts the reference build of `bin` with `args`.
    pub fn reference(&self, bin: &str, args: &[String]) -> Result<Running, String> {
        start(&self.reference.join(exe(bin)), args)
    }

    /// Starts `python3 CRATE/python/FILE args…`; `Ok(None)` without python3
    /// (said once by the caller).
    pub fn python(
        &self,
        twin: &str,
        args: &[String],
    ) -> Result<Option<Running>, String> {
        let Some(python) = &self.python else { return Ok(None) };
        let mut all =
            vec!["-u".to_string(), super::root().join(twin).display().to_string()];
        all.extend(args.iter().cloned());
        start(python, &all).map(Some)
    }

    /// [`Ctx::student`], typing `stdin` into it (then closing its stdin, the
    /// end of input).
    pub fn student_typing(
        &self,
        bin: &str,
        args: &[String],
        stdin: &str,
    ) -> Result<Running, String> {
        self.student_with(bin, args, Some(stdin), None)
    }

    /// [`Ctx::python`] started in `dir` (the file twins serve, and save into,
    /// the folder they run in), typing `stdin` if any.
    pub fn python_in(
        &self,
        twin: &str,
        args: &[String],
        dir: &Path,
        stdin: Option<&str>,
    ) -> Result<Option<Running>, String> {
        let Some(python) = &self.python else { return Ok(None) };
        let mut all =
            vec!["-u".to_string(), super::root().join(twin).display().to_string()];
        all.extend(args.iter().cloned());
        Running::start(python, &all, dir, stdin, None).map(Some)
    }
}

fn exe(bin: &str) -> String {
    format!("{bin}{}", std::env::consts::EXE_SUFFIX)
}

fn start(program: &Path, args: &[String]) -> Result<Running, String> {
    Running::start(program, args, &std::env::temp_dir(), None, None)
}

/// `ARGS` as owned strings.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Waits for `program` to exit by itself and succeed; otherwise says why,
/// with what it printed.
pub fn exits_ok(program: &mut Running, what: &str) -> Result<(), String> {
    match program.wait_exit_within(CHECK_DEADLINE) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!("{what} failed:\n{}", shown(program))),
        Err(_) => {
            program.stop();
            Err(format!(
                "{what} still ran after {CHECK_DEADLINE:?} (it hangs):\n{}",
                shown(program)
            ))
        }
    }
}

/// Waits for a line containing `needle`, or says what was printed instead.
pub fn prints(
    program: &mut Running,
    needle: &str,
    what: &str,
) -> Result<String, String> {
    let found = until_done_or_gone(GRACE, |slice| {
        match program.wait_for_within(needle, slice) {
            Ok(line) => Some(Some(line)),
            // It exited without printing it: nothing more will come.
            Err(_) if program.exited() => Some(None),
            Err(_) => None,
        }
    });
    found.flatten().ok_or_else(|| {
        program.stop();
        format!("{what} never printed {needle:?}:\n{}", shown(program))
    })
}

/// The last lines a program printed, indented, for a failure message.
pub fn shown(program: &Running) -> String {
    let lines = program.lines();
    // A panic's message is the line after `panicked at`: show it first.
    let panic = lines
        .iter()
        .position(|l| l.contains("panicked at"))
        .and_then(|at| lines.get(at + 1))
        .map(|message| format!("    | {message}\n"))
        .unwrap_or_default();
    let tail = &lines[lines.len().saturating_sub(8)..];
    if tail.is_empty() {
        return "    (it printed nothing)".to_string();
    }
    panic + &tail.iter().map(|l| format!("    | {l}")).collect::<Vec<_>>().join("\n")
}

/// A UDP socket on 127.0.0.1 that gives up after the check deadline.
pub fn udp_socket() -> Result<UdpSocket, String> {
    let socket = UdpSocket::bind("127.0.0.1:0").map_err(|err| err.to_string())?;
    socket.set_read_timeout(Some(CHECK_DEADLINE)).map_err(|err| err.to_string())?;
    Ok(socket)
}

thread_local! {
    /// What each student program the current check started prints: a
    /// failure is explained by a `todo!` one reached, and once all of them
    /// have exited, a wait for what they would have sent can end early.
    static STUDENTS: RefCell<Vec<Arc<Lines>>> = const { RefCell::new(Vec::new()) };
}

/// A new check begins: the student programs of the last one are forgotten.
pub fn begin_check() {
    STUDENTS.with_borrow_mut(Vec::clear);
}

/// The first `todo!` a student program of the current check reached, as its
/// panic message (`not yet implemented: step N: …`).
pub fn reached_todo() -> Option<String> {
    STUDENTS.with_borrow(|students| {
        students.iter().find_map(|output| {
            output.texts().into_iter().find(|line| line.contains(TODO_REACHED))
        })
    })
}

/// True once the current check started student programs and every one has
/// exited (its output closed): nothing more will come from them.
fn students_gone() -> bool {
    STUDENTS.with_borrow(|students| {
        !students.is_empty()
            && students.iter().all(|output| output.wait_closed(Duration::ZERO))
    })
}

/// How often a wait looks whether the student's programs are gone.
const SLICE: Duration = Duration::from_millis(100);

/// How long a peer still has, once the student's programs have exited, to
/// show what they did (a server printing that its client left). What they
/// sent is in the checker's socket already: one more try is enough there.
const GRACE: Duration = Duration::from_secs(1);

/// Waits for what a peer of the student's program does, until `done` gives
/// `Some` or the check deadline passes — or, once the student's programs
/// have all exited, `grace` after that: a starter's `todo!` ends the wait
/// at once instead of after the whole deadline.
fn until_done_or_gone<T>(
    grace: Duration,
    mut done: impl FnMut(Duration) -> Option<T>,
) -> Option<T> {
    let mut deadline = Instant::now() + CHECK_DEADLINE;
    let mut gone = false;
    loop {
        if !gone && students_gone() {
            gone = true;
            deadline = deadline.min(Instant::now() + grace);
        }
        if let Some(value) = done(SLICE) {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
    }
}

/// `socket.recv_from(buf)` within the check deadline, ending early (timed
/// out) once the student's programs have all exited.
pub fn recv_within(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    let mut last = None;
    let got = until_done_or_gone(Duration::ZERO, |slice| {
        if let Err(err) = socket.set_read_timeout(Some(slice)) {
            return Some(Err(err));
        }
        match socket.recv_from(buf) {
            Err(err)
                if matches!(
                    err.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) =>
            {
                last = Some(err);
                None
            }
            other => Some(other),
        }
    });
    socket.set_read_timeout(Some(CHECK_DEADLINE))?;
    got.unwrap_or_else(|| Err(last.unwrap_or_else(|| ErrorKind::TimedOut.into())))
}

/// `accept` on a non-blocking listener within the check deadline, ending
/// early once the student's programs have all exited. The client's socket
/// is blocking, with the check deadline for each read.
pub fn accept_within(listener: &TcpListener) -> Result<TcpStream, String> {
    let peer = accept_polled(listener)?;
    peer.set_nonblocking(false).map_err(|e| e.to_string())?;
    peer.set_read_timeout(Some(CHECK_DEADLINE)).map_err(|e| e.to_string())?;
    Ok(peer)
}

fn accept_polled(listener: &TcpListener) -> Result<TcpStream, String> {
    let got = until_done_or_gone(Duration::ZERO, |slice| {
        let until = Instant::now() + slice;
        loop {
            match listener.accept() {
                Ok((peer, _)) => return Some(Ok(peer)),
                Err(err) if err.kind() == ErrorKind::WouldBlock => {
                    if Instant::now() >= until {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(err) => {
                    return Some(Err(format!(
                        "the checker's server could not accept: {err}"
                    )));
                }
            }
        }
    });
    got.unwrap_or_else(|| Err(format!("no client connected within {CHECK_DEADLINE:?}")))
}

/// How a reached `todo!("step N: …")` begins its panic message.
const TODO_REACHED: &str = "not yet implemented: step ";

/// True when a check failed because a student program reached a `todo!`.
pub fn is_todo(found: &str) -> bool {
    found.contains(TODO_REACHED)
}

/// The step and text to show for a failed check: a `todo!` reached is
/// "not written yet", whatever the check was about.
pub fn explain_failure(check: &Check, found: &str) -> (usize, String) {
    if let Some(at) = found.find(TODO_REACHED) {
        let rest = &found[at + TODO_REACHED.len()..];
        let step: usize =
            rest.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(check.step);
        return (
            step,
            format!("step {step} is not written yet (its todo!() was reached)"),
        );
    }
    // A check may find that an earlier step is the one at fault: `[step N] …`.
    if let Some(rest) = found.strip_prefix("[step ")
        && let Some((number, text)) = rest.split_once("] ")
        && let Ok(step) = number.parse()
    {
        return (step, text.to_string());
    }
    (check.step, found.to_string())
}
