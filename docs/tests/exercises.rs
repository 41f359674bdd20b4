//! The exercises cannot lie: for every exercise, in a copy of the workspace
//! (never in the student's own files),
//! - the starter compiles and fails `course check`;
//! - the reference steps file, copied in as the student's file, passes;
//! - every deliberately wrong version in `docs/tests/exercises/ID/` fails,
//!   and names the step it promises: `wrong-*.edit` is the reference with a
//!   few lines changed (so it follows the reference as it evolves), in the form
//!   `expect: step N`, `why: …`, then pairs of `replace: TEXT` / `with: TEXT`
//!   (`\\n` in a TEXT is a line break; each `replace` must occur exactly once); `wrong-*.rs` is a whole file whose
//!   first line is `// expect: step N`;
//! - every correct version written differently (`alternative*.rs`) passes;
//! - `course exercise ID --reset` changes nothing but the student's file and
//!   its `.bak`, and a second `--reset` does not put the starter over the `.bak`.
//!
//! The copy lives in `target/exercise-tests/`; its builds are incremental.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use testkit::{Cmd, Output};

/// Building and checking one version may take a while on a loaded machine.
const CHECK_DEADLINE: Duration = Duration::from_secs(600);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The copy of the workspace the checks run in, made once per test run.
/// One exercise is checked at a time: they share the copy's target folder.
fn copy() -> &'static Mutex<PathBuf> {
    static COPY: OnceLock<Mutex<PathBuf>> = OnceLock::new();
    COPY.get_or_init(|| {
        let to = workspace().join("target").join("exercise-tests").join("workspace");
        copy_tree(&workspace(), &to);
        Mutex::new(to)
    })
}

/// Copies the sources (not target/, .git/, students' exercise/ folders or
/// the built book), replacing what changed.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if [".git", "target", "exercise", "book", "node_modules"]
            .contains(&name.as_ref())
        {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&*name));
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&source, &dest);
        } else if fs::read(&dest).ok() != fs::read(&source).ok() {
            fs::copy(&source, &dest).unwrap();
        }
    }
}

fn course(root: &Path, args: &[&str]) -> Output {
    let mut course = Cmd::bin("course").args(args).env("COURSE_ROOT", root).spawn();
    course.wait_exit(CHECK_DEADLINE)
}

