//! course — the whole course in one command: every lesson on loopback, in the
//! order of the book, each server and its client narrated with `--explain`,
//! the Python twins too where `python3` is present.
//!
//! ```text
//! cargo run -p docs --bin course                       # the whole course
//! cargo run -p docs --bin course -- --list             # its lessons and exchanges
//! cargo run -p docs --bin course -- --lesson tcp-server --lesson file-server
//! cargo run -p docs --bin course -- --step             # wait for Enter before each exchange
//! cargo run -p docs --bin course -- --write-samples    # refresh docs/samples/*.txt
//! cargo run -p docs --bin course -- --check-samples    # do the book's samples still match?
//! ```
//!
//! It builds every lesson first (`cargo build --workspace --bins`), picks free
//! ports (servers bind port 0 and print `listening on ADDR`), prints the
//! transcript — each exchange's lines in the order they happened — and a final
//! table, and exits 0 only when every exchange happened. No program outlives
//! it, also on Ctrl+C.

mod exercises;
mod lessons;
mod process;
mod transcript;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use lessons::{Exchange, Program, Who};
use process::{Later, Running, WorkDir};
use transcript::{Event, Transcript, What};

/// Run every lesson of the sockets course on loopback, narrated; or write a
/// lesson yourself and check it (`course exercises`).
#[derive(Debug, Parser)]
#[command(name = "course", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,

    /// Only these lessons: a crate name (udp-sender) or a binary's
    /// (file-server, time-client); repeat for more; default: all. --list names them.
    #[arg(long, value_name = "NAME")]
    lesson: Vec<String>,

    /// Name the lessons and their exchanges, numbered as the course runs them, and exit.
    #[arg(long)]
    list: bool,

    /// Wait for Enter before each exchange, for presenting live. Once stdin
    /// ends (at once when there is none, as in CI) the course goes on without waiting.
    #[arg(long)]
    step: bool,

    /// Skip the exchanges with the Python listings.
    #[arg(long)]
    no_python: bool,

    /// Do not run `cargo build` first (the binaries are already built).
    #[arg(long)]
    no_build: bool,

    /// Write each lesson's sample session to docs/samples/CRATE.txt.
    #[arg(long, conflicts_with = "check_samples")]
    write_samples: bool,

    /// Compare each lesson's sample session with docs/samples/CRATE.txt.
    #[arg(long)]
    check_samples: bool,

    /// After the first server is listening, wait for stdin to close (lets a
    /// test interrupt the course while a lesson program runs).
    #[arg(long, hide = true)]
    pause_after_server: bool,
}

