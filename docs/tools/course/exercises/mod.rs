//! Write it yourself: every lesson's steps as an exercise, checked on real
//! loopback sockets against the reference Rust peer and the Python twin.
//!
//! ```text
//! cargo run -p docs --bin course -- exercises               # the table, with your progress
//! cargo run -p docs --bin course -- exercise udp-sender     # writes your starter file
//! cargo run -p docs --bin course -- check udp-sender        # ✔/✘ per check, naming the step
//! cargo run -p docs --bin course -- check udp-sender --watch
//! cargo run -p docs --bin course -- hint udp-sender         # the next hint
//! cargo run -p docs --bin course -- solution udp-sender
//! ```
//!
//! The student's file (`CRATE/exercise/NAME.rs`, ignored by git) takes the
//! place of the reference steps file when the lesson is built with the
//! crate's `exercise` feature, in a target folder of its own
//! (`target/exercise`), so the reference binaries are never touched.

mod build;
mod chat;
mod checks;
mod file;
mod starter;
mod state;
mod tcp_client;
mod tcp_server;
mod time;
mod udp;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub use checks::{Check, Ctx};
use state::State;

/// One exercise: a lesson program whose steps file the student writes.
pub struct Exercise {
    /// The program's name, which is the exercise's id.
    pub id: &'static str,
    /// The lesson crate.
    pub krate: &'static str,
    /// The crate feature that swaps in the student's file.
    pub feature: &'static str,
    /// The tutorial it comes from.
    pub tutorial: &'static str,
    /// The reference steps file and the student's file, from the workspace root.
    pub reference: &'static str,
    pub student: &'static str,
    /// The Python twin whose steps the student ports.
    pub twin: &'static str,
    /// What to write, in a sentence or two.
    pub task: &'static str,
    /// Hints, in order, each for a step.
    pub hints: &'static [(usize, &'static str)],
    /// The checks, in the order of the steps.
    pub checks: fn() -> Vec<Check>,
}

/// Every exercise, in the order of the book.
pub fn all() -> Vec<Exercise> {
    vec![
        udp::sender(),
        udp::receiver(),
        chat::menu(),
        chat::qq_server(),
        tcp_client::client(),
        tcp_server::exercise(),
        file::downloader(),
        file::server(),
        time::server(),
        time::client(),
    ]
}

fn find(id: &str) -> Result<Exercise, String> {
    all().into_iter().find(|e| e.id == id).ok_or_else(|| {
        let ids: Vec<&str> = all().iter().map(|e| e.id).collect();
        format!("no exercise {id:?} (hint: one of {})", ids.join(", "))
    })
}

/// The workspace root: where this program was built, or `COURSE_ROOT` (the
/// tests check exercises in a copy of the workspace, never in yours).
pub fn root() -> PathBuf {
    match std::env::var_os("COURSE_ROOT") {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    }
}

/// `course exercises`: every exercise and where the student stands.
pub fn list() -> ExitCode {
    let state = State::load();
    common::outln!("{:<16} {:<16} {:<28} state", "exercise", "lesson", "tutorial");
    for exercise in all() {
        let shown = match std::fs::read(root().join(exercise.student)) {
            Err(_) => "not started".to_string(),
            Ok(now)
                if state.changed_since_check(exercise.id, state::fingerprint(&now)) =>
            {
                let was = state.verdict(exercise.id).unwrap_or("not checked yet");
                format!("saved since the last check ({was} then)")
            }
            Ok(_) => {
                state.verdict(exercise.id).unwrap_or("not checked yet").to_string()
            }
        };
        common::outln!(
            "{:<16} {:<16} {} {shown}",
            exercise.id,
            exercise.krate,
            padded(exercise.tutorial, 28)
        );
    }
    common::outln!("\nstart one: cargo run -p docs --bin course -- exercise ID");
    ExitCode::SUCCESS
}