/// Every exercise id, from `course exercises`.
fn exercise_ids() -> Vec<String> {
    let out = Cmd::bin("course").arg("exercises").run();
    assert!(out.status.success(), "{}", out.stderr);
    out.stdout
        .lines()
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

/// `your file: PATH` from `course exercise ID`.
fn prepare(root: &Path, id: &str, reset: bool) -> PathBuf {
    let mut args = vec!["exercise", id];
    if reset {
        args.push("--reset");
    }
    let out = course(root, &args);
    assert!(out.status.success(), "course exercise {id}: {}", out.stderr);
    let line = out.stdout.lines().find(|l| l.starts_with("your file: ")).unwrap();
    root.join(line.trim_start_matches("your file: "))
}

/// `solution: PATH` from `course solution ID`.
fn reference(root: &Path, id: &str) -> PathBuf {
    let out = course(root, &["solution", id]);
    assert!(out.status.success(), "{}", out.stderr);
    let first = out.stdout.lines().next().unwrap();
    root.join(first.strip_prefix("solution: ").unwrap())
}

/// The step of the first `✘` line, if any.
fn first_failed_step(stdout: &str) -> Option<usize> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("✘ step "))
        .filter_map(|rest| {
            let digits: String =
                rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .min()
}

/// The reference with the `replace:` / `with:` pairs of an `.edit` file applied.
fn apply_edit(reference: &str, edit: &str, name: &str) -> String {
    let mut text = reference.to_string();
    let mut lines =
        edit.lines().filter(|l| l.starts_with("replace:") || l.starts_with("with:"));
    while let Some(replace) = lines.next() {
        let old = replace.strip_prefix("replace:").unwrap().trim_start();
        let new = lines
            .next()
            .and_then(|l| l.strip_prefix("with:"))
            .unwrap_or_else(|| panic!("{name}: `replace:` without `with:`"))
            .trim_start();
        let old = old.replace("\\n", "\n");
        let old = old.as_str();
        let found = text.matches(old).count();
        assert_eq!(
            found, 1,
            "{name}: {old:?} is in the reference {found} times, not once"
        );
        text = text.replace(old, &new.replace("\\n", "\n"));
    }
    text
}

/// Hashes of every file under `root` but the exercise folders.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if ["target", "exercise"].contains(&name.to_string_lossy().as_ref()) {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), into);
            } else {
                into.insert(entry.path(), fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut all = BTreeMap::new();
    walk(root, &mut all);
    all
}

fn check_exercise(id: &str) {
    let root = copy().lock().unwrap_or_else(|e| e.into_inner());
    let root = root.as_path();
    let before = snapshot(root);
    let file = prepare(root, id, true);
    assert_eq!(
        before,
        snapshot(root),
        "course exercise {id} --reset changed other files"
    );

    // The starter compiles and fails.
    let starter = course(root, &["check", id]);
    assert_eq!(
        starter.code(),
        Some(1),
        "{id}: the starter must fail:\n{}",
        starter.stdout
    );
    assert!(
        !starter.stdout.contains("does not compile"),
        "{id}: the starter must compile:\n{}",
        starter.stdout
    );
    assert!(starter.stdout.contains("is not written yet"), "{}", starter.stdout);

    // The reference passes.
    fs::copy(reference(root, id), &file).unwrap();
    let passed = course(root, &["check", id]);
    assert_eq!(
        passed.code(),
        Some(0),
        "{id}: the reference must pass:\n{}",
        passed.stdout
    );

    // Wrong versions fail at their step; alternatives pass.
    let versions = workspace().join("docs/tests/exercises").join(id);
    let mut wrong = 0;
    let mut entries: Vec<_> = fs::read_dir(&versions)
        .unwrap_or_else(|err| panic!("{}: {err}", versions.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let reference_text = fs::read_to_string(reference(root, id)).unwrap();
    for version in entries {
        let name = version.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&version).unwrap();
        let student = if name.ends_with(".edit") {
            apply_edit(&reference_text, &text, &name)
        } else {
            text.clone()
        };
        fs::write(&file, &student).unwrap();
        let out = course(root, &["check", id]);
        if name.starts_with("wrong") {
            let expected: usize = text
                .lines()
                .next()
                .map(|l| l.trim_start_matches("// "))
                .and_then(|l| l.strip_prefix("expect: step "))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| {
                    panic!("{name}: first line must be `expect: step N`")
                });
            assert_eq!(out.code(), Some(1), "{id}/{name} must fail:\n{}", out.stdout);
            assert_eq!(
                first_failed_step(&out.stdout),
                Some(expected),
                "{id}/{name} must fail at step {expected}:\n{}",
                out.stdout
            );
            wrong += 1;
        } else if name.starts_with("alternative") {
            assert_eq!(out.code(), Some(0), "{id}/{name} must pass:\n{}", out.stdout);
        }
    }
    assert!(
        wrong >= 3,
        "{id}: {wrong} wrong versions in {}, at least 3",
        versions.display()
    );
    println!(
        "{id}: starter fails, reference passes, {wrong} wrong versions fail at their step"
    );
}

#[test]
fn every_exercise_is_tested_here() {
    let tested = [EXERCISES].concat();
    assert_eq!(
        exercise_ids(),
        tested,
        "add the new exercise to EXERCISES and a test below"
    );
}

const EXERCISES: [&str; 10] = [
    "udp-sender",
    "udp-receiver",
    "menu",
    "qq-server",
    "tcp-client",
    "tcp-server",
    "file-downloader",
    "file-server",
    "time-server",
    "time-client",
];

#[test]
fn udp_sender() {
    check_exercise("udp-sender");
}

#[test]
fn udp_receiver() {
    check_exercise("udp-receiver");
}

#[test]
fn menu() {
    check_exercise("menu");
}

#[test]
fn qq_server() {
    check_exercise("qq-server");
}

#[test]
fn time_server() {
    check_exercise("time-server");
}

#[test]
fn time_client() {
    check_exercise("time-client");
}

#[test]
fn file_downloader() {
    check_exercise("file-downloader");
}

#[test]
fn file_server() {
    check_exercise("file-server");
}

#[test]
fn reset_keeps_the_work_and_a_second_reset_does_not_lose_it() {
    let root = copy().lock().unwrap_or_else(|e| e.into_inner());
    let root = root.as_path();
    let file = prepare(root, "time-client", true);
    let starter = fs::read_to_string(&file).unwrap();
    let backup = file.with_extension("rs.bak");
    fs::write(&file, "// my work\n").unwrap();

    let again = course(root, &["exercise", "time-client"]);
    assert!(again.stdout.contains("your file is kept as it is"), "{}", again.stdout);
    assert_eq!(fs::read_to_string(&file).unwrap(), "// my work\n");

    let first = course(root, &["exercise", "time-client", "--reset"]);
    assert!(first.stdout.contains("kept your version as"), "{}", first.stdout);
    assert_eq!(fs::read_to_string(&backup).unwrap(), "// my work\n");
    assert_eq!(fs::read_to_string(&file).unwrap(), starter);

    let second = course(root, &["exercise", "time-client", "--reset"]);
    assert!(second.status.success(), "{}", second.stderr);
    assert!(second.stdout.contains("the starter already"), "{}", second.stdout);
    assert_eq!(
        fs::read_to_string(&backup).unwrap(),
        "// my work\n",
        "the work is kept"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), starter);
}