/// Write it yourself: the exercises.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Every exercise, with where you stand.
    Exercises,
    /// Start an exercise: writes your file from its starter (never over your
    /// work) and prints the task.
    Exercise {
        /// The exercise, e.g. udp-sender (see `course exercises`).
        id: String,
        /// Put the starter back; your version is kept as FILE.bak.
        #[arg(long)]
        reset: bool,
    },
    /// Check your steps on real loopback sockets, against the Rust peer and
    /// the Python twin.
    Check {
        /// The exercise, e.g. udp-sender (see `course exercises`).
        id: String,
        /// Check again on every save of your file.
        #[arg(long)]
        watch: bool,
    },
    /// The next hint for the first step that fails.
    Hint {
        /// The exercise, e.g. udp-sender (see `course exercises`).
        id: String,
    },
    /// Where the reference steps are, and the steps themselves.
    Solution {
        /// The exercise, e.g. udp-sender (see `course exercises`).
        id: String,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(command) = &args.command {
        process::stop_everything_on_ctrl_c();
        return match command {
            Command::Exercises => exercises::list(),
            Command::Exercise { id, reset } => exercises::prepare(id, *reset),
            Command::Check { id, watch } => exercises::check(id, *watch),
            Command::Hint { id } => exercises::hint(id),
            Command::Solution { id } => exercises::solution(id),
        };
    }
    let all = lessons::all();
    if args.list {
        print_list(&all);
        return ExitCode::SUCCESS;
    }
    let chosen = match chosen_lessons(&all, &args.lesson) {
        Ok(chosen) => chosen,
        Err(err) => {
            common::errln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    process::stop_everything_on_ctrl_c();
    if !args.no_build
        && let Err(err) = build_lessons()
    {
        common::errln!("error: {err}");
        return ExitCode::FAILURE;
    }
    let sampling = args.write_samples || args.check_samples;
    let python = if args.no_python || sampling { None } else { process::python3() };
    if python.is_none() && !args.no_python && !sampling {
        common::outln!(
            "note: python3 not found: the exchanges with the Python twins are skipped\n"
        );
    }

    // Numbered by their place in the whole course, as --list shows them.
    let exchanges: Vec<(usize, &Exchange)> = all
        .iter()
        .enumerate()
        .map(|(index, exchange)| (index + 1, exchange))
        .filter(|(_, exchange)| chosen.is_empty() || chosen.contains(&exchange.lesson))
        .filter(|(_, exchange)| !sampling || exchange.in_sample)
        .collect();

    let mut results = Vec::new();
    let mut transcript = Transcript::default();
    let mut stepping = args.step;
    let mut first = true;
    for (number, exchange) in exchanges {
        let outcome = if exchange.uses_python() && python.is_none() {
            Outcome::Skipped
        } else {
            transcript.begin(number, exchange);
            if stepping {
                stepping = wait_for_enter();
            }
            let pause = args.pause_after_server && first;
            first = false;
            match run_exchange(exchange, python.as_deref(), &mut transcript, pause) {
                Ok(()) => Outcome::Passed,
                Err(err) => {
                    transcript.failure(&err);
                    Outcome::Failed(err)
                }
            }
        };
        results.push((exchange, outcome));
    }

    // Ctrl+C ends the programs, which ends the exchange under way: the
    // handler then prints and exits; the table must not race it.
    process::wait_if_stopping();
    print_table(&results);
    let all_passed =
        results.iter().all(|(_, outcome)| !matches!(outcome, Outcome::Failed(_)));
    let samples_ok = if args.write_samples {
        transcript.write_samples(&samples_dir())
    } else if args.check_samples {
        transcript.check_samples(&samples_dir())
    } else {
        true
    };
    if all_passed && samples_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `--step`: waits for a line on stdin; false (stop waiting) once stdin ends,
/// as it does at once without a terminal (`< /dev/null`, CI).
fn wait_for_enter() -> bool {
    common::errln!("(--step) press Enter to run it");
    let mut line = String::new();
    matches!(std::io::stdin().lock().read_line(&mut line), Ok(n) if n > 0)
}

/// A lesson and the other names it answers to: the binaries of its crate
/// that are not lessons themselves (file-server, time-client).
struct Lesson {
    name: &'static str,
    binaries: Vec<&'static str>,
    exchanges: Vec<(usize, &'static str, bool)>,
}

/// The lessons in the order of the book, with their exchanges (number, title,
/// whether it needs python3).
fn lessons_of(all: &[Exchange]) -> Vec<Lesson> {
    let mut lessons: Vec<Lesson> = Vec::new();
    for (index, exchange) in all.iter().enumerate() {
        let position =
            match lessons.iter().position(|lesson| lesson.name == exchange.lesson) {
                Some(position) => position,
                None => {
                    lessons.push(Lesson {
                        name: exchange.lesson,
                        binaries: Vec::new(),
                        exchanges: Vec::new(),
                    });
                    lessons.len() - 1
                }
            };
        lessons[position].exchanges.push((
            index + 1,
            exchange.title,
            exchange.uses_python(),
        ));
    }
    let names: Vec<&str> = lessons.iter().map(|lesson| lesson.name).collect();
    for exchange in all {
        for step in exchange.server.iter().chain(&exchange.clients) {
            let Program::Rust(bin) = step.program else { continue };
            let lesson =
                lessons.iter_mut().find(|lesson| lesson.name == exchange.lesson);
            if let Some(lesson) = lesson
                && !names.contains(&bin)
                && !lesson.binaries.contains(&bin)
            {
                lesson.binaries.push(bin);
            }
        }
    }
    lessons
}

/// The lessons `--lesson` names (empty: all), or an error naming the lessons.
fn chosen_lessons(
    all: &[Exchange],
    wanted: &[String],
) -> Result<Vec<&'static str>, String> {
    let lessons = lessons_of(all);
    let mut chosen = Vec::new();
    for name in wanted {
        let found = lessons.iter().find(|lesson| {
            lesson.name == name || lesson.binaries.contains(&name.as_str())
        });
        match found {
            Some(lesson) => chosen.push(lesson.name),
            None => {
                let known: Vec<String> = lessons
                    .iter()
                    .map(|lesson| match lesson.binaries.as_slice() {
                        [] => lesson.name.to_string(),
                        binaries => {
                            format!("{} (or {})", lesson.name, binaries.join(", "))
                        }
                    })
                    .collect();
                return Err(format!(
                    "no lesson matches {name:?} (hint: the lessons are {}; course --list shows their exchanges)",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(chosen)
}

/// `--list`: the lessons, the names they answer to, and their exchanges.
fn print_list(all: &[Exchange]) {
    let lessons = lessons_of(all);
    common::outln!(
        "The course: {} exchanges in {} lessons, in the order of the book.",
        all.len(),
        lessons.len()
    );
    common::outln!(
        "Run one lesson with --lesson NAME; a lesson's binaries are names for it too."
    );
    for lesson in lessons {
        if lesson.binaries.is_empty() {
            common::outln!("\n{}", lesson.name);
        } else {
            common::outln!("\n{} (also: {})", lesson.name, lesson.binaries.join(", "));
        }
        for (number, title, needs_python) in lesson.exchanges {
            let python = if needs_python { "  [python3]" } else { "" };
            common::outln!("  {number:>2}. {title}{python}");
        }
    }
}

enum Outcome {
    Passed,
    Skipped,
    Failed(String),
}

/// The book's sample sessions: `docs/samples/`.
fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// The workspace root (the lesson crates and their `python/` listings).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo build --workspace --bins`, with the same profile as this program,
/// so every lesson binary is there and up to date. Under `cargo run`, cargo
/// tells us where it is through `CARGO`.
fn build_lessons() -> Result<(), String> {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return Ok(()); // started directly: use the binaries beside this one
    };
    let release = binary_dir().ends_with("release");
    let mut command = std::process::Command::new(cargo);
    command
        .args(["build", "--quiet", "--workspace", "--bins"])
        .current_dir(workspace_root());
    if release {
        command.arg("--release");
    }
    let status =
        command.status().map_err(|err| format!("cannot run cargo build: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo build --workspace --bins failed (hint: fix the build errors above)"
            .into())
    }
}

/// Where the lesson binaries are: beside this one.
fn binary_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A program started by an exchange, and where its lines go.
struct Started {
    terminal: usize,
    program: &'static str,
    running: Running,
}

/// Runs one exchange: server, clients in turn, then checks the expected lines.
/// Prints what happened in time order, whether it passed or not.
fn run_exchange(
    exchange: &Exchange,
    python: Option<&Path>,
    transcript: &mut Transcript,
    pause: bool,
) -> Result<(), String> {
    let dir = WorkDir::new(exchange.lesson)?;
    let mut vars = Vars {
        addr: String::new(),
        port: String::new(),
        peer_port: process::free_udp_port()?.to_string(),
        dir: dir.path().display().to_string(),
    };
    let mut commands = Vec::new();
    let mut started = Vec::new();
    let result = run_programs(
        exchange,
        python,
        &dir,
        &mut vars,
        &mut commands,
        &mut started,
        pause,
    );

    // Everything is stopped by now (or is stopped here): print it all in order.
    let mut events = commands;
    for Started { terminal, program, mut running } in started {
        running.stop();
        let (printed, typed) = running.stamped();
        events.extend(printed.into_iter().map(|line| Event {
            at: line.at,
            terminal,
            what: What::Printed { program, line: line.text.replace(&vars.dir, "$DIR") },
        }));
        events.extend(typed.into_iter().map(|typed| Event {
            at: typed.at,
            terminal,
            what: What::Typed { program, text: typed.text },
        }));
    }
    transcript.events(events);
    for text in result? {
        transcript.checked(text);
    }
    Ok(())
}

/// Starts the exchange's programs, adding each command line to `commands` and
/// each program to `started`; returns the expected texts, all found.
fn run_programs(
    exchange: &Exchange,
    python: Option<&Path>,
    dir: &WorkDir,
    vars: &mut Vars,
    commands: &mut Vec<Event>,
    started: &mut Vec<Started>,
    pause: bool,
) -> Result<Vec<&'static str>, String> {
    for (name, contents) in &exchange.files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .map_err(|err| format!("cannot create {name}: {err}"))?;
    }
    let mut command = |terminal: usize, shown: String| {
        commands.push(Event {
            at: Instant::now(),
            terminal,
            what: What::Command(shown),
        });
    };

    if let Some(step) = &exchange.server {
        let (program, args, shown) = command_line(step, vars, python)?;
        command(1, shown);
        let running = start(step, &program, &args, dir, vars)?;
        started.push(Started {
            terminal: 1,
            program: program_name(step.program),
            running,
        });
        let server = &mut started[0].running;
        let line = server
            .wait_for("listening on ")
            .map_err(|err| format!("the server never said it was listening: {err}"))?;
        let bound =
            line.rsplit("listening on ").next().unwrap_or_default().trim().to_string();
        let port = bound.rsplit(':').next().unwrap_or_default().to_string();
        // A Python listing bound to '' reports 0.0.0.0: clients dial loopback.
        vars.addr = if bound.starts_with("0.0.0.0:") {
            format!("127.0.0.1:{port}")
        } else {
            bound
        };
        vars.port = port;
        if pause {
            common::outln!("paused: server listening on {}", vars.addr);
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        }
    }

    let mut client_lines = Vec::new();
    for (index, step) in exchange.clients.iter().enumerate() {
        let (program, args, shown) = command_line(step, vars, python)?;
        command(2, shown);
        let running = start(step, &program, &args, dir, vars)?;
        started.push(Started {
            terminal: 2,
            program: program_name(step.program),
            running,
        });
        let Some(client) = started.last_mut().map(|started| &mut started.running)
        else {
            continue;
        };
        match client.wait_exit() {
            Ok(true) => {}
            Ok(false) => return Err(format!("client {} failed", index + 1)),
            Err(err) => return Err(format!("client {}: {err}", index + 1)),
        }
        client_lines.push(client.lines());
    }

    let mut server_lines = Vec::new();
    if exchange.server.is_some()
        && let Some(server) = started.first_mut().map(|started| &mut started.running)
    {
        if exchange.server_exits {
            match server.wait_exit() {
                Ok(true) => {}
                Ok(false) => return Err("the server failed".into()),
                Err(err) => return Err(format!("the server: {err}")),
            }
        } else {
            server.stop();
        }
        server_lines = server.lines();
    }

    let mut found = Vec::new();
    for (who, text) in &exchange.expect {
        let lines = match who {
            Who::Server => &server_lines,
            Who::Client(index) => client_lines.get(*index).ok_or("no such client")?,
        };
        if !lines.iter().any(|line| line.contains(text)) {
            return Err(format!("expected a line containing {text:?}"));
        }
        found.push(*text);
    }
    Ok(found)
}

/// Starts one program of an exchange, with its typing (`{…}` substituted).
fn start(
    step: &lessons::Step,
    program: &Path,
    args: &[String],
    dir: &WorkDir,
    vars: &Vars,
) -> Result<Running, String> {
    let stdin = step.stdin.map(|text| vars.substitute(text));
    let later = step.later.map(|(when, text)| Later {
        when: when.to_string(),
        text: vars.substitute(text),
    });
    Running::start(program, args, dir.path(), stdin.as_deref(), later)
}

/// Values substituted into arguments and typed text.
struct Vars {
    addr: String,
    port: String,
    peer_port: String,
    dir: String,
}

impl Vars {
    fn substitute(&self, text: &str) -> String {
        text.replace("{addr}", &self.addr)
            .replace("{port}", &self.port)
            .replace("{peer_port}", &self.peer_port)
            .replace("{dir}", &self.dir)
    }
}

/// The program to start, its arguments, and the command line as shown.
fn command_line(
    step: &lessons::Step,
    vars: &Vars,
    python: Option<&Path>,
) -> Result<(PathBuf, Vec<String>, String), String> {
    let args: Vec<String> = step.args.iter().map(|arg| vars.substitute(arg)).collect();
    let (program, mut full_args, shown_program) = match step.program {
        Program::Rust(bin) => {
            let path =
                binary_dir().join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
            if !path.exists() {
                return Err(format!(
                    "{bin} is not built (hint: run the course with cargo run -p docs --bin course)"
                ));
            }
            (path, Vec::new(), bin.to_string())
        }
        Program::Python(krate, file) => {
            let python = python.ok_or("python3 is not available")?;
            let script = workspace_root().join(krate).join("python").join(file);
            let shown = format!("python3 {krate}/python/{file}");
            (python.to_path_buf(), vec![script.display().to_string()], shown)
        }
    };
    let mut shown = std::iter::once(shown_program)
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    // What is typed at once, shown as the pipe that would type it.
    if let Some(stdin) = step.stdin {
        let lines: Vec<String> =
            vars.substitute(stdin).lines().map(shell_quote).collect();
        shown = format!("printf '%s\\n' {} | {shown}", lines.join(" "));
    }
    full_args.extend(args);
    Ok((program, full_args, shown.replace(&vars.dir, "$DIR")))
}

fn program_name(program: Program) -> &'static str {
    match program {
        Program::Rust(bin) => bin,
        Program::Python(_, file) => file,
    }
}

/// Quotes an argument for display when a shell would need it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| !c.is_whitespace() && !"'\"\\$`!*?;&|<>(){}#~".contains(c));
    if plain { arg.to_string() } else { format!("'{}'", arg.replace('\'', r"'\''")) }
}

fn print_table(results: &[(&Exchange, Outcome)]) {
    common::outln!("\n{:<16} {:<8} exchange", "lesson", "result");
    for (exchange, outcome) in results {
        let result = match outcome {
            Outcome::Passed => "pass",
            Outcome::Skipped => "skipped",
            Outcome::Failed(_) => "FAIL",
        };
        common::outln!("{:<16} {:<8} {}", exchange.lesson, result, exchange.title);
        if let Outcome::Failed(reason) = outcome {
            common::outln!("{:<16} {:<8} └ {reason}", "", "");
        }
    }
    let failed =
        results.iter().filter(|(_, o)| matches!(o, Outcome::Failed(_))).count();
    let skipped = results.iter().filter(|(_, o)| matches!(o, Outcome::Skipped)).count();
    let passed = results.len() - failed - skipped;
    common::outln!("\n{passed} passed, {failed} failed, {skipped} skipped");
}
