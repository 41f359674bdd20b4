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
    step_at(&text, line)
}

/// The step of line `line` (1-based) of a steps file: that of the last step
/// comment above it. An error in a function's signature (`-> io::Result<Sent>`
/// when the body gives back `()`) is the end of its body: its last step.
fn step_at(text: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let step = |l: &&str| super::starter::step_comment(l.trim()).map(|(n, _)| n);
    let above = &lines[..line.min(lines.len())];
    let signature = above.iter().rposition(|l| {
        let l = l.trim_start();
        l.starts_with("pub fn ") || l.starts_with("fn ")
    });
    if let Some(start) = signature
        && !above[start..].iter().any(|l| step(l).is_some())
    {
        let end = lines[start..].iter().position(|l| l.starts_with('}'))? + start;
        if let Some(last) = lines[start..end].iter().filter_map(step).next_back() {
            return Some(last);
        }
    }
    above.iter().filter_map(step).next_back()
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
    fn an_error_in_a_signature_is_the_last_step_of_its_body() {
        let text = "use x;\n/// Sends.\npub fn send() -> io::Result<Sent> {\n    \
                    // 1. create — socket()\n    let s = 1;\n    // 2. close — close()\n    \
                    drop(s);\n}\n";
        assert_eq!(super::step_at(text, 3), Some(2), "the signature");
        assert_eq!(super::step_at(text, 5), Some(1), "in step 1");
        assert_eq!(super::step_at(text, 7), Some(2), "in step 2");
        assert_eq!(super::step_at(text, 1), None, "the use lines");
    }

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
