//! course — the whole course in one command: every lesson on loopback, in the
//! order of the book, each server and its client narrated with `--explain`,
//! the Python twins too where `python3` is present.
//!
//! ```text
//! cargo run -p docs --bin course                       # the whole course
//! cargo run -p docs --bin course -- --lesson tcp-server
//! cargo run -p docs --bin course -- --write-samples    # refresh docs/samples/*.txt
//! cargo run -p docs --bin course -- --check-samples    # do the book's samples still match?
//! ```
//!
//! It builds every lesson first (`cargo build --workspace --bins`), picks free
//! ports (servers bind port 0 and print `listening on ADDR`), prints the
//! transcript and a final table, and exits 0 only when every exchange happened.
//! No program outlives it, also on Ctrl+C.

mod exercises;
mod lessons;
mod process;
mod transcript;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use lessons::{Exchange, Program, Who};
use process::{Running, WorkDir};
use transcript::Transcript;

/// Run every lesson of the sockets course on loopback, narrated; or write a
/// lesson yourself and check it (`course exercises`).
#[derive(Debug, Parser)]
#[command(name = "course", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,

    /// Only these lessons (crate names, e.g. udp-sender); default: all.
    #[arg(long, value_name = "CRATE")]
    lesson: Vec<String>,

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
        id: String,
        /// Check again on every save of your file.
        #[arg(long)]
        watch: bool,
    },
    /// The next hint for the first step that fails.
    Hint { id: String },
    /// Where the reference steps are, and the steps themselves.
    Solution { id: String },
}

fn main() -> ExitCode {
    let args = Args::parse();
    process::stop_everything_on_ctrl_c();
    if let Some(command) = &args.command {
        return match command {
            Command::Exercises => exercises::list(),
            Command::Exercise { id, reset } => exercises::prepare(id, *reset),
            Command::Check { id, watch } => exercises::check(id, *watch),
            Command::Hint { id } => exercises::hint(id),
            Command::Solution { id } => exercises::solution(id),
        };
    }
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

    let exchanges: Vec<Exchange> = lessons::all()
        .into_iter()
        .filter(|exchange| {
            args.lesson.is_empty() || args.lesson.iter().any(|l| l == exchange.lesson)
        })
        .filter(|exchange| !sampling || exchange.in_sample)
        .collect();
    if exchanges.is_empty() {
        common::errln!(
            "error: no lesson matches {:?} (hint: use a crate name like udp-sender)",
            args.lesson
        );
        return ExitCode::from(2);
    }

    let mut results = Vec::new();
    let mut transcript = Transcript::default();
    for (number, exchange) in exchanges.iter().enumerate() {
        let outcome = if exchange.uses_python() && python.is_none() {
            Outcome::Skipped
        } else {
            transcript.begin(number + 1, exchange);
            let pause = args.pause_after_server && number == 0;
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

/// Runs one exchange: server, clients in turn, then checks the expected lines.
fn run_exchange(
    exchange: &Exchange,
    python: Option<&Path>,
    transcript: &mut Transcript,
    pause: bool,
) -> Result<(), String> {
    let dir = WorkDir::new(exchange.lesson)?;
    for (name, contents) in &exchange.files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .map_err(|err| format!("cannot create {name}: {err}"))?;
    }
    let mut vars = Vars {
        addr: String::new(),
        port: String::new(),
        dir: dir.path().display().to_string(),
    };

    let mut server = None;
    if let Some(step) = &exchange.server {
        let (program, args, shown) = command_line(step, &vars, python)?;
        transcript.command(1, &shown);
        let mut running = Running::start(&program, &args, dir.path(), step.stdin)?;
        let line = running.wait_for("listening on ").map_err(|err| {
            format!(
                "the server never said it was listening: {err}\n{}",
                running.lines().join("\n")
            )
        })?;
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
        server = Some(running);
    }

    let mut client_lines = Vec::new();
    for (index, step) in exchange.clients.iter().enumerate() {
        let (program, args, shown) = command_line(step, &vars, python)?;
        transcript.command(2, &shown);
        let mut client = Running::start(&program, &args, dir.path(), step.stdin)?;
        let succeeded = client.wait_exit();
        let lines = client.lines();
        transcript.output(2, program_name(step.program), &hide_dir(&lines, &vars.dir));
        match succeeded {
            Ok(true) => {}
            Ok(false) => return Err(format!("client {} failed", index + 1)),
            Err(err) => return Err(format!("client {}: {err}", index + 1)),
        }
        client_lines.push(lines);
    }

    let mut server_lines = Vec::new();
    if let Some(mut running) = server {
        if exchange.server_exits {
            match running.wait_exit() {
                Ok(true) => {}
                Ok(false) => {
                    transcript.output(
                        1,
                        "server",
                        &hide_dir(&running.lines(), &vars.dir),
                    );
                    return Err("the server failed".into());
                }
                Err(err) => {
                    running.stop();
                    transcript.output(
                        1,
                        "server",
                        &hide_dir(&running.lines(), &vars.dir),
                    );
                    return Err(format!("the server: {err}"));
                }
            }
        } else {
            running.stop();
        }
        server_lines = running.lines();
        let shown = exchange
            .server
            .as_ref()
            .map(|step| program_name(step.program))
            .unwrap_or("server");
        transcript.output(1, shown, &hide_dir(&server_lines, &vars.dir));
    }

    for (who, text) in &exchange.expect {
        let lines = match who {
            Who::Server => &server_lines,
            Who::Client(index) => client_lines.get(*index).ok_or("no such client")?,
        };
        if !lines.iter().any(|line| line.contains(text)) {
            return Err(format!("expected a line containing {text:?}"));
        }
        transcript.checked(text);
    }
    Ok(())
}

/// The lines with the scratch folder written `$DIR`: its name changes every run.
fn hide_dir(lines: &[String], dir: &str) -> Vec<String> {
    lines.iter().map(|line| line.replace(dir, "$DIR")).collect()
}

/// Values substituted into arguments.
struct Vars {
    addr: String,
    port: String,
    dir: String,
}

/// The program to start, its arguments, and the command line as shown.
fn command_line(
    step: &lessons::Step,
    vars: &Vars,
    python: Option<&Path>,
) -> Result<(PathBuf, Vec<String>, String), String> {
    let args: Vec<String> = step
        .args
        .iter()
        .map(|arg| {
            arg.replace("{addr}", &vars.addr)
                .replace("{port}", &vars.port)
                .replace("{dir}", &vars.dir)
        })
        .collect();
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
    let shown = std::iter::once(shown_program)
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
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