/// `course exercise ID [--reset]`: writes the starter (never over the
/// student's work, unless --reset, which keeps it as `.bak`) and prints the task.
pub fn prepare(id: &str, reset: bool) -> ExitCode {
    match try_prepare(id, reset) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn try_prepare(id: &str, reset: bool) -> Result<(), String> {
    let exercise = find(id)?;
    let path = root().join(exercise.student);
    let reference = read(&root().join(exercise.reference))?;
    let starter = starter::starter(&reference, exercise.id);
    // symlink_metadata: a dangling link is a file that exists, never written through.
    let exists = path.symlink_metadata().is_ok();
    let backup = path.with_extension("rs.bak");
    let unchanged =
        exists && std::fs::read_to_string(&path).is_ok_and(|now| now == starter);
    if exists && reset && unchanged {
        // A second --reset must not put the starter over the work kept before.
        common::outln!("your file is the starter already: nothing to keep");
        if backup.exists() {
            common::outln!("your last version is still {}", rel(&backup));
        }
    } else if exists && reset {
        std::fs::rename(&path, &backup).map_err(|err| {
            format!("cannot keep your file as {}: {err}", backup.display())
        })?;
        common::outln!("kept your version as {}", rel(&backup));
    } else if exists {
        common::outln!(
            "your file is kept as it is (`cargo run -p docs --bin course -- exercise {id} --reset` \
             puts the starter back)"
        );
    }
    if !exists || (reset && !unchanged) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        }
        std::fs::File::create_new(&path)
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, starter.as_bytes())
            })
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        State::load().forget(exercise.id);
        common::outln!("wrote the starter to {}", exercise.student);
    }
    let twin = read(&root().join(exercise.twin))?;
    common::outln!(
        "exercise {} — {} ({})\n",
        exercise.id,
        exercise.krate,
        exercise.tutorial
    );
    common::outln!("{}\n", exercise.task);
    common::outln!("The Python twin's steps ({}):\n", exercise.twin);
    for line in region(&twin, "#") {
        common::outln!("    {line}");
    }
    common::outln!(
        "\nReplace each todo!(\"step N: …\") with the Rust calls of step N, then check:\n\
         \n    cargo run -p docs --bin course -- check {id}            (--watch: on every save)\
         \n    cargo run -p docs --bin course -- hint {id}\n"
    );
    common::outln!("your file: {}", exercise.student);
    Ok(())
}

/// `course hint ID`: the next hint for the first step that fails.
pub fn hint(id: &str) -> ExitCode {
    let exercise = match find(id) {
        Ok(exercise) => exercise,
        Err(err) => return fail(&err),
    };
    let mut state = State::load();
    if state.verdict(id) == Some("done") {
        common::outln!(
            "every check of {id} passed at the last check: no hint needed \
             (`cargo run -p docs --bin course -- solution {id}` shows the reference)"
        );
        return ExitCode::SUCCESS;
    }
    let step = state.failing_step(id).unwrap_or(1);
    let hints: Vec<&str> =
        exercise.hints.iter().filter(|(s, _)| *s == step).map(|(_, h)| *h).collect();
    if hints.is_empty() {
        common::outln!(
            "no hint for step {step}: compare with the Python twin, {}",
            exercise.twin
        );
        return ExitCode::SUCCESS;
    }
    let given = state.next_hint(id, step, hints.len());
    common::outln!(
        "hint {}/{} for step {step}: {}",
        given + 1,
        hints.len(),
        hints[given]
    );
    if given + 1 == hints.len() {
        common::outln!(
            "(that was the last hint for step {step}; \
             `cargo run -p docs --bin course -- solution {id}` shows the reference)"
        );
    }
    ExitCode::SUCCESS
}

