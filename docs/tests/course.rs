//! The whole course in one command: it runs every lesson, exits 0, leaves no
//! program behind when interrupted, and the book's samples match what the
//! programs print today.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::Duration;

use common::testing::{Cmd, wait_until};

/// The whole course may take a while on a loaded machine; it normally takes seconds.
const COURSE_DEADLINE: Duration = Duration::from_secs(180);

#[test]
fn the_whole_course_passes() {
    let mut course = Cmd::bin("course").args(["--no-build"]).spawn();
    let out = course.wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let summary = out.stdout.lines().last().unwrap();
    assert!(summary.contains(" passed, 0 failed"), "{summary}");
    for lesson in ["udp-sender", "udp-receiver"] {
        assert!(
            out.stdout.contains(&format!("\n{lesson:<16} pass")),
            "{lesson}:\n{}",
            out.stdout
        );
    }
    // Narrated: the steps of the lessons are in the transcript.
    assert!(out.stdout.contains(
        "[step 1/5] udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
    ));
}

#[test]
fn samples_in_the_book_match_the_programs() {
    let mut course = Cmd::bin("course").args(["--no-build", "--check-samples"]).spawn();
    let out = course.wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("sample udp-sender: matches"), "{}", out.stdout);
}

#[test]
fn an_interrupted_course_leaves_no_program_running() {
    let mut course = Cmd::bin("course")
        .args([
            "--no-build",
            "--no-python",
            "--lesson",
            "udp-sender",
            "--pause-after-server",
        ])
        .spawn();
    let line = course.wait_stdout("paused: server listening on ");
    let addr = line.rsplit(' ').next().unwrap().to_string();
    // The lesson's receiver holds the port now.
    assert!(UdpSocket::bind(&addr).is_err(), "the receiver should be bound to {addr}");
    course.interrupt();
    let out = course.wait_exit(Duration::from_secs(20));
    assert!(!out.status.success());
    assert!(out.stderr.contains("every lesson program was stopped"), "{}", out.stderr);
    wait_until(Duration::from_secs(10), "the receiver to be gone", || {
        UdpSocket::bind(&addr).is_ok()
    });
}

#[test]
fn unknown_lesson_is_a_usage_error() {
    let out = Cmd::bin("course").args(["--no-build", "--lesson", "nope"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("no lesson matches"), "{}", out.stderr);
}