/// `course exercises` tells a verdict only for the file it was given on: a
/// save since the last check shows as such, and a reset as not checked.
#[test]
fn the_table_does_not_show_a_verdict_for_a_file_saved_since() {
    let root = copy().lock().unwrap_or_else(|e| e.into_inner());
    let root = root.as_path();
    let file = prepare(root, "udp-sender", true);
    let state = |root: &Path| {
        let out = course(root, &["exercises"]);
        assert!(out.status.success(), "{}", out.stderr);
        let line = out.stdout.lines().find(|l| l.starts_with("udp-sender ")).unwrap();
        line.to_string()
    };
    assert!(state(root).ends_with("not checked yet"), "{}", state(root));
    let checked = course(root, &["check", "udp-sender"]);
    assert!(!checked.status.success(), "the starter passed:\n{}", checked.stdout);
    assert!(state(root).ends_with(" fails at step 1"), "{}", state(root));

    fs::write(&file, fs::read_to_string(&file).unwrap() + "\n// saved again\n")
        .unwrap();
    assert!(
        state(root).ends_with("saved since the last check (fails at step 1 then)"),
        "{}",
        state(root)
    );
    prepare(root, "udp-sender", true);
    assert!(state(root).ends_with("not checked yet"), "{}", state(root));
}

#[test]
fn watch_checks_again_on_every_save_until_ctrl_c() {
    let root = copy().lock().unwrap_or_else(|e| e.into_inner());
    let root = root.as_path();
    let file = prepare(root, "udp-receiver", true);
    let mut watch = Cmd::bin("course")
        .args(["check", "udp-receiver", "--watch"])
        .env("COURSE_ROOT", root)
        .spawn();
    watch.wait_stdout_for("is not written yet", CHECK_DEADLINE);
    watch.wait_stdout_for("watching udp-receiver/exercise/steps.rs", CHECK_DEADLINE);
    // Saving the reference as the student's file: checked again, and passes.
    fs::copy(reference(root, "udp-receiver"), &file).unwrap();
    watch.wait_stdout_for("checks pass", CHECK_DEADLINE);
    watch.wait_stdout_for("watching udp-receiver/exercise/steps.rs", CHECK_DEADLINE);
    // One save, one check: the build reading the file is not a save. (A
    // second check would begin at once; two seconds leave it time to show.)
    let again = watch.try_wait_stdout("checks pass", Duration::from_secs(2));
    assert_eq!(again, None, "one save was checked twice:\n{}", watch.stdout());
    watch.interrupt();
    let out = watch.wait_exit(Duration::from_secs(20));
    assert_eq!(out.code(), Some(130), "{}", out.stderr);
}

#[test]
fn tcp_client() {
    check_exercise("tcp-client");
}

#[test]
fn tcp_server() {
    check_exercise("tcp-server");
}