/// `course solution ID`: where the reference is, then its steps.
pub fn solution(id: &str) -> ExitCode {
    let exercise = match find(id) {
        Ok(exercise) => exercise,
        Err(err) => return fail(&err),
    };
    common::outln!("solution: {}", exercise.reference);
    match read(&root().join(exercise.reference)) {
        Ok(text) => {
            for line in region(&text, "//") {
                common::outln!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err),
    }
}

/// `course check ID [--watch]`.
pub fn check(id: &str, watch: bool) -> ExitCode {
    let exercise = match find(id) {
        Ok(exercise) => exercise,
        Err(err) => return fail(&err),
    };
    let path = root().join(exercise.student);
    if !path.exists() {
        return fail(&format!(
            "{} does not exist yet (hint: cargo run -p docs --bin course -- exercise {id})",
            exercise.student
        ));
    }
    if let Err(err) = build::reference(&exercise) {
        return fail(&err);
    }
    if !watch {
        return if check_once(&exercise) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    watch_and_check(&exercise, &path)
}

/// Builds the student's program and runs every check; true when all pass.
pub fn check_once(exercise: &Exercise) -> bool {
    let started = Instant::now();
    let mut state = State::load();
    common::outln!("building your {} with {} …", exercise.krate, exercise.student);
    // What is checked is the file as it is now; a save during the check is
    // checked next time.
    let checked = std::fs::read(root().join(exercise.student))
        .map(|text| state::fingerprint(&text))
        .unwrap_or_default();
    let ctx = match build::student(exercise) {
        Ok(ctx) => ctx,
        Err(build::Failure::Compile { output, step }) => {
            common::outln!("{output}");
            // Before the first step comment (the `use` lines, the types): step 1.
            let step = step.unwrap_or(1);
            common::outln!(
                "✘ step {step} (compile): {} does not compile — cargo's message above \
                 points at the line",
                exercise.student
            );
            state.record(exercise.id, Some(step), checked);
            return false;
        }
        Err(build::Failure::Other(err)) => {
            common::errln!("error: {err}");
            return false;
        }
    };
    let mut first_failure = None;
    let mut skipped = 0;
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let checks = (exercise.checks)();
    // A todo!() reached stops every later check at the same step: one line.
    let mut todo_said = std::collections::BTreeSet::new();
    let mut todo_again = std::collections::BTreeMap::new();
    for check in &checks {
        checks::begin_check();
        // A student program that reached a todo!() is the reason, whatever
        // the check saw next (nothing arrived, a wrong line).
        let outcome =
            (check.run)(&ctx).map_err(|found| checks::reached_todo().unwrap_or(found));
        // Ctrl+C stopped the programs: what the check saw is not a verdict.
        crate::process::wait_if_stopping();
        match outcome {
            Ok(()) => {
                common::outln!("✔ step {} ({}): {}", check.step, check.name, check.what)
            }
            // Without python3 a student's machine skips the twin; CI never does.
            Err(found) if found.starts_with("skipped:") && !in_ci => {
                common::outln!(
                    "– step {} ({}): {}: {found}",
                    check.step,
                    check.name,
                    check.what
                );
                skipped += 1;
            }
            Err(found) => {
                let (step, text) = checks::explain_failure(check, &found);
                let todo = checks::is_todo(&found);
                if todo && !todo_said.insert(step) {
                    // Said once already: counted, and summed up after the checks.
                    *todo_again.entry(step).or_insert(0) += 1;
                } else if step == check.step {
                    common::outln!("✘ step {step} ({}): {text}", check.name);
                } else {
                    // The check was about a later step; an earlier one is at fault.
                    common::outln!(
                        "✘ step {step}: {text} (found checking: {})",
                        check.what
                    );
                }
                first_failure =
                    Some(first_failure.map_or(step, |first: usize| first.min(step)));
            }
        }
    }
    for (step, count) in todo_again {
        let checks = if count == 1 { "check" } else { "checks" };
        common::outln!(
            "✘ step {step}: {count} more {checks} stopped at the same todo!()"
        );
    }
    state.record(exercise.id, first_failure, checked);
    let seconds = started.elapsed().as_secs_f64();
    match first_failure {
        None if skipped == 0 => common::outln!(
            "\nall {} checks pass, against the Rust peer and the Python twin ({seconds:.1} s)",
            checks.len()
        ),
        None => common::outln!(
            "\n{} checks pass, {skipped} skipped: install python3 to check against the twin",
            checks.len() - skipped
        ),
        Some(step) => common::outln!(
            "\nstep {step} is where to look next (`cargo run -p docs --bin course -- hint {}`)",
            exercise.id
        ),
    }
    first_failure.is_none()
}

/// `--watch`: check, then check again each time the file is saved.
fn watch_and_check(exercise: &Exercise, path: &Path) -> ExitCode {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(watcher) => watcher,
        Err(err) => return fail(&format!("cannot watch {}: {err}", path.display())),
    };
    // Watch the folder: editors often save by writing a new file and renaming it.
    let dir = path.parent().unwrap_or(path);
    if let Err(err) = watcher.watch(dir, RecursiveMode::NonRecursive) {
        return fail(&format!("cannot watch {}: {err}", dir.display()));
    }
    let name = path.file_name().map(|n| n.to_os_string());
    loop {
        clear_screen();
        check_once(exercise);
        common::outln!(
            "\nwatching {} — save it to check again, Ctrl+C to stop",
            exercise.student
        );
        // Wait for a change to the file, then let the editor finish writing.
        loop {
            match rx.recv() {
                // Only a write counts: the check's own build reading the file
                // (an access event) must not start another check.
                Ok(Ok(event))
                    if !matches!(event.kind, notify::EventKind::Access(_))
                        && event
                            .paths
                            .iter()
                            .any(|p| p.file_name() == name.as_deref()) =>
                {
                    break;
                }
                Ok(_) => continue,
                Err(_) => return ExitCode::FAILURE,
            }
        }
        std::thread::sleep(Duration::from_millis(50));
        while rx.try_recv().is_ok() {}
    }
}

fn clear_screen() {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        common::out::stdout_text(format_args!("\x1b[2J\x1b[H"));
    }
}

/// `text` padded to `width` terminal columns: a Chinese character takes two.
fn padded(text: &str, width: usize) -> String {
    let columns: usize =
        text.chars().map(|c| if c >= '\u{1100}' { 2 } else { 1 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

fn fail(err: &str) -> ExitCode {
    common::errln!("error: {err}");
    ExitCode::FAILURE
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))
}

/// `path` relative to the workspace root, for messages.
fn rel(path: &Path) -> String {
    let root = root().canonicalize().unwrap_or_else(|_| root());
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    full.strip_prefix(&root).unwrap_or(&full).display().to_string()
}

/// The lines between `MARKER ANCHOR: steps` and `MARKER ANCHOR_END: steps`.
fn region(text: &str, marker: &str) -> Vec<String> {
    let start = format!("{marker} ANCHOR: steps");
    let end = format!("{marker} ANCHOR_END: steps");
    text.lines()
        .skip_while(|line| line.trim() != start)
        .skip(1)
        .take_while(|line| line.trim() != end)
        .map(str::to_string)
        .collect()
}
