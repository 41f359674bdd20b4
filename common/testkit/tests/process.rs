//! The harness's own tests: what the lesson tests and the course runner rely
//! on, shown with `sh` (merged order, typing on a line, killing on drop).
//!
//! `cargo test -p testkit`
#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::process::{Spawned, Streams};
use testkit::{Cmd, DEADLINE, wait_until};

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(script);
    command
}

/// Whether a process with this id still exists (`kill -0`).
fn alive(pid: &str) -> bool {
    Command::new("kill")
        .args(["-0", pid])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn merged_streams_keep_the_order_of_writing() {
    let mut spawned = Spawned::start(
        sh("echo one; echo two >&2; echo three; echo four >&2"),
        Streams::Merged,
    )
    .unwrap();
    let status = spawned.wait_exit(DEADLINE).unwrap().expect("sh exits");
    assert!(status.success());
    assert_eq!(spawned.stdout().texts(), ["one", "two", "three", "four"]);
    assert_eq!(spawned.stderr().text(), "one\ntwo\nthree\nfour\n");
}

#[test]
fn separate_streams_are_read_apart() {
    let out = Cmd::shell("echo out; echo err >&2").run();
    assert!(out.status.success());
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
}

#[test]
fn typing_waits_for_its_line_and_then_closes_stdin() {
    let mut command = sh("read name; echo \"hello $name\"; cat; echo end");
    command.stdin(Stdio::piped());
    let mut spawned = Spawned::start(command, Streams::Merged).unwrap();
    spawned.write_stdin(b"ada\n").unwrap();
    spawned.type_when("hello", "typed later\n");
    let (index, line) = spawned.stdout().wait_line(0, "end", DEADLINE).unwrap();
    assert_eq!(spawned.stdout().texts(), ["hello ada", "typed later", "end"]);
    assert_eq!((index, line.as_str()), (2, "end"));
    let (lines, typed) = spawned.stdout().stamped();
    assert_eq!(typed.len(), 1);
    assert!(typed[0].at >= lines[0].at, "typed after the line it answers");
}

#[test]
fn typing_on_a_line_already_printed_types_at_once() {
    let mut command = sh("echo ready; read reply; echo \"got $reply\"");
    command.stdin(Stdio::piped());
    let mut spawned = Spawned::start(command, Streams::Merged).unwrap();
    spawned.stdout().wait_line(0, "ready", DEADLINE).unwrap();
    spawned.type_when("ready", "yes\n");
    assert!(spawned.stdout().wait_line(1, "got yes", DEADLINE).is_some());
}

#[test]
fn waiting_ends_at_the_deadline_or_when_the_output_closes() {
    let mut spawned = Spawned::start(sh("echo only"), Streams::Merged).unwrap();
    assert_eq!(spawned.stdout().wait_line(0, "never", DEADLINE), None);
    let mut sleeper = Spawned::start(sh("exec sleep 30"), Streams::Merged).unwrap();
    let short = Duration::from_millis(50);
    assert_eq!(sleeper.stdout().wait_line(0, "never", short), None);
    assert!(sleeper.wait_exit(short).unwrap().is_none(), "still running");
    assert!(spawned.wait_exit(DEADLINE).unwrap().is_some());
}

#[test]
fn a_dropped_program_is_killed() {
    let mut proc = Cmd::new("sh").args(["-c", "echo $$; exec sleep 30"]).spawn();
    let pid = proc.wait_stdout("").trim().to_string();
    assert!(alive(&pid));
    drop(proc);
    assert!(!alive(&pid), "killed and reaped when dropped");
}

#[test]
fn a_dropped_shell_takes_its_background_jobs_with_it() {
    let mut proc = Cmd::shell("sleep 30 & echo $!; wait").spawn();
    let job = proc.wait_stdout("").trim().to_string();
    assert!(alive(&job));
    drop(proc);
    // The job is not our child: it is gone once init has reaped it.
    wait_until(DEADLINE, "the background job to be killed", || !alive(&job));
}
