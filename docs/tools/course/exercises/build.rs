//! Building the lesson with the student's steps in place of the reference
//! ones (the crate's exercise feature), in `target/exercise`, so the
//! reference binaries in `target/debug` are never touched.

use std::path::PathBuf;
use std::process::Command;

use super::{Ctx, Exercise, root};

pub enum Failure {
    /// The student's file does not compile: cargo's messages, and the step
    /// of the first error in the student's file.
    Compile {
        output: String,
        step: Option<usize>,
    },
    Other(String),
}

fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root());
    command
}

/// The reference binaries: the lesson's own and the peers its checks use
/// (a no-op when they are up to date).
pub fn reference(_exercise: &Exercise) -> Result<(), String> {
    let status = cargo()
        .args(["build", "--quiet", "--workspace", "--bins"])
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the reference programs do not build (hint: run cargo build --workspace)"
            .into())
    }
}

/// Builds the student's version and returns where its binaries are.
pub fn student(exercise: &Exercise) -> Result<Ctx, Failure> {
    let target = root().join("target").join("exercise");
    let output = cargo()
        .args([
            "build",
            "--quiet",
            "--color",
            "never",
            "-p",
            exercise.krate,
            "--features",
        ])
        .arg(exercise.feature)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .map_err(|err| Failure::Other(format!("cannot run cargo: {err}")))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).into_owned();
        let step = first_error_step(&text, exercise);
        return Err(Failure::Compile { output: text, step });
    }
    Ok(Ctx {
        student: target.join("debug"),
        reference: reference_dir(),
        python: crate::process::python3(),
    })
}

/// `target/debug` (or release), where this program and the lessons live.
fn reference_dir() -> PathBuf {
    if std::env::var_os("COURSE_ROOT").is_some() {
        return root().join("target").join("debug");
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .unwrap_or_else(|| root().join("target").join("debug"))
}

/// The step (the last `// N.` comment above it) of the first compile error
/// that cargo places in the student's file.
fn first_error_step(cargo_output: &str, exercise: &Exercise) -> Option<usize> {
    let line: usize = cargo_output.lines().find_map(|l| {
        // `--> udp-chat/src/steps/../../exercise/menu.rs:12:5`: rustc keeps
        // the `..` of the module's #[path], so the path is resolved first.
        let (path, rest) = l.trim_start().strip_prefix("--> ")?.split_once(".rs:")?;
        (resolved(&format!("{path}.rs")) == exercise.student).then_some(())?;
        rest.split(':').next()?.parse().ok()
    })?;
    let text = std::fs::read_to_string(root().join(exercise.student)).ok()?;
    text.lines()
        .take(line)
        .filter_map(|l| super::starter::step_comment(l.trim()).map(|(n, _)| n))
        .last()
}

/// `a/src/../exercise/x.rs` as `a/exercise/x.rs`, with `/` between the parts.
fn resolved(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_through_a_module_path_are_resolved() {
        assert_eq!(
            super::resolved("udp-chat/src/steps/../../exercise/menu.rs"),
            "udp-chat/exercise/menu.rs"
        );
        assert_eq!(
            super::resolved("udp-sender\\src\\..\\exercise\\steps.rs"),
            "udp-sender/exercise/steps.rs"
        );
    }
}
