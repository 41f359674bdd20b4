//! What a check is, what it can use, and how its failure is told in the
//! student's terms.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process::Running;

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
        start(&self.student.join(exe(bin)), args)
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
        let program = self.student.join(exe(bin));
        Running::start(&program, args, &std::env::temp_dir(), Some(stdin), None)
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
    program.wait_for_within(needle, CHECK_DEADLINE).map_err(|_| {
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

/// The step and text to show for a failed check: a `todo!` reached is
/// "not written yet", whatever the check was about.
pub fn explain_failure(check: &Check, found: &str) -> (usize, String) {
    if let Some(at) = found.find("not yet implemented: step ") {
        let rest = &found[at + "not yet implemented: step ".len()..];
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
